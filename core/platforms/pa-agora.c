/* pa-agora.c — Agora: Media Gateway REST client and the token check
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-agora.h"
#include "pa-json-private.h"

/* The Media Gateway REST API, as Agora documents it:
 *   https://docs.agora.io/en/api-reference/api-ref/rtmp-gateway
 *   (base URL https://api.agora.io/{region}/v1/projects/{appId}; region
 *   na, eu, ap or cn; HTTP Basic auth with the customer ID and secret)
 *   create-streaming-key   POST   …/rtls/ingress/streamkeys
 *                          body {"settings": {"channel", "uid", "expiresAfter"}}
 *   query-streaming-key    GET    …/rtls/ingress/streamkeys/{streamkey}
 *   delete-streaming-key   DELETE …/rtls/ingress/streamkeys/{streamkey}
 *   query-streaming-list   GET    …/rtls/ingress/online-streams[?channel=]
 * Answers are {"status": "success", "data": {…}}; the key's data holds
 * streamKey, channel, uid, expiresAfter (seconds, 0 = never) and createdAt
 * (Unix seconds, documented as a string). Failures carry {"message": …},
 * which PaPlatform's default error parsing already reads.
 * An online stream is read with the fields Agora documents for the
 * gateway's live_stream_connected event (media-gateway-event-types: sid,
 * region, domain, streamKey, rtcInfo {channel, uid}, beginAt). The list's
 * envelope was not confirmed against a live answer, so the list is read
 * from data.items, or from data itself when that is an array.
 *
 * Ingest: an encoder pushes RTMP to rtls-ingress-prod-<region>.agoramdn.com
 * with the path /live and the streaming key, per
 *   https://docs.agora.io/en/realtime-media/rtmp-gateway/quickstart
 *
 * Agora has no REST "who am I": check proves what it can offline (the app
 * ID and certificate are in the keyring and sign a token that verifies)
 * and, when a customer ID and secret are saved, lists the online streams,
 * a read-only call that fails without valid REST credentials. */

#define INGEST_HOST_FORMAT "rtls-ingress-prod-%s.agoramdn.com"
#define CHECK_CHANNEL      "playalter-check"
#define CHECK_EXPIRE_S     60
#define ID_PREFIX_CHARS    8

struct _PaAgora
{
  PaPlatform  parent_instance;

  char       *region;
  PaSecrets  *secrets;
};

G_DEFINE_FINAL_TYPE (PaAgora, pa_agora, PA_TYPE_PLATFORM)

enum {
  PROP_0,
  PROP_REGION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char * const regions[] = { "na", "eu", "ap", "cn", NULL };

/* ---- plain data ---------------------------------------------------------- */

void
pa_agora_stream_key_free (PaAgoraStreamKey *key)
{
  if (key == NULL)
    return;

  g_free (key->stream_key);
  g_free (key->channel);
  g_free (key->uid);
  g_free (key);
}

void
pa_agora_online_stream_free (PaAgoraOnlineStream *stream)
{
  if (stream == NULL)
    return;

  g_free (stream->sid);
  g_free (stream->stream_key);
  g_free (stream->channel);
  g_free (stream->uid);
  g_free (stream->region);
  g_free (stream->domain);
  g_free (stream->begin_at);
  g_free (stream);
}

gboolean
pa_agora_region_is_valid (const char *region)
{
  return region != NULL && g_strv_contains (regions, region);
}

char *
pa_agora_get_ingest_server (const char *region)
{
  g_autofree char *host = NULL;

  if (!pa_agora_region_is_valid (region))
    return NULL;

  host = g_strdup_printf (INGEST_HOST_FORMAT, region);
  return g_strdup_printf ("rtmp://%s/live", host);
}

char *
pa_agora_build_ingest_url (const char *region,
                           const char *stream_key)
{
  g_autofree char *server = pa_agora_get_ingest_server (region);
  g_autofree char *escaped = NULL;

  g_return_val_if_fail (stream_key != NULL && stream_key[0] != '\0', NULL);

  if (server == NULL)
    return NULL;

  escaped = g_uri_escape_string (stream_key, NULL, FALSE);
  return g_strdup_printf ("%s/%s", server, escaped);
}

/* ---- object -------------------------------------------------------------- */

static void pa_agora_check_async (PaPlatform          *platform,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);
static PaIdentity *pa_agora_check_finish (PaPlatform    *platform,
                                          GAsyncResult  *result,
                                          GError       **error);

static void
pa_agora_finalize (GObject *object)
{
  PaAgora *self = PA_AGORA (object);

  g_clear_pointer (&self->region, g_free);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (pa_agora_parent_class)->finalize (object);
}

static void
pa_agora_get_property (GObject    *object,
                       guint       prop_id,
                       GValue     *value,
                       GParamSpec *pspec)
{
  PaAgora *self = PA_AGORA (object);

  switch (prop_id)
    {
    case PROP_REGION:
      g_value_set_string (value, self->region);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_agora_set_property (GObject      *object,
                       guint         prop_id,
                       const GValue *value,
                       GParamSpec   *pspec)
{
  PaAgora *self = PA_AGORA (object);

  switch (prop_id)
    {
    case PROP_REGION:
      pa_agora_set_region (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_agora_class_init (PaAgoraClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->finalize = pa_agora_finalize;
  object_class->get_property = pa_agora_get_property;
  object_class->set_property = pa_agora_set_property;

  platform_class->platform_id = "agora";
  platform_class->check_async = pa_agora_check_async;
  platform_class->check_finish = pa_agora_check_finish;

  /* Not validated here: a bad region is reported by the first call, as
   * an error the user can act on, rather than as a critical. */
  properties[PROP_REGION] =
    g_param_spec_string ("region", NULL, NULL, PA_AGORA_DEFAULT_REGION,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_agora_init (PaAgora *self)
{
  self->region = g_strdup (PA_AGORA_DEFAULT_REGION);
}

PaAgora *
pa_agora_new (PaHttp     *http,
              const char *profile,
              const char *base_url)
{
  return g_object_new (PA_TYPE_AGORA,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}

const char *
pa_agora_get_region (PaAgora *self)
{
  g_return_val_if_fail (PA_IS_AGORA (self), NULL);
  return self->region;
}

void
pa_agora_set_region (PaAgora    *self,
                     const char *region)
{
  g_return_if_fail (PA_IS_AGORA (self));

  if (region == NULL || region[0] == '\0')
    region = PA_AGORA_DEFAULT_REGION;
  if (g_strcmp0 (self->region, region) == 0)
    return;

  g_free (self->region);
  self->region = g_strdup (region);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REGION]);
}

void
pa_agora_set_secrets (PaAgora   *self,
                      PaSecrets *secrets)
{
  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (secrets == NULL || PA_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

static PaSecrets *
get_secrets (PaAgora *self)
{
  if (self->secrets == NULL)
    self->secrets = pa_secrets_new ();
  return self->secrets;
}

static gboolean
check_region (PaAgora  *self,
              GError  **error)
{
  if (pa_agora_region_is_valid (self->region))
    return TRUE;

  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("“%s” is not an Agora Media Gateway region. Choose one of: na, eu, ap, cn."),
               self->region);
  return FALSE;
}

/* ---- keyring lookups ----------------------------------------------------- */

/* Looks up several fields of this account, one after the other. The
 * result is a GPtrArray of the values (NULL where nothing is stored). */
typedef struct {
  const char * const *fields;
  guint               next;
  GPtrArray          *values;
} Lookup;

static void
lookup_free (Lookup *lookup)
{
  g_clear_pointer (&lookup->values, g_ptr_array_unref);
  g_free (lookup);
}

static void lookup_next (GTask *task);

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  GError *error = NULL;
  char *value;

  value = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  g_ptr_array_add (lookup->values, value);
  lookup_next (g_steal_pointer (&task));
}

static void
lookup_next (GTask *task)
{
  PaAgora *self = g_task_get_source_object (task);
  Lookup *lookup = g_task_get_task_data (task);
  const char *field = lookup->fields[lookup->next];

  if (field == NULL)
    {
      g_task_return_pointer (task, g_ptr_array_ref (lookup->values),
                             (GDestroyNotify) g_ptr_array_unref);
      g_object_unref (task);
      return;
    }

  lookup->next++;
  pa_secrets_lookup_async (get_secrets (self), "agora",
                           pa_platform_get_profile (PA_PLATFORM (self)), field,
                           g_task_get_cancellable (task), lookup_cb, task);
}

/* @fields must outlive the call (static arrays). */
static void
lookup_fields_async (PaAgora             *self,
                     const char * const  *fields,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, lookup_fields_async);
  lookup->fields = fields;
  lookup->values = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_secrets_free);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  lookup_next (task);
}

static GPtrArray *
lookup_fields_finish (PaAgora       *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
set_missing_error (PaAgora     *self,
                   const char  *what,
                   const char  *field,
                   GError     **error)
{
  const char *profile = pa_platform_get_profile (PA_PLATFORM (self));

  g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
               _("No Agora %s is saved for profile “%s”. Add it with `playalter-cli account set agora --profile %s --field %s`."),
               what, profile, profile, field);
}

/* ---- requests ------------------------------------------------------------ */

typedef enum {
  OP_CREATE,
  OP_GET,
  OP_DELETE,
  OP_LIST,
} OpKind;

typedef struct {
  OpKind   kind;
  char    *channel;
  char    *uid;
  guint32  expires_after;
  char    *stream_key;
} Op;

static void
op_free (Op *op)
{
  g_free (op->channel);
  g_free (op->uid);
  g_free (op->stream_key);
  g_free (op);
}

static PaHttpRequest *
new_gateway_request (PaAgora    *self,
                     const char *method,
                     const char *app_id,
                     const char *tail)
{
  g_autofree char *escaped_id = g_uri_escape_string (app_id, NULL, FALSE);
  g_autofree char *path = g_strdup_printf ("/%s/v1/projects/%s/rtls/ingress/%s",
                                           self->region, escaped_id, tail);
  g_autofree char *request_id = g_uuid_string_random ();
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  /* Agora echoes it back, and support asks for it when a call failed. */
  pa_http_request_set_header (request, "X-Request-ID", request_id);
  pa_http_request_set_header (request, "Accept", "application/json");
  return request;
}

static PaHttpRequest *
build_op_request (PaAgora    *self,
                  const Op   *op,
                  const char *app_id)
{
  g_autofree char *escaped_key = NULL;
  g_autofree char *tail = NULL;
  PaHttpRequest *request = NULL;

  switch (op->kind)
    {
    case OP_CREATE:
      {
        g_autoptr(JsonBuilder) builder = json_builder_new ();
        g_autoptr(JsonNode) body = NULL;

        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "settings");
        json_builder_begin_object (builder);
        json_builder_set_member_name (builder, "channel");
        json_builder_add_string_value (builder, op->channel);
        json_builder_set_member_name (builder, "uid");
        json_builder_add_string_value (builder, op->uid);
        json_builder_set_member_name (builder, "expiresAfter");
        json_builder_add_int_value (builder, op->expires_after);
        json_builder_end_object (builder);
        json_builder_end_object (builder);
        body = json_builder_get_root (builder);

        request = new_gateway_request (self, "POST", app_id, "streamkeys");
        pa_http_request_set_json_body (request, body);
      }
      break;

    case OP_GET:
    case OP_DELETE:
      escaped_key = g_uri_escape_string (op->stream_key, NULL, FALSE);
      tail = g_strdup_printf ("streamkeys/%s", escaped_key);
      request = new_gateway_request (self, op->kind == OP_GET ? "GET" : "DELETE", app_id, tail);
      break;

    case OP_LIST:
      request = new_gateway_request (self, "GET", app_id, "online-streams");
      if (op->channel != NULL)
        pa_http_request_add_query (request, "channel", op->channel);
      break;

    default:
      g_assert_not_reached ();
    }

  return request;
}

/* Agora documents uid and createdAt as strings, but a number is read the
 * same way. */
static gint64
int_member (JsonObject *object,
            const char *name)
{
  g_autofree char *text = pa_json_dup_text (object, name);
  gint64 value = 0;

  if (text != NULL && !g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, &value, NULL))
    value = 0;
  return value;
}

static gboolean
protocol_error (GError     **error,
                const char  *what)
{
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("Agora’s Media Gateway answered with something unexpected: %s"), what);
  return FALSE;
}

/* The "data" of a {"status": "success", "data": …} answer. */
static JsonNode *
success_data (JsonNode  *root,
              GError   **error)
{
  JsonObject *object;
  const char *status;

  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      protocol_error (error, _("the answer is not a JSON object."));
      return NULL;
    }

  object = json_node_get_object (root);
  status = pa_json_get_string (object, "status");
  if (status != NULL && !g_str_equal (status, "success"))
    {
      g_autofree char *what = g_strdup_printf (_("status “%s” instead of “success”."), status);

      protocol_error (error, what);
      return NULL;
    }

  return json_object_get_member (object, "data");
}

static PaAgoraStreamKey *
parse_stream_key (JsonNode  *root,
                  GError   **error)
{
  g_autoptr(PaAgoraStreamKey) key = NULL;
  JsonNode *data = success_data (root, error);
  JsonObject *object;
  const char *stream_key;

  if (data == NULL)
    {
      if (error == NULL || *error == NULL)
        protocol_error (error, _("no “data” in the answer."));
      return NULL;
    }
  if (!JSON_NODE_HOLDS_OBJECT (data))
    {
      protocol_error (error, _("“data” is not an object."));
      return NULL;
    }

  object = json_node_get_object (data);
  stream_key = pa_json_get_string (object, "streamKey");
  if (stream_key == NULL || stream_key[0] == '\0')
    {
      protocol_error (error, _("no streaming key in the answer."));
      return NULL;
    }

  key = g_new0 (PaAgoraStreamKey, 1);
  key->stream_key = g_strdup (stream_key);
  key->channel = pa_json_dup_text (object, "channel");
  key->uid = pa_json_dup_text (object, "uid");
  key->expires_after = int_member (object, "expiresAfter");
  key->created_at = int_member (object, "createdAt");

  return g_steal_pointer (&key);
}

static GPtrArray *
parse_online_streams (JsonNode  *root,
                      GError   **error)
{
  g_autoptr(GPtrArray) streams = NULL;
  JsonNode *data;
  JsonArray *items = NULL;

  data = success_data (root, error);
  if (data == NULL)
    {
      if (error != NULL && *error != NULL)
        return NULL;
      /* No data at all: nothing is streaming. */
      return g_ptr_array_new_with_free_func ((GDestroyNotify) pa_agora_online_stream_free);
    }

  if (JSON_NODE_HOLDS_ARRAY (data))
    items = json_node_get_array (data);
  else if (JSON_NODE_HOLDS_OBJECT (data))
    {
      JsonNode *node = json_object_get_member (json_node_get_object (data), "items");

      if (node != NULL && JSON_NODE_HOLDS_ARRAY (node))
        items = json_node_get_array (node);
      else if (node != NULL && !JSON_NODE_HOLDS_NULL (node))
        {
          protocol_error (error, _("“data.items” is not a list."));
          return NULL;
        }
    }
  else if (!JSON_NODE_HOLDS_NULL (data))
    {
      protocol_error (error, _("“data” is neither an object nor a list."));
      return NULL;
    }

  streams = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_agora_online_stream_free);
  for (guint i = 0; items != NULL && i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *object, *rtc;
      PaAgoraOnlineStream *stream;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        {
          protocol_error (error, _("a stream in the list is not an object."));
          return NULL;
        }

      object = json_node_get_object (node);
      rtc = pa_json_get_object (object, "rtcInfo");

      stream = g_new0 (PaAgoraOnlineStream, 1);
      stream->sid = pa_json_dup_text (object, "sid");
      stream->stream_key = pa_json_dup_text (object, "streamKey");
      stream->channel = pa_json_dup_text (rtc, "channel");
      stream->uid = pa_json_dup_text (rtc, "uid");
      stream->region = pa_json_dup_text (object, "region");
      stream->domain = pa_json_dup_text (object, "domain");
      stream->begin_at = pa_json_dup_text (object, "beginAt");
      g_ptr_array_add (streams, stream);
    }

  return g_steal_pointer (&streams);
}

static void
op_sent_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Op *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (op->kind == OP_DELETE)
    {
      g_autoptr(PaHttpResponse) response = NULL;
      JsonNode *json;

      response = pa_platform_send_finish (PA_PLATFORM (source), result, &error);
      if (response == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      /* A bare 200 or 204 is as good as {"status": "success"}. */
      if (g_bytes_get_size (pa_http_response_get_body (response)) > 0)
        {
          json = pa_http_response_get_json (response, &error);
          if (json != NULL)
            success_data (json, &error);
          if (error != NULL)
            {
              g_task_return_error (task, error);
              return;
            }
        }

      g_task_return_boolean (task, TRUE);
      return;
    }
  else
    {
      g_autoptr(JsonNode) root = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);

      if (root == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      if (op->kind == OP_LIST)
        {
          GPtrArray *streams = parse_online_streams (root, &error);

          if (streams == NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, streams, (GDestroyNotify) g_ptr_array_unref);
        }
      else
        {
          PaAgoraStreamKey *key = parse_stream_key (root, &error);

          if (key == NULL)
            g_task_return_error (task, error);
          else
            g_task_return_pointer (task, key, (GDestroyNotify) pa_agora_stream_key_free);
        }
    }
}

static void
op_send (PaAgora    *self,
         GTask      *task,
         const char *app_id)
{
  Op *op = g_task_get_task_data (task);
  g_autoptr(PaHttpRequest) request = build_op_request (self, op, app_id);

  if (op->kind == OP_DELETE)
    pa_platform_send_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                            op_sent_cb, task);
  else
    pa_platform_send_json_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                                 op_sent_cb, task);
}

static const char * const app_id_field[] = { "app-id", NULL };

static void
op_app_id_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAgora *self = PA_AGORA (source);
  g_autoptr(GPtrArray) values = NULL;
  const char *app_id;
  GError *error = NULL;

  values = lookup_fields_finish (self, result, &error);
  if (values == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  app_id = g_ptr_array_index (values, 0);
  if (app_id == NULL || app_id[0] == '\0')
    {
      set_missing_error (self, _("app ID"), "app-id", &error);
      g_task_return_error (task, error);
      return;
    }

  op_send (self, g_steal_pointer (&task), app_id);
}

static void
op_start (PaAgora             *self,
          Op                  *op,
          gpointer             source_tag,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, op, (GDestroyNotify) op_free);

  if (!check_region (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  lookup_fields_async (self, app_id_field, cancellable, op_app_id_cb, g_steal_pointer (&task));
}

void
pa_agora_create_stream_key_async (PaAgora             *self,
                                  const char          *channel,
                                  const char          *uid,
                                  guint32              expires_after_s,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (channel != NULL);
  g_return_if_fail (uid != NULL);

  /* Agora refuses an empty channel or uid and a uid of "0". */
  if (channel[0] == '\0' || uid[0] == '\0' || g_str_equal (uid, "0"))
    {
      g_task_report_new_error (self, callback, user_data, pa_agora_create_stream_key_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A streaming key needs a channel name and a host user ID other than 0."));
      return;
    }

  op = g_new0 (Op, 1);
  op->kind = OP_CREATE;
  op->channel = g_strdup (channel);
  op->uid = g_strdup (uid);
  op->expires_after = expires_after_s;
  op_start (self, op, pa_agora_create_stream_key_async, cancellable, callback, user_data);
}

PaAgoraStreamKey *
pa_agora_create_stream_key_finish (PaAgora       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_agora_get_stream_key_async (PaAgora             *self,
                               const char          *stream_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (stream_key != NULL && stream_key[0] != '\0');

  op = g_new0 (Op, 1);
  op->kind = OP_GET;
  op->stream_key = g_strdup (stream_key);
  op_start (self, op, pa_agora_get_stream_key_async, cancellable, callback, user_data);
}

PaAgoraStreamKey *
pa_agora_get_stream_key_finish (PaAgora       *self,
                                GAsyncResult  *result,
                                GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_agora_delete_stream_key_async (PaAgora             *self,
                                  const char          *stream_key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));
  g_return_if_fail (stream_key != NULL && stream_key[0] != '\0');

  op = g_new0 (Op, 1);
  op->kind = OP_DELETE;
  op->stream_key = g_strdup (stream_key);
  op_start (self, op, pa_agora_delete_stream_key_async, cancellable, callback, user_data);
}

gboolean
pa_agora_delete_stream_key_finish (PaAgora       *self,
                                   GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pa_agora_list_streams_async (PaAgora             *self,
                             const char          *channel,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  Op *op;

  g_return_if_fail (PA_IS_AGORA (self));

  op = g_new0 (Op, 1);
  op->kind = OP_LIST;
  op->channel = channel != NULL && channel[0] != '\0' ? g_strdup (channel) : NULL;
  op_start (self, op, pa_agora_list_streams_async, cancellable, callback, user_data);
}

GPtrArray *
pa_agora_list_streams_finish (PaAgora       *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- check --------------------------------------------------------------- */

static const char * const check_fields[] = {
  "app-id", "app-certificate", "customer-id", "customer-secret", NULL
};

typedef struct {
  char     *app_id;
  gboolean  rest_checked;
} Check;

static void
check_free (Check *check)
{
  g_free (check->app_id);
  g_free (check);
}

static PaIdentity *
check_identity (PaAgora     *self,
                const Check *check)
{
  g_autofree char *prefix = g_strndup (check->app_id, ID_PREFIX_CHARS);
  g_autofree char *name = g_strdup_printf (_("App %s…"), prefix);
  g_autofree char *detail = NULL;

  if (check->rest_checked)
    detail = g_strdup_printf (_("Media Gateway reachable in region %s"), self->region);
  else
    detail = g_strdup (_("Tokens only: add a customer ID and secret to use the Media Gateway"));

  return pa_identity_new (check->app_id, name, detail);
}

static void
check_list_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAgora *self = PA_AGORA (source);
  Check *check = g_task_get_task_data (task);
  g_autoptr(GPtrArray) streams = NULL;
  GError *error = NULL;

  streams = pa_agora_list_streams_finish (self, result, &error);
  if (streams == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  check->rest_checked = TRUE;
  g_task_return_pointer (task, check_identity (self, check), (GDestroyNotify) pa_identity_free);
}

static void
check_lookup_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAgora *self = PA_AGORA (source);
  Check *check = g_task_get_task_data (task);
  g_autoptr(GPtrArray) values = NULL;
  g_autofree char *token = NULL;
  const char *app_id, *certificate, *customer_id, *customer_secret;
  GCancellable *cancellable;
  GError *error = NULL;

  values = lookup_fields_finish (self, result, &error);
  if (values == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  app_id = g_ptr_array_index (values, 0);
  certificate = g_ptr_array_index (values, 1);
  customer_id = g_ptr_array_index (values, 2);
  customer_secret = g_ptr_array_index (values, 3);

  if (app_id == NULL || app_id[0] == '\0')
    {
      set_missing_error (self, _("app ID"), "app-id", &error);
      g_task_return_error (task, error);
      return;
    }
  if (certificate == NULL || certificate[0] == '\0')
    {
      set_missing_error (self, _("app certificate"), "app-certificate", &error);
      g_task_return_error (task, error);
      return;
    }

  /* What the account is for: signing tokens Agora will accept. A token
   * signed and verified here proves the saved pair is well-formed; only a
   * client joining a channel can prove Agora knows it. */
  token = pa_agora_build_rtc_token (app_id, certificate, CHECK_CHANNEL, 0,
                                    PA_AGORA_ROLE_PUBLISHER, CHECK_EXPIRE_S, &error);
  if (token == NULL || !pa_agora_token_verify (token, certificate, &error))
    {
      error->code = PA_ERROR_AUTH;
      g_task_return_error (task, error);
      return;
    }

  check->app_id = g_strdup (app_id);

  if ((customer_id == NULL) != (customer_secret == NULL))
    {
      if (customer_id == NULL)
        set_missing_error (self, _("customer ID"), "customer-id", &error);
      else
        set_missing_error (self, _("customer secret"), "customer-secret", &error);
      g_task_return_error (task, error);
      return;
    }

  if (customer_id == NULL)
    {
      g_task_return_pointer (task, check_identity (self, check), (GDestroyNotify) pa_identity_free);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  pa_agora_list_streams_async (self, NULL, cancellable, check_list_cb, g_steal_pointer (&task));
}

static void
pa_agora_check_async (PaPlatform          *platform,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  PaAgora *self = PA_AGORA (platform);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_agora_check_async);
  g_task_set_task_data (task, g_new0 (Check, 1), (GDestroyNotify) check_free);

  lookup_fields_async (self, check_fields, cancellable, check_lookup_cb, task);
}

static PaIdentity *
pa_agora_check_finish (PaPlatform    *platform,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
