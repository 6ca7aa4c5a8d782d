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
     "  faceswap --face FILE --target FILE [--out FILE] [--engine offline|replicate]\n"
     "           [--targets all|largest|0,2] [--sources 1,0] [--json]\n"
     "                        Put the face from one picture onto the faces in a picture or\n"
     "                        a video (offline by default; see faceswap --help)\n"
     "  faces FILE [--json]   List the faces in a picture or video, left to right, with\n"
     "                        their boxes and whether they can be swapped well\n"
     "  devices [--json]      List the cameras (with their modes) and the microphones a\n"
     "                        stream can capture\n"
     "  workflow validate FILE\n"
     "                        Check a workflow; every problem is listed on stdout\n"
     "  workflow run FILE [--input NAME=VALUE]... [--detach]\n"
     "                        Start a run, print its id, and show its progress until it ends\n"
     "                        (exit 0 only if it succeeded). With --detach the run is only\n"
     "                        journaled: there is no daemon yet, so it goes on at the next\n"
     "                        `resume`\n"
     "  workflow actions [--json]\n"
     "                        List what a step can use, with the arguments each takes\n"
     "  runs [--limit N] [--status S]\n"
     "                        List runs, newest first\n"
     "  show RUN              A run's steps: status, attempts, duration, error, output\n"
     "  cancel RUN            End an unfinished run as cancelled (a run being driven by\n"
     "                        another process notices only when it resumes)\n"
     "  resume                Continue every unfinished run and wait for them to end\n"
     "  journal check         Rebuild runs and steps from the journal and report any\n"
     "                        difference (the rebuilt projections are kept)\n"
     "  maintenance prune [--dry-run]\n"
     "                        Remove the finished runs and logged requests the retention\n"
     "                        settings no longer keep and give the space back to the disk\n"
     "                        (`serve` and the app also do it at start and daily). Runs that\n"
     "                        have not ended and files in the media folder are never removed\n"
     "  maintenance retention [--runs-days N] [--runs-max N] [--log-days N] [--log-max N]\n"
     "                        Show what is kept, or change it (0 turns a limit off)\n"
     "  serve FILE... [--port N] [--listen ADDR] [--token-file FILE] [--concurrency N]\n"
     "                        Run the workflows when asked over HTTP: POST /run/NAME with\n"
     "                        the inputs as a JSON object (add ?wait=true for the outputs)\n"
     "                        and “Authorization: Bearer TOKEN”. Listens on 127.0.0.1\n"
     "                        unless --listen says otherwise; the token is read from\n"
     "                        --token-file, else made up and printed once on stderr\n"
     "  stream --source test|camera[:DEV]|screen|FILE [--audio test|none|mic[:DEV]]\n"
     "         [--rtmp URL | --destination NAME | --agora CHANNEL] [--preset ID]\n"
     "         [--record FILE] [--duration S] [--json]\n"
     "                        Record and/or go live, printing the stream's figures once a\n"
     "                        second until --duration or Ctrl-C (see stream --help)\n"
     "  stream-destination add NAME --url URL\n"
     "                        Save an RTMP server; its stream key is read from standard input\n"
     "  stream-destination list [--json] | remove NAME\n"
     "                        List the saved servers (never a key), or forget one\n"
     "  stripe sync | balance | payments [--limit N] [--status S] [--search T]\n"
     "                        A Stripe account's copy kept here: update it, show its\n"
     "                        balance or payments (see stripe --help)\n"
     "  stripe refund PAYMENT [--amount A] | link create --price P | link list\n"
     "                        Refund a payment; make or list payment links\n");

/* Everything the CLI prints passes here: errors quote servers, and runs
 * print what steps returned, so any of it may hold escape sequences or
 * bidi overrides meant for the terminal. One handler for g_print() and
 * one for g_printerr() catch every command, present and future. */
static void
print_for_terminal (FILE       *stream,
                    const char *string)
{
  g_autofree char *shown = pa_text_sanitize_for_display (string, -1);
  g_autofree char *converted = NULL;
  const char *charset = NULL;

  /* As GLib's own handlers do: the locale's charset, not always UTF-8. */
  if (!g_get_console_charset (&charset))
    converted = g_convert_with_fallback (shown, -1, charset, "UTF-8", "?", NULL, NULL, NULL);

  fputs (converted != NULL ? converted : shown, stream);
  fflush (stream);
}

static void
print_handler (const char *string)
{
  print_for_terminal (stdout, string);
}

static void
printerr_handler (const char *string)
{
  print_for_terminal (stderr, string);
}

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

PaStore *
pa_cli_open_store (const PaCliGlobals  *globals,
                   GError             **error)
{
  g_autofree char *data_dir = pa_store_resolve_data_dir (globals->data_dir);

  return pa_store_open (data_dir, error);
}

gboolean
pa_cli_account_base_url (const PaCliGlobals  *globals,
                         const char          *platform,
                         const char          *profile,
                         char               **base_url,
                         GError             **error)
{
  g_autoptr(PaStore) store = pa_cli_open_store (globals, error);
  g_autoptr(GPtrArray) accounts = NULL;
  const char *found = NULL;

  *base_url = NULL;
  if (store == NULL)
    return FALSE;
  accounts = pa_store_list_accounts (store, error);
  if (accounts == NULL)
    return FALSE;
  for (guint i = 0; i < accounts->len; i++)
    {
      const PaAccountRecord *account = accounts->pdata[i];

      if (g_strcmp0 (account->platform, platform) == 0 && g_strcmp0 (account->profile, profile) == 0)
        found = account->base_url;
    }
  *base_url = g_strdup (found);
  return TRUE;
}

void
pa_cli_print_json (JsonObject *object,
                   gboolean    pretty)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, pretty);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *durability = NULL;
  g_autofree char *platform_ids = NULL;
  g_autofree char *description = NULL;
  gboolean version = FALSE;
  PaCliGlobals globals = { 0 };
  const GOptionEntry entries[] = {
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      N_("Where PlayAlter keeps its database and media"), N_("DIR") },
    { "durability", 0, 0, G_OPTION_ARG_STRING, &durability,
      N_("How commits reach the disk: “normal” (the default; a power cut may lose the last "
         "ones) or “full” (each one is fsynced before it is reported; slower). Also "
         "PLAYALTER_DURABILITY"), N_("LEVEL") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &version,
      N_("Print the version and exit"), NULL },
    { NULL }
  };

  /* As in the app: video face swaps (also inside `serve`) would keep an
   * arena per thread that ever held a frame. */
  pa_compat_limit_malloc_arenas ();

  setlocale (LC_ALL, "");
  g_set_print_handler (print_handler);
  g_set_printerr_handler (printerr_handler);
  bindtextdomain (GETTEXT_PACKAGE, pa_install_dirs_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  context = g_option_context_new (_("COMMAND [ARGS…]"));
  g_option_context_set_summary (context, _("Coordinate your PlayAlter accounts and workflows."));
  /* The platforms come from the table, so a new one is listed here too. */
  platform_ids = pa_platform_info_dup_id_list ();
  description = g_strdup_printf ("%s\n%s %s", _(usage_text), _("Platforms:"), platform_ids);
  g_option_context_set_description (context, description);
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

  /* Checked before any command runs, and handed to every store the
   * command opens through the variable pa_store_open reads, as a
   * PLAYALTER_DURABILITY set by the caller would be. */
  {
    PaStoreSync level;

    if (!pa_store_resolve_sync (durability, &level, &error))
      return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
    g_setenv ("PLAYALTER_DURABILITY", level == PA_STORE_SYNC_FULL ? "full" : "normal", TRUE);
  }

  globals.data_dir = data_dir;

  if (g_str_equal (argv[1], "account"))
    return pa_cli_account (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "agora"))
    return pa_cli_agora (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "faceswap"))
    return pa_cli_faceswap (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "faces"))
    return pa_cli_faces (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "workflow"))
    return pa_cli_workflow (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "runs"))
    return pa_cli_runs (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "show"))
    return pa_cli_show (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "cancel"))
    return pa_cli_cancel (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "resume"))
    return pa_cli_resume (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "journal"))
    return pa_cli_journal (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "maintenance"))
    return pa_cli_maintenance (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "serve"))
    return pa_cli_serve (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "devices"))
    return pa_cli_devices (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "stream"))
    return pa_cli_stream (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "stream-destination"))
    return pa_cli_stream_destination (&globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "stripe"))
    return pa_cli_stripe (&globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown command “%s” (try --help)"), argv[1]);
}
