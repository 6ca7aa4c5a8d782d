/* pa-http-response.c — what came back from one HTTP call
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"
#include "pa-text.h"

#include "pa-http-response.h"

struct _PaHttpResponse
{
  GObject             parent_instance;

  guint               status;
  SoupMessageHeaders *headers;
  GBytes             *body;
  char               *host;
  gint64              duration_ms;
  guint               attempts;
  JsonNode           *json;
  GInputStream       *stream;
};

G_DEFINE_FINAL_TYPE (PaHttpResponse, pa_http_response, G_TYPE_OBJECT)

static void
pa_http_response_finalize (GObject *object)
{
  PaHttpResponse *self = PA_HTTP_RESPONSE (object);

  g_clear_pointer (&self->headers, soup_message_headers_unref);
  g_clear_pointer (&self->body, g_bytes_unref);
  g_clear_pointer (&self->json, json_node_unref);
  g_clear_object (&self->stream);
  g_free (self->host);

  G_OBJECT_CLASS (pa_http_response_parent_class)->finalize (object);
}

static void
pa_http_response_class_init (PaHttpResponseClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_http_response_finalize;
}

static void
pa_http_response_init (PaHttpResponse *self)
{
  self->attempts = 1;
}

PaHttpResponse *
pa_http_response_new (guint               status,
                      SoupMessageHeaders *headers,
                      GBytes             *body,
                      const char         *host)
{
  PaHttpResponse *self = g_object_new (PA_TYPE_HTTP_RESPONSE, NULL);

  self->status = status;
  self->headers = headers != NULL ? soup_message_headers_ref (headers)
                                  : soup_message_headers_new (SOUP_MESSAGE_HEADERS_RESPONSE);
  self->body = body != NULL ? g_bytes_ref (body) : g_bytes_new (NULL, 0);
  self->host = g_strdup (host != NULL ? host : "The server");
  return self;
}

guint
pa_http_response_get_status (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), 0);
  return self->status;
}

const char *
pa_http_response_get_reason (PaHttpResponse *self)
{
  const char *phrase;

  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);

  phrase = soup_status_get_phrase (self->status);
  return phrase != NULL ? phrase : "";
}

SoupMessageHeaders *
pa_http_response_get_headers (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  return self->headers;
}

const char *
pa_http_response_get_header (PaHttpResponse *self,
                             const char     *name)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return soup_message_headers_get_one (self->headers, name);
}

const char *
pa_http_response_get_content_type (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  return soup_message_headers_get_content_type (self->headers, NULL);
}

GBytes *
pa_http_response_get_body (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  return self->body;
}

const char *
pa_http_response_get_host (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  return self->host;
}

GInputStream *
pa_http_response_get_stream (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);
  return self->stream;
}

void
pa_http_response_set_stream (PaHttpResponse *self,
                             GInputStream   *stream)
{
  g_return_if_fail (PA_IS_HTTP_RESPONSE (self));
  g_return_if_fail (stream == NULL || G_IS_INPUT_STREAM (stream));

  g_set_object (&self->stream, stream);
}

gint64
pa_http_response_get_duration_ms (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), 0);
  return self->duration_ms;
}

guint
pa_http_response_get_attempts (PaHttpResponse *self)
{
  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), 0);
  return self->attempts;
}

void
pa_http_response_set_timing (PaHttpResponse *self,
                             gint64          duration_ms,
                             guint           attempts)
{
  g_return_if_fail (PA_IS_HTTP_RESPONSE (self));

  self->duration_ms = duration_ms;
  self->attempts = attempts;
}

gint64
pa_http_response_get_retry_after_us (PaHttpResponse *self)
{
  const char *value;
  const char *date;
  guint64 seconds;
  g_autoptr(GDateTime) when = NULL;
  g_autoptr(GDateTime) now = NULL;

  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), -1);

  value = soup_message_headers_get_one (self->headers, "Retry-After");
  if (value == NULL)
    return -1;

  while (g_ascii_isspace (*value))
    value++;

  if (g_ascii_isdigit (*value))
    {
      g_autofree char *trimmed = g_strstrip (g_strdup (value));

      if (!g_ascii_string_to_unsigned (trimmed, 10, 0, G_MAXINT64 / G_USEC_PER_SEC,
                                       &seconds, NULL))
        return -1;
      return (gint64) seconds * G_USEC_PER_SEC;
    }

  when = soup_date_time_new_from_http_string (value);
  if (when == NULL)
    return -1;

  /* Measure against the server's own clock when it sent one, so a skewed
   * local clock does not stretch or cut the wait. */
  date = soup_message_headers_get_one (self->headers, "Date");
  if (date != NULL)
    now = soup_date_time_new_from_http_string (date);
  if (now == NULL)
    now = g_date_time_new_now_utc ();

  return MAX (g_date_time_difference (when, now), 0);
}

/* json-glib parses recursively: a deep enough answer would overflow the
 * stack, so none is parsed before its depth and size are known. */
static gboolean
check_json_bounds (PaHttpResponse  *self,
                   const char      *data,
                   gsize            size,
                   GError         **error)
{
  g_autofree char *what = g_strdup_printf (_("The answer from %s"), self->host);

  return pa_json_check_bounds (data, size, PA_LIMIT_RESPONSE_BYTES, PA_ERROR_PROTOCOL,
                               what, error);
}

/* A body labelled as something else is not read as JSON, even when it
 * would parse: a proxy's or captive portal's page, or a server that is
 * not the one the base URL was meant for. No label at all is let through:
 * the parser decides. */
static gboolean
check_json_content_type (PaHttpResponse  *self,
                         GError         **error)
{
  const char *content_type;
  g_autofree char *lower = NULL;

  content_type = soup_message_headers_get_content_type (self->headers, NULL);
  if (content_type == NULL)
    return TRUE;

  lower = g_ascii_strdown (content_type, -1);
  if (g_str_equal (lower, "application/json") || g_str_has_suffix (lower, "+json"))
    return TRUE;

  {
    g_autofree char *shown = pa_text_sanitize_line (content_type, -1, 80);

    g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                 _("%s answered with “%s” where JSON was expected: check the base URL"),
                 self->host, shown);
  }
  return FALSE;
}

JsonNode *
pa_http_response_get_json (PaHttpResponse  *self,
                           GError         **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize size;
  const char *data;

  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), NULL);

  if (self->json != NULL)
    return self->json;

  data = g_bytes_get_data (self->body, &size);
  if (size == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s sent an empty response where JSON was expected"), self->host);
      return NULL;
    }
  if (size > G_MAXSSIZE)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s sent a response too large to read"), self->host);
      return NULL;
    }
  if (!check_json_content_type (self, error) ||
      !check_json_bounds (self, data, size, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, &local_error) ||
      json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("%s sent malformed or incomplete JSON (%s)"), self->host,
                   local_error != NULL ? local_error->message : _("no value"));
      return NULL;
    }

  self->json = json_node_ref (json_parser_get_root (parser));
  return self->json;
}

int
pa_http_status_to_error_code (guint status)
{
  if (status >= 200 && status < 300)
    return -1;
  switch (status)
    {
    case 401:
    case 403:
      return PA_ERROR_AUTH;
    case 404:
    case 410:
      return PA_ERROR_NOT_FOUND;
    case 408:
      return PA_ERROR_TIMEOUT;
    case 429:
      return PA_ERROR_RATE_LIMITED;
    default:
      break;
    }
  if (status >= 500 && status < 600)
    return PA_ERROR_SERVER;
  if (status >= 400 && status < 500)
    return PA_ERROR_INVALID_INPUT;
  return PA_ERROR_PROTOCOL;
}

static const char *
string_member (JsonObject *object,
               const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

/* Most APIs explain a failure in the body: {"error": {"message": …}},
 * {"error": "…"}, {"message": …} or {"detail": …}. */
static char *
peer_message (PaHttpResponse *self)
{
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;
  JsonObject *object;
  JsonNode *inner;
  const char *message = NULL;
  const char *data;
  gsize size;

  data = g_bytes_get_data (self->body, &size);
  if (size == 0 || size > G_MAXSSIZE || !check_json_bounds (self, data, size, NULL))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) size, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return NULL;

  object = json_node_get_object (root);
  inner = json_object_get_member (object, "error");
  if (inner != NULL && JSON_NODE_HOLDS_OBJECT (inner))
    message = string_member (json_node_get_object (inner), "message");
  if (message == NULL)
    message = string_member (object, "error");
  if (message == NULL)
    message = string_member (object, "message");
  if (message == NULL)
    message = string_member (object, "detail");
  if (message == NULL || *message == '\0')
    return NULL;

  /* It goes to a terminal or a label: one line, nothing that moves the
   * cursor, rings, changes colours or reorders text. */
  return pa_text_sanitize_line (message, -1, PA_LIMIT_PEER_MESSAGE_CHARS);
}

gboolean
pa_http_response_check (PaHttpResponse  *self,
                        GError         **error)
{
  g_autofree char *detail = NULL;
  g_autofree char *what = NULL;
  const char *hint = NULL;
  g_autofree char *hint_owned = NULL;
  int code;

  g_return_val_if_fail (PA_IS_HTTP_RESPONSE (self), FALSE);

  code = pa_http_status_to_error_code (self->status);
  if (code < 0)
    return TRUE;

  switch (code)
    {
    case PA_ERROR_AUTH:
      hint = _("Check the credentials under Accounts.");
      break;
    case PA_ERROR_RATE_LIMITED:
      {
        gint64 wait = pa_http_response_get_retry_after_us (self);

        if (wait >= 0)
          hint = hint_owned = g_strdup_printf (_("Too many requests: try again in %d s."),
                                               (int) MIN ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                                                          G_MAXINT));
        else
          hint = _("Too many requests: try again later.");
      }
      break;
    case PA_ERROR_TIMEOUT:
      hint = _("It took too long: try again.");
      break;
    case PA_ERROR_SERVER:
      hint = _("The service has a problem: try again later.");
      break;
    default:
      break;
    }

  detail = peer_message (self);
  /* The hint starts a new sentence; avoid "..". */
  if (detail != NULL && g_str_has_suffix (detail, "."))
    detail[strlen (detail) - 1] = '\0';
  what = g_strdup_printf (_("%s answered %u %s"), self->host, self->status,
                          pa_http_response_get_reason (self));

  if (detail != NULL && hint != NULL)
    g_set_error (error, PA_ERROR, code, "%s: %s. %s", what, detail, hint);
  else if (detail != NULL)
    g_set_error (error, PA_ERROR, code, "%s: %s", what, detail);
  else if (hint != NULL)
    g_set_error (error, PA_ERROR, code, "%s. %s", what, hint);
  else
    g_set_error (error, PA_ERROR, code, "%s", what);
  return FALSE;
}
