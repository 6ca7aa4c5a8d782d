/* test-stream-common.c — what the stream engine's tests share
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>

#include "pa-test-require.h"
#include "pa-test-video.h"
#include "test-stream-common.h"

void
pa_test_stream_fixture_set_up (PaTestStreamFixture *f,
                               gconstpointer        data)
{
  f->dir = g_dir_make_tmp ("pa-stream-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

void
pa_test_stream_fixture_tear_down (PaTestStreamFixture *f,
                                  gconstpointer        data)
{
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

gboolean
pa_test_stream_need_plugins (GError **error)
{
  static const char *elements[][2] = {
    { "x264enc", "gstreamer1.0-plugins-ugly" },
    { "avdec_h264", "gstreamer1.0-libav" },
    { "avenc_aac", "gstreamer1.0-libav" },
    { "matroskamux", "gstreamer1.0-plugins-good" },
    { "imagefreeze", "gstreamer1.0-plugins-good" },
    { "level", "gstreamer1.0-plugins-good" },
    { "flvmux", "gstreamer1.0-plugins-good" },
    { "h264parse", "gstreamer1.0-plugins-bad" },
    { "rtmp2sink", "gstreamer1.0-plugins-bad" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (elements[i][0]);

      if (factory == NULL)
        {
          g_autofree char *what = g_strdup_printf ("the GStreamer element %s", elements[i][0]);
          g_autofree char *how = g_strdup_printf ("apt install %s", elements[i][1]);

          pa_test_set_missing_error (error, what, how);
          return FALSE;
        }
    }
  return TRUE;
}

void
pa_test_stream_on_done (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
pa_test_stream_wait (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 60 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("a call did not complete within 60 s");
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

gboolean
pa_test_stream_start (PaStream  *stream,
                      GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_stream_start_async (stream, NULL, pa_test_stream_on_done, &result);
  return pa_stream_start_finish (stream, pa_test_stream_wait (&result), error);
}

gboolean
pa_test_stream_stop (PaStream  *stream,
                     GError   **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_stream_stop_async (stream, NULL, pa_test_stream_on_done, &result);
  return pa_stream_stop_finish (stream, pa_test_stream_wait (&result), error);
}

static gboolean
on_poll (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

void
pa_test_stream_run_for (PaStream *stream,
                        double    seconds)
{
  guint poll = g_timeout_add (10, on_poll, NULL);

  while (pa_stream_get_live_time (stream) < (gint64) (seconds * G_USEC_PER_SEC))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (poll);
}

void
pa_test_stream_kill_recording_child (const char *variable,
                                     const char *path,
                                     double      seconds)
{
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  g_assert_nonnull (self_exe);
  g_subprocess_launcher_setenv (launcher, variable, path, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_exe, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  /* Blocks until the child's recording has begun. */
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "recording");
  started = g_get_monotonic_time ();
  g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  g_test_message ("child killed after %.2f s of recording", (g_get_monotonic_time () - started) / 1e6);
}

int
pa_test_stream_child_run (gboolean      started,
                          const GError *error)
{
  if (!started)
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  g_print ("recording\n");
  for (;;)
    g_main_context_iteration (NULL, TRUE);
}

static GstPadProbeReturn
on_parsed (GstPad          *pad,
           GstPadProbeInfo *info,
           gpointer         user_data)
{
  PaTestStreamDecoded *d = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  d->first_is_keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
on_decoded (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data)
{
  PaTestStreamDecoded *d = user_data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));

  if (d->frames == 0)
    d->first = pts;
  else if (pts > d->last)
    d->max_gap = MAX (d->max_gap, pts - d->last);
  d->last = pts;
  d->frames++;
  return GST_PAD_PROBE_OK;
}

PaTestStreamDecoded
pa_test_stream_decode (const char *path,
                       const char *demuxer)
{
  g_autofree char *quoted = g_strescape (path, NULL);
  g_autofree char *description = g_strdup_printf ("filesrc location=\"%s\" ! %s ! h264parse name=parse ! "
                                                  "avdec_h264 ! fakesink name=sink sync=false",
                                                  quoted, demuxer);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr(GstElement) sink = NULL;
  g_autoptr(GstElement) parse = NULL;
  g_autoptr(GstPad) pad = NULL;
  g_autoptr(GstPad) parsed = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GstCaps) caps = NULL;
  PaTestStreamDecoded d = { 0, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 0, 0, 0, FALSE, FALSE };

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  parse = gst_bin_get_by_name (GST_BIN (pipeline), "parse");
  pad = gst_element_get_static_pad (sink, "sink");
  parsed = gst_element_get_static_pad (parse, "sink");
  gst_pad_add_probe (pad, GST_PAD_PROBE_TYPE_BUFFER, on_decoded, &d, NULL);
  gst_pad_add_probe (parsed, GST_PAD_PROBE_TYPE_BUFFER, on_parsed, &d, NULL);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) decode_error = NULL;

      gst_message_parse_error (message, &decode_error, NULL);
      g_test_message ("decoding %s ended on an error: %s", path, decode_error->message);
      d.error = TRUE;
    }
  caps = gst_pad_get_current_caps (pad);
  if (caps != NULL)
    {
      gst_structure_get_int (gst_caps_get_structure (caps, 0), "width", &d.width);
      gst_structure_get_int (gst_caps_get_structure (caps, 0), "height", &d.height);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return d;
}

double
pa_test_stream_decoded_span (const PaTestStreamDecoded *d)
{
  return (d->last - d->first) / (double) GST_SECOND;
}

GstDiscovererInfo *
pa_test_stream_discover (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  GstDiscovererInfo *info;

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  return info;
}

void
pa_test_stream_wait_file_settled (const char *path)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  goffset last = -1;

  while (g_get_monotonic_time () < deadline)
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE,
                                                     G_FILE_QUERY_INFO_NONE, NULL, NULL);
      goffset size = info != NULL ? g_file_info_get_size (info) : -1;

      if (size > 0 && size == last)
        return;
      last = size;
      g_usleep (300 * 1000);
    }
}
