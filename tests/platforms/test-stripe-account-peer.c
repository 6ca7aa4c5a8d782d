/* test-stripe-account-peer.c — PaStripe against the scripted Stripe account, and the peer itself
 *
 * The account peer (tests/peers/stripe-account-peer.mjs) is what the
 * payments sync, page and CLI are tested on, so its promises are proved
 * here with the existing client: the balance adds up to the charges, the
 * events page in both directions and by time, refunds are idempotent and
 * survive a dropped connection with one refund at the peer, payments added
 * through its control appear as new events, and its webhooks carry
 * Stripe's signature.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-identity.h"
#include "pa-stripe-webhook.h"
#include "pa-stripe.h"
#include "pa-test-log.h"
#include "pa-test-stripe-account.h"

/* Enough payments for several pages of events, few enough to walk often. */
#define SEED 300
#define WEBHOOK_SECRET "whsec_PaAccountPeerTest"

static PaTestPeer *peer;
static PaStripe *stripe;

static gboolean
need_peer (void)
{
  g_autoptr(GError) error = NULL;

  if (peer != NULL)
    return TRUE;
  peer = pa_test_stripe_account_start (SEED, NULL, &error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  g_assert_nonnull (peer);
  stripe = pa_test_stripe_account_client (peer, NULL);
  g_test_message ("account peer on %s (log %s)", pa_test_peer_get_url (peer),
                  pa_test_peer_get_log_path (peer));
  return TRUE;
}

/* ---- waiting for the client -------------------------------------------- */

typedef struct {
  gboolean    done;
  JsonNode   *node;
  PaIdentity *identity;
  GError     *error;
} Result;

static void
object_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Result *r = user_data;

  r->node = pa_stripe_object_finish (PA_STRIPE (source), result, &r->error);
  r->done = TRUE;
}

static void
json_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->node = pa_platform_send_json_finish (PA_PLATFORM (source), result, &r->error);
  r->done = TRUE;
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Result *r = user_data;

  r->identity = pa_platform_check_finish (PA_PLATFORM (source), result, &r->error);
  r->done = TRUE;
}

static JsonNode *
result_wait (Result  *r,
             GError **error)
{
  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true ((r->node == NULL && r->identity == NULL) != (r->error == NULL));
  if (r->error != NULL)
    g_propagate_error (error, r->error);
  return r->node;
}

/* Start a call with DONE as its last arguments; evaluates to its node. */
#define RUN(call) ({ Result r_ = { 0 }; call; result_wait (&r_, &error); })
#define DONE object_done, &r_

/* GET @path with query pairs (name, value, …, NULL) through the client's
 * transport and error handling, for what PaStripe has no call for. */
static JsonNode *
stripe_get (GError     **error,
            const char  *path,
            ...)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (stripe), "GET", path);
  Result r = { 0 };
  const char *name;
  va_list args;

  pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
  va_start (args, path);
  while ((name = va_arg (args, const char *)) != NULL)
    pa_http_request_add_query (request, name, va_arg (args, const char *));
  va_end (args);
  pa_platform_send_json_async (PA_PLATFORM (stripe), request, NULL, json_done, &r);
  g_object_unref (request);
  return result_wait (&r, error);
}

static JsonNode *
control (const char *method,
         const char *path,
         const char *json_body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = pa_test_stripe_account_control (peer, method, path, json_body, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node) || JSON_NODE_HOLDS_ARRAY (node));
  return node;
}

/* ---- reading answers ------------------------------------------------------ */

static JsonArray *
list_data (JsonNode *list,
           gboolean *has_more)
{
  JsonObject *object;

  g_assert_nonnull (list);
  object = json_node_get_object (list);
  g_assert_cmpstr (json_object_get_string_member (object, "object"), ==, "list");
  if (has_more != NULL)
    *has_more = json_object_get_boolean_member (object, "has_more");
  return json_object_get_array_member (object, "data");
}

static JsonObject *
element (JsonArray *array,
         guint      i)
{
  return json_array_get_object_element (array, i);
}

static const char *
id_of (JsonArray *array,
       guint      i)
{
  return json_object_get_string_member (element (array, i), "id");
}

static gint64
created_of (JsonArray *array,
            guint      i)
{
  return json_object_get_int_member (element (array, i), "created");
}

static gint64
effects_int (const char *name)
{
  g_autoptr(JsonNode) effects = control ("GET", "/__peer/effects", NULL);

  return json_object_get_int_member (json_node_get_object (effects), name);
}

/* How many refunds the peer made under @key. */
static guint
refunds_with_key (const char *key)
{
  g_autoptr(JsonNode) effects = control ("GET", "/__peer/effects", NULL);
  JsonArray *refunds = json_object_get_array_member (json_node_get_object (effects), "refunds");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (refunds); i++)
    if (g_strcmp0 (json_object_get_string_member (element (refunds, i), "idempotency_key"), key) == 0)
      n++;
  return n;
}

/* The id of the newest event /v1/events lists. */
static char *
newest_event_id (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) newest = stripe_get (&error, "/v1/events", "limit", "1", NULL);

  g_assert_no_error (error);
  return g_strdup (id_of (list_data (newest, NULL), 0));
}

/* Every charge, newest first. */
static JsonNode *
all_charges (void)
{
  g_autoptr(GError) error = NULL;
  JsonNode *charges = RUN (pa_stripe_list_all_async (stripe, "/v1/charges", 0, NULL, DONE));

  g_assert_no_error (error);
  return charges;
}

/* A succeeded charge with nothing refunded and no dispute, of at least
 * @min_amount, that no earlier test took. */
static char *
refundable_charge (gint64  min_amount,
                   gint64 *amount)
{
  static GHashTable *taken;
  g_autoptr(JsonNode) charges = all_charges ();
  JsonArray *array = json_node_get_array (charges);

  if (taken == NULL)
    taken = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *charge = element (array, i);
      const char *id = json_object_get_string_member (charge, "id");

      if (g_strcmp0 (json_object_get_string_member (charge, "status"), "succeeded") != 0 ||
          json_object_get_int_member (charge, "amount_refunded") != 0 ||
          json_object_get_boolean_member (charge, "disputed") ||
          json_object_get_int_member (charge, "amount") < min_amount ||
          g_hash_table_contains (taken, id))
        continue;
      *amount = json_object_get_int_member (charge, "amount");
      g_hash_table_add (taken, g_strdup (id));
      return g_strdup (id);
    }
  g_error ("the seeded account has no refundable charge of %" G_GINT64_FORMAT " or more",
           min_amount);
}

/* ---- the account ------------------------------------------------------------ */

static void
test_check (void)
{
  Result r = { 0 };
  g_autoptr(GError) error = NULL;

  if (!need_peer ())
    return;

  g_test_message ("sign-in: GET /v1/account names the account");
  pa_platform_check_async (PA_PLATFORM (stripe), NULL, check_done, &r);
  result_wait (&r, &error);
  g_assert_no_error (error);
  g_assert_true (g_str_has_prefix (r.identity->id, "acct_"));
  g_assert_cmpstr (r.identity->name, ==, "PlayAlter Test Shop");
  pa_identity_free (r.identity);
}

static void
test_balance (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) balance = NULL;
  g_autoptr(JsonNode) charges = NULL;
  g_autoptr(GHashTable) net = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  JsonArray *array;
  JsonObject *object;
  GHashTableIter iter;
  gpointer key, value;
  guint n_currencies = 0;

  if (!need_peer ())
    return;

  balance = RUN (pa_stripe_get_balance_async (stripe, NULL, DONE));
  g_assert_no_error (error);
  object = json_node_get_object (balance);
  g_assert_cmpstr (json_object_get_string_member (object, "object"), ==, "balance");

  g_test_message ("balance: available + pending per currency = succeeded charges less refunds");
  charges = all_charges ();
  array = json_node_get_array (charges);
  g_assert_cmpuint (json_array_get_length (array), >=, SEED);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *charge = element (array, i);
      const char *currency = json_object_get_string_member (charge, "currency");
      gint64 *sum;

      if (g_strcmp0 (json_object_get_string_member (charge, "status"), "succeeded") != 0)
        continue;
      sum = g_hash_table_lookup (net, currency);
      if (sum == NULL)
        {
          sum = g_new0 (gint64, 1);
          g_hash_table_insert (net, g_strdup (currency), sum);
        }
      *sum += json_object_get_int_member (charge, "amount") -
              json_object_get_int_member (charge, "amount_refunded");
    }

  for (const char *const *part = (const char *const[]) { "available", "pending", NULL }; *part; part++)
    {
      JsonArray *amounts = json_object_get_array_member (object, *part);

      g_assert_cmpuint (json_array_get_length (amounts), ==, g_hash_table_size (net));
      for (guint i = 0; i < json_array_get_length (amounts); i++)
        {
          JsonObject *amount = element (amounts, i);
          gint64 *sum = g_hash_table_lookup (net, json_object_get_string_member (amount, "currency"));

          g_assert_nonnull (sum);
          *sum -= json_object_get_int_member (amount, "amount");
        }
    }
  g_hash_table_iter_init (&iter, net);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      if (*(gint64 *) value != 0)
        g_error ("balance in %s is off by %" G_GINT64_FORMAT " from the charges",
                 (char *) key, *(gint64 *) value);
      n_currencies++;
    }
  /* usd, eur, gbp, jpy (zero-decimal), kwd (three-decimal). */
  g_assert_cmpuint (n_currencies, ==, 5);
  g_assert_true (g_hash_table_contains (net, "jpy"));
  g_assert_true (g_hash_table_contains (net, "kwd"));
}

/* ---- events --------------------------------------------------------------- */

static void
test_events_walk (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) newer = NULL;
  g_autoptr(JsonNode) after = NULL;
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *array;
  guint n, middle, n_after = 0;
  gint64 cut;

  if (!need_peer ())
    return;

  g_test_message ("every event of the last 30 days, paged back then turned round");
  all = RUN (pa_stripe_list_events_since_async (stripe, NULL, 0, 0, NULL, DONE));
  g_assert_no_error (error);
  array = json_node_get_array (all);
  n = json_array_get_length (array);
  g_assert_cmpint (n, ==, effects_int ("events"));
  g_assert_cmpuint (n, >, 300);
  g_assert_cmpint (effects_int ("events_total"), >, n);
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (g_hash_table_add (ids, (gpointer) id_of (array, i)));
      if (i > 0)
        g_assert_cmpint (created_of (array, i - 1), <=, created_of (array, i));
    }
  g_assert_cmpint (created_of (array, 0), >=, g_get_real_time () / G_USEC_PER_SEC - 30 * 86400 - 5);

  g_test_message ("forward from the middle with ending_before: exactly the newer ones");
  middle = n / 2;
  newer = RUN (pa_stripe_list_events_since_async (stripe, id_of (array, middle), 0, 0, NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (newer)), ==, n - middle - 1);
  for (guint i = middle + 1; i < n; i++)
    g_assert_cmpstr (id_of (json_node_get_array (newer), i - middle - 1), ==, id_of (array, i));

  g_test_message ("created[gt]: only what came after the cut");
  cut = created_of (array, middle);
  for (guint i = 0; i < n; i++)
    if (created_of (array, i) > cut)
      n_after++;
  after = RUN (pa_stripe_list_events_since_async (stripe, NULL, cut, 0, NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (after)), ==, n_after);
  g_assert_cmpint (created_of (json_node_get_array (after), 0), >, cut);
}

static void
test_events_pages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) bounded = NULL;
  g_autoptr(JsonNode) typed = NULL;
  g_autofree char *lte = NULL;
  g_autofree char *gte = NULL;
  JsonArray *page1, *page2, *page;
  gboolean has_more;
  gint64 top;

  if (!need_peer ())
    return;

  g_test_message ("newest page, then starting_after its last, then ending_before back");
  first = stripe_get (&error, "/v1/events", "limit", "100", NULL);
  g_assert_no_error (error);
  page1 = list_data (first, &has_more);
  g_assert_cmpuint (json_array_get_length (page1), ==, 100);
  g_assert_true (has_more);
  for (guint i = 1; i < 100; i++)
    g_assert_cmpint (created_of (page1, i - 1), >=, created_of (page1, i));

  second = stripe_get (&error, "/v1/events", "limit", "100", "starting_after", id_of (page1, 99), NULL);
  g_assert_no_error (error);
  page2 = list_data (second, &has_more);
  g_assert_cmpuint (json_array_get_length (page2), ==, 100);
  g_assert_true (has_more);
  g_assert_cmpint (created_of (page2, 0), <=, created_of (page1, 99));
  for (guint i = 0; i < 100; i++)
    for (guint j = 0; j < 100; j++)
      g_assert_cmpstr (id_of (page1, i), !=, id_of (page2, j));

  back = stripe_get (&error, "/v1/events", "limit", "100", "ending_before", id_of (page2, 0), NULL);
  g_assert_no_error (error);
  page = list_data (back, &has_more);
  g_assert_false (has_more);
  g_assert_cmpuint (json_array_get_length (page), ==, 100);
  for (guint i = 0; i < 100; i++)
    g_assert_cmpstr (id_of (page, i), ==, id_of (page1, i));

  g_test_message ("created[gte] and created[lte] bound a page on both sides");
  top = created_of (page2, 0);
  lte = g_strdup_printf ("%" G_GINT64_FORMAT, top);
  gte = g_strdup_printf ("%" G_GINT64_FORMAT, created_of (page2, 99));
  bounded = stripe_get (&error, "/v1/events", "limit", "100", "created[lte]", lte,
                        "created[gte]", gte, NULL);
  g_assert_no_error (error);
  page = list_data (bounded, NULL);
  g_assert_cmpuint (json_array_get_length (page), >=, 100);
  for (guint i = 0; i < json_array_get_length (page); i++)
    {
      g_assert_cmpint (created_of (page, i), <=, top);
      g_assert_cmpint (created_of (page, i), >=, created_of (page2, 99));
    }

  g_test_message ("type=charge.* lists charge events only");
  typed = stripe_get (&error, "/v1/events", "limit", "50", "type", "charge.*", NULL);
  g_assert_no_error (error);
  page = list_data (typed, NULL);
  g_assert_cmpuint (json_array_get_length (page), ==, 50);
  for (guint i = 0; i < 50; i++)
    g_assert_true (g_str_has_prefix (json_object_get_string_member (element (page, i), "type"),
                                     "charge."));

  g_test_message ("an unknown cursor is Stripe's resource_missing");
  g_clear_pointer (&first, json_node_unref);
  first = stripe_get (&error, "/v1/events", "starting_after", "evt_PaNoSuchEvent", NULL);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_null (first);
}

/* ---- charges and refunds ---------------------------------------------------------- */

static void
test_charges (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) missing = NULL;
  JsonArray *page;
  gboolean has_more;

  if (!need_peer ())
    return;

  g_test_message ("a page of charges, newest first, each with its payment intent");
  list = RUN (pa_stripe_list_charges_async (stripe, 100, NULL, NULL, DONE));
  g_assert_no_error (error);
  page = list_data (list, &has_more);
  g_assert_cmpuint (json_array_get_length (page), ==, 100);
  g_assert_true (has_more);
  for (guint i = 0; i < 100; i++)
    {
      JsonObject *charge = element (page, i);

      g_assert_cmpstr (json_object_get_string_member (charge, "object"), ==, "charge");
      g_assert_true (g_str_has_prefix (json_object_get_string_member (charge, "payment_intent"), "pi_"));
      if (i > 0)
        g_assert_cmpint (created_of (page, i - 1), >=, created_of (page, i));
    }

  g_test_message ("an unknown customer is a 404 resource_missing");
  missing = stripe_get (&error, "/v1/customers/cus_PaNoSuchCustomer", NULL);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_null (missing);
}

static void
test_refund (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) too_much = NULL;
  g_autoptr(JsonNode) rest = NULL;
  g_autoptr(JsonNode) twice = NULL;
  g_autoptr(JsonNode) listed = NULL;
  g_autofree char *charge = NULL;
  gint64 amount = 0;
  gint64 replays;

  if (!need_peer ())
    return;
  charge = refundable_charge (1000, &amount);
  replays = effects_int ("replays");

  g_test_message ("refund 100 of %s, then the same request again: one refund", charge);
  first = RUN (pa_stripe_create_refund_async (stripe, charge, 100, NULL, NULL, "refund-part",
                                              NULL, DONE));
  g_assert_no_error (error);
  again = RUN (pa_stripe_create_refund_async (stripe, charge, 100, NULL, NULL, "refund-part",
                                              NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "id"), ==,
                   json_object_get_string_member (json_node_get_object (again), "id"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (first), "amount"), ==, 100);
  g_assert_cmpuint (refunds_with_key ("refund-part"), ==, 1);
  g_assert_cmpint (effects_int ("replays"), ==, replays + 1);

  g_test_message ("more than is left is refused with amount_too_large");
  too_much = RUN (pa_stripe_create_refund_async (stripe, charge, amount - 100 + 1, NULL, NULL,
                                                 "refund-too-much", NULL, DONE));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "greater than unrefunded amount"));
  g_assert_nonnull (strstr (error->message, "amount"));
  g_assert_null (too_much);
  g_clear_error (&error);
  g_assert_cmpuint (refunds_with_key ("refund-too-much"), ==, 0);

  g_test_message ("the rest, then once more: charge_already_refunded");
  rest = RUN (pa_stripe_create_refund_async (stripe, charge, 0, NULL, NULL, "refund-rest", NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (rest), "amount"), ==, amount - 100);
  twice = RUN (pa_stripe_create_refund_async (stripe, charge, 0, NULL, NULL, "refund-twice", NULL, DONE));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "already been refunded"));
  g_assert_null (twice);
  g_clear_error (&error);

  listed = stripe_get (&error, "/v1/refunds", "charge", charge, NULL);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (list_data (listed, NULL)), ==, 2);
}

static void
test_refund_dropped (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) armed = NULL;
  g_autoptr(JsonNode) refund = NULL;
  g_autoptr(JsonNode) refund2 = NULL;
  g_autoptr(JsonNode) requests = NULL;
  g_autofree char *charge = NULL;
  g_autofree char *charge2 = NULL;
  JsonArray *log;
  guint n;
  gint64 amount = 0;
  gint64 replays;

  if (!need_peer ())
    return;
  charge = refundable_charge (500, &amount);
  replays = effects_int ("replays");

  g_test_message ("the answer to a refund is lost after it happened: the retry gets the replay");
  armed = control ("POST", "/__peer/drop",
                   "{\"method\": \"POST\", \"path\": \"/v1/refunds\", \"after_effect\": true, \"count\": 1}");
  refund = RUN (pa_stripe_create_refund_async (stripe, charge, 0, NULL, NULL, "refund-dropped",
                                               NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (refund), "amount"), ==, amount);
  g_assert_cmpuint (refunds_with_key ("refund-dropped"), ==, 1);
  g_assert_cmpint (effects_int ("replays"), ==, replays + 1);

  requests = control ("GET", "/__peer/requests", NULL);
  log = json_node_get_array (requests);
  n = json_array_get_length (log);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (json_object_get_string_member (element (log, n - 2), "path"), ==, "/v1/refunds");
  g_assert_cmpint (json_object_get_int_member (element (log, n - 2), "status"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (element (log, n - 1), "path"), ==, "/v1/refunds");
  g_assert_cmpint (json_object_get_int_member (element (log, n - 1), "status"), ==, 200);

  g_test_message ("the request is lost before it happened: the retry makes the one refund");
  charge2 = refundable_charge (500, &amount);
  g_clear_pointer (&armed, json_node_unref);
  armed = control ("POST", "/__peer/drop",
                   "{\"method\": \"POST\", \"path\": \"/v1/refunds\", \"after_effect\": false}");
  refund2 = RUN (pa_stripe_create_refund_async (stripe, charge2, 0, NULL, NULL, "refund-dropped-early",
                                                NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpuint (refunds_with_key ("refund-dropped-early"), ==, 1);
  g_assert_cmpint (effects_int ("replays"), ==, replays + 1);
}

/* ---- the payments control ------------------------------------------------------------ */

static void
test_new_payments (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(JsonNode) newer = NULL;
  JsonArray *made_events, *events;
  g_autofree char *cursor = NULL;
  gint64 listed;

  if (!need_peer ())
    return;

  cursor = newest_event_id ();
  listed = effects_int ("events");

  g_test_message ("3 payments through the control: 6 new events after the cursor");
  made = control ("POST", "/__peer/payments",
                  "{\"count\": 3, \"amount\": 4200, \"currency\": \"eur\", \"status\": \"succeeded\"}");
  made_events = json_object_get_array_member (json_node_get_object (made), "events");
  g_assert_cmpuint (json_array_get_length (made_events), ==, 6);
  g_assert_cmpint (effects_int ("events"), ==, listed + 6);

  newer = RUN (pa_stripe_list_events_since_async (stripe, cursor, 0, 0, NULL, DONE));
  g_assert_no_error (error);
  events = json_node_get_array (newer);
  g_assert_cmpuint (json_array_get_length (events), ==, 6);
  for (guint i = 0; i < 6; i++)
    {
      JsonObject *event = element (events, i);
      const char *type = json_object_get_string_member (event, "type");
      JsonObject *object = json_object_get_object_member (json_object_get_object_member (event, "data"),
                                                          "object");

      g_assert_cmpstr (json_object_get_string_member (event, "id"), ==,
                       json_array_get_string_element (made_events, i));
      g_assert_cmpstr (type, ==, i % 2 == 0 ? "charge.succeeded" : "payment_intent.succeeded");
      g_assert_cmpint (json_object_get_int_member (object, "amount"), ==, 4200);
      g_assert_cmpstr (json_object_get_string_member (object, "currency"), ==, "eur");
    }
}

/* ---- selling ---------------------------------------------------------------------- */

static void
test_catalogue (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) product = NULL;
  g_autoptr(JsonNode) price = NULL;
  g_autoptr(JsonNode) link = NULL;
  g_autoptr(JsonNode) again = NULL;
  g_autoptr(JsonNode) off = NULL;
  g_autoptr(JsonNode) inactive = NULL;
  g_autoptr(JsonNode) newer = NULL;
  g_autofree char *cursor = NULL;
  const char *const types[] = { "product.created", "price.created", "payment_link.created",
                                "payment_link.updated" };
  PaStripeLineItem item = { NULL, 1 };
  const char *link_id;
  JsonArray *array;
  gboolean listed = FALSE;

  if (!need_peer ())
    return;

  cursor = newest_event_id ();

  g_test_message ("sell: a product, a price in kwd, a payment link, then the link off");
  product = RUN (pa_stripe_create_product_async (stripe, "Portrait", "A signed print", NULL,
                                                 "sell-product", NULL, DONE));
  g_assert_no_error (error);
  price = RUN (pa_stripe_create_price_async (stripe,
                                             json_object_get_string_member (json_node_get_object (product), "id"),
                                             12500, "kwd", NULL, "sell-price", NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (price), "unit_amount"), ==, 12500);
  item.price = json_object_get_string_member (json_node_get_object (price), "id");
  link = RUN (pa_stripe_create_payment_link_async (stripe, &item, 1, NULL, NULL, "sell-link", NULL, DONE));
  g_assert_no_error (error);
  link_id = json_object_get_string_member (json_node_get_object (link), "id");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (json_node_get_object (link), "url"),
                                   "https://buy.stripe.com/"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (link), "currency"), ==, "kwd");
  g_assert_true (json_object_get_boolean_member (json_node_get_object (link), "active"));

  again = RUN (pa_stripe_create_payment_link_async (stripe, &item, 1, NULL, NULL, "sell-link", NULL, DONE));
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (again), "id"), ==, link_id);

  off = RUN (pa_stripe_deactivate_payment_link_async (stripe, link_id, "sell-link-off", NULL, DONE));
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (off), "active"));

  inactive = stripe_get (&error, "/v1/payment_links", "active", "false", "limit", "100", NULL);
  g_assert_no_error (error);
  array = list_data (inactive, NULL);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      g_assert_false (json_object_get_boolean_member (element (array, i), "active"));
      listed |= g_strcmp0 (id_of (array, i), link_id) == 0;
    }
  g_assert_true (listed);

  g_test_message ("each change made its event, once");
  newer = RUN (pa_stripe_list_events_since_async (stripe, cursor, 0, 0, NULL, DONE));
  g_assert_no_error (error);
  array = json_node_get_array (newer);
  g_assert_cmpuint (json_array_get_length (array), ==, G_N_ELEMENTS (types));
  for (guint i = 0; i < G_N_ELEMENTS (types); i++)
    g_assert_cmpstr (json_object_get_string_member (element (array, i), "type"), ==, types[i]);
}

/* ---- webhooks ----------------------------------------------------------------------- */

typedef struct {
  guint  received;
  char  *event_id;
} Receiver;

static void
webhook_cb (SoupServer        *server,
            SoupServerMessage *message,
            const char        *path,
            GHashTable        *query,
            gpointer           user_data)
{
  Receiver *receiver = user_data;
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  const char *header = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                     "Stripe-Signature");
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  receiver->received++;
  if (pa_stripe_webhook_verify (data, len, header, WEBHOOK_SECRET,
                                g_get_real_time () / G_USEC_PER_SEC, 300, &error))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_true (json_parser_load_from_data (parser, data, (gssize) len, NULL));
      g_free (receiver->event_id);
      receiver->event_id = g_strdup (json_object_get_string_member (
        json_node_get_object (json_parser_get_root (parser)), "id"));
      soup_server_message_set_status (message, 200, NULL);
      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY, "ok", 2);
    }
  else
    {
      soup_server_message_set_status (message, 400, NULL);
      soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_COPY,
                                        error->message, strlen (error->message));
    }
}

static void
test_webhook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(JsonNode) sent = NULL;
  g_autoptr(JsonNode) tampered = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autofree char *body = NULL;
  g_autofree char *url = NULL;
  g_autofree char *newest = NULL;
  Receiver receiver = { 0 };
  GSList *uris;
  JsonObject *answer;

  if (!need_peer ())
    return;

  soup_server_add_handler (server, "/hook", webhook_cb, &receiver, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("http://127.0.0.1:%d/hook", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  newest = newest_event_id ();

  g_test_message ("the latest event, signed with the endpoint secret: it verifies");
  body = g_strdup_printf ("{\"event\": \"latest\", \"url\": \"%s\", \"secret\": \"%s\"}",
                          url, WEBHOOK_SECRET);
  sent = control ("POST", "/__peer/webhook", body);
  answer = json_node_get_object (sent);
  g_assert_cmpint (json_object_get_int_member (answer, "status"), ==, 200);
  g_assert_cmpstr (receiver.event_id, ==, newest);

  g_test_message ("one byte of the body changed after signing: it does not");
  g_free (body);
  body = g_strdup_printf ("{\"event\": \"latest\", \"url\": \"%s\", \"secret\": \"%s\", \"tamper\": true}",
                          url, WEBHOOK_SECRET);
  tampered = control ("POST", "/__peer/webhook", body);
  answer = json_node_get_object (tampered);
  g_assert_cmpint (json_object_get_int_member (answer, "status"), ==, 400);
  g_assert_cmpuint (receiver.received, ==, 2);

  g_test_message ("the peer posts to loopback only");
  g_free (body);
  body = g_strdup_printf ("{\"event\": \"latest\", \"url\": \"http://example.com/hook\", \"secret\": \"%s\"}",
                          WEBHOOK_SECRET);
  refused = pa_test_stripe_account_control (peer, "POST", "/__peer/webhook", body, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_null (refused);
  g_assert_cmpuint (receiver.received, ==, 2);

  g_free (receiver.event_id);
  soup_server_disconnect (server);
}

/* ---- the seed ------------------------------------------------------------------ */

static void
test_deterministic (void)
{
  const char *const args[] = { "--now", "1700000000", NULL };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestPeer) twin = NULL;
  g_autoptr(PaStripe) twin_stripe = NULL;
  g_autoptr(JsonNode) ours = NULL;
  g_autoptr(JsonNode) theirs = NULL;
  JsonArray *a, *b;
  guint n, n_kwd = 0, n_jpy = 0;

  if (!need_peer ())
    return;

  g_test_message ("the same seed at another --now: the same charges, ids and amounts");
  twin = pa_test_stripe_account_start (SEED, args, &error);
  g_assert_no_error (error);
  twin_stripe = pa_test_stripe_account_client (twin, NULL);
  ours = all_charges ();
  theirs = RUN (pa_stripe_list_all_async (twin_stripe, "/v1/charges", 0, NULL, DONE));
  g_assert_no_error (error);
  a = json_node_get_array (ours);
  b = json_node_get_array (theirs);
  /* Earlier tests may have added payments here: compare the seeded ones,
   * the oldest SEED. */
  n = json_array_get_length (b);
  g_assert_cmpuint (n, ==, SEED);
  g_assert_cmpuint (json_array_get_length (a), >=, n);
  for (guint i = 0; i < n; i++)
    {
      JsonObject *x = element (a, json_array_get_length (a) - n + i);
      JsonObject *y = element (b, i);
      const char *currency = json_object_get_string_member (y, "currency");

      g_assert_cmpstr (json_object_get_string_member (x, "id"), ==, json_object_get_string_member (y, "id"));
      g_assert_cmpint (json_object_get_int_member (x, "amount"), ==, json_object_get_int_member (y, "amount"));
      g_assert_cmpint (json_object_get_int_member (y, "created"), <, 1700000000);
      /* Three-decimal currencies take amounts that end in 0, as Stripe asks. */
      if (g_strcmp0 (currency, "kwd") == 0)
        {
          g_assert_cmpint (json_object_get_int_member (y, "amount") % 10, ==, 0);
          n_kwd++;
        }
      if (g_strcmp0 (currency, "jpy") == 0)
        n_jpy++;
    }
  g_assert_cmpuint (n_kwd, >, 0);
  g_assert_cmpuint (n_jpy, >, 0);
}

/* ---- the contract --------------------------------------------------------------- */

static void
test_nothing_rejected (void)
{
  g_autoptr(JsonNode) effects = NULL;
  JsonArray *rejected;

  if (!need_peer ())
    return;

  g_test_message ("no request of the client broke the contract");
  effects = control ("GET", "/__peer/effects", NULL);
  rejected = json_object_get_array_member (json_node_get_object (effects), "rejected");
  if (json_array_get_length (rejected) > 0)
    g_error ("the peer rejected %s", json_to_string (json_array_get_element (rejected, 0), FALSE));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pa_test_log_capture_start ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stripe-account/check", test_check);
  g_test_add_func ("/stripe-account/balance", test_balance);
  g_test_add_func ("/stripe-account/events-walk", test_events_walk);
  g_test_add_func ("/stripe-account/events-pages", test_events_pages);
  g_test_add_func ("/stripe-account/charges", test_charges);
  g_test_add_func ("/stripe-account/refund", test_refund);
  g_test_add_func ("/stripe-account/refund-dropped", test_refund_dropped);
  g_test_add_func ("/stripe-account/new-payments", test_new_payments);
  g_test_add_func ("/stripe-account/catalogue", test_catalogue);
  g_test_add_func ("/stripe-account/webhook", test_webhook);
  g_test_add_func ("/stripe-account/deterministic", test_deterministic);
  g_test_add_func ("/stripe-account/nothing-rejected", test_nothing_rejected);

  status = g_test_run ();

  g_clear_object (&stripe);
  g_clear_pointer (&peer, pa_test_peer_stop);
  return status;
}
