/* pa-test-http-peer.c — a scripted HTTP peer on loopback, and sending to it
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "pa-test-credentials.h"
#include "pa-test-http-peer.h"

static void
step_free (PaTestHttpStep *step)
{
  g_free (step->body);
  g_free (step->location);
  g_free (step);
}

static void
seen_free (PaTestHttpSeen *seen)
{
  g_free (seen->method);
  g_free (seen->host);
  g_free (seen->path);
  g_free (seen->headers);
  g_free (seen);
}

PaTestHttpStep *
pa_test_http_peer_queue (PaTestHttpPeer     *peer,
                         PaTestHttpStepKind  kind,
                         guint               status,
                         const char         *body)
{
  PaTestHttpStep *step = g_new0 (PaTestHttpStep, 1);

  step->kind = kind;
  step->status = status;
  step->body = g_strdup (body != NULL ? body : "{}");
  g_queue_push_tail (&peer->steps, step);
  return step;
}

PaTestHttpSeen *
pa_test_http_peer_seen (PaTestHttpPeer *peer,
                        guint           i)
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
  PaTestHttpPeer *peer = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  PaTestHttpStep *step = g_queue_pop_head (&peer->steps);
  PaTestHttpSeen *seen = g_new0 (PaTestHttpSeen, 1);
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
    case PA_TEST_HTTP_STEP_DROP:
      {
        GIOStream *stream = soup_server_message_steal_connection (msg);

        g_io_stream_close (stream, NULL, NULL);
        g_object_unref (stream);
      }
      break;

    case PA_TEST_HTTP_STEP_STALL:
      soup_server_message_set_status (msg, 200, NULL);
      soup_message_headers_set_encoding (response_headers, SOUP_ENCODING_CHUNKED);
      soup_message_headers_set_content_type (response_headers, "application/json", NULL);
      soup_message_body_append (soup_server_message_get_response_body (msg),
                                SOUP_MEMORY_COPY, "[1,", 3);
      g_ptr_array_add (peer->held, g_object_ref (msg));
      break;

    case PA_TEST_HTTP_STEP_REDIRECT:
      soup_server_message_set_status (msg, step->status, NULL);
      soup_message_headers_replace (response_headers, "Location", step->location);
      break;

    case PA_TEST_HTTP_STEP_DELAY:
    case PA_TEST_HTTP_STEP_REPLY:
      soup_server_message_set_status (msg, step->status, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                        step->body, strlen (step->body));
      if (step->kind == PA_TEST_HTTP_STEP_DELAY)
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

PaTestHttpPeer *
pa_test_http_peer_new (void)
{
  PaTestHttpPeer *peer = g_new0 (PaTestHttpPeer, 1);
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

void
pa_test_http_peer_free (PaTestHttpPeer *peer)
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


/* Every plain-http request of @http goes to @peer, as to a proxy: the
 * way to see what would be sent to a host that is not loopback. */
void
pa_test_http_peer_route (PaHttp         *http,
                         PaTestHttpPeer *peer)
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

PaHttpResponse *
pa_test_http_send_full (PaHttp         *http,
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

PaHttpResponse *
pa_test_http_send (PaHttp         *http,
                   PaHttpRequest  *request,
                   GError        **error)
{
  return pa_test_http_send_full (http, request, FALSE, error);
}

PaHttp *
pa_test_http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaTestCredentials) secrets = pa_test_credentials_new ();

  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (secrets));
  return http;
}

guint
pa_test_http_secrets_asked (PaHttp *http)
{
  return pa_test_credentials_get_asked (PA_TEST_CREDENTIALS (pa_http_get_credential_provider (http)));
}

void
pa_test_http_set_empty_body (PaHttpRequest *request)
{
  g_autoptr(JsonNode) body = json_from_string ("{}", NULL);

  pa_http_request_set_json_body (request, body);
}

void
pa_test_http_count_attempt_cb (PaHttp        *http,
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

