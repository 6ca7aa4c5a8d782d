/* pa-store-private.h — what the files of core/store share
 *
 * Only the files in core/store include this (and a test of the store's
 * private API, compiled with its define): everything else reads and
 * writes through the typed functions of pa-store.h, so SQL and sqlite3
 * handles stay in one folder.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STORE_COMPILATION)
# error "pa-store-private.h is private to core/store: use its public headers"
#endif

#include <sqlite3.h>

#include "pa-journal.h"
#include "pa-store.h"

G_BEGIN_DECLS

/* Runs one statement with no result rows (DDL, simple updates). SQL is
 * written only in core/store: the rest of the core goes through the typed
 * functions of the public headers. */
gboolean  pa_store_exec          (PaStore    *self,
                                  const char *sql,
                                  GError    **error);
sqlite3  *pa_store_get_db        (PaStore    *self);
/* Turns the connection's last error into a PA_ERROR_STORAGE GError. */
void      pa_store_set_error     (PaStore    *self,
                                  GError    **error,
                                  const char *what);
/* The same for a connection of its own to the file at @path (one a
 * worker thread opened). */
void      pa_store_set_db_error  (GError    **error,
                                  sqlite3    *db,
                                  const char *path,
                                  const char *what);

/* The first column of the first row of @sql, or @fallback. */
int       pa_store_query_int     (sqlite3    *db,
                                  const char *sql,
                                  int         fallback);

/* Brings the schema up to PA_STORE_SCHEMA_VERSION with the migrations
 * bundled in this build (pa-store-migrate.c); refuses a database that
 * does not reach it. */
gboolean  pa_store_migrate       (PaStore    *self,
                                  GError    **error);

/* What the user can do about an SQLite error code, translated. */
const char *pa_store_hint_for_sqlite_code  (int          code);

/* Before anything is opened for writing (pa-store-file.c); a refusal
 * is a PA_ERROR_STORAGE that names the file and what to do. */
gboolean    pa_store_ensure_data_dir       (const char  *dir,
                                            GError     **error);
gboolean    pa_store_check_file            (const char  *path,
                                            gboolean    *is_new,
                                            GError     **error);
gboolean    pa_store_read_existing_version (const char  *path,
                                            int         *version_out,
                                            GError     **error);

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

/* Steps a statement that returns no rows; on failure sets a storage
 * error saying what could not be done (@what, translated). */
gboolean  pa_store_step_done     (PaStore      *self,
                                  PaCachedStmt *stmt,
                                  const char   *what,
                                  GError      **error);

/* Makes one value (a record) of the row @stmt is on. */
typedef gpointer (*PaStoreRowFunc) (PaCachedStmt *stmt);

/* Steps @stmt to its end: a GPtrArray of what @from_row made of each
 * row, freed with @free_func. NULL with a storage error saying what
 * could not be done (@what, translated) when a step fails. */
GPtrArray *pa_store_collect_rows (PaStore        *self,
                                  PaCachedStmt   *stmt,
                                  PaStoreRowFunc  from_row,
                                  GDestroyNotify  free_func,
                                  const char     *what,
                                  GError        **error);

/* Checkpoints @db's WAL in a thread of its own connection, in place of
 * SQLite's automatic checkpoint (pa-store-checkpoint.c). Free it before
 * @db is closed. */
typedef struct _PaStoreCheckpointer PaStoreCheckpointer;
PaStoreCheckpointer *pa_store_checkpointer_new  (const char          *path,
                                                 sqlite3             *db);
void                 pa_store_checkpointer_free (PaStoreCheckpointer *self);

/* Binds @value as text (copied), or SQL NULL when it is NULL. */
static inline void
pa_store_bind_text_or_null (PaCachedStmt *stmt,
                            int           index,
                            const char   *value)
{
  if (value != NULL)
    sqlite3_bind_text (stmt, index, value, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (stmt, index);
}

/* A copy of a text column, or NULL for SQL NULL. */
static inline char *
pa_store_column_dup_text (PaCachedStmt *stmt,
                          int           column)
{
  return g_strdup ((const char *) sqlite3_column_text (stmt, column));
}

/* The wall clock, in milliseconds since the epoch, that the store reads
 * for the times it writes itself (a request's, an event's without one)
 * and that retention measures ages against. A test that checks what is
 * old enough to go sets a clock of its own (NULL: the real time). */
typedef gint64 (*PaStoreClock) (gpointer data);

void      pa_store_set_clock     (PaStore        *self,
                                  PaStoreClock    clock,
                                  gpointer        clock_data);
gint64    pa_store_now_ms        (PaStore        *self);

/* A monotonic clock in microseconds. A batch of deferred journal events
 * is committed once it is older than half a millisecond: a test that
 * checks where batches end cannot leave that to the machine's load, and
 * sets a clock of its own (NULL: g_get_monotonic_time()). */
typedef gint64 (*PaJournalClock) (gpointer data);

void      pa_journal_set_clock   (PaJournal      *self,
                                  PaJournalClock  clock,
                                  gpointer        clock_data);

G_END_DECLS
