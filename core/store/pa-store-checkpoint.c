/* pa-store-checkpoint.c — checkpointing the WAL off the writer's thread
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-store-private.h"

/* SQLite's own auto-checkpoint threshold, in WAL pages (4 MiB). */
#define CHECKPOINT_PAGES    1000

struct _PaStoreCheckpointer
{
  char     *path;
  sqlite3  *db;       /* the writer's, not owned */

  /* Started the first time the WAL is big enough. */
  GThread  *thread;
  GMutex    lock;
  GCond     cond;
  gboolean  wanted;
  gboolean  stop;
  gboolean  failed;   /* its connection could not open */
};

static gpointer
checkpoint_thread (gpointer data)
{
  PaStoreCheckpointer *self = data;
  sqlite3 *db = NULL;

  if (sqlite3_open_v2 (self->path, &db, SQLITE_OPEN_READWRITE, NULL) == SQLITE_OK)
    {
      /* Syncs the WAL before copying it and the database after, as the
       * writer's own checkpoints did. */
      sqlite3_exec (db, "PRAGMA synchronous = NORMAL", NULL, NULL, NULL);
      /* Never checkpoints on its own close: the writer's close does the
       * last one and removes the WAL. */
      sqlite3_db_config (db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, NULL);
    }
  else
    {
      g_warning ("Could not open a checkpoint connection to “%s”: %s",
                 self->path, sqlite3_errmsg (db));
      g_clear_pointer (&db, sqlite3_close);
      g_mutex_lock (&self->lock);
      self->failed = TRUE;
      g_mutex_unlock (&self->lock);
    }

  g_mutex_lock (&self->lock);
  for (;;)
    {
      while (!self->wanted && !self->stop)
        g_cond_wait (&self->cond, &self->lock);
      if (self->stop)
        break;
      self->wanted = FALSE;
      g_mutex_unlock (&self->lock);

      /* PASSIVE waits for no one: the writer goes on appending while the
       * frames committed so far are copied. A busy or failed checkpoint
       * is simply tried again after the next commits. */
      if (db != NULL)
        sqlite3_wal_checkpoint_v2 (db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

      g_mutex_lock (&self->lock);
    }
  g_mutex_unlock (&self->lock);

  sqlite3_close (db);
  return NULL;
}

/* Called after each commit with the WAL's size. SQLite's automatic
 * checkpoint would copy the WAL back and fsync both files inside the
 * commit that crossed the threshold, making that one commit take tens of
 * milliseconds; this hands the work to a thread instead. Durability is
 * unchanged: a commit is in the WAL either way. */
static int
wal_hook_cb (void       *user_data,
             sqlite3    *db,
             const char *db_name,
             int         n_pages)
{
  PaStoreCheckpointer *self = user_data;
  gboolean here;

  if (n_pages < CHECKPOINT_PAGES)
    return SQLITE_OK;

  g_mutex_lock (&self->lock);
  if (self->thread == NULL && !self->stop)
    {
      self->thread = g_thread_try_new ("pa-checkpoint", checkpoint_thread, self, NULL);
      if (self->thread == NULL)
        self->stop = TRUE;   /* do not try again */
    }
  here = self->thread == NULL || self->failed;
  if (!here)
    {
      self->wanted = TRUE;
      g_cond_signal (&self->cond);
    }
  g_mutex_unlock (&self->lock);

  /* Without a working thread, checkpoint here as SQLite would have. */
  if (here)
    sqlite3_wal_checkpoint_v2 (db, db_name, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);

  return SQLITE_OK;
}

PaStoreCheckpointer *
pa_store_checkpointer_new (const char *path,
                           sqlite3    *db)
{
  PaStoreCheckpointer *self = g_new0 (PaStoreCheckpointer, 1);

  self->path = g_strdup (path);
  self->db = db;
  g_mutex_init (&self->lock);
  g_cond_init (&self->cond);
  sqlite3_wal_hook (db, wal_hook_cb, self);
  return self;
}

void
pa_store_checkpointer_free (PaStoreCheckpointer *self)
{
  if (self == NULL)
    return;

  /* Commits after this (the store's last PRAGMA optimize) must not call
   * into freed memory; closing the connection checkpoints anyway. */
  sqlite3_wal_hook (self->db, NULL, NULL);
  if (self->thread != NULL)
    {
      g_mutex_lock (&self->lock);
      self->stop = TRUE;
      g_cond_signal (&self->cond);
      g_mutex_unlock (&self->lock);
      g_thread_join (g_steal_pointer (&self->thread));
    }
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->cond);
  g_free (self->path);
  g_free (self);
}
