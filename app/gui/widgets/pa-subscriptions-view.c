/* pa-subscriptions-view.c — the account's subscriptions and their status (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-subscriptions-view.h"

struct _PaSubscriptionsView
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (PaSubscriptionsView, pa_subscriptions_view, ADW_TYPE_BIN)

static void
pa_subscriptions_view_class_init (PaSubscriptionsViewClass *klass)
{
}

static void
pa_subscriptions_view_init (PaSubscriptionsView *self)
{
}

GtkWidget *
pa_subscriptions_view_new (void)
{
  return g_object_new (PA_TYPE_SUBSCRIPTIONS_VIEW, NULL);
}

void
pa_subscriptions_view_set_account (PaSubscriptionsView *self,
                  PaStripeAccount *account)
{
}
