/* test-replicate.c — PaReplicate against Prism, a scripted lifecycle peer and a Cog-style peer
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
#include "pa-limits.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-replicate.h"
#include "pa-replicate-download.h"
#include "pa-secrets.h"
#include "pa-store.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

#define API_KEY "r8_TEST_replicate_0c4f2a"

/* ---- waiting for async results on this thread's loop -------------------- */

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  g_assert_null (*slot);
  *slot = g_object_ref (result);
}

static GAsyncResult *
await_result (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* ---- the keyring, shared by every test that talks to the API ------------ */

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
  pa_secrets_store_sync (secrets, "replicate", "default", "api-key", API_KEY, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static PaHttp *
http_new (void)
{
  PaHttp *http = pa_http_new ();
  /* Without a test keyring, one of its own: it reports the keyring missing. */
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  /* Quick retries, so 5xx tests stay fast. */
  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* ---- synchronous wrappers over the async API ---------------------------- */

static PaIdentity *
check_sync (PaReplicate *client,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_platform_check_async (PA_PLATFORM (client), NULL, got_result_cb, &result);
  return pa_platform_check_finish (PA_PLATFORM (client), await_result (&result), error);
}

static PaReplicateModel *
get_model_sync (PaReplicate *client,
                const char  *model,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_replicate_get_model_async (client, model, NULL, got_result_cb, &result);
  return pa_replicate_get_model_finish (client, await_result (&result), error);
}

static PaReplicatePrediction *
create_sync (PaReplicate                    *client,
             const char                     *model,
             const char                     *version,
             const char                     *input_json,
             const PaReplicateCreateOptions *options,
             GError                        **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) input = json_from_string (input_json, NULL);

  g_assert_nonnull (input);
  pa_replicate_create_prediction_async (client, model, version, input, options, NULL,
                                        got_result_cb, &result);
  return pa_replicate_create_prediction_finish (client, await_result (&result), error);
}

static PaReplicatePrediction *
get_sync (PaReplicate *client,
          const char  *id,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_replicate_get_prediction_async (client, id, NULL, got_result_cb, &result);
  return pa_replicate_get_prediction_finish (client, await_result (&result), error);
}

static PaReplicatePrediction *
cancel_sync (PaReplicate *client,
             const char  *id,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_replicate_cancel_prediction_async (client, id, NULL, got_result_cb, &result);
  return pa_replicate_cancel_prediction_finish (client, await_result (&result), error);
}

static PaReplicateFile *
upload_sync (PaReplicate *client,
             const char  *content,
             const char  *filename,
             const char  *content_type,
             GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (content, strlen (content));

  pa_replicate_upload_bytes_async (client, bytes, filename, content_type, NULL,
                                   got_result_cb, &result);
  return pa_replicate_upload_bytes_finish (client, await_result (&result), error);
}

static GPtrArray *
download_sync (PaReplicate *client,
               JsonNode    *output,
               const char  *media_dir,
               PaStore     *store,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_replicate_download_outputs_async (client, output, media_dir, store, NULL, NULL,
                                       got_result_cb, &result);
  return pa_replicate_download_outputs_finish (client, await_result (&result), error);
}

/* Every progress report, as "status: line|line". */
static void
record_progress (const PaReplicatePrediction *prediction,
                 const char * const          *new_log_lines,
                 gpointer                     user_data)
{
  GPtrArray *seen = user_data;
  g_autofree char *lines = g_strjoinv ("|", (char **) new_log_lines);

  g_ptr_array_add (seen, g_strdup_printf ("%s: %s",
                                          pa_replicate_status_to_string (prediction->status),
                                          lines));
}

static PaReplicatePrediction *
wait_sync (PaReplicate                 *client,
           const PaReplicatePrediction *prediction,
           PaReplicateProgressFunc      progress,
           gpointer                     progress_data,
           GCancellable                *cancellable,
           GError                     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_replicate_wait_async (client, prediction, progress, progress_data, NULL, cancellable,
                           got_result_cb, &result);
  return pa_replicate_wait_finish (client, await_result (&result), error);
}

static gboolean
is_known_status (PaReplicateStatus status)
{
  return status != PA_REPLICATE_STATUS_UNKNOWN;
}

static gboolean
is_sha256_hex (const char *value)
{
  if (value == NULL || strlen (value) != 64)
    return FALSE;
  for (const char *p = value; *p != '\0'; p++)
    {
      if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
        return FALSE;
    }
  return TRUE;
}

/* ---- against the official contract (Prism) ------------------------------ */

static PaTestPeer *prism;

/* One Prism for all contract tests: it takes seconds to start. */
static gboolean
need_prism (void)
{
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return FALSE;
  if (prism != NULL)
    return TRUE;

  prism = pa_test_prism_start ("replicate.json", &error);
  return pa_test_require_no_error (error) && prism != NULL;
}

static PaReplicate *
prism_client (PaHttp     *http,
              const char *profile)
{
  PaReplicate *client = pa_replicate_new (http, profile, pa_test_peer_get_url (prism));

  pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
  return client;
}

static void
test_contract_check (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_prism ())
    return;
  http = http_new ();

  /* "auto" against a server that is not Cog: /health-check is unknown
   * there, so the client settles on the API. */
  client = pa_replicate_new (http, NULL, pa_test_peer_get_url (prism));
  g_assert_cmpint (pa_replicate_get_mode (client), ==, PA_REPLICATE_MODE_AUTO);
  identity = check_sync (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_replicate_get_mode (client), ==, PA_REPLICATE_MODE_API);

  /* username and type are required by the contract. */
  g_assert_nonnull (identity->id);
  g_assert_cmpstr (identity->id, !=, "");
  g_assert_nonnull (identity->name);
  g_assert_true (g_strcmp0 (identity->detail, "Organization") == 0 ||
                 g_strcmp0 (identity->detail, "Personal account") == 0);
}

static void
test_contract_no_key (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_prism ())
    return;
  http = http_new ();

  /* The key is optional for local servers, so a profile without one
   * sends none, and the contract's bearer scheme refuses it. */
  client = prism_client (http, "nobody");
  identity = check_sync (client, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_null (identity);
}

static void
test_contract_model (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicateModel) model = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_prism ())
    return;
  http = http_new ();
  client = prism_client (http, NULL);

  model = get_model_sync (client, "replicate/hello-world", &error);
  g_assert_no_error (error);
  g_assert_nonnull (model);
  g_assert_nonnull (model->json);
  g_assert_nonnull (model->owner);
  g_assert_nonnull (model->name);
  g_assert_nonnull (model->inputs);

  /* A bad name never reaches the network. */
  {
    g_autoptr(PaReplicateModel) none = NULL;
    g_autoptr(GError) local_error = NULL;

    none = get_model_sync (client, "hello-world/../x", &local_error);
    g_assert_error (local_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_assert_null (none);
  }
}

static void
assert_contract_prediction (PaReplicatePrediction *prediction)
{
  g_assert_nonnull (prediction);
  g_assert_nonnull (prediction->id);
  g_assert_cmpstr (prediction->id, !=, "");
  g_assert_true (is_known_status (prediction->status));
  g_assert_nonnull (prediction->get_url);
  g_assert_nonnull (prediction->cancel_url);
  g_assert_nonnull (prediction->json);
}

static void
test_contract_create (void)
{
  const char *events[] = { "start", "completed", NULL };
  PaReplicateCreateOptions options = { 0 };
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_prism ())
    return;
  http = http_new ();
  client = prism_client (http, NULL);

  /* Official model route. */
  {
    g_autoptr(PaReplicatePrediction) prediction = NULL;

    prediction = create_sync (client, "meta/meta-llama-3-70b-instruct", NULL,
                              "{\"prompt\": \"Write a haiku\"}", NULL, &error);
    g_assert_no_error (error);
    assert_contract_prediction (prediction);
  }

  /* Version route, with a webhook and Prefer: wait. */
  {
    g_autoptr(PaReplicatePrediction) prediction = NULL;

    options.webhook = "https://example.com/hooks/replicate";
    options.webhook_events = events;
    options.wait_s = 5;
    prediction = create_sync (client, NULL,
                              "replicate/hello-world:5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa",
                              "{\"text\": \"Alice\"}", &options, &error);
    g_assert_no_error (error);
    assert_contract_prediction (prediction);
  }

  /* Options outside the contract are refused before sending. */
  {
    g_autoptr(PaReplicatePrediction) prediction = NULL;
    g_autoptr(GError) local_error = NULL;
    const char *bad_events[] = { "finished", NULL };

    options.webhook_events = bad_events;
    prediction = create_sync (client, NULL, "abc", "{}", &options, &local_error);
    g_assert_error (local_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_clear_error (&local_error);

    options.webhook_events = NULL;
    options.wait_s = 61;
    prediction = create_sync (client, NULL, "abc", "{}", &options, &local_error);
    g_assert_error (local_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
}

static void
test_contract_get_cancel (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) got = NULL;
  g_autoptr(PaReplicatePrediction) canceled = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_prism ())
    return;
  http = http_new ();
  client = prism_client (http, NULL);

  got = get_sync (client, "gm3qorzdhgbfurvjtvhg6dckhu", &error);
  g_assert_no_error (error);
  assert_contract_prediction (got);

  canceled = cancel_sync (client, "gm3qorzdhgbfurvjtvhg6dckhu", &error);
  g_assert_no_error (error);
  assert_contract_prediction (canceled);

  {
    g_autoptr(PaReplicatePrediction) none = get_sync (client, "../account", &error);

    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_assert_null (none);
  }
}

/* The list a resumed step searches for a prediction it started before a
 * restart: the created_after filter must pass Prism's query validation. */
static void
test_contract_list (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(GPtrArray) predictions = NULL;
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) since = g_date_time_add_hours (now, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  gsize offset;

  if (!need_prism ())
    return;
  http = http_new ();
  client = prism_client (http, NULL);
  offset = pa_test_peer_get_log_size (prism);

  pa_replicate_list_predictions_async (client, since, 2, NULL, got_result_cb, &result);
  predictions = pa_replicate_list_predictions_finish (client, await_result (&result), &error);
  g_assert_no_error (error);
  g_assert_nonnull (predictions);
  g_assert_cmpuint (predictions->len, >, 0);
  for (guint i = 0; i < predictions->len; i++)
    {
      PaReplicatePrediction *prediction = g_ptr_array_index (predictions, i);

      g_assert_nonnull (prediction->id);
      g_assert_nonnull (prediction->json);
    }
  g_assert_cmpuint (pa_test_prism_count_validated (prism, offset, "get /predictions"), >=, 1);
}

static void
test_contract_upload (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicateFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GFile) gfile = NULL;

  if (!need_prism ())
    return;
  http = http_new ();
  client = prism_client (http, NULL);

  /* Multipart: Prism checks the required "content" part is there. */
  file = upload_sync (client, "a face, in a file", "face.txt", "text/plain", &error);
  g_assert_no_error (error);
  g_assert_nonnull (file);
  g_assert_nonnull (file->id);
  g_assert_true (g_str_has_prefix (file->url, "http"));
  g_assert_true (is_sha256_hex (file->sha256));
  g_assert_nonnull (file->content_type);
  g_clear_pointer (&file, pa_replicate_file_free);

  /* From disk, with the type guessed. */
  dir = g_dir_make_tmp ("test-replicate-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "input.png", NULL);
  g_file_set_contents (path, "\x89PNG\r\n\x1a\n-not-really", -1, &error);
  g_assert_no_error (error);
  gfile = g_file_new_for_path (path);
  {
    g_autoptr(GAsyncResult) result = NULL;

    pa_replicate_upload_file_async (client, gfile, NULL, NULL, got_result_cb, &result);
    file = pa_replicate_upload_file_finish (client, await_result (&result), &error);
    g_assert_no_error (error);
    g_assert_nonnull (file->id);
  }
  g_remove (path);
  g_rmdir (dir);
}

/* ---- a scripted peer ------------------------------------------------------
 *
 * What no contract can show: a prediction moving through its states, a
 * failure, a cancellation, a truncated body, a burst of 500s. Every body
 * here follows the Replicate contract's prediction object
 * (components.schemas.schemas_prediction_response in openapi/replicate.json:
 * id, model, version, input, output, data_removed, error, status,
 * created_at, urls{web, get, cancel}, plus logs). */

typedef struct {
  guint   status;
  char   *content_type;
  GBytes *body;
} Reply;

typedef struct {
  char   *method;
  char   *path;
  char   *prefer;
  char   *authorization;
  char   *content_type;
  GBytes *body;
  gint64  at_us;
} Seen;

typedef struct {
  SoupServer *server;
  char       *url;
  GHashTable *routes;  /* "METHOD /path" → GQueue of Reply; the last one stays */
  GPtrArray  *seen;
} Peer;

static void
reply_free (Reply *reply)
{
  g_free (reply->content_type);
  g_bytes_unref (reply->body);
  g_free (reply);
}

static void
route_free (GQueue *queue)
{
  g_queue_free_full (queue, (GDestroyNotify) reply_free);
}

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen->prefer);
  g_free (seen->authorization);
  g_free (seen->content_type);
  g_bytes_unref (seen->body);
  g_free (seen);
}

static void
peer_add_bytes (Peer       *peer,
                const char *method,
                const char *path,
                guint       status,
                const char *content_type,
                GBytes     *body)
{
  g_autofree char *key = g_strdup_printf ("%s %s", method, path);
  GQueue *queue = g_hash_table_lookup (peer->routes, key);
  Reply *reply = g_new0 (Reply, 1);

  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (peer->routes, g_steal_pointer (&key), queue);
    }
  reply->status = status;
  reply->content_type = g_strdup (content_type);
  reply->body = g_bytes_ref (body);
  g_queue_push_tail (queue, reply);
}

static void
peer_add (Peer       *peer,
          const char *method,
          const char *path,
          guint       status,
          const char *json)
{
  g_autoptr(GBytes) body = g_bytes_new (json, strlen (json));

  peer_add_bytes (peer, method, path, status, "application/json", body);
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
  g_autofree char *key = g_strdup_printf ("%s %s", soup_server_message_get_method (msg), path);
  GQueue *queue = g_hash_table_lookup (peer->routes, key);
  Seen *seen = g_new0 (Seen, 1);
  Reply *reply;

  seen->method = g_strdup (soup_server_message_get_method (msg));
  seen->path = g_strdup (path);
  seen->prefer = g_strdup (soup_message_headers_get_one (headers, "Prefer"));
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  seen->content_type = g_strdup (soup_message_headers_get_one (headers, "Content-Type"));
  seen->body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  seen->at_us = g_get_monotonic_time ();
  g_ptr_array_add (peer->seen, seen);

  if (queue == NULL || g_queue_is_empty (queue))
    {
      soup_server_message_set_status (msg, 404, NULL);
      soup_server_message_set_response (msg, "application/problem+json", SOUP_MEMORY_STATIC,
                                        "{\"detail\": \"Not found.\", \"status\": 404}", 38);
      return;
    }

  reply = g_queue_get_length (queue) > 1 ? g_queue_pop_head (queue) : g_queue_peek_head (queue);
  soup_server_message_set_status (msg, reply->status, NULL);
  soup_server_message_set_response (msg, reply->content_type, SOUP_MEMORY_COPY,
                                    g_bytes_get_data (reply->body, NULL),
                                    g_bytes_get_size (reply->body));
  if (g_queue_peek_head (queue) != reply)
    reply_free (reply);
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
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  peer->routes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) route_free);
  peer->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  return peer;
}

static void
peer_free (Peer *peer)
{
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_hash_table_unref (peer->routes);
  g_ptr_array_unref (peer->seen);
  g_free (peer->url);
  g_free (peer);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static guint
peer_count (Peer       *peer,
            const char *method,
            const char *path)
{
  guint n = 0;

  for (guint i = 0; i < peer->seen->len; i++)
    {
      Seen *seen = peer->seen->pdata[i];

      if (g_str_equal (seen->method, method) && g_str_equal (seen->path, path))
        n++;
    }
  return n;
}

static Seen *
peer_find (Peer       *peer,
           const char *method,
           const char *path,
           guint       nth)
{
  for (guint i = 0; i < peer->seen->len; i++)
    {
      Seen *seen = peer->seen->pdata[i];

      if (g_str_equal (seen->method, method) && g_str_equal (seen->path, path) && nth-- == 0)
        return seen;
    }
  g_assert_not_reached ();
  return NULL;
}

/* A prediction object as the contract shapes it. */
static char *
prediction_json (Peer       *peer,
                 const char *id,
                 const char *status,
                 const char *logs,
                 const char *output_json,
                 const char *error_text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *get_url = g_strdup_printf ("%s/predictions/%s", peer->url, id);
  g_autofree char *cancel_url = g_strdup_printf ("%s/predictions/%s/cancel", peer->url, id);
  g_autofree char *web_url = g_strdup_printf ("https://replicate.com/p/%s", id);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, id);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, "playalter/face-swap");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa");
  json_builder_set_member_name (builder, "input");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "image");
  json_builder_add_string_value (builder, "https://example.com/face.png");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "logs");
  json_builder_add_string_value (builder, logs);
  json_builder_set_member_name (builder, "output");
  if (output_json != NULL)
    json_builder_add_value (builder, json_from_string (output_json, NULL));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "data_removed");
  json_builder_add_boolean_value (builder, FALSE);
  json_builder_set_member_name (builder, "error");
  if (error_text != NULL)
    json_builder_add_string_value (builder, error_text);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "source");
  json_builder_add_string_value (builder, "api");
  json_builder_set_member_name (builder, "created_at");
  json_builder_add_string_value (builder, "2026-01-05T10:00:00.000000Z");
  json_builder_set_member_name (builder, "urls");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "web");
  json_builder_add_string_value (builder, web_url);
  json_builder_set_member_name (builder, "get");
  json_builder_add_string_value (builder, get_url);
  json_builder_set_member_name (builder, "cancel");
  json_builder_add_string_value (builder, cancel_url);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static void
peer_add_prediction (Peer       *peer,
                     const char *method,
                     const char *path,
                     guint       status,
                     const char *id,
                     const char *state,
                     const char *logs,
                     const char *output_json,
                     const char *error_text)
{
  g_autofree char *json = prediction_json (peer, id, state, logs, output_json, error_text);

  peer_add (peer, method, path, status, json);
}

static PaReplicate *
peer_client (PaHttp *http,
             Peer   *peer)
{
  PaReplicate *client = pa_replicate_new (http, NULL, peer->url);

  pa_replicate_set_mode (client, PA_REPLICATE_MODE_API);
  pa_replicate_set_poll_interval (client, 20, 80);
  return client;
}

/* A PNG signature and IHDR (3 × 2), then filler: enough to be sniffed
 * and measured. */
static GBytes *
fake_png (void)
{
  static const guint8 png[] = {
    0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
    0, 0, 0, 13, 'I', 'H', 'D', 'R',
    0, 0, 0, 3, 0, 0, 0, 2, 8, 6, 0, 0, 0,
    0x11, 0x22, 0x33, 0x44, 'p', 'l', 'a', 'y', 'a', 'l', 't', 'e', 'r',
  };

  return g_bytes_new_static (png, sizeof png);
}

static GBytes *
fake_gif (void)
{
  static const guint8 gif[] = { 'G', 'I', 'F', '8', '9', 'a', 5, 0, 4, 0, 0x80, 0, 0, ';' };

  return g_bytes_new_static (gif, sizeof gif);
}

static void
test_lifecycle_succeeded (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) start = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *output = NULL;
  const char *path = "/predictions/ufawqhfynnddngldkgtslldrkq";

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  output = g_strdup_printf ("[\"%s/files/out-0.png\", \"%s/files/mask\"]", peer->url, peer->url);
  peer_add_prediction (peer, "GET", path, 200, "ufawqhfynnddngldkgtslldrkq", "starting", "",
                       NULL, NULL);
  peer_add_prediction (peer, "GET", path, 200, "ufawqhfynnddngldkgtslldrkq", "processing",
                       "loading weights\n", NULL, NULL);
  peer_add_prediction (peer, "GET", path, 200, "ufawqhfynnddngldkgtslldrkq", "processing",
                       "loading weights\nstep 1/2\nstep 2", NULL, NULL);
  peer_add_prediction (peer, "GET", path, 200, "ufawqhfynnddngldkgtslldrkq", "succeeded",
                       "loading weights\nstep 1/2\nstep 2/2\r\ndone", output, NULL);

  /* Known only by its id, as after a restart: the first poll is at once. */
  start = pa_replicate_prediction_new ("ufawqhfynnddngldkgtslldrkq");
  done = wait_sync (client, start, record_progress, progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (done);
  g_assert_cmpint (done->status, ==, PA_REPLICATE_STATUS_SUCCEEDED);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (done->output));

  /* Each status once, each log line once; a half-written line waits. */
  g_assert_cmpuint (progress->len, ==, 4);
  g_assert_cmpstr (progress->pdata[0], ==, "starting: ");
  g_assert_cmpstr (progress->pdata[1], ==, "processing: loading weights");
  g_assert_cmpstr (progress->pdata[2], ==, "processing: step 1/2");
  g_assert_cmpstr (progress->pdata[3], ==, "succeeded: step 2/2|done");

  /* Backoff: 20, 40, 80 ms between polls (timers never fire early). */
  g_assert_cmpuint (peer_count (peer, "GET", path), ==, 4);
  for (guint i = 1; i < 4; i++)
    {
      gint64 gap = peer_find (peer, "GET", path, i)->at_us - peer_find (peer, "GET", path, i - 1)->at_us;

      g_assert_cmpint (gap, >=, (20 << (i - 1)) * 1000);
    }
  g_assert_cmpstr (peer_find (peer, "GET", path, 0)->authorization, ==, "Bearer " API_KEY);

  /* The outputs, saved and recorded. */
  {
    g_autoptr(GBytes) png = fake_png ();
    g_autoptr(GBytes) gif = fake_gif ();
    g_autofree char *data_dir = g_dir_make_tmp ("test-replicate-XXXXXX", &error);
    g_autofree char *media_dir = g_build_filename (data_dir, "media", NULL);
    g_autofree char *png_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
    g_autofree char *gif_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, gif);
    g_autoptr(PaStore) store = NULL;
    g_autoptr(GPtrArray) assets = NULL;
    g_autoptr(GDir) dir = NULL;
    PaReplicateAsset *first;
    PaReplicateAsset *second;
    const char *name;
    guint n_files = 0;

    g_assert_no_error (error);
    peer_add_bytes (peer, "GET", "/files/out-0.png", 200, "image/png", png);
    /* No extension and a generic type: named from the bytes. */
    peer_add_bytes (peer, "GET", "/files/mask", 200, "application/octet-stream", gif);

    store = pa_store_open (data_dir, &error);
    g_assert_no_error (error);

    assets = download_sync (client, done->output, media_dir, store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (assets->len, ==, 2);
    first = assets->pdata[0];
    second = assets->pdata[1];

    g_assert_cmpstr (first->sha256, ==, png_sha);
    g_assert_cmpstr (first->kind, ==, "image");
    g_assert_cmpstr (first->content_type, ==, "image/png");
    g_assert_cmpint (first->width, ==, 3);
    g_assert_cmpint (first->height, ==, 2);
    g_assert_cmpuint (first->size, ==, g_bytes_get_size (png));
    g_assert_true (g_str_has_prefix (first->path, media_dir));
    g_assert_true (g_str_has_suffix (first->path, ".png"));
    g_assert_cmpstr (second->sha256, ==, gif_sha);
    g_assert_cmpstr (second->content_type, ==, "image/gif");
    g_assert_true (g_str_has_suffix (second->path, ".gif"));
    g_assert_cmpint (second->width, ==, 5);
    g_assert_cmpint (second->height, ==, 4);

    /* The bytes on disk are the bytes served: hash them again. */
    for (guint i = 0; i < assets->len; i++)
      {
        PaReplicateAsset *asset = assets->pdata[i];
        g_autofree char *contents = NULL;
        g_autofree char *sha = NULL;
        gsize len;

        g_file_get_contents (asset->path, &contents, &len, &error);
        g_assert_no_error (error);
        sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
        g_assert_cmpstr (sha, ==, asset->sha256);
        g_assert_cmpint (asset->asset_id, >, 0);
      }

    /* Replicate's file URLs get the key; no temporary file is left. */
    g_assert_cmpstr (peer_find (peer, "GET", "/files/out-0.png", 0)->authorization, ==,
                     "Bearer " API_KEY);
    dir = g_dir_open (media_dir, 0, &error);
    g_assert_no_error (error);
    while ((name = g_dir_read_name (dir)) != NULL)
      {
        g_assert_false (g_str_has_suffix (name, ".part"));
        n_files++;
      }
    g_assert_cmpuint (n_files, ==, 2);

    /* One assets row each. */
    {
      g_autoptr(GPtrArray) rows = pa_store_list_assets (store, &error);
      gint64 now_ms = g_get_real_time () / 1000;

      g_assert_no_error (error);
      g_assert_cmpuint (rows->len, ==, 2);
      for (guint i = 0; i < 2; i++)
        {
          PaReplicateAsset *asset = assets->pdata[i];
          PaAssetRecord *row = rows->pdata[i];

          g_assert_cmpint (row->id, ==, asset->asset_id);
          g_assert_cmpstr (row->kind, ==, "image");
          g_assert_cmpstr (row->path, ==, asset->path);
          g_assert_cmpstr (row->sha256, ==, asset->sha256);
          g_assert_cmpint (row->width, ==, asset->width);
          g_assert_cmpint (row->height, ==, asset->height);
          g_assert_cmpint (row->created_at, <=, now_ms);
          g_assert_cmpint (row->created_at, >, now_ms - 60 * 1000);
          g_assert_null (row->run_id);
        }
    }

    for (guint i = 0; i < assets->len; i++)
      g_remove (((PaReplicateAsset *) assets->pdata[i])->path);
    g_clear_object (&store);
    {
      g_autofree char *db = g_build_filename (data_dir, "playalter.db", NULL);
      g_autofree char *wal = g_build_filename (data_dir, "playalter.db-wal", NULL);
      g_autofree char *shm = g_build_filename (data_dir, "playalter.db-shm", NULL);

      g_remove (db);
      g_remove (wal);
      g_remove (shm);
    }
    g_rmdir (media_dir);
    g_rmdir (data_dir);
  }
}

static void
test_download_limits (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *media_dir = NULL;
  g_autofree char *output_json = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(GBytes) big = g_bytes_new_take (g_malloc0 (4096), 4096);
  g_autoptr(GDir) dir = NULL;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);
  media_dir = g_dir_make_tmp ("test-replicate-media-XXXXXX", &error);
  g_assert_no_error (error);

  /* Too large: refused, and the partial file is removed. */
  peer_add_bytes (peer, "GET", "/files/big.bin", 200, "application/octet-stream", big);
  pa_replicate_set_max_download_size (client, 1000);
  output_json = g_strdup_printf ("\"%s/files/big.bin\"", peer->url);
  output = json_from_string (output_json, NULL);
  assets = download_sync (client, output, media_dir, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (assets);
  g_clear_error (&error);

  /* A missing file is the platform's 404. */
  g_clear_pointer (&output, json_node_unref);
  g_free (output_json);
  output_json = g_strdup_printf ("{\"video\": \"%s/files/gone.mp4\"}", peer->url);
  output = json_from_string (output_json, NULL);
  assets = download_sync (client, output, media_dir, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_null (assets);
  g_clear_error (&error);

  /* Text outputs are no files; nothing to do, nothing fails. */
  g_clear_pointer (&output, json_node_unref);
  output = json_from_string ("[\"Hello\", \" world\"]", NULL);
  assets = download_sync (client, output, media_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 0);

  dir = g_dir_open (media_dir, 0, &error);
  g_assert_no_error (error);
  g_assert_null (g_dir_read_name (dir));
  g_rmdir (media_dir);
}

static void
test_lifecycle_failed (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) created = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  peer_add_prediction (peer, "POST", "/models/playalter/face-swap/predictions", 201, "p2",
                       "starting", "", NULL, NULL);
  peer_add_prediction (peer, "GET", "/predictions/p2", 200, "p2", "processing",
                       "loading\n", NULL, NULL);
  peer_add_prediction (peer, "GET", "/predictions/p2", 200, "p2", "failed",
                       "loading\nTraceback\n", NULL, "CUDA out of memory");

  created = create_sync (client, "playalter/face-swap", NULL, "{\"image\": \"x\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (created->id, ==, "p2");
  g_assert_cmpint (created->status, ==, PA_REPLICATE_STATUS_STARTING);

  done = wait_sync (client, created, record_progress, progress, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, "CUDA out of memory"));
  g_assert_nonnull (strstr (error->message, "p2"));
  g_assert_null (done);

  g_assert_cmpuint (progress->len, ==, 3);
  g_assert_cmpstr (progress->pdata[0], ==, "starting: ");
  g_assert_cmpstr (progress->pdata[1], ==, "processing: loading");
  g_assert_cmpstr (progress->pdata[2], ==, "failed: Traceback");
}

typedef struct {
  PaReplicate           *client;
  GPtrArray             *progress;
  GAsyncResult          *cancel_result;
  GCancellable          *stop_waiting;
} CancelTest;

static void
cancel_on_processing (const PaReplicatePrediction *prediction,
                      const char * const          *new_log_lines,
                      gpointer                     user_data)
{
  CancelTest *test = user_data;

  record_progress (prediction, new_log_lines, test->progress);
  if (prediction->status == PA_REPLICATE_STATUS_PROCESSING && test->client != NULL)
    pa_replicate_cancel_prediction_async (test->client, prediction->id, NULL,
                                          got_result_cb, &test->cancel_result);
  if (prediction->status == PA_REPLICATE_STATUS_PROCESSING && test->stop_waiting != NULL)
    g_cancellable_cancel (test->stop_waiting);
}

static void
test_lifecycle_canceled (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) start = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(PaReplicatePrediction) canceled = NULL;
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  CancelTest test = { 0 };

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  peer_add_prediction (peer, "GET", "/predictions/p3", 200, "p3", "starting", "", NULL, NULL);
  peer_add_prediction (peer, "GET", "/predictions/p3", 200, "p3", "processing", "", NULL, NULL);
  peer_add_prediction (peer, "GET", "/predictions/p3", 200, "p3", "canceled", "", NULL, NULL);
  peer_add_prediction (peer, "POST", "/predictions/p3/cancel", 200, "p3", "canceled", "",
                       NULL, NULL);

  test.client = client;
  test.progress = progress;
  start = pa_replicate_prediction_new ("p3");
  done = wait_sync (client, start, cancel_on_processing, &test, NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (done);

  canceled = pa_replicate_cancel_prediction_finish (client, await_result (&test.cancel_result),
                                                    &error);
  g_clear_error (&error);
  g_clear_object (&test.cancel_result);
  g_assert_nonnull (canceled);
  g_assert_cmpint (canceled->status, ==, PA_REPLICATE_STATUS_CANCELED);
  g_assert_cmpuint (peer_count (peer, "POST", "/predictions/p3/cancel"), ==, 1);
  g_assert_cmpuint (progress->len, ==, 3);
  g_assert_cmpstr (progress->pdata[2], ==, "canceled: ");
}

static void
test_wait_cancelled_locally (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) start = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  CancelTest test = { 0 };

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);
  /* A long interval: only the cancellation can end the wait soon. */
  pa_replicate_set_poll_interval (client, 60 * 1000, 60 * 1000);

  peer_add_prediction (peer, "GET", "/predictions/p4", 200, "p4", "processing", "", NULL, NULL);

  test.progress = progress;
  test.stop_waiting = cancellable;
  start = pa_replicate_prediction_new ("p4");
  done = wait_sync (client, start, cancel_on_processing, &test, cancellable, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_nonnull (strstr (error->message, "keeps running"));
  g_assert_null (done);
  /* Only waiting stopped: the prediction itself was not cancelled. */
  g_assert_cmpuint (peer->seen->len, ==, 1);
}

/* A prediction that never ends is not waited on forever: past the
 * deadline it is cancelled on Replicate (it would go on costing money)
 * and the wait fails with PA_ERROR_TIMEOUT. */
static void
test_wait_deadline (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) start = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);
  pa_replicate_set_prediction_deadline (client, 1);

  peer_add_prediction (peer, "GET", "/predictions/p9", 200, "p9", "processing", "", NULL, NULL);
  peer_add_prediction (peer, "POST", "/predictions/p9/cancel", 200, "p9", "canceled", "",
                       NULL, NULL);

  started = g_get_monotonic_time ();
  start = pa_replicate_prediction_new ("p9");
  done = wait_sync (client, start, NULL, NULL, NULL, &error);
  g_assert_null (done);
  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "p9"));
  g_assert_nonnull (strstr (error->message, "cancelled"));
  g_assert_cmpuint (peer_count (peer, "POST", "/predictions/p9/cancel"), ==, 1);
  g_assert_cmpuint (peer_count (peer, "GET", "/predictions/p9"), >, 1);
  /* Near the deadline, not at the next doubling of the poll interval. */
  g_assert_cmpint (g_get_monotonic_time () - started, >=, G_USEC_PER_SEC);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 5 * G_USEC_PER_SEC);
  g_clear_error (&error);

  /* When cancelling fails too, the message says it may still run. */
  g_clear_pointer (&start, pa_replicate_prediction_free);
  peer_add_prediction (peer, "GET", "/predictions/p10", 200, "p10", "starting", "", NULL, NULL);
  start = pa_replicate_prediction_new ("p10");
  done = wait_sync (client, start, NULL, NULL, NULL, &error);
  g_assert_null (done);
  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "still be running"));
}

static void
test_prefer_wait (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  PaReplicateCreateOptions options = { 0 };
  const char *version = "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa";

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  peer_add_prediction (peer, "POST", "/predictions", 201, "p5", "succeeded", "",
                       "\"hello Alice\"", NULL);

  for (guint i = 0; i < 3; i++)
    {
      static const int waits[] = { PA_REPLICATE_WAIT_MAX, 7, 0 };
      static const char * const expected[] = { "wait", "wait=7", NULL };
      g_autoptr(PaReplicatePrediction) prediction = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) body = NULL;
      Seen *seen;

      options.wait_s = waits[i];
      prediction = create_sync (client, NULL, version, "{\"text\": \"Alice\"}", &options, &error);
      g_assert_no_error (error);
      g_assert_cmpint (prediction->status, ==, PA_REPLICATE_STATUS_SUCCEEDED);
      g_assert_cmpstr (json_node_get_string (prediction->output), ==, "hello Alice");

      seen = peer_find (peer, "POST", "/predictions", i);
      g_assert_cmpstr (seen->prefer, ==, expected[i]);
      g_assert_cmpstr (seen->content_type, ==, "application/json");
      body = json_from_string (g_bytes_get_data (seen->body, NULL), &error);
      g_assert_no_error (error);
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (body), "version"), ==,
                       version);
      g_assert_true (json_object_has_member (json_node_get_object (body), "input"));
    }
}

static void
test_create_not_retried (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  /* A retry could start and bill a second prediction. */
  peer_add (peer, "POST", "/models/playalter/face-swap/predictions", 503,
            "{\"detail\": \"Service unavailable\", \"status\": 503}");
  prediction = create_sync (client, "playalter/face-swap", NULL, "{}", NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_null (prediction);
  g_assert_cmpuint (peer_count (peer, "POST", "/models/playalter/face-swap/predictions"), ==, 1);
}

static void
test_truncated_body (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  g_autoptr(PaReplicatePrediction) not_one = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *whole = NULL;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  whole = prediction_json (peer, "p6", "processing", "step\n", NULL, NULL);
  whole[strlen (whole) / 2] = '\0';
  peer_add (peer, "GET", "/predictions/p6", 200, whole);
  prediction = get_sync (client, "p6", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (prediction);
  g_clear_error (&error);

  /* Well-formed JSON that is no prediction is just as clear. */
  peer_add (peer, "GET", "/predictions/p7", 200, "{\"detail\": \"ok\"}");
  not_one = get_sync (client, "p7", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (not_one);
}

static void
test_breaker_opens (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(GError) error = NULL;
  guint calls = 0;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);
  pa_http_set_breaker_config (http, 5, 60 * G_USEC_PER_SEC);

  peer_add (peer, "GET", "/predictions/p8", 500,
            "{\"detail\": \"Internal server error\", \"status\": 500}");

  /* Each GET is retried; after 5 failures in a row the breaker opens and
   * the next call fails fast, without reaching the peer. */
  while (calls < 6)
    {
      g_autoptr(PaReplicatePrediction) prediction = NULL;

      g_clear_error (&error);
      prediction = get_sync (client, "p8", &error);
      g_assert_null (prediction);
      calls++;
      if (g_error_matches (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN))
        break;
      g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
    }
  g_assert_error (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN);
  g_assert_cmpuint (calls, ==, 3);
  g_assert_cmpuint (peer_count (peer, "GET", "/predictions/p8"), ==, 5);
  g_assert_cmpint (pa_breaker_get_state (pa_http_get_breaker (http, "replicate")), ==,
                   PA_BREAKER_OPEN);

  /* A wait stops at the open breaker too, with the same error. */
  {
    g_autoptr(PaReplicatePrediction) start = pa_replicate_prediction_new ("p8");
    g_autoptr(PaReplicatePrediction) done = NULL;

    g_clear_error (&error);
    done = wait_sync (client, start, NULL, NULL, NULL, &error);
    g_assert_error (error, PA_ERROR, PA_ERROR_CIRCUIT_OPEN);
    g_assert_null (done);
    g_assert_cmpuint (peer_count (peer, "GET", "/predictions/p8"), ==, 5);
  }
}

static void
test_model_inputs (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaReplicate) client = NULL;
  g_autoptr(PaReplicateModel) model = NULL;
  g_autoptr(GError) error = NULL;
  const PaReplicateInput *input;

  if (!need_keyring ())
    return;
  peer = peer_new ();
  http = http_new ();
  client = peer_client (http, peer);

  /* The shape the contract documents for GET /models/replicate/hello-world
   * and its latest_version.openapi_schema.components.schemas.Input. */
  peer_add (peer, "GET", "/models/replicate/hello-world", 200,
            "{\"url\": \"https://replicate.com/replicate/hello-world\","
            " \"owner\": \"replicate\", \"name\": \"hello-world\","
            " \"description\": \"A tiny model that says hello\", \"visibility\": \"public\","
            " \"run_count\": 5681081, \"latest_version\": {"
            "   \"id\": \"5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa\","
            "   \"created_at\": \"2022-04-26T19:29:04.418669Z\", \"cog_version\": \"0.3.0\","
            "   \"openapi_schema\": {\"components\": {\"schemas\": {"
            "     \"Input\": {\"type\": \"object\", \"title\": \"Input\", \"required\": [\"text\"],"
            "       \"properties\": {"
            "         \"seed\": {\"type\": \"integer\", \"title\": \"Seed\", \"x-order\": 1},"
            "         \"text\": {\"type\": \"string\", \"title\": \"Text\", \"x-order\": 0,"
            "                    \"description\": \"Text to prefix with 'hello '\"},"
            "         \"style\": {\"allOf\": [{\"$ref\": \"#/components/schemas/style\"}],"
            "                     \"default\": \"plain\", \"x-order\": 2}}},"
            "     \"style\": {\"type\": \"string\", \"enum\": [\"plain\", \"loud\"]}}}}}}");

  model = get_model_sync (client, "replicate/hello-world", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (model->owner, ==, "replicate");
  g_assert_cmpstr (model->name, ==, "hello-world");
  g_assert_cmpstr (model->latest_version_id, ==,
                   "5c7d5dc6dd8bf75c1acaa8565735e7986bc5b66206b55cca93cb72c9bf15ccaa");
  g_assert_nonnull (model->input_schema);
  g_assert_cmpuint (model->inputs->len, ==, 3);

  input = model->inputs->pdata[0];
  g_assert_cmpstr (input->name, ==, "text");
  g_assert_cmpstr (input->type, ==, "string");
  g_assert_true (input->required);
  g_assert_cmpstr (input->description, ==, "Text to prefix with 'hello '");
  input = model->inputs->pdata[1];
  g_assert_cmpstr (input->name, ==, "seed");
  g_assert_cmpstr (input->type, ==, "integer");
  g_assert_false (input->required);
  input = pa_replicate_model_find_input (model, "style");
  g_assert_nonnull (input);
  g_assert_cmpstr (input->type, ==, "string");
  g_assert_cmpstr (json_node_get_string (input->default_value), ==, "plain");
  g_assert_null (pa_replicate_model_find_input (model, "missing"));
}

/* ---- a Cog-style peer ------------------------------------------------------
 *
 * A local Cog server (github.com/replicate/cog, its HTTP API): GET
 * /health-check gives {"status": "READY", …}; POST /predictions with
 * {"input": …} answers synchronously with the finished prediction, files
 * as data: URLs; GET /openapi.json describes the Input; bad input is a
 * FastAPI 422 with {"detail": [{loc, msg, type}…]}. */

static void
test_cog (void)
{
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(PaReplicate) client = pa_replicate_new (http, NULL, peer->url);
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  g_autoptr(PaReplicatePrediction) done = NULL;
  g_autoptr(PaReplicateModel) model = NULL;
  g_autoptr(GPtrArray) progress = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png = fake_png ();
  g_autofree char *png_sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, png);
  g_autofree char *base64 = g_base64_encode (g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  g_autofree char *answer = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *identity_text = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(JsonNode) body = NULL;
  PaReplicateAsset *asset;

  peer_add (peer, "GET", "/health-check", 200,
            "{\"status\": \"READY\", \"setup\": {\"started_at\": \"2026-01-05T10:00:00Z\","
            " \"completed_at\": \"2026-01-05T10:00:03Z\", \"logs\": \"\", \"status\": \"succeeded\"}}");
  answer = g_strdup_printf ("{\"input\": {\"image\": \"https://example.com/face.png\"},"
                            " \"output\": \"data:image/png;base64,%s\", \"id\": null,"
                            " \"version\": null, \"created_at\": null,"
                            " \"started_at\": \"2026-01-05T10:01:00Z\","
                            " \"completed_at\": \"2026-01-05T10:01:02Z\","
                            " \"logs\": \"swapping\\nblending\\n\", \"error\": null,"
                            " \"status\": \"succeeded\", \"metrics\": {\"predict_time\": 2.1}}",
                            base64);
  peer_add (peer, "POST", "/predictions", 200, answer);
  peer_add (peer, "GET", "/openapi.json", 200,
            "{\"openapi\": \"3.0.2\", \"info\": {\"title\": \"Cog\", \"version\": \"0.1.0\"},"
            " \"paths\": {}, \"components\": {\"schemas\": {"
            "  \"Input\": {\"title\": \"Input\", \"type\": \"object\", \"required\": [\"image\"],"
            "   \"properties\": {"
            "    \"image\": {\"title\": \"Image\", \"type\": \"string\", \"format\": \"uri\", \"x-order\": 0},"
            "    \"blend\": {\"allOf\": [{\"$ref\": \"#/components/schemas/blend\"}], \"default\": \"soft\", \"x-order\": 1}}},"
            "  \"blend\": {\"title\": \"blend\", \"description\": \"An enumeration.\","
            "   \"enum\": [\"soft\", \"hard\"], \"type\": \"string\"}}}}");

  /* Found by its /health-check, without a key. */
  identity = check_sync (client, &error);
  g_assert_no_error (error);
  g_assert_cmpint (pa_replicate_get_mode (client), ==, PA_REPLICATE_MODE_COG);
  identity_text = pa_identity_describe (identity);
  g_assert_cmpstr (identity_text, ==, "Local Cog server (status READY)");

  model = get_model_sync (client, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (model->inputs->len, ==, 2);
  g_assert_cmpstr (((PaReplicateInput *) model->inputs->pdata[0])->name, ==, "image");
  g_assert_cmpstr (((PaReplicateInput *) model->inputs->pdata[0])->format, ==, "uri");
  g_assert_true (((PaReplicateInput *) model->inputs->pdata[0])->required);
  g_assert_cmpstr (((PaReplicateInput *) model->inputs->pdata[1])->type, ==, "string");
  g_assert_null (model->latest_version_id);

  /* Synchronous: the answer is the finished prediction. */
  prediction = create_sync (client, "ignored/model", "ignored-version",
                            "{\"image\": \"https://example.com/face.png\"}", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (prediction->id);
  g_assert_cmpint (prediction->status, ==, PA_REPLICATE_STATUS_SUCCEEDED);
  body = json_from_string (g_bytes_get_data (peer_find (peer, "POST", "/predictions", 0)->body,
                                             NULL), &error);
  g_assert_no_error (error);
  g_assert_false (json_object_has_member (json_node_get_object (body), "version"));
  g_assert_true (json_object_has_member (json_node_get_object (body), "input"));

  /* Waiting on it needs no request. */
  done = wait_sync (client, prediction, record_progress, progress, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (progress->len, ==, 1);
  g_assert_cmpstr (progress->pdata[0], ==, "succeeded: swapping|blending");

  /* The data: URL output, decoded and saved. */
  data_dir = g_dir_make_tmp ("test-replicate-cog-XXXXXX", &error);
  g_assert_no_error (error);
  store = pa_store_open (data_dir, &error);
  g_assert_no_error (error);
  {
    g_autofree char *media_dir = g_build_filename (data_dir, "media", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    assets = download_sync (client, done->output, media_dir, store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (assets->len, ==, 1);
    asset = assets->pdata[0];
    g_assert_cmpstr (asset->sha256, ==, png_sha);
    g_assert_cmpstr (asset->content_type, ==, "image/png");
    g_assert_cmpint (asset->width, ==, 3);
    g_assert_true (g_str_has_suffix (asset->path, ".png"));
    g_file_get_contents (asset->path, &contents, &len, &error);
    g_assert_no_error (error);
    g_assert_cmpmem (contents, len, g_bytes_get_data (png, NULL), g_bytes_get_size (png));
    g_assert_cmpint (asset->asset_id, >, 0);

    /* The same bytes again: the same file and row. */
    {
      g_autoptr(GPtrArray) again = download_sync (client, done->output, media_dir, store, &error);

      g_assert_no_error (error);
      g_assert_cmpstr (((PaReplicateAsset *) again->pdata[0])->path, ==, asset->path);
      g_assert_cmpint (((PaReplicateAsset *) again->pdata[0])->asset_id, ==, asset->asset_id);
    }

    g_remove (asset->path);
    g_rmdir (media_dir);
  }

  /* A local input file becomes a data: URL; nothing is sent. */
  {
    g_autoptr(PaReplicateFile) file = NULL;
    guint before = peer->seen->len;

    file = upload_sync (client, "face", "face.txt", "text/plain", &error);
    g_assert_no_error (error);
    g_assert_null (file->id);
    g_assert_cmpstr (file->url, ==, "data:text/plain;base64,ZmFjZQ==");
    g_assert_cmpuint (peer->seen->len, ==, before);
  }

  /* No request to a Cog server carries credentials. */
  for (guint i = 0; i < peer->seen->len; i++)
    g_assert_null (((Seen *) peer->seen->pdata[i])->authorization);

  g_clear_object (&store);
  {
    g_autofree char *db = g_build_filename (data_dir, "playalter.db", NULL);
    g_autofree char *wal = g_build_filename (data_dir, "playalter.db-wal", NULL);
    g_autofree char *shm = g_build_filename (data_dir, "playalter.db-shm", NULL);

    g_remove (db);
    g_remove (wal);
    g_remove (shm);
  }
  g_rmdir (data_dir);
}

static void
test_cog_errors (void)
{
  g_autoptr(Peer) peer = peer_new ();
  g_autoptr(PaHttp) http = http_new ();
  g_autoptr(PaReplicate) client = pa_replicate_new (http, NULL, peer->url);
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  g_autoptr(PaReplicatePrediction) got = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;

  pa_replicate_set_mode (client, PA_REPLICATE_MODE_COG);
  peer_add (peer, "POST", "/predictions", 422,
            "{\"detail\": [{\"loc\": [\"body\", \"input\", \"image\"],"
            " \"msg\": \"field required\", \"type\": \"value_error.missing\"}]}");
  peer_add (peer, "POST", "/predictions", 200,
            "{\"input\": {\"image\": \"data:image/png;base64,AA==\"}, \"output\": null,"
            " \"id\": null, \"logs\": \"\", \"error\": \"no face found in the image\","
            " \"status\": \"failed\"}");
  peer_add (peer, "GET", "/health-check", 200, "{\"status\": \"SETUP_FAILED\"}");

  prediction = create_sync (client, NULL, NULL, "{}", NULL, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "body.input.image: field required"));
  g_assert_null (prediction);
  g_clear_error (&error);

  /* A prediction that ran and failed is an answer, and waiting on it
   * gives the failure. */
  prediction = create_sync (client, NULL, NULL, "{\"image\": \"data:image/png;base64,AA==\"}",
                            NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (prediction->status, ==, PA_REPLICATE_STATUS_FAILED);
  {
    g_autoptr(PaReplicatePrediction) done = wait_sync (client, prediction, NULL, NULL, NULL, &error);

    g_assert_error (error, PA_ERROR, PA_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "no face found in the image"));
    g_assert_null (done);
    g_clear_error (&error);
  }

  got = get_sync (client, "abc", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (got);
  g_clear_error (&error);

  identity = check_sync (client, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (error->message, "SETUP_FAILED"));
  g_assert_null (identity);
}

/* ---- parsing, without a peer ---------------------------------------------- */

static void
test_prediction_parse (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  g_autoptr(PaReplicatePrediction) copy = NULL;

  node = json_from_string ("{\"id\": \"gm3q\", \"status\": \"rebooting\", \"output\": null,"
                           " \"logs\": null, \"error\": null}", &error);
  g_assert_no_error (error);
  prediction = pa_replicate_prediction_new_from_json (node, TRUE, &error);
  g_assert_no_error (error);
  /* A status newer than this code is not mistaken for an end. */
  g_assert_cmpint (prediction->status, ==, PA_REPLICATE_STATUS_UNKNOWN);
  g_assert_cmpstr (prediction->status_text, ==, "rebooting");
  g_assert_false (pa_replicate_status_is_terminal (prediction->status));
  g_assert_null (prediction->output);
  g_assert_cmpstr (prediction->logs, ==, "");
  copy = pa_replicate_prediction_copy (prediction);
  g_assert_cmpstr (copy->id, ==, "gm3q");
  g_clear_pointer (&node, json_node_unref);

  /* At most PA_LIMIT_REPLICATE_OUTPUTS files, however they are nested;
   * text does not count. */
  {
    g_autoptr(GString) json = g_string_new ("{\"id\": \"many\", \"status\": \"succeeded\","
                                            " \"output\": {\"text\": [\"a\", \"b\"], \"files\": [");

    for (guint i = 0; i < PA_LIMIT_REPLICATE_OUTPUTS; i++)
      g_string_append_printf (json, "%s\"https://replicate.delivery/f/%u.png\"", i > 0 ? ", " : "", i);
    g_string_append (json, "]}}");
    node = json_from_string (json->str, &error);
    g_assert_no_error (error);
    g_clear_pointer (&prediction, pa_replicate_prediction_free);
    prediction = pa_replicate_prediction_new_from_json (node, TRUE, &error);
    g_assert_no_error (error);
    g_assert_nonnull (prediction->output);
    g_clear_pointer (&node, json_node_unref);

    g_string_truncate (json, json->len - 3);
    g_string_append (json, ", [\"data:image/png;base64,AA==\"]]}}");
    node = json_from_string (json->str, &error);
    g_assert_no_error (error);
    g_assert_null (pa_replicate_prediction_new_from_json (node, TRUE, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
    g_assert_nonnull (strstr (error->message, "output files"));
    g_clear_error (&error);
    g_clear_pointer (&node, json_node_unref);
  }

  node = json_from_string ("{\"status\": \"succeeded\"}", NULL);
  g_assert_null (pa_replicate_prediction_new_from_json (node, TRUE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_clear_error (&error);
  g_clear_pointer (&node, json_node_unref);

  node = json_from_string ("[1, 2]", NULL);
  g_assert_null (pa_replicate_prediction_new_from_json (node, FALSE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);

  for (PaReplicateStatus s = PA_REPLICATE_STATUS_STARTING; s <= PA_REPLICATE_STATUS_ABORTED; s++)
    g_assert_cmpint (pa_replicate_status_from_string (pa_replicate_status_to_string (s)), ==, s);
}

static void
test_platform_new (void)
{
  g_autoptr(PaReplicate) client = pa_replicate_new (NULL, NULL, NULL);

  g_assert_cmpstr (pa_platform_get_id (PA_PLATFORM (client)), ==, "replicate");
  g_assert_cmpstr (pa_platform_get_base_url (PA_PLATFORM (client)), ==,
                   "https://api.replicate.com/v1");
  g_assert_cmpint (pa_replicate_get_mode (client), ==, PA_REPLICATE_MODE_AUTO);

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PaPlatform) platform = pa_platform_new ("replicate", NULL, "work",
                                                      "http://localhost:5000", &error);

    g_assert_no_error (error);
    g_assert_true (PA_IS_REPLICATE (platform));
    g_assert_cmpstr (pa_platform_get_profile (platform), ==, "work");
    g_assert_cmpstr (pa_platform_get_base_url (platform), ==, "http://localhost:5000");
  }
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* Peer log files are named after the program; keep it a bare name. */
  g_set_prgname ("test-replicate");

  g_test_add_func ("/replicate/parse/prediction", test_prediction_parse);
  g_test_add_func ("/replicate/new", test_platform_new);

  g_test_add_func ("/replicate/cog/predict", test_cog);
  g_test_add_func ("/replicate/cog/errors", test_cog_errors);

  g_test_add_func ("/replicate/scripted/succeeded", test_lifecycle_succeeded);
  g_test_add_func ("/replicate/scripted/failed", test_lifecycle_failed);
  g_test_add_func ("/replicate/scripted/canceled", test_lifecycle_canceled);
  g_test_add_func ("/replicate/scripted/wait-cancelled", test_wait_cancelled_locally);
  g_test_add_func ("/replicate/scripted/prefer-wait", test_prefer_wait);
  g_test_add_func ("/replicate/scripted/wait-deadline", test_wait_deadline);
  g_test_add_func ("/replicate/scripted/create-not-retried", test_create_not_retried);
  g_test_add_func ("/replicate/scripted/truncated-body", test_truncated_body);
  g_test_add_func ("/replicate/scripted/breaker", test_breaker_opens);
  g_test_add_func ("/replicate/scripted/model-inputs", test_model_inputs);
  g_test_add_func ("/replicate/scripted/download-limits", test_download_limits);

  g_test_add_func ("/replicate/contract/check", test_contract_check);
  g_test_add_func ("/replicate/contract/no-key", test_contract_no_key);
  g_test_add_func ("/replicate/contract/model", test_contract_model);
  g_test_add_func ("/replicate/contract/create", test_contract_create);
  g_test_add_func ("/replicate/contract/get-cancel", test_contract_get_cancel);
  g_test_add_func ("/replicate/contract/upload", test_contract_upload);
  g_test_add_func ("/replicate/contract/list", test_contract_list);

  status = g_test_run ();

  g_clear_pointer (&prism, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
