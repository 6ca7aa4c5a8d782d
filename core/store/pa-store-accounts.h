/* pa-store-accounts.h — the accounts table: where and who, never secrets
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* One row of accounts. The store knows nothing of PaAccount: the
 * accounts code builds its objects from these rows. */
typedef struct {
  char   *platform;       /* "stripe", "openai", … */
  char   *profile;        /* "default" unless the user named another */
  char   *base_url;       /* NULL for the platform's default */
  char   *display_name;   /* NULL when not known */
  char   *status;         /* as saved: "signed-in", "not-signed-in", … */
  gint64  validated_at;   /* ms since the epoch; 0 if never checked */
} PaAccountRecord;

void        pa_account_record_free       (PaAccountRecord     *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAccountRecord, pa_account_record_free)

/* Saves or updates (@platform, @profile). An empty @base_url is saved as
 * NULL (the default); a NULL @status as "not-signed-in". */
gboolean    pa_store_save_account        (PaStore             *self,
                                          const char          *platform,
                                          const char          *profile,
                                          const char          *base_url,
                                          const char          *display_name,
                                          const char          *status,
                                          GError             **error);
/* Records when the account's key was last checked against the platform.
 * PA_ERROR_NOT_FOUND if the account was never saved. */
gboolean    pa_store_set_account_validated_at (PaStore        *self,
                                          const char          *platform,
                                          const char          *profile,
                                          gint64               validated_at_ms,
                                          GError             **error);
/* Deleting an account that is not there is not an error. */
gboolean    pa_store_delete_account      (PaStore             *self,
                                          const char          *platform,
                                          const char          *profile,
                                          GError             **error);
/* Returns a GPtrArray of PaAccountRecord, ordered by platform then
 * profile. */
GPtrArray  *pa_store_list_accounts       (PaStore             *self,
                                          GError             **error);

G_END_DECLS
