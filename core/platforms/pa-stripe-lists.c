/* pa-stripe-lists.c — walking every page of a Stripe list, and the events sync
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-json-private.h"
#include "pa-pager-private.h"
#include "pa-stripe-private.h"

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
  if (n > 0 && pa_json_get_boolean (object, "has_more"))
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
  PaHttpRequest *request = pa_stripe_request (self, "GET", walk->path);
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

  pa_stripe_send_object (self, request, fetch_page, cancellable, page_fetched_cb, task);
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
      g_task_report_new_error (self, callback, user_data, pa_stripe_list_all_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is not a Stripe list path such as /v1/charges."), path);
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

void
pa_stripe_list_events_page_async (PaStripe            *self,
                                  const char          *starting_after,
                                  const char          *ending_before,
                                  gint64               created_gt,
                                  guint                limit,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  PaHttpRequest *request;

  g_return_if_fail (PA_IS_STRIPE (self));

  if (starting_after != NULL && starting_after[0] == '\0')
    starting_after = NULL;
  if (ending_before != NULL && ending_before[0] == '\0')
    ending_before = NULL;
  /* Stripe refuses both cursors at once; say so before sending. */
  if (starting_after != NULL && ending_before != NULL)
    {
      g_task_report_new_error (self, callback, user_data, pa_stripe_list_events_page_async,
                               PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("A page of Stripe events starts after one event or ends "
                                 "before one, not both."));
      return;
    }

  request = pa_stripe_request (self, "GET", "/v1/events");
  pa_http_request_add_query_int (request, "limit",
                                 CLAMP (limit, 1, PA_STRIPE_MAX_PAGE_SIZE));
  if (starting_after != NULL)
    pa_http_request_add_query (request, "starting_after", starting_after);
  if (ending_before != NULL)
    pa_http_request_add_query (request, "ending_before", ending_before);
  if (created_gt > 0)
    pa_http_request_add_query_int (request, "created[gt]", created_gt);
  pa_stripe_send_object (self, request, pa_stripe_list_events_page_async,
                         cancellable, callback, user_data);
}
