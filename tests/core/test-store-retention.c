/* test-store-retention.c — pruning finished runs and the request log
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "pa-error.h"
#include "pa-journal.h"
#include "pa-limits.h"
#include "pa-store.h"
#include "pa-store-private.h"

#define DAY_MS  (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)
/* The tests' "now": 2026-01-01, far from the real clock on purpose. */
#define NOW_MS  G_GINT64_CONSTANT (1767225600000)

typedef struct {
  char      *dir;
  PaStore   *store;
  PaJournal *journal;
  sqlite3   *db;        /* the test's own connection: what is on disk */
  gint64     now_ms;
} Fixture;

static gint64
fixture_clock (gpointer data)
{
  Fixture *fixture = data;

  return fixture->now_ms;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);

  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
      g_rmdir (path);
    }
  else
    g_remove (path);
}

static void
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  pa_store_set_clock (fixture->store, fixture_clock, fixture);
  fixture->journal = pa_journal_new (fixture->store);
}

static void
close_store (Fixture *fixture)
{
  g_clear_object (&fixture->journal);
  g_clear_object (&fixture->store);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->now_ms = NOW_MS;
  fixture->dir = g_dir_make_tmp ("pa-test-retention-XXXXXX", &error);
  g_assert_no_error (error);
  open_store (fixture);
  g_assert_cmpint (sqlite3_open_v2 (pa_store_get_path (fixture->store), &fixture->db,
                                    SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (fixture->db, 5000);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->db, sqlite3_close);
  close_store (fixture);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static gint64
query_int64 (sqlite3    *db,
             const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  gint64 value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static gint64
count_where (Fixture    *fixture,
             const char *table,
             const char *run_id)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s WHERE %s = '%s'", table,
                                          g_str_equal (table, "runs") ? "id" : "run_id",
                                          run_id);

  return query_int64 (fixture->db, sql);
}

static void
append (Fixture    *fixture,
        const char *run_id,
        const char *step_id,
        const char *kind,
        const char *payload,
        gint64      at_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = payload != NULL ? json_from_string (payload, &error) : NULL;

  g_assert_no_error (error);
  g_assert_cmpint (pa_journal_append (fixture->journal, run_id, step_id, kind, 1, node,
                                      at_ms, &error), >, 0);
  g_assert_no_error (error);
}

/* A run created at @created_ms with one step; it ends with @end_kind at
 * @ended_ms, or not at all when @end_kind is NULL. */
static void
add_run (Fixture    *fixture,
         const char *run_id,
         gint64      created_ms,
         const char *end_kind,
         gint64      ended_ms)
{
  append (fixture, run_id, NULL, PA_EVENT_RUN_CREATED,
          "{\"definition\": {\"name\": \"w\"}, \"inputs\": {}}", created_ms);
  append (fixture, run_id, NULL, PA_EVENT_RUN_STARTED, NULL, created_ms + 1);
  append (fixture, run_id, "s", PA_EVENT_STEP_STARTED, NULL, created_ms + 2);
  append (fixture, run_id, "s", PA_EVENT_STEP_SUCCEEDED, "{\"output\": {\"n\": 1}}",
          created_ms + 3);
  if (end_kind != NULL)
    append (fixture, run_id, NULL, end_kind,
            g_str_equal (end_kind, PA_EVENT_RUN_FAILED) ? "{\"error\": \"no\"}" : NULL,
            ended_ms);
}

static void
set_retention (Fixture *fixture,
               guint    runs_days,
               guint    runs_max,
               guint    log_days,
               guint    log_max)
{
  g_autoptr(GError) error = NULL;
  PaRetention retention = { runs_days, runs_max, log_days, log_max };

  g_assert_true (pa_store_set_retention (fixture->store, &retention, &error));
  g_assert_no_error (error);
}

static void
prune_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static PaPruneReport *
prune (Fixture      *fixture,
       PaPruneFlags  flags)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PaPruneReport *report;

  pa_store_prune_async (fixture->store, flags, NULL, prune_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  report = pa_store_prune_finish (fixture->store, result, &error);
  g_assert_no_error (error);
  g_assert_nonnull (report);
  g_test_message ("pruned %" G_GUINT64_FORMAT " runs, %" G_GUINT64_FORMAT " steps, %"
                  G_GUINT64_FORMAT " events, %" G_GUINT64_FORMAT " requests; %"
                  G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT " bytes",
                  report->runs, report->steps, report->events, report->requests,
                  report->size_before, report->size_after);
  return report;
}

/* Settings ---------------------------------------------------------------- */

static void
test_settings (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  PaRetention retention = { 0 };
  PaRetention bad = { 1, 2, PA_RETENTION_MAX_DAYS + 1, 4 };

  /* Nothing set: the defaults. */
  g_assert_true (pa_store_get_retention (fixture->store, &retention, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (retention.runs_days, ==, PA_LIMIT_RETENTION_RUNS_DAYS);
  g_assert_cmpuint (retention.runs_max, ==, PA_LIMIT_RETENTION_RUNS);
  g_assert_cmpuint (retention.log_days, ==, PA_LIMIT_RETENTION_LOG_DAYS);
  g_assert_cmpuint (retention.log_max, ==, PA_LIMIT_RETENTION_LOG_ROWS);

  /* Kept in the database, so another process (the CLI, the app) reads
   * them: each field its own. */
  set_retention (fixture, 7, 0, 3, 123456);
  close_store (fixture);
  open_store (fixture);
  g_assert_true (pa_store_get_retention (fixture->store, &retention, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (retention.runs_days, ==, 7);
  g_assert_cmpuint (retention.runs_max, ==, 0);
  g_assert_cmpuint (retention.log_days, ==, 3);
  g_assert_cmpuint (retention.log_max, ==, 123456);

  /* Out of range: refused, and nothing of it saved. */
  g_assert_false (pa_store_set_retention (fixture->store, &bad, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_true (pa_store_get_retention (fixture->store, &retention, &error));
  g_assert_cmpuint (retention.runs_days, ==, 7);
  g_assert_cmpuint (retention.log_days, ==, 3);
}

/* Runs -------------------------------------------------------------------- */

static void
test_runs_by_age (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PaPruneReport) report = NULL;

  set_retention (fixture, 30, 0, 0, 0);
  add_run (fixture, "old-ok", NOW_MS - 100 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 40 * DAY_MS);
  add_run (fixture, "old-failed", NOW_MS - 90 * DAY_MS, PA_EVENT_RUN_FAILED, NOW_MS - 31 * DAY_MS);
  /* Created long ago but ended recently: its age is from its end. */
  add_run (fixture, "long", NOW_MS - 90 * DAY_MS, PA_EVENT_RUN_CANCELLED, NOW_MS - 29 * DAY_MS);
  add_run (fixture, "recent", NOW_MS - 2 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - DAY_MS);

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 2);
  g_assert_cmpuint (report->steps, ==, 2);
  g_assert_cmpuint (report->events, ==, 10);

  /* Gone with everything of theirs. */
  for (guint i = 0; i < 2; i++)
    {
      const char *gone = i == 0 ? "old-ok" : "old-failed";

      g_assert_cmpint (count_where (fixture, "runs", gone), ==, 0);
      g_assert_cmpint (count_where (fixture, "steps", gone), ==, 0);
      g_assert_cmpint (count_where (fixture, "events", gone), ==, 0);
    }
  g_assert_cmpint (count_where (fixture, "runs", "long"), ==, 1);
  g_assert_cmpint (count_where (fixture, "events", "long"), ==, 5);
  g_assert_cmpint (count_where (fixture, "steps", "recent"), ==, 1);

  /* What is left replays to the same projections. */
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *before = pa_journal_dump_projections (fixture->journal, &error);
    g_autofree char *after = NULL;

    g_assert_true (pa_journal_replay (fixture->journal, &error));
    after = pa_journal_dump_projections (fixture->journal, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (after, ==, before);
  }

  /* Time passes: "long" ages out too. */
  fixture->now_ms += 2 * DAY_MS;
  g_clear_pointer (&report, g_free);
  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 1);
  g_assert_cmpint (count_where (fixture, "runs", "long"), ==, 0);
  g_assert_cmpint (count_where (fixture, "runs", "recent"), ==, 1);
}

static void
test_runs_by_count (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PaPruneReport) report = NULL;

  set_retention (fixture, 0, 2, 0, 0);
  /* Ended in this order, whatever order they were created in. */
  add_run (fixture, "r1", NOW_MS - 10 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 5 * DAY_MS);
  add_run (fixture, "r2", NOW_MS - 20 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 4 * DAY_MS);
  add_run (fixture, "r3", NOW_MS - 9 * DAY_MS, PA_EVENT_RUN_FAILED, NOW_MS - 3 * DAY_MS);
  add_run (fixture, "r4", NOW_MS - 8 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 2 * DAY_MS);
  add_run (fixture, "r5", NOW_MS - 7 * DAY_MS, PA_EVENT_RUN_CANCELLED, NOW_MS - 1 * DAY_MS);

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 3);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 2);
  g_assert_cmpint (count_where (fixture, "runs", "r4"), ==, 1);
  g_assert_cmpint (count_where (fixture, "runs", "r5"), ==, 1);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM events "
                                             "WHERE run_id NOT IN ('r4', 'r5')"), ==, 0);

  /* Nothing more to do: a second prune removes nothing. */
  g_clear_pointer (&report, g_free);
  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 0);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 2);
}

/* More than one batch of runs goes, and each batch is whole. */
static void
test_runs_many (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(PaPruneReport) report = NULL;

  set_retention (fixture, 1, 0, 0, 0);
  g_assert_true (pa_store_begin (fixture->store, NULL));
  for (int i = 0; i < 130; i++)
    {
      g_autofree char *id = g_strdup_printf ("run-%03d", i);

      add_run (fixture, id, NOW_MS - 10 * DAY_MS + i, PA_EVENT_RUN_SUCCEEDED,
               NOW_MS - 5 * DAY_MS + i);
    }
  add_run (fixture, "kept", NOW_MS - DAY_MS / 2, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 1);
  g_assert_true (pa_store_commit (fixture->store, NULL));

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 130);
  g_assert_cmpuint (report->events, ==, 130 * 5);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 1);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM events"), ==, 5);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM steps"), ==, 1);
}

/* Runs that have not ended are what a resume needs: never removed, however
 * old and however many; and neither is a finished run that ended after the
 * oldest of them began, whose journal that resume may consult. */
static void
test_unfinished_kept (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(PaPruneReport) report = NULL;

  set_retention (fixture, 1, 1, 0, 0);
  add_run (fixture, "before", NOW_MS - 400 * DAY_MS, PA_EVENT_RUN_SUCCEEDED,
           NOW_MS - 350 * DAY_MS);
  add_run (fixture, "running", NOW_MS - 300 * DAY_MS, NULL, 0);
  append (fixture, "waiting", NULL, PA_EVENT_RUN_CREATED,
          "{\"definition\": {}}", NOW_MS - 200 * DAY_MS);
  append (fixture, "waiting", NULL, PA_EVENT_RUN_WAITING, "{\"reason\": \"offline\"}",
          NOW_MS - 199 * DAY_MS);
  append (fixture, "pending", NULL, PA_EVENT_RUN_CREATED,
          "{\"definition\": {}}", NOW_MS - 100 * DAY_MS);
  add_run (fixture, "after", NOW_MS - 290 * DAY_MS, PA_EVENT_RUN_FAILED,
           NOW_MS - 280 * DAY_MS);
  add_run (fixture, "newest", NOW_MS - 10 * DAY_MS, PA_EVENT_RUN_SUCCEEDED,
           NOW_MS - 9 * DAY_MS);

  /* What a run ended by an older build and then resumed may hold: its
   * status, not an end time, says it has not ended. */
  g_assert_cmpint (sqlite3_exec (fixture->db, "UPDATE runs SET finished_at = 1 "
                                 "WHERE id = 'running'", NULL, NULL, NULL), ==, SQLITE_OK);

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 1);
  g_assert_cmpint (count_where (fixture, "runs", "before"), ==, 0);
  g_assert_cmpint (count_where (fixture, "runs", "after"), ==, 1);
  g_assert_cmpint (count_where (fixture, "runs", "newest"), ==, 1);
  g_assert_cmpint (count_where (fixture, "runs", "running"), ==, 1);
  g_assert_cmpint (count_where (fixture, "events", "running"), ==, 4);
  g_assert_cmpint (count_where (fixture, "steps", "running"), ==, 1);
  g_assert_cmpint (count_where (fixture, "events", "waiting"), ==, 2);
  g_assert_cmpint (count_where (fixture, "runs", "pending"), ==, 1);

  /* Once they end, the rules apply to them like to any other. */
  append (fixture, "running", NULL, PA_EVENT_RUN_SUCCEEDED, NULL, NOW_MS - 5 * DAY_MS);
  append (fixture, "waiting", NULL, PA_EVENT_RUN_CANCELLED, NULL, NOW_MS - 4 * DAY_MS);
  append (fixture, "pending", NULL, PA_EVENT_RUN_CANCELLED, NULL, NOW_MS - 3 * DAY_MS);
  g_clear_pointer (&report, g_free);
  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->runs, ==, 5);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM events"), ==, 0);
}

/* The request log --------------------------------------------------------- */

static void
log_requests (Fixture *fixture,
              guint    n,
              guint    path_len)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strnfill (path_len, 'p');

  g_assert_true (pa_store_begin (fixture->store, &error));
  for (guint i = 0; i < n; i++)
    {
      path[0] = '/';
      g_assert_true (pa_store_log_request (fixture->store, NULL, NULL, "stripe", NULL, "GET",
                                           path, 200, 12, &error));
    }
  g_assert_true (pa_store_commit (fixture->store, &error));
  g_assert_no_error (error);
}

static void
test_log (Fixture       *fixture,
          gconstpointer  data)
{
  g_autoptr(PaPruneReport) report = NULL;
  gint64 newest;

  set_retention (fixture, 0, 0, 30, 0);
  fixture->now_ms = NOW_MS - 31 * DAY_MS;
  log_requests (fixture, 10, 8);
  fixture->now_ms = NOW_MS - 29 * DAY_MS;
  log_requests (fixture, 10, 8);
  fixture->now_ms = NOW_MS;

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->requests, ==, 10);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 10);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT min (at) FROM platform_logs"), ==,
                   NOW_MS - 29 * DAY_MS);

  /* By count: the newest stay. */
  set_retention (fixture, 0, 0, 30, 4);
  newest = query_int64 (fixture->db, "SELECT max (id) FROM platform_logs");
  g_clear_pointer (&report, g_free);
  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->requests, ==, 6);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 4);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT min (id) FROM platform_logs"), ==,
                   newest - 3);

  /* 0 turns a rule off. */
  set_retention (fixture, 0, 0, 0, 0);
  fixture->now_ms = NOW_MS + 1000 * DAY_MS;
  g_clear_pointer (&report, g_free);
  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (report->requests, ==, 0);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 4);
}

/* A dry run counts exactly what a prune then removes, and removes nothing. */
static void
test_dry_run (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(PaPruneReport) dry = NULL;
  g_autoptr(PaPruneReport) real = NULL;

  set_retention (fixture, 30, 2, 30, 5);
  add_run (fixture, "a", NOW_MS - 100 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 90 * DAY_MS);
  add_run (fixture, "b", NOW_MS - 10 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 9 * DAY_MS);
  add_run (fixture, "c", NOW_MS - 8 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 7 * DAY_MS);
  add_run (fixture, "d", NOW_MS - 6 * DAY_MS, PA_EVENT_RUN_SUCCEEDED, NOW_MS - 5 * DAY_MS);
  fixture->now_ms = NOW_MS - 40 * DAY_MS;
  log_requests (fixture, 3, 8);
  fixture->now_ms = NOW_MS;
  log_requests (fixture, 8, 8);

  dry = prune (fixture, PA_PRUNE_FLAGS_DRY_RUN);
  g_assert_cmpuint (dry->runs, ==, 2);
  g_assert_cmpuint (dry->requests, ==, 6);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 4);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 11);

  real = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_assert_cmpuint (real->runs, ==, dry->runs);
  g_assert_cmpuint (real->steps, ==, dry->steps);
  g_assert_cmpuint (real->events, ==, dry->events);
  g_assert_cmpuint (real->requests, ==, dry->requests);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM runs"), ==, 2);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 5);
}

/* The file ----------------------------------------------------------------- */

static guint64
size_of (const char *path,
         const char *suffix)
{
  g_autofree char *full = g_strconcat (path, suffix, NULL);
  GStatBuf buf;

  return g_stat (full, &buf) == 0 ? (guint64) buf.st_size : 0;
}

/* 100,000 requests go in batches, and both files give the space back: the
 * main database by incremental vacuum, the WAL by a TRUNCATE checkpoint. */
static void
fill_and_prune_shrinks (Fixture  *fixture,
                        gboolean  expect_conversion)
{
  g_autoptr(PaPruneReport) report = NULL;
  const char *path = pa_store_get_path (fixture->store);
  guint64 db_before, wal_before;

  set_retention (fixture, 0, 0, 30, 0);
  fixture->now_ms = NOW_MS - 60 * DAY_MS;
  log_requests (fixture, 100000, 100);
  fixture->now_ms = NOW_MS;
  log_requests (fixture, 10, 100);
  /* The store's own checkpoints, as after a day of use: most of it is in
   * the main file. Busy while the store's checkpoint thread copies. */
  for (guint i = 0; i < 200; i++)
    {
      if (sqlite3_wal_checkpoint_v2 (fixture->db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                     NULL, NULL) == SQLITE_OK)
        break;
      g_usleep (10 * 1000);
    }
  db_before = size_of (path, "");
  wal_before = size_of (path, "-wal");
  g_test_message ("before: db %" G_GUINT64_FORMAT ", wal %" G_GUINT64_FORMAT,
                  db_before, wal_before);
  g_assert_cmpuint (db_before, >, 10 * 1024 * 1024);

  report = prune (fixture, PA_PRUNE_FLAGS_NONE);
  g_test_message ("after: db %" G_GUINT64_FORMAT ", wal %" G_GUINT64_FORMAT,
                  size_of (path, ""), size_of (path, "-wal"));
  g_assert_cmpuint (report->requests, ==, 100000);
  g_assert_cmpint (report->converted, ==, expect_conversion);
  g_assert_cmpint (query_int64 (fixture->db, "SELECT count(*) FROM platform_logs"), ==, 10);
  g_assert_cmpint (query_int64 (fixture->db, "PRAGMA auto_vacuum"), ==, 2);
  g_assert_cmpint (query_int64 (fixture->db, "PRAGMA freelist_count"), ==, 0);

  /* Both files shrank, and the report says so. */
  g_assert_cmpuint (size_of (path, ""), <, db_before / 10);
  g_assert_cmpuint (size_of (path, "-wal"), ==, 0);
  g_assert_cmpuint (report->size_after, <, report->size_before / 10);
}

static void
test_shrinks (Fixture       *fixture,
              gconstpointer  data)
{
  g_assert_cmpint (query_int64 (fixture->db, "PRAGMA auto_vacuum"), ==, 2);
  fill_and_prune_shrinks (fixture, FALSE);
}

/* A database made without incremental auto-vacuum (by an older tool, or
 * copied) is converted once, by the first prune. */
static void
test_converts (Fixture       *fixture,
               gconstpointer  data)
{
  g_assert_cmpint (sqlite3_exec (fixture->db, "PRAGMA auto_vacuum = NONE; VACUUM",
                                 NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (query_int64 (fixture->db, "PRAGMA auto_vacuum"), ==, 0);
  fill_and_prune_shrinks (fixture, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/retention/settings", test_settings);
  ADD ("/retention/runs-by-age", test_runs_by_age);
  ADD ("/retention/runs-by-count", test_runs_by_count);
  ADD ("/retention/runs-many", test_runs_many);
  ADD ("/retention/unfinished-kept", test_unfinished_kept);
  ADD ("/retention/log", test_log);
  ADD ("/retention/dry-run", test_dry_run);
  ADD ("/retention/shrinks", test_shrinks);
  ADD ("/retention/converts", test_converts);

#undef ADD

  return g_test_run ();
}
