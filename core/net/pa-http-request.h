/* pa-http-request.h — everything one HTTP call needs, built before sending
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* How credentials travel on the wire. */
typedef enum {
  PA_AUTH_NONE,
  PA_AUTH_BEARER,   /* Authorization: Bearer <field> */
  PA_AUTH_BASIC,    /* Authorization: Basic base64(<field>:<field2>) */
  PA_AUTH_HEADER,   /* <header>: <field> */
} PaAuthKind;

#define PA_HTTP_DEFAULT_MAX_ATTEMPTS 3

#define PA_TYPE_HTTP_REQUEST (pa_http_request_get_type ())
G_DECLARE_FINAL_TYPE (PaHttpRequest, pa_http_request, PA, HTTP_REQUEST, GObject)

/* @path is joined to @base_url with exactly one '/'; @path may be NULL or
 * empty, and may be an absolute URL (then @base_url is ignored). */
PaHttpRequest *pa_http_request_new              (const char    *method,
                                                 const char    *base_url,
                                                 const char    *path);

const char    *pa_http_request_get_method       (PaHttpRequest *self);
const char    *pa_http_request_get_base_url     (PaHttpRequest *self);
const char    *pa_http_request_get_path         (PaHttpRequest *self);
/* The full URL with its query string, or NULL with PA_ERROR_INVALID_INPUT
 * when base URL and path do not make an absolute http(s) URL. */
char          *pa_http_request_build_url        (PaHttpRequest *self,
                                                 GError       **error);

/* Query parameters are kept in order and percent-encoded when sent. */
void           pa_http_request_add_query        (PaHttpRequest *self,
                                                 const char    *name,
                                                 const char    *value);
void           pa_http_request_add_query_int    (PaHttpRequest *self,
                                                 const char    *name,
                                                 gint64         value);
/* Replaces any header of that name; @value NULL removes it. Use the auth
 * setters below for credentials, so they are wiped after use.
 * Idempotency-Key set here is the same as set_idempotency_key(). */
void           pa_http_request_set_header       (PaHttpRequest *self,
                                                 const char    *name,
                                                 const char    *value);
const char    *pa_http_request_get_header       (PaHttpRequest *self,
                                                 const char    *name);
/* Names and values alternating, in the order set; owned by @self. */
GPtrArray     *pa_http_request_get_headers      (PaHttpRequest *self);

/* Bodies: the last one set wins. */
void           pa_http_request_set_json_body    (PaHttpRequest *self,
                                                 JsonNode      *body);
/* @object is encoded by pa_form_encode() when the request is sent. */
void           pa_http_request_set_form_body    (PaHttpRequest *self,
                                                 JsonNode      *object);
void           pa_http_request_set_body         (PaHttpRequest *self,
                                                 GBytes        *body,
                                                 const char    *content_type);
/* The bytes that will be sent and their type; NULL when there is no body. */
GBytes        *pa_http_request_dup_body         (PaHttpRequest *self,
                                                 const char   **content_type,
                                                 GError       **error);

/* Sets Idempotency-Key. A request with one may be retried whatever its
 * method; every attempt sends the same key. */
void           pa_http_request_set_idempotency_key (PaHttpRequest *self,
                                                    const char    *key);
const char    *pa_http_request_get_idempotency_key (PaHttpRequest *self);

/* Whole-attempt limit in seconds (connect, send, read); 0 = PaHttp default. */
void           pa_http_request_set_timeout      (PaHttpRequest *self,
                                                 guint          seconds);
guint          pa_http_request_get_timeout      (PaHttpRequest *self);
/* Limit in seconds from the start of the first attempt to the last byte
 * of the answer, retries and their waits included; 0 = the default:
 * PA_HTTP_DEFAULT_DEADLINE_S, or the attempt timeout if that is longer,
 * for pa_http_send_async(); none for pa_http_send_stream_async() (there a
 * deadline also bounds reading the stream). */
void           pa_http_request_set_deadline     (PaHttpRequest *self,
                                                 guint          seconds);
guint          pa_http_request_get_deadline     (PaHttpRequest *self);
/* How long the body may stay silent once the headers are in; 0 = the
 * PaHttp's (pa_http_set_body_idle_timeout()). */
void           pa_http_request_set_body_idle_timeout (PaHttpRequest *self,
                                                      guint          seconds);
guint          pa_http_request_get_body_idle_timeout (PaHttpRequest *self);
/* 1 disables retries; 0 = PA_HTTP_DEFAULT_MAX_ATTEMPTS. */
void           pa_http_request_set_max_attempts (PaHttpRequest *self,
                                                 guint          max_attempts);
guint          pa_http_request_get_max_attempts (PaHttpRequest *self);
/* 0 = PaHttp default. */
void           pa_http_request_set_max_response_size (PaHttpRequest *self,
                                                      gsize          max_bytes);
gsize          pa_http_request_get_max_response_size (PaHttpRequest *self);

/* An opaque key (a platform id) choosing the breaker and the rate limiter,
 * and given to "request-logged" listeners. NULL = the URL's host. */
void           pa_http_request_set_breaker_key  (PaHttpRequest *self,
                                                 const char    *key);
const char    *pa_http_request_get_breaker_key  (PaHttpRequest *self);

/* What the request is for, for "request-logged" listeners that keep a log
 * (PaHttp itself only carries it); any may be NULL. */
void           pa_http_request_set_log_context  (PaHttpRequest *self,
                                                 const char    *run_id,
                                                 const char    *step_id,
                                                 const char    *action);
const char    *pa_http_request_get_run_id       (PaHttpRequest *self);
const char    *pa_http_request_get_step_id      (PaHttpRequest *self);
const char    *pa_http_request_get_action       (PaHttpRequest *self);

/* Credentials given directly. Copies are wiped when replaced or freed. */
void           pa_http_request_set_bearer_auth  (PaHttpRequest *self,
                                                 const char    *token);
void           pa_http_request_set_basic_auth   (PaHttpRequest *self,
                                                 const char    *user,
                                                 const char    *password);
void           pa_http_request_set_header_auth  (PaHttpRequest *self,
                                                 const char    *header,
                                                 const char    *value);

/* Credentials looked up just before sending, through the PaHttp's
 * credential provider (pa_http_set_credential_provider()), which is
 * asked for @field (and @field2) of the credential set @scope/@profile:
 *  PA_AUTH_BEARER  Authorization: Bearer <field>
 *  PA_AUTH_BASIC   Authorization: Basic base64(<field>:<field2>)
 *  PA_AUTH_HEADER  <header>: <field>
 * @scope is opaque here (its owner names it: a platform id); @profile
 * NULL means "default". A missing secret fails the request with
 * PA_ERROR_AUTH, unless @optional: then it is sent without credentials
 * (local servers that need no key). */
void           pa_http_request_set_deferred_auth (PaHttpRequest *self,
                                                  PaAuthKind     kind,
                                                  const char    *scope,
                                                  const char    *profile,
                                                  const char    *header,
                                                  const char    *field,
                                                  const char    *field2,
                                                  gboolean       optional);
void           pa_http_request_clear_auth       (PaHttpRequest *self);
PaAuthKind     pa_http_request_get_auth_kind    (PaHttpRequest *self);

/* Credentials go over https, or over plain http to a loopback host
 * (127.0.0.0/8, ::1, "localhost") only: sending a request that carries
 * them to any other http:// URL fails with PA_ERROR_INSECURE before
 * anything is sent, and nothing is looked up. @allow lets them go in
 * clear to the scheme, host and port of the request's base URL, and to
 * no other: for an account whose owner chose that address knowingly
 * (`--insecure-http`). */
void           pa_http_request_set_allow_insecure_http (PaHttpRequest *self,
                                                        gboolean       allow);
gboolean       pa_http_request_get_allow_insecure_http (PaHttpRequest *self);

/* Whether credentials may travel to @url as it is: https, or http to a
 * loopback host. FALSE for anything that does not parse. */
gboolean       pa_http_url_is_safe_for_credentials (const char    *url);
/* Same scheme, host and port (an absent port is the scheme's default);
 * FALSE when either does not parse. */
gboolean       pa_http_url_same_origin             (const char    *a,
                                                    const char    *b);

/* TRUE for GET, HEAD and OPTIONS, or any method with an idempotency key. */
gboolean       pa_http_request_is_retry_safe    (PaHttpRequest *self);

/* What a request log records instead of the path, when the path holds a
 * secret (a stream key); NULL (the default) records the path itself. */
void           pa_http_request_set_log_path     (PaHttpRequest *self,
                                                 const char    *log_path);
const char    *pa_http_request_get_log_path     (PaHttpRequest *self);

G_END_DECLS
