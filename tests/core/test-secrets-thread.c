/* test-secrets-thread.c — the keyring API over a blocking backend
 *
 * SPDX-License-Identifier: MIT
 *
 * The Windows Credential Manager and macOS Keychain backends cannot run
 * here, but what they share with each other can: pa-secrets.c (checks,
 * labels, the async API), pa-secrets-sync.c and pa-secrets-thread.c
 * (worker threads, cancellation, wiping, item names). This test builds
 * those with a backend of its own that keeps items in memory the way the
 * Keychain does (one item per escaped "<platform>/<profile>/<field>",
 * the generation beside it), and drives the public API over it.
 */
#include <string.h>

#include "pa-error.h"

#include "pa-secrets-backend-private.h"

/* ---- the backend: a locked table, name -> "generation:secret" -------- */

static GMutex      items_mutex;
static GHashTable *items;
static GThread    *main_thread;
static gint        calls_in_main_thread;
static GCancellable *cancel_during_call;  /* cancelled inside the next call */

static GHashTable *
get_items (void)
{
  if (items == NULL)
    items = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  return items;
}

static void
note_call (void)
{
  if (g_thread_self () == main_thread)
    g_atomic_int_inc (&calls_in_main_thread);
  if (cancel_during_call != NULL)
    g_cancellable_cancel (g_steal_pointer (&cancel_during_call));
}

gboolean
pa_secrets_blocking_store (const PaSecretsRequest  *request,
                           GError                 **error)
{
  g_autofree char *name = pa_secrets_item_name (request, request->field);

  note_call ();
  g_assert_nonnull (request->label);
  g_mutex_lock (&items_mutex);
  g_hash_table_insert (get_items (), g_steal_pointer (&name),
                       g_strdup_printf ("%d:%s", PA_SECRETS_GENERATION, request->secret));
  g_mutex_unlock (&items_mutex);
  return TRUE;
}

char *
pa_secrets_blocking_lookup (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *name = pa_secrets_item_name (request, request->field);
  g_autofree char *current = g_strdup_printf ("%d:", PA_SECRETS_GENERATION);
  const char *value;
  char *secret = NULL;

  note_call ();
  g_mutex_lock (&items_mutex);
  value = g_hash_table_lookup (get_items (), name);
  if (value != NULL && g_str_has_prefix (value, current))
    secret = g_strdup (value + strlen (current));
  g_mutex_unlock (&items_mutex);
  return secret;
}

gboolean
pa_secrets_blocking_delete (const PaSecretsRequest  *request,
                            GError                 **error)
{
  g_autofree char *name = pa_secrets_item_name (request, request->field);
  GHashTableIter iter;
  gpointer key;

  note_call ();
  g_mutex_lock (&items_mutex);
  g_hash_table_iter_init (&iter, get_items ());
  while (g_hash_table_iter_next (&iter, &key, NULL))
    {
      if (request->field != NULL ? strcmp (key, name) == 0 : g_str_has_prefix (key, name))
        g_hash_table_iter_remove (&iter);
    }
  g_mutex_unlock (&items_mutex);
  return TRUE;
}

static void
put_raw (const char *name,
         const char *value)
{
  g_mutex_lock (&items_mutex);
  g_hash_table_insert (get_items (), g_strdup (name), g_strdup (value));
  g_mutex_unlock (&items_mutex);
}

static guint
count_items (void)
{
  guint n;

  g_mutex_lock (&items_mutex);
  n = g_hash_table_size (get_items ());
  g_mutex_unlock (&items_mutex);
  return n;
}

static void
clear_items (void)
{
  g_mutex_lock (&items_mutex);
  g_hash_table_remove_all (get_items ());
  g_mutex_unlock (&items_mutex);
}

/* ---- async helpers ---------------------------------------------------- */

typedef struct {
  GAsyncResult *result;
} Wait;

static void
on_done (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
}

static GAsyncResult *
wait_for (Wait *wait)
{
  while (wait->result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return wait->result;
}

/* ---- tests ------------------------------------------------------------ */

/* Store, look up, replace and delete, through the async and the blocking
 * API, with every call of the backend off the main thread. */
static void
test_round_trip (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) found = NULL;
  g_autoptr(PaSecretString) replaced = NULL;
  g_autoptr(PaSecretString) gone = NULL;
  g_autoptr(GAsyncResult) stored = NULL;
  g_autoptr(GAsyncResult) looked_up = NULL;
  Wait store_wait = { NULL }, lookup_wait = { NULL };
  char secret[] = "sk_test_round_trip";

  clear_items ();
  pa_secrets_store_async (secrets, "stripe", "default", "api-key", secret, NULL,
                          on_done, &store_wait);
  /* The caller may wipe its copy at once. */
  memset (secret, 'x', strlen (secret));
  stored = wait_for (&store_wait);
  g_assert_true (pa_secrets_store_finish (secrets, stored, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (), ==, 1);

  pa_secrets_lookup_async (secrets, "stripe", "default", "api-key", NULL,
                           on_done, &lookup_wait);
  looked_up = wait_for (&lookup_wait);
  found = pa_secrets_lookup_finish (secrets, looked_up, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (found, ==, "sk_test_round_trip");

  g_assert_true (pa_secrets_store_sync (secrets, "stripe", "default", "api-key", "sk_new",
                                        NULL, &error));
  replaced = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (replaced, ==, "sk_new");
  g_assert_cmpuint (count_items (), ==, 1);

  g_assert_true (pa_secrets_delete_sync (secrets, "stripe", "default", "api-key", NULL, &error));
  gone = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (gone);
  /* Deleting what is not there succeeds. */
  g_assert_true (pa_secrets_delete_sync (secrets, "stripe", "default", "api-key", NULL, &error));
  g_assert_no_error (error);

  g_assert_cmpint (g_atomic_int_get (&calls_in_main_thread), ==, 0);
}

/* Names are escaped, so a "/" or "*" in one cannot reach another's items,
 * and deleting a profile removes all its fields and nothing else. */
static void
test_names_and_delete_all (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) other = NULL;
  g_autoptr(PaSecretString) kept = NULL;
  PaSecretsRequest request = { OP_LOOKUP, "a/b", "c*", "d e", NULL, NULL };
  g_autofree char *name = pa_secrets_item_name (&request, request.field);
  g_autofree char *prefix = pa_secrets_item_name (&request, NULL);

  g_assert_cmpstr (name, ==, "a%2Fb/c%2A/d%20e");
  g_assert_cmpstr (prefix, ==, "a%2Fb/c%2A/");

  clear_items ();
  g_assert_true (pa_secrets_store_sync (secrets, "a", "b/c", "key", "one", NULL, &error));
  g_assert_true (pa_secrets_store_sync (secrets, "a/b", "c", "key", "two", NULL, &error));
  g_assert_true (pa_secrets_store_sync (secrets, "a", "b", "key", "three", NULL, &error));
  g_assert_true (pa_secrets_store_sync (secrets, "a", "b", "secret", "four", NULL, &error));
  g_assert_true (pa_secrets_store_sync (secrets, "a", "bb", "key", "five", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (), ==, 5);

  other = pa_secrets_lookup_sync (secrets, "a/b", "c", "key", NULL, &error);
  g_assert_cmpstr (other, ==, "two");

  g_assert_true (pa_secrets_delete_sync (secrets, "a", "b", NULL, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items (), ==, 3);
  kept = pa_secrets_lookup_sync (secrets, "a", "bb", "key", NULL, &error);
  g_assert_cmpstr (kept, ==, "five");
}

/* An item of another generation is not read. */
static void
test_old_generation (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) found = NULL;
  g_autofree char *old = g_strdup_printf ("%d:sk_old", PA_SECRETS_GENERATION - 1);

  clear_items ();
  put_raw ("stripe/default/api-key", old);
  found = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key", NULL, &error);
  g_assert_no_error (error);
  g_assert_null (found);
}

/* Bad arguments fail before any call of the backend, with the codes the
 * header promises. */
static void
test_invalid (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;

  clear_items ();
  g_assert_false (pa_secrets_store_sync (secrets, "", "default", "key", "s", NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_secrets_store_sync (secrets, "stripe", "default", "key", "", NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_secrets_store_sync (secrets, "stripe", "default", "key", "\xff", NULL,
                                         &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (pa_secrets_lookup_sync (secrets, "stripe", "default", NULL, NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_cmpuint (count_items (), ==, 0);
}

/* Cancelled before: the backend is not called. Cancelled while it runs:
 * the caller hears PA_ERROR_CANCELLED, not a result it no longer wants. */
static void
test_cancelled (void)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GCancellable) before = g_cancellable_new ();
  g_autoptr(GCancellable) during = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  char *found;

  clear_items ();
  g_cancellable_cancel (before);
  g_assert_false (pa_secrets_store_sync (secrets, "stripe", "default", "key", "s", before,
                                         &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);
  g_assert_cmpuint (count_items (), ==, 0);

  put_raw ("stripe/default/key", "1:s");
  cancel_during_call = during;
  found = pa_secrets_lookup_sync (secrets, "stripe", "default", "key", during, &error);
  g_assert_null (found);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_null (cancel_during_call);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  main_thread = g_thread_self ();

  g_test_add_func ("/secrets-thread/round-trip", test_round_trip);
  g_test_add_func ("/secrets-thread/names-and-delete-all", test_names_and_delete_all);
  g_test_add_func ("/secrets-thread/old-generation", test_old_generation);
  g_test_add_func ("/secrets-thread/invalid", test_invalid);
  g_test_add_func ("/secrets-thread/cancelled", test_cancelled);

  return g_test_run ();
}
