/* pa-store-stripe.h — a Stripe account's synced copy: events, projections, sync state
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* Everything here is kept per @profile, the Stripe account's profile in
 * the accounts table. Amounts are integers in the currency's minor unit;
 * created and seen_at are Stripe's Unix seconds. */

/* ---- writing (pa-store-stripe-write.c) --------------------------------- */

/* One event as it came from GET /v1/events or a webhook. The strings are
 * borrowed. */
typedef struct {
  const char *id;            /* "evt_…" */
  const char *type;          /* "charge.succeeded", … */
  gint64      created;
  const char *payload_json;  /* the whole event, as Stripe sent it */
} PaStripeEventRow;

/* In which order a batch of events arrives. Events carry full copies of
 * their object, so a copy replaces the stored one only when it is newer
 * (seen_at = the event's created); on a tie the copy that is later in
 * Stripe's own order wins: the later one of a FORWARD batch (oldest
 * first), the earlier one of a BACKWARD batch (newest first). A webhook's
 * single event counts as FORWARD. */
typedef enum {
  PA_STRIPE_ORDER_FORWARD,
  PA_STRIPE_ORDER_BACKWARD,
} PaStripeOrder;

/* Where one account's sync stands (the stripe_sync row). */
typedef struct {
  char     *cursor;          /* newest event stored in order, or NULL */
  char     *backfill_top;    /* newest event when the backfill began */
  char     *backfill_next;   /* the backfill walks on after this one */
  gint64    backfill_after;  /* the backfill reaches back to this time */
  gboolean  backfilled;      /* the backfill is done */
  gint64    last_synced_at;  /* ms since the epoch; 0 = never */
  char     *last_error;      /* the last sync's failure, or NULL */
} PaStripeSyncState;

void               pa_stripe_sync_state_free       (PaStripeSyncState *state);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStripeSyncState, pa_stripe_sync_state_free)

/* Stores @rows in one transaction together with @state (NULL leaves the
 * state as it is): an event stored before is skipped; each new event's
 * object updates the projections (stripe_objects, stripe_payments) as
 * @order says. The ids of the events that were new are appended to
 * @new_ids (borrowed strings copied; may be NULL), in @rows' order.
 * Malformed rows (no id, a payload that is not a JSON object, whose
 * "id" or "created" differ from the row's, an object of a kind the page
 * shows with a field of the wrong type) fail the whole batch with
 * PA_ERROR_INVALID_INPUT naming the event, and store nothing. An event
 * is the same event when its id and created are (Stripe never changes
 * an event's created). @source is "sync" or "webhook". */
gboolean           pa_store_stripe_add_events      (PaStore                *self,
                                                    const char             *profile,
                                                    const PaStripeEventRow *rows,
                                                    guint                   n_rows,
                                                    PaStripeOrder           order,
                                                    const char             *source,
                                                    const PaStripeSyncState *state,
                                                    GPtrArray              *new_ids,
                                                    GError                **error);
/* An object as an API call just answered it (a refund made, a link
 * created or deactivated), stored as the newest copy at @seen_at. A
 * refund also raises its payment's amount_refunded to what the refunds
 * stored for it add up to (each refund counted once). */
gboolean           pa_store_stripe_put_object      (PaStore                *self,
                                                    const char             *profile,
                                                    const char             *object_json,
                                                    gint64                  seen_at,
                                                    GError                **error);
/* Never NULL without an error: an account never synced has an empty
 * state (all NULL and 0). */
PaStripeSyncState *pa_store_stripe_get_sync_state  (PaStore                *self,
                                                    const char             *profile,
                                                    GError                **error);
gboolean           pa_store_stripe_set_sync_state  (PaStore                *self,
                                                    const char             *profile,
                                                    const PaStripeSyncState *state,
                                                    GError                **error);
/* Replaces the stored balance with GET /v1/balance's answer. */
gboolean           pa_store_stripe_set_balance     (PaStore                *self,
                                                    const char             *profile,
                                                    const char             *balance_json,
                                                    gint64                  fetched_at_ms,
                                                    GError                **error);
/* How many events are stored for @profile. */
gint64             pa_store_stripe_count_events    (PaStore                *self,
                                                    const char             *profile,
                                                    GError                **error);
/* Forgets everything stored for @profile (signing out). */
gboolean           pa_store_stripe_forget          (PaStore                *self,
                                                    const char             *profile,
                                                    GError                **error);

/* ---- reading (pa-store-stripe-read.c) ---------------------------------- */

typedef struct {
  char     *currency;        /* lower case, as Stripe writes it */
  gint64    available;
  gint64    pending;
  gboolean  livemode;
  gint64    fetched_at;      /* ms since the epoch */
} PaStripeBalanceRecord;

void        pa_stripe_balance_record_free   (PaStripeBalanceRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStripeBalanceRecord, pa_stripe_balance_record_free)

/* A GPtrArray of PaStripeBalanceRecord by currency; empty when never
 * fetched. */
GPtrArray  *pa_store_stripe_get_balance     (PaStore                *self,
                                             const char             *profile,
                                             GError                **error);

/* What the payments list may be narrowed to. Statuses: "succeeded",
 * "pending", "failed" (Stripe's), and "refunded" (all of it),
 * "partially_refunded", "disputed". */
typedef struct {
  const char *search;        /* in id, email, name, description; NULL/"" = all */
  const char *status;        /* NULL = any */
  gint64      created_from;  /* Unix s, inclusive; 0 = unbounded */
  gint64      created_to;    /* Unix s, exclusive; 0 = unbounded */
  gint64      amount_min;    /* minor units, inclusive; < 0 = unbounded */
  gint64      amount_max;    /* minor units, inclusive; < 0 = unbounded */
  const char *currency;      /* NULL = any */
} PaStripePaymentFilter;

/* Fills @filter with "no narrowing". */
void        pa_stripe_payment_filter_init   (PaStripePaymentFilter *filter);

typedef struct {
  char     *id;
  gint64    created;
  gint64    amount;
  gint64    amount_refunded;
  char     *currency;
  char     *status;          /* Stripe's: succeeded, pending, failed */
  gboolean  disputed;
  char     *payment_intent;
  char     *customer;
  char     *email;
  char     *name;
  char     *description;
  char     *method;
  char     *card_brand;
  char     *card_last4;
  gboolean  livemode;
} PaStripePaymentRecord;

void        pa_stripe_payment_record_free   (PaStripePaymentRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStripePaymentRecord, pa_stripe_payment_record_free)

/* @filter NULL = all. */
guint       pa_store_stripe_count_payments  (PaStore                *self,
                                             const char             *profile,
                                             const PaStripePaymentFilter *filter,
                                             GError                **error);
/* Payments newest first (created, then id), @limit from @offset: a
 * GPtrArray of PaStripePaymentRecord. */
GPtrArray  *pa_store_stripe_list_payments   (PaStore                *self,
                                             const char             *profile,
                                             const PaStripePaymentFilter *filter,
                                             guint                   offset,
                                             guint                   limit,
                                             GError                **error);
/* PA_ERROR_NOT_FOUND when there is no such payment. */
PaStripePaymentRecord *pa_store_stripe_get_payment (PaStore          *self,
                                             const char             *profile,
                                             const char             *id,
                                             GError                **error);

typedef struct {
  char   *id;
  char   *object;            /* Stripe's object name: "refund", "product", … */
  gint64  created;
  char   *parent;            /* refund, dispute → charge; price → product */
  char   *data_json;         /* the newest copy, as Stripe sent it */
} PaStripeObjectRecord;

void        pa_stripe_object_record_free    (PaStripeObjectRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStripeObjectRecord, pa_stripe_object_record_free)

/* Stored objects of one kind ("payment_link", "product", "price",
 * "customer", "subscription", "refund", "dispute"), newest first, only
 * those whose parent is @parent when not NULL; @limit 0 = all. A
 * GPtrArray of PaStripeObjectRecord. */
GPtrArray  *pa_store_stripe_list_objects    (PaStore                *self,
                                             const char             *profile,
                                             const char             *object,
                                             const char             *parent,
                                             guint                   limit,
                                             GError                **error);
/* PA_ERROR_NOT_FOUND when not stored. */
PaStripeObjectRecord *pa_store_stripe_get_object (PaStore            *self,
                                             const char             *profile,
                                             const char             *id,
                                             GError                **error);

typedef struct {
  char   *id;
  char   *type;
  gint64  created;
  char   *object_id;
} PaStripeEventRecord;

void        pa_stripe_event_record_free     (PaStripeEventRecord *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStripeEventRecord, pa_stripe_event_record_free)

/* A payment's timeline: the events of the charge @payment, its payment
 * intent, its refunds and its disputes, oldest first. A GPtrArray of
 * PaStripeEventRecord. */
GPtrArray  *pa_store_stripe_list_payment_events (PaStore            *self,
                                             const char             *profile,
                                             const char             *payment,
                                             GError                **error);

/* ---- refunds asked for (pa-store-stripe-read.c) ------------------------ */

/* The idempotency key to send a refund of @amount (0 = what is left) of
 * @charge with: the key of an earlier request for the same refund that
 * never got Stripe's answer, else a new one (recorded). */
char       *pa_store_stripe_begin_refund    (PaStore                *self,
                                             const char             *profile,
                                             const char             *charge,
                                             gint64                  amount,
                                             GError                **error);
/* Records Stripe's answer to the request sent with @idempotency_key:
 * the refund's id, or the error Stripe gave (NULL both: nothing known,
 * the key stays open for a retry). */
gboolean    pa_store_stripe_finish_refund   (PaStore                *self,
                                             const char             *idempotency_key,
                                             const char             *refund_id,
                                             const char             *error_message,
                                             GError                **error);

G_END_DECLS
