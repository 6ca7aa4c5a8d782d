/* bench-http-loop.c — the benchmark's closed loop of requests over HTTP
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "bench-http-loop.h"

typedef struct {
  const char        *label;
  SoupSession       *session;
  const char        *url;
  const char        *authorization;   /* NULL: none */
  BenchCheckAnswer   check;
  GArray            *latencies;
  gboolean           measuring;
  guint              warmup;
  guint              total;
  guint              next;
  guint              finished;
  gint64             t0;
  gint64             t1;
  gboolean           done;
  GError            *error;
} HttpLoop;

typedef struct {
  HttpLoop          *loop;
  SoupMessage       *message;
  guint              n;
  gint64             started;
} Request;

static void http_start_one (HttpLoop *loop);

static void
http_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Request *req = user_data;
  HttpLoop *loop = req->loop;
  gint64 now = g_get_monotonic_time ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = soup_session_send_and_read_finish (loop->session, result, &error);
  guint status = soup_message_get_status (req->message);

  if (body == NULL)
    {
      if (loop->error == NULL)
        g_set_error (&loop->error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s request %u: %s",
                     loop->label, req->n, error->message);
    }
  else
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));

      if (!loop->check (req->n, status, text, &error) && loop->error == NULL)
        g_set_error (&loop->error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s request %u %s",
                     loop->label, req->n, error->message);
    }

  if (loop->measuring)
    {
      gint64 latency = now - req->started;

      g_array_append_val (loop->latencies, latency);
    }
  loop->finished++;
  g_object_unref (req->message);
  g_free (req);

  if (loop->finished == loop->warmup)
    {
      loop->measuring = TRUE;
      loop->t0 = now;
    }
  if (loop->finished == loop->total || (loop->error != NULL && loop->finished == loop->next))
    {
      loop->t1 = now;
      loop->done = TRUE;
      return;
    }
  if (loop->next < loop->total && loop->error == NULL)
    http_start_one (loop);
}

static void
http_start_one (HttpLoop *loop)
{
  Request *req = g_new0 (Request, 1);
  char *body = g_strdup_printf ("{\"message\":\"msg-%u\",\"n\":%u}", loop->next, loop->next);
  g_autoptr(GBytes) bytes = g_bytes_new_take (body, strlen (body));

  req->loop = loop;
  req->n = loop->next++;
  req->message = soup_message_new ("POST", loop->url);
  soup_message_set_request_body_from_bytes (req->message, "application/json", bytes);
  if (loop->authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (req->message),
                                  "Authorization", loop->authorization);
  req->started = g_get_monotonic_time ();
  soup_session_send_and_read_async (loop->session, req->message, G_PRIORITY_DEFAULT, NULL,
                                    http_done_cb, req);
}

/* The same closed loop for both HTTP sides: C requests in flight. */
gboolean
bench_http_loop_run (const char   *label,
               const char   *url,
               const char   *authorization,
               BenchCheckAnswer check,
               guint         concurrency,
               guint         warmup,
               guint         runs,
               BenchResult  *result,
               GError      **error)
{
  g_autoptr(SoupSession) session = NULL;
  g_autoptr(GArray) latencies = g_array_new (FALSE, FALSE, sizeof (gint64));
  HttpLoop loop;

  /* Keep-alive connections, one per request in flight, like a client
   * that knows the server's address: connection setup is not what is
   * measured. */
  session = soup_session_new_with_options ("max-conns", (int) concurrency + 2,
                                           "max-conns-per-host", (int) concurrency,
                                           "timeout", 60, NULL);
  loop = (HttpLoop) {
    .label = label, .session = session, .url = url, .authorization = authorization,
    .check = check, .latencies = latencies, .warmup = warmup, .total = warmup + runs,
    .measuring = warmup == 0,
  };

  loop.t0 = g_get_monotonic_time ();
  for (guint i = 0; i < concurrency && i < loop.total; i++)
    http_start_one (&loop);
  while (!loop.done)
    g_main_context_iteration (NULL, TRUE);

  if (loop.error != NULL)
    {
      g_propagate_error (error, loop.error);
      return FALSE;
    }

  result->n = runs;
  result->concurrency = concurrency;
  result->per_s = runs / ((loop.t1 - loop.t0) / (double) G_USEC_PER_SEC);
  result->p50_ms = bench_percentile_ms (latencies, 50);
  result->p99_ms = bench_percentile_ms (latencies, 99);
  result->max_ms = bench_percentile_ms (latencies, 100);
  return TRUE;
}

