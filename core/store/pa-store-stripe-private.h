/* pa-store-stripe-private.h — what the Stripe store's two files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STORE_COMPILATION)
# error "pa-store-stripe-private.h is private to core/store: use pa-store-stripe.h"
#endif

/* The newest copy of the stripe_objects row @alias as JSON text: its
 * data_json, or else the data.object of the event that carried it (a
 * copy an event carried is kept once, in the event). */
#define PA_STRIPE_OBJECT_JSON(alias) \
  "COALESCE (" alias ".data_json, (SELECT json_extract (ev.payload_json, '$.data.object') " \
  "FROM stripe_events ev WHERE ev.seq = " alias ".event_seq))"
