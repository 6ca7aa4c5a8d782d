/* test-payment-list.c — PaPayment and the lazy payments list over 100,000 stored payments
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-payment.h"
#include "pa-payment-list.h"
#include "pa-store.h"
#include "pa-store-stripe.h"

#include "pa-test-peer-private.h"

/* The big account: N_BIG payments, two to a second, so that ties in
 * "created" are broken by the id as the store sorts them. */
#define BIG "big"
#define N_BIG 100000
#define BASE_TIME G_GINT64_CONSTANT (1700000000)
#define PAGE 200

/* ---- synthetic payments -------------------------------------------------- */

typedef struct {
  guint        i;
  gint64       created;
  gint64       amount;
  gint64       refunded;
  const char  *currency;
  const char  *status;
  gboolean     disputed;
} Charge;

/* Payment number @i of the big account: mostly succeeded usd, some eur
 * and jpy, some failed or pending, some refunded (all or part) or
 * disputed, in a pattern a test can count on its own. */
static Charge
big_charge (guint i)
{
  Charge c = { 0, };

  c.i = i;
  c.created = BASE_TIME + i / 2;
  c.amount = 100 + (i * 37) % 10000;
  c.currency = i % 7 == 0 ? "jpy" : i % 5 == 0 ? "eur" : "usd";
  c.status = i % 10 == 3 ? "failed" : i % 13 == 4 ? "pending" : "succeeded";
  if (g_str_equal (c.status, "succeeded"))
    {
      if (i % 11 == 0)
        c.refunded = c.amount;
      else if (i % 17 == 0)
        c.refunded = c.amount / 2;
      c.disputed = i % 19 == 1;
    }
  return c;
}

static char *
charge_id (guint i)
{
  return g_strdup_printf ("ch_%08u", i);
}

/* An event as GET /v1/events gives it, carrying the whole charge. */
static char *
charge_event_json (const Charge *c,
                   const char   *event_id,
                   const char   *type,
                   gint64        event_created)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *id = charge_id (c->i);
  g_autofree char *email = g_strdup_printf ("buyer%u@example.com", c->i);
  g_autofree char *name = g_strdup_printf ("Buyer %u", c->i);
  g_autofree char *description = g_strdup_printf ("Print %u", c->i);
  g_autofree char *intent = g_strdup_printf ("pi_%08u", c->i);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, event_id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "event");
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, type);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, event_created);
  json_builder_set_member_name (builder, "livemode");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "object");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "object");
  json_builder_add_string_value (builder, "charge");
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, c->created);
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, c->amount);
  json_builder_set_member_name (builder, "amount_captured");
  json_builder_add_int_value (builder, g_str_equal (c->status, "succeeded") ? c->amount : 0);
  json_builder_set_member_name (builder, "amount_refunded");
  json_builder_add_int_value (builder, c->refunded);
  json_builder_set_member_name (builder, "refunded");
  json_builder_add_boolean_value (builder, c->refunded > 0 && c->refunded >= c->amount);
  json_builder_set_member_name (builder, "currency");
  json_builder_add_string_value (builder, c->currency);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, c->status);
  json_builder_set_member_name (builder, "paid");
  json_builder_add_boolean_value (builder, g_str_equal (c->status, "succeeded"));
  json_builder_set_member_name (builder, "disputed");
  json_builder_add_boolean_value (builder, c->disputed);
  json_builder_set_member_name (builder, "payment_intent");
  json_builder_add_string_value (builder, intent);
  json_builder_set_member_name (builder, "customer");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "receipt_email");
  json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "livemode");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "billing_details");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "email");
  json_builder_add_string_value (builder, email);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "payment_method_details");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "card");
  json_builder_set_member_name (builder, "card");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "brand");
  json_builder_add_string_value (builder, "visa");
  json_builder_set_member_name (builder, "last4");
  json_builder_add_string_value (builder, "4242");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

/* Stores charges [@first, @first + @n) of @make as "charge.succeeded"
 * (or .failed, .pending) events, @batch to a transaction. */
static void
add_charges (PaStore     *store,
             const char  *profile,
             guint        first,
             guint        n,
             Charge     (*make) (guint i),
             guint        batch)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) types = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autofree PaStripeEventRow *rows = g_new0 (PaStripeEventRow, batch);

  for (guint start = first; start < first + n; start += batch)
    {
      guint count = MIN (batch, first + n - start);
      g_autoptr(GError) error = NULL;

      g_ptr_array_set_size (ids, 0);
      g_ptr_array_set_size (types, 0);
      g_ptr_array_set_size (payloads, 0);
      for (guint k = 0; k < count; k++)
        {
          Charge c = make (start + k);
          char *event_id = g_strdup_printf ("evt_%s_%08u", profile, c.i);
          char *type = g_strconcat ("charge.", c.status, NULL);

          g_ptr_array_add (ids, event_id);
          g_ptr_array_add (types, type);
          g_ptr_array_add (payloads, charge_event_json (&c, event_id, type, c.created));
          rows[k].id = event_id;
          rows[k].type = type;
          rows[k].created = c.created;
          rows[k].payload_json = payloads->pdata[k];
        }
      g_assert_true (pa_store_stripe_add_events (store, profile, rows, count,
                                                 PA_STRIPE_ORDER_FORWARD, "sync", NULL, NULL,
                                                 &error));
      g_assert_no_error (error);
    }
}

/* One later copy of a charge, as a "charge.refunded" / ".dispute.created"
 * event at @at. */
static void
add_charge_update (PaStore      *store,
                   const char   *profile,
                   const Charge *c,
                   const char   *type,
                   gint64        at)
{
  g_autofree char *event_id = g_strdup_printf ("evt_%s_%08u_%s_%" G_GINT64_FORMAT,
                                               profile, c->i, type, at);
  g_autofree char *payload = charge_event_json (c, event_id, type, at);
  PaStripeEventRow row = { event_id, type, at, payload };
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_store_stripe_add_events (store, profile, &row, 1, PA_STRIPE_ORDER_FORWARD,
                                             "webhook", NULL, NULL, &error));
  g_assert_no_error (error);
}

/* ---- the store, filled once for the whole run ------------------------------ */

static char *store_dir;
static PaStore *store;

static void
open_big_store (void)
{
  g_autoptr(GError) error = NULL;
  gint64 start;

  store_dir = g_dir_make_tmp ("pa-test-payment-list-XXXXXX", &error);
  g_assert_no_error (error);
  store = pa_store_open (store_dir, &error);
  g_assert_no_error (error);

  start = g_get_monotonic_time ();
  add_charges (store, BIG, 0, N_BIG, big_charge, 2000);
  g_test_message ("stored %u synthetic charge events in %.1f s", N_BIG,
                  (g_get_monotonic_time () - start) / 1e6);
}

static void
close_big_store (void)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&store);
  g_assert_true (pa_test_remove_tree (store_dir, &error));
  g_assert_no_error (error);
  g_clear_pointer (&store_dir, g_free);
}

/* The big account lists newest first, the id breaking ties: position p
 * holds payment N_BIG - 1 - p. */
static char *
big_id_at (guint position)
{
  return charge_id (N_BIG - 1 - position);
}

/* ---- PaPayment ------------------------------------------------------------- */

static PaPayment *
payment_of (const char *status,
            gint64      amount,
            gint64      refunded,
            gboolean    disputed)
{
  PaStripePaymentRecord record = { 0, };

  record.id = (char *) "ch_1";
  record.amount = amount;
  record.amount_refunded = refunded;
  record.currency = (char *) "usd";
  record.status = (char *) status;
  record.disputed = disputed;
  return pa_payment_new (&record);
}

static void
test_payment_status (void)
{
  const struct {
    const char      *stripe_status;
    gint64           amount;
    gint64           refunded;
    gboolean         disputed;
    PaPaymentStatus  status;
    gint64           refundable;
  } cases[] = {
    { "succeeded", 1000, 0, FALSE, PA_PAYMENT_STATUS_SUCCEEDED, 1000 },
    { "succeeded", 1000, 400, FALSE, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, 600 },
    { "succeeded", 1000, 1000, FALSE, PA_PAYMENT_STATUS_REFUNDED, 0 },
    /* More refunded than paid (a hostile copy) is still refunded, and
     * nothing is left. */
    { "succeeded", 1000, 1500, FALSE, PA_PAYMENT_STATUS_REFUNDED, 0 },
    /* A dispute outweighs refunds and Stripe's status; nothing to refund. */
    { "succeeded", 1000, 0, TRUE, PA_PAYMENT_STATUS_DISPUTED, 0 },
    { "succeeded", 1000, 1000, TRUE, PA_PAYMENT_STATUS_DISPUTED, 0 },
    { "pending", 1000, 0, FALSE, PA_PAYMENT_STATUS_PENDING, 0 },
    { "failed", 1000, 0, FALSE, PA_PAYMENT_STATUS_FAILED, 0 },
    /* A status Stripe may add later is not taken for money received. */
    { "requires_review", 1000, 0, FALSE, PA_PAYMENT_STATUS_PENDING, 0 },
    { NULL, 1000, 0, FALSE, PA_PAYMENT_STATUS_PENDING, 0 },
    /* Nothing paid and nothing refunded is not "refunded". */
    { "succeeded", 0, 0, FALSE, PA_PAYMENT_STATUS_SUCCEEDED, 0 },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaPayment) payment = payment_of (cases[i].stripe_status, cases[i].amount,
                                                 cases[i].refunded, cases[i].disputed);

      g_test_message ("%s, %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " refunded%s → %s, "
                      "%" G_GINT64_FORMAT " refundable",
                      cases[i].stripe_status, cases[i].refunded, cases[i].amount,
                      cases[i].disputed ? ", disputed" : "",
                      pa_payment_status_to_string (cases[i].status), cases[i].refundable);
      g_assert_cmpstr (pa_payment_status_to_string (pa_payment_get_status (payment)), ==,
                       pa_payment_status_to_string (cases[i].status));
      g_assert_cmpint (pa_payment_get_refundable (payment), ==, cases[i].refundable);
    }
}

static void
test_payment_names (void)
{
  PaPaymentStatus all[] = {
    PA_PAYMENT_STATUS_SUCCEEDED, PA_PAYMENT_STATUS_PENDING, PA_PAYMENT_STATUS_FAILED,
    PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, PA_PAYMENT_STATUS_REFUNDED,
    PA_PAYMENT_STATUS_DISPUTED,
  };
  g_autoptr(GHashTable) labels = g_hash_table_new (g_str_hash, g_str_equal);
  PaPaymentStatus status;

  /* The names are the store's filter names, and read back. */
  for (gsize i = 0; i < G_N_ELEMENTS (all); i++)
    {
      const char *name = pa_payment_status_to_string (all[i]);
      const char *label = pa_payment_status_to_label (all[i]);

      g_test_message ("%s → “%s”", name, label);
      g_assert_true (pa_payment_status_from_string (name, &status));
      g_assert_cmpint (status, ==, all[i]);
      g_assert_nonnull (label);
      g_assert_cmpstr (label, !=, "");
      g_assert_false (g_hash_table_contains (labels, label));
      g_hash_table_add (labels, (gpointer) label);
    }
  g_assert_cmpstr (pa_payment_status_to_string (PA_PAYMENT_STATUS_PARTIALLY_REFUNDED), ==,
                   "partially_refunded");
  g_assert_false (pa_payment_status_from_string ("Refunded", &status));
  g_assert_false (pa_payment_status_from_string ("", &status));
  g_assert_false (pa_payment_status_from_string (NULL, &status));
}

static void
test_payment_payer (void)
{
  PaStripePaymentRecord record = { 0, };
  g_autoptr(PaPayment) none = NULL;
  g_autoptr(PaPayment) customer = NULL;
  g_autoptr(PaPayment) email = NULL;
  g_autoptr(PaPayment) name = NULL;
  char *id = g_strdup ("ch_copy");

  record.id = id;
  record.status = (char *) "succeeded";
  record.name = (char *) "";
  none = pa_payment_new (&record);
  record.customer = (char *) "cus_1";
  customer = pa_payment_new (&record);
  record.email = (char *) "ada@example.com";
  email = pa_payment_new (&record);
  record.name = (char *) "Ada Lovelace";
  name = pa_payment_new (&record);

  /* The record is copied: changing the caller's does nothing. */
  id[0] = 'X';
  g_free (id);

  g_assert_null (pa_payment_get_payer (none));
  g_assert_cmpstr (pa_payment_get_payer (customer), ==, "cus_1");
  g_assert_cmpstr (pa_payment_get_payer (email), ==, "ada@example.com");
  g_assert_cmpstr (pa_payment_get_payer (name), ==, "Ada Lovelace");
  g_assert_cmpstr (pa_payment_get_id (name), ==, "ch_copy");
  g_assert_cmpstr (pa_payment_get_record (name)->email, ==, "ada@example.com");
}

/* ---- the list over 100,000 payments ----------------------------------------- */

static void
assert_item_matches_store (PaPaymentList *list,
                           guint          position)
{
  g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), position);
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *expected = big_id_at (position);
  const PaStripePaymentRecord *record;
  PaStripePaymentRecord *row;
  Charge c = big_charge (N_BIG - 1 - position);

  g_assert_nonnull (item);
  rows = pa_store_stripe_list_payments (store, BIG, NULL, position, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  row = rows->pdata[0];
  record = pa_payment_get_record (item);

  g_test_message ("item %u: %s, %" G_GINT64_FORMAT " %s, %s", position, record->id,
                  record->amount, record->currency, record->status);
  g_assert_cmpstr (record->id, ==, expected);
  g_assert_cmpstr (record->id, ==, row->id);
  g_assert_cmpint (record->created, ==, row->created);
  g_assert_cmpint (record->amount, ==, c.amount);
  g_assert_cmpint (record->amount_refunded, ==, c.refunded);
  g_assert_cmpstr (record->currency, ==, c.currency);
  g_assert_cmpstr (record->status, ==, c.status);
  g_assert_cmpstr (record->email, ==, row->email);
  g_assert_cmpstr (record->name, ==, row->name);
}

static void
test_list_items (void)
{
  g_autoptr(PaPaymentList) list = pa_payment_list_new (store, BIG);
  g_autoptr(GError) error = NULL;
  guint positions[] = { 0, 1, 2, PAGE - 1, PAGE, N_BIG / 2 - 1, N_BIG / 2, 12345,
                        N_BIG - PAGE, N_BIG - 2, N_BIG - 1 };
  guint stored = pa_store_stripe_count_payments (store, BIG, NULL, &error);

  g_assert_no_error (error);
  g_assert_null (pa_payment_list_get_error (list));
  g_test_message ("n_items %u, stored %u", g_list_model_get_n_items (G_LIST_MODEL (list)),
                  stored);
  g_assert_cmpuint (stored, ==, N_BIG);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, N_BIG);
  g_assert_true (g_list_model_get_item_type (G_LIST_MODEL (list)) == PA_TYPE_PAYMENT);
  /* Nothing is read but the count until a row is asked for. */
  g_assert_cmpuint (pa_payment_list_get_page_reads (list), ==, 0);

  for (gsize i = 0; i < G_N_ELEMENTS (positions); i++)
    assert_item_matches_store (list, positions[i]);

  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), N_BIG));
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), G_MAXUINT));
  g_assert_null (pa_payment_list_get_error (list));
}

/* What a GtkListView does while it is scrolled from top to bottom: at
 * each step it asks for the rows on screen and some above and below. */
static void
test_list_scroll_reads_each_page_once (void)
{
  g_autoptr(PaPaymentList) list = pa_payment_list_new (store, BIG);
  const guint visible = 40, above = 10, below = 30, step = 13;
  guint expected_pages = (N_BIG + PAGE - 1) / PAGE;
  guint asked = 0, reads;
  gint64 start = g_get_monotonic_time ();

  for (guint top = 0; top < N_BIG; top += step)
    {
      guint first = top > above ? top - above : 0;
      guint last = MIN (top + visible + below, N_BIG);

      for (guint p = first; p < last; p++)
        {
          g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), p);

          g_assert_nonnull (item);
          asked++;
          /* Every hundredth row, the right one. */
          if (p % 997 == 0)
            {
              g_autofree char *expected = big_id_at (p);

              g_assert_cmpstr (pa_payment_get_id (item), ==, expected);
            }
        }
    }

  reads = pa_payment_list_get_page_reads (list);
  g_test_message ("scrolled through %u rows: %u rows asked for, %u pages read "
                  "(%u pages of %u), %.1f s", N_BIG, asked, reads, expected_pages, PAGE,
                  (g_get_monotonic_time () - start) / 1e6);
  g_assert_cmpuint (reads, ==, expected_pages);

  /* Back and forth near the bottom: the pages kept answer. */
  for (guint p = N_BIG - 3 * PAGE; p < N_BIG; p++)
    {
      g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), p);

      g_assert_nonnull (item);
    }
  g_assert_cmpuint (pa_payment_list_get_page_reads (list), ==, expected_pages);

  /* A row asked for twice while its page is kept is the same object, so
   * a view's bindings stay put. */
  {
    g_autoptr(PaPayment) a = g_list_model_get_item (G_LIST_MODEL (list), N_BIG - 1);
    g_autoptr(PaPayment) b = g_list_model_get_item (G_LIST_MODEL (list), N_BIG - 1);

    g_assert_true (a == b);
  }

  /* A jump to the middle reads one page. */
  {
    g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), N_BIG / 2 + 7);

    g_assert_nonnull (item);
    g_assert_cmpuint (pa_payment_list_get_page_reads (list), ==, expected_pages + 1);
  }
}

/* ---- items-changed --------------------------------------------------------- */

typedef struct {
  guint position;
  guint removed;
  guint added;
} Change;

static void
record_change (GListModel *model,
               guint       position,
               guint       removed,
               guint       added,
               GArray     *changes)
{
  Change change = { position, removed, added };

  /* The model already answers for its new state. */
  g_assert_cmpuint (g_list_model_get_n_items (model), >=, position + added);
  g_array_append_val (changes, change);
}

static void
assert_changes (GArray     *changes,
                const char *expected)
{
  g_autoptr(GString) text = g_string_new (NULL);

  for (guint i = 0; i < changes->len; i++)
    {
      Change *change = &g_array_index (changes, Change, i);

      g_string_append_printf (text, "%s(%u,%u,%u)", i > 0 ? " " : "",
                              change->position, change->removed, change->added);
    }
  g_test_message ("items-changed: %s", text->len > 0 ? text->str : "none");
  g_assert_cmpstr (text->str, ==, expected);
  g_array_set_size (changes, 0);
}

/* A small account whose payments are all succeeded usd, 1000 of them at
 * one a second from @base. */
static gint64 small_base;

static Charge
small_charge (guint i)
{
  Charge c = { 0, };

  c.i = i;
  c.created = small_base + i;
  c.amount = 1000 + i;
  c.currency = "usd";
  c.status = "succeeded";
  return c;
}

static void
test_list_reload (void)
{
  g_autoptr(PaPaymentList) list = NULL;
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  g_autofree char *dir = NULL;
  g_autoptr(PaStore) own = NULL;
  g_autoptr(GError) error = NULL;
  const char *profile = "small";
  Charge refunded;

  dir = g_dir_make_tmp ("pa-test-payment-list-reload-XXXXXX", &error);
  g_assert_no_error (error);
  own = pa_store_open (dir, &error);
  g_assert_no_error (error);

  /* An empty account: an empty list; its first payments replace nothing. */
  small_base = BASE_TIME;
  list = pa_payment_list_new (own, profile);
  g_signal_connect (list, "items-changed", G_CALLBACK (record_change), changes);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 0);
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));
  pa_payment_list_reload (list);
  assert_changes (changes, "");

  add_charges (own, profile, 0, 1000, small_charge, 500);
  pa_payment_list_reload (list);
  assert_changes (changes, "(0,0,1000)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1000);

  /* The view has read the top and looks at it. */
  for (guint p = 0; p < 250; p++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), p));

  /* Nothing new: nothing said. */
  pa_payment_list_reload (list);
  assert_changes (changes, "");

  /* Five new payments arrive at the top: the old rows just move down. */
  add_charges (own, profile, 1000, 5, small_charge, 5);
  pa_payment_list_reload (list);
  assert_changes (changes, "(0,0,5)");
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, 1005);
  {
    g_autoptr(PaPayment) top = g_list_model_get_item (G_LIST_MODEL (list), 0);
    g_autoptr(PaPayment) old_top = g_list_model_get_item (G_LIST_MODEL (list), 5);
    g_autoptr(PaPayment) bottom = g_list_model_get_item (G_LIST_MODEL (list), 1004);

    g_assert_cmpstr (pa_payment_get_id (top), ==, "ch_00001004");
    g_assert_cmpstr (pa_payment_get_id (old_top), ==, "ch_00000999");
    g_assert_cmpstr (pa_payment_get_id (bottom), ==, "ch_00000000");
  }

  /* A payment on screen is refunded (a later copy of it): that row, and
   * only that one, changed. */
  for (guint p = 0; p < 30; p++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), p));
  refunded = small_charge (997);
  refunded.refunded = refunded.amount;
  add_charge_update (own, profile, &refunded, "charge.refunded", small_base + 5000);
  pa_payment_list_reload (list);
  assert_changes (changes, "(7,1,1)");
  {
    g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), 7);

    g_assert_cmpstr (pa_payment_get_id (item), ==, "ch_00000997");
    g_assert_cmpint (pa_payment_get_status (item), ==, PA_PAYMENT_STATUS_REFUNDED);
  }

  /* New payments and a change below them at once. */
  for (guint p = 0; p < 30; p++)
    g_object_unref (g_list_model_get_item (G_LIST_MODEL (list), p));
  add_charges (own, profile, 1005, 2, small_charge, 2);
  refunded = small_charge (1000);
  refunded.refunded = 10;
  add_charge_update (own, profile, &refunded, "charge.refunded", small_base + 5001);
  pa_payment_list_reload (list);
  /* ch_1000 was at 4, two new rows above it: 6. */
  assert_changes (changes, "(0,0,2) (6,1,1)");
  {
    g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), 6);

    g_assert_cmpstr (pa_payment_get_id (item), ==, "ch_00001000");
    g_assert_cmpint (pa_payment_get_status (item), ==, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED);
  }

  /* An older payment turns up (a backfill): not at the top, so the whole
   * list is replaced. */
  small_base = BASE_TIME - 100000;
  add_charges (own, profile, 5000, 1, small_charge, 1);
  pa_payment_list_reload (list);
  assert_changes (changes, "(0,1007,1008)");
  {
    g_autoptr(PaPayment) bottom = g_list_model_get_item (G_LIST_MODEL (list), 1007);

    g_assert_cmpstr (pa_payment_get_id (bottom), ==, "ch_00005000");
  }
  g_assert_null (pa_payment_list_get_error (list));

  /* Everything forgotten (signing out): all rows go. */
  g_assert_true (pa_store_stripe_forget (own, profile, &error));
  g_assert_no_error (error);
  pa_payment_list_reload (list);
  assert_changes (changes, "(0,1008,0)");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));

  g_clear_object (&list);
  g_clear_object (&own);
  g_assert_true (pa_test_remove_tree (dir, &error));
}

/* ---- filters --------------------------------------------------------------- */

/* Counts the big account's payments that @keep says match. */
static guint
count_big (gboolean (*keep) (const Charge *c))
{
  guint n = 0;

  for (guint i = 0; i < N_BIG; i++)
    {
      Charge c = big_charge (i);

      if (keep (&c))
        n++;
    }
  return n;
}

/* What each status filter selects, as pa-store-stripe.h defines it:
 * Stripe's own status for "succeeded", "pending" and "failed"; of the
 * succeeded, those refunded in full or in part; the disputed ones. */
static gboolean
in_filter (const Charge    *c,
           PaPaymentStatus  filter)
{
  gboolean succeeded = g_str_equal (c->status, "succeeded");

  switch (filter)
    {
    case PA_PAYMENT_STATUS_SUCCEEDED:
    case PA_PAYMENT_STATUS_PENDING:
    case PA_PAYMENT_STATUS_FAILED:
      return g_str_equal (c->status, pa_payment_status_to_string (filter));
    case PA_PAYMENT_STATUS_REFUNDED:
      return succeeded && c->refunded > 0 && c->refunded >= c->amount;
    case PA_PAYMENT_STATUS_PARTIALLY_REFUNDED:
      return succeeded && c->refunded > 0 && c->refunded < c->amount;
    case PA_PAYMENT_STATUS_DISPUTED:
      return c->disputed;
    default:
      g_assert_not_reached ();
    }
}

/* The statuses a row of the list filtered by @filter may show: the
 * filters overlap where the status a payment shows does not (a refunded
 * charge that is disputed shows "disputed"; "succeeded" is Stripe's). */
static guint
shown_in_filter (PaPaymentStatus filter)
{
  switch (filter)
    {
    case PA_PAYMENT_STATUS_SUCCEEDED:
      return 1 << PA_PAYMENT_STATUS_SUCCEEDED | 1 << PA_PAYMENT_STATUS_PARTIALLY_REFUNDED
        | 1 << PA_PAYMENT_STATUS_REFUNDED | 1 << PA_PAYMENT_STATUS_DISPUTED;
    case PA_PAYMENT_STATUS_REFUNDED:
    case PA_PAYMENT_STATUS_PARTIALLY_REFUNDED:
      return 1 << filter | 1 << PA_PAYMENT_STATUS_DISPUTED;
    default:
      return 1 << filter;
    }
}

static PaPayment *
payment_of_charge (const Charge *c)
{
  PaStripePaymentRecord record = { 0, };
  g_autofree char *id = charge_id (c->i);

  record.id = id;
  record.created = c->created;
  record.amount = c->amount;
  record.amount_refunded = c->refunded;
  record.currency = (char *) c->currency;
  record.status = (char *) c->status;
  record.disputed = c->disputed;
  return pa_payment_new (&record);
}

static gboolean
is_jpy_between (const Charge *c)
{
  return g_str_equal (c->currency, "jpy") && c->amount >= 5000 && c->amount <= 6000;
}

/* @list is filtered by @filter: it has the @expected rows, and each
 * shows a status that filter may show. */
static void
assert_filtered_by_status (PaPaymentList   *list,
                           PaPaymentStatus  filter,
                           guint            expected)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (list));

  g_test_message ("status %s: %u rows, %u expected", pa_payment_status_to_string (filter),
                  n, expected);
  g_assert_cmpuint (n, ==, expected);
  for (guint p = 0; p < n; p += MAX (1, n / 500))
    {
      g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), p);

      g_assert_nonnull (item);
      if (!(shown_in_filter (filter) & 1 << pa_payment_get_status (item)))
        g_error ("row %u (%s) shows %s in the list filtered by %s", p,
                 pa_payment_get_id (item),
                 pa_payment_status_to_string (pa_payment_get_status (item)),
                 pa_payment_status_to_string (filter));
    }
}

static void
test_list_filters (void)
{
  g_autoptr(PaPaymentList) list = pa_payment_list_new (store, BIG);
  g_autoptr(GArray) changes = g_array_new (FALSE, FALSE, sizeof (Change));
  PaStripePaymentFilter filter;
  g_autofree char *status = g_strdup ("failed");
  g_autofree char *expected = NULL;
  guint n_by_status[PA_PAYMENT_STATUS_DISPUTED + 1] = { 0, };
  guint n_jpy = count_big (is_jpy_between);
  guint n_failed;

  /* Every payment is found under the status it shows, and the filters
   * select what the store says they do. */
  for (guint i = 0; i < N_BIG; i++)
    {
      Charge c = big_charge (i);
      g_autoptr(PaPayment) payment = payment_of_charge (&c);

      if (!in_filter (&c, pa_payment_get_status (payment)))
        g_error ("%s shows %s but the filter of that name leaves it out",
                 pa_payment_get_id (payment),
                 pa_payment_status_to_string (pa_payment_get_status (payment)));
      for (PaPaymentStatus s = PA_PAYMENT_STATUS_SUCCEEDED; s <= PA_PAYMENT_STATUS_DISPUTED; s++)
        if (in_filter (&c, s))
          n_by_status[s]++;
    }
  n_failed = n_by_status[PA_PAYMENT_STATUS_FAILED];

  g_signal_connect (list, "items-changed", G_CALLBACK (record_change), changes);

  /* A status: the whole list is replaced by the matching rows. */
  pa_stripe_payment_filter_init (&filter);
  filter.status = status;
  pa_payment_list_set_filter (list, &filter);
  /* The list keeps its own copy of the filter's strings. */
  strcpy (status, "xxxxxx");
  expected = g_strdup_printf ("(0,%u,%u)", N_BIG, n_failed);
  assert_changes (changes, expected);
  assert_filtered_by_status (list, PA_PAYMENT_STATUS_FAILED, n_failed);
  pa_payment_list_reload (list);
  assert_changes (changes, "");

  /* Each status. */
  for (PaPaymentStatus s = PA_PAYMENT_STATUS_SUCCEEDED; s <= PA_PAYMENT_STATUS_DISPUTED; s++)
    {
      pa_stripe_payment_filter_init (&filter);
      filter.status = pa_payment_status_to_string (s);
      pa_payment_list_set_filter (list, &filter);
      g_array_set_size (changes, 0);
      g_assert_cmpuint (n_by_status[s], >, 0);
      assert_filtered_by_status (list, s, n_by_status[s]);
    }

  /* A currency and an amount range. */
  pa_stripe_payment_filter_init (&filter);
  filter.currency = "jpy";
  filter.amount_min = 5000;
  filter.amount_max = 6000;
  pa_payment_list_set_filter (list, &filter);
  g_array_set_size (changes, 0);
  g_test_message ("jpy 5000..6000: %u rows, %u expected",
                  g_list_model_get_n_items (G_LIST_MODEL (list)), n_jpy);
  g_assert_cmpuint (g_list_model_get_n_items (G_LIST_MODEL (list)), ==, n_jpy);
  for (guint p = 0; p < n_jpy; p++)
    {
      g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), p);
      const PaStripePaymentRecord *record = pa_payment_get_record (item);

      g_assert_cmpstr (record->currency, ==, "jpy");
      g_assert_cmpint (record->amount, >=, 5000);
      g_assert_cmpint (record->amount, <=, 6000);
    }

  /* A search that finds one payer. */
  pa_stripe_payment_filter_init (&filter);
  filter.search = "buyer77777@";
  pa_payment_list_set_filter (list, &filter);
  expected = (g_free (expected), g_strdup_printf ("(0,%u,1)", n_jpy));
  assert_changes (changes, expected);
  {
    g_autoptr(PaPayment) item = g_list_model_get_item (G_LIST_MODEL (list), 0);

    g_assert_cmpstr (pa_payment_get_id (item), ==, "ch_00077777");
    g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 1));
  }

  /* Nothing matches: empty; then no filter: everything again. */
  filter.search = "no such payment";
  pa_payment_list_set_filter (list, &filter);
  assert_changes (changes, "(0,1,0)");
  g_assert_null (g_list_model_get_item (G_LIST_MODEL (list), 0));
  pa_payment_list_set_filter (list, NULL);
  expected = (g_free (expected), g_strdup_printf ("(0,0,%u)", N_BIG));
  assert_changes (changes, expected);
  assert_item_matches_store (list, 0);
  g_assert_null (pa_payment_list_get_error (list));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/payment/status", test_payment_status);
  g_test_add_func ("/payment/names", test_payment_names);
  g_test_add_func ("/payment/payer", test_payment_payer);
  g_test_add_func ("/payment-list/items", test_list_items);
  g_test_add_func ("/payment-list/scroll-reads-each-page-once",
                   test_list_scroll_reads_each_page_once);
  g_test_add_func ("/payment-list/reload", test_list_reload);
  g_test_add_func ("/payment-list/filters", test_list_filters);

  open_big_store ();
  status = g_test_run ();
  close_big_store ();
  return status;
}
