/* test-http-keys.c — PaHttp keeps keys where they belong: never in clear
 * to another machine, never across a redirect to another origin, for
 * every platform's way of sending its key
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-platform.h"
#include "pa-platform-info.h"
#include "pa-test-credentials.h"
#include "pa-test-http-peer.h"

#define SECRET PA_TEST_SECRET

/* ---- keys over plain HTTP ----------------------------------------------- */

static void
test_url_checks (void)
{
  g_assert_true (pa_http_url_is_safe_for_credentials ("https://api.example.com/v1"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://127.0.0.1:8080"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://127.8.9.10/"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://[::1]:5678/"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://localhost:5678"));
  g_assert_true (pa_http_url_is_safe_for_credentials ("http://LocalHost./"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://api.example.com/v1"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://192.168.1.10:11434"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://localhost.example.com/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://127.0.0.1.nip.io/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("http://[::ffff:10.0.0.1]/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("ftp://127.0.0.1/"));
  g_assert_false (pa_http_url_is_safe_for_credentials ("not a url"));
  g_assert_false (pa_http_url_is_safe_for_credentials (NULL));
}

/* Every way of giving credentials is refused over http to another
 * machine, before anything is looked up or sent. */
static void
test_insecure_refused (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();

  pa_test_http_peer_route (http, peer);

  for (guint kind = 0; kind < 5; kind++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://api.example.com",
                                                              "/v1/me");
      g_autoptr(GError) error = NULL;

      switch (kind)
        {
        case 0: pa_http_request_set_bearer_auth (request, SECRET); break;
        case 1: pa_http_request_set_basic_auth (request, "user", SECRET); break;
        case 2: pa_http_request_set_header_auth (request, "X-N8N-API-KEY", SECRET); break;
        case 3:
          pa_http_request_set_deferred_auth (request, PA_AUTH_BEARER, "openai", NULL, NULL,
                                             "api-key", NULL, FALSE);
          break;
        case 4:
          /* Optional: looked up (a key may be stored), then refused. */
          pa_http_request_set_deferred_auth (request, PA_AUTH_HEADER, "n8n", NULL,
                                             "X-N8N-API-KEY", "api-key", NULL, TRUE);
          break;
        default:
          g_assert_not_reached ();
        }

      g_assert_null (pa_test_http_send (http, request, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
      g_assert_nonnull (strstr (error->message, "api.example.com"));
      g_assert_nonnull (strstr (error->message, "https://"));
      g_assert_cmpuint (peer->seen->len, ==, 0);
    }
  g_assert_cmpuint (pa_test_http_secrets_asked (http), ==, 1);

  /* Without credentials, plain http is the peer's business. */
  {
    g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", "http://api.example.com",
                                                            "/v1/public");
    g_autoptr(PaHttpResponse) response = NULL;
    g_autoptr(GError) error = NULL;

    response = pa_test_http_send (http, request, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (peer->seen->len, ==, 1);
    g_assert_cmpstr (pa_test_http_peer_seen (peer, 0)->host, ==, "api.example.com");
  }
}

/* Allowed explicitly: to the base URL's origin, and there only. */
static void
test_insecure_allowed (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaHttpRequest) base = pa_http_request_new ("GET", "http://10.1.2.3:8080", "/v1/me");
  g_autoptr(PaHttpRequest) other = pa_http_request_new ("GET", "http://10.1.2.3:8080",
                                                        "http://10.9.9.9:8080/v1/me");
  g_autoptr(PaHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  pa_test_http_peer_route (http, peer);

  pa_http_request_set_bearer_auth (base, SECRET);
  pa_http_request_set_allow_insecure_http (base, TRUE);
  response = pa_test_http_send (http, base, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (peer->seen->len, ==, 1);
  g_assert_nonnull (strstr (pa_test_http_peer_seen (peer, 0)->headers, "Bearer " SECRET));

  pa_http_request_set_bearer_auth (other, SECRET);
  pa_http_request_set_allow_insecure_http (other, TRUE);
  g_assert_null (pa_test_http_send (http, other, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
  g_assert_cmpuint (peer->seen->len, ==, 1);
}

/* ---- redirects, for every platform's way of sending its key -------------- */

static const char *const platform_ids[] = {
  "stripe", "openai", "replicate", "vercel", "n8n", "agora",
};

/* A platform client set up (knowingly) with a plain http base URL on
 * another machine sends its key there, and to no other host. */
static void
test_insecure_platform_base_url (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();

  pa_test_http_peer_route (http, peer);

  for (guint i = 0; i < G_N_ELEMENTS (platform_ids); i++)
    {
      g_autoptr(PaPlatform) client = NULL;
      g_autoptr(PaHttpRequest) own = NULL;
      g_autoptr(PaHttpRequest) other = NULL;
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;

      client = pa_platform_new (platform_ids[i], http, "default", "http://10.1.2.3:8080", &error);
      g_assert_no_error (error);

      own = pa_platform_new_request (client, "GET", "/v1/thing");
      response = pa_test_http_send (http, own, &error);
      g_assert_no_error (error);
      /* Agora's key is in Basic's base64. */
      g_assert_true (strstr (pa_test_http_peer_seen (peer, peer->seen->len - 1)->headers, SECRET) != NULL ||
                     strstr (pa_test_http_peer_seen (peer, peer->seen->len - 1)->headers,
                             "Authorization: Basic ") != NULL);

      other = pa_platform_new_request (client, "GET", "http://10.9.9.9:8080/v1/thing");
      g_assert_null (pa_test_http_send (http, other, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_INSECURE);
      g_assert_cmpuint (peer->seen->len, ==, i + 1);
    }
}

static void
assert_no_secret (PaTestHttpSeen *seen)
{
  if (strstr (seen->headers, SECRET) != NULL ||
      strstr (seen->headers, "Authorization") != NULL ||
      strstr (seen->headers, "X-N8N-API-KEY") != NULL)
    g_error ("Credentials followed a redirect to %s%s:\n%s", seen->host, seen->path, seen->headers);
}

static void
assert_has_secret (PaTestHttpSeen       *seen,
                   const char *header)
{
  g_autofree char *line = g_strdup_printf ("%s: ", header);

  g_assert_nonnull (strstr (seen->headers, line));
}

/* Each platform's own request: its header, from its credentials. */
static void
test_redirect_platforms (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaTestHttpPeer) other = pa_test_http_peer_new ();

  for (guint i = 0; i < G_N_ELEMENTS (platform_ids); i++)
    {
      const PaPlatformInfo *info = pa_platform_info_lookup (platform_ids[i]);
      const char *header = info->auth == PA_AUTH_HEADER ? info->auth_header : "Authorization";
      g_autoptr(PaPlatform) client = NULL;
      g_autoptr(GError) error = NULL;
      struct {
        guint       status;
        const char *method;
        char       *location;
        PaTestHttpPeer       *target;
      } hops[] = {
        /* Another port, another host (same port), and each method. */
        { 302, "GET", g_strdup_printf ("%s/elsewhere", other->url), other },
        { 303, "POST", g_strdup_printf ("http://localhost:%d/elsewhere", peer->port), peer },
        { 307, "GET", g_strdup_printf ("http://localhost:%d/elsewhere", peer->port), peer },
        { 308, "GET", g_strdup_printf ("http://localhost:%d/elsewhere", other->port), other },
        { 301, "GET", g_strdup_printf ("%s/elsewhere", other->url), other },
      };

      client = pa_platform_new (platform_ids[i], http, "default", peer->url, &error);
      g_assert_no_error (error);

      for (guint h = 0; h < G_N_ELEMENTS (hops); h++)
        {
          g_autoptr(PaHttpRequest) request = pa_platform_new_request (client, hops[h].method,
                                                                      "/v1/thing");
          g_autoptr(PaHttpResponse) response = NULL;
          PaTestHttpPeer *target = hops[h].target;
          guint before_peer = peer->seen->len;
          guint before_target = target->seen->len;
          PaTestHttpStep *step;

          /* Agora, Stripe and co. send their key whatever the body. */
          if (g_str_equal (hops[h].method, "POST"))
            pa_test_http_set_empty_body (request);
          step = pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_REDIRECT, hops[h].status, NULL);
          step->location = g_strdup (hops[h].location);

          response = pa_test_http_send (http, request, &error);
          g_assert_no_error (error);
          g_assert_cmpuint (pa_http_response_get_status (response), ==, 200);

          assert_has_secret (pa_test_http_peer_seen (peer, before_peer), header);
          g_assert_cmpuint (target->seen->len, ==, before_target + (target == peer ? 2 : 1));
          g_assert_cmpstr (pa_test_http_peer_seen (target, target->seen->len - 1)->path, ==, "/elsewhere");
          assert_no_secret (pa_test_http_peer_seen (target, target->seen->len - 1));
          g_free (hops[h].location);
        }

      /* Within the origin, the key follows. */
      {
        g_autoptr(PaHttpRequest) request = pa_platform_new_request (client, "GET", "/v1/thing");
        g_autoptr(PaHttpResponse) response = NULL;
        PaTestHttpStep *step = pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_REDIRECT, 302, NULL);

        step->location = g_strdup ("/v2/thing");
        response = pa_test_http_send (http, request, &error);
        g_assert_no_error (error);
        g_assert_cmpstr (pa_test_http_peer_seen (peer, peer->seen->len - 1)->path, ==, "/v2/thing");
        assert_has_secret (pa_test_http_peer_seen (peer, peer->seen->len - 1), header);
      }
    }
}

/* Keys given directly, as the n8n webhook and Replicate's "Token" do. */
static void
test_redirect_direct_headers (void)
{
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaTestHttpPeer) peer = pa_test_http_peer_new ();
  g_autoptr(PaTestHttpPeer) other = pa_test_http_peer_new ();
  struct {
    const char *header;
    const char *value;
  } styles[] = {
    { "Authorization", "Bearer " SECRET },
    { "Authorization", "Token " SECRET },
    { "X-N8N-API-KEY", SECRET },
    { "X-Webhook-Secret", SECRET },
  };

  for (guint i = 0; i < G_N_ELEMENTS (styles); i++)
    {
      g_autoptr(PaHttpRequest) request = pa_http_request_new ("GET", peer->url, "/webhook/x");
      g_autoptr(PaHttpResponse) response = NULL;
      g_autoptr(GError) error = NULL;
      PaTestHttpStep *step = pa_test_http_peer_queue (peer, PA_TEST_HTTP_STEP_REDIRECT, 307, NULL);

      step->location = g_strdup_printf ("%s/elsewhere", other->url);
      pa_http_request_set_header_auth (request, styles[i].header, styles[i].value);
      response = pa_test_http_send (http, request, &error);
      g_assert_no_error (error);
      assert_has_secret (pa_test_http_peer_seen (peer, peer->seen->len - 1), styles[i].header);
      g_assert_cmpuint (other->seen->len, ==, i + 1);
      g_assert_null (strstr (pa_test_http_peer_seen (other, i)->headers, SECRET));
      g_assert_null (strstr (pa_test_http_peer_seen (other, i)->headers, styles[i].header));
    }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/http/insecure/url-checks", test_url_checks);
  g_test_add_func ("/http/insecure/refused", test_insecure_refused);
  g_test_add_func ("/http/insecure/allowed-to-base", test_insecure_allowed);
  g_test_add_func ("/http/insecure/platform-base-url", test_insecure_platform_base_url);
  g_test_add_func ("/http/redirect/platforms", test_redirect_platforms);
  g_test_add_func ("/http/redirect/direct-headers", test_redirect_direct_headers);

  return g_test_run ();
}
