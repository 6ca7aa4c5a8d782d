/* test-store.c — opening, migrating and refusing databases; accounts; transactions
 *
 * What is on disk is checked through a connection of the test's own, not
 * through the store's.
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "pa-error.h"
#include "pa-journal.h"
#include "pa-store.h"
#include "pa-store-private.h"

#define MIGRATION_0001 "/io/playalter/PlayAlter/store/migrations/0001-initial.sql"

typedef struct {
  char *dir;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR) || g_file_test (path, G_FILE_TEST_IS_SYMLINK))
    {
      g_remove (path);
      return;
    }

  /* A test may have taken write permission away. */
  g_chmod (path, 0700);
  dir = g_dir_open (path, 0, NULL);
  if (dir != NULL)
    {
      const char *name;

      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);
          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_rmdir (path);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-test-store-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

/* Sorted names in a folder, to show that a refusal created nothing. */
static char *
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

static int
query_int (sqlite3    *db,
           const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  int value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = sqlite3_column_int (stmt, 0);
  sqlite3_finalize (stmt);
  return value;
}

static char *
query_text (sqlite3    *db,
            const char *sql)
{
  sqlite3_stmt *stmt = NULL;
  char *value;

  g_assert_cmpint (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  value = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  return value;
}

static gboolean
schema_has (sqlite3    *db,
            const char *type,
            const char *name)
{
  char *sql = sqlite3_mprintf ("SELECT count(*) FROM sqlite_master "
                               "WHERE type = %Q AND name = %Q", type, name);
  gboolean found = query_int (db, sql) == 1;

  sqlite3_free (sql);
  return found;
}

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

/* A database made with plain SQLite, as another program or an older or
 * newer PlayAlter would leave it. */
static void
make_db (const char *path,
         const char *sql,
         gboolean    wal)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  if (wal)
    exec_ok (db, "PRAGMA journal_mode = WAL");
  exec_ok (db, sql);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

/* A connection of the test's own to the store's database file. */
static sqlite3 *
open_other (PaStore *store)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (pa_store_get_path (store), &db, SQLITE_OPEN_READWRITE, NULL),
                   ==, SQLITE_OK);
  return db;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3, sqlite3_close)

/* Whether the store holds the write lock, that is, has a transaction
 * open in SQLite: another connection cannot start one then. */
static gboolean
store_holds_write_lock (PaStore *store)
{
  g_autoptr(sqlite3) db = open_other (store);
  int rc = sqlite3_exec (db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

  if (rc == SQLITE_OK)
    {
      exec_ok (db, "ROLLBACK");
      return FALSE;
    }
  g_assert_cmpint (rc, ==, SQLITE_BUSY);
  return TRUE;
}

static void
assert_refused_untouched (const char *data_dir,
                          const char *db_path,
                          const char *expected_fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *names_before = list_dir (data_dir);
  g_autofree char *names_after = NULL;
  gsize before_len, after_len;

  g_assert_true (g_file_get_contents (db_path, &before, &before_len, NULL));

  store = pa_store_open (data_dir, &error);
  g_assert_null (store);
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_test_message ("refusal: %s", error->message);
  g_assert_nonnull (strstr (error->message, db_path));
  g_assert_nonnull (strstr (error->message, expected_fragment));
  g_assert_nonnull (strstr (error->message, "untouched"));

  g_assert_true (g_file_get_contents (db_path, &after, &after_len, NULL));
  g_assert_cmpmem (before, before_len, after, after_len);

  /* No -wal, -shm or -journal appeared next to it. */
  names_after = list_dir (data_dir);
  g_assert_cmpstr (names_before, ==, names_after);
}

static void
test_fresh (Fixture       *fixture,
            gconstpointer  data)
{
  static const char *tables[] = {
    "accounts", "workflows", "runs", "events", "steps",
    "platform_logs", "assets", "settings", "stripe_events", "stripe_objects",
    "stripe_payments", "stripe_balances", "stripe_sync", "stripe_refund_requests",
  };
  static const char *indexes[] = {
    "events_run_seq", "runs_status", "platform_logs_at", "platform_logs_platform_at",
    "runs_created_at", "runs_finished_at", "stripe_events_created", "stripe_events_object",
    "stripe_objects_kind", "stripe_objects_parent", "stripe_payments_created",
    "stripe_payments_status", "stripe_refund_requests_charge",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *data_dir = g_build_filename (fixture->dir, "nested", "data", NULL);
  g_autofree char *db_path = g_build_filename (data_dir, "playalter.db", NULL);
  g_autofree char *mode = NULL;
  g_autofree char *durability = NULL;
  g_autoptr(sqlite3) db = NULL;
  GStatBuf st;

  store = pa_store_open (data_dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);

  g_assert_cmpstr (pa_store_get_data_dir (store), ==, data_dir);
  g_assert_cmpstr (pa_store_get_path (store), ==, db_path);
  g_assert_cmpint (pa_store_get_schema_version (store), ==, PA_STORE_SCHEMA_VERSION);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_IS_REGULAR));

  /* The data dir is private to the user. */
  g_assert_cmpint (g_stat (data_dir, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);

  db = open_other (store);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PA_STORE_SCHEMA_VERSION);
  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    if (!schema_has (db, "table", tables[i]))
      g_error ("The table %s is missing", tables[i]);
  for (guint i = 0; i < G_N_ELEMENTS (indexes); i++)
    if (!schema_has (db, "index", indexes[i]))
      g_error ("The index %s is missing", indexes[i]);
  /* Version 4 keeps Stripe events per profile. */
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM pragma_table_info ('stripe_events') "
                                  "WHERE name = 'profile'"), ==, 1);

  /* Both are kept in the file itself, so any connection reads them. */
  mode = query_text (db, "PRAGMA journal_mode");
  g_assert_cmpstr (mode, ==, "wal");
  g_assert_cmpint (query_int (db, "PRAGMA auto_vacuum"), ==, 2);   /* INCREMENTAL */

  /* synchronous is the store connection's own setting. */
  durability = pa_store_describe_durability (store);
  g_assert_cmpstr (durability, ==, "journal_mode=wal synchronous=normal");

  /* steps → runs is enforced (foreign_keys is on). */
  g_assert_false (pa_store_exec (store,
                                 "INSERT INTO steps (run_id, step_id, status) "
                                 "VALUES ('nope', 'a', 'running')", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);

  /* Opening again finds everything in place. */
  g_clear_object (&store);
  store = pa_store_open (data_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_get_schema_version (store), ==, PA_STORE_SCHEMA_VERSION);
}

static void
test_data_dir (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *def = pa_store_default_data_dir ();
  g_autofree char *expected_def = g_build_filename (g_get_user_data_dir (), "playalter", NULL);
  g_autofree char *old_env = g_strdup (g_getenv ("PLAYALTER_DATA_DIR"));
  char *resolved;

  g_assert_cmpstr (def, ==, expected_def);

  g_setenv ("PLAYALTER_DATA_DIR", fixture->dir, TRUE);

  resolved = pa_store_resolve_data_dir ("/somewhere/else");
  g_assert_cmpstr (resolved, ==, "/somewhere/else");
  g_free (resolved);

  resolved = pa_store_resolve_data_dir (NULL);
  g_assert_cmpstr (resolved, ==, fixture->dir);
  g_free (resolved);

  store = pa_store_open (NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (pa_store_get_data_dir (store), ==, fixture->dir);
  g_clear_object (&store);

  g_unsetenv ("PLAYALTER_DATA_DIR");
  resolved = pa_store_resolve_data_dir (NULL);
  g_assert_cmpstr (resolved, ==, expected_def);
  g_free (resolved);

  if (old_env != NULL)
    g_setenv ("PLAYALTER_DATA_DIR", old_env, TRUE);
}

static void
test_upgrade_from_v1 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(GBytes) v1 = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autofree char *db_path = g_build_filename (fixture->dir, "playalter.db", NULL);
  g_autofree char *v1_sql = NULL;
  g_autoptr(PaRunRecord) run = NULL;
  g_autoptr(sqlite3) db = NULL;
  PaAccountRecord *account;

  /* Version 1 exactly as the first release created it. */
  v1 = g_resources_lookup_data (MIGRATION_0001, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  g_assert_no_error (error);
  v1_sql = g_strndup (g_bytes_get_data (v1, NULL), g_bytes_get_size (v1));
  make_db (db_path, v1_sql, FALSE);
  make_db (db_path,
           "PRAGMA user_version = 1;"
           "INSERT INTO accounts (platform, profile, base_url, status) "
           "  VALUES ('openai', 'default', 'http://localhost:11434/v1', 'signed-in');"
           "INSERT INTO runs (id, definition_json, status, created_at) "
           "  VALUES ('run-1', '{}', 'running', 1700000000000);",
           FALSE);

  store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_get_schema_version (store), ==, PA_STORE_SCHEMA_VERSION);

  db = open_other (store);
  g_assert_cmpint (query_int (db, "PRAGMA user_version"), ==, PA_STORE_SCHEMA_VERSION);

  /* The rows survived... */
  accounts = pa_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 1);
  account = accounts->pdata[0];
  g_assert_cmpstr (account->platform, ==, "openai");
  g_assert_cmpstr (account->base_url, ==, "http://localhost:11434/v1");
  g_assert_cmpstr (account->status, ==, "signed-in");
  run = pa_store_get_run (store, "run-1", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (run->status, ==, "running");
  g_assert_cmpint (run->created_at, ==, 1700000000000);

  /* ...and version 2's indexes are there. */
  g_assert_true (schema_has (db, "index", "platform_logs_at"));
  g_assert_true (schema_has (db, "index", "platform_logs_platform_at"));
  /* ...and version 3's settings. */
  g_assert_true (schema_has (db, "table", "settings"));
  g_assert_true (schema_has (db, "index", "runs_finished_at"));
  g_assert_true (schema_has (db, "index", "runs_created_at"));
  g_assert_true (schema_has (db, "index", "stripe_events_created"));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                  "AND name = 'runs_created_at' AND tbl_name = 'runs'"), ==, 1);
  /* ...and version 4's Stripe copy, its events per profile. */
  g_assert_true (schema_has (db, "table", "stripe_payments"));
  g_assert_true (schema_has (db, "index", "stripe_payments_created"));
  g_assert_cmpint (query_int (db, "SELECT count(*) FROM sqlite_master WHERE type = 'index' "
                                  "AND name = 'stripe_events_created' "
                                  "AND sql LIKE '%(profile, created, id)%'"), ==, 1);
}

static void
test_newer_refused (Fixture       *fixture,
                    gconstpointer  data)
{
  gboolean wal = GPOINTER_TO_INT (data);
  g_autofree char *db_path = g_build_filename (fixture->dir, "playalter.db", NULL);
  g_autofree char *sql = g_strdup_printf ("CREATE TABLE future (x);"
                                          "INSERT INTO future VALUES (42);"
                                          "PRAGMA user_version = %d;",
                                          PA_STORE_SCHEMA_VERSION + 1);

  make_db (db_path, sql, wal);
  assert_refused_untouched (fixture->dir, db_path, "newer version of PlayAlter");
}

static void
write_file (const char *path,
            const char *contents,
            gssize      len)
{
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, contents, len, &error);
  g_assert_no_error (error);
}

static void
test_not_sqlite_refused (Fixture       *fixture,
                         gconstpointer  data)
{
  static const char png[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x10\0\0\0\x10\x08\x06\0\0\0";
  g_autofree char *db_path = g_build_filename (fixture->dir, "playalter.db", NULL);
  g_autofree char *bad_body = NULL;

  write_file (db_path, png, sizeof png - 1);
  assert_refused_untouched (fixture->dir, db_path, "not an SQLite file");

  write_file (db_path, "accounts:\n  - stripe\n", -1);
  assert_refused_untouched (fixture->dir, db_path, "not an SQLite file");

  /* Shorter than the header. */
  write_file (db_path, "SQL", -1);
  assert_refused_untouched (fixture->dir, db_path, "not an SQLite file");

  /* The right magic over a body that is not a database. */
  bad_body = g_malloc0 (4096);
  memcpy (bad_body, "SQLite format 3", 16);
  memset (bad_body + 16, 0x5a, 4096 - 16);
  write_file (db_path, bad_body, 4096);
  assert_refused_untouched (fixture->dir, db_path, "");
}

static void
test_foreign_sqlite_refused (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autofree char *db_path = g_build_filename (fixture->dir, "playalter.db", NULL);

  make_db (db_path, "CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('hi');", FALSE);
  assert_refused_untouched (fixture->dir, db_path, "another program");
}

static void
test_empty_file (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *db_path = g_build_filename (fixture->dir, "playalter.db", NULL);

  write_file (db_path, "", 0);
  store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_get_schema_version (store), ==, PA_STORE_SCHEMA_VERSION);
  {
    g_autoptr(sqlite3) db = open_other (store);

    g_assert_cmpint (query_int (db, "PRAGMA auto_vacuum"), ==, 2);
  }
}

static void
test_unwritable_not_a_dir (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "somefile", NULL);
  g_autofree char *under_file = g_build_filename (file, "sub", NULL);
  g_autofree char *contents = NULL;

  /* chmod does not stop root; a path through a regular file stops
   * everyone (ENOTDIR). */
  write_file (file, "not a folder", -1);

  store = pa_store_open (under_file, &error);
  g_assert_null (store);
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_test_message ("refusal: %s", error->message);
  g_assert_nonnull (strstr (error->message, under_file));
  g_assert_nonnull (strstr (error->message, g_strerror (ENOTDIR)));
  g_assert_nonnull (strstr (error->message, "--data-dir"));
  g_clear_error (&error);

  /* The data dir itself is a file. */
  store = pa_store_open (file, &error);
  g_assert_null (store);
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, file));
  g_clear_error (&error);

  g_assert_true (g_file_get_contents (file, &contents, NULL, NULL));
  g_assert_cmpstr (contents, ==, "not a folder");
}

#define UNPRIVILEGED_USER "nobody"

/* Gives @dir to UNPRIVILEGED_USER and drops every privilege of this
 * process for good (real, effective and saved ids, and the groups). */
static void
become_unprivileged (const char *dir)
{
  struct passwd *user = getpwnam (UNPRIVILEGED_USER);

  g_assert_nonnull (user);
  g_assert_cmpint (chown (dir, user->pw_uid, user->pw_gid), ==, 0);
  g_assert_cmpint (setgroups (0, NULL), ==, 0);
  g_assert_cmpint (setgid (user->pw_gid), ==, 0);
  g_assert_cmpint (setuid (user->pw_uid), ==, 0);
  g_assert_cmpint (geteuid (), !=, 0);
  g_assert_cmpint (setuid (0), !=, 0);
#ifdef __linux__
  /* Changing ids makes the process undumpable, and LeakSanitizer can then
   * not inspect it at exit. */
  prctl (PR_SET_DUMPABLE, 1);
#endif
}

static void
test_unwritable_chmod (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autofree char *parent = g_build_filename (fixture->dir, "locked", NULL);
  g_autofree char *child = g_build_filename (parent, "data", NULL);
  g_autofree char *db_path = g_build_filename (parent, "playalter.db", NULL);

  /* Root ignores permission bits: as root, the check runs in a child
   * that first becomes an unprivileged user. */
  if (geteuid () == 0 && !g_test_subprocess ())
    {
      if (getpwnam (UNPRIVILEGED_USER) == NULL)
        {
          /* No missing dependency, so no policy applies: the ENOTDIR test
           * covers the refusal for root. */
          g_test_skip ("root ignores permission bits, and there is no user "
                       UNPRIVILEGED_USER " to run this as");
          return;
        }
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDOUT |
                                       G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  if (geteuid () == 0)
    become_unprivileged (fixture->dir);

  /* A folder that cannot be created. */
  g_assert_cmpint (g_mkdir (parent, 0700), ==, 0);
  g_assert_cmpint (g_chmod (parent, 0500), ==, 0);
  store = pa_store_open (child, &error);
  g_assert_null (store);
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, child));
  g_clear_error (&error);

  /* A good database in a folder that can no longer be written: SQLite
   * could not make its -wal file, so it is refused up front. */
  g_assert_cmpint (g_chmod (parent, 0700), ==, 0);
  store = pa_store_open (parent, &error);
  g_assert_no_error (error);
  g_clear_object (&store);
  g_assert_cmpint (g_chmod (parent, 0500), ==, 0);
  {
    g_autofree char *before = NULL;
    g_autofree char *after = NULL;
    gsize before_len, after_len;

    g_assert_true (g_file_get_contents (db_path, &before, &before_len, NULL));
    store = pa_store_open (parent, &error);
    g_assert_null (store);
    g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
    g_assert_nonnull (strstr (error->message, parent));
    g_assert_true (g_file_get_contents (db_path, &after, &after_len, NULL));
    g_assert_cmpmem (before, before_len, after, after_len);
  }
  g_chmod (parent, 0700);
}

typedef struct {
  GMainLoop *loop;
  PaStore   *store;
  GError    *error;
} AsyncResult;

static void
opened_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  AsyncResult *res = user_data;

  g_assert_null (source);
  res->store = pa_store_open_finish (result, &res->error);
  g_main_loop_quit (res->loop);
}

static void
test_open_async (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *bad_dir = g_build_filename (fixture->dir, "bad", NULL);
  g_autofree char *bad_db = g_build_filename (bad_dir, "playalter.db", NULL);
  AsyncResult res = { loop, NULL, NULL };

  pa_store_open_async (fixture->dir, NULL, opened_cb, &res);
  g_main_loop_run (loop);
  g_assert_no_error (res.error);
  g_assert_true (PA_IS_STORE (res.store));
  g_assert_cmpint (pa_store_get_schema_version (res.store), ==, PA_STORE_SCHEMA_VERSION);
  g_clear_object (&res.store);

  /* Failures arrive the same way. */
  g_assert_cmpint (g_mkdir (bad_dir, 0700), ==, 0);
  write_file (bad_db, "hello", -1);
  pa_store_open_async (bad_dir, NULL, opened_cb, &res);
  g_main_loop_run (loop);
  g_assert_null (res.store);
  g_assert_error (res.error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&res.error);

  /* And so does a cancellation. */
  g_cancellable_cancel (cancellable);
  pa_store_open_async (fixture->dir, cancellable, opened_cb, &res);
  g_main_loop_run (loop);
  g_assert_null (res.store);
  g_assert_error (res.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&res.error);
}

static PaStore *
open_store (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  PaStore *store = pa_store_open (fixture->dir, &error);

  g_assert_no_error (error);
  return store;
}

static void
test_accounts (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) accounts = NULL;
  PaAccountRecord *a;

  g_assert_true (pa_store_save_account (store, "stripe", "work", NULL, "Acme", "signed-in", &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_save_account (store, "openai", "default", "http://localhost:11434/v1",
                                        NULL, "not-signed-in", &error));
  g_assert_true (pa_store_save_account (store, "stripe", "default", "", NULL, NULL, &error));
  g_assert_no_error (error);

  accounts = pa_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 3);
  g_assert_cmpstr (((PaAccountRecord *) accounts->pdata[0])->platform, ==, "openai");
  g_assert_cmpstr (((PaAccountRecord *) accounts->pdata[1])->platform, ==, "stripe");
  g_assert_cmpstr (((PaAccountRecord *) accounts->pdata[1])->profile, ==, "default");
  g_assert_cmpstr (((PaAccountRecord *) accounts->pdata[2])->profile, ==, "work");

  a = accounts->pdata[0];
  g_assert_cmpstr (a->base_url, ==, "http://localhost:11434/v1");
  g_assert_null (a->display_name);
  g_assert_cmpstr (a->status, ==, "not-signed-in");
  a = accounts->pdata[1];
  g_assert_null (a->base_url);     /* "" means the default */
  a = accounts->pdata[2];
  g_assert_cmpstr (a->display_name, ==, "Acme");
  g_assert_cmpstr (a->status, ==, "signed-in");
  g_assert_cmpint (a->validated_at, ==, 0);
  g_clear_pointer (&accounts, g_ptr_array_unref);

  /* Saving again updates the same row. */
  g_assert_true (pa_store_set_account_validated_at (store, "stripe", "work", 1700000000123, &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_save_account (store, "stripe", "work", "http://127.0.0.1:4010", "Acme Ltd",
                                        "keyring-unavailable", &error));
  g_assert_no_error (error);
  accounts = pa_store_list_accounts (store, &error);
  g_assert_cmpuint (accounts->len, ==, 3);
  a = accounts->pdata[2];
  g_assert_cmpstr (a->base_url, ==, "http://127.0.0.1:4010");
  g_assert_cmpstr (a->display_name, ==, "Acme Ltd");
  g_assert_cmpstr (a->status, ==, "keyring-unavailable");
  g_assert_cmpint (a->validated_at, ==, 1700000000123);
  g_clear_pointer (&accounts, g_ptr_array_unref);

  g_assert_false (pa_store_set_account_validated_at (store, "vercel", "default", 1, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  /* Deleting removes one row; deleting what is not there is fine. */
  g_assert_true (pa_store_delete_account (store, "stripe", "work", &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_delete_account (store, "stripe", "work", &error));
  g_assert_no_error (error);
  accounts = pa_store_list_accounts (store, &error);
  g_assert_cmpuint (accounts->len, ==, 2);
  g_assert_cmpstr (((PaAccountRecord *) accounts->pdata[1])->profile, ==, "default");
  g_clear_pointer (&accounts, g_ptr_array_unref);

  /* And it is all on disk. */
  g_clear_object (&store);
  store = open_store (fixture);
  accounts = pa_store_list_accounts (store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (accounts->len, ==, 2);
}

/* Committed rows, as another connection sees them. */
static int
count_rows (PaStore    *store,
            const char *table)
{
  g_autofree char *sql = g_strdup_printf ("SELECT count(*) FROM %s", table);
  g_autoptr(sqlite3) db = open_other (store);

  return query_int (db, sql);
}

static void
test_transactions (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = open_store (fixture);
  const char *insert_a = "INSERT INTO workflows VALUES ('a', 'A', '{}', 1, 1)";
  const char *insert_b = "INSERT INTO workflows VALUES ('b', 'B', '{}', 1, 1)";
  const char *insert_c = "INSERT INTO workflows VALUES ('c', 'C', '{}', 1, 1)";

  /* Nested commits: only the outermost one writes. */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, insert_a, &error));
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, insert_b, &error));
  g_assert_true (pa_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_true (store_holds_write_lock (store));     /* still inside the outer one */
  g_assert_true (pa_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_false (store_holds_write_lock (store));
  g_assert_cmpint (count_rows (store, "workflows"), ==, 2);

  /* An inner rollback rolls back everything, at once... */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, "DELETE FROM workflows", &error));
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, insert_c, &error));
  pa_store_rollback (store);
  g_assert_false (store_holds_write_lock (store));
  g_assert_cmpint (count_rows (store, "workflows"), ==, 2);

  /* ...and the outer level cannot go on as if nothing happened. */
  g_assert_false (pa_store_exec (store, insert_c, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_false (pa_store_begin (store, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_false (pa_store_commit (store, &error));     /* closes the failed begin */
  g_clear_error (&error);
  g_assert_false (pa_store_commit (store, &error));     /* the outermost */
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_cmpint (count_rows (store, "workflows"), ==, 2);
  {
    g_autoptr(sqlite3) db = open_other (store);

    g_assert_cmpint (query_int (db, "SELECT count(*) FROM workflows WHERE id = 'c'"), ==, 0);
  }

  /* Afterwards the store works normally. */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, insert_c, &error));
  g_assert_true (pa_store_commit (store, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_rows (store, "workflows"), ==, 3);

  /* An outermost rollback. */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, "DELETE FROM workflows", &error));
  pa_store_rollback (store);
  g_assert_cmpint (count_rows (store, "workflows"), ==, 3);

  /* A failing statement inside a transaction reports a storage error
   * naming the database. */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_false (pa_store_exec (store, insert_a, &error));   /* duplicate id */
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_assert_nonnull (strstr (error->message, pa_store_get_path (store)));
  g_clear_error (&error);
  pa_store_rollback (store);
  g_assert_false (store_holds_write_lock (store));
}

typedef struct {
  char     *path;
  GMutex    lock;
  GCond     cond;
  gboolean  locked;
} LockHolder;

/* Holds the write lock from another connection for a while. */
static gpointer
hold_write_lock (gpointer data)
{
  LockHolder *holder = data;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (holder->path, &db), ==, SQLITE_OK);
  exec_ok (db, "BEGIN IMMEDIATE");
  g_mutex_lock (&holder->lock);
  holder->locked = TRUE;
  g_cond_signal (&holder->cond);
  g_mutex_unlock (&holder->lock);
  g_usleep (300 * 1000);
  exec_ok (db, "COMMIT");
  sqlite3_close (db);
  return NULL;
}

/* A write while another process holds the lock waits for it (the busy
 * timeout) instead of failing at once. */
static void
test_busy_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = open_store (fixture);
  LockHolder holder = { g_strdup (pa_store_get_path (store)) };
  GThread *thread;
  gint64 start;

  g_mutex_init (&holder.lock);
  g_cond_init (&holder.cond);
  thread = g_thread_new ("lock-holder", hold_write_lock, &holder);
  g_mutex_lock (&holder.lock);
  while (!holder.locked)
    g_cond_wait (&holder.cond, &holder.lock);
  g_mutex_unlock (&holder.lock);

  start = g_get_monotonic_time ();
  g_assert_true (pa_store_save_account (store, "stripe", "default", NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 200 * 1000);

  g_thread_join (thread);
  g_mutex_clear (&holder.lock);
  g_cond_clear (&holder.cond);
  g_free (holder.path);
}

static gint64
file_size (const char *path)
{
  GStatBuf st;

  return g_stat (path, &st) == 0 ? (gint64) st.st_size : -1;
}

/* A commit that grows the WAL past its threshold is copied back into the
 * database by the checkpoint thread, not inside the commit; closing the
 * store checkpoints the rest and removes the WAL. */
static void
test_wal_checkpoint (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = open_store (fixture);
  g_autofree char *db_path = g_strdup (pa_store_get_path (store));
  g_autofree char *wal_path = g_strconcat (db_path, "-wal", NULL);
  gint64 before = file_size (db_path);
  gint64 deadline;

  /* About 6 MiB, well past the 4 MiB threshold. */
  g_assert_true (pa_store_exec (store,
                                "WITH RECURSIVE n (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                                "                         WHERE x < 300) "
                                "INSERT INTO workflows SELECT 'w' || x, 'n', "
                                "  hex (randomblob (10000)), 1, 1 FROM n",
                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_size (wal_path), >, 4 * 1024 * 1024);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while (file_size (db_path) < before + 5 * 1024 * 1024 && g_get_monotonic_time () < deadline)
    g_usleep (10 * 1000);
  g_assert_cmpint (file_size (db_path), >=, before + 5 * 1024 * 1024);

  g_clear_object (&store);
  g_assert_false (g_file_test (wal_path, G_FILE_TEST_EXISTS));
  store = open_store (fixture);
  g_assert_cmpint (count_rows (store, "workflows"), ==, 300);
}

static void
assert_durability (PaStore     *store,
                   PaStoreSync  level)
{
  g_autofree char *durability = pa_store_describe_durability (store);

  g_assert_cmpint (pa_store_get_synchronous (store), ==, level);
  g_assert_cmpstr (durability, ==, level == PA_STORE_SYNC_FULL
                                   ? "journal_mode=wal synchronous=full"
                                   : "journal_mode=wal synchronous=normal");
}

/* NORMAL unless asked; FULL once asked, through commits, rollbacks, a
 * refused change, the journal's open batch and the checkpoint thread,
 * until asked otherwise; not kept in the file. */
static void
test_durability (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaJournal) journal = NULL;
  g_autoptr(JsonNode) created = json_from_string ("{\"definition\": {\"name\": \"d\"}, "
                                                  "\"inputs\": {}}", NULL);
  g_autofree char *old_env = g_strdup (g_getenv ("PLAYALTER_DURABILITY"));
  g_autofree char *wal_path = NULL;
  PaStoreSync level = PA_STORE_SYNC_FULL;

  g_unsetenv ("PLAYALTER_DURABILITY");
  store = open_store (fixture);
  assert_durability (store, PA_STORE_SYNC_NORMAL);

  g_assert_true (pa_store_set_synchronous (store, PA_STORE_SYNC_FULL, &error));
  g_assert_no_error (error);
  assert_durability (store, PA_STORE_SYNC_FULL);

  /* A commit and a rollback leave it. */
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, "INSERT INTO workflows VALUES ('w1', 'n', '{}', 1, 1)",
                                &error));
  g_assert_true (pa_store_commit (store, &error));
  g_assert_no_error (error);
  assert_durability (store, PA_STORE_SYNC_FULL);
  g_assert_true (pa_store_begin (store, &error));
  g_assert_true (pa_store_exec (store, "INSERT INTO workflows VALUES ('w2', 'n', '{}', 1, 1)",
                                &error));
  /* SQLite cannot change it inside a transaction: refused, unchanged. */
  g_assert_false (pa_store_set_synchronous (store, PA_STORE_SYNC_NORMAL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);
  pa_store_rollback (store);
  assert_durability (store, PA_STORE_SYNC_FULL);
  g_assert_cmpint (count_rows (store, "workflows"), ==, 1);

  /* The journal's group commit batch is such a transaction. */
  journal = pa_journal_new (store);
  g_assert_cmpint (pa_journal_append_deferred (journal, "d1", NULL, PA_EVENT_RUN_CREATED, 1,
                                               created, 0, &error), >, 0);
  g_assert_no_error (error);
  g_assert_false (pa_store_set_synchronous (store, PA_STORE_SYNC_NORMAL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_STORAGE);
  g_clear_error (&error);
  g_assert_true (pa_journal_flush (journal, &error));
  g_assert_no_error (error);
  g_clear_object (&journal);
  assert_durability (store, PA_STORE_SYNC_FULL);

  /* The checkpoint thread has a connection of its own: the writer's
   * level is untouched when it starts and copies the WAL. */
  wal_path = g_strconcat (pa_store_get_path (store), "-wal", NULL);
  g_assert_true (pa_store_exec (store,
                                "WITH RECURSIVE n (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n "
                                "                         WHERE x < 300) "
                                "INSERT INTO workflows SELECT 'c' || x, 'n', "
                                "  hex (randomblob (10000)), 1, 1 FROM n",
                                &error));
  g_assert_no_error (error);
  g_assert_cmpint (file_size (wal_path), >, 4 * 1024 * 1024);
  g_assert_true (pa_store_exec (store, "INSERT INTO workflows VALUES ('w3', 'n', '{}', 1, 1)",
                                &error));
  assert_durability (store, PA_STORE_SYNC_FULL);

  g_assert_true (pa_store_set_synchronous (store, PA_STORE_SYNC_NORMAL, &error));
  assert_durability (store, PA_STORE_SYNC_NORMAL);
  g_assert_true (pa_store_set_synchronous (store, PA_STORE_SYNC_FULL, &error));

  /* A connection's own setting: opened again, it is the default. */
  g_clear_object (&store);
  store = open_store (fixture);
  assert_durability (store, PA_STORE_SYNC_NORMAL);
  g_clear_object (&store);

  /* PLAYALTER_DURABILITY sets it for every store opened, in any case. */
  g_setenv ("PLAYALTER_DURABILITY", "FULL", TRUE);
  store = open_store (fixture);
  assert_durability (store, PA_STORE_SYNC_FULL);
  g_clear_object (&store);
  g_setenv ("PLAYALTER_DURABILITY", "normal", TRUE);
  store = open_store (fixture);
  assert_durability (store, PA_STORE_SYNC_NORMAL);
  g_clear_object (&store);

  /* An explicit level wins over the variable. */
  g_assert_true (pa_store_resolve_sync ("full", &level, &error));
  g_assert_cmpint (level, ==, PA_STORE_SYNC_FULL);

  /* A level it does not know is refused, not taken as the default. */
  g_setenv ("PLAYALTER_DURABILITY", "fsync", TRUE);
  store = pa_store_open (fixture->dir, &error);
  g_assert_null (store);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "fsync"));
  g_clear_error (&error);
  {
    g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
    AsyncResult res = { loop, NULL, NULL };

    pa_store_open_async (fixture->dir, NULL, opened_cb, &res);
    g_main_loop_run (loop);
    g_assert_null (res.store);
    g_assert_error (res.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_clear_error (&res.error);

    /* Read on the caller's thread, as the data dir is. */
    g_setenv ("PLAYALTER_DURABILITY", "full", TRUE);
    pa_store_open_async (fixture->dir, NULL, opened_cb, &res);
    g_unsetenv ("PLAYALTER_DURABILITY");
    g_main_loop_run (loop);
    g_assert_no_error (res.error);
    assert_durability (res.store, PA_STORE_SYNC_FULL);
    g_clear_object (&res.store);
  }
  g_assert_false (pa_store_sync_from_string ("extra", &level, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_store_resolve_sync ("", &level, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  /* An empty variable is no choice at all: the default. */
  g_setenv ("PLAYALTER_DURABILITY", "", TRUE);
  g_assert_true (pa_store_resolve_sync (NULL, &level, &error));
  g_assert_no_error (error);
  g_assert_cmpint (level, ==, PA_STORE_SYNC_NORMAL);

  if (old_env != NULL)
    g_setenv ("PLAYALTER_DURABILITY", old_env, TRUE);
  else
    g_unsetenv ("PLAYALTER_DURABILITY");
}

static void
test_log_request (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = open_store (fixture);
  g_autoptr(GPtrArray) rows = NULL;
  gint64 before = g_get_real_time () / 1000;
  gint64 after;
  PaRequestRecord *row;

  g_assert_true (pa_store_log_request (store, "run-1", "pay", "stripe", "payment_link",
                                       "POST", "/v1/payment_links", 200, 87, &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_log_request (store, NULL, NULL, "openai", NULL,
                                       "GET", "/models", 0, 5000, &error));
  g_assert_no_error (error);
  g_assert_true (pa_store_log_request (store, "run-2", "ask", "openai", "chat",
                                       "POST", "/chat/completions", 429, 12, &error));
  g_assert_no_error (error);
  after = g_get_real_time () / 1000;

  g_assert_cmpint (count_rows (store, "platform_logs"), ==, 3);

  /* All of them, in the order they were logged. */
  rows = pa_store_list_requests (store, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 3);
  row = rows->pdata[0];
  g_assert_cmpstr (row->run_id, ==, "run-1");
  g_assert_cmpstr (row->step_id, ==, "pay");
  g_assert_cmpstr (row->platform, ==, "stripe");
  g_assert_cmpstr (row->action, ==, "payment_link");
  g_assert_cmpstr (row->method, ==, "POST");
  g_assert_cmpstr (row->path, ==, "/v1/payment_links");
  g_assert_cmpuint (row->http_status, ==, 200);
  g_assert_cmpint (row->response_time_ms, ==, 87);
  g_assert_cmpint (row->at, >=, before);
  g_assert_cmpint (row->at, <=, after);
  /* NULL columns come back as NULL, a missing response as 0. */
  row = rows->pdata[1];
  g_assert_null (row->run_id);
  g_assert_null (row->step_id);
  g_assert_null (row->action);
  g_assert_cmpstr (row->path, ==, "/models");
  g_assert_cmpuint (row->http_status, ==, 0);
  g_assert_cmpint (row->response_time_ms, ==, 5000);
  g_assert_cmpint (((PaRequestRecord *) rows->pdata[0])->id, <, row->id);
  g_assert_cmpint (row->id, <, ((PaRequestRecord *) rows->pdata[2])->id);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* One run's. */
  rows = pa_store_list_requests (store, "run-2", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  g_assert_cmpstr (row->step_id, ==, "ask");
  g_assert_cmpuint (row->http_status, ==, 429);
  g_clear_pointer (&rows, g_ptr_array_unref);

  rows = pa_store_list_requests (store, "run-none", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, data) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)

  ADD ("/store/fresh", test_fresh, NULL);
  ADD ("/store/data-dir", test_data_dir, NULL);
  ADD ("/store/upgrade-from-v1", test_upgrade_from_v1, NULL);
  ADD ("/store/refuse/newer", test_newer_refused, GINT_TO_POINTER (FALSE));
  ADD ("/store/refuse/newer-wal", test_newer_refused, GINT_TO_POINTER (TRUE));
  ADD ("/store/refuse/not-sqlite", test_not_sqlite_refused, NULL);
  ADD ("/store/refuse/foreign-sqlite", test_foreign_sqlite_refused, NULL);
  ADD ("/store/refuse/unwritable-not-a-dir", test_unwritable_not_a_dir, NULL);
  ADD ("/store/refuse/unwritable-chmod", test_unwritable_chmod, NULL);
  ADD ("/store/empty-file", test_empty_file, NULL);
  ADD ("/store/open-async", test_open_async, NULL);
  ADD ("/store/accounts", test_accounts, NULL);
  ADD ("/store/transactions", test_transactions, NULL);
  ADD ("/store/busy-timeout", test_busy_timeout, NULL);
  ADD ("/store/wal-checkpoint", test_wal_checkpoint, NULL);
  ADD ("/store/durability", test_durability, NULL);
  ADD ("/store/log-request", test_log_request, NULL);

#undef ADD

  return g_test_run ();
}
