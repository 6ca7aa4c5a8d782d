/* pa-catalog-list.h — a searchable list of a Stripe account's synced
 * objects (products, customers, subscriptions), with its empty states
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

/* One row: what the views made of one stored object. */
#define PA_TYPE_CATALOG_ITEM (pa_catalog_item_get_type ())
G_DECLARE_FINAL_TYPE (PaCatalogItem, pa_catalog_item, PA, CATALOG_ITEM, GObject)

/* @status NULL = no pill; @status_class one of Adwaita's "success",
 * "warning", "error", "accent" or NULL for a neutral pill. The search
 * looks in @title, @subtitle and @search_extra (e.g. ids). */
PaCatalogItem *pa_catalog_item_new          (const char    *id,
                                             const char    *title,
                                             const char    *subtitle,
                                             const char    *detail,
                                             const char    *status,
                                             const char    *status_class,
                                             const char    *search_extra);
const char    *pa_catalog_item_get_id       (PaCatalogItem *self);
const char    *pa_catalog_item_get_title    (PaCatalogItem *self);
const char    *pa_catalog_item_get_subtitle (PaCatalogItem *self);
const char    *pa_catalog_item_get_detail   (PaCatalogItem *self);
const char    *pa_catalog_item_get_status   (PaCatalogItem *self);
const char    *pa_catalog_item_get_status_class (PaCatalogItem *self);

#define PA_TYPE_CATALOG_LIST (pa_catalog_list_get_type ())
G_DECLARE_FINAL_TYPE (PaCatalogList, pa_catalog_list, PA, CATALOG_LIST, AdwBin)

GtkWidget  *pa_catalog_list_new             (void);
/* What the empty state says when nothing is stored (no search). */
void        pa_catalog_list_set_empty_state (PaCatalogList *self,
                                             const char    *icon_name,
                                             const char    *title,
                                             const char    *description);
/* The search entry's placeholder. */
void        pa_catalog_list_set_search_placeholder (PaCatalogList *self,
                                             const char    *text);
/* Replaces every row with @items (a GPtrArray of PaCatalogItem), keeping
 * the search. */
void        pa_catalog_list_set_items       (PaCatalogList *self,
                                             GPtrArray     *items);
/* Rows stored, and rows the search leaves. */
guint       pa_catalog_list_get_n_items     (PaCatalogList *self);
guint       pa_catalog_list_get_n_shown     (PaCatalogList *self);
/* The row shown at @position (after the search), or NULL. */
PaCatalogItem *pa_catalog_list_get_shown    (PaCatalogList *self,
                                             guint          position);
/* "list", "empty" (nothing stored) or "no-match" (the search left none). */
const char *pa_catalog_list_get_state       (PaCatalogList *self);
void        pa_catalog_list_set_search      (PaCatalogList *self,
                                             const char    *text);

/* Makes the rows of @account's synced copy: a GPtrArray of
 * PaCatalogItem (NULL with @error when the store cannot be read). */
typedef GPtrArray *(*PaCatalogLoadFunc) (PaStripeAccount *account,
                                         gpointer         user_data,
                                         GError         **error);

/* Shows what @load makes of @account now, and again each time its sync
 * says the stored copy changed (a sync's pages come in bursts: they are
 * taken together). @account NULL shows the empty state. */
void        pa_catalog_list_watch           (PaCatalogList     *self,
                                             PaStripeAccount   *account,
                                             PaCatalogLoadFunc  load,
                                             gpointer           user_data);
/* Reads the account's copy again now (tests; the views do it when the
 * sync says so). */
void        pa_catalog_list_reload          (PaCatalogList     *self);

/* Every stored object of kind @object ("product", "customer"…) of
 * @account, newest first: a GPtrArray of PaStripeObjectRecord. */
GPtrArray  *pa_catalog_load_objects         (PaStripeAccount   *account,
                                             const char        *object,
                                             GError           **error);

/* Helpers the views share to read Stripe's JSON defensively: a missing
 * or wrong-typed member gives NULL / FALSE, never a crash. */
const char *pa_catalog_json_string          (JsonObject    *object,
                                             const char    *member);
gboolean    pa_catalog_json_int             (JsonObject    *object,
                                             const char    *member,
                                             gint64        *value);
JsonObject *pa_catalog_json_object          (JsonObject    *object,
                                             const char    *member);
/* @data_json parsed, or NULL (with a debug message) when it is not a
 * JSON object. */
JsonObject *pa_catalog_parse_object         (const char    *data_json);
/* A date in the user's locale from Unix seconds, or "—". */
char       *pa_catalog_format_date          (gint64         unix_seconds);
/* @amount minor units of @currency, "per month" (or "every 3 months")
 * after it when @recurring (a price's "recurring") says so; "—" for
 * what is missing. */
char       *pa_catalog_format_price         (JsonObject    *price);
/* A customer's name, else its email, else NULL. */
const char *pa_catalog_customer_name        (JsonObject    *customer);
/* "—", for what Stripe did not say. */
const char *pa_catalog_missing              (void);

G_END_DECLS
