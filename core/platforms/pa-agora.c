/* pa-agora.c — Agora: the client, ingest URLs and the account check
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-agora-private.h"

/* The Media Gateway calls are in pa-agora-gateway.c.
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

/* ---- keyring lookups ----------------------------------------------------- */

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

void
pa_agora_lookup_fields_async (PaAgora             *self,
                              const char * const  *fields,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  Lookup *lookup = g_new0 (Lookup, 1);

  g_task_set_source_tag (task, pa_agora_lookup_fields_async);
  lookup->fields = fields;
  lookup->values = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_secrets_free);
  g_task_set_task_data (task, lookup, (GDestroyNotify) lookup_free);

  lookup_next (task);
}

GPtrArray *
pa_agora_lookup_fields_finish (PaAgora       *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_autoptr(GPtrArray) values = g_task_propagate_pointer (G_TASK (result), error);
  const char *app_id;

  if (values == NULL)
    return NULL;

  /* Every use needs the app ID: it is in each path and signs tokens. */
  app_id = g_ptr_array_index (values, 0);
  if (app_id == NULL || app_id[0] == '\0')
    {
      set_missing_error (self, _("app ID"), "app-id", error);
      return NULL;
    }
  return g_steal_pointer (&values);
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

  values = pa_agora_lookup_fields_finish (self, result, &error);
  if (values == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  app_id = g_ptr_array_index (values, 0);
  certificate = g_ptr_array_index (values, 1);
  customer_id = g_ptr_array_index (values, 2);
  customer_secret = g_ptr_array_index (values, 3);

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

  pa_agora_lookup_fields_async (self, check_fields, cancellable, check_lookup_cb, task);
}

static PaIdentity *
pa_agora_check_finish (PaPlatform    *platform,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
