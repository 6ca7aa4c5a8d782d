/* pa-stripe-sync.h — keeps a Stripe account's local copy up to date from /v1/events
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-store.h"
#include "pa-stripe.h"

G_BEGIN_DECLS

/* Stripe keeps events for 30 days: the first sync reaches back this far. */
#define PA_STRIPE_SYNC_BACKFILL_DAYS 30

#define PA_TYPE_STRIPE_SYNC (pa_stripe_sync_get_type ())
G_DECLARE_FINAL_TYPE (PaStripeSync, pa_stripe_sync, PA, STRIPE_SYNC, GObject)

/* Syncs the account @profile through @client into @store. */
PaStripeSync *pa_stripe_sync_new            (PaStore        *store,
                                             PaStripe       *client,
                                             const char     *profile);
const char   *pa_stripe_sync_get_profile    (PaStripeSync   *self);
PaStore      *pa_stripe_sync_get_store      (PaStripeSync   *self);
PaStripe     *pa_stripe_sync_get_client     (PaStripeSync   *self);
/* The first sync reaches back @days (default PA_STRIPE_SYNC_BACKFILL_DAYS). */
void          pa_stripe_sync_set_backfill_days (PaStripeSync *self,
                                             guint           days);

/* One sync: the balance, then the events after the saved cursor page by
 * page (100 a page), each page stored in one transaction together with
 * the cursor, so a sync that is killed resumes where it stopped and never
 * stores an event twice. The first sync walks back from the newest event
 * to the backfill window's start (saving its progress the same way) and
 * then goes on forward. Only one sync runs at a time: a second call
 * while one runs completes when that one does, with its result.
 * Completes with the number of events that were new. */
void          pa_stripe_sync_run_async      (PaStripeSync   *self,
                                             GCancellable   *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer        user_data);
gint64        pa_stripe_sync_run_finish     (PaStripeSync   *self,
                                             GAsyncResult   *result,
                                             GError        **error);

/* One event a webhook delivered (already verified): stored and
 * projected like a synced one, or ignored when it is stored already
 * (*@is_new FALSE). PA_ERROR_INVALID_INPUT when @payload is not an
 * event. */
gboolean      pa_stripe_sync_ingest         (PaStripeSync   *self,
                                             const char     *payload,
                                             gsize           len,
                                             gboolean       *is_new,
                                             GError        **error);
/* Stores an object an API call answered with (see
 * pa_store_stripe_put_object) and emits ::changed. */
gboolean      pa_stripe_sync_note_object    (PaStripeSync   *self,
                                             JsonObject     *object,
                                             GError        **error);

gboolean      pa_stripe_sync_get_running    (PaStripeSync   *self);
/* When the last sync finished well, in ms since the epoch; 0 = never. */
gint64        pa_stripe_sync_get_last_synced (PaStripeSync  *self);
/* The last sync's error message, or NULL. */
const char   *pa_stripe_sync_get_last_error (PaStripeSync   *self);

/* Signals:
 *   ::event-added (const char *id, const char *type, JsonObject *event)
 *       once for each event stored for the first time, by either path,
 *       after its transaction committed; not for the backfill's events.
 *   ::changed ()  the stored copy changed (after a page, an ingested
 *       event, a noted object, a new balance).
 * Properties: "running" (boolean), "last-synced" (int64), "last-error". */

G_END_DECLS
