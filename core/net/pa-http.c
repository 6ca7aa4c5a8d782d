/* pa-http.c — the one HTTP client every platform uses
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-http-private.h"
#include "pa-http.h"

#define READ_CHUNK_SIZE (64 * 1024)

struct _PaHttp
{
  GObject      parent_instance;

  SoupSession *session;

  gint64       backoff_base_us;
  gint64       backoff_cap_us;
  gint64       max_retry_after_us;
  guint        default_timeout_s;
  gsize        max_response_size;

  PaClockFunc  clock_func;
  gpointer     clock_data;

  PaCredentialProvider *credentials;

  GHashTable  *breakers;   /* key → PaBreaker */
  GHashTable  *limiters;   /* key → PaRateLimiter */
  guint        breaker_threshold;
  gint64       breaker_open_us;
};

G_DEFINE_FINAL_TYPE (PaHttp, pa_http, G_TYPE_OBJECT)

enum {
  REQUEST_LOGGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
pa_http_dispose (GObject *object)
{
  PaHttp *self = PA_HTTP (object);

  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->credentials);
  g_clear_pointer (&self->breakers, g_hash_table_unref);
  g_clear_pointer (&self->limiters, g_hash_table_unref);

  G_OBJECT_CLASS (pa_http_parent_class)->dispose (object);
}

static void
pa_http_class_init (PaHttpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pa_http_dispose;

  signals[REQUEST_LOGGED] =
    g_signal_new ("request-logged",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 7,
                  PA_TYPE_HTTP_REQUEST,
                  G_TYPE_STRING,   /* key */
                  G_TYPE_STRING,   /* method */
                  G_TYPE_STRING,   /* path, no query */
                  G_TYPE_UINT,     /* status, 0 = no response */
                  G_TYPE_INT64,    /* duration in ms */
                  G_TYPE_UINT);    /* attempt, from 1 */
}

static void
pa_http_init (PaHttp *self)
{
  /* TLS certificates are verified against the system store by default;
   * nothing here may weaken that. The session's own I/O timeout is off
   * because every attempt carries its own limit (long streams need more
   * than a fixed 60 s). */
  self->session = soup_session_new_with_options ("user-agent", "PlayAlter/" PACKAGE_VERSION,
                                                 "timeout", 0,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 16,
                                                 NULL);
  self->backoff_base_us = PA_HTTP_DEFAULT_BACKOFF_BASE_US;
  self->backoff_cap_us = PA_HTTP_DEFAULT_BACKOFF_CAP_US;
  self->max_retry_after_us = PA_HTTP_DEFAULT_MAX_RETRY_AFTER_US;
  self->default_timeout_s = PA_HTTP_DEFAULT_TIMEOUT_S;
  self->max_response_size = PA_HTTP_DEFAULT_MAX_RESPONSE_SIZE;
  self->breaker_threshold = PA_BREAKER_DEFAULT_THRESHOLD;
  self->breaker_open_us = PA_BREAKER_DEFAULT_OPEN_US;
  self->breakers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->limiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

PaHttp *
pa_http_new (void)
{
  return g_object_new (PA_TYPE_HTTP, NULL);
}

PaHttp *
pa_http_get_default (void)
{
  static PaHttp *default_http;

  if (g_once_init_enter (&default_http))
    g_once_init_leave (&default_http, pa_http_new ());

  return default_http;
}

SoupSession *
pa_http_get_session (PaHttp *self)
{
  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  return self->session;
}

void
pa_http_set_backoff (PaHttp *self,
                     gint64  base_us,
                     gint64  cap_us)
{
  g_return_if_fail (PA_IS_HTTP (self));

  self->backoff_base_us = MAX (base_us, 0);
  self->backoff_cap_us = MAX (cap_us, self->backoff_base_us);
}

void
pa_http_set_max_retry_after (PaHttp *self,
                             gint64  max_retry_after_us)
{
  g_return_if_fail (PA_IS_HTTP (self));
  self->max_retry_after_us = MAX (max_retry_after_us, 0);
}

void
pa_http_set_default_timeout (PaHttp *self,
                             guint   seconds)
{
  g_return_if_fail (PA_IS_HTTP (self));
  self->default_timeout_s = seconds != 0 ? seconds : PA_HTTP_DEFAULT_TIMEOUT_S;
}

void
pa_http_set_max_response_size (PaHttp *self,
                               gsize   max_bytes)
{
  g_return_if_fail (PA_IS_HTTP (self));
  self->max_response_size = max_bytes != 0 ? max_bytes : PA_HTTP_DEFAULT_MAX_RESPONSE_SIZE;
}

void
pa_http_set_clock (PaHttp      *self,
                   PaClockFunc  func,
                   gpointer     data)
{
  GHashTableIter iter;
  gpointer value;

  g_return_if_fail (PA_IS_HTTP (self));

  self->clock_func = func;
  self->clock_data = data;

  g_hash_table_iter_init (&iter, self->breakers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    pa_breaker_set_clock (value, func, data);
  g_hash_table_iter_init (&iter, self->limiters);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    pa_rate_limiter_set_clock (value, func, data);
}

void
pa_http_set_credential_provider (PaHttp               *self,
                                 PaCredentialProvider *provider)
{
  g_return_if_fail (PA_IS_HTTP (self));
  g_return_if_fail (provider == NULL || PA_IS_CREDENTIAL_PROVIDER (provider));

  g_set_object (&self->credentials, provider);
}

PaCredentialProvider *
pa_http_get_credential_provider (PaHttp *self)
{
  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  return self->credentials;
}

PaBreaker *
pa_http_get_breaker (PaHttp     *self,
                     const char *key)
{
  PaBreaker *breaker;

  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  breaker = g_hash_table_lookup (self->breakers, key);
  if (breaker == NULL)
    {
      breaker = pa_breaker_new (self->breaker_threshold, self->breaker_open_us);
      pa_breaker_set_clock (breaker, self->clock_func, self->clock_data);
      g_hash_table_insert (self->breakers, g_strdup (key), breaker);
    }
  return breaker;
}

void
pa_http_set_breaker_config (PaHttp *self,
                            guint   threshold,
                            gint64  open_us)
{
  g_return_if_fail (PA_IS_HTTP (self));

  /* Breakers hold state (counts, open periods): new settings apply to
   * the keys first used after this call. */
  self->breaker_threshold = MAX (threshold, 1u);
  self->breaker_open_us = MAX (open_us, (gint64) 0);
  g_hash_table_remove_all (self->breakers);
}

void
pa_http_set_rate_limit (PaHttp     *self,
                        const char *key,
                        double      rate,
                        double      burst)
{
  PaRateLimiter *limiter;

  g_return_if_fail (PA_IS_HTTP (self));
  g_return_if_fail (key != NULL);

  if (!(rate > 0))
    {
      g_hash_table_remove (self->limiters, key);
      return;
    }

  limiter = g_hash_table_lookup (self->limiters, key);
  if (limiter != NULL)
    {
      pa_rate_limiter_set_rate (limiter, rate, burst);
      return;
    }

  limiter = pa_rate_limiter_new (rate, burst);
  pa_rate_limiter_set_clock (limiter, self->clock_func, self->clock_data);
  g_hash_table_insert (self->limiters, g_strdup (key), limiter);
}

PaRateLimiter *
pa_http_get_rate_limiter (PaHttp     *self,
                          const char *key)
{
  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return g_hash_table_lookup (self->limiters, key);
}

/* ---- sending ---------------------------------------------------------- */

typedef struct {
  PaHttpRequest  *request;
  char           *method;
  GUri           *uri;
  char           *host;          /* host[:port], for messages */
  char           *log_path;      /* path only: never the query */
  char           *key;
  GBytes         *body;
  char           *content_type;
  char           *auth_header;
  char           *auth_value;    /* secret: wiped */
  char           *auth_user;     /* deferred Basic: first half, wiped */

  guint           attempt;
  guint           max_attempts;
  gsize           max_size;
  guint           timeout_s;
  gboolean        retry_safe;
  gboolean        streaming;     /* hand a 2xx body over unread */
  gint64          started_at;
  GCancellable   *caller;        /* the caller's, may be NULL */

  PaBreaker      *breaker;
  PaRateLimiter  *limiter;

  /* The attempt in flight. */
  SoupMessage    *message;
  GCancellable   *attempt_cancellable;
  gulong          cancel_handler;
  GSource        *timeout_source;
  gboolean        timed_out;
  GInputStream   *stream;
  GByteArray     *buffer;
  guint8         *chunk;
  gint64          attempt_started_at;

  /* What the last attempt ended with. */
  PaHttpResponse *response;
  GError         *error;
} SendData;

static void
attempt_clear (SendData *data)
{
  if (data->timeout_source != NULL)
    {
      g_source_destroy (data->timeout_source);
      g_clear_pointer (&data->timeout_source, g_source_unref);
    }
  if (data->cancel_handler != 0)
    {
      /* Waits for a handler running in another thread to return, so the
       * attempt cancellable it holds stays valid. */
      g_cancellable_disconnect (data->caller, data->cancel_handler);
      data->cancel_handler = 0;
    }
  g_clear_object (&data->attempt_cancellable);
  g_clear_object (&data->stream);
  g_clear_object (&data->message);
  g_clear_pointer (&data->buffer, g_byte_array_unref);
  data->timed_out = FALSE;
}

static void
send_data_free (SendData *data)
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
  g_clear_object (&data->breaker);
  g_clear_object (&data->limiter);
  g_free (data->chunk);
  g_clear_object (&data->response);
  g_clear_error (&data->error);
  g_free (data);
}

static void start_attempt      (GTask  *task);
static void refused_by_breaker (GTask  *task,
                                gint64  retry_in_us);

static gboolean
caller_cancelled (GTask *task)
{
  return g_cancellable_is_cancelled (g_task_get_cancellable (task));
}

static void
return_cancelled (GTask *task)
{
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           "%s", _("The request was cancelled"));
}

/* One line per attempt, in the debug log and to listeners (which may
 * write it to a database). Only the method, the path without its query,
 * the status and the time: a query, a header or a body may hold a secret. */
static void
log_attempt (PaHttp   *self,
             SendData *data,
             guint     status,
             gint64    duration_ms)
{
  if (status != 0)
    g_debug ("%s %s %u %" G_GINT64_FORMAT "ms (%s, attempt %u)",
             data->method, data->log_path, status, duration_ms, data->key, data->attempt);
  else
    g_debug ("%s %s --- %" G_GINT64_FORMAT "ms (%s, attempt %u, no response)",
             data->method, data->log_path, duration_ms, data->key, data->attempt);

  g_signal_emit (self, signals[REQUEST_LOGGED], 0, data->request,
                 data->key, data->method, data->log_path, status, duration_ms, data->attempt);
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
      return_cancelled (task);
      return;
    }
  start_attempt (task);
}

/* The attempt is over and data->response or data->error says how. */
static void
attempt_done (GTask    *task,
              gboolean  retryable)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gint64 delay;

  attempt_clear (data);

  if (!retryable || !data->retry_safe || data->attempt >= data->max_attempts)
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

  g_debug ("%s %s: retrying in %" G_GINT64_FORMAT " ms",
           data->method, data->log_path, delay / 1000);
  pa_clock_sleep_async (delay, g_task_get_cancellable (task), retry_slept_cb,
                        g_object_ref (task));
}

static void
attempt_failed (GTask  *task,
                GError *error)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  gboolean timed_out = data->timed_out;

  g_clear_object (&data->response);
  g_clear_error (&data->error);

  log_attempt (self, data, 0, ms);

  if (!timed_out && caller_cancelled (task))
    {
      pa_breaker_release (data->breaker);
      attempt_clear (data);
      return_cancelled (task);
      return;
    }

  pa_breaker_record_failure (data->breaker);

  if (timed_out)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_TIMEOUT,
                 _("%s did not answer within %u s: try again later"),
                 data->host, data->timeout_s);
  else if (error->domain == G_TLS_ERROR)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                 _("Could not connect securely to %s (%s): check the base URL and the system time"),
                 data->host, error->message);
  else if (error->domain == G_RESOLVER_ERROR)
    g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                 _("Could not find %s (%s): check the network connection and the base URL"),
                 data->host, error->message);
  else
    g_set_error (&data->error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                 _("Could not reach %s (%s): check the network connection and the base URL"),
                 data->host, error->message);

  attempt_done (task, TRUE);
}

static void
attempt_too_large (GTask *task)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  double megabytes = (double) data->max_size / (1024.0 * 1024.0);

  log_attempt (self, data, status, ms);

  if (status_is_failure (status))
    pa_breaker_record_failure (data->breaker);
  else
    pa_breaker_record_success (data->breaker);

  g_clear_object (&data->response);
  g_clear_error (&data->error);
  g_set_error (&data->error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("%s sent a response larger than %.3g MB; it was refused"),
               data->host, megabytes);
  attempt_done (task, FALSE);
}

static void
attempt_got_response (GTask *task)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  g_autoptr(GBytes) body = NULL;

  log_attempt (self, data, status, ms);

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

  attempt_done (task, should_retry_response (data->response));
}

/* A 2xx answer to pa_http_send_stream_async(): the caller reads the body. */
static void
attempt_got_stream (GTask *task)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  gint64 ms = (g_get_monotonic_time () - data->attempt_started_at) / 1000;
  guint status = soup_message_get_status (data->message);
  g_autoptr(GInputStream) stream = g_steal_pointer (&data->stream);

  log_attempt (self, data, status, ms);
  pa_breaker_record_success (data->breaker);

  g_clear_object (&data->response);
  g_clear_error (&data->error);
  data->response = pa_http_response_new (status,
                                         soup_message_get_response_headers (data->message),
                                         NULL, data->host);
  pa_http_response_set_stream (data->response, stream);
  attempt_done (task, FALSE);
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

static void
read_next (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

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

static gboolean
same_origin (GUri *a,
             GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         g_uri_get_port (a) == g_uri_get_port (b);
}

/* libsoup follows redirects with the same headers: credentials must not
 * follow one to another origin. */
static void
message_restarted_cb (SoupMessage *message,
                      gpointer     user_data)
{
  SendData *data = user_data;

  if (data->auth_header != NULL && !same_origin (soup_message_get_uri (message), data->uri))
    soup_message_headers_remove (soup_message_get_request_headers (message),
                                 data->auth_header);
}

static void
send_now (GTask *task)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers;
  GPtrArray *extra;
  const char *idempotency_key;

  data->message = soup_message_new_from_uri (data->method, data->uri);
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

  data->timeout_source = g_timeout_source_new ((guint) MIN ((guint64) data->timeout_s * 1000,
                                                            G_MAXUINT));
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
      return_cancelled (task);
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

static void
start_attempt (GTask *task)
{
  SendData *data = g_task_get_task_data (task);
  gint64 retry_in = 0;

  if (caller_cancelled (task))
    {
      return_cancelled (task);
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

static void lookup_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data);

static void
lookup_field (GTask      *task,
              const char *field)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  PaHttpAuth auth;

  pa_http_request_get_auth (data->request, &auth);
  pa_credential_provider_lookup_async (self->credentials, auth.scope, auth.profile, field,
                                       g_task_get_cancellable (task), lookup_cb,
                                       g_object_ref (task));
}

/* One field of deferred credentials came back: @secret, or @error saying
 * why not. Both are taken. */
static void
got_credential (GTask  *task,
                char   *secret,
                GError *error)
{
  SendData *data = g_task_get_task_data (task);
  g_autoptr(PaCredentialString) owned = secret;
  g_autoptr(GError) owned_error = error;
  PaHttpAuth auth;

  pa_http_request_get_auth (data->request, &auth);

  /* Nothing stored, or no store at all: a server that needs no key (a
   * local one) must still work. A store that refused (a locked keyring)
   * may hold the key, so that stays an error the user can act on. */
  if (auth.optional &&
      (g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND) ||
       g_error_matches (error, PA_ERROR, PA_ERROR_UNAVAILABLE)))
    {
      g_debug ("No credentials (%s); sending without them, which are optional here",
               error->message);
      g_clear_pointer (&data->auth_header, g_free);
      pa_credential_free (g_steal_pointer (&data->auth_user));
      start_attempt (task);
      return;
    }

  if (error != NULL)
    {
      if (caller_cancelled (task))
        return_cancelled (task);
      else if (g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
        /* For the request, a missing key is an authentication failure;
         * the provider's message says how to add it. */
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_AUTH, "%s", error->message);
      else
        g_task_return_error (task, g_steal_pointer (&owned_error));
      return;
    }

  switch (auth.kind)
    {
    case PA_AUTH_BEARER:
      data->auth_value = g_strconcat ("Bearer ", secret, NULL);
      break;
    case PA_AUTH_HEADER:
      data->auth_value = g_steal_pointer (&owned);
      break;
    case PA_AUTH_BASIC:
      if (data->auth_user == NULL)
        {
          data->auth_user = g_steal_pointer (&owned);
          lookup_field (task, auth.field2);
          return;
        }
      data->auth_value = pa_http_basic_auth_value (data->auth_user, secret);
      pa_credential_free (g_steal_pointer (&data->auth_user));
      break;
    case PA_AUTH_NONE:
    default:
      g_assert_not_reached ();
    }

  start_attempt (task);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = pa_credential_provider_lookup_finish (PA_CREDENTIAL_PROVIDER (source), result, &error);
  if (secret == NULL && error == NULL)
    {
      /* A provider that says nothing has nothing. */
      g_set_error_literal (&error, PA_ERROR, PA_ERROR_NOT_FOUND,
                           _("No credentials are stored for this request"));
    }
  got_credential (task, secret, error);
}

static void
lookup_credentials (GTask *task)
{
  PaHttp *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  PaHttpAuth auth;

  pa_http_request_get_auth (data->request, &auth);
  if (self->credentials == NULL)
    {
      got_credential (task, NULL,
                      g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                                   _("No credential store is set up to look up the key for “%s”"),
                                   auth.scope));
      return;
    }
  lookup_field (task, auth.field);
}

static char *
host_and_port (GUri *uri)
{
  int port = g_uri_get_port (uri);
  const char *scheme = g_uri_get_scheme (uri);
  gboolean default_port = port == -1 ||
                          (port == 80 && g_ascii_strcasecmp (scheme, "http") == 0) ||
                          (port == 443 && g_ascii_strcasecmp (scheme, "https") == 0);

  if (default_port)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
}

static void
send_async (PaHttp              *self,
            PaHttpRequest       *request,
            gboolean             streaming,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  const char *content_type = NULL;
  const char *key;
  const char *path;
  SendData *data;
  PaHttpAuth auth;

  g_return_if_fail (PA_IS_HTTP (self));
  g_return_if_fail (PA_IS_HTTP_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, streaming ? (gpointer) pa_http_send_stream_async
                                         : (gpointer) pa_http_send_async);
  /* Cancellation is reported as PA_ERROR_CANCELLED, by us. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (SendData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);

  data->request = g_object_ref (request);
  data->streaming = streaming;
  data->caller = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  data->method = g_strdup (pa_http_request_get_method (request));
  data->started_at = g_get_monotonic_time ();

  url = pa_http_request_build_url (request, &error);
  if (url != NULL)
    data->uri = g_uri_parse (url, SOUP_HTTP_URI_FLAGS, &error);
  if (data->uri == NULL)
    {
      if (error->domain != PA_ERROR)
        {
          g_clear_error (&error);
          g_set_error_literal (&error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("The request address is not a valid URL; check the base URL"));
        }
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->host = host_and_port (data->uri);
  path = g_uri_get_path (data->uri);
  data->log_path = g_strdup (path != NULL && *path != '\0' ? path : "/");
  key = pa_http_request_get_breaker_key (request);
  data->key = g_strdup (key != NULL ? key : g_uri_get_host (data->uri));

  data->body = pa_http_request_dup_body (request, &content_type, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->content_type = g_strdup (content_type);

  data->max_attempts = MAX (pa_http_request_get_max_attempts (request), 1u);
  data->retry_safe = pa_http_request_is_retry_safe (request);
  data->timeout_s = pa_http_request_get_timeout (request);
  if (data->timeout_s == 0)
    data->timeout_s = self->default_timeout_s;
  data->max_size = pa_http_request_get_max_response_size (request);
  if (data->max_size == 0)
    data->max_size = self->max_response_size;
  data->max_size = MIN (data->max_size, (gsize) G_MAXUINT);   /* GByteArray's limit */
  data->chunk = g_malloc (READ_CHUNK_SIZE);

  data->breaker = g_object_ref (pa_http_get_breaker (self, data->key));
  if (pa_http_get_rate_limiter (self, data->key) != NULL)
    data->limiter = g_object_ref (pa_http_get_rate_limiter (self, data->key));

  pa_http_request_get_auth (request, &auth);
  if (auth.kind != PA_AUTH_NONE)
    data->auth_header = g_strdup (auth.header);

  if (auth.kind != PA_AUTH_NONE && auth.deferred)
    {
      lookup_credentials (task);
      return;
    }

  if (auth.kind != PA_AUTH_NONE)
    data->auth_value = g_strdup (auth.value);

  start_attempt (task);
}

void
pa_http_send_async (PaHttp              *self,
                    PaHttpRequest       *request,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  send_async (self, request, FALSE, cancellable, callback, user_data);
}

PaHttpResponse *
pa_http_send_finish (PaHttp        *self,
                     GAsyncResult  *result,
                     GError       **error)
{
  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_http_send_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_http_send_stream_async (PaHttp              *self,
                           PaHttpRequest       *request,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  send_async (self, request, TRUE, cancellable, callback, user_data);
}

PaHttpResponse *
pa_http_send_stream_finish (PaHttp        *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_http_send_stream_async,
                        NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
