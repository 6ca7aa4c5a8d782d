/* pa-engine.c — the durable executor of workflow runs: runs and
 * scheduling; each step and the compensation of a failed run are in
 * pa-engine-step.c, resuming runs from the journal in pa-engine-resume.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"
#include "pa-journal.h"
#include "pa-template.h"
#include "pa-action-context.h"
#include "pa-engine.h"
#include "pa-engine-private.h"

G_DEFINE_FINAL_TYPE (PaEngine, pa_engine, G_TYPE_OBJECT)

enum { SIGNAL_RUN_FINISHED, SIGNAL_STEP_CHANGED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* ---- runs --------------------------------------------------------------- */

Run *
pa_engine_run_ref (Run *run)
{
  g_atomic_ref_count_inc (&run->ref);
  return run;
}

void
pa_engine_run_unref (Run *run)
{
  if (!g_atomic_ref_count_dec (&run->ref))
    return;
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      g_clear_pointer (&step->state, json_object_unref);
      g_clear_object (&step->cancellable);
      g_clear_handle_id (&step->delay_id, g_source_remove);
      g_clear_handle_id (&step->timeout_id, g_source_remove);
      g_free (step);
    }
  g_ptr_array_unref (run->steps);
  g_ptr_array_unref (run->completed);
  g_hash_table_unref (run->outputs);
  g_clear_pointer (&run->inputs, json_object_unref);
  g_clear_object (&run->workflow);
  g_list_free_full (run->waiters, g_object_unref);
  g_clear_object (&run->file_policy);
  g_strfreev (run->retry_unsafe);
  g_free (run->failure);
  g_free (run->id);
  g_free (run);
}

Run *
pa_engine_run_new (PaEngine   *engine,
                   const char *id,
                   PaWorkflow *workflow,
                   JsonObject *inputs)
{
  Run *run = g_new0 (Run, 1);

  g_atomic_ref_count_init (&run->ref);
  run->engine = engine;
  run->id = g_strdup (id);
  run->workflow = g_object_ref (workflow);
  run->inputs = inputs != NULL ? json_object_ref (inputs) : json_object_new ();
  run->outputs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                        (GDestroyNotify) json_node_unref);
  run->steps = g_ptr_array_new ();
  run->completed = g_ptr_array_new ();
  run->file_policy = pa_file_policy_new ();
  run->network_wait_s = PA_LIMIT_NETWORK_WAIT_SECONDS;
  for (guint i = 0; i < pa_workflow_get_n_steps (workflow); i++)
    {
      Step *step = g_new0 (Step, 1);

      step->run = run;
      step->def = pa_workflow_get_step (workflow, i);
      step->status = STEP_PENDING;
      g_ptr_array_add (run->steps, step);
    }
  return run;
}

Step *
pa_engine_run_lookup_step (Run        *run,
                           const char *id)
{
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      if (g_strcmp0 (step->def->id, id) == 0)
        return step;
    }
  return NULL;
}

void
pa_engine_journal (Run        *run,
                   const char *step_id,
                   const char *kind,
                   int         attempt,
                   JsonObject *payload)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (payload != NULL)
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, payload);
    }
  /* The run goes on even when the disk does not: the next start replays
   * from what was written, which only repeats work, never loses it.
   * Deferred (group commit): the events of many steps share a commit.
   * pa_engine_flush commits them wherever losing them in a crash would not
   * be repeated safely on resume. */
  if (pa_journal_append_deferred (run->engine->journal, run->id, step_id, kind, attempt,
                                  node, 0, &error) == 0)
    g_warning ("Could not journal %s for run %s: %s", kind, run->id, error->message);
}

/* The outcome of a step that resuming could not repeat safely is made
 * durable before anyone hears of it. */
void
pa_engine_step_flush_if_unrepeatable (Step *step)
{
  PaEngine *engine = step->run->engine;
  const PaActionInfo *info = pa_action_registry_lookup (engine->registry, step->def->uses);

  if (info != NULL && !info->idempotent)
    pa_engine_flush (engine);
}

/* Makes every event journaled so far durable. Called before an effect
 * that resuming could not repeat safely starts, after its outcome is
 * journaled, and before a run's end is reported. */
void
pa_engine_flush (PaEngine *engine)
{
  g_autoptr(GError) error = NULL;

  if (!pa_journal_flush (engine->journal, &error))
    g_warning ("Could not save the journal: %s", error->message);
}

JsonObject *
pa_engine_object_with_string (const char *member,
                              const char *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, member, value);
  return object;
}

gint64
pa_engine_now (PaEngine *engine)
{
  return engine->clock != NULL ? engine->clock (engine->clock_data) : g_get_real_time ();
}

/* Applies the options journaled with a run (run.created "options"). A
 * granted place that is gone since is left out: there is nothing there
 * to read. */
void
pa_engine_run_apply_options (Run        *run,
                             JsonObject *options)
{
  JsonNode *node;

  if (options == NULL)
    return;
  node = json_object_get_member (options, "allowed_paths");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *path = json_array_get_string_element (array, i);
          g_autoptr(GError) error = NULL;

          if (path != NULL && !pa_file_policy_allow (run->file_policy, path, &error))
            g_warning ("Run %s: a granted place is gone: %s", run->id, error->message);
        }
    }
  node = json_object_get_member (options, "network_wait_s");
  if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
      && json_node_get_value_type (node) == G_TYPE_INT64 && json_node_get_int (node) >= 0)
    run->network_wait_s = json_node_get_int (node);
  node = json_object_get_member (options, "retry_unsafe");
  if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          const char *id = json_array_get_string_element (array, i);

          if (id != NULL)
            g_strv_builder_add (builder, id);
        }
      g_strfreev (run->retry_unsafe);
      run->retry_unsafe = g_strv_builder_end (builder);
    }
}

void
pa_engine_step_changed (Step       *step,
                        const char *status)
{
  g_signal_emit (step->run->engine, signals[SIGNAL_STEP_CHANGED], 0,
                 step->run->id, step->def->id, status);
}

void
pa_engine_run_finish (Run        *run,
                      const char *status)
{
  PaEngine *engine = run->engine;
  GList *waiters = g_steal_pointer (&run->waiters);

  run->done = TRUE;
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      g_clear_handle_id (&step->delay_id, g_source_remove);
      g_clear_handle_id (&step->timeout_id, g_source_remove);
    }
  for (GList *l = waiters; l != NULL; l = l->next)
    g_task_return_pointer (l->data, g_strdup (status), g_free);
  g_list_free_full (waiters, g_object_unref);

  pa_engine_run_ref (run);
  /* Still held while "run-finished" is emitted, so that its handlers
   * can read the run's outputs and error. */
  g_signal_emit (engine, signals[SIGNAL_RUN_FINISHED], 0, run->id, status);
  /* A cancelled run stays listed until its actions have returned, so
   * that dropping the engine still reaches them. */
  if (run->n_running == 0 && engine->runs != NULL)
    g_hash_table_remove (engine->runs, run->id);
  pa_engine_run_unref (run);
  pa_engine_schedule_pump (engine);
}

/* ---- scheduling --------------------------------------------------------- */

static gboolean
run_all_succeeded (Run *run)
{
  for (guint i = 0; i < run->steps->len; i++)
    if (((Step *) g_ptr_array_index (run->steps, i))->status != STEP_SUCCEEDED)
      return FALSE;
  return TRUE;
}

static gboolean
pump_cb (gpointer user_data)
{
  PaEngine *self = user_data;
  g_autoptr(GPtrArray) runs = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_engine_run_unref);
  g_autoptr(GPtrArray) ended = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  self->pump_id = 0;
  g_hash_table_iter_init (&iter, self->runs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (runs, pa_engine_run_ref (value));

  /* The runs that ended share one commit, made before any of them is
   * reported. Each is done from its journaling on, so that what a
   * handler does to it in between cannot contradict its end. */
  for (guint r = 0; r < runs->len; r++)
    {
      Run *run = g_ptr_array_index (runs, r);

      if (!run->done && !run->failing && run_all_succeeded (run))
        {
          pa_engine_journal (run, NULL, PA_EVENT_RUN_SUCCEEDED, 0, NULL);
          run->done = TRUE;
          g_ptr_array_add (ended, run);
        }
    }
  if (ended->len > 0)
    pa_engine_flush (self);
  for (guint r = 0; r < ended->len; r++)
    pa_engine_run_finish (g_ptr_array_index (ended, r), "succeeded");

  for (guint r = 0; r < runs->len; r++)
    {
      Run *run = g_ptr_array_index (runs, r);

      if (run->done || run->failing)
        {
          pa_engine_run_maybe_compensate (run);
          continue;
        }
      for (guint i = 0; i < run->steps->len && self->n_running < self->max_concurrency; i++)
        {
          Step *step = g_ptr_array_index (run->steps, i);

          if (!run->failing && !run->done && pa_engine_step_is_ready (step))
            pa_engine_step_start (step);
        }
    }
  return G_SOURCE_REMOVE;
}

void
pa_engine_schedule_pump (PaEngine *self)
{
  if (self->pump_id == 0)
    self->pump_id = g_idle_add (pump_cb, self);
}

/* ---- public ------------------------------------------------------------- */

static void
pa_engine_dispose (GObject *object)
{
  PaEngine *self = PA_ENGINE (object);

  g_clear_handle_id (&self->pump_id, g_source_remove);
  if (self->journal != NULL)
    pa_engine_flush (self);
  if (self->runs != NULL)
    {
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->runs);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Run *run = value;
          GList *waiters = g_steal_pointer (&run->waiters);

          run->engine = NULL;
          for (guint i = 0; i < run->steps->len; i++)
            {
              Step *step = g_ptr_array_index (run->steps, i);

              g_clear_handle_id (&step->delay_id, g_source_remove);
              g_clear_handle_id (&step->timeout_id, g_source_remove);
              if (step->cancellable != NULL)
                g_cancellable_cancel (step->cancellable);
            }
          for (GList *l = waiters; l != NULL; l = l->next)
            g_task_return_new_error (l->data, PA_ERROR, PA_ERROR_CANCELLED,
                                     _("The workflow engine stopped before the run ended."));
          g_list_free_full (waiters, g_object_unref);
        }
      g_clear_pointer (&self->runs, g_hash_table_unref);
    }
  g_clear_object (&self->journal);
  g_clear_object (&self->store);
  g_clear_object (&self->definition_of);
  g_clear_pointer (&self->definition, json_node_unref);
  g_clear_object (&self->registry);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (pa_engine_parent_class)->dispose (object);
}

static void
pa_engine_class_init (PaEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pa_engine_dispose;

  signals[SIGNAL_RUN_FINISHED] =
    g_signal_new ("run-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
  signals[SIGNAL_STEP_CHANGED] =
    g_signal_new ("step-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING, G_TYPE_STRING, G_TYPE_STRING);
}

static void
pa_engine_init (PaEngine *self)
{
  self->runs = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                      (GDestroyNotify) pa_engine_run_unref);
  self->max_concurrency = 4;
  self->offline_interval_ms = 30 * 1000;
}

PaEngine *
pa_engine_new (PaStore          *store,
               PaActionRegistry *registry,
               PaHttp           *http)
{
  PaEngine *self;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_ACTION_REGISTRY (registry), NULL);
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  self = g_object_new (PA_TYPE_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->journal = pa_journal_new (store);
  self->registry = g_object_ref (registry);
  self->http = http != NULL ? g_object_ref (http) : NULL;
  return self;
}

void
pa_engine_set_max_concurrency (PaEngine *self,
                               guint     max_concurrency)
{
  g_return_if_fail (PA_IS_ENGINE (self));

  self->max_concurrency = MAX (max_concurrency, 1);
  pa_engine_schedule_pump (self);
}

void
pa_engine_set_offline_retry_interval_ms (PaEngine *self,
                                         guint     interval_ms)
{
  g_return_if_fail (PA_IS_ENGINE (self));

  self->offline_interval_ms = MAX (interval_ms, 1);
}

void
pa_engine_set_clock (PaEngine    *self,
                     PaClockFunc  clock,
                     gpointer     clock_data)
{
  g_return_if_fail (PA_IS_ENGINE (self));

  self->clock = clock;
  self->clock_data = clock_data;
}

/* The options as they are journaled: the places resolved now, so that a
 * resumed run reads where this one was allowed to, and nothing else. */
static JsonObject *
options_to_json (PaWorkflow          *workflow,
                 const PaRunOptions  *options,
                 GError             **error)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(PaFilePolicy) policy = pa_file_policy_new ();
  const char * const *allowed;
  JsonArray *array;

  for (guint i = 0; options->allowed_paths != NULL && options->allowed_paths[i] != NULL; i++)
    if (!pa_file_policy_allow (policy, options->allowed_paths[i], error))
      {
        g_prefix_error (error, _("Cannot grant access: "));
        if (error != NULL && *error != NULL)
          (*error)->code = PA_ERROR_INVALID_INPUT;
        return NULL;
      }
  array = json_array_new ();
  allowed = pa_file_policy_get_allowed (policy);
  for (guint i = 0; allowed[i] != NULL; i++)
    json_array_add_string_element (array, allowed[i]);
  json_object_set_array_member (object, "allowed_paths", array);

  json_object_set_int_member (object, "network_wait_s",
                              options->network_wait_s >= 0 ? options->network_wait_s
                                                           : PA_LIMIT_NETWORK_WAIT_SECONDS);

  array = json_array_new ();
  for (guint i = 0; options->retry_unsafe != NULL && options->retry_unsafe[i] != NULL; i++)
    {
      if (pa_workflow_lookup_step (workflow, options->retry_unsafe[i]) == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("The workflow has no step “%s” for which retries could be allowed"),
                       options->retry_unsafe[i]);
          json_array_unref (array);
          return NULL;
        }
      json_array_add_string_element (array, options->retry_unsafe[i]);
    }
  json_object_set_array_member (object, "retry_unsafe", array);
  return g_steal_pointer (&object);
}

void
pa_engine_start_run (PaEngine    *self,
                     PaWorkflow  *workflow,
                     JsonObject  *bound_inputs,
                     char       **run_id_out,
                     GError     **error)
{
  pa_engine_start_run_with_options (self, workflow, bound_inputs, NULL, run_id_out, error);
}

void
pa_engine_start_run_with_options (PaEngine            *self,
                                  PaWorkflow          *workflow,
                                  JsonObject          *bound_inputs,
                                  const PaRunOptions  *options,
                                  char               **run_id_out,
                                  GError             **error)
{
  g_autofree char *id = g_uuid_string_random ();
  g_autoptr(JsonNode) payload = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) options_json = NULL;
  const PaRunOptions defaults = PA_RUN_OPTIONS_INIT;
  JsonObject *object;
  Run *run;

  g_return_if_fail (PA_IS_ENGINE (self));
  g_return_if_fail (PA_IS_WORKFLOW (workflow));

  options_json = options_to_json (workflow, options != NULL ? options : &defaults, error);
  if (options_json == NULL)
    return;

  if (self->definition_of != workflow)
    {
      g_autofree char *definition = pa_workflow_to_json (workflow);
      /* The engine's own text, but it is parsed like any other. */
      JsonNode *definition_node = pa_json_parse_bounded (definition, -1, G_MAXSIZE,
                                                         PA_ERROR_INVALID_INPUT,
                                                         _("The workflow"), error);

      if (definition_node == NULL)
        return;
      g_set_object (&self->definition_of, workflow);
      g_clear_pointer (&self->definition, json_node_unref);
      self->definition = definition_node;
    }
  object = json_object_new ();
  json_object_set_member (object, "definition", json_node_copy (self->definition));
  if (bound_inputs != NULL)
    json_object_set_object_member (object, "inputs", json_object_ref (bound_inputs));
  else
    json_object_set_object_member (object, "inputs", json_object_new ());
  json_object_set_object_member (object, "options", json_object_ref (options_json));
  json_node_take_object (payload, object);
  /* Deferred like the rest: it is committed before the run has any
   * effect beyond this process, and before its end is reported. */
  if (pa_journal_append_deferred (self->journal, id, NULL, PA_EVENT_RUN_CREATED, 0, payload,
                                  0, error) == 0)
    return;

  run = pa_engine_run_new (self, id, workflow, bound_inputs);
  pa_engine_run_apply_options (run, options_json);
  g_hash_table_insert (self->runs, run->id, run);
  pa_engine_journal (run, NULL, PA_EVENT_RUN_STARTED, 0, NULL);
  pa_engine_schedule_pump (self);
  if (run_id_out != NULL)
    *run_id_out = g_steal_pointer (&id);
}

gboolean
pa_engine_cancel_run (PaEngine    *self,
                      const char  *run_id,
                      GError     **error)
{
  Run *run;

  g_return_val_if_fail (PA_IS_ENGINE (self), FALSE);

  run = g_hash_table_lookup (self->runs, run_id);
  if (run == NULL || run->done)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("Run %s is not running, so it cannot be cancelled."), run_id);
      return FALSE;
    }
  /* Ended first: an action may report its cancellation synchronously,
   * and that report must not count as the step failing. */
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      if (step->status == STEP_RUNNING)
        {
          JsonObject *payload = pa_engine_object_with_string ("error", _("The run was cancelled."));

          json_object_set_boolean_member (payload, "will_retry", FALSE);
          pa_engine_journal (run, step->def->id, PA_EVENT_STEP_FAILED, step->attempts, payload);
        }
    }
  pa_engine_journal (run, NULL, PA_EVENT_RUN_CANCELLED, 0, NULL);
  pa_engine_flush (self);
  run->done = TRUE;
  pa_engine_run_ref (run);
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      if (step->cancellable != NULL)
        g_cancellable_cancel (step->cancellable);
    }
  pa_engine_run_finish (run, "cancelled");
  pa_engine_run_unref (run);
  return TRUE;
}

void
pa_engine_wait_run_async (PaEngine            *self,
                          const char          *run_id,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) record = NULL;
  Run *run;

  g_return_if_fail (PA_IS_ENGINE (self));
  g_return_if_fail (run_id != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_engine_wait_run_async);

  run = g_hash_table_lookup (self->runs, run_id);
  if (run != NULL && !run->done)
    {
      run->waiters = g_list_append (run->waiters, g_steal_pointer (&task));
      return;
    }

  /* PA_ERROR_NOT_FOUND when there is no such run. */
  record = pa_store_get_run (self->store, run_id, &error);
  if (record == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_strcmp0 (record->status, "succeeded") == 0 || g_strcmp0 (record->status, "failed") == 0
      || g_strcmp0 (record->status, "cancelled") == 0)
    {
      g_task_return_pointer (task, g_strdup (record->status), g_free);
      return;
    }
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                           _("Run %s is unfinished but not running; resume it first."), run_id);
}

JsonObject *
pa_engine_dup_run_outputs (PaEngine   *self,
                           const char *run_id)
{
  JsonObject *outputs;
  Run *run;

  g_return_val_if_fail (PA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  run = g_hash_table_lookup (self->runs, run_id);
  if (run == NULL)
    return NULL;
  outputs = json_object_new ();
  /* File order, not the hash table's: callers print and compare it. */
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);
      JsonNode *output = g_hash_table_lookup (run->outputs, step->def->id);

      if (output != NULL)
        json_object_set_member (outputs, step->def->id, json_node_copy (output));
    }
  return outputs;
}

char *
pa_engine_dup_run_error (PaEngine   *self,
                         const char *run_id)
{
  Run *run;

  g_return_val_if_fail (PA_IS_ENGINE (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  run = g_hash_table_lookup (self->runs, run_id);
  return run != NULL ? g_strdup (run->failure) : NULL;
}

char *
pa_engine_wait_run_finish (PaEngine      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
