/* pa-stream-scene-variant.c — the saved form of a stream's scene: a
 * GVariant dictionary (a{sv}) written by pa_stream_scene_serialize() and
 * read back, each key checked, by pa_stream_scene_new_from_variant()
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-stream-scene.h"
#include "pa-stream-private.h"
#include "pa-stream-scene-private.h"

/* The serialized form's version: a scene written by a newer PlayAlter
 * with keys this one does not know is refused rather than half read. */
#define SCENE_VERSION 1

/* The longest device name read back, in characters. */
#define DEVICE_MAX_CHARS 1024

/* The source kinds a scene is saved and read back with: a new kind is
 * one line here (a constructor, and the getter of its device if it has
 * one). A kind missing here is saved as "test-pattern". */
typedef struct {
  const char        *name;
  PaStreamVideoKind  kind;
  PaStreamSource   *(*new_plain)  (PaStreamAudioKind audio);
  PaStreamSource   *(*new_file)   (GFile *file, PaStreamAudioKind audio);
  PaStreamSource   *(*new_device) (const char *device, PaStreamAudioKind audio);
  const char       *(*get_device) (PaStreamSource *source);
} SourceKind;

/* The screen cannot be made again without asking: on Wayland the
 * desktop asks the user which screen or window to share. A saved screen
 * comes back as the test pattern, with its sound; the studio asks for
 * the screen when the user chooses it again. */
static PaStreamSource *
screen_read_back (PaStreamAudioKind audio)
{
  return pa_stream_source_new_test_pattern (audio);
}

static const SourceKind source_kinds[] = {
  { "test-pattern", PA_STREAM_VIDEO_TEST_PATTERN, .new_plain = pa_stream_source_new_test_pattern },
  { "file", PA_STREAM_VIDEO_FILE, .new_file = pa_stream_source_new_file },
  { "image", PA_STREAM_VIDEO_IMAGE, .new_file = pa_stream_source_new_image },
  { "camera", PA_STREAM_VIDEO_CAMERA, .new_device = pa_stream_source_new_camera,
    .get_device = pa_stream_source_get_device },
  { "screen", PA_STREAM_VIDEO_SCREEN, .new_plain = screen_read_back },
};

/* The same for the sound of the main source. */
static const struct {
  const char        *name;
  PaStreamAudioKind  kind;
} audio_kinds[] = {
  { "none", PA_STREAM_AUDIO_NONE },
  { "test-tone", PA_STREAM_AUDIO_TEST_TONE },
  /* Its device is "main-microphone" (none: the default input). */
  { "microphone", PA_STREAM_AUDIO_MICROPHONE },
};

static const SourceKind *
source_kind_for (PaStreamVideoKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (source_kinds); i++)
    if (source_kinds[i].kind == kind)
      return &source_kinds[i];
  return NULL;
}

static void
serialize_source (GVariantDict   *dict,
                  const char     *prefix,
                  PaStreamSource *source)
{
  const SourceKind *kind = source_kind_for (pa_stream_source_get_video_kind (source));
  g_autofree char *kind_key = g_strconcat (prefix, "-kind", NULL);

  if (kind == NULL)
    {
      /* A kind this file does not list yet: a test pattern in its
       * place beats a scene that cannot be read back. */
      kind = &source_kinds[0];
      g_warning ("A stream source of kind %d cannot be saved yet: saved as a test pattern.",
                 (int) pa_stream_source_get_video_kind (source));
    }
  g_variant_dict_insert (dict, kind_key, "s", kind->name);
  if (kind->new_file != NULL && pa_stream_source_get_file (source) != NULL)
    {
      g_autofree char *key = g_strconcat (prefix, "-file", NULL);
      g_autofree char *uri = g_file_get_uri (pa_stream_source_get_file (source));

      g_variant_dict_insert (dict, key, "s", uri);
    }
  if (kind->get_device != NULL && kind->get_device (source) != NULL)
    {
      g_autofree char *key = g_strconcat (prefix, "-device", NULL);

      g_variant_dict_insert (dict, key, "s", kind->get_device (source));
    }
}

static void
serialize_placement (GVariantDict            *dict,
                     const char              *prefix,
                     const PaStreamPlacement *placement)
{
  g_autofree char *x = g_strconcat (prefix, "-x", NULL);
  g_autofree char *y = g_strconcat (prefix, "-y", NULL);
  g_autofree char *width = g_strconcat (prefix, "-width", NULL);

  g_variant_dict_insert (dict, x, "d", placement->x);
  g_variant_dict_insert (dict, y, "d", placement->y);
  g_variant_dict_insert (dict, width, "d", placement->width);
}

GVariant *
pa_stream_scene_serialize (PaStreamScene *self)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);
  PaStreamAudioKind audio;

  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);

  g_variant_dict_insert (dict, "version", "u", (guint32) SCENE_VERSION);
  serialize_source (dict, "main", self->main);
  audio = pa_stream_source_get_audio_kind (self->main);
  for (guint i = 0; i < G_N_ELEMENTS (audio_kinds); i++)
    if (audio_kinds[i].kind == audio)
      g_variant_dict_insert (dict, "main-audio", "s", audio_kinds[i].name);
  if (audio == PA_STREAM_AUDIO_MICROPHONE && pa_stream_source_get_microphone (self->main) != NULL)
    g_variant_dict_insert (dict, "main-microphone", "s", pa_stream_source_get_microphone (self->main));
  if (self->pip != NULL)
    serialize_source (dict, "pip", self->pip);
  serialize_placement (dict, "pip", &self->pip_placement);
  if (self->overlay_text != NULL)
    g_variant_dict_insert (dict, "overlay-text", "s", self->overlay_text);
  if (self->overlay_image != NULL)
    {
      g_autofree char *uri = g_file_get_uri (self->overlay_image);

      g_variant_dict_insert (dict, "overlay-image", "s", uri);
    }
  serialize_placement (dict, "overlay", &self->overlay_placement);
  return g_variant_dict_end (dict);
}

static gboolean
bad_key (GError    **error,
         const char *key,
         const char *why)
{
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               /* Translators: %s is a settings key, then the reason. */
               _("The saved scene cannot be used: “%s” %s."), key, why);
  return FALSE;
}

/* @key's value as @type, or FALSE with an error when it is there with
 * another type; *@value is NULL when the key is absent. */
static gboolean
lookup_typed (GVariantDict        *dict,
              const char          *key,
              const GVariantType  *type,
              GVariant           **value,
              GError             **error)
{
  *value = g_variant_dict_lookup_value (dict, key, NULL);
  if (*value != NULL && !g_variant_is_of_type (*value, type))
    {
      g_autofree char *why = g_strdup_printf (_("has the wrong type (%s, not %s)"),
                                              g_variant_get_type_string (*value),
                                              (const char *) type);

      g_clear_pointer (value, g_variant_unref);
      return bad_key (error, key, why);
    }
  return TRUE;
}

static gboolean
lookup_string (GVariantDict  *dict,
               const char    *key,
               gboolean       required,
               const char   **out,
               GError       **error)
{
  g_autoptr(GVariant) value = NULL;

  *out = NULL;
  if (!lookup_typed (dict, key, G_VARIANT_TYPE_STRING, &value, error))
    return FALSE;
  if (value == NULL)
    return !required || bad_key (error, key, _("is missing"));
  /* The dict holds the value: the string lives as long as it. */
  *out = g_variant_get_string (value, NULL);
  if (!g_utf8_validate (*out, -1, NULL))
    return bad_key (error, key, _("is not valid text"));
  return TRUE;
}

/* A file kept as a local file:// URI. */
static gboolean
lookup_file (GVariantDict  *dict,
             const char    *key,
             gboolean       required,
             GFile        **out,
             GError       **error)
{
  const char *uri;
  g_autofree char *scheme = NULL;
  g_autofree char *path = NULL;

  *out = NULL;
  if (!lookup_string (dict, key, required, &uri, error))
    return FALSE;
  if (uri == NULL)
    return TRUE;
  scheme = g_uri_parse_scheme (uri);
  if (scheme == NULL || g_ascii_strcasecmp (scheme, "file") != 0)
    return bad_key (error, key, _("is not the address of a file on this computer"));
  path = g_filename_from_uri (uri, NULL, NULL);
  if (path == NULL || !g_path_is_absolute (path))
    return bad_key (error, key, _("is not the address of a file on this computer"));
  *out = g_file_new_for_path (path);
  return TRUE;
}

static gboolean
lookup_placement (GVariantDict            *dict,
                  const char              *prefix,
                  const PaStreamPlacement *fallback,
                  PaStreamPlacement       *out,
                  GError                 **error)
{
  const char *names[] = { "x", "y", "width" };
  double *fields[] = { &out->x, &out->y, &out->width };
  g_autofree char *x_key = g_strconcat (prefix, "-x", NULL);

  *out = *fallback;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *key = g_strconcat (prefix, "-", names[i], NULL);
      g_autoptr(GVariant) value = NULL;
      double v;

      if (!lookup_typed (dict, key, G_VARIANT_TYPE_DOUBLE, &value, error))
        return FALSE;
      if (value == NULL)
        continue;
      v = g_variant_get_double (value);
      if (!isfinite (v))
        return bad_key (error, key, _("is not a number"));
      if (i == 2 && (v < PA_STREAM_SCENE_MIN_WIDTH || v > 1.0))
        return bad_key (error, key, _("is not between 0.05 and 1"));
      if (i < 2 && (v < 0.0 || v > 1.0))
        return bad_key (error, key, _("is not between 0 and 1"));
      *fields[i] = v;
    }
  /* A little slack for the rounding of a placement saved at the edge. */
  if (out->x + out->width > 1.0 + 1e-6)
    return bad_key (error, x_key, _("puts the picture partly off the frame"));
  return TRUE;
}

/* A device's id: NULL when absent or empty (the first one, or the
 * default), and bounded. */
static gboolean
lookup_device (GVariantDict  *dict,
               const char    *key,
               const char   **out,
               GError       **error)
{
  if (!lookup_string (dict, key, FALSE, out, error))
    return FALSE;
  if (*out != NULL && **out == '\0')
    *out = NULL;
  if (*out != NULL && g_utf8_strlen (*out, -1) > DEVICE_MAX_CHARS)
    {
      g_autofree char *why = g_strdup_printf (_("is longer than %d characters"), DEVICE_MAX_CHARS);

      *out = NULL;
      return bad_key (error, key, why);
    }
  return TRUE;
}

static gboolean
lookup_source (GVariantDict       *dict,
               const char         *prefix,
               PaStreamAudioKind   audio,
               PaStreamSource    **out,
               GError            **error)
{
  g_autofree char *kind_key = g_strconcat (prefix, "-kind", NULL);
  g_autofree char *file_key = g_strconcat (prefix, "-file", NULL);
  g_autofree char *device_key = g_strconcat (prefix, "-device", NULL);
  const SourceKind *kind = NULL;
  const char *name;

  *out = NULL;
  if (!lookup_string (dict, kind_key, FALSE, &name, error))
    return FALSE;
  if (name == NULL)
    return TRUE;
  for (guint i = 0; i < G_N_ELEMENTS (source_kinds); i++)
    if (g_str_equal (source_kinds[i].name, name))
      kind = &source_kinds[i];
  if (kind == NULL)
    return bad_key (error, kind_key, _("names a kind of source this version does not know"));

  if (kind->new_file != NULL)
    {
      g_autoptr(GFile) file = NULL;

      if (!lookup_file (dict, file_key, TRUE, &file, error))
        return FALSE;
      *out = kind->new_file (file, audio);
    }
  else if (kind->new_device != NULL)
    {
      const char *device;

      if (!lookup_device (dict, device_key, &device, error))
        return FALSE;
      *out = kind->new_device (device, audio);
    }
  else
    *out = kind->new_plain (audio);
  return TRUE;
}

PaStreamScene *
pa_stream_scene_new_from_variant (GVariant  *variant,
                                  GError   **error)
{
  g_autoptr(GVariantDict) dict = NULL;
  g_autoptr(GVariant) version = NULL;
  g_autoptr(PaStreamSource) main = NULL;
  g_autoptr(PaStreamSource) pip = NULL;
  g_autoptr(PaStreamScene) self = NULL;
  g_autoptr(GFile) image = NULL;
  PaStreamAudioKind audio = PA_STREAM_AUDIO_NONE;
  PaStreamPlacement pip_placement, overlay_placement;
  const char *audio_name, *text;

  g_return_val_if_fail (variant != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!g_variant_is_of_type (variant, G_VARIANT_TYPE_VARDICT))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The saved scene cannot be used: it is of type %s, not a{sv}."),
                   g_variant_get_type_string (variant));
      return NULL;
    }
  dict = g_variant_dict_new (variant);

  if (!lookup_typed (dict, "version", G_VARIANT_TYPE_UINT32, &version, error))
    return NULL;
  if (version == NULL)
    return bad_key (error, "version", _("is missing")), NULL;
  if (g_variant_get_uint32 (version) != SCENE_VERSION)
    return bad_key (error, "version", _("is not 1: the scene was saved by another version of PlayAlter")), NULL;

  if (!lookup_string (dict, "main-audio", FALSE, &audio_name, error))
    return NULL;
  if (audio_name != NULL)
    {
      gboolean known = FALSE;

      for (guint i = 0; i < G_N_ELEMENTS (audio_kinds); i++)
        if (g_str_equal (audio_kinds[i].name, audio_name))
          {
            audio = audio_kinds[i].kind;
            known = TRUE;
          }
      if (!known)
        return bad_key (error, "main-audio", _("names a kind of sound this version does not know")), NULL;
    }
  if (!lookup_source (dict, "main", audio, &main, error))
    return NULL;
  if (main == NULL)
    return bad_key (error, "main-kind", _("is missing")), NULL;
  if (audio == PA_STREAM_AUDIO_MICROPHONE)
    {
      const char *microphone;

      if (!lookup_device (dict, "main-microphone", &microphone, error))
        return NULL;
      if (microphone != NULL)
        {
          PaStreamSource *with = pa_stream_source_with_microphone (main, microphone);

          pa_stream_source_unref (main);
          main = with;
        }
    }
  /* The picture-in-picture's sound is never used. */
  if (!lookup_source (dict, "pip", PA_STREAM_AUDIO_NONE, &pip, error)
      || !lookup_placement (dict, "pip", &pa_stream_scene_default_pip, &pip_placement, error)
      || !lookup_placement (dict, "overlay", &pa_stream_scene_default_overlay, &overlay_placement, error)
      || !lookup_string (dict, "overlay-text", FALSE, &text, error)
      || !lookup_file (dict, "overlay-image", FALSE, &image, error))
    return NULL;
  if (text != NULL && g_utf8_strlen (text, -1) > PA_STREAM_SCENE_TEXT_MAX_CHARS)
    {
      g_autofree char *why = g_strdup_printf (_("is longer than %d characters"),
                                              PA_STREAM_SCENE_TEXT_MAX_CHARS);

      return bad_key (error, "overlay-text", why), NULL;
    }
  if (text != NULL && image != NULL)
    return bad_key (error, "overlay-image", _("is there with a text overlay: a scene has one or the other")), NULL;

  self = pa_stream_scene_new (main);
  self->pip = g_steal_pointer (&pip);
  self->pip_placement = pip_placement;
  self->overlay_placement = overlay_placement;
  self->overlay_text = pa_stream_scene_clean_text (text);
  self->overlay_image = g_steal_pointer (&image);
  return g_steal_pointer (&self);
}
