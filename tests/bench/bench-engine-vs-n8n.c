/* bench-engine-vs-n8n.c — the same five-step workflow on our engine and on n8n
 *
 * SPDX-License-Identifier: MIT
 *
 * Every side runs the same closed loop: C executions in flight, a new one
 * started as soon as one ends, for the same warm-up and then the same N
 * measured ones. Three sides: a PaEngine in this process on a fresh
 * on-disk store, every event journaled; `playalter-cli serve` in its own
 * process, triggered over loopback HTTP like n8n; and the real n8n, its
 * workflow triggered by a webhook on loopback. Every execution's result
 * is checked, so a fast wrong answer fails the benchmark instead of
 * winning it. The durability settings of both engines are read in the
 * run and reported with the figures.
 *
 * Options: --runs N, --warmup N, --concurrency C (repeatable), --no-n8n,
 * --no-serve, --write-results (or PLAYALTER_BENCH_WRITE_RESULTS=1:
 * replace the measured section of RESULTS.md), --results FILE (replace
 * FILE's instead). Without them it prints only. Not a test: build it and
 * run it with `meson test --benchmark`.
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "pa-action.h"
#include "pa-engine.h"
#include "pa-store.h"
#include "pa-workflow.h"

#include "bench-http-loop.h"
#include "bench-n8n.h"
#include "bench-report.h"
#include "pa-test-n8n.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

#define N8N_WORKFLOW     "n8n-bench-workflow.json"

/* The workflow on our side: the same transforms as the n8n workflow's
 * Set nodes, each templating the previous step's output. */
static const char OUR_WORKFLOW[] =
  "{\"name\": \"bench\","
  " \"inputs\": {\"message\": {\"type\": \"string\"}, \"n\": {\"type\": \"number\"}},"
  " \"steps\": ["
  "  {\"id\": \"trigger\", \"uses\": \"local.set\","
  "   \"with\": {\"value\": {\"message\": \"{{inputs.message}}\", \"n\": \"{{inputs.n}}\"}}},"
  "  {\"id\": \"greet\", \"uses\": \"local.set\", \"needs\": [\"trigger\"],"
  "   \"with\": {\"value\": {\"text\": \"hello {{steps.trigger.output.value.message}}\","
  "                          \"n\": \"{{steps.trigger.output.value.n}}\"}}},"
  "  {\"id\": \"exclaim\", \"uses\": \"local.set\", \"needs\": [\"greet\"],"
  "   \"with\": {\"value\": {\"text\": \"{{steps.greet.output.value.text}}!\","
  "                          \"n\": \"{{steps.greet.output.value.n}}\"}}},"
  "  {\"id\": \"bracket\", \"uses\": \"local.set\", \"needs\": [\"exclaim\"],"
  "   \"with\": {\"value\": {\"text\": \"[{{steps.exclaim.output.value.text}}]\","
  "                          \"n\": \"{{steps.exclaim.output.value.n}}\"}}},"
  "  {\"id\": \"respond\", \"uses\": \"local.set\", \"needs\": [\"bracket\"],"
  "   \"with\": {\"value\": {\"echo\": \"{{steps.bracket.output.value.text}}\","
  "                          \"n\": \"{{steps.bracket.output.value.n}}\","
  "                          \"received\": true}}}]}";


/* ---- helpers --------------------------------------------------------------- */

static char *
expected_answer (guint n)
{
  return g_strdup_printf ("{\"echo\":\"[hello msg-%u!]\",\"n\":%u,\"received\":true}", n, n);
}

/* Compares JSON by value, so that member order and number spelling
 * (n8n may answer 7 where we store 7.0) do not matter. */
static gboolean
json_text_equal (const char *a,
                 const char *b)
{
  g_autoptr(JsonNode) x = json_from_string (a, NULL);
  g_autoptr(JsonNode) y = json_from_string (b, NULL);

  return x != NULL && y != NULL && json_node_equal (x, y);
}

static void
iterate_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* Idle and total jiffies of all CPUs, from /proc/stat. */
static gboolean
read_cpu_times (guint64 *idle,
                guint64 *total)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) fields = NULL;
  char *line_end;

  if (!g_file_get_contents ("/proc/stat", &contents, NULL, NULL))
    return FALSE;
  line_end = strchr (contents, '\n');
  if (line_end != NULL)
    *line_end = '\0';
  fields = g_strsplit_set (contents, " ", -1);
  *idle = *total = 0;
  for (guint i = 1, n = 0; fields[i] != NULL; i++)
    {
      guint64 value;

      if (fields[i][0] == '\0')
        continue;
      value = g_ascii_strtoull (fields[i], NULL, 10);
      *total += value;
      if (n == 3 || n == 4)   /* idle, iowait */
        *idle += value;
      n++;
    }
  return *total > 0;
}

/* Each phase starts once the machine has calmed down: n8n saves and
 * prunes executions after it has answered, and every phase leaves dirty
 * pages behind for the disk. Writes them out, then waits for half a
 * second with 80 % of the CPUs idle, at most 30 s; returns how long it
 * waited, in seconds. */
static double
wait_for_quiet (void)
{
  gint64 start = g_get_monotonic_time ();

  sync ();

  while (g_get_monotonic_time () - start < 30 * G_USEC_PER_SEC)
    {
      guint64 idle0, total0, idle1, total1;

      if (!read_cpu_times (&idle0, &total0))
        break;
      g_usleep (G_USEC_PER_SEC / 2);
      if (!read_cpu_times (&idle1, &total1))
        break;
      if (total1 > total0 && (idle1 - idle0) >= 0.8 * (total1 - total0))
        break;
    }
  return (g_get_monotonic_time () - start) / (double) G_USEC_PER_SEC;
}

/* ---- our engine ------------------------------------------------------------ */

typedef struct {
  PaEngine    *engine;
  PaWorkflow  *workflow;
  GHashTable  *started;     /* run id → gint64 * start time, µs */
  GHashTable  *numbers;     /* run id → input n */
  GArray      *latencies;   /* µs, measured runs only */
  GArray      *commits;     /* µs, BEGIN to end of COMMIT */
  GArray      *commit_only; /* µs, the COMMIT statement */
  gboolean     measuring;
  guint        warmup;
  guint        total;       /* warm-up + measured */
  guint        next;        /* runs started */
  guint        finished;
  guint        failed;
  gint64       t0;
  gint64       t1;
  gboolean     done;
  GError      *error;
} Ours;

static void
ours_commit_cb (PaStore  *store,
                gint64    tx_us,
                gint64    commit_us,
                gpointer  user_data)
{
  Ours *o = user_data;

  if (o->measuring)
    {
      g_array_append_val (o->commits, tx_us);
      g_array_append_val (o->commit_only, commit_us);
    }
}

static void
ours_start_one (Ours *o)
{
  g_autoptr(JsonObject) given = json_object_new ();
  g_autoptr(JsonObject) inputs = NULL;
  g_autofree char *message = g_strdup_printf ("msg-%u", o->next);
  g_autofree char *run_id = NULL;
  gint64 *t = g_new (gint64, 1);

  json_object_set_string_member (given, "message", message);
  json_object_set_int_member (given, "n", o->next);
  *t = g_get_monotonic_time ();
  /* Bound as the app binds a trigger's inputs, inside the timed span. */
  inputs = pa_workflow_bind_inputs (o->workflow, given, &o->error);
  if (inputs != NULL)
    pa_engine_start_run (o->engine, o->workflow, inputs, &run_id, &o->error);
  if (run_id == NULL)
    {
      g_free (t);
      o->done = TRUE;
      return;
    }
  g_hash_table_insert (o->numbers, g_strdup (run_id), GUINT_TO_POINTER (o->next));
  g_hash_table_insert (o->started, g_steal_pointer (&run_id), t);
  o->next++;
}

static void
ours_run_finished_cb (PaEngine   *engine,
                      const char *run_id,
                      const char *status,
                      Ours       *o)
{
  gint64 now = g_get_monotonic_time ();
  gint64 *t = g_hash_table_lookup (o->started, run_id);

  if (t == NULL)
    return;
  if (g_strcmp0 (status, "succeeded") != 0)
    o->failed++;
  if (o->measuring)
    {
      gint64 latency = now - *t;

      g_array_append_val (o->latencies, latency);
    }
  g_hash_table_remove (o->started, run_id);
  o->finished++;

  if (o->finished == o->warmup)
    {
      o->measuring = TRUE;
      o->t0 = now;
    }
  if (o->finished == o->total)
    {
      o->t1 = now;
      o->done = TRUE;
      return;
    }
  if (o->next < o->total && o->error == NULL)
    ours_start_one (o);
}

/* Every measured run's last step must hold the answer the transforms
 * give for its input; read after the loop so it costs the loop nothing,
 * through a connection of our own, so it is what reached the file. */
static gboolean
ours_verify (Ours     *o,
             PaStore  *store,
             GError  **error)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  guint n_checked = 0;
  int rc;

  if (sqlite3_open_v2 (pa_store_get_path (store), &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "verify: %s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  if (sqlite3_prepare_v2 (db,
        "SELECT r.id, r.status, s.output_json FROM runs r "
        "LEFT JOIN steps s ON s.run_id = r.id AND s.step_id = 'respond'",
        -1, &stmt, NULL) != SQLITE_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "verify: %s", sqlite3_errmsg (db));
      sqlite3_close (db);
      return FALSE;
    }
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      const char *id = (const char *) sqlite3_column_text (stmt, 0);
      const char *status = (const char *) sqlite3_column_text (stmt, 1);
      const char *output = (const char *) sqlite3_column_text (stmt, 2);
      gpointer n;
      g_autofree char *answer = NULL;
      g_autofree char *wrapped = NULL;

      if (!g_hash_table_lookup_extended (o->numbers, id, NULL, &n))
        continue;
      answer = expected_answer (GPOINTER_TO_UINT (n));
      wrapped = g_strdup_printf ("{\"value\":%s}", answer);
      if (g_strcmp0 (status, "succeeded") != 0 || output == NULL
          || !json_text_equal (output, wrapped))
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "run %s: status %s, output %s, expected %s",
                       id, status, output != NULL ? output : "(none)", wrapped);
          sqlite3_finalize (stmt);
          sqlite3_close (db);
          return FALSE;
        }
      n_checked++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  if (rc != SQLITE_DONE || n_checked != o->total)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "verify: %u of %u runs found with the right answer", n_checked, o->total);
      return FALSE;
    }
  return TRUE;
}

/* One "name=value" of pa_store_describe_durability(), upper-cased as
 * n8n's probe reports it. */
static char *
durability_value (const char *description,
                  const char *name)
{
  g_auto(GStrv) pairs = g_strsplit (description, " ", -1);
  g_autofree char *prefix = g_strconcat (name, "=", NULL);

  for (guint i = 0; pairs[i] != NULL; i++)
    if (g_str_has_prefix (pairs[i], prefix))
      return g_ascii_strup (pairs[i] + strlen (prefix), -1);
  return g_strdup ("?");
}

static const char *
sync_name (PaStoreSync level)
{
  return level == PA_STORE_SYNC_FULL ? "full" : "normal";
}

/* Keeps the synchronous level a side reported, as it reported it, and
 * fails when it is not the one asked for: the table must not claim a
 * durability that was not in force. */
static gboolean
record_synchronous (BenchResult  *result,
                    const char   *description,
                    PaStoreSync   level,
                    GError      **error)
{
  g_autofree char *found = durability_value (description, "synchronous");

  g_strlcpy (result->synchronous, found, sizeof result->synchronous);
  if (g_ascii_strcasecmp (found, sync_name (level)) == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "asked for synchronous=%s, found “%s”",
               sync_name (level), description);
  return FALSE;
}

static gboolean
run_ours (guint            concurrency,
          PaStoreSync      level,
          guint            warmup,
          guint            runs,
          BenchResult     *result,
          BenchDurability *durability,
          GError         **error)
{
  g_autofree char *dir = g_dir_make_tmp ("playalter-bench-XXXXXX", error);
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaActionRegistry) registry = NULL;
  g_autoptr(PaEngine) engine = NULL;
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) commits = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) commit_only = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GHashTable) started = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  g_autoptr(GHashTable) numbers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  Ours o = { 0 };
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  store = pa_store_open (dir, error);
  if (store == NULL || !pa_store_set_synchronous (store, level, error))
    return FALSE;
  registry = pa_action_registry_new_default ();
  workflow = pa_workflow_new_from_data (OUR_WORKFLOW, -1, registry, error);
  if (workflow == NULL)
    return FALSE;
  {
    g_autofree char *description = pa_store_describe_durability (store);

    if (durability->our_journal_mode == NULL)
      durability->our_journal_mode = durability_value (description, "journal_mode");
    if (!record_synchronous (result, description, level, error))
      return FALSE;
  }
  engine = pa_engine_new (store, registry, NULL);
  /* As many steps at once as n8n gets requests at once. */
  pa_engine_set_max_concurrency (engine, concurrency);

  o = (Ours) {
    .engine = engine, .workflow = workflow, .started = started, .numbers = numbers,
    .latencies = latencies, .commits = commits, .commit_only = commit_only,
    .warmup = warmup, .total = warmup + runs,
    .measuring = warmup == 0,
  };
  g_signal_connect (engine, "run-finished", G_CALLBACK (ours_run_finished_cb), &o);
  pa_store_set_commit_observer (store, ours_commit_cb, &o);

  o.t0 = g_get_monotonic_time ();
  for (guint i = 0; i < concurrency && i < o.total && !o.done; i++)
    ours_start_one (&o);
  iterate_until (&o.done);
  pa_store_set_commit_observer (store, NULL, NULL);
  g_signal_handlers_disconnect_by_data (engine, &o);

  if (o.error != NULL)
    {
      g_propagate_error (error, o.error);
      return FALSE;
    }
  ok = o.failed == 0 && ours_verify (&o, store, error);
  if (o.failed > 0)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%u runs did not succeed", o.failed);

  result->n = runs;
  result->concurrency = concurrency;
  result->per_s = runs / ((o.t1 - o.t0) / (double) G_USEC_PER_SEC);
  result->p50_ms = bench_percentile_ms (latencies, 50);
  result->p99_ms = bench_percentile_ms (latencies, 99);
  result->max_ms = bench_percentile_ms (latencies, 100);
  result->n_commits = commits->len;
  result->commits_per_run = commits->len / (double) runs;
  result->commit_p50_ms = bench_percentile_ms (commits, 50);
  result->commit_p99_ms = bench_percentile_ms (commits, 99);
  result->commit_max_ms = bench_percentile_ms (commits, 100);
  result->commit_only_p50_ms = bench_percentile_ms (commit_only, 50);
  result->commit_only_p99_ms = bench_percentile_ms (commit_only, 99);

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autoptr(GError) local_error = NULL;

    if (!pa_test_remove_tree (dir, &local_error))
      g_printerr ("bench: %s\n", local_error->message);
  }
  return ok;
}

/* ---- over HTTP: serve and n8n ---------------------------------------------- */

/* n8n answers with the Respond to Webhook node's body, exactly. */
static gboolean
check_n8n_answer (guint        n,
                  guint        status,
                  const char  *body,
                  GError     **error)
{
  g_autofree char *expected = expected_answer (n);

  if (status == 200 && json_text_equal (body, expected))
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "answered %u %s, expected %s",
               status, body, expected);
  return FALSE;
}

/* serve answers ?wait=true with the run's status and step outputs. */
static gboolean
check_serve_answer (guint        n,
                    guint        status,
                    const char  *body,
                    GError     **error)
{
  g_autoptr(JsonNode) root = json_from_string (body, NULL);
  g_autofree char *expected = expected_answer (n);
  g_autofree char *wrapped = g_strdup_printf ("{\"value\":%s}", expected);
  g_autoptr(JsonNode) want = json_from_string (wrapped, NULL);
  JsonObject *object = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonObject *outputs = object != NULL && json_object_has_member (object, "outputs")
                        ? json_object_get_object_member (object, "outputs") : NULL;
  JsonNode *respond = outputs != NULL ? json_object_get_member (outputs, "respond") : NULL;

  if (status == 200 && respond != NULL && json_node_equal (respond, want)
      && g_strcmp0 (json_object_get_string_member_with_default (object, "status", NULL),
                    "succeeded") == 0)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "answered %u %s, expected outputs.respond %s",
               status, body, wrapped);
  return FALSE;
}

/* ---- playalter-cli serve ----------------------------------------------------- */

/* Our engine as users trigger it: `playalter-cli serve` in its own
 * process, on a fresh data dir, with the engine's step concurrency set
 * to C as in process, at the durability @level (--durability). */
static gboolean
run_serve (guint        concurrency,
           PaStoreSync  level,
           guint        warmup,
           guint        runs,
           BenchResult *result,
           GError     **error)
{
  g_autofree char *dir = g_dir_make_tmp ("playalter-bench-serve-XXXXXX", error);
  g_autofree char *cli = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *token_file = NULL;
  g_autofree char *token = NULL;
  g_autofree char *authorization = NULL;
  g_autofree char *c_arg = NULL;
  g_autofree char *line = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) serve = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GOutputStream) sink = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean ok;

  if (dir == NULL)
    return FALSE;
  cli = g_build_filename (g_getenv ("PLAYALTER_BUILD_ROOT"), "app", "cli", "playalter-cli", NULL);
  data_dir = g_build_filename (dir, "data", NULL);
  workflow = g_build_filename (dir, "bench.json", NULL);
  token_file = g_build_filename (dir, "token", NULL);
  token = g_uuid_string_random ();
  authorization = g_strdup_printf ("Bearer %s", token);
  c_arg = g_strdup_printf ("%u", concurrency);
  if (!g_file_set_contents (workflow, OUR_WORKFLOW, -1, error)
      || !g_file_set_contents (token_file, token, -1, error))
    return FALSE;

  serve = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, error,
                            cli, "--data-dir", data_dir, "--durability", sync_name (level),
                            "serve", workflow, "--port", "0",
                            "--token-file", token_file, "--concurrency", c_arg, NULL);
  if (serve == NULL)
    return FALSE;
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (serve));
  line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, error);
  if (line == NULL || !g_str_has_prefix (line, "Listening on "))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "playalter-cli serve did not start");
      g_subprocess_force_exit (serve);
      return FALSE;
    }
  url = g_strconcat (line + strlen ("Listening on "), "run/bench?wait=true", NULL);
  /* After the addresses, serve says how its store commits. */
  for (guint i = 0; i < 4 && line != NULL && !g_str_has_prefix (line, "Durability: "); i++)
    {
      g_free (line);
      line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, NULL);
    }
  if (line == NULL || !g_str_has_prefix (line, "Durability: ")
      || !record_synchronous (result, line + strlen ("Durability: "), level, error))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "playalter-cli serve did not say its durability");
      g_subprocess_force_exit (serve);
      return FALSE;
    }
  /* serve reports every run's end on stdout: drain it, or it blocks. */
  sink = g_memory_output_stream_new_resizable ();
  g_output_stream_splice_async (sink, G_INPUT_STREAM (out), G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, NULL, NULL);

  ok = bench_http_loop_run ("serve", url, authorization, check_serve_answer,
                      concurrency, warmup, runs, result, error);

  g_subprocess_send_signal (serve, SIGTERM);
  if (!g_subprocess_wait_check (serve, NULL, ok ? error : NULL))
    ok = FALSE;
  if (!pa_test_remove_tree (dir, &local_error))
    g_printerr ("bench: %s\n", local_error->message);
  return ok;
}

/* ---- main ------------------------------------------------------------------ */

static gboolean
run_side (BenchSide    side,
          PaTestN8n   *n8n,
          guint        c,
          guint        warmup,
          guint        runs,
          BenchResult *result,
          BenchDurability *durability,
          GError     **error)
{
  switch (side)
    {
    case BENCH_SIDE_IN_PROCESS:
    case BENCH_SIDE_IN_PROCESS_FULL:
      return run_ours (c, side == BENCH_SIDE_IN_PROCESS_FULL ? PA_STORE_SYNC_FULL
                                                             : PA_STORE_SYNC_NORMAL,
                       warmup, runs, result, durability, error);
    case BENCH_SIDE_SERVE:
    case BENCH_SIDE_SERVE_FULL:
      return run_serve (c, side == BENCH_SIDE_SERVE_FULL ? PA_STORE_SYNC_FULL
                                                         : PA_STORE_SYNC_NORMAL,
                        warmup, runs, result, error);
    case BENCH_SIDE_N8N:
      if (!bench_http_loop_run ("n8n", pa_test_n8n_get_webhook_url (n8n), NULL, check_n8n_answer,
                                c, warmup, runs, result, error))
        return FALSE;
      {
        g_autofree char *level = bench_n8n_synchronous (durability->n8n_probe);

        g_strlcpy (result->synchronous, level, sizeof result->synchronous);
      }
      return TRUE;
    case BENCH_N_SIDES:
    default:
      g_assert_not_reached ();
    }
}

int
main (int    argc,
      char **argv)
{
  static const char *side_labels[BENCH_N_SIDES] = {
    [BENCH_SIDE_IN_PROCESS] = "our engine in process",
    [BENCH_SIDE_IN_PROCESS_FULL] = "our engine in process, synchronous=FULL",
    [BENCH_SIDE_SERVE] = "playalter-cli serve over HTTP",
    [BENCH_SIDE_SERVE_FULL] = "playalter-cli --durability full serve over HTTP",
    [BENCH_SIDE_N8N] = "n8n over HTTP",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) options = NULL;
  g_autoptr(PaTestN8n) n8n = NULL;
  g_autoptr(GString) section = g_string_new (NULL);
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *when = g_date_time_format (now, "%Y-%m-%d %H:%M UTC");
  g_autofree char *command = NULL;
  g_autofree char *results_path = NULL;
  g_autofree char *n8n_workflow = NULL;
  g_auto(GStrv) concurrency_args = NULL;
  GArray *levels = g_array_new (FALSE, FALSE, sizeof (guint));
  int runs = 2000;
  int warmup = 300;
  gboolean no_n8n = FALSE;
  gboolean no_serve = FALSE;
  gboolean write_results = FALSE;
  BenchResult results[BENCH_N_SIDES][8] = { 0 };
  BenchDurability durability = { 0 };
  gint64 n8n_saved = -1;
  guint n_levels;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs,
      "Measured executions, the same on every side (default 2000)", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup,
      "Executions before measuring, the same on every side (default 300)", "N" },
    { "concurrency", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &concurrency_args,
      "Executions in flight (repeatable; default 1 and 8)", "C" },
    { "no-n8n", 0, 0, G_OPTION_ARG_NONE, &no_n8n, "Measure our sides only", NULL },
    { "no-serve", 0, 0, G_OPTION_ARG_NONE, &no_serve, "Leave out playalter-cli serve", NULL },
    { "write-results", 0, 0, G_OPTION_ARG_NONE, &write_results,
      "Replace the measured section of tests/bench/RESULTS.md (also with "
      "PLAYALTER_BENCH_WRITE_RESULTS=1); otherwise print only", NULL },
    { "results", 0, 0, G_OPTION_ARG_FILENAME, &results_path,
      "Replace the measured section of FILE instead", "FILE" },
    { NULL }
  };

  /* The program's name without this machine's build path, and with
   * its options (parsing takes them out of argv). */
  {
    g_autofree char *name = g_path_get_basename (argv[0]);
    g_autofree char *args = g_strjoinv (" ", argv + 1);

    command = args[0] != '\0' ? g_strconcat (name, " ", args, NULL) : g_strdup (name);
  }
  options = g_option_context_new ("— the engine against n8n on the same workflow");
  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  for (guint i = 0; concurrency_args != NULL && concurrency_args[i] != NULL; i++)
    {
      guint c = (guint) g_ascii_strtoull (concurrency_args[i], NULL, 10);

      if (c > 0)
        g_array_append_val (levels, c);
    }
  if (levels->len == 0)
    {
      guint defaults[] = { 1, 8 };

      g_array_append_vals (levels, defaults, 2);
    }
  n_levels = MIN (levels->len, G_N_ELEMENTS (results[0]));
  if (runs <= 0 || warmup < 0)
    {
      g_printerr ("--runs must be positive and --warmup not negative\n");
      return 2;
    }
  if (g_strcmp0 (results_path, "-") == 0)
    g_clear_pointer (&results_path, g_free);
  if (results_path == NULL
      && (write_results || g_strcmp0 (g_getenv ("PLAYALTER_BENCH_WRITE_RESULTS"), "1") == 0))
    results_path = g_build_filename (pa_test_source_root (), "tests", "bench", "RESULTS.md", NULL);

  if (!no_n8n)
    {
      n8n_workflow = g_build_filename (pa_test_source_root (), "tests", "bench", N8N_WORKFLOW, NULL);
      g_printerr ("Starting n8n...\n");
      n8n = pa_test_n8n_start_with_workflow (n8n_workflow, &error);
      if (n8n == NULL)
        {
          g_printerr ("n8n did not start: %s\n", error->message);
          return 1;
        }
      durability.n8n_probe = bench_n8n_probe_durability ();
    }

  /* Side by side, n8n last: n8n keeps saving and pruning after its last
   * answer, and that must not land in our phases. Every side runs the
   * same warm-up and the same number of measured executions. */
  for (guint side = 0; side < BENCH_N_SIDES; side++)
    {
      if ((side == BENCH_SIDE_N8N && n8n == NULL)
          || ((side == BENCH_SIDE_SERVE || side == BENCH_SIDE_SERVE_FULL) && no_serve))
        continue;
      for (guint i = 0; i < n_levels; i++)
        {
          guint c = g_array_index (levels, guint, i);
          BenchResult *r = &results[side][i];

          g_printerr ("Waited %.1f s for a quiet machine.\n", wait_for_quiet ());
          g_printerr ("C=%u: %s, %d + %d executions...\n", c, side_labels[side], warmup, runs);
          if (!run_side (side, n8n, c, (guint) warmup, (guint) runs, r, &durability, &error))
            {
              g_printerr ("%s failed: %s\n", side_labels[side], error->message);
              if (side == BENCH_SIDE_N8N)
                g_printerr ("n8n's log: %s\n", pa_test_n8n_get_log_path (n8n));
              return 1;
            }
          g_printerr ("  %.0f/s, p50 %.3f ms, p99 %.3f ms\n", r->per_s, r->p50_ms, r->p99_ms);
        }
    }
  if (n8n != NULL)
    n8n_saved = bench_n8n_count_executions (n8n);

  g_string_append_printf (section, "Measured %s with `%s`.\n\n", when, command);
  bench_report_describe_machine (section);
  bench_report_append (section, results, n_levels, &durability);
  g_string_append_printf (section,
    "\nEvery side: %d warm-up executions, then %d measured ones, with C in flight; every "
    "result checked. The sides ran one after the other (in process, in process at FULL, "
    "`serve`, `serve` at FULL, n8n; n8n idle until its turn); each phase started after a sync, once the CPUs were 80 %% idle for half "
    "a second. ",
    warmup, runs);
  if (n8n != NULL)
    g_string_append_printf (section,
      "n8n's public API listed %" G_GINT64_FORMAT " saved successful executions of the "
      "workflow afterwards (it lists at most 250 per page).\n", n8n_saved);
  else
    g_string_append (section, "n8n was not measured in this run.\n");

  /* Not g_print: it would turn the UTF-8 table into "?" in a C locale. */
  fputs (section->str, stdout);
  if (results_path != NULL)
    {
      if (!bench_report_write (results_path, section->str, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_printerr ("Written to %s\n", results_path);
    }
  bench_durability_clear (&durability);
  g_array_unref (levels);
  return 0;
}
