/* test-crash.c — durable workflows survive SIGKILL at any moment
 *
 * SPDX-License-Identifier: MIT
 *
 * A workflow that pays for things (a Replicate prediction, a Stripe payment
 * link) runs in a child `playalter-cli`, which is SIGKILLed after a random
 * delay, then resumed (and maybe killed again) until it finishes. Against
 * tests/peers/workflow-peer.mjs, which plays both platforms by their
 * official contracts and counts the effects it carried out, every round
 * checks that the run finished with the outputs of an uninterrupted run and
 * a sound database, and the end checks that no idempotency key had a second
 * effect and no run started a second prediction.
 *
 * PLAYALTER_CRASH_ROUNDS sets the number of rounds (50 by default). The
 * kill delays come from g_test_rand: the log starts with the seed
 * ("# random seed: R02S…"), and `--seed R02S…` replays the same delays.
 */
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "playalter.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

#define DEFAULT_ROUNDS         50
/* A resume is killed with probability ½ each time, at most this often. */
#define MAX_RESUME_KILLS       3
/* However many kills land before a run is journaled, give up after these. */
#define MAX_START_ATTEMPTS     20
/* No CLI call that is left alone may take longer. */
#define CLI_TIMEOUT_MS         120000
#define CHECK_JOURNAL_EVERY    10
#define MIN_STEPS_HIT          3
#define VERSION_ID "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa"

/* Answers come a network's time after the request took effect, so kills
 * also land in the calls (and between an effect and its answer), not
 * only in the waits. */
static const char * const PEER_ARGS[] = { "--latency-ms", "250", NULL };

typedef struct {
  PaTestKeyring *keyring;
  PaTestPeer    *peer;
  char          *data_dir;
  char          *db_path;
  char          *log_path;
  char          *workflow_path;
  GHashTable    *known_runs;      /* run id → itself */
  GHashTable    *kills_by_step;   /* step id, or a "(…)" moment → GUINT count */
  GPtrArray     *runs;            /* every run id, reference first */
} Crash;

static const char *
cli_path (void)
{
  static char *path;

  if (path == NULL)
    path = g_build_filename (g_getenv ("PLAYALTER_BUILD_ROOT"), "app", "cli", "playalter-cli", NULL);
  return path;
}

/* ---- the CLI ------------------------------------------------------------- */

/* Starts `playalter-cli --data-dir DIR ARGS…` with its output appended to
 * the log (read when something fails) and a pipe on stdin. */
static GSubprocess *
spawn_cli (Crash              *crash,
           const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  GSubprocess *proc;
  int fd;

  fd = g_open (crash->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  g_assert_cmpint (fd, >=, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, dup (fd));
  g_subprocess_launcher_take_stderr_fd (launcher, fd);

  g_ptr_array_add (argv, (gpointer) cli_path ());
  g_ptr_array_add (argv, (gpointer) "--data-dir");
  g_ptr_array_add (argv, crash->data_dir);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  proc = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  return proc;
}

static char *
log_tail (Crash *crash)
{
  g_autofree char *text = NULL;
  gsize len = 0;

  if (!g_file_get_contents (crash->log_path, &text, &len, NULL))
    return g_strdup ("(no log)");
  return g_strdup (len > 3000 ? text + len - 3000 : text);
}

static void
wait_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
set_flag_cb (gpointer user_data)
{
  gboolean *flag = user_data;

  *flag = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets @proc run for @delay_ms, then SIGKILLs it. Returns TRUE when it had
 * to be killed, FALSE when it exited by itself first. */
static gboolean
kill_after (GSubprocess *proc,
            guint        delay_ms)
{
  gboolean done = FALSE;
  gboolean timed_out = FALSE;
  guint timer;

  g_subprocess_wait_async (proc, NULL, wait_done_cb, &done);
  timer = g_timeout_add (delay_ms, set_flag_cb, &timed_out);
  while (!done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (done)
    {
      if (!timed_out)
        g_source_remove (timer);
      return FALSE;
    }
  g_subprocess_send_signal (proc, SIGKILL);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  return g_subprocess_get_if_signaled (proc) && g_subprocess_get_term_sig (proc) == SIGKILL;
}

static void
assert_exited_ok (Crash       *crash,
                  GSubprocess *proc,
                  const char  *what)
{
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_autofree char *tail = log_tail (crash);

      g_error ("`playalter-cli %s` did not exit with 0; its log ends:\n%s", what, tail);
    }
}

/* Runs the CLI to its end, with @input on stdin, and asserts it succeeded. */
static void
run_cli (Crash              *crash,
         const char         *input,
         const char * const *args)
{
  g_autoptr(GSubprocess) proc = spawn_cli (crash, args);
  g_autoptr(GError) error = NULL;
  g_autofree char *what = g_strjoinv (" ", (char **) args);

  g_subprocess_communicate_utf8 (proc, input != NULL ? input : "", NULL, NULL, NULL, &error);
  g_assert_no_error (error);
  if (kill_after (proc, CLI_TIMEOUT_MS))
    g_error ("`playalter-cli %s` took over %d s", what, CLI_TIMEOUT_MS / 1000);
  assert_exited_ok (crash, proc, what);
}

/* ---- the database, read while no CLI runs -------------------------------- */

static sqlite3 *
open_db (Crash *crash)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (crash->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 5000);
  return db;
}

/* The first column of each row of @sql, bound to @arg if not NULL. */
static GPtrArray *
query_strings (Crash      *crash,
               const char *sql,
               const char *arg)
{
  GPtrArray *rows = g_ptr_array_new_with_free_func (g_free);
  sqlite3 *db = open_db (crash);
  sqlite3_stmt *stmt = NULL;
  int rc;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  if (arg != NULL)
    sqlite3_bind_text (stmt, 1, arg, -1, SQLITE_TRANSIENT);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, g_strdup ((const char *) sqlite3_column_text (stmt, 0)));
  g_assert_cmpint (rc, ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return rows;
}

static char *
query_string (Crash      *crash,
              const char *sql,
              const char *arg)
{
  g_autoptr(GPtrArray) rows = query_strings (crash, sql, arg);

  return rows->len > 0 ? g_strdup (g_ptr_array_index (rows, 0)) : NULL;
}

/* The run the last `workflow run` journaled, or NULL if it was killed first. */
static char *
find_new_run (Crash *crash)
{
  g_autoptr(GPtrArray) ids = query_strings (crash, "SELECT id FROM runs ORDER BY created_at, id", NULL);
  char *found = NULL;

  for (guint i = 0; i < ids->len; i++)
    {
      const char *id = g_ptr_array_index (ids, i);

      if (g_hash_table_contains (crash->known_runs, id))
        continue;
      g_assert_null (found);
      found = g_strdup (id);
    }
  if (found != NULL)
    g_hash_table_add (crash->known_runs, g_strdup (found));
  return found;
}

/* step id → its output, parsed. */
static GHashTable *
step_outputs (Crash      *crash,
              const char *run_id)
{
  GHashTable *outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) json_node_unref);
  sqlite3 *db = open_db (crash);
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT step_id, output_json FROM steps WHERE run_id = ?1",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      const char *text = (const char *) sqlite3_column_text (stmt, 1);
      g_autoptr(GError) error = NULL;
      JsonNode *node = json_from_string (text != NULL ? text : "null", &error);

      g_assert_no_error (error);
      g_hash_table_insert (outputs, g_strdup ((const char *) sqlite3_column_text (stmt, 0)), node);
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return outputs;
}

/* The swap step's prediction id is Replicate's, new for every prediction
 * (the peer's ids are unique, as Replicate's are, since the step tells
 * its prediction from another run's by id): it is taken out of the
 * comparison and checked on its own. */
static char *
take_prediction_id (GHashTable *outputs)
{
  JsonNode *swap = g_hash_table_lookup (outputs, "swap");
  JsonObject *object;
  char *id;

  g_assert_nonnull (swap);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (swap));
  object = json_node_get_object (swap);
  g_assert_nonnull (json_object_get_string_member_with_default (object, "id", NULL));
  id = g_strdup (json_object_get_string_member (object, "id"));
  json_object_remove_member (object, "id");
  return id;
}

static void
assert_outputs_equal (GHashTable *reference,
                      GHashTable *outputs,
                      const char *run_id)
{
  GHashTableIter iter;
  const char *step_id;
  JsonNode *expected;

  g_assert_cmpuint (g_hash_table_size (outputs), ==, g_hash_table_size (reference));
  g_hash_table_iter_init (&iter, reference);
  while (g_hash_table_iter_next (&iter, (gpointer *) &step_id, (gpointer *) &expected))
    {
      JsonNode *got = g_hash_table_lookup (outputs, step_id);

      if (got == NULL || !json_node_equal (expected, got))
        {
          g_autofree char *want = json_to_string (expected, FALSE);
          g_autofree char *have = got != NULL ? json_to_string (got, FALSE) : g_strdup ("(none)");

          g_error ("run %s, step %s: output %s, not %s as uninterrupted", run_id, step_id, have, want);
        }
    }
}

/* Which steps were under way when the process died: started, and not
 * (yet) succeeded or failed. */
static void
count_kill (Crash      *crash,
            const char *run_id)
{
  g_autoptr(GPtrArray) steps = NULL;

  if (run_id == NULL)
    {
      steps = g_ptr_array_new_with_free_func (g_free);
      g_ptr_array_add (steps, g_strdup ("(before the run was journaled)"));
    }
  else
    {
      steps = query_strings (crash,
        "SELECT DISTINCT s.step_id FROM events s WHERE s.run_id = ?1 AND s.kind = 'step.started' "
        "AND NOT EXISTS (SELECT 1 FROM events t WHERE t.run_id = s.run_id AND t.step_id = s.step_id "
        "AND t.seq > s.seq AND t.kind IN ('step.succeeded', 'step.failed'))", run_id);
      if (steps->len == 0)
        {
          g_autofree char *status = query_string (crash, "SELECT status FROM runs WHERE id = ?1", run_id);

          g_ptr_array_add (steps, g_strdup (g_strcmp0 (status, "succeeded") == 0
                                            ? "(after the run ended)" : "(between steps)"));
        }
    }

  for (guint i = 0; i < steps->len; i++)
    {
      const char *step = g_ptr_array_index (steps, i);
      guint count = GPOINTER_TO_UINT (g_hash_table_lookup (crash->kills_by_step, step));

      g_hash_table_insert (crash->kills_by_step, g_strdup (step), GUINT_TO_POINTER (count + 1));
    }
}

static void
assert_integrity (Crash *crash)
{
  g_autofree char *integrity = query_string (crash, "PRAGMA integrity_check", NULL);

  g_assert_cmpstr (integrity, ==, "ok");
}

/* `journal check` replays the journal into fresh projections and exits
 * non-zero when they differ from the stored ones. */
static void
assert_journal_consistent (Crash *crash)
{
  const char *check[] = { "journal", "check", NULL };

  run_cli (crash, NULL, check);
}

/* ---- the peer ------------------------------------------------------------ */

static JsonNode *
get_effects (Crash *crash)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (pa_test_peer_get_url (crash->peer), "/__peer/effects", NULL);
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  body = soup_session_send_and_read (session, message, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
  node = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return node;
}

/* ---- set-up -------------------------------------------------------------- */

static void
write_media (const char *path)
{
  g_autoptr(GString) image = g_string_new ("P6\n16 16\n255\n");
  g_autoptr(GError) error = NULL;

  /* A small gradient in binary PPM: any media file does. */
  for (guint y = 0; y < 16; y++)
    for (guint x = 0; x < 16; x++)
      {
        g_string_append_c (image, (char) (x * 16));
        g_string_append_c (image, (char) (y * 16));
        g_string_append_c (image, (char) 0x80);
      }
  g_file_set_contents (path, image->str, image->len, &error);
  g_assert_no_error (error);
}

static void
write_workflow (Crash *crash)
{
  g_autofree char *media = g_build_filename (crash->data_dir, "face.ppm", NULL);
  g_autoptr(JsonNode) escaped = json_node_init_string (json_node_alloc (), media);
  g_autofree char *media_json = json_to_string (escaped, FALSE);
  g_autofree char *json = NULL;
  g_autoptr(GError) error = NULL;

  write_media (media);
  json = g_strdup_printf (
    "{\"name\": \"crash-swap\","
    " \"inputs\": {\"prompt\": {\"type\": \"string\"}, \"image\": {\"type\": \"string\"}},"
    " \"steps\": ["
    "  {\"id\": \"prep\", \"uses\": \"local.set\","
    "   \"with\": {\"value\": {\"prompt\": \"{{inputs.prompt}}\", \"image\": \"{{inputs.image}}\"}}},"
    "  {\"id\": \"save\", \"uses\": \"local.save\", \"needs\": [\"prep\"], \"with\": {\"path\": %s}},"
    "  {\"id\": \"swap\", \"uses\": \"replicate.predict\", \"needs\": [\"prep\"],"
    "   \"with\": {\"version\": \"peer/face-swap:" VERSION_ID "\","
    "              \"input\": {\"prompt\": \"{{steps.prep.output.value.prompt}}\","
    "                         \"image\": \"{{steps.prep.output.value.image}}\"}}},"
    "  {\"id\": \"pause\", \"uses\": \"local.wait\", \"needs\": [\"save\"], \"with\": {\"seconds\": 0.8}},"
    "  {\"id\": \"link\", \"uses\": \"stripe.payment_link\", \"needs\": [\"swap\", \"pause\"],"
    "   \"with\": {\"price\": \"price_1CrashTestPeer\","
    "              \"metadata\": {\"swap_output\": \"{{steps.swap.output.output}}\","
    "                            \"source_sha256\": \"{{steps.save.output.sha256}}\"}}},"
    "  {\"id\": \"done\", \"uses\": \"local.set\", \"needs\": [\"link\"],"
    "   \"with\": {\"value\": {\"link\": \"{{steps.link.output.url}}\","
    "                         \"link_id\": \"{{steps.link.output.id}}\","
    "                         \"output\": \"{{steps.swap.output.output}}\","
    "                         \"status\": \"{{steps.swap.output.status}}\","
    "                         \"saved\": \"{{steps.save.output.path}}\","
    "                         \"waited_s\": \"{{steps.pause.output.waited_s}}\"}}}"
    " ]}", media_json);
  crash->workflow_path = g_build_filename (crash->data_dir, "crash-swap.json", NULL);
  g_file_set_contents (crash->workflow_path, json, -1, &error);
  g_assert_no_error (error);
}

/* FALSE when the keyring or the peer is missing: the test was then
 * failed or skipped (pa-test-require.h) and nothing is left to tear down. */
static gboolean
set_up (Crash *crash)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *replicate_url = NULL;

  crash->keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  g_assert_true (pa_test_keyring_is_current (crash->keyring));

  crash->peer = pa_test_node_peer_start ("workflow-peer.mjs", PEER_ARGS, &error);
  if (!pa_test_require_no_error (error))
    {
      g_clear_pointer (&crash->keyring, pa_test_keyring_stop);
      return FALSE;
    }

  crash->data_dir = g_dir_make_tmp ("pa-crash-XXXXXX", &error);
  g_assert_no_error (error);
  crash->db_path = g_build_filename (crash->data_dir, "playalter.db", NULL);
  crash->log_path = g_build_filename (crash->data_dir, "cli.log", NULL);
  crash->known_runs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  crash->kills_by_step = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  crash->runs = g_ptr_array_new_with_free_func (g_free);
  write_workflow (crash);

  replicate_url = g_strconcat (pa_test_peer_get_url (crash->peer), "/v1", NULL);
  {
    const char *stripe[] = { "account", "set", "stripe", "--base-url",
                             pa_test_peer_get_url (crash->peer), NULL };
    const char *replicate[] = { "account", "set", "replicate", "--base-url", replicate_url, NULL };

    run_cli (crash, "sk_test_crash_4e1f0c\n", stripe);
    run_cli (crash, "r8_crash_test_token\n", replicate);
  }
  return TRUE;
}

static void
remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        remove_tree (child);
      else
        g_unlink (child);
    }
  g_rmdir (path);
}

static void
tear_down (Crash *crash)
{
  remove_tree (crash->data_dir);
  g_free (crash->data_dir);
  g_free (crash->db_path);
  g_free (crash->log_path);
  g_free (crash->workflow_path);
  g_hash_table_unref (crash->known_runs);
  g_hash_table_unref (crash->kills_by_step);
  g_ptr_array_unref (crash->runs);
  g_clear_pointer (&crash->peer, pa_test_peer_stop);
  g_clear_pointer (&crash->keyring, pa_test_keyring_stop);
}

/* ---- the test ------------------------------------------------------------ */

static const char *RUN_ARGS[] = {
  "workflow", "run", NULL /* the file */, "--allow-path", NULL /* where the file to save is */,
  "--input", "prompt=a portrait in the rain",
  "--input", "image=https://example.com/faces/ada.png", NULL
};

static const char *RESUME_ARGS[] = { "resume", NULL };

/* Starts the run (again, if it was killed before it was journaled),
 * killing it after a random delay; returns its id. */
static char *
start_killed_run (Crash *crash,
                  guint  window_ms)
{
  for (guint attempt = 0; attempt < MAX_START_ATTEMPTS; attempt++)
    {
      g_autoptr(GSubprocess) proc = spawn_cli (crash, RUN_ARGS);
      guint delay = (guint) g_test_rand_int_range (0, (gint32) window_ms + 1);
      gboolean killed = kill_after (proc, delay);
      char *run_id;

      if (!killed)
        assert_exited_ok (crash, proc, "workflow run");
      run_id = find_new_run (crash);
      if (killed)
        count_kill (crash, run_id);
      if (run_id != NULL)
        return run_id;
    }
  g_error ("%d kills in a row came before the run was journaled", MAX_START_ATTEMPTS);
  return NULL;
}

/* Resumes until a resume runs to its end, killing some of them. */
static void
resume_until_done (Crash      *crash,
                   const char *run_id,
                   guint       window_ms)
{
  for (guint kills = 0;;)
    {
      g_autofree char *status = query_string (crash, "SELECT status FROM runs WHERE id = ?1", run_id);
      g_autoptr(GSubprocess) proc = NULL;

      /* The run ended before a kill could land. */
      if (g_strcmp0 (status, "succeeded") == 0 || g_strcmp0 (status, "failed") == 0
          || g_strcmp0 (status, "cancelled") == 0)
        return;

      proc = spawn_cli (crash, RESUME_ARGS);
      if (kills < MAX_RESUME_KILLS && g_test_rand_bit ())
        {
          guint delay = (guint) g_test_rand_int_range (0, (gint32) window_ms + 1);

          if (kill_after (proc, delay))
            {
              kills++;
              count_kill (crash, run_id);
              continue;
            }
        }
      else if (kill_after (proc, CLI_TIMEOUT_MS))
        {
          g_error ("`playalter-cli resume` took over %d s", CLI_TIMEOUT_MS / 1000);
        }
      /* A resume left alone waits for the run: whatever state it is in
       * now is final, and the caller checks it. */
      assert_exited_ok (crash, proc, "resume");
      return;
    }
}

static guint
get_rounds (void)
{
  const char *env = g_getenv ("PLAYALTER_CRASH_ROUNDS");
  guint64 rounds = DEFAULT_ROUNDS;

  if (env != NULL && *env != '\0' && !g_ascii_string_to_unsigned (env, 10, 1, 100000, &rounds, NULL))
    g_error ("PLAYALTER_CRASH_ROUNDS must be a number from 1 up, not “%s”", env);
  return (guint) rounds;
}

static void
test_sigkill_rounds (void)
{
  Crash crash = { 0 };
  g_autoptr(GHashTable) reference = NULL;
  g_autoptr(GHashTable) prediction_ids = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr(JsonNode) effects_node = NULL;
  g_autoptr(GList) hit = NULL;
  g_autofree char *reference_run = NULL;
  g_autofree char *status = NULL;
  JsonObject *effects;
  JsonObject *links;
  JsonArray *rejected;
  guint rounds = get_rounds ();
  guint distinct_steps = 0;
  gint64 replays = 0;
  guint window_ms;
  gint64 start;

  if (!set_up (&crash))
    return;
  RUN_ARGS[2] = crash.workflow_path;
  RUN_ARGS[4] = crash.data_dir;

  /* 1. Uninterrupted, for the outputs to expect and how long it takes. */
  start = g_get_monotonic_time ();
  run_cli (&crash, NULL, RUN_ARGS);
  window_ms = (guint) ((g_get_monotonic_time () - start) / 1000 * 12 / 10);
  reference_run = find_new_run (&crash);
  g_assert_nonnull (reference_run);
  status = query_string (&crash, "SELECT status FROM runs WHERE id = ?1", reference_run);
  g_assert_cmpstr (status, ==, "succeeded");
  reference = step_outputs (&crash, reference_run);
  g_assert_cmpuint (g_hash_table_size (reference), ==, 6);
  g_hash_table_add (prediction_ids, take_prediction_id (reference));
  g_ptr_array_add (crash.runs, g_strdup (reference_run));
  assert_integrity (&crash);
  assert_journal_consistent (&crash);
  g_test_message ("uninterrupted run %s took %u ms; killing within %u ms, %u rounds",
                  reference_run, window_ms * 10 / 12, window_ms, rounds);

  /* 2. Killed, resumed, killed again… */
  for (guint round = 0; round < rounds; round++)
    {
      g_autofree char *run_id = start_killed_run (&crash, window_ms);
      g_autofree char *final = NULL;
      g_autoptr(GHashTable) outputs = NULL;

      resume_until_done (&crash, run_id, window_ms);

      final = query_string (&crash, "SELECT status FROM runs WHERE id = ?1", run_id);
      if (g_strcmp0 (final, "succeeded") != 0)
        {
          g_autofree char *cause = query_string (&crash, "SELECT error FROM runs WHERE id = ?1", run_id);

          g_error ("round %u: run %s %s: %s", round, run_id, final, cause);
        }
      outputs = step_outputs (&crash, run_id);
      g_hash_table_add (prediction_ids, take_prediction_id (outputs));
      assert_outputs_equal (reference, outputs, run_id);
      g_ptr_array_add (crash.runs, g_strdup (run_id));

      assert_integrity (&crash);
      if ((round + 1) % CHECK_JOURNAL_EVERY == 0 || round + 1 == rounds)
        assert_journal_consistent (&crash);
    }

  /* 3. What the platforms saw. */
  effects_node = get_effects (&crash);
  effects = json_node_get_object (effects_node);
  {
    g_autofree char *text = json_to_string (effects_node, FALSE);

    if (strlen (text) < 4000)
      g_test_message ("peer effects: %s", text);
  }

  rejected = json_object_get_array_member (effects, "rejected");
  if (json_array_get_length (rejected) > 0)
    {
      g_autoptr(JsonNode) node = json_node_init_array (json_node_alloc (), rejected);

      g_error ("the peer rejected requests that broke the contract: %s", json_to_string (node, TRUE));
    }

  links = json_object_get_object_member (effects, "payment_links");
  g_assert_cmpuint (json_object_get_size (links), ==, crash.runs->len);
  for (guint i = 0; i < crash.runs->len; i++)
    {
      g_autofree char *key = g_strconcat (g_ptr_array_index (crash.runs, i), "/link", NULL);
      JsonObject *ledger = json_object_get_object_member (links, key);

      if (ledger == NULL)
        g_error ("no payment link was made with the key %s", key);
      g_assert_cmpint (json_object_get_int_member (ledger, "effects"), ==, 1);
      replays += json_object_get_int_member (ledger, "replays");
    }
  /* How often a resumed step got Stripe's stored answer, and how often a
   * resumed prediction step had to look for the one it may have started:
   * the windows the kills are meant to hit. */
  g_test_message ("payment link answers replayed: %" G_GINT64_FORMAT
                  "; prediction lists asked for: %" G_GINT64_FORMAT, replays,
                  json_object_get_int_member (effects, "predictions_listed"));
  g_assert_cmpuint (json_object_get_size (json_object_get_object_member (effects, "payment_link_updates")),
                    ==, 0);

  /* One prediction per run, each run its own. */
  g_assert_cmpint (json_object_get_int_member (effects, "predictions_created"), ==, crash.runs->len);
  g_assert_cmpuint (g_hash_table_size (prediction_ids), ==, crash.runs->len);
  g_assert_cmpint (json_object_get_int_member (effects, "predictions_canceled"), ==, 0);

  hit = g_hash_table_get_keys (crash.kills_by_step);
  hit = g_list_sort (hit, (GCompareFunc) g_strcmp0);
  for (GList *l = hit; l != NULL; l = l->next)
    {
      const char *step = l->data;

      g_test_message ("kills during %s: %u", step,
                      GPOINTER_TO_UINT (g_hash_table_lookup (crash.kills_by_step, step)));
      if (step[0] != '(')
        distinct_steps++;
    }
  if (rounds >= DEFAULT_ROUNDS)
    g_assert_cmpuint (distinct_steps, >=, MIN_STEPS_HIT);

  tear_down (&crash);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/workflow/crash/sigkill-rounds", test_sigkill_rounds);

  return g_test_run ();
}
