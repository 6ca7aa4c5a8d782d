/* pa-http-private.h — what PaHttp reads from a request that others need
 * not, and what the files of PaHttp share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_NET_COMPILATION)
# error "pa-http-private.h is private to core/net: use its public headers"
#endif

#include "pa-http.h"
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

/* What the files of PaHttp share: pa-http.c (the client, its settings,
 * credentials, the public calls) and pa-http-send.c (the attempts). */

#define READ_CHUNK_SIZE (64 * 1024)

struct _PaHttp
{
  GObject      parent_instance;

  SoupSession *session;

  gint64       backoff_base_us;
  gint64       backoff_cap_us;
  gint64       max_retry_after_us;
  guint        default_timeout_s;
  guint        body_idle_s;
  gsize        max_response_size;

  PaClockFunc  clock_func;
  gpointer     clock_data;

  PaCredentialProvider *credentials;

  GHashTable  *breakers;   /* key → PaBreaker */
  GHashTable  *limiters;   /* key → PaRateLimiter */
  guint        breaker_threshold;
  gint64       breaker_open_us;

  /* A client for one piece of work (pa_http_new_with_log_context) sends
   * through its parent and fills in the log context of its requests. */
  PaHttp      *parent;
  char        *log_run_id;
  char        *log_step_id;
  char        *log_action;
};

typedef struct {
  PaHttp         *http;          /* what sends: the task's, or its parent */
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
  guint           idle_s;
  guint           deadline_s;    /* 0 = none */
  gint64          deadline_us;   /* monotonic; 0 = none */
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
  gboolean        deadline_hit;  /* timed_out by the request's deadline */
  GSource        *idle_source;
  gboolean        idle_timed_out;
  gboolean        sent;          /* the request headers went out */
  GInputStream   *stream;
  GByteArray     *buffer;
  guint8         *chunk;
  gint64          attempt_started_at;

  /* What the last attempt ended with. */
  PaHttpResponse *response;
  GError         *error;
} SendData;

/* The task data of a send: a SendData. */
void     pa_http_send_data_free  (SendData *data);
/* Starts the next attempt of the send @task (pa-http-send.c). */
void     pa_http_start_attempt   (GTask    *task);
/* Whether the caller's cancellable of @task is cancelled, and the
 * answer that says so. */
gboolean pa_http_caller_cancelled (GTask   *task);
void     pa_http_return_cancelled (GTask   *task);
/* Same scheme, host and port (an absent port is the scheme's default). */
gboolean pa_http_uri_same_origin (GUri     *a,
                                  GUri     *b);
/* Logs one attempt and emits PaHttp::request-logged (pa-http.c). */
void     pa_http_log_attempt     (PaHttp   *self,
                                  SendData *data,
                                  guint     status,
                                  gint64    duration_ms);

G_END_DECLS
