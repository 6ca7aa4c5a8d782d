/* bench-live-face-swap.c — the live face swap on a 1280×720 30 fps clip
 * from a file: output fps, the process's CPU, the detection rate it
 * settles at and the time a frame spends in the filter, at real time and
 * as fast as it goes, next to the same pipeline with the swap off
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <gst/base/gstbasesink.h>
#include <gst/gst.h>

#include "pa-face-model.h"
#include "pa-live-face-swap.h"
#include "pa-test-video.h"

typedef struct {
  GstElement *pipeline;
  guint64     frames;
  guint64     late;          /* shown more than a frame after their time */
  double      worst_late_ms;
  gint64      first_us;
  gint64      last_us;
} Sink;

typedef struct {
  double               seconds;     /* first frame out to last */
  double               fps;
  double               cpu_percent; /* of one core */
  guint64              frames;
  guint64              late;
  double               worst_late_ms;
  PaLiveFaceSwapStats  stats;
} Result;

static double
cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static void
on_handoff (GstElement *fakesink,
            GstBuffer  *buffer,
            GstPad     *pad,
            gpointer    user_data)
{
  Sink *sink = user_data;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GstClock) clock = gst_element_get_clock (sink->pipeline);

  if (sink->frames == 0)
    sink->first_us = now;
  sink->last_us = now;
  sink->frames++;

  /* How late the frame is on the pipeline's clock, as a video sink
   * would see it. */
  if (clock != NULL && GST_BUFFER_PTS_IS_VALID (buffer))
    {
      GstSegment *segment = &GST_BASE_SINK (fakesink)->segment;
      GstClockTime running = gst_segment_to_running_time (segment, GST_FORMAT_TIME,
                                                          GST_BUFFER_PTS (buffer));
      GstClockTime at = gst_clock_get_time (clock) - gst_element_get_base_time (sink->pipeline);
      double late_ms = ((double) at - (double) running) / GST_MSECOND;

      if (late_ms > 1000.0 / 30)
        sink->late++;
      sink->worst_late_ms = MAX (sink->worst_late_ms, late_ms);
    }
}

static Result
run (const char     *clip,
     PaLiveFaceSwap *swap,
     gboolean        enabled,
     gboolean        real_time)
{
  g_autofree char *description = g_strdup_printf ("filesrc location=\"%s\" ! decodebin "
                                                  "! queue max-size-buffers=3 name=q "
                                                  "fakesink name=sink signal-handoffs=true "
                                                  "sync=%s qos=false max-lateness=-1",
                                                  clip, real_time ? "true" : "false");
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) bin = NULL;
  g_autoptr(GstElement) queue = NULL;
  g_autoptr(GstElement) fakesink = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  Sink sink = { 0 };
  Result result = { 0 };
  double cpu_start;

  sink.pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  pa_live_face_swap_set_enabled (swap, enabled);
  bin = pa_live_face_swap_make_element (swap, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (bin);
  gst_bin_add (GST_BIN (sink.pipeline), bin);
  queue = gst_bin_get_by_name (GST_BIN (sink.pipeline), "q");
  fakesink = gst_bin_get_by_name (GST_BIN (sink.pipeline), "sink");
  g_assert_true (gst_element_link_many (queue, bin, fakesink, NULL));
  g_signal_connect (fakesink, "handoff", G_CALLBACK (on_handoff), &sink);

  cpu_start = cpu_seconds ();
  gst_element_set_state (sink.pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (sink.pipeline);
  message = gst_bus_timed_pop_filtered (bus, GST_CLOCK_TIME_NONE,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      gst_message_parse_error (message, &error, NULL);
      g_error ("The pipeline failed: %s", error->message);
    }
  result.cpu_percent = cpu_seconds () - cpu_start;
  pa_live_face_swap_get_stats (swap, &result.stats);
  gst_element_set_state (sink.pipeline, GST_STATE_NULL);
  gst_object_unref (sink.pipeline);

  result.frames = sink.frames;
  result.seconds = (sink.last_us - sink.first_us) / (double) G_USEC_PER_SEC;
  result.fps = result.seconds > 0 ? (sink.frames - 1) / result.seconds : 0;
  result.cpu_percent = result.seconds > 0 ? 100.0 * result.cpu_percent / result.seconds : 0;
  result.late = sink.late;
  result.worst_late_ms = real_time ? sink.worst_late_ms : 0;
  return result;
}

static void
print_row (const char   *side,
           const Result *r,
           gboolean      swapping)
{
  if (swapping)
    g_print ("| %s | %" G_GUINT64_FORMAT " | **%.1f** | %.0f %% | %" G_GUINT64_FORMAT " (worst %.0f ms) "
             "| %.1f /s (%" G_GUINT64_FORMAT "; one frame in %u at the end) | %.1f ms | %.1f ms "
             "| %.1f ms |\n",
             side, r->frames, r->fps, r->cpu_percent, r->late, r->worst_late_ms,
             r->seconds > 0 ? r->stats.detections / r->seconds : 0.0, r->stats.detections,
             r->stats.detect_every, r->stats.swap_ms, r->stats.max_frame_ms,
             r->stats.detection_ms);
  else
    g_print ("| %s | %" G_GUINT64_FORMAT " | **%.1f** | %.0f %% | %" G_GUINT64_FORMAT " (worst %.0f ms) "
             "| n/a | %.1f ms | %.1f ms | n/a |\n",
             side, r->frames, r->fps, r->cpu_percent, r->late, r->worst_late_ms,
             r->stats.swap_ms, r->stats.max_frame_ms);
}

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

int
main (int    argc,
      char **argv)
{
  double clip_seconds = 10;
  GOptionEntry entries[] = {
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &clip_seconds, "Length of the clip", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— live face swap benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *clip = NULL;
  g_autofree char *face_path = NULL;
  g_autoptr(GFile) face = NULL;
  g_autoptr(PaLiveFaceSwap) swap = NULL;
  g_autofree char *loadavg = NULL;
  const char *root = g_getenv ("PLAYALTER_SOURCE_ROOT");
  PaTestVideoSpec spec = { "grace_hopper.jpg", 1280, 720, 30, 300, 3.0, FALSE, PA_TEST_VIDEO_MP4 };
  Wait wait = { NULL, NULL };
  Result off, live, fast;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || clip_seconds <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--seconds must be positive");
      return 1;
    }
  gst_init (&argc, &argv);

  /* The clip: Grace Hopper's portrait sliding 3 px a frame. */
  spec.n_frames = (int) (clip_seconds * spec.fps);
  dir = g_dir_make_tmp ("pa-bench-live-XXXXXX", &error);
  g_assert_no_error (error);
  clip = g_build_filename (dir, "clip.mp4", NULL);
  if (!pa_test_video_make (clip, &spec, &error))
    g_error ("making the clip: %s", error->message);

  /* The astronaut's face, set as the studio sets it. */
  face_path = g_build_filename (root != NULL ? root : ".", "tests", "media", "photos",
                                "astronaut.png", NULL);
  face = g_file_new_for_path (face_path);
  swap = pa_live_face_swap_new ();
  wait.loop = g_main_loop_new (NULL, FALSE);
  pa_live_face_swap_set_face_async (swap, face, 0, NULL, on_done, &wait);
  g_main_loop_run (wait.loop);
  if (!pa_live_face_swap_set_face_finish (swap, wait.result, &error))
    g_error ("%s (bash build-aux/install-test-photos.sh puts it there)", error->message);
  g_object_unref (wait.result);
  g_main_loop_unref (wait.loop);

  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);

  /* One unmeasured run to warm the caches and the detector. */
  run (clip, swap, TRUE, FALSE);
  off = run (clip, swap, FALSE, TRUE);
  live = run (clip, swap, TRUE, TRUE);
  fast = run (clip, swap, TRUE, FALSE);

  g_print ("Live face swap, %dx%d %d fps H.264 in MP4 from a file, %.0f s (%d frames), one "
           "face; %u cores; load average at start %s\n",
           spec.width, spec.height, spec.fps, clip_seconds, spec.n_frames,
           g_get_num_processors (), loadavg ? g_strstrip (loadavg) : "?");
  g_print ("| Run | Frames | Output fps | Process CPU (of one core) | Late > 1 frame | Detections "
           "| Filter, mean a frame (last s) | Filter, longest frame | Last detection |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
  print_row ("Swap off (passthrough), real time", &off, FALSE);
  print_row ("**Swap on, real time**", &live, TRUE);
  print_row ("Swap on, as fast as it goes", &fast, TRUE);

  g_unlink (clip);
  g_rmdir (dir);
  return 0;
}
