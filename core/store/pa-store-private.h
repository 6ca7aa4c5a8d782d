/* pa-store-private.h — what the core's storage files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <sqlite3.h>

#include "pa-store.h"

G_BEGIN_DECLS

sqlite3  *pa_store_get_db        (PaStore    *self);
/* Turns the connection's last error into a PA_ERROR_STORAGE GError. */
void      pa_store_set_error     (PaStore    *self,
                                  GError    **error,
                                  const char *what);

/* A statement prepared once per connection (SQLITE_PREPARE_PERSISTENT)
 * and kept for the store's life: the journal's hot path pays no parse.
 * It comes back reset with no bindings, and is owned by the store. Fails
 * while a transaction is being rolled back (see pa_store_begin). Use
 * g_autoptr (PaCachedStmt) so it is reset when it goes out of scope and
 * does not hold a read snapshot open. */
typedef sqlite3_stmt PaCachedStmt;
PaCachedStmt *pa_store_prepare_cached (PaStore    *self,
                                       const char *sql,
                                       GError    **error);

static inline void
pa_cached_stmt_release (PaCachedStmt *stmt)
{
  sqlite3_reset (stmt);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaCachedStmt, pa_cached_stmt_release)

/* Told when an outermost transaction has been committed: @tx_us is the
 * monotonic time from its BEGIN to the end of its COMMIT, @commit_us that
 * of the COMMIT alone (the write to the WAL). The benchmark measures the
 * journal's commits with it. Not called for rollbacks or failed commits.
 * One observer per store; NULL removes it. */
typedef void (*PaStoreCommitFunc) (PaStore *store,
                                   gint64   tx_us,
                                   gint64   commit_us,
                                   gpointer user_data);
void      pa_store_set_commit_observer (PaStore          *self,
                                        PaStoreCommitFunc func,
                                        gpointer          user_data);

G_END_DECLS
