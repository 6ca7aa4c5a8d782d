/* pa-face-swap-job-find.c — what the inputs of a face swap are, and
 * the faces in them
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-face-swap-job.h"
#include "pa-image-file.h"
#include "pa-video-file.h"
#include "pa-face-swap-job-private.h"

JsonObject *
pa_face_to_json (const PaFace *face)
{
  JsonObject *object = json_object_new ();
  JsonObject *box = json_object_new ();

  g_return_val_if_fail (face != NULL, object);

  json_object_set_int_member (object, "index", face->index);
  json_object_set_int_member (box, "x", face->box.x);
  json_object_set_int_member (box, "y", face->box.y);
  json_object_set_int_member (box, "width", face->box.width);
  json_object_set_int_member (box, "height", face->box.height);
  json_object_set_object_member (object, "box", box);
  json_object_set_double_member (object, "score", face->score);
  json_object_set_double_member (object, "eye_distance", face->eye_distance);
  json_object_set_double_member (object, "yaw", face->yaw);
  json_object_set_double_member (object, "roll", face->roll);
  json_object_set_string_member (object, "quality", pa_face_quality_to_string (face->quality));
  return object;
}

JsonObject *
pa_face_swap_result_to_json (const PaFaceSwapResult *self)
{
  JsonObject *object = json_object_new ();
  JsonArray *pairs = json_array_new ();
  JsonArray *skipped = json_array_new ();
  g_autofree char *path = NULL;

  g_return_val_if_fail (self != NULL, object);

  path = self->output != NULL ? g_file_get_path (self->output) : NULL;
  json_object_set_string_member (object, "path", path);
  json_object_set_string_member (object, "kind", self->kind);
  json_object_set_int_member (object, "width", self->width);
  json_object_set_int_member (object, "height", self->height);
  json_object_set_int_member (object, "frames", (gint64) self->frames);
  for (guint i = 0; self->pairs != NULL && i < self->pairs->len; i++)
    {
      const PaFacePair *pair = &g_array_index (self->pairs, PaFacePair, i);
      JsonObject *item = json_object_new ();

      json_object_set_int_member (item, "source", pair->source);
      json_object_set_int_member (item, "target", pair->target);
      json_array_add_object_element (pairs, item);
    }
  json_object_set_int_member (object, "faces_swapped", json_array_get_length (pairs));
  json_object_set_array_member (object, "pairs", pairs);
  for (guint i = 0; self->skipped != NULL && i < self->skipped->len; i++)
    json_array_add_object_element (skipped, pa_face_to_json (g_ptr_array_index (self->skipped, i)));
  json_object_set_array_member (object, "skipped", skipped);
  if (self->asset_id != 0)
    json_object_set_int_member (object, "asset_id", self->asset_id);
  return object;
}

/* Enough of the start of a file to tell pictures and containers apart. */
#define SNIFF_BYTES 4096

const char *
pa_media_kind_to_string (PaMediaKind kind)
{
  return kind == PA_MEDIA_KIND_VIDEO ? "video" : "image";
}

char *
pa_media_describe_file (GFile *file)
{
  return g_file_get_parse_name (file);
}

/* The content type of @file from its first bytes only: an extension
 * says what a file should be, not what it is. NULL on a read error
 * (which the picture loader then reports better). */
static char *
sniff_content_type (GFile        *file,
                    GCancellable *cancellable)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, NULL);
  guint8 buffer[SNIFF_BYTES];
  gsize n = 0;

  if (in == NULL
      || !g_input_stream_read_all (G_INPUT_STREAM (in), buffer, sizeof buffer, &n,
                                   cancellable, NULL)
      || n == 0)
    return NULL;
  return g_content_type_guess (NULL, buffer, n, NULL);
}

static gboolean
is_video_type (const char *content_type)
{
  return content_type != NULL
         && (g_str_has_prefix (content_type, "video/")
             || g_str_equal (content_type, "application/x-matroska"));
}

gboolean
pa_media_classify_file (GFile         *file,
                        gboolean       video_allowed,
                        PaMediaKind   *kind_out,
                        int           *width,
                        int           *height,
                        char         **format_out,
                        GCancellable  *cancellable,
                        GError       **error)
{
  g_autofree char *content_type = sniff_content_type (file, cancellable);

  if (is_video_type (content_type))
    {
      if (!video_allowed)
        {
          g_autofree char *name = pa_media_describe_file (file);

          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s is a video: the face must come from a picture (PNG or JPEG)."),
                       name);
          return FALSE;
        }
      *kind_out = PA_MEDIA_KIND_VIDEO;
      return TRUE;
    }

  *kind_out = PA_MEDIA_KIND_IMAGE;
  return pa_image_file_probe (file, width, height, format_out, error);
}

PaPixels
pa_media_pixels_of (GdkPixbuf *pixbuf)
{
  PaPixels pixels;

  /* Swapped in place: get_pixels makes them the pixbuf's own. */
  pixels.data = gdk_pixbuf_get_pixels (pixbuf);
  pixels.width = gdk_pixbuf_get_width (pixbuf);
  pixels.height = gdk_pixbuf_get_height (pixbuf);
  pixels.stride = gdk_pixbuf_get_rowstride (pixbuf);
  pixels.channels = gdk_pixbuf_get_n_channels (pixbuf);
  return pixels;
}

/* ---- finding faces ------------------------------------------------------ */

typedef struct {
  GFile     *file;
  GPtrArray *faces;
  int        width;
  int        height;
} FindData;

static void
find_data_free (FindData *data)
{
  g_object_unref (data->file);
  g_clear_pointer (&data->faces, g_ptr_array_unref);
  g_free (data);
}

/* The first of these moments (seconds from the start) that shows a
 * face: people walk in, titles fade out. Each grab decodes from the
 * nearest key frame, so a handful is affordable. */
static const double video_probe_seconds[] = { 0, 0.5, 1, 2, 3, 5 };

static void
find_in_video (GTask        *task,
               FindData     *data,
               GCancellable *cancellable)
{
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GError) error = NULL;

  info = pa_video_file_probe (data->file, cancellable, &error);
  if (info != NULL)
    model = pa_face_model_get_default (&error);
  if (model == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->width = info->width;
  data->height = info->height;

  for (guint i = 0; i < G_N_ELEMENTS (video_probe_seconds); i++)
    {
      GstClockTime at = (GstClockTime) (video_probe_seconds[i] * GST_SECOND);
      g_autoptr(GdkPixbuf) frame = NULL;
      PaPixels pixels;

      if (i > 0 && GST_CLOCK_TIME_IS_VALID (info->duration) && at >= info->duration)
        break;
      frame = pa_video_file_grab_frame (data->file, at, cancellable, &error);
      if (frame != NULL)
        {
          pixels = pa_media_pixels_of (frame);
          g_clear_pointer (&data->faces, g_ptr_array_unref);
          data->faces = pa_face_model_detect (model, &pixels, cancellable, &error);
        }
      if (data->faces == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (data->faces->len > 0)
        break;
    }
  g_task_return_boolean (task, TRUE);
}

static void
find_faces_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  FindData *data = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GError) error = NULL;
  PaMediaKind kind;
  PaPixels pixels;

  if (!pa_media_classify_file (data->file, TRUE, &kind, &data->width, &data->height, NULL,
                               cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (kind == PA_MEDIA_KIND_VIDEO)
    {
      find_in_video (task, data, cancellable);
      return;
    }

  pixbuf = pa_image_file_load (data->file, cancellable, &error);
  if (pixbuf != NULL)
    model = pa_face_model_get_default (&error);
  if (model == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  pixels = pa_media_pixels_of (pixbuf);
  data->width = pixels.width;
  data->height = pixels.height;
  data->faces = pa_face_model_detect (model, &pixels, cancellable, &error);
  if (data->faces == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

void
pa_media_find_faces_async (GFile               *file,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  FindData *data;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_media_find_faces_async);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (FindData, 1);
  data->file = g_object_ref (file);
  g_task_set_task_data (task, data, (GDestroyNotify) find_data_free);
  g_task_run_in_thread (task, find_faces_thread);
}

GPtrArray *
pa_media_find_faces_finish (GAsyncResult  *result,
                            int           *width_out,
                            int           *height_out,
                            GError       **error)
{
  FindData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_media_find_faces_async,
                        NULL);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return NULL;
  data = g_task_get_task_data (G_TASK (result));
  if (width_out != NULL)
    *width_out = data->width;
  if (height_out != NULL)
    *height_out = data->height;
  return g_steal_pointer (&data->faces);
}
