/* test-video-transcode.c — the pipeline under the video face swap, with
 * a frame step of the test's own: shape, audio, mark, atomic output,
 * cancel
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "pa-error.h"
#include "pa-test-require.h"
#include "pa-test-video-check.h"
#include "pa-test-video.h"
#include "pa-video-transcode-private.h"

/* The test's frame step paints this square pure red, so that its effect
 * can be found in the output and everything else compared. */
#define SQUARE_X 96
#define SQUARE_Y 64
#define SQUARE_SIDE 96

typedef struct {
  char *dir;
} Fixture;

typedef struct {
  guint64       frames_seen;
  guint64       last_done;
  GstClockTime  last_pts;
  gboolean      out_of_order;
  guint64       cancel_at;    /* 0: never */
  guint64       fail_at;      /* 0: never */
  GCancellable *cancellable;
} Step;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("pa-video-transcode-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gboolean
paint_square (PaPixels      *frame,
              GstClockTime   pts,
              guint64        frame_number,
              gpointer       user_data,
              GError       **error)
{
  Step *step = user_data;

  if (frame_number != step->frames_seen
      || (step->frames_seen > 0 && pts <= step->last_pts))
    step->out_of_order = TRUE;
  step->frames_seen++;
  step->last_pts = pts;
  g_assert_cmpint (frame->channels, ==, 4);

  if (step->cancel_at != 0 && frame_number == step->cancel_at)
    g_cancellable_cancel (step->cancellable);
  if (step->fail_at != 0 && frame_number == step->fail_at)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, "the frame step failed on purpose");
      return FALSE;
    }

  for (int y = SQUARE_Y; y < SQUARE_Y + SQUARE_SIDE; y++)
    for (int x = SQUARE_X; x < SQUARE_X + SQUARE_SIDE; x++)
      {
        guint8 *p = frame->data + (gsize) y * frame->stride + x * frame->channels;

        p[0] = 255;
        p[1] = 0;
        p[2] = 0;
      }
  return TRUE;
}

static void
count_done (guint64  frames_done,
            gpointer user_data)
{
  Step *step = user_data;

  g_assert_cmpuint (frames_done, ==, step->last_done + 1);
  step->last_done = frames_done;
}

static char *
make_clip (Fixture           *f,
           const char        *name,
           PaTestVideoFormat  format)
{
  /* 2 s at 30 fps, 720p, the face sliding 3 px a frame. */
  PaTestVideoSpec spec = { "grace_hopper.jpg", 1280, 720, 30, 60, 3.0, TRUE, format };

  return pa_test_video_make_in (f->dir, name, &spec);
}

static gboolean
transcode (const char              *input,
           const char              *output,
           Step                    *step,
           PaVideoTranscodeResult  *result,
           GError                 **error)
{
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);
  g_autoptr(PaVideoInfo) info = pa_video_file_probe (in, NULL, error);

  if (info == NULL)
    return FALSE;
  return pa_video_transcode (in, info, out, paint_square, step, count_done, step, NULL,
                             step->cancellable, result, error);
}

/* The square is red in every output frame; elsewhere the output is the
 * input, but for the encoder's loss. */
static void
assert_frames_painted (const char *input,
                       const char *output)
{
  g_autoptr(GPtrArray) in = pa_test_video_decode_all (input, NULL);
  g_autoptr(GPtrArray) out = pa_test_video_decode_all (output, NULL);

  g_assert_nonnull (in);
  g_assert_nonnull (out);
  g_assert_cmpuint (in->len, ==, out->len);
  for (guint i = 0; i < out->len; i++)
    {
      GdkPixbuf *o = out->pdata[i];
      GdkPixbuf *n = in->pdata[i];
      int w = gdk_pixbuf_get_width (o);
      int h = gdk_pixbuf_get_height (o);
      const guint8 *centre = gdk_pixbuf_get_pixels (o)
                             + (gsize) (SQUARE_Y + SQUARE_SIDE / 2) * gdk_pixbuf_get_rowstride (o)
                             + (SQUARE_X + SQUARE_SIDE / 2) * 3;
      /* Below the square, the whole width: untouched by the step. */
      double below = pa_test_pixbuf_difference (o, n, 0, SQUARE_Y + SQUARE_SIDE + 16, w,
                                                h - (SQUARE_Y + SQUARE_SIDE + 16));

      g_assert_cmpint (centre[0], >, 200);
      g_assert_cmpint (centre[1], <, 60);
      g_assert_cmpint (centre[2], <, 60);
      if (i % 20 == 0)
        g_test_message ("frame %u: %.2f from the input below the square", i, below);
      g_assert_cmpfloat (below, <, 3.0);
    }
}

static void
test_mp4 (Fixture       *f,
          gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.mp4", PA_TEST_VIDEO_MP4);
  g_autofree char *output = g_build_filename (f->dir, "out.mp4", NULL);
  PaVideoTranscodeResult result;
  g_autoptr(GError) error = NULL;
  Step step = { 0 };
  gboolean ok;

  if (input == NULL)
    return;
  ok = transcode (input, output, &step, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_false (step.out_of_order);
  g_assert_cmpuint (result.frames, ==, 60);
  g_assert_cmpuint (step.last_done, ==, 60);
  g_assert_true (result.has_audio);
  g_assert_false (result.audio_reencoded);
  pa_test_video_assert_same_shape (input, output, TRUE);
  pa_test_video_assert_marked (output);
  assert_frames_painted (input, output);
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
  pa_video_transcode_result_clear (&result);
}

static void
test_webm (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.webm", PA_TEST_VIDEO_WEBM);
  g_autofree char *output = g_build_filename (f->dir, "out.webm", NULL);
  PaVideoTranscodeResult result;
  g_autoptr(GError) error = NULL;
  Step step = { 0 };
  gboolean ok;

  if (input == NULL)
    return;
  ok = transcode (input, output, &step, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_cmpuint (result.frames, ==, 60);
  g_assert_true (result.has_audio);
  g_assert_false (result.audio_reencoded);
  pa_test_video_assert_same_shape (input, output, TRUE);
  pa_test_video_assert_marked (output);
  assert_frames_painted (input, output);
  pa_video_transcode_result_clear (&result);
}

/* Vorbis does not go into MP4: encoded again as AAC, and said so. */
static void
test_audio_reencoded (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.mkv", PA_TEST_VIDEO_MKV_VORBIS);
  g_autofree char *output = g_build_filename (f->dir, "out.mp4", NULL);
  g_autoptr(GstDiscovererInfo) info = NULL;
  PaVideoTranscodeResult result;
  g_autoptr(GError) error = NULL;
  Step step = { 0 };
  GList *audio;
  gboolean ok;

  if (input == NULL)
    return;
  ok = transcode (input, output, &step, &result, &error);
  g_assert_no_error (error);
  g_assert_true (ok);
  g_assert_true (result.has_audio);
  g_assert_true (result.audio_reencoded);
  g_assert_nonnull (result.audio_encoder);
  pa_test_video_assert_same_shape (input, output, FALSE);
  info = pa_test_video_discover (output);
  audio = gst_discoverer_info_get_audio_streams (info);
  g_assert_nonnull (audio);
  {
    g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (audio->data);

    g_assert_true (gst_structure_has_name (gst_caps_get_structure (caps, 0), "audio/mpeg"));
  }
  gst_discoverer_stream_info_list_free (audio);
  pa_video_transcode_result_clear (&result);
}

/* Cancelled halfway: no file under the output's name, no temporary file
 * left, and a file that was there before is as it was. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.mp4", PA_TEST_VIDEO_MP4);
  g_autofree char *fresh = g_build_filename (f->dir, "fresh.mp4", NULL);
  g_autofree char *existing = g_build_filename (f->dir, "existing.mp4", NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *contents = NULL;
  PaVideoTranscodeResult result;
  g_autoptr(GError) error = NULL;
  Step step = { 0 };
  gint64 start;

  if (input == NULL)
    return;
  step.cancellable = cancellable;
  step.cancel_at = 30;
  start = g_get_monotonic_time ();
  g_assert_false (transcode (input, fresh, &step, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (step.frames_seen, <=, 31);
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
  g_test_message ("cancelled after %.2f s", (g_get_monotonic_time () - start) / 1e6);

  g_clear_error (&error);
  g_cancellable_reset (cancellable);
  step = (Step) { .cancellable = cancellable, .cancel_at = 30 };
  g_assert_true (g_file_set_contents (existing, "an earlier result", -1, NULL));
  g_assert_false (transcode (input, existing, &step, &result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "an earlier result");
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);

  /* A failing frame step: the same. */
  g_clear_error (&error);
  step = (Step) { .fail_at = 10 };
  g_assert_false (transcode (input, existing, &step, &result, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_FAILED);
  g_clear_pointer (&contents, g_free);
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "an earlier result");
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
}

static void
test_refuse_output (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "out.gif", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  g_assert_false (pa_video_transcode_check_output (file, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "out.gif"));
  g_assert_nonnull (strstr (error->message, ".webm"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  g_test_add ("/video-transcode/mp4", Fixture, NULL, fixture_set_up, test_mp4, fixture_tear_down);
  g_test_add ("/video-transcode/webm", Fixture, NULL, fixture_set_up, test_webm, fixture_tear_down);
  g_test_add ("/video-transcode/audio-reencoded", Fixture, NULL, fixture_set_up,
              test_audio_reencoded, fixture_tear_down);
  g_test_add ("/video-transcode/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down);
  g_test_add ("/video-transcode/refuse-output", Fixture, NULL, fixture_set_up,
              test_refuse_output, fixture_tear_down);

  return g_test_run ();
}
