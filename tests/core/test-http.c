/* test-http.c — PaHttp against loopback SoupServers: retries, limits, auth, logs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-form.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-platform.h"
#include "pa-request-log.h"
#include "pa-secrets.h"
#include "pa-store.h"
#include "pa-test-keyring.h"
#include "pa-test-log.h"

#define CANARY       "sk_test_CANARY_9f8e7d"
#define BODY_MARKER  "BODY_MARKER_5b1c"
#define QUERY_MARKER "QUERY_MARKER_a0e2"

/* ---- a scripted loopback server -------------------------------------- */

typedef enum {
  BODY_FIXED,         /* the body, with Content-Length */
  BODY_CHUNKED,       /* @size bytes, chunked, complete */
  BODY_ENDLESS,       /* @size bytes, chunked, never completed */
} BodyMode;

typedef struct {
  guint      status;
  char      *body;
  GPtrArray *headers;   /* name, value… */
  guint      delay_ms;
  BodyMode   mode;
  gsize      size;
} Reply;

typedef struct {
  char   *method;
  char   *path;
  char   *query;
  char   *idempotency_key;
  char   *authorization;
  char   *api_key;
  char   *n8n_key;
  char   *user_agent;
  char   *content_type;
  GBytes *body;
} Seen;

typedef struct {
  SoupServer *server;
  char       *url;        /* http://127.0.0.1:PORT */
  GQueue      replies;
  GPtrArray  *seen;       /* Seen */
  GPtrArray  *paused;     /* SoupServerMessage held by a delay or an endless body */
  GPtrArray  *timers;     /* GSource */
} Server;

static void
reply_free (Reply *reply)
{
  g_free (reply->body);
  g_ptr_array_unref (reply->headers);
  g_free (reply);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Reply, reply_free)

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen->query);
  g_free (seen->idempotency_key);
  g_free (seen->authorization);
  g_free (seen->api_key);
  g_free (seen->n8n_key);
  g_free (seen->user_agent);
  g_free (seen->content_type);
  g_clear_pointer (&seen->body, g_bytes_unref);
  g_free (seen);
}

static Reply *
server_queue (Server     *server,
              guint       status,
              const char *body)
{
  Reply *reply = g_new0 (Reply, 1);

  reply->status = status;
  reply->body = g_strdup (body != NULL ? body : "{}");
  reply->headers = g_ptr_array_new_with_free_func (g_free);
  g_queue_push_tail (&server->replies, reply);
  return reply;
}

static void
reply_add_header (Reply      *reply,
                  const char *name,
                  const char *value)
{
  g_ptr_array_add (reply->headers, g_strdup (name));
  g_ptr_array_add (reply->headers, g_strdup (value));
}

static Seen *
server_seen (Server *server,
             guint   index)
{
  g_assert_cmpuint (index, <, server->seen->len);
  return server->seen->pdata[index];
}

static gboolean
unpause_cb (gpointer user_data)
{
  SoupServerMessage *msg = user_data;

  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

static void
write_body (SoupServerMessage *msg,
            Reply             *reply)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  SoupMessageBody *body = soup_server_message_get_response_body (msg);

  switch (reply->mode)
    {
    case BODY_FIXED:
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        reply->body, strlen (reply->body));
      break;
    case BODY_CHUNKED:
    case BODY_ENDLESS:
      {
        g_autofree char *chunk = g_malloc (reply->size);

        memset (chunk, 'x', reply->size);
        soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
        soup_message_headers_set_content_type (headers, "application/octet-stream", NULL);
        soup_message_body_append (body, SOUP_MEMORY_COPY, chunk, reply->size);
        if (reply->mode == BODY_CHUNKED)
          soup_message_body_complete (body);
      }
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
server_cb (SoupServer        *soup_server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  Server *server = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *request_body = soup_server_message_get_request_body (msg);
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr(Reply) reply = g_queue_pop_head (&server->replies);
  Seen *seen = g_new0 (Seen, 1);

  seen->method = g_strdup (soup_server_message_get_method (msg));
  seen->path = g_strdup (path);
  seen->query = g_strdup (g_uri_get_query (uri));
  seen->idempotency_key = g_strdup (soup_message_headers_get_one (request_headers, "Idempotency-Key"));
  seen->authorization = g_strdup (soup_message_headers_get_one (request_headers, "Authorization"));
  seen->api_key = g_strdup (soup_message_headers_get_one (request_headers, "X-Api-Key"));
  seen->n8n_key = g_strdup (soup_message_headers_get_one (request_headers, "X-N8N-API-KEY"));
  seen->user_agent = g_strdup (soup_message_headers_get_one (request_headers, "User-Agent"));
  seen->content_type = g_strdup (soup_message_headers_get_content_type (request_headers, NULL));
  seen->body = soup_message_body_flatten (request_body);
  g_ptr_array_add (server->seen, seen);

  if (reply == NULL)
    {
      soup_server_message_set_status (msg, 200, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"ok\": true}", 12);
      return;
    }

  soup_server_message_set_status (msg, reply->status, NULL);
  for (guint i = 0; i + 1 < reply->headers->len; i += 2)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                  reply->headers->pdata[i], reply->headers->pdata[i + 1]);
  write_body (msg, reply);

  if (reply->mode == BODY_ENDLESS)
    g_ptr_array_add (server->paused, g_object_ref (msg));

  if (reply->delay_ms > 0)
    {
      GSource *timer = g_timeout_source_new (reply->delay_ms);

      soup_server_message_pause (msg);
      g_source_set_callback (timer, unpause_cb, g_object_ref (msg), g_object_unref);
      g_source_attach (timer, NULL);
      g_ptr_array_add (server->timers, timer);
    }
}

static Server *
server_new (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  server->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server->server, NULL, server_cb, server, NULL);
  soup_server_listen_local (server->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);

  uris = soup_server_get_uris (server->server);
  g_assert_nonnull (uris);
  server->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_queue_init (&server->replies);
  server->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  server->paused = g_ptr_array_new_with_free_func (g_object_unref);
  server->timers = g_ptr_array_new ();
  return server;
}

static void
server_free (Server *server)
{
  for (guint i = 0; i < server->timers->len; i++)
    {
      g_source_destroy (server->timers->pdata[i]);
      g_source_unref (server->timers->pdata[i]);
    }
  g_ptr_array_unref (server->timers);

  soup_server_disconnect (server->server);
  g_clear_object (&server->server);
  g_ptr_array_unref (server->paused);
  g_queue_clear_full (&server->replies, (GDestroyNotify) reply_free);
  g_ptr_array_unref (server->seen);
  g_free (server->url);
  g_free (server);
}

/* ---- fixture ---------------------------------------------------------- */

typedef struct {
  Server      *server;
  PaHttp      *http;
  PaFakeClock  clock;
  GPtrArray   *logged;   /* "KEY METHOD PATH STATUS ATTEMPT" */
} Fixture;

static void
request_logged_cb (PaHttp        *http,
                   PaHttpRequest *request,
                   const char    *key,
                   const char    *method,
                   const char    *path,
                   guint          status,
                   gint64         duration_ms,
                   guint          attempt,
                   Fixture       *fixture)
{
  g_assert_true (PA_IS_HTTP_REQUEST (request));
  g_assert_cmpstr (pa_http_request_get_method (request), ==, method);
  g_assert_cmpint (duration_ms, >=, 0);
  g_ptr_array_add (fixture->logged,
                   g_strdup_printf ("%s %s %s %u %u", key, method, path, status, attempt));
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->server = server_new ();
  fixture->http = pa_http_new ();
  /* Fast retries: 1 ms base, 5 ms cap. */
  pa_http_set_backoff (fixture->http, 1000, 5000);
  fixture->clock.now_us = 1000 * G_USEC_PER_SEC;
  pa_http_set_clock (fixture->http, pa_fake_clock_now, &fixture->clock);
  fixture->logged = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->http, "request-logged", G_CALLBACK (request_logged_cb), fixture);
  pa_test_log_clear ();
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->http);
  server_free (fixture->server);
  g_ptr_array_unref (fixture->logged);

  /* Let sockets and sources closed above finish going away. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

typedef struct {
  GMainLoop      *loop;
  PaHttpResponse *response;
  GError         *error;
  gboolean        done;
} SendResult;

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  SendResult *send = user_data;

  if (g_task_get_source_tag (G_TASK (result)) == pa_http_send_stream_async)
    send->response = pa_http_send_stream_finish (PA_HTTP (source), result, &send->error);
  else
    send->response = pa_http_send_finish (PA_HTTP (source), result, &send->error);
  g_assert_true ((send->response == NULL) != (send->error == NULL));
  send->done = TRUE;
  g_main_loop_quit (send->loop);
}

/* Runs the main loop (and so the server) until the request completes. */
static PaHttpResponse *
send_request_full (PaHttp         *http,
                   PaHttpRequest  *request,
                   gboolean        streaming,
                   GCancellable   *cancellable,
                   GError        **error)
{
  SendResult send = { 0 };

  send.loop = g_main_loop_new (NULL, FALSE);
  if (streaming)
    pa_http_send_stream_async (http, request, cancellable, send_cb, &send);
  else
    pa_http_send_async (http, request, cancellable, send_cb, &send);
  if (!send.done)
    g_main_loop_run (send.loop);
  g_main_loop_unref (send.loop);

  if (send.error != NULL)
    g_propagate_error (error, send.error);
  return send.response;
}

static PaHttpResponse *
send_request (PaHttp         *http,
              PaHttpRequest  *request,
              GCancellable   *cancellable,
              GError        **error)
{
  return send_request_full (http, request, FALSE, cancellable, error);
}

static void
send_and_drop (PaHttp        *http,
               PaHttpRequest *request)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaHttpResponse) response = send_request (http, request, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (response);
}

static PaHttpRequest *
request_new (Fixture    *fixture,
             const char *method,
             const char *path)
{
  PaHttpRequest *request = pa_http_request_new (method, fixture->server->url, path);

  pa_http_request_set_breaker_key (request, "peer");
  return request;
}

/* ---- requests, as built ------------------------------------------------ */

static void
test_http_request_url (void)
{
  struct {
    const char *base;
    const char *path;
    const char *expected;
  } cases[] = {
    { "http://h:1/v1/", "/models", "http://h:1/v1/models" },
    { "http://h:1/v1", "models", "http://h:1/v1/models" },
    { "http://h:1/v1//", "//models", "http://h:1/v1/models" },
    { "https://api.example.com", "/v1/account", "https://api.example.com/v1/account" },
    { "https://api.example.com/", NULL, "https://api.example.com/" },
    { "https://api.example.com", "", "https://api.example.com" },
    { "http://ignored", "https://files.example.com/a.png", "https://files.example.com/a.png" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("get", cases[i].base, cases[i].path);
      g_autoptr(GError) error = NULL;
      g_autofree char *url = pa_http_request_build_url (request, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (url, ==, cases[i].expected);
      g_assert_cmpstr (pa_http_request_get_method (request), ==, "GET");
    }
}

static void
test_http_request_query (void)
{
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://h", "/v1/charges");
  g_autoptr(PaHttpRequest) with_query = pa_http_request_new ("GET", "http://h", "/x?a=1");
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *url2 = NULL;

  pa_http_request_add_query (request, "starting_after", "ch_1 2&3");
  pa_http_request_add_query_int (request, "limit", 100);
  pa_http_request_add_query (request, "expand[]", "data.customer");
  pa_http_request_add_query (request, "q", "café+=/");
  url = pa_http_request_build_url (request, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, "http://h/v1/charges?starting_after=ch_1%202%263&limit=100"
                            "&expand[]=data.customer&q=caf%C3%A9%2B%3D%2F");

  pa_http_request_add_query (with_query, "b", "2");
  url2 = pa_http_request_build_url (with_query, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url2, ==, "http://h/x?a=1&b=2");
}

static void
test_http_request_bad_url (void)
{
  const char *bases[] = { "", "api.example.com", "ftp://h", "http://", "not a url", NULL };

  for (gsize i = 0; i < G_N_ELEMENTS (bases); i++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", bases[i], "/v1/x");
      g_autoptr(GError) error = NULL;
      g_autofree char *url = pa_http_request_build_url (request, &error);

      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_null (url);
    }
}

static void
test_http_request_fields (void)
{
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("POST", "http://h", "/x");
  g_autoptr(GBytes) raw = g_bytes_new_static ("abc", 3);
  g_autoptr(GBytes) body = NULL;
  const char *content_type = NULL;

  g_assert_false (pa_http_request_is_retry_safe (request));
  pa_http_request_set_header (request, "Idempotency-Key", "k1");
  g_assert_cmpstr (pa_http_request_get_idempotency_key (request), ==, "k1");
  g_assert_true (pa_http_request_is_retry_safe (request));

  pa_http_request_set_header (request, "X-One", "1");
  pa_http_request_set_header (request, "x-one", "2");
  g_assert_cmpstr (pa_http_request_get_header (request, "X-ONE"), ==, "2");
  g_assert_cmpuint (pa_http_request_get_headers (request)->len, ==, 2);
  pa_http_request_set_header (request, "X-One", NULL);
  g_assert_null (pa_http_request_get_header (request, "X-One"));

  g_assert_cmpuint (pa_http_request_get_max_attempts (request), ==, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
  pa_http_request_set_body (request, raw, "text/plain");
  body = pa_http_request_dup_body (request, &content_type, NULL);
  g_assert_cmpstr (content_type, ==, "text/plain");
  g_assert_true (g_bytes_equal (body, raw));

  pa_http_request_set_bearer_auth (request, CANARY);
  g_assert_cmpint (pa_http_request_get_auth_kind (request), ==, PA_AUTH_BEARER);
  pa_http_request_clear_auth (request);
  g_assert_cmpint (pa_http_request_get_auth_kind (request), ==, PA_AUTH_NONE);

  g_clear_object (&request);
  request = pa_http_request_new ("HEAD", "http://h", "/x");
  g_assert_true (pa_http_request_is_retry_safe (request));
}

/* ---- responses, as read ------------------------------------------------ */

static PaHttpResponse *
response_new (guint       status,
              const char *body,
              ...)
{
  SoupMessageHeaders *headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  g_autoptr(GBytes) bytes = g_bytes_new (body, body != NULL ? strlen (body) : 0);
  PaHttpResponse *response;
  const char *name;
  va_list args;

  va_start (args, body);
  while ((name = va_arg (args, const char *)) != NULL)
    soup_message_headers_append (headers, name, va_arg (args, const char *));
  va_end (args);

  response = pa_http_response_new (status, headers, bytes, "api.example.com");
  soup_message_headers_unref (headers);
  return response;
}

static void
test_http_response_check (void)
{
  struct {
    guint status;
    int   code;
  } cases[] = {
    { 200, -1 }, { 201, -1 }, { 204, -1 },
    { 401, PA_ERROR_AUTH }, { 403, PA_ERROR_AUTH },
    { 404, PA_ERROR_NOT_FOUND },
    { 408, PA_ERROR_TIMEOUT },
    { 429, PA_ERROR_RATE_LIMITED },
    /* The server answered: a server error, never "offline". */
    { 500, PA_ERROR_SERVER }, { 502, PA_ERROR_SERVER }, { 503, PA_ERROR_SERVER },
    { 504, PA_ERROR_SERVER }, { 599, PA_ERROR_SERVER },
    { 400, PA_ERROR_INVALID_INPUT }, { 409, PA_ERROR_INVALID_INPUT },
    { 422, PA_ERROR_INVALID_INPUT },
    { 302, PA_ERROR_PROTOCOL },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaHttpResponse) response = response_new (cases[i].status, "", NULL);
      g_autoptr(GError) error = NULL;
      gboolean ok = pa_http_response_check (response, &error);

      g_assert_cmpint (pa_http_status_to_error_code (cases[i].status), ==, cases[i].code);
      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_error (error, PA_ERROR, cases[i].code);
          g_assert_false (ok);
          g_assert_nonnull (strstr (error->message, "api.example.com"));
        }
    }
}

static void
test_http_response_messages (void)
{
  g_autoptr(PaHttpResponse) stripe = NULL;
  g_autoptr(PaHttpResponse) flat = NULL;
  g_autoptr(PaHttpResponse) limited = NULL;
  g_autoptr(GError) error = NULL;

  /* The peer's own explanation is kept. */
  stripe = response_new (404, "{\"error\": {\"type\": \"invalid_request_error\","
                              " \"message\": \"No such customer: 'cus_x'\"}}", NULL);
  g_assert_false (pa_http_response_check (stripe, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "No such customer: 'cus_x'"));
  g_clear_error (&error);

  flat = response_new (401, "{\"detail\": \"Invalid token.\"}", NULL);
  g_assert_false (pa_http_response_check (flat, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "Invalid token"));
  g_assert_nonnull (strstr (error->message, "Accounts"));
  g_assert_null (strstr (error->message, ".."));
  g_clear_error (&error);

  limited = response_new (429, "", "Retry-After", "7", NULL);
  g_assert_false (pa_http_response_check (limited, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_RATE_LIMITED);
  g_assert_nonnull (strstr (error->message, "7 s"));
}

static void
test_http_response_retry_after (void)
{
  g_autoptr(PaHttpResponse) seconds = response_new (429, "", "Retry-After", " 7 ", NULL);
  g_autoptr(PaHttpResponse) date = response_new (503, "",
                                                 "Date", "Wed, 21 Oct 2015 07:28:00 GMT",
                                                 "Retry-After", "Wed, 21 Oct 2015 07:30:00 GMT",
                                                 NULL);
  g_autoptr(PaHttpResponse) past = response_new (503, "",
                                                 "Date", "Wed, 21 Oct 2015 07:28:00 GMT",
                                                 "Retry-After", "Wed, 21 Oct 2015 07:00:00 GMT",
                                                 NULL);
  g_autoptr(PaHttpResponse) junk = response_new (503, "", "Retry-After", "soon", NULL);
  g_autoptr(PaHttpResponse) none = response_new (503, "", NULL);

  g_assert_cmpint (pa_http_response_get_retry_after_us (seconds), ==, 7 * G_USEC_PER_SEC);
  g_assert_cmpint (pa_http_response_get_retry_after_us (date), ==, 120 * G_USEC_PER_SEC);
  g_assert_cmpint (pa_http_response_get_retry_after_us (past), ==, 0);
  g_assert_cmpint (pa_http_response_get_retry_after_us (junk), ==, -1);
  g_assert_cmpint (pa_http_response_get_retry_after_us (none), ==, -1);
}

static void
test_http_response_json (void)
{
  const char *bad[] = { "{\"a\": [1, 2", "<html>oops</html>", "", "{\"a\": 1}}", "\xff\xfe" };
  g_autoptr(PaHttpResponse) good = response_new (200, "{\"a\": [1, 2]}", NULL);
  g_autoptr(GError) error = NULL;
  JsonNode *node;

  node = pa_http_response_get_json (good, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  /* Parsed once and kept. */
  g_assert_true (pa_http_response_get_json (good, NULL) == node);

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PaHttpResponse) response = response_new (200, bad[i], NULL);
      g_autoptr(GError) local_error = NULL;

      g_assert_null (pa_http_response_get_json (response, &local_error));
      g_assert_error (local_error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (local_error->message, "api.example.com"));
    }
}

/* ---- sending ------------------------------------------------------------ */

static void
test_http_get_json (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/things");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *json;
  Seen *seen;

  server_queue (fixture->server, 200, "{\"id\": \"thing_1\", \"n\": 3}");
  pa_http_request_add_query (request, "limit", "3");
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_true (pa_http_response_check (response, NULL));
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 1);
  g_assert_cmpstr (pa_http_response_get_content_type (response), ==, "application/json");

  json = pa_http_response_get_json (response, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (json), "id"), ==,
                   "thing_1");

  g_assert_cmpuint (fixture->server->seen->len, ==, 1);
  seen = server_seen (fixture->server, 0);
  g_assert_cmpstr (seen->method, ==, "GET");
  g_assert_cmpstr (seen->path, ==, "/v1/things");
  g_assert_cmpstr (seen->query, ==, "limit=3");
  g_assert_cmpstr (seen->user_agent, ==, "PlayAlter/" PACKAGE_VERSION);
  g_assert_null (seen->authorization);

  /* The log line has the path, never the query. */
  g_assert_cmpuint (fixture->logged->len, ==, 1);
  g_assert_cmpstr (fixture->logged->pdata[0], ==, "peer GET /v1/things 200 1");
  g_assert_true (pa_test_log_contains ("GET /v1/things 200 "));
  g_assert_false (pa_test_log_contains ("limit=3"));
}

static void
test_http_bodies (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PaHttpRequest) json_request = request_new (fixture, "POST", "/json");
  g_autoptr(PaHttpRequest) form_request = request_new (fixture, "POST", "/form");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  Seen *seen;

  node = json_from_string ("{\"amount\": 2000, \"metadata\": {\"k\": \"a b&c\"},"
                           " \"line_items\": [{\"price\": \"p_1\", \"quantity\": 1}]}", &error);
  g_assert_no_error (error);

  pa_http_request_set_json_body (json_request, node);
  response = send_request (fixture->http, json_request, NULL, &error);
  g_assert_no_error (error);
  g_clear_object (&response);
  seen = server_seen (fixture->server, 0);
  g_assert_cmpstr (seen->content_type, ==, "application/json");
  {
    g_autoptr(JsonNode) sent = json_from_string (g_bytes_get_data (seen->body, NULL), &error);

    g_assert_no_error (error);
    g_assert_true (json_node_equal (sent, node));
  }

  pa_http_request_set_form_body (form_request, node);
  response = send_request (fixture->http, form_request, NULL, &error);
  g_assert_no_error (error);
  seen = server_seen (fixture->server, 1);
  g_assert_cmpstr (seen->content_type, ==, "application/x-www-form-urlencoded");
  g_assert_cmpmem (g_bytes_get_data (seen->body, NULL), g_bytes_get_size (seen->body),
                   "amount=2000&metadata[k]=a%20b%26c&line_items[0][price]=p_1"
                   "&line_items[0][quantity]=1",
                   strlen ("amount=2000&metadata[k]=a%20b%26c&line_items[0][price]=p_1"
                           "&line_items[0][quantity]=1"));
  decoded = pa_form_decode_json (g_bytes_get_data (seen->body, NULL),
                                 (gssize) g_bytes_get_size (seen->body), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_node_get_object (decoded), "metadata"), "k"), ==, "a b&c");
}

static void
test_http_bad_form_body (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "POST", "/form");
  g_autoptr(JsonNode) array = json_from_string ("[1, 2]", NULL);
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  pa_http_request_set_form_body (request, array);
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (response);
  g_assert_cmpuint (fixture->server->seen->len, ==, 0);
}

static void
test_http_retry_get_503 (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/flaky");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 200, "{\"ok\": true}");

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 2);
  g_assert_cmpuint (fixture->server->seen->len, ==, 2);

  g_assert_cmpuint (fixture->logged->len, ==, 2);
  g_assert_cmpstr (fixture->logged->pdata[0], ==, "peer GET /flaky 503 1");
  g_assert_cmpstr (fixture->logged->pdata[1], ==, "peer GET /flaky 200 2");
}

static void
test_http_retryable_statuses (Fixture       *fixture,
                              gconstpointer  data)
{
  const guint retried[] = { 408, 409, 429, 500, 502, 504 };
  const guint final[] = { 400, 401, 403, 404, 422 };

  for (gsize i = 0; i < G_N_ELEMENTS (retried); i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/r");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      g_ptr_array_set_size (fixture->server->seen, 0);
      server_queue (fixture->server, retried[i], "{}");
      response = send_request (fixture->http, request, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
      g_assert_cmpuint (fixture->server->seen->len, ==, 2);
    }

  for (gsize i = 0; i < G_N_ELEMENTS (final); i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/f");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      g_ptr_array_set_size (fixture->server->seen, 0);
      server_queue (fixture->server, final[i], "{}");
      response = send_request (fixture->http, request, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pa_http_response_get_status (response), ==, final[i]);
      g_assert_cmpuint (fixture->server->seen->len, ==, 1);
      g_queue_clear_full (&fixture->server->replies, (GDestroyNotify) reply_free);
    }
}

static void
test_http_retries_exhausted (Fixture       *fixture,
                             gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/down");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 5; i++)
    server_queue (fixture->server, 500, "{\"error\": {\"message\": \"boom\"}}");
  pa_http_request_set_max_attempts (request, 4);

  /* Every status gives a response; the caller maps it. */
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 500);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 4);
  g_assert_cmpuint (fixture->server->seen->len, ==, 4);
  g_assert_false (pa_http_response_check (response, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "boom"));
}

static void
test_http_retry_after_seconds (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/slow-down");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;
  gint64 started;
  gint64 elapsed;

  reply = server_queue (fixture->server, 429, "{}");
  reply_add_header (reply, "Retry-After", "1");

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, NULL, &error);
  elapsed = g_get_monotonic_time () - started;

  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (fixture->server->seen->len, ==, 2);
  /* The backoff alone would wait at most 1 ms. */
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
  g_assert_cmpint (pa_http_response_get_duration_ms (response), >=, 1000);
}

static void
test_http_retry_after_date (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/slow-down");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;
  gint64 started;
  gint64 elapsed;

  /* One second after the server's own Date, whatever our clock says. */
  reply = server_queue (fixture->server, 503, "{}");
  reply_add_header (reply, "Date", "Sun, 06 Nov 1994 08:49:37 GMT");
  reply_add_header (reply, "Retry-After", "Sun, 06 Nov 1994 08:49:38 GMT");

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, NULL, &error);
  elapsed = g_get_monotonic_time () - started;

  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (fixture->server->seen->len, ==, 2);
  g_assert_cmpint (elapsed, >=, G_USEC_PER_SEC);
  g_assert_cmpint (elapsed, <, 5 * G_USEC_PER_SEC);
}

static void
test_http_retry_after_capped (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/slow-down");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;
  gint64 started;

  reply = server_queue (fixture->server, 429, "{}");
  reply_add_header (reply, "Retry-After", "3600");
  pa_http_set_max_retry_after (fixture->http, 20 * 1000);

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 20 * 1000);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 3 * G_USEC_PER_SEC);
}

static void
test_http_stripe_should_retry (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(PaHttpRequest) get = request_new (fixture, "GET", "/v1/x");
  g_autoptr(PaHttpRequest) post = request_new (fixture, "POST", "/v1/y");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;

  /* "false" stops a retry the status would allow. */
  reply = server_queue (fixture->server, 503, "{}");
  reply_add_header (reply, "Stripe-Should-Retry", "false");
  response = send_request (fixture->http, get, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 503);
  g_assert_cmpuint (fixture->server->seen->len, ==, 1);
  g_clear_object (&response);

  /* "true" retries a status that would not be. */
  reply = server_queue (fixture->server, 400, "{}");
  reply_add_header (reply, "Stripe-Should-Retry", "true");
  pa_http_request_set_idempotency_key (post, "key-should-retry");
  response = send_request (fixture->http, post, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (fixture->server->seen->len, ==, 3);
}

static void
test_http_post_without_key_not_retried (Fixture       *fixture,
                                        gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "POST", "/v1/charges");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 200, "{}");
  pa_http_request_set_max_attempts (request, 5);

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 503);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 1);
  g_assert_cmpuint (fixture->server->seen->len, ==, 1);
  g_assert_null (server_seen (fixture->server, 0)->idempotency_key);
}

static void
test_http_post_with_key_retried (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "POST", "/v1/charges");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(JsonNode) body = json_from_string ("{\"amount\": 500}", NULL);
  g_autoptr(GError) error = NULL;

  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 409, "{}");
  server_queue (fixture->server, 200, "{\"id\": \"ch_1\"}");
  pa_http_request_set_idempotency_key (request, "run-42-step-pay");
  pa_http_request_set_form_body (request, body);
  pa_http_request_set_max_attempts (request, 5);

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (fixture->server->seen->len, ==, 3);

  /* The same key and the same body every time. */
  for (guint i = 0; i < 3; i++)
    {
      Seen *seen = server_seen (fixture->server, i);

      g_assert_cmpstr (seen->method, ==, "POST");
      g_assert_cmpstr (seen->idempotency_key, ==, "run-42-step-pay");
      g_assert_cmpmem (g_bytes_get_data (seen->body, NULL), g_bytes_get_size (seen->body),
                       "amount=500", 10);
    }
}

static void
test_http_timeout (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/hang");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;
  gint64 elapsed;

  server_queue (fixture->server, 200, "{}")->delay_ms = 10 * 1000;
  pa_http_request_set_timeout (request, 1);
  pa_http_request_set_max_attempts (request, 1);

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, NULL, &error);
  elapsed = g_get_monotonic_time () - started;

  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
  g_assert_null (response);
  g_assert_cmpint (elapsed, >=, 900 * 1000);
  g_assert_cmpint (elapsed, <, 4 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->logged->len, ==, 1);
  g_assert_cmpstr (fixture->logged->pdata[0], ==, "peer GET /hang 0 1");
}

static void
test_http_timeout_retried (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/hang-once");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  /* A GET that timed out is safe to send again. */
  server_queue (fixture->server, 200, "{}")->delay_ms = 10 * 1000;
  server_queue (fixture->server, 200, "{\"second\": true}");
  pa_http_request_set_timeout (request, 1);

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 2);
  g_assert_cmpuint (fixture->server->seen->len, ==, 2);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_http_cancel (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/hang");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 started;

  server_queue (fixture->server, 200, "{}")->delay_ms = 10 * 1000;
  g_timeout_add (100, cancel_cb, cancellable);

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, cancellable, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (response);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->server->seen->len, ==, 1);

  /* A cancelled request is not the peer's fault. */
  g_assert_cmpuint (pa_breaker_get_failures (pa_http_get_breaker (fixture->http, "peer")), ==, 0);
}

static void
test_http_cancel_during_backoff (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/flaky");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gint64 started;
  Reply *reply;

  reply = server_queue (fixture->server, 503, "{}");
  reply_add_header (reply, "Retry-After", "30");
  g_timeout_add (200, cancel_cb, cancellable);

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, cancellable, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (response);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * G_USEC_PER_SEC);
  g_assert_cmpuint (fixture->server->seen->len, ==, 1);
}

static void
test_http_cancel_before (Fixture       *fixture,
                         gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/x");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;

  g_cancellable_cancel (cancellable);
  response = send_request (fixture->http, request, cancellable, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (response);
}

static void
test_http_oversize_content_length (Fixture       *fixture,
                                   gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/big");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *big = g_strnfill (64 * 1024, 'a');

  server_queue (fixture->server, 200, big);
  pa_http_request_set_max_response_size (request, 16 * 1024);

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than"));
  g_assert_null (response);
  /* Not retried: the answer would be as large again. */
  g_assert_cmpuint (fixture->server->seen->len, ==, 1);
}

static void
test_http_oversize_chunked (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/endless");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;
  gint64 started;

  /* No Content-Length, and the body never ends: only counting the bytes
   * while reading can stop it, and it must stop at once. */
  reply = server_queue (fixture->server, 200, NULL);
  reply->mode = BODY_ENDLESS;
  reply->size = 3 * 1024 * 1024;
  pa_http_set_max_response_size (fixture->http, 1024 * 1024);

  started = g_get_monotonic_time ();
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "larger than 1 MB"));
  g_assert_null (response);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 3 * G_USEC_PER_SEC);
}

static void
test_http_chunked_within_limit (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/chunked");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  Reply *reply;

  reply = server_queue (fixture->server, 200, NULL);
  reply->mode = BODY_CHUNKED;
  reply->size = 300 * 1024;
  pa_http_request_set_max_response_size (request, 300 * 1024);

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (g_bytes_get_size (pa_http_response_get_body (response)), ==, 300 * 1024);
}

typedef struct {
  GMainLoop *loop;
  char       buffer[4096];
  gsize      total;
  gsize      wanted;
  gboolean   eof;
  GError    *error;
} Reader;

static void
reader_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Reader *reader = user_data;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &reader->error);

  if (n > 0)
    reader->total += (gsize) n;
  reader->eof = (n == 0);
  if (n <= 0 || reader->total >= reader->wanted)
    {
      g_main_loop_quit (reader->loop);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), reader->buffer, sizeof reader->buffer,
                             G_PRIORITY_DEFAULT, NULL, reader_cb, reader);
}

/* Reads asynchronously (the server runs on this thread) until @wanted
 * bytes or the end; returns the count. */
static gsize
read_stream (GInputStream *stream,
             gsize         wanted,
             gboolean     *eof)
{
  Reader reader = { 0 };

  reader.loop = g_main_loop_new (NULL, FALSE);
  reader.wanted = wanted;
  g_input_stream_read_async (stream, reader.buffer, sizeof reader.buffer,
                             G_PRIORITY_DEFAULT, NULL, reader_cb, &reader);
  g_main_loop_run (reader.loop);
  g_main_loop_unref (reader.loop);
  g_assert_no_error (reader.error);
  *eof = reader.eof;
  return reader.total;
}

static void
test_http_stream (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/events");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gboolean eof = FALSE;
  Reply *reply;

  /* A failure is retried as usual; the 2xx comes back at its headers,
   * while its body has not ended (and never will). */
  server_queue (fixture->server, 503, "{}");
  reply = server_queue (fixture->server, 200, NULL);
  reply->mode = BODY_ENDLESS;
  reply->size = 1024;

  response = send_request_full (fixture->http, request, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 2);
  g_assert_cmpuint (g_bytes_get_size (pa_http_response_get_body (response)), ==, 0);
  g_assert_nonnull (pa_http_response_get_stream (response));

  g_assert_cmpuint (read_stream (pa_http_response_get_stream (response), 1024, &eof), ==, 1024);
  g_assert_false (eof);
}

static void
test_http_stream_complete (Fixture       *fixture,
                           gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/download");
  g_autoptr(PaHttpRequest) failing = request_new (fixture, "GET", "/missing");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(PaHttpResponse) not_found = NULL;
  g_autoptr(GError) error = NULL;
  gboolean eof = FALSE;
  Reply *reply;

  /* The size limit is for buffered bodies; a stream may be longer. */
  reply = server_queue (fixture->server, 200, NULL);
  reply->mode = BODY_CHUNKED;
  reply->size = 200 * 1024;
  pa_http_request_set_max_response_size (request, 1024);

  response = send_request_full (fixture->http, request, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (read_stream (pa_http_response_get_stream (response), G_MAXSIZE, &eof),
                    ==, 200 * 1024);
  g_assert_true (eof);

  /* Anything but a 2xx is read whole, to be checked as usual. */
  server_queue (fixture->server, 404, "{\"error\": {\"message\": \"gone\"}}");
  not_found = send_request_full (fixture->http, failing, TRUE, NULL, &error);
  g_assert_no_error (error);
  g_assert_null (pa_http_response_get_stream (not_found));
  g_assert_false (pa_http_response_check (not_found, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "gone"));
}

static void
test_http_unreachable (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = g_strdup (fixture->server->url);

  /* Nothing listens there any more. */
  soup_server_disconnect (fixture->server->server);

  request = pa_http_request_new ("GET", url, "/v1/account");
  pa_http_request_set_breaker_key (request, "gone");
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, url + strlen ("http://")));
  g_assert_null (response);

  /* Network errors are retried, and each attempt is logged. */
  g_assert_cmpuint (fixture->logged->len, ==, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
  g_assert_cmpstr (fixture->logged->pdata[0], ==, "gone GET /v1/account 0 1");
  g_assert_cmpuint (pa_breaker_get_failures (pa_http_get_breaker (fixture->http, "gone")), ==,
                    PA_HTTP_DEFAULT_MAX_ATTEMPTS);
}

static void
test_http_breaker (Fixture       *fixture,
                   gconstpointer  data)
{
  PaBreaker *breaker = pa_http_get_breaker (fixture->http, "peer");
  g_autoptr(PaHttpRequest) probe = NULL;
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_CLOSED);

  for (int i = 0; i < 5; i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/fail");
      g_autoptr(PaHttpResponse) failed = NULL;

      server_queue (fixture->server, 500, "{}");
      pa_http_request_set_max_attempts (request, 1);
      failed = send_request (fixture->http, request, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pa_http_response_get_status (failed), ==, 500);
    }
  g_assert_cmpuint (fixture->server->seen->len, ==, 5);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_OPEN);

  /* The 6th fails fast, without reaching the server. */
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/fail");
      g_autoptr(PaHttpResponse) refused = NULL;
      g_autoptr(GError) local_error = NULL;

      refused = send_request (fixture->http, request, NULL, &local_error);
      g_assert_error (local_error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN);
      g_assert_nonnull (strstr (local_error->message, "peer"));
      g_assert_nonnull (strstr (local_error->message, "paused for 60 s"));
      g_assert_null (refused);
    }
  g_assert_cmpuint (fixture->server->seen->len, ==, 5);

  /* Another key is not affected. */
  {
    g_autoptr(PaHttpRequest) other = request_new (fixture, "GET", "/other");
    g_autoptr(PaHttpResponse) ok = NULL;

    pa_http_request_set_breaker_key (other, "other-peer");
    ok = send_request (fixture->http, other, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fixture->server->seen->len, ==, 6);
  }

  /* After the open period one probe goes through and closes it. */
  pa_fake_clock_advance (&fixture->clock, 60 * G_USEC_PER_SEC);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_HALF_OPEN);
  probe = request_new (fixture, "GET", "/ok");
  response = send_request (fixture->http, probe, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_CLOSED);
}

static void
test_http_breaker_stops_retries (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/fail");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  pa_http_set_breaker_config (fixture->http, 2, 60 * G_USEC_PER_SEC);
  for (int i = 0; i < 5; i++)
    server_queue (fixture->server, 503, "{}");
  pa_http_request_set_max_attempts (request, 5);

  /* Retries stop when the breaker opens, with the last answer. */
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 503);
  g_assert_cmpuint (pa_http_response_get_attempts (response), ==, 2);
  g_assert_cmpuint (fixture->server->seen->len, ==, 2);
}

static void
test_http_rate_limit (Fixture       *fixture,
                      gconstpointer  data)
{
  gint64 started;

  /* 20 per second, no burst beyond 1: the 4th request waits 3 × 50 ms. */
  pa_http_set_clock (fixture->http, NULL, NULL);
  pa_http_set_rate_limit (fixture->http, "peer", 20.0, 1.0);
  g_assert_nonnull (pa_http_get_rate_limiter (fixture->http, "peer"));

  started = g_get_monotonic_time ();
  for (int i = 0; i < 4; i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/limited");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      response = send_request (fixture->http, request, NULL, &error);
      g_assert_no_error (error);
    }
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 150 * 1000);
  g_assert_cmpuint (fixture->server->seen->len, ==, 4);

  pa_http_set_rate_limit (fixture->http, "peer", 0, 0);
  g_assert_null (pa_http_get_rate_limiter (fixture->http, "peer"));
}

typedef struct {
  GMainLoop *loop;
  guint      pending;
  guint      ok;
} Many;

static void
many_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Many *many = user_data;
  g_autoptr(PaHttpResponse) response = pa_http_send_finish (PA_HTTP (source), result, NULL);

  if (response != NULL && pa_http_response_get_status (response) == 200)
    many->ok++;
  if (--many->pending == 0)
    g_main_loop_quit (many->loop);
}

static void
test_http_concurrent (Fixture       *fixture,
                      gconstpointer  data)
{
  Many many = { 0 };

  many.loop = g_main_loop_new (NULL, FALSE);
  for (int i = 0; i < 40; i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/many");

      many.pending++;
      pa_http_send_async (fixture->http, request, NULL, many_cb, &many);
    }
  g_main_loop_run (many.loop);
  g_main_loop_unref (many.loop);

  g_assert_cmpuint (many.ok, ==, 40);
  g_assert_cmpuint (fixture->server->seen->len, ==, 40);
}

static void
test_http_malformed_json (Fixture       *fixture,
                          gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/truncated");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  server_queue (fixture->server, 200, "{\"id\": \"pred_1\", \"output\": [\"a\", ");
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (pa_http_response_check (response, NULL));
  g_assert_null (pa_http_response_get_json (response, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "127.0.0.1"));
}

static void
test_http_auth_direct (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PaHttpRequest) bearer = request_new (fixture, "GET", "/me");
  g_autoptr(PaHttpRequest) basic = request_new (fixture, "GET", "/me");
  g_autoptr(PaHttpRequest) header = request_new (fixture, "GET", "/me");
  g_autofree char *expected_basic = NULL;
  g_autofree char *encoded = NULL;

  pa_http_request_set_bearer_auth (bearer, "tok_123");
  send_and_drop (fixture->http, bearer);
  g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer tok_123");

  pa_http_request_set_basic_auth (basic, "customer", "s3cr:et");
  send_and_drop (fixture->http, basic);
  encoded = g_base64_encode ((const guchar *) "customer:s3cr:et", 16);
  expected_basic = g_strconcat ("Basic ", encoded, NULL);
  g_assert_cmpstr (server_seen (fixture->server, 1)->authorization, ==, expected_basic);

  pa_http_request_set_header_auth (header, "X-Api-Key", "key_456");
  send_and_drop (fixture->http, header);
  g_assert_cmpstr (server_seen (fixture->server, 2)->api_key, ==, "key_456");
  g_assert_null (server_seen (fixture->server, 2)->authorization);
}

static void
test_http_redirect_strips_auth (Fixture       *fixture,
                                gconstpointer  data)
{
  Server *other = server_new ();
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/download");
  g_autoptr(PaHttpRequest) same = request_new (fixture, "GET", "/moved");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *location = g_strconcat (other->url, "/file", NULL);
  Reply *reply;

  /* To another origin: the credentials stay behind. */
  reply = server_queue (fixture->server, 302, "");
  reply_add_header (reply, "Location", location);
  pa_http_request_set_bearer_auth (request, CANARY);
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
  g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer " CANARY);
  g_assert_cmpuint (other->seen->len, ==, 1);
  g_assert_null (server_seen (other, 0)->authorization);
  g_clear_object (&response);

  /* A custom key header, which libsoup knows nothing about, too. */
  reply = server_queue (fixture->server, 307, "");
  reply_add_header (reply, "Location", location);
  pa_http_request_set_header_auth (request, "X-Api-Key", CANARY);
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (server_seen (fixture->server, 1)->api_key, ==, CANARY);
  g_assert_cmpuint (other->seen->len, ==, 2);
  g_assert_null (server_seen (other, 1)->api_key);
  g_clear_object (&response);

  /* Within the same origin they follow. */
  reply = server_queue (fixture->server, 301, "");
  reply_add_header (reply, "Location", "/new-place");
  pa_http_request_set_bearer_auth (same, "tok_same");
  response = send_request (fixture->http, same, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (server_seen (fixture->server, 3)->path, ==, "/new-place");
  g_assert_cmpstr (server_seen (fixture->server, 3)->authorization, ==, "Bearer tok_same");

  server_free (other);
}

static void
test_http_invalid_url (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "localhost:11434", "/v1/models");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = send_request (fixture->http, request, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (response);
}

/* ---- secrets never leak ---------------------------------------------- */

static gboolean
bytes_contain (const char *haystack,
               gsize       length,
               const char *needle)
{
  gsize needle_length = strlen (needle);

  for (gsize i = 0; i + needle_length <= length; i++)
    if (memcmp (haystack + i, needle, needle_length) == 0)
      return TRUE;
  return FALSE;
}

static void
assert_file_lacks (const char *path,
                   const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;   /* e.g. no -wal after a checkpoint */
  g_assert_false (bytes_contain (contents, length, needle));
}

static void
assert_log_clean (void)
{
  g_assert_false (pa_test_log_contains (CANARY));
  g_assert_false (pa_test_log_contains ("Authorization"));
  g_assert_false (pa_test_log_contains ("Bearer"));
  g_assert_false (pa_test_log_contains (BODY_MARKER));
  g_assert_false (pa_test_log_contains (QUERY_MARKER));
}

static void
test_http_canary (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("pa-test-http-XXXXXX", &error);
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaRequestLog) request_log = NULL;
  g_autofree char *db_path = NULL;
  g_autofree char *wal_path = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(GPtrArray) logged = NULL;

  g_assert_no_error (error);
  store = pa_store_open (dir, &error);
  g_assert_no_error (error);
  request_log = pa_request_log_new (fixture->http, store);

  body = json_from_string ("{\"description\": \"" BODY_MARKER "\", \"key\": \"" CANARY "\"}", NULL);

  /* A success, a retried failure and an auth failure, all with the key. */
  server_queue (fixture->server, 200, "{}");
  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 200, "{}");
  server_queue (fixture->server, 401, "{\"error\": {\"message\": \"Invalid API Key provided\"}}");
  for (int i = 0; i < 3; i++)
    {
      g_autoptr(PaHttpRequest) request = request_new (fixture, "POST", "/v1/customers");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) check_error = NULL;

      pa_http_request_set_bearer_auth (request, CANARY);
      pa_http_request_set_idempotency_key (request, i == 1 ? "idem-1" : NULL);
      pa_http_request_add_query (request, "secret_q", QUERY_MARKER);
      pa_http_request_set_form_body (request, body);
      pa_http_request_set_log_context (request, "run-1", "step-1", "stripe.customer");
      response = send_request (fixture->http, request, NULL, &error);
      g_assert_no_error (error);

      if (!pa_http_response_check (response, &check_error))
        {
          g_assert_null (strstr (check_error->message, CANARY));
          g_debug ("check: %s", check_error->message);
        }
    }
  g_assert_cmpuint (fixture->server->seen->len, ==, 4);
  g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer " CANARY);

  /* The log shows the requests, and nothing of what they carried. */
  g_assert_true (pa_test_log_contains ("POST /v1/customers 200"));
  g_assert_true (pa_test_log_contains ("POST /v1/customers 401"));
  assert_log_clean ();

  /* One platform_logs row per attempt. */
  logged = pa_store_list_requests (store, NULL, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < logged->len; i++)
    {
      const PaRequestRecord *row = g_ptr_array_index (logged, i);

      g_assert_cmpstr (row->platform, ==, "peer");
      g_assert_cmpstr (row->method, ==, "POST");
      g_assert_cmpstr (row->path, ==, "/v1/customers");
      g_assert_cmpstr (row->run_id, ==, "run-1");
      g_assert_cmpstr (row->step_id, ==, "step-1");
      g_assert_cmpstr (row->action, ==, "stripe.customer");
    }
  g_assert_cmpuint (logged->len, ==, 4);

  /* And nothing secret reached the database files. */
  db_path = g_strdup (pa_store_get_path (store));
  wal_path = g_strconcat (db_path, "-wal", NULL);
  g_assert_true (g_file_test (db_path, G_FILE_TEST_EXISTS));
  assert_file_lacks (db_path, CANARY);
  assert_file_lacks (wal_path, CANARY);
  assert_file_lacks (db_path, BODY_MARKER);
  assert_file_lacks (wal_path, BODY_MARKER);
  assert_file_lacks (wal_path, QUERY_MARKER);

  g_clear_object (&request_log);
  g_clear_object (&store);
  assert_file_lacks (db_path, CANARY);
  assert_file_lacks (wal_path, CANARY);

  g_remove (wal_path);
  {
    g_autofree char *shm_path = g_strconcat (db_path, "-shm", NULL);
    g_remove (shm_path);
  }
  g_remove (db_path);
  g_rmdir (dir);
}

/* ---- the request log ---------------------------------------------------- */

/* The request log as the store reads it back: a GPtrArray of
 * PaRequestRecord, oldest first. */
static GPtrArray *
read_log_rows (PaStore *store)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *rows = pa_store_list_requests (store, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (rows);
  return rows;
}

static void
remove_store_dir (const char *dir)
{
  static const char *const names[] = { "playalter.db", "playalter.db-wal", "playalter.db-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_remove (path);
    }
  g_rmdir (dir);
}

/* A store in a new temporary folder, @dir_out, for remove_store_dir(). */
static PaStore *
open_temp_store (char **dir_out)
{
  g_autoptr(GError) error = NULL;
  PaStore *store;

  *dir_out = g_dir_make_tmp ("pa-test-http-XXXXXX", &error);
  g_assert_no_error (error);
  store = pa_store_open (*dir_out, &error);
  g_assert_no_error (error);
  return store;
}

static void
test_http_request_log (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autoptr(PaStore) store = open_temp_store (&dir);
  g_autoptr(PaHttp) other_http = pa_http_new ();
  g_autoptr(PaRequestLog) request_log = NULL;
  g_autoptr(PaRequestLog) other_log = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  PaRequestRecord *row;

  request_log = pa_request_log_new (fixture->http, store);

  /* With a log context, retried: one row per attempt. */
  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 201, "{}");
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/prices");

    pa_http_request_add_query (request, "secret_q", QUERY_MARKER);
    pa_http_request_set_log_context (request, "run-7", "price", "stripe.price");
    send_and_drop (fixture->http, request);
  }

  /* Without one. */
  server_queue (fixture->server, 404, "{}");
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "DELETE", "/v1/items/1");

    send_and_drop (fixture->http, request);
  }

  /* No response at all: port 1 on loopback refuses. */
  {
    g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://127.0.0.1:1", "/down");
    g_autoptr(PaHttpResponse) response = NULL;
    g_autoptr(GError) local_error = NULL;

    pa_http_request_set_max_attempts (request, 1);
    response = send_request (fixture->http, request, NULL, &local_error);
    g_assert_error (local_error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  }

  rows = read_log_rows (store);
  g_assert_cmpuint (rows->len, ==, 4);

  row = g_ptr_array_index (rows, 0);
  g_assert_cmpstr (row->platform, ==, "peer");
  g_assert_cmpstr (row->method, ==, "GET");
  g_assert_cmpstr (row->path, ==, "/v1/prices");
  g_assert_cmpuint (row->http_status, ==, 503);
  g_assert_cmpstr (row->run_id, ==, "run-7");
  g_assert_cmpstr (row->step_id, ==, "price");
  g_assert_cmpstr (row->action, ==, "stripe.price");
  row = g_ptr_array_index (rows, 1);
  g_assert_cmpuint (row->http_status, ==, 201);
  g_assert_cmpstr (row->run_id, ==, "run-7");

  row = g_ptr_array_index (rows, 2);
  g_assert_cmpstr (row->method, ==, "DELETE");
  g_assert_cmpstr (row->path, ==, "/v1/items/1");
  g_assert_cmpuint (row->http_status, ==, 404);
  g_assert_null (row->run_id);
  g_assert_null (row->step_id);
  g_assert_null (row->action);

  row = g_ptr_array_index (rows, 3);
  g_assert_cmpstr (row->platform, ==, "127.0.0.1");
  g_assert_cmpstr (row->path, ==, "/down");
  g_assert_cmpuint (row->http_status, ==, 0);
  g_clear_pointer (&rows, g_ptr_array_unref);

  /* A log hears only its own client… */
  other_log = pa_request_log_new (other_http, store);
  g_clear_object (&request_log);
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/unlogged");

    send_and_drop (fixture->http, request);
  }
  rows = read_log_rows (store);
  g_assert_cmpuint (rows->len, ==, 4);
  g_clear_pointer (&rows, g_ptr_array_unref);

  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/other");

    send_and_drop (other_http, request);
  }
  rows = read_log_rows (store);
  g_assert_cmpuint (rows->len, ==, 5);
  g_assert_cmpstr (((PaRequestRecord *) g_ptr_array_index (rows, 4))->path, ==, "/other");

  /* …and only while it lives. */
  g_clear_object (&other_log);
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/other");

    send_and_drop (other_http, request);
  }
  g_clear_pointer (&rows, g_ptr_array_unref);
  rows = read_log_rows (store);
  g_assert_cmpuint (rows->len, ==, 5);
  assert_log_clean ();

  g_clear_object (&store);
  remove_store_dir (dir);
}

/* A client for one workflow step sends through its parent, whose log
 * hears it, and fills in only what a request's own context leaves out. */
static void
test_http_log_context_client (Fixture       *fixture,
                              gconstpointer  data)
{
  g_autofree char *dir = NULL;
  g_autoptr(PaStore) store = open_temp_store (&dir);
  g_autoptr(PaRequestLog) request_log = NULL;
  g_autoptr(PaHttp) step_http = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  PaRequestRecord *row;

  request_log = pa_request_log_new (fixture->http, store);
  step_http = pa_http_new_with_log_context (fixture->http, "run-9", "pay", "stripe.price");

  /* The parent's settings apply: its fast backoff makes the retry quick. */
  server_queue (fixture->server, 503, "{}");
  server_queue (fixture->server, 200, "{}");
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/prices");

    send_and_drop (step_http, request);
    g_assert_cmpstr (pa_http_request_get_run_id (request), ==, "run-9");
  }
  server_queue (fixture->server, 200, "{}");
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/check");

    pa_http_request_set_log_context (request, NULL, NULL, "check");
    send_and_drop (step_http, request);
  }

  /* The parent's breaker, not one of the step's own. */
  g_assert_true (pa_http_get_breaker (step_http, "peer") == pa_http_get_breaker (fixture->http,
                                                                                 "peer"));
  g_assert_true (pa_http_get_session (step_http) == pa_http_get_session (fixture->http));

  /* Heard by the parent's listeners, once per attempt. */
  g_assert_cmpuint (fixture->logged->len, ==, 3);
  rows = read_log_rows (store);
  g_assert_cmpuint (rows->len, ==, 3);
  for (guint i = 0; i < 2; i++)
    {
      row = g_ptr_array_index (rows, i);
      g_assert_cmpstr (row->path, ==, "/v1/prices");
      g_assert_cmpstr (row->run_id, ==, "run-9");
      g_assert_cmpstr (row->step_id, ==, "pay");
      g_assert_cmpstr (row->action, ==, "stripe.price");
    }
  row = g_ptr_array_index (rows, 2);
  g_assert_cmpstr (row->path, ==, "/v1/check");
  g_assert_cmpstr (row->run_id, ==, "run-9");
  g_assert_cmpstr (row->step_id, ==, "pay");
  g_assert_cmpstr (row->action, ==, "check");
  assert_log_clean ();

  g_clear_object (&request_log);
  g_clear_object (&store);
  remove_store_dir (dir);
}

/* ---- credentials from a provider ----------------------------------------- */

#define TEST_TYPE_CREDENTIALS (test_credentials_get_type ())
G_DECLARE_FINAL_TYPE (TestCredentials, test_credentials, TEST, CREDENTIALS, GObject)

/* A provider of our own, to see what PaHttp asks and to answer as any
 * store might. */
struct _TestCredentials
{
  GObject     parent_instance;

  GHashTable *secrets;   /* "scope/profile/field" → secret */
  GPtrArray  *asked;     /* "scope/profile/field", in order */
  GError     *error;     /* the answer to every lookup, when set */
};

static void test_credentials_iface_init (PaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestCredentials, test_credentials, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PA_TYPE_CREDENTIAL_PROVIDER,
                                                      test_credentials_iface_init))

static void
test_credentials_lookup_async (PaCredentialProvider *provider,
                               const char           *scope,
                               const char           *profile,
                               const char           *field,
                               GCancellable         *cancellable,
                               GAsyncReadyCallback   callback,
                               gpointer              user_data)
{
  TestCredentials *self = TEST_CREDENTIALS (provider);
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  char *name = g_strdup_printf ("%s/%s/%s", scope, profile, field);
  const char *secret = g_hash_table_lookup (self->secrets, name);

  g_ptr_array_add (self->asked, name);
  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else if (secret == NULL)
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND, "Nothing stored for %s", name);
  else
    g_task_return_pointer (task, g_strdup (secret), g_free);
}

static char *
test_credentials_lookup_finish (PaCredentialProvider  *provider,
                                GAsyncResult          *result,
                                GError               **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_credentials_iface_init (PaCredentialProviderInterface *iface)
{
  iface->lookup_async = test_credentials_lookup_async;
  iface->lookup_finish = test_credentials_lookup_finish;
}

static void
test_credentials_finalize (GObject *object)
{
  TestCredentials *self = TEST_CREDENTIALS (object);

  g_hash_table_unref (self->secrets);
  g_ptr_array_unref (self->asked);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (test_credentials_parent_class)->finalize (object);
}

static void
test_credentials_class_init (TestCredentialsClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_credentials_finalize;
}

static void
test_credentials_init (TestCredentials *self)
{
  self->secrets = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->asked = g_ptr_array_new_with_free_func (g_free);
}

static void
test_credentials_put (TestCredentials *self,
                      const char      *scope,
                      const char      *profile,
                      const char      *field,
                      const char      *secret)
{
  g_hash_table_insert (self->secrets, g_strdup_printf ("%s/%s/%s", scope, profile, field),
                       g_strdup (secret));
}

static void
test_credentials_fail_with (TestCredentials *self,
                            PaErrorCode      code,
                            const char      *message)
{
  g_clear_error (&self->error);
  if (message != NULL)
    self->error = g_error_new_literal (PA_ERROR, code, message);
}

static const char *
test_credentials_asked (TestCredentials *self,
                        guint            i)
{
  g_assert_cmpuint (i, <, self->asked->len);
  return g_ptr_array_index (self->asked, i);
}

/* Sends a request with deferred credentials; the error, if any. */
static GError *
send_deferred (Fixture    *fixture,
               PaAuthKind  kind,
               const char *profile,
               const char *header,
               const char *field,
               const char *field2,
               gboolean    optional)
{
  g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/me");
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;

  pa_http_request_set_deferred_auth (request, kind, "peer", profile, header, field, field2,
                                     optional);
  response = send_request (fixture->http, request, NULL, &error);
  g_assert_true ((response == NULL) == (error != NULL));
  return error;
}

static void
test_http_credential_provider (Fixture       *fixture,
                               gconstpointer  data)
{
  g_autoptr(TestCredentials) credentials = g_object_new (TEST_TYPE_CREDENTIALS, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) "u_1:" CANARY,
                                              strlen ("u_1:" CANARY));
  g_autofree char *expected_basic = g_strconcat ("Basic ", encoded, NULL);
  GError *error;

  test_credentials_put (credentials, "peer", "default", "api-key", CANARY);
  test_credentials_put (credentials, "peer", "studio", "user", "u_1");
  test_credentials_put (credentials, "peer", "studio", "password", CANARY);
  test_credentials_put (credentials, "peer", "half", "user", "u_2");
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));
  g_assert_true (pa_http_get_credential_provider (fixture->http) ==
                 PA_CREDENTIAL_PROVIDER (credentials));

  /* Bearer: the field of scope/profile, "default" when no profile is named. */
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, FALSE));
  g_assert_cmpstr (test_credentials_asked (credentials, 0), ==, "peer/default/api-key");
  g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer " CANARY);

  /* Basic: two fields, in order. */
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BASIC, "studio", NULL, "user", "password",
                                    FALSE));
  g_assert_cmpstr (test_credentials_asked (credentials, 1), ==, "peer/studio/user");
  g_assert_cmpstr (test_credentials_asked (credentials, 2), ==, "peer/studio/password");
  g_assert_cmpstr (server_seen (fixture->server, 1)->authorization, ==, expected_basic);

  /* A header of the caller's choice. */
  g_assert_no_error (send_deferred (fixture, PA_AUTH_HEADER, NULL, "X-Api-Key", "api-key", NULL,
                                    FALSE));
  g_assert_cmpstr (server_seen (fixture->server, 2)->api_key, ==, CANARY);
  g_assert_null (server_seen (fixture->server, 2)->authorization);
  g_assert_cmpuint (credentials->asked->len, ==, 4);

  /* Missing and needed: an auth failure in the provider's words, nothing sent. */
  error = send_deferred (fixture, PA_AUTH_BEARER, "nobody", NULL, "api-key", NULL, FALSE);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "Nothing stored for peer/nobody/api-key");
  g_clear_error (&error);
  error = send_deferred (fixture, PA_AUTH_BASIC, "half", NULL, "user", "password", FALSE);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "Nothing stored for peer/half/password");
  g_clear_error (&error);
  g_assert_cmpuint (fixture->server->seen->len, ==, 3);

  /* Missing and optional (a local server): sent without any. */
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BEARER, "nobody", NULL, "api-key", NULL,
                                    TRUE));
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BASIC, "half", NULL, "user", "password",
                                    TRUE));
  g_assert_cmpuint (fixture->server->seen->len, ==, 5);
  g_assert_null (server_seen (fixture->server, 3)->authorization);
  g_assert_null (server_seen (fixture->server, 4)->authorization);

  /* A store that refused (a locked keyring) may hold the key: an error
   * even when optional, and nothing sent. */
  test_credentials_fail_with (credentials, PA_ERROR_AUTH, "The keyring is locked");
  error = send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, TRUE);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_cmpstr (error->message, ==, "The keyring is locked");
  g_clear_error (&error);
  g_assert_cmpuint (fixture->server->seen->len, ==, 5);

  /* No store at all: fine when optional, the store's error otherwise. */
  test_credentials_fail_with (credentials, PA_ERROR_UNAVAILABLE, "No keyring");
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, TRUE));
  g_assert_cmpuint (fixture->server->seen->len, ==, 6);
  g_assert_null (server_seen (fixture->server, 5)->authorization);
  error = send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, FALSE);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->server->seen->len, ==, 6);

  /* No provider is the same as no store. */
  pa_http_set_credential_provider (fixture->http, NULL);
  g_assert_no_error (send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, TRUE));
  g_assert_cmpuint (fixture->server->seen->len, ==, 7);
  g_assert_null (server_seen (fixture->server, 6)->authorization);
  error = send_deferred (fixture, PA_AUTH_BEARER, NULL, NULL, "api-key", NULL, FALSE);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_clear_error (&error);
  g_assert_cmpuint (fixture->server->seen->len, ==, 7);

  assert_log_clean ();
}

/* A platform client's requests ask for the platform's own fields, in the
 * scope of its id and the client's profile, and send them its way. */
static void
test_http_platform_credentials (Fixture       *fixture,
                                gconstpointer  data)
{
  g_autoptr(TestCredentials) credentials = g_object_new (TEST_TYPE_CREDENTIALS, NULL);
  g_autofree char *encoded = g_base64_encode ((const guchar *) "cust_9:" CANARY,
                                              strlen ("cust_9:" CANARY));
  g_autofree char *expected_basic = g_strconcat ("Basic ", encoded, NULL);
  static const struct {
    const char *platform;
    gboolean    sent;
  } cases[] = {
    { "stripe", TRUE },
    { "n8n", TRUE },
    { "agora", TRUE },
    { "openai", TRUE },     /* nothing stored, but the key is optional */
    { "vercel", FALSE },    /* nothing stored, and needed */
  };

  test_credentials_put (credentials, "stripe", "studio", "api-key", CANARY);
  test_credentials_put (credentials, "n8n", "studio", "api-key", CANARY);
  test_credentials_put (credentials, "agora", "studio", "customer-id", "cust_9");
  test_credentials_put (credentials, "agora", "studio", "customer-secret", CANARY);
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaPlatform) client = pa_platform_new (cases[i].platform, fixture->http, "studio",
                                                      fixture->server->url, &error);
      g_autoptr(PaHttpRequest) request = NULL;
      g_autoptr(PaHttpResponse) response = NULL;

      g_assert_no_error (error);
      request = pa_platform_new_request (client, "GET", "/whoami");
      g_assert_cmpstr (pa_http_request_get_breaker_key (request), ==, cases[i].platform);
      response = send_request (fixture->http, request, NULL, &error);
      if (cases[i].sent)
        g_assert_no_error (error);
      else
        g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
    }

  g_assert_cmpuint (fixture->server->seen->len, ==, 4);
  g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer " CANARY);
  g_assert_cmpstr (server_seen (fixture->server, 1)->n8n_key, ==, CANARY);
  g_assert_null (server_seen (fixture->server, 1)->authorization);
  g_assert_cmpstr (server_seen (fixture->server, 2)->authorization, ==, expected_basic);
  g_assert_null (server_seen (fixture->server, 3)->authorization);

  g_assert_cmpuint (credentials->asked->len, ==, 6);
  g_assert_cmpstr (test_credentials_asked (credentials, 0), ==, "stripe/studio/api-key");
  g_assert_cmpstr (test_credentials_asked (credentials, 1), ==, "n8n/studio/api-key");
  g_assert_cmpstr (test_credentials_asked (credentials, 2), ==, "agora/studio/customer-id");
  g_assert_cmpstr (test_credentials_asked (credentials, 3), ==, "agora/studio/customer-secret");
  g_assert_cmpstr (test_credentials_asked (credentials, 4), ==, "openai/studio/api-key");
  g_assert_cmpstr (test_credentials_asked (credentials, 5), ==, "vercel/studio/api-key");
  assert_log_clean ();
}

/* Clients made without a PaHttp share the process's, which reads keys
 * from the keyring unless someone chose another provider for it. */
static void
test_http_default_client_credentials (void)
{
  g_autoptr(PaPlatform) client = pa_platform_new ("stripe", NULL, NULL, NULL, NULL);
  g_autoptr(TestCredentials) credentials = g_object_new (TEST_TYPE_CREDENTIALS, NULL);
  PaHttp *http = pa_http_get_default ();

  g_assert_true (pa_platform_get_http (client) == http);
  g_assert_true (PA_IS_KEYRING_CREDENTIALS (pa_http_get_credential_provider (http)));

  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  g_assert_true (pa_platform_get_default_http () == http);
  g_assert_true (pa_http_get_credential_provider (http) == PA_CREDENTIAL_PROVIDER (credentials));

  pa_http_set_credential_provider (http, NULL);
  http = pa_platform_get_default_http ();
  g_assert_true (PA_IS_KEYRING_CREDENTIALS (pa_http_get_credential_provider (http)));
}

/* ---- credentials from the keyring ------------------------------------ */

static PaTestKeyring *keyring;

static gboolean
need_keyring (void)
{
  g_autoptr(GError) error = NULL;

  if (keyring != NULL)
    return TRUE;

  keyring = pa_test_keyring_start (&error);
  return pa_test_require_no_error (error);
}

typedef struct {
  GMainLoop *loop;
  gboolean   ok;
  GError    *error;
} SecretOp;

static void
secret_stored_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  SecretOp *op = user_data;

  op->ok = pa_secrets_store_finish (PA_SECRETS (source), result, &op->error);
  g_main_loop_quit (op->loop);
}

static void
secret_deleted_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  SecretOp *op = user_data;

  op->ok = pa_secrets_delete_finish (PA_SECRETS (source), result, &op->error);
  g_main_loop_quit (op->loop);
}

/* The async API on this thread's loop, as the app uses it. */
static void
secret_store (PaSecrets  *secrets,
              const char *platform,
              const char *profile,
              const char *field,
              const char *value)
{
  SecretOp op = { g_main_loop_new (NULL, FALSE), FALSE, NULL };

  pa_secrets_store_async (secrets, platform, profile, field, value, NULL,
                          secret_stored_cb, &op);
  g_main_loop_run (op.loop);
  g_main_loop_unref (op.loop);
  g_assert_no_error (op.error);
  g_assert_true (op.ok);
}

static void
secret_delete (PaSecrets  *secrets,
               const char *platform,
               const char *profile)
{
  SecretOp op = { g_main_loop_new (NULL, FALSE), FALSE, NULL };

  pa_secrets_delete_async (secrets, platform, profile, NULL, NULL, secret_deleted_cb, &op);
  g_main_loop_run (op.loop);
  g_main_loop_unref (op.loop);
  g_assert_no_error (op.error);
}

static void
test_http_keyring_auth (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaKeyringCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *encoded = NULL;
  g_autofree char *expected_basic = NULL;
  g_autoptr(JsonNode) body = json_from_string ("{\"note\": \"" BODY_MARKER "\"}", NULL);

  if (!need_keyring ())
    return;
  g_assert_true (pa_test_keyring_is_current (keyring));

  secrets = pa_secrets_new ();
  credentials = pa_keyring_credentials_new (secrets);
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));
  secret_store (secrets, "peer-bearer", "default", "api-key", CANARY);
  secret_store (secrets, "peer-basic", "studio", "customer-id", "cust_1");
  secret_store (secrets, "peer-basic", "studio", "customer-secret", CANARY);
  secret_store (secrets, "peer-header", "default", "api-key", CANARY);

  /* Bearer, looked up just before sending. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "POST", "/v1/charges");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "peer-bearer", NULL,
                                       NULL, "api-key", NULL, FALSE);
    pa_http_request_set_json_body (request, body);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (server_seen (fixture->server, 0)->authorization, ==, "Bearer " CANARY);
  }

  /* Basic, from two fields of a named profile. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/streams");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BASIC, "peer-basic", "studio",
                                       NULL, "customer-id", "customer-secret", FALSE);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_no_error (error);
    encoded = g_base64_encode ((const guchar *) "cust_1:" CANARY, strlen ("cust_1:" CANARY));
    expected_basic = g_strconcat ("Basic ", encoded, NULL);
    g_assert_cmpstr (server_seen (fixture->server, 1)->authorization, ==, expected_basic);
  }

  /* A custom header. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/api/v1/workflows");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_HEADER, "peer-header", NULL,
                                       "X-Api-Key", "api-key", NULL, FALSE);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (server_seen (fixture->server, 2)->api_key, ==, CANARY);
  }

  /* Not signed in: a clear error, and nothing sent. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/account");
    g_autoptr(PaHttpResponse) response = NULL;
    g_autoptr(GError) local_error = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "stripe", "nobody",
                                       NULL, "api-key", NULL, FALSE);
    response = send_request (fixture->http, request, NULL, &local_error);
    g_assert_error (local_error, PA_ERROR, PA_ERROR_AUTH);
    g_assert_nonnull (strstr (local_error->message, "Not signed in to Stripe"));
    g_assert_nonnull (strstr (local_error->message, "Accounts"));
    g_assert_null (response);
    g_assert_cmpuint (fixture->server->seen->len, ==, 3);
  }

  /* Optional credentials (a local server): sent without any. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/models");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "peer-local", NULL,
                                       NULL, "api-key", NULL, TRUE);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (fixture->server->seen->len, ==, 4);
    g_assert_null (server_seen (fixture->server, 3)->authorization);
  }

  assert_log_clean ();

  secret_delete (secrets, "peer-bearer", "default");
  secret_delete (secrets, "peer-basic", "studio");
  secret_delete (secrets, "peer-header", "default");
}

/* Runs last: it replaces the shared keyring with a bus that has none. */
static void
test_http_optional_auth_without_keyring (Fixture       *fixture,
                                         gconstpointer  data)
{
  g_autoptr(PaTestKeyring) bare = NULL;
  g_autoptr(PaKeyringCredentials) credentials = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&keyring, pa_test_keyring_stop);
  bare = pa_test_keyring_start_without_service (&error);
  if (!pa_test_require_no_error (error))
    return;

  credentials = pa_keyring_credentials_new (NULL);
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));

  /* A local server needs no key: no keyring is no reason to fail. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/models");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "peer-local", NULL,
                                       NULL, "api-key", NULL, TRUE);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);
    g_assert_null (server_seen (fixture->server, 0)->authorization);
  }

  /* A platform that needs a key says why there is none, and sends nothing. */
  {
    g_autoptr(PaHttpRequest) request = request_new (fixture, "GET", "/v1/account");
    g_autoptr(PaHttpResponse) response = NULL;

    pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "peer-bearer", NULL,
                                       NULL, "api-key", NULL, FALSE);
    response = send_request (fixture->http, request, NULL, &error);
    g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
    g_assert_null (response);
    g_assert_cmpuint (fixture->server->seen->len, ==, 1);
  }

  pa_http_set_credential_provider (fixture->http, NULL);
  g_clear_object (&credentials);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Every debug message is produced and captured, to be searched. */
  pa_test_log_capture_start ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/request/url", test_http_request_url);
  g_test_add_func ("/http/request/query", test_http_request_query);
  g_test_add_func ("/http/request/bad-url", test_http_request_bad_url);
  g_test_add_func ("/http/request/fields", test_http_request_fields);
  g_test_add_func ("/http/response/check", test_http_response_check);
  g_test_add_func ("/http/response/messages", test_http_response_messages);
  g_test_add_func ("/http/response/retry-after", test_http_response_retry_after);
  g_test_add_func ("/http/response/json", test_http_response_json);
  g_test_add_func ("/http/auth/default-client", test_http_default_client_credentials);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/http/send/get-json", test_http_get_json);
  ADD ("/http/send/bodies", test_http_bodies);
  ADD ("/http/send/bad-form-body", test_http_bad_form_body);
  ADD ("/http/retry/get-503-then-200", test_http_retry_get_503);
  ADD ("/http/retry/statuses", test_http_retryable_statuses);
  ADD ("/http/retry/exhausted", test_http_retries_exhausted);
  ADD ("/http/retry/retry-after-seconds", test_http_retry_after_seconds);
  ADD ("/http/retry/retry-after-date", test_http_retry_after_date);
  ADD ("/http/retry/retry-after-capped", test_http_retry_after_capped);
  ADD ("/http/retry/stripe-should-retry", test_http_stripe_should_retry);
  ADD ("/http/retry/post-without-key", test_http_post_without_key_not_retried);
  ADD ("/http/retry/post-with-key", test_http_post_with_key_retried);
  ADD ("/http/timeout", test_http_timeout);
  ADD ("/http/timeout-retried", test_http_timeout_retried);
  ADD ("/http/cancel/in-flight", test_http_cancel);
  ADD ("/http/cancel/during-backoff", test_http_cancel_during_backoff);
  ADD ("/http/cancel/before", test_http_cancel_before);
  ADD ("/http/oversize/content-length", test_http_oversize_content_length);
  ADD ("/http/oversize/chunked", test_http_oversize_chunked);
  ADD ("/http/oversize/chunked-within-limit", test_http_chunked_within_limit);
  ADD ("/http/stream/incremental", test_http_stream);
  ADD ("/http/stream/complete", test_http_stream_complete);
  ADD ("/http/unreachable", test_http_unreachable);
  ADD ("/http/breaker/opens", test_http_breaker);
  ADD ("/http/breaker/stops-retries", test_http_breaker_stops_retries);
  ADD ("/http/rate-limit", test_http_rate_limit);
  ADD ("/http/concurrent", test_http_concurrent);
  ADD ("/http/malformed-json", test_http_malformed_json);
  ADD ("/http/auth/direct", test_http_auth_direct);
  ADD ("/http/auth/redirect", test_http_redirect_strips_auth);
  ADD ("/http/invalid-url", test_http_invalid_url);
  ADD ("/http/canary", test_http_canary);
  ADD ("/http/request-log", test_http_request_log);
  ADD ("/http/request-log/step-client", test_http_log_context_client);
  ADD ("/http/auth/provider", test_http_credential_provider);
  ADD ("/http/auth/platform", test_http_platform_credentials);
  ADD ("/http/auth/keyring", test_http_keyring_auth);
  ADD ("/http/auth/optional-without-keyring", test_http_optional_auth_without_keyring);
#undef ADD

  status = g_test_run ();

  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
