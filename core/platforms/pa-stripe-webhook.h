/* pa-stripe-webhook.h — checks the Stripe-Signature header of a webhook
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Stripe's own libraries accept a signature up to five minutes old. */
#define PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S 300

/* Checks @signature_header ("t=…,v1=…[,v1=…][,v0=…]") for the raw request
 * body @payload of @len bytes: TRUE when one v1 signature is the
 * HMAC-SHA256 of "t.payload" under @secret (the endpoint's "whsec_…"
 * string, used as is) and |@now_s - t| <= @tolerance_s. A @tolerance_s
 * of 0 or less skips the age check. Schemes other than v1 are ignored.
 *
 * Errors: PA_ERROR_INVALID_INPUT for a missing or malformed header,
 * PA_ERROR_AUTH when no signature matches or the timestamp is too old. */
gboolean  pa_stripe_webhook_verify  (const char  *payload,
                                     gsize        len,
                                     const char  *signature_header,
                                     const char  *secret,
                                     gint64       now_s,
                                     gint64       tolerance_s,
                                     GError     **error);

/* The header Stripe would send for @payload at @timestamp:
 * "t=<timestamp>,v1=<lowercase hex>". For tests and local replays. */
char     *pa_stripe_webhook_sign    (const char  *payload,
                                     gsize        len,
                                     const char  *secret,
                                     gint64       timestamp);

G_END_DECLS
