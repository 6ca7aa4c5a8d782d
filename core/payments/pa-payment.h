/* pa-payment.h — one payment (a Stripe charge) as the list and the detail show it
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "pa-store-stripe.h"

G_BEGIN_DECLS

typedef enum {
  PA_PAYMENT_STATUS_SUCCEEDED,
  PA_PAYMENT_STATUS_PENDING,
  PA_PAYMENT_STATUS_FAILED,
  PA_PAYMENT_STATUS_PARTIALLY_REFUNDED,
  PA_PAYMENT_STATUS_REFUNDED,
  PA_PAYMENT_STATUS_DISPUTED,
} PaPaymentStatus;

/* The filter name of @status ("succeeded", "partially_refunded", …; see
 * PaStripePaymentFilter), and back (FALSE for an unknown name). */
const char *pa_payment_status_to_string   (PaPaymentStatus  status);
gboolean    pa_payment_status_from_string (const char      *name,
                                           PaPaymentStatus *status);
/* "Succeeded", "Refunded", … (translated). */
const char *pa_payment_status_to_label    (PaPaymentStatus  status);

#define PA_TYPE_PAYMENT (pa_payment_get_type ())
G_DECLARE_FINAL_TYPE (PaPayment, pa_payment, PA, PAYMENT, GObject)

/* Takes a copy of @record. */
PaPayment  *pa_payment_new                (const PaStripePaymentRecord *record);
const PaStripePaymentRecord *pa_payment_get_record (PaPayment   *self);
const char *pa_payment_get_id             (PaPayment       *self);
/* Disputed first, then refunded (all or part), else Stripe's status. */
PaPaymentStatus pa_payment_get_status     (PaPayment       *self);
/* What is left to refund, in minor units (0 unless succeeded). */
gint64      pa_payment_get_refundable     (PaPayment       *self);
/* The name, else the email, else the customer id, else NULL. */
const char *pa_payment_get_payer          (PaPayment       *self);

G_END_DECLS
