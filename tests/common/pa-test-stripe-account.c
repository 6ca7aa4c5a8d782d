/* pa-test-stripe-account.c — the scripted Stripe account peer, and a client for it
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <libsoup/soup.h>

#include "pa-credential-provider.h"
#include "pa-http.h"

#include "pa-test-stripe-account.h"

/* The webhook control waits up to 10 s for the receiver. */
#define CONTROL_TIMEOUT_S 60

/* ---- a key from memory ------------------------------------------------- */

#define PA_TYPE_TEST_STRIPE_KEY (pa_test_stripe_key_get_type ())
G_DECLARE_FINAL_TYPE (PaTestStripeKey, pa_test_stripe_key, PA, TEST_STRIPE_KEY, GObject)

struct _PaTestStripeKey
{
  GObject parent_instance;
};

static void pa_test_stripe_key_iface_init (PaCredentialProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PaTestStripeKey, pa_test_stripe_key, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (PA_TYPE_CREDENTIAL_PROVIDER,
                                                      pa_test_stripe_key_iface_init))

static void
pa_test_stripe_key_lookup_async (PaCredentialProvider *provider,
                                 const char           *scope,
                                 const char           *profile,
                                 const char           *field,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);

  /* Only the Stripe key is known: anything else asked for is a test
   * that reached the wrong platform. */
  if (g_strcmp0 (scope, "stripe") != 0 || g_strcmp0 (field, "api-key") != 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "The Stripe account peer's client has no %s/%s key.",
                               scope, field);
      return;
    }
  g_task_return_pointer (task, g_strdup (PA_TEST_STRIPE_ACCOUNT_KEY), g_free);
}

static char *
pa_test_stripe_key_lookup_finish (PaCredentialProvider  *provider,
                                  GAsyncResult          *result,
                                  GError               **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
pa_test_stripe_key_iface_init (PaCredentialProviderInterface *iface)
{
  iface->lookup_async = pa_test_stripe_key_lookup_async;
  iface->lookup_finish = pa_test_stripe_key_lookup_finish;
}

static void
pa_test_stripe_key_class_init (PaTestStripeKeyClass *klass)
{
}

static void
pa_test_stripe_key_init (PaTestStripeKey *self)
{
}

/* ---- the peer ---------------------------------------------------------- */

PaTestPeer *
pa_test_stripe_account_start (guint                seed,
                              const char * const  *extra_args,
                              GError             **error)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (args, g_strdup ("--seed"));
  g_ptr_array_add (args, g_strdup_printf ("%u", seed));
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (args, g_strdup (extra_args[i]));
  g_ptr_array_add (args, NULL);

  return pa_test_node_peer_start ("stripe-account-peer.mjs",
                                  (const char * const *) args->pdata, error);
}

char *
pa_test_stripe_account_url (PaTestPeer *peer)
{
  g_return_val_if_fail (peer != NULL, NULL);

  return g_strdup (pa_test_peer_get_url (peer));
}

typedef struct {
  GBytes  *body;
  GError  *error;
  gboolean done;
} ControlWait;

static void
control_sent_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  ControlWait *wait = user_data;

  wait->body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &wait->error);
  wait->done = TRUE;
}

JsonNode *
pa_test_stripe_account_control (PaTestPeer  *peer,
                                const char  *method,
                                const char  *path,
                                const char  *json_body,
                                GError     **error)
{
  g_autoptr(SoupSession) session = soup_session_new_with_options ("timeout", CONTROL_TIMEOUT_S, NULL);
  g_autofree char *url = NULL;
  g_autoptr(SoupMessage) message = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GBytes) body = NULL;
  ControlWait wait = { 0 };
  const char *data;
  gsize length;
  guint status;

  g_return_val_if_fail (peer != NULL, NULL);
  g_return_val_if_fail (method != NULL && path != NULL && path[0] == '/', NULL);

  url = g_strconcat (pa_test_peer_get_url (peer), path, NULL);
  message = soup_message_new (method, url);
  if (message == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "Bad control URL %s", url);
      return NULL;
    }
  if (json_body != NULL)
    {
      g_autoptr(GBytes) bytes = g_bytes_new (json_body, strlen (json_body));

      soup_message_set_request_body_from_bytes (message, "application/json", bytes);
    }

  /* Not the blocking call: the peer's webhook may post to a server that
   * runs on this very context. */
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL,
                                    control_sent_cb, &wait);
  while (!wait.done)
    g_main_context_iteration (g_main_context_get_thread_default (), TRUE);
  body = wait.body;
  if (body == NULL)
    {
      g_propagate_prefixed_error (error, wait.error, "%s %s: ", method, url);
      return NULL;
    }

  data = g_bytes_get_data (body, &length);
  status = soup_message_get_status (message);
  if (status != 200)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s answered %u: %.*s (peer log: %s)",
                   method, path, status, (int) MIN (length, 2000), data != NULL ? data : "",
                   pa_test_peer_get_log_path (peer));
      return NULL;
    }
  if (!json_parser_load_from_data (parser, data != NULL ? data : "", (gssize) length, error))
    {
      g_prefix_error (error, "%s %s: ", method, path);
      return NULL;
    }
  return json_parser_steal_root (parser);
}

PaStripe *
pa_test_stripe_account_client (PaTestPeer *peer,
                               const char *profile)
{
  g_autoptr(PaHttp) http = pa_http_new ();
  g_autoptr(PaTestStripeKey) key = g_object_new (PA_TYPE_TEST_STRIPE_KEY, NULL);
  g_autofree char *url = NULL;

  g_return_val_if_fail (peer != NULL, NULL);

  url = pa_test_stripe_account_url (peer);
  pa_http_set_credential_provider (http, PA_CREDENTIAL_PROVIDER (key));
  pa_http_set_backoff (http, 10 * 1000, 50 * 1000);
  return pa_stripe_new (http, profile != NULL ? profile : "default", url);
}
