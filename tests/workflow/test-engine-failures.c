/* test-engine-failures.c — the engine's answer to each kind of failure:
 * what is offline, what spends an attempt, what is never sent twice, how
 * long a run waits for the network, and the size limits of a step
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pa-action.h"
#include "pa-action-context.h"
#include "pa-clock.h"
#include "pa-engine.h"
#include "pa-error.h"
#include "pa-journal.h"
#include "pa-limits.h"
#include "pa-store.h"
#include "pa-store-runs.h"
#include "pa-workflow.h"

/* ---- test actions ------------------------------------------------------- */

static guint calls;

static JsonNode *
test_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Fails with PA_ERROR code `code` for its first `fail_times` calls, then
 * outputs {"calls": N}; with `big`, outputs a string that many bytes
 * long. */
static void
error_run (PaActionContext     *context,
           JsonObject          *args,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JsonObject *output;
  JsonNode *node;

  calls++;
  if (calls <= json_object_get_int_member_with_default (args, "fail_times", 0))
    {
      g_task_return_new_error (task, PA_ERROR,
                               (int) json_object_get_int_member_with_default (args, "code", 0),
                               "failure %u", calls);
      return;
    }
  output = json_object_new ();
  json_object_set_int_member (output, "calls", calls);
  if (json_object_has_member (args, "big"))
    {
      g_autofree char *big = g_strnfill (json_object_get_int_member (args, "big"), 'x');

      json_object_set_string_member (output, "big", big);
    }
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (node, output);
  g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static const PaActionArg error_args[] = {
  { "code", PA_ARG_INTEGER, FALSE, "the PaErrorCode" },
  { "fail_times", PA_ARG_INTEGER, FALSE, "calls that fail" },
  { "big", PA_ARG_INTEGER, FALSE, "bytes of output" },
  { NULL }
};

static const PaActionInfo test_actions[] = {
  { .name = "test.safe", .summary = "idempotent", .args = error_args, .idempotent = TRUE,
    .run = error_run, .finish = test_finish },
  /* As n8n.webhook, openai.chat and vercel.deploy are. */
  { .name = "test.unsafe", .summary = "not idempotent", .args = error_args, .idempotent = FALSE,
    .run = error_run, .finish = test_finish },
};

/* ---- fixture ------------------------------------------------------------ */

typedef struct {
  char             *dir;
  PaStore          *store;
  PaActionRegistry *registry;
  PaEngine         *engine;
  PaFakeClock       clock;
} Fixture;

static PaEngine *
engine_new (Fixture *f)
{
  PaEngine *engine = pa_engine_new (f->store, f->registry, NULL);

  pa_engine_set_clock (engine, pa_fake_clock_now, &f->clock);
  pa_engine_set_offline_retry_interval_ms (engine, 1);
  return engine;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaActionRegistry) defaults = pa_action_registry_new_default ();
  const char * const local[] = { "local.set", "local.save", NULL };

  f->dir = g_dir_make_tmp ("test-engine-failures-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = pa_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->registry = pa_action_registry_new ();
  for (guint i = 0; local[i] != NULL; i++)
    pa_action_registry_add (f->registry, pa_action_registry_lookup (defaults, local[i]));
  for (guint i = 0; i < G_N_ELEMENTS (test_actions); i++)
    pa_action_registry_add (f->registry, &test_actions[i]);
  f->clock.now_us = G_GINT64_CONSTANT (1700000000) * G_USEC_PER_SEC;
  f->engine = engine_new (f);
  calls = 0;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->registry);
  g_clear_object (&f->store);
  remove_tree (f->dir);
  g_free (f->dir);
}

static char *
start (Fixture            *f,
       const PaRunOptions *options,
       const char         *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (json, -1, f->registry, &error);
  g_autoptr(JsonObject) inputs = NULL;
  char *run_id = NULL;

  g_assert_no_error (error);
  inputs = pa_workflow_bind_inputs (workflow, NULL, &error);
  g_assert_no_error (error);
  pa_engine_start_run_with_options (f->engine, workflow, inputs, options, &run_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run_id);
  return run_id;
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Runs until @run_id ends; returns its status, and its error in @failure. */
static char *
wait_run (Fixture     *f,
          const char  *run_id,
          char       **failure)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) record = NULL;
  char *status;

  pa_engine_wait_run_async (f->engine, run_id, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  status = pa_engine_wait_run_finish (f->engine, result, &error);
  g_assert_no_error (error);
  record = pa_store_get_run (f->store, run_id, &error);
  g_assert_no_error (error);
  if (failure != NULL)
    *failure = g_strdup (record->error);
  return status;
}

static void
assert_contains (const char *text,
                 const char *fragment)
{
  if (text == NULL || strstr (text, fragment) == NULL)
    g_error ("“%s” does not contain “%s”", text, fragment);
}

/* ---- failure classes ---------------------------------------------------- */

typedef struct {
  const char  *uses;
  PaErrorCode  code;
  int          fail_times;
  int          max_attempts;
  gboolean     retry_unsafe;
  const char  *status;     /* how the run ends */
  guint        calls;      /* how often the action was called */
  const char  *fragment;   /* in the run's error, when it failed */
} Case;

static const Case cases[] = {
  /* Nothing was sent: offline for any step, and no attempt is spent. */
  { "test.safe", PA_ERROR_UNAVAILABLE, 3, 1, FALSE, "succeeded", 4, NULL },
  { "test.unsafe", PA_ERROR_UNAVAILABLE, 3, 1, FALSE, "succeeded", 4, NULL },
  { "test.unsafe", PA_ERROR_CIRCUIT_OPEN, 2, 1, FALSE, "succeeded", 3, NULL },
  /* Sent, no answer: offline for a step that may be sent twice… */
  { "test.safe", PA_ERROR_CONNECTION_LOST, 3, 1, FALSE, "succeeded", 4, NULL },
  { "test.safe", PA_ERROR_TIMEOUT, 2, 1, FALSE, "succeeded", 3, NULL },
  /* …and for good for one that may not, saying how to send it again. */
  { "test.unsafe", PA_ERROR_CONNECTION_LOST, 1, 3, FALSE, "failed", 1, "--retry-unsafe s" },
  { "test.unsafe", PA_ERROR_TIMEOUT, 1, 3, FALSE, "failed", 1, "may have been carried out" },
  /* 5xx spends attempts, and ends when they are spent… */
  { "test.safe", PA_ERROR_SERVER, 9, 3, FALSE, "failed", 3, "failure 3" },
  { "test.safe", PA_ERROR_SERVER, 1, 3, FALSE, "succeeded", 2, NULL },
  /* …is final for a step that may not be sent twice… */
  { "test.unsafe", PA_ERROR_SERVER, 1, 3, FALSE, "failed", 1, "may have been carried out" },
  /* …unless the user allowed it for this run. */
  { "test.unsafe", PA_ERROR_SERVER, 1, 3, TRUE, "succeeded", 2, NULL },
  { "test.unsafe", PA_ERROR_SERVER, 9, 2, TRUE, "failed", 2, "failure 2" },
  { "test.unsafe", PA_ERROR_CONNECTION_LOST, 2, 1, TRUE, "succeeded", 3, NULL },
  /* TLS failures do not get better by trying again. */
  { "test.safe", PA_ERROR_INSECURE, 1, 3, FALSE, "failed", 1, "failure 1" },
};

static void
test_failure_classes (Fixture       *f,
                      gconstpointer  data)
{
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      const char * const unsafe[] = { "s", NULL };
      PaRunOptions options = PA_RUN_OPTIONS_INIT;
      g_autofree char *json = NULL;
      g_autofree char *run_id = NULL;
      g_autofree char *status = NULL;
      g_autofree char *failure = NULL;

      g_test_message ("case %u: %s, code %d", i, c->uses, c->code);
      calls = 0;
      if (c->retry_unsafe)
        options.retry_unsafe = unsafe;
      json = g_strdup_printf ("{\"name\": \"classes\", \"steps\": [{\"id\": \"s\", \"uses\": \"%s\","
                              " \"with\": {\"code\": %d, \"fail_times\": %d},"
                              " \"retry\": {\"max_attempts\": %d, \"backoff_s\": 0.001}}]}",
                              c->uses, c->code, c->fail_times, c->max_attempts);
      run_id = start (f, &options, json);
      status = wait_run (f, run_id, &failure);
      g_assert_cmpstr (status, ==, c->status);
      g_assert_cmpuint (calls, ==, c->calls);
      if (c->fragment != NULL)
        assert_contains (failure, c->fragment);
    }
}

/* A workflow cannot name a step that is not there as one to retry. */
static void
test_retry_unsafe_unknown_step (Fixture       *f,
                                gconstpointer  data)
{
  const char * const unsafe[] = { "nope", NULL };
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (
    "{\"name\": \"x\", \"steps\": [{\"id\": \"s\", \"uses\": \"test.unsafe\"}]}", -1,
    f->registry, &error);
  char *run_id = NULL;

  g_assert_no_error (error);
  options.retry_unsafe = unsafe;
  pa_engine_start_run_with_options (f->engine, workflow, NULL, &options, &run_id, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  assert_contains (error->message, "nope");
  g_assert_null (run_id);
}

/* ---- the network wait has an end ---------------------------------------- */

typedef struct {
  PaFakeClock *clock;
  guint        waits;
  gboolean     stop;     /* drop the engine at the first wait */
} WaitWatch;

static void
advance_on_wait_cb (PaEngine   *engine,
                    const char *run_id,
                    const char *step_id,
                    const char *status,
                    WaitWatch  *watch)
{
  if (g_strcmp0 (status, "waiting") != 0)
    return;
  watch->waits++;
  /* An hour passes between two tries. */
  pa_fake_clock_advance (watch->clock, G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  /* Never for ever, even when the deadline is broken. */
  if (watch->waits > 100)
    pa_engine_cancel_run (engine, run_id, NULL);
}

static void
test_network_deadline (Fixture       *f,
                       gconstpointer  data)
{
  WaitWatch watch = { &f->clock, 0, FALSE };
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *failure = NULL;
  g_autofree char *custom_id = NULL;
  g_autofree char *custom_status = NULL;
  g_autofree char *custom_failure = NULL;

  g_signal_connect (f->engine, "step-changed", G_CALLBACK (advance_on_wait_cb), &watch);
  /* The default: a day. */
  run_id = start (f, NULL,
    "{\"name\": \"offline\", \"steps\": [{\"id\": \"s\", \"uses\": \"test.safe\","
    " \"with\": {\"code\": 4, \"fail_times\": 1000}}]}");
  status = wait_run (f, run_id, &failure);
  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpuint (watch.waits, ==, 24);
  assert_contains (failure, "did not come back within 86400 seconds");
  /* With the cause of its last attempt. */
  assert_contains (failure, "failure 25");

  /* Or what the run was given. */
  watch.waits = 0;
  calls = 0;
  options.network_wait_s = 3 * 3600;
  custom_id = start (f, &options,
    "{\"name\": \"offline\", \"steps\": [{\"id\": \"s\", \"uses\": \"test.safe\","
    " \"with\": {\"code\": 4, \"fail_times\": 1000}}]}");
  custom_status = wait_run (f, custom_id, &custom_failure);
  g_assert_cmpstr (custom_status, ==, "failed");
  g_assert_cmpuint (watch.waits, ==, 3);
  assert_contains (custom_failure, "within 10800 seconds");
}

static void
stop_at_wait_cb (PaEngine   *engine,
                 const char *run_id,
                 const char *step_id,
                 const char *status,
                 gboolean   *waiting)
{
  if (g_strcmp0 (status, "waiting") == 0)
    *waiting = TRUE;
}

/* The deadline counts from when the run began to wait, not from when
 * this process started: a restart does not give it another day. */
static void
test_network_deadline_restart (Fixture       *f,
                               gconstpointer  data)
{
  gboolean waiting = FALSE;
  WaitWatch watch = { &f->clock, 0, FALSE };
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *failure = NULL;

  options.network_wait_s = 600;
  g_signal_connect (f->engine, "step-changed", G_CALLBACK (stop_at_wait_cb), &waiting);
  run_id = start (f, &options,
    "{\"name\": \"offline\", \"steps\": [{\"id\": \"s\", \"uses\": \"test.safe\","
    " \"with\": {\"code\": 4, \"fail_times\": 1000}}]}");
  while (!waiting)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  /* Eleven minutes later, another process. */
  pa_fake_clock_advance (&f->clock, G_GINT64_CONSTANT (660) * G_USEC_PER_SEC);
  f->engine = engine_new (f);
  g_signal_connect (f->engine, "step-changed", G_CALLBACK (advance_on_wait_cb), &watch);
  g_assert_true (pa_engine_resume_all (f->engine, &error));
  g_assert_no_error (error);
  status = wait_run (f, run_id, &failure);
  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpuint (watch.waits, ==, 0);
  assert_contains (failure, "within 600 seconds");
}

/* ---- size limits -------------------------------------------------------- */

static void
test_output_limit (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *json = g_strdup_printf (
    "{\"name\": \"big\", \"steps\": ["
    "  {\"id\": \"ok\", \"uses\": \"test.safe\", \"with\": {\"big\": %d}},"
    "  {\"id\": \"big\", \"uses\": \"test.safe\", \"needs\": [\"ok\"], \"with\": {\"big\": %d},"
    "   \"retry\": {\"max_attempts\": 3, \"backoff_s\": 0.001}}]}",
    PA_LIMIT_STEP_OUTPUT_BYTES / 2, PA_LIMIT_STEP_OUTPUT_BYTES + 1);
  g_autofree char *run_id = start (f, NULL, json);
  g_autofree char *failure = NULL;
  g_autofree char *status = wait_run (f, run_id, &failure);

  g_assert_cmpstr (status, ==, "failed");
  assert_contains (failure, "step big failed");
  assert_contains (failure, "PA_LIMIT_STEP_OUTPUT_BYTES");
  /* For good: it would give the same again. */
  g_assert_cmpuint (calls, ==, 2);
}

/* Each step doubles the last: the growth stops at the limit, at the step
 * that would pass it, before its arguments are built whole. */
static void
test_doubling_chain (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GString) json = g_string_new (NULL);
  g_autofree char *seed = g_strnfill (256 * 1024, 'a');
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *failure = NULL;

  g_string_append_printf (json, "{\"name\": \"doubling\", \"steps\": ["
                          "{\"id\": \"s0\", \"uses\": \"local.set\", \"with\": {\"value\": \"%s\"}}",
                          seed);
  for (guint i = 1; i <= 30; i++)
    g_string_append_printf (json, ", {\"id\": \"s%u\", \"uses\": \"local.set\", \"needs\": [\"s%u\"],"
                            " \"with\": {\"value\": \"{{steps.s%u.output.value}}"
                            "{{steps.s%u.output.value}}\"}}", i, i - 1, i - 1, i - 1);
  g_string_append (json, "]}");
  run_id = start (f, NULL, json->str);
  status = wait_run (f, run_id, &failure);
  g_assert_cmpstr (status, ==, "failed");
  /* 256 KiB · 2⁴ = 4 MiB, over the limit with what surrounds it. */
  assert_contains (failure, "step s4 failed");
  assert_contains (failure, "PA_LIMIT_RESOLVED_ARGUMENTS_BYTES");
}

/* ---- file grants are the run's ------------------------------------------ */

/* The folders granted to a run are journaled with it: a resumed run may
 * read them, and another run may not. */
static void
test_grants_journaled (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *granted = g_build_filename (f->dir, "granted", NULL);
  g_autofree char *file = g_build_filename (granted, "face.txt", NULL);
  g_autofree char *json = g_strdup_printf (
    "{\"name\": \"save\", \"steps\": [{\"id\": \"save\", \"uses\": \"local.save\","
    " \"with\": {\"path\": \"%s\"}}]}", file);
  const char * const allowed[] = { granted, NULL };
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  g_autoptr(GError) error = NULL;
  g_autofree char *resumed_id = NULL;
  g_autofree char *resumed_status = NULL;
  g_autofree char *other_id = NULL;
  g_autofree char *other_status = NULL;
  g_autofree char *other_failure = NULL;

  g_assert_cmpint (g_mkdir (granted, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "face", -1, NULL));

  /* Journaled, then the process ends before the step runs. */
  options.allowed_paths = allowed;
  resumed_id = start (f, &options, json);
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  f->engine = engine_new (f);
  g_assert_true (pa_engine_resume_all (f->engine, &error));
  g_assert_no_error (error);
  resumed_status = wait_run (f, resumed_id, NULL);
  g_assert_cmpstr (resumed_status, ==, "succeeded");

  other_id = start (f, NULL, json);
  other_status = wait_run (f, other_id, &other_failure);
  g_assert_cmpstr (other_status, ==, "failed");
  assert_contains (other_failure, "--allow-path");

  /* A place that does not exist cannot be granted. */
  {
    const char * const missing[] = { "/no/such/folder", NULL };
    g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (json, -1, f->registry, &error);
    char *run_id = NULL;

    options.allowed_paths = missing;
    pa_engine_start_run_with_options (f->engine, workflow, NULL, &options, &run_id, &error);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    assert_contains (error->message, "/no/such/folder");
    g_assert_null (run_id);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine-failures/classes", test_failure_classes);
  ADD ("/engine-failures/retry-unsafe-unknown-step", test_retry_unsafe_unknown_step);
  ADD ("/engine-failures/network-deadline", test_network_deadline);
  ADD ("/engine-failures/network-deadline-restart", test_network_deadline_restart);
  ADD ("/engine-failures/output-limit", test_output_limit);
  ADD ("/engine-failures/doubling-chain", test_doubling_chain);
  ADD ("/engine-failures/grants-journaled", test_grants_journaled);
#undef ADD

  return g_test_run ();
}
