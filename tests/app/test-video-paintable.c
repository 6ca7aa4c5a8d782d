/* test-video-paintable.c — the studio's preview paintable under X: the
 * SMPTE bars of a live test pipeline checked pixel by pixel in a
 * GtkPicture, the frame rate while the main loop is busy, a size change
 * mid-stream, and the paintable let go while its pipeline still runs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>

#include <gtk/gtk.h>
#include <gst/gst.h>

#include "pa-test-gui.h"
#include "pa-test-require.h"
#include "pa-video-paintable.h"

#define SOURCE "videotestsrc pattern=smpte is-live=true ! " \
               "capsfilter name=size caps=video/x-raw,width=320,height=240,framerate=30/1 ! " \
               "videoconvert name=convert"

typedef struct
{
  GtkWidget        *window;
  GtkWidget        *picture;
  PaVideoPaintable *paintable;
  GstElement       *pipeline;
  char             *error;
  guint             bus_watch;
  /* Buffers that reached the sink, counted on the streaming thread. */
  int               arrived;
} Fixture;

static gboolean
need_elements (void)
{
  const char *names[] = { "videotestsrc", "videoconvert", "appsink" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (names[i]);

      if (factory == NULL)
        {
          g_autofree char *what = g_strdup_printf ("the GStreamer element %s", names[i]);
          return pa_test_missing (what, "install gstreamer1.0-plugins-base");
        }
    }
  return need_display ();
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    data)
{
  Fixture *f = data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && f->error == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      f->error = g_strdup_printf ("%s (%s)", error->message, debug ? debug : "");
    }
  return G_SOURCE_CONTINUE;
}

static GstPadProbeReturn
count_buffer (GstPad          *pad,
              GstPadProbeInfo *info,
              gpointer         data)
{
  Fixture *f = data;

  g_atomic_int_inc (&f->arrived);
  return GST_PAD_PROBE_OK;
}

/* A window with a GtkPicture of a new paintable, and the test pipeline
 * playing into its sink. */
static void
fixture_start (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) convert = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstBus) bus = NULL;
  GstElement *sink;

  f->paintable = pa_video_paintable_new ();
  sink = pa_video_paintable_get_sink (f->paintable);
  g_assert_true (GST_IS_ELEMENT (sink));

  f->pipeline = gst_parse_launch (SOURCE, &error);
  g_assert_no_error (error);
  convert = gst_bin_get_by_name (GST_BIN (f->pipeline), "convert");
  g_assert_true (gst_bin_add (GST_BIN (f->pipeline), sink));
  g_assert_true (gst_element_link (convert, sink));

  pad = gst_element_get_static_pad (sink, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, count_buffer, f, NULL);
  bus = gst_element_get_bus (f->pipeline);
  f->bus_watch = gst_bus_add_watch (bus, on_bus_message, f);

  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 480, 400);
  f->picture = gtk_picture_new_for_paintable (GDK_PAINTABLE (f->paintable));
  gtk_picture_set_can_shrink (GTK_PICTURE (f->picture), TRUE);
  gtk_picture_set_content_fit (GTK_PICTURE (f->picture), GTK_CONTENT_FIT_CONTAIN);
  gtk_window_set_child (GTK_WINDOW (f->window), f->picture);
  gtk_window_present (GTK_WINDOW (f->window));

  g_assert_cmpint (gst_element_set_state (f->pipeline, GST_STATE_PLAYING), !=,
                   GST_STATE_CHANGE_FAILURE);
}

static void
assert_no_pipeline_error (Fixture *f)
{
  if (f->error != NULL)
    g_error ("The test pipeline failed: %s", f->error);
}

static void
fixture_stop (Fixture *f)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  f->window = NULL;
  f->picture = NULL;
  g_clear_object (&f->paintable);
  if (f->pipeline != NULL)
    gst_element_set_state (f->pipeline, GST_STATE_NULL);
  gst_clear_object (&f->pipeline);
  g_clear_handle_id (&f->bus_watch, g_source_remove);
  g_clear_pointer (&f->error, g_free);
  /* Let the window's last idles run. */
  WAIT_UNTIL (FALSE, 0.2);
}

/* ---- pixels ------------------------------------------------------------- */

/* Renders the picture, checks its bars (wherever the picture put the
 * video) and that nothing is drawn in the letterbox above it. */
static void
assert_bars (Fixture *f,
             int      video_width,
             int      video_height)
{
  g_autoptr(GdkTexture) texture = render_widget (f->picture);
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  double scale = MIN ((double) width / video_width, (double) height / video_height);
  double top = (height - video_height * scale) / 2;

  g_assert_cmpfloat (video_width * scale, >=, 100);
  assert_smpte_bars (texture, video_width, video_height);

  /* Letterbox: nothing drawn above the video when there is room there. */
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  if (top >= 4)
    g_assert_cmpuint (pixels[((gsize) 1 * width + width / 2) * 4 + 3], ==, 0);
}

static void
test_pixels (void)
{
  Fixture f = { 0 };

  if (!need_elements ())
    return;

  fixture_start (&f);
  WAIT_FOR (pa_video_paintable_get_frames_shown (f.paintable) >= 3 || f.error != NULL);
  assert_no_pipeline_error (&f);

  g_test_message ("intrinsic size %d×%d after %" G_GUINT64_FORMAT " frames",
                  gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (f.paintable)),
                  gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (f.paintable)),
                  pa_video_paintable_get_frames_shown (f.paintable));
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (f.paintable)), ==, 320);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (f.paintable)), ==, 240);
  assert_bars (&f, 320, 240);

  /* No more frames: the preview's fps label goes down to 0. */
  gst_element_set_state (f.pipeline, GST_STATE_PAUSED);
  WAIT_FOR (pa_video_paintable_get_fps (f.paintable) == 0);

  fixture_stop (&f);
}

/* ---- a busy main loop --------------------------------------------------- */

typedef struct
{
  PaVideoPaintable *paintable;
  guint             ticks;
  guint             max_pending;
  guint             max_held;
} Busy;

static void
sample (Busy *busy)
{
  busy->max_pending = MAX (busy->max_pending, pa_video_paintable_get_pending (busy->paintable));
  busy->max_held = MAX (busy->max_held, pa_video_paintable_get_frames_held (busy->paintable));
}

static gboolean
block_main_loop (gpointer data)
{
  Busy *busy = data;

  /* The window does something slow on the main thread, as a page that
   * loads a file would; frames keep arriving meanwhile. */
  sample (busy);
  g_usleep (50 * 1000);
  sample (busy);
  busy->ticks++;
  return G_SOURCE_CONTINUE;
}

static gboolean
sample_often (gpointer data)
{
  sample (data);
  return G_SOURCE_CONTINUE;
}

static void
test_busy (void)
{
  Fixture f = { 0 };
  Busy busy = { 0 };
  guint64 shown_before;
  guint64 shown;
  guint64 dropped;
  double fps;
  double free_fps;
  guint blocker;
  guint sampler;

  if (!need_elements ())
    return;

  fixture_start (&f);
  WAIT_FOR (pa_video_paintable_get_frames_shown (f.paintable) >= 3 || f.error != NULL);
  assert_no_pipeline_error (&f);

  /* A free main loop first: every frame is shown. */
  WAIT_UNTIL (FALSE, 1.5);
  free_fps = pa_video_paintable_get_fps (f.paintable);
  g_test_message ("fps with a free main loop: %.0f", free_fps);
  /* 30 fps from the source. A loaded machine (the tests share it) may
   * show fewer: half is the floor, a stall or a queue would be far less. */
  g_assert_cmpfloat (free_fps, >=, 15);

  busy.paintable = f.paintable;
  shown_before = pa_video_paintable_get_frames_shown (f.paintable);
  blocker = g_timeout_add (100, block_main_loop, &busy);
  sampler = g_timeout_add (5, sample_often, &busy);
  WAIT_UNTIL (FALSE, 3);
  g_object_get (f.paintable, "fps", &fps, "frames-shown", &shown, "frames-dropped", &dropped,
                NULL);
  g_source_remove (blocker);
  g_source_remove (sampler);
  assert_no_pipeline_error (&f);

  shown -= shown_before;
  g_test_message ("3 s with the main loop blocked 50 ms every 100 ms (%u times): "
                  "%" G_GUINT64_FORMAT " frames shown, %" G_GUINT64_FORMAT " replaced before "
                  "shown, fps %.0f, sink buffers %d; at most %u frame(s) pending, %u held",
                  busy.ticks, shown, dropped, fps, g_atomic_int_get (&f.arrived),
                  busy.max_pending, busy.max_held);
  g_assert_cmpuint (busy.ticks, >=, 15);
  /* Blocked half the time, the window sees about two frames in three
   * (the one that waited through a block, then the next): some 20 fps. */
  g_assert_cmpfloat (fps, >=, 15);
  g_assert_cmpuint (shown, >=, 45);
  /* Never a queue: one frame waits at most, and the frames mapped (shown,
   * waiting, still with the renderer, in the making) stay a handful. */
  g_assert_cmpuint (busy.max_pending, <=, 1);
  g_assert_cmpuint (busy.max_held, <=, 4);

  fixture_stop (&f);
}

/* ---- a size change mid-stream ------------------------------------------- */

static void
count_signal (gpointer  instance,
              guint    *count)
{
  (*count)++;
}

static void
test_resize (void)
{
  Fixture f = { 0 };
  g_autoptr(GstElement) size = NULL;
  g_autoptr(GstCaps) caps = NULL;
  guint size_changes = 0;
  guint64 shown;

  if (!need_elements ())
    return;

  fixture_start (&f);
  WAIT_FOR (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (f.paintable)) == 320 ||
            f.error != NULL);
  assert_no_pipeline_error (&f);
  g_signal_connect (f.paintable, "invalidate-size", G_CALLBACK (count_signal), &size_changes);

  /* The source renegotiates to the new caps while it plays. */
  size = gst_bin_get_by_name (GST_BIN (f.pipeline), "size");
  caps = gst_caps_from_string ("video/x-raw,width=640,height=360,framerate=30/1");
  g_object_set (size, "caps", caps, NULL);
  WAIT_FOR (gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (f.paintable)) == 640 ||
            f.error != NULL);
  assert_no_pipeline_error (&f);
  shown = pa_video_paintable_get_frames_shown (f.paintable);
  WAIT_FOR (pa_video_paintable_get_frames_shown (f.paintable) >= shown + 3);

  g_test_message ("intrinsic size %d×%d, %u size change(s)",
                  gdk_paintable_get_intrinsic_width (GDK_PAINTABLE (f.paintable)),
                  gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (f.paintable)),
                  size_changes);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (GDK_PAINTABLE (f.paintable)), ==, 360);
  g_assert_cmpfloat_with_epsilon (gdk_paintable_get_intrinsic_aspect_ratio (GDK_PAINTABLE (f.paintable)),
                                  16.0 / 9.0, 0.01);
  /* Once, not once a frame. */
  g_assert_cmpuint (size_changes, ==, 1);
  assert_bars (&f, 640, 360);

  fixture_stop (&f);
}

/* ---- let go while the pipeline runs ------------------------------------- */

static void
test_dispose_while_running (void)
{
  if (!need_elements ())
    return;

  /* At a few moments after the start: the streaming thread is mid-frame
   * at some of them. */
  for (guint round = 0; round < 5; round++)
    {
      Fixture f = { 0 };
      PaVideoPaintable *weak;
      int arrived;

      fixture_start (&f);
      WAIT_FOR (pa_video_paintable_get_frames_shown (f.paintable) >= 1 || f.error != NULL);
      assert_no_pipeline_error (&f);
      WAIT_UNTIL (FALSE, 0.013 * round);

      weak = f.paintable;
      g_object_add_weak_pointer (G_OBJECT (weak), (gpointer *) &weak);
      gtk_picture_set_paintable (GTK_PICTURE (f.picture), NULL);
      gtk_window_destroy (GTK_WINDOW (f.window));
      f.window = NULL;
      f.picture = NULL;
      g_clear_object (&f.paintable);
      g_assert_null (weak);

      /* The sink, still in the pipeline, takes and drops frames. */
      arrived = g_atomic_int_get (&f.arrived);
      WAIT_FOR (g_atomic_int_get (&f.arrived) >= arrived + 10 || f.error != NULL);
      assert_no_pipeline_error (&f);
      g_test_message ("round %u: %d buffers reached the sink after the paintable went",
                      round, g_atomic_int_get (&f.arrived) - arrived);

      fixture_stop (&f);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();
  gst_init (NULL, NULL);

  g_test_add_func ("/video-paintable/pixels", test_pixels);
  g_test_add_func ("/video-paintable/busy-main-loop", test_busy);
  g_test_add_func ("/video-paintable/resize", test_resize);
  g_test_add_func ("/video-paintable/dispose-while-running", test_dispose_while_running);

  return g_test_run ();
}
