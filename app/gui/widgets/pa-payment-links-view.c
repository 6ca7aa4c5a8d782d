/* pa-payment-links-view.c — the account's payment links: make one, its QR code, copy, deactivate
 *
 * What is listed comes from the synced copy (stripe_objects), so the
 * links show offline; making and deactivating go to Stripe through the
 * account, which stores Stripe's answer, and the list is read again.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-payment-link-qr.h"
#include "pa-payment-links-view-private.h"

struct _PaPaymentLinksView
{
  AdwBin           parent_instance;

  PaStripeAccount *account;
  GCancellable    *cancellable;
  GHashTable      *links;        /* id → JsonObject, those listed */
  GHashTable      *names;        /* id → what it sells, for dialogs */
  GtkWindow       *qr_dialog;    /* weak: the one shown last */
  guint            n_links;
  guint            n_active;

  GtkStack        *stack;
  GtkLabel        *count_label;
  GtkLabel        *error_label;
  GtkListBox      *list_box;
};

G_DEFINE_FINAL_TYPE (PaPaymentLinksView, pa_payment_links_view, ADW_TYPE_BIN)

static void
show_error (PaPaymentLinksView *self,
            const char         *message)
{
  gtk_label_set_text (self->error_label, message != NULL ? message : "");
  gtk_widget_set_visible (GTK_WIDGET (self->error_label), message != NULL);
}

static JsonObject *
parse_object (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  /* Stored by the sync from Stripe's answers: still checked, a broken
   * row is left out rather than shown half. */
  if (json == NULL || !json_parser_load_from_data (parser, json, -1, NULL))
    return NULL;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_object_ref (json_node_get_object (root))
                                                       : NULL;
}

/* A member that is an id, or an expanded object's id. */
static const char *
id_member (JsonObject *object,
           const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL)
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  if (JSON_NODE_HOLDS_OBJECT (node))
    return json_object_get_string_member_with_default (json_node_get_object (node), "id", NULL);
  return NULL;
}

void
pa_payment_links_describe_price (PaStore     *store,
                                 const char  *profile,
                                 const char  *price,
                                 char       **name,
                                 char       **amount)
{
  g_autoptr(PaStripeObjectRecord) price_record = NULL;
  g_autoptr(PaStripeObjectRecord) product_record = NULL;
  g_autoptr(JsonObject) price_object = NULL;
  g_autoptr(JsonObject) product_object = NULL;
  const char *product;
  const char *currency;

  *name = NULL;
  *amount = NULL;
  if (price == NULL)
    return;
  price_record = pa_store_stripe_get_object (store, profile, price, NULL);
  price_object = price_record != NULL ? parse_object (price_record->data_json) : NULL;
  if (price_object == NULL)
    return;

  currency = json_object_get_string_member_with_default (price_object, "currency", NULL);
  if (currency != NULL && json_object_has_member (price_object, "unit_amount") &&
      !json_object_get_null_member (price_object, "unit_amount"))
    *amount = pa_money_format (json_object_get_int_member (price_object, "unit_amount"),
                               currency, NULL);

  product = id_member (price_object, "product");
  if (product != NULL)
    product_record = pa_store_stripe_get_object (store, profile, product, NULL);
  product_object = product_record != NULL ? parse_object (product_record->data_json) : NULL;
  if (product_object != NULL)
    *name = g_strdup (json_object_get_string_member_with_default (product_object, "name", NULL));
}

/* Which price a link sells: its first line item when Stripe sent them
 * (expanded), else the price PlayAlter noted in its metadata. */
static const char *
link_price (JsonObject *link)
{
  JsonObject *items = json_object_get_member (link, "line_items") != NULL &&
                      JSON_NODE_HOLDS_OBJECT (json_object_get_member (link, "line_items"))
                      ? json_object_get_object_member (link, "line_items") : NULL;
  JsonNode *data = items != NULL ? json_object_get_member (items, "data") : NULL;
  JsonNode *metadata = json_object_get_member (link, "metadata");

  if (data != NULL && JSON_NODE_HOLDS_ARRAY (data) &&
      json_array_get_length (json_node_get_array (data)) > 0)
    {
      JsonNode *first = json_array_get_element (json_node_get_array (data), 0);

      if (JSON_NODE_HOLDS_OBJECT (first))
        return id_member (json_node_get_object (first), "price");
    }
  if (metadata != NULL && JSON_NODE_HOLDS_OBJECT (metadata))
    return json_object_get_string_member_with_default (json_node_get_object (metadata),
                                                       "price", NULL);
  return NULL;
}

/* ---- the rows --------------------------------------------------------------- */

static GtkWidget *
row_button (const char *icon,
            const char *tooltip,
            const char *action,
            const char *id)
{
  GtkWidget *button = gtk_button_new_from_icon_name (icon);

  gtk_widget_set_tooltip_text (button, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (button),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip, -1);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (button), g_variant_new_string (id));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), action);
  gtk_widget_set_valign (button, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (button, "flat");
  return button;
}

static GtkWidget *
create_row (PaPaymentLinksView *self,
            JsonObject         *link)
{
  PaStore *store = pa_stripe_account_get_store (self->account);
  const char *profile = pa_stripe_account_get_profile (self->account);
  const char *id = json_object_get_string_member (link, "id");
  const char *url = json_object_get_string_member_with_default (link, "url", "");
  gboolean active = json_object_get_boolean_member_with_default (link, "active", FALSE);
  g_autofree char *name = NULL;
  g_autofree char *amount = NULL;
  g_autofree char *title = NULL;
  GtkWidget *row;
  GtkWidget *status;

  pa_payment_links_describe_price (store, profile, link_price (link), &name, &amount);
  if (name != NULL && amount != NULL)
    /* Translators: %1$s is what a payment link sells, %2$s its price. */
    title = g_strdup_printf (_("%1$s, %2$s"), name, amount);
  else if (name != NULL || amount != NULL)
    title = g_strdup (name != NULL ? name : amount);
  else
    title = g_strdup (_("Payment link"));
  g_hash_table_insert (self->names, g_strdup (id), g_strdup (title));

  row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), title);
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), url);
  gtk_widget_set_name (row, id);

  status = gtk_label_new (active ? _("Active") : _("Inactive"));
  gtk_widget_set_valign (status, GTK_ALIGN_CENTER);
  gtk_widget_add_css_class (status, "caption");
  gtk_widget_add_css_class (status, active ? "success" : "dim-label");
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), status);

  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button ("view-grid-symbolic", _("Show QR Code"), "links.qr", id));
  adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                             row_button ("edit-copy-symbolic", _("Copy Link"), "links.copy", id));
  if (active)
    adw_action_row_add_suffix (ADW_ACTION_ROW (row),
                               row_button ("action-unavailable-symbolic", _("Deactivate…"),
                                           "links.deactivate", id));
  return row;
}

static void
reload (PaPaymentLinksView *self)
{
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *count = NULL;
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->list_box))) != NULL)
    gtk_list_box_remove (self->list_box, child);
  g_hash_table_remove_all (self->links);
  g_hash_table_remove_all (self->names);
  self->n_links = 0;
  self->n_active = 0;

  if (self->account == NULL)
    {
      gtk_stack_set_visible_child_name (self->stack, "no-account");
      gtk_widget_action_set_enabled (GTK_WIDGET (self), "links.create", FALSE);
      return;
    }
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "links.create", TRUE);

  records = pa_store_stripe_list_objects (pa_stripe_account_get_store (self->account),
                                          pa_stripe_account_get_profile (self->account),
                                          "payment_link", NULL, 0, &error);
  if (records == NULL)
    {
      show_error (self, error->message);
      gtk_stack_set_visible_child_name (self->stack, "list");
      return;
    }

  for (guint i = 0; i < records->len; i++)
    {
      PaStripeObjectRecord *record = records->pdata[i];
      g_autoptr(JsonObject) link = parse_object (record->data_json);
      const char *url = link != NULL ? json_object_get_string_member_with_default (link, "url", NULL)
                                     : NULL;

      if (link == NULL || url == NULL || !json_object_has_member (link, "id"))
        continue;
      gtk_list_box_append (self->list_box, create_row (self, link));
      if (json_object_get_boolean_member_with_default (link, "active", FALSE))
        self->n_active++;
      self->n_links++;
      g_hash_table_insert (self->links, g_strdup (record->id), g_steal_pointer (&link));
    }

  /* Translators: %1$u links in all, %2$u of them active. */
  count = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%1$u payment link, %2$u active",
                                        "%1$u payment links, %2$u active", self->n_links),
                           self->n_links, self->n_active);
  gtk_label_set_text (self->count_label, count);
  gtk_stack_set_visible_child_name (self->stack, self->n_links > 0 ? "list" : "empty");
}

/* ---- actions ----------------------------------------------------------------- */

static JsonObject *
lookup_link (PaPaymentLinksView *self,
             GVariant           *parameter)
{
  return g_hash_table_lookup (self->links, g_variant_get_string (parameter, NULL));
}

static void
show_qr (PaPaymentLinksView *self,
         const char         *url,
         const char         *name)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));
  GtkWindow *dialog = pa_payment_link_qr_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                                     url, name);

  g_set_weak_pointer (&self->qr_dialog, dialog);
  gtk_window_present (dialog);
}

static void
qr_activated (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (widget);
  JsonObject *link = lookup_link (self, parameter);

  if (link != NULL)
    show_qr (self, json_object_get_string_member (link, "url"),
             g_hash_table_lookup (self->names, g_variant_get_string (parameter, NULL)));
}

static void
copy_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (widget);
  JsonObject *link = lookup_link (self, parameter);
  GtkRoot *root = gtk_widget_get_root (widget);

  if (link == NULL)
    return;
  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget),
                          json_object_get_string_member (link, "url"));
  if (ADW_IS_APPLICATION_WINDOW (root))
    {
      /* The window's toast overlay, when the view is in the main window. */
      GtkWidget *overlay = gtk_widget_get_ancestor (widget, ADW_TYPE_TOAST_OVERLAY);

      if (overlay != NULL)
        adw_toast_overlay_add_toast (ADW_TOAST_OVERLAY (overlay),
                                     adw_toast_new (_("Link copied")));
    }
}

static void
deactivated_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(PaPaymentLinksView) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonObject) link = pa_stripe_account_object_finish (PA_STRIPE_ACCOUNT (source),
                                                                result, &error);

  if (link == NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        show_error (self, error->message);
      return;
    }
  /* The account stored Stripe's answer: the list shows it at once. */
  reload (self);
}

static void
on_deactivate_response (AdwMessageDialog   *dialog,
                        const char         *response,
                        PaPaymentLinksView *self)
{
  const char *id = g_object_get_data (G_OBJECT (dialog), "pa-id");

  if (g_strcmp0 (response, "deactivate") != 0 || self->account == NULL)
    return;
  show_error (self, NULL);
  pa_stripe_account_deactivate_link_async (self->account, id, self->cancellable,
                                           deactivated_cb, g_object_ref (self));
}

static void
deactivate_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (widget);
  const char *id = g_variant_get_string (parameter, NULL);
  JsonObject *link = lookup_link (self, parameter);
  const char *name = g_hash_table_lookup (self->names, id);
  gboolean live;
  GtkWidget *dialog;

  if (link == NULL || self->account == NULL)
    return;
  live = pa_stripe_account_get_mode (self->account) == PA_STRIPE_MODE_LIVE ||
         json_object_get_boolean_member_with_default (link, "livemode", FALSE);

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   live ? _("Deactivate a Live Payment Link?")
                                        : _("Deactivate This Payment Link?"),
                                   NULL);
  if (live)
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    /* Translators: %1$s is what the link sells, %2$s its address. */
                                    _("“%1$s” at %2$s stops taking real payments at once. "
                                      "Buyers who open it see that it is no longer available. "
                                      "Only the Stripe Dashboard can make it active again."),
                                    name, json_object_get_string_member (link, "url"));
  else
    adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                    /* Translators: %1$s is what the link sells, %2$s its address. */
                                    _("“%1$s” at %2$s stops taking payments. "
                                      "Buyers who open it see that it is no longer available."),
                                    name, json_object_get_string_member (link, "url"));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "deactivate", live ? _("_Deactivate Live Link")
                                                       : _("_Deactivate"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "deactivate",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "pa-id", g_strdup (id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_deactivate_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* A new link: listed, and its code shown at once, to scan or share. */
static void
link_created (PaPaymentLinksView *self,
              JsonObject         *link,
              const char         *name)
{
  const char *url = json_object_get_string_member_with_default (link, "url", NULL);

  reload (self);
  if (url != NULL)
    show_qr (self, url, name);
}

static void
create_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (widget);

  if (self->account == NULL)
    return;
  gtk_window_present (pa_payment_links_create_dialog_new (self, self->account, link_created));
}

/* ---- the object --------------------------------------------------------------- */

static void
pa_payment_links_view_dispose (GObject *object)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (object);

  g_cancellable_cancel (self->cancellable);
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (pa_stripe_account_get_sync (self->account), self);
  g_clear_object (&self->account);
  g_clear_weak_pointer (&self->qr_dialog);
  /* AdwBin unparents its child (the template's stack) itself. */

  G_OBJECT_CLASS (pa_payment_links_view_parent_class)->dispose (object);
}

static void
pa_payment_links_view_finalize (GObject *object)
{
  PaPaymentLinksView *self = PA_PAYMENT_LINKS_VIEW (object);

  g_clear_object (&self->cancellable);
  g_hash_table_unref (self->links);
  g_hash_table_unref (self->names);

  G_OBJECT_CLASS (pa_payment_links_view_parent_class)->finalize (object);
}

static void
pa_payment_links_view_class_init (PaPaymentLinksViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_payment_links_view_dispose;
  object_class->finalize = pa_payment_links_view_finalize;

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-payment-links-view.ui");
  gtk_widget_class_bind_template_child (widget_class, PaPaymentLinksView, stack);
  gtk_widget_class_bind_template_child (widget_class, PaPaymentLinksView, count_label);
  gtk_widget_class_bind_template_child (widget_class, PaPaymentLinksView, error_label);
  gtk_widget_class_bind_template_child (widget_class, PaPaymentLinksView, list_box);

  /* Each row's buttons name their link by id; the view does the work. */
  gtk_widget_class_install_action (widget_class, "links.create", NULL, create_activated);
  gtk_widget_class_install_action (widget_class, "links.qr", "s", qr_activated);
  gtk_widget_class_install_action (widget_class, "links.copy", "s", copy_activated);
  gtk_widget_class_install_action (widget_class, "links.deactivate", "s", deactivate_activated);
}

static void
pa_payment_links_view_init (PaPaymentLinksView *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->cancellable = g_cancellable_new ();
  self->links = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) json_object_unref);
  self->names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  reload (self);
}

GtkWidget *
pa_payment_links_view_new (void)
{
  return g_object_new (PA_TYPE_PAYMENT_LINKS_VIEW, NULL);
}

void
pa_payment_links_view_set_account (PaPaymentLinksView *self,
                                   PaStripeAccount    *account)
{
  g_return_if_fail (PA_IS_PAYMENT_LINKS_VIEW (self));
  g_return_if_fail (account == NULL || PA_IS_STRIPE_ACCOUNT (account));

  if (self->account == account)
    return;
  if (self->account != NULL)
    g_signal_handlers_disconnect_by_data (pa_stripe_account_get_sync (self->account), self);
  /* What was asked of the old account is no longer this view's. */
  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  self->cancellable = g_cancellable_new ();
  g_set_object (&self->account, account);
  show_error (self, NULL);
  /* A sync or a webhook brings links made or changed elsewhere. */
  if (account != NULL)
    g_signal_connect_object (pa_stripe_account_get_sync (account), "changed",
                             G_CALLBACK (reload), self, G_CONNECT_SWAPPED);
  reload (self);
}

guint
pa_payment_links_view_get_n_links (PaPaymentLinksView *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT_LINKS_VIEW (self), 0);

  return self->n_links;
}

gboolean
pa_payment_links_view_is_active (PaPaymentLinksView *self,
                                 const char         *id)
{
  JsonObject *link;

  g_return_val_if_fail (PA_IS_PAYMENT_LINKS_VIEW (self), FALSE);

  link = g_hash_table_lookup (self->links, id);
  return link != NULL && json_object_get_boolean_member_with_default (link, "active", FALSE);
}

GtkWindow *
pa_payment_links_view_get_qr_dialog (PaPaymentLinksView *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT_LINKS_VIEW (self), NULL);

  return self->qr_dialog;
}
