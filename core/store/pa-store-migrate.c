/* pa-store-migrate.c — bringing a database's schema up to this build's
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"
#include "pa-store-resources.h"

#define MIGRATIONS_PATH     "/io/playalter/PlayAlter/store/migrations"

static int
migration_number (const char *name)
{
  guint64 n = 0;
  const char *p;

  for (p = name; g_ascii_isdigit (*p); p++)
    {
      n = n * 10 + (guint64) (*p - '0');
      if (n > G_MAXINT)
        return -1;
    }
  if (p == name || *p != '-')
    return -1;
  return (int) n;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The store's own bundle of migrations. A static library's constructor
 * would be dropped by the linker, so it is set up here, once. */
static GResource *
migrations_resource (void)
{
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      pa_store_register_resource ();
      g_once_init_leave (&initialized, 1);
    }
  return pa_store_get_resource ();
}

static gboolean
apply_migration (PaStore     *self,
                 int          version,
                 const char  *name,
                 GError     **error)
{
  g_autofree char *resource = g_build_path ("/", MIGRATIONS_PATH, name, NULL);
  g_autofree char *set_version = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *sql = NULL;
  gconstpointer data;
  gsize len;
  sqlite3 *db = pa_store_get_db (self);
  int current;

  bytes = g_resource_lookup_data (migrations_resource (), resource,
                                 G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (bytes == NULL)
    return FALSE;
  /* GResource data is NUL-terminated, but the copy does not rely on it. */
  data = g_bytes_get_data (bytes, &len);
  sql = g_strndup (data, len);

  if (sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
    {
      pa_store_set_error (self, error, _("start upgrading the database"));
      return FALSE;
    }

  /* Another process may have upgraded while we waited for the lock. */
  current = pa_store_query_int (db, "PRAGMA user_version", -1);
  if (current >= version)
    {
      sqlite3_exec (db, "COMMIT", NULL, NULL, NULL);
      return TRUE;
    }

  /* user_version is part of the database header, written in this same
   * transaction: a crash leaves either the old schema and number or the
   * new ones, never a mix. */
  set_version = g_strdup_printf ("PRAGMA user_version = %d", version);
  if (sqlite3_exec (db, sql, NULL, NULL, NULL) != SQLITE_OK
      || sqlite3_exec (db, set_version, NULL, NULL, NULL) != SQLITE_OK
      || sqlite3_exec (db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
    {
      g_autofree char *what = g_strdup_printf (_("upgrade the database to schema %d (%s)"),
                                               version, name);

      pa_store_set_error (self, error, what);
      if (!sqlite3_get_autocommit (db))
        sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }

  g_debug ("Upgraded %s to schema %d", pa_store_get_path (self), version);
  return TRUE;
}

gboolean
pa_store_migrate (PaStore  *self,
                  GError  **error)
{
  sqlite3 *db = pa_store_get_db (self);
  g_auto(GStrv) names = NULL;
  guint n_names;
  int current;

  /* The store's own bundle, not the process-wide list: nothing else can
   * add or hide a migration. */
  names = g_resource_enumerate_children (migrations_resource (), MIGRATIONS_PATH,
                                         G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (names == NULL)
    return FALSE;

  n_names = g_strv_length (names);
  qsort (names, n_names, sizeof (char *), compare_names);

  /* The files must be numbered 1..PA_STORE_SCHEMA_VERSION without gaps;
   * anything else is a packaging mistake that must not reach a user's
   * database. */
  if ((int) n_names != PA_STORE_SCHEMA_VERSION)
    {
      g_critical ("Found %u migrations, expected %d", n_names, PA_STORE_SCHEMA_VERSION);
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("This build of PlayAlter is broken: its database migrations do not "
                     "match its schema version. Please report a bug."));
      return FALSE;
    }

  current = pa_store_query_int (db, "PRAGMA user_version", -1);
  for (guint i = 0; i < n_names; i++)
    {
      int version = (int) i + 1;

      if (migration_number (names[i]) != version)
        {
          g_critical ("Migration “%s” is out of sequence, expected number %d",
                      names[i], version);
          g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                       _("This build of PlayAlter is broken: its database migrations are "
                         "numbered wrongly. Please report a bug."));
          return FALSE;
        }

      if (version > current && !apply_migration (self, version, names[i], error))
        return FALSE;
    }

  current = pa_store_query_int (db, "PRAGMA user_version", -1);
  if (current != PA_STORE_SCHEMA_VERSION)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The database “%s” is at schema %d after upgrading, but this version "
                     "of PlayAlter needs %d. Another PlayAlter may be using it; close it and "
                     "try again."),
                   pa_store_get_path (self), current, PA_STORE_SCHEMA_VERSION);
      return FALSE;
    }

  return TRUE;
}
