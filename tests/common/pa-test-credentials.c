/* pa-test-credentials.c — a credential provider that knows every key
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-test-credentials.h"

struct _PaTestCredentials
{
  GObject parent_instance;
  guint   asked;
};

static void pa_test_credentials_iface_init (PaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PaTestCredentials, pa_test_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PA_TYPE_CREDENTIAL_PROVIDER,
                                                      pa_test_credentials_iface_init))

static void
pa_test_credentials_lookup_async (PaCredentialProvider *provider,
                                  const char           *scope,
                                  const char           *profile,
                                  const char           *field,
                                  GCancellable         *cancellable,
                                  GAsyncReadyCallback   callback,
                                  gpointer              user_data)
{
  PaTestCredentials *self = PA_TEST_CREDENTIALS (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  self->asked++;
  g_task_return_pointer (task, g_strconcat (PA_TEST_SECRET "-", field, NULL), g_free);
}

static char *
pa_test_credentials_lookup_finish (PaCredentialProvider  *provider,
                                   GAsyncResult          *result,
                                   GError               **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
pa_test_credentials_iface_init (PaCredentialProviderInterface *iface)
{
  iface->lookup_async = pa_test_credentials_lookup_async;
  iface->lookup_finish = pa_test_credentials_lookup_finish;
}

static void
pa_test_credentials_class_init (PaTestCredentialsClass *klass)
{
}

static void
pa_test_credentials_init (PaTestCredentials *self)
{
}

PaTestCredentials *
pa_test_credentials_new (void)
{
  return g_object_new (PA_TYPE_TEST_CREDENTIALS, NULL);
}

guint
pa_test_credentials_get_asked (PaTestCredentials *self)
{
  g_return_val_if_fail (PA_IS_TEST_CREDENTIALS (self), 0);
  return self->asked;
}
