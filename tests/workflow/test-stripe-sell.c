/* test-stripe-sell.c — stripe.sell against the stateful Stripe account peer
 *
 * A product, a price and a payment link are made once, even when the step
 * is stopped between Stripe's effect and its answer and then resumed, or
 * run again from scratch; bad arguments send nothing; the undo
 * deactivates the link. tests/peers/stripe-account-peer.mjs checks every
 * request against stripe.json and keeps Stripe's idempotency.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-secrets.h"
#include "pa-store.h"
#include "pa-stripe.h"
#include "pa-action.h"
#include "pa-action-context.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

#define TEST_KEY "sk_test_sell"

static PaTestKeyring *keyring;
static PaSecrets *secrets;
static PaTestPeer *peer;

/* ---- the peer ------------------------------------------------------------ */

static gboolean
need_peer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;
  const char * const args[] = { "--seed", "7", NULL };

  if (peer != NULL)
    return TRUE;

  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  secrets = pa_secrets_new ();
  pa_secrets_store_sync (secrets, "stripe", "default", "api-key", TEST_KEY, NULL, &error);
  g_assert_no_error (error);

  spec = pa_test_fixtures_require ("openapi/stripe.json");
  if (spec == NULL)
    return FALSE;
  peer = pa_test_node_peer_start ("stripe-account-peer.mjs", args, &error);
  return pa_test_require_no_error (error);
}

/* A request to the peer (@stripe: with Stripe's headers), answered 200
 * with JSON. */
static JsonNode *
peer_call (const char *method,
           const char *path,
           const char *json_body,
           gboolean    stripe)
{
  g_autofree char *url = g_strconcat (pa_test_peer_get_url (peer), path, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  g_assert_nonnull (msg);
  if (stripe)
    {
      soup_message_headers_append (soup_message_get_request_headers (msg),
                                   "Authorization", "Bearer " TEST_KEY);
      soup_message_headers_append (soup_message_get_request_headers (msg),
                                   "Stripe-Version", PA_STRIPE_API_VERSION);
    }
  if (json_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != 200)
    g_error ("%s %s answered %u: %.*s", method, path, soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  root = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  return root;
}

/* The objects of a Stripe list at @path whose metadata "test" is @tag. */
static JsonArray *
list_tagged (const char *path,
             const char *tag)
{
  g_autoptr(JsonNode) list = peer_call ("GET", path, NULL, TRUE);
  JsonArray *data = json_object_get_array_member (json_node_get_object (list), "data");
  JsonArray *tagged = json_array_new ();

  g_assert_false (json_object_get_boolean_member (json_node_get_object (list), "has_more"));
  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      JsonObject *object = json_array_get_object_element (data, i);
      JsonObject *metadata = json_object_get_object_member (object, "metadata");

      if (metadata != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (metadata, "test", NULL), tag) == 0)
        json_array_add_object_element (tagged, json_object_ref (object));
    }
  return tagged;
}

/* How many POSTs to @path the peer received (dropped ones too). */
static guint
count_posts (const char *path)
{
  g_autoptr(JsonNode) requests = peer_call ("GET", "/__peer/requests", NULL, FALSE);
  JsonArray *all = json_node_get_array (requests);
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *seen = json_array_get_object_element (all, i);

      if (g_strcmp0 (json_object_get_string_member (seen, "method"), "POST") == 0 &&
          g_strcmp0 (json_object_get_string_member (seen, "path"), path) == 0)
        n++;
    }
  return n;
}

static gint64
effects_member (const char *name)
{
  g_autoptr(JsonNode) effects = peer_call ("GET", "/__peer/effects", NULL, FALSE);

  return json_object_get_int_member (json_node_get_object (effects), name);
}

/* ---- the store, the client, the step ------------------------------------ */

typedef struct {
  char    *dir;
  PaStore *store;
  PaHttp  *http;
} Fixture;

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static Fixture *
fixture_new (void)
{
  Fixture *fixture = g_new0 (Fixture, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  fixture->dir = g_dir_make_tmp ("test-stripe-sell-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  pa_store_save_account (fixture->store, "stripe", "default", pa_test_peer_get_url (peer),
                         "Test", "signed-in", &error);
  g_assert_no_error (error);
  fixture->http = pa_http_new ();
  pa_http_set_backoff (fixture->http, 10, 50);
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));
  return fixture;
}

static void
fixture_free (Fixture *fixture)
{
  g_clear_object (&fixture->http);
  g_clear_object (&fixture->store);
  remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Fixture, fixture_free)

/* Where the "journal" keeps the step's checkpoints between attempts. */
static gboolean
keep_checkpoint (PaActionContext  *context,
                 JsonObject       *state,
                 gpointer          user_data,
                 GError          **error)
{
  JsonObject **kept = user_data;

  g_clear_pointer (kept, json_object_unref);
  *kept = json_object_ref (state);
  return TRUE;
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static JsonNode *
run_action (PaActionContext  *context,
            const char       *name,
            JsonObject       *args,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  const PaActionInfo *info = pa_action_registry_lookup (registry, name);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) check_error = NULL;

  g_assert_nonnull (info);
  if (!pa_action_check_args (info, args, "with", &check_error))
    g_error ("%s refused its arguments: %s", name, check_error->message);
  pa_action_context_set_action (context, name);
  info->run (context, args, cancellable, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return info->finish (result, error);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

static const char *
member_string (JsonNode   *output,
               const char *name)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
  return json_object_get_string_member_with_default (json_node_get_object (output), name, NULL);
}

/* Cancels the step as soon as the peer dropped a POST to /v1/prices: the
 * process "died" after Stripe made the price, before it heard so. */
static void
on_request_logged (PaHttp        *http,
                   gpointer       request,
                   const char    *key,
                   const char    *method,
                   const char    *path,
                   guint          status,
                   gint64         duration_ms,
                   guint          attempt,
                   GCancellable  *cancellable)
{
  if (g_strcmp0 (method, "POST") == 0 && g_strcmp0 (path, "/v1/prices") == 0 && status == 0)
    g_cancellable_cancel (cancellable);
}

/* ---- the tests ------------------------------------------------------------ */

static void
test_sell_once (void)
{
  g_autoptr(Fixture) fixture = NULL;
  g_autoptr(JsonObject) args = NULL;
  g_autoptr(JsonObject) kept = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(JsonNode) armed = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) third = NULL;
  g_autoptr(JsonArray) products = NULL;
  g_autoptr(JsonArray) prices = NULL;
  g_autoptr(JsonArray) links = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *prices_path = NULL;
  JsonObject *product;
  JsonObject *price;
  JsonObject *link;
  gulong handler;
  gint64 replays_before;
  guint product_posts_before;

  if (!need_peer ())
    return;
  fixture = fixture_new ();
  args = parse_object ("{\"file\": \"/home/someone/media/faceswap-0042.png\","
                       " \"description\": \"A portrait, swapped\","
                       " \"amount\": 1250, \"currency\": \"EUR\","
                       " \"metadata\": {\"test\": \"sell-once\", \"faces_swapped\": 1}}");
  replays_before = effects_member ("replays");
  product_posts_before = count_posts ("/v1/products");

  /* 1: stopped after the price took effect at Stripe, before its answer. */
  g_test_message ("first attempt: the price's answer is lost and the step stops");
  armed = peer_call ("POST", "/__peer/drop",
                     "{\"method\": \"POST\", \"path\": \"/v1/prices\", \"after_effect\": true}",
                     FALSE);
  {
    g_autoptr(PaActionContext) context = pa_action_context_new (fixture->store, fixture->http,
                                                                "run-sell", "sell", 1);

    pa_action_context_set_checkpoint_func (context, keep_checkpoint, &kept);
    handler = g_signal_connect (fixture->http, "request-logged",
                                G_CALLBACK (on_request_logged), cancellable);
    first = run_action (context, "stripe.sell", args, cancellable, &error);
    g_signal_handler_disconnect (fixture->http, handler);
    g_assert_null (first);
    g_assert_nonnull (error);
    g_test_message ("the step stopped: %s", error->message);
    g_clear_error (&error);
  }
  /* The product was journaled; the price was made but never heard of. */
  g_assert_nonnull (kept);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (kept, "product"), "prod_"));
  g_assert_false (json_object_has_member (kept, "price"));

  /* 2: resumed from the journal: the price's request is replayed. */
  g_test_message ("second attempt: resumed from the checkpoint");
  {
    g_autoptr(PaActionContext) context = pa_action_context_new (fixture->store, fixture->http,
                                                                "run-sell", "sell", 2);

    pa_action_context_set_checkpoint_func (context, keep_checkpoint, &kept);
    pa_action_context_set_state (context, kept);
    second = run_action (context, "stripe.sell", args, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_true (g_str_has_prefix (member_string (second, "id"), "plink_"));
  g_assert_true (g_str_has_prefix (member_string (second, "url"), "https://"));
  g_assert_true (g_str_has_prefix (member_string (second, "price"), "price_"));
  g_assert_cmpstr (member_string (second, "product"), ==,
                   json_object_get_string_member (kept, "product"));
  g_assert_cmpstr (member_string (second, "price"), ==,
                   json_object_get_string_member (kept, "price"));
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (second), "amount"), ==, 1250);
  g_assert_cmpstr (member_string (second, "currency"), ==, "eur");

  /* 3: the whole step again with nothing journaled (the engine lost the
   * checkpoint, or the step is run again): every call is replayed. */
  g_test_message ("third attempt: nothing journaled, every call replayed");
  {
    g_autoptr(PaActionContext) context = pa_action_context_new (fixture->store, fixture->http,
                                                                "run-sell", "sell", 3);

    third = run_action (context, "stripe.sell", args, NULL, &error);
    g_assert_no_error (error);
  }
  g_assert_cmpstr (member_string (third, "id"), ==, member_string (second, "id"));
  g_assert_cmpstr (member_string (third, "url"), ==, member_string (second, "url"));
  g_assert_cmpstr (member_string (third, "product"), ==, member_string (second, "product"));
  g_assert_cmpstr (member_string (third, "price"), ==, member_string (second, "price"));

  /* At Stripe: one of each, and what was asked for. */
  products = list_tagged ("/v1/products?limit=100", "sell-once");
  g_test_message ("products made: %u", json_array_get_length (products));
  g_assert_cmpuint (json_array_get_length (products), ==, 1);
  product = json_array_get_object_element (products, 0);
  g_assert_cmpstr (json_object_get_string_member (product, "id"), ==,
                   member_string (second, "product"));
  /* Named after the file; where it was on this machine stays here. */
  g_assert_cmpstr (json_object_get_string_member (product, "name"), ==, "faceswap-0042.png");
  g_assert_cmpstr (json_object_get_string_member (product, "description"), ==,
                   "A portrait, swapped");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (product, "metadata"),
                                                  "file_name"), ==, "faceswap-0042.png");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (product, "metadata"),
                                                  "faces_swapped"), ==, "1");

  prices_path = g_strdup_printf ("/v1/prices?limit=100&product=%s",
                                 json_object_get_string_member (product, "id"));
  prices = list_tagged (prices_path, "sell-once");
  g_test_message ("prices made: %u", json_array_get_length (prices));
  g_assert_cmpuint (json_array_get_length (prices), ==, 1);
  price = json_array_get_object_element (prices, 0);
  g_assert_cmpint (json_object_get_int_member (price, "unit_amount"), ==, 1250);
  g_assert_cmpstr (json_object_get_string_member (price, "currency"), ==, "eur");

  links = list_tagged ("/v1/payment_links?limit=100", "sell-once");
  g_test_message ("payment links made: %u", json_array_get_length (links));
  g_assert_cmpuint (json_array_get_length (links), ==, 1);
  link = json_array_get_object_element (links, 0);
  g_assert_cmpstr (json_object_get_string_member (link, "id"), ==, member_string (second, "id"));
  g_assert_true (json_object_get_boolean_member (link, "active"));

  /* The product was asked for twice (the third attempt's replay), the
   * price three times (dropped, replayed, replayed), and the peer says
   * it replayed rather than made. */
  g_assert_cmpuint (count_posts ("/v1/products") - product_posts_before, ==, 2);
  g_test_message ("replays at the peer: %" G_GINT64_FORMAT,
                  effects_member ("replays") - replays_before);
  g_assert_cmpint (effects_member ("replays") - replays_before, >=, 4);

  /* The undo, as the engine runs it: the step's output as its `with`. */
  {
    g_autoptr(PaActionContext) context = pa_action_context_new (fixture->store, fixture->http,
                                                                "run-sell", "sell", 3);
    g_autoptr(JsonNode) undone = NULL;
    g_autoptr(JsonArray) after = NULL;

    pa_action_context_set_idempotency_key (context, "run-sell/sell/undo");
    undone = run_action (context, "stripe.deactivate_payment_link",
                         json_node_get_object (third), NULL, &error);
    g_assert_no_error (error);
    g_assert_false (json_object_get_boolean_member (json_node_get_object (undone), "active"));
    after = list_tagged ("/v1/payment_links?limit=100", "sell-once");
    g_assert_cmpuint (json_array_get_length (after), ==, 1);
    g_assert_false (json_object_get_boolean_member (json_array_get_object_element (after, 0),
                                                    "active"));
  }
}

/* Arguments that cannot sell anything are refused before any request. */
static void
test_sell_refused (void)
{
  const struct {
    const char *args;
    const char *says;
  } cases[] = {
    { "{\"amount\": 1250, \"currency\": \"usd\"}", "name" },
    { "{\"name\": \"  \", \"amount\": 1250, \"currency\": \"usd\"}", "name" },
    { "{\"name\": \"A\", \"amount\": 12.5, \"currency\": \"usd\"}", "whole number" },
    { "{\"name\": \"A\", \"amount\": 0, \"currency\": \"usd\"}", "whole number" },
    { "{\"name\": \"A\", \"amount\": 100000000, \"currency\": \"usd\"}", "whole number" },
    { "{\"name\": \"A\", \"amount\": -5, \"currency\": \"usd\"}", "whole number" },
    { "{\"name\": \"A\", \"amount\": 1250, \"currency\": \"dollars\"}", "ISO 4217" },
    { "{\"name\": \"A\", \"amount\": 1250, \"currency\": \"u$d\"}", "ISO 4217" },
    { "{\"name\": \"A\", \"amount\": 1250, \"currency\": \"usd\", \"metadata\": {\"x\": [1]}}",
      "metadata" },
  };
  g_autoptr(Fixture) fixture = NULL;
  gint64 requests_before;

  if (!need_peer ())
    return;
  fixture = fixture_new ();
  requests_before = effects_member ("requests");

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaActionContext) context = pa_action_context_new (fixture->store, fixture->http,
                                                                  "run-refused", "sell", 1);
      g_autoptr(JsonObject) args = parse_object (cases[i].args);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) output = run_action (context, "stripe.sell", args, NULL, &error);

      g_test_message ("%s → %s", cases[i].args, error != NULL ? error->message : "(no error)");
      g_assert_null (output);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
  g_assert_cmpint (effects_member ("requests"), ==, requests_before);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stripe-sell/once-across-resume", test_sell_once);
  g_test_add_func ("/stripe-sell/refused", test_sell_refused);

  status = g_test_run ();

  g_clear_pointer (&peer, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
