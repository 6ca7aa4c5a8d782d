/* pa-subscriptions-view.c — the account's subscriptions and their status
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-catalog-list.h"
#include "pa-subscriptions-view.h"

struct _PaSubscriptionsView
{
  AdwBin         parent_instance;

  PaCatalogList *list;
};

G_DEFINE_FINAL_TYPE (PaSubscriptionsView, pa_subscriptions_view, ADW_TYPE_BIN)

/* Stripe's statuses as the pill says them, and its colour. */
static const char *
describe_status (const char  *status,
                 const char **status_class)
{
  static const struct {
    const char *status;
    const char *label;
    const char *css;
  } statuses[] = {
    { "active", N_("Active"), "success" },
    { "trialing", N_("Trialing"), "accent" },
    { "past_due", N_("Past due"), "warning" },
    { "unpaid", N_("Unpaid"), "error" },
    { "incomplete", N_("Incomplete"), "warning" },
    { "incomplete_expired", N_("Expired"), NULL },
    { "canceled", N_("Canceled"), NULL },
    { "paused", N_("Paused"), NULL },
  };

  *status_class = NULL;
  if (status == NULL)
    return pa_catalog_missing ();
  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    if (strcmp (statuses[i].status, status) == 0)
      {
        *status_class = statuses[i].css;
        return _(statuses[i].label);
      }
  /* A status newer than this code: shown as Stripe writes it. */
  return status;
}

/* "€5.00 per month", "3 × €5.00 per month", from the first item. */
static char *
describe_amount (JsonObject *subscription)
{
  JsonObject *items = pa_catalog_json_object (subscription, "items");
  JsonNode *data = items != NULL ? json_object_get_member (items, "data") : NULL;
  JsonArray *array;
  JsonNode *first;
  JsonObject *item, *price;
  g_autofree char *text = NULL;
  gint64 quantity = 1;

  if (data == NULL || !JSON_NODE_HOLDS_ARRAY (data))
    return g_strdup (pa_catalog_missing ());
  array = json_node_get_array (data);
  if (json_array_get_length (array) == 0)
    return g_strdup (pa_catalog_missing ());
  first = json_array_get_element (array, 0);
  if (!JSON_NODE_HOLDS_OBJECT (first))
    return g_strdup (pa_catalog_missing ());
  item = json_node_get_object (first);
  price = pa_catalog_json_object (item, "price");
  if (price == NULL)
    return g_strdup (pa_catalog_missing ());

  text = pa_catalog_format_price (price);
  if (pa_catalog_json_int (item, "quantity", &quantity) && quantity > 1)
    /* Translators: a quantity of a price, e.g. "3 × €5.00 per month". */
    {
      g_autofree char *count = g_strdup_printf ("%" G_GINT64_FORMAT, quantity);

      return g_strdup_printf (_("%s × %s"), count, text);
    }
  return g_steal_pointer (&text);
}

static GPtrArray *
load_subscriptions (PaStripeAccount *account,
                    gpointer         user_data,
                    GError         **error)
{
  g_autoptr(GPtrArray) subscriptions = pa_catalog_load_objects (account, "subscription", error);
  g_autoptr(GPtrArray) customers = NULL;
  g_autoptr(GHashTable) names = NULL;   /* customer id → name or email */
  GPtrArray *items;

  if (subscriptions == NULL ||
      (customers = pa_catalog_load_objects (account, "customer", error)) == NULL)
    return NULL;

  names = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < customers->len; i++)
    {
      PaStripeObjectRecord *record = customers->pdata[i];
      g_autoptr(JsonObject) customer = pa_catalog_parse_object (record->data_json);
      const char *name = pa_catalog_customer_name (customer);

      if (name != NULL)
        g_hash_table_insert (names, g_strdup (record->id), g_strdup (name));
    }

  items = g_ptr_array_new_full (subscriptions->len, g_object_unref);
  for (guint i = 0; i < subscriptions->len; i++)
    {
      PaStripeObjectRecord *record = subscriptions->pdata[i];
      g_autoptr(JsonObject) subscription = pa_catalog_parse_object (record->data_json);
      const char *customer = pa_catalog_json_string (subscription, "customer");
      const char *name = customer != NULL ? g_hash_table_lookup (names, customer) : NULL;
      const char *status_class = NULL;
      const char *status;
      g_autofree char *amount = describe_amount (subscription);
      g_autofree char *end = NULL;
      g_autofree char *detail = NULL;
      gint64 period_end = 0;

      status = describe_status (pa_catalog_json_string (subscription, "status"), &status_class);
      pa_catalog_json_int (subscription, "current_period_end", &period_end);
      end = pa_catalog_format_date (period_end);
      /* Translators: %s is the date the subscription's current period ends. */
      detail = g_strdup_printf (_("Period ends %s"), end);
      g_ptr_array_add (items,
                       pa_catalog_item_new (record->id,
                                            name != NULL ? name : customer,
                                            amount, detail, status, status_class,
                                            customer));
    }
  return items;
}

static void
pa_subscriptions_view_class_init (PaSubscriptionsViewClass *klass)
{
}

static void
pa_subscriptions_view_init (PaSubscriptionsView *self)
{
  self->list = PA_CATALOG_LIST (pa_catalog_list_new ());
  pa_catalog_list_set_empty_state (self->list, "view-refresh-symbolic", _("No Subscriptions"),
                                   _("Subscriptions made in Stripe show here after the next "
                                     "sync."));
  pa_catalog_list_set_search_placeholder (self->list, _("Search subscriptions"));
  adw_bin_set_child (ADW_BIN (self), GTK_WIDGET (self->list));
}

GtkWidget *
pa_subscriptions_view_new (void)
{
  return g_object_new (PA_TYPE_SUBSCRIPTIONS_VIEW, NULL);
}

void
pa_subscriptions_view_set_account (PaSubscriptionsView *self,
                                   PaStripeAccount     *account)
{
  g_return_if_fail (PA_IS_SUBSCRIPTIONS_VIEW (self));

  pa_catalog_list_watch (self->list, account, load_subscriptions, self);
}
