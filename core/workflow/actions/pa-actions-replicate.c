/* pa-actions-replicate.c — a Replicate prediction as a durable workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-store.h"
#include "pa-replicate.h"
#include "pa-actions-private.h"

/* Replicate takes no idempotency key, so the prediction id is journaled
 * (checkpointed) before waiting: a resumed step polls that prediction
 * instead of creating — and paying for — another one.
 *
 * That leaves the moment between Replicate's answer and the checkpoint.
 * So the step first journals that it is about to create one; a step that
 * resumes with that mark but no id looks for the prediction in
 * Replicate's list (same version and input, created since the mark, not
 * claimed by another step) and adopts it, and creates only when there is
 * none. */

#define STATE_PREDICTION_ID  "prediction_id"
#define STATE_CREATING_SINCE "creating_since"   /* unix µs, before the create was sent */

/* How far Replicate's clock may be behind ours. */
#define CLOCK_SKEW_S 300
/* A crashed create is found on the first page; more is a busy account. */
#define MAX_LIST_PAGES 3

static JsonObject *
prediction_output (const PaReplicatePrediction *prediction)
{
  JsonObject *output = json_object_new ();

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
  return output;
}

typedef struct {
  PaActionContext *context;
  JsonObject      *args;
} PredictData;

static void
predict_data_free (PredictData *data)
{
  pa_action_context_unref (data->context);
  json_object_unref (data->args);
  g_free (data);
}

static PaReplicate *
task_replicate (GTask *task)
{
  PredictData *data = g_task_get_task_data (task);

  return PA_REPLICATE (pa_action_context_get_platform (data->context, "replicate", NULL));
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
    pa_actions_return_object (task, prediction_output (prediction));
}

static void
wait_for (GTask                       *task,
          const PaReplicatePrediction *prediction)
{
  pa_replicate_wait_async (task_replicate (task), prediction, NULL, NULL, NULL,
                           g_task_get_cancellable (task), waited_cb, g_object_ref (task));
}

/* Journals @prediction's id, then waits for it. */
static void
record_and_wait (GTask                       *task,
                 const PaReplicatePrediction *prediction)
{
  PredictData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  /* A Cog server answers with the finished prediction and no id:
   * there is nothing to come back to. */
  if (prediction->id != NULL)
    {
      g_autoptr(JsonObject) state = json_object_new ();
      JsonObject *old = pa_action_context_get_state (data->context);

      if (old != NULL && json_object_has_member (old, STATE_CREATING_SINCE))
        json_object_set_int_member (state, STATE_CREATING_SINCE,
                                    json_object_get_int_member (old, STATE_CREATING_SINCE));
      json_object_set_string_member (state, STATE_PREDICTION_ID, prediction->id);
      if (!pa_action_context_checkpoint (data->context, state, &error))
        {
          g_prefix_error (&error, _("Prediction %s was started but could not be recorded: "),
                          prediction->id);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  wait_for (task, prediction);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;

  prediction = pa_replicate_create_prediction_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    record_and_wait (task, prediction);
}

static void
create (GTask *task)
{
  PredictData *data = g_task_get_task_data (task);
  PaReplicateCreateOptions options = { 0 };

  options.wait_s = (int) pa_actions_get_int (data->args, "wait_s", 0);
  pa_replicate_create_prediction_async (task_replicate (task),
                                        pa_actions_get_string (data->args, "model", NULL),
                                        pa_actions_get_string (data->args, "version", NULL),
                                        json_object_get_member (data->args, "input"),
                                        &options, g_task_get_cancellable (task),
                                        created_cb, g_object_ref (task));
}

/* Whether another step (of any run) has journaled @id as its own. */
static gboolean
is_claimed (PaActionContext *context,
            const char      *id)
{
  PaStore *store = pa_action_context_get_store (context);

  if (store == NULL)
    return FALSE;
  /* The kind is the engine's PA_EVENT_STEP_CHECKPOINT. Unreadable: not
   * knowing is not a reason to start a second one. */
  return pa_store_has_event (store, "step.checkpoint",
                             "$.state." STATE_PREDICTION_ID, id, NULL);
}

/* "owner/name:id" and a bare id both name the version id. */
static const char *
version_id (const char *version)
{
  const char *colon = version != NULL ? strrchr (version, ':') : NULL;

  return colon != NULL ? colon + 1 : version;
}

static gboolean
is_our_prediction (PredictData                 *data,
                   const PaReplicatePrediction *prediction)
{
  const char *version = pa_actions_get_string (data->args, "version", NULL);
  const char *model = pa_actions_get_string (data->args, "model", NULL);
  JsonNode *input = json_object_get_member (data->args, "input");
  JsonNode *their_input;

  if (prediction->id == NULL || prediction->json == NULL
      || !JSON_NODE_HOLDS_OBJECT (prediction->json))
    return FALSE;
  if (version != NULL && prediction->version != NULL
      && g_strcmp0 (version_id (version), version_id (prediction->version)) != 0)
    return FALSE;
  if (version == NULL && model != NULL && prediction->model != NULL
      && g_strcmp0 (model, prediction->model) != 0)
    return FALSE;
  their_input = json_object_get_member (json_node_get_object (prediction->json), "input");
  if (input == NULL || their_input == NULL || !json_node_equal (input, their_input))
    return FALSE;
  return !is_claimed (data->context, prediction->id);
}

static void
listed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PredictData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) predictions = NULL;

  predictions = pa_replicate_list_predictions_finish (PA_REPLICATE (source), result, &error);
  /* The probe behind the list found a Cog server, which keeps no list
   * and answers each prediction at once: nothing can be left running. */
  if (predictions == NULL && pa_replicate_get_mode (PA_REPLICATE (source)) == PA_REPLICATE_MODE_COG)
    {
      create (task);
      return;
    }
  if (predictions == NULL)
    {
      /* Creating blind could start a second one: wait until we know. */
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* Newest first; the first one made is the one to keep. */
  for (guint i = predictions->len; i > 0; i--)
    {
      const PaReplicatePrediction *prediction = g_ptr_array_index (predictions, i - 1);

      if (is_our_prediction (data, prediction))
        {
          g_debug ("Run %s, step %s: adopting prediction %s started before a restart",
                   pa_action_context_get_run_id (data->context),
                   pa_action_context_get_step_id (data->context), prediction->id);
          record_and_wait (task, prediction);
          return;
        }
    }
  create (task);
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
  PredictData *data;
  gint64 wait_s = pa_actions_get_int (args, "wait_s", 0);

  g_task_set_source_tag (task, predict_run);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (PredictData, 1);
  data->context = pa_action_context_ref (context);
  data->args = json_object_ref (args);
  g_task_set_task_data (task, data, (GDestroyNotify) predict_data_free);
  if (platform == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (state != NULL && json_object_has_member (state, STATE_PREDICTION_ID))
    {
      g_autoptr(PaReplicatePrediction) prediction =
        pa_replicate_prediction_new (json_object_get_string_member (state, STATE_PREDICTION_ID));

      wait_for (task, prediction);
      return;
    }

  if (wait_s < 0 || wait_s > 60)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("replicate.predict: wait_s must be between 0 and 60, not %" PRId64 "."), wait_s);
      return;
    }

  if (state != NULL && json_object_has_member (state, STATE_CREATING_SINCE)
      && pa_replicate_get_mode (PA_REPLICATE (platform)) != PA_REPLICATE_MODE_COG)
    {
      gint64 since_us = json_object_get_int_member (state, STATE_CREATING_SINCE);
      g_autoptr(GDateTime) since = g_date_time_new_from_unix_utc (since_us / G_USEC_PER_SEC
                                                                 - CLOCK_SKEW_S);

      pa_replicate_list_predictions_async (PA_REPLICATE (platform), since, MAX_LIST_PAGES,
                                           cancellable, listed_cb, g_object_ref (task));
      return;
    }

  if (state == NULL || !json_object_has_member (state, STATE_CREATING_SINCE))
    {
      g_autoptr(JsonObject) mark = json_object_new ();

      json_object_set_int_member (mark, STATE_CREATING_SINCE, g_get_real_time ());
      if (!pa_action_context_checkpoint (context, mark, &error))
        {
          g_prefix_error (&error, _("The prediction was not started: "));
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }
  create (task);
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
