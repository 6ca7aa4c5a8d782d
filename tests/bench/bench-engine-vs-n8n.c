/* bench-engine-vs-n8n.c — the same five-step workflow on our engine and on n8n
 *
 * SPDX-License-Identifier: MIT
 *
 * Both sides run the same closed loop: C executions in flight, a new one
 * started as soon as one ends, for a warm-up and then N measured ones.
 * Ours is a PaEngine in this process on a fresh on-disk store, every event
 * journaled; n8n is the real n8n, its workflow triggered by a webhook on
 * loopback. Every execution's result is checked, so a fast wrong answer
 * fails the benchmark instead of winning it.
 *
 * Options: --runs N, --warmup N, --concurrency C (repeatable), --no-n8n,
 * --results FILE (the measured section of FILE is replaced; "-" prints
 * only). Not a test: build it and run it with `meson test --benchmark`.
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <sqlite3.h>

#include "pa-action.h"
#include "pa-engine.h"
#include "pa-store.h"
#include "pa-workflow.h"

#include "pa-test-n8n.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

#define N8N_WORKFLOW     "n8n-bench-workflow.json"
#define RESULTS_BEGIN    "<!-- measured:begin -->"
#define RESULTS_END      "<!-- measured:end -->"

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

typedef struct {
  double   per_s;
  double   p50_ms;
  double   p99_ms;
  double   max_ms;
  guint    n;
  guint    concurrency;
  /* Ours only: journal transactions, BEGIN to end of COMMIT. */
  guint    n_commits;
  double   commit_p50_ms;
  double   commit_p99_ms;
  double   commit_max_ms;
  double   commits_per_run;
  double   commit_only_p50_ms;
  double   commit_only_p99_ms;
} Result;

/* ---- helpers --------------------------------------------------------------- */

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of microsecond samples, in milliseconds. */
static double
percentile_ms (GArray *samples,
               double  p)
{
  gsize rank;

  if (samples->len == 0)
    return 0;
  g_array_sort (samples, compare_gint64);
  rank = (gsize) (p / 100.0 * samples->len + 0.999999);
  rank = CLAMP (rank, 1, samples->len);
  return g_array_index (samples, gint64, rank - 1) / 1000.0;
}

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

static gboolean
run_ours (guint    concurrency,
          guint    warmup,
          guint    runs,
          Result  *result,
          GError **error)
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
  if (store == NULL)
    return FALSE;
  registry = pa_action_registry_new_default ();
  workflow = pa_workflow_new_from_data (OUR_WORKFLOW, -1, registry, error);
  if (workflow == NULL)
    return FALSE;
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
  result->p50_ms = percentile_ms (latencies, 50);
  result->p99_ms = percentile_ms (latencies, 99);
  result->max_ms = percentile_ms (latencies, 100);
  result->n_commits = commits->len;
  result->commits_per_run = commits->len / (double) runs;
  result->commit_p50_ms = percentile_ms (commits, 50);
  result->commit_p99_ms = percentile_ms (commits, 99);
  result->commit_max_ms = percentile_ms (commits, 100);
  result->commit_only_p50_ms = percentile_ms (commit_only, 50);
  result->commit_only_p99_ms = percentile_ms (commit_only, 99);

  g_clear_object (&engine);
  g_clear_object (&store);
  {
    g_autoptr(GError) local_error = NULL;

    if (!pa_test_remove_tree (dir, &local_error))
      g_printerr ("bench: %s\n", local_error->message);
  }
  return ok;
}

/* ---- n8n ------------------------------------------------------------------- */

typedef struct {
  SoupSession *session;
  const char  *url;
  GArray      *latencies;
  gboolean     measuring;
  guint        warmup;
  guint        total;
  guint        next;
  guint        finished;
  gint64       t0;
  gint64       t1;
  gboolean     done;
  GError      *error;
} Theirs;

typedef struct {
  Theirs      *t;
  SoupMessage *message;
  guint        n;
  gint64       started;
} Request;

static void theirs_start_one (Theirs *t);

static void
theirs_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Request *req = user_data;
  Theirs *t = req->t;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (t->session, result, &error);
  guint status = soup_message_get_status (req->message);

  if (body == NULL || status != 200)
    {
      if (t->error == NULL)
        g_set_error (&t->error, G_IO_ERROR, G_IO_ERROR_FAILED, "n8n request %u: %s", req->n,
                     error != NULL ? error->message : soup_status_get_phrase (status));
    }
  else
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_autofree char *expected = expected_answer (req->n);

      if (!json_text_equal (text, expected) && t->error == NULL)
        g_set_error (&t->error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "n8n request %u answered %s, expected %s", req->n, text, expected);
    }

  if (t->measuring)
    {
      gint64 latency = now - req->started;

      g_array_append_val (t->latencies, latency);
    }
  t->finished++;
  g_object_unref (req->message);
  g_free (req);

  if (t->finished == t->warmup)
    {
      t->measuring = TRUE;
      t->t0 = now;
    }
  if (t->finished == t->total || (t->error != NULL && t->finished == t->next))
    {
      t->t1 = now;
      t->done = TRUE;
      return;
    }
  if (t->next < t->total && t->error == NULL)
    theirs_start_one (t);
}

static void
theirs_start_one (Theirs *t)
{
  Request *req = g_new0 (Request, 1);
  char *body = g_strdup_printf ("{\"message\":\"msg-%u\",\"n\":%u}", t->next, t->next);
  g_autoptr(GBytes) bytes = g_bytes_new_take (body, strlen (body));

  req->t = t;
  req->n = t->next++;
  req->message = soup_message_new ("POST", t->url);
  soup_message_set_request_body_from_bytes (req->message, "application/json", bytes);
  req->started = g_get_monotonic_time ();
  soup_session_send_and_read_async (t->session, req->message, G_PRIORITY_DEFAULT, NULL,
                                    theirs_done_cb, req);
}

static gboolean
run_theirs (PaTestN8n *n8n,
            guint      concurrency,
            guint      warmup,
            guint      runs,
            Result    *result,
            GError   **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  Theirs t;

  /* Keep-alive connections, one per request in flight, like a client
   * that knows n8n's address: connection setup is not what is measured. */
  session = soup_session_new_with_options ("max-conns", (int) concurrency + 2,
                                           "max-conns-per-host", (int) concurrency,
                                           "timeout", 60, NULL);
  t = (Theirs) {
    .session = session, .url = pa_test_n8n_get_webhook_url (n8n),
    .latencies = latencies, .warmup = warmup, .total = warmup + runs,
    .measuring = warmup == 0,
  };

  t.t0 = g_get_monotonic_time ();
  for (guint i = 0; i < concurrency && i < t.total; i++)
    theirs_start_one (&t);
  iterate_until (&t.done);

  if (t.error != NULL)
    {
      g_propagate_error (error, t.error);
      return FALSE;
    }

  result->n = runs;
  result->concurrency = concurrency;
  result->per_s = runs / ((t.t1 - t.t0) / (double) G_USEC_PER_SEC);
  result->p50_ms = percentile_ms (latencies, 50);
  result->p99_ms = percentile_ms (latencies, 99);
  result->max_ms = percentile_ms (latencies, 100);
  return TRUE;
}

/* n8n saves an execution after it has answered; the count tells that the
 * default "save every successful execution" was really in force. */
static gint64
count_n8n_executions (PaTestN8n *n8n)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/executions?workflowId=%s&status=success&limit=250",
                                          pa_test_n8n_get_url (n8n),
                                          pa_test_n8n_get_workflow_id (n8n));
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "X-N8N-API-KEY", pa_test_n8n_get_api_key (n8n));
  body = soup_session_send_and_read (session, message, NULL, NULL);
  if (body == NULL || soup_message_get_status (message) != 200)
    return -1;
  root = json_from_string (g_bytes_get_data (body, NULL), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "data"))
    return -1;
  return json_array_get_length (json_object_get_array_member (object, "data"));
}

/* ---- the report ------------------------------------------------------------ */

static char *
command_output (const char *command_line)
{
  g_autofree char *out = NULL;

  if (!g_spawn_command_line_sync (command_line, &out, NULL, NULL, NULL) || out == NULL)
    return g_strdup ("?");
  return g_strdup (g_strstrip (out));
}

static char *
file_line_value (const char *path,
                 const char *prefix)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("?");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        const char *colon = strchr (lines[i], ':');

        return g_strdup (g_strstrip (colon != NULL ? (char *) colon + 1 : lines[i]));
      }
  return g_strdup ("?");
}

static char *
package_version (const char *package)
{
  g_autofree char *path = g_build_filename (pa_test_source_root (), "tests", "peers",
                                            "node_modules", package, "package.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL))
    return g_strdup ("?");
  root = json_parser_get_root (parser);
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "version", "?"));
}

static void
describe_machine (GString *out)
{
  g_autofree char *cpu = file_line_value ("/proc/cpuinfo", "model name");
  g_autofree char *mem = file_line_value ("/proc/meminfo", "MemTotal");
  g_autofree char *debian = NULL;
  g_autofree char *node = command_output ("node --version");
  g_autofree char *n8n = package_version ("n8n");
  g_autofree char *fs_command = g_strdup_printf ("findmnt -no SOURCE,FSTYPE,OPTIONS -T %s",
                                                  g_get_tmp_dir ());
  g_autofree char *tmp_fs = command_output (fs_command);
  g_autofree char *rota = command_output ("lsblk -dno NAME,ROTA,MODEL");
  struct utsname uts;

  if (!g_file_get_contents ("/etc/debian_version", &debian, NULL, NULL))
    debian = g_strdup ("?");
  g_strstrip (debian);
  g_strdelimit (tmp_fs, "\n", ' ');
  g_strdelimit (rota, "\n", ';');
  if (uname (&uts) != 0)
    strcpy (uts.release, "?");

  g_string_append_printf (out,
    "| Machine | |\n|---|---|\n"
    "| CPU | %s, %u cores visible |\n"
    "| RAM | %s |\n"
    "| File system of %s (both databases) | %s |\n"
    "| Block devices (name, rotational, model) | %s |\n"
    "| Kernel | %s |\n"
    "| Debian | %s |\n"
    "| GLib / SQLite | %u.%u.%u / %s |\n"
    "| n8n / node | %s / %s |\n\n",
    cpu, g_get_num_processors (), mem, g_get_tmp_dir (), tmp_fs, rota, uts.release, debian,
    glib_major_version, glib_minor_version, glib_micro_version, sqlite3_libversion (),
    n8n, node);
}

static void
append_table (GString      *out,
              const Result *ours,
              const Result *theirs,
              guint         n_results)
{
  g_string_append (out,
    "| C | side | runs | executions/s | p50 ms | p99 ms | max ms | ratio |\n"
    "|---|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_results; i++)
    {
      g_string_append_printf (out, "| %u | PlayAlter engine | %u | %.0f | %.3f | %.3f | %.3f | ",
                              ours[i].concurrency, ours[i].n, ours[i].per_s,
                              ours[i].p50_ms, ours[i].p99_ms, ours[i].max_ms);
      if (theirs[i].n > 0)
        g_string_append_printf (out, "**%.1f×** |\n", ours[i].per_s / theirs[i].per_s);
      else
        g_string_append (out, "– |\n");
      if (theirs[i].n > 0)
        g_string_append_printf (out, "| %u | n8n | %u | %.0f | %.3f | %.3f | %.3f | 1 |\n",
                                theirs[i].concurrency, theirs[i].n, theirs[i].per_s,
                                theirs[i].p50_ms, theirs[i].p99_ms, theirs[i].max_ms);
    }
  g_string_append (out,
    "\nOur journal transactions during the measured runs (BEGIN IMMEDIATE to the end of COMMIT):\n\n"
    "| C | transactions | per run | p50 ms | **p99 ms** | max ms | COMMIT alone p50 / p99 ms |\n"
    "|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_results; i++)
    g_string_append_printf (out, "| %u | %u | %.2f | %.3f | **%.3f** | %.3f | %.3f / %.3f |\n",
                            ours[i].concurrency, ours[i].n_commits, ours[i].commits_per_run,
                            ours[i].commit_p50_ms, ours[i].commit_p99_ms, ours[i].commit_max_ms,
                            ours[i].commit_only_p50_ms, ours[i].commit_only_p99_ms);
}

/* Replaces what lies between the markers, keeping the hand-written
 * method and history around it. */
static gboolean
write_results (const char  *path,
               const char  *section,
               GError     **error)
{
  g_autofree char *old = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *begin;
  const char *end;

  if (!g_file_get_contents (path, &old, NULL, NULL))
    old = g_strdup ("# Engine vs n8n benchmark\n\n" RESULTS_BEGIN "\n" RESULTS_END "\n");
  begin = strstr (old, RESULTS_BEGIN);
  end = begin != NULL ? strstr (begin, RESULTS_END) : NULL;
  if (begin == NULL || end == NULL)
    {
      g_string_append (text, old);
      g_string_append (text, "\n" RESULTS_BEGIN "\n" RESULTS_END "\n");
      g_free (old);
      old = g_string_free (g_steal_pointer (&text), FALSE);
      text = g_string_new (NULL);
      begin = strstr (old, RESULTS_BEGIN);
      end = strstr (begin, RESULTS_END);
    }
  g_string_append_len (text, old, begin - old + strlen (RESULTS_BEGIN));
  g_string_append_c (text, '\n');
  g_string_append (text, section);
  g_string_append (text, end);
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}

/* ---- main ------------------------------------------------------------------ */

int
main (int    argc,
      char **argv)
{
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
  int runs = 5000;
  int n8n_runs = 1000;
  int warmup = 300;
  gboolean no_n8n = FALSE;
  Result ours[8] = { 0 };
  Result theirs[8] = { 0 };
  gint64 n8n_saved = -1;
  guint n_levels;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Measured executions on our side", "N" },
    { "n8n-runs", 0, 0, G_OPTION_ARG_INT, &n8n_runs, "Measured executions on n8n", "N" },
    { "warmup", 0, 0, G_OPTION_ARG_INT, &warmup, "Executions before measuring, each side", "N" },
    { "concurrency", 'c', 0, G_OPTION_ARG_STRING_ARRAY, &concurrency_args,
      "Executions in flight (repeatable; default 1 and 8)", "C" },
    { "no-n8n", 0, 0, G_OPTION_ARG_NONE, &no_n8n, "Measure our side only", NULL },
    { "results", 0, 0, G_OPTION_ARG_FILENAME, &results_path,
      "Markdown file whose measured section is replaced (- prints only)", "FILE" },
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
  n_levels = MIN (levels->len, G_N_ELEMENTS (ours));
  if (runs <= 0 || n8n_runs <= 0 || warmup < 0)
    {
      g_printerr ("--runs and --n8n-runs must be positive\n");
      return 2;
    }
  if (results_path == NULL)
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
    }

  /* All of ours first, then all of n8n's: n8n keeps saving and pruning
   * after its last answer, and that must not land in our phases. */
  for (guint i = 0; i < n_levels; i++)
    {
      guint c = g_array_index (levels, guint, i);

      g_printerr ("Waited %.1f s for a quiet machine.\n", wait_for_quiet ());
      g_printerr ("C=%u: our engine, %d + %d runs...\n", c, warmup, runs);
      if (!run_ours (c, (guint) warmup, (guint) runs, &ours[i], &error))
        {
          g_printerr ("Our side failed: %s\n", error->message);
          return 1;
        }
      g_printerr ("  %.0f/s, p50 %.3f ms, p99 %.3f ms, commit p99 %.3f ms\n",
                  ours[i].per_s, ours[i].p50_ms, ours[i].p99_ms, ours[i].commit_p99_ms);
    }
  for (guint i = 0; n8n != NULL && i < n_levels; i++)
    {
      guint c = g_array_index (levels, guint, i);

      g_printerr ("Waited %.1f s for a quiet machine.\n", wait_for_quiet ());
      g_printerr ("C=%u: n8n, %d + %d requests...\n", c, warmup, n8n_runs);
      if (!run_theirs (n8n, c, (guint) warmup, (guint) n8n_runs, &theirs[i], &error))
        {
          g_printerr ("n8n side failed: %s (log: %s)\n", error->message,
                      pa_test_n8n_get_log_path (n8n));
          return 1;
        }
      g_printerr ("  %.0f/s, p50 %.3f ms, p99 %.3f ms; ratio %.1fx\n",
                  theirs[i].per_s, theirs[i].p50_ms, theirs[i].p99_ms,
                  ours[i].per_s / theirs[i].per_s);
    }
  if (n8n != NULL)
    n8n_saved = count_n8n_executions (n8n);

  g_string_append_printf (section, "Measured %s with `%s`.\n\n", when, command);
  describe_machine (section);
  append_table (section, ours, theirs, n_levels);
  g_string_append_printf (section,
    "\nEach side: %d warm-up executions, then the measured ones; every result checked. "
    "Our phases ran first, then n8n's (idle while ours ran); each started after a sync, "
    "once the CPUs were 80 %% idle for half a second. ",
    warmup);
  if (n8n != NULL)
    g_string_append_printf (section,
      "n8n's public API listed %" G_GINT64_FORMAT " saved successful executions of the "
      "workflow afterwards (it lists at most 250 per page).\n", n8n_saved);
  else
    g_string_append (section, "n8n was not measured in this run.\n");

  /* Not g_print: it would turn the UTF-8 table into "?" in a C locale. */
  fputs (section->str, stdout);
  if (g_strcmp0 (results_path, "-") != 0)
    {
      if (!write_results (results_path, section->str, &error))
        {
          g_printerr ("%s\n", error->message);
          return 1;
        }
      g_printerr ("Written to %s\n", results_path);
    }
  g_array_unref (levels);
  return 0;
}
