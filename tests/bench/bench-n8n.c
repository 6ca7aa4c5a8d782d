/* bench-n8n.c — what the engine-vs-n8n benchmark asks of n8n besides its runs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

#include "bench-n8n.h"

/* n8n saves an execution after it has answered; the count tells that the
 * default "save every successful execution" was really in force. */
gint64
bench_n8n_count_executions (PaTestN8n *n8n)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strdup_printf ("%s/api/v1/executions?workflowId=%s&status=success&limit=250",
                                          pa_test_n8n_get_url (n8n),
                                          pa_test_n8n_get_workflow_id (n8n));
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;

  soup_message_headers_replace (soup_message_get_request_headers (message),
                                "X-N8N-API-KEY", pa_test_n8n_get_api_key (n8n));
  body = soup_session_send_and_read (session, message, NULL, NULL);
  if (body == NULL || soup_message_get_status (message) != 200)
    return -1;
  root = json_from_string (g_bytes_get_data (body, NULL), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return -1;
  object = json_node_get_object (root);
  if (!json_object_has_member (object, "data"))
    return -1;
  return json_array_get_length (json_object_get_array_member (object, "data"));
}

/* How the installed n8n keeps its executions, asked of n8n itself with
 * the environment tests/common/pa-test-n8n starts it with. NULL if node
 * or n8n is missing. */
char *
bench_n8n_probe_durability (void)
{
  g_autofree char *probe = g_build_filename (pa_test_source_root (), "tests", "bench",
                                             "n8n-durability-probe.cjs", NULL);
  g_autofree char *peers = g_build_filename (pa_test_source_root (), "tests", "peers", NULL);
  g_autofree char *scratch = g_dir_make_tmp ("playalter-bench-probe-XXXXXX", NULL);
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr(GSubprocess) node = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (scratch == NULL)
    return NULL;
  g_subprocess_launcher_setenv (launcher, "DB_TYPE", "sqlite", TRUE);
  node = g_subprocess_launcher_spawn (launcher, &error, "node", probe, peers, scratch, NULL);
  if (node == NULL || !g_subprocess_communicate_utf8 (node, NULL, NULL, &out, NULL, &error)
      || !g_subprocess_get_if_exited (node) || g_subprocess_get_exit_status (node) != 0)
    {
      g_printerr ("bench: could not ask n8n how it saves: %s\n",
                  error != NULL ? error->message : "the probe failed");
      g_clear_pointer (&out, g_free);
    }
  pa_test_remove_tree (scratch, NULL);
  return out != NULL ? g_strstrip (g_steal_pointer (&out)) : NULL;
}

char *
bench_n8n_synchronous (const char *probe)
{
  g_autoptr(JsonNode) root = probe != NULL ? json_from_string (probe, NULL) : NULL;

  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return g_strdup ("?");
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "synchronous", "?"));
}
