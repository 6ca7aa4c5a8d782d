/* pa-cli-stream.c — `playalter-cli stream`: records and/or goes live
 * until --duration or Ctrl-C, printing the figures once a second
 *
 * Where it can go live is saved with `stream-destination`
 * (pa-cli-stream-destination.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <glib/gi18n.h>
#include <gst/gst.h>
#include <json-glib/json-glib.h>

#include "pa-cli.h"

/* The longest --duration: a day. Longer streams run until Ctrl-C. */
#define MAX_DURATION_S (24 * 60 * 60)
/* The Agora host's user id when --agora-uid is not given. */
#define DEFAULT_AGORA_UID "1000"

/* One `stream` command, from the options to the exit. */
typedef struct {
  const PaCliGlobals *globals;
  GMainLoop          *loop;
  GCancellable       *cancellable;
  PaStream           *stream;
  GFile              *recording;
  char               *shown_url;    /* the live URL, its key masked */
  const PaStreamPreset *preset;
  int                 target_fps;   /* the preset's */
  char               *rtmp_url;     /* --rtmp, key included; wiped once handed over */
  PaStreamDestination *destination;
  gboolean            microphone;   /* --audio mic[:DEVICE] */
  PaLiveFaceSwap     *face_swap;    /* --face */
  gboolean            screen;       /* --source screen */
  PaStreamAudioKind   audio;
  PaStreamSource     *source;       /* any other --source */
  char               *microphone_id;
  gboolean            json;
  gboolean            started;
  gboolean            stopping;
  gboolean            finished;
  guint               interrupt_id;
  guint               duration;     /* --duration, in seconds; 0: until Ctrl-C */
  guint               duration_id;
  GError             *failure;      /* why the stream ended early */
  int                 status;
} StreamRun;

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

/* --source: test, camera[:DEV], screen or a file (a picture or a video). */
static PaStreamSource *
make_source (const char         *spec,
             PaStreamAudioKind   audio,
             int                *status)
{
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  const char *type;

  if (spec == NULL || g_str_equal (spec, "test"))
    return pa_stream_source_new_test_pattern (audio);

  /* A missing camera is found when the stream starts, which says so. */
  if (g_str_equal (spec, "camera"))
    return pa_stream_source_new_camera (NULL, audio);
  if (g_str_has_prefix (spec, "camera:"))
    return pa_stream_source_new_camera (spec + strlen ("camera:"), audio);

  file = g_file_new_for_commandline_arg (spec);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE ","
                            G_FILE_ATTRIBUTE_STANDARD_CONTENT_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &error);
  if (info == NULL)
    {
      *status = pa_cli_fail (PA_CLI_EXIT_FAILED, _("Cannot read the source “%s”: %s"),
                             spec, error->message);
      return NULL;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      *status = pa_cli_fail (PA_CLI_EXIT_FAILED, _("The source “%s” is not a file."), spec);
      return NULL;
    }

  type = g_file_info_get_content_type (info);
  if (type != NULL && g_content_type_is_mime_type (type, "image/*"))
    return pa_stream_source_new_image (file, audio);
  return pa_stream_source_new_file (file, audio);
}

/* --audio: test, none, mic or mic:DEVICE (a microphone goes onto the
 * source once it is made). */
static gboolean
parse_audio (StreamRun         *run,
             const char        *spec,
             PaStreamAudioKind *audio,
             int               *status)
{
  if (spec == NULL || g_str_equal (spec, "none"))
    *audio = PA_STREAM_AUDIO_NONE;
  else if (g_str_equal (spec, "test"))
    *audio = PA_STREAM_AUDIO_TEST_TONE;
  else if (g_str_equal (spec, "mic") || g_str_has_prefix (spec, "mic:"))
    {
      *audio = PA_STREAM_AUDIO_NONE;
      run->microphone = TRUE;
      if (g_str_has_prefix (spec, "mic:"))
        run->microphone_id = g_strdup (spec + strlen ("mic:"));
    }
  else
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE,
                             _("--audio must be test, none or mic[:DEVICE], not “%s”."), spec);
      return FALSE;
    }
  return TRUE;
}

/* The Agora client of the account @profile, as `account set agora` saved
 * it (its base URL from the store, its keys read from the keyring). */
static PaAgora *
open_agora (const PaCliGlobals  *globals,
            const char          *profile,
            GError             **error)
{
  g_autofree char *base_url = NULL;

  if (!pa_cli_account_base_url (globals, "agora", profile, &base_url, error))
    return NULL;
  return PA_AGORA (pa_platform_new ("agora", pa_platform_get_default_http (), profile,
                                    base_url, error));
}

int
pa_cli_stream (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *source_spec = NULL;
  g_autofree char *audio_spec = NULL;
  g_autofree char *face = NULL;
  g_autofree char *rtmp = NULL;
  g_autofree char *destination_name = NULL;
  g_autofree char *agora_channel = NULL;
  g_autofree char *agora_uid = NULL;
  g_autofree char *agora_region = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *preset_id = NULL;
  g_autofree char *record = NULL;
  g_autofree char *duration_text = NULL;
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(GMainLoop) loop = NULL;
  const PaStreamPreset *preset;
  PaStreamDestinationKind kind = PA_STREAM_DESTINATION_RTMP;
  PaStreamAudioKind audio = PA_STREAM_AUDIO_NONE;
  guint64 duration = 0;
  gboolean screen = FALSE;
  gboolean json = FALSE;
  int n_live;
  int status = PA_CLI_EXIT_OK;
  StreamRun run = { 0 };
  const GOptionEntry entries[] = {
    { "source", 0, 0, G_OPTION_ARG_FILENAME, &source_spec, N_("What to show: test, camera[:DEVICE], screen, or a video or picture file (default: test)"), N_("SOURCE") },
    { "audio", 0, 0, G_OPTION_ARG_STRING, &audio_spec, N_("The sound: test (a tone), none or mic[:DEVICE] (default: none)"), N_("AUDIO") },
    { "face", 0, 0, G_OPTION_ARG_FILENAME, &face, N_("Swap the faces in the picture for the face in this photo (its first face from the left)"), N_("FILE") },
    { "rtmp", 0, 0, G_OPTION_ARG_STRING, &rtmp, N_("Go live to this rtmp:// or rtmps:// URL, stream key included (other users' ps can see it: prefer --destination)"), N_("URL") },
    { "destination", 0, 0, G_OPTION_ARG_STRING, &destination_name, N_("Go live to a server saved with stream-destination add"), N_("NAME") },
    { "agora", 0, 0, G_OPTION_ARG_STRING, &agora_channel, N_("Go live into this Agora channel through Agora's Media Gateway"), N_("CHANNEL") },
    { "agora-uid", 0, 0, G_OPTION_ARG_STRING, &agora_uid, N_("The user ID the stream has in the Agora channel (default: 1000)"), N_("UID") },
    { "region", 0, 0, G_OPTION_ARG_STRING, &agora_region, N_("Agora's Media Gateway region: na, eu, ap or cn (default: na)"), N_("REGION") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("The Agora account's profile (default: “default”)"), N_("NAME") },
    { "preset", 0, 0, G_OPTION_ARG_STRING, &preset_id, N_("Picture size, frame rate and bitrates (default: the destination's first)"), N_("ID") },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &record, N_("Record to this Matroska file, which joins the gallery"), N_("FILE") },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &duration_text, N_("Stop after this many seconds (default: at Ctrl-C)"), N_("SECONDS") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object a line"), NULL },
    { NULL }
  };
  g_autofree char *preset_list = pa_stream_preset_dup_ids ();
  g_autofree char *preset_ids = g_strdup_printf (_("Presets: %s"), preset_list);
  g_autofree char *description = g_strdup_printf ("%s\n%s", _("Exit status: 0 once the stream ran until --duration or Ctrl-C (the recording finalised), 1 when it could not start or failed, 2 for a wrong option."),
                                                  preset_ids);

  g_option_context_set_summary (context, _("Record and/or go live, printing the stream's figures once a second."));
  g_option_context_set_description (context, description);
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unexpected argument “%s” (try stream --help)."), argv[1]);

  n_live = (rtmp != NULL) + (destination_name != NULL) + (agora_channel != NULL);
  if (n_live > 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Give only one of --rtmp, --destination and --agora."));
  if (n_live == 0 && record == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Nothing to do: give --record FILE, a live output (--rtmp, --destination or --agora), or both."));
  if ((agora_uid != NULL || agora_region != NULL || profile != NULL) && agora_channel == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--agora-uid, --region and --profile go with --agora."));
  if (duration_text != NULL &&
      !g_ascii_string_to_unsigned (duration_text, 10, 1, MAX_DURATION_S, &duration, NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--duration must be a number of seconds from 1 to %d, not “%s”."),
                        MAX_DURATION_S, duration_text);
  if (agora_channel != NULL)
    kind = PA_STREAM_DESTINATION_AGORA;

  if (preset_id != NULL)
    {
      preset = pa_stream_preset_lookup (preset_id);
      if (preset == NULL)
        return pa_cli_fail (PA_CLI_EXIT_USAGE, _("There is no preset “%s”: use one of %s."),
                            preset_id, preset_list);
    }
  else
    preset = pa_stream_preset_get_default (kind);

  gst_init (NULL, NULL);

  if (!parse_audio (&run, audio_spec, &audio, &status))
    goto out;
  screen = g_strcmp0 (source_spec, "screen") == 0;
  if (!screen)
    {
      source = make_source (source_spec, audio, &status);
      if (source == NULL)
        goto out;
    }

  /* The live output, checked before anything starts; its key stays out
   * of every message. */
  secrets = pa_secrets_new ();
  if (rtmp != NULL && !pa_stream_check_rtmp_url (rtmp, TRUE, &error))
    {
      status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
      goto out;
    }
  if (destination_name != NULL)
    {
      g_autoptr(PaStore) store = pa_cli_open_store (globals, &error);

      if (store != NULL)
        run.destination = pa_stream_destination_load (store, secrets, destination_name, &error);
      if (run.destination == NULL)
        {
          status = pa_cli_fail_error (error);
          goto out;
        }
    }
  if (agora_channel != NULL)
    {
      g_autoptr(PaAgora) agora = NULL;

      if (agora_region != NULL && !pa_agora_region_is_valid (agora_region))
        {
          status = pa_cli_fail (PA_CLI_EXIT_USAGE, _("--region must be na, eu, ap or cn, not “%s”."), agora_region);
          goto out;
        }
      agora = open_agora (globals, profile != NULL ? profile : PA_DEFAULT_PROFILE, &error);
      if (agora == NULL)
        {
          status = pa_cli_fail_error (error);
          goto out;
        }
      pa_agora_set_secrets (agora, secrets);
      pa_agora_set_region (agora, agora_region);
      run.destination = pa_stream_destination_new_agora (agora, secrets, agora_channel,
                                                         agora_uid != NULL ? agora_uid : DEFAULT_AGORA_UID,
                                                         &error);
      if (run.destination == NULL)
        {
          status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
          goto out;
        }
    }

  if (record != NULL)
    {
      g_autoptr(GFile) parent = NULL;

      run.recording = g_file_new_for_commandline_arg (record);
      parent = g_file_get_parent (run.recording);
      if (parent == NULL || g_file_query_file_type (parent, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
        {
          status = pa_cli_fail (PA_CLI_EXIT_FAILED, _("Cannot record to “%s”: its folder does not exist."), record);
          goto out;
        }
    }

  loop = g_main_loop_new (NULL, FALSE);
  run.globals = globals;
  run.loop = loop;
  run.json = json;
  run.preset = preset;
  run.rtmp_url = g_steal_pointer (&rtmp);

  run.interrupt_id = pa_compat_add_interrupt_handler (on_interrupt, &run);
  run.duration = (guint) duration;

  run.screen = screen;
  run.audio = audio;
  run.source = source;
  if (face != NULL)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (face);

      /* The face model loads in a thread; the stream starts once the
       * face is ready, so the first frame is already swapped. */
      run.face_swap = pa_live_face_swap_new ();
      pa_live_face_swap_set_face_async (run.face_swap, file, 0, NULL, face_cb, &run);
    }
  else
    begin_source (&run);

  g_main_loop_run (loop);

  pa_compat_remove_interrupt_handler (run.interrupt_id);
  g_clear_handle_id (&run.duration_id, g_source_remove);
  if (run.stream != NULL)
    g_signal_handlers_disconnect_by_data (run.stream, &run);
  status = run.status;

out:
  g_clear_object (&run.stream);
  g_clear_object (&run.recording);
  g_clear_object (&run.destination);
  g_clear_object (&run.face_swap);
  g_clear_error (&run.failure);
  g_free (run.shown_url);
  g_free (run.microphone_id);
  if (run.rtmp_url != NULL)
    {
      pa_compat_secure_zero (run.rtmp_url, strlen (run.rtmp_url));
      g_free (run.rtmp_url);
    }

  return status;
}
