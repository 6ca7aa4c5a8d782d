/* pa-pager-private.h — pages of a list, and walking them by cursor
 *
 * Stripe, Vercel and n8n list in pages: each answer holds some items and
 * a cursor for the next page. A client fetches one page as a PaPage; the
 * pager follows the cursors from page to page for lists read whole.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-pager-private.h is private to core/platforms: use its public headers"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct {
  GPtrArray *items;         /* owns its items */
  char      *next_cursor;   /* NULL on the last page */
} PaPage;

PaPage    *pa_page_new       (GDestroyNotify  free_item);
void       pa_page_free      (PaPage         *page);
/* Finishes a task that completed with a PaPage (g_task_return_pointer):
 * returns its items and sets @next_cursor (if not NULL) to the cursor of
 * the next page, NULL after the last page or on error. */
GPtrArray *pa_page_propagate (GTask          *task,
                              char          **next_cursor,
                              GError        **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaPage, pa_page_free)

/* Fetches the page at @cursor (NULL: the first page) when @n_items items
 * are already collected, and completes a GTask with a PaPage. */
typedef void (*PaPagerFetchFunc) (gpointer             source_object,
                                  const char          *cursor,
                                  guint                n_items,
                                  gpointer             fetch_data,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data);

/* What to walk, and where to stop. */
typedef struct {
  const char       *platform;      /* "Stripe", for messages */
  const char       *what;          /* what is listed, e.g. "/v1/charges", for messages */
  const char       *first_cursor;  /* NULL: from the first page */
  guint             max_pages;     /* 0: no cap */
  guint             max_items;     /* 0: no cap; the items past it are dropped */
  GDestroyNotify    free_item;
  PaPagerFetchFunc  fetch;
  gpointer          fetch_data;
} PaPagerWalk;

/* Fetches pages one after the other, following each page's cursor, until
 * a page has no next cursor, or a cap is reached. A page whose next
 * cursor is the one it was fetched with ends the walk with
 * PA_ERROR_PROTOCOL (the list would never end); a failed page ends it
 * with that page's error and drops what was collected; cancelling ends
 * it with PA_ERROR_CANCELLED. @walk is copied, not its strings or data:
 * they must outlive the walk. */
void       pa_pager_walk_async  (gpointer             source_object,
                                 const PaPagerWalk   *walk,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
/* The items in page order. @next_cursor (if not NULL) is set to the next
 * cursor of the last page fetched: NULL when the list was read to its end,
 * else where a walk stopped by a cap would go on (items dropped past
 * @max_items on that last page are behind it). */
GPtrArray *pa_pager_walk_finish (GAsyncResult        *result,
                                 char               **next_cursor,
                                 GError             **error);

G_END_DECLS
