/* pa-stream-scene.c — the scene of a stream: the main source (through
 * the live face swap) under an optional picture-in-picture, with a text
 * or logo overlay on top; its setters, and the logo they read. The bin
 * it makes is pa-stream-scene-bin.c's, its saved form
 * pa-stream-scene-variant.c's.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-image-file.h"
#include "pa-stream-scene.h"
#include "pa-stream-private.h"
#include "pa-stream-scene-private.h"

/* A logo file larger than this is not read (a logo of the largest size
 * is a few megabytes as PNG). */
#define LOGO_MAX_BYTES (64 * 1024 * 1024)

enum {
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

const PaStreamPlacement pa_stream_scene_default_pip = { 0.72, 0.70, 0.25 };
const PaStreamPlacement pa_stream_scene_default_overlay = { 0.03, 0.03, 0.30 };

G_DEFINE_FINAL_TYPE (PaStreamScene, pa_stream_scene, G_TYPE_OBJECT)

static void
pa_stream_scene_finalize (GObject *object)
{
  PaStreamScene *self = PA_STREAM_SCENE (object);

  g_clear_pointer (&self->main, pa_stream_source_unref);
  g_clear_pointer (&self->pip, pa_stream_source_unref);
  g_clear_pointer (&self->overlay_text, g_free);
  g_clear_object (&self->overlay_image);
  g_clear_object (&self->logo);
  g_clear_object (&self->face_swap);
  g_clear_pointer (&self->bins, g_ptr_array_unref);
  G_OBJECT_CLASS (pa_stream_scene_parent_class)->finalize (object);
}

static void
pa_stream_scene_class_init (PaStreamSceneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_scene_finalize;

  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pa_stream_scene_init (PaStreamScene *self)
{
  self->pip_placement = pa_stream_scene_default_pip;
  self->overlay_placement = pa_stream_scene_default_overlay;
  self->bins = g_ptr_array_new_with_free_func (pa_stream_scene_bin_free);
}

PaStreamScene *
pa_stream_scene_new (PaStreamSource *main)
{
  PaStreamScene *self;

  g_return_val_if_fail (main != NULL, NULL);

  self = g_object_new (PA_TYPE_STREAM_SCENE, NULL);
  self->main = pa_stream_source_ref (main);
  return self;
}

/* ---- geometry ------------------------------------------------------------ */

static double
clamp_fraction (double value,
                double fallback,
                double low,
                double high)
{
  if (!isfinite (value))
    value = fallback;
  return CLAMP (value, low, high);
}

/* What the setters do with a placement from the caller: every value a
 * number, the width sensible, the left edge so the picture stays in. */
static PaStreamPlacement
sanitize_placement (const PaStreamPlacement *in,
                    const PaStreamPlacement *fallback)
{
  PaStreamPlacement out;

  out.width = clamp_fraction (in->width, fallback->width, PA_STREAM_SCENE_MIN_WIDTH, 1.0);
  out.x = clamp_fraction (in->x, fallback->x, 0.0, 1.0 - out.width);
  out.y = clamp_fraction (in->y, fallback->y, 0.0, 1.0);
  return out;
}

/* ---- the logo ------------------------------------------------------------ */

typedef struct {
  gboolean too_large;
} LogoCheck;

static void
on_logo_size_prepared (GdkPixbufLoader *loader,
                       int              width,
                       int              height,
                       gpointer         user_data)
{
  LogoCheck *check = user_data;

  /* The header is checked before reading, but the file may have been
   * replaced since: a size of 0×0 stops the decoder before it
   * allocates anything. */
  if (width <= 0 || height <= 0
      || width > PA_STREAM_SCENE_LOGO_MAX_SIDE || height > PA_STREAM_SCENE_LOGO_MAX_SIDE)
    {
      check->too_large = TRUE;
      gdk_pixbuf_loader_set_size (loader, 0, 0);
    }
}

static gboolean
check_logo (GFile   *image,
            char   **format_out,
            GError **error)
{
  g_autofree char *format = NULL;
  int width = 0, height = 0;

  /* pa_image_file_probe() reads the header only and refuses what is not
   * a PNG or JPEG, a folder, an empty file, and pictures beyond what
   * the face swap reads; a logo has a lower limit of its own. */
  if (!pa_image_file_probe (image, &width, &height, &format, error))
    {
      g_prefix_error (error, _("The logo cannot be used: "));
      return FALSE;
    }
  if (width > PA_STREAM_SCENE_LOGO_MAX_SIDE || height > PA_STREAM_SCENE_LOGO_MAX_SIDE)
    {
      g_autofree char *name = g_file_get_parse_name (image);

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The logo “%s” is too large: %d × %d pixels. A logo may have up to %d pixels a side."),
                   name, width, height, PA_STREAM_SCENE_LOGO_MAX_SIDE);
      return FALSE;
    }
  if (format_out != NULL)
    *format_out = g_steal_pointer (&format);
  return TRUE;
}

gboolean
pa_stream_scene_check_overlay_image (GFile   *image,
                                     GError **error)
{
  g_return_val_if_fail (G_IS_FILE (image), FALSE);
  return check_logo (image, NULL, error);
}

GdkPixbuf *
pa_stream_scene_load_logo (GFile   *image,
                           GError **error)
{
  g_autofree char *format = NULL;
  g_autofree char *name = g_file_get_parse_name (image);
  g_autofree char *contents = NULL;
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  LogoCheck check = { FALSE };
  GdkPixbuf *pixbuf;
  gsize length = 0;

  if (!check_logo (image, &format, error))
    return NULL;
  info = g_file_query_info (image, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE,
                            NULL, &local_error);
  if (info != NULL && g_file_info_get_size (info) > LOGO_MAX_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The logo “%s” is too large a file: a logo may have up to %d MB."),
                   name, LOGO_MAX_BYTES / (1024 * 1024));
      return NULL;
    }
  if (info == NULL || !g_file_load_contents (image, NULL, &contents, &length, NULL, &local_error))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The logo “%s” cannot be read: %s"), name, local_error->message);
      return NULL;
    }
  loader = gdk_pixbuf_loader_new_with_type (format, &local_error);
  if (loader == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The logo “%s” cannot be read: %s"), name, local_error->message);
      return NULL;
    }
  g_signal_connect (loader, "size-prepared", G_CALLBACK (on_logo_size_prepared), &check);
  if (!gdk_pixbuf_loader_write (loader, (const guchar *) contents, length, &local_error)
      || !gdk_pixbuf_loader_close (loader, &local_error)
      || check.too_large)
    {
      if (check.too_large)
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("The logo “%s” is too large: a logo may have up to %d pixels a side."),
                     name, PA_STREAM_SCENE_LOGO_MAX_SIDE);
      else if (local_error != NULL)
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("The logo “%s” is damaged and cannot be read: %s"), name,
                     local_error->message);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("The logo “%s” is damaged and cannot be read."), name);
      /* An unfinished loader reports an error on close; it is not ours. */
      gdk_pixbuf_loader_close (loader, NULL);
      return NULL;
    }
  pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
  if (pixbuf == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The logo “%s” is damaged and cannot be read."), name);
      return NULL;
    }
  return gdk_pixbuf_apply_embedded_orientation (pixbuf);
}

/* ---- the scene's parts --------------------------------------------------- */

PaStreamSource *
pa_stream_scene_get_main (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->main;
}

void
pa_stream_scene_set_pip (PaStreamScene  *self,
                         PaStreamSource *pip)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));

  if (pip == self->pip)
    return;
  if (pip != NULL)
    pa_stream_source_ref (pip);
  g_clear_pointer (&self->pip, pa_stream_source_unref);
  self->pip = pip;
  /* Running bins keep the source they were made with. */
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

PaStreamSource *
pa_stream_scene_get_pip (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->pip;
}

void
pa_stream_scene_set_pip_placement (PaStreamScene           *self,
                                   const PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);

  self->pip_placement = sanitize_placement (placement, &pa_stream_scene_default_pip);
  pa_stream_scene_apply_to_bins (self, PA_STREAM_SCENE_APPLY_PIP);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
pa_stream_scene_get_pip_placement (PaStreamScene     *self,
                                   PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);
  *placement = self->pip_placement;
}

char *
pa_stream_scene_clean_text (const char *text)
{
  g_autofree char *valid = NULL;
  GString *out;
  const char *p;
  guint n = 0;

  if (text == NULL || *text == '\0')
    return NULL;
  valid = g_utf8_make_valid (text, -1);
  out = g_string_new (NULL);
  for (p = valid; *p != '\0' && n < PA_STREAM_SCENE_TEXT_MAX_CHARS; p = g_utf8_next_char (p), n++)
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_iscntrl (c))
        c = ' ';
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

void
pa_stream_scene_set_overlay_text (PaStreamScene *self,
                                  const char    *text)
{
  g_autofree char *clean = pa_stream_scene_clean_text (text);

  g_return_if_fail (PA_IS_STREAM_SCENE (self));

  g_free (self->overlay_text);
  self->overlay_text = g_steal_pointer (&clean);
  if (self->overlay_text != NULL)
    {
      g_clear_object (&self->overlay_image);
      g_clear_object (&self->logo);
    }
  pa_stream_scene_apply_to_bins (self, PA_STREAM_SCENE_APPLY_OVERLAY);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

const char *
pa_stream_scene_get_overlay_text (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->overlay_text;
}

void
pa_stream_scene_set_overlay_image (PaStreamScene *self,
                                   GFile         *image)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (image == NULL || G_IS_FILE (image));

  g_set_object (&self->overlay_image, image);
  g_clear_object (&self->logo);
  if (image != NULL)
    g_clear_pointer (&self->overlay_text, g_free);
  /* Read now only when bins run that show it; a picture that cannot be
   * used shows nothing there (the next bin made says why). */
  if (image != NULL && pa_stream_scene_has_running_bins (self))
    {
      g_autoptr(GError) error = NULL;

      self->logo = pa_stream_scene_load_logo (image, &error);
      if (self->logo == NULL)
        g_message ("%s", error->message);
    }
  pa_stream_scene_apply_to_bins (self, PA_STREAM_SCENE_APPLY_OVERLAY | PA_STREAM_SCENE_APPLY_LOGO);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

GFile *
pa_stream_scene_get_overlay_image (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->overlay_image;
}

void
pa_stream_scene_set_overlay_placement (PaStreamScene           *self,
                                       const PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);

  self->overlay_placement = sanitize_placement (placement, &pa_stream_scene_default_overlay);
  pa_stream_scene_apply_to_bins (self, PA_STREAM_SCENE_APPLY_OVERLAY);
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

void
pa_stream_scene_get_overlay_placement (PaStreamScene     *self,
                                       PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);
  *placement = self->overlay_placement;
}

void
pa_stream_scene_set_face_swap (PaStreamScene  *self,
                               PaLiveFaceSwap *face_swap)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (face_swap == NULL || PA_IS_LIVE_FACE_SWAP (face_swap));

  if (g_set_object (&self->face_swap, face_swap))
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
}

PaLiveFaceSwap *
pa_stream_scene_get_face_swap (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->face_swap;
}
