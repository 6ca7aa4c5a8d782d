/* pa-stream-destination.c — Agora's Media Gateway and custom RTMP servers
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-limits.h"
#include "pa-store-accounts.h"
#include "pa-stream-destination.h"

/* What a key hidden from view looks like. */
#define MASK "••••"

struct _PaStreamDestination {
  GObject                  parent_instance;

  PaStreamDestinationKind  kind;
  char                    *name;
  char                    *server_url;
  PaSecrets               *secrets;
  /* Agora only */
  PaAgora                 *agora;
  char                    *channel;
  char                    *uid;
};

G_DEFINE_FINAL_TYPE (PaStreamDestination, pa_stream_destination, G_TYPE_OBJECT)

static void
pa_stream_destination_finalize (GObject *object)
{
  PaStreamDestination *self = PA_STREAM_DESTINATION (object);

  g_free (self->name);
  g_free (self->server_url);
  g_clear_object (&self->secrets);
  g_clear_object (&self->agora);
  g_free (self->channel);
  g_free (self->uid);

  G_OBJECT_CLASS (pa_stream_destination_parent_class)->finalize (object);
}

static void
pa_stream_destination_class_init (PaStreamDestinationClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_destination_finalize;
}

static void
pa_stream_destination_init (PaStreamDestination *self)
{
}

/* Checks ------------------------------------------------------------------ */

static gboolean
has_control_or_space (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p == 0x7f)
      return TRUE;
  return FALSE;
}

static gboolean
invalid (GError     **error,
         const char  *message)
{
  g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, message);
  return FALSE;
}

/* The path's segments that are not empty: "/live/key" has two. */
static guint
count_segments (const char *path)
{
  g_auto(GStrv) parts = g_strsplit (path != NULL ? path : "", "/", -1);
  guint n = 0;

  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      n++;
  return n;
}

gboolean
pa_stream_check_rtmp_url (const char  *url,
                          gboolean     with_key,
                          GError     **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (url == NULL || url[0] == '\0')
    return invalid (error, _("The RTMP URL is empty."));
  if (strlen (url) > PA_LIMIT_STREAM_URL_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The RTMP URL is longer than %d bytes."), PA_LIMIT_STREAM_URL_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (url, -1, NULL) || has_control_or_space (url))
    return invalid (error, _("The RTMP URL holds spaces or control characters."));

  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL)
    return invalid (error, _("The RTMP URL is not a valid URL."));

  scheme = g_uri_get_scheme (uri);
  if (g_ascii_strcasecmp (scheme, "rtmp") != 0 && g_ascii_strcasecmp (scheme, "rtmps") != 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Only rtmp:// and rtmps:// URLs can be streamed to, not %s://."), scheme);
      return FALSE;
    }
  if (g_uri_get_userinfo (uri) != NULL)
    return invalid (error, _("The RTMP URL holds a user name or password: give the stream key as the key, not in the URL."));
  if (g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
    return invalid (error, _("The RTMP URL has no server name."));
  if (g_uri_get_fragment (uri) != NULL)
    return invalid (error, _("The RTMP URL must not end in a “#” part."));

  if (with_key)
    {
      if (count_segments (g_uri_get_path (uri)) < 2)
        return invalid (error, _("The RTMP URL needs the application and the stream key after the server, as in rtmp://server/live/KEY."));
    }
  else
    {
      if (count_segments (g_uri_get_path (uri)) < 1)
        return invalid (error, _("The server URL needs the application after the server, as in rtmp://server/live."));
      if (g_uri_get_query (uri) != NULL)
        return invalid (error, _("The server URL must not have a “?” part: it is not kept secret, and such parts often hold keys."));
    }

  return TRUE;
}

char *
pa_stream_mask_rtmp_url (const char *url)
{
  g_autoptr(GUri) uri = NULL;
  g_auto(GStrv) parts = NULL;
  const char *app = NULL;
  GString *masked;
  guint n = 0;

  if (url == NULL || strlen (url) > PA_LIMIT_STREAM_URL_BYTES ||
      !g_utf8_validate (url, -1, NULL) || has_control_or_space (url))
    return g_strdup (MASK);
  uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (MASK);

  parts = g_strsplit (g_uri_get_path (uri), "/", -1);
  for (guint i = 0; parts[i] != NULL; i++)
    if (parts[i][0] != '\0')
      {
        if (app == NULL)
          app = parts[i];
        n++;
      }

  /* Built from the parts, so that neither a user name nor a query makes
   * it through. */
  masked = g_string_new (g_uri_get_scheme (uri));
  g_string_append (masked, "://");
  g_string_append (masked, g_uri_get_host (uri));
  if (g_uri_get_port (uri) > 0)
    g_string_append_printf (masked, ":%d", g_uri_get_port (uri));
  if (app != NULL)
    g_string_append_printf (masked, "/%s", app);
  if (n > 1 || g_uri_get_query (uri) != NULL || g_uri_get_userinfo (uri) != NULL)
    g_string_append (masked, "/" MASK);

  return g_string_free (masked, FALSE);
}

gboolean
pa_stream_check_stream_key (const char  *key,
                            GError     **error)
{
  if (key == NULL || key[0] == '\0')
    return invalid (error, _("The stream key is empty."));
  if (strlen (key) > PA_LIMIT_STREAM_KEY_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The stream key is longer than %d bytes."), PA_LIMIT_STREAM_KEY_BYTES);
      return FALSE;
    }
  for (const char *p = key; *p != '\0'; p++)
    if ((guchar) *p <= 0x20 || (guchar) *p >= 0x7f || *p == '/' || *p == '#')
      return invalid (error, _("The stream key holds spaces, control characters, “/”, “#” or letters outside ASCII: paste only the key."));

  return TRUE;
}

gboolean
pa_stream_check_destination_name (const char  *name,
                                  GError     **error)
{
  if (name == NULL || name[0] == '\0')
    return invalid (error, _("The destination's name is empty."));
  if (strlen (name) > PA_LIMIT_STREAM_DESTINATION_NAME_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The destination's name is longer than %d bytes."),
                   PA_LIMIT_STREAM_DESTINATION_NAME_BYTES);
      return FALSE;
    }
  if (!g_utf8_validate (name, -1, NULL))
    return invalid (error, _("The destination's name is not valid UTF-8."));
  for (const char *p = name; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || (guchar) *p == 0x7f)
      return invalid (error, _("The destination's name holds control characters."));

  return TRUE;
}

/* Construction ------------------------------------------------------------ */

PaStreamDestination *
pa_stream_destination_new_rtmp (const char  *name,
                                const char  *server_url,
                                PaSecrets   *secrets,
                                GError     **error)
{
  PaStreamDestination *self;

  g_return_val_if_fail (PA_IS_SECRETS (secrets), NULL);

  if (!pa_stream_check_destination_name (name, error) ||
      !pa_stream_check_rtmp_url (server_url, FALSE, error))
    return NULL;

  self = g_object_new (PA_TYPE_STREAM_DESTINATION, NULL);
  self->kind = PA_STREAM_DESTINATION_RTMP;
  self->name = g_strdup (name);
  /* Without a trailing "/", so that the key is appended after one. */
  self->server_url = g_strdup (server_url);
  while (g_str_has_suffix (self->server_url, "/"))
    self->server_url[strlen (self->server_url) - 1] = '\0';
  self->secrets = g_object_ref (secrets);

  return self;
}

PaStreamDestination *
pa_stream_destination_new_agora (PaAgora     *agora,
                                 PaSecrets   *secrets,
                                 const char  *channel,
                                 const char  *uid,
                                 GError     **error)
{
  PaStreamDestination *self;
  char *server;

  g_return_val_if_fail (PA_IS_AGORA (agora), NULL);
  g_return_val_if_fail (PA_IS_SECRETS (secrets), NULL);

  if (channel == NULL || channel[0] == '\0')
    {
      invalid (error, _("Give the Agora channel to stream into."));
      return NULL;
    }
  if (uid == NULL || uid[0] == '\0' || g_str_equal (uid, "0"))
    {
      invalid (error, _("Give the user ID the stream appears as in the Agora channel (not 0)."));
      return NULL;
    }
  if (has_control_or_space (channel) || has_control_or_space (uid) ||
      strlen (channel) > PA_LIMIT_STREAM_DESTINATION_NAME_BYTES ||
      strlen (uid) > PA_LIMIT_STREAM_DESTINATION_NAME_BYTES)
    {
      invalid (error, _("The Agora channel or user ID holds spaces or control characters, or is too long."));
      return NULL;
    }

  server = pa_agora_get_ingest_server (pa_agora_get_region (agora));
  if (server == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not an Agora region: use na, eu, ap or cn."),
                   pa_agora_get_region (agora));
      return NULL;
    }

  self = g_object_new (PA_TYPE_STREAM_DESTINATION, NULL);
  self->kind = PA_STREAM_DESTINATION_AGORA;
  self->name = g_strdup_printf ("agora:%s", channel);
  self->server_url = server;
  self->secrets = g_object_ref (secrets);
  self->agora = g_object_ref (agora);
  self->channel = g_strdup (channel);
  self->uid = g_strdup (uid);

  return self;
}

PaStreamDestinationKind
pa_stream_destination_get_kind (PaStreamDestination *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DESTINATION (self), PA_STREAM_DESTINATION_RTMP);
  return self->kind;
}

const char *
pa_stream_destination_get_name (PaStreamDestination *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DESTINATION (self), NULL);
  return self->name;
}

const char *
pa_stream_destination_get_server_url (PaStreamDestination *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DESTINATION (self), NULL);
  return self->server_url;
}

/* Resolving --------------------------------------------------------------- */

static char *
agora_key_field (PaStreamDestination *self)
{
  return g_strdup_printf ("stream-key:%s:%s", self->channel, self->uid);
}

static void
return_url (GTask      *task,
            char       *url)
{
  g_task_return_pointer (task, url, (GDestroyNotify) pa_secrets_free);
}

static void
rtmp_lookup_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStreamDestination *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) key = NULL;

  key = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (key == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("The stream key of “%s” is not in the keyring any more: add the destination again."),
                               self->name);
      return;
    }

  return_url (task, g_strconcat (self->server_url, "/", key, NULL));
}

static void
agora_return (GTask      *task,
              const char *key)
{
  PaStreamDestination *self = g_task_get_source_object (task);

  return_url (task, pa_agora_build_ingest_url (pa_agora_get_region (self->agora), key));
}

static void
agora_saved_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  /* The key works without being kept; the next start would only make
   * another one. */
  if (!pa_secrets_store_finish (PA_SECRETS (source), result, &error))
    g_warning ("Could not keep the Agora stream key for reuse: %s", error->message);

  agora_return (task, g_task_get_task_data (task));
}

static void
agora_created_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStreamDestination *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaAgoraStreamKey) key = NULL;
  g_autofree char *field = NULL;

  key = pa_agora_create_stream_key_finish (PA_AGORA (source), result, &error);
  if (key == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_set_task_data (task, g_strdup (key->stream_key), (GDestroyNotify) pa_secrets_free);
  field = agora_key_field (self);
  pa_secrets_store_async (self->secrets, "agora",
                          pa_platform_get_profile (PA_PLATFORM (self->agora)),
                          field, key->stream_key, g_task_get_cancellable (task),
                          agora_saved_cb, g_object_ref (task));
}

static void
agora_create (GTask *task)
{
  PaStreamDestination *self = g_task_get_source_object (task);

  /* No expiry: the key is kept and reused for this channel and uid. */
  pa_agora_create_stream_key_async (self->agora, self->channel, self->uid, 0,
                                    g_task_get_cancellable (task),
                                    agora_created_cb, g_object_ref (task));
}

static void
agora_checked_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaAgoraStreamKey) key = NULL;

  key = pa_agora_get_stream_key_finish (PA_AGORA (source), result, &error);
  if (key != NULL)
    {
      agora_return (task, g_task_get_task_data (task));
      return;
    }
  if (g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
    {
      agora_create (task);
      return;
    }
  g_task_return_error (task, g_steal_pointer (&error));
}

static void
agora_lookup_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStreamDestination *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;
  char *key;

  key = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (key == NULL)
    {
      agora_create (task);
      return;
    }

  /* Agora may have deleted it (in its console, or by expiry): ask. */
  g_task_set_task_data (task, key, (GDestroyNotify) pa_secrets_free);
  pa_agora_get_stream_key_async (self->agora, key, g_task_get_cancellable (task),
                                 agora_checked_cb, g_object_ref (task));
}

void
pa_stream_destination_resolve_async (PaStreamDestination *self,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_STREAM_DESTINATION (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_destination_resolve_async);

  if (self->kind == PA_STREAM_DESTINATION_RTMP)
    {
      pa_secrets_lookup_async (self->secrets, PA_STREAM_DESTINATION_PLATFORM, self->name,
                               PA_STREAM_DESTINATION_KEY_FIELD, cancellable,
                               rtmp_lookup_cb, g_steal_pointer (&task));
    }
  else
    {
      g_autofree char *field = agora_key_field (self);

      pa_secrets_lookup_async (self->secrets, "agora",
                               pa_platform_get_profile (PA_PLATFORM (self->agora)),
                               field, cancellable, agora_lookup_cb, g_steal_pointer (&task));
    }
}

char *
pa_stream_destination_resolve_finish (PaStreamDestination  *self,
                                      GAsyncResult         *result,
                                      GError              **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Saved destinations ------------------------------------------------------ */

static gboolean
check_new (const char  *name,
           const char  *server_url,
           const char  *stream_key,
           GError     **error)
{
  return pa_stream_check_destination_name (name, error) &&
         pa_stream_check_rtmp_url (server_url, FALSE, error) &&
         pa_stream_check_stream_key (stream_key, error);
}

static gboolean
save_row (PaStore     *store,
          const char  *name,
          const char  *server_url,
          GError     **error)
{
  return pa_store_save_account (store, PA_STREAM_DESTINATION_PLATFORM, name, server_url,
                                NULL, "signed-in", error);
}

gboolean
pa_stream_destination_save_sync (PaStore       *store,
                                 PaSecrets     *secrets,
                                 const char    *name,
                                 const char    *server_url,
                                 const char    *stream_key,
                                 GCancellable  *cancellable,
                                 GError       **error)
{
  g_return_val_if_fail (PA_IS_STORE (store), FALSE);
  g_return_val_if_fail (PA_IS_SECRETS (secrets), FALSE);

  return check_new (name, server_url, stream_key, error) &&
         pa_secrets_store_sync (secrets, PA_STREAM_DESTINATION_PLATFORM, name,
                                PA_STREAM_DESTINATION_KEY_FIELD, stream_key,
                                cancellable, error) &&
         save_row (store, name, server_url, error);
}

typedef struct {
  PaStore *store;
  char    *name;
  char    *server_url;
} SaveData;

static void
save_data_free (SaveData *data)
{
  g_clear_object (&data->store);
  g_free (data->name);
  g_free (data->server_url);
  g_free (data);
}

static void
save_stored_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SaveData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pa_secrets_store_finish (PA_SECRETS (source), result, &error) ||
      !save_row (data->store, data->name, data->server_url, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
pa_stream_destination_save_async (PaStore             *store,
                                  PaSecrets           *secrets,
                                  const char          *name,
                                  const char          *server_url,
                                  const char          *stream_key,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;
  SaveData *data;

  g_return_if_fail (PA_IS_STORE (store));
  g_return_if_fail (PA_IS_SECRETS (secrets));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_destination_save_async);

  if (!check_new (name, server_url, stream_key, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (SaveData, 1);
  data->store = g_object_ref (store);
  data->name = g_strdup (name);
  data->server_url = g_strdup (server_url);
  g_task_set_task_data (task, data, (GDestroyNotify) save_data_free);

  pa_secrets_store_async (secrets, PA_STREAM_DESTINATION_PLATFORM, name,
                          PA_STREAM_DESTINATION_KEY_FIELD, stream_key, cancellable,
                          save_stored_cb, g_steal_pointer (&task));
}

gboolean
pa_stream_destination_save_finish (GAsyncResult  *result,
                                   GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

GPtrArray *
pa_stream_destination_list_saved (PaStore    *store,
                                  PaSecrets  *secrets,
                                  GError    **error)
{
  g_autoptr(GPtrArray) rows = NULL;
  GPtrArray *list;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_SECRETS (secrets), NULL);

  rows = pa_store_list_accounts (store, error);
  if (rows == NULL)
    return NULL;

  list = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < rows->len; i++)
    {
      const PaAccountRecord *row = g_ptr_array_index (rows, i);
      g_autoptr(GError) row_error = NULL;
      PaStreamDestination *destination;

      if (!g_str_equal (row->platform, PA_STREAM_DESTINATION_PLATFORM))
        continue;
      /* A row that no longer passes the checks (written by hand, or by a
       * version with looser ones) is left out rather than failing all. */
      destination = pa_stream_destination_new_rtmp (row->profile, row->base_url, secrets,
                                                    &row_error);
      if (destination == NULL)
        {
          g_warning ("Skipping the saved stream destination “%s”: %s",
                     row->profile, row_error->message);
          continue;
        }
      g_ptr_array_add (list, destination);
    }

  return list;
}

PaStreamDestination *
pa_stream_destination_load (PaStore     *store,
                            PaSecrets   *secrets,
                            const char  *name,
                            GError     **error)
{
  g_autoptr(GPtrArray) rows = NULL;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_SECRETS (secrets), NULL);

  if (!pa_stream_check_destination_name (name, error))
    return NULL;

  rows = pa_store_list_accounts (store, error);
  if (rows == NULL)
    return NULL;

  for (guint i = 0; i < rows->len; i++)
    {
      const PaAccountRecord *row = g_ptr_array_index (rows, i);

      if (g_str_equal (row->platform, PA_STREAM_DESTINATION_PLATFORM) &&
          g_str_equal (row->profile, name))
        return pa_stream_destination_new_rtmp (row->profile, row->base_url, secrets, error);
    }

  g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
               _("There is no stream destination called “%s”."), name);
  return NULL;
}

gboolean
pa_stream_destination_remove_sync (PaStore       *store,
                                   PaSecrets     *secrets,
                                   const char    *name,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  g_autoptr(PaStreamDestination) destination = NULL;

  destination = pa_stream_destination_load (store, secrets, name, error);
  if (destination == NULL)
    return FALSE;

  /* The key first: a row left behind by a failure shows the destination
   * is still there, and removing it again finishes the job. */
  return pa_secrets_delete_sync (secrets, PA_STREAM_DESTINATION_PLATFORM, name, NULL,
                                 cancellable, error) &&
         pa_store_delete_account (store, PA_STREAM_DESTINATION_PLATFORM, name, error);
}
