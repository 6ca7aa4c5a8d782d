/* test-payment-links.c — payment links and "Sell" against the Stripe account peer, under Xvfb
 *
 * The links view lists the synced copy, makes a link from a stored price
 * and shows a QR code that zbarimg reads back as the link's URL, copies
 * the URL to the clipboard and deactivates a link at the peer. "Sell…" on
 * a real result in the face swap gallery makes one product, one price and
 * one link at the peer, even when sold twice, and its QR code reads back
 * as the link.
 *
 * SPDX-License-Identifier: MIT
 */
#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include "pa-application.h"
#include "pa-payment-link-qr.h"
#include "pa-payment-links-view.h"
#include "pa-qr-view.h"
#include "pa-result-gallery.h"
#include "pa-sell-dialog.h"
#include "pa-test-gui.h"
#include "pa-test-keyring.h"
#include "pa-test-photos.h"
#include "pa-test-qr.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"

/* Enough payments that the peer seeds 8 products and a deactivated link
 * (every fourth). */
#define PEER_SEED 20000

static PaTestPeer *peer;

/* The private session bus and keyring, started by main() before GTK is,
 * or why it could not be. */
static PaTestKeyring *keyring;
static GError *keyring_error;

static gboolean
need_peer (void)
{
  g_autoptr(GError) error = NULL;

  if (peer != NULL)
    return TRUE;
  peer = pa_test_stripe_account_start (PEER_SEED, NULL, &error);
  return pa_test_require_no_error (error) && peer != NULL;
}

static gboolean
need_qr_reader (void)
{
  g_autoptr(GError) error = NULL;

  pa_test_qr_need_reader (&error);
  return pa_test_require_no_error (error);
}

/* ---- the peer, as Stripe ---------------------------------------------------- */

static JsonNode *
stripe_get (const char *path)
{
  g_autofree char *base = pa_test_stripe_account_url (peer);
  g_autofree char *url = g_strconcat (base, path, NULL);
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", url);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *root;

  soup_message_headers_append (soup_message_get_request_headers (msg),
                               "Authorization", "Bearer " PA_TEST_STRIPE_ACCOUNT_KEY);
  soup_message_headers_append (soup_message_get_request_headers (msg),
                               "Stripe-Version", PA_STRIPE_API_VERSION);
  body = soup_session_send_and_read (session, msg, NULL, &error);
  g_assert_no_error (error);
  if (soup_message_get_status (msg) != 200)
    g_error ("GET %s answered %u: %.*s", path, soup_message_get_status (msg),
             (int) g_bytes_get_size (body), (const char *) g_bytes_get_data (body, NULL));
  root = json_from_string (g_bytes_get_data (body, NULL), &error);
  g_assert_no_error (error);
  return root;
}

/* The data of a list at the peer (a page of 100 is all there is here). */
static JsonArray *
stripe_list (const char *path)
{
  g_autoptr(JsonNode) list = stripe_get (path);
  JsonObject *object = json_node_get_object (list);

  g_assert_false (json_object_get_boolean_member (object, "has_more"));
  return json_array_ref (json_object_get_array_member (object, "data"));
}

static JsonObject *
find_by (JsonArray  *array,
         const char *member,
         const char *value)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (object, member, NULL), value) == 0)
        return object;
    }
  return NULL;
}

/* ---- what is on screen ------------------------------------------------------- */

/* What zbarimg reads in a snapshot of @view. */
static char *
decode_qr_view (PaQrView   *view,
                const char *name)
{
  g_autoptr(GdkTexture) texture = NULL;
  g_autofree char *path = output_path (name);
  g_autoptr(GError) error = NULL;
  char *text;

  /* The view draws the code with its white quiet zone. */
  texture = render_widget (GTK_WIDGET (view));
  g_assert_true (gdk_texture_save_to_png (texture, path));
  g_test_message ("QR code snapshot %dx%d in %s", gdk_texture_get_width (texture),
                  gdk_texture_get_height (texture), path);
  text = pa_test_qr_read (path, &error);
  if (text == NULL)
    g_error ("No QR code read in %s: %s", path, error->message);
  return text;
}

static void
read_text_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  char **text = user_data;
  g_autoptr(GError) error = NULL;

  *text = gdk_clipboard_read_text_finish (GDK_CLIPBOARD (source), result, &error);
  g_assert_no_error (error);
}

static char *
clipboard_text (GtkWidget *widget)
{
  char *text = NULL;

  gdk_clipboard_read_text_async (gtk_widget_get_clipboard (widget), NULL, read_text_cb, &text);
  WAIT_FOR (text != NULL);
  return text;
}

static GtkWindow *
find_window_titled (const char *title)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (gtk_widget_get_mapped (GTK_WIDGET (window)) &&
          g_strcmp0 (gtk_window_get_title (window), title) == 0)
        return window;
    }
  return NULL;
}

static GtkWidget *
find_named (gpointer    root,
            GType       type,
            const char *name)
{
  g_autoptr(GPtrArray) all = find_all (root, type);

  for (guint i = 0; i < all->len; i++)
    if (g_strcmp0 (gtk_widget_get_name (all->pdata[i]), name) == 0)
      return all->pdata[i];
  g_error ("No %s named %s", g_type_name (type), name);
  return NULL;
}

/* The one mapped button under @root for @action, or NULL: the view has
 * one in its empty state and one over its list, only one shown. */
static GtkWidget *
find_shown_action_button (gpointer    root,
                          const char *action)
{
  g_autoptr(GPtrArray) buttons = find_all (root, GTK_TYPE_BUTTON);
  GtkWidget *match = NULL;

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_actionable_get_action_name (buttons->pdata[i]), action) == 0 &&
        gtk_widget_get_mapped (buttons->pdata[i]))
      {
        g_assert_null (match);
        match = buttons->pdata[i];
      }
  return match;
}

/* ---- the links view ------------------------------------------------------------ */

typedef struct {
  char            *dir;
  PaStore         *store;
  PaStripeAccount *account;
} Account;

static void
account_free (Account *account)
{
  g_clear_object (&account->account);
  g_clear_object (&account->store);
  g_free (account->dir);
  g_free (account);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Account, account_free)

/* Stores the peer's objects at @path as the sync does with what events
 * carry; returns how many. */
static guint
store_list (Account    *account,
            const char *path)
{
  g_autoptr(JsonArray) data = stripe_list (path);
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i < json_array_get_length (data); i++)
    {
      g_autofree char *json = json_to_string (json_array_get_element (data, i), FALSE);

      g_assert_true (pa_store_stripe_put_object (account->store, "default", json,
                                                 g_get_real_time () / G_USEC_PER_SEC, &error));
      g_assert_no_error (error);
    }
  return json_array_get_length (data);
}

static Account *
account_new (void)
{
  Account *account = g_new0 (Account, 1);
  g_autoptr(PaStripe) client = pa_test_stripe_account_client (peer, "default");
  g_autoptr(GError) error = NULL;

  account->dir = g_dir_make_tmp ("test-payment-links-XXXXXX", &error);
  g_assert_no_error (error);
  account->store = pa_store_open (account->dir, &error);
  g_assert_no_error (error);
  account->account = pa_stripe_account_new (account->store, client, NULL, "default");
  return account;
}

static void
test_links_view (void)
{
  g_autoptr(Account) account = NULL;
  g_autoptr(JsonArray) links = NULL;
  g_autoptr(JsonArray) links_after = NULL;
  g_autoptr(JsonArray) prices = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *copied = NULL;
  g_autofree char *new_url = NULL;
  g_autofree char *new_id = NULL;
  GtkWidget *window;
  GtkWidget *view;
  GtkWindow *create;
  GtkWindow *qr_dialog;
  GtkWindow *confirm;
  PaQrView *qr_view;
  JsonObject *inactive = NULL;
  JsonObject *made;
  guint n_links;
  guint n_prices;

  if (!need_display () || !need_peer () || !need_qr_reader ())
    return;

  account = account_new ();
  n_prices = store_list (account, "/v1/prices?limit=100&active=true");
  store_list (account, "/v1/products?limit=100");
  n_links = store_list (account, "/v1/payment_links?limit=100");
  links = stripe_list ("/v1/payment_links?limit=100");
  g_test_message ("synced copy: %u links, %u active prices", n_links, n_prices);
  g_assert_cmpuint (n_links, >=, 4);
  g_assert_cmpuint (n_prices, >=, 1);

  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 900, 700);
  view = pa_payment_links_view_new ();
  gtk_window_set_child (GTK_WINDOW (window), view);
  gtk_window_present (GTK_WINDOW (window));

  /* No account: says so, nothing to make. */
  g_assert_cmpuint (pa_payment_links_view_get_n_links (PA_PAYMENT_LINKS_VIEW (view)), ==, 0);
  g_assert_null (find_shown_action_button (view, "links.create"));

  /* An account with nothing synced yet: the empty state offers to make one. */
  {
    g_autoptr(Account) empty = account_new ();
    AdwStatusPage *status;

    pa_payment_links_view_set_account (PA_PAYMENT_LINKS_VIEW (view), empty->account);
    g_assert_cmpuint (pa_payment_links_view_get_n_links (PA_PAYMENT_LINKS_VIEW (view)), ==, 0);
    wait_for_paint (view);
    g_assert_nonnull (find_shown_action_button (view, "links.create"));
    status = ADW_STATUS_PAGE (gtk_widget_get_ancestor (find_shown_action_button (view, "links.create"),
                                                       ADW_TYPE_STATUS_PAGE));
    g_assert_nonnull (status);
    g_assert_cmpstr (adw_status_page_get_title (status), ==, "No Payment Links Yet");
    g_assert_true (gtk_widget_is_sensitive (find_shown_action_button (view, "links.create")));
    save_screenshot (view, "payment-links-empty.png");
    pa_payment_links_view_set_account (PA_PAYMENT_LINKS_VIEW (view), NULL);
  }

  /* The synced copy, each link with its state. */
  pa_payment_links_view_set_account (PA_PAYMENT_LINKS_VIEW (view), account->account);
  g_assert_cmpuint (pa_payment_links_view_get_n_links (PA_PAYMENT_LINKS_VIEW (view)), ==, n_links);
  for (guint i = 0; i < json_array_get_length (links); i++)
    {
      JsonObject *link = json_array_get_object_element (links, i);
      const char *id = json_object_get_string_member (link, "id");

      g_assert_cmpint (pa_payment_links_view_is_active (PA_PAYMENT_LINKS_VIEW (view), id), ==,
                       json_object_get_boolean_member (link, "active"));
      if (!json_object_get_boolean_member (link, "active"))
        inactive = link;
    }
  g_assert_nonnull (inactive);
  g_test_message ("an inactive link listed as such: %s",
                  json_object_get_string_member (inactive, "id"));
  save_screenshot (view, "payment-links.png");

  /* Create from a stored price: the QR dialog comes up at once. */
  gtk_widget_activate_action (view, "links.create", NULL);
  WAIT_FOR ((create = find_window_titled ("New Payment Link")) != NULL);
  {
    g_autoptr(GPtrArray) combos = find_all (create, ADW_TYPE_COMBO_ROW);

    /* The stored price comes first, the new product's currency second. */
    g_assert_cmpuint (combos->len, ==, 2);
    g_assert_cmpuint (g_list_model_get_n_items (adw_combo_row_get_model (combos->pdata[0])), ==,
                      n_prices);
    adw_combo_row_set_selected (combos->pdata[0], 0);
  }
  click (find_action_button (create, "create.from-price"));
  WAIT_FOR ((qr_dialog = pa_payment_links_view_get_qr_dialog (PA_PAYMENT_LINKS_VIEW (view))) != NULL);
  g_assert_null (find_window_titled ("New Payment Link"));
  g_assert_cmpuint (pa_payment_links_view_get_n_links (PA_PAYMENT_LINKS_VIEW (view)), ==,
                    n_links + 1);

  qr_view = pa_payment_link_qr_get_view (g_object_get_data (G_OBJECT (qr_dialog), "pa-qr"));
  new_url = g_strdup (pa_qr_view_get_text (qr_view));
  decoded = decode_qr_view (qr_view, "payment-link-qr.png");
  g_test_message ("the QR code reads %s", decoded);
  g_assert_cmpstr (decoded, ==, new_url);
  links_after = stripe_list ("/v1/payment_links?limit=100");
  made = find_by (links_after, "url", new_url);
  g_assert_nonnull (made);
  g_assert_true (json_object_get_boolean_member (made, "active"));
  g_assert_cmpuint (json_array_get_length (links_after), ==, n_links + 1);
  new_id = g_strdup (json_object_get_string_member (made, "id"));
  save_screenshot (GTK_WIDGET (qr_dialog), "payment-link-qr-dialog.png");

  /* Copy, in the dialog and in the list. */
  click (find_action_button (qr_dialog, "qr.copy"));
  copied = clipboard_text (GTK_WIDGET (qr_dialog));
  g_assert_cmpstr (copied, ==, new_url);
  gtk_window_destroy (qr_dialog);
  gdk_clipboard_set_text (gtk_widget_get_clipboard (view), "something else");
  g_clear_pointer (&copied, g_free);
  gtk_widget_activate_action (view, "links.copy", "s",
                              json_object_get_string_member (inactive, "id"));
  copied = clipboard_text (view);
  g_assert_cmpstr (copied, ==, json_object_get_string_member (inactive, "url"));

  /* Deactivate the new link, after saying yes. */
  gtk_widget_activate_action (view, "links.deactivate", "s", new_id);
  WAIT_FOR ((confirm = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (ADW_MESSAGE_DIALOG (confirm)), new_url));
  adw_message_dialog_response (ADW_MESSAGE_DIALOG (confirm), "deactivate");
  gtk_window_destroy (confirm);
  WAIT_FOR (!pa_payment_links_view_is_active (PA_PAYMENT_LINKS_VIEW (view), new_id));
  g_clear_pointer (&links_after, json_array_unref);
  links_after = stripe_list ("/v1/payment_links?limit=100");
  g_assert_false (json_object_get_boolean_member (find_by (links_after, "id", new_id), "active"));
  g_test_message ("%s is inactive at the peer", new_id);

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- Sell from the gallery --------------------------------------------------------- */

typedef struct {
  char   *dir;
  char   *picture;
  char   *sha256;
  gint64  asset;
} SellData;

/* Sells the result for 12.50 USD in a new dialog; its QR code's text. */
static char *
sell_once (GtkWindow *window,
           gint64     asset,
           guint      round)
{
  g_autoptr(GPtrArray) galleries = find_all (window, PA_TYPE_RESULT_GALLERY);
  PaResultGallery *gallery = NULL;
  PaSellDialog *dialog = NULL;
  GtkWidget *error_label = NULL;
  g_autoptr(GPtrArray) labels = NULL;
  g_autofree char *name = NULL;
  g_autofree char *decoded = NULL;
  GtkWidget *qr;

  for (guint i = 0; i < galleries->len && gallery == NULL; i++)
    if (gtk_widget_get_mapped (galleries->pdata[i]))
      gallery = galleries->pdata[i];
  g_assert_nonnull (gallery);
  WAIT_FOR (pa_result_gallery_get_tile (gallery, asset) != NULL);

  gtk_widget_activate_action (GTK_WIDGET (gallery), "result.sell", "x", asset);
  WAIT_FOR ((dialog = (PaSellDialog *) find_toplevel (PA_TYPE_SELL_DIALOG)) != NULL);
  /* Named after the file. */
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (find_named (dialog, ADW_TYPE_ENTRY_ROW, "name"))),
                   ==, "result-0007");
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, ADW_TYPE_ENTRY_ROW, "amount")), "12.50");
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, ADW_TYPE_ENTRY_ROW, "description")),
                         "A portrait, swapped");
  click (find_action_button (dialog, "sell.sell"));

  labels = find_all (dialog, GTK_TYPE_LABEL);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (labels->pdata[i], "error"))
      error_label = labels->pdata[i];
  g_assert_nonnull (error_label);
  WAIT_FOR (pa_sell_dialog_get_qr (dialog) != NULL || gtk_widget_get_visible (error_label));
  if (pa_sell_dialog_get_qr (dialog) == NULL)
    g_error ("Selling failed: %s", gtk_label_get_text (GTK_LABEL (error_label)));

  qr = pa_sell_dialog_get_qr (dialog);
  name = g_strdup_printf ("sell-qr-%u.png", round);
  decoded = decode_qr_view (pa_payment_link_qr_get_view (qr), name);
  g_assert_cmpstr (decoded, ==, pa_qr_view_get_text (pa_payment_link_qr_get_view (qr)));
  g_test_message ("sale %u: the QR code reads %s", round, decoded);
  save_screenshot (GTK_WIDGET (dialog), round == 1 ? "sell-dialog.png" : "sell-dialog-again.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
  return g_steal_pointer (&decoded);
}

static void
sell_body (PaApplication *app,
           GtkWindow     *window,
           gconstpointer  user_data)
{
  const SellData *data = user_data;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autoptr(JsonArray) products = NULL;
  g_autoptr(JsonArray) prices = NULL;
  g_autoptr(JsonArray) links = NULL;
  g_autofree char *prices_path = NULL;
  JsonObject *product = NULL;
  JsonObject *price;
  guint n_ours = 0;

  first = sell_once (window, data->asset, 1);
  /* The same picture at the same price, sold again: nothing new. */
  second = sell_once (window, data->asset, 2);
  g_assert_cmpstr (second, ==, first);

  products = stripe_list ("/v1/products?limit=100");
  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *object = json_array_get_object_element (products, i);
      JsonObject *metadata = json_object_get_object_member (object, "metadata");

      if (metadata != NULL &&
          g_strcmp0 (json_object_get_string_member_with_default (metadata, "sha256", NULL),
                     data->sha256) == 0)
        {
          product = object;
          n_ours++;
        }
    }
  g_test_message ("products for the picture at the peer: %u", n_ours);
  g_assert_cmpuint (n_ours, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (product, "name"), ==, "result-0007");
  g_assert_cmpstr (json_object_get_string_member (product, "description"), ==, "A portrait, swapped");

  prices_path = g_strdup_printf ("/v1/prices?limit=100&product=%s",
                                 json_object_get_string_member (product, "id"));
  prices = stripe_list (prices_path);
  g_test_message ("its prices: %u", json_array_get_length (prices));
  g_assert_cmpuint (json_array_get_length (prices), ==, 1);
  price = json_array_get_object_element (prices, 0);
  g_assert_cmpint (json_object_get_int_member (price, "unit_amount"), ==, 1250);
  g_assert_cmpstr (json_object_get_string_member (price, "currency"), ==, "usd");

  links = stripe_list ("/v1/payment_links?limit=100");
  g_assert_nonnull (find_by (links, "url", first));
  n_ours = 0;
  for (guint i = 0; i < json_array_get_length (links); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (links, i), "url"),
                   first) == 0)
      n_ours++;
  g_assert_cmpuint (n_ours, ==, 1);
}

/* A signed-in Stripe account with @key at the peer, and a real result in
 * a data folder of its own; FALSE when something it needs is missing. */
static gboolean
prepare_sale (SellData   *data,
              const char *key)
{
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *photo = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *media = NULL;
  g_autofree char *url = NULL;
  gsize length;

  if (!need_display () || !need_peer () || !need_qr_reader ())
    return FALSE;
  photo = pa_test_photo_path ("grace_hopper.jpg");
  if (photo == NULL || !pa_test_require_no_error (keyring_error))
    return FALSE;

  secrets = pa_secrets_new ();
  g_assert_true (pa_secrets_store_sync (secrets, "stripe", "default", "api-key", key, NULL, &error));
  g_assert_no_error (error);
  data->dir = g_dir_make_tmp ("test-payment-links-sell-XXXXXX", &error);
  g_assert_no_error (error);
  media = g_build_filename (data->dir, "media", NULL);
  g_assert_cmpint (g_mkdir_with_parents (media, 0700), ==, 0);
  data->picture = g_build_filename (media, "result-0007.jpg", NULL);
  g_assert_true (g_file_get_contents (photo, &contents, &length, &error));
  g_assert_true (g_file_set_contents (data->picture, contents, length, &error));
  data->sha256 = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, length);

  store = pa_store_open (data->dir, &error);
  g_assert_no_error (error);
  url = pa_test_stripe_account_url (peer);
  g_assert_true (pa_store_save_account (store, "stripe", "default", url, "Test", "signed-in", &error));
  data->asset = pa_store_add_asset (store, "image", data->picture, data->sha256, 0, 0, NULL, &error);
  g_assert_no_error (error);
  return TRUE;
}

static void
sell_data_clear (SellData *data)
{
  g_free (data->dir);
  g_free (data->picture);
  g_free (data->sha256);
}

static void
test_sell_from_gallery (void)
{
  SellData data = { 0 };

  if (prepare_sale (&data, PA_TEST_STRIPE_ACCOUNT_KEY))
    run_app (data.dir, sell_body, &data);
  sell_data_clear (&data);
}

/* How many prices of @amount the peer has for the product of @sha256. */
static guint
count_prices (const char *sha256,
              gint64      amount)
{
  g_autoptr(JsonArray) products = stripe_list ("/v1/products?limit=100");
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (products); i++)
    {
      JsonObject *product = json_array_get_object_element (products, i);
      JsonObject *metadata = json_object_get_object_member (product, "metadata");
      g_autofree char *path = NULL;
      g_autoptr(JsonArray) prices = NULL;

      if (metadata == NULL ||
          g_strcmp0 (json_object_get_string_member_with_default (metadata, "sha256", NULL),
                     sha256) != 0)
        continue;
      path = g_strdup_printf ("/v1/prices?limit=100&product=%s",
                              json_object_get_string_member (product, "id"));
      prices = stripe_list (path);
      for (guint j = 0; j < json_array_get_length (prices); j++)
        if (json_object_get_int_member (json_array_get_object_element (prices, j), "unit_amount") == amount)
          n++;
    }
  return n;
}

/* A live key: the button says so, and nothing is sold before a yes that
 * names the price. */
static void
sell_live_body (PaApplication *app,
                GtkWindow     *window,
                gconstpointer  user_data)
{
  const SellData *data = user_data;
  g_autoptr(GPtrArray) galleries = find_all (window, PA_TYPE_RESULT_GALLERY);
  PaResultGallery *gallery = NULL;
  PaSellDialog *dialog = NULL;
  AdwMessageDialog *confirm = NULL;
  g_autofree char *price = NULL;
  GtkWidget *sell;

  for (guint i = 0; i < galleries->len && gallery == NULL; i++)
    if (gtk_widget_get_mapped (galleries->pdata[i]))
      gallery = galleries->pdata[i];
  g_assert_nonnull (gallery);
  WAIT_FOR (pa_result_gallery_get_tile (gallery, data->asset) != NULL);
  gtk_widget_activate_action (GTK_WIDGET (gallery), "result.sell", "x", data->asset);
  WAIT_FOR ((dialog = (PaSellDialog *) find_toplevel (PA_TYPE_SELL_DIALOG)) != NULL);

  sell = find_action_button (dialog, "sell.sell");
  WAIT_FOR (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (sell)), "_Sell for Real Money…") == 0);
  g_test_message ("a live account's button reads “%s”", gtk_button_get_label (GTK_BUTTON (sell)));
  gtk_editable_set_text (GTK_EDITABLE (find_named (dialog, ADW_TYPE_ENTRY_ROW, "amount")), "9");

  /* No: nothing is made. */
  click (sell);
  WAIT_FOR ((confirm = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  g_test_message ("asked: %s", adw_message_dialog_get_body (confirm));
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), "result-0007"));
  price = pa_money_format (900, "usd", NULL);
  g_assert_nonnull (strstr (adw_message_dialog_get_body (confirm), price));
  /* As its button does: the response, then the dialog goes. */
  adw_message_dialog_response (confirm, "cancel");
  gtk_window_destroy (GTK_WINDOW (confirm));
  g_assert_null (pa_sell_dialog_get_qr (dialog));
  g_assert_cmpuint (count_prices (data->sha256, 900), ==, 0);

  /* Yes: sold once. */
  click (sell);
  WAIT_FOR ((confirm = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  adw_message_dialog_response (confirm, "sell");
  gtk_window_destroy (GTK_WINDOW (confirm));
  WAIT_FOR (pa_sell_dialog_get_qr (dialog) != NULL);
  g_assert_cmpuint (count_prices (data->sha256, 900), ==, 1);
  gtk_window_destroy (GTK_WINDOW (dialog));
}

static void
test_sell_live (void)
{
  SellData data = { 0 };

  /* The peer takes any Bearer key; the app reads the mode from its prefix. */
  if (prepare_sale (&data, "sk_live_PaAccountPeer4242"))
    run_app (data.dir, sell_live_body, &data);
  sell_data_clear (&data);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* Before GTK: the app registers on this bus and reads this keyring. */
  keyring = pa_test_keyring_start (&keyring_error);
  gtk_init ();
  adw_init ();
  /* The views' templates: PaApplication's class registers them. */
  g_type_class_unref (g_type_class_ref (PA_TYPE_APPLICATION));

  g_test_add_func ("/payment-links/view", test_links_view);
  g_test_add_func ("/payment-links/sell-from-gallery", test_sell_from_gallery);
  g_test_add_func ("/payment-links/sell-live", test_sell_live);

  status = g_test_run ();
  g_clear_pointer (&peer, pa_test_peer_stop);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  g_clear_error (&keyring_error);
  return status;
}
