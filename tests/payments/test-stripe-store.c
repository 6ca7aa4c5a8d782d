/* test-stripe-store.c — a Stripe account's synced copy in the store
 *
 * Everything runs on an SQLite file in a temporary folder, through the
 * functions of pa-store-stripe.h: events stored once, their objects
 * projected in Stripe's order, the payments list's filters and pages,
 * hostile batches, the upgrade from schema 3, and refund requests.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "pa-error.h"
#include "pa-store.h"
#include "pa-store-stripe.h"

#include "pa-test-peer-private.h"

#define PROFILE "default"
#define MIGRATIONS "/io/playalter/PlayAlter/store/migrations/"

typedef struct {
  char    *dir;
  PaStore *store;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-test-stripe-store-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->store);
  g_assert_true (pa_test_remove_tree (fixture->dir, &error));
  g_free (fixture->dir);
}

/* ---- building Stripe's JSON -------------------------------------------- */

typedef struct {
  const char *id;
  gint64      created;
  gint64      amount;
  gint64      amount_refunded;
  const char *currency;
  const char *status;
  const char *email;
  const char *name;
  const char *description;
  gboolean    disputed;
  const char *payment_intent;
  const char *padding;       /* makes the charge as large as a real one */
} Charge;

static void
add_string_or_null (JsonBuilder *builder,
                    const char  *member,
                    const char  *value)
{
  json_builder_set_member_name (builder, member);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static char *
charge_json (const Charge *c)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;

  json_builder_begin_object (builder);
  add_string_or_null (builder, "id", c->id);
  add_string_or_null (builder, "object", "charge");
  json_builder_set_member_name (builder, "amount");
  json_builder_add_int_value (builder, c->amount);
  json_builder_set_member_name (builder, "amount_captured");
  json_builder_add_int_value (builder, c->amount);
  json_builder_set_member_name (builder, "amount_refunded");
  json_builder_add_int_value (builder, c->amount_refunded);
  json_builder_set_member_name (builder, "created");
  json_builder_add_int_value (builder, c->created);
  add_string_or_null (builder, "currency", c->currency != NULL ? c->currency : "usd");
  add_string_or_null (builder, "status", c->status != NULL ? c->status : "succeeded");
  json_builder_set_member_name (builder, "paid");
  json_builder_add_boolean_value (builder, g_strcmp0 (c->status, "failed") != 0);
  json_builder_set_member_name (builder, "refunded");
  json_builder_add_boolean_value (builder, c->amount_refunded > 0
                                           && c->amount_refunded == c->amount);
  json_builder_set_member_name (builder, "disputed");
  json_builder_add_boolean_value (builder, c->disputed);
  json_builder_set_member_name (builder, "livemode");
  json_builder_add_boolean_value (builder, FALSE);
  add_string_or_null (builder, "description", c->description);
  add_string_or_null (builder, "receipt_email", c->email);
  add_string_or_null (builder, "payment_intent", c->payment_intent);
  add_string_or_null (builder, "customer", NULL);
  json_builder_set_member_name (builder, "billing_details");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "email", NULL);
  add_string_or_null (builder, "name", c->name);
  add_string_or_null (builder, "phone", NULL);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "payment_method_details");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "type", "card");
  json_builder_set_member_name (builder, "card");
  json_builder_begin_object (builder);
  add_string_or_null (builder, "brand", "visa");
  add_string_or_null (builder, "last4", "4242");
  json_builder_set_member_name (builder, "exp_month");
  json_builder_add_int_value (builder, 12);
  json_builder_set_member_name (builder, "exp_year");
  json_builder_add_int_value (builder, 2034);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "metadata");
  json_builder_begin_object (builder);
  if (c->padding != NULL)
    add_string_or_null (builder, "note", c->padding);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static char *
event_json (const char *id,
            const char *type,
            gint64      created,
            const char *object_json)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"object\": \"event\", \"api_version\": "
                          "\"2024-06-20\", \"type\": \"%s\", \"created\": %" G_GINT64_FORMAT
                          ", \"livemode\": false, \"pending_webhooks\": 0, "
                          "\"data\": {\"object\": %s}}",
                          id, type, created, object_json);
}

static char *
refund_json (const char *id,
             const char *charge,
             gint64      amount,
             const char *status,
             gint64      created)
{
  return g_strdup_printf ("{\"id\": \"%s\", \"object\": \"refund\", \"amount\": %" G_GINT64_FORMAT
                          ", \"charge\": \"%s\", \"currency\": \"usd\", \"status\": \"%s\", "
                          "\"created\": %" G_GINT64_FORMAT "}",
                          id, amount, charge, status, created);
}

/* A batch of events, as a page of /v1/events or a webhook gives them. */
typedef struct {
  GArray    *rows;
  GPtrArray *strings;
} Batch;

static Batch *
batch_new (void)
{
  Batch *batch = g_new0 (Batch, 1);

  batch->rows = g_array_new (FALSE, TRUE, sizeof (PaStripeEventRow));
  batch->strings = g_ptr_array_new_with_free_func (g_free);
  return batch;
}

static void
batch_free (Batch *batch)
{
  g_array_unref (batch->rows);
  g_ptr_array_unref (batch->strings);
  g_free (batch);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC (Batch, batch_free)

/* Adds a raw row; @payload is taken. */
static void
batch_add_raw (Batch      *batch,
               const char *id,
               const char *type,
               gint64      created,
               char       *payload)
{
  PaStripeEventRow row = { 0, };
  char *id_copy = g_strdup (id);
  char *type_copy = g_strdup (type);

  g_ptr_array_add (batch->strings, id_copy);
  g_ptr_array_add (batch->strings, type_copy);
  g_ptr_array_add (batch->strings, payload);
  row.id = id_copy;
  row.type = type_copy;
  row.created = created;
  row.payload_json = payload;
  g_array_append_val (batch->rows, row);
}

/* Adds an event carrying @object_json. */
static void
batch_add (Batch      *batch,
           const char *id,
           const char *type,
           gint64      created,
           const char *object_json)
{
  batch_add_raw (batch, id, type, created, event_json (id, type, created, object_json));
}

/* An event of @created carrying @charge. */
static void
batch_add_charge_at (Batch        *batch,
                     const char   *event_id,
                     const char   *type,
                     gint64        created,
                     const Charge *charge)
{
  g_autofree char *json = charge_json (charge);

  batch_add (batch, event_id, type, created, json);
}

static void
batch_add_charge (Batch        *batch,
                  const char   *event_id,
                  const char   *type,
                  const Charge *charge)
{
  batch_add_charge_at (batch, event_id, type, charge->created, charge);
}

static gboolean
batch_store (Fixture        *fixture,
             Batch          *batch,
             PaStripeOrder   order,
             const char     *source,
             GPtrArray      *new_ids,
             GError        **error)
{
  return pa_store_stripe_add_events (fixture->store, PROFILE,
                                     (const PaStripeEventRow *) batch->rows->data,
                                     batch->rows->len, order, source, NULL, new_ids, error);
}

static void
batch_store_ok (Fixture       *fixture,
                Batch         *batch,
                PaStripeOrder  order,
                const char    *source)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (batch_store (fixture, batch, order, source, NULL, &error));
  g_assert_no_error (error);
}

static PaStripePaymentRecord *
get_payment (Fixture    *fixture,
             const char *id)
{
  g_autoptr(GError) error = NULL;
  PaStripePaymentRecord *payment = pa_store_stripe_get_payment (fixture->store, PROFILE, id,
                                                                &error);

  g_assert_no_error (error);
  g_assert_nonnull (payment);
  return payment;
}

static char *
join_ids (GPtrArray *ids)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; ids != NULL && i < ids->len; i++)
    g_string_append_printf (s, "%s%s", i > 0 ? " " : "", (const char *) ids->pdata[i]);
  return g_string_free (s, FALSE);
}

static char *
join_payment_ids (GPtrArray *payments)
{
  g_autoptr(GPtrArray) ids = g_ptr_array_new ();

  for (guint i = 0; i < payments->len; i++)
    g_ptr_array_add (ids, ((PaStripePaymentRecord *) payments->pdata[i])->id);
  return join_ids (ids);
}

/* ---- deduplication and order ------------------------------------------- */

static void
test_dedupe (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(Batch) first = batch_new ();
  g_autoptr(Batch) second = batch_new ();
  g_autoptr(GPtrArray) new_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  Charge a = { .id = "ch_a", .created = 100, .amount = 500 };
  Charge b = { .id = "ch_b", .created = 101, .amount = 700 };

  g_test_message ("An event twice in one batch and again in the next is stored once");
  batch_add_charge (first, "evt_1", "charge.succeeded", &a);
  batch_add_charge (first, "evt_2", "charge.succeeded", &b);
  batch_add_charge (first, "evt_1", "charge.succeeded", &a);
  g_assert_true (batch_store (fixture, first, PA_STRIPE_ORDER_FORWARD, "sync", new_ids, &error));
  g_assert_no_error (error);
  joined = join_ids (new_ids);
  g_assert_cmpstr (joined, ==, "evt_1 evt_2");

  batch_add_charge (second, "evt_2", "charge.succeeded", &b);
  batch_add_charge (second, "evt_1", "charge.succeeded", &a);
  g_ptr_array_set_size (new_ids, 0);
  g_assert_true (batch_store (fixture, second, PA_STRIPE_ORDER_FORWARD, "sync", new_ids, &error));
  g_assert_cmpuint (new_ids->len, ==, 0);

  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 2);
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, PROFILE, NULL, &error), ==, 2);
  /* Other profiles see nothing of it. */
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, "other", &error), ==, 0);
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, "other", NULL, &error), ==, 0);
  g_assert_no_error (error);
}

static void
assert_status (Fixture    *fixture,
               const char *id,
               const char *status,
               gint64      amount)
{
  g_autoptr(PaStripePaymentRecord) payment = get_payment (fixture, id);

  g_assert_cmpstr (payment->status, ==, status);
  g_assert_cmpint (payment->amount, ==, amount);
}

static void
test_order (Fixture       *fixture,
            gconstpointer  data)
{
  Charge pending = { .id = "ch_f", .created = 100, .amount = 100, .status = "pending" };
  Charge succeeded = pending, failed = pending;

  succeeded.status = "succeeded";
  succeeded.amount = 200;
  failed.status = "failed";
  failed.amount = 300;

  g_test_message ("Forward: the newest copy wins, and an older one arriving later loses");
  {
    g_autoptr(Batch) batch = batch_new ();
    g_autoptr(Batch) late = batch_new ();

    batch_add_charge (batch, "evt_f1", "charge.pending", &pending);
    batch_add_charge_at (batch, "evt_f2", "charge.succeeded", 200, &succeeded);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "sync");
    assert_status (fixture, "ch_f", "succeeded", 200);

    batch_add_charge_at (late, "evt_f0", "charge.failed", 50, &failed);
    batch_store_ok (fixture, late, PA_STRIPE_ORDER_FORWARD, "sync");
    assert_status (fixture, "ch_f", "succeeded", 200);
  }

  g_test_message ("Backward: newest first, the first copy stays");
  {
    g_autoptr(Batch) batch = batch_new ();
    Charge p = pending, s = succeeded;

    p.id = s.id = "ch_b";
    batch_add_charge_at (batch, "evt_b2", "charge.succeeded", 200, &s);
    batch_add_charge (batch, "evt_b1", "charge.pending", &p);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_BACKWARD, "sync");
    assert_status (fixture, "ch_b", "succeeded", 200);
  }

  g_test_message ("Tie, forward: of two copies of the same second the later one wins");
  {
    g_autoptr(Batch) batch = batch_new ();
    Charge p = pending, s = succeeded;

    p.id = s.id = "ch_tf";
    batch_add_charge (batch, "evt_tf1", "charge.pending", &p);
    batch_add_charge (batch, "evt_tf2", "charge.succeeded", &s);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "sync");
    assert_status (fixture, "ch_tf", "succeeded", 200);
  }

  g_test_message ("Tie, backward: of two copies of the same second the earlier one wins");
  {
    g_autoptr(Batch) batch = batch_new ();
    g_autoptr(Batch) older_page = batch_new ();
    Charge p = pending, s = succeeded;

    p.id = s.id = "ch_tb";
    batch_add_charge (batch, "evt_tb2", "charge.succeeded", &s);
    batch_add_charge (batch, "evt_tb1", "charge.pending", &p);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_BACKWARD, "sync");
    assert_status (fixture, "ch_tb", "succeeded", 200);

    /* The next page of a backward walk is older still, even at a tie. */
    batch_add_charge (older_page, "evt_tb0", "charge.pending", &p);
    batch_store_ok (fixture, older_page, PA_STRIPE_ORDER_BACKWARD, "sync");
    assert_status (fixture, "ch_tb", "succeeded", 200);
  }

  g_test_message ("Tie, across forward batches: the later batch wins");
  {
    g_autoptr(Batch) batch = batch_new ();
    Charge s = succeeded;

    s.id = "ch_tf";
    s.amount = 250;
    batch_add_charge (batch, "evt_tf3", "charge.updated", &s);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "webhook");
    assert_status (fixture, "ch_tf", "succeeded", 250);
  }
}

static void
test_webhook_then_sync (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(Batch) hook = batch_new ();
  g_autoptr(Batch) page = batch_new ();
  g_autoptr(GPtrArray) new_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = NULL;
  Charge c = { .id = "ch_w", .created = 500, .amount = 1200 };
  Charge d = { .id = "ch_x", .created = 501, .amount = 300 };

  g_test_message ("An event a webhook brought is not stored again by the sync");
  batch_add_charge (hook, "evt_w", "charge.succeeded", &c);
  g_assert_true (batch_store (fixture, hook, PA_STRIPE_ORDER_FORWARD, "webhook", new_ids, &error));
  g_assert_cmpuint (new_ids->len, ==, 1);

  g_ptr_array_set_size (new_ids, 0);
  batch_add_charge (page, "evt_w", "charge.succeeded", &c);
  batch_add_charge (page, "evt_x", "charge.succeeded", &d);
  g_assert_true (pa_store_stripe_add_events (fixture->store, PROFILE,
                                             (PaStripeEventRow *) page->rows->data,
                                             page->rows->len, PA_STRIPE_ORDER_FORWARD, "sync",
                                             &(PaStripeSyncState) { .cursor = "evt_x" },
                                             new_ids, &error));
  g_assert_no_error (error);
  joined = join_ids (new_ids);
  g_assert_cmpstr (joined, ==, "evt_x");
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 2);
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, PROFILE, NULL, &error), ==, 2);
  g_assert_no_error (error);
}

/* ---- refunds and disputes ---------------------------------------------- */

static void
add_one (Fixture       *fixture,
         const char    *event_id,
         const char    *type,
         gint64         created,
         const char    *object_json,
         PaStripeOrder  order,
         const char    *source)
{
  g_autoptr(Batch) batch = batch_new ();

  batch_add (batch, event_id, type, created, object_json);
  batch_store_ok (fixture, batch, order, source);
}

static void
assert_refunded (Fixture    *fixture,
                 const char *id,
                 gint64      expected)
{
  g_autoptr(PaStripePaymentRecord) payment = get_payment (fixture, id);

  g_test_message ("%s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " refunded", id,
                  payment->amount_refunded, payment->amount);
  g_assert_cmpint (payment->amount_refunded, ==, expected);
}

static char *
status_ids (Fixture    *fixture,
            const char *status)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  PaStripePaymentFilter filter;

  pa_stripe_payment_filter_init (&filter);
  filter.status = status;
  list = pa_store_stripe_list_payments (fixture->store, PROFILE, &filter, 0, 0, &error);
  g_assert_no_error (error);
  return join_payment_ids (list);
}

static void
test_refunds (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refunds = NULL;
  g_autofree char *charge = NULL;
  g_autofree char *charge_refunded = NULL;
  g_autofree char *charge_refunded2 = NULL;
  g_autofree char *re1 = refund_json ("re_1", "ch_r", 300, "succeeded", 150);
  g_autofree char *re2 = refund_json ("re_2", "ch_r", 200, "succeeded", 200);
  g_autofree char *re3 = refund_json ("re_3", "ch_r", 400, "failed", 210);
  g_autofree char *re4 = refund_json ("re_4", "ch_r", 500, "succeeded", 220);
  g_autofree char *ids = NULL;
  Charge c = { .id = "ch_r", .created = 100, .amount = 1000, .payment_intent = "pi_r" };

  charge = charge_json (&c);
  add_one (fixture, "evt_1", "charge.succeeded", 100, charge, PA_STRIPE_ORDER_FORWARD, "sync");
  assert_refunded (fixture, "ch_r", 0);

  g_test_message ("A refund made through the API counts at once");
  g_assert_true (pa_store_stripe_put_object (fixture->store, PROFILE, re1, 150, &error));
  g_assert_no_error (error);
  assert_refunded (fixture, "ch_r", 300);
  ids = status_ids (fixture, "partially_refunded");
  g_assert_cmpstr (ids, ==, "ch_r");
  g_clear_pointer (&ids, g_free);

  g_test_message ("Its refund.created and the charge.refunded events do not count it again");
  c.amount_refunded = 300;
  charge_refunded = charge_json (&c);
  add_one (fixture, "evt_2", "refund.created", 149, re1, PA_STRIPE_ORDER_FORWARD, "sync");
  add_one (fixture, "evt_3", "charge.refunded", 149, charge_refunded, PA_STRIPE_ORDER_FORWARD,
           "sync");
  assert_refunded (fixture, "ch_r", 300);

  g_test_message ("A second refund adds its own amount, once, by whichever path");
  add_one (fixture, "evt_4", "refund.created", 200, re2, PA_STRIPE_ORDER_FORWARD, "webhook");
  assert_refunded (fixture, "ch_r", 500);
  add_one (fixture, "evt_4", "refund.created", 200, re2, PA_STRIPE_ORDER_FORWARD, "sync");
  g_assert_true (pa_store_stripe_put_object (fixture->store, PROFILE, re2, 201, &error));
  assert_refunded (fixture, "ch_r", 500);
  c.amount_refunded = 500;
  charge_refunded2 = charge_json (&c);
  add_one (fixture, "evt_5", "charge.refunded", 202, charge_refunded2, PA_STRIPE_ORDER_FORWARD,
           "sync");
  assert_refunded (fixture, "ch_r", 500);

  g_test_message ("A failed refund counts for nothing");
  add_one (fixture, "evt_6", "refund.created", 210, re3, PA_STRIPE_ORDER_FORWARD, "sync");
  assert_refunded (fixture, "ch_r", 500);

  g_test_message ("The rest refunded: the payment is refunded, no longer partially");
  add_one (fixture, "evt_7", "refund.created", 220, re4, PA_STRIPE_ORDER_FORWARD, "sync");
  assert_refunded (fixture, "ch_r", 1000);
  ids = status_ids (fixture, "refunded");
  g_assert_cmpstr (ids, ==, "ch_r");
  g_clear_pointer (&ids, g_free);
  ids = status_ids (fixture, "partially_refunded");
  g_assert_cmpstr (ids, ==, "");
  g_clear_pointer (&ids, g_free);

  refunds = pa_store_stripe_list_objects (fixture->store, PROFILE, "refund", "ch_r", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (refunds->len, ==, 4);
  /* Newest first. */
  g_assert_cmpstr (((PaStripeObjectRecord *) refunds->pdata[0])->id, ==, "re_4");
  g_assert_cmpstr (((PaStripeObjectRecord *) refunds->pdata[3])->id, ==, "re_1");

  g_test_message ("A backfill meets the refund before its charge");
  {
    g_autoptr(Batch) batch = batch_new ();
    g_autofree char *re_b = refund_json ("re_b", "ch_back", 100, "succeeded", 300);
    Charge back = { .id = "ch_back", .created = 290, .amount = 100 };

    batch_add (batch, "evt_b2", "refund.created", 300, re_b);
    batch_add_charge (batch, "evt_b1", "charge.succeeded", &back);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_BACKWARD, "sync");
    assert_refunded (fixture, "ch_back", 100);
  }
}

static void
test_dispute (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) disputes = NULL;
  g_autofree char *charge = NULL;
  g_autofree char *charge_later = NULL;
  g_autofree char *ids = NULL;
  const char *dispute = "{\"id\": \"dp_1\", \"object\": \"dispute\", \"amount\": 800, "
                        "\"charge\": \"ch_d\", \"currency\": \"usd\", \"reason\": \"fraudulent\", "
                        "\"status\": \"needs_response\", \"created\": 110}";
  const char *dispute_back = "{\"id\": \"dp_2\", \"object\": \"dispute\", \"amount\": 50, "
                             "\"charge\": {\"id\": \"ch_e\", \"object\": \"charge\"}, "
                             "\"status\": \"needs_response\", \"created\": 410}";
  Charge c = { .id = "ch_d", .created = 100, .amount = 800 };
  Charge e = { .id = "ch_e", .created = 400, .amount = 50 };
  g_autoptr(PaStripePaymentRecord) payment = NULL;

  charge = charge_json (&c);
  add_one (fixture, "evt_d1", "charge.succeeded", 100, charge, PA_STRIPE_ORDER_FORWARD, "sync");
  payment = get_payment (fixture, "ch_d");
  g_assert_false (payment->disputed);
  g_clear_pointer (&payment, pa_stripe_payment_record_free);

  g_test_message ("A dispute marks its charge disputed");
  add_one (fixture, "evt_d2", "charge.dispute.created", 110, dispute, PA_STRIPE_ORDER_FORWARD,
           "webhook");
  payment = get_payment (fixture, "ch_d");
  g_assert_true (payment->disputed);
  g_clear_pointer (&payment, pa_stripe_payment_record_free);

  g_test_message ("...and a newer copy of the charge keeps it so");
  charge_later = charge_json (&c);
  add_one (fixture, "evt_d3", "charge.updated", 120, charge_later, PA_STRIPE_ORDER_FORWARD, "sync");
  payment = get_payment (fixture, "ch_d");
  g_assert_true (payment->disputed);
  g_clear_pointer (&payment, pa_stripe_payment_record_free);

  g_test_message ("A dispute met before its charge (backfill, expanded charge) counts too");
  {
    g_autoptr(Batch) batch = batch_new ();

    batch_add (batch, "evt_e2", "charge.dispute.created", 410, dispute_back);
    batch_add_charge (batch, "evt_e1", "charge.succeeded", &e);
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_BACKWARD, "sync");
  }
  ids = status_ids (fixture, "disputed");
  g_assert_cmpstr (ids, ==, "ch_e ch_d");

  disputes = pa_store_stripe_list_objects (fixture->store, PROFILE, "dispute", "ch_d", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (disputes->len, ==, 1);
  g_assert_cmpstr (((PaStripeObjectRecord *) disputes->pdata[0])->parent, ==, "ch_d");
}

/* ---- the payments list ------------------------------------------------- */

typedef struct {
  char    *id;
  gint64   created;
  gint64   amount;
  gint64   amount_refunded;
  char    *currency;
  char    *status;
  gboolean disputed;
  char    *email;
  char    *name;
  char    *description;
} Expected;

static void
expected_free (Expected *e)
{
  g_free (e->id);
  g_free (e->currency);
  g_free (e->status);
  g_free (e->email);
  g_free (e->name);
  g_free (e->description);
  g_free (e);
}

/* What the filter means, written out plainly to check the SQL by. */
static gboolean
expected_matches (const Expected              *e,
                  const PaStripePaymentFilter *f)
{
  if (f == NULL)
    return TRUE;
  if (f->status != NULL)
    {
      gboolean ok;

      if (strcmp (f->status, "refunded") == 0)
        ok = strcmp (e->status, "succeeded") == 0 && e->amount_refunded > 0
             && e->amount_refunded >= e->amount;
      else if (strcmp (f->status, "partially_refunded") == 0)
        ok = strcmp (e->status, "succeeded") == 0 && e->amount_refunded > 0
             && e->amount_refunded < e->amount;
      else if (strcmp (f->status, "disputed") == 0)
        ok = e->disputed;
      else
        ok = strcmp (e->status, f->status) == 0;
      if (!ok)
        return FALSE;
    }
  if (f->search != NULL && f->search[0] != '\0')
    {
      const char *parts[] = { e->id, e->email, e->name, e->description };
      g_autoptr(GString) haystack = g_string_new (NULL);
      g_autofree char *lower = NULL;

      /* The fields there are, one a line. */
      for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
        if (parts[i] != NULL && parts[i][0] != '\0')
          g_string_append_printf (haystack, "%s%s", haystack->len > 0 ? "\n" : "", parts[i]);
      lower = g_utf8_strdown (haystack->str, -1);
      g_autofree char *needle = g_utf8_strdown (f->search, -1);

      if (strstr (lower, needle) == NULL)
        return FALSE;
    }
  if (f->created_from > 0 && e->created < f->created_from)
    return FALSE;
  if (f->created_to > 0 && e->created >= f->created_to)
    return FALSE;
  if (f->amount_min >= 0 && e->amount < f->amount_min)
    return FALSE;
  if (f->amount_max >= 0 && e->amount > f->amount_max)
    return FALSE;
  if (f->currency != NULL && g_ascii_strcasecmp (f->currency, e->currency) != 0)
    return FALSE;
  return TRUE;
}

static int
compare_newest_first (gconstpointer a,
                      gconstpointer b)
{
  const Expected *x = *(Expected * const *) a, *y = *(Expected * const *) b;

  if (x->created != y->created)
    return x->created > y->created ? -1 : 1;
  return -strcmp (x->id, y->id);
}

/* Stores 240 payments of every kind; @expected gets them newest first. */
static void
store_varied_payments (Fixture   *fixture,
                       GPtrArray *expected)
{
  static const char *currencies[] = { "usd", "eur", "jpy", "kwd" };
  static const char *statuses[] = { "succeeded", "succeeded", "succeeded", "pending", "failed" };
  static const char *names[] = { "Alice Müller", "Bob", "ÉMILE Zola", NULL };
  static const char *descriptions[] = {
    "50% off the print", "a_b item", "plain order", "back\\slash", NULL, "5000 off",
  };
  static const gint64 amounts[] = { 0, 50, 100, 999, 1000, 5000, 12345 };
  g_autoptr(GRand) rand = g_rand_new_with_seed (13);
  g_autoptr(Batch) batch = batch_new ();

  for (guint i = 0; i < 240; i++)
    {
      Expected *e = g_new0 (Expected, 1);
      g_autofree char *event_id = g_strdup_printf ("evt_v%04u", i);
      Charge c = { 0, };

      e->id = g_strdup_printf ("ch_v%04u", i);
      /* Three payments a minute: ties in created, broken by id. */
      e->created = 1700000000 + (i / 3) * 60;
      e->amount = amounts[g_rand_int_range (rand, 0, G_N_ELEMENTS (amounts))];
      e->currency = g_strdup (currencies[g_rand_int_range (rand, 0, G_N_ELEMENTS (currencies))]);
      e->status = g_strdup (statuses[g_rand_int_range (rand, 0, G_N_ELEMENTS (statuses))]);
      if (strcmp (e->status, "succeeded") == 0 && e->amount > 1)
        {
          switch (g_rand_int_range (rand, 0, 4))
            {
            case 0: e->amount_refunded = e->amount / 2; break;
            case 1: e->amount_refunded = e->amount; break;
            default: break;
            }
          e->disputed = g_rand_int_range (rand, 0, 8) == 0;
        }
      if (g_rand_boolean (rand))
        e->email = g_strdup_printf ("user%u@example.com", i);
      e->name = g_strdup (names[g_rand_int_range (rand, 0, G_N_ELEMENTS (names))]);
      e->description = g_strdup (descriptions[g_rand_int_range (rand, 0,
                                                                G_N_ELEMENTS (descriptions))]);

      c.id = e->id;
      c.created = e->created;
      c.amount = e->amount;
      c.amount_refunded = e->amount_refunded;
      c.currency = e->currency;
      /* Stripe writes currencies in lower case; one upper-case one
       * shows that the store does not depend on it. */
      if (i == 7)
        {
          c.currency = "USD";
          g_free (e->currency);
          e->currency = g_strdup ("usd");
        }
      c.status = e->status;
      c.disputed = e->disputed;
      c.email = e->email;
      c.name = e->name;
      c.description = e->description;
      batch_add_charge (batch, event_id, "charge.succeeded", &c);
      g_ptr_array_add (expected, e);
    }
  batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "sync");
  g_ptr_array_sort (expected, compare_newest_first);
}

static char *
describe_filter (const PaStripePaymentFilter *f)
{
  if (f == NULL)
    return g_strdup ("no filter");
  return g_strdup_printf ("status=%s search=%s created=[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT
                          ") amount=[%" G_GINT64_FORMAT ",%" G_GINT64_FORMAT "] currency=%s",
                          f->status ? f->status : "*", f->search ? f->search : "*",
                          f->created_from, f->created_to, f->amount_min, f->amount_max,
                          f->currency ? f->currency : "*");
}

/* Checks count and list against the plain reading, and that pages of
 * seven read at offsets add up to the whole list. */
static void
check_filter (Fixture                     *fixture,
              GPtrArray                   *all,
              const PaStripePaymentFilter *filter)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) want_ids = g_ptr_array_new ();
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(GString) paged = g_string_new (NULL);
  g_autofree char *want = NULL;
  g_autofree char *got = NULL;
  g_autofree char *what = describe_filter (filter);
  guint count;

  for (guint i = 0; i < all->len; i++)
    if (expected_matches (all->pdata[i], filter))
      g_ptr_array_add (want_ids, ((Expected *) all->pdata[i])->id);
  want = join_ids (want_ids);

  count = pa_store_stripe_count_payments (fixture->store, PROFILE, filter, &error);
  g_assert_no_error (error);
  list = pa_store_stripe_list_payments (fixture->store, PROFILE, filter, 0, 0, &error);
  g_assert_no_error (error);
  got = join_payment_ids (list);
  g_test_message ("%s: %u payments", what, count);
  if (g_strcmp0 (want, got) != 0 || count != want_ids->len)
    g_error ("Filter %s: expected %u [%s], got count %u list [%s]", what, want_ids->len, want,
             count, got);

  for (guint offset = 0; offset < count + 7; offset += 7)
    {
      g_autoptr(GPtrArray) page = pa_store_stripe_list_payments (fixture->store, PROFILE, filter,
                                                                 offset, 7, &error);
      g_autofree char *page_ids = NULL;

      g_assert_no_error (error);
      g_assert_cmpuint (page->len, ==, MIN (7, count > offset ? count - offset : 0));
      page_ids = join_payment_ids (page);
      if (page->len > 0)
        g_string_append_printf (paged, "%s%s", paged->len > 0 ? " " : "", page_ids);
    }
  g_assert_cmpstr (paged->str, ==, want);
}

static void
test_filters (Fixture       *fixture,
              gconstpointer  data)
{
  static const char *statuses[] = {
    "succeeded", "pending", "failed", "refunded", "partially_refunded", "disputed",
  };
  static const char *searches[] = {
    "50%", "a_b", "%", "_", "\\", "ALICE", "émile", "müller", "user1", "ch_v000", "zzz",
    "@example.com\nalice",
  };
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func ((GDestroyNotify) expected_free);
  g_autoptr(GError) error = NULL;
  PaStripePaymentFilter f;
  gint64 middle;
  guint n_checked = 0;

  store_varied_payments (fixture, all);
  middle = 1700000000 + 40 * 60;

  g_test_message ("No filter");
  check_filter (fixture, all, NULL);
  pa_stripe_payment_filter_init (&f);
  check_filter (fixture, all, &f);
  n_checked += 2;

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++, n_checked++)
    {
      pa_stripe_payment_filter_init (&f);
      f.status = statuses[i];
      check_filter (fixture, all, &f);
    }
  for (guint i = 0; i < G_N_ELEMENTS (searches); i++, n_checked++)
    {
      pa_stripe_payment_filter_init (&f);
      f.search = searches[i];
      check_filter (fixture, all, &f);
    }

  pa_stripe_payment_filter_init (&f);
  f.created_from = middle;
  check_filter (fixture, all, &f);
  f.created_from = 0;
  f.created_to = middle;
  check_filter (fixture, all, &f);
  f.created_from = middle - 600;
  check_filter (fixture, all, &f);
  n_checked += 3;

  pa_stripe_payment_filter_init (&f);
  f.amount_min = 0;
  f.amount_max = 0;
  check_filter (fixture, all, &f);
  f.amount_min = 999;
  f.amount_max = 5000;
  check_filter (fixture, all, &f);
  f.amount_max = -1;
  check_filter (fixture, all, &f);
  n_checked += 3;

  pa_stripe_payment_filter_init (&f);
  f.currency = "JPY";
  check_filter (fixture, all, &f);
  f.currency = "usd";
  check_filter (fixture, all, &f);
  n_checked += 2;

  g_test_message ("Combinations");
  for (guint s = 0; s < G_N_ELEMENTS (statuses); s++)
    for (guint c = 0; c < 3; c++, n_checked++)
      {
        pa_stripe_payment_filter_init (&f);
        f.status = statuses[s];
        f.currency = c == 0 ? "usd" : c == 1 ? "eur" : NULL;
        f.search = c == 2 ? "example" : NULL;
        f.created_from = middle - 1200;
        f.created_to = middle + 1200;
        f.amount_min = c == 1 ? 100 : -1;
        f.amount_max = c == 0 ? 1000 : -1;
        check_filter (fixture, all, &f);
      }
  g_test_message ("%u filters checked against their plain reading", n_checked);

  g_test_message ("An unknown status is refused in words");
  pa_stripe_payment_filter_init (&f);
  f.status = "bogus";
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, PROFILE, &f, &error), ==, 0);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "bogus"));
  g_clear_error (&error);
  g_assert_null (pa_store_stripe_list_payments (fixture->store, PROFILE, &f, 0, 10, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

static void
test_payment_fields (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripePaymentRecord) payment = NULL;
  g_autoptr(PaStripePaymentRecord) missing = NULL;
  g_autoptr(PaStripeObjectRecord) object = NULL;
  g_autofree char *json = NULL;
  Charge c = { .id = "ch_full", .created = 1234, .amount = 4200, .amount_refunded = 0,
               .currency = "eur", .status = "succeeded", .email = "buyer@example.com",
               .name = "Ada", .description = "A print", .payment_intent = "pi_full" };

  json = charge_json (&c);
  add_one (fixture, "evt_full", "charge.succeeded", 1234, json, PA_STRIPE_ORDER_FORWARD, "sync");

  g_test_message ("Every column of a payment reads back as Stripe sent it");
  payment = get_payment (fixture, "ch_full");
  g_assert_cmpstr (payment->id, ==, "ch_full");
  g_assert_cmpint (payment->created, ==, 1234);
  g_assert_cmpint (payment->amount, ==, 4200);
  g_assert_cmpstr (payment->currency, ==, "eur");
  g_assert_cmpstr (payment->status, ==, "succeeded");
  g_assert_cmpstr (payment->payment_intent, ==, "pi_full");
  g_assert_null (payment->customer);
  g_assert_cmpstr (payment->email, ==, "buyer@example.com");
  g_assert_cmpstr (payment->name, ==, "Ada");
  g_assert_cmpstr (payment->description, ==, "A print");
  g_assert_cmpstr (payment->method, ==, "card");
  g_assert_cmpstr (payment->card_brand, ==, "visa");
  g_assert_cmpstr (payment->card_last4, ==, "4242");
  g_assert_false (payment->livemode);
  g_assert_false (payment->disputed);

  /* The charge is among the objects too, with its whole copy. */
  object = pa_store_stripe_get_object (fixture->store, PROFILE, "ch_full", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (object->object, ==, "charge");
  g_assert_nonnull (strstr (object->data_json, "\"A print\""));

  missing = pa_store_stripe_get_payment (fixture->store, PROFILE, "ch_nope", &error);
  g_assert_null (missing);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

/* ---- 100,000 payments -------------------------------------------------- */

/* Stripe's ids are random: so are these, and still unique and
 * reproducible from @i. */
static char *
many_id (const char *prefix,
         guint       i)
{
  return g_strdup_printf ("%s_%08x%06u", prefix, (guint32) (i * 2654435761u), i);
}

static gint64
cpu_time_us (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return (gint64) (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC
         + usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

/* Prints how long @what took since @since_us (monotonic). */
static void
report_ms (const char *what,
           gint64      since_us)
{
  g_test_message ("%s in %.1f ms", what, (g_get_monotonic_time () - since_us) / 1e3);
}

static void
test_many (Fixture       *fixture,
           gconstpointer  data)
{
  const guint n = 100000, page = 100;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) last = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autofree char *padding = g_strnfill (1200, 'x');
  g_autofree char *durability = pa_store_describe_durability (fixture->store);
  PaStripePaymentFilter filter;
  gint64 store_us = 0, store_cpu_us = 0, bytes = 0, t;
  guint count, expected;

  g_test_message ("Storing %u charge events in pages of %u (%s)", n, page, durability);
  for (guint start = 0; start < n; start += page)
    {
      g_autoptr(Batch) batch = batch_new ();
      PaStripeSyncState state = { 0, };
      gint64 cpu;

      for (guint i = start; i < start + page; i++)
        {
          g_autofree char *id = many_id ("ch", i);
          g_autofree char *event_id = many_id ("evt", i);
          g_autofree char *email = g_strdup_printf ("buyer%u@example.com", i);
          Charge c = { .id = id, .created = 1700000000 + i, .amount = 100 + i % 10000,
                       .currency = i % 3 == 0 ? "eur" : "usd",
                       .status = i % 10 == 0 ? "failed" : "succeeded", .email = email,
                       .name = "Some Buyer", .description = "A print of the studio",
                       .payment_intent = "pi_many", .padding = padding };

          batch_add_charge (batch, event_id, "charge.succeeded", &c);
          bytes += strlen (g_array_index (batch->rows, PaStripeEventRow, i - start).payload_json);
        }
      state.cursor = (char *) g_array_index (batch->rows, PaStripeEventRow, page - 1).id;

      t = g_get_monotonic_time ();
      cpu = cpu_time_us ();
      g_assert_true (pa_store_stripe_add_events (fixture->store, PROFILE,
                                                 (PaStripeEventRow *) batch->rows->data,
                                                 batch->rows->len, PA_STRIPE_ORDER_FORWARD,
                                                 "sync", &state, NULL, &error));
      store_us += g_get_monotonic_time () - t;
      store_cpu_us += cpu_time_us () - cpu;
      g_assert_no_error (error);
    }
  g_test_message ("Stored %u events (%.0f bytes each on average) in %.2f s (%.2f s of CPU): "
                  "%.0f events/s",
                  n, (double) bytes / n, store_us / 1e6, store_cpu_us / 1e6,
                  n / (store_us / 1e6));

  t = g_get_monotonic_time ();
  count = pa_store_stripe_count_payments (fixture->store, PROFILE, NULL, &error);
  g_assert_no_error (error);
  report_ms ("Counted all payments", t);
  g_assert_cmpuint (count, ==, n);

  t = g_get_monotonic_time ();
  first = pa_store_stripe_list_payments (fixture->store, PROFILE, NULL, 0, page, &error);
  g_assert_no_error (error);
  report_ms ("Read the first page", t);
  {
    g_autofree char *want = many_id ("ch", n - 1);

    g_assert_cmpstr (((PaStripePaymentRecord *) first->pdata[0])->id, ==, want);
  }

  t = g_get_monotonic_time ();
  last = pa_store_stripe_list_payments (fixture->store, PROFILE, NULL, n - page, page, &error);
  g_assert_no_error (error);
  report_ms ("Read the page at offset 99,900", t);
  g_assert_cmpuint (last->len, ==, page);
  for (guint i = 0; i < page; i++)
    {
      PaStripePaymentRecord *p = last->pdata[i];
      g_autofree char *want = many_id ("ch", page - 1 - i);

      g_assert_cmpstr (p->id, ==, want);
      g_assert_cmpint (p->created, ==, 1700000000 + page - 1 - i);
      g_assert_cmpint (p->amount, ==, 100 + (page - 1 - i) % 10000);
      g_assert_cmpstr (p->currency, ==, (page - 1 - i) % 3 == 0 ? "eur" : "usd");
    }

  pa_stripe_payment_filter_init (&filter);
  filter.status = "failed";
  t = g_get_monotonic_time ();
  count = pa_store_stripe_count_payments (fixture->store, PROFILE, &filter, &error);
  g_assert_no_error (error);
  report_ms ("Counted the failed payments", t);
  g_assert_cmpuint (count, ==, n / 10);
  t = g_get_monotonic_time ();
  g_clear_pointer (&last, g_ptr_array_unref);
  last = pa_store_stripe_list_payments (fixture->store, PROFILE, &filter, count - page, page,
                                        &error);
  g_assert_no_error (error);
  report_ms ("Read the last page of failed payments", t);
  {
    g_autofree char *want = many_id ("ch", 0);

    g_assert_cmpstr (((PaStripePaymentRecord *) last->pdata[page - 1])->id, ==, want);
  }

  pa_stripe_payment_filter_init (&filter);
  filter.status = "disputed";
  t = g_get_monotonic_time ();
  count = pa_store_stripe_count_payments (fixture->store, PROFILE, &filter, &error);
  g_clear_pointer (&last, g_ptr_array_unref);
  last = pa_store_stripe_list_payments (fixture->store, PROFILE, &filter, 0, page, &error);
  g_assert_no_error (error);
  report_ms ("Counted and listed the disputed payments (none: every row read)", t);
  g_assert_cmpuint (count, ==, 0);
  g_assert_cmpuint (last->len, ==, 0);

  pa_stripe_payment_filter_init (&filter);
  filter.search = "BUYER4242@";
  t = g_get_monotonic_time ();
  count = pa_store_stripe_count_payments (fixture->store, PROFILE, &filter, &error);
  g_clear_pointer (&last, g_ptr_array_unref);
  last = pa_store_stripe_list_payments (fixture->store, PROFILE, &filter, 0, page, &error);
  g_assert_no_error (error);
  report_ms ("Searched, counted and listed one payment", t);
  g_assert_cmpuint (count, ==, 1);
  {
    g_autofree char *want = many_id ("ch", 4242);

    g_assert_cmpstr (((PaStripePaymentRecord *) last->pdata[0])->id, ==, want);
  }

  pa_stripe_payment_filter_init (&filter);
  filter.currency = "eur";
  filter.created_from = 1700000000 + 50000;
  filter.created_to = 1700000000 + 60000;
  filter.amount_min = 5000;
  expected = 0;
  for (guint i = 50000; i < 60000; i++)
    if (i % 3 == 0 && 100 + i % 10000 >= 5000)
      expected++;
  t = g_get_monotonic_time ();
  count = pa_store_stripe_count_payments (fixture->store, PROFILE, &filter, &error);
  g_clear_pointer (&last, g_ptr_array_unref);
  last = pa_store_stripe_list_payments (fixture->store, PROFILE, &filter, 0, page, &error);
  g_assert_no_error (error);
  report_ms ("Narrowed by currency, date and amount, counted and listed", t);
  g_assert_cmpuint (count, ==, expected);
  g_assert_cmpuint (last->len, ==, page);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, n);

  {
    g_autofree char *wal = g_strconcat (pa_store_get_path (fixture->store), "-wal", NULL);
    GStatBuf db_st = { 0, }, wal_st = { 0, };

    g_stat (pa_store_get_path (fixture->store), &db_st);
    g_stat (wal, &wal_st);
    g_test_message ("The database holds %.0f MB (and %.0f MB of WAL)",
                    db_st.st_size / 1e6, wal_st.st_size / 1e6);
  }
}

/* ---- hostile batches --------------------------------------------------- */

static void
test_hostile (Fixture       *fixture,
              gconstpointer  data)
{
  static const struct {
    const char *what;
    const char *reason;      /* part of the error message */
    const char *id;
    const char *payload;     /* NULL: made below */
  } cases[] = {
    { "not JSON", "not a JSON object", "evt_h1", "{\"id\": \"evt_h1\", \"data\": " },
    { "a JSON list", "not a JSON object", "evt_h2", "[1, 2, 3]" },
    { "a JSON string", "not a JSON object", "evt_h3", "\"evt_h3\"" },
    { "no id in the payload", "“id”", "evt_h4", "{\"type\": \"charge.succeeded\", \"data\": "
                                         "{\"object\": {\"id\": \"ch_h\", \"object\": "
                                         "\"charge\", \"amount\": 1, \"currency\": \"usd\", "
                                         "\"status\": \"succeeded\"}}}" },
    { "another event's id", "“id”", "evt_h5", "{\"id\": \"evt_other\", \"data\": {\"object\": {}}}" },
    { "no data.object", "data.object", "evt_h6", "{\"id\": \"evt_h6\", \"created\": 20, \"data\": {}}" },
    { "data.object a string", "data.object", "evt_h7", "{\"id\": \"evt_h7\", \"created\": 20, \"data\": {\"object\": \"x\"}}" },
    { "a charge's amount as text", "data.object.amount", "evt_h8",
      "{\"id\": \"evt_h8\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": \"100\", \"currency\": \"usd\", \"status\": \"succeeded\"}}}" },
    { "a fractional amount", "data.object.amount", "evt_h9",
      "{\"id\": \"evt_h9\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": 10.5, \"currency\": \"usd\", \"status\": \"succeeded\"}}}" },
    { "an amount beyond 64 bits", "data.object.amount", "evt_h10",
      "{\"id\": \"evt_h10\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": 99999999999999999999999, \"currency\": \"usd\", \"status\": \"succeeded\"}}}" },
    { "a negative amount", "data.object.amount", "evt_h11",
      "{\"id\": \"evt_h11\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": -5, \"currency\": \"usd\", \"status\": \"succeeded\"}}}" },
    { "a numeric currency", "data.object.currency", "evt_h12",
      "{\"id\": \"evt_h12\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": 5, \"currency\": 840, \"status\": \"succeeded\"}}}" },
    { "a charge without id", "data.object.id", "evt_h13",
      "{\"id\": \"evt_h13\", \"created\": 20, \"data\": {\"object\": {\"object\": \"charge\", \"amount\": 5, "
      "\"currency\": \"usd\", \"status\": \"succeeded\"}}}" },
    { "a customer that is a number", "data.object.customer", "evt_h14",
      "{\"id\": \"evt_h14\", \"created\": 20, \"data\": {\"object\": {\"id\": \"ch_h\", \"object\": \"charge\", "
      "\"amount\": 5, \"currency\": \"usd\", \"status\": \"succeeded\", \"customer\": 7}}}" },
    { "a refund's charge that is a list", "data.object.charge", "evt_h15",
      "{\"id\": \"evt_h15\", \"created\": 20, \"data\": {\"object\": {\"id\": \"re_h\", \"object\": \"refund\", "
      "\"amount\": 5, \"charge\": [\"ch_h\"]}}}" },
    { "livemode as text", "data.object.livemode", "evt_h16",
      "{\"id\": \"evt_h16\", \"created\": 20, \"data\": {\"object\": {\"id\": \"prod_h\", \"object\": "
      "\"product\", \"livemode\": \"yes\"}}}" },
    { "another time than the event's", "“created”", "evt_h20",
      "{\"id\": \"evt_h20\", \"created\": 21, \"data\": {\"object\": {}}}" },
    { "no time", "“created”", "evt_h21", "{\"id\": \"evt_h21\", \"data\": {\"object\": {}}}" },
    { "not UTF-8", "UTF-8", "evt_h17", "{\"id\": \"evt_h17\", \"data\": {\"object\": {\"x\": \"\xff\"}}}" },
    { "a huge payload", "too large", "evt_h18", NULL },
    { "a huge id", "no usable id", "evt_h19", NULL },
    { "no id at all", "no usable id", NULL, "{\"id\": null, \"data\": {\"object\": {}}}" },
  };
  g_autofree char *good_charge = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripeSyncState) state = NULL;
  Charge c = { .id = "ch_good", .created = 10, .amount = 100 };

  good_charge = charge_json (&c);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(Batch) batch = batch_new ();
      g_autoptr(GPtrArray) new_ids = g_ptr_array_new_with_free_func (g_free);
      const char *id = cases[i].id;
      char *payload;
      g_autofree char *huge_id = NULL;

      if (i == G_N_ELEMENTS (cases) - 3)
        {
          g_autofree char *big = g_strnfill (2 * 1024 * 1024, 'a');
          payload = g_strdup_printf ("{\"id\": \"%s\", \"created\": 20, \"data\": {\"object\": {\"id\": "
                                     "\"ch_h\", \"object\": \"charge\", \"amount\": 5, "
                                     "\"currency\": \"usd\", \"status\": \"succeeded\", "
                                     "\"description\": \"%s\"}}}", id, big);
        }
      else if (i == G_N_ELEMENTS (cases) - 2)
        {
          huge_id = g_strnfill (100000, 'e');
          id = huge_id;
          payload = g_strdup_printf ("{\"id\": \"%s\", \"data\": {\"object\": {}}}", id);
        }
      else
        payload = g_strdup (cases[i].payload);

      /* A good event first: it must not be stored either. */
      batch_add (batch, "evt_good", "charge.succeeded", 10, good_charge);
      batch_add_raw (batch, id, "charge.succeeded", 20, payload);

      g_assert_false (pa_store_stripe_add_events (fixture->store, PROFILE,
                                                  (PaStripeEventRow *) batch->rows->data,
                                                  batch->rows->len, PA_STRIPE_ORDER_FORWARD,
                                                  "sync",
                                                  &(PaStripeSyncState) { .cursor = "evt_bad" },
                                                  new_ids, &error));
      g_test_message ("%s: %s", cases[i].what, error != NULL ? error->message : "(no error)");
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].reason) == NULL)
        g_error ("%s: expected the message to say “%s”", cases[i].what, cases[i].reason);
      /* The message names the event, or its place in the batch. */
      if (cases[i].id != NULL && huge_id == NULL)
        g_assert_nonnull (strstr (error->message, cases[i].id));
      else
        g_assert_nonnull (strstr (error->message, "2"));
      g_clear_error (&error);
      g_assert_cmpuint (new_ids->len, ==, 0);

      g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 0);
      g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, PROFILE, NULL, &error),
                        ==, 0);
      g_assert_no_error (error);
    }

  state = pa_store_stripe_get_sync_state (fixture->store, PROFILE, &error);
  g_assert_no_error (error);
  g_assert_null (state->cursor);

  g_test_message ("An object the page does not show is stored as an event, not projected");
  {
    g_autoptr(Batch) batch = batch_new ();
    g_autoptr(GPtrArray) invoices = NULL;

    batch_add (batch, "evt_inv", "invoice.paid", 30,
               "{\"id\": \"in_1\", \"object\": \"invoice\", \"amount_paid\": \"odd\"}");
    batch_add (batch, "evt_bal", "balance.available", 31,
               "{\"object\": \"balance\", \"available\": []}");
    batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "sync");
    g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 2);
    invoices = pa_store_stripe_list_objects (fixture->store, PROFILE, "invoice", NULL, 0, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (invoices->len, ==, 0);
  }

  g_test_message ("put_object refuses what is not a kept object");
  g_assert_false (pa_store_stripe_put_object (fixture->store, PROFILE, "[1]", 1, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_store_stripe_put_object (fixture->store, PROFILE,
                                              "{\"id\": \"in_1\", \"object\": \"invoice\"}", 1,
                                              &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_store_stripe_put_object (fixture->store, PROFILE,
                                              "{\"id\": \"re_x\", \"object\": \"refund\", "
                                              "\"amount\": \"5\"}", 1, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
}

/* ---- objects and timelines --------------------------------------------- */

/* The boolean @member of the JSON object @json, which must have it. */
static gboolean
json_boolean (const char *json,
              const char *member)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), member));
  return json_object_get_boolean_member (json_node_get_object (node), member);
}

static void
test_objects (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) products = NULL;
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(GPtrArray) links = NULL;
  g_autoptr(PaStripeObjectRecord) link = NULL;
  g_autoptr(PaStripeObjectRecord) missing = NULL;
  g_autoptr(Batch) batch = batch_new ();
  g_autoptr(Batch) backfill = batch_new ();

  batch_add (batch, "evt_p1", "product.created", 100,
             "{\"id\": \"prod_1\", \"object\": \"product\", \"name\": \"Print\", \"created\": 100}");
  batch_add (batch, "evt_p2", "product.created", 101,
             "{\"id\": \"prod_2\", \"object\": \"product\", \"name\": \"Poster\", \"created\": 101}");
  batch_add (batch, "evt_pr1", "price.created", 102,
             "{\"id\": \"price_1\", \"object\": \"price\", \"product\": \"prod_1\", "
             "\"unit_amount\": 500, \"currency\": \"usd\", \"created\": 102}");
  batch_add (batch, "evt_pr2", "price.created", 103,
             "{\"id\": \"price_2\", \"object\": \"price\", \"product\": {\"id\": \"prod_2\"}, "
             "\"unit_amount\": 900, \"currency\": \"usd\", \"created\": 103}");
  batch_add (batch, "evt_l1", "payment_link.created", 104,
             "{\"id\": \"plink_1\", \"object\": \"payment_link\", \"active\": true, "
             "\"url\": \"https://buy.stripe.com/test_1\"}");
  batch_add (batch, "evt_c1", "customer.created", 105,
             "{\"id\": \"cus_1\", \"object\": \"customer\", \"email\": \"a@example.com\", "
             "\"created\": 105}");
  batch_add (batch, "evt_s1", "customer.subscription.created", 106,
             "{\"id\": \"sub_1\", \"object\": \"subscription\", \"status\": \"active\", "
             "\"created\": 106}");
  batch_store_ok (fixture, batch, PA_STRIPE_ORDER_FORWARD, "sync");

  products = pa_store_stripe_list_objects (fixture->store, PROFILE, "product", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (products->len, ==, 2);
  g_assert_cmpstr (((PaStripeObjectRecord *) products->pdata[0])->id, ==, "prod_2");

  g_test_message ("Prices belong to their product, also when it came expanded");
  prices = pa_store_stripe_list_objects (fixture->store, PROFILE, "price", "prod_2", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (prices->len, ==, 1);
  g_assert_cmpstr (((PaStripeObjectRecord *) prices->pdata[0])->id, ==, "price_2");
  g_clear_pointer (&prices, g_ptr_array_unref);
  prices = pa_store_stripe_list_objects (fixture->store, PROFILE, "price", NULL, 1, &error);
  g_assert_cmpuint (prices->len, ==, 1);

  g_test_message ("A link deactivated through the API replaces the synced copy");
  g_assert_true (pa_store_stripe_put_object (fixture->store, PROFILE,
                                             "{\"id\": \"plink_1\", \"object\": \"payment_link\", "
                                             "\"active\": false, \"url\": "
                                             "\"https://buy.stripe.com/test_1\"}", 200, &error));
  g_assert_no_error (error);
  link = pa_store_stripe_get_object (fixture->store, PROFILE, "plink_1", &error);
  g_assert_no_error (error);
  g_assert_false (json_boolean (link->data_json, "active"));
  /* An event older than that answer does not bring the old copy back. */
  add_one (fixture, "evt_l0", "payment_link.updated", 150,
           "{\"id\": \"plink_1\", \"object\": \"payment_link\", \"active\": true}",
           PA_STRIPE_ORDER_FORWARD, "webhook");
  g_clear_pointer (&link, pa_stripe_object_record_free);
  link = pa_store_stripe_get_object (fixture->store, PROFILE, "plink_1", &error);
  g_assert_false (json_boolean (link->data_json, "active"));
  links = pa_store_stripe_list_objects (fixture->store, PROFILE, "payment_link", NULL, 0, &error);
  g_assert_cmpuint (links->len, ==, 1);

  g_test_message ("A deleted product is not listed, and a backfill does not bring it back");
  add_one (fixture, "evt_pd", "product.deleted", 300,
           "{\"id\": \"prod_1\", \"object\": \"product\", \"name\": \"Print\", \"created\": 100}",
           PA_STRIPE_ORDER_FORWARD, "webhook");
  batch_add (backfill, "evt_p0", "product.updated", 99,
             "{\"id\": \"prod_1\", \"object\": \"product\", \"name\": \"Old\", \"created\": 100}");
  batch_store_ok (fixture, backfill, PA_STRIPE_ORDER_BACKWARD, "sync");
  g_clear_pointer (&products, g_ptr_array_unref);
  products = pa_store_stripe_list_objects (fixture->store, PROFILE, "product", NULL, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (products->len, ==, 1);
  g_assert_cmpstr (((PaStripeObjectRecord *) products->pdata[0])->id, ==, "prod_2");

  missing = pa_store_stripe_get_object (fixture->store, PROFILE, "prod_nope", &error);
  g_assert_null (missing);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

static void
test_timeline (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) types = g_ptr_array_new ();
  g_autoptr(Batch) batch = batch_new ();
  g_autofree char *charge = NULL;
  g_autofree char *other = NULL;
  g_autofree char *refund = refund_json ("re_t", "ch_t", 100, "succeeded", 130);
  g_autofree char *joined = NULL;
  Charge c = { .id = "ch_t", .created = 110, .amount = 900, .payment_intent = "pi_t" };
  Charge o = { .id = "ch_o", .created = 111, .amount = 900, .payment_intent = "pi_o" };

  charge = charge_json (&c);
  other = charge_json (&o);
  /* Newest first, as a backfill would store them. */
  batch_add (batch, "evt_t5", "charge.dispute.created", 140,
             "{\"id\": \"dp_t\", \"object\": \"dispute\", \"charge\": \"ch_t\", \"amount\": 900}");
  batch_add (batch, "evt_t4", "refund.created", 130, refund);
  batch_add (batch, "evt_o", "charge.succeeded", 111, other);
  batch_add (batch, "evt_t3", "payment_intent.succeeded", 110,
             "{\"id\": \"pi_t\", \"object\": \"payment_intent\", \"amount\": 900}");
  batch_add (batch, "evt_t2", "charge.succeeded", 110, charge);
  batch_add (batch, "evt_t1", "payment_intent.created", 100,
             "{\"id\": \"pi_t\", \"object\": \"payment_intent\", \"amount\": 900}");
  batch_store_ok (fixture, batch, PA_STRIPE_ORDER_BACKWARD, "sync");

  events = pa_store_stripe_list_payment_events (fixture->store, PROFILE, "ch_t", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < events->len; i++)
    g_ptr_array_add (types, ((PaStripeEventRecord *) events->pdata[i])->type);
  joined = join_ids (types);
  g_test_message ("Timeline of ch_t: %s", joined);
  g_assert_cmpuint (events->len, ==, 5);
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[0])->id, ==, "evt_t1");
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[0])->object_id, ==, "pi_t");
  g_assert_cmpint (((PaStripeEventRecord *) events->pdata[0])->created, ==, 100);
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[3])->id, ==, "evt_t4");
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[4])->id, ==, "evt_t5");
}

/* ---- sync state, balance, forgetting ----------------------------------- */

static void
test_sync_state (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripeSyncState) empty = NULL;
  g_autoptr(PaStripeSyncState) read = NULL;
  PaStripeSyncState state = {
    .cursor = "evt_9", .backfill_top = "evt_9", .backfill_next = "evt_3",
    .backfill_after = 1690000000, .backfilled = FALSE, .last_synced_at = 1700000000123,
    .last_error = "The network is down",
  };

  empty = pa_store_stripe_get_sync_state (fixture->store, PROFILE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (empty);
  g_assert_null (empty->cursor);
  g_assert_cmpint (empty->last_synced_at, ==, 0);
  g_assert_false (empty->backfilled);

  g_assert_true (pa_store_stripe_set_sync_state (fixture->store, PROFILE, &state, &error));
  g_assert_no_error (error);
  read = pa_store_stripe_get_sync_state (fixture->store, PROFILE, &error);
  g_assert_cmpstr (read->cursor, ==, "evt_9");
  g_assert_cmpstr (read->backfill_top, ==, "evt_9");
  g_assert_cmpstr (read->backfill_next, ==, "evt_3");
  g_assert_cmpint (read->backfill_after, ==, 1690000000);
  g_assert_false (read->backfilled);
  g_assert_cmpint (read->last_synced_at, ==, 1700000000123);
  g_assert_cmpstr (read->last_error, ==, "The network is down");
  g_clear_pointer (&read, pa_stripe_sync_state_free);

  g_test_message ("A batch saves the state with its events");
  {
    g_autoptr(Batch) batch = batch_new ();
    PaStripeSyncState next = { .cursor = "evt_10", .backfilled = TRUE, .last_synced_at = 5 };

    batch_add (batch, "evt_10", "customer.created", 10,
               "{\"id\": \"cus_9\", \"object\": \"customer\"}");
    g_assert_true (pa_store_stripe_add_events (fixture->store, PROFILE,
                                               (PaStripeEventRow *) batch->rows->data, 1,
                                               PA_STRIPE_ORDER_FORWARD, "sync", &next, NULL,
                                               &error));
    g_assert_no_error (error);
  }
  read = pa_store_stripe_get_sync_state (fixture->store, PROFILE, &error);
  g_assert_cmpstr (read->cursor, ==, "evt_10");
  g_assert_null (read->last_error);
  g_assert_true (read->backfilled);
}

static void
test_balance (Fixture       *fixture,
              gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) balance = NULL;
  PaStripeBalanceRecord *r;
  static const char *hostile[] = {
    "nope", "[]", "{\"available\": {}}",
    "{\"available\": [{\"amount\": 5}]}",
    "{\"available\": [{\"amount\": \"5\", \"currency\": \"usd\"}]}",
    "{\"pending\": [{\"amount\": 5.5, \"currency\": \"usd\"}]}",
    "{\"pending\": [7]}",
  };

  balance = pa_store_stripe_get_balance (fixture->store, PROFILE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (balance->len, ==, 0);
  g_clear_pointer (&balance, g_ptr_array_unref);

  g_assert_true (pa_store_stripe_set_balance (fixture->store, PROFILE,
    "{\"object\": \"balance\", \"livemode\": false, "
    "\"available\": [{\"amount\": 1200, \"currency\": \"usd\", \"source_types\": {\"card\": 1200}}, "
    "                {\"amount\": -300, \"currency\": \"eur\"}], "
    "\"pending\": [{\"amount\": 50, \"currency\": \"usd\"}, {\"amount\": 700, \"currency\": "
    "\"jpy\"}]}", 1000, &error));
  g_assert_no_error (error);
  balance = pa_store_stripe_get_balance (fixture->store, PROFILE, &error);
  g_assert_cmpuint (balance->len, ==, 3);
  r = balance->pdata[0];
  g_assert_cmpstr (r->currency, ==, "eur");
  g_assert_cmpint (r->available, ==, -300);
  g_assert_cmpint (r->pending, ==, 0);
  r = balance->pdata[1];
  g_assert_cmpstr (r->currency, ==, "jpy");
  g_assert_cmpint (r->available, ==, 0);
  g_assert_cmpint (r->pending, ==, 700);
  r = balance->pdata[2];
  g_assert_cmpstr (r->currency, ==, "usd");
  g_assert_cmpint (r->available, ==, 1200);
  g_assert_cmpint (r->pending, ==, 50);
  g_assert_cmpint (r->fetched_at, ==, 1000);
  g_clear_pointer (&balance, g_ptr_array_unref);

  g_test_message ("A new balance replaces every currency of the old one");
  g_assert_true (pa_store_stripe_set_balance (fixture->store, PROFILE,
    "{\"object\": \"balance\", \"livemode\": true, \"available\": [{\"amount\": 9, "
    "\"currency\": \"KWD\"}], \"pending\": []}", 2000, &error));
  g_assert_no_error (error);
  balance = pa_store_stripe_get_balance (fixture->store, PROFILE, &error);
  g_assert_cmpuint (balance->len, ==, 1);
  r = balance->pdata[0];
  g_assert_cmpstr (r->currency, ==, "kwd");
  g_assert_cmpint (r->available, ==, 9);
  g_assert_true (r->livemode);
  g_assert_cmpint (r->fetched_at, ==, 2000);
  g_clear_pointer (&balance, g_ptr_array_unref);

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_assert_false (pa_store_stripe_set_balance (fixture->store, PROFILE, hostile[i], 3000,
                                                   &error));
      g_test_message ("%s: %s", hostile[i], error->message);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);
    }
  balance = pa_store_stripe_get_balance (fixture->store, PROFILE, &error);
  g_assert_cmpuint (balance->len, ==, 1);
  g_assert_cmpint (((PaStripeBalanceRecord *) balance->pdata[0])->fetched_at, ==, 2000);
}

static void
test_forget (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autoptr(GPtrArray) balance = NULL;
  g_autofree char *key = NULL;
  g_autofree char *json = NULL;
  Charge c = { .id = "ch_f", .created = 10, .amount = 100 };
  const char *profiles[] = { PROFILE, "live" };

  json = charge_json (&c);
  for (guint i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      PaStripeEventRow row = { "evt_f", "charge.succeeded", 10, NULL };
      g_autofree char *payload = event_json ("evt_f", "charge.succeeded", 10, json);
      g_autofree char *k = NULL;

      row.payload_json = payload;
      g_assert_true (pa_store_stripe_add_events (fixture->store, profiles[i], &row, 1,
                                                 PA_STRIPE_ORDER_FORWARD, "sync",
                                                 &(PaStripeSyncState) { .cursor = "evt_f" },
                                                 NULL, &error));
      g_assert_true (pa_store_stripe_set_balance (fixture->store, profiles[i],
                                                  "{\"available\": [{\"amount\": 1, "
                                                  "\"currency\": \"usd\"}]}", 1, &error));
      k = pa_store_stripe_begin_refund (fixture->store, profiles[i], "ch_f", 0, &error);
      g_assert_no_error (error);
      if (i == 1)
        key = g_steal_pointer (&k);
    }

  g_test_message ("Forgetting one account leaves the other's copy whole");
  g_assert_true (pa_store_stripe_forget (fixture->store, PROFILE, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 0);
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, PROFILE, NULL, &error), ==, 0);
  state = pa_store_stripe_get_sync_state (fixture->store, PROFILE, &error);
  g_assert_null (state->cursor);
  g_clear_pointer (&state, pa_stripe_sync_state_free);
  balance = pa_store_stripe_get_balance (fixture->store, PROFILE, &error);
  g_assert_cmpuint (balance->len, ==, 0);
  g_clear_pointer (&balance, g_ptr_array_unref);
  g_assert_null (pa_store_stripe_get_object (fixture->store, PROFILE, "ch_f", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);

  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, "live", &error), ==, 1);
  g_assert_cmpuint (pa_store_stripe_count_payments (fixture->store, "live", NULL, &error), ==, 1);
  state = pa_store_stripe_get_sync_state (fixture->store, "live", &error);
  g_assert_cmpstr (state->cursor, ==, "evt_f");
  balance = pa_store_stripe_get_balance (fixture->store, "live", &error);
  g_assert_cmpuint (balance->len, ==, 1);
  {
    g_autofree char *again = pa_store_stripe_begin_refund (fixture->store, "live", "ch_f", 0,
                                                           &error);
    g_assert_cmpstr (again, ==, key);
  }
  g_assert_no_error (error);
}

/* ---- refund requests --------------------------------------------------- */

static void
test_refund_requests (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *k1 = NULL, *k1_again = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL;
  g_autofree char *k5 = NULL, *k5_again = NULL, *other = NULL;

  k1 = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_no_error (error);
  g_test_message ("First key: %s", k1);
  g_assert_true (g_str_has_prefix (k1, "pa-refund-"));
  g_assert_cmpuint (strlen (k1), ==, strlen ("pa-refund-") + 32);
  for (const char *p = k1 + strlen ("pa-refund-"); *p != '\0'; p++)
    g_assert_true (g_ascii_isxdigit (*p));

  g_test_message ("Asking again for the same refund, unanswered, reuses the key");
  k1_again = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_cmpstr (k1_again, ==, k1);
  g_assert_true (pa_store_stripe_finish_refund (fixture->store, k1, NULL, NULL, &error));
  g_clear_pointer (&k1_again, g_free);
  k1_again = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_cmpstr (k1_again, ==, k1);

  g_test_message ("Another amount, charge or profile is another refund");
  k2 = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 0, &error);
  g_assert_cmpstr (k2, !=, k1);
  other = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_2", 500, &error);
  g_assert_cmpstr (other, !=, k1);
  g_clear_pointer (&other, g_free);
  other = pa_store_stripe_begin_refund (fixture->store, "live", "ch_1", 500, &error);
  g_assert_cmpstr (other, !=, k1);
  g_assert_no_error (error);

  g_test_message ("Once Stripe answered, the next refund gets a new key");
  g_assert_true (pa_store_stripe_finish_refund (fixture->store, k1, "re_1", NULL, &error));
  g_assert_no_error (error);
  k3 = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_cmpstr (k3, !=, k1);

  g_test_message ("An error answer closes the request too");
  g_assert_true (pa_store_stripe_finish_refund (fixture->store, k3, NULL,
                                                "Refund amount exceeds what is left", &error));
  k4 = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_cmpstr (k4, !=, k3);
  g_assert_cmpstr (k4, !=, k1);
  g_assert_no_error (error);

  g_test_message ("Keys survive the store being closed");
  g_clear_object (&fixture->store);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  k5 = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 0, &error);
  g_assert_cmpstr (k5, ==, k2);
  k5_again = pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", 500, &error);
  g_assert_cmpstr (k5_again, ==, k4);

  g_assert_false (pa_store_stripe_finish_refund (fixture->store, "pa-refund-unknown", "re_9",
                                                 NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  g_assert_null (pa_store_stripe_begin_refund (fixture->store, PROFILE, "ch_1", -1, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* ---- upgrading from schema 3 ------------------------------------------- */

static void
exec_ok (sqlite3    *db,
         const char *sql)
{
  char *msg = NULL;

  if (sqlite3_exec (db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error ("%s: %s", sql, msg);
}

static void
test_upgrade_from_v3 (Fixture       *fixture,
                      gconstpointer  data)
{
  static const char *migrations[] = {
    "0001-initial.sql", "0002-time-indexes.sql", "0003-settings.sql",
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autofree char *old_dir = g_build_filename (fixture->dir, "old", NULL);
  g_autofree char *db_path = g_build_filename (old_dir, "playalter.db", NULL);
  g_autoptr(PaStore) store = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  /* The fixture's store registered the migrations' resource. */
  g_assert_cmpint (g_mkdir (old_dir, 0700), ==, 0);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  for (guint i = 0; i < G_N_ELEMENTS (migrations); i++)
    {
      g_autofree char *path = g_strconcat (MIGRATIONS, migrations[i], NULL);
      g_autoptr(GBytes) bytes = g_resources_lookup_data (path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                                         &error);
      g_autofree char *sql = NULL;

      g_assert_no_error (error);
      sql = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      exec_ok (db, sql);
    }
  exec_ok (db,
           "PRAGMA user_version = 3;"
           "INSERT INTO stripe_events (id, type, created, payload_json) VALUES "
           " ('evt_old1', 'charge.succeeded', 1600000000, "
           "  '{\"id\": \"evt_old1\", \"data\": {\"object\": {\"id\": \"ch_old\", "
           "   \"object\": \"charge\"}}}'),"
           " ('evt_old2', 'charge.refunded', 1600000100, "
           "  '{\"id\": \"evt_old2\", \"data\": {\"object\": {\"id\": \"ch_old\", "
           "   \"object\": \"charge\"}}}'),"
           " ('evt_old3', 'charge.captured', 1600000200, 'not JSON at all');");
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);

  g_test_message ("A schema 3 database with old Stripe events is upgraded");
  store = pa_store_open (old_dir, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_store_get_schema_version (store), ==, 4);

  /* Synced before accounts were told apart: they belong to no profile. */
  g_assert_cmpint (pa_store_stripe_count_events (store, "", &error), ==, 3);
  g_assert_cmpint (pa_store_stripe_count_events (store, PROFILE, &error), ==, 0);
  events = pa_store_stripe_list_payment_events (store, "", "ch_old", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 2);
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[0])->id, ==, "evt_old1");
  g_assert_cmpstr (((PaStripeEventRecord *) events->pdata[1])->type, ==, "charge.refunded");
  g_assert_cmpint (((PaStripeEventRecord *) events->pdata[1])->created, ==, 1600000100);

  /* The new tables and indexes are there, the old index went with its table. */
  g_clear_object (&store);
  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT group_concat (name, ' ') FROM (SELECT name FROM "
                                       "sqlite_master WHERE name LIKE 'stripe%' ORDER BY name)",
                                       -1, &stmt, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  g_test_message ("%s", sqlite3_column_text (stmt, 0));
  g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==,
                   "stripe_balances stripe_events stripe_events_created stripe_events_object "
                   "stripe_objects stripe_objects_kind stripe_objects_parent stripe_payments "
                   "stripe_payments_created stripe_payments_status stripe_refund_requests "
                   "stripe_refund_requests_charge stripe_sync");
  sqlite3_finalize (stmt);
  g_assert_cmpint (sqlite3_close (db), ==, SQLITE_OK);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/stripe-store/" path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("dedupe", test_dedupe);
  ADD ("order", test_order);
  ADD ("webhook-then-sync", test_webhook_then_sync);
  ADD ("refunds", test_refunds);
  ADD ("dispute", test_dispute);
  ADD ("payment-fields", test_payment_fields);
  ADD ("filters", test_filters);
  ADD ("many", test_many);
  ADD ("hostile", test_hostile);
  ADD ("objects", test_objects);
  ADD ("timeline", test_timeline);
  ADD ("sync-state", test_sync_state);
  ADD ("balance", test_balance);
  ADD ("forget", test_forget);
  ADD ("refund-requests", test_refund_requests);
  ADD ("upgrade-from-v3", test_upgrade_from_v3);

  return g_test_run ();
}
