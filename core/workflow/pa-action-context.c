/* pa-action-context.c — what a running action may use from its run
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-action-context.h"
#include "pa-file-policy.h"
#include "pa-private-dir.h"

struct _PaActionContext
{
  gatomicrefcount         ref_count;
  PaStore                *store;
  PaHttp                 *http;
  PaHttp                 *step_http;   /* http, logging as this step */
  char                   *action;
  PaSecrets              *secrets;
  char                   *run_id;
  char                   *step_id;
  char                   *idempotency_key;
  int                     attempt;
  GHashTable             *platforms;   /* id → PaPlatform */
  JsonObject             *state;
  PaActionCheckpointFunc  checkpoint_func;
  gpointer                checkpoint_data;
  PaFilePolicy           *file_policy;
};

PaActionContext *
pa_action_context_new (PaStore    *store,
                       PaHttp     *http,
                       const char *run_id,
                       const char *step_id,
                       int         attempt)
{
  PaActionContext *self;

  g_return_val_if_fail (store == NULL || PA_IS_STORE (store), NULL);
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);
  g_return_val_if_fail (run_id != NULL && step_id != NULL, NULL);

  self = g_new0 (PaActionContext, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->store = store != NULL ? g_object_ref (store) : NULL;
  self->http = http != NULL ? g_object_ref (http) : NULL;
  self->run_id = g_strdup (run_id);
  self->step_id = g_strdup (step_id);
  self->idempotency_key = g_strdup_printf ("%s/%s", run_id, step_id);
  self->attempt = attempt;
  self->platforms = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  return self;
}

PaActionContext *
pa_action_context_ref (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pa_action_context_unref (PaActionContext *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_clear_object (&self->store);
  g_clear_object (&self->http);
  g_clear_object (&self->step_http);
  g_clear_object (&self->secrets);
  g_clear_object (&self->file_policy);
  g_hash_table_unref (self->platforms);
  g_clear_pointer (&self->state, json_object_unref);
  g_free (self->run_id);
  g_free (self->step_id);
  g_free (self->idempotency_key);
  g_free (self->action);
  g_free (self);
}

const char *
pa_action_context_get_run_id (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->run_id;
}

const char *
pa_action_context_get_step_id (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->step_id;
}

int
pa_action_context_get_attempt (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->attempt;
}

void
pa_action_context_set_action (PaActionContext *self,
                              const char      *action)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->step_http == NULL);

  g_free (self->action);
  self->action = g_strdup (action);
}

PaStore *
pa_action_context_get_store (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->store;
}

PaHttp *
pa_action_context_get_http (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->http;
}

void
pa_action_context_set_secrets (PaActionContext *self,
                               PaSecrets       *secrets)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (secrets == NULL || PA_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

PaSecrets *
pa_action_context_get_secrets (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->secrets == NULL)
    self->secrets = pa_secrets_new ();
  return self->secrets;
}

char *
pa_action_context_dup_media_dir (PaActionContext  *self,
                                 GError          **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *data_dir = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->store != NULL)
    data_dir = g_strdup (pa_store_get_data_dir (self->store));
  else
    data_dir = pa_store_resolve_data_dir (NULL);

  dir = g_build_filename (data_dir, "media", NULL);
  if (!pa_private_dir_ensure (dir, _("the media folder"), error))
    return NULL;
  return g_steal_pointer (&dir);
}

void
pa_action_context_set_file_policy (PaActionContext *self,
                                   PaFilePolicy    *policy)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (policy == NULL || PA_IS_FILE_POLICY (policy));

  g_set_object (&self->file_policy, policy);
}

PaFilePolicy *
pa_action_context_get_file_policy (PaActionContext  *self,
                                   GError          **error)
{
  g_autofree char *media_dir = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  /* Without one from its run, a step may read the media folder only. */
  if (self->file_policy == NULL)
    self->file_policy = pa_file_policy_new ();
  media_dir = pa_action_context_dup_media_dir (self, error);
  if (media_dir == NULL || !pa_file_policy_allow (self->file_policy, media_dir, error))
    return NULL;
  return self->file_policy;
}

const char *
pa_action_context_get_idempotency_key (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->idempotency_key;
}

void
pa_action_context_set_idempotency_key (PaActionContext *self,
                                       const char      *key)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (key != NULL && *key != '\0');

  g_free (self->idempotency_key);
  self->idempotency_key = g_strdup (key);
}

/* The base URL the user saved for (@platform, "default"), or NULL for
 * the platform's own. */
static char *
lookup_base_url (PaActionContext  *self,
                 const char       *platform,
                 GError          **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  if (self->store == NULL)
    return NULL;

  accounts = pa_store_list_accounts (self->store, error);
  if (accounts == NULL)
    return NULL;

  for (guint i = 0; i < accounts->len; i++)
    {
      const PaAccountRecord *account = accounts->pdata[i];

      if (g_strcmp0 (account->platform, platform) == 0 &&
          g_strcmp0 (account->profile, "default") == 0)
        return g_strdup (account->base_url);
    }
  return NULL;
}

PaPlatform *
pa_action_context_get_platform (PaActionContext  *self,
                                const char       *platform,
                                GError          **error)
{
  PaPlatform *client;
  g_autofree char *base_url = NULL;
  GError *local_error = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (platform != NULL, NULL);

  client = g_hash_table_lookup (self->platforms, platform);
  if (client != NULL)
    return client;

  if (self->http == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The step has no network client to reach %s."), platform);
      return NULL;
    }

  base_url = lookup_base_url (self, platform, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }

  /* Made on first use: most steps reach no platform. */
  if (self->step_http == NULL)
    self->step_http = pa_http_new_with_log_context (self->http, self->run_id, self->step_id,
                                                    self->action);
  client = pa_platform_new (platform, self->step_http, "default", base_url, error);
  if (client == NULL)
    return NULL;

  g_hash_table_insert (self->platforms, g_strdup (platform), client);
  return client;
}

void
pa_action_context_set_checkpoint_func (PaActionContext        *self,
                                       PaActionCheckpointFunc  func,
                                       gpointer                user_data)
{
  g_return_if_fail (self != NULL);

  self->checkpoint_func = func;
  self->checkpoint_data = user_data;
}

/* The state is only taken as current once the engine has made it
 * durable: an action must not wait on something it could lose. */
gboolean
pa_action_context_checkpoint (PaActionContext  *self,
                              JsonObject       *state,
                              GError          **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  if (self->checkpoint_func != NULL &&
      !self->checkpoint_func (self, state, self->checkpoint_data, error))
    return FALSE;

  pa_action_context_set_state (self, state);
  return TRUE;
}

JsonObject *
pa_action_context_get_state (PaActionContext *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->state;
}

void
pa_action_context_set_state (PaActionContext *self,
                             JsonObject      *state)
{
  g_return_if_fail (self != NULL);

  if (state != NULL)
    json_object_ref (state);
  g_clear_pointer (&self->state, json_object_unref);
  self->state = state;
}
