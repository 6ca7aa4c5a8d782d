/* test-http-failures.c — PaHttp against peers that fail or misbehave:
 * which failure class each gives, what is retried, bodies that stall,
 * deadlines, hostile JSON and error text, keys over plain HTTP and keys
 * across redirects
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
#include "pa-platform.h"
#include "pa-platform-info.h"
#include "pa-test-credentials.h"

#define SECRET PA_TEST_SECRET

/* ---- a scripted loopback peer ------------------------------------------ */

typedef enum {
  STEP_REPLY,        /* status and body */
  STEP_DROP,         /* read the request, close the connection unanswered */
  STEP_STALL,        /* 200, the first bytes of a chunked body, then silence */
  STEP_DELAY,        /* reply after delay_ms */
  STEP_REDIRECT,     /* status with a Location */
} StepKind;

typedef struct {
  StepKind  kind;
  guint     status;
  char     *body;
  char     *location;
  guint     delay_ms;
} Step;

typedef struct {
  char *method;
  char *host;      /* the Host header */
  char *path;
  char *headers;   /* "name: value\n"… */
} Seen;

typedef struct {
  SoupServer *server;
  char       *url;       /* http://127.0.0.1:PORT */
  int         port;
  GQueue      steps;
  GPtrArray  *seen;
  GPtrArray  *held;      /* messages left hanging */
  GPtrArray  *timers;
} Peer;

static void
step_free (Step *step)
{
  g_free (step->body);
  g_free (step->location);
  g_free (step);
}

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->host);
  g_free (seen->path);
  g_free (seen->headers);
  g_free (seen);
}

static Step *
peer_queue (Peer     *peer,
            StepKind  kind,
            guint     status,
            const char *body)
{
  Step *step = g_new0 (Step, 1);

  step->kind = kind;
  step->status = status;
  step->body = g_strdup (body != NULL ? body : "{}");
  g_queue_push_tail (&peer->steps, step);
  return step;
}

static Seen *
peer_seen (Peer  *peer,
           guint  i)
{
  g_assert_cmpuint (i, <, peer->seen->len);
  return peer->seen->pdata[i];
}

static gboolean
unpause_cb (gpointer user_data)
{
  soup_server_message_unpause (user_data);
  return G_SOURCE_REMOVE;
}

static void
peer_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Peer *peer = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  Step *step = g_queue_pop_head (&peer->steps);
  Seen *seen = g_new0 (Seen, 1);
  GString *headers = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  soup_message_headers_iter_init (&iter, request_headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (headers, "%s: %s\n", name, value);
  seen->method = g_strdup (soup_server_message_get_method (msg));
  seen->host = g_strdup (soup_message_headers_get_one (request_headers, "Host"));
  seen->path = g_strdup (path);
  seen->headers = g_string_free (headers, FALSE);
  g_ptr_array_add (peer->seen, seen);

  if (step == NULL)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"ok\": true}", 12);
      return;
    }

  switch (step->kind)
    {
    case STEP_DROP:
      {
        GIOStream *stream = soup_server_message_steal_connection (msg);

        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
      }
      break;

    case STEP_STALL:
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_encoding (response_headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (response_headers, "application/json", NULL);
      soup_message_body_append (soup_server_message_get_response_body (msg),
                                SOUP_MEMORY_COPY, "[1,", 3);
      g_ptr_array_add (peer->held, g_object_ref (msg));
      break;

    case STEP_REDIRECT:
      soup_server_message_set_status (msg, step->status, NULL);
      soup_message_headers_replace (response_headers, "Location", step->location);
      break;

    case STEP_DELAY:
    case STEP_REPLY:
      soup_server_message_set_status (msg, step->status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        step->body, strlen (step->body));
      if (step->kind == STEP_DELAY)
        {
          GSource *timer = g_timeout_source_new (step->delay_ms);

          soup_server_message_pause (msg);
          g_source_set_callback (timer, unpause_cb, g_object_ref (msg), g_object_unref);
          g_source_attach (timer, NULL);
          g_ptr_array_add (peer->timers, timer);
        }
      break;

    default:
      g_assert_not_reached ();
    }
  step_free (step);
}

static Peer *
peer_new (void)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  peer->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (peer->server, NULL, peer_cb, peer, NULL);
  soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer->server);
  peer->port = g_uri_get_port (uris->data);
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", peer->port);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_queue_init (&peer->steps);
  peer->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  peer->held = g_ptr_array_new_with_free_func (g_object_unref);
  peer->timers = g_ptr_array_new ();
  return peer;
}

static void
peer_free (Peer *peer)
{
  for (guint i = 0; i < peer->timers->len; i++)
    {
      g_source_destroy (peer->timers->pdata[i]);
      g_source_unref (peer->timers->pdata[i]);
    }
  g_ptr_array_unref (peer->timers);
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_ptr_array_unref (peer->held);
  g_queue_clear_full (&peer->steps, (GDestroyNotify) step_free);
  g_ptr_array_unref (peer->seen);
  g_free (peer->url);
  g_free (peer);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

/* Every plain-http request of @http goes to @peer, as to a proxy: the
 * way to see what would be sent to a host that is not loopback. */
static void
route_through (PaHttp *http,
               Peer   *peer)
{
  g_autoptr(GProxyResolver) resolver = g_simple_proxy_resolver_new (peer->url, NULL);

  soup_session_set_proxy_resolver (pa_http_get_session (http), resolver);
}

/* ---- sending ------------------------------------------------------------ */

typedef struct {
  PaHttpResponse *response;
  GError         *error;
  gboolean        done;
} Sent;

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Sent *sent = user_data;

  if (g_task_get_source_tag (G_TASK (result)) == pa_http_send_stream_async)
    sent->response = pa_http_send_stream_finish (PA_HTTP (source), result, &sent->error);
  else
    sent->response = pa_http_send_finish (PA_HTTP (source), result, &sent->error);
  g_assert_true ((sent->response == NULL) != (sent->error == NULL));
  sent->done = TRUE;
}

static PaHttpResponse *
send_full (PaHttp         *http,
           PaHttpRequest  *request,
           gboolean        streaming,
           GError        **error)
{
  Sent sent = { 0 };

  if (streaming)
    pa_http_send_stream_async (http, request, NULL, sent_cb, &sent);
  else
    pa_http_send_async (http, request, NULL, sent_cb, &sent);
  while (!sent.done)
    g_main_context_iteration (NULL, TRUE);
  if (sent.error != NULL)
    g_propagate_error (error, sent.error);
  return sent.response;
}

static PaHttpResponse *
send_sync (PaHttp         *http,
           PaHttpRequest  *request,
           GError        **error)
{
  return send_full (http, request, FALSE, error);
}

static PaHttp *
http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaTestCredentials) secrets = pa_test_credentials_new ();

  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (secrets));
  return http;
}

static guint
secrets_asked (PaHttp *http)
{
  return pa_test_credentials_get_asked (PA_TEST_CREDENTIALS (pa_http_get_credential_provider (http)));
}

static void
set_empty_body (PaHttpRequest *request)
{
  g_autoptr(JsonNode) body = json_from_string ("{}", NULL);

  pa_http_request_set_json_body (request, body);
}

static void
count_attempt_cb (PaHttp        *http,
                  PaHttpRequest *request,
                  const char    *key,
                  const char    *method,
                  const char    *path,
                  guint          status,
                  gint64         duration_ms,
                  guint          attempt,
                  guint         *count)
{
  (*count)++;
}

/* ---- failure classes and what is retried -------------------------------- */

/* Nothing listens: nothing was sent, so even a POST may go again. */
static void
test_refused (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (peer->url);
  guint attempts = 0;

  soup_server_disconnect (peer->server);

  request = pa_http_request_new ("POST", url, "/webhook/order");
  set_empty_body (request);
  g_signal_connect (http, "request-logged", G_CALLBACK (count_attempt_cb), &attempts);

  g_assert_null (send_sync (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_cmpuint (attempts, ==, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
}

/* The request went out and the peer hung up: a GET goes again, a POST
 * (which the peer may have carried out) does not. */
static void
test_connection_lost (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) get = pa_http_request_new ("GET", peer->url, "/v1/items");
  g_autoptr(PaHttpRequest) post = pa_http_request_new ("POST", peer->url, "/webhook/order");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  peer_queue (peer, STEP_DROP, 0, NULL);
  peer_queue (peer, STEP_DROP, 0, NULL);
  response = send_sync (http, get, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 3);
  g_assert_cmpuint (peer->seen->len, ==, 3);

  peer_queue (peer, STEP_DROP, 0, NULL);
  set_empty_body (post);
  g_assert_null (send_sync (http, post, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CONNECTION_LOST);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_cmpuint (peer->seen->len, ==, 4);
}

/* A redirect loop is the peer's mistake, not the network's: not retried. */
static void
test_redirect_loop (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/loop");
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < 100; i++)
    peer_queue (peer, STEP_REDIRECT, 302, NULL)->location = g_strdup ("/loop");

  g_assert_null (send_sync (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  /* One attempt of libsoup's own limit of redirects. */
  g_assert_cmpuint (peer->seen->len, <, 30);
}

/* A 5xx is an answer: a server error, retried only when that is safe. */
static void
test_server_error (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) post = pa_http_request_new ("POST", peer->url, "/webhook/order");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  peer_queue (peer, STEP_REPLY, 500, "{\"message\": \"boom\"}");
  set_empty_body (post);
  response = send_sync (http, post, &error);
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
  g_autoptr(PaHttp) http = http_new ();
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
  g_signal_connect (http, "request-logged", G_CALLBACK (count_attempt_cb), &attempts);
  g_assert_null (send_sync (http, request, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
  g_assert_nonnull (strstr (error->message, "secure"));
  g_assert_nonnull (strstr (error->message, "system time"));
  g_assert_cmpuint (attempts, ==, 1);

  soup_server_disconnect (server);
}

/* ---- bodies that stall, deadlines ---------------------------------------- */

static void
test_body_idle (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/slow");
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  pa_http_set_body_idle_timeout (http, 1);
  pa_http_request_set_timeout (request, 60);
  pa_http_request_set_max_attempts (request, 1);
  peer_queue (peer, STEP_STALL, 200, NULL);

  g_assert_null (send_sync (http, request, &error));
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
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/events");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  GError *error = NULL;
  gint64 started;

  pa_http_set_body_idle_timeout (http, idle_s);
  pa_http_request_set_deadline (request, deadline_s);
  peer_queue (peer, STEP_STALL, 200, NULL);
  response = send_full (http, request, TRUE, &error);
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
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/slow");
  g_autoptr(GError) error = NULL;
  Step *step;

  pa_http_request_set_timeout (request, 30);
  pa_http_request_set_deadline (request, 1);
  step = peer_queue (peer, STEP_DELAY, 200, NULL);
  step->delay_ms = 5000;

  g_assert_null (send_sync (http, request, &error));
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

/* ---- keys over plain HTTP ----------------------------------------------- */

static void
test_url_checks (void)
{
  g_assert_true (pa_http_url_is_safe_for_credentials ("https://api.example.com/v1"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://127.0.0.1:8080"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://127.8.9.10/"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://[::1]:5678/"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://localhost:5678"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://LocalHost./"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://api.example.com/v1"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://192.168.1.10:11434"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://localhost.example.com/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://127.0.0.1.nip.io/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://[::ffff:10.0.0.1]/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("ftp://127.0.0.1/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("not a url"));
  g_assert_false (pa_http_url_is_safe_for_credentials (NULL));
}

/* Every way of giving credentials is refused over http to another
 * machine, before anything is looked up or sent. */
static void
test_insecure_refused (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();

  route_through (http, peer);

  for (guint kind = 0; kind < 5; kind++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://api.example.com",
                                                              "/v1/me");
      g_autoptr(GError) error = NULL;

      switch (kind)
        {
        case 0: pa_http_request_set_bearer_auth (request, SECRET); break;
        case 1: pa_http_request_set_basic_auth (request, "user", SECRET); break;
        case 2: pa_http_request_set_header_auth (request, "X-N8N-API-KEY", SECRET); break;
        case 3:
          pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "openai", NULL, NULL,
                                             "api-key", NULL, FALSE);
          break;
        case 4:
          /* Optional: looked up (a key may be stored), then refused. */
          pa_http_request_set_deferred_auth (request, PA_AUTH_HEADER, "n8n", NULL,
                                             "X-N8N-API-KEY", "api-key", NULL, TRUE);
          break;
        default:
          g_assert_not_reached ();
        }

      g_assert_null (send_sync (http, request, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
      g_assert_nonnull (strstr (error->message, "api.example.com"));
      g_assert_nonnull (strstr (error->message, "https://"));
      g_assert_cmpuint (peer->seen->len, ==, 0);
    }
  g_assert_cmpuint (secrets_asked (http), ==, 1);

  /* Without credentials, plain http is the peer's business. */
  {
    g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://api.example.com",
                                                            "/v1/public");
    g_autoptr(PaHttpResponse) response = NULL;
    g_autoptr(GError) error = NULL;

    response = send_sync (http, request, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (peer->seen->len, ==, 1);
    g_assert_cmpstr (peer_seen (peer, 0)->host, ==, "api.example.com");
  }
}

/* Allowed explicitly: to the base URL's origin, and there only. */
static void
test_insecure_allowed (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttpRequest) base = pa_http_request_new ("GET", "http://10.1.2.3:8080", "/v1/me");
  g_autoptr(PaHttpRequest) other = pa_http_request_new ("GET", "http://10.1.2.3:8080",
                                                        "http://10.9.9.9:8080/v1/me");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  route_through (http, peer);

  pa_http_request_set_bearer_auth (base, SECRET);
  pa_http_request_set_allow_insecure_http (base, TRUE);
  response = send_sync (http, base, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->seen->len, ==, 1);
  g_assert_nonnull (strstr (peer_seen (peer, 0)->headers, "Bearer " SECRET));

  pa_http_request_set_bearer_auth (other, SECRET);
  pa_http_request_set_allow_insecure_http (other, TRUE);
  g_assert_null (send_sync (http, other, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
  g_assert_cmpuint (peer->seen->len, ==, 1);
}

/* ---- redirects, for every platform's way of sending its key -------------- */

static const char *const platform_ids[] = {
  "stripe", "openai", "replicate", "vercel", "n8n", "agora",
};

/* A platform client set up (knowingly) with a plain http base URL on
 * another machine sends its key there, and to no other host. */
static void
test_insecure_platform_base_url (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();

  route_through (http, peer);

  for (guint i = 0; i < G_N_ELEMENTS (platform_ids); i++)
    {
      g_autoptr(PaPlatform) client = NULL;
      g_autoptr(PaHttpRequest) own = NULL;
      g_autoptr(PaHttpRequest) other = NULL;
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      client = pa_platform_new (platform_ids[i], http, "default", "http://10.1.2.3:8080", &error);
      g_assert_no_error (error);

      own = pa_platform_new_request (client, "GET", "/v1/thing");
      response = send_sync (http, own, &error);
      g_assert_no_error (error);
      /* Agora's key is in Basic's base64. */
      g_assert_true (strstr (peer_seen (peer, peer->seen->len - 1)->headers, SECRET) != NULL ||
                     strstr (peer_seen (peer, peer->seen->len - 1)->headers,
                             "Authorization: Basic ") != NULL);

      other = pa_platform_new_request (client, "GET", "http://10.9.9.9:8080/v1/thing");
      g_assert_null (send_sync (http, other, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
      g_assert_cmpuint (peer->seen->len, ==, i + 1);
    }
}

static void
assert_no_secret (Seen *seen)
{
  if (strstr (seen->headers, SECRET) != NULL ||
      strstr (seen->headers, "Authorization") != NULL ||
      strstr (seen->headers, "X-N8N-API-KEY") != NULL)
    g_error ("Credentials followed a redirect to %s%s:\n%s", seen->host, seen->path, seen->headers);
}

static void
assert_has_secret (Seen       *seen,
                   const char *header)
{
  g_autofree char *line = g_strdup_printf ("%s: ", header);

  g_assert_nonnull (strstr (seen->headers, line));
}

/* Each platform's own request: its header, from its credentials. */
static void
test_redirect_platforms (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(Peer) other = peer_new ();

  for (guint i = 0; i < G_N_ELEMENTS (platform_ids); i++)
    {
      const PaPlatformInfo *info = pa_platform_info_lookup (platform_ids[i]);
      const char *header = info->auth == PA_AUTH_HEADER ? info->auth_header : "Authorization";
      g_autoptr(PaPlatform) client = NULL;
      g_autoptr(GError) error = NULL;
      struct {
        guint       status;
        const char *method;
        char       *location;
        Peer       *target;
      } hops[] = {
        /* Another port, another host (same port), and each method. */
        { 302, "GET", g_strdup_printf ("%s/elsewhere", other->url), other },
        { 303, "POST", g_strdup_printf ("http://localhost:%d/elsewhere", peer->port), peer },
        { 307, "GET", g_strdup_printf ("http://localhost:%d/elsewhere", peer->port), peer },
        { 308, "GET", g_strdup_printf ("http://localhost:%d/elsewhere", other->port), other },
        { 301, "GET", g_strdup_printf ("%s/elsewhere", other->url), other },
      };

      client = pa_platform_new (platform_ids[i], http, "default", peer->url, &error);
      g_assert_no_error (error);

      for (guint h = 0; h < G_N_ELEMENTS (hops); h++)
        {
          g_autoptr(PaHttpRequest) request = pa_platform_new_request (client, hops[h].method,
                                                                      "/v1/thing");
          g_autoptr(PaHttpResponse) response = NULL;
          Peer *target = hops[h].target;
          guint before_peer = peer->seen->len;
          guint before_target = target->seen->len;
          Step *step;

          /* Agora, Stripe and co. send their key whatever the body. */
          if (g_str_equal (hops[h].method, "POST"))
            set_empty_body (request);
          step = peer_queue (peer, STEP_REDIRECT, hops[h].status, NULL);
          step->location = g_strdup (hops[h].location);

          response = send_sync (http, request, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);

          assert_has_secret (peer_seen (peer, before_peer), header);
          g_assert_cmpuint (target->seen->len, ==, before_target + (target == peer ? 2 : 1));
          g_assert_cmpstr (peer_seen (target, target->seen->len - 1)->path, ==, "/elsewhere");
          assert_no_secret (peer_seen (target, target->seen->len - 1));
          g_free (hops[h].location);
        }

      /* Within the origin, the key follows. */
      {
        g_autoptr(PaHttpRequest) request = pa_platform_new_request (client, "GET", "/v1/thing");
        g_autoptr(PaHttpResponse) response = NULL;
        Step *step = peer_queue (peer, STEP_REDIRECT, 302, NULL);

        step->location = g_strdup ("/v2/thing");
        response = send_sync (http, request, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (peer_seen (peer, peer->seen->len - 1)->path, ==, "/v2/thing");
        assert_has_secret (peer_seen (peer, peer->seen->len - 1), header);
      }
    }
}

/* Keys given directly, as the n8n webhook and Replicate's "Token" do. */
static void
test_redirect_direct_headers (void)
{
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(Peer) other = peer_new ();
  struct {
    const char *header;
    const char *value;
  } styles[] = {
    { "Authorization", "Bearer " SECRET },
    { "Authorization", "Token " SECRET },
    { "X-N8N-API-KEY", SECRET },
    { "X-Webhook-Secret", SECRET },
  };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/webhook/x");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;
      Step *step = peer_queue (peer, STEP_REDIRECT, 307, NULL);

      step->location = g_strdup_printf ("%s/elsewhere", other->url);
      pa_http_request_set_header_auth (request, styles[i].header, styles[i].value);
      response = send_sync (http, request, &error);
      g_assert_no_error (error);
      assert_has_secret (peer_seen (peer, peer->seen->len - 1), styles[i].header);
      g_assert_cmpuint (other->seen->len, ==, i + 1);
      g_assert_null (strstr (peer_seen (other, i)->headers, SECRET));
      g_assert_null (strstr (peer_seen (other, i)->headers, styles[i].header));
    }
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
  g_test_add_func ("/http/failures/body-idle", test_body_idle);
  g_test_add_func ("/http/failures/stream-idle", test_stream_idle);
  g_test_add_func ("/http/failures/stream-deadline", test_stream_deadline);
  g_test_add_func ("/http/failures/deadline", test_deadline);
  g_test_add_func ("/http/peer/deep-json", test_deep_json);
  g_test_add_func ("/http/peer/message-controls", test_peer_message_controls);
  g_test_add_func ("/http/insecure/url-checks", test_url_checks);
  g_test_add_func ("/http/insecure/refused", test_insecure_refused);
  g_test_add_func ("/http/insecure/allowed-to-base", test_insecure_allowed);
  g_test_add_func ("/http/insecure/platform-base-url", test_insecure_platform_base_url);
  g_test_add_func ("/http/redirect/platforms", test_redirect_platforms);
  g_test_add_func ("/http/redirect/direct-headers", test_redirect_direct_headers);

  return g_test_run ();
}
