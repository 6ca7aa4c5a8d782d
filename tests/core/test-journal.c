/* test-journal.c — appending events, projections, and rebuilding them by replay
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
#include "pa-store.h"
#include "pa-store-private.h"

typedef struct {
  char      *dir;
  PaStore   *store;
  PaJournal *journal;
  sqlite3   *db;        /* the test's own connection: what is on disk */
} Fixture;

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
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-test-journal-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->journal = pa_journal_new (fixture->store);
  g_assert_cmpint (sqlite3_open_v2 (pa_store_get_path (fixture->store), &fixture->db,
                                    SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_pointer (&fixture->db, sqlite3_close);
  g_clear_object (&fixture->journal);
  g_clear_object (&fixture->store);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static JsonNode *
json (const char *text)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (text, &error);

  g_assert_no_error (error);
  return node;
}

/* Appends an event that must be accepted; returns its seq. @payload may
 * be NULL. */
static gint64
append (Fixture    *fixture,
        const char *run_id,
        const char *step_id,
        const char *kind,
        int         attempt,
        const char *payload,
        gint64      at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = payload != NULL ? json (payload) : NULL;
  gint64 seq;

  seq = pa_journal_append (fixture->journal, run_id, step_id, kind, attempt, node, at, &error);
  g_assert_no_error (error);
  g_assert_cmpint (seq, >, 0);
  return seq;
}

static int
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

/* One row as "a|b|c", NULL columns as "NULL". */
static char *
query_row (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  for (int i = 0; i < sqlite3_column_count (stmt); i++)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, i);

      if (i > 0)
        g_string_append_c (out, '|');
      g_string_append (out, text != NULL ? text : "NULL");
    }
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

static void
assert_no_row (sqlite3    *db,
               const char *sql)
{
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
}

#define assert_row(db, sql, expected) \
  G_STMT_START { \
    g_autofree char *row_ = query_row ((db), (sql)); \
    g_assert_cmpstr (row_, ==, (expected)); \
  } G_STMT_END

/* Two runs that between them use every kind: retries, a final failure,
 * compensation, waiting, and a kind the journal does not know. */
static void
append_two_runs (Fixture *fixture)
{
  /* Run A: step "pay" fails once and succeeds on its second try; "ship"
   * fails for good; "pay" is compensated; the run fails. */
  append (fixture, "run-a", NULL, PA_EVENT_RUN_CREATED, 0,
          "{\"workflow_id\":\"wf-1\",\"definition\":{\"name\":\"sell\",\"steps\":[]},"
          "\"inputs\":{\"price\":1200}}", 1000);
  append (fixture, "run-a", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 1001);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_STARTED, 1,
          "{\"idempotency_key\":\"run-a/pay\"}", 1002);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_FAILED, 1,
          "{\"error\":\"HTTP 503\",\"will_retry\":true}", 1003);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_STARTED, 2, "{}", 1010);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_SUCCEEDED, 2,
          "{\"output\":{\"url\":\"https://buy.example/x\",\"id\":\"plink_1\"}}", 1011);
  append (fixture, "run-a", "ship", PA_EVENT_STEP_STARTED, 1,
          "{\"idempotency_key\":\"run-a/ship\"}", 1012);
  append (fixture, "run-a", "ship", PA_EVENT_STEP_FAILED, 1,
          "{\"error\":{\"code\":\"invalid_request\",\"message\":\"no address\"},"
          "\"will_retry\":false}", 1013);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_COMPENSATING, 1, NULL, 1014);
  append (fixture, "run-a", "pay", PA_EVENT_STEP_COMPENSATED, 1, NULL, 1015);
  append (fixture, "run-a", NULL, PA_EVENT_RUN_FAILED, 0, "{\"error\":\"step ship failed\"}", 1016);

  /* Run B: waits for the network, resumes, succeeds. */
  append (fixture, "run-b", NULL, PA_EVENT_RUN_CREATED, 0,
          "{\"definition\":{\"name\":\"caption\"}}", 2000);
  append (fixture, "run-b", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 2001);
  append (fixture, "run-b", NULL, PA_EVENT_RUN_WAITING, 0,
          "{\"reason\":\"waiting for network\"}", 2002);
  append (fixture, "run-b", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 2050);
  append (fixture, "run-b", "caption", PA_EVENT_STEP_STARTED, 1, NULL, 2051);
  append (fixture, "run-b", "caption", "step.progress", 1, "{\"percent\":50}", 2052);
  append (fixture, "run-b", "caption", PA_EVENT_STEP_SUCCEEDED, 1, "{\"output\":\"a cat\"}", 2053);
  append (fixture, "run-b", NULL, PA_EVENT_RUN_SUCCEEDED, 0, NULL, 2054);
}

static void
test_projections (Fixture       *fixture,
                  gconstpointer  data)
{
  sqlite3 *db = fixture->db;

  append_two_runs (fixture);

  g_assert_cmpint (query_int (db, "SELECT count(*) FROM events"), ==, 19);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM runs"), ==, 2);
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM steps"), ==, 3);

  assert_row (db, "SELECT workflow_id, definition_json, inputs_json, status, created_at, "
                  "started_at, finished_at, error FROM runs WHERE id = 'run-a'",
              "wf-1|{\"name\":\"sell\",\"steps\":[]}|{\"price\":1200}|failed|1000|1001|1016|"
              "step ship failed");
  assert_row (db, "SELECT status, attempts, idempotency_key, output_json, error, started_at, "
                  "finished_at FROM steps WHERE run_id = 'run-a' AND step_id = 'pay'",
              "compensated|2|run-a/pay|{\"url\":\"https://buy.example/x\",\"id\":\"plink_1\"}|"
              "NULL|1010|1011");
  assert_row (db, "SELECT status, attempts, idempotency_key, output_json, error, started_at, "
                  "finished_at FROM steps WHERE run_id = 'run-a' AND step_id = 'ship'",
              "failed|1|run-a/ship|NULL|"
              "{\"code\":\"invalid_request\",\"message\":\"no address\"}|1012|1013");

  /* started_at is the first start; the waiting reason is gone once it
   * runs again; an unknown kind projected nothing. */
  assert_row (db, "SELECT workflow_id, inputs_json, status, created_at, started_at, "
                  "finished_at, error FROM runs WHERE id = 'run-b'",
              "NULL|{}|succeeded|2000|2001|2054|NULL");
  assert_row (db, "SELECT status, attempts, idempotency_key, output_json, started_at, "
                  "finished_at FROM steps WHERE run_id = 'run-b'",
              "succeeded|1|NULL|\"a cat\"|2051|2053");
  assert_row (db, "SELECT kind, attempt, payload_json FROM events WHERE kind = 'step.progress'",
              "step.progress|1|{\"percent\":50}");
}

/* Each intermediate state, not only the last one. */
static void
test_projection_steps (Fixture       *fixture,
                       gconstpointer  data)
{
  sqlite3 *db = fixture->db;
  const char *run_sql = "SELECT status, error, finished_at FROM runs WHERE id = 'r'";
  const char *step_sql = "SELECT status, attempts, idempotency_key, error, finished_at "
                         "FROM steps WHERE run_id = 'r' AND step_id = 's'";

  append (fixture, "r", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 10);
  assert_row (db, run_sql, "pending|NULL|NULL");
  append (fixture, "r", NULL, PA_EVENT_RUN_WAITING, 0, "{\"reason\":\"offline\"}", 11);
  assert_row (db, run_sql, "waiting|offline|NULL");
  append (fixture, "r", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 12);
  assert_row (db, run_sql, "running|NULL|NULL");

  append (fixture, "r", "s", PA_EVENT_STEP_STARTED, 1, "{\"idempotency_key\":\"k1\"}", 13);
  assert_row (db, step_sql, "running|1|k1|NULL|NULL");
  append (fixture, "r", "s", PA_EVENT_STEP_FAILED, 1, "{\"error\":\"boom\",\"will_retry\":true}", 14);
  assert_row (db, step_sql, "retrying|1|k1|boom|NULL");
  append (fixture, "r", "s", PA_EVENT_STEP_STARTED, 2, NULL, 15);
  assert_row (db, step_sql, "running|2|k1|NULL|NULL");
  append (fixture, "r", "s", PA_EVENT_STEP_FAILED, 2, "{\"error\":\"boom again\"}", 16);
  assert_row (db, step_sql, "failed|2|k1|boom again|16");
  append (fixture, "r", "s", PA_EVENT_STEP_COMPENSATING, 0, NULL, 17);
  assert_row (db, step_sql, "compensating|2|k1|boom again|16");
  append (fixture, "r", NULL, PA_EVENT_RUN_CANCELLED, 0, NULL, 18);
  assert_row (db, run_sql, "cancelled|NULL|18");
}

static char *
dump (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  char *text = pa_journal_dump_projections (fixture->journal, &error);

  g_assert_no_error (error);
  g_assert_nonnull (text);
  return text;
}

static void
replay (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_journal_replay (fixture->journal, &error));
  g_assert_no_error (error);
}

static void
test_replay (Fixture       *fixture,
             gconstpointer  data)
{
  g_autofree char *original = NULL;
  g_autofree char *replayed = NULL;
  g_autofree char *corrupted = NULL;
  g_autofree char *restored = NULL;
  g_autofree char *reopened = NULL;
  g_autoptr(GError) error = NULL;

  append_two_runs (fixture);
  original = dump (fixture);
  g_test_message ("projections:\n%s", original);
  g_assert_nonnull (strstr (original, "[runs]\n"));
  g_assert_nonnull (strstr (original, "[steps]\n"));
  g_assert_nonnull (strstr (original, "status=\"compensated\""));

  replay (fixture);
  replayed = dump (fixture);
  g_assert_cmpstr (replayed, ==, original);

  /* Damage the projections three ways; replay puts every one right. */
  g_assert_true (pa_store_exec (fixture->store,
                                "UPDATE steps SET status = 'x';"
                                "UPDATE runs SET error = 'bogus', finished_at = NULL "
                                "  WHERE id = 'run-b';"
                                "DELETE FROM runs WHERE id = 'run-a';"
                                "INSERT INTO runs (id, definition_json, status, created_at) "
                                "  VALUES ('ghost', '{}', 'running', 1)", &error));
  g_assert_no_error (error);
  corrupted = dump (fixture);
  g_assert_cmpstr (corrupted, !=, original);
  g_assert_nonnull (strstr (corrupted, "status=\"x\""));

  replay (fixture);
  restored = dump (fixture);
  g_assert_cmpstr (restored, ==, original);

  /* And the rebuilt projections are what a fresh process reads. */
  g_clear_object (&fixture->journal);
  g_clear_object (&fixture->store);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->journal = pa_journal_new (fixture->store);
  reopened = dump (fixture);
  g_assert_cmpstr (reopened, ==, original);
}

/* The database is a file anyone with the user's rights can edit: a
 * payload nested deep enough to overflow json-glib's stack is refused
 * before it is parsed, with the event named, and nothing is rebuilt. */
static void
test_replay_deep_payload (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *original = NULL;
  g_autofree char *after = NULL;
  GString *deep = g_string_new (NULL);
  sqlite3_stmt *stmt = NULL;

  append_two_runs (fixture);
  original = dump (fixture);

  for (int i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  g_assert_cmpint (sqlite3_prepare_v2 (fixture->db,
                                       "UPDATE events SET payload_json = ?1 WHERE seq = "
                                       "(SELECT max (seq) FROM events)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, deep->str, (int) deep->len, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  g_string_free (deep, TRUE);

  g_assert_false (pa_journal_replay (fixture->journal, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_test_message ("refused: %s", error->message);
  g_assert_nonnull (strstr (error->message, "512"));

  /* Rolled back: the projections are as they were. */
  after = dump (fixture);
  g_assert_cmpstr (after, ==, original);
}

static void
assert_refused (Fixture    *fixture,
                const char *run_id,
                const char *step_id,
                const char *kind,
                const char *payload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = payload != NULL ? json (payload) : NULL;
  g_autofree char *before = dump (fixture);
  g_autofree char *after = NULL;
  int n_events = query_int (fixture->db, "SELECT count(*) FROM events");
  gint64 seq;

  seq = pa_journal_append (fixture->journal, run_id, step_id, kind, 1, node, 0, &error);
  g_assert_cmpint (seq, ==, 0);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_test_message ("refused: %s", error->message);

  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM events"), ==, n_events);
  after = dump (fixture);
  g_assert_cmpstr (after, ==, before);
}

static void
test_refused (Fixture       *fixture,
              gconstpointer  data)
{
  append (fixture, "real", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 0);

  /* Unknown runs, whatever the kind. */
  assert_refused (fixture, "ghost", "a", PA_EVENT_STEP_STARTED, NULL);
  assert_refused (fixture, "ghost", NULL, PA_EVENT_RUN_STARTED, NULL);
  assert_refused (fixture, "ghost", NULL, "custom.kind", "{}");
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM runs WHERE id = 'ghost'"), ==, 0);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM steps"), ==, 0);

  /* Malformed events. */
  assert_refused (fixture, "real", NULL, PA_EVENT_RUN_CREATED, "{\"definition\":{}}");
  assert_refused (fixture, "new", NULL, PA_EVENT_RUN_CREATED, "{\"inputs\":{}}");
  assert_refused (fixture, "new", NULL, PA_EVENT_RUN_CREATED, NULL);
  assert_refused (fixture, "real", NULL, PA_EVENT_STEP_STARTED, NULL);
  assert_refused (fixture, "real", "", PA_EVENT_STEP_SUCCEEDED, NULL);
  assert_refused (fixture, "real", "a", PA_EVENT_STEP_STARTED, "[1, 2]");
  assert_refused (fixture, "", NULL, PA_EVENT_RUN_STARTED, NULL);
  assert_refused (fixture, NULL, NULL, PA_EVENT_RUN_STARTED, NULL);
  assert_refused (fixture, "real", NULL, "", NULL);

  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM events"), ==, 1);
}

static void
test_payload_roundtrip (Fixture       *fixture,
                        gconstpointer  data)
{
  const char *text =
    "{ \"output\": {\n"
    "    \"caption\": \"Grace \\\"Amazing\\\" Hopper — “portrait” 🐱\",\n"
    "    \"sizes\": [1, 2.5, -3e2, null, true],\n"
    "    \"nested\": {\"empty\": {}, \"list\": [], \"path\": \"C:\\\\media\\\\a.png\"},\n"
    "    \"big\": 9007199254740993\n"
    "  },\n"
    "  \"control\": \"tab\\there\\nnewline\\u0001\"\n"
    "}";
  g_autoptr(JsonNode) payload = json (text);
  g_autoptr(JsonNode) stored = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *compact = json_to_string (payload, FALSE);
  g_autofree char *payload_json = NULL;
  g_autofree char *output_json = NULL;
  g_autofree char *sql = NULL;
  g_autoptr(GError) error = NULL;
  gint64 seq;

  append (fixture, "r", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 0);
  seq = pa_journal_append (fixture->journal, "r", "s", PA_EVENT_STEP_SUCCEEDED, 1,
                           payload, 0, &error);
  g_assert_no_error (error);

  sql = g_strdup_printf ("SELECT payload_json FROM events WHERE seq = %" G_GINT64_FORMAT, seq);
  payload_json = query_row (fixture->db, sql);

  /* Stored compact, and it reads back as the same JSON. */
  g_assert_cmpstr (payload_json, ==, compact);
  g_assert_null (strchr (payload_json, '\n'));
  stored = json (payload_json);
  g_assert_true (json_node_equal (stored, payload));

  output_json = query_row (fixture->db, "SELECT output_json FROM steps WHERE step_id = 's'");
  output = json (output_json);
  g_assert_true (json_node_equal (output,
                                  json_object_get_member (json_node_get_object (payload),
                                                          "output")));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (output), "big"),
                   ==, G_GINT64_CONSTANT (9007199254740993));
}

static void
test_seq_and_time (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 before = g_get_real_time () / 1000;
  gint64 last = 0;
  g_autofree char *at_sql = NULL;

  for (int i = 0; i < 5; i++)
    {
      g_autofree char *run_id = g_strdup_printf ("run-%d", i);
      gint64 seq = append (fixture, run_id, NULL, PA_EVENT_RUN_CREATED, 0,
                           "{\"definition\":{}}", 0);

      g_assert_cmpint (seq, >, last);
      last = seq;
    }
  g_assert_cmpint (query_int (fixture->db, "SELECT max(seq) FROM events"), ==, last);

  /* at_ms = 0 means now. */
  at_sql = g_strdup_printf ("SELECT count(*) FROM events WHERE at >= %" G_GINT64_FORMAT
                            " AND at <= %" G_GINT64_FORMAT,
                            before, g_get_real_time () / 1000);
  g_assert_cmpint (query_int (fixture->db, at_sql), ==, 5);
}

static void
test_outer_transaction (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  /* Appends join an outer transaction and go with it. */
  g_assert_true (pa_store_begin (fixture->store, &error));
  append (fixture, "r1", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 0);
  append (fixture, "r1", "a", PA_EVENT_STEP_STARTED, 1, NULL, 0);
  pa_store_rollback (fixture->store);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM events"), ==, 0);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM runs"), ==, 0);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM steps"), ==, 0);

  /* A refused event does not spoil the outer transaction. */
  g_assert_true (pa_store_begin (fixture->store, &error));
  append (fixture, "r2", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 0);
  g_assert_cmpint (pa_journal_append (fixture->journal, "ghost", NULL, PA_EVENT_RUN_STARTED, 0,
                                      NULL, 0, &error), ==, 0);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  append (fixture, "r2", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 0);
  g_assert_true (pa_store_commit (fixture->store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM events"), ==, 2);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM runs WHERE status = 'running'"),
                   ==, 1);

  /* A replay inside an outer transaction is undone with it. */
  g_assert_true (pa_store_begin (fixture->store, &error));
  g_assert_true (pa_journal_replay (fixture->journal, &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_exec (fixture->store, "DELETE FROM runs", &error));
  pa_store_rollback (fixture->store);
  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM runs"), ==, 1);
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

/* Not a benchmark (tests/bench/ has that): a record of the order of
 * magnitude, and proof that many appends in a row work. */
static void
test_many_appends (Fixture       *fixture,
                   gconstpointer  data)
{
  const int n = 600;
  g_autofree gint64 *times = g_new (gint64, n);
  g_autofree char *original = NULL;
  g_autofree char *replayed = NULL;

  append (fixture, "bulk", NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\":{}}", 0);
  for (int i = 0; i < n; i++)
    {
      g_autofree char *step = g_strdup_printf ("s%d", i / 3);
      const char *kind = (i % 3 == 0) ? PA_EVENT_STEP_STARTED
                       : (i % 3 == 1) ? PA_EVENT_STEP_FAILED : PA_EVENT_STEP_SUCCEEDED;
      gint64 start = g_get_monotonic_time ();

      append (fixture, "bulk", step, kind, 1,
              i % 3 == 1 ? "{\"error\":\"again\",\"will_retry\":true}" : "{\"output\":{\"n\":1}}",
              0);
      times[i] = g_get_monotonic_time () - start;
    }
  qsort (times, n, sizeof (gint64), compare_gint64);
  g_test_message ("append: p50 %" G_GINT64_FORMAT " µs, p99 %" G_GINT64_FORMAT " µs",
                  times[n / 2], times[n * 99 / 100]);

  g_assert_cmpint (query_int (fixture->db, "SELECT count(*) FROM steps WHERE status = 'succeeded'"),
                   ==, n / 3);

  original = dump (fixture);
  replay (fixture);
  replayed = dump (fixture);
  g_assert_cmpstr (replayed, ==, original);
}

/* ---- group commit ---------------------------------------------------------- */

/* How many events another process, reading the file, sees for @run_id. */
static int
committed_events (Fixture    *fixture,
                  const char *run_id)
{
  g_autofree char *path = g_build_filename (fixture->dir, "playalter.db", NULL);
  sqlite3 *other = NULL;
  sqlite3_stmt *stmt = NULL;
  int count = -1;

  g_assert_cmpint (sqlite3_open_v2 (path, &other, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (other, "SELECT count (*) FROM events WHERE run_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_STATIC);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  count = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (other);
  return count;
}

static void
defer (Fixture    *fixture,
       const char *run_id,
       const char *step_id,
       const char *kind)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) payload = NULL;

  if (g_str_equal (kind, PA_EVENT_RUN_CREATED))
    payload = json ("{\"definition\": {\"name\": \"g\"}, \"inputs\": {}}");
  g_assert_cmpint (pa_journal_append_deferred (fixture->journal, run_id, step_id, kind, 1,
                                               payload, 0, &error), >, 0);
  g_assert_no_error (error);
}

static gint64
fake_now_us (gpointer data)
{
  return *(gint64 *) data;
}

/* Deferred events are seen by this connection at once, by others only
 * once committed: by a flush, by a plain append, or when idle. */
static void
test_group_commit (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 now_us = 0;

  /* Time moves only when this test says so: on a loaded machine a few
   * SQLite inserts can take longer than a batch may live. */
  pa_journal_set_clock (fixture->journal, fake_now_us, &now_us);

  defer (fixture, "g1", NULL, PA_EVENT_RUN_CREATED);
  defer (fixture, "g1", NULL, PA_EVENT_RUN_STARTED);
  {
    g_autoptr(PaRunRecord) run = pa_store_get_run (fixture->store, "g1", &error);

    g_assert_no_error (error);
    g_assert_cmpstr (run->status, ==, "running");
  }
  assert_no_row (fixture->db, "SELECT status FROM runs WHERE id = 'g1'");
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 0);
  g_assert_true (pa_journal_flush (fixture->journal, &error));
  g_assert_no_error (error);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 2);
  /* Nothing open: flushing again is a no-op. */
  g_assert_true (pa_journal_flush (fixture->journal, &error));

  /* A plain append commits the batch before it along with itself. */
  defer (fixture, "g1", "a", PA_EVENT_STEP_STARTED);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 2);
  append (fixture, "g1", "a", PA_EVENT_STEP_SUCCEEDED, 1, "{\"output\": 1}", 0);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 4);

  /* When the main context has nothing else to do. */
  defer (fixture, "g1", "b", PA_EVENT_STEP_STARTED);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 4);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 5);

  /* A batch older than its age limit is committed by the next event. */
  defer (fixture, "g1", "c", PA_EVENT_STEP_STARTED);
  now_us += 5000;
  defer (fixture, "g1", "c", PA_EVENT_STEP_SUCCEEDED);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 7);

  /* Dropping the journal commits what it holds. */
  defer (fixture, "g1", NULL, PA_EVENT_RUN_SUCCEEDED);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 7);
  g_clear_object (&fixture->journal);
  g_assert_cmpint (committed_events (fixture, "g1"), ==, 8);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* A refused event ends the batch; what came before it is kept. */
static void
test_group_commit_refused (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  defer (fixture, "g2", NULL, PA_EVENT_RUN_CREATED);
  defer (fixture, "g2", "a", PA_EVENT_STEP_STARTED);
  /* A step event of a run that does not exist is refused. */
  g_assert_cmpint (pa_journal_append_deferred (fixture->journal, "nobody", "a",
                                               PA_EVENT_STEP_STARTED, 1, NULL, 0, &error), ==, 0);
  g_assert_nonnull (error);
  g_assert_cmpint (committed_events (fixture, "g2"), ==, 2);
  g_assert_cmpint (committed_events (fixture, "nobody"), ==, 0);
  g_clear_error (&error);
  g_assert_true (pa_journal_flush (fixture->journal, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/journal/projections", test_projections);
  ADD ("/journal/projection-steps", test_projection_steps);
  ADD ("/journal/replay", test_replay);
  ADD ("/journal/replay-deep-payload", test_replay_deep_payload);
  ADD ("/journal/refused", test_refused);
  ADD ("/journal/payload-roundtrip", test_payload_roundtrip);
  ADD ("/journal/seq-and-time", test_seq_and_time);
  ADD ("/journal/outer-transaction", test_outer_transaction);
  ADD ("/journal/many-appends", test_many_appends);
  ADD ("/journal/group-commit", test_group_commit);
  ADD ("/journal/group-commit-refused", test_group_commit_refused);

#undef ADD

  return g_test_run ();
}
