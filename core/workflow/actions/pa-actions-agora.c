/* pa-actions-agora.c — an Agora RTC token as a workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-agora-token.h"
#include "pa-error.h"
#include "pa-secrets.h"
#include "pa-actions-private.h"

/* The token is signed here, offline, with the app ID and certificate from
 * the keyring: no request leaves the machine. */

#define DEFAULT_EXPIRE_S 3600

typedef struct {
  JsonObject *args;
  char       *app_id;
} TokenData;

static void
token_data_free (TokenData *data)
{
  json_object_unref (data->args);
  pa_secrets_free (data->app_id);
  g_free (data);
}

static void
set_missing (GTask      *task,
             const char *what,
             const char *field)
{
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_AUTH,
                           _("agora.token: the Agora %s is not in the keyring (%s). "
                             "Add it in the Agora account settings."), what, field);
}

static void
got_certificate_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) certificate = NULL;
  g_autoptr(PaAgoraTokenInfo) info = NULL;
  g_autofree char *token = NULL;
  const char *role_name = pa_actions_get_string (data->args, "role", "publisher");
  gint64 uid = pa_actions_get_int (data->args, "uid", 0);
  gint64 expire_s = pa_actions_get_int (data->args, "expire_s", DEFAULT_EXPIRE_S);
  PaAgoraRole role;
  JsonObject *output;

  certificate = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (certificate == NULL)
    {
      set_missing (task, _("app certificate"), "app-certificate");
      return;
    }

  if (g_str_equal (role_name, "publisher"))
    role = PA_AGORA_ROLE_PUBLISHER;
  else if (g_str_equal (role_name, "subscriber"))
    role = PA_AGORA_ROLE_SUBSCRIBER;
  else
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("agora.token: role must be “publisher” or “subscriber”, not “%s”."),
                               role_name);
      return;
    }
  if (uid < 0 || uid > G_MAXUINT32 || expire_s < 1 || expire_s > G_MAXUINT32)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("agora.token: uid and expire_s must be positive 32-bit numbers."));
      return;
    }

  token = pa_agora_build_rtc_token (data->app_id, certificate,
                                    pa_actions_get_string (data->args, "channel", ""),
                                    (guint32) uid, role, (guint32) expire_s, &error);
  if (token != NULL)
    info = pa_agora_token_parse (token, &error);
  if (info == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = json_object_new ();
  json_object_set_string_member (output, "token", token);
  json_object_set_int_member (output, "expires_at", info->expires_at);
  pa_actions_return_object (task, output);
}

static void
got_app_id_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  TokenData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GCancellable *cancellable = g_task_get_cancellable (task);

  data->app_id = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->app_id == NULL)
    {
      set_missing (task, _("app ID"), "app-id");
      return;
    }

  pa_secrets_lookup_async (PA_SECRETS (source), "agora", "default", "app-certificate",
                           cancellable, got_certificate_cb, g_steal_pointer (&task));
}

static void
token_run (PaActionContext     *context,
           JsonObject          *args,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  TokenData *data = g_new0 (TokenData, 1);

  g_task_set_source_tag (task, token_run);

  g_task_set_check_cancellable (task, FALSE);
  data->args = json_object_ref (args);
  g_task_set_task_data (task, data, (GDestroyNotify) token_data_free);

  pa_secrets_lookup_async (pa_action_context_get_secrets (context), "agora", "default",
                           "app-id", cancellable, got_app_id_cb, task);
}

static const PaActionArg token_args[] = {
  { "channel", PA_ARG_STRING, TRUE, "the RTC channel name" },
  { "uid", PA_ARG_INTEGER, FALSE, "the user id; 0 (any) when absent" },
  { "role", PA_ARG_STRING, FALSE, "publisher (default) or subscriber" },
  { "expire_s", PA_ARG_INTEGER, FALSE, "how long the token is valid, 3600 s by default" },
  { NULL }
};

/* Idempotent: it has no effect outside; a second run signs another token
 * for the same channel. */
static const PaActionInfo token_info = {
  .name = "agora.token",
  .platform = "agora",
  .summary = "Signs an Agora RTC token for a channel",
  .args = token_args,
  .idempotent = TRUE,
  .run = token_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_agora (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &token_info);
}
