/* pa-payment.c — one payment (a Stripe charge) as the list and the detail show it
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-payment.h"

struct _PaPayment
{
  GObject                parent_instance;

  PaStripePaymentRecord  record;
};

G_DEFINE_FINAL_TYPE (PaPayment, pa_payment, G_TYPE_OBJECT)

static const struct {
  PaPaymentStatus  status;
  const char      *name;
} status_names[] = {
  { PA_PAYMENT_STATUS_SUCCEEDED, "succeeded" },
  { PA_PAYMENT_STATUS_PENDING, "pending" },
  { PA_PAYMENT_STATUS_FAILED, "failed" },
  { PA_PAYMENT_STATUS_PARTIALLY_REFUNDED, "partially_refunded" },
  { PA_PAYMENT_STATUS_REFUNDED, "refunded" },
  { PA_PAYMENT_STATUS_DISPUTED, "disputed" },
};

const char *
pa_payment_status_to_string (PaPaymentStatus status)
{
  for (gsize i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (status_names[i].status == status)
      return status_names[i].name;
  g_return_val_if_reached (NULL);
}

gboolean
pa_payment_status_from_string (const char      *name,
                               PaPaymentStatus *status)
{
  if (name == NULL)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS (status_names); i++)
    if (g_str_equal (status_names[i].name, name))
      {
        if (status != NULL)
          *status = status_names[i].status;
        return TRUE;
      }
  return FALSE;
}

const char *
pa_payment_status_to_label (PaPaymentStatus status)
{
  /* Contexts: the same English word is another word, or another gender,
   * in other languages depending on what it describes. */
  switch (status)
    {
    case PA_PAYMENT_STATUS_SUCCEEDED:
      return C_("payment status", "Succeeded");
    case PA_PAYMENT_STATUS_PENDING:
      return C_("payment status", "Pending");
    case PA_PAYMENT_STATUS_FAILED:
      return C_("payment status", "Failed");
    case PA_PAYMENT_STATUS_PARTIALLY_REFUNDED:
      return C_("payment status", "Partially refunded");
    case PA_PAYMENT_STATUS_REFUNDED:
      return C_("payment status", "Refunded");
    case PA_PAYMENT_STATUS_DISPUTED:
      return C_("payment status", "Disputed");
    default:
      g_return_val_if_reached (NULL);
    }
}

static void
pa_payment_finalize (GObject *object)
{
  PaPayment *self = PA_PAYMENT (object);
  PaStripePaymentRecord *record = &self->record;

  g_free (record->id);
  g_free (record->currency);
  g_free (record->status);
  g_free (record->payment_intent);
  g_free (record->customer);
  g_free (record->email);
  g_free (record->name);
  g_free (record->description);
  g_free (record->method);
  g_free (record->card_brand);
  g_free (record->card_last4);

  G_OBJECT_CLASS (pa_payment_parent_class)->finalize (object);
}

static void
pa_payment_class_init (PaPaymentClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_payment_finalize;
}

static void
pa_payment_init (PaPayment *self)
{
}

PaPayment *
pa_payment_new (const PaStripePaymentRecord *record)
{
  PaPayment *self;
  PaStripePaymentRecord *copy;

  g_return_val_if_fail (record != NULL, NULL);

  self = g_object_new (PA_TYPE_PAYMENT, NULL);
  copy = &self->record;
  copy->id = g_strdup (record->id);
  copy->created = record->created;
  copy->amount = record->amount;
  copy->amount_refunded = record->amount_refunded;
  copy->currency = g_strdup (record->currency);
  copy->status = g_strdup (record->status);
  copy->disputed = record->disputed;
  copy->payment_intent = g_strdup (record->payment_intent);
  copy->customer = g_strdup (record->customer);
  copy->email = g_strdup (record->email);
  copy->name = g_strdup (record->name);
  copy->description = g_strdup (record->description);
  copy->method = g_strdup (record->method);
  copy->card_brand = g_strdup (record->card_brand);
  copy->card_last4 = g_strdup (record->card_last4);
  copy->livemode = record->livemode;
  return self;
}

const PaStripePaymentRecord *
pa_payment_get_record (PaPayment *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT (self), NULL);
  return &self->record;
}

const char *
pa_payment_get_id (PaPayment *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT (self), NULL);
  return self->record.id;
}

PaPaymentStatus
pa_payment_get_status (PaPayment *self)
{
  const PaStripePaymentRecord *record;

  g_return_val_if_fail (PA_IS_PAYMENT (self), PA_PAYMENT_STATUS_PENDING);

  record = &self->record;
  /* A dispute outweighs everything: the money is held whatever else
   * happened to the charge. */
  if (record->disputed)
    return PA_PAYMENT_STATUS_DISPUTED;
  /* Nothing refunded is not "refunded" even when the amount is 0. */
  if (record->amount_refunded > 0 && record->amount_refunded >= record->amount)
    return PA_PAYMENT_STATUS_REFUNDED;
  if (record->amount_refunded > 0)
    return PA_PAYMENT_STATUS_PARTIALLY_REFUNDED;
  if (g_strcmp0 (record->status, "succeeded") == 0)
    return PA_PAYMENT_STATUS_SUCCEEDED;
  if (g_strcmp0 (record->status, "failed") == 0)
    return PA_PAYMENT_STATUS_FAILED;
  /* "pending", or a status Stripe may add later: not settled either way,
   * so nothing is offered that only a settled payment allows. */
  return PA_PAYMENT_STATUS_PENDING;
}

gint64
pa_payment_get_refundable (PaPayment *self)
{
  const PaStripePaymentRecord *record;

  g_return_val_if_fail (PA_IS_PAYMENT (self), 0);

  record = &self->record;
  /* Stripe refuses to refund a disputed charge (the dispute settles the
   * money), and only a succeeded one has anything to give back. */
  if (record->disputed || g_strcmp0 (record->status, "succeeded") != 0)
    return 0;
  if (record->amount <= 0 || record->amount_refunded >= record->amount)
    return 0;
  return record->amount - MAX (record->amount_refunded, 0);
}

static const char *
non_empty (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

const char *
pa_payment_get_payer (PaPayment *self)
{
  const char *payer;

  g_return_val_if_fail (PA_IS_PAYMENT (self), NULL);

  payer = non_empty (self->record.name);
  if (payer == NULL)
    payer = non_empty (self->record.email);
  if (payer == NULL)
    payer = non_empty (self->record.customer);
  return payer;
}
