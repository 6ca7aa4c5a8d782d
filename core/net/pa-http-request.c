/* pa-http-request.c — everything one HTTP call needs, built before sending
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-credential-provider.h"
#include "pa-form.h"
#include "pa-http-private.h"
#include "pa-http-request.h"

typedef enum {
  BODY_NONE,
  BODY_JSON,
  BODY_FORM,
  BODY_RAW,
} BodyKind;

struct _PaHttpRequest
{
  GObject     parent_instance;

  char       *method;
  char       *base_url;
  char       *path;
  GPtrArray  *query;        /* name, value, name, value… */
  GPtrArray  *headers;      /* name, value, name, value… */

  BodyKind    body_kind;
  JsonNode   *body_json;
  GBytes     *body_raw;
  char       *content_type;

  char       *idempotency_key;
  guint       timeout_s;
  guint       deadline_s;
  guint       body_idle_s;
  guint       max_attempts;
  gsize       max_response_size;

  char       *breaker_key;
  char       *run_id;
  char       *step_id;
  char       *action;

  PaAuthKind  auth_kind;
  gboolean    auth_deferred;
  gboolean    auth_optional;
  char       *auth_scope;
  char       *auth_profile;
  char       *auth_field;
  char       *auth_field2;
  char       *auth_header;
  char       *auth_value;   /* secret: wiped */
  gboolean    allow_insecure_http;
};

G_DEFINE_FINAL_TYPE (PaHttpRequest, pa_http_request, G_TYPE_OBJECT)

static void
wipe_string (char **str)
{
  pa_credential_free (g_steal_pointer (str));
}

static void
clear_body (PaHttpRequest *self)
{
  self->body_kind = BODY_NONE;
  g_clear_pointer (&self->body_json, json_node_unref);
  g_clear_pointer (&self->body_raw, g_bytes_unref);
  g_clear_pointer (&self->content_type, g_free);
}

void
pa_http_request_clear_auth (PaHttpRequest *self)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  self->auth_kind = PA_AUTH_NONE;
  self->auth_deferred = FALSE;
  self->auth_optional = FALSE;
  g_clear_pointer (&self->auth_scope, g_free);
  g_clear_pointer (&self->auth_profile, g_free);
  g_clear_pointer (&self->auth_field, g_free);
  g_clear_pointer (&self->auth_field2, g_free);
  g_clear_pointer (&self->auth_header, g_free);
  wipe_string (&self->auth_value);
}

static void
pa_http_request_finalize (GObject *object)
{
  PaHttpRequest *self = PA_HTTP_REQUEST (object);

  pa_http_request_clear_auth (self);
  clear_body (self);
  g_free (self->method);
  g_free (self->base_url);
  g_free (self->path);
  g_ptr_array_unref (self->query);
  g_ptr_array_unref (self->headers);
  g_free (self->idempotency_key);
  g_free (self->breaker_key);
  g_free (self->run_id);
  g_free (self->step_id);
  g_free (self->action);

  G_OBJECT_CLASS (pa_http_request_parent_class)->finalize (object);
}

static void
pa_http_request_class_init (PaHttpRequestClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_http_request_finalize;
}

static void
pa_http_request_init (PaHttpRequest *self)
{
  self->query = g_ptr_array_new_with_free_func (g_free);
  self->headers = g_ptr_array_new_with_free_func (g_free);
}

PaHttpRequest *
pa_http_request_new (const char *method,
                     const char *base_url,
                     const char *path)
{
  PaHttpRequest *self;

  g_return_val_if_fail (method != NULL && *method != '\0', NULL);

  self = g_object_new (PA_TYPE_HTTP_REQUEST, NULL);
  self->method = g_ascii_strup (method, -1);
  self->base_url = g_strdup (base_url);
  self->path = g_strdup (path);
  return self;
}

const char *
pa_http_request_get_method (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->method;
}

const char *
pa_http_request_get_base_url (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->base_url;
}

const char *
pa_http_request_get_path (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->path;
}

static gboolean
is_absolute_http (const char *url)
{
  return url != NULL &&
         (g_ascii_strncasecmp (url, "http://", 7) == 0 ||
          g_ascii_strncasecmp (url, "https://", 8) == 0);
}

static char *
join_url (const char *base,
          const char *path)
{
  gsize base_len;

  if (is_absolute_http (path))
    return g_strdup (path);
  if (base == NULL)
    base = "";
  if (path == NULL || *path == '\0')
    return g_strdup (base);

  base_len = strlen (base);
  while (base_len > 0 && base[base_len - 1] == '/')
    base_len--;
  while (*path == '/')
    path++;

  return g_strdup_printf ("%.*s/%s", (int) base_len, base, path);
}

char *
pa_http_request_build_url (PaHttpRequest  *self,
                           GError        **error)
{
  g_autofree char *joined = NULL;
  g_autoptr(GUri) uri = NULL;
  g_autoptr(GString) url = NULL;
  gboolean has_query;

  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);

  joined = join_url (self->base_url, self->path);
  uri = g_uri_parse (joined, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || !is_absolute_http (joined) ||
      g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0' ||
      g_uri_get_fragment (uri) != NULL)
    {
      /* Only the scheme and host are shown: the rest may carry a token. */
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a usable http(s) address; check the base URL"),
                   uri != NULL && g_uri_get_host (uri) != NULL ? g_uri_get_host (uri)
                                                               : (self->base_url ? self->base_url : ""));
      return NULL;
    }

  url = g_string_new (joined);
  has_query = g_uri_get_query (uri) != NULL;
  for (guint i = 0; i + 1 < self->query->len; i += 2)
    {
      g_string_append_c (url, has_query ? '&' : '?');
      has_query = TRUE;
      pa_form_append_escaped (url, self->query->pdata[i], TRUE);
      g_string_append_c (url, '=');
      pa_form_append_escaped (url, self->query->pdata[i + 1], FALSE);
    }

  return g_string_free (g_steal_pointer (&url), FALSE);
}

void
pa_http_request_add_query (PaHttpRequest *self,
                           const char    *name,
                           const char    *value)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (name != NULL);

  g_ptr_array_add (self->query, g_strdup (name));
  g_ptr_array_add (self->query, g_strdup (value != NULL ? value : ""));
}

void
pa_http_request_add_query_int (PaHttpRequest *self,
                               const char    *name,
                               gint64         value)
{
  char text[32];

  g_snprintf (text, sizeof text, "%" G_GINT64_FORMAT, value);
  pa_http_request_add_query (self, name, text);
}

void
pa_http_request_set_header (PaHttpRequest *self,
                            const char    *name,
                            const char    *value)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (name != NULL);

  if (g_ascii_strcasecmp (name, "Idempotency-Key") == 0)
    {
      pa_http_request_set_idempotency_key (self, value);
      return;
    }

  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    {
      if (g_ascii_strcasecmp (self->headers->pdata[i], name) == 0)
        {
          g_ptr_array_remove_range (self->headers, i, 2);
          break;
        }
    }

  if (value != NULL)
    {
      g_ptr_array_add (self->headers, g_strdup (name));
      g_ptr_array_add (self->headers, g_strdup (value));
    }
}

const char *
pa_http_request_get_header (PaHttpRequest *self,
                            const char    *name)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  if (g_ascii_strcasecmp (name, "Idempotency-Key") == 0)
    return self->idempotency_key;

  for (guint i = 0; i + 1 < self->headers->len; i += 2)
    if (g_ascii_strcasecmp (self->headers->pdata[i], name) == 0)
      return self->headers->pdata[i + 1];
  return NULL;
}

GPtrArray *
pa_http_request_get_headers (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->headers;
}

void
pa_http_request_set_json_body (PaHttpRequest *self,
                               JsonNode      *body)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  clear_body (self);
  if (body == NULL)
    return;
  self->body_kind = BODY_JSON;
  self->body_json = json_node_ref (body);
}

void
pa_http_request_set_form_body (PaHttpRequest *self,
                               JsonNode      *object)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  clear_body (self);
  if (object == NULL)
    return;
  self->body_kind = BODY_FORM;
  self->body_json = json_node_ref (object);
}

void
pa_http_request_set_body (PaHttpRequest *self,
                          GBytes        *body,
                          const char    *content_type)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  clear_body (self);
  if (body == NULL)
    return;
  self->body_kind = BODY_RAW;
  self->body_raw = g_bytes_ref (body);
  self->content_type = g_strdup (content_type != NULL ? content_type
                                                      : "application/octet-stream");
}

GBytes *
pa_http_request_dup_body (PaHttpRequest  *self,
                          const char    **content_type,
                          GError        **error)
{
  char *text;

  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);

  if (content_type != NULL)
    *content_type = NULL;

  switch (self->body_kind)
    {
    case BODY_NONE:
      return NULL;

    case BODY_JSON:
      text = json_to_string (self->body_json, FALSE);
      if (content_type != NULL)
        *content_type = "application/json";
      return g_bytes_new_take (text, strlen (text));

    case BODY_FORM:
      text = pa_form_encode (self->body_json, error);
      if (text == NULL)
        return NULL;
      if (content_type != NULL)
        *content_type = "application/x-www-form-urlencoded";
      return g_bytes_new_take (text, strlen (text));

    case BODY_RAW:
      if (content_type != NULL)
        *content_type = self->content_type;
      return g_bytes_ref (self->body_raw);

    default:
      g_assert_not_reached ();
    }
}

void
pa_http_request_set_idempotency_key (PaHttpRequest *self,
                                     const char    *key)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  g_free (self->idempotency_key);
  self->idempotency_key = (key != NULL && *key != '\0') ? g_strdup (key) : NULL;
}

const char *
pa_http_request_get_idempotency_key (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->idempotency_key;
}

void
pa_http_request_set_timeout (PaHttpRequest *self,
                             guint          seconds)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->timeout_s = seconds;
}

guint
pa_http_request_get_timeout (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), 0);
  return self->timeout_s;
}

void
pa_http_request_set_deadline (PaHttpRequest *self,
                              guint          seconds)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->deadline_s = seconds;
}

guint
pa_http_request_get_deadline (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), 0);
  return self->deadline_s;
}

void
pa_http_request_set_body_idle_timeout (PaHttpRequest *self,
                                       guint          seconds)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->body_idle_s = seconds;
}

guint
pa_http_request_get_body_idle_timeout (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), 0);
  return self->body_idle_s;
}

void
pa_http_request_set_max_attempts (PaHttpRequest *self,
                                  guint          max_attempts)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->max_attempts = max_attempts;
}

guint
pa_http_request_get_max_attempts (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), 0);
  return self->max_attempts != 0 ? self->max_attempts : PA_HTTP_DEFAULT_MAX_ATTEMPTS;
}

void
pa_http_request_set_max_response_size (PaHttpRequest *self,
                                       gsize          max_bytes)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->max_response_size = max_bytes;
}

gsize
pa_http_request_get_max_response_size (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), 0);
  return self->max_response_size;
}

void
pa_http_request_set_breaker_key (PaHttpRequest *self,
                                 const char    *key)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_free (self->breaker_key);
  self->breaker_key = g_strdup (key);
}

const char *
pa_http_request_get_breaker_key (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->breaker_key;
}

void
pa_http_request_set_log_context (PaHttpRequest *self,
                                 const char    *run_id,
                                 const char    *step_id,
                                 const char    *action)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  g_free (self->run_id);
  g_free (self->step_id);
  g_free (self->action);
  self->run_id = g_strdup (run_id);
  self->step_id = g_strdup (step_id);
  self->action = g_strdup (action);
}

const char *
pa_http_request_get_run_id (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->run_id;
}

const char *
pa_http_request_get_step_id (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->step_id;
}

const char *
pa_http_request_get_action (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);
  return self->action;
}

void
pa_http_request_set_bearer_auth (PaHttpRequest *self,
                                 const char    *token)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (token != NULL);

  pa_http_request_clear_auth (self);
  self->auth_kind = PA_AUTH_BEARER;
  self->auth_header = g_strdup ("Authorization");
  self->auth_value = g_strconcat ("Bearer ", token, NULL);
}

char *
pa_http_basic_auth_value (const char *user,
                          const char *password)
{
  char *pair = g_strconcat (user, ":", password, NULL);
  char *encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  char *value = g_strconcat ("Basic ", encoded, NULL);

  pa_credential_free (pair);
  pa_credential_free (encoded);
  return value;
}

void
pa_http_request_set_basic_auth (PaHttpRequest *self,
                                const char    *user,
                                const char    *password)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (user != NULL && password != NULL);

  pa_http_request_clear_auth (self);
  self->auth_kind = PA_AUTH_BASIC;
  self->auth_header = g_strdup ("Authorization");
  self->auth_value = pa_http_basic_auth_value (user, password);
}

void
pa_http_request_set_header_auth (PaHttpRequest *self,
                                 const char    *header,
                                 const char    *value)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (header != NULL && value != NULL);

  pa_http_request_clear_auth (self);
  self->auth_kind = PA_AUTH_HEADER;
  self->auth_header = g_strdup (header);
  self->auth_value = g_strdup (value);
}

void
pa_http_request_set_deferred_auth (PaHttpRequest *self,
                                   PaAuthKind     kind,
                                   const char    *scope,
                                   const char    *profile,
                                   const char    *header,
                                   const char    *field,
                                   const char    *field2,
                                   gboolean       optional)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (kind == PA_AUTH_NONE || (scope != NULL && field != NULL));
  g_return_if_fail (kind != PA_AUTH_BASIC || field2 != NULL);
  g_return_if_fail (kind != PA_AUTH_HEADER || header != NULL);

  pa_http_request_clear_auth (self);
  if (kind == PA_AUTH_NONE)
    return;

  self->auth_kind = kind;
  self->auth_deferred = TRUE;
  self->auth_optional = optional;
  self->auth_scope = g_strdup (scope);
  self->auth_profile = g_strdup (profile != NULL ? profile : "default");
  self->auth_field = g_strdup (field);
  self->auth_field2 = g_strdup (field2);
  self->auth_header = g_strdup (kind == PA_AUTH_HEADER ? header : "Authorization");
}

PaAuthKind
pa_http_request_get_auth_kind (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), PA_AUTH_NONE);
  return self->auth_kind;
}

void
pa_http_request_set_allow_insecure_http (PaHttpRequest *self,
                                         gboolean       allow)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  self->allow_insecure_http = !!allow;
}

gboolean
pa_http_request_get_allow_insecure_http (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), FALSE);
  return self->allow_insecure_http;
}

static gboolean
host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL || *host == '\0')
    return FALSE;

  /* "localhost" and its subdomains resolve to loopback by definition
   * (RFC 6761); a trailing dot is the same name. */
  len = strlen (host);
  if (host[len - 1] == '.')
    len--;
  bare = g_ascii_strdown (host, (gssize) len);
  if (g_str_equal (bare, "localhost") || g_str_has_suffix (bare, ".localhost"))
    return TRUE;

  /* 127.0.0.0/8 and ::1; a name that only resolves to them is not
   * trusted, since what it resolves to can change. */
  address = g_inet_address_new_from_string (bare);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

gboolean
pa_http_url_is_safe_for_credentials (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL)
    return FALSE;
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return FALSE;
  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "https") == 0)
    return TRUE;
  return g_ascii_strcasecmp (scheme, "http") == 0 && host_is_loopback (g_uri_get_host (uri));
}

gboolean
pa_http_request_is_retry_safe (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), FALSE);

  return self->idempotency_key != NULL ||
         g_str_equal (self->method, "GET") ||
         g_str_equal (self->method, "HEAD") ||
         g_str_equal (self->method, "OPTIONS");
}

void
pa_http_request_get_auth (PaHttpRequest *self,
                          PaHttpAuth    *auth)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));
  g_return_if_fail (auth != NULL);

  auth->kind = self->auth_kind;
  auth->deferred = self->auth_deferred;
  auth->optional = self->auth_optional;
  auth->scope = self->auth_scope;
  auth->profile = self->auth_profile;
  auth->field = self->auth_field;
  auth->field2 = self->auth_field2;
  auth->header = self->auth_header;
  auth->value = self->auth_value;
}

/* ---- the path written to the request log -------------------------------- */

/* Kept as object data rather than a field, so that this addition stands
 * on its own at the end of the file. */
#define LOG_PATH_KEY "pa-http-request-log-path"

/**
 * pa_http_request_set_log_path:
 * @self: a #PaHttpRequest
 * @log_path: (nullable): what a request log records instead of the path
 *
 * Some platforms put a secret in the URL path (a stream key, a webhook's
 * capability path). The caller, who knows which segment is secret, gives
 * the path to record instead, e.g. "/streamkeys/…". %NULL records the
 * real path again.
 */
void
pa_http_request_set_log_path (PaHttpRequest *self,
                              const char    *log_path)
{
  g_return_if_fail (PA_IS_HTTP_REQUEST (self));

  g_object_set_data_full (G_OBJECT (self), LOG_PATH_KEY, g_strdup (log_path), g_free);
}

/**
 * pa_http_request_get_log_path:
 * @self: a #PaHttpRequest
 *
 * Returns: (nullable): the path set with pa_http_request_set_log_path(),
 *   or %NULL when the real path may be recorded
 */
const char *
pa_http_request_get_log_path (PaHttpRequest *self)
{
  g_return_val_if_fail (PA_IS_HTTP_REQUEST (self), NULL);

  return g_object_get_data (G_OBJECT (self), LOG_PATH_KEY);
}
