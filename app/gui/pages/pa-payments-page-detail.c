/* pa-payments-page-detail.c — a payment's detail and the refund dialog
 *
 * The detail reads the payment, its refunds and its events from the
 * synced copy. A refund goes through PaStripeAccount, which keeps the
 * idempotency key in the store, so a retry after a lost answer refunds
 * once. The dialog names the amount in its question, and a live
 * account's refund needs one more explicit tick: real money moves.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-payments-page-private.h"
#include "pa-gui-util.h"

/* ---- the detail ------------------------------------------------------------- */

static void
clear_list_box (GtkListBox *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (box))) != NULL)
    gtk_list_box_remove (box, child);
}

static void
add_row (GtkListBox *box,
         const char *title,
         const char *subtitle)
{
  GtkWidget *row = adw_action_row_new ();
  /* Names, emails and descriptions come from Stripe: never markup
   * (libadwaita 1.2 reads a row's subtitle as markup whatever
   * use-markup says, so both are escaped). */
  g_autofree char *title_text = g_markup_escape_text (title, -1);
  g_autofree char *subtitle_text = g_markup_escape_text (subtitle != NULL ? subtitle : "—", -1);

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title_text);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle_text);
  gtk_list_box_append (box, row);
}

/* "Visa ••••4242", else Stripe's method type, else NULL. */
static char *
format_method (const PaStripePaymentRecord *record)
{
  if (record->card_brand != NULL && record->card_last4 != NULL)
    {
      g_autofree char *brand = g_strdup (record->card_brand);

      brand[0] = g_ascii_toupper (brand[0]);
      return g_strdup_printf ("%s ••••%s", brand, record->card_last4);
    }
  return g_strdup (record->method);
}

static void
fill_refunds (PaPaymentsPage *self,
              const char     *charge)
{
  g_autoptr(GPtrArray) refunds = NULL;
  g_autoptr(GError) error = NULL;

  clear_list_box (self->detail_refunds);
  refunds = pa_store_stripe_list_objects (pa_stripe_account_get_store (self->account),
                                          pa_stripe_account_get_profile (self->account),
                                          "refund", charge, 0, &error);
  if (refunds == NULL)
    {
      add_row (self->detail_refunds, _("Can't read the refunds"), error->message);
      return;
    }
  if (refunds->len == 0)
    add_row (self->detail_refunds, _("No refunds"), NULL);

  for (guint i = 0; i < refunds->len; i++)
    {
      PaStripeObjectRecord *refund = refunds->pdata[i];
      g_autoptr(JsonNode) node = json_from_string (refund->data_json, NULL);
      JsonObject *object = node != NULL && JSON_NODE_HOLDS_OBJECT (node)
                           ? json_node_get_object (node) : NULL;
      g_autofree char *money = NULL;
      g_autofree char *when = payments_page_format_date (refund->created);
      g_autofree char *subtitle = NULL;
      const char *status = NULL;

      if (object != NULL && json_object_has_member (object, "amount") &&
          JSON_NODE_HOLDS_VALUE (json_object_get_member (object, "amount")))
        money = pa_money_format (json_object_get_int_member (object, "amount"),
                                 json_object_get_string_member_with_default (object, "currency", ""),
                                 NULL);
      if (object != NULL)
        status = json_object_get_string_member_with_default (object, "status", NULL);
      /* Translators: a refund's date and Stripe's status of it. */
      subtitle = status != NULL ? g_strdup_printf (_("%s · %s"), when, status) : g_strdup (when);
      add_row (self->detail_refunds, money != NULL ? money : refund->id, subtitle);
    }
}

static void
fill_timeline (PaPaymentsPage *self,
               const char     *charge)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;

  clear_list_box (self->detail_timeline);
  events = pa_store_stripe_list_payment_events (pa_stripe_account_get_store (self->account),
                                                pa_stripe_account_get_profile (self->account),
                                                charge, &error);
  if (events == NULL)
    {
      add_row (self->detail_timeline, _("Can't read the events"), error->message);
      return;
    }
  if (events->len == 0)
    add_row (self->detail_timeline, _("No events stored"),
             _("Stripe keeps events for 30 days; older payments have none here."));
  for (guint i = 0; i < events->len; i++)
    {
      PaStripeEventRecord *event = events->pdata[i];
      g_autofree char *when = payments_page_format_date (event->created);

      add_row (self->detail_timeline, event->type, when);
    }
}

static void
update_refund_button (PaPaymentsPage *self)
{
  gboolean can = self->detail != NULL && self->account != NULL && !self->refunding &&
                 pa_payment_get_refundable (self->detail) > 0;

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "payments.refund", can);
  gtk_widget_set_visible (GTK_WIDGET (self->refund_button),
                          self->detail != NULL && pa_payment_get_refundable (self->detail) > 0);
  gtk_button_set_label (self->refund_button, self->refunding ? _("Refunding…") : _("_Refund…"));
}

void
payments_page_show_detail (PaPaymentsPage *self,
                           PaPayment      *payment)
{
  const PaStripePaymentRecord *record;
  g_autofree char *amount = NULL;
  g_autofree char *refunded = NULL;
  g_autofree char *method = NULL;
  g_autofree char *when = NULL;
  g_autofree char *customer = NULL;
  const char *payer;

  if (payment != self->detail)
    {
      /* Another payment: the last refund's error was about the old one. */
      if (payment == NULL || self->detail == NULL ||
          g_strcmp0 (pa_payment_get_id (payment), pa_payment_get_id (self->detail)) != 0)
        g_clear_pointer (&self->refund_error, g_free);
      g_set_object (&self->detail, payment);
    }
  gtk_revealer_set_reveal_child (self->detail_revealer, payment != NULL && self->account != NULL);
  gtk_label_set_text (self->detail_error, self->refund_error != NULL ? self->refund_error : "");
  gtk_widget_set_visible (GTK_WIDGET (self->detail_error), self->refund_error != NULL);
  update_refund_button (self);
  if (payment == NULL || self->account == NULL)
    return;

  record = pa_payment_get_record (payment);
  amount = pa_money_format (record->amount, record->currency, NULL);
  refunded = pa_money_format (record->amount_refunded, record->currency, NULL);
  method = format_method (record);
  when = payments_page_format_date (record->created);
  payer = pa_payment_get_payer (payment);
  if (payer != NULL && record->email != NULL && g_strcmp0 (payer, record->email) != 0)
    customer = g_strdup_printf ("%s <%s>", payer, record->email);
  else
    customer = g_strdup (payer);

  gtk_label_set_text (self->detail_amount, amount);
  payments_page_style_status (self->detail_status, pa_payment_get_status (payment));

  clear_list_box (self->detail_fields);
  add_row (self->detail_fields, _("Customer"), customer);
  add_row (self->detail_fields, _("Payment method"), method);
  add_row (self->detail_fields, _("Amount"), amount);
  add_row (self->detail_fields, _("Refunded"), refunded);
  add_row (self->detail_fields, _("Date"), when);
  add_row (self->detail_fields, _("Description"), record->description);
  add_row (self->detail_fields, _("Payment ID"), record->id);

  fill_refunds (self, record->id);
  fill_timeline (self, record->id);
}

void
payments_page_detail_reload (PaPaymentsPage *self)
{
  g_autoptr(PaStripePaymentRecord) record = NULL;
  g_autoptr(PaPayment) payment = NULL;
  g_autoptr(GError) error = NULL;

  if (self->detail == NULL || self->account == NULL)
    return;
  record = pa_store_stripe_get_payment (pa_stripe_account_get_store (self->account),
                                        pa_stripe_account_get_profile (self->account),
                                        pa_payment_get_id (self->detail), &error);
  if (record == NULL)
    {
      /* Gone from the copy (the account forgotten): nothing to show. */
      g_debug ("The payment in the detail is not stored: %s", error->message);
      payments_page_show_detail (self, NULL);
      return;
    }
  payment = pa_payment_new (record);
  payments_page_show_detail (self, payment);
}

/* ---- the refund dialog -------------------------------------------------------- */

typedef struct
{
  PaPaymentsPage   *page;          /* weak */
  PaStripeAccount  *account;
  PaPayment        *payment;
  gboolean          live;
  GtkCheckButton   *full_check;
  GtkCheckButton   *part_check;
  GtkEntry         *amount_entry;
  GtkLabel         *error_label;
  GtkCheckButton   *live_check;
  gint64            amount;        /* what the question names; 0 = not valid */
} RefundForm;

static void
refund_form_free (RefundForm *form)
{
  g_clear_weak_pointer (&form->page);
  g_clear_object (&form->account);
  g_clear_object (&form->payment);
  g_free (form);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RefundForm, refund_form_free)

/* What the form says now: the amount, whether it can be sent, and a
 * question that names it. */
static void
update_refund_form (AdwMessageDialog *dialog)
{
  RefundForm *form = g_object_get_data (G_OBJECT (dialog), "refund-form");
  const PaStripePaymentRecord *record = pa_payment_get_record (form->payment);
  gint64 refundable = pa_payment_get_refundable (form->payment);
  const char *payer = pa_payment_get_payer (form->payment);
  g_autoptr(GError) error = NULL;
  g_autofree char *money = NULL;
  g_autofree char *heading = NULL;
  gint64 amount = 0;

  gtk_widget_set_sensitive (GTK_WIDGET (form->amount_entry),
                            gtk_check_button_get_active (form->part_check));
  if (gtk_check_button_get_active (form->full_check))
    amount = refundable;
  else if (pa_money_parse (gtk_editable_get_text (GTK_EDITABLE (form->amount_entry)),
                           record->currency, NULL, &amount, &error))
    {
      if (amount <= 0)
        g_set_error_literal (&error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("Enter an amount above zero."));
      else if (amount > refundable)
        {
          g_autofree char *left = pa_money_format (refundable, record->currency, NULL);

          /* Translators: %s is the amount that can still be refunded. */
          g_set_error (&error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("At most %s is left to refund."), left);
        }
    }

  if (error != NULL)
    {
      /* An empty entry is not yet a mistake: say nothing until typed. */
      gboolean typed = *gtk_editable_get_text (GTK_EDITABLE (form->amount_entry)) != '\0';

      gtk_label_set_text (form->error_label, typed ? error->message : "");
      gtk_widget_set_visible (GTK_WIDGET (form->error_label), typed);
      amount = 0;
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (form->error_label), FALSE);
  form->amount = amount;

  if (amount > 0)
    {
      money = pa_money_format (amount, record->currency, NULL);
      heading = payer != NULL
                /* Translators: %1$s is an amount ("€12.50"), %2$s who paid. */
                ? g_strdup_printf (_("Refund %1$s to %2$s?"), money, payer)
                : g_strdup_printf (_("Refund %s?"), money);
    }
  else
    heading = g_strdup (_("Refund How Much?"));
  adw_message_dialog_set_heading (dialog, heading);
  adw_message_dialog_set_response_enabled (dialog, "refund",
                                           amount > 0 &&
                                           (!form->live ||
                                            gtk_check_button_get_active (form->live_check)));
}

static void
refund_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(RefundForm) form = data;
  g_autoptr(JsonObject) refund = NULL;
  g_autoptr(GError) error = NULL;
  PaPaymentsPage *self = form->page;
  const PaStripePaymentRecord *record = pa_payment_get_record (form->payment);
  g_autofree char *money = pa_money_format (form->amount, record->currency, NULL);
  g_autofree char *message = NULL;

  refund = pa_stripe_account_object_finish (PA_STRIPE_ACCOUNT (source), result, &error);
  if (self == NULL)
    {
      /* The page is gone; the refund (or its failure) is in the store. */
      if (error != NULL)
        g_warning ("Refund of %s failed: %s", record->id, error->message);
      return;
    }

  self->refunding = FALSE;
  if (error != NULL)
    {
      /* Translators: %1$s is the amount, %2$s why Stripe refused it. */
      message = g_strdup_printf (_("Could not refund %1$s: %2$s"), money, error->message);
      g_free (self->refund_error);
      self->refund_error = g_strdup (message);
      payments_page_toast (self, message);
    }
  else
    {
      /* Translators: %s is the amount refunded. */
      message = g_strdup_printf (_("Refunded %s"), money);
      payments_page_toast (self, message);
    }

  /* The account stored the refund: the row and the detail show it. */
  if (self->account == form->account)
    {
      payments_page_list_reload (self);
      payments_page_detail_reload (self);
    }
  update_refund_button (self);
}

static void
on_refund_response (AdwMessageDialog *dialog,
                    const char       *response,
                    gpointer          data)
{
  RefundForm *form = g_object_get_data (G_OBJECT (dialog), "refund-form");
  PaPaymentsPage *self = form->page;
  RefundForm *sent;

  if (self == NULL || g_strcmp0 (response, "refund") != 0 || form->amount <= 0)
    return;
  if (form->live && !gtk_check_button_get_active (form->live_check))
    return;

  sent = g_new0 (RefundForm, 1);
  g_set_weak_pointer (&sent->page, self);
  sent->account = g_object_ref (form->account);
  sent->payment = g_object_ref (form->payment);
  sent->amount = form->amount;

  self->refunding = TRUE;
  g_clear_pointer (&self->refund_error, g_free);
  gtk_widget_set_visible (GTK_WIDGET (self->detail_error), FALSE);
  update_refund_button (self);
  /* Not the page's cancellable: a refund asked for is seen through even
   * when the user looks at another account meanwhile. */
  pa_stripe_account_refund_async (form->account, pa_payment_get_id (form->payment), form->amount,
                                  NULL, refund_done, sent);
}

static GtkCheckButton *
form_check (GtkBox     *box,
            const char *name,
            const char *label)
{
  GtkWidget *check = gtk_check_button_new_with_mnemonic (label);

  gtk_widget_set_name (check, name);
  gtk_box_append (box, check);
  return GTK_CHECK_BUTTON (check);
}

void
payments_page_open_refund (PaPaymentsPage *self)
{
  const PaStripePaymentRecord *record;
  RefundForm *form;
  GtkWidget *dialog;
  GtkWidget *box;
  GtkWidget *label;
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  g_autofree char *left = NULL;
  g_autofree char *full_label = NULL;
  g_autofree char *placeholder = NULL;
  g_autofree char *code = NULL;

  if (self->detail == NULL || self->account == NULL || self->refunding ||
      pa_payment_get_refundable (self->detail) <= 0)
    return;

  record = pa_payment_get_record (self->detail);
  left = pa_money_format (pa_payment_get_refundable (self->detail), record->currency, NULL);
  code = g_ascii_strup (record->currency, -1);

  form = g_new0 (RefundForm, 1);
  g_set_weak_pointer (&form->page, self);
  form->account = g_object_ref (self->account);
  form->payment = g_object_ref (self->detail);
  form->live = pa_stripe_account_get_mode (self->account) == PA_STRIPE_MODE_LIVE;

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, NULL,
                                   _("The money goes back to the card or account it came from. "
                                     "A refund can't be undone."));
  g_object_set_data_full (G_OBJECT (dialog), "refund-form", form, (GDestroyNotify) refund_form_free);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "refund", _("_Refund"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "refund",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");

  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 6);
  /* Translators: %s is what is left to refund of the payment. */
  full_label = g_strdup_printf (_("Refund _all that is left (%s)"), left);
  form->full_check = form_check (GTK_BOX (box), "refund-full", full_label);
  form->part_check = form_check (GTK_BOX (box), "refund-part", _("Refund _part of it"));
  gtk_check_button_set_group (form->part_check, form->full_check);
  gtk_check_button_set_active (form->full_check, TRUE);

  form->amount_entry = GTK_ENTRY (gtk_entry_new ());
  gtk_widget_set_name (GTK_WIDGET (form->amount_entry), "refund-amount");
  /* Translators: the refund amount's placeholder; %s is the currency ("EUR"). */
  placeholder = g_strdup_printf (_("Amount in %s"), code);
  gtk_entry_set_placeholder_text (form->amount_entry, placeholder);
  gtk_entry_set_input_purpose (form->amount_entry, GTK_INPUT_PURPOSE_NUMBER);
  gtk_widget_set_margin_start (GTK_WIDGET (form->amount_entry), 28);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (form->amount_entry));

  label = gtk_label_new (NULL);
  form->error_label = GTK_LABEL (label);
  gtk_widget_set_name (label, "refund-error");
  gtk_label_set_wrap (form->error_label, TRUE);
  gtk_label_set_xalign (form->error_label, 0);
  gtk_widget_add_css_class (label, "error");
  gtk_widget_set_visible (label, FALSE);
  gtk_box_append (GTK_BOX (box), label);

  /* Live: one more explicit step, worded so it can't be ticked by habit. */
  form->live_check = form_check (GTK_BOX (box), "refund-live",
                                 _("This is a _live payment: send real money back"));
  gtk_widget_set_visible (GTK_WIDGET (form->live_check), form->live);
  gtk_widget_add_css_class (GTK_WIDGET (form->live_check), "warning");

  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), box);
  g_signal_connect_swapped (form->full_check, "toggled", G_CALLBACK (update_refund_form), dialog);
  g_signal_connect_swapped (form->part_check, "toggled", G_CALLBACK (update_refund_form), dialog);
  g_signal_connect_swapped (form->live_check, "toggled", G_CALLBACK (update_refund_form), dialog);
  g_signal_connect_swapped (form->amount_entry, "changed", G_CALLBACK (update_refund_form), dialog);
  g_signal_connect (dialog, "response", G_CALLBACK (on_refund_response), NULL);
  update_refund_form (ADW_MESSAGE_DIALOG (dialog));

  g_set_weak_pointer (&self->refund_dialog, ADW_MESSAGE_DIALOG (dialog));
  gtk_window_present (GTK_WINDOW (dialog));
}

void
payments_page_detail_init (PaPaymentsPage *self)
{
  update_refund_button (self);
}

void
payments_page_detail_dispose (PaPaymentsPage *self)
{
  if (self->refund_dialog != NULL)
    gtk_window_destroy (GTK_WINDOW (self->refund_dialog));
  g_clear_weak_pointer (&self->refund_dialog);
  g_clear_object (&self->detail);
  g_clear_pointer (&self->refund_error, g_free);
}
