/* test-store-runs.c — the typed reads of runs, steps and events, and assets
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-journal.h"
#include "pa-store.h"

#include "pa-test-peer-private.h"

typedef struct {
  char      *dir;
  PaStore   *store;
  PaJournal *journal;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-test-store-runs-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->journal = pa_journal_new (fixture->store);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->journal);
  g_clear_object (&fixture->store);
  g_assert_true (pa_test_remove_tree (fixture->dir, &error));
  g_free (fixture->dir);
}

/* Appends an event that must be accepted. @payload may be NULL. */
static void
append (Fixture    *fixture,
        const char *run_id,
        const char *step_id,
        const char *kind,
        int         attempt,
        const char *payload,
        gint64      at)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (payload != NULL)
    {
      node = json_from_string (payload, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (pa_journal_append (fixture->journal, run_id, step_id, kind, attempt, node, at,
                                      &error), >, 0);
  g_assert_no_error (error);
}

static void
create_run (Fixture    *fixture,
            const char *run_id,
            gint64      at)
{
  append (fixture, run_id, NULL, PA_EVENT_RUN_CREATED, 0, "{\"definition\": {\"name\": \"w\"}}", at);
}

static void
assert_run_ids (GPtrArray  *runs,
                const char *expected)
{
  g_autoptr(GString) ids = g_string_new (NULL);

  for (guint i = 0; i < runs->len; i++)
    {
      const PaRunRecord *run = g_ptr_array_index (runs, i);

      if (i > 0)
        g_string_append_c (ids, ',');
      g_string_append (ids, run->id);
    }
  g_assert_cmpstr (ids->str, ==, expected);
}

/* Five runs, two created in the same millisecond, one in each status. */
static void
create_five_runs (Fixture *fixture)
{
  create_run (fixture, "r1", 1000);
  append (fixture, "r1", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 1001);
  append (fixture, "r1", NULL, PA_EVENT_RUN_SUCCEEDED, 0, NULL, 1002);
  create_run (fixture, "r2", 2000);
  append (fixture, "r2", NULL, PA_EVENT_RUN_FAILED, 0, "{\"error\": \"boom\"}", 2001);
  create_run (fixture, "r3", 3000);
  append (fixture, "r3", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 3001);
  create_run (fixture, "r4", 3000);
  create_run (fixture, "r5", 4000);
  append (fixture, "r5", NULL, PA_EVENT_RUN_WAITING, 0, "{\"reason\": \"offline\"}", 4001);
  create_run (fixture, "r6", 5000);
  append (fixture, "r6", NULL, PA_EVENT_RUN_CANCELLED, 0, NULL, 5001);
}

static void
test_get_run (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) run = NULL;

  append (fixture, "run-a", NULL, PA_EVENT_RUN_CREATED, 0,
          "{\"workflow_id\": \"wf-1\", \"definition\": {\"name\": \"sell\"},"
          " \"inputs\": {\"price\": 1200}}", 1000);
  append (fixture, "run-a", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 1001);
  append (fixture, "run-a", NULL, PA_EVENT_RUN_FAILED, 0, "{\"error\": \"step ship failed\"}", 1016);
  create_run (fixture, "run-b", 2000);

  run = pa_store_get_run (fixture->store, "run-a", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->id, ==, "run-a");
  g_assert_cmpstr (run->workflow_id, ==, "wf-1");
  g_assert_cmpstr (run->definition_json, ==, "{\"name\":\"sell\"}");
  g_assert_cmpstr (run->inputs_json, ==, "{\"price\":1200}");
  g_assert_cmpstr (run->status, ==, "failed");
  g_assert_cmpint (run->created_at, ==, 1000);
  g_assert_cmpint (run->started_at, ==, 1001);
  g_assert_cmpint (run->finished_at, ==, 1016);
  g_assert_cmpstr (run->error, ==, "step ship failed");
  g_clear_pointer (&run, pa_run_record_free);

  /* NULL columns come back as NULL and 0. */
  run = pa_store_get_run (fixture->store, "run-b", &error);
  g_assert_no_error (error);
  g_assert_null (run->workflow_id);
  g_assert_cmpstr (run->inputs_json, ==, "{}");
  g_assert_cmpstr (run->status, ==, "pending");
  g_assert_cmpint (run->created_at, ==, 2000);
  g_assert_cmpint (run->started_at, ==, 0);
  g_assert_cmpint (run->finished_at, ==, 0);
  g_assert_null (run->error);
  g_clear_pointer (&run, pa_run_record_free);

  run = pa_store_get_run (fixture->store, "run-z", &error);
  g_assert_null (run);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "run-z"));
}

static void
test_list_runs (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;

  runs = pa_store_list_runs (fixture->store, NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 0);
  g_clear_pointer (&runs, g_ptr_array_unref);

  create_five_runs (fixture);

  /* Newest first; the same millisecond is ordered by id, the same way
   * every time. 0 is no limit. */
  runs = pa_store_list_runs (fixture->store, NULL, 0, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r6,r5,r4,r3,r2,r1");
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = pa_store_list_runs (fixture->store, NULL, 2, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r6,r5");
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = pa_store_list_runs (fixture->store, NULL, 100, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r6,r5,r4,r3,r2,r1");
  g_clear_pointer (&runs, g_ptr_array_unref);

  /* A status filter, with and without a limit. */
  runs = pa_store_list_runs (fixture->store, "failed", 0, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r2");
  g_assert_cmpstr (((PaRunRecord *) runs->pdata[0])->error, ==, "boom");
  g_clear_pointer (&runs, g_ptr_array_unref);

  append (fixture, "r4", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 3005);
  runs = pa_store_list_runs (fixture->store, "running", 0, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r4,r3");
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = pa_store_list_runs (fixture->store, "running", 1, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r4");
  g_clear_pointer (&runs, g_ptr_array_unref);

  runs = pa_store_list_runs (fixture->store, "no-such-status", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (runs->len, ==, 0);
}

static void
test_unfinished_runs (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  const PaRunRecord *run;

  create_five_runs (fixture);

  /* Oldest first (the order to resume them), only pending, running and
   * waiting, and with what resuming needs. */
  runs = pa_store_list_unfinished_runs (fixture->store, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r3,r4,r5");
  run = runs->pdata[0];
  g_assert_cmpstr (run->status, ==, "running");
  g_assert_cmpstr (run->definition_json, ==, "{\"name\":\"w\"}");
  g_assert_cmpstr (run->inputs_json, ==, "{}");
  g_assert_cmpstr (((PaRunRecord *) runs->pdata[1])->status, ==, "pending");
  run = runs->pdata[2];
  g_assert_cmpstr (run->status, ==, "waiting");
  g_assert_cmpstr (run->error, ==, "offline");
  g_clear_pointer (&runs, g_ptr_array_unref);

  append (fixture, "r3", NULL, PA_EVENT_RUN_SUCCEEDED, 0, NULL, 6000);
  runs = pa_store_list_unfinished_runs (fixture->store, &error);
  g_assert_no_error (error);
  assert_run_ids (runs, "r4,r5");
}

static void
test_list_steps (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  const PaStepRecord *step;

  create_run (fixture, "r", 10);
  create_run (fixture, "other", 11);
  append (fixture, "r", "b", PA_EVENT_STEP_STARTED, 1, "{\"idempotency_key\": \"r/b\"}", 20);
  append (fixture, "r", "b", PA_EVENT_STEP_FAILED, 1, "{\"error\": \"503\", \"will_retry\": true}", 21);
  append (fixture, "r", "b", PA_EVENT_STEP_STARTED, 2, NULL, 22);
  append (fixture, "r", "b", PA_EVENT_STEP_SUCCEEDED, 2, "{\"output\": {\"id\": 7}}", 23);
  append (fixture, "r", "a", PA_EVENT_STEP_STARTED, 1, NULL, 30);
  /* Rows for steps that never started: after the others, by id. */
  append (fixture, "r", "z", PA_EVENT_STEP_SUCCEEDED, 1, "{\"output\": \"zed\"}", 40);
  append (fixture, "r", "y", PA_EVENT_STEP_COMPENSATED, 1, NULL, 41);
  append (fixture, "other", "b", PA_EVENT_STEP_STARTED, 1, NULL, 5);

  steps = pa_store_list_steps (fixture->store, "r", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 4);

  step = steps->pdata[0];
  g_assert_cmpstr (step->run_id, ==, "r");
  g_assert_cmpstr (step->step_id, ==, "b");
  g_assert_cmpstr (step->status, ==, "succeeded");
  g_assert_cmpint (step->attempts, ==, 2);
  g_assert_cmpstr (step->idempotency_key, ==, "r/b");
  g_assert_cmpstr (step->output_json, ==, "{\"id\":7}");
  g_assert_null (step->error);
  g_assert_cmpint (step->started_at, ==, 22);
  g_assert_cmpint (step->finished_at, ==, 23);

  /* Still running: no output, no end. */
  step = steps->pdata[1];
  g_assert_cmpstr (step->step_id, ==, "a");
  g_assert_cmpstr (step->status, ==, "running");
  g_assert_null (step->idempotency_key);
  g_assert_null (step->output_json);
  g_assert_cmpint (step->started_at, ==, 30);
  g_assert_cmpint (step->finished_at, ==, 0);

  step = steps->pdata[2];
  g_assert_cmpstr (step->step_id, ==, "y");
  g_assert_cmpstr (step->status, ==, "compensated");
  g_assert_cmpint (step->started_at, ==, 0);
  step = steps->pdata[3];
  g_assert_cmpstr (step->step_id, ==, "z");
  g_assert_cmpstr (step->output_json, ==, "\"zed\"");
  g_clear_pointer (&steps, g_ptr_array_unref);

  /* A run without steps, and no run at all: empty, not an error. */
  create_run (fixture, "bare", 50);
  steps = pa_store_list_steps (fixture->store, "bare", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 0);
  g_clear_pointer (&steps, g_ptr_array_unref);
  steps = pa_store_list_steps (fixture->store, "nothing", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (steps->len, ==, 0);
}

typedef struct {
  GString *out;
  gint64   last_seq;
} Collect;

static void
collect_event_cb (const PaEventRecord *event,
                  gpointer             user_data)
{
  Collect *collect = user_data;

  g_assert_cmpint (event->seq, >, collect->last_seq);
  collect->last_seq = event->seq;
  g_string_append_printf (collect->out, "%s|%s|%s|%d|%s|%" G_GINT64_FORMAT ";",
                          event->run_id, event->step_id != NULL ? event->step_id : "NULL",
                          event->kind, event->attempt, event->payload_json, event->at);
}

static void
test_events (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  Collect collect = { out, 0 };

  create_run (fixture, "r", 10);
  create_run (fixture, "other", 11);
  append (fixture, "r", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 12);
  append (fixture, "other", NULL, PA_EVENT_RUN_STARTED, 0, NULL, 13);
  append (fixture, "r", "s", PA_EVENT_STEP_STARTED, 1, "{\"idempotency_key\": \"k\"}", 14);
  append (fixture, "r", "s", "step.progress", 1, "{\"percent\": 50}", 15);

  /* Every event of the run, run events included, in journal order. */
  g_assert_true (pa_store_foreach_run_event (fixture->store, "r", collect_event_cb, &collect,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out->str, ==,
                   "r|NULL|run.created|0|{\"definition\":{\"name\":\"w\"}}|10;"
                   "r|NULL|run.started|0|{}|12;"
                   "r|s|step.started|1|{\"idempotency_key\":\"k\"}|14;"
                   "r|s|step.progress|1|{\"percent\":50}|15;");

  g_string_truncate (out, 0);
  g_assert_true (pa_store_foreach_run_event (fixture->store, "nothing", collect_event_cb, &collect,
                                             &error));
  g_assert_no_error (error);
  g_assert_cmpstr (out->str, ==, "");

  g_assert_cmpint (pa_store_count_events (fixture->store, "r", &error), ==, 4);
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_count_events (fixture->store, "other", &error), ==, 2);
  g_assert_cmpint (pa_store_count_events (fixture->store, "nothing", &error), ==, 0);
  g_assert_cmpint (pa_store_count_events (fixture->store, NULL, &error), ==, 6);
  g_assert_no_error (error);
}

static void
test_has_event (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  create_run (fixture, "r", 10);
  g_assert_false (pa_store_has_event (fixture->store, "step.checkpoint", "$.state.prediction_id",
                                      "p-1", &error));
  g_assert_no_error (error);

  append (fixture, "r", "s", "step.checkpoint", 1, "{\"state\": {\"prediction_id\": \"p-1\"}}", 11);
  append (fixture, "r", "t", PA_EVENT_STEP_STARTED, 1, "{\"state\": {\"prediction_id\": \"p-2\"}}", 12);

  g_assert_true (pa_store_has_event (fixture->store, "step.checkpoint", "$.state.prediction_id",
                                     "p-1", &error));
  g_assert_no_error (error);
  /* Another value, another kind, another member: no. */
  g_assert_false (pa_store_has_event (fixture->store, "step.checkpoint", "$.state.prediction_id",
                                      "p-2", &error));
  g_assert_false (pa_store_has_event (fixture->store, PA_EVENT_STEP_STARTED,
                                      "$.state.prediction_id", "p-1", &error));
  g_assert_true (pa_store_has_event (fixture->store, PA_EVENT_STEP_STARTED,
                                     "$.state.prediction_id", "p-2", &error));
  g_assert_false (pa_store_has_event (fixture->store, "step.checkpoint", "$.state.other",
                                      "p-1", &error));
  g_assert_no_error (error);

  /* A path SQLite cannot read is an error, not a no. */
  g_assert_false (pa_store_has_event (fixture->store, "step.checkpoint", "no path", "p-1", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
}

static void
test_assets (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaAssetRecord) asset = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  gint64 before = g_get_real_time () / 1000;
  gint64 first, again, other;
  gint64 created_at;

  g_assert_null (pa_store_get_asset (fixture->store, "/media/a.png", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "/media/a.png"));
  g_clear_error (&error);

  first = pa_store_add_asset (fixture->store, "image", "/media/a.png", "aa11", 640, 480, "run-1",
                              &error);
  g_assert_no_error (error);
  g_assert_cmpint (first, >, 0);

  asset = pa_store_get_asset (fixture->store, "/media/a.png", &error);
  g_assert_no_error (error);
  g_assert_cmpint (asset->id, ==, first);
  g_assert_cmpstr (asset->kind, ==, "image");
  g_assert_cmpstr (asset->path, ==, "/media/a.png");
  g_assert_cmpstr (asset->sha256, ==, "aa11");
  g_assert_cmpint (asset->width, ==, 640);
  g_assert_cmpint (asset->height, ==, 480);
  g_assert_cmpint (asset->created_at, >=, before);
  g_assert_cmpint (asset->created_at, <=, g_get_real_time () / 1000);
  g_assert_cmpstr (asset->run_id, ==, "run-1");
  created_at = asset->created_at;
  g_clear_pointer (&asset, pa_asset_record_free);

  /* The same path again: the same row, updated; a size or run that is
   * not given keeps the one recorded. */
  g_usleep (2000);
  again = pa_store_add_asset (fixture->store, "file", "/media/a.png", "bb22", 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (again, ==, first);
  asset = pa_store_get_asset (fixture->store, "/media/a.png", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (asset->kind, ==, "file");
  g_assert_cmpstr (asset->sha256, ==, "bb22");
  g_assert_cmpint (asset->width, ==, 640);
  g_assert_cmpint (asset->height, ==, 480);
  g_assert_cmpstr (asset->run_id, ==, "run-1");
  g_assert_cmpint (asset->created_at, ==, created_at);
  g_clear_pointer (&asset, pa_asset_record_free);

  again = pa_store_add_asset (fixture->store, "image", "/media/a.png", "bb22", 32, 16, "run-2",
                              &error);
  g_assert_cmpint (again, ==, first);
  asset = pa_store_get_asset (fixture->store, "/media/a.png", &error);
  g_assert_cmpint (asset->width, ==, 32);
  g_assert_cmpint (asset->height, ==, 16);
  g_assert_cmpstr (asset->run_id, ==, "run-2");
  g_clear_pointer (&asset, pa_asset_record_free);

  /* Another path is another row, with NULL columns read as 0 and NULL. */
  other = pa_store_add_asset (fixture->store, "audio", "/media/b.ogg", "cc33", 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (other, !=, first);
  asset = pa_store_get_asset (fixture->store, "/media/b.ogg", &error);
  g_assert_no_error (error);
  g_assert_cmpint (asset->width, ==, 0);
  g_assert_cmpint (asset->height, ==, 0);
  g_assert_null (asset->run_id);

  assets = pa_store_list_assets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 2);
  g_assert_cmpint (((PaAssetRecord *) assets->pdata[0])->id, ==, first);
  g_assert_cmpstr (((PaAssetRecord *) assets->pdata[0])->path, ==, "/media/a.png");
  g_assert_cmpint (((PaAssetRecord *) assets->pdata[1])->id, ==, other);
  g_clear_pointer (&assets, g_ptr_array_unref);

  /* Deleting forgets that row only; a second delete is told it is gone. */
  g_assert_true (pa_store_delete_asset (fixture->store, first, &error));
  g_assert_no_error (error);
  g_assert_false (pa_store_delete_asset (fixture->store, first, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pa_store_get_asset (fixture->store, "/media/a.png", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  assets = pa_store_list_assets (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpint (((PaAssetRecord *) assets->pdata[0])->id, ==, other);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/store-runs/get-run", test_get_run);
  ADD ("/store-runs/list-runs", test_list_runs);
  ADD ("/store-runs/unfinished-runs", test_unfinished_runs);
  ADD ("/store-runs/list-steps", test_list_steps);
  ADD ("/store-runs/events", test_events);
  ADD ("/store-runs/has-event", test_has_event);
  ADD ("/store-runs/assets", test_assets);

#undef ADD

  return g_test_run ();
}
