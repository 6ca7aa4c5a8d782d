/* test-pager.c — walking a paged list by cursor: order, caps, errors, cancelling
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pa-error.h"
#include "pa-pager-private.h"

/* A list of pages, each "item,item,…" with the cursor of the next page
 * after a "|", e.g. "a,b|c1". The page at cursor "cN" is pages[N]. */
typedef struct {
  const char * const *pages;
  guint               fail_at;      /* fetch number that fails, 1-based; 0: none */
  guint               cancel_at;    /* fetch number that cancels, 1-based; 0: none */
  GCancellable       *cancellable;
  GPtrArray          *cursors;      /* what each fetch was asked for ("-" for NULL) */
  GArray             *n_items;      /* what each fetch was told was collected */
} FakeList;

static void
fake_list_init (FakeList           *list,
                const char * const *pages)
{
  memset (list, 0, sizeof *list);
  list->pages = pages;
  list->cursors = g_ptr_array_new_with_free_func (g_free);
  list->n_items = g_array_new (FALSE, FALSE, sizeof (guint));
}

static void
fake_list_clear (FakeList *list)
{
  g_clear_pointer (&list->cursors, g_ptr_array_unref);
  g_clear_pointer (&list->n_items, g_array_unref);
  g_clear_object (&list->cancellable);
}

static void
fake_fetch (gpointer             source_object,
            const char          *cursor,
            guint                n_items,
            gpointer             fetch_data,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  FakeList *list = fetch_data;
  g_autoptr(GTask) task = g_task_new (source_object, cancellable, callback, user_data);
  g_autoptr(PaPage) page = pa_page_new (g_free);
  g_auto(GStrv) parts = NULL;
  g_auto(GStrv) items = NULL;
  guint index = 0;

  /* Cancelling is the pager's to notice, between pages. */
  g_task_set_check_cancellable (task, FALSE);
  g_ptr_array_add (list->cursors, g_strdup (cursor != NULL ? cursor : "-"));
  g_array_append_val (list->n_items, n_items);

  if (list->fail_at == list->cursors->len)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_UNAVAILABLE, "page %u is down",
                               list->cursors->len);
      return;
    }
  if (list->cancel_at == list->cursors->len)
    g_cancellable_cancel (list->cancellable);

  if (cursor != NULL)
    {
      g_assert_true (cursor[0] == 'c');
      index = (guint) g_ascii_strtoull (cursor + 1, NULL, 10);
    }
  g_assert_cmpuint (index, <, g_strv_length ((char **) list->pages));

  /* g_strsplit() of "" is an empty vector: an empty page. */
  parts = g_strsplit (list->pages[index], "|", 2);
  if (parts[0] != NULL)
    {
      items = g_strsplit (parts[0], ",", -1);
      for (guint i = 0; items[i] != NULL; i++)
        g_ptr_array_add (page->items, g_strdup (items[i]));
      page->next_cursor = g_strdup (parts[1]);
    }

  g_task_return_pointer (task, g_steal_pointer (&page), (GDestroyNotify) pa_page_free);
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Walks @list and returns the items joined by ",", or NULL with @error. */
static char *
walk (FakeList    *list,
      const char  *first_cursor,
      guint        max_pages,
      guint        max_items,
      char       **next_cursor,
      GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) items = NULL;
  g_autoptr(GString) joined = g_string_new (NULL);
  PaPagerWalk spec = {
    .platform = "Fakebook",
    .what = "/v1/things",
    .first_cursor = first_cursor,
    .max_pages = max_pages,
    .max_items = max_items,
    .free_item = g_free,
    .fetch = fake_fetch,
    .fetch_data = list,
  };

  pa_pager_walk_async (NULL, &spec, list->cancellable, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  items = pa_pager_walk_finish (result, next_cursor, error);
  if (items == NULL)
    return NULL;
  for (guint i = 0; i < items->len; i++)
    g_string_append_printf (joined, "%s%s", i > 0 ? "," : "", (char *) items->pdata[i]);
  return g_string_free (g_steal_pointer (&joined), FALSE);
}

static char *
joined_cursors (FakeList *list)
{
  g_ptr_array_add (list->cursors, NULL);
  return g_strjoinv (" ", (char **) list->cursors->pdata);
}

static const char * const three_pages[] = {
  "a,b|c1",
  "c,d|c2",
  "e",
  NULL
};

static char stale_marker[] = "stale";

static void
test_follows_cursor (void)
{
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;
  /* An out argument holds no value of the caller's: the walk must
   * overwrite this marker, which nobody frees. */
  char *next = stale_marker;
  g_autofree char *cursors = NULL;

  fake_list_init (&list, three_pages);
  items = walk (&list, NULL, 0, 0, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "a,b,c,d,e");
  g_assert_null (next);
  cursors = joined_cursors (&list);
  g_assert_cmpstr (cursors, ==, "- c1 c2");
  g_assert_cmpuint (g_array_index (list.n_items, guint, 0), ==, 0);
  g_assert_cmpuint (g_array_index (list.n_items, guint, 1), ==, 2);
  g_assert_cmpuint (g_array_index (list.n_items, guint, 2), ==, 4);
  fake_list_clear (&list);

  /* A walk may start from a cursor. */
  fake_list_init (&list, three_pages);
  g_clear_pointer (&items, g_free);
  items = walk (&list, "c1", 0, 0, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "c,d,e");
  g_assert_cmpuint (list.cursors->len, ==, 2);
  fake_list_clear (&list);

  /* An empty list is one fetch and nothing. */
  {
    const char * const empty[] = { "", NULL };

    fake_list_init (&list, empty);
    g_clear_pointer (&items, g_free);
    items = walk (&list, NULL, 0, 0, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (items, ==, "");
    g_assert_cmpuint (list.cursors->len, ==, 1);
    fake_list_clear (&list);
  }
}

static void
test_page_cap (void)
{
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;
  g_autofree char *next = NULL;

  fake_list_init (&list, three_pages);
  items = walk (&list, NULL, 2, 0, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "a,b,c,d");
  /* Two pages fetched, and where a next walk would go on. */
  g_assert_cmpuint (list.cursors->len, ==, 2);
  g_assert_cmpstr (next, ==, "c2");
  fake_list_clear (&list);

  fake_list_init (&list, three_pages);
  g_clear_pointer (&items, g_free);
  g_clear_pointer (&next, g_free);
  items = walk (&list, next, 1, 0, &next, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "a,b");
  g_assert_cmpstr (next, ==, "c1");
  fake_list_clear (&list);
}

static void
test_item_cap (void)
{
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;
  g_autofree char *cursors = NULL;

  /* Stops mid-page, without fetching the third page. */
  fake_list_init (&list, three_pages);
  items = walk (&list, NULL, 0, 3, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "a,b,c");
  cursors = joined_cursors (&list);
  g_assert_cmpstr (cursors, ==, "- c1");
  fake_list_clear (&list);

  /* A cap met exactly at a page's end fetches no more either. */
  fake_list_init (&list, three_pages);
  g_clear_pointer (&items, g_free);
  items = walk (&list, NULL, 0, 2, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (items, ==, "a,b");
  g_assert_cmpuint (list.cursors->len, ==, 1);
  fake_list_clear (&list);
}

static void
test_error_midway (void)
{
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;
  /* An out argument holds no value of the caller's: the walk must
   * overwrite this marker, which nobody frees. */
  char *next = stale_marker;

  fake_list_init (&list, three_pages);
  list.fail_at = 2;
  items = walk (&list, NULL, 0, 0, &next, &error);
  g_assert_null (items);
  g_assert_null (next);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_cmpstr (error->message, ==, "page 2 is down");
  /* Nothing is fetched after the failed page. */
  g_assert_cmpuint (list.cursors->len, ==, 2);
  fake_list_clear (&list);
}

static void
test_same_page_twice (void)
{
  const char * const looping[] = { "a|c1", "b|c1", NULL };
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;

  fake_list_init (&list, looping);
  items = walk (&list, NULL, 0, 0, NULL, &error);
  g_assert_null (items);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "Fakebook"));
  g_assert_nonnull (strstr (error->message, "/v1/things"));
  g_assert_cmpuint (list.cursors->len, ==, 2);
  fake_list_clear (&list);
}

static void
test_cancelled (void)
{
  FakeList list;
  g_autoptr(GError) error = NULL;
  g_autofree char *items = NULL;

  fake_list_init (&list, three_pages);
  list.cancellable = g_cancellable_new ();
  list.cancel_at = 1;
  items = walk (&list, NULL, 0, 0, NULL, &error);
  g_assert_null (items);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpuint (list.cursors->len, ==, 1);
  fake_list_clear (&list);

  /* Cancelled before it starts: nothing is fetched. */
  fake_list_init (&list, three_pages);
  list.cancellable = g_cancellable_new ();
  g_cancellable_cancel (list.cancellable);
  g_clear_error (&error);
  items = walk (&list, NULL, 0, 0, NULL, &error);
  g_assert_null (items);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpuint (list.cursors->len, ==, 0);
  fake_list_clear (&list);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/pager/follows-cursor", test_follows_cursor);
  g_test_add_func ("/pager/page-cap", test_page_cap);
  g_test_add_func ("/pager/item-cap", test_item_cap);
  g_test_add_func ("/pager/error-midway", test_error_midway);
  g_test_add_func ("/pager/same-page-twice", test_same_page_twice);
  g_test_add_func ("/pager/cancelled", test_cancelled);

  return g_test_run ();
}
