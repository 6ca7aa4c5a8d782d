/* pa-http-private.h — what PaHttp reads from a request that others need not
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_NET_COMPILATION)
# error "pa-http-private.h is private to core/net: use its public headers"
#endif

#include "pa-http-request.h"

G_BEGIN_DECLS

typedef struct {
  PaAuthKind  kind;
  gboolean    deferred;
  gboolean    optional;
  /* Looked up through the credential provider (deferred). */
  const char *scope;
  const char *profile;
  const char *field;
  const char *field2;
  /* The header to send: Authorization unless PA_AUTH_HEADER. */
  const char *header;
  /* Direct credentials: the complete header value. */
  const char *value;
} PaHttpAuth;

void  pa_http_request_get_auth (PaHttpRequest *self,
                                PaHttpAuth    *auth);

/* "Basic base64(user:password)"; wipe it with pa_credential_free(). */
char *pa_http_basic_auth_value (const char    *user,
                                const char    *password);

G_END_DECLS
