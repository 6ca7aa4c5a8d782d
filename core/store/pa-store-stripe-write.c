/* pa-store-stripe-write.c — storing a Stripe account's events, objects,
 * sync state and balance
 *
 * Stripe's events are the write model: each is kept once in
 * stripe_events, and the newest copy of the object it carried updates
 * stripe_objects (and stripe_payments for a charge), as
 * pa-store-stripe-project.c projects it. One statement per batch reads
 * each event's fields with SQLite's JSON functions (see there why).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"
#include "pa-store-stripe.h"
#include "pa-store-stripe-private.h"


void
pa_stripe_sync_state_free (PaStripeSyncState *state)
{
  if (state == NULL)
    return;

  g_free (state->cursor);
  g_free (state->backfill_top);
  g_free (state->backfill_next);
  g_free (state->last_error);
  g_free (state);
}

/* ---- events ------------------------------------------------------------ */

static gboolean
check_row (const PaStripeEventRow  *row,
           guint                    index,
           GError                 **error)
{
  if (row->id == NULL || row->id[0] == '\0' || strlen (row->id) > MAX_ID_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Could not store event %u of a batch from Stripe: it has no usable id."),
                   index + 1);
      return FALSE;
    }
  if (row->type == NULL || row->type[0] == '\0' || strlen (row->type) > MAX_ID_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Could not store the Stripe event “%s”: %s"), row->id,
                   _("it has no usable type"));
      return FALSE;
    }
  if (row->created < 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Could not store the Stripe event “%s”: %s"), row->id,
                   _("its time is out of range"));
      return FALSE;
    }
  if (row->payload_json == NULL || strlen (row->payload_json) > MAX_JSON_BYTES
      || !g_utf8_validate (row->payload_json, -1, NULL))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Could not store the Stripe event “%s”: %s"), row->id,
                   _("it is missing, too large or not UTF-8 text"));
      return FALSE;
    }
  return TRUE;
}

static gboolean
set_sync_state_in_tx (PaStore                  *self,
                      const char               *profile,
                      const PaStripeSyncState  *state,
                      GError                  **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  stmt = pa_store_prepare_cached (self,
    "INSERT OR REPLACE INTO stripe_sync (profile, cursor, backfill_top, backfill_next, "
    "  backfill_after, backfilled, last_synced_at, last_error) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  pa_store_bind_text_or_null (stmt, 2, state->cursor);
  pa_store_bind_text_or_null (stmt, 3, state->backfill_top);
  pa_store_bind_text_or_null (stmt, 4, state->backfill_next);
  sqlite3_bind_int64 (stmt, 5, state->backfill_after);
  sqlite3_bind_int (stmt, 6, state->backfilled ? 1 : 0);
  sqlite3_bind_int64 (stmt, 7, state->last_synced_at);
  pa_store_bind_text_or_null (stmt, 8, state->last_error);
  return pa_store_step_done (self, stmt, _("save where the Stripe sync stands"), error);
}

/* Stores one event; *@is_new FALSE when it was stored before. @read is
 * the batch's reading statement, reset. */
static gboolean
add_event (PaStore                 *self,
           const char              *profile,
           PaCachedStmt            *read,
           const PaStripeEventRow  *row,
           gboolean                 tie_wins,
           const char              *source,
           gint64                   received_at,
           gboolean                *is_new,
           GError                 **error)
{
  g_autoptr(PaCachedStmt) insert = NULL;
  Reader r = { read, row->payload_json, row->id, 0, "data.object." };
  const char *object_id = NULL, *object_type = NULL;
  int rc;

  /* Static: the row's strings outlive this statement's use. */
  sqlite3_bind_text (read, 1, row->payload_json, -1, SQLITE_STATIC);
  rc = sqlite3_step (read);
  if (rc == SQLITE_DONE || (rc == SQLITE_ROW && g_strcmp0 ((const char *) sqlite3_column_text
                                                             (read, C_ROOT_TYPE), "object") != 0))
    {
      pa_store_stripe_set_invalid (&r, error, _("it is not a JSON object"));
      return FALSE;
    }
  if (rc != SQLITE_ROW)
    {
      pa_store_set_error (self, error, _("read a Stripe event"));
      return FALSE;
    }
  if (g_strcmp0 ((const char *) sqlite3_column_text (read, C_ROOT_ID_TYPE), "text") != 0
      || g_strcmp0 ((const char *) sqlite3_column_text (read, C_ROOT_ID), row->id) != 0)
    {
      pa_store_stripe_set_invalid (&r, error, _("its “id” is missing or not the event’s"));
      return FALSE;
    }
  /* Part of the key that makes an event unique (see the migration). */
  if (g_strcmp0 ((const char *) sqlite3_column_text (read, C_ROOT_CREATED_TYPE), "integer") != 0
      || sqlite3_column_int64 (read, C_ROOT_CREATED) != row->created)
    {
      pa_store_stripe_set_invalid (&r, error, _("its “created” is missing or not the event’s"));
      return FALSE;
    }

  if (g_strcmp0 (field_type (&r, F_ID), "text") == 0)
    object_id = (const char *) sqlite3_column_text (read, field_column (F_ID));
  if (g_strcmp0 (field_type (&r, F_OBJECT), "text") == 0)
    object_type = (const char *) sqlite3_column_text (read, field_column (F_OBJECT));
  if ((object_id != NULL && strlen (object_id) > MAX_ID_BYTES)
      || (object_type != NULL && strlen (object_type) > MAX_ID_BYTES))
    {
      pa_store_stripe_set_invalid (&r, error, _("the id or kind of its object is too long"));
      return FALSE;
    }

  insert = pa_store_prepare_cached (self,
    "INSERT OR IGNORE INTO stripe_events (profile, id, type, created, object_id, object_type, "
    "  payload_json, received_at, source) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    error);
  if (insert == NULL)
    return FALSE;
  sqlite3_bind_text (insert, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, row->id, -1, SQLITE_STATIC);
  sqlite3_bind_text (insert, 3, row->type, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 4, row->created);
  pa_store_bind_text_or_null (insert, 5, object_id);
  pa_store_bind_text_or_null (insert, 6, object_type);
  sqlite3_bind_text (insert, 7, row->payload_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (insert, 8, received_at);
  sqlite3_bind_text (insert, 9, source, -1, SQLITE_STATIC);
  if (!pa_store_step_done (self, insert, _("store a Stripe event"), error))
    return FALSE;

  *is_new = sqlite3_changes (pa_store_get_db (self)) > 0;
  if (*is_new)
    r.event_seq = sqlite3_last_insert_rowid (pa_store_get_db (self));
  /* An event seen before was projected then: a second delivery changes
   * nothing, whichever path it came by. Its object is still checked, so
   * that a hostile batch fails whole. */
  return pa_store_stripe_project (self, profile, &r, row->created, tie_wins,
                  g_str_has_suffix (row->type, ".deleted"), *is_new, error);
}

gboolean
pa_store_stripe_add_events (PaStore                  *self,
                            const char               *profile,
                            const PaStripeEventRow   *rows,
                            guint                     n_rows,
                            PaStripeOrder             order,
                            const char               *source,
                            const PaStripeSyncState  *state,
                            GPtrArray                *new_ids,
                            GError                  **error)
{
  g_autoptr(GPtrArray) added = NULL;
  g_autoptr(PaCachedStmt) read = NULL;
  gboolean tie_wins = order == PA_STRIPE_ORDER_FORWARD;
  gint64 received_at;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);
  g_return_val_if_fail (rows != NULL || n_rows == 0, FALSE);
  g_return_val_if_fail (order == PA_STRIPE_ORDER_FORWARD || order == PA_STRIPE_ORDER_BACKWARD,
                        FALSE);

  if (source == NULL)
    source = "sync";

  /* Checked before anything is written, so that a bad row costs no
   * transaction. */
  for (guint i = 0; i < n_rows; i++)
    if (!check_row (&rows[i], i, error))
      return FALSE;

  added = g_ptr_array_new ();
  received_at = pa_store_now_ms (self);

  if (!pa_store_begin (self, error))
    return FALSE;

  /* Prepared once for the batch: its text is long, and looking it up
   * in the store's cache for every event cost more than reading one. */
  read = pa_store_prepare_cached (self, pa_store_stripe_read_sql (TRUE), error);
  if (read == NULL)
    {
      pa_store_rollback (self);
      return FALSE;
    }

  for (guint i = 0; i < n_rows; i++)
    {
      gboolean is_new = FALSE;

      sqlite3_reset (read);
      sqlite3_clear_bindings (read);
      if (!add_event (self, profile, read, &rows[i], tie_wins, source, received_at, &is_new,
                      error))
        {
          g_clear_pointer (&read, pa_cached_stmt_release);
          pa_store_rollback (self);
          return FALSE;
        }
      if (is_new)
        g_ptr_array_add (added, (gpointer) rows[i].id);
    }
  g_clear_pointer (&read, pa_cached_stmt_release);

  if (state != NULL && !set_sync_state_in_tx (self, profile, state, error))
    {
      pa_store_rollback (self);
      return FALSE;
    }

  if (!pa_store_commit (self, error))
    return FALSE;

  if (new_ids != NULL)
    for (guint i = 0; i < added->len; i++)
      g_ptr_array_add (new_ids, g_strdup (added->pdata[i]));
  return TRUE;
}

/* ---- objects, sync state, balance -------------------------------------- */

gboolean
pa_store_stripe_put_object (PaStore     *self,
                            const char  *profile,
                            const char  *object_json,
                            gint64       seen_at,
                            GError     **error)
{
  g_autoptr(PaCachedStmt) read = NULL;
  Reader r = { NULL, object_json, NULL, 0, "" };
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);

  if (object_json == NULL || strlen (object_json) > MAX_JSON_BYTES
      || !g_utf8_validate (object_json, -1, NULL))
    {
      pa_store_stripe_set_invalid (&r, error, _("it is missing, too large or not UTF-8 text"));
      return FALSE;
    }

  if (!pa_store_begin (self, error))
    return FALSE;

  read = pa_store_prepare_cached (self, pa_store_stripe_read_sql (FALSE), error);
  if (read == NULL)
    {
      pa_store_rollback (self);
      return FALSE;
    }
  r.stmt = read;
  sqlite3_bind_text (read, 1, object_json, -1, SQLITE_STATIC);
  rc = sqlite3_step (read);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    pa_store_set_error (self, error, _("read a Stripe object"));
  else if (rc == SQLITE_DONE)
    pa_store_stripe_set_invalid (&r, error, _("it is not a JSON object"));
  else if (g_strcmp0 (field_type (&r, F_OBJECT), "text") == 0
           && !pa_store_stripe_is_known_kind ((const char *) sqlite3_column_text
                                                (read, field_column (F_OBJECT))))
    /* Not shown by the page, so not kept: said, since a caller that
     * stores one expects to read it back. */
    pa_store_stripe_set_field_invalid (&r, error, F_OBJECT,
                                       _("a kind of object that is not kept"));
  else if (pa_store_stripe_project (self, profile, &r, seen_at, TRUE, FALSE, TRUE, error))
    {
      g_clear_pointer (&read, pa_cached_stmt_release);
      return pa_store_commit (self, error);
    }

  g_clear_pointer (&read, pa_cached_stmt_release);
  pa_store_rollback (self);
  return FALSE;
}

PaStripeSyncState *
pa_store_stripe_get_sync_state (PaStore     *self,
                                const char  *profile,
                                GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  PaStripeSyncState *state;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT cursor, backfill_top, backfill_next, backfill_after, backfilled, last_synced_at, "
    "       last_error "
    "FROM stripe_sync WHERE profile = ?1",
    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);

  state = g_new0 (PaStripeSyncState, 1);
  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    {
      state->cursor = pa_store_column_dup_text (stmt, 0);
      state->backfill_top = pa_store_column_dup_text (stmt, 1);
      state->backfill_next = pa_store_column_dup_text (stmt, 2);
      state->backfill_after = sqlite3_column_int64 (stmt, 3);
      state->backfilled = sqlite3_column_int (stmt, 4) != 0;
      state->last_synced_at = sqlite3_column_int64 (stmt, 5);
      state->last_error = pa_store_column_dup_text (stmt, 6);
    }
  else if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read where the Stripe sync stands"));
      g_clear_pointer (&state, pa_stripe_sync_state_free);
    }
  return state;
}

gboolean
pa_store_stripe_set_sync_state (PaStore                  *self,
                                const char               *profile,
                                const PaStripeSyncState  *state,
                                GError                  **error)
{
  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);
  g_return_val_if_fail (state != NULL, FALSE);

  return set_sync_state_in_tx (self, profile, state, error);
}

typedef struct {
  gint64 available;
  gint64 pending;
} BalanceAmounts;

static gboolean
set_balance_invalid (GError     **error,
                     const char  *reason)
{
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("Could not store the balance Stripe answered with: %s"), reason);
  return FALSE;
}

/* Adds one entry of the balance's "available" or "pending" list. */
static gboolean
read_balance_entry (PaCachedStmt  *stmt,
                    GHashTable    *by_currency,
                    GError       **error)
{
  const char *list = (const char *) sqlite3_column_text (stmt, 0);
  const char *currency = (const char *) sqlite3_column_text (stmt, 2);
  BalanceAmounts *amounts;
  gint64 amount;

  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 1), "text") != 0
      || currency == NULL || currency[0] == '\0' || strlen (currency) > 16)
    return set_balance_invalid (error, _("an entry has no currency"));
  if (g_strcmp0 ((const char *) sqlite3_column_text (stmt, 3), "integer") != 0
      || sqlite3_column_type (stmt, 4) != SQLITE_INTEGER)
    return set_balance_invalid (error, _("an amount is not a whole number"));
  amount = sqlite3_column_int64 (stmt, 4);
  /* A balance may be negative (refunds beyond what came in). */
  if (amount < -MAX_AMOUNT || amount > MAX_AMOUNT)
    return set_balance_invalid (error, _("an amount is out of range"));

  amounts = g_hash_table_lookup (by_currency, currency);
  if (amounts == NULL)
    {
      amounts = g_new0 (BalanceAmounts, 1);
      g_hash_table_insert (by_currency, g_ascii_strdown (currency, -1), amounts);
    }
  /* Stripe lists a currency once per list, by source type at most:
   * adding keeps the total either way. */
  if (strcmp (list, "available") == 0)
    amounts->available += amount;
  else
    amounts->pending += amount;
  return TRUE;
}

gboolean
pa_store_stripe_set_balance (PaStore     *self,
                             const char  *profile,
                             const char  *balance_json,
                             gint64       fetched_at_ms,
                             GError     **error)
{
  g_autoptr(PaCachedStmt) check = NULL;
  g_autoptr(PaCachedStmt) entries = NULL;
  g_autoptr(PaCachedStmt) del = NULL;
  g_autoptr(GHashTable) by_currency = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gboolean livemode;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);

  if (balance_json == NULL || strlen (balance_json) > MAX_JSON_BYTES
      || !g_utf8_validate (balance_json, -1, NULL))
    return set_balance_invalid (error, _("it is missing, too large or not UTF-8 text"));

  check = pa_store_prepare_cached (self,
    "SELECT json_type (?1), json_type (?1, '$.available'), json_type (?1, '$.pending'), "
    "       json_type (?1, '$.livemode') "
    "WHERE json_valid (?1)",
    error);
  if (check == NULL)
    return FALSE;
  sqlite3_bind_text (check, 1, balance_json, -1, SQLITE_STATIC);
  rc = sqlite3_step (check);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read the Stripe balance"));
      return FALSE;
    }
  if (rc == SQLITE_DONE || g_strcmp0 ((const char *) sqlite3_column_text (check, 0), "object") != 0)
    return set_balance_invalid (error, _("it is not a JSON object"));
  for (int i = 1; i <= 2; i++)
    {
      const char *type = (const char *) sqlite3_column_text (check, i);

      if (!is_absent (type) && strcmp (type, "array") != 0)
        return set_balance_invalid (error, _("“available” or “pending” is not a list"));
    }
  livemode = g_strcmp0 ((const char *) sqlite3_column_text (check, 3), "true") == 0;
  g_clear_pointer (&check, pa_cached_stmt_release);

  by_currency = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  entries = pa_store_prepare_cached (self,
    "SELECT 'available', json_type (value, '$.currency'), json_extract (value, '$.currency'), "
    "       json_type (value, '$.amount'), json_extract (value, '$.amount') "
    "FROM json_each (?1, '$.available') "
    "UNION ALL "
    "SELECT 'pending', json_type (value, '$.currency'), json_extract (value, '$.currency'), "
    "       json_type (value, '$.amount'), json_extract (value, '$.amount') "
    "FROM json_each (?1, '$.pending')",
    error);
  if (entries == NULL)
    return FALSE;
  sqlite3_bind_text (entries, 1, balance_json, -1, SQLITE_STATIC);
  while ((rc = sqlite3_step (entries)) == SQLITE_ROW)
    if (!read_balance_entry (entries, by_currency, error))
      return FALSE;
  if (rc != SQLITE_DONE)
    {
      /* An entry that is not an object makes json_type fail. */
      if ((sqlite3_errcode (pa_store_get_db (self)) & 0xff) == SQLITE_ERROR)
        return set_balance_invalid (error, _("an entry is not an object"));
      pa_store_set_error (self, error, _("read the Stripe balance"));
      return FALSE;
    }
  g_clear_pointer (&entries, pa_cached_stmt_release);

  if (!pa_store_begin (self, error))
    return FALSE;

  del = pa_store_prepare_cached (self, "DELETE FROM stripe_balances WHERE profile = ?1", error);
  if (del == NULL)
    goto fail;
  sqlite3_bind_text (del, 1, profile, -1, SQLITE_TRANSIENT);
  if (!pa_store_step_done (self, del, _("store the Stripe balance"), error))
    goto fail;

  g_hash_table_iter_init (&iter, by_currency);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      g_autoptr(PaCachedStmt) insert = NULL;
      BalanceAmounts *amounts = value;

      insert = pa_store_prepare_cached (self,
        "INSERT INTO stripe_balances (profile, currency, available, pending, livemode, "
        "  fetched_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        error);
      if (insert == NULL)
        goto fail;
      sqlite3_bind_text (insert, 1, profile, -1, SQLITE_TRANSIENT);
      sqlite3_bind_text (insert, 2, key, -1, SQLITE_TRANSIENT);
      sqlite3_bind_int64 (insert, 3, amounts->available);
      sqlite3_bind_int64 (insert, 4, amounts->pending);
      sqlite3_bind_int (insert, 5, livemode);
      sqlite3_bind_int64 (insert, 6, fetched_at_ms);
      if (!pa_store_step_done (self, insert, _("store the Stripe balance"), error))
        goto fail;
    }

  return pa_store_commit (self, error);

fail:
  pa_store_rollback (self);
  return FALSE;
}

gint64
pa_store_stripe_count_events (PaStore     *self,
                              const char  *profile,
                              GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), -1);
  g_return_val_if_fail (profile != NULL, -1);

  stmt = pa_store_prepare_cached (self,
    "SELECT count(*) FROM stripe_events WHERE profile = ?1", error);
  if (stmt == NULL)
    return -1;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pa_store_set_error (self, error, _("count the Stripe events"));
      return -1;
    }
  return sqlite3_column_int64 (stmt, 0);
}

gboolean
pa_store_stripe_forget (PaStore     *self,
                        const char  *profile,
                        GError     **error)
{
  static const char *const statements[] = {
    "DELETE FROM stripe_events WHERE profile = ?1",
    "DELETE FROM stripe_objects WHERE profile = ?1",
    "DELETE FROM stripe_payments WHERE profile = ?1",
    "DELETE FROM stripe_balances WHERE profile = ?1",
    "DELETE FROM stripe_sync WHERE profile = ?1",
    "DELETE FROM stripe_refund_requests WHERE profile = ?1",
  };

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (profile != NULL, FALSE);

  if (!pa_store_begin (self, error))
    return FALSE;

  for (guint i = 0; i < G_N_ELEMENTS (statements); i++)
    {
      g_autoptr(PaCachedStmt) stmt = pa_store_prepare_cached (self, statements[i], error);

      if (stmt == NULL)
        {
          pa_store_rollback (self);
          return FALSE;
        }
      sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
      if (!pa_store_step_done (self, stmt, _("forget a Stripe account’s copy"), error))
        {
          pa_store_rollback (self);
          return FALSE;
        }
    }

  return pa_store_commit (self, error);
}
