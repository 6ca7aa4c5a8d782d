/* pa-face-swap-cloud-model.c — which inputs of a face swap model take the
 * face and the picture, read from its schema
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-face-swap-cloud.h"
#include "pa-face-swap-cloud-private.h"

#define DEFAULT_FACE_FIELD     "swap_image"
#define DEFAULT_PICTURE_FIELD  "input_image"
/* Enough names in a message to choose from, not a wall of them. */
#define MAX_LISTED_INPUTS      20

G_DEFINE_BOXED_TYPE (PaFaceSwapCloudModel, pa_face_swap_cloud_model,
                     pa_face_swap_cloud_model_copy, pa_face_swap_cloud_model_free)

PaFaceSwapCloudModel *
pa_face_swap_cloud_model_copy (const PaFaceSwapCloudModel *self)
{
  PaFaceSwapCloudModel *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaFaceSwapCloudModel, 1);
  copy->model = g_strdup (self->model);
  copy->version = g_strdup (self->version);
  copy->face_field = g_strdup (self->face_field);
  copy->picture_field = g_strdup (self->picture_field);
  copy->file_inputs = g_strdupv (self->file_inputs);
  copy->takes_video = self->takes_video;
  return copy;
}

void
pa_face_swap_cloud_model_free (PaFaceSwapCloudModel *self)
{
  if (self == NULL)
    return;

  g_free (self->model);
  g_free (self->version);
  g_free (self->face_field);
  g_free (self->picture_field);
  g_strfreev (self->file_inputs);
  g_free (self);
}

typedef enum {
  ROLE_NONE,
  ROLE_FACE,
  ROLE_PICTURE,
} Role;

/* Words that say an input takes the face to put in… */
static const char * const face_words[] = {
  "face", "faces", "source", "src", "swap", "donor", "identity", NULL
};
/* …or the picture or video it goes into. */
static const char * const picture_words[] = {
  "target", "input", "picture", "video", "destination", "dest", "dst",
  "original", "scene", "base", NULL
};
/* Words any picture input may use, the face's too ("swap_image"): they
 * say "picture" only where nothing says "face". */
static const char * const weak_picture_words[] = {
  "image", "img", "photo", "photograph", NULL
};
static const char * const video_words[] = {
  "video", "videos", "mp4", "webm", "movie", "movies", NULL
};

/* The lowercase words of @text, split at anything that is not a letter
 * or digit and between the parts of camelCase. */
static GStrv
words_of (const char *text)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr(GString) word = g_string_new (NULL);

  for (const char *p = text; p != NULL; p++)
    {
      gboolean boundary = *p == '\0' || !g_ascii_isalnum (*p) ||
                          (g_ascii_isupper (*p) && p > text && g_ascii_islower (p[-1]));

      if (boundary && word->len > 0)
        {
          g_strv_builder_add (builder, word->str);
          g_string_truncate (word, 0);
        }
      if (*p == '\0')
        break;
      if (g_ascii_isalnum (*p))
        g_string_append_c (word, g_ascii_tolower (*p));
    }
  return g_strv_builder_end (builder);
}

static gboolean
has_any_word (const char * const *words,
              const char * const *list)
{
  for (guint i = 0; words[i] != NULL; i++)
    {
      if (g_strv_contains (list, words[i]))
        return TRUE;
    }
  return FALSE;
}

/* What @text says an input is for. A name or title is short and says it
 * plainly; a description talks about both ("the image to put the face
 * on"), so there only a text that names one side and nothing of the
 * other counts. */
static Role
role_of_text (const char *text,
              gboolean    sentence)
{
  g_auto(GStrv) words = NULL;
  gboolean face, picture, weak;

  if (text == NULL || *text == '\0')
    return ROLE_NONE;

  words = words_of (text);
  face = has_any_word ((const char * const *) words, face_words);
  picture = has_any_word ((const char * const *) words, picture_words);
  weak = has_any_word ((const char * const *) words, weak_picture_words);

  if (face && !picture && !(sentence && weak))
    return ROLE_FACE;
  if (picture && !face)
    return ROLE_PICTURE;
  if (!face && !picture && weak)
    return ROLE_PICTURE;
  return ROLE_NONE;
}

/* The name decides; the title when the name does not, then the
 * description. */
static Role
role_of_input (const PaReplicateInput *input)
{
  Role role = role_of_text (input->name, FALSE);

  if (role == ROLE_NONE)
    role = role_of_text (input->title, FALSE);
  if (role == ROLE_NONE)
    role = role_of_text (input->description, TRUE);
  return role;
}

static gboolean
mentions_video (const char *text)
{
  g_auto(GStrv) words = NULL;

  if (text == NULL)
    return FALSE;
  words = words_of (text);
  return has_any_word ((const char * const *) words, video_words);
}

/* Cog writes a Path input as {"type": "string", "format": "uri"}. */
static gboolean
is_file_input (const PaReplicateInput *input)
{
  return input != NULL && g_strcmp0 (input->type, "string") == 0 &&
         g_strcmp0 (input->format, "uri") == 0;
}

char *
pa_face_swap_cloud_describe_model (const char *name)
{
  return name != NULL ? g_strdup_printf ("“%s”", name) : g_strdup (_("the Cog server’s model"));
}

/* "a (“Title”), b, c" */
static char *
list_file_inputs (const PaReplicateModel *model)
{
  g_autoptr(GString) list = g_string_new (NULL);
  guint listed = 0;
  guint files = 0;

  for (guint i = 0; i < model->inputs->len; i++)
    {
      const PaReplicateInput *input = model->inputs->pdata[i];

      if (!is_file_input (input))
        continue;
      files++;
      if (listed == MAX_LISTED_INPUTS)
        continue;
      if (list->len > 0)
        g_string_append (list, ", ");
      g_string_append (list, input->name);
      if (input->title != NULL && *input->title != '\0' &&
          g_ascii_strcasecmp (input->title, input->name) != 0)
        g_string_append_printf (list, " (“%s”)", input->title);
      listed++;
    }
  if (files > listed)
    g_string_append_printf (list, g_dngettext (GETTEXT_PACKAGE, " and %u more", " and %u more",
                                               files - listed),
                            files - listed);
  return g_string_free (g_steal_pointer (&list), FALSE);
}

/* How the user names the fields: the words are the CLI's options and the
 * app's engine settings. */
#define NAME_FIELDS_HINT \
  N_("Name them: playalter-cli faceswap --face-field NAME --picture-field NAME, " \
     "or the face and picture fields of the cloud engine in the app.")

static void
set_ambiguous_error (GError                 **error,
                     const PaReplicateModel  *model,
                     const char              *name)
{
  g_autofree char *which = pa_face_swap_cloud_describe_model (name);
  g_autofree char *inputs = list_file_inputs (model);

  if (*inputs == '\0')
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("%s takes no file input (an input of type string, format uri), so it "
                   "cannot take a face and a picture"), which);
  else
    /* Translators: the last %s is "Name them: …", translated on its own. */
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("Cannot tell which input of %s takes the face and which the picture; "
                   "its file inputs are %s. %s"),
                 which, inputs, _(NAME_FIELDS_HINT));
}

static gboolean
check_field (const PaReplicateModel  *model,
             const char              *name,
             const char              *field,
             GError                 **error)
{
  const PaReplicateInput *input = pa_replicate_model_find_input (model, field);
  g_autofree char *which = NULL;
  g_autofree char *inputs = NULL;

  if (is_file_input (input))
    return TRUE;

  which = pa_face_swap_cloud_describe_model (name);
  inputs = list_file_inputs (model);
  if (input != NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("The input “%s” of %s does not take a file (it takes a %s); its file "
                   "inputs are %s. %s"),
                 field, which, input->type != NULL ? input->type : _("value of no stated type"),
                 *inputs != '\0' ? inputs : _("none"), _(NAME_FIELDS_HINT));
  else
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("%s has no input “%s”; its file inputs are %s. %s"),
                 which, field, *inputs != '\0' ? inputs : _("none"), _(NAME_FIELDS_HINT));
  return FALSE;
}

/* The one file input other than @taken, if there is exactly one. */
static const char *
other_file_input (const PaReplicateModel *model,
                  const char             *taken)
{
  const char *other = NULL;

  for (guint i = 0; i < model->inputs->len; i++)
    {
      const PaReplicateInput *input = model->inputs->pdata[i];

      if (!is_file_input (input) || g_str_equal (input->name, taken))
        continue;
      if (other != NULL)
        return NULL;
      other = input->name;
    }
  return other;
}

/* Exactly two file inputs, one saying face and the other picture. */
static gboolean
infer_fields (const PaReplicateModel  *model,
              const char             **face_field,
              const char             **picture_field)
{
  const char *face = NULL;
  const char *picture = NULL;
  guint files = 0;

  for (guint i = 0; i < model->inputs->len; i++)
    {
      const PaReplicateInput *input = model->inputs->pdata[i];

      if (!is_file_input (input))
        continue;
      files++;
      switch (role_of_input (input))
        {
        case ROLE_FACE:
          face = input->name;
          break;
        case ROLE_PICTURE:
          picture = input->name;
          break;
        case ROLE_NONE:
        default:
          break;
        }
    }

  if (files != 2 || face == NULL || picture == NULL)
    return FALSE;
  *face_field = face;
  *picture_field = picture;
  return TRUE;
}

/* A required input without a default would make every prediction fail
 * (and Replicate may bill the attempt): refuse before uploading. */
static gboolean
check_required (const PaReplicateModel  *model,
                const char              *name,
                const char              *face_field,
                const char              *picture_field,
                GError                 **error)
{
  g_autoptr(GString) missing = g_string_new (NULL);
  g_autofree char *which = NULL;

  for (guint i = 0; i < model->inputs->len; i++)
    {
      const PaReplicateInput *input = model->inputs->pdata[i];

      if (!input->required || input->default_value != NULL ||
          g_str_equal (input->name, face_field) || g_str_equal (input->name, picture_field))
        continue;
      if (missing->len > 0)
        g_string_append (missing, ", ");
      g_string_append (missing, input->name);
    }
  if (missing->len == 0)
    return TRUE;

  which = pa_face_swap_cloud_describe_model (name);
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("%s also requires %s, which a face swap does not fill: choose another model"),
               which, missing->str);
  return FALSE;
}

static gboolean
is_official (const PaReplicateModel *model)
{
  JsonObject *object;
  JsonNode *member;

  if (model->json == NULL || !JSON_NODE_HOLDS_OBJECT (model->json))
    return FALSE;
  object = json_node_get_object (model->json);
  member = json_object_get_member (object, "is_official");
  return member != NULL && JSON_NODE_HOLDS_VALUE (member) &&
         json_node_get_value_type (member) == G_TYPE_BOOLEAN && json_node_get_boolean (member);
}

PaFaceSwapCloudModel *
pa_face_swap_cloud_model_new (const PaReplicateModel  *model,
                              const char              *name,
                              const char              *face_field,
                              const char              *picture_field,
                              GError                 **error)
{
  g_autoptr(PaFaceSwapCloudModel) self = NULL;
  g_autoptr(GStrvBuilder) files = g_strv_builder_new ();
  gboolean has_schema;
  const PaReplicateInput *picture;

  g_return_val_if_fail (model != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  has_schema = model->input_schema != NULL;
  if (face_field != NULL && *face_field == '\0')
    face_field = NULL;
  if (picture_field != NULL && *picture_field == '\0')
    picture_field = NULL;

  if (face_field != NULL && g_strcmp0 (face_field, picture_field) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The face and the picture cannot both go to the input “%s”"), face_field);
      return NULL;
    }

  /* The default model's fields are known; its schema, when shown, must
   * still have them. */
  if (face_field == NULL && picture_field == NULL &&
      g_strcmp0 (name, PA_FACE_SWAP_CLOUD_DEFAULT_MODEL) == 0)
    {
      face_field = DEFAULT_FACE_FIELD;
      picture_field = DEFAULT_PICTURE_FIELD;
    }

  if (has_schema)
    {
      if (face_field != NULL && !check_field (model, name, face_field, error))
        return NULL;
      if (picture_field != NULL && !check_field (model, name, picture_field, error))
        return NULL;
    }

  if (face_field == NULL || picture_field == NULL)
    {
      if (!has_schema)
        {
          g_autofree char *which = pa_face_swap_cloud_describe_model (name);

          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s shows no input schema, so which input takes the face and which "
                         "the picture cannot be read from it. %s"),
                       which, _(NAME_FIELDS_HINT));
          return NULL;
        }
      if (face_field != NULL)
        picture_field = other_file_input (model, face_field);
      else if (picture_field != NULL)
        face_field = other_file_input (model, picture_field);
      else
        infer_fields (model, &face_field, &picture_field);

      if (face_field == NULL || picture_field == NULL)
        {
          set_ambiguous_error (error, model, name);
          return NULL;
        }
    }

  if (has_schema && !check_required (model, name, face_field, picture_field, error))
    return NULL;

  self = g_new0 (PaFaceSwapCloudModel, 1);
  self->model = g_strdup (name);
  /* Official models run by their own endpoint, and so must a model that
   * shows no version; any other by its latest version. */
  if (name != NULL && !is_official (model) && model->latest_version_id != NULL)
    self->version = g_strdup_printf ("%s:%s", name, model->latest_version_id);
  self->face_field = g_strdup (face_field);
  self->picture_field = g_strdup (picture_field);
  for (guint i = 0; i < model->inputs->len; i++)
    {
      const PaReplicateInput *input = model->inputs->pdata[i];

      if (is_file_input (input))
        g_strv_builder_add (files, input->name);
    }
  self->file_inputs = g_strv_builder_end (files);

  /* Only what the picture's own input says: a model's description may
   * mention video for reasons of its own ("unlike our video model…"). */
  picture = pa_replicate_model_find_input (model, picture_field);
  self->takes_video = picture != NULL &&
                      (mentions_video (picture->name) || mentions_video (picture->title) ||
                       mentions_video (picture->description));

  return g_steal_pointer (&self);
}
