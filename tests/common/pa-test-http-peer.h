/* pa-test-http-peer.h — a scripted HTTP peer on loopback, and sending to it
 *
 * For the tests of the transport: each request takes the next step queued
 * (none left: 200 {"ok": true}), and what came in is kept, every header
 * included, to look for keys where they must not be.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <libsoup/soup.h>

#include "pa-http.h"

G_BEGIN_DECLS

typedef enum {
  PA_TEST_HTTP_STEP_REPLY,      /* status and body */
  PA_TEST_HTTP_STEP_DROP,       /* read the request, close the connection unanswered */
  PA_TEST_HTTP_STEP_STALL,      /* 200, the first bytes of a chunked body, then silence */
  PA_TEST_HTTP_STEP_DELAY,      /* reply after delay_ms */
  PA_TEST_HTTP_STEP_REDIRECT,   /* status with a Location */
} PaTestHttpStepKind;

typedef struct {
  PaTestHttpStepKind  kind;
  guint               status;
  char               *body;
  char               *location;
  guint               delay_ms;
} PaTestHttpStep;

typedef struct {
  char *method;
  char *host;      /* the Host header */
  char *path;
  char *headers;   /* "name: value\n"… */
} PaTestHttpSeen;

typedef struct {
  SoupServer *server;
  char       *url;       /* http://127.0.0.1:PORT */
  int         port;
  GQueue      steps;
  GPtrArray  *seen;
  GPtrArray  *held;      /* messages left hanging */
  GPtrArray  *timers;
} PaTestHttpPeer;

PaTestHttpPeer *pa_test_http_peer_new   (void);
void            pa_test_http_peer_free  (PaTestHttpPeer     *peer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestHttpPeer, pa_test_http_peer_free)
/* Queues the answer to a coming request; @body NULL is "{}". */
PaTestHttpStep *pa_test_http_peer_queue (PaTestHttpPeer     *peer,
                                         PaTestHttpStepKind  kind,
                                         guint               status,
                                         const char         *body);
PaTestHttpSeen *pa_test_http_peer_seen  (PaTestHttpPeer     *peer,
                                         guint               i);
/* Every plain-http request of @http goes to @peer, as to a proxy: the
 * way to see what would be sent to a host that is not loopback. */
void            pa_test_http_peer_route (PaHttp             *http,
                                         PaTestHttpPeer     *peer);

/* A client with quick retries whose credential provider knows every key
 * (pa-test-credentials.h), and how many lookups it was asked for. */
PaHttp         *pa_test_http_new            (void);
guint           pa_test_http_secrets_asked  (PaHttp         *http);
/* Sends @request and runs the main context until it is done. */
PaHttpResponse *pa_test_http_send_full      (PaHttp         *http,
                                             PaHttpRequest  *request,
                                             gboolean        streaming,
                                             GError        **error);
PaHttpResponse *pa_test_http_send           (PaHttp         *http,
                                             PaHttpRequest  *request,
                                             GError        **error);
void            pa_test_http_set_empty_body (PaHttpRequest  *request);
/* A "request-logged" handler counting attempts in the guint @count. */
void            pa_test_http_count_attempt_cb (PaHttp        *http,
                                               PaHttpRequest *request,
                                               const char    *key,
                                               const char    *method,
                                               const char    *path,
                                               guint          status,
                                               gint64         duration_ms,
                                               guint          attempt,
                                               guint         *count);

G_END_DECLS
