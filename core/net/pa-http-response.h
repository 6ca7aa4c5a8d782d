/* pa-http-response.h — what came back from one HTTP call
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

#define PA_TYPE_HTTP_RESPONSE (pa_http_response_get_type ())
G_DECLARE_FINAL_TYPE (PaHttpResponse, pa_http_response, PA, HTTP_RESPONSE, GObject)

/* @headers is referenced, @body may be NULL (empty). @host names the peer
 * in error messages (may be NULL). */
PaHttpResponse     *pa_http_response_new            (guint               status,
                                                     SoupMessageHeaders *headers,
                                                     GBytes             *body,
                                                     const char         *host);

guint               pa_http_response_get_status     (PaHttpResponse     *self);
const char         *pa_http_response_get_reason     (PaHttpResponse     *self);
SoupMessageHeaders *pa_http_response_get_headers    (PaHttpResponse     *self);
/* Case-insensitive; NULL when absent. */
const char         *pa_http_response_get_header     (PaHttpResponse     *self,
                                                     const char         *name);
const char         *pa_http_response_get_content_type (PaHttpResponse   *self);
/* Never NULL: an empty body is zero bytes. */
GBytes             *pa_http_response_get_body       (PaHttpResponse     *self);
const char         *pa_http_response_get_host       (PaHttpResponse     *self);
/* The unread body of a response from pa_http_send_stream_async(), else
 * NULL; the caller reads it (and may close it early). */
GInputStream       *pa_http_response_get_stream     (PaHttpResponse     *self);
void                pa_http_response_set_stream     (PaHttpResponse     *self,
                                                     GInputStream       *stream);

/* Whole call, retries and waits included. */
gint64              pa_http_response_get_duration_ms (PaHttpResponse    *self);
guint               pa_http_response_get_attempts   (PaHttpResponse     *self);
void                pa_http_response_set_timing     (PaHttpResponse     *self,
                                                     gint64              duration_ms,
                                                     guint               attempts);

/* Retry-After (seconds or HTTP date, relative to the response's Date
 * header when it has one) in microseconds; -1 when absent or unreadable. */
gint64              pa_http_response_get_retry_after_us (PaHttpResponse *self);

/* The body parsed as JSON, once; owned by @self. Fails with
 * PA_ERROR_PROTOCOL for an empty, malformed or truncated body, and, before
 * parsing, for one nested deeper than PA_LIMIT_JSON_DEPTH or larger than
 * PA_LIMIT_RESPONSE_BYTES (pa_json_check_bounds()). */
JsonNode           *pa_http_response_get_json       (PaHttpResponse     *self,
                                                     GError            **error);

/* TRUE for 2xx. Otherwise maps the status to a PA_ERROR code: 401/403
 * AUTH, 404/410 NOT_FOUND, 408 TIMEOUT, 429 RATE_LIMITED, 5xx (504
 * included: the peer answered) SERVER, other 4xx INVALID_INPUT, anything
 * else PROTOCOL. The message names the host and, when the body carries
 * one, the peer's own error message: control, format and bidi characters
 * replaced by spaces, and at most PA_LIMIT_PEER_MESSAGE_CHARS characters. */
gboolean            pa_http_response_check          (PaHttpResponse     *self,
                                                     GError            **error);
/* The PA_ERROR code pa_http_response_check() would use for @status. */
int                 pa_http_status_to_error_code    (guint               status);

G_END_DECLS
