/* test-notifications.c — the app's desktop notifications for new
 * payments and disputes, once per event, none for the first sync
 *
 * The notification server here is a scripted peer of the
 * org.gtk.Notifications interface (the one GLib's "gtk" GNotification
 * backend talks to: AddNotification (app_id, id, a{sv}) and
 * RemoveNotification (app_id, id)), owned by the test on the private
 * session bus of dbus-run-session; it records each notification it is
 * given. GLib picks that backend when the name has an owner. The Stripe
 * account is the scripted account peer (tests/peers/stripe-account-
 * peer.mjs), signed in through the real account manager and keyring; the
 * syncs are the app's own background sync (pa_application_sync_stripe).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "playalter.h"
#include "pa-application.h"
#include "pa-test-gui.h"
#include "pa-test-keyring.h"
#include "pa-test-peer-private.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"

static PaTestKeyring *keyring;
static GError *keyring_error;

static const char *const peer_args[] = { "--days", "20", NULL };

#define WEBHOOK_SECRET "whsec_playalter_notifications_test"

/* The app's webhook receiver's port, while the second run lasts. */
static guint webhook_port;

/* ---- the notification server ---------------------------------------------- */

static const char server_xml[] =
  "<node>"
  "  <interface name='org.gtk.Notifications'>"
  "    <method name='AddNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "      <arg type='a{sv}' name='notification' direction='in'/>"
  "    </method>"
  "    <method name='RemoveNotification'>"
  "      <arg type='s' name='app_id' direction='in'/>"
  "      <arg type='s' name='id' direction='in'/>"
  "    </method>"
  "  </interface>"
  "</node>";

typedef struct {
  GDBusConnection *connection;
  guint            registration;
  guint            owner;
  gboolean         acquired;
  GPtrArray       *added;     /* GVariant (ss@a{sv}) each AddNotification */
  guint            removed;
} Server;

static void
server_method (GDBusConnection       *connection,
               const char            *sender,
               const char            *path,
               const char            *interface,
               const char            *method,
               GVariant              *parameters,
               GDBusMethodInvocation *invocation,
               gpointer               user_data)
{
  Server *server = user_data;

  if (g_str_equal (method, "AddNotification"))
    {
      const char *app_id, *id;

      g_variant_get (parameters, "(&s&s@a{sv})", &app_id, &id, NULL);
      g_test_message ("server: AddNotification (%s, %s)", app_id, id);
      g_ptr_array_add (server->added, g_variant_ref (parameters));
    }
  else
    server->removed++;
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static const GDBusInterfaceVTable server_vtable = { .method_call = server_method };

static void
name_acquired (GDBusConnection *connection,
               const char      *name,
               gpointer         user_data)
{
  ((Server *) user_data)->acquired = TRUE;
}

/* On a connection of its own, as a notification daemon would be. */
static Server *
server_start (void)
{
  Server *server = g_new0 (Server, 1);
  g_autoptr(GDBusNodeInfo) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *address = NULL;

  address = g_dbus_address_get_for_bus_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  server->connection = g_dbus_connection_new_for_address_sync (
    address, G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION, NULL, NULL, &error);
  g_assert_no_error (error);
  info = g_dbus_node_info_new_for_xml (server_xml, &error);
  g_assert_no_error (error);
  server->registration = g_dbus_connection_register_object (server->connection,
                                                            "/org/gtk/Notifications",
                                                            info->interfaces[0], &server_vtable,
                                                            server, NULL, &error);
  g_assert_no_error (error);
  server->added = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  server->owner = g_bus_own_name_on_connection (server->connection, "org.gtk.Notifications",
                                                G_BUS_NAME_OWNER_FLAGS_NONE, name_acquired,
                                                NULL, server, NULL);
  WAIT_FOR (server->acquired);
  g_test_message ("org.gtk.Notifications is owned by the test's server");
  return server;
}

static void
server_stop (Server *server)
{
  g_bus_unown_name (server->owner);
  g_dbus_connection_unregister_object (server->connection, server->registration);
  g_dbus_connection_close_sync (server->connection, NULL, NULL);
  g_object_unref (server->connection);
  g_ptr_array_unref (server->added);
  g_free (server);
}

static Server *server;

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
  PaTestPeer *peer;
  char       *url;
} Case;

static void
signed_in (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GError **error = data;

  if (pa_account_manager_sign_in_finish (PA_ACCOUNT_MANAGER (source), result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
  else if (*error == NULL)
    g_set_error_literal (error, PA_ERROR, PA_ERROR_FAILED, "sign-in failed without an error");
}

static void
sign_in_stripe (PaApplication *app,
                const char    *url)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) PA_TEST_STRIPE_ACCOUNT_KEY);
  g_test_message ("signing in to Stripe at %s", url);
  pa_account_manager_sign_in_async (pa_application_get_account_manager (app), "stripe",
                                    PA_DEFAULT_PROFILE, url, PA_SIGN_IN_NONE, secrets, NULL,
                                    signed_in, &error);
  WAIT_FOR (error != NULL);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_error ("Could not sign in to Stripe: %s", error->message);
}

/* One round of the app's background sync, to its end. */
static void
sync_stripe (PaApplication *app)
{
  PaStripeAccount *account = pa_application_get_stripe_account (app, PA_DEFAULT_PROFILE);
  PaStripeSync *sync;
  gint64 before;

  g_assert_nonnull (account);
  sync = pa_stripe_account_get_sync (account);
  /* A sync the app began by itself is joined, then a new one runs. */
  WAIT_FOR (!pa_stripe_sync_get_running (sync));
  before = pa_stripe_sync_get_last_synced (sync);
  g_usleep (2000);
  pa_application_sync_stripe (app);
  g_assert_true (pa_stripe_sync_get_running (sync));
  WAIT_FOR (!pa_stripe_sync_get_running (sync));
  if (pa_stripe_sync_get_last_error (sync) != NULL)
    g_error ("The sync failed: %s", pa_stripe_sync_get_last_error (sync));
  g_assert_cmpint (pa_stripe_sync_get_last_synced (sync), >, before);
  /* Notifications go out asynchronously: let them arrive. */
  WAIT_UNTIL (FALSE, 1);
}

static JsonObject *
control (Case       *c,
         const char *path,
         const char *body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = pa_test_stripe_account_control (c->peer, "POST", path, body, &error);
  JsonObject *object;

  g_assert_no_error (error);
  object = json_object_ref (json_node_get_object (node));
  json_node_unref (node);
  return object;
}

static const char *
lookup_string (GVariant   *dict,
               const char *key)
{
  const char *value = NULL;

  if (!g_variant_lookup (dict, key, "&s", &value))
    return NULL;
  return value;
}

/* The notification the server got with @id, or NULL; fails when it got
 * more than one. */
static GVariant *
find_notification (const char *id)
{
  GVariant *found = NULL;

  for (guint i = 0; i < server->added->len; i++)
    {
      const char *app_id, *nid;
      GVariant *dict;

      g_variant_get (server->added->pdata[i], "(&s&s@a{sv})", &app_id, &nid, &dict);
      if (g_str_equal (nid, id))
        {
          if (found != NULL)
            g_error ("The notification %s was sent twice", id);
          g_assert_cmpstr (app_id, ==, APP_ID);
          found = dict;
        }
      else
        g_variant_unref (dict);
    }
  return found;
}

/* ---- the case -------------------------------------------------------------- */

static void
notifications_body (PaApplication *app,
                    GtkWindow     *window,
                    gconstpointer  data)
{
  Case *c = (Case *) data;
  g_autoptr(JsonObject) payments = NULL;
  g_autoptr(JsonObject) dispute = NULL;
  g_autoptr(GVariant) paid = NULL;
  g_autoptr(GVariant) disputed = NULL;
  g_autofree char *charge = NULL;
  g_autofree char *paid_id = NULL;
  g_autofree char *dispute_id = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *body = NULL;
  const char *action = NULL;
  g_autoptr(GVariant) target = NULL;

  WAIT_FOR (!pa_application_get_loading (app));
  sign_in_stripe (app, c->url);

  /* The first sync backfills the seeded month: no notification. */
  sync_stripe (app);
  g_test_message ("after the first sync: %u notifications", server->added->len);
  g_assert_cmpuint (server->added->len, ==, 0);

  /* A payment, a payment that failed, and a dispute of the first. */
  payments = control (c, "/__peer/payments",
                      "{\"count\": 1, \"amount\": 123456, \"currency\": \"eur\", "
                      "\"status\": \"succeeded\", \"customer_email\": \"ada@example.com\"}");
  charge = g_strdup (json_array_get_string_element (
                       json_object_get_array_member (payments, "charges"), 0));
  g_clear_pointer (&payments, json_object_unref);
  payments = control (c, "/__peer/payments",
                      "{\"count\": 1, \"amount\": 500, \"currency\": \"usd\", "
                      "\"status\": \"failed\"}");
  body = g_strdup_printf ("{\"charge\": \"%s\"}", charge);
  dispute = control (c, "/__peer/dispute", body);
  g_test_message ("the peer made a payment %s and disputed it", charge);

  sync_stripe (app);
  g_test_message ("after the second sync: %u notifications", server->added->len);
  g_assert_cmpuint (server->added->len, ==, 2);

  /* Their ids are the events'. */
  for (guint i = 0; i < server->added->len; i++)
    {
      const char *nid;

      g_variant_get (server->added->pdata[i], "(&s&s@a{sv})", NULL, &nid, NULL);
      g_assert_true (g_str_has_prefix (nid, "stripe-evt_"));
    }

  amount = pa_money_format (123456, "eur", NULL);
  for (guint i = 0; i < server->added->len; i++)
    {
      const char *nid;
      g_autoptr(GVariant) dict = NULL;
      const char *title;

      g_variant_get (server->added->pdata[i], "(&s&s@a{sv})", NULL, &nid, &dict);
      title = lookup_string (dict, "title");
      if (g_strcmp0 (title, "Payment received") == 0)
        paid_id = g_strdup (nid);
      else if (g_strcmp0 (title, "Dispute opened") == 0)
        dispute_id = g_strdup (nid);
      else
        g_error ("An unexpected notification: %s", title);
    }
  g_assert_nonnull (paid_id);
  g_assert_nonnull (dispute_id);

  paid = find_notification (paid_id);
  expected = g_strdup_printf ("%s from ada@example.com", amount);
  g_test_message ("%s: \"%s\" / \"%s\"", paid_id, lookup_string (paid, "title"),
                  lookup_string (paid, "body"));
  g_assert_cmpstr (lookup_string (paid, "body"), ==, expected);
  g_assert_true (g_variant_lookup (paid, "default-action", "&s", &action));
  g_assert_cmpstr (action, ==, "app.show-payment");
  target = g_variant_lookup_value (paid, "default-action-target", G_VARIANT_TYPE ("(ss)"));
  g_assert_nonnull (target);
  {
    const char *profile, *payment;

    g_variant_get (target, "(&s&s)", &profile, &payment);
    g_assert_cmpstr (profile, ==, PA_DEFAULT_PROFILE);
    g_assert_cmpstr (payment, ==, charge);
  }

  disputed = find_notification (dispute_id);
  g_free (expected);
  expected = g_strdup_printf ("%s disputed: fraudulent", amount);
  g_test_message ("%s: \"%s\" / \"%s\" (%s)", dispute_id, lookup_string (disputed, "title"),
                  lookup_string (disputed, "body"), lookup_string (disputed, "priority"));
  g_assert_cmpstr (lookup_string (disputed, "body"), ==, expected);
  g_assert_cmpstr (lookup_string (disputed, "priority"), ==, "high");

  /* Its action opens the app on the payment, without failing. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "show-payment",
                                  g_variant_new ("(ss)", PA_DEFAULT_PROFILE, charge));

  /* A sync with nothing new adds nothing. */
  sync_stripe (app);
  g_test_message ("after the third sync: %u notifications", server->added->len);
  g_assert_cmpuint (server->added->len, ==, 2);
}

/* Something listens on the loopback @port. */
static gboolean
port_open (GSocketClient *client,
           guint          port)
{
  g_autoptr(GSocketConnection) connection =
    g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);

  return connection != NULL;
}

/* The second run of the app, on the same data: nothing is asked of it,
 * yet it syncs by itself once its window is up and notifies the payment
 * made while it was not running; and it takes webhooks. */
static void
startup_body (PaApplication *app,
              GtkWindow     *window,
              gconstpointer  data)
{
  PaStripeAccount *account;
  PaStripeSync *sync;
  guint before = server->added->len;
  GVariant *dict = NULL;
  const char *title = NULL;

  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (window)));
  WAIT_FOR (!pa_application_get_loading (app));
  /* The first background sync makes the account's object. */
  WAIT_FOR ((account = pa_application_get_stripe_account (app, PA_DEFAULT_PROFILE)) != NULL &&
            pa_stripe_sync_get_last_synced (pa_stripe_account_get_sync (account)) > 0);
  sync = pa_stripe_account_get_sync (account);
  WAIT_FOR (!pa_stripe_sync_get_running (sync));
  g_assert_null (pa_stripe_sync_get_last_error (sync));
  WAIT_UNTIL (server->added->len > before, 10);
  g_test_message ("after starting again: %u new notifications", server->added->len - before);
  g_assert_cmpuint (server->added->len, ==, before + 1);
  g_variant_get (server->added->pdata[before], "(&s&s@a{sv})", NULL, NULL, &dict);
  g_assert_true (g_variant_lookup (dict, "title", "&s", &title));
  g_assert_cmpstr (title, ==, "Payment received");

  /* Its webhook receiver, started by the setting: a payment's events
   * posted there, signed as Stripe signs them, notify at once; the
   * next sync finds them stored and notifies nothing more. */
  {
    g_autofree char *url = g_strdup_printf ("http://127.0.0.1:%u/stripe/webhook", webhook_port);
    g_autoptr(JsonObject) made = NULL;
    g_autoptr(GSocketClient) client = g_socket_client_new ();
    JsonArray *events;
    g_autofree char *expected = NULL;
    g_autofree char *amount = NULL;
    const char *body = NULL;

    if (!WAIT_UNTIL (port_open (client, webhook_port), 20))
      g_error ("The app does not listen for webhooks on port %u", webhook_port);
    before = server->added->len;
    made = control ((Case *) data, "/__peer/payments",
                    "{\"count\": 1, \"amount\": 4200, \"currency\": \"usd\", "
                    "\"status\": \"succeeded\", \"customer_email\": \"grace@example.com\"}");
    events = json_object_get_array_member (made, "events");
    for (guint i = 0; i < json_array_get_length (events); i++)
      {
        g_autofree char *request = g_strdup_printf ("{\"event\": \"%s\", \"url\": \"%s\", "
                                                    "\"secret\": \"%s\"}",
                                                    json_array_get_string_element (events, i),
                                                    url, WEBHOOK_SECRET);
        g_autoptr(JsonObject) answer = control ((Case *) data, "/__peer/webhook", request);

        g_test_message ("webhook %s: the app answered %" G_GINT64_FORMAT,
                        json_array_get_string_element (events, i),
                        json_object_get_int_member (answer, "status"));
        g_assert_cmpint (json_object_get_int_member (answer, "status"), ==, 200);
      }
    WAIT_UNTIL (server->added->len > before, 10);
    g_test_message ("after the webhooks: %u new notifications", server->added->len - before);
    g_assert_cmpuint (server->added->len, ==, before + 1);
    g_clear_pointer (&dict, g_variant_unref);
    g_variant_get (server->added->pdata[before], "(&s&s@a{sv})", NULL, NULL, &dict);
    amount = pa_money_format (4200, "usd", NULL);
    expected = g_strdup_printf ("%s from grace@example.com", amount);
    g_assert_true (g_variant_lookup (dict, "body", "&s", &body));
    g_assert_cmpstr (body, ==, expected);

    sync_stripe (app);
    g_test_message ("after a sync: %u new notifications", server->added->len - before);
    g_assert_cmpuint (server->added->len, ==, before + 1);
  }
  g_variant_unref (dict);
}

static void
secret_saved (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  GError **error = data;

  if (pa_stripe_webhook_save_secret_finish (result, error))
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* A loopback port free now. */
static guint
free_port (void)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

/* The webhook receiver's endpoint secret in the keyring, and its port in
 * the setting, as a user sets them up for `stripe listen`. */
static void
set_up_webhooks (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GError) error = NULL;

  pa_stripe_webhook_save_secret_async (secrets, PA_DEFAULT_PROFILE, WEBHOOK_SECRET, NULL,
                                       secret_saved, &error);
  WAIT_FOR (error != NULL);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_error ("Could not save the webhook secret: %s", error->message);
  webhook_port = free_port ();
  g_test_message ("the app is to take webhooks on port %u", webhook_port);
  g_settings_set_uint (settings, "stripe-webhook-port", webhook_port);
}

static void
test_notifications (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  Case c = { 0 };

  if (!need_display () || !pa_test_require_no_error (keyring_error))
    return;
  c.peer = pa_test_stripe_account_start (7, peer_args, &error);
  if (!pa_test_require_no_error (error))
    return;
  c.url = pa_test_stripe_account_url (c.peer);
  data_dir = g_dir_make_tmp ("test-notifications-XXXXXX", &error);
  g_assert_no_error (error);

  run_app (data_dir, notifications_body, &c);

  /* A payment while the app is not running, then the app again. */
  {
    g_autoptr(JsonObject) made = control (&c, "/__peer/payments",
                                          "{\"count\": 1, \"amount\": 2500, "
                                          "\"currency\": \"jpy\", \"status\": \"succeeded\"}");
  }
  set_up_webhooks ();
  run_app (data_dir, startup_body, &c);

  if (!pa_test_remove_tree (data_dir, &error))
    g_test_message ("could not remove %s: %s", data_dir, error->message);
  g_free (c.url);
  pa_test_peer_stop (c.peer);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  keyring = pa_test_keyring_start (&keyring_error);
  gtk_init ();
  /* Before the app sends its first notification: GLib chooses the
   * backend then, and takes "gtk" only when the name has an owner. */
  server = server_start ();

  g_test_add_func ("/notifications/payment-and-dispute", test_notifications);

  status = g_test_run ();

  server_stop (server);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  g_clear_error (&keyring_error);
  return status;
}
