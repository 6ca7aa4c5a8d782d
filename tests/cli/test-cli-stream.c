/* test-cli-stream.c — `playalter-cli stream` and `stream-destination`
 * against a real RTMP server (nginx on loopback) and a real private
 * keyring; the presets and the URL checks of the stream layer
 *
 * Checks: a stream published to nginx and recorded at once (stats once a
 * second, nginx got it under its key, the recording is H.264 + AAC of the
 * right length, it joined the gallery, the key printed nowhere); --json
 * lines; Ctrl-C mid-stream; a refused publish, a closed port, a missing
 * file and bad URLs; saved destinations (add/list/remove, publish by
 * name); every preset valid for the encoder and its destination.
 *
 * SPDX-License-Identifier: MIT
 */
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-keyring.h"
#include "pa-test-photos.h"
#include "pa-test-rtmp.h"

/* Unique enough to be searched for in everything the CLI said. */
#define STREAM_KEY "cli-key-5f3e1c9a"

typedef struct {
  PaTestKeyring *keyring;
  char          *data_dir;
  SoupServer    *hook_server;
  char          *hook_url;
  guint          hook_status;   /* what on_publish answers */
  guint          hook_calls;
  char          *hook_name;     /* the stream key nginx was given */
  PaTestRtmp    *rtmp;
} Fixture;

static void
on_publish_request (SoupServer        *server,
                    SoupServerMessage *message,
                    const char        *path,
                    GHashTable        *query,
                    gpointer           user_data)
{
  Fixture *f = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  g_autoptr(GHashTable) form = soup_form_decode (text);

  f->hook_calls++;
  g_free (f->hook_name);
  f->hook_name = g_strdup (g_hash_table_lookup (form, "name"));
  soup_server_message_set_status (message, f->hook_status, NULL);
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  f->keyring = pa_test_keyring_start (&error);
  g_assert_no_error (error);
  f->data_dir = pa_test_cli_data_dir_new ();

  /* nginx asks this server about each publish (on_publish): it learns
   * the key nginx got, and can refuse it. */
  f->hook_status = SOUP_STATUS_OK;
  f->hook_server = soup_server_new (NULL, NULL);
  soup_server_add_handler (f->hook_server, "/publish", on_publish_request, f, NULL);
  g_assert_true (soup_server_listen_local (f->hook_server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (f->hook_server);
  f->hook_url = g_strdup_printf ("http://127.0.0.1:%d/publish", g_uri_get_port (uris->data));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->rtmp, pa_test_rtmp_stop);
  g_clear_object (&f->hook_server);
  g_clear_pointer (&f->hook_url, g_free);
  g_clear_pointer (&f->hook_name, g_free);
  g_clear_pointer (&f->data_dir, pa_test_cli_data_dir_free);
  g_clear_pointer (&f->keyring, pa_test_keyring_stop);
}

/* nginx recording every stream, asking the hook about each. */
static gboolean
start_rtmp (Fixture *f)
{
  PaTestRtmpOptions options = { .record = TRUE, .on_publish = f->hook_url };
  g_autoptr(GError) error = NULL;

  f->rtmp = pa_test_rtmp_start (&options, &error);
  return pa_test_require_no_error (error);
}

/* Running the CLI while this thread's main context goes on (the hook
 * answers nginx from it, so pa_test_cli_run()'s blocking wait would
 * leave nginx waiting). */

typedef struct {
  gboolean  done;
  char     *out;
  char     *err;
} Communication;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communication *c = user_data;
  g_autoptr(GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, &c->out, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

static GSubprocess *
spawn_cli (Fixture            *f,
           const char         *input,
           const char * const *args)
{
  g_autoptr(GPtrArray) argv = pa_test_cli_argv_new (f->data_dir);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;

  /* The array borrows its strings (pa_test_cli_argv_new()'s are static
   * or the fixture's), and so do these: the caller's outlive the spawn. */
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  {
    g_autofree char *line = g_strjoinv (" ", (char **) argv->pdata);
    g_test_message ("$ %s", line);
  }

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE |
                                        (input != NULL ? G_SUBPROCESS_FLAGS_STDIN_PIPE : 0));
  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static void
run_cli (Fixture            *f,
         PaTestCliResult    *result,
         const char         *input,
         const char * const *args)
{
  g_autoptr(GSubprocess) proc = spawn_cli (f, input, args);
  Communication c = { 0 };
  gint64 deadline = g_get_monotonic_time () + 90 * G_USEC_PER_SEC;

  pa_test_cli_result_clear (result);
  g_subprocess_communicate_utf8_async (proc, input, NULL, communicate_cb, &c);
  while (!c.done && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  if (!c.done)
    g_error ("playalter-cli did not end within 90 s");
  g_subprocess_wait (proc, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (proc));
  result->status = g_subprocess_get_exit_status (proc);
  result->out = c.out;
  result->err = c.err;
  g_test_message ("exit %d\n--- stdout\n%s--- stderr\n%s---", result->status,
                  result->out, result->err);
}

static void
assert_no_key (const PaTestCliResult *result,
               const char            *key)
{
  if (strstr (result->out, key) != NULL || strstr (result->err, key) != NULL)
    g_error ("the stream key %s was printed", key);
}

/* Lines of stdout that are stats lines ("MM:SS  F/T fps …"). */
static guint
count_stats_lines (const char *out)
{
  g_auto(GStrv) lines = g_strsplit (out, "\n", -1);
  guint n = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], " fps ") != NULL && strstr (lines[i], "kbit/s") != NULL)
      n++;
  return n;
}

/* What a recording holds: H.264 (+ AAC @with_audio), and its length in
 * seconds. */
static double
check_recording (const char *path,
                 gboolean    with_audio)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr(GstDiscovererInfo) info = NULL;
  GList *video, *audio;
  g_autoptr(GstCaps) video_caps = NULL;
  g_autoptr(GstCaps) audio_caps = NULL;
  double duration;

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  video = gst_discoverer_info_get_video_streams (info);
  audio = gst_discoverer_info_get_audio_streams (info);
  g_assert_cmpuint (g_list_length (video), ==, 1);
  g_assert_cmpuint (g_list_length (audio), ==, with_audio ? 1 : 0);
  video_caps = gst_discoverer_stream_info_get_caps (video->data);
  duration = gst_discoverer_info_get_duration (info) / (double) GST_SECOND;
  g_test_message ("recording %s: %.2f s, %s", path, duration,
                  gst_structure_get_name (gst_caps_get_structure (video_caps, 0)));
  g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (video_caps, 0)), ==, "video/x-h264");
  if (with_audio)
    {
      audio_caps = gst_discoverer_stream_info_get_caps (audio->data);
      g_autofree char *caps_text = gst_caps_to_string (audio_caps);

      g_test_message ("audio: %s", caps_text);
      g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (audio_caps, 0)), ==, "audio/mpeg");
    }
  gst_discoverer_stream_info_list_free (video);
  gst_discoverer_stream_info_list_free (audio);
  return duration;
}

static void
assert_asset (Fixture    *f,
              const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = pa_store_open (f->data_dir, &error);
  g_autoptr(PaAssetRecord) asset = NULL;

  g_assert_no_error (error);
  asset = pa_store_get_asset (store, path, &error);
  g_assert_no_error (error);
  g_test_message ("asset %" G_GINT64_FORMAT ": %s %s", asset->id, asset->kind, asset->path);
  g_assert_cmpstr (asset->kind, ==, "video");
  g_assert_cmpuint (strlen (asset->sha256), ==, 64);
}

/* nginx's recording of @key: there, and not empty. */
static void
assert_nginx_got (Fixture    *f,
                  const char *key)
{
  g_autofree char *path = pa_test_rtmp_get_record_path (f->rtmp, key);
  GStatBuf st;

  if (g_stat (path, &st) != 0 || st.st_size < 10000)
    {
      g_autofree char *log = pa_test_rtmp_get_error_log_tail (f->rtmp);
      g_error ("nginx recorded nothing at %s; its log:\n%s", path, log);
    }
  g_test_message ("nginx recorded %" G_GINT64_FORMAT " bytes at %s", (gint64) st.st_size, path);
  g_assert_cmpuint (f->hook_calls, >=, 1);
  g_assert_cmpstr (f->hook_name, ==, key);
}

/* Live to nginx and recorded, 5 s. */
static void
test_stream_rtmp_and_record (Fixture       *f,
                             gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *url = NULL;
  g_autofree char *record = g_build_filename (f->data_dir, "live.mkv", NULL);
  guint n_stats;

  if (!start_rtmp (f))
    return;
  url = pa_test_rtmp_get_url (f->rtmp, STREAM_KEY);
  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "test", "--audio", "test", "--rtmp", url,
    "--record", record, "--duration", "5", NULL });

  g_test_message ("checks: exit 0, about 5 stats lines, the key nowhere, nginx got it, the file, the asset");
  g_assert_cmpint (result.status, ==, 0);
  n_stats = count_stats_lines (result.out);
  g_test_message ("%u stats lines", n_stats);
  g_assert_cmpuint (n_stats, >=, 4);
  g_assert_cmpuint (n_stats, <=, 6);
  g_assert_nonnull (strstr (result.out, "/live/••••"));
  /* The live state, in the C locale the test runs in. */
  if (strstr (result.out, " fps ") == NULL || strstr (result.out, "%  live") == NULL)
    g_error ("no stats line says the stream is live");
  assert_no_key (&result, STREAM_KEY);
  assert_nginx_got (f, STREAM_KEY);
  g_assert_cmpfloat_with_epsilon (check_recording (record, TRUE), 5.0, 0.6);
  assert_asset (f, record);
}

/* --json: one object a line, each with its fields. */
static void
test_stream_json (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *record = g_build_filename (f->data_dir, "json.mkv", NULL);
  g_auto(GStrv) lines = NULL;
  guint n_stats = 0;
  gboolean stopped = FALSE;
  const char *stats_fields[] = { "time_live", "fps", "target_fps", "bitrate", "frames",
                                 "dropped", "late", "encoder_load", "reconnects",
                                 "live_state", "health", "warning", NULL };

  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "test", "--audio", "none", "--record", record,
    "--duration", "3", "--json", NULL });

  g_test_message ("checks: exit 0, every stdout line a JSON object, stats with all their fields, a last stopped event");
  g_assert_cmpint (result.status, ==, 0);
  lines = g_strsplit (result.out, "\n", -1);
  for (guint i = 0; lines[i] != NULL && lines[i][0] != '\0'; i++)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autoptr(GError) error = NULL;
      JsonObject *object;
      const char *event;

      json_parser_load_from_data (parser, lines[i], -1, &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
      object = json_node_get_object (json_parser_get_root (parser));
      event = json_object_get_string_member (object, "event");
      if (g_str_equal (event, "stats"))
        {
          for (guint j = 0; stats_fields[j] != NULL; j++)
            if (!json_object_has_member (object, stats_fields[j]))
              g_error ("stats line without %s: %s", stats_fields[j], lines[i]);
          g_assert_cmpfloat (json_object_get_double_member (object, "target_fps"), ==, 30);
          g_assert_cmpstr (json_object_get_string_member (object, "live_state"), ==, "off");
          if (!g_strv_contains ((const char *[]) { "good", "warning", "bad", NULL },
                                json_object_get_string_member (object, "health")))
            g_error ("stats line with an unknown health: %s", lines[i]);
          n_stats++;
        }
      else if (g_str_equal (event, "stopped"))
        {
          g_assert_true (json_object_get_boolean_member (object, "ok"));
          g_assert_cmpstr (json_object_get_string_member (object, "recording"), ==, record);
          g_assert_cmpint (json_object_get_int_member (object, "asset_id"), >, 0);
          stopped = TRUE;
        }
      else
        g_assert_cmpstr (event, ==, "started");
    }
  g_test_message ("%u stats objects", n_stats);
  g_assert_cmpuint (n_stats, >=, 2);
  g_assert_true (stopped);
  /* The last second of frames is enough to tell the length. */
  g_assert_cmpfloat_with_epsilon (check_recording (record, FALSE), 3.0, 0.6);
}

/* Ctrl-C after two seconds of figures: a clean stop. */
static void
test_stream_interrupt (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *record = g_build_filename (f->data_dir, "interrupted.mkv", NULL);
  g_autoptr(GSubprocess) proc = spawn_cli (f, NULL, (const char *[]) {
    "stream", "--source", "test", "--audio", "test", "--record", record, NULL });
  g_autoptr(GDataInputStream) out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (proc));
  g_autoptr(GError) error = NULL;
  guint n_stats = 0;
  double duration;

  g_test_message ("checks: SIGINT after 2 stats lines → exit 0, a playable recording, in the gallery");
  while (n_stats < 2)
    {
      g_autofree char *line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL)
        g_error ("playalter-cli ended before its figures");
      g_test_message ("stdout: %s", line);
      if (strstr (line, " fps ") != NULL)
        n_stats++;
    }
  g_subprocess_send_signal (proc, SIGINT);
  g_subprocess_wait (proc, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (proc));
  g_test_message ("exit %d", g_subprocess_get_exit_status (proc));
  g_assert_cmpint (g_subprocess_get_exit_status (proc), ==, 0);
  duration = check_recording (record, TRUE);
  g_assert_cmpfloat (duration, >=, 1.5);
  g_assert_cmpfloat (duration, <=, 5.0);
  assert_asset (f, record);
}

/* The first and the last frame of a recording, as RGB. */
static void
first_and_last_frames (const char  *path,
                       GstSample  **first,
                       GstSample  **last)
{
  g_autofree char *description = g_strdup_printf (
    "filesrc location=\"%s\" ! matroskademux ! h264parse ! avdec_h264 ! videoconvert ! "
    "video/x-raw,format=RGB ! appsink name=sink sync=false", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch (description, &error);
  g_autoptr(GstElement) sink = NULL;
  GstSample *sample;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  *first = *last = NULL;
  while ((sample = gst_app_sink_pull_sample (GST_APP_SINK (sink))) != NULL)
    {
      if (*first == NULL)
        *first = sample;
      else
        {
          g_clear_pointer (last, gst_sample_unref);
          *last = sample;
        }
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  g_assert_nonnull (*first);
  g_assert_nonnull (*last);
}

/* Mean absolute difference of two RGB frames inside a box. */
static double
box_difference (GstSample *a,
                GstSample *b,
                int        x0,
                int        y0,
                int        w,
                int        h)
{
  GstVideoInfo info;
  GstMapInfo ma, mb;
  guint64 sum = 0;

  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (a)));
  g_assert_true (gst_buffer_map (gst_sample_get_buffer (a), &ma, GST_MAP_READ));
  g_assert_true (gst_buffer_map (gst_sample_get_buffer (b), &mb, GST_MAP_READ));
  for (int y = y0; y < y0 + h; y++)
    for (int x = x0 * 3; x < (x0 + w) * 3; x++)
      {
        gsize at = (gsize) y * GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) + x;

        sum += ABS ((int) ma.data[at] - (int) mb.data[at]);
      }
  gst_buffer_unmap (gst_sample_get_buffer (a), &ma);
  gst_buffer_unmap (gst_sample_get_buffer (b), &mb);
  return sum / (double) (w * h * 3);
}

/* --face on a still picture: the face in the recording changes (the
 * first frame goes out before the first detection, unswapped), the
 * rest of the picture does not. */
static void
test_stream_face (Fixture       *f,
                  gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *record = g_build_filename (f->data_dir, "face.mkv", NULL);
  g_autofree char *picture = pa_test_photo_path ("astronaut.png");
  g_autofree char *face = pa_test_photo_path ("grace_hopper.jpg");
  GstSample *first = NULL, *last = NULL;
  double face_change, background_change;

  if (picture == NULL || face == NULL)
    return;
  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", picture, "--face", face, "--record", record, "--duration", "3", NULL });
  g_test_message ("checks: exit 0; in the 720p recording the face (around 600,190) changes between the first and last frames, the flag (around 330,400) does not");
  g_assert_cmpint (result.status, ==, 0);
  first_and_last_frames (record, &first, &last);
  face_change = box_difference (first, last, 540, 110, 120, 160);
  background_change = box_difference (first, last, 290, 300, 80, 120);
  g_test_message ("mean change: face %.1f, background %.1f (of 255)", face_change, background_change);
  g_assert_cmpfloat (face_change, >, 8.0);
  g_assert_cmpfloat (background_change, <, 6.0);
  gst_sample_unref (first);
  gst_sample_unref (last);
}

/* The server refuses the key (on_publish answers 403). */
static void
test_stream_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *url = NULL;

  f->hook_status = SOUP_STATUS_FORBIDDEN;
  if (!start_rtmp (f))
    return;
  url = pa_test_rtmp_get_url (f->rtmp, STREAM_KEY);
  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "test", "--rtmp", url, "--duration", "5", NULL });

  g_test_message ("checks: exit 1, one line that names the server and says it refused, no key");
  g_assert_cmpint (result.status, ==, 1);
  g_assert_cmpuint (f->hook_calls, ==, 1);
  g_assert_nonnull (strstr (result.err, "127.0.0.1"));
  g_assert_nonnull (strstr (result.err, "refused"));
  assert_no_key (&result, STREAM_KEY);
}

/* Nothing listens at the port. */
static void
test_stream_no_server (Fixture       *f,
                       gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/" STREAM_KEY,
                         g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  g_socket_close (socket, NULL);

  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "test", "--rtmp", url, "--duration", "5", NULL });
  g_test_message ("checks: exit 1, the server named as unreachable, no key");
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "cannot be reached"));
  assert_no_key (&result, STREAM_KEY);
}

/* What is refused before anything starts. */
static void
test_stream_usage_errors (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *record = g_build_filename (f->data_dir, "never.mkv", NULL);
  g_autofree char *long_url = g_strdup_printf ("rtmp://127.0.0.1/live/%0*d", 3000, 0);
  struct {
    const char *what;
    const char *args[12];
    int         status;
    const char *says;
  } cases[] = {
    { "a missing file", { "stream", "--source", "/nonexistent/clip.mp4", "--record", NULL, NULL }, 1, "clip.mp4" },
    { "http://", { "stream", "--rtmp", "http://127.0.0.1/live/" STREAM_KEY, NULL }, 2, "rtmp://" },
    { "userinfo", { "stream", "--rtmp", "rtmp://me:" STREAM_KEY "@127.0.0.1/live/x", NULL }, 2, "user name" },
    { "a control character", { "stream", "--rtmp", "rtmp://127.0.0.1/live/a\tb", NULL }, 2, "control" },
    { "no key", { "stream", "--rtmp", "rtmp://127.0.0.1/live", NULL }, 2, "stream key" },
    { "an absurd length", { "stream", "--rtmp", NULL, NULL }, 2, "longer" },
    { "two live outputs", { "stream", "--rtmp", "rtmp://127.0.0.1/live/k", "--destination", "x", NULL }, 2, "only one" },
    { "no output", { "stream", "--source", "test", NULL }, 2, "Nothing to do" },
    { "an unknown preset", { "stream", "--preset", "8k120", "--record", NULL, NULL }, 2, "rtmp-720p30" },
    { "an unknown destination", { "stream", "--destination", "nowhere", NULL }, 1, "nowhere" },
    { "no camera", { "stream", "--source", "camera:/dev/video63", "--record", NULL, NULL }, 1, "camera" },
    { "no microphone", { "stream", "--audio", "mic:no-such-microphone", "--record", NULL, NULL }, 1, "microphone" },
    { "a missing face", { "stream", "--face", "/nonexistent/face.jpg", "--record", NULL, NULL }, 1, "face.jpg" },
  };

  cases[0].args[4] = record;
  cases[5].args[2] = long_url;
  cases[8].args[4] = record;
  cases[10].args[4] = record;
  cases[11].args[4] = record;
  cases[12].args[4] = record;
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PaTestCliResult) result = { 0 };

      g_test_message ("checks: %s → exit %d, one line saying “%s”, no key", cases[i].what,
                      cases[i].status, cases[i].says);
      run_cli (f, &result, NULL, cases[i].args);
      g_assert_cmpint (result.status, ==, cases[i].status);
      pa_test_assert_one_line (result.err);
      if (strstr (result.err, cases[i].says) == NULL)
        g_error ("%s: the message does not say “%s”: %s", cases[i].what, cases[i].says, result.err);
      assert_no_key (&result, STREAM_KEY);
      /* A start that failed may leave an empty file behind, never a
       * recording. */
      if (g_file_test (record, G_FILE_TEST_EXISTS))
        {
          GStatBuf st;

          g_assert_cmpint (g_stat (record, &st), ==, 0);
          g_assert_cmpint (st.st_size, <, 10000);
          g_unlink (record);
        }
    }
}

/* The screen of the X server the test runs under (Xvfb). */
static void
test_stream_screen (Fixture       *f,
                    gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *record = g_build_filename (f->data_dir, "screen.mkv", NULL);

  if (g_getenv ("DISPLAY") == NULL)
    g_error ("no X display: run the test under xvfb-run");
  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "screen", "--record", record, "--duration", "2", NULL });
  g_test_message ("checks: exit 0, a 2 s recording of the screen");
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpfloat_with_epsilon (check_recording (record, FALSE), 2.0, 0.6);
}

/* A saved destination: add (key on stdin), list, publish, remove. */
static void
test_destinations (Fixture       *f,
                   gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *server = NULL;
  g_autoptr(PaSecretString) stored = NULL;
  g_autoptr(PaSecretString) gone = NULL;
  g_autofree char *expected = NULL;

  if (!start_rtmp (f))
    return;
  url = pa_test_rtmp_get_url (f->rtmp, "");
  server = g_strndup (url, strlen (url) - 1);

  g_test_message ("checks: add refuses a URL with a key-like query and an http URL");
  run_cli (f, &result, STREAM_KEY "\n", (const char *[]) {
    "stream-destination", "add", "local", "--url", "http://127.0.0.1/live", NULL });
  g_assert_cmpint (result.status, ==, 2);
  run_cli (f, &result, STREAM_KEY "\n", (const char *[]) {
    "stream-destination", "add", "local", "--url", "rtmp://127.0.0.1/live?key=1", NULL });
  g_assert_cmpint (result.status, ==, 2);

  g_test_message ("checks: add with the key piped in → exit 0, key in the keyring, not printed");
  run_cli (f, &result, STREAM_KEY "\n", (const char *[]) {
    "stream-destination", "add", "local", "--url", server, NULL });
  g_assert_cmpint (result.status, ==, 0);
  assert_no_key (&result, STREAM_KEY);
  stored = pa_secrets_lookup_sync (secrets, "rtmp", "local", "stream-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, STREAM_KEY);

  g_test_message ("checks: list shows the name and server, never the key");
  run_cli (f, &result, NULL, (const char *[]) { "stream-destination", "list", NULL });
  g_assert_cmpint (result.status, ==, 0);
  expected = g_strdup_printf ("local\t%s\n", server);
  g_assert_cmpstr (result.out, ==, expected);
  assert_no_key (&result, STREAM_KEY);
  run_cli (f, &result, NULL, (const char *[]) { "stream-destination", "list", "--json", NULL });
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "\"name\":\"local\""));
  assert_no_key (&result, STREAM_KEY);

  g_test_message ("checks: --destination local publishes to nginx under the key");
  run_cli (f, &result, NULL, (const char *[]) {
    "stream", "--source", "test", "--audio", "test", "--destination", "local",
    "--preset", "rtmp-480p30", "--duration", "3", NULL });
  g_assert_cmpint (result.status, ==, 0);
  assert_no_key (&result, STREAM_KEY);
  assert_nginx_got (f, STREAM_KEY);

  g_test_message ("checks: remove → gone from the list and the keyring; again → not found");
  run_cli (f, &result, NULL, (const char *[]) { "stream-destination", "remove", "local", NULL });
  g_assert_cmpint (result.status, ==, 0);
  run_cli (f, &result, NULL, (const char *[]) { "stream-destination", "list", "--json", NULL });
  g_assert_cmpstr (result.out, ==, "");
  gone = pa_secrets_lookup_sync (secrets, "rtmp", "local", "stream-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  run_cli (f, &result, NULL, (const char *[]) { "stream-destination", "remove", "local", NULL });
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
}

/* An Agora destination against a small Media Gateway peer: the stream
 * key is made once, kept in the keyring with the account, reused while
 * the gateway knows it, and made again once it is gone. Agora publishes
 * no API contract for the Media Gateway, so the peer is scripted after
 * its documented streaming-key paths and answers, as the Agora client's
 * own test (tests/platforms/test-agora.c) does. */

#define AGORA_APP_ID "970CA35de60c44645bbae8a215061b33"

typedef struct {
  GHashTable *keys;      /* stream key → "channel/uid" */
  guint       creates;
  guint       gets;
  guint       next;
} Gateway;

static void
gateway_answer (SoupServerMessage *msg,
                guint              status,
                const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static char *
gateway_key_json (const char *key,
                  const char *channel_uid)
{
  g_auto(GStrv) parts = g_strsplit (channel_uid, "/", 2);

  return g_strdup_printf ("{\"status\":\"success\",\"data\":{\"streamKey\":\"%s\",\"channel\":\"%s\","
                          "\"uid\":\"%s\",\"expiresAfter\":0,\"createdAt\":\"1686820170\"}}",
                          key, parts[0], parts[1]);
}

/* POST /na/v1/projects/APP/rtls/ingress/streamkeys and GET …/KEY. */
static void
gateway_handler (SoupServer        *server,
                 SoupServerMessage *msg,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  Gateway *gateway = user_data;
  g_autofree char *prefix = g_strdup_printf ("/na/v1/projects/%s/rtls/ingress/streamkeys", AGORA_APP_ID);
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *answer = NULL;

  if (g_str_equal (path, prefix) && g_str_equal (method, "POST"))
    {
      SoupMessageBody *body = soup_server_message_get_request_body (msg);
      g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
      g_autoptr(JsonParser) parser = json_parser_new ();
      JsonObject *settings;
      g_autofree char *key = g_strdup_printf ("agora-key-%u", ++gateway->next);

      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (bytes, NULL),
                                                 g_bytes_get_size (bytes), NULL));
      settings = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                                "settings");
      g_hash_table_insert (gateway->keys, g_strdup (key),
                           g_strdup_printf ("%s/%s", json_object_get_string_member (settings, "channel"),
                                            json_object_get_string_member (settings, "uid")));
      gateway->creates++;
      answer = gateway_key_json (key, g_hash_table_lookup (gateway->keys, key));
      gateway_answer (msg, 200, answer);
    }
  else if (g_str_has_prefix (path, prefix) && path[strlen (prefix)] == '/' && g_str_equal (method, "GET"))
    {
      const char *key = path + strlen (prefix) + 1;
      const char *channel_uid = g_hash_table_lookup (gateway->keys, key);

      gateway->gets++;
      if (channel_uid == NULL)
        {
          gateway_answer (msg, 404, "{\"message\":\"Resource is not found and destroyed.\"}");
          return;
        }
      answer = gateway_key_json (key, channel_uid);
      gateway_answer (msg, 200, answer);
    }
  else
    gateway_answer (msg, 404, "{\"message\":\"Resource is not found and destroyed.\"}");
}

typedef struct {
  gboolean  done;
  char     *url;
  GError   *error;
} Resolved;

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolved *r = user_data;

  r->url = pa_stream_destination_resolve_finish (PA_STREAM_DESTINATION (source), result, &r->error);
  r->done = TRUE;
}

static char *
resolve (PaStreamDestination *destination)
{
  Resolved r = { 0 };

  pa_stream_destination_resolve_async (destination, NULL, resolved_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_no_error (r.error);
  return r.url;
}

static void
test_agora_destination (Fixture       *f,
                        gconstpointer  data)
{
  Gateway gateway = { g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) provider = pa_keyring_credentials_new (secrets);
  g_autoptr(PaAgora) agora = NULL;
  g_autoptr(PaStreamDestination) destination = NULL;
  g_autoptr(PaSecretString) kept = NULL;
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;
  g_autofree char *base_url = NULL;
  const char *fields[][2] = {
    { "app-id", AGORA_APP_ID }, { "app-certificate", "5CFd2fd1755d40ecb72977518be15d3b" },
    { "customer-id", "c1d2e3f4customer" }, { "customer-secret", "s3cr3t-71fe" },
  };

  soup_server_add_handler (server, NULL, gateway_handler, &gateway, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_assert_true (pa_secrets_store_sync (secrets, "agora", "default", fields[i][0], fields[i][1], NULL, &error));
      g_assert_no_error (error);
    }
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (provider));
  agora = pa_agora_new (http, NULL, base_url);
  pa_agora_set_secrets (agora, secrets);

  g_test_message ("checks: channel and uid are required; uid 0 refused");
  g_assert_null (pa_stream_destination_new_agora (agora, secrets, "", "42", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (pa_stream_destination_new_agora (agora, secrets, "show", "0", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  destination = pa_stream_destination_new_agora (agora, secrets, "show", "42", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pa_stream_destination_get_server_url (destination), ==,
                   "rtmp://rtls-ingress-prod-na.agoramdn.com/live");

  g_test_message ("checks: the first resolve makes a key and keeps it in the keyring");
  {
    g_autoptr(PaSecretString) url = resolve (destination);

    g_assert_cmpstr (url, ==, "rtmp://rtls-ingress-prod-na.agoramdn.com/live/agora-key-1");
    g_assert_cmpuint (gateway.creates, ==, 1);
  }
  kept = pa_secrets_lookup_sync (secrets, "agora", "default", "stream-key:show:42", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (kept, ==, "agora-key-1");

  g_test_message ("checks: the second reuses it after asking the gateway");
  {
    g_autoptr(PaSecretString) url = resolve (destination);

    g_assert_cmpstr (url, ==, "rtmp://rtls-ingress-prod-na.agoramdn.com/live/agora-key-1");
    g_assert_cmpuint (gateway.creates, ==, 1);
    g_assert_cmpuint (gateway.gets, ==, 1);
  }

  g_test_message ("checks: a key the gateway forgot is made again");
  g_hash_table_remove_all (gateway.keys);
  {
    g_autoptr(PaSecretString) url = resolve (destination);

    g_assert_cmpstr (url, ==, "rtmp://rtls-ingress-prod-na.agoramdn.com/live/agora-key-2");
    g_assert_cmpuint (gateway.creates, ==, 2);
    g_assert_cmpuint (gateway.gets, ==, 2);
  }

  g_hash_table_unref (gateway.keys);
}

/* Every preset: sizes H.264 4:2:0 takes, rates x264enc takes, and what
 * its destination asks for. */
static void
test_presets (void)
{
  g_autoptr(GstElement) x264 = gst_element_factory_make ("x264enc", NULL);
  GParamSpecUInt *bitrate;
  GParamSpecUInt *key_int;
  PaStreamDestinationKind kinds[] = { PA_STREAM_DESTINATION_RTMP, PA_STREAM_DESTINATION_AGORA };

  if (x264 == NULL)
    g_error ("x264enc is missing: apt install gstreamer1.0-plugins-ugly");
  gst_object_ref_sink (x264);
  bitrate = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (x264), "bitrate"));
  key_int = G_PARAM_SPEC_UINT (g_object_class_find_property (G_OBJECT_GET_CLASS (x264), "key-int-max"));

  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      guint n = 0;
      const PaStreamPreset *presets = pa_stream_presets_for (kinds[k], &n);

      g_assert_cmpuint (n, >=, 3);
      g_assert_true (pa_stream_preset_get_default (kinds[k]) == &presets[0]);
      g_assert_cmpint (presets[0].height, ==, 720);
      for (guint i = 0; i < n; i++)
        {
          const PaStreamPreset *p = &presets[i];

          g_test_message ("preset %s: %d×%d@%d, %u+%u kbit/s, keyframe %u s — %s",
                          p->id, p->width, p->height, p->fps, p->video_kbps, p->audio_kbps,
                          p->keyframe_interval, p->name);
          g_assert_true (p->kind == kinds[k]);
          g_assert_true (pa_stream_preset_lookup (p->id) == p);
          g_assert_true (g_str_has_prefix (p->id, kinds[k] == PA_STREAM_DESTINATION_AGORA ? "agora-" : "rtmp-"));
          g_assert_cmpint (p->width % 2, ==, 0);
          g_assert_cmpint (p->height % 2, ==, 0);
          g_assert_cmpint (p->width, <=, 1920);
          g_assert_cmpint (p->height, <=, 1080);
          /* 16:9, give or take the rounding to even sizes. */
          g_assert_cmpfloat_with_epsilon ((double) p->width / p->height, 16.0 / 9, 0.02);
          g_assert_cmpint (p->fps, >=, 15);
          g_assert_cmpint (p->fps, <=, 60);
          g_assert_cmpuint (p->video_kbps, >=, bitrate->minimum);
          g_assert_cmpuint (p->video_kbps, <=, bitrate->maximum);
          g_assert_cmpuint (p->keyframe_interval * p->fps, <=, key_int->maximum);
          g_assert_cmpuint (p->keyframe_interval, >=, 1);
          /* Both Agora and the big services want a keyframe at least every 2 s. */
          g_assert_cmpuint (p->keyframe_interval, <=, 2);
          /* What the stream's AAC encoder is set to. */
          g_assert_cmpuint (p->audio_kbps, ==, 128);
          /* Bits per pixel a second within what H.264 needs and servers take. */
          g_assert_cmpfloat (p->video_kbps * 1000.0 / (p->width * p->height * p->fps), >=, 0.05);
          g_assert_cmpfloat (p->video_kbps * 1000.0 / (p->width * p->height * p->fps), <=, 0.2);
          if (kinds[k] == PA_STREAM_DESTINATION_RTMP)
            g_assert_cmpuint (p->video_kbps, <=, 6000);  /* Twitch's cap */
        }
    }
  g_assert_null (pa_stream_preset_lookup ("nonsense"));
}

/* The URL checks and the mask, without the CLI. */
static void
test_urls (void)
{
  struct {
    const char *url;
    gboolean    with_key;
    gboolean    valid;
  } checks[] = {
    { "rtmp://a.rtmp.youtube.com/live2/abcd-efgh", TRUE, TRUE },
    { "rtmps://live-api-s.facebook.com:443/rtmp/FB-1?s_bl=1", TRUE, TRUE },
    { "RTMP://host/app/key", TRUE, TRUE },
    { "rtmp://host/app", FALSE, TRUE },
    { "rtmp://host/app/", FALSE, TRUE },
    { "rtmp://host/app", TRUE, FALSE },
    { "rtmp://host", FALSE, FALSE },
    { "rtmp://host/app?key=1", FALSE, FALSE },
    { "http://host/app/key", TRUE, FALSE },
    { "srt://host/app/key", TRUE, FALSE },
    { "rtmp://user:pass@host/app/key", TRUE, FALSE },
    { "rtmp://user@host/app/key", TRUE, FALSE },
    { "rtmp://host/app/ke y", TRUE, FALSE },
    { "rtmp://host/app/key\n", TRUE, FALSE },
    { "rtmp://host/app/key#x", TRUE, FALSE },
    { "rtmp:///app/key", TRUE, FALSE },
    { "", TRUE, FALSE },
  };
  struct {
    const char *url;
    const char *shown;
  } masks[] = {
    { "rtmp://127.0.0.1:1935/live/secret", "rtmp://127.0.0.1:1935/live/••••" },
    { "rtmps://host/app/a/b?c=d", "rtmps://host/app/••••" },
    { "rtmp://host/app", "rtmp://host/app" },
    { "rtmp://u:secret@host/app", "rtmp://host/app/••••" },
    { "not a url secret", "••••" },
  };
  g_autofree char *long_url = g_strdup_printf ("rtmp://host/app/%0*d", 3000, 0);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autoptr(GError) check_error = NULL;
      gboolean valid = pa_stream_check_rtmp_url (checks[i].url, checks[i].with_key, &check_error);

      g_test_message ("check %s%s → %s%s", checks[i].url, checks[i].with_key ? " (with key)" : "",
                      valid ? "valid" : "refused: ", valid ? "" : check_error->message);
      g_assert_cmpint (valid, ==, checks[i].valid);
      if (!valid)
        g_assert_error (check_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
  g_assert_false (pa_stream_check_rtmp_url (long_url, TRUE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  for (guint i = 0; i < G_N_ELEMENTS (masks); i++)
    {
      g_autofree char *shown = pa_stream_mask_rtmp_url (masks[i].url);

      g_test_message ("mask %s → %s", masks[i].url, shown);
      g_assert_cmpstr (shown, ==, masks[i].shown);
    }

  g_test_message ("checks: stream keys and names");
  g_assert_true (pa_stream_check_stream_key ("live_123_AbC?bandwidthtest=true", NULL));
  g_assert_false (pa_stream_check_stream_key ("", NULL));
  g_assert_false (pa_stream_check_stream_key ("a b", NULL));
  g_assert_false (pa_stream_check_stream_key ("a/b", NULL));
  g_assert_false (pa_stream_check_stream_key ("ключ", NULL));
  g_assert_true (pa_stream_check_destination_name ("YouTube (main)", NULL));
  g_assert_false (pa_stream_check_destination_name ("a\nb", NULL));
  g_assert_false (pa_stream_check_destination_name ("", NULL));
}

int
main (int   argc,
      char *argv[])
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/stream/presets", test_presets);
  g_test_add_func ("/cli/stream/urls", test_urls);
  g_test_add ("/cli/stream/usage-errors", Fixture, NULL,
              fixture_set_up, test_stream_usage_errors, fixture_tear_down);
  g_test_add ("/cli/stream/screen", Fixture, NULL,
              fixture_set_up, test_stream_screen, fixture_tear_down);
  g_test_add ("/cli/stream/face", Fixture, NULL,
              fixture_set_up, test_stream_face, fixture_tear_down);
  g_test_add ("/cli/stream/rtmp-and-record", Fixture, NULL,
              fixture_set_up, test_stream_rtmp_and_record, fixture_tear_down);
  g_test_add ("/cli/stream/json", Fixture, NULL,
              fixture_set_up, test_stream_json, fixture_tear_down);
  g_test_add ("/cli/stream/interrupt", Fixture, NULL,
              fixture_set_up, test_stream_interrupt, fixture_tear_down);
  g_test_add ("/cli/stream/refused", Fixture, NULL,
              fixture_set_up, test_stream_refused, fixture_tear_down);
  g_test_add ("/cli/stream/no-server", Fixture, NULL,
              fixture_set_up, test_stream_no_server, fixture_tear_down);
  g_test_add ("/cli/stream/agora-destination", Fixture, NULL,
              fixture_set_up, test_agora_destination, fixture_tear_down);
  g_test_add ("/cli/stream/destinations", Fixture, NULL,
              fixture_set_up, test_destinations, fixture_tear_down);

  return g_test_run ();
}
