/* pa-replicate.c — Replicate, or a local Cog server: the client, its mode, models
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-limits.h"
#include "pa-json-private.h"
#include "pa-platform-private.h"
#include "pa-replicate.h"
#include "pa-replicate-private.h"

#define REPLICATE_API_HOST   "api.replicate.com"
#define PROBE_TIMEOUT_S      10

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

/* ---- the client --------------------------------------------------------- */

PaReplicate *
pa_replicate_new (PaHttp     *http,
                  const char *profile,
                  const char *base_url)
{
  return pa_platform_new_of_type (PA_TYPE_REPLICATE, http, profile, base_url);
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

void
pa_replicate_set_prediction_deadline (PaReplicate *self,
                                      guint        seconds)
{
  g_return_if_fail (PA_IS_REPLICATE (self));
  self->prediction_deadline_s = seconds > 0 ? seconds : PA_LIMIT_PREDICTION_DEADLINE_SECONDS;
}

gboolean
pa_replicate_is_cog (PaReplicate *self)
{
  return self->mode == PA_REPLICATE_MODE_COG;
}

/* A request to the account's base URL. A Cog server takes no key, and
 * asking the keyring for one would only fail where there is none. */
PaHttpRequest *
pa_replicate_new_request (PaReplicate *self,
                          const char  *method,
                          const char  *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  if (pa_replicate_is_cog (self))
    pa_http_request_clear_auth (request);
  return request;
}

/* ---- deciding between the Replicate API and a Cog server --------------- */

typedef struct {
  GTask               *task;
  PaReplicateModeFunc  func;
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
  PaReplicateModeFunc func = probe->func;
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
               pa_replicate_is_cog (self) ? "Cog" : "API");
    }

  func (self, task);
}

/* Calls @func once the mode is known; it owns a reference to @task. */
void
pa_replicate_with_mode (PaReplicate         *self,
                        GTask               *task,
                        PaReplicateModeFunc  func)
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

  if (pa_replicate_is_cog (self))
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
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_SERVER,
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

  request = pa_replicate_new_request (self, "GET", pa_replicate_is_cog (self) ? "/health-check" : "/account");
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
  pa_replicate_with_mode (self, task, check_with_mode);
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
gboolean
pa_replicate_split_model (const char  *model,
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

gboolean
pa_replicate_check_prediction_id (const char  *id,
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
    model = pa_replicate_model_new_from_json (json, pa_replicate_is_cog (self), &error);
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

  if (pa_replicate_is_cog (self))
    {
      request = pa_replicate_new_request (self, "GET", "/openapi.json");
    }
  else
    {
      if (!pa_replicate_split_model (model, &owner, &name, &error))
        {
          g_task_return_error (task, error);
          g_object_unref (task);
          return;
        }
      path = g_strdup_printf ("/models/%s/%s", owner, name);
      request = pa_replicate_new_request (self, "GET", path);
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
  pa_replicate_with_mode (self, task, model_with_mode);
}

PaReplicateModel *
pa_replicate_get_model_finish (PaReplicate   *self,
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
  self->prediction_deadline_s = PA_LIMIT_PREDICTION_DEADLINE_SECONDS;
}
