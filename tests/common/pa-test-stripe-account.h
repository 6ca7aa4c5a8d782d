/* pa-test-stripe-account.h — the scripted Stripe account peer, and a client for it
 *
 * tests/peers/stripe-account-peer.mjs plays one Stripe account with a
 * seeded history (payments, refunds, disputes, customers, products,
 * prices, payment links, subscriptions and their events), checked against
 * the official stripe.json; its header comment says what it seeds, how
 * many events each payment makes, and its controls (/__peer/…).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "pa-stripe.h"
#include "pa-test-peer.h"

G_BEGIN_DECLS

/* The key pa_test_stripe_account_client() serves (a test-mode key; the
 * peer only checks that a Bearer key comes). */
#define PA_TEST_STRIPE_ACCOUNT_KEY "sk_test_PaAccountPeer4242"

/* Starts the peer with `--seed @seed` and @extra_args (NULL, or e.g.
 * {"--days", "10", "--now", "1700000000", NULL}), through
 * pa_test_node_peer_start(): NULL with @error set when node or the
 * fixtures are missing (a PA_TEST_MISSING_ERROR) or the peer does not
 * come up. */
PaTestPeer *pa_test_stripe_account_start   (guint                seed,
                                            const char * const  *extra_args,
                                            GError             **error);

/* The base URL for PaStripe ("http://127.0.0.1:PORT"). */
char       *pa_test_stripe_account_url     (PaTestPeer          *peer);

/* Sends @json_body (NULL for none) to the control @path ("/__peer/payments",
 * "/__peer/effects"…) with @method and returns the JSON answer, or NULL
 * with @error set when the peer cannot be reached or answers another
 * status than 200 (the message then holds the peer's answer). The thread-
 * default main context keeps running meanwhile, so a webhook receiver in
 * the test's own process answers the peer's POST. */
JsonNode   *pa_test_stripe_account_control (PaTestPeer          *peer,
                                            const char          *method,
                                            const char          *path,
                                            const char          *json_body,
                                            GError             **error);

/* A PaStripe for @profile (NULL = "default") at the peer, on a PaHttp of
 * its own whose credential provider serves PA_TEST_STRIPE_ACCOUNT_KEY from
 * memory, so core tests need no keyring. Retries back off by tens of
 * milliseconds. */
PaStripe   *pa_test_stripe_account_client  (PaTestPeer          *peer,
                                            const char          *profile);

G_END_DECLS
