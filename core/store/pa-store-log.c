/* pa-store-log.c — the request log (platform_logs)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-store-private.h"

void
pa_request_record_free (PaRequestRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->run_id);
  g_free (record->step_id);
  g_free (record->platform);
  g_free (record->action);
  g_free (record->method);
  g_free (record->path);
  g_free (record);
}

gboolean
pa_store_log_request (PaStore     *self,
                      const char  *run_id,
                      const char  *step_id,
                      const char  *platform,
                      const char  *action,
                      const char  *method,
                      const char  *path,
                      guint        http_status,
                      gint64       response_time_ms,
                      GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (platform != NULL && method != NULL && path != NULL, FALSE);

  stmt = pa_store_prepare_cached (self,
    "INSERT INTO platform_logs (run_id, step_id, platform, action, method, path, "
    "                           http_status, response_time_ms, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    error);
  if (stmt == NULL)
    return FALSE;

  pa_store_bind_text_or_null (stmt, 1, run_id);
  pa_store_bind_text_or_null (stmt, 2, step_id);
  sqlite3_bind_text (stmt, 3, platform, -1, SQLITE_TRANSIENT);
  pa_store_bind_text_or_null (stmt, 4, action);
  sqlite3_bind_text (stmt, 5, method, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 6, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 7, (int) MIN (http_status, (guint) G_MAXINT));
  sqlite3_bind_int64 (stmt, 8, response_time_ms);
  sqlite3_bind_int64 (stmt, 9, pa_store_now_ms (self));

  return pa_store_step_done (self, stmt, _("record the request"), error);
}

static gpointer
request_from_row (PaCachedStmt *stmt)
{
  PaRequestRecord *record = g_new0 (PaRequestRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->run_id = pa_store_column_dup_text (stmt, 1);
  record->step_id = pa_store_column_dup_text (stmt, 2);
  record->platform = pa_store_column_dup_text (stmt, 3);
  record->action = pa_store_column_dup_text (stmt, 4);
  record->method = pa_store_column_dup_text (stmt, 5);
  record->path = pa_store_column_dup_text (stmt, 6);
  record->http_status = (guint) MAX (sqlite3_column_int (stmt, 7), 0);
  record->response_time_ms = sqlite3_column_int64 (stmt, 8);
  record->at = sqlite3_column_int64 (stmt, 9);
  return record;
}

GPtrArray *
pa_store_list_requests (PaStore     *self,
                        const char  *run_id,
                        GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT id, run_id, step_id, platform, action, method, path, http_status, "
    "       response_time_ms, at "
    "FROM platform_logs WHERE ?1 IS NULL OR run_id = ?1 ORDER BY id",
    error);
  if (stmt == NULL)
    return NULL;
  pa_store_bind_text_or_null (stmt, 1, run_id);

  return pa_store_collect_rows (self, stmt, request_from_row,
                                (GDestroyNotify) pa_request_record_free,
                                _("read the request log"), error);
}
