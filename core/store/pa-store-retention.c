/* pa-store-retention.c — pruning finished runs and the request log
 *
 * Every request adds a row to platform_logs and every run adds its
 * events, steps and outputs, so without pruning the database grows for as
 * long as PlayAlter is used (DESIGN.md §8). Retention removes what the
 * settings no longer keep, oldest first, and gives the space back to the
 * disk: the database is created with auto_vacuum = INCREMENTAL, so freed
 * pages can be returned with PRAGMA incremental_vacuum instead of a full
 * VACUUM, and a TRUNCATE checkpoint empties the write-ahead log.
 *
 * Files in the media folder are the user's and are never touched here:
 * only rows go.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-limits.h"

#include "pa-store-private.h"
#include "pa-store-retention.h"

/* Rows (runs for the runs, requests for the log) removed per transaction:
 * small enough that a writer waiting for the lock waits milliseconds,
 * large enough that 100,000 rows take a few hundred transactions. */
#define PRUNE_BATCH_RUNS      50
#define PRUNE_BATCH_REQUESTS  2000
#define BUSY_TIMEOUT_MS       5000
/* How long the final checkpoint waits for another one to finish. */
#define CHECKPOINT_TRIES      40
#define CHECKPOINT_RETRY_US   (50 * 1000)
#define MS_PER_DAY            (G_GINT64_CONSTANT (24) * 60 * 60 * 1000)

/* Settings */

typedef struct {
  const char *key;
  gsize       offset;
  guint       max;
  guint       fallback;
} RetentionSetting;

static const RetentionSetting retention_settings[] = {
  { "retention.runs_days", G_STRUCT_OFFSET (PaRetention, runs_days),
    PA_RETENTION_MAX_DAYS, PA_LIMIT_RETENTION_RUNS_DAYS },
  { "retention.runs_max", G_STRUCT_OFFSET (PaRetention, runs_max),
    PA_RETENTION_MAX_COUNT, PA_LIMIT_RETENTION_RUNS },
  { "retention.log_days", G_STRUCT_OFFSET (PaRetention, log_days),
    PA_RETENTION_MAX_DAYS, PA_LIMIT_RETENTION_LOG_DAYS },
  { "retention.log_max", G_STRUCT_OFFSET (PaRetention, log_max),
    PA_RETENTION_MAX_COUNT, PA_LIMIT_RETENTION_LOG_ROWS },
};

#define SETTING_FIELD(retention, setting) \
  G_STRUCT_MEMBER (guint, retention, (setting)->offset)

void
pa_retention_init_default (PaRetention *retention)
{
  g_return_if_fail (retention != NULL);

  for (guint i = 0; i < G_N_ELEMENTS (retention_settings); i++)
    SETTING_FIELD (retention, &retention_settings[i]) = retention_settings[i].fallback;
}

gboolean
pa_store_get_retention (PaStore      *self,
                        PaRetention  *retention,
                        GError      **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);

  pa_retention_init_default (retention);

  for (guint i = 0; i < G_N_ELEMENTS (retention_settings); i++)
    {
      const RetentionSetting *setting = &retention_settings[i];
      g_autoptr(PaCachedStmt) stmt = NULL;
      int rc;

      stmt = pa_store_prepare_cached (self, "SELECT value FROM settings WHERE key = ?1", error);
      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, setting->key, -1, SQLITE_STATIC);

      rc = sqlite3_step (stmt);
      if (rc == SQLITE_ROW)
        {
          /* A value out of range was not written by this code: the
           * default is safer than a guess. */
          gint64 value = sqlite3_column_int64 (stmt, 0);

          if (sqlite3_column_type (stmt, 0) == SQLITE_INTEGER
              && value >= 0 && value <= setting->max)
            SETTING_FIELD (retention, setting) = (guint) value;
        }
      else if (rc != SQLITE_DONE)
        {
          pa_store_set_error (self, error, _("read the retention settings"));
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
pa_store_set_retention (PaStore            *self,
                        const PaRetention  *retention,
                        GError            **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (retention != NULL, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (retention_settings); i++)
    {
      const RetentionSetting *setting = &retention_settings[i];

      if (SETTING_FIELD (retention, setting) > setting->max)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s takes a number from 0 (no limit) to %u, not %u"),
                       setting->key, setting->max, SETTING_FIELD (retention, setting));
          return FALSE;
        }
    }

  if (!pa_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (retention_settings); i++)
    {
      const RetentionSetting *setting = &retention_settings[i];
      g_autoptr(PaCachedStmt) stmt = NULL;

      stmt = pa_store_prepare_cached (self,
        "INSERT INTO settings (key, value) VALUES (?1, ?2) "
        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        error);
      if (stmt == NULL)
        goto fail;
      sqlite3_bind_text (stmt, 1, setting->key, -1, SQLITE_STATIC);
      sqlite3_bind_int64 (stmt, 2, SETTING_FIELD (retention, setting));
      if (!pa_store_step_done (self, stmt, _("save the retention settings"), error))
        goto fail;
    }

  return pa_store_commit (self, error);

fail:
  pa_store_rollback (self);
  return FALSE;
}

/* What goes. Parameters: ?1 the age cut-off in ms (runs that ended before
 * it go; INT64_MIN: no age rule), ?2 how many finished runs stay (0: no
 * count rule), ?3 the batch size. A run still being resumed may look at
 * what finished runs journaled since it was created (a Replicate
 * prediction id another step claimed), so those stay while it is
 * unfinished. */
#define FINISHED "status IN ('succeeded', 'failed', 'cancelled')"
#define RUNS_DOOMED \
  "SELECT id FROM runs WHERE " FINISHED " " \
  "AND finished_at < (SELECT coalesce (min (created_at), 9223372036854775807) " \
  "                   FROM runs WHERE NOT " FINISHED ") " \
  "AND (finished_at < ?1 " \
  "     OR (?2 > 0 AND id NOT IN (SELECT id FROM runs WHERE " FINISHED " " \
  "                               ORDER BY finished_at DESC, id DESC LIMIT ?2)))"
#define RUNS_BATCH RUNS_DOOMED " ORDER BY finished_at, id LIMIT ?3"

/* Parameters: ?1 the age cut-off in ms, ?2 the newest id that goes by
 * count (-1: none; SQLite numbers the rows from 1), ?3 the batch size.
 * The two rules are separate passes so that each walks its own index. */
#define LOG_BY_AGE \
  "DELETE FROM platform_logs WHERE id IN " \
  "(SELECT id FROM platform_logs WHERE at < ?1 ORDER BY at LIMIT ?3)"
#define LOG_BY_COUNT \
  "DELETE FROM platform_logs WHERE id IN " \
  "(SELECT id FROM platform_logs WHERE id <= ?2 ORDER BY id LIMIT ?3)"

typedef struct {
  char        *path;
  PaRetention  retention;
  gint64       now_ms;
  PaPruneFlags flags;
} PruneData;

static void
prune_data_free (PruneData *data)
{
  g_free (data->path);
  g_free (data);
}

/* One connection of the worker's own: the store's belongs to its thread. */
typedef struct {
  sqlite3      *db;
  const char   *path;
  GCancellable *cancellable;
  gint64        params[3];
} Pruner;

static gboolean
fail_db (Pruner      *p,
         GError     **error,
         const char  *what)
{
  pa_store_set_db_error (error, p->db, p->path, what);
  return FALSE;
}

static gboolean
prepare_bound (Pruner         *p,
               const char     *sql,
               sqlite3_stmt  **stmt,
               GError        **error)
{
  if (sqlite3_prepare_v2 (p->db, sql, -1, stmt, NULL) != SQLITE_OK)
    return fail_db (p, error, _("prepare a query"));

  for (int i = 1; i <= sqlite3_bind_parameter_count (*stmt); i++)
    sqlite3_bind_int64 (*stmt, i, p->params[i - 1]);
  return TRUE;
}

static gboolean
count_rows (Pruner       *p,
            const char   *sql,
            guint64      *count,
            GError      **error)
{
  sqlite3_stmt *stmt = NULL;
  gboolean ok;

  if (!prepare_bound (p, sql, &stmt, error))
    return FALSE;
  ok = sqlite3_step (stmt) == SQLITE_ROW;
  if (ok)
    *count += (guint64) sqlite3_column_int64 (stmt, 0);
  else
    fail_db (p, error, _("count what retention removes"));
  sqlite3_finalize (stmt);
  return ok;
}

/* Runs @sqls (NULL-terminated) in one transaction per batch, adding what
 * each removed to @counts, until the last one removes less than a batch. */
static gboolean
delete_in_batches (Pruner              *p,
                   const char * const  *sqls,
                   guint64            **counts,
                   GError             **error)
{
  gint64 batch = p->params[2];

  for (;;)
    {
      gint64 last = 0;

      if (g_cancellable_set_error_if_cancelled (p->cancellable, error))
        return FALSE;

      if (sqlite3_exec (p->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return fail_db (p, error, _("start a transaction"));

      for (guint i = 0; sqls[i] != NULL; i++)
        {
          sqlite3_stmt *stmt = NULL;
          int rc;

          if (!prepare_bound (p, sqls[i], &stmt, error))
            goto fail;
          rc = sqlite3_step (stmt);
          sqlite3_finalize (stmt);
          if (rc != SQLITE_DONE)
            {
              fail_db (p, error, _("remove old runs and requests"));
              goto fail;
            }
          last = sqlite3_changes64 (p->db);
          *counts[i] += (guint64) last;
        }

      if (sqlite3_exec (p->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        {
          fail_db (p, error, _("save the changes"));
          goto fail;
        }
      if (last < batch)
        return TRUE;
    }

fail:
  if (!sqlite3_get_autocommit (p->db))
    sqlite3_exec (p->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static guint64
file_size (const char *path)
{
  GStatBuf buf;

  return g_stat (path, &buf) == 0 ? (guint64) buf.st_size : 0;
}

static guint64
database_size (const char *path)
{
  g_autofree char *wal = g_strconcat (path, "-wal", NULL);

  return file_size (path) + file_size (wal);
}

static gint64
age_cutoff (gint64 now_ms,
            guint  days)
{
  return days > 0 ? now_ms - days * MS_PER_DAY : G_MININT64;
}

static gboolean
prune_runs (Pruner         *p,
            const PruneData *data,
            PaPruneReport  *report,
            GError        **error)
{
  static const char * const sqls[] = {
    "DELETE FROM events WHERE run_id IN (" RUNS_BATCH ")",
    "DELETE FROM steps WHERE run_id IN (" RUNS_BATCH ")",
    "DELETE FROM runs WHERE id IN (" RUNS_BATCH ")",
    NULL
  };
  guint64 *counts[] = { &report->events, &report->steps, &report->runs };

  if (data->retention.runs_days == 0 && data->retention.runs_max == 0)
    return TRUE;

  p->params[0] = age_cutoff (data->now_ms, data->retention.runs_days);
  p->params[1] = data->retention.runs_max;
  p->params[2] = PRUNE_BATCH_RUNS;

  if (data->flags & PA_PRUNE_FLAGS_DRY_RUN)
    return count_rows (p, "SELECT count(*) FROM events WHERE run_id IN (" RUNS_DOOMED ")",
                       &report->events, error)
        && count_rows (p, "SELECT count(*) FROM steps WHERE run_id IN (" RUNS_DOOMED ")",
                       &report->steps, error)
        && count_rows (p, "SELECT count(*) FROM (" RUNS_DOOMED ")", &report->runs, error);

  return delete_in_batches (p, sqls, counts, error);
}

static gboolean
prune_log (Pruner          *p,
           const PruneData *data,
           PaPruneReport   *report,
           GError         **error)
{
  static const char * const by_age[] = { LOG_BY_AGE, NULL };
  static const char * const by_count[] = { LOG_BY_COUNT, NULL };
  guint64 *counts[] = { &report->requests };
  gint64 cut_id = -1;

  /* The newest request beyond the count, found once: what is logged
   * while this runs is newer and stays. */
  if (data->retention.log_max > 0)
    {
      sqlite3_stmt *stmt = NULL;

      if (sqlite3_prepare_v2 (p->db,
                              "SELECT id FROM platform_logs ORDER BY id DESC LIMIT 1 OFFSET ?1",
                              -1, &stmt, NULL) != SQLITE_OK)
        return fail_db (p, error, _("prepare a query"));
      sqlite3_bind_int64 (stmt, 1, data->retention.log_max);
      if (sqlite3_step (stmt) == SQLITE_ROW)
        cut_id = sqlite3_column_int64 (stmt, 0);
      sqlite3_finalize (stmt);
    }

  p->params[0] = age_cutoff (data->now_ms, data->retention.log_days);
  p->params[1] = cut_id;
  p->params[2] = PRUNE_BATCH_REQUESTS;

  if (data->flags & PA_PRUNE_FLAGS_DRY_RUN)
    return count_rows (p, "SELECT count(*) FROM platform_logs WHERE at < ?1 OR id <= ?2",
                       &report->requests, error);

  return (data->retention.log_days == 0 || delete_in_batches (p, by_age, counts, error))
      && (cut_id < 0 || delete_in_batches (p, by_count, counts, error));
}

/* Gives freed pages back to the disk and empties the write-ahead log. */
static gboolean
shrink (Pruner         *p,
        PaPruneReport  *report,
        GError        **error)
{
  int rc, log_frames, checkpointed;

  /* Set before the first table on every database this code creates; one
   * made otherwise (an older tool, a copy) is converted once, which only
   * a full VACUUM can do. */
  if (pa_store_query_int (p->db, "PRAGMA auto_vacuum", -1) != 2)
    {
      if (sqlite3_exec (p->db, "PRAGMA auto_vacuum = INCREMENTAL", NULL, NULL, NULL) != SQLITE_OK
          || sqlite3_exec (p->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK)
        return fail_db (p, error, _("compact the database"));
      report->converted = TRUE;
    }
  else if (pa_store_query_int (p->db, "PRAGMA freelist_count", 0) > 0)
    {
      if (sqlite3_exec (p->db, "PRAGMA incremental_vacuum", NULL, NULL, NULL) != SQLITE_OK)
        return fail_db (p, error, _("compact the database"));
    }

  /* The pages given back leave the main file only once the log is copied
   * into it. The store's checkpoint thread may be copying at this moment,
   * which makes SQLite answer busy at once rather than wait, so that is
   * tried again for a while; still busy (a reader in an old snapshot) is
   * not a failure: the next checkpoint finishes the job. */
  for (guint i = 0; ; i++)
    {
      rc = sqlite3_wal_checkpoint_v2 (p->db, NULL, SQLITE_CHECKPOINT_TRUNCATE,
                                      &log_frames, &checkpointed);
      if ((rc & 0xff) != SQLITE_BUSY || i == CHECKPOINT_TRIES
          || g_cancellable_is_cancelled (p->cancellable))
        break;
      g_usleep (CHECKPOINT_RETRY_US);
    }
  if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY)
    return fail_db (p, error, _("write the log into the database"));
  return TRUE;
}

static void
prune_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  PruneData *data = task_data;
  g_autoptr(PaPruneReport) report = g_new0 (PaPruneReport, 1);
  Pruner p = { .path = data->path, .cancellable = cancellable };
  GError *error = NULL;
  gboolean ok;

  if (g_task_return_error_if_cancelled (task))
    return;

  report->size_before = database_size (data->path);

  if (sqlite3_open_v2 (data->path, &p.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    {
      fail_db (&p, &error, _("open the database"));
      sqlite3_close (p.db);
      g_task_return_error (task, error);
      return;
    }
  sqlite3_extended_result_codes (p.db, TRUE);
  sqlite3_busy_timeout (p.db, BUSY_TIMEOUT_MS);

  ok = prune_runs (&p, data, report, &error)
    && prune_log (&p, data, report, &error)
    && ((data->flags & PA_PRUNE_FLAGS_DRY_RUN) || shrink (&p, report, &error));

  sqlite3_close (p.db);

  if (!ok)
    {
      g_task_return_error (task, error);
      return;
    }
  report->size_after = database_size (data->path);
  g_task_return_pointer (task, g_steal_pointer (&report), g_free);
}

void
pa_store_prune_async (PaStore             *self,
                      PaPruneFlags         flags,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PruneData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STORE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_store_prune_async);

  /* Read here, on the store's own thread and connection; the worker
   * opens one of its own and never touches the store. */
  data = g_new0 (PruneData, 1);
  data->path = g_strdup (pa_store_get_path (self));
  data->now_ms = pa_store_now_ms (self);
  data->flags = flags;
  g_task_set_task_data (task, data, (GDestroyNotify) prune_data_free);
  if (!pa_store_get_retention (self, &data->retention, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, prune_thread);
}

PaPruneReport *
pa_store_prune_finish (PaStore       *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_store_prune_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Scheduling */

typedef struct {
  PaStore      *store;
  GCancellable *cancellable;
  gboolean      busy;
} Schedule;

static void
schedule_release (Schedule *schedule)
{
  g_clear_object (&schedule->store);
  g_clear_object (&schedule->cancellable);
}

static void
schedule_unref (Schedule *schedule)
{
  g_rc_box_release_full (schedule, (GDestroyNotify) schedule_release);
}

static void
schedule_stop (gpointer data)
{
  Schedule *schedule = data;

  g_cancellable_cancel (schedule->cancellable);
  schedule_unref (schedule);
}

static void
scheduled_prune_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Schedule *schedule = user_data;
  g_autoptr(PaPruneReport) report = NULL;
  g_autoptr(GError) error = NULL;

  schedule->busy = FALSE;
  report = pa_store_prune_finish (PA_STORE (source), result, &error);
  if (report == NULL)
    {
      /* Not a warning: the next prune tries again, and nothing is lost. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_message ("Could not prune the database: %s", error->message);
    }
  else
    g_debug ("Pruned %" G_GUINT64_FORMAT " runs and %" G_GUINT64_FORMAT " requests; "
             "database %" G_GUINT64_FORMAT " to %" G_GUINT64_FORMAT " bytes",
             report->runs, report->requests, report->size_before, report->size_after);
  schedule_unref (schedule);
}

static gboolean
scheduled_prune (gpointer data)
{
  Schedule *schedule = data;

  /* A prune that takes a whole interval is not doubled. */
  if (!schedule->busy)
    {
      schedule->busy = TRUE;
      pa_store_prune_async (schedule->store, PA_PRUNE_FLAGS_NONE, schedule->cancellable,
                            scheduled_prune_cb, g_rc_box_acquire (schedule));
    }
  return G_SOURCE_CONTINUE;
}

guint
pa_store_schedule_prune (PaStore *self,
                         guint    interval_s)
{
  Schedule *schedule;

  g_return_val_if_fail (PA_IS_STORE (self), 0);
  g_return_val_if_fail (interval_s > 0, 0);

  schedule = g_rc_box_new0 (Schedule);
  schedule->store = g_object_ref (self);
  schedule->cancellable = g_cancellable_new ();

  scheduled_prune (schedule);
  return g_timeout_add_seconds_full (G_PRIORITY_LOW, interval_s, scheduled_prune,
                                     schedule, schedule_stop);
}
