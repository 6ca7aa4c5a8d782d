/* pa-payment-list.h — the stored payments as a lazy GListModel of PaPayment
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-store-stripe.h"

G_BEGIN_DECLS

#define PA_TYPE_PAYMENT_LIST (pa_payment_list_get_type ())
G_DECLARE_FINAL_TYPE (PaPaymentList, pa_payment_list, PA, PAYMENT_LIST, GObject)

/* A GListModel of PaPayment: the payments of @profile in @store, newest
 * first, narrowed by the filter. Only the count is read up front; items
 * are read in pages of rows as they are asked for and a few pages are
 * kept, so 100,000 payments cost what the visible ones cost. */
PaPaymentList *pa_payment_list_new          (PaStore                     *store,
                                             const char                  *profile);
/* Copies @filter (NULL = all) and reloads. */
void           pa_payment_list_set_filter   (PaPaymentList               *self,
                                             const PaStripePaymentFilter *filter);
/* Reads the count again and emits items-changed for what changed (the
 * whole list when the count did). Call after the sync's ::changed. */
void           pa_payment_list_reload       (PaPaymentList               *self);
/* The last read's error (the database failed), or NULL; the "error"
 * property is notified when it changes. get_item() gives NULL for a row
 * it could not read. */
const GError  *pa_payment_list_get_error    (PaPaymentList               *self);
/* How many statements have read rows so far (the "page-reads"
 * property): for tests and benchmarks that check the list reads only
 * what is shown. */
guint          pa_payment_list_get_page_reads (PaPaymentList             *self);

G_END_DECLS
