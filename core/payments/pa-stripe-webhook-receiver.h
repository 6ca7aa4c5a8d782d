/* pa-stripe-webhook-receiver.h — takes Stripe's webhooks on loopback (stripe listen --forward-to)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-clock.h"
#include "pa-secrets.h"
#include "pa-stripe-sync.h"

G_BEGIN_DECLS

/* Where the endpoint secret ("whsec_…") of a profile is kept: the
 * keyring item of platform "stripe", @profile, this field. */
#define PA_STRIPE_WEBHOOK_SECRET_FIELD "webhook-secret"
/* The path events are posted to. */
#define PA_STRIPE_WEBHOOK_PATH "/stripe/webhook"

#define PA_TYPE_STRIPE_WEBHOOK_RECEIVER (pa_stripe_webhook_receiver_get_type ())
G_DECLARE_FINAL_TYPE (PaStripeWebhookReceiver, pa_stripe_webhook_receiver, PA, STRIPE_WEBHOOK_RECEIVER, GObject)

/* Hands each verified event to @sync (pa_stripe_sync_ingest), so an
 * event that arrives both ways is stored once. @secrets NULL = a
 * PaSecrets of its own. */
PaStripeWebhookReceiver *pa_stripe_webhook_receiver_new   (PaStripeSync  *sync,
                                                           PaSecrets     *secrets);
/* Reads the endpoint secret from the keyring, then listens on
 * 127.0.0.1:@port (0 = any free port) and nowhere else. PA_ERROR_NOT_FOUND
 * when no secret is saved (the message says how to save one). */
void        pa_stripe_webhook_receiver_start_async  (PaStripeWebhookReceiver *self,
                                                     guint          port,
                                                     GCancellable  *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer       user_data);
gboolean    pa_stripe_webhook_receiver_start_finish (PaStripeWebhookReceiver *self,
                                                     GAsyncResult  *result,
                                                     GError       **error);
void        pa_stripe_webhook_receiver_stop         (PaStripeWebhookReceiver *self);
/* "http://127.0.0.1:PORT/stripe/webhook" while listening, else NULL. */
const char *pa_stripe_webhook_receiver_get_url      (PaStripeWebhookReceiver *self);
/* The wall clock signatures' timestamps are checked against, in µs
 * since the epoch (@func NULL = g_get_real_time): tests move it to the
 * time of the vendor's signature vectors. */
void        pa_stripe_webhook_receiver_set_clock    (PaStripeWebhookReceiver *self,
                                                     PaClockFunc    func,
                                                     gpointer       data);
/* Events taken (new or not) and requests refused, since started. */
guint       pa_stripe_webhook_receiver_get_n_accepted (PaStripeWebhookReceiver *self);
guint       pa_stripe_webhook_receiver_get_n_refused  (PaStripeWebhookReceiver *self);

/* Saves @secret (must start with "whsec_") as @profile's endpoint secret. */
void        pa_stripe_webhook_save_secret_async     (PaSecrets     *secrets,
                                                     const char    *profile,
                                                     const char    *secret,
                                                     GCancellable  *cancellable,
                                                     GAsyncReadyCallback callback,
                                                     gpointer       user_data);
gboolean    pa_stripe_webhook_save_secret_finish    (GAsyncResult  *result,
                                                     GError       **error);

G_END_DECLS
