/* bench-faceswap-video.c — the offline face swap of a 720p 30 fps H.264
 * clip with audio, end to end, next to a bare decode and encode of the
 * same clip with the same encoder settings
 *
 * SPDX-License-Identifier: MIT
 */
#include <stdlib.h>
#include <sys/resource.h>

#include <glib/gstdio.h>
#include <gst/gst.h>

#include "pa-face-model.h"
#include "pa-face-tracker.h"
#include "pa-test-faces.h"
#include "pa-test-video.h"
#include "pa-video-swap.h"
#include "pa-video-transcode-private.h"

typedef struct {
  double seconds;
  double cpu_seconds;
  guint64 frames;
} Timing;

typedef struct {
  GMainLoop         *loop;
  PaVideoSwapResult *result;
  GError            *error;
} SwapRun;

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_maxrss / 1024.0;   /* kilobytes on Linux */
}

static double
cpu_seconds (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6
         + usage.ru_stime.tv_sec + usage.ru_stime.tv_usec / 1e6;
}

static GdkPixbuf *
load_photo (const char *name)
{
  const char *root = g_getenv ("PLAYALTER_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "media", "photos", name, NULL);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);

  if (pixbuf == NULL)
    {
      g_printerr ("%s: %s (bash build-aux/install-test-photos.sh takes it from Debian's package)\n",
                  path, error->message);
      exit (1);
    }
  return pixbuf;
}

static gboolean
track_only (PaPixels      *frame,
            GstClockTime   pts,
            guint64        frame_number,
            gpointer       user_data,
            GError       **error)
{
  g_autoptr(GArray) faces = pa_face_tracker_update (user_data, frame, (double) pts / GST_SECOND, NULL, error);

  return faces != NULL;
}

static Timing
run_transcode (GFile            *input,
               PaVideoInfo      *info,
               GFile            *output,
               PaVideoFrameFunc  func,
               gpointer          data)
{
  PaVideoTranscodeResult result;
  g_autoptr(GError) error = NULL;
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();
  Timing timing;

  if (!pa_video_transcode (input, info, output, func, data, NULL, NULL, NULL, NULL, &result, &error))
    g_error ("transcode: %s", error->message);
  timing.seconds = (g_get_monotonic_time () - start) / 1e6;
  timing.cpu_seconds = cpu_seconds () - cpu;
  timing.frames = result.frames;
  pa_video_transcode_result_clear (&result);
  return timing;
}

static void
on_swapped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  SwapRun *run = user_data;

  run->result = pa_video_swap_finish (result, &run->error);
  g_main_loop_quit (run->loop);
}

static Timing
run_swap (PaFaceModel *model,
          GPtrArray   *source_faces,
          GPtrArray   *sources,
          GFile       *input,
          GFile       *output)
{
  SwapRun run = { g_main_loop_new (NULL, FALSE), NULL, NULL };
  gint64 start = g_get_monotonic_time ();
  double cpu = cpu_seconds ();
  Timing timing;

  pa_video_swap_async (model, source_faces, sources, NULL, input, output, NULL, NULL, NULL,
                       on_swapped, &run);
  g_main_loop_run (run.loop);
  g_main_loop_unref (run.loop);
  if (run.result == NULL)
    g_error ("swap: %s", run.error->message);
  timing.seconds = (g_get_monotonic_time () - start) / 1e6;
  timing.cpu_seconds = cpu_seconds () - cpu;
  timing.frames = run.result->frames;
  if (run.result->frames_swapped != run.result->frames)
    g_printerr ("warning: %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT " frames swapped\n",
                run.result->frames_swapped, run.result->frames);
  pa_video_swap_result_free (run.result);
  return timing;
}

static int
compare_timing (gconstpointer a,
                gconstpointer b)
{
  double x = ((const Timing *) a)->seconds, y = ((const Timing *) b)->seconds;

  return (x > y) - (x < y);
}

static Timing
median (GArray *timings)
{
  g_array_sort (timings, compare_timing);
  return g_array_index (timings, Timing, timings->len / 2);
}

static void
print_row (const char *what,
           Timing      t,
           Timing      bare)
{
  g_print ("| %s | %" G_GUINT64_FORMAT " | %.2f s | **%.1f fps** | %.2f | %.0f %% |\n",
           what, t.frames, t.seconds, t.frames / t.seconds, t.seconds / bare.seconds,
           100 * t.cpu_seconds / t.seconds / g_get_num_processors ());
}

int
main (int    argc,
      char **argv)
{
  int runs = 3;
  double clip_seconds = 10;
  gboolean swap_only = FALSE;
  GOptionEntry entries[] = {
    { "swap-only", 0, 0, G_OPTION_ARG_NONE, &swap_only,
      "Run only the end to end swap: the peak RSS is then a swap job's own", NULL },
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Measured runs of each side (median)", "N" },
    { "seconds", 0, 0, G_OPTION_ARG_DOUBLE, &clip_seconds, "Length of the clip", "S" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("— video face swap benchmark");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *clip_path = NULL;
  g_autoptr(GFile) clip = NULL;
  g_autoptr(GFile) out = NULL;
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GdkPixbuf) face = NULL;
  g_autoptr(GPtrArray) source_faces = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GArray) bare = g_array_new (FALSE, FALSE, sizeof (Timing));
  g_autoptr(GArray) tracked = g_array_new (FALSE, FALSE, sizeof (Timing));
  g_autoptr(GArray) swapped = g_array_new (FALSE, FALSE, sizeof (Timing));
  g_autofree char *loadavg = NULL;
  PaTestVideoSpec spec = { "grace_hopper.jpg", 1280, 720, 30, 300, 3.0, TRUE, PA_TEST_VIDEO_MP4 };
  PaPixels pixels;
  double rss_before_swap;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || runs < 1 || clip_seconds <= 0)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--runs and --seconds must be positive");
      return 1;
    }
  gst_init (&argc, &argv);
  g_object_unref (load_photo (spec.photo));

  /* The clip: Grace Hopper's portrait sliding 3 px a frame, a tone. */
  spec.n_frames = (int) (clip_seconds * spec.fps);
  dir = g_dir_make_tmp ("pa-bench-video-XXXXXX", &error);
  g_assert_no_error (error);
  clip_path = g_build_filename (dir, "clip.mp4", NULL);
  if (!pa_test_video_make (clip_path, &spec, &error))
    g_error ("making the clip: %s", error->message);
  clip = g_file_new_for_path (clip_path);
  info = pa_video_file_probe (clip, NULL, &error);
  g_assert_no_error (error);
  out = g_file_new_build_filename (dir, "out.mp4", NULL);

  model = pa_face_model_get_default (&error);
  if (model == NULL)
    g_error ("%s", error->message);
  face = load_photo ("astronaut.png");
  pixels = pa_test_pixels_of (face);
  source_faces = pa_face_model_detect (model, &pixels, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (source_faces->len, ==, 1);
  sources = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_source_unref);
  g_ptr_array_add (sources, pa_face_source_new (&pixels, source_faces->pdata[0], &error));
  g_assert_no_error (error);

  g_file_get_contents ("/proc/loadavg", &loadavg, NULL, NULL);

  /* One unmeasured run of each to warm the caches, then interleaved. */
  for (int i = 0; i <= runs && !swap_only; i++)
    {
      Timing t;

      t = run_transcode (clip, info, out, NULL, NULL);
      if (i > 0)
        g_array_append_val (bare, t);
      {
        g_autoptr(PaFaceTracker) tracker = pa_face_tracker_new (model, 0);

        t = run_transcode (clip, info, out, track_only, tracker);
      }
      if (i > 0)
        g_array_append_val (tracked, t);
    }
  rss_before_swap = peak_rss_mb ();
  for (int i = 0; i <= runs; i++)
    {
      Timing t = run_swap (model, source_faces, sources, clip, out);

      if (i > 0)
        g_array_append_val (swapped, t);
    }

  if (swap_only)
    {
      Timing s = median (swapped);

      g_print ("End to end swap only, %d frames: %.2f s, %.1f fps; peak RSS %.0f MB before it "
               "(clip made, model loaded), %.0f MB for the whole run\n",
               spec.n_frames, s.seconds, s.frames / s.seconds, rss_before_swap, peak_rss_mb ());
    }
  else
  {
    Timing b = median (bare), k = median (tracked), s = median (swapped);

    g_print ("Video face swap, %dx%d %d fps H.264 + AAC in MP4, %.0f s (%d frames); median of %d runs; "
             "load average at start %s\n",
             spec.width, spec.height, spec.fps, clip_seconds, spec.n_frames, runs,
             loadavg ? g_strstrip (loadavg) : "?");
    g_print ("| Side | Frames | Time | Speed | × bare | CPU busy (of %u cores) |\n|---|---|---|---|---|---|\n",
             g_get_num_processors ());
    print_row ("Bare decode + encode (x264 veryfast, CRF 21; audio passed through)", b, b);
    print_row ("+ face tracking (detect every 16 frames or more often, fit between)", k, b);
    print_row ("**End to end swap** (`pa_video_swap_async`)", s, b);
    g_print ("\nPeak RSS: %.0f MB before the swap runs (model loaded, bare and tracking runs), "
             "%.0f MB for the whole run.\n", rss_before_swap, peak_rss_mb ());
  }

  g_unlink (clip_path);
  {
    g_autofree char *out_path = g_file_get_path (out);

    g_unlink (out_path);
  }
  g_rmdir (dir);
  return 0;
}
