/* test-secrets.c — PaSecrets against a real, private gnome-keyring
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "playalter.h"
#include "pa-secrets-libsecret.h"

#include "pa-test-keyring.h"
#include "pa-test-log.h"

#define CANARY "sk_test_CANARY_3f9a1c"

typedef struct {
  PaTestKeyring *keyring;
  PaSecrets     *secrets;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  with_service)
{
  g_autoptr(GError) error = NULL;

  if (GPOINTER_TO_INT (with_service))
    fixture->keyring = pa_test_keyring_start (&error);
  else
    fixture->keyring = pa_test_keyring_start_without_service (&error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->keyring);

  /* Nothing below may ever reach the developer's own keyring. */
  g_assert_cmpstr (g_getenv ("DBUS_SESSION_BUS_ADDRESS"), ==,
                   pa_test_keyring_get_bus_address (fixture->keyring));
  g_assert_true (pa_test_keyring_is_current (fixture->keyring));
  g_assert_true (g_str_has_prefix (g_getenv ("HOME"), g_get_tmp_dir ()));

  fixture->secrets = pa_secrets_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  with_service)
{
  g_clear_object (&fixture->secrets);
  g_clear_pointer (&fixture->keyring, pa_test_keyring_stop);
}

/* ---- helpers ----------------------------------------------------------- */

static char *
lookup (Fixture    *fixture,
        const char *platform,
        const char *profile,
        const char *field)
{
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = pa_secrets_lookup_sync (fixture->secrets, platform, profile, field,
                                   NULL, &error);
  g_assert_no_error (error);
  return secret;
}

static void
store (Fixture    *fixture,
       const char *platform,
       const char *profile,
       const char *field,
       const char *secret)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (pa_test_keyring_is_current (fixture->keyring));
  g_assert_true (pa_secrets_store_sync (fixture->secrets, platform, profile, field,
                                        secret, NULL, &error));
  g_assert_no_error (error);
}

/* Items of our schema that match, of any generation, locked or not, read
 * straight through libsecret rather than through PaSecrets. */
static GList *
find_items (const char *platform,
            const char *profile,
            const char *field)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(GError) error = NULL;
  GList *items;

  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &error);
  g_assert_no_error (error);

  attributes = g_hash_table_new (g_str_hash, g_str_equal);
  g_hash_table_insert (attributes, "platform", (gpointer) platform);
  g_hash_table_insert (attributes, "profile", (gpointer) profile);
  if (field != NULL)
    g_hash_table_insert (attributes, "field", (gpointer) field);

  items = secret_service_search_sync (service, pa_secrets_get_schema (), attributes,
                                      SECRET_SEARCH_ALL, NULL, &error);
  g_assert_no_error (error);
  return items;
}

static guint
count_items (const char *platform,
             const char *profile,
             const char *field)
{
  GList *items = find_items (platform, profile, field);
  guint n = g_list_length (items);

  g_list_free_full (items, g_object_unref);
  return n;
}

static void
store_old_generation (const char *platform,
                      const char *profile,
                      const char *field,
                      const char *secret)
{
  g_autoptr(SecretService) service = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autoptr(SecretValue) value = NULL;
  g_autoptr(GError) error = NULL;

  /* The service first, in this context: see pa-test-keyring.h. */
  service = secret_service_get_sync (SECRET_SERVICE_OPEN_SESSION, NULL, &error);
  g_assert_no_error (error);

  attributes = secret_attributes_build (pa_secrets_get_schema (),
                                        "platform", platform,
                                        "profile", profile,
                                        "field", field,
                                        "generation", 0,
                                        NULL);
  value = secret_value_new (secret, -1, "text/plain");
  g_assert_true (secret_service_store_sync (service, pa_secrets_get_schema (), attributes,
                                            SECRET_COLLECTION_DEFAULT,
                                            "an item from an older PlayAlter",
                                            value, NULL, &error));
  g_assert_no_error (error);
}

/* ---- cases --------------------------------------------------------------- */

static void
test_schema (void)
{
  const SecretSchema *schema = pa_secrets_get_schema ();

  g_assert_cmpstr (schema->name, ==, "io.playalter.Credential");
  g_assert_cmpstr (schema->attributes[0].name, ==, "platform");
  g_assert_cmpint (schema->attributes[0].type, ==, SECRET_SCHEMA_ATTRIBUTE_STRING);
  g_assert_cmpstr (schema->attributes[1].name, ==, "profile");
  g_assert_cmpint (schema->attributes[1].type, ==, SECRET_SCHEMA_ATTRIBUTE_STRING);
  g_assert_cmpstr (schema->attributes[2].name, ==, "field");
  g_assert_cmpint (schema->attributes[2].type, ==, SECRET_SCHEMA_ATTRIBUTE_STRING);
  g_assert_cmpstr (schema->attributes[3].name, ==, "generation");
  g_assert_cmpint (schema->attributes[3].type, ==, SECRET_SCHEMA_ATTRIBUTE_INTEGER);
  g_assert_null (schema->attributes[4].name);
  g_assert_cmpint (PA_SECRETS_GENERATION, >=, 1);
}

static const char *
test_display_name (const char *platform)
{
  return g_str_equal (platform, "stripe") ? "Stripe" : NULL;
}

static void
test_round_trip (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) secret = NULL;
  g_autoptr(PaSecretString) gone = NULL;
  g_autoptr(SecretService) service = NULL;
  g_autoptr(SecretCollection) collection = NULL;
  g_autoptr(GHashTable) attributes = NULL;
  g_autofree char *prefix = NULL;
  g_autofree char *label = NULL;
  GList *items;
  SecretItem *item;

  pa_test_log_clear ();

  pa_secrets_set_display_name_func (fixture->secrets, test_display_name);
  store (fixture, "stripe", "default", "api-key", CANARY);
  secret = lookup (fixture, "stripe", "default", "api-key");
  g_assert_cmpstr (secret, ==, CANARY);

  /* One item, labelled for people with the name it was told, in the
   * default collection, carrying the current generation. */
  items = find_items ("stripe", "default", "api-key");
  g_assert_cmpuint (g_list_length (items), ==, 1);
  item = items->data;
  label = secret_item_get_label (item);
  g_assert_cmpstr (label, ==, "PlayAlter: Stripe (default) api-key");
  attributes = secret_item_get_attributes (item);
  g_assert_cmpstr (g_hash_table_lookup (attributes, "generation"), ==,
                   G_STRINGIFY (PA_SECRETS_GENERATION));
  g_assert_cmpstr (g_hash_table_lookup (attributes, "xdg:schema"), ==,
                   "io.playalter.Credential");

  service = secret_service_get_sync (SECRET_SERVICE_NONE, NULL, &error);
  g_assert_no_error (error);
  collection = secret_collection_for_alias_sync (service, SECRET_COLLECTION_DEFAULT,
                                                 SECRET_COLLECTION_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (collection);
  prefix = g_strconcat (g_dbus_proxy_get_object_path (G_DBUS_PROXY (collection)), "/", NULL);
  g_assert_true (g_str_has_prefix (g_dbus_proxy_get_object_path (G_DBUS_PROXY (item)), prefix));
  g_list_free_full (items, g_object_unref);

  g_assert_true (pa_secrets_delete_sync (fixture->secrets, "stripe", "default", "api-key",
                                         NULL, &error));
  g_assert_no_error (error);
  gone = lookup (fixture, "stripe", "default", "api-key");
  g_assert_null (gone);
  g_assert_cmpuint (count_items ("stripe", "default", NULL), ==, 0);

  /* The secret went to the keyring and nowhere else. */
  g_assert_false (pa_test_log_contains (CANARY));
}

static void
test_overwrite (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(PaSecretString) secret = NULL;

  store (fixture, "openai", "default", "api-key", "sk-first");
  store (fixture, "openai", "default", "api-key", "sk-second");

  secret = lookup (fixture, "openai", "default", "api-key");
  g_assert_cmpstr (secret, ==, "sk-second");
  g_assert_cmpuint (count_items ("openai", "default", "api-key"), ==, 1);
}

static void
test_absent (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) secret = NULL;

  store (fixture, "vercel", "default", "token", "vercel-token");

  secret = pa_secrets_lookup_sync (fixture->secrets, "vercel", "default", "other-field",
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  secret = pa_secrets_lookup_sync (fixture->secrets, "replicate", "default", "api-token",
                                   NULL, &error);
  g_assert_no_error (error);
  g_assert_null (secret);

  /* Deleting what is not there is not an error. */
  g_assert_true (pa_secrets_delete_sync (fixture->secrets, "replicate", "default", NULL,
                                         NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items ("vercel", "default", "token"), ==, 1);
}

static void
test_delete_all_fields (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) kept = NULL;
  g_autoptr(PaSecretString) other = NULL;

  store (fixture, "agora", "default", "app-id", "appid");
  store (fixture, "agora", "default", "app-certificate", "cert");
  store (fixture, "agora", "default", "customer-id", "cust");
  store (fixture, "agora", "default", "customer-secret", "custsecret");
  store_old_generation ("agora", "default", "app-certificate", "old-cert");
  store (fixture, "agora", "studio", "app-id", "studio-appid");
  store (fixture, "stripe", "default", "api-key", "sk_other");
  g_assert_cmpuint (count_items ("agora", "default", NULL), ==, 5);

  /* One field first: only that one goes. */
  g_assert_true (pa_secrets_delete_sync (fixture->secrets, "agora", "default",
                                         "customer-secret", NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items ("agora", "default", NULL), ==, 4);

  /* Then the whole account, older generations included. */
  g_assert_true (pa_secrets_delete_sync (fixture->secrets, "agora", "default", NULL,
                                         NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_items ("agora", "default", NULL), ==, 0);

  kept = lookup (fixture, "agora", "studio", "app-id");
  g_assert_cmpstr (kept, ==, "studio-appid");
  other = lookup (fixture, "stripe", "default", "api-key");
  g_assert_cmpstr (other, ==, "sk_other");
}

static void
test_profiles (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) personal = NULL;
  g_autoptr(PaSecretString) work = NULL;
  g_autoptr(PaSecretString) work_after = NULL;
  g_autoptr(PaSecretString) personal_after = NULL;

  store (fixture, "stripe", "default", "api-key", "sk_test_personal");
  store (fixture, "stripe", "work", "api-key", "sk_test_work");

  personal = lookup (fixture, "stripe", "default", "api-key");
  work = lookup (fixture, "stripe", "work", "api-key");
  g_assert_cmpstr (personal, ==, "sk_test_personal");
  g_assert_cmpstr (work, ==, "sk_test_work");

  g_assert_true (pa_secrets_delete_sync (fixture->secrets, "stripe", "work", NULL,
                                         NULL, &error));
  g_assert_no_error (error);
  work_after = lookup (fixture, "stripe", "work", "api-key");
  personal_after = lookup (fixture, "stripe", "default", "api-key");
  g_assert_null (work_after);
  g_assert_cmpstr (personal_after, ==, "sk_test_personal");
}

static void
test_generation (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(PaSecretString) before = NULL;
  g_autoptr(PaSecretString) after = NULL;

  store_old_generation ("n8n", "default", "api-key", "old-format");

  before = lookup (fixture, "n8n", "default", "api-key");
  g_assert_null (before);

  /* Storing anew does not mistake the old item for the current one. */
  store (fixture, "n8n", "default", "api-key", "new-format");
  after = lookup (fixture, "n8n", "default", "api-key");
  g_assert_cmpstr (after, ==, "new-format");
  g_assert_cmpuint (count_items ("n8n", "default", "api-key"), ==, 2);
}

typedef struct {
  GMainLoop *loop;
  PaSecrets *secrets;
  int        step;
  gboolean   in_call;
  char      *looked_up;
  gboolean   absent_after_delete;
} AsyncState;

static void on_async_step (GObject *source, GAsyncResult *result, gpointer user_data);

static void
test_async (Fixture       *fixture,
            gconstpointer  data)
{
  AsyncState state = { 0 };

  state.loop = g_main_loop_new (NULL, FALSE);
  state.secrets = fixture->secrets;

  /* Each step starts the next from its callback: store, lookup, delete,
   * lookup again. A callback must never run inside the call that started
   * it. */
  state.in_call = TRUE;
  pa_secrets_store_async (fixture->secrets, "replicate", "default", "api-token",
                          "r8_async", NULL, on_async_step, &state);
  state.in_call = FALSE;
  g_main_loop_run (state.loop);

  g_assert_cmpint (state.step, ==, 4);
  g_assert_cmpstr (state.looked_up, ==, "r8_async");
  g_assert_true (state.absent_after_delete);

  pa_secrets_free (state.looked_up);
  g_main_loop_unref (state.loop);
}

static void
on_async_step (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AsyncState *state = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;

  g_assert_false (state->in_call);
  g_assert_true (PA_SECRETS (source) == state->secrets);

  switch (state->step++)
    {
    case 0:
      g_assert_true (pa_secrets_store_finish (state->secrets, result, &error));
      g_assert_no_error (error);
      pa_secrets_lookup_async (state->secrets, "replicate", "default", "api-token",
                               NULL, on_async_step, state);
      break;
    case 1:
      state->looked_up = pa_secrets_lookup_finish (state->secrets, result, &error);
      g_assert_no_error (error);
      pa_secrets_delete_async (state->secrets, "replicate", "default", NULL,
                               NULL, on_async_step, state);
      break;
    case 2:
      g_assert_true (pa_secrets_delete_finish (state->secrets, result, &error));
      g_assert_no_error (error);
      pa_secrets_lookup_async (state->secrets, "replicate", "default", "api-token",
                               NULL, on_async_step, state);
      break;
    case 3:
      secret = pa_secrets_lookup_finish (state->secrets, result, &error);
      g_assert_no_error (error);
      state->absent_after_delete = (secret == NULL);
      pa_secrets_free (secret);
      g_main_loop_quit (state->loop);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
assert_locked_error (const GError *error)
{
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_assert_nonnull (strstr (error->message, "locked"));
  g_assert_nonnull (strstr (error->message, "Unlock"));
  g_assert_null (strstr (error->message, CANARY));
}

static void
test_locked (Fixture       *fixture,
             gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) secret = NULL;

  store (fixture, "stripe", "default", "api-key", CANARY);
  g_assert_true (pa_test_keyring_lock (fixture->keyring, &error));
  g_assert_no_error (error);

  /* The unlock prompt cannot be shown here, so gnome-keyring ends it as
   * dismissed, as when the user closes it. */
  secret = pa_secrets_lookup_sync (fixture->secrets, "stripe", "default", "api-key",
                                   NULL, &error);
  g_assert_null (secret);
  assert_locked_error (error);
  g_assert_nonnull (strstr (error->message, "dismissed"));
  g_clear_error (&error);

  g_assert_false (pa_secrets_store_sync (fixture->secrets, "stripe", "default", "api-key",
                                         "sk_test_new", NULL, &error));
  assert_locked_error (error);
  g_assert_nonnull (strstr (error->message, "dismissed"));
  g_clear_error (&error);

  g_assert_false (pa_secrets_store_sync (fixture->secrets, "openai", "default", "api-key",
                                         "sk-new", NULL, &error));
  assert_locked_error (error);
  g_clear_error (&error);

  /* A locked account is not silently left in place by delete either. */
  g_assert_false (pa_secrets_delete_sync (fixture->secrets, "stripe", "default", NULL,
                                          NULL, &error));
  assert_locked_error (error);
  g_assert_nonnull (strstr (error->message, "dismissed"));
  g_clear_error (&error);
  g_assert_cmpuint (count_items ("stripe", "default", "api-key"), ==, 1);
}

static void
assert_unavailable (const GError *error,
                    const char   *cause)
{
  g_test_message ("error: %s", error != NULL ? error->message : "none");
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_true (g_str_has_prefix (error->message, "No keyring service is running ("));
  g_assert_nonnull (strstr (error->message, cause));
  g_assert_nonnull (strstr (error->message, "Start GNOME Keyring"));
}

static void
test_no_service (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) secret = NULL;

  g_assert_false (pa_secrets_store_sync (fixture->secrets, "stripe", "default", "api-key",
                                         "sk_test_x", NULL, &error));
  assert_unavailable (error, "org.freedesktop.secrets");
  g_clear_error (&error);

  secret = pa_secrets_lookup_sync (fixture->secrets, "stripe", "default", "api-key",
                                   NULL, &error);
  g_assert_null (secret);
  assert_unavailable (error, "org.freedesktop.secrets");
  g_clear_error (&error);

  g_assert_false (pa_secrets_delete_sync (fixture->secrets, "stripe", "default", NULL,
                                          NULL, &error));
  assert_unavailable (error, "org.freedesktop.secrets");
}

/* In a child process, which has never connected to any bus: in this one
 * GDBus may still hold the last test's connection for a moment, and would
 * hand it out whatever the variable says. */
static void
test_no_bus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *address = NULL;
  g_autofree char *saved = NULL;

  if (g_test_subprocess ())
    {
      g_autoptr(PaSecrets) secrets = pa_secrets_new ();
      g_autoptr(PaSecretString) secret = NULL;

      g_assert_true (g_str_has_suffix (g_getenv ("DBUS_SESSION_BUS_ADDRESS"), "/no-bus"));

      secret = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key",
                                       NULL, &error);
      g_assert_null (secret);
      assert_unavailable (error, "no D-Bus session bus");
      g_clear_error (&error);

      g_assert_false (pa_secrets_store_sync (secrets, "stripe", "default", "api-key",
                                             "sk_test_x", NULL, &error));
      assert_unavailable (error, "no D-Bus session bus");
      return;
    }

  /* A bus address whose socket does not exist, as when no session bus was
   * ever started. */
  dir = g_dir_make_tmp ("pa-test-no-bus-XXXXXX", &error);
  g_assert_no_error (error);
  address = g_strconcat ("unix:path=", dir, "/no-bus", NULL);
  saved = g_strdup (g_getenv ("DBUS_SESSION_BUS_ADDRESS"));

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", address, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
  if (saved != NULL)
    g_setenv ("DBUS_SESSION_BUS_ADDRESS", saved, TRUE);
  else
    g_unsetenv ("DBUS_SESSION_BUS_ADDRESS");
  g_rmdir (dir);

  g_test_trap_assert_passed ();
}

static void
on_cancelled_lookup (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  GError **error = user_data;
  char *secret;

  secret = pa_secrets_lookup_finish (PA_SECRETS (source), result, error);
  g_assert_null (secret);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GCancellable) later = g_cancellable_new ();
  g_autoptr(PaSecretString) secret = NULL;
  g_autoptr(PaSecretString) still = NULL;

  store (fixture, "stripe", "default", "api-key", "sk_test_kept");

  /* Cancelled before it starts. */
  g_cancellable_cancel (cancellable);
  g_assert_false (pa_secrets_store_sync (fixture->secrets, "stripe", "default", "api-key",
                                         "sk_test_replaced", cancellable, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);

  secret = pa_secrets_lookup_sync (fixture->secrets, "stripe", "default", "api-key",
                                   cancellable, &error);
  g_assert_null (secret);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);

  g_assert_false (pa_secrets_delete_sync (fixture->secrets, "stripe", "default", NULL,
                                          cancellable, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cancelled while under way. */
  pa_secrets_lookup_async (fixture->secrets, "stripe", "default", "api-key", later,
                           on_cancelled_lookup, &error);
  g_cancellable_cancel (later);
  while (error == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Nothing was changed by the cancelled calls. */
  still = lookup (fixture, "stripe", "default", "api-key");
  g_assert_cmpstr (still, ==, "sk_test_kept");
}

static void
assert_invalid (gboolean      ok,
                GError      **error)
{
  g_assert_false (ok);
  g_assert_error (*error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (error);
}

static void
test_invalid_arguments (Fixture       *fixture,
                        gconstpointer  data)
{
  PaSecrets *s = fixture->secrets;
  g_autoptr(GError) error = NULL;
  char *secret;

  /* Refused before any keyring is asked (none runs on this bus, which would
   * be PA_ERROR_UNAVAILABLE). */
  assert_invalid (pa_secrets_store_sync (s, "stripe", "default", "api-key", "", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "stripe", "default", "api-key", NULL, NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "stripe", "default", "api-key", "\xff\xfe", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "", "default", "api-key", "x", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "stripe", "", "api-key", "x", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "stripe", "default", "", "x", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, "stripe", "default", NULL, "x", NULL, &error), &error);
  assert_invalid (pa_secrets_store_sync (s, NULL, "default", "api-key", "x", NULL, &error), &error);

  secret = pa_secrets_lookup_sync (s, "stripe", NULL, "api-key", NULL, &error);
  assert_invalid (secret != NULL, &error);
  secret = pa_secrets_lookup_sync (s, "stripe", "default", NULL, NULL, &error);
  assert_invalid (secret != NULL, &error);
  secret = pa_secrets_lookup_sync (s, "stripe", "default", "\xc3", NULL, &error);
  assert_invalid (secret != NULL, &error);

  assert_invalid (pa_secrets_delete_sync (s, "", "default", NULL, NULL, &error), &error);
  assert_invalid (pa_secrets_delete_sync (s, "stripe", "", NULL, NULL, &error), &error);
  assert_invalid (pa_secrets_delete_sync (s, "stripe", "default", "", NULL, &error), &error);

  /* With a valid request the missing service shows, so the checks above
   * really came first. */
  g_assert_false (pa_secrets_store_sync (s, "stripe", "default", "api-key", "x", NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
}

/* One keyring after another in one process: each gets the next bus. */
static void
test_restart (void)
{
  for (int i = 0; i < 2; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaSecrets) secrets = pa_secrets_new ();
      g_autoptr(PaTestKeyring) keyring = pa_test_keyring_start (&error);
      g_autoptr(PaSecretString) before = NULL;
      g_autoptr(PaSecretString) after = NULL;

      if (!pa_test_require_no_error (error))
        return;
      g_assert_true (pa_test_keyring_is_current (keyring));

      /* A fresh keyring: what the previous round stored is not there. */
      before = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key", NULL, &error);
      g_assert_no_error (error);
      g_assert_null (before);

      g_assert_true (pa_secrets_store_sync (secrets, "stripe", "default", "api-key",
                                            "round", NULL, &error));
      g_assert_no_error (error);
      after = pa_secrets_lookup_sync (secrets, "stripe", "default", "api-key", NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (after, ==, "round");
    }
}

static void
add (const char *path,
     gboolean    with_service,
     void      (*test) (Fixture *, gconstpointer))
{
  pa_test_add_needing (path, Fixture, GINT_TO_POINTER (with_service),
                       fixture_set_up, test, fixture_tear_down,
                       with_service ? pa_test_keyring_need : pa_test_keyring_need_bus);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  /* Debug messages too, so that a secret logged at any level is caught. */
  pa_test_log_capture_start ();

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/schema", test_schema);
  add ("/secrets/round-trip", TRUE, test_round_trip);
  add ("/secrets/overwrite", TRUE, test_overwrite);
  add ("/secrets/absent", TRUE, test_absent);
  add ("/secrets/delete-all-fields", TRUE, test_delete_all_fields);
  add ("/secrets/profiles", TRUE, test_profiles);
  add ("/secrets/generation", TRUE, test_generation);
  add ("/secrets/async", TRUE, test_async);
  add ("/secrets/locked", TRUE, test_locked);
  add ("/secrets/cancelled", TRUE, test_cancelled);
  add ("/secrets/no-service", FALSE, test_no_service);
  g_test_add_func ("/secrets/no-bus", test_no_bus);
  add ("/secrets/invalid-arguments", FALSE, test_invalid_arguments);
  g_test_add_func ("/secrets/restart", test_restart);

  status = g_test_run ();
  return status;
}
