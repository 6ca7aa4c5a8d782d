/* pa-sign-in-dialog.c — keys and server address for one platform account
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-sign-in-dialog.h"
#include "pa-gui-util.h"

struct _PaSignInDialog
{
  AdwWindow             parent_instance;

  PaAccountManager     *manager;
  PaAccount            *account;
  const PaPlatformInfo *info;
  GCancellable         *cancellable;
  GPtrArray            *field_rows;
  /* A signed-in account is being changed: empty fields keep their keys. */
  gboolean              editing;
  gboolean              busy;

  AdwWindowTitle       *window_title;
  GtkStack             *submit_stack;
  GtkWidget            *submit_button;
  GtkSpinner           *spinner;
  GtkRevealer          *error_revealer;
  GtkLabel             *error_label;
  GtkWidget            *form_page;
  AdwPreferencesGroup  *fields_group;
  AdwExpanderRow       *advanced_row;
  AdwEntryRow          *base_url_row;
};

G_DEFINE_FINAL_TYPE (PaSignInDialog, pa_sign_in_dialog, ADW_TYPE_WINDOW)

enum {
  PROP_0,
  PROP_MANAGER,
  PROP_ACCOUNT,
  N_PROPS
};

enum {
  SAVED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

#define FIELD_KEY "pa-field-name"

static char *
get_trimmed_text (gpointer editable)
{
  return g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (editable))));
}

/* The trimmed text of a credential field, copied once into a buffer of
 * its own length, to be freed with pa_secrets_free(). Not g_strstrip() on
 * a copy: it moves the text to the front and leaves the tail of the
 * secret behind the new end, where a wipe up to the NUL never reaches. */
static char *
dup_trimmed_secret (gpointer editable)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (editable));
  const char *start = text;
  const char *end = text + strlen (text);

  while (*start != '\0' && g_ascii_isspace (*start))
    start++;
  while (end > start && g_ascii_isspace (end[-1]))
    end--;
  return g_strndup (start, (gsize) (end - start));
}

/* Whether a credential field holds more than spaces, without copying it. */
static gboolean
secret_is_filled (gpointer editable)
{
  for (const char *p = gtk_editable_get_text (GTK_EDITABLE (editable)); *p != '\0'; p++)
    if (!g_ascii_isspace (*p))
      return TRUE;
  return FALSE;
}

static gboolean
has_required_input (PaSignInDialog *self)
{
  g_autofree char *base_url = get_trimmed_text (self->base_url_row);
  guint filled = 0;
  gboolean base_url_changed;

  for (guint i = 0; i < self->field_rows->len; i++)
    if (secret_is_filled (g_ptr_array_index (self->field_rows, i)))
      filled++;

  base_url_changed = g_strcmp0 (base_url, pa_account_get_base_url (self->account) ?: "") != 0;

  if (self->editing)
    return filled > 0 || base_url_changed;

  /* A local server (an OpenAI-compatible one, a Cog server) needs no key,
   * but then it needs an address. */
  if (self->info->key_optional)
    return filled > 0 || *base_url != '\0';

  return filled == self->field_rows->len;
}

static void
show_error (PaSignInDialog *self,
            const char     *message)
{
  gtk_label_set_text (self->error_label, message);
  gtk_revealer_set_reveal_child (self->error_revealer, TRUE);
}

static void
set_busy (PaSignInDialog *self,
          gboolean        busy)
{
  self->busy = busy;

  /* An entry that turns insensitive while it has the focus gets no
   * focus-out in GTK 4.8 and keeps blinking a cursor it no longer has. */
  if (busy)
    gtk_window_set_focus (GTK_WINDOW (self), NULL);

  gtk_stack_set_visible_child (self->submit_stack,
                               busy ? GTK_WIDGET (self->spinner) : self->submit_button);
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_set_sensitive (self->form_page, !busy);
}

/* After a failed attempt: the form again, with why, and the focus in the
 * first field, where a refused key is typed again. */
static void
return_to_form (PaSignInDialog *self,
                const char     *message)
{
  set_busy (self, FALSE);
  show_error (self, message);
  if (self->field_rows->len > 0)
    gtk_widget_grab_focus (g_ptr_array_index (self->field_rows, 0));
}

static void
on_input_changed (PaSignInDialog *self)
{
  gtk_widget_set_sensitive (self->submit_button, has_required_input (self));

  /* An old error is about what was there before the edit. */
  if (!self->busy)
    gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(PaSignInDialog) self = user_data;
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  identity = pa_account_manager_check_finish (PA_ACCOUNT_MANAGER (source), result, &error);

  if (g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    return;

  /* A key the platform refuses is worth fixing while the form is open. */
  if (g_error_matches (error, PA_ERROR, PA_ERROR_AUTH) ||
      g_error_matches (error, PA_ERROR, PA_ERROR_INVALID_INPUT))
    {
      return_to_form (self, error->message);
      return;
    }

  if (identity != NULL)
    {
      g_autofree char *who = pa_identity_describe (identity);

      /* Translators: %1$s is a platform, e.g. "Stripe"; %2$s who the user is there. */
      message = g_strdup_printf (_("Signed in to %1$s as %2$s"), self->info->display_name, who);
    }
  else
    {
      /* Offline or the platform is down: the keys are saved and will be
       * used when it is back, which is what a local-first app should do. */
      /* Translators: %1$s is a platform, e.g. "Stripe"; %2$s why it could not be reached. */
      message = g_strdup_printf (_("Signed in to %1$s, not verified yet: %2$s"),
                                 self->info->display_name, error->message);
    }

  g_signal_emit (self, signals[SAVED], 0, message);
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
sign_in_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaSignInDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!pa_account_manager_sign_in_finish (PA_ACCOUNT_MANAGER (source), result, &error))
    {
      /* Cancelled: the dialog was closed and nobody is waiting. */
      if (pa_gui_error_is_cancelled (error))
        return;

      return_to_form (self, error->message);
      return;
    }

  /* The keys are in the keyring now: ask the platform whose they are. */
  pa_account_manager_check_async (PA_ACCOUNT_MANAGER (source),
                                  pa_account_get_platform (self->account),
                                  pa_account_get_profile (self->account),
                                  self->cancellable,
                                  check_cb,
                                  g_object_ref (self));
}

static void
on_submit_clicked (PaSignInDialog *self)
{
  g_autoptr(GHashTable) secrets = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *base_url = NULL;

  if (self->busy || !has_required_input (self))
    return;

  base_url = get_trimmed_text (self->base_url_row);
  /* Plain http to another machine is for the command line, where the
   * user asks for it by name; here it gets the same refusal. */
  if (*base_url != '\0' &&
      !pa_account_manager_check_base_url (base_url, PA_SIGN_IN_NONE, &error))
    {
      adw_expander_row_set_expanded (self->advanced_row, TRUE);
      gtk_widget_grab_focus (GTK_WIDGET (self->base_url_row));
      show_error (self, error->message);
      return;
    }

  /* The values are wiped when the table goes, as looked-up secrets are. */
  secrets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL,
                                   (GDestroyNotify) pa_secrets_free);
  for (guint i = 0; i < self->field_rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (self->field_rows, i);
      char *text = dup_trimmed_secret (row);

      if (*text != '\0')
        g_hash_table_insert (secrets, g_object_get_data (G_OBJECT (row), FIELD_KEY), text);
      else
        pa_secrets_free (text);
    }

  gtk_revealer_set_reveal_child (self->error_revealer, FALSE);
  set_busy (self, TRUE);

  pa_account_manager_sign_in_async (self->manager,
                                    pa_account_get_platform (self->account),
                                    pa_account_get_profile (self->account),
                                    base_url,
                                    PA_SIGN_IN_NONE,
                                    secrets,
                                    self->cancellable,
                                    sign_in_cb,
                                    g_object_ref (self));
}

static void
build_form (PaSignInDialog *self)
{
  const char *base_url = pa_account_get_base_url (self->account);
  g_autofree char *title = NULL;
  g_autofree char *default_url = NULL;
  g_autofree char *description = NULL;
  const char *advice;

  self->editing = pa_account_get_status (self->account) == PA_ACCOUNT_STATUS_SIGNED_IN;

  if (self->editing)
    {
      /* Translators: the title of the dialog that changes a saved account;
       * %s is a platform, e.g. "Stripe". */
      title = g_strdup_printf (_("%s Account"), self->info->display_name);
      gtk_button_set_label (GTK_BUTTON (self->submit_button), _("_Save"));
      advice = _("Type a new key to replace the saved one, or leave a field empty to keep it.");
    }
  else
    {
      /* Translators: %s is a platform, e.g. "Stripe". */
      title = g_strdup_printf (_("Sign In to %s"), self->info->display_name);
      gtk_button_set_label (GTK_BUTTON (self->submit_button), _("_Sign In"));
      if (self->info->key_optional)
        advice = _("Keys are saved in your system keyring. A local server may need "
                   "no key: then set its address under Advanced.");
      else
        advice = _("Keys are saved in your system keyring.");
    }

  gtk_window_set_title (GTK_WINDOW (self), title);
  adw_window_title_set_title (self->window_title, title);

  /* Translators: %1$s says what a platform is for, %2$s where its keys go. */
  description = g_strdup_printf (_("%1$s.\n%2$s"), _(self->info->description), advice);
  adw_preferences_group_set_description (self->fields_group, description);

  for (guint i = 0; self->info->fields[i].name != NULL; i++)
    {
      const PaCredentialField *field = &self->info->fields[i];
      GtkWidget *row;

      row = field->secret ? adw_password_entry_row_new () : adw_entry_row_new ();
      adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), _(field->label));
      adw_entry_row_set_activates_default (ADW_ENTRY_ROW (row), TRUE);
      g_object_set_data (G_OBJECT (row), FIELD_KEY, (gpointer) field->name);
      g_signal_connect_object (row, "changed", G_CALLBACK (on_input_changed),
                               self, G_CONNECT_SWAPPED);

      adw_preferences_group_add (self->fields_group, row);
      g_ptr_array_add (self->field_rows, row);
    }

  /* Translators: %s is the server a platform is reached at by default. */
  default_url = g_strdup_printf (_("Default: %s"), self->info->default_base_url);
  adw_expander_row_set_subtitle (self->advanced_row, default_url);
  if (base_url != NULL && *base_url != '\0')
    {
      gtk_editable_set_text (GTK_EDITABLE (self->base_url_row), base_url);
      adw_expander_row_set_expanded (self->advanced_row, TRUE);
    }

  on_input_changed (self);
}

static gboolean
pa_sign_in_dialog_close_request (GtkWindow *window)
{
  PaSignInDialog *self = PA_SIGN_IN_DIALOG (window);

  g_cancellable_cancel (self->cancellable);

  return GTK_WINDOW_CLASS (pa_sign_in_dialog_parent_class)->close_request (window);
}

static void
pa_sign_in_dialog_constructed (GObject *object)
{
  PaSignInDialog *self = PA_SIGN_IN_DIALOG (object);

  G_OBJECT_CLASS (pa_sign_in_dialog_parent_class)->constructed (object);

  self->info = pa_platform_info_lookup (pa_account_get_platform (self->account));
  g_return_if_fail (self->info != NULL);

  build_form (self);
}

static void
pa_sign_in_dialog_dispose (GObject *object)
{
  PaSignInDialog *self = PA_SIGN_IN_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->manager);
  g_clear_object (&self->account);
  g_clear_pointer (&self->field_rows, g_ptr_array_unref);

  G_OBJECT_CLASS (pa_sign_in_dialog_parent_class)->dispose (object);
}

static void
pa_sign_in_dialog_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PaSignInDialog *self = PA_SIGN_IN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      g_value_set_object (value, self->manager);
      break;
    case PROP_ACCOUNT:
      g_value_set_object (value, self->account);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_sign_in_dialog_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PaSignInDialog *self = PA_SIGN_IN_DIALOG (object);

  switch (prop_id)
    {
    case PROP_MANAGER:
      self->manager = g_value_dup_object (value);
      break;
    case PROP_ACCOUNT:
      self->account = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_sign_in_dialog_class_init (PaSignInDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->constructed = pa_sign_in_dialog_constructed;
  object_class->dispose = pa_sign_in_dialog_dispose;
  object_class->get_property = pa_sign_in_dialog_get_property;
  object_class->set_property = pa_sign_in_dialog_set_property;
  window_class->close_request = pa_sign_in_dialog_close_request;

  properties[PROP_MANAGER] =
    g_param_spec_object ("manager", NULL, NULL,
                         PA_TYPE_ACCOUNT_MANAGER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ACCOUNT] =
    g_param_spec_object ("account", NULL, NULL,
                         PA_TYPE_ACCOUNT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * PaSignInDialog::saved:
   * @message: what to tell the user, e.g. "Signed in to Stripe"
   */
  signals[SAVED] =
    g_signal_new ("saved",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_STRING);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-sign-in-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, submit_stack);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, submit_button);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, error_revealer);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, form_page);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, fields_group);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, advanced_row);
  gtk_widget_class_bind_template_child (widget_class, PaSignInDialog, base_url_row);
  gtk_widget_class_bind_template_callback (widget_class, on_submit_clicked);
  gtk_widget_class_bind_template_callback (widget_class, on_input_changed);
}

static void
pa_sign_in_dialog_init (PaSignInDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  self->cancellable = g_cancellable_new ();
  self->field_rows = g_ptr_array_new ();
}

PaSignInDialog *
pa_sign_in_dialog_new (PaAccountManager *manager,
                       PaAccount        *account)
{
  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (manager), NULL);
  g_return_val_if_fail (PA_IS_ACCOUNT (account), NULL);

  return g_object_new (PA_TYPE_SIGN_IN_DIALOG,
                       "manager", manager,
                       "account", account,
                       NULL);
}

PaAccount *
pa_sign_in_dialog_get_account (PaSignInDialog *self)
{
  g_return_val_if_fail (PA_IS_SIGN_IN_DIALOG (self), NULL);

  return self->account;
}
