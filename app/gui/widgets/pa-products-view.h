/* pa-products-view.h — the account's products and their prices
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_PRODUCTS_VIEW (pa_products_view_get_type ())
G_DECLARE_FINAL_TYPE (PaProductsView, pa_products_view, PA, PRODUCTS_VIEW, AdwBin)

GtkWidget *pa_products_view_new          (void);
/* The account whose synced copy is shown and changed; NULL shows nothing. */
void       pa_products_view_set_account  (PaProductsView *self,
                              PaStripeAccount *account);

G_END_DECLS
