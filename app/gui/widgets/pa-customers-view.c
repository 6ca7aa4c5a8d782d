/* pa-customers-view.c — the account's customers (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-customers-view.h"

struct _PaCustomersView
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (PaCustomersView, pa_customers_view, ADW_TYPE_BIN)

static void
pa_customers_view_class_init (PaCustomersViewClass *klass)
{
}

static void
pa_customers_view_init (PaCustomersView *self)
{
}

GtkWidget *
pa_customers_view_new (void)
{
  return g_object_new (PA_TYPE_CUSTOMERS_VIEW, NULL);
}

void
pa_customers_view_set_account (PaCustomersView *self,
                  PaStripeAccount *account)
{
}
