/* test-stream-outputs.c — a running stream's outputs on and off: going
 * live to a real RTMP server (nginx) and reading the stream back, the
 * live output reconnecting after the server went away while the
 * recording goes on without a gap, stopped while it waits to reconnect,
 * cancelled while connecting, refused and unreachable servers,
 * recordings started and stopped on a preview-only stream, a SIGKILL
 * during such a recording, the health thresholds and the audio level
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <signal.h>
#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-stream.h"
#include "pa-test-require.h"
#include "pa-test-rtmp.h"
#include "pa-test-video.h"

/* Set in the environment of this program run as a child that records
 * (started on a running preview-only stream) until it is killed. */
#define CHILD_RECORDING_VARIABLE "PLAYALTER_TEST_STREAM_OUTPUTS_CHILD"

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("pa-stream-outputs-XXXXXX", NULL);
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
need_plugins (GError **error)
{
  static const char *elements[][2] = {
    { "x264enc", "gstreamer1.0-plugins-ugly" },
    { "avdec_h264", "gstreamer1.0-libav" },
    { "avenc_aac", "gstreamer1.0-libav" },
    { "matroskamux", "gstreamer1.0-plugins-good" },
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

/* Waiting */

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
on_poll (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Runs the main context until *@flag is set or @seconds passed; whether
 * it was set. */
static gboolean
run_until (const gboolean *flag,
           double          seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  guint poll = g_timeout_add (10, on_poll, NULL);

  while ((flag == NULL || !*flag) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (poll);
  return flag != NULL && *flag;
}

static void
run_for (double seconds)
{
  run_until (NULL, seconds);
}

static GAsyncResult *
wait_result (GAsyncResult **slot)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;

  while (*slot == NULL)
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("a call did not complete within 30 s");
      g_main_context_iteration (NULL, TRUE);
    }
  return *slot;
}

#define CALL(stream, async, finish, error, ...) \
  G_STMT_START { \
    g_autoptr(GAsyncResult) result_ = NULL; \
    async (stream, ##__VA_ARGS__, NULL, on_done, &result_); \
    ok_ = finish (stream, wait_result (&result_), error); \
  } G_STMT_END

static gboolean
start (PaStream  *stream,
       GError   **error)
{
  gboolean ok_;

  CALL (stream, pa_stream_start_async, pa_stream_start_finish, error);
  return ok_;
}

static gboolean
stop (PaStream  *stream,
      GError   **error)
{
  gboolean ok_;

  CALL (stream, pa_stream_stop_async, pa_stream_stop_finish, error);
  return ok_;
}

static gboolean
start_recording (PaStream    *stream,
                 const char  *path,
                 GError     **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  gboolean ok_;

  CALL (stream, pa_stream_start_recording_async, pa_stream_start_recording_finish, error, file);
  return ok_;
}

static gboolean
stop_recording (PaStream  *stream,
                GError   **error)
{
  gboolean ok_;

  CALL (stream, pa_stream_stop_recording_async, pa_stream_stop_recording_finish, error);
  return ok_;
}

static gboolean
go_live (PaStream    *stream,
         const char  *url,
         GError     **error)
{
  gboolean ok_;

  CALL (stream, pa_stream_go_live_async, pa_stream_go_live_finish, error, url);
  return ok_;
}

/* The preview: an appsink that counts its frames and notes their
 * arrival */

typedef struct {
  GMutex  lock;
  guint   frames;
  gint64  first;
  gint64  last;
  gint64  max_gap;   /* µs between two frames */
  int     width;
  int     height;
} Preview;

static GstFlowReturn
on_preview_sample (GstAppSink *sink,
                   gpointer    user_data)
{
  Preview *p = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  gint64 now = g_get_monotonic_time ();
  GstStructure *s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);

  g_mutex_lock (&p->lock);
  if (p->frames == 0)
    p->first = now;
  else
    p->max_gap = MAX (p->max_gap, now - p->last);
  p->last = now;
  p->frames++;
  gst_structure_get_int (s, "width", &p->width);
  gst_structure_get_int (s, "height", &p->height);
  g_mutex_unlock (&p->lock);
  return GST_FLOW_OK;
}

static GstElement *
make_preview (Preview *p)
{
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  GstAppSinkCallbacks callbacks = { .new_sample = on_preview_sample };

  g_assert_nonnull (sink);
  g_mutex_init (&p->lock);
  /* As the app's paintable: two frames at most, the older dropped. */
  g_object_set (sink, "max-buffers", 2, "drop", TRUE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, p, NULL);
  return sink;
}

/* Reading files back */

typedef struct {
  guint64      frames;
  GstClockTime first;
  GstClockTime last;
  GstClockTime max_gap;
  int          width;
  int          height;
  gboolean     first_is_keyframe;
  gboolean     error;
} Decoded;

static GstPadProbeReturn
on_parsed (GstPad          *pad,
           GstPadProbeInfo *info,
           gpointer         user_data)
{
  Decoded *d = user_data;
  GstBuffer *buffer = GST_PAD_PROBE_INFO_BUFFER (info);

  d->first_is_keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);
  return GST_PAD_PROBE_REMOVE;
}

static GstPadProbeReturn
on_decoded (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data)
{
  Decoded *d = user_data;
  GstClockTime pts = GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info));

  if (d->frames == 0)
    d->first = pts;
  else if (pts > d->last)
    d->max_gap = MAX (d->max_gap, pts - d->last);
  d->last = pts;
  d->frames++;
  return GST_PAD_PROBE_OK;
}

/* Decodes every video frame of @path to its end, demuxed by @demuxer. */
static Decoded
decode (const char *path,
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
  Decoded d = { 0, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, 0, 0, 0, FALSE, FALSE };

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

static double
span_of (const Decoded *d)
{
  return (d->last - d->first) / (double) GST_SECOND;
}

/* Whether the file at @path has one AAC (MPEG-4 audio) track. */
static gboolean
has_aac (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr(GstDiscovererInfo) info = NULL;
  GList *streams;
  gboolean aac = FALSE;

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  streams = gst_discoverer_info_get_audio_streams (info);
  if (g_list_length (streams) == 1)
    {
      g_autoptr(GstCaps) caps = gst_discoverer_stream_info_get_caps (streams->data);
      const GstStructure *s = gst_caps_get_structure (caps, 0);
      int version = 0;

      aac = gst_structure_has_name (s, "audio/mpeg")
            && gst_structure_get_int (s, "mpegversion", &version) && version == 4;
    }
  gst_discoverer_stream_info_list_free (streams);
  return aac;
}

/* Waits until the file at @path stops growing (nginx closes a recording
 * once the publisher left), 5 s at most. */
static void
wait_file_settled (const char *path)
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

/* A running stream with a preview and no output */

static PaStream *
start_preview_stream (PaStreamAudioKind  audio,
                      Preview           *preview,
                      int                max_width)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (audio);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GError) error = NULL;

  pa_stream_set_video (stream, 1280, 720, 30, 1);
  pa_stream_set_preview_sink (stream, make_preview (preview), max_width);
  if (!start (stream, &error))
    g_error ("a preview-only stream did not start: %s", error->message);
  return g_steal_pointer (&stream);
}

/* Going live: 10 s of 720p30 with sound, read back from the server */

static void
test_live_publish (Fixture       *f,
                   gconstpointer  data)
{
  PaTestRtmpOptions options = { .record = TRUE };
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *server_path = NULL;
  Preview preview = { 0 };
  PaStreamStats stats;
  gint64 live_from;
  Decoded d;
  double fps;

  rtmp = pa_test_rtmp_start (&options, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "ten-seconds");
  stream = start_preview_stream (PA_STREAM_AUDIO_TEST_TONE, &preview, 640);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  /* From the call: the encoder starts with it. */
  live_from = pa_stream_get_live_time (stream);
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_ON);
  while (pa_stream_get_live_time (stream) - live_from < 10 * G_USEC_PER_SEC)
    run_for (0.01);
  pa_stream_get_stats (stream, &stats);
  g_test_message ("stats: %.1f fps (target %.0f), %" G_GUINT64_FORMAT " frames, %"
                  G_GUINT64_FORMAT " dropped, %" G_GUINT64_FORMAT " late, encoder load %.2f",
                  stats.fps, stats.target_fps, stats.frames, stats.dropped, stats.late,
                  stats.encoder_load);
  g_assert_cmpfloat (stats.target_fps, ==, 30.0);
  g_assert_cmpfloat (stats.encoder_load, >, 0.0);
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);

  server_path = pa_test_rtmp_get_record_path (rtmp, "ten-seconds");
  wait_file_settled (server_path);
  if (!g_file_test (server_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *log = pa_test_rtmp_get_error_log_tail (rtmp);

      g_error ("the server recorded nothing at %s; its log:\n%s", server_path, log);
    }
  d = decode (server_path, "flvdemux");
  fps = d.frames > 1 ? (d.frames - 1) / span_of (&d) : 0;
  g_test_message ("read back from the server: %" G_GUINT64_FORMAT " frames of %d×%d over "
                  "%.3f s (%.2f fps), first a keyframe: %s",
                  d.frames, d.width, d.height, span_of (&d), fps,
                  d.first_is_keyframe ? "yes" : "no");
  g_assert_false (d.error);
  g_assert_cmpint (d.width, ==, 1280);
  g_assert_cmpint (d.height, ==, 720);
  g_assert_true (d.first_is_keyframe);
  /* 10 s at 30 fps: 300 frames; ±6 (0.2 s): the live output starts at
   * the keyframe it asked for, a frame or two after the call, the stop
   * is asked for up to a poll (10 ms) late and lets the frames in
   * flight through. */
  g_assert_cmpuint (d.frames, >=, 294);
  g_assert_cmpuint (d.frames, <=, 306);
  g_assert_cmpfloat (fabs (fps - 30.0), <, 0.3);
  g_test_message ("AAC audio on the server: %s", has_aac (server_path) ? "yes" : "no");
  g_assert_true (has_aac (server_path));
}

/* Reconnecting */

typedef struct {
  guint calls;
} PublishHook;

static void
on_publish_request (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  PublishHook *hook = user_data;

  hook->calls++;
  /* 403: what a streaming service says to a key it does not know. */
  soup_server_message_set_status (message, g_str_has_suffix (path, "/refuse")
                                           ? SOUP_STATUS_FORBIDDEN : SOUP_STATUS_OK, NULL);
}

/* A local HTTP server for nginx's on_publish: 200 at /publish, 403 at
 * /refuse; its URL for @path. */
static SoupServer *
start_hook (PublishHook  *hook,
            const char   *path,
            char        **url)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  soup_server_add_handler (server, NULL, on_publish_request, hook, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *url = g_strdup_printf ("http://127.0.0.1:%d%s", g_uri_get_port (uris->data), path);
  return g_steal_pointer (&server);
}

typedef struct {
  GArray *states;
  gboolean reconnecting;
  gboolean on_again;
} LiveStates;

static void
on_live_state (PaStream *stream,
               gpointer  user_data)
{
  LiveStates *s = user_data;
  PaStreamLiveState state = pa_stream_get_live_state (stream);

  g_array_append_val (s->states, state);
  if (state == PA_STREAM_LIVE_RECONNECTING)
    s->reconnecting = TRUE;
  if (state == PA_STREAM_LIVE_ON && s->reconnecting)
    s->on_again = TRUE;
}

static void
test_live_reconnect (Fixture       *f,
                     gconstpointer  data)
{
  PaTestRtmpOptions options = { .record = TRUE };
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *hook_url = NULL;
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = g_build_filename (f->dir, "through-outage.mkv", NULL);
  g_autoptr(GString) sequence = g_string_new (NULL);
  LiveStates states = { g_array_new (FALSE, FALSE, sizeof (PaStreamLiveState)), FALSE, FALSE };
  Preview preview = { 0 };
  PaStreamStats stats;
  gint64 recording_from, recording_to;
  Decoded d;
  double wall;

  server = start_hook (&hook, "/publish", &hook_url);
  options.on_publish = hook_url;
  rtmp = pa_test_rtmp_start (&options, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "outage");
  stream = start_preview_stream (PA_STREAM_AUDIO_TEST_TONE, &preview, 320);
  g_signal_connect (stream, "live-state-changed", G_CALLBACK (on_live_state), &states);
  g_assert_true (start_recording (stream, path, &error));
  g_assert_no_error (error);
  recording_from = g_get_monotonic_time ();
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  run_for (2.0);

  g_test_message ("server killed after 2 s live");
  pa_test_rtmp_kill (rtmp);
  if (!run_until (&states.reconnecting, 10.0))
    g_error ("the live state did not become RECONNECTING within 10 s of the server's end");
  run_for (3.0);
  if (!pa_test_rtmp_restart (rtmp, &error))
    g_error ("nginx did not restart: %s", error->message);
  g_test_message ("server restarted 3 s later on port %u", pa_test_rtmp_get_port (rtmp));
  if (!run_until (&states.on_again, 20.0))
    g_error ("the stream did not reconnect within 20 s of the restart");
  run_for (2.0);
  pa_stream_get_stats (stream, &stats);
  g_assert_true (stop_recording (stream, &error));
  g_assert_no_error (error);
  recording_to = g_get_monotonic_time ();
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);

  for (guint i = 0; i < states.states->len; i++)
    {
      static const char *names[] = { "OFF", "CONNECTING", "ON", "RECONNECTING" };

      g_string_append_printf (sequence, "%s%s", i > 0 ? " → " : "",
                              names[g_array_index (states.states, PaStreamLiveState, i)]);
    }
  g_test_message ("live states: %s; %u reconnect(s) in the stats; on_publish called %u times",
                  sequence->str, stats.reconnects, hook.calls);
  g_assert_cmpstr (sequence->str, ==,
                   "CONNECTING → ON → RECONNECTING → ON → OFF");
  g_assert_cmpuint (stats.reconnects, ==, 1);
  /* The server took the stream twice: before the outage and after. */
  g_assert_cmpuint (hook.calls, ==, 2);

  /* The local recording went on through the outage. */
  d = decode (path, "matroskademux");
  wall = (recording_to - recording_from) / (double) G_USEC_PER_SEC;
  g_test_message ("local recording: %" G_GUINT64_FORMAT " frames over %.3f s, largest gap "
                  "%.0f ms, for %.2f s of wall time", d.frames, span_of (&d),
                  d.max_gap / 1e6, wall);
  g_assert_false (d.error);
  g_assert_true (d.first_is_keyframe);
  g_assert_cmpuint (d.max_gap, <=, 100 * GST_MSECOND);
  /* The recording's start and stop each wait up to a frame, and the
   * calls take a main-loop turn: ±0.3 s of the wall time. */
  g_assert_cmpfloat (fabs (span_of (&d) - wall), <, 0.3);
  g_assert_cmpfloat (fabs (d.frames - (span_of (&d) * 30 + 1)), <=, 2);
  g_array_unref (states.states);
}

/* Stopping live while waiting to reconnect stops it for good. */
static void
test_live_stop_reconnecting (Fixture       *f,
                             gconstpointer  data)
{
  PaTestRtmpOptions options = { 0 };
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *hook_url = NULL;
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  LiveStates states = { g_array_new (FALSE, FALSE, sizeof (PaStreamLiveState)), FALSE, FALSE };
  Preview preview = { 0 };
  gboolean ok_;

  server = start_hook (&hook, "/publish", &hook_url);
  options.on_publish = hook_url;
  rtmp = pa_test_rtmp_start (&options, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "stopped");
  stream = start_preview_stream (PA_STREAM_AUDIO_NONE, &preview, 320);
  g_signal_connect (stream, "live-state-changed", G_CALLBACK (on_live_state), &states);
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  pa_test_rtmp_kill (rtmp);
  if (!run_until (&states.reconnecting, 10.0))
    g_error ("the live state did not become RECONNECTING within 10 s of the server's end");
  CALL (stream, pa_stream_stop_live_async, pa_stream_stop_live_finish, &error);
  g_assert_true (ok_);
  g_assert_no_error (error);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  g_assert_true (pa_test_rtmp_restart (rtmp, &error));
  g_assert_no_error (error);
  /* Longer than the backoff (1 s, then 2 s): no attempt comes. */
  run_for (4.0);
  g_test_message ("stopped while reconnecting: state %d, on_publish called %u times, "
                  "%u state changes", pa_stream_get_live_state (stream), hook.calls,
                  states.states->len);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  g_assert_cmpuint (hook.calls, ==, 1);
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);
  g_array_unref (states.states);
}

/* A server that takes the connection and never answers: going live is
 * cancelled, and nothing is left behind. */
static void
test_live_cancelled (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = start_preview_stream (PA_STREAM_AUDIO_NONE, &preview, 320);
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  /* Listening on loopback, never accepted: the TCP connection is made
   * (the kernel's backlog) and the RTMP handshake waits. */
  g_assert_true (g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                                G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/silent-key",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  pa_stream_go_live_async (stream, url, cancellable, on_done, &result);
  run_for (0.5);
  g_assert_null (result);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_CONNECTING);
  g_cancellable_cancel (cancellable);
  g_assert_false (pa_stream_go_live_finish (stream, wait_result (&result), &error));
  g_test_message ("cancelled while connecting: %s; state %d", error->message,
                  pa_stream_get_live_state (stream));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  g_clear_error (&error);
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);
}

/* Failures of the first connection */

static void
check_live_error (const char *url,
                  int         code,
                  const char *key)
{
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = start_preview_stream (PA_STREAM_AUDIO_NONE, &preview, 320);
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  g_assert_false (go_live (stream, url, &error));
  g_assert_nonnull (error);
  g_test_message ("after %.2f s: [%s %d] %s",
                  (g_get_monotonic_time () - started) / 1e6,
                  g_quark_to_string (error->domain), error->code, error->message);
  g_assert_error (error, PA_ERROR, code);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_null (strstr (error->message, key));
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  /* The stream itself goes on, preview and all. */
  g_clear_error (&error);
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);
}

static void
test_live_refused (Fixture       *f,
                   gconstpointer  data)
{
  PaTestRtmpOptions options = { 0 };
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
  g_autofree char *hook_url = NULL;
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  server = start_hook (&hook, "/refuse", &hook_url);
  options.on_publish = hook_url;
  rtmp = pa_test_rtmp_start (&options, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "wrong-secret-key");
  g_test_message ("nginx asks %s, which answers 403: PA_ERROR_AUTH", hook_url);
  check_live_error (url, PA_ERROR_AUTH, "wrong-secret-key");
  g_assert_cmpuint (hook.calls, ==, 1);
}

static void
test_live_unreachable (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  /* Bound and not listening: connections are refused. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/closed-secret-key",
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_test_message ("nothing listens at %s: PA_ERROR_UNAVAILABLE", url);
  check_live_error (url, PA_ERROR_UNAVAILABLE, "closed-secret-key");
}

/* Recordings on a preview-only stream */

static void
test_record_twice (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *first = g_build_filename (f->dir, "first.mkv", NULL);
  g_autofree char *second = g_build_filename (f->dir, "second.mkv", NULL);
  const char *paths[] = { first, second };
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = start_preview_stream (PA_STREAM_AUDIO_TEST_TONE, &preview, 320);
  g_autoptr(GError) error = NULL;
  PaStreamStats stats;
  gint64 started = g_get_monotonic_time ();
  double seconds;
  guint frames;

  /* No output: the encoders wait. */
  run_for (1.5);
  pa_stream_get_stats (stream, &stats);
  g_test_message ("preview only, 1.5 s: %" G_GUINT64_FORMAT " frames encoded, %u previewed",
                  stats.frames, preview.frames);
  g_assert_cmpuint (stats.frames, ==, 0);
  g_assert_null (pa_stream_get_recording (stream));

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      g_assert_true (start_recording (stream, paths[i], &error));
      g_assert_no_error (error);
      g_assert_nonnull (pa_stream_get_recording (stream));
      run_for (2.0);
      g_assert_true (stop_recording (stream, &error));
      g_assert_no_error (error);
      g_assert_null (pa_stream_get_recording (stream));
      run_for (0.5);
    }
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);

  seconds = (g_get_monotonic_time () - started) / 1e6;
  g_mutex_lock (&preview.lock);
  frames = preview.frames;
  g_mutex_unlock (&preview.lock);
  g_test_message ("preview: %u frames of %d×%d in %.2f s, largest gap %.0f ms",
                  frames, preview.width, preview.height, seconds, preview.max_gap / 1e3);
  g_assert_cmpint (preview.width, ==, 320);
  g_assert_cmpint (preview.height, ==, 180);
  g_assert_cmpuint (frames, >=, (guint) (seconds * 30 * 0.8));
  g_assert_cmpint (preview.max_gap, <, 300 * 1000);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      Decoded d = decode (paths[i], "matroskademux");

      g_test_message ("%s: %" G_GUINT64_FORMAT " frames over %.3f s from %.3f s, first a "
                      "keyframe: %s, AAC: %s", paths[i], d.frames, span_of (&d),
                      d.first / (double) GST_SECOND, d.first_is_keyframe ? "yes" : "no",
                      has_aac (paths[i]) ? "yes" : "no");
      g_assert_false (d.error);
      g_assert_true (d.first_is_keyframe);
      g_assert_cmpuint (d.first, <, 100 * GST_MSECOND);
      g_assert_cmpint (d.width, ==, 1280);
      g_assert_cmpfloat (span_of (&d), >=, 1.8);
      g_assert_cmpfloat (fabs (d.frames - (span_of (&d) * 30 + 1)), <=, 2);
      g_assert_true (has_aac (paths[i]));
    }
}

/* SIGKILL during a recording started on a running stream */

static int
child_record (const char *path)
{
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = start_preview_stream (PA_STREAM_AUDIO_TEST_TONE, &preview, 320);
  g_autoptr(GError) error = NULL;

  if (!start_recording (stream, path, &error))
    {
      g_printerr ("child: %s\n", error->message);
      return 1;
    }
  g_print ("recording\n");
  for (;;)
    g_main_context_iteration (NULL, TRUE);
}

static void
test_record_killed (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *path = g_build_filename (f->dir, "killed.mkv", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autofree char *line = NULL;
  g_autoptr(GError) error = NULL;
  const double n = 4.0;
  Decoded d;

  g_assert_nonnull (self_exe);
  g_subprocess_launcher_setenv (launcher, CHILD_RECORDING_VARIABLE, path, TRUE);
  child = g_subprocess_launcher_spawn (launcher, &error, self_exe, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  /* Once the recording has its first keyframe. */
  line = g_data_input_stream_read_line (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (line, ==, "recording");
  g_usleep ((gulong) (n * G_USEC_PER_SEC));
  g_subprocess_send_signal (child, SIGKILL);
  g_assert_true (g_subprocess_wait (child, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));

  d = decode (path, "matroskademux");
  g_test_message ("killed after %.0f s of recording: %" G_GUINT64_FORMAT " frames over %.2f s%s",
                  n, d.frames, span_of (&d), d.error ? ", ends on an error" : ", plays to its end");
  g_assert_true (d.first_is_keyframe);
  g_assert_cmpint (d.width, ==, 1280);
  g_assert_cmpfloat (span_of (&d), >=, n - 2);
  g_assert_cmpuint (d.frames, >=, (n - 2) * 30);
}

/* Health, as OBS judges it */

static void
test_health (void)
{
  static const struct {
    double         fps;
    guint64        frames;
    guint64        dropped;
    PaStreamHealth health;
  } cases[] = {
    { 30.0, 1000, 0, PA_STREAM_HEALTH_GOOD },
    { 28.5, 1000, 0, PA_STREAM_HEALTH_GOOD },       /* 95 %: not under */
    { 28.4, 1000, 0, PA_STREAM_HEALTH_WARNING },
    { 24.0, 1000, 0, PA_STREAM_HEALTH_WARNING },    /* 80 %: not under */
    { 23.9, 1000, 0, PA_STREAM_HEALTH_BAD },
    { 0.0, 1000, 0, PA_STREAM_HEALTH_BAD },
    { 30.0, 990, 10, PA_STREAM_HEALTH_GOOD },       /* 1 %: not over */
    { 30.0, 989, 11, PA_STREAM_HEALTH_WARNING },
    { 30.0, 950, 50, PA_STREAM_HEALTH_WARNING },    /* 5 %: not over */
    { 30.0, 949, 51, PA_STREAM_HEALTH_BAD },
    { 28.0, 949, 51, PA_STREAM_HEALTH_BAD },        /* the worse of the two */
    { 0.0, 0, 0, PA_STREAM_HEALTH_GOOD },           /* nothing encoded yet */
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PaStreamStats stats = { .fps = cases[i].fps, .frames = cases[i].frames,
                              .dropped = cases[i].dropped, .target_fps = 30.0 };
      g_autofree char *message = NULL;
      PaStreamHealth health = pa_stream_stats_get_health (&stats, &message);

      g_test_message ("%.1f of 30 fps, %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT
                      " dropped → %d (%s)", cases[i].fps, cases[i].dropped,
                      cases[i].frames + cases[i].dropped, health,
                      message != NULL ? message : "no message");
      g_assert_cmpint (health, ==, cases[i].health);
      g_assert_true ((message == NULL) == (health == PA_STREAM_HEALTH_GOOD));
    }
}

/* The audio level */

typedef struct {
  guint  count;
  double rms;
  double peak;
} Levels;

static void
on_audio_level (PaStream *stream,
                double    rms,
                double    peak,
                gpointer  user_data)
{
  Levels *l = user_data;

  l->count++;
  l->rms = rms;
  l->peak = peak;
}

static void
test_audio_level (Fixture       *f,
                  gconstpointer  data)
{
  gboolean tone = GPOINTER_TO_INT (data);
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  Levels levels = { 0 };
  /* The test tone is a sine at 0.2 of full scale: its peak is
   * 20·log10(0.2) = −14.0 dBFS, its RMS 3 dB lower. */
  const double peak = 20 * log10 (0.2), rms = peak - 3.01;

  stream = start_preview_stream (tone ? PA_STREAM_AUDIO_TEST_TONE : PA_STREAM_AUDIO_NONE,
                                 &preview, 320);
  g_signal_connect (stream, "audio-level", G_CALLBACK (on_audio_level), &levels);
  run_for (2.0);
  g_assert_true (stop (stream, &error));
  g_assert_no_error (error);
  g_test_message ("%s: %u levels in 2 s, the last %.1f dB RMS, %.1f dB peak (tone: %.1f, %.1f)",
                  tone ? "test tone" : "no sound", levels.count, levels.rms, levels.peak, rms, peak);
  if (!tone)
    {
      g_assert_cmpuint (levels.count, ==, 0);
      return;
    }
  /* About 15 a second. */
  g_assert_cmpuint (levels.count, >=, 25);
  g_assert_cmpuint (levels.count, <=, 35);
  g_assert_cmpfloat (fabs (levels.rms - rms), <, 1.0);
  g_assert_cmpfloat (fabs (levels.peak - peak), <, 1.0);
}

int
main (int    argc,
      char **argv)
{
  const char *child = g_getenv (CHILD_RECORDING_VARIABLE);

  gst_init (&argc, &argv);
  if (child != NULL)
    return child_record (child);

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream-outputs/health", test_health);
  pa_test_add_needing ("/stream-outputs/audio-level/tone", Fixture, GINT_TO_POINTER (TRUE),
                       fixture_set_up, test_audio_level, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/audio-level/none", Fixture, GINT_TO_POINTER (FALSE),
                       fixture_set_up, test_audio_level, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/record/twice", Fixture, NULL,
                       fixture_set_up, test_record_twice, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/record/killed", Fixture, NULL,
                       fixture_set_up, test_record_killed, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/refused", Fixture, NULL,
                       fixture_set_up, test_live_refused, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/unreachable", Fixture, NULL,
                       fixture_set_up, test_live_unreachable, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/cancelled", Fixture, NULL,
                       fixture_set_up, test_live_cancelled, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/stop-reconnecting", Fixture, NULL,
                       fixture_set_up, test_live_stop_reconnecting, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/publish", Fixture, NULL,
                       fixture_set_up, test_live_publish, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream-outputs/live/reconnect", Fixture, NULL,
                       fixture_set_up, test_live_reconnect, fixture_tear_down, need_plugins);

  return g_test_run ();
}
