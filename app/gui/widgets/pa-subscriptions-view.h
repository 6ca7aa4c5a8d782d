/* pa-subscriptions-view.h — the account's subscriptions and their status
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_SUBSCRIPTIONS_VIEW (pa_subscriptions_view_get_type ())
G_DECLARE_FINAL_TYPE (PaSubscriptionsView, pa_subscriptions_view, PA, SUBSCRIPTIONS_VIEW, AdwBin)

GtkWidget *pa_subscriptions_view_new          (void);
/* The account whose synced copy is shown and changed; NULL shows nothing. */
void       pa_subscriptions_view_set_account  (PaSubscriptionsView *self,
                              PaStripeAccount *account);

G_END_DECLS
