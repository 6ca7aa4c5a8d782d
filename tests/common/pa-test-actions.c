/* pa-test-actions.c — actions only tests register
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-error.h"
#include "pa-test-actions.h"

static void
fail_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  JsonNode *message = json_object_get_member (args, "message");

  g_task_set_source_tag (task, fail_run);
  /* As the built-in actions do: the engine recognises PA_ERROR_CANCELLED
   * only, so GIO's own cancellation must not take over. */
  g_task_set_check_cancellable (task, FALSE);
  if (message != NULL && JSON_NODE_HOLDS_VALUE (message) &&
      json_node_get_value_type (message) == G_TYPE_STRING)
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED, "%s",
                             json_node_get_string (message));
  else
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                             "The step failed on purpose (local.fail).");
}

static JsonNode *
fail_finish (GAsyncResult  *result,
             GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const PaActionArg fail_args[] = {
  { "message", PA_ARG_STRING, FALSE, "the error message" },
  { NULL }
};

static const PaActionInfo fail_info = {
  .name = "local.fail",
  .platform = NULL,
  .summary = "Fails on purpose, for tests",
  .args = fail_args,
  .idempotent = TRUE,
  .run = fail_run,
  .finish = fail_finish,
};

void
pa_test_register_fail_action (PaActionRegistry *registry)
{
  g_return_if_fail (PA_IS_ACTION_REGISTRY (registry));

  pa_action_registry_add (registry, &fail_info);
}
