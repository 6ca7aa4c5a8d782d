/* test-accounts.c — PaAccountManager against a real private keyring
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>

#include "playalter.h"
#include "pa-secrets-libsecret.h"
#include "pa-test-keyring.h"

typedef struct {
  PaTestKeyring    *keyring;
  char             *data_dir;
  PaStore          *store;
  PaSecrets        *secrets;
  PaAccountManager *manager;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->keyring = pa_test_keyring_start (&error);
  g_assert_no_error (error);
  fixture->data_dir = g_dir_make_tmp ("playalter-accounts-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->store = pa_store_open (fixture->data_dir, &error);
  g_assert_no_error (error);
  fixture->secrets = pa_secrets_new ();
  fixture->manager = pa_account_manager_new (fixture->store, fixture->secrets);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_autofree char *db = g_build_filename (fixture->data_dir, "playalter.db", NULL);
  g_autofree char *wal = g_strconcat (db, "-wal", NULL);
  g_autofree char *shm = g_strconcat (db, "-shm", NULL);

  g_clear_object (&fixture->manager);
  g_clear_object (&fixture->secrets);
  g_clear_object (&fixture->store);
  g_unlink (wal);
  g_unlink (shm);
  g_unlink (db);
  g_rmdir (fixture->data_dir);
  g_free (fixture->data_dir);
  g_clear_pointer (&fixture->keyring, pa_test_keyring_stop);
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

static void
refresh (Fixture *fixture)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  pa_account_manager_refresh_async (fixture->manager, NULL, store_result, &result);
  pa_account_manager_refresh_finish (fixture->manager, wait_for (&result), &error);
  g_assert_no_error (error);
}

static gboolean
sign_in_with_flags (Fixture        *fixture,
                    const char     *platform,
                    const char     *profile,
                    const char     *base_url,
                    PaSignInFlags   flags,
                    GHashTable     *secrets,
                    GError        **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_account_manager_sign_in_async (fixture->manager, platform, profile, base_url, flags,
                                    secrets, NULL, store_result, &result);
  return pa_account_manager_sign_in_finish (fixture->manager, wait_for (&result), error);
}

static gboolean
sign_in (Fixture     *fixture,
         const char  *platform,
         const char  *profile,
         const char  *base_url,
         GHashTable  *secrets,
         GError     **error)
{
  return sign_in_with_flags (fixture, platform, profile, base_url, PA_SIGN_IN_NONE, secrets,
                             error);
}

static void
test_defaults (Fixture       *fixture,
               gconstpointer  data)
{
  GListModel *accounts = pa_account_manager_get_accounts (fixture->manager);
  const char *order[] = { "stripe", "openai", "replicate", "vercel", "n8n", "agora" };

  refresh (fixture);
  g_assert_cmpuint (g_list_model_get_n_items (accounts), ==, G_N_ELEMENTS (order));
  for (guint i = 0; i < G_N_ELEMENTS (order); i++)
    {
      g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

      g_assert_cmpstr (pa_account_get_platform (account), ==, order[i]);
      g_assert_cmpstr (pa_account_get_profile (account), ==, PA_DEFAULT_PROFILE);
      g_assert_cmpint (pa_account_get_status (account), ==, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
      g_assert_null (pa_account_get_base_url (account));
      g_assert_nonnull (pa_account_get_effective_base_url (account));
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_sign_in_and_out (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) out = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) stored = NULL;
  g_autoptr(PaSecretString) gone = NULL;
  g_autoptr(GPtrArray) rows = NULL;
  PaAccount *stripe = pa_account_manager_find (fixture->manager, "stripe", NULL);
  guint notifications = 0;

  g_signal_connect (stripe, "notify::status", G_CALLBACK (count_notify), &notifications);

  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) "sk_test_accounts_1");
  g_assert_true (sign_in (fixture, "stripe", NULL, NULL, secrets, &error));
  g_assert_no_error (error);

  g_assert_cmpint (pa_account_get_status (stripe), ==, PA_ACCOUNT_STATUS_SIGNED_IN);
  g_assert_cmpuint (notifications, ==, 1);
  stored = pa_secrets_lookup_sync (fixture->secrets, "stripe", "default", "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (stored, ==, "sk_test_accounts_1");

  /* The keyring item is labelled with the platform's name, for people. */
  {
    g_autoptr(SecretService) service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION,
                                                                NULL, &error);
    g_autoptr(GHashTable) attributes = g_hash_table_new (g_str_hash, g_str_equal);
    g_autofree char *label = NULL;
    GList *items;

    g_assert_no_error (error);
    g_hash_table_insert (attributes, (gpointer) "platform", (gpointer) "stripe");
    items = secret_service_search_sync (service, pa_secrets_get_schema (), attributes,
                                        SECRET_SEARCH_ALL, NULL, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_list_length (items), ==, 1);
    label = secret_item_get_label (items->data);
    g_assert_cmpstr (label, ==, "PlayAlter: Stripe (default) api-key");
    g_list_free_full (items, g_object_unref);
  }

  /* The database remembers the account, never the key. */
  rows = pa_store_list_accounts (fixture->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rows->len, ==, 1);
  g_assert_cmpstr (((PaAccountRecord *) g_ptr_array_index (rows, 0))->platform, ==, "stripe");
  g_assert_cmpstr (((PaAccountRecord *) g_ptr_array_index (rows, 0))->status, ==, "signed-in");

  /* A fresh manager over the same store and keyring sees the same. */
  {
    g_autoptr(PaAccountManager) again = pa_account_manager_new (fixture->store, fixture->secrets);
    g_autoptr(GAsyncResult) result = NULL;

    pa_account_manager_refresh_async (again, NULL, store_result, &result);
    g_assert_true (pa_account_manager_refresh_finish (again, wait_for (&result), &error));
    g_assert_cmpint (pa_account_get_status (pa_account_manager_find (again, "stripe", NULL)), ==,
                     PA_ACCOUNT_STATUS_SIGNED_IN);
  }

  pa_account_manager_sign_out_async (fixture->manager, "stripe", NULL, NULL, store_result, &out);
  g_assert_true (pa_account_manager_sign_out_finish (fixture->manager, wait_for (&out), &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_account_get_status (stripe), ==, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  gone = pa_secrets_lookup_sync (fixture->secrets, "stripe", "default", "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gone);

  g_signal_handlers_disconnect_by_func (stripe, count_notify, &notifications);
}

static void
add_stripe_event (PaStore    *store,
                  const char *profile,
                  const char *id)
{
  g_autofree char *payload = g_strdup_printf (
    "{\"id\": \"%s\", \"object\": \"event\", \"type\": \"customer.created\", "
    "\"created\": 1700000000, \"livemode\": false, \"data\": {\"object\": "
    "{\"id\": \"cus_%s\", \"object\": \"customer\", \"created\": 1700000000, "
    "\"email\": \"ada@example.com\"}}}", id, id);
  PaStripeEventRow row = { id, "customer.created", 1700000000, payload };
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_store_stripe_add_events (store, profile, &row, 1, PA_STRIPE_ORDER_FORWARD,
                                             "sync", NULL, NULL, &error));
  g_assert_no_error (error);
}

static gint64
count_stripe_events (PaStore    *store,
                     const char *profile)
{
  g_autoptr(GError) error = NULL;
  gint64 n = pa_store_stripe_count_events (store, profile, &error);

  g_assert_no_error (error);
  return n;
}

/* A Stripe account's synced copy of its payments belongs to it: signing
 * out, or moving the account to another server, forgets it, and only it. */
static void
test_stripe_copy_goes_with_account (Fixture       *fixture,
                                    gconstpointer  data)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GAsyncResult) out = NULL;
  g_autoptr(GError) error = NULL;

  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) "sk_test_accounts_copy");
  g_assert_true (sign_in (fixture, "stripe", NULL, "http://127.0.0.1:12111", secrets, &error));
  g_assert_no_error (error);
  g_assert_true (sign_in (fixture, "stripe", "shop", "http://127.0.0.1:12111", secrets, &error));
  g_assert_no_error (error);
  add_stripe_event (fixture->store, "default", "evt_default_1");
  add_stripe_event (fixture->store, "shop", "evt_shop_1");

  /* Signing in again at the same address keeps the copy. */
  g_assert_true (sign_in (fixture, "stripe", "shop", "http://127.0.0.1:12111", secrets, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_stripe_events (fixture->store, "shop"), ==, 1);

  pa_account_manager_sign_out_async (fixture->manager, "stripe", NULL, NULL, store_result, &out);
  g_assert_true (pa_account_manager_sign_out_finish (fixture->manager, wait_for (&out), &error));
  g_assert_no_error (error);
  g_test_message ("after signing out: default %" G_GINT64_FORMAT " events, shop %" G_GINT64_FORMAT,
                  count_stripe_events (fixture->store, "default"),
                  count_stripe_events (fixture->store, "shop"));
  g_assert_cmpint (count_stripe_events (fixture->store, "default"), ==, 0);
  g_assert_cmpint (count_stripe_events (fixture->store, "shop"), ==, 1);

  /* Another server is another account: what the old one synced goes. */
  g_assert_true (sign_in (fixture, "stripe", "shop", "http://127.0.0.1:12112", secrets, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_stripe_events (fixture->store, "shop"), ==, 0);

  add_stripe_event (fixture->store, "shop", "evt_shop_2");
  g_assert_true (pa_account_manager_sign_out_sync (fixture->manager, "stripe", "shop", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (count_stripe_events (fixture->store, "shop"), ==, 0);
}

/* Plain http is for this computer; another machine only when asked. */
static void
test_insecure_http (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  const char *local[] = { "http://127.0.0.1:5000", "http://localhost:11434/v1", "http://[::1]:8080",
                          "https://192.168.1.10:8443" };
  const char *remote[] = { "http://192.168.1.10:11434/v1", "http://api.openai.com/v1",
                           "http://localhost.example.com", "HTTP://10.0.0.1" };

  for (guint i = 0; i < G_N_ELEMENTS (local); i++)
    g_assert_true (pa_account_manager_check_base_url (local[i], PA_SIGN_IN_NONE, NULL));

  for (guint i = 0; i < G_N_ELEMENTS (remote); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pa_account_manager_check_base_url (remote[i], PA_SIGN_IN_NONE, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
      g_assert_nonnull (strstr (error->message, remote[i]));
      g_assert_nonnull (strstr (error->message, "https://"));
      g_assert_nonnull (strstr (error->message, "--insecure-http"));
      g_assert_true (pa_account_manager_check_base_url (remote[i], PA_SIGN_IN_ALLOW_INSECURE_HTTP,
                                                        NULL));
    }

  /* Signing in says the same, and saves nothing. */
  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) "sk-insecure-1");
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(PaSecretString) stored = NULL;

    g_assert_false (sign_in (fixture, "openai", NULL, remote[0], secrets, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
    g_clear_error (&error);
    stored = pa_secrets_lookup_sync (fixture->secrets, "openai", "default", "api-key", NULL,
                                     &error);
    g_assert_null (stored);
    g_assert_null (pa_account_get_base_url (pa_account_manager_find (fixture->manager,
                                                                     "openai", NULL)));
  }
  {
    g_autoptr(GError) error = NULL;

    g_assert_true (sign_in_with_flags (fixture, "openai", NULL, remote[0],
                                       PA_SIGN_IN_ALLOW_INSECURE_HTTP, secrets, &error));
    g_assert_no_error (error);
    g_assert_cmpstr (pa_account_get_base_url (pa_account_manager_find (fixture->manager,
                                                                       "openai", NULL)),
                     ==, remote[0]);
  }
}

static char *
stored_secret (Fixture    *fixture,
               const char *platform,
               const char *field)
{
  g_autoptr(GError) error = NULL;

  return pa_secrets_lookup_sync (fixture->secrets, platform, "default", field, NULL, &error);
}

/* A key given for one host does not follow the account to another. */
static void
test_base_url_moves (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) key = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) none = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) both = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) one = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  PaAccount *openai = pa_account_manager_find (fixture->manager, "openai", NULL);
  PaAccount *agora = pa_account_manager_find (fixture->manager, "agora", NULL);

  g_hash_table_insert (key, (gpointer) "api-key", (gpointer) "sk-moves-1");
  g_assert_true (sign_in (fixture, "openai", NULL, "http://127.0.0.1:11434/v1", key, &error));
  g_assert_no_error (error);

  /* The same server, another path: the key stays. */
  g_assert_false (pa_account_manager_base_url_moves (fixture->manager, "openai", NULL,
                                                     "http://127.0.0.1:11434/v2"));
  g_assert_true (sign_in (fixture, "openai", NULL, "http://127.0.0.1:11434/v2", none, &error));
  g_assert_no_error (error);
  {
    g_autoptr(PaSecretString) stored = stored_secret (fixture, "openai", "api-key");
    g_assert_cmpstr (stored, ==, "sk-moves-1");
  }

  /* Another port, another host, another scheme: each forgets the key. */
  {
    const char *moves[] = { "http://127.0.0.1:8080/v1", "http://localhost:8080/v1",
                            "https://localhost:8080/v1" };

    for (guint i = 0; i < G_N_ELEMENTS (moves); i++)
      {
        g_autoptr(PaSecretString) stored = NULL;

        g_assert_true (sign_in (fixture, "openai", NULL, NULL, key, &error));
        g_assert_no_error (error);
        g_assert_true (pa_account_manager_base_url_moves (fixture->manager, "openai", NULL,
                                                          moves[i]));
        g_assert_true (sign_in (fixture, "openai", NULL, moves[i], none, &error));
        g_assert_no_error (error);
        stored = stored_secret (fixture, "openai", "api-key");
        g_assert_null (stored);
        g_assert_cmpstr (pa_account_get_base_url (openai), ==, moves[i]);
      }
  }

  /* Given again with the move, the new key is kept. */
  g_assert_true (sign_in (fixture, "openai", NULL, "http://127.0.0.1:9000/v1", key, &error));
  g_assert_no_error (error);
  {
    g_autoptr(PaSecretString) stored = stored_secret (fixture, "openai", "api-key");
    g_assert_cmpstr (stored, ==, "sk-moves-1");
  }
  g_assert_cmpint (pa_account_get_status (openai), ==, PA_ACCOUNT_STATUS_SIGNED_IN);

  /* Agora's customer id is half of its key: moving with only the other
   * half leaves the account not signed in, and the old half gone. */
  g_hash_table_insert (both, (gpointer) "customer-id", (gpointer) "cust-moves");
  g_hash_table_insert (both, (gpointer) "customer-secret", (gpointer) "secret-moves");
  g_hash_table_insert (both, (gpointer) "app-id", (gpointer) "app-moves");
  g_hash_table_insert (both, (gpointer) "app-certificate", (gpointer) "cert-moves");
  g_assert_true (sign_in (fixture, "agora", NULL, NULL, both, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_account_get_status (agora), ==, PA_ACCOUNT_STATUS_SIGNED_IN);
  g_hash_table_insert (one, (gpointer) "customer-secret", (gpointer) "secret-moves-2");
  g_assert_true (sign_in (fixture, "agora", NULL, "https://agora-proxy.example.com", one, &error));
  g_assert_no_error (error);
  g_assert_cmpint (pa_account_get_status (agora), ==, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  {
    g_autoptr(PaSecretString) stored = stored_secret (fixture, "agora", "customer-id");
    g_assert_null (stored);
  }
}

static void
test_validation (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GHashTable) empty = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) wrong_field = g_hash_table_new (g_str_hash, g_str_equal);
  const char *bad_urls[] = { "ftp://x.example", "localhost:5678", "https://", "https://u:p@host",
                             "https://host/?q=1", "not a url" };

  g_hash_table_insert (wrong_field, (gpointer) "password", (gpointer) "x");

  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autoptr(GError) error = NULL;

      g_assert_false (pa_account_manager_check_base_url (bad_urls[i], PA_SIGN_IN_NONE, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
  g_assert_true (pa_account_manager_check_base_url ("http://127.0.0.1:5000", PA_SIGN_IN_NONE, NULL));
  g_assert_true (pa_account_manager_check_base_url ("https://api.openai.com/v1", PA_SIGN_IN_NONE, NULL));

  {
    g_autoptr(GError) error = NULL;
    g_assert_false (sign_in (fixture, "myspace", NULL, NULL, empty, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (sign_in (fixture, "stripe", NULL, NULL, empty, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (sign_in (fixture, "stripe", NULL, NULL, wrong_field, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "api-key"));
  }
  {
    g_autoptr(GError) error = NULL;
    g_assert_false (sign_in (fixture, "stripe", "bad/profile", NULL, empty, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }

  /* A local server without a key is a valid account. */
  {
    g_autoptr(GError) error = NULL;
    g_assert_true (sign_in (fixture, "replicate", NULL, "http://127.0.0.1:5000", empty, &error));
    g_assert_no_error (error);
    g_assert_cmpint (pa_account_get_status (pa_account_manager_find (fixture->manager, "replicate", NULL)),
                     ==, PA_ACCOUNT_STATUS_SIGNED_IN);
    g_assert_cmpstr (pa_account_get_effective_base_url (pa_account_manager_find (fixture->manager, "replicate", NULL)),
                     ==, "http://127.0.0.1:5000");
  }
}

static void
test_partial_agora_and_profiles (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GHashTable) app = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) customer = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  PaAccount *agora = pa_account_manager_find (fixture->manager, "agora", NULL);
  PaAccount *second;
  guint n_before = g_list_model_get_n_items (pa_account_manager_get_accounts (fixture->manager));

  g_hash_table_insert (app, (gpointer) "app-id", (gpointer) "0123456789abcdef0123456789abcdef");
  g_hash_table_insert (app, (gpointer) "app-certificate", (gpointer) "fedcba9876543210fedcba9876543210");
  g_assert_true (sign_in (fixture, "agora", NULL, NULL, app, &error));
  g_assert_cmpint (pa_account_get_status (agora), ==, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  g_assert_nonnull (strstr (pa_account_get_status_detail (agora), "Customer ID"));

  g_hash_table_insert (customer, (gpointer) "customer-id", (gpointer) "cid");
  g_hash_table_insert (customer, (gpointer) "customer-secret", (gpointer) "csecret");
  g_assert_true (sign_in (fixture, "agora", NULL, NULL, customer, &error));
  g_assert_cmpint (pa_account_get_status (agora), ==, PA_ACCOUNT_STATUS_SIGNED_IN);
  g_assert_null (pa_account_get_status_detail (agora));

  /* A second profile appears as its own account, and goes on sign-out. */
  g_assert_true (sign_in (fixture, "agora", "studio-b", NULL, customer, &error));
  g_assert_cmpuint (g_list_model_get_n_items (pa_account_manager_get_accounts (fixture->manager)), ==, n_before + 1);
  second = pa_account_manager_find (fixture->manager, "agora", "studio-b");
  g_assert_nonnull (second);
  g_assert_cmpint (pa_account_get_status (second), ==, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
  g_assert_true (pa_account_manager_sign_out_sync (fixture->manager, "agora", "studio-b", NULL, &error));
  g_assert_null (pa_account_manager_find (fixture->manager, "agora", "studio-b"));
  g_assert_cmpint (pa_account_get_status (agora), ==, PA_ACCOUNT_STATUS_SIGNED_IN);
}

static void
test_locked_keyring (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GHashTable) secrets = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GError) error = NULL;
  PaAccount *vercel = pa_account_manager_find (fixture->manager, "vercel", NULL);

  g_hash_table_insert (secrets, (gpointer) "api-key", (gpointer) "vercel-token");
  g_assert_true (sign_in (fixture, "vercel", NULL, NULL, secrets, &error));
  g_assert_no_error (error);

  g_assert_true (pa_test_keyring_lock (fixture->keyring, &error));

  refresh (fixture);
  g_assert_cmpint (pa_account_get_status (vercel), ==, PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE);
  g_assert_nonnull (strstr (pa_account_get_status_detail (vercel), "locked"));

  g_assert_false (sign_in (fixture, "stripe", NULL, NULL, secrets, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "locked"));
}

static void
test_no_secret_service (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestKeyring) bus = NULL;
  g_autofree char *dir = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaAccountManager) manager = NULL;
  PaAccount *stripe;

  bus = pa_test_keyring_start_without_service (&error);
  if (!pa_test_require_no_error (error))
    return;
  dir = g_dir_make_tmp ("playalter-accounts-XXXXXX", &error);
  store = pa_store_open (dir, &error);
  secrets = pa_secrets_new ();
  manager = pa_account_manager_new (store, secrets);

  g_assert_no_error (error);
  g_assert_true (pa_account_manager_refresh_sync (manager, NULL, &error));
  g_assert_no_error (error);
  stripe = pa_account_manager_find (manager, "stripe", NULL);
  g_assert_cmpint (pa_account_get_status (stripe), ==, PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE);
  g_test_message ("status detail: %s", pa_account_get_status_detail (stripe));
  g_assert_nonnull (strstr (pa_account_get_status_detail (stripe), "keyring"));

  g_clear_object (&manager);
  g_clear_object (&secrets);
  g_clear_object (&store);
  {
    g_autofree char *db = g_build_filename (dir, "playalter.db", NULL);
    g_autofree char *wal = g_strconcat (db, "-wal", NULL);
    g_autofree char *shm = g_strconcat (db, "-shm", NULL);
    g_unlink (wal);
    g_unlink (shm);
    g_unlink (db);
    g_rmdir (dir);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  pa_test_add_needing (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down, \
                       pa_test_keyring_need)
  ADD ("/accounts/defaults", test_defaults);
  ADD ("/accounts/sign-in-and-out", test_sign_in_and_out);
  ADD ("/accounts/validation", test_validation);
  ADD ("/accounts/insecure-http", test_insecure_http);
  ADD ("/accounts/base-url-moves", test_base_url_moves);
  ADD ("/accounts/partial-agora-and-profiles", test_partial_agora_and_profiles);
  ADD ("/accounts/locked-keyring", test_locked_keyring);
  ADD ("/accounts/stripe-copy-goes-with-account", test_stripe_copy_goes_with_account);
#undef ADD
  g_test_add_func ("/accounts/no-secret-service", test_no_secret_service);

  return g_test_run ();
}
