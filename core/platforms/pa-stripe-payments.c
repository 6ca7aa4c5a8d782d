/* pa-stripe-payments.c — Stripe payment links, checkout sessions, payments and refunds
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-stripe-private.h"

static JsonArray *
line_items_array (const PaStripeLineItem *items,
                  guint                   n_items)
{
  JsonArray *array = json_array_sized_new (n_items);

  for (guint i = 0; i < n_items; i++)
    {
      JsonObject *item = json_object_new ();

      json_object_set_string_member (item, "price", items[i].price);
      json_object_set_int_member (item, "quantity", items[i].quantity);
      json_array_add_object_element (array, item);
    }
  return array;
}

static gboolean
line_items_valid (const PaStripeLineItem  *items,
                  guint                    n_items,
                  GError                 **error)
{
  if (n_items == 0)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("Add at least one line item (a price and a quantity)."));
      return FALSE;
    }
  for (guint i = 0; i < n_items; i++)
    {
      if (items[i].price == NULL || items[i].price[0] == '\0')
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Line item %u has no price: give a price id (price_…)."), i + 1);
          return FALSE;
        }
      if (items[i].quantity < 1)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Line item %u has quantity %" PRId64 ": it must be at least 1."),
                       i + 1, items[i].quantity);
          return FALSE;
        }
    }
  return TRUE;
}

void
pa_stripe_create_payment_link_async (PaStripe               *self,
                                     const PaStripeLineItem *line_items,
                                     guint                   n_line_items,
                                     JsonObject             *metadata,
                                     const char             *redirect_url,
                                     const char             *idempotency_key,
                                     GCancellable           *cancellable,
                                     GAsyncReadyCallback     callback,
                                     gpointer                user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (line_items != NULL || n_line_items == 0);
  g_return_if_fail (idempotency_key != NULL);

  if (!line_items_valid (line_items, n_line_items, &error))
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_create_payment_link_async, error);
      return;
    }

  json_object_set_array_member (params, "line_items", line_items_array (line_items, n_line_items));
  pa_stripe_set_metadata (params, metadata);
  if (redirect_url != NULL && redirect_url[0] != '\0')
    {
      JsonObject *after = json_object_new ();
      JsonObject *redirect = json_object_new ();

      json_object_set_string_member (redirect, "url", redirect_url);
      json_object_set_string_member (after, "type", "redirect");
      json_object_set_object_member (after, "redirect", redirect);
      json_object_set_object_member (params, "after_completion", after);
    }

  pa_stripe_send_post (self, "/v1/payment_links", params, idempotency_key,
                       pa_stripe_create_payment_link_async, cancellable, callback, user_data);
}

void
pa_stripe_deactivate_payment_link_async (PaStripe            *self,
                                         const char          *payment_link,
                                         const char          *idempotency_key,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (payment_link != NULL);
  g_return_if_fail (idempotency_key != NULL);

  json_object_set_boolean_member (params, "active", FALSE);
  path = pa_stripe_object_path ("/v1/payment_links/", payment_link, NULL,
                                _("Stripe payment link id"), &error);
  if (path == NULL)
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_deactivate_payment_link_async, error);
      return;
    }
  pa_stripe_send_post (self, path, params, idempotency_key,
                       pa_stripe_deactivate_payment_link_async, cancellable, callback, user_data);
}

void
pa_stripe_create_checkout_session_async (PaStripe               *self,
                                         const PaStripeLineItem *line_items,
                                         guint                   n_line_items,
                                         const char             *success_url,
                                         const char             *cancel_url,
                                         const char             *customer_email,
                                         JsonObject             *metadata,
                                         const char             *idempotency_key,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (line_items != NULL || n_line_items == 0);
  g_return_if_fail (idempotency_key != NULL);

  if (!line_items_valid (line_items, n_line_items, &error))
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_create_checkout_session_async, error);
      return;
    }
  if (success_url == NULL || success_url[0] == '\0')
    {
      g_task_report_new_error (self, callback, user_data, pa_stripe_create_checkout_session_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A checkout session needs a success URL to send "
                                 "the buyer to after paying."));
      return;
    }

  json_object_set_string_member (params, "mode", "payment");
  json_object_set_array_member (params, "line_items", line_items_array (line_items, n_line_items));
  json_object_set_string_member (params, "success_url", success_url);
  if (cancel_url != NULL && cancel_url[0] != '\0')
    json_object_set_string_member (params, "cancel_url", cancel_url);
  if (customer_email != NULL && customer_email[0] != '\0')
    json_object_set_string_member (params, "customer_email", customer_email);
  pa_stripe_set_metadata (params, metadata);

  pa_stripe_send_post (self, "/v1/checkout/sessions", params, idempotency_key,
                       pa_stripe_create_checkout_session_async, cancellable, callback, user_data);
}

void
pa_stripe_get_checkout_session_async (PaStripe            *self,
                                      const char          *session,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (session != NULL);

  path = pa_stripe_object_path ("/v1/checkout/sessions/", session, NULL,
                                _("Stripe checkout session id"), &error);
  if (path == NULL)
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_get_checkout_session_async, error);
      return;
    }
  pa_stripe_send_object (self, pa_stripe_request (self, "GET", path),
                         pa_stripe_get_checkout_session_async, cancellable, callback, user_data);
}

void
pa_stripe_list_checkout_sessions_async (PaStripe            *self,
                                        guint                limit,
                                        const char          *starting_after,
                                        GCancellable        *cancellable,
                                        GAsyncReadyCallback  callback,
                                        gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_list (self, "/v1/checkout/sessions", NULL, NULL, limit, starting_after,
                       pa_stripe_list_checkout_sessions_async, cancellable, callback, user_data);
}

void
pa_stripe_expire_checkout_session_async (PaStripe            *self,
                                         const char          *session,
                                         const char          *idempotency_key,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  g_autofree char *path = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (session != NULL);
  g_return_if_fail (idempotency_key != NULL);

  path = pa_stripe_object_path ("/v1/checkout/sessions/", session, "/expire",
                                _("Stripe checkout session id"), &error);
  if (path == NULL)
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_expire_checkout_session_async, error);
      return;
    }
  pa_stripe_send_post (self, path, params, idempotency_key,
                       pa_stripe_expire_checkout_session_async, cancellable, callback, user_data);
}

void
pa_stripe_list_payment_intents_async (PaStripe            *self,
                                      guint                limit,
                                      const char          *starting_after,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_list (self, "/v1/payment_intents", NULL, NULL, limit, starting_after,
                       pa_stripe_list_payment_intents_async, cancellable, callback, user_data);
}

void
pa_stripe_list_charges_async (PaStripe            *self,
                              guint                limit,
                              const char          *starting_after,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_list (self, "/v1/charges", NULL, NULL, limit, starting_after,
                       pa_stripe_list_charges_async, cancellable, callback, user_data);
}

void
pa_stripe_list_subscriptions_async (PaStripe            *self,
                                    const char          *status,
                                    guint                limit,
                                    const char          *starting_after,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_list (self, "/v1/subscriptions", "status", status, limit, starting_after,
                       pa_stripe_list_subscriptions_async, cancellable, callback, user_data);
}

void
pa_stripe_create_refund_async (PaStripe            *self,
                               const char          *payment,
                               gint64               amount,
                               const char          *reason,
                               JsonObject          *metadata,
                               const char          *idempotency_key,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (payment == NULL || payment[0] == '\0')
    {
      g_task_report_new_error (self, callback, user_data, pa_stripe_create_refund_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("Say which payment to refund: a charge (ch_…) "
                                 "or a payment intent (pi_…)."));
      return;
    }

  json_object_set_string_member (params,
                                 g_str_has_prefix (payment, "pi_") ? "payment_intent" : "charge",
                                 payment);
  /* Without an amount Stripe refunds whatever is left. */
  if (amount > 0)
    json_object_set_int_member (params, "amount", amount);
  if (reason != NULL && reason[0] != '\0')
    json_object_set_string_member (params, "reason", reason);
  pa_stripe_set_metadata (params, metadata);

  pa_stripe_send_post (self, "/v1/refunds", params, idempotency_key,
                       pa_stripe_create_refund_async, cancellable, callback, user_data);
}
