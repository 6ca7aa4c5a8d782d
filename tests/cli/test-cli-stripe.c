/* test-cli-stripe.c — `playalter-cli stripe …` against the scripted Stripe account
 *
 * The account is signed in through the CLI itself, into a real keyring on
 * a private bus; the peer (tests/peers/stripe-account-peer.mjs) plays the
 * account, and its controls make payments, show the refunds it took and
 * send signed webhooks to `stripe webhook listen`.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <json-glib/json-glib.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-keyring.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"

#define SEED            "24"
#define WEBHOOK_SECRET  "whsec_cli_test_7c1d2e3f4a5b6c7d"

typedef struct {
  PaTestKeyring *keyring;
  PaTestPeer    *peer;
  char          *data_dir;
  char          *url;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->keyring = pa_test_keyring_start (&error);
  g_assert_no_error (error);
  g_assert_true (pa_test_keyring_is_current (f->keyring));
  f->data_dir = pa_test_cli_data_dir_new ();
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->peer, pa_test_peer_stop);
  g_clear_pointer (&f->url, g_free);
  g_clear_pointer (&f->data_dir, pa_test_cli_data_dir_free);
  g_clear_pointer (&f->keyring, pa_test_keyring_stop);
}

/* The peer, and the account signed in to it through the CLI. */
static gboolean
sign_in (Fixture *f)
{
  g_auto(PaTestCliResult) set = { 0 };
  g_autoptr(GError) error = NULL;

  f->peer = pa_test_stripe_account_start (g_ascii_strtoull (SEED, NULL, 10), NULL, &error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  f->url = pa_test_stripe_account_url (f->peer);
  g_test_message ("checks: account set stripe --base-url %s (key on stdin) → signed in", f->url);
  pa_test_cli_run (&set, f->data_dir, PA_TEST_STRIPE_ACCOUNT_KEY "\n",
                   "account", "set", "stripe", "--base-url", f->url, NULL);
  if (set.status != 0)
    g_error ("account set failed (%d): %s", set.status, set.err);
  return TRUE;
}

/* Runs the CLI, failing the test unless it exits with @status. */
static void
run_expect (Fixture            *f,
            PaTestCliResult    *result,
            int                 status,
            const char         *input,
            const char * const *args)
{
  g_autofree char *line = g_strjoinv (" ", (char **) args);

  pa_test_cli_runv (result, f->data_dir, input, args);
  g_test_message ("$ playalter-cli %s → %d", line, result->status);
  if (result->status != status)
    g_error ("`%s` exited with %d, expected %d\nstdout: %s\nstderr: %s",
             line, result->status, status, result->out, result->err);
  if (status != 0)
    pa_test_assert_one_line (result->err);
}

static JsonObject *
parse_object (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = json_from_string (text, &error);

  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    g_error ("not a JSON object (%s): %s", error != NULL ? error->message : "other JSON", text);
  return json_object_ref (json_node_get_object (node));
}

static JsonObject *
run_json (Fixture            *f,
          const char * const *args)
{
  g_auto(PaTestCliResult) result = { 0 };

  run_expect (f, &result, 0, NULL, args);
  return parse_object (result.out);
}

static JsonObject *
control (Fixture    *f,
         const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = pa_test_stripe_account_control (f->peer, method, path, body, &error);

  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* A new payment at the peer, now: its charge id. */
static char *
new_payment (Fixture    *f,
             gint64      amount,
             const char *currency)
{
  g_autofree char *body = g_strdup_printf ("{\"count\":1,\"amount\":%" G_GINT64_FORMAT
                                           ",\"currency\":\"%s\",\"status\":\"succeeded\","
                                           "\"customer_email\":\"buyer@example.com\"}",
                                           amount, currency);
  g_autoptr(JsonObject) answer = control (f, "POST", "/__peer/payments", body);
  JsonArray *charges = json_object_get_array_member (answer, "charges");

  g_assert_cmpuint (json_array_get_length (charges), ==, 1);
  return g_strdup (json_array_get_string_element (charges, 0));
}

/* `stripe sync`: how many events were new. */
static gint64
cli_sync (Fixture *f)
{
  const char *args[] = { "stripe", "sync", "--json", NULL };
  g_autoptr(JsonObject) answer = run_json (f, args);

  g_test_message ("sync: %" G_GINT64_FORMAT " new events, %" G_GINT64_FORMAT " stored",
                  json_object_get_int_member (answer, "new_events"),
                  json_object_get_int_member (answer, "events"));
  return json_object_get_int_member (answer, "new_events");
}

/* ---- usage --------------------------------------------------------------- */

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  const char *usage[][8] = {
    { "stripe", NULL },
    { "stripe", "bogus", NULL },
    { "stripe", "--bogus", "balance", NULL },
    { "stripe", "balance", "extra", NULL },
    { "stripe", "payments", "--limit", "0", NULL },
    { "stripe", "payments", "--limit", "many", NULL },
    { "stripe", "payments", "--status", "lost", NULL },
    { "stripe", "refund", NULL },
    { "stripe", "refund", "ch_1", "ch_2", NULL },
    { "stripe", "link", NULL },
    { "stripe", "link", "create", NULL },
    { "stripe", "link", "delete", NULL },
    { "stripe", "webhook", NULL },
    { "stripe", "webhook", "listen", "--port", "70000", NULL },
    { "stripe", "webhook", "secret", "whsec_on_the_command_line", NULL },
    { "stripe", "--profile", "", "balance", NULL },
  };

  g_test_message ("checks: every usage error exits 2 with one line on stderr");
  for (guint i = 0; i < G_N_ELEMENTS (usage); i++)
    {
      g_auto(PaTestCliResult) result = { 0 };

      run_expect (f, &result, 2, NULL, usage[i]);
      g_assert_cmpstr (result.out, ==, "");
    }

  g_test_message ("checks: no Stripe account → exit 1, saying how to sign in");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "balance", NULL };

    run_expect (f, &result, 1, NULL, args);
    g_assert_nonnull (strstr (result.err, "account set stripe"));
  }
}

/* ---- sync, balance, payments ------------------------------------------------ */

static void
test_sync_balance_payments (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(JsonObject) balance = NULL;
  g_autoptr(JsonObject) payments = NULL;
  g_autoptr(JsonObject) succeeded = NULL;
  g_autoptr(JsonObject) never = NULL;
  g_auto(PaTestCliResult) text = { 0 };
  g_auto(PaTestCliResult) listed = { 0 };
  JsonArray *array;

  if (!sign_in (f))
    return;

  g_test_message ("checks: before a sync, the balance says it was never synced");
  {
    const char *args[] = { "stripe", "balance", "--json", NULL };

    never = run_json (f, args);
    g_assert_true (json_object_get_null_member (never, "synced_at"));
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (never, "balances")), ==, 0);
  }

  cli_sync (f);

  g_test_message ("checks: balance --json has integer amounts and formatted ones per currency");
  {
    const char *args[] = { "stripe", "balance", "--json", NULL };

    balance = run_json (f, args);
  }
  g_assert_false (json_object_get_null_member (balance, "synced_at"));
  g_assert_cmpint (json_object_get_int_member (balance, "age_seconds"), <, 120);
  array = json_object_get_array_member (balance, "balances");
  g_assert_cmpuint (json_array_get_length (array), >, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      g_test_message ("  %s: available %" G_GINT64_FORMAT " (%s), pending %" G_GINT64_FORMAT,
                      json_object_get_string_member (row, "currency"),
                      json_object_get_int_member (row, "available"),
                      json_object_get_string_member (row, "available_formatted"),
                      json_object_get_int_member (row, "pending"));
      g_assert_true (JSON_NODE_TYPE (json_object_get_member (row, "available")) == JSON_NODE_VALUE);
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (row, "available")), ==, G_TYPE_INT64);
      g_assert_cmpstr (json_object_get_string_member (row, "available_formatted"), !=, "");
    }

  g_test_message ("checks: balance in text says how old the copy is");
  {
    const char *args[] = { "stripe", "balance", NULL };

    run_expect (f, &text, 0, NULL, args);
    g_test_message ("%s", text.out);
    g_assert_nonnull (strstr (text.out, "synced"));
  }

  g_test_message ("checks: payments --json --limit 5: at most 5, newest first, amounts as integers");
  {
    const char *args[] = { "stripe", "payments", "--json", "--limit", "5", NULL };

    payments = run_json (f, args);
  }
  array = json_object_get_array_member (payments, "payments");
  g_assert_cmpint (json_object_get_int_member (payments, "total"), >, 5);
  g_assert_cmpuint (json_array_get_length (array), ==, 5);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      g_assert_true (g_str_has_prefix (json_object_get_string_member (row, "id"), "ch_")
                     || g_str_has_prefix (json_object_get_string_member (row, "id"), "py_"));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (row, "amount")), ==, G_TYPE_INT64);
      g_assert_cmpstr (json_object_get_string_member (row, "amount_formatted"), !=, "");
      if (i > 0)
        g_assert_cmpint (json_object_get_int_member (row, "created"), <=,
                         json_object_get_int_member (json_array_get_object_element (array, i - 1),
                                                     "created"));
    }

  g_test_message ("checks: --status refunded lists only refunded payments");
  {
    const char *args[] = { "stripe", "payments", "--json", "--status", "refunded", "--limit", "1000", NULL };

    succeeded = run_json (f, args);
  }
  array = json_object_get_array_member (succeeded, "payments");
  g_assert_cmpuint (json_array_get_length (array), >, 0);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *row = json_array_get_object_element (array, i);

      g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "refunded");
      g_assert_cmpint (json_object_get_int_member (row, "amount_refunded"), ==,
                       json_object_get_int_member (row, "amount"));
    }

  g_test_message ("checks: payments in text: a header line, then one line a payment");
  {
    const char *args[] = { "stripe", "payments", "--limit", "3", NULL };
    g_auto(GStrv) lines = NULL;

    run_expect (f, &listed, 0, NULL, args);
    g_test_message ("%s", listed.out);
    lines = g_strsplit (g_strchomp (listed.out), "\n", -1);
    g_assert_cmpuint (g_strv_length (lines), ==, 5);
    g_assert_nonnull (strstr (lines[0], "synced"));
  }
}

/* ---- refunds ---------------------------------------------------------------- */

static void
refund_expect (Fixture    *f,
               const char *charge,
               const char *amount,
               gint64      expected)
{
  const char *with[] = { "stripe", "refund", charge, "--amount", amount, "--json", NULL };
  const char *without[] = { "stripe", "refund", charge, "--json", NULL };
  g_autoptr(JsonObject) answer = run_json (f, amount != NULL ? with : without);

  g_assert_cmpstr (json_object_get_string_member (answer, "payment"), ==, charge);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (answer, "refund"), "re_"));
  g_assert_cmpint (json_object_get_int_member (answer, "amount"), ==, expected);
}

static void
test_refund (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *eur = NULL;
  g_autofree char *jpy = NULL;
  g_autoptr(JsonObject) effects = NULL;
  g_autoptr(JsonObject) after = NULL;
  JsonArray *refunds;
  guint mine = 0;

  if (!sign_in (f))
    return;
  eur = new_payment (f, 2000, "eur");
  jpy = new_payment (f, 1000, "jpy");
  cli_sync (f);

  g_test_message ("checks: refund --amount 5.00 of a 20.00 EUR payment → 500 minor units");
  refund_expect (f, eur, "5.00", 500);
  g_test_message ("checks: refund --amount 500 of a 1000 JPY payment → 500 (no decimals)");
  refund_expect (f, jpy, "500", 500);

  g_test_message ("checks: --amount with more decimals than the currency → usage error");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "refund", jpy, "--amount", "1.5", NULL };

    run_expect (f, &result, 2, NULL, args);
  }

  g_test_message ("checks: more than is left → exit 1 with Stripe's own message");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "refund", eur, "--amount", "50.00", NULL };

    run_expect (f, &result, 1, NULL, args);
    g_assert_nonnull (strstr (result.err, "greater than unrefunded amount"));
  }

  g_test_message ("checks: refund without --amount → the 15.00 that is left");
  refund_expect (f, eur, NULL, 1500);

  g_test_message ("checks: an unknown payment → exit 1, saying what to do");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "refund", "ch_does_not_exist", NULL };

    run_expect (f, &result, 1, NULL, args);
    g_assert_nonnull (strstr (result.err, "stripe sync"));
  }

  g_test_message ("checks: a live account's refund needs --yes without a terminal");
  {
    g_auto(PaTestCliResult) set = { 0 };
    g_auto(PaTestCliResult) refused = { 0 };
    g_autofree char *live = new_payment (f, 3000, "usd");
    const char *args[] = { "stripe", "--profile", "live", "refund", live, NULL };
    const char *sync_live[] = { "stripe", "--profile", "live", "sync", NULL };
    const char *yes[] = { "stripe", "--profile", "live", "refund", live, "--yes", "--json", NULL };
    g_autoptr(JsonObject) answer = NULL;

    /* The peer takes any key: this one only says "live". */
    pa_test_cli_run (&set, f->data_dir, "sk_live_PaAccountPeer4242\n", "account", "set", "stripe",
                     "--profile", "live", "--base-url", f->url, NULL);
    g_assert_cmpint (set.status, ==, 0);
    {
      g_auto(PaTestCliResult) synced = { 0 };

      run_expect (f, &synced, 0, NULL, sync_live);
    }
    run_expect (f, &refused, 1, "y\n", args);
    g_assert_nonnull (strstr (refused.err, "--yes"));
    answer = run_json (f, yes);
    g_assert_cmpint (json_object_get_int_member (answer, "amount"), ==, 3000);
  }

  g_test_message ("checks: the peer took exactly the three refunds, with their amounts");
  effects = control (f, "GET", "/__peer/effects", NULL);
  refunds = json_object_get_array_member (effects, "refunds");
  for (guint i = 0; i < json_array_get_length (refunds); i++)
    {
      JsonObject *refund = json_array_get_object_element (refunds, i);
      const char *charge = json_object_get_string_member (refund, "charge");
      gint64 amount = json_object_get_int_member (refund, "amount");

      if (g_str_equal (charge, eur))
        g_assert_true ((mine == 0 && amount == 500) || (mine == 2 && amount == 1500));
      else if (g_str_equal (charge, jpy))
        g_assert_cmpint (amount, ==, 500);
      else
        continue;
      mine++;
    }
  g_assert_cmpuint (mine, ==, 3);

  g_test_message ("checks: the stored copy shows the EUR payment refunded in full");
  {
    const char *args[] = { "stripe", "payments", "--json", "--search", eur, NULL };
    JsonObject *row;

    after = run_json (f, args);
    g_assert_cmpuint (json_array_get_length (json_object_get_array_member (after, "payments")), ==, 1);
    row = json_array_get_object_element (json_object_get_array_member (after, "payments"), 0);
    g_assert_cmpint (json_object_get_int_member (row, "amount_refunded"), ==, 2000);
    g_assert_cmpstr (json_object_get_string_member (row, "status"), ==, "refunded");
  }
}

/* ---- payment links ------------------------------------------------------------ */

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* An active one-off price of the peer's catalogue. */
static char *
some_price (Fixture *f)
{
  g_autoptr(PaStripe) client = pa_test_stripe_account_client (f->peer, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) list = NULL;
  JsonArray *prices;

  pa_stripe_list_all_async (client, "/v1/prices", 100, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  list = pa_stripe_object_finish (client, result, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (list));
  prices = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (prices); i++)
    {
      JsonObject *price = json_array_get_object_element (prices, i);

      if (json_object_get_boolean_member_with_default (price, "active", FALSE)
          && g_strcmp0 (json_object_get_string_member_with_default (price, "type", NULL), "one_time") == 0)
        return g_strdup (json_object_get_string_member (price, "id"));
    }
  g_error ("The peer has no active one-off price");
  return NULL;
}

/* Deactivates @link at the peer, as the Dashboard would. */
static void
deactivate_link (Fixture    *f,
                 const char *link)
{
  g_autoptr(PaStripe) client = pa_test_stripe_account_client (f->peer, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autofree char *key = g_strdup_printf ("test-cli-stripe-deactivate-%s", link);

  pa_stripe_deactivate_payment_link_async (client, link, key, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  answer = pa_stripe_object_finish (client, result, &error);
  g_assert_no_error (error);
}

static gboolean
has_link (JsonObject *listed,
          const char *id)
{
  JsonArray *links = json_object_get_array_member (listed, "links");

  for (guint i = 0; i < json_array_get_length (links); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (links, i), "id"), id) == 0)
      return TRUE;
  return FALSE;
}

static void
test_links (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *price = NULL;
  g_auto(PaTestCliResult) text = { 0 };
  g_autoptr(JsonObject) created = NULL;
  g_autoptr(JsonObject) active = NULL;
  g_autoptr(JsonObject) all = NULL;
  g_auto(GStrv) lines = NULL;
  const char *id;
  guint n_qr = 0;

  if (!sign_in (f))
    return;
  cli_sync (f);
  price = some_price (f);

  g_test_message ("checks: link create --price %s prints the URL, then a QR code", price);
  {
    const char *args[] = { "stripe", "link", "create", "--price", price, NULL };

    run_expect (f, &text, 0, NULL, args);
  }
  lines = g_strsplit (text.out, "\n", -1);
  g_assert_true (g_str_has_prefix (lines[0], "https://"));
  for (guint i = 1; lines[i] != NULL; i++)
    if (strstr (lines[i], "█") != NULL || strstr (lines[i], "▀") != NULL || strstr (lines[i], "▄") != NULL)
      n_qr++;
  g_test_message ("  %s and %u lines of QR code", lines[0], n_qr);
  /* Version 1 is 21 modules, two a line, within a quiet zone. */
  g_assert_cmpuint (n_qr, >=, 11);

  g_test_message ("checks: link create --json → the link's id, URL and state");
  {
    const char *args[] = { "stripe", "link", "create", "--price", price, "--json", NULL };

    created = run_json (f, args);
  }
  id = json_object_get_string_member (created, "id");
  g_assert_true (g_str_has_prefix (id, "plink_"));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (created, "url"), "https://"));
  g_assert_true (json_object_get_boolean_member (created, "active"));
  g_assert_cmpstr (json_object_get_string_member (created, "price"), ==, price);

  g_test_message ("checks: once deactivated at Stripe and synced, the link is listed only with --all");
  /* Stripe's objects carry no time of change: the copy `link create`
   * stored and an event of the same second cannot be told apart in age,
   * so the deactivation comes a second later, as a person's would. */
  {
    gint64 second = g_get_real_time () / G_USEC_PER_SEC;

    while (g_get_real_time () / G_USEC_PER_SEC <= second)
      g_usleep (50 * 1000);
  }
  deactivate_link (f, id);
  cli_sync (f);
  {
    const char *args[] = { "stripe", "link", "list", "--json", NULL };
    const char *args_all[] = { "stripe", "link", "list", "--all", "--json", NULL };
    JsonArray *links;

    active = run_json (f, args);
    all = run_json (f, args_all);
    g_assert_false (has_link (active, id));
    g_assert_true (has_link (all, id));
    links = json_object_get_array_member (active, "links");
    for (guint i = 0; i < json_array_get_length (links); i++)
      g_assert_true (json_object_get_boolean_member (json_array_get_object_element (links, i), "active"));
    g_test_message ("  %u active, %u in all", json_array_get_length (links),
                    json_array_get_length (json_object_get_array_member (all, "links")));
    /* The one made in text is still active. */
    g_assert_cmpuint (json_array_get_length (links), >=, 1);
  }

  g_test_message ("checks: a price Stripe does not know → exit 1");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "link", "create", "--price", "price_does_not_exist", NULL };

    run_expect (f, &result, 1, NULL, args);
  }
}

/* ---- webhooks -------------------------------------------------------------------- */

/* A payment's first event (charge.succeeded) at the peer. */
static char *
new_payment_event (Fixture *f)
{
  g_autoptr(JsonObject) answer =
    control (f, "POST", "/__peer/payments", "{\"count\":1,\"amount\":1500,\"currency\":\"usd\",\"status\":\"succeeded\"}");
  JsonArray *events = json_object_get_array_member (answer, "events");

  g_assert_cmpuint (json_array_get_length (events), >=, 1);
  return g_strdup (json_array_get_string_element (events, 0));
}

/* What the receiver answered the peer's signed POST of @event. */
static guint
deliver (Fixture    *f,
         const char *url,
         const char *event,
         const char *secret,
         const char *extra,
         char      **body)
{
  g_autofree char *request = g_strdup_printf ("{\"event\":\"%s\",\"url\":\"%s\",\"secret\":\"%s\"%s}",
                                              event, url, secret, extra != NULL ? extra : "");
  g_autoptr(JsonObject) answer = control (f, "POST", "/__peer/webhook", request);
  guint status = (guint) json_object_get_int_member (answer, "status");

  g_test_message ("  webhook %s%s → %u %s", event, extra != NULL ? extra : "", status,
                  json_object_get_string_member_with_default (answer, "body", ""));
  if (body != NULL)
    *body = g_strdup (json_object_get_string_member_with_default (answer, "body", ""));
  return status;
}

static char *
read_line (GDataInputStream *stream)
{
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_utf8 (stream, NULL, NULL, &error);

  g_assert_no_error (error);
  return line;
}

static void
test_webhook (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(GSubprocess) listen = NULL;
  g_autoptr(GDataInputStream) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) first = NULL;
  g_autoptr(JsonObject) taken = NULL;
  g_autofree char *line = NULL;
  g_autofree char *event_a = NULL;
  g_autofree char *event_b = NULL;
  g_autofree char *body = NULL;
  g_autofree char *old = NULL;
  g_autofree char *rest = NULL;
  const char *url;

  if (!sign_in (f))
    return;

  g_test_message ("checks: listen with no secret saved → exit 1, saying how to save one");
  {
    g_auto(PaTestCliResult) result = { 0 };
    const char *args[] = { "stripe", "webhook", "listen", NULL };

    run_expect (f, &result, 1, NULL, args);
    g_assert_nonnull (strstr (result.err, "webhook secret"));
  }
  g_test_message ("checks: webhook secret refuses what is not one, takes one from stdin");
  {
    g_auto(PaTestCliResult) wrong = { 0 };
    g_auto(PaTestCliResult) saved = { 0 };
    const char *args[] = { "stripe", "webhook", "secret", NULL };

    run_expect (f, &wrong, 1, "sk_test_not_a_webhook_secret\n", args);
    run_expect (f, &saved, 0, WEBHOOK_SECRET "\n", args);
    g_assert_null (strstr (saved.out, WEBHOOK_SECRET));
  }
  cli_sync (f);

  g_test_message ("checks: webhook listen --json says where it listens, on 127.0.0.1");
  argv = pa_test_cli_argv_new (f->data_dir);
  g_ptr_array_add (argv, (gpointer) "stripe");
  g_ptr_array_add (argv, (gpointer) "webhook");
  g_ptr_array_add (argv, (gpointer) "listen");
  g_ptr_array_add (argv, (gpointer) "--json");
  g_ptr_array_add (argv, NULL);
  listen = g_subprocess_newv ((const char * const *) argv->pdata,
                              G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDIN_PIPE, &error);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (listen));
  line = read_line (out);
  g_assert_nonnull (line);
  first = parse_object (line);
  url = json_object_get_string_member (first, "listening");
  g_test_message ("  %s", url);
  g_assert_true (g_str_has_prefix (url, "http://127.0.0.1:"));
  g_assert_true (g_str_has_suffix (url, PA_STRIPE_WEBHOOK_PATH));

  g_test_message ("checks: a signed event → 200, stored and printed once");
  event_a = new_payment_event (f);
  g_assert_cmpuint (deliver (f, url, event_a, WEBHOOK_SECRET, NULL, &body), ==, 200);
  g_clear_pointer (&line, g_free);
  line = read_line (out);
  taken = parse_object (line);
  g_assert_cmpstr (json_object_get_string_member (taken, "event"), ==, event_a);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (deliver (f, url, event_a, WEBHOOK_SECRET, NULL, &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"new\":false"));

  g_test_message ("checks: an event the sync stored first → 200, not new; the sync does "
                  "not store the webhook's again (3 new: A's second, B's two)");
  event_b = new_payment_event (f);
  g_assert_cmpint (cli_sync (f), ==, 3);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (deliver (f, url, event_b, WEBHOOK_SECRET, NULL, &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"new\":false"));

  g_test_message ("checks: tampered, wrong secret, replayed old timestamp → 400 each");
  g_assert_cmpuint (deliver (f, url, event_a, WEBHOOK_SECRET, ",\"tamper\":true", NULL), ==, 400);
  g_assert_cmpuint (deliver (f, url, event_a, "whsec_someone_else", NULL, NULL), ==, 400);
  old = g_strdup_printf (",\"timestamp\":%" G_GINT64_FORMAT, g_get_real_time () / G_USEC_PER_SEC - 600);
  g_assert_cmpuint (deliver (f, url, event_a, WEBHOOK_SECRET, old, NULL), ==, 400);

  g_test_message ("checks: SIGTERM stops it with exit 0, having printed no other event");
  g_subprocess_send_signal (listen, SIGTERM);
  rest = g_strdup ("");
  while (TRUE)
    {
      g_autofree char *next = read_line (out);
      char *joined;

      if (next == NULL)
        break;
      joined = g_strconcat (rest, next, "\n", NULL);
      g_free (rest);
      rest = joined;
    }
  g_subprocess_wait (listen, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (listen));
  g_assert_cmpint (g_subprocess_get_exit_status (listen), ==, 0);
  g_assert_null (strstr (rest, "\"event\""));

  g_test_message ("checks: nothing is new for the sync afterwards");
  g_assert_cmpint (cli_sync (f), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  pa_test_add_needing (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down, pa_test_keyring_need)

  ADD ("/cli/stripe/usage", test_usage);
  ADD ("/cli/stripe/sync-balance-payments", test_sync_balance_payments);
  ADD ("/cli/stripe/refund", test_refund);
  ADD ("/cli/stripe/links", test_links);
  ADD ("/cli/stripe/webhook", test_webhook);

#undef ADD

  return g_test_run ();
}
