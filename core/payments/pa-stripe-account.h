/* pa-stripe-account.h — one Stripe account: its client, its sync, and what the user does with it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-store.h"
#include "pa-stripe.h"
#include "pa-stripe-sync.h"

G_BEGIN_DECLS

#define PA_TYPE_STRIPE_ACCOUNT (pa_stripe_account_get_type ())
G_DECLARE_FINAL_TYPE (PaStripeAccount, pa_stripe_account, PA, STRIPE_ACCOUNT, GObject)

/* The account @profile, reached through @client (its base URL and key
 * come from the accounts table and the keyring), synced into @store.
 * @secrets NULL = a PaSecrets of its own. */
PaStripeAccount *pa_stripe_account_new          (PaStore          *store,
                                                 PaStripe         *client,
                                                 PaSecrets        *secrets,
                                                 const char       *profile);
const char      *pa_stripe_account_get_profile  (PaStripeAccount  *self);
PaStripe        *pa_stripe_account_get_client   (PaStripeAccount  *self);
PaStripeSync    *pa_stripe_account_get_sync     (PaStripeAccount  *self);
PaStore         *pa_stripe_account_get_store    (PaStripeAccount  *self);

/* Test or live, from the key's prefix in the keyring (read once; the
 * "mode" property changes when it is known), else from what the synced
 * copy says (livemode). UNKNOWN until either is known. */
PaStripeMode     pa_stripe_account_get_mode     (PaStripeAccount  *self);
void             pa_stripe_account_load_mode_async  (PaStripeAccount *self,
                                                 GCancellable     *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer          user_data);
PaStripeMode     pa_stripe_account_load_mode_finish (PaStripeAccount *self,
                                                 GAsyncResult     *result,
                                                 GError          **error);

/* Refunds @amount minor units of the payment @charge (0 = all that is
 * left), with an idempotency key kept in the store: a retry, or asking
 * again after the answer was lost, refunds once. The refund is stored
 * (the payment shows it at once). Completes with the refund object. */
void             pa_stripe_account_refund_async (PaStripeAccount  *self,
                                                 const char       *charge,
                                                 gint64            amount,
                                                 GCancellable     *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer          user_data);

/* A payment link for one of @price (quantity 1). Completes with the
 * payment_link object (its "url" is what to share). */
void             pa_stripe_account_create_link_async (PaStripeAccount *self,
                                                 const char       *price,
                                                 GCancellable     *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer          user_data);
/* A new product @name (@description and @image_url may be NULL; an image
 * must be an https URL, Stripe does not take files here) with a one-off
 * price of @amount minor units of @currency, then a payment link for it.
 * @metadata (string values, may be NULL) goes on the product. Each call
 * gets keys derived from @request_id (e.g. a file's sha256 and the
 * price), so repeating the same request makes nothing twice. Completes
 * with the payment_link object. */
void             pa_stripe_account_sell_async   (PaStripeAccount  *self,
                                                 const char       *name,
                                                 const char       *description,
                                                 const char       *image_url,
                                                 gint64            amount,
                                                 const char       *currency,
                                                 JsonObject       *metadata,
                                                 const char       *request_id,
                                                 GCancellable     *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer          user_data);
/* The link stops taking payments. Completes with the payment_link. */
void             pa_stripe_account_deactivate_link_async (PaStripeAccount *self,
                                                 const char       *payment_link,
                                                 GCancellable     *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer          user_data);
/* Every call above finishes here: the Stripe object, or NULL and an
 * error. */
JsonObject      *pa_stripe_account_object_finish (PaStripeAccount *self,
                                                 GAsyncResult     *result,
                                                 GError          **error);

G_END_DECLS
