/* pa-http-send.c — one request's attempts: the breaker, the rate limit,
 * sending, reading the answer within its size, timeouts, retries with
 * backoff and Retry-After
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-http-body-stream.h"
#include "pa-http-private.h"
#include "pa-http.h"

/* When an attempt that ended may be sent again. */
typedef enum {
  RETRY_NEVER,
  RETRY_IF_SAFE,   /* the request may have reached the peer */
  RETRY_ALWAYS,    /* nothing was sent: any request may go again */
} RetryWhen;

static void
destroy_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static void
attempt_clear (SendData *data)
{
  destroy_source (&data->timeout_source);
  destroy_source (&data->idle_source);
  if (data->cancel_handler != 0)
    {
      /* Waits for a handler running in another thread to return, so the
       * attempt cancellable it holds stays valid. */
      g_cancellable_disconnect (data->caller, data->cancel_handler);
      data->cancel_handler = 0;
    }
  g_clear_object (&data->attempt_cancellable);
  g_clear_object (&data->stream);
  if (data->message != NULL)
    g_signal_handlers_disconnect_by_data (data->message, data);
  g_clear_object (&data->message);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
  data->timed_out = FALSE;
  data->deadline_hit = FALSE;
  data->idle_timed_out = FALSE;
  data->sent = FALSE;
}

void
pa_http_send_data_free (SendData *data)
{
  attempt_clear (data);
  g_clear_object (&data->request);
  g_clear_object (&data->caller);
  g_free (data->method);
  g_clear_pointer (&data->uri, g_uri_unref);
  g_free (data->host);
  g_free (data->log_path);
  g_free (data->key);
  g_clear_pointer (&data->body, g_bytes_unref);
  g_free (data->content_type);
  g_free (data->auth_header);
  pa_credential_free (data->auth_value);
  pa_credential_free (data->auth_user);
  g_clear_object (&data->http);
  g_clear_object (&data->breaker);
  g_clear_object (&data->limiter);
  g_free (data->chunk);
  g_clear_object (&data->response);
  g_clear_error (&data->error);
  g_free (data);
}

static void refused_by_breaker (GTask  *task,
                                gint64  retry_in_us);

gboolean
pa_http_caller_cancelled (GTask *task)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (task));
}

void
pa_http_return_cancelled (GTask *task)
{
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           "%s", _("The request was cancelled"));
}


static gint64
backoff_delay (PaHttp *self,
               guint   attempt)
{
  gint64 ceiling = self->backoff_base_us;

  /* Full jitter: anywhere between now and the exponential ceiling, so
   * clients that failed together do not retry together. */
  for (guint i = 1; i < attempt && ceiling < self->backoff_cap_us; i++)
    ceiling = ceiling > G_MAXINT64 / 2 ? G_MAXINT64 : ceiling * 2;
  ceiling = MIN (ceiling, self->backoff_cap_us);
  if (ceiling <= 0)
    return 0;
  return (gint64) (g_random_double () * (double) ceiling);
}

static gboolean
status_is_retryable (guint status)
{
  return status == 408 || status == 409 || status == 429 || (status >= 500 && status < 600);
}

static gboolean
status_is_failure (guint status)
{
  return status == 429 || (status >= 500 && status < 600);
}

static gboolean
should_retry_response (PaHttpResponse *response)
{
  const char *hint = pa_http_response_get_header (response, "Stripe-Should-Retry");

  /* The server knows best whether repeating is useful. */
  if (hint != NULL && g_ascii_strcasecmp (hint, "false") == 0)
    return FALSE;
  if (hint != NULL && g_ascii_strcasecmp (hint, "true") == 0)
    return TRUE;
  return status_is_retryable (pa_http_response_get_status (response));
}

static void
finish (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  if (data->response != NULL)
    {
      gint64 ms = (g_get_monotonic_time () - data->started_at) / 1000;

      pa_http_response_set_timing (data->response, ms, data->attempt);
      g_task_return_pointer (task, g_steal_pointer (&data->response), g_object_unref);
    }
  else if (data->error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
    }
  else
    {
      g_assert_not_reached ();
    }
}

static void
retry_slept_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;

  if (!pa_clock_sleep_finish (result, NULL))
    {
      pa_http_return_cancelled (task);
      return;
    }
  pa_http_start_attempt (task);
}

/* The attempt is over and data->response or data->error says how. */
static void
attempt_done (GTask     *task,
              RetryWhen  when)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  gint64 delay;

  attempt_clear (data);

  /* A request that may have reached the peer goes again only when
   * doing it twice is harmless. */
  if (when == RETRY_NEVER || (when == RETRY_IF_SAFE && !data->retry_safe) ||
      data->attempt >= data->max_attempts)
    {
      finish (task);
      return;
    }

  delay = backoff_delay (self, data->attempt);
  if (data->response != NULL)
    {
      gint64 retry_after = pa_http_response_get_retry_after_us (data->response);

      if (retry_after >= 0)
        delay = MAX (delay, MIN (retry_after, self->max_retry_after_us));
    }

  /* No point in waiting to start an attempt the deadline would end. */
  if (data->deadline_us > 0 && g_get_monotonic_time () + delay >= data->deadline_us)
    {
      finish (task);
      return;
    }

  g_debug ("%s %s: retrying in %" G_GINT64_FORMAT " ms",
           data->method, data->log_path, delay / 1000);
  pa_clock_sleep_async (delay, g_task_get_cancellable (task), retry_slept_cb,
                        g_object_ref (task));
}

/* Nothing was sent: the peer cannot have acted on the request. */
static gboolean
error_means_not_sent (SendData *data,
                      GError   *error)
{
  return !data->sent ||
         error->domain == G_RESOLVER_ERROR ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_HOST_UNREACHABLE) ||
         g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE);
}

static void
attempt_failed (GTask  *task,
                GError *error)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  gboolean timed_out = data->timed_out || data->idle_timed_out;
  gboolean reading_body = data->buffer != NULL;
  RetryWhen when = RETRY_IF_SAFE;

  g_clear_object (&data->response);
  g_clear_error (&data->error);

  pa_http_log_attempt (self, data, 0, ms);

  if (!timed_out && pa_http_caller_cancelled (task))
    {
      pa_breaker_release (data->breaker);
      attempt_clear (data);
      pa_http_return_cancelled (task);
      return;
    }

  pa_breaker_record_failure (data->breaker);

  if (data->deadline_hit)
    {
      g_set_error (&data->error, PA_ERROR, PA_ERROR_TIMEOUT,
                   _("%s did not finish answering within %u s: try again later"),
                   data->host, data->deadline_s);
      when = RETRY_NEVER;
    }
  else if (data->idle_timed_out)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_TIMEOUT,
                 _("%s sent nothing for %u s in the middle of its answer: try again later"),
                 data->host, data->idle_s);
  else if (data->timed_out && !data->sent)
    {
      g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                   _("Could not reach %s within %u s: check the network connection and the base URL"),
                   data->host, data->timeout_s);
      when = RETRY_ALWAYS;
    }
  else if (data->timed_out)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_TIMEOUT,
                 _("%s did not answer within %u s: try again later"),
                 data->host, data->timeout_s);
  else if (error->domain == G_TLS_ERROR)
    {
      /* A certificate that does not verify will not verify next time
       * either, and going on without it would give the key away. */
      g_set_error (&data->error, PA_ERROR, PA_ERROR_INSECURE,
                   _("The connection to %s could not be made secure (%s): check the base URL and the system time"),
                   data->host, error->message);
      when = RETRY_NEVER;
    }
  else if (g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_TOO_MANY_REDIRECTS) ||
           g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_REDIRECT_NO_LOCATION) ||
           g_error_matches (error, SOUP_SESSION_ERROR, SOUP_SESSION_ERROR_REDIRECT_BAD_URI))
    {
      /* A loop or a broken redirect stays so: sending again only goes
       * round it once more. */
      g_set_error (&data->error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s redirected the request in a loop or to an unusable address (%s): check the base URL"),
                   data->host, error->message);
      when = RETRY_NEVER;
    }
  else if (error->domain == SOUP_SESSION_ERROR && data->sent)
    {
      g_set_error (&data->error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s sent an answer that is not valid HTTP (%s)"),
                   data->host, error->message);
      when = RETRY_NEVER;
    }
  else if (error_means_not_sent (data, error))
    {
      if (error->domain == G_RESOLVER_ERROR)
        g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                     _("Could not find %s (%s): check the network connection and the base URL"),
                     data->host, error->message);
      else
        g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                     _("Could not reach %s (%s): check the network connection and the base URL"),
                     data->host, error->message);
      when = RETRY_ALWAYS;
    }
  else if (reading_body)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_CONNECTION_LOST,
                 _("The connection to %s broke in the middle of its answer (%s): try again"),
                 data->host, error->message);
  else
    g_set_error (&data->error, PA_ERROR, PA_ERROR_CONNECTION_LOST,
                 _("%s closed the connection without answering (%s): try again"),
                 data->host, error->message);

  attempt_done (task, when);
}

static void
attempt_too_large (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  double megabytes = (double) data->max_size / (1024.0 * 1024.0);

  pa_http_log_attempt (self, data, status, ms);

  if (status_is_failure (status))
    pa_breaker_record_failure (data->breaker);
  else
    pa_breaker_record_success (data->breaker);

  g_clear_object (&data->response);
  g_clear_error (&data->error);
  g_set_error (&data->error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("%s sent a response larger than %.3g MB; it was refused"),
               data->host, megabytes);
  attempt_done (task, RETRY_NEVER);
}

static void
attempt_got_response (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  g_autoptr(GBytes) body = NULL;

  pa_http_log_attempt (self, data, status, ms);

  if (status_is_failure (status))
    pa_breaker_record_failure (data->breaker);
  else
    pa_breaker_record_success (data->breaker);

  body = g_byte_array_free_to_bytes (g_steal_pointer (&data->buffer));
  g_clear_object (&data->response);
  g_clear_error (&data->error);
  data->response = pa_http_response_new (status,
                                         soup_message_get_response_headers (data->message),
                                         body, data->host);

  attempt_done (task, should_retry_response (data->response) ? RETRY_IF_SAFE : RETRY_NEVER);
}

/* A 2xx answer to pa_http_send_stream_async(): the caller reads the body. */
static void
attempt_got_stream (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  g_autoptr(GInputStream) raw = g_steal_pointer (&data->stream);
  g_autoptr(GInputStream) stream = NULL;

  pa_http_log_attempt (self, data, status, ms);
  pa_breaker_record_success (data->breaker);

  g_clear_object (&data->response);
  g_clear_error (&data->error);
  data->response = pa_http_response_new (status,
                                         soup_message_get_response_headers (data->message),
                                         NULL, data->host);
  /* The caller reads it long after this attempt's timers are gone. */
  stream = pa_http_body_stream_new (raw, data->host, data->idle_s, data->deadline_us,
                                    data->deadline_s);
  pa_http_response_set_stream (data->response, stream);
  attempt_done (task, RETRY_NEVER);
}

static void read_next (GTask *task);

static void
read_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  gssize n;

  destroy_source (&data->idle_source);
  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      attempt_failed (task, error);
      return;
    }
  if (n == 0)
    {
      attempt_got_response (task);
      return;
    }

  if ((gsize) n > data->max_size - data->buffer->len)
    {
      attempt_too_large (task);
      return;
    }

  g_byte_array_append (data->buffer, data->chunk, (guint) n);
  read_next (task);
}

static gboolean
idle_timeout_cb (gpointer user_data)
{
  SendData *data = user_data;

  data->idle_timed_out = TRUE;
  g_cancellable_cancel (data->attempt_cancellable);
  g_clear_pointer (&data->idle_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
read_next (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  /* A body may take long as a whole, but must not stall. */
  data->idle_source = g_timeout_source_new ((guint) MIN ((guint64) data->idle_s * 1000, G_MAXUINT));
  g_source_set_static_name (data->idle_source, "[playalter] body idle timeout");
  g_source_set_callback (data->idle_source, idle_timeout_cb, data, NULL);
  g_source_attach (data->idle_source, g_task_get_context (task));

  g_input_stream_read_async (data->stream, data->chunk, READ_CHUNK_SIZE,
                             G_PRIORITY_DEFAULT, data->attempt_cancellable,
                             read_cb, g_object_ref (task));
}

static void
sent_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  SoupMessageHeaders *headers;

  data->stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->stream == NULL)
    {
      attempt_failed (task, error);
      return;
    }

  /* Refuse a declared oversize body before reading any of it; a chunked
   * or lying one is caught while reading. */
  headers = soup_message_get_response_headers (data->message);
  if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH &&
      !g_str_equal (data->method, "HEAD") &&
      (guint64) soup_message_headers_get_content_length (headers) > (guint64) data->max_size)
    {
      attempt_too_large (task);
      return;
    }

  if (data->streaming && SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (data->message)))
    {
      attempt_got_stream (task);
      return;
    }

  data->buffer = g_byte_array_new ();
  read_next (task);
}

static gboolean
attempt_timeout_cb (gpointer user_data)
{
  SendData *data = user_data;

  data->timed_out = TRUE;
  /* Timers round to the millisecond: allow for it. */
  data->deadline_hit = data->deadline_us > 0 &&
                       g_get_monotonic_time () >= data->deadline_us - 10 * 1000;
  g_cancellable_cancel (data->attempt_cancellable);
  g_clear_pointer (&data->timeout_source, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      attempt_cancellable)
{
  g_cancellable_cancel (attempt_cancellable);
}

/* libsoup follows redirects with the same headers: credentials must not
 * follow one to another origin. */
static void
message_restarted_cb (SoupMessage *message,
                      gpointer     user_data)
{
  SendData *data = user_data;

  if (data->auth_header != NULL && !pa_http_uri_same_origin (soup_message_get_uri (message), data->uri))
    soup_message_headers_remove (soup_message_get_request_headers (message),
                                 data->auth_header);
}

static void
wrote_headers_cb (SoupMessage *message,
                  gpointer     user_data)
{
  SendData *data = user_data;

  data->sent = TRUE;
}

static void
send_now (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
  SoupMessageHeaders *headers;
  GPtrArray *extra;
  const char *idempotency_key;
  gint64 timeout_ms = (gint64) data->timeout_s * 1000;

  data->message = soup_message_new_from_uri (data->method, data->uri);
  g_signal_connect (data->message, "wrote-headers", G_CALLBACK (wrote_headers_cb), data);
  headers = soup_message_get_request_headers (data->message);

  extra = pa_http_request_get_headers (data->request);
  for (guint i = 0; i + 1 < extra->len; i += 2)
    soup_message_headers_replace (headers, extra->pdata[i], extra->pdata[i + 1]);

  /* Every attempt carries the same key, so the server applies the
   * operation at most once however many times it is sent. */
  idempotency_key = pa_http_request_get_idempotency_key (data->request);
  if (idempotency_key != NULL)
    soup_message_headers_replace (headers, "Idempotency-Key", idempotency_key);

  if (data->auth_header != NULL && data->auth_value != NULL)
    {
      soup_message_headers_replace (headers, data->auth_header, data->auth_value);
      g_signal_connect (data->message, "restarted",
                        G_CALLBACK (message_restarted_cb), data);
    }

  if (data->body != NULL)
    soup_message_set_request_body_from_bytes (data->message, data->content_type, data->body);

  data->attempt_cancellable = g_cancellable_new ();
  if (data->caller != NULL)
    {
      data->cancel_handler = g_cancellable_connect (data->caller, G_CALLBACK (caller_cancelled_cb),
                                                    g_object_ref (data->attempt_cancellable),
                                                    g_object_unref);
    }

  if (data->deadline_us > 0)
    {
      gint64 left_ms = MAX ((data->deadline_us - g_get_monotonic_time ()) / 1000, 0);

      timeout_ms = MIN (timeout_ms, left_ms);
    }
  data->timeout_source = g_timeout_source_new ((guint) MIN (timeout_ms, (gint64) G_MAXUINT));
  g_source_set_static_name (data->timeout_source, "[playalter] request timeout");
  g_source_set_callback (data->timeout_source, attempt_timeout_cb, data, NULL);
  g_source_attach (data->timeout_source, g_task_get_context (task));

  data->attempt_started_at = g_get_monotonic_time ();
  soup_session_send_async (self->session, data->message, G_PRIORITY_DEFAULT,
                           data->attempt_cancellable, sent_cb, g_object_ref (task));
}

static void
limiter_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  gint64 retry_in = 0;

  if (!pa_rate_limiter_acquire_finish (PA_RATE_LIMITER (source), result, NULL))
    {
      pa_http_return_cancelled (task);
      return;
    }

  /* The breaker may have opened during the wait. */
  if (!pa_breaker_allow (data->breaker, &retry_in))
    {
      refused_by_breaker (task, retry_in);
      return;
    }
  send_now (task);
}

static void
return_circuit_open (GTask *task,
                     gint64 retry_in_us)
{
  SendData *data = g_task_get_task_data (task);
  int seconds = (int) MIN ((retry_in_us + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC, G_MAXINT);

  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CIRCUIT_OPEN,
                           _("Requests to %s are paused for %d s after repeated failures"),
                           data->key, MAX (seconds, 1));
}

/* The breaker refused this attempt: the first one fails fast, a retry
 * ends with what the previous attempt got. */
static void
refused_by_breaker (GTask  *task,
                    gint64  retry_in_us)
{
  SendData *data = g_task_get_task_data (task);

  if (data->response == NULL && data->error == NULL)
    {
      if (retry_in_us <= 0)
        retry_in_us = MAX (pa_breaker_get_retry_in (data->breaker), 1);
      return_circuit_open (task, retry_in_us);
      return;
    }
  data->attempt--;
  finish (task);
}

void
pa_http_start_attempt (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  gint64 retry_in = 0;

  if (pa_http_caller_cancelled (task))
    {
      pa_http_return_cancelled (task);
      return;
    }

  data->attempt++;

  /* With a rate limit, only peek now (no token is spent on a request
   * the breaker would refuse) and ask for admission after the wait. */
  if (data->limiter == NULL ? !pa_breaker_allow (data->breaker, &retry_in)
                            : pa_breaker_get_state (data->breaker) == PA_BREAKER_OPEN)
    {
      refused_by_breaker (task, retry_in);
      return;
    }

  if (data->limiter != NULL)
    {
      pa_rate_limiter_acquire_async (data->limiter, g_task_get_cancellable (task),
                                     limiter_cb, g_object_ref (task));
      return;
    }

  send_now (task);
}
