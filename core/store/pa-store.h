/* pa-store.h — the local SQLite database
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The schema version this build knows: the number of the last file in
 * migrations/. A database with a higher user_version is refused rather
 * than rewritten. */
#define PA_STORE_SCHEMA_VERSION 2

#define PA_TYPE_STORE (pa_store_get_type ())
G_DECLARE_FINAL_TYPE (PaStore, pa_store, PA, STORE, GObject)

/* A PaStore is one SQLite connection: use it from one thread at a time
 * (pa_store_open_async opens it in a worker and hands it over). */

/* $XDG_DATA_HOME/playalter */
char       *pa_store_default_data_dir    (void);
/* @explicit_dir if set, else $PLAYALTER_DATA_DIR, else the default. */
char       *pa_store_resolve_data_dir    (const char          *explicit_dir);

/* Opens or creates playalter.db in the data dir resolved from @data_dir
 * and brings its schema up to PA_STORE_SCHEMA_VERSION. A database newer
 * than this build, a file that is not SQLite, or a data dir that cannot
 * be written give PA_ERROR_STORAGE and leave the file untouched. */
PaStore    *pa_store_open                (const char          *data_dir,
                                          GError             **error);
void        pa_store_open_async          (const char          *data_dir,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
PaStore    *pa_store_open_finish         (GAsyncResult        *result,
                                          GError             **error);

const char *pa_store_get_data_dir        (PaStore             *self);
const char *pa_store_get_path            (PaStore             *self);
int         pa_store_get_schema_version  (PaStore             *self);

/* Transactions nest: only the outermost begin/commit touch SQLite.
 * A rollback at any depth rolls back the whole transaction at once;
 * until the outermost level is closed, every further begin, commit or
 * statement through the store fails, and the outermost commit reports
 * that the work was rolled back. Each level must still be closed with
 * exactly one commit or rollback. */
gboolean    pa_store_begin               (PaStore             *self,
                                          GError             **error);
gboolean    pa_store_commit              (PaStore             *self,
                                          GError             **error);
void        pa_store_rollback            (PaStore             *self);

/* Runs one statement with no result rows (DDL, simple updates). */
gboolean    pa_store_exec                (PaStore             *self,
                                          const char          *sql,
                                          GError             **error);

/* Told when an outermost transaction has been committed: @tx_us is the
 * monotonic time from its BEGIN to the end of its COMMIT, @commit_us that
 * of the COMMIT alone (the write to the WAL). The benchmark measures the
 * journal's commits with it. Not called for rollbacks or failed commits.
 * One observer per store; NULL removes it. */
typedef void (*PaStoreCommitFunc) (PaStore *store,
                                   gint64   tx_us,
                                   gint64   commit_us,
                                   gpointer user_data);
void        pa_store_set_commit_observer (PaStore             *self,
                                          PaStoreCommitFunc    func,
                                          gpointer             user_data);

/* How a commit reaches the disk, as "journal_mode=wal synchronous=normal":
 * for reports that compare durability, such as the benchmark's. */
char       *pa_store_describe_durability (PaStore             *self);

G_END_DECLS

/* What is kept in the database, one header per table or group. */
#include "pa-store-accounts.h"
#include "pa-store-assets.h"
#include "pa-store-log.h"
#include "pa-store-runs.h"
