/* test-stream-outputs.c — a running stream's outputs on and off: going
 * live to a real RTMP server (nginx) and reading the stream back, the
 * live output reconnecting after the server went away while the
 * recording goes on without a gap, a stalled server (the live output
 * drops frames, counted), stopped while it waits to reconnect,
 * cancelled while connecting, refused and unreachable servers, no RTMP
 * plugin, recordings started and stopped on a preview-only stream, a
 * SIGKILL during such a recording, the health thresholds and the audio
 * level
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
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
#include "test-stream-common.h"

/* Set in the environment of this program run as a child that records
 * (started on a running preview-only stream) until it is killed. */
#define CHILD_RECORDING_VARIABLE "PLAYALTER_TEST_STREAM_OUTPUTS_CHILD"

/* Waiting */

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

#define CALL(stream, async, finish, error, ...) \
  G_STMT_START { \
    g_autoptr(GAsyncResult) result_ = NULL; \
    async (stream, ##__VA_ARGS__, NULL, pa_test_stream_on_done, &result_); \
    ok_ = finish (stream, pa_test_stream_wait (&result_), error); \
  } G_STMT_END

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
  gint64  max_gap_at;  /* when it ended, µs after the first frame */
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
  else if (now - p->last > p->max_gap)
    {
      p->max_gap = now - p->last;
      p->max_gap_at = now - p->first;
    }
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

/* Whether the file at @path has one AAC (MPEG-4 audio) track. */
static gboolean
has_aac (const char *path)
{
  g_autoptr(GstDiscovererInfo) info = pa_test_stream_discover (path);
  GList *streams = gst_discoverer_info_get_audio_streams (info);
  gboolean aac = FALSE;

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
  if (!pa_test_stream_start (stream, &error))
    g_error ("a preview-only stream did not start: %s", error->message);
  return g_steal_pointer (&stream);
}

/* Going live: 10 s of 720p30 with sound, read back from the server */

static void
test_live_publish (PaTestStreamFixture *f,
                   gconstpointer        data)
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
  PaTestStreamDecoded d;
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
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);

  server_path = pa_test_rtmp_get_record_path (rtmp, "ten-seconds");
  pa_test_stream_wait_file_settled (server_path);
  if (!g_file_test (server_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *log = pa_test_rtmp_get_error_log_tail (rtmp);

      g_error ("the server recorded nothing at %s; its log:\n%s", server_path, log);
    }
  d = pa_test_stream_decode (server_path, "flvdemux");
  fps = d.frames > 1 ? (d.frames - 1) / pa_test_stream_decoded_span (&d) : 0;
  g_test_message ("read back from the server: %" G_GUINT64_FORMAT " frames of %d×%d over "
                  "%.3f s (%.2f fps), first a keyframe: %s",
                  d.frames, d.width, d.height, pa_test_stream_decoded_span (&d), fps,
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

/* nginx (recording all when @record) asking the hook at @hook_path on
 * each publish; NULL (the test skips or fails as required) when nginx
 * is missing. */
static PaTestRtmp *
start_rtmp_with_hook (PublishHook  *hook,
                      const char   *hook_path,
                      gboolean      record,
                      SoupServer  **server)
{
  PaTestRtmpOptions options = { .record = record };
  g_autofree char *hook_url = NULL;
  g_autoptr(GError) error = NULL;
  PaTestRtmp *rtmp;

  *server = start_hook (hook, hook_path, &hook_url);
  options.on_publish = hook_url;
  g_test_message ("nginx asks %s on each publish", hook_url);
  rtmp = pa_test_rtmp_start (&options, &error);
  pa_test_require_no_error (error);
  return rtmp;
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

/* Takes the server away and waits for the stream to notice. */
static void
kill_server (PaTestRtmp *rtmp,
             LiveStates *states)
{
  pa_test_rtmp_kill (rtmp);
  if (!run_until (&states->reconnecting, 10.0))
    g_error ("the live state did not become RECONNECTING within 10 s of the server's end");
}

static void
test_live_reconnect (PaTestStreamFixture *f,
                     gconstpointer        data)
{
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
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
  PaTestStreamDecoded d;
  double wall;

  rtmp = start_rtmp_with_hook (&hook, "/publish", TRUE, &server);
  if (rtmp == NULL)
    return;
  url = pa_test_rtmp_get_url (rtmp, "outage");
  stream = start_preview_stream (PA_STREAM_AUDIO_TEST_TONE, &preview, 320);
  g_signal_connect (stream, "live-state-changed", G_CALLBACK (on_live_state), &states);
  /* The recording holds what was captured from the call on (the
   * keyframe asked for is the next frame, however long the encoder
   * takes), up to the stop's call. */
  recording_from = g_get_monotonic_time ();
  g_assert_true (start_recording (stream, path, &error));
  g_assert_no_error (error);
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  run_for (2.0);

  g_test_message ("server killed after 2 s live");
  kill_server (rtmp, &states);
  run_for (3.0);
  if (!pa_test_rtmp_restart (rtmp, &error))
    g_error ("nginx did not restart: %s", error->message);
  g_test_message ("server restarted 3 s later on port %u", pa_test_rtmp_get_port (rtmp));
  if (!run_until (&states.on_again, 20.0))
    g_error ("the stream did not reconnect within 20 s of the restart");
  run_for (2.0);
  pa_stream_get_stats (stream, &stats);
  recording_to = g_get_monotonic_time ();
  g_assert_true (stop_recording (stream, &error));
  g_assert_no_error (error);
  g_assert_true (pa_test_stream_stop (stream, &error));
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
  d = pa_test_stream_decode (path, "matroskademux");
  wall = (recording_to - recording_from) / (double) G_USEC_PER_SEC;
  g_test_message ("local recording: %" G_GUINT64_FORMAT " frames over %.3f s, largest gap "
                  "%.0f ms, for %.2f s of wall time", d.frames, pa_test_stream_decoded_span (&d),
                  d.max_gap / 1e6, wall);
  g_assert_false (d.error);
  g_assert_true (d.first_is_keyframe);
  g_assert_cmpuint (d.max_gap, <=, 100 * GST_MSECOND);
  /* The recording's start and stop each wait up to a frame and a
   * main-loop turn: ±0.3 s of the wall time between the calls. */
  g_assert_cmpfloat (fabs (pa_test_stream_decoded_span (&d) - wall), <, 0.3);
  g_assert_cmpfloat (fabs (d.frames - (pa_test_stream_decoded_span (&d) * 30 + 1)), <=, 2);
  g_array_unref (states.states);
}

/* Stopping live while waiting to reconnect stops it for good. */
static void
test_live_stop_reconnecting (PaTestStreamFixture *f,
                             gconstpointer        data)
{
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStream) stream = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  LiveStates states = { g_array_new (FALSE, FALSE, sizeof (PaStreamLiveState)), FALSE, FALSE };
  Preview preview = { 0 };
  gboolean ok_;

  rtmp = start_rtmp_with_hook (&hook, "/publish", FALSE, &server);
  if (rtmp == NULL)
    return;
  url = pa_test_rtmp_get_url (rtmp, "stopped");
  stream = start_preview_stream (PA_STREAM_AUDIO_NONE, &preview, 320);
  g_signal_connect (stream, "live-state-changed", G_CALLBACK (on_live_state), &states);
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  kill_server (rtmp, &states);
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
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
  g_array_unref (states.states);
}

/* A server that takes the connection and never answers: going live is
 * cancelled, and nothing is left behind. */
static void
test_live_cancelled (PaTestStreamFixture *f,
                     gconstpointer        data)
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
  pa_stream_go_live_async (stream, url, cancellable, pa_test_stream_on_done, &result);
  run_for (0.5);
  g_assert_null (result);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_CONNECTING);
  g_cancellable_cancel (cancellable);
  g_assert_false (pa_stream_go_live_finish (stream, pa_test_stream_wait (&result), &error));
  g_test_message ("cancelled while connecting: %s; state %d", error->message,
                  pa_stream_get_live_state (stream));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  g_clear_error (&error);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
}

/* A server that stalls (frozen: its socket buffers fill): the live
 * output drops frames rather than hold them, the stats count them, the
 * recording goes on whole, and once the server moves again the stream
 * goes on without a reconnect. */
static void
test_live_stalled (PaTestStreamFixture *f,
                   gconstpointer        data)
{
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *path = g_build_filename (f->dir, "stalled.mkv", NULL);
  PaStreamStats stats;
  PaTestStreamDecoded d;
  guint64 dropped_at_thaw;
  gint64 frozen_at;
  double waited;

  rtmp = pa_test_rtmp_start (NULL, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "stalled");
  /* 8 Mbit/s: the loopback's socket buffers fill within seconds. */
  pa_stream_set_encoder (stream, 8000, 1);
  pa_stream_set_preview_sink (stream, gst_element_factory_make ("fakesink", NULL), 320);
  g_assert_true (pa_test_stream_start (stream, &error));
  g_assert_no_error (error);
  g_assert_true (start_recording (stream, path, &error));
  g_assert_no_error (error);
  if (!go_live (stream, url, &error))
    g_error ("going live failed: %s", error->message);
  run_for (1.0);

  pa_test_rtmp_freeze (rtmp, TRUE);
  frozen_at = g_get_monotonic_time ();
  do
    {
      run_for (0.25);
      pa_stream_get_stats (stream, &stats);
      waited = (g_get_monotonic_time () - frozen_at) / 1e6;
    }
  while (stats.dropped == 0 && waited < 30.0);
  g_test_message ("server frozen: the live output dropped its first frames after %.1f s", waited);
  pa_test_rtmp_freeze (rtmp, FALSE);
  g_assert_cmpuint (stats.dropped, >, 0);
  run_for (3.0);
  pa_stream_get_stats (stream, &stats);
  dropped_at_thaw = stats.dropped;
  run_for (2.0);
  pa_stream_get_stats (stream, &stats);
  g_test_message ("server going again: %" G_GUINT64_FORMAT " frames dropped (%" G_GUINT64_FORMAT
                  " 3 s after the thaw), live state %d, %u reconnects",
                  stats.dropped, dropped_at_thaw, pa_stream_get_live_state (stream),
                  stats.reconnects);
  g_assert_cmpuint (stats.dropped, ==, dropped_at_thaw);
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_ON);
  g_assert_cmpuint (stats.reconnects, ==, 0);
  g_assert_true (stop_recording (stream, &error));
  g_assert_no_error (error);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);

  d = pa_test_stream_decode (path, "matroskademux");
  g_test_message ("local recording: %" G_GUINT64_FORMAT " frames over %.2f s, largest gap %.0f ms",
                  d.frames, pa_test_stream_decoded_span (&d), d.max_gap / 1e6);
  g_assert_false (d.error);
  g_assert_cmpuint (d.max_gap, <=, 100 * GST_MSECOND);
  g_assert_cmpfloat (fabs (d.frames - (pa_test_stream_decoded_span (&d) * 30 + 1)), <=, 2);
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
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
}

static void
test_live_refused (PaTestStreamFixture *f,
                   gconstpointer        data)
{
  PublishHook hook = { 0 };
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autofree char *url = NULL;

  rtmp = start_rtmp_with_hook (&hook, "/refuse", FALSE, &server);
  if (rtmp == NULL)
    return;
  url = pa_test_rtmp_get_url (rtmp, "wrong-secret-key");
  g_test_message ("the hook answers 403: PA_ERROR_AUTH");
  check_live_error (url, PA_ERROR_AUTH, "wrong-secret-key");
  g_assert_cmpuint (hook.calls, ==, 1);
}

static void
test_live_unreachable (PaTestStreamFixture *f,
                       gconstpointer        data)
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

/* Without rtmp2sink (taken out of the registry for the test), going
 * live says which Debian package to install; the stream goes on. */
static void
test_live_no_plugin (PaTestStreamFixture *f,
                     gconstpointer        data)
{
  GstRegistry *registry = gst_registry_get ();
  g_autoptr(GstPluginFeature) feature = gst_registry_lookup_feature (registry, "rtmp2sink");
  Preview preview = { 0 };
  g_autoptr(PaStream) stream = start_preview_stream (PA_STREAM_AUDIO_NONE, &preview, 320);
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (feature);
  gst_registry_remove_feature (registry, feature);
  g_assert_false (go_live (stream, "rtmp://127.0.0.1:1/live/missing-plugin-key", &error));
  gst_registry_add_feature (registry, g_object_ref (feature));
  g_test_message ("without rtmp2sink: [%s %d] %s", g_quark_to_string (error->domain),
                  error->code, error->message);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gstreamer1.0-plugins-bad"));
  g_assert_null (strstr (error->message, "missing-plugin-key"));
  g_assert_cmpint (pa_stream_get_live_state (stream), ==, PA_STREAM_LIVE_OFF);
  g_clear_error (&error);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
}

/* Recordings on a preview-only stream */

static void
test_record_twice (PaTestStreamFixture *f,
                   gconstpointer        data)
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
      g_test_message ("recording %u starts at %.2f s", i + 1,
                      (g_get_monotonic_time () - preview.first) / 1e6);
      g_assert_true (start_recording (stream, paths[i], &error));
      g_assert_no_error (error);
      g_assert_nonnull (pa_stream_get_recording (stream));
      run_for (2.0);
      g_test_message ("recording %u stops at %.2f s", i + 1,
                      (g_get_monotonic_time () - preview.first) / 1e6);
      g_assert_true (stop_recording (stream, &error));
      g_assert_no_error (error);
      g_assert_null (pa_stream_get_recording (stream));
      run_for (0.5);
    }
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);

  seconds = (g_get_monotonic_time () - started) / 1e6;
  g_mutex_lock (&preview.lock);
  frames = preview.frames;
  g_mutex_unlock (&preview.lock);
  g_test_message ("preview: %u frames of %d×%d in %.2f s, largest gap %.0f ms (up to %.2f s)",
                  frames, preview.width, preview.height, seconds, preview.max_gap / 1e3,
                  preview.max_gap_at / 1e6);
  g_assert_cmpint (preview.width, ==, 320);
  g_assert_cmpint (preview.height, ==, 180);
  g_assert_cmpuint (frames, >=, (guint) (seconds * 30 * 0.8));
  /* A preview held up by an output would stall for a whole start or
   * stop; a machine shared with other work, or a sanitizer's slow
   * malloc while x264 warms up, may starve its thread for half a
   * second. */
  g_assert_cmpint (preview.max_gap, <, G_USEC_PER_SEC);

  for (guint i = 0; i < G_N_ELEMENTS (paths); i++)
    {
      PaTestStreamDecoded d = pa_test_stream_decode (paths[i], "matroskademux");

      g_test_message ("%s: %" G_GUINT64_FORMAT " frames over %.3f s from %.3f s, first a "
                      "keyframe: %s, AAC: %s", paths[i], d.frames, pa_test_stream_decoded_span (&d),
                      d.first / (double) GST_SECOND, d.first_is_keyframe ? "yes" : "no",
                      has_aac (paths[i]) ? "yes" : "no");
      g_assert_false (d.error);
      g_assert_true (d.first_is_keyframe);
      g_assert_cmpuint (d.first, <, 100 * GST_MSECOND);
      g_assert_cmpint (d.width, ==, 1280);
      g_assert_cmpfloat (pa_test_stream_decoded_span (&d), >=, 1.8);
      g_assert_cmpfloat (fabs (d.frames - (pa_test_stream_decoded_span (&d) * 30 + 1)), <=, 2);
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

  return pa_test_stream_child_run (start_recording (stream, path, &error), error);
}

static void
test_record_killed (PaTestStreamFixture *f,
                    gconstpointer        data)
{
  g_autofree char *path = g_build_filename (f->dir, "killed.mkv", NULL);
  const double n = 4.0;
  PaTestStreamDecoded d;

  pa_test_stream_kill_recording_child (CHILD_RECORDING_VARIABLE, path, n);
  d = pa_test_stream_decode (path, "matroskademux");
  g_test_message ("killed after %.0f s of recording: %" G_GUINT64_FORMAT " frames over %.2f s%s",
                  n, d.frames, pa_test_stream_decoded_span (&d),
                  d.error ? ", ends on an error" : ", plays to its end");
  g_assert_true (d.first_is_keyframe);
  g_assert_cmpint (d.width, ==, 1280);
  g_assert_cmpfloat (pa_test_stream_decoded_span (&d), >=, n - 2);
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
test_audio_level (PaTestStreamFixture *f,
                  gconstpointer        data)
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
  g_assert_true (pa_test_stream_stop (stream, &error));
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
  pa_test_add_needing ("/stream-outputs/audio-level/tone", PaTestStreamFixture, GINT_TO_POINTER (TRUE),
                       pa_test_stream_fixture_set_up, test_audio_level,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/audio-level/none", PaTestStreamFixture, GINT_TO_POINTER (FALSE),
                       pa_test_stream_fixture_set_up, test_audio_level,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/record/twice", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_record_twice,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/record/killed", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_record_killed,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/refused", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_refused,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/unreachable", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_unreachable,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/cancelled", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_cancelled,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/stop-reconnecting", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_stop_reconnecting,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/stalled", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_stalled,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/no-plugin", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_no_plugin,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/publish", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_publish,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream-outputs/live/reconnect", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_live_reconnect,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);

  return g_test_run ();
}
