/* pa-openai-stream.c — a chat answer streamed as server-sent events
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-json-private.h"
#include "pa-limits.h"
#include "pa-platform-private.h"
#include "pa-openai.h"
#include "pa-openai-private.h"
#include "pa-sse-parser.h"

#define STREAM_READ_SIZE      (16 * 1024)

/* ---- streamed chat ---------------------------------------------------- */

typedef struct {
  PaOpenaiDeltaFunc   delta_func;
  gpointer            delta_data;
  GDestroyNotify      delta_destroy;

  char               *host;
  GInputStream       *stream;
  gboolean            json_answer;   /* the server ignored "stream" */
  GByteArray         *json_buffer;
  gsize               received;      /* bytes of the body so far */
  gsize               max_received;
  PaSseParser        *parser;
  PaOpenaiChatResult *chat;
  GString            *text;

  GCancellable       *caller;
  GCancellable       *read_cancellable;
  gulong              cancel_handler;
  GSource            *idle_source;
  guint               idle_timeout_s;
  gboolean            timed_out;
} StreamData;

static void
stream_data_free (StreamData *data)
{
  if (data->idle_source != NULL)
    {
      g_source_destroy (data->idle_source);
      g_source_unref (data->idle_source);
    }
  if (data->cancel_handler != 0)
    g_cancellable_disconnect (data->caller, data->cancel_handler);
  g_clear_object (&data->caller);
  g_clear_object (&data->read_cancellable);
  if (data->delta_destroy != NULL)
    data->delta_destroy (data->delta_data);
  g_free (data->host);
  g_clear_object (&data->stream);
  g_clear_pointer (&data->json_buffer, g_byte_array_unref);
  g_clear_pointer (&data->parser, pa_sse_parser_free);
  g_clear_pointer (&data->chat, pa_openai_chat_result_free);
  if (data->text != NULL)
    g_string_free (data->text, TRUE);
  g_free (data);
}

static gboolean
caller_cancelled (StreamData *data)
{
  return data->caller != NULL && g_cancellable_is_cancelled (data->caller);
}

static void
return_cancelled (GTask *task)
{
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           "%s", _("The chat was cancelled"));
}

static void
return_chat (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  data->chat->text = g_string_free (g_steal_pointer (&data->text), FALSE);
  g_task_return_pointer (task, g_steal_pointer (&data->chat),
                         (GDestroyNotify) pa_openai_chat_result_free);
}

static void
emit_delta (StreamData *data,
            const char *delta)
{
  g_string_append (data->text, delta);
  if (data->delta_func != NULL)
    data->delta_func (delta, data->delta_data);
}

/* The server's reason, quoted no longer than any peer's message. */
static void
quote_error (GError     **error,
             const char  *host,
             const char  *message)
{
  g_autofree char *start = NULL;
  g_autofree char *quoted = NULL;

  if (message != NULL && g_utf8_strlen (message, -1) > PA_LIMIT_PEER_MESSAGE_CHARS)
    {
      start = g_utf8_substring (message, 0, PA_LIMIT_PEER_MESSAGE_CHARS);
      quoted = g_strconcat (start, "…", NULL);
    }

  g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
               _("%s stopped the answer with an error: %s"), host,
               quoted != NULL ? quoted : message != NULL ? message : _("no reason given"));
}

/* The server may report a failure inside the stream. */
static void
set_stream_error (GError     **error,
                  const char  *host,
                  JsonNode    *node)
{
  const char *message = NULL;

  if (JSON_NODE_HOLDS_OBJECT (node))
    message = pa_json_get_string (json_node_get_object (node), "message");
  else if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    message = json_node_get_string (node);

  quote_error (error, host, message);
}

/* Each event's data is checked like any JSON from a peer before it is
 * parsed: a model's output can nest a hundred thousand brackets. */
static JsonNode *
parse_piece (StreamData  *data,
             const char  *payload,
             GError     **error)
{
  /* Translators: %s is a host name; the message goes on "is not valid
   * JSON", "is too large", … */
  g_autofree char *what = g_strdup_printf (_("A piece of the answer from %s"), data->host);

  return pa_json_parse_bounded (payload, -1, PA_LIMIT_SSE_EVENT_BYTES,
                                PA_ERROR_PROTOCOL, what, error);
}

/* One "data:" payload of the stream. FALSE with @error on a failure. */
static gboolean
handle_chunk (StreamData  *data,
              const char  *payload,
              GError     **error)
{
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object;
  JsonObject *choice;
  JsonNode *error_node;
  const char *content;
  const char *finish_reason;

  root = parse_piece (data, payload, error);
  if (root == NULL)
    return FALSE;
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s sent a malformed piece of the answer (%s)"), data->host,
                   _("not a JSON object"));
      return FALSE;
    }
  object = json_node_get_object (root);

  error_node = json_object_get_member (object, "error");
  if (error_node != NULL && !JSON_NODE_HOLDS_NULL (error_node))
    {
      set_stream_error (error, data->host, error_node);
      return FALSE;
    }

  if (data->chat->model == NULL)
    data->chat->model = g_strdup (pa_json_get_string (object, "model"));
  pa_openai_read_usage (data->chat, pa_json_get_object (object, "usage"));

  /* The usage chunk that ends a stream has no choices. */
  choice = pa_json_array_get_first_object (pa_json_get_array (object, "choices"));
  if (choice == NULL)
    return TRUE;

  content = pa_json_get_string (pa_json_get_object (choice, "delta"), "content");
  if (content != NULL && *content != '\0')
    emit_delta (data, content);

  finish_reason = pa_json_get_string (choice, "finish_reason");
  if (finish_reason != NULL)
    {
      g_free (data->chat->finish_reason);
      data->chat->finish_reason = g_strdup (finish_reason);
    }
  return TRUE;
}

static void read_more (GTask *task);

static gboolean
idle_timeout_cb (gpointer user_data)
{
  StreamData *data = user_data;

  data->timed_out = TRUE;
  g_cancellable_cancel (data->read_cancellable);
  g_clear_pointer (&data->idle_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
arm_idle_timeout (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  if (data->idle_source != NULL)
    {
      g_source_destroy (data->idle_source);
      g_clear_pointer (&data->idle_source, g_source_unref);
    }
  data->idle_source = g_timeout_source_new_seconds (data->idle_timeout_s);
  g_source_set_static_name (data->idle_source, "[playalter] stream idle timeout");
  g_source_set_callback (data->idle_source, idle_timeout_cb, data, NULL);
  g_source_attach (data->idle_source, g_task_get_context (task));
}

/* The whole body came as JSON: a server that does not stream. */
static void
finish_json_answer (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);
  g_autofree char *what = g_strdup_printf (_("The answer from %s"), data->host);
  g_autoptr(PaOpenaiChatResult) chat = NULL;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;

  root = pa_json_parse_bounded ((const char *) data->json_buffer->data,
                                (gssize) data->json_buffer->len, PA_LIMIT_RESPONSE_BYTES,
                                PA_ERROR_PROTOCOL, what, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("%s sent malformed or incomplete JSON (%s)"), data->host,
                               _("not a JSON object"));
      return;
    }

  chat = pa_openai_parse_chat (json_node_get_object (root), data->host, &error);
  if (chat == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (*chat->text != '\0' && data->delta_func != NULL)
    data->delta_func (chat->text, data->delta_data);
  g_task_return_pointer (task, g_steal_pointer (&chat),
                         (GDestroyNotify) pa_openai_chat_result_free);
}

/* Handles every complete event; TRUE when the task has been completed. */
static gboolean
drain_events (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);
  PaSseEvent *event;

  while ((event = pa_sse_parser_pop (data->parser)) != NULL)
    {
      g_autoptr(PaSseEvent) owned = event;
      GError *error = NULL;

      if (g_str_equal (event->data, "[DONE]"))
        {
          return_chat (task);
          return TRUE;
        }
      if (g_str_equal (event->type, "error"))
        {
          g_autoptr(JsonNode) root = parse_piece (data, event->data, NULL);
          JsonNode *node = root;

          if (node != NULL && JSON_NODE_HOLDS_OBJECT (node) &&
              json_object_has_member (json_node_get_object (node), "error"))
            node = json_object_get_member (json_node_get_object (node), "error");
          if (node != NULL)
            set_stream_error (&error, data->host, node);
          else
            quote_error (&error, data->host, event->data);
          g_task_return_error (task, error);
          return TRUE;
        }
      if (!handle_chunk (data, event->data, &error))
        {
          g_task_return_error (task, error);
          return TRUE;
        }
      /* The delta callback may have cancelled. */
      if (caller_cancelled (data))
        {
          return_cancelled (task);
          return TRUE;
        }
    }
  return FALSE;
}

static void
stream_ended (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  if (data->json_answer)
    {
      finish_json_answer (task);
      return;
    }

  /* Some servers close the stream without "[DONE]": an answer that said
   * why it finished is complete all the same. */
  if (data->chat->finish_reason != NULL)
    {
      return_chat (task);
      return;
    }

  g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("The answer from %s stopped before it was complete: try again"),
                           data->host);
}

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  const char *chunk;
  gsize size;

  bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (bytes == NULL)
    {
      if (data->timed_out)
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_TIMEOUT,
                                 _("%s sent nothing for %u s in the middle of the answer: try again later"),
                                 data->host, data->idle_timeout_s);
      else if (caller_cancelled (data))
        return_cancelled (task);
      else if (error->domain == PA_ERROR)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_CONNECTION_LOST,
                                 _("The connection to %s broke during the answer (%s): try again"),
                                 data->host, error->message);
      return;
    }

  chunk = g_bytes_get_data (bytes, &size);
  if (size == 0)
    {
      stream_ended (task);
      return;
    }

  /* However it is cut into events, an answer has an end. */
  if (size > data->max_received - data->received)
    {
      g_autofree char *limit = g_format_size (data->max_received);

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("The answer from %s grew past %s; it was stopped"),
                               data->host, limit);
      return;
    }
  data->received += size;

  if (data->json_answer)
    {
      if (size > PA_LIMIT_RESPONSE_BYTES - data->json_buffer->len)
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                                   _("%s sent a response larger than %.3g MB; it was refused"),
                                   data->host, PA_LIMIT_RESPONSE_BYTES / (1024.0 * 1024.0));
          return;
        }
      g_byte_array_append (data->json_buffer, (const guint8 *) chunk, (guint) size);
    }
  else
    {
      GError *feed_error = NULL;

      if (!pa_sse_parser_feed (data->parser, chunk, size, &feed_error))
        {
          g_task_return_error (task, feed_error);
          return;
        }
      if (drain_events (task))
        return;
    }

  read_more (task);
}

static void
read_more (GTask *task)
{
  StreamData *data = g_task_get_task_data (task);

  arm_idle_timeout (task);
  g_input_stream_read_bytes_async (data->stream, STREAM_READ_SIZE, G_PRIORITY_DEFAULT,
                                   data->read_cancellable, read_cb, g_object_ref (task));
}

static void
read_cancelled_cb (GCancellable *caller,
                   gpointer      read_cancellable)
{
  g_cancellable_cancel (read_cancellable);
}

static void
stream_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaPlatform *self = g_task_get_source_object (task);
  StreamData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;
  const char *content_type;

  response = pa_http_send_stream_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* The stream is not sent through pa_platform_send_async(), so its
   * status has not been checked yet. */
  if (!pa_openai_check_offered (self, response, "/chat/completions", &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (pa_http_response_get_stream (response) == NULL)
    {
      pa_platform_set_protocol_error (&error, data->host, _("no body"));
      g_task_return_error (task, error);
      return;
    }
  data->stream = g_object_ref (pa_http_response_get_stream (response));
  content_type = pa_http_response_get_content_type (response);
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/json") == 0)
    {
      data->json_answer = TRUE;
      data->json_buffer = g_byte_array_new ();
    }

  data->read_cancellable = g_cancellable_new ();
  if (data->caller != NULL)
    data->cancel_handler = g_cancellable_connect (data->caller, G_CALLBACK (read_cancelled_cb),
                                                  g_object_ref (data->read_cancellable),
                                                  g_object_unref);
  read_more (task);
}

void
pa_openai_chat_stream_async (PaOpenai            *self,
                             const char          *model,
                             JsonArray           *messages,
                             double               temperature,
                             guint                max_tokens,
                             PaOpenaiDeltaFunc    delta_func,
                             gpointer             delta_data,
                             GDestroyNotify       delta_destroy,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  g_autoptr(PaHttpRequest) request = NULL;
  GError *error = NULL;
  StreamData *data;

  g_return_if_fail (PA_IS_OPENAI (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_openai_chat_stream_async);
  /* Cancellation is reported as PA_ERROR_CANCELLED, like PaHttp does. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (StreamData, 1);
  data->delta_func = delta_func;
  data->delta_data = delta_data;
  data->delta_destroy = delta_destroy;
  data->host = pa_openai_dup_base_host (self);
  data->parser = pa_sse_parser_new ();
  pa_sse_parser_set_strict_utf8 (data->parser, TRUE);
  data->chat = g_new0 (PaOpenaiChatResult, 1);
  data->text = g_string_new (NULL);
  data->caller = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  data->idle_timeout_s = self->stream_idle_timeout_s;
  data->max_received = self->stream_max_bytes;
  g_task_set_task_data (task, data, (GDestroyNotify) stream_data_free);

  body = pa_openai_chat_body (model, messages, temperature, max_tokens, TRUE, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  request = pa_platform_new_request (PA_PLATFORM (self), "POST", "/chat/completions");
  pa_http_request_set_header (request, "Accept", "text/event-stream");
  pa_http_request_set_json_body (request, body);
  /* A model may think longer than the transport's default allows. */
  pa_http_request_set_body_idle_timeout (request, data->idle_timeout_s);

  pa_http_send_stream_async (pa_platform_get_http (PA_PLATFORM (self)), request, cancellable,
                             stream_sent_cb, g_steal_pointer (&task));
}

PaOpenaiChatResult *
pa_openai_chat_stream_finish (PaOpenai      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_openai_set_stream_idle_timeout (PaOpenai *self,
                                   guint     seconds)
{
  g_return_if_fail (PA_IS_OPENAI (self));
  self->stream_idle_timeout_s = seconds != 0 ? seconds : PA_OPENAI_DEFAULT_STREAM_IDLE_TIMEOUT_S;
}

void
pa_openai_set_stream_max_size (PaOpenai *self,
                               gsize     max_bytes)
{
  g_return_if_fail (PA_IS_OPENAI (self));
  self->stream_max_bytes = max_bytes != 0 ? max_bytes : PA_LIMIT_STREAM_TOTAL_BYTES;
}
