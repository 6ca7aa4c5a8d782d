/* pa-store-accounts.c — the accounts table
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"

void
pa_account_record_free (PaAccountRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->platform);
  g_free (record->profile);
  g_free (record->base_url);
  g_free (record->display_name);
  g_free (record->status);
  g_free (record);
}

gboolean
pa_store_save_account (PaStore     *self,
                       const char  *platform,
                       const char  *profile,
                       const char  *base_url,
                       const char  *display_name,
                       const char  *status,
                       GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (platform != NULL && profile != NULL, FALSE);

  /* validated_at is left alone: saving new settings does not mean the
   * key was checked again. */
  stmt = pa_store_prepare_cached (self,
    "INSERT INTO accounts (platform, profile, base_url, display_name, status) "
    "VALUES (?1, ?2, ?3, ?4, ?5) "
    "ON CONFLICT (platform, profile) DO UPDATE SET "
    "  base_url = excluded.base_url, "
    "  display_name = excluded.display_name, "
    "  status = excluded.status",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, platform, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, profile, -1, SQLITE_TRANSIENT);
  pa_store_bind_text_or_null (stmt, 3, base_url != NULL && base_url[0] != '\0' ? base_url : NULL);
  pa_store_bind_text_or_null (stmt, 4, display_name);
  sqlite3_bind_text (stmt, 5, status != NULL ? status : "not-signed-in", -1, SQLITE_TRANSIENT);

  return pa_store_step_done (self, stmt, _("save the account"), error);
}

gboolean
pa_store_set_account_validated_at (PaStore     *self,
                                   const char  *platform,
                                   const char  *profile,
                                   gint64       validated_at_ms,
                                   GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (platform != NULL && profile != NULL, FALSE);

  stmt = pa_store_prepare_cached (self,
    "UPDATE accounts SET validated_at = ?3 WHERE platform = ?1 AND profile = ?2",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, platform, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, profile, -1, SQLITE_TRANSIENT);
  if (validated_at_ms > 0)
    sqlite3_bind_int64 (stmt, 3, validated_at_ms);
  else
    sqlite3_bind_null (stmt, 3);

  if (!pa_store_step_done (self, stmt, _("save the account"), error))
    return FALSE;

  if (sqlite3_changes (pa_store_get_db (self)) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("There is no saved account for %s with profile “%s”."),
                   platform, profile);
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_store_delete_account (PaStore     *self,
                         const char  *platform,
                         const char  *profile,
                         GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (platform != NULL && profile != NULL, FALSE);

  stmt = pa_store_prepare_cached (self,
    "DELETE FROM accounts WHERE platform = ?1 AND profile = ?2",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, platform, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, profile, -1, SQLITE_TRANSIENT);

  return pa_store_step_done (self, stmt, _("remove the account"), error);
}

static gpointer
account_from_row (PaCachedStmt *stmt)
{
  PaAccountRecord *record = g_new0 (PaAccountRecord, 1);

  record->platform = pa_store_column_dup_text (stmt, 0);
  record->profile = pa_store_column_dup_text (stmt, 1);
  record->base_url = pa_store_column_dup_text (stmt, 2);
  record->display_name = pa_store_column_dup_text (stmt, 3);
  record->status = pa_store_column_dup_text (stmt, 4);
  record->validated_at = sqlite3_column_int64 (stmt, 5);
  return record;
}

GPtrArray *
pa_store_list_accounts (PaStore  *self,
                        GError  **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT platform, profile, base_url, display_name, status, validated_at "
    "FROM accounts ORDER BY platform, profile",
    error);
  if (stmt == NULL)
    return NULL;

  return pa_store_collect_rows (self, stmt, account_from_row,
                                (GDestroyNotify) pa_account_record_free,
                                _("read the accounts"), error);
}
