/* pa-accounts-page.c — the Accounts section: sign in to each platform
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-accounts-page.h"
#include "pa-account-row.h"
#include "pa-gui-util.h"
#include "pa-sign-in-dialog.h"
#include "pa-window.h"

struct _PaAccountsPage
{
  AdwPreferencesPage  parent_instance;

  PaAccountManager   *manager;
  GCancellable       *cancellable;

  GtkListBox         *account_list;
  GtkStack           *refresh_stack;
  GtkWidget          *refresh_button;
  GtkSpinner         *refresh_spinner;
};

G_DEFINE_FINAL_TYPE (PaAccountsPage, pa_accounts_page, ADW_TYPE_PREFERENCES_PAGE)

enum {
  PROP_0,
  PROP_MANAGER,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (PaAccountsPage *self,
       const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (message));
}

static const char *
platform_name (const char *platform)
{
  const PaPlatformInfo *info = pa_platform_info_lookup (platform);

  return info != NULL ? info->display_name : platform;
}

static void
set_refreshing (PaAccountsPage *self,
                gboolean        refreshing)
{
  gtk_stack_set_visible_child (self->refresh_stack,
                               refreshing ? GTK_WIDGET (self->refresh_spinner) : self->refresh_button);
  gtk_spinner_set_spinning (self->refresh_spinner, refreshing);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "accounts.refresh",
                                 self->manager != NULL && !refreshing);
}

static void
refresh_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaAccountsPage) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pa_account_manager_refresh_finish (PA_ACCOUNT_MANAGER (source), result, &error))
    {
      if (pa_gui_error_is_cancelled (error))
        return;

      toast (self, error->message);
    }

  set_refreshing (self, FALSE);
}

/* Reads the keyring again: after it was unlocked or started, or after the
 * command line changed an account. */
static void
refresh_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (widget);

  if (self->manager == NULL)
    return;

  set_refreshing (self, TRUE);
  pa_account_manager_refresh_async (self->manager, self->cancellable,
                                    refresh_cb, g_object_ref (self));
}

static GtkWidget *
create_row (gpointer item,
            gpointer user_data)
{
  return GTK_WIDGET (pa_account_row_new (PA_ACCOUNT (item)));
}

static void
on_dialog_saved (PaAccountsPage *self,
                 const char     *message)
{
  toast (self, message);
}

static void
sign_in_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (widget);
  const char *platform;
  const char *profile;
  PaAccount *account;
  PaSignInDialog *dialog;

  if (self->manager == NULL)
    return;

  g_variant_get (parameter, "(&s&s)", &platform, &profile);
  account = pa_account_manager_find (self->manager, platform, profile);
  g_return_if_fail (account != NULL);

  dialog = pa_sign_in_dialog_new (self->manager, account);
  gtk_window_set_transient_for (GTK_WINDOW (dialog),
                                GTK_WINDOW (gtk_widget_get_root (widget)));
  g_signal_connect_object (dialog, "saved", G_CALLBACK (on_dialog_saved), self, G_CONNECT_SWAPPED);
  gtk_window_present (GTK_WINDOW (dialog));
}

typedef struct
{
  PaAccountsPage *self;
  char           *platform;
} SignOut;

static void
sign_out_free (SignOut *data)
{
  g_object_unref (data->self);
  g_free (data->platform);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SignOut, sign_out_free)

static void
sign_out_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(SignOut) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!pa_account_manager_sign_out_finish (PA_ACCOUNT_MANAGER (source), result, &error))
    {
      if (pa_gui_error_is_cancelled (error))
        return;

      toast (data->self, error->message);
      return;
    }

  /* Translators: %s is a platform, e.g. "Stripe". */
  message = g_strdup_printf (_("Signed out of %s"), platform_name (data->platform));
  toast (data->self, message);
}

static void
on_sign_out_response (AdwMessageDialog *dialog,
                      const char       *response,
                      PaAccountsPage   *self)
{
  const char *platform = g_object_get_data (G_OBJECT (dialog), "pa-platform");
  const char *profile = g_object_get_data (G_OBJECT (dialog), "pa-profile");
  SignOut *data;

  if (g_strcmp0 (response, "sign-out") != 0 || self->manager == NULL)
    return;

  data = g_new0 (SignOut, 1);
  data->self = g_object_ref (self);
  data->platform = g_strdup (platform);
  pa_account_manager_sign_out_async (self->manager, platform, profile,
                                     self->cancellable, sign_out_cb, data);
}

static void
sign_out_activated (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (widget);
  const char *platform;
  const char *profile;
  const char *name;
  GtkWidget *dialog;

  g_variant_get (parameter, "(&s&s)", &platform, &profile);
  name = platform_name (platform);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)), NULL, NULL);
  /* Translators: %s is a platform, e.g. "Stripe". */
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Sign Out of %s?"), name);
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  /* Translators: %s is a platform, e.g. "Stripe". */
                                  _("PlayAlter will remove the keys it saved in your keyring "
                                    "and forget the server address. Workflows that use %s "
                                    "will not run until you sign in again."),
                                  name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "sign-out", _("_Sign Out"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sign-out",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  g_object_set_data_full (G_OBJECT (dialog), "pa-platform", g_strdup (platform), g_free);
  g_object_set_data_full (G_OBJECT (dialog), "pa-profile", g_strdup (profile), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_sign_out_response), self, 0);

  gtk_window_present (GTK_WINDOW (dialog));
}

static void
pa_accounts_page_dispose (GObject *object)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);

  G_OBJECT_CLASS (pa_accounts_page_parent_class)->dispose (object);
}

static void
pa_accounts_page_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_accounts_page_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  PaAccountsPage *self = PA_ACCOUNTS_PAGE (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      pa_accounts_page_set_manager (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_accounts_page_class_init (PaAccountsPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_accounts_page_dispose;
  object_class->get_property = pa_accounts_page_get_property;
  object_class->set_property = pa_accounts_page_set_property;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         PA_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Rows name their account as (platform, profile); the page owns the
   * manager, so the page does the work. */
  gtk_widget_class_install_action (widget_class, "account.sign-in", "(ss)", sign_in_activated);
  gtk_widget_class_install_action (widget_class, "account.sign-out", "(ss)", sign_out_activated);
  gtk_widget_class_install_action (widget_class, "accounts.refresh", NULL, refresh_activated);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-accounts-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PaAccountsPage, account_list);
  gtk_widget_class_bind_template_child (widget_class, PaAccountsPage, refresh_stack);
  gtk_widget_class_bind_template_child (widget_class, PaAccountsPage, refresh_button);
  gtk_widget_class_bind_template_child (widget_class, PaAccountsPage, refresh_spinner);
}

static void
pa_accounts_page_init (PaAccountsPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  set_refreshing (self, FALSE);
}

GtkWidget *
pa_accounts_page_new (void)
{
  return g_object_new (PA_TYPE_ACCOUNTS_PAGE, NULL);
}

PaAccountManager *
pa_accounts_page_get_manager (PaAccountsPage *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNTS_PAGE (self), NULL);

  return self->manager;
}

void
pa_accounts_page_set_manager (PaAccountsPage   *self,
                              PaAccountManager *manager)
{
  g_return_if_fail (PA_IS_ACCOUNTS_PAGE (self));
  g_return_if_fail (manager == NULL || PA_IS_ACCOUNT_MANAGER (manager));

  if (!g_set_object (&self->manager, manager))
    return;

  gtk_list_box_bind_model (self->account_list,
                           manager != NULL ? pa_account_manager_get_accounts (manager) : NULL,
                           create_row, self, NULL);
  set_refreshing (self, FALSE);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MANAGER]);
}
