/* test-stripe-account.c — refunds, selling and payment links against the scripted Stripe account
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-payment.h"
#include "pa-secrets.h"
#include "pa-store.h"
#include "pa-store-stripe.h"
#include "pa-stripe-account.h"

#include "pa-test-keyring.h"
#include "pa-test-log.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"
#include "pa-test-stripe-account.h"

#define PROFILE "default"
/* A few payments of its own; each case makes the ones it refunds. */
#define PEER_SEED 12

/* ---- the peer, shared by the cases ------------------------------------------ */

static PaTestPeer *peer;
static gboolean peer_failed;

static gboolean
need_peer (void)
{
  g_autoptr(GError) error = NULL;

  if (peer != NULL)
    return TRUE;
  if (peer_failed)
    {
      g_test_fail_printf ("the Stripe account peer did not start (see the first case)");
      return FALSE;
    }
  peer = pa_test_stripe_account_start (PEER_SEED, NULL, &error);
  if (peer == NULL)
    {
      peer_failed = TRUE;
      pa_test_require_no_error (error);
      return FALSE;
    }
  return TRUE;
}

static JsonNode *
control (const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *answer = pa_test_stripe_account_control (peer, method, path, body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (answer);
  return answer;
}

/* Every string in @node that starts with @prefix, in document order. */
static void
collect_ids (JsonNode   *node,
             const char *prefix,
             GPtrArray  *ids)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr(GList) members = json_object_get_values (json_node_get_object (node));

      for (GList *l = members; l != NULL; l = l->next)
        collect_ids (l->data, prefix, ids);
    }
  else if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        collect_ids (json_array_get_element (array, i), prefix, ids);
    }
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING
           && g_str_has_prefix (json_node_get_string (node), prefix))
    {
      g_ptr_array_add (ids, g_strdup (json_node_get_string (node)));
    }
}

/* A new succeeded payment of @amount @currency at the peer: its charge. */
static char *
new_payment (gint64      amount,
             const char *currency)
{
  g_autofree char *body = g_strdup_printf ("{\"count\": 1, \"amount\": %" G_GINT64_FORMAT ", "
                                           "\"currency\": \"%s\", \"status\": \"succeeded\"}",
                                           amount, currency);
  g_autoptr(JsonNode) answer = control ("POST", "/__peer/payments", body);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);

  collect_ids (answer, "ch_", ids);
  g_assert_cmpuint (ids->len, >=, 1);
  g_test_message ("new payment %s of %" G_GINT64_FORMAT " %s", (char *) ids->pdata[0],
                  amount, currency);
  return g_strdup (ids->pdata[0]);
}

/* The next @count requests @method @path lose their connection, after
 * the peer did what they asked (or before). */
static void
drop_next (const char *method,
           const char *path,
           gboolean    after_effect,
           guint       count)
{
  g_autofree char *body = g_strdup_printf ("{\"method\": \"%s\", \"path\": \"%s\", "
                                           "\"after_effect\": %s, \"count\": %u}",
                                           method, path, after_effect ? "true" : "false", count);
  g_autoptr(JsonNode) answer = control ("POST", "/__peer/drop", body);
}

/* What the peer has done: the refunds of @charge (their count, their
 * sum), and how many answers were replays. */
typedef struct {
  guint   refunds;
  gint64  refunded;
  guint   replays;
  char   *first_refund_id;
  char   *keys;    /* the refunds' idempotency keys, ", " between */
} Effects;

static void
effects_clear (Effects *effects)
{
  g_free (effects->first_refund_id);
  g_free (effects->keys);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Effects, effects_clear)

static Effects
effects_of (const char *charge)
{
  g_autoptr(JsonNode) answer = control ("GET", "/__peer/effects", NULL);
  g_autoptr(GString) keys = g_string_new (NULL);
  JsonObject *root = json_node_get_object (answer);
  JsonArray *refunds = json_object_get_array_member (root, "refunds");
  Effects effects = { 0, };

  effects.replays = json_object_get_int_member (root, "replays");
  for (guint i = 0; i < json_array_get_length (refunds); i++)
    {
      JsonObject *refund = json_array_get_object_element (refunds, i);

      if (g_strcmp0 (json_object_get_string_member (refund, "charge"), charge) != 0)
        continue;
      effects.refunds++;
      effects.refunded += json_object_get_int_member (refund, "amount");
      if (effects.first_refund_id == NULL)
        effects.first_refund_id = g_strdup (json_object_get_string_member (refund, "id"));
      g_string_append_printf (keys, "%s%s", keys->len > 0 ? ", " : "",
                              json_object_get_string_member (refund, "idempotency_key"));
    }
  effects.keys = g_string_free (g_steal_pointer (&keys), FALSE);
  g_test_message ("peer: %u refunds of %s adding up to %" G_GINT64_FORMAT " (keys %s), "
                  "%u replays", effects.refunds, charge, effects.refunded, effects.keys,
                  effects.replays);
  return effects;
}

/* How many requests to the Stripe API (not the controls) the peer got. */
static guint
api_requests (void)
{
  g_autoptr(JsonNode) answer = control ("GET", "/__peer/requests", NULL);
  JsonArray *requests;
  guint n = 0;

  if (JSON_NODE_HOLDS_OBJECT (answer))
    requests = json_object_get_array_member (json_node_get_object (answer), "requests");
  else
    requests = json_node_get_array (answer);
  g_assert_nonnull (requests);
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_has_prefix (json_object_get_string_member (request, "path"), "/v1/"))
        n++;
    }
  return n;
}

/* ---- waiting ------------------------------------------------------------------ */

typedef struct {
  GMainLoop    *loop;
  GAsyncResult *result;
} Wait;

static void
wait_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_run (Wait *wait)
{
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  return wait->result;
}

#define WAIT_INIT { g_main_loop_new (NULL, FALSE), NULL }

/* ---- a store and an account per case ------------------------------------------ */

typedef struct {
  char            *dir;
  PaStore         *store;
  PaStripe        *client;
  PaStripeAccount *account;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-test-stripe-account-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  if (!need_peer ())
    return;
  fixture->client = pa_test_stripe_account_client (peer, PROFILE);
  g_assert_nonnull (fixture->client);
  fixture->account = pa_stripe_account_new (fixture->store, fixture->client, NULL, PROFILE);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_clear_object (&fixture->account);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->store);
  g_assert_true (pa_test_remove_tree (fixture->dir, &error));
  g_free (fixture->dir);
}

static void
sync_now (Fixture *fixture)
{
  Wait wait = WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  PaStripeSync *sync = pa_stripe_account_get_sync (fixture->account);
  gint64 n;

  pa_stripe_sync_run_async (sync, NULL, wait_done, &wait);
  result = wait_run (&wait);
  n = pa_stripe_sync_run_finish (sync, result, &error);
  g_assert_no_error (error);
  g_test_message ("synced %" G_GINT64_FORMAT " new events", n);
}

/* Waits for the account's call started with `wait_done, wait` and
 * finishes it. */
static JsonObject *
account_result (Fixture  *fixture,
                Wait     *wait,
                GError  **error)
{
  g_autoptr(GAsyncResult) result = wait_run (wait);

  return pa_stripe_account_object_finish (fixture->account, result, error);
}

static JsonObject *
refund (Fixture     *fixture,
        const char  *charge,
        gint64       amount,
        GError     **error)
{
  Wait wait = WAIT_INIT;

  pa_stripe_account_refund_async (fixture->account, charge, amount, NULL, wait_done, &wait);
  return account_result (fixture, &wait, error);
}

static JsonObject *
sell (Fixture     *fixture,
      const char  *name,
      const char  *image_url,
      gint64       amount,
      const char  *currency,
      const char  *request_id,
      GError     **error)
{
  Wait wait = WAIT_INIT;
  g_autoptr(JsonObject) metadata = json_object_new ();

  json_object_set_string_member (metadata, "sha256", "5e1f");
  pa_stripe_account_sell_async (fixture->account, name, "A print of the result", image_url,
                                amount, currency, metadata, request_id, NULL, wait_done, &wait);
  return account_result (fixture, &wait, error);
}

static JsonObject *
create_link (Fixture     *fixture,
             const char  *price,
             GError     **error)
{
  Wait wait = WAIT_INIT;

  pa_stripe_account_create_link_async (fixture->account, price, NULL, wait_done, &wait);
  return account_result (fixture, &wait, error);
}

static JsonObject *
deactivate_link (Fixture     *fixture,
                 const char  *link,
                 GError     **error)
{
  Wait wait = WAIT_INIT;

  pa_stripe_account_deactivate_link_async (fixture->account, link, NULL, wait_done, &wait);
  return account_result (fixture, &wait, error);
}

/* Every object of the list at @path at the peer (e.g. "/v1/products"). */
static JsonArray *
list_all (Fixture    *fixture,
          const char *path)
{
  Wait wait = WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  pa_stripe_list_all_async (fixture->client, path, 0, NULL, wait_done, &wait);
  result = wait_run (&wait);
  node = pa_stripe_object_finish (fixture->client, result, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
  return json_array_ref (json_node_get_array (node));
}

static guint
count_all (Fixture    *fixture,
           const char *path)
{
  g_autoptr(JsonArray) all = list_all (fixture, path);

  return json_array_get_length (all);
}

/* How many objects of the list at @path have @member equal to @value. */
static guint
count_at_peer (Fixture    *fixture,
               const char *path,
               const char *member,
               const char *value)
{
  g_autoptr(JsonArray) all = list_all (fixture, path);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *object = json_array_get_object_element (all, i);
      JsonNode *node = json_object_get_member (object, member);

      if (node != NULL && JSON_NODE_HOLDS_VALUE (node)
          && g_strcmp0 (json_node_get_string (node), value) == 0)
        n++;
    }
  return n;
}

static PaPayment *
stored_payment (Fixture    *fixture,
                const char *charge)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripePaymentRecord) record = pa_store_stripe_get_payment (fixture->store, PROFILE,
                                                                         charge, &error);

  g_assert_no_error (error);
  g_assert_nonnull (record);
  g_test_message ("stored %s: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " refunded",
                  charge, record->amount_refunded, record->amount);
  return pa_payment_new (record);
}

/* The stored copy of @charge shows @refunded refunded, @status, and
 * @refundable left. */
static void
assert_stored (Fixture         *fixture,
               const char      *charge,
               gint64           refunded,
               PaPaymentStatus  status,
               gint64           refundable)
{
  g_autoptr(PaPayment) payment = stored_payment (fixture, charge);

  g_assert_cmpint (pa_payment_get_record (payment)->amount_refunded, ==, refunded);
  g_assert_cmpstr (pa_payment_status_to_string (pa_payment_get_status (payment)), ==,
                   pa_payment_status_to_string (status));
  g_assert_cmpint (pa_payment_get_refundable (payment), ==, refundable);
}

static JsonObject *
stored_object (Fixture    *fixture,
               const char *id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripeObjectRecord) record = pa_store_stripe_get_object (fixture->store, PROFILE,
                                                                       id, &error);
  g_autoptr(JsonNode) node = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (record);
  node = json_from_string (record->data_json, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (node));
}

/* ---- refunds ------------------------------------------------------------------ */

static void
test_refund_partial_then_full (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autofree char *charge = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) rest = NULL;
  g_autoptr(JsonObject) none = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Effects) effects = { 0, };

  if (fixture->account == NULL)
    return;
  charge = new_payment (5000, "usd");
  sync_now (fixture);
  assert_stored (fixture, charge, 0, PA_PAYMENT_STATUS_SUCCEEDED, 5000);

  /* Part of it: the payment shows it at once, before any sync. */
  first = refund (fixture, charge, 1200, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (first, "amount"), ==, 1200);
  g_assert_cmpstr (json_object_get_string_member (first, "charge"), ==, charge);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (first, "id"), "re_"));
  assert_stored (fixture, charge, 1200, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, 3800);

  /* The rest (0 = what is left). */
  rest = refund (fixture, charge, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (rest, "amount"), ==, 3800);
  g_assert_cmpstr (json_object_get_string_member (rest, "id"), !=,
                   json_object_get_string_member (first, "id"));
  assert_stored (fixture, charge, 5000, PA_PAYMENT_STATUS_REFUNDED, 0);

  effects = effects_of (charge);
  g_assert_cmpuint (effects.refunds, ==, 2);
  g_assert_cmpint (effects.refunded, ==, 5000);

  /* Nothing is left: Stripe says so, and nothing changes. */
  none = refund (fixture, charge, 0, &error);
  g_assert_null (none);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_test_message ("a refund of nothing left: %s", error->message);
}

static void
test_refund_retried_after_drop (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autofree char *charge = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Effects) before = { 0, };
  g_auto(Effects) after = { 0, };

  if (fixture->account == NULL)
    return;
  charge = new_payment (4000, "eur");
  sync_now (fixture);
  before = effects_of (charge);

  /* The refund is made, then the connection drops before the answer:
   * the client sends it again with the same key and gets the replay. */
  drop_next ("POST", "/v1/refunds", TRUE, 1);
  answer = refund (fixture, charge, 1500, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (answer, "amount"), ==, 1500);

  after = effects_of (charge);
  g_assert_cmpuint (after.refunds, ==, 1);
  g_assert_cmpint (after.refunded, ==, 1500);
  g_assert_cmpuint (after.replays, >, before.replays);
  g_assert_cmpstr (json_object_get_string_member (answer, "id"), ==, after.first_refund_id);
  assert_stored (fixture, charge, 1500, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, 2500);
}

static void
test_refund_asked_again_after_drop (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autofree char *charge = NULL;
  g_autoptr(JsonObject) lost = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) another = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Effects) effects = { 0, };
  g_auto(Effects) final = { 0, };

  if (fixture->account == NULL)
    return;
  charge = new_payment (9000, "usd");
  sync_now (fixture);

  /* Every attempt of the first call loses its answer (the refund was
   * made by the first): the call fails, in doubt. */
  drop_next ("POST", "/v1/refunds", TRUE, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
  lost = refund (fixture, charge, 1500, &error);
  g_assert_null (lost);
  g_assert_nonnull (error);
  g_test_message ("every answer lost: %s", error->message);
  g_assert_true (error->code == PA_ERROR_CONNECTION_LOST || error->code == PA_ERROR_TIMEOUT);
  g_clear_error (&error);
  effects = effects_of (charge);
  g_assert_cmpuint (effects.refunds, ==, 1);
  assert_stored (fixture, charge, 0, PA_PAYMENT_STATUS_SUCCEEDED, 9000);

  /* Asking again for the same refund sends the same key: Stripe answers
   * with the refund it made, and it is counted once. */
  again = refund (fixture, charge, 1500, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (again, "id"), ==, effects.first_refund_id);
  effects_clear (&effects);
  effects = effects_of (charge);
  g_assert_cmpuint (effects.refunds, ==, 1);
  g_assert_cmpint (effects.refunded, ==, 1500);
  assert_stored (fixture, charge, 1500, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, 7500);

  /* That one is answered: the same amount again is a new refund. */
  another = refund (fixture, charge, 1500, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (another, "id"), !=,
                   json_object_get_string_member (again, "id"));
  final = effects_of (charge);
  g_assert_cmpuint (final.refunds, ==, 2);
  g_assert_cmpint (final.refunded, ==, 3000);
  assert_stored (fixture, charge, 3000, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, 6000);
}

static void
test_refund_refused (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autofree char *charge = NULL;
  g_autofree char *key = NULL;
  g_autofree char *next_key = NULL;
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Effects) effects = { 0, };

  if (fixture->account == NULL)
    return;
  charge = new_payment (2000, "usd");
  sync_now (fixture);

  /* The request as the account will send it. */
  key = pa_store_stripe_begin_refund (fixture->store, PROFILE, charge, 2500, &error);
  g_assert_no_error (error);

  answer = refund (fixture, charge, 2500, &error);
  g_assert_null (answer);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_test_message ("refusal: %s", error->message);
  /* Stripe's own words, after ours. */
  g_assert_true (g_str_has_prefix (error->message, "Stripe refused the request: "));
  g_assert_cmpuint (strlen (error->message), >, strlen ("Stripe refused the request: ") + 10);
  g_clear_error (&error);

  effects = effects_of (charge);
  g_assert_cmpuint (effects.refunds, ==, 0);
  assert_stored (fixture, charge, 0, PA_PAYMENT_STATUS_SUCCEEDED, 2000);

  /* The refused request is closed: asking again is a new request. */
  next_key = pa_store_stripe_begin_refund (fixture->store, PROFILE, charge, 2500, &error);
  g_assert_no_error (error);
  g_test_message ("key before %s, after %s", key, next_key);
  g_assert_cmpstr (key, !=, next_key);
}

static void
test_refund_checks_input (Fixture       *fixture,
                          gconstpointer  data)
{
  const struct {
    const char *charge;
    gint64      amount;
  } cases[] = {
    { "ch_1", -1 },
    { "ch_1", G_GINT64_CONSTANT (100000000) },
    { "", 100 },
    { NULL, 100 },
    { "ch_1\r\nIdempotency-Key: x", 100 },
    { "../v1/charges", 100 },
  };
  guint before;

  if (fixture->account == NULL)
    return;
  before = api_requests ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) answer = refund (fixture, cases[i].charge, cases[i].amount, &error);

      g_test_message ("refund of %" G_GINT64_FORMAT " of “%s”: %s", cases[i].amount,
                      cases[i].charge, error != NULL ? error->message : "accepted");
      g_assert_null (answer);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
  g_assert_cmpuint (api_requests (), ==, before);
}

/* ---- selling and links --------------------------------------------------------- */

static void
test_sell_twice_makes_one (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *name = g_strdup_printf ("Sunset %s", suffix);
  g_autofree char *request_id = g_strdup_printf ("sha256-5e1f-2500-eur-%s", suffix);
  const char *image = "https://example.com/gallery/sunset.jpg";
  g_autoptr(JsonObject) link = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) other = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonArray) products = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *product = NULL;
  const char *product_id;
  guint links_before;

  if (fixture->account == NULL)
    return;
  links_before = count_all (fixture, "/v1/payment_links");

  link = sell (fixture, name, image, 2500, "EUR", request_id, &error);
  g_assert_no_error (error);
  again = sell (fixture, name, image, 2500, "EUR", request_id, &error);
  g_assert_no_error (error);
  g_test_message ("sold twice: %s and %s, %s", json_object_get_string_member (link, "id"),
                  json_object_get_string_member (again, "id"),
                  json_object_get_string_member (link, "url"));
  g_assert_cmpstr (json_object_get_string_member (link, "id"), ==,
                   json_object_get_string_member (again, "id"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (link, "url"), "http"));
  g_assert_true (json_object_get_boolean_member (link, "active"));

  /* One product with the picture, one price, one link. */
  products = list_all (fixture, "/v1/products");
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *object = json_array_get_object_element (products, i);

      if (g_strcmp0 (json_object_get_string_member (object, "name"), name) == 0)
        {
          g_assert_null (product);
          product = object;
        }
    }
  g_assert_nonnull (product);
  product_id = json_object_get_string_member (product, "id");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (product, "images")),
                    ==, 1);
  g_assert_cmpstr (json_array_get_string_element (json_object_get_array_member (product,
                                                                                "images"), 0),
                   ==, image);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (product,
                                                                                 "metadata"),
                                                  "sha256"), ==, "5e1f");
  g_assert_cmpuint (count_at_peer (fixture, "/v1/prices", "product", product_id), ==, 1);
  g_assert_cmpuint (count_all (fixture, "/v1/payment_links"), ==,
                    links_before + 1);

  /* Each is in the stored copy. */
  stored = stored_object (fixture, json_object_get_string_member (link, "id"));
  g_assert_cmpstr (json_object_get_string_member (stored, "url"), ==,
                   json_object_get_string_member (link, "url"));
  g_clear_pointer (&stored, json_object_unref);
  stored = stored_object (fixture, product_id);
  g_assert_cmpstr (json_object_get_string_member (stored, "name"), ==, name);

  /* Another sale (another request id) is another product. */
  g_free (request_id);
  request_id = g_strdup_printf ("sha256-5e1f-3000-eur-%s", suffix);
  other = sell (fixture, name, NULL, 3000, "eur", request_id, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (other, "id"), !=,
                   json_object_get_string_member (link, "id"));
  g_assert_cmpuint (count_at_peer (fixture, "/v1/products", "name", name), ==, 2);
}

static void
test_sell_checks_input (Fixture       *fixture,
                        gconstpointer  data)
{
  const struct {
    const char *name;
    const char *image;
    gint64      amount;
    const char *currency;
    const char *request_id;
  } cases[] = {
    { "Print", NULL, 0, "usd", "r1" },
    { "Print", NULL, -100, "usd", "r1" },
    { "Print", NULL, G_GINT64_CONSTANT (100000000), "usd", "r1" },
    { "Print", NULL, 100, "us", "r1" },
    { "Print", NULL, 100, "u$d", "r1" },
    { "Print", NULL, 100, NULL, "r1" },
    { "  ", NULL, 100, "usd", "r1" },
    { NULL, NULL, 100, "usd", "r1" },
    { "Print", "http://example.com/a.jpg", 100, "usd", "r1" },
    { "Print", "file:///home/me/a.jpg", 100, "usd", "r1" },
    { "Print", "not a url", 100, "usd", "r1" },
    { "Print", NULL, 100, "usd", "" },
    { "Print", NULL, 100, "usd", "has space" },
    { "Print", NULL, 100, "usd", "line\nbreak" },
  };
  guint before;

  if (fixture->account == NULL)
    return;
  before = api_requests ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonObject) answer = sell (fixture, cases[i].name, cases[i].image,
                                           cases[i].amount, cases[i].currency,
                                           cases[i].request_id, &error);

      g_test_message ("sale %zu: %s", i, error != NULL ? error->message : "accepted");
      g_assert_null (answer);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
  /* Nothing reached Stripe. */
  g_assert_cmpuint (api_requests (), ==, before);
}

static void
test_link_create_and_deactivate (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autofree char *suffix = g_uuid_string_random ();
  g_autofree char *request_id = g_strdup_printf ("links-%s", suffix);
  g_autoptr(JsonObject) sold = NULL;
  g_autoptr(JsonObject) lost = NULL;
  g_autoptr(JsonObject) again = NULL;
  g_autoptr(JsonObject) second = NULL;
  g_autoptr(JsonObject) off = NULL;
  g_autoptr(JsonObject) stored = NULL;
  g_autoptr(JsonArray) prices = NULL;
  g_autoptr(GError) error = NULL;
  const char *price = NULL;
  guint links_before;

  if (fixture->account == NULL)
    return;
  sold = sell (fixture, "Links", NULL, 700, "usd", request_id, &error);
  g_assert_no_error (error);
  /* The price the sale made, from the stored copy. */
  prices = list_all (fixture, "/v1/prices");
  for (guint i = 0; i < json_array_get_length (prices) && price == NULL; i++)
    {
      JsonObject *object = json_array_get_object_element (prices, i);
      g_autoptr(GError) local = NULL;
      g_autoptr(PaStripeObjectRecord) record =
        pa_store_stripe_get_object (fixture->store, PROFILE,
                                    json_object_get_string_member (object, "id"), &local);

      if (record != NULL)
        price = json_object_get_string_member (object, "id");
    }
  g_assert_nonnull (price);
  links_before = count_all (fixture, "/v1/payment_links");

  /* A link whose answer is lost on every attempt: in doubt. Asking again
   * for the same price reuses the key, so the peer made one link. */
  drop_next ("POST", "/v1/payment_links", TRUE, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
  lost = create_link (fixture, price, &error);
  g_assert_null (lost);
  g_assert_nonnull (error);
  g_test_message ("every answer lost: %s", error->message);
  g_clear_error (&error);
  again = create_link (fixture, price, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (count_all (fixture, "/v1/payment_links"), ==,
                    links_before + 1);

  /* Answered: the next link for that price is a new one. */
  second = create_link (fixture, price, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (second, "id"), !=,
                   json_object_get_string_member (again, "id"));
  g_assert_cmpuint (count_all (fixture, "/v1/payment_links"), ==,
                    links_before + 2);

  /* Deactivated: at the peer and in the stored copy. */
  off = deactivate_link (fixture, json_object_get_string_member (second, "id"), &error);
  g_assert_no_error (error);
  g_assert_false (json_object_get_boolean_member (off, "active"));
  stored = stored_object (fixture, json_object_get_string_member (second, "id"));
  g_assert_false (json_object_get_boolean_member (stored, "active"));
  g_test_message ("deactivated %s", json_object_get_string_member (off, "id"));

  /* Ids that are not Stripe's never reach it. */
  g_clear_pointer (&off, json_object_unref);
  off = deactivate_link (fixture, "plink_1/../../v1/refunds", &error);
  g_assert_null (off);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_clear_pointer (&second, json_object_unref);
  second = create_link (fixture, "", &error);
  g_assert_null (second);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* ---- the mode, from the key in the real keyring ---------------------------------- */

#define TEST_KEY "sk_test_PaCanary51c0ffee"
#define LIVE_KEY "rk_live_PaCanary7b1a9e2f"

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static PaStripeMode
load_mode (PaStripeAccount  *account,
           GError          **error)
{
  Wait wait = WAIT_INIT;
  g_autoptr(GAsyncResult) result = NULL;

  pa_stripe_account_load_mode_async (account, NULL, wait_done, &wait);
  result = wait_run (&wait);
  return pa_stripe_account_load_mode_finish (account, result, error);
}

static void
test_mode_from_key (void)
{
  g_autoptr(PaTestKeyring) keyring = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autofree char *dir = NULL;
  g_autoptr(PaStore) store = NULL;
  const struct {
    const char   *profile;
    const char   *key;
    PaStripeMode  mode;
  } cases[] = {
    { "keyed", TEST_KEY, PA_STRIPE_MODE_TEST },
    { "live", LIVE_KEY, PA_STRIPE_MODE_LIVE },
  };

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return;
  g_assert_true (pa_test_keyring_is_current (keyring));
  dir = g_dir_make_tmp ("pa-test-stripe-account-mode-XXXXXX", &error);
  g_assert_no_error (error);
  store = pa_store_open (dir, &error);
  g_assert_no_error (error);

  secrets = pa_secrets_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaStripe) client = pa_stripe_new (http, cases[i].profile, "http://127.0.0.1:9");
      g_autoptr(PaStripeAccount) account = NULL;
      guint notified = 0;

      g_assert_true (pa_secrets_store_sync (secrets, "stripe", cases[i].profile, "api-key",
                                            cases[i].key, NULL, &error));
      g_assert_no_error (error);
      account = pa_stripe_account_new (store, client, secrets, cases[i].profile);
      g_signal_connect (account, "notify::mode", G_CALLBACK (count_notify), &notified);
      g_assert_cmpint (pa_stripe_account_get_mode (account), ==, PA_STRIPE_MODE_UNKNOWN);

      g_assert_cmpint (load_mode (account, &error), ==, cases[i].mode);
      g_assert_no_error (error);
      g_test_message ("%s: %s, notified %u", cases[i].profile,
                      pa_stripe_mode_to_string (pa_stripe_account_get_mode (account)), notified);
      g_assert_cmpint (pa_stripe_account_get_mode (account), ==, cases[i].mode);
      g_assert_cmpuint (notified, ==, 1);
      /* Again: the same mode, no notification. */
      g_assert_cmpint (load_mode (account, &error), ==, cases[i].mode);
      g_assert_cmpuint (notified, ==, 1);
    }

  /* No key: what the synced copy says, else unknown (not an error). */
  {
    g_autoptr(PaStripe) client = pa_stripe_new (http, "nokey", "http://127.0.0.1:9");
    g_autoptr(PaStripeAccount) account = pa_stripe_account_new (store, client, secrets, "nokey");
    const char *payload = "{\"id\": \"evt_live_1\", \"object\": \"event\", \"type\": "
      "\"charge.succeeded\", \"created\": 1700000000, \"livemode\": true, \"data\": "
      "{\"object\": {\"id\": \"ch_live_1\", \"object\": \"charge\", \"created\": 1700000000, "
      "\"amount\": 100, \"amount_refunded\": 0, \"currency\": \"usd\", \"status\": "
      "\"succeeded\", \"livemode\": true, \"disputed\": false}}}";
    PaStripeEventRow row = { "evt_live_1", "charge.succeeded", 1700000000, payload };

    g_assert_cmpint (load_mode (account, &error), ==, PA_STRIPE_MODE_UNKNOWN);
    g_assert_no_error (error);
    g_assert_true (pa_store_stripe_add_events (store, "nokey", &row, 1, PA_STRIPE_ORDER_FORWARD,
                                               "webhook", NULL, NULL, &error));
    g_assert_no_error (error);
    g_assert_cmpint (load_mode (account, &error), ==, PA_STRIPE_MODE_LIVE);
    g_assert_no_error (error);
    g_test_message ("no key, a live payment stored: %s",
                    pa_stripe_mode_to_string (pa_stripe_account_get_mode (account)));
  }

  /* The keys were read; none was written anywhere. */
  g_assert_false (pa_test_log_contains ("PaCanary"));

  g_clear_object (&secrets);
  g_clear_object (&store);
  g_assert_true (pa_test_remove_tree (dir, &error));
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pa_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/stripe-account/refund/partial-then-full", test_refund_partial_then_full);
  ADD ("/stripe-account/refund/retried-after-drop", test_refund_retried_after_drop);
  ADD ("/stripe-account/refund/asked-again-after-drop", test_refund_asked_again_after_drop);
  ADD ("/stripe-account/refund/refused", test_refund_refused);
  ADD ("/stripe-account/refund/checks-input", test_refund_checks_input);
  ADD ("/stripe-account/sell/twice-makes-one", test_sell_twice_makes_one);
  ADD ("/stripe-account/sell/checks-input", test_sell_checks_input);
  ADD ("/stripe-account/link/create-and-deactivate", test_link_create_and_deactivate);
#undef ADD
  g_test_add_func ("/stripe-account/mode/from-key", test_mode_from_key);

  status = g_test_run ();
  g_clear_pointer (&peer, pa_test_peer_stop);
  return status;
}
