/* pa-store-stripe-write.c — storing a Stripe account's events and projecting them
 *
 * Stripe's events are the write model: each is kept once in
 * stripe_events, and the newest copy of the object it carried updates
 * stripe_objects (and stripe_payments for a charge).
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

#include <inttypes.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-store-private.h"
#include "pa-store-stripe.h"
#include "pa-store-stripe-private.h"

/* An event or object larger than this is refused: Stripe's are a few
 * kilobytes, and each is copied into memory several times here. */
#define MAX_JSON_BYTES    (1024 * 1024)
/* Stripe's ids are short; a longer one is not Stripe's. */
#define MAX_ID_BYTES      255
/* What Stripe lets a description or a name be, with room to spare. */
#define MAX_TEXT_BYTES    (64 * 1024)
/* Larger than any amount Stripe takes, small enough that sums of many
 * never overflow. */
#define MAX_AMOUNT        G_GINT64_CONSTANT (1000000000000000)

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

/* ---- reading an object's fields ---------------------------------------- */

/* The fields of an object the projections read, relative to the object. */
typedef enum {
  F_ID,
  F_OBJECT,
  F_CREATED,
  F_LIVEMODE,
  F_AMOUNT,
  F_AMOUNT_REFUNDED,
  F_CURRENCY,
  F_STATUS,
  F_PAYMENT_INTENT,
  F_PAYMENT_INTENT_ID,
  F_CUSTOMER,
  F_CUSTOMER_ID,
  F_BILLING_EMAIL,
  F_RECEIPT_EMAIL,
  F_BILLING_NAME,
  F_DESCRIPTION,
  F_METHOD,
  F_CARD_BRAND,
  F_CARD_LAST4,
  F_DISPUTED,
  F_CHARGE,
  F_CHARGE_ID,
  F_PRODUCT,
  F_PRODUCT_ID,
  N_FIELDS
} Field;

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

/* The columns of the reading statement before the fields: the object's
 * own type, the whole text's type, its id's and its created's types
 * and values (the event's, when the object is an event's). */
enum {
  C_OBJECT_TYPE,
  C_ROOT_TYPE,
  C_ROOT_ID_TYPE,
  C_ROOT_ID,
  C_ROOT_CREATED_TYPE,
  C_ROOT_CREATED,
  C_FIELDS,
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

static const char *
read_sql (gboolean in_event)
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

/* What is being read, for error messages. */
typedef struct {
  PaCachedStmt *stmt;
  const char   *json;          /* the text read */
  const char   *event_id;      /* NULL: an object on its own */
  gint64        event_seq;     /* the event's row, once stored */
  const char   *path_prefix;   /* "data.object." or "" */
} Reader;

static const char *
field_type (Reader *r,
            Field   field)
{
  return (const char *) sqlite3_column_text (r->stmt, C_FIELDS + 2 * field);
}

static int
field_column (Field field)
{
  return C_FIELDS + 2 * field + 1;
}

static gboolean
is_absent (const char *type)
{
  return type == NULL || strcmp (type, "null") == 0;
}

/* Fails @error with what is wrong with the object being read. */
G_GNUC_PRINTF (3, 4) static void
set_invalid (Reader      *r,
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

static void
set_field_invalid (Reader      *r,
                   GError     **error,
                   Field        field,
                   const char  *what)
{
  g_autofree char *path = g_strconcat (r->path_prefix, field_paths[field], NULL);

  /* TRANSLATORS: "“data.object.amount” is <not a whole number in range>" */
  set_invalid (r, error, _("“%s” is %s"), path, what);
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
      set_field_invalid (r, error, field, _("missing or not a string"));
      return FALSE;
    }
  text = (const char *) sqlite3_column_text (r->stmt, field_column (field));
  if (text == NULL || strlen (text) > max_len || (required && text[0] == '\0'))
    {
      set_field_invalid (r, error, field, _("empty or too long"));
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
      set_field_invalid (r, error, field, _("missing or not a whole number"));
      return FALSE;
    }
  /* SQLite reads an integer too large for 64 bits as a real. */
  value = sqlite3_column_int64 (r->stmt, field_column (field));
  if (sqlite3_column_type (r->stmt, field_column (field)) != SQLITE_INTEGER
      || value < min || value > max)
    {
      set_field_invalid (r, error, field, _("out of range"));
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
      set_field_invalid (r, error, field, _("not true or false"));
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

static gboolean
is_known_kind (const char *object)
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

/* Checks the object @r is on and, when @store, stores its copy as seen
 * at @seen_at. An object of a kind the page does not show is left
 * alone. */
static gboolean
project (PaStore     *self,
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
        set_invalid (r, error, _("it carries no object in data.object"));
      else
        set_invalid (r, error, _("it is not a JSON object"));
      return FALSE;
    }

  /* Some objects (a balance) have no id: only the kinds the page shows
   * must have one. */
  if (g_strcmp0 (field_type (r, F_OBJECT), "text") != 0)
    {
      if (r->event_id != NULL)
        return TRUE;
      set_field_invalid (r, error, F_OBJECT, _("missing or not a string"));
      return FALSE;
    }
  p.object = (const char *) sqlite3_column_text (r->stmt, field_column (F_OBJECT));
  if (!is_known_kind (p.object))
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
      set_invalid (&r, error, _("it is not a JSON object"));
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
      set_invalid (&r, error, _("its “id” is missing or not the event’s"));
      return FALSE;
    }
  /* Part of the key that makes an event unique (see the migration). */
  if (g_strcmp0 ((const char *) sqlite3_column_text (read, C_ROOT_CREATED_TYPE), "integer") != 0
      || sqlite3_column_int64 (read, C_ROOT_CREATED) != row->created)
    {
      set_invalid (&r, error, _("its “created” is missing or not the event’s"));
      return FALSE;
    }

  if (g_strcmp0 (field_type (&r, F_ID), "text") == 0)
    object_id = (const char *) sqlite3_column_text (read, field_column (F_ID));
  if (g_strcmp0 (field_type (&r, F_OBJECT), "text") == 0)
    object_type = (const char *) sqlite3_column_text (read, field_column (F_OBJECT));
  if ((object_id != NULL && strlen (object_id) > MAX_ID_BYTES)
      || (object_type != NULL && strlen (object_type) > MAX_ID_BYTES))
    {
      set_invalid (&r, error, _("the id or kind of its object is too long"));
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
  return project (self, profile, &r, row->created, tie_wins,
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
  read = pa_store_prepare_cached (self, read_sql (TRUE), error);
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
      set_invalid (&r, error, _("it is missing, too large or not UTF-8 text"));
      return FALSE;
    }

  if (!pa_store_begin (self, error))
    return FALSE;

  read = pa_store_prepare_cached (self, read_sql (FALSE), error);
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
    set_invalid (&r, error, _("it is not a JSON object"));
  else if (g_strcmp0 (field_type (&r, F_OBJECT), "text") == 0
           && !is_known_kind ((const char *) sqlite3_column_text (read, field_column (F_OBJECT))))
    /* Not shown by the page, so not kept: said, since a caller that
     * stores one expects to read it back. */
    set_field_invalid (&r, error, F_OBJECT, _("a kind of object that is not kept"));
  else if (project (self, profile, &r, seen_at, TRUE, FALSE, TRUE, error))
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
