/* pa-store-runs.c — reading runs, steps and their events
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"

/* The columns run_from_row reads, in its order. */
#define RUN_COLUMNS \
  "id, workflow_id, definition_json, inputs_json, status, created_at, started_at, " \
  "finished_at, error"

void
pa_run_record_free (PaRunRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->workflow_id);
  g_free (record->definition_json);
  g_free (record->inputs_json);
  g_free (record->status);
  g_free (record->error);
  g_free (record);
}

void
pa_step_record_free (PaStepRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->run_id);
  g_free (record->step_id);
  g_free (record->status);
  g_free (record->idempotency_key);
  g_free (record->output_json);
  g_free (record->error);
  g_free (record);
}

static gpointer
run_from_row (PaCachedStmt *stmt)
{
  PaRunRecord *record = g_new0 (PaRunRecord, 1);

  record->id = pa_store_column_dup_text (stmt, 0);
  record->workflow_id = pa_store_column_dup_text (stmt, 1);
  record->definition_json = pa_store_column_dup_text (stmt, 2);
  record->inputs_json = pa_store_column_dup_text (stmt, 3);
  record->status = pa_store_column_dup_text (stmt, 4);
  /* SQL NULL reads as 0: "not yet". */
  record->created_at = sqlite3_column_int64 (stmt, 5);
  record->started_at = sqlite3_column_int64 (stmt, 6);
  record->finished_at = sqlite3_column_int64 (stmt, 7);
  record->error = pa_store_column_dup_text (stmt, 8);
  return record;
}

static GPtrArray *
collect_runs (PaStore       *self,
              PaCachedStmt  *stmt,
              GError       **error)
{
  return pa_store_collect_rows (self, stmt, run_from_row, (GDestroyNotify) pa_run_record_free,
                                _("read the runs"), error);
}

static gpointer
step_from_row (PaCachedStmt *stmt)
{
  PaStepRecord *record = g_new0 (PaStepRecord, 1);

  record->run_id = pa_store_column_dup_text (stmt, 0);
  record->step_id = pa_store_column_dup_text (stmt, 1);
  record->status = pa_store_column_dup_text (stmt, 2);
  record->attempts = sqlite3_column_int (stmt, 3);
  record->idempotency_key = pa_store_column_dup_text (stmt, 4);
  record->output_json = pa_store_column_dup_text (stmt, 5);
  record->error = pa_store_column_dup_text (stmt, 6);
  record->started_at = sqlite3_column_int64 (stmt, 7);
  record->finished_at = sqlite3_column_int64 (stmt, 8);
  return record;
}

PaRunRecord *
pa_store_get_run (PaStore     *self,
                  const char  *run_id,
                  GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  stmt = pa_store_prepare_cached (self, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return run_from_row (stmt);
  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read the run"));
      return NULL;
    }

  g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("There is no run %s."), run_id);
  return NULL;
}

GPtrArray *
pa_store_list_runs (PaStore     *self,
                    const char  *status,
                    guint        limit,
                    GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  /* id breaks ties between runs created in the same millisecond, so the
   * order is the same every time. */
  stmt = pa_store_prepare_cached (self,
    "SELECT " RUN_COLUMNS " FROM runs WHERE ?1 IS NULL OR status = ?1 "
    "ORDER BY created_at DESC, id DESC LIMIT ?2",
    error);
  if (stmt == NULL)
    return NULL;
  pa_store_bind_text_or_null (stmt, 1, status);
  /* A negative LIMIT is no limit in SQLite. */
  sqlite3_bind_int64 (stmt, 2, limit > 0 ? (gint64) limit : -1);

  return collect_runs (self, stmt, error);
}

GPtrArray *
pa_store_list_unfinished_runs (PaStore  *self,
                               GError  **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT " RUN_COLUMNS " FROM runs WHERE status IN ('pending', 'running', 'waiting') "
    "ORDER BY created_at, id",
    error);
  if (stmt == NULL)
    return NULL;

  return collect_runs (self, stmt, error);
}

GPtrArray *
pa_store_list_steps (PaStore     *self,
                     const char  *run_id,
                     GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (run_id != NULL, NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT run_id, step_id, status, attempts, idempotency_key, output_json, error, "
    "       started_at, finished_at "
    "FROM steps WHERE run_id = ?1 "
    "ORDER BY started_at IS NULL, started_at, step_id",
    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);

  return pa_store_collect_rows (self, stmt, step_from_row, (GDestroyNotify) pa_step_record_free,
                                _("read the run's steps"), error);
}

gboolean
pa_store_foreach_run_event (PaStore           *self,
                            const char        *run_id,
                            PaStoreEventFunc   func,
                            gpointer           user_data,
                            GError           **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (run_id != NULL, FALSE);
  g_return_val_if_fail (func != NULL, FALSE);

  /* Resuming a run reads its events through here: a cached statement
   * and strings lent from SQLite keep that free of parsing and copies. */
  stmt = pa_store_prepare_cached (self,
    "SELECT seq, step_id, kind, attempt, payload_json, at FROM events "
    "WHERE run_id = ?1 ORDER BY seq",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      PaEventRecord event = {
        .seq = sqlite3_column_int64 (stmt, 0),
        .run_id = run_id,
        .step_id = (const char *) sqlite3_column_text (stmt, 1),
        .kind = (const char *) sqlite3_column_text (stmt, 2),
        .attempt = sqlite3_column_int (stmt, 3),
        .payload_json = (const char *) sqlite3_column_text (stmt, 4),
        .at = sqlite3_column_int64 (stmt, 5),
      };

      func (&event, user_data);
    }

  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read the run's events"));
      return FALSE;
    }
  return TRUE;
}

gint64
pa_store_count_events (PaStore     *self,
                       const char  *run_id,
                       GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), -1);

  /* Two statements: "?1 IS NULL OR run_id = ?1" would keep SQLite from
   * counting one run's events through the events_run_seq index. */
  if (run_id != NULL)
    {
      stmt = pa_store_prepare_cached (self, "SELECT count(*) FROM events WHERE run_id = ?1", error);
      if (stmt != NULL)
        sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);
    }
  else
    stmt = pa_store_prepare_cached (self, "SELECT count(*) FROM events", error);
  if (stmt == NULL)
    return -1;

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pa_store_set_error (self, error, _("count the journal's events"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
pa_store_has_event (PaStore     *self,
                    const char  *kind,
                    const char  *json_path,
                    const char  *value,
                    GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (kind != NULL && json_path != NULL && value != NULL, FALSE);

  stmt = pa_store_prepare_cached (self,
    "SELECT 1 FROM events WHERE kind = ?1 AND json_extract (payload_json, ?2) = ?3 LIMIT 1",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, json_path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, value, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return TRUE;
  if (rc != SQLITE_DONE)
    pa_store_set_error (self, error, _("read the journal"));
  return FALSE;
}
