/* pa-actions-n8n.c — calling an n8n webhook as a workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-n8n.h"
#include "pa-actions-private.h"

static void
triggered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  JsonNode *response = pa_n8n_trigger_webhook_finish (PA_N8N (source), result, &error);
  JsonObject *output;

  if (response == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = json_object_new ();
  json_object_set_member (output, "response", response);
  pa_actions_return_object (task, output);
}

static void
webhook_run (PaActionContext     *context,
             JsonObject          *args,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  PaPlatform *platform = pa_action_context_get_platform (context, "n8n", &error);

  g_task_set_source_tag (task, webhook_run);

  g_task_set_check_cancellable (task, FALSE);
  if (platform == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pa_n8n_trigger_webhook_async (PA_N8N (platform), pa_actions_get_string (args, "path", NULL),
                                json_object_get_member (args, "body"), NULL, NULL,
                                cancellable, triggered_cb, g_object_ref (task));
}

static const PaActionArg webhook_args[] = {
  { "path", PA_ARG_STRING, TRUE, "the webhook's path on the n8n instance" },
  { "body", PA_ARG_ANY, FALSE, "the JSON to send; {} when absent" },
  { NULL }
};

/* Not idempotent: an n8n webhook starts a new execution every time. */
static const PaActionInfo webhook_info = {
  .name = "n8n.webhook",
  .platform = "n8n",
  .summary = "Calls an n8n workflow's webhook and outputs its answer",
  .args = webhook_args,
  .idempotent = FALSE,
  .run = webhook_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_n8n (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &webhook_info);
}
