/* test-replicate-download.c — saving Replicate outputs from a peer that
 * sends too much, too many, too slowly, or over plain HTTP
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-limits.h"
#include "pa-replicate-download.h"
#include "pa-replicate.h"
#include "pa-test-credentials.h"

/* ---- a file server on loopback ------------------------------------------ */

typedef struct {
  SoupServer *server;
  char       *url;
  GHashTable *files;     /* path → GBytes; a path missing here stalls */
  GPtrArray  *seen;      /* "host path\nheaders" */
  GPtrArray  *held;
} Files;

static void
files_cb (SoupServer        *server,
          SoupServerMessage *msg,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  Files *files = user_data;
  SoupMessageHeaders *request_headers = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response_headers = soup_server_message_get_response_headers (msg);
  GBytes *bytes = g_hash_table_lookup (files->files, path);
  GString *seen = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;

  g_string_append_printf (seen, "%s %s\n",
                          soup_message_headers_get_one (request_headers, "Host"), path);
  soup_message_headers_iter_init (&iter, request_headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    g_string_append_printf (seen, "%s: %s\n", name, value);
  g_ptr_array_add (files->seen, g_string_free (seen, FALSE));

  soup_server_message_set_status (msg, 200, NULL);
  if (bytes != NULL)
    {
      soup_server_message_set_response (msg, "application/octet-stream", SOUP_MEMORY_COPY,
                                        g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
      return;
    }

  /* A few bytes, then nothing: a peer that hangs its reader. */
  soup_message_headers_set_encoding (response_headers, SOUP_ENCODING_CHUNKED);
  soup_message_headers_set_content_type (response_headers, "image/png", NULL);
  soup_message_body_append (soup_server_message_get_response_body (msg), SOUP_MEMORY_STATIC,
                            "\x89PNG", 4);
  g_ptr_array_add (files->held, g_object_ref (msg));
}

static Files *
files_new (void)
{
  Files *files = g_new0 (Files, 1);
  g_autoptr(GError) error = NULL;
  GSList *uris;

  files->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (files->server, NULL, files_cb, files, NULL);
  soup_server_listen_local (files->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (files->server);
  files->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);

  files->files = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                        (GDestroyNotify) g_bytes_unref);
  files->seen = g_ptr_array_new_with_free_func (g_free);
  files->held = g_ptr_array_new_with_free_func (g_object_unref);
  return files;
}

static void
files_free (Files *files)
{
  soup_server_disconnect (files->server);
  g_clear_object (&files->server);
  g_ptr_array_unref (files->held);
  g_ptr_array_unref (files->seen);
  g_hash_table_unref (files->files);
  g_free (files->url);
  g_free (files);

  while (g_main_context_iteration (NULL, FALSE))
    ;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Files, files_free)

static void
files_add (Files      *files,
           const char *path,
           gsize       size)
{
  guint8 *data = g_malloc (size);

  memset (data, 'x', size);
  g_hash_table_insert (files->files, g_strdup (path), g_bytes_new_take (data, size));
}

/* ---- the client ---------------------------------------------------------- */

typedef struct {
  Files       *files;
  PaHttp      *http;
  PaReplicate *client;
  char        *media_dir;
} Fixture;

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(PaTestCredentials) credentials = pa_test_credentials_new ();
  g_autoptr(GError) error = NULL;

  fixture->files = files_new ();
  fixture->http = pa_http_new ();
  pa_http_set_backoff (fixture->http, 1000, 5000);
  pa_http_set_credential_provider (fixture->http, PA_CREDENTIAL_PROVIDER (credentials));
  fixture->client = pa_replicate_new (fixture->http, NULL, fixture->files->url);
  pa_replicate_set_mode (fixture->client, PA_REPLICATE_MODE_API);
  fixture->media_dir = g_dir_make_tmp ("test-replicate-download-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->media_dir, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->media_dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (fixture->media_dir);
  g_free (fixture->media_dir);
  g_clear_object (&fixture->client);
  g_clear_object (&fixture->http);
  files_free (fixture->files);
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **slot = user_data;

  *slot = g_object_ref (result);
}

static GPtrArray *
download (Fixture     *fixture,
          const char  *output_json,
          GError     **error)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonNode) output = json_from_string (output_json, NULL);

  g_assert_nonnull (output);
  pa_replicate_download_outputs_async (fixture->client, output, fixture->media_dir, NULL, NULL,
                                       NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return pa_replicate_download_outputs_finish (fixture->client, result, error);
}

static guint
files_in_media_dir (Fixture *fixture)
{
  g_autoptr(GDir) dir = g_dir_open (fixture->media_dir, 0, NULL);
  guint n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

/* ---- the tests ----------------------------------------------------------- */

/* The client's limit for JSON answers is not a download's. */
static void
test_declared_length (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autofree char *output = g_strdup_printf ("\"%s/files/big.bin\"", fixture->files->url);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;

  pa_http_set_max_response_size (fixture->http, 1024);
  files_add (fixture->files, "/files/big.bin", 64 * 1024);
  assets = download (fixture, output, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpuint (((PaReplicateAsset *) assets->pdata[0])->size, ==, 64 * 1024);
}

/* Each file within its limit, but too much in all. */
static void
test_total_size (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autoptr(GString) output = g_string_new ("[");
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;

  pa_replicate_set_max_download_size (fixture->client, 1000);
  for (guint i = 0; i < 5; i++)
    {
      g_autofree char *path = g_strdup_printf ("/files/part-%u.bin", i);

      files_add (fixture->files, path, 900);
      g_string_append_printf (output, "%s\"%s%s\"", i ? "," : "", fixture->files->url, path);
    }
  g_string_append (output, "]");

  assets = download (fixture, output->str, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "in all"));
  g_assert_null (assets);
  /* Four were saved before the fifth went over; none half-written. */
  g_assert_cmpuint (files_in_media_dir (fixture), ==, 4);
}

static void
test_too_many_outputs (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GString) output = g_string_new ("[");
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;

  for (guint i = 0; i <= PA_LIMIT_REPLICATE_OUTPUTS; i++)
    g_string_append_printf (output, "%s\"data:text/plain;base64,aGk=\"", i ? "," : "");
  g_string_append (output, "]");

  assets = download (fixture, output->str, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "65"));
  g_assert_null (assets);
  g_assert_cmpuint (files_in_media_dir (fixture), ==, 0);
}

/* A peer that sends a few bytes and then nothing. */
static void
test_idle (Fixture       *fixture,
           gconstpointer  data)
{
  g_autofree char *output = g_strdup_printf ("\"%s/files/stalled.png\"", fixture->files->url);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  pa_http_set_body_idle_timeout (fixture->http, 1);
  assets = download (fixture, output, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_TIMEOUT);
  g_assert_nonnull (strstr (error->message, "stalled.png"));
  g_assert_null (assets);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 20 * G_USEC_PER_SEC);
  g_assert_cmpuint (files_in_media_dir (fixture), ==, 0);
}

/* Replicate's file host over plain http gets no key; the account's own
 * (loopback) address still does. */
static void
test_key_not_over_http (Fixture       *fixture,
                        gconstpointer  data)
{
  g_autoptr(GProxyResolver) proxy = g_simple_proxy_resolver_new (fixture->files->url, NULL);
  g_autofree char *output = g_strdup_printf ("[\"http://replicate.delivery/abc/out.bin\","
                                             " \"%s/files/own.bin\"]", fixture->files->url);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  const char *delivery;
  const char *own;

  /* What would go to replicate.delivery comes here instead. */
  soup_session_set_proxy_resolver (pa_http_get_session (fixture->http), proxy);
  files_add (fixture->files, "/abc/out.bin", 10);
  files_add (fixture->files, "/files/own.bin", 10);

  assets = download (fixture, output, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 2);
  g_assert_cmpuint (fixture->files->seen->len, ==, 2);

  delivery = fixture->files->seen->pdata[0];
  own = fixture->files->seen->pdata[1];
  g_assert_true (g_str_has_prefix (delivery, "replicate.delivery /abc/out.bin\n"));
  g_assert_null (strstr (delivery, PA_TEST_SECRET));
  g_assert_null (strstr (delivery, "Authorization"));
  g_assert_nonnull (strstr (own, "Authorization: Bearer " PA_TEST_SECRET));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  ADD ("/replicate/download/declared-length", test_declared_length);
  ADD ("/replicate/download/total-size", test_total_size);
  ADD ("/replicate/download/too-many-outputs", test_too_many_outputs);
  ADD ("/replicate/download/idle", test_idle);
  ADD ("/replicate/download/key-not-over-http", test_key_not_over_http);

#undef ADD

  return g_test_run ();
}
