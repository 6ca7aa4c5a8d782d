/* pa-store-assets.c — files the app made or downloaded (assets)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"

#define ASSET_COLUMNS "id, kind, path, sha256, width, height, created_at, run_id"

void
pa_asset_record_free (PaAssetRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->kind);
  g_free (record->path);
  g_free (record->sha256);
  g_free (record->run_id);
  g_free (record);
}

static gpointer
asset_from_row (PaCachedStmt *stmt)
{
  PaAssetRecord *record = g_new0 (PaAssetRecord, 1);

  record->id = sqlite3_column_int64 (stmt, 0);
  record->kind = pa_store_column_dup_text (stmt, 1);
  record->path = pa_store_column_dup_text (stmt, 2);
  record->sha256 = pa_store_column_dup_text (stmt, 3);
  /* SQL NULL reads as 0: not known. */
  record->width = sqlite3_column_int (stmt, 4);
  record->height = sqlite3_column_int (stmt, 5);
  record->created_at = sqlite3_column_int64 (stmt, 6);
  record->run_id = pa_store_column_dup_text (stmt, 7);
  return record;
}

gint64
pa_store_add_asset (PaStore     *self,
                    const char  *kind,
                    const char  *path,
                    const char  *sha256,
                    int          width,
                    int          height,
                    const char  *run_id,
                    GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  gint64 id;

  g_return_val_if_fail (PA_IS_STORE (self), 0);
  g_return_val_if_fail (kind != NULL && path != NULL && sha256 != NULL, 0);

  stmt = pa_store_prepare_cached (self,
    "INSERT INTO assets (kind, path, sha256, width, height, created_at, run_id) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
    "ON CONFLICT (path) DO UPDATE SET kind = excluded.kind, sha256 = excluded.sha256, "
    "  width = COALESCE (excluded.width, width), height = COALESCE (excluded.height, height), "
    "  run_id = COALESCE (excluded.run_id, run_id) "
    "RETURNING id",
    error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, sha256, -1, SQLITE_TRANSIENT);
  if (width > 0 && height > 0)
    {
      sqlite3_bind_int (stmt, 4, width);
      sqlite3_bind_int (stmt, 5, height);
    }
  sqlite3_bind_int64 (stmt, 6, g_get_real_time () / 1000);
  pa_store_bind_text_or_null (stmt, 7, run_id);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pa_store_set_error (self, error, _("record a saved file"));
      return 0;
    }
  id = sqlite3_column_int64 (stmt, 0);
  /* Ran to its end, the write is complete before the statement is reset. */
  if (!pa_store_step_done (self, stmt, _("record a saved file"), error))
    return 0;
  return id;
}

PaAssetRecord *
pa_store_get_asset (PaStore     *self,
                    const char  *path,
                    GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  stmt = pa_store_prepare_cached (self, "SELECT " ASSET_COLUMNS " FROM assets WHERE path = ?1",
                                  error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, path, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    return asset_from_row (stmt);
  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read the saved files"));
      return NULL;
    }

  g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("No saved file is recorded at “%s”."), path);
  return NULL;
}

GPtrArray *
pa_store_list_assets (PaStore  *self,
                      GError  **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  stmt = pa_store_prepare_cached (self, "SELECT " ASSET_COLUMNS " FROM assets ORDER BY id", error);
  if (stmt == NULL)
    return NULL;

  return pa_store_collect_rows (self, stmt, asset_from_row,
                                (GDestroyNotify) pa_asset_record_free,
                                _("read the saved files"), error);
}

gboolean
pa_store_delete_asset (PaStore  *self,
                       gint64    id,
                       GError  **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);

  stmt = pa_store_prepare_cached (self, "DELETE FROM assets WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_int64 (stmt, 1, id);

  if (!pa_store_step_done (self, stmt, _("forget a saved file"), error))
    return FALSE;

  /* Two windows may delete the same result: the second is told, not
   * silently satisfied, so it can refresh what it shows. */
  if (sqlite3_changes (pa_store_get_db (self)) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No saved file is recorded with number %" PRId64 "."), id);
      return FALSE;
    }
  return TRUE;
}
