/* pa-cli-maintenance.c — `playalter-cli maintenance …`: keeping the database small
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-cli.h"

/* A setting given as text: a whole number from 0 to @max. */
static gboolean
parse_setting (const char  *option,
               const char  *text,
               guint        max,
               guint       *value,
               int         *status)
{
  guint64 parsed = 0;

  if (text == NULL)
    return TRUE;
  if (!g_ascii_string_to_unsigned (text, 10, 0, max, &parsed, NULL))
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE,
                             _("%s takes a number from 0 (no limit) to %u, not “%s”"),
                             option, max, text);
      return FALSE;
    }
  *value = (guint) parsed;
  return TRUE;
}

static char *
describe_days (guint days)
{
  if (days == 0)
    return g_strdup (_("no age limit"));
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u day", "%u days", days), days);
}

static int
maintenance_retention (const PaCliGlobals *globals,
                       int                 argc,
                       char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *runs_days = NULL;
  g_autofree char *runs_max = NULL;
  g_autofree char *log_days = NULL;
  g_autofree char *log_max = NULL;
  g_autofree char *runs_age = NULL;
  g_autofree char *log_age = NULL;
  g_autofree char *runs_count = NULL;
  g_autofree char *log_count = NULL;
  PaRetention retention;
  int status = PA_CLI_EXIT_OK;
  const GOptionEntry entries[] = {
    { "runs-days", 0, 0, G_OPTION_ARG_STRING, &runs_days,
      N_("Remove finished runs that ended more than N days ago (0: no age limit)"), N_("N") },
    { "runs-max", 0, 0, G_OPTION_ARG_STRING, &runs_max,
      N_("Keep at most the N newest finished runs (0: no limit)"), N_("N") },
    { "log-days", 0, 0, G_OPTION_ARG_STRING, &log_days,
      N_("Remove requests logged more than N days ago (0: no age limit)"), N_("N") },
    { "log-max", 0, 0, G_OPTION_ARG_STRING, &log_max,
      N_("Keep at most the N newest requests in the log (0: no limit)"), N_("N") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Show how long finished runs and the request log "
                                           "are kept, or change it."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Usage: maintenance retention [--runs-days N] [--runs-max N] "
                          "[--log-days N] [--log-max N]"));

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);
  if (!pa_store_get_retention (store, &retention, &error))
    return pa_cli_fail_error (error);

  if (!parse_setting ("--runs-days", runs_days, PA_RETENTION_MAX_DAYS, &retention.runs_days, &status)
      || !parse_setting ("--runs-max", runs_max, PA_RETENTION_MAX_COUNT, &retention.runs_max, &status)
      || !parse_setting ("--log-days", log_days, PA_RETENTION_MAX_DAYS, &retention.log_days, &status)
      || !parse_setting ("--log-max", log_max, PA_RETENTION_MAX_COUNT, &retention.log_max, &status))
    return status;

  if ((runs_days != NULL || runs_max != NULL || log_days != NULL || log_max != NULL)
      && !pa_store_set_retention (store, &retention, &error))
    return pa_cli_fail_error (error);

  runs_age = describe_days (retention.runs_days);
  log_age = describe_days (retention.log_days);
  runs_count = retention.runs_max == 0
               ? g_strdup (_("no count limit"))
               : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "at most %u run",
                                               "at most %u runs", retention.runs_max),
                                  retention.runs_max);
  log_count = retention.log_max == 0
              ? g_strdup (_("no count limit"))
              : g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "at most %u request",
                                              "at most %u requests", retention.log_max),
                                 retention.log_max);
  /* TRANSLATORS: e.g. "Finished runs: 90 days, at most 2000 runs" */
  g_print (_("Finished runs: %s, %s\n"), runs_age, runs_count);
  /* TRANSLATORS: e.g. "Request log: 30 days, at most 50000 requests" */
  g_print (_("Request log: %s, %s\n"), log_age, log_count);
  g_print (_("Runs that have not ended and files in the media folder are never removed.\n"));
  return PA_CLI_EXIT_OK;
}

static void
prune_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static int
maintenance_prune (const PaCliGlobals *globals,
                   int                 argc,
                   char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaPruneReport) report = NULL;
  g_autofree char *runs = NULL;
  g_autofree char *events = NULL;
  g_autofree char *requests = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gboolean dry_run = FALSE;
  guint n_runs, n_events, n_requests;
  const GOptionEntry entries[] = {
    { "dry-run", 0, 0, G_OPTION_ARG_NONE, &dry_run,
      N_("Only say what would be removed"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("Remove the finished runs and requests that the "
                                           "retention settings no longer keep, and give the "
                                           "space back to the disk. Files in the media folder "
                                           "are never removed."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: maintenance prune [--dry-run]"));

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);

  pa_store_prune_async (store, dry_run ? PA_PRUNE_FLAGS_DRY_RUN : PA_PRUNE_FLAGS_NONE,
                        NULL, prune_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = pa_store_prune_finish (store, result, &error);
  if (report == NULL)
    return pa_cli_fail_error (error);

  /* As guint: a G_GUINT64_FORMAT inside _() would hide the string from
   * xgettext, and no database holds four billion of either. */
  n_runs = (guint) MIN (report->runs, G_MAXUINT);
  n_events = (guint) MIN (report->events, G_MAXUINT);
  n_requests = (guint) MIN (report->requests, G_MAXUINT);
  runs = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u finished run", "%u finished runs",
                                       n_runs),
                          n_runs);
  events = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u journal event",
                                         "%u journal events", n_events),
                            n_events);
  requests = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u logged request",
                                           "%u logged requests", n_requests),
                              n_requests);
  if (dry_run)
    {
      /* TRANSLATORS: "Would remove 3 finished runs (15 journal events) and 120 logged
       * requests; nothing was changed." */
      g_print (_("Would remove %s (%s) and %s; nothing was changed.\n"), runs, events, requests);
      return PA_CLI_EXIT_OK;
    }

  before = g_format_size (report->size_before);
  after = g_format_size (report->size_after);
  /* TRANSLATORS: "Removed 3 finished runs (15 journal events) and 120 logged requests" */
  g_print (_("Removed %s (%s) and %s.\n"), runs, events, requests);
  if (report->converted)
    g_print (_("The database can now give space back after each prune (converted once).\n"));
  /* TRANSLATORS: "Database: 40.1 MB → 102.4 kB" */
  g_print (_("Database: %s → %s\n"), before, after);
  return PA_CLI_EXIT_OK;
}

int
pa_cli_maintenance (const PaCliGlobals *globals,
                    int                 argc,
                    char              **argv)
{
  if (argc >= 2 && g_str_equal (argv[1], "prune"))
    return maintenance_prune (globals, argc - 1, argv + 1);
  if (argc >= 2 && g_str_equal (argv[1], "retention"))
    return maintenance_retention (globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE,
                      _("Usage: maintenance prune [--dry-run] | maintenance retention "
                        "[--runs-days N] [--runs-max N] [--log-days N] [--log-max N]"));
}
