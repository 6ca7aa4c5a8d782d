/* pa-stripe-sync.c — keeps a Stripe account's local copy up to date from /v1/events
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-stripe-sync.h"

struct _PaStripeSync
{
  GObject    parent_instance;

  PaStore   *store;
  PaStripe  *client;
  char      *profile;
  guint      backfill_days;
};

G_DEFINE_FINAL_TYPE (PaStripeSync, pa_stripe_sync, G_TYPE_OBJECT)

static void
pa_stripe_sync_finalize (GObject *object)
{
  PaStripeSync *self = PA_STRIPE_SYNC (object);

  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_free (self->profile);

  G_OBJECT_CLASS (pa_stripe_sync_parent_class)->finalize (object);
}

static void
pa_stripe_sync_class_init (PaStripeSyncClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stripe_sync_finalize;
}

static void
pa_stripe_sync_init (PaStripeSync *self)
{
  self->backfill_days = PA_STRIPE_SYNC_BACKFILL_DAYS;
}

PaStripeSync *
pa_stripe_sync_new (PaStore    *store,
                    PaStripe   *client,
                    const char *profile)
{
  PaStripeSync *self;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_STRIPE (client), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (PA_TYPE_STRIPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->profile = g_strdup (profile);
  return self;
}

const char *
pa_stripe_sync_get_profile (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->profile;
}

PaStore *
pa_stripe_sync_get_store (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->store;
}

PaStripe *
pa_stripe_sync_get_client (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->client;
}

void
pa_stripe_sync_set_backfill_days (PaStripeSync *self,
                                  guint         days)
{
  g_return_if_fail (PA_IS_STRIPE_SYNC (self));
  self->backfill_days = days;
}
