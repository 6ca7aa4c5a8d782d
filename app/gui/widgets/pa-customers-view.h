/* pa-customers-view.h — the account's customers
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_CUSTOMERS_VIEW (pa_customers_view_get_type ())
G_DECLARE_FINAL_TYPE (PaCustomersView, pa_customers_view, PA, CUSTOMERS_VIEW, AdwBin)

GtkWidget *pa_customers_view_new          (void);
/* The account whose synced copy is shown and changed; NULL shows nothing. */
void       pa_customers_view_set_account  (PaCustomersView *self,
                              PaStripeAccount *account);

G_END_DECLS
