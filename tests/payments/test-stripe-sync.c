/* test-stripe-sync.c — PaStripeSync against the scripted Stripe account, on SQLite on disk
 *
 * The sync is proved on the account peer (tests/peers/stripe-account-
 * peer.mjs): the first sync backfills only its window, later ones ask for
 * what is new and nothing else, new payments arrive in order and are
 * announced once, a sync killed with SIGKILL (a real process: stripe-sync-
 * child) or cancelled resumes from its cursor and ends with the same copy
 * as a clean sync, an unreachable or hostile server leaves the copy as it
 * was with the error recorded, and webhook events land once whichever path
 * brings them first.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "pa-error.h"
#include "pa-http.h"
#include "pa-store-stripe.h"
#include "pa-stripe-sync.h"
#include "pa-test-http-peer.h"
#include "pa-test-peer-private.h"
#include "pa-test-stripe-account.h"

#define PROFILE "default"

/* Several pages of events, small enough to sync often. */
#define SEED 700
/* Enough pages (about 90) that a kill lands mid-walk. */
#define BIG_SEED 5000

/* ---- a store on disk --------------------------------------------------- */

typedef struct {
  char    *dir;
  PaStore *store;
} Disk;

static void
disk_open (Disk *disk)
{
  g_autoptr(GError) error = NULL;

  if (disk->dir == NULL)
    {
      disk->dir = g_dir_make_tmp ("test-stripe-sync-XXXXXX", &error);
      g_assert_no_error (error);
    }
  disk->store = pa_store_open (disk->dir, &error);
  g_assert_no_error (error);
  g_assert_nonnull (disk->store);
}

static void
disk_close (Disk *disk)
{
  g_clear_object (&disk->store);
}

static void
disk_remove (Disk *disk)
{
  g_autoptr(GError) error = NULL;

  disk_close (disk);
  if (disk->dir != NULL)
    {
      pa_test_remove_tree (disk->dir, &error);
      g_assert_no_error (error);
    }
  g_clear_pointer (&disk->dir, g_free);
}

/* ---- running a sync ---------------------------------------------------- */

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
  g_assert_true ((r->n_new >= 0) == (r->error == NULL));
  r->done = TRUE;
}

static void
wait_for (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

/* One sync to its end: the number of new events, or -1 with @error. */
static gint64
sync_run (PaStripeSync  *sync,
          GCancellable  *cancellable,
          GError       **error)
{
  Result r = { FALSE, 0, NULL };

  pa_stripe_sync_run_async (sync, cancellable, synced_cb, &r);
  g_assert_true (pa_stripe_sync_get_running (sync));
  wait_for (&r.done);
  g_assert_false (pa_stripe_sync_get_running (sync));
  if (r.error != NULL)
    g_propagate_error (error, r.error);
  return r.n_new;
}

/* What the sync said, by signal. */
typedef struct {
  GPtrArray *added;      /* ids of ::event-added, in order */
  GArray    *created;    /* their created, in order */
  guint      changed;
  guint      notify_running;
} Heard;

static void
event_added_cb (PaStripeSync *sync,
                const char   *id,
                const char   *type,
                JsonObject   *event,
                Heard        *heard)
{
  gint64 created = json_object_get_int_member (event, "created");

  g_assert_cmpstr (json_object_get_string_member (event, "id"), ==, id);
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, type);
  g_ptr_array_add (heard->added, g_strdup (id));
  g_array_append_val (heard->created, created);
}

static void
changed_cb (PaStripeSync *sync,
            Heard        *heard)
{
  heard->changed++;
}

static void
running_cb (PaStripeSync *sync,
            GParamSpec   *pspec,
            Heard        *heard)
{
  heard->notify_running++;
}

static void
heard_listen (Heard        *heard,
              PaStripeSync *sync)
{
  heard->added = g_ptr_array_new_with_free_func (g_free);
  heard->created = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (sync, "event-added", G_CALLBACK (event_added_cb), heard);
  g_signal_connect (sync, "changed", G_CALLBACK (changed_cb), heard);
  g_signal_connect (sync, "notify::running", G_CALLBACK (running_cb), heard);
}

static void
heard_reset (Heard *heard)
{
  g_ptr_array_set_size (heard->added, 0);
  g_array_set_size (heard->created, 0);
  heard->changed = 0;
  heard->notify_running = 0;
}

static void
heard_clear (Heard *heard)
{
  g_clear_pointer (&heard->added, g_ptr_array_unref);
  g_clear_pointer (&heard->created, g_array_unref);
}

/* ---- the peer ---------------------------------------------------------- */

static PaTestPeer *
peer_start (guint               seed,
            const char * const *extra_args)
{
  g_autoptr(GError) error = NULL;
  PaTestPeer *peer = pa_test_stripe_account_start (seed, extra_args, &error);

  if (!pa_test_require_no_error (error))
    return NULL;
  g_assert_nonnull (peer);
  g_test_message ("account peer (seed %u) on %s, log %s", seed, pa_test_peer_get_url (peer),
                  pa_test_peer_get_log_path (peer));
  return peer;
}

static JsonNode *
control (PaTestPeer *peer,
         const char *method,
         const char *path,
         const char *body)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = pa_test_stripe_account_control (peer, method, path, body, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

/* How many events GET /v1/events lists now. */
static gint64
peer_events_listed (PaTestPeer *peer)
{
  g_autoptr(JsonNode) effects = control (peer, "GET", "/__peer/effects", NULL);

  return json_object_get_int_member (json_node_get_object (effects), "events");
}

/* The Stripe requests the peer received, from @from on. */
static JsonArray *
peer_requests (PaTestPeer *peer,
               guint       from)
{
  g_autoptr(JsonNode) node = control (peer, "GET", "/__peer/requests", NULL);
  JsonArray *all = json_node_get_array (node);
  JsonArray *tail = json_array_new ();

  for (guint i = from; i < json_array_get_length (all); i++)
    json_array_add_element (tail, json_node_copy (json_array_get_element (all, i)));
  return tail;
}

/* A query parameter of request @index of @requests, as the peer decoded
 * it ("created[gt]" is created → gt), or NULL. */
static const char *
request_query (JsonArray  *requests,
               guint       index,
               const char *name,
               const char *sub)
{
  JsonObject *query = json_object_get_object_member (json_array_get_object_element (requests,
                                                                                    index),
                                                     "query");
  JsonNode *member = json_object_get_member (query, name);

  if (member != NULL && sub != NULL)
    member = JSON_NODE_HOLDS_OBJECT (member)
             ? json_object_get_member (json_node_get_object (member), sub) : NULL;
  if (member == NULL)
    return NULL;
  g_assert_true (JSON_NODE_HOLDS_VALUE (member));
  return json_node_get_string (member);
}

static guint
peer_n_requests (PaTestPeer *peer)
{
  g_autoptr(JsonNode) node = control (peer, "GET", "/__peer/requests", NULL);

  return json_array_get_length (json_node_get_array (node));
}

/* ---- an account synced into a store -------------------------------------- */

/* The peer seeded with @seed, a client for it, a store on disk and a
 * sync between them whose signals are heard. */
typedef struct {
  PaTestPeer   *peer;
  PaStripe     *client;
  Disk          disk;
  PaStripeSync *sync;
  Heard         heard;
} Account;

/* FALSE when the peer cannot start (the test has then been failed or
 * skipped, see pa-test-require.h): the caller just returns. */
static gboolean
account_start (Account *a,
               guint    seed)
{
  memset (a, 0, sizeof *a);
  a->peer = peer_start (seed, NULL);
  if (a->peer == NULL)
    return FALSE;
  a->client = pa_test_stripe_account_client (a->peer, PROFILE);
  disk_open (&a->disk);
  a->sync = pa_stripe_sync_new (a->disk.store, a->client, PROFILE);
  heard_listen (&a->heard, a->sync);
  return TRUE;
}

static void
account_stop (Account *a)
{
  heard_clear (&a->heard);
  g_clear_object (&a->sync);
  disk_remove (&a->disk);
  g_clear_object (&a->client);
  g_clear_pointer (&a->peer, pa_test_peer_stop);
}

/* ---- the client, outside the sync --------------------------------------- */

typedef struct {
  gboolean  done;
  JsonNode *node;
  GError   *error;
} Fetched;

static void
fetched_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fetched *f = user_data;

  f->node = pa_stripe_object_finish (PA_STRIPE (source), result, &f->error);
  f->done = TRUE;
}

/* Every event GET /v1/events lists created after @created_after, walked
 * by the client's own pager: what the sync should have stored. */
static JsonArray *
events_after (PaStripe *client,
              gint64    created_after)
{
  Fetched f = { FALSE, NULL, NULL };
  JsonArray *array;

  pa_stripe_list_events_since_async (client, NULL, created_after, 0, NULL, fetched_cb, &f);
  wait_for (&f.done);
  g_assert_no_error (f.error);
  array = json_array_ref (json_node_get_array (f.node));
  json_node_unref (f.node);
  return array;
}

static JsonObject *
fetch_balance (PaStripe *client)
{
  Fetched f = { FALSE, NULL, NULL };
  JsonObject *object;

  pa_stripe_get_balance_async (client, NULL, fetched_cb, &f);
  wait_for (&f.done);
  g_assert_no_error (f.error);
  object = json_object_ref (json_node_get_object (f.node));
  json_node_unref (f.node);
  return object;
}

/* ---- what the store holds ---------------------------------------------- */

static PaStripeSyncState *
sync_state (PaStore *store)
{
  g_autoptr(GError) error = NULL;
  PaStripeSyncState *state = pa_store_stripe_get_sync_state (store, PROFILE, &error);

  g_assert_no_error (error);
  g_assert_nonnull (state);
  return state;
}

static gint64
count_events (PaStore *store)
{
  g_autoptr(GError) error = NULL;
  gint64 n = pa_store_stripe_count_events (store, PROFILE, &error);

  g_assert_no_error (error);
  return n;
}

/* Everything the page reads, as text, so two stores can be compared:
 * the number of events, every payment with every field, every object of
 * every kind, the balance (without when it was fetched) and the cursor. */
static char *
snapshot (PaStore *store)
{
  const char *kinds[] = { "payment_link", "product", "price", "customer", "subscription",
                          "refund", "dispute" };
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) payments = NULL;
  g_autoptr(GPtrArray) balance = NULL;
  g_autoptr(PaStripeSyncState) state = sync_state (store);
  guint n_payments;

  g_string_append_printf (out, "events %" G_GINT64_FORMAT "\ncursor %s backfilled %d\n",
                          count_events (store), state->cursor, state->backfilled);

  n_payments = pa_store_stripe_count_payments (store, PROFILE, NULL, &error);
  g_assert_no_error (error);
  payments = pa_store_stripe_list_payments (store, PROFILE, NULL, 0, n_payments, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (payments->len, ==, n_payments);
  for (guint i = 0; i < payments->len; i++)
    {
      PaStripePaymentRecord *p = g_ptr_array_index (payments, i);

      g_string_append_printf (out, "payment %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT
                              " %" G_GINT64_FORMAT " %s %s %d %s %s %s %s %s %s %s %s %d\n",
                              p->id, p->created, p->amount, p->amount_refunded, p->currency,
                              p->status, p->disputed, p->payment_intent, p->customer, p->email,
                              p->name, p->description, p->method, p->card_brand, p->card_last4,
                              p->livemode);
    }

  for (gsize k = 0; k < G_N_ELEMENTS (kinds); k++)
    {
      g_autoptr(GPtrArray) objects = pa_store_stripe_list_objects (store, PROFILE, kinds[k],
                                                                   NULL, 0, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < objects->len; i++)
        {
          PaStripeObjectRecord *o = g_ptr_array_index (objects, i);

          g_string_append_printf (out, "%s %s %" G_GINT64_FORMAT " %s %s\n", o->object, o->id,
                                  o->created, o->parent, o->data_json);
        }
    }

  balance = pa_store_stripe_get_balance (store, PROFILE, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < balance->len; i++)
    {
      PaStripeBalanceRecord *b = g_ptr_array_index (balance, i);

      g_string_append_printf (out, "balance %s %" G_GINT64_FORMAT " %" G_GINT64_FORMAT "\n",
                              b->currency, b->available, b->pending);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* Says where two snapshots part, rather than printing both whole. */
static void
assert_same_snapshot (const char *got,
                      const char *expected)
{
  g_auto(GStrv) a = g_strsplit (got, "\n", -1);
  g_auto(GStrv) b = g_strsplit (expected, "\n", -1);

  for (guint i = 0; a[i] != NULL || b[i] != NULL; i++)
    if (a[i] == NULL || b[i] == NULL || strcmp (a[i], b[i]) != 0)
      g_error ("the copies differ at line %u:\n  got      %.300s\n  expected %.300s", i + 1,
               a[i] != NULL ? a[i] : "(end)", b[i] != NULL ? b[i] : "(end)");
}

/* A clean sync of @peer into a fresh store: the copy a resumed one must
 * equal. */
static char *
clean_snapshot (PaTestPeer *peer)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStripe) client = pa_test_stripe_account_client (peer, PROFILE);
  g_autoptr(PaStripeSync) sync = NULL;
  Disk disk = { NULL, NULL };
  char *text;

  disk_open (&disk);
  sync = pa_stripe_sync_new (disk.store, client, PROFILE);
  g_assert_cmpint (sync_run (sync, NULL, &error), >, 0);
  g_assert_no_error (error);
  text = snapshot (disk.store);
  g_clear_object (&sync);
  disk_remove (&disk);
  return text;
}

/* ---- the first sync and the next ones ----------------------------------- */

/* The first sync stores exactly the events of its window, announces none
 * of them, and stores the balance Stripe answers. */
static void
test_sync_backfill_window (void)
{
  Account a;
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autoptr(JsonArray) expected = NULL;
  g_autoptr(JsonArray) requests = NULL;
  g_autoptr(JsonObject) balance = NULL;
  g_autoptr(GPtrArray) stored_balance = NULL;
  g_autoptr(GError) error = NULL;
  gint64 listed;
  gint64 n_new;
  gint64 before;

  if (!account_start (&a, SEED))
    return;
  g_assert_cmpint (pa_stripe_sync_get_last_synced (a.sync), ==, 0);

  /* Ten days of the thirty Stripe lists. */
  pa_stripe_sync_set_backfill_days (a.sync, 10);
  before = g_get_real_time () / 1000;
  n_new = sync_run (a.sync, NULL, &error);
  g_assert_no_error (error);
  requests = peer_requests (a.peer, 0);

  state = sync_state (a.disk.store);
  expected = events_after (a.client, state->backfill_after);
  listed = peer_events_listed (a.peer);
  g_test_message ("first sync: %" G_GINT64_FORMAT " new events; %u in the 10-day window "
                  "(after %" G_GINT64_FORMAT "), %" G_GINT64_FORMAT " listed by the peer; "
                  "%u ::changed, %u ::event-added", n_new, json_array_get_length (expected),
                  state->backfill_after, listed, a.heard.changed, a.heard.added->len);
  g_assert_cmpint (state->backfill_after, >=, before / 1000 - 10 * 24 * 3600 - 1);
  g_assert_cmpint (state->backfill_after, <=, g_get_real_time () / G_USEC_PER_SEC - 10 * 24 * 3600);
  g_assert_cmpint (n_new, ==, json_array_get_length (expected));
  g_assert_cmpint (count_events (a.disk.store), ==, json_array_get_length (expected));
  /* The window really left events out. */
  g_assert_cmpint (count_events (a.disk.store), <, listed);
  g_assert_cmpuint (json_array_get_length (expected), >, 300);

  /* Done: the cursor is the newest event, the backfill's own first one. */
  g_assert_true (state->backfilled);
  g_assert_cmpstr (state->cursor, ==,
                   json_object_get_string_member (json_array_get_object_element (
                     expected, json_array_get_length (expected) - 1), "id"));
  g_assert_cmpstr (state->cursor, ==, state->backfill_top);
  g_assert_null (state->last_error);
  g_assert_cmpint (state->last_synced_at, >=, before);
  g_assert_cmpint (pa_stripe_sync_get_last_synced (a.sync), ==, state->last_synced_at);
  g_assert_null (pa_stripe_sync_get_last_error (a.sync));

  /* No notifications for a month of history; a change a page. */
  g_assert_cmpuint (a.heard.added->len, ==, 0);
  g_assert_cmpuint (a.heard.changed, >=, 1 + json_array_get_length (expected) / 100);
  g_assert_cmpuint (a.heard.notify_running, ==, 2);

  /* One walk: the balance, the pages back, one forward from the cursor. */
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (requests, 0),
                                                  "path"), ==, "/v1/balance");
  g_assert_cmpuint (json_array_get_length (requests), ==,
                    1 + (json_array_get_length (expected) + 99) / 100 + 1);
  {
    g_autofree char *bound = g_strdup_printf ("%" G_GINT64_FORMAT, state->backfill_after);
    guint last = json_array_get_length (requests) - 1;

    g_assert_cmpstr (request_query (requests, 1, "created", "gt"), ==, bound);
    g_assert_null (request_query (requests, 1, "starting_after", NULL));
    g_assert_null (request_query (requests, 1, "ending_before", NULL));
    for (guint i = 1; i <= last; i++)
      g_assert_cmpstr (request_query (requests, i, "limit", NULL), ==, "100");
    for (guint i = 2; i < last; i++)
      {
        g_assert_cmpstr (request_query (requests, i, "created", "gt"), ==, bound);
        g_assert_true (g_str_has_prefix (request_query (requests, i, "starting_after", NULL),
                                         "evt_"));
      }
    g_assert_cmpstr (request_query (requests, last, "ending_before", NULL), ==, state->cursor);
    g_assert_null (request_query (requests, last, "created", NULL));
  }

  /* The balance, per currency, as Stripe answered it. */
  balance = fetch_balance (a.client);
  stored_balance = pa_store_stripe_get_balance (a.disk.store, PROFILE, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored_balance->len, ==,
                    json_array_get_length (json_object_get_array_member (balance, "available")));
  for (guint i = 0; i < stored_balance->len; i++)
    {
      PaStripeBalanceRecord *b = g_ptr_array_index (stored_balance, i);
      JsonArray *available = json_object_get_array_member (balance, "available");
      JsonArray *pending = json_object_get_array_member (balance, "pending");
      gboolean found = FALSE;

      for (guint j = 0; j < json_array_get_length (available); j++)
        {
          JsonObject *av = json_array_get_object_element (available, j);
          JsonObject *pe = json_array_get_object_element (pending, j);

          if (g_strcmp0 (json_object_get_string_member (av, "currency"), b->currency) != 0)
            continue;
          g_assert_cmpstr (json_object_get_string_member (pe, "currency"), ==, b->currency);
          g_assert_cmpint (b->available, ==, json_object_get_int_member (av, "amount"));
          g_assert_cmpint (b->pending, ==, json_object_get_int_member (pe, "amount"));
          found = TRUE;
        }
      g_assert_true (found);
      g_test_message ("balance %s: available %" G_GINT64_FORMAT ", pending %" G_GINT64_FORMAT,
                      b->currency, b->available, b->pending);
    }

  account_stop (&a);
}

/* After the first sync, a sync asks for the balance and one page after
 * the cursor; new payments arrive oldest first, each announced once,
 * after they are stored. */
static void
test_sync_incremental (void)
{
  Account a;
  g_autoptr(GError) error = NULL;
  gint64 n_first;
  guint n_requests;

  if (!account_start (&a, SEED))
    return;

  n_first = sync_run (a.sync, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_first, ==, peer_events_listed (a.peer));
  g_assert_cmpuint (a.heard.added->len, ==, 0);
  g_test_message ("first sync: %" G_GINT64_FORMAT " events (all the peer lists)", n_first);

  /* Nothing new: two requests, the second from the cursor. */
  {
    g_autoptr(PaStripeSyncState) state = sync_state (a.disk.store);
    g_autoptr(JsonArray) requests = NULL;

    n_requests = peer_n_requests (a.peer);
    heard_reset (&a.heard);
    g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 0);
    g_assert_no_error (error);
    requests = peer_requests (a.peer, n_requests);
    g_test_message ("second sync: %u requests", json_array_get_length (requests));
    g_assert_cmpuint (json_array_get_length (requests), ==, 2);
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (requests, 0),
                                                    "path"), ==, "/v1/balance");
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (requests, 1),
                                                    "path"), ==, "/v1/events");
    g_assert_cmpstr (request_query (requests, 1, "ending_before", NULL), ==, state->cursor);
    g_assert_null (request_query (requests, 1, "starting_after", NULL));
    g_assert_cmpuint (a.heard.added->len, ==, 0);
    g_assert_cmpint (count_events (a.disk.store), ==, n_first);
  }

  /* New payments: 150 of them (more than a page), then a failed one. */
  {
    g_autoptr(JsonNode) made = control (a.peer, "POST", "/__peer/payments",
                                        "{\"count\": 150, \"amount\": 1999, \"currency\": \"eur\","
                                        " \"status\": \"succeeded\"}");
    g_autoptr(JsonNode) failed = control (a.peer, "POST", "/__peer/payments",
                                          "{\"count\": 1, \"amount\": 500, \"currency\": \"jpy\","
                                          " \"status\": \"failed\","
                                          " \"customer_email\": \"new@example.com\"}");
    g_autoptr(GPtrArray) expected = g_ptr_array_new ();
    g_autoptr(JsonArray) requests = NULL;
    g_autoptr(PaStripePaymentRecord) payment = NULL;
    JsonArray *made_events = json_object_get_array_member (json_node_get_object (made), "events");
    JsonArray *failed_events = json_object_get_array_member (json_node_get_object (failed),
                                                             "events");
    const char *charge;
    gint64 n_new;

    for (guint i = 0; i < json_array_get_length (made_events); i++)
      g_ptr_array_add (expected, (gpointer) json_array_get_string_element (made_events, i));
    for (guint i = 0; i < json_array_get_length (failed_events); i++)
      g_ptr_array_add (expected, (gpointer) json_array_get_string_element (failed_events, i));

    n_requests = peer_n_requests (a.peer);
    heard_reset (&a.heard);
    n_new = sync_run (a.sync, NULL, &error);
    g_assert_no_error (error);
    requests = peer_requests (a.peer, n_requests);
    g_test_message ("after %u new events: %" G_GINT64_FORMAT " new, %u ::event-added, "
                    "%u requests, %u ::changed", expected->len, n_new, a.heard.added->len,
                    json_array_get_length (requests), a.heard.changed);
    g_assert_cmpuint (expected->len, ==, 150 * 2 + 3);
    g_assert_cmpint (n_new, ==, expected->len);
    g_assert_cmpint (count_events (a.disk.store), ==, n_first + expected->len);
    /* The balance, then forward pages of 100 until has_more is false. */
    g_assert_cmpuint (json_array_get_length (requests), ==, 1 + (expected->len + 99) / 100);

    /* Each announced once, in the order Stripe made them. */
    g_assert_cmpuint (a.heard.added->len, ==, expected->len);
    for (guint i = 0; i < expected->len; i++)
      {
        g_assert_cmpstr (g_ptr_array_index (a.heard.added, i), ==, g_ptr_array_index (expected, i));
        if (i > 0)
          g_assert_cmpint (g_array_index (a.heard.created, gint64, i), >=,
                           g_array_index (a.heard.created, gint64, i - 1));
      }

    /* And projected: the failed payment is a payment of its own. */
    charge = json_array_get_string_element (json_object_get_array_member (
                                              json_node_get_object (failed), "charges"), 0);
    payment = pa_store_stripe_get_payment (a.disk.store, PROFILE, charge, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (payment->status, ==, "failed");
    g_assert_cmpint (payment->amount, ==, 500);
    g_assert_cmpstr (payment->currency, ==, "jpy");
  }

  /* Nothing new again: nothing announced twice. */
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (a.heard.added->len, ==, 0);

  /* The copy equals a clean sync's of the same account. */
  {
    g_autofree char *ours = snapshot (a.disk.store);
    g_autofree char *clean = clean_snapshot (a.peer);

    assert_same_snapshot (ours, clean);
  }

  account_stop (&a);
}

/* A window with no event leaves no cursor: the next sync collects what
 * came since, back to the window's start, stores it oldest first and
 * announces it, then walks forward from there as usual. */
static void
test_sync_empty_window (void)
{
  Account a;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) made = NULL;
  JsonArray *made_events;

  if (!account_start (&a, SEED))
    return;

  /* A window of no time at all: nothing in it. */
  pa_stripe_sync_set_backfill_days (a.sync, 0);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 0);
  g_assert_no_error (error);
  {
    g_autoptr(PaStripeSyncState) state = sync_state (a.disk.store);

    g_assert_true (state->backfilled);
    g_assert_null (state->cursor);
    g_assert_cmpint (count_events (a.disk.store), ==, 0);
  }

  /* Nothing new: still nothing, and no walk without end. */
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 0);
  g_assert_no_error (error);

  /* Made later than the window's start, which is exclusive, by the
   * peer's clock (whole seconds, up to one behind ours). */
  g_usleep (2100 * 1000);
  made = control (a.peer, "POST", "/__peer/payments",
                  "{\"count\": 60, \"amount\": 700, \"currency\": \"kwd\"}");
  made_events = json_object_get_array_member (json_node_get_object (made), "events");
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, json_array_get_length (made_events));
  g_assert_no_error (error);
  g_test_message ("after an empty window: %u new events collected and announced",
                  a.heard.added->len);
  g_assert_cmpuint (a.heard.added->len, ==, json_array_get_length (made_events));
  for (guint i = 0; i < a.heard.added->len; i++)
    g_assert_cmpstr (g_ptr_array_index (a.heard.added, i), ==,
                     json_array_get_string_element (made_events, i));
  {
    g_autoptr(PaStripeSyncState) state = sync_state (a.disk.store);

    g_assert_cmpstr (state->cursor, ==,
                     json_array_get_string_element (made_events,
                                                    json_array_get_length (made_events) - 1));
  }

  /* From then on, forward from the cursor. */
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 0);
  g_assert_no_error (error);
  g_assert_cmpuint (a.heard.added->len, ==, 0);

  account_stop (&a);
}

/* The cursor's event gone (Stripe keeps 30 days; the app was away
 * longer): Stripe answers 404 for it, and the sync walks again from the
 * newest event like a first sync, storing nothing twice and announcing
 * nothing of the gap, then goes on as usual. */
static void
test_sync_cursor_gone (void)
{
  Account a;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) made = NULL;
  gint64 stored;
  guint n_requests;

  if (!account_start (&a, SEED))
    return;
  g_assert_cmpint (sync_run (a.sync, NULL, &error), >, 0);
  g_assert_no_error (error);
  stored = count_events (a.disk.store);

  {
    g_autoptr(PaStripeSyncState) state = sync_state (a.disk.store);

    g_free (state->cursor);
    state->cursor = g_strdup ("evt_GoneLongAgo");
    pa_store_stripe_set_sync_state (a.disk.store, PROFILE, state, &error);
    g_assert_no_error (error);
  }

  made = control (a.peer, "POST", "/__peer/payments", "{\"count\": 2, \"amount\": 300}");
  n_requests = peer_n_requests (a.peer);
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 4);
  g_assert_no_error (error);
  g_test_message ("cursor gone: walked again, %u ::event-added, %" G_GINT64_FORMAT " events",
                  a.heard.added->len, count_events (a.disk.store));
  g_assert_cmpuint (a.heard.added->len, ==, 0);
  g_assert_cmpint (count_events (a.disk.store), ==, stored + 4);
  g_assert_null (pa_stripe_sync_get_last_error (a.sync));
  {
    g_autoptr(PaStripeSyncState) state = sync_state (a.disk.store);
    g_autoptr(JsonArray) requests = peer_requests (a.peer, n_requests);
    JsonArray *made_events = json_object_get_array_member (json_node_get_object (made), "events");

    g_assert_true (state->backfilled);
    g_assert_cmpstr (state->cursor, ==, json_array_get_string_element (made_events, 3));
    g_assert_cmpstr (request_query (requests, 1, "ending_before", NULL), ==, "evt_GoneLongAgo");
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (requests, 1),
                                                 "status"), ==, 404);
  }

  /* Then on as usual. */
  g_clear_pointer (&made, json_node_unref);
  made = control (a.peer, "POST", "/__peer/payments", "{\"count\": 1, \"amount\": 300}");
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 2);
  g_assert_no_error (error);
  g_assert_cmpuint (a.heard.added->len, ==, 2);

  account_stop (&a);
}

/* A second call while a sync runs joins it: one walk, both callers get
 * its result. A joined caller that gives up stops waiting alone. */
static void
test_sync_joins (void)
{
  Account a;
  g_autoptr(GCancellable) impatient = g_cancellable_new ();
  Result first = { FALSE, 0, NULL };
  Result second = { FALSE, 0, NULL };
  Result third = { FALSE, 0, NULL };

  if (!account_start (&a, SEED))
    return;

  pa_stripe_sync_run_async (a.sync, NULL, synced_cb, &first);
  pa_stripe_sync_run_async (a.sync, NULL, synced_cb, &second);
  pa_stripe_sync_run_async (a.sync, impatient, synced_cb, &third);
  g_cancellable_cancel (impatient);
  wait_for (&third.done);
  g_assert_error (third.error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_true (pa_stripe_sync_get_running (a.sync));
  wait_for (&first.done);
  wait_for (&second.done);
  g_assert_no_error (first.error);
  g_assert_no_error (second.error);
  g_test_message ("joined: %" G_GINT64_FORMAT " and %" G_GINT64_FORMAT " new",
                  first.n_new, second.n_new);
  g_assert_cmpint (first.n_new, ==, peer_events_listed (a.peer));
  g_assert_cmpint (second.n_new, ==, first.n_new);
  g_assert_cmpint (count_events (a.disk.store), ==, first.n_new);

  /* One balance request: one walk. */
  {
    g_autoptr(JsonArray) requests = peer_requests (a.peer, 0);
    guint n_balance = 0;

    for (guint i = 0; i < json_array_get_length (requests); i++)
      if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (requests, i),
                                                    "path"), "/v1/balance") == 0)
        n_balance++;
    g_assert_cmpuint (n_balance, ==, 1);
  }

  g_clear_error (&third.error);
  account_stop (&a);
}

/* ---- interruptions ------------------------------------------------------ */

static char *
child_path (void)
{
  const char *root = g_getenv ("PLAYALTER_BUILD_ROOT");

  g_assert_nonnull (root);
  return g_build_filename (root, "tests", "payments", "stripe-sync-child", NULL);
}

/* Starts the child syncing into @dir and kills it with SIGKILL once it
 * has reported @kill_after changes (the balance is the first). Returns
 * FALSE when the child finished before that. */
static gboolean
kill_child_after (const char *dir,
                  const char *url,
                  guint       kill_after)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = child_path ();
  g_autoptr(GSubprocess) child = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  guint seen = 0;

  child = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error, path, dir, url, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (child));
  for (;;)
    {
      g_autofree char *line = g_data_input_stream_read_line (lines, NULL, NULL, &error);

      g_assert_no_error (error);
      if (line == NULL || !g_str_has_prefix (line, "changed "))
        {
          g_test_message ("the child ended before it was killed: %s", line);
          g_assert_true (line == NULL || g_str_has_prefix (line, "done "));
          g_subprocess_wait (child, NULL, NULL);
          return FALSE;
        }
      if (++seen == kill_after)
        break;
    }

  g_subprocess_force_exit (child);   /* SIGKILL */
  g_subprocess_wait (child, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (child));
  g_assert_cmpint (g_subprocess_get_term_sig (child), ==, SIGKILL);
  return TRUE;
}

/* A sync killed with SIGKILL mid-walk, twice, then resumed by a new store
 * on the same files: every event once, the same copy as a clean sync. */
static void
test_sync_kill_resume (void)
{
  g_autoptr(PaTestPeer) peer = peer_start (BIG_SEED, NULL);
  g_autoptr(PaStripe) client = NULL;
  g_autoptr(PaStripeSync) sync = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *resumed = NULL;
  Disk disk = { NULL, NULL };
  const guint kills[] = { 4, 9 };
  gint64 listed;
  gint64 stored = 0;
  gint64 n_new;

  if (peer == NULL)
    return;
  url = pa_test_stripe_account_url (peer);
  listed = peer_events_listed (peer);
  disk_open (&disk);
  disk_close (&disk);

  for (gsize i = 0; i < G_N_ELEMENTS (kills); i++)
    {
      g_autoptr(PaStripeSyncState) state = NULL;

      g_assert_true (kill_child_after (disk.dir, url, kills[i]));
      disk_open (&disk);
      state = sync_state (disk.store);
      g_test_message ("killed after %u changes: %" G_GINT64_FORMAT " of %" G_GINT64_FORMAT
                      " events stored, backfill at %s", kills[i], count_events (disk.store),
                      listed, state->backfill_next);
      g_assert_false (state->backfilled);
      g_assert_nonnull (state->backfill_top);
      g_assert_nonnull (state->backfill_next);
      g_assert_cmpint (count_events (disk.store), >, stored);
      g_assert_cmpint (count_events (disk.store), <, listed);
      /* Whole pages only: the page cut by the kill is absent, not half there. */
      g_assert_cmpint (count_events (disk.store) % 100, ==, 0);
      stored = count_events (disk.store);
      disk_close (&disk);
    }

  disk_open (&disk);
  client = pa_test_stripe_account_client (peer, PROFILE);
  sync = pa_stripe_sync_new (disk.store, client, PROFILE);
  n_new = sync_run (sync, NULL, &error);
  g_assert_no_error (error);
  g_test_message ("resumed: %" G_GINT64_FORMAT " new, %" G_GINT64_FORMAT " stored, "
                  "%" G_GINT64_FORMAT " listed", n_new, count_events (disk.store), listed);
  g_assert_cmpint (n_new, ==, listed - stored);
  g_assert_cmpint (count_events (disk.store), ==, listed);

  resumed = snapshot (disk.store);
  clean = clean_snapshot (peer);
  assert_same_snapshot (resumed, clean);
  g_test_message ("the resumed copy equals a clean sync's (%" G_GSIZE_FORMAT " bytes of it)",
                  strlen (clean));

  g_clear_object (&sync);
  disk_remove (&disk);
}

static void
cancel_on_changed_cb (PaStripeSync *sync,
                      GCancellable *cancellable)
{
  static guint n;

  if (++n == 3)
    g_cancellable_cancel (cancellable);
}

/* Cancelled mid-walk: PA_ERROR_CANCELLED, no error recorded, what was
 * stored kept; the next sync goes on from there. */
static void
test_sync_cancel (void)
{
  Account a;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *clean = NULL;
  g_autofree char *resumed = NULL;
  gulong handler;
  gint64 stored;
  gint64 n_new;

  if (!account_start (&a, SEED))
    return;

  handler = g_signal_connect (a.sync, "changed", G_CALLBACK (cancel_on_changed_cb), cancellable);
  g_assert_cmpint (sync_run (a.sync, cancellable, &error), ==, -1);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);
  g_signal_handler_disconnect (a.sync, handler);

  state = sync_state (a.disk.store);
  stored = count_events (a.disk.store);
  g_test_message ("cancelled after %" G_GINT64_FORMAT " events", stored);
  g_assert_false (state->backfilled);
  g_assert_cmpint (stored, ==, 200);
  g_assert_null (state->last_error);
  g_assert_null (pa_stripe_sync_get_last_error (a.sync));
  g_assert_cmpint (pa_stripe_sync_get_last_synced (a.sync), ==, 0);

  n_new = sync_run (a.sync, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (n_new, ==, peer_events_listed (a.peer) - stored);
  resumed = snapshot (a.disk.store);
  clean = clean_snapshot (a.peer);
  assert_same_snapshot (resumed, clean);

  account_stop (&a);
}

/* The peer gone: the sync fails with the client's error, records it
 * (a new PaStripeSync on the store reads it back), and the copy, its
 * balance and its age stay as they were. */
static void
test_sync_offline (void)
{
  Account a;
  g_autoptr(PaStripeSync) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  gint64 last_synced;

  if (!account_start (&a, SEED))
    return;
  g_assert_cmpint (sync_run (a.sync, NULL, &error), >, 0);
  g_assert_no_error (error);
  last_synced = pa_stripe_sync_get_last_synced (a.sync);
  before = snapshot (a.disk.store);

  g_clear_pointer (&a.peer, pa_test_peer_stop);
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, -1);
  g_test_message ("offline: %s (%s %d)", error->message, g_quark_to_string (error->domain),
                  error->code);
  g_assert_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE);
  g_assert_cmpstr (pa_stripe_sync_get_last_error (a.sync), ==, error->message);
  g_assert_cmpint (pa_stripe_sync_get_last_synced (a.sync), ==, last_synced);
  g_assert_cmpuint (a.heard.changed, ==, 0);
  after = snapshot (a.disk.store);
  assert_same_snapshot (after, before);

  /* Recorded: what the page reads after a restart. */
  again = pa_stripe_sync_new (a.disk.store, a.client, PROFILE);
  g_assert_cmpstr (pa_stripe_sync_get_last_error (again), ==, error->message);
  g_assert_cmpint (pa_stripe_sync_get_last_synced (again), ==, last_synced);

  g_clear_object (&again);
  account_stop (&a);
}

/* ---- hostile answers ---------------------------------------------------- */

/* A server of our own for answers no honest peer gives: /v1/balance is
 * a proper balance, /v1/events answers @events_body. */
typedef struct {
  SoupServer *server;
  char       *url;
  const char *events_body;
  guint       n_events_requests;
} Scripted;

static void
scripted_cb (SoupServer        *server,
             SoupServerMessage *msg,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  Scripted *scripted = user_data;
  const char *body;

  if (strcmp (path, "/v1/balance") == 0)
    body = "{\"object\": \"balance\", \"livemode\": false,"
           " \"available\": [{\"amount\": 100, \"currency\": \"usd\"}],"
           " \"pending\": [{\"amount\": 0, \"currency\": \"usd\"}]}";
  else
    {
      scripted->n_events_requests++;
      body = scripted->events_body;
    }
  soup_server_message_set_status (msg, 200, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

static void
scripted_start (Scripted *scripted)
{
  g_autoptr(GError) error = NULL;
  GSList *uris;

  scripted->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (scripted->server, NULL, scripted_cb, scripted, NULL);
  soup_server_listen_local (scripted->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (scripted->server);
  scripted->url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

#define EVENT(id, created) \
  "{\"id\": \"" id "\", \"object\": \"event\", \"type\": \"customer.created\", \"created\": " \
  #created ", \"data\": {\"object\": {\"id\": \"cus_" id "\", \"object\": \"customer\"," \
  " \"created\": " #created "}}}"
#define LIST(data, more) \
  "{\"object\": \"list\", \"url\": \"/v1/events\", \"data\": [" data "], \"has_more\": " more "}"

/* Each answer would store something wrong or walk for ever: the sync
 * fails with PA_ERROR_PROTOCOL and the store is as it was, at the first
 * sync (nothing) and at a later one (a cursor and some events). */
static void
test_sync_hostile_pages (void)
{
  const struct {
    const char *what;
    const char *body;
  } cases[] = {
    { "not a list", "{\"object\": \"balance\", \"available\": []}" },
    { "data not an array", "{\"object\": \"list\", \"data\": {}, \"has_more\": false}" },
    { "no has_more", "{\"object\": \"list\", \"data\": []}" },
    { "more but empty", LIST ("", "true") },
    { "an event without id", LIST ("{\"object\": \"event\", \"type\": \"x\", \"created\": 1,"
                                   " \"data\": {\"object\": {}}}", "false") },
    { "an event without data.object", LIST ("{\"id\": \"evt_x\", \"object\": \"event\","
                                            " \"type\": \"x\", \"created\": 1, \"data\": {}}",
                                            "false") },
    { "created a string", LIST ("{\"id\": \"evt_x\", \"object\": \"event\", \"type\": \"x\","
                                " \"created\": \"1\", \"data\": {\"object\": {}}}", "false") },
    { "not an event", LIST ("{\"id\": \"ch_x\", \"object\": \"charge\", \"type\": \"x\","
                            " \"created\": 1, \"data\": {\"object\": {}}}", "false") },
    { "oldest first", LIST (EVENT ("evt_a", 1900000001) ", " EVENT ("evt_b", 1900000002),
                            "false") },
    { "older than the window", LIST (EVENT ("evt_old", 1000000000), "false") },
  };
  g_autoptr(GError) error = NULL;
  Scripted scripted = { NULL, NULL, NULL, 0 };
  g_autoptr(PaHttp) http = pa_test_http_new ();
  g_autoptr(PaStripe) client = NULL;

  scripted_start (&scripted);
  client = pa_stripe_new (http, PROFILE, scripted.url);

  for (gsize later = 0; later < 2; later++)
    for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
      {
        g_autoptr(PaStripeSync) sync = NULL;
        g_autoptr(PaStripeSyncState) state = NULL;
        Disk disk = { NULL, NULL };

        disk_open (&disk);
        sync = pa_stripe_sync_new (disk.store, client, PROFILE);
        if (later)
          {
            /* A first sync that went well: two events, backfilled. */
            scripted.events_body = LIST (EVENT ("evt_2", 1900000002) ", "
                                         EVENT ("evt_1", 1900000001), "false");
            g_assert_cmpint (sync_run (sync, NULL, &error), ==, 2);
            g_assert_no_error (error);
          }
        scripted.events_body = cases[i].body;
        g_assert_cmpint (sync_run (sync, NULL, &error), ==, -1);
        g_test_message ("%s, %s: %s", later ? "later sync" : "first sync", cases[i].what,
                        error->message);
        g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
        g_assert_cmpstr (pa_stripe_sync_get_last_error (sync), ==, error->message);
        g_clear_error (&error);

        state = sync_state (disk.store);
        g_assert_cmpint (count_events (disk.store), ==, later ? 2 : 0);
        g_assert_cmpint (state->backfilled, ==, later);
        g_assert_cmpstr (state->cursor, ==, later ? "evt_2" : NULL);
        g_assert_null (state->backfill_next);
        g_assert_nonnull (state->last_error);

        g_clear_object (&sync);
        disk_remove (&disk);
      }

  g_clear_object (&client);
  g_clear_object (&scripted.server);
  g_free (scripted.url);
}

/* What hostile-server.mjs plays, at the sync: a balance that is a list
 * (its well-formed answer), JSON nested past any bound, an HTML page,
 * broken UTF-8, a connection reset mid-body. Each fails; nothing stored. */
static void
test_sync_hostile_server (void)
{
  const char *behaviours[] = { "control", "deep", "html", "badutf8", "reset" };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaTestPeer) hostile = pa_test_node_peer_start ("hostile-server.mjs", NULL, &error);

  if (!pa_test_require_no_error (error))
    return;
  g_assert_nonnull (hostile);

  for (gsize i = 0; i < G_N_ELEMENTS (behaviours); i++)
    {
      g_autofree char *url = g_strdup_printf ("%s/%s/sync", pa_test_peer_get_url (hostile),
                                              behaviours[i]);
      g_autoptr(PaHttp) http = pa_test_http_new ();
      g_autoptr(PaStripe) client = pa_stripe_new (http, PROFILE, url);
      g_autoptr(PaStripeSync) sync = NULL;
      g_autoptr(GPtrArray) balance = NULL;
      Disk disk = { NULL, NULL };

      disk_open (&disk);
      sync = pa_stripe_sync_new (disk.store, client, PROFILE);
      g_assert_cmpint (sync_run (sync, NULL, &error), ==, -1);
      g_assert_nonnull (error);
      g_test_message ("%s: %s (%s %d)", behaviours[i], error->message,
                      g_quark_to_string (error->domain), error->code);
      g_assert_true (error->domain == PA_ERROR);
      g_assert_cmpstr (pa_stripe_sync_get_last_error (sync), ==, error->message);
      g_clear_error (&error);

      balance = pa_store_stripe_get_balance (disk.store, PROFILE, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (balance->len, ==, 0);
      g_assert_cmpint (count_events (disk.store), ==, 0);

      g_clear_object (&sync);
      disk_remove (&disk);
    }
  pa_test_peer_stop (g_steal_pointer (&hostile));
}

/* ---- webhooks and API answers ------------------------------------------- */

static void
assert_ingest_refused (PaStripeSync *sync,
                       const char   *payload,
                       gssize        len)
{
  g_autoptr(GError) error = NULL;
  gboolean is_new = TRUE;

  g_assert_false (pa_stripe_sync_ingest (sync, payload, len < 0 ? strlen (payload) : (gsize) len,
                                         &is_new, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_false (is_new);
}

/* An event a webhook brought is stored and announced once; when the sync
 * meets it later it is neither stored nor announced again. What is not
 * an event is refused and stores nothing. */
static void
test_sync_ingest (void)
{
  Account a;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) made = NULL;
  g_autoptr(JsonArray) newest = NULL;
  g_autofree char *payload = NULL;
  g_autofree char *deep = NULL;
  JsonArray *made_events;
  const char *webhook_id;
  gboolean is_new = FALSE;
  gint64 stored;

  if (!account_start (&a, SEED))
    return;
  g_assert_cmpint (sync_run (a.sync, NULL, &error), >, 0);
  g_assert_no_error (error);
  stored = count_events (a.disk.store);

  /* Three new payments; the webhook brings the newest event first. */
  made = control (a.peer, "POST", "/__peer/payments",
                  "{\"count\": 3, \"amount\": 2500, \"currency\": \"usd\"}");
  made_events = json_object_get_array_member (json_node_get_object (made), "events");
  g_assert_cmpuint (json_array_get_length (made_events), ==, 6);
  newest = events_after (a.client, g_get_real_time () / G_USEC_PER_SEC - 3600);
  webhook_id = json_array_get_string_element (made_events, 5);
  for (guint i = 0; i < json_array_get_length (newest); i++)
    {
      JsonNode *event = json_array_get_element (newest, i);

      if (g_strcmp0 (json_object_get_string_member (json_node_get_object (event), "id"),
                     webhook_id) == 0)
        payload = json_to_string (event, FALSE);
    }
  g_assert_nonnull (payload);

  heard_reset (&a.heard);
  g_assert_true (pa_stripe_sync_ingest (a.sync, payload, strlen (payload), &is_new, &error));
  g_assert_no_error (error);
  g_assert_true (is_new);
  g_assert_cmpuint (a.heard.added->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (a.heard.added, 0), ==, webhook_id);
  g_assert_cmpuint (a.heard.changed, ==, 1);
  g_assert_cmpint (count_events (a.disk.store), ==, stored + 1);

  /* Delivered twice (Stripe retries webhooks): once. */
  g_assert_true (pa_stripe_sync_ingest (a.sync, payload, strlen (payload), &is_new, &error));
  g_assert_no_error (error);
  g_assert_false (is_new);
  g_assert_cmpuint (a.heard.added->len, ==, 1);

  /* The sync then brings the other five, and only those. */
  heard_reset (&a.heard);
  g_assert_cmpint (sync_run (a.sync, NULL, &error), ==, 5);
  g_assert_no_error (error);
  g_assert_cmpuint (a.heard.added->len, ==, 5);
  for (guint i = 0; i < 5; i++)
    g_assert_cmpstr (g_ptr_array_index (a.heard.added, i), ==,
                     json_array_get_string_element (made_events, i));
  g_assert_cmpint (count_events (a.disk.store), ==, stored + 6);
  g_test_message ("webhook first, then the sync: 1 + 5 events stored and announced once each");

  /* Not events: refused, nothing stored, nothing said. */
  heard_reset (&a.heard);
  assert_ingest_refused (a.sync, "", 0);
  assert_ingest_refused (a.sync, "not json", -1);
  assert_ingest_refused (a.sync, "[]", -1);
  assert_ingest_refused (a.sync, "{\"id\": \"evt_1\", \"object\": \"event\"}", -1);
  assert_ingest_refused (a.sync, "{\"id\": \"evt_1\", \"object\": \"event\", \"type\": \"x\","
                         " \"created\": 5, \"data\": {\"object\": \"text\"}}", -1);
  assert_ingest_refused (a.sync, "{\"id\": \"evt_1\", \"object\": \"charge\", \"type\": \"x\","
                         " \"created\": 5, \"data\": {\"object\": {}}}", -1);
  assert_ingest_refused (a.sync, "{\"id\": \"\", \"object\": \"event\", \"type\": \"x\","
                         " \"created\": 5, \"data\": {\"object\": {}}}", -1);
  /* Cut short by its length. */
  assert_ingest_refused (a.sync, payload, strlen (payload) / 2);
  deep = g_strnfill (100000, '[');
  assert_ingest_refused (a.sync, deep, -1);
  g_assert_cmpuint (a.heard.added->len, ==, 0);
  g_assert_cmpuint (a.heard.changed, ==, 0);
  g_assert_cmpint (count_events (a.disk.store), ==, stored + 6);

  /* An API answer: stored as the newest copy, ::changed. */
  {
    g_autoptr(JsonNode) product = json_from_string ("{\"id\": \"prod_Noted\", \"object\": "
                                                    "\"product\", \"name\": \"A print\", "
                                                    "\"active\": true, \"created\": 1900000000,"
                                                    " \"livemode\": false}", &error);
    g_autoptr(PaStripeObjectRecord) record = NULL;

    g_assert_no_error (error);
    g_assert_true (pa_stripe_sync_note_object (a.sync, json_node_get_object (product), &error));
    g_assert_no_error (error);
    g_assert_cmpuint (a.heard.changed, ==, 1);
    record = pa_store_stripe_get_object (a.disk.store, PROFILE, "prod_Noted", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (record->object, ==, "product");
    g_assert_nonnull (strstr (record->data_json, "A print"));
  }

  account_stop (&a);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stripe-sync/backfill-window", test_sync_backfill_window);
  g_test_add_func ("/stripe-sync/incremental", test_sync_incremental);
  g_test_add_func ("/stripe-sync/empty-window", test_sync_empty_window);
  g_test_add_func ("/stripe-sync/cursor-gone", test_sync_cursor_gone);
  g_test_add_func ("/stripe-sync/joins", test_sync_joins);
  g_test_add_func ("/stripe-sync/kill-resume", test_sync_kill_resume);
  g_test_add_func ("/stripe-sync/cancel", test_sync_cancel);
  g_test_add_func ("/stripe-sync/offline", test_sync_offline);
  g_test_add_func ("/stripe-sync/hostile-pages", test_sync_hostile_pages);
  g_test_add_func ("/stripe-sync/hostile-server", test_sync_hostile_server);
  g_test_add_func ("/stripe-sync/ingest", test_sync_ingest);

  return g_test_run ();
}
