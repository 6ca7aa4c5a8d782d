/* pa-cli-stream-run.c — `playalter-cli stream` running: the stream
 * started with its source (a face swapped in, a screen asked for), its
 * figures printed once a second, stopped at --duration or Ctrl-C, and
 * the recording added to the gallery
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pa-cli-stream-private.h"

static const char *
live_state_id (PaStreamLiveState state)
{
  switch (state)
    {
    case PA_STREAM_LIVE_CONNECTING:
      return "connecting";
    case PA_STREAM_LIVE_ON:
      return "on";
    case PA_STREAM_LIVE_RECONNECTING:
      return "reconnecting";
    case PA_STREAM_LIVE_OFF:
    default:
      return "off";
    }
}

static const char *
live_state_text (PaStreamLiveState state)
{
  switch (state)
    {
    case PA_STREAM_LIVE_CONNECTING:
      return _("connecting");
    case PA_STREAM_LIVE_ON:
      return _("live");
    case PA_STREAM_LIVE_RECONNECTING:
      return _("reconnecting");
    case PA_STREAM_LIVE_OFF:
    default:
      return _("not live");
    }
}

static const char *
health_id (PaStreamHealth health)
{
  switch (health)
    {
    case PA_STREAM_HEALTH_WARNING:
      return "warning";
    case PA_STREAM_HEALTH_BAD:
      return "bad";
    case PA_STREAM_HEALTH_GOOD:
    default:
      return "good";
    }
}

/* "1:02:03" or "02:03". */
static char *
format_time (gint64 us)
{
  gint64 s = us / G_USEC_PER_SEC;

  if (s >= 3600)
    return g_strdup_printf ("%" G_GINT64_FORMAT ":%02d:%02d", s / 3600,
                            (int) (s / 60 % 60), (int) (s % 60));
  return g_strdup_printf ("%02d:%02d", (int) (s / 60), (int) (s % 60));
}

static void
on_stats (PaStream  *stream,
          StreamRun *run)
{
  PaStreamStats stats;
  PaStreamHealth health;
  PaStreamLiveState live;
  g_autofree char *warning = NULL;
  double dropped_share;

  pa_stream_get_stats (stream, &stats);
  /* The stream was set to the preset's rate, whether or not its figures
   * carry it. */
  if (stats.target_fps <= 0)
    stats.target_fps = run->target_fps;
  health = pa_stream_stats_get_health (&stats, &warning);
  live = pa_stream_get_live_state (stream);
  dropped_share = stats.frames + stats.dropped > 0
                  ? 100.0 * stats.dropped / (stats.frames + stats.dropped) : 0;

  if (run->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "event", "stats");
      json_object_set_double_member (object, "time_live", stats.live_time / (double) G_USEC_PER_SEC);
      json_object_set_double_member (object, "fps", stats.fps);
      json_object_set_double_member (object, "target_fps", stats.target_fps);
      json_object_set_int_member (object, "bitrate", (gint64) stats.bitrate);
      json_object_set_int_member (object, "frames", (gint64) stats.frames);
      json_object_set_int_member (object, "dropped", (gint64) stats.dropped);
      json_object_set_int_member (object, "late", (gint64) stats.late);
      json_object_set_double_member (object, "encoder_load", stats.encoder_load);
      json_object_set_int_member (object, "reconnects", stats.reconnects);
      json_object_set_string_member (object, "live_state", live_state_id (live));
      json_object_set_string_member (object, "health", health_id (health));
      if (warning != NULL)
        json_object_set_string_member (object, "warning", warning);
      else
        json_object_set_null_member (object, "warning");
      pa_cli_print_json (object, FALSE);
      return;
    }

  {
    g_autofree char *time = format_time (stats.live_time);

    /* The numbers and units are the same in every language; the words
     * are translated. */
    g_print ("%s  %.1f/%.0f fps  %" G_GUINT64_FORMAT " kbit/s  %s %" G_GUINT64_FORMAT
             " (%.1f %%)  %s %" G_GUINT64_FORMAT "  %s %.0f %%  %s%s%s\n",
             time, stats.fps, stats.target_fps, stats.bitrate / 1000,
             /* TRANSLATORS: frames dropped, in the line of figures a second */
             _("dropped"), stats.dropped, dropped_share,
             /* TRANSLATORS: frames late, in the line of figures a second */
             _("late"), stats.late,
             /* TRANSLATORS: the video encoder's load, in the line of figures a second */
             _("encoder"), stats.encoder_load * 100,
             live_state_text (live), warning != NULL ? "  ⚠ " : "",
             warning != NULL ? warning : "");
  }
}

/* Sums the recording's bytes for its asset row, in a loop of reads: a
 * recording may be hours long. */
static char *
checksum_file (GFile   *file,
               GError **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);

  if (in == NULL)
    return NULL;
  for (;;)
    {
      g_autoptr(GBytes) chunk = g_input_stream_read_bytes (G_INPUT_STREAM (in), 1 << 20, NULL, error);
      gsize size;
      const guchar *data;

      if (chunk == NULL)
        return NULL;
      data = g_bytes_get_data (chunk, &size);
      if (size == 0)
        break;
      g_checksum_update (checksum, data, size);
    }

  return g_strdup (g_checksum_get_string (checksum));
}

/* The recording joins the gallery: a "video" asset. Returns its id, or 0
 * after saying why not (the file itself is fine either way). */
static gint64
add_recording_asset (StreamRun *run)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *sha256 = NULL;
  g_autofree char *path = g_file_get_path (run->recording);
  gint64 id;

  sha256 = checksum_file (run->recording, &error);
  if (sha256 != NULL)
    store = pa_cli_open_store (run->globals, &error);
  if (store == NULL)
    {
      g_printerr (_("playalter-cli: The recording was not added to the gallery: %s\n"), error->message);
      return 0;
    }
  id = pa_store_add_asset (store, "video", path, sha256, 0, 0, NULL, &error);
  if (id == 0)
    g_printerr (_("playalter-cli: The recording was not added to the gallery: %s\n"), error->message);
  return id;
}

static void
finish_run (StreamRun *run)
{
  gint64 asset_id = 0;

  /* A stop during the start completes both. */
  if (run->finished)
    return;
  run->finished = TRUE;

  if (run->recording != NULL && run->started &&
      g_file_query_exists (run->recording, NULL))
    asset_id = add_recording_asset (run);

  if (run->failure != NULL)
    run->status = pa_cli_fail_error (run->failure);

  if (run->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "event", "stopped");
      json_object_set_boolean_member (object, "ok", run->failure == NULL);
      if (run->recording != NULL && asset_id != 0)
        {
          g_autofree char *path = g_file_get_path (run->recording);

          json_object_set_string_member (object, "recording", path);
          json_object_set_int_member (object, "asset_id", asset_id);
        }
      pa_cli_print_json (object, FALSE);
    }
  else if (run->recording != NULL && asset_id != 0)
    {
      g_autofree char *path = g_file_get_path (run->recording);

      g_print (_("Recorded to %s (in the gallery)\n"), path);
    }

  g_main_loop_quit (run->loop);
}

static void
stop_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  StreamRun *run = user_data;
  g_autoptr(GError) error = NULL;

  /* After a failure the stream is down already: its own stop error adds
   * nothing to the reason it failed. */
  if (!pa_stream_stop_finish (PA_STREAM (source), result, &error) && run->failure == NULL)
    run->failure = g_steal_pointer (&error);
  finish_run (run);
}

static void
stop_stream (StreamRun *run)
{
  if (run->stopping)
    return;
  run->stopping = TRUE;
  g_clear_handle_id (&run->duration_id, g_source_remove);
  /* Still waiting for the screen or the destination's key. */
  if (run->stream == NULL)
    return;
  pa_stream_stop_async (run->stream, NULL, stop_cb, run);
}

static gboolean
on_duration (gpointer user_data)
{
  StreamRun *run = user_data;

  run->duration_id = 0;
  stop_stream (run);
  return G_SOURCE_REMOVE;
}

/* Ctrl-C (or SIGTERM) once stops cleanly, the recording finalised; a
 * second one, while that takes long, gives up at once. */
static void
on_interrupt (gpointer user_data)
{
  StreamRun *run = user_data;

  if (run->stopping || !run->started)
    {
      g_printerr (_("playalter-cli: Interrupted.\n"));
      exit (130);
    }
  if (!run->json)
    g_printerr (_("Stopping…\n"));
  stop_stream (run);
}

static void
on_failed (PaStream     *stream,
           const GError *error,
           StreamRun    *run)
{
  if (run->failure == NULL)
    run->failure = g_error_copy (error);
  if (run->stopping)
    return;
  run->stopping = TRUE;
  g_clear_handle_id (&run->duration_id, g_source_remove);
  pa_stream_stop_async (run->stream, NULL, stop_cb, run);
}

static void
start_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  StreamRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!pa_stream_start_finish (PA_STREAM (source), result, &error))
    {
      /* Stopped before it started (a short --duration): the stop ends it. */
      if (run->stopping && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        return;
      if (run->failure == NULL)
        run->failure = g_steal_pointer (&error);
      finish_run (run);
      return;
    }

  run->started = TRUE;
  if (run->stopping)
    return;
  /* Counted in the stream's own time (what the recording holds), not
   * from the command's start: the face model, the screen or the server
   * may take a while, and the first frame has been out for a moment. */
  if (run->duration > 0)
    {
      gint64 left_ms = run->duration * (gint64) 1000 - pa_stream_get_live_time (run->stream) / 1000;

      run->duration_id = g_timeout_add ((guint) CLAMP (left_ms, 0, G_MAXINT), on_duration, run);
    }

  if (run->json)
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "event", "started");
      if (run->shown_url != NULL)
        json_object_set_string_member (object, "live", run->shown_url);
      if (run->recording != NULL)
        {
          g_autofree char *path = g_file_get_path (run->recording);

          json_object_set_string_member (object, "recording", path);
        }
      pa_cli_print_json (object, FALSE);
    }
  else
    {
      if (run->shown_url != NULL)
        g_print (_("Live to %s\n"), run->shown_url);
      if (run->recording != NULL)
        {
          g_autofree char *path = g_file_get_path (run->recording);

          g_print (_("Recording to %s\n"), path);
        }
    }
}

static void
start_stream (StreamRun *run)
{
  g_signal_connect (run->stream, "stats", G_CALLBACK (on_stats), run);
  g_signal_connect (run->stream, "failed", G_CALLBACK (on_failed), run);
  pa_stream_start_async (run->stream, NULL, start_cb, run);
}

static void
resolve_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  StreamRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) url = NULL;

  url = pa_stream_destination_resolve_finish (PA_STREAM_DESTINATION (source), result, &error);
  if (url == NULL)
    {
      run->failure = g_steal_pointer (&error);
      finish_run (run);
      return;
    }
  if (run->stopping)
    {
      finish_run (run);
      return;
    }

  run->shown_url = pa_stream_mask_rtmp_url (url);
  pa_stream_set_rtmp_url (run->stream, url);
  start_stream (run);
}

/* The source is known: the stream is made, then goes live or starts. */
static void
continue_with_source (StreamRun      *run,
                      PaStreamSource *source)
{
  g_autoptr(PaStreamSource) with_sound = NULL;

  if (run->stopping)
    {
      finish_run (run);
      return;
    }

  if (run->microphone)
    source = with_sound = pa_stream_source_with_microphone (source, run->microphone_id);
  if (run->face_swap != NULL)
    {
      g_autoptr(PaStreamScene) scene = pa_stream_scene_new (source);

      pa_stream_scene_set_face_swap (scene, run->face_swap);
      run->stream = pa_stream_new_for_scene (scene);
    }
  else
    run->stream = pa_stream_new (source);
  pa_stream_preset_apply (run->preset, run->stream);
  run->target_fps = run->preset->fps;
  if (run->recording != NULL)
    pa_stream_set_recording (run->stream, run->recording);

  if (run->rtmp_url != NULL)
    {
      run->shown_url = pa_stream_mask_rtmp_url (run->rtmp_url);
      pa_stream_set_rtmp_url (run->stream, run->rtmp_url);
      pa_compat_secure_zero (run->rtmp_url, strlen (run->rtmp_url));
      start_stream (run);
    }
  else if (run->destination != NULL)
    pa_stream_destination_resolve_async (run->destination, NULL, resolve_cb, run);
  else
    start_stream (run);
}

static void begin_source (StreamRun *run);

static void
face_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  StreamRun *run = user_data;
  g_autoptr(GError) error = NULL;

  if (!pa_live_face_swap_set_face_finish (PA_LIVE_FACE_SWAP (object), result, &error))
    {
      run->failure = g_steal_pointer (&error);
      finish_run (run);
      return;
    }
  pa_live_face_swap_set_enabled (run->face_swap, TRUE);
  begin_source (run);
}

static void
screen_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  StreamRun *run = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStreamSource) source = pa_stream_source_request_screen_finish (result, &error);

  if (source == NULL)
    {
      run->failure = g_steal_pointer (&error);
      finish_run (run);
      return;
    }
  continue_with_source (run, source);
}

/* The screen is asked for (on Wayland the desktop asks the user); any
 * other source was made already. */
static void
begin_source (StreamRun *run)
{
  if (run->screen)
    pa_stream_source_request_screen_async (run->audio, NULL, screen_cb, run);
  else
    continue_with_source (run, run->source);
}

int
_pa_cli_stream_run (StreamRun *run,
                    GFile     *face)
{
  run->interrupt_id = pa_compat_add_interrupt_handler (on_interrupt, run);
  if (face != NULL)
    {
      /* The face model loads in a thread; the stream starts once the
       * face is ready, so the first frame is already swapped. */
      run->face_swap = pa_live_face_swap_new ();
      pa_live_face_swap_set_face_async (run->face_swap, face, 0, NULL, face_cb, run);
    }
  else
    begin_source (run);

  g_main_loop_run (run->loop);

  pa_compat_remove_interrupt_handler (run->interrupt_id);
  g_clear_handle_id (&run->duration_id, g_source_remove);
  if (run->stream != NULL)
    g_signal_handlers_disconnect_by_data (run->stream, run);
  return run->status;
}

void
_pa_cli_stream_run_clear (StreamRun *run)
{
  g_clear_object (&run->stream);
  g_clear_object (&run->recording);
  g_clear_object (&run->destination);
  g_clear_object (&run->face_swap);
  g_clear_error (&run->failure);
  g_free (run->shown_url);
  g_free (run->microphone_id);
  if (run->rtmp_url != NULL)
    {
      pa_compat_secure_zero (run->rtmp_url, strlen (run->rtmp_url));
      g_free (run->rtmp_url);
    }
}
