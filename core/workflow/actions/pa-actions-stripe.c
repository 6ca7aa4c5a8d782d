/* pa-actions-stripe.c — Stripe payment links, sales and refunds as workflow steps
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
#include <string.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-stripe.h"
#include "pa-actions-private.h"

/* Every Stripe step sends the context's idempotency key, so a retried or
 * resumed step gets Stripe's first answer back instead of a second effect. */

static PaStripe *
get_stripe (PaActionContext  *context,
            GError          **error)
{
  PaPlatform *platform = pa_action_context_get_platform (context, "stripe", error);

  return platform != NULL ? PA_STRIPE (platform) : NULL;
}

/* Keeps the arguments alive while Stripe's call is in flight. */
static GTask *
new_task (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data,
          gpointer             source_tag)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);

  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, json_object_ref (args), (GDestroyNotify) json_object_unref);
  return task;
}

static JsonObject *
get_object (JsonObject *args,
            const char *name)
{
  JsonNode *node = json_object_get_member (args, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

/* Copies the named members of Stripe's object into the step's output. */
static JsonObject *
pick (JsonNode          *object,
      const char * const *names)
{
  JsonObject *source = JSON_NODE_HOLDS_OBJECT (object) ? json_node_get_object (object) : NULL;
  JsonObject *output = json_object_new ();

  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *member = source != NULL ? json_object_get_member (source, names[i]) : NULL;

      json_object_set_member (output, names[i],
                              member != NULL ? json_node_copy (member)
                                             : json_node_new (JSON_NODE_NULL));
    }
  return output;
}

static void
object_done_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const char * const *names = g_object_get_data (G_OBJECT (task), "pa-output-members");
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) object = pa_stripe_object_finish (PA_STRIPE (source), result, &error);

  if (object == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    pa_actions_return_object (task, pick (object, names));
}

/* ---- stripe.payment_link ------------------------------------------------ */

static const char * const payment_link_output[] = { "id", "url", NULL };

static void
payment_link_run (PaActionContext     *context,
                  JsonObject          *args,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (context, args, cancellable, callback, user_data,
                                    payment_link_run);
  g_autoptr(GError) error = NULL;
  PaStripe *stripe = get_stripe (context, &error);
  PaStripeLineItem item;

  if (stripe == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  item.price = pa_actions_get_string (args, "price", NULL);
  item.quantity = pa_actions_get_int (args, "quantity", 1);
  if (item.quantity < 1)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("stripe.payment_link: quantity must be 1 or more, not %" PRId64 "."), item.quantity);
      return;
    }

  g_object_set_data (G_OBJECT (task), "pa-output-members", (gpointer) payment_link_output);
  pa_stripe_create_payment_link_async (stripe, &item, 1, get_object (args, "metadata"), NULL,
                                       pa_action_context_get_idempotency_key (context),
                                       cancellable, object_done_cb, g_object_ref (task));
}

static const PaActionArg payment_link_args[] = {
  { "price", PA_ARG_STRING, TRUE, "the Stripe price (price_…) the link sells" },
  { "quantity", PA_ARG_INTEGER, FALSE, "how many, 1 by default" },
  { "metadata", PA_ARG_OBJECT, FALSE, "string values kept on the link" },
  { NULL }
};

static const PaActionInfo payment_link_info = {
  .name = "stripe.payment_link",
  .platform = "stripe",
  .summary = "Creates a Stripe payment link for a price",
  .args = payment_link_args,
  .compensation = "stripe.deactivate_payment_link",
  .idempotent = TRUE,
  .run = payment_link_run,
  .finish = pa_actions_finish,
};

/* ---- stripe.deactivate_payment_link ------------------------------------- */

static const char * const deactivate_output[] = { "id", "active", NULL };

static void
deactivate_run (PaActionContext     *context,
                JsonObject          *args,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback,
                gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (context, args, cancellable, callback, user_data,
                                    deactivate_run);
  g_autoptr(GError) error = NULL;
  PaStripe *stripe = get_stripe (context, &error);

  if (stripe == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_object_set_data (G_OBJECT (task), "pa-output-members", (gpointer) deactivate_output);
  pa_stripe_deactivate_payment_link_async (stripe, pa_actions_get_string (args, "id", NULL),
                                           pa_action_context_get_idempotency_key (context),
                                           cancellable, object_done_cb, g_object_ref (task));
}

/* Extra members are allowed in the check: the compensation gets the
 * payment link step's whole output as its `with`. */
static const PaActionArg deactivate_args[] = {
  { "id", PA_ARG_STRING, TRUE, "the payment link (plink_…) to deactivate" },
  { "url", PA_ARG_STRING, FALSE, "ignored: the link's URL, as stripe.payment_link outputs it" },
  { "product", PA_ARG_STRING, FALSE, "ignored: the product, as stripe.sell outputs it" },
  { "price", PA_ARG_STRING, FALSE, "ignored: the price, as stripe.sell outputs it" },
  { "amount", PA_ARG_NUMBER, FALSE, "ignored: the amount, as stripe.sell outputs it" },
  { "currency", PA_ARG_STRING, FALSE, "ignored: the currency, as stripe.sell outputs it" },
  { NULL }
};

static const PaActionInfo deactivate_info = {
  .name = "stripe.deactivate_payment_link",
  .platform = "stripe",
  .summary = "Deactivates a Stripe payment link (undoes stripe.payment_link and stripe.sell)",
  .args = deactivate_args,
  .idempotent = TRUE,
  .run = deactivate_run,
  .finish = pa_actions_finish,
};

/* ---- stripe.refund ------------------------------------------------------ */

static const char * const refund_output[] = { "id", "status", "amount", NULL };

static void
refund_run (PaActionContext     *context,
            JsonObject          *args,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (context, args, cancellable, callback, user_data,
                                    refund_run);
  g_autoptr(GError) error = NULL;
  PaStripe *stripe = get_stripe (context, &error);

  if (stripe == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_object_set_data (G_OBJECT (task), "pa-output-members", (gpointer) refund_output);
  pa_stripe_create_refund_async (stripe, pa_actions_get_string (args, "payment", NULL),
                                 pa_actions_get_int (args, "amount", 0),
                                 pa_actions_get_string (args, "reason", NULL), NULL,
                                 pa_action_context_get_idempotency_key (context),
                                 cancellable, object_done_cb, g_object_ref (task));
}

static const PaActionArg refund_args[] = {
  { "payment", PA_ARG_STRING, TRUE, "the charge (ch_…, py_…) or payment intent (pi_…)" },
  { "amount", PA_ARG_INTEGER, FALSE, "minor units; what is left when absent" },
  { "reason", PA_ARG_STRING, FALSE, "duplicate, fraudulent or requested_by_customer" },
  { NULL }
};

static const PaActionInfo refund_info = {
  .name = "stripe.refund",
  .platform = "stripe",
  .summary = "Refunds a Stripe payment, wholly or in part",
  .args = refund_args,
  .idempotent = TRUE,
  .run = refund_run,
  .finish = pa_actions_finish,
};

/* ---- stripe.sell -------------------------------------------------------- */

/* A product, a one-off price for it and a payment link for that price:
 * what the app's "Sell" does, as one step. Each of the three calls has a
 * key of its own derived from the step's ("<run>/<step>/product", …), so
 * a retried or resumed step gets Stripe's first answers back. What is
 * made is also checkpointed as it goes, so a step resumed after Stripe
 * forgot the keys (they live 24 hours) still makes each thing once. */

/* Stripe's largest unit_amount (eight digits). */
#define SELL_MAX_AMOUNT G_GINT64_CONSTANT (99999999)

typedef struct {
  PaActionContext *context;
  PaStripe        *stripe;
  GCancellable    *cancellable;
  char            *name;
  char            *description;
  gint64           amount;
  char            *currency;
  JsonObject      *metadata;
  char            *product;
  char            *price;
} Sell;

static void
sell_free (Sell *sell)
{
  pa_action_context_unref (sell->context);
  g_object_unref (sell->stripe);
  g_clear_object (&sell->cancellable);
  g_free (sell->name);
  g_free (sell->description);
  g_free (sell->currency);
  json_object_unref (sell->metadata);
  g_free (sell->product);
  g_free (sell->price);
  g_free (sell);
}

/* A key of its own for each call, from the step's. */
static char *
sell_key (Sell       *sell,
          const char *what)
{
  return g_strdup_printf ("%s/%s", pa_action_context_get_idempotency_key (sell->context), what);
}

/* Journals what is made so far. */
static gboolean
sell_checkpoint (Sell    *sell,
                 GError **error)
{
  g_autoptr(JsonObject) state = json_object_new ();

  if (sell->product != NULL)
    json_object_set_string_member (state, "product", sell->product);
  if (sell->price != NULL)
    json_object_set_string_member (state, "price", sell->price);
  return pa_action_context_checkpoint (sell->context, state, error);
}

/* The id of what Stripe answered, or NULL with an error. */
static char *
sell_object_id (PaStripe      *stripe,
                GAsyncResult  *result,
                const char    *what,
                GError       **error)
{
  g_autoptr(JsonNode) object = pa_stripe_object_finish (stripe, result, error);
  JsonObject *fields;
  const char *id;

  if (object == NULL)
    return NULL;
  fields = JSON_NODE_HOLDS_OBJECT (object) ? json_node_get_object (object) : NULL;
  id = fields != NULL ? json_object_get_string_member_with_default (fields, "id", NULL) : NULL;
  if (id == NULL || *id == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   /* Translators: %s is "product" or "price", as Stripe names them. */
                   _("stripe.sell: Stripe answered without the new %s’s id."), what);
      return NULL;
    }
  return g_strdup (id);
}

static void sell_next (GTask *task);

static void
sell_link_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Sell *sell = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) link = pa_stripe_object_finish (PA_STRIPE (source), result, &error);
  JsonObject *output;

  if (link == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = pick (link, payment_link_output);
  json_object_set_string_member (output, "product", sell->product);
  json_object_set_string_member (output, "price", sell->price);
  json_object_set_int_member (output, "amount", sell->amount);
  json_object_set_string_member (output, "currency", sell->currency);
  pa_actions_return_object (task, output);
}

static void
sell_price_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Sell *sell = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  sell->price = sell_object_id (PA_STRIPE (source), result, "price", &error);
  if (sell->price == NULL || !sell_checkpoint (sell, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sell_next (task);
}

static void
sell_product_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Sell *sell = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  sell->product = sell_object_id (PA_STRIPE (source), result, "product", &error);
  if (sell->product == NULL || !sell_checkpoint (sell, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  sell_next (task);
}

/* Makes whatever is not made yet: product, price, link. */
static void
sell_next (GTask *task)
{
  Sell *sell = g_task_get_task_data (task);

  if (sell->product == NULL)
    {
      g_autofree char *key = sell_key (sell, "product");

      pa_stripe_create_product_async (sell->stripe, sell->name, sell->description,
                                      sell->metadata, key, sell->cancellable,
                                      sell_product_cb, g_object_ref (task));
    }
  else if (sell->price == NULL)
    {
      g_autofree char *key = sell_key (sell, "price");

      pa_stripe_create_price_async (sell->stripe, sell->product, sell->amount, sell->currency,
                                    sell->metadata, key, sell->cancellable,
                                    sell_price_cb, g_object_ref (task));
    }
  else
    {
      g_autofree char *key = sell_key (sell, "link");
      PaStripeLineItem item = { sell->price, 1 };

      pa_stripe_create_payment_link_async (sell->stripe, &item, 1, sell->metadata, NULL, key,
                                           sell->cancellable, sell_link_cb, g_object_ref (task));
    }
}

/* Stripe keeps only strings in metadata: numbers and booleans a template
 * gave are written out; anything else is refused. */
static JsonObject *
sell_metadata (JsonObject  *given,
               GError     **error)
{
  g_autoptr(JsonObject) metadata = json_object_new ();
  g_autoptr(GList) members = given != NULL ? json_object_get_members (given) : NULL;

  for (GList *l = members; l != NULL; l = l->next)
    {
      JsonNode *value = json_object_get_member (given, l->data);
      GType type = JSON_NODE_HOLDS_VALUE (value) ? json_node_get_value_type (value) : G_TYPE_INVALID;

      if (type == G_TYPE_STRING)
        json_object_set_string_member (metadata, l->data, json_node_get_string (value));
      else if (type == G_TYPE_INT64)
        {
          g_autofree char *text = g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (value));

          json_object_set_string_member (metadata, l->data, text);
        }
      else if (type == G_TYPE_BOOLEAN)
        json_object_set_string_member (metadata, l->data,
                                       json_node_get_boolean (value) ? "true" : "false");
      else if (type == G_TYPE_DOUBLE)
        {
          char buffer[G_ASCII_DTOSTR_BUF_SIZE];

          json_object_set_string_member (metadata, l->data,
                                         g_ascii_dtostr (buffer, sizeof buffer,
                                                         json_node_get_double (value)));
        }
      else
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       /* Translators: %s is the name of a metadata entry. */
                       _("stripe.sell: metadata “%s” must be text, a number or true/false."),
                       (const char *) l->data);
          return NULL;
        }
    }
  return g_steal_pointer (&metadata);
}

/* The amount in minor units: a whole number in Stripe's range. */
static gboolean
sell_amount (JsonObject  *args,
             gint64      *amount,
             GError     **error)
{
  JsonNode *node = json_object_get_member (args, "amount");
  double value = json_node_get_double (node);

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = (double) json_node_get_int (node);
  if (!(value >= 1 && value <= (double) SELL_MAX_AMOUNT) || value != (double) (gint64) value)
    {
      /* The bound is spelled out: a format macro would hide the
       * message from xgettext. */
      G_STATIC_ASSERT (SELL_MAX_AMOUNT == 99999999);
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("stripe.sell: amount must be a whole number of the currency’s "
                             "smallest unit from 1 to 99999999 (1250 is 12.50 USD, 500 is "
                             "500 JPY)."));
      return FALSE;
    }
  *amount = (gint64) value;
  return TRUE;
}

static void
sell_run (PaActionContext     *context,
          JsonObject          *args,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = new_task (context, args, cancellable, callback, user_data, sell_run);
  g_autoptr(GError) error = NULL;
  PaStripe *stripe = get_stripe (context, &error);
  const char *name = pa_actions_get_string (args, "name", NULL);
  const char *file = pa_actions_get_string (args, "file", NULL);
  const char *description = pa_actions_get_string (args, "description", NULL);
  const char *currency = pa_actions_get_string (args, "currency", NULL);
  JsonObject *state = pa_action_context_get_state (context);
  g_autofree char *file_name = NULL;
  g_autofree char *stripped = NULL;
  g_autoptr(JsonObject) metadata = NULL;
  gint64 amount;
  Sell *sell;

  if (stripe == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* The product is named after the result when no name is given; only
   * the file's name goes to Stripe, never where it is on this machine. */
  stripped = g_strstrip (g_strdup (name != NULL ? name : ""));
  if (*stripped == '\0' && file != NULL && *file != '\0')
    {
      g_free (stripped);
      file_name = g_path_get_basename (file);
      stripped = g_strstrip (g_strdup (file_name));
    }
  if (*stripped == '\0' || g_strcmp0 (stripped, G_DIR_SEPARATOR_S) == 0 ||
      g_strcmp0 (stripped, ".") == 0)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("stripe.sell: give the product a name, or the file it sells."));
      return;
    }
  if (!sell_amount (args, &amount, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (currency == NULL || strlen (currency) != 3 ||
      !g_ascii_isalpha (currency[0]) || !g_ascii_isalpha (currency[1]) ||
      !g_ascii_isalpha (currency[2]))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("stripe.sell: currency must be a three-letter ISO 4217 code "
                                 "such as usd, eur or jpy, not “%s”."),
                               currency != NULL ? currency : "");
      return;
    }
  metadata = sell_metadata (get_object (args, "metadata"), &error);
  if (metadata == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (file_name != NULL && !json_object_has_member (metadata, "file_name"))
    json_object_set_string_member (metadata, "file_name", file_name);

  sell = g_new0 (Sell, 1);
  sell->context = pa_action_context_ref (context);
  sell->stripe = g_object_ref (stripe);
  sell->cancellable = cancellable != NULL ? g_object_ref (cancellable) : NULL;
  sell->name = g_steal_pointer (&stripped);
  sell->description = description != NULL && *description != '\0' ? g_strdup (description) : NULL;
  sell->amount = amount;
  sell->currency = g_ascii_strdown (currency, -1);
  sell->metadata = g_steal_pointer (&metadata);
  /* A resumed step goes on from what it made before. */
  if (state != NULL)
    {
      sell->product = g_strdup (json_object_get_string_member_with_default (state, "product", NULL));
      sell->price = g_strdup (json_object_get_string_member_with_default (state, "price", NULL));
      if (sell->product == NULL)
        g_clear_pointer (&sell->price, g_free);
    }
  g_task_set_task_data (task, sell, (GDestroyNotify) sell_free);
  sell_next (task);
}

static const PaActionArg sell_args[] = {
  { "name", PA_ARG_STRING, FALSE, "the product's name; the file's name when absent" },
  { "file", PA_ARG_STRING, FALSE, "the result sold: its file name names the product" },
  { "description", PA_ARG_STRING, FALSE, "the product's description" },
  { "amount", PA_ARG_NUMBER, TRUE, "the price in the currency's smallest unit (1250 = 12.50 USD)" },
  { "currency", PA_ARG_STRING, TRUE, "three-letter ISO code: usd, eur, jpy, …" },
  { "metadata", PA_ARG_OBJECT, FALSE, "values kept on the product, price and link" },
  { NULL }
};

static const PaActionInfo sell_info = {
  .name = "stripe.sell",
  .platform = "stripe",
  .summary = "Sells something: a Stripe product, a one-off price and a payment link for it",
  .args = sell_args,
  .compensation = "stripe.deactivate_payment_link",
  .idempotent = TRUE,
  .run = sell_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_stripe (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &payment_link_info);
  pa_action_registry_add (registry, &deactivate_info);
  pa_action_registry_add (registry, &refund_info);
  pa_action_registry_add (registry, &sell_info);
}
