/* pa-actions-replicate.c — a Replicate prediction as a durable workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-replicate.h"
#include "pa-actions-private.h"

/* Replicate takes no idempotency key, so the prediction id is journaled
 * (checkpointed) before waiting: a resumed step polls that prediction
 * instead of creating — and paying for — another one. */

#define STATE_PREDICTION_ID "prediction_id"

static JsonNode *
prediction_output (const PaReplicatePrediction *prediction)
{
  JsonObject *output = json_object_new ();
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  if (prediction->id != NULL)
    json_object_set_string_member (output, "id", prediction->id);
  else
    json_object_set_null_member (output, "id");
  json_object_set_string_member (output, "status",
                                 prediction->status_text != NULL
                                   ? prediction->status_text
                                   : pa_replicate_status_to_string (prediction->status));
  json_object_set_member (output, "output",
                          prediction->output != NULL ? json_node_copy (prediction->output)
                                                     : json_node_new (JSON_NODE_NULL));
  json_node_take_object (node, output);
  return node;
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;

  prediction = pa_replicate_wait_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, prediction_output (prediction), (GDestroyNotify) json_node_unref);
}

static void
wait_for (GTask                       *task,
          PaReplicate                 *replicate,
          const PaReplicatePrediction *prediction)
{
  pa_replicate_wait_async (replicate, prediction, NULL, NULL, NULL,
                           g_task_get_cancellable (task), waited_cb, g_object_ref (task));
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaActionContext *context = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;

  prediction = pa_replicate_create_prediction_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A Cog server answers with the finished prediction and no id:
   * there is nothing to come back to. */
  if (prediction->id != NULL)
    {
      g_autoptr(JsonObject) state = json_object_new ();

      json_object_set_string_member (state, STATE_PREDICTION_ID, prediction->id);
      if (!pa_action_context_checkpoint (context, state, &error))
        {
          g_prefix_error (&error, _("Prediction %s was started but could not be recorded: "),
                          prediction->id);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  wait_for (task, PA_REPLICATE (source), prediction);
}

static void
predict_run (PaActionContext     *context,
             JsonObject          *args,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  PaPlatform *platform = pa_action_context_get_platform (context, "replicate", &error);
  JsonObject *state = pa_action_context_get_state (context);
  const char *prediction_id = NULL;
  PaReplicateCreateOptions options = { 0 };
  gint64 wait_s = pa_actions_get_int (args, "wait_s", 0);

  g_task_set_source_tag (task, predict_run);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, pa_action_context_ref (context),
                        (GDestroyNotify) pa_action_context_unref);
  if (platform == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (state != NULL && json_object_has_member (state, STATE_PREDICTION_ID))
    prediction_id = json_object_get_string_member (state, STATE_PREDICTION_ID);
  if (prediction_id != NULL)
    {
      g_autoptr(PaReplicatePrediction) prediction = pa_replicate_prediction_new (prediction_id);

      wait_for (task, PA_REPLICATE (platform), prediction);
      return;
    }

  if (wait_s < 0 || wait_s > 60)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("replicate.predict: wait_s must be between 0 and 60, not %"
                                 G_GINT64_FORMAT "."), wait_s);
      return;
    }
  options.wait_s = (int) wait_s;

  pa_replicate_create_prediction_async (PA_REPLICATE (platform),
                                        pa_actions_get_string (args, "model", NULL),
                                        pa_actions_get_string (args, "version", NULL),
                                        json_object_get_member (args, "input"),
                                        &options, cancellable, created_cb, g_object_ref (task));
}

static const PaActionArg predict_args[] = {
  { "model", PA_ARG_STRING, FALSE, "an official model, owner/name" },
  { "version", PA_ARG_STRING, FALSE, "a model version, owner/name:id or a bare id" },
  { "input", PA_ARG_OBJECT, TRUE, "the model's inputs" },
  { "wait_s", PA_ARG_INTEGER, FALSE, "hold the create request open up to this long (0–60)" },
  { NULL }
};

/* Idempotent thanks to the checkpointed prediction id (see above). */
static const PaActionInfo predict_info = {
  .name = "replicate.predict",
  .platform = "replicate",
  .summary = "Runs a Replicate model and outputs its prediction",
  .args = predict_args,
  .idempotent = TRUE,
  .run = predict_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_replicate (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &predict_info);
}
