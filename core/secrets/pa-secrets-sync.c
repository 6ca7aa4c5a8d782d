/* pa-secrets-sync.c — the keyring's blocking API, for the command line
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-secrets-private.h"

/* The async operations run on one thread of our own whose main loop never
 * stops. A private main context per call would be simpler, but libsecret
 * and GDBus finish some work after the result is in (a prompt's method
 * reply can arrive after its Completed signal, a closed connection
 * announces it later): queued in a context nobody iterates any more, those
 * callbacks would hold the bus connection, and everything they refer to,
 * for the life of the process. */
static gpointer
worker_main (gpointer data)
{
  GMainContext *context = data;
  g_autoptr(GMainLoop) loop = g_main_loop_new (context, FALSE);

  g_main_context_push_thread_default (context);
  g_main_loop_run (loop);
  return NULL;
}

static GMainContext *
get_worker_context (void)
{
  static GMainContext *context;

  if (g_once_init_enter (&context))
    {
      GMainContext *new_context = g_main_context_new ();

      g_thread_unref (g_thread_new ("pa-secrets", worker_main, new_context));
      g_once_init_leave (&context, new_context);
    }
  return context;
}

typedef struct {
  PaSecrets    *self;
  PaSecretsOp        kind;
  const char   *platform;
  const char   *profile;
  const char   *field;
  const char   *secret;
  GCancellable *cancellable;

  GMutex        mutex;
  GCond         cond;
  gboolean      done;
  gboolean      ok;
  char         *looked_up;
  GError       *error;
} SyncCall;

static void
on_sync_done (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  SyncCall *call = user_data;

  switch (call->kind)
    {
    case OP_STORE:
      call->ok = pa_secrets_store_finish (call->self, result, &call->error);
      break;
    case OP_LOOKUP:
      call->looked_up = pa_secrets_lookup_finish (call->self, result, &call->error);
      call->ok = call->error == NULL;
      break;
    case OP_DELETE:
    default:
      call->ok = pa_secrets_delete_finish (call->self, result, &call->error);
      break;
    }

  g_mutex_lock (&call->mutex);
  call->done = TRUE;
  g_cond_signal (&call->cond);
  g_mutex_unlock (&call->mutex);
}

static gboolean
sync_start (gpointer user_data)
{
  SyncCall *call = user_data;

  switch (call->kind)
    {
    case OP_STORE:
      pa_secrets_store_async (call->self, call->platform, call->profile, call->field,
                              call->secret, call->cancellable, on_sync_done, call);
      break;
    case OP_LOOKUP:
      pa_secrets_lookup_async (call->self, call->platform, call->profile, call->field,
                               call->cancellable, on_sync_done, call);
      break;
    case OP_DELETE:
    default:
      pa_secrets_delete_async (call->self, call->platform, call->profile, call->field,
                               call->cancellable, on_sync_done, call);
      break;
    }
  return G_SOURCE_REMOVE;
}

/* Blocks until the operation is done; the strings stay the caller's, which
 * is safe because the caller waits here until they are no longer used. */
static gboolean
sync_run (SyncCall  *call,
          GError   **error)
{
  g_mutex_init (&call->mutex);
  g_cond_init (&call->cond);

  g_main_context_invoke (get_worker_context (), sync_start, call);

  g_mutex_lock (&call->mutex);
  while (!call->done)
    g_cond_wait (&call->cond, &call->mutex);
  g_mutex_unlock (&call->mutex);

  g_cond_clear (&call->cond);
  g_mutex_clear (&call->mutex);

  if (call->error != NULL)
    {
      g_propagate_error (error, call->error);
      return FALSE;
    }
  return call->ok;
}

gboolean
pa_secrets_store_sync (PaSecrets     *self,
                       const char    *platform,
                       const char    *profile,
                       const char    *field,
                       const char    *secret,
                       GCancellable  *cancellable,
                       GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_STORE, .platform = platform, .profile = profile,
    .field = field, .secret = secret, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  return sync_run (&call, error);
}

char *
pa_secrets_lookup_sync (PaSecrets     *self,
                        const char    *platform,
                        const char    *profile,
                        const char    *field,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_LOOKUP, .platform = platform, .profile = profile,
    .field = field, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  if (!sync_run (&call, error))
    return NULL;
  return call.looked_up;
}

gboolean
pa_secrets_delete_sync (PaSecrets     *self,
                        const char    *platform,
                        const char    *profile,
                        const char    *field,
                        GCancellable  *cancellable,
                        GError       **error)
{
  SyncCall call = {
    .self = self, .kind = OP_DELETE, .platform = platform, .profile = profile,
    .field = field, .cancellable = cancellable,
  };

  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);

  return sync_run (&call, error);
}
