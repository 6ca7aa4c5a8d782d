/* pa-platform.h — what every platform client shares
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-http.h"
#include "pa-identity.h"
#include "pa-platform-info.h"

G_BEGIN_DECLS

#define PA_TYPE_PLATFORM (pa_platform_get_type ())
G_DECLARE_DERIVABLE_TYPE (PaPlatform, pa_platform, PA, PLATFORM, GObject)

/**
 * PaPlatformClass:
 * @platform_id: set in class_init, e.g. "stripe"
 * @check_async: asks the platform who we are (the cheapest call that
 *   needs a valid key)
 * @check_finish: returns the identity, or an error saying why not
 * @parse_error: turns a non-2xx response into a GError; the default
 *   maps the status and takes the peer's message where it finds one
 *
 * An abstract class rather than a GInterface: every client holds the same
 * HTTP client, profile and base URL, and builds requests the same way.
 */
struct _PaPlatformClass
{
  GObjectClass parent_class;

  const char  *platform_id;

  void        (*check_async)  (PaPlatform          *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data);
  PaIdentity *(*check_finish) (PaPlatform          *self,
                               GAsyncResult        *result,
                               GError             **error);
  gboolean    (*parse_error)  (PaPlatform          *self,
                               PaHttpResponse      *response,
                               GError             **error);

  gpointer padding[8];
};

/* Creates the client for @platform_id ("stripe", …). @base_url NULL or ""
 * means the platform's default; @profile NULL means "default". */
PaPlatform           *pa_platform_new             (const char          *platform_id,
                                                   PaHttp              *http,
                                                   const char          *profile,
                                                   const char          *base_url,
                                                   GError             **error);

/* The process-wide client (pa_http_get_default()), reading credentials
 * from the keyring unless another provider was set on it: what clients
 * created without one use. Owned by the process, never unref it. */
PaHttp               *pa_platform_get_default_http (void);

const char           *pa_platform_get_id          (PaPlatform          *self);
const PaPlatformInfo *pa_platform_get_info        (PaPlatform          *self);
PaHttp               *pa_platform_get_http        (PaPlatform          *self);
const char           *pa_platform_get_profile     (PaPlatform          *self);
/* The base URL in use: the account's, else the platform's default. */
const char           *pa_platform_get_base_url    (PaPlatform          *self);

void                  pa_platform_check_async     (PaPlatform          *self,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PaIdentity           *pa_platform_check_finish    (PaPlatform          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

/* For subclasses. A request to @path under the base URL, with the
 * platform's credentials (deferred: looked up by the client's credential
 * provider when sent) and breaker key set. */
PaHttpRequest        *pa_platform_new_request     (PaPlatform          *self,
                                                   const char          *method,
                                                   const char          *path);
/* Sends @request; a non-2xx answer becomes a GError through parse_error,
 * a 2xx answer is returned (its JSON through pa_http_response_get_json). */
void                  pa_platform_send_async      (PaPlatform          *self,
                                                   PaHttpRequest       *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PaHttpResponse       *pa_platform_send_finish     (PaPlatform          *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
/* The same, returning the response's JSON body (an error if it has none). */
void                  pa_platform_send_json_async (PaPlatform          *self,
                                                   PaHttpRequest       *request,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
JsonNode             *pa_platform_send_json_finish (PaPlatform         *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
