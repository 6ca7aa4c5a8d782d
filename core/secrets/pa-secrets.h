/* pa-secrets.h — credentials in the system keyring, and nowhere else
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Bump when the stored format changes: older items are then ignored. */
#define PA_SECRETS_GENERATION 1

#define PA_TYPE_SECRETS (pa_secrets_get_type ())
G_DECLARE_FINAL_TYPE (PaSecrets, pa_secrets, PA, SECRETS, GObject)

PaSecrets *pa_secrets_new            (void);

/* The keyring's items are labelled for people ("PlayAlter: Stripe
 * (default) api-key"). The keyring knows no platforms: a layer that does
 * tells it their names. Returns NULL for an unknown id, which is then
 * shown as it is. */
typedef const char *(*PaSecretsDisplayNameFunc) (const char *platform);
void      pa_secrets_set_display_name_func (PaSecrets                *self,
                                            PaSecretsDisplayNameFunc  func);

/* Async, for the GUI. The keyring is the system's own: the Secret Service
 * (through the Secret portal inside Flatpak), the Windows Credential
 * Manager or the macOS Keychain, chosen when PlayAlter is built. Errors
 * name the cause: PA_ERROR_AUTH (locked keyring, dismissed unlock prompt,
 * access denied), PA_ERROR_UNAVAILABLE (no session bus or no Secret
 * Service, no keychain), PA_ERROR_CANCELLED, PA_ERROR_INVALID_INPUT
 * (empty names or secret, or one too long for the keyring),
 * PA_ERROR_TIMEOUT, PA_ERROR_PROTOCOL or PA_ERROR_FAILED. */
void      pa_secrets_store_async     (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      const char          *secret,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  pa_secrets_store_finish    (PaSecrets           *self,
                                      GAsyncResult        *result,
                                      GError             **error);
/* Returns NULL without an error when nothing is stored. Free the result
 * with pa_secrets_free(), which wipes it. */
void      pa_secrets_lookup_async    (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
char     *pa_secrets_lookup_finish   (PaSecrets           *self,
                                      GAsyncResult        *result,
                                      GError             **error);
/* @field NULL deletes every field of that platform and profile. Items of
 * older generations go too, so a removed account leaves no old key behind. */
void      pa_secrets_delete_async    (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
gboolean  pa_secrets_delete_finish   (PaSecrets           *self,
                                      GAsyncResult        *result,
                                      GError             **error);

/* Blocking variants, for the CLI and worker threads only. */
gboolean  pa_secrets_store_sync      (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      const char          *secret,
                                      GCancellable        *cancellable,
                                      GError             **error);
char     *pa_secrets_lookup_sync     (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      GCancellable        *cancellable,
                                      GError             **error);
gboolean  pa_secrets_delete_sync     (PaSecrets           *self,
                                      const char          *platform,
                                      const char          *profile,
                                      const char          *field,
                                      GCancellable        *cancellable,
                                      GError             **error);

void      pa_secrets_free            (char                *secret);

/* g_autoptr(PaSecretString) wipes and frees a looked-up secret. */
typedef char PaSecretString;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaSecretString, pa_secrets_free)

G_END_DECLS
