/* pa-payments-page.c — the Payments page (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-payments-page.h"

struct _PaPaymentsPage
{
  AdwBin parent_instance;
};

G_DEFINE_FINAL_TYPE (PaPaymentsPage, pa_payments_page, ADW_TYPE_BIN)

static void
pa_payments_page_class_init (PaPaymentsPageClass *klass)
{
}

static void
pa_payments_page_init (PaPaymentsPage *self)
{
}

void
pa_payments_page_set_application (PaPaymentsPage *self,
                                  PaApplication  *application)
{
}
