/* pa-http.h — the one HTTP client every platform uses
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "pa-breaker.h"
#include "pa-clock.h"
#include "pa-credential-provider.h"
#include "pa-http-request.h"
#include "pa-http-response.h"
#include "pa-rate-limiter.h"

G_BEGIN_DECLS

#define PA_HTTP_DEFAULT_TIMEOUT_S          60
#define PA_HTTP_DEFAULT_MAX_RESPONSE_SIZE  (32 * 1024 * 1024)
#define PA_HTTP_DEFAULT_BACKOFF_BASE_US    (500 * 1000)
#define PA_HTTP_DEFAULT_BACKOFF_CAP_US     (20 * G_USEC_PER_SEC)
#define PA_HTTP_DEFAULT_MAX_RETRY_AFTER_US (60 * G_USEC_PER_SEC)

#define PA_TYPE_HTTP (pa_http_get_type ())
G_DECLARE_FINAL_TYPE (PaHttp, pa_http, PA, HTTP, GObject)

/* Signal "request-logged", once per attempt, also written with g_debug()
 * as "METHOD /path STATUS MSms":
 *   void (*) (PaHttp *http, PaHttpRequest *request, const char *key,
 *             const char *method, const char *path, guint status,
 *             gint64 duration_ms, guint attempt, gpointer user_data)
 * @request is the one sent, for its log context (run, step, action);
 * @key is its breaker key; @path has no query string; @status is 0 when
 * no response came. Nothing logged ever holds a header, a query string, a
 * credential or a body: a listener that writes a log (a database table)
 * must keep to the same arguments. */

/* The process-wide client (one SoupSession, shared connections); owned
 * by the process, never unref it. */
PaHttp         *pa_http_get_default            (void);
/* A separate client, for tests. */
PaHttp         *pa_http_new                    (void);
/* A client for one piece of work, e.g. a workflow step: it sends through
 * @parent (its session, settings, breakers, limits, credentials and
 * "request-logged" listeners) and fills in the parts of each request's
 * log context (pa_http_request_set_log_context) that are unset. Its own
 * settings are not used: set them on @parent. */
PaHttp         *pa_http_new_with_log_context   (PaHttp           *parent,
                                                const char       *run_id,
                                                const char       *step_id,
                                                const char       *action);

SoupSession    *pa_http_get_session            (PaHttp           *self);

/* Retry waits are random(0, min(cap, base * 2^(attempt-1))), but never
 * shorter than a Retry-After, which is itself capped at @max_retry_after_us. */
void            pa_http_set_backoff            (PaHttp           *self,
                                                gint64            base_us,
                                                gint64            cap_us);
void            pa_http_set_max_retry_after    (PaHttp           *self,
                                                gint64            max_retry_after_us);
void            pa_http_set_default_timeout    (PaHttp           *self,
                                                guint             seconds);
void            pa_http_set_max_response_size  (PaHttp           *self,
                                                gsize             max_bytes);
/* The clock of breakers and rate limiters; NULL = monotonic time. */
void            pa_http_set_clock              (PaHttp           *self,
                                                PaClockFunc       func,
                                                gpointer          data);

/* Where deferred credentials (pa_http_request_set_deferred_auth()) are
 * looked up. Without one, such a request is sent without credentials when
 * they are optional and fails with PA_ERROR_UNAVAILABLE otherwise. */
void                  pa_http_set_credential_provider (PaHttp               *self,
                                                       PaCredentialProvider *provider);
PaCredentialProvider *pa_http_get_credential_provider (PaHttp               *self);

/* The breaker of @key, created on first use with the configured
 * threshold and open period. */
PaBreaker      *pa_http_get_breaker            (PaHttp           *self,
                                                const char       *key);
void            pa_http_set_breaker_config     (PaHttp           *self,
                                                guint             threshold,
                                                gint64            open_us);
/* @rate <= 0 removes the limit of @key. */
void            pa_http_set_rate_limit         (PaHttp           *self,
                                                const char       *key,
                                                double            rate,
                                                double            burst);
/* NULL when @key has no limit. */
PaRateLimiter  *pa_http_get_rate_limiter       (PaHttp           *self,
                                                const char       *key);

/* Sends @request. Safe requests (pa_http_request_is_retry_safe()) are
 * retried, up to the request's max attempts, after network errors,
 * timeouts, 408, 409, 429 and 5xx, unless the peer sends
 * "Stripe-Should-Retry: false" ("true" retries any status). Any HTTP
 * status gives a response (use pa_http_response_check()); a GError means
 * no usable response: PA_ERROR_UNAVAILABLE (peer unreachable), _TIMEOUT,
 * _CANCELLED, _PROTOCOL (response too large), _CIRCUIT_OPEN, _AUTH
 * (deferred credentials missing or refused by their store), _INVALID_INPUT
 * (bad URL or body).
 * Like the rest of PaHttp, call it from one thread: the one whose
 * thread-default main context runs the requests. */
void            pa_http_send_async             (PaHttp              *self,
                                                PaHttpRequest       *request,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
PaHttpResponse *pa_http_send_finish            (PaHttp              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

/* The same, for bodies read as they arrive (server-sent events, large
 * downloads): a 2xx response completes as soon as its headers are in,
 * with the body unread in pa_http_response_get_stream(). Other statuses
 * are read and retried as above. The request's timeout and size limit
 * stop at the headers; reading the stream is bounded by the caller's
 * cancellable. */
void            pa_http_send_stream_async      (PaHttp              *self,
                                                PaHttpRequest       *request,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
PaHttpResponse *pa_http_send_stream_finish     (PaHttp              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
