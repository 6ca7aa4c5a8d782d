/* test-engine.c — the durable executor: order, concurrency, retries, saga, offline, resume
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-journal.h"
#include "pa-store.h"
#include "pa-action.h"
#include "pa-action-context.h"
#include "pa-engine.h"
#include "pa-workflow.h"
#include "pa-keyring-credentials.h"
#include "pa-secrets.h"
#include "pa-test-actions.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

/* ---- test actions: what they saw, across one test -------------------------- */

static int count_calls;
static int flaky_calls;
static int offline_calls;
static GPtrArray *undo_order;
static GPtrArray *undo_keys;
/* test.undo of this name does not return until the test says so. */
static const char *undo_hang_name;
static GTask *undo_hung;

static JsonNode *
test_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
return_object (GTask      *task,
               JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_take_object (node, object);
  g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
}

static JsonObject *
echo_value (JsonObject *args)
{
  JsonObject *output = json_object_new ();
  JsonNode *value = json_object_get_member (args, "value");

  json_object_set_member (output, "value",
                          value != NULL ? json_node_copy (value) : json_node_new (JSON_NODE_NULL));
  return output;
}

static void
count_run (PaActionContext     *context,
           JsonObject          *args,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  count_calls++;
  return_object (task, echo_value (args));
}

/* Fails (PA_ERROR_FAILED) until it has been called `fail_times` times. */
static void
flaky_run (PaActionContext     *context,
           JsonObject          *args,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  flaky_calls++;
  if (flaky_calls <= json_object_get_int_member (args, "fail_times"))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED, "flaky failure %d", flaky_calls);
  else
    return_object (task, echo_value (args));
}

/* Unreachable (PA_ERROR_UNAVAILABLE) for its first `fail_times` calls. */
static void
offline_run (PaActionContext     *context,
             JsonObject          *args,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);

  offline_calls++;
  if (offline_calls <= json_object_get_int_member (args, "fail_times"))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_UNAVAILABLE, "peer is offline");
  else
    return_object (task, echo_value (args));
}

/* Output {name}: its default compensation (test.undo) gets it as args. */
static void
reserve_run (PaActionContext     *context,
             JsonObject          *args,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JsonObject *output = json_object_new ();

  json_object_set_string_member (output, "name", json_object_get_string_member (args, "value"));
  return_object (task, output);
}

static void
undo_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *name = json_object_get_string_member (args, "name");

  g_ptr_array_add (undo_order, g_strdup (name));
  g_ptr_array_add (undo_keys, g_strdup (pa_action_context_get_idempotency_key (context)));
  if (g_strcmp0 (name, undo_hang_name) == 0)
    {
      undo_hang_name = NULL;
      undo_hung = g_steal_pointer (&task);
      return;
    }
  return_object (task, json_object_new ());
}

/* A long step that keeps durable state: the first time it checkpoints
 * and waits until it is cancelled; given that state back after a restart,
 * it finishes at once. */
static int gate_calls;

static void
gate_cancelled_cb (GCancellable *cancellable,
                   GTask        *task)
{
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED, "gate cancelled");
}

static void
gate_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(JsonObject) state = json_object_new ();
  JsonObject *saved = pa_action_context_get_state (context);
  g_autoptr(GError) error = NULL;
  JsonObject *output;

  gate_calls++;
  if (saved != NULL && json_object_has_member (saved, "ticket"))
    {
      output = json_object_new ();
      json_object_set_string_member (output, "ticket",
                                     json_object_get_string_member (saved, "ticket"));
      return_object (task, output);
      return;
    }
  json_object_set_string_member (state, "ticket", "T-1");
  if (!pa_action_context_checkpoint (context, state, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_cancellable_connect (cancellable, G_CALLBACK (gate_cancelled_cb),
                         g_object_ref (task), g_object_unref);
}

static const PaActionArg value_args[] = {
  { "value", PA_ARG_ANY, FALSE, "echoed" },
  { NULL }
};
static const PaActionArg flaky_args[] = {
  { "value", PA_ARG_ANY, FALSE, "echoed" },
  { "fail_times", PA_ARG_INTEGER, TRUE, "calls that fail" },
  { NULL }
};
static const PaActionArg reserve_args[] = {
  { "value", PA_ARG_STRING, TRUE, "the name" },
  { NULL }
};
static const PaActionArg undo_args[] = {
  { "name", PA_ARG_STRING, TRUE, "what is undone" },
  { NULL }
};

static const PaActionInfo test_actions[] = {
  { .name = "test.count", .summary = "counts", .args = value_args, .idempotent = TRUE,
    .run = count_run, .finish = test_finish },
  { .name = "test.flaky", .summary = "flaky", .args = flaky_args, .idempotent = TRUE,
    .run = flaky_run, .finish = test_finish },
  { .name = "test.offline", .summary = "offline", .args = flaky_args, .idempotent = TRUE,
    .run = offline_run, .finish = test_finish },
  { .name = "test.reserve", .summary = "reserve", .args = reserve_args, .idempotent = TRUE,
    .compensation = "test.undo", .run = reserve_run, .finish = test_finish },
  { .name = "test.gate", .summary = "gate", .args = value_args, .idempotent = TRUE,
    .run = gate_run, .finish = test_finish },
  { .name = "test.undo", .summary = "undo", .args = undo_args, .idempotent = TRUE,
    .run = undo_run, .finish = test_finish },
};

/* ---- fixture ------------------------------------------------------------- */

typedef struct {
  char             *dir;
  PaStore          *store;
  PaActionRegistry *registry;
  PaEngine         *engine;
} Fixture;

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
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaActionRegistry) defaults = pa_action_registry_new_default ();
  const char * const local[] = { "local.set", "local.wait", NULL };

  f->dir = g_dir_make_tmp ("test-engine-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = pa_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->registry = pa_action_registry_new ();
  for (guint i = 0; local[i] != NULL; i++)
    {
      const PaActionInfo *info = pa_action_registry_lookup (defaults, local[i]);

      g_assert_nonnull (info);
      pa_action_registry_add (f->registry, info);
    }
  pa_test_register_fail_action (f->registry);
  for (guint i = 0; i < G_N_ELEMENTS (test_actions); i++)
    pa_action_registry_add (f->registry, &test_actions[i]);
  f->engine = pa_engine_new (f->store, f->registry, NULL);

  count_calls = flaky_calls = offline_calls = gate_calls = 0;
  undo_order = g_ptr_array_new_with_free_func (g_free);
  undo_keys = g_ptr_array_new_with_free_func (g_free);
  undo_hang_name = NULL;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaJournal) journal = pa_journal_new (f->store);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  g_clear_object (&f->engine);
  /* Let cancelled actions report back, so nothing is left behind. */
  while (g_main_context_iteration (NULL, FALSE))
    ;

  before = pa_journal_dump_projections (journal, &error);
  g_assert_no_error (error);
  g_assert_true (pa_journal_replay (journal, &error));
  g_assert_no_error (error);
  after = pa_journal_dump_projections (journal, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (before, ==, after);

  g_clear_object (&journal);
  g_clear_object (&f->store);
  g_clear_object (&f->registry);
  remove_tree (f->dir);
  g_free (f->dir);
  g_clear_pointer (&undo_order, g_ptr_array_unref);
  g_clear_pointer (&undo_keys, g_ptr_array_unref);
}

/* ---- helpers --------------------------------------------------------------- */

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static char *
start (Fixture    *f,
       const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (json, -1, f->registry, &error);
  g_autoptr(JsonObject) inputs = NULL;
  char *run_id = NULL;

  g_assert_no_error (error);
  inputs = pa_workflow_bind_inputs (workflow, NULL, &error);
  g_assert_no_error (error);
  pa_engine_start_run (f->engine, workflow, inputs, &run_id, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run_id);
  return run_id;
}

static char *
wait_run (PaEngine   *engine,
          const char *run_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *status;

  pa_engine_wait_run_async (engine, run_id, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  status = pa_engine_wait_run_finish (engine, result, &error);
  g_assert_no_error (error);
  return status;
}

/* The run's events as "kind step" lines, in order. */
static void
append_event_cb (const PaEventRecord *event,
                 gpointer             user_data)
{
  GString *out = user_data;

  if (out->len > 0)
    g_string_append_c (out, ';');
  g_string_append_printf (out, "%s %s", event->kind, event->step_id != NULL ? event->step_id : "-");
}

static char *
events_of (Fixture    *f,
           const char *run_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  g_assert_true (pa_store_foreach_run_event (f->store, run_id, append_event_cb, out, &error));
  g_assert_no_error (error);
  /* As before with group_concat: no events, no text. */
  return out->len > 0 ? g_string_free (g_steal_pointer (&out), FALSE) : NULL;
}

typedef struct {
  const char *step_id;
  const char *kind;
  guint       count;
  char       *first_payload;
} EventMatch;

static void
match_event_cb (const PaEventRecord *event,
                gpointer             user_data)
{
  EventMatch *match = user_data;

  if (g_strcmp0 (event->step_id, match->step_id) != 0 || g_strcmp0 (event->kind, match->kind) != 0)
    return;
  if (match->count++ == 0)
    match->first_payload = g_strdup (event->payload_json);
}

/* How many events of @kind the run's @step_id has; @payload (if not
 * NULL) gets the first one's payload. */
static guint
count_step_events (Fixture     *f,
                   const char  *run_id,
                   const char  *step_id,
                   const char  *kind,
                   char       **payload)
{
  g_autoptr(GError) error = NULL;
  EventMatch match = { step_id, kind, 0, NULL };

  g_assert_true (pa_store_foreach_run_event (f->store, run_id, match_event_cb, &match, &error));
  g_assert_no_error (error);
  if (payload != NULL)
    *payload = g_steal_pointer (&match.first_payload);
  g_free (match.first_payload);
  return match.count;
}

/* One column of the step's row as text; NULL when the row or the value
 * is missing. */
static char *
step_column (Fixture    *f,
             const char *run_id,
             const char *step_id,
             const char *column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) steps = pa_store_list_steps (f->store, run_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < steps->len; i++)
    {
      const PaStepRecord *step = g_ptr_array_index (steps, i);

      if (!g_str_equal (step->step_id, step_id))
        continue;
      if (g_str_equal (column, "status"))
        return g_strdup (step->status);
      if (g_str_equal (column, "attempts"))
        return g_strdup_printf ("%d", step->attempts);
      if (g_str_equal (column, "output_json"))
        return g_strdup (step->output_json);
      if (g_str_equal (column, "idempotency_key"))
        return g_strdup (step->idempotency_key);
      g_assert_not_reached ();
    }
  return NULL;
}

/* One column of the run's row as text; NULL when the row or the value
 * is missing. */
static char *
run_column (Fixture    *f,
            const char *run_id,
            const char *column)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) run = pa_store_get_run (f->store, run_id, &error);

  if (run == NULL)
    {
      g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
      return NULL;
    }
  if (g_str_equal (column, "status"))
    return g_strdup (run->status);
  if (g_str_equal (column, "error"))
    return g_strdup (run->error);
  g_assert_not_reached ();
}

/* ---- tests ----------------------------------------------------------------- */

static void
test_chain (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *run_id = start (f,
    "{\"name\": \"chain\", \"inputs\": {\"who\": {\"type\": \"string\", \"default\": \"ada\"}},"
    " \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"{{inputs.who}}\"}},"
    "  {\"id\": \"b\", \"uses\": \"local.set\", \"needs\": [\"a\"],"
    "   \"with\": {\"value\": {\"n\": 2, \"from\": \"{{steps.a.output.value}}\"}}},"
    "  {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"b\"],"
    "   \"with\": {\"value\": \"hi {{steps.b.output.value.from}} {{steps.b.output.value.n}}\"}}]}");
  g_autofree char *status = wait_run (f->engine, run_id);
  g_autofree char *events = events_of (f, run_id);
  g_autofree char *out_b = step_column (f, run_id, "b", "output_json");
  g_autofree char *out_c = step_column (f, run_id, "c", "output_json");
  g_autofree char *key = step_column (f, run_id, "c", "idempotency_key");
  g_autofree char *expected_key = g_strdup_printf ("%s/c", run_id);
  g_autofree char *run_status = run_column (f, run_id, "status");

  g_assert_cmpstr (status, ==, "succeeded");
  g_assert_cmpstr (run_status, ==, "succeeded");
  g_assert_cmpstr (events, ==,
                   "run.created -;run.started -;"
                   "step.started a;step.succeeded a;"
                   "step.started b;step.succeeded b;"
                   "step.started c;step.succeeded c;run.succeeded -");
  g_assert_cmpstr (out_b, ==, "{\"value\":{\"n\":2,\"from\":\"ada\"}}");
  g_assert_cmpstr (out_c, ==, "{\"value\":\"hi ada 2\"}");
  g_assert_cmpstr (key, ==, expected_key);
}

static void
step_changed_cb (PaEngine   *engine,
                 const char *run_id,
                 const char *step_id,
                 const char *status,
                 GPtrArray  *log)
{
  g_ptr_array_add (log, g_strdup_printf ("%s %s", status, step_id));
}

static int
index_of (GPtrArray  *log,
          const char *entry)
{
  for (guint i = 0; i < log->len; i++)
    if (g_strcmp0 (g_ptr_array_index (log, i), entry) == 0)
      return (int) i;
  return -1;
}

static void
test_diamond (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *out_d = NULL;

  g_signal_connect (f->engine, "step-changed", G_CALLBACK (step_changed_cb), log);
  run_id = start (f,
    "{\"name\": \"diamond\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": 1}},"
    "  {\"id\": \"b\", \"uses\": \"local.wait\", \"needs\": [\"a\"], \"with\": {\"seconds\": 0.05}},"
    "  {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"a\"], \"with\": {\"value\": 3}},"
    "  {\"id\": \"d\", \"uses\": \"local.set\", \"needs\": [\"b\", \"c\"],"
    "   \"with\": {\"value\": [\"{{steps.a.output.value}}\", \"{{steps.c.output.value}}\"]}}]}");
  status = wait_run (f->engine, run_id);
  g_assert_cmpstr (status, ==, "succeeded");

  g_assert_cmpint (index_of (log, "running b"), >=, 0);
  g_assert_cmpint (index_of (log, "running c"), >=, 0);
  g_assert_cmpint (index_of (log, "running b"), <, index_of (log, "succeeded c"));
  g_assert_cmpint (index_of (log, "running c"), <, index_of (log, "succeeded b"));
  g_assert_cmpint (index_of (log, "succeeded a"), <, index_of (log, "running b"));
  g_assert_cmpint (index_of (log, "succeeded b"), <, index_of (log, "running d"));
  g_assert_cmpint (index_of (log, "succeeded c"), <, index_of (log, "running d"));
  out_d = step_column (f, run_id, "d", "output_json");
  g_assert_cmpstr (out_d, ==, "{\"value\":[1,3]}");
}

/* With room for one step at a time, the two middle steps take turns. */
static void
test_bounded (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) log = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  int running_b, running_c;

  pa_engine_set_max_concurrency (f->engine, 1);
  g_signal_connect (f->engine, "step-changed", G_CALLBACK (step_changed_cb), log);
  run_id = start (f,
    "{\"name\": \"bounded\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": 1}},"
    "  {\"id\": \"b\", \"uses\": \"local.wait\", \"needs\": [\"a\"], \"with\": {\"seconds\": 0.02}},"
    "  {\"id\": \"c\", \"uses\": \"local.wait\", \"needs\": [\"a\"], \"with\": {\"seconds\": 0.02}}]}");
  status = wait_run (f->engine, run_id);
  g_assert_cmpstr (status, ==, "succeeded");

  running_b = index_of (log, "running b");
  running_c = index_of (log, "running c");
  g_assert_cmpint (running_b, >=, 0);
  g_assert_cmpint (running_c, >=, 0);
  if (running_b < running_c)
    g_assert_cmpint (index_of (log, "succeeded b"), <, running_c);
  else
    g_assert_cmpint (index_of (log, "succeeded c"), <, running_b);
}

static void
test_retry (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *run_id = start (f,
    "{\"name\": \"retry\", \"steps\": ["
    "  {\"id\": \"f\", \"uses\": \"test.flaky\", \"with\": {\"fail_times\": 1, \"value\": \"ok\"},"
    "   \"retry\": {\"max_attempts\": 3, \"backoff_s\": 0.01}}]}");
  g_autofree char *status = wait_run (f->engine, run_id);
  g_autofree char *attempts = step_column (f, run_id, "f", "attempts");
  g_autofree char *step_status = step_column (f, run_id, "f", "status");
  g_autofree char *events = events_of (f, run_id);
  g_autofree char *failed_payload = NULL;
  guint n_failed = count_step_events (f, run_id, "f", PA_EVENT_STEP_FAILED, &failed_payload);
  g_autoptr(JsonNode) failed = json_from_string (failed_payload, NULL);

  g_assert_cmpstr (status, ==, "succeeded");
  g_assert_cmpstr (step_status, ==, "succeeded");
  g_assert_cmpstr (attempts, ==, "2");
  g_assert_cmpint (flaky_calls, ==, 2);
  g_assert_cmpuint (n_failed, ==, 1);
  g_assert_true (json_object_get_boolean_member_with_default (json_node_get_object (failed),
                                                              "will_retry", FALSE));
  g_assert_cmpstr (events, ==,
                   "run.created -;run.started -;step.started f;step.failed f;"
                   "step.started f;step.succeeded f;run.succeeded -");
}

static void
test_compensation (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *run_id = start (f,
    "{\"name\": \"saga\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"test.reserve\", \"with\": {\"value\": \"first\"}},"
    "  {\"id\": \"n\", \"uses\": \"local.set\", \"needs\": [\"a\"], \"with\": {\"value\": 0}},"
    "  {\"id\": \"b\", \"uses\": \"local.set\", \"needs\": [\"n\"], \"with\": {\"value\": \"second\"},"
    "   \"compensate\": {\"uses\": \"test.undo\","
    "                    \"with\": {\"name\": \"undo {{steps.b.output.value}}\"}}},"
    "  {\"id\": \"x\", \"uses\": \"test.flaky\", \"needs\": [\"b\"], \"with\": {\"fail_times\": 9},"
    "   \"retry\": {\"max_attempts\": 2, \"backoff_s\": 0.01}}]}");
  g_autofree char *status = wait_run (f->engine, run_id);
  g_autofree char *error = run_column (f, run_id, "error");
  g_autofree char *events = events_of (f, run_id);
  g_autofree char *x_status = step_column (f, run_id, "x", "status");
  g_autofree char *a_status = step_column (f, run_id, "a", "status");

  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpint (flaky_calls, ==, 2);
  g_assert_cmpuint (undo_order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (undo_order, 0), ==, "undo second");
  g_assert_cmpstr (g_ptr_array_index (undo_order, 1), ==, "first");
  g_assert_cmpstr (error, ==, "step x failed: flaky failure 2");
  g_assert_cmpstr (x_status, ==, "failed");
  g_assert_cmpstr (a_status, ==, "compensated");
  g_assert_nonnull (strstr (events,
                   "step.failed x;step.started x;step.failed x;"
                   "step.compensating b;step.compensated b;"
                   "step.compensating a;step.compensated a;run.failed -"));
}

/* The process ends while a step is being undone: the resumed run undoes
 * it again (same key, its own, not the step's) and goes on in order. */
static void
test_compensation_resume (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *run_id = NULL;
  g_autofree char *mid_status = NULL;
  g_autofree char *status = NULL;
  g_autofree char *events = NULL;
  g_autofree char *b_key = NULL;
  g_autofree char *a_key = NULL;
  g_autoptr(GError) error = NULL;

  undo_hang_name = "second";
  run_id = start (f,
    "{\"name\": \"saga-crash\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"test.reserve\", \"with\": {\"value\": \"first\"}},"
    "  {\"id\": \"b\", \"uses\": \"test.reserve\", \"needs\": [\"a\"], \"with\": {\"value\": \"second\"}},"
    "  {\"id\": \"x\", \"uses\": \"test.flaky\", \"needs\": [\"b\"], \"with\": {\"fail_times\": 9}}]}");
  while (undo_hung == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_clear_object (&f->engine);
  /* The undo that was under way ends after its process has gone. */
  return_object (undo_hung, json_object_new ());
  g_clear_object (&undo_hung);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  mid_status = run_column (f, run_id, "status");
  g_assert_cmpstr (mid_status, ==, "running");

  f->engine = pa_engine_new (f->store, f->registry, NULL);
  g_assert_true (pa_engine_resume_all (f->engine, &error));
  g_assert_no_error (error);
  status = wait_run (f->engine, run_id);
  events = events_of (f, run_id);

  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpuint (undo_order->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (undo_order, 0), ==, "second");
  g_assert_cmpstr (g_ptr_array_index (undo_order, 1), ==, "second");
  g_assert_cmpstr (g_ptr_array_index (undo_order, 2), ==, "first");
  b_key = g_strdup_printf ("%s/b/undo", run_id);
  a_key = g_strdup_printf ("%s/a/undo", run_id);
  g_assert_cmpstr (g_ptr_array_index (undo_keys, 0), ==, b_key);
  g_assert_cmpstr (g_ptr_array_index (undo_keys, 1), ==, b_key);
  g_assert_cmpstr (g_ptr_array_index (undo_keys, 2), ==, a_key);
  g_assert_nonnull (strstr (events,
                   "step.compensating b;step.compensating b;step.compensated b;"
                   "step.compensating a;step.compensated a;run.failed -"));
  /* x failed once, before the restart, and is not run again. */
  g_assert_cmpint (flaky_calls, ==, 1);
}

typedef struct {
  Fixture  *f;
  char     *run_id;
  gboolean  saw_waiting;
} WaitingCheck;

static void
waiting_step_changed_cb (PaEngine     *engine,
                         const char   *run_id,
                         const char   *step_id,
                         const char   *status,
                         WaitingCheck *check)
{
  g_autofree char *run_status = NULL;

  if (g_strcmp0 (status, "waiting") != 0)
    return;
  run_status = run_column (check->f, run_id, "status");
  if (g_strcmp0 (run_status, "waiting") == 0)
    check->saw_waiting = TRUE;
}

static void
test_offline (Fixture       *f,
              gconstpointer  data)
{
  WaitingCheck check = { f, NULL, FALSE };
  g_autofree char *status = NULL;
  g_autofree char *attempts = NULL;
  g_autofree char *run_status = NULL;
  g_autofree char *events = NULL;

  pa_engine_set_offline_retry_interval_ms (f->engine, 10);
  g_signal_connect (f->engine, "step-changed", G_CALLBACK (waiting_step_changed_cb), &check);
  check.run_id = start (f,
    "{\"name\": \"offline\", \"steps\": ["
    "  {\"id\": \"o\", \"uses\": \"test.offline\", \"with\": {\"fail_times\": 3, \"value\": 7}}]}");
  status = wait_run (f->engine, check.run_id);
  attempts = step_column (f, check.run_id, "o", "attempts");
  run_status = run_column (f, check.run_id, "status");
  events = events_of (f, check.run_id);

  g_assert_true (check.saw_waiting);
  g_assert_cmpstr (status, ==, "succeeded");
  g_assert_cmpstr (run_status, ==, "succeeded");
  g_assert_cmpint (offline_calls, ==, 4);
  /* Being offline does not use up the step's attempts. */
  g_assert_cmpstr (attempts, ==, "1");
  g_assert_nonnull (strstr (events, "step.failed o;run.waiting -;step.started o;"));
  g_assert_nonnull (strstr (events, "run.started -;step.succeeded o;run.succeeded -"));
  g_free (check.run_id);
}

/* Validation saw a template; what it became is checked before the action
 * runs, and a wrong type fails the step for good, naming where. */
static void
test_resolved_types (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *run_id = start (f,
    "{\"name\": \"types\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"three\"}},"
    "  {\"id\": \"b\", \"uses\": \"test.flaky\", \"needs\": [\"a\"],"
    "   \"with\": {\"fail_times\": \"{{steps.a.output.value}}\"},"
    "   \"retry\": {\"max_attempts\": 3, \"backoff_s\": 0.01}}]}");
  g_autofree char *status = wait_run (f->engine, run_id);
  g_autofree char *error = run_column (f, run_id, "error");
  g_autofree char *attempts = step_column (f, run_id, "b", "attempts");

  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpstr (error, ==,
                   "step b failed: steps[1].with.fail_times: must be an integer, not a string");
  g_assert_cmpint (flaky_calls, ==, 0);
  g_assert_cmpstr (attempts, ==, "1");
}

/* ---- a real platform that is down, then back ---------------------------- */

typedef struct {
  guint  posts;
  char  *key;
} LinkPeer;

/* Answers as Stripe's POST /v1/payment_links does (the members the
 * action reads, per openapi/stripe.json's payment_link). */
static void
link_peer_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  LinkPeer *peer = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *body = "{\"id\": \"plink_back\", \"object\": \"payment_link\", "
                     "\"active\": true, \"url\": \"https://buy.stripe.com/test_back\"}";

  if (!g_str_equal (soup_server_message_get_method (msg), "POST")
      || !g_str_equal (path, "/v1/payment_links"))
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  peer->posts++;
  g_free (peer->key);
  peer->key = g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key"));
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

typedef struct {
  Fixture *f;
  guint    waits;
} OfflineWatch;

static void
offline_watch_cb (PaEngine     *engine,
                  const char   *run_id,
                  const char   *step_id,
                  const char   *status,
                  OfflineWatch *watch)
{
  if (g_strcmp0 (status, "waiting") == 0)
    watch->waits++;
}

/* Nothing listens on Stripe's address (connection refused, then the
 * breaker opens): the run waits without spending the step's attempts,
 * and finishes by itself once the platform answers again. */
static void
test_offline_peer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(PaTestKeyring) keyring = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaKeyringCredentials) keyring_credentials = NULL;
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autofree char *url = NULL;
  g_autofree char *run_id = NULL;
  g_autofree char *mid_status = NULL;
  g_autofree char *status = NULL;
  g_autofree char *attempts = NULL;
  g_autofree char *events = NULL;
  g_autofree char *key = NULL;
  LinkPeer peer = { 0 };
  OfflineWatch watch = { f, 0 };
  g_autoptr(GSocket) reserved = NULL;
  guint16 port = 0;

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return;
  g_assert_true (pa_test_keyring_is_current (keyring));
  secrets = pa_secrets_new ();
  pa_secrets_store_sync (secrets, "stripe", "default", "api-key", "sk_test_offline", NULL, &error);
  g_assert_no_error (error);

  /* Refused until the server below listens on it; the port stays ours
   * all along, so nobody else can be there meanwhile. */
  reserved = pa_test_peer_reserve_port (&port, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);
  pa_store_save_account (f->store, "stripe", "default", url, "Test", "signed-in", &error);
  g_assert_no_error (error);

  keyring_credentials = pa_keyring_credentials_new (secrets);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (keyring_credentials));
  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_breaker_config (http, 3, 100 * 1000);
  g_clear_object (&f->engine);
  f->engine = pa_engine_new (f->store, registry, http);
  pa_engine_set_offline_retry_interval_ms (f->engine, 20);
  g_signal_connect (f->engine, "step-changed", G_CALLBACK (offline_watch_cb), &watch);

  workflow = pa_workflow_new_from_data (
    "{\"name\": \"sell-when-back\", \"steps\": ["
    "  {\"id\": \"sell\", \"uses\": \"stripe.payment_link\", \"with\": {\"price\": \"price_1\"},"
    "   \"retry\": {\"max_attempts\": 1}}]}", -1, registry, &error);
  g_assert_no_error (error);
  pa_engine_start_run (f->engine, workflow, NULL, &run_id, &error);
  g_assert_no_error (error);

  /* Down long enough to open the breaker and to be found down again. */
  while (watch.waits < 6)
    g_main_context_iteration (NULL, TRUE);
  mid_status = run_column (f, run_id, "status");
  g_assert_cmpstr (mid_status, ==, "waiting");
  g_assert_cmpuint (peer.posts, ==, 0);

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, link_peer_cb, &peer, NULL);
  g_assert_true (g_socket_listen (reserved, &error));
  g_assert_no_error (error);
  g_assert_true (soup_server_listen_socket (server, reserved, 0, &error));
  g_assert_no_error (error);

  status = wait_run (f->engine, run_id);
  attempts = step_column (f, run_id, "sell", "attempts");
  events = events_of (f, run_id);
  key = g_strdup_printf ("%s/sell", run_id);

  g_assert_cmpstr (status, ==, "succeeded");
  /* One attempt allowed, and still one spent: waiting is not failing. */
  g_assert_cmpstr (attempts, ==, "1");
  g_assert_cmpuint (peer.posts, ==, 1);
  g_assert_cmpstr (peer.key, ==, key);
  g_assert_nonnull (strstr (events, "run.waiting -"));
  g_assert_nonnull (strstr (events, "run.started -;step.succeeded sell;run.succeeded -"));

  g_clear_object (&f->engine);
  g_clear_object (&http);
  g_clear_object (&secrets);
  g_free (peer.key);
}

static void
test_timeout (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *run_id = start (f,
    "{\"name\": \"timeout\", \"steps\": ["
    "  {\"id\": \"w\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 30}, \"timeout_s\": 0.1}]}");
  g_autofree char *status = wait_run (f->engine, run_id);
  g_autofree char *error = run_column (f, run_id, "error");
  g_autofree char *step_status = step_column (f, run_id, "w", "status");

  g_assert_cmpstr (status, ==, "failed");
  g_assert_cmpstr (step_status, ==, "failed");
  g_assert_true (g_str_has_prefix (error, "step w failed: "));
  g_assert_nonnull (strstr (error, "0.1 seconds"));
}

static gboolean
cancel_cb (gpointer user_data)
{
  Fixture *f = ((gpointer *) user_data)[0];
  const char *run_id = ((gpointer *) user_data)[1];
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_engine_cancel_run (f->engine, run_id, &error));
  g_assert_no_error (error);
  return G_SOURCE_REMOVE;
}

static void
cancel_when_running_cb (PaEngine   *engine,
                        const char *run_id,
                        const char *step_id,
                        const char *status,
                        gpointer   *data)
{
  if (g_strcmp0 (status, "running") == 0 && g_strcmp0 (step_id, "w") == 0)
    g_idle_add (cancel_cb, data);
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autofree char *run_status = NULL;
  g_autofree char *after_status = NULL;
  g_autofree char *z_status = NULL;
  g_autofree char *w_status = NULL;
  g_autoptr(GError) error = NULL;
  gpointer pair[2] = { f, NULL };

  g_signal_connect (f->engine, "step-changed", G_CALLBACK (cancel_when_running_cb), pair);
  run_id = start (f,
    "{\"name\": \"cancel\", \"steps\": ["
    "  {\"id\": \"w\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 30}},"
    "  {\"id\": \"z\", \"uses\": \"test.count\", \"needs\": [\"w\"]}]}");
  pair[1] = run_id;
  status = wait_run (f->engine, run_id);
  run_status = run_column (f, run_id, "status");

  g_assert_cmpstr (status, ==, "cancelled");
  g_assert_cmpstr (run_status, ==, "cancelled");
  g_assert_cmpint (count_calls, ==, 0);
  z_status = step_column (f, run_id, "z", "status");
  g_assert_null (z_status);
  w_status = step_column (f, run_id, "w", "status");
  g_assert_cmpstr (w_status, ==, "failed");

  /* Finished runs are reported at once; a second cancel is refused. */
  after_status = wait_run (f->engine, run_id);
  g_assert_cmpstr (after_status, ==, "cancelled");
  g_assert_false (pa_engine_cancel_run (f->engine, run_id, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

static void
stop_at_wait_cb (PaEngine   *engine,
                 const char *run_id,
                 const char *step_id,
                 const char *status,
                 gboolean   *reached)
{
  if (g_strcmp0 (status, "running") == 0 && g_strcmp0 (step_id, "w") == 0)
    *reached = TRUE;
}

static void
test_resume (Fixture       *f,
             gconstpointer  data)
{
  gboolean reached = FALSE;
  g_autofree char *run_id = NULL;
  g_autofree char *mid_status = NULL;
  g_autofree char *status = NULL;
  g_autofree char *out_c = NULL;
  g_autofree char *w_attempts = NULL;
  g_autoptr(GError) error = NULL;

  g_signal_connect (f->engine, "step-changed", G_CALLBACK (stop_at_wait_cb), &reached);
  run_id = start (f,
    "{\"name\": \"resume\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"test.count\", \"with\": {\"value\": \"once\"}},"
    "  {\"id\": \"w\", \"uses\": \"test.gate\", \"needs\": [\"a\"]},"
    "  {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"w\"],"
    "   \"with\": {\"value\": \"{{steps.a.output.value}} {{steps.w.output.ticket}}\"}}]}");
  while (!reached)
    g_main_context_iteration (NULL, TRUE);
  /* Let the gate journal its state, then "crash". */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;

  mid_status = run_column (f, run_id, "status");
  g_assert_cmpstr (mid_status, ==, "running");
  g_assert_cmpint (count_calls, ==, 1);

  f->engine = pa_engine_new (f->store, f->registry, NULL);
  g_assert_true (pa_engine_resume_all (f->engine, &error));
  g_assert_no_error (error);
  status = wait_run (f->engine, run_id);

  g_assert_cmpstr (status, ==, "succeeded");
  g_assert_cmpint (count_calls, ==, 1);
  out_c = step_column (f, run_id, "c", "output_json");
  g_assert_cmpstr (out_c, ==, "{\"value\":\"once T-1\"}");
  /* Run again after the restart, and handed the state it journaled. */
  g_assert_cmpint (gate_calls, ==, 2);
  /* The resumed gate did not need to checkpoint again. */
  g_assert_cmpuint (count_step_events (f, run_id, "w", PA_EVENT_STEP_CHECKPOINT, NULL), ==, 1);
  g_assert_cmpuint (count_step_events (f, run_id, "a", PA_EVENT_STEP_STARTED, NULL), ==, 1);
  w_attempts = step_column (f, run_id, "w", "attempts");
  g_assert_cmpstr (w_attempts, ==, "1");
}

/* What "run-finished" handlers can still read; nothing once it is over. */
typedef struct {
  char *outputs;
  char *error;
} Finished;

static void
record_finished_cb (PaEngine   *engine,
                    const char *run_id,
                    const char *status,
                    Finished   *finished)
{
  g_autoptr(JsonObject) outputs = pa_engine_dup_run_outputs (engine, run_id);
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);

  g_assert_nonnull (outputs);
  json_node_set_object (node, outputs);
  finished->outputs = json_to_string (node, FALSE);
  finished->error = pa_engine_dup_run_error (engine, run_id);
}

static void
test_run_outputs (Fixture       *f,
                  gconstpointer  data)
{
  Finished ok = { 0 };
  Finished failed = { 0 };
  g_autofree char *ok_id = NULL;
  g_autofree char *failed_id = NULL;
  g_autofree char *ok_status = NULL;
  g_autofree char *failed_status = NULL;
  gulong handler;

  handler = g_signal_connect (f->engine, "run-finished", G_CALLBACK (record_finished_cb), &ok);
  ok_id = start (f,
    "{\"name\": \"outs\", \"steps\": ["
    "  {\"id\": \"b\", \"uses\": \"local.set\", \"needs\": [\"a\"], \"with\": {\"value\": [2]}},"
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"one\"}}]}");
  g_assert_null (pa_engine_dup_run_error (f->engine, ok_id));
  ok_status = wait_run (f->engine, ok_id);
  g_signal_handler_disconnect (f->engine, handler);
  g_assert_cmpstr (ok_status, ==, "succeeded");
  /* The order of the file, whatever the order of success. */
  g_assert_cmpstr (ok.outputs, ==, "{\"b\":{\"value\":[2]},\"a\":{\"value\":\"one\"}}");
  g_assert_null (ok.error);
  g_assert_null (pa_engine_dup_run_outputs (f->engine, ok_id));

  handler = g_signal_connect (f->engine, "run-finished", G_CALLBACK (record_finished_cb), &failed);
  failed_id = start (f,
    "{\"name\": \"outs-failing\", \"steps\": ["
    "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": 1}},"
    "  {\"id\": \"x\", \"uses\": \"test.flaky\", \"needs\": [\"a\"], \"with\": {\"fail_times\": 9}}]}");
  failed_status = wait_run (f->engine, failed_id);
  g_signal_handler_disconnect (f->engine, handler);
  g_assert_cmpstr (failed_status, ==, "failed");
  g_assert_cmpstr (failed.outputs, ==, "{\"a\":{\"value\":1}}");
  g_assert_cmpstr (failed.error, ==, "step x failed: flaky failure 1");
  g_assert_null (pa_engine_dup_run_error (f->engine, failed_id));

  g_free (ok.outputs);
  g_free (failed.outputs);
  g_free (failed.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/engine/chain", test_chain);
  ADD ("/engine/diamond", test_diamond);
  ADD ("/engine/bounded", test_bounded);
  ADD ("/engine/retry", test_retry);
  ADD ("/engine/compensation", test_compensation);
  ADD ("/engine/compensation-resume", test_compensation_resume);
  ADD ("/engine/offline", test_offline);
  ADD ("/engine/offline-peer", test_offline_peer);
  ADD ("/engine/resolved-types", test_resolved_types);
  ADD ("/engine/timeout", test_timeout);
  ADD ("/engine/cancel", test_cancel);
  ADD ("/engine/resume", test_resume);
  ADD ("/engine/run-outputs", test_run_outputs);
#undef ADD

  return g_test_run ();
}
