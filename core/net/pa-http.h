/* pa-http.h — the one HTTP client every platform uses
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "pa-limits.h"

#include "pa-breaker.h"
#include "pa-clock.h"
#include "pa-credential-provider.h"
#include "pa-http-request.h"
#include "pa-http-response.h"
#include "pa-rate-limiter.h"

G_BEGIN_DECLS

#define PA_HTTP_DEFAULT_TIMEOUT_S          PA_LIMIT_ATTEMPT_SECONDS
#define PA_HTTP_DEFAULT_MAX_RESPONSE_SIZE  PA_LIMIT_RESPONSE_BYTES
#define PA_HTTP_DEFAULT_BODY_IDLE_S        PA_LIMIT_BODY_IDLE_SECONDS
#define PA_HTTP_DEFAULT_DEADLINE_S         PA_LIMIT_REQUEST_DEADLINE_SECONDS
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
/* How long a body may stay silent, once the headers are in, before the
 * request fails with PA_ERROR_TIMEOUT; for ordinary and streamed bodies
 * alike, unless a request sets its own. 0 = PA_HTTP_DEFAULT_BODY_IDLE_S. */
void            pa_http_set_body_idle_timeout  (PaHttp           *self,
                                                guint             seconds);
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

/* Sends @request. Any HTTP status gives a response (use
 * pa_http_response_check()); a GError means no usable response:
 *  PA_ERROR_UNAVAILABLE      nothing was sent: connection refused, host
 *                            unreachable or unknown, or not reached in time
 *  PA_ERROR_CONNECTION_LOST  the request went out, in part or whole, but
 *                            the answer did not come (reset, closed before
 *                            the headers, broken in the middle of the body)
 *  PA_ERROR_TIMEOUT          the request went out and no answer came within
 *                            the attempt's timeout, a body stayed silent
 *                            past the idle timeout, or the request's
 *                            deadline (pa_http_request_set_deadline) passed
 *  PA_ERROR_INSECURE         the connection could not be made secure (TLS),
 *                            or credentials would go over plain HTTP to a
 *                            host that is not loopback (see
 *                            pa_http_request_set_allow_insecure_http()):
 *                            never retried
 *  PA_ERROR_PROTOCOL         the response is larger than allowed, is not
 *                            valid HTTP, or redirects in a loop: never
 *                            retried
 *  PA_ERROR_CANCELLED, _CIRCUIT_OPEN, _AUTH (deferred credentials missing
 *  or refused by their store), _INVALID_INPUT (bad URL or body).
 * Retries, up to the request's max attempts: a request that is safe to
 * repeat (pa_http_request_is_retry_safe()) is retried after
 * _UNAVAILABLE, _CONNECTION_LOST, _TIMEOUT, and answers 408, 409, 429
 * and 5xx, unless the peer sends "Stripe-Should-Retry: false" ("true"
 * retries any status); any other request only after _UNAVAILABLE, when
 * nothing was sent. Redirects are followed by libsoup; credentials do not
 * follow one to another scheme, host or port.
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
 * stop at the headers. An asynchronous read of the stream fails with
 * PA_ERROR_TIMEOUT when the body stays silent past the idle timeout or
 * when the request's own deadline, if it set one, passes, and with
 * PA_ERROR_CONNECTION_LOST when the connection breaks; the size of what
 * is read is the caller's to bound. */
void            pa_http_send_stream_async      (PaHttp              *self,
                                                PaHttpRequest       *request,
                                                GCancellable        *cancellable,
                                                GAsyncReadyCallback  callback,
                                                gpointer             user_data);
PaHttpResponse *pa_http_send_stream_finish     (PaHttp              *self,
                                                GAsyncResult        *result,
                                                GError             **error);

G_END_DECLS
