/* pa-platform.c — what every platform client shares
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-keyring-credentials.h"
#include "pa-platform.h"
#include "pa-platform-private.h"

#include "pa-agora.h"
#include "pa-n8n.h"
#include "pa-openai.h"
#include "pa-replicate.h"
#include "pa-stripe.h"
#include "pa-vercel.h"

typedef struct
{
  const PaPlatformInfo *info;
  PaHttp               *http;
  char                 *profile;
  char                 *base_url;
} PaPlatformPrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (PaPlatform, pa_platform, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_HTTP,
  PROP_PROFILE,
  PROP_BASE_URL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static gboolean
pa_platform_real_parse_error (PaPlatform      *self,
                              PaHttpResponse  *response,
                              GError         **error)
{
  return pa_http_response_check (response, error);
}

static void
pa_platform_constructed (GObject *object)
{
  PaPlatform *self = PA_PLATFORM (object);
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);
  PaPlatformClass *klass = PA_PLATFORM_GET_CLASS (self);

  G_OBJECT_CLASS (pa_platform_parent_class)->constructed (object);

  priv->info = pa_platform_info_lookup (klass->platform_id);
  g_assert (priv->info != NULL);

  if (priv->http == NULL)
    priv->http = g_object_ref (pa_platform_get_default_http ());
  if (priv->profile == NULL)
    priv->profile = g_strdup ("default");
  if (priv->base_url == NULL)
    priv->base_url = g_strdup (priv->info->default_base_url);
}

static void
pa_platform_finalize (GObject *object)
{
  PaPlatform *self = PA_PLATFORM (object);
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  g_clear_object (&priv->http);
  g_clear_pointer (&priv->profile, g_free);
  g_clear_pointer (&priv->base_url, g_free);

  G_OBJECT_CLASS (pa_platform_parent_class)->finalize (object);
}

static void
pa_platform_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  PaPlatform *self = PA_PLATFORM (object);
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_HTTP:
      g_value_set_object (value, priv->http);
      break;
    case PROP_PROFILE:
      g_value_set_string (value, priv->profile);
      break;
    case PROP_BASE_URL:
      g_value_set_string (value, priv->base_url);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_platform_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  PaPlatform *self = PA_PLATFORM (object);
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);
  const char *str;

  switch (prop_id)
    {
    case PROP_HTTP:
      priv->http = g_value_dup_object (value);
      break;
    case PROP_PROFILE:
      str = g_value_get_string (value);
      priv->profile = str != NULL && str[0] != '\0' ? g_strdup (str) : NULL;
      break;
    case PROP_BASE_URL:
      /* A trailing slash would double up when paths are joined. */
      str = g_value_get_string (value);
      if (str != NULL && str[0] != '\0')
        {
          gsize len = strlen (str);

          while (len > 0 && str[len - 1] == '/')
            len--;
          priv->base_url = g_strndup (str, len);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_platform_class_init (PaPlatformClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->constructed = pa_platform_constructed;
  object_class->finalize = pa_platform_finalize;
  object_class->get_property = pa_platform_get_property;
  object_class->set_property = pa_platform_set_property;

  klass->parse_error = pa_platform_real_parse_error;

  properties[PROP_HTTP] =
    g_param_spec_object ("http", NULL, NULL, PA_TYPE_HTTP,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PROFILE] =
    g_param_spec_string ("profile", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_BASE_URL] =
    g_param_spec_string ("base-url", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_platform_init (PaPlatform *self)
{
}

PaPlatform *
pa_platform_new (const char  *platform_id,
                 PaHttp      *http,
                 const char  *profile,
                 const char  *base_url,
                 GError     **error)
{
  static const struct {
    const char *id;
    GType (*get_type) (void);
  } clients[] = {
    { "stripe", pa_stripe_get_type },
    { "openai", pa_openai_get_type },
    { "replicate", pa_replicate_get_type },
    { "vercel", pa_vercel_get_type },
    { "n8n", pa_n8n_get_type },
    { "agora", pa_agora_get_type },
  };

  g_return_val_if_fail (platform_id != NULL, NULL);
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  for (guint i = 0; i < G_N_ELEMENTS (clients); i++)
    {
      if (g_str_equal (clients[i].id, platform_id))
        return pa_platform_new_of_type (clients[i].get_type (), http, profile, base_url);
    }

  pa_platform_info_set_unknown_error (error, platform_id);
  return NULL;
}

gpointer
pa_platform_new_of_type (GType       type,
                         PaHttp     *http,
                         const char *profile,
                         const char *base_url)
{
  g_return_val_if_fail (g_type_is_a (type, PA_TYPE_PLATFORM), NULL);
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  return g_object_new (type,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}

const char *
pa_platform_get_id (PaPlatform *self)
{
  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);
  return PA_PLATFORM_GET_CLASS (self)->platform_id;
}

const PaPlatformInfo *
pa_platform_get_info (PaPlatform *self)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);
  return priv->info;
}

PaHttp *
pa_platform_get_http (PaPlatform *self)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);
  return priv->http;
}

const char *
pa_platform_get_profile (PaPlatform *self)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);
  return priv->profile;
}

const char *
pa_platform_get_base_url (PaPlatform *self)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);

  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);
  return priv->base_url;
}

void
pa_platform_check_async (PaPlatform          *self,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (PA_IS_PLATFORM (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  PA_PLATFORM_GET_CLASS (self)->check_async (self, cancellable, callback, user_data);
}

PaIdentity *
pa_platform_check_finish (PaPlatform    *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);

  return PA_PLATFORM_GET_CLASS (self)->check_finish (self, result, error);
}

PaHttp *
pa_platform_get_default_http (void)
{
  PaHttp *http = pa_http_get_default ();

  /* The transport knows no keyring; keys of the user's accounts live
   * there, so the client every account uses reads it unless told
   * otherwise. */
  if (pa_http_get_credential_provider (http) == NULL)
    {
      g_autoptr(PaKeyringCredentials) keyring = pa_keyring_credentials_new (NULL);

      pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (keyring));
    }
  return http;
}

/* The platform's credentials, looked up by the client's credential
 * provider (the keyring, for the app) when the request is sent; the
 * scope is the platform id. */
static void
set_request_auth (PaHttpRequest        *request,
                  const PaPlatformInfo *info,
                  const char           *profile)
{
  const char *field;

  field = (info->fields != NULL && info->fields[0].name != NULL) ? info->fields[0].name : NULL;

  switch (info->auth)
    {
    case PA_AUTH_NONE:
      pa_http_request_clear_auth (request);
      break;
    case PA_AUTH_BEARER:
      pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, info->id, profile,
                                         NULL, field, NULL, info->key_optional);
      break;
    case PA_AUTH_BASIC:
      pa_http_request_set_deferred_auth (request, PA_AUTH_BASIC, info->id, profile, NULL,
                                         info->basic_user_field, info->basic_password_field,
                                         info->key_optional);
      break;
    case PA_AUTH_HEADER:
      pa_http_request_set_deferred_auth (request, PA_AUTH_HEADER, info->id, profile,
                                         info->auth_header, field, NULL, info->key_optional);
      break;
    default:
      g_return_if_reached ();
    }
}

PaHttpRequest *
pa_platform_new_request (PaPlatform *self,
                         const char *method,
                         const char *path)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);
  PaHttpRequest *request;

  g_return_val_if_fail (PA_IS_PLATFORM (self), NULL);

  request = pa_http_request_new (method, priv->base_url, path);
  set_request_auth (request, priv->info, priv->profile);
  /* An http:// base URL on another machine reaches an account only with
   * its owner's explicit consent (--insecure-http); the key may go there,
   * and to no other host over plain HTTP. */
  pa_http_request_set_allow_insecure_http (request, TRUE);
  pa_http_request_set_breaker_key (request, priv->info->id);

  return request;
}

static void
send_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaPlatform *self = g_task_get_source_object (task);
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;
  guint status;

  response = pa_http_send_finish (PA_HTTP (source), result, &error);
  if (response == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  status = pa_http_response_get_status (response);
  if (status < 200 || status >= 300)
    {
      if (!PA_PLATFORM_GET_CLASS (self)->parse_error (self, response, &error) && error != NULL)
        {
          g_task_return_error (task, error);
          return;
        }
      /* A parse_error that accepts the status lets the caller decide. */
      g_clear_error (&error);
    }

  g_task_return_pointer (task, g_steal_pointer (&response), g_object_unref);
}

void
pa_platform_send_async (PaPlatform          *self,
                        PaHttpRequest       *request,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  PaPlatformPrivate *priv = pa_platform_get_instance_private (self);
  GTask *task;

  g_return_if_fail (PA_IS_PLATFORM (self));
  g_return_if_fail (PA_IS_HTTP_REQUEST (request));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_platform_send_async);

  pa_http_send_async (priv->http, request, cancellable, send_cb, task);
}

PaHttpResponse *
pa_platform_send_finish (PaPlatform    *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Completes the task with the JSON of the answer; where the task's data
 * says an object is wanted, anything else is a protocol error. */
static void
send_json_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaPlatformPrivate *priv = pa_platform_get_instance_private (PA_PLATFORM (source));
  gboolean want_object = GPOINTER_TO_INT (g_task_get_task_data (task));
  g_autoptr(PaHttpResponse) response = NULL;
  JsonNode *root = NULL;
  GError *error = NULL;

  response = pa_platform_send_finish (PA_PLATFORM (source), result, &error);
  if (response != NULL && want_object)
    root = pa_platform_response_dup_object (response, priv->info->display_name, &error);
  else if (response != NULL && (root = pa_http_response_get_json (response, &error)) != NULL)
    json_node_ref (root);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

static void
send_json (PaPlatform          *self,
           PaHttpRequest       *request,
           gboolean             want_object,
           gpointer             source_tag,
           GCancellable        *cancellable,
           GAsyncReadyCallback  callback,
           gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_PLATFORM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, GINT_TO_POINTER (want_object), NULL);

  pa_platform_send_async (self, request, cancellable, send_json_cb, task);
}

void
pa_platform_send_json_async (PaPlatform          *self,
                             PaHttpRequest       *request,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  send_json (self, request, FALSE, pa_platform_send_json_async, cancellable, callback, user_data);
}

JsonNode *
pa_platform_send_json_finish (PaPlatform    *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_platform_set_protocol_error (GError     **error,
                                const char  *peer,
                                const char  *what)
{
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("%s sent an answer PlayAlter does not understand (%s)"), peer, what);
}

JsonNode *
pa_platform_response_dup_object (PaHttpResponse  *response,
                                 const char      *peer,
                                 GError         **error)
{
  JsonNode *json;

  json = pa_http_response_get_json (response, error);
  if (json == NULL)
    return NULL;
  if (!JSON_NODE_HOLDS_OBJECT (json))
    {
      pa_platform_set_protocol_error (error, peer, _("not a JSON object"));
      return NULL;
    }
  return json_node_ref (json);
}

void
pa_platform_send_object_async (PaPlatform          *self,
                               PaHttpRequest       *request,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  send_json (self, request, TRUE, pa_platform_send_object_async, cancellable, callback, user_data);
}

JsonObject *
pa_platform_send_object_finish (PaPlatform    *self,
                                GAsyncResult  *result,
                                JsonNode     **root,
                                GError       **error)
{
  g_return_val_if_fail (root != NULL, NULL);

  *root = pa_platform_send_json_finish (self, result, error);
  return *root != NULL ? json_node_get_object (*root) : NULL;
}

/* GLib's URL parser removes "." and ".." segments, and servers (or the
 * proxies before them) may decode %2e, %2f or a backslash before they
 * route: an id made of those would reach another endpoint than the one
 * its request was built for. Ids are never made of them, so refusing
 * them costs nothing. */
static gboolean
is_safe_id (const char *id)
{
  if (id == NULL || *id == '\0' || g_str_equal (id, ".") || g_str_equal (id, ".."))
    return FALSE;

  for (const char *p = id; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == '?' || c == '#' || c == '%')
        return FALSE;
    }

  return g_utf8_validate (id, -1, NULL);
}

char *
pa_platform_escape_id (const char  *id,
                       const char  *what,
                       GError     **error)
{
  g_return_val_if_fail (what != NULL, NULL);

  if (!is_safe_id (id))
    {
      g_autofree char *shown = id != NULL ? g_strescape (id, NULL) : g_strdup ("");

      /* Translators: the first %s is the id as given, the second what it
       * names, e.g. "Stripe checkout session id". */
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a valid %s: an id cannot be empty, “.” or “..”, "
                     "or hold /, \\, ?, # or %%"),
                   shown, what);
      return NULL;
    }

  return g_uri_escape_string (id, NULL, FALSE);
}
