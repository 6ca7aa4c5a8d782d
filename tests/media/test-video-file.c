/* test-video-file.c — probing video files and grabbing their frames,
 * and refusing what is not a usable video
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>
#include <gst/gst.h>
#include <math.h>

#include "pa-error.h"
#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-video.h"
#include "pa-video-file.h"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("pa-video-file-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

static char *
make_clip (Fixture               *f,
           const char            *name,
           const PaTestVideoSpec *spec)
{
  return pa_test_video_make_in (f->dir, name, spec);
}

static const PaTestVideoSpec mp4_spec = {
  "grace_hopper.jpg", 320, 240, 25, 50, 2.0, TRUE, PA_TEST_VIDEO_MP4,
};

/* Mean absolute difference per channel. */
static double
mean_difference (GdkPixbuf *a,
                 GdkPixbuf *b)
{
  int w = gdk_pixbuf_get_width (a), h = gdk_pixbuf_get_height (a);
  double sum = 0;

  g_assert_cmpint (w, ==, gdk_pixbuf_get_width (b));
  g_assert_cmpint (h, ==, gdk_pixbuf_get_height (b));
  for (int y = 0; y < h; y++)
    {
      const guint8 *pa = gdk_pixbuf_get_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a);
      const guint8 *pb = gdk_pixbuf_get_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b);

      for (int x = 0; x < w * 3; x++)
        sum += abs (pa[x] - pb[x]);
    }
  return sum / ((double) w * h * 3);
}

static void
test_probe_mp4 (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *path = make_clip (f, "clip.mp4", &mp4_spec);
  g_autoptr(GFile) file = NULL;
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  info = pa_video_file_probe (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->width, ==, 320);
  g_assert_cmpint (info->height, ==, 240);
  g_assert_cmpint (info->fps_n * 1000 / info->fps_d, ==, 25000);
  /* An estimate from the container's duration, which counts the audio's
   * encoder delay too: within a frame. */
  g_assert_cmpuint (info->n_frames, >=, 49);
  g_assert_cmpuint (info->n_frames, <=, 51);
  g_assert_cmpuint (info->duration, >=, 2 * GST_SECOND - GST_SECOND / 25);
  g_assert_cmpuint (info->duration, <=, 2 * GST_SECOND + GST_SECOND / 25);
  g_assert_true (info->has_audio);
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (info->video_caps, 0), "video/x-h264"));
  g_assert_true (gst_structure_has_name (gst_caps_get_structure (info->audio_caps, 0), "audio/mpeg"));
  g_assert_nonnull (strstr (info->container, "quicktime"));
  g_assert_nonnull (strstr (info->video_codec, "264"));
}

static void
test_probe_webm (Fixture       *f,
                 gconstpointer  data)
{
  PaTestVideoSpec spec = mp4_spec;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(PaVideoInfo) copy = NULL;
  g_autoptr(GError) error = NULL;

  spec.format = PA_TEST_VIDEO_WEBM;
  spec.audio = FALSE;
  spec.fps = 30;
  spec.n_frames = 45;
  path = make_clip (f, "clip.webm", &spec);
  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  info = pa_video_file_probe (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (info->fps_n / info->fps_d, ==, 30);
  g_assert_cmpuint (info->n_frames, >=, 44);
  g_assert_cmpuint (info->n_frames, <=, 46);
  g_assert_false (info->has_audio);
  g_assert_null (info->audio_caps);
  g_assert_nonnull (strstr (info->container, "webm"));
  copy = pa_video_info_copy (info);
  g_assert_true (gst_caps_is_equal (copy->video_caps, info->video_caps));
}

/* The grabbed frame is the one encoded there, not its neighbour: the
 * face moves 6 px a frame, so a neighbour differs clearly. */
static void
test_grab_frame (Fixture       *f,
                 gconstpointer  data)
{
  PaTestVideoSpec spec = mp4_spec;
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GError) error = NULL;

  spec.speed = 6;
  path = make_clip (f, "grab.mp4", &spec);
  if (path == NULL || (photo = pa_test_photo_load (spec.photo)) == NULL)
    return;
  file = g_file_new_for_path (path);

  for (int n = 0; n < spec.n_frames; n += 17)
    {
      GstClockTime at = gst_util_uint64_scale (n, GST_SECOND, spec.fps);
      g_autoptr(GdkPixbuf) grabbed = pa_video_file_grab_frame (file, at, NULL, &error);
      g_autoptr(GdkPixbuf) expected = pa_test_video_render_frame (photo, &spec, n);
      g_autoptr(GdkPixbuf) neighbour = pa_test_video_render_frame (photo, &spec, n + 2);
      double to_expected, to_neighbour;

      g_assert_no_error (error);
      g_assert_false (gdk_pixbuf_get_has_alpha (grabbed));
      to_expected = mean_difference (grabbed, expected);
      to_neighbour = mean_difference (grabbed, neighbour);
      g_test_message ("frame %d: %.2f from itself, %.2f from frame %d", n, to_expected, to_neighbour, n + 2);
      g_assert_cmpfloat (to_expected, <, 4.0);
      g_assert_cmpfloat (to_expected * 2, <, to_neighbour);
    }

  /* Past the end: the last frame. */
  {
    g_autoptr(GdkPixbuf) last = pa_video_file_grab_frame (file, 60 * GST_SECOND, NULL, &error);
    g_autoptr(GdkPixbuf) expected = pa_test_video_render_frame (photo, &spec, spec.n_frames - 1);

    g_assert_no_error (error);
    g_assert_cmpfloat (mean_difference (last, expected), <, 4.0);
  }
}

static void
assert_refused (const char *path,
                int         code,
                const char *needle)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaVideoInfo) info = pa_video_file_probe (file, NULL, &error);
  g_autoptr(GdkPixbuf) frame = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  g_assert_null (info);
  g_assert_error (error, PA_ERROR, code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, name));
  if (needle != NULL)
    g_assert_nonnull (strstr (error->message, needle));

  /* Grabbing a frame refuses it the same way. */
  g_clear_error (&error);
  frame = pa_video_file_grab_frame (file, 0, NULL, &error);
  g_assert_null (frame);
  g_assert_error (error, PA_ERROR, code);
}

static void
test_refuse_empty_and_missing (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *empty = g_build_filename (f->dir, "empty.mp4", NULL);
  g_autofree char *missing = g_build_filename (f->dir, "missing.mp4", NULL);
  g_autofree char *text = g_build_filename (f->dir, "notes.mp4", NULL);

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  assert_refused (empty, PA_ERROR_INVALID_INPUT, "empty");
  assert_refused (missing, PA_ERROR_NOT_FOUND, NULL);
  g_assert_true (g_file_set_contents (text, "just some words, not a video at all\n", -1, NULL));
  assert_refused (text, PA_ERROR_INVALID_INPUT, NULL);
}

static void
test_refuse_truncated (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *path = make_clip (f, "whole.mp4", &mp4_spec);
  g_autofree char *cut = g_build_filename (f->dir, "cut.mp4", NULL);
  g_autofree char *contents = NULL;
  gsize length;

  if (path == NULL)
    return;
  g_assert_true (g_file_get_contents (path, &contents, &length, NULL));
  /* mp4mux writes its index (moov) last: half a file has none. */
  g_assert_true (g_file_set_contents (cut, contents, length / 2, NULL));
  assert_refused (cut, PA_ERROR_INVALID_INPUT, NULL);
}

static void
test_refuse_no_video (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "tone.mkv", NULL);
  g_autofree char *description = g_strdup_printf ("audiotestsrc num-buffers=20 ! audioconvert ! vorbisenc "
                                                  "! matroskamux ! filesink location=\"%s\"", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;

  if (!pa_test_require_no_error (error))
    return;
  bus = gst_element_get_bus (pipeline);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  message = gst_bus_timed_pop_filtered (bus, 30 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);

  assert_refused (path, PA_ERROR_INVALID_INPUT, "no video");
}

static void
test_refuse_still_picture (Fixture       *f,
                           gconstpointer  data)
{
  g_autofree char *photo = pa_test_photo_path ("grace_hopper.jpg");
  g_autofree char *path = g_build_filename (f->dir, "photo.mp4", NULL);
  g_autoptr(GFile) from = NULL;
  g_autoptr(GFile) to = NULL;

  if (photo == NULL)
    return;
  from = g_file_new_for_path (photo);
  to = g_file_new_for_path (path);
  g_assert_true (g_file_copy (from, to, G_FILE_COPY_NONE, NULL, NULL, NULL, NULL));
  assert_refused (path, PA_ERROR_INVALID_INPUT, NULL);
}

/* A Matroska file whose video track's CodecID names a codec no decoder
 * knows: the clip as written, with the 15-byte "V_MPEG4/ISO/AVC"
 * replaced by an id of the same length, so that every size field in the
 * file stays right. */
static void
test_refuse_unknown_codec (Fixture       *f,
                           gconstpointer  data)
{
  PaTestVideoSpec spec = mp4_spec;
  g_autofree char *path = NULL;
  g_autofree char *odd = g_build_filename (f->dir, "odd-codec.mkv", NULL);

  spec.format = PA_TEST_VIDEO_MKV_VORBIS;
  path = make_clip (f, "clip.mkv", &spec);
  if (path == NULL)
    return;
  pa_test_video_write_unknown_codec (path, odd);

  /* The message names the codec, and says what can be read. */
  assert_refused (odd, PA_ERROR_INVALID_INPUT, "V_PLAYALTER/XYZ");
  {
    g_autoptr(GFile) file = g_file_new_for_path (odd);
    g_autoptr(GError) error = NULL;
    g_autoptr(PaVideoInfo) info = pa_video_file_probe (file, NULL, &error);

    g_assert_nonnull (strstr (error->message, "H.264"));
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add ("/video-file/probe/mp4", Fixture, NULL, fixture_set_up, test_probe_mp4, fixture_tear_down);
  g_test_add ("/video-file/probe/webm", Fixture, NULL, fixture_set_up, test_probe_webm, fixture_tear_down);
  g_test_add ("/video-file/grab-frame", Fixture, NULL, fixture_set_up, test_grab_frame, fixture_tear_down);
  g_test_add ("/video-file/refuse/empty-missing-text", Fixture, NULL, fixture_set_up,
              test_refuse_empty_and_missing, fixture_tear_down);
  g_test_add ("/video-file/refuse/truncated", Fixture, NULL, fixture_set_up, test_refuse_truncated, fixture_tear_down);
  g_test_add ("/video-file/refuse/no-video", Fixture, NULL, fixture_set_up, test_refuse_no_video, fixture_tear_down);
  g_test_add ("/video-file/refuse/still-picture", Fixture, NULL, fixture_set_up,
              test_refuse_still_picture, fixture_tear_down);
  g_test_add ("/video-file/refuse/unknown-codec", Fixture, NULL, fixture_set_up,
              test_refuse_unknown_codec, fixture_tear_down);

  return g_test_run ();
}
