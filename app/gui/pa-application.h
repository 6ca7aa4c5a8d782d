/* pa-application.h — the PlayAlter GUI application
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_APPLICATION (pa_application_get_type ())
G_DECLARE_FINAL_TYPE (PaApplication, pa_application, PA, APPLICATION, AdwApplication)

PaApplication    *pa_application_new                 (void);

/* Before startup: the folder given with --data-dir or the "data-dir"
 * property, or NULL for $PLAYALTER_DATA_DIR, else the default folder.
 * From startup on: the folder in use. */
const char       *pa_application_get_data_dir        (PaApplication *self);

/* TRUE from startup until the store has failed to open or the accounts
 * have been read from the keyring for the first time. */
gboolean          pa_application_get_loading         (PaApplication *self);

/* NULL until the store is open. */
PaAccountManager *pa_application_get_account_manager (PaApplication *self);

/* The open database, on the main thread; NULL until it is open. The
 * account manager is made at the same moment. */
PaStore          *pa_application_get_store           (PaApplication *self);

/* Why the store could not be opened, or NULL. */
const GError     *pa_application_get_store_error     (PaApplication *self);

/* The signed-in Stripe account @profile, made on first use and kept while
 * the app runs (its sync, its webhook receiver), or NULL when the store
 * is not open or no Stripe account has that profile. */
PaStripeAccount  *pa_application_get_stripe_account  (PaApplication *self,
                                                      const char    *profile);
/* Syncs every signed-in Stripe account now (a running sync is joined).
 * The app does it by itself shortly after its window is first shown and
 * every 5 minutes; a new payment or dispute then raises a notification
 * (app.show-payment opens it). */
void              pa_application_sync_stripe         (PaApplication *self);

G_END_DECLS
