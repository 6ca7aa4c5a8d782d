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
/* How many links are listed, and whether @id is listed as active. */
guint      pa_payment_links_view_get_n_links  (PaPaymentLinksView *self);
gboolean   pa_payment_links_view_is_active    (PaPaymentLinksView *self,
                                               const char         *id);
/* The QR code dialog shown last (pa-payment-link-qr.h), while it is open. */
GtkWindow *pa_payment_links_view_get_qr_dialog (PaPaymentLinksView *self);

G_END_DECLS
