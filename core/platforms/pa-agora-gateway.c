/* pa-agora-gateway.c — Agora's Media Gateway: streaming keys and online streams
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-agora-private.h"
#include "pa-json-private.h"
#include "pa-platform-private.h"

/* The Media Gateway REST API, as Agora documents it:
 *   https://docs.agora.io/en/api-reference/api-ref/rtmp-gateway
 *   (base URL https://api.agora.io/{region}/v1/projects/{appId}; region
 *   na, eu, ap or cn; HTTP Basic auth with the customer ID and secret)
 *   create-streaming-key   POST   …/rtls/ingress/streamkeys
 *                          body {"settings": {"channel", "uid", "expiresAfter"}}
 *   query-streaming-key    GET    …/rtls/ingress/streamkeys/{streamkey}
 *   delete-streaming-key   DELETE …/rtls/ingress/streamkeys/{streamkey}
 *   query-streaming-list   GET    …/rtls/ingress/online-streams[?channel=]
 * Answers are {"status": "success", "data": {…}}; the key's data holds
 * streamKey, channel, uid, expiresAfter (seconds, 0 = never) and createdAt
 * (Unix seconds, documented as a string). Failures carry {"message": …},
 * which PaPlatform's default error parsing already reads.
 * An online stream is read with the fields Agora documents for the
 * gateway's live_stream_connected event (media-gateway-event-types: sid,
 * region, domain, streamKey, rtcInfo {channel, uid}, beginAt). The list's
 * envelope was not confirmed against a live answer, so the list is read
 * from data.items, or from data itself when that is an array. */

static gboolean
check_region (PaAgora  *self,
              GError  **error)
{
  if (pa_agora_region_is_valid (self->region))
    return TRUE;

  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("“%s” is not an Agora Media Gateway region. Choose one of: na, eu, ap, cn."),
               self->region);
  return FALSE;
}

/* ---- requests ------------------------------------------------------------ */

typedef enum {
  OP_CREATE,
  OP_GET,
  OP_DELETE,
  OP_LIST,
} OpKind;

typedef struct {
  OpKind   kind;
  char    *channel;
  char    *uid;
  guint32  expires_after;
  char    *stream_key;
} Op;

static void
op_free (Op *op)
{
  g_free (op->channel);
  g_free (op->uid);
  g_free (op->stream_key);
  g_free (op);
}

/* @escaped_id is the app id as pa_platform_escape_id() gave it; @log_tail,
 * if not NULL, is what the request log records instead of @tail, for a
 * tail that holds a stream key: whoever holds one can stream to the
 * channel, so it must not land in platform_logs. */
static PaHttpRequest *
new_gateway_request (PaAgora    *self,
                     const char *method,
                     const char *escaped_id,
                     const char *tail,
                     const char *log_tail)
{
  g_autofree char *path = g_strdup_printf ("/%s/v1/projects/%s/rtls/ingress/%s",
                                           self->region, escaped_id, tail);
  g_autofree char *request_id = g_uuid_string_random ();
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  if (log_tail != NULL)
    {
      g_autofree char *log_path = g_strdup_printf ("/%s/v1/projects/%s/rtls/ingress/%s",
                                                   self->region, escaped_id, log_tail);

      pa_http_request_set_log_path (request, log_path);
    }

  /* Agora echoes it back, and support asks for it when a call failed. */
  pa_http_request_set_header (request, "X-Request-ID", request_id);
  pa_http_request_set_header (request, "Accept", "application/json");
  return request;
}

static PaHttpRequest *
build_op_request (PaAgora     *self,
                  const Op    *op,
                  const char  *app_id,
                  GError     **error)
{
  g_autofree char *escaped_id = NULL;
  g_autofree char *escaped_key = NULL;
  g_autofree char *tail = NULL;
  PaHttpRequest *request = NULL;

  escaped_id = pa_platform_escape_id (app_id, _("Agora app ID"), error);
  if (escaped_id == NULL)
    return NULL;

  switch (op->kind)
    {
    case OP_CREATE:
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) body = NULL;

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "settings");
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "channel");
        json_builder_add_string_value (builder, op->channel);
        json_builder_set_member_name (builder, "uid");
        json_builder_add_string_value (builder, op->uid);
        json_builder_set_member_name (builder, "expiresAfter");
        json_builder_add_int_value (builder, op->expires_after);
        json_builder_end_object (builder);
        json_builder_end_object (builder);
        body = json_builder_get_root (builder);

        request = new_gateway_request (self, "POST", escaped_id, "streamkeys", NULL);
        pa_http_request_set_json_body (request, body);
      }
      break;

    case OP_GET:
    case OP_DELETE:
      escaped_key = pa_platform_escape_id (op->stream_key, _("Agora stream key"), error);
      if (escaped_key == NULL)
        return NULL;
      tail = g_strdup_printf ("streamkeys/%s", escaped_key);
      request = new_gateway_request (self, op->kind == OP_GET ? "GET" : "DELETE", escaped_id,
                                     tail, "streamkeys/…");
      break;

    case OP_LIST:
      request = new_gateway_request (self, "GET", escaped_id, "online-streams", NULL);
      if (op->channel != NULL)
        pa_http_request_add_query (request, "channel", op->channel);
      break;

    default:
      g_assert_not_reached ();
    }

  return request;
}

/* Agora documents uid and createdAt as strings, but a number is read the
 * same way. */
static gint64
int_member (JsonObject *object,
            const char *name)
{
  g_autofree char *text = pa_json_dup_text (object, name);
  gint64 value = 0;

  if (text != NULL && !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    value = 0;
  return value;
}

static gboolean
protocol_error (GError     **error,
                const char  *what)
{
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("Agora’s Media Gateway answered with something unexpected: %s"), what);
  return FALSE;
}

/* The "data" of a {"status": "success", "data": …} answer. */
static JsonNode *
success_data (JsonNode  *root,
              GError   **error)
{
  JsonObject *object;
  const char *status;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      protocol_error (error, _("the answer is not a JSON object."));
      return NULL;
    }

  object = json_node_get_object (root);
  status = pa_json_get_string (object, "status");
  if (status != NULL && !g_str_equal (status, "success"))
    {
      g_autofree char *what = g_strdup_printf (_("status “%s” instead of “success”."), status);

      protocol_error (error, what);
      return NULL;
    }

  return pa_json_get_member (object, "data");
}

static PaAgoraStreamKey *
parse_stream_key (JsonNode  *root,
                  GError   **error)
{
  g_autoptr(PaAgoraStreamKey) key = NULL;
  JsonNode *data = success_data (root, error);
  JsonObject *object;
  const char *stream_key;

  if (data == NULL)
    {
      if (error == NULL || *error == NULL)
        protocol_error (error, _("no “data” in the answer."));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (data))
    {
      protocol_error (error, _("“data” is not an object."));
      return NULL;
    }

  object = json_node_get_object (data);
  stream_key = pa_json_get_string (object, "streamKey");
  if (stream_key == NULL || stream_key[0] == '\0')
    {
      protocol_error (error, _("no streaming key in the answer."));
      return NULL;
    }

  key = g_new0 (PaAgoraStreamKey, 1);
  key->stream_key = g_strdup (stream_key);
  key->channel = pa_json_dup_text (object, "channel");
  key->uid = pa_json_dup_text (object, "uid");
  key->expires_after = int_member (object, "expiresAfter");
  key->created_at = int_member (object, "createdAt");

  return g_steal_pointer (&key);
}

static GPtrArray *
parse_online_streams (JsonNode  *root,
                      GError   **error)
{
  g_autoptr(GPtrArray) streams = NULL;
  JsonNode *data;
  JsonArray *items = NULL;

  data = success_data (root, error);
  if (data == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      /* No data at all: nothing is streaming. */
      return g_ptr_array_new_with_free_func ((GDestroyNotify) pa_agora_online_stream_free);
    }

  if (JSON_NODE_HOLDS_ARRAY (data))
    items = json_node_get_array (data);
  else if (JSON_NODE_HOLDS_OBJECT (data))
    {
      JsonNode *node = pa_json_get_member (json_node_get_object (data), "items");

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        items = json_node_get_array (node);
      else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          protocol_error (error, _("“data.items” is not a list."));
          return NULL;
        }
    }
  else if (!JSON_NODE_HOLDS_NULL (data))
    {
      protocol_error (error, _("“data” is neither an object nor a list."));
      return NULL;
    }

  streams = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_agora_online_stream_free);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *object, *rtc;
      PaAgoraOnlineStream *stream;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          protocol_error (error, _("a stream in the list is not an object."));
          return NULL;
        }

      object = json_node_get_object (node);
      rtc = pa_json_get_object (object, "rtcInfo");

      stream = g_new0 (PaAgoraOnlineStream, 1);
      stream->sid = pa_json_dup_text (object, "sid");
      stream->stream_key = pa_json_dup_text (object, "streamKey");
      stream->channel = pa_json_dup_text (rtc, "channel");
      stream->uid = pa_json_dup_text (rtc, "uid");
      stream->region = pa_json_dup_text (object, "region");
      stream->domain = pa_json_dup_text (object, "domain");
      stream->begin_at = pa_json_dup_text (object, "beginAt");
      g_ptr_array_add (streams, stream);
    }

  return g_steal_pointer (&streams);
}

static void
op_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (op->kind == OP_DELETE)
    {
      g_autoptr(PaHttpResponse) response = NULL;
      JsonNode *json;

      response = pa_platform_send_finish (PA_PLATFORM (source), result, &error);
      if (response == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      /* A bare 200 or 204 is as good as {"status": "success"}. */
      if (g_bytes_get_size (pa_http_response_get_body (response)) > 0)
        {
          json = pa_http_response_get_json (response, &error);
          if (json != NULL)
            success_data (json, &error);
          if (error != NULL)
            {
              g_task_return_error (task, error);
              return;
            }
        }

      g_task_return_boolean (task, TRUE);
      return;
    }
  else
    {
      g_autoptr(JsonNode) root = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);

      if (root == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      if (op->kind == OP_LIST)
        {
          GPtrArray *streams = parse_online_streams (root, &error);

          if (streams == NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, streams, (GDestroyNotify) g_ptr_array_unref);
        }
      else
        {
          PaAgoraStreamKey *key = parse_stream_key (root, &error);

          if (key == NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, key, (GDestroyNotify) pa_agora_stream_key_free);
        }
    }
}

static void
op_send (PaAgora    *self,
         GTask      *task,
         const char *app_id)
{
  Op *op = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = NULL;
  GError *error = NULL;

  request = build_op_request (self, op, app_id, &error);
  if (request == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }

  if (op->kind == OP_DELETE)
    pa_platform_send_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                            op_sent_cb, task);
  else
    pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                                 op_sent_cb, task);
}

static const char * const app_id_field[] = { "app-id", NULL };

static void
op_app_id_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAgora *self = PA_AGORA (source);
  g_autoptr(GPtrArray) values = NULL;
  GError *error = NULL;

  values = pa_agora_lookup_fields_finish (self, result, &error);
  if (values == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  op_send (self, g_steal_pointer (&task), g_ptr_array_index (values, 0));
}

static void
op_start (PaAgora             *self,
          Op                  *op,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  if (!check_region (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  pa_agora_lookup_fields_async (self, app_id_field, cancellable, op_app_id_cb,
                                g_steal_pointer (&task));
}

/* GET or DELETE the streaming key @stream_key. */
static void
key_op_start (PaAgora             *self,
              OpKind               kind,
              const char          *stream_key,
              gpointer             source_tag,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  Op *op = g_new0 (Op, 1);

  op->kind = kind;
  op->stream_key = g_strdup (stream_key);
  op_start (self, op, source_tag, cancellable, callback, user_data);
}

void
pa_agora_create_stream_key_async (PaAgora             *self,
                                  const char          *channel,
                                  const char          *uid,
                                  guint32              expires_after_s,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (uid != NULL);

  /* Agora refuses an empty channel or uid and a uid of "0". */
  if (channel[0] == '\0' || uid[0] == '\0' || g_str_equal (uid, "0"))
    {
      g_task_report_new_error (self, callback, user_data, pa_agora_create_stream_key_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A streaming key needs a channel name and a host user ID other than 0."));
      return;
    }

  op = g_new0 (Op, 1);
  op->kind = OP_CREATE;
  op->channel = g_strdup (channel);
  op->uid = g_strdup (uid);
  op->expires_after = expires_after_s;
  op_start (self, op, pa_agora_create_stream_key_async, cancellable, callback, user_data);
}

PaAgoraStreamKey *
pa_agora_create_stream_key_finish (PaAgora       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_agora_get_stream_key_async (PaAgora             *self,
                               const char          *stream_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (stream_key != NULL);

  key_op_start (self, OP_GET, stream_key, pa_agora_get_stream_key_async,
                cancellable, callback, user_data);
}

PaAgoraStreamKey *
pa_agora_get_stream_key_finish (PaAgora       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_agora_delete_stream_key_async (PaAgora             *self,
                                  const char          *stream_key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (stream_key != NULL);

  key_op_start (self, OP_DELETE, stream_key, pa_agora_delete_stream_key_async,
                cancellable, callback, user_data);
}

gboolean
pa_agora_delete_stream_key_finish (PaAgora       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pa_agora_list_streams_async (PaAgora             *self,
                             const char          *channel,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));

  op = g_new0 (Op, 1);
  op->kind = OP_LIST;
  op->channel = channel != NULL && channel[0] != '\0' ? g_strdup (channel) : NULL;
  op_start (self, op, pa_agora_list_streams_async, cancellable, callback, user_data);
}

GPtrArray *
pa_agora_list_streams_finish (PaAgora       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
