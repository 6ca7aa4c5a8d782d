/* pa-payment-list.c — the stored payments as a lazy GListModel of PaPayment
 *
 * SPDX-License-Identifier: MIT
 *
 * A GtkListView asks for the rows it shows, a screenful at a time, and
 * for the ones around them while it scrolls. So only the count is read
 * up front, and get_item() reads the page of PAGE_SIZE rows that holds
 * the position; the MAX_PAGES pages used last are kept (the screen's
 * page and its neighbours), so scrolling through the list in order reads
 * each page once, and 100,000 payments cost what the visible ones cost.
 *
 * reload() is called when the stored copy changed (the sync's ::changed).
 * New payments arrive at the top, so when the rows that were there are
 * still where they were, shifted down by the new ones, it says just that
 * (items-changed (0, 0, added)): the view keeps its rows and its place.
 * Rows that were read before and changed (a refund, a dispute) are
 * announced one by one. Anything else (rows gone, rows that appeared
 * below the top, a filter that now matches others) replaces the whole
 * list, which is always right, if less smooth.
 */
#include "config.h"

#include "pa-payment.h"
#include "pa-payment-list.h"

/* Rows read at once: a few screens' worth, one statement. */
#define PAGE_SIZE 200
/* Pages kept: the one on screen, the one the view reads ahead into, and
 * room to scroll back and forth without reading again. */
#define MAX_PAGES 4
/* More changed rows than this are announced as one range. */
#define MAX_SINGLE_CHANGES 32

typedef struct {
  guint      index;      /* position / PAGE_SIZE */
  GPtrArray *items;      /* PaPayment, as read (may be short) */
  guint64    used;       /* the list's tick when last asked for */
} Page;

struct _PaPaymentList
{
  GObject                parent_instance;

  PaStore               *store;
  char                  *profile;

  /* The filter, with its strings owned here. */
  PaStripePaymentFilter  filter;
  char                  *search;
  char                  *status;
  char                  *currency;

  guint                  n_items;
  /* The first row's id when the count was read: where the old rows must
   * be found again for reload() to call the change an insertion. */
  char                  *top_id;

  Page                   pages[MAX_PAGES];
  guint                  n_pages;
  guint64                tick;
  guint                  page_reads;

  GError                *error;
};

enum {
  PROP_0,
  PROP_ERROR,
  PROP_PAGE_READS,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pa_payment_list_model_init (GListModelInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PaPaymentList, pa_payment_list, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_LIST_MODEL,
                                                      pa_payment_list_model_init))

/* ---- errors -------------------------------------------------------------- */

static void
set_error (PaPaymentList *self,
           GError        *error)
{
  g_clear_error (&self->error);
  self->error = error;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

static void
clear_error (PaPaymentList *self)
{
  if (self->error == NULL)
    return;
  g_clear_error (&self->error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
}

/* ---- pages --------------------------------------------------------------- */

static void
clear_pages (PaPaymentList *self)
{
  for (guint i = 0; i < self->n_pages; i++)
    g_clear_pointer (&self->pages[i].items, g_ptr_array_unref);
  self->n_pages = 0;
}

/* Rows [@offset, @offset + @limit) as PaPayment, or NULL and the error
 * recorded. */
static GPtrArray *
read_rows (PaPaymentList *self,
           guint          offset,
           guint          limit)
{
  g_autoptr(GPtrArray) records = NULL;
  GPtrArray *items;
  GError *error = NULL;

  self->page_reads++;
  records = pa_store_stripe_list_payments (self->store, self->profile, &self->filter,
                                           offset, limit, &error);
  if (records == NULL)
    {
      set_error (self, error);
      return NULL;
    }

  items = g_ptr_array_new_full (records->len, g_object_unref);
  for (guint i = 0; i < records->len; i++)
    g_ptr_array_add (items, pa_payment_new (records->pdata[i]));
  return items;
}

static Page *
find_page (PaPaymentList *self,
           guint          index)
{
  Page *page;
  guint slot;

  for (guint i = 0; i < self->n_pages; i++)
    if (self->pages[i].index == index)
      {
        self->pages[i].used = ++self->tick;
        return &self->pages[i];
      }

  /* Not kept: read it into a free slot, else the least recently used. */
  if (self->n_pages < MAX_PAGES)
    {
      slot = self->n_pages;
    }
  else
    {
      slot = 0;
      for (guint i = 1; i < self->n_pages; i++)
        if (self->pages[i].used < self->pages[slot].used)
          slot = i;
    }

  {
    GPtrArray *items = read_rows (self, index * PAGE_SIZE, PAGE_SIZE);

    if (items == NULL)
      return NULL;
    if (slot == self->n_pages)
      self->n_pages++;
    else
      g_ptr_array_unref (self->pages[slot].items);
    page = &self->pages[slot];
    page->index = index;
    page->items = items;
    page->used = ++self->tick;
  }
  return page;
}

/* ---- GListModel ---------------------------------------------------------- */

static GType
pa_payment_list_get_item_type (GListModel *model)
{
  return PA_TYPE_PAYMENT;
}

static guint
pa_payment_list_get_n_items (GListModel *model)
{
  return PA_PAYMENT_LIST (model)->n_items;
}

static gpointer
pa_payment_list_get_item (GListModel *model,
                          guint       position)
{
  PaPaymentList *self = PA_PAYMENT_LIST (model);
  Page *page;
  guint at;

  if (position >= self->n_items)
    return NULL;

  page = find_page (self, position / PAGE_SIZE);
  /* The database failed (the error is recorded), or rows went away
   * since the count was read (the next reload() says so): no row. */
  if (page == NULL)
    return NULL;
  at = position % PAGE_SIZE;
  if (at >= page->items->len)
    return NULL;
  return g_object_ref (page->items->pdata[at]);
}

static void
pa_payment_list_model_init (GListModelInterface *iface)
{
  iface->get_item_type = pa_payment_list_get_item_type;
  iface->get_n_items = pa_payment_list_get_n_items;
  iface->get_item = pa_payment_list_get_item;
}

/* ---- counting ------------------------------------------------------------ */

/* Reads the count and the first row's id into *@n and *@top_id; FALSE
 * with the error recorded when the database failed. */
static gboolean
read_count (PaPaymentList  *self,
            guint          *n,
            char          **top_id)
{
  g_autoptr(GPtrArray) top = NULL;
  GError *error = NULL;
  guint count;

  count = pa_store_stripe_count_payments (self->store, self->profile, &self->filter, &error);
  if (error != NULL)
    {
      set_error (self, error);
      return FALSE;
    }

  *top_id = NULL;
  if (count > 0)
    {
      top = pa_store_stripe_list_payments (self->store, self->profile, &self->filter,
                                           0, 1, &error);
      if (top == NULL)
        {
          set_error (self, error);
          return FALSE;
        }
      if (top->len > 0)
        *top_id = g_strdup (((PaStripePaymentRecord *) top->pdata[0])->id);
    }
  *n = count;
  return TRUE;
}

static void
replace_all (PaPaymentList *self,
             guint          n_items,
             char          *top_id)
{
  guint old = self->n_items;

  clear_pages (self);
  g_free (self->top_id);
  self->top_id = top_id;
  self->n_items = n_items;
  if (old > 0 || n_items > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, old, n_items);
}

/* ---- comparing ----------------------------------------------------------- */

static gboolean
records_equal (const PaStripePaymentRecord *a,
               const PaStripePaymentRecord *b)
{
  return g_strcmp0 (a->id, b->id) == 0
    && a->created == b->created
    && a->amount == b->amount
    && a->amount_refunded == b->amount_refunded
    && g_strcmp0 (a->currency, b->currency) == 0
    && g_strcmp0 (a->status, b->status) == 0
    && !a->disputed == !b->disputed
    && g_strcmp0 (a->payment_intent, b->payment_intent) == 0
    && g_strcmp0 (a->customer, b->customer) == 0
    && g_strcmp0 (a->email, b->email) == 0
    && g_strcmp0 (a->name, b->name) == 0
    && g_strcmp0 (a->description, b->description) == 0
    && g_strcmp0 (a->method, b->method) == 0
    && g_strcmp0 (a->card_brand, b->card_brand) == 0
    && g_strcmp0 (a->card_last4, b->card_last4) == 0
    && !a->livemode == !b->livemode;
}

static gint
compare_positions (gconstpointer a,
                   gconstpointer b)
{
  guint x = *(const guint *) a;
  guint y = *(const guint *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

/* The kept pages hold the old rows; reads them again where they must be
 * now (@added rows further down) and appends to @changed the new
 * positions of those whose content changed. FALSE when a row is not
 * where it should be (or the database failed: the caller then replaces
 * everything, which is right either way). */
static gboolean
compare_kept_pages (PaPaymentList *self,
                    guint          added,
                    GArray        *changed)
{
  for (guint i = 0; i < self->n_pages; i++)
    {
      Page *page = &self->pages[i];
      guint start = page->index * PAGE_SIZE + added;
      g_autoptr(GPtrArray) fresh = NULL;

      if (page->items->len == 0)
        continue;
      fresh = read_rows (self, start, page->items->len);
      if (fresh == NULL || fresh->len != page->items->len)
        return FALSE;
      for (guint j = 0; j < fresh->len; j++)
        {
          const PaStripePaymentRecord *old = pa_payment_get_record (page->items->pdata[j]);
          const PaStripePaymentRecord *now = pa_payment_get_record (fresh->pdata[j]);
          guint position = start + j;

          if (g_strcmp0 (old->id, now->id) != 0)
            return FALSE;
          if (!records_equal (old, now))
            g_array_append_val (changed, position);
        }
    }
  return TRUE;
}

/* Announces the rows at @changed (positions, any order) as changed in
 * place: one by one while they are few, else as one range. */
static void
announce_changed (PaPaymentList *self,
                  GArray        *changed)
{
  guint first, last;

  if (changed->len == 0)
    return;
  g_array_sort (changed, compare_positions);
  first = g_array_index (changed, guint, 0);
  last = g_array_index (changed, guint, changed->len - 1);

  if (changed->len > MAX_SINGLE_CHANGES)
    {
      g_list_model_items_changed (G_LIST_MODEL (self), first, last - first + 1, last - first + 1);
      return;
    }

  /* Runs of neighbours as one change each. */
  for (guint i = 0; i < changed->len;)
    {
      guint start = g_array_index (changed, guint, i);
      guint end = start;

      while (++i < changed->len && g_array_index (changed, guint, i) == end + 1)
        end++;
      g_list_model_items_changed (G_LIST_MODEL (self), start, end - start + 1, end - start + 1);
    }
}

/* ---- GObject ------------------------------------------------------------- */

static void
pa_payment_list_finalize (GObject *object)
{
  PaPaymentList *self = PA_PAYMENT_LIST (object);

  clear_pages (self);
  g_clear_object (&self->store);
  g_free (self->profile);
  g_free (self->search);
  g_free (self->status);
  g_free (self->currency);
  g_free (self->top_id);
  g_clear_error (&self->error);

  G_OBJECT_CLASS (pa_payment_list_parent_class)->finalize (object);
}

static void
pa_payment_list_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PaPaymentList *self = PA_PAYMENT_LIST (object);

  switch (prop_id)
    {
    case PROP_ERROR:
      g_value_set_boxed (value, self->error);
      break;
    case PROP_PAGE_READS:
      g_value_set_uint (value, self->page_reads);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_payment_list_class_init (PaPaymentListClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_payment_list_finalize;
  object_class->get_property = pa_payment_list_get_property;

  /* The last read's error (NULL after a read that worked). */
  properties[PROP_ERROR] =
    g_param_spec_boxed ("error", NULL, NULL, G_TYPE_ERROR,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  /* How many statements read rows (see pa_payment_list_get_page_reads). */
  properties[PROP_PAGE_READS] =
    g_param_spec_uint ("page-reads", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_payment_list_init (PaPaymentList *self)
{
  pa_stripe_payment_filter_init (&self->filter);
}

/* ---- public -------------------------------------------------------------- */

PaPaymentList *
pa_payment_list_new (PaStore    *store,
                     const char *profile)
{
  PaPaymentList *self;
  char *top_id = NULL;
  guint n = 0;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (PA_TYPE_PAYMENT_LIST, NULL);
  self->store = g_object_ref (store);
  self->profile = g_strdup (profile);
  /* A database that fails now gives an empty list with its error. */
  if (read_count (self, &n, &top_id))
    {
      self->n_items = n;
      self->top_id = top_id;
    }
  return self;
}

void
pa_payment_list_set_filter (PaPaymentList               *self,
                            const PaStripePaymentFilter *filter)
{
  char *top_id = NULL;
  guint n = 0;

  g_return_if_fail (PA_IS_PAYMENT_LIST (self));

  g_clear_pointer (&self->search, g_free);
  g_clear_pointer (&self->status, g_free);
  g_clear_pointer (&self->currency, g_free);
  if (filter != NULL)
    {
      self->filter = *filter;
      self->search = g_strdup (filter->search);
      self->status = g_strdup (filter->status);
      self->currency = g_strdup (filter->currency);
    }
  else
    {
      pa_stripe_payment_filter_init (&self->filter);
    }
  self->filter.search = self->search;
  self->filter.status = self->status;
  self->filter.currency = self->currency;

  /* Other rows match now: the whole list is new. When the count cannot
   * be read the list is empty, with the error to show. */
  if (read_count (self, &n, &top_id))
    clear_error (self);
  replace_all (self, n, top_id);
}

void
pa_payment_list_reload (PaPaymentList *self)
{
  g_autoptr(GArray) changed = NULL;
  char *top_id = NULL;
  guint old, n = 0, added;

  g_return_if_fail (PA_IS_PAYMENT_LIST (self));

  /* A database that fails keeps what is shown, with the error to show. */
  if (!read_count (self, &n, &top_id))
    return;
  clear_error (self);

  old = self->n_items;
  if (old == 0 || n < old || self->top_id == NULL)
    {
      replace_all (self, n, top_id);
      return;
    }

  /* The old first row must be where the new rows pushed it, and every
   * row read before where it was plus the new ones. */
  added = n - old;
  changed = g_array_new (FALSE, FALSE, sizeof (guint));
  if (added > 0)
    {
      g_autoptr(GPtrArray) row = read_rows (self, added, 1);

      if (row == NULL || row->len != 1
          || g_strcmp0 (pa_payment_get_id (row->pdata[0]), self->top_id) != 0)
        {
          replace_all (self, n, top_id);
          return;
        }
    }
  if (!compare_kept_pages (self, added, changed))
    {
      replace_all (self, n, top_id);
      return;
    }

  /* The pages' positions moved: read them again when asked. The view
   * keeps the objects it holds for the rows not announced. */
  clear_pages (self);
  g_free (self->top_id);
  self->top_id = top_id;
  self->n_items = n;
  if (added > 0)
    g_list_model_items_changed (G_LIST_MODEL (self), 0, 0, added);
  announce_changed (self, changed);
}

const GError *
pa_payment_list_get_error (PaPaymentList *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT_LIST (self), NULL);
  return self->error;
}

guint
pa_payment_list_get_page_reads (PaPaymentList *self)
{
  g_return_val_if_fail (PA_IS_PAYMENT_LIST (self), 0);
  return self->page_reads;
}
