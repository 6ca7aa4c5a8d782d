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
#define PA_STORE_SCHEMA_VERSION 4

#define PA_TYPE_STORE (pa_store_get_type ())
G_DECLARE_FINAL_TYPE (PaStore, pa_store, PA, STORE, GObject)

/* A PaStore is one SQLite connection: use it from one thread at a time
 * (pa_store_open_async opens it in a worker and hands it over). */

/* $XDG_DATA_HOME/playalter */
char       *pa_store_default_data_dir    (void);
/* @explicit_dir if set, else $PLAYALTER_DATA_DIR, else the default. */
char       *pa_store_resolve_data_dir    (const char          *explicit_dir);

/* Opens or creates playalter.db in the data dir resolved from @data_dir
 * and brings its schema up to PA_STORE_SCHEMA_VERSION, at the durability
 * pa_store_resolve_sync (NULL) gives (PaStoreSync). A database newer
 * than this build, a file that is not SQLite, or a data dir that cannot
 * be written give PA_ERROR_STORAGE and leave the file untouched; a
 * $PLAYALTER_DURABILITY it does not know gives PA_ERROR_INVALID_INPUT. */
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

/**
 * PaStoreSync:
 * @PA_STORE_SYNC_NORMAL: the default. A commit is appended to the WAL
 *   without an fsync: it survives the process being killed, and the WAL
 *   is fsynced at checkpoints, so a power cut or a kernel crash may lose
 *   the last commits (never corrupt the database).
 * @PA_STORE_SYNC_FULL: the WAL is fsynced at every commit, so what has
 *   been committed survives a power cut too; each commit then waits for
 *   the disk.
 *
 * How durable a commit is (SQLite's `synchronous`). The journal's group
 * commit is the same at both levels: a batch of events is committed
 * before anything leaves the process and before a run's end is reported,
 * so at FULL that commit has reached the disk by then. Without WAL (file
 * systems that cannot do it) the store always uses FULL.
 */
typedef enum {
  PA_STORE_SYNC_NORMAL,
  PA_STORE_SYNC_FULL,
} PaStoreSync;

/* "normal" or "full" (in any case); PA_ERROR_INVALID_INPUT otherwise. */
gboolean    pa_store_sync_from_string    (const char          *text,
                                          PaStoreSync         *level,
                                          GError             **error);
/* @explicit_level if set, else $PLAYALTER_DURABILITY, else NORMAL;
 * pa_store_open uses it, so the variable applies to every store opened. */
gboolean    pa_store_resolve_sync        (const char          *explicit_level,
                                          PaStoreSync         *level,
                                          GError             **error);
/* Per connection, not kept in the file: a store opened again starts at
 * the level pa_store_resolve_sync gives. Fails (PA_ERROR_STORAGE) while
 * a transaction is open, the journal's group commit batch included: SQLite
 * cannot change it then. */
gboolean    pa_store_set_synchronous     (PaStore             *self,
                                          PaStoreSync          level,
                                          GError             **error);
PaStoreSync pa_store_get_synchronous     (PaStore             *self);

G_END_DECLS

/* What is kept in the database, one header per table or group. */
#include "pa-store-accounts.h"
#include "pa-store-assets.h"
#include "pa-store-log.h"
#include "pa-store-retention.h"
#include "pa-store-runs.h"
