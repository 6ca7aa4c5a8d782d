/* bench-stream.c — the studio's stream, timed
 *
 * --preview: the preview at 1080p30 from the test source, through
 *   PaStream's preview sink into a PaVideoPaintable in a GtkPicture (the
 *   app's own path), against bare gst-launch-1.0 pipelines with the same
 *   caps that show their frames in a window too (videotestsrc is-live
 *   I420 1920×1080@30 → videoconvert → videoscale → 960×540 → a sink,
 *   sync=true), the same number of seconds each, in the same run: CPU
 *   seconds per second of each, and their ratios (target ≤ 1.3×). The
 *   like-for-like peers draw the picture as a toolkit does: glimagesink
 *   with OpenGL, as GTK 4 draws, and GTK 3's gtksink; the headline is
 *   the larger of the two ratios. ximagesink, which hands the X server
 *   the pixels without drawing them, is printed too, and so are the same
 *   pipeline and ours into a fakesink, to show what the window costs
 *   each side. The X server's own CPU over each side's seconds is
 *   printed as well, as every side hands it pixels.
 * --live: 720p30 with a test tone, live to nginx on loopback, recorded,
 *   and previewed (unless --no-preview), for 60 s: dropped frames
 *   (target 0), output fps, CPU.
 *
 * Run under an X server (xvfb-run): the preview is a real window.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <gst/gst.h>
#include <gtk/gtk.h>

#include "playalter.h"
#include "pa-test-rtmp.h"
#include "pa-video-paintable.h"

#define WARMUP_S 3
#define PREVIEW_WIDTH 960

static double
self_cpu_seconds (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec +
         (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

/* User + system time of process @pid so far, from /proc. */
static double
process_cpu_seconds (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", pid);
  g_autofree char *text = NULL;
  g_auto(GStrv) fields = NULL;
  const char *after_name;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    g_error ("cannot read %s: the bare pipeline ended early", path);
  /* The name may hold spaces: fields are counted after its ")". */
  after_name = strrchr (text, ')');
  g_assert_nonnull (after_name);
  fields = g_strsplit (after_name + 2, " ", -1);
  /* utime and stime are fields 14 and 15 of stat, 12 and 13 here. */
  return (g_ascii_strtod (fields[11], NULL) + g_ascii_strtod (fields[12], NULL)) /
         sysconf (_SC_CLK_TCK);
}

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main context (the window, the stream's signals) for @seconds,
 * sleeping when it has nothing to do, so that the wait costs no CPU. */
static void
wait_seconds (double seconds)
{
  gboolean done = FALSE;

  g_timeout_add ((guint) (seconds * 1000), set_flag, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* The bare side -------------------------------------------------------- */

/* The X server this process draws on, found by the display number on
 * its command line (Xvfb :99 …); 0 when it is not a local process. */
static GPid
find_x_server (void)
{
  const char *display = g_getenv ("DISPLAY");
  g_autofree char *number = NULL;
  g_autoptr(GDir) proc = NULL;
  const char *name;
  char *dot;

  if (display == NULL || display[0] != ':')
    return 0;
  number = g_strdup (display);
  if ((dot = strchr (number, '.')) != NULL)
    *dot = '\0';
  proc = g_dir_open ("/proc", 0, NULL);
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *cmdline = NULL;
      g_autofree char *base = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &cmdline, &length, NULL)
          || length == 0)
        continue;
      base = g_path_get_basename (cmdline);
      if (!g_str_equal (base, "Xvfb") && !g_str_equal (base, "Xorg") && !g_str_equal (base, "Xwayland"))
        continue;
      /* The arguments are NUL-separated. */
      for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
        if (g_str_equal (arg, number))
          return (GPid) g_ascii_strtoll (name, NULL, 10);
    }
  return 0;
}

static double
x_server_cpu_seconds (GPid x_server)
{
  return x_server != 0 ? process_cpu_seconds (x_server) : 0;
}

typedef struct {
  double cpu;        /* the side's own process, CPU s/s */
  double x_server;   /* the X server meanwhile, CPU s/s */
  double shown_fps;  /* frames the paintable handed GTK, per second */
  double drawn_fps;  /* frames GTK drew in the window, per second */
} Side;

/* @source_caps: what videotestsrc gives (without a format it makes BGRA
 * itself and videoconvert has nothing to do); @sink: where the frames
 * end. */
static Side
measure_bare (const char *source_caps,
              const char *format,
              const char *sink,
              GPid        x_server,
              double      seconds)
{
  g_autofree char *scaled = format != NULL
    ? g_strdup_printf ("video/x-raw,format=%s,width=960,height=540", format)
    : g_strdup ("video/x-raw,width=960,height=540");
  const char *argv[] = {
    "gst-launch-1.0", "-q",
    "videotestsrc", "is-live=true", "!",
    source_caps, "!",
    "videoconvert", "!", "videoscale", "!",
    scaled, "!",
    sink, "sync=true",
    NULL
  };
  g_autoptr(GSubprocess) proc = NULL;
  g_autoptr(GError) error = NULL;
  GPid pid;
  double cpu0, cpu1, x0, x1;
  gint64 t0, t1;
  Side side = { 0 };

  proc = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);
  if (proc == NULL)
    g_error ("gst-launch-1.0 cannot run (apt install gstreamer1.0-tools): %s", error->message);
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (proc), NULL, 10);

  wait_seconds (WARMUP_S);
  cpu0 = process_cpu_seconds (pid);
  x0 = x_server_cpu_seconds (x_server);
  t0 = g_get_monotonic_time ();
  wait_seconds (seconds);
  cpu1 = process_cpu_seconds (pid);
  x1 = x_server_cpu_seconds (x_server);
  t1 = g_get_monotonic_time ();
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, NULL);

  side.cpu = (cpu1 - cpu0) / ((t1 - t0) / (double) G_USEC_PER_SEC);
  side.x_server = (x1 - x0) / ((t1 - t0) / (double) G_USEC_PER_SEC);
  return side;
}

/* Ours ------------------------------------------------------------------- */

typedef struct {
  GtkWidget        *window;
  PaVideoPaintable *paintable;
  PaStream         *stream;
  GArray           *fps;       /* output fps, once a second */
  PaStreamStats     last;
} Studio;

static void
on_stats (PaStream *stream,
          Studio   *studio)
{
  pa_stream_get_stats (stream, &studio->last);
  g_array_append_val (studio->fps, studio->last.fps);
}

typedef struct {
  gboolean  done;
  GError   *error;
} Wait;

static void
done_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  if (g_task_get_source_tag (G_TASK (result)) == pa_stream_start_async)
    pa_stream_start_finish (PA_STREAM (source), result, &wait->error);
  else
    pa_stream_stop_finish (PA_STREAM (source), result, &wait->error);
  wait->done = TRUE;
}

static void
wait_for (Wait *wait)
{
  while (!wait->done)
    g_main_context_iteration (NULL, TRUE);
  if (wait->error != NULL)
    g_error ("the stream failed: %s", wait->error->message);
}

/* A stream of the test pattern at @width×@height@30, shown in a window
 * when @preview. */
static void
studio_start (Studio     *studio,
              PaStream   *stream,
              gboolean    preview,
              gboolean    window)
{
  Wait wait = { 0 };

  studio->stream = stream;
  studio->fps = g_array_new (FALSE, FALSE, sizeof (double));
  if (preview && !window)
    {
      g_autoptr(GError) error = NULL;
      /* The paintable's caps, into a sink that only keeps time. */
      GstElement *sink = gst_parse_bin_from_description ("capsfilter caps=video/x-raw,format=BGRA ! fakesink sync=true",
                                                         TRUE, &error);

      g_assert_no_error (error);
      pa_stream_set_preview_sink (stream, sink, PREVIEW_WIDTH);
    }
  else if (preview)
    {
      GtkWidget *picture;

      studio->paintable = pa_video_paintable_new ();
      picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (studio->paintable));
      studio->window = gtk_window_new ();
      gtk_window_set_default_size (GTK_WINDOW (studio->window), 960, 540);
      gtk_window_set_child (GTK_WINDOW (studio->window), picture);
      gtk_window_present (GTK_WINDOW (studio->window));
      pa_stream_set_preview_sink (stream, pa_video_paintable_get_sink (studio->paintable),
                                  PREVIEW_WIDTH);
    }
  g_signal_connect (stream, "stats", G_CALLBACK (on_stats), studio);
  pa_stream_start_async (stream, NULL, done_cb, &wait);
  wait_for (&wait);
}

static void
studio_stop (Studio *studio)
{
  Wait wait = { 0 };

  pa_stream_stop_async (studio->stream, NULL, done_cb, &wait);
  wait_for (&wait);
  if (studio->window != NULL)
    gtk_window_destroy (GTK_WINDOW (g_steal_pointer (&studio->window)));
  g_clear_object (&studio->paintable);
  g_clear_object (&studio->stream);
  g_clear_pointer (&studio->fps, g_array_unref);
}

static Side
measure_ours (double    seconds,
              gboolean  window,
              GPid      x_server)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  PaStream *stream = pa_stream_new (source);
  Studio studio = { 0 };
  guint64 shown0, shown1;
  gint64 drawn0 = 0, drawn1 = 0;
  double cpu0, cpu1, x0, x1, elapsed;
  gint64 t0, t1;
  Side side = { 0 };

  pa_stream_set_video (stream, 1920, 1080, 30, 1);
  studio_start (&studio, stream, TRUE, window);
  wait_seconds (WARMUP_S);
  shown0 = window ? pa_video_paintable_get_frames_shown (studio.paintable) : 0;
  if (window)
    {
      GskRenderer *renderer = gtk_native_get_renderer (GTK_NATIVE (studio.window));

      g_print ("  (GTK draws the window with %s)\n", G_OBJECT_TYPE_NAME (renderer));
      drawn0 = gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (studio.window));
    }
  cpu0 = self_cpu_seconds ();
  x0 = x_server_cpu_seconds (x_server);
  t0 = g_get_monotonic_time ();
  wait_seconds (seconds);
  cpu1 = self_cpu_seconds ();
  x1 = x_server_cpu_seconds (x_server);
  t1 = g_get_monotonic_time ();
  shown1 = window ? pa_video_paintable_get_frames_shown (studio.paintable) : 0;
  if (window)
    drawn1 = gdk_frame_clock_get_frame_counter (gtk_widget_get_frame_clock (studio.window));
  studio_stop (&studio);

  elapsed = (t1 - t0) / (double) G_USEC_PER_SEC;
  side.cpu = (cpu1 - cpu0) / elapsed;
  side.x_server = (x1 - x0) / elapsed;
  side.shown_fps = (shown1 - shown0) / elapsed;
  side.drawn_fps = (drawn1 - drawn0) / elapsed;
  return side;
}

static void
print_row (const char *name,
           Side        side,
           Side        peer,
           GPid        x_server,
           gboolean    shown)
{
  g_autofree char *fps = shown ? g_strdup_printf ("%.1f / %.1f", side.shown_fps, side.drawn_fps)
                                : g_strdup ("—");

  if (x_server != 0)
    g_print ("| %s | %.3f | %.2f | %.3f | %.3f | %s |\n", name, side.cpu, side.cpu / peer.cpu,
             side.x_server, side.cpu + side.x_server, fps);
  else
    g_print ("| %s | %.3f | %.2f | — | — | %s |\n", name, side.cpu, side.cpu / peer.cpu, fps);
}

static void
bench_preview (double seconds)
{
  const char *i420 = "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1";
  GPid x_server = find_x_server ();
  Side gl, gtk3, bare, bare_i420, shown, headless, ours;
  double headline;
  double load[3] = { 0 };
  const char *renderer = g_getenv ("GSK_RENDERER");

  g_print ("preview at 1080p30, %.0f s each after %d s of warm-up; GSK_RENDERER=%s; "
           "X server %s\n", seconds, WARMUP_S, renderer != NULL ? renderer : "(default)",
           x_server != 0 ? "found" : "not found (its CPU is not counted)");
  /* The peers: the stream's caps (the test source gives I420), scaled as
   * ours and shown in a window; each sink takes what videoconvert gives
   * in its own format. GTK 4 draws with OpenGL (here Mesa's llvmpipe, as
   * Xvfb has no GPU), as glimagesink does; gtksink is GTK 3's video
   * widget; ximagesink only copies the pixels to the X server. */
  gl = measure_bare (i420, NULL, "glimagesink", x_server, seconds);
  g_print ("  bare gst-launch-1.0 from I420 → glimagesink: %.3f CPU s/s (X server %.3f)\n",
           gl.cpu, gl.x_server);
  gtk3 = measure_bare (i420, NULL, "gtksink", x_server, seconds);
  g_print ("  bare gst-launch-1.0 from I420 → gtksink: %.3f CPU s/s (X server %.3f)\n",
           gtk3.cpu, gtk3.x_server);
  shown = measure_bare (i420, NULL, "ximagesink", x_server, seconds);
  g_print ("  bare gst-launch-1.0 from I420 → ximagesink: %.3f CPU s/s (X server %.3f)\n",
           shown.cpu, shown.x_server);
  bare_i420 = measure_bare (i420, "BGRA", "fakesink", x_server, seconds);
  g_print ("  bare gst-launch-1.0 from I420 → fakesink: %.3f CPU s/s\n", bare_i420.cpu);
  bare = measure_bare ("video/x-raw,width=1920,height=1080,framerate=30/1", "BGRA", "fakesink",
                       x_server, seconds);
  g_print ("  bare gst-launch-1.0 (BGRA test source) → fakesink: %.3f CPU s/s\n", bare.cpu);
  headless = measure_ours (seconds, FALSE, x_server);
  g_print ("  PaStream preview → fakesink: %.3f CPU s/s\n", headless.cpu);
  ours = measure_ours (seconds, TRUE, x_server);
  g_print ("  PaStream preview → PaVideoPaintable: %.3f CPU s/s (X server %.3f), "
           "%.1f frames shown/s, %.1f drawn by GTK/s\n", ours.cpu, ours.x_server,
           ours.shown_fps, ours.drawn_fps);
  getloadavg (load, 3);
  g_print ("| Side | CPU s/s | × bare into `ximagesink` | X server CPU s/s | Both | Frames shown / drawn per s |\n"
           "|---|---|---|---|---|---|\n");
  print_row ("bare `gst-launch-1.0` from I420 → `glimagesink` (OpenGL, in a window)", gl, shown, x_server, FALSE);
  print_row ("bare `gst-launch-1.0` from I420 → `gtksink` (GTK 3, in a window)", gtk3, shown, x_server, FALSE);
  print_row ("bare `gst-launch-1.0` from I420 → `ximagesink` (in a window, not drawn)", shown, shown, x_server, FALSE);
  print_row ("bare `gst-launch-1.0` from I420 → `fakesink`", bare_i420, shown, x_server, FALSE);
  print_row ("bare `gst-launch-1.0`, BGRA test source → `fakesink`", bare, shown, x_server, FALSE);
  print_row ("PaStream preview → `fakesink` (no window)", headless, shown, x_server, FALSE);
  print_row ("**PaStream preview in a GtkPicture**", ours, shown, x_server, TRUE);
  headline = MAX (ours.cpu / gl.cpu, ours.cpu / gtk3.cpu);
  g_print ("ratio (headline): %.2f× the bare pipeline drawing in a window (%.2f× glimagesink, "
           "%.2f× gtksink; target ≤ 1.3×) — %s; %.2f× ximagesink, which does not draw; "
           "%.2f× glimagesink and %.2f× gtksink counting the X server on both sides\n",
           headline, ours.cpu / gl.cpu, ours.cpu / gtk3.cpu,
           headline <= 1.3 ? "met" : "NOT met", ours.cpu / shown.cpu,
           (ours.cpu + ours.x_server) / (gl.cpu + gl.x_server),
           (ours.cpu + ours.x_server) / (gtk3.cpu + gtk3.x_server));
  g_print ("load average %.1f %.1f %.1f\n", load[0], load[1], load[2]);
}

static void
bench_live (double   seconds,
            gboolean preview)
{
  PaTestRtmpOptions options = { .record = TRUE };
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autofree char *dir = g_dir_make_tmp ("bench-stream-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(GFile) file = NULL;
  g_autofree char *url = NULL;
  g_autofree char *nginx_path = NULL;
  PaStream *stream;
  Studio studio = { 0 };
  double cpu0, cpu1, min_fps = G_MAXDOUBLE, sum_fps = 0;
  double load[3] = { 0 };
  gint64 t0, t1;
  guint64 dropped0, frames0;
  GStatBuf st = { 0 };

  g_assert_no_error (error);
  rtmp = pa_test_rtmp_start (&options, &error);
  if (rtmp == NULL)
    g_error ("nginx cannot start: %s", error->message);
  url = pa_test_rtmp_get_url (rtmp, "bench");
  path = g_build_filename (dir, "bench.mkv", NULL);
  file = g_file_new_for_path (path);

  stream = pa_stream_new (source);
  pa_stream_preset_apply (pa_stream_preset_lookup ("rtmp-720p30"), stream);
  pa_stream_set_recording (stream, file);
  pa_stream_set_rtmp_url (stream, url);
  g_print ("720p30 live to nginx on loopback + recording%s, %.0f s after %d s of warm-up\n",
           preview ? " + preview" : " (no preview)", seconds, WARMUP_S);
  studio_start (&studio, stream, preview, TRUE);
  wait_seconds (WARMUP_S);
  dropped0 = studio.last.dropped;
  frames0 = studio.last.frames;
  g_array_set_size (studio.fps, 0);
  cpu0 = self_cpu_seconds ();
  t0 = g_get_monotonic_time ();
  wait_seconds (seconds);
  cpu1 = self_cpu_seconds ();
  t1 = g_get_monotonic_time ();
  for (guint i = 0; i < studio.fps->len; i++)
    {
      double fps = g_array_index (studio.fps, double, i);

      min_fps = MIN (min_fps, fps);
      sum_fps += fps;
    }
  getloadavg (load, 3);
  g_print ("| Output | Seconds | Frames | Dropped | Mean fps | Lowest fps | CPU s/s |\n"
           "|---|---|---|---|---|---|---|\n");
  g_print ("| live + recording%s | %.0f | %" G_GUINT64_FORMAT " | **%" G_GUINT64_FORMAT "** | %.2f | %.1f | %.3f |\n",
           preview ? " + preview" : "", (t1 - t0) / (double) G_USEC_PER_SEC,
           studio.last.frames - frames0, studio.last.dropped - dropped0,
           sum_fps / MAX (studio.fps->len, 1), min_fps,
           (cpu1 - cpu0) / ((t1 - t0) / (double) G_USEC_PER_SEC));
  g_print ("late %" G_GUINT64_FORMAT ", encoder load %.2f, reconnects %u; load average %.1f %.1f %.1f\n",
           studio.last.late, studio.last.encoder_load, studio.last.reconnects,
           load[0], load[1], load[2]);
  studio_stop (&studio);

  nginx_path = pa_test_rtmp_get_record_path (rtmp, "bench");
  if (g_stat (nginx_path, &st) != 0 || st.st_size == 0)
    g_error ("nginx received nothing");
  g_print ("nginx received %.1f MB; the recording is %s\n", st.st_size / 1e6, path);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  gboolean preview = FALSE, live = FALSE, no_preview = FALSE;
  int seconds = 0;
  const GOptionEntry entries[] = {
    { "preview", 0, 0, G_OPTION_ARG_NONE, &preview, "Preview CPU against gst-launch-1.0", NULL },
    { "live", 0, 0, G_OPTION_ARG_NONE, &live, "720p30 live + recording + preview", NULL },
    { "no-preview", 0, 0, G_OPTION_ARG_NONE, &no_preview, "--live without the preview", NULL },
    { "seconds", 0, 0, G_OPTION_ARG_INT, &seconds, "Measured seconds (20 for --preview, 60 for --live)", "N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    g_error ("%s", error->message);
  if (!preview && !live)
    preview = live = TRUE;

  gst_init (NULL, NULL);
  if ((preview || !no_preview) && !gtk_init_check ())
    g_error ("no display: run under xvfb-run");

  if (preview)
    bench_preview (seconds > 0 ? seconds : 20);
  if (live)
    bench_live (seconds > 0 ? seconds : 60, !no_preview);
  return 0;
}
