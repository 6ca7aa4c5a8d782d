/* pa-media-preview.c — a picture of a picture or a video, made off the
 * main thread
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "playalter.h"

#include "pa-media-preview.h"

/* How long a video may take to show its first frames before the preview
 * gives up: a file that cannot preroll in this time is not worth a
 * thumbnail, and a worker must not hang on it. */
#define PREROLL_TIMEOUT (10 * GST_SECOND)

typedef struct
{
  GFile    *file;
  int       max_size;
  gboolean  is_video;
} LoadData;

static void
load_data_free (LoadData *data)
{
  g_clear_object (&data->file);
  g_free (data);
}

gboolean
pa_media_preview_is_video (GFile        *file,
                           GCancellable *cancellable)
{
  g_autoptr(GFileInfo) info = NULL;
  const char *type;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, NULL);
  if (info == NULL)
    return FALSE;

  type = g_file_info_get_content_type (info);
  return type != NULL && g_content_type_is_mime_type (type, "video/*");
}

static gboolean
bus_error (GstElement  *pipeline,
           GFile       *file,
           GError     **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (message == NULL)
    return FALSE;

  gst_message_parse_error (message, &gst_error, NULL);
  /* Translators: %1$s is a file, %2$s what GStreamer said. */
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("Could not read a frame of “%1$s”: %2$s"), name, gst_error->message);
  return TRUE;
}

static gboolean
wait_for_preroll (GstElement  *pipeline,
                  GFile       *file,
                  GError     **error)
{
  g_autofree char *name = NULL;

  if (gst_element_get_state (pipeline, NULL, NULL, PREROLL_TIMEOUT) == GST_STATE_CHANGE_SUCCESS)
    return TRUE;
  if (bus_error (pipeline, file, error))
    return FALSE;

  name = g_file_get_parse_name (file);
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("“%s” shows no video frame: it is not a video, or its format cannot be read"),
               name);
  return FALSE;
}

static GdkPixbuf *
load_video_frame (GFile         *file,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) source = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  GstVideoInfo info;
  GstMapInfo map;
  GstBuffer *buffer;
  GdkPixbuf *pixbuf;

  if (!gst_init_check (NULL, NULL, error))
    return NULL;

  pipeline = gst_parse_launch ("uridecodebin name=source caps=video/x-raw "
                               "! videoconvert ! videoscale "
                               "! video/x-raw,format=RGB,pixel-aspect-ratio=1/1 "
                               "! appsink name=sink sync=false max-buffers=1",
                               error);
  if (pipeline == NULL)
    return NULL;
  gst_object_ref_sink (pipeline);

  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_object_set (source, "uri", uri, NULL);

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  if (!wait_for_preroll (pipeline, file, error))
    goto fail;

  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    goto fail;

  sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), PREROLL_TIMEOUT);
  if (sample == NULL ||
      !gst_video_info_from_caps (&info, gst_sample_get_caps (sample)) ||
      (buffer = gst_sample_get_buffer (sample)) == NULL ||
      !gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      g_autofree char *name = g_file_get_parse_name (file);

      if (!bus_error (pipeline, file, error))
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("“%s” shows no video frame: it is not a video, or its format cannot be read"),
                     name);
      goto fail;
    }

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                           GST_VIDEO_INFO_WIDTH (&info), GST_VIDEO_INFO_HEIGHT (&info));
  if (pixbuf != NULL)
    {
      int in_stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
      int out_stride = gdk_pixbuf_get_rowstride (pixbuf);
      guint8 *out = gdk_pixbuf_get_pixels (pixbuf);
      gsize row = (gsize) GST_VIDEO_INFO_WIDTH (&info) * 3;

      for (int y = 0; y < GST_VIDEO_INFO_HEIGHT (&info); y++)
        memcpy (out + (gsize) y * out_stride, map.data + (gsize) y * in_stride, row);
    }
  gst_buffer_unmap (buffer, &map);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  if (pixbuf == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, _("Not enough memory for a video frame"));
  return pixbuf;

fail:
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return NULL;
}

static void
load_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  LoadData *data = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  GError *error = NULL;
  int width;
  int height;

  data->is_video = pa_media_preview_is_video (data->file, cancellable);
  if (data->is_video)
    pixbuf = load_video_frame (data->file, cancellable, &error);
  else
    pixbuf = pa_image_file_load (data->file, cancellable, &error);

  if (pixbuf == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  if (data->max_size > 0 && MAX (width, height) > data->max_size)
    {
      double scale = (double) data->max_size / MAX (width, height);
      GdkPixbuf *scaled;

      scaled = gdk_pixbuf_scale_simple (pixbuf,
                                        MAX (1, (int) (width * scale + 0.5)),
                                        MAX (1, (int) (height * scale + 0.5)),
                                        GDK_INTERP_BILINEAR);
      /* Out of memory for the smaller copy: the full size still shows. */
      if (scaled != NULL)
        {
          g_object_unref (pixbuf);
          pixbuf = scaled;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&pixbuf), g_object_unref);
}

void
pa_media_preview_load_async (GFile               *file,
                             int                  max_size,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  LoadData *data;

  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_media_preview_load_async);
  data = g_new0 (LoadData, 1);
  data->file = g_object_ref (file);
  data->max_size = max_size;
  g_task_set_task_data (task, data, (GDestroyNotify) load_data_free);
  g_task_run_in_thread (task, load_thread);
}

GdkTexture *
pa_media_preview_load_finish (GAsyncResult  *result,
                              gboolean      *is_video_out,
                              GError       **error)
{
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  LoadData *data;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  data = g_task_get_task_data (G_TASK (result));
  if (is_video_out != NULL)
    *is_video_out = data->is_video;

  pixbuf = g_task_propagate_pointer (G_TASK (result), error);
  if (pixbuf == NULL)
    return NULL;

  /* The texture is made here, on the main thread, where GDK lives. */
  return gdk_texture_new_for_pixbuf (pixbuf);
}
