/* pa-stripe-webhook-receiver.c — takes Stripe's webhooks on loopback (stripe listen --forward-to)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-stripe-webhook.h"
#include "pa-stripe-webhook-receiver.h"

/* Stripe's events are far smaller (a few kB; its documentation puts the
 * limit well under this): a body larger than this is not from Stripe,
 * and is refused from its headers before any of it is read. */
#define MAX_BODY_BYTES (1024 * 1024)
/* An endpoint secret is "whsec_" and a few dozen characters. */
#define MAX_SECRET_CHARS 1024

struct _PaStripeWebhookReceiver
{
  GObject        parent_instance;

  PaStripeSync  *sync;
  PaSecrets     *secrets;
  SoupServer    *server;
  char          *secret;       /* wiped when freed */
  char          *url;
  PaClockFunc    clock_func;
  gpointer       clock_data;
  guint          n_accepted;
  guint          n_refused;
  gboolean       starting;
};

G_DEFINE_FINAL_TYPE (PaStripeWebhookReceiver, pa_stripe_webhook_receiver, G_TYPE_OBJECT)

static void
clear_secret (PaStripeWebhookReceiver *self)
{
  g_clear_pointer (&self->secret, pa_secrets_free);
}

/* ---- answers ------------------------------------------------------------- */

static void
respond (SoupServerMessage *msg,
         guint              status,
         JsonObject        *object)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  char *text;

  json_node_set_object (node, object);
  text = json_to_string (node, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, text, strlen (text));
}

/* A refusal is logged with its reason only: the body and the secret
 * never reach the log. */
static void
refuse (PaStripeWebhookReceiver *self,
        SoupServerMessage       *msg,
        guint                    status,
        const char              *message)
{
  g_autoptr(JsonObject) object = json_object_new ();

  self->n_refused++;
  g_message ("Refused a Stripe webhook (%u): %s", status, message);
  json_object_set_string_member (object, "error", message);
  respond (msg, status, object);
}

/* ---- requests ------------------------------------------------------------ */

static gboolean
is_json (SoupMessageHeaders *headers)
{
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Everything that can be decided from the headers is decided before the
 * body is read, so a request for nothing, or too large, costs no more
 * than its headers. */
static void
early_handler (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  PaStripeWebhookReceiver *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupEncoding encoding = soup_message_headers_get_encoding (headers);

  if (g_strcmp0 (path, PA_STRIPE_WEBHOOK_PATH) != 0)
    {
      g_autofree char *message =
        g_strdup_printf (_("Nothing here: Stripe’s events are posted to %s."), PA_STRIPE_WEBHOOK_PATH);

      refuse (self, msg, SOUP_STATUS_NOT_FOUND, message);
    }
  else if (soup_server_message_get_method (msg) != SOUP_METHOD_POST)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Allow", "POST");
      refuse (self, msg, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Stripe’s events are sent with POST."));
    }
  else if (encoding == SOUP_ENCODING_CHUNKED)
    refuse (self, msg, SOUP_STATUS_LENGTH_REQUIRED, _("Send the event with a Content-Length."));
  else if (encoding == SOUP_ENCODING_CONTENT_LENGTH
           && soup_message_headers_get_content_length (headers) > MAX_BODY_BYTES)
    {
      g_autofree char *message =
        g_strdup_printf (_("The event is larger than %u bytes, which no Stripe event is."),
                         (guint) MAX_BODY_BYTES);

      refuse (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, message);
    }
  else if (!is_json (headers))
    refuse (self, msg, SOUP_STATUS_UNSUPPORTED_MEDIA_TYPE,
            _("Stripe’s events are sent as application/json."));
  else
    return;

  /* libsoup still reads a body the client sends without waiting for
   * "100 Continue": it is thrown away as it comes, never kept. */
  soup_message_body_set_accumulate (soup_server_message_get_request_body (msg), FALSE);
  /* The body was not read: the connection cannot carry another request. */
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Connection", "close");
}

static gint64
now_s (PaStripeWebhookReceiver *self)
{
  gint64 now_us = self->clock_func != NULL ? self->clock_func (self->clock_data)
                                           : g_get_real_time ();

  return now_us / G_USEC_PER_SEC;
}

static void
handler (SoupServer        *server,
         SoupServerMessage *msg,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  PaStripeWebhookReceiver *self = user_data;
  g_autoptr(GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (msg));
  const char *signature = soup_message_headers_get_one (soup_server_message_get_request_headers (msg),
                                                        "Stripe-Signature");
  g_autoptr(JsonObject) answer = NULL;
  g_autoptr(GError) error = NULL;
  const char *data;
  gboolean is_new = FALSE;
  gsize len;

  data = g_bytes_get_data (body, &len);
  /* The early handler refused the rest; a body can only be as long as
   * its Content-Length, but check what was read, not what was said. */
  if (len > MAX_BODY_BYTES)
    {
      refuse (self, msg, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, _("The event is too large."));
      return;
    }
  if (self->secret == NULL)
    {
      refuse (self, msg, SOUP_STATUS_SERVICE_UNAVAILABLE, _("The receiver is stopping."));
      return;
    }
  if (!pa_stripe_webhook_verify (data != NULL ? data : "", len, signature, self->secret,
                                 now_s (self), PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S, &error))
    {
      refuse (self, msg, SOUP_STATUS_BAD_REQUEST, error->message);
      return;
    }

  /* Verified: from here on it is Stripe's own event. */
  if (!pa_stripe_sync_ingest (self->sync, data != NULL ? data : "", len, &is_new, &error))
    {
      if (g_error_matches (error, PA_ERROR, PA_ERROR_INVALID_INPUT))
        {
          /* Signed, yet not an event this copy can keep: sending it
           * again would not change that. */
          refuse (self, msg, SOUP_STATUS_UNPROCESSABLE_ENTITY, error->message);
          return;
        }
      /* Stripe sends it again later, when storing may work. */
      g_message ("Could not store a Stripe webhook’s event: %s", error->message);
      answer = json_object_new ();
      json_object_set_string_member (answer, "error", error->message);
      respond (msg, SOUP_STATUS_INTERNAL_SERVER_ERROR, answer);
      return;
    }

  self->n_accepted++;
  answer = json_object_new ();
  json_object_set_boolean_member (answer, "received", TRUE);
  json_object_set_boolean_member (answer, "new", is_new);
  respond (msg, SOUP_STATUS_OK, answer);
}

/* ---- starting and stopping ----------------------------------------------- */

static char *
local_url (SoupServer *server)
{
  GSList *listeners = soup_server_get_listeners (server);
  guint port = 0;

  /* Not soup_server_get_uris: libsoup 3.2 leaks an address in it. */
  for (GSList *l = listeners; l != NULL && port == 0; l = l->next)
    {
      g_autoptr(GSocketAddress) address = g_socket_get_local_address (l->data, NULL);

      if (address != NULL && G_IS_INET_SOCKET_ADDRESS (address))
        port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address));
    }
  g_slist_free (listeners);
  if (port == 0)
    return NULL;
  return g_strdup_printf ("http://127.0.0.1:%u" PA_STRIPE_WEBHOOK_PATH, port);
}

static gboolean
listen_loopback (PaStripeWebhookReceiver  *self,
                 guint                     port,
                 GError                  **error)
{
  g_autofree char *server_header = g_strdup_printf ("PlayAlter/%s", PACKAGE_VERSION);
  g_autoptr(GError) local_error = NULL;

  self->server = soup_server_new ("server-header", server_header, NULL);
  soup_server_add_early_handler (self->server, NULL, early_handler, self, NULL);
  soup_server_add_handler (self->server, NULL, handler, self, NULL);

  /* Loopback only, never every address: the events are the account's
   * payments. ::1 too when the machine has it (a "localhost" that
   * resolves there first), on the same port. */
  if (!soup_server_listen_local (self->server, port, 0, &local_error))
    {
      soup_server_disconnect (self->server);
      if (!soup_server_listen_local (self->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
        {
          g_clear_object (&self->server);
          return FALSE;
        }
    }
  self->url = local_url (self->server);
  if (self->url == NULL)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_FAILED,
                           _("The webhook receiver is listening, but on no port it can name."));
      pa_stripe_webhook_receiver_stop (self);
      return FALSE;
    }
  return TRUE;
}

typedef struct {
  guint port;
} StartData;

static void
on_secret_looked_up (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeWebhookReceiver *self = g_task_get_source_object (task);
  StartData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  char *secret;

  self->starting = FALSE;
  secret = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (secret == NULL)
    {
      const char *profile = pa_stripe_sync_get_profile (self->sync);

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("No webhook signing secret is saved for the Stripe account "
                                 "“%s”. Save the one `stripe listen` prints (whsec_…) with "
                                 "`playalter-cli stripe --profile %s webhook secret`."),
                               profile, profile);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    {
      pa_secrets_free (secret);
      return;
    }

  clear_secret (self);
  self->secret = secret;
  if (!listen_loopback (self, data->port, &error))
    {
      clear_secret (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->n_accepted = 0;
  self->n_refused = 0;
  g_task_return_boolean (task, TRUE);
}

void
pa_stripe_webhook_receiver_start_async (PaStripeWebhookReceiver *self,
                                        guint                    port,
                                        GCancellable            *cancellable,
                                        GAsyncReadyCallback      callback,
                                        gpointer                 user_data)
{
  g_autoptr(GTask) task = NULL;
  StartData *data;

  g_return_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self));
  g_return_if_fail (port <= G_MAXUINT16);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_webhook_receiver_start_async);
  if (self->server != NULL || self->starting)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("The webhook receiver is already listening."));
      return;
    }
  data = g_new0 (StartData, 1);
  data->port = port;
  g_task_set_task_data (task, data, g_free);
  self->starting = TRUE;
  /* Read once at start: a secret saved later counts from the next start. */
  pa_secrets_lookup_async (self->secrets, "stripe", pa_stripe_sync_get_profile (self->sync),
                           PA_STRIPE_WEBHOOK_SECRET_FIELD, cancellable,
                           on_secret_looked_up, g_steal_pointer (&task));
}

gboolean
pa_stripe_webhook_receiver_start_finish (PaStripeWebhookReceiver  *self,
                                         GAsyncResult             *result,
                                         GError                  **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pa_stripe_webhook_receiver_stop (PaStripeWebhookReceiver *self)
{
  g_return_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self));

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_clear_pointer (&self->url, g_free);
  clear_secret (self);
}

const char *
pa_stripe_webhook_receiver_get_url (PaStripeWebhookReceiver *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self), NULL);

  return self->url;
}

void
pa_stripe_webhook_receiver_set_clock (PaStripeWebhookReceiver *self,
                                      PaClockFunc              func,
                                      gpointer                 data)
{
  g_return_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self));

  self->clock_func = func;
  self->clock_data = data;
}

guint
pa_stripe_webhook_receiver_get_n_accepted (PaStripeWebhookReceiver *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self), 0);

  return self->n_accepted;
}

guint
pa_stripe_webhook_receiver_get_n_refused (PaStripeWebhookReceiver *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_WEBHOOK_RECEIVER (self), 0);

  return self->n_refused;
}

/* ---- object -------------------------------------------------------------- */

static void
pa_stripe_webhook_receiver_dispose (GObject *object)
{
  PaStripeWebhookReceiver *self = PA_STRIPE_WEBHOOK_RECEIVER (object);

  pa_stripe_webhook_receiver_stop (self);
  g_clear_object (&self->sync);
  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (pa_stripe_webhook_receiver_parent_class)->dispose (object);
}

static void
pa_stripe_webhook_receiver_class_init (PaStripeWebhookReceiverClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pa_stripe_webhook_receiver_dispose;
}

static void
pa_stripe_webhook_receiver_init (PaStripeWebhookReceiver *self)
{
}

PaStripeWebhookReceiver *
pa_stripe_webhook_receiver_new (PaStripeSync *sync,
                                PaSecrets    *secrets)
{
  PaStripeWebhookReceiver *self;

  g_return_val_if_fail (PA_IS_STRIPE_SYNC (sync), NULL);
  g_return_val_if_fail (secrets == NULL || PA_IS_SECRETS (secrets), NULL);

  self = g_object_new (PA_TYPE_STRIPE_WEBHOOK_RECEIVER, NULL);
  self->sync = g_object_ref (sync);
  self->secrets = secrets != NULL ? g_object_ref (secrets) : pa_secrets_new ();
  return self;
}

/* ---- the endpoint secret ------------------------------------------------- */

static gboolean
check_secret (const char  *secret,
              GError     **error)
{
  gsize len = secret != NULL ? strlen (secret) : 0;

  if (len <= strlen ("whsec_") || !g_str_has_prefix (secret, "whsec_"))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("A webhook signing secret starts with “whsec_”: copy the one "
                             "`stripe listen` prints, or the endpoint’s from the Dashboard."));
      return FALSE;
    }
  if (len > MAX_SECRET_CHARS)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("That webhook signing secret is far too long to be one."));
      return FALSE;
    }
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isgraph (secret[i]))
      {
        g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("A webhook signing secret has no spaces or other invisible "
                               "characters: copy it again."));
        return FALSE;
      }
  return TRUE;
}

static void
on_secret_stored (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (pa_secrets_store_finish (PA_SECRETS (source), result, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
pa_stripe_webhook_save_secret_async (PaSecrets           *secrets,
                                     const char          *profile,
                                     const char          *secret,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_SECRETS (secrets));
  g_return_if_fail (profile != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_webhook_save_secret_async);
  if (!check_secret (secret, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  pa_secrets_store_async (secrets, "stripe", profile, PA_STRIPE_WEBHOOK_SECRET_FIELD, secret,
                          cancellable, on_secret_stored, g_steal_pointer (&task));
}

gboolean
pa_stripe_webhook_save_secret_finish (GAsyncResult  *result,
                                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
