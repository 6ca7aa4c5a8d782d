/* pa-secrets-backend-private.h — what a keyring backend provides
 *
 * SPDX-License-Identifier: MIT
 *
 * Each build has exactly one backend, chosen by meson's `keyring` option
 * (by default from the host system), so no other code knows which:
 *
 *   pa-secrets-libsecret.c  the Secret Service (Linux, the BSDs; inside a
 *                           Flatpak sandbox libsecret uses the Secret
 *                           portal by itself)
 *   pa-secrets-wincred.c    the Windows Credential Manager
 *   pa-secrets-keychain.c   the macOS Keychain
 *
 * pa-secrets.c checks the arguments, builds the item's label and calls
 * the backend; pa-secrets-sync.c makes the blocking API out of the async
 * one, whatever the backend.
 */
#pragma once

#if !defined (PA_SECRETS_COMPILATION)
# error "pa-secrets-backend-private.h is private to core/secrets: use its public headers"
#endif

#include "pa-secrets-private.h"

G_BEGIN_DECLS

/* Runs @request and returns on @task, taking both (a store's @secret stays
 * the caller's and is valid only until this returns: a backend that needs
 * it later copies it into request->secret). It returns on @task: TRUE
 * for a store or a delete; for a lookup, the secret (freed with
 * pa_secrets_backend_free_secret()) or NULL when nothing is stored.
 * Deleting what is not there succeeds. Errors are the PA_ERROR codes that
 * pa-secrets.h lists; cancellation is PA_ERROR_CANCELLED (the task does
 * not check its cancellable itself). The task's source object is the
 * PaSecrets. */
void     pa_secrets_backend_run         (GTask            *task,
                                         PaSecretsRequest *request,
                                         const char       *secret);

/* Wipes and frees what a lookup returned. */
void     pa_secrets_backend_free_secret (char             *secret);

/* Backends whose system API blocks (the Windows Credential Manager and the
 * Keychain) implement these three and are built with pa-secrets-thread.c,
 * whose pa_secrets_backend_run() calls them in GTask's worker threads, and
 * whose pa_secrets_backend_free_secret() wipes with pa_compat_secure_zero().
 * A lookup returns g_malloc()ed memory. The libsecret backend is async all
 * the way down instead: the keyring's unlock prompt needs a main loop. */
gboolean pa_secrets_blocking_store      (const PaSecretsRequest  *request,
                                         GError                 **error);
char    *pa_secrets_blocking_lookup     (const PaSecretsRequest  *request,
                                         GError                 **error);
gboolean pa_secrets_blocking_delete     (const PaSecretsRequest  *request,
                                         GError                 **error);

/* "<platform>/<profile>/<field>", each name percent-encoded so that a "/"
 * or "*" in one cannot make it look like another or widen a search; with
 * @field NULL, the "<platform>/<profile>/" that all of them start with.
 * How the blocking backends name their items. */
char    *pa_secrets_item_name           (const PaSecretsRequest  *request,
                                         const char              *field);

G_END_DECLS
