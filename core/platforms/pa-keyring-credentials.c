/* pa-keyring-credentials.c — the keyring as PaHttp's credential provider
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-keyring-credentials.h"
#include "pa-platform-info.h"

struct _PaKeyringCredentials
{
  GObject    parent_instance;

  PaSecrets *secrets;
};

static void credential_provider_iface_init (PaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PaKeyringCredentials, pa_keyring_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PA_TYPE_CREDENTIAL_PROVIDER,
                                                      credential_provider_iface_init))

typedef struct {
  char *platform;
  char *profile;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_free (lookup->platform);
  g_free (lookup->profile);
  g_free (lookup);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(PaSecretString) secret = NULL;
  const PaPlatformInfo *info;
  GError *error = NULL;

  secret = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (secret == NULL)
    {
      info = pa_platform_info_lookup (lookup->platform);
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("Not signed in to %s (profile “%s”): sign in under Accounts"),
                               info != NULL ? info->display_name : lookup->platform,
                               lookup->profile);
      return;
    }

  /* The keyring hands out secrets in its own memory, which only
   * pa_secrets_free() may free; the provider's caller frees with g_free()
   * after wiping. */
  g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) pa_credential_free);
}

static void
pa_keyring_credentials_lookup_async (PaCredentialProvider *provider,
                                     const char           *scope,
                                     const char           *profile,
                                     const char           *field,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  PaKeyringCredentials *self = PA_KEYRING_CREDENTIALS (provider);
  g_autoptr(GTask) task = NULL;
  Lookup *lookup;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_keyring_credentials_lookup_async);
  /* PaSecrets reports cancellation in PA_ERROR itself. */
  g_task_set_check_cancellable (task, FALSE);

  lookup = g_new0 (Lookup, 1);
  lookup->platform = g_strdup (scope);
  lookup->profile = g_strdup (profile);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  pa_secrets_lookup_async (self->secrets, scope, profile, field, cancellable,
                           lookup_cb, g_steal_pointer (&task));
}

static char *
pa_keyring_credentials_lookup_finish (PaCredentialProvider  *provider,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (g_task_is_valid (result, provider), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
credential_provider_iface_init (PaCredentialProviderInterface *iface)
{
  iface->lookup_async = pa_keyring_credentials_lookup_async;
  iface->lookup_finish = pa_keyring_credentials_lookup_finish;
}

static void
pa_keyring_credentials_dispose (GObject *object)
{
  PaKeyringCredentials *self = PA_KEYRING_CREDENTIALS (object);

  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (pa_keyring_credentials_parent_class)->dispose (object);
}

static void
pa_keyring_credentials_class_init (PaKeyringCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pa_keyring_credentials_dispose;
}

static void
pa_keyring_credentials_init (PaKeyringCredentials *self)
{
}

PaKeyringCredentials *
pa_keyring_credentials_new (PaSecrets *secrets)
{
  PaKeyringCredentials *self;

  g_return_val_if_fail (secrets == NULL || PA_IS_SECRETS (secrets), NULL);

  self = g_object_new (PA_TYPE_KEYRING_CREDENTIALS, NULL);
  self->secrets = secrets != NULL ? g_object_ref (secrets) : pa_secrets_new ();
  return self;
}
