/* test-payments.c — the Payments page under X against the scripted
 * Stripe account peer: every state (no account, loading, error,
 * offline, empty, synced), the balance and the list against what the
 * peer holds, search and each filter, a payment's detail, a partial
 * refund through the dialog that the peer sees once, and a live key's
 * badge and extra confirmation, checked by widget state and pixels
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <adwaita.h>

#include "playalter.h"
#include "pa-application.h"
#include "pa-payments-page-private.h"
#include "pa-test-gui.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"
#include "pa-test-require.h"
#include "pa-test-stripe-account.h"
#include "pa-test-video.h"
#include "pa-window.h"

/* The private session bus and keyring the Stripe key goes to. */
static PaTestKeyring *keyring;
static GError *keyring_error;

#define TEST_KEY "sk_test_playalter_payments_page"
#define LIVE_KEY "sk_live_playalter_payments_page"
/* Seeded payments, all inside the first sync's 30 days. */
#define N_PAYMENTS 120
static const char *const peer_args[] = { "--days", "25", NULL };

typedef struct
{
  PaTestPeer *peer;
  const char *url;         /* where the account points, when not the peer */
  const char *key;
} Case;

/* ---- helpers ------------------------------------------------------------ */

static PaTestPeer *
start_peer (guint seed)
{
  g_autoptr(GError) error = NULL;
  PaTestPeer *peer = pa_test_stripe_account_start (seed, peer_args, &error);

  if (!pa_test_require_no_error (error))
    return NULL;
  return peer;
}

static void
signed_in (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  GError **error = data;

  if (!pa_account_manager_sign_in_finish (PA_ACCOUNT_MANAGER (source), result, error) &&
      *error == NULL)
    g_set_error_literal (error, PA_ERROR, PA_ERROR_FAILED, "sign-in failed without an error");
  else if (*error == NULL)
    *error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_EXISTS, "done");
}

/* Signs the default Stripe profile in, as the sign-in dialog does. */
static void
sign_in_stripe_profile (PaApplication *app,
                        const char    *profile,
                        const char    *url,
                        const char    *key)
{
  PaAccountManager *manager = pa_application_get_account_manager (app);
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;

  if (keyring_error != NULL)
    g_error ("No keyring for the Stripe key: %s", keyring_error->message);
  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) key);
  g_test_message ("signing %s in to Stripe at %s with a %.8s… key", profile, url, key);
  pa_account_manager_sign_in_async (manager, "stripe", profile, url, PA_SIGN_IN_NONE,
                                    secrets, NULL, signed_in, &error);
  WAIT_FOR (error != NULL);
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_EXISTS))
    g_error ("Could not sign in to Stripe: %s", error->message);
}

static void
sign_in_stripe (PaApplication *app,
                const char    *url,
                const char    *key)
{
  sign_in_stripe_profile (app, PA_DEFAULT_PROFILE, url, key);
}

static PaPaymentsPage *
open_payments (GtkWindow *window)
{
  g_autoptr(GPtrArray) rows = find_all (window, GTK_TYPE_LIST_BOX_ROW);
  PaPaymentsPage *page;

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (gtk_widget_get_name (rows->pdata[i]), "payments") == 0)
      {
        g_test_message ("opening the Payments section from its sidebar row");
        g_assert_true (gtk_widget_activate (rows->pdata[i]));
        break;
      }
  page = find_one (window, PA_TYPE_PAYMENTS_PAGE);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (page)));
  return page;
}

static const char *
state_of (PaPaymentsPage *page)
{
  return gtk_stack_get_visible_child_name (page->state_stack);
}

static void
wait_for_state (PaPaymentsPage *page,
                const char     *state)
{
  if (!WAIT_UNTIL (g_strcmp0 (state_of (page), state) == 0, WAIT_TIMEOUT_S))
    g_error ("The page should show \"%s\", shows \"%s\" (sync error: %s)", state,
             state_of (page), page->sync_error != NULL ? page->sync_error->message : "none");
  g_test_message ("state: %s", state);
}

/* Synced, and no sync running. */
static void
wait_for_synced (PaPaymentsPage *page)
{
  wait_for_state (page, "main");
  WAIT_FOR (!page->syncing && page->sync_tried);
  if (page->sync_error != NULL)
    g_error ("The sync failed: %s", page->sync_error->message);
}

/* Signs in to the case's peer with @key, opens the page and waits for
 * the first sync and, when @mode_class is set, the badge's mode. */
static PaPaymentsPage *
open_synced (PaApplication *app,
             GtkWindow     *window,
             const Case    *c,
             const char    *key,
             const char    *mode_class)
{
  g_autofree char *url = pa_test_stripe_account_url (c->peer);
  PaPaymentsPage *page;

  sign_in_stripe (app, url, key);
  page = open_payments (window);
  wait_for_synced (page);
  if (mode_class != NULL)
    WAIT_FOR (gtk_widget_has_css_class (GTK_WIDGET (page->mode_badge), mode_class));
  return page;
}

static guint
n_listed (PaPaymentsPage *page)
{
  return g_list_model_get_n_items (G_LIST_MODEL (page->payments));
}

/* The filters applied (the search waits for the user to pause). */
static void
wait_for_filter (PaPaymentsPage *page)
{
  WAIT_FOR (page->filter_id == 0);
}

/* The colour most of @texture's opaque pixels have. */
static guint32
dominant_colour (GdkTexture *texture)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  g_autoptr(GHashTable) counts = g_hash_table_new (NULL, NULL);
  guint32 best = 0;
  guint best_count = 0;

  gdk_texture_download (texture, data, (gsize) width * 4);
  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      const guchar *p = data + i * 4;
      guint32 rgb;
      guint count;

      if (p[3] != 255)
        continue;
      rgb = (p[2] << 16) | (p[1] << 8) | p[0];
      count = GPOINTER_TO_UINT (g_hash_table_lookup (counts, GUINT_TO_POINTER (rgb))) + 1;
      g_hash_table_insert (counts, GUINT_TO_POINTER (rgb), GUINT_TO_POINTER (count));
      if (count > best_count)
        {
          best_count = count;
          best = rgb;
        }
    }
  g_assert_cmpuint (best_count, >, 0);
  return best;
}

/* Adwaita's warning colours are an amber: much more red than blue. */
static void
assert_warning_coloured (GtkWidget  *widget,
                         const char *what)
{
  g_autoptr(GdkTexture) texture = render_widget (widget);
  guint32 rgb = dominant_colour (texture);
  guint r = rgb >> 16, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

  g_test_message ("%s: mostly #%02x%02x%02x", what, r, g, b);
  if (!(r > 150 && r > b + 80 && g > b))
    g_error ("%s should be in the warning colour, is mostly #%02x%02x%02x", what, r, g, b);
}

typedef struct
{
  JsonNode *node;
  GError   *error;
} Answer;

static void
got_object (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  Answer *answer = data;

  answer->node = pa_stripe_object_finish (PA_STRIPE (source), result, &answer->error);
  if (answer->node == NULL && answer->error == NULL)
    answer->error = g_error_new_literal (PA_ERROR, PA_ERROR_FAILED, "no answer");
}

/* What the peer holds, asked with a client of the test's own. */
static JsonNode *
peer_get (PaTestPeer *peer,
          const char *what)
{
  g_autoptr(PaStripe) client = pa_test_stripe_account_client (peer, "peer-check");
  Answer answer = { NULL, NULL };

  if (g_str_equal (what, "balance"))
    pa_stripe_get_balance_async (client, NULL, got_object, &answer);
  else
    pa_stripe_list_all_async (client, what, 0, NULL, got_object, &answer);
  WAIT_FOR (answer.node != NULL || answer.error != NULL);
  if (answer.error != NULL)
    g_error ("Could not read %s from the peer: %s", what, answer.error->message);
  return answer.node;
}

/* A label showing exactly @text under @root, or NULL. */
static GtkLabel *
find_label (gpointer    root,
            const char *text)
{
  g_autoptr(GPtrArray) labels = find_all (root, GTK_TYPE_LABEL);

  for (guint i = 0; i < labels->len; i++)
    if (g_strcmp0 (gtk_label_get_text (labels->pdata[i]), text) == 0)
      return labels->pdata[i];
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
  g_error ("No %s named \"%s\"", g_type_name (type), name);
  return NULL;
}

/* Clicks the dialog's response button labelled @label, as the user does
 * (the dialog then closes itself). */
static void
click_response (AdwMessageDialog *dialog,
                const char       *label)
{
  g_autoptr(GPtrArray) buttons = find_all (dialog, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    if (g_strcmp0 (gtk_button_get_label (buttons->pdata[i]), label) == 0)
      {
        click (buttons->pdata[i]);
        return;
      }
  g_error ("The dialog has no \"%s\" button", label);
}

static void
run_case (AppTestFunc body,
          Case       *c)
{
  g_autofree char *data_dir = g_dir_make_tmp ("playalter-payments-XXXXXX", NULL);

  /* Each case is a fresh start of the app: a case that made Stripe fail
   * on purpose must not leave the shared client's breaker open for the
   * next one, as a new process would not. */
  pa_breaker_reset (pa_http_get_breaker (pa_platform_get_default_http (), "stripe"));
  run_app (data_dir, body, c);
  pa_test_remove_dir (data_dir);
}

/* @body in the app against a fresh account peer seeded with @seed
 * payments; the body may stop the peer itself (it then clears c->peer). */
static void
run_with_peer (guint       seed,
               AppTestFunc body)
{
  Case c = { 0 };

  if (!need_display ())
    return;
  c.peer = start_peer (seed);
  if (c.peer == NULL)
    return;
  run_case (body, &c);
  g_clear_pointer (&c.peer, pa_test_peer_stop);
}

/* ---- no account ----------------------------------------------------------- */

static void
no_account_body (PaApplication *app,
                 GtkWindow     *window,
                 gconstpointer  data)
{
  PaPaymentsPage *page = open_payments (window);
  GtkWidget *content;

  wait_for_state (page, "no-account");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->no_account_page)));
  g_test_message ("\"%s\": \"%s\"", adw_status_page_get_title (page->no_account_page),
                  adw_status_page_get_description (page->no_account_page));
  save_screenshot (GTK_WIDGET (page), "payments-no-account.png");

  /* Its button opens the Accounts section. */
  click (find_action_button (page, "win.show-section"));
  content = gtk_widget_get_parent (GTK_WIDGET (page));
  while (content != NULL && !GTK_IS_STACK (content))
    content = gtk_widget_get_parent (content);
  g_assert_nonnull (content);
  WAIT_FOR (g_strcmp0 (gtk_stack_get_visible_child_name (GTK_STACK (content)), "accounts") == 0);
  g_test_message ("the button opened the Accounts section");
}

static void
test_no_account (void)
{
  Case c = { 0 };

  if (!need_display ())
    return;
  run_case (no_account_body, &c);
}

/* ---- loading, then error ---------------------------------------------------- */

static void
loading_body (PaApplication *app,
              GtkWindow     *window,
              gconstpointer  data)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  PaPaymentsPage *page;
  guint16 port = 0;

  /* A server that takes connections and never answers: the first sync
   * hangs there, and the page shows it is loading. */
  socket = pa_test_peer_reserve_port (&port, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_listen (socket, &error));
  g_assert_no_error (error);
  url = g_strdup_printf ("http://127.0.0.1:%u", port);

  sign_in_stripe (app, url, TEST_KEY);
  page = open_payments (window);
  wait_for_state (page, "loading");
  g_assert_true (page->syncing);
  g_assert_true (gtk_spinner_get_spinning (page->loading_spinner));
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->loading_spinner)));
  save_screenshot (GTK_WIDGET (page), "payments-loading.png");

  /* The server goes away with the requests unanswered: nothing is
   * stored, so the page is an error with the reason and Retry. */
  g_test_message ("the server goes away");
  g_socket_close (socket, NULL);
  wait_for_state (page, "error");
  g_assert_nonnull (page->sync_error);
  g_test_message ("error: \"%s\"", adw_status_page_get_description (page->error_page));
  {
    g_autofree char *message = g_markup_escape_text (page->sync_error->message, -1);

    g_assert_cmpstr (adw_status_page_get_description (page->error_page), ==, message);
  }
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->retry_button)));
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (page->retry_button)));
  save_screenshot (GTK_WIDGET (page), "payments-error.png");

  /* Retry: still nothing there, still the error, never a blank page. */
  click (GTK_WIDGET (page->retry_button));
  WAIT_FOR (!page->syncing);
  wait_for_state (page, "error");
}

static void
test_loading_error (void)
{
  Case c = { 0 };

  if (!need_display ())
    return;
  run_case (loading_body, &c);
}

/* ---- empty ---------------------------------------------------------------- */

static void
empty_body (PaApplication *app,
            GtkWindow     *window,
            gconstpointer  data)
{
  PaPaymentsPage *page = open_synced (app, window, data, TEST_KEY, NULL);

  adw_view_stack_set_visible_child_name (page->view_stack, "payments");
  g_assert_cmpuint (n_listed (page), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (page->list_stack), ==, "empty");
  g_test_message ("\"%s\"", adw_status_page_get_title (page->empty_page));
  g_assert_cmpstr (adw_status_page_get_title (page->empty_page), ==, "No Payments Yet");
  save_screenshot (GTK_WIDGET (page), "payments-empty.png");
}

static void
test_empty (void)
{
  run_with_peer (0, empty_body);
}

/* ---- synced: balance, list, filters, detail, refund, offline --------------- */

static guint
count_charges (JsonArray  *charges,
               gboolean  (*match) (JsonObject *charge, gconstpointer data),
               gconstpointer data)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (charges); i++)
    if (match (json_array_get_object_element (charges, i), data))
      n++;
  return n;
}

static gboolean
is_failed (JsonObject   *charge,
           gconstpointer data)
{
  return g_strcmp0 (json_object_get_string_member (charge, "status"), "failed") == 0;
}

static gboolean
created_since (JsonObject   *charge,
               gconstpointer data)
{
  return json_object_get_int_member (charge, "created") >= *(const gint64 *) data;
}

typedef struct
{
  const char *currency;
  gint64      min, max;
} AmountRange;

static gboolean
in_amount_range (JsonObject   *charge,
                 gconstpointer data)
{
  const AmountRange *range = data;
  gint64 amount = json_object_get_int_member (charge, "amount");

  return g_strcmp0 (json_object_get_string_member (charge, "currency"), range->currency) == 0 &&
         amount >= range->min && amount <= range->max;
}

static void
check_balance (PaPaymentsPage *page,
               PaTestPeer     *peer)
{
  g_autoptr(JsonNode) balance = peer_get (peer, "balance");
  JsonObject *object = json_node_get_object (balance);
  const char *kinds[] = { "available", "pending" };
  guint checked = 0;

  adw_view_stack_set_visible_child_name (page->view_stack, "overview");
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      JsonArray *amounts = json_object_get_array_member (object, kinds[k]);

      for (guint i = 0; i < json_array_get_length (amounts); i++)
        {
          JsonObject *amount = json_array_get_object_element (amounts, i);
          const char *currency = json_object_get_string_member (amount, "currency");
          g_autofree char *expected = pa_money_format (json_object_get_int_member (amount, "amount"),
                                                       currency, NULL);
          GtkWidget *card = find_named (page->balance_box, GTK_TYPE_BOX, currency);
          GtkWidget *label = find_named (card, GTK_TYPE_LABEL, kinds[k]);

          g_test_message ("balance %s %s: peer %s, page \"%s\"", currency, kinds[k], expected,
                          gtk_label_get_text (GTK_LABEL (label)));
          g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (label)), ==, expected);
          checked++;
        }
    }
  g_assert_cmpuint (checked, >=, 4);
}

static void
check_filters (PaPaymentsPage *page,
               JsonArray      *charges)
{
  guint total = json_array_get_length (charges);
  JsonObject *first = json_array_get_object_element (charges, 0);
  gint64 week_before = g_get_real_time () / G_USEC_PER_SEC - 7 * 86400;
  gint64 week_after;
  AmountRange range = { "usd", 1000, 5000 };
  guint expected;
  guint usd = 0;

  adw_view_stack_set_visible_child_name (page->view_stack, "payments");

  /* Search: a payment's id finds that payment alone. */
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry),
                         json_object_get_string_member (first, "id"));
  wait_for_filter (page);
  g_test_message ("search %s: %u listed", json_object_get_string_member (first, "id"),
                  n_listed (page));
  g_assert_cmpuint (n_listed (page), ==, 1);
  {
    g_autoptr(PaPayment) payment = g_list_model_get_item (G_LIST_MODEL (page->payments), 0);

    g_assert_cmpstr (pa_payment_get_id (payment), ==, json_object_get_string_member (first, "id"));
  }
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), "no such payment anywhere");
  wait_for_filter (page);
  g_assert_cmpuint (n_listed (page), ==, 0);
  g_assert_cmpstr (gtk_stack_get_visible_child_name (page->list_stack), ==, "empty");
  g_assert_cmpstr (adw_status_page_get_title (page->empty_page), ==, "No Matching Payments");
  save_screenshot (GTK_WIDGET (page), "payments-no-match.png");
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), "");
  wait_for_filter (page);
  g_assert_cmpuint (n_listed (page), ==, total);

  /* Status: failed ones only. */
  expected = count_charges (charges, is_failed, NULL);
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_FAILED);
  g_test_message ("status failed: %u listed, the peer has %u", n_listed (page), expected);
  g_assert_cmpuint (expected, >, 0);
  g_assert_cmpuint (n_listed (page), ==, expected);
  for (guint i = 0; i < n_listed (page); i++)
    {
      g_autoptr(PaPayment) payment = g_list_model_get_item (G_LIST_MODEL (page->payments), i);

      g_assert_cmpint (pa_payment_get_status (payment), ==, PA_PAYMENT_STATUS_FAILED);
    }
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_DISPUTED);
  g_test_message ("status disputed: %u listed", n_listed (page));
  g_assert_cmpuint (n_listed (page), <, total);
  for (guint i = 0; i < n_listed (page); i++)
    {
      g_autoptr(PaPayment) payment = g_list_model_get_item (G_LIST_MODEL (page->payments), i);

      g_assert_cmpint (pa_payment_get_status (payment), ==, PA_PAYMENT_STATUS_DISPUTED);
    }
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_ANY);
  g_assert_cmpuint (n_listed (page), ==, total);

  /* Date: the last 7 days (the boundary moves while this runs). */
  gtk_drop_down_set_selected (page->date_dropdown, DATE_CHOICE_7_DAYS);
  week_after = g_get_real_time () / G_USEC_PER_SEC - 7 * 86400;
  g_test_message ("last 7 days: %u listed, the peer has %u to %u", n_listed (page),
                  count_charges (charges, created_since, &week_after),
                  count_charges (charges, created_since, &week_before));
  g_assert_cmpuint (n_listed (page), <=, count_charges (charges, created_since, &week_before));
  g_assert_cmpuint (n_listed (page), >=, count_charges (charges, created_since, &week_after));
  g_assert_cmpuint (n_listed (page), <, total);
  g_assert_cmpuint (n_listed (page), >, 0);
  gtk_drop_down_set_selected (page->date_dropdown, DATE_CHOICE_ANY);

  /* Amount: 10 to 50 US dollars, typed as a user types them. */
  for (guint i = 0; i < page->currencies->len; i++)
    if (g_str_equal (page->currencies->pdata[i], "usd"))
      usd = i + 1;
  g_assert_cmpuint (usd, >, 0);
  gtk_drop_down_set_selected (page->currency_dropdown, usd);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->amount_min_entry)));
  gtk_editable_set_text (GTK_EDITABLE (page->amount_min_entry), "10");
  gtk_editable_set_text (GTK_EDITABLE (page->amount_max_entry), "50.00");
  wait_for_filter (page);
  expected = count_charges (charges, in_amount_range, &range);
  g_assert_cmpuint (expected, >, 0);
  g_test_message ("USD 10 to 50: %u listed, the peer has %u", n_listed (page), expected);
  g_assert_cmpuint (n_listed (page), ==, expected);
  g_assert_cmpuint (n_listed (page), <, total);

  /* A wrong bound says why and is not used. */
  gtk_editable_set_text (GTK_EDITABLE (page->amount_max_entry), "fifty");
  wait_for_filter (page);
  g_test_message ("max \"fifty\": %s", page->amount_error);
  g_assert_nonnull (page->amount_error);
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->amount_max_entry), "error"));
  gtk_editable_set_text (GTK_EDITABLE (page->amount_min_entry), "");
  gtk_editable_set_text (GTK_EDITABLE (page->amount_max_entry), "");
  gtk_drop_down_set_selected (page->currency_dropdown, 0);
  wait_for_filter (page);
  g_assert_cmpuint (n_listed (page), ==, total);
}

/* Opens the detail of the first payment the filter lists. */
static PaPayment *
open_detail (PaPaymentsPage *page)
{
  g_autoptr(PaPayment) payment = NULL;

  g_assert_cmpuint (n_listed (page), >, 0);
  g_signal_emit_by_name (page->list_view, "activate", 0);
  payment = g_list_model_get_item (G_LIST_MODEL (page->payments), 0);
  WAIT_FOR (gtk_revealer_get_child_revealed (page->detail_revealer));
  g_assert_cmpstr (pa_payment_get_id (page->detail), ==, pa_payment_get_id (payment));
  return g_steal_pointer (&payment);
}

static void
check_detail (PaPaymentsPage *page)
{
  g_autoptr(PaPayment) payment = NULL;
  const PaStripePaymentRecord *record;
  g_autofree char *amount = NULL;

  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_SUCCEEDED);
  payment = open_detail (page);
  record = pa_payment_get_record (payment);
  amount = pa_money_format (record->amount, record->currency, NULL);
  g_test_message ("detail of %s: \"%s\"", record->id, gtk_label_get_text (page->detail_amount));
  g_assert_cmpstr (gtk_label_get_text (page->detail_amount), ==, amount);
  g_assert_cmpstr (gtk_label_get_text (page->detail_status), ==,
                   pa_payment_status_to_label (pa_payment_get_status (payment)));
  g_assert_nonnull (find_label (page->detail_fields, record->id));
  if (pa_payment_get_payer (payment) != NULL)
    g_assert_true (find_label (page->detail_fields, pa_payment_get_payer (payment)) != NULL ||
                   record->email != NULL);
  if (record->card_last4 != NULL)
    {
      g_autoptr(GPtrArray) labels = find_all (page->detail_fields, GTK_TYPE_LABEL);
      gboolean found = FALSE;

      for (guint i = 0; i < labels->len; i++)
        found |= strstr (gtk_label_get_text (labels->pdata[i]), record->card_last4) != NULL;
      g_assert_true (found);
    }
  /* A succeeded charge has at least its charge.succeeded event. */
  g_assert_nonnull (find_label (page->detail_timeline, "charge.succeeded"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->refund_button)));
  save_screenshot (GTK_WIDGET (page), "payments-detail.png");
}

static AdwMessageDialog *
open_refund_dialog (PaPaymentsPage *page)
{
  g_assert_true (gtk_widget_is_sensitive (GTK_WIDGET (page->refund_button)));
  click (GTK_WIDGET (page->refund_button));
  WAIT_FOR (page->refund_dialog != NULL &&
            gtk_widget_get_mapped (GTK_WIDGET (page->refund_dialog)));
  return page->refund_dialog;
}

static void
check_refund (PaPaymentsPage *page,
              PaTestPeer     *peer)
{
  g_autoptr(PaPayment) payment = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  const PaStripePaymentRecord *record;
  AdwMessageDialog *dialog;
  GtkWidget *entry;
  g_autofree char *id = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *named = NULL;
  g_autofree char *too_much = NULL;
  JsonArray *refunds;
  gint64 part;

  /* A succeeded payment nobody refunded: the first one listed. */
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_SUCCEEDED);
  payment = open_detail (page);
  record = pa_payment_get_record (payment);
  id = g_strdup (record->id);
  g_assert_cmpint (record->amount_refunded, ==, 0);
  part = record->amount / 2;
  g_assert_cmpint (part, >, 0);

  dialog = open_refund_dialog (page);
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_named (dialog, GTK_TYPE_CHECK_BUTTON, "refund-part")), TRUE);
  entry = find_named (dialog, GTK_TYPE_ENTRY, "refund-amount");

  /* More than the payment: refused, and it says why. */
  too_much = pa_money_format_plain (record->amount + 1, record->currency);
  gtk_editable_set_text (GTK_EDITABLE (entry), too_much);
  g_test_message ("typed %s: \"%s\"", too_much,
                  gtk_label_get_text (GTK_LABEL (find_named (dialog, GTK_TYPE_LABEL, "refund-error"))));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "refund"));
  g_assert_true (gtk_widget_get_visible (find_named (dialog, GTK_TYPE_LABEL, "refund-error")));

  typed = pa_money_format_plain (part, record->currency);
  gtk_editable_set_text (GTK_EDITABLE (entry), typed);
  named = pa_money_format (part, record->currency, NULL);
  g_test_message ("typed %s: \"%s\"", typed, adw_message_dialog_get_heading (dialog));
  g_assert_nonnull (strstr (adw_message_dialog_get_heading (dialog), named));
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "refund"));
  save_screenshot (GTK_WIDGET (dialog), "payments-refund-dialog.png");
  click_response (dialog, "_Refund");
  WAIT_FOR (page->refund_dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (page->refund_dialog)));

  WAIT_FOR (page->refunding);
  WAIT_FOR (!page->refunding);
  if (page->refund_error != NULL)
    g_error ("The refund failed: %s", page->refund_error);

  /* One refund at the peer, of that amount, for that payment. */
  effects = pa_test_stripe_account_control (peer, "GET", "/__peer/effects", NULL, &error);
  g_assert_no_error (error);
  refunds = json_object_get_array_member (json_node_get_object (effects), "refunds");
  g_test_message ("refunds at the peer: %u", json_array_get_length (refunds));
  g_assert_cmpuint (json_array_get_length (refunds), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (refunds, 0), "charge"),
                   ==, id);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (refunds, 0), "amount"),
                   ==, part);

  /* The detail and the row say so. */
  WAIT_FOR (page->detail != NULL &&
            pa_payment_get_status (page->detail) == PA_PAYMENT_STATUS_PARTIALLY_REFUNDED);
  g_assert_cmpstr (gtk_label_get_text (page->detail_status), ==,
                   pa_payment_status_to_label (PA_PAYMENT_STATUS_PARTIALLY_REFUNDED));
  WAIT_FOR (find_label (page->detail_refunds, named) != NULL);
  g_test_message ("the detail lists the refund of %s", named);
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_ANY);
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), id);
  wait_for_filter (page);
  g_assert_cmpuint (n_listed (page), ==, 1);
  {
    g_autoptr(PaPayment) row = g_list_model_get_item (G_LIST_MODEL (page->payments), 0);

    g_test_message ("the row of %s: %s", id, pa_payment_status_to_label (pa_payment_get_status (row)));
    g_assert_cmpint (pa_payment_get_status (row), ==, PA_PAYMENT_STATUS_PARTIALLY_REFUNDED);
    g_assert_cmpint (pa_payment_get_record (row)->amount_refunded, ==, part);
  }
  gtk_editable_set_text (GTK_EDITABLE (page->search_entry), "");
  wait_for_filter (page);
}

static void
synced_body (PaApplication *app,
             GtkWindow     *window,
             gconstpointer  data)
{
  const Case *c = data;
  g_autoptr(JsonNode) charges = NULL;
  PaPaymentsPage *page;

  gtk_window_set_default_size (window, 1280, 860);
  /* Test mode, always in sight. */
  page = open_synced (app, window, c, TEST_KEY, "test");
  g_test_message ("badge: \"%s\"; sync: \"%s\"", gtk_label_get_text (page->mode_badge),
                  gtk_label_get_text (page->sync_label));
  g_assert_cmpstr (gtk_label_get_text (page->mode_badge), ==, "Test");
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->mode_badge)));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->sync_label), "Synced "));
  g_assert_false (gtk_revealer_get_reveal_child (page->offline_revealer));

  check_balance (page, c->peer);
  save_screenshot (GTK_WIDGET (page), "payments-overview.png");

  charges = peer_get (c->peer, "/v1/charges");
  g_test_message ("listed %u, the peer has %u charges", n_listed (page),
                  json_array_get_length (json_node_get_array (charges)));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (charges)), ==, N_PAYMENTS);
  g_assert_cmpuint (n_listed (page), ==, N_PAYMENTS);
  check_filters (page, json_node_get_array (charges));
  check_detail (page);
  check_refund (page, c->peer);

  /* The peer goes away: the copy stays, with its age, in a strip. */
  g_test_message ("the peer stops");
  pa_test_peer_stop (c->peer);
  ((Case *) c)->peer = NULL;
  gtk_widget_activate_action (GTK_WIDGET (page), "payments.sync", NULL);
  WAIT_FOR (page->sync_tried && !page->syncing && page->sync_error != NULL);
  g_test_message ("offline: \"%s\" (%s)", gtk_label_get_text (page->offline_label),
                  page->sync_error->message);
  g_assert_cmpstr (state_of (page), ==, "main");
  g_assert_true (gtk_revealer_get_reveal_child (page->offline_revealer));
  WAIT_FOR (gtk_revealer_get_child_revealed (page->offline_revealer));
  g_assert_true (g_str_has_prefix (gtk_label_get_text (page->offline_label),
                                   "Offline — showing the copy from "));
  g_assert_cmpuint (n_listed (page), ==, N_PAYMENTS);
  assert_warning_coloured (gtk_revealer_get_child (page->offline_revealer), "the offline strip");
  save_screenshot (GTK_WIDGET (page), "payments-offline.png");
}

static void
test_synced (void)
{
  run_with_peer (N_PAYMENTS, synced_body);
}

/* ---- live ------------------------------------------------------------------ */

static void
live_body (PaApplication *app,
           GtkWindow     *window,
           gconstpointer  data)
{
  const Case *c = data;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GError) error = NULL;
  PaPaymentsPage *page;
  AdwMessageDialog *dialog;
  g_autoptr(PaPayment) payment = NULL;

  page = open_synced (app, window, c, LIVE_KEY, "live");
  g_test_message ("badge: \"%s\"", gtk_label_get_text (page->mode_badge));
  g_assert_cmpstr (gtk_label_get_text (page->mode_badge), ==, "Live");
  assert_warning_coloured (GTK_WIDGET (page->mode_badge), "the live badge");

  adw_view_stack_set_visible_child_name (page->view_stack, "payments");
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_SUCCEEDED);
  payment = open_detail (page);
  dialog = open_refund_dialog (page);

  /* A full refund is named, and still waits for the live tick. */
  g_test_message ("live refund: \"%s\"", adw_message_dialog_get_heading (dialog));
  g_assert_true (g_str_has_prefix (adw_message_dialog_get_heading (dialog), "Refund "));
  g_assert_true (gtk_widget_get_visible (find_named (dialog, GTK_TYPE_CHECK_BUTTON, "refund-live")));
  g_assert_false (adw_message_dialog_get_response_enabled (dialog, "refund"));
  gtk_check_button_set_active (GTK_CHECK_BUTTON (find_named (dialog, GTK_TYPE_CHECK_BUTTON, "refund-live")), TRUE);
  g_assert_true (adw_message_dialog_get_response_enabled (dialog, "refund"));
  save_screenshot (GTK_WIDGET (dialog), "payments-live-refund-dialog.png");

  /* Cancelled: nothing reaches the peer. */
  click_response (dialog, "_Cancel");
  WAIT_FOR (page->refund_dialog == NULL || !gtk_widget_get_visible (GTK_WIDGET (page->refund_dialog)));
  g_assert_false (page->refunding);
  effects = pa_test_stripe_account_control (c->peer, "GET", "/__peer/effects", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (json_node_get_object (effects),
                                                                         "refunds")), ==, 0);
}

static void
test_live (void)
{
  run_with_peer (40, live_body);
}

/* ---- two accounts ------------------------------------------------------------ */

static void
two_accounts_body (PaApplication *app,
                   GtkWindow     *window,
                   gconstpointer  data)
{
  const Case *c = data;
  g_autofree char *url = pa_test_stripe_account_url (c->peer);
  PaPaymentsPage *page = open_synced (app, window, c, TEST_KEY, "test");

  /* One account: named, no choice to make. */
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->account_dropdown)));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->account_label)));

  /* A second one: the choice appears, and choosing it shows its copy. */
  sign_in_stripe_profile (app, "shop", url, LIVE_KEY);
  WAIT_FOR (gtk_widget_get_visible (GTK_WIDGET (page->account_dropdown)));
  g_assert_cmpuint (g_list_model_get_n_items (gtk_drop_down_get_model (page->account_dropdown)), ==, 2);
  g_assert_cmpstr (pa_stripe_account_get_profile (page->account), ==, PA_DEFAULT_PROFILE);
  for (guint i = 0; i < page->profiles->len; i++)
    if (g_str_equal (page->profiles->pdata[i], "shop"))
      gtk_drop_down_set_selected (page->account_dropdown, i);
  g_test_message ("chose %s", pa_stripe_account_get_profile (page->account));
  g_assert_cmpstr (pa_stripe_account_get_profile (page->account), ==, "shop");
  WAIT_FOR (gtk_widget_has_css_class (GTK_WIDGET (page->mode_badge), "live"));
  wait_for_synced (page);
  g_assert_cmpuint (n_listed (page), ==, 10);
}

static void
test_two_accounts (void)
{
  run_with_peer (10, two_accounts_body);
}

/* ---- the README's picture ---------------------------------------------------- */

static void
screenshot_body (PaApplication *app,
                 GtkWindow     *window,
                 gconstpointer  data)
{
  const Case *c = data;
  g_autoptr(PaPayment) payment = NULL;
  PaPaymentsPage *page;

  gtk_window_set_default_size (window, 1400, 860);
  page = open_synced (app, window, c, TEST_KEY, "test");
  adw_view_stack_set_visible_child_name (page->view_stack, "payments");
  gtk_drop_down_set_selected (page->status_dropdown, STATUS_CHOICE_ANY);
  payment = open_detail (page);
  g_assert_cmpuint (n_listed (page), ==, N_PAYMENTS);
  save_screenshot (GTK_WIDGET (window), "screenshot-payments.png");
}

static void
test_screenshot (void)
{
  run_with_peer (N_PAYMENTS, screenshot_body);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* Before any bus connection: the Stripe keys go to a keyring of the
   * test's own. */
  keyring = pa_test_keyring_start (&keyring_error);
  gtk_init ();

  g_test_add_func ("/payments/no-account", test_no_account);
  g_test_add_func ("/payments/loading-error", test_loading_error);
  g_test_add_func ("/payments/empty", test_empty);
  g_test_add_func ("/payments/synced", test_synced);
  g_test_add_func ("/payments/live", test_live);
  g_test_add_func ("/payments/two-accounts", test_two_accounts);
  g_test_add_func ("/payments/screenshot", test_screenshot);

  status = g_test_run ();

  g_clear_pointer (&keyring, pa_test_keyring_stop);
  g_clear_error (&keyring_error);

  return status;
}
