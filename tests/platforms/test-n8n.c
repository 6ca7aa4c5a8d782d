/* test-n8n.c — PaN8n against n8n's contract (Prism) and against the real n8n
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
#include "pa-n8n.h"
#include "pa-secrets.h"
#include "pa-test-keyring.h"
#include "pa-test-n8n.h"
#include "pa-test-peer.h"

/* Prism checks that a key is there, not what it is. */
#define PRISM_KEY "n8n_api_PaCanary5e1f"
#define BAD_KEY   "n8n_api_PaCanaryWrong"

/* ---- shared peers and keyring ------------------------------------------ */

static PaTestKeyring *keyring;
static PaSecrets *secrets;
static PaTestPeer *prism;
static PaTestPeer *prism_dynamic;
static PaTestN8n *n8n;
static gboolean n8n_failed;

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
  pa_secrets_store_sync (secrets, "n8n", "prism", "api-key", PRISM_KEY, NULL, &error);
  g_assert_no_error (error);
  pa_secrets_store_sync (secrets, "n8n", "bad", "api-key", BAD_KEY, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

/* Prism serving n8n.yaml; NULL when the test was skipped. */
static PaTestPeer *
need_prism (void)
{
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return NULL;
  if (prism == NULL)
    {
      prism = pa_test_prism_start ("n8n.yaml", &error);
      if (!pa_test_require_no_error (error))
        return NULL;
    }
  return prism;
}

/* n8n.yaml's execution examples break its own schemas (ids given as
 * strings where the schema says number), so Prism, checking its answers,
 * answers 500 from them: executions come from a second Prism that answers
 * from the schemas. It still checks every request. */
static PaTestPeer *
need_prism_dynamic (void)
{
  g_autoptr(GError) error = NULL;
  const char * const args[] = { "--dynamic", "--seed", "playalter", NULL };

  if (!need_keyring ())
    return NULL;
  if (prism_dynamic == NULL)
    {
      prism_dynamic = pa_test_prism_start_with_args ("n8n.yaml", args, &error);
      if (!pa_test_require_no_error (error))
        return NULL;
    }
  return prism_dynamic;
}

/* The real n8n, with its API key in profile "real". */
static PaTestN8n *
need_n8n (void)
{
  g_autoptr(GError) error = NULL;

  if (!need_keyring ())
    return NULL;
  if (n8n == NULL)
    {
      /* One failed start is enough to know. */
      g_assert_false (n8n_failed);
      n8n = pa_test_n8n_start (&error);
      /* Not installed, it is reported to each test that needs it. */
      n8n_failed = n8n == NULL && !g_error_matches (error, PA_TEST_MISSING_ERROR,
                                                    PA_TEST_MISSING_ERROR_NOT_FOUND);
      if (!pa_test_require_no_error (error))
        return NULL;
      pa_secrets_store_sync (secrets, "n8n", "real", "api-key",
                             pa_test_n8n_get_api_key (n8n), NULL, &error);
      g_assert_no_error (error);
    }
  return n8n;
}

static PaHttp *
test_http (void)
{
  PaHttp *http = pa_http_new ();
  /* Without a test keyring, one of its own: it reports the keyring missing. */
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  pa_http_set_backoff (http, 1000, 5000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* A client of the contract mock: Prism serves the spec's paths at its root. */
static PaN8n *
prism_client (PaTestPeer *peer,
              const char *profile)
{
  g_autoptr(PaHttp) http = test_http ();

  return g_object_new (PA_TYPE_N8N,
                       "http", http,
                       "profile", profile,
                       "base-url", pa_test_peer_get_url (peer),
                       "api-path", "",
                       NULL);
}

static PaN8n *
real_client (const char *profile)
{
  g_autoptr(PaHttp) http = test_http ();

  return pa_n8n_new (http, profile, pa_test_n8n_get_url (n8n));
}

/* ---- waiting for results ---------------------------------------------- */

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
  g_main_context_wakeup (NULL);
}

static GAsyncResult *
await (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static PaIdentity *
run_check (PaN8n   *client,
           GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_platform_check_async (PA_PLATFORM (client), NULL, got_result, &result);
  return pa_platform_check_finish (PA_PLATFORM (client), await (&result), error);
}

static GPtrArray *
list_workflows (PaN8n       *client,
                const char  *cursor,
                guint        limit,
                char       **next_cursor,
                GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_n8n_list_workflows_async (client, cursor, limit, NULL, got_result, &result);
  return pa_n8n_list_workflows_finish (client, await (&result), next_cursor, error);
}

static PaN8nWorkflow *
set_active (PaN8n       *client,
            const char  *id,
            gboolean     active,
            GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_n8n_set_workflow_active_async (client, id, active, NULL, got_result, &result);
  return pa_n8n_set_workflow_active_finish (client, await (&result), error);
}

static GPtrArray *
list_executions (PaN8n       *client,
                 const char  *workflow_id,
                 const char  *cursor,
                 guint        limit,
                 char       **next_cursor,
                 GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_n8n_list_executions_async (client, workflow_id, cursor, limit, NULL, got_result, &result);
  return pa_n8n_list_executions_finish (client, await (&result), next_cursor, error);
}

static PaN8nExecution *
get_execution (PaN8n       *client,
               const char  *id,
               gboolean     include_data,
               GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_n8n_get_execution_async (client, id, include_data, NULL, got_result, &result);
  return pa_n8n_get_execution_finish (client, await (&result), error);
}

static JsonNode *
trigger (PaN8n       *client,
         const char  *path,
         JsonNode    *body,
         const char  *auth_header,
         const char  *auth_value,
         GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_n8n_trigger_webhook_async (client, path, body, auth_header, auth_value, NULL,
                                got_result, &result);
  return pa_n8n_trigger_webhook_finish (client, await (&result), error);
}

static JsonNode *
message_body (const char *message)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "message");
  json_builder_add_string_value (builder, message);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* ---- without a peer --------------------------------------------------- */

static void
test_n8n_urls (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaN8n) plain = pa_n8n_new (http, NULL, "http://n8n.example:5678/");
  g_autoptr(PaN8n) pasted = pa_n8n_new (http, NULL, "https://n8n.example/api/v1");
  g_autoptr(PaN8n) fallback = pa_n8n_new (http, NULL, NULL);
  g_autofree char *webhook = NULL;
  g_autofree char *pasted_webhook = NULL;

  g_assert_cmpstr (pa_platform_get_id (PA_PLATFORM (plain)), ==, "n8n");
  g_assert_cmpstr (pa_n8n_get_instance_url (plain), ==, "http://n8n.example:5678");
  /* The API URL that n8n's settings page shows is taken as the instance. */
  g_assert_cmpstr (pa_n8n_get_instance_url (pasted), ==, "https://n8n.example");
  g_assert_cmpstr (pa_n8n_get_instance_url (fallback), ==, "http://localhost:5678");

  webhook = pa_n8n_build_webhook_url (plain, "/orders/new");
  g_assert_cmpstr (webhook, ==, "http://n8n.example:5678/webhook/orders/new");
  pasted_webhook = pa_n8n_build_webhook_url (pasted, "hook");
  g_assert_cmpstr (pasted_webhook, ==, "https://n8n.example/webhook/hook");
}

static void
test_n8n_unreachable (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autofree char *url = NULL;
  g_autoptr(GSocket) closed = NULL;
  guint16 port = 0;

  if (!need_keyring ())
    return;

  /* Bound and not listening: nothing answers there. */
  closed = pa_test_peer_reserve_port (&port, &error);
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  http = test_http ();
  client = pa_n8n_new (http, "prism", url);
  identity = run_check (client, &error);
  g_assert_null (identity);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_nonnull (strstr (error->message, url));
}

/* ---- against the contract (Prism) ------------------------------------- */

static void
test_n8n_prism_validates (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(PaN8n) wrong_path = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  struct {
    const char *path;
    const char *key;
    guint       status;
  } cases[] = {
    /* The peer really validates: a bad query, a missing key, an unknown
     * path each get a 4xx, so a client request that broke the contract
     * would fail its test. */
    { "/workflows?limit=many", PRISM_KEY, 422 },
    { "/workflows?limit=1", NULL, 401 },
    { "/api/v2/workflows", PRISM_KEY, 404 },
    { "/workflows?limit=1", PRISM_KEY, 200 },
  };

  if (need_prism () == NULL)
    return;

  http = test_http ();
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaHttpRequest) request = NULL;
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(PaHttpResponse) answer = NULL;
      g_autofree char *url = g_strconcat (pa_test_peer_get_url (prism), cases[i].path, NULL);

      request = pa_http_request_new ("GET", NULL, url);
      if (cases[i].key != NULL)
        pa_http_request_set_header_auth (request, "X-N8N-API-KEY", cases[i].key);
      pa_http_request_set_max_attempts (request, 1);
      pa_http_send_async (http, request, NULL, got_result, &result);
      answer = pa_http_send_finish (http, await (&result), &error);
      g_assert_no_error (error);
      g_assert_cmpuint (pa_http_response_get_status (answer), ==, cases[i].status);
    }

  /* The client's own paths are checked too: with the API path Prism does
   * not serve, its first request is refused. */
  wrong_path = g_object_new (PA_TYPE_N8N, "http", http, "profile", "prism",
                             "base-url", pa_test_peer_get_url (prism),
                             "api-path", "api/v2", NULL);
  identity = run_check (wrong_path, &error);
  g_assert_null (identity);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

static void
test_n8n_prism_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(PaN8n) anonymous = NULL;
  g_autoptr(PaIdentity) identity = NULL;

  if (need_prism () == NULL)
    return;

  client = prism_client (prism, "prism");
  identity = run_check (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity->id, ==, pa_test_peer_get_url (prism));
  g_assert_nonnull (strstr (pa_test_peer_get_url (prism), identity->name));
  g_assert_nonnull (identity->detail);

  /* A profile without a key is refused before anything is sent. */
  anonymous = prism_client (prism, "nobody");
  g_clear_pointer (&identity, pa_identity_free);
  identity = run_check (anonymous, &error);
  g_assert_null (identity);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
}

static void
test_n8n_prism_workflows (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  g_autoptr(PaN8nWorkflow) activated = NULL;
  g_autoptr(PaN8nWorkflow) deactivated = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *after = NULL;
  PaN8nWorkflow *workflow;

  if (need_prism () == NULL)
    return;

  client = prism_client (prism, "prism");
  first = list_workflows (client, NULL, 10, &cursor, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (first->len, >, 0);
  workflow = g_ptr_array_index (first, 0);
  g_assert_nonnull (workflow->id);
  g_assert_nonnull (workflow->name);
  /* The spec's example has a next page. */
  g_assert_nonnull (cursor);

  second = list_workflows (client, cursor, 250, &after, &error);
  g_assert_no_error (error);
  g_assert_nonnull (second);

  activated = set_active (client, workflow->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (activated->id);
  deactivated = set_active (client, workflow->id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (deactivated->id);
}

static void
test_n8n_prism_executions (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(GPtrArray) page = NULL;
  g_autoptr(GPtrArray) filtered = NULL;
  g_autoptr(PaN8nExecution) execution = NULL;
  g_autoptr(PaN8nExecution) with_data = NULL;
  g_autofree char *cursor = NULL;
  g_autofree char *unused = NULL;

  if (need_prism_dynamic () == NULL)
    return;

  client = prism_client (prism_dynamic, "prism");
  page = list_executions (client, NULL, NULL, 5, &cursor, &error);
  g_assert_no_error (error);
  /* Prism checked the request; the page it makes from the schema with
   * this seed is empty, so the executions listed are checked field by
   * field against the real n8n (test_n8n_real_webhook). */
  g_assert_nonnull (page);

  filtered = list_executions (client, "1000", cursor, 5, &unused, &error);
  g_assert_no_error (error);
  g_assert_nonnull (filtered);

  /* The spec types execution ids as numbers, so the id must go out as
   * one; the answer's numeric ids come back as text. */
  execution = get_execution (client, "1000", FALSE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (execution->id);
  g_assert_true (g_ascii_isdigit (execution->id[0]) || execution->id[0] == '-');
  g_assert_nonnull (execution->workflow_id);
  with_data = get_execution (client, "1000", TRUE, &error);
  g_assert_no_error (error);
  g_assert_nonnull (with_data->id);
  g_assert_nonnull (with_data->data);
}

static void
test_n8n_prism_errors (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(PaN8nExecution) execution = NULL;

  if (need_prism_dynamic () == NULL)
    return;

  client = prism_client (prism_dynamic, "prism");
  /* An id that is not a number breaks the contract: Prism answers 422. */
  execution = get_execution (client, "not-a-number", FALSE, &error);
  g_assert_null (execution);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* ---- against the real n8n --------------------------------------------- */

static void
test_n8n_real_check (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(PaN8n) wrong = NULL;
  g_autoptr(PaIdentity) identity = NULL;

  if (need_n8n () == NULL)
    return;

  client = real_client ("real");
  identity = run_check (client, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (identity->id, ==, pa_test_n8n_get_url (n8n));

  wrong = real_client ("bad");
  g_clear_pointer (&identity, pa_identity_free);
  identity = run_check (wrong, &error);
  g_assert_null (identity);
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "rejected the API key"));
  g_assert_nonnull (strstr (error->message, pa_test_n8n_get_url (n8n)));
  /* The key itself is never in a message. */
  g_assert_null (strstr (error->message, "PaCanary"));
}

static PaN8nWorkflow *
find_workflow (PaN8n      *client,
               const char *id)
{
  g_autofree char *cursor = NULL;
  guint pages = 0;

  /* One per page, so the cursor is followed. */
  do
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      g_autofree char *next = NULL;

      page = list_workflows (client, cursor, 1, &next, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, 1);
      for (guint i = 0; i < page->len; i++)
        {
          PaN8nWorkflow *workflow = g_ptr_array_index (page, i);

          if (g_strcmp0 (workflow->id, id) == 0)
            return pa_n8n_workflow_copy (workflow);
        }
      g_free (cursor);
      cursor = g_steal_pointer (&next);
      g_assert_cmpuint (++pages, <, 100);
    }
  while (cursor != NULL);

  return NULL;
}

static void
test_n8n_real_workflows (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(PaN8nWorkflow) found = NULL;
  g_autoptr(PaN8nWorkflow) off = NULL;
  g_autoptr(PaN8nWorkflow) on = NULL;
  g_autoptr(PaN8nWorkflow) after = NULL;
  g_autoptr(JsonNode) body = message_body ("while off");
  g_autoptr(JsonNode) answer = NULL;
  const char *id;

  if (need_n8n () == NULL)
    return;

  client = real_client ("real");
  id = pa_test_n8n_get_workflow_id (n8n);
  found = find_workflow (client, id);
  g_assert_nonnull (found);
  g_assert_cmpstr (found->name, ==, "PlayAlter webhook echo");
  g_assert_true (found->active);
  g_assert_nonnull (found->updated_at);

  off = set_active (client, id, FALSE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (off->id, ==, id);
  g_assert_false (off->active);

  /* Off means its production webhook is gone. */
  answer = trigger (client, pa_test_n8n_get_webhook_path (n8n), body, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  /* The webhook's path lets anyone start the workflow: not in messages. */
  g_assert_null (strstr (error->message, pa_test_n8n_get_webhook_path (n8n)));
  g_assert_nonnull (strstr (error->message, "/webhook/"));
  g_clear_error (&error);

  on = set_active (client, id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_true (on->active);

  after = find_workflow (client, id);
  g_assert_nonnull (after);
  g_assert_true (after->active);

  g_clear_pointer (&after, pa_n8n_workflow_free);
  after = set_active (client, "NoSuchWorkflow01", TRUE, &error);
  g_assert_null (after);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

static gboolean
execution_list_has (GPtrArray  *executions,
                    const char *id)
{
  for (guint i = 0; i < executions->len; i++)
    {
      PaN8nExecution *execution = g_ptr_array_index (executions, i);

      if (g_strcmp0 (execution->id, id) == 0)
        return TRUE;
    }
  return FALSE;
}

/* Every execution of @workflow_id, two per page. */
static GPtrArray *
all_executions (PaN8n      *client,
                const char *workflow_id,
                guint      *pages)
{
  GPtrArray *all = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_n8n_execution_free);
  g_autofree char *cursor = NULL;

  *pages = 0;
  do
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) page = NULL;
      g_autofree char *next = NULL;

      page = list_executions (client, workflow_id, cursor, 2, &next, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (page->len, <=, 2);
      for (guint i = 0; i < page->len; i++)
        {
          PaN8nExecution *execution = g_ptr_array_index (page, i);

          g_assert_false (execution_list_has (all, execution->id));
          g_ptr_array_add (all, pa_n8n_execution_copy (execution));
        }
      g_free (cursor);
      cursor = g_steal_pointer (&next);
      g_assert_cmpuint (++*pages, <, 100);
    }
  while (cursor != NULL);

  return all;
}

static void
test_n8n_real_webhook (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(GPtrArray) executions = NULL;
  g_autoptr(PaN8nExecution) execution = NULL;
  g_autofree char *data = NULL;
  char *messages[3] = { NULL, };
  PaN8nExecution *newest = NULL;
  const char *workflow_id;
  guint pages;

  if (need_n8n () == NULL)
    return;

  client = real_client ("real");
  workflow_id = pa_test_n8n_get_workflow_id (n8n);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    {
      g_autoptr(JsonNode) body = NULL;
      g_autoptr(JsonNode) answer = NULL;
      JsonObject *object;

      messages[i] = g_strdup_printf ("hello %u from PlayAlter %08x", i, g_random_int ());
      body = message_body (messages[i]);
      /* The header is what a webhook with header auth would check; this
       * one has none and ignores it. */
      answer = trigger (client, pa_test_n8n_get_webhook_path (n8n), body,
                        "X-PlayAlter-Test", "yes", &error);
      g_assert_no_error (error);
      g_assert_true (JSON_NODE_HOLDS_OBJECT (answer));
      object = json_node_get_object (answer);
      g_assert_cmpstr (json_object_get_string_member (object, "echo"), ==, messages[i]);
      g_assert_true (json_object_get_boolean_member (object, "received"));
    }

  /* n8n saves a webhook run before it answers with the last node's data,
   * so all three are listed now; three runs at two a page take two pages. */
  executions = all_executions (client, workflow_id, &pages);
  g_assert_cmpuint (executions->len, >=, G_N_ELEMENTS (messages));
  g_assert_cmpuint (pages, >=, 2);
  for (guint i = 0; i < executions->len; i++)
    {
      PaN8nExecution *run = g_ptr_array_index (executions, i);

      g_assert_cmpstr (run->workflow_id, ==, workflow_id);
      g_assert_nonnull (run->id);
      g_assert_nonnull (run->started_at);
      if (g_strcmp0 (run->mode, "webhook") == 0 && newest == NULL)
        newest = run;
    }
  g_assert_nonnull (newest);
  g_assert_cmpstr (newest->status, ==, "success");
  g_assert_true (newest->finished);
  g_assert_nonnull (newest->stopped_at);

  /* Newest first: its data holds the last message sent. */
  execution = get_execution (client, newest->id, TRUE, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (execution->id, ==, newest->id);
  g_assert_cmpstr (execution->workflow_id, ==, workflow_id);
  g_assert_nonnull (execution->data);
  data = json_to_string (execution->data, FALSE);
  g_assert_nonnull (strstr (data, messages[G_N_ELEMENTS (messages) - 1]));

  g_clear_pointer (&execution, pa_n8n_execution_free);
  execution = get_execution (client, "999999", FALSE, &error);
  g_assert_null (execution);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);

  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    g_free (messages[i]);
}

/* ---- what no contract shows: what reaches a webhook ---------------------
 * A loopback SoupServer stands in for a webhook, because no spec says
 * what headers a client sends to one: the API key must never go there,
 * a header-auth pair must, and a text answer comes back as text. */

typedef struct {
  char *api_key_header;
  char *auth_header;
  char *content_type;
  char *body;
} WebhookSeen;

static void
webhook_handler (SoupServer        *server,
                 SoupServerMessage *message,
                 const char        *path,
                 GHashTable        *query,
                 gpointer           user_data)
{
  WebhookSeen *seen = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  static const char answer[] = "Workflow was started";

  g_free (seen->api_key_header);
  g_free (seen->auth_header);
  g_free (seen->content_type);
  g_free (seen->body);
  seen->api_key_header = g_strdup (soup_message_headers_get_one (headers, "X-N8N-API-KEY"));
  seen->auth_header = g_strdup (soup_message_headers_get_one (headers, "X-Hook-Secret"));
  seen->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  seen->body = g_strndup (body->data, body->length);

  if (!g_str_equal (path, "/webhook/text-hook"))
    {
      soup_server_message_set_status (message, 404, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC,
                                        "{\"code\":404,\"message\":\"not registered\"}", 39);
      return;
    }
  soup_server_message_set_status (message, 200, NULL);
  soup_server_message_set_response (message, "text/plain", SOUP_MEMORY_STATIC,
                                    answer, strlen (answer));
}

static void
test_n8n_scripted_webhook_headers (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaN8n) client = NULL;
  g_autoptr(JsonNode) answer = NULL;
  g_autoptr(JsonNode) body = message_body ("hi");
  g_autofree char *url = NULL;
  GSList *uris;
  int port;
  WebhookSeen seen = { NULL, };

  if (!need_keyring ())
    return;

  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, webhook_handler, &seen, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  port = g_uri_get_port (uris->data);
  url = g_strdup_printf ("http://127.0.0.1:%d", port);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  http = test_http ();
  client = pa_n8n_new (http, "prism", url);

  answer = trigger (client, "/text-hook", body, "X-Hook-Secret", "s3cret", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_VALUE (answer));
  g_assert_cmpstr (json_node_get_string (answer), ==, "Workflow was started");
  g_assert_null (seen.api_key_header);
  g_assert_cmpstr (seen.auth_header, ==, "s3cret");
  g_assert_cmpstr (seen.content_type, ==, "application/json");
  g_assert_cmpstr (seen.body, ==, "{\"message\":\"hi\"}");

  g_clear_pointer (&answer, json_node_unref);
  answer = trigger (client, "missing-c0ffee-secret", NULL, NULL, NULL, &error);
  g_assert_null (answer);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_cmpstr (seen.body, ==, "{}");
  g_assert_null (seen.auth_header);
  /* The message names the host and the start of the path, not the path,
   * which is all it takes to call the webhook. */
  {
    g_autofree char *described = g_strdup_printf ("127.0.0.1:%d/webhook/miss…", port);

    g_assert_nonnull (strstr (error->message, described));
    g_assert_null (strstr (error->message, "c0ffee"));
    g_assert_null (strstr (error->message, url));
  }
  g_clear_error (&error);

  /* Dot segments would take the request out of /webhook/: refused before
   * anything is sent. */
  {
    const char *bad[] = { "../api/v1/workflows", "a/./b", "..", "hook?x=1", "hook#x",
                          "%2e%2e/api", "a\\..\\b", "a\nb" };

    for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
      {
        g_clear_pointer (&seen.body, g_free);
        answer = trigger (client, bad[i], NULL, NULL, NULL, &error);
        g_assert_null (answer);
        g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
        g_assert_null (seen.body);
        g_clear_error (&error);
      }
  }

  /* Object ids that would leave their endpoint are refused too. */
  {
    const char *bad_ids[] = { "", ".", "..", "1/../2", "1?x", "%2e%2e" };

    for (guint i = 0; i < G_N_ELEMENTS (bad_ids); i++)
      {
        g_autoptr(GAsyncResult) result = NULL;
        g_autoptr(PaN8nExecution) execution = NULL;
        g_autoptr(PaN8nWorkflow) workflow = NULL;

        g_clear_pointer (&seen.body, g_free);
        pa_n8n_get_execution_async (client, bad_ids[i], FALSE, NULL, got_result, &result);
        execution = pa_n8n_get_execution_finish (client, await (&result), &error);
        g_assert_null (execution);
        g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
        g_clear_error (&error);
        g_clear_object (&result);

        pa_n8n_set_workflow_active_async (client, bad_ids[i], TRUE, NULL, got_result, &result);
        workflow = pa_n8n_set_workflow_active_finish (client, await (&result), &error);
        g_assert_null (workflow);
        g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
        g_clear_error (&error);
        g_assert_null (seen.body);
      }
  }

  g_free (seen.api_key_header);
  g_free (seen.auth_header);
  g_free (seen.content_type);
  g_free (seen.body);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/n8n/urls", test_n8n_urls);
  g_test_add_func ("/n8n/unreachable", test_n8n_unreachable);

  g_test_add_func ("/n8n/prism/validates", test_n8n_prism_validates);
  g_test_add_func ("/n8n/prism/check", test_n8n_prism_check);
  g_test_add_func ("/n8n/prism/workflows", test_n8n_prism_workflows);
  g_test_add_func ("/n8n/prism/executions", test_n8n_prism_executions);
  g_test_add_func ("/n8n/prism/errors", test_n8n_prism_errors);

  g_test_add_func ("/n8n/scripted/webhook-headers", test_n8n_scripted_webhook_headers);

  g_test_add_func ("/n8n/real/check", test_n8n_real_check);
  g_test_add_func ("/n8n/real/workflows", test_n8n_real_workflows);
  g_test_add_func ("/n8n/real/webhook", test_n8n_real_webhook);

  status = g_test_run ();

  g_clear_pointer (&n8n, pa_test_n8n_stop);
  g_clear_pointer (&prism, pa_test_peer_stop);
  g_clear_pointer (&prism_dynamic, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
