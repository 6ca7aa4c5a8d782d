/* test-actions.c — the action registry, argument checks and the built-in actions
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pa-agora-token.h"
#include "pa-error.h"
#include "pa-http.h"
#include "pa-keyring-credentials.h"
#include "pa-replicate.h"
#include "pa-secrets.h"
#include "pa-stripe.h"
#include "pa-store.h"
#include "pa-vercel.h"
#include "pa-action.h"
#include "pa-action-context.h"
#include "pa-file-policy.h"
#include "pa-test-actions.h"
#include "pa-test-contract.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

#define AGORA_APP_ID "970CA35de60c44645bbae8a215061b33"
#define AGORA_CERT   "5CFd2fd1755d40ecb72977518be15d3b"

/* ---- helpers ------------------------------------------------------------ */

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonNode) node = json_from_string (json, NULL);

  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  return json_object_ref (json_node_get_object (node));
}

/* Checks @args_json against @name's schema, runs it and waits for it. */
static JsonNode *
run_action (PaActionContext  *context,
            const char       *name,
            const char       *args_json,
            GCancellable     *cancellable,
            GError          **error)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  const PaActionInfo *info;
  g_autoptr(JsonObject) args = parse_object (args_json);
  g_autoptr(GAsyncResult) result = NULL;

  pa_test_register_fail_action (registry);
  info = pa_action_registry_lookup (registry, name);
  g_assert_nonnull (info);
  g_assert_true (pa_action_check_args (info, args, "with", NULL));
  info->run (context, args, cancellable, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return info->finish (result, error);
}

static const char *
output_string (JsonNode   *output,
               const char *member)
{
  g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
  return json_object_get_string_member (json_node_get_object (output), member);
}

typedef struct {
  char   *dir;
  PaStore *store;
} TempStore;

static TempStore *
temp_store_new (void)
{
  TempStore *temp = g_new0 (TempStore, 1);
  g_autoptr(GError) error = NULL;

  temp->dir = g_dir_make_tmp ("test-actions-XXXXXX", &error);
  g_assert_no_error (error);
  temp->store = pa_store_open (temp->dir, &error);
  g_assert_no_error (error);
  return temp;
}

static void
remove_tree (const char *path)
{
  GDir *dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir != NULL)
    {
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_dir_close (dir);
    }
  g_remove (path);
}

static void
temp_store_free (TempStore *temp)
{
  g_clear_object (&temp->store);
  remove_tree (temp->dir);
  g_free (temp->dir);
  g_free (temp);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (TempStore, temp_store_free)

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
  pa_secrets_store_sync (secrets, "stripe", "default", "api-key", "sk_test_actions", NULL, &error);
  g_assert_no_error (error);
  pa_secrets_store_sync (secrets, "replicate", "default", "api-key", "r8_actions", NULL, &error);
  g_assert_no_error (error);
  pa_secrets_store_sync (secrets, "openai", "default", "api-key", "sk-actions", NULL, &error);
  g_assert_no_error (error);
  pa_secrets_store_sync (secrets, "agora", "default", "app-id", AGORA_APP_ID, NULL, &error);
  g_assert_no_error (error);
  pa_secrets_store_sync (secrets, "agora", "default", "app-certificate", AGORA_CERT, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static PaHttp *
http_new (void)
{
  PaHttp *http = pa_http_new ();
  g_autoptr(PaKeyringCredentials) credentials = pa_keyring_credentials_new (secrets);

  pa_http_set_backoff (http, 10, 50);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (credentials));
  return http;
}

/* ---- a scripted peer: one handler per test ------------------------------ */

typedef struct {
  SoupServer *server;
  char       *url;
} Peer;

static Peer *
peer_new (SoupServerCallback callback,
          gpointer           user_data)
{
  Peer *peer = g_new0 (Peer, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  peer->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (peer->server, NULL, callback, user_data, NULL);
  soup_server_listen_local (peer->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (peer->server);
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return peer;
}

static void
peer_free (Peer *peer)
{
  soup_server_disconnect (peer->server);
  g_clear_object (&peer->server);
  g_free (peer->url);
  g_free (peer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Peer, peer_free)

static void
reply_json (SoupServerMessage *msg,
            guint              status,
            const char        *json)
{
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    json, strlen (json));
}

/* ---- the registry ------------------------------------------------------- */

static void
test_registry_default (void)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  g_autoptr(GPtrArray) list = pa_action_registry_list (registry);
  const char * const expected[] = {
    "agora.token", "local.save", "local.set", "local.wait", "media.faceswap", "n8n.webhook",
    "openai.chat", "replicate.predict", "stripe.deactivate_payment_link", "stripe.payment_link",
    "stripe.refund", "stripe.sell", "vercel.deploy",
  };
  const PaActionInfo *info;

  g_assert_cmpuint (list->len, ==, G_N_ELEMENTS (expected));
  for (guint i = 0; i < list->len; i++)
    {
      info = list->pdata[i];
      g_assert_cmpstr (info->name, ==, expected[i]);
      g_assert_true (pa_action_registry_lookup (registry, expected[i]) == info);
      g_assert_nonnull (info->run);
      g_assert_nonnull (info->finish);
      g_assert_nonnull (info->summary);
      /* A compensation must be an action too. */
      if (info->compensation != NULL)
        g_assert_nonnull (pa_action_registry_lookup (registry, info->compensation));
    }

  /* The failing action is for tests only. */
  g_assert_null (pa_action_registry_lookup (registry, "local.fail"));
  g_assert_null (pa_action_registry_lookup (registry, "stripe.nothing"));
  g_assert_null (pa_action_registry_lookup (registry, NULL));

  info = pa_action_registry_lookup (registry, "stripe.payment_link");
  g_assert_cmpstr (info->platform, ==, "stripe");
  g_assert_cmpstr (info->compensation, ==, "stripe.deactivate_payment_link");
  g_assert_true (info->idempotent);
  g_assert_null (pa_action_registry_lookup (registry, "local.save")->platform);
  g_assert_true (pa_action_registry_lookup (registry, "replicate.predict")->idempotent);
  g_assert_true (pa_action_registry_lookup (registry, "agora.token")->idempotent);
  g_assert_true (pa_action_registry_lookup (registry, "media.faceswap")->idempotent);
  g_assert_null (pa_action_registry_lookup (registry, "media.faceswap")->platform);
  g_assert_false (pa_action_registry_lookup (registry, "vercel.deploy")->idempotent);
  g_assert_false (pa_action_registry_lookup (registry, "n8n.webhook")->idempotent);
  g_assert_false (pa_action_registry_lookup (registry, "openai.chat")->idempotent);
}

static void
test_registry_custom (void)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new ();
  g_autoptr(PaActionRegistry) defaults = pa_action_registry_new_default ();
  const PaActionInfo *set = pa_action_registry_lookup (defaults, "local.set");
  g_autoptr(GPtrArray) list = NULL;

  g_assert_null (pa_action_registry_lookup (registry, "local.set"));
  pa_action_registry_add (registry, set);
  g_assert_true (pa_action_registry_lookup (registry, "local.set") == set);
  list = pa_action_registry_list (registry);
  g_assert_cmpuint (list->len, ==, 1);
}

/* ---- argument checks ---------------------------------------------------- */

static gboolean
check (const char  *action,
       const char  *args_json,
       GError     **error)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  g_autoptr(JsonObject) args = parse_object (args_json);

  return pa_action_check_args (pa_action_registry_lookup (registry, action), args,
                               "steps[2].with", error);
}

static void
test_check_args (void)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (check ("stripe.payment_link", "{\"price\": \"price_1\", \"quantity\": 2}", NULL));

  g_assert_false (check ("stripe.payment_link", "{\"quantity\": 2}", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "steps[2].with.price: required argument is missing");
  g_clear_error (&error);

  g_assert_false (check ("local.wait", "{\"seconds\": \"ten\"}", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_cmpstr (error->message, ==, "steps[2].with.seconds: must be a number, not a string");
  g_clear_error (&error);

  /* An integer argument takes no fraction; a number takes both. */
  g_assert_false (check ("stripe.payment_link", "{\"price\": \"p\", \"quantity\": 1.5}", &error));
  g_assert_cmpstr (error->message, ==,
                   "steps[2].with.quantity: must be an integer, not a number");
  g_clear_error (&error);
  g_assert_true (check ("local.wait", "{\"seconds\": 1}", NULL));
  g_assert_true (check ("local.wait", "{\"seconds\": 0.5}", NULL));

  g_assert_false (check ("local.wait", "{\"seconds\": null}", &error));
  g_assert_cmpstr (error->message, ==, "steps[2].with.seconds: must be a number, not null");
  g_clear_error (&error);

  g_assert_false (check ("agora.token", "{\"channel\": \"c\", \"colour\": \"red\"}", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, "steps[2].with.colour:"));
  g_assert_nonnull (strstr (error->message, "channel, uid, role, expire_s"));
  g_clear_error (&error);

  /* A file is a string naming it. */
  g_assert_true (check ("local.save", "{\"path\": \"face.png\"}", NULL));
  g_assert_false (check ("local.save", "{\"path\": 3}", &error));
  g_assert_cmpstr (error->message, ==,
                   "steps[2].with.path: must be a file name (string), not an integer");
  g_clear_error (&error);

  /* Templates are typed once resolved, so any type takes one now. */
  g_assert_true (check ("local.wait", "{\"seconds\": \"{{inputs.delay}}\"}", NULL));
  g_assert_true (check ("replicate.predict", "{\"input\": \"{{steps.a.output}}\"}", NULL));

  g_assert_true (check ("local.set", "{\"value\": [1, {\"a\": null}]}", NULL));
  g_assert_false (check ("local.set", "{}", &error));
  g_assert_cmpstr (error->message, ==, "steps[2].with.value: required argument is missing");
  g_clear_error (&error);

  g_assert_cmpstr (pa_arg_type_to_string (PA_ARG_FILE), ==, "file");
  g_assert_cmpstr (pa_arg_type_to_string (PA_ARG_INTEGER), ==, "integer");
}

/* ---- local actions ------------------------------------------------------ */

static void
test_local_set_fail (void)
{
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, NULL, "run-1", "s", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *json = NULL;

  g_assert_cmpstr (pa_action_context_get_idempotency_key (context), ==, "run-1/s");
  g_assert_cmpint (pa_action_context_get_attempt (context), ==, 1);

  output = run_action (context, "local.set", "{\"value\": {\"a\": [1, 2]}}", NULL, &error);
  g_assert_no_error (error);
  json = json_to_string (output, FALSE);
  g_assert_cmpstr (json, ==, "{\"value\":{\"a\":[1,2]}}");
  g_clear_pointer (&output, json_node_unref);

  output = run_action (context, "local.fail", "{\"message\": \"broken on purpose\"}", NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "broken on purpose");
  g_clear_error (&error);

  output = run_action (context, "local.fail", "{}", NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_FAILED);
}

typedef struct {
  guint       calls;
  guint       fail_on_call;   /* 0: never */
  JsonObject *state;
} Checkpoints;

static gboolean
record_checkpoint (PaActionContext  *context,
                   JsonObject       *state,
                   gpointer          user_data,
                   GError          **error)
{
  Checkpoints *checkpoints = user_data;

  checkpoints->calls++;
  if (checkpoints->calls == checkpoints->fail_on_call)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_CANCELLED, "the process stopped here");
      return FALSE;
    }
  g_clear_pointer (&checkpoints->state, json_object_unref);
  checkpoints->state = json_object_ref (state);
  return TRUE;
}

static void
test_local_wait (void)
{
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, NULL, "run-1", "w", 1);
  g_autoptr(PaActionContext) resumed = pa_action_context_new (NULL, NULL, "run-1", "w", 2);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(JsonObject) state = json_object_new ();
  Checkpoints checkpoints = { 0 };
  gint64 before = g_get_real_time ();
  gint64 started;

  /* A first run journals its deadline before it waits. */
  pa_action_context_set_checkpoint_func (context, record_checkpoint, &checkpoints);
  output = run_action (context, "local.wait", "{\"seconds\": 0.05}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (checkpoints.calls, ==, 1);
  g_assert_cmpint (json_object_get_int_member (checkpoints.state, "until_us"), >=, before + 50000);
  g_assert_cmpint (g_get_real_time (), >=, before + 50000);
  g_assert_true (pa_action_context_get_state (context) == checkpoints.state);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (output), "waited_s"),
                     ==, 0.05);
  g_clear_pointer (&output, json_node_unref);

  /* A resumed one waits only for what is left: 100 ms of an hour. */
  json_object_set_int_member (state, "until_us", g_get_real_time () + 100000);
  pa_action_context_set_state (resumed, state);
  started = g_get_monotonic_time ();
  output = run_action (resumed, "local.wait", "{\"seconds\": 3600}", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 30 * G_USEC_PER_SEC);
  g_assert_cmpfloat (json_object_get_double_member (json_node_get_object (output), "waited_s"),
                     ==, 3600);
  g_clear_pointer (&output, json_node_unref);

  /* A deadline already passed: no wait at all. */
  json_object_set_int_member (state, "until_us", g_get_real_time () - G_USEC_PER_SEC);
  pa_action_context_set_state (resumed, state);
  output = run_action (resumed, "local.wait", "{\"seconds\": 3600}", NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (output);

  g_clear_pointer (&checkpoints.state, json_object_unref);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_local_wait_cancel (void)
{
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, NULL, "run-1", "w", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;

  g_idle_add (cancel_cb, cancellable);
  output = run_action (context, "local.wait", "{\"seconds\": 3600}", cancellable, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  /* The deadline stays journaled for the next attempt. */
  g_assert_nonnull (pa_action_context_get_state (context));
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A cancelled wait must not answer again when its timer would have
 * fired (GTask treats a second answer as a critical, fatal in tests). */
static void
test_local_wait_cancel_then_deadline (void)
{
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, NULL, "run-1", "w", 1);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  gboolean past_deadline = FALSE;

  g_idle_add (cancel_cb, cancellable);
  output = run_action (context, "local.wait", "{\"seconds\": 0.2}", cancellable, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);

  g_timeout_add (400, set_flag, &past_deadline);
  while (!past_deadline)
    g_main_context_iteration (NULL, TRUE);
}

static void
grant (PaActionContext *context,
       const char      *path)
{
  g_autoptr(PaFilePolicy) policy = pa_file_policy_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_file_policy_allow (policy, path, &error));
  g_assert_no_error (error);
  pa_action_context_set_file_policy (context, policy);
}

static void
assert_save_refused (PaActionContext *context,
                     const char      *path,
                     const char      *fragment)
{
  g_autofree char *args = g_strdup_printf ("{\"path\": \"%s\"}", path);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = run_action (context, "local.save", args, NULL, &error);

  g_test_message ("local.save %s: %s", path, error != NULL ? error->message : "saved");
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, path));
  g_assert_nonnull (strstr (error->message, fragment));
}

/* What a shared workflow file must not make local.save read: anything
 * outside the granted places (however the path gets there), and in them
 * anything but a regular file. Each used to be copied into the media
 * folder, or to block for ever (a FIFO) or fill the disk (/dev/zero). */
static void
test_local_save_policy (void)
{
  g_autoptr(TempStore) temp = temp_store_new ();
  g_autoptr(PaActionContext) context = pa_action_context_new (temp->store, NULL, "run-8", "save", 1);
  g_autoptr(PaFilePolicy) policy = pa_file_policy_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *granted = g_build_filename (temp->dir, "granted", NULL);
  g_autofree char *outside = g_build_filename (temp->dir, "outside.txt", NULL);
  g_autofree char *inside = g_build_filename (granted, "inside.txt", NULL);
  g_autofree char *link_out = g_build_filename (granted, "link-out.txt", NULL);
  g_autofree char *link_in = g_build_filename (granted, "link-in.txt", NULL);
  g_autofree char *dotdot = g_build_filename (granted, "..", "outside.txt", NULL);
  g_autofree char *fifo = g_build_filename (granted, "fifo", NULL);
  g_autofree char *sub = g_build_filename (granted, "sub", NULL);
  g_autofree char *single = g_build_filename (temp->dir, "single.txt", NULL);
  g_autofree char *media = NULL;
  g_autofree char *in_media = NULL;
  g_autofree char *args = NULL;
  const char * const *allowed;

  g_assert_no_errno (g_mkdir (granted, 0700));
  g_assert_no_errno (g_mkdir (sub, 0700));
  g_assert_true (g_file_set_contents (outside, "secret", -1, NULL));
  g_assert_true (g_file_set_contents (inside, "fine", -1, NULL));
  g_assert_true (g_file_set_contents (single, "one", -1, NULL));
  g_assert_no_errno (symlink (outside, link_out));
  g_assert_no_errno (symlink ("inside.txt", link_in));
  g_assert_no_errno (mkfifo (fifo, 0600));

  g_assert_true (pa_file_policy_allow (policy, granted, &error));
  g_assert_true (pa_file_policy_allow (policy, single, &error));
  /* Inside a granted folder already: nothing new. */
  g_assert_true (pa_file_policy_allow (policy, sub, &error));
  g_assert_no_error (error);
  allowed = pa_file_policy_get_allowed (policy);
  g_assert_cmpuint (g_strv_length ((char **) allowed), ==, 2);
  g_assert_false (pa_file_policy_allow (policy, "/nowhere/at/all", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_clear_error (&error);
  pa_action_context_set_file_policy (context, policy);

  assert_save_refused (context, "/proc/self/environ", "--allow-path");
  assert_save_refused (context, "/etc/passwd", "--allow-path");
  assert_save_refused (context, outside, "--allow-path");
  assert_save_refused (context, link_out, "--allow-path");
  assert_save_refused (context, dotdot, "--allow-path");
  assert_save_refused (context, fifo, "not a regular file");
  assert_save_refused (context, sub, "not a regular file");

  /* A link that stays inside, a granted single file and the media
   * folder are fine. */
  args = g_strdup_printf ("{\"path\": \"%s\"}", link_in);
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&output, json_node_unref);
  g_free (args);
  args = g_strdup_printf ("{\"path\": \"%s\"}", single);
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&output, json_node_unref);
  media = pa_action_context_dup_media_dir (context, &error);
  g_assert_no_error (error);
  in_media = g_build_filename (media, "in-media.txt", NULL);
  g_assert_true (g_file_set_contents (in_media, "media", -1, NULL));
  g_free (args);
  args = g_strdup_printf ("{\"path\": \"%s\"}", in_media);
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_no_error (error);
  g_clear_pointer (&output, json_node_unref);

  /* A device is refused even where it is granted. */
  {
    g_autoptr(PaFilePolicy) devices = pa_file_policy_new ();
    g_autoptr(PaActionContext) dev_context = pa_action_context_new (temp->store, NULL, "run-9",
                                                                     "save", 1);

    g_assert_true (pa_file_policy_allow (devices, "/dev", &error));
    g_assert_no_error (error);
    pa_action_context_set_file_policy (dev_context, devices);
    assert_save_refused (dev_context, "/dev/zero", "not a regular file");
  }

  g_unlink (fifo);
  g_unlink (link_in);
  g_unlink (link_out);
}

static void
test_local_save (void)
{
  g_autoptr(TempStore) temp = temp_store_new ();
  g_autoptr(PaActionContext) context = pa_action_context_new (temp->store, NULL, "run-7", "save", 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *source = g_build_filename (temp->dir, "face.png", NULL);
  g_autofree char *args = NULL;
  g_autofree char *expected_sha = NULL;
  g_autofree char *expected_name = NULL;
  g_autofree char *saved = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *media = NULL;
  gsize saved_len = 0;
  GString *content = g_string_new (NULL);
  g_autoptr(PaAssetRecord) asset = NULL;
  g_autoptr(GPtrArray) assets = NULL;

  /* Bigger than one copy buffer, so the hash is really streamed. */
  for (guint i = 0; i < 30000; i++)
    g_string_append_printf (content, "%u,", i);
  g_file_set_contents (source, content->str, content->len, &error);
  g_assert_no_error (error);
  expected_sha = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) content->str,
                                              content->len);
  expected_name = g_strdup_printf ("%.12s-face.png", expected_sha);

  /* Not read before its folder is granted. */
  args = g_strdup_printf ("{\"path\": \"%s\"}", source);
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, source));
  g_assert_nonnull (strstr (error->message, "--allow-path"));
  g_clear_error (&error);
  grant (context, temp->dir);

  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output_string (output, "sha256"), ==, expected_sha);

  media = pa_action_context_dup_media_dir (context, &error);
  g_assert_no_error (error);
  basename = g_path_get_basename (output_string (output, "path"));
  g_assert_cmpstr (basename, ==, expected_name);
  g_assert_true (g_str_has_prefix (output_string (output, "path"), media));
  g_file_get_contents (output_string (output, "path"), &saved, &saved_len, &error);
  g_assert_no_error (error);
  g_assert_cmpmem (saved, saved_len, content->str, content->len);

  asset = pa_store_get_asset (temp->store, output_string (output, "path"), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (asset->sha256, ==, expected_sha);
  g_assert_cmpstr (asset->run_id, ==, "run-7");
  g_assert_cmpstr (asset->kind, ==, "image");
  g_clear_pointer (&output, json_node_unref);

  /* Saving again (a retried step) gives the same file and one row. */
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (output_string (output, "sha256"), ==, expected_sha);
  assets = pa_store_list_assets (temp->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpint (((PaAssetRecord *) assets->pdata[0])->id, ==, asset->id);
  g_clear_pointer (&output, json_node_unref);

  /* A missing file says which. */
  g_free (args);
  args = g_strdup_printf ("{\"path\": \"%s/nothing-here.png\"}", temp->dir);
  output = run_action (context, "local.save", args, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "nothing-here.png"));

  g_string_free (content, TRUE);
}

/* ---- stripe.payment_link ------------------------------------------------ */

typedef struct {
  GPtrArray *keys;
  guint      posts;
  char      *body;
} StripePeer;

static void
stripe_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  StripePeer *peer = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  if (g_str_equal (soup_server_message_get_method (msg), "POST") &&
      g_str_equal (path, "/v1/payment_links"))
    {
      g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

      peer->posts++;
      g_free (peer->body);
      peer->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
      g_ptr_array_add (peer->keys,
                       g_strdup (soup_message_headers_get_one (headers, "Idempotency-Key")));
      reply_json (msg, 200, "{\"id\": \"plink_1\", \"object\": \"payment_link\", "
                            "\"active\": true, \"url\": \"https://buy.stripe.com/test_1\"}");
      return;
    }
  reply_json (msg, 404, "{\"error\": {\"message\": \"No such route\"}}");
}

static void
test_stripe_payment_link (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(GError) error = NULL;
  StripePeer peer = { g_ptr_array_new_with_free_func (g_free), 0, NULL };
  g_autofree char *form = NULL;

  if (!need_keyring ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  server = peer_new (stripe_cb, &peer);
  /* The account's saved base URL is where the step goes. */
  pa_store_save_account (temp->store, "stripe", "default", server->url, "Test", "signed-in",
                         &error);
  g_assert_no_error (error);

  /* Twice, as a retry or a resumed run does: the same key both times. */
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr(PaActionContext) context = pa_action_context_new (temp->store, http, "run-42",
                                                                  "sell", (int) i + 1);
      g_autoptr(JsonNode) output = NULL;

      output = run_action (context, "stripe.payment_link",
                           "{\"price\": \"price_123\", \"quantity\": 2, "
                           "\"metadata\": {\"order\": \"7\"}}", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (output_string (output, "id"), ==, "plink_1");
      g_assert_cmpstr (output_string (output, "url"), ==, "https://buy.stripe.com/test_1");
    }

  g_assert_cmpuint (peer.posts, ==, 2);
  g_assert_cmpstr (peer.keys->pdata[0], ==, "run-42/sell");
  g_assert_cmpstr (peer.keys->pdata[1], ==, "run-42/sell");
  form = g_uri_unescape_string (peer.body, NULL);
  g_assert_nonnull (strstr (form, "[price]=price_123"));
  g_assert_nonnull (strstr (form, "[quantity]=2"));
  g_assert_nonnull (strstr (form, "metadata[order]=7"));
  g_ptr_array_unref (peer.keys);
  g_free (peer.body);
}

/* ---- stripe.refund and stripe.deactivate_payment_link: the contract -----
 * tests/peers/stripe-form-peer.mjs decodes the form as Stripe does and
 * validates it against the official stripe.json; what it received is
 * listed at GET /__peer/requests. One peer serves every test here. */

static PaTestPeer *stripe_form_peer;

static gboolean
need_stripe_form_peer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = NULL;

  if (stripe_form_peer != NULL)
    return TRUE;

  /* Fails (or skips, see pa-test-require.h) when the spec is not in the
   * fixtures. */
  spec = pa_test_fixtures_require ("openapi/stripe.json");
  if (spec == NULL)
    return FALSE;

  stripe_form_peer = pa_test_node_peer_start ("stripe-form-peer.mjs", NULL, &error);
  return pa_test_require_no_error (error);
}

/* What the peer received with @key, oldest first. */
static JsonArray *
stripe_requests_with_key (const char *key)
{
  g_autofree char *url = g_strdup_printf ("%s/__peer/requests",
                                          pa_test_peer_get_url (stripe_form_peer));
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *all;
  JsonArray *matching = json_array_new ();

  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  root = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  all = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *seen = json_array_get_object_element (all, i);
      JsonNode *seen_key = json_object_get_member (seen, "idempotency_key");

      if (seen_key != NULL && JSON_NODE_HOLDS_VALUE (seen_key) &&
          g_strcmp0 (json_node_get_string (seen_key), key) == 0)
        json_array_add_element (matching, json_node_copy (json_array_get_element (all, i)));
    }
  return matching;
}

/* The only request the peer received with @key. */
static JsonObject *
stripe_request_with_key (const char *key)
{
  g_autoptr(JsonArray) seen = stripe_requests_with_key (key);

  if (json_array_get_length (seen) != 1)
    g_error ("The Stripe peer received %u requests with the key %s, not 1 (log: %s)",
             json_array_get_length (seen), key, pa_test_peer_get_log_path (stripe_form_peer));
  return json_object_ref (json_array_get_object_element (seen, 0));
}

/* A form value as the peer decoded it: a string, or the schema's type
 * when ajv coerced it. */
static char *
form_value (JsonObject *body,
            const char *member)
{
  JsonNode *node = json_object_get_member (body, member);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_VALUE (node));
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_BOOLEAN:
      return g_strdup (json_node_get_boolean (node) ? "true" : "false");
    default:
      g_error ("Unexpected form value type for %s", member);
    }
  return NULL;
}

static PaActionContext *
stripe_context (PaStore    *store,
                PaHttp     *http,
                const char *run,
                const char *step)
{
  g_autoptr(GError) error = NULL;

  pa_store_save_account (store, "stripe", "default", pa_test_peer_get_url (stripe_form_peer),
                         "Test", "signed-in", &error);
  g_assert_no_error (error);
  return pa_action_context_new (store, http, run, step, 1);
}

static void
test_stripe_refund (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  /* The client picks the parameter from the id's prefix: a payment
   * intent is "pi_…", anything else (ch_…, py_…) a charge. */
  const struct {
    const char *step;
    const char *args;
    const char *field;
    const char *other_field;
    const char *payment;
    const char *amount;    /* NULL: not sent, Stripe refunds what is left */
    const char *reason;
  } cases[] = {
    { "refund-pi", "{\"payment\": \"pi_3NbRefund\", \"amount\": 250, "
                   "\"reason\": \"requested_by_customer\"}",
      "payment_intent", "charge", "pi_3NbRefund", "250", "requested_by_customer" },
    { "refund-ch", "{\"payment\": \"ch_3NbRefund\", \"amount\": 1999, \"reason\": \"duplicate\"}",
      "charge", "payment_intent", "ch_3NbRefund", "1999", "duplicate" },
    { "refund-py", "{\"payment\": \"py_3NbRefund\"}",
      "charge", "payment_intent", "py_3NbRefund", NULL, NULL },
  };

  if (!need_keyring () || !need_stripe_form_peer ())
    return;

  temp = temp_store_new ();
  http = http_new ();

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(PaActionContext) context = stripe_context (temp->store, http, "run-11",
                                                           cases[i].step);
      const char *key = pa_action_context_get_idempotency_key (context);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) output = NULL;
      g_autoptr(JsonObject) seen = NULL;
      g_autofree char *value = NULL;
      g_autofree char *expected_key = NULL;
      JsonObject *object;
      JsonObject *body;

      g_test_message ("refund of %s", cases[i].payment);
      output = run_action (context, "stripe.refund", cases[i].args, NULL, &error);
      g_assert_no_error (error);

      /* Exactly the refund's id, status and amount. */
      g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
      object = json_node_get_object (output);
      g_assert_cmpuint (json_object_get_size (object), ==, 3);
      g_assert_nonnull (output_string (output, "id"));
      g_assert_cmpstr (output_string (output, "id"), !=, "");
      /* stripe.json makes status optional and nullable: the step still
       * has the member, null when Stripe left it out. */
      g_assert_true (json_object_has_member (object, "status"));
      g_assert_true (json_object_get_null_member (object, "status") ||
                     json_node_get_value_type (json_object_get_member (object, "status"))
                     == G_TYPE_STRING);
      g_assert_true (json_object_has_member (object, "amount"));
      g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "amount")),
                       ==, G_TYPE_INT64);
      /* The peer echoes what it was asked to refund. */
      if (cases[i].amount != NULL)
        g_assert_cmpint (json_object_get_int_member (object, "amount"), ==,
                         g_ascii_strtoll (cases[i].amount, NULL, 10));

      /* The header Stripe saw is the step's own key, nothing else. */
      expected_key = g_strdup_printf ("run-11/%s", cases[i].step);
      g_assert_cmpstr (key, ==, expected_key);
      seen = stripe_request_with_key (expected_key);
      g_assert_cmpstr (json_object_get_string_member (seen, "method"), ==, "POST");
      g_assert_cmpstr (json_object_get_string_member (seen, "path"), ==, "/v1/refunds");
      g_assert_cmpint (json_object_get_int_member (seen, "status"), ==, 200);
      g_assert_cmpstr (json_object_get_string_member (seen, "stripe_version"), ==,
                       PA_STRIPE_API_VERSION);
      body = json_object_get_object_member (seen, "body");
      g_assert_nonnull (body);

      value = form_value (body, cases[i].field);
      g_assert_cmpstr (value, ==, cases[i].payment);
      g_clear_pointer (&value, g_free);
      g_assert_false (json_object_has_member (body, cases[i].other_field));
      value = form_value (body, "amount");
      g_assert_cmpstr (value, ==, cases[i].amount);
      g_clear_pointer (&value, g_free);
      value = form_value (body, "reason");
      g_assert_cmpstr (value, ==, cases[i].reason);
    }
}

/* The action passes any reason on; the contract (reason is an enum in
 * stripe.json) is what refuses a wrong one, and the error says which
 * parameter. */
static void
test_stripe_refund_bad_reason (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(JsonArray) seen = NULL;
  JsonObject *request;

  if (!need_keyring () || !need_stripe_form_peer ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  context = stripe_context (temp->store, http, "run-11", "refund-bad");
  output = run_action (context, "stripe.refund",
                       "{\"payment\": \"ch_3NbRefund\", \"reason\": \"changed_my_mind\"}",
                       NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, "Stripe refused the request"));
  g_assert_nonnull (strstr (error->message, "(parameter “reason”)"));

  /* Refused by the peer, once: a 400 is not retried. */
  seen = stripe_requests_with_key ("run-11/refund-bad");
  g_assert_cmpuint (json_array_get_length (seen), ==, 1);
  request = json_array_get_object_element (seen, 0);
  g_assert_cmpint (json_object_get_int_member (request, "status"), ==, 400);
  g_assert_cmpstr (json_object_get_string_member (request, "path"), ==, "/v1/refunds");
}

/* The compensation of stripe.payment_link, called as the engine calls it:
 * the link step's whole output as arguments, and the link step's key
 * with "/undo". */
static void
test_stripe_deactivate_payment_link (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(JsonObject) seen = NULL;
  g_autofree char *active = NULL;
  JsonObject *object;
  JsonObject *body;

  if (!need_keyring () || !need_stripe_form_peer ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  context = stripe_context (temp->store, http, "run-12", "sell");
  pa_action_context_set_idempotency_key (context, "run-12/sell/undo");
  output = run_action (context, "stripe.deactivate_payment_link",
                       "{\"id\": \"plink_1NbUndo\", \"url\": \"https://buy.stripe.com/test_1\"}",
                       NULL, &error);
  g_assert_no_error (error);

  g_assert_true (JSON_NODE_HOLDS_OBJECT (output));
  object = json_node_get_object (output);
  g_assert_cmpuint (json_object_get_size (object), ==, 2);
  g_assert_nonnull (output_string (output, "id"));
  /* The peer answers true unless the request said false. */
  g_assert_true (json_object_has_member (object, "active"));
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (object, "active")),
                   ==, G_TYPE_BOOLEAN);
  g_assert_false (json_object_get_boolean_member (object, "active"));

  seen = stripe_request_with_key ("run-12/sell/undo");
  g_assert_cmpstr (json_object_get_string_member (seen, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (seen, "path"), ==,
                   "/v1/payment_links/plink_1NbUndo");
  g_assert_cmpint (json_object_get_int_member (seen, "status"), ==, 200);
  body = json_object_get_object_member (seen, "body");
  g_assert_nonnull (body);
  active = form_value (body, "active");
  g_assert_cmpstr (active, ==, "false");
  /* Only active: the URL argument is not sent on. */
  g_assert_cmpuint (json_object_get_size (body), ==, 1);
}

/* ---- replicate.predict resumes the same prediction ---------------------- */

typedef struct {
  guint         posts;
  guint         gets;
  guint         lists;
  const char   *listed_input;   /* pred_1's input as the list shows it */
  char         *created_after;
  gboolean      done;
  GCancellable *cancel_on_poll;
  char         *base_url;
} ReplicatePeer;

static void
replicate_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  ReplicatePeer *peer = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autofree char *body = NULL;

  if (g_str_equal (method, "POST") && g_str_equal (path, "/predictions"))
    {
      peer->posts++;
      body = g_strdup_printf ("{\"id\": \"pred_1\", \"status\": \"starting\", \"input\": {}, "
                              "\"output\": null, \"logs\": \"\", \"urls\": {\"get\": "
                              "\"%s/predictions/pred_1\"}}", peer->base_url);
      reply_json (msg, 201, body);
      return;
    }
  /* Replicate's list (predictions.list): pred_1, created by the POST above. */
  if (g_str_equal (method, "GET") && g_str_equal (path, "/predictions"))
    {
      peer->lists++;
      g_free (peer->created_after);
      peer->created_after = g_strdup (query != NULL ? g_hash_table_lookup (query, "created_after") : NULL);
      body = g_strdup_printf ("{\"next\": null, \"previous\": null, \"results\": [%s]}",
                              peer->posts == 0 ? ""
                              : "{\"id\": \"pred_0\", \"status\": \"succeeded\", "
                                "\"version\": \"abc123\", \"input\": {\"image\": \"y\"}, "
                                "\"output\": null, \"logs\": \"\"}");
      if (peer->posts > 0)
        {
          g_autofree char *results = g_strdup_printf (
            "{\"id\": \"pred_1\", \"status\": \"processing\", \"version\": \"abc123\", "
            "\"input\": %s, \"output\": null, \"logs\": \"\"}, "
            "{\"id\": \"pred_0\", \"status\": \"succeeded\", \"version\": \"abc123\", "
            "\"input\": {\"image\": \"y\"}, \"output\": null, \"logs\": \"\"}",
            peer->listed_input != NULL ? peer->listed_input : "{\"image\": \"x\"}");

          g_free (body);
          body = g_strdup_printf ("{\"next\": null, \"previous\": null, \"results\": [%s]}",
                                  results);
        }
      reply_json (msg, 200, body);
      return;
    }
  if (g_str_equal (method, "GET") && g_str_equal (path, "/predictions/pred_1"))
    {
      peer->gets++;
      /* The first run is stopped while it polls. */
      if (peer->cancel_on_poll != NULL)
        g_cancellable_cancel (peer->cancel_on_poll);
      body = g_strdup_printf ("{\"id\": \"pred_1\", \"status\": \"%s\", \"input\": {}, "
                              "\"output\": %s, \"logs\": \"\", \"urls\": {\"get\": "
                              "\"%s/predictions/pred_1\"}}",
                              peer->done ? "succeeded" : "processing",
                              peer->done ? "[\"https://example.com/out.png\"]" : "null",
                              peer->base_url);
      reply_json (msg, 200, body);
      return;
    }
  reply_json (msg, 404, "{\"detail\": \"Not found.\", \"status\": 404}");
}

static PaActionContext *
replicate_context (PaStore *store,
                   PaHttp  *http,
                   int      attempt)
{
  PaActionContext *context = pa_action_context_new (store, http, "run-9", "swap", attempt);
  g_autoptr(GError) error = NULL;
  PaPlatform *platform = pa_action_context_get_platform (context, "replicate", &error);

  g_assert_no_error (error);
  g_assert_true (PA_IS_REPLICATE (platform));
  pa_replicate_set_mode (PA_REPLICATE (platform), PA_REPLICATE_MODE_API);
  pa_replicate_set_poll_interval (PA_REPLICATE (platform), 10, 20);
  return context;
}

static void
test_replicate_resume (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(PaActionContext) first = NULL;
  g_autoptr(PaActionContext) second = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *json = NULL;
  ReplicatePeer peer = { 0 };
  Checkpoints checkpoints = { 0 };
  const char *args = "{\"version\": \"abc123\", \"input\": {\"image\": \"x\"}}";

  if (!need_keyring ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  server = peer_new (replicate_cb, &peer);
  peer.base_url = server->url;
  pa_store_save_account (temp->store, "replicate", "default", server->url, "Test", "signed-in",
                         &error);
  g_assert_no_error (error);

  /* First attempt: the id is journaled, then the process "stops". */
  first = replicate_context (temp->store, http, 1);
  pa_action_context_set_checkpoint_func (first, record_checkpoint, &checkpoints);
  peer.cancel_on_poll = cancellable;
  output = run_action (first, "replicate.predict", args, cancellable, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (peer.posts, ==, 1);
  g_assert_cmpuint (peer.gets, ==, 1);
  /* First the mark that a create is under way, then the id. */
  g_assert_cmpuint (checkpoints.calls, ==, 2);
  g_assert_cmpstr (json_object_get_string_member (checkpoints.state, "prediction_id"), ==, "pred_1");
  g_assert_true (json_object_has_member (checkpoints.state, "creating_since"));

  /* Second attempt, from the journaled state only: no new prediction. */
  peer.cancel_on_poll = NULL;
  peer.done = TRUE;
  second = replicate_context (temp->store, http, 2);
  pa_action_context_set_state (second, checkpoints.state);
  output = run_action (second, "replicate.predict", args, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer.posts, ==, 1);
  g_assert_cmpuint (peer.gets, >=, 2);
  json = json_to_string (output, FALSE);
  g_assert_cmpstr (json, ==, "{\"id\":\"pred_1\",\"status\":\"succeeded\","
                             "\"output\":[\"https://example.com/out.png\"]}");

  g_clear_pointer (&checkpoints.state, json_object_unref);
}

/* The process died after Replicate answered the create but before the id
 * was journaled: the resumed step finds its prediction in the list. */
static void
test_replicate_adopt (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(GError) error = NULL;
  const char *args = "{\"version\": \"owner/model:abc123\", \"input\": {\"image\": \"x\"}}";
  gint64 before = g_get_real_time ();

  if (!need_keyring ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  for (guint round = 0; round < 2; round++)
    {
      g_autoptr(PaActionContext) first = NULL;
      g_autoptr(PaActionContext) second = NULL;
      g_autoptr(JsonNode) output = NULL;
      g_autoptr(GDateTime) after = NULL;
      g_autoptr(GDateTime) mark = NULL;
      ReplicatePeer peer = { 0 };
      Checkpoints checkpoints = { .fail_on_call = 2 };
      gboolean same_input = round == 0;

      server = peer_new (replicate_cb, &peer);
      peer.base_url = server->url;
      pa_store_save_account (temp->store, "replicate", "default", server->url, "Test", "signed-in",
                             &error);
      g_assert_no_error (error);

      first = replicate_context (temp->store, http, 1);
      pa_action_context_set_checkpoint_func (first, record_checkpoint, &checkpoints);
      output = run_action (first, "replicate.predict", args, NULL, &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
      g_clear_error (&error);
      g_assert_null (output);
      g_assert_cmpuint (peer.posts, ==, 1);
      g_assert_cmpuint (peer.gets, ==, 0);
      g_assert_false (json_object_has_member (checkpoints.state, "prediction_id"));
      g_assert_cmpint (json_object_get_int_member (checkpoints.state, "creating_since"), >=, before);

      /* Round 1: what is listed was made with another input — not ours. */
      if (!same_input)
        peer.listed_input = "{\"image\": \"other\"}";
      peer.done = TRUE;
      checkpoints.fail_on_call = 0;
      second = replicate_context (temp->store, http, 1);
      pa_action_context_set_checkpoint_func (second, record_checkpoint, &checkpoints);
      pa_action_context_set_state (second, checkpoints.state);
      output = run_action (second, "replicate.predict", args, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (peer.lists, ==, 1);
      g_assert_cmpuint (peer.posts, ==, same_input ? 1 : 2);
      g_assert_cmpstr (json_object_get_string_member (checkpoints.state, "prediction_id"), ==, "pred_1");
      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (output), "status"),
                       ==, "succeeded");

      /* Asked from a little before the mark, in UTC. */
      g_assert_nonnull (peer.created_after);
      g_assert_true (g_str_has_suffix (peer.created_after, "Z"));
      after = g_date_time_new_from_iso8601 (peer.created_after, NULL);
      mark = g_date_time_new_from_unix_utc (before / G_USEC_PER_SEC);
      g_assert_nonnull (after);
      g_assert_cmpint (g_date_time_difference (mark, after), >, 0);
      g_assert_cmpint (g_date_time_difference (mark, after), <=, 301 * G_USEC_PER_SEC);

      g_clear_pointer (&checkpoints.state, json_object_unref);
      g_clear_pointer (&peer.created_after, g_free);
      g_clear_pointer (&server, peer_free);
    }
}

/* ---- openai.chat and n8n.webhook against a recording peer --------------- */

typedef struct {
  char *method;
  char *path;
  char *body;
} Recorder;

static void
recorder_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Recorder *recorder = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));

  g_free (recorder->method);
  g_free (recorder->path);
  g_free (recorder->body);
  recorder->method = g_strdup (soup_server_message_get_method (msg));
  recorder->path = g_strdup (path);
  recorder->body = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  if (g_str_equal (path, "/v1/chat/completions"))
    reply_json (msg, 200, "{\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", "
                          "\"model\": \"gpt-test\", \"choices\": [{\"index\": 0, \"message\": "
                          "{\"role\": \"assistant\", \"content\": \"A calm lake.\"}, "
                          "\"finish_reason\": \"stop\"}]}");
  else if (g_str_equal (path, "/webhook/notify"))
    reply_json (msg, 200, "{\"ok\": true, \"n\": 3}");
  else
    reply_json (msg, 404, "{\"error\": {\"message\": \"No such route\"}}");
}

static void
recorder_clear (Recorder *recorder)
{
  g_free (recorder->method);
  g_free (recorder->path);
  g_free (recorder->body);
}

static void
test_openai_chat (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(JsonNode) sent = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *json = NULL;
  JsonArray *messages;
  Recorder recorder = { 0 };

  if (!need_keyring ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  server = peer_new (recorder_cb, &recorder);
  base_url = g_strdup_printf ("%s/v1", server->url);
  pa_store_save_account (temp->store, "openai", "default", base_url, "Test", "signed-in", &error);
  g_assert_no_error (error);

  context = pa_action_context_new (temp->store, http, "run-5", "caption", 1);
  output = run_action (context, "openai.chat",
                       "{\"model\": \"gpt-test\", \"prompt\": \"Describe it\", "
                       "\"system\": \"Be brief\", \"max_tokens\": 20}", NULL, &error);
  g_assert_no_error (error);
  json = json_to_string (output, FALSE);
  g_assert_cmpstr (json, ==, "{\"text\":\"A calm lake.\",\"finish_reason\":\"stop\"}");

  g_assert_cmpstr (recorder.method, ==, "POST");
  sent = json_from_string (recorder.body, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (sent), "model"), ==,
                   "gpt-test");
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (sent), "max_tokens"), ==, 20);
  messages = json_object_get_array_member (json_node_get_object (sent), "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 0),
                                                  "role"), ==, "system");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (messages, 1),
                                                  "content"), ==, "Describe it");
  recorder_clear (&recorder);
}

static void
test_n8n_webhook (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *json = NULL;
  Recorder recorder = { 0 };

  if (!need_keyring ())
    return;

  temp = temp_store_new ();
  http = http_new ();
  server = peer_new (recorder_cb, &recorder);
  pa_store_save_account (temp->store, "n8n", "default", server->url, "Test", "signed-in", &error);
  g_assert_no_error (error);

  context = pa_action_context_new (temp->store, http, "run-6", "notify", 1);
  output = run_action (context, "n8n.webhook",
                       "{\"path\": \"notify\", \"body\": {\"link\": \"https://buy\"}}",
                       NULL, &error);
  g_assert_no_error (error);
  json = json_to_string (output, FALSE);
  g_assert_cmpstr (json, ==, "{\"response\":{\"ok\":true,\"n\":3}}");
  g_assert_cmpstr (recorder.method, ==, "POST");
  g_assert_cmpstr (recorder.path, ==, "/webhook/notify");
  g_assert_nonnull (strstr (recorder.body, "https://buy"));
  recorder_clear (&recorder);
}

static void
test_context_platforms (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, http, "r", "s", 1);
  g_autoptr(PaActionContext) offline = pa_action_context_new (NULL, NULL, "r", "s", 1);
  g_autoptr(GError) error = NULL;
  PaPlatform *stripe;

  stripe = pa_action_context_get_platform (context, "stripe", &error);
  g_assert_no_error (error);
  g_assert_nonnull (stripe);
  /* One client per platform for the whole step. */
  g_assert_true (pa_action_context_get_platform (context, "stripe", NULL) == stripe);
  g_assert_cmpstr (pa_platform_get_profile (stripe), ==, "default");

  g_assert_null (pa_action_context_get_platform (context, "myspace", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);

  g_assert_null (pa_action_context_get_platform (offline, "stripe", &error));
  g_assert_nonnull (error);
}

typedef struct {
  GMainLoop *loop;
  char      *logged;   /* "RUN STEP ACTION" of the last request-logged */
} LogContextProbe;

static void
probe_logged_cb (PaHttp          *http,
                 PaHttpRequest   *request,
                 const char      *key,
                 const char      *method,
                 const char      *path,
                 guint            status,
                 gint64           duration_ms,
                 guint            attempt,
                 LogContextProbe *probe)
{
  g_free (probe->logged);
  probe->logged = g_strdup_printf ("%s %s %s", pa_http_request_get_run_id (request),
                                   pa_http_request_get_step_id (request),
                                   pa_http_request_get_action (request));
}

static void
probe_sent_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  LogContextProbe *probe = user_data;
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  response = pa_http_send_finish (PA_HTTP (source), result, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_main_loop_quit (probe->loop);
}

/* The requests a step's platform clients send are logged with the run,
 * the step and the action, by the client the engine gave the step. */
static void
test_context_log_context (void)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaActionContext) context = pa_action_context_new (NULL, http, "run-3", "pay", 1);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(GError) error = NULL;
  LogContextProbe probe = { 0 };
  PaPlatform *stripe;

  pa_action_context_set_action (context, "stripe.payment_link");
  stripe = pa_action_context_get_platform (context, "stripe", &error);
  g_assert_no_error (error);
  g_signal_connect (http, "request-logged", G_CALLBACK (probe_logged_cb), &probe);

  /* Port 1 on loopback refuses: logged with no status, nothing leaves. */
  request = pa_http_request_new ("GET", "http://127.0.0.1:1", "/down");
  pa_http_request_set_max_attempts (request, 1);
  probe.loop = g_main_loop_new (NULL, FALSE);
  pa_http_send_async (pa_platform_get_http (stripe), request, NULL, probe_sent_cb, &probe);
  g_main_loop_run (probe.loop);
  g_main_loop_unref (probe.loop);

  g_assert_cmpstr (probe.logged, ==, "run-3 pay stripe.payment_link");
  g_free (probe.logged);
}

/* ---- agora.token -------------------------------------------------------- */

static void
test_agora_token (void)
{
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autoptr(PaAgoraTokenInfo) info = NULL;
  const char *token;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (!need_keyring ())
    return;

  context = pa_action_context_new (NULL, NULL, "run-3", "token", 1);
  pa_action_context_set_secrets (context, secrets);
  output = run_action (context, "agora.token",
                       "{\"channel\": \"live\", \"uid\": 42, \"role\": \"subscriber\", "
                       "\"expire_s\": 600}", NULL, &error);
  g_assert_no_error (error);
  token = output_string (output, "token");
  g_assert_true (pa_agora_token_verify (token, AGORA_CERT, &error));
  g_assert_no_error (error);

  info = pa_agora_token_parse (token, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (info->app_id, ==, AGORA_APP_ID);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (output), "expires_at"),
                   ==, info->expires_at);
  g_assert_cmpint (info->expires_at, >=, now + 600);
  g_assert_cmpint (info->expires_at, <=, now + 602);
  g_clear_pointer (&output, json_node_unref);

  output = run_action (context, "agora.token", "{\"channel\": \"live\", \"role\": \"king\"}",
                       NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* ---- vercel.deploy ------------------------------------------------------
 * A lifecycle peer: a deployment goes QUEUED → BUILDING → READY, which no
 * contract can show. Its answers carry the members vercel.json requires;
 * the deployment request it receives is checked against vercel.json
 * afterwards. */

#define VERCEL_KEY "vercel_actions"
#define VERCEL_DEPLOYMENT_ID "dpl_7Act1onsDep1oyment0000001"

typedef struct {
  GHashTable *uploads;         /* SHA-1 → GBytes, as received */
  guint       requests;
  guint       bad_digests;
  guint       bad_keys;
  guint       polls;
  JsonNode   *deployment;      /* the POST /v13/deployments body */
} VercelPeer;

static char *
vercel_deployment_json (const char *name,
                        const char *state)
{
  return g_strdup_printf ("{\"id\": \"" VERCEL_DEPLOYMENT_ID "\", "
                          "\"url\": \"%s-actions.vercel.app\", \"name\": \"%s\", "
                          "\"readyState\": \"%s\", \"status\": \"%s\", \"type\": \"LAMBDAS\", "
                          "\"createdAt\": 1700000000000, \"buildingAt\": 1700000000100, "
                          "\"bootedAt\": 1700000000050, \"createdIn\": \"iad1\", "
                          "\"creator\": {\"uid\": \"usr_actions\"}, \"env\": [], "
                          "\"build\": {\"env\": []}, \"meta\": {}, \"routes\": null, "
                          "\"regions\": [\"iad1\"], \"public\": false, \"version\": 2, "
                          "\"plan\": \"hobby\", \"ownerId\": \"usr_actions\", "
                          "\"projectId\": \"prj_actions\", \"projectSettings\": {}, "
                          "\"inspectorUrl\": null, \"aliasAssigned\": false, "
                          "\"buildSkipped\": false, \"isInConcurrentBuildsQueue\": false, "
                          "\"isInSystemBuildsQueue\": false}",
                          name, name, state, state);
}

static void
vercel_cb (SoupServer        *server,
           SoupServerMessage *msg,
           const char        *path,
           GHashTable        *query,
           gpointer           user_data)
{
  VercelPeer *peer = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *method = soup_server_message_get_method (msg);
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  g_autofree char *json = NULL;

  peer->requests++;
  if (g_strcmp0 (soup_message_headers_get_one (headers, "Authorization"),
                 "Bearer " VERCEL_KEY) != 0)
    {
      peer->bad_keys++;
      reply_json (msg, 403, "{\"error\": {\"code\": \"forbidden\", "
                            "\"message\": \"Not authorized\"}}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/v2/files"))
    {
      g_autofree char *sha = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, body);

      if (g_strcmp0 (sha, soup_message_headers_get_one (headers, "x-vercel-digest")) != 0)
        {
          peer->bad_digests++;
          reply_json (msg, 400, "{\"error\": {\"code\": \"invalid_digest\", "
                                "\"message\": \"Digest is not valid\"}}");
          return;
        }
      g_hash_table_replace (peer->uploads, g_steal_pointer (&sha), g_bytes_ref (body));
      reply_json (msg, 200, "{}");
      return;
    }

  if (g_str_equal (method, "POST") && g_str_equal (path, "/v13/deployments"))
    {
      g_autoptr(GError) error = NULL;
      JsonObject *request;

      g_clear_pointer (&peer->deployment, json_node_unref);
      peer->deployment = json_from_string (g_bytes_get_data (body, NULL), &error);
      g_assert_no_error (error);
      request = json_node_get_object (peer->deployment);
      json = vercel_deployment_json (json_object_get_string_member (request, "name"), "QUEUED");
      reply_json (msg, 200, json);
      return;
    }

  if (g_str_equal (method, "GET") &&
      g_str_equal (path, "/v13/deployments/" VERCEL_DEPLOYMENT_ID))
    {
      peer->polls++;
      json = vercel_deployment_json ("playalter-actions", peer->polls < 2 ? "BUILDING" : "READY");
      reply_json (msg, 200, json);
      return;
    }

  reply_json (msg, 404, "{\"error\": {\"code\": \"not_found\", "
                        "\"message\": \"The page could not be found\"}}");
}

static void
vercel_peer_clear (VercelPeer *peer)
{
  g_clear_pointer (&peer->uploads, g_hash_table_unref);
  g_clear_pointer (&peer->deployment, json_node_unref);
}

typedef struct {
  const char *path;
  const char *contents;
} SiteFile;

static const SiteFile vercel_site[] = {
  { "index.html", "<!doctype html><title>PlayAlter</title><p>Hello</p>\n" },
  { "about.txt", "Made with PlayAlter.\n" },
  { "assets/app.js", "document.title += ' ✓';\n" },
};

static PaActionContext *
vercel_context (PaStore    *store,
                PaHttp     *http,
                const char *base_url)
{
  g_autoptr(GError) error = NULL;
  PaActionContext *context;
  PaPlatform *platform;

  pa_store_save_account (store, "vercel", "default", base_url, "Test", "signed-in", &error);
  g_assert_no_error (error);
  context = pa_action_context_new (store, http, "run-13", "publish", 1);
  platform = pa_action_context_get_platform (context, "vercel", &error);
  g_assert_no_error (error);
  g_assert_true (PA_IS_VERCEL (platform));
  /* Polls every few milliseconds instead of seconds. */
  pa_vercel_set_poll_interval (PA_VERCEL (platform), 5, 20, 0);
  return context;
}

/* Left out of a deploy unless listed; each holds "SECRET=1". */
static const char * const vercel_secrets[] = {
  ".env", ".env.local", ".git/config", ".npmrc", ".ssh/config", "keys/id_ed25519",
  "keys/id_rsa.pub", "keys/server.key", "tls.pem",
};
#define VERCEL_INCLUDED "-----BEGIN CERTIFICATE-----\npublic\n"

static void
test_vercel_deploy (void)
{
  g_autofree char *included = NULL;
  g_autofree char *escape = NULL;
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) output = NULL;
  g_autofree char *site = NULL;
  g_autofree char *args = NULL;
  g_autofree char *json = NULL;
  g_autofree gboolean *valid = NULL;
  g_auto(GStrv) reasons = NULL;
  VercelPeer peer = { 0 };
  PaTestBodyCase contract_case = { "POST", "/v13/deployments", NULL };
  JsonObject *request;
  JsonArray *files;

  if (!need_keyring ())
    return;
  pa_secrets_store_sync (secrets, "vercel", "default", "api-key", VERCEL_KEY, NULL, &error);
  g_assert_no_error (error);

  temp = temp_store_new ();
  site = g_build_filename (temp->dir, "site", NULL);
  included = g_build_filename (site, "certs", "site.pem", NULL);
  escape = g_build_filename (site, "escape", NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (vercel_site); i++)
    {
      g_autofree char *path = g_build_filename (site, vercel_site[i].path, NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_file_set_contents (path, vercel_site[i].contents, -1, &error);
      g_assert_no_error (error);
    }

  /* What a folder holds by accident is left out, and said so; a link
   * is not followed out of it; a listed folder is published whatever
   * its files are named. */
  for (gsize i = 0; i < G_N_ELEMENTS (vercel_secrets); i++)
    {
      g_autofree char *path = g_build_filename (site, vercel_secrets[i], NULL);
      g_autofree char *dir = g_path_get_dirname (path);

      g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
      g_file_set_contents (path, "SECRET=1\n", -1, &error);
      g_assert_no_error (error);
    }
  {
    g_autofree char *certs = g_path_get_dirname (included);

    g_assert_cmpint (g_mkdir_with_parents (certs, 0700), ==, 0);
  }
  g_file_set_contents (included, VERCEL_INCLUDED, -1, &error);
  g_assert_no_error (error);
  g_assert_no_errno (symlink (temp->dir, escape));

  http = http_new ();
  peer.uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  server = peer_new (vercel_cb, &peer);
  context = vercel_context (temp->store, http, server->url);

  /* Nothing leaves before the user grants the folder. */
  args = g_strdup_printf ("{\"path\": \"%s\", \"name\": \"playalter-actions\", "
                          "\"target\": \"production\", \"include\": [\"certs\"]}", site);
  output = run_action (context, "vercel.deploy", args, NULL, &error);
  g_assert_null (output);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, site));
  g_assert_nonnull (strstr (error->message, "--allow-path"));
  g_assert_cmpuint (g_hash_table_size (peer.uploads), ==, 0);
  g_assert_null (peer.deployment);
  g_clear_error (&error);
  grant (context, site);

  output = run_action (context, "vercel.deploy", args, NULL, &error);
  g_assert_no_error (error);
  json = json_to_string (output, FALSE);
  g_assert_cmpstr (json, ==, "{\"id\":\"" VERCEL_DEPLOYMENT_ID "\","
                             "\"url\":\"playalter-actions-actions.vercel.app\","
                             "\"state\":\"READY\","
                             "\"skipped\":[\".env\",\".env.local\",\".git\",\".npmrc\","
                             "\".ssh\",\"escape\",\"keys/id_ed25519\",\"keys/id_rsa.pub\","
                             "\"keys/server.key\",\"tls.pem\"]}");
  {
    g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1, VERCEL_INCLUDED, -1);

    g_assert_nonnull (g_hash_table_lookup (peer.uploads, sha));
  }
  /* Followed until READY: BUILDING, then READY. */
  g_assert_cmpuint (peer.polls, ==, 2);
  g_assert_cmpuint (peer.bad_keys, ==, 0);
  g_assert_cmpuint (peer.bad_digests, ==, 0);

  /* Every file arrived whole, under its own SHA-1. */
  g_assert_cmpuint (g_hash_table_size (peer.uploads), ==, G_N_ELEMENTS (vercel_site) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (vercel_site); i++)
    {
      const char *contents = vercel_site[i].contents;
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1, contents, -1);
      GBytes *got = g_hash_table_lookup (peer.uploads, sha);

      g_assert_nonnull (got);
      g_assert_cmpmem (g_bytes_get_data (got, NULL), g_bytes_get_size (got),
                       contents, strlen (contents));
    }

  /* The deployment names each file, '/'-separated from the folder, with
   * that SHA-1 and its size. */
  g_assert_nonnull (peer.deployment);
  request = json_node_get_object (peer.deployment);
  g_assert_cmpstr (json_object_get_string_member (request, "name"), ==, "playalter-actions");
  g_assert_cmpstr (json_object_get_string_member (request, "target"), ==, "production");
  files = json_object_get_array_member (request, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, G_N_ELEMENTS (vercel_site) + 1);
  for (gsize i = 0; i < G_N_ELEMENTS (vercel_site); i++)
    {
      const char *contents = vercel_site[i].contents;
      g_autofree char *sha = g_compute_checksum_for_string (G_CHECKSUM_SHA1, contents, -1);
      JsonObject *file = NULL;

      for (guint j = 0; j < json_array_get_length (files); j++)
        if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (files, j),
                                                      "file"), vercel_site[i].path) == 0)
          file = json_array_get_object_element (files, j);
      if (file == NULL)
        g_error ("The deployment does not name %s", vercel_site[i].path);
      g_assert_cmpstr (json_object_get_string_member (file, "sha"), ==, sha);
      g_assert_cmpint (json_object_get_int_member (file, "size"), ==, (gint64) strlen (contents));
    }

  /* And the request is one vercel.json allows. */
  contract_case.body = peer.deployment;
  valid = pa_test_validate_bodies ("openapi/vercel.json", &contract_case, 1, &reasons);
  if (valid != NULL && !valid[0])
    g_error ("The deployment request breaks vercel.json: %s", reasons[0]);

  vercel_peer_clear (&peer);
}

/* A path that is missing or not a folder is refused, by name, before
 * anything reaches Vercel. */
static void
test_vercel_deploy_not_a_folder (void)
{
  g_autoptr(TempStore) temp = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(Peer) server = NULL;
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = NULL;
  g_autofree char *file = NULL;
  VercelPeer peer = { 0 };

  if (!need_keyring ())
    return;
  pa_secrets_store_sync (secrets, "vercel", "default", "api-key", VERCEL_KEY, NULL, &error);
  g_assert_no_error (error);

  temp = temp_store_new ();
  missing = g_build_filename (temp->dir, "no-such-site", NULL);
  file = g_build_filename (temp->dir, "index.html", NULL);
  g_file_set_contents (file, "<p>one file</p>\n", -1, &error);
  g_assert_no_error (error);

  http = http_new ();
  peer.uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  server = peer_new (vercel_cb, &peer);
  context = vercel_context (temp->store, http, server->url);

  for (guint i = 0; i < 2; i++)
    {
      const char *path = i == 0 ? missing : file;
      g_autofree char *args = g_strdup_printf ("{\"path\": \"%s\", \"name\": \"site\"}", path);
      g_autoptr(JsonNode) output = NULL;

      output = run_action (context, "vercel.deploy", args, NULL, &error);
      g_assert_null (output);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "not a folder"));
      g_clear_error (&error);
    }
  g_assert_cmpuint (peer.requests, ==, 0);

  vercel_peer_clear (&peer);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/actions/registry/default", test_registry_default);
  g_test_add_func ("/actions/registry/custom", test_registry_custom);
  g_test_add_func ("/actions/check-args", test_check_args);
  g_test_add_func ("/actions/local/set-fail", test_local_set_fail);
  g_test_add_func ("/actions/local/wait", test_local_wait);
  g_test_add_func ("/actions/local/wait-cancel", test_local_wait_cancel);
  g_test_add_func ("/actions/local/wait-cancel-then-deadline", test_local_wait_cancel_then_deadline);
  g_test_add_func ("/actions/local/save", test_local_save);
  g_test_add_func ("/actions/local/save-policy", test_local_save_policy);
  g_test_add_func ("/actions/stripe/payment-link", test_stripe_payment_link);
  g_test_add_func ("/actions/stripe/refund", test_stripe_refund);
  g_test_add_func ("/actions/stripe/refund-bad-reason", test_stripe_refund_bad_reason);
  g_test_add_func ("/actions/stripe/deactivate-payment-link", test_stripe_deactivate_payment_link);
  g_test_add_func ("/actions/replicate/resume", test_replicate_resume);
  g_test_add_func ("/actions/replicate/adopt-after-crash", test_replicate_adopt);
  g_test_add_func ("/actions/agora/token", test_agora_token);
  g_test_add_func ("/actions/openai/chat", test_openai_chat);
  g_test_add_func ("/actions/n8n/webhook", test_n8n_webhook);
  g_test_add_func ("/actions/context/platforms", test_context_platforms);
  g_test_add_func ("/actions/context/log-context", test_context_log_context);
  g_test_add_func ("/actions/vercel/deploy", test_vercel_deploy);
  g_test_add_func ("/actions/vercel/deploy-not-a-folder", test_vercel_deploy_not_a_folder);

  status = g_test_run ();

  g_clear_pointer (&stripe_form_peer, pa_test_peer_stop);
  g_clear_object (&secrets);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  return status;
}
