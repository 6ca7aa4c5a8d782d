/* pa-cli-stream.c — `playalter-cli stream`: its options, the source and
 * the live output they name, checked before anything starts
 *
 * The stream they make runs in pa-cli-stream-run.c; where it can go live
 * is saved with `stream-destination` (pa-cli-stream-destination.c).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>
#include <gst/gst.h>

#include "pa-cli-stream-private.h"

/* The longest --duration: a day. Longer streams run until Ctrl-C. */
#define MAX_DURATION_S (24 * 60 * 60)
/* The Agora host's user id when --agora-uid is not given. */
#define DEFAULT_AGORA_UID "1000"

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
  g_autoptr(GFile) face_file = NULL;
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

  run.duration = (guint) duration;
  run.screen = screen;
  run.audio = audio;
  run.source = source;
  if (face != NULL)
    face_file = g_file_new_for_commandline_arg (face);
  status = _pa_cli_stream_run (&run, face_file);

out:
  _pa_cli_stream_run_clear (&run);
  return status;
}
