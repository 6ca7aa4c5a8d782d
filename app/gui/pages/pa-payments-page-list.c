/* pa-payments-page-list.c — the Payments page's list: lazy rows, search and filters
 *
 * The list is a GtkListView over PaPaymentList, which reads only the
 * count up front and the rows a page at a time as the view asks for
 * them: 100,000 stored payments cost what the thirty on screen cost.
 * A row's widgets are made once (setup) and only filled in (bind), so
 * scrolling allocates no widgets. Narrowing (search, status, date,
 * amount) is done by the store's query, not by a GtkFilter over every
 * row.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-payments-page-private.h"

/* ---- rows -------------------------------------------------------------------- */

static const char *const status_classes[] = {
  "succeeded", "pending", "failed", "partially-refunded", "refunded", "disputed",
};

/* The pill's status, kept on it: a rebind to the same status (most
 * rows) changes no CSS class, so GTK restyles nothing. */
static GQuark
status_quark (void)
{
  static GQuark quark;

  if (G_UNLIKELY (quark == 0))
    quark = g_quark_from_static_string ("pa-payment-status");
  return quark;
}

void
payments_page_style_status (GtkLabel        *pill,
                            PaPaymentStatus  status)
{
  GtkWidget *widget = GTK_WIDGET (pill);
  gpointer shown = g_object_get_qdata (G_OBJECT (pill), status_quark ());

  if (shown != GUINT_TO_POINTER ((guint) status + 1))
    {
      for (guint i = 0; i < G_N_ELEMENTS (status_classes); i++)
        if (i != (guint) status)
          gtk_widget_remove_css_class (widget, status_classes[i]);
      if ((guint) status < G_N_ELEMENTS (status_classes))
        gtk_widget_add_css_class (widget, status_classes[status]);
      g_object_set_qdata (G_OBJECT (pill), status_quark (), GUINT_TO_POINTER ((guint) status + 1));
    }
  gtk_label_set_text (pill, pa_payment_status_to_label (status));
}

static GtkWidget *
row_label (GtkWidget  *box,
           const char *style,
           gboolean    expand)
{
  GtkWidget *label = gtk_label_new (NULL);

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  gtk_label_set_single_line_mode (GTK_LABEL (label), TRUE);
  if (style != NULL)
    gtk_widget_add_css_class (label, style);
  gtk_widget_set_hexpand (label, expand);
  gtk_box_append (GTK_BOX (box), label);
  return label;
}

/* Money as pa_money_format writes it, remembered per currency and amount
 * (amounts repeat: prices): a row then takes no ICU call and no
 * allocation for its amount. Bounded: emptied when it grows past a few
 * thousand strings. */
#define MONEY_CACHE_MAX 4096

static const char *
cached_money (PaPaymentsPage *self,
              gint64          amount,
              const char     *currency)
{
  GHashTable *amounts;
  const char *text;
  gint64 *key;

  if (self->money_cache == NULL)   /* a late bind while the page goes away */
    return "";
  if (self->money_cache_size >= MONEY_CACHE_MAX)
    {
      g_hash_table_remove_all (self->money_cache);
      self->money_cache_size = 0;
    }
  amounts = g_hash_table_lookup (self->money_cache, currency);
  if (amounts == NULL)
    {
      amounts = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
      g_hash_table_insert (self->money_cache, g_strdup (currency), amounts);
    }
  text = g_hash_table_lookup (amounts, &amount);
  if (text != NULL)
    return text;

  key = g_new (gint64, 1);
  *key = amount;
  text = pa_money_format (amount, currency, NULL);
  g_hash_table_insert (amounts, key, (char *) text);
  self->money_cache_size++;
  return text;
}

/* amount | status | payer · description | date, made once per row widget. */
GtkWidget *
payments_page_row_new (void)
{
  GtkWidget *row = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *text = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *label;

  gtk_widget_add_css_class (row, "payments-row");

  label = row_label (row, "numeric", FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_label_set_width_chars (GTK_LABEL (label), 12);
  gtk_widget_add_css_class (label, "heading");

  label = row_label (row, "payment-status", FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 0.5);
  gtk_widget_set_valign (label, GTK_ALIGN_CENTER);
  gtk_label_set_width_chars (GTK_LABEL (label), 16);

  gtk_widget_set_hexpand (text, TRUE);
  gtk_box_append (GTK_BOX (row), text);
  label = row_label (text, NULL, FALSE);
  gtk_label_set_max_width_chars (GTK_LABEL (label), 28);
  row_label (text, "dim-label", TRUE);

  label = row_label (row, "dim-label", FALSE);
  gtk_label_set_xalign (GTK_LABEL (label), 1);
  gtk_widget_add_css_class (label, "numeric");

  return row;
}

/* Fills a row of payments_page_row_new(). */
void
payments_page_row_set (GtkWidget       *row,
                       const char      *amount_text,
                       PaPaymentStatus  status,
                       const char      *payer_text,
                       const char      *description_text,
                       const char      *date_text)
{
  GtkWidget *amount = gtk_widget_get_first_child (row);
  GtkWidget *pill = gtk_widget_get_next_sibling (amount);
  GtkWidget *text = gtk_widget_get_next_sibling (pill);
  GtkWidget *payer = gtk_widget_get_first_child (text);
  GtkWidget *description = gtk_widget_get_next_sibling (payer);
  GtkWidget *date = gtk_widget_get_next_sibling (text);

  gtk_label_set_text (GTK_LABEL (amount), amount_text);
  payments_page_style_status (GTK_LABEL (pill), status);
  gtk_label_set_text (GTK_LABEL (payer), payer_text);
  gtk_label_set_text (GTK_LABEL (description), description_text);
  gtk_label_set_text (GTK_LABEL (date), date_text);
}

static void
setup_row (GtkSignalListItemFactory *factory,
           GtkListItem              *item,
           gpointer                  data)
{
  gtk_list_item_set_child (item, payments_page_row_new ());
}

static void
bind_row (GtkSignalListItemFactory *factory,
          GtkListItem              *item,
          gpointer                  data)
{
  PaPaymentsPage *self = data;
  PaPayment *payment = gtk_list_item_get_item (item);
  GtkWidget *row = gtk_list_item_get_child (item);
  const PaStripePaymentRecord *record;
  g_autofree char *when = NULL;
  const char *who;

  /* A row the store could not read (the list keeps the error, and the
   * page says so): shown empty rather than crashing. */
  if (payment == NULL)
    {
      for (GtkWidget *child = gtk_widget_get_first_child (row); child != NULL;
           child = gtk_widget_get_next_sibling (child))
        if (GTK_IS_LABEL (child))
          gtk_label_set_text (GTK_LABEL (child), "");
        else
          for (GtkWidget *label = gtk_widget_get_first_child (child); label != NULL;
               label = gtk_widget_get_next_sibling (label))
            gtk_label_set_text (GTK_LABEL (label), "");
      return;
    }

  record = pa_payment_get_record (payment);
  when = payments_page_format_date (record->created);
  who = pa_payment_get_payer (payment);
  payments_page_row_set (row, cached_money (self, record->amount, record->currency),
                         pa_payment_get_status (payment),
                         who != NULL ? who : _("Unknown payer"),
                         record->description != NULL ? record->description : record->id,
                         when);
}

/* Nothing of the payment stays in the row once it shows another. */
static void
unbind_row (GtkSignalListItemFactory *factory,
            GtkListItem              *item,
            gpointer                  data)
{
  GtkWidget *amount = gtk_widget_get_first_child (gtk_list_item_get_child (item));

  gtk_label_set_text (GTK_LABEL (amount), "");
}

static void
on_row_activated (PaPaymentsPage *self,
                  guint           position)
{
  g_autoptr(PaPayment) payment = NULL;

  if (self->payments == NULL)
    return;
  payment = g_list_model_get_item (G_LIST_MODEL (self->payments), position);
  if (payment != NULL)
    payments_page_show_detail (self, payment);
}

/* ---- the list's states ---------------------------------------------------- */

static void
update_list_state (PaPaymentsPage *self)
{
  const GError *error = self->payments != NULL ? pa_payment_list_get_error (self->payments) : NULL;
  guint n = self->payments != NULL ? g_list_model_get_n_items (G_LIST_MODEL (self->payments)) : 0;

  if (n > 0 && error == NULL)
    {
      gtk_stack_set_visible_child_name (self->list_stack, "list");
      return;
    }

  if (error != NULL)
    {
      adw_status_page_set_icon_name (self->empty_page, "dialog-warning-symbolic");
      adw_status_page_set_title (self->empty_page, _("Can't Read the Stored Payments"));
      g_autofree char *message = g_markup_escape_text (error->message, -1);

      adw_status_page_set_description (self->empty_page, message);
    }
  else if (self->filter_narrows)
    {
      adw_status_page_set_icon_name (self->empty_page, "edit-find-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Matching Payments"));
      adw_status_page_set_description (self->empty_page,
                                       _("No stored payment matches the search and filters. Try other ones."));
    }
  else
    {
      adw_status_page_set_icon_name (self->empty_page, "view-list-symbolic");
      adw_status_page_set_title (self->empty_page, _("No Payments Yet"));
      adw_status_page_set_description (self->empty_page,
                                       _("Payments made to this account show up here after the next sync."));
    }
  gtk_stack_set_visible_child_name (self->list_stack, "empty");
}

/* ---- filters ------------------------------------------------------------------ */

static const char *
status_filter_name (guint choice)
{
  switch (choice)
    {
    case STATUS_CHOICE_SUCCEEDED:          return "succeeded";
    case STATUS_CHOICE_PENDING:            return "pending";
    case STATUS_CHOICE_FAILED:             return "failed";
    case STATUS_CHOICE_PARTIALLY_REFUNDED: return "partially_refunded";
    case STATUS_CHOICE_REFUNDED:           return "refunded";
    case STATUS_CHOICE_DISPUTED:           return "disputed";
    case STATUS_CHOICE_ANY:
    default:                               return NULL;
    }
}

/* Where the date preset starts, in Unix seconds (0: any time). */
static gint64
date_filter_start (guint choice)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autoptr(GDateTime) start = NULL;

  switch (choice)
    {
    case DATE_CHOICE_TODAY:
      start = g_date_time_new_local (g_date_time_get_year (now), g_date_time_get_month (now),
                                     g_date_time_get_day_of_month (now), 0, 0, 0);
      break;
    case DATE_CHOICE_7_DAYS:
      start = g_date_time_add_days (now, -7);
      break;
    case DATE_CHOICE_30_DAYS:
      start = g_date_time_add_days (now, -30);
      break;
    case DATE_CHOICE_THIS_YEAR:
      start = g_date_time_new_local (g_date_time_get_year (now), 1, 1, 0, 0, 0);
      break;
    case DATE_CHOICE_ANY:
    default:
      return 0;
    }
  return g_date_time_to_unix (start);
}

/* One bound of the amount range: -1 when the entry is empty or wrong
 * (then the entry says why, and the bound is not used). */
static gint64
amount_bound (PaPaymentsPage *self,
              GtkEntry       *entry)
{
  g_autofree char *text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (entry))));
  g_autoptr(GError) error = NULL;
  gint64 minor = -1;

  gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  gtk_widget_set_tooltip_text (GTK_WIDGET (entry), NULL);
  if (self->currency == NULL || *text == '\0')
    return -1;
  if (!pa_money_parse (text, self->currency, NULL, &minor, &error))
    {
      gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
      gtk_widget_set_tooltip_text (GTK_WIDGET (entry), error->message);
      g_free (self->amount_error);
      self->amount_error = g_strdup (error->message);
      return -1;
    }
  return minor;
}

void
payments_page_apply_filter (PaPaymentsPage *self)
{
  PaStripePaymentFilter filter;
  g_autofree char *search = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->search_entry))));
  guint currency = gtk_drop_down_get_selected (self->currency_dropdown);

  g_clear_handle_id (&self->filter_id, g_source_remove);
  g_clear_pointer (&self->amount_error, g_free);
  g_free (self->currency);
  self->currency = currency > 0 && currency != GTK_INVALID_LIST_POSITION &&
                   currency - 1 < self->currencies->len
                   ? g_strdup (self->currencies->pdata[currency - 1]) : NULL;
  gtk_widget_set_sensitive (GTK_WIDGET (self->amount_min_entry), self->currency != NULL);
  gtk_widget_set_sensitive (GTK_WIDGET (self->amount_max_entry), self->currency != NULL);
  if (self->currency != NULL)
    {
      g_autofree char *code = g_ascii_strup (self->currency, -1);
      /* Translators: the amount filter's button once a currency is chosen. */
      g_autofree char *label = g_strdup_printf (_("Amount in %s"), code);

      gtk_menu_button_set_label (self->amount_button, label);
    }
  else
    gtk_menu_button_set_label (self->amount_button, _("Amount"));

  pa_stripe_payment_filter_init (&filter);
  filter.search = *search != '\0' ? search : NULL;
  filter.status = status_filter_name (gtk_drop_down_get_selected (self->status_dropdown));
  filter.created_from = date_filter_start (gtk_drop_down_get_selected (self->date_dropdown));
  filter.currency = self->currency;
  filter.amount_min = amount_bound (self, self->amount_min_entry);
  filter.amount_max = amount_bound (self, self->amount_max_entry);
  self->filter_narrows = filter.search != NULL || filter.status != NULL ||
                         filter.created_from != 0 || filter.currency != NULL;

  if (self->payments != NULL)
    pa_payment_list_set_filter (self->payments, &filter);
  update_list_state (self);
}

static gboolean
apply_filter_later (gpointer data)
{
  PaPaymentsPage *self = data;

  self->filter_id = 0;
  payments_page_apply_filter (self);
  return G_SOURCE_REMOVE;
}

/* Typing narrows the list once the user pauses. */
static void
on_filter_text_changed (PaPaymentsPage *self)
{
  g_clear_handle_id (&self->filter_id, g_source_remove);
  self->filter_id = g_timeout_add (PAYMENTS_FILTER_DELAY_MS, apply_filter_later, self);
}

static void
on_filter_choice_changed (PaPaymentsPage *self)
{
  if (!self->filling_currencies)
    payments_page_apply_filter (self);
}

/* The amount range's currencies: those the balance has. */
static void
reload_currencies (PaPaymentsPage *self)
{
  g_autoptr(GPtrArray) balance = NULL;
  g_autoptr(GtkStringList) names = NULL;
  gboolean same;
  guint keep = 0;

  if (self->account != NULL)
    balance = pa_store_stripe_get_balance (pa_stripe_account_get_store (self->account),
                                           pa_stripe_account_get_profile (self->account), NULL);
  same = (balance != NULL ? balance->len : 0) == self->currencies->len;
  for (guint i = 0; same && i < self->currencies->len; i++)
    same = g_str_equal (((PaStripeBalanceRecord *) balance->pdata[i])->currency,
                        self->currencies->pdata[i]);
  if (same && gtk_drop_down_get_model (self->currency_dropdown) != NULL)
    return;

  names = gtk_string_list_new (NULL);
  gtk_string_list_append (names, _("Any currency"));
  g_ptr_array_set_size (self->currencies, 0);
  for (guint i = 0; balance != NULL && i < balance->len; i++)
    {
      const char *code = ((PaStripeBalanceRecord *) balance->pdata[i])->currency;
      g_autofree char *upper = g_ascii_strup (code, -1);

      g_ptr_array_add (self->currencies, g_strdup (code));
      gtk_string_list_append (names, upper);
      if (g_strcmp0 (code, self->currency) == 0)
        keep = i + 1;
    }

  self->filling_currencies = TRUE;
  gtk_drop_down_set_model (self->currency_dropdown, G_LIST_MODEL (names));
  gtk_drop_down_set_selected (self->currency_dropdown, keep);
  self->filling_currencies = FALSE;
}

/* ---- the model --------------------------------------------------------------- */

void
payments_page_list_set_account (PaPaymentsPage *self)
{
  if (self->payments != NULL)
    g_signal_handlers_disconnect_by_data (self->payments, self);
  g_clear_object (&self->payments);
  if (self->account != NULL)
    {
      self->payments = pa_payment_list_new (pa_stripe_account_get_store (self->account),
                                            pa_stripe_account_get_profile (self->account));
      g_signal_connect_object (self->payments, "items-changed", G_CALLBACK (update_list_state),
                               self, G_CONNECT_SWAPPED);
      g_signal_connect_object (self->payments, "notify::error", G_CALLBACK (update_list_state),
                               self, G_CONNECT_SWAPPED);
    }
  gtk_no_selection_set_model (self->selection, G_LIST_MODEL (self->payments));
  reload_currencies (self);
  payments_page_apply_filter (self);
}

void
payments_page_list_reload (PaPaymentsPage *self)
{
  reload_currencies (self);
  if (self->payments != NULL)
    pa_payment_list_reload (self->payments);
  update_list_state (self);
}

void
payments_page_list_init (PaPaymentsPage *self)
{
  GtkListItemFactory *factory = gtk_signal_list_item_factory_new ();

  self->currencies = g_ptr_array_new_with_free_func (g_free);
  self->money_cache = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                             (GDestroyNotify) g_hash_table_unref);
  self->selection = gtk_no_selection_new (NULL);
  g_signal_connect (factory, "setup", G_CALLBACK (setup_row), self);
  g_signal_connect (factory, "bind", G_CALLBACK (bind_row), self);
  g_signal_connect (factory, "unbind", G_CALLBACK (unbind_row), self);
  gtk_list_view_set_factory (self->list_view, factory);
  g_object_unref (factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (self->selection));

  g_signal_connect_object (self->list_view, "activate", G_CALLBACK (on_row_activated), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->search_entry, "changed", G_CALLBACK (on_filter_text_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->amount_min_entry, "changed", G_CALLBACK (on_filter_text_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->amount_max_entry, "changed", G_CALLBACK (on_filter_text_changed),
                           self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->status_dropdown, "notify::selected",
                           G_CALLBACK (on_filter_choice_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->date_dropdown, "notify::selected",
                           G_CALLBACK (on_filter_choice_changed), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (self->currency_dropdown, "notify::selected",
                           G_CALLBACK (on_filter_choice_changed), self, G_CONNECT_SWAPPED);
  reload_currencies (self);
  update_list_state (self);
}

void
payments_page_list_dispose (PaPaymentsPage *self)
{
  g_clear_handle_id (&self->filter_id, g_source_remove);
  if (self->payments != NULL)
    g_signal_handlers_disconnect_by_data (self->payments, self);
  if (self->selection != NULL)
    gtk_no_selection_set_model (self->selection, NULL);
  g_clear_object (&self->payments);
  g_clear_object (&self->selection);
  g_clear_pointer (&self->currencies, g_ptr_array_unref);
  g_clear_pointer (&self->money_cache, g_hash_table_unref);
  g_clear_pointer (&self->currency, g_free);
  g_clear_pointer (&self->amount_error, g_free);
  g_clear_pointer (&self->search, g_free);
}
