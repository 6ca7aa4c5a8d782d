/* pa-sell-dialog.h — sells a picture: product, price and payment link in one step, then its QR code
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_SELL_DIALOG (pa_sell_dialog_get_type ())
G_DECLARE_FINAL_TYPE (PaSellDialog, pa_sell_dialog, PA, SELL_DIALOG, AdwWindow)

/* Offers @file for sale through @account (name, price, currency), makes
 * the product, price and payment link, and shows the link's QR code. */
PaSellDialog *pa_sell_dialog_new (GtkWindow       *parent,
                                  PaStripeAccount *account,
                                  GFile           *file);
/* What "Sell…" on a result does: the dialog for @file through the first
 * signed-in Stripe account, or, with none, a dialog that says why and
 * offers the Accounts page. @from is a widget of the window to go over. */
void          pa_sell_dialog_present_for (GtkWidget   *from,
                                          GFile       *file);
/* The QR code, link and Copy once sold (pa-payment-link-qr.h), or NULL. */
GtkWidget    *pa_sell_dialog_get_qr      (PaSellDialog *self);

G_END_DECLS
