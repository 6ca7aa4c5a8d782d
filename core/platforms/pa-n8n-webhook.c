/* pa-n8n-webhook.c — triggering an n8n workflow through its webhook
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-n8n-private.h"

char *
pa_n8n_build_webhook_url (PaN8n      *self,
                          const char *path)
{
  g_return_val_if_fail (PA_IS_N8N (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  while (*path == '/')
    path++;
  return g_strconcat (self->instance_url, "/webhook/", path, NULL);
}

/* Characters of a webhook's path shown in messages: enough to tell two
 * webhooks apart, too few to call one. */
#define WEBHOOK_PATH_SHOWN 4

/* A webhook's path is a capability: whoever knows it can start the
 * workflow. Messages, which end up in terminals, logs and bug reports,
 * name the instance's host and only the start of the path:
 * "localhost:5678/webhook/abcd…". */
char *
pa_n8n_describe_webhook (PaN8n      *self,
                         const char *path)
{
  g_autoptr(GUri) uri = NULL;
  g_autofree char *host = NULL;
  g_autofree char *start = NULL;
  glong length;

  g_return_val_if_fail (PA_IS_N8N (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  while (*path == '/')
    path++;

  uri = g_uri_parse (self->instance_url, G_URI_FLAGS_NONE, NULL);
  if (uri != NULL && g_uri_get_host (uri) != NULL)
    host = g_uri_get_port (uri) > 0
             ? g_strdup_printf ("%s:%d", g_uri_get_host (uri), g_uri_get_port (uri))
             : g_strdup (g_uri_get_host (uri));
  else
    host = g_strdup (_("the n8n instance"));

  /* At most half of a short path. */
  length = g_utf8_strlen (path, -1);
  start = g_utf8_substring (path, 0, MIN (WEBHOOK_PATH_SHOWN, length / 2));
  return g_strdup_printf ("%s/webhook/%s…", host, start);
}

/* n8n routes a webhook by its path, which may have several segments, but
 * never "." or ".." (GLib's URL parser would remove them, and the request
 * would reach the instance's API or another webhook), and never a query
 * or fragment. */
static gboolean
check_webhook_path (const char  *path,
                    GError     **error)
{
  g_auto(GStrv) segments = g_strsplit (path, "/", -1);
  gboolean ok = strpbrk (path, "?#\\%") == NULL && g_utf8_validate (path, -1, NULL);

  for (guint i = 0; ok && segments[i] != NULL; i++)
    ok = !g_str_equal (segments[i], ".") && !g_str_equal (segments[i], "..");
  for (const char *p = path; ok && *p != '\0'; p++)
    ok = (guchar) *p >= 0x20 && *p != 0x7f;

  if (!ok)
    g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         /* xgettext:no-c-format */
                         _("This is not an n8n webhook path: a path cannot hold “.” or “..” "
                           "segments, ?, #, \\, % or control characters"));
  return ok;
}

typedef struct {
  char *path;        /* as given, without leading slashes: secret */
  char *described;   /* what messages show: pa_n8n_describe_webhook() */
} WebhookData;

static void
webhook_data_free (WebhookData *data)
{
  g_free (data->path);
  g_free (data->described);
  g_free (data);
}

/* n8n quotes the path back ("The requested webhook \"POST path\" is not
 * registered"): the message loses it too. */
static char *
hide_path (const char *message,
           const char *path)
{
  g_auto(GStrv) parts = NULL;

  if (message == NULL || *path == '\0')
    return g_strdup (message);
  parts = g_strsplit (message, path, -1);
  return g_strjoinv ("…", parts);
}

static gboolean
webhook_error (PaN8n              *self,
               PaHttpResponse     *response,
               const WebhookData  *data,
               GError            **error)
{
  guint status = pa_http_response_get_status (response);
  g_autofree char *message = pa_n8n_peer_message (response);
  g_autofree char *detail = hide_path (message != NULL ? message
                                                       : pa_http_response_get_reason (response),
                                       data->path);
  const char *webhook = data->described;

  switch (status)
    {
    case 401:
    case 403:
      g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                   _("The n8n webhook %s refused the request (%s): check the "
                     "webhook's header auth name and value"), webhook, detail);
      return FALSE;
    case 404:
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No active n8n workflow listens on %s (%s): check the "
                     "path and activate the workflow"), webhook, detail);
      return FALSE;
    default:
      if (!pa_http_response_check (response, error))
        {
          if (error != NULL && *error != NULL)
            {
              char *hidden = hide_path ((*error)->message, data->path);

              g_free ((*error)->message);
              (*error)->message = hidden;
            }
          return FALSE;
        }
      return TRUE;
    }
}

static void
webhook_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaN8n *self = g_task_get_source_object (task);
  WebhookData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) json_error = NULL;
  const char *content_type;
  GError *error = NULL;
  GBytes *body;
  JsonNode *json;
  const char *text;
  gsize length;

  response = pa_http_send_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      pa_n8n_return_transport_error (self, task, error);
      return;
    }

  if (pa_http_response_get_status (response) < 200 ||
      pa_http_response_get_status (response) >= 300)
    {
      webhook_error (self, response, data, &error);
      g_task_return_error (task, error);
      return;
    }

  body = pa_http_response_get_body (response);
  text = g_bytes_get_data (body, &length);
  content_type = pa_http_response_get_content_type (response);

  if (length > 0 && content_type != NULL && strstr (content_type, "json") != NULL)
    {
      json = pa_http_response_get_json (response, &json_error);
      if (json == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&json_error));
          return;
        }
      g_task_return_pointer (task, json_node_ref (json), (GDestroyNotify) json_node_unref);
      return;
    }

  /* A workflow may answer with text ("Workflow was started", HTML, …). */
  if (length > 0 && !g_utf8_validate (text, (gssize) length, NULL))
    {
      pa_n8n_set_protocol_error (self, &error, _("a webhook answer that is not text"));
      g_task_return_error (task, error);
      return;
    }
  {
    g_autofree char *string = g_strndup (length > 0 ? text : "", length);
    JsonNode *node = json_node_new (JSON_NODE_VALUE);

    json_node_set_string (node, string);
    g_task_return_pointer (task, node, (GDestroyNotify) json_node_unref);
  }
}

void
pa_n8n_trigger_webhook_async (PaN8n               *self,
                              const char          *path,
                              JsonNode            *body,
                              const char          *auth_header,
                              const char          *auth_value,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(JsonNode) empty = NULL;
  g_autofree char *url = NULL;
  GError *error = NULL;
  WebhookData *data;
  GTask *task;

  g_return_if_fail (PA_IS_N8N (self));
  g_return_if_fail (path != NULL && path[0] != '\0');
  g_return_if_fail ((auth_header == NULL) == (auth_value == NULL));

  if (!check_webhook_path (path, &error))
    {
      g_task_report_error (self, callback, user_data, pa_n8n_trigger_webhook_async, error);
      return;
    }

  url = pa_n8n_build_webhook_url (self, path);
  data = g_new0 (WebhookData, 1);
  data->described = pa_n8n_describe_webhook (self, path);
  while (*path == '/')
    path++;
  data->path = g_strdup (path);

  /* Not pa_platform_new_request(): the API key must not leave for a
   * webhook, which may forward its headers anywhere. */
  request = pa_http_request_new ("POST", pa_platform_get_base_url (PA_PLATFORM (self)), url);
  /* As for the instance's API: plain http only to the instance the
   * account was set up with, knowingly. */
  pa_http_request_set_allow_insecure_http (request, TRUE);
  pa_http_request_set_breaker_key (request, pa_platform_get_id (PA_PLATFORM (self)));
  pa_http_request_set_log_context (request, NULL, NULL, "trigger-webhook");
  /* The request log keeps the path, and the path is the webhook's secret. */
  pa_http_request_set_log_path (request, "/webhook/…");
  pa_http_request_set_max_attempts (request, 1);
  if (auth_header != NULL)
    pa_http_request_set_header_auth (request, auth_header, auth_value);
  if (body == NULL)
    {
      empty = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (empty, json_object_new ());
      body = empty;
    }
  pa_http_request_set_json_body (request, body);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_n8n_trigger_webhook_async);
  g_task_set_task_data (task, data, (GDestroyNotify) webhook_data_free);

  pa_http_send_async (pa_platform_get_http (PA_PLATFORM (self)), request, cancellable,
                      webhook_cb, task);
}

JsonNode *
pa_n8n_trigger_webhook_finish (PaN8n         *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
