/* pa-payment-links-view.h — the account's payment links: make one, its QR code, copy, deactivate
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_PAYMENT_LINKS_VIEW (pa_payment_links_view_get_type ())
G_DECLARE_FINAL_TYPE (PaPaymentLinksView, pa_payment_links_view, PA, PAYMENT_LINKS_VIEW, AdwBin)

GtkWidget *pa_payment_links_view_new          (void);
/* The account whose synced copy is shown and changed; NULL shows nothing. */
void       pa_payment_links_view_set_account  (PaPaymentLinksView *self,
                              PaStripeAccount *account);

G_END_DECLS
