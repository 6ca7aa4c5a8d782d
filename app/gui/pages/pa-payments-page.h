/* pa-payments-page.h — the Payments page: a Stripe account's balance, payments, links, catalogue
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "pa-application.h"

G_BEGIN_DECLS

#define PA_TYPE_PAYMENTS_PAGE (pa_payments_page_get_type ())
G_DECLARE_FINAL_TYPE (PaPaymentsPage, pa_payments_page, PA, PAYMENTS_PAGE, AdwBin)

/* Where the Stripe accounts come from (pa_application_get_stripe_account
 * and its account manager). */
void pa_payments_page_set_application (PaPaymentsPage *self,
                                       PaApplication  *application);

G_END_DECLS
