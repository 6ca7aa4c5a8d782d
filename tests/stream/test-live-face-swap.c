/* test-live-face-swap.c — the live face swap on real video with real
 * dlib: the face changes and nothing else, no frame is dropped or held,
 * off is a bit-exact passthrough, on mid-stream swaps from then on, a
 * frame with no face passes while detection goes on, a frame never
 * waits for a detection, and the face picture's errors
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gstdio.h>
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-live-face-swap.h"
#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-video.h"

static char *tmp_dir;
static char *clip_path;
static guint clip_frames;
/* One detection's time on a frame of the clip, as measured on this
 * machine in this build (several times longer under ASan): what the
 * clips' lengths and the bounds on when swapping starts follow. */
static double detect_seconds;

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Sets face @index of @path on @swap; FALSE with @error as the API gives it. */
static gboolean
set_face (PaLiveFaceSwap *swap,
          const char     *path,
          guint           index,
          GError        **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  Wait wait = { g_main_loop_new (NULL, FALSE), NULL };
  gboolean ok;

  pa_live_face_swap_set_face_async (swap, file, index, NULL, on_done, &wait);
  g_main_loop_run (wait.loop);
  ok = pa_live_face_swap_set_face_finish (swap, wait.result, error);
  g_object_unref (wait.result);
  g_main_loop_unref (wait.loop);
  return ok;
}

static PaLiveFaceSwap *
new_swap_with_face (void)
{
  g_autoptr(PaLiveFaceSwap) swap = pa_live_face_swap_new ();
  g_autofree char *face = pa_test_photo_path ("astronaut.png");
  g_autoptr(GError) error = NULL;

  if (face == NULL)
    return NULL;
  g_assert_true (set_face (swap, face, 0, &error));
  g_assert_no_error (error);
  g_assert_true (pa_live_face_swap_has_face (swap));
  return g_steal_pointer (&swap);
}

/* Frames at 30 fps that may pass before the first detection ends: twice
 * its time and a second. */
static guint
frames_before_first_swap (void)
{
  return (guint) (30 * (2 * detect_seconds + 1));
}

/* Times one detection on frame 0 of @spec (after one to warm up). */
static gboolean
measure_detection (const PaTestVideoSpec *spec)
{
  g_autoptr(GdkPixbuf) photo = pa_test_photo_load (spec->photo);
  g_autoptr(GdkPixbuf) frame = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GError) error = NULL;
  PaPixels pixels;
  gint64 started;

  if (photo == NULL)
    return FALSE;
  model = pa_face_model_get_default (&error);
  g_assert_no_error (error);
  frame = pa_test_video_render_frame (photo, spec, 0);
  pixels = (PaPixels) {
    gdk_pixbuf_get_pixels (frame), gdk_pixbuf_get_width (frame), gdk_pixbuf_get_height (frame),
    gdk_pixbuf_get_rowstride (frame), gdk_pixbuf_get_n_channels (frame),
  };
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GPtrArray) faces = NULL;

      started = g_get_monotonic_time ();
      faces = pa_face_model_detect (model, &pixels, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (faces->len, ==, 1);
    }
  detect_seconds = (g_get_monotonic_time () - started) / (double) G_USEC_PER_SEC;
  return TRUE;
}

/* The clip every case runs: Grace Hopper's photograph at 1280×720,
 * sliding, made once: two seconds, or long enough for several
 * detections where they are slow. */
static gboolean
have_clip (void)
{
  PaTestVideoSpec spec = {
    .photo = "grace_hopper.jpg",
    .width = 1280,
    .height = 720,
    .fps = 30,
    .speed = 2,
    .format = PA_TEST_VIDEO_MP4,
  };

  if (clip_path != NULL)
    return TRUE;
  spec.n_frames = 1;
  if (!measure_detection (&spec))
    return FALSE;
  clip_frames = MAX (60, frames_before_first_swap () + 60);
  spec.n_frames = clip_frames;
  /* A face the detector finds is placed where it was on the frame the
   * detection looked at; the tracker finds it again from there while it
   * has moved less than about a quarter of its width (45 px here) in one
   * detection's time. 2 px a frame, or slower where detection is slow. */
  spec.speed = MIN (2.0, 45.0 / MAX (1.0, 30 * detect_seconds));
  g_test_message ("one detection takes %.0f ms here: a clip of %u frames, the face moving "
                  "%.2f px a frame", detect_seconds * 1000, clip_frames, spec.speed);
  clip_path = pa_test_video_make_in (tmp_dir, "hopper-720p.mp4", &spec);
  return clip_path != NULL;
}

/* The clip decoded and split three ways: as decoded ("raw"), converted
 * to RGBx ("rgb"), and through the live face swap ("out"). Each sink
 * holds two frames at most, so pulling the three in step keeps them in
 * step. */
typedef struct {
  GstElement *pipeline;
  GstElement *raw;
  GstElement *rgb;
  GstElement *out;
  GstElement *swap_bin;
} Run;

static void
run_start (Run            *run,
           PaLiveFaceSwap *swap,
           const char     *source)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;
  GstElement *queue;

  description = g_strdup_printf ("%s ! tee name=t "
                                 "t. ! queue ! appsink name=raw sync=true max-buffers=2 "
                                 "t. ! queue ! videoconvert ! video/x-raw,format=RGBx "
                                 "   ! appsink name=rgb sync=true max-buffers=2 "
                                 "t. ! queue name=q "
                                 "appsink name=out sync=true max-buffers=2",
                                 source);
  run->pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  run->raw = gst_bin_get_by_name (GST_BIN (run->pipeline), "raw");
  run->rgb = gst_bin_get_by_name (GST_BIN (run->pipeline), "rgb");
  run->out = gst_bin_get_by_name (GST_BIN (run->pipeline), "out");
  queue = gst_bin_get_by_name (GST_BIN (run->pipeline), "q");

  run->swap_bin = pa_live_face_swap_make_element (swap, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run->swap_bin);
  gst_object_ref (run->swap_bin);
  gst_bin_add (GST_BIN (run->pipeline), run->swap_bin);
  g_assert_true (gst_element_link_many (queue, run->swap_bin, run->out, NULL));
  gst_object_unref (queue);

  g_assert_cmpint (gst_element_set_state (run->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

static void
run_stop (Run *run)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (run->pipeline);
  g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

  if (message != NULL)
    {
      g_autoptr(GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      g_error ("The pipeline failed: %s", error->message);
    }
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  gst_clear_object (&run->raw);
  gst_clear_object (&run->rgb);
  gst_clear_object (&run->out);
  gst_clear_object (&run->swap_bin);
  gst_clear_object (&run->pipeline);
}

/* A pulled frame, mapped. */
typedef struct {
  GstSample    *sample;
  GstVideoInfo  info;
  GstVideoFrame frame;
} Frame;

static gboolean
frame_pull (GstElement *sink,
            Frame      *frame)
{
  frame->sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 60 * GST_SECOND);
  if (frame->sample == NULL)
    return FALSE;
  g_assert_true (gst_video_info_from_caps (&frame->info, gst_sample_get_caps (frame->sample)));
  g_assert_true (gst_video_frame_map (&frame->frame, &frame->info,
                                      gst_sample_get_buffer (frame->sample), GST_MAP_READ));
  return TRUE;
}

static void
frame_clear (Frame *frame)
{
  if (frame->sample == NULL)
    return;
  gst_video_frame_unmap (&frame->frame);
  g_clear_pointer (&frame->sample, gst_sample_unref);
}

/* Every byte of every plane equal, in the same format. */
static gboolean
frames_identical (Frame *a,
                  Frame *b)
{
  if (GST_VIDEO_INFO_FORMAT (&a->info) != GST_VIDEO_INFO_FORMAT (&b->info)
      || a->info.width != b->info.width || a->info.height != b->info.height)
    return FALSE;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES (&a->frame); p++)
    {
      const guint8 *pa = GST_VIDEO_FRAME_PLANE_DATA (&a->frame, p);
      const guint8 *pb = GST_VIDEO_FRAME_PLANE_DATA (&b->frame, p);
      int sa = GST_VIDEO_FRAME_PLANE_STRIDE (&a->frame, p);
      int sb = GST_VIDEO_FRAME_PLANE_STRIDE (&b->frame, p);
      int rows = GST_VIDEO_FRAME_COMP_HEIGHT (&a->frame, p);
      int bytes = GST_VIDEO_FRAME_COMP_WIDTH (&a->frame, p) * GST_VIDEO_FRAME_COMP_PSTRIDE (&a->frame, p);

      for (int y = 0; y < rows; y++)
        if (memcmp (pa + (gsize) y * sa, pb + (gsize) y * sb, bytes) != 0)
          return FALSE;
    }
  return TRUE;
}

/* Where two RGBx frames differ: the pixels and their bounding box. */
typedef struct {
  guint  pixels;
  PaRect box;
} Diff;

static Diff
frames_diff (Frame *in,
             Frame *out)
{
  Diff diff = { 0, { 0, 0, 0, 0 } };
  int x0 = G_MAXINT, y0 = G_MAXINT, x1 = -1, y1 = -1;

  g_assert_cmpint (GST_VIDEO_INFO_FORMAT (&out->info), ==, GST_VIDEO_FORMAT_RGBx);
  g_assert_cmpint (out->info.width, ==, in->info.width);
  g_assert_cmpint (out->info.height, ==, in->info.height);
  for (int y = 0; y < in->info.height; y++)
    {
      const guint8 *a = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&in->frame, 0)
                        + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&in->frame, 0);
      const guint8 *b = (const guint8 *) GST_VIDEO_FRAME_PLANE_DATA (&out->frame, 0)
                        + (gsize) y * GST_VIDEO_FRAME_PLANE_STRIDE (&out->frame, 0);

      for (int x = 0; x < in->info.width; x++)
        if (memcmp (a + 4 * x, b + 4 * x, 3) != 0)
          {
            diff.pixels++;
            x0 = MIN (x0, x);
            x1 = MAX (x1, x);
            y0 = MIN (y0, y);
            y1 = MAX (y1, y);
          }
    }
  if (diff.pixels > 0)
    diff.box = (PaRect) { x0, y0, x1 - x0 + 1, y1 - y0 + 1 };
  return diff;
}

/* A frame counts as swapped when a face-sized area changed: at least a
 * tenth of the face box the detector gives. */
#define MIN_SWAPPED_PIXELS 2000

/* The face in @in, found by the detector; the test fails without one. */
static PaRect
face_box (Frame *in)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceModel) model = pa_face_model_get_default (&error);
  g_autoptr(GPtrArray) faces = NULL;
  PaPixels pixels = {
    GST_VIDEO_FRAME_PLANE_DATA (&in->frame, 0), in->info.width, in->info.height,
    GST_VIDEO_FRAME_PLANE_STRIDE (&in->frame, 0), 4,
  };

  g_assert_no_error (error);
  faces = pa_face_model_detect (model, &pixels, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);
  return ((PaFace *) g_ptr_array_index (faces, 0))->box;
}

static gboolean
rect_inside (const PaRect *inner,
             const PaRect *outer)
{
  return inner->x >= outer->x && inner->y >= outer->y
         && inner->x + inner->width <= outer->x + outer->width
         && inner->y + inner->height <= outer->y + outer->height;
}

static void
print_stats (const char          *when,
             PaLiveFaceSwapStats *stats)
{
  g_test_message ("%s: %" G_GUINT64_FORMAT " frames, %.1f fps, %" G_GUINT64_FORMAT
                  " detections (%.1f/s, last %.1f ms, one frame in %u), swap %.1f ms a frame "
                  "(longest %.1f ms), %u faces",
                  when, stats->frames, stats->fps, stats->detections,
                  stats->detections_per_second, stats->detection_ms, stats->detect_every,
                  stats->swap_ms, stats->max_frame_ms, stats->faces);
}

/* ---- cases -------------------------------------------------------------- */

static void
test_swap_changes_face_only (void)
{
  g_autoptr(PaLiveFaceSwap) swap = NULL;
  g_autofree char *source = NULL;
  PaLiveFaceSwapStats stats;
  Run run = { 0 };
  guint n_raw = 0, n_out = 0, n_swapped = 0, n_checked = 0;
  int first_swapped = -1;
  gboolean gap = FALSE;

  g_test_summary ("1280×720 clip through the enabled swap: the face changes, nothing outside "
                  "it does, and as many frames leave as come in");
  if (!have_clip () || (swap = new_swap_with_face ()) == NULL)
    return;
  pa_live_face_swap_set_enabled (swap, TRUE);
  source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", clip_path);
  run_start (&run, swap, source);

  for (;;)
    {
      Frame raw = { 0 }, rgb = { 0 }, out = { 0 };
      gboolean got_raw = frame_pull (run.raw, &raw);
      gboolean got_rgb = frame_pull (run.rgb, &rgb);
      gboolean got_out = frame_pull (run.out, &out);

      n_raw += got_raw;
      n_out += got_out;
      if (got_rgb && got_out && GST_VIDEO_INFO_FORMAT (&out.info) == GST_VIDEO_FORMAT_RGBx)
        {
          Diff diff = frames_diff (&rgb, &out);

          if (diff.pixels >= MIN_SWAPPED_PIXELS)
            {
              n_swapped++;
              if (first_swapped < 0)
                first_swapped = n_out - 1;
            }
          else if (first_swapped >= 0)
            {
              gap = TRUE;
            }
          /* Every tenth frame: what changed lies in the face, grown by
           * half its size each way for the blend's edge. */
          if (diff.pixels > 0 && (n_out - 1) % 10 == 0)
            {
              PaRect box = face_box (&rgb);
              PaRect grown = { box.x - box.width / 2, box.y - box.height / 2,
                               box.width * 2, box.height * 2 };

              if (!rect_inside (&diff.box, &grown))
                g_error ("Frame %u: pixels changed at %d,%d %d×%d, outside the face at %d,%d %d×%d",
                         n_out - 1, diff.box.x, diff.box.y, diff.box.width, diff.box.height,
                         box.x, box.y, box.width, box.height);
              n_checked++;
            }
        }
      frame_clear (&raw);
      frame_clear (&rgb);
      frame_clear (&out);
      if (!got_raw && !got_out)
        break;
    }
  pa_live_face_swap_get_stats (swap, &stats);
  print_stats ("enabled", &stats);
  run_stop (&run);

  g_test_message ("%u frames in, %u out, %u swapped from frame %d on; %u checked against the "
                  "face's box", n_raw, n_out, n_swapped, first_swapped, n_checked);
  g_assert_cmpuint (n_raw, ==, clip_frames);
  g_assert_cmpuint (n_out, ==, n_raw);
  g_assert_cmpint (first_swapped, >=, 0);
  /* The first detection runs beside the frames: a few pass before it
   * ends. */
  g_assert_cmpint (first_swapped, <, (int) frames_before_first_swap ());
  g_assert_false (gap);
  g_assert_cmpuint (n_checked, >=, 3);
  g_assert_cmpuint (stats.frames, ==, clip_frames);
  g_assert_cmpuint (stats.faces, ==, 1);
  g_assert_cmpuint (stats.detections, >=, 2);
}

/* Turns the swap on when frame @on_at reaches the bin, off at @off_at. */
typedef struct {
  PaLiveFaceSwap *swap;
  guint           n;
  guint           on_at;
  guint           off_at;
} Toggle;

static GstPadProbeReturn
count_and_toggle (GstPad          *pad,
                  GstPadProbeInfo *info,
                  gpointer         user_data)
{
  Toggle *toggle = user_data;
  guint n = toggle->n++;

  if (n == toggle->on_at)
    pa_live_face_swap_set_enabled (toggle->swap, TRUE);
  else if (n == toggle->off_at)
    pa_live_face_swap_set_enabled (toggle->swap, FALSE);
  return GST_PAD_PROBE_OK;
}

static void
test_toggled (void)
{
  g_autoptr(PaLiveFaceSwap) swap = NULL;
  g_autofree char *source = NULL;
  g_autoptr(GstPad) pad = NULL;
  Toggle toggle = { NULL, 0, 20, 0 };
  Run run = { 0 };
  guint n_raw = 0, n_out = 0, n_identical = 0, n_identical_after = 0, n_swapped = 0;
  int first_swapped = -1;
  gboolean gap = FALSE;

  g_test_summary ("Disabled: every frame leaves bit for bit as it came, in its format; "
                  "enabled at frame 20: swapped frames from soon after on; disabled 15 "
                  "frames before the end: unswapped at once, bit for bit from the next frame");
  if (!have_clip () || (swap = new_swap_with_face ()) == NULL)
    return;
  g_assert_false (pa_live_face_swap_get_enabled (swap));
  toggle.swap = swap;
  toggle.off_at = clip_frames - 15;
  source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", clip_path);
  run_start (&run, swap, source);
  pad = gst_element_get_static_pad (run.swap_bin, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_and_toggle, &toggle, NULL);

  for (;;)
    {
      Frame raw = { 0 }, rgb = { 0 }, out = { 0 };
      gboolean got_raw = frame_pull (run.raw, &raw);
      gboolean got_rgb = frame_pull (run.rgb, &rgb);
      gboolean got_out = frame_pull (run.out, &out);
      guint i = n_out;

      n_raw += got_raw;
      n_out += got_out;
      if (got_raw && got_out && (i <= toggle.on_at || i > toggle.off_at))
        {
          /* Off: the frame that reaches the filter first after the
           * toggle is already converted; the ones after it are not. */
          if (!frames_identical (&raw, &out))
            g_error ("Frame %u, while the swap was off, left changed (%s in, %s out)", i,
                     gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&raw.info)),
                     gst_video_format_to_string (GST_VIDEO_INFO_FORMAT (&out.info)));
          if (i <= toggle.on_at)
            n_identical++;
          else
            n_identical_after++;
        }
      else if (got_rgb && got_out && i == toggle.off_at)
        {
          if (frames_diff (&rgb, &out).pixels != 0)
            g_error ("Frame %u, on which the swap was turned off, was swapped", i);
        }
      else if (got_rgb && got_out
               && GST_VIDEO_INFO_FORMAT (&out.info) == GST_VIDEO_FORMAT_RGBx)
        {
          Diff diff = frames_diff (&rgb, &out);

          if (diff.pixels >= MIN_SWAPPED_PIXELS)
            {
              n_swapped++;
              if (first_swapped < 0)
                first_swapped = i;
            }
          else if (first_swapped >= 0)
            {
              gap = TRUE;
            }
        }
      else if (got_out && first_swapped >= 0)
        {
          gap = TRUE;
        }
      frame_clear (&raw);
      frame_clear (&rgb);
      frame_clear (&out);
      if (!got_raw && !got_out)
        break;
    }
  run_stop (&run);

  g_test_message ("%u frames in, %u out; %u identical before the swap was on, %u swapped from "
                  "frame %d to %u, %u identical after it was off", n_raw, n_out, n_identical,
                  n_swapped, first_swapped, toggle.off_at - 1, n_identical_after);
  g_assert_cmpuint (n_raw, ==, clip_frames);
  g_assert_cmpuint (n_out, ==, n_raw);
  g_assert_cmpuint (n_identical, ==, toggle.on_at + 1);
  g_assert_cmpint (first_swapped, >, (int) toggle.on_at);
  g_assert_cmpint (first_swapped, <, (int) (toggle.on_at + frames_before_first_swap ()));
  g_assert_false (gap);
  g_assert_cmpuint (n_swapped, ==, toggle.off_at - first_swapped);
  g_assert_cmpuint (n_identical_after, ==, clip_frames - toggle.off_at - 1);
}

static void
test_no_face (void)
{
  g_autoptr(PaLiveFaceSwap) swap = NULL;
  PaLiveFaceSwapStats stats;
  Run run = { 0 };
  guint n_out = 0, n_changed = 0;
  guint n_frames;
  g_autofree char *source = NULL;
  double expected;

  g_test_summary ("A test pattern (no face) through the enabled swap for 3 s (or more) at 30 fps: "
                  "every frame passes unchanged, detection keeps running at its rate");
  if (!have_clip () || (swap = new_swap_with_face ()) == NULL)
    return;
  /* 3 s, or ten detections' time where they are slow. */
  n_frames = MAX (90, (guint) (30 * 10 * detect_seconds));
  pa_live_face_swap_set_enabled (swap, TRUE);
  source = g_strdup_printf ("videotestsrc is-live=true num-buffers=%u pattern=smpte "
                            "! video/x-raw,format=I420,width=1280,height=720,framerate=30/1", n_frames);
  run_start (&run, swap, source);
  for (;;)
    {
      Frame raw = { 0 }, rgb = { 0 }, out = { 0 };
      gboolean got_raw = frame_pull (run.raw, &raw);
      gboolean got_rgb = frame_pull (run.rgb, &rgb);
      gboolean got_out = frame_pull (run.out, &out);

      n_out += got_out;
      if (got_rgb && got_out && GST_VIDEO_INFO_FORMAT (&out.info) == GST_VIDEO_FORMAT_RGBx
          && frames_diff (&rgb, &out).pixels > 0)
        n_changed++;
      frame_clear (&raw);
      frame_clear (&rgb);
      frame_clear (&out);
      if (!got_raw && !got_out)
        break;
    }
  pa_live_face_swap_get_stats (swap, &stats);
  print_stats ("no face", &stats);
  run_stop (&run);

  /* With no face followed the detector runs on one frame in
   * detect_every / 2, or as often as it can finish where that is less;
   * half that rate is allowed for a busy machine. */
  expected = MIN ((double) n_frames / MAX (1, stats.detect_every / 2),
                  n_frames / 30.0 / MAX (stats.detection_ms / 1000, detect_seconds));
  g_test_message ("%u frames out, %u changed; %" G_GUINT64_FORMAT " detections, %.0f at "
                  "the rate asked", n_out, n_changed, stats.detections, expected);
  g_assert_cmpuint (n_out, ==, n_frames);
  g_assert_cmpuint (n_changed, ==, 0);
  g_assert_cmpuint (stats.faces, ==, 0);
  g_assert_cmpfloat (stats.detections, >=, MAX (3, expected / 2));
}

static void
test_frame_never_waits (void)
{
  g_autoptr(PaLiveFaceSwap) swap = NULL;
  g_autofree char *source = NULL;
  PaLiveFaceSwapStats stats;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) bin = NULL;
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  double longest_detection = 0;
  GstElement *convert;

  g_test_summary ("The filter's longest time for one frame stays under one detection's "
                  "time: no frame waits for the detector");
  if (!have_clip () || (swap = new_swap_with_face ()) == NULL)
    return;
  pa_live_face_swap_set_enabled (swap, TRUE);

  source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin ! videoconvert name=c "
                            "fakesink name=sink sync=false", clip_path);
  pipeline = gst_parse_launch (source, &error);
  g_assert_no_error (error);
  bin = pa_live_face_swap_make_element (swap, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (bin);
  gst_bin_add (GST_BIN (pipeline), bin);
  convert = gst_bin_get_by_name (GST_BIN (pipeline), "c");
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  g_assert_true (gst_element_link_many (convert, bin, sink, NULL));
  gst_object_unref (convert);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  bus = gst_element_get_bus (pipeline);
  while ((message = gst_bus_timed_pop_filtered (bus, 20 * GST_MSECOND,
                                                GST_MESSAGE_EOS | GST_MESSAGE_ERROR)) == NULL)
    {
      pa_live_face_swap_get_stats (swap, &stats);
      longest_detection = MAX (longest_detection, stats.detection_ms);
    }
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  pa_live_face_swap_get_stats (swap, &stats);
  longest_detection = MAX (longest_detection, stats.detection_ms);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  print_stats ("never waits", &stats);

  g_test_message ("longest frame in the filter %.1f ms; longest detection %.1f ms "
                  "(ratio %.2f); mean frame %.1f ms", stats.max_frame_ms, longest_detection,
                  stats.max_frame_ms / MAX (longest_detection, 0.001), stats.swap_ms);
  g_assert_cmpuint (stats.frames, ==, clip_frames);
  /* At least one detection finished while the frames went through (on a
   * slow build the clip may end before a second one does). */
  g_assert_cmpuint (stats.detections, >=, 1);
  g_assert_cmpfloat (longest_detection, >, 0);
  /* A frame that waited for a detection would take at least as long as
   * it; the mean frame takes well under it. */
  g_assert_cmpfloat (stats.max_frame_ms, <, longest_detection);
  g_assert_cmpfloat (stats.swap_ms, <, 0.5 * longest_detection);
}

static void
test_dispose_while_detecting (void)
{
  g_autofree char *source = NULL;

  g_test_summary ("Stopping and freeing the pipeline and the swap while a detection runs "
                  "(after 1, 2, 3 and 5 frames; the first detection starts on the first "
                  "frame) is safe: run under ASan to see it");
  if (!have_clip ())
    return;
  source = g_strdup_printf ("filesrc location=\"%s\" ! decodebin", clip_path);
  for (guint n = 1; n <= 5; n += n < 3 ? 1 : 2)
    {
      g_autoptr(PaLiveFaceSwap) swap = new_swap_with_face ();
      PaLiveFaceSwapStats stats;
      Run run = { 0 };

      if (swap == NULL)
        return;
      pa_live_face_swap_set_enabled (swap, TRUE);
      run_start (&run, swap, source);
      for (guint i = 0; i < n; i++)
        {
          Frame out = { 0 };

          g_assert_true (frame_pull (run.out, &out));
          frame_clear (&out);
        }
      pa_live_face_swap_get_stats (swap, &stats);
      g_test_message ("stopping after %u frames, %" G_GUINT64_FORMAT " detections finished%s",
                      n, stats.detections,
                      stats.detections == 0 ? ": the first one is still running" : "");
      /* The swap goes first: the element keeps what it needs. */
      g_clear_object (&swap);
      run_stop (&run);
    }
}

static void
test_set_face_errors (void)
{
  g_autoptr(PaLiveFaceSwap) swap = pa_live_face_swap_new ();
  g_autofree char *blank = g_build_filename (tmp_dir, "blank.png", NULL);
  g_autofree char *text = g_build_filename (tmp_dir, "notes.jpg", NULL);
  g_autofree char *missing = g_build_filename (tmp_dir, "missing.jpg", NULL);
  g_autofree char *face = pa_test_photo_path ("astronaut.png");
  g_autoptr(GdkPixbuf) grey = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
  struct {
    const char *what;
    const char *path;
    guint       index;
    int         code;
  } cases[] = {
    { "a picture with no face", blank, 0, PA_ERROR_NOT_FOUND },
    { "a missing file", missing, 0, PA_ERROR_NOT_FOUND },
    { "a text file named .jpg", text, 0, PA_ERROR_INVALID_INPUT },
    { "face 3 of a picture with one", face, 3, PA_ERROR_INVALID_INPUT },
  };

  g_test_summary ("set_face with a picture with no face, a missing file, a text file and a "
                  "face number past the faces: a clear PA_ERROR naming the file, no face set");
  if (face == NULL)
    return;
  gdk_pixbuf_fill (grey, 0x808080ff);
  g_assert_true (gdk_pixbuf_save (grey, blank, "png", NULL, NULL));
  g_assert_true (g_file_set_contents (text, "not a picture\n", -1, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *base = g_path_get_basename (cases[i].path);

      g_assert_false (set_face (swap, cases[i].path, cases[i].index, &error));
      g_test_message ("%s: %s", cases[i].what, error ? error->message : "(no error)");
      g_assert_error (error, PA_ERROR, cases[i].code);
      g_assert_nonnull (strstr (error->message, base));
      g_assert_false (pa_live_face_swap_has_face (swap));
    }
}

int
main (int    argc,
      char **argv)
{
  int status;

  g_test_init (&argc, &argv, NULL);
  gst_init (&argc, &argv);

  tmp_dir = g_dir_make_tmp ("pa-live-face-swap-XXXXXX", NULL);
  g_assert_nonnull (tmp_dir);

  g_test_add_func ("/live-face-swap/set-face-errors", test_set_face_errors);
  g_test_add_func ("/live-face-swap/swap-changes-face-only", test_swap_changes_face_only);
  g_test_add_func ("/live-face-swap/toggled", test_toggled);
  g_test_add_func ("/live-face-swap/no-face", test_no_face);
  g_test_add_func ("/live-face-swap/frame-never-waits", test_frame_never_waits);
  g_test_add_func ("/live-face-swap/dispose-while-detecting", test_dispose_while_detecting);
  status = g_test_run ();

  pa_test_remove_dir (tmp_dir);
  g_free (tmp_dir);
  g_free (clip_path);
  return status;
}
