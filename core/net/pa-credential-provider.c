/* pa-credential-provider.c — where PaHttp finds credentials it is not given
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-credential-provider.h"

G_DEFINE_INTERFACE (PaCredentialProvider, pa_credential_provider, G_TYPE_OBJECT)

static void
pa_credential_provider_default_init (PaCredentialProviderInterface *iface)
{
}

void
pa_credential_provider_lookup_async (PaCredentialProvider *self,
                                     const char           *scope,
                                     const char           *profile,
                                     const char           *field,
                                     GCancellable         *cancellable,
                                     GAsyncReadyCallback   callback,
                                     gpointer              user_data)
{
  g_return_if_fail (PA_IS_CREDENTIAL_PROVIDER (self));
  g_return_if_fail (scope != NULL && profile != NULL && field != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  PA_CREDENTIAL_PROVIDER_GET_IFACE (self)->lookup_async (self, scope, profile, field,
                                                         cancellable, callback, user_data);
}

char *
pa_credential_provider_lookup_finish (PaCredentialProvider  *self,
                                      GAsyncResult          *result,
                                      GError               **error)
{
  g_return_val_if_fail (PA_IS_CREDENTIAL_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return PA_CREDENTIAL_PROVIDER_GET_IFACE (self)->lookup_finish (self, result, error);
}

void
pa_credential_free (char *secret)
{
  volatile char *p = secret;

  if (secret == NULL)
    return;

  /* Through a volatile pointer, so the compiler cannot drop the stores
   * as dead writes to memory about to be freed. */
  while (*p != '\0')
    *p++ = '\0';
  g_free (secret);
}
