/* pa-account-row.c — one platform account in the Accounts list
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-account-row.h"

struct _PaAccountRow
{
  AdwActionRow  parent_instance;

  PaAccount    *account;

  GtkImage     *status_icon;
  GtkWidget    *sign_in_button;
  GtkWidget    *edit_button;
  GtkWidget    *sign_out_button;
};

G_DEFINE_FINAL_TYPE (PaAccountRow, pa_account_row, ADW_TYPE_ACTION_ROW)

enum {
  PROP_0,
  PROP_ACCOUNT,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static const char *status_classes[] = { "signed-in", "not-signed-in", "keyring-unavailable" };

char *
pa_account_row_describe (PaAccount *account)
{
  g_autofree char *status = NULL;
  const char *base_url;
  const char *display_name;
  const char *detail;

  g_return_val_if_fail (PA_IS_ACCOUNT (account), NULL);

  display_name = pa_account_get_display_name (account);
  detail = pa_account_get_status_detail (account);

  switch (pa_account_get_status (account))
    {
    case PA_ACCOUNT_STATUS_SIGNED_IN:
      if (pa_account_get_check_error (account) != NULL)
        /* Translators: %s says why the platform could not confirm the key. */
        status = g_strdup_printf (_("Signed in, not verified: %s"),
                                  pa_account_get_check_error (account));
      else if (display_name != NULL && *display_name != '\0')
        /* Translators: %s is who the platform says the user is. */
        status = g_strdup_printf (_("Signed in as %s"), display_name);
      else
        status = g_strdup (_("Signed in"));
      break;

    case PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE:
      if (detail != NULL && *detail != '\0')
        /* Translators: %s is why the keyring could not be read. */
        status = g_strdup_printf (_("Keyring unavailable: %s"), detail);
      else
        status = g_strdup (_("Keyring unavailable"));
      break;

    case PA_ACCOUNT_STATUS_NOT_SIGNED_IN:
    default:
      if (detail != NULL && *detail != '\0')
        /* Translators: %s says what is missing, e.g. "Missing: App certificate". */
        status = g_strdup_printf (_("Not signed in (%s)"), detail);
      else
        status = g_strdup (_("Not signed in"));
      break;
    }

  /* A server the user chose is part of the account's identity. */
  base_url = pa_account_get_base_url (account);
  if (base_url != NULL && *base_url != '\0')
    /* Translators: %1$s is the status, e.g. "Signed in"; %2$s a server address. */
    return g_strdup_printf (_("%1$s · %2$s"), status, base_url);

  return g_steal_pointer (&status);
}

static void
sync_status (PaAccountRow *self)
{
  PaAccountStatus status = pa_account_get_status (self->account);
  g_autofree char *subtitle = pa_account_row_describe (self->account);
  gboolean signed_in = status == PA_ACCOUNT_STATUS_SIGNED_IN;
  const char *icon_name;
  const char *css_class;
  const char *tooltip;

  adw_action_row_set_subtitle (ADW_ACTION_ROW (self), subtitle);

  switch (status)
    {
    case PA_ACCOUNT_STATUS_SIGNED_IN:
      icon_name = "emblem-ok-symbolic";
      css_class = "signed-in";
      tooltip = _("Signed in");
      break;
    case PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE:
      icon_name = "dialog-warning-symbolic";
      css_class = "keyring-unavailable";
      tooltip = _("Keyring unavailable");
      break;
    case PA_ACCOUNT_STATUS_NOT_SIGNED_IN:
    default:
      icon_name = "dialog-password-symbolic";
      css_class = "not-signed-in";
      tooltip = _("Not signed in");
      break;
    }

  gtk_image_set_from_icon_name (self->status_icon, icon_name);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->status_icon), tooltip);
  for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), status_classes[i]);
  gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), css_class);

  gtk_widget_set_visible (self->sign_in_button, !signed_in);
  gtk_widget_set_visible (self->edit_button, signed_in);
  gtk_widget_set_visible (self->sign_out_button, signed_in);

  /* Activating the row does what its main button does. */
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (self),
                                         signed_in ? self->edit_button : self->sign_in_button);
}

static void
pa_account_row_constructed (GObject *object)
{
  PaAccountRow *self = PA_ACCOUNT_ROW (object);
  const char *platform = pa_account_get_platform (self->account);
  const char *profile = pa_account_get_profile (self->account);
  const PaPlatformInfo *info = pa_platform_info_lookup (platform);
  const char *name = info != NULL ? info->display_name : platform;
  GtkWidget *buttons[] = { self->sign_in_button, self->edit_button, self->sign_out_button };

  G_OBJECT_CLASS (pa_account_row_parent_class)->constructed (object);

  if (g_strcmp0 (profile, PA_DEFAULT_PROFILE) == 0)
    {
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), name);
    }
  else
    {
      /* Translators: %1$s is a platform, %2$s the name of one of its profiles. */
      g_autofree char *title = g_strdup_printf (_("%1$s (%2$s)"), name, profile);
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self), title);
    }

  if (info != NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self), _(info->description));

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    gtk_actionable_set_action_target (GTK_ACTIONABLE (buttons[i]), "(ss)", platform, profile);

  g_signal_connect_object (self->account, "notify",
                           G_CALLBACK (sync_status), self, G_CONNECT_SWAPPED);
  sync_status (self);
}

static void
pa_account_row_dispose (GObject *object)
{
  PaAccountRow *self = PA_ACCOUNT_ROW (object);

  g_clear_object (&self->account);

  G_OBJECT_CLASS (pa_account_row_parent_class)->dispose (object);
}

static void
pa_account_row_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PaAccountRow *self = PA_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_account_row_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PaAccountRow *self = PA_ACCOUNT_ROW (object);

  switch (prop_id)
    {
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_account_row_class_init (PaAccountRowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->constructed = pa_account_row_constructed;
  object_class->dispose = pa_account_row_dispose;
  object_class->get_property = pa_account_row_get_property;
  object_class->set_property = pa_account_row_set_property;

  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         PA_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-account-row.ui");
  gtk_widget_class_bind_template_child (widget_class, PaAccountRow, status_icon);
  gtk_widget_class_bind_template_child (widget_class, PaAccountRow, sign_in_button);
  gtk_widget_class_bind_template_child (widget_class, PaAccountRow, edit_button);
  gtk_widget_class_bind_template_child (widget_class, PaAccountRow, sign_out_button);
}

static void
pa_account_row_init (PaAccountRow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

PaAccountRow *
pa_account_row_new (PaAccount *account)
{
  g_return_val_if_fail (PA_IS_ACCOUNT (account), NULL);

  return g_object_new (PA_TYPE_ACCOUNT_ROW, "account", account, NULL);
}

PaAccount *
pa_account_row_get_account (PaAccountRow *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT_ROW (self), NULL);

  return self->account;
}
