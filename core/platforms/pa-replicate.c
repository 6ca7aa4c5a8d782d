/* pa-replicate.c — Replicate predictions, files and outputs; also a local Cog server
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-replicate.h"

#define REPLICATE_API_HOST   "api.replicate.com"
#define PROBE_TIMEOUT_S      10
/* Room for Replicate to answer after holding a "Prefer: wait" request. */
#define WAIT_SLACK_S         30
#define MAX_FILENAME_BYTES   255

struct _PaReplicate
{
  PaPlatform       parent_instance;

  PaReplicateMode  mode;
  guint            poll_initial_ms;
  guint            poll_max_ms;
  guint64          max_download;
  guint            sync_timeout_s;
};

G_DEFINE_FINAL_TYPE (PaReplicate, pa_replicate, PA_TYPE_PLATFORM)

G_DEFINE_ENUM_TYPE (PaReplicateMode, pa_replicate_mode,
                    G_DEFINE_ENUM_VALUE (PA_REPLICATE_MODE_AUTO, "auto"),
                    G_DEFINE_ENUM_VALUE (PA_REPLICATE_MODE_API, "api"),
                    G_DEFINE_ENUM_VALUE (PA_REPLICATE_MODE_COG, "cog"))

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- JSON ----------------------------------------------------------------- */

/* ---- the client --------------------------------------------------------- */

PaReplicate *
pa_replicate_new (PaHttp     *http,
                  const char *profile,
                  const char *base_url)
{
  return g_object_new (PA_TYPE_REPLICATE,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}

PaReplicateMode
pa_replicate_get_mode (PaReplicate *self)
{
  g_return_val_if_fail (PA_IS_REPLICATE (self), PA_REPLICATE_MODE_AUTO);
  return self->mode;
}

void
pa_replicate_set_mode (PaReplicate     *self,
                       PaReplicateMode  mode)
{
  g_return_if_fail (PA_IS_REPLICATE (self));

  if (self->mode == mode)
    return;
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

void
pa_replicate_set_poll_interval (PaReplicate *self,
                                guint        initial_ms,
                                guint        max_ms)
{
  g_return_if_fail (PA_IS_REPLICATE (self));

  self->poll_initial_ms = MAX (initial_ms, 1u);
  self->poll_max_ms = MAX (max_ms, self->poll_initial_ms);
}

void
pa_replicate_set_max_download_size (PaReplicate *self,
                                    guint64      max_bytes)
{
  g_return_if_fail (PA_IS_REPLICATE (self));
  self->max_download = max_bytes > 0 ? max_bytes : PA_REPLICATE_DEFAULT_MAX_DOWNLOAD;
}

guint64
pa_replicate_get_max_download_size (PaReplicate *self)
{
  g_return_val_if_fail (PA_IS_REPLICATE (self), 0);
  return self->max_download;
}

void
pa_replicate_set_sync_timeout (PaReplicate *self,
                               guint        seconds)
{
  g_return_if_fail (PA_IS_REPLICATE (self));
  self->sync_timeout_s = seconds > 0 ? seconds : PA_REPLICATE_DEFAULT_SYNC_TIMEOUT_S;
}

static gboolean
is_cog (PaReplicate *self)
{
  return self->mode == PA_REPLICATE_MODE_COG;
}

/* A request to the account's base URL. A Cog server takes no key, and
 * asking the keyring for one would only fail where there is none. */
static PaHttpRequest *
new_request (PaReplicate *self,
             const char  *method,
             const char  *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  if (is_cog (self))
    pa_http_request_clear_auth (request);
  return request;
}

/* ---- deciding between the Replicate API and a Cog server --------------- */

typedef void (*ModeReadyFunc) (PaReplicate *self,
                               GTask       *task);

typedef struct {
  GTask         *task;
  ModeReadyFunc  func;
} ProbeData;

static gboolean
is_replicate_api_url (const char *base_url)
{
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_uri_get_host (uri) != NULL &&
         g_ascii_strcasecmp (g_uri_get_host (uri), REPLICATE_API_HOST) == 0;
}

static void
probe_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  ProbeData *probe = user_data;
  GTask *task = probe->task;
  ModeReadyFunc func = probe->func;
  PaReplicate *self = g_task_get_source_object (task);
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *json;

  g_free (probe);

  response = pa_http_send_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      /* Nothing answered: neither kind of server would work, so say why. */
      g_task_return_error (task, g_steal_pointer (&error));
      g_object_unref (task);
      return;
    }

  /* Only a Cog server answers /health-check with {"status": …}. */
  json = NULL;
  if (pa_http_response_get_status (response) == 200)
    json = pa_http_response_get_json (response, NULL);
  if (self->mode == PA_REPLICATE_MODE_AUTO)
    {
      if (json != NULL && JSON_NODE_HOLDS_OBJECT (json) &&
          pa_json_get_string (json_node_get_object (json), "status") != NULL)
        pa_replicate_set_mode (self, PA_REPLICATE_MODE_COG);
      else
        pa_replicate_set_mode (self, PA_REPLICATE_MODE_API);
      g_debug ("Replicate client for %s: %s mode",
               pa_platform_get_base_url (PA_PLATFORM (self)),
               is_cog (self) ? "Cog" : "API");
    }

  func (self, task);
}

/* Calls @func once the mode is known; it owns a reference to @task. */
static void
with_mode (PaReplicate   *self,
           GTask         *task,
           ModeReadyFunc  func)
{
  const char *base_url = pa_platform_get_base_url (PA_PLATFORM (self));
  g_autoptr(PaHttpRequest) request = NULL;
  ProbeData *probe;

  if (self->mode == PA_REPLICATE_MODE_AUTO && is_replicate_api_url (base_url))
    pa_replicate_set_mode (self, PA_REPLICATE_MODE_API);

  if (self->mode != PA_REPLICATE_MODE_AUTO)
    {
      func (self, task);
      return;
    }

  /* No credentials: the server is not known to be Replicate's yet. */
  request = pa_http_request_new ("GET", base_url, "/health-check");
  pa_http_request_set_max_attempts (request, 1);
  pa_http_request_set_timeout (request, PROBE_TIMEOUT_S);
  pa_http_request_set_max_response_size (request, 64 * 1024);

  probe = g_new0 (ProbeData, 1);
  probe->task = task;
  probe->func = func;
  pa_http_send_async (pa_platform_get_http (PA_PLATFORM (self)), request,
                      g_task_get_cancellable (task), probe_cb, probe);
}

/* ---- check -------------------------------------------------------------- */

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  GError *error = NULL;
  JsonObject *object;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  object = JSON_NODE_HOLDS_OBJECT (json) ? json_node_get_object (json) : NULL;

  if (is_cog (self))
    {
      const char *status = pa_json_get_string (object, "status");
      const char *base_url = pa_platform_get_base_url (PA_PLATFORM (self));
      g_autofree char *detail = NULL;

      if (status == NULL)
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                                   _("The Cog server at %s sent a health check without a status"),
                                   base_url);
          return;
        }
      if (g_str_equal (status, "SETUP_FAILED") || g_str_equal (status, "DEFUNCT"))
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_UNAVAILABLE,
                                   _("The Cog server at %s cannot run predictions (status %s): "
                                     "see its logs and restart it"),
                                   base_url, status);
          return;
        }

      detail = g_strdup_printf (_("status %s"), status);
      g_task_return_pointer (task, pa_identity_new (base_url, _("Local Cog server"), detail),
                             (GDestroyNotify) pa_identity_free);
      return;
    }

  {
    const char *username = pa_json_get_string (object, "username");
    const char *name = pa_json_get_string (object, "name");
    const char *type = pa_json_get_string (object, "type");
    const char *detail = NULL;

    if (username == NULL)
      {
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                                 _("Replicate sent an account without a username"));
        return;
      }

    if (g_strcmp0 (type, "organization") == 0)
      detail = _("Organization");
    else if (g_strcmp0 (type, "user") == 0)
      detail = _("Personal account");

    g_task_return_pointer (task,
                           pa_identity_new (username,
                                            name != NULL && *name != '\0' ? name : username,
                                            detail),
                           (GDestroyNotify) pa_identity_free);
  }
}

static void
check_with_mode (PaReplicate *self,
                 GTask       *task)
{
  g_autoptr(PaHttpRequest) request = NULL;

  request = new_request (self, "GET", is_cog (self) ? "/health-check" : "/account");
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               check_cb, task);
}

static void
pa_replicate_check_async (PaPlatform          *platform,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PaReplicate *self = PA_REPLICATE (platform);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_replicate_check_async);
  with_mode (self, task, check_with_mode);
}

static PaIdentity *
pa_replicate_check_finish (PaPlatform    *platform,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* A Cog server rejects bad input with FastAPI's {"detail": [{loc, msg}…]},
 * which the generic message reader does not see. */
static gboolean
pa_replicate_parse_error (PaPlatform      *platform,
                          PaHttpResponse  *response,
                          GError         **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GString) details = NULL;
  JsonNode *json;
  JsonNode *detail;

  if (pa_http_response_check (response, &local_error))
    return TRUE;

  json = pa_http_response_get_json (response, NULL);
  detail = json != NULL && JSON_NODE_HOLDS_OBJECT (json)
             ? json_object_get_member (json_node_get_object (json), "detail") : NULL;

  if (detail != NULL && JSON_NODE_HOLDS_ARRAY (detail))
    {
      JsonArray *array = json_node_get_array (detail);

      details = g_string_new (NULL);
      for (guint i = 0; i < json_array_get_length (array) && i < 5; i++)
        {
          JsonNode *element = json_array_get_element (array, i);
          JsonObject *item = JSON_NODE_HOLDS_OBJECT (element) ? json_node_get_object (element) : NULL;
          const char *msg = pa_json_get_string (item, "msg");
          JsonNode *loc = item != NULL ? json_object_get_member (item, "loc") : NULL;

          if (msg == NULL)
            continue;
          if (details->len > 0)
            g_string_append (details, "; ");
          if (loc != NULL && JSON_NODE_HOLDS_ARRAY (loc))
            {
              JsonArray *parts = json_node_get_array (loc);

              for (guint j = 0; j < json_array_get_length (parts); j++)
                {
                  JsonNode *part = json_array_get_element (parts, j);

                  if (!JSON_NODE_HOLDS_VALUE (part))
                    continue;
                  if (json_node_get_value_type (part) == G_TYPE_STRING)
                    g_string_append_printf (details, "%s%s", j > 0 ? "." : "",
                                            json_node_get_string (part));
                  else if (json_node_get_value_type (part) == G_TYPE_INT64)
                    g_string_append_printf (details, "[%" G_GINT64_FORMAT "]",
                                            json_node_get_int (part));
                }
              g_string_append (details, ": ");
            }
          g_string_append (details, msg);
        }
    }

  if (details != NULL && details->len > 0)
    {
      g_autofree char *message = g_strdup_printf ("%s: %s", local_error->message, details->str);

      g_free (local_error->message);
      local_error->message = g_steal_pointer (&message);
    }

  g_propagate_error (error, g_steal_pointer (&local_error));
  return FALSE;
}

/* ---- model info --------------------------------------------------------- */

static gboolean
is_name_segment (const char *segment)
{
  if (segment == NULL || *segment == '\0' || strlen (segment) > 128)
    return FALSE;
  for (const char *p = segment; *p != '\0'; p++)
    {
      if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
        return FALSE;
    }
  return !g_str_equal (segment, ".") && !g_str_equal (segment, "..");
}

/* "owner/name", each part safe to put in a path as it is. */
static gboolean
split_model (const char  *model,
             char       **owner,
             char       **name,
             GError     **error)
{
  g_auto(GStrv) parts = NULL;

  if (model != NULL)
    parts = g_strsplit (model, "/", -1);
  if (parts == NULL || g_strv_length (parts) != 2 ||
      !is_name_segment (parts[0]) || !is_name_segment (parts[1]))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a Replicate model name: write it as owner/name"),
                   model != NULL ? model : "");
      return FALSE;
    }

  *owner = g_strdup (parts[0]);
  *name = g_strdup (parts[1]);
  return TRUE;
}

static gboolean
check_prediction_id (const char  *id,
                     GError     **error)
{
  gboolean ok = id != NULL && *id != '\0' && strlen (id) <= 128;

  for (const char *p = id; ok && *p != '\0'; p++)
    ok = g_ascii_isalnum (*p) || *p == '-' || *p == '_';

  if (!ok)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("“%s” is not a Replicate prediction id"), id != NULL ? id : "");
  return ok;
}

static void
model_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  PaReplicateModel *model = NULL;
  GError *error = NULL;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json != NULL)
    model = pa_replicate_model_new_from_json (json, is_cog (self), &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, model, (GDestroyNotify) pa_replicate_model_free);
}

static void
model_with_mode (PaReplicate *self,
                 GTask       *task)
{
  const char *model = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *owner = NULL;
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;
  GError *error = NULL;

  if (is_cog (self))
    {
      request = new_request (self, "GET", "/openapi.json");
    }
  else
    {
      if (!split_model (model, &owner, &name, &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      path = g_strdup_printf ("/models/%s/%s", owner, name);
      request = new_request (self, "GET", path);
    }

  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               model_cb, task);
}

void
pa_replicate_get_model_async (PaReplicate         *self,
                              const char          *model,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_get_model_async);
  g_task_set_task_data (task, g_strdup (model), g_free);
  with_mode (self, task, model_with_mode);
}

PaReplicateModel *
pa_replicate_get_model_finish (PaReplicate   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- predictions: create, get, cancel ----------------------------------- */

typedef struct {
  char      *model;
  char      *version;
  JsonNode  *input;
  char      *webhook;
  GStrv      webhook_events;
  int        wait_s;
} CreateData;

static void
create_data_free (CreateData *data)
{
  g_free (data->model);
  g_free (data->version);
  g_clear_pointer (&data->input, json_node_unref);
  g_free (data->webhook);
  g_strfreev (data->webhook_events);
  g_free (data);
}

static void
prediction_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = g_task_get_source_object (task);
  g_autoptr(JsonNode) json = NULL;
  PaReplicatePrediction *prediction = NULL;
  GError *error = NULL;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json != NULL)
    prediction = pa_replicate_prediction_new_from_json (json, !is_cog (self), &error);
  if (prediction == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, prediction, (GDestroyNotify) pa_replicate_prediction_free);
}

static gboolean
check_create_options (const PaReplicateCreateOptions  *options,
                      GError                         **error)
{
  static const char * const events[] = { "start", "output", "logs", "completed", NULL };

  if (options == NULL)
    return TRUE;

  if (options->wait_s != 0 && options->wait_s != PA_REPLICATE_WAIT_MAX &&
      (options->wait_s < 1 || options->wait_s > 60))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Replicate can hold a request open for 1 to 60 seconds, not %d"),
                   options->wait_s);
      return FALSE;
    }

  for (guint i = 0; options->webhook_events != NULL && options->webhook_events[i] != NULL; i++)
    {
      if (!g_strv_contains (events, options->webhook_events[i]))
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“%s” is not a Replicate webhook event: use start, output, logs or completed"),
                       options->webhook_events[i]);
          return FALSE;
        }
    }
  return TRUE;
}

static void
create_with_mode (PaReplicate *self,
                  GTask       *task)
{
  CreateData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  g_autofree char *path = NULL;
  g_autofree char *prefer = NULL;
  GError *error = NULL;

  if (is_cog (self))
    {
      path = g_strdup ("/predictions");
    }
  else if (data->version != NULL)
    {
      path = g_strdup ("/predictions");
    }
  else
    {
      g_autofree char *owner = NULL;
      g_autofree char *name = NULL;

      if (!split_model (data->model, &owner, &name, &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      path = g_strdup_printf ("/models/%s/%s/predictions", owner, name);
    }

  json_builder_begin_object (builder);
  if (!is_cog (self) && data->version != NULL)
    {
      json_builder_set_member_name (builder, "version");
      json_builder_add_string_value (builder, data->version);
    }
  json_builder_set_member_name (builder, "input");
  json_builder_add_value (builder, json_node_copy (data->input));
  if (data->webhook != NULL)
    {
      json_builder_set_member_name (builder, "webhook");
      json_builder_add_string_value (builder, data->webhook);
    }
  if (data->webhook_events != NULL)
    {
      json_builder_set_member_name (builder, "webhook_events_filter");
      json_builder_begin_array (builder);
      for (guint i = 0; data->webhook_events[i] != NULL; i++)
        json_builder_add_string_value (builder, data->webhook_events[i]);
      json_builder_end_array (builder);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  request = new_request (self, "POST", path);
  pa_http_request_set_json_body (request, body);
  /* Each attempt could start (and bill) another prediction. */
  pa_http_request_set_max_attempts (request, 1);

  if (is_cog (self))
    {
      pa_http_request_set_timeout (request, self->sync_timeout_s);
    }
  else if (data->wait_s != 0)
    {
      if (data->wait_s == PA_REPLICATE_WAIT_MAX)
        prefer = g_strdup ("wait");
      else
        prefer = g_strdup_printf ("wait=%d", data->wait_s);
      pa_http_request_set_header (request, "Prefer", prefer);
      pa_http_request_set_timeout (request, (data->wait_s > 0 ? data->wait_s : 60) + WAIT_SLACK_S);
    }

  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

void
pa_replicate_create_prediction_async (PaReplicate                    *self,
                                      const char                     *model,
                                      const char                     *version,
                                      JsonNode                       *input,
                                      const PaReplicateCreateOptions *options,
                                      GCancellable                   *cancellable,
                                      GAsyncReadyCallback             callback,
                                      gpointer                        user_data)
{
  GTask *task;
  CreateData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_create_prediction_async);

  if (input != NULL && !JSON_NODE_HOLDS_OBJECT (input))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A prediction’s input must be a JSON object of named values"));
      g_object_unref (task);
      return;
    }
  if (!check_create_options (options, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  data = g_new0 (CreateData, 1);
  data->model = g_strdup (model);
  data->version = version != NULL && *version != '\0' ? g_strdup (version) : NULL;
  data->input = input != NULL ? json_node_copy (input) : json_node_init_object (json_node_alloc (),
                                                                                json_object_new ());
  if (options != NULL)
    {
      data->webhook = g_strdup (options->webhook);
      data->webhook_events = g_strdupv ((char **) options->webhook_events);
      data->wait_s = options->wait_s;
    }
  g_task_set_task_data (task, data, (GDestroyNotify) create_data_free);

  with_mode (self, task, create_with_mode);
}

PaReplicatePrediction *
pa_replicate_create_prediction_finish (PaReplicate   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_with_mode (PaReplicate *self,
               GTask       *task)
{
  const char *id = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *path = NULL;

  if (is_cog (self))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A local Cog server answers each prediction at once and keeps "
                                 "none to look up later"));
      g_object_unref (task);
      return;
    }

  path = g_strdup_printf ("/predictions/%s", id);
  request = new_request (self, "GET", path);
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

static GTask *
prediction_task_new (PaReplicate         *self,
                     const char          *id,
                     gpointer             source_tag,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  if (!check_prediction_id (id, &error))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return NULL;
    }
  g_task_set_task_data (task, g_strdup (id), g_free);
  return task;
}

void
pa_replicate_get_prediction_async (PaReplicate         *self,
                                   const char          *id,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = prediction_task_new (self, id, pa_replicate_get_prediction_async,
                              cancellable, callback, user_data);
  if (task != NULL)
    with_mode (self, task, get_with_mode);
}

PaReplicatePrediction *
pa_replicate_get_prediction_finish (PaReplicate   *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
cancel_with_mode (PaReplicate *self,
                  GTask       *task)
{
  const char *id = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *path = g_strdup_printf ("/predictions/%s/cancel", id);

  /* Cancelling twice does no harm, but stay with the rule: POSTs once. */
  request = new_request (self, "POST", path);
  pa_http_request_set_max_attempts (request, 1);
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               prediction_cb, task);
}

void
pa_replicate_cancel_prediction_async (PaReplicate         *self,
                                      const char          *id,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));

  task = prediction_task_new (self, id, pa_replicate_cancel_prediction_async,
                              cancellable, callback, user_data);
  if (task != NULL)
    with_mode (self, task, cancel_with_mode);
}

PaReplicatePrediction *
pa_replicate_cancel_prediction_finish (PaReplicate   *self,
                                       GAsyncResult  *result,
                                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- list --------------------------------------------------------------- */

typedef struct {
  char      *created_after;   /* ISO 8601, as the API takes it */
  char      *cursor;          /* from the last page's `next`, or NULL */
  guint      pages_left;
  GPtrArray *predictions;
} ListData;

static void
list_data_free (ListData *data)
{
  g_free (data->created_after);
  g_free (data->cursor);
  g_ptr_array_unref (data->predictions);
  g_free (data);
}

static void list_page (PaReplicate *self,
                       GTask       *task);

/* `next` is a full URL on Replicate's host; only its cursor is ours to
 * reuse, against whatever base URL the account has. */
static char *
cursor_from_next (const char *next)
{
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GHashTable) params = NULL;
  const char *query;

  if (next == NULL)
    return NULL;
  uri = g_uri_parse (next, G_URI_FLAGS_ENCODED_QUERY, NULL);
  query = uri != NULL ? g_uri_get_query (uri) : NULL;
  if (query == NULL)
    return NULL;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params == NULL)
    return NULL;
  return g_strdup (g_hash_table_lookup (params, "cursor"));
}

static void
list_page_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = g_task_get_source_object (task);
  ListData *data = g_task_get_task_data (task);
  g_autoptr(JsonNode) json = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *page;
  JsonArray *results;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  page = JSON_NODE_HOLDS_OBJECT (json) ? json_node_get_object (json) : NULL;
  results = page != NULL && json_object_has_member (page, "results")
            && JSON_NODE_HOLDS_ARRAY (json_object_get_member (page, "results"))
            ? json_object_get_array_member (page, "results") : NULL;
  if (results == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Replicate’s list of predictions has no “results”"));
      return;
    }

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      PaReplicatePrediction *prediction =
        pa_replicate_prediction_new_from_json (json_array_get_element (results, i), TRUE, &error);

      if (prediction == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      g_ptr_array_add (data->predictions, prediction);
    }

  g_clear_pointer (&data->cursor, g_free);
  data->cursor = cursor_from_next (pa_json_get_string (page, "next"));
  if (data->cursor != NULL && --data->pages_left > 0)
    {
      list_page (self, g_steal_pointer (&task));
      return;
    }
  g_task_return_pointer (task, g_ptr_array_ref (data->predictions),
                         (GDestroyNotify) g_ptr_array_unref);
}

/* Owns @task. */
static void
list_page (PaReplicate *self,
           GTask       *task)
{
  ListData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;

  if (is_cog (self))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A local Cog server keeps no list of predictions"));
      g_object_unref (task);
      return;
    }

  request = new_request (self, "GET", "/predictions");
  pa_http_request_add_query (request, "created_after", data->created_after);
  if (data->cursor != NULL)
    pa_http_request_add_query (request, "cursor", data->cursor);
  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               list_page_cb, task);
}

void
pa_replicate_list_predictions_async (PaReplicate         *self,
                                     GDateTime           *created_after,
                                     guint                max_pages,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GDateTime) utc = NULL;
  GTask *task;
  ListData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (created_after != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_list_predictions_async);

  utc = g_date_time_to_utc (created_after);
  data = g_new0 (ListData, 1);
  data->created_after = g_date_time_format (utc, "%Y-%m-%dT%H:%M:%SZ");
  data->pages_left = MAX (max_pages, 1);
  data->predictions = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_replicate_prediction_free);
  g_task_set_task_data (task, data, (GDestroyNotify) list_data_free);

  with_mode (self, task, list_page);
}

GPtrArray *
pa_replicate_list_predictions_finish (PaReplicate   *self,
                                      GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- waiting until a prediction ends ------------------------------------ */

typedef struct {
  PaReplicatePrediction   *last;
  PaReplicateProgressFunc  progress;
  gpointer                 progress_data;
  GDestroyNotify           progress_destroy;
  PaReplicateStatus        reported_status;
  char                    *logs_emitted;   /* the logs up to the last line reported */
  guint                    polls;
  GSource                 *timer;
  GSource                 *cancel_source;
} WaitData;

static void
wait_data_clear_sources (WaitData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_clear_pointer (&data->timer, g_source_unref);
    }
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }
}

static void
wait_data_free (WaitData *data)
{
  wait_data_clear_sources (data);
  g_clear_pointer (&data->last, pa_replicate_prediction_free);
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_free (data->logs_emitted);
  g_free (data);
}

/* Complete lines added to @logs since the last report; a line still being
 * written is held back until it ends or the prediction does. Replicate
 * sends the whole log each time; if it no longer starts with what was
 * reported, it was replaced and is reported again from the start. */
static GStrv
take_new_log_lines (WaitData   *data,
                    const char *logs,
                    gboolean    final)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize start;
  gsize end;

  if (data->logs_emitted == NULL || !g_str_has_prefix (logs, data->logs_emitted))
    g_clear_pointer (&data->logs_emitted, g_free);
  start = data->logs_emitted != NULL ? strlen (data->logs_emitted) : 0;

  if (final)
    {
      end = strlen (logs);
    }
  else
    {
      const char *newline = strrchr (logs + start, '\n');

      end = newline != NULL ? (gsize) (newline - logs) + 1 : start;
    }

  if (end > start)
    {
      g_autofree char *segment = g_strndup (logs + start, end - start);
      g_auto(GStrv) lines = g_strsplit (segment, "\n", -1);
      guint n = g_strv_length (lines);

      /* "a\nb\n" splits into a, b and an empty tail that is no line. */
      if (n > 0 && lines[n - 1][0] == '\0')
        n--;
      for (guint i = 0; i < n; i++)
        {
          gsize len = strlen (lines[i]);

          if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
          g_strv_builder_add (builder, lines[i]);
        }

      g_free (data->logs_emitted);
      data->logs_emitted = g_strndup (logs, end);
    }

  return g_strv_builder_end (builder);
}

static void
report_progress (WaitData *data)
{
  PaReplicatePrediction *prediction = data->last;
  gboolean final = pa_replicate_status_is_terminal (prediction->status);
  g_auto(GStrv) lines = take_new_log_lines (data, prediction->logs, final);

  if (prediction->status == data->reported_status && lines[0] == NULL)
    return;
  data->reported_status = prediction->status;

  if (data->progress != NULL)
    data->progress (prediction, (const char * const *) lines, data->progress_data);
}

static void
finish_wait (GTask *task)
{
  WaitData *data = g_task_get_task_data (task);
  PaReplicatePrediction *prediction = data->last;
  /* A Cog server's answer has no id to name. */
  g_autofree char *which = prediction->id != NULL
                             ? g_strdup_printf (_("The prediction %s"), prediction->id)
                             : g_strdup (_("The prediction"));
  const char *reason = prediction->error != NULL && *prediction->error != '\0'
                         ? prediction->error : _("no reason given");

  switch (prediction->status)
    {
    case PA_REPLICATE_STATUS_SUCCEEDED:
      g_task_return_pointer (task, g_steal_pointer (&data->last),
                             (GDestroyNotify) pa_replicate_prediction_free);
      break;
    case PA_REPLICATE_STATUS_FAILED:
      /* Translators: the first %s is "The prediction <id>". */
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("%s failed: %s"), which, reason);
      break;
    case PA_REPLICATE_STATUS_CANCELED:
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               _("%s was canceled"), which);
      break;
    case PA_REPLICATE_STATUS_ABORTED:
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("%s was aborted before it started: try again"), which);
      break;
    case PA_REPLICATE_STATUS_UNKNOWN:
    case PA_REPLICATE_STATUS_STARTING:
    case PA_REPLICATE_STATUS_PROCESSING:
    default:
      g_assert_not_reached ();
    }
}

static void schedule_poll (GTask *task);

static void
poll_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);
  PaReplicatePrediction *prediction;
  GError *error = NULL;

  prediction = pa_replicate_get_prediction_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    {
      /* A GTask checks its cancellable itself and then reports GIO's
       * error; callers are promised PA_ERROR_CANCELLED. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                                   _("Waiting for the prediction was cancelled"));
          return;
        }
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&data->last, pa_replicate_prediction_free);
  data->last = prediction;
  report_progress (data);

  if (pa_replicate_status_is_terminal (prediction->status))
    finish_wait (task);
  else
    schedule_poll (g_steal_pointer (&task));
}

/* Takes over the caller's reference to @task. */
static void
poll_now (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);

  data->polls++;
  pa_replicate_get_prediction_async (self, data->last->id, g_task_get_cancellable (task),
                                     poll_cb, task);
}

static gboolean
poll_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  wait_data_clear_sources (data);
  poll_now (task);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  wait_data_clear_sources (data);
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           _("Stopped waiting for the prediction %s; it keeps running on Replicate"),
                           data->last->id);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static guint
poll_delay_ms (PaReplicate *self,
               guint        n)
{
  guint64 delay = self->poll_initial_ms;

  while (n-- > 0 && delay < self->poll_max_ms)
    delay *= 2;
  return (guint) MIN (delay, (guint64) self->poll_max_ms);
}

/* Takes over the caller's reference to @task, held by the timer and the
 * cancellable source until one of them fires and passes it on. */
static void
schedule_poll (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GMainContext *context = g_task_get_context (task);
  guint delay = poll_delay_ms (self, data->polls > 0 ? data->polls - 1 : 0);

  data->timer = g_timeout_source_new (delay);
  g_source_set_callback (data->timer, poll_timer_cb, task, NULL);
  g_source_attach (data->timer, context);

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, context);
    }
}

static void
wait_with_mode (PaReplicate *self,
                GTask       *task)
{
  WaitData *data = g_task_get_task_data (task);

  if (data->last->status != PA_REPLICATE_STATUS_UNKNOWN)
    report_progress (data);

  if (pa_replicate_status_is_terminal (data->last->status))
    {
      finish_wait (task);
      g_object_unref (task);
      return;
    }

  if (is_cog (self) || data->last->id == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("This prediction cannot be followed: the server gave it no id "
                                 "to ask about"));
      g_object_unref (task);
      return;
    }

  /* Known only by its id (a resumed run): ask at once. */
  if (data->last->status == PA_REPLICATE_STATUS_UNKNOWN)
    poll_now (task);
  else
    schedule_poll (task);
}

void
pa_replicate_wait_async (PaReplicate                 *self,
                         const PaReplicatePrediction *prediction,
                         PaReplicateProgressFunc      progress,
                         gpointer                     progress_data,
                         GDestroyNotify               progress_destroy,
                         GCancellable                *cancellable,
                         GAsyncReadyCallback          callback,
                         gpointer                     user_data)
{
  GTask *task;
  WaitData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (prediction != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_wait_async);
  /* Cancellation is reported by wait_cancelled_cb, with what it means. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (WaitData, 1);
  data->last = pa_replicate_prediction_copy (prediction);
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->reported_status = PA_REPLICATE_STATUS_UNKNOWN;
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);

  if (!pa_replicate_status_is_terminal (prediction->status) &&
      prediction->id != NULL && !check_prediction_id (prediction->id, NULL))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is not a Replicate prediction id"), prediction->id);
      g_object_unref (task);
      return;
    }

  with_mode (self, task, wait_with_mode);
}

PaReplicatePrediction *
pa_replicate_wait_finish (PaReplicate   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- file upload -------------------------------------------------------- */

typedef struct {
  GBytes *bytes;
  char   *filename;
  char   *content_type;
} UploadData;

static void
upload_data_free (UploadData *data)
{
  g_clear_pointer (&data->bytes, g_bytes_unref);
  g_free (data->filename);
  g_free (data->content_type);
  g_free (data);
}

static char *
sha256_hex (GBytes *bytes)
{
  return g_compute_checksum_for_bytes (G_CHECKSUM_SHA256, bytes);
}

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) json = NULL;
  PaReplicateFile *file = NULL;
  GError *error = NULL;

  json = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (json != NULL)
    file = pa_replicate_file_new_from_json (json, &error);
  if (file == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, file, (GDestroyNotify) pa_replicate_file_free);
}

static void
upload_with_mode (PaReplicate *self,
                  GTask       *task)
{
  UploadData *data = g_task_get_task_data (task);
  g_autoptr(SoupMultipart) multipart = NULL;
  g_autoptr(PaHttpRequest) request = NULL;
  SoupMessageHeaders *headers;
  g_autoptr(GBytes) body = NULL;
  const char *content_type;

  if (is_cog (self))
    {
      /* Cog reads file inputs from URLs, data: URLs included. */
      PaReplicateFile *file = g_new0 (PaReplicateFile, 1);
      g_autofree char *base64 = g_base64_encode (g_bytes_get_data (data->bytes, NULL),
                                                 g_bytes_get_size (data->bytes));

      file->url = g_strdup_printf ("data:%s;base64,%s", data->content_type, base64);
      file->content_type = g_strdup (data->content_type);
      file->size = (gint64) g_bytes_get_size (data->bytes);
      file->sha256 = sha256_hex (data->bytes);
      g_task_return_pointer (task, file, (GDestroyNotify) pa_replicate_file_free);
      g_object_unref (task);
      return;
    }

  multipart = soup_multipart_new (SOUP_FORM_MIME_TYPE_MULTIPART);
  soup_multipart_append_form_file (multipart, "content", data->filename,
                                   data->content_type, data->bytes);
  soup_multipart_append_form_string (multipart, "filename", data->filename);
  soup_multipart_append_form_string (multipart, "type", data->content_type);

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_REQUEST);
  soup_multipart_to_message (multipart, headers, &body);
  /* The boundary is in the full header value, not in the bare type. */
  content_type = soup_message_headers_get_one (headers, "Content-Type");

  request = new_request (self, "POST", "/files");
  pa_http_request_set_body (request, body, content_type);
  pa_http_request_set_max_attempts (request, 1);
  soup_message_headers_unref (headers);

  pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                               upload_cb, task);
}

/* At most 255 bytes of valid UTF-8, cut between characters. */
static char *
clean_filename (const char *filename)
{
  g_autofree char *valid = g_utf8_make_valid (filename, -1);
  const char *end = valid;

  while (*end != '\0')
    {
      const char *next = g_utf8_next_char (end);

      if ((gsize) (next - valid) > MAX_FILENAME_BYTES)
        break;
      end = next;
    }
  return g_strndup (valid, end - valid);
}

static void
upload_start (PaReplicate *self,
              GTask       *task,
              GBytes      *bytes,
              const char  *filename,
              const char  *content_type)
{
  UploadData *data;

  if (g_bytes_get_size (bytes) > PA_REPLICATE_MAX_UPLOAD)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is larger than Replicate accepts (100 MB)"), filename);
      g_object_unref (task);
      return;
    }

  data = g_new0 (UploadData, 1);
  data->bytes = g_bytes_ref (bytes);
  data->filename = clean_filename (filename);
  if (content_type != NULL && *content_type != '\0')
    {
      data->content_type = g_strdup (content_type);
    }
  else
    {
      g_autofree char *guessed = g_content_type_guess (filename, g_bytes_get_data (bytes, NULL),
                                                       g_bytes_get_size (bytes), NULL);

      data->content_type = g_content_type_get_mime_type (guessed);
      if (data->content_type == NULL)
        data->content_type = g_strdup ("application/octet-stream");
    }
  g_task_set_task_data (task, data, (GDestroyNotify) upload_data_free);

  with_mode (self, task, upload_with_mode);
}

void
pa_replicate_upload_bytes_async (PaReplicate         *self,
                                 GBytes              *bytes,
                                 const char          *filename,
                                 const char          *content_type,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (bytes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_upload_bytes_async);

  if (filename == NULL || *filename == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A file to upload needs a name"));
      g_object_unref (task);
      return;
    }

  upload_start (self, task, bytes, filename, content_type);
}

PaReplicateFile *
pa_replicate_upload_bytes_finish (PaReplicate   *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

typedef struct {
  GFile *file;
  char  *content_type;
} UploadFileData;

static void
upload_file_data_free (UploadFileData *data)
{
  g_clear_object (&data->file);
  g_free (data->content_type);
  g_free (data);
}

static void
upload_file_set_error (GTask  *task,
                       GFile  *file,
                       GError *error)
{
  g_autofree char *name = g_file_get_parse_name (file);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                             _("The upload of “%s” was cancelled"), name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                             _("Cannot upload “%s”: there is no such file"), name);
  else
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_STORAGE,
                             _("Cannot read “%s” to upload it: %s"), name, error->message);
}

static void
upload_file_loaded_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  GTask *task = user_data;
  UploadFileData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *basename = NULL;
  g_autofree char *content_type = NULL;
  PaReplicate *self = g_task_get_source_object (task);

  bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &error);
  if (bytes == NULL)
    {
      upload_file_set_error (task, G_FILE (source), error);
      g_object_unref (task);
      return;
    }

  basename = g_file_get_basename (data->file);
  content_type = g_strdup (data->content_type);
  /* upload_start replaces the task data. */
  upload_start (self, task, bytes, basename, content_type);
}

static void
upload_file_info_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GTask *task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInfo) info = NULL;
  g_autofree char *name = g_file_get_parse_name (G_FILE (source));

  info = g_file_query_info_finish (G_FILE (source), result, &error);
  if (info == NULL)
    {
      upload_file_set_error (task, G_FILE (source), error);
      g_object_unref (task);
      return;
    }

  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("Cannot upload “%s”: it is not a regular file"), name);
      g_object_unref (task);
      return;
    }
  if (g_file_info_get_size (info) > PA_REPLICATE_MAX_UPLOAD)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is larger than Replicate accepts (100 MB)"), name);
      g_object_unref (task);
      return;
    }

  g_file_load_bytes_async (G_FILE (source), g_task_get_cancellable (task),
                           upload_file_loaded_cb, task);
}

void
pa_replicate_upload_file_async (PaReplicate         *self,
                                GFile               *file,
                                const char          *content_type,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;
  UploadFileData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (G_IS_FILE (file));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_upload_file_async);

  data = g_new0 (UploadFileData, 1);
  data->file = g_object_ref (file);
  data->content_type = g_strdup (content_type);
  g_task_set_task_data (task, data, (GDestroyNotify) upload_file_data_free);

  g_file_query_info_async (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                           G_FILE_QUERY_INFO_NONE, G_PRIORITY_DEFAULT, cancellable,
                           upload_file_info_cb, task);
}

PaReplicateFile *
pa_replicate_upload_file_finish (PaReplicate   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- GObject ------------------------------------------------------------ */

static void
pa_replicate_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  PaReplicate *self = PA_REPLICATE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_enum (value, self->mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_replicate_set_property (GObject      *object,
                           guint         prop_id,
                           const GValue *value,
                           GParamSpec   *pspec)
{
  PaReplicate *self = PA_REPLICATE (object);

  switch (prop_id)
    {
    case PROP_MODE:
      pa_replicate_set_mode (self, g_value_get_enum (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_replicate_class_init (PaReplicateClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->get_property = pa_replicate_get_property;
  object_class->set_property = pa_replicate_set_property;

  platform_class->platform_id = "replicate";
  platform_class->check_async = pa_replicate_check_async;
  platform_class->check_finish = pa_replicate_check_finish;
  platform_class->parse_error = pa_replicate_parse_error;

  /**
   * PaReplicate:mode:
   *
   * Whether the base URL is the Replicate API or a local Cog server;
   * "auto" decides on first use (see #PaReplicateMode).
   */
  properties[PROP_MODE] =
    g_param_spec_enum ("mode", NULL, NULL,
                       PA_TYPE_REPLICATE_MODE, PA_REPLICATE_MODE_AUTO,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_replicate_init (PaReplicate *self)
{
  self->mode = PA_REPLICATE_MODE_AUTO;
  self->poll_initial_ms = PA_REPLICATE_DEFAULT_POLL_INITIAL_MS;
  self->poll_max_ms = PA_REPLICATE_DEFAULT_POLL_MAX_MS;
  self->max_download = PA_REPLICATE_DEFAULT_MAX_DOWNLOAD;
  self->sync_timeout_s = PA_REPLICATE_DEFAULT_SYNC_TIMEOUT_S;
}
