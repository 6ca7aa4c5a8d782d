/* test-openai.c — PaOpenai and the SSE parser: OpenAI's contract (Prism) and scripted local servers
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
#include "pa-keyring-credentials.h"
#include "pa-openai.h"
#include "pa-secrets.h"
#include "pa-sse-parser.h"
#include "pa-test-keyring.h"
#include "pa-test-contract.h"
#include "pa-test-peer.h"

/* A key of the usual shape; only the peers' Authorization sees it. */
#define TEST_KEY     "sk-proj-PaCanary5e1f2a3b"
#define KEY_PROFILE  "default"
#define NO_KEY       "local"       /* a profile with no key stored */
#define WAIT_LIMIT_S 30

/* ---- waiting without sleeping ----------------------------------------- */

static gboolean
expired_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

typedef gboolean (*Condition) (gpointer data);

/* Runs the main loop until @condition holds; fails the test after
 * WAIT_LIMIT_S rather than hanging. */
static void
wait_for (Condition  condition,
          gpointer   data,
          const char *what)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (WAIT_LIMIT_S, expired_cb, &expired);

  while (!condition (data) && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    g_error ("Gave up waiting for %s", what);
  g_source_remove (id);
}

static gboolean
flag_is_set (gpointer data)
{
  return *(gboolean *) data;
}

/* ---- the keyring: a key for one profile, none for another -------------- */

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
  pa_secrets_store_sync (secrets, "openai", KEY_PROFILE, "api-key", TEST_KEY, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static PaHttp *
fast_http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  /* Retries wait milliseconds, except where a Retry-After says more. */
  pa_http_set_backoff (http, 1000, 10 * 1000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* ---- results ---------------------------------------------------------- */

typedef struct {
  gboolean  done;
  gpointer  value;
  GError   *error;
  GPtrArray *deltas;         /* streamed pieces, in order */
} Call;

static void
call_init (Call *call)
{
  memset (call, 0, sizeof *call);
  call->deltas = g_ptr_array_new_with_free_func (g_free);
}

static void
call_clear (Call *call)
{
  g_clear_error (&call->error);
  g_clear_pointer (&call->deltas, g_ptr_array_unref);
}

static void
call_wait (Call *call)
{
  wait_for (flag_is_set, &call->done, "the call to finish");
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_platform_check_finish (PA_PLATFORM (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
chat_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_openai_chat_finish (PA_OPENAI (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
stream_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_openai_chat_stream_finish (PA_OPENAI (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
images_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_openai_generate_images_finish (PA_OPENAI (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
moderate_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_openai_moderate_finish (PA_OPENAI (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
record_delta (const char *delta,
              gpointer    user_data)
{
  Call *call = user_data;

  g_assert_false (call->done);
  g_ptr_array_add (call->deltas, g_strdup (delta));
}

static PaIdentity *
run_check (PaOpenai  *openai,
           GError   **error)
{
  Call call;

  call_init (&call);
  pa_platform_check_async (PA_PLATFORM (openai), NULL, check_done, &call);
  call_wait (&call);
  if (call.error != NULL)
    g_propagate_error (error, g_steal_pointer (&call.error));
  call_clear (&call);
  return call.value;
}

static PaOpenaiChatResult *
run_chat (PaOpenai    *openai,
          const char  *model,
          GError     **error)
{
  g_autoptr(JsonArray) messages = NULL;
  Call call;

  messages = pa_openai_messages_add (NULL, "system", "You write short captions.");
  pa_openai_messages_add (messages, "user", "A caption for a photo of a lighthouse.");

  call_init (&call);
  pa_openai_chat_async (openai, model, messages, 0.2, 60, NULL, chat_done, &call);
  call_wait (&call);
  if (call.error != NULL)
    g_propagate_error (error, g_steal_pointer (&call.error));
  call_clear (&call);
  return call.value;
}

/* ---- the SSE parser --------------------------------------------------- */

typedef struct {
  const char *type;
  const char *data;
  const char *id;
} Expected;

/* Every rule of the event-stream format the parser must follow. */
static const char sse_stream[] =
  "\xEF\xBB\xBF"                        /* a byte-order mark, dropped */
  ": a comment, ignored\n"
  "data: one\n"
  "\n"
  "event: update\r\n"                   /* CRLF */
  "id: 7\r\n"
  "data:two\r\n"                        /* no space after the colon */
  "data:  three\r\n"                    /* only one space is dropped */
  "\r\n"
  "data\r"                              /* CR alone; no colon: empty value */
  "data: é🙂\r"
  "\r"
  "event: ignored\n"                    /* no data: not dispatched */
  "\n"
  "retry: 2500\n"
  "retry: soon\n"                       /* not digits: ignored */
  "unknown: field\n"
  "data: {\"a\": [1, 2]}\n"
  "id\n"                                /* resets the id to empty */
  "\n"
  "data: [DONE]\n"
  "\n"
  "data: partial, never ended";

static const Expected sse_expected[] = {
  { "message", "one", NULL },
  { "update", "two\n three", "7" },
  { "message", "\né🙂", "7" },
  { "message", "{\"a\": [1, 2]}", "" },
  { "message", "[DONE]", "" },
};

static void
assert_events (PaSseParser *parser,
               const char  *how)
{
  for (gsize i = 0; i < G_N_ELEMENTS (sse_expected); i++)
    {
      g_autoptr(PaSseEvent) event = pa_sse_parser_pop (parser);

      if (event == NULL)
        g_error ("%s: event %" G_GSIZE_FORMAT " is missing", how, i);
      g_assert_cmpstr (event->type, ==, sse_expected[i].type);
      g_assert_cmpstr (event->data, ==, sse_expected[i].data);
      g_assert_cmpstr (event->id, ==, sse_expected[i].id);
    }
  g_assert_null (pa_sse_parser_pop (parser));
  g_assert_true (pa_sse_parser_has_partial (parser));
  g_assert_cmpint (pa_sse_parser_get_retry_ms (parser), ==, 2500);
}

static void
test_sse_whole (void)
{
  g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (pa_sse_parser_get_retry_ms (parser), ==, -1);
  g_assert_true (pa_sse_parser_feed (parser, sse_stream, strlen (sse_stream), &error));
  g_assert_no_error (error);
  assert_events (parser, "fed whole");
}

/* Network reads split a stream anywhere: inside a field name, between
 * CR and LF, inside a UTF-8 sequence. */
static void
test_sse_split_everywhere (void)
{
  gsize len = strlen (sse_stream);

  for (gsize cut = 0; cut <= len; cut++)
    {
      g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
      g_autoptr(GError) error = NULL;
      g_autofree char *how = g_strdup_printf ("split at byte %" G_GSIZE_FORMAT, cut);

      g_assert_true (pa_sse_parser_feed (parser, sse_stream, cut, &error));
      g_assert_true (pa_sse_parser_feed (parser, sse_stream + cut, len - cut, &error));
      g_assert_no_error (error);
      assert_events (parser, how);
    }

  {
    g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < len; i++)
      g_assert_true (pa_sse_parser_feed (parser, sse_stream + i, 1, &error));
    g_assert_no_error (error);
    assert_events (parser, "fed byte by byte");
  }
}

/* Events come out as soon as their blank line is in, not later. */
static void
test_sse_incremental (void)
{
  g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
  g_autoptr(PaSseEvent) first = NULL;
  g_autoptr(PaSseEvent) second = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_sse_parser_feed (parser, "data: a\n", 8, &error));
  g_assert_null (pa_sse_parser_pop (parser));
  g_assert_true (pa_sse_parser_has_partial (parser));
  g_assert_true (pa_sse_parser_feed (parser, "\ndata: b\r", 9, &error));
  first = pa_sse_parser_pop (parser);
  g_assert_nonnull (first);
  g_assert_cmpstr (first->data, ==, "a");
  g_assert_null (pa_sse_parser_pop (parser));
  /* The LF completing "\r" must not count as a second line end. */
  g_assert_true (pa_sse_parser_feed (parser, "\n", 1, &error));
  g_assert_null (pa_sse_parser_pop (parser));
  g_assert_true (pa_sse_parser_feed (parser, "\r\n", 2, &error));
  second = pa_sse_parser_pop (parser);
  g_assert_nonnull (second);
  g_assert_cmpstr (second->data, ==, "b");
  g_assert_false (pa_sse_parser_has_partial (parser));
  g_assert_no_error (error);
}

/* The standard decodes bad bytes as U+FFFD; a strict parser (for JSON
 * events) refuses the event instead, even when the bytes come split. */
static void
test_sse_invalid_utf8 (void)
{
  static const char stream[] = "data: caf\xc3\x28 \xff\n\n";
  g_autoptr(PaSseParser) lenient = pa_sse_parser_new ();
  g_autoptr(PaSseParser) strict = pa_sse_parser_new ();
  g_autoptr(PaSseEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_sse_parser_feed (lenient, stream, sizeof stream - 1, &error));
  g_assert_no_error (error);
  event = pa_sse_parser_pop (lenient);
  g_assert_nonnull (event);
  g_assert_true (g_utf8_validate (event->data, -1, NULL));
  g_assert_nonnull (strstr (event->data, "\xef\xbf\xbd"));

  pa_sse_parser_set_strict_utf8 (strict, TRUE);
  g_assert_true (pa_sse_parser_feed (strict, stream, 10, &error));
  g_assert_false (pa_sse_parser_feed (strict, stream + 10, sizeof stream - 11, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (pa_sse_parser_pop (strict));
  g_clear_error (&error);
  g_assert_false (pa_sse_parser_feed (strict, "data: ok\n\n", 10, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
}

static void
test_sse_limit (void)
{
  g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_strnfill (100, 'x');

  pa_sse_parser_set_max_size (parser, 64);
  g_assert_true (pa_sse_parser_feed (parser, "data: ", 6, &error));
  g_assert_false (pa_sse_parser_feed (parser, line, 100, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_clear_error (&error);

  /* Many short data lines add up too. */
  pa_sse_parser_free (g_steal_pointer (&parser));
  parser = pa_sse_parser_new ();
  pa_sse_parser_set_max_size (parser, 64);
  for (int i = 0; i < 20 && error == NULL; i++)
    pa_sse_parser_feed (parser, "data: 0123456789\n", 17, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
}

/* ---- against the contract: Prism serving openai.yaml ------------------- */

/* openai.yaml takes ~20 s to load: one Prism for the whole program. */
static PaTestPeer *prism;
static gboolean prism_tried;
static GError *prism_error;

static PaOpenai *
prism_client (PaHttp **http)
{
  g_autofree char *spec = NULL;

  if (!need_keyring ())
    return NULL;
  spec = pa_test_fixtures_require ("openapi/openai.yaml");
  if (spec == NULL)
    return NULL;

  if (!prism_tried)
    {
      prism_tried = TRUE;
      prism = pa_test_prism_start ("openai.yaml", &prism_error);
    }
  if (!pa_test_require_no_error (prism_error) || prism == NULL)
    return NULL;

  *http = fast_http_new ();
  /* Prism serves the spec's paths at its root. */
  return pa_openai_new (*http, KEY_PROFILE, pa_test_peer_get_url (prism));
}

static void
test_prism_check (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = prism_client (&http);
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;

  if (openai == NULL)
    return;

  identity = run_check (openai, &error);
  g_assert_no_error (error);
  host = g_strdup_printf ("127.0.0.1:%u", pa_test_peer_get_port (prism));
  /* Not api.openai.com: the server is named by its address. */
  g_assert_cmpstr (identity->name, ==, host);
  g_assert_nonnull (identity->detail);
  g_assert_true (g_str_has_suffix (identity->detail, " models") ||
                 g_str_has_suffix (identity->detail, " model"));
}

static const char * const finish_reasons[] = {
  "stop", "length", "tool_calls", "content_filter", "function_call", NULL,
};

static void
test_prism_chat (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = prism_client (&http);
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(GError) error = NULL;

  if (openai == NULL)
    return;

  chat = run_chat (openai, "gpt-4o-mini", &error);
  g_assert_no_error (error);
  g_assert_nonnull (chat->text);
  /* The spec's example has both: a client that lost them would fail. */
  g_assert_nonnull (chat->finish_reason);
  g_assert_true (g_strv_contains (finish_reasons, chat->finish_reason));
  g_assert_true (chat->has_usage);
  g_assert_cmpint (chat->total_tokens, >=, 0);
}

/* A streamed request passes Prism's checks too. Prism cannot mock the
 * event stream itself (it answers 500, NO_COMPLEX_OBJECT_TEXT), so what is
 * asserted is Prism's verdict on the request, from its log, and that the
 * client reports that answer as the server's failure. */
static void
test_prism_chat_stream (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = prism_client (&http);
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(JsonArray) messages = NULL;
  gsize offset;
  Call call;

  if (openai == NULL)
    return;

  offset = pa_test_peer_get_log_size (prism);
  messages = pa_openai_messages_add (NULL, "user", "Say hello.");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "gpt-4o-mini", messages, -1, 0,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  call_wait (&call);
  /* Prism answers 500 ("Cannot serialise complex objects as text"): a
   * failure of the server, never a result. */
  g_assert_error (call.error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (call.error->message, "500"));
  g_assert_null (call.value);
  chat = call.value;
  call_clear (&call);
  g_assert_cmpuint (pa_test_prism_count_validated (prism, offset, "post /chat/completions"), ==, 1);
}

static void
test_prism_images (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = prism_client (&http);
  g_autoptr(GPtrArray) images = NULL;
  Call call;

  if (openai == NULL)
    return;

  call_init (&call);
  pa_openai_generate_images_async (openai, "dall-e-3", "A lighthouse at dawn", "1024x1024", 1,
                                   PA_OPENAI_IMAGE_FORMAT_B64_JSON, NULL, images_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  images = call.value;
  g_assert_cmpuint (images->len, >, 0);
  for (guint i = 0; i < images->len; i++)
    {
      PaOpenaiImage *image = images->pdata[i];

      g_assert_true ((image->bytes != NULL) != (image->url != NULL));
    }
  call_clear (&call);

  /* The URL form, and the server's defaults. */
  call_init (&call);
  pa_openai_generate_images_async (openai, NULL, "A lighthouse at dusk", NULL, 0,
                                   PA_OPENAI_IMAGE_FORMAT_URL, NULL, images_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  g_ptr_array_unref (call.value);
  call_clear (&call);
}

static const char * const moderation_categories[] = {
  "hate", "hate/threatening", "harassment", "harassment/threatening", "illicit",
  "illicit/violent", "self-harm", "self-harm/intent", "self-harm/instructions", "sexual",
  "sexual/minors", "violence", "violence/graphic", NULL,
};

static void
test_prism_moderation (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = prism_client (&http);
  g_autoptr(PaOpenaiModeration) moderation = NULL;
  Call call;

  if (openai == NULL)
    return;

  call_init (&call);
  pa_openai_moderate_async (openai, "omni-moderation-latest", "A friendly caption.", NULL,
                            moderate_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  moderation = call.value;
  call_clear (&call);

  g_assert_nonnull (moderation->categories);
  for (guint i = 0; moderation->categories[i] != NULL; i++)
    g_assert_true (g_strv_contains (moderation_categories, moderation->categories[i]));
  /* Flagged categories make a flagged result, and the other way round. */
  g_assert_cmpint (moderation->flagged, ==, moderation->categories[0] != NULL);
}

/* Prism checks what it can of this spec (paths, methods, the Bearer
 * scheme; bodies are checked below with ajv): a profile without a key
 * sends no Authorization, and OpenAI's contract refuses that. */
static void
test_prism_rejects (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) with_key = prism_client (&http);
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (with_key == NULL)
    return;

  openai = pa_openai_new (http, NO_KEY, pa_test_peer_get_url (prism));
  identity = run_check (openai, &error);
  g_assert_null (identity);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
}

/* ---- a scripted local server -------------------------------------------
 *
 * What no contract can show: a stream fed at the pace the test chooses,
 * a server without usage or without an endpoint, a 429 with Retry-After,
 * malformed bodies. Every body follows the shapes of openai.yaml
 * (ListModelsResponse, CreateChatCompletionResponse,
 * CreateChatCompletionStreamResponse, ErrorResponse), as an
 * OpenAI-compatible local server sends them, under /v1 like Ollama. */

typedef struct _Peer Peer;
typedef void (*Handler) (Peer              *peer,
                         SoupServerMessage *msg,
                         const char        *path);

typedef struct {
  char     *method;
  char     *path;
  char     *authorization;
  char     *accept;
  JsonNode *body;
} Seen;

struct _Peer {
  SoupServer        *server;
  char              *base_url;   /* http://127.0.0.1:PORT/v1 */
  int                port;
  GPtrArray         *seen;
  Handler            handler;
  guint              calls;
  /* A response the test writes piece by piece. */
  SoupServerMessage *held;
  gboolean           held_finished;
};

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen->authorization);
  g_free (seen->accept);
  g_clear_pointer (&seen->body, json_node_unref);
  g_free (seen);
}

static void
held_finished_cb (SoupServerMessage *msg,
                  gpointer           user_data)
{
  Peer *peer = user_data;

  peer->held_finished = TRUE;
}

static void
peer_cb (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  Peer *peer = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);
  Seen *seen = g_new0 (Seen, 1);

  seen->method = g_strdup (soup_server_message_get_method (msg));
  seen->path = g_strdup (path);
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  seen->accept = g_strdup (soup_message_headers_get_one (headers, "Accept"));
  if (body->length > 0)
    {
      g_autoptr(JsonParser) parser = json_parser_new ();

      g_assert_true (json_parser_load_from_data (parser, body->data, body->length, NULL));
      seen->body = json_node_ref (json_parser_get_root (parser));
    }
  g_ptr_array_add (peer->seen, seen);
  peer->calls++;

  peer->handler (peer, msg, path);
}

static Peer *
peer_new (Handler handler)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  peer->server = soup_server_new (NULL, NULL);
  peer->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  peer->handler = handler;
  soup_server_add_handler (peer->server, NULL, peer_cb, peer, NULL);
  g_assert_true (soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);

  uris = soup_server_get_uris (peer->server);
  peer->port = g_uri_get_port (uris->data);
  peer->base_url = g_strdup_printf ("http://127.0.0.1:%d/v1", peer->port);
  return peer;
}

static void
peer_free (Peer *peer)
{
  if (peer->held != NULL)
    {
      g_signal_handlers_disconnect_by_data (peer->held, peer);
      g_clear_object (&peer->held);
    }
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_ptr_array_unref (peer->seen);
  g_free (peer->base_url);
  g_free (peer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static Seen *
peer_seen (Peer  *peer,
           guint  index)
{
  g_assert_cmpuint (index, <, peer->seen->len);
  return peer->seen->pdata[index];
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *content_type,
       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, content_type, SOUP_MEMORY_COPY, body, strlen (body));
}

/* Starts an event stream the test then writes with peer_push(). */
static void
hold_stream (Peer              *peer,
             SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_assert_null (peer->held);
  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (headers, "text/event-stream", NULL);
  peer->held = g_object_ref (msg);
  g_signal_connect (msg, "finished", G_CALLBACK (held_finished_cb), peer);
  soup_server_message_pause (msg);
}

static gboolean
stream_is_held (gpointer data)
{
  return ((Peer *) data)->held != NULL;
}

static void
peer_push (Peer       *peer,
           const char *bytes,
           gsize       len)
{
  SoupMessageBody *body = soup_server_message_get_response_body (peer->held);

  soup_message_body_append (body, SOUP_MEMORY_COPY, bytes, len);
  soup_server_message_unpause (peer->held);
}

static void
peer_end (Peer *peer)
{
  soup_message_body_complete (soup_server_message_get_response_body (peer->held));
  soup_server_message_unpause (peer->held);
}

static PaOpenai *
scripted_client (Peer        *peer,
                 const char  *profile,
                 PaHttp     **http)
{
  *http = fast_http_new ();
  return pa_openai_new (*http, profile, peer->base_url);
}

/* One chunk of a streamed chat completion, as the contract shapes it. */
static char *
chunk (const char *delta_json,
       const char *finish_reason)
{
  g_autofree char *finish = finish_reason != NULL ? g_strdup_printf ("\"%s\"", finish_reason)
                                                  : g_strdup ("null");

  return g_strdup_printf ("{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                          "\"created\":1700000000,\"model\":\"llama3.2\","
                          "\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}",
                          delta_json, finish);
}

/* ---- handlers ---- */

static const char models_json[] =
  "{\"object\":\"list\",\"data\":["
  "{\"id\":\"llama3.2\",\"object\":\"model\",\"created\":1700000000,\"owned_by\":\"library\"},"
  "{\"id\":\"qwen2.5\",\"object\":\"model\",\"created\":1700000001,\"owned_by\":\"library\"}]}";

/* No id, created, logprobs or usage: what small local servers send. */
static const char local_chat_json[] =
  "{\"object\":\"chat.completion\",\"model\":\"llama3.2\","
  "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
  "\"content\":\"A lighthouse keeps watch.\"},\"finish_reason\":\"stop\"}]}";

static void
local_handler (Peer              *peer,
               SoupServerMessage *msg,
               const char        *path)
{
  if (g_str_equal (path, "/v1/models"))
    reply (msg, 200, "application/json", models_json);
  else if (g_str_equal (path, "/v1/chat/completions"))
    reply (msg, 200, "application/json", local_chat_json);
  else
    reply (msg, 404, "text/plain", "404 page not found");
}

static void
streaming_handler (Peer              *peer,
                   SoupServerMessage *msg,
                   const char        *path)
{
  g_assert_cmpstr (path, ==, "/v1/chat/completions");
  hold_stream (peer, msg);
}

/* ---- tests ---- */

/* No key stored: requests go out without credentials, and a local
 * server is named by its address. */
static void
test_local_server (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *host = NULL;
  Seen *seen;

  if (!need_keyring ())
    return;

  peer = peer_new (local_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  identity = run_check (openai, &error);
  g_assert_no_error (error);
  host = g_strdup_printf ("127.0.0.1:%d", peer->port);
  g_assert_cmpstr (identity->name, ==, host);
  g_assert_cmpstr (identity->detail, ==, "2 models");

  chat = run_chat (openai, "llama3.2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (chat->text, ==, "A lighthouse keeps watch.");
  g_assert_cmpstr (chat->finish_reason, ==, "stop");
  g_assert_cmpstr (chat->model, ==, "llama3.2");
  g_assert_false (chat->has_usage);

  g_assert_cmpuint (peer->seen->len, ==, 2);
  seen = peer_seen (peer, 0);
  g_assert_cmpstr (seen->method, ==, "GET");
  g_assert_cmpstr (seen->path, ==, "/v1/models");
  g_assert_null (seen->authorization);

  seen = peer_seen (peer, 1);
  g_assert_cmpstr (seen->method, ==, "POST");
  g_assert_cmpstr (seen->path, ==, "/v1/chat/completions");
  g_assert_null (seen->authorization);
  {
    JsonObject *body = json_node_get_object (seen->body);
    JsonArray *messages = json_object_get_array_member (body, "messages");
    JsonObject *second = json_array_get_object_element (messages, 1);

    g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "llama3.2");
    g_assert_cmpfloat_with_epsilon (json_object_get_double_member (body, "temperature"), 0.2, 1e-9);
    g_assert_cmpint (json_object_get_int_member (body, "max_tokens"), ==, 60);
    g_assert_false (json_object_has_member (body, "stream"));
    g_assert_cmpuint (json_array_get_length (messages), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (second, "role"), ==, "user");
    g_assert_cmpstr (json_object_get_string_member (second, "content"), ==,
                     "A caption for a photo of a lighthouse.");
  }
}

/* With a key stored, it goes out as a Bearer token; without temperature
 * and max_tokens, neither is sent. */
static void
test_key_sent (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(JsonArray) messages = NULL;
  JsonObject *body;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (local_handler);
  openai = scripted_client (peer, KEY_PROFILE, &http);

  messages = pa_openai_messages_add (NULL, "user", "Hi");
  call_init (&call);
  pa_openai_chat_async (openai, "llama3.2", messages, -1, 0, NULL, chat_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  chat = call.value;
  call_clear (&call);

  g_assert_cmpstr (peer_seen (peer, 0)->authorization, ==, "Bearer " TEST_KEY);
  body = json_node_get_object (peer_seen (peer, 0)->body);
  g_assert_false (json_object_has_member (body, "temperature"));
  g_assert_false (json_object_has_member (body, "max_tokens"));
}

typedef struct {
  Call  *call;
  guint  n;
} DeltaCount;

static gboolean
delta_count_reached (gpointer data)
{
  DeltaCount *count = data;

  return count->call->deltas->len >= count->n || count->call->done;
}

static void
wait_deltas (Call  *call,
             guint  n)
{
  DeltaCount count = { call, n };

  wait_for (delta_count_reached, &count, "streamed text");
  g_assert_false (call->done);
  g_assert_cmpuint (call->deltas->len, ==, n);
}

/* The stream arrives in pieces cut at awkward places; each piece of text
 * reaches the callback while the response is still open. */
static void
test_stream_incremental (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autofree char *c_role = chunk ("{\"role\":\"assistant\",\"content\":\"\"}", NULL);
  g_autofree char *c_hel = chunk ("{\"content\":\"Hel\"}", NULL);
  g_autofree char *c_lo = chunk ("{\"content\":\"lo, \"}", NULL);
  g_autofree char *c_world = chunk ("{\"content\":\"wörld 🙂\"}", NULL);
  g_autofree char *c_bang = chunk ("{\"content\":\"!\"}", NULL);
  g_autofree char *c_stop = chunk ("{}", "stop");
  g_autofree char *stream = NULL;
  const char *cuts[4];
  const char *end;
  JsonObject *body;
  Call call;

  if (!need_keyring ())
    return;

  stream = g_strconcat (": connected\n\n",
                        "data: ", c_role, "\n\n",
                        "data: ", c_hel, "\r\n\r\n",
                        "data: ", c_lo, "\n\n",
                        "data: ", c_world, "\r\r",
                        "data: ", c_bang, "\n\n",
                        ": keep-alive\n\n",
                        "data: ", c_stop, "\n\n",
                        "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\","
                        "\"created\":1700000000,\"model\":\"llama3.2\",\"choices\":[],"
                        "\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":5,"
                        "\"total_tokens\":14}}\n\n",
                        "data: [DONE]\n\n",
                        NULL);
  end = stream + strlen (stream);
  cuts[0] = strstr (stream, "\"Hel") + 3;           /* inside the text */
  cuts[1] = strstr (stream, "\r\n\r\n") + 1;        /* between CR and LF */
  cuts[2] = strstr (stream, "🙂") + 2;              /* inside a UTF-8 sequence */
  cuts[3] = strstr (stream, "[DO") + 3;             /* inside the end marker */

  peer = peer_new (streaming_handler);
  openai = scripted_client (peer, KEY_PROFILE, &http);

  messages = pa_openai_messages_add (NULL, "user", "Say hello");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "llama3.2", messages, 0.7, 0,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  wait_for (stream_is_held, peer, "the streamed request");

  peer_push (peer, stream, cuts[0] - stream);
  peer_push (peer, cuts[0], cuts[1] - cuts[0]);
  peer_push (peer, cuts[1], cuts[2] - cuts[1]);
  wait_deltas (&call, 2);
  g_assert_cmpstr (call.deltas->pdata[0], ==, "Hel");
  g_assert_cmpstr (call.deltas->pdata[1], ==, "lo, ");

  peer_push (peer, cuts[2], cuts[3] - cuts[2]);
  wait_deltas (&call, 4);
  g_assert_cmpstr (call.deltas->pdata[2], ==, "wörld 🙂");
  g_assert_cmpstr (call.deltas->pdata[3], ==, "!");
  /* Several pieces arrived, the response is still open. */
  g_assert_false (peer->held_finished);

  peer_push (peer, cuts[3], end - cuts[3]);
  peer_end (peer);
  call_wait (&call);
  g_assert_no_error (call.error);
  chat = call.value;

  g_assert_cmpuint (call.deltas->len, ==, 4);
  g_assert_cmpstr (chat->text, ==, "Hello, wörld 🙂!");
  g_assert_cmpstr (chat->finish_reason, ==, "stop");
  g_assert_cmpstr (chat->model, ==, "llama3.2");
  g_assert_true (chat->has_usage);
  g_assert_cmpint (chat->prompt_tokens, ==, 9);
  g_assert_cmpint (chat->completion_tokens, ==, 5);
  g_assert_cmpint (chat->total_tokens, ==, 14);
  call_clear (&call);

  g_assert_cmpstr (peer_seen (peer, 0)->accept, ==, "text/event-stream");
  g_assert_cmpstr (peer_seen (peer, 0)->authorization, ==, "Bearer " TEST_KEY);
  body = json_node_get_object (peer_seen (peer, 0)->body);
  g_assert_true (json_object_get_boolean_member (body, "stream"));
  g_assert_true (json_object_get_boolean_member (json_object_get_object_member (body, "stream_options"),
                                                 "include_usage"));
}

static void
cancel_on_first_delta (const char *delta,
                       gpointer    user_data)
{
  Call *call = user_data;

  g_ptr_array_add (call->deltas, g_strdup (delta));
}

/* Cancelling stops a stream that is still sending. */
static void
test_stream_cancel (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *c_one = chunk ("{\"content\":\"One\"}", NULL);
  g_autofree char *event = g_strconcat ("data: ", c_one, "\n\n", NULL);
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (streaming_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  messages = pa_openai_messages_add (NULL, "user", "Count slowly");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "llama3.2", messages, -1, 0,
                               cancel_on_first_delta, &call, NULL, cancellable,
                               stream_done, &call);
  wait_for (stream_is_held, peer, "the streamed request");
  peer_push (peer, event, strlen (event));
  wait_deltas (&call, 1);

  g_cancellable_cancel (cancellable);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_CANCELLED);

  /* More text after the cancel reaches nobody, and the server sees the
   * connection gone once it writes. */
  peer_push (peer, event, strlen (event));
  wait_for (flag_is_set, &peer->held_finished, "the server to see the stream closed");
  g_assert_cmpuint (call.deltas->len, ==, 1);
  call_clear (&call);
}

/* A stream that goes quiet fails after the idle timeout. */
static void
test_stream_idle_timeout (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autofree char *c_one = chunk ("{\"content\":\"One\"}", NULL);
  g_autofree char *event = g_strconcat ("data: ", c_one, "\n\n", NULL);
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (streaming_handler);
  openai = scripted_client (peer, NO_KEY, &http);
  pa_openai_set_stream_idle_timeout (openai, 1);

  messages = pa_openai_messages_add (NULL, "user", "Then stop");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "llama3.2", messages, -1, 0,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  wait_for (stream_is_held, peer, "the streamed request");
  peer_push (peer, event, strlen (event));
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_cmpuint (call.deltas->len, ==, 1);
  call_clear (&call);
}

/* Streams that end wrongly: malformed JSON in an event, an error event,
 * a connection closed before the end. */
static void
run_bad_stream (const char *stream,
                gsize       max_size,
                int         code,
                const char *message_part)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(JsonArray) messages = NULL;
  Call call;

  peer = peer_new (streaming_handler);
  openai = scripted_client (peer, NO_KEY, &http);
  pa_openai_set_stream_max_size (openai, max_size);

  messages = pa_openai_messages_add (NULL, "user", "Go");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "llama3.2", messages, -1, 0,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  wait_for (stream_is_held, peer, "the streamed request");
  peer_push (peer, stream, strlen (stream));
  peer_end (peer);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, code);
  if (strstr (call.error->message, message_part) == NULL)
    g_error ("“%s” does not mention “%s”", call.error->message, message_part);
  call_clear (&call);
}

static void
test_stream_bad (void)
{
  g_autofree char *c_one = chunk ("{\"content\":\"One\"}", NULL);
  g_autofree char *c_stop = chunk ("{}", "stop");
  g_autofree char *cut = NULL;
  g_autofree char *error_event = NULL;
  g_autofree char *no_done = NULL;

  if (!need_keyring ())
    return;

  cut = g_strconcat ("data: ", c_one, "\n\ndata: {\"id\":\"chatcmpl-1\",\"choi\n\n", NULL);
  run_bad_stream (cut, 0, PA_ERROR_PROTOCOL, "not valid JSON");

  error_event = g_strconcat ("data: ", c_one, "\n\n"
                             "data: {\"error\":{\"message\":\"The server had an error while "
                             "processing your request.\",\"type\":\"server_error\","
                             "\"param\":null,\"code\":null}}\n\n", NULL);
  run_bad_stream (error_event, 0, PA_ERROR_FAILED, "The server had an error");

  /* Closed before a finish reason or "[DONE]": the answer is cut. */
  run_bad_stream ("data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Half\"},"
                  "\"finish_reason\":null}]}\n\n",
                  0, PA_ERROR_PROTOCOL, "stopped before");

  /* A model's output can nest deeper than json-glib's stack allows: the
   * event is checked before it is parsed. */
  {
    g_autofree char *open = g_strnfill (100000, '[');
    g_autofree char *deep = g_strconcat ("data: ", c_one, "\n\ndata: ", open, "\n\n", NULL);

    run_bad_stream (deep, 0, PA_ERROR_PROTOCOL, "levels deep");
  }

  /* Many small events add up: the whole answer has a limit. */
  {
    g_autoptr(GString) many = g_string_new (NULL);

    for (guint i = 0; i < 64; i++)
      g_string_append_printf (many, "data: %s\n\n", c_one);
    run_bad_stream (many->str, 1024, PA_ERROR_PROTOCOL, "grew past");
  }

  /* Without "[DONE]" but with a finish reason, the answer is complete. */
  no_done = g_strconcat ("data: ", c_one, "\n\ndata: ", c_stop, "\n\n", NULL);
  {
    g_autoptr(Peer) peer = peer_new (streaming_handler);
    g_autoptr(PaHttp) http = NULL;
    g_autoptr(PaOpenai) openai = scripted_client (peer, NO_KEY, &http);
    g_autoptr(JsonArray) messages = pa_openai_messages_add (NULL, "user", "Go");
    g_autoptr(PaOpenaiChatResult) chat = NULL;
    Call call;

    call_init (&call);
    pa_openai_chat_stream_async (openai, "llama3.2", messages, -1, 0,
                                 record_delta, &call, NULL, NULL, stream_done, &call);
    wait_for (stream_is_held, peer, "the streamed request");
    peer_push (peer, no_done, strlen (no_done));
    peer_end (peer);
    call_wait (&call);
    g_assert_no_error (call.error);
    chat = call.value;
    g_assert_cmpstr (chat->text, ==, "One");
    g_assert_false (chat->has_usage);
    call_clear (&call);
  }
}

static void
json_instead_of_stream_handler (Peer              *peer,
                                SoupServerMessage *msg,
                                const char        *path)
{
  reply (msg, 200, "application/json", local_chat_json);
}

/* A server that ignores "stream" answers with one body: one delta. */
static void
test_stream_json_answer (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (json_instead_of_stream_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  messages = pa_openai_messages_add (NULL, "user", "Go");
  call_init (&call);
  pa_openai_chat_stream_async (openai, "llama3.2", messages, -1, 0,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  chat = call.value;
  g_assert_cmpstr (chat->text, ==, "A lighthouse keeps watch.");
  g_assert_cmpuint (call.deltas->len, ==, 1);
  g_assert_cmpstr (call.deltas->pdata[0], ==, "A lighthouse keeps watch.");
  call_clear (&call);
}

/* A local server without the endpoint says so clearly; an unknown model
 * on a server that has the endpoint is a different message. */
static void
model_missing_handler (Peer              *peer,
                       SoupServerMessage *msg,
                       const char        *path)
{
  if (g_str_equal (path, "/v1/chat/completions"))
    reply (msg, 404, "application/json",
           "{\"error\":{\"message\":\"The model `gpt-9` does not exist or you do not have "
           "access to it.\",\"type\":\"invalid_request_error\",\"param\":null,"
           "\"code\":\"model_not_found\"}}");
  else
    local_handler (peer, msg, path);
}

static void
test_absent_endpoint (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(GError) error = NULL;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (model_missing_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  call_init (&call);
  pa_openai_generate_images_async (openai, NULL, "A cat", "512x512", 1,
                                   PA_OPENAI_IMAGE_FORMAT_DEFAULT, NULL, images_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (call.error->message, "does not offer /images/generations"));
  call_clear (&call);

  call_init (&call);
  pa_openai_moderate_async (openai, NULL, "Hello", NULL, moderate_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (call.error->message, "does not offer /moderations"));
  call_clear (&call);

  chat = run_chat (openai, "gpt-9", &error);
  g_assert_null (chat);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "The model `gpt-9` does not exist"));
  g_assert_null (strstr (error->message, "does not offer"));
}

static void
rate_limit_handler (Peer              *peer,
                    SoupServerMessage *msg,
                    const char        *path)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  if (g_str_equal (path, "/v1/models") && peer->calls > 1)
    {
      reply (msg, 200, "application/json", models_json);
      return;
    }
  soup_message_headers_replace (headers, "Retry-After", g_str_equal (path, "/v1/models") ? "1" : "7");
  reply (msg, 429, "application/json",
         "{\"error\":{\"message\":\"Rate limit reached for requests.\",\"type\":\"requests\","
         "\"param\":null,\"code\":\"rate_limit_exceeded\"}}");
}

/* A 429 on a GET waits the Retry-After and succeeds; a chat (POST, not
 * safe to repeat) reports the limit with the wait and OpenAI's words. */
static void
test_rate_limited (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  if (!need_keyring ())
    return;

  peer = peer_new (rate_limit_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  started = g_get_monotonic_time ();
  identity = run_check (openai, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->calls, ==, 2);
  g_assert_cmpint (g_get_monotonic_time () - started, >=, 900 * 1000);

  chat = run_chat (openai, "llama3.2", &error);
  g_assert_null (chat);
  g_assert_error (error, PA_ERROR, PA_ERROR_RATE_LIMITED);
  g_assert_cmpuint (peer->calls, ==, 3);
  g_assert_nonnull (strstr (error->message, "Rate limit reached for requests"));
  g_assert_nonnull (strstr (error->message, "7 s"));
}

typedef struct {
  guint       status;
  const char *body;
  int         code;
  const char *message_part;
} ErrorCase;

static const ErrorCase error_cases[] = {
  { 401, "{\"error\":{\"message\":\"Incorrect API key provided: sk-proj-****.\","
         "\"type\":\"invalid_request_error\",\"param\":null,\"code\":\"invalid_api_key\"}}",
    PA_ERROR_AUTH, "Incorrect API key" },
  { 429, "{\"error\":{\"message\":\"You exceeded your current quota.\","
         "\"type\":\"insufficient_quota\",\"param\":null,\"code\":\"insufficient_quota\"}}",
    PA_ERROR_FAILED, "billing" },
  { 400, "{\"error\":{\"message\":\"This model's maximum context length is 8192 tokens.\","
         "\"type\":\"invalid_request_error\",\"param\":\"messages\","
         "\"code\":\"context_length_exceeded\"}}",
    PA_ERROR_INVALID_INPUT, "maximum context length" },
  { 503, "{\"error\":\"model is loading\"}", PA_ERROR_SERVER, "model is loading" },
  /* Malformed and truncated bodies of a 200. */
  { 200, "{\"choices\":[{\"index\":0,\"message\":{\"content\":\"Hi", PA_ERROR_PROTOCOL, "JSON" },
  { 200, "<html>Not JSON</html>", PA_ERROR_PROTOCOL, "JSON" },
  { 200, "[]", PA_ERROR_PROTOCOL, "not a JSON object" },
  { 200, "{\"object\":\"chat.completion\"}", PA_ERROR_PROTOCOL, "no choices" },
};

static const ErrorCase *current_case;

static void
error_case_handler (Peer              *peer,
                    SoupServerMessage *msg,
                    const char        *path)
{
  reply (msg, current_case->status, "application/json", current_case->body);
}

static void
test_error_objects (void)
{
  if (!need_keyring ())
    return;

  for (gsize i = 0; i < G_N_ELEMENTS (error_cases); i++)
    {
      g_autoptr(Peer) peer = peer_new (error_case_handler);
      g_autoptr(PaHttp) http = NULL;
      g_autoptr(PaOpenai) openai = scripted_client (peer, NO_KEY, &http);
      g_autoptr(PaOpenaiChatResult) chat = NULL;
      g_autoptr(GError) error = NULL;

      current_case = &error_cases[i];
      chat = run_chat (openai, "gpt-4o-mini", &error);
      g_assert_null (chat);
      if (error->domain != PA_ERROR || error->code != error_cases[i].code ||
          strstr (error->message, error_cases[i].message_part) == NULL)
        g_error ("case %" G_GSIZE_FORMAT ": got %d “%s”", i, error->code, error->message);
    }
}

static void
images_handler (Peer              *peer,
                SoupServerMessage *msg,
                const char        *path)
{
  g_assert_cmpstr (path, ==, "/v1/images/generations");
  reply (msg, 200, "application/json",
         "{\"created\":1713833628,\"data\":["
         "{\"b64_json\":\"iVBORw0KGgo=\",\"revised_prompt\":\"A red lighthouse\"},"
         "{\"url\":\"https://example.com/img.png\"}]}");
}

/* Both image forms are read, and the request says what was asked. */
static void
test_images_parsed (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(GPtrArray) images = NULL;
  PaOpenaiImage *image;
  JsonObject *body;
  Call call;
  gsize size;
  const guint8 *png;

  if (!need_keyring ())
    return;

  peer = peer_new (images_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  call_init (&call);
  pa_openai_generate_images_async (openai, "dall-e-2", "A lighthouse", "256x256", 2,
                                   PA_OPENAI_IMAGE_FORMAT_B64_JSON, NULL, images_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  images = call.value;
  call_clear (&call);

  g_assert_cmpuint (images->len, ==, 2);
  image = images->pdata[0];
  png = g_bytes_get_data (image->bytes, &size);
  g_assert_cmpuint (size, ==, 8);
  g_assert_cmpmem (png, 8, "\x89PNG\r\n\x1a\n", 8);
  g_assert_cmpstr (image->revised_prompt, ==, "A red lighthouse");
  image = images->pdata[1];
  g_assert_null (image->bytes);
  g_assert_cmpstr (image->url, ==, "https://example.com/img.png");

  body = json_node_get_object (peer_seen (peer, 0)->body);
  g_assert_cmpstr (json_object_get_string_member (body, "prompt"), ==, "A lighthouse");
  g_assert_cmpstr (json_object_get_string_member (body, "model"), ==, "dall-e-2");
  g_assert_cmpstr (json_object_get_string_member (body, "size"), ==, "256x256");
  g_assert_cmpint (json_object_get_int_member (body, "n"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (body, "response_format"), ==, "b64_json");
}

static void
moderation_handler (Peer              *peer,
                    SoupServerMessage *msg,
                    const char        *path)
{
  reply (msg, 200, "application/json",
         "{\"id\":\"modr-1\",\"model\":\"omni-moderation-latest\",\"results\":[{"
         "\"flagged\":true,\"categories\":{\"hate\":false,\"violence\":true,"
         "\"harassment\":true,\"illicit\":null},"
         "\"category_scores\":{\"hate\":0.01,\"violence\":0.9,\"harassment\":0.8,\"illicit\":0.0},"
         "\"category_applied_input_types\":{\"violence\":[\"text\"]}}]}");
}

static void
test_moderation_parsed (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(PaOpenaiModeration) moderation = NULL;
  const char * const expected[] = { "harassment", "violence", NULL };
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (moderation_handler);
  openai = scripted_client (peer, NO_KEY, &http);

  call_init (&call);
  pa_openai_moderate_async (openai, NULL, "Something nasty", NULL, moderate_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  moderation = call.value;
  call_clear (&call);

  g_assert_true (moderation->flagged);
  g_assert_cmpstrv (moderation->categories, expected);
  g_assert_cmpstr (moderation->model, ==, "omni-moderation-latest");
  g_assert_false (json_object_has_member (json_node_get_object (peer_seen (peer, 0)->body),
                                          "model"));
}

static void
capture_handler (Peer              *peer,
                 SoupServerMessage *msg,
                 const char        *path)
{
  if (g_str_equal (path, "/v1/images/generations"))
    images_handler (peer, msg, path);
  else if (g_str_equal (path, "/v1/moderations"))
    moderation_handler (peer, msg, path);
  else
    local_handler (peer, msg, path);
}

/* Every body the client builds is valid for openai.yaml, and a broken
 * body is not: the check can fail. */
static void
test_contract_bodies (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaOpenai) openai = NULL;
  g_autoptr(JsonArray) messages = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree gboolean *valid = NULL;
  g_auto(GStrv) errors = NULL;
  g_autofree PaTestBodyCase *cases = NULL;
  g_autoptr(GError) error = NULL;
  guint n;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (capture_handler);
  openai = scripted_client (peer, NO_KEY, &http);
  messages = pa_openai_messages_add (NULL, "system", "Be brief.");
  pa_openai_messages_add (messages, "user", "Hello");
  pa_openai_messages_add (messages, "assistant", "Hi!");
  pa_openai_messages_add (messages, "user", "A caption, please");

  pa_openai_chat_result_free (run_chat (openai, "gpt-4o-mini", &error));
  g_assert_no_error (error);

  call_init (&call);
  pa_openai_chat_async (openai, "gpt-4o-mini", messages, 1.5, 0, NULL, chat_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  pa_openai_chat_result_free (call.value);
  call_clear (&call);

  call_init (&call);
  pa_openai_chat_stream_async (openai, "gpt-4o-mini", messages, 0, 16,
                               record_delta, &call, NULL, NULL, stream_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  pa_openai_chat_result_free (call.value);
  call_clear (&call);

  for (PaOpenaiImageFormat format = PA_OPENAI_IMAGE_FORMAT_DEFAULT;
       format <= PA_OPENAI_IMAGE_FORMAT_B64_JSON; format++)
    {
      call_init (&call);
      pa_openai_generate_images_async (openai, format == PA_OPENAI_IMAGE_FORMAT_DEFAULT
                                               ? "gpt-image-1" : "dall-e-3",
                                       "A lighthouse", format == PA_OPENAI_IMAGE_FORMAT_URL
                                                       ? NULL : "1024x1024",
                                       (guint) format, format, NULL, images_done, &call);
      call_wait (&call);
      g_assert_no_error (call.error);
      g_ptr_array_unref (call.value);
      call_clear (&call);
    }

  for (guint i = 0; i < 2; i++)
    {
      call_init (&call);
      pa_openai_moderate_async (openai, i == 0 ? NULL : "omni-moderation-latest",
                                "A friendly caption", NULL, moderate_done, &call);
      call_wait (&call);
      g_assert_no_error (call.error);
      pa_openai_moderation_free (call.value);
      call_clear (&call);
    }

  n = peer->seen->len;
  g_assert_cmpuint (n, ==, 8);
  cases = g_new0 (PaTestBodyCase, n + 1);
  for (guint i = 0; i < n; i++)
    {
      Seen *seen = peer_seen (peer, i);

      g_assert_true (g_str_has_prefix (seen->path, "/v1/"));
      cases[i].method = seen->method;
      cases[i].path = seen->path + strlen ("/v1");
      cases[i].body = seen->body;
    }
  /* The control: no model, a role the contract does not know. */
  g_assert_true (json_parser_load_from_data (parser,
                                             "{\"messages\":[{\"role\":\"narrator\","
                                             "\"content\":\"Once\"}]}", -1, NULL));
  cases[n].method = "POST";
  cases[n].path = "/chat/completions";
  cases[n].body = json_parser_get_root (parser);

  valid = pa_test_validate_bodies ("openapi/openai.yaml", cases, n + 1, &errors);
  if (valid == NULL)
    return;
  for (guint i = 0; i < n; i++)
    if (!valid[i])
      g_error ("%s %s breaks the contract: %s", cases[i].method, cases[i].path, errors[i]);
  g_assert_false (valid[n]);
}

static void
test_bad_arguments (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaOpenai) openai = pa_openai_new (http, NULL, NULL);
  g_autoptr(JsonArray) empty = json_array_new ();
  g_autoptr(JsonArray) messages = pa_openai_messages_add (NULL, "user", "Hi");
  Call call;

  g_assert_cmpstr (pa_platform_get_id (PA_PLATFORM (openai)), ==, "openai");
  g_assert_cmpstr (pa_platform_get_base_url (PA_PLATFORM (openai)), ==,
                   "https://api.openai.com/v1");

  call_init (&call);
  pa_openai_chat_async (openai, "gpt-4o-mini", empty, -1, 0, NULL, chat_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  call_clear (&call);

  call_init (&call);
  pa_openai_chat_stream_async (openai, "", messages, -1, 0, NULL, NULL, NULL, NULL,
                               stream_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  call_clear (&call);

  call_init (&call);
  pa_openai_generate_images_async (openai, NULL, "", NULL, 0, PA_OPENAI_IMAGE_FORMAT_DEFAULT,
                                   NULL, images_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  call_clear (&call);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A short program name, for the peers' log file names. */
  g_set_prgname ("test-openai");

  g_test_add_func ("/openai/sse/whole", test_sse_whole);
  g_test_add_func ("/openai/sse/split-everywhere", test_sse_split_everywhere);
  g_test_add_func ("/openai/sse/incremental", test_sse_incremental);
  g_test_add_func ("/openai/sse/limit", test_sse_limit);
  g_test_add_func ("/openai/sse/invalid-utf8", test_sse_invalid_utf8);

  g_test_add_func ("/openai/bad-arguments", test_bad_arguments);

  g_test_add_func ("/openai/prism/check", test_prism_check);
  g_test_add_func ("/openai/prism/chat", test_prism_chat);
  g_test_add_func ("/openai/prism/chat-stream", test_prism_chat_stream);
  g_test_add_func ("/openai/prism/images", test_prism_images);
  g_test_add_func ("/openai/prism/moderation", test_prism_moderation);
  g_test_add_func ("/openai/prism/rejects", test_prism_rejects);

  g_test_add_func ("/openai/scripted/local-server", test_local_server);
  g_test_add_func ("/openai/scripted/key-sent", test_key_sent);
  g_test_add_func ("/openai/scripted/stream-incremental", test_stream_incremental);
  g_test_add_func ("/openai/scripted/stream-cancel", test_stream_cancel);
  g_test_add_func ("/openai/scripted/stream-idle-timeout", test_stream_idle_timeout);
  g_test_add_func ("/openai/scripted/stream-bad", test_stream_bad);
  g_test_add_func ("/openai/scripted/stream-json-answer", test_stream_json_answer);
  g_test_add_func ("/openai/scripted/absent-endpoint", test_absent_endpoint);
  g_test_add_func ("/openai/scripted/rate-limited", test_rate_limited);
  g_test_add_func ("/openai/scripted/error-objects", test_error_objects);
  g_test_add_func ("/openai/scripted/images", test_images_parsed);
  g_test_add_func ("/openai/scripted/moderation", test_moderation_parsed);
  g_test_add_func ("/openai/contract/request-bodies", test_contract_bodies);

  status = g_test_run ();

  g_clear_pointer (&prism, pa_test_peer_stop);
  g_clear_error (&prism_error);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
