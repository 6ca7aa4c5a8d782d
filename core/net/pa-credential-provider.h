/* pa-credential-provider.h — where PaHttp finds credentials it is not given
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PA_TYPE_CREDENTIAL_PROVIDER (pa_credential_provider_get_type ())
G_DECLARE_INTERFACE (PaCredentialProvider, pa_credential_provider, PA, CREDENTIAL_PROVIDER, GObject)

/**
 * PaCredentialProviderInterface:
 * @lookup_async: starts looking up one field of a credential set
 * @lookup_finish: returns the secret, see pa_credential_provider_lookup_finish()
 *
 * PaHttp asks a provider for the credentials a request describes but does
 * not carry (pa_http_request_set_deferred_auth()), just before sending,
 * so a key is held in memory only while a request needs it. The scope and
 * profile are opaque to the transport: whoever builds the request and
 * whoever implements the provider agree on what they mean.
 */
struct _PaCredentialProviderInterface
{
  GTypeInterface parent_iface;

  void  (*lookup_async)  (PaCredentialProvider  *self,
                          const char            *scope,
                          const char            *profile,
                          const char            *field,
                          GCancellable          *cancellable,
                          GAsyncReadyCallback    callback,
                          gpointer               user_data);
  char *(*lookup_finish) (PaCredentialProvider  *self,
                          GAsyncResult          *result,
                          GError               **error);
};

void  pa_credential_provider_lookup_async  (PaCredentialProvider  *self,
                                            const char            *scope,
                                            const char            *profile,
                                            const char            *field,
                                            GCancellable          *cancellable,
                                            GAsyncReadyCallback    callback,
                                            gpointer               user_data);
/* The secret, allocated with g_malloc(); the caller wipes it with
 * pa_credential_free(). Otherwise NULL and one of: PA_ERROR_NOT_FOUND
 * (nothing stored; the message tells the user how to add it),
 * PA_ERROR_UNAVAILABLE (there is no store at all), or any other error
 * of the store (PA_ERROR_AUTH for a locked one, PA_ERROR_CANCELLED…). */
char *pa_credential_provider_lookup_finish (PaCredentialProvider  *self,
                                            GAsyncResult          *result,
                                            GError               **error);

/* Overwrites @secret before freeing it, so a key does not linger in freed
 * memory. NULL is ignored. */
void  pa_credential_free                   (char                  *secret);

/* g_autoptr(PaCredentialString) wipes and frees a secret. */
typedef char PaCredentialString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaCredentialString, pa_credential_free)

G_END_DECLS
