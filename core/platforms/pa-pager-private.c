/* pa-pager-private.c — pages of a list, and walking them by cursor
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-pager-private.h"

PaPage *
pa_page_new (GDestroyNotify free_item)
{
  PaPage *page = g_new0 (PaPage, 1);

  page->items = g_ptr_array_new_with_free_func (free_item);
  return page;
}

void
pa_page_free (PaPage *page)
{
  if (page == NULL)
    return;
  g_clear_pointer (&page->items, g_ptr_array_unref);
  g_free (page->next_cursor);
  g_free (page);
}

GPtrArray *
pa_page_propagate (GTask   *task,
                   char   **next_cursor,
                   GError **error)
{
  g_autoptr(PaPage) page = NULL;

  g_return_val_if_fail (G_IS_TASK (task), NULL);

  if (next_cursor != NULL)
    *next_cursor = NULL;

  page = g_task_propagate_pointer (task, error);
  if (page == NULL)
    return NULL;

  if (next_cursor != NULL)
    *next_cursor = g_steal_pointer (&page->next_cursor);
  return g_steal_pointer (&page->items);
}

/* ---- the walk ---------------------------------------------------------- */

typedef struct {
  PaPagerWalk  walk;
  GPtrArray   *items;
  char        *cursor;       /* of the page being fetched */
  guint        pages;
} Walk;

static void
walk_free (Walk *walk)
{
  g_clear_pointer (&walk->items, g_ptr_array_unref);
  g_free (walk->cursor);
  g_free (walk);
}

static void fetch_next (GTask *task);

/* Moves @page's items to the walk, up to the item cap. TRUE when the
 * cap is reached. */
static gboolean
take_items (Walk   *walk,
            PaPage *page)
{
  gsize n;
  gpointer *items = g_ptr_array_steal (page->items, &n);

  for (gsize i = 0; i < n; i++)
    {
      if (walk->walk.max_items == 0 || walk->items->len < walk->walk.max_items)
        g_ptr_array_add (walk->items, items[i]);
      else if (walk->walk.free_item != NULL)
        walk->walk.free_item (items[i]);
    }
  g_free (items);

  return walk->walk.max_items > 0 && walk->items->len >= walk->walk.max_items;
}

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Walk *walk = g_task_get_task_data (task);
  g_autoptr(PaPage) page = NULL;
  GError *error = NULL;
  gboolean full;

  page = g_task_propagate_pointer (G_TASK (result), &error);
  if (page == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  walk->pages++;
  full = take_items (walk, page);

  if (page->next_cursor == NULL || full ||
      (walk->walk.max_pages > 0 && walk->pages >= walk->walk.max_pages))
    {
      g_free (walk->cursor);
      walk->cursor = g_steal_pointer (&page->next_cursor);
      g_task_return_pointer (task, g_ptr_array_ref (walk->items),
                             (GDestroyNotify) g_ptr_array_unref);
      return;
    }

  /* The same cursor again would fetch the same page forever. */
  if (g_strcmp0 (page->next_cursor, walk->cursor) == 0)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_PROTOCOL,
                               _("%s returned the same page of %s twice; stopped paging."),
                               walk->walk.platform, walk->walk.what);
      return;
    }

  g_free (walk->cursor);
  walk->cursor = g_steal_pointer (&page->next_cursor);
  fetch_next (g_steal_pointer (&task));
}

static void
fetch_next (GTask *task)
{
  Walk *walk = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               _("Listing %s was cancelled."), walk->walk.what);
      g_object_unref (task);
      return;
    }

  walk->walk.fetch (g_task_get_source_object (task), walk->cursor, walk->items->len,
                    walk->walk.fetch_data, cancellable, page_cb, task);
}

void
pa_pager_walk_async (gpointer             source_object,
                     const PaPagerWalk   *spec,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  GTask *task;
  Walk *walk;

  g_return_if_fail (spec != NULL);
  g_return_if_fail (spec->fetch != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (source_object, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_pager_walk_async);
  /* The walk reports PA_ERROR_CANCELLED itself, as the clients do. */
  g_task_set_check_cancellable (task, FALSE);

  walk = g_new0 (Walk, 1);
  walk->walk = *spec;
  walk->items = g_ptr_array_new_with_free_func (spec->free_item);
  walk->cursor = g_strdup (spec->first_cursor);
  g_task_set_task_data (task, walk, (GDestroyNotify) walk_free);

  fetch_next (task);
}

GPtrArray *
pa_pager_walk_finish (GAsyncResult  *result,
                      char         **next_cursor,
                      GError       **error)
{
  GTask *task = G_TASK (result);
  Walk *walk = g_task_get_task_data (task);
  GPtrArray *items;

  g_return_val_if_fail (g_task_get_source_tag (task) == pa_pager_walk_async, NULL);

  if (next_cursor != NULL)
    *next_cursor = NULL;

  items = g_task_propagate_pointer (task, error);
  if (items != NULL && next_cursor != NULL)
    *next_cursor = g_strdup (walk->cursor);
  return items;
}
