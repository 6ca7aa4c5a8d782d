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

/* Accounts hold no secrets: only where and who. */
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
/* Returns a GPtrArray of PaAccount, ordered by platform then profile. */
GPtrArray  *pa_store_list_accounts       (PaStore             *self,
                                          GError             **error);

/* One row of platform_logs: never a body, a key or a header. */
gboolean    pa_store_log_request         (PaStore             *self,
                                          const char          *run_id,
                                          const char          *step_id,
                                          const char          *platform,
                                          const char          *action,
                                          const char          *method,
                                          const char          *path,
                                          guint                http_status,
                                          gint64               response_time_ms,
                                          GError             **error);

G_END_DECLS
