/* pa-store-stripe-project.c — reading a Stripe object and projecting it
 *
 * Checks the fields of an object (on its own, or an event's
 * data.object) and stores its newest copy in stripe_objects, and a
 * charge's row of stripe_payments, keeping a payment's refunded amount
 * and dispute in step with the refunds and disputes stored for it.
 * pa-store-stripe-write.c stores the events that carry the objects.
 *
 * The JSON is read with SQLite's own JSON functions rather than
 * json-glib: within one statement SQLite parses a text once and answers
 * every json_type/json_extract on it from that parse, without building a
 * tree of GObjects, which made storing a page of events several times
 * faster (see the Stripe store test's 100,000 event run).
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

/* ---- reading an object's fields ---------------------------------------- */

static const char *const field_paths[N_FIELDS] = {
  [F_ID] = "id",
  [F_OBJECT] = "object",
  [F_CREATED] = "created",
  [F_LIVEMODE] = "livemode",
  [F_AMOUNT] = "amount",
  [F_AMOUNT_REFUNDED] = "amount_refunded",
  [F_CURRENCY] = "currency",
  [F_STATUS] = "status",
  [F_PAYMENT_INTENT] = "payment_intent",
  [F_PAYMENT_INTENT_ID] = "payment_intent.id",
  [F_CUSTOMER] = "customer",
  [F_CUSTOMER_ID] = "customer.id",
  [F_BILLING_EMAIL] = "billing_details.email",
  [F_RECEIPT_EMAIL] = "receipt_email",
  [F_BILLING_NAME] = "billing_details.name",
  [F_DESCRIPTION] = "description",
  [F_METHOD] = "payment_method_details.type",
  [F_CARD_BRAND] = "payment_method_details.card.brand",
  [F_CARD_LAST4] = "payment_method_details.card.last4",
  [F_DISPUTED] = "disputed",
  [F_CHARGE] = "charge",
  [F_CHARGE_ID] = "charge.id",
  [F_PRODUCT] = "product",
  [F_PRODUCT_ID] = "product.id",
};

/* One statement reads everything from the JSON text ?1, so that SQLite
 * parses it once. @prefix is where the object is: "$" for an object,
 * "$.data.object" for an event's. No row at all: ?1 is not JSON. */
static char *
build_read_sql (const char *prefix)
{
  GString *sql = g_string_new ("SELECT ");

  g_string_append_printf (sql,
                          "json_type (?1, '%s'), json_type (?1), "
                          "json_type (?1, '$.id'), json_extract (?1, '$.id'), "
                          "json_type (?1, '$.created'), json_extract (?1, '$.created')",
                          prefix);
  for (guint i = 0; i < N_FIELDS; i++)
    g_string_append_printf (sql, ", json_type (?1, '%s.%s'), json_extract (?1, '%s.%s')",
                            prefix, field_paths[i], prefix, field_paths[i]);
  g_string_append (sql, " WHERE json_valid (?1)");
  return g_string_free (sql, FALSE);
}

const char *
pa_store_stripe_read_sql (gboolean in_event)
{
  static char *sql[2];
  static gsize initialized;

  if (g_once_init_enter (&initialized))
    {
      sql[0] = build_read_sql ("$");
      sql[1] = build_read_sql ("$.data.object");
      g_once_init_leave (&initialized, 1);
    }
  return sql[in_event ? 1 : 0];
}

void
pa_store_stripe_set_invalid (Reader      *r,
                             GError     **error,
                             const char  *format,
                             ...)
{
  g_autofree char *reason = NULL;
  va_list args;

  va_start (args, format);
  reason = g_strdup_vprintf (format, args);
  va_end (args);

  if (r->event_id != NULL)
    /* TRANSLATORS: "Could not store the Stripe event “evt_…”: <reason>" */
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("Could not store the Stripe event “%s”: %s"), r->event_id, reason);
  else
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("Could not store the object Stripe answered with: %s"), reason);
}

void
pa_store_stripe_set_field_invalid (Reader      *r,
                                   GError     **error,
                                   Field        field,
                                   const char  *what)
{
  g_autofree char *path = g_strconcat (r->path_prefix, field_paths[field], NULL);

  /* TRANSLATORS: "“data.object.amount” is <not a whole number in range>" */
  pa_store_stripe_set_invalid (r, error, _("“%s” is %s"), path, what);
}

/* A text field: NULL in *@out when absent (an error when @required). */
static gboolean
read_text (Reader      *r,
           Field        field,
           gboolean     required,
           gsize        max_len,
           const char **out,
           GError     **error)
{
  const char *type = field_type (r, field);
  const char *text;

  *out = NULL;
  if (is_absent (type) && !required)
    return TRUE;
  if (g_strcmp0 (type, "text") != 0)
    {
      pa_store_stripe_set_field_invalid (r, error, field, _("missing or not a string"));
      return FALSE;
    }
  text = (const char *) sqlite3_column_text (r->stmt, field_column (field));
  if (text == NULL || strlen (text) > max_len || (required && text[0] == '\0'))
    {
      pa_store_stripe_set_field_invalid (r, error, field, _("empty or too long"));
      return FALSE;
    }
  *out = text;
  return TRUE;
}

/* An id field that Stripe may also send expanded into its object: the
 * id, or the expanded object's id. */
static gboolean
read_ref (Reader      *r,
          Field        field,
          Field        field_id,
          gboolean     required,
          const char **out,
          GError     **error)
{
  if (g_strcmp0 (field_type (r, field), "object") == 0)
    return read_text (r, field_id, TRUE, MAX_ID_BYTES, out, error);
  return read_text (r, field, required, MAX_ID_BYTES, out, error);
}

static gboolean
read_int (Reader   *r,
          Field     field,
          gboolean  required,
          gint64    min,
          gint64    max,
          gint64    fallback,
          gint64   *out,
          GError  **error)
{
  const char *type = field_type (r, field);
  gint64 value;

  *out = fallback;
  if (is_absent (type) && !required)
    return TRUE;
  if (g_strcmp0 (type, "integer") != 0)
    {
      pa_store_stripe_set_field_invalid (r, error, field, _("missing or not a whole number"));
      return FALSE;
    }
  /* SQLite reads an integer too large for 64 bits as a real. */
  value = sqlite3_column_int64 (r->stmt, field_column (field));
  if (sqlite3_column_type (r->stmt, field_column (field)) != SQLITE_INTEGER
      || value < min || value > max)
    {
      pa_store_stripe_set_field_invalid (r, error, field, _("out of range"));
      return FALSE;
    }
  *out = value;
  return TRUE;
}

static gboolean
read_bool (Reader    *r,
           Field      field,
           gboolean  *out,
           GError   **error)
{
  const char *type = field_type (r, field);

  *out = FALSE;
  if (is_absent (type))
    return TRUE;
  if (strcmp (type, "true") == 0)
    *out = TRUE;
  else if (strcmp (type, "false") != 0)
    {
      pa_store_stripe_set_field_invalid (r, error, field, _("not true or false"));
      return FALSE;
    }
  return TRUE;
}

/* ---- projecting an object ---------------------------------------------- */

/* An object read and checked, ready to be stored. The strings point into
 * the reading statement's row. */
typedef struct {
  const char *id;
  const char *object;
  const char *json;          /* NULL: it is event_seq's data.object */
  gint64      event_seq;
  gint64      created;
  gboolean    livemode;
  const char *parent;
  /* The charge whose amount refunded or dispute this changes. */
  const char *charge;
} Projection;

gboolean
pa_store_stripe_is_known_kind (const char *object)
{
  static const char *const kinds[] = {
    "charge", "refund", "dispute", "payment_link", "product", "price", "customer",
    "subscription", "payment_intent",
  };

  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (strcmp (object, kinds[i]) == 0)
      return TRUE;
  return FALSE;
}

static void
append_search_part (GString    *search,
                    const char *part)
{
  g_autofree char *valid = NULL;
  g_autofree char *lower = NULL;

  if (part == NULL || part[0] == '\0')
    return;
  /* SQLite passes strings through from the JSON unchecked, and a \u
   * escape can make a lone surrogate. */
  valid = g_utf8_make_valid (part, -1);
  lower = g_utf8_strdown (valid, -1);
  if (search->len > 0)
    g_string_append_c (search, '\n');
  g_string_append (search, lower);
}

/* The statement that keeps a payment's refunded amount and dispute in
 * step with what is stored: the charge's own numbers (?3, ?4, or those
 * of its stored copy when NULL), raised by the refunds and disputes
 * stored for it. Each refund is a row of its own, so none is counted
 * twice, and one that failed or was canceled counts for nothing. */
#define REFUNDED_SUM_SQL \
  "(SELECT COALESCE (SUM (json_extract (" PA_STRIPE_OBJECT_JSON ("r") ", '$.amount')), 0) " \
  " FROM stripe_objects r INDEXED BY stripe_objects_parent " \
  " WHERE r.profile = ?1 AND r.parent = ?2 AND r.object = 'refund' " \
  " AND COALESCE (json_extract (" PA_STRIPE_OBJECT_JSON ("r") ", '$.status'), 'succeeded') " \
  "     NOT IN ('failed', 'canceled'))"
#define HAS_DISPUTE_SQL \
  "EXISTS (SELECT 1 FROM stripe_objects d INDEXED BY stripe_objects_parent " \
  "        WHERE d.profile = ?1 AND d.parent = ?2 AND d.object = 'dispute')"

static gboolean
update_payment_totals (PaStore     *self,
                       const char  *profile,
                       const char  *charge,
                       GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  stmt = pa_store_prepare_cached (self,
    "UPDATE stripe_payments SET "
    "  amount_refunded = MIN (amount, MAX (COALESCE ((SELECT json_extract ("
    "    " PA_STRIPE_OBJECT_JSON ("c") ", '$.amount_refunded') "
    "    FROM stripe_objects c WHERE c.profile = ?1 AND c.id = ?2), 0), "
    "    " REFUNDED_SUM_SQL ")), "
    "  disputed = (COALESCE ((SELECT json_extract (" PA_STRIPE_OBJECT_JSON ("c") ", "
    "    '$.disputed') "
    "    FROM stripe_objects c WHERE c.profile = ?1 AND c.id = ?2), 0) OR " HAS_DISPUTE_SQL ") "
    "WHERE profile = ?1 AND id = ?2",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, charge, -1, SQLITE_TRANSIENT);
  return pa_store_step_done (self, stmt, _("update a payment"), error);
}

/* Stores @p's copy unless the stored one is newer (see PaStripeOrder).
 * *@written says whether it replaced or added one. */
static gboolean
upsert_object (PaStore           *self,
               const char        *profile,
               const Projection  *p,
               gint64             seen_at,
               gboolean           tie_wins,
               gboolean          *written,
               GError           **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  stmt = pa_store_prepare_cached (self,
    "INSERT INTO stripe_objects (profile, id, object, created, seen_at, parent, livemode, "
    "                            data_json, event_seq) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?10) "
    "ON CONFLICT (profile, id) DO UPDATE SET object = excluded.object, "
    "  created = excluded.created, seen_at = excluded.seen_at, parent = excluded.parent, "
    "  livemode = excluded.livemode, data_json = excluded.data_json, "
    "  event_seq = excluded.event_seq "
    "WHERE excluded.seen_at > seen_at OR (?9 AND excluded.seen_at = seen_at)",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, p->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 3, p->object, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 4, p->created);
  sqlite3_bind_int64 (stmt, 5, seen_at);
  pa_store_bind_text_or_null (stmt, 6, p->parent);
  sqlite3_bind_int (stmt, 7, p->livemode);
  pa_store_bind_text_or_null (stmt, 8, p->json);
  sqlite3_bind_int (stmt, 9, tie_wins);
  if (p->event_seq > 0)
    sqlite3_bind_int64 (stmt, 10, p->event_seq);
  else
    sqlite3_bind_null (stmt, 10);

  if (!pa_store_step_done (self, stmt, _("store a Stripe object"), error))
    return FALSE;
  *written = sqlite3_changes (pa_store_get_db (self)) > 0;
  return TRUE;
}

/* A charge's columns of stripe_payments; strings as in Projection. */
typedef struct {
  gint64      amount;
  gint64      amount_refunded;
  gboolean    disputed;
  const char *currency;
  const char *status;
  const char *payment_intent;
  const char *customer;
  const char *email;
  const char *name;
  const char *description;
  const char *method;
  const char *card_brand;
  const char *card_last4;
} Payment;

static gboolean
read_payment (Reader   *r,
              Payment  *pay,
              GError  **error)
{
  const char *receipt_email;

  if (!read_int (r, F_AMOUNT, TRUE, 0, MAX_AMOUNT, 0, &pay->amount, error)
      || !read_int (r, F_AMOUNT_REFUNDED, FALSE, 0, MAX_AMOUNT, 0, &pay->amount_refunded, error)
      || !read_text (r, F_CURRENCY, TRUE, 16, &pay->currency, error)
      || !read_text (r, F_STATUS, TRUE, 64, &pay->status, error)
      || !read_ref (r, F_PAYMENT_INTENT, F_PAYMENT_INTENT_ID, FALSE, &pay->payment_intent, error)
      || !read_ref (r, F_CUSTOMER, F_CUSTOMER_ID, FALSE, &pay->customer, error)
      || !read_text (r, F_BILLING_EMAIL, FALSE, MAX_TEXT_BYTES, &pay->email, error)
      || !read_text (r, F_RECEIPT_EMAIL, FALSE, MAX_TEXT_BYTES, &receipt_email, error)
      || !read_text (r, F_BILLING_NAME, FALSE, MAX_TEXT_BYTES, &pay->name, error)
      || !read_text (r, F_DESCRIPTION, FALSE, MAX_TEXT_BYTES, &pay->description, error)
      || !read_text (r, F_METHOD, FALSE, 64, &pay->method, error)
      || !read_text (r, F_CARD_BRAND, FALSE, 64, &pay->card_brand, error)
      || !read_text (r, F_CARD_LAST4, FALSE, 16, &pay->card_last4, error)
      || !read_bool (r, F_DISPUTED, &pay->disputed, error))
    return FALSE;
  if (pay->email == NULL || pay->email[0] == '\0')
    pay->email = receipt_email;
  return TRUE;
}

/* Stores a charge's row of stripe_payments. */
static gboolean
upsert_payment (PaStore           *self,
                const char        *profile,
                const Projection  *p,
                const Payment     *pay,
                gint64             seen_at,
                gboolean           tie_wins,
                GError           **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autoptr(GString) search = NULL;
  g_autofree char *currency = NULL;

  /* Stripe writes currencies in lower case; the filter relies on it. */
  currency = g_ascii_strdown (pay->currency, -1);

  search = g_string_new (NULL);
  append_search_part (search, p->id);
  append_search_part (search, pay->email);
  append_search_part (search, pay->name);
  append_search_part (search, pay->description);

  stmt = pa_store_prepare_cached (self,
    "INSERT INTO stripe_payments (profile, id, created, seen_at, amount, amount_refunded, "
    "  currency, status, disputed, payment_intent, customer, email, name, description, "
    "  method, card_brand, card_last4, livemode, search) "
    "VALUES (?1, ?2, ?3, ?4, ?5, MIN (?5, MAX (?6, " REFUNDED_SUM_SQL ")), ?7, ?8, "
    "  (?9 OR " HAS_DISPUTE_SQL "), ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19) "
    "ON CONFLICT (profile, id) DO UPDATE SET created = excluded.created, "
    "  seen_at = excluded.seen_at, amount = excluded.amount, "
    "  amount_refunded = excluded.amount_refunded, currency = excluded.currency, "
    "  status = excluded.status, disputed = excluded.disputed, "
    "  payment_intent = excluded.payment_intent, customer = excluded.customer, "
    "  email = excluded.email, name = excluded.name, description = excluded.description, "
    "  method = excluded.method, card_brand = excluded.card_brand, "
    "  card_last4 = excluded.card_last4, livemode = excluded.livemode, "
    "  search = excluded.search "
    "WHERE excluded.seen_at > seen_at OR (?20 AND excluded.seen_at = seen_at)",
    error);
  if (stmt == NULL)
    return FALSE;
  sqlite3_bind_text (stmt, 1, profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 2, p->id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 3, p->created);
  sqlite3_bind_int64 (stmt, 4, seen_at);
  sqlite3_bind_int64 (stmt, 5, pay->amount);
  sqlite3_bind_int64 (stmt, 6, pay->amount_refunded);
  sqlite3_bind_text (stmt, 7, currency, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 8, pay->status, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 9, pay->disputed);
  pa_store_bind_text_or_null (stmt, 10, pay->payment_intent);
  pa_store_bind_text_or_null (stmt, 11, pay->customer);
  pa_store_bind_text_or_null (stmt, 12, pay->email);
  pa_store_bind_text_or_null (stmt, 13, pay->name);
  pa_store_bind_text_or_null (stmt, 14, pay->description);
  pa_store_bind_text_or_null (stmt, 15, pay->method);
  pa_store_bind_text_or_null (stmt, 16, pay->card_brand);
  pa_store_bind_text_or_null (stmt, 17, pay->card_last4);
  sqlite3_bind_int (stmt, 18, p->livemode);
  sqlite3_bind_text (stmt, 19, search->str, (int) search->len, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 20, tie_wins);

  return pa_store_step_done (self, stmt, _("store a payment"), error);
}

gboolean
pa_store_stripe_project (PaStore     *self,
                         const char  *profile,
                         Reader      *r,
                         gint64       seen_at,
                         gboolean     tie_wins,
                         gboolean     deleted,
                         gboolean     store,
                         GError     **error)
{
  Projection p = { 0, };
  Payment pay = { 0, };
  gboolean is_charge;
  const char *object_type;
  g_autofree char *tombstone = NULL;
  gboolean written = FALSE;

  object_type = (const char *) sqlite3_column_text (r->stmt, C_OBJECT_TYPE);
  if (g_strcmp0 (object_type, "object") != 0)
    {
      if (r->event_id != NULL)
        pa_store_stripe_set_invalid (r, error, _("it carries no object in data.object"));
      else
        pa_store_stripe_set_invalid (r, error, _("it is not a JSON object"));
      return FALSE;
    }

  /* Some objects (a balance) have no id: only the kinds the page shows
   * must have one. */
  if (g_strcmp0 (field_type (r, F_OBJECT), "text") != 0)
    {
      if (r->event_id != NULL)
        return TRUE;
      pa_store_stripe_set_field_invalid (r, error, F_OBJECT, _("missing or not a string"));
      return FALSE;
    }
  p.object = (const char *) sqlite3_column_text (r->stmt, field_column (F_OBJECT));
  if (!pa_store_stripe_is_known_kind (p.object))
    return TRUE;

  if (r->event_id != NULL)
    p.event_seq = r->event_seq;
  else
    p.json = r->json;
  if (!read_text (r, F_ID, TRUE, MAX_ID_BYTES, &p.id, error)
      || !read_int (r, F_CREATED, FALSE, 0, G_MAXINT64, seen_at, &p.created, error)
      || !read_bool (r, F_LIVEMODE, &p.livemode, error))
    return FALSE;

  if (strcmp (p.object, "refund") == 0 || strcmp (p.object, "dispute") == 0)
    {
      gint64 amount;

      if (!read_ref (r, F_CHARGE, F_CHARGE_ID, FALSE, &p.parent, error)
          || !read_int (r, F_AMOUNT, FALSE, 0, MAX_AMOUNT, 0, &amount, error))
        return FALSE;
      p.charge = p.parent;
    }
  else if (strcmp (p.object, "price") == 0)
    {
      if (!read_ref (r, F_PRODUCT, F_PRODUCT_ID, FALSE, &p.parent, error))
        return FALSE;
    }
  is_charge = strcmp (p.object, "charge") == 0;
  if (is_charge && !read_payment (r, &pay, error))
    return FALSE;
  if (!store)
    return TRUE;

  /* A deleted product, price or customer stays as Stripe writes a
   * deleted object, so that an older copy arriving later (a backfill
   * walks backwards) cannot bring it back. */
  if (deleted && (strcmp (p.object, "product") == 0 || strcmp (p.object, "price") == 0
                  || strcmp (p.object, "customer") == 0))
    {
      g_autoptr(PaCachedStmt) stmt = pa_store_prepare_cached (self,
        "SELECT json_set (json_extract (?1, ?2), '$.deleted', json ('true'))", error);

      if (stmt == NULL)
        return FALSE;
      sqlite3_bind_text (stmt, 1, r->json, -1, SQLITE_STATIC);
      sqlite3_bind_text (stmt, 2, r->event_id != NULL ? "$.data.object" : "$", -1,
                         SQLITE_STATIC);
      if (sqlite3_step (stmt) != SQLITE_ROW)
        {
          pa_store_set_error (self, error, _("store a Stripe object"));
          return FALSE;
        }
      tombstone = pa_store_column_dup_text (stmt, 0);
      p.json = tombstone;
      p.event_seq = 0;
    }

  if (!upsert_object (self, profile, &p, seen_at, tie_wins, &written, error))
    return FALSE;

  if (is_charge)
    return upsert_payment (self, profile, &p, &pay, seen_at, tie_wins, error);
  if (written && p.charge != NULL)
    return update_payment_totals (self, profile, p.charge, error);
  return TRUE;
}
