/* test-stream.c — recording a stream: what the file holds (length, size,
 * frame rate, codecs, frames), the stream's statistics, each video
 * source, a recording that survives a SIGKILL, publishing to a real RTMP
 * server, and clear errors
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "pa-error.h"
#include "pa-stream.h"
#include "pa-test-require.h"
#include "pa-test-rtmp.h"
#include "pa-test-video.h"
#include "test-stream-common.h"

/* Set in the environment of this program run as a child that records
 * until it is killed (the SIGKILL case). */
#define CHILD_RECORDING_VARIABLE "PLAYALTER_TEST_STREAM_CHILD_RECORDING"

/* Records @seconds of @source at @width×@height@@fps into @path. */
static void
record (PaStreamSource *source,
        const char     *path,
        int             width,
        int             height,
        int             fps,
        double          seconds)
{
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  pa_stream_set_video (stream, width, height, fps, 1);
  pa_stream_set_recording (stream, file);
  g_assert_true (pa_test_stream_start (stream, &error));
  g_assert_no_error (error);
  pa_test_stream_run_for (stream, seconds);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);
}

static void
on_stats (PaStream *stream,
          gpointer  user_data)
{
  GArray *samples = user_data;
  PaStreamStats stats;

  pa_stream_get_stats (stream, &stats);
  g_array_append_val (samples, stats);
}

/* 3 s of 720p30 test pattern and tone, recorded; what the file holds,
 * and what the statistics said on the way. */
static void
test_record_test_pattern (PaTestStreamFixture *f,
                          gconstpointer        data)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autofree char *path = g_build_filename (f->dir, "pattern.mkv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) samples = g_array_new (FALSE, TRUE, sizeof (PaStreamStats));
  g_autoptr(GstDiscovererInfo) info = NULL;
  GList *streams;
  GstDiscovererVideoInfo *video;
  g_autoptr(GstCaps) video_caps = NULL;
  g_autoptr(GstCaps) audio_caps = NULL;
  PaStreamStats *at2;
  double duration;
  PaTestStreamDecoded d;
  gint64 t0;
  const guint kbps = 2500;

  pa_stream_set_video (stream, 1280, 720, 30, 1);
  pa_stream_set_encoder (stream, kbps, 2);
  pa_stream_set_recording (stream, file);
  g_signal_connect (stream, "stats", G_CALLBACK (on_stats), samples);

  t0 = g_get_monotonic_time ();
  g_assert_true (pa_test_stream_start (stream, &error));
  g_assert_no_error (error);
  g_test_message ("first frame out of the encoder after %.0f ms",
                  (g_get_monotonic_time () - t0) / 1000.0);
  pa_test_stream_run_for (stream, 3.0);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);

  /* The report at about 2 s (the first one holds the encoder's
   * start). */
  g_test_message ("%u stats reports", samples->len);
  g_assert_cmpuint (samples->len, >=, 2);
  at2 = &g_array_index (samples, PaStreamStats, 1);
  g_test_message ("stats at 2 s: %.1f fps, %" G_GUINT64_FORMAT " bit/s, %" G_GUINT64_FORMAT
                  " dropped, %" G_GUINT64_FORMAT " frames, live %.2f s",
                  at2->fps, at2->bitrate, at2->dropped, at2->frames, at2->live_time / 1e6);
  g_assert_cmpfloat (at2->fps, >=, 27.0);
  g_assert_cmpfloat (at2->fps, <=, 33.0);
  g_assert_cmpuint (at2->bitrate, >=, kbps * 1000 * 3 / 10);
  g_assert_cmpuint (at2->bitrate, <=, kbps * 1000 * 3);
  g_assert_cmpuint (at2->dropped, ==, 0);
  g_assert_cmpint (at2->live_time, >=, 1500000);

  info = pa_test_stream_discover (path);
  duration = gst_discoverer_info_get_duration (info) / (double) GST_SECOND;
  g_test_message ("discoverer: %.3f s", duration);
  g_assert_cmpfloat_with_epsilon (duration, 3.0, 0.2);

  streams = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  video = streams->data;
  video_caps = gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (video));
  g_test_message ("video: %u×%u at %u/%u, %s",
                  gst_discoverer_video_info_get_width (video),
                  gst_discoverer_video_info_get_height (video),
                  gst_discoverer_video_info_get_framerate_num (video),
                  gst_discoverer_video_info_get_framerate_denom (video),
                  gst_structure_get_name (gst_caps_get_structure (video_caps, 0)));
  g_assert_cmpuint (gst_discoverer_video_info_get_width (video), ==, 1280);
  g_assert_cmpuint (gst_discoverer_video_info_get_height (video), ==, 720);
  g_assert_cmpuint (gst_discoverer_video_info_get_framerate_num (video), ==, 30);
  g_assert_cmpuint (gst_discoverer_video_info_get_framerate_denom (video), ==, 1);
  g_assert_cmpstr (gst_structure_get_name (gst_caps_get_structure (video_caps, 0)), ==, "video/x-h264");
  gst_discoverer_stream_info_list_free (streams);

  streams = gst_discoverer_info_get_audio_streams (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  audio_caps = gst_discoverer_stream_info_get_caps (streams->data);
  {
    const GstStructure *s = gst_caps_get_structure (audio_caps, 0);
    int version = 0;

    g_test_message ("audio: %s", gst_structure_get_name (s));
    g_assert_cmpstr (gst_structure_get_name (s), ==, "audio/mpeg");
    g_assert_true (gst_structure_get_int (s, "mpegversion", &version));
    g_assert_cmpint (version, ==, 4);
  }
  gst_discoverer_stream_info_list_free (streams);

  /* ±2: the stop is asked for from the main loop, polling the running
   * time every 10 ms, so the EOS goes in up to a frame after 3.000 s
   * (more when the machine is busy), and the frame being captured at
   * that moment may or may not make it. */
  d = pa_test_stream_decode (path, "matroskademux");
  g_test_message ("decoded %" G_GUINT64_FORMAT " frames of %d×%d", d.frames, d.width, d.height);
  g_assert_false (d.error);
  g_assert_cmpuint (d.frames, >=, 88);
  g_assert_cmpuint (d.frames, <=, 92);
}

/* The recording at @path is @width×@height, spans at least @min_seconds
 * from its first frame to its last, and holds a frame every 1/@fps s
 * over that span (the first frame of a file or picture source waits for
 * its decoder, so the span, not the stream's running time, is the
 * measure). */
static void
check_recording (const char *path,
                 int         width,
                 int         height,
                 int         fps,
                 double      min_seconds)
{
  PaTestStreamDecoded d = pa_test_stream_decode (path, "matroskademux");
  double span = (d.last - d.first) / (double) GST_SECOND;
  double expected = span * fps + 1;

  g_test_message ("%s: %" G_GUINT64_FORMAT " frames of %d×%d over %.3f s (%.1f expected)",
                  path, d.frames, d.width, d.height, span, expected);
  g_assert_false (d.error);
  g_assert_cmpint (d.width, ==, width);
  g_assert_cmpint (d.height, ==, height);
  g_assert_cmpfloat (span, >=, min_seconds);
  g_assert_cmpfloat (d.frames, >=, expected - 1);
  g_assert_cmpfloat (d.frames, <=, expected + 1);
}

/* A still picture (640×480) becomes a steady 320×240 video at 15 fps. */
static void
test_source_image (PaTestStreamFixture *f,
                   gconstpointer        data)
{
  g_autofree char *picture = g_build_filename (f->dir, "still.png", NULL);
  g_autofree char *path = g_build_filename (f->dir, "still.mkv", NULL);
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 640, 480);
  g_autoptr(GFile) file = g_file_new_for_path (picture);
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x3070b0ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, picture, "png", &error, NULL));
  g_assert_no_error (error);
  source = pa_stream_source_new_image (file, PA_STREAM_AUDIO_NONE);
  record (source, path, 320, 240, 15, 2.0);
  check_recording (path, 320, 240, 15, 1.5);
}

/* A 1 s clip played as a 2.5 s stream: the file loops, scaled to
 * 320×180 and brought from 25 to 30 fps. */
static void
test_source_file_loops (PaTestStreamFixture *f,
                        gconstpointer        data)
{
  g_autofree char *clip = g_build_filename (f->dir, "clip.mkv", NULL);
  g_autofree char *path = g_build_filename (f->dir, "looped.mkv", NULL);
  g_autoptr(PaStreamSource) pattern = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  g_autoptr(GFile) file = g_file_new_for_path (clip);
  g_autoptr(PaStreamSource) source = NULL;
  PaTestStreamDecoded d;

  record (pattern, clip, 640, 360, 25, 1.0);
  d = pa_test_stream_decode (clip, "matroskademux");
  g_test_message ("clip: %" G_GUINT64_FORMAT " frames", d.frames);
  g_assert_cmpuint (d.frames, <=, 27);

  source = pa_stream_source_new_file (file, PA_STREAM_AUDIO_TEST_TONE);
  record (source, path, 320, 180, 30, 2.5);
  /* Frames for well over the clip's second: it looped, without a gap
   * (a frame every 1/30 s throughout). */
  check_recording (path, 320, 180, 30, 1.8);
}

static void
test_error_missing_file (PaTestStreamFixture *f,
                         gconstpointer        data)
{
  g_autofree char *missing = g_build_filename (f->dir, "not-there.mp4", NULL);
  g_autofree char *path = g_build_filename (f->dir, "never.mkv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (missing);
  g_autoptr(GFile) out = g_file_new_for_path (path);
  gboolean image = GPOINTER_TO_INT (data);
  g_autoptr(PaStreamSource) source = image
                                     ? pa_stream_source_new_image (file, PA_STREAM_AUDIO_NONE)
                                     : pa_stream_source_new_file (file, PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GError) error = NULL;

  pa_stream_set_recording (stream, out);
  g_assert_false (pa_test_stream_start (stream, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_test_message ("error: %s", error->message);
  g_assert_nonnull (strstr (error->message, "not-there.mp4"));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  /* Stopping a stream that never ran is harmless. */
  g_assert_true (pa_test_stream_stop (stream, &error));
}

static void
test_error_no_output (PaTestStreamFixture *f,
                      gconstpointer        data)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GError) error = NULL;

  g_assert_false (pa_test_stream_start (stream, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_test_message ("error: %s", error->message);
}

static void
on_failed (PaStream     *stream,
           const GError *error,
           gpointer      user_data)
{
  *(GError **) user_data = g_error_copy (error);
}

/* Nothing listens on the port: the stream says the live server cannot
 * be reached, names its host and keeps the stream key to itself. The
 * refusal may come before the first frame (the start fails) or after
 * it (the running stream fails). */
static void
test_error_unreachable_server (PaTestStreamFixture *f,
                               gconstpointer        data)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) failure = NULL;
  g_autofree char *url = NULL;
  guint16 port;

  /* A port that was free a moment ago, and is closed now. */
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);
  g_assert_no_error (error);
  address = g_inet_socket_address_new (loopback, 0);
  g_assert_true (g_socket_bind (socket, address, FALSE, &error));
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);

  url = g_strdup_printf ("rtmp://127.0.0.1:%u/live/secret-stream-key", port);
  pa_stream_set_video (stream, 320, 240, 30, 1);
  pa_stream_set_rtmp_url (stream, url);
  g_signal_connect (stream, "failed", G_CALLBACK (on_failed), &failure);
  if (pa_test_stream_start (stream, &error))
    {
      gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

      while (failure == NULL && g_get_monotonic_time () < deadline)
        g_main_context_iteration (NULL, TRUE);
      g_assert_nonnull (failure);
      error = g_steal_pointer (&failure);
    }
  g_test_message ("error: %s", error->message);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_null (strstr (error->message, "secret-stream-key"));
}

/* 3 s of 720p30 with tone, published to a real RTMP server (nginx) and
 * recorded at once: the server's copy of the stream (its `record all`
 * file) holds the frames of the local recording, from the one encoder
 * both share, and the audio. */
static void
test_publish_rtmp (PaTestStreamFixture *f,
                   gconstpointer        data)
{
  PaTestRtmpOptions options = { .record = TRUE };
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autofree char *path = g_build_filename (f->dir, "published.mkv", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autofree char *url = NULL;
  g_autofree char *server_path = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  GList *audio;
  PaTestStreamDecoded local, server;

  rtmp = pa_test_rtmp_start (&options, &error);
  if (!pa_test_require_no_error (error))
    return;
  url = pa_test_rtmp_get_url (rtmp, "studio");
  pa_stream_set_video (stream, 1280, 720, 30, 1);
  pa_stream_set_rtmp_url (stream, url);
  pa_stream_set_recording (stream, file);
  g_assert_true (pa_test_stream_start (stream, &error));
  g_assert_no_error (error);
  pa_test_stream_run_for (stream, 3.0);
  g_assert_true (pa_test_stream_stop (stream, &error));
  g_assert_no_error (error);

  server_path = pa_test_rtmp_get_record_path (rtmp, "studio");
  pa_test_stream_wait_file_settled (server_path);
  if (!g_file_test (server_path, G_FILE_TEST_IS_REGULAR))
    {
      g_autofree char *log = pa_test_rtmp_get_error_log_tail (rtmp);

      g_error ("the server recorded nothing at %s; its log:\n%s", server_path, log);
    }
  local = pa_test_stream_decode (path, "matroskademux");
  server = pa_test_stream_decode (server_path, "flvdemux");
  g_test_message ("published: %" G_GUINT64_FORMAT " frames of %d×%d on the server, "
                  "%" G_GUINT64_FORMAT " in the local recording",
                  server.frames, server.width, server.height, local.frames);
  g_assert_false (server.error);
  g_assert_cmpint (server.width, ==, 1280);
  g_assert_cmpint (server.height, ==, 720);
  g_assert_cmpuint (local.frames, >=, 88);
  g_assert_cmpuint (local.frames, <=, 92);
  /* One encoder for both: the server has the same frames, give or take
   * the last one or two in flight when the stream ended. */
  g_assert_cmpuint (server.frames, <=, local.frames);
  g_assert_cmpuint (server.frames + 2, >=, local.frames);

  info = pa_test_stream_discover (server_path);
  audio = gst_discoverer_info_get_audio_streams (info);
  g_test_message ("audio streams on the server: %u", g_list_length (audio));
  g_assert_cmpuint (g_list_length (audio), ==, 1);
  gst_discoverer_stream_info_list_free (audio);
}

/* The child: records 720p30 with tone to @path until it is killed. */
static int
child_record (const char *path)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStream) stream = pa_stream_new (source);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;

  pa_stream_set_recording (stream, file);
  return pa_test_stream_child_run (pa_test_stream_start (stream, &error), error);
}

/* A recording killed with SIGKILL after 5 s still plays, and holds all
 * but its last moments. */
static void
test_record_killed (PaTestStreamFixture *f,
                    gconstpointer        data)
{
  g_autofree char *path = g_build_filename (f->dir, "killed.mkv", NULL);
  PaTestStreamDecoded d;
  double seconds;

  pa_test_stream_kill_recording_child (CHILD_RECORDING_VARIABLE, path, 5.0);
  d = pa_test_stream_decode (path, "matroskademux");
  seconds = (d.last - d.first) / (double) GST_SECOND;
  g_test_message ("killed recording: %" G_GUINT64_FORMAT " frames of %d×%d, %.2f s%s",
                  d.frames, d.width, d.height, seconds, d.error ? ", ends on an error" : "");
  g_assert_cmpint (d.width, ==, 1280);
  g_assert_cmpint (d.height, ==, 720);
  /* 5 s were recorded: at least 3 s of them must play. */
  g_assert_cmpfloat (seconds, >=, 3.0);
  g_assert_cmpuint (d.frames, >=, 90);
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

  pa_test_add_needing ("/stream/record/test-pattern", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_record_test_pattern,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream/record/killed", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_record_killed,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream/publish/rtmp", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_publish_rtmp,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream/source/image", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_source_image,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  pa_test_add_needing ("/stream/source/file-loops", PaTestStreamFixture, NULL,
                       pa_test_stream_fixture_set_up, test_source_file_loops,
                       pa_test_stream_fixture_tear_down, pa_test_stream_need_plugins);
  g_test_add ("/stream/error/missing-file", PaTestStreamFixture, GINT_TO_POINTER (FALSE),
              pa_test_stream_fixture_set_up, test_error_missing_file,
              pa_test_stream_fixture_tear_down);
  g_test_add ("/stream/error/missing-image", PaTestStreamFixture, GINT_TO_POINTER (TRUE),
              pa_test_stream_fixture_set_up, test_error_missing_file,
              pa_test_stream_fixture_tear_down);
  g_test_add ("/stream/error/unreachable-server", PaTestStreamFixture, NULL,
              pa_test_stream_fixture_set_up, test_error_unreachable_server,
              pa_test_stream_fixture_tear_down);
  g_test_add ("/stream/error/no-output", PaTestStreamFixture, NULL,
              pa_test_stream_fixture_set_up, test_error_no_output,
              pa_test_stream_fixture_tear_down);

  return g_test_run ();
}
