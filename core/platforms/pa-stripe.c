/* pa-stripe.c — the Stripe API client: payments, payment links, refunds, events
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-json-private.h"
#include "pa-pager-private.h"
#include "pa-stripe.h"

/* Stripe's messages are a sentence or two; anything longer is not meant
 * for a person. */
#define MESSAGE_MAX_CHARS 400

struct _PaStripe
{
  PaPlatform  parent_instance;

  PaSecrets  *secrets;
};

G_DEFINE_FINAL_TYPE (PaStripe, pa_stripe, PA_TYPE_PLATFORM)

/* ------------------------------------------------------------------------ */
/* Money                                                                    */

guint
pa_stripe_currency_decimals (const char *currency)
{
  /* From Stripe's currency docs: amounts in these are whole units. */
  static const char *const zero_decimal[] = {
    "BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF",
    "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
  };
  static const char *const three_decimal[] = {
    "BHD", "JOD", "KWD", "OMR", "TND",
  };

  g_return_val_if_fail (currency != NULL, 2);

  for (gsize i = 0; i < G_N_ELEMENTS (zero_decimal); i++)
    if (g_ascii_strcasecmp (currency, zero_decimal[i]) == 0)
      return 0;
  for (gsize i = 0; i < G_N_ELEMENTS (three_decimal); i++)
    if (g_ascii_strcasecmp (currency, three_decimal[i]) == 0)
      return 3;
  return 2;
}

char *
pa_stripe_format_amount (gint64      minor,
                         const char *currency)
{
  g_autofree char *code = NULL;
  guint decimals;
  guint64 magnitude;
  guint64 scale = 1;

  g_return_val_if_fail (currency != NULL, NULL);

  code = g_ascii_strup (currency, -1);
  decimals = pa_stripe_currency_decimals (currency);
  /* Negated as unsigned, so G_MININT64 does not overflow. */
  magnitude = minor < 0 ? (guint64) 0 - (guint64) minor : (guint64) minor;

  if (decimals == 0)
    return g_strdup_printf ("%s%" G_GUINT64_FORMAT " %s",
                            minor < 0 ? "-" : "", magnitude, code);

  for (guint i = 0; i < decimals; i++)
    scale *= 10;
  return g_strdup_printf ("%s%" G_GUINT64_FORMAT ".%0*" G_GUINT64_FORMAT " %s",
                          minor < 0 ? "-" : "", magnitude / scale,
                          (int) decimals, magnitude % scale, code);
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                     */

PaStripeMode
pa_stripe_mode_from_key (const char *key)
{
  if (key == NULL)
    return PA_STRIPE_MODE_UNKNOWN;
  if (g_str_has_prefix (key, "sk_test_") || g_str_has_prefix (key, "rk_test_"))
    return PA_STRIPE_MODE_TEST;
  if (g_str_has_prefix (key, "sk_live_") || g_str_has_prefix (key, "rk_live_"))
    return PA_STRIPE_MODE_LIVE;
  return PA_STRIPE_MODE_UNKNOWN;
}

const char *
pa_stripe_mode_to_string (PaStripeMode mode)
{
  switch (mode)
    {
    case PA_STRIPE_MODE_TEST:
      return _("Test mode");
    case PA_STRIPE_MODE_LIVE:
      return _("Live mode");
    case PA_STRIPE_MODE_UNKNOWN:
    default:
      return NULL;
    }
}

void
pa_stripe_set_secrets (PaStripe  *self,
                       PaSecrets *secrets)
{
  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (secrets == NULL || PA_IS_SECRETS (secrets));

  g_set_object (&self->secrets, secrets);
}

/* ------------------------------------------------------------------------ */
/* Errors                                                                   */

/* "LEAD: Stripe's message (parameter “p”). HINT" */
static void
set_stripe_error (GError     **error,
                  int          code,
                  const char  *lead,
                  const char  *message,
                  const char  *param,
                  const char  *hint)
{
  g_autoptr(GString) text = g_string_new (lead);

  if (message != NULL && message[0] != '\0')
    {
      g_string_append (text, ": ");
      if (g_utf8_strlen (message, -1) > MESSAGE_MAX_CHARS)
        {
          g_autofree char *cut = g_utf8_substring (message, 0, MESSAGE_MAX_CHARS);

          g_string_append (text, cut);
          g_string_append (text, "…");
        }
      else
        {
          g_string_append (text, message);
        }
      /* Stripe ends its sentences; ours follow. */
      if (text->str[text->len - 1] == '.')
        g_string_truncate (text, text->len - 1);
    }
  if (param != NULL && param[0] != '\0')
    g_string_append_printf (text, _(" (parameter “%s”)"), param);
  g_string_append_c (text, '.');
  if (hint != NULL)
    {
      g_string_append_c (text, ' ');
      g_string_append (text, hint);
    }

  g_set_error_literal (error, PA_ERROR, code, text->str);
}

static gboolean
pa_stripe_parse_error (PaPlatform      *platform,
                       PaHttpResponse  *response,
                       GError         **error)
{
  guint status = pa_http_response_get_status (response);
  JsonNode *root;
  JsonObject *object;
  const char *type;
  const char *code;
  const char *message;
  const char *param;
  const char *decline_code;
  g_autofree char *retry_hint = NULL;

  if (status >= 200 && status < 300)
    return TRUE;

  /* Stripe always sends {"error": {...}}; anything else (a proxy's page,
   * a cut-off body) gets the generic treatment. */
  root = pa_http_response_get_json (response, NULL);
  object = pa_json_get_object (pa_json_node_get_object (root), "error");
  if (object == NULL)
    return PA_PLATFORM_CLASS (pa_stripe_parent_class)->parse_error (platform, response, error);

  type = pa_json_get_string (object, "type");
  code = pa_json_get_string (object, "code");
  message = pa_json_get_string (object, "message");
  param = pa_json_get_string (object, "param");
  decline_code = pa_json_get_string (object, "decline_code");

  if (status == 401 || g_strcmp0 (type, "authentication_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_AUTH, _("Stripe rejected the key"), message, NULL,
                        _("Check the Stripe key under Accounts."));
    }
  else if (status == 403 || g_strcmp0 (type, "permission_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_AUTH, _("The Stripe key may not do this"), message, NULL,
                        _("Use a key with this permission under Accounts."));
    }
  else if (status == 429 || g_strcmp0 (type, "rate_limit_error") == 0
           || g_strcmp0 (code, "rate_limit") == 0)
    {
      gint64 wait = pa_http_response_get_retry_after_us (response);

      if (wait >= 0)
        retry_hint = g_strdup_printf (_("Try again in %d s."),
                                      (int) MIN ((wait + G_USEC_PER_SEC - 1) / G_USEC_PER_SEC,
                                                 G_MAXINT));
      set_stripe_error (error, PA_ERROR_RATE_LIMITED, _("Stripe is limiting the request rate"),
                        message, NULL,
                        retry_hint != NULL ? retry_hint : _("Try again in a moment."));
    }
  else if (g_strcmp0 (type, "idempotency_error") == 0)
    {
      set_stripe_error (error, PA_ERROR_INVALID_INPUT,
                        _("Stripe refused a reused idempotency key"), message, NULL,
                        _("The key was already used for a different request; "
                          "each distinct request needs its own key."));
    }
  else if (g_strcmp0 (type, "card_error") == 0)
    {
      g_autofree char *lead = decline_code != NULL
        ? g_strdup_printf (_("Stripe declined the card (%s)"), decline_code)
        : g_strdup (_("Stripe declined the card"));

      set_stripe_error (error, PA_ERROR_INVALID_INPUT, lead, message, param, NULL);
    }
  /* A 4xx is about the request, whatever type the body claims. */
  else if (status >= 500 || (status < 400 && g_strcmp0 (type, "api_error") == 0))
    {
      set_stripe_error (error, PA_ERROR_UNAVAILABLE, _("Stripe had a problem"), message, NULL,
                        _("Try again later."));
    }
  else if (status == 404 || g_strcmp0 (code, "resource_missing") == 0)
    {
      set_stripe_error (error, PA_ERROR_NOT_FOUND, _("Stripe has no such object"), message,
                        param, NULL);
    }
  else if (status >= 400 && status < 500)
    {
      set_stripe_error (error, PA_ERROR_INVALID_INPUT, _("Stripe refused the request"),
                        message, param, NULL);
    }
  else
    {
      g_autofree char *lead = g_strdup_printf (_("Stripe answered with status %u"), status);

      set_stripe_error (error, PA_ERROR_PROTOCOL, lead, message, param, NULL);
    }

  return FALSE;
}

/* ------------------------------------------------------------------------ */
/* Requests                                                                 */

static PaHttpRequest *
stripe_request (PaStripe   *self,
                const char *method,
                const char *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  pa_http_request_set_header (request, "Stripe-Version", PA_STRIPE_API_VERSION);
  return request;
}

/* Ids go into paths: escaped, so an odd id cannot reach another resource. */
static char *
object_path (const char *format_prefix,
             const char *id,
             const char *suffix)
{
  g_autofree char *escaped = g_uri_escape_string (id, NULL, FALSE);

  return g_strconcat (format_prefix, escaped, suffix, NULL);
}

static PaHttpRequest *
stripe_post (PaStripe   *self,
             const char *path,
             JsonObject *params,
             const char *idempotency_key)
{
  PaHttpRequest *request = stripe_request (self, "POST", path);
  g_autoptr(JsonNode) body = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (body, params);
  pa_http_request_set_form_body (request, body);
  pa_http_request_set_idempotency_key (request, idempotency_key);
  return request;
}

static void
add_list_query (PaHttpRequest *request,
                guint          limit,
                const char    *starting_after)
{
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", MIN (limit, PA_STRIPE_MAX_PAGE_SIZE));
  if (starting_after != NULL)
    pa_http_request_add_query (request, "starting_after", starting_after);
}

static void
set_metadata (JsonObject *params,
              JsonObject *metadata)
{
  if (metadata != NULL && json_object_get_size (metadata) > 0)
    json_object_set_object_member (params, "metadata", json_object_ref (metadata));
}

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
                       _("Line item %u has quantity %" G_GINT64_FORMAT ": it must be at least 1."),
                       i + 1, items[i].quantity);
          return FALSE;
        }
    }
  return TRUE;
}

static void
object_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) node = NULL;
  GError *error = NULL;

  node = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (node == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (node))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Stripe answered with JSON that is not an object."));
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&node), (GDestroyNotify) json_node_unref);
}

/* Sends @request (taking it) and completes with its JSON object. */
static void
send_object (PaStripe            *self,
             PaHttpRequest       *request,
             gpointer             source_tag,
             GCancellable        *cancellable,
             GAsyncReadyCallback  callback,
             gpointer             user_data)
{
  g_autoptr(PaHttpRequest) owned = request;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  pa_platform_send_json_async (PA_PLATFORM (self), owned, cancellable, object_cb, task);
}

static void
report_error (PaStripe            *self,
              gpointer             source_tag,
              GError              *error,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_task_report_error (self, callback, user_data, source_tag, error);
}

JsonNode *
pa_stripe_object_finish (PaStripe      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PA_IS_STRIPE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Actions                                                                  */

void
pa_stripe_get_balance_async (PaStripe            *self,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_return_if_fail (PA_IS_STRIPE (self));

  send_object (self, stripe_request (self, "GET", "/v1/balance"),
               pa_stripe_get_balance_async, cancellable, callback, user_data);
}

void
pa_stripe_create_customer_async (PaStripe            *self,
                                 const char          *email,
                                 const char          *name,
                                 JsonObject          *metadata,
                                 const char          *idempotency_key,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (email != NULL)
    json_object_set_string_member (params, "email", email);
  if (name != NULL)
    json_object_set_string_member (params, "name", name);
  set_metadata (params, metadata);

  send_object (self, stripe_post (self, "/v1/customers", params, idempotency_key),
               pa_stripe_create_customer_async, cancellable, callback, user_data);
}

void
pa_stripe_list_customers_async (PaStripe            *self,
                                const char          *email,
                                guint                limit,
                                const char          *starting_after,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  request = stripe_request (self, "GET", "/v1/customers");
  if (email != NULL)
    pa_http_request_add_query (request, "email", email);
  add_list_query (request, limit, starting_after);
  send_object (self, request, pa_stripe_list_customers_async, cancellable, callback, user_data);
}

void
pa_stripe_create_product_async (PaStripe            *self,
                                const char          *name,
                                const char          *description,
                                JsonObject          *metadata,
                                const char          *idempotency_key,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (name == NULL || name[0] == '\0')
    {
      report_error (self, pa_stripe_create_product_async,
                    g_error_new_literal (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                         _("A product needs a name.")),
                    callback, user_data);
      return;
    }

  json_object_set_string_member (params, "name", name);
  if (description != NULL && description[0] != '\0')
    json_object_set_string_member (params, "description", description);
  set_metadata (params, metadata);

  send_object (self, stripe_post (self, "/v1/products", params, idempotency_key),
               pa_stripe_create_product_async, cancellable, callback, user_data);
}

void
pa_stripe_create_price_async (PaStripe            *self,
                              const char          *product,
                              gint64               unit_amount,
                              const char          *currency,
                              JsonObject          *metadata,
                              const char          *idempotency_key,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  g_autofree char *lower = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (product == NULL || product[0] == '\0')
    {
      report_error (self, pa_stripe_create_price_async,
                    g_error_new_literal (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                         _("A price needs a product (prod_…).")),
                    callback, user_data);
      return;
    }
  if (currency == NULL || strlen (currency) != 3)
    {
      report_error (self, pa_stripe_create_price_async,
                    g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                 _("“%s” is not a currency: use a three-letter ISO code such as usd."),
                                 currency != NULL ? currency : ""),
                    callback, user_data);
      return;
    }
  if (unit_amount < 0)
    {
      report_error (self, pa_stripe_create_price_async,
                    g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                 _("A price cannot be negative (%" G_GINT64_FORMAT ")."),
                                 unit_amount),
                    callback, user_data);
      return;
    }

  /* Stripe wants currencies in lower case. */
  lower = g_ascii_strdown (currency, -1);
  json_object_set_string_member (params, "product", product);
  json_object_set_int_member (params, "unit_amount", unit_amount);
  json_object_set_string_member (params, "currency", lower);
  set_metadata (params, metadata);

  send_object (self, stripe_post (self, "/v1/prices", params, idempotency_key),
               pa_stripe_create_price_async, cancellable, callback, user_data);
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
      report_error (self, pa_stripe_create_payment_link_async, error, callback, user_data);
      return;
    }

  json_object_set_array_member (params, "line_items", line_items_array (line_items, n_line_items));
  set_metadata (params, metadata);
  if (redirect_url != NULL && redirect_url[0] != '\0')
    {
      JsonObject *after = json_object_new ();
      JsonObject *redirect = json_object_new ();

      json_object_set_string_member (redirect, "url", redirect_url);
      json_object_set_string_member (after, "type", "redirect");
      json_object_set_object_member (after, "redirect", redirect);
      json_object_set_object_member (params, "after_completion", after);
    }

  send_object (self, stripe_post (self, "/v1/payment_links", params, idempotency_key),
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

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (payment_link != NULL && payment_link[0] != '\0');
  g_return_if_fail (idempotency_key != NULL);

  json_object_set_boolean_member (params, "active", FALSE);
  path = object_path ("/v1/payment_links/", payment_link, NULL);
  send_object (self, stripe_post (self, path, params, idempotency_key),
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
      report_error (self, pa_stripe_create_checkout_session_async, error, callback, user_data);
      return;
    }
  if (success_url == NULL || success_url[0] == '\0')
    {
      report_error (self, pa_stripe_create_checkout_session_async,
                    g_error_new_literal (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                         _("A checkout session needs a success URL to send "
                                           "the buyer to after paying.")),
                    callback, user_data);
      return;
    }

  json_object_set_string_member (params, "mode", "payment");
  json_object_set_array_member (params, "line_items", line_items_array (line_items, n_line_items));
  json_object_set_string_member (params, "success_url", success_url);
  if (cancel_url != NULL && cancel_url[0] != '\0')
    json_object_set_string_member (params, "cancel_url", cancel_url);
  if (customer_email != NULL && customer_email[0] != '\0')
    json_object_set_string_member (params, "customer_email", customer_email);
  set_metadata (params, metadata);

  send_object (self, stripe_post (self, "/v1/checkout/sessions", params, idempotency_key),
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

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (session != NULL && session[0] != '\0');

  path = object_path ("/v1/checkout/sessions/", session, NULL);
  send_object (self, stripe_request (self, "GET", path),
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
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  request = stripe_request (self, "GET", "/v1/checkout/sessions");
  add_list_query (request, limit, starting_after);
  send_object (self, request, pa_stripe_list_checkout_sessions_async,
               cancellable, callback, user_data);
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

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (session != NULL && session[0] != '\0');
  g_return_if_fail (idempotency_key != NULL);

  path = object_path ("/v1/checkout/sessions/", session, "/expire");
  send_object (self, stripe_post (self, path, params, idempotency_key),
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
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  request = stripe_request (self, "GET", "/v1/payment_intents");
  add_list_query (request, limit, starting_after);
  send_object (self, request, pa_stripe_list_payment_intents_async,
               cancellable, callback, user_data);
}

void
pa_stripe_list_charges_async (PaStripe            *self,
                              guint                limit,
                              const char          *starting_after,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  request = stripe_request (self, "GET", "/v1/charges");
  add_list_query (request, limit, starting_after);
  send_object (self, request, pa_stripe_list_charges_async, cancellable, callback, user_data);
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
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  request = stripe_request (self, "GET", "/v1/subscriptions");
  if (status != NULL)
    pa_http_request_add_query (request, "status", status);
  add_list_query (request, limit, starting_after);
  send_object (self, request, pa_stripe_list_subscriptions_async,
               cancellable, callback, user_data);
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
      report_error (self, pa_stripe_create_refund_async,
                    g_error_new_literal (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                         _("Say which payment to refund: a charge (ch_…) "
                                           "or a payment intent (pi_…).")),
                    callback, user_data);
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
  set_metadata (params, metadata);

  send_object (self, stripe_post (self, "/v1/refunds", params, idempotency_key),
               pa_stripe_create_refund_async, cancellable, callback, user_data);
}

/* ------------------------------------------------------------------------ */
/* Paging                                                                   */

typedef struct {
  char       *path;
  guint       max_items;
  gint64      created_after;
  gboolean    forward;       /* ending_before, towards newer objects */
  gboolean    oldest_first;
} PageWalk;

static void
page_walk_free (PageWalk *walk)
{
  g_free (walk->path);
  g_free (walk);
}

/* A capped walk keeps what comes first, except a backward walk that is
 * turned round at the end: it needs everything to keep the oldest. */
static gboolean
page_walk_keeps_first (PageWalk *walk)
{
  return walk->forward || !walk->oldest_first;
}

static const char *
object_id (JsonNode *node)
{
  return pa_json_get_string (pa_json_node_get_object (node), "id");
}

/* Stripe's list object as a page: pages come newest first; a forward
 * walk keeps the result oldest first by taking each page from its end. */
static PaPage *
page_from_list (PageWalk    *walk,
                JsonNode    *list,
                GError     **error)
{
  JsonObject *object = json_node_get_object (list);
  JsonArray *array = pa_json_get_array (object, "data");
  g_autoptr(PaPage) page = NULL;
  guint n;

  if (array == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("Stripe answered %s with something that is not a list."), walk->path);
      return NULL;
    }
  n = json_array_get_length (array);

  page = pa_page_new ((GDestroyNotify) json_node_unref);
  for (guint i = 0; i < n; i++)
    {
      JsonNode *element = json_array_get_element (array, walk->forward ? n - 1 - i : i);

      if (object_id (element) == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                       _("Stripe listed an object without an id in %s."), walk->path);
          return NULL;
        }
      g_ptr_array_add (page->items, json_node_copy (element));
    }

  /* Forward: the newest of this page; backward: the oldest. */
  if (n > 0 && json_object_get_boolean_member_with_default (object, "has_more", FALSE))
    page->next_cursor = g_strdup (object_id (json_array_get_element (array,
                                                                     walk->forward ? 0 : n - 1)));
  return g_steal_pointer (&page);
}

static void
page_fetched_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) list = NULL;
  GError *error = NULL;
  PaPage *page;

  list = pa_stripe_object_finish (PA_STRIPE (source), result, &error);
  if (list == NULL || (page = page_from_list (g_task_get_task_data (task), list, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, page, (GDestroyNotify) pa_page_free);
}

static void
fetch_page (gpointer             source_object,
            const char          *cursor,
            guint                n_items,
            gpointer             fetch_data,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  PaStripe *self = source_object;
  PageWalk *walk = fetch_data;
  PaHttpRequest *request = stripe_request (self, "GET", walk->path);
  guint limit = PA_STRIPE_MAX_PAGE_SIZE;
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, fetch_page);
  g_task_set_task_data (task, walk, NULL);

  /* A capped walk that keeps what comes first asks for no more than it keeps. */
  if (walk->max_items > 0 && page_walk_keeps_first (walk))
    limit = MIN (limit, walk->max_items - n_items);
  pa_http_request_add_query_int (request, "limit", limit);
  if (cursor != NULL)
    pa_http_request_add_query (request, walk->forward ? "ending_before" : "starting_after",
                               cursor);
  if (walk->created_after > 0)
    pa_http_request_add_query_int (request, "created[gt]", walk->created_after);

  send_object (self, request, fetch_page, cancellable, page_fetched_cb, task);
}

static void
walked_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PageWalk *walk = g_task_get_task_data (task);
  g_autoptr(GPtrArray) items = NULL;
  JsonArray *array;
  GError *error = NULL;
  guint keep;

  items = pa_pager_walk_finish (result, NULL, &error);
  if (items == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  /* A backward walk collected newest first: turn it round, keeping the
   * oldest when capped. */
  keep = items->len;
  if (walk->max_items > 0 && !page_walk_keeps_first (walk))
    keep = MIN (keep, walk->max_items);
  array = json_array_sized_new (keep);
  for (guint i = 0; i < keep; i++)
    {
      guint index = walk->oldest_first && !walk->forward ? items->len - 1 - i : i;

      json_array_add_element (array, json_node_ref (g_ptr_array_index (items, index)));
    }

  g_task_return_pointer (task, json_node_init_array (json_node_alloc (), array),
                         (GDestroyNotify) json_node_unref);
  json_array_unref (array);
}

static void
page_walk_start (PaStripe            *self,
                 PageWalk            *walk,
                 const char          *first_cursor,
                 gpointer             source_tag,
                 GCancellable        *cancellable,
                 GAsyncReadyCallback  callback,
                 gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  PaPagerWalk pages = {
    .platform = "Stripe",
    .what = walk->path,
    .first_cursor = first_cursor,
    .max_items = page_walk_keeps_first (walk) ? walk->max_items : 0,
    .free_item = (GDestroyNotify) json_node_unref,
    .fetch = fetch_page,
    .fetch_data = walk,
  };

  g_task_set_source_tag (task, source_tag);
  g_task_set_task_data (task, walk, (GDestroyNotify) page_walk_free);
  pa_pager_walk_async (self, &pages, cancellable, walked_cb, task);
}

void
pa_stripe_list_all_async (PaStripe            *self,
                          const char          *path,
                          guint                max_items,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  PageWalk *walk;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (path != NULL);

  if (!g_str_has_prefix (path, "/v1/") || strchr (path, '?') != NULL)
    {
      report_error (self, pa_stripe_list_all_async,
                    g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                                 _("“%s” is not a Stripe list path such as /v1/charges."), path),
                    callback, user_data);
      return;
    }

  walk = g_new0 (PageWalk, 1);
  walk->path = g_strdup (path);
  walk->max_items = max_items;
  page_walk_start (self, walk, NULL, pa_stripe_list_all_async, cancellable, callback, user_data);
}

void
pa_stripe_list_events_since_async (PaStripe            *self,
                                   const char          *after_event,
                                   gint64               created_after,
                                   guint                max_events,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  PageWalk *walk;

  g_return_if_fail (PA_IS_STRIPE (self));

  walk = g_new0 (PageWalk, 1);
  walk->path = g_strdup ("/v1/events");
  walk->max_items = max_events;
  walk->created_after = MAX (created_after, 0);
  walk->oldest_first = TRUE;
  /* With a cursor, ending_before walks towards newer events and a cap
   * keeps the oldest ones, so the next sync continues where this stopped.
   * Without one there is nothing to walk forward from: the walk goes back
   * through everything the time bound lets through, then turns round. */
  walk->forward = after_event != NULL && after_event[0] != '\0';
  page_walk_start (self, walk, walk->forward ? after_event : NULL,
                   pa_stripe_list_events_since_async, cancellable, callback, user_data);
}

/* ------------------------------------------------------------------------ */
/* Check                                                                    */

typedef struct {
  char *id;
  char *name;
} CheckData;

static void
check_data_free (CheckData *data)
{
  g_free (data->id);
  g_free (data->name);
  g_free (data);
}

/* Stripe leaves unset names empty: an empty string is no name. */
static const char *
non_empty (const char *text)
{
  return text != NULL && text[0] != '\0' ? text : NULL;
}

static void
key_looked_up_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CheckData *data = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) key = NULL;
  PaStripeMode mode;

  key = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);
  /* The account answered, so the key works; not knowing its mode is no
   * reason to fail the check. */
  if (error != NULL)
    g_debug ("Stripe check: could not read the key's mode: %s", error->message);
  mode = pa_stripe_mode_from_key (key);

  g_task_return_pointer (task,
                         pa_identity_new (data->id, data->name, pa_stripe_mode_to_string (mode)),
                         (GDestroyNotify) pa_identity_free);
}

static void
account_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaStripe *self = PA_STRIPE (source);
  g_autoptr(JsonNode) account = NULL;
  CheckData *data;
  JsonObject *object;
  GCancellable *cancellable;
  const char *id;
  const char *name;
  GError *error = NULL;

  account = pa_stripe_object_finish (self, result, &error);
  if (account == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  object = json_node_get_object (account);
  id = non_empty (pa_json_get_string (object, "id"));
  if (id == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("Stripe’s account answer has no id."));
      return;
    }

  name = non_empty (pa_json_get_string (pa_json_get_object (object, "business_profile"), "name"));
  if (name == NULL)
    name = non_empty (pa_json_get_string (pa_json_get_object (pa_json_get_object (object, "settings"),
                                                             "dashboard"),
                                          "display_name"));
  if (name == NULL)
    name = non_empty (pa_json_get_string (object, "email"));

  data = g_new0 (CheckData, 1);
  data->id = g_strdup (id);
  data->name = g_strdup (name);
  g_task_set_task_data (task, data, (GDestroyNotify) check_data_free);

  if (self->secrets == NULL)
    self->secrets = pa_secrets_new ();
  cancellable = g_task_get_cancellable (task);
  pa_secrets_lookup_async (self->secrets, "stripe", pa_platform_get_profile (PA_PLATFORM (self)),
                           "api-key", cancellable, key_looked_up_cb, g_steal_pointer (&task));
}

static void
pa_stripe_check_async (PaPlatform          *platform,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  PaStripe *self = PA_STRIPE (platform);
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_stripe_check_async);
  send_object (self, stripe_request (self, "GET", "/v1/account"),
               pa_stripe_check_async, cancellable, account_cb, task);
}

static PaIdentity *
pa_stripe_check_finish (PaPlatform    *platform,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Object                                                                   */

static void
pa_stripe_finalize (GObject *object)
{
  PaStripe *self = PA_STRIPE (object);

  g_clear_object (&self->secrets);

  G_OBJECT_CLASS (pa_stripe_parent_class)->finalize (object);
}

static void
pa_stripe_class_init (PaStripeClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->finalize = pa_stripe_finalize;

  platform_class->platform_id = "stripe";
  platform_class->check_async = pa_stripe_check_async;
  platform_class->check_finish = pa_stripe_check_finish;
  platform_class->parse_error = pa_stripe_parse_error;
}

static void
pa_stripe_init (PaStripe *self)
{
}

PaStripe *
pa_stripe_new (PaHttp     *http,
               const char *profile,
               const char *base_url)
{
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  return g_object_new (PA_TYPE_STRIPE,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}
