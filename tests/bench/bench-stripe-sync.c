/* bench-stripe-sync.c — the Stripe sync of 100,000+ events, against Node doing the same walk
 *
 * One account peer (tests/peers/stripe-account-peer.mjs) seeded with
 * enough payments for 100,000+ events listed by /v1/events, then, one
 * after the other on the same peer and the same events:
 *
 *   - ours: PaStripeSync's first sync into a PaStore on disk (a fresh
 *     data dir, WAL, the store's default durability): GET /v1/balance,
 *     then pages of 100 walked back with starting_after and created[gt],
 *     each page checked, stored with its projections (objects, payments)
 *     and the sync state in one transaction; then one forward request
 *     from the cursor;
 *   - Node + SQLite: tests/bench/stripe-sync-node.cjs walking the same
 *     pages with the same bound, storing each page's events (not their
 *     projections) in one transaction with the `sqlite3` npm module;
 *   - Node, pager alone: the same walk and JSON work with no storage:
 *     the floor the network and the parsing set.
 *
 * Events/s is the events stored over the time from the first request to
 * the last commit. Peak RSS is VmHWM from /proc/self/status (each side is
 * its own process, ours measured first so the peak is the sync's), the
 * growth is the peak less the RSS just before the walk began.
 *
 * Usage: bench-stripe-sync [--seed N] [--days D] [--no-node]
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pa-store-stripe.h"
#include "pa-stripe-sync.h"
#include "pa-test-peer-private.h"
#include "pa-test-stripe-account.h"

typedef struct {
  const char *name;
  gint64      events;
  double      seconds;
  gint64      rss_before_kb;
  gint64      vmhwm_kb;
  gint64      db_bytes;     /* -1: nothing stored */
  char       *detail;
  double      cpu_seconds;  /* user + system of the side's own process */
} Side;

static gint64
status_kb (const char *field)
{
  g_autofree char *text = NULL;
  g_autofree char *key = g_strconcat ("\n", field, ":", NULL);
  const char *at;

  if (!g_file_get_contents ("/proc/self/status", &text, NULL, NULL))
    return 0;
  at = strstr (text, key);
  return at != NULL ? g_ascii_strtoll (at + strlen (key), NULL, 10) : 0;
}

static double
cpu_now (void)
{
  struct rusage usage;

  getrusage (RUSAGE_SELF, &usage);
  return usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
         + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

static gint64
dir_bytes (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;
  gint64 total = 0;

  while (listing != NULL && (name = g_dir_read_name (listing)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      GStatBuf st;

      if (g_stat (path, &st) == 0 && S_ISREG (st.st_mode))
        total += st.st_size;
    }
  return total;
}

typedef struct {
  gboolean  done;
  gint64    n_new;
  GError   *error;
} Result;

static void
synced_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Result *r = user_data;

  r->n_new = pa_stripe_sync_run_finish (PA_STRIPE_SYNC (source), result, &r->error);
  r->done = TRUE;
}

/* Ours. Returns the bound the backfill used, for the Node sides. */
static gint64
run_ours (PaTestPeer *peer,
          const char *dir,
          Side       *side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = pa_store_open (dir, &error);
  g_autoptr(PaStripe) client = NULL;
  g_autoptr(PaStripeSync) sync = NULL;
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autofree char *durability = NULL;
  Result r = { FALSE, 0, NULL };
  gint64 started;
  gint64 stored;
  double cpu;

  if (store == NULL)
    g_error ("could not open the store: %s", error->message);
  client = pa_test_stripe_account_client (peer, "default");
  sync = pa_stripe_sync_new (store, client, "default");
  durability = pa_store_describe_durability (store);

  side->rss_before_kb = status_kb ("VmRSS");
  cpu = cpu_now ();
  started = g_get_monotonic_time ();
  pa_stripe_sync_run_async (sync, NULL, synced_cb, &r);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  side->seconds = (g_get_monotonic_time () - started) / 1e6;
  side->cpu_seconds = cpu_now () - cpu;
  side->vmhwm_kb = status_kb ("VmHWM");
  if (r.error != NULL)
    g_error ("the sync failed: %s", r.error->message);

  stored = pa_store_stripe_count_events (store, "default", &error);
  g_assert_no_error (error);
  if (stored != r.n_new)
    g_error ("the sync said %" G_GINT64_FORMAT " new events but %" G_GINT64_FORMAT
             " are stored", r.n_new, stored);
  state = pa_store_stripe_get_sync_state (store, "default", &error);
  g_assert_no_error (error);
  side->events = stored;
  {
    /* Every object kind the page lists, to say what the projections hold. */
    const char *kinds[] = { "payment_link", "product", "price", "customer", "subscription",
                            "refund", "dispute" };
    guint n_objects = 0;

    for (gsize i = 0; i < G_N_ELEMENTS (kinds); i++)
      {
        g_autoptr(GPtrArray) objects = pa_store_stripe_list_objects (store, "default", kinds[i],
                                                                     NULL, 0, &error);

        g_assert_no_error (error);
        n_objects += objects->len;
      }
    side->detail = g_strdup_printf ("events, and %u payments, %u other objects projected; %s",
                                    pa_store_stripe_count_payments (store, "default", NULL, NULL),
                                    n_objects, durability);
  }
  g_clear_object (&sync);
  g_clear_object (&store);
  side->db_bytes = dir_bytes (dir);
  return state->backfill_after;
}

static void
run_node (PaTestPeer *peer,
          gint64      created_gt,
          const char *db_path,
          Side       *side)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *node = pa_test_find_node (&error);
  g_autofree char *script = g_build_filename (pa_test_source_root (), "tests", "bench",
                                              "stripe-sync-node.cjs", NULL);
  g_autofree char *modules = g_build_filename (pa_test_source_root (), "tests", "peers",
                                               "node_modules", NULL);
  g_autofree char *url = pa_test_stripe_account_url (peer);
  g_autofree char *bound = g_strdup_printf ("%" G_GINT64_FORMAT, created_gt);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *result;

  if (node == NULL)
    g_error ("%s", error->message);
  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, script);
  g_ptr_array_add (argv, "--url");
  g_ptr_array_add (argv, url);
  g_ptr_array_add (argv, "--created-gt");
  g_ptr_array_add (argv, bound);
  if (db_path != NULL)
    {
      g_ptr_array_add (argv, "--db");
      g_ptr_array_add (argv, (gpointer) db_path);
      g_ptr_array_add (argv, "--sqlite3");
      g_ptr_array_add (argv, modules);
    }
  g_ptr_array_add (argv, NULL);

  child = g_subprocess_newv ((const char * const *) argv->pdata,
                             G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error);
  if (child == NULL || !g_subprocess_communicate_utf8 (child, NULL, NULL, &out, &err, &error))
    g_error ("could not run %s: %s", script, error->message);
  if (!g_subprocess_get_if_exited (child) || g_subprocess_get_exit_status (child) != 0)
    g_error ("%s failed: %s", script, err);
  root = json_from_string (out, &error);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    g_error ("%s printed no JSON: %s", script, out);
  result = json_node_get_object (root);

  side->events = json_object_get_int_member (result, "events");
  side->seconds = json_object_get_double_member (result, "seconds");
  side->rss_before_kb = json_object_get_int_member (result, "rss_before_kb");
  side->vmhwm_kb = json_object_get_int_member (result, "vmhwm_kb");
  side->cpu_seconds = json_object_get_double_member (result, "cpu_seconds");
  if (db_path != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (db_path);

      if (json_object_get_int_member (result, "stored") != side->events)
        g_error ("Node stored %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT " events",
                 json_object_get_int_member (result, "stored"), side->events);
      side->db_bytes = dir_bytes (dir);
      side->detail = g_strdup_printf ("events only; sqlite3 npm module, SQLite %s, WAL, "
                                      "synchronous=NORMAL; %s",
                                      json_object_get_string_member (result, "sqlite"),
                                      json_object_get_string_member (result, "node"));
    }
  else
    {
      side->db_bytes = -1;
      side->detail = g_strdup_printf ("no storage; %s", json_object_get_string_member (result,
                                                                                    "node"));
    }
}

static void
print_side (GString    *out,
            const Side *side,
            const Side *ours)
{
  double per_s = side->events / side->seconds;

  g_string_append_printf (out, "| %s | %" G_GINT64_FORMAT " | %.2f | %.2f | **%.0f** | %.0f | %.0f | %.0f |",
                          side->name, side->events, side->seconds, side->cpu_seconds, per_s,
                          side->rss_before_kb / 1024.0, side->vmhwm_kb / 1024.0,
                          (side->vmhwm_kb - side->rss_before_kb) / 1024.0);
  if (side->db_bytes >= 0)
    g_string_append_printf (out, " %.1f |", side->db_bytes / 1048576.0);
  else
    g_string_append (out, " – |");
  if (side == ours)
    g_string_append (out, " 1 |");
  else
    g_string_append_printf (out, " %.2f× |", (ours->events / ours->seconds) / per_s);
  g_string_append_printf (out, " %s |\n", side->detail);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) options = g_option_context_new ("— the Stripe sync benchmark");
  g_autoptr(PaTestPeer) peer = NULL;
  g_autoptr(JsonNode) effects = NULL;
  g_autoptr(GString) out = g_string_new (NULL);
  g_autofree char *days_text = NULL;
  g_autofree char *ours_dir = NULL;
  g_autofree char *node_dir = NULL;
  g_autofree char *node_db = NULL;
  int seed = 40000;
  int days = 29;
  gboolean no_node = FALSE;
  GOptionEntry entries[] = {
    { "seed", 0, 0, G_OPTION_ARG_INT, &seed, "Payments the peer seeds (40000: ~107,000 events)", "N" },
    { "days", 0, 0, G_OPTION_ARG_INT, &days, "Days they spread over (29: all listed)", "D" },
    { "no-node", 0, 0, G_OPTION_ARG_NONE, &no_node, "Leave the Node sides out", NULL },
    { NULL }
  };
  Side sides[3] = {
    { "PlayAlter `PaStripeSync`, first sync", 0, 0, 0, 0, 0, NULL, 0 },
    { "Node + SQLite (`stripe-sync-node.cjs --db`)", 0, 0, 0, 0, 0, NULL, 0 },
    { "Node, pager alone (`stripe-sync-node.cjs`)", 0, 0, 0, 0, 0, NULL, 0 },
  };
  const char *peer_args[] = { "--days", NULL, NULL };
  gint64 listed;
  gint64 bound;
  guint n_sides;

  g_option_context_add_main_entries (options, entries, NULL);
  if (!g_option_context_parse (options, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }

  days_text = g_strdup_printf ("%d", days);
  peer_args[1] = days_text;
  peer = pa_test_stripe_account_start ((guint) seed, peer_args, &error);
  if (peer == NULL)
    {
      g_printerr ("could not start the account peer: %s\n", error != NULL ? error->message : "");
      return 1;
    }
  effects = pa_test_stripe_account_control (peer, "GET", "/__peer/effects", NULL, &error);
  g_assert_no_error (error);
  listed = json_object_get_int_member (json_node_get_object (effects), "events");
  g_print ("peer: %d payments over %d days, %" G_GINT64_FORMAT " events listed\n",
           seed, days, listed);

  ours_dir = g_dir_make_tmp ("bench-stripe-sync-XXXXXX", &error);
  g_assert_no_error (error);
  bound = run_ours (peer, ours_dir, &sides[0]);
  if (sides[0].events != listed)
    g_error ("ours stored %" G_GINT64_FORMAT " events, the peer lists %" G_GINT64_FORMAT,
             sides[0].events, listed);
  g_print ("ours: %" G_GINT64_FORMAT " events in %.2f s\n", sides[0].events, sides[0].seconds);

  n_sides = 1;
  if (!no_node)
    {
      node_dir = g_dir_make_tmp ("bench-stripe-sync-node-XXXXXX", &error);
      g_assert_no_error (error);
      node_db = g_build_filename (node_dir, "events.db", NULL);
      run_node (peer, bound, node_db, &sides[1]);
      g_print ("node + sqlite: %" G_GINT64_FORMAT " events in %.2f s\n", sides[1].events,
               sides[1].seconds);
      run_node (peer, bound, NULL, &sides[2]);
      g_print ("node pager: %" G_GINT64_FORMAT " events in %.2f s\n", sides[2].events,
               sides[2].seconds);
      n_sides = 3;
      for (guint i = 1; i < n_sides; i++)
        if (sides[i].events != sides[0].events)
          g_error ("%s walked %" G_GINT64_FORMAT " events, ours %" G_GINT64_FORMAT,
                   sides[i].name, sides[i].events, sides[0].events);
    }

  g_string_append_printf (out, "\n%" G_GINT64_FORMAT " events (%d payments over %d days), "
                          "pages of 100, the same peer, one side after the other:\n\n",
                          listed, seed, days);
  g_string_append (out, "| side | events | s | CPU s | events/s | RSS before, MB | peak RSS (VmHWM), MB "
                        "| growth, MB | on disk, MB | ours × | stores |\n"
                        "|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_sides; i++)
    print_side (out, &sides[i], &sides[0]);
  fputs (out->str, stdout);
  fputc ('\n', stdout);

  for (guint i = 0; i < G_N_ELEMENTS (sides); i++)
    g_free (sides[i].detail);
  pa_test_remove_tree (ours_dir, NULL);
  if (node_dir != NULL)
    pa_test_remove_tree (node_dir, NULL);
  return 0;
}
