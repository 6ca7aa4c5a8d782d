/* pa-application.c — the PlayAlter GUI application
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-application.h"
#include "pa-gui-util.h"
#include "pa-window.h"
#include "playalter-resources.h"

struct _PaApplication
{
  AdwApplication    parent_instance;

  char             *data_dir;
  GCancellable     *cancellable;
  PaStore          *store;
  guint             prune_id;
  PaSecrets        *secrets;
  PaAccountManager *account_manager;
  GError           *store_error;
  gboolean          loading;
  GHashTable       *stripe_accounts;   /* profile → PaStripeAccount */
  /* The background sync: once the window is up, then every few minutes. */
  gboolean          stripe_started;
  guint             stripe_first_sync_id;
  guint             stripe_timer_id;
  gulong            stripe_map_id;
  GtkWindow        *stripe_map_window;
  PaStripeWebhookReceiver *stripe_receiver;
};

G_DEFINE_FINAL_TYPE (PaApplication, pa_application, ADW_TYPE_APPLICATION)

enum {
  PROP_0,
  PROP_DATA_DIR,
  PROP_LOADING,
  PROP_ACCOUNT_MANAGER,
  PROP_STORE_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const GOptionEntry option_entries[] = {
  { "data-dir", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_FILENAME, NULL,
    N_("Keep PlayAlter's database in DIR instead of the default folder"), N_("DIR") },
  { "version", 0, G_OPTION_FLAG_NONE, G_OPTION_ARG_NONE, NULL,
    N_("Show the version and quit"), NULL },
  { NULL }
};

static void
toast_all_windows (PaApplication *self,
                   const char    *message)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    {
      if (PA_IS_WINDOW (l->data))
        pa_window_add_toast (PA_WINDOW (l->data), adw_toast_new (message));
    }
}

static void
set_loading (PaApplication *self,
             gboolean       loading)
{
  if (self->loading == loading)
    return;

  self->loading = loading;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

static void stripe_maybe_start (PaApplication *self);

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  /* A keyring that cannot be read is not an error here: each account
   * carries it as its status. What is left is worth telling. */
  if (!pa_account_manager_refresh_finish (PA_ACCOUNT_MANAGER (source), result, &error))
    {
      if (pa_gui_error_is_cancelled (error))
        return;

      g_message ("Could not read the accounts: %s", error->message);
      toast_all_windows (self, error->message);
    }

  set_loading (self, FALSE);
  stripe_maybe_start (self);
}

static void
store_open_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(PaApplication) self = user_data;
  g_autoptr(GError) error = NULL;

  self->store = pa_store_open_finish (result, &error);
  if (self->store == NULL)
    {
      if (pa_gui_error_is_cancelled (error))
        return;

      /* Not a warning: the window shows it, with what to do. */
      g_message ("Could not open the database in %s: %s", self->data_dir, error->message);
      self->store_error = g_steal_pointer (&error);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE_ERROR]);
      set_loading (self, FALSE);
      return;
    }

  /* Keeps the database from growing without end: now, off the main
   * thread, and daily while the app runs. */
  self->prune_id = pa_store_schedule_prune (self->store, PA_LIMIT_RETENTION_INTERVAL_SECONDS);

  self->secrets = pa_secrets_new ();
  self->account_manager = pa_account_manager_new (self->store, self->secrets);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ACCOUNT_MANAGER]);

  pa_account_manager_refresh_async (self->account_manager,
                                    self->cancellable,
                                    refresh_cb,
                                    g_object_ref (self));
}

static void
about_activated (GSimpleAction *action,
                 GVariant      *parameter,
                 gpointer       user_data)
{
  PaApplication *self = user_data;
  GtkWindow *parent = gtk_application_get_active_window (GTK_APPLICATION (self));
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "transient-for", parent,
                        "modal", TRUE,
                        "application-name", "PlayAlter",
                        "application-icon", APP_ID,
                        "version", PACKAGE_VERSION,
                        "comments", _("Run creative work across your online platforms"),
                        "developer-name", _("The PlayAlter developers"),
                        "copyright", _("© 2026 The PlayAlter developers"),
                        "license-type", GTK_LICENSE_MIT_X11,
                        "website", "https://playalter.io",
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
quit_activated (GSimpleAction *action,
                GVariant      *parameter,
                gpointer       user_data)
{
  PaApplication *self = user_data;
  g_autoptr(GList) windows = NULL;

  /* Closing (rather than destroying) lets each window save its state. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (self)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_close (GTK_WINDOW (l->data));

  g_application_quit (G_APPLICATION (self));
}

static void show_payment_activated (GSimpleAction *action,
                                    GVariant      *parameter,
                                    gpointer       user_data);

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
  /* A notification's default action: (profile, payment id). */
  { .name = "show-payment", .activate = show_payment_activated, .parameter_type = "(ss)" },
};

static int
pa_application_handle_local_options (GApplication *app,
                                     GVariantDict *options)
{
  PaApplication *self = PA_APPLICATION (app);
  const char *data_dir = NULL;
  g_autoptr(GError) error = NULL;

  if (g_variant_dict_contains (options, "version"))
    {
      g_print ("playalter %s\n", PACKAGE_VERSION);
      return 0;
    }

  if (!g_variant_dict_lookup (options, "data-dir", "^&ay", &data_dir))
    return -1;

  g_free (self->data_dir);
  self->data_dir = g_canonicalize_filename (data_dir, NULL);

  /* An instance that is already running keeps its own folder: say so
   * rather than let the option be ignored in silence. */
  if (!g_application_register (app, NULL, &error))
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  if (g_application_get_is_remote (app))
    g_printerr (_("PlayAlter is already running; --data-dir applies only when it starts. "
                  "Quit PlayAlter first to use another folder.\n"));

  return -1;
}

static void
pa_application_startup (GApplication *app)
{
  PaApplication *self = PA_APPLICATION (app);
  static const char *quit_accels[] = { "<Control>q", NULL };
  static const char *close_accels[] = { "<Control>w", NULL };
  char *resolved;

  G_APPLICATION_CLASS (pa_application_parent_class)->startup (app);

  gtk_window_set_default_icon_name (APP_ID);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions,
                                   G_N_ELEMENTS (app_actions), self);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "app.quit", quit_accels);
  gtk_application_set_accels_for_action (GTK_APPLICATION (self), "window.close", close_accels);

  resolved = pa_store_resolve_data_dir (self->data_dir);
  g_free (self->data_dir);
  self->data_dir = resolved;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_DATA_DIR]);

  set_loading (self, TRUE);
  self->cancellable = g_cancellable_new ();
  pa_store_open_async (self->data_dir, self->cancellable, store_open_cb, g_object_ref (self));
}

static void
pa_application_activate (GApplication *app)
{
  GtkWindow *window;

  window = gtk_application_get_active_window (GTK_APPLICATION (app));
  if (window == NULL)
    window = GTK_WINDOW (pa_window_new (PA_APPLICATION (app)));

  gtk_window_present (window);
  stripe_maybe_start (PA_APPLICATION (app));
}

static void
pa_application_shutdown (GApplication *app)
{
  PaApplication *self = PA_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);
  g_settings_sync ();

  G_APPLICATION_CLASS (pa_application_parent_class)->shutdown (app);
}

static void
pa_application_dispose (GObject *object)
{
  PaApplication *self = PA_APPLICATION (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_handle_id (&self->prune_id, g_source_remove);
  g_clear_handle_id (&self->stripe_first_sync_id, g_source_remove);
  g_clear_handle_id (&self->stripe_timer_id, g_source_remove);
  if (self->stripe_map_window != NULL)
    {
      g_clear_signal_handler (&self->stripe_map_id, self->stripe_map_window);
      g_clear_weak_pointer (&self->stripe_map_window);
    }
  if (self->stripe_receiver != NULL)
    pa_stripe_webhook_receiver_stop (self->stripe_receiver);
  g_clear_object (&self->stripe_receiver);
  g_clear_pointer (&self->stripe_accounts, g_hash_table_unref);
  g_clear_object (&self->account_manager);
  g_clear_object (&self->secrets);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (pa_application_parent_class)->dispose (object);
}

static void
pa_application_finalize (GObject *object)
{
  PaApplication *self = PA_APPLICATION (object);

  g_clear_pointer (&self->data_dir, g_free);
  g_clear_error (&self->store_error);

  G_OBJECT_CLASS (pa_application_parent_class)->finalize (object);
}

static void
pa_application_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PaApplication *self = PA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_value_set_string (value, self->data_dir);
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, self->loading);
      break;
    case PROP_ACCOUNT_MANAGER:
      g_value_set_object (value, self->account_manager);
      break;
    case PROP_STORE_ERROR:
      g_value_set_boxed (value, self->store_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_application_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PaApplication *self = PA_APPLICATION (object);

  switch (prop_id)
    {
    case PROP_DATA_DIR:
      g_free (self->data_dir);
      self->data_dir = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_application_class_init (PaApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->dispose = pa_application_dispose;
  object_class->finalize = pa_application_finalize;
  object_class->get_property = pa_application_get_property;
  object_class->set_property = pa_application_set_property;

  app_class->handle_local_options = pa_application_handle_local_options;
  app_class->startup = pa_application_startup;
  app_class->activate = pa_application_activate;
  app_class->shutdown = pa_application_shutdown;

  properties[PROP_DATA_DIR] =
    g_param_spec_string ("data-dir", NULL, NULL,
                         NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_EXPLICIT_NOTIFY |
                         G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT_MANAGER] =
    g_param_spec_object ("account-manager", NULL, NULL,
                         PA_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_STORE_ERROR] =
    g_param_spec_boxed ("store-error", NULL, NULL,
                        G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Before any window class loads its template from the bundle. */
  playalter_register_resource ();
}

static void
pa_application_init (PaApplication *self)
{
  g_application_add_main_option_entries (G_APPLICATION (self), option_entries);
  g_application_set_option_context_summary (G_APPLICATION (self),
                                            _("Run creative work across your online platforms."));
}

PaApplication *
pa_application_new (void)
{
  return g_object_new (PA_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_DEFAULT_FLAGS,
                       "resource-base-path", "/io/playalter/PlayAlter",
                       NULL);
}

const char *
pa_application_get_data_dir (PaApplication *self)
{
  g_return_val_if_fail (PA_IS_APPLICATION (self), NULL);

  return self->data_dir;
}

gboolean
pa_application_get_loading (PaApplication *self)
{
  g_return_val_if_fail (PA_IS_APPLICATION (self), FALSE);

  return self->loading;
}

PaAccountManager *
pa_application_get_account_manager (PaApplication *self)
{
  g_return_val_if_fail (PA_IS_APPLICATION (self), NULL);

  return self->account_manager;
}

const GError *
pa_application_get_store_error (PaApplication *self)
{
  g_return_val_if_fail (PA_IS_APPLICATION (self), NULL);

  return self->store_error;
}

PaStore *
pa_application_get_store (PaApplication *self)
{
  g_return_val_if_fail (PA_IS_APPLICATION (self), NULL);

  return self->store;
}

/* ---- Stripe: notifications ---------------------------------------------- */

/* @object's member @name when it is an object (a string), else NULL:
 * events are a server's JSON, trusted in nothing. */
static JsonObject *
member_object (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

static const char *
member_string (JsonObject *object,
               const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

/* Who paid, as the charge says it; NULL when it does not. */
static const char *
charge_payer (JsonObject *charge)
{
  JsonObject *billing = member_object (charge, "billing_details");
  const char *payer;

  payer = member_string (billing, "name");
  if (payer == NULL || *payer == '\0')
    payer = member_string (billing, "email");
  if (payer == NULL || *payer == '\0')
    payer = member_string (charge, "receipt_email");
  return payer != NULL && *payer != '\0' ? payer : NULL;
}

/* @object's amount and currency, formatted; NULL when either is missing
 * or not what Stripe sends. */
static char *
object_amount (JsonObject *object)
{
  const char *currency = member_string (object, "currency");
  JsonNode *amount = object != NULL ? json_object_get_member (object, "amount") : NULL;

  if (currency == NULL || !pa_money_currency_is_valid (currency) || amount == NULL ||
      !JSON_NODE_HOLDS_VALUE (amount) || json_node_get_value_type (amount) != G_TYPE_INT64)
    return NULL;
  return pa_money_format (json_node_get_int (amount), currency, NULL);
}

/* Stripe's dispute reasons, as a person reads them. */
static const char *
dispute_reason (const char *reason)
{
  static const struct { const char *reason; const char *text; } reasons[] = {
    { "bank_cannot_process", N_("the bank cannot process it") },
    { "credit_not_processed", N_("credit not processed") },
    { "customer_initiated", N_("started by the customer") },
    { "debit_not_authorized", N_("debit not authorized") },
    { "duplicate", N_("duplicate") },
    { "fraudulent", N_("fraudulent") },
    { "general", N_("general") },
    { "incorrect_account_details", N_("incorrect account details") },
    { "insufficient_funds", N_("insufficient funds") },
    { "product_not_received", N_("product not received") },
    { "product_unacceptable", N_("product unacceptable") },
    { "subscription_canceled", N_("subscription canceled") },
    { "unrecognized", N_("unrecognized") },
  };

  if (reason == NULL || *reason == '\0')
    return NULL;
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (g_strcmp0 (reasons[i].reason, reason) == 0)
      return _(reasons[i].text);
  /* A reason newer than this code: as Stripe writes it. */
  return reason;
}

/* One notification per event: its id comes from the event's, so the
 * same event announced again replaces the first one rather than adding
 * a second. */
static void
stripe_event_added_cb (PaStripeSync  *sync,
                       const char    *id,
                       const char    *type,
                       JsonObject    *event,
                       PaApplication *self)
{
  JsonObject *data = member_object (event, "data");
  JsonObject *object = member_object (data, "object");
  g_autoptr(GNotification) notification = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *body = NULL;
  g_autofree char *notification_id = NULL;
  const char *payment;

  if (id == NULL || type == NULL || object == NULL)
    return;

  amount = object_amount (object);
  if (strcmp (type, "charge.succeeded") == 0)
    {
      const char *payer = charge_payer (object);

      payment = member_string (object, "id");
      notification = g_notification_new (_("Payment received"));
      if (payer != NULL)
        /* Translators: "€12.00 from Ada Lovelace". */
        body = g_strdup_printf (_("%s from %s"), amount != NULL ? amount : "—", payer);
      else
        body = g_strdup (amount != NULL ? amount : "—");
    }
  else if (strcmp (type, "charge.dispute.created") == 0)
    {
      const char *reason = dispute_reason (member_string (object, "reason"));

      payment = member_string (object, "charge");
      notification = g_notification_new (_("Dispute opened"));
      g_notification_set_priority (notification, G_NOTIFICATION_PRIORITY_HIGH);
      if (reason != NULL)
        /* Translators: "€12.00 disputed: fraudulent". */
        body = g_strdup_printf (_("%s disputed: %s"), amount != NULL ? amount : "—", reason);
      else
        /* Translators: "€12.00 disputed". */
        body = g_strdup_printf (_("%s disputed"), amount != NULL ? amount : "—");
    }
  else
    return;

  g_notification_set_body (notification, body);
  if (payment != NULL)
    g_notification_set_default_action_and_target (notification, "app.show-payment", "(ss)",
                                                  pa_stripe_sync_get_profile (sync), payment);
  notification_id = g_strconcat ("stripe-", id, NULL);
  g_debug ("Notifying %s (%s): %s", notification_id, type, body);
  g_application_send_notification (G_APPLICATION (self), notification_id, notification);
}

/* The sidebar row of the Payments page, named "payments", if the window
 * has one. */
static GtkWidget *
find_named_row (GtkWidget  *widget,
                const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      found = find_named_row (child, name);
      if (found != NULL)
        return found;
    }
  return NULL;
}

static void
show_payment_activated (GSimpleAction *action,
                        GVariant      *parameter,
                        gpointer       user_data)
{
  PaApplication *self = user_data;
  GtkWindow *window;
  GtkWidget *row;
  const char *profile, *payment;

  g_variant_get (parameter, "(&s&s)", &profile, &payment);
  g_debug ("Showing the payment %s of the Stripe account %s", payment, profile);

  g_application_activate (G_APPLICATION (self));
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    return;
  /* The Payments page by its row's name; the payment itself is for the
   * page to open once it has a way to be asked. */
  row = find_named_row (GTK_WIDGET (window), "payments");
  if (row != NULL)
    gtk_widget_activate (row);
}

PaStripeAccount *
pa_application_get_stripe_account (PaApplication *self,
                                   const char    *profile)
{
  PaStripeAccount *account;
  PaAccount *row;
  g_autoptr(PaStripe) client = NULL;

  g_return_val_if_fail (PA_IS_APPLICATION (self), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  if (self->store == NULL || self->account_manager == NULL)
    return NULL;
  row = pa_account_manager_find (self->account_manager, "stripe", profile);
  if (row == NULL)
    return NULL;
  if (self->stripe_accounts == NULL)
    self->stripe_accounts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  account = g_hash_table_lookup (self->stripe_accounts, profile);
  /* Signed in again elsewhere (another base URL): a new client there. */
  if (account != NULL &&
      g_strcmp0 (pa_platform_get_base_url (PA_PLATFORM (pa_stripe_account_get_client (account))),
                 pa_account_get_effective_base_url (row)) == 0)
    return account;

  /* The shared client, with the keyring as its credential store when
   * nothing has given it one yet. */
  client = pa_stripe_new (pa_platform_get_default_http (), profile,
                          pa_account_get_base_url (row));
  pa_stripe_set_secrets (client, self->secrets);
  account = pa_stripe_account_new (self->store, client, self->secrets, profile);
  g_hash_table_insert (self->stripe_accounts, g_strdup (profile), account);
  /* The sync never announces its first backfill: only what is new. */
  g_signal_connect_object (pa_stripe_account_get_sync (account), "event-added",
                           G_CALLBACK (stripe_event_added_cb), self, 0);
  return account;
}

/* ---- Stripe: the background sync ---------------------------------------- */

/* How often every signed-in Stripe account syncs while the app runs. */
#define STRIPE_SYNC_INTERVAL_S (5 * 60)

static void
stripe_sync_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  PaStripeSync *sync = PA_STRIPE_SYNC (source);
  g_autoptr(GError) error = NULL;
  gint64 n_new;

  n_new = pa_stripe_sync_run_finish (sync, result, &error);
  /* Offline is normal here: the page shows the copy and its age. */
  if (n_new < 0 || error != NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        g_message ("Could not sync the Stripe account %s: %s",
                   pa_stripe_sync_get_profile (sync), error != NULL ? error->message : "?");
      return;
    }
  g_debug ("Synced the Stripe account %s: %" G_GINT64_FORMAT " new events",
           pa_stripe_sync_get_profile (sync), n_new);
}

void
pa_application_sync_stripe (PaApplication *self)
{
  GListModel *accounts;

  g_return_if_fail (PA_IS_APPLICATION (self));

  if (self->account_manager == NULL)
    return;
  accounts = pa_account_manager_get_accounts (self->account_manager);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(PaAccount) row = g_list_model_get_item (accounts, i);
      PaStripeAccount *account;

      if (g_strcmp0 (pa_account_get_platform (row), "stripe") != 0 ||
          pa_account_get_status (row) != PA_ACCOUNT_STATUS_SIGNED_IN)
        continue;
      account = pa_application_get_stripe_account (self, pa_account_get_profile (row));
      if (account == NULL)
        continue;
      /* A sync already running is joined, not doubled. */
      pa_stripe_sync_run_async (pa_stripe_account_get_sync (account), self->cancellable,
                                stripe_sync_cb, NULL);
    }
}

static void
stripe_receiver_started_cb (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  PaStripeWebhookReceiver *receiver = PA_STRIPE_WEBHOOK_RECEIVER (source);
  g_autoptr(GError) error = NULL;

  if (!pa_stripe_webhook_receiver_start_finish (receiver, result, &error))
    {
      if (!pa_gui_error_is_cancelled (error))
        g_message ("Could not take Stripe's webhooks: %s", error->message);
      return;
    }
  g_message ("Taking Stripe's webhooks at %s", pa_stripe_webhook_receiver_get_url (receiver));
}

/* The loopback receiver for `stripe listen --forward-to`, when the
 * "stripe-webhook-port" setting asks for one: for the default profile
 * (one port, one account). */
static void
stripe_start_receiver (PaApplication *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;
  PaStripeAccount *account;
  guint port;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL || !g_settings_schema_has_key (schema, "stripe-webhook-port"))
    return;
  settings = g_settings_new_full (schema, NULL, NULL);
  port = g_settings_get_uint (settings, "stripe-webhook-port");
  if (port == 0 || self->stripe_receiver != NULL)
    return;

  account = pa_application_get_stripe_account (self, PA_DEFAULT_PROFILE);
  if (account == NULL)
    {
      g_message ("A Stripe webhook port is set, but no Stripe account is signed in");
      return;
    }
  self->stripe_receiver = pa_stripe_webhook_receiver_new (pa_stripe_account_get_sync (account),
                                                          self->secrets);
  pa_stripe_webhook_receiver_start_async (self->stripe_receiver, port, self->cancellable,
                                          stripe_receiver_started_cb, NULL);
}

static gboolean
stripe_first_sync_cb (gpointer user_data)
{
  PaApplication *self = user_data;

  self->stripe_first_sync_id = 0;
  pa_application_sync_stripe (self);
  stripe_start_receiver (self);
  return G_SOURCE_REMOVE;
}

static gboolean
stripe_timer_cb (gpointer user_data)
{
  pa_application_sync_stripe (PA_APPLICATION (user_data));
  return G_SOURCE_CONTINUE;
}

static void
stripe_window_mapped_cb (PaApplication *self)
{
  g_clear_signal_handler (&self->stripe_map_id, self->stripe_map_window);
  g_clear_weak_pointer (&self->stripe_map_window);
  stripe_maybe_start (self);
}

/* The accounts are known and a window is on screen: the first sync
 * waits for both, so it never slows the window's first frame. */
static void
stripe_maybe_start (PaApplication *self)
{
  GtkWindow *window;

  if (self->stripe_started || self->loading || self->account_manager == NULL)
    return;
  window = gtk_application_get_active_window (GTK_APPLICATION (self));
  if (window == NULL)
    return;
  if (!gtk_widget_get_mapped (GTK_WIDGET (window)))
    {
      if (self->stripe_map_window == NULL)
        {
          g_set_weak_pointer (&self->stripe_map_window, window);
          self->stripe_map_id = g_signal_connect_swapped (window, "map",
                                                          G_CALLBACK (stripe_window_mapped_cb),
                                                          self);
        }
      return;
    }

  self->stripe_started = TRUE;
  self->stripe_first_sync_id = g_idle_add_full (G_PRIORITY_LOW, stripe_first_sync_cb, self, NULL);
  self->stripe_timer_id = g_timeout_add_seconds (STRIPE_SYNC_INTERVAL_S, stripe_timer_cb, self);
}

