/* pa-payment-links-create.c — makes a payment link: from a stored price, or a new product and price
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-payment-links-view-private.h"

/* The currencies a new price is offered in first. */
static const char * const currencies[] = {
  "usd", "eur", "gbp", "jpy", "chf", "cad", "aud", "sek", "nok", "dkk", "pln", "krw", "kwd", NULL
};

typedef struct {
  PaPaymentLinksView       *view;      /* weak */
  PaStripeAccount          *account;
  PaPaymentLinkCreatedFunc  done;
  GCancellable             *cancellable;
  GPtrArray                *prices;    /* price ids, as the combo lists them */
  GPtrArray                *labels;    /* what they sell, the same order */
  char                     *request;   /* this dialog's: a second press makes nothing new */
  char                     *name;      /* what the link being made sells */

  GtkWindow                *window;
  AdwComboRow              *price_row;
  AdwEntryRow              *name_row;
  AdwEntryRow              *amount_row;
  AdwComboRow              *currency_row;
  GtkLabel                 *error_label;
  GtkSpinner               *spinner;
  GSimpleActionGroup       *actions;
} Create;

static void
create_free (Create *create)
{
  g_cancellable_cancel (create->cancellable);
  g_clear_object (&create->cancellable);
  g_clear_weak_pointer (&create->view);
  g_clear_object (&create->account);
  g_clear_object (&create->actions);
  g_ptr_array_unref (create->prices);
  g_ptr_array_unref (create->labels);
  g_free (create->request);
  g_free (create->name);
  g_free (create);
}

static void
show_error (Create     *create,
            const char *message)
{
  gtk_label_set_text (create->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (create->error_label), message != NULL);
}

static void
set_busy (Create   *create,
          gboolean  busy)
{
  gtk_spinner_set_spinning (create->spinner, busy);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (create->actions), "from-price")),
                               !busy && create->prices->len > 0);
  g_simple_action_set_enabled (G_SIMPLE_ACTION (g_action_map_lookup_action (G_ACTION_MAP (create->actions), "new-product")),
                               !busy);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GtkWindow) window = user_data;
  Create *create = g_object_get_data (G_OBJECT (window), "pa-create");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) link = pa_stripe_account_object_finish (PA_STRIPE_ACCOUNT (source),
                                                                result, &error);
  g_autoptr(PaPaymentLinksView) view = NULL;

  /* Closed meanwhile: whoever asked has gone. */
  if (g_cancellable_is_cancelled (create->cancellable) ||
      (link == NULL && pa_gui_error_is_cancelled (error)))
    return;
  set_busy (create, FALSE);
  if (link == NULL)
    {
      show_error (create, error->message);
      return;
    }

  view = create->view != NULL ? g_object_ref (create->view) : NULL;
  /* The view shows the new link's code over the list; this dialog is
   * done. */
  gtk_window_destroy (window);
  if (view != NULL)
    create->done (view, link, create->name);
}

static void
from_price_activated (GSimpleAction *action,
                      GVariant      *parameter,
                      gpointer       user_data)
{
  Create *create = user_data;
  guint selected = adw_combo_row_get_selected (create->price_row);

  if (selected >= create->prices->len)
    return;
  show_error (create, NULL);
  g_free (create->name);
  create->name = g_strdup (create->labels->pdata[selected]);
  set_busy (create, TRUE);
  pa_stripe_account_create_link_async (create->account, create->prices->pdata[selected],
                                       create->cancellable, created_cb,
                                       g_object_ref (create->window));
}

static void
new_product_activated (GSimpleAction *action,
                       GVariant      *parameter,
                       gpointer       user_data)
{
  Create *create = user_data;
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (create->name_row))));
  const char *currency = currencies[MIN (adw_combo_row_get_selected (create->currency_row),
                                         g_strv_length ((char **) currencies) - 1)];
  g_autoptr(GError) error = NULL;
  g_autofree char *request_id = NULL;
  g_autofree char *name_hash = NULL;
  gint64 amount;

  show_error (create, NULL);
  if (*name == '\0')
    {
      show_error (create, _("Give the product a name: buyers see it on Stripe’s page."));
      gtk_widget_grab_focus (GTK_WIDGET (create->name_row));
      return;
    }
  if (!pa_money_parse (gtk_editable_get_text (GTK_EDITABLE (create->amount_row)), currency, NULL,
                       &amount, &error))
    {
      show_error (create, error->message);
      gtk_widget_grab_focus (GTK_WIDGET (create->amount_row));
      return;
    }

  /* Pressing again in this dialog (after a lost answer) asks for the same
   * thing and gets the first answer back; another dialog is another sale. */
  name_hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, name, -1);
  /* The name as a hash: keys take printable ASCII only. */
  request_id = g_strdup_printf ("link-%s-%.16s-%" G_GINT64_FORMAT "-%s",
                                create->request, name_hash, amount, currency);
  g_free (create->name);
  create->name = g_strdup (name);
  set_busy (create, TRUE);
  pa_stripe_account_sell_async (create->account, name, NULL, NULL, amount, currency, NULL,
                                request_id, create->cancellable, created_cb,
                                g_object_ref (create->window));
}

/* The stored prices that can be sold once each: active, with an amount. */
static GtkStringList *
load_prices (Create *create)
{
  PaStore *store = pa_stripe_account_get_store (create->account);
  const char *profile = pa_stripe_account_get_profile (create->account);
  g_autoptr(GPtrArray) records = pa_store_stripe_list_objects (store, profile, "price", NULL, 0, NULL);
  GtkStringList *labels = gtk_string_list_new (NULL);

  for (guint i = 0; records != NULL && i < records->len; i++)
    {
      PaStripeObjectRecord *record = records->pdata[i];
      g_autoptr(JsonParser) parser = json_parser_new ();
      g_autofree char *name = NULL;
      g_autofree char *amount = NULL;
      g_autofree char *label = NULL;
      JsonObject *price;

      if (!json_parser_load_from_data (parser, record->data_json, -1, NULL) ||
          !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        continue;
      price = json_node_get_object (json_parser_get_root (parser));
      if (!json_object_get_boolean_member_with_default (price, "active", FALSE))
        continue;

      pa_payment_links_describe_price (store, profile, record->id, &name, &amount);
      if (amount == NULL)
        continue;
      /* Translators: %1$s is a product, %2$s its price. */
      label = g_strdup_printf (_("%1$s, %2$s"), name != NULL ? name : record->id, amount);
      gtk_string_list_append (labels, label);
      g_ptr_array_add (create->prices, g_strdup (record->id));
      g_ptr_array_add (create->labels, g_steal_pointer (&label));
    }
  return labels;
}

static GtkWidget *
action_button (const char *label,
               const char *action)
{
  GtkWidget *button = gtk_button_new_with_mnemonic (label);

  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_add_css_class (button, "suggested-action");
  return button;
}

GtkWindow *
pa_payment_links_create_dialog_new (PaPaymentLinksView       *view,
                                    PaStripeAccount          *account,
                                    PaPaymentLinkCreatedFunc  done)
{
  static const GActionEntry entries[] = {
    { "from-price", from_price_activated, NULL, NULL, NULL, { 0 } },
    { "new-product", new_product_activated, NULL, NULL, NULL, { 0 } },
  };
  Create *create = g_new0 (Create, 1);
  g_autoptr(GtkStringList) price_labels = NULL;
  g_autoptr(GtkStringList) currency_labels = gtk_string_list_new (NULL);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (view));
  GtkWidget *window;
  GtkWidget *header;
  GtkWidget *page;
  GtkWidget *group;
  GtkWidget *box;
  GtkWidget *spinner_box;

  g_set_weak_pointer (&create->view, view);
  create->account = g_object_ref (account);
  create->done = done;
  create->cancellable = g_cancellable_new ();
  create->prices = g_ptr_array_new_with_free_func (g_free);
  create->labels = g_ptr_array_new_with_free_func (g_free);
  create->request = g_uuid_string_random ();

  window = adw_window_new ();
  create->window = GTK_WINDOW (window);
  gtk_window_set_title (GTK_WINDOW (window), _("New Payment Link"));
  gtk_window_set_modal (GTK_WINDOW (window), TRUE);
  gtk_window_set_transient_for (GTK_WINDOW (window), GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL);
  gtk_window_set_destroy_with_parent (GTK_WINDOW (window), TRUE);
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 600);

  create->actions = g_simple_action_group_new ();
  g_action_map_add_action_entries (G_ACTION_MAP (create->actions), entries,
                                   G_N_ELEMENTS (entries), create);
  gtk_widget_insert_action_group (window, "create", G_ACTION_GROUP (create->actions));

  page = adw_preferences_page_new ();

  /* From a price already there. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("From a Price"));
  price_labels = load_prices (create);
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         create->prices->len > 0
                                         ? _("A link that sells one item at a price you already have.")
                                         : _("No active prices are synced yet: make a new product below."));
  create->price_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create->price_row), _("Price"));
  adw_combo_row_set_model (create->price_row, G_LIST_MODEL (price_labels));
  gtk_widget_set_sensitive (GTK_WIDGET (create->price_row), create->prices->len > 0);
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (create->price_row));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group),
                                           action_button (_("Create _Link"), "create.from-price"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* Or a new product with its price. */
  group = adw_preferences_group_new ();
  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), _("New Product"));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         _("Makes a product, a one-off price and a link for it."));
  create->name_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create->name_row), _("Name"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (create->name_row));
  create->amount_row = ADW_ENTRY_ROW (adw_entry_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create->amount_row), _("Price"));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (create->amount_row));
  for (guint i = 0; currencies[i] != NULL; i++)
    {
      g_autofree char *upper = g_ascii_strup (currencies[i], -1);

      gtk_string_list_append (currency_labels, upper);
    }
  create->currency_row = ADW_COMBO_ROW (adw_combo_row_new ());
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (create->currency_row), _("Currency"));
  adw_combo_row_set_model (create->currency_row, G_LIST_MODEL (currency_labels));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), GTK_WIDGET (create->currency_row));
  adw_preferences_group_set_header_suffix (ADW_PREFERENCES_GROUP (group),
                                           action_button (_("Create _Product and Link"),
                                                          "create.new-product"));
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  /* What went wrong, and that something is going on. */
  group = adw_preferences_group_new ();
  spinner_box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  create->spinner = GTK_SPINNER (gtk_spinner_new ());
  gtk_box_append (GTK_BOX (spinner_box), GTK_WIDGET (create->spinner));
  create->error_label = GTK_LABEL (gtk_label_new (NULL));
  gtk_label_set_wrap (create->error_label, TRUE);
  gtk_label_set_xalign (create->error_label, 0);
  gtk_label_set_selectable (create->error_label, TRUE);
  gtk_widget_add_css_class (GTK_WIDGET (create->error_label), "error");
  gtk_widget_set_visible (GTK_WIDGET (create->error_label), FALSE);
  gtk_widget_set_hexpand (GTK_WIDGET (create->error_label), TRUE);
  gtk_box_append (GTK_BOX (spinner_box), GTK_WIDGET (create->error_label));
  adw_preferences_group_add (ADW_PREFERENCES_GROUP (group), spinner_box);
  adw_preferences_page_add (ADW_PREFERENCES_PAGE (page), ADW_PREFERENCES_GROUP (group));

  header = adw_header_bar_new ();
  box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  gtk_box_append (GTK_BOX (box), header);
  gtk_widget_set_vexpand (page, TRUE);
  gtk_box_append (GTK_BOX (box), page);
  adw_window_set_content (ADW_WINDOW (window), box);

  set_busy (create, FALSE);
  /* The state lives as long as the window; closing it stops what it
   * asked for. */
  g_object_set_data_full (G_OBJECT (window), "pa-create", create, (GDestroyNotify) create_free);
  g_signal_connect_swapped (window, "destroy", G_CALLBACK (g_cancellable_cancel),
                            create->cancellable);
  return GTK_WINDOW (window);
}
