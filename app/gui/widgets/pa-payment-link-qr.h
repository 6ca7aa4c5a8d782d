/* pa-payment-link-qr.h — a payment link's QR code with its URL, Copy and Save as PNG
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "pa-qr-view.h"

G_BEGIN_DECLS

/* Pixels per module of a saved PNG: about 600 px for a payment link,
 * sharp when printed. */
#define PA_PAYMENT_LINK_QR_PNG_SCALE 16

/* A large, scannable QR code of @url, the URL under it (selectable) and
 * "Copy Link" and "Save as PNG…" buttons (actions "qr.copy" and
 * "qr.save"). */
GtkWidget *pa_payment_link_qr_new         (const char *url);
/* The PaQrView inside a widget made by pa_payment_link_qr_new(). */
PaQrView  *pa_payment_link_qr_get_view    (GtkWidget  *qr);
/* A dialog over @parent that shows the code of @url; @name says what the
 * link sells (may be NULL). */
GtkWindow *pa_payment_link_qr_dialog_new  (GtkWindow  *parent,
                                           const char *url,
                                           const char *name);

G_END_DECLS
