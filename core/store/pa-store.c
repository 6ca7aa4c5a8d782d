/* pa-store.c — the local SQLite database: open, configure, transactions
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"

#define DB_FILE_NAME        "playalter.db"
#define BUSY_TIMEOUT_MS     5000

struct _PaStore
{
  GObject      parent_instance;

  char        *data_dir;
  char        *path;
  sqlite3     *db;
  int          schema_version;

  /* Nesting depth of pa_store_begin; doomed once a rollback happened
   * below the outermost level (see pa_store_begin). */
  guint        tx_depth;
  gboolean     tx_doomed;

  /* SQL text → sqlite3_stmt, prepared once and kept. */
  GHashTable  *stmts;

  PaStoreCommitFunc commit_func;
  gpointer          commit_data;
  gint64            tx_began_us;

  /* Checkpoints the WAL in a thread of its own; NULL without WAL. */
  PaStoreCheckpointer *checkpointer;

  /* As asked; without WAL the connection is at FULL whatever it is. */
  PaStoreSync  sync;
  gboolean     wal;

  /* Wall clock for the times the store writes itself; NULL: the real one. */
  PaStoreClock clock;
  gpointer     clock_data;
};

G_DEFINE_FINAL_TYPE (PaStore, pa_store, G_TYPE_OBJECT)

static void
finalize_stmt (gpointer stmt)
{
  sqlite3_finalize (stmt);
}

static void
pa_store_finalize (GObject *object)
{
  PaStore *self = PA_STORE (object);

  if (self->tx_depth > 0)
    {
      g_warning ("Store closed inside a transaction; rolling it back");
      if (self->db != NULL && !sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
    }

  g_clear_pointer (&self->stmts, g_hash_table_unref);

  /* Its connection must be gone before ours closes: the last connection
   * to close checkpoints everything and removes the -wal file. */
  g_clear_pointer (&self->checkpointer, pa_store_checkpointer_free);

  if (self->db != NULL)
    {
      /* Keeps the query planner's statistics fresh at almost no cost. */
      sqlite3_exec (self->db, "PRAGMA optimize", NULL, NULL, NULL);
      sqlite3_close (self->db);
      self->db = NULL;
    }

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_pointer (&self->path, g_free);

  G_OBJECT_CLASS (pa_store_parent_class)->finalize (object);
}

static void
pa_store_class_init (PaStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_store_finalize;
}

static void
pa_store_init (PaStore *self)
{
  self->stmts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, finalize_stmt);
}

/* Time */

void
pa_store_set_clock (PaStore      *self,
                    PaStoreClock  clock,
                    gpointer      clock_data)
{
  g_return_if_fail (PA_IS_STORE (self));

  self->clock = clock;
  self->clock_data = clock_data;
}

gint64
pa_store_now_ms (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), 0);

  if (self->clock != NULL)
    return self->clock (self->clock_data);
  return g_get_real_time () / 1000;
}

/* Errors */

const char *
pa_store_hint_for_sqlite_code (int code)
{
  switch (code & 0xff)
    {
    case SQLITE_FULL:
      return _("Free some disk space and try again.");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return _("Another program is using the database; close it and try again.");
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_CANTOPEN:
    case SQLITE_AUTH:
      return _("Check that you can write to the data folder, or choose another one "
               "with --data-dir or PLAYALTER_DATA_DIR.");
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return _("The database file is damaged: restore it from a backup or choose "
               "another data folder with --data-dir or PLAYALTER_DATA_DIR.");
    default:
      return _("Try again; if it keeps failing, please report a bug.");
    }
}

void
pa_store_set_db_error (GError     **error,
                       sqlite3     *db,
                       const char  *path,
                       const char  *what)
{
  int code = db != NULL ? sqlite3_errcode (db) : SQLITE_NOMEM;
  const char *msg = db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (SQLITE_NOMEM);

  /* TRANSLATORS: "Could not <what> in “<file>”: <reason>. <what to do>" */
  g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
               _("Could not %s in “%s”: %s. %s"),
               what, path, msg, pa_store_hint_for_sqlite_code (code));
}

void
pa_store_set_error (PaStore     *self,
                    GError     **error,
                    const char  *what)
{
  g_return_if_fail (PA_IS_STORE (self));

  pa_store_set_db_error (error, self->db, self->path, what);
}

sqlite3 *
pa_store_get_db (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  return self->db;
}

/* Statements */

PaCachedStmt *
pa_store_prepare_cached (PaStore     *self,
                         const char  *sql,
                         GError     **error)
{
  sqlite3_stmt *stmt;
  const char *tail = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (sql != NULL, NULL);

  if (self->tx_doomed)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The current database transaction was rolled back after an earlier "
                     "failure; nothing more can be done in it."));
      return NULL;
    }

  stmt = g_hash_table_lookup (self->stmts, sql);
  if (stmt != NULL)
    {
      sqlite3_reset (stmt);
      sqlite3_clear_bindings (stmt);
      return stmt;
    }

  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, &tail) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("prepare a query"));
      return NULL;
    }
  /* One statement per cache entry, or the rest would silently not run. */
  if (tail != NULL && *tail != '\0')
    {
      g_critical ("Cached SQL holds more than one statement: %s", sql);
      sqlite3_finalize (stmt);
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, "Invalid cached statement");
      return NULL;
    }

  g_hash_table_insert (self->stmts, g_strdup (sql), stmt);
  return stmt;
}

gboolean
pa_store_step_done (PaStore       *self,
                    PaCachedStmt  *stmt,
                    const char    *what,
                    GError       **error)
{
  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      pa_store_set_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

GPtrArray *
pa_store_collect_rows (PaStore         *self,
                       PaCachedStmt    *stmt,
                       PaStoreRowFunc   from_row,
                       GDestroyNotify   free_func,
                       const char      *what,
                       GError         **error)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func (free_func);
  int rc;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_ptr_array_add (rows, from_row (stmt));

  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, what);
      return NULL;
    }
  return g_steal_pointer (&rows);
}

static gboolean
exec_cached (PaStore     *self,
             const char  *sql,
             const char  *what,
             GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = pa_store_prepare_cached (self, sql, error);

  return stmt != NULL && pa_store_step_done (self, stmt, what, error);
}

gboolean
pa_store_exec (PaStore     *self,
               const char  *sql,
               GError     **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (sql != NULL, FALSE);

  if (self->tx_doomed)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The current database transaction was rolled back after an earlier "
                     "failure; nothing more can be done in it."));
      return FALSE;
    }

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("run a database statement"));
      return FALSE;
    }
  return TRUE;
}

int
pa_store_query_int (sqlite3    *db,
                    const char *sql,
                    int         fallback)
{
  sqlite3_stmt *stmt = NULL;
  int value = fallback;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value = NULL;

  if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) == SQLITE_OK
      && sqlite3_step (stmt) == SQLITE_ROW)
    value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

/* Transactions */

gboolean
pa_store_begin (PaStore  *self,
                GError  **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);

  if (self->tx_depth == 0)
    {
      /* Read before BEGIN, so that waiting for the write lock counts. */
      if (self->commit_func != NULL)
        self->tx_began_us = g_get_monotonic_time ();
      /* IMMEDIATE takes the write lock now: a deferred transaction that
       * reads first and writes later can fail with SQLITE_BUSY halfway
       * when another connection wrote in between, which busy_timeout
       * cannot cure. */
      if (!exec_cached (self, "BEGIN IMMEDIATE", _("start a transaction"), error))
        return FALSE;
    }
  else if (self->tx_doomed)
    {
      /* Counted anyway: the caller will close this level with a commit
       * or rollback of its own. */
      self->tx_depth++;
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The current database transaction was rolled back after an earlier "
                     "failure; nothing more can be done in it."));
      return FALSE;
    }

  self->tx_depth++;
  return TRUE;
}

gboolean
pa_store_commit (PaStore  *self,
                 GError  **error)
{
  gint64 commit_began_us;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (self->tx_depth > 0, FALSE);

  self->tx_depth--;

  if (self->tx_doomed)
    {
      if (self->tx_depth == 0)
        self->tx_doomed = FALSE;
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The database transaction was rolled back after an earlier failure; "
                     "its changes were not saved."));
      return FALSE;
    }

  if (self->tx_depth > 0)
    return TRUE;

  /* Some errors (disk full, I/O) make SQLite roll back on its own; a
   * COMMIT then would claim success for nothing. */
  if (sqlite3_get_autocommit (self->db))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The database transaction in “%s” was rolled back by SQLite after an "
                     "error; its changes were not saved. Try again."),
                   self->path);
      return FALSE;
    }

  commit_began_us = self->commit_func != NULL ? g_get_monotonic_time () : 0;
  if (!exec_cached (self, "COMMIT", _("save the changes"), error))
    {
      if (!sqlite3_get_autocommit (self->db))
        sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  if (self->commit_func != NULL)
    {
      gint64 now = g_get_monotonic_time ();

      self->commit_func (self, now - self->tx_began_us, now - commit_began_us,
                         self->commit_data);
    }

  return TRUE;
}

void
pa_store_set_commit_observer (PaStore           *self,
                              PaStoreCommitFunc  func,
                              gpointer           user_data)
{
  g_return_if_fail (PA_IS_STORE (self));

  self->commit_func = func;
  self->commit_data = user_data;
  /* A transaction already open is timed from now, not from its BEGIN. */
  self->tx_began_us = g_get_monotonic_time ();
}

char *
pa_store_describe_durability (PaStore *self)
{
  static const char * const sync_names[] = { "off", "normal", "full", "extra" };
  g_autofree char *mode = NULL;
  int sync;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  mode = query_text (self->db, "PRAGMA journal_mode");
  sync = pa_store_query_int (self->db, "PRAGMA synchronous", -1);

  return g_strdup_printf ("journal_mode=%s synchronous=%s",
                          mode != NULL ? mode : "unknown",
                          sync >= 0 && sync < (int) G_N_ELEMENTS (sync_names)
                          ? sync_names[sync] : "unknown");
}

gboolean
pa_store_sync_from_string (const char   *text,
                           PaStoreSync  *level,
                           GError      **error)
{
  g_return_val_if_fail (level != NULL, FALSE);

  if (text != NULL && g_ascii_strcasecmp (text, "normal") == 0)
    *level = PA_STORE_SYNC_NORMAL;
  else if (text != NULL && g_ascii_strcasecmp (text, "full") == 0)
    *level = PA_STORE_SYNC_FULL;
  else
    {
      /* TRANSLATORS: "normal" and "full" are values to type, keep them. */
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Unknown durability “%s”: use “normal” (the default) or “full” (every "
                     "commit is written to the disk before it is reported)"),
                   text != NULL ? text : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_store_resolve_sync (const char   *explicit_level,
                       PaStoreSync  *level,
                       GError      **error)
{
  const char *text = explicit_level;

  g_return_val_if_fail (level != NULL, FALSE);

  /* An empty variable is as good as none; an empty option is a mistake. */
  if (text == NULL)
    {
      text = g_getenv ("PLAYALTER_DURABILITY");
      if (text != NULL && text[0] == '\0')
        text = NULL;
    }
  if (text == NULL)
    {
      *level = PA_STORE_SYNC_NORMAL;
      return TRUE;
    }
  return pa_store_sync_from_string (text, level, error);
}

/* Without WAL a rollback journal at NORMAL could be left corrupt by a
 * power cut, so the connection stays at FULL there whatever is asked. */
static gboolean
apply_sync (PaStore      *self,
            PaStoreSync   level,
            GError      **error)
{
  const char *sql = level == PA_STORE_SYNC_FULL || !self->wal
                    ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL";

  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("set how changes are written to the disk"));
      return FALSE;
    }
  self->sync = level;
  return TRUE;
}

gboolean
pa_store_set_synchronous (PaStore      *self,
                          PaStoreSync   level,
                          GError      **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (level == PA_STORE_SYNC_NORMAL || level == PA_STORE_SYNC_FULL, FALSE);

  /* SQLite refuses it inside a transaction; said here in words. */
  if (self->tx_depth > 0 || !sqlite3_get_autocommit (self->db))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The durability of “%s” cannot change while a transaction is open; "
                     "commit it first."),
                   self->path);
      return FALSE;
    }
  return apply_sync (self, level, error);
}

PaStoreSync
pa_store_get_synchronous (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), PA_STORE_SYNC_NORMAL);

  return self->sync;
}

void
pa_store_rollback (PaStore *self)
{
  g_return_if_fail (PA_IS_STORE (self));
  g_return_if_fail (self->tx_depth > 0);

  self->tx_depth--;

  if (!self->tx_doomed && !sqlite3_get_autocommit (self->db))
    {
      g_autoptr(PaCachedStmt) stmt = pa_store_prepare_cached (self, "ROLLBACK", NULL);

      if (stmt == NULL || sqlite3_step (stmt) != SQLITE_DONE)
        g_warning ("Could not roll back a transaction in “%s”: %s",
                   self->path, sqlite3_errmsg (self->db));
    }

  /* Rolled back already, but outer levels still believe they are inside
   * a transaction: make their statements and commit fail rather than
   * quietly run in autocommit mode. */
  self->tx_doomed = self->tx_depth > 0;
}

/* Opening */

static gboolean
configure_connection (PaStore      *self,
                      gboolean      is_new,
                      PaStoreSync   level,
                      GError      **error)
{
  g_autofree char *mode = NULL;

  sqlite3_busy_timeout (self->db, BUSY_TIMEOUT_MS);

  /* Only possible while the database has no table yet, so before the
   * first migration; it lets retention give pages back to the disk with
   * PRAGMA incremental_vacuum instead of a full VACUUM. */
  if (is_new && sqlite3_exec (self->db, "PRAGMA auto_vacuum = INCREMENTAL",
                              NULL, NULL, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("set up the database"));
      return FALSE;
    }

  mode = query_text (self->db, "PRAGMA journal_mode = WAL");
  self->wal = g_strcmp0 (mode, "wal") == 0;
  if (self->wal)
    {
      /* In WAL mode a commit is an append to the -wal file; NORMAL, the
       * default, skips the fsync per commit and syncs at checkpoints
       * instead. The database can never be corrupted that way, and at
       * worst the last commits before a power cut are lost, not a process
       * crash. That is what makes a journal commit take well under 2 ms;
       * FULL, for whoever needs a power cut to lose nothing, fsyncs every
       * commit. */
      if (!apply_sync (self, level, error))
        return FALSE;
      /* A checkpoint reuses the -wal file without shrinking it; this
       * bounds what a burst of writes leaves on disk afterwards. */
      if (sqlite3_exec (self->db, "PRAGMA journal_size_limit = 8388608",
                        NULL, NULL, NULL) != SQLITE_OK)
        {
          pa_store_set_error (self, error, _("set up the database"));
          return FALSE;
        }
      /* Replaces SQLite's automatic checkpoint (itself a WAL hook). */
      self->checkpointer = pa_store_checkpointer_new (self->path, self->db);
    }
  else
    {
      /* Some file systems (network shares) cannot do WAL; a rollback
       * journal needs FULL syncs to survive a power cut. */
      g_warning ("The database “%s” cannot use write-ahead logging (journal mode %s); "
                 "it will be slower", self->path, mode != NULL ? mode : "unknown");
      apply_sync (self, level, NULL);
    }

  /* Off by default in SQLite, and a no-op inside a transaction, so it is
   * set here once per connection. steps → runs is the one foreign key. */
  if (sqlite3_exec (self->db, "PRAGMA foreign_keys = ON", NULL, NULL, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("set up the database"));
      return FALSE;
    }

  return TRUE;
}

/* @dir already resolved. */
static PaStore *
open_resolved (const char   *dir,
               PaStoreSync   level,
               GError      **error)
{
  g_autoptr(PaStore) self = NULL;
  g_autofree char *path = g_build_filename (dir, DB_FILE_NAME, NULL);
  gboolean is_new = FALSE;
  int existing_version = 0;

  if (!pa_store_ensure_data_dir (dir, error))
    return NULL;
  if (!pa_store_check_file (path, &is_new, error))
    return NULL;
  if (!is_new && !pa_store_read_existing_version (path, &existing_version, error))
    return NULL;

  self = g_object_new (PA_TYPE_STORE, NULL);
  self->data_dir = g_strdup (dir);
  self->path = g_steal_pointer (&path);

  if (sqlite3_open_v2 (self->path, &self->db,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("open the database"));
      return NULL;
    }
  sqlite3_extended_result_codes (self->db, TRUE);

  if (!configure_connection (self, is_new, level, error))
    return NULL;
  if (!pa_store_migrate (self, error))
    return NULL;
  self->schema_version = PA_STORE_SCHEMA_VERSION;

  return g_steal_pointer (&self);
}

PaStore *
pa_store_open (const char  *data_dir,
               GError     **error)
{
  g_autofree char *dir = NULL;
  PaStoreSync level;

  /* Before anything is touched: a mistyped level must not quietly give
   * less durability than was asked for. */
  if (!pa_store_resolve_sync (NULL, &level, error))
    return NULL;
  dir = pa_store_resolve_data_dir (data_dir);
  return open_resolved (dir, level, error);
}

typedef struct {
  char        *dir;
  PaStoreSync  level;
} OpenData;

static void
open_data_free (OpenData *data)
{
  g_free (data->dir);
  g_free (data);
}

static void
open_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  OpenData *data = task_data;
  GError *error = NULL;
  PaStore *store;

  if (g_task_return_error_if_cancelled (task))
    return;

  store = open_resolved (data->dir, data->level, &error);
  if (store == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, store, g_object_unref);
}

void
pa_store_open_async (const char          *data_dir,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  OpenData *data;
  GError *error = NULL;
  PaStoreSync level;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_store_open_async);
  /* Resolved here so the environment is read on the caller's thread. */
  if (!pa_store_resolve_sync (NULL, &level, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  data = g_new0 (OpenData, 1);
  data->dir = pa_store_resolve_data_dir (data_dir);
  data->level = level;
  g_task_set_task_data (task, data, (GDestroyNotify) open_data_free);
  g_task_run_in_thread (task, open_thread);
}

PaStore *
pa_store_open_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_store_open_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
pa_store_get_data_dir (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  return self->data_dir;
}

const char *
pa_store_get_path (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  return self->path;
}

int
pa_store_get_schema_version (PaStore *self)
{
  g_return_val_if_fail (PA_IS_STORE (self), -1);
  return self->schema_version;
}
