/* test-stripe.c — PaStripe against stripe.json (Prism, a form peer) and scripted failures
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-form.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-secrets.h"
#include "pa-stripe.h"
#include "pa-test-keyring.h"
#include "pa-test-log.h"
#include "pa-test-peer.h"

/* Keys of the right shape; nothing checks them but the peers' "Bearer". */
#define TEST_KEY "sk_test_PaCanary4c0ffee51d2"
#define LIVE_KEY "sk_live_PaCanary7b1a9e2f0c3"
#define RESTRICTED_TEST_KEY "rk_test_PaCanary0d1e2f3a4b"
#define ODD_KEY "whatever_PaCanary99"

/* ---- everything logged, to look for keys in -------------------------- */

static void
assert_log_has_no_key (void)
{
  g_assert_false (pa_test_log_contains ("PaCanary"));
}

/* ---- the keyring, with a key per profile ------------------------------- */

static PaTestKeyring *keyring;
static PaSecrets *secrets;

static gboolean
need_keyring (void)
{
  g_autoptr(GError) error = NULL;
  const struct { const char *profile; const char *key; } keys[] = {
    { "default", TEST_KEY },
    { "live", LIVE_KEY },
    { "restricted", RESTRICTED_TEST_KEY },
    { "odd", ODD_KEY },
  };

  if (keyring != NULL)
    return TRUE;

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  g_assert_true (pa_test_keyring_is_current (keyring));

  secrets = pa_secrets_new ();
  for (gsize i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      pa_secrets_store_sync (secrets, "stripe", keys[i].profile, "api-key", keys[i].key,
                             NULL, &error);
      g_assert_no_error (error);
    }
  return TRUE;
}

/* ---- waiting for results -------------------------------------------- */

typedef struct {
  GMainLoop *loop;
  gboolean   done;
  JsonNode  *node;
  PaIdentity *identity;
  GError    *error;
} Wait;

static void
wait_init (Wait *wait)
{
  memset (wait, 0, sizeof *wait);
  wait->loop = g_main_loop_new (NULL, FALSE);
}

static void
object_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Wait *wait = user_data;

  wait->node = pa_stripe_object_finish (PA_STRIPE (source), result, &wait->error);
  g_assert_true ((wait->node == NULL) != (wait->error == NULL));
  wait->done = TRUE;
  g_main_loop_quit (wait->loop);
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Wait *wait = user_data;

  wait->identity = pa_platform_check_finish (PA_PLATFORM (source), result, &wait->error);
  g_assert_true ((wait->identity == NULL) != (wait->error == NULL));
  wait->done = TRUE;
  g_main_loop_quit (wait->loop);
}

/* Runs the loop until the call started on @wait completes; returns its
 * node (owned by the caller) and moves its error to @error. */
static JsonNode *
wait_result (Wait    *wait,
             GError **error)
{
  if (!wait->done)
    g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  if (wait->error != NULL)
    g_propagate_error (error, wait->error);
  return wait->node;
}

static PaIdentity *
wait_identity (Wait    *wait,
               GError **error)
{
  if (!wait->done)
    g_main_loop_run (wait->loop);
  g_main_loop_unref (wait->loop);
  if (wait->error != NULL)
    g_propagate_error (error, wait->error);
  return wait->identity;
}

/* Start a call with `object_done, &w` as its last arguments, then this. */
#define OBJECT(call)                                  \
  ({ Wait w_; wait_init (&w_); call; wait_result (&w_, &error); })
#define CB object_done, &w_

static PaIdentity *
run_check (PaStripe  *stripe,
           GError   **error)
{
  Wait wait;

  wait_init (&wait);
  pa_platform_check_async (PA_PLATFORM (stripe), NULL, check_done, &wait);
  return wait_identity (&wait, error);
}

static void
raw_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Wait *wait = user_data;

  wait->node = pa_platform_send_json_finish (PA_PLATFORM (source), result, &wait->error);
  wait->done = TRUE;
  g_main_loop_quit (wait->loop);
}

/* Sends a request built by hand through the client's error handling. */
static JsonNode *
send_raw (PaStripe       *stripe,
          PaHttpRequest  *request,
          GError        **error)
{
  Wait wait;

  wait_init (&wait);
  pa_platform_send_json_async (PA_PLATFORM (stripe), request, NULL, raw_done, &wait);
  return wait_result (&wait, error);
}

/* ---- reading results ----------------------------------------------- */

static JsonObject *
as_object (JsonNode *node)
{
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_node_get_object (node);
}

static const char *
string_field (JsonObject *object,
              const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  if (member == NULL)
    g_error ("no “%s” in %s", name, json_to_string (json_node_init_object (json_node_alloc (), object), FALSE));
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  g_assert_cmpint (json_node_get_value_type (member), ==, G_TYPE_STRING);
  return json_node_get_string (member);
}

static void
assert_int_field (JsonObject *object,
                  const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  g_assert_nonnull (member);
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  g_assert_cmpint (json_node_get_value_type (member), ==, G_TYPE_INT64);
}

/* Form fields arrive as strings; the peer may have coerced them. */
static gint64
int_or_string_field (JsonObject *object,
                     const char *name)
{
  JsonNode *member = json_object_get_member (object, name);

  g_assert_nonnull (member);
  if (json_node_get_value_type (member) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (member), NULL, 10);
  g_assert_cmpint (json_node_get_value_type (member), ==, G_TYPE_INT64);
  return json_node_get_int (member);
}

/* A Stripe object of type @object_type with a non-empty id. */
static JsonObject *
assert_stripe_object (JsonNode   *node,
                      const char *object_type)
{
  JsonObject *object = as_object (node);

  g_assert_cmpstr (string_field (object, "object"), ==, object_type);
  g_assert_cmpstr (string_field (object, "id"), !=, "");
  return object;
}

/* Stripe's list object; returns its data. */
static JsonArray *
assert_list (JsonNode *node)
{
  JsonObject *object = as_object (node);

  g_assert_cmpstr (string_field (object, "object"), ==, "list");
  g_assert_true (JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "has_more")));
  return json_object_get_array_member (object, "data");
}

static JsonObject *
metadata_new (void)
{
  JsonObject *metadata = json_object_new ();

  json_object_set_string_member (metadata, "order", "pa-42");
  json_object_set_string_member (metadata, "run step", "r1/s2 & co");
  return metadata;
}

static PaHttp *
fast_http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  /* Fast retries; Retry-After still waits at least a few ms. */
  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_max_retry_after (http, 50 * 1000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* ---- money ------------------------------------------------------------ */

static void
test_stripe_currency (void)
{
  const struct {
    gint64      minor;
    const char *currency;
    const char *expected;
  } cases[] = {
    { 1234, "usd", "12.34 USD" },
    { 5, "eur", "0.05 EUR" },
    { 0, "gbp", "0.00 GBP" },
    { -50, "eur", "-0.50 EUR" },
    { 500, "jpy", "500 JPY" },
    { 500, "JPY", "500 JPY" },
    { 1000000, "krw", "1000000 KRW" },
    { 500, "ugx", "5.00 UGX" },
    { 4000, "isk", "40.00 ISK" },
    { -7, "xof", "-7 XOF" },
    { 1234, "kwd", "1.234 KWD" },
    { 5, "bhd", "0.005 BHD" },
    { 100, "tnd", "0.100 TND" },
    { G_MAXINT64, "usd", "92233720368547758.07 USD" },
    { G_MININT64, "usd", "-92233720368547758.08 USD" },
  };
  const char *zero[] = { "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
                         "VND", "VUV", "XAF", "XOF", "XPF" };
  const char *three[] = { "BHD", "JOD", "KWD", "OMR", "TND" };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = pa_stripe_format_amount (cases[i].minor, cases[i].currency);

      g_assert_cmpstr (text, ==, cases[i].expected);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (zero); i++)
    g_assert_cmpuint (pa_stripe_currency_decimals (zero[i]), ==, 0);
  for (gsize i = 0; i < G_N_ELEMENTS (three); i++)
    g_assert_cmpuint (pa_stripe_currency_decimals (three[i]), ==, 3);
  g_assert_cmpuint (pa_stripe_currency_decimals ("usd"), ==, 2);
  g_assert_cmpuint (pa_stripe_currency_decimals ("huf"), ==, 2);
  /* Stripe's special cases: two-decimal in the API, whole units only. */
  g_assert_cmpuint (pa_stripe_currency_decimals ("ugx"), ==, 2);
  g_assert_cmpuint (pa_stripe_currency_decimals ("isk"), ==, 2);
  g_assert_cmpuint (pa_stripe_currency_decimals ("twd"), ==, 2);
}

static void
test_stripe_mode_from_key (void)
{
  g_assert_cmpint (pa_stripe_mode_from_key ("sk_test_abc"), ==, PA_STRIPE_MODE_TEST);
  g_assert_cmpint (pa_stripe_mode_from_key ("rk_test_abc"), ==, PA_STRIPE_MODE_TEST);
  g_assert_cmpint (pa_stripe_mode_from_key ("sk_live_abc"), ==, PA_STRIPE_MODE_LIVE);
  g_assert_cmpint (pa_stripe_mode_from_key ("rk_live_abc"), ==, PA_STRIPE_MODE_LIVE);
  g_assert_cmpint (pa_stripe_mode_from_key ("pk_test_abc"), ==, PA_STRIPE_MODE_UNKNOWN);
  g_assert_cmpint (pa_stripe_mode_from_key ("sk_testabc"), ==, PA_STRIPE_MODE_UNKNOWN);
  g_assert_cmpint (pa_stripe_mode_from_key (""), ==, PA_STRIPE_MODE_UNKNOWN);
  g_assert_cmpint (pa_stripe_mode_from_key (NULL), ==, PA_STRIPE_MODE_UNKNOWN);
  g_assert_cmpstr (pa_stripe_mode_to_string (PA_STRIPE_MODE_TEST), ==, "Test mode");
  g_assert_cmpstr (pa_stripe_mode_to_string (PA_STRIPE_MODE_LIVE), ==, "Live mode");
  g_assert_null (pa_stripe_mode_to_string (PA_STRIPE_MODE_UNKNOWN));
}

static void
test_stripe_new (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaStripe) stripe = pa_stripe_new (http, NULL, NULL);
  g_autoptr(PaStripe) custom = pa_stripe_new (http, "work", "http://127.0.0.1:1/");
  g_autoptr(GError) error = NULL;
  g_autoptr(PaPlatform) generic = pa_platform_new ("stripe", http, NULL, NULL, &error);

  g_assert_cmpstr (pa_platform_get_id (PA_PLATFORM (stripe)), ==, "stripe");
  g_assert_cmpstr (pa_platform_get_base_url (PA_PLATFORM (stripe)), ==, "https://api.stripe.com");
  g_assert_cmpstr (pa_platform_get_profile (PA_PLATFORM (stripe)), ==, "default");
  g_assert_cmpstr (pa_platform_get_base_url (PA_PLATFORM (custom)), ==, "http://127.0.0.1:1");
  g_assert_cmpstr (pa_platform_get_profile (PA_PLATFORM (custom)), ==, "work");

  /* The registry hands out this class. */
  g_assert_no_error (error);
  g_assert_true (PA_IS_STRIPE (generic));
}

/* Caller mistakes fail before anything is sent. */
static void
test_stripe_bad_arguments (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  /* Port 1 on loopback: a request that got out would fail differently. */
  g_autoptr(PaStripe) stripe = pa_stripe_new (http, NULL, "http://127.0.0.1:1");
  PaStripeLineItem no_price[] = { { NULL, 1 } };
  PaStripeLineItem zero_quantity[] = { { "price_1", 0 } };
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = OBJECT (pa_stripe_create_price_async (stripe, "prod_1", 100, "dollars", NULL, "k1",
                                               NULL, CB));
  g_assert_null (node);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "dollars"));
  g_clear_error (&error);

  node = OBJECT (pa_stripe_create_price_async (stripe, "prod_1", -1, "usd", NULL, "k1", NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  node = OBJECT (pa_stripe_create_payment_link_async (stripe, NULL, 0, NULL, NULL, "k1", NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  node = OBJECT (pa_stripe_create_payment_link_async (stripe, no_price, 1, NULL, NULL, "k1",
                                                      NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  node = OBJECT (pa_stripe_create_checkout_session_async (stripe, zero_quantity, 1, "https://x",
                                                          NULL, NULL, NULL, "k1", NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "quantity"));
  g_clear_error (&error);

  node = OBJECT (pa_stripe_create_refund_async (stripe, "", 0, NULL, NULL, "k1", NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  node = OBJECT (pa_stripe_list_all_async (stripe, "https://elsewhere/v1/charges", 0, NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* An idempotency key is not optional: a programming error. */
  if (g_test_undefined ())
    {
      g_test_expect_message ("PlayAlter", G_LOG_LEVEL_CRITICAL, "*idempotency_key != NULL*");
      pa_stripe_create_customer_async (stripe, "a@example.com", NULL, NULL, NULL, NULL,
                                       NULL, NULL);
      g_test_assert_expected_messages ();
    }
  (void) node;
}

/* ---- against the contract: Prism serving stripe.json ------------------- */

/* Started once, on first use, and shared: Prism takes seconds to load
 * the spec. Stopped at the end of main(). */
static PaTestPeer *prism_peer;
static PaTestPeer *form_peer;

typedef struct {
  PaTestPeer *peer;    /* borrowed */
  PaHttp     *http;
  PaStripe   *stripe;
} Contract;

static gboolean
contract_start (Contract   *contract,
                gboolean    use_form_peer)
{
  g_autoptr(GError) error = NULL;

  memset (contract, 0, sizeof *contract);
  if (!need_keyring ())
    return FALSE;

  if (use_form_peer && form_peer == NULL)
    {
      g_autofree char *spec = pa_test_fixtures_require ("openapi/stripe.json");
      const char *args[] = { NULL, NULL };

      if (spec == NULL)
        return FALSE;
      args[0] = spec;
      form_peer = pa_test_node_peer_start ("stripe-form-peer.mjs", args, &error);
    }
  else if (!use_form_peer && prism_peer == NULL)
    {
      prism_peer = pa_test_prism_start ("stripe.json", &error);
    }
  if (!pa_test_require_no_error (error))
    return FALSE;
  contract->peer = use_form_peer ? form_peer : prism_peer;
  if (contract->peer == NULL)
    return FALSE;

  contract->http = fast_http_new ();
  contract->stripe = pa_stripe_new (contract->http, NULL, pa_test_peer_get_url (contract->peer));
  pa_test_log_clear ();
  return TRUE;
}

static void
contract_stop (Contract *contract)
{
  g_clear_object (&contract->stripe);
  g_clear_object (&contract->http);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_stripe_prism_check (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  const struct { const char *profile; const char *detail; } profiles[] = {
    { "default", "Test mode" },
    { "live", "Live mode" },
    { "restricted", "Test mode" },
    { "odd", NULL },
  };

  if (!contract_start (&contract, FALSE))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (profiles); i++)
    {
      g_autoptr(PaStripe) stripe = pa_stripe_new (contract.http, profiles[i].profile,
                                                  pa_test_peer_get_url (contract.peer));
      g_autoptr(PaIdentity) identity = NULL;

      pa_stripe_set_secrets (stripe, secrets);
      identity = run_check (stripe, &error);
      g_assert_no_error (error);
      g_assert_nonnull (identity);
      g_assert_nonnull (identity->id);
      g_assert_cmpstr (identity->id, !=, "");
      g_assert_cmpstr (identity->detail, ==, profiles[i].detail);
    }

  /* A profile with no key: the clear "not signed in" error, nothing sent. */
  {
    g_autoptr(PaStripe) stripe = pa_stripe_new (contract.http, "nobody",
                                                pa_test_peer_get_url (contract.peer));
    g_autoptr(PaIdentity) identity = run_check (stripe, &error);

    g_assert_null (identity);
    g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
    g_clear_error (&error);
  }

  assert_log_has_no_key ();
  contract_stop (&contract);
}

static void
test_stripe_prism_balance (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) balance = NULL;
  JsonObject *object;

  if (!contract_start (&contract, FALSE))
    return;

  balance = OBJECT (pa_stripe_get_balance_async (contract.stripe, NULL, CB));
  g_assert_no_error (error);
  object = as_object (balance);
  g_assert_cmpstr (string_field (object, "object"), ==, "balance");
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "available")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "pending")));

  contract_stop (&contract);
}

static void
test_stripe_prism_customers (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) metadata = metadata_new ();
  g_autoptr(JsonNode) customer = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) filtered = NULL;
  JsonArray *data;

  if (!contract_start (&contract, FALSE))
    return;

  customer = OBJECT (pa_stripe_create_customer_async (contract.stripe, "ada@example.com",
                                                      "Ada Lovelace", metadata, "run1-step1",
                                                      NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (customer, "customer");

  list = OBJECT (pa_stripe_list_customers_async (contract.stripe, NULL, 3, NULL, NULL, CB));
  g_assert_no_error (error);
  data = assert_list (list);
  /* Prism answers a list with one object built from the schema: an empty
   * one would check nothing below. */
  g_assert_cmpuint (json_array_get_length (data), >, 0);
  for (guint i = 0; i < json_array_get_length (data); i++)
    assert_stripe_object (json_array_get_element (data, i), "customer");

  filtered = OBJECT (pa_stripe_list_customers_async (contract.stripe, "ada@example.com", 100,
                                                     "cus_123", NULL, CB));
  g_assert_no_error (error);
  assert_list (filtered);

  contract_stop (&contract);
}

static void
test_stripe_prism_checkout_sessions (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) session = NULL;
  g_autoptr(JsonNode) expired = NULL;

  if (!contract_start (&contract, FALSE))
    return;

  session = OBJECT (pa_stripe_get_checkout_session_async (contract.stripe, "cs_test_a1", NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (session, "checkout.session");
  string_field (as_object (session), "mode");

  expired = OBJECT (pa_stripe_expire_checkout_session_async (contract.stripe, "cs_test_a1",
                                                             "run1-expire", NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (expired, "checkout.session");

  contract_stop (&contract);
}

static void
test_stripe_prism_payments (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) intents = NULL;
  g_autoptr(JsonNode) charges = NULL;
  g_autoptr(JsonNode) capped = NULL;
  JsonArray *data;

  if (!contract_start (&contract, FALSE))
    return;

  intents = OBJECT (pa_stripe_list_payment_intents_async (contract.stripe, 10, "pi_1", NULL, CB));
  g_assert_no_error (error);
  data = assert_list (intents);
  g_assert_cmpuint (json_array_get_length (data), >, 0);
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *intent = assert_stripe_object (json_array_get_element (data, i), "payment_intent");

      assert_int_field (intent, "amount");
      string_field (intent, "currency");
    }

  charges = OBJECT (pa_stripe_list_charges_async (contract.stripe, 250, NULL, NULL, CB));
  g_assert_no_error (error);
  data = assert_list (charges);
  g_assert_cmpuint (json_array_get_length (data), >, 0);
  for (guint i = 0; i < json_array_get_length (data); i++)
    assert_int_field (assert_stripe_object (json_array_get_element (data, i), "charge"), "amount");

  /* The paging helper, capped at one object: Prism's page has one and
   * says there are more, so exactly the cap comes back. */
  capped = OBJECT (pa_stripe_list_all_async (contract.stripe, "/v1/charges", 1, NULL, CB));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (capped));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (capped)), ==, 1);
  assert_stripe_object (json_array_get_element (json_node_get_array (capped), 0), "charge");

  contract_stop (&contract);
}

static void
test_stripe_prism_refunds (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) metadata = metadata_new ();
  g_autoptr(JsonNode) full = NULL;
  g_autoptr(JsonNode) partial = NULL;

  if (!contract_start (&contract, FALSE))
    return;

  full = OBJECT (pa_stripe_create_refund_async (contract.stripe, "ch_3NbA", 0, NULL, NULL,
                                                "run1-refund", NULL, CB));
  g_assert_no_error (error);
  assert_int_field (assert_stripe_object (full, "refund"), "amount");

  partial = OBJECT (pa_stripe_create_refund_async (contract.stripe, "pi_3NbA", 250,
                                                   "requested_by_customer", metadata,
                                                   "run1-refund-partial", NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (partial, "refund");

  contract_stop (&contract);
}

static void
test_stripe_prism_events (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) events = NULL;
  JsonArray *array;

  if (!contract_start (&contract, FALSE))
    return;

  events = OBJECT (pa_stripe_list_events_since_async (contract.stripe, "evt_1NbA", 1700000000,
                                                      1, NULL, CB));
  g_assert_no_error (error);
  /* Prism's page has one event and says there are more: the cap holds. */
  array = json_node_get_array (events);
  g_assert_cmpuint (json_array_get_length (array), ==, 1);
  string_field (assert_stripe_object (json_array_get_element (array, 0), "event"), "type");

  contract_stop (&contract);
}

/* One page of events, as the sync asks for it: each combination of
 * cursor and time bound passes Prism's request validation and comes back
 * as Stripe's list of events; both cursors at once fail before sending. */
static void
test_stripe_prism_events_page (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  const struct {
    const char *starting_after;
    const char *ending_before;
    gint64      created_gt;
    guint       limit;
  } pages[] = {
    { NULL, NULL, 0, 100 },
    { "evt_1NbA", NULL, 1700000000, 100 },
    { NULL, "evt_1NbA", 0, 1 },
    { NULL, "evt_1NbA", 1700000000, 500 },  /* clamped to 100 */
  };
  gsize offset;

  if (!contract_start (&contract, FALSE))
    return;
  offset = pa_test_peer_get_log_size (contract.peer);

  for (gsize i = 0; i < G_N_ELEMENTS (pages); i++)
    {
      g_autoptr(JsonNode) page = NULL;
      JsonArray *data;

      g_test_message ("page %" G_GSIZE_FORMAT ": starting_after=%s ending_before=%s "
                      "created[gt]=%" G_GINT64_FORMAT " limit=%u", i,
                      pages[i].starting_after, pages[i].ending_before, pages[i].created_gt,
                      pages[i].limit);
      page = OBJECT (pa_stripe_list_events_page_async (contract.stripe, pages[i].starting_after,
                                                       pages[i].ending_before,
                                                       pages[i].created_gt, pages[i].limit,
                                                       NULL, CB));
      g_assert_no_error (error);
      data = assert_list (page);
      g_assert_cmpuint (json_array_get_length (data), >, 0);
      for (guint j = 0; j < json_array_get_length (data); j++)
        string_field (assert_stripe_object (json_array_get_element (data, j), "event"), "type");
    }

  {
    g_autoptr(JsonNode) page = OBJECT (pa_stripe_list_events_page_async (contract.stripe,
                                                                         "evt_1", "evt_2", 0,
                                                                         10, NULL, CB));

    g_assert_null (page);
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_clear_error (&error);
  }

  /* Prism's own verdict on each page's query; the refused call sent none. */
  g_assert_cmpuint (pa_test_prism_count_validated (contract.peer, offset, "get /v1/events"),
                    ==, G_N_ELEMENTS (pages));

  contract_stop (&contract);
}

/* Prism really validates: a refund whose amount is not an integer is
 * refused (so a request of ours that broke the contract would fail). */
static void
test_stripe_prism_rejects (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  if (!contract_start (&contract, FALSE))
    return;

  {
    g_autoptr(PaHttpRequest) request = pa_platform_new_request (PA_PLATFORM (contract.stripe),
                                                                "POST", "/v1/refunds");
    g_autoptr(JsonNode) body = json_from_string ("{\"charge\": \"ch_1\", \"amount\": \"lots\"}",
                                                 NULL);

    pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
    pa_http_request_set_idempotency_key (request, "broken-1");
    pa_http_request_set_form_body (request, body);
    node = send_raw (contract.stripe, request, &error);
  }
  g_assert_null (node);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);

  contract_stop (&contract);
}

/* ---- against the contract: the form peer ----------------------------
 * Prism 5 cannot check some of Stripe's form requests: it rejects
 * bracketed arrays (line_items[0][price]), and it fills every
 * deepObject-encoded object parameter that was NOT sent with an empty
 * object, then fails it for missing required members (products, prices,
 * payment links, checkout session lists, subscription lists). These go to
 * tests/peers/stripe-form-peer.mjs, which decodes the form as Stripe does
 * and validates it against the same stripe.json. */

/* What the form peer received, decoded: GET /__peer/requests. */
static JsonArray *
peer_requests (Contract *contract)
{
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET",
                                                          pa_test_peer_get_url (contract->peer),
                                                          "/__peer/requests");
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = pa_http_request_build_url (request, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  root = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  return json_array_ref (json_node_get_array (root));
}

static JsonObject *
last_request (Contract *contract)
{
  g_autoptr(JsonArray) requests = peer_requests (contract);
  guint n = json_array_get_length (requests);

  g_assert_cmpuint (n, >, 0);
  return json_object_ref (json_array_get_object_element (requests, n - 1));
}

static void
test_stripe_form_products_prices (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) metadata = metadata_new ();
  g_autoptr(JsonNode) product = NULL;
  g_autoptr(JsonNode) price = NULL;
  g_autoptr(JsonNode) yen = NULL;
  JsonObject *object;

  if (!contract_start (&contract, TRUE))
    return;

  product = OBJECT (pa_stripe_create_product_async (contract.stripe, "Face swap print",
                                                    "A4, matte", metadata, "run1-product",
                                                    NULL, CB));
  g_assert_no_error (error);
  object = assert_stripe_object (product, "product");
  string_field (object, "name");

  price = OBJECT (pa_stripe_create_price_async (contract.stripe,
                                                string_field (object, "id"), 1999, "USD",
                                                metadata, "run1-price", NULL, CB));
  g_assert_no_error (error);
  object = assert_stripe_object (price, "price");
  string_field (object, "currency");

  yen = OBJECT (pa_stripe_create_price_async (contract.stripe, "prod_1", 500, "jpy", NULL,
                                              "run1-price-jpy", NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (yen, "price");

  contract_stop (&contract);
}

static void
test_stripe_form_payment_link (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) metadata = metadata_new ();
  g_autoptr(JsonNode) link = NULL;
  g_autoptr(JsonNode) deactivated = NULL;
  g_autoptr(JsonObject) seen = NULL;
  PaStripeLineItem items[] = { { "price_1NbA", 2 }, { "price_2NbB", 1 } };
  JsonObject *object;
  JsonObject *body;
  JsonArray *line_items;

  if (!contract_start (&contract, TRUE))
    return;

  link = OBJECT (pa_stripe_create_payment_link_async (contract.stripe, items, G_N_ELEMENTS (items),
                                                      metadata, "https://example.com/thanks",
                                                      "run7-sell", NULL, CB));
  g_assert_no_error (error);
  object = assert_stripe_object (link, "payment_link");
  g_assert_true (g_str_has_prefix (string_field (object, "url"), "https://"));
  /* Echoed by the peer from what it decoded. */
  g_assert_cmpstr (string_field (json_object_get_object_member (object, "metadata"), "run step"),
                   ==, "r1/s2 & co");

  seen = last_request (&contract);
  g_assert_cmpstr (string_field (seen, "idempotency_key"), ==, "run7-sell");
  g_assert_cmpstr (string_field (seen, "stripe_version"), ==, PA_STRIPE_API_VERSION);
  body = json_object_get_object_member (seen, "body");
  line_items = json_object_get_array_member (body, "line_items");
  g_assert_cmpuint (json_array_get_length (line_items), ==, 2);
  g_assert_cmpstr (string_field (json_array_get_object_element (line_items, 1), "price"),
                   ==, "price_2NbB");
  g_assert_cmpint (int_or_string_field (json_array_get_object_element (line_items, 0),
                                        "quantity"), ==, 2);
  object = json_object_get_object_member (body, "after_completion");
  g_assert_cmpstr (string_field (object, "type"), ==, "redirect");
  g_assert_cmpstr (string_field (json_object_get_object_member (object, "redirect"), "url"),
                   ==, "https://example.com/thanks");

  deactivated = OBJECT (pa_stripe_deactivate_payment_link_async (contract.stripe, "plink_1NbA",
                                                                 "run7-unsell", NULL, CB));
  g_assert_no_error (error);
  object = assert_stripe_object (deactivated, "payment_link");
  g_assert_false (json_object_get_boolean_member (object, "active"));
  g_clear_pointer (&seen, json_object_unref);
  seen = last_request (&contract);
  g_assert_cmpstr (string_field (seen, "path"), ==, "/v1/payment_links/plink_1NbA");

  contract_stop (&contract);
}

static void
test_stripe_form_checkout_session (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) session = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonObject) seen = NULL;
  PaStripeLineItem items[] = { { "price_1NbA", 3 } };
  JsonObject *body;
  JsonArray *data;

  if (!contract_start (&contract, TRUE))
    return;

  session = OBJECT (pa_stripe_create_checkout_session_async (contract.stripe, items, 1,
                                                             "https://example.com/ok?s={CHECKOUT_SESSION_ID}",
                                                             "https://example.com/cancel",
                                                             "buyer@example.com", NULL,
                                                             "run8-checkout", NULL, CB));
  g_assert_no_error (error);
  assert_stripe_object (session, "checkout.session");

  seen = last_request (&contract);
  body = json_object_get_object_member (seen, "body");
  g_assert_cmpstr (string_field (body, "mode"), ==, "payment");
  g_assert_cmpstr (string_field (body, "success_url"), ==,
                   "https://example.com/ok?s={CHECKOUT_SESSION_ID}");
  g_assert_cmpstr (string_field (body, "customer_email"), ==, "buyer@example.com");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (body, "line_items")), ==, 1);

  list = OBJECT (pa_stripe_list_checkout_sessions_async (contract.stripe, 5, "cs_test_a0",
                                                         NULL, CB));
  g_assert_no_error (error);
  data = assert_list (list);
  g_assert_cmpuint (json_array_get_length (data), >, 0);
  for (guint i = 0; i < json_array_get_length (data); i++)
    assert_stripe_object (json_array_get_element (data, i), "checkout.session");
  g_clear_pointer (&seen, json_object_unref);
  seen = last_request (&contract);
  g_assert_cmpstr (string_field (json_object_get_object_member (seen, "query"), "starting_after"),
                   ==, "cs_test_a0");

  contract_stop (&contract);
}

static void
test_stripe_form_subscriptions (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) subscriptions = NULL;
  g_autoptr(JsonObject) seen = NULL;
  JsonArray *data;

  if (!contract_start (&contract, TRUE))
    return;

  subscriptions = OBJECT (pa_stripe_list_subscriptions_async (contract.stripe, "active", 20,
                                                              "sub_1", NULL, CB));
  g_assert_no_error (error);
  data = assert_list (subscriptions);
  g_assert_cmpuint (json_array_get_length (data), >, 0);
  for (guint i = 0; i < json_array_get_length (data); i++)
    string_field (assert_stripe_object (json_array_get_element (data, i), "subscription"), "status");

  seen = last_request (&contract);
  g_assert_cmpstr (string_field (json_object_get_object_member (seen, "query"), "status"),
                   ==, "active");

  contract_stop (&contract);
}

static void
test_stripe_form_events (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) events = NULL;
  g_autoptr(JsonObject) seen = NULL;
  JsonObject *query;
  JsonArray *array;

  if (!contract_start (&contract, TRUE))
    return;

  events = OBJECT (pa_stripe_list_events_since_async (contract.stripe, "evt_1NbA", 1700000000,
                                                      50, NULL, CB));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (events));
  array = json_node_get_array (events);
  g_assert_cmpuint (json_array_get_length (array), >, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    string_field (assert_stripe_object (json_array_get_element (array, i), "event"), "type");

  seen = last_request (&contract);
  query = json_object_get_object_member (seen, "query");
  g_assert_cmpstr (string_field (query, "ending_before"), ==, "evt_1NbA");
  g_assert_cmpint (int_or_string_field (json_object_get_object_member (query, "created"), "gt"),
                   ==, 1700000000);

  contract_stop (&contract);
}

/* The peer really validates: a line item with a quantity that is not a
 * number comes back as Stripe's error naming the parameter. */
static void
test_stripe_form_rejects (void)
{
  Contract contract;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(JsonNode) body = NULL;
  JsonNode *node;

  if (!contract_start (&contract, TRUE))
    return;

  body = json_from_string ("{\"line_items\": [{\"price\": \"price_1\", \"quantity\": \"many\"}]}",
                           NULL);
  request = pa_platform_new_request (PA_PLATFORM (contract.stripe), "POST", "/v1/payment_links");
  pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
  pa_http_request_set_idempotency_key (request, "broken-2");
  pa_http_request_set_form_body (request, body);

  node = send_raw (contract.stripe, request, &error);
  g_assert_null (node);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "line_items[0][quantity]"));
  g_clear_error (&error);

  /* Without Idempotency-Key, the peer refuses a POST. */
  g_clear_object (&request);
  request = pa_platform_new_request (PA_PLATFORM (contract.stripe), "POST", "/v1/customers");
  pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
  node = send_raw (contract.stripe, request, &error);
  g_assert_null (node);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "Idempotency-Key"));
  g_clear_error (&error);

  /* Nor a request without the pinned Stripe-Version. */
  g_clear_object (&request);
  request = pa_platform_new_request (PA_PLATFORM (contract.stripe), "GET", "/v1/balance");
  node = send_raw (contract.stripe, request, &error);
  g_assert_null (node);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "Stripe-Version"));

  contract_stop (&contract);
}

/* ---- scripted peer -----------------------------------------------------
 * A loopback SoupServer, only for what no contract can show: rate
 * limiting with Retry-After, error objects of each type, a 500 burst
 * opening the breaker, a truncated body, retries of a POST, and paging
 * across several pages. Every body it sends has the shape stripe.json
 * gives (the `error` schema for failures, `account`, list objects with
 * `object`/`data`/`has_more`/`url`, `refund`, `charge`, `event`). */

typedef struct {
  guint  status;
  char  *body;
  char  *retry_after;
} Reply;

typedef struct {
  char   *method;
  char   *path;
  char   *query;
  char   *idempotency_key;
  char   *stripe_version;
  char   *authorization;
  char   *body;
} Seen;

typedef struct {
  SoupServer *server;
  char       *url;
  GQueue      replies;
  GPtrArray  *seen;
  PaHttp     *http;
  PaStripe   *stripe;
} Scripted;

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_free (reply->retry_after);
  g_free (reply);
}

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen->query);
  g_free (seen->idempotency_key);
  g_free (seen->stripe_version);
  g_free (seen->authorization);
  g_free (seen->body);
  g_free (seen);
}

static Reply *
scripted_queue (Scripted   *scripted,
                guint       status,
                const char *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_strdup (body);
  g_queue_push_tail (&scripted->replies, reply);
  return reply;
}

static Seen *
scripted_seen (Scripted *scripted,
               guint     index)
{
  g_assert_cmpuint (index, <, scripted->seen->len);
  return scripted->seen->pdata[index];
}

static void
scripted_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Scripted *scripted = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  Reply *reply = g_queue_pop_head (&scripted->replies);
  Seen *seen = g_new0 (Seen, 1);

  seen->method = g_strdup (soup_server_message_get_method (msg));
  seen->path = g_strdup (path);
  seen->query = g_strdup (g_uri_get_query (soup_server_message_get_uri (msg)));
  seen->idempotency_key = g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key"));
  seen->stripe_version = g_strdup (soup_message_headers_get_one (headers, "Stripe-Version"));
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  seen->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  g_ptr_array_add (scripted->seen, seen);

  if (reply == NULL)
    {
      static const char missing[] =
        "{\"error\": {\"type\": \"api_error\", \"message\": \"The scripted peer has no reply queued.\"}}";

      soup_server_message_set_status (msg, 500, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        missing, strlen (missing));
      return;
    }

  soup_server_message_set_status (msg, reply->status, NULL);
  if (reply->retry_after != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  "Retry-After", reply->retry_after);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    reply->body, strlen (reply->body));
  reply_free (reply);
}

static gboolean
scripted_start (Scripted *scripted)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  memset (scripted, 0, sizeof *scripted);
  if (!need_keyring ())
    return FALSE;

  scripted->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (scripted->server, NULL, scripted_cb, scripted, NULL);
  soup_server_listen_local (scripted->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (scripted->server);
  scripted->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_queue_init (&scripted->replies);
  scripted->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  scripted->http = fast_http_new ();
  scripted->stripe = pa_stripe_new (scripted->http, NULL, scripted->url);
  pa_stripe_set_secrets (scripted->stripe, secrets);
  pa_test_log_clear ();
  return TRUE;
}

static void
scripted_stop (Scripted *scripted)
{
  g_clear_object (&scripted->stripe);
  g_clear_object (&scripted->http);
  soup_server_disconnect (scripted->server);
  g_clear_object (&scripted->server);
  g_queue_clear_full (&scripted->replies, (GDestroyNotify) reply_free);
  g_ptr_array_unref (scripted->seen);
  g_free (scripted->url);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

#define ERROR_BODY(type, extra, message) \
  "{\"error\": {\"type\": \"" type "\"" extra ", \"message\": \"" message "\"}}"

static const char charge_list_empty[] =
  "{\"object\": \"list\", \"data\": [], \"has_more\": false, \"url\": \"/v1/charges\"}";

static void
test_stripe_scripted_check (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  const struct {
    const char *profile;
    const char *account;
    const char *name;
    const char *detail;
  } cases[] = {
    { "default",
      "{\"id\": \"acct_1\", \"object\": \"account\", \"business_profile\": {\"name\": \"Pixel Shop\"},"
      " \"settings\": {\"dashboard\": {\"display_name\": \"pixels\"}}, \"email\": \"a@example.com\"}",
      "Pixel Shop", "Test mode" },
    { "live",
      "{\"id\": \"acct_2\", \"object\": \"account\", \"business_profile\": {\"name\": null},"
      " \"settings\": {\"dashboard\": {\"display_name\": \"pixels\"}}, \"email\": \"a@example.com\"}",
      "pixels", "Live mode" },
    { "restricted",
      "{\"id\": \"acct_3\", \"object\": \"account\", \"email\": \"a@example.com\"}",
      "a@example.com", "Test mode" },
    { "odd",
      "{\"id\": \"acct_4\", \"object\": \"account\"}",
      NULL, NULL },
  };

  if (!scripted_start (&scripted))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaStripe) stripe = pa_stripe_new (scripted.http, cases[i].profile, scripted.url);
      g_autoptr(PaIdentity) identity = NULL;
      g_autofree char *expected_auth = NULL;

      scripted_queue (&scripted, 200, cases[i].account);
      identity = run_check (stripe, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (identity->name, ==, cases[i].name);
      g_assert_cmpstr (identity->detail, ==, cases[i].detail);
      g_assert_cmpstr (scripted_seen (&scripted, i)->path, ==, "/v1/account");
      g_assert_cmpstr (scripted_seen (&scripted, i)->stripe_version, ==, "2023-08-16");
      g_assert_true (g_str_has_prefix (scripted_seen (&scripted, i)->authorization, "Bearer "));
    }

  /* An account without an id is not an account. */
  {
    g_autoptr(PaIdentity) identity = NULL;

    scripted_queue (&scripted, 200, "{\"object\": \"account\"}");
    identity = run_check (scripted.stripe, &error);
    g_assert_null (identity);
    g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
    g_clear_error (&error);
  }

  /* A revoked key. */
  {
    g_autoptr(PaIdentity) identity = NULL;

    scripted_queue (&scripted, 401,
                    ERROR_BODY ("invalid_request_error", "",
                                "Invalid API Key provided: sk_test_****2d1"));
    identity = run_check (scripted.stripe, &error);
    g_assert_null (identity);
    g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
    g_assert_nonnull (strstr (error->message, "Stripe rejected the key"));
    g_assert_nonnull (strstr (error->message, "Invalid API Key provided"));
    g_clear_error (&error);
  }

  assert_log_has_no_key ();
  scripted_stop (&scripted);
}

static void
test_stripe_scripted_error_objects (void)
{
  const struct {
    guint       status;
    const char *body;
    int         code;
    const char *contains[3];
  } cases[] = {
    { 402, ERROR_BODY ("card_error", ", \"code\": \"card_declined\", \"decline_code\": "
                       "\"insufficient_funds\", \"param\": \"\"", "Your card has insufficient funds."),
      PA_ERROR_INVALID_INPUT, { "declined the card (insufficient_funds)", "insufficient funds" } },
    { 400, ERROR_BODY ("invalid_request_error", ", \"code\": \"parameter_invalid_integer\","
                       " \"param\": \"unit_amount\"", "Invalid integer: abc"),
      PA_ERROR_INVALID_INPUT, { "Stripe refused the request", "Invalid integer: abc",
                                "parameter “unit_amount”" } },
    { 404, ERROR_BODY ("invalid_request_error", ", \"code\": \"resource_missing\", \"param\": \"id\"",
                       "No such charge: 'ch_nope'"),
      PA_ERROR_NOT_FOUND, { "no such object", "ch_nope" } },
    { 400, ERROR_BODY ("invalid_request_error", ", \"code\": \"resource_missing\", \"param\": \"charge\"",
                       "No such charge: 'ch_gone'"),
      PA_ERROR_NOT_FOUND, { "ch_gone", "parameter “charge”" } },
    { 401, ERROR_BODY ("authentication_error", "", "Expired API Key provided."),
      PA_ERROR_AUTH, { "Stripe rejected the key", "Expired API Key", "Accounts" } },
    { 403, ERROR_BODY ("permission_error", "",
                       "The provided key does not have the required permissions."),
      PA_ERROR_AUTH, { "may not do this", "required permissions" } },
    { 400, ERROR_BODY ("idempotency_error", "",
                       "Keys for idempotent requests can only be used with the same parameters"
                       " they were first used with."),
      PA_ERROR_INVALID_INPUT, { "idempotency key", "same parameters" } },
    { 400, "<html>Bad gateway config</html>",
      PA_ERROR_INVALID_INPUT, { "400" } },
    /* Whatever answers at the base URL may send terminal commands: they
     * are not passed on. */
    { 400, ERROR_BODY ("invalid_request_error", ", \"param\": \"x\\u0007y\"",
                       "\\u001b[31mred\\u202e text\\u009b"),
      PA_ERROR_INVALID_INPUT, { "[31mred", " text", "parameter “x" } },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      Scripted scripted;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      if (!scripted_start (&scripted))
        return;

      scripted_queue (&scripted, cases[i].status, cases[i].body);
      node = OBJECT (pa_stripe_create_refund_async (scripted.stripe, "ch_nope", 0, NULL, NULL,
                                                    "refund-1", NULL, CB));
      g_assert_null (node);
      g_assert_nonnull (error);
      if (error->domain != PA_ERROR || error->code != cases[i].code)
        g_error ("case %" G_GSIZE_FORMAT ": expected code %d, got %d: %s",
                 i, cases[i].code, error->code, error->message);
      for (gsize j = 0; j < G_N_ELEMENTS (cases[i].contains) && cases[i].contains[j] != NULL; j++)
        if (strstr (error->message, cases[i].contains[j]) == NULL)
          g_error ("case %" G_GSIZE_FORMAT ": “%s” not in “%s”",
                   i, cases[i].contains[j], error->message);
      g_assert_null (strchr (error->message, '\x1b'));
      g_assert_null (strchr (error->message, '\x07'));
      g_assert_null (strstr (error->message, "\xE2\x80\xAE"));
      g_assert_null (strstr (error->message, "\xC2\x9B"));
      /* 4xx answers are final: sent once. */
      g_assert_cmpuint (scripted.seen->len, ==, 1);

      scripted_stop (&scripted);
    }
}

/* GLib's URL parser drops "." and "..", so an id made of them would send
 * the request to another endpoint (".." from /v1/checkout/sessions/ is
 * /v1/checkout/): refused before anything is sent. */
static void
test_stripe_scripted_bad_ids (void)
{
  const char *bad[] = { "", ".", "..", "../../v1/charges", "cs_1/expire", "cs?x=1", "cs#x",
                        "%2e%2e", "cs\\..", "cs\n" };
  Scripted scripted;

  if (!scripted_start (&scripted))
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      node = OBJECT (pa_stripe_get_checkout_session_async (scripted.stripe, bad[i], NULL, CB));
      g_assert_null (node);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);

      node = OBJECT (pa_stripe_expire_checkout_session_async (scripted.stripe, bad[i], "k-1",
                                                              NULL, CB));
      g_assert_null (node);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);

      node = OBJECT (pa_stripe_deactivate_payment_link_async (scripted.stripe, bad[i], "k-2",
                                                              NULL, CB));
      g_assert_null (node);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
  g_assert_cmpuint (scripted.seen->len, ==, 0);

  scripted_stop (&scripted);
}

static void
test_stripe_scripted_rate_limit (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(JsonNode) failed = NULL;
  Reply *reply;

  if (!scripted_start (&scripted))
    return;

  /* 429 with Retry-After, then the answer. */
  reply = scripted_queue (&scripted, 429,
                          ERROR_BODY ("invalid_request_error", ", \"code\": \"rate_limit\"",
                                      "Too many requests hit the API too quickly."));
  reply->retry_after = g_strdup ("1");
  scripted_queue (&scripted, 200, charge_list_empty);

  list = OBJECT (pa_stripe_list_charges_async (scripted.stripe, 10, NULL, NULL, CB));
  g_assert_no_error (error);
  assert_list (list);
  g_assert_cmpuint (scripted.seen->len, ==, 2);
  g_assert_cmpstr (scripted_seen (&scripted, 1)->query, ==, "limit=10");

  /* Still limited after every attempt: RATE_LIMITED, saying when. */
  for (guint i = 0; i < PA_HTTP_DEFAULT_MAX_ATTEMPTS; i++)
    {
      reply = scripted_queue (&scripted, 429,
                              ERROR_BODY ("invalid_request_error", ", \"code\": \"rate_limit\"",
                                          "Too many requests hit the API too quickly."));
      reply->retry_after = g_strdup ("7");
    }
  failed = OBJECT (pa_stripe_list_charges_async (scripted.stripe, 10, NULL, NULL, CB));
  g_assert_null (failed);
  g_assert_error (error, PA_ERROR, PA_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "Too many requests"));
  g_assert_nonnull (strstr (error->message, "7 s"));
  g_assert_cmpuint (scripted.seen->len, ==, 2 + PA_HTTP_DEFAULT_MAX_ATTEMPTS);

  scripted_stop (&scripted);
}

static void
test_stripe_scripted_breaker (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  guint threshold;
  guint calls = 0;

  if (!scripted_start (&scripted))
    return;

  threshold = pa_breaker_get_threshold (pa_http_get_breaker (scripted.http, "stripe"));
  for (guint i = 0; i < 2 * threshold; i++)
    scripted_queue (&scripted, 500, ERROR_BODY ("api_error", "", "Something went wrong on Stripe's end."));

  /* Each failing call (with its retries) counts towards the breaker. */
  while (calls < threshold)
    {
      g_autoptr(JsonNode) node = NULL;

      calls++;
      node = OBJECT (pa_stripe_get_balance_async (scripted.stripe, NULL, CB));
      g_assert_null (node);
      g_assert_nonnull (error);
      if (error->code == PA_ERROR_CIRCUIT_OPEN)
        break;
      g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
      g_assert_nonnull (strstr (error->message, "Stripe had a problem"));
      g_clear_error (&error);
    }
  g_assert_error (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN);
  g_clear_error (&error);
  g_assert_cmpuint (scripted.seen->len, ==, threshold);

  /* Open: the next call does not reach Stripe at all. */
  {
    g_autoptr(JsonNode) node = OBJECT (pa_stripe_get_balance_async (scripted.stripe, NULL, CB));

    g_assert_null (node);
    g_assert_error (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN);
    g_assert_cmpuint (scripted.seen->len, ==, threshold);
  }

  scripted_stop (&scripted);
}

static void
test_stripe_scripted_truncated (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) cut = NULL;
  g_autoptr(JsonNode) array = NULL;
  g_autoptr(JsonNode) not_list = NULL;

  if (!scripted_start (&scripted))
    return;

  scripted_queue (&scripted, 200, "{\"object\": \"balance\", \"available\": [{\"amount\": 12");
  cut = OBJECT (pa_stripe_get_balance_async (scripted.stripe, NULL, CB));
  g_assert_null (cut);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_clear_error (&error);

  scripted_queue (&scripted, 200, "[1, 2, 3]");
  array = OBJECT (pa_stripe_get_balance_async (scripted.stripe, NULL, CB));
  g_assert_null (array);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* The paging helper needs a list. */
  scripted_queue (&scripted, 200, "{\"object\": \"charge\", \"id\": \"ch_1\"}");
  not_list = OBJECT (pa_stripe_list_all_async (scripted.stripe, "/v1/charges", 0, NULL, CB));
  g_assert_null (not_list);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);

  scripted_stop (&scripted);
}

static void
test_stripe_scripted_idempotency (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) refund = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  Seen *first;
  Seen *second;

  if (!scripted_start (&scripted))
    return;

  scripted_queue (&scripted, 500, ERROR_BODY ("api_error", "", "Something went wrong."));
  scripted_queue (&scripted, 200,
                  "{\"id\": \"re_1\", \"object\": \"refund\", \"amount\": 250, \"currency\": \"usd\","
                  " \"status\": \"succeeded\", \"charge\": \"ch_1\", \"created\": 1700000000,"
                  " \"metadata\": {}}");

  refund = OBJECT (pa_stripe_create_refund_async (scripted.stripe, "ch_1", 250, NULL, NULL,
                                                  "run9/step-refund", NULL, CB));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (assert_stripe_object (refund, "refund"), "amount"),
                   ==, 250);

  g_assert_cmpuint (scripted.seen->len, ==, 2);
  first = scripted_seen (&scripted, 0);
  second = scripted_seen (&scripted, 1);
  g_assert_cmpstr (first->method, ==, "POST");
  g_assert_cmpstr (first->path, ==, "/v1/refunds");
  g_assert_cmpstr (first->idempotency_key, ==, "run9/step-refund");
  g_assert_cmpstr (second->idempotency_key, ==, "run9/step-refund");
  g_assert_cmpstr (second->stripe_version, ==, PA_STRIPE_API_VERSION);
  g_assert_cmpstr (first->body, ==, second->body);
  fields = pa_form_decode (first->body, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 2);
  g_assert_cmpstr (((PaFormField *) fields->pdata[0])->key, ==, "charge");
  g_assert_cmpstr (((PaFormField *) fields->pdata[1])->key, ==, "amount");
  g_assert_cmpstr (((PaFormField *) fields->pdata[1])->value, ==, "250");

  /* A payment intent is refunded by payment_intent, in full without amount. */
  scripted_queue (&scripted, 400, ERROR_BODY ("invalid_request_error", ", \"code\": "
                                              "\"charge_already_refunded\"",
                                              "Charge ch_1 has already been refunded."));
  refused = OBJECT (pa_stripe_create_refund_async (scripted.stripe, "pi_1", 0, NULL, NULL,
                                                   "run9/step-refund-2", NULL, CB));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "already been refunded"));
  g_assert_cmpuint (scripted.seen->len, ==, 3);
  g_assert_cmpstr (scripted_seen (&scripted, 2)->body, ==, "payment_intent=pi_1");

  scripted_stop (&scripted);
}

static char *
charge_page (guint    first,
             guint    count,
             gboolean has_more)
{
  GString *page = g_string_new ("{\"object\": \"list\", \"url\": \"/v1/charges\", \"data\": [");

  for (guint i = 0; i < count; i++)
    g_string_append_printf (page, "%s{\"id\": \"ch_%u\", \"object\": \"charge\", \"amount\": %u}",
                            i > 0 ? ", " : "", first + i, 100 + first + i);
  g_string_append_printf (page, "], \"has_more\": %s}", has_more ? "true" : "false");
  return g_string_free (page, FALSE);
}

static void
test_stripe_scripted_paging (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autofree char *page1 = charge_page (1, 3, TRUE);
  g_autofree char *page2 = charge_page (4, 3, TRUE);
  g_autofree char *page3 = charge_page (7, 2, FALSE);
  g_autoptr(JsonNode) all = NULL;
  g_autoptr(JsonNode) capped = NULL;
  g_autoptr(JsonNode) looping = NULL;
  JsonArray *array;

  if (!scripted_start (&scripted))
    return;

  scripted_queue (&scripted, 200, page1);
  scripted_queue (&scripted, 200, page2);
  scripted_queue (&scripted, 200, page3);
  all = OBJECT (pa_stripe_list_all_async (scripted.stripe, "/v1/charges", 0, NULL, CB));
  g_assert_no_error (error);
  array = json_node_get_array (all);
  g_assert_cmpuint (json_array_get_length (array), ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      g_autofree char *id = g_strdup_printf ("ch_%u", i + 1);

      g_assert_cmpstr (string_field (json_array_get_object_element (array, i), "id"), ==, id);
    }
  g_assert_cmpuint (scripted.seen->len, ==, 3);
  g_assert_cmpstr (scripted_seen (&scripted, 0)->query, ==, "limit=100");
  g_assert_cmpstr (scripted_seen (&scripted, 1)->query, ==, "limit=100&starting_after=ch_3");
  g_assert_cmpstr (scripted_seen (&scripted, 2)->query, ==, "limit=100&starting_after=ch_6");

  /* A cap stops early, mid-page. */
  scripted_queue (&scripted, 200, page1);
  scripted_queue (&scripted, 200, page2);
  capped = OBJECT (pa_stripe_list_all_async (scripted.stripe, "/v1/payment_intents", 5, NULL, CB));
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (capped)), ==, 5);
  g_assert_cmpuint (scripted.seen->len, ==, 5);
  g_assert_cmpstr (scripted_seen (&scripted, 3)->path, ==, "/v1/payment_intents");
  g_assert_cmpstr (scripted_seen (&scripted, 3)->query, ==, "limit=5");
  g_assert_cmpstr (scripted_seen (&scripted, 4)->query, ==, "limit=2&starting_after=ch_3");

  /* A peer that keeps answering the same page cannot loop us forever. */
  scripted_queue (&scripted, 200, page1);
  scripted_queue (&scripted, 200, page1);
  looping = OBJECT (pa_stripe_list_all_async (scripted.stripe, "/v1/charges", 0, NULL, CB));
  g_assert_null (looping);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);

  scripted_stop (&scripted);
}

static char *
event_page (guint    newest,
            guint    count,
            gboolean has_more)
{
  GString *page = g_string_new ("{\"object\": \"list\", \"url\": \"/v1/events\", \"data\": [");

  /* Newest first, as Stripe lists. */
  for (guint i = 0; i < count; i++)
    g_string_append_printf (page, "%s{\"id\": \"evt_%u\", \"object\": \"event\", \"type\": "
                            "\"charge.succeeded\", \"created\": %u}",
                            i > 0 ? ", " : "", newest - i, 1700000000 + newest - i);
  g_string_append_printf (page, "], \"has_more\": %s}", has_more ? "true" : "false");
  return g_string_free (page, FALSE);
}

static void
assert_event_ids (JsonNode *events,
                  guint     first,
                  guint     count)
{
  JsonArray *array = json_node_get_array (events);

  g_assert_cmpuint (json_array_get_length (array), ==, count);
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *id = g_strdup_printf ("evt_%u", first + i);

      g_assert_cmpstr (string_field (json_array_get_object_element (array, i), "id"), ==, id);
    }
}

static void
test_stripe_scripted_events (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autofree char *after10_a = event_page (13, 3, TRUE);   /* evt_13..11 */
  g_autofree char *after10_b = event_page (15, 2, FALSE);  /* evt_15..14 */
  g_autofree char *latest = event_page (5, 3, TRUE);       /* evt_5..3 */
  g_autofree char *older = event_page (2, 2, FALSE);       /* evt_2..1 */
  g_autoptr(JsonNode) since = NULL;
  g_autoptr(JsonNode) capped = NULL;
  g_autoptr(JsonNode) fresh = NULL;
  g_autoptr(JsonNode) fresh_capped = NULL;

  if (!scripted_start (&scripted))
    return;

  /* From a cursor: ending_before walks forward; result oldest first. */
  scripted_queue (&scripted, 200, after10_a);
  scripted_queue (&scripted, 200, after10_b);
  since = OBJECT (pa_stripe_list_events_since_async (scripted.stripe, "evt_10", 0, 0, NULL, CB));
  g_assert_no_error (error);
  assert_event_ids (since, 11, 5);
  g_assert_cmpstr (scripted_seen (&scripted, 0)->query, ==, "limit=100&ending_before=evt_10");
  g_assert_cmpstr (scripted_seen (&scripted, 1)->query, ==, "limit=100&ending_before=evt_13");

  /* A cap keeps the oldest, so the next sync continues from there. */
  scripted_queue (&scripted, 200, after10_a);
  capped = OBJECT (pa_stripe_list_events_since_async (scripted.stripe, "evt_10", 1700000000, 2,
                                                      NULL, CB));
  g_assert_no_error (error);
  assert_event_ids (capped, 11, 2);
  g_assert_cmpstr (scripted_seen (&scripted, 2)->query, ==,
                   "limit=2&ending_before=evt_10&created[gt]=1700000000");

  /* No cursor: walk back through everything, then turn round. */
  scripted_queue (&scripted, 200, latest);
  scripted_queue (&scripted, 200, older);
  fresh = OBJECT (pa_stripe_list_events_since_async (scripted.stripe, NULL, 0, 0, NULL, CB));
  g_assert_no_error (error);
  assert_event_ids (fresh, 1, 5);
  g_assert_cmpstr (scripted_seen (&scripted, 3)->query, ==, "limit=100");
  g_assert_cmpstr (scripted_seen (&scripted, 4)->query, ==, "limit=100&starting_after=evt_3");

  scripted_queue (&scripted, 200, latest);
  scripted_queue (&scripted, 200, older);
  fresh_capped = OBJECT (pa_stripe_list_events_since_async (scripted.stripe, NULL, 0, 3, NULL, CB));
  g_assert_no_error (error);
  assert_event_ids (fresh_capped, 1, 3);

  scripted_stop (&scripted);
}

/* The page call sends exactly the query the sync relies on and hands
 * back Stripe's list untouched (newest first). */
static void
test_stripe_scripted_events_page (void)
{
  Scripted scripted;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = event_page (13, 3, TRUE);
  g_autoptr(JsonNode) back = NULL;
  g_autoptr(JsonNode) forward = NULL;
  g_autoptr(JsonNode) first = NULL;
  JsonArray *data;

  if (!scripted_start (&scripted))
    return;

  scripted_queue (&scripted, 200, body);
  back = OBJECT (pa_stripe_list_events_page_async (scripted.stripe, "evt_14", NULL, 1700000000,
                                                   100, NULL, CB));
  g_assert_no_error (error);
  g_assert_cmpstr (scripted_seen (&scripted, 0)->query, ==,
                   "limit=100&starting_after=evt_14&created[gt]=1700000000");
  data = assert_list (back);
  g_assert_cmpuint (json_array_get_length (data), ==, 3);
  g_assert_cmpstr (string_field (json_array_get_object_element (data, 0), "id"), ==, "evt_13");

  scripted_queue (&scripted, 200, body);
  forward = OBJECT (pa_stripe_list_events_page_async (scripted.stripe, NULL, "evt_10", 0, 3,
                                                      NULL, CB));
  g_assert_no_error (error);
  g_assert_cmpstr (scripted_seen (&scripted, 1)->query, ==, "limit=3&ending_before=evt_10");

  /* "" is no cursor; 0 asks for one event rather than Stripe's default. */
  scripted_queue (&scripted, 200, body);
  first = OBJECT (pa_stripe_list_events_page_async (scripted.stripe, "", "", 0, 0, NULL, CB));
  g_assert_no_error (error);
  g_assert_cmpstr (scripted_seen (&scripted, 2)->query, ==, "limit=1");

  scripted_stop (&scripted);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pa_test_log_capture_start ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stripe/currency", test_stripe_currency);
  g_test_add_func ("/stripe/mode-from-key", test_stripe_mode_from_key);
  g_test_add_func ("/stripe/new", test_stripe_new);
  g_test_add_func ("/stripe/bad-arguments", test_stripe_bad_arguments);

  g_test_add_func ("/stripe/prism/check", test_stripe_prism_check);
  g_test_add_func ("/stripe/prism/balance", test_stripe_prism_balance);
  g_test_add_func ("/stripe/prism/customers", test_stripe_prism_customers);
  g_test_add_func ("/stripe/prism/checkout-sessions", test_stripe_prism_checkout_sessions);
  g_test_add_func ("/stripe/prism/payments", test_stripe_prism_payments);
  g_test_add_func ("/stripe/prism/refunds", test_stripe_prism_refunds);
  g_test_add_func ("/stripe/prism/events", test_stripe_prism_events);
  g_test_add_func ("/stripe/prism/events-page", test_stripe_prism_events_page);
  g_test_add_func ("/stripe/prism/rejects", test_stripe_prism_rejects);

  g_test_add_func ("/stripe/form/products-prices", test_stripe_form_products_prices);
  g_test_add_func ("/stripe/form/payment-link", test_stripe_form_payment_link);
  g_test_add_func ("/stripe/form/checkout-session", test_stripe_form_checkout_session);
  g_test_add_func ("/stripe/form/subscriptions", test_stripe_form_subscriptions);
  g_test_add_func ("/stripe/form/events", test_stripe_form_events);
  g_test_add_func ("/stripe/form/rejects", test_stripe_form_rejects);

  g_test_add_func ("/stripe/scripted/check", test_stripe_scripted_check);
  g_test_add_func ("/stripe/scripted/error-objects", test_stripe_scripted_error_objects);
  g_test_add_func ("/stripe/scripted/bad-ids", test_stripe_scripted_bad_ids);
  g_test_add_func ("/stripe/scripted/rate-limit", test_stripe_scripted_rate_limit);
  g_test_add_func ("/stripe/scripted/breaker", test_stripe_scripted_breaker);
  g_test_add_func ("/stripe/scripted/truncated", test_stripe_scripted_truncated);
  g_test_add_func ("/stripe/scripted/idempotency", test_stripe_scripted_idempotency);
  g_test_add_func ("/stripe/scripted/paging", test_stripe_scripted_paging);
  g_test_add_func ("/stripe/scripted/events", test_stripe_scripted_events);
  g_test_add_func ("/stripe/scripted/events-page", test_stripe_scripted_events_page);

  status = g_test_run ();

  g_clear_pointer (&prism_peer, pa_test_peer_stop);
  g_clear_pointer (&form_peer, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
