/* pa-face-selection.c — which faces of the picture to replace, and with
 * which face of the source
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-limits.h"

#include "pa-face.h"
#include "pa-face-selection.h"

struct _PaFaceSelection
{
  PaFaceTargets  targets;
  GArray        *target_list;  /* of int, for PA_FACE_TARGETS_LIST */
  GArray        *sources;      /* of int, or NULL for the largest good source face */
};

G_DEFINE_BOXED_TYPE (PaFaceSelection, pa_face_selection,
                     pa_face_selection_copy, pa_face_selection_free)

/* Face numbers as people type them: "0" or "0,2", digits and commas
 * only, no spaces, signs, ranges or empty entries, no leading zeros (so
 * that every list has one spelling), each at most PA_LIMIT_FACE_INDEX.
 * FALSE for anything else. */
static GArray *
parse_indexes (const char *text)
{
  g_autoptr(GArray) indexes = g_array_new (FALSE, FALSE, sizeof (int));
  const char *p = text;

  for (;;)
    {
      int value = 0;
      const char *start = p;

      while (g_ascii_isdigit (*p))
        {
          value = value * 10 + (*p - '0');
          if (value > PA_LIMIT_FACE_INDEX)
            return NULL;
          p++;
        }
      if (p == start || (*start == '0' && p - start > 1))
        return NULL;
      g_array_append_val (indexes, value);

      if (*p == '\0')
        return g_steal_pointer (&indexes);
      if (*p != ',')
        return NULL;
      p++;
    }
}

static char *
format_indexes (const GArray *indexes)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < indexes->len; i++)
    g_string_append_printf (text, "%s%d", i > 0 ? "," : "", g_array_index (indexes, int, i));
  return g_string_free (text, FALSE);
}

PaFaceSelection *
pa_face_selection_new_all (void)
{
  PaFaceSelection *self = g_new0 (PaFaceSelection, 1);

  self->targets = PA_FACE_TARGETS_ALL;
  return self;
}

PaFaceSelection *
pa_face_selection_parse (const char  *targets,
                         const char  *sources,
                         GError     **error)
{
  g_autoptr(PaFaceSelection) self = pa_face_selection_new_all ();

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (targets == NULL || g_str_equal (targets, "all"))
    self->targets = PA_FACE_TARGETS_ALL;
  else if (g_str_equal (targets, "largest"))
    self->targets = PA_FACE_TARGETS_LARGEST;
  else
    {
      self->targets = PA_FACE_TARGETS_LIST;
      self->target_list = parse_indexes (targets);
      if (self->target_list == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“%s” is not a choice of faces: use “all”, “largest”, or face "
                         "numbers from 0 to %d, counted from the left and separated by "
                         "commas, such as “0,2”"),
                       targets, PA_LIMIT_FACE_INDEX);
          return NULL;
        }
      for (guint i = 0; i < self->target_list->len; i++)
        for (guint k = 0; k < i; k++)
          if (g_array_index (self->target_list, int, i) == g_array_index (self->target_list, int, k))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("Face %d is listed twice in “%s”: list each face to replace once"),
                           g_array_index (self->target_list, int, i), targets);
              return NULL;
            }
    }

  if (sources != NULL)
    {
      /* A source face may go onto several targets: repeats are fine. */
      self->sources = parse_indexes (sources);
      if (self->sources == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“%s” is not a list of source faces: use face numbers from 0 to %d, "
                         "counted from the left in the face picture and separated by commas, "
                         "such as “1,0”"),
                       sources, PA_LIMIT_FACE_INDEX);
          return NULL;
        }
      if (self->targets == PA_FACE_TARGETS_LIST && self->sources->len > self->target_list->len)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       ngettext ("%u source faces were given for %u face to replace: give at most one for each",
                                 "%u source faces were given for %u faces to replace: give at most one for each",
                                 self->target_list->len),
                       self->sources->len, self->target_list->len);
          return NULL;
        }
    }

  return g_steal_pointer (&self);
}

static GArray *
copy_indexes (const GArray *indexes)
{
  GArray *copy;

  if (indexes == NULL)
    return NULL;
  copy = g_array_sized_new (FALSE, FALSE, sizeof (int), indexes->len);
  g_array_append_vals (copy, indexes->data, indexes->len);
  return copy;
}

PaFaceSelection *
pa_face_selection_copy (const PaFaceSelection *self)
{
  PaFaceSelection *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaFaceSelection, 1);
  copy->targets = self->targets;
  copy->target_list = copy_indexes (self->target_list);
  copy->sources = copy_indexes (self->sources);
  return copy;
}

void
pa_face_selection_free (PaFaceSelection *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->target_list, g_array_unref);
  g_clear_pointer (&self->sources, g_array_unref);
  g_free (self);
}

PaFaceTargets
pa_face_selection_get_targets (const PaFaceSelection *self)
{
  g_return_val_if_fail (self != NULL, PA_FACE_TARGETS_ALL);

  return self->targets;
}

const GArray *
pa_face_selection_get_target_list (const PaFaceSelection *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->target_list;
}

char *
pa_face_selection_to_string (const PaFaceSelection  *self,
                             char                  **sources_out)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (sources_out != NULL)
    *sources_out = self->sources != NULL ? format_indexes (self->sources) : NULL;

  switch (self->targets)
    {
    case PA_FACE_TARGETS_ALL:
      return g_strdup ("all");
    case PA_FACE_TARGETS_LARGEST:
      return g_strdup ("largest");
    case PA_FACE_TARGETS_LIST:
      return format_indexes (self->target_list);
    default:
      g_return_val_if_reached (NULL);
    }
}

/* Resolving ------------------------------------------------------------- */

/* The good face with the largest eye distance, or -1. */
static int
largest_good (GPtrArray *faces)
{
  int best = -1;

  for (guint i = 0; i < faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (faces, i);

      if (face->quality == PA_FACE_QUALITY_GOOD
          && (best < 0 || face->eye_distance > ((PaFace *) g_ptr_array_index (faces, best))->eye_distance))
        best = (int) i;
    }
  return best;
}

/* A listed face that is not there. */
static void
set_no_such_face (GError  **error,
                  int       index,
                  guint     n_faces,
                  gboolean  in_source)
{
  if (n_faces == 0)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 in_source ? _("There is no source face %d: no face was found in the face picture")
                           : _("There is no face %d: no face was found in the picture"),
                 index);
  else if (n_faces == 1)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 in_source ? _("There is no source face %d: one face was found in the face picture, face 0")
                           : _("There is no face %d: one face was found in the picture, face 0"),
                 index);
  else
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 in_source ? _("There is no source face %d: %u faces were found in the face picture, "
                               "numbered 0 to %u from the left")
                           : _("There is no face %d: %u faces were found in the picture, "
                               "numbered 0 to %u from the left"),
                 index, n_faces, n_faces - 1);
}

/* "Face 1 is too small…; Face 2 is turned…" for the faces in @faces. */
static char *
describe_all (GPtrArray *faces)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < faces->len; i++)
    {
      g_autofree char *sentence = pa_face_describe_quality (g_ptr_array_index (faces, i));

      g_string_append_printf (text, "%s%s", i > 0 ? "; " : "", sentence);
    }
  return g_string_free (text, FALSE);
}

/* The target faces @self chooses, as indexes into @target_faces. */
static GArray *
choose_targets (const PaFaceSelection  *self,
                GPtrArray              *target_faces,
                GPtrArray              *skipped,
                GError                **error)
{
  g_autoptr(GArray) chosen = g_array_new (FALSE, FALSE, sizeof (int));

  if (self->targets == PA_FACE_TARGETS_LIST)
    {
      for (guint i = 0; i < self->target_list->len; i++)
        {
          int index = g_array_index (self->target_list, int, i);
          const PaFace *face;

          if ((guint) index >= target_faces->len)
            {
              set_no_such_face (error, index, target_faces->len, FALSE);
              return NULL;
            }
          face = g_ptr_array_index (target_faces, index);
          if (face->quality != PA_FACE_QUALITY_GOOD)
            {
              g_autofree char *why = pa_face_describe_quality (face);

              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("%s (%s): choose another face"),
                           why, pa_face_quality_to_string (face->quality));
              return NULL;
            }
          g_array_append_val (chosen, index);
        }
      return g_steal_pointer (&chosen);
    }

  for (guint i = 0; i < target_faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (target_faces, i);

      if (face->quality != PA_FACE_QUALITY_GOOD && skipped != NULL)
        g_ptr_array_add (skipped, pa_face_copy (face));
      else if (face->quality == PA_FACE_QUALITY_GOOD && self->targets == PA_FACE_TARGETS_ALL)
        g_array_append_val (chosen, i);
    }
  if (self->targets == PA_FACE_TARGETS_LARGEST)
    {
      int largest = largest_good (target_faces);

      if (largest >= 0)
        g_array_append_val (chosen, largest);
    }

  if (chosen->len == 0)
    {
      g_autofree char *why = NULL;

      if (target_faces->len == 0)
        {
          g_set_error_literal (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("No face was found in the picture"));
          return NULL;
        }
      why = describe_all (target_faces);
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No face in the picture can be swapped well: %s"), why);
      return NULL;
    }
  return g_steal_pointer (&chosen);
}

/* The source face for each chosen target. */
static gboolean
choose_sources (const PaFaceSelection  *self,
                GPtrArray              *source_faces,
                GArray                 *chosen,
                GArray                 *pairs,
                GError                **error)
{
  if (source_faces->len == 0)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                           _("No face was found in the face picture"));
      return FALSE;
    }

  if (self->sources == NULL)
    {
      int source = largest_good (source_faces);

      if (source < 0)
        {
          g_autofree char *why = describe_all (source_faces);

          g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                       _("No face in the face picture can be used well: %s"), why);
          return FALSE;
        }
      for (guint i = 0; i < chosen->len; i++)
        {
          PaFacePair pair = { source, g_array_index (chosen, int, i) };

          g_array_append_val (pairs, pair);
        }
      return TRUE;
    }

  if (self->sources->len > chosen->len)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   ngettext ("%u source faces were given for %u face to replace: give at most one for each",
                             "%u source faces were given for %u faces to replace: give at most one for each",
                             chosen->len),
                   self->sources->len, chosen->len);
      return FALSE;
    }

  for (guint i = 0; i < self->sources->len; i++)
    {
      int index = g_array_index (self->sources, int, i);
      const PaFace *face;

      if ((guint) index >= source_faces->len)
        {
          set_no_such_face (error, index, source_faces->len, TRUE);
          return FALSE;
        }
      face = g_ptr_array_index (source_faces, index);
      if (face->quality != PA_FACE_QUALITY_GOOD)
        {
          g_autofree char *why = pa_face_describe_quality (face);

          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("In the face picture: %s (%s): choose another source face"),
                       why, pa_face_quality_to_string (face->quality));
          return FALSE;
        }
    }

  /* Given to the targets in order, the last one again for the rest. */
  for (guint i = 0; i < chosen->len; i++)
    {
      PaFacePair pair = {
        g_array_index (self->sources, int, MIN (i, self->sources->len - 1)),
        g_array_index (chosen, int, i),
      };

      g_array_append_val (pairs, pair);
    }
  return TRUE;
}

GArray *
pa_face_selection_resolve (const PaFaceSelection  *self,
                           GPtrArray              *source_faces,
                           GPtrArray              *target_faces,
                           GPtrArray             **skipped_out,
                           GError                **error)
{
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GArray) chosen = NULL;
  g_autoptr(GArray) pairs = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (source_faces != NULL, NULL);
  g_return_val_if_fail (target_faces != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (skipped_out != NULL)
    *skipped_out = NULL;

  skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  chosen = choose_targets (self, target_faces, skipped, error);
  if (chosen == NULL)
    return NULL;

  pairs = g_array_new (FALSE, FALSE, sizeof (PaFacePair));
  if (!choose_sources (self, source_faces, chosen, pairs, error))
    return NULL;

  if (skipped_out != NULL)
    *skipped_out = g_steal_pointer (&skipped);
  return g_steal_pointer (&pairs);
}
