/* pa-cli-agora.c — `playalter-cli agora …`
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-agora-token.h"
#include "pa-cli.h"

/* Agora accepts tokens valid for at most 24 hours. */
#define MAX_EXPIRE_S (24 * 60 * 60)

static int
missing_credential (const char *what,
                    const char *field,
                    const char *profile)
{
  return pa_cli_fail (PA_CLI_EXIT_FAILED,
                      _("No Agora %s is saved for profile “%s”. Add it with `playalter-cli account set agora --profile %s --field %s`."),
                      what, profile, profile, field);
}

static int
agora_token (const PaCliGlobals *globals,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autofree char *channel = NULL;
  g_autofree char *uid_text = NULL;
  g_autofree char *role_text = NULL;
  g_autofree char *expire_text = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *token = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaSecretString) app_id = NULL;
  g_autoptr(PaSecretString) certificate = NULL;
  guint64 uid = 0;
  guint64 expire = 3600;
  PaAgoraRole role = PA_AGORA_ROLE_PUBLISHER;
  const GOptionEntry entries[] = {
    { "channel", 0, 0, G_OPTION_ARG_STRING, &channel, N_("Channel the token admits to (required)"), N_("NAME") },
    { "uid", 0, 0, G_OPTION_ARG_STRING, &uid_text, N_("User ID, 0 to 4294967295; 0 admits any user (default: 0)"), N_("UID") },
    { "role", 0, 0, G_OPTION_ARG_STRING, &role_text, N_("publisher (join and publish) or subscriber (join only; default: publisher)"), N_("ROLE") },
    { "expire", 0, 0, G_OPTION_ARG_STRING, &expire_text, N_("Seconds the token and its privileges stay valid, 1 to 86400 (default: 3600)"), N_("SECONDS") },
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("Account profile (default: “default”)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Print an Agora RTC token (AccessToken2) signed with the saved app certificate."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);

  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Usage: agora token --channel NAME [--uid UID] [--role publisher|subscriber] [--expire SECONDS] [--profile NAME]"));

  if (channel == NULL || channel[0] == '\0')
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Give the channel with --channel NAME."));

  if (uid_text != NULL &&
      !g_ascii_string_to_unsigned (uid_text, 10, 0, G_MAXUINT32, &uid, NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--uid must be a number from 0 to 4294967295, not “%s”."), uid_text);

  if (role_text != NULL)
    {
      if (g_str_equal (role_text, "publisher"))
        role = PA_AGORA_ROLE_PUBLISHER;
      else if (g_str_equal (role_text, "subscriber"))
        role = PA_AGORA_ROLE_SUBSCRIBER;
      else
        return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--role must be publisher or subscriber, not “%s”."), role_text);
    }

  if (expire_text != NULL &&
      !g_ascii_string_to_unsigned (expire_text, 10, 1, MAX_EXPIRE_S, &expire, NULL))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--expire must be a number of seconds from 1 to %d, not “%s”."),
                        MAX_EXPIRE_S, expire_text);

  if (profile == NULL)
    profile = g_strdup (PA_DEFAULT_PROFILE);

  secrets = pa_secrets_new ();
  app_id = pa_secrets_lookup_sync (secrets, "agora", profile, "app-id", NULL, &error);
  if (error != NULL)
    return pa_cli_fail_error (error);
  if (app_id == NULL || app_id[0] == '\0')
    return missing_credential (_("app ID"), "app-id", profile);

  certificate = pa_secrets_lookup_sync (secrets, "agora", profile, "app-certificate", NULL, &error);
  if (error != NULL)
    return pa_cli_fail_error (error);
  if (certificate == NULL || certificate[0] == '\0')
    return missing_credential (_("app certificate"), "app-certificate", profile);

  token = pa_agora_build_rtc_token (app_id, certificate, channel, (guint32) uid, role,
                                    (guint32) expire, &error);
  if (token == NULL)
    return pa_cli_fail_error (error);

  g_print ("%s\n", token);
  return PA_CLI_EXIT_OK;
}

int
pa_cli_agora (const PaCliGlobals *globals,
              int                 argc,
              char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: agora token … (try agora token --help)"));

  if (g_str_equal (argv[1], "token"))
    return agora_token (globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown agora command “%s”: use token."), argv[1]);
}
