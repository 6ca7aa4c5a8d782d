/* pa-account-manager.h — the user's platform accounts: keyring + database
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-account.h"
#include "pa-http.h"
#include "pa-identity.h"
#include "pa-secrets.h"
#include "pa-store.h"

G_BEGIN_DECLS

#define PA_DEFAULT_PROFILE "default"

/**
 * PaSignInFlags:
 * @PA_SIGN_IN_NONE: nothing special
 * @PA_SIGN_IN_ALLOW_INSECURE_HTTP: accept a plain http:// base URL on a
 *   host that is not loopback; the key then travels in clear, so only
 *   when the user asked for it knowingly (`--insecure-http`)
 */
typedef enum {
  PA_SIGN_IN_NONE                = 0,
  PA_SIGN_IN_ALLOW_INSECURE_HTTP = 1 << 0,
} PaSignInFlags;

#define PA_TYPE_ACCOUNT_MANAGER (pa_account_manager_get_type ())
G_DECLARE_FINAL_TYPE (PaAccountManager, pa_account_manager, PA, ACCOUNT_MANAGER, GObject)

PaAccountManager *pa_account_manager_new            (PaStore             *store,
                                                     PaSecrets           *secrets);

/* A GListModel of PaAccount: the default profile of every platform, in
 * the order of pa_platform_info_get_all(), then any other saved profiles.
 * Statuses are NOT_SIGNED_IN until a refresh has read the keyring. */
GListModel       *pa_account_manager_get_accounts   (PaAccountManager    *self);
PaAccount        *pa_account_manager_find           (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile);

/* Reads the keyring to settle every account's status. A keyring error is
 * not a failure of the refresh: it becomes each account's status. */
void              pa_account_manager_refresh_async  (PaAccountManager    *self,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          pa_account_manager_refresh_finish (PaAccountManager    *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Saves @secrets (field name → secret; may be empty where the platform
 * needs no key) to the keyring and @base_url (NULL or "" for the
 * default) to the database. Fields with an empty value are left as they
 * were, so a form can update the base URL alone, unless the base URL
 * moves the account to another scheme, host or port
 * (pa_account_manager_base_url_moves()): then every stored secret of the
 * profile is forgotten first, so no key goes to a host it was not given
 * for, and the account is signed in only with what @secrets holds (not
 * signed in when the platform needs a key and none is given). @base_url
 * is checked with pa_account_manager_check_base_url() and @flags. */
void              pa_account_manager_sign_in_async  (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     const char          *base_url,
                                                     PaSignInFlags        flags,
                                                     GHashTable          *secrets,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          pa_account_manager_sign_in_finish (PaAccountManager    *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Forgets every secret of the profile and its saved settings. */
void              pa_account_manager_sign_out_async (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
gboolean          pa_account_manager_sign_out_finish (PaAccountManager   *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Blocking variants for the command line. */
gboolean          pa_account_manager_refresh_sync   (PaAccountManager    *self,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
gboolean          pa_account_manager_sign_in_sync   (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     const char          *base_url,
                                                     PaSignInFlags        flags,
                                                     GHashTable          *secrets,
                                                     GCancellable        *cancellable,
                                                     GError             **error);
gboolean          pa_account_manager_sign_out_sync  (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     GCancellable        *cancellable,
                                                     GError             **error);

/* The HTTP client checks go through; by default the process-wide one,
 * given this manager's keyring. */
void              pa_account_manager_set_http       (PaAccountManager    *self,
                                                     PaHttp              *http);

/* Asks the platform who the stored keys belong to. On success the
 * account's display name and validation time are updated and saved; on
 * failure its check-error says why (rejected key, unreachable…) and the
 * error is returned. */
void              pa_account_manager_check_async    (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PaIdentity       *pa_account_manager_check_finish   (PaAccountManager    *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Validates a base URL typed by the user: http(s) with a host, and
 * plain http only to a loopback host (127.0.0.0/8, ::1, localhost)
 * unless @flags has PA_SIGN_IN_ALLOW_INSECURE_HTTP: else
 * PA_ERROR_INSECURE, with a message that says why and what to do. */
gboolean          pa_account_manager_check_base_url (const char          *base_url,
                                                     PaSignInFlags        flags,
                                                     GError             **error);
/* Whether signing in to @platform/@profile with @base_url (NULL or ""
 * for the default) would move it to another scheme, host or port than
 * the one it has now: its stored keys are then forgotten. */
gboolean          pa_account_manager_base_url_moves (PaAccountManager    *self,
                                                     const char          *platform,
                                                     const char          *profile,
                                                     const char          *base_url);

G_END_DECLS
