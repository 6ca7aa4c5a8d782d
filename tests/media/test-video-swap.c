/* test-video-swap.c — face swap of video files, judged on the frames:
 * the face changes and nothing far from it, the output keeps the input's
 * shape and audio, the swapped face does not flicker; progress, cancel
 * and bad input
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <math.h>
#include <string.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-face-tracker.h"
#include "pa-test-faces.h"
#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-video-check.h"
#include "pa-test-video.h"
#include "pa-video-swap.h"

typedef struct {
  char        *dir;
  PaFaceModel *model;
  GPtrArray   *source_faces;
  GPtrArray   *sources;
} Fixture;

typedef struct {
  GMainLoop         *loop;
  GThread           *main_thread;
  PaVideoSwapResult *result;
  GError            *error;
  guint              n_progress;
  guint64            last_done;
  guint64            total;
  double             last_fps;
  double             last_left;
  gboolean           wrong_thread;
  gboolean           went_back;
  guint64            cancel_at;      /* 0: never */
  GCancellable      *cancellable;
  gint64             cancelled_at;
  gint64             finished_at;
} Run;

static gboolean
need_model (GError **error)
{
  g_autoptr(PaFaceModel) model = pa_face_model_get_default (NULL);

  if (model == NULL)
    {
      pa_test_set_missing_error (error, "dlib's landmark model", "apt install libdlib-data");
      return FALSE;
    }
  return TRUE;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GdkPixbuf) face = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) found = NULL;
  PaPixels pixels;

  f->dir = g_dir_make_tmp ("pa-video-swap-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->model = pa_face_model_get_default (&error);
  g_assert_no_error (error);

  /* The astronaut's face goes onto Grace Hopper's. */
  face = pa_test_photo_load ("astronaut.png");
  g_assert_nonnull (face);
  pixels = pa_test_pixels_of (face);
  found = pa_face_model_detect (f->model, &pixels, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  f->source_faces = g_ptr_array_ref (found);
  f->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_source_unref);
  g_ptr_array_add (f->sources, pa_face_source_new (&pixels, found->pdata[0], &error));
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
  g_clear_object (&f->model);
  g_clear_pointer (&f->source_faces, g_ptr_array_unref);
  g_clear_pointer (&f->sources, g_ptr_array_unref);
}

static void
on_progress (const PaMediaProgress *progress,
             gpointer               user_data)
{
  Run *run = user_data;

  if (g_thread_self () != run->main_thread)
    run->wrong_thread = TRUE;
  if (progress->frames_done < run->last_done)
    run->went_back = TRUE;
  g_assert_cmpint (progress->stage, ==, PA_MEDIA_STAGE_SWAPPING);
  run->n_progress++;
  run->last_done = progress->frames_done;
  run->total = progress->frames_total;
  run->last_fps = progress->fps;
  run->last_left = progress->seconds_left;
  if (run->cancel_at != 0 && progress->frames_done >= run->cancel_at && run->cancelled_at == 0)
    {
      run->cancelled_at = g_get_monotonic_time ();
      g_cancellable_cancel (run->cancellable);
    }
}

static void
on_swapped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;

  run->result = pa_video_swap_finish (result, &run->error);
  run->finished_at = g_get_monotonic_time ();
  g_main_loop_quit (run->loop);
}

static void
swap (Fixture               *f,
      const char            *input,
      const char            *output,
      const PaFaceSelection *selection,
      Run                   *run)
{
  g_autoptr(GFile) in = g_file_new_for_path (input);
  g_autoptr(GFile) out = g_file_new_for_path (output);

  run->loop = g_main_loop_new (NULL, FALSE);
  run->main_thread = g_thread_self ();
  pa_video_swap_async (f->model, f->source_faces, f->sources, selection, in, out,
                       on_progress, run, run->cancellable, on_swapped, run);
  g_main_loop_run (run->loop);
  g_main_loop_unref (run->loop);
}

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->result, pa_video_swap_result_free);
  g_clear_error (&run->error);
}

static const PaTestVideoSpec clip_spec = {
  "grace_hopper.jpg", 1280, 720, 30, 75, 3.0, TRUE, PA_TEST_VIDEO_MP4,
};

static char *
make_clip (Fixture               *f,
           const char            *name,
           const PaTestVideoSpec *spec)
{
  return pa_test_video_make_in (f->dir, name, spec);
}

/* The rectangle of the face's landmarks, grown by @grow of its size on
 * every side, clipped to the picture. */
static PaRect
landmark_box (const PaFace *face,
              double        grow,
              int           width,
              int           height)
{
  double x0 = G_MAXDOUBLE, y0 = G_MAXDOUBLE, x1 = -G_MAXDOUBLE, y1 = -G_MAXDOUBLE;
  double w, h;

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      x0 = MIN (x0, face->landmarks[i].x);
      y0 = MIN (y0, face->landmarks[i].y);
      x1 = MAX (x1, face->landmarks[i].x);
      y1 = MAX (y1, face->landmarks[i].y);
    }
  w = x1 - x0;
  h = y1 - y0;
  x0 = CLAMP (x0 - grow * w, 0, width);
  y0 = CLAMP (y0 - grow * h, 0, height);
  x1 = CLAMP (x1 + grow * w, 0, width);
  y1 = CLAMP (y1 + grow * h, 0, height);
  return (PaRect) { (int) x0, (int) y0, (int) (x1 - x0), (int) (y1 - y0) };
}

/* The mean difference outside @box, by horizontal bands above, below
 * and beside it. */
static double
difference_outside (GdkPixbuf    *a,
                    GdkPixbuf    *b,
                    const PaRect *box)
{
  int w = gdk_pixbuf_get_width (a), h = gdk_pixbuf_get_height (a);
  double sum = 0, area = 0;
  PaRect parts[4] = {
    { 0, 0, w, box->y },
    { 0, box->y + box->height, w, h - box->y - box->height },
    { 0, box->y, box->x, box->height },
    { box->x + box->width, box->y, w - box->x - box->width, box->height },
  };

  for (int i = 0; i < 4; i++)
    if (parts[i].width > 0 && parts[i].height > 0)
      {
        double n = (double) parts[i].width * parts[i].height;

        sum += pa_test_pixbuf_difference (a, b, parts[i].x, parts[i].y, parts[i].width, parts[i].height) * n;
        area += n;
      }
  return sum / area;
}

/* Frame-to-frame change of the face region, with the photograph's known
 * move taken out: what is left is flicker (and the encoder's noise). */
static double
compensated_change (GdkPixbuf    *before,
                    GdkPixbuf    *after,
                    const PaRect *box,
                    int           dx)
{
  double sum = 0;

  for (int y = box->y; y < box->y + box->height; y++)
    {
      const guint8 *pb = gdk_pixbuf_get_pixels (before) + (gsize) y * gdk_pixbuf_get_rowstride (before);
      const guint8 *pa = gdk_pixbuf_get_pixels (after) + (gsize) y * gdk_pixbuf_get_rowstride (after);

      for (int x = box->x; x < box->x + box->width; x++)
        for (int c = 0; c < 3; c++)
          sum += abs (pa[(x + dx) * 3 + c] - pb[x * 3 + c]);
    }
  return sum / ((double) box->width * box->height * 3);
}

/* The tracker's landmarks on every frame: the jitter (frame-to-frame
 * change the true move does not explain), in eye distances. */
static double
landmark_jitter (PaFaceModel *model,
                 GPtrArray   *frames,
                 GdkPixbuf   *photo)
{
  g_autoptr(PaFaceTracker) tracker = pa_face_tracker_new (model, 0);
  g_autoptr(GError) error = NULL;
  PaFace previous = { 0 };
  double sum = 0;

  for (guint n = 0; n < frames->len; n++)
    {
      PaPixels pixels = pa_test_pixels_of (frames->pdata[n]);
      g_autoptr(GArray) faces = pa_face_tracker_update (tracker, &pixels, n / 30.0, NULL, &error);
      const PaFace *face;

      g_assert_no_error (error);
      g_assert_cmpuint (faces->len, ==, 1);
      face = &g_array_index (faces, PaTrackedFace, 0).face;
      if (n > 0)
        {
          double dx = pa_test_video_photo_left (photo, &clip_spec, n) - pa_test_video_photo_left (photo, &clip_spec, n - 1);
          double j = 0;

          for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
            j += hypot (face->landmarks[i].x - previous.landmarks[i].x - dx,
                        face->landmarks[i].y - previous.landmarks[i].y);
          sum += j / (PA_FACE_N_LANDMARKS * face->eye_distance);
        }
      previous = *face;
    }
  return sum / (frames->len - 1);
}

static void
judge_swap (Fixture    *f,
            const char *input,
            const char *output)
{
  g_autoptr(GPtrArray) in = pa_test_video_decode_all (input, NULL);
  g_autoptr(GPtrArray) out = pa_test_video_decode_all (output, NULL);
  g_autoptr(GdkPixbuf) photo = pa_test_photo_load (clip_spec.photo);
  g_autoptr(GdkPixbuf) first = pa_test_video_render_frame (photo, &clip_spec, 0);
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GError) error = NULL;
  PaPixels pixels = pa_test_pixels_of (first);
  const PaFace *face;
  double worst_outside = 0, least_inside = G_MAXDOUBLE, flicker_in = 0, flicker_out = 0;
  double jitter_in, jitter_out;

  g_assert_nonnull (in);
  g_assert_nonnull (out);
  g_assert_cmpuint (in->len, ==, out->len);
  found = pa_face_model_detect (f->model, &pixels, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (found->len, ==, 1);
  face = found->pdata[0];

  for (guint n = 0; n < out->len; n++)
    {
      int shift = pa_test_video_photo_left (photo, &clip_spec, n) - pa_test_video_photo_left (photo, &clip_spec, 0);
      PaRect inner = landmark_box (face, -0.2, clip_spec.width, clip_spec.height);
      PaRect outer = landmark_box (face, 0.6, clip_spec.width, clip_spec.height);
      double inside, outside;

      inner.x += shift;
      outer.x += shift;
      outer.x = MAX (0, outer.x);
      outer.width = MIN (outer.width, clip_spec.width - outer.x);
      inside = pa_test_pixbuf_difference (out->pdata[n], in->pdata[n], inner.x, inner.y, inner.width, inner.height);
      outside = difference_outside (out->pdata[n], in->pdata[n], &outer);
      least_inside = MIN (least_inside, inside);
      worst_outside = MAX (worst_outside, outside);

      if (n > 0)
        {
          int dx = pa_test_video_photo_left (photo, &clip_spec, n) - pa_test_video_photo_left (photo, &clip_spec, n - 1);
          PaRect before = inner;

          before.x -= dx;
          flicker_in += compensated_change (in->pdata[n - 1], in->pdata[n], &before, dx);
          flicker_out += compensated_change (out->pdata[n - 1], out->pdata[n], &before, dx);
        }
    }
  flicker_in /= out->len - 1;
  flicker_out /= out->len - 1;
  jitter_in = landmark_jitter (f->model, in, photo);
  jitter_out = landmark_jitter (f->model, out, photo);

  g_test_message ("inside the face: at least %.1f from the input; outside it: at most %.2f", least_inside, worst_outside);
  g_test_message ("face region change from frame to frame, move taken out: %.2f in, %.2f out", flicker_in, flicker_out);
  g_test_message ("landmark jitter on the frames, eye distances: %.4f in, %.4f out", jitter_in, jitter_out);

  /* Every frame has the new face: the inner face differs clearly... */
  g_assert_cmpfloat (least_inside, >, 12.0);
  /* ...and everything well away from it is the input, but for the
   * encoder's loss (about 3 on these clips, as in the bare transcode). */
  g_assert_cmpfloat (worst_outside, <, 3.5);
  /* No flicker: with the move taken out, the swapped face changes from
   * one frame to the next by at most 3 levels (of 255, on average) more
   * than the input's face did (measured: 2.3 against 0.4 for MP4, 3.0
   * against 1.3 for WebM; a face that jumps by a pixel a frame gives
   * some 8), and its landmarks, found again on the output, are as
   * steady as the input's. */
  g_assert_cmpfloat (flicker_out, <, flicker_in + 3.0);
  g_assert_cmpfloat (jitter_out, <, jitter_in * 1.5 + 0.005);
}

static void
test_swap_mp4 (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.mp4", &clip_spec);
  g_autofree char *output = g_build_filename (f->dir, "out.mp4", NULL);
  Run run = { 0 };

  if (input == NULL)
    return;
  swap (f, input, output, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.result->frames, ==, clip_spec.n_frames);
  g_assert_cmpuint (run.result->frames_swapped, ==, clip_spec.n_frames);
  g_assert_cmpuint (run.result->first_face_frame, ==, 0);
  g_assert_cmpuint (run.result->pairs->len, ==, 1);
  g_assert_true (run.result->has_audio);
  g_assert_false (run.result->audio_reencoded);
  g_assert_null (run.result->audio_note);
  g_assert_cmpint (run.result->width, ==, 1280);

  /* Progress: on this thread, forward only, ending at the last frame,
   * and no more than ten a second (and the last). */
  g_assert_false (run.wrong_thread);
  g_assert_false (run.went_back);
  g_assert_cmpuint (run.n_progress, >=, 1);
  g_assert_cmpuint (run.last_done, ==, clip_spec.n_frames);
  g_assert_cmpuint (run.total, >=, clip_spec.n_frames);
  g_assert_cmpfloat (run.last_fps, >, 0);

  pa_test_video_assert_same_shape (input, output, TRUE);
  pa_test_video_assert_marked (output);
  judge_swap (f, input, output);
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
  run_clear (&run);
}

static void
test_swap_webm (Fixture       *f,
                gconstpointer  data)
{
  PaTestVideoSpec spec = clip_spec;
  g_autofree char *input = NULL;
  g_autofree char *output = g_build_filename (f->dir, "out.webm", NULL);
  Run run = { 0 };

  spec.format = PA_TEST_VIDEO_WEBM;
  input = make_clip (f, "in.webm", &spec);
  if (input == NULL)
    return;
  swap (f, input, output, NULL, &run);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.result->frames, ==, spec.n_frames);
  g_assert_false (run.result->audio_reencoded);
  pa_test_video_assert_same_shape (input, output, TRUE);
  pa_test_video_assert_marked (output);
  judge_swap (f, input, output);
  run_clear (&run);
}

/* Cancelled halfway: it stops within a second, and leaves no output, no
 * temporary file, and an earlier file untouched. */
static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *input = make_clip (f, "in.mp4", &clip_spec);
  g_autofree char *fresh = g_build_filename (f->dir, "fresh.mp4", NULL);
  g_autofree char *existing = g_build_filename (f->dir, "existing.mp4", NULL);
  g_autofree char *contents = NULL;

  if (input == NULL)
    return;
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      Run run = { .cancellable = cancellable, .cancel_at = clip_spec.n_frames / 2 };
      const char *output = i == 0 ? fresh : existing;

      if (i == 1)
        g_assert_true (g_file_set_contents (existing, "an earlier result", -1, NULL));
      swap (f, input, output, NULL, &run);
      g_assert_error (run.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_assert_null (run.result);
      g_assert_cmpint (run.cancelled_at, >, 0);
      g_test_message ("stopped %.3f s after the cancel", (run.finished_at - run.cancelled_at) / 1e6);
      g_assert_cmpint (run.finished_at - run.cancelled_at, <, G_USEC_PER_SEC);
      g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
      run_clear (&run);
    }
  g_assert_false (g_file_test (fresh, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_get_contents (existing, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "an earlier result");
}

static void
assert_swap_refused (Fixture               *f,
                     const char            *input,
                     const PaFaceSelection *selection,
                     int                    code,
                     const char            *needle)
{
  g_autofree char *output = g_build_filename (f->dir, "refused.mp4", NULL);
  Run run = { 0 };

  swap (f, input, output, selection, &run);
  g_assert_error (run.error, PA_ERROR, code);
  g_test_message ("%s", run.error->message);
  if (needle != NULL)
    g_assert_nonnull (strstr (run.error->message, needle));
  g_assert_false (g_file_test (output, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (pa_test_count_hidden_files (f->dir), ==, 0);
  run_clear (&run);
}

static void
test_refuse (Fixture       *f,
             gconstpointer  data)
{
  PaTestVideoSpec spec = clip_spec;
  g_autofree char *mkv = NULL;
  g_autofree char *odd = g_build_filename (f->dir, "odd-codec.mkv", NULL);
  g_autofree char *empty = g_build_filename (f->dir, "empty.mp4", NULL);
  g_autofree char *no_face = NULL;
  g_autoptr(PaFaceSelection) second = NULL;
  g_autoptr(GError) error = NULL;

  /* A codec no decoder here reads (see test-video-file.c). */
  spec.format = PA_TEST_VIDEO_MKV_VORBIS;
  spec.n_frames = 15;
  mkv = make_clip (f, "clip.mkv", &spec);
  if (mkv == NULL)
    return;
  pa_test_video_write_unknown_codec (mkv, odd);
  assert_swap_refused (f, odd, NULL, PA_ERROR_INVALID_INPUT, "odd-codec.mkv");
  assert_swap_refused (f, odd, NULL, PA_ERROR_INVALID_INPUT, "V_PLAYALTER/XYZ");

  g_assert_true (g_file_set_contents (empty, "", 0, NULL));
  assert_swap_refused (f, empty, NULL, PA_ERROR_INVALID_INPUT, "empty.mp4");

  /* A second face asked for where there is one. */
  spec = clip_spec;
  spec.n_frames = 15;
  g_free (mkv);
  mkv = make_clip (f, "one-face.mp4", &spec);
  second = pa_face_selection_parse ("1", NULL, &error);
  g_assert_no_error (error);
  assert_swap_refused (f, mkv, second, PA_ERROR_INVALID_INPUT, NULL);

  /* No face at all: nothing written. */
  spec.photo = "grace_hopper.jpg";
  spec.width = 64;
  spec.height = 48;
  no_face = make_clip (f, "tiny.mp4", &spec);
  assert_swap_refused (f, no_face, NULL, PA_ERROR_NOT_FOUND, "tiny.mp4");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  pa_test_add_needing ("/video-swap/mp4", Fixture, NULL, fixture_set_up, test_swap_mp4, fixture_tear_down, need_model);
  pa_test_add_needing ("/video-swap/webm", Fixture, NULL, fixture_set_up, test_swap_webm, fixture_tear_down, need_model);
  pa_test_add_needing ("/video-swap/cancel", Fixture, NULL, fixture_set_up, test_cancel, fixture_tear_down, need_model);
  pa_test_add_needing ("/video-swap/refuse", Fixture, NULL, fixture_set_up, test_refuse, fixture_tear_down, need_model);

  return g_test_run ();
}
