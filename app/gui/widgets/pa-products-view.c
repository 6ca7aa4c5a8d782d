/* pa-products-view.c — the account's products and their prices
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-catalog-list.h"
#include "pa-products-view.h"

struct _PaProductsView
{
  AdwBin         parent_instance;

  PaCatalogList *list;
};

G_DEFINE_FINAL_TYPE (PaProductsView, pa_products_view, ADW_TYPE_BIN)

static void
free_line (gpointer line)
{
  g_string_free (line, TRUE);
}

/* Each product with its prices: one price read once, whatever the number
 * of products. */
static GPtrArray *
load_products (PaStripeAccount *account,
               gpointer         user_data,
               GError         **error)
{
  g_autoptr(GPtrArray) products = pa_catalog_load_objects (account, "product", error);
  g_autoptr(GPtrArray) prices = NULL;
  g_autoptr(GHashTable) prices_of = NULL;   /* product id → GString */
  GPtrArray *items;

  if (products == NULL ||
      (prices = pa_catalog_load_objects (account, "price", error)) == NULL)
    return NULL;

  prices_of = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_line);
  for (guint i = 0; i < prices->len; i++)
    {
      PaStripeObjectRecord *record = prices->pdata[i];
      g_autoptr(JsonObject) price = pa_catalog_parse_object (record->data_json);
      g_autofree char *text = NULL;
      gboolean active = TRUE;
      GString *line;

      if (price == NULL || record->parent == NULL)
        continue;
      /* An archived price is not offered any more. */
      if (json_object_has_member (price, "active"))
        active = json_object_get_boolean_member_with_default (price, "active", TRUE);
      if (!active)
        continue;
      text = pa_catalog_format_price (price);
      line = g_hash_table_lookup (prices_of, record->parent);
      if (line == NULL)
        {
          line = g_string_new (NULL);
          g_hash_table_insert (prices_of, g_strdup (record->parent), line);
        }
      else
        g_string_append (line, " · ");
      g_string_append (line, text);
    }

  items = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < products->len; i++)
    {
      PaStripeObjectRecord *record = products->pdata[i];
      g_autoptr(JsonObject) product = pa_catalog_parse_object (record->data_json);
      GString *line = g_hash_table_lookup (prices_of, record->id);
      g_autofree char *created = pa_catalog_format_date (record->created);
      JsonNode *active_node = product != NULL ? json_object_get_member (product, "active") : NULL;
      const char *status = NULL;
      const char *status_class = NULL;

      if (active_node != NULL && JSON_NODE_HOLDS_VALUE (active_node) &&
          json_node_get_value_type (active_node) == G_TYPE_BOOLEAN)
        {
          gboolean active = json_node_get_boolean (active_node);

          status = active ? _("Active") : _("Archived");
          status_class = active ? "success" : NULL;
        }
      g_ptr_array_add (items,
                       pa_catalog_item_new (record->id,
                                            pa_catalog_json_string (product, "name"),
                                            line != NULL ? line->str : _("No price"),
                                            created,
                                            status != NULL ? status : pa_catalog_missing (),
                                            status_class,
                                            pa_catalog_json_string (product, "description")));
    }

  return items;
}

static void
pa_products_view_class_init (PaProductsViewClass *klass)
{
}

static void
pa_products_view_init (PaProductsView *self)
{
  self->list = PA_CATALOG_LIST (pa_catalog_list_new ());
  pa_catalog_list_set_empty_state (self->list, "package-x-generic-symbolic", _("No Products"),
                                   _("Products made in Stripe, or sold from the gallery, show "
                                     "here after the next sync."));
  pa_catalog_list_set_search_placeholder (self->list, _("Search products"));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
}

GtkWidget *
pa_products_view_new (void)
{
  return g_object_new (PA_TYPE_PRODUCTS_VIEW, NULL);
}

void
pa_products_view_set_account (PaProductsView  *self,
                              PaStripeAccount *account)
{
  g_return_if_fail (PA_IS_PRODUCTS_VIEW (self));

  pa_catalog_list_watch (self->list, account, load_products, self);
}
