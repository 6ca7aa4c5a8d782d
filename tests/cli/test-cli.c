/* test-cli.c — playalter-cli end to end, against a real private keyring
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-keyring.h"
#include "pa-test-peer.h"

#define CANARY "sk_test_CANARY_7c41d09be2"

typedef struct {
  PaTestKeyring *keyring;
  char          *data_dir;
} Fixture;

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->keyring = pa_test_keyring_start (&error);
  g_assert_no_error (error);
  fixture->data_dir = pa_test_cli_data_dir_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->data_dir, pa_test_cli_data_dir_free);
  g_clear_pointer (&fixture->keyring, pa_test_keyring_stop);
}

static char *
keyring_lookup (const char *platform,
                const char *profile,
                const char *field)
{
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GError) error = NULL;
  char *secret;

  secret = pa_secrets_lookup_sync (secrets, platform, profile, field, NULL, &error);
  g_assert_no_error (error);
  return secret;
}

/* The canary must be nowhere in the data dir: not in the database, its
 * WAL, or any other file. */
static void
assert_canary_absent_from_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *contents = NULL;
      gsize len = 0;

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          assert_canary_absent_from_dir (child);
          continue;
        }
      g_assert_true (g_file_get_contents (child, &contents, &len, NULL));
      g_assert_null (g_strstr_len (contents, len, CANARY));
    }
}

static void
test_version_and_help (void)
{
  g_auto(PaTestCliResult) version = { 0 };
  g_auto(PaTestCliResult) help = { 0 };

  pa_test_cli_run (&version, NULL, NULL, "--version", NULL);
  g_assert_cmpint (version.status, ==, 0);
  g_assert_true (g_str_has_prefix (version.out, "playalter-cli "));

  pa_test_cli_run (&help, NULL, NULL, "--help", NULL);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_nonnull (strstr (help.out, "account set PLATFORM"));
  g_assert_nonnull (strstr (help.out, "\nPlatforms: stripe, openai, replicate, vercel, n8n, agora\n"));
}

static void
test_usage_errors (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *cases[][6] = {
    { NULL },                                           /* no command */
    { "frobnicate", NULL },
    { "--no-such-option", NULL },
    { "account", NULL },
    { "account", "explode", NULL },
    { "account", "set", NULL },
    { "account", "set", "myspace", NULL },
    { "account", "set", "stripe", "extra", NULL },
    { "account", "set", "agora", NULL },                /* several fields: --field needed */
    { "account", "set", "stripe", "--field", "password", NULL },
    { "account", "set", "openai", "--base-url", "ftp://example.com", NULL },
    { "account", "list", "--bogus", NULL },
    { "account", "remove", NULL },
    { "account", "remove", "myspace", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_auto(PaTestCliResult) result = { 0 };
      pa_test_cli_runv (&result, fixture->data_dir, CANARY, cases[i]);
      g_test_message ("case %u: exit %d, stderr %s", i, result.status, result.err);
      g_assert_cmpint (result.status, ==, 2);
      g_assert_true (g_str_has_prefix (result.err, "playalter-cli: "));
      pa_test_assert_one_line (result.err);
      g_assert_null (strstr (result.out, CANARY));
      g_assert_null (strstr (result.err, CANARY));
    }

  /* An unknown platform is answered with every platform of the table, for
   * each command that names one. */
  {
    const char *commands[] = { "set", "check", "remove" };
    guint n_platforms;
    const PaPlatformInfo *platforms = pa_platform_info_get_all (&n_platforms);

    for (guint i = 0; i < G_N_ELEMENTS (commands); i++)
      {
        g_auto(PaTestCliResult) result = { 0 };

        pa_test_cli_run (&result, fixture->data_dir, NULL, "account", commands[i], "myspace", NULL);
        g_assert_cmpint (result.status, ==, 2);
        g_assert_nonnull (strstr (result.err, "“myspace”"));
        for (guint j = 0; j < n_platforms; j++)
          g_assert_nonnull (strstr (result.err, platforms[j].id));
      }
  }

  /* Nothing was stored by any of them. */
  {
    g_autoptr(PaSecretString) secret = keyring_lookup ("stripe", "default", "api-key");
    g_assert_null (secret);
  }
}

static void
test_set_list_remove (Fixture       *fixture,
                      gconstpointer  data)
{
  g_auto(PaTestCliResult) set = { 0 };
  g_auto(PaTestCliResult) list = { 0 };
  g_auto(PaTestCliResult) json = { 0 };
  g_auto(PaTestCliResult) remove = { 0 };
  g_auto(PaTestCliResult) after = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) stored = NULL;
  g_autoptr(PaSecretString) gone = NULL;
  g_auto(GStrv) lines = NULL;
  JsonArray *accounts;
  gboolean found = FALSE;

  pa_test_cli_run (&set, fixture->data_dir, CANARY "\n", "account", "set", "stripe", NULL);
  g_assert_cmpint (set.status, ==, 0);
  g_assert_nonnull (strstr (set.out, "Signed in"));
  g_assert_null (strstr (set.out, CANARY));
  g_assert_null (strstr (set.err, CANARY));

  /* The trailing newline from the pipe is not part of the key. */
  stored = keyring_lookup ("stripe", "default", "api-key");
  g_assert_cmpstr (stored, ==, CANARY);

  pa_test_cli_run (&list, fixture->data_dir, NULL, "account", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_null (strstr (list.out, CANARY));
  g_assert_null (strstr (list.out, "sk_test"));
  g_assert_nonnull (strstr (list.out, "PLATFORM"));
  lines = g_strsplit (list.out, "\n", -1);
  for (char **l = lines; *l != NULL; l++)
    {
      if (g_str_has_prefix (*l, "stripe "))
        {
          g_assert_nonnull (strstr (*l, "https://api.stripe.com"));
          g_assert_nonnull (strstr (*l, "Signed in"));
          found = TRUE;
        }
      else if (g_str_has_prefix (*l, "vercel "))
        g_assert_nonnull (strstr (*l, "Not signed in"));
    }
  g_assert_true (found);

  pa_test_cli_run (&json, fixture->data_dir, NULL, "account", "list", "--json", NULL);
  g_assert_cmpint (json.status, ==, 0);
  json_parser_load_from_data (parser, json.out, -1, &error);
  g_assert_no_error (error);
  accounts = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (accounts), ==, 6);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (accounts, 0), "platform"), ==, "stripe");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (accounts, 0), "status"), ==, "signed-in");
  g_assert_null (strstr (json.out, CANARY));

  assert_canary_absent_from_dir (fixture->data_dir);

  pa_test_cli_run (&remove, fixture->data_dir, NULL, "account", "remove", "stripe", NULL);
  g_assert_cmpint (remove.status, ==, 0);
  gone = keyring_lookup ("stripe", "default", "api-key");
  g_assert_null (gone);

  pa_test_cli_run (&after, fixture->data_dir, NULL, "account", "list", "--json", NULL);
  g_assert_cmpint (after.status, ==, 0);
  g_assert_nonnull (strstr (after.out, "\"not-signed-in\""));
  g_assert_null (strstr (after.out, "\"signed-in\""));
}

static void
test_profiles_and_base_url (Fixture       *fixture,
                            gconstpointer  data)
{
  g_auto(PaTestCliResult) local = { 0 };
  g_auto(PaTestCliResult) work = { 0 };
  g_auto(PaTestCliResult) rekey = { 0 };
  g_auto(PaTestCliResult) list = { 0 };
  g_autoptr(PaSecretString) work_key = NULL;
  g_autoptr(PaSecretString) default_key = NULL;

  /* A local OpenAI-compatible server needs no key. */
  pa_test_cli_run (&local, fixture->data_dir, NULL, "account", "set", "openai",
           "--base-url", "http://127.0.0.1:11434/v1", NULL);
  g_assert_cmpint (local.status, ==, 0);
  g_assert_nonnull (strstr (local.out, "Signed in"));

  pa_test_cli_run (&work, fixture->data_dir, "key-for-work", "account", "set", "n8n",
           "--profile", "work", "--base-url", "http://127.0.0.1:5678", NULL);
  g_assert_cmpint (work.status, ==, 0);

  work_key = keyring_lookup ("n8n", "work", "api-key");
  default_key = keyring_lookup ("n8n", "default", "api-key");
  g_assert_cmpstr (work_key, ==, "key-for-work");
  g_assert_null (default_key);

  /* A new key without --base-url keeps the address saved before. */
  pa_test_cli_run (&rekey, fixture->data_dir, "key-for-work-2", "account", "set", "n8n", "--profile", "work", NULL);
  g_assert_cmpint (rekey.status, ==, 0);

  pa_test_cli_run (&list, fixture->data_dir, NULL, "account", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_nonnull (strstr (list.out, "http://127.0.0.1:11434/v1"));
  g_assert_true (g_regex_match_simple ("^n8n +work +http://127.0.0.1:5678 +Signed in$", list.out,
                                       G_REGEX_MULTILINE, 0));
  g_assert_true (g_regex_match_simple ("^n8n +default +http://localhost:5678 +Not signed in$", list.out,
                                       G_REGEX_MULTILINE, 0));
  g_assert_null (strstr (list.out, "key-for-work"));
}

/* Plain http to another machine: refused, or accepted by name with a
 * warning. */
static void
test_insecure_http (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(PaTestCliResult) refused = { 0 };
  g_auto(PaTestCliResult) accepted = { 0 };
  g_autoptr(PaSecretString) none = NULL;
  g_autoptr(PaSecretString) stored = NULL;

  pa_test_cli_run (&refused, fixture->data_dir, CANARY, "account", "set", "openai",
                   "--base-url", "http://192.168.1.10:11434/v1", NULL);
  g_assert_cmpint (refused.status, ==, 2);
  pa_test_assert_one_line (refused.err);
  g_assert_nonnull (strstr (refused.err, "http://192.168.1.10:11434/v1"));
  g_assert_nonnull (strstr (refused.err, "https://"));
  g_assert_nonnull (strstr (refused.err, "--insecure-http"));
  g_assert_null (strstr (refused.err, CANARY));
  none = keyring_lookup ("openai", "default", "api-key");
  g_assert_null (none);

  pa_test_cli_run (&accepted, fixture->data_dir, CANARY, "account", "set", "openai",
                   "--base-url", "http://192.168.1.10:11434/v1", "--insecure-http", NULL);
  g_assert_cmpint (accepted.status, ==, 0);
  g_assert_nonnull (strstr (accepted.err, "Warning"));
  g_assert_nonnull (strstr (accepted.err, "in clear"));
  g_assert_null (strstr (accepted.err, CANARY));
  stored = keyring_lookup ("openai", "default", "api-key");
  g_assert_cmpstr (stored, ==, CANARY);
}

/* A key given for one server is not kept for another. */
static void
test_base_url_moves (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(PaTestCliResult) first = { 0 };
  g_auto(PaTestCliResult) moved = { 0 };
  g_autoptr(PaSecretString) before = NULL;
  g_autoptr(PaSecretString) after = NULL;

  pa_test_cli_run (&first, fixture->data_dir, CANARY, "account", "set", "openai",
                   "--base-url", "http://127.0.0.1:11434/v1", NULL);
  g_assert_cmpint (first.status, ==, 0);
  before = keyring_lookup ("openai", "default", "api-key");
  g_assert_cmpstr (before, ==, CANARY);

  /* A local server there needs no key: the account stays usable. */
  pa_test_cli_run (&moved, fixture->data_dir, NULL, "account", "set", "openai",
                   "--base-url", "http://localhost:8080/v1", NULL);
  g_assert_cmpint (moved.status, ==, 0);
  g_assert_nonnull (strstr (moved.err, "removed"));
  after = keyring_lookup ("openai", "default", "api-key");
  g_assert_null (after);
}

static void
test_agora_fields (Fixture       *fixture,
                   gconstpointer  data)
{
  const char *fields[] = { "app-id", "app-certificate", "customer-id", "customer-secret" };

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_auto(PaTestCliResult) set = { 0 };
      g_autofree char *value = g_strdup_printf ("agora-%s-value", fields[i]);

      pa_test_cli_run (&set, fixture->data_dir, value, "account", "set", "agora", "--field", fields[i], NULL);
      g_assert_cmpint (set.status, ==, 0);
      if (i + 1 < G_N_ELEMENTS (fields))
        g_assert_nonnull (strstr (set.out, "Not signed in (Missing:"));
      else
        g_assert_nonnull (strstr (set.out, "Agora (default): Signed in"));
    }

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      g_autofree char *expected = g_strdup_printf ("agora-%s-value", fields[i]);
      g_autoptr(PaSecretString) stored = keyring_lookup ("agora", "default", fields[i]);

      g_assert_cmpstr (stored, ==, expected);
    }
}

static void
test_failures_exit_1 (Fixture       *fixture,
                      gconstpointer  data)
{
  g_auto(PaTestCliResult) empty = { 0 };
  g_auto(PaTestCliResult) huge = { 0 };
  g_auto(PaTestCliResult) baddir = { 0 };
  g_autofree char *big = g_strnfill (70 * 1024, 'k');
  g_autofree char *file = g_build_filename (fixture->data_dir, "a-file", NULL);
  g_autofree char *inside = g_build_filename (file, "sub", NULL);

  pa_test_cli_run (&empty, fixture->data_dir, "", "account", "set", "vercel", NULL);
  g_assert_cmpint (empty.status, ==, 1);
  pa_test_assert_one_line (empty.err);
  g_assert_nonnull (strstr (empty.err, "standard input"));

  pa_test_cli_run (&huge, fixture->data_dir, big, "account", "set", "vercel", NULL);
  g_assert_cmpint (huge.status, ==, 1);
  pa_test_assert_one_line (huge.err);

  g_assert_true (g_file_set_contents (file, "not a directory", -1, NULL));
  pa_test_cli_run (&baddir, inside, NULL, "account", "list", NULL);
  g_assert_cmpint (baddir.status, ==, 1);
  pa_test_assert_one_line (baddir.err);
}

static void
test_locked_keyring (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(PaTestCliResult) first = { 0 };
  g_auto(PaTestCliResult) set = { 0 };
  g_auto(PaTestCliResult) list = { 0 };
  g_autoptr(GError) error = NULL;

  pa_test_cli_run (&first, fixture->data_dir, "an-earlier-key", "account", "set", "vercel", NULL);
  g_assert_cmpint (first.status, ==, 0);

  pa_test_keyring_lock (fixture->keyring, &error);
  g_assert_no_error (error);

  pa_test_cli_run (&set, fixture->data_dir, CANARY, "account", "set", "stripe", NULL);
  g_assert_cmpint (set.status, ==, 1);
  pa_test_assert_one_line (set.err);
  g_assert_nonnull (strstr (set.err, "locked"));
  g_assert_null (strstr (set.err, CANARY));

  /* Listing still works, and says why the stored key cannot be read. */
  pa_test_cli_run (&list, fixture->data_dir, NULL, "account", "list", NULL);
  g_assert_cmpint (list.status, ==, 0);
  g_assert_true (g_regex_match_simple ("^vercel +default +https://api.vercel.com +Keyring unavailable: .*locked",
                                       list.out, G_REGEX_MULTILINE, 0));
}

static void
test_account_check (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(PaTestPeer) stripe = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(PaTestCliResult) set = { 0 };
  g_auto(PaTestCliResult) check = { 0 };
  g_auto(PaTestCliResult) list = { 0 };
  g_auto(PaTestCliResult) absent = { 0 };
  g_auto(PaTestCliResult) offline_set = { 0 };
  g_auto(PaTestCliResult) offline = { 0 };
  g_auto(PaTestCliResult) usage = { 0 };
  g_autofree char *closed_url = NULL;
  g_autoptr(GSocket) closed = NULL;
  guint16 closed_port = 0;

  stripe = pa_test_prism_start ("stripe.json", &error);
  if (!pa_test_require_no_error (error) || stripe == NULL)
    return;

  pa_test_cli_run (&set, fixture->data_dir, CANARY, "account", "set", "stripe",
           "--base-url", pa_test_peer_get_url (stripe), NULL);
  g_assert_cmpint (set.status, ==, 0);

  /* Stripe's contract answers who the key belongs to; the key's prefix
   * says it is a test key. */
  pa_test_cli_run (&check, fixture->data_dir, NULL, "account", "check", "stripe", NULL);
  g_test_message ("check: %s%s", check.out, check.err);
  g_assert_cmpint (check.status, ==, 0);
  g_assert_true (g_str_has_prefix (check.out, "Stripe (default): signed in as "));
  g_assert_nonnull (strstr (check.out, "(Test mode)"));
  g_assert_null (strstr (check.out, CANARY));
  g_assert_null (strstr (check.err, CANARY));

  /* The identity is remembered for the list. */
  pa_test_cli_run (&list, fixture->data_dir, NULL, "account", "list", "--json", NULL);
  g_assert_cmpint (list.status, ==, 0);

  /* Not signed in: nothing to check. */
  pa_test_cli_run (&absent, fixture->data_dir, NULL, "account", "check", "vercel", NULL);
  g_assert_cmpint (absent.status, ==, 1);
  pa_test_assert_one_line (absent.err);
  g_assert_nonnull (strstr (absent.err, "Not signed in"));

  /* A server that is not there: a clear reason, exit 1. */
  closed = pa_test_peer_reserve_port (&closed_port, &error);
  g_assert_no_error (error);
  closed_url = g_strdup_printf ("http://127.0.0.1:%u", closed_port);
  pa_test_cli_run (&offline_set, fixture->data_dir, "vercel-token", "account", "set", "vercel",
           "--base-url", closed_url, NULL);
  g_assert_cmpint (offline_set.status, ==, 0);
  pa_test_cli_run (&offline, fixture->data_dir, NULL, "account", "check", "vercel", NULL);
  g_test_message ("offline: %s", offline.err);
  g_assert_cmpint (offline.status, ==, 1);
  pa_test_assert_one_line (offline.err);
  g_assert_nonnull (strstr (offline.err, "127.0.0.1"));
  g_assert_null (strstr (offline.err, "vercel-token"));

  pa_test_cli_run (&usage, fixture->data_dir, NULL, "account", "check", NULL);
  g_assert_cmpint (usage.status, ==, 2);
}

/* ---- a workflow step's key, from the keyring --------------------------- */

/* An OpenAI-compatible peer in a thread of its own, so it answers while
 * this thread waits for the CLI. */
typedef struct {
  GMutex        lock;
  GCond         ready;
  GMainContext *context;
  GMainLoop    *loop;
  GThread      *thread;
  char         *url;
  char         *authorization;   /* of the last request */
  guint         requests;
} ChatPeer;

static void
chat_peer_cb (SoupServer        *server,
              SoupServerMessage *msg,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  static const char reply[] =
    "{\"id\": \"chatcmpl-1\", \"object\": \"chat.completion\", \"created\": 1,"
    " \"model\": \"m\", \"choices\": [{\"index\": 0, \"finish_reason\": \"stop\","
    " \"message\": {\"role\": \"assistant\", \"content\": \"hello\"}}]}";
  /* For the model "evil", an error whose text would drive the terminal:
   * clear the screen, set its title, ring, and reverse what follows. */
  static const char evil[] =
    "{\"error\": {\"message\": \"bad\\u001b[2J\\u001b]0;owned\\u0007 model\\u202e \\u009b31m\","
    " \"type\": \"invalid_request_error\", \"code\": null}}";
  ChatPeer *peer = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  SoupMessageBody *body = soup_server_message_get_request_body (msg);

  g_mutex_lock (&peer->lock);
  g_free (peer->authorization);
  peer->authorization = g_strdup (soup_message_headers_get_one (headers, "Authorization"));
  peer->requests++;
  g_mutex_unlock (&peer->lock);

  if (g_strcmp0 (path, "/chat/completions") != 0)
    {
      soup_server_message_set_status (msg, 404, NULL);
      return;
    }
  if (body->data != NULL && g_strstr_len (body->data, body->length, "\"evil\"") != NULL)
    {
      soup_server_message_set_status (msg, 400, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        evil, sizeof evil - 1);
      return;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                    reply, sizeof reply - 1);
}

static gpointer
chat_peer_thread (gpointer user_data)
{
  ChatPeer *peer = user_data;
  g_autoptr(SoupServer) server = NULL;
  g_autoptr(GError) error = NULL;
  GSList *uris;

  g_main_context_push_thread_default (peer->context);
  server = soup_server_new (NULL, NULL);
  soup_server_add_handler (server, NULL, chat_peer_cb, peer, NULL);
  soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);

  g_mutex_lock (&peer->lock);
  peer->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_cond_signal (&peer->ready);
  g_mutex_unlock (&peer->lock);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  g_main_loop_run (peer->loop);
  soup_server_disconnect (server);
  g_main_context_pop_thread_default (peer->context);
  return NULL;
}

static ChatPeer *
chat_peer_start (void)
{
  ChatPeer *peer = g_new0 (ChatPeer, 1);

  g_mutex_init (&peer->lock);
  g_cond_init (&peer->ready);
  peer->context = g_main_context_new ();
  peer->loop = g_main_loop_new (peer->context, FALSE);

  g_mutex_lock (&peer->lock);
  peer->thread = g_thread_new ("chat-peer", chat_peer_thread, peer);
  while (peer->url == NULL)
    g_cond_wait (&peer->ready, &peer->lock);
  g_mutex_unlock (&peer->lock);
  return peer;
}

static void
chat_peer_stop (ChatPeer *peer)
{
  g_main_loop_quit (peer->loop);
  g_thread_join (peer->thread);
  g_main_loop_unref (peer->loop);
  g_main_context_unref (peer->context);
  g_mutex_clear (&peer->lock);
  g_cond_clear (&peer->ready);
  g_free (peer->url);
  g_free (peer->authorization);
  g_free (peer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ChatPeer, chat_peer_stop)

/* `workflow run` sends with the shared client: the step's key comes from
 * the keyring, and each request lands in the database's request log. */
static void
test_workflow_uses_keyring (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ChatPeer) peer = chat_peer_start ();
  g_autofree char *workflow =
    pa_test_write_file (fixture->data_dir, "ask.json",
                        "{\"name\": \"ask\", \"steps\": [{\"id\": \"ask\", \"uses\": \"openai.chat\","
                        " \"with\": {\"model\": \"m\", \"prompt\": \"Hi\"}}]}");
  g_autofree char *db_path = g_build_filename (fixture->data_dir, "playalter.db", NULL);
  g_auto(PaTestCliResult) set = { 0 };
  g_auto(PaTestCliResult) run = { 0 };
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  int rows = 0;

  pa_test_cli_run (&set, fixture->data_dir, CANARY, "account", "set", "openai", "--base-url", peer->url, NULL);
  g_assert_cmpint (set.status, ==, 0);

  pa_test_cli_run (&run, fixture->data_dir, NULL, "workflow", "run", workflow, NULL);
  g_test_message ("run: %s%s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "step ask: succeeded"));
  g_assert_null (strstr (run.out, CANARY));
  g_assert_null (strstr (run.err, CANARY));

  g_mutex_lock (&peer->lock);
  g_assert_cmpuint (peer->requests, ==, 1);
  g_assert_cmpstr (peer->authorization, ==, "Bearer " CANARY);
  g_mutex_unlock (&peer->lock);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db,
                                       "SELECT platform, method, path, http_status"
                                       " FROM platform_logs", -1, &stmt, NULL),
                   ==, SQLITE_OK);
  while (sqlite3_step (stmt) == SQLITE_ROW)
    {
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 0), ==, "openai");
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 1), ==, "POST");
      g_assert_cmpstr ((const char *) sqlite3_column_text (stmt, 2), ==, "/chat/completions");
      g_assert_cmpint (sqlite3_column_int (stmt, 3), ==, 200);
      rows++;
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  g_assert_cmpint (rows, ==, 1);
}

static void
assert_no_terminal_commands (const char *text)
{
  g_assert_null (strchr (text, '\x1b'));
  g_assert_null (strchr (text, '\x07'));
  g_assert_null (strchr (text, '\r'));
  g_assert_null (strstr (text, "\xE2\x80\xAE"));   /* U+202E */
  g_assert_null (strstr (text, "\xC2\x9B"));       /* U+009B, a CSI */
}

/* A server's error text reaches the terminal without its control
 * characters: the first line of stderr is the error, and it is text. */
static void
test_server_text_sanitized (Fixture       *fixture,
                            gconstpointer  data)
{
  g_autoptr(ChatPeer) peer = chat_peer_start ();
  g_autofree char *workflow =
    pa_test_write_file (fixture->data_dir, "evil.json",
                        "{\"name\": \"evil\", \"steps\": [{\"id\": \"ask\", \"uses\": \"openai.chat\","
                        " \"with\": {\"model\": \"evil\", \"prompt\": \"Hi\"}}]}");
  g_auto(PaTestCliResult) set = { 0 };
  g_auto(PaTestCliResult) run = { 0 };

  pa_test_cli_run (&set, fixture->data_dir, CANARY, "account", "set", "openai", "--base-url", peer->url, NULL);
  g_assert_cmpint (set.status, ==, 0);

  pa_test_cli_run (&run, fixture->data_dir, NULL, "workflow", "run", workflow, NULL);
  g_test_message ("run: %s%s", run.out, run.err);
  g_assert_cmpint (run.status, !=, 0);
  /* The message did come through, less what would drive the terminal. */
  g_assert_nonnull (strstr (run.err, "owned"));
  g_assert_nonnull (strstr (run.err, "bad"));
  assert_no_terminal_commands (run.out);
  assert_no_terminal_commands (run.err);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/version-and-help", test_version_and_help);
#define ADD(path, func) \
  pa_test_add_needing (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down, \
                       pa_test_keyring_need)
  ADD ("/cli/usage-errors-exit-2", test_usage_errors);
  ADD ("/cli/account/set-list-remove", test_set_list_remove);
  ADD ("/cli/account/profiles-and-base-url", test_profiles_and_base_url);
  ADD ("/cli/account/agora-fields", test_agora_fields);
  ADD ("/cli/account/insecure-http", test_insecure_http);
  ADD ("/cli/account/base-url-moves", test_base_url_moves);
  ADD ("/cli/account/failures-exit-1", test_failures_exit_1);
  ADD ("/cli/account/locked-keyring", test_locked_keyring);
  ADD ("/cli/account/check", test_account_check);
  ADD ("/cli/workflow/keyring-and-request-log", test_workflow_uses_keyring);
  ADD ("/cli/server-text-sanitized", test_server_text_sanitized);
#undef ADD

  return g_test_run ();
}
