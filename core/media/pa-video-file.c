/* pa-video-file.c — what a video file holds, and one of its frames
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

#include "pa-error.h"
#include "pa-video-file.h"

/* Long enough for a large file on a slow disk; a file the discoverer
 * cannot read in this time is refused rather than waited on forever. */
#define PROBE_TIMEOUT (15 * GST_SECOND)

G_DEFINE_BOXED_TYPE (PaVideoInfo, pa_video_info, pa_video_info_copy, pa_video_info_free)

PaVideoInfo *
pa_video_info_copy (const PaVideoInfo *self)
{
  PaVideoInfo *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_memdup2 (self, sizeof *self);
  copy->video_caps = self->video_caps ? gst_caps_ref (self->video_caps) : NULL;
  copy->audio_caps = self->audio_caps ? gst_caps_ref (self->audio_caps) : NULL;
  copy->container = g_strdup (self->container);
  copy->video_codec = g_strdup (self->video_codec);
  copy->audio_codec = g_strdup (self->audio_codec);
  return copy;
}

void
pa_video_info_free (PaVideoInfo *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->video_caps, gst_caps_unref);
  g_clear_pointer (&self->audio_caps, gst_caps_unref);
  g_free (self->container);
  g_free (self->video_codec);
  g_free (self->audio_codec);
  g_free (self);
}

static void
ensure_gst (void)
{
  /* Idempotent; the app and the CLI call gst_init() themselves, but a
   * library call must not depend on that. */
  gst_init (NULL, NULL);
}

/* The codecs people ask for, in the order they are named. */
static const struct {
  const char *caps;
  const char *name;
} common_codecs[] = {
  { "video/x-h264", "H.264" },
  { "video/x-h265", "H.265" },
  { "video/x-vp8", "VP8" },
  { "video/x-vp9", "VP9" },
  { "video/x-av1", "AV1" },
  { "video/mpeg, mpegversion=(int)4, systemstream=(boolean)false", "MPEG-4 Part 2" },
  { "video/mpeg, mpegversion=(int)2, systemstream=(boolean)false", "MPEG-2" },
  { "video/x-theora", "Theora" },
  { "image/jpeg", "Motion JPEG" },
};

char *
pa_video_file_describe_decoders (void)
{
  g_autoptr(GString) names = g_string_new (NULL);
  GList *decoders;

  ensure_gst ();
  decoders = gst_element_factory_list_get_elements (GST_ELEMENT_FACTORY_TYPE_DECODER
                                                    | GST_ELEMENT_FACTORY_TYPE_MEDIA_VIDEO
                                                    | GST_ELEMENT_FACTORY_TYPE_MEDIA_IMAGE,
                                                    GST_RANK_MARGINAL);
  for (guint i = 0; i < G_N_ELEMENTS (common_codecs); i++)
    {
      g_autoptr(GstCaps) caps = gst_caps_from_string (common_codecs[i].caps);
      GList *able = gst_element_factory_list_filter (decoders, caps, GST_PAD_SINK, FALSE);

      if (able != NULL)
        g_string_append_printf (names, "%s%s", names->len ? ", " : "", common_codecs[i].name);
      gst_plugin_feature_list_free (able);
    }
  gst_plugin_feature_list_free (decoders);

  if (names->len == 0)
    g_string_append (names, _("none (install gstreamer1.0-libav)"));
  return g_string_free (g_steal_pointer (&names), FALSE);
}

static gboolean
set_empty_or_missing_error (GFile         *file,
                            const char    *name,
                            GCancellable  *cancellable,
                            GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("“%s” does not exist"), name);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” cannot be read: %s"),
                     name, local_error->message);
      return TRUE;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” is not a file"), name);
      return TRUE;
    }
  if (g_file_info_get_size (info) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” is empty (0 bytes)"), name);
      return TRUE;
    }
  return FALSE;
}

/* A codec's name for people from the caps in a missing-plugin detail
 * string ("gstreamer|1.0|app|desc|decoder-video/x-foo, codec-id=…"). */
static char *
describe_missing (const char *detail,
                  gboolean   *is_video_decoder)
{
  const char *caps_string;
  g_autoptr(GstCaps) caps = NULL;
  char *description = NULL;

  *is_video_decoder = FALSE;
  caps_string = strstr (detail, "|decoder-");
  if (caps_string == NULL)
    return NULL;
  caps_string += strlen ("|decoder-");
  caps = gst_caps_from_string (caps_string);
  if (caps == NULL || gst_caps_is_empty (caps))
    return g_strdup (caps_string);

  {
    GstStructure *s = gst_caps_get_structure (caps, 0);
    const char *media = gst_structure_get_name (s);
    const char *codec_id = gst_structure_get_string (s, "codec-id");

    *is_video_decoder = g_str_has_prefix (media, "video/") || g_str_has_prefix (media, "image/");
    /* An unknown Matroska or AVI codec only has its id to go by. */
    if (codec_id != NULL)
      description = g_strdup (codec_id);
    else if (!g_str_equal (media, "video/x-unknown") && !g_str_equal (media, "audio/x-unknown"))
      description = gst_pb_utils_get_codec_description (caps);
    if (description == NULL)
      description = gst_caps_to_string (caps);
  }
  return description;
}

static char *
describe_caps (GstCaps *caps)
{
  char *description = gst_pb_utils_get_codec_description (caps);

  return description ? description : gst_caps_to_string (caps);
}

PaVideoInfo *
pa_video_file_probe (GFile         *file,
                     GCancellable  *cancellable,
                     GError       **error)
{
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(PaVideoInfo) result = NULL;
  GstDiscovererStreamInfo *top;
  GList *videos, *audios;
  GstDiscovererVideoInfo *video;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  ensure_gst ();
  name = g_file_get_parse_name (file);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  if (set_empty_or_missing_error (file, name, cancellable, error))
    return NULL;

  discoverer = gst_discoverer_new (PROBE_TIMEOUT, &local_error);
  if (discoverer == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("GStreamer cannot read videos here: %s"),
                   local_error->message);
      return NULL;
    }
  uri = g_file_get_uri (file);
  info = gst_discoverer_discover_uri (discoverer, uri, &local_error);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;

  switch (info ? gst_discoverer_info_get_result (info) : GST_DISCOVERER_ERROR)
    {
    case GST_DISCOVERER_OK:
      break;

    case GST_DISCOVERER_MISSING_PLUGINS:
      {
        const char **details = gst_discoverer_info_get_missing_elements_installer_details (info);
        g_autofree char *supported = pa_video_file_describe_decoders ();

        for (guint i = 0; details != NULL && details[i] != NULL; i++)
          {
            gboolean is_video_decoder;
            g_autofree char *codec = describe_missing (details[i], &is_video_decoder);

            if (codec != NULL && is_video_decoder)
              {
                g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("“%s” uses the video codec %s, which no decoder on this system "
                               "reads; videos in %s can be swapped"),
                             name, codec, supported);
                return NULL;
              }
          }
        /* A missing audio decoder does not matter when the audio is
         * passed through; anything else (a container) does. */
        if (gst_discoverer_info_get_video_streams (info) == NULL)
          {
            g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         _("“%s” is in a format this system cannot read; videos in %s "
                           "(in MP4, WebM, Matroska or QuickTime files) can be swapped"),
                         name, supported);
            return NULL;
          }
        gst_discoverer_stream_info_list_free (gst_discoverer_info_get_video_streams (info));
      }
      break;

    case GST_DISCOVERER_TIMEOUT:
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” could not be read in time; it may be corrupt"), name);
      return NULL;

    case GST_DISCOVERER_URI_INVALID:
    case GST_DISCOVERER_ERROR:
    case GST_DISCOVERER_BUSY:
    default:
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a video this system can read, or it is truncated or "
                     "corrupt%s%s"),
                   name, local_error ? ": " : "", local_error ? local_error->message : "");
      return NULL;
    }

  videos = gst_discoverer_info_get_video_streams (info);
  audios = gst_discoverer_info_get_audio_streams (info);
  if (videos == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” has no video stream"), name);
      gst_discoverer_stream_info_list_free (audios);
      return NULL;
    }
  video = GST_DISCOVERER_VIDEO_INFO (videos->data);
  if (gst_discoverer_video_info_is_image (video))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is a still picture, not a video"), name);
      gst_discoverer_stream_info_list_free (videos);
      gst_discoverer_stream_info_list_free (audios);
      return NULL;
    }

  result = g_new0 (PaVideoInfo, 1);
  result->duration = gst_discoverer_info_get_duration (info);
  if (result->duration == 0)
    result->duration = GST_CLOCK_TIME_NONE;
  result->width = gst_discoverer_video_info_get_width (video);
  result->height = gst_discoverer_video_info_get_height (video);
  result->fps_n = gst_discoverer_video_info_get_framerate_num (video);
  result->fps_d = gst_discoverer_video_info_get_framerate_denom (video);
  if (result->fps_n <= 0 || result->fps_d <= 0)
    {
      result->fps_n = 0;
      result->fps_d = 1;
    }
  if (result->fps_n > 0 && GST_CLOCK_TIME_IS_VALID (result->duration))
    result->n_frames = gst_util_uint64_scale_round (result->duration, result->fps_n,
                                                    (guint64) result->fps_d * GST_SECOND);
  result->video_caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (video));
  result->video_codec = result->video_caps ? describe_caps (result->video_caps) : NULL;
  if (audios != NULL)
    {
      result->has_audio = TRUE;
      result->audio_caps = gst_discoverer_stream_info_get_caps (audios->data);
      result->audio_codec = result->audio_caps ? describe_caps (result->audio_caps) : NULL;
    }
  top = gst_discoverer_info_get_stream_info (info);
  if (top != NULL && GST_IS_DISCOVERER_CONTAINER_INFO (top))
    {
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (top);

      result->container = caps ? gst_caps_to_string (caps) : NULL;
    }
  g_clear_object (&top);
  gst_discoverer_stream_info_list_free (videos);
  gst_discoverer_stream_info_list_free (audios);

  if (result->width <= 0 || result->height <= 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” has a video stream without a picture size; it may be corrupt"), name);
      return NULL;
    }
  return g_steal_pointer (&result);
}

static GdkPixbuf *
pixbuf_from_sample (GstSample *sample)
{
  GstVideoInfo vinfo;
  GstVideoFrame frame;
  GdkPixbuf *pixbuf;
  guint8 *dst;
  int dst_stride;

  if (!gst_video_info_from_caps (&vinfo, gst_sample_get_caps (sample))
      || !gst_video_frame_map (&frame, &vinfo, gst_sample_get_buffer (sample), GST_MAP_READ))
    return NULL;

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, vinfo.width, vinfo.height);
  dst = gdk_pixbuf_get_pixels (pixbuf);
  dst_stride = gdk_pixbuf_get_rowstride (pixbuf);
  for (int y = 0; y < vinfo.height; y++)
    memcpy (dst + (gsize) y * dst_stride,
            (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
            (gsize) vinfo.width * 3);
  gst_video_frame_unmap (&frame);
  return pixbuf;
}

/* Waits for the pipeline to preroll, with the bus read for errors. */
static gboolean
wait_paused (GstElement    *pipeline,
             const char    *name,
             GCancellable  *cancellable,
             GError       **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GstMessage) message = NULL;
      GstState state;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return FALSE;
      if (gst_element_get_state (pipeline, &state, NULL, 0) == GST_STATE_CHANGE_SUCCESS
          && state == GST_STATE_PAUSED)
        return TRUE;
      message = gst_bus_timed_pop_filtered (bus, 100 * GST_MSECOND, GST_MESSAGE_ERROR);
      if (message != NULL)
        {
          g_autoptr(GError) gst_error = NULL;

          gst_message_parse_error (message, &gst_error, NULL);
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“%s” could not be decoded: %s"), name, gst_error->message);
          return FALSE;
        }
    }
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("“%s” could not be decoded in time; it may be corrupt"), name);
  return FALSE;
}

GdkPixbuf *
pa_video_file_grab_frame (GFile         *file,
                          GstClockTime   position,
                          GCancellable  *cancellable,
                          GError       **error)
{
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstSample) sample = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autofree char *name = NULL;
  g_autofree char *uri = NULL;
  GstElement *bin, *convert, *filter;
  GstClockTime last;
  GdkPixbuf *pixbuf;

  g_return_val_if_fail (G_IS_FILE (file), NULL);

  /* The probe gives the clear errors, and the duration to clamp to. */
  info = pa_video_file_probe (file, cancellable, error);
  if (info == NULL)
    return NULL;
  name = g_file_get_parse_name (file);
  uri = g_file_get_uri (file);

  /* playbin without audio, into an appsink that takes packed RGB. */
  pipeline = gst_object_ref_sink (gst_element_factory_make ("playbin", NULL));
  bin = gst_bin_new (NULL);
  convert = gst_element_factory_make ("videoconvert", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_object_ref (gst_element_factory_make ("appsink", NULL));
  if (pipeline == NULL || convert == NULL || filter == NULL || sink == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("GStreamer's base plugins are missing (install gstreamer1.0-plugins-base)"));
      g_clear_object (&bin);
      return NULL;
    }
  caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGB", NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 1, NULL);
  gst_bin_add_many (GST_BIN (bin), convert, filter, gst_object_ref (sink), NULL);
  gst_element_link_many (convert, filter, sink, NULL);
  {
    g_autoptr(GstPad) pad = gst_element_get_static_pad (convert, "sink");

    gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  }
  /* GST_PLAY_FLAG_VIDEO only: no audio decoded, no subtitles. */
  g_object_set (pipeline, "uri", uri, "video-sink", bin, "flags", 0x1, NULL);

  gst_element_set_state (pipeline, GST_STATE_PAUSED);
  if (!wait_paused (pipeline, name, cancellable, error))
    {
      gst_element_set_state (pipeline, GST_STATE_NULL);
      return NULL;
    }

  /* Past the end means the last frame: seek a frame before the end. */
  last = GST_CLOCK_TIME_IS_VALID (info->duration) ? info->duration : 0;
  if (last > 0 && info->fps_n > 0)
    last -= MIN (last, gst_util_uint64_scale (GST_SECOND, info->fps_d, info->fps_n));
  if (GST_CLOCK_TIME_IS_VALID (info->duration))
    position = MIN (position, last);
  if (position > 0)
    {
      if (!gst_element_seek_simple (pipeline, GST_FORMAT_TIME,
                                    GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_ACCURATE, position)
          || !wait_paused (pipeline, name, cancellable, error))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         _("“%s” cannot be searched to %.2f s"), name,
                         (double) position / GST_SECOND);
          gst_element_set_state (pipeline, GST_STATE_NULL);
          return NULL;
        }
    }

  sample = gst_app_sink_try_pull_preroll (GST_APP_SINK (sink), 5 * GST_SECOND);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  pixbuf = sample ? pixbuf_from_sample (sample) : NULL;
  if (pixbuf == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("“%s” has no frame at %.2f s"), name, (double) position / GST_SECOND);
  return pixbuf;
}
