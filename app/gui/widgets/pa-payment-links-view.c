/* pa-payment-links-view.c — the account's payment links: make one, its QR code, copy, deactivate (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-payment-links-view.h"

struct _PaPaymentLinksView
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (PaPaymentLinksView, pa_payment_links_view, ADW_TYPE_BIN)

static void
pa_payment_links_view_class_init (PaPaymentLinksViewClass *klass)
{
}

static void
pa_payment_links_view_init (PaPaymentLinksView *self)
{
}

GtkWidget *
pa_payment_links_view_new (void)
{
  return g_object_new (PA_TYPE_PAYMENT_LINKS_VIEW, NULL);
}

void
pa_payment_links_view_set_account (PaPaymentLinksView *self,
                  PaStripeAccount *account)
{
}
