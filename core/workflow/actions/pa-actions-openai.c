/* pa-actions-openai.c — an OpenAI chat completion as a workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-openai.h"
#include "pa-actions-private.h"

static void
chat_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaOpenaiChatResult) chat = pa_openai_chat_finish (PA_OPENAI (source), result, &error);
  JsonObject *output;

  if (chat == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = json_object_new ();
  json_object_set_string_member (output, "text", chat->text);
  if (chat->finish_reason != NULL)
    json_object_set_string_member (output, "finish_reason", chat->finish_reason);
  else
    json_object_set_null_member (output, "finish_reason");
  pa_actions_return_object (task, output);
}

static void
chat_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonArray) messages = json_array_new ();
  PaPlatform *platform = pa_action_context_get_platform (context, "openai", &error);
  const char *system = pa_actions_get_string (args, "system", NULL);
  gint64 max_tokens = pa_actions_get_int (args, "max_tokens", 0);

  g_task_set_source_tag (task, chat_run);

  g_task_set_check_cancellable (task, FALSE);
  if (platform == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (max_tokens < 0 || max_tokens > G_MAXUINT32)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("openai.chat: max_tokens must be a positive number."));
      return;
    }

  if (system != NULL)
    pa_openai_messages_add (messages, "system", system);
  pa_openai_messages_add (messages, "user", pa_actions_get_string (args, "prompt", ""));

  pa_openai_chat_async (PA_OPENAI (platform), pa_actions_get_string (args, "model", NULL),
                        messages, pa_actions_get_double (args, "temperature", -1),
                        (guint) max_tokens, cancellable, chat_done_cb, g_object_ref (task));
}

static const PaActionArg chat_args[] = {
  { "model", PA_ARG_STRING, TRUE, "the model, e.g. gpt-4o-mini" },
  { "prompt", PA_ARG_STRING, TRUE, "the user message" },
  { "system", PA_ARG_STRING, FALSE, "the system message" },
  { "temperature", PA_ARG_NUMBER, FALSE, "sampling temperature; the server's default when absent" },
  { "max_tokens", PA_ARG_INTEGER, FALSE, "the longest answer, in tokens" },
  { NULL }
};

/* Not idempotent: OpenAI takes no idempotency key, and although a second
 * completion has no effect outside, it is billed and may answer
 * differently, so the engine must not re-run it silently after a crash. */
static const PaActionInfo chat_info = {
  .name = "openai.chat",
  .platform = "openai",
  .summary = "Asks an OpenAI chat model and outputs its answer",
  .args = chat_args,
  .idempotent = FALSE,
  .run = chat_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_openai (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &chat_info);
}
