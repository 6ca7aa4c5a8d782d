/* pa-cli.c — playalter-cli: PlayAlter for scripts and headless machines
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "pa-cli.h"

static const char *usage_text =
  N_("Commands:\n"
     "  account set PLATFORM [--profile NAME] [--base-url URL] [--field NAME]\n"
     "                        Sign in; the secret is read from standard input\n"
     "  account list [--json] List accounts and their status (never a secret)\n"
     "  account check PLATFORM [--profile NAME]\n"
     "                        Ask the platform who the stored keys belong to\n"
     "  account remove PLATFORM [--profile NAME]\n"
     "                        Sign out and forget the account\n"
     "  agora token --channel C --uid U --role publisher|subscriber --expire S\n"
     "                        Print an Agora RTC token built from the stored app credentials\n"
     "\n"
     "Platforms: stripe, openai, replicate, vercel, n8n, agora");

int
pa_cli_fail (int         code,
             const char *format,
             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  /* One line, always: scripts read the first line of stderr. */
  g_strdelimit (message, "\r\n", ' ');
  g_printerr ("playalter-cli: %s\n", message);

  return code;
}

int
pa_cli_fail_error (const GError *error)
{
  return pa_cli_fail (PA_CLI_EXIT_FAILED, "%s", error->message);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  gboolean version = FALSE;
  PaCliGlobals globals = { 0 };
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Where PlayAlter keeps its database and media"), N_("DIR") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGS…]"));
  g_option_context_set_summary (context, _("Coordinate your PlayAlter accounts and workflows."));
  g_option_context_set_description (context, _(usage_text));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  /* Stop at the command so each command parses its own options. */
  g_option_context_set_strict_posix (context, TRUE);

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);

  if (version)
    {
      g_print ("playalter-cli %s\n", PACKAGE_VERSION);
      return PA_CLI_EXIT_OK;
    }

  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("No command given (try --help)"));

  globals.data_dir = data_dir;

  if (g_str_equal (argv[1], "account"))
    return pa_cli_account (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "agora"))
    return pa_cli_agora (&globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown command “%s” (try --help)"), argv[1]);
}
