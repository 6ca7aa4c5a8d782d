/* pa-stripe-account.c — one Stripe account: its client, its sync, and what the user does with it
 *
 * SPDX-License-Identifier: MIT
 *
 * Idempotency keys, which make "asking again" safe:
 *
 * - A refund moves money, so its key lives in the store
 *   (pa_store_stripe_begin_refund): asking again for the same refund of
 *   the same payment after the answer was lost — a dropped connection, a
 *   5xx, a timeout, the app closed meanwhile — sends the same key, and
 *   Stripe answers with the refund it made instead of refunding twice.
 *   A definite answer closes the request: the refund made, or Stripe's
 *   4xx (nothing was done), so the next refund is a new one.
 *
 * - A payment link (create_link) or a deactivation: a fresh key per
 *   request, kept in memory for as long as the request is in doubt (no
 *   definite answer) and reused when the same request (the same price,
 *   the same link) is asked for again, then forgotten on a definite
 *   answer. A key derived from the price alone would make Stripe replay
 *   the first link for every later one (for 24 hours, even after it was
 *   deactivated), and a fresh key per call would make a second link when
 *   the user asks again after a lost answer. The HTTP layer already
 *   resends one call's POST with its key. What is in doubt is forgotten
 *   when the app quits: a second link is the worst that can come of that,
 *   which the user sees and can deactivate, unlike a second refund.
 *
 * - Selling (sell_async) takes the caller's request id (e.g. the
 *   picture's sha256 and the price): "pa-sell-ID-product", "-price" and
 *   "-link", so repeating the same sale makes each object once (within
 *   Stripe's 24 hours), even across a restart.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-money.h"
#include "pa-store-stripe.h"

#include "pa-stripe-account.h"

/* Stripe's largest amount in minor units (eight digits). */
#define MAX_AMOUNT G_GINT64_CONSTANT (99999999)
/* Stripe takes idempotency keys of up to 255 characters. */
#define MAX_REQUEST_ID_LENGTH 200

struct _PaStripeAccount
{
  GObject        parent_instance;

  PaStore       *store;
  PaStripe      *client;
  PaSecrets     *secrets;
  PaStripeSync  *sync;
  char          *profile;
  PaStripeMode   mode;

  /* Requests in doubt ("link:PRICE", "deactivate:LINK") → their key. */
  GHashTable    *pending_keys;
};

enum {
  PROP_0,
  PROP_MODE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (PaStripeAccount, pa_stripe_account, G_TYPE_OBJECT)

static void
pa_stripe_account_finalize (GObject *object)
{
  PaStripeAccount *self = PA_STRIPE_ACCOUNT (object);

  g_clear_object (&self->sync);
  g_clear_object (&self->client);
  g_clear_object (&self->secrets);
  g_clear_object (&self->store);
  g_clear_pointer (&self->pending_keys, g_hash_table_unref);
  g_free (self->profile);

  G_OBJECT_CLASS (pa_stripe_account_parent_class)->finalize (object);
}

static void
pa_stripe_account_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PaStripeAccount *self = PA_STRIPE_ACCOUNT (object);

  switch (prop_id)
    {
    case PROP_MODE:
      g_value_set_uint (value, self->mode);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_stripe_account_class_init (PaStripeAccountClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_stripe_account_finalize;
  object_class->get_property = pa_stripe_account_get_property;

  /* A PaStripeMode; notified when it changes. */
  properties[PROP_MODE] =
    g_param_spec_uint ("mode", NULL, NULL,
                       PA_STRIPE_MODE_UNKNOWN, PA_STRIPE_MODE_LIVE, PA_STRIPE_MODE_UNKNOWN,
                       G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_stripe_account_init (PaStripeAccount *self)
{
  self->pending_keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
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

/* ---- the mode ------------------------------------------------------------ */

static void
set_mode (PaStripeAccount *self,
          PaStripeMode     mode)
{
  if (self->mode == mode)
    return;
  self->mode = mode;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_MODE]);
}

static PaStripeMode
mode_from_livemode (gboolean livemode)
{
  return livemode ? PA_STRIPE_MODE_LIVE : PA_STRIPE_MODE_TEST;
}

/* What the synced copy says: every object Stripe sends carries livemode,
 * and the balance and the payments keep it. UNKNOWN when nothing is
 * stored yet (or the database failed: the key is what counts). */
static PaStripeMode
mode_from_store (PaStripeAccount *self)
{
  g_autoptr(GPtrArray) balances = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GError) error = NULL;

  balances = pa_store_stripe_get_balance (self->store, self->profile, &error);
  if (balances != NULL && balances->len > 0)
    return mode_from_livemode (((PaStripeBalanceRecord *) balances->pdata[0])->livemode);
  if (error != NULL)
    {
      g_debug ("Stripe account %s: could not read the stored balance: %s",
               self->profile, error->message);
      g_clear_error (&error);
    }

  payments = pa_store_stripe_list_payments (self->store, self->profile, NULL, 0, 1, &error);
  if (payments != NULL && payments->len > 0)
    return mode_from_livemode (((PaStripePaymentRecord *) payments->pdata[0])->livemode);
  if (error != NULL)
    g_debug ("Stripe account %s: could not read the stored payments: %s",
             self->profile, error->message);
  return PA_STRIPE_MODE_UNKNOWN;
}

static void
key_looked_up_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  g_autoptr(PaSecretString) key = NULL;
  g_autoptr(GError) error = NULL;
  PaStripeMode mode;

  /* Only the prefix is read; the key itself is wiped with the string and
   * never logged. */
  key = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  mode = pa_stripe_mode_from_key (key);
  if (mode == PA_STRIPE_MODE_UNKNOWN)
    {
      if (error != NULL)
        g_debug ("Stripe account %s: could not read the key's mode: %s",
                 self->profile, error->message);
      mode = mode_from_store (self);
    }

  if (mode != PA_STRIPE_MODE_UNKNOWN)
    {
      set_mode (self, mode);
      g_task_return_int (task, mode);
    }
  else if (error != NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
    }
  else
    {
      g_task_return_int (task, PA_STRIPE_MODE_UNKNOWN);
    }
}

void
pa_stripe_account_load_mode_async (PaStripeAccount     *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (PA_IS_STRIPE_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_account_load_mode_async);
  /* Read every time: the user may have replaced a test key by a live
   * one, and the badge must not say "test" then. */
  pa_secrets_lookup_async (self->secrets, "stripe", self->profile, "api-key",
                           cancellable, key_looked_up_cb, task);
}

PaStripeMode
pa_stripe_account_load_mode_finish (PaStripeAccount  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  GError *local_error = NULL;
  gssize mode;

  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), PA_STRIPE_MODE_UNKNOWN);
  g_return_val_if_fail (g_task_is_valid (result, self), PA_STRIPE_MODE_UNKNOWN);

  mode = g_task_propagate_int (G_TASK (result), &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return PA_STRIPE_MODE_UNKNOWN;
    }
  return (PaStripeMode) mode;
}

/* ---- shared by the calls ------------------------------------------------- */

/* TRUE when @error is a definite answer that nothing was done: Stripe
 * refused the request (4xx), or it was refused before being sent. A
 * network error, a 5xx, a timeout, a cancellation or an answer we could
 * not read leave it in doubt: Stripe may have done it. */
static gboolean
error_is_definite (const GError *error)
{
  return g_error_matches (error, PA_ERROR, PA_ERROR_INVALID_INPUT)
    || g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND)
    || g_error_matches (error, PA_ERROR, PA_ERROR_AUTH);
}

/* The "id" of a Stripe object, or NULL when it has none. */
static const char *
object_id (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "id");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  if (json_node_get_string (node)[0] == '\0')
    return NULL;
  return json_node_get_string (node);
}

/* Stripe's answer as an object with an id, or NULL and an error. */
static JsonObject *
answer_object (PaStripe      *client,
               GAsyncResult  *result,
               GError       **error)
{
  g_autoptr(JsonNode) node = pa_stripe_object_finish (client, result, error);
  JsonObject *object;

  if (node == NULL)
    return NULL;
  object = json_node_get_object (node);
  if (object_id (object) == NULL)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("Stripe answered without the object’s id. Try again: the "
                             "same request is sent again, so nothing is made twice."));
      return NULL;
    }
  return json_object_ref (object);
}

/* Keeps the stored copy up to date with an object Stripe answered with.
 * It is made already: a database that fails now is no reason to say it
 * was not (the sync brings its event later). */
static void
note_object (PaStripeAccount *self,
             JsonObject      *object)
{
  g_autoptr(GError) error = NULL;

  if (!pa_stripe_sync_note_object (self->sync, object, &error))
    g_debug ("Stripe account %s: could not store %s: %s",
             self->profile, object_id (object), error->message);
}


/* A Stripe id the caller passed ("ch_…", "price_…"): letters, digits and
 * underscores, as Stripe makes them; @message says what it should be. */
static gboolean
id_valid (const char  *id,
          const char  *message,
          GError     **error)
{
  gsize len = id != NULL ? strlen (id) : 0;
  gboolean ok = len > 0 && len <= 255;

  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_isalnum (id[i]) || id[i] == '_';
  if (!ok)
    g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, message);
  return ok;
}

static gboolean
is_blank (const char *text)
{
  for (; text != NULL && *text != '\0'; text++)
    if (!g_ascii_isspace (*text))
      return FALSE;
  return TRUE;
}

/* ---- refunds ------------------------------------------------------------- */

typedef struct {
  char *key;
} RefundData;

static void
refund_data_free (RefundData *data)
{
  g_free (data->key);
  g_free (data);
}

static void
finish_refund (PaStripeAccount *self,
               const char      *key,
               const char      *refund_id,
               const char      *error_message)
{
  g_autoptr(GError) error = NULL;

  /* A request that stays open only means the next attempt reuses its
   * key, which is safe. */
  if (!pa_store_stripe_finish_refund (self->store, key, refund_id, error_message, &error))
    g_debug ("Stripe account %s: could not record a refund's answer: %s",
             self->profile, error->message);
}

static void
refund_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  RefundData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) refund = NULL;
  GError *error = NULL;

  refund = answer_object (PA_STRIPE (source), result, &error);
  if (refund == NULL)
    {
      /* Stripe said no (too much, a disputed charge): the request is
       * closed with its reason and the next one is new. Otherwise it
       * stays open, and asking again sends the same key. */
      if (error_is_definite (error))
        finish_refund (self, data->key, NULL, error->message);
      g_task_return_error (task, error);
      return;
    }

  finish_refund (self, data->key, object_id (refund), NULL);
  note_object (self, refund);
  g_task_return_pointer (task, g_steal_pointer (&refund), (GDestroyNotify) json_object_unref);
}

void
pa_stripe_account_refund_async (PaStripeAccount     *self,
                                const char          *charge,
                                gint64               amount,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RefundData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_account_refund_async);

  if (!id_valid (charge, _("That is not a Stripe payment id (ch_…, py_… or pi_…)."), &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (amount < 0 || amount > MAX_AMOUNT)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A refund is of 1 to 99,999,999 of the currency’s "
                                 "smallest unit, or 0 for all that is left."));
      return;
    }

  data = g_new0 (RefundData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) refund_data_free);
  data->key = pa_store_stripe_begin_refund (self->store, self->profile, charge, amount, &error);
  if (data->key == NULL)
    {
      /* Without a key kept in the store a lost answer could not be asked
       * about again: refund nothing. */
      g_task_return_error (task, error);
      return;
    }

  pa_stripe_create_refund_async (self->client, charge, amount, NULL, NULL, data->key,
                                 cancellable, refund_cb, g_steal_pointer (&task));
}

/* ---- payment links ------------------------------------------------------- */

typedef struct {
  char *what;   /* the pending_keys entry */
} KeyedData;

static void
keyed_data_free (KeyedData *data)
{
  g_free (data->what);
  g_free (data);
}

/* The key of the request @what: the one still in doubt, else a new one. */
static const char *
pending_key (PaStripeAccount *self,
             const char      *what,
             const char      *prefix)
{
  char *key = g_hash_table_lookup (self->pending_keys, what);

  if (key == NULL)
    {
      g_autofree char *uuid = g_uuid_string_random ();

      key = g_strconcat (prefix, uuid, NULL);
      g_hash_table_insert (self->pending_keys, g_strdup (what), key);
    }
  return key;
}

/* Completes a task of create_link or deactivate_link: a definite answer
 * forgets the key, a doubtful one keeps it for asking again. */
static void
keyed_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  KeyedData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) link = NULL;
  GError *error = NULL;

  link = answer_object (PA_STRIPE (source), result, &error);
  if (link == NULL)
    {
      if (error_is_definite (error))
        g_hash_table_remove (self->pending_keys, data->what);
      g_task_return_error (task, error);
      return;
    }

  g_hash_table_remove (self->pending_keys, data->what);
  note_object (self, link);
  g_task_return_pointer (task, g_steal_pointer (&link), (GDestroyNotify) json_object_unref);
}

void
pa_stripe_account_create_link_async (PaStripeAccount     *self,
                                     const char          *price,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  PaStripeLineItem item = { price, 1 };
  KeyedData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_account_create_link_async);
  if (!id_valid (price, _("That is not a Stripe price id (price_…)."), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (KeyedData, 1);
  data->what = g_strconcat ("link:", price, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) keyed_data_free);
  pa_stripe_create_payment_link_async (self->client, &item, 1, NULL, NULL,
                                       pending_key (self, data->what, "pa-link-"),
                                       cancellable, keyed_cb, g_steal_pointer (&task));
}

void
pa_stripe_account_deactivate_link_async (PaStripeAccount     *self,
                                         const char          *payment_link,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  KeyedData *data;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_account_deactivate_link_async);
  if (!id_valid (payment_link, _("That is not a Stripe payment link id (plink_…)."),
                 &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (KeyedData, 1);
  data->what = g_strconcat ("deactivate:", payment_link, NULL);
  g_task_set_task_data (task, data, (GDestroyNotify) keyed_data_free);
  pa_stripe_deactivate_payment_link_async (self->client, payment_link,
                                           pending_key (self, data->what, "pa-deactivate-"),
                                           cancellable, keyed_cb, g_steal_pointer (&task));
}

/* ---- selling ------------------------------------------------------------- */

typedef struct {
  char       *name;
  char       *description;
  char       *image_url;
  gint64      amount;
  char       *currency;
  JsonObject *metadata;
  char       *request_id;
} SellData;

static void
sell_data_free (SellData *data)
{
  g_free (data->name);
  g_free (data->description);
  g_free (data->image_url);
  g_free (data->currency);
  g_clear_pointer (&data->metadata, json_object_unref);
  g_free (data->request_id);
  g_free (data);
}

static char *
sell_key (SellData   *data,
          const char *step)
{
  return g_strconcat ("pa-sell-", data->request_id, "-", step, NULL);
}

static void
sell_link_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  g_autoptr(JsonObject) link = NULL;
  GError *error = NULL;

  link = answer_object (PA_STRIPE (source), result, &error);
  if (link == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  note_object (self, link);
  g_task_return_pointer (task, g_steal_pointer (&link), (GDestroyNotify) json_object_unref);
}

static void
sell_price_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  SellData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) price = NULL;
  g_autofree char *key = NULL;
  PaStripeLineItem item = { NULL, 1 };
  GCancellable *cancellable;
  GError *error = NULL;

  price = answer_object (PA_STRIPE (source), result, &error);
  if (price == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  note_object (self, price);

  item.price = object_id (price);
  key = sell_key (data, "link");
  cancellable = g_task_get_cancellable (task);
  pa_stripe_create_payment_link_async (self->client, &item, 1, NULL, NULL, key, cancellable,
                                       sell_link_cb, g_steal_pointer (&task));
}

static void
sell_product_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripeAccount *self = g_task_get_source_object (task);
  SellData *data = g_task_get_task_data (task);
  g_autoptr(JsonObject) product = NULL;
  g_autofree char *key = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  product = answer_object (PA_STRIPE (source), result, &error);
  if (product == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  note_object (self, product);

  key = sell_key (data, "price");
  cancellable = g_task_get_cancellable (task);
  pa_stripe_create_price_async (self->client, object_id (product), data->amount,
                                data->currency, NULL, key, cancellable,
                                sell_price_cb, g_steal_pointer (&task));
}

void
pa_stripe_account_sell_async (PaStripeAccount     *self,
                              const char          *name,
                              const char          *description,
                              const char          *image_url,
                              gint64               amount,
                              const char          *currency,
                              JsonObject          *metadata,
                              const char          *request_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *key = NULL;
  const char *images[2] = { NULL, NULL };
  SellData *data;
  gsize id_len = request_id != NULL ? strlen (request_id) : 0;

  g_return_if_fail (PA_IS_STRIPE_ACCOUNT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stripe_account_sell_async);

  if (is_blank (name))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("Give the product a name."));
      return;
    }
  if (amount <= 0 || amount > MAX_AMOUNT)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A price is of 1 to 99,999,999 of the currency’s "
                                 "smallest unit."));
      return;
    }
  if (!pa_money_currency_is_valid (currency))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("That is not a currency: use a three-letter ISO code "
                                 "such as usd or eur."));
      return;
    }
  /* The request id goes into an HTTP header: printable ASCII, no spaces,
   * short enough for Stripe's 255-character keys. */
  for (gsize i = 0; i < id_len; i++)
    if (request_id[i] <= ' ' || request_id[i] > '~')
      id_len = 0;
  if (id_len == 0 || id_len > MAX_REQUEST_ID_LENGTH)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A sale needs a request id of 1 to %d printable "
                                 "characters without spaces."), MAX_REQUEST_ID_LENGTH);
      return;
    }

  data = g_new0 (SellData, 1);
  data->name = g_strdup (name);
  data->description = g_strdup (description);
  data->image_url = image_url != NULL && image_url[0] != '\0' ? g_strdup (image_url) : NULL;
  data->amount = amount;
  data->currency = g_ascii_strdown (currency, -1);
  data->metadata = metadata != NULL ? json_object_ref (metadata) : NULL;
  data->request_id = g_strdup (request_id);
  g_task_set_task_data (task, data, (GDestroyNotify) sell_data_free);

  /* The client checks the image is an https URL before anything is
   * made. */
  images[0] = data->image_url;
  key = sell_key (data, "product");
  pa_stripe_create_product_with_images_async (self->client, data->name, data->description,
                                              images, data->metadata, key, cancellable,
                                              sell_product_cb, g_steal_pointer (&task));
}

/* ---- finishing ----------------------------------------------------------- */

JsonObject *
pa_stripe_account_object_finish (PaStripeAccount  *self,
                                 GAsyncResult     *result,
                                 GError          **error)
{
  g_return_val_if_fail (PA_IS_STRIPE_ACCOUNT (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
