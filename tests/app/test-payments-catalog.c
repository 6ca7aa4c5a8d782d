/* test-payments-catalog.c — the products, customers and subscriptions
 * views under X against the scripted Stripe account peer
 * (tests/peers/stripe-account-peer.mjs): empty before a sync, then as
 * many rows as the peer lists once the sync says the copy changed, a
 * subscription's status as a coloured pill, the search narrowing each
 * list and saying when nothing matches, and stored objects whose fields
 * are missing or of the wrong type shown as "—"
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "playalter.h"
#include "pa-catalog-list.h"
#include "pa-customers-view.h"
#include "pa-products-view.h"
#include "pa-subscriptions-view.h"
#include "pa-test-gui.h"
#include "pa-test-peer-private.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"

/* The GUI's bundle (resources/), which the application registers. */
void playalter_register_resource (void);

#define PROFILE "default"
/* The seed is the number of payments, 200: 4 products, ~67 customers,
 * 10 subscriptions. Over 25
 * days, so every object's events are inside the first sync's 30. */
#define SEED 200
static const char *const peer_args[] = { "--days", "25", NULL };

typedef struct {
  PaTestPeer      *peer;
  char            *dir;
  PaStore         *store;
  PaStripe        *client;
  PaStripeAccount *account;
  GtkWidget       *window;
  PaCatalogList   *products;
  PaCatalogList   *customers;
  PaCatalogList   *subscriptions;
} Fixture;

/* ---- helpers ------------------------------------------------------------ */

typedef struct {
  gboolean  done;
  gint64    n_new;
  JsonNode *node;
  GError   *error;
} Wait;

static void
sync_done (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Wait *wait = data;

  wait->n_new = pa_stripe_sync_run_finish (PA_STRIPE_SYNC (source), result, &wait->error);
  wait->done = TRUE;
}

static void
sync_now (Fixture *f)
{
  Wait wait = { 0 };

  pa_stripe_sync_run_async (pa_stripe_account_get_sync (f->account), NULL, sync_done, &wait);
  WAIT_FOR (wait.done);
  g_assert_no_error (wait.error);
  g_test_message ("synced: %" G_GINT64_FORMAT " new events", wait.n_new);
  g_assert_cmpint (wait.n_new, >, 0);
}

static void
object_done (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  Wait *wait = data;

  wait->node = pa_stripe_object_finish (PA_STRIPE (source), result, &wait->error);
  wait->done = TRUE;
}

/* How many objects the peer lists at @path (all pages). */
static guint
peer_count (Fixture    *f,
            const char *path)
{
  Wait wait = { 0 };
  guint n;

  pa_stripe_list_all_async (f->client, path, 0, NULL, object_done, &wait);
  WAIT_FOR (wait.done);
  g_assert_no_error (wait.error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (wait.node));
  n = json_array_get_length (json_node_get_array (wait.node));
  json_node_unref (wait.node);
  g_test_message ("the peer lists %u at %s", n, path);
  return n;
}

/* The peer's subscriptions in every status (its default leaves out the
 * canceled ones, as Stripe's does): a JSON array, newest first. */
static JsonArray *
peer_subscriptions (Fixture *f)
{
  Wait wait = { 0 };
  JsonObject *list;
  JsonArray *data;

  pa_stripe_list_subscriptions_async (f->client, "all", 100, NULL, NULL, object_done, &wait);
  WAIT_FOR (wait.done);
  g_assert_no_error (wait.error);
  list = json_node_get_object (wait.node);
  /* One page holds them all at this seed. */
  g_assert_false (json_object_get_boolean_member (list, "has_more"));
  data = json_array_ref (json_object_get_array_member (list, "data"));
  json_node_unref (wait.node);
  return data;
}

/* The lists reload a moment after the sync's last ::changed. */
static void
wait_for_reloads (Fixture *f)
{
  WAIT_FOR (pa_catalog_list_get_n_items (f->products) > 0 &&
            pa_catalog_list_get_n_items (f->customers) > 0 &&
            pa_catalog_list_get_n_items (f->subscriptions) > 0);
  WAIT_UNTIL (FALSE, 1);
}

static PaCatalogList *
list_of (GtkWidget *view)
{
  return find_one (view, PA_TYPE_CATALOG_LIST);
}

static void
assert_state (PaCatalogList *list,
              const char    *what,
              const char    *state)
{
  if (g_strcmp0 (pa_catalog_list_get_state (list), state) != 0)
    g_error ("The %s list should show \"%s\", shows \"%s\"", what, state,
             pa_catalog_list_get_state (list));
  g_test_message ("%s: %s", what, state);
}

/* The shown status page says @title, on screen. */
static void
assert_status_page (PaCatalogList *list,
                    const char    *title)
{
  g_autoptr(GPtrArray) pages = find_all (list, ADW_TYPE_STATUS_PAGE);
  guint mapped = 0;

  for (guint i = 0; i < pages->len; i++)
    if (gtk_widget_get_mapped (pages->pdata[i]))
      {
        mapped++;
        g_assert_cmpstr (adw_status_page_get_title (pages->pdata[i]), ==, title);
      }
  g_assert_cmpuint (mapped, ==, 1);
}

static PaCatalogItem *
find_item (PaCatalogList *list,
           const char    *id)
{
  for (guint i = 0; i < pa_catalog_list_get_n_shown (list); i++)
    {
      PaCatalogItem *item = pa_catalog_list_get_shown (list, i);

      if (g_strcmp0 (pa_catalog_item_get_id (item), id) == 0)
        return item;
    }
  return NULL;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  GtkWidget *box;

  if (!need_display ())
    return;
  f->peer = pa_test_stripe_account_start (SEED, peer_args, &error);
  if (!pa_test_require_no_error (error))
    return;
  f->dir = g_dir_make_tmp ("test-payments-catalog-XXXXXX", &error);
  g_assert_no_error (error);
  f->store = pa_store_open (f->dir, &error);
  g_assert_no_error (error);
  f->client = pa_test_stripe_account_client (f->peer, PROFILE);
  f->account = pa_stripe_account_new (f->store, f->client, NULL, PROFILE);

  box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_box_set_homogeneous (GTK_BOX (box), TRUE);
  gtk_box_append (GTK_BOX (box), pa_products_view_new ());
  gtk_box_append (GTK_BOX (box), pa_customers_view_new ());
  gtk_box_append (GTK_BOX (box), pa_subscriptions_view_new ());
  f->window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (f->window), 1200, 700);
  gtk_window_set_child (GTK_WINDOW (f->window), box);
  gtk_window_present (GTK_WINDOW (f->window));
  WAIT_FOR (gtk_widget_get_mapped (box));

  f->products = list_of (gtk_widget_get_first_child (box));
  f->customers = list_of (gtk_widget_get_next_sibling (gtk_widget_get_first_child (box)));
  f->subscriptions = list_of (gtk_widget_get_last_child (box));
  pa_products_view_set_account (PA_PRODUCTS_VIEW (gtk_widget_get_first_child (box)), f->account);
  pa_customers_view_set_account (PA_CUSTOMERS_VIEW (gtk_widget_get_next_sibling (
                                   gtk_widget_get_first_child (box))), f->account);
  pa_subscriptions_view_set_account (PA_SUBSCRIPTIONS_VIEW (gtk_widget_get_last_child (box)),
                                     f->account);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->window != NULL)
    gtk_window_destroy (GTK_WINDOW (f->window));
  g_clear_object (&f->account);
  g_clear_object (&f->client);
  g_clear_object (&f->store);
  if (f->dir != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!pa_test_remove_tree (f->dir, &error))
        g_test_message ("could not remove %s: %s", f->dir, error->message);
      g_free (f->dir);
    }
  g_clear_pointer (&f->peer, pa_test_peer_stop);
}

#define NEEDS_FIXTURE(f) G_STMT_START { if ((f)->account == NULL) return; } G_STMT_END

/* ---- cases ---------------------------------------------------------------- */

/* Nothing synced yet: each list says so on a status page, not blank. */
static void
test_empty (Fixture       *f,
            gconstpointer  data)
{
  NEEDS_FIXTURE (f);

  assert_state (f->products, "products", "empty");
  assert_state (f->customers, "customers", "empty");
  assert_state (f->subscriptions, "subscriptions", "empty");
  wait_for_paint (f->window);
  assert_status_page (f->products, "No Products");
  assert_status_page (f->customers, "No Customers");
  assert_status_page (f->subscriptions, "No Subscriptions");
}

/* After a sync, each list has the rows the peer lists, without being
 * asked: the sync's ::changed reloads them. */
static void
test_counts (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(JsonArray) subscriptions = NULL;
  guint n_products, n_customers;

  NEEDS_FIXTURE (f);

  sync_now (f);
  n_products = peer_count (f, "/v1/products");
  n_customers = peer_count (f, "/v1/customers");
  subscriptions = peer_subscriptions (f);
  g_assert_cmpuint (n_products, >, 0);
  g_assert_cmpuint (n_customers, >, 0);
  g_assert_cmpuint (json_array_get_length (subscriptions), >, 0);

  /* Each list reloads a moment after the sync's last ::changed. */
  WAIT_UNTIL (pa_catalog_list_get_n_items (f->products) == n_products &&
              pa_catalog_list_get_n_items (f->customers) == n_customers &&
              pa_catalog_list_get_n_items (f->subscriptions) ==
              json_array_get_length (subscriptions), 20);
  g_test_message ("listed: %u products, %u customers, %u subscriptions",
                  pa_catalog_list_get_n_items (f->products),
                  pa_catalog_list_get_n_items (f->customers),
                  pa_catalog_list_get_n_items (f->subscriptions));
  g_assert_cmpuint (pa_catalog_list_get_n_items (f->products), ==, n_products);
  g_assert_cmpuint (pa_catalog_list_get_n_items (f->customers), ==, n_customers);
  g_assert_cmpuint (pa_catalog_list_get_n_items (f->subscriptions), ==,
                    json_array_get_length (subscriptions));
  assert_state (f->products, "products", "list");
  assert_state (f->customers, "customers", "list");
  assert_state (f->subscriptions, "subscriptions", "list");

  /* Every product shows its prices, formatted, and whether it sells. */
  for (guint i = 0; i < pa_catalog_list_get_n_items (f->products); i++)
    {
      PaCatalogItem *item = pa_catalog_list_get_shown (f->products, i);

      g_assert_cmpstr (pa_catalog_item_get_title (item), !=, "—");
      g_assert_cmpstr (pa_catalog_item_get_subtitle (item), !=, "No price");
      g_assert_null (strstr (pa_catalog_item_get_subtitle (item), "—"));
      g_assert_true (g_str_equal (pa_catalog_item_get_status (item), "Active") ||
                     g_str_equal (pa_catalog_item_get_status (item), "Archived"));
    }
  /* Every other product has a monthly price too. */
  for (guint i = 0, monthly = 0; i < pa_catalog_list_get_n_items (f->products); i++)
    {
      if (strstr (pa_catalog_item_get_subtitle (pa_catalog_list_get_shown (f->products, i)),
                  "per month") != NULL)
        monthly++;
      if (i + 1 == pa_catalog_list_get_n_items (f->products))
        {
          g_test_message ("%u products with a monthly price", monthly);
          g_assert_cmpuint (monthly, ==, n_products / 2);
        }
    }
}

/* Each subscription's pill says its status as the peer has it, in the
 * colour of that status: on screen, amber for past_due or incomplete,
 * red for unpaid. */
static void
test_status_pill (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(JsonArray) subscriptions = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  static const struct { const char *status, *label, *css; } expected[] = {
    { "active", "Active", "success" }, { "trialing", "Trialing", "accent" },
    { "past_due", "Past due", "warning" }, { "unpaid", "Unpaid", "error" },
    { "canceled", "Canceled", NULL }, { "incomplete", "Incomplete", "warning" },
  };
  const char *coloured = NULL;
  const char *coloured_label = NULL;
  const char *coloured_css = NULL;
  GtkWidget *pill = NULL;

  NEEDS_FIXTURE (f);

  sync_now (f);
  subscriptions = peer_subscriptions (f);
  WAIT_FOR (pa_catalog_list_get_n_items (f->subscriptions) ==
            json_array_get_length (subscriptions));
  for (guint i = 0; i < json_array_get_length (subscriptions); i++)
    {
      JsonObject *subscription = json_array_get_object_element (subscriptions, i);
      const char *id = json_object_get_string_member (subscription, "id");
      const char *status = json_object_get_string_member (subscription, "status");
      PaCatalogItem *item = find_item (f->subscriptions, id);
      gboolean known = FALSE;

      g_assert_nonnull (item);
      for (guint j = 0; j < G_N_ELEMENTS (expected); j++)
        if (g_str_equal (expected[j].status, status))
          {
            g_test_message ("%s: %s → \"%s\"", id, status, pa_catalog_item_get_status (item));
            g_assert_cmpstr (pa_catalog_item_get_status (item), ==, expected[j].label);
            g_assert_cmpstr (pa_catalog_item_get_status_class (item), ==, expected[j].css);
            known = TRUE;
            if (coloured == NULL && (g_strcmp0 (expected[j].css, "warning") == 0 ||
                                     g_strcmp0 (expected[j].css, "error") == 0))
              {
                coloured = id;
                coloured_label = expected[j].label;
                coloured_css = expected[j].css;
              }
          }
      g_assert_true (known);
      g_assert_nonnull (strstr (pa_catalog_item_get_subtitle (item), "per month"));
      g_assert_true (g_str_has_prefix (pa_catalog_item_get_detail (item), "Period ends "));
    }
  if (coloured == NULL)
    g_error ("The peer has no subscription past due, incomplete or unpaid at seed %d", SEED);

  /* The pill on screen: search down to the one row, then look at it. */
  pa_catalog_list_set_search (f->subscriptions, coloured);
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->subscriptions), ==, 1);
  wait_for_paint (GTK_WIDGET (f->subscriptions));
  labels = find_all (f->subscriptions, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "status-pill") &&
        gtk_widget_get_mapped (labels->pdata[i]))
      {
        g_assert_null (pill);
        pill = labels->pdata[i];
      }
  g_assert_nonnull (pill);
  g_assert_cmpstr (gtk_label_get_label (GTK_LABEL (pill)), ==, coloured_label);
  g_assert_true (gtk_widget_has_css_class (pill, coloured_css));
  {
    g_autoptr(GdkTexture) texture = render_widget (pill);
    int width = gdk_texture_get_width (texture), height = gdk_texture_get_height (texture);
    g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
    gboolean warning = g_str_equal (coloured_css, "warning");
    guint matching = 0, total = (guint) (width * height);

    gdk_texture_download (texture, pixels, (gsize) width * 4);
    for (guint p = 0; p < total; p++)
      {
        /* GDK_MEMORY_DEFAULT is B8G8R8A8 premultiplied. */
        const guchar *px = pixels + p * 4;

        guint r = px[2], g = px[1], b = px[0];

        /* Adwaita's warning is an amber, its error a red. */
        if (px[3] == 255 && r > 150 && r > b + 80 &&
            (warning ? g > b : r > g + 80))
          matching++;
      }
    g_test_message ("the %s pill: %u of %u pixels %s", coloured_label, matching, total,
                    warning ? "amber" : "red");
    g_assert_cmpuint (matching, >, total / 3);
  }
}

/* The search narrows each list; a search nothing matches says so. */
static void
test_search (Fixture       *f,
             gconstpointer  data)
{
  PaCatalogItem *first;
  g_autofree char *email = NULL;
  g_autofree char *product = NULL;
  guint n;

  NEEDS_FIXTURE (f);

  sync_now (f);
  wait_for_reloads (f);
  n = pa_catalog_list_get_n_items (f->customers);
  g_assert_cmpuint (n, >, 10);

  /* A customer's email finds that customer. */
  first = pa_catalog_list_get_shown (f->customers, 0);
  email = g_strdup (pa_catalog_item_get_subtitle (first));
  g_assert_nonnull (strchr (email, '@'));
  pa_catalog_list_set_search (f->customers, email);
  g_test_message ("customers matching \"%s\": %u of %u", email,
                  pa_catalog_list_get_n_shown (f->customers), n);
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->customers), >=, 1);
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->customers), <, n);
  for (guint i = 0; i < pa_catalog_list_get_n_shown (f->customers); i++)
    g_assert_nonnull (strstr (pa_catalog_item_get_subtitle (
                        pa_catalog_list_get_shown (f->customers, i)), email));
  assert_state (f->customers, "customers", "list");

  /* Case does not matter. */
  product = g_utf8_strup (pa_catalog_item_get_title (pa_catalog_list_get_shown (f->products, 0)),
                          -1);
  pa_catalog_list_set_search (f->products, product);
  g_test_message ("products matching \"%s\": %u of %u", product,
                  pa_catalog_list_get_n_shown (f->products),
                  pa_catalog_list_get_n_items (f->products));
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->products), >=, 1);
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->products), <,
                    pa_catalog_list_get_n_items (f->products));

  /* Nothing matches: a status page says so; clearing brings all back. */
  pa_catalog_list_set_search (f->subscriptions, "no such thing 4242");
  assert_state (f->subscriptions, "subscriptions", "no-match");
  wait_for_paint (GTK_WIDGET (f->subscriptions));
  assert_status_page (f->subscriptions, "No Results Found");
  pa_catalog_list_set_search (f->subscriptions, "");
  assert_state (f->subscriptions, "subscriptions", "list");
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->subscriptions), ==,
                    pa_catalog_list_get_n_items (f->subscriptions));

  /* The search stays when the copy changes under it. */
  pa_catalog_list_reload (f->customers);
  g_assert_cmpuint (pa_catalog_list_get_n_shown (f->customers), <, n);
}

/* Stored objects are a server's JSON: members missing or of another type
 * show as "—", and nothing crashes. */
static void
test_hostile (Fixture       *f,
              gconstpointer  data)
{
  static const char *const objects[] = {
    "{\"id\":\"cus_hostile1\",\"object\":\"customer\",\"created\":1700000000,"
    "\"name\":42,\"email\":[\"a@b\"]}",
    "{\"id\":\"sub_hostile1\",\"object\":\"subscription\",\"created\":1700000000,"
    "\"status\":7,\"customer\":{\"id\":1},\"items\":\"none\",\"current_period_end\":\"soon\"}",
    "{\"id\":\"sub_hostile2\",\"object\":\"subscription\",\"created\":1700000001,"
    "\"status\":\"past_due\",\"items\":{\"data\":[{\"price\":{\"unit_amount\":\"5\","
    "\"currency\":\"zz\",\"recurring\":{\"interval\":\"fortnight\",\"interval_count\":-3}}}]}}",
    "{\"id\":\"prod_hostile1\",\"object\":\"product\",\"created\":1700000000,"
    "\"name\":null,\"active\":\"yes\"}",
  };
  PaCatalogItem *item;

  NEEDS_FIXTURE (f);

  sync_now (f);
  wait_for_reloads (f);
  for (guint i = 0; i < G_N_ELEMENTS (objects); i++)
    {
      g_autoptr(GError) error = NULL;

      if (!pa_store_stripe_put_object (f->store, PROFILE, objects[i], 1700000000, &error))
        g_error ("Could not store %s: %s", objects[i], error->message);
    }
  pa_catalog_list_reload (f->customers);
  pa_catalog_list_reload (f->subscriptions);
  pa_catalog_list_reload (f->products);
  wait_for_paint (f->window);

  item = find_item (f->customers, "cus_hostile1");
  g_assert_nonnull (item);
  g_assert_cmpstr (pa_catalog_item_get_title (item), ==, "—");
  g_assert_cmpstr (pa_catalog_item_get_subtitle (item), ==, "—");

  item = find_item (f->subscriptions, "sub_hostile1");
  g_assert_nonnull (item);
  g_test_message ("sub_hostile1: %s | %s | %s | %s", pa_catalog_item_get_title (item),
                  pa_catalog_item_get_subtitle (item), pa_catalog_item_get_detail (item),
                  pa_catalog_item_get_status (item));
  g_assert_cmpstr (pa_catalog_item_get_title (item), ==, "—");
  g_assert_cmpstr (pa_catalog_item_get_subtitle (item), ==, "—");
  g_assert_cmpstr (pa_catalog_item_get_detail (item), ==, "Period ends —");
  g_assert_cmpstr (pa_catalog_item_get_status (item), ==, "—");

  item = find_item (f->subscriptions, "sub_hostile2");
  g_assert_nonnull (item);
  g_test_message ("sub_hostile2: %s", pa_catalog_item_get_subtitle (item));
  g_assert_cmpstr (pa_catalog_item_get_subtitle (item), ==, "— —");
  g_assert_cmpstr (pa_catalog_item_get_status (item), ==, "Past due");

  item = find_item (f->products, "prod_hostile1");
  g_assert_nonnull (item);
  g_assert_cmpstr (pa_catalog_item_get_title (item), ==, "—");
  g_assert_cmpstr (pa_catalog_item_get_subtitle (item), ==, "No price");
  g_assert_cmpstr (pa_catalog_item_get_status (item), ==, "—");
}

/* No account: nothing shown, and the views let go of the old one. */
static void
test_no_account (Fixture       *f,
                 gconstpointer  data)
{
  NEEDS_FIXTURE (f);

  sync_now (f);
  wait_for_reloads (f);
  pa_customers_view_set_account (PA_CUSTOMERS_VIEW (gtk_widget_get_ancestor (
                                   GTK_WIDGET (f->customers), PA_TYPE_CUSTOMERS_VIEW)), NULL);
  g_assert_cmpuint (pa_catalog_list_get_n_items (f->customers), ==, 0);
  assert_state (f->customers, "customers", "empty");
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkCssProvider) css = NULL;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  adw_init ();
  /* What the application does at start: its templates and its style. */
  playalter_register_resource ();
  css = gtk_css_provider_new ();
  gtk_css_provider_load_from_resource (css, "/io/playalter/PlayAlter/style.css");
  if (gdk_display_get_default () != NULL)
    gtk_style_context_add_provider_for_display (gdk_display_get_default (),
                                                GTK_STYLE_PROVIDER (css),
                                                GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);

  g_test_add ("/payments-catalog/empty", Fixture, NULL, fixture_set_up, test_empty,
              fixture_tear_down);
  g_test_add ("/payments-catalog/counts", Fixture, NULL, fixture_set_up, test_counts,
              fixture_tear_down);
  g_test_add ("/payments-catalog/status-pill", Fixture, NULL, fixture_set_up, test_status_pill,
              fixture_tear_down);
  g_test_add ("/payments-catalog/search", Fixture, NULL, fixture_set_up, test_search,
              fixture_tear_down);
  g_test_add ("/payments-catalog/hostile", Fixture, NULL, fixture_set_up, test_hostile,
              fixture_tear_down);
  g_test_add ("/payments-catalog/no-account", Fixture, NULL, fixture_set_up, test_no_account,
              fixture_tear_down);

  return g_test_run ();
}
