/* pa-application.c — the PlayAlter GUI application
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

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

static const GActionEntry app_actions[] = {
  { .name = "about", .activate = about_activated },
  { .name = "quit", .activate = quit_activated },
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
  if (account != NULL)
    return account;

  client = pa_stripe_new (pa_http_get_default (), profile, pa_account_get_base_url (row));
  pa_stripe_set_secrets (client, self->secrets);
  account = pa_stripe_account_new (self->store, client, self->secrets, profile);
  g_hash_table_insert (self->stripe_accounts, g_strdup (profile), account);
  return account;
}
