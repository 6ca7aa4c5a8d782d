/* pa-actions-stripe.c — Stripe payment links and refunds as workflow steps
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
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
  { NULL }
};

static const PaActionInfo deactivate_info = {
  .name = "stripe.deactivate_payment_link",
  .platform = "stripe",
  .summary = "Deactivates a Stripe payment link (undoes stripe.payment_link)",
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

void
pa_actions_register_stripe (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &payment_link_info);
  pa_action_registry_add (registry, &deactivate_info);
  pa_action_registry_add (registry, &refund_info);
}
