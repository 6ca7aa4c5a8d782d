/* test-cli-maintenance.c — `playalter-cli maintenance prune|retention`
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>

#include "playalter.h"
#include "pa-test-cli.h"

#define DAY_MS (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

typedef struct {
  char *data_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->data_dir = pa_test_cli_data_dir_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->data_dir, pa_test_cli_data_dir_free);
}

static PaStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  PaStore *store = pa_store_open (fixture->data_dir, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_retention (Fixture       *fixture,
                gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(PaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *defaults = NULL;
  PaRetention retention;

  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "retention", NULL);
  g_assert_cmpint (result.status, ==, 0);
  defaults = g_strdup_printf ("Finished runs: %u days, at most %u runs\n"
                              "Request log: %u days, at most %u requests\n",
                              PA_LIMIT_RETENTION_RUNS_DAYS, PA_LIMIT_RETENTION_RUNS,
                              PA_LIMIT_RETENTION_LOG_DAYS, PA_LIMIT_RETENTION_LOG_ROWS);
  g_assert_true (g_str_has_prefix (result.out, defaults));
  g_assert_nonnull (strstr (result.out, "media folder are never removed"));

  /* Changed in the database, where the app reads them too; what is not
   * given stays as it was. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "retention",
                   "--runs-days", "7", "--log-max", "0", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "Finished runs: 7 days, at most "));
  g_assert_nonnull (strstr (result.out, "Request log: 30 days, no count limit\n"));

  store = open_store (fixture);
  g_assert_true (pa_store_get_retention (store, &retention, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (retention.runs_days, ==, 7);
  g_assert_cmpuint (retention.runs_max, ==, PA_LIMIT_RETENTION_RUNS);
  g_assert_cmpuint (retention.log_days, ==, PA_LIMIT_RETENTION_LOG_DAYS);
  g_assert_cmpuint (retention.log_max, ==, 0);

  /* A bad value: a usage error on one line, and nothing changed. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "retention",
                   "--runs-max", "5", "--log-days", "forever", NULL);
  g_assert_cmpint (result.status, ==, 2);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "--log-days"));
  g_assert_true (pa_store_get_retention (store, &retention, &error));
  g_assert_cmpuint (retention.runs_max, ==, PA_LIMIT_RETENTION_RUNS);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "retention",
                   "--runs-days", "36501", NULL);
  g_assert_cmpint (result.status, ==, 2);
  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", NULL);
  g_assert_cmpint (result.status, ==, 2);
  pa_test_assert_one_line (result.err);
}

static void
append (PaJournal  *journal,
        const char *run_id,
        const char *kind,
        const char *payload,
        gint64      at_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = payload != NULL ? json_from_string (payload, &error) : NULL;

  g_assert_no_error (error);
  g_assert_cmpint (pa_journal_append (journal, run_id, NULL, kind, 1, node, at_ms, &error),
                   >, 0);
  g_assert_no_error (error);
}

static guint
count_runs (PaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = pa_store_list_runs (store, NULL, 0, &error);

  g_assert_no_error (error);
  return runs->len;
}

static guint
count_requests (PaStore *store)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) requests = pa_store_list_requests (store, NULL, &error);

  g_assert_no_error (error);
  return requests->len;
}

static void
test_prune (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(PaStore) store = open_store (fixture);
  g_autoptr(PaJournal) journal = pa_journal_new (store);
  g_autoptr(GError) error = NULL;
  g_autofree char *media = g_build_filename (fixture->data_dir, "media", NULL);
  g_autofree char *picture = NULL;
  gint64 now = g_get_real_time () / 1000;

  /* Ended long ago (goes), ended yesterday (stays), and one that has not
   * ended, older than both (stays). */
  append (journal, "unfinished", PA_EVENT_RUN_CREATED, "{\"definition\": {}}", now - 300 * DAY_MS);
  append (journal, "unfinished", PA_EVENT_RUN_CANCELLED, NULL, now - 299 * DAY_MS);
  append (journal, "unfinished", PA_EVENT_RUN_STARTED, NULL, now - 2 * DAY_MS);
  append (journal, "old", PA_EVENT_RUN_CREATED, "{\"definition\": {}}", now - 200 * DAY_MS);
  append (journal, "old", PA_EVENT_RUN_SUCCEEDED, NULL, now - 199 * DAY_MS);
  append (journal, "recent", PA_EVENT_RUN_CREATED, "{\"definition\": {}}", now - 2 * DAY_MS);
  append (journal, "recent", PA_EVENT_RUN_SUCCEEDED, NULL, now - DAY_MS);
  for (int i = 0; i < 10; i++)
    g_assert_true (pa_store_log_request (store, NULL, NULL, "stripe", NULL, "GET", "/v1/x",
                                         200, 5, &error));
  g_assert_no_error (error);

  /* The user's files are never touched. */
  g_assert_cmpint (g_mkdir_with_parents (media, 0700), ==, 0);
  picture = pa_test_write_file (media, "old-picture.png", "not really a picture");

  pa_test_cli_run (&result, fixture->data_dir, NULL,
                   "maintenance", "retention", "--runs-days", "30", "--log-max", "3", NULL);
  g_assert_cmpint (result.status, ==, 0);

  /* "unfinished" was resumed after it was cancelled once: its status is
   * what counts. The runs that ended after it was created stay with it
   * until it ends, so end it first for "old" to go. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "prune", "--dry-run", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "Would remove 0 finished runs (0 journal events) and 7 "
                                   "logged requests; nothing was changed.\n");
  g_assert_cmpuint (count_requests (store), ==, 10);

  append (journal, "unfinished", PA_EVENT_RUN_SUCCEEDED, NULL, now - 1000);
  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "prune", "--dry-run", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "Would remove 1 finished run (2 journal events) and 7 "
                                   "logged requests; nothing was changed.\n");
  g_assert_cmpuint (count_runs (store), ==, 3);
  g_assert_cmpuint (count_requests (store), ==, 10);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "prune", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_test_message ("%s", result.out);
  g_assert_true (g_str_has_prefix (result.out, "Removed 1 finished run (2 journal events) and 7 "
                                               "logged requests.\nDatabase: "));
  g_assert_cmpuint (count_runs (store), ==, 2);
  g_assert_cmpuint (count_requests (store), ==, 3);
  g_assert_true (g_file_test (picture, G_FILE_TEST_IS_REGULAR));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "maintenance", "prune", "--bogus", NULL);
  g_assert_cmpint (result.status, ==, 2);
  pa_test_assert_one_line (result.err);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/maintenance/retention", Fixture, NULL,
              fixture_set_up, test_retention, fixture_tear_down);
  g_test_add ("/cli/maintenance/prune", Fixture, NULL,
              fixture_set_up, test_prune, fixture_tear_down);

  return g_test_run ();
}
