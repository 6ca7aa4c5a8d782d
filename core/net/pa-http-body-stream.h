/* pa-http-body-stream.h — a response body that cannot hang its reader
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_NET_COMPILATION)
# error "pa-http-body-stream.h is private to core/net: use pa_http_response_get_stream()"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

#define PA_TYPE_HTTP_BODY_STREAM (pa_http_body_stream_get_type ())
G_DECLARE_FINAL_TYPE (PaHttpBodyStream, pa_http_body_stream, PA, HTTP_BODY_STREAM, GInputStream)

/* Reads @base, failing an asynchronous read with PA_ERROR_TIMEOUT when
 * @base stays silent for @idle_s seconds or when @deadline_us (monotonic
 * time, 0 = none; @deadline_s seconds after the request started) passes,
 * and with PA_ERROR_CONNECTION_LOST when @base breaks; @host names the
 * peer in those messages. */
GInputStream *pa_http_body_stream_new (GInputStream *base,
                                       const char   *host,
                                       guint         idle_s,
                                       gint64        deadline_us,
                                       guint         deadline_s);

G_END_DECLS
