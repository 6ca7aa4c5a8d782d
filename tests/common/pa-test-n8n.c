/* pa-test-n8n.c — the real n8n on loopback, with a webhook workflow and an API key
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-test-n8n.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

/* Each n8n command takes ~8 s to boot here, the server ~15 s to activate
 * the workflow; twice that on a loaded machine. */
#define START_TIMEOUT_S   180
#define HTTP_TIMEOUT_S    30
#define WORKFLOW_FILE     "webhook-workflow.json"
/* Printed once the server has activated every published workflow, so
 * their webhooks answer. */
#define READY_LINE        "Editor is now accessible via"
/* n8n's cookie auth is bound to this header. */
#define BROWSER_ID        "playalter-test"
/* Starts of the server on ports another process took first. */
#define START_ATTEMPTS    3

struct _PaTestN8n {
  PaTestProcess *process;
  char          *tmp_dir;
  char          *url;
  char          *api_key;
  char          *workflow_id;
  char          *webhook_path;
  char          *webhook_url;
};

static gboolean
read_workflow (const char  *path,
               char       **workflow_id,
               char       **webhook_path,
               GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *workflow;
  JsonArray *nodes;

  if (!json_parser_load_from_file (parser, path, error))
    return FALSE;

  workflow = json_node_get_object (json_parser_get_root (parser));
  nodes = json_object_get_array_member (workflow, "nodes");
  *workflow_id = g_strdup (json_object_get_string_member (workflow, "id"));

  for (guint i = 0; i < json_array_get_length (nodes); i++)
    {
      JsonObject *node = json_array_get_object_element (nodes, i);

      if (g_str_equal (json_object_get_string_member (node, "type"),
                       "n8n-nodes-base.webhook"))
        {
          JsonObject *parameters = json_object_get_object_member (node, "parameters");

          *webhook_path = g_strdup (json_object_get_string_member (parameters, "path"));
        }
    }

  if (*workflow_id == NULL || *webhook_path == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "%s needs an id and a Webhook node with a path", path);
      return FALSE;
    }
  return TRUE;
}

static char **
n8n_environment (const char *user_folder,
                 guint16     port,
                 guint16     broker_port)
{
  g_autofree char *port_string = g_strdup_printf ("%u", port);
  g_autofree char *broker_string = g_strdup_printf ("%u", broker_port);
  g_autofree char *webhook_url = g_strdup_printf ("http://127.0.0.1:%u/", port);
  static const char * const settings[][2] = {
    { "DB_TYPE", "sqlite" },
    { "N8N_LISTEN_ADDRESS", "127.0.0.1" },
    { "N8N_HOST", "127.0.0.1" },
    { "N8N_PROTOCOL", "http" },
    /* Plain http on loopback: the auth cookie must not be Secure. */
    { "N8N_SECURE_COOKIE", "false" },
    /* Nothing may call out: telemetry, update checks, templates, banners,
     * license renewal, community packages (npm). */
    { "N8N_DIAGNOSTICS_ENABLED", "false" },
    { "N8N_VERSION_NOTIFICATIONS_ENABLED", "false" },
    { "N8N_TEMPLATES_ENABLED", "false" },
    { "N8N_PERSONALIZATION_ENABLED", "false" },
    { "N8N_DYNAMIC_BANNERS_ENABLED", "false" },
    { "N8N_LICENSE_AUTO_RENEW_ENABLED", "false" },
    { "N8N_COMMUNITY_PACKAGES_ENABLED", "false" },
    { "SCARF_ANALYTICS", "false" },
    { "N8N_HIRING_BANNER_ENABLED", "false" },
    { "NO_COLOR", "1" },
  };
  char **env = g_get_environ ();

  for (gsize i = 0; i < G_N_ELEMENTS (settings); i++)
    env = g_environ_setenv (env, settings[i][0], settings[i][1], TRUE);
  env = g_environ_setenv (env, "N8N_USER_FOLDER", user_folder, TRUE);
  /* Keeps whatever else n8n or node writes out of the developer's home. */
  env = g_environ_setenv (env, "HOME", user_folder, TRUE);
  env = g_environ_setenv (env, "N8N_PORT", port_string, TRUE);
  env = g_environ_setenv (env, "N8N_RUNNERS_BROKER_PORT", broker_string, TRUE);
  env = g_environ_setenv (env, "WEBHOOK_URL", webhook_url, TRUE);
  env = g_environ_unsetenv (env, "LD_PRELOAD");
  return env;
}

static gboolean
pick_ports (guint16  *port,
            guint16  *broker_port,
            GError  **error)
{
  *port = pa_test_peer_free_port (error);
  if (*port == 0)
    return FALSE;
  do
    *broker_port = pa_test_peer_free_port (error);
  while (*broker_port == *port);
  return *broker_port != 0;
}

static guint
seconds_left (gint64 deadline_us)
{
  gint64 left = deadline_us - g_get_monotonic_time ();

  return left > 0 ? (guint) (left / G_USEC_PER_SEC) + 1 : 0;
}

/* One CLI command (import, publish) that must finish before the server
 * starts: n8n reads the database only at start. */
static gboolean
run_command (const char          *name,
             const char * const  *argv,
             const char * const  *env,
             guint16              port,
             gint64               deadline_us,
             GError             **error)
{
  g_autofree char *log_path = pa_test_peer_log_path (name, port);
  g_autoptr(PaTestProcess) process = NULL;

  process = pa_test_process_spawn (name, argv, env, NULL, log_path, error);
  if (process == NULL)
    return FALSE;
  return pa_test_process_wait (process, seconds_left (deadline_us), error);
}

/* A JSON request on n8n's internal REST API, as its editor makes it. */
static JsonNode *
rest_call (SoupSession  *session,
           const char   *method,
           const char   *url,
           const char   *body,
           GError      **error)
{
  g_autoptr(SoupMessage) message = soup_message_new (method, url);
  g_autoptr(GBytes) response = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  const char *data;
  gsize length;
  guint status;

  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad URL %s", url);
      return NULL;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "browser-id", BROWSER_ID);
  if (body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  response = soup_session_send_and_read (session, message, NULL, error);
  if (response == NULL)
    {
      g_prefix_error (error, "%s %s: ", method, url);
      return NULL;
    }

  data = g_bytes_get_data (response, &length);
  status = soup_message_get_status (message);
  if (status != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u: %.*s",
                   method, url, status, (int) MIN (length, 500), data);
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data, (gssize) length, error))
    {
      g_prefix_error (error, "%s %s: ", method, url);
      return NULL;
    }
  return json_node_ref (json_parser_get_root (parser));
}

static JsonNode *
data_member (JsonNode *root)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;

  return object != NULL ? json_object_get_member (object, "data") : NULL;
}

/* A headless owner and an API key with every scope there is. */
static char *
create_api_key (const char  *url,
                GError     **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(JsonNode) owner = NULL;
  g_autoptr(JsonNode) scopes = NULL;
  g_autoptr(JsonNode) key = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) request = NULL;
  g_autofree char *body = NULL;
  g_autofree char *endpoint = NULL;
  JsonNode *data;
  JsonObject *key_object;

  session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S, NULL);
  soup_session_add_feature_by_type (session, SOUP_TYPE_COOKIE_JAR);

  endpoint = g_strconcat (url, "/rest/owner/setup", NULL);
  owner = rest_call (session, "POST", endpoint,
                     "{\"email\": \"owner@playalter.test\", \"firstName\": \"Play\", "
                     "\"lastName\": \"Alter\", \"password\": \"PlayAlter-Test-1\"}",
                     error);
  if (owner == NULL)
    return NULL;

  g_free (endpoint);
  endpoint = g_strconcat (url, "/rest/api-keys/scopes", NULL);
  scopes = rest_call (session, "GET", endpoint, NULL, error);
  if (scopes == NULL)
    return NULL;
  data = data_member (scopes);
  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "GET %s: no list of scopes", endpoint);
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "label");
  json_builder_add_string_value (builder, "playalter-test");
  json_builder_set_member_name (builder, "scopes");
  json_builder_add_value (builder, json_node_copy (data));
  json_builder_set_member_name (builder, "expiresAt");
  json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  request = json_builder_get_root (builder);
  body = json_to_string (request, FALSE);

  g_free (endpoint);
  endpoint = g_strconcat (url, "/rest/api-keys", NULL);
  key = rest_call (session, "POST", endpoint, body, error);
  if (key == NULL)
    return NULL;
  data = data_member (key);
  key_object = data != NULL && JSON_NODE_HOLDS_OBJECT (data) ? json_node_get_object (data) : NULL;
  if (key_object == NULL || !json_object_has_member (key_object, "rawApiKey"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                   "POST %s: no rawApiKey in the answer", endpoint);
      return NULL;
    }
  return g_strdup (json_object_get_string_member (key_object, "rawApiKey"));
}

PaTestN8n *
pa_test_n8n_start (GError **error)
{
  return pa_test_n8n_start_with_workflow (WORKFLOW_FILE, error);
}

PaTestN8n *
pa_test_n8n_start_with_workflow (const char  *workflow_file,
                                 GError     **error)
{
  g_autoptr(PaTestN8n) self = g_new0 (PaTestN8n, 1);
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  g_autofree char *n8n = NULL;
  g_autofree char *workflow = NULL;
  g_autofree char *user_folder = NULL;
  g_autofree char *input_arg = NULL;
  g_autofree char *id_arg = NULL;
  g_autofree char *log_path = NULL;
  g_auto(GStrv) env = NULL;
  guint16 port;
  guint16 broker_port;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  n8n = pa_test_peers_bin ("n8n", error);
  if (n8n == NULL)
    return NULL;

  g_return_val_if_fail (workflow_file != NULL, NULL);

  if (g_path_is_absolute (workflow_file))
    workflow = g_strdup (workflow_file);
  else
    workflow = g_build_filename (pa_test_source_root (), "tests", "peers", "n8n",
                                 workflow_file, NULL);
  if (!read_workflow (workflow, &self->workflow_id, &self->webhook_path, error))
    return NULL;

  self->tmp_dir = g_dir_make_tmp ("playalter-n8n-XXXXXX", error);
  if (self->tmp_dir == NULL)
    return NULL;
  user_folder = g_build_filename (self->tmp_dir, "home", NULL);
  if (g_mkdir (user_folder, 0700) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Cannot create %s", user_folder);
      return NULL;
    }

  if (!pick_ports (&port, &broker_port, error))
    return NULL;
  env = n8n_environment (user_folder, port, broker_port);

  input_arg = g_strconcat ("--input=", workflow, NULL);
  {
    const char * const argv[] = { n8n, "import:workflow", input_arg, NULL };

    if (!run_command ("n8n-import", argv, (const char * const *) env, port, deadline, error))
      return NULL;
  }

  id_arg = g_strconcat ("--id=", self->workflow_id, NULL);
  {
    const char * const argv[] = { n8n, "publish:workflow", id_arg, NULL };

    if (!run_command ("n8n-publish", argv, (const char * const *) env, port, deadline, error))
      return NULL;
  }

  for (guint attempt = 1; ; attempt++)
    {
      const char * const argv[] = { n8n, "start", NULL };
      g_autoptr(GError) local_error = NULL;
      g_autofree char *tail = NULL;

      g_free (log_path);
      log_path = pa_test_peer_log_path ("n8n", port);
      self->process = pa_test_process_spawn ("n8n", argv, (const char * const *) env,
                                             NULL, log_path, error);
      if (self->process == NULL)
        return NULL;
      if (pa_test_process_wait_for_log (self->process, READY_LINE, deadline, &local_error))
        break;

      /* The ports were free when picked, not reserved: another process
       * may have taken one since (the commands above take seconds). */
      tail = pa_test_process_log_tail (self->process);
      if (attempt == START_ATTEMPTS || !pa_test_process_has_exited (self->process) ||
          strstr (tail, "is already in use") == NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_test_message ("n8n: port %u or %u was taken before it listened; trying others",
                      port, broker_port);
      g_clear_pointer (&self->process, pa_test_process_stop);
      if (!pick_ports (&port, &broker_port, error))
        return NULL;
      g_strfreev (env);
      env = n8n_environment (user_folder, port, broker_port);
    }

  self->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  self->webhook_url = g_strdup_printf ("%s/webhook/%s", self->url, self->webhook_path);

  self->api_key = create_api_key (self->url, error);
  if (self->api_key == NULL)
    return NULL;

  return g_steal_pointer (&self);
}

void
pa_test_n8n_stop (PaTestN8n *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  g_clear_pointer (&self->process, pa_test_process_stop);
  if (self->tmp_dir != NULL && !pa_test_remove_tree (self->tmp_dir, &error))
    g_printerr ("pa-test-n8n: %s\n", error->message);

  g_free (self->tmp_dir);
  g_free (self->url);
  if (self->api_key != NULL)
    memset (self->api_key, 0, strlen (self->api_key));
  g_free (self->api_key);
  g_free (self->workflow_id);
  g_free (self->webhook_path);
  g_free (self->webhook_url);
  g_free (self);
}

const char *
pa_test_n8n_get_url (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->url;
}

const char *
pa_test_n8n_get_api_key (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->api_key;
}

const char *
pa_test_n8n_get_workflow_id (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->workflow_id;
}

const char *
pa_test_n8n_get_webhook_path (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->webhook_path;
}

const char *
pa_test_n8n_get_webhook_url (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->webhook_url;
}

const char *
pa_test_n8n_get_log_path (PaTestN8n *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->process != NULL ? pa_test_process_get_log_path (self->process) : NULL;
}
