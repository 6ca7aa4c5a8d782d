/* fuzz-platform.h — what the fuzz targets of the platform clients share
 *
 * Each target reads its input as a platform's answer and hands it to one
 * of that client's readers, the first byte picking which. The readers
 * are static functions, so a target includes the client's source file
 * and replaces its object file in the link: it tests the very code the
 * app runs. Such a target is built with the platforms layer's define.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "fuzz-common.h"
#include "pa-http.h"
#include "pa-platform.h"

/* The HTTP client to make a client with, as the app does, for an account
 * on a host that does not exist: nothing here sends a request. */
static inline PaHttp *
fuzz_platform_http (void)
{
  static PaHttp *http;

  if (http == NULL)
    http = pa_http_new ();
  return http;
}

/* Reads @data as the body of an error answer, with a status picked by
 * @selector, through the client's parse_error: it gives an error, or
 * accepts the status and gives none. */
static inline void
fuzz_platform_parse_error (PaPlatform    *platform,
                           guint8         selector,
                           const uint8_t *data,
                           size_t         size)
{
  static const guint statuses[] = {
    400, 401, 402, 403, 404, 405, 408, 409, 422, 429, 500, 501, 502, 503, 200, 302,
  };
  g_autoptr(SoupMessageHeaders) headers = NULL;
  g_autoptr(GBytes) body = g_bytes_new (data, size);
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  gboolean accepted;

  /* Every body is to pass the JSON guard before any reader parses it
   * (issue 9); json-glib itself leaks on some texts the guard refuses. */
  if (!fuzz_json_allowed (data, size))
    return;

  headers = soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  if (selector & 0x80)
    soup_message_headers_replace (headers, "Content-Type", "application/json");
  if (selector & 0x40)
    soup_message_headers_replace (headers, "Retry-After", "30");
  response = pa_http_response_new (statuses[selector % G_N_ELEMENTS (statuses)], headers, body,
                                   "fuzz.invalid");

  accepted = PA_PLATFORM_GET_CLASS (platform)->parse_error (platform, response, &error);
  g_assert (accepted == (error == NULL));
}
