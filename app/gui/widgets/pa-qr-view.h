/* pa-qr-view.h — draws a QR code, crisp at any size
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_QR_VIEW (pa_qr_view_get_type ())
G_DECLARE_FINAL_TYPE (PaQrView, pa_qr_view, PA, QR_VIEW, GtkWidget)

GtkWidget  *pa_qr_view_new       (void);
/* The code for @text ("text" property); NULL or "" draws nothing. Text
 * that cannot be encoded draws nothing and sets the "error" property. */
void        pa_qr_view_set_text  (PaQrView   *self,
                                  const char *text);
const char *pa_qr_view_get_text  (PaQrView   *self);
/* The code drawn, or NULL. */
PaQrCode   *pa_qr_view_get_code  (PaQrView   *self);

G_END_DECLS
