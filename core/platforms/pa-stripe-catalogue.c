/* pa-stripe-catalogue.c — Stripe customers, products and prices
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <inttypes.h>
#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-stripe-private.h"

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
  pa_stripe_set_metadata (params, metadata);

  pa_stripe_send_post (self, "/v1/customers", params, idempotency_key,
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
  g_return_if_fail (PA_IS_STRIPE (self));

  pa_stripe_send_list (self, "/v1/customers", "email", email, limit, starting_after,
                       pa_stripe_list_customers_async, cancellable, callback, user_data);
}

/* A product takes up to 8 images (Stripe's limit); an address longer
 * than 2048 characters is no picture anyone can share (our cap). */
#define MAX_PRODUCT_IMAGES 8
#define MAX_IMAGE_URL_LENGTH 2048

/* Stripe fetches the images itself and shows them to buyers: only
 * https addresses it can reach make sense (there is no upload here). */
static gboolean
images_valid (const char * const  *images,
              GError             **error)
{
  guint n = images != NULL ? g_strv_length ((char **) images) : 0;

  if (n > MAX_PRODUCT_IMAGES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("A product takes at most %d images."), MAX_PRODUCT_IMAGES);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GUri) uri = NULL;

      if (strlen (images[i]) <= MAX_IMAGE_URL_LENGTH)
        uri = g_uri_parse (images[i], G_URI_FLAGS_NONE, NULL);
      if (uri == NULL
          || g_ascii_strcasecmp (g_uri_get_scheme (uri), "https") != 0
          || g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0')
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Image %u is not an https address: Stripe shows product "
                         "images from https URLs only (up to %d characters)."),
                       i + 1, MAX_IMAGE_URL_LENGTH);
          return FALSE;
        }
    }
  return TRUE;
}

void
pa_stripe_create_product_with_images_async (PaStripe            *self,
                                            const char          *name,
                                            const char          *description,
                                            const char * const  *images,
                                            JsonObject          *metadata,
                                            const char          *idempotency_key,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_autoptr(JsonObject) params = json_object_new ();
  GError *error = NULL;

  g_return_if_fail (PA_IS_STRIPE (self));
  g_return_if_fail (idempotency_key != NULL);

  if (name == NULL || name[0] == '\0')
    {
      g_task_report_new_error (self, callback, user_data,
                               pa_stripe_create_product_with_images_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A product needs a name."));
      return;
    }
  if (!images_valid (images, &error))
    {
      g_task_report_error (self, callback, user_data,
                           pa_stripe_create_product_with_images_async, error);
      return;
    }

  json_object_set_string_member (params, "name", name);
  if (description != NULL && description[0] != '\0')
    json_object_set_string_member (params, "description", description);
  if (images != NULL && images[0] != NULL)
    {
      JsonArray *array = json_array_new ();

      for (guint i = 0; images[i] != NULL; i++)
        json_array_add_string_element (array, images[i]);
      json_object_set_array_member (params, "images", array);
    }
  pa_stripe_set_metadata (params, metadata);

  pa_stripe_send_post (self, "/v1/products", params, idempotency_key,
                       pa_stripe_create_product_with_images_async, cancellable, callback,
                       user_data);
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
  pa_stripe_create_product_with_images_async (self, name, description, NULL, metadata,
                                              idempotency_key, cancellable, callback,
                                              user_data);
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
      g_task_report_new_error (self, callback, user_data, pa_stripe_create_price_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A price needs a product (prod_…)."));
      return;
    }
  if (currency == NULL || strlen (currency) != 3)
    {
      g_task_report_new_error (self, callback, user_data, pa_stripe_create_price_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is not a currency: use a three-letter ISO code such as usd."),
                               currency != NULL ? currency : "");
      return;
    }
  if (unit_amount < 0)
    {
      g_task_report_new_error (self, callback, user_data, pa_stripe_create_price_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A price cannot be negative (%" PRId64 ")."),
                               unit_amount);
      return;
    }

  /* Stripe wants currencies in lower case. */
  lower = g_ascii_strdown (currency, -1);
  json_object_set_string_member (params, "product", product);
  json_object_set_int_member (params, "unit_amount", unit_amount);
  json_object_set_string_member (params, "currency", lower);
  pa_stripe_set_metadata (params, metadata);

  pa_stripe_send_post (self, "/v1/prices", params, idempotency_key,
                       pa_stripe_create_price_async, cancellable, callback, user_data);
}
