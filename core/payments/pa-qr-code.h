/* pa-qr-code.h — a QR code for a payment link, to scan with a phone
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define PA_TYPE_QR_CODE (pa_qr_code_get_type ())
G_DECLARE_FINAL_TYPE (PaQrCode, pa_qr_code, PA, QR_CODE, GObject)

/* Encodes @text (UTF-8, at most 2048 bytes: a URL) as a QR code with
 * error correction level M, the smallest version that holds it.
 * PA_ERROR_INVALID_INPUT for empty or too long text. */
PaQrCode   *pa_qr_code_new        (const char  *text,
                                   GError     **error);
const char *pa_qr_code_get_text   (PaQrCode    *self);
/* Modules per side, without the quiet zone. */
guint       pa_qr_code_get_size   (PaQrCode    *self);
/* TRUE for a dark module; outside 0..size-1 is light (the quiet zone). */
gboolean    pa_qr_code_is_dark    (PaQrCode    *self,
                                   int          x,
                                   int          y);
/* The code for a terminal: two rows per line with Unicode half blocks,
 * dark on light, with a quiet zone of 4 modules; lines end in '\n'. */
char       *pa_qr_code_to_text    (PaQrCode    *self);
/* A PNG of @scale pixels per module with a 4-module quiet zone. */
GBytes     *pa_qr_code_to_png     (PaQrCode    *self,
                                   guint        scale,
                                   GError     **error);

G_END_DECLS
