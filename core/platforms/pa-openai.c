/* pa-openai.c — OpenAI, and servers that speak its API
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-json-private.h"
#include "pa-limits.h"
#include "pa-platform-private.h"

#include "pa-openai.h"
#include "pa-openai-private.h"

#define OPENAI_HOST  "api.openai.com"

G_DEFINE_FINAL_TYPE (PaOpenai, pa_openai, PA_TYPE_PLATFORM)

/* ---- the server ------------------------------------------------------- */

/* "host[:port]" of the base URL, for names and messages. */
char *
pa_openai_dup_base_host (PaOpenai *self)
{
  const char *base_url = pa_platform_get_base_url (PA_PLATFORM (self));
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  int port;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (base_url);

  port = g_uri_get_port (uri);
  if (port == -1)
    return g_strdup (g_uri_get_host (uri));
  return g_strdup_printf ("%s:%d", g_uri_get_host (uri), port);
}

static gboolean
is_openai_itself (PaOpenai *self)
{
  g_autofree char *host = pa_openai_dup_base_host (self);

  return g_ascii_strcasecmp (host, OPENAI_HOST) == 0;
}

/* ---- errors ----------------------------------------------------------- */

void
pa_openai_set_not_offered (GError     **error,
                           const char  *host,
                           const char  *path)
{
  g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
               _("This server (%s) does not offer %s: use a server that does, or another action"),
               host, path);
}

/* OpenAI explains failures as {"error": {"message", "type", "code"}};
 * some compatible servers send {"error": "message"}. */
static void
error_parts (PaHttpResponse  *response,
             char           **message,
             char           **type,
             char           **code)
{
  g_autoptr(JsonNode) root = NULL;
  GBytes *body = pa_http_response_get_body (response);
  JsonNode *inner;
  JsonObject *error;
  gsize size;
  const char *data = g_bytes_get_data (body, &size);

  *message = *type = *code = NULL;

  /* An error body that cannot be read leaves the status to speak. */
  if (size == 0 || size > G_MAXSSIZE)
    return;
  root = pa_json_parse_bounded (data, (gssize) size, PA_LIMIT_RESPONSE_BYTES,
                                PA_ERROR_PROTOCOL, "error body", NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return;

  inner = json_object_get_member (json_node_get_object (root), "error");
  if (inner == NULL)
    return;
  if (JSON_NODE_HOLDS_VALUE (inner) && json_node_get_value_type (inner) == G_TYPE_STRING)
    {
      *message = g_strdup (json_node_get_string (inner));
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (inner))
    return;

  error = json_node_get_object (inner);
  *message = g_strdup (pa_json_get_string (error, "message"));
  *type = g_strdup (pa_json_get_string (error, "type"));
  *code = g_strdup (pa_json_get_string (error, "code"));
}

static gboolean
mentions_model (const char *message,
                const char *code)
{
  g_autofree char *lower = message != NULL ? g_ascii_strdown (message, -1) : NULL;

  return g_strcmp0 (code, "model_not_found") == 0 ||
         (lower != NULL && strstr (lower, "model") != NULL);
}

static gboolean
pa_openai_parse_error (PaPlatform      *platform,
                       PaHttpResponse  *response,
                       GError         **error)
{
  guint status = pa_http_response_get_status (response);
  g_autofree char *message = NULL;
  g_autofree char *type = NULL;
  g_autofree char *code = NULL;
  GError *local_error = NULL;

  if (status >= 200 && status < 300)
    return TRUE;

  error_parts (response, &message, &type, &code);

  /* A server without the endpoint answers 404 (or 405, 501), but OpenAI
   * also answers 404 for an unknown model. Only the caller knows which
   * endpoint it asked for, so that case is accepted and left to it. */
  if ((status == 404 || status == 405 || status == 501) && !mentions_model (message, code))
    return TRUE;

  if (g_strcmp0 (code, "insufficient_quota") == 0 || g_strcmp0 (type, "insufficient_quota") == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("%s: %s Check the plan and billing of this account."),
                   pa_http_response_get_host (response),
                   message != NULL ? message : _("The quota is used up."));
      return FALSE;
    }

  pa_http_response_check (response, &local_error);
  g_assert (local_error != NULL);

  if (g_strcmp0 (code, "invalid_api_key") == 0)
    local_error->code = PA_ERROR_AUTH;
  else if (g_strcmp0 (code, "model_not_found") == 0)
    local_error->code = PA_ERROR_NOT_FOUND;

  g_propagate_error (error, local_error);
  return FALSE;
}

/* TRUE for a 2xx answer to @path. Otherwise FALSE and the peer's error,
 * or, where parse_error accepted the status, that the server does not
 * offer @path. */
gboolean
pa_openai_check_offered (PaPlatform      *self,
                         PaHttpResponse  *response,
                         const char      *path,
                         GError         **error)
{
  guint status = pa_http_response_get_status (response);

  if (status >= 200 && status < 300)
    return TRUE;

  if (PA_PLATFORM_GET_CLASS (self)->parse_error (self, response, error))
    pa_openai_set_not_offered (error, pa_http_response_get_host (response), path);
  return FALSE;
}

/* ---- requests --------------------------------------------------------- */

/* Makes the value a call returns of the JSON object of its answer; @host
 * names the server in messages. */
typedef gpointer (*ReadFunc) (PaOpenai    *self,
                              JsonObject  *object,
                              const char  *host,
                              GError     **error);

typedef struct {
  char           *path;
  ReadFunc        read;
  GDestroyNotify  free_value;
} RequestData;

static void
request_data_free (RequestData *data)
{
  g_free (data->path);
  g_free (data);
}

static void
request_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaOpenai *self = PA_OPENAI (source);
  RequestData *data = g_task_get_task_data (task);
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *host = NULL;
  GError *error = NULL;
  gpointer value = NULL;

  response = pa_platform_send_finish (PA_PLATFORM (self), result, &error);
  if (response != NULL && pa_openai_check_offered (PA_PLATFORM (self), response, data->path, &error))
    root = pa_platform_response_dup_object (response, pa_http_response_get_host (response), &error);
  if (root != NULL)
    {
      host = pa_openai_dup_base_host (self);
      value = data->read (self, json_node_get_object (root), host, &error);
    }
  if (value == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, value, data->free_value);
}

/* Sends @body (may be NULL) to @path and completes @task with what @read
 * makes of the JSON object of a 2xx answer (freed by @free_value if
 * nobody takes it); a missing endpoint becomes a clear
 * PA_ERROR_NOT_FOUND. */
static void
openai_request_async (PaOpenai       *self,
                      const char     *method,
                      const char     *path,
                      JsonNode       *body,
                      ReadFunc        read,
                      GDestroyNotify  free_value,
                      GTask          *task)
{
  g_autoptr(PaHttpRequest) request = pa_platform_new_request (PA_PLATFORM (self), method, path);
  RequestData *data = g_new0 (RequestData, 1);

  data->path = g_strdup (path);
  data->read = read;
  data->free_value = free_value;
  g_task_set_task_data (task, data, (GDestroyNotify) request_data_free);

  /* The contract offers an event stream too: ask for the JSON answer. */
  pa_http_request_set_header (request, "Accept", "application/json");
  if (body != NULL)
    pa_http_request_set_json_body (request, body);

  pa_platform_send_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                          request_cb, g_object_ref (task));
}

/* ---- check ------------------------------------------------------------ */

static gpointer
read_models (PaOpenai    *self,
             JsonObject  *object,
             const char  *host,
             GError     **error)
{
  JsonArray *models = pa_json_get_array (object, "data");
  g_autofree char *detail = NULL;
  guint n;

  if (models == NULL)
    {
      pa_platform_set_protocol_error (error, host, _("no list of models"));
      return NULL;
    }

  n = json_array_get_length (models);
  detail = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u model", "%u models", n), n);
  return pa_identity_new (host, is_openai_itself (self) ? "OpenAI" : host, detail);
}

static void
pa_openai_check_async (PaPlatform          *platform,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (platform, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_openai_check_async);
  openai_request_async (PA_OPENAI (platform), "GET", "/models", NULL,
                        read_models, (GDestroyNotify) pa_identity_free, task);
}

static PaIdentity *
pa_openai_check_finish (PaPlatform    *platform,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- chat ------------------------------------------------------------- */

JsonArray *
pa_openai_messages_add (JsonArray  *messages,
                        const char *role,
                        const char *content)
{
  JsonObject *message;

  g_return_val_if_fail (role != NULL, messages);
  g_return_val_if_fail (content != NULL, messages);

  if (messages == NULL)
    messages = json_array_new ();

  message = json_object_new ();
  json_object_set_string_member (message, "role", role);
  json_object_set_string_member (message, "content", content);
  json_array_add_object_element (messages, message);
  return messages;
}

JsonNode *
pa_openai_chat_body (const char  *model,
                     JsonArray   *messages,
                     double       temperature,
                     guint        max_tokens,
                     gboolean     stream,
                     GError     **error)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  if (model == NULL || *model == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("Choose a model for the chat"));
      return NULL;
    }
  if (messages == NULL || json_array_get_length (messages) == 0)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("A chat needs at least one message"));
      return NULL;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "model");
  json_builder_add_string_value (builder, model);
  json_builder_set_member_name (builder, "messages");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), messages));
  if (temperature >= 0)
    {
      json_builder_set_member_name (builder, "temperature");
      json_builder_add_double_value (builder, temperature);
    }
  if (max_tokens > 0)
    {
      json_builder_set_member_name (builder, "max_tokens");
      json_builder_add_int_value (builder, max_tokens);
    }
  if (stream)
    {
      json_builder_set_member_name (builder, "stream");
      json_builder_add_boolean_value (builder, TRUE);
      /* Without this a stream carries no token counts. */
      json_builder_set_member_name (builder, "stream_options");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "include_usage");
      json_builder_add_boolean_value (builder, TRUE);
      json_builder_end_object (builder);
    }
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

void
pa_openai_read_usage (PaOpenaiChatResult *chat,
                      JsonObject         *usage)
{
  if (usage == NULL)
    return;

  chat->has_usage = TRUE;
  pa_json_get_int (usage, "prompt_tokens", &chat->prompt_tokens);
  pa_json_get_int (usage, "completion_tokens", &chat->completion_tokens);
  if (!pa_json_get_int (usage, "total_tokens", &chat->total_tokens))
    chat->total_tokens = chat->prompt_tokens + chat->completion_tokens;
}

/* A whole (not streamed) chat completion. */
PaOpenaiChatResult *
pa_openai_parse_chat (JsonObject  *object,
                      const char  *host,
                      GError     **error)
{
  g_autoptr(PaOpenaiChatResult) chat = g_new0 (PaOpenaiChatResult, 1);
  JsonObject *choice = pa_json_array_get_first_object (pa_json_get_array (object, "choices"));
  JsonObject *message = pa_json_get_object (choice, "message");

  if (choice == NULL || message == NULL)
    {
      pa_platform_set_protocol_error (error, host, _("no choices in the chat completion"));
      return NULL;
    }

  /* content is null when the model refused or called a tool. */
  chat->text = g_strdup (pa_json_get_string (message, "content"));
  if (chat->text == NULL)
    chat->text = g_strdup ("");
  chat->finish_reason = g_strdup (pa_json_get_string (choice, "finish_reason"));
  chat->model = g_strdup (pa_json_get_string (object, "model"));
  pa_openai_read_usage (chat, pa_json_get_object (object, "usage"));

  return g_steal_pointer (&chat);
}

static gpointer
read_chat (PaOpenai    *self,
           JsonObject  *object,
           const char  *host,
           GError     **error)
{
  return pa_openai_parse_chat (object, host, error);
}

void
pa_openai_chat_async (PaOpenai            *self,
                      const char          *model,
                      JsonArray           *messages,
                      double               temperature,
                      guint                max_tokens,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonNode) body = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_OPENAI (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_openai_chat_async);

  body = pa_openai_chat_body (model, messages, temperature, max_tokens, FALSE, &error);
  if (body == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  openai_request_async (self, "POST", "/chat/completions", body,
                        read_chat, (GDestroyNotify) pa_openai_chat_result_free, task);
}

PaOpenaiChatResult *
pa_openai_chat_finish (PaOpenai      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- images ----------------------------------------------------------- */

static gpointer
read_images (PaOpenai    *self,
             JsonObject  *object,
             const char  *host,
             GError     **error)
{
  g_autoptr(GPtrArray) images = NULL;
  JsonArray *data;

  images = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_openai_image_free);
  data = pa_json_get_array (object, "data");
  for (guint i = 0; data != NULL && i < json_array_get_length (data); i++)
    {
      JsonNode *node = json_array_get_element (data, i);
      g_autoptr(PaOpenaiImage) image = g_new0 (PaOpenaiImage, 1);
      JsonObject *item;
      const char *b64;
      const char *url;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          pa_platform_set_protocol_error (error, host, _("an image that is not an object"));
          return NULL;
        }
      item = json_node_get_object (node);
      b64 = pa_json_get_string (item, "b64_json");
      url = pa_json_get_string (item, "url");

      if (b64 != NULL)
        {
          gsize len = 0;
          guchar *decoded = g_base64_decode (b64, &len);

          image->bytes = g_bytes_new_take (decoded, len);
        }
      else if (url != NULL)
        {
          image->url = g_strdup (url);
        }
      else
        {
          pa_platform_set_protocol_error (error, host, _("an image with neither data nor address"));
          return NULL;
        }
      image->revised_prompt = g_strdup (pa_json_get_string (item, "revised_prompt"));
      g_ptr_array_add (images, g_steal_pointer (&image));
    }

  return g_steal_pointer (&images);
}

void
pa_openai_generate_images_async (PaOpenai            *self,
                                 const char          *model,
                                 const char          *prompt,
                                 const char          *size,
                                 guint                n,
                                 PaOpenaiImageFormat  format,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (PA_IS_OPENAI (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_openai_generate_images_async);

  if (prompt == NULL || *prompt == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               "%s", _("Describe the image to generate"));
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "prompt");
  json_builder_add_string_value (builder, prompt);
  if (model != NULL && *model != '\0')
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, model);
    }
  if (size != NULL && *size != '\0')
    {
      json_builder_set_member_name (builder, "size");
      json_builder_add_string_value (builder, size);
    }
  if (n > 0)
    {
      json_builder_set_member_name (builder, "n");
      json_builder_add_int_value (builder, n);
    }
  if (format != PA_OPENAI_IMAGE_FORMAT_DEFAULT)
    {
      json_builder_set_member_name (builder, "response_format");
      json_builder_add_string_value (builder,
                                     format == PA_OPENAI_IMAGE_FORMAT_URL ? "url" : "b64_json");
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  openai_request_async (self, "POST", "/images/generations", body,
                        read_images, (GDestroyNotify) g_ptr_array_unref, task);
}

GPtrArray *
pa_openai_generate_images_finish (PaOpenai      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- moderation ------------------------------------------------------- */

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

static gpointer
read_moderation (PaOpenai    *self,
                 JsonObject  *object,
                 const char  *host,
                 GError     **error)
{
  g_autoptr(PaOpenaiModeration) moderation = NULL;
  g_autoptr(GPtrArray) names = NULL;
  JsonArray *results;

  results = pa_json_get_array (object, "results");
  if (results == NULL)
    {
      pa_platform_set_protocol_error (error, host, _("no moderation results"));
      return NULL;
    }

  moderation = g_new0 (PaOpenaiModeration, 1);
  moderation->model = g_strdup (pa_json_get_string (object, "model"));
  names = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonNode *node = json_array_get_element (results, i);
      JsonObject *item;
      JsonObject *categories;
      JsonNode *flagged;
      g_autoptr(GList) members = NULL;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;
      item = json_node_get_object (node);

      flagged = json_object_get_member (item, "flagged");
      if (flagged != NULL && JSON_NODE_HOLDS_VALUE (flagged) &&
          json_node_get_value_type (flagged) == G_TYPE_BOOLEAN && json_node_get_boolean (flagged))
        moderation->flagged = TRUE;

      categories = pa_json_get_object (item, "categories");
      if (categories == NULL)
        continue;
      members = json_object_get_members (categories);
      for (GList *l = members; l != NULL; l = l->next)
        {
          JsonNode *value = json_object_get_member (categories, l->data);

          /* Several inputs may flag the same category: list it once. */
          if (JSON_NODE_HOLDS_VALUE (value) &&
              json_node_get_value_type (value) == G_TYPE_BOOLEAN &&
              json_node_get_boolean (value) &&
              !g_ptr_array_find_with_equal_func (names, l->data, g_str_equal, NULL))
            g_ptr_array_add (names, l->data);
        }
    }

  g_ptr_array_sort (names, compare_names);
  moderation->categories = g_new0 (char *, names->len + 1);
  for (guint i = 0; i < names->len; i++)
    moderation->categories[i] = g_strdup (names->pdata[i]);

  return g_steal_pointer (&moderation);
}

void
pa_openai_moderate_async (PaOpenai            *self,
                          const char          *model,
                          const char          *input,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;

  g_return_if_fail (PA_IS_OPENAI (self));
  g_return_if_fail (input != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_openai_moderate_async);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "input");
  json_builder_add_string_value (builder, input);
  if (model != NULL && *model != '\0')
    {
      json_builder_set_member_name (builder, "model");
      json_builder_add_string_value (builder, model);
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  openai_request_async (self, "POST", "/moderations", body,
                        read_moderation, (GDestroyNotify) pa_openai_moderation_free, task);
}

PaOpenaiModeration *
pa_openai_moderate_finish (PaOpenai      *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the object ------------------------------------------------------- */

static void
pa_openai_class_init (PaOpenaiClass *klass)
{
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  platform_class->platform_id = "openai";
  platform_class->check_async = pa_openai_check_async;
  platform_class->check_finish = pa_openai_check_finish;
  platform_class->parse_error = pa_openai_parse_error;
}

static void
pa_openai_init (PaOpenai *self)
{
  self->stream_idle_timeout_s = PA_OPENAI_DEFAULT_STREAM_IDLE_TIMEOUT_S;
  self->stream_max_bytes = PA_LIMIT_STREAM_TOTAL_BYTES;
}

PaOpenai *
pa_openai_new (PaHttp     *http,
               const char *profile,
               const char *base_url)
{
  return pa_platform_new_of_type (PA_TYPE_OPENAI, http, profile, base_url);
}
