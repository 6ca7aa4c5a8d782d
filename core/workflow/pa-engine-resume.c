/* pa-engine-resume.c — carrying unfinished runs on from their journal
 *
 * Each unfinished run is rebuilt from its journaled events: finished
 * steps keep their outputs and never run again, a step that was running
 * starts again (with its idempotency key, or its journaled progress), and
 * a run that was waiting for the network keeps the time it began waiting.
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
#include "pa-engine.h"
#include "pa-engine-private.h"

/* Applies one journaled event of a run being resumed to its state. */
static void
resume_event_cb (const PaEventRecord *event,
                 gpointer             user_data)
{
  Run *run = user_data;
  g_autoptr(JsonNode) payload = NULL;
  JsonObject *object;
  const char *kind = event->kind;
  Step *step;

  if (kind == NULL)
    return;
  payload = event->payload_json != NULL
            ? pa_json_parse_bounded (event->payload_json, -1, G_MAXSIZE, PA_ERROR_STORAGE,
                                     _("A journaled event"), NULL)
            : NULL;
  object = payload != NULL && JSON_NODE_HOLDS_OBJECT (payload) ? json_node_get_object (payload) : NULL;

  /* Of the run's own events, the grants and the network wait matter. */
  if (event->step_id == NULL)
    {
      if (strcmp (kind, PA_EVENT_RUN_CREATED) == 0 && object != NULL
          && json_object_has_member (object, "options")
          && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "options")))
        pa_engine_run_apply_options (run, json_object_get_object_member (object, "options"));
      else if (strcmp (kind, PA_EVENT_RUN_WAITING) == 0)
        run->waiting_since_us = object != NULL && json_object_has_member (object, "since_us")
                                ? json_object_get_int_member (object, "since_us")
                                : event->at * 1000;
      else if (strcmp (kind, PA_EVENT_RUN_STARTED) == 0)
        run->waiting_since_us = 0;
      return;
    }
  step = pa_engine_run_lookup_step (run, event->step_id);
  if (step == NULL)
    return;

  if (strcmp (kind, PA_EVENT_STEP_STARTED) == 0)
    {
      step->attempts = event->attempt;
      step->status = STEP_PENDING;
      step->interrupted = TRUE;
    }
  else if (strcmp (kind, PA_EVENT_STEP_SUCCEEDED) == 0 && object != NULL)
    {
      JsonNode *output = json_object_get_member (object, "output");

      step->status = STEP_SUCCEEDED;
      step->interrupted = FALSE;
      g_hash_table_insert (run->outputs, step->def->id,
                           output != NULL ? json_node_copy (output) : json_node_new (JSON_NODE_NULL));
      g_ptr_array_add (run->completed, step);
    }
  else if (strcmp (kind, PA_EVENT_STEP_FAILED) == 0 && object != NULL
           && !json_object_get_boolean_member_with_default (object, "will_retry", FALSE))
    {
      step->status = STEP_FAILED;
      step->interrupted = FALSE;
      if (!run->failing)
        {
          run->failing = TRUE;
          run->failure = g_strdup_printf (_("step %s failed: %s"), step->def->id,
                                          json_object_get_string_member_with_default (object, "error", ""));
        }
    }
  else if (strcmp (kind, PA_EVENT_STEP_FAILED) == 0)
    step->interrupted = FALSE;
  /* An undo that was under way when the process ended runs again
   * (with the same idempotency key); one that ended does not. */
  else if (strcmp (kind, PA_EVENT_STEP_COMPENSATED) == 0
           || strcmp (kind, PA_EVENT_STEP_COMPENSATION_FAILED) == 0)
    step->compensated = TRUE;
  else if (strcmp (kind, PA_EVENT_STEP_CHECKPOINT) == 0 && object != NULL
           && json_object_has_member (object, "state")
           && JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "state")))
    {
      g_clear_pointer (&step->state, json_object_unref);
      step->state = json_object_ref (json_object_get_object_member (object, "state"));
    }
}

/* Rebuilds one run's state from its events. */
static gboolean
resume_run (PaEngine           *self,
            const PaRunRecord  *record,
            GError            **error)
{
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(JsonNode) inputs = NULL;
  Run *run;

  workflow = pa_workflow_new_from_data (record->definition_json != NULL
                                        ? record->definition_json : "null",
                                        -1, self->registry, error);
  if (workflow == NULL)
    {
      g_prefix_error (error, _("Run %s cannot resume: "), record->id);
      return FALSE;
    }
  inputs = pa_json_parse_bounded (record->inputs_json != NULL ? record->inputs_json : "{}", -1,
                                  G_MAXSIZE, PA_ERROR_INVALID_INPUT, _("The run's inputs"),
                                  error);
  if (inputs == NULL)
    return FALSE;
  run = pa_engine_run_new (self, record->id, workflow,
                           JSON_NODE_HOLDS_OBJECT (inputs) ? json_node_get_object (inputs) : NULL);

  if (!pa_store_foreach_run_event (self->store, record->id, resume_event_cb, run, error))
    {
      pa_engine_run_unref (run);
      return FALSE;
    }
  /* A step that was running when the process ended runs again as the
   * same attempt: the crash was not its failure. */
  for (guint i = 0; i < run->steps->len; i++)
    {
      Step *step = g_ptr_array_index (run->steps, i);

      if (step->status == STEP_PENDING && step->interrupted && step->attempts > 0)
        step->attempts--;
    }
  run->waiting = g_strcmp0 (record->status, "waiting") == 0;
  g_hash_table_insert (self->runs, run->id, run);
  if (g_strcmp0 (record->status, "pending") == 0)
    pa_engine_journal (run, NULL, PA_EVENT_RUN_STARTED, 0, NULL);
  return TRUE;
}

gboolean
pa_engine_resume_all (PaEngine  *self,
                      GError   **error)
{
  g_autoptr(GPtrArray) runs = NULL;

  g_return_val_if_fail (PA_IS_ENGINE (self), FALSE);

  runs = pa_store_list_unfinished_runs (self->store, error);
  if (runs == NULL)
    return FALSE;

  for (guint i = 0; i < runs->len; i++)
    {
      const PaRunRecord *record = g_ptr_array_index (runs, i);

      if (g_hash_table_contains (self->runs, record->id))
        continue;
      if (!resume_run (self, record, error))
        return FALSE;
    }
  pa_engine_schedule_pump (self);
  return TRUE;
}
