/* pa-http.c — the one HTTP client every platform uses: its settings,
 * breakers and limits, credential lookup and the send calls; each
 * request's attempts are in pa-http-send.c
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-http-private.h"
#include "pa-http.h"

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
  g_clear_object (&self->parent);

  G_OBJECT_CLASS (pa_http_parent_class)->dispose (object);
}

static void
pa_http_finalize (GObject *object)
{
  PaHttp *self = PA_HTTP (object);

  g_free (self->log_run_id);
  g_free (self->log_step_id);
  g_free (self->log_action);

  G_OBJECT_CLASS (pa_http_parent_class)->finalize (object);
}

static void
pa_http_class_init (PaHttpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pa_http_dispose;
  object_class->finalize = pa_http_finalize;

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
  self->backoff_base_us = PA_HTTP_DEFAULT_BACKOFF_BASE_US;
  self->backoff_cap_us = PA_HTTP_DEFAULT_BACKOFF_CAP_US;
  self->max_retry_after_us = PA_HTTP_DEFAULT_MAX_RETRY_AFTER_US;
  self->default_timeout_s = PA_HTTP_DEFAULT_TIMEOUT_S;
  self->body_idle_s = PA_HTTP_DEFAULT_BODY_IDLE_S;
  self->max_response_size = PA_HTTP_DEFAULT_MAX_RESPONSE_SIZE;
  self->breaker_threshold = PA_BREAKER_DEFAULT_THRESHOLD;
  self->breaker_open_us = PA_BREAKER_DEFAULT_OPEN_US;
  self->breakers = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->limiters = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

PaHttp *
pa_http_new (void)
{
  PaHttp *self = g_object_new (PA_TYPE_HTTP, NULL);

  /* TLS certificates are verified against the system store by default;
   * nothing here may weaken that. The session's own I/O timeout is off
   * because every attempt carries its own limit (long streams need more
   * than a fixed 60 s). Made here, not in init, so that a client sending
   * through a parent never makes one. */
  self->session = soup_session_new_with_options ("user-agent", "PlayAlter/" PACKAGE_VERSION,
                                                 "timeout", 0,
                                                 "max-conns", 64,
                                                 "max-conns-per-host", 16,
                                                 NULL);
  return self;
}

PaHttp *
pa_http_new_with_log_context (PaHttp     *parent,
                              const char *run_id,
                              const char *step_id,
                              const char *action)
{
  PaHttp *self;

  g_return_val_if_fail (PA_IS_HTTP (parent), NULL);

  self = g_object_new (PA_TYPE_HTTP, NULL);
  /* Everything is the parent's, its session included. */
  self->parent = g_object_ref (parent->parent != NULL ? parent->parent : parent);
  self->log_run_id = g_strdup (run_id);
  self->log_step_id = g_strdup (step_id);
  self->log_action = g_strdup (action);
  return self;
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
  return self->parent != NULL ? self->parent->session : self->session;
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
pa_http_set_body_idle_timeout (PaHttp *self,
                               guint   seconds)
{
  g_return_if_fail (PA_IS_HTTP (self));
  self->body_idle_s = seconds != 0 ? seconds : PA_HTTP_DEFAULT_BODY_IDLE_S;
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
  return self->parent != NULL ? self->parent->credentials : self->credentials;
}

PaBreaker *
pa_http_get_breaker (PaHttp     *self,
                     const char *key)
{
  PaBreaker *breaker;

  g_return_val_if_fail (PA_IS_HTTP (self), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  if (self->parent != NULL)
    return pa_http_get_breaker (self->parent, key);

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

  if (self->parent != NULL)
    return pa_http_get_rate_limiter (self->parent, key);
  return g_hash_table_lookup (self->limiters, key);
}

/* ---- sending: the attempts themselves are in pa-http-send.c ---------- */

/* One line per attempt, in the debug log and to listeners (which may
 * write it to a database). Only the method, the path without its query,
 * the status and the time: a query, a header or a body may hold a secret. */
void
pa_http_log_attempt (PaHttp   *self,
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

static gboolean credentials_may_go (SendData  *data,
                                    GError   **error);
static void lookup_cb (GObject      *source,
                       GAsyncResult *result,
                       gpointer      user_data);

static void
lookup_field (GTask      *task,
              const char *field)
{
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
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
      pa_http_start_attempt (task);
      return;
    }

  if (error != NULL)
    {
      if (pa_http_caller_cancelled (task))
        pa_http_return_cancelled (task);
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

  /* Optional credentials are checked once found (required ones were
   * checked before the lookup). */
  if (auth.optional && !credentials_may_go (data, &owned_error))
    {
      g_task_return_error (task, g_steal_pointer (&owned_error));
      return;
    }
  pa_http_start_attempt (task);
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
  SendData *data = g_task_get_task_data (task);
  PaHttp *self = data->http;
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

static int
effective_port (GUri *uri)
{
  int port = g_uri_get_port (uri);

  if (port != -1)
    return port;
  return g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") == 0 ? 443 : 80;
}

gboolean
pa_http_uri_same_origin (GUri *a,
                         GUri *b)
{
  return g_ascii_strcasecmp (g_uri_get_scheme (a), g_uri_get_scheme (b)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (a), g_uri_get_host (b)) == 0 &&
         effective_port (a) == effective_port (b);
}

gboolean
pa_http_url_same_origin (const char *a,
                         const char *b)
{
  g_autoptr(GUri) ua = a != NULL ? g_uri_parse (a, SOUP_HTTP_URI_FLAGS, NULL) : NULL;
  g_autoptr(GUri) ub = b != NULL ? g_uri_parse (b, SOUP_HTTP_URI_FLAGS, NULL) : NULL;

  return ua != NULL && ub != NULL && pa_http_uri_same_origin (ua, ub);
}

/* Credentials go in clear only to a loopback host, or to the origin of
 * the base URL a request was explicitly allowed to reach over plain HTTP. */
static gboolean
credentials_may_go (SendData  *data,
                    GError   **error)
{
  g_autofree char *url = g_uri_to_string_partial (data->uri, G_URI_HIDE_PASSWORD);

  if (pa_http_url_is_safe_for_credentials (url))
    return TRUE;
  if (pa_http_request_get_allow_insecure_http (data->request) &&
      pa_http_url_same_origin (pa_http_request_get_base_url (data->request), url))
    return TRUE;

  g_set_error (error, PA_ERROR, PA_ERROR_INSECURE,
               _("The key was not sent to %s: it is a plain http:// address on another machine, "
                 "where anyone on the network could read it. Use its https:// address, or a "
                 "server on this computer; to accept the risk, sign in again with the "
                 "--insecure-http option"),
               data->host);
  return FALSE;
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
fill_log_context (PaHttp        *self,
                  PaHttpRequest *request)
{
  /* Copies: setting the context frees the request's own strings. */
  g_autofree char *run_id = g_strdup (pa_http_request_get_run_id (request));
  g_autofree char *step_id = g_strdup (pa_http_request_get_step_id (request));
  g_autofree char *action = g_strdup (pa_http_request_get_action (request));

  pa_http_request_set_log_context (request,
                                   run_id != NULL ? run_id : self->log_run_id,
                                   step_id != NULL ? step_id : self->log_step_id,
                                   action != NULL ? action : self->log_action);
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
  g_task_set_task_data (task, data, (GDestroyNotify) pa_http_send_data_free);

  /* The task stays ours, so that our _finish accepts it. */
  if (self->parent != NULL)
    {
      fill_log_context (self, request);
      self = self->parent;
    }
  data->http = g_object_ref (self);
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
  data->idle_s = pa_http_request_get_body_idle_timeout (request);
  if (data->idle_s == 0)
    data->idle_s = self->body_idle_s;
  /* A stream may rightly last long (a chat, a download): only its own
   * deadline bounds it as a whole, and the idle timeout keeps it moving. */
  data->deadline_s = pa_http_request_get_deadline (request);
  if (data->deadline_s == 0 && !streaming)
    data->deadline_s = MAX (PA_HTTP_DEFAULT_DEADLINE_S, data->timeout_s);
  if (data->deadline_s > 0)
    data->deadline_us = data->started_at + (gint64) data->deadline_s * G_USEC_PER_SEC;
  data->max_size = pa_http_request_get_max_response_size (request);
  if (data->max_size == 0)
    data->max_size = self->max_response_size;
  data->max_size = MIN (data->max_size, (gsize) G_MAXUINT);   /* GByteArray's limit */
  data->chunk = g_malloc (READ_CHUNK_SIZE);

  data->breaker = g_object_ref (pa_http_get_breaker (self, data->key));
  if (pa_http_get_rate_limiter (self, data->key) != NULL)
    data->limiter = g_object_ref (pa_http_get_rate_limiter (self, data->key));

  pa_http_request_get_auth (request, &auth);
  if (auth.kind != PA_AUTH_NONE && !auth.optional && !credentials_may_go (data, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (auth.kind != PA_AUTH_NONE)
    data->auth_header = g_strdup (auth.header);

  if (auth.kind != PA_AUTH_NONE && auth.deferred)
    {
      lookup_credentials (task);
      return;
    }

  if (auth.kind != PA_AUTH_NONE)
    data->auth_value = g_strdup (auth.value);

  pa_http_start_attempt (task);
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
