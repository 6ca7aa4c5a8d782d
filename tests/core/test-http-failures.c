/* test-http-failures.c — PaHttp against peers that fail or misbehave:
 * which failure class each gives, what is retried, bodies that stall,
 * deadlines, hostile JSON and error text
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
#include "pa-limits.h"
#include "pa-test-credentials.h"
#include "pa-test-http-peer.h"

#define SECRET PA_TEST_SECRET

/* ---- failure classes and what is retried -------------------------------- */

/* Nothing listens: nothing was sent, so even a POST may go again. */
static void
test_refused (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (peer->url);
  guint attempts = 0;

  soup_server_disconnect (peer->server);

  request = pa_http_request_new ("POST", url, "/webhook/order");
  pa_test_http_set_empty_body (request);
  g_signal_connect (http, "request-logged", G_CALLBACK (pa_test_http_count_attempt_cb), &attempts);

  g_assert_null (pa_test_http_send (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_cmpuint (attempts, ==, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
}

/* The request went out and the peer hung up: a GET goes again, a POST
 * (which the peer may have carried out) does not. */
static void
test_connection_lost (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) get = pa_http_request_new ("GET", peer->url, "/v1/items");
  g_autoptr(PaHttpRequest) post = pa_http_request_new ("POST", peer->url, "/webhook/order");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_DROP, 0, NULL);
  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_DROP, 0, NULL);
  response = pa_test_http_send (http, get, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 3);
  g_assert_cmpuint (peer->seen->len, ==, 3);

  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_DROP, 0, NULL);
  pa_test_http_set_empty_body (post);
  g_assert_null (pa_test_http_send (http, post, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_cmpuint (peer->seen->len, ==, 4);
}

/* A redirect loop is the peer's mistake, not the network's: not retried. */
static void
test_redirect_loop (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/loop");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_REDIRECT, 302, NULL)->location = g_strdup ("/loop");

  g_assert_null (pa_test_http_send (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  /* One attempt of libsoup's own limit of redirects. */
  g_assert_cmpuint (peer->seen->len, <, 30);
}

/* A 5xx is an answer: a server error, retried only when that is safe. */
static void
test_server_error (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) post = pa_http_request_new ("POST", peer->url, "/webhook/order");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_REPLY, 500, "{\"message\": \"boom\"}");
  pa_test_http_set_empty_body (post);
  response = pa_test_http_send (http, post, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->seen->len, ==, 1);
  g_assert_false (pa_http_response_check (response, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "boom"));
}

/* A self-signed certificate (a throwaway key made for this test, valid
 * for a century): nothing trusts it, as nothing should. */
static const char untrusted_pem[] =
  "-----BEGIN CERTIFICATE-----\n"
  "MIIBfjCCASWgAwIBAgIUEDZPa/QNN0I3yeGM0Vn3f43YweswCgYIKoZIzj0EAwIw\n"
  "FDESMBAGA1UEAwwJMTI3LjAuMC4xMCAXDTI2MTIwNjA0NTM1NVoYDzIxMjYxMTEy\n"
  "MDQ1MzU1WjAUMRIwEAYDVQQDDAkxMjcuMC4wLjEwWTATBgcqhkjOPQIBBggqhkjO\n"
  "PQMBBwNCAARYxpGI3NtyirG7xCCYTeaqplNA2TMpooVbG+mThbHAVaWiINUpjav5\n"
  "2LKvZEqGfQlK5BAGVloy3DmwiTtQ42igo1MwUTAdBgNVHQ4EFgQULyNEUKvRKzL8\n"
  "OPSNpDn1P0ay+WwwHwYDVR0jBBgwFoAULyNEUKvRKzL8OPSNpDn1P0ay+WwwDwYD\n"
  "VR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNHADBEAiAl1xvtg8LK7jDhSCIfZgpz\n"
  "sdk/knxRmiY5Cov1gm6WYwIgI/5lozduy6iOYK4wO9Lhxo/9UbEAVkwJtpZnouXL\n"
  "i4w=\n"
  "-----END CERTIFICATE-----\n"
  "-----BEGIN PRIVATE KEY-----\n"
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgGak17A87NplnJBHA\n"
  "f2N4wljFS/J7AtfLr7z2yq6CNbehRANCAARYxpGI3NtyirG7xCCYTeaqplNA2TMp\n"
  "ooVbG+mThbHAVaWiINUpjav52LKvZEqGfQlK5BAGVloy3DmwiTtQ42ig\n"
  "-----END PRIVATE KEY-----\n"
;

/* A certificate that does not verify will not verify next time either:
 * failed for good, at the first attempt, with a message that says so. */
static void
test_tls_failure (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(GTlsCertificate) certificate = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  GSList *uris;
  guint attempts = 0;

  certificate = g_tls_certificate_new_from_pem (untrusted_pem, -1, &error);
  g_assert_no_error (error);
  server = soup_server_new ("tls-certificate", certificate, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY | SOUP_SERVER_LISTEN_HTTPS,
                            &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  url = g_strdup_printf ("https://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  request = pa_http_request_new ("GET", url, "/v1/me");
  pa_http_request_set_bearer_auth (request, SECRET);
  g_signal_connect (http, "request-logged", G_CALLBACK (pa_test_http_count_attempt_cb), &attempts);
  g_assert_null (pa_test_http_send (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "secure"));
  g_assert_nonnull (strstr (error->message, "system time"));
  g_assert_cmpuint (attempts, ==, 1);

  soup_server_disconnect (server);
}

/* ---- bodies that stall, deadlines ---------------------------------------- */

/* The client's idle timeout, or the request's own when it has one. */
static void
test_body_idle (gconstpointer data)
{
  gboolean own = GPOINTER_TO_INT (data);
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/slow");
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  pa_http_set_body_idle_timeout (http, own ? 50 : 1);
  pa_http_request_set_body_idle_timeout (request, own ? 1 : 0);
  pa_http_request_set_timeout (request, 60);
  pa_http_request_set_max_attempts (request, 1);
  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_STALL, 200, NULL);

  g_assert_null (pa_test_http_send (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "sent nothing for 1 s"));
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);
}

typedef struct {
  GBytes *bytes;
  GError *error;
  gboolean done;
} Read;

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Read *read = user_data;

  read->bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &read->error);
  read->done = TRUE;
}

static GBytes *
read_sync (GInputStream  *stream,
           GError       **error)
{
  Read read = { 0 };

  g_input_stream_read_bytes_async (stream, 4096, G_PRIORITY_DEFAULT, NULL, read_cb, &read);
  while (!read.done)
    g_main_context_iteration (NULL, TRUE);
  if (read.error != NULL)
    g_propagate_error (error, read.error);
  return read.bytes;
}

/* Opens a stream on a peer that sends three bytes and then nothing,
 * reads them, and returns the error of the next read. */
static GError *
read_stalled_stream (guint idle_s,
                     guint deadline_s)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/events");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  GError *error = NULL;
  gint64 started;

  pa_http_set_body_idle_timeout (http, idle_s);
  pa_http_request_set_deadline (request, deadline_s);
  pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_STALL, 200, NULL);
  response = pa_test_http_send_full (http, request, TRUE, &error);
  g_assert_no_error (error);

  first = read_sync (pa_http_response_get_stream (response), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (first), ==, 3);

  started = g_get_monotonic_time ();
  second = read_sync (pa_http_response_get_stream (response), &error);
  g_assert_null (second);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);
  return error;
}

/* A streamed body read by the caller stalls the same way. */
static void
test_stream_idle (void)
{
  g_autoptr(GError) error = read_stalled_stream (1, 0);

  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_nonnull (strstr (error->message, "nothing for 1 s"));
}

/* A stream with a deadline of its own ends there, however patient the
 * idle timeout. */
static void
test_stream_deadline (void)
{
  g_autoptr(GError) error = read_stalled_stream (30, 1);

  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "within the 1 s allowed"));
}

/* The deadline covers every attempt and the waits between them. */
static void
test_deadline (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/slow");
  g_autoptr(GError) error = NULL;
  PaTestHttpStep *step;

  pa_http_request_set_timeout (request, 30);
  pa_http_request_set_deadline (request, 1);
  step = pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_DELAY, 200, NULL);
  step->delay_ms = 5000;

  g_assert_null (pa_test_http_send (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "within 1 s"));
  /* Not sent again once the time is up. */
  g_assert_cmpuint (peer->seen->len, ==, 1);
}

/* ---- what a peer writes ------------------------------------------------- */

static PaHttpResponse *
response_new (guint       status,
              const char *body)
{
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  return pa_http_response_new (status, NULL, bytes, "api.example.com");
}

static char *
deep_json (guint depth)
{
  GString *text = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, '[');
  for (guint i = 0; i < depth; i++)
    g_string_append_c (text, ']');
  return g_string_free (text, FALSE);
}

/* json-glib would overflow the stack on this: never parsed. */
static void
test_deep_json (void)
{
  g_autofree char *deep = deep_json (200000);
  g_autofree char *error_body = g_strdup_printf ("{\"error\": {\"message\": %s}}", deep);
  g_autoptr(PaHttpResponse) ok = response_new (200, deep);
  g_autoptr(PaHttpResponse) failed = response_new (500, error_body);
  g_autoptr(GError) error = NULL;

  g_assert_null (pa_http_response_get_json (ok, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "api.example.com"));
  g_clear_error (&error);

  g_assert_false (pa_http_response_check (failed, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "api.example.com"));
}

/* The peer's words go to a terminal: none of them may steer it. */
static void
test_peer_message_controls (void)
{
  static const char *hostile[] = {
    "\\u001b[31mred\\u001b[0m", "\\r", "\\n", "\\u0007", "\\u0085", "\\u009b31m",
    "\\u202e", "\\u2066", "\\u200f", "\\u2028", "\\u007f",
  };
  static const char *forbidden[] = {
    "\x1b", "\r", "\n", "\a", "\xc2\x85", "\xc2\x9b", "\xe2\x80\xae", "\xe2\x81\xa6",
    "\xe2\x80\x8f", "\xe2\x80\xa8", "\x7f",
  };
  g_autoptr(GString) long_text = g_string_new (NULL);
  g_autofree char *long_body = NULL;
  g_autoptr(PaHttpResponse) wordy = NULL;
  g_autoptr(GError) error = NULL;
  const char *detail;

  for (guint i = 0; i < G_N_ELEMENTS (hostile); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"error\": \"before%safter\"}", hostile[i]);
      g_autoptr(PaHttpResponse) response = response_new (400, body);

      g_assert_false (pa_http_response_check (response, &error));
      g_assert_nonnull (strstr (error->message, "before"));
      g_assert_nonnull (strstr (error->message, "after"));
      for (guint j = 0; j < G_N_ELEMENTS (forbidden); j++)
        g_assert_null (strstr (error->message, forbidden[j]));
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
      g_clear_error (&error);
    }

  /* Long text is cut to the limit, ellipsis included. */
  for (guint i = 0; i < 2000; i++)
    g_string_append (long_text, "é\\u202e");
  long_body = g_strdup_printf ("{\"message\": \"%s\"}", long_text->str);
  wordy = response_new (422, long_body);
  g_assert_false (pa_http_response_check (wordy, &error));
  detail = strstr (error->message, "Unprocessable");
  g_assert_nonnull (detail);
  detail = strchr (detail, ':');
  g_assert_nonnull (detail);
  g_assert_cmpint (g_utf8_strlen (detail + 2, -1), <=, PA_LIMIT_PEER_MESSAGE_CHARS);
  g_assert_cmpint (g_utf8_strlen (detail + 2, -1), >=, PA_LIMIT_PEER_MESSAGE_CHARS - 1);
  g_assert_true (g_str_has_suffix (error->message, "…"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/failures/refused", test_refused);
  g_test_add_func ("/http/failures/connection-lost", test_connection_lost);
  g_test_add_func ("/http/failures/server-error", test_server_error);
  g_test_add_func ("/http/failures/redirect-loop", test_redirect_loop);
  g_test_add_func ("/http/failures/tls", test_tls_failure);
  g_test_add_data_func ("/http/failures/body-idle", GINT_TO_POINTER (FALSE), test_body_idle);
  g_test_add_data_func ("/http/failures/body-idle-own", GINT_TO_POINTER (TRUE), test_body_idle);
  g_test_add_func ("/http/failures/stream-idle", test_stream_idle);
  g_test_add_func ("/http/failures/stream-deadline", test_stream_deadline);
  g_test_add_func ("/http/failures/deadline", test_deadline);
  g_test_add_func ("/http/peer/deep-json", test_deep_json);
  g_test_add_func ("/http/peer/message-controls", test_peer_message_controls);

  return g_test_run ();
}
