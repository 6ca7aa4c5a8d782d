/* pa-sell-dialog.c — sells a picture: product, price and payment link in one step, then its QR code
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-application.h"
#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-payment-link-qr.h"
#include "pa-sell-dialog.h"

#define APP_ID "io.playalter.PlayAlter"
#define CURRENCY_KEY "sell-currency"
#define PREVIEW_SIZE 400

/* The currencies offered first; the one used last is added when it is
 * not among them. Stripe takes many more, in lower case. */
static const char * const currencies[] = {
  "usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "nzd", "sek", "nok", "dkk", "pln",
  "czk", "huf", "inr", "brl", "mxn", "sgd", "hkd", "krw", "kwd", NULL
};

struct _PaSellDialog
{
  AdwWindow        parent_instance;

  PaStripeAccount *account;
  GFile           *file;
  GSettings       *settings;
  GCancellable    *cancellable;
  GtkStringList   *currency_codes;
  char            *sha256;       /* of the file, once read */
  char            *url;          /* the link's, once sold */
  gboolean         busy;
  gboolean         live_confirmed;

  AdwWindowTitle  *window_title;
  GtkStack        *stack;
  GtkPicture      *preview;
  AdwEntryRow     *name_row;
  AdwEntryRow     *amount_row;
  AdwComboRow     *currency_row;
  AdwEntryRow     *description_row;
  AdwEntryRow     *image_row;
  GtkLabel        *live_label;
  GtkLabel        *error_label;
  GtkSpinner      *spinner;
  GtkButton       *sell_button;
  GtkBox          *sold_box;
  GtkLabel        *sold_label;
  GtkWidget       *qr;
};

G_DEFINE_FINAL_TYPE (PaSellDialog, pa_sell_dialog, ADW_TYPE_WINDOW)

static void
show_error (PaSellDialog *self,
            const char   *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static void
set_busy (PaSellDialog *self,
          gboolean      busy)
{
  self->busy = busy;
  gtk_spinner_set_spinning (self->spinner, busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "sell.sell", !busy);
}

static gboolean
is_live (PaSellDialog *self)
{
  return self->account != NULL &&
         pa_stripe_account_get_mode (self->account) == PA_STRIPE_MODE_LIVE;
}

/* A live account's button says what it does. */
static void
update_mode (PaSellDialog *self)
{
  gboolean live = is_live (self);

  gtk_button_set_label (self->sell_button, live ? _("_Sell for Real Money…") : _("_Sell"));
  gtk_widget_set_visible (GTK_WIDGET (self->live_label), live);
}

static void
mode_loaded_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PaSellDialog) self = user_data;
  g_autoptr(GError) error = NULL;

  /* Unknown stays unknown: the key's prefix is read again when selling. */
  pa_stripe_account_load_mode_finish (PA_STRIPE_ACCOUNT (source), result, &error);
  if (error != NULL && !pa_gui_error_is_cancelled (error))
    g_debug ("Could not tell the Stripe account's mode: %s", error->message);
  update_mode (self);
}

static const char *
selected_currency (PaSellDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->currency_row);

  if (selected >= g_list_model_get_n_items (G_LIST_MODEL (self->currency_codes)))
    return "usd";
  return gtk_string_list_get_string (self->currency_codes, selected);
}

/* ---- selling ------------------------------------------------------------- */

static void
sold_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PaSellDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) link = pa_stripe_account_object_finish (PA_STRIPE_ACCOUNT (source),
                                                                result, &error);
  const char *url = link != NULL ? json_object_get_string_member_with_default (link, "url", NULL)
                                 : NULL;
  g_autofree char *heading = NULL;

  set_busy (self, FALSE);
  if (link == NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        show_error (self, error->message);
      return;
    }
  if (url == NULL || !g_str_has_prefix (url, "https://"))
    {
      show_error (self, _("Stripe made the payment link but sent no address for it. "
                          "It is listed under Payments → Payment Links after the next sync."));
      return;
    }

  if (self->settings != NULL)
    g_settings_set_string (self->settings, CURRENCY_KEY, selected_currency (self));

  self->url = g_strdup (url);
  self->qr = pa_payment_link_qr_new (url);
  gtk_box_append (self->sold_box, self->qr);
  /* Translators: %s is the name of what is sold. */
  heading = g_strdup_printf (_("“%s” Is for Sale"), gtk_editable_get_text (GTK_EDITABLE (self->name_row)));
  gtk_label_set_text (self->sold_label, heading);
  adw_window_title_set_title (self->window_title, _("For Sale"));
  gtk_stack_set_visible_child_name (self->stack, "sold");
}

static void
sell_now (PaSellDialog *self,
          const char   *name,
          gint64        amount,
          const char   *currency,
          const char   *description,
          const char   *image_url)
{
  g_autoptr(JsonObject) metadata = json_object_new ();
  g_autofree char *file_name = g_file_get_basename (self->file);
  g_autofree char *request_id = NULL;

  /* The same picture at the same price is the same sale: pressing Sell
   * again, or in a dialog opened again, makes nothing twice. */
  request_id = g_strdup_printf ("sell-%s-%" G_GINT64_FORMAT "-%s", self->sha256, amount, currency);
  json_object_set_string_member (metadata, "file_name", file_name);
  json_object_set_string_member (metadata, "sha256", self->sha256);

  set_busy (self, TRUE);
  pa_stripe_account_sell_async (self->account, name, description, image_url, amount, currency,
                                metadata, request_id, self->cancellable,
                                sold_cb, g_object_ref (self));
}

/* What the form says, checked; FALSE shows why not. */
static gboolean
read_form (PaSellDialog  *self,
           char         **name_out,
           gint64        *amount_out,
           char         **description_out,
           char         **image_url_out)
{
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->name_row))));
  g_autofree char *description = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->description_row))));
  g_autofree char *image_url = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->image_row))));
  const char *amount = gtk_editable_get_text (GTK_EDITABLE (self->amount_row));
  g_autoptr(GError) error = NULL;

  if (*name == '\0')
    {
      show_error (self, _("Give the picture a name: buyers see it on Stripe’s page."));
      gtk_widget_grab_focus (GTK_WIDGET (self->name_row));
      return FALSE;
    }
  if (!pa_money_parse (amount, selected_currency (self), NULL, amount_out, &error))
    {
      show_error (self, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
      return FALSE;
    }
  if (*image_url != '\0')
    {
      g_autoptr(GUri) uri = g_uri_parse (image_url, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 ||
          g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
        {
          show_error (self, _("The picture address must be a public https:// address, "
                              "or be left empty."));
          gtk_widget_grab_focus (GTK_WIDGET (self->image_row));
          return FALSE;
        }
    }

  *name_out = g_steal_pointer (&name);
  *description_out = *description != '\0' ? g_steal_pointer (&description) : NULL;
  *image_url_out = *image_url != '\0' ? g_steal_pointer (&image_url) : NULL;
  return TRUE;
}

static void sell_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter);

static void
on_live_response (AdwMessageDialog *dialog,
                  const char       *response,
                  PaSellDialog     *self)
{
  if (g_strcmp0 (response, "sell") != 0)
    return;
  self->live_confirmed = TRUE;
  sell_activated (GTK_WIDGET (self), "sell.sell", NULL);
}

static void
hashed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PaSellDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *sha256 = g_task_propagate_pointer (G_TASK (result), &error);

  set_busy (self, FALSE);
  if (sha256 == NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        show_error (self, error->message);
      return;
    }
  self->sha256 = g_steal_pointer (&sha256);
  sell_activated (GTK_WIDGET (self), "sell.sell", NULL);
}

/* The file's SHA-256, read in a worker thread. */
static void
hash_thread (GTask        *task,
             gpointer      source,
             gpointer      task_data,
             GCancellable *cancellable)
{
  GFile *file = task_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFileInputStream) stream = g_file_read (file, cancellable, &error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guchar buffer[64 * 1024];
  gssize n;

  if (stream == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (file);

      g_task_return_new_error (task, error->domain, error->code,
                               /* Translators: %1$s is a file, %2$s why it cannot be read. */
                               _("“%1$s” cannot be read: %2$s"), name, error->message);
      return;
    }
  while ((n = g_input_stream_read (G_INPUT_STREAM (stream), buffer, sizeof buffer,
                                   cancellable, &error)) > 0)
    g_checksum_update (checksum, buffer, n);
  if (n < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_pointer (task, g_strdup (g_checksum_get_string (checksum)), g_free);
}

static void
sell_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaSellDialog *self = PA_SELL_DIALOG (widget);
  g_autofree char *name = NULL;
  g_autofree char *description = NULL;
  g_autofree char *image_url = NULL;
  g_autofree char *price = NULL;
  const char *currency = selected_currency (self);
  gint64 amount = 0;

  if (self->busy || self->account == NULL)
    return;
  show_error (self, NULL);
  if (!read_form (self, &name, &amount, &description, &image_url))
    return;

  if (self->sha256 == NULL)
    {
      g_autoptr(GTask) task = g_task_new (NULL, self->cancellable, hashed_cb, g_object_ref (self));

      g_task_set_source_tag (task, sell_activated);
      g_task_set_task_data (task, g_object_ref (self->file), g_object_unref);
      set_busy (self, TRUE);
      g_task_run_in_thread (task, hash_thread);
      return;
    }

  /* Real money asks first, naming what and for how much. */
  if (is_live (self) && !self->live_confirmed)
    {
      GtkWidget *dialog;

      price = pa_money_format (amount, currency, NULL);
      dialog = adw_message_dialog_new (GTK_WINDOW (self), _("Sell for Real Money?"), NULL);
      adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                      /* Translators: %1$s is what is sold, %2$s its price. */
                                      _("This is a live Stripe account. Anyone with the link can "
                                        "buy “%1$s” for %2$s, and the money is real."),
                                      name, price);
      adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                        "cancel", _("_Cancel"),
                                        "sell", _("_Sell for Real Money"),
                                        NULL);
      adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "sell",
                                                  ADW_RESPONSE_SUGGESTED);
      adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
      g_signal_connect_object (dialog, "response", G_CALLBACK (on_live_response), self, 0);
      gtk_window_present (GTK_WINDOW (dialog));
      return;
    }
  self->live_confirmed = FALSE;

  sell_now (self, name, amount, currency, description, image_url);
}

/* ---- the picture ----------------------------------------------------------- */

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(PaSellDialog) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = pa_media_preview_load_finish (result, NULL, &error);

  if (texture != NULL)
    gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (texture));
  else if (!pa_gui_error_is_cancelled (error))
    show_error (self, error->message);
}

/* ---- the object ------------------------------------------------------------ */

static void
pa_sell_dialog_dispose (GObject *object)
{
  PaSellDialog *self = PA_SELL_DIALOG (object);

  g_cancellable_cancel (self->cancellable);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (self->account, self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PA_TYPE_SELL_DIALOG);

  G_OBJECT_CLASS (pa_sell_dialog_parent_class)->dispose (object);
}

static void
pa_sell_dialog_finalize (GObject *object)
{
  PaSellDialog *self = PA_SELL_DIALOG (object);

  g_clear_object (&self->account);
  g_clear_object (&self->file);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->currency_codes);
  g_free (self->sha256);
  g_free (self->url);

  G_OBJECT_CLASS (pa_sell_dialog_parent_class)->finalize (object);
}

static void
pa_sell_dialog_class_init (PaSellDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_sell_dialog_dispose;
  object_class->finalize = pa_sell_dialog_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-sell-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, window_title);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, stack);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, preview);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, name_row);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, amount_row);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, currency_row);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, description_row);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, image_row);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, live_label);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, error_label);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, sell_button);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, sold_box);
  gtk_widget_class_bind_template_child (widget_class, PaSellDialog, sold_label);

  gtk_widget_class_install_action (widget_class, "sell.sell", NULL, sell_activated);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
load_settings (PaSellDialog *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  /* Without a compiled schema (an uninstalled build) the currency is not
   * remembered; nothing else changes. */
  if (schema != NULL && g_settings_schema_has_key (schema, CURRENCY_KEY))
    self->settings = g_settings_new_full (schema, NULL, NULL);
}

static void
pa_sell_dialog_init (PaSellDialog *self)
{
  g_autoptr(GtkStringList) labels = gtk_string_list_new (NULL);
  g_autofree char *last = NULL;
  guint selected = 0;

  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  load_settings (self);

  last = self->settings != NULL ? g_settings_get_string (self->settings, CURRENCY_KEY) : NULL;
  self->currency_codes = gtk_string_list_new ((const char * const *) currencies);
  if (last != NULL && pa_money_currency_is_valid (last))
    {
      g_autofree char *lower = g_ascii_strdown (last, -1);
      gboolean found = FALSE;

      for (guint i = 0; currencies[i] != NULL; i++)
        if (g_strcmp0 (currencies[i], lower) == 0)
          {
            selected = i;
            found = TRUE;
          }
      if (!found)
        {
          gtk_string_list_append (self->currency_codes, lower);
          selected = g_list_model_get_n_items (G_LIST_MODEL (self->currency_codes)) - 1;
        }
    }
  for (guint i = 0; i < g_list_model_get_n_items (G_LIST_MODEL (self->currency_codes)); i++)
    {
      g_autofree char *upper = g_ascii_strup (gtk_string_list_get_string (self->currency_codes, i), -1);

      gtk_string_list_append (labels, upper);
    }
  adw_combo_row_set_model (self->currency_row, G_LIST_MODEL (labels));
  adw_combo_row_set_selected (self->currency_row, selected);
}

PaSellDialog *
pa_sell_dialog_new (GtkWindow       *parent,
                    PaStripeAccount *account,
                    GFile           *file)
{
  PaSellDialog *self;
  g_autofree char *basename = NULL;
  char *dot;

  g_return_val_if_fail (parent == NULL || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (account), NULL);
  g_return_val_if_fail (G_IS_FILE (file), NULL);

  self = g_object_new (PA_TYPE_SELL_DIALOG, "transient-for", parent, NULL);
  self->account = g_object_ref (account);
  self->file = g_object_ref (file);

  /* The name starts as the file's, without its extension. */
  basename = g_file_get_basename (file);
  dot = basename != NULL ? strrchr (basename, '.') : NULL;
  if (dot != NULL && dot != basename)
    *dot = '\0';
  gtk_editable_set_text (GTK_EDITABLE (self->name_row), basename != NULL ? basename : "");

  g_signal_connect_object (account, "notify::mode", G_CALLBACK (update_mode), self,
                           G_CONNECT_SWAPPED);
  update_mode (self);
  if (pa_stripe_account_get_mode (account) == PA_STRIPE_MODE_UNKNOWN)
    pa_stripe_account_load_mode_async (account, self->cancellable, mode_loaded_cb,
                                       g_object_ref (self));

  pa_media_preview_load_async (file, PREVIEW_SIZE, self->cancellable, preview_cb,
                               g_object_ref (self));
  gtk_widget_grab_focus (GTK_WIDGET (self->amount_row));
  return self;
}

/* ---- from the gallery ------------------------------------------------------- */

/* The first signed-in Stripe account, as the Payments page lists them. */
static PaStripeAccount *
first_stripe_account (PaApplication *app)
{
  PaAccountManager *manager = pa_application_get_account_manager (app);
  GListModel *accounts = manager != NULL ? pa_account_manager_get_accounts (manager) : NULL;

  for (guint i = 0; accounts != NULL && i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(PaAccount) row = g_list_model_get_item (accounts, i);

      if (g_strcmp0 (pa_account_get_platform (row), "stripe") == 0 &&
          pa_account_get_status (row) == PA_ACCOUNT_STATUS_SIGNED_IN)
        return pa_application_get_stripe_account (app, pa_account_get_profile (row));
    }
  return NULL;
}

/* The sidebar row that opens the Accounts page. */
static GtkWidget *
find_named_row (GtkWidget  *root,
                const char *name)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found;

      if (GTK_IS_LIST_BOX_ROW (child) && g_strcmp0 (gtk_widget_get_name (child), name) == 0)
        return child;
      if ((found = find_named_row (child, name)) != NULL)
        return found;
    }
  return NULL;
}

static void
on_no_account_response (AdwMessageDialog *dialog,
                        const char       *response,
                        GtkWindow        *window)
{
  GtkWidget *row;

  if (g_strcmp0 (response, "accounts") != 0 || window == NULL)
    return;
  row = find_named_row (GTK_WIDGET (window), "accounts");
  if (row != NULL)
    gtk_widget_activate (row);
}

void
pa_sell_dialog_present_for (GtkWidget *from,
                            GFile     *file)
{
  GtkRoot *root;
  GApplication *app = g_application_get_default ();
  PaStripeAccount *account;
  GtkWidget *dialog;

  g_return_if_fail (GTK_IS_WIDGET (from));
  g_return_if_fail (G_IS_FILE (file));

  root = gtk_widget_get_root (from);
  account = PA_IS_APPLICATION (app) ? first_stripe_account (PA_APPLICATION (app)) : NULL;
  if (account != NULL)
    {
      gtk_window_present (GTK_WINDOW (pa_sell_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                          account, file)));
      return;
    }

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("No Stripe Account"),
                                   _("Selling a picture makes a product, a price and a payment "
                                     "link in your own Stripe account. Sign in to Stripe on the "
                                     "Accounts page first; a test key (sk_test_…) is enough to "
                                     "try it."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "close", _("_Close"),
                                    "accounts", _("Open _Accounts"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accounts",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "accounts");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "close");
  if (GTK_IS_WINDOW (root))
    g_signal_connect_object (dialog, "response", G_CALLBACK (on_no_account_response), root, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

GtkWidget *
pa_sell_dialog_get_qr (PaSellDialog *self)
{
  g_return_val_if_fail (PA_IS_SELL_DIALOG (self), NULL);

  return self->qr;
}
