/* stripe-sync-child.c — syncs a Stripe account into a data dir, to be killed mid-walk
 *
 * Usage: stripe-sync-child DATA_DIR PEER_URL [BACKFILL_DAYS]
 *
 * test-stripe-sync runs this and kills it with SIGKILL while it walks, so
 * that the resumed sync meets what a real kill leaves on disk: no clean
 * shutdown, a transaction possibly cut in half. It says where it is on
 * stdout, one line at a time, flushed: "changed N" after every change the
 * sync reports (the balance, each page), then "done NEW" or "error
 * MESSAGE" at the end.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include <glib.h>

#include "pa-store-stripe.h"
#include "pa-stripe-sync.h"
#include "pa-test-http-peer.h"

typedef struct {
  GMainLoop *loop;
  gint64     n_new;
  GError    *error;
} Wait;

static void
changed_cb (PaStripeSync *sync,
            gpointer      user_data)
{
  guint *n_changed = user_data;

  printf ("changed %u\n", ++*n_changed);
  fflush (stdout);
}

static void
synced_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Wait *wait = user_data;

  wait->n_new = pa_stripe_sync_run_finish (PA_STRIPE_SYNC (source), result, &wait->error);
  g_main_loop_quit (wait->loop);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaHttp) http = NULL;
  g_autoptr(PaStripe) client = NULL;
  g_autoptr(PaStripeSync) sync = NULL;
  Wait wait = { NULL, 0, NULL };
  guint n_changed = 0;

  if (argc < 3 || argc > 4)
    {
      fprintf (stderr, "Usage: %s DATA_DIR PEER_URL [BACKFILL_DAYS]\n", argv[0]);
      return 2;
    }

  store = pa_store_open (argv[1], &error);
  if (store == NULL)
    {
      printf ("error %s\n", error->message);
      return 1;
    }
  http = pa_test_http_new ();
  client = pa_stripe_new (http, "default", argv[2]);
  sync = pa_stripe_sync_new (store, client, "default");
  if (argc == 4)
    pa_stripe_sync_set_backfill_days (sync, (guint) g_ascii_strtoull (argv[3], NULL, 10));
  g_signal_connect (sync, "changed", G_CALLBACK (changed_cb), &n_changed);

  wait.loop = g_main_loop_new (NULL, FALSE);
  pa_stripe_sync_run_async (sync, NULL, synced_cb, &wait);
  g_main_loop_run (wait.loop);
  g_main_loop_unref (wait.loop);

  if (wait.error != NULL)
    {
      printf ("error %s\n", wait.error->message);
      g_error_free (wait.error);
      return 1;
    }
  printf ("done %" G_GINT64_FORMAT "\n", wait.n_new);
  return 0;
}
