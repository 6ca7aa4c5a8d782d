/* pa-store-file.c — the data folder and the database file, looked at
 * before anything is opened for writing
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-error.h"

#include "pa-store-private.h"

#define SQLITE_MAGIC        "SQLite format 3"  /* + its NUL: 16 bytes */
#define SQLITE_MAGIC_LEN    16

/* Data dir */

char *
pa_store_default_data_dir (void)
{
  return g_build_filename (g_get_user_data_dir (), "playalter", NULL);
}

char *
pa_store_resolve_data_dir (const char *explicit_dir)
{
  const char *env;

  if (explicit_dir != NULL && explicit_dir[0] != '\0')
    return g_strdup (explicit_dir);

  env = g_getenv ("PLAYALTER_DATA_DIR");
  if (env != NULL && env[0] != '\0')
    return g_strdup (env);

  return pa_store_default_data_dir ();
}

gboolean
pa_store_ensure_data_dir (const char  *dir,
                          GError     **error)
{
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Could not create the data folder “%s”: %s. Choose a folder you can "
                     "write to with --data-dir or PLAYALTER_DATA_DIR."),
                   dir, g_strerror (errsv));
      return FALSE;
    }

  /* SQLite needs to create the -wal and -shm files next to the database,
   * so a folder we cannot write is refused before anything is opened. */
  if (g_access (dir, W_OK | X_OK) != 0)
    {
      int errsv = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Cannot write to the data folder “%s”: %s. Choose a folder you can "
                     "write to with --data-dir or PLAYALTER_DATA_DIR."),
                   dir, g_strerror (errsv));
      return FALSE;
    }

  return TRUE;
}

/* Inspection before any write */

static void
set_not_sqlite_error (GError     **error,
                      const char  *path)
{
  g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
               _("“%s” is not a PlayAlter database (it is not an SQLite file). It was left "
                 "untouched: move it away, or choose another data folder with --data-dir or "
                 "PLAYALTER_DATA_DIR."),
               path);
}

/* Looks at an existing file without opening it for writing. Sets
 * @is_new when there is nothing to preserve (no file, or an empty one). */
gboolean
pa_store_check_file (const char  *path,
                     gboolean    *is_new,
                     GError     **error)
{
  GStatBuf st;
  char header[SQLITE_MAGIC_LEN];
  FILE *fp;
  size_t n;

  *is_new = FALSE;

  if (g_stat (path, &st) != 0)
    {
      int errsv = errno;

      if (errsv == ENOENT)
        {
          *is_new = TRUE;
          return TRUE;
        }

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Cannot read the database “%s”: %s. Check its permissions, or choose "
                     "another data folder with --data-dir or PLAYALTER_DATA_DIR."),
                   path, g_strerror (errsv));
      return FALSE;
    }

  if (!S_ISREG (st.st_mode))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("“%s” is not a regular file, so it cannot be the database. Move it "
                     "away, or choose another data folder with --data-dir or "
                     "PLAYALTER_DATA_DIR."),
                   path);
      return FALSE;
    }

  if (g_access (path, R_OK | W_OK) != 0)
    {
      int errsv = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Cannot write to the database “%s”: %s. Check its permissions, or "
                     "choose another data folder with --data-dir or PLAYALTER_DATA_DIR."),
                   path, g_strerror (errsv));
      return FALSE;
    }

  if (st.st_size == 0)
    {
      *is_new = TRUE;
      return TRUE;
    }

  /* Checked here rather than left to SQLite, which would happily
   * "open" any file and only fail at the first query. */
  fp = g_fopen (path, "rb");
  if (fp == NULL)
    {
      int errsv = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Cannot read the database “%s”: %s. Check its permissions, or choose "
                     "another data folder with --data-dir or PLAYALTER_DATA_DIR."),
                   path, g_strerror (errsv));
      return FALSE;
    }
  n = fread (header, 1, sizeof header, fp);
  fclose (fp);

  if (n != sizeof header || memcmp (header, SQLITE_MAGIC, SQLITE_MAGIC_LEN) != 0)
    {
      set_not_sqlite_error (error, path);
      return FALSE;
    }

  return TRUE;
}

static gboolean
file_exists_nonempty (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 && st.st_size > 0;
}

/* Reads user_version through a read-only connection, so a database we
 * must refuse is never written. Without a -wal or -journal file next to
 * it the main file is the whole database, and immutable=1 reads it with
 * no locks and without creating a -shm file either. */
gboolean
pa_store_read_existing_version (const char  *path,
                                int         *version_out,
                                GError     **error)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);
  g_autofree char *journal = g_strconcat (path, "-journal", NULL);
  g_autofree char *escaped = g_uri_escape_string (path, "/", FALSE);
  g_autofree char *uri = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int n_objects = -1;
  int version = -1;
  int rc;

  if (file_exists_nonempty (wal) || file_exists_nonempty (journal))
    uri = g_strdup_printf ("file:%s?mode=ro", escaped);
  else
    uri = g_strdup_printf ("file:%s?mode=ro&immutable=1", escaped);

  rc = sqlite3_open_v2 (uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL);
  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "SELECT count(*) FROM sqlite_master", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      n_objects = sqlite3_column_int (stmt, 0);
      rc = SQLITE_OK;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc == SQLITE_OK)
    rc = sqlite3_prepare_v2 (db, "PRAGMA user_version", -1, &stmt, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      version = sqlite3_column_int (stmt, 0);
      rc = SQLITE_OK;
    }
  g_clear_pointer (&stmt, sqlite3_finalize);

  if (rc != SQLITE_OK)
    {
      if ((rc & 0xff) == SQLITE_NOTADB)
        set_not_sqlite_error (error, path);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                     _("Could not read the database “%s”: %s. It was left untouched. %s"),
                     path, db != NULL ? sqlite3_errmsg (db) : sqlite3_errstr (rc),
                     pa_store_hint_for_sqlite_code (rc));
      sqlite3_close (db);
      return FALSE;
    }
  sqlite3_close (db);

  if (version > PA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The database “%s” was created by a newer version of PlayAlter (schema "
                     "%d; this version knows up to %d). It was left untouched: update "
                     "PlayAlter, or choose another data folder with --data-dir or "
                     "PLAYALTER_DATA_DIR."),
                   path, version, PA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  /* Our migrations set user_version in the same transaction that creates
   * the first table, so tables at version 0 belong to another program. */
  if (version == 0 && n_objects > 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("“%s” is an SQLite database of another program, not PlayAlter's. It "
                     "was left untouched: move it away, or choose another data folder "
                     "with --data-dir or PLAYALTER_DATA_DIR."),
                   path);
      return FALSE;
    }

  *version_out = version;
  return TRUE;
}
