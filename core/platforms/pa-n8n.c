/* pa-n8n.c — the n8n public API client
 *
 * The webhook trigger is in pa-n8n-webhook.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-json-private.h"
#include "pa-n8n-private.h"
#include "pa-pager-private.h"
#include "pa-platform-private.h"

#define DEFAULT_API_PATH "api/v1"
#define MAX_PAGE_SIZE    250

G_DEFINE_FINAL_TYPE (PaN8n, pa_n8n, PA_TYPE_PLATFORM)

enum {
  PROP_0,
  PROP_API_PATH,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- boxed results ---------------------------------------------------- */

PaN8nWorkflow *
pa_n8n_workflow_copy (const PaN8nWorkflow *self)
{
  PaN8nWorkflow *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaN8nWorkflow, 1);
  copy->id = g_strdup (self->id);
  copy->name = g_strdup (self->name);
  copy->active = self->active;
  copy->updated_at = g_strdup (self->updated_at);
  return copy;
}

void
pa_n8n_workflow_free (PaN8nWorkflow *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->name);
  g_free (self->updated_at);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaN8nWorkflow, pa_n8n_workflow,
                     pa_n8n_workflow_copy, pa_n8n_workflow_free)

PaN8nExecution *
pa_n8n_execution_copy (const PaN8nExecution *self)
{
  PaN8nExecution *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaN8nExecution, 1);
  copy->id = g_strdup (self->id);
  copy->workflow_id = g_strdup (self->workflow_id);
  copy->status = g_strdup (self->status);
  copy->mode = g_strdup (self->mode);
  copy->finished = self->finished;
  copy->started_at = g_strdup (self->started_at);
  copy->stopped_at = g_strdup (self->stopped_at);
  copy->data = self->data != NULL ? json_node_copy (self->data) : NULL;
  return copy;
}

void
pa_n8n_execution_free (PaN8nExecution *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->workflow_id);
  g_free (self->status);
  g_free (self->mode);
  g_free (self->started_at);
  g_free (self->stopped_at);
  g_clear_pointer (&self->data, json_node_unref);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaN8nExecution, pa_n8n_execution,
                     pa_n8n_execution_copy, pa_n8n_execution_free)

/* ---- reading answers --------------------------------------------------
 *
 * n8n's ids are numbers in some places and strings in others (and the
 * spec does not always agree with the server): pa_json_dup_text() takes
 * either, as text. */

static PaN8nWorkflow *
workflow_from_json (JsonObject *object)
{
  PaN8nWorkflow *workflow;

  workflow = g_new0 (PaN8nWorkflow, 1);
  workflow->id = pa_json_dup_text (object, "id");
  workflow->name = g_strdup (pa_json_get_string (object, "name"));
  workflow->active = pa_json_get_boolean (object, "active");
  workflow->updated_at = g_strdup (pa_json_get_string (object, "updatedAt"));
  return workflow;
}

static PaN8nExecution *
execution_from_json (JsonObject *object)
{
  PaN8nExecution *execution;
  JsonNode *data;

  execution = g_new0 (PaN8nExecution, 1);
  execution->id = pa_json_dup_text (object, "id");
  execution->workflow_id = pa_json_dup_text (object, "workflowId");
  execution->status = g_strdup (pa_json_get_string (object, "status"));
  execution->mode = g_strdup (pa_json_get_string (object, "mode"));
  execution->finished = pa_json_get_boolean (object, "finished");
  execution->started_at = g_strdup (pa_json_get_string (object, "startedAt"));
  execution->stopped_at = g_strdup (pa_json_get_string (object, "stoppedAt"));
  data = pa_json_get_member (object, "data");
  if (data != NULL && JSON_NODE_HOLDS_OBJECT (data))
    execution->data = json_node_copy (data);
  return execution;
}

/* ---- errors ----------------------------------------------------------- */

void
pa_n8n_set_protocol_error (PaN8n       *self,
                           GError     **error,
                           const char  *what)
{
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("n8n at %s answered with something unexpected (%s): check "
                 "that the base URL points at an n8n instance"),
               self->instance_url, what);
}

char *
pa_n8n_peer_message (PaHttpResponse *response)
{
  g_autoptr(GError) ignored = NULL;
  JsonNode *root = pa_http_response_get_json (response, &ignored);

  return g_strdup (pa_json_get_string (pa_json_node_get_object (root), "message"));
}

static gboolean
pa_n8n_parse_error (PaPlatform      *platform,
                    PaHttpResponse  *response,
                    GError         **error)
{
  PaN8n *self = PA_N8N (platform);
  guint status = pa_http_response_get_status (response);
  g_autofree char *message = NULL;

  if (status >= 200 && status < 300)
    return TRUE;

  message = pa_n8n_peer_message (response);

  if (status == 401 || status == 403)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                   _("n8n at %s rejected the API key (%s): create a new key "
                     "in n8n under Settings → n8n API and save it again"),
                   self->instance_url,
                   message != NULL ? message : pa_http_response_get_reason (response));
      return FALSE;
    }

  return pa_http_response_check (response, error);
}

/* For errors where no answer came: "Could not reach 127.0.0.1 (…)" says
 * less than the instance's URL. */
void
pa_n8n_return_transport_error (PaN8n  *self,
                               GTask  *task,
                               GError *error)
{
  if (g_error_matches (error, PA_ERROR, PA_ERROR_UNAVAILABLE))
    g_prefix_error (&error, _("n8n at %s is not reachable: "), self->instance_url);
  g_task_return_error (task, error);
}

/* ---- requests --------------------------------------------------------- */

static PaHttpRequest *
api_request (PaN8n      *self,
             const char *method,
             const char *path)
{
  g_autofree char *url = g_strconcat (self->api_root, path, NULL);

  return pa_platform_new_request (PA_PLATFORM (self), method, url);
}

/* A request for one object: @prefix, @id escaped (an odd id cannot reach
 * another resource), then @suffix (may be NULL); NULL and @error for an
 * id that could (@what names it). */
static PaHttpRequest *
object_request (PaN8n       *self,
                const char  *method,
                const char  *prefix,
                const char  *id,
                const char  *suffix,
                const char  *what,
                GError     **error)
{
  g_autofree char *escaped = pa_platform_escape_id (id, what, error);
  g_autofree char *path = NULL;

  if (escaped == NULL)
    return NULL;
  path = g_strconcat (prefix, escaped, suffix, NULL);
  return api_request (self, method, path);
}

/* Workflows and executions are read the same way, one at a time or a
 * page of them: only the item's reader differs. */
typedef struct {
  gpointer     (*from_json) (JsonObject *object);
  GDestroyNotify free;
  const char    *no_id;     /* the protocol error for one without an id */
} ObjectKind;

static gpointer
workflow_item (JsonObject *object)
{
  return workflow_from_json (object);
}

static gpointer
execution_item (JsonObject *object)
{
  return execution_from_json (object);
}

static const ObjectKind workflow_kind = {
  workflow_item, (GDestroyNotify) pa_n8n_workflow_free, N_("a workflow without an id"),
};
static const ObjectKind execution_kind = {
  execution_item, (GDestroyNotify) pa_n8n_execution_free, N_("an execution without an id"),
};

/* Runs @request and hands its JSON object to @parse, which returns the
 * task's result (or sets @error). */
typedef gpointer (*ParseFunc) (PaN8n             *self,
                               const ObjectKind  *kind,
                               JsonObject        *object,
                               GError           **error);

typedef struct {
  ParseFunc         parse;
  const ObjectKind *kind;
  GDestroyNotify    free_result;
} RequestData;

static void
request_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaN8n *self = g_task_get_source_object (task);
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonNode *root;
  gpointer parsed;

  /* Sent here rather than through pa_platform_send_json_async() to tell
   * "no answer" (UNAVAILABLE) from "answered 5xx" (SERVER). */
  response = pa_http_send_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      pa_n8n_return_transport_error (self, task, error);
      return;
    }
  if (!pa_n8n_parse_error (PA_PLATFORM (self), response, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  root = pa_http_response_get_json (response, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  object = pa_json_node_get_object (root);
  if (object == NULL)
    {
      pa_n8n_set_protocol_error (self, &error, _("not a JSON object"));
      g_task_return_error (task, error);
      return;
    }

  parsed = data->parse (self, data->kind, object, &error);
  if (parsed == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, parsed, data->free_result);
}

/* Sends @request, logged as @action; @kind is handed to @parse. */
static void
send_request (PaN8n               *self,
              PaHttpRequest       *request,
              const char          *action,
              gpointer             source_tag,
              ParseFunc            parse,
              const ObjectKind    *kind,
              GDestroyNotify       free_result,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  RequestData *data = g_new0 (RequestData, 1);

  data->parse = parse;
  data->kind = kind;
  data->free_result = free_result;
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, data, g_free);

  pa_http_request_set_log_context (request, NULL, NULL, action);
  pa_http_send_async (pa_platform_get_http (PA_PLATFORM (self)), request, cancellable,
                      request_cb, task);
}

static gpointer
parse_one (PaN8n             *self,
           const ObjectKind  *kind,
           JsonObject        *object,
           GError           **error)
{
  if (pa_json_get_member (object, "id") == NULL)
    {
      pa_n8n_set_protocol_error (self, error, _(kind->no_id));
      return NULL;
    }
  return kind->from_json (object);
}

static gpointer
parse_page (PaN8n             *self,
            const ObjectKind  *kind,
            JsonObject        *object,
            GError           **error)
{
  JsonNode *data = pa_json_get_member (object, "data");
  JsonArray *array;
  PaPage *page;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      pa_n8n_set_protocol_error (self, error, _("no “data” list"));
      return NULL;
    }
  array = json_node_get_array (data);

  page = pa_page_new (kind->free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *item = pa_json_node_get_object (json_array_get_element (array, i));

      if (item == NULL)
        {
          pa_page_free (page);
          pa_n8n_set_protocol_error (self, error, _("a list item that is not an object"));
          return NULL;
        }
      g_ptr_array_add (page->items, kind->from_json (item));
    }

  page->next_cursor = g_strdup (pa_json_get_string (object, "nextCursor"));
  if (page->next_cursor != NULL && page->next_cursor[0] == '\0')
    g_clear_pointer (&page->next_cursor, g_free);
  return page;
}

/* GET a page of @path, @filter_name=@filter_value when the value is set. */
static void
send_list (PaN8n               *self,
           const char          *path,
           const char          *filter_name,
           const char          *filter_value,
           const char          *cursor,
           guint                limit,
           const char          *action,
           const ObjectKind    *kind,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = api_request (self, "GET", path);

  if (filter_value != NULL && filter_value[0] != '\0')
    pa_http_request_add_query (request, filter_name, filter_value);
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", MIN (limit, MAX_PAGE_SIZE));
  if (cursor != NULL && cursor[0] != '\0')
    pa_http_request_add_query (request, "cursor", cursor);
  send_request (self, request, action, source_tag, parse_page, kind,
                (GDestroyNotify) pa_page_free, cancellable, callback, user_data);
}

static GPtrArray *
finish_page (PaN8n         *self,
             GAsyncResult  *result,
             gpointer       source_tag,
             char         **next_cursor,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == source_tag, NULL);

  return pa_page_propagate (G_TASK (result), next_cursor, error);
}

/* ---- check ------------------------------------------------------------ */

static gpointer
parse_check (PaN8n             *self,
             const ObjectKind  *kind,
             JsonObject        *object,
             GError           **error)
{
  g_autoptr(GUri) uri = NULL;
  JsonNode *data = pa_json_get_member (object, "data");
  const char *name;
  const char *detail;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    {
      pa_n8n_set_protocol_error (self, error, _("no “data” list"));
      return NULL;
    }

  detail = json_array_get_length (json_node_get_array (data)) == 0
             ? _("API key accepted, no workflows yet")
             : _("API key accepted, workflows visible");

  /* A person knows the instance by its host. */
  uri = g_uri_parse (self->instance_url, G_URI_FLAGS_NONE, NULL);
  name = uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                     : self->instance_url;
  if (uri != NULL && g_uri_get_port (uri) > 0)
    {
      g_autofree char *host_port = g_strdup_printf ("%s:%d", name, g_uri_get_port (uri));

      return pa_identity_new (self->instance_url, host_port, detail);
    }
  return pa_identity_new (self->instance_url, name, detail);
}

static void
pa_n8n_check_async (PaPlatform          *platform,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  PaN8n *self = PA_N8N (platform);
  g_autoptr(PaHttpRequest) request = api_request (self, "GET", "/workflows");

  pa_http_request_add_query_int (request, "limit", 1);
  send_request (self, request, "check", pa_n8n_check_async, parse_check, NULL,
                (GDestroyNotify) pa_identity_free, cancellable, callback, user_data);
}

static PaIdentity *
pa_n8n_check_finish (PaPlatform    *platform,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- workflows -------------------------------------------------------- */

void
pa_n8n_list_workflows_async (PaN8n               *self,
                             const char          *cursor,
                             guint                limit,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PA_IS_N8N (self));

  send_list (self, "/workflows", NULL, NULL, cursor, limit, "list-workflows", &workflow_kind,
             pa_n8n_list_workflows_async, cancellable, callback, user_data);
}

GPtrArray *
pa_n8n_list_workflows_finish (PaN8n         *self,
                              GAsyncResult  *result,
                              char         **next_cursor,
                              GError       **error)
{
  return finish_page (self, result, pa_n8n_list_workflows_async, next_cursor, error);
}

void
pa_n8n_set_workflow_active_async (PaN8n               *self,
                                  const char          *workflow_id,
                                  gboolean             active,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_N8N (self));
  g_return_if_fail (workflow_id != NULL);

  request = object_request (self, "POST", "/workflows/", workflow_id,
                            active ? "/activate" : "/deactivate", _("n8n workflow id"), &error);
  if (request == NULL)
    {
      g_task_report_error (self, callback, user_data, pa_n8n_set_workflow_active_async, error);
      return;
    }
  send_request (self, request, active ? "activate-workflow" : "deactivate-workflow",
                pa_n8n_set_workflow_active_async, parse_one, &workflow_kind,
                workflow_kind.free, cancellable, callback, user_data);
}

PaN8nWorkflow *
pa_n8n_set_workflow_active_finish (PaN8n         *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- executions ------------------------------------------------------- */

void
pa_n8n_list_executions_async (PaN8n               *self,
                              const char          *workflow_id,
                              const char          *cursor,
                              guint                limit,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PA_IS_N8N (self));

  send_list (self, "/executions", "workflowId", workflow_id, cursor, limit, "list-executions",
             &execution_kind, pa_n8n_list_executions_async, cancellable, callback, user_data);
}

GPtrArray *
pa_n8n_list_executions_finish (PaN8n         *self,
                               GAsyncResult  *result,
                               char         **next_cursor,
                               GError       **error)
{
  return finish_page (self, result, pa_n8n_list_executions_async, next_cursor, error);
}

void
pa_n8n_get_execution_async (PaN8n               *self,
                            const char          *execution_id,
                            gboolean             include_data,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_N8N (self));
  g_return_if_fail (execution_id != NULL);

  request = object_request (self, "GET", "/executions/", execution_id, NULL,
                            _("n8n execution id"), &error);
  if (request == NULL)
    {
      g_task_report_error (self, callback, user_data, pa_n8n_get_execution_async, error);
      return;
    }
  if (include_data)
    pa_http_request_add_query (request, "includeData", "true");
  send_request (self, request, "get-execution", pa_n8n_get_execution_async, parse_one,
                &execution_kind, execution_kind.free, cancellable, callback, user_data);
}

PaN8nExecution *
pa_n8n_get_execution_finish (PaN8n         *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- object ----------------------------------------------------------- */

PaN8n *
pa_n8n_new (PaHttp     *http,
            const char *profile,
            const char *base_url)
{
  return g_object_new (PA_TYPE_N8N,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}

const char *
pa_n8n_get_instance_url (PaN8n *self)
{
  g_return_val_if_fail (PA_IS_N8N (self), NULL);
  return self->instance_url;
}

static void
pa_n8n_constructed (GObject *object)
{
  PaN8n *self = PA_N8N (object);
  const char *base_url;
  gsize length;

  G_OBJECT_CLASS (pa_n8n_parent_class)->constructed (object);

  if (self->api_path == NULL)
    self->api_path = g_strdup (DEFAULT_API_PATH);

  /* n8n's settings page shows the API URL (…/api/v1); people paste it. */
  base_url = pa_platform_get_base_url (PA_PLATFORM (self));
  length = strlen (base_url);
  if (self->api_path[0] != '\0')
    {
      gsize api_length = strlen (self->api_path);

      if (length > api_length + 1 &&
          g_str_has_suffix (base_url, self->api_path) &&
          base_url[length - api_length - 1] == '/')
        length -= api_length + 1;
    }
  self->instance_url = g_strndup (base_url, length);
  self->api_root = self->api_path[0] != '\0'
                     ? g_strconcat (self->instance_url, "/", self->api_path, NULL)
                     : g_strdup (self->instance_url);
}

static void
pa_n8n_finalize (GObject *object)
{
  PaN8n *self = PA_N8N (object);

  g_free (self->api_path);
  g_free (self->instance_url);
  g_free (self->api_root);

  G_OBJECT_CLASS (pa_n8n_parent_class)->finalize (object);
}

static void
pa_n8n_get_property (GObject    *object,
                     guint       prop_id,
                     GValue     *value,
                     GParamSpec *pspec)
{
  PaN8n *self = PA_N8N (object);

  switch (prop_id)
    {
    case PROP_API_PATH:
      g_value_set_string (value, self->api_path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_n8n_set_property (GObject      *object,
                     guint         prop_id,
                     const GValue *value,
                     GParamSpec   *pspec)
{
  PaN8n *self = PA_N8N (object);
  const char *str;

  switch (prop_id)
    {
    case PROP_API_PATH:
      str = g_value_get_string (value);
      if (str != NULL)
        {
          gsize length;

          while (*str == '/')
            str++;
          length = strlen (str);
          while (length > 0 && str[length - 1] == '/')
            length--;
          self->api_path = g_strndup (str, length);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_n8n_class_init (PaN8nClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->constructed = pa_n8n_constructed;
  object_class->finalize = pa_n8n_finalize;
  object_class->get_property = pa_n8n_get_property;
  object_class->set_property = pa_n8n_set_property;

  platform_class->platform_id = "n8n";
  platform_class->check_async = pa_n8n_check_async;
  platform_class->check_finish = pa_n8n_check_finish;
  platform_class->parse_error = pa_n8n_parse_error;

  /* Where the public API lives under the instance URL; NULL means
   * "api/v1". A contract mock that serves the spec at its root uses "". */
  properties[PROP_API_PATH] =
    g_param_spec_string ("api-path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_n8n_init (PaN8n *self)
{
}
