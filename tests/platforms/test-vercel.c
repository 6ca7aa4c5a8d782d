/* test-vercel.c — PaVercel against Vercel's contract (Prism) and a scripted build lifecycle
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
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-secrets.h"
#include "pa-test-keyring.h"
#include "pa-test-contract.h"
#include "pa-test-peer.h"
#include "pa-vercel.h"

#define TEST_KEY     "vercel_PaCanary1b2c3d4e5f"
#define TEAM_ID      "team_PlayAlter42"
#define WAIT_LIMIT_S 30

/* ---- waiting without sleeping ----------------------------------------- */

static gboolean
expired_cb (gpointer user_data)
{
  gboolean *expired = user_data;

  *expired = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *@flag; fails the test after WAIT_LIMIT_S. */
static void
wait_flag (gboolean   *flag,
           const char *what)
{
  gboolean expired = FALSE;
  guint id = g_timeout_add_seconds (WAIT_LIMIT_S, expired_cb, &expired);

  while (!*flag && !expired)
    g_main_context_iteration (NULL, TRUE);
  if (expired)
    g_error ("Gave up waiting for %s", what);
  g_source_remove (id);
}

/* ---- the keyring -------------------------------------------------------- */

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
  pa_secrets_store_sync (secrets, "vercel", "default", "api-key", TEST_KEY, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static PaHttp *
fast_http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  pa_http_set_backoff (http, 1000, 10 * 1000);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* ---- results ---------------------------------------------------------- */

typedef struct {
  gboolean   done;
  gpointer   value;
  gboolean   ok;
  gint64     next;
  char      *next_token;
  GError    *error;
  GPtrArray *states;        /* progress states, in order */
  guint      last_done;     /* files_done of the last UPLOADING report */
  guint      total;
} Call;

static void
call_init (Call *call)
{
  memset (call, 0, sizeof *call);
  call->states = g_ptr_array_new_with_free_func (g_free);
}

static void
call_clear (Call *call)
{
  g_clear_error (&call->error);
  g_clear_pointer (&call->states, g_ptr_array_unref);
  g_clear_pointer (&call->next_token, g_free);
}

static void
call_wait (Call *call)
{
  wait_flag (&call->done, "the call to finish");
}

static void
check_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_platform_check_finish (PA_PLATFORM (source), result, &call->error);
  call->done = TRUE;
}

static void
upload_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->ok = pa_vercel_upload_file_finish (PA_VERCEL (source), result, &call->error);
  call->done = TRUE;
}

static void
create_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_vercel_create_deployment_finish (PA_VERCEL (source), result, &call->error);
  call->done = TRUE;
}

static void
get_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_vercel_get_deployment_finish (PA_VERCEL (source), result, &call->error);
  call->done = TRUE;
}

static void
deploy_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_vercel_deploy_finish (PA_VERCEL (source), result, &call->error);
  g_assert_true ((call->value == NULL) != (call->error == NULL));
  call->done = TRUE;
}

static void
deployments_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_vercel_list_deployments_finish (PA_VERCEL (source), result, &call->next,
                                                   &call->error);
  call->done = TRUE;
}

static void
projects_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_vercel_list_projects_finish (PA_VERCEL (source), result, &call->next_token,
                                                &call->error);
  call->done = TRUE;
}

static void
raw_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Call *call = user_data;

  call->value = pa_platform_send_json_finish (PA_PLATFORM (source), result, &call->error);
  call->done = TRUE;
}

static void
record_progress (const PaVercelProgress *progress,
                 gpointer                user_data)
{
  Call *call = user_data;

  if (g_str_equal (progress->state, "UPLOADING"))
    {
      /* Counts only go up, and never past the total. */
      g_assert_cmpuint (progress->files_done, >=, call->last_done);
      g_assert_cmpuint (progress->files_done, <=, progress->files_total);
      g_assert_null (progress->deployment);
      call->last_done = progress->files_done;
      call->total = progress->files_total;
    }
  else
    {
      g_assert_nonnull (progress->deployment);
      g_assert_cmpstr (progress->deployment->ready_state, ==, progress->state);
    }

  /* Each state once, in the order reached. */
  if (call->states->len == 0 ||
      !g_str_equal (g_ptr_array_index (call->states, call->states->len - 1), progress->state))
    g_ptr_array_add (call->states, g_strdup (progress->state));
}

static void
assert_states (Call              *call,
               const char * const *expected)
{
  g_assert_cmpuint (call->states->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (g_ptr_array_index (call->states, i), ==, expected[i]);
}

/* ---- a folder to publish ------------------------------------------------ */

typedef struct {
  const char *path;
  const char *contents;
  gsize       size;
} SiteFile;

#define TEXT(s) s, sizeof (s) - 1

/* Text, binary with NUL bytes, an empty file, nesting, and a .git folder
 * that must stay home. */
static const SiteFile site_files[] = {
  { "index.html", TEXT ("<!doctype html><title>PlayAlter</title><p>Hello</p>\n") },
  { "css/site.css", TEXT ("body { font-family: sans-serif; }\n") },
  { "img/logo.bin", "\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01", 21 },
  { "empty.txt", "", 0 },
  { "js/deep/er/app.js", TEXT ("console.log('ünïcode ✓');\n") },
  { "with space.txt", TEXT ("a name with a space\n") },
};

static char *
make_site (void)
{
  g_autoptr(GError) error = NULL;
  char *root = g_dir_make_tmp ("pa-vercel-XXXXXX", &error);

  g_assert_no_error (error);
  for (gsize i = 0; i < G_N_ELEMENTS (site_files); i++)
    {
      g_autofree char *path = g_build_filename (root, site_files[i].path, NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_file_set_contents (path, site_files[i].contents, (gssize) site_files[i].size, &error);
      g_assert_no_error (error);
    }
  {
    g_autofree char *git = g_build_filename (root, ".git", "objects", NULL);
    g_autofree char *head = g_build_filename (root, ".git", "HEAD", NULL);

    g_assert_cmpint (g_mkdir_with_parents (git, 0700), ==, 0);
    g_file_set_contents (head, "ref: refs/heads/main\n", -1, &error);
    g_assert_no_error (error);
  }
  return root;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    {
      g_remove (path);
      return;
    }
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      remove_tree (child);
    }
  g_dir_close (dir);
  g_rmdir (path);
}

static char *
sha1_of (const char *contents,
         gsize       size)
{
  return g_compute_checksum_for_data (G_CHECKSUM_SHA1, (const guchar *) contents, size);
}

/* ---- against the contract: Prism serving vercel.json -------------------- */

static PaTestPeer *prism;
static gboolean prism_tried;
static GError *prism_error;

static PaVercel *
prism_client (PaHttp **http)
{
  g_autofree char *spec = NULL;

  if (!need_keyring ())
    return NULL;
  spec = pa_test_fixtures_require ("openapi/vercel.json");
  if (spec == NULL)
    return NULL;

  if (!prism_tried)
    {
      prism_tried = TRUE;
      prism = pa_test_prism_start ("vercel.json", &prism_error);
    }
  if (!pa_test_require_no_error (prism_error) || prism == NULL)
    return NULL;

  *http = fast_http_new ();
  return pa_vercel_new (*http, NULL, pa_test_peer_get_url (prism));
}

static const char * const ready_states[] = {
  "QUEUED", "BUILDING", "ERROR", "INITIALIZING", "READY", "CANCELED", "DELETED", NULL,
};

static void
test_prism_check (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = prism_client (&http);
  g_autoptr(PaIdentity) identity = NULL;
  Call call;

  if (vercel == NULL)
    return;

  call_init (&call);
  pa_platform_check_async (PA_PLATFORM (vercel), NULL, check_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  identity = call.value;
  call_clear (&call);

  g_assert_nonnull (identity->id);
  g_assert_nonnull (identity->name);
}

/* The upload passes Prism's checks of its headers (x-vercel-digest,
 * Content-Length) and query. Prism then fails its own answer: the spec's
 * response is a oneOf whose branches overlap, so every mock it makes is
 * "invalid" and --errors turns that into a 500. What is asserted is that
 * the request itself was valid, from Prism's log. */
static void
test_prism_upload (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = prism_client (&http);
  g_autoptr(GBytes) bytes = g_bytes_new_static ("hello\n", 6);
  Call call;

  if (vercel == NULL)
    return;

  for (guint with_team = 0; with_team < 2; with_team++)
    {
      gsize offset = pa_test_peer_get_log_size (prism);

      pa_vercel_set_team_id (vercel, with_team ? TEAM_ID : NULL);
      call_init (&call);
      pa_vercel_upload_file_async (vercel, bytes, NULL, NULL, upload_done, &call);
      call_wait (&call);
      /* Prism's own answer always fails its check (above): the client
       * must report that 500, not take it for an upload. */
      g_assert_error (call.error, PA_ERROR, PA_ERROR_SERVER);
      g_assert_nonnull (strstr (call.error->message, "request/response is not valid"));
      g_assert_cmpuint (pa_test_prism_count_validated (prism, offset, "post /v2/files"), >=, 1);
      call_clear (&call);
    }
}

static GPtrArray *
site_file_list (void)
{
  GPtrArray *files = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_vercel_file_free);

  for (gsize i = 0; i < G_N_ELEMENTS (site_files); i++)
    {
      g_autofree char *sha = sha1_of (site_files[i].contents, site_files[i].size);

      g_ptr_array_add (files, pa_vercel_file_new (site_files[i].path, sha, site_files[i].size));
    }
  return files;
}

static void
test_prism_deployment (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = prism_client (&http);
  g_autoptr(GPtrArray) files = site_file_list ();
  g_autoptr(PaVercelDeployment) created = NULL;
  g_autoptr(PaVercelDeployment) got = NULL;
  g_autoptr(JsonObject) settings = json_object_new ();
  Call call;

  if (vercel == NULL)
    return;

  pa_vercel_set_team_id (vercel, TEAM_ID);
  json_object_set_null_member (settings, "framework");

  call_init (&call);
  pa_vercel_create_deployment_async (vercel, "playalter-site", files, "production", settings,
                                     NULL, create_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  created = call.value;
  call_clear (&call);

  g_assert_nonnull (created->id);
  g_assert_nonnull (created->url);
  g_assert_true (g_strv_contains (ready_states, created->ready_state));

  call_init (&call);
  pa_vercel_get_deployment_async (vercel, created->id, NULL, get_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  got = call.value;
  call_clear (&call);
  g_assert_nonnull (got->id);
  g_assert_true (g_strv_contains (ready_states, got->ready_state));
}

static void
test_prism_lists (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = prism_client (&http);
  g_autoptr(GPtrArray) deployments = NULL;
  g_autoptr(GPtrArray) projects = NULL;
  Call call;

  if (vercel == NULL)
    return;

  pa_vercel_set_team_id (vercel, TEAM_ID);

  call_init (&call);
  pa_vercel_list_deployments_async (vercel, "prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB", 5,
                                    1540095775951, NULL, deployments_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  deployments = call.value;
  call_clear (&call);
  g_assert_cmpuint (deployments->len, >, 0);
  for (guint i = 0; i < deployments->len; i++)
    {
      PaVercelDeployment *deployment = deployments->pdata[i];

      g_assert_nonnull (deployment->id);
      g_assert_nonnull (deployment->url);
      g_assert_nonnull (deployment->ready_state);
      g_assert_true (g_strv_contains (ready_states, deployment->ready_state));
    }

  call_init (&call);
  pa_vercel_list_projects_async (vercel, 5, NULL, NULL, projects_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  projects = call.value;
  call_clear (&call);
  g_assert_cmpuint (projects->len, >, 0);
  for (guint i = 0; i < projects->len; i++)
    {
      PaVercelProject *project = projects->pdata[i];

      g_assert_nonnull (project->id);
      g_assert_nonnull (project->name);
    }
  g_clear_pointer (&projects, g_ptr_array_unref);

  /* The next page, by continuation token. */
  call_init (&call);
  pa_vercel_list_projects_async (vercel, 0, "JBSWY3DPEHPK3PXP", NULL, projects_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  projects = call.value;
  call_clear (&call);
}

/* Prism really validates what it can: a limit that is not a number is
 * refused, and the client reports bad input. */
static void
test_prism_rejects (void)
{
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = prism_client (&http);
  g_autoptr(PaHttpRequest) request = NULL;
  Call call;

  if (vercel == NULL)
    return;

  request = pa_platform_new_request (PA_PLATFORM (vercel), "GET", "/v6/deployments");
  pa_http_request_add_query (request, "limit", "many");
  call_init (&call);
  pa_platform_send_json_async (PA_PLATFORM (vercel), request, NULL, raw_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  call_clear (&call);
}

/* ---- a scripted Vercel -------------------------------------------------
 *
 * What no contract can show: a build moving QUEUED → BUILDING → READY (or
 * ERROR) over several polls, uploads checked byte by byte, uploads in
 * flight counted, pages of a list. Every body follows the shapes of
 * vercel.json: uploadFile's empty object, the deployment object of
 * createDeployment / getDeployment (with the fields those schemas
 * require), getDeployments' {deployments, pagination} and Vercel's error
 * object {error: {code, message}}. */

typedef struct {
  char   *method;
  char   *path;
  char   *team_id;
  char   *skip_detection;
  char   *until;
  char   *authorization;
  char   *digest;
  char   *content_type;
  char   *content_length;
  GBytes *body;
} Seen;

typedef struct {
  SoupServer         *server;
  char               *url;
  GPtrArray          *seen;
  GHashTable         *uploads;        /* sha → GBytes */
  const char * const *states;         /* readyState per poll; the last repeats */
  guint               polls;
  const char         *error_message;
  const char         *fail_digest;    /* uploads of it get a 500 */
  guint               in_flight;
  guint               max_in_flight;
  guint               creates;
} Peer;

static void
seen_free (Seen *seen)
{
  g_free (seen->method);
  g_free (seen->path);
  g_free (seen->team_id);
  g_free (seen->skip_detection);
  g_free (seen->until);
  g_free (seen->authorization);
  g_free (seen->digest);
  g_free (seen->content_type);
  g_free (seen->content_length);
  g_clear_pointer (&seen->body, g_bytes_unref);
  g_free (seen);
}

static void
reply (SoupServerMessage *msg,
       guint              status,
       const char        *body)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static char *
deployment_json (const char *name,
                 const char *state,
                 const char *error_message)
{
  g_autofree char *error = error_message != NULL
    ? g_strdup_printf (",\"errorCode\":\"BUILD_FAILED\",\"errorMessage\":\"%s\"", error_message)
    : g_strdup ("");

  return g_strdup_printf ("{\"id\":\"dpl_89qyp1cskzkLrVicDaZoDbjyHuDJ\","
                          "\"url\":\"playalter-site-abc123.vercel.app\",\"name\":\"%s\","
                          "\"readyState\":\"%s\",\"status\":\"%s\",\"createdAt\":1700000000000,"
                          "\"buildingAt\":1700000001000,\"bootedAt\":1700000000500,"
                          "\"type\":\"LAMBDAS\",\"version\":2,\"public\":false,"
                          "\"projectId\":\"prj_12HKQaOmR5t5Uy6vdcQsNIiZgHGB\","
                          "\"ownerId\":\"" TEAM_ID "\",\"plan\":\"hobby\",\"createdIn\":\"sfo1\","
                          "\"regions\":[\"iad1\"],\"routes\":[],\"meta\":{},\"env\":[],"
                          "\"build\":{\"env\":[]},\"inspectorUrl\":\"https://vercel.com/x/y\","
                          "\"isInConcurrentBuildsQueue\":false,\"isInSystemBuildsQueue\":false,"
                          "\"projectSettings\":{},\"aliasAssigned\":false,\"buildSkipped\":false,"
                          "\"creator\":{\"uid\":\"usr_1\"}%s}",
                          name, state, state, error);
}

typedef struct {
  Peer              *peer;
  SoupServerMessage *msg;
} HeldUpload;

static gboolean
release_upload_cb (gpointer user_data)
{
  HeldUpload *held = user_data;

  held->peer->in_flight--;
  reply (held->msg, 200, "{}");
  soup_server_message_unpause (held->msg);
  g_object_unref (held->msg);
  g_free (held);
  return G_SOURCE_REMOVE;
}

static void
files_handler (Peer              *peer,
               SoupServerMessage *msg,
               Seen              *seen)
{
  g_autofree char *sha = NULL;
  HeldUpload *held;

  sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, seen->body);
  if (g_strcmp0 (sha, seen->digest) != 0)
    {
      reply (msg, 400, "{\"error\":{\"code\":\"invalid_digest\",\"message\":\"Digest is not valid\"}}");
      return;
    }
  if (g_strcmp0 (seen->digest, peer->fail_digest) == 0)
    {
      reply (msg, 500, "{\"error\":{\"code\":\"internal_server_error\",\"message\":\"An unexpected error occurred\"}}");
      return;
    }
  g_hash_table_replace (peer->uploads, g_strdup (sha), g_bytes_ref (seen->body));

  /* Held a moment, so uploads overlap as much as the client allows. */
  peer->in_flight++;
  peer->max_in_flight = MAX (peer->max_in_flight, peer->in_flight);
  held = g_new0 (HeldUpload, 1);
  held->peer = peer;
  held->msg = g_object_ref (msg);
  soup_server_message_pause (msg);
  g_timeout_add (20, release_upload_cb, held);
}

static void
deployments_page (SoupServerMessage *msg,
                  Seen              *seen)
{
  if (seen->until == NULL)
    reply (msg, 200,
           "{\"deployments\":[{\"uid\":\"dpl_2\",\"name\":\"site\",\"url\":\"site-2.vercel.app\","
           "\"created\":1700000002000,\"state\":\"READY\",\"readyState\":\"READY\","
           "\"target\":\"production\",\"type\":\"LAMBDAS\",\"creator\":{\"uid\":\"usr_1\"},"
           "\"inspectorUrl\":null,\"projectId\":\"prj_1\"},"
           "{\"uid\":\"dpl_1\",\"name\":\"site\",\"url\":\"site-1.vercel.app\","
           "\"created\":1700000001000,\"state\":\"ERROR\",\"type\":\"LAMBDAS\","
           "\"creator\":{\"uid\":\"usr_1\"},\"inspectorUrl\":null,\"projectId\":\"prj_1\"}],"
           "\"pagination\":{\"count\":2,\"next\":1700000001000,\"prev\":null}}");
  else
    reply (msg, 200,
           "{\"deployments\":[{\"uid\":\"dpl_0\",\"name\":\"site\",\"url\":\"site-0.vercel.app\","
           "\"created\":1700000000000,\"state\":\"CANCELED\",\"type\":\"LAMBDAS\","
           "\"creator\":{\"uid\":\"usr_1\"},\"inspectorUrl\":null,\"projectId\":\"prj_1\"}],"
           "\"pagination\":{\"count\":1,\"next\":null,\"prev\":1700000001000}}");
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
  const char *method = soup_server_message_get_method (msg);
  Seen *seen = g_new0 (Seen, 1);

  seen->method = g_strdup (method);
  seen->path = g_strdup (path);
  if (query != NULL)
    {
      seen->team_id = g_strdup (g_hash_table_lookup (query, "teamId"));
      seen->skip_detection = g_strdup (g_hash_table_lookup (query, "skipAutoDetectionConfirmation"));
      seen->until = g_strdup (g_hash_table_lookup (query, "until"));
    }
  seen->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  seen->digest = g_strdup (soup_message_headers_get_one (headers, "x-vercel-digest"));
  seen->content_type = g_strdup (soup_message_headers_get_content_type (headers, NULL));
  seen->content_length = g_strdup (soup_message_headers_get_one (headers, "Content-Length"));
  seen->body = g_bytes_new (body->data, body->length);
  g_ptr_array_add (peer->seen, seen);

  if (g_str_equal (method, "POST") && g_str_equal (path, "/v2/files"))
    {
      files_handler (peer, msg, seen);
    }
  else if (g_str_equal (method, "POST") && g_str_equal (path, "/v13/deployments"))
    {
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *json = NULL;
      JsonObject *request;

      peer->creates++;
      g_assert_true (json_parser_load_from_data (parser, body->data, body->length, NULL));
      request = json_node_get_object (json_parser_get_root (parser));
      json = deployment_json (json_object_get_string_member (request, "name"), "QUEUED", NULL);
      reply (msg, 200, json);
    }
  else if (g_str_equal (method, "GET") && g_str_has_prefix (path, "/v13/deployments/dpl_"))
    {
      guint n = g_strv_length ((char **) peer->states);
      const char *state = peer->states[MIN (peer->polls, n - 1)];
      g_autofree char *json = NULL;

      peer->polls++;
      json = deployment_json ("playalter-site", state,
                              g_str_equal (state, "ERROR") ? peer->error_message : NULL);
      reply (msg, 200, json);
    }
  else if (g_str_equal (method, "GET") && g_str_equal (path, "/v6/deployments"))
    {
      deployments_page (msg, seen);
    }
  else
    {
      reply (msg, 404, "{\"error\":{\"code\":\"not_found\",\"message\":\"The page could not be found\"}}");
    }
}

static Peer *
peer_new (const char * const *states)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;
  g_autoslist(GUri) uris = NULL;

  peer->server = soup_server_new (NULL, NULL);
  peer->seen = g_ptr_array_new_with_free_func ((GDestroyNotify) seen_free);
  peer->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                         (GDestroyNotify) g_bytes_unref);
  peer->states = states;
  soup_server_add_handler (peer->server, NULL, peer_cb, peer, NULL);
  g_assert_true (soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer->server);
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  return peer;
}

static void
peer_free (Peer *peer)
{
  /* Let held uploads finish before the server goes. */
  while (peer->in_flight > 0)
    g_main_context_iteration (NULL, TRUE);
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_ptr_array_unref (peer->seen);
  g_hash_table_unref (peer->uploads);
  g_free (peer->url);
  g_free (peer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static PaVercel *
scripted_client (Peer    *peer,
                 PaHttp **http)
{
  PaVercel *vercel;

  *http = fast_http_new ();
  vercel = pa_vercel_new (*http, NULL, peer->url);
  /* Polls every few milliseconds instead of seconds. */
  pa_vercel_set_poll_interval (vercel, 5, 20, 0);
  return vercel;
}

static const char * const building_then_ready[] = { "BUILDING", "BUILDING", "READY", NULL };
static const char * const building_then_error[] = { "BUILDING", "ERROR", NULL };
static const char * const building_forever[] = { "BUILDING", NULL };

static JsonObject *
find_file (JsonArray  *files,
           const char *path)
{
  for (guint i = 0; i < json_array_get_length (files); i++)
    {
      JsonObject *file = json_array_get_object_element (files, i);

      if (g_str_equal (json_object_get_string_member (file, "file"), path))
        return file;
    }
  return NULL;
}

/* The whole folder is uploaded, each file with its SHA-1, at most two at
 * a time; the deployment lists exactly those files; the build is followed
 * to READY; the team goes with every request. */
static void
test_deploy_ready (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(PaVercelDeployment) deployment = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *root = NULL;
  g_autofree char *git_sha = sha1_of (TEXT ("ref: refs/heads/main\n"));
  const char * const states[] = { "UPLOADING", "QUEUED", "BUILDING", "READY", NULL };
  JsonObject *request = NULL;
  JsonArray *files;
  guint uploads = 0;
  Call call;

  if (!need_keyring ())
    return;

  root = make_site ();
  folder = g_file_new_for_path (root);
  peer = peer_new (building_then_ready);
  vercel = scripted_client (peer, &http);
  g_object_set (vercel, "team-id", TEAM_ID, NULL);
  pa_vercel_set_upload_concurrency (vercel, 2);

  call_init (&call);
  pa_vercel_deploy_async (vercel, folder, "playalter-site", "production", NULL,
                          record_progress, &call, NULL, NULL, deploy_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  deployment = call.value;

  g_assert_cmpstr (deployment->id, ==, "dpl_89qyp1cskzkLrVicDaZoDbjyHuDJ");
  g_assert_cmpstr (deployment->url, ==, "playalter-site-abc123.vercel.app");
  g_assert_cmpstr (deployment->ready_state, ==, "READY");
  g_assert_cmpint (deployment->created_ms, ==, 1700000000000);
  assert_states (&call, states);
  g_assert_cmpuint (call.total, ==, G_N_ELEMENTS (site_files));
  g_assert_cmpuint (call.last_done, ==, G_N_ELEMENTS (site_files));
  call_clear (&call);

  /* Every file arrived whole, under its own digest; .git stayed home. */
  g_assert_cmpuint (g_hash_table_size (peer->uploads), ==, G_N_ELEMENTS (site_files));
  for (gsize i = 0; i < G_N_ELEMENTS (site_files); i++)
    {
      g_autofree char *sha = sha1_of (site_files[i].contents, site_files[i].size);
      GBytes *got = g_hash_table_lookup (peer->uploads, sha);

      g_assert_nonnull (got);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       site_files[i].contents, site_files[i].size);
    }
  g_assert_false (g_hash_table_contains (peer->uploads, git_sha));
  g_assert_cmpuint (peer->max_in_flight, >=, 1);
  g_assert_cmpuint (peer->max_in_flight, <=, 2);

  for (guint i = 0; i < peer->seen->len; i++)
    {
      Seen *seen = peer->seen->pdata[i];

      g_assert_cmpstr (seen->team_id, ==, TEAM_ID);
      g_assert_cmpstr (seen->authorization, ==, "Bearer " TEST_KEY);
      if (g_str_equal (seen->path, "/v2/files"))
        {
          g_autofree char *size = g_strdup_printf ("%" G_GSIZE_FORMAT,
                                                   g_bytes_get_size (seen->body));

          uploads++;
          g_assert_cmpstr (seen->content_type, ==, "application/octet-stream");
          g_assert_cmpstr (seen->content_length, ==, size);
        }
      else if (g_str_equal (seen->path, "/v13/deployments"))
        {
          g_assert_cmpstr (seen->skip_detection, ==, "1");
          g_assert_null (request);
          g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (seen->body, NULL),
                                                     (gssize) g_bytes_get_size (seen->body),
                                                     NULL));
          request = json_node_get_object (json_parser_get_root (parser));
        }
    }
  g_assert_cmpuint (uploads, ==, G_N_ELEMENTS (site_files));
  g_assert_cmpuint (peer->polls, ==, 3);

  g_assert_nonnull (request);
  g_assert_cmpstr (json_object_get_string_member (request, "name"), ==, "playalter-site");
  g_assert_cmpstr (json_object_get_string_member (request, "target"), ==, "production");
  files = json_object_get_array_member (request, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, G_N_ELEMENTS (site_files));
  for (gsize i = 0; i < G_N_ELEMENTS (site_files); i++)
    {
      g_autofree char *sha = sha1_of (site_files[i].contents, site_files[i].size);
      JsonObject *file = find_file (files, site_files[i].path);

      g_assert_nonnull (file);
      g_assert_cmpstr (json_object_get_string_member (file, "sha"), ==, sha);
      g_assert_cmpint (json_object_get_int_member (file, "size"), ==, (gint64) site_files[i].size);
      g_assert_cmpuint (json_object_get_size (file), ==, 3);
    }

  /* And that body is what vercel.json allows (Prism does not check it). */
  {
    g_autoptr(JsonParser) control = json_parser_new ();
    g_autofree gboolean *valid = NULL;
    g_auto(GStrv) errors = NULL;
    PaTestBodyCase cases[3] = {
      { "POST", "/v13/deployments", json_parser_get_root (parser) },
      { "POST", "/v13/deployments", NULL },
      { "POST", "/v13/deployments", NULL },
    };
    g_autoptr(JsonParser) control2 = json_parser_new ();

    g_assert_true (json_parser_load_from_data (control,
                                               "{\"files\":[{\"file\":\"a\",\"sha\":\"b\",\"size\":1}]}",
                                               -1, NULL));
    cases[1].body = json_parser_get_root (control);
    g_assert_true (json_parser_load_from_data (control2,
                                               "{\"name\":\"x\",\"files\":[{\"file\":\"a\",\"digest\":\"b\"}]}",
                                               -1, NULL));
    cases[2].body = json_parser_get_root (control2);

    valid = pa_test_validate_bodies ("openapi/vercel.json", cases, G_N_ELEMENTS (cases), &errors);
    if (valid != NULL)
      {
        if (!valid[0])
          g_error ("The deployment request breaks the contract: %s", errors[0]);
        g_assert_false (valid[1]);
        g_assert_false (valid[2]);
      }
  }

  remove_tree (root);
}

/* A failed build ends the deploy with Vercel's own reason. */
static void
test_deploy_error (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *root = NULL;
  const char * const states[] = { "UPLOADING", "QUEUED", "BUILDING", "ERROR", NULL };
  Call call;

  if (!need_keyring ())
    return;

  root = make_site ();
  folder = g_file_new_for_path (root);
  peer = peer_new (building_then_error);
  peer->error_message = "Command npm run build exited with 1";
  vercel = scripted_client (peer, &http);

  call_init (&call);
  pa_vercel_deploy_async (vercel, folder, "playalter-site", NULL, NULL,
                          record_progress, &call, NULL, NULL, deploy_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_FAILED);
  g_assert_nonnull (strstr (call.error->message, "Command npm run build exited with 1"));
  assert_states (&call, states);
  call_clear (&call);

  /* No team: no teamId anywhere. */
  for (guint i = 0; i < peer->seen->len; i++)
    g_assert_null (((Seen *) peer->seen->pdata[i])->team_id);
  remove_tree (root);
}

/* A file that cannot be uploaded stops the deploy before a deployment is
 * created (after PaHttp's retries: uploads are safe to repeat). */
static void
test_deploy_upload_fails (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *root = NULL;
  g_autofree char *bad = sha1_of (site_files[0].contents, site_files[0].size);
  guint attempts = 0;
  Call call;

  if (!need_keyring ())
    return;

  root = make_site ();
  folder = g_file_new_for_path (root);
  peer = peer_new (building_then_ready);
  peer->fail_digest = bad;
  vercel = scripted_client (peer, &http);

  call_init (&call);
  pa_vercel_deploy_async (vercel, folder, "playalter-site", NULL, NULL,
                          NULL, NULL, NULL, NULL, deploy_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_SERVER);
  g_assert_nonnull (strstr (call.error->message, site_files[0].path));
  call_clear (&call);

  g_assert_cmpuint (peer->creates, ==, 0);
  for (guint i = 0; i < peer->seen->len; i++)
    attempts += g_strcmp0 (((Seen *) peer->seen->pdata[i])->digest, bad) == 0;
  g_assert_cmpuint (attempts, ==, PA_HTTP_DEFAULT_MAX_ATTEMPTS);
  remove_tree (root);
}

static void
test_deploy_bad_folder (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *git = NULL;
  Call call;

  if (!need_keyring ())
    return;

  empty = g_dir_make_tmp ("pa-vercel-empty-XXXXXX", &error);
  g_assert_no_error (error);
  missing = g_build_filename (empty, "nowhere", NULL);
  git = g_build_filename (empty, ".git", NULL);
  /* A folder with nothing but .git has nothing to publish either. */
  g_assert_cmpint (g_mkdir (git, 0700), ==, 0);

  peer = peer_new (building_then_ready);
  vercel = scripted_client (peer, &http);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(GFile) folder = g_file_new_for_path (i == 0 ? missing : empty);

      call_init (&call);
      pa_vercel_deploy_async (vercel, folder, "site", NULL, NULL, NULL, NULL, NULL, NULL,
                              deploy_done, &call);
      call_wait (&call);
      g_assert_error (call.error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      call_clear (&call);
    }
  g_assert_cmpuint (peer->seen->len, ==, 0);
  g_rmdir (git);
  g_rmdir (empty);
}

static void
cancel_when_building (const PaVercelProgress *progress,
                      gpointer                user_data)
{
  GCancellable *cancellable = user_data;

  if (g_str_equal (progress->state, "BUILDING"))
    g_cancellable_cancel (cancellable);
}

/* Cancelling while the build runs stops the polling. */
static void
test_deploy_cancel (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autofree char *root = NULL;
  guint polls;
  Call call;

  if (!need_keyring ())
    return;

  root = make_site ();
  folder = g_file_new_for_path (root);
  peer = peer_new (building_forever);
  vercel = scripted_client (peer, &http);

  call_init (&call);
  pa_vercel_deploy_async (vercel, folder, "playalter-site", NULL, NULL,
                          cancel_when_building, cancellable, NULL, cancellable,
                          deploy_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_CANCELLED);
  call_clear (&call);

  /* The cancel came with the first BUILDING: no poll after it. */
  polls = peer->polls;
  g_assert_cmpuint (polls, ==, 1);
  remove_tree (root);
}

/* Pages follow pagination.next; list items use uid/state/created. */
static void
test_list_pages (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  g_autoptr(GPtrArray) first = NULL;
  g_autoptr(GPtrArray) second = NULL;
  PaVercelDeployment *deployment;
  gint64 next;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (building_then_ready);
  vercel = scripted_client (peer, &http);

  call_init (&call);
  pa_vercel_list_deployments_async (vercel, NULL, 2, 0, NULL, deployments_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  first = call.value;
  next = call.next;
  call_clear (&call);

  g_assert_cmpuint (first->len, ==, 2);
  deployment = first->pdata[0];
  g_assert_cmpstr (deployment->id, ==, "dpl_2");
  g_assert_cmpstr (deployment->ready_state, ==, "READY");
  g_assert_cmpstr (deployment->target, ==, "production");
  g_assert_cmpint (deployment->created_ms, ==, 1700000002000);
  deployment = first->pdata[1];
  g_assert_cmpstr (deployment->ready_state, ==, "ERROR");
  g_assert_null (deployment->target);
  g_assert_cmpint (next, ==, 1700000001000);

  call_init (&call);
  pa_vercel_list_deployments_async (vercel, NULL, 2, next, NULL, deployments_done, &call);
  call_wait (&call);
  g_assert_no_error (call.error);
  second = call.value;
  g_assert_cmpint (call.next, ==, 0);
  call_clear (&call);

  g_assert_cmpuint (second->len, ==, 1);
  g_assert_cmpstr (((PaVercelDeployment *) second->pdata[0])->ready_state, ==, "CANCELED");
  g_assert_null (((Seen *) peer->seen->pdata[0])->until);
  g_assert_cmpstr (((Seen *) peer->seen->pdata[1])->until, ==, "1700000001000");
}

/* Vercel's error object becomes the message; 404 is NOT_FOUND. */
static void
test_error_object (void)
{
  g_autoptr(Peer) peer = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaVercel) vercel = NULL;
  Call call;

  if (!need_keyring ())
    return;

  peer = peer_new (building_then_ready);
  vercel = scripted_client (peer, &http);

  call_init (&call);
  pa_vercel_list_projects_async (vercel, 0, NULL, NULL, projects_done, &call);
  call_wait (&call);
  g_assert_error (call.error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (call.error->message, "The page could not be found"));
  call_clear (&call);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  /* A short program name, for the peers' log file names. */
  g_set_prgname ("test-vercel");

  g_test_add_func ("/vercel/prism/check", test_prism_check);
  g_test_add_func ("/vercel/prism/upload", test_prism_upload);
  g_test_add_func ("/vercel/prism/deployment", test_prism_deployment);
  g_test_add_func ("/vercel/prism/lists", test_prism_lists);
  g_test_add_func ("/vercel/prism/rejects", test_prism_rejects);

  g_test_add_func ("/vercel/scripted/deploy-ready", test_deploy_ready);
  g_test_add_func ("/vercel/scripted/deploy-error", test_deploy_error);
  g_test_add_func ("/vercel/scripted/deploy-upload-fails", test_deploy_upload_fails);
  g_test_add_func ("/vercel/scripted/deploy-bad-folder", test_deploy_bad_folder);
  g_test_add_func ("/vercel/scripted/deploy-cancel", test_deploy_cancel);
  g_test_add_func ("/vercel/scripted/list-pages", test_list_pages);
  g_test_add_func ("/vercel/scripted/error-object", test_error_object);

  status = g_test_run ();

  g_clear_pointer (&prism, pa_test_peer_stop);
  g_clear_error (&prism_error);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
