/* pa-products-view.c — the account's products and their prices (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-products-view.h"

struct _PaProductsView
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (PaProductsView, pa_products_view, ADW_TYPE_BIN)

static void
pa_products_view_class_init (PaProductsViewClass *klass)
{
}

static void
pa_products_view_init (PaProductsView *self)
{
}

GtkWidget *
pa_products_view_new (void)
{
  return g_object_new (PA_TYPE_PRODUCTS_VIEW, NULL);
}

void
pa_products_view_set_account (PaProductsView *self,
                  PaStripeAccount *account)
{
}
