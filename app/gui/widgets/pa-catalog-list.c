/* pa-catalog-list.c — a searchable list of a Stripe account's synced objects
 *
 * The products, customers and subscriptions views each turn the stored
 * objects into PaCatalogItems and hand them here: one lazy GtkListView
 * (rows are made only for what is on screen, so thousands of objects stay
 * cheap), a search over what each row says, and an AdwStatusPage when
 * there is nothing to show.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-catalog-list.h"

/* ---- PaCatalogItem ------------------------------------------------------ */

struct _PaCatalogItem
{
  GObject  parent_instance;

  char    *id;
  char    *title;
  char    *subtitle;
  char    *detail;
  char    *status;
  char    *status_class;
  char    *haystack;       /* casefolded, for the search */
};

G_DEFINE_FINAL_TYPE (PaCatalogItem, pa_catalog_item, G_TYPE_OBJECT)

enum {
  ITEM_PROP_0,
  ITEM_PROP_TITLE,
  ITEM_PROP_SUBTITLE,
  ITEM_PROP_DETAIL,
  ITEM_PROP_STATUS,
  ITEM_PROP_HAS_STATUS,
  ITEM_PROP_STATUS_CSS,
  ITEM_N_PROPS
};

static GParamSpec *item_properties[ITEM_N_PROPS];

static void
pa_catalog_item_finalize (GObject *object)
{
  PaCatalogItem *self = PA_CATALOG_ITEM (object);

  g_free (self->id);
  g_free (self->title);
  g_free (self->subtitle);
  g_free (self->detail);
  g_free (self->status);
  g_free (self->status_class);
  g_free (self->haystack);

  G_OBJECT_CLASS (pa_catalog_item_parent_class)->finalize (object);
}

static void
pa_catalog_item_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PaCatalogItem *self = PA_CATALOG_ITEM (object);

  switch (prop_id)
    {
    case ITEM_PROP_TITLE:
      g_value_set_string (value, self->title);
      break;
    case ITEM_PROP_SUBTITLE:
      g_value_set_string (value, self->subtitle);
      break;
    case ITEM_PROP_DETAIL:
      g_value_set_string (value, self->detail);
      break;
    case ITEM_PROP_STATUS:
      g_value_set_string (value, self->status);
      break;
    case ITEM_PROP_HAS_STATUS:
      g_value_set_boolean (value, self->status != NULL);
      break;
    case ITEM_PROP_STATUS_CSS:
      {
        const char *classes[] = { "status-pill", self->status_class, NULL };

        g_value_set_boxed (value, classes);
      }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_catalog_item_class_init (PaCatalogItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags flags = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->finalize = pa_catalog_item_finalize;
  object_class->get_property = pa_catalog_item_get_property;

  item_properties[ITEM_PROP_TITLE] = g_param_spec_string ("title", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_SUBTITLE] = g_param_spec_string ("subtitle", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_DETAIL] = g_param_spec_string ("detail", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_STATUS] = g_param_spec_string ("status", NULL, NULL, NULL, flags);
  item_properties[ITEM_PROP_HAS_STATUS] =
    g_param_spec_boolean ("has-status", NULL, NULL, FALSE, flags);
  item_properties[ITEM_PROP_STATUS_CSS] =
    g_param_spec_boxed ("status-css", NULL, NULL, G_TYPE_STRV, flags);
  g_object_class_install_properties (object_class, ITEM_N_PROPS, item_properties);
}

static void
pa_catalog_item_init (PaCatalogItem *self)
{
}

static void
add_to_haystack (GString    *haystack,
                 const char *text)
{
  g_autofree char *folded = NULL;

  if (text == NULL || !g_utf8_validate (text, -1, NULL))
    return;
  folded = g_utf8_casefold (text, -1);
  g_string_append (haystack, folded);
  g_string_append_c (haystack, '\n');
}

PaCatalogItem *
pa_catalog_item_new (const char *id,
                     const char *title,
                     const char *subtitle,
                     const char *detail,
                     const char *status,
                     const char *status_class,
                     const char *search_extra)
{
  PaCatalogItem *self = g_object_new (PA_TYPE_CATALOG_ITEM, NULL);
  GString *haystack = g_string_new (NULL);

  self->id = g_strdup (id);
  self->title = g_strdup (title != NULL ? title : pa_catalog_missing ());
  self->subtitle = g_strdup (subtitle);
  self->detail = g_strdup (detail);
  self->status = g_strdup (status);
  self->status_class = g_strdup (status_class);

  add_to_haystack (haystack, id);
  add_to_haystack (haystack, title);
  add_to_haystack (haystack, subtitle);
  add_to_haystack (haystack, search_extra);
  add_to_haystack (haystack, status);
  self->haystack = g_string_free (haystack, FALSE);
  return self;
}

const char *
pa_catalog_item_get_id (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->id;
}

const char *
pa_catalog_item_get_title (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->title;
}

const char *
pa_catalog_item_get_subtitle (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->subtitle;
}

const char *
pa_catalog_item_get_detail (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->detail;
}

const char *
pa_catalog_item_get_status (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->status;
}

const char *
pa_catalog_item_get_status_class (PaCatalogItem *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_ITEM (self), NULL);
  return self->status_class;
}

/* ---- PaCatalogList ------------------------------------------------------ */

struct _PaCatalogList
{
  AdwBin              parent_instance;

  GListStore         *store;
  GtkCustomFilter    *filter;
  GtkFilterListModel *filtered;
  char               *query;        /* casefolded, or NULL */

  GtkSearchEntry     *search_entry;
  GtkStack           *stack;
  AdwStatusPage      *empty_page;
  AdwStatusPage      *no_match_page;
  GtkListView        *list_view;

  PaStripeAccount    *account;
  PaStripeSync       *sync;
  gulong              changed_id;
  guint               reload_id;
  PaCatalogLoadFunc   load;
  gpointer            load_data;
};

G_DEFINE_FINAL_TYPE (PaCatalogList, pa_catalog_list, ADW_TYPE_BIN)

static gboolean
item_matches (gpointer item,
              gpointer user_data)
{
  PaCatalogList *self = user_data;

  return self->query == NULL || strstr (PA_CATALOG_ITEM (item)->haystack, self->query) != NULL;
}

static void
update_state (PaCatalogList *self)
{
  const char *state = "list";

  if (g_list_model_get_n_items (G_LIST_MODEL (self->store)) == 0)
    state = "empty";
  else if (g_list_model_get_n_items (G_LIST_MODEL (self->filtered)) == 0)
    state = "no-match";
  gtk_stack_set_visible_child_name (self->stack, state);
  /* Nothing to search in an empty list. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->search_entry), strcmp (state, "empty") != 0);
}

static void
search_changed_cb (PaCatalogList *self)
{
  const char *text = gtk_editable_get_text (GTK_EDITABLE (self->search_entry));
  g_autofree char *stripped = g_strstrip (g_strdup (text));

  g_clear_pointer (&self->query, g_free);
  if (*stripped != '\0')
    self->query = g_utf8_casefold (stripped, -1);
  gtk_filter_changed (GTK_FILTER (self->filter), GTK_FILTER_CHANGE_DIFFERENT);
  update_state (self);
}

static void
unwatch (PaCatalogList *self)
{
  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->sync != NULL)
    g_clear_signal_handler (&self->changed_id, self->sync);
  g_clear_object (&self->sync);
  g_clear_object (&self->account);
}

static void
pa_catalog_list_dispose (GObject *object)
{
  unwatch (PA_CATALOG_LIST (object));
  gtk_widget_dispose_template (GTK_WIDGET (object), PA_TYPE_CATALOG_LIST);

  G_OBJECT_CLASS (pa_catalog_list_parent_class)->dispose (object);
}

static void
pa_catalog_list_finalize (GObject *object)
{
  PaCatalogList *self = PA_CATALOG_LIST (object);

  g_clear_object (&self->filtered);
  g_clear_object (&self->store);
  g_free (self->query);

  G_OBJECT_CLASS (pa_catalog_list_parent_class)->finalize (object);
}

static void
pa_catalog_list_class_init (PaCatalogListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_catalog_list_dispose;
  object_class->finalize = pa_catalog_list_finalize;

  /* The rows' template looks its properties up by type name. */
  g_type_ensure (PA_TYPE_CATALOG_ITEM);

  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-catalog-list.ui");
  gtk_widget_class_bind_template_child (widget_class, PaCatalogList, search_entry);
  gtk_widget_class_bind_template_child (widget_class, PaCatalogList, stack);
  gtk_widget_class_bind_template_child (widget_class, PaCatalogList, empty_page);
  gtk_widget_class_bind_template_child (widget_class, PaCatalogList, no_match_page);
  gtk_widget_class_bind_template_child (widget_class, PaCatalogList, list_view);
  gtk_widget_class_bind_template_callback (widget_class, search_changed_cb);
}

static void
pa_catalog_list_init (PaCatalogList *self)
{
  g_autoptr(GtkListItemFactory) factory = NULL;
  g_autoptr(GtkNoSelection) selection = NULL;

  gtk_widget_init_template (GTK_WIDGET (self));

  self->store = g_list_store_new (PA_TYPE_CATALOG_ITEM);
  self->filter = gtk_custom_filter_new (item_matches, self, NULL);
  self->filtered = gtk_filter_list_model_new (g_object_ref (G_LIST_MODEL (self->store)),
                                              GTK_FILTER (self->filter));
  selection = gtk_no_selection_new (g_object_ref (G_LIST_MODEL (self->filtered)));
  factory = gtk_builder_list_item_factory_new_from_resource (NULL,
    "/io/playalter/PlayAlter/ui/pa-catalog-row.ui");
  gtk_list_view_set_factory (self->list_view, factory);
  gtk_list_view_set_model (self->list_view, GTK_SELECTION_MODEL (selection));
  update_state (self);
}

GtkWidget *
pa_catalog_list_new (void)
{
  return g_object_new (PA_TYPE_CATALOG_LIST, NULL);
}

void
pa_catalog_list_set_empty_state (PaCatalogList *self,
                                 const char    *icon_name,
                                 const char    *title,
                                 const char    *description)
{
  g_return_if_fail (PA_IS_CATALOG_LIST (self));

  adw_status_page_set_icon_name (self->empty_page, icon_name);
  adw_status_page_set_title (self->empty_page, title);
  adw_status_page_set_description (self->empty_page, description);
}

void
pa_catalog_list_set_search_placeholder (PaCatalogList *self,
                                        const char    *text)
{
  g_return_if_fail (PA_IS_CATALOG_LIST (self));

  g_object_set (self->search_entry, "placeholder-text", text, NULL);
}

void
pa_catalog_list_set_items (PaCatalogList *self,
                           GPtrArray     *items)
{
  g_return_if_fail (PA_IS_CATALOG_LIST (self));

  /* One splice: the list view hears of one change, not thousands. */
  g_list_store_splice (self->store, 0, g_list_model_get_n_items (G_LIST_MODEL (self->store)),
                       items != NULL ? items->pdata : NULL, items != NULL ? items->len : 0);
  update_state (self);
}

guint
pa_catalog_list_get_n_items (PaCatalogList *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_LIST (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->store));
}

guint
pa_catalog_list_get_n_shown (PaCatalogList *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_LIST (self), 0);

  return g_list_model_get_n_items (G_LIST_MODEL (self->filtered));
}

PaCatalogItem *
pa_catalog_list_get_shown (PaCatalogList *self,
                           guint          position)
{
  g_autoptr(PaCatalogItem) item = NULL;

  g_return_val_if_fail (PA_IS_CATALOG_LIST (self), NULL);

  /* The filtered model keeps its own reference. */
  item = g_list_model_get_item (G_LIST_MODEL (self->filtered), position);
  return item;
}

const char *
pa_catalog_list_get_state (PaCatalogList *self)
{
  g_return_val_if_fail (PA_IS_CATALOG_LIST (self), NULL);

  return gtk_stack_get_visible_child_name (self->stack);
}

void
pa_catalog_list_set_search (PaCatalogList *self,
                            const char    *text)
{
  g_return_if_fail (PA_IS_CATALOG_LIST (self));

  gtk_editable_set_text (GTK_EDITABLE (self->search_entry), text != NULL ? text : "");
  /* Now, not after the entry's pause. */
  search_changed_cb (self);
}

void
pa_catalog_list_reload (PaCatalogList *self)
{
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PA_IS_CATALOG_LIST (self));

  g_clear_handle_id (&self->reload_id, g_source_remove);
  if (self->account == NULL || self->load == NULL)
    {
      pa_catalog_list_set_items (self, NULL);
      return;
    }

  items = self->load (self->account, self->load_data, &error);
  /* What was shown stays when the store cannot be read this once. */
  if (items == NULL)
    {
      g_warning ("Could not read the synced Stripe account: %s", error->message);
      return;
    }
  pa_catalog_list_set_items (self, items);
}

static gboolean
reload_cb (gpointer user_data)
{
  PaCatalogList *self = user_data;

  self->reload_id = 0;
  pa_catalog_list_reload (self);
  return G_SOURCE_REMOVE;
}

/* A sync emits ::changed after each page: read the copy once they pause. */
#define RELOAD_DELAY_MS 300

static void
sync_changed_cb (PaCatalogList *self)
{
  if (self->reload_id == 0)
    self->reload_id = g_timeout_add (RELOAD_DELAY_MS, reload_cb, self);
}

void
pa_catalog_list_watch (PaCatalogList     *self,
                       PaStripeAccount   *account,
                       PaCatalogLoadFunc  load,
                       gpointer           user_data)
{
  g_return_if_fail (PA_IS_CATALOG_LIST (self));
  g_return_if_fail (account == NULL || PA_IS_STRIPE_ACCOUNT (account));

  unwatch (self);
  self->load = load;
  self->load_data = user_data;
  if (account != NULL)
    {
      self->account = g_object_ref (account);
      self->sync = g_object_ref (pa_stripe_account_get_sync (account));
      self->changed_id = g_signal_connect_swapped (self->sync, "changed",
                                                   G_CALLBACK (sync_changed_cb), self);
    }
  pa_catalog_list_reload (self);
}

/* ---- reading Stripe's JSON ---------------------------------------------- */

GPtrArray *
pa_catalog_load_objects (PaStripeAccount  *account,
                         const char       *object,
                         GError          **error)
{
  return pa_store_stripe_list_objects (pa_stripe_account_get_store (account),
                                       pa_stripe_account_get_profile (account),
                                       object, NULL, 0, error);
}

const char *
pa_catalog_customer_name (JsonObject *customer)
{
  const char *name = pa_catalog_json_string (customer, "name");

  if (name == NULL || *name == '\0')
    name = pa_catalog_json_string (customer, "email");
  return name != NULL && *name != '\0' ? name : NULL;
}

const char *
pa_catalog_missing (void)
{
  return "—";
}

const char *
pa_catalog_json_string (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

gboolean
pa_catalog_json_int (JsonObject *object,
                     const char *member,
                     gint64     *value)
{
  JsonNode *node;

  if (object == NULL)
    return FALSE;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) ||
      json_node_get_value_type (node) != G_TYPE_INT64)
    return FALSE;
  *value = json_node_get_int (node);
  return TRUE;
}

JsonObject *
pa_catalog_json_object (JsonObject *object,
                        const char *member)
{
  JsonNode *node;

  if (object == NULL)
    return NULL;
  node = json_object_get_member (object, member);
  if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
    return NULL;
  return json_node_get_object (node);
}

JsonObject *
pa_catalog_parse_object (const char *data_json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  if (data_json == NULL || !json_parser_load_from_data (parser, data_json, -1, &error))
    {
      g_debug ("A stored Stripe object is not JSON: %s",
               error != NULL ? error->message : "none stored");
      return NULL;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      g_debug ("A stored Stripe object is not a JSON object");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

char *
pa_catalog_format_date (gint64 unix_seconds)
{
  g_autoptr(GDateTime) utc = NULL;
  g_autoptr(GDateTime) local = NULL;

  if (unix_seconds <= 0)
    return g_strdup (pa_catalog_missing ());
  utc = g_date_time_new_from_unix_utc (unix_seconds);
  if (utc == NULL)
    return g_strdup (pa_catalog_missing ());
  local = g_date_time_to_local (utc);
  /* The user's locale's way of writing a date. */
  return g_date_time_format (local, "%x");
}

/* "per month", "every 3 months"; NULL for an interval Stripe does not have. */
static char *
format_interval (const char *interval,
                 gint64      count)
{
  guint n = count > 0 && count <= G_MAXUINT ? (guint) count : 1;

  if (g_strcmp0 (interval, "day") == 0)
    return n == 1 ? g_strdup (_("per day"))
                  : g_strdup_printf (ngettext ("every %u day", "every %u days", n), n);
  if (g_strcmp0 (interval, "week") == 0)
    return n == 1 ? g_strdup (_("per week"))
                  : g_strdup_printf (ngettext ("every %u week", "every %u weeks", n), n);
  if (g_strcmp0 (interval, "month") == 0)
    return n == 1 ? g_strdup (_("per month"))
                  : g_strdup_printf (ngettext ("every %u month", "every %u months", n), n);
  if (g_strcmp0 (interval, "year") == 0)
    return n == 1 ? g_strdup (_("per year"))
                  : g_strdup_printf (ngettext ("every %u year", "every %u years", n), n);
  return NULL;
}

char *
pa_catalog_format_price (JsonObject *price)
{
  const char *currency = pa_catalog_json_string (price, "currency");
  JsonObject *recurring = pa_catalog_json_object (price, "recurring");
  g_autofree char *amount = NULL;
  g_autofree char *interval = NULL;
  gint64 unit_amount, count = 1;

  if (currency != NULL && pa_money_currency_is_valid (currency) &&
      pa_catalog_json_int (price, "unit_amount", &unit_amount))
    amount = pa_money_format (unit_amount, currency, NULL);
  else
    amount = g_strdup (pa_catalog_missing ());
  if (recurring == NULL)
    return g_steal_pointer (&amount);

  pa_catalog_json_int (recurring, "interval_count", &count);
  interval = format_interval (pa_catalog_json_string (recurring, "interval"), count);
  /* Translators: a recurring price, e.g. "€5.00 per month". */
  return g_strdup_printf (C_("price", "%s %s"), amount,
                          interval != NULL ? interval : pa_catalog_missing ());
}
