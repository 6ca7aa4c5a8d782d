/* test-gui.c — the GUI under X: accounts, the sign-in dialog, screenshots, the real binary
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>
#include <sys/prctl.h>
#include <signal.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "playalter.h"
#include "pa-application.h"
#include "pa-window.h"
#include "pa-accounts-page.h"
#include "pa-account-row.h"
#include "pa-sign-in-dialog.h"
#include "pa-test-gui.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

/* The private session bus and keyring every test here runs against,
 * started by main() before any case, or why it could not be. */
static PaTestKeyring *keyring;
static GError *keyring_error;

/* Stripe's official contract served by Prism: where a key is checked. */
static PaTestPeer *stripe_peer;

/* ---- what each case needs --------------------------------------------- */

/* Each case asks for what it needs: a missing piece fails (or skips, see
 * pa-test-require.h) the cases that need it, and only those. */

static gboolean
need_keyring (void)
{
  /* A case in a subprocess shares its parent's through the environment. */
  return g_test_subprocess () || pa_test_require_no_error (keyring_error);
}

static gboolean
need_stripe_peer (void)
{
  g_autoptr(GError) error = NULL;

  if (stripe_peer != NULL)
    return TRUE;
  stripe_peer = pa_test_prism_start ("stripe.json", &error);
  return pa_test_require_no_error (error) && stripe_peer != NULL;
}

/* A peer that refuses every key the way Stripe does (the error object of
 * the official contract), to show a refused key keeps the dialog open. */
static void
refuse_key_cb (SoupServer        *server,
               SoupServerMessage *msg,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  static const char body[] =
    "{\"error\":{\"type\":\"invalid_request_error\","
    "\"message\":\"Invalid API Key provided: sk_test_****e2\"}}";

  soup_server_message_set_status (msg, 401, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    body, sizeof body - 1);
}

/* Looks like a Stripe test key; it must reach the keyring and nothing else. */
#define CANARY_KEY "sk_test_PlayAlterGuiCanary_7f3c9a51e2"

static PaAccountRow *
find_account_row (gpointer    root,
                  const char *platform)
{
  g_autoptr(GPtrArray) rows = find_all (root, PA_TYPE_ACCOUNT_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      PaAccountRow *row = g_ptr_array_index (rows, i);

      if (g_str_equal (pa_account_get_platform (pa_account_row_get_account (row)), platform))
        return row;
    }

  g_error ("No row for %s", platform);
}

static GtkWidget *
find_button_by_label (gpointer    root,
                      const char *label)
{
  g_autoptr(GPtrArray) buttons = find_all (root, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0)
        return button;
    }

  g_error ("No button labelled %s", label);
}

/* The dialog's own revealer, not the one inside the expander row. */
static GtkRevealer *
find_error_revealer (gpointer root)
{
  g_autoptr(GPtrArray) revealers = find_all (root, GTK_TYPE_REVEALER);

  for (guint i = 0; i < revealers->len; i++)
    {
      GtkRevealer *revealer = g_ptr_array_index (revealers, i);
      GtkWidget *child = gtk_revealer_get_child (revealer);

      if (child != NULL && gtk_widget_has_css_class (child, "error-banner"))
        return revealer;
    }

  g_error ("No error revealer");
}

/* Opens the Accounts section as a click on its sidebar row does. */
static void
show_accounts (GtkWindow *window)
{
  g_autoptr(GPtrArray) rows = find_all (window, GTK_TYPE_LIST_BOX_ROW);

  for (guint i = 0; i < rows->len; i++)
    {
      GtkWidget *row = g_ptr_array_index (rows, i);

      if (g_strcmp0 (gtk_widget_get_name (row), "accounts") == 0)
        {
          g_signal_emit_by_name (gtk_widget_get_parent (row), "row-activated", row);
          gtk_list_box_select_row (GTK_LIST_BOX (gtk_widget_get_parent (row)),
                                   GTK_LIST_BOX_ROW (row));
          WAIT_FOR (gtk_widget_get_mapped (find_one (window, PA_TYPE_ACCOUNTS_PAGE)));
          return;
        }
    }

  g_error ("No Accounts row in the sidebar");
}

/* The text of the one toast on screen, or NULL. */
static const char *
toast_text (gpointer window)
{
  GType toast_type = g_type_from_name ("AdwToastWidget");
  g_autoptr(GPtrArray) toasts = NULL;
  g_autoptr(GPtrArray) labels = NULL;

  if (toast_type == 0)
    return NULL;

  toasts = find_all (window, toast_type);
  if (toasts->len != 1)
    return NULL;

  labels = find_all (g_ptr_array_index (toasts, 0), GTK_TYPE_LABEL);
  return labels->len > 0 ? gtk_label_get_text (g_ptr_array_index (labels, 0)) : NULL;
}

static void
assert_file_lacks (const char *path,
                   const char *needle)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return;

  /* The file is binary: strstr() would stop at the first NUL. */
  for (gsize i = 0; i + strlen (needle) <= length; i++)
    g_assert_false (memcmp (contents + i, needle, strlen (needle)) == 0);
}

static void
accounts_body (PaApplication *app,
               GtkWindow     *window,
               gconstpointer  data)
{
  static const char *titles[] = { "Stripe", "OpenAI", "Replicate", "Vercel", "n8n", "Agora" };
  const char *data_dir = data;
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GPtrArray) rows = NULL;
  g_autoptr(GPtrArray) sections = NULL;
  g_autoptr(GPtrArray) secret_rows = NULL;
  g_autoptr(GPtrArray) plain_rows = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  g_autofree char *subtitle = NULL;
  PaAccountManager *manager;
  GtkWindow *dialog;
  GtkWidget *sidebar;
  GtkWidget *submit;
  PaAccountRow *row;
  PaAccount *stripe;
  PaAccount *openai;
  AdwEntryRow *base_url_row = NULL;
  GtkRevealer *error_revealer;
  GSettings *settings;

  g_assert_null (pa_application_get_store_error (app));
  manager = pa_application_get_account_manager (app);
  g_assert_nonnull (manager);

  /* One section, because only one is built: Accounts, and it is shown. */
  sidebar = NULL;
  sections = find_all (window, GTK_TYPE_LIST_BOX);
  for (guint i = 0; i < sections->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (sections, i), "navigation-sidebar"))
      sidebar = g_ptr_array_index (sections, i);
  g_assert_nonnull (sidebar);
  /* Four sections: Face Swap, open first, the Studio, Payments, then
   * Accounts. */
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), 0))),
                   ==, "face-swap");
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), 1))),
                   ==, "studio");
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), 2))),
                   ==, "payments");
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), 3))),
                   ==, "accounts");
  g_assert_null (gtk_list_box_get_row_at_index (GTK_LIST_BOX (sidebar), 4));
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (sidebar)))),
                   ==, "face-swap");
  g_assert_false (gtk_widget_get_mapped (find_one (window, PA_TYPE_ACCOUNTS_PAGE)));
  show_accounts (window);
  g_assert_cmpstr (gtk_widget_get_name (GTK_WIDGET (gtk_list_box_get_selected_row (GTK_LIST_BOX (sidebar)))),
                   ==, "accounts");
  g_assert_true (gtk_widget_get_mapped (find_one (window, PA_TYPE_ACCOUNTS_PAGE)));

  /* The six platforms, in order, none signed in with an empty keyring. */
  rows = find_all (window, PA_TYPE_ACCOUNT_ROW);
  g_assert_cmpuint (rows->len, ==, G_N_ELEMENTS (titles));
  for (guint i = 0; i < rows->len; i++)
    {
      row = g_ptr_array_index (rows, i);
      g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (row)));
      g_assert_cmpstr (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row)), ==, titles[i]);
      g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Not signed in");
    }
  save_screenshot (GTK_WIDGET (window), "screenshot-accounts-empty.png");

  /* Sign in to Stripe through the dialog. */
  row = find_account_row (window, "stripe");
  stripe = pa_account_row_get_account (row);
  click (find_action_button (row, "account.sign-in"));
  WAIT_FOR ((dialog = find_toplevel (PA_TYPE_SIGN_IN_DIALOG)) != NULL);
  g_assert_true (gtk_window_get_transient_for (dialog) == window);
  g_assert_true (gtk_window_get_modal (dialog));

  secret_rows = find_all (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW);
  g_assert_cmpuint (secret_rows->len, ==, 1);
  g_assert_cmpstr (adw_preferences_row_get_title (g_ptr_array_index (secret_rows, 0)), ==, "API key");

  submit = gtk_window_get_default_widget (dialog);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (submit)), ==, "_Sign In");
  g_assert_false (gtk_widget_get_sensitive (submit));
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (secret_rows, 0)), CANARY_KEY);
  g_assert_true (gtk_widget_get_sensitive (submit));
  save_screenshot (GTK_WIDGET (dialog), "screenshot-sign-in.png");

  /* A server that refuses the key: the dialog stays open and says so. */
  {
    g_autoptr(SoupServer) refuser = soup_server_new (NULL, NULL);
    g_autoptr(GSList) uris = NULL;
    g_autofree char *refuser_url = NULL;
    GtkWidget *stripe_base_url_row = NULL;
    const char *shown;

    soup_server_add_handler (refuser, NULL, refuse_key_cb, NULL, NULL);
    g_assert_true (soup_server_listen_local (refuser, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
    uris = soup_server_get_uris (refuser);
    refuser_url = g_uri_to_string (uris->data);
    g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

    plain_rows = find_all (dialog, ADW_TYPE_ENTRY_ROW);
    for (guint i = 0; i < plain_rows->len; i++)
      if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (plain_rows, i)), "Base URL") == 0)
        stripe_base_url_row = g_ptr_array_index (plain_rows, i);
    g_clear_pointer (&plain_rows, g_ptr_array_unref);
    g_assert_nonnull (stripe_base_url_row);

    gtk_editable_set_text (GTK_EDITABLE (stripe_base_url_row), refuser_url);
    click (submit);
    error_revealer = find_error_revealer (dialog);
    WAIT_FOR (gtk_revealer_get_reveal_child (error_revealer));
    shown = gtk_label_get_text (find_one (error_revealer, GTK_TYPE_LABEL));
    g_assert_nonnull (strstr (shown, "Invalid API Key provided"));
    g_assert_null (strstr (shown, CANARY_KEY));
    g_assert_true (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == dialog);
    g_assert_nonnull (pa_account_get_check_error (stripe));
    save_screenshot (GTK_WIDGET (dialog), "screenshot-sign-in-refused.png");

    /* The contract's server accepts it: the dialog closes and the row
     * says whose account it is, in test mode because of the key. */
    gtk_editable_set_text (GTK_EDITABLE (stripe_base_url_row), pa_test_peer_get_url (stripe_peer));
    click (submit);
    WAIT_FOR (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == NULL);
  }
  WAIT_FOR (g_str_has_prefix (toast_text (window) ?: "", "Signed in to Stripe as "));
  g_assert_nonnull (strstr (toast_text (window), "(Test mode)"));
  g_assert_cmpint (pa_account_get_status (stripe), ==, PA_ACCOUNT_STATUS_SIGNED_IN);
  g_assert_null (pa_account_get_check_error (stripe));
  g_assert_cmpint (pa_account_get_validated_at (stripe), >, 0);

  secret = pa_secrets_lookup_sync (secrets, "stripe", PA_DEFAULT_PROFILE, "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (secret, ==, CANARY_KEY);
  subtitle = pa_account_row_describe (stripe);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);
  g_assert_true (g_str_has_prefix (subtitle, "Signed in as "));
  g_assert_nonnull (strstr (subtitle, "(Test mode)"));
  g_assert_nonnull (strstr (subtitle, pa_test_peer_get_url (stripe_peer)));
  g_clear_pointer (&subtitle, g_free);
  /* Signed in, the row offers to change the account or leave it. */
  g_assert_cmpstr (gtk_button_get_icon_name (GTK_BUTTON (find_action_button (row, "account.sign-in"))),
                   ==, "document-edit-symbolic");
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (find_action_button (row, "account.sign-out"))),
                   ==, "Sign _Out");
  save_screenshot (GTK_WIDGET (window), "screenshot-accounts.png");

  /* OpenAI against a local server: a bad address is refused in the dialog,
   * which keeps what was typed; a good one is saved without a key. */
  row = find_account_row (window, "openai");
  openai = pa_account_row_get_account (row);
  click (find_action_button (row, "account.sign-in"));
  WAIT_FOR ((dialog = find_toplevel (PA_TYPE_SIGN_IN_DIALOG)) != NULL);

  plain_rows = find_all (dialog, ADW_TYPE_ENTRY_ROW);
  for (guint i = 0; i < plain_rows->len; i++)
    if (g_strcmp0 (adw_preferences_row_get_title (g_ptr_array_index (plain_rows, i)), "Base URL") == 0)
      base_url_row = g_ptr_array_index (plain_rows, i);
  g_assert_nonnull (base_url_row);

  submit = gtk_window_get_default_widget (dialog);
  g_assert_false (gtk_widget_get_sensitive (submit));
  gtk_editable_set_text (GTK_EDITABLE (base_url_row), "ftp://127.0.0.1/v1");
  g_assert_true (gtk_widget_get_sensitive (submit));
  click (submit);

  error_revealer = find_error_revealer (dialog);
  g_assert_true (gtk_revealer_get_reveal_child (error_revealer));
  g_assert_cmpstr (gtk_label_get_text (find_one (error_revealer, GTK_TYPE_LABEL)), !=, "");
  g_assert_true (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (base_url_row)), ==, "ftp://127.0.0.1/v1");
  save_screenshot (GTK_WIDGET (dialog), "screenshot-sign-in-error.png");

  /* Plain http to another machine: the same refusal as everywhere. */
  {
    g_autoptr(GError) expected = NULL;

    g_assert_false (pa_account_manager_check_base_url ("http://192.168.1.10:11434/v1",
                                                       PA_SIGN_IN_NONE, &expected));
    gtk_editable_set_text (GTK_EDITABLE (base_url_row), "http://192.168.1.10:11434/v1");
    click (submit);
    g_assert_true (gtk_revealer_get_reveal_child (error_revealer));
    g_assert_cmpstr (gtk_label_get_text (find_one (error_revealer, GTK_TYPE_LABEL)), ==,
                     expected->message);
    g_assert_true (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == dialog);
    g_assert_null (pa_account_get_base_url (openai));
  }

  gtk_editable_set_text (GTK_EDITABLE (base_url_row), "http://127.0.0.1:11434/v1");
  g_assert_false (gtk_revealer_get_reveal_child (error_revealer));
  click (submit);
  WAIT_FOR (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == NULL);
  g_assert_cmpstr (pa_account_get_base_url (openai), ==, "http://127.0.0.1:11434/v1");
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                            "http://127.0.0.1:11434/v1"));

  /* Agora's dialog asks for its four fields, two of them hidden; Cancel
   * leaves the account as it was. */
  row = find_account_row (window, "agora");
  click (find_action_button (row, "account.sign-in"));
  WAIT_FOR ((dialog = find_toplevel (PA_TYPE_SIGN_IN_DIALOG)) != NULL);
  g_clear_pointer (&secret_rows, g_ptr_array_unref);
  g_clear_pointer (&plain_rows, g_ptr_array_unref);
  secret_rows = find_all (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW);
  plain_rows = find_all (dialog, ADW_TYPE_ENTRY_ROW);
  g_assert_cmpuint (secret_rows->len, ==, 2);
  g_assert_cmpuint (plain_rows->len, ==, 2 + 2 + 1);
  save_screenshot (GTK_WIDGET (dialog), "screenshot-sign-in-agora.png");
  click (find_button_by_label (dialog, "_Cancel"));
  WAIT_FOR (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == NULL);
  g_assert_cmpint (pa_account_get_status (pa_account_row_get_account (row)), ==,
                   PA_ACCOUNT_STATUS_NOT_SIGNED_IN);

  /* Sign out of Stripe, confirming in the message dialog. */
  row = find_account_row (window, "stripe");
  click (find_action_button (row, "account.sign-out"));
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  click (find_button_by_label (dialog, "_Sign Out"));
  WAIT_FOR (pa_account_get_status (stripe) == PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  WAIT_FOR (g_strcmp0 (toast_text (window), "Signed out of Stripe") == 0);
  g_clear_pointer (&secret, pa_secrets_free);
  secret = pa_secrets_lookup_sync (secrets, "stripe", PA_DEFAULT_PROFILE, "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);
  subtitle = pa_account_row_describe (stripe);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, subtitle);
  g_assert_cmpstr (subtitle, ==, "Not signed in");

  /* A key saved behind the window's back (say, by playalter-cli) shows up
   * when the keyring is read again. */
  g_assert_true (pa_secrets_store_sync (secrets, "vercel", PA_DEFAULT_PROFILE, "api-key",
                                        "vercel-canary-token", NULL, &error));
  g_assert_no_error (error);
  row = find_account_row (window, "vercel");
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Not signed in");
  click (find_action_button (window, "accounts.refresh"));
  WAIT_FOR (pa_account_get_status (pa_account_row_get_account (row)) == PA_ACCOUNT_STATUS_SIGNED_IN);
  g_assert_cmpstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)), ==, "Signed in");
  WAIT_FOR (gtk_widget_get_mapped (find_action_button (window, "accounts.refresh")));

  /* The key went to the keyring only. */
  {
    g_autofree char *db = g_build_filename (data_dir, "playalter.db", NULL);
    g_autofree char *wal = g_build_filename (data_dir, "playalter.db-wal", NULL);

    assert_file_lacks (db, CANARY_KEY);
    assert_file_lacks (wal, CANARY_KEY);
  }

  /* Editing a signed-in account: Save, and only once something changed. */
  row = find_account_row (window, "vercel");
  click (find_action_button (row, "account.sign-in"));
  WAIT_FOR ((dialog = find_toplevel (PA_TYPE_SIGN_IN_DIALOG)) != NULL);
  g_assert_cmpstr (gtk_window_get_title (dialog), ==, "Vercel Account");
  submit = gtk_window_get_default_widget (dialog);
  g_assert_cmpstr (gtk_button_get_label (GTK_BUTTON (submit)), ==, "_Save");
  g_assert_false (gtk_widget_get_sensitive (submit));
  gtk_window_close (dialog);
  WAIT_FOR (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == NULL);

  /* The About window and the Keyboard Shortcuts window. */
  g_action_group_activate_action (G_ACTION_GROUP (app), "about", NULL);
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_ABOUT_WINDOW)) != NULL);
  g_assert_cmpstr (adw_about_window_get_application_name (ADW_ABOUT_WINDOW (dialog)), ==, "PlayAlter");
  g_assert_cmpstr (adw_about_window_get_version (ADW_ABOUT_WINDOW (dialog)), ==, PACKAGE_VERSION);
  g_assert_cmpstr (adw_about_window_get_application_icon (ADW_ABOUT_WINDOW (dialog)), ==, APP_ID);
  g_assert_cmpint (adw_about_window_get_license_type (ADW_ABOUT_WINDOW (dialog)), ==, GTK_LICENSE_MIT_X11);
  g_assert_true (gtk_icon_theme_has_icon (gtk_icon_theme_get_for_display (gdk_display_get_default ()), APP_ID));
  save_screenshot (GTK_WIDGET (dialog), "screenshot-about.png");
  gtk_window_destroy (dialog);

  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (window), "win.show-help-overlay", NULL));
  WAIT_FOR ((dialog = find_toplevel (GTK_TYPE_SHORTCUTS_WINDOW)) != NULL);
  gtk_window_destroy (dialog);
  {
    g_auto(GStrv) accels = gtk_application_get_accels_for_action (GTK_APPLICATION (app), "app.quit");

    g_assert_true (g_strv_contains ((const char * const *) accels, "<Control>q"));
  }

  /* Narrow, the sidebar folds away behind a back button. */
  gtk_window_set_default_size (window, 400, 600);
  WAIT_FOR (adw_leaflet_get_folded (find_one (window, ADW_TYPE_LEAFLET)));
  g_assert_true (gtk_widget_get_mapped (find_one (window, PA_TYPE_ACCOUNTS_PAGE)));
  save_screenshot (GTK_WIDGET (window), "screenshot-narrow.png");

  /* The size is remembered when the window closes. */
  settings = g_settings_new (APP_ID);
  gtk_window_set_default_size (window, 820, 610);
  gtk_window_close (window);
  WAIT_FOR (gtk_application_get_windows (GTK_APPLICATION (app)) == NULL);
  g_assert_cmpint (g_settings_get_int (settings, "window-width"), ==, 820);
  g_assert_cmpint (g_settings_get_int (settings, "window-height"), ==, 610);
  g_object_unref (settings);
}

static void
test_accounts (void)
{
  g_autofree char *data_dir = NULL;

  if (!need_display () || !need_keyring () || !need_stripe_peer ())
    return;

  data_dir = g_dir_make_tmp ("playalter-gui-XXXXXX", NULL);
  g_assert_true (pa_test_keyring_is_current (keyring));
  run_app (data_dir, accounts_body, data_dir);
}

static const char not_a_dir_contents[] = "this is a file, not a folder\n";

static void
store_error_body (PaApplication *app,
                  GtkWindow     *window,
                  gconstpointer  data)
{
  const char *not_a_dir = data;
  g_autofree char *message = NULL;
  AdwStatusPage *status;

  g_assert_nonnull (pa_application_get_store_error (app));
  g_assert_null (pa_application_get_account_manager (app));

  /* The one on screen: pages have status pages of their own (Payments'
   * states), not shown while the window shows this one. */
  {
    g_autoptr(GPtrArray) pages = find_all (window, ADW_TYPE_STATUS_PAGE);

    status = NULL;
    for (guint i = 0; i < pages->len; i++)
      if (gtk_widget_get_mapped (pages->pdata[i]))
        {
          g_assert_null (status);
          status = pages->pdata[i];
        }
    g_assert_nonnull (status);
  }
  g_assert_cmpstr (adw_status_page_get_title (status), ==, "Can't Open Your Data");
  message = g_markup_escape_text (pa_application_get_store_error (app)->message, -1);
  g_assert_nonnull (strstr (adw_status_page_get_description (status), message));
  g_assert_nonnull (strstr (adw_status_page_get_description (status), not_a_dir));
  g_assert_false (gtk_widget_get_mapped (find_one (window, PA_TYPE_ACCOUNTS_PAGE)));
  save_screenshot (GTK_WIDGET (window), "screenshot-store-error.png");
}

static void
test_store_error (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *not_a_dir = NULL;
  g_autofree char *after = NULL;
  g_autoptr(GError) error = NULL;

  /* Its own process: one application per process, as in real life. */
  if (!g_test_subprocess ())
    {
      if (!need_display () || !need_keyring ())
        return;
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  dir = g_dir_make_tmp ("playalter-gui-XXXXXX", &error);
  g_assert_no_error (error);
  not_a_dir = g_build_filename (dir, "data", NULL);
  g_file_set_contents (not_a_dir, not_a_dir_contents, -1, &error);
  g_assert_no_error (error);

  run_app (not_a_dir, store_error_body, not_a_dir);

  g_file_get_contents (not_a_dir, &after, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (after, ==, not_a_dir_contents);
}

static void
no_keyring_body (PaApplication *app,
                 GtkWindow     *window,
                 gconstpointer  data)
{
  g_autoptr(GPtrArray) rows = find_all (window, PA_TYPE_ACCOUNT_ROW);
  g_autoptr(GPtrArray) secret_rows = NULL;
  GtkWindow *dialog;
  GtkWidget *submit;
  GtkWidget *refresh;
  PaAccountRow *row;

  show_accounts (window);

  /* Every account says why it cannot tell, rather than "Not signed in". */
  g_assert_cmpuint (rows->len, ==, 6);
  for (guint i = 0; i < rows->len; i++)
    {
      const char *subtitle = adw_action_row_get_subtitle (g_ptr_array_index (rows, i));

      g_assert_true (g_str_has_prefix (subtitle, "Keyring unavailable: "));
      g_assert_cmpuint (strlen (subtitle), >, strlen ("Keyring unavailable: "));
    }
  save_screenshot (GTK_WIDGET (window), "screenshot-keyring-unavailable.png");

  /* Reading again gives the same honest answer. */
  refresh = find_action_button (window, "accounts.refresh");
  click (refresh);
  WAIT_FOR (gtk_widget_get_mapped (refresh) && gtk_widget_is_sensitive (refresh));
  row = find_account_row (window, "openai");
  g_assert_true (g_str_has_prefix (adw_action_row_get_subtitle (ADW_ACTION_ROW (row)),
                                   "Keyring unavailable: "));

  /* Signing in fails in the dialog, which says why and keeps the key. */
  row = find_account_row (window, "stripe");
  click (find_action_button (row, "account.sign-in"));
  WAIT_FOR ((dialog = find_toplevel (PA_TYPE_SIGN_IN_DIALOG)) != NULL);
  secret_rows = find_all (dialog, ADW_TYPE_PASSWORD_ENTRY_ROW);
  gtk_editable_set_text (GTK_EDITABLE (g_ptr_array_index (secret_rows, 0)), CANARY_KEY);
  submit = gtk_window_get_default_widget (dialog);
  click (submit);
  WAIT_FOR (gtk_revealer_get_reveal_child (find_error_revealer (dialog)));
  WAIT_FOR (gtk_widget_get_mapped (submit));
  g_assert_true (find_toplevel (PA_TYPE_SIGN_IN_DIALOG) == dialog);
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (g_ptr_array_index (secret_rows, 0))), ==,
                   CANARY_KEY);
  g_assert_true (gtk_widget_get_sensitive (submit));
  save_screenshot (GTK_WIDGET (dialog), "screenshot-sign-in-no-keyring.png");
  g_assert_cmpint (pa_account_get_status (pa_account_row_get_account (row)), ==,
                   PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE);
}

static void
test_no_keyring (void)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(PaTestKeyring) bus = NULL;
  g_autoptr(GError) error = NULL;

  /* Its own process, on its own bus with no Secret Service at all. */
  if (!g_test_subprocess ())
    {
      /* The child starts a bus: dbus-daemon is all it needs. */
      pa_test_keyring_check_installed (FALSE, &error);
      if (!need_display () || !pa_test_require_no_error (error))
        return;
      g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  bus = pa_test_keyring_start_without_service (&error);
  g_assert_no_error (error);
  data_dir = g_dir_make_tmp ("playalter-gui-XXXXXX", &error);
  g_assert_no_error (error);

  run_app (data_dir, no_keyring_body, NULL);
}

/* ---- the real binary ---------------------------------------------------- */

typedef struct
{
  gboolean  done;
  char     *stdout_text;
  GError   *error;
} Outcome;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Outcome *outcome = user_data;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                        &outcome->stdout_text, NULL, &outcome->error);
  outcome->done = TRUE;
}

static void
die_with_parent (gpointer user_data)
{
  /* A failed assertion must not leave a GUI running on the display. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

static GSubprocess *
spawn (const char * const *argv,
       GSubprocessFlags    flags)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GError) error = NULL;
  GSubprocess *process;

  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);

  return process;
}

/* Runs a helper program to its end, within @seconds, and returns its output. */
static char *
run_bounded (const char * const *argv,
             int                 seconds)
{
  g_autoptr(GSubprocess) process = spawn (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  Outcome outcome = { 0 };

  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicate_cb, &outcome);
  if (!WAIT_UNTIL (outcome.done, seconds))
    {
      g_subprocess_force_exit (process);
      WAIT_FOR (outcome.done);
      g_error ("%s did not finish within %d s", argv[0], seconds);
    }

  g_assert_no_error (outcome.error);
  if (!g_subprocess_get_successful (process))
    g_error ("%s failed (status %d)", argv[0], g_subprocess_get_status (process));

  return outcome.stdout_text;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  gboolean *done = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  *done = TRUE;
}

static gboolean
wait_for_exit (GSubprocess *process,
               int          seconds)
{
  gboolean done = FALSE;

  g_subprocess_wait_async (process, NULL, wait_cb, &done);
  if (WAIT_UNTIL (done, seconds))
    return TRUE;

  g_subprocess_force_exit (process);
  WAIT_FOR (done);
  return FALSE;
}

static void
activate_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Outcome *outcome = user_data;
  g_autoptr(GVariant) reply = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &outcome->error);
  outcome->done = TRUE;
}

static void
test_binary (void)
{
  const char *binary = g_getenv ("PLAYALTER_GUI");
  g_autofree char *data_dir = NULL;
  g_autofree char *png = output_path ("screenshot-binary.png");
  /* The window has an alpha channel that X does not keep meaningfully:
   * capture colour only. */
  g_autofree char *png_arg = g_strconcat ("PNG24:", png, NULL);
  g_autofree char *found = NULL;
  g_autofree char *listed = NULL;
  g_autofree char *window_id = NULL;
  g_autoptr(GSubprocess) gui = NULL;
  g_autoptr(GSubprocess) second = NULL;
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) ids = NULL;
  Outcome quit = { 0 };
  const char *pid;
  gint64 deadline;

  g_assert_nonnull (binary);
  if (!need_display () || !need_keyring () ||
      !need_program ("xdotool", "xdotool") || !need_program ("import", "imagemagick"))
    return;

  data_dir = g_dir_make_tmp ("playalter-gui-XXXXXX", NULL);
  const char *gui_argv[] = { binary, "--data-dir", data_dir, NULL };
  gui = spawn (gui_argv, G_SUBPROCESS_FLAGS_NONE);
  pid = g_subprocess_get_identifier (gui);

  /* The window appears; xdotool polls for it, bounded by run_bounded. */
  const char *search_argv[] = { "xdotool", "search", "--sync", "--onlyvisible", "--all",
                                "--pid", pid, "--name", "^PlayAlter$", NULL };
  found = run_bounded (search_argv, WAIT_TIMEOUT_S);
  ids = g_strsplit (g_strstrip (found), "\n", -1);
  g_assert_cmpuint (g_strv_length (ids), ==, 1);
  window_id = g_strdup (ids[0]);

  /* The window shows a spinner until the keyring has been read: capture
   * until the accounts are there (many more colours than a spinner). */
  const char *import_argv[] = { "import", "-window", window_id, png_arg, NULL };
  deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  for (;;)
    {
      g_free (run_bounded (import_argv, WAIT_TIMEOUT_S));
      if (count_colours (png) > 100)
        break;
      if (g_get_monotonic_time () > deadline)
        g_error ("The window showed no accounts within %d s", WAIT_TIMEOUT_S);
      /* A pause between two captures, not a guess at how long loading takes. */
      WAIT_UNTIL (FALSE, 0.2);
    }
  assert_png_not_blank (png);

  /* Single instance: a second start hands over to the first and leaves. */
  second = spawn (gui_argv, G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_assert_true (wait_for_exit (second, WAIT_TIMEOUT_S));
  g_assert_true (g_subprocess_get_successful (second));

  const char *list_argv[] = { "xdotool", "search", "--onlyvisible", "--name", "^PlayAlter$", NULL };
  listed = run_bounded (list_argv, WAIT_TIMEOUT_S);
  g_assert_cmpstr (g_strstrip (listed), ==, window_id);

  /* Quit through the app.quit action, as the menu and Ctrl+Q do. */
  bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, &error);
  g_assert_no_error (error);
  g_dbus_connection_call (bus, APP_ID, "/io/playalter/PlayAlter", "org.gtk.Actions", "Activate",
                          g_variant_new ("(s@av@a{sv})", "quit",
                                         g_variant_new_array (G_VARIANT_TYPE_VARIANT, NULL, 0),
                                         g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0)),
                          NULL, G_DBUS_CALL_FLAGS_NONE, -1, NULL, activate_cb, &quit);
  WAIT_FOR (quit.done);
  g_assert_no_error (quit.error);

  g_assert_true (wait_for_exit (gui, WAIT_TIMEOUT_S));
  g_assert_true (g_subprocess_get_if_exited (gui));
  g_assert_cmpint (g_subprocess_get_exit_status (gui), ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);

  /* Before any case: this process's first session bus connection must be
   * to the private bus. A case in a subprocess shares its parent's. */
  if (!g_test_subprocess ())
    keyring = pa_test_keyring_start (&keyring_error);

  g_test_add_func ("/gui/accounts", test_accounts);
  g_test_add_func ("/gui/store-error", test_store_error);
  g_test_add_func ("/gui/no-keyring", test_no_keyring);
  g_test_add_func ("/gui/binary", test_binary);

  status = g_test_run ();

  g_clear_pointer (&stripe_peer, pa_test_peer_stop);
  g_clear_pointer (&keyring, pa_test_keyring_stop);
  g_clear_error (&keyring_error);

  return status;
}
