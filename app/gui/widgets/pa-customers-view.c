/* pa-customers-view.c — the account's customers
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-catalog-list.h"
#include "pa-customers-view.h"

struct _PaCustomersView
{
  AdwBin         parent_instance;

  PaCatalogList *list;
};

G_DEFINE_FINAL_TYPE (PaCustomersView, pa_customers_view, ADW_TYPE_BIN)

static GPtrArray *
load_customers (PaStripeAccount *account,
                gpointer         user_data,
                GError         **error)
{
  g_autoptr(GPtrArray) customers = pa_catalog_load_objects (account, "customer", error);
  GPtrArray *items;

  if (customers == NULL)
    return NULL;

  items = g_ptr_array_new_full (customers->len, g_object_unref);
  for (guint i = 0; i < customers->len; i++)
    {
      PaStripeObjectRecord *record = customers->pdata[i];
      g_autoptr(JsonObject) customer = pa_catalog_parse_object (record->data_json);
      const char *email = pa_catalog_json_string (customer, "email");
      g_autofree char *created = pa_catalog_format_date (record->created);
      g_autofree char *since = NULL;
      /* Translators: %s is the date a customer was first seen. */
      since = g_strdup_printf (_("Since %s"), created);
      g_ptr_array_add (items,
                       pa_catalog_item_new (record->id,
                                            pa_catalog_customer_name (customer),
                                            email != NULL ? email : pa_catalog_missing (),
                                            since, NULL, NULL,
                                            pa_catalog_json_string (customer, "description")));
    }
  return items;
}

static void
pa_customers_view_class_init (PaCustomersViewClass *klass)
{
}

static void
pa_customers_view_init (PaCustomersView *self)
{
  self->list = PA_CATALOG_LIST (pa_catalog_list_new ());
  pa_catalog_list_set_empty_state (self->list, "system-users-symbolic", _("No Customers"),
                                   _("People who pay you show here after the next sync."));
  pa_catalog_list_set_search_placeholder (self->list, _("Search customers"));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
}

GtkWidget *
pa_customers_view_new (void)
{
  return g_object_new (PA_TYPE_CUSTOMERS_VIEW, NULL);
}

void
pa_customers_view_set_account (PaCustomersView *self,
                               PaStripeAccount *account)
{
  g_return_if_fail (PA_IS_CUSTOMERS_VIEW (self));

  pa_catalog_list_watch (self->list, account, load_customers, self);
}
