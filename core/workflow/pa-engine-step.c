/* pa-engine-step.c — running one step of a run: starting its action,
 * retries, timeouts and offline waits, its outcome; and, when a step
 * fails for good, compensating the finished steps in reverse (saga)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-journal.h"
#include "pa-limits.h"
#include "pa-template.h"
#include "pa-action-context.h"
#include "pa-engine.h"
#include "pa-engine-private.h"

/* ---- failure and compensation ------------------------------------------- */

static void
run_end_failed (Run *run)
{
  pa_engine_journal (run, NULL, PA_EVENT_RUN_FAILED, 0,
                     pa_engine_object_with_string ("error", run->failure));
  pa_engine_flush (run->engine);
  pa_engine_run_finish (run, "failed");
}

typedef struct {
  Run  *run;
  Step *step;
  const PaActionInfo *info;
} CompCall;

static void
compensation_done_cb (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  CompCall *call = user_data;
  Run *run = call->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;

  output = call->info->finish (result, &error);
  if (run->engine != NULL && !run->done)
    {
      if (output != NULL)
        {
          pa_engine_journal (run, call->step->def->id, PA_EVENT_STEP_COMPENSATED,
                             call->step->attempts, NULL);
          pa_engine_step_changed (call->step, "compensated");
        }
      else
        {
          /* Kept in the journal, but the saga goes on: one undo that
           * fails must not leave the others undone. */
          pa_engine_journal (run, call->step->def->id, PA_EVENT_STEP_COMPENSATION_FAILED,
                             call->step->attempts,
                             pa_engine_object_with_string ("error", error->message));
          g_warning ("Compensating step %s of run %s failed: %s",
                     call->step->def->id, run->id, error->message);
        }
      if (!call->info->idempotent)
        pa_engine_flush (run->engine);
      pa_engine_run_compensate_next (run);
    }
  pa_engine_run_unref (run);
  g_free (call);
}

/* The JSON path in the message is the definition's: "steps[2].with". */
static gboolean
check_resolved_args (Run                 *run,
                     Step                *step,
                     const PaActionInfo  *info,
                     JsonObject          *args,
                     gboolean             compensation,
                     GError             **error)
{
  g_autofree char *path = NULL;
  guint index = 0;

  g_ptr_array_find (run->steps, step, &index);
  path = g_strdup_printf (compensation ? "steps[%u].compensate.with" : "steps[%u].with", index);
  return pa_action_check_args (info, args, path, error);
}

void
pa_engine_run_compensate_next (Run *run)
{
  while (run->completed->len > 0)
    {
      Step *step = g_ptr_array_steal_index (run->completed, run->completed->len - 1);
      const PaActionInfo *info;
      const PaActionInfo *comp;
      const char *comp_name;
      g_autoptr(JsonNode) args = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PaActionContext) context = NULL;
      g_autofree char *undo_key = NULL;
      CompCall *call;

      if (step->compensated)
        continue;
      info = pa_action_registry_lookup (run->engine->registry, step->def->uses);
      comp_name = step->def->compensate_uses;
      if (comp_name == NULL && info != NULL)
        comp_name = info->compensation;
      if (comp_name == NULL)
        continue;
      comp = pa_action_registry_lookup (run->engine->registry, comp_name);
      if (comp == NULL)
        {
          g_warning ("Run %s: no action %s to compensate step %s", run->id, comp_name, step->def->id);
          continue;
        }

      if (step->def->compensate_uses != NULL && step->def->compensate_with != NULL)
        args = pa_template_resolve (step->def->compensate_with, run->inputs, run->outputs, &error);
      else
        {
          JsonNode *output = g_hash_table_lookup (run->outputs, step->def->id);

          args = output != NULL && JSON_NODE_HOLDS_OBJECT (output)
                 ? json_node_copy (output) : NULL;
          if (args == NULL)
            {
              args = json_node_new (JSON_NODE_OBJECT);
              json_node_take_object (args, json_object_new ());
            }
        }
      if (args == NULL || !JSON_NODE_HOLDS_OBJECT (args)
          || !check_resolved_args (run, step, comp, json_node_get_object (args), TRUE, &error))
        {
          g_autofree char *message = g_strdup (error != NULL ? error->message
                                                            : _("Its arguments are not an object."));

          /* Journaled, so `show` says why the step was left as it was. */
          pa_engine_journal (run, step->def->id, PA_EVENT_STEP_COMPENSATION_FAILED, step->attempts,
                             pa_engine_object_with_string ("error", message));
          g_warning ("Run %s: cannot compensate step %s: %s", run->id, step->def->id, message);
          step->compensated = TRUE;
          continue;
        }

      pa_engine_journal (run, step->def->id, PA_EVENT_STEP_COMPENSATING, step->attempts, NULL);
      if (comp->platform != NULL || !comp->idempotent)
        pa_engine_flush (run->engine);
      pa_engine_step_changed (step, "compensating");
      step->compensated = TRUE;
      context = pa_action_context_new (run->engine->store, run->engine->http,
                                       run->id, step->def->id, step->attempts);
      pa_action_context_set_file_policy (context, run->file_policy);
      undo_key = g_strdup_printf ("%s/undo", pa_action_context_get_idempotency_key (context));
      pa_action_context_set_idempotency_key (context, undo_key);
      pa_action_context_set_action (context, comp->name);
      call = g_new0 (CompCall, 1);
      call->run = pa_engine_run_ref (run);
      call->step = step;
      call->info = comp;
      comp->run (context, json_node_get_object (args), NULL, compensation_done_cb, call);
      return;
    }
  run_end_failed (run);
}

/* A step failed for good: stop scheduling, let what runs end, undo. */
static void
run_fail (Run        *run,
          Step       *step,
          const char *message)
{
  if (run->failing)
    return;
  run->failing = TRUE;
  run->failure = g_strdup_printf (_("step %s failed: %s"), step->def->id, message);
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *other = g_ptr_array_index (run->steps, i);

      g_clear_handle_id (&other->delay_id, g_source_remove);
      if (other->status == STEP_DELAYED)
        other->status = STEP_PENDING;
      if (other->status == STEP_RUNNING)
        g_cancellable_cancel (other->cancellable);
    }
}

void
pa_engine_run_maybe_compensate (Run *run)
{
  if (run->failing && !run->compensating && run->n_running == 0 && !run->done)
    {
      run->compensating = TRUE;
      pa_engine_run_compensate_next (run);
    }
}

/* ---- steps -------------------------------------------------------------- */

static gboolean
step_delay_done_cb (gpointer user_data)
{
  Step *step = user_data;

  step->delay_id = 0;
  step->status = STEP_PENDING;
  pa_engine_schedule_pump (step->run->engine);
  return G_SOURCE_REMOVE;
}

static void
step_delay (Step  *step,
            guint  ms)
{
  step->status = STEP_DELAYED;
  g_clear_handle_id (&step->delay_id, g_source_remove);
  step->delay_id = g_timeout_add (ms, step_delay_done_cb, step);
}

static gboolean
step_timeout_cb (gpointer user_data)
{
  Step *step = user_data;

  step->timeout_id = 0;
  step->timed_out = TRUE;
  g_cancellable_cancel (step->cancellable);
  return G_SOURCE_REMOVE;
}

static gboolean
checkpoint_cb (PaActionContext  *context,
               JsonObject       *state,
               gpointer          user_data,
               GError          **error)
{
  Step *step = user_data;
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *payload = json_object_new ();
  g_autoptr(JsonNode) payload_node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, state);
  json_object_set_member (payload, "state", json_node_copy (node));
  json_node_take_object (payload_node, payload);
  if (step->run->engine == NULL)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_CANCELLED, _("The run was stopped."));
      return FALSE;
    }
  if (pa_journal_append (step->run->engine->journal, step->run->id, step->def->id,
                         PA_EVENT_STEP_CHECKPOINT, step->attempts, payload_node, 0, error) == 0)
    return FALSE;
  g_clear_pointer (&step->state, json_object_unref);
  step->state = json_object_ref (state);
  return TRUE;
}

static void
step_succeeded (Step     *step,
                JsonNode *output)
{
  Run *run = step->run;
  JsonObject *payload = json_object_new ();

  step->status = STEP_SUCCEEDED;
  json_object_set_member (payload, "output", json_node_copy (output));
  pa_engine_journal (run, step->def->id, PA_EVENT_STEP_SUCCEEDED, step->attempts, payload);
  g_hash_table_insert (run->outputs, step->def->id, json_node_copy (output));
  g_ptr_array_add (run->completed, step);
  pa_engine_step_flush_if_unrepeatable (step);
  pa_engine_step_changed (step, "succeeded");
}

static void
step_failed_for_good (Step       *step,
                      const char *message)
{
  JsonObject *payload = pa_engine_object_with_string ("error", message);

  step->status = STEP_FAILED;
  json_object_set_boolean_member (payload, "will_retry", FALSE);
  pa_engine_journal (step->run, step->def->id, PA_EVENT_STEP_FAILED, step->attempts, payload);
  pa_engine_step_flush_if_unrepeatable (step);
  pa_engine_step_changed (step, "failed");
  run_fail (step->run, step, message);
}

/* ---- why a step failed, and what follows ---------------------------------
 *
 * Only "nothing was sent" (PA_ERROR_UNAVAILABLE, or a breaker that is
 * open) is offline for every step: it waits for the network without
 * spending an attempt. A request that went out and got no answer (a lost
 * connection, a timeout) may have been carried out: that is offline only
 * for a step that may be sent twice. A server error (5xx) is an ordinary
 * retry that spends an attempt, again only for such a step. A step whose
 * action is not idempotent is sent again only when the user said so for
 * that run (PaRunOptions.retry_unsafe: `workflow run --retry-unsafe
 * STEP`); a workflow file cannot say it, since files are shared and the
 * second request may charge, publish or trigger twice. TLS failures and
 * keys that would go in clear (PA_ERROR_INSECURE) never get better by
 * trying again. */

static gboolean
step_may_repeat (Step               *step,
                 const PaActionInfo *info)
{
  Run *run = step->run;

  if (info == NULL || info->idempotent)
    return TRUE;
  return run->retry_unsafe != NULL
         && g_strv_contains ((const char * const *) run->retry_unsafe, step->def->id);
}

static char *
describe_unrepeatable (Step         *step,
                       const GError *error)
{
  return g_strdup_printf (_("%s The request may have been carried out: %s is not sent twice "
                            "by itself. Check on the platform whether it was; to send it "
                            "again, run the workflow again, with --retry-unsafe %s to let "
                            "this step be retried."),
                          error->message, step->def->uses, step->def->id);
}

/* The run has waited for the network for longer than it may. */
static gboolean
run_wait_is_over (Run *run)
{
  gint64 now = pa_engine_now (run->engine);

  return run->waiting && now - run->waiting_since_us >= run->network_wait_s * G_USEC_PER_SEC;
}

static void
step_wait_for_network (Step       *step,
                       const char *message)
{
  Run *run = step->run;
  PaEngine *engine = run->engine;
  gboolean starts_waiting = !run->waiting;
  JsonObject *payload;
  gint64 left_us;

  if (starts_waiting)
    {
      run->waiting = TRUE;
      run->waiting_since_us = pa_engine_now (engine);
    }
  if (run_wait_is_over (run))
    {
      g_autofree char *wait = g_strdup_printf ("%" G_GINT64_FORMAT, run->network_wait_s);
      g_autofree char *final =
        g_strdup_printf (_("The network did not come back within %s seconds (the run's "
                           "--network-wait); the last attempt failed: %s"), wait, message);

      step_failed_for_good (step, final);
      return;
    }

  payload = pa_engine_object_with_string ("error", message);
  json_object_set_boolean_member (payload, "will_retry", TRUE);
  pa_engine_journal (run, step->def->id, PA_EVENT_STEP_FAILED, step->attempts, payload);
  if (starts_waiting)
    {
      payload = pa_engine_object_with_string ("reason", message);
      /* The deadline counts from here, across restarts. */
      json_object_set_int_member (payload, "since_us", run->waiting_since_us);
      pa_engine_journal (run, NULL, PA_EVENT_RUN_WAITING, 0, payload);
    }
  /* Being offline is not the step's fault: it keeps its attempt. */
  step->attempts--;
  pa_engine_step_changed (step, "waiting");
  /* Not past the deadline: the run fails when it is due, not up to an
   * interval later. */
  left_us = run->waiting_since_us + run->network_wait_s * G_USEC_PER_SEC
            - pa_engine_now (engine);
  step_delay (step, (guint) CLAMP (left_us / 1000, 1, (gint64) engine->offline_interval_ms));
}

static void
step_retry_later (Step       *step,
                  const char *message)
{
  JsonObject *payload = pa_engine_object_with_string ("error", message);
  double delay_s = step->def->backoff_s;

  /* backoff_s · 2^(attempt-1), without libm; the cap below ends it. */
  for (int i = 1; i < step->attempts && delay_s < 3600.0; i++)
    delay_s *= 2;

  json_object_set_boolean_member (payload, "will_retry", TRUE);
  pa_engine_journal (step->run, step->def->id, PA_EVENT_STEP_FAILED, step->attempts, payload);
  pa_engine_step_changed (step, "retrying");
  step_delay (step, (guint) MIN (delay_s * 1000.0, 3600.0 * 1000.0));
}

static void
step_failed (Step               *step,
             const PaActionInfo *info,
             const GError       *error)
{
  Run *run = step->run;
  gboolean may_repeat = step_may_repeat (step, info);
  gboolean lost = g_error_matches (error, PA_ERROR, PA_ERROR_CONNECTION_LOST)
                  || g_error_matches (error, PA_ERROR, PA_ERROR_TIMEOUT);
  gboolean attempts_left = step->attempts < step->def->max_attempts;

  if (run->failing)
    step_failed_for_good (step, error->message);
  else if (g_error_matches (error, PA_ERROR, PA_ERROR_UNAVAILABLE)
           || g_error_matches (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN)
           || (lost && may_repeat && !step->timed_out))
    step_wait_for_network (step, error->message);
  else if (g_error_matches (error, PA_ERROR, PA_ERROR_INSECURE))
    step_failed_for_good (step, error->message);
  else if ((lost || g_error_matches (error, PA_ERROR, PA_ERROR_SERVER)) && !may_repeat)
    {
      g_autofree char *message = describe_unrepeatable (step, error);

      step_failed_for_good (step, message);
    }
  else if (attempts_left)
    step_retry_later (step, error->message);
  else
    step_failed_for_good (step, error->message);
}

static void
step_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Step *step = user_data;
  Run *run = step->run;
  PaEngine *engine = run->engine;
  const PaActionInfo *info;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;

  if (engine == NULL)
    {
      /* The engine is gone; the step resumes from the journal later. */
      pa_engine_run_unref (run);
      return;
    }

  info = pa_action_registry_lookup (engine->registry, step->def->uses);
  output = info->finish (result, &error);
  g_clear_handle_id (&step->timeout_id, g_source_remove);
  engine->n_running--;
  run->n_running--;
  step->status = STEP_PENDING;

  if (run->done)
    {
      /* Cancelled: the run has already ended. */
      if (run->n_running == 0)
        g_hash_table_remove (engine->runs, run->id);
    }
  else if (output != NULL && !step->timed_out
           && pa_template_node_size (output, PA_LIMIT_STEP_OUTPUT_BYTES) > PA_LIMIT_STEP_OUTPUT_BYTES)
    {
      g_autofree char *limit = g_format_size (PA_LIMIT_STEP_OUTPUT_BYTES);
      g_autofree char *message =
        g_strdup_printf (_("Its output is larger than %s (PA_LIMIT_STEP_OUTPUT_BYTES), too much "
                           "to hand to later steps."), limit);

      /* Running it again would give the same. */
      step_failed_for_good (step, message);
    }
  else if (output != NULL && !step->timed_out)
    {
      if (run->waiting)
        {
          run->waiting = FALSE;
          run->waiting_since_us = 0;
          pa_engine_journal (run, NULL, PA_EVENT_RUN_STARTED, 0, NULL);
        }
      step_succeeded (step, output);
    }
  else
    {
      if (step->timed_out || error == NULL)
        {
          g_clear_error (&error);
          g_set_error (&error, PA_ERROR, PA_ERROR_TIMEOUT,
                       _("The step did not finish within %g seconds."), step->def->timeout_s);
        }
      step_failed (step, info, error);
    }

  /* What an unrepeatable step did must not be done again on resume. */
  if (info != NULL && !info->idempotent)
    pa_engine_flush (engine);
  g_clear_object (&step->cancellable);
  pa_engine_run_maybe_compensate (run);
  pa_engine_schedule_pump (engine);
  pa_engine_run_unref (run);
}

gboolean
pa_engine_step_is_ready (Step *step)
{
  Run *run = step->run;

  if (step->status != STEP_PENDING)
    return FALSE;
  for (guint i = 0; step->def->needs[i] != NULL; i++)
    {
      Step *need = pa_engine_run_lookup_step (run, step->def->needs[i]);

      if (need == NULL || need->status != STEP_SUCCEEDED)
        return FALSE;
    }
  return TRUE;
}

void
pa_engine_step_start (Step *step)
{
  Run *run = step->run;
  PaEngine *engine = run->engine;
  const PaActionInfo *info = pa_action_registry_lookup (engine->registry, step->def->uses);
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(JsonNode) args = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *payload;

  step->attempts++;
  payload = pa_engine_object_with_string ("idempotency_key", "");
  context = pa_action_context_new (engine->store, engine->http, run->id, step->def->id,
                                   step->attempts);
  pa_action_context_set_action (context, step->def->uses);
  pa_action_context_set_file_policy (context, run->file_policy);
  json_object_set_string_member (payload, "idempotency_key",
                                 pa_action_context_get_idempotency_key (context));
  pa_engine_journal (run, step->def->id, PA_EVENT_STEP_STARTED, step->attempts, payload);
  pa_engine_step_changed (step, "running");
  /* A handler may have cancelled the run. */
  if (run->done)
    return;

  if (info == NULL)
    {
      g_autofree char *message = g_strdup_printf (_("There is no action named %s."), step->def->uses);

      step_failed_for_good (step, message);
      pa_engine_run_maybe_compensate (run);
      return;
    }
  args = pa_template_resolve (step->def->with, run->inputs, run->outputs, &error);
  if (args == NULL || !JSON_NODE_HOLDS_OBJECT (args))
    {
      step_failed_for_good (step, error != NULL ? error->message : _("Its arguments are not an object."));
      pa_engine_run_maybe_compensate (run);
      return;
    }
  /* Validation saw the templates, not what they became: a whole-value
   * expression may have brought in a value of the wrong type. */
  if (!check_resolved_args (run, step, info, json_node_get_object (args), FALSE, &error))
    {
      step_failed_for_good (step, error->message);
      pa_engine_run_maybe_compensate (run);
      return;
    }

  pa_action_context_set_checkpoint_func (context, checkpoint_cb, step);
  if (step->state != NULL)
    pa_action_context_set_state (context, step->state);
  step->status = STEP_RUNNING;
  step->timed_out = FALSE;
  step->cancellable = g_cancellable_new ();
  if (step->def->timeout_s > 0)
    step->timeout_id = g_timeout_add ((guint) MIN (step->def->timeout_s * 1000.0, G_MAXINT),
                                      step_timeout_cb, step);
  engine->n_running++;
  run->n_running++;
  pa_engine_run_ref (run);
  /* Nothing leaves this process before the journal knows of it. */
  if (info->platform != NULL || !info->idempotent)
    pa_engine_flush (engine);
  info->run (context, json_node_get_object (args), step->cancellable, step_done_cb, step);
}
