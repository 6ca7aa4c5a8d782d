/* pa-stripe-account.c — one Stripe account: its client, its sync, and what the user does with it
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-stripe-account.h"

struct _PaStripeAccount
{
  GObject        parent_instance;

  PaStore       *store;
  PaStripe      *client;
  PaSecrets     *secrets;
  PaStripeSync  *sync;
  char          *profile;
  PaStripeMode   mode;
};

G_DEFINE_FINAL_TYPE (PaStripeAccount, pa_stripe_account, G_TYPE_OBJECT)

static void
pa_stripe_account_finalize (GObject *object)
{
  PaStripeAccount *self = PA_STRIPE_ACCOUNT (object);

  g_clear_object (&self->sync);
  g_clear_object (&self->client);
  g_clear_object (&self->secrets);
  g_clear_object (&self->store);
  g_free (self->profile);

  G_OBJECT_CLASS (pa_stripe_account_parent_class)->finalize (object);
}

static void
pa_stripe_account_class_init (PaStripeAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stripe_account_finalize;
}

static void
pa_stripe_account_init (PaStripeAccount *self)
{
}

PaStripeAccount *
pa_stripe_account_new (PaStore    *store,
                       PaStripe   *client,
                       PaSecrets  *secrets,
                       const char *profile)
{
  PaStripeAccount *self;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_STRIPE (client), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (PA_TYPE_STRIPE_ACCOUNT, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->secrets = secrets != NULL ? g_object_ref (secrets) : pa_secrets_new ();
  self->profile = g_strdup (profile);
  self->sync = pa_stripe_sync_new (store, client, profile);
  return self;
}

const char *
pa_stripe_account_get_profile (PaStripeAccount *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), NULL);
  return self->profile;
}

PaStripe *
pa_stripe_account_get_client (PaStripeAccount *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), NULL);
  return self->client;
}

PaStripeSync *
pa_stripe_account_get_sync (PaStripeAccount *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), NULL);
  return self->sync;
}

PaStore *
pa_stripe_account_get_store (PaStripeAccount *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), NULL);
  return self->store;
}

PaStripeMode
pa_stripe_account_get_mode (PaStripeAccount *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), PA_STRIPE_MODE_UNKNOWN);
  return self->mode;
}
