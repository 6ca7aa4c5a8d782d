/* pa-stripe.h — the Stripe API client: payments, payment links, refunds, events
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-platform.h"
#include "pa-secrets.h"

G_BEGIN_DECLS

/* Every request pins the API version the contract was written against, so
 * an account upgraded on Stripe's side does not change what we parse. */
#define PA_STRIPE_API_VERSION "2023-08-16"

/* Stripe's largest page. */
#define PA_STRIPE_MAX_PAGE_SIZE 100

#define PA_TYPE_STRIPE (pa_stripe_get_type ())
G_DECLARE_FINAL_TYPE (PaStripe, pa_stripe, PA, STRIPE, PaPlatform)

typedef enum {
  PA_STRIPE_MODE_UNKNOWN,
  PA_STRIPE_MODE_TEST,
  PA_STRIPE_MODE_LIVE,
} PaStripeMode;

/* One line of a payment link or a checkout session. */
typedef struct {
  const char *price;     /* "price_…" */
  gint64      quantity;  /* >= 1 */
} PaStripeLineItem;

/* @base_url NULL means https://api.stripe.com (paths are /v1/…). */
PaStripe     *pa_stripe_new                 (PaHttp               *http,
                                             const char           *profile,
                                             const char           *base_url);

/* The keyring check_async() reads the key's prefix from (never the key
 * itself into any log); NULL = a PaSecrets of its own. */
void          pa_stripe_set_secrets         (PaStripe             *self,
                                             PaSecrets            *secrets);

/* sk_test_/rk_test_ → TEST, sk_live_/rk_live_ → LIVE, else UNKNOWN. */
PaStripeMode  pa_stripe_mode_from_key       (const char           *key);
/* "Test mode", "Live mode" (translated) or NULL. */
const char   *pa_stripe_mode_to_string      (PaStripeMode          mode);

/* Digits after the decimal point in @currency (ISO 4217, any case):
 * 0 for Stripe's zero-decimal currencies (JPY, KRW, …), 3 for BHD, JOD,
 * KWD, OMR and TND, else 2 — also for ISK and UGX, which Stripe keeps
 * two-decimal in the API (amounts in whole units: multiples of 100). */
guint         pa_stripe_currency_decimals   (const char           *currency);
/* @minor units for display: 1234 "usd" → "12.34 USD", 500 "jpy" →
 * "500 JPY", -50 "eur" → "-0.50 EUR". */
char         *pa_stripe_format_amount       (gint64                minor,
                                             const char           *currency);

/* Every call below completes with pa_stripe_object_finish(), which
 * returns the Stripe object as parsed JSON (a JSON object node: callers
 * read its fields), or NULL with an error. List calls return Stripe's
 * list object ({"object": "list", "data": [...], "has_more": …});
 * pa_stripe_list_all_async() and pa_stripe_list_events_since_async()
 * return a JSON array instead.
 *
 * Every call that creates or changes something takes @idempotency_key,
 * which is required: Stripe then performs it at most once however often
 * it is sent (retries, a resumed workflow). Derive it from what the call
 * is for, e.g. the run and step ids.
 *
 * @metadata, where taken, is a JSON object of string values (may be NULL).
 * @limit 0 means Stripe's default page size (10); @starting_after NULL
 * means the first page. */
JsonNode     *pa_stripe_object_finish       (PaStripe             *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* GET /v1/balance */
void          pa_stripe_get_balance_async   (PaStripe             *self,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* POST /v1/customers; @email and @name may be NULL. */
void          pa_stripe_create_customer_async (PaStripe           *self,
                                             const char           *email,
                                             const char           *name,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* GET /v1/customers; @email NULL lists all. */
void          pa_stripe_list_customers_async (PaStripe            *self,
                                             const char           *email,
                                             guint                 limit,
                                             const char           *starting_after,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* POST /v1/products; @description may be NULL. */
void          pa_stripe_create_product_async (PaStripe            *self,
                                             const char           *name,
                                             const char           *description,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* The same with @images, a NULL-terminated list of up to 8 https URLs
 * the buyer sees on Stripe's pages (NULL or empty = none; Stripe takes
 * no files here). */
void          pa_stripe_create_product_with_images_async (PaStripe *self,
                                             const char           *name,
                                             const char           *description,
                                             const char * const   *images,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* POST /v1/prices: a one-off price of @unit_amount minor units. */
void          pa_stripe_create_price_async  (PaStripe             *self,
                                             const char           *product,
                                             gint64                unit_amount,
                                             const char           *currency,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* POST /v1/payment_links. @redirect_url, when set, sends the buyer there
 * after paying (after_completion redirect); NULL shows Stripe's page. */
void          pa_stripe_create_payment_link_async (PaStripe       *self,
                                             const PaStripeLineItem *line_items,
                                             guint                 n_line_items,
                                             JsonObject           *metadata,
                                             const char           *redirect_url,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* POST /v1/payment_links/{id} active=false: the link stops taking payments. */
void          pa_stripe_deactivate_payment_link_async (PaStripe   *self,
                                             const char           *payment_link,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* POST /v1/checkout/sessions in "payment" mode. @cancel_url,
 * @customer_email and @metadata may be NULL. */
void          pa_stripe_create_checkout_session_async (PaStripe   *self,
                                             const PaStripeLineItem *line_items,
                                             guint                 n_line_items,
                                             const char           *success_url,
                                             const char           *cancel_url,
                                             const char           *customer_email,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* GET /v1/checkout/sessions/{id} */
void          pa_stripe_get_checkout_session_async (PaStripe      *self,
                                             const char           *session,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* GET /v1/checkout/sessions */
void          pa_stripe_list_checkout_sessions_async (PaStripe    *self,
                                             guint                 limit,
                                             const char           *starting_after,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* POST /v1/checkout/sessions/{id}/expire: an open session can no longer
 * be paid. */
void          pa_stripe_expire_checkout_session_async (PaStripe   *self,
                                             const char           *session,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* GET /v1/payment_intents */
void          pa_stripe_list_payment_intents_async (PaStripe      *self,
                                             guint                 limit,
                                             const char           *starting_after,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* GET /v1/charges */
void          pa_stripe_list_charges_async  (PaStripe             *self,
                                             guint                 limit,
                                             const char           *starting_after,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* GET /v1/subscriptions; @status NULL means Stripe's default (all but
 * canceled). */
void          pa_stripe_list_subscriptions_async (PaStripe        *self,
                                             const char           *status,
                                             guint                 limit,
                                             const char           *starting_after,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
/* Pages through the list at @path (e.g. "/v1/charges") with
 * starting_after until Stripe says there is no more or @max_items objects
 * are collected (0 = no cap). Completes with a JSON array, newest first
 * as Stripe lists them. */
void          pa_stripe_list_all_async      (PaStripe             *self,
                                             const char           *path,
                                             guint                 max_items,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* POST /v1/refunds. @payment is a charge ("ch_…", "py_…") or a payment
 * intent ("pi_…"); @amount <= 0 refunds what is left, else that many
 * minor units. @reason may be NULL, or "duplicate", "fraudulent",
 * "requested_by_customer". */
void          pa_stripe_create_refund_async (PaStripe             *self,
                                             const char           *payment,
                                             gint64                amount,
                                             const char           *reason,
                                             JsonObject           *metadata,
                                             const char           *idempotency_key,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* GET /v1/events, for syncing: the events after @after_event (an "evt_…"
 * id, via ending_before) and/or created after @created_after (Unix
 * seconds, via created[gt]; 0 = no bound), up to @max_events (0 = no
 * cap). Completes with a JSON array, OLDEST first, so the last element
 * is the next cursor. */
void          pa_stripe_list_events_since_async (PaStripe         *self,
                                             const char           *after_event,
                                             gint64                created_after,
                                             guint                 max_events,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

/* GET /v1/events, one page, for a sync that stores page by page: at most
 * @limit events (1..100), newest first as Stripe lists them, older than
 * @starting_after or newer than @ending_before (event ids; at most one of
 * the two, NULL = neither), created after @created_gt (Unix s; 0 = no
 * bound). Completes (pa_stripe_object_finish) with Stripe's list object. */
void          pa_stripe_list_events_page_async (PaStripe          *self,
                                             const char           *starting_after,
                                             const char           *ending_before,
                                             gint64                created_gt,
                                             guint                 limit,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);

G_END_DECLS
