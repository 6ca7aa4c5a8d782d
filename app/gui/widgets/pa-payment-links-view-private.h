/* pa-payment-links-view-private.h — what the payment links view's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-payment-links-view.h"

G_BEGIN_DECLS

/* What a price sells, read from the synced copy: the product's name (or
 * the price's id when the product is not stored) and the amount in the
 * user's locale. Either may be NULL when unknown. */
void       pa_payment_links_describe_price (PaStore     *store,
                                            const char  *profile,
                                            const char  *price,
                                            char       **name,
                                            char       **amount);

/* The dialog that makes a link: from a stored price, or a new product
 * and price. @done is called with the new link's object (not on
 * cancel). */
typedef void (*PaPaymentLinkCreatedFunc) (PaPaymentLinksView *view,
                                          JsonObject         *link,
                                          const char         *name);
GtkWindow *pa_payment_links_create_dialog_new (PaPaymentLinksView       *view,
                                               PaStripeAccount          *account,
                                               PaPaymentLinkCreatedFunc  done);

G_END_DECLS
