/* test-stripe-webhook-receiver.c — the loopback webhook receiver over real HTTP
 *
 * Every request here goes over a real socket to the receiver, which reads
 * its endpoint secret from a real keyring on a private bus and stores
 * events in SQLite on disk.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <json-glib/json-glib.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-keyring.h"
#include "pa-test-log.h"
#include "pa-test-peer.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"

#define PROFILE "default"
#define SECRET  "whsec_receiver_test_0123456789abcdef"

static PaTestKeyring *keyring;
static PaSecrets *secrets;

static gboolean
need_keyring (void)
{
  g_autoptr(GError) error = NULL;

  if (keyring != NULL)
    return TRUE;
  keyring = pa_test_keyring_start (&error);
  if (!pa_test_require_no_error (error))
    return FALSE;
  g_assert_true (pa_test_keyring_is_current (keyring));
  secrets = pa_secrets_new ();
  return TRUE;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static void
save_secret (const char *secret)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pa_stripe_webhook_save_secret_async (secrets, PROFILE, secret, NULL, store_result, &result);
  g_assert_true (pa_stripe_webhook_save_secret_finish (wait_for (&result), &error));
  g_assert_no_error (error);
}

/* ---- a receiver on a store of its own ----------------------------------- */

typedef struct {
  char                    *dir;
  PaStore                 *store;
  PaStripe                *client;
  PaStripeSync            *sync;
  PaStripeWebhookReceiver *receiver;
  PaFakeClock              clock;
  guint                    n_added;
  GHashTable              *added;     /* event id → times ::event-added named it */
  PaTestPeer              *peer;      /* only for the cases with the account peer */
} Fixture;

static void
on_event_added (PaStripeSync *sync,
                const char   *id,
                const char   *type,
                JsonObject   *event,
                Fixture      *fixture)
{
  fixture->n_added++;
  g_hash_table_insert (fixture->added, g_strdup (id),
                       GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (fixture->added, id)) + 1));
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (need_keyring ());
  fixture->dir = pa_test_cli_data_dir_new ();
  fixture->store = pa_store_open (fixture->dir, &error);
  g_assert_no_error (error);
  fixture->added = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (data != NULL)
    {
      /* The account peer, for the cases where the sync fetches too. */
      fixture->peer = pa_test_stripe_account_start (7, NULL, &error);
      g_assert_no_error (error);
      fixture->client = pa_test_stripe_account_client (fixture->peer, PROFILE);
    }
  else
    /* The webhook path never calls Stripe: a port nobody listens on. */
    fixture->client = pa_stripe_new (pa_http_get_default (), PROFILE, "http://127.0.0.1:9");
  fixture->sync = pa_stripe_sync_new (fixture->store, fixture->client, PROFILE);
  g_signal_connect (fixture->sync, "event-added", G_CALLBACK (on_event_added), fixture);
  fixture->receiver = pa_stripe_webhook_receiver_new (fixture->sync, secrets);
  fixture->clock.now_us = g_get_real_time ();
  pa_stripe_webhook_receiver_set_clock (fixture->receiver, pa_fake_clock_now, &fixture->clock);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_object (&fixture->receiver);
  g_clear_object (&fixture->sync);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->store);
  g_clear_pointer (&fixture->peer, pa_test_peer_stop);
  g_clear_pointer (&fixture->added, g_hash_table_unref);
  g_clear_pointer (&fixture->dir, pa_test_cli_data_dir_free);
}

static gboolean
try_start (Fixture  *fixture,
           GError  **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_stripe_webhook_receiver_start_async (fixture->receiver, 0, NULL, store_result, &result);
  return pa_stripe_webhook_receiver_start_finish (fixture->receiver, wait_for (&result), error);
}

static void
start (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (try_start (fixture, &error));
  g_assert_no_error (error);
  g_assert_nonnull (pa_stripe_webhook_receiver_get_url (fixture->receiver));
  g_test_message ("receiver at %s", pa_stripe_webhook_receiver_get_url (fixture->receiver));
}

/* ---- raw HTTP requests --------------------------------------------------- */

/* The receiver runs in this thread's main context, so the client runs in
 * a thread of its own with plain blocking sockets: what goes on the wire
 * is exactly what the test wrote. */
typedef struct {
  guint16  port;
  char    *request;
  gsize    request_len;
  GString *response;
  GError  *error;
  gint     done;
} Exchange;

static gpointer
exchange_thread (gpointer user_data)
{
  Exchange *exchange = user_data;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;
  char buffer[4096];
  gssize n;

  connection = g_socket_client_connect_to_host (client, "127.0.0.1", exchange->port, NULL,
                                                &exchange->error);
  if (connection != NULL
      && g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (connection)),
                                    exchange->request, exchange->request_len, NULL, NULL,
                                    &exchange->error))
    {
      while ((n = g_input_stream_read (g_io_stream_get_input_stream (G_IO_STREAM (connection)),
                                       buffer, sizeof buffer, NULL, &exchange->error)) > 0)
        g_string_append_len (exchange->response, buffer, n);
    }
  g_atomic_int_set (&exchange->done, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

typedef struct {
  guint  status;
  char  *body;
} Answer;

static void
answer_clear (Answer *answer)
{
  g_clear_pointer (&answer->body, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Answer, answer_clear)

static guint16
receiver_port (Fixture *fixture)
{
  const char *url = pa_stripe_webhook_receiver_get_url (fixture->receiver);
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  g_assert_nonnull (uri);
  g_assert_cmpstr (g_uri_get_host (uri), ==, "127.0.0.1");
  return (guint16) g_uri_get_port (uri);
}

/* Sends @head (request line and headers, without the blank line) and
 * @body, and reads the answer up to the receiver closing. */
static void
send_raw (Fixture    *fixture,
          const char *head,
          const char *body,
          gsize       body_len,
          Answer     *answer)
{
  Exchange exchange = { 0 };
  g_autoptr(GString) request = g_string_new (head);
  g_autoptr(GThread) thread = NULL;
  const char *end;

  g_string_append (request, "Connection: close\r\n\r\n");
  if (body != NULL)
    g_string_append_len (request, body, (gssize) body_len);
  exchange.port = receiver_port (fixture);
  exchange.request = request->str;
  exchange.request_len = request->len;
  exchange.response = g_string_new (NULL);
  thread = g_thread_new ("client", exchange_thread, &exchange);
  while (!g_atomic_int_get (&exchange.done))
    g_main_context_iteration (NULL, TRUE);
  g_thread_join (g_steal_pointer (&thread));
  g_assert_no_error (exchange.error);

  g_assert_true (g_str_has_prefix (exchange.response->str, "HTTP/1.1 "));
  answer->status = (guint) g_ascii_strtoull (exchange.response->str + 9, NULL, 10);
  end = strstr (exchange.response->str, "\r\n\r\n");
  g_assert_nonnull (end);
  answer->body = g_strdup (end + 4);
  g_string_free (exchange.response, TRUE);
}

static void
post_full (Fixture    *fixture,
           const char *method,
           const char *path,
           const char *content_type,
           const char *signature,
           const char *body,
           Answer     *answer)
{
  g_autoptr(GString) head = g_string_new (NULL);
  gsize len = body != NULL ? strlen (body) : 0;

  g_string_append_printf (head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n", method, path);
  if (content_type != NULL)
    g_string_append_printf (head, "Content-Type: %s\r\n", content_type);
  if (signature != NULL)
    g_string_append_printf (head, "Stripe-Signature: %s\r\n", signature);
  g_string_append_printf (head, "Content-Length: %" G_GSIZE_FORMAT "\r\n", len);
  send_raw (fixture, head->str, body, len, answer);
  g_test_message ("%s %s → %u %s", method, path, answer->status, answer->body);
}

static void
post (Fixture    *fixture,
      const char *signature,
      const char *body,
      Answer     *answer)
{
  post_full (fixture, "POST", PA_STRIPE_WEBHOOK_PATH, "application/json", signature, body, answer);
}

/* An event as Stripe sends it: a charge that succeeded now. */
static char *
make_event (const char *id,
            const char *charge,
            gint64      created)
{
  return g_strdup_printf ("{\"id\":\"%s\",\"object\":\"event\",\"api_version\":\"2024-06-20\","
                          "\"created\":%" G_GINT64_FORMAT ",\"livemode\":false,"
                          "\"pending_webhooks\":1,\"type\":\"charge.succeeded\",\"data\":{\"object\":"
                          "{\"id\":\"%s\",\"object\":\"charge\",\"amount\":1250,"
                          "\"amount_captured\":1250,\"amount_refunded\":0,\"currency\":\"eur\","
                          "\"created\":%" G_GINT64_FORMAT ",\"livemode\":false,\"paid\":true,"
                          "\"refunded\":false,\"disputed\":false,\"status\":\"succeeded\","
                          "\"description\":\"Receiver test\",\"payment_intent\":null,"
                          "\"customer\":null,\"billing_details\":{\"email\":\"buyer@example.com\","
                          "\"name\":\"Ada\"},\"payment_method_details\":{\"type\":\"card\","
                          "\"card\":{\"brand\":\"visa\",\"last4\":\"4242\"}}}}}",
                          id, created, charge, created);
}

static gint64
now_s (Fixture *fixture)
{
  return fixture->clock.now_us / G_USEC_PER_SEC;
}

/* ---- the vendor's vectors ----------------------------------------------- */

static void
test_vectors (Fixture       *fixture,
              gconstpointer  data)
{
  g_autofree char *path = pa_test_fixtures_require ("vectors/stripe-webhook-signature.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonArray *vectors;

  if (path == NULL)
    return;
  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  vectors = json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                          "vectors");
  g_assert_cmpuint (json_array_get_length (vectors), >=, 3);

  for (guint i = 0; i < json_array_get_length (vectors); i++)
    {
      JsonObject *vector = json_array_get_object_element (vectors, i);
      JsonObject *other = json_array_get_object_element (vectors, (i + 1) % json_array_get_length (vectors));
      const char *payload = json_object_get_string_member (vector, "payload");
      const char *header = json_object_get_string_member (vector, "expected_stripe_signature");
      gint64 timestamp = json_object_get_int_member (vector, "timestamp");
      guint refused;

      g_test_message ("vector %u: t=%" G_GINT64_FORMAT, i, timestamp);
      save_secret (json_object_get_string_member (vector, "secret"));
      start (fixture);

      /* Accepted at t and up to the tolerance either side. The payloads
       * are signed, not full events: a verified one that the copy cannot
       * keep is 422, never 400 (which is a bad signature). */
      for (gint64 delta = -PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S;
           delta <= PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S;
           delta += PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S)
        {
          g_auto(Answer) answer = { 0 };

          fixture->clock.now_us = (timestamp + delta) * G_USEC_PER_SEC;
          post (fixture, header, payload, &answer);
          if (answer.status != 200 && answer.status != 422)
            g_error ("vector %u at t%+" G_GINT64_FORMAT " s: the receiver answered %u (%s), "
                     "expected the signature accepted", i, delta, answer.status, answer.body);
        }

      /* Refused one second past the tolerance, either way. */
      refused = pa_stripe_webhook_receiver_get_n_refused (fixture->receiver);
      for (int sign = -1; sign <= 1; sign += 2)
        {
          g_auto(Answer) answer = { 0 };

          fixture->clock.now_us = (timestamp + sign * (PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S + 1))
                                  * G_USEC_PER_SEC;
          post (fixture, header, payload, &answer);
          g_assert_cmpuint (answer.status, ==, 400);
        }
      g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==, refused + 2);

      /* Another vector's header on this payload: refused. */
      {
        g_auto(Answer) answer = { 0 };

        fixture->clock.now_us = timestamp * G_USEC_PER_SEC;
        post (fixture, json_object_get_string_member (other, "expected_stripe_signature"),
              payload, &answer);
        g_assert_cmpuint (answer.status, ==, 400);
      }
      pa_stripe_webhook_receiver_stop (fixture->receiver);
      g_assert_null (pa_stripe_webhook_receiver_get_url (fixture->receiver));
    }
}

/* ---- signatures ----------------------------------------------------------- */

static void
test_event_accepted_once (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autofree char *event = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GError) error = NULL;

  save_secret (SECRET);
  start (fixture);
  event = make_event ("evt_rcv_once", "ch_rcv_once", now_s (fixture));
  header = pa_stripe_webhook_sign (event, strlen (event), SECRET, now_s (fixture));

  for (guint i = 0; i < 2; i++)
    {
      g_auto(Answer) answer = { 0 };
      g_autoptr(JsonNode) root = NULL;

      post (fixture, header, event, &answer);
      g_assert_cmpuint (answer.status, ==, 200);
      root = json_from_string (answer.body, &error);
      g_assert_no_error (error);
      g_test_message ("delivery %u: new=%d", i + 1,
                      json_object_get_boolean_member (json_node_get_object (root), "new"));
      g_assert_true (json_object_get_boolean_member (json_node_get_object (root), "new") == (i == 0));
    }
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_accepted (fixture->receiver), ==, 2);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==, 0);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_added, ==, 1);
}

static void
test_replayed_old_timestamp (Fixture       *fixture,
                             gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *event = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GError) error = NULL;
  gint64 then;

  save_secret (SECRET);
  start (fixture);
  /* A delivery captured ten minutes ago and sent again as it was. */
  then = now_s (fixture) - 600;
  event = make_event ("evt_rcv_replay", "ch_rcv_replay", then);
  header = pa_stripe_webhook_sign (event, strlen (event), SECRET, then);
  post (fixture, header, event, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==, 1);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->n_added, ==, 0);
}

static void
test_tampered_body (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_autofree char *event = NULL;
  g_autofree char *header = NULL;
  g_autoptr(GError) error = NULL;
  char *amount;

  save_secret (SECRET);
  start (fixture);
  event = make_event ("evt_rcv_tamper", "ch_rcv_tamper", now_s (fixture));
  header = pa_stripe_webhook_sign (event, strlen (event), SECRET, now_s (fixture));
  /* 1250 becomes 9250: same length, other money. */
  amount = strstr (event, "1250");
  g_assert_nonnull (amount);
  amount[0] = '9';
  pa_test_log_clear ();
  post (fixture, header, event, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 0);
  g_assert_no_error (error);
  /* Logged, without the body or the secret. */
  g_assert_true (pa_test_log_contains ("Refused a Stripe webhook"));
  g_assert_false (pa_test_log_contains ("evt_rcv_tamper"));
  g_assert_false (pa_test_log_contains (SECRET));
  g_assert_false (pa_test_log_contains ("receiver_test"));
}

static void
test_wrong_secret (Fixture       *fixture,
                   gconstpointer  data)
{
  g_auto(Answer) answer = { 0 };
  g_auto(Answer) unsigned_answer = { 0 };
  g_autofree char *event = NULL;
  g_autofree char *header = NULL;

  save_secret (SECRET);
  start (fixture);
  event = make_event ("evt_rcv_wrong", "ch_rcv_wrong", now_s (fixture));
  header = pa_stripe_webhook_sign (event, strlen (event), "whsec_someone_else", now_s (fixture));
  post (fixture, header, event, &answer);
  g_assert_cmpuint (answer.status, ==, 400);
  post (fixture, NULL, event, &unsigned_answer);
  g_assert_cmpuint (unsigned_answer.status, ==, 400);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==, 2);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_accepted (fixture->receiver), ==, 0);
  g_assert_cmpuint (fixture->n_added, ==, 0);
}

static void
test_no_secret (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;

  pa_secrets_delete_sync (secrets, "stripe", PROFILE, PA_STRIPE_WEBHOOK_SECRET_FIELD, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (try_start (fixture, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "webhook secret"));
  g_assert_nonnull (strstr (error->message, "playalter-cli stripe"));
  g_assert_null (pa_stripe_webhook_receiver_get_url (fixture->receiver));
  g_clear_error (&error);

  /* Saving refuses what is not an endpoint secret. */
  pa_stripe_webhook_save_secret_async (secrets, PROFILE, "sk_test_not_a_webhook_secret", NULL,
                                       store_result, &result);
  g_assert_false (pa_stripe_webhook_save_secret_finish (wait_for (&result), &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* ---- what is not an event ------------------------------------------------ */

static void
test_methods_and_paths (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autofree char *event = NULL;
  g_autofree char *header = NULL;
  struct {
    const char *method;
    const char *path;
    const char *type;
    guint       status;
  } cases[] = {
    { "GET", PA_STRIPE_WEBHOOK_PATH, NULL, 405 },
    { "PUT", PA_STRIPE_WEBHOOK_PATH, "application/json", 405 },
    { "POST", "/", "application/json", 404 },
    { "POST", "/stripe/Webhook", "application/json", 404 },
    { "POST", PA_STRIPE_WEBHOOK_PATH "x", "application/json", 404 },
    { "POST", PA_STRIPE_WEBHOOK_PATH, "text/plain", 415 },
    { "POST", PA_STRIPE_WEBHOOK_PATH, NULL, 415 },
  };

  save_secret (SECRET);
  start (fixture);
  event = make_event ("evt_rcv_paths", "ch_rcv_paths", now_s (fixture));
  header = pa_stripe_webhook_sign (event, strlen (event), SECRET, now_s (fixture));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(Answer) answer = { 0 };

      post_full (fixture, cases[i].method, cases[i].path, cases[i].type, header, event, &answer);
      g_assert_cmpuint (answer.status, ==, cases[i].status);
    }
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==,
                    G_N_ELEMENTS (cases));
  g_assert_cmpuint (fixture->n_added, ==, 0);
}

static void
test_oversized_body (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(Answer) announced = { 0 };
  g_auto(Answer) sent = { 0 };
  g_auto(Answer) chunked = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *big = NULL;
  g_autofree char *head = NULL;
  gsize big_len = 2 * 1024 * 1024;

  save_secret (SECRET);
  start (fixture);
  /* A client that waits for "100 Continue" (curl does, for large bodies)
   * gets its answer from the headers alone: no body is sent at all. */
  send_raw (fixture,
            "POST " PA_STRIPE_WEBHOOK_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\n"
            "Expect: 100-continue\r\nContent-Length: 67108864\r\n",
            NULL, 0, &announced);
  g_test_message ("64 MiB announced → %u %s", announced.status, announced.body);
  g_assert_cmpuint (announced.status, ==, 413);

  /* One that sends it anyway is refused the same way. */
  big = g_strnfill (big_len, ' ');
  head = g_strdup_printf ("POST " PA_STRIPE_WEBHOOK_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\n"
                          "Content-Length: %" G_GSIZE_FORMAT "\r\n", big_len);
  send_raw (fixture, head, big, big_len, &sent);
  g_test_message ("2 MiB sent → %u %s", sent.status, sent.body);
  g_assert_cmpuint (sent.status, ==, 413);

  /* No length: it could be any size. */
  send_raw (fixture,
            "POST " PA_STRIPE_WEBHOOK_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Content-Type: application/json\r\nStripe-Signature: t=1,v1=00\r\n"
            "Transfer-Encoding: chunked\r\n",
            "2\r\n{}\r\n0\r\n\r\n", 12, &chunked);
  g_test_message ("chunked → %u %s", chunked.status, chunked.body);
  g_assert_cmpuint (chunked.status, ==, 411);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_refused (fixture->receiver), ==, 3);
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, 0);
  g_assert_no_error (error);
}

/* ---- where it listens ------------------------------------------------------ */

/* The local addresses of the sockets listening on @port, from the
 * kernel's own tables (Linux): "0100007F" is 127.0.0.1. */
static GPtrArray *
listening_addresses (guint16 port)
{
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  const char *tables[] = { "/proc/net/tcp", "/proc/net/tcp6" };

  for (guint t = 0; t < G_N_ELEMENTS (tables); t++)
    {
      g_autofree char *contents = NULL;
      g_auto(GStrv) lines = NULL;

      if (!g_file_get_contents (tables[t], &contents, NULL, NULL))
        continue;
      lines = g_strsplit (contents, "\n", -1);
      for (guint i = 1; lines[i] != NULL; i++)
        {
          g_auto(GStrv) fields = g_strsplit_set (g_strstrip (lines[i]), " ", -1);
          g_autoptr(GPtrArray) words = g_ptr_array_new ();
          const char *colon;

          for (guint j = 0; fields[j] != NULL; j++)
            if (fields[j][0] != '\0')
              g_ptr_array_add (words, fields[j]);
          /* sl local rem st: LISTEN is 0A. */
          if (words->len < 4 || !g_str_equal (words->pdata[3], "0A"))
            continue;
          colon = strchr (words->pdata[1], ':');
          if (colon == NULL || g_ascii_strtoull (colon + 1, NULL, 16) != port)
            continue;
          g_ptr_array_add (found, g_strndup (words->pdata[1], colon - (const char *) words->pdata[1]));
        }
    }
  return found;
}

static void
test_loopback_only (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) addresses = NULL;

  if (!g_file_test ("/proc/net/tcp", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("No /proc/net/tcp to read the listening sockets from (not Linux)");
      return;
    }
  save_secret (SECRET);
  start (fixture);
  addresses = listening_addresses (receiver_port (fixture));
  g_assert_cmpuint (addresses->len, >=, 1);
  for (guint i = 0; i < addresses->len; i++)
    {
      const char *address = addresses->pdata[i];

      g_test_message ("listening on %s", address);
      /* 127.0.0.1, or ::1 (as four little-endian words). */
      if (!g_str_equal (address, "0100007F")
          && !g_str_equal (address, "00000000000000000000000001000000"))
        g_error ("The receiver listens on %s, which is not loopback", address);
    }
  pa_stripe_webhook_receiver_stop (fixture->receiver);
  g_clear_pointer (&addresses, g_ptr_array_unref);
}

/* ---- both ways in: the webhook and the sync -------------------------------- */

static gint64
run_sync (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  gint64 n_new;

  pa_stripe_sync_run_async (fixture->sync, NULL, store_result, &result);
  n_new = pa_stripe_sync_run_finish (fixture->sync, wait_for (&result), &error);
  g_assert_no_error (error);
  g_test_message ("sync: %" G_GINT64_FORMAT " new events", n_new);
  return n_new;
}

/* A new payment at the peer: its events, oldest first. */
static JsonArray *
new_payment (Fixture *fixture)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) answer =
    pa_test_stripe_account_control (fixture->peer, "POST", "/__peer/payments",
                                    "{\"count\":1,\"amount\":4200,\"currency\":\"eur\","
                                    "\"status\":\"succeeded\"}", &error);
  JsonArray *events;

  g_assert_no_error (error);
  events = json_object_get_array_member (json_node_get_object (answer), "events");
  /* No customer_email: exactly the charge's and the payment intent's. */
  g_assert_cmpuint (json_array_get_length (events), ==, 2);
  return json_array_ref (events);
}

/* The peer POSTs @event, signed with @secret, to the receiver: its status. */
static guint
peer_delivers (Fixture    *fixture,
               const char *event,
               char      **body)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *request =
    g_strdup_printf ("{\"event\":\"%s\",\"url\":\"%s\",\"secret\":\"%s\"}", event,
                     pa_stripe_webhook_receiver_get_url (fixture->receiver), SECRET);
  g_autoptr(JsonNode) answer =
    pa_test_stripe_account_control (fixture->peer, "POST", "/__peer/webhook", request, &error);
  JsonObject *object;

  g_assert_no_error (error);
  object = json_node_get_object (answer);
  *body = g_strdup (json_object_get_string_member (object, "body"));
  g_test_message ("webhook %s → %" G_GINT64_FORMAT " %s", event,
                  json_object_get_int_member (object, "status"), *body);
  return (guint) json_object_get_int_member (object, "status");
}

static guint
times_added (Fixture    *fixture,
             const char *id)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (fixture->added, id));
}

static void
test_webhook_and_sync (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(JsonArray) first = NULL;
  g_autoptr(JsonArray) second = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  GHashTableIter iter;
  gpointer key, value;
  gint64 stored;

  save_secret (SECRET);
  /* The receiver checks against the real time, as the peer signs with it. */
  pa_stripe_webhook_receiver_set_clock (fixture->receiver, NULL, NULL);
  start (fixture);
  /* The backfill first: its events are not announced. */
  run_sync (fixture);
  stored = pa_store_stripe_count_events (fixture->store, PROFILE, &error);
  g_assert_no_error (error);
  g_hash_table_remove_all (fixture->added);

  g_test_message ("checks: webhook first, then the sync → stored once, announced once");
  first = new_payment (fixture);
  g_assert_cmpuint (peer_delivers (fixture, json_array_get_string_element (first, 0), &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"new\":true"));
  g_assert_cmpuint (times_added (fixture, json_array_get_string_element (first, 0)), ==, 1);
  /* The sync finds the payment's other event only. */
  g_assert_cmpint (run_sync (fixture), ==, 1);
  g_assert_cmpuint (times_added (fixture, json_array_get_string_element (first, 0)), ==, 1);
  g_assert_cmpuint (times_added (fixture, json_array_get_string_element (first, 1)), ==, 1);

  g_test_message ("checks: the sync first, then the webhook → not new, not announced again");
  second = new_payment (fixture);
  g_assert_cmpint (run_sync (fixture), ==, 2);
  g_clear_pointer (&body, g_free);
  g_assert_cmpuint (peer_delivers (fixture, json_array_get_string_element (second, 0), &body), ==, 200);
  g_assert_nonnull (strstr (body, "\"new\":false"));
  g_assert_cmpuint (times_added (fixture, json_array_get_string_element (second, 0)), ==, 1);

  g_test_message ("checks: 4 events more in the store, each announced once");
  g_assert_cmpint (pa_store_stripe_count_events (fixture->store, PROFILE, &error), ==, stored + 4);
  g_assert_no_error (error);
  g_assert_cmpuint (g_hash_table_size (fixture->added), ==, 4);
  g_hash_table_iter_init (&iter, fixture->added);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_assert_cmpuint (GPOINTER_TO_UINT (value), ==, 1);
  g_assert_cmpuint (pa_stripe_webhook_receiver_get_n_accepted (fixture->receiver), ==, 2);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  pa_test_log_capture_start ();
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  pa_test_add_needing (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down, pa_test_keyring_need)

  ADD ("/webhook-receiver/vectors", test_vectors);
  ADD ("/webhook-receiver/event-accepted-once", test_event_accepted_once);
  ADD ("/webhook-receiver/replayed-old-timestamp", test_replayed_old_timestamp);
  ADD ("/webhook-receiver/tampered-body", test_tampered_body);
  ADD ("/webhook-receiver/wrong-secret", test_wrong_secret);
  ADD ("/webhook-receiver/no-secret", test_no_secret);
  ADD ("/webhook-receiver/methods-and-paths", test_methods_and_paths);
  ADD ("/webhook-receiver/oversized-body", test_oversized_body);
  ADD ("/webhook-receiver/loopback-only", test_loopback_only);
  pa_test_add_needing ("/webhook-receiver/webhook-and-sync", Fixture, "peer", fixture_set_up,
                       test_webhook_and_sync, fixture_tear_down, pa_test_keyring_need);

#undef ADD

  status = g_test_run ();
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
