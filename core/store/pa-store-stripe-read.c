/* pa-store-stripe-read.c — reading a Stripe account's synced copy, and refunds asked for
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"
#include "pa-store-stripe.h"
#include "pa-store-stripe-private.h"

/* ---- balance ----------------------------------------------------------- */

void
pa_stripe_balance_record_free (PaStripeBalanceRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->currency);
  g_free (record);
}

static gpointer
balance_from_row (PaCachedStmt *stmt)
{
  PaStripeBalanceRecord *record = g_new0 (PaStripeBalanceRecord, 1);

  record->currency = pa_store_column_dup_text (stmt, 0);
  record->available = sqlite3_column_int64 (stmt, 1);
  record->pending = sqlite3_column_int64 (stmt, 2);
  record->livemode = sqlite3_column_int (stmt, 3) != 0;
  record->fetched_at = sqlite3_column_int64 (stmt, 4);
  return record;
}

GPtrArray *
pa_store_stripe_get_balance (PaStore     *self,
                             const char  *profile,
                             GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  stmt = pa_store_prepare_cached (self,
    "SELECT currency, available, pending, livemode, fetched_at FROM stripe_balances "
    "WHERE profile = ?1 ORDER BY currency",
    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);

  return pa_store_collect_rows (self, stmt, balance_from_row,
                                (GDestroyNotify) pa_stripe_balance_record_free,
                                _("read the Stripe balance"), error);
}

/* ---- payments ---------------------------------------------------------- */

void
pa_stripe_payment_filter_init (PaStripePaymentFilter *filter)
{
  g_return_if_fail (filter != NULL);

  memset (filter, 0, sizeof *filter);
  filter->amount_min = -1;
  filter->amount_max = -1;
}

void
pa_stripe_payment_record_free (PaStripePaymentRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->currency);
  g_free (record->status);
  g_free (record->payment_intent);
  g_free (record->customer);
  g_free (record->email);
  g_free (record->name);
  g_free (record->description);
  g_free (record->method);
  g_free (record->card_brand);
  g_free (record->card_last4);
  g_free (record);
}

/* The columns payment_from_row reads, in its order. */
#define PAYMENT_COLUMNS \
  "id, created, amount, amount_refunded, currency, status, disputed, payment_intent, " \
  "customer, email, name, description, method, card_brand, card_last4, livemode"

static gpointer
payment_from_row (PaCachedStmt *stmt)
{
  PaStripePaymentRecord *record = g_new0 (PaStripePaymentRecord, 1);

  record->id = pa_store_column_dup_text (stmt, 0);
  record->created = sqlite3_column_int64 (stmt, 1);
  record->amount = sqlite3_column_int64 (stmt, 2);
  record->amount_refunded = sqlite3_column_int64 (stmt, 3);
  record->currency = pa_store_column_dup_text (stmt, 4);
  record->status = pa_store_column_dup_text (stmt, 5);
  record->disputed = sqlite3_column_int (stmt, 6) != 0;
  record->payment_intent = pa_store_column_dup_text (stmt, 7);
  record->customer = pa_store_column_dup_text (stmt, 8);
  record->email = pa_store_column_dup_text (stmt, 9);
  record->name = pa_store_column_dup_text (stmt, 10);
  record->description = pa_store_column_dup_text (stmt, 11);
  record->method = pa_store_column_dup_text (stmt, 12);
  record->card_brand = pa_store_column_dup_text (stmt, 13);
  record->card_last4 = pa_store_column_dup_text (stmt, 14);
  record->livemode = sqlite3_column_int (stmt, 15) != 0;
  return record;
}

/* The statuses the list can be narrowed to, and what each means in the
 * columns. "refunded" and the others the page derives are Stripe's
 * succeeded charges refunded or disputed since. */
static const struct {
  const char *name;
  const char *sql;
  gboolean    by_status;   /* the status index narrows it */
} status_filters[] = {
  { "succeeded", "status = 'succeeded'", TRUE },
  { "pending", "status = 'pending'", TRUE },
  { "failed", "status = 'failed'", TRUE },
  { "refunded", "status = 'succeeded' AND amount_refunded > 0 AND amount_refunded >= amount",
    TRUE },
  { "partially_refunded",
    "status = 'succeeded' AND amount_refunded > 0 AND amount_refunded < amount", TRUE },
  { "disputed", "disputed = 1", FALSE },
};

/* The parameters of the filtered statements, by number. */
enum {
  P_PROFILE = 1,
  P_SEARCH,
  P_CREATED_FROM,
  P_CREATED_TO,
  P_AMOUNT_MIN,
  P_AMOUNT_MAX,
  P_CURRENCY,
  P_LIMIT,
  P_OFFSET,
};

/* A filter turned into SQL: a WHERE clause that names only the
 * parameters it uses, so that each combination of filters is its own
 * cached statement and SQLite can pick the index that fits it, and the
 * values for them. */
typedef struct {
  GString *where;
  /* The index that gives the list's order with the narrowing it can. */
  const char *index;
  char    *pattern;
  char    *currency;
  const PaStripePaymentFilter *filter;
} Where;

static void
where_clear (Where *w)
{
  if (w->where != NULL)
    g_string_free (w->where, TRUE);
  g_free (w->pattern);
  g_free (w->currency);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Where, where_clear)

/* %, _ and the escape character itself stand for themselves in a
 * search: the user searches text, not LIKE patterns. */
static char *
like_pattern (const char *search)
{
  g_autofree char *valid = g_utf8_make_valid (search, -1);
  g_autofree char *lower = g_utf8_strdown (valid, -1);
  GString *pattern = g_string_new ("%");

  for (const char *p = lower; *p != '\0'; p++)
    {
      if (*p == '%' || *p == '_' || *p == '\\')
        g_string_append_c (pattern, '\\');
      g_string_append_c (pattern, *p);
    }
  g_string_append_c (pattern, '%');
  return g_string_free (pattern, FALSE);
}

static gboolean
where_build (Where                        *w,
             const PaStripePaymentFilter  *filter,
             GError                      **error)
{
  w->where = g_string_new ("profile = ?1");
  w->index = "stripe_payments_created";
  w->filter = filter;
  if (filter == NULL)
    return TRUE;

  if (filter->status != NULL && filter->status[0] != '\0')
    {
      guint i;

      for (i = 0; i < G_N_ELEMENTS (status_filters); i++)
        if (strcmp (filter->status, status_filters[i].name) == 0)
          break;
      if (i == G_N_ELEMENTS (status_filters))
        {
          /* TRANSLATORS: the statuses are values to type, keep them. */
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Unknown payment status “%s”: use succeeded, pending, failed, refunded, "
                         "partially_refunded or disputed."),
                       filter->status);
          return FALSE;
        }
      g_string_append_printf (w->where, " AND %s", status_filters[i].sql);
      if (status_filters[i].by_status)
        w->index = "stripe_payments_status";
    }
  if (filter->search != NULL && filter->search[0] != '\0')
    {
      w->pattern = like_pattern (filter->search);
      g_string_append (w->where, " AND search LIKE ?2 ESCAPE '\\'");
    }
  if (filter->created_from > 0)
    g_string_append (w->where, " AND created >= ?3");
  if (filter->created_to > 0)
    g_string_append (w->where, " AND created < ?4");
  if (filter->amount_min >= 0)
    g_string_append (w->where, " AND amount >= ?5");
  if (filter->amount_max >= 0)
    g_string_append (w->where, " AND amount <= ?6");
  if (filter->currency != NULL && filter->currency[0] != '\0')
    {
      w->currency = g_ascii_strdown (filter->currency, -1);
      g_string_append (w->where, " AND currency = ?7");
    }
  return TRUE;
}

/* Binds what where_build asked for; a parameter the statement does not
 * use is simply refused by SQLite, harmlessly. */
static void
where_bind (Where         *w,
            PaCachedStmt  *stmt,
            const char    *profile)
{
  const PaStripePaymentFilter *filter = w->filter;

  sqlite3_bind_text (stmt, P_PROFILE, profile, -1, SQLITE_TRANSIENT);
  if (filter == NULL)
    return;
  if (w->pattern != NULL)
    sqlite3_bind_text (stmt, P_SEARCH, w->pattern, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, P_CREATED_FROM, filter->created_from);
  sqlite3_bind_int64 (stmt, P_CREATED_TO, filter->created_to);
  sqlite3_bind_int64 (stmt, P_AMOUNT_MIN, filter->amount_min);
  sqlite3_bind_int64 (stmt, P_AMOUNT_MAX, filter->amount_max);
  if (w->currency != NULL)
    sqlite3_bind_text (stmt, P_CURRENCY, w->currency, -1, SQLITE_TRANSIENT);
}

guint
pa_store_stripe_count_payments (PaStore                      *self,
                                const char                   *profile,
                                const PaStripePaymentFilter  *filter,
                                GError                      **error)
{
  g_auto(Where) w = { 0, };
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), 0);
  g_return_val_if_fail (profile != NULL, 0);

  if (!where_build (&w, filter, error))
    return 0;
  sql = g_strdup_printf ("SELECT count(*) FROM stripe_payments WHERE %s", w.where->str);
  stmt = pa_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return 0;
  where_bind (&w, stmt, profile);

  if (sqlite3_step (stmt) != SQLITE_ROW)
    {
      pa_store_set_error (self, error, _("count the payments"));
      return 0;
    }
  return (guint) MIN (sqlite3_column_int64 (stmt, 0), (gint64) G_MAXUINT);
}

GPtrArray *
pa_store_stripe_list_payments (PaStore                      *self,
                               const char                   *profile,
                               const PaStripePaymentFilter  *filter,
                               guint                         offset,
                               guint                         limit,
                               GError                      **error)
{
  g_auto(Where) w = { 0, };
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *sql = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  if (!where_build (&w, filter, error))
    return NULL;
  /* The page's keys are found first, walking an index in the list's
   * order (named: see the migration on the planner), from the index
   * alone when nothing but the profile or the status narrows the list.
   * Walking past a deep offset then reads no payment's row, only the
   * rows of the page. id breaks ties between payments of the same
   * second, so pages never overlap. */
  sql = g_strdup_printf (
    "SELECT " PAYMENT_COLUMNS " FROM "
    "  (SELECT id AS page_id, created AS page_created FROM stripe_payments INDEXED BY %s "
    "   WHERE %s ORDER BY created DESC, id DESC LIMIT ?8 OFFSET ?9) "
    "  CROSS JOIN stripe_payments ON profile = ?1 AND id = page_id "
    "ORDER BY page_created DESC, page_id DESC",
    w.index, w.where->str);
  stmt = pa_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return NULL;
  where_bind (&w, stmt, profile);
  sqlite3_bind_int64 (stmt, P_LIMIT, limit > 0 ? (gint64) limit : -1);
  sqlite3_bind_int64 (stmt, P_OFFSET, offset);

  return pa_store_collect_rows (self, stmt, payment_from_row,
                                (GDestroyNotify) pa_stripe_payment_record_free,
                                _("read the payments"), error);
}

/* The row of @sql (?1 the profile, ?2 the id) made into a record by
 * @from_row, in *@out; NULL there when there is no such row. */
static gboolean
get_by_id (PaStore         *self,
           const char      *sql,
           const char      *profile,
           const char      *id,
           PaStoreRowFunc   from_row,
           const char      *what,
           gpointer        *out,
           GError         **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  *out = NULL;
  stmt = pa_store_prepare_cached (self, sql, error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, id, -1, SQLITE_TRANSIENT);

  rc = sqlite3_step (stmt);
  if (rc == SQLITE_ROW)
    *out = from_row (stmt);
  else if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, what);
      return FALSE;
    }
  return TRUE;
}

PaStripePaymentRecord *
pa_store_stripe_get_payment (PaStore     *self,
                             const char  *profile,
                             const char  *id,
                             GError     **error)
{
  gpointer record;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!get_by_id (self,
                  "SELECT " PAYMENT_COLUMNS " FROM stripe_payments WHERE profile = ?1 AND id = ?2",
                  profile, id, payment_from_row, _("read the payment"), &record, error))
    return NULL;
  if (record == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("There is no payment %s."), id);
  return record;
}

/* ---- other objects ----------------------------------------------------- */

void
pa_stripe_object_record_free (PaStripeObjectRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->object);
  g_free (record->parent);
  g_free (record->data_json);
  g_free (record);
}

#define OBJECT_COLUMNS "o.id, o.object, o.created, o.parent, " PA_STRIPE_OBJECT_JSON ("o")

/* A deleted object is always kept in data_json, marked as Stripe marks
 * one (see the write side). */
#define NOT_DELETED_SQL \
  "(o.data_json IS NULL OR json_extract (o.data_json, '$.deleted') IS NOT 1)"

static gpointer
object_from_row (PaCachedStmt *stmt)
{
  PaStripeObjectRecord *record = g_new0 (PaStripeObjectRecord, 1);

  record->id = pa_store_column_dup_text (stmt, 0);
  record->object = pa_store_column_dup_text (stmt, 1);
  record->created = sqlite3_column_int64 (stmt, 2);
  record->parent = pa_store_column_dup_text (stmt, 3);
  record->data_json = pa_store_column_dup_text (stmt, 4);
  return record;
}

GPtrArray *
pa_store_stripe_list_objects (PaStore     *self,
                              const char  *profile,
                              const char  *object,
                              const char  *parent,
                              guint        limit,
                              GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (object != NULL, NULL);

  /* Deleted products, prices and customers are kept as Stripe writes a
   * deleted object (see the write side), and are not listed. Two
   * statements, so that each uses the index that fits it. */
  if (parent != NULL)
    stmt = pa_store_prepare_cached (self,
      "SELECT " OBJECT_COLUMNS " FROM stripe_objects o INDEXED BY stripe_objects_parent "
      "WHERE o.profile = ?1 AND o.parent = ?3 AND o.object = ?2 AND " NOT_DELETED_SQL " "
      "ORDER BY o.created DESC, o.id DESC LIMIT ?4",
      error);
  else
    stmt = pa_store_prepare_cached (self,
      "SELECT " OBJECT_COLUMNS " FROM stripe_objects o "
      "WHERE o.profile = ?1 AND o.object = ?2 AND " NOT_DELETED_SQL " "
      "ORDER BY o.created DESC, o.id DESC LIMIT ?4",
      error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, object, -1, SQLITE_TRANSIENT);
  if (parent != NULL)
    sqlite3_bind_text (stmt, 3, parent, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, limit > 0 ? (gint64) limit : -1);

  return pa_store_collect_rows (self, stmt, object_from_row,
                                (GDestroyNotify) pa_stripe_object_record_free,
                                _("read the Stripe objects"), error);
}

PaStripeObjectRecord *
pa_store_stripe_get_object (PaStore     *self,
                            const char  *profile,
                            const char  *id,
                            GError     **error)
{
  gpointer record;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (id != NULL, NULL);

  if (!get_by_id (self,
                  "SELECT " OBJECT_COLUMNS " FROM stripe_objects o "
                  "WHERE o.profile = ?1 AND o.id = ?2",
                  profile, id, object_from_row, _("read the Stripe objects"), &record, error))
    return NULL;
  if (record == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("There is no Stripe object %s."), id);
  return record;
}

/* ---- a payment's timeline ---------------------------------------------- */

void
pa_stripe_event_record_free (PaStripeEventRecord *record)
{
  if (record == NULL)
    return;

  g_free (record->id);
  g_free (record->type);
  g_free (record->object_id);
  g_free (record);
}

static gpointer
event_from_row (PaCachedStmt *stmt)
{
  PaStripeEventRecord *record = g_new0 (PaStripeEventRecord, 1);

  record->id = pa_store_column_dup_text (stmt, 0);
  record->type = pa_store_column_dup_text (stmt, 1);
  record->created = sqlite3_column_int64 (stmt, 2);
  record->object_id = pa_store_column_dup_text (stmt, 3);
  return record;
}

GPtrArray *
pa_store_stripe_list_payment_events (PaStore     *self,
                                     const char  *profile,
                                     const char  *payment,
                                     GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);
  g_return_val_if_fail (payment != NULL, NULL);

  /* The ids first, then each one's events through its index (named:
   * see the migration on the planner). Events of the same second keep
   * the order they were stored in. */
  stmt = pa_store_prepare_cached (self,
    "SELECT e.id, e.type, e.created, e.object_id FROM ("
    "  SELECT ?2 AS object_id "
    "  UNION ALL SELECT payment_intent FROM stripe_payments WHERE profile = ?1 AND id = ?2 "
    "  UNION ALL SELECT id FROM stripe_objects INDEXED BY stripe_objects_parent "
    "            WHERE profile = ?1 AND parent = ?2 AND object IN ('refund', 'dispute')) k "
    "CROSS JOIN stripe_events e INDEXED BY stripe_events_object "
    "  ON e.profile = ?1 AND e.object_id = k.object_id "
    "ORDER BY e.created, e.received_at, e.id",
    error);
  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, payment, -1, SQLITE_TRANSIENT);

  return pa_store_collect_rows (self, stmt, event_from_row,
                                (GDestroyNotify) pa_stripe_event_record_free,
                                _("read the payment’s events"), error);
}

/* ---- refunds asked for ------------------------------------------------- */

static char *
new_refund_key (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *key = g_string_new ("pa-refund-");

  for (const char *p = uuid; *p != '\0'; p++)
    if (*p != '-')
      g_string_append_c (key, *p);
  return g_string_free (key, FALSE);
}

char *
pa_store_stripe_begin_refund (PaStore     *self,
                              const char  *profile,
                              const char  *charge,
                              gint64       amount,
                              GError     **error)
{
  g_autoptr(PaCachedStmt) find = NULL;
  g_autoptr(PaCachedStmt) insert = NULL;
  g_autofree char *key = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_STORE (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  if (charge == NULL || charge[0] == '\0' || amount < 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("A refund needs a payment and an amount that is not negative."));
      return NULL;
    }

  /* Looked up and recorded in one transaction, so two windows asking at
   * once share one key. */
  if (!pa_store_begin (self, error))
    return NULL;

  find = pa_store_prepare_cached (self,
    "SELECT idempotency_key FROM stripe_refund_requests "
    "WHERE profile = ?1 AND charge = ?2 AND amount = ?3 "
    "  AND refund_id IS NULL AND error IS NULL "
    "ORDER BY requested_at DESC LIMIT 1",
    error);
  if (find == NULL)
    goto fail;
  sqlite3_bind_text (find, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (find, 2, charge, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (find, 3, amount);
  rc = sqlite3_step (find);
  if (rc == SQLITE_ROW)
    {
      key = pa_store_column_dup_text (find, 0);
      g_clear_pointer (&find, pa_cached_stmt_release);
      if (!pa_store_commit (self, error))
        return NULL;
      return g_steal_pointer (&key);
    }
  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self, error, _("read the refunds asked for"));
      goto fail;
    }
  g_clear_pointer (&find, pa_cached_stmt_release);

  key = new_refund_key ();
  insert = pa_store_prepare_cached (self,
    "INSERT INTO stripe_refund_requests (profile, idempotency_key, charge, amount, "
    "  requested_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    error);
  if (insert == NULL)
    goto fail;
  sqlite3_bind_text (insert, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (insert, 3, charge, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (insert, 4, amount);
  sqlite3_bind_int64 (insert, 5, pa_store_now_ms (self));
  if (!pa_store_step_done (self, insert, _("record a refund asked for"), error))
    goto fail;
  g_clear_pointer (&insert, pa_cached_stmt_release);

  if (!pa_store_commit (self, error))
    return NULL;
  return g_steal_pointer (&key);

fail:
  g_clear_pointer (&find, pa_cached_stmt_release);
  g_clear_pointer (&insert, pa_cached_stmt_release);
  pa_store_rollback (self);
  return NULL;
}

gboolean
pa_store_stripe_finish_refund (PaStore     *self,
                               const char  *idempotency_key,
                               const char  *refund_id,
                               const char  *error_message,
                               GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  g_return_val_if_fail (PA_IS_STORE (self), FALSE);
  g_return_val_if_fail (idempotency_key != NULL, FALSE);

  /* Nothing known: the request stays open, and a retry reuses its key. */
  if (refund_id == NULL && error_message == NULL)
    return TRUE;

  stmt = pa_store_prepare_cached (self,
    "UPDATE stripe_refund_requests SET refund_id = ?2, error = ?3 WHERE idempotency_key = ?1",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, idempotency_key, -1, SQLITE_TRANSIENT);
  pa_store_bind_text_or_null (stmt, 2, refund_id);
  /* A refund made is the answer that counts, whatever else was said. */
  pa_store_bind_text_or_null (stmt, 3, refund_id == NULL ? error_message : NULL);
  if (!pa_store_step_done (self, stmt, _("record Stripe’s answer to a refund"), error))
    return FALSE;

  if (sqlite3_changes (pa_store_get_db (self)) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No refund was asked for with the key %s."), idempotency_key);
      return FALSE;
    }
  return TRUE;
}
