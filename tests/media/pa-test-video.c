/* pa-test-video.c — short test clips made from the real photographs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/app/app.h>
#include <gst/video/video.h>
#include <math.h>
#include <string.h>

#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-video.h"

int
pa_test_video_photo_left (GdkPixbuf             *photo,
                          const PaTestVideoSpec *spec,
                          int                    n)
{
  int ph = spec->height * 8 / 10;
  int pw = gdk_pixbuf_get_width (photo) * ph / gdk_pixbuf_get_height (photo);
  double travel = MAX (0, spec->width - pw) / 2.0;
  /* A triangle wave: out at @speed px per frame, then back. */
  double period = spec->speed > 0 ? 2 * travel / spec->speed : 1;
  double phase = spec->speed > 0 ? fmod (n, period) : 0;
  double x = spec->speed > 0 ? (phase < period / 2 ? phase : period - phase) * spec->speed : 0;

  return (int) lround ((spec->width - pw) / 4.0 + x);
}

GdkPixbuf *
pa_test_video_render_frame (GdkPixbuf             *photo,
                            const PaTestVideoSpec *spec,
                            int                    n)
{
  GdkPixbuf *frame = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, spec->width, spec->height);
  int ph = spec->height * 8 / 10;
  int pw = gdk_pixbuf_get_width (photo) * ph / gdk_pixbuf_get_height (photo);
  int left = pa_test_video_photo_left (photo, spec, n);

  gdk_pixbuf_fill (frame, 0x808080ff);
  pw = MIN (pw, spec->width - left);
  gdk_pixbuf_scale (photo, frame, left, (spec->height - ph) / 2, pw, ph,
                    left, (spec->height - ph) / 2,
                    (double) ph / gdk_pixbuf_get_height (photo),
                    (double) ph / gdk_pixbuf_get_height (photo),
                    GDK_INTERP_BILINEAR);
  return frame;
}

static gboolean
have_elements (const char *const *names,
               GError            **error)
{
  for (guint i = 0; names[i] != NULL; i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (names[i]);

      if (factory == NULL)
        {
          g_autofree char *what = g_strdup_printf ("the GStreamer element %s", names[i]);

          pa_test_set_missing_error (error, what,
                                     "apt install gstreamer1.0-plugins-good gstreamer1.0-plugins-bad "
                                     "gstreamer1.0-plugins-ugly gstreamer1.0-libav");
          return FALSE;
        }
    }
  return TRUE;
}

static gboolean
wait_eos (GstElement  *pipeline,
          GError     **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  g_autoptr(GstMessage) message = gst_bus_timed_pop_filtered (bus, 120 * GST_SECOND,
                                                              GST_MESSAGE_EOS | GST_MESSAGE_ERROR);

  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "the test pipeline did not finish");
      return FALSE;
    }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, error, NULL);
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_test_video_make (const char            *path,
                    const PaTestVideoSpec *spec,
                    GError               **error)
{
  static const char *const mp4[] = { "x264enc", "h264parse", "mp4mux", "avenc_aac", NULL };
  static const char *const webm[] = { "vp8enc", "webmmux", "opusenc", NULL };
  static const char *const mkv[] = { "x264enc", "h264parse", "matroskamux", "vorbisenc", NULL };
  const char *video_enc, *audio_enc, *mux;
  g_autofree char *photo_path = NULL;
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) src = NULL;
  g_autofree char *description = NULL;
  GstVideoInfo vinfo;
  g_autoptr(GstCaps) caps = NULL;

  gst_init (NULL, NULL);
  switch (spec->format)
    {
    case PA_TEST_VIDEO_MP4:
      if (!have_elements (mp4, error))
        return FALSE;
      video_enc = "x264enc speed-preset=ultrafast key-int-max=30 ! h264parse";
      audio_enc = "avenc_aac";
      mux = "mp4mux";
      break;
    case PA_TEST_VIDEO_WEBM:
      if (!have_elements (webm, error))
        return FALSE;
      video_enc = "vp8enc deadline=1 cpu-used=8 target-bitrate=4000000";
      audio_enc = "opusenc";
      mux = "webmmux";
      break;
    case PA_TEST_VIDEO_MKV_VORBIS:
    default:
      if (!have_elements (mkv, error))
        return FALSE;
      video_enc = "x264enc speed-preset=ultrafast key-int-max=30 ! h264parse";
      audio_enc = "vorbisenc";
      mux = "matroskamux";
      break;
    }

  /* pa_test_photo_path() fails the test case itself; say so here too. */
  photo_path = pa_test_photo_path (spec->photo);
  if (photo_path == NULL)
    {
      pa_test_set_missing_error (error, spec->photo, "bash build-aux/install-test-photos.sh");
      return FALSE;
    }
  photo = gdk_pixbuf_new_from_file (photo_path, error);
  if (photo == NULL)
    return FALSE;

  /* Audio as long as the video exactly: one buffer per frame. */
  description = g_strdup_printf ("appsrc name=src format=time ! videoconvert ! %s ! queue ! %s name=mux "
                                 "! filesink location=\"%s\" %s",
                                 video_enc, mux, path,
                                 spec->audio ? "" : "");
  if (spec->audio)
    {
      g_autofree char *with_audio = g_strdup_printf ("%s audiotestsrc num-buffers=%d samplesperbuffer=%d "
                                                     "! audio/x-raw,rate=48000,channels=2 ! audioconvert "
                                                     "! %s ! queue ! mux.",
                                                     description, spec->n_frames,
                                                     48000 / spec->fps, audio_enc);

      g_free (description);
      description = g_steal_pointer (&with_audio);
    }
  pipeline = gst_parse_launch (description, error);
  if (pipeline == NULL)
    return FALSE;
  gst_object_ref_sink (pipeline);
  src = gst_bin_get_by_name (GST_BIN (pipeline), "src");

  gst_video_info_set_format (&vinfo, GST_VIDEO_FORMAT_RGB, spec->width, spec->height);
  vinfo.fps_n = spec->fps;
  vinfo.fps_d = 1;
  caps = gst_video_info_to_caps (&vinfo);
  gst_app_src_set_caps (GST_APP_SRC (src), caps);
  g_object_set (src, "block", TRUE, "max-bytes", (guint64) vinfo.size * 4, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  for (int n = 0; n < spec->n_frames; n++)
    {
      g_autoptr(GdkPixbuf) frame = pa_test_video_render_frame (photo, spec, n);
      GstBuffer *buffer = gst_buffer_new_allocate (NULL, vinfo.size, NULL);
      GstMapInfo map;

      gst_buffer_map (buffer, &map, GST_MAP_WRITE);
      for (int y = 0; y < spec->height; y++)
        memcpy (map.data + (gsize) y * GST_VIDEO_INFO_PLANE_STRIDE (&vinfo, 0),
                gdk_pixbuf_get_pixels (frame) + (gsize) y * gdk_pixbuf_get_rowstride (frame),
                (gsize) spec->width * 3);
      gst_buffer_unmap (buffer, &map);
      GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (n, GST_SECOND, spec->fps);
      GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, spec->fps);
      if (gst_app_src_push_buffer (GST_APP_SRC (src), buffer) != GST_FLOW_OK)
        break;
    }
  gst_app_src_end_of_stream (GST_APP_SRC (src));

  {
    gboolean ok = wait_eos (pipeline, error);

    gst_element_set_state (pipeline, GST_STATE_NULL);
    return ok;
  }
}

GPtrArray *
pa_test_video_decode_all (const char  *path,
                          GError     **error)
{
  g_autofree char *description = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GPtrArray) frames = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GstBus) bus = NULL;

  gst_init (NULL, NULL);
  description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert "
                                 "! video/x-raw,format=RGB ! appsink name=sink sync=false", path);
  pipeline = gst_parse_launch (description, error);
  if (pipeline == NULL)
    return NULL;
  gst_object_ref_sink (pipeline);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  for (;;)
    {
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), GST_SECOND);
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      GstVideoInfo vinfo;
      GstVideoFrame frame;
      GdkPixbuf *pixbuf;

      if (message != NULL)
        {
          gst_message_parse_error (message, error, NULL);
          gst_element_set_state (pipeline, GST_STATE_NULL);
          return NULL;
        }
      if (sample == NULL)
        {
          if (gst_app_sink_is_eos (GST_APP_SINK (sink)))
            break;
          continue;
        }
      gst_video_info_from_caps (&vinfo, gst_sample_get_caps (sample));
      gst_video_frame_map (&frame, &vinfo, gst_sample_get_buffer (sample), GST_MAP_READ);
      pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, vinfo.width, vinfo.height);
      for (int y = 0; y < vinfo.height; y++)
        memcpy (gdk_pixbuf_get_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf),
                (guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&frame, 0) + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
                (gsize) vinfo.width * 3);
      gst_video_frame_unmap (&frame);
      g_ptr_array_add (frames, pixbuf);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return g_steal_pointer (&frames);
}

char *
pa_test_video_make_in (const char            *dir,
                       const char            *name,
                       const PaTestVideoSpec *spec)
{
  g_autoptr(GError) error = NULL;
  char *path = g_build_filename (dir, name, NULL);

  pa_test_video_make (path, spec, &error);
  if (!pa_test_require_no_error (error))
    g_clear_pointer (&path, g_free);
  return path;
}

void
pa_test_video_write_unknown_codec (const char *mkv_path,
                                   const char *out_path)
{
  static const char known[] = "V_MPEG4/ISO/AVC";
  g_autofree char *contents = NULL;
  gsize length;
  gboolean patched = FALSE;

  g_assert_true (g_file_get_contents (mkv_path, &contents, &length, NULL));
  for (gsize i = 0; !patched && i + strlen (known) <= length; i++)
    if (memcmp (contents + i, known, strlen (known)) == 0)
      {
        memcpy (contents + i, "V_PLAYALTER/XYZ", strlen (known));
        patched = TRUE;
      }
  g_assert_true (patched);
  g_assert_true (g_file_set_contents (out_path, contents, length, NULL));
}

void
pa_test_remove_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      g_unlink (child);
    }
  g_rmdir (path);
}
