/* pa-account-manager-private.h — what the files of the account manager share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_ACCOUNTS_COMPILATION)
# error "pa-account-manager-private.h is private to core/accounts: use its public headers"
#endif

#include "pa-account-manager.h"
#include "pa-platform-info.h"
#include "pa-request-log.h"

G_BEGIN_DECLS

struct _PaAccountManager
{
  GObject     parent_instance;

  PaStore      *store;
  PaSecrets    *secrets;
  PaHttp       *http;
  PaRequestLog *request_log;
  GListStore   *accounts;
};

/* What the keyring said about one account. */
typedef struct {
  PaAccount *account;
  guint      present;      /* bit i set: field i is stored */
  GError    *error;        /* first keyring error, if any */
} FieldScan;

/* Puts the default profile in for NULL, then checks both names. */
gboolean   pa_account_manager_check_names      (const char            *platform,
                                                const char           **profile,
                                                const PaPlatformInfo **info_out,
                                                GError               **error);
gboolean   pa_account_manager_find_position    (PaAccountManager      *self,
                                                const char            *platform,
                                                const char            *profile,
                                                guint                 *position);
/* The account in the model, added when it is not there yet. */
PaAccount *pa_account_manager_ensure_account   (PaAccountManager      *self,
                                                const char            *platform,
                                                const char            *profile);
/* Reads which of the account's fields the keyring holds into @scan. */
gboolean   pa_account_manager_scan_fields_sync (PaAccountManager      *self,
                                                FieldScan             *scan,
                                                GCancellable          *cancellable,
                                                GError               **error);
/* Sets the account's status from what @scan found. */
void       pa_account_manager_apply_scan       (PaAccountManager      *self,
                                                FieldScan             *scan);

G_END_DECLS
