/* pa-stripe-sync.c — keeps a Stripe account's local copy up to date from /v1/events
 *
 * How a sync walks (the stripe_sync row says where it stands):
 *
 * 1. GET /v1/balance replaces the stored balance.
 *
 * 2. Backfill, until the account has been backfilled once. Stripe lists
 *    events newest first and keeps 30 days of them, so the first sync
 *    walks back from the newest event with starting_after, bounded by
 *    created[gt] = (when the backfill began) - backfill days. The newest
 *    event seen first is remembered as backfill_top, the oldest one of
 *    each page as backfill_next, and each page is stored (BACKWARD, as
 *    "sync") in ONE transaction together with that progress: a sync
 *    killed mid-walk resumes after backfill_next with the same bound and
 *    never stores an event twice. When the walk ends the cursor becomes
 *    backfill_top and the account is backfilled. The backfill raises no
 *    ::event-added: a first sync must not notify a month of payments.
 *
 *    When the event a walk goes on from is gone (Stripe answers 404 for
 *    it: events older than 30 days are, and the app may have been away
 *    longer), the walk starts again from the newest event as a backfill:
 *    what is stored is skipped, and the gap is not announced.
 *
 * 3. Forward, from the cursor (the newest event stored in order, every
 *    older one in the window being stored too): ending_before = cursor
 *    answers the page of events just newer than the cursor, but still
 *    newest first within the page. Each page is turned round, stored
 *    oldest first (FORWARD) with the cursor moved to its newest event in
 *    the same transaction, and the walk goes on while has_more. Events
 *    that were new here are announced with ::event-added, in Stripe's
 *    order, after their transaction committed.
 *
 *    An account whose backfill found no event has no cursor to walk
 *    forward from: then the sync walks back from the newest event to the
 *    backfill's bound, collecting (everything there is new since the
 *    empty backfill), and stores what it found oldest first like forward
 *    pages.
 *
 * Events that a webhook delivered meanwhile (pa_stripe_sync_ingest) are
 * stored with the same ids, so the store skips them when the walk meets
 * them: each event is stored and announced once, whichever path brought
 * it first.
 *
 * Every page is checked before anything of it is stored (see
 * pa-stripe-sync-page.c): an answer that is not a list of events, newest
 * first, is a PA_ERROR_PROTOCOL and stores nothing. A failed
 * sync keeps the stored copy as it is (the page shows it with its age)
 * and records its error in last_error; errors of the client (PA_ERROR_*)
 * pass through unchanged. Only one sync runs at a time: a call while one
 * runs completes when that one does, with its result.
 *
 * The store is used on the thread the sync runs on (the main thread),
 * one short transaction a page; the requests are asynchronous.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"
#include "pa-store-stripe.h"
#include "pa-stripe-sync.h"
#include "pa-stripe-sync-private.h"

/* Stripe's largest page: the fewest requests and transactions. */
#define PAGE_SIZE PA_STRIPE_MAX_PAGE_SIZE

typedef struct _Run Run;

struct _PaStripeSync
{
  GObject    parent_instance;

  PaStore   *store;
  PaStripe  *client;
  char      *profile;
  guint      backfill_days;

  Run       *run;            /* the sync running, or NULL */
  gint64     last_synced;    /* ms since the epoch */
  char      *last_error;
};

G_DEFINE_FINAL_TYPE (PaStripeSync, pa_stripe_sync, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RUNNING,
  PROP_LAST_SYNCED,
  PROP_LAST_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

enum {
  SIGNAL_EVENT_ADDED,
  SIGNAL_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* ------------------------------------------------------------------------ */
/* Storing                                                                  */

static PaStripeSyncState *
state_copy (const PaStripeSyncState *state)
{
  PaStripeSyncState *copy = g_new0 (PaStripeSyncState, 1);

  copy->cursor = g_strdup (state->cursor);
  copy->backfill_top = g_strdup (state->backfill_top);
  copy->backfill_next = g_strdup (state->backfill_next);
  copy->backfill_after = state->backfill_after;
  copy->backfilled = state->backfilled;
  copy->last_synced_at = state->last_synced_at;
  copy->last_error = g_strdup (state->last_error);
  return copy;
}

static void
set_string (char       **field,
            const char  *value)
{
  char *copy = g_strdup (value);

  g_free (*field);
  *field = copy;
}

/* Stores @events (Stripe's order is newest first; FORWARD batches are
 * turned round to oldest first) with @state in one transaction, then
 * announces what was new when @announce. Returns how many were new, or
 * -1 with @error set. */
static gint64
store_events (PaStripeSync             *self,
              GPtrArray                *events,
              PaStripeOrder             order,
              const char               *source,
              const PaStripeSyncState  *state,
              gboolean                  announce,
              GError                  **error)
{
  g_autofree PaStripeEventRow *rows = g_new0 (PaStripeEventRow, MAX (events->len, 1));
  g_autoptr(GPtrArray) payloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) new_ids = g_ptr_array_new_with_free_func (g_free);
  guint n = events->len;
  guint next_new = 0;

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = g_ptr_array_index (events, order == PA_STRIPE_ORDER_FORWARD ? n - 1 - i : i);
      JsonObject *event = json_node_get_object (node);
      char *payload = json_to_string (node, FALSE);

      g_ptr_array_add (payloads, payload);
      rows[i].id = member_string (event, "id");
      rows[i].type = member_string (event, "type");
      rows[i].created = json_object_get_int_member (event, "created");
      rows[i].payload_json = payload;
    }

  if (!pa_store_stripe_add_events (self->store, self->profile, rows, n, order, source, state,
                                   new_ids, error))
    return -1;

  /* new_ids follows rows' order: walk both together. */
  for (guint i = 0; announce && i < n && next_new < new_ids->len; i++)
    {
      JsonNode *node;

      if (g_strcmp0 (rows[i].id, g_ptr_array_index (new_ids, next_new)) != 0)
        continue;
      next_new++;
      node = g_ptr_array_index (events, order == PA_STRIPE_ORDER_FORWARD ? n - 1 - i : i);
      g_signal_emit (self, signals[SIGNAL_EVENT_ADDED], 0, rows[i].id, rows[i].type,
                     json_node_get_object (node));
    }
  return new_ids->len;
}

/* Records how the last sync ended: in the stored state and here. @error
 * NULL = it went well. Cancelling is no failure: nothing is recorded. */
static void
record_outcome (PaStripeSync *self,
                const GError *error)
{
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autoptr(GError) local_error = NULL;
  gboolean error_changed;

  if (error != NULL && g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    return;

  error_changed = g_strcmp0 (self->last_error, error != NULL ? error->message : NULL) != 0;
  set_string (&self->last_error, error != NULL ? error->message : NULL);
  if (error == NULL)
    self->last_synced = g_get_real_time () / 1000;

  /* Read back what was committed: a failed page's progress must not be
   * written with the error. */
  state = pa_store_stripe_get_sync_state (self->store, self->profile, &local_error);
  if (state != NULL)
    {
      set_string (&state->last_error, self->last_error);
      if (error == NULL)
        state->last_synced_at = self->last_synced;
      pa_store_stripe_set_sync_state (self->store, self->profile, state, &local_error);
    }
  if (local_error != NULL)
    g_warning ("Could not record how the Stripe sync of “%s” ended: %s",
               self->profile, local_error->message);

  if (error == NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_SYNCED]);
  if (error_changed)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LAST_ERROR]);
}

/* ------------------------------------------------------------------------ */
/* One run                                                                  */

typedef enum {
  PHASE_BACKFILL,
  PHASE_FORWARD,
  PHASE_CATCH_UP,
} Phase;

/* A caller waiting for the run: the one that started it, or one that
 * joined it. */
typedef struct {
  GTask        *task;
  GCancellable *cancellable;
  gulong        handler;
} Waiter;

struct _Run
{
  PaStripeSync      *self;          /* borrowed: a waiter's task holds it */
  GCancellable      *cancellable;   /* the run's own; the starter's cancels it */
  GCancellable      *starter;
  gulong             starter_handler;
  GPtrArray         *waiters;       /* of Waiter */
  PaStripeSyncState *state;         /* as committed */
  Phase              phase;
  GPtrArray         *collected;     /* PHASE_CATCH_UP: events newest first */
  gint64             floor;         /* no forward page holds older events */
  gboolean           rewalked;      /* the cursor was gone: walked again */
  gint64             n_new;
};

static void
waiter_free (Waiter *waiter)
{
  if (waiter->handler != 0)
    g_cancellable_disconnect (waiter->cancellable, waiter->handler);
  g_clear_object (&waiter->cancellable);
  g_clear_object (&waiter->task);
  g_free (waiter);
}

static void
run_free (Run *run)
{
  if (run->starter_handler != 0)
    g_cancellable_disconnect (run->starter, run->starter_handler);
  g_clear_object (&run->starter);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->waiters, g_ptr_array_unref);
  g_clear_pointer (&run->state, pa_stripe_sync_state_free);
  g_clear_pointer (&run->collected, g_ptr_array_unref);
  g_free (run);
}

static void
run_finish (Run    *run,
            GError *error)
{
  PaStripeSync *self = g_object_ref (run->self);
  g_autoptr(GPtrArray) waiters = g_steal_pointer (&run->waiters);
  gint64 n_new = run->n_new;

  /* Idle before anyone hears of the result, so a callback may sync again. */
  self->run = NULL;
  run_free (run);
  record_outcome (self, error);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  for (guint i = 0; i < waiters->len; i++)
    {
      Waiter *waiter = g_ptr_array_index (waiters, i);

      if (error != NULL)
        g_task_return_error (waiter->task, g_error_copy (error));
      else
        g_task_return_int (waiter->task, n_new);
    }
  g_clear_error (&error);
  g_object_unref (self);
}

static GError *
cancelled_error (void)
{
  return g_error_new_literal (PA_ERROR, PA_ERROR_CANCELLED,
                              _("The Stripe sync was cancelled. What it had stored is kept; "
                                "the next sync goes on from there."));
}

/* Ends the run with @error, as PA_ERROR_CANCELLED when the run was
 * cancelled, whatever the layer that noticed said. */
static void
run_fail (Run    *run,
          GError *error)
{
  if (g_cancellable_is_cancelled (run->cancellable) &&
      !g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = cancelled_error ();
    }
  run_finish (run, error);
}

static void run_next_page (Run *run);

static void
page_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Run *run = user_data;
  PaStripeSync *self = run->self;
  g_autoptr(JsonNode) list = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(PaStripeSyncState) next = NULL;
  GError *error = NULL;
  gboolean has_more = FALSE;
  gboolean done;
  gint64 n_new = 0;

  /* A page that came is stored even when the run was cancelled
   * meanwhile: the next request is not sent. */
  list = pa_stripe_object_finish (PA_STRIPE (source), result, &error);
  if (list == NULL && g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND) &&
      run->phase != PHASE_CATCH_UP && !run->rewalked)
    {
      /* The event the walk goes on from is gone: Stripe keeps 30 days of
       * events, and the app was away longer. Walk again from the newest
       * event, like a first sync: what is stored already is skipped, and
       * the gap is not announced (it could be a month of it). */
      next = state_copy (run->state);
      next->backfilled = FALSE;
      set_string (&next->backfill_top, NULL);
      set_string (&next->backfill_next, NULL);
      g_clear_error (&error);
      if (!pa_store_stripe_set_sync_state (self->store, self->profile, next, &error))
        {
          run_fail (run, error);
          return;
        }
      g_clear_pointer (&run->state, pa_stripe_sync_state_free);
      run->state = g_steal_pointer (&next);
      run->rewalked = TRUE;
      run_next_page (run);
      return;
    }
  if (list == NULL)
    {
      run_fail (run, error);
      return;
    }
  /* Forward pages never reach behind the window, nor behind the newest
   * event this run stored in order (events of one second may tie). */
  events = pa_stripe_sync_page_events (list,
                                       run->phase == PHASE_FORWARD
                                       ? MAX (run->floor, run->state->backfill_after)
                                       : run->state->backfill_after + 1,
                                       &has_more, &error);
  if (events == NULL)
    {
      run_fail (run, error);
      return;
    }

  next = state_copy (run->state);
  done = !has_more;
  switch (run->phase)
    {
    case PHASE_BACKFILL:
      if (events->len > 0)
        {
          JsonNode *newest = g_ptr_array_index (events, 0);
          JsonNode *oldest = g_ptr_array_index (events, events->len - 1);

          if (next->backfill_top == NULL)
            set_string (&next->backfill_top, event_id (newest));
          set_string (&next->backfill_next, event_id (oldest));
        }
      if (done)
        {
          set_string (&next->cursor, next->backfill_top);
          set_string (&next->backfill_next, NULL);
          next->backfilled = TRUE;
        }
      if (events->len > 0)
        n_new = store_events (self, events, PA_STRIPE_ORDER_BACKWARD, "sync", next, FALSE, &error);
      else if (!pa_store_stripe_set_sync_state (self->store, self->profile, next, &error))
        n_new = -1;
      break;

    case PHASE_FORWARD:
      if (events->len > 0)
        {
          run->floor = event_created (g_ptr_array_index (events, 0));
          set_string (&next->cursor, event_id (g_ptr_array_index (events, 0)));
          n_new = store_events (self, events, PA_STRIPE_ORDER_FORWARD, "sync", next, TRUE, &error);
        }
      break;

    case PHASE_CATCH_UP:
      g_ptr_array_extend_and_steal (run->collected, g_steal_pointer (&events));
      if (!done)
        break;
      /* Stored oldest first, a page's worth at a time, each with the
       * cursor at its newest. */
      while (run->collected->len > 0 && n_new >= 0)
        {
          guint n = MIN (run->collected->len, PAGE_SIZE);
          g_autoptr(GPtrArray) page = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
          gint64 stored;

          for (guint i = run->collected->len - n; i < run->collected->len; i++)
            g_ptr_array_add (page, json_node_ref (g_ptr_array_index (run->collected, i)));
          g_ptr_array_remove_range (run->collected, run->collected->len - n, n);
          set_string (&next->cursor, event_id (g_ptr_array_index (page, 0)));
          stored = store_events (self, page, PA_STRIPE_ORDER_FORWARD, "sync", next, TRUE, &error);
          if (stored < 0)
            n_new = -1;
          else
            {
              n_new += stored;
              run->floor = event_created (g_ptr_array_index (page, 0));
              g_clear_pointer (&run->state, pa_stripe_sync_state_free);
              run->state = state_copy (next);
              g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
            }
        }
      if (n_new < 0)
        run_fail (run, error);
      else if (run->state->cursor == NULL)
        run_finish (run, NULL);   /* still no event at all */
      else
        {
          /* On forward, for what came while collecting. */
          run->n_new += n_new;
          run->phase = PHASE_FORWARD;
          run_next_page (run);
        }
      return;
    }

  if (n_new < 0)
    {
      run_fail (run, error);
      return;
    }
  run->n_new += n_new;
  g_clear_pointer (&run->state, pa_stripe_sync_state_free);
  run->state = g_steal_pointer (&next);
  if (events != NULL && events->len > 0)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);

  if (run->phase == PHASE_BACKFILL && done)
    run->phase = PHASE_FORWARD;
  else if (run->phase == PHASE_FORWARD && done)
    {
      run_finish (run, NULL);
      return;
    }
  run_next_page (run);
}

/* Asks for the page the run's state says comes next. */
static void
run_next_page (Run *run)
{
  PaStripeSync *self = run->self;
  PaStripeSyncState *state = run->state;
  const char *starting_after = NULL;
  const char *ending_before = NULL;
  gint64 created_gt = 0;

  if (g_cancellable_is_cancelled (run->cancellable))
    {
      run_finish (run, cancelled_error ());
      return;
    }

  if (!state->backfilled)
    {
      run->phase = PHASE_BACKFILL;
      /* Set once, when the backfill begins, so a resumed walk keeps it. */
      if (state->backfill_top == NULL)
        state->backfill_after = g_get_real_time () / G_USEC_PER_SEC
                                - (gint64) self->backfill_days * 24 * 60 * 60;
      starting_after = state->backfill_next;
      created_gt = state->backfill_after;
    }
  else if (state->cursor != NULL)
    {
      run->phase = PHASE_FORWARD;
      ending_before = state->cursor;
    }
  else
    {
      /* Nothing to walk forward from: collect back to the window's start. */
      if (run->phase != PHASE_CATCH_UP)
        {
          run->phase = PHASE_CATCH_UP;
          g_clear_pointer (&run->collected, g_ptr_array_unref);
          run->collected = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
        }
      if (run->collected->len > 0)
        starting_after = event_id (g_ptr_array_index (run->collected, run->collected->len - 1));
      created_gt = state->backfill_after;
    }

  pa_stripe_list_events_page_async (self->client, starting_after, ending_before, created_gt,
                                    PAGE_SIZE, run->cancellable, page_cb, run);
}

static void
balance_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Run *run = user_data;
  PaStripeSync *self = run->self;
  g_autoptr(JsonNode) balance = NULL;
  g_autofree char *json = NULL;
  GError *error = NULL;

  balance = pa_stripe_object_finish (PA_STRIPE (source), result, &error);
  if (balance == NULL)
    {
      run_fail (run, error);
      return;
    }
  if (g_strcmp0 (member_string (json_node_get_object (balance), "object"), "balance") != 0)
    {
      run_fail (run, g_error_new_literal (PA_ERROR, PA_ERROR_PROTOCOL,
                                          _("Stripe answered the balance with something "
                                            "that is not a balance. Try again later.")));
      return;
    }
  json = json_to_string (balance, FALSE);
  if (!pa_store_stripe_set_balance (self->store, self->profile, json,
                                    g_get_real_time () / 1000, &error))
    {
      run_fail (run, error);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);

  run->state = pa_store_stripe_get_sync_state (self->store, self->profile, &error);
  if (run->state == NULL)
    {
      run_fail (run, error);
      return;
    }
  run_next_page (run);
}

static void
starter_cancelled_cb (GCancellable *cancellable,
                      gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

/* A joined caller gave up: it completes now, cancelled; the run goes on
 * for the others. Runs from an idle, outside the cancellable's handler,
 * where disconnecting is allowed. */
static gboolean
waiter_cancelled_idle (gpointer user_data)
{
  GTask *task = user_data;
  PaStripeSync *self = g_task_get_source_object (task);

  if (self->run != NULL)
    {
      for (guint i = 0; i < self->run->waiters->len; i++)
        {
          Waiter *waiter = g_ptr_array_index (self->run->waiters, i);

          if (waiter->task != task)
            continue;
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                                   _("Stopped waiting for the Stripe sync; it goes on."));
          g_ptr_array_remove_index (self->run->waiters, i);
          break;
        }
    }
  return G_SOURCE_REMOVE;
}

static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_idle_add_full (G_PRIORITY_DEFAULT, waiter_cancelled_idle, g_object_ref (user_data),
                   g_object_unref);
}

void
pa_stripe_sync_run_async (PaStripeSync        *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  Waiter *waiter;
  Run *run;

  g_return_if_fail (PA_IS_STRIPE_SYNC (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  waiter = g_new0 (Waiter, 1);
  waiter->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (waiter->task, pa_stripe_sync_run_async);
  /* The result is the run's, cancellation included (PA_ERROR_CANCELLED). */
  g_task_set_check_cancellable (waiter->task, FALSE);

  if (self->run != NULL)
    {
      if (cancellable != NULL)
        {
          waiter->cancellable = g_object_ref (cancellable);
          waiter->handler = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb),
                                                   waiter->task, NULL);
        }
      g_ptr_array_add (self->run->waiters, waiter);
      return;
    }

  run = g_new0 (Run, 1);
  run->self = self;
  run->cancellable = g_cancellable_new ();
  run->waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) waiter_free);
  g_ptr_array_add (run->waiters, waiter);
  self->run = run;
  if (cancellable != NULL)
    {
      run->starter = g_object_ref (cancellable);
      run->starter_handler = g_cancellable_connect (cancellable,
                                                    G_CALLBACK (starter_cancelled_cb),
                                                    g_object_ref (run->cancellable),
                                                    g_object_unref);
    }
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_RUNNING]);

  pa_stripe_get_balance_async (self->client, run->cancellable, balance_cb, run);
}

gint64
pa_stripe_sync_run_finish (PaStripeSync  *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), -1);
  g_return_val_if_fail (g_task_is_valid (result, self), -1);

  return g_task_propagate_int (G_TASK (result), error);
}

/* ------------------------------------------------------------------------ */
/* Webhooks and API answers                                                 */

gboolean
pa_stripe_sync_ingest (PaStripeSync  *self,
                       const char    *payload,
                       gsize          len,
                       gboolean      *is_new,
                       GError       **error)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 n_new;

  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), FALSE);
  g_return_val_if_fail (payload != NULL || len == 0, FALSE);

  if (is_new != NULL)
    *is_new = FALSE;

  /* A webhook's body is the same JSON as an API answer, bounded the same. */
  root = pa_json_parse_bounded (payload != NULL ? payload : "", (gssize) len,
                                PA_LIMIT_RESPONSE_BYTES, PA_ERROR_INVALID_INPUT,
                                _("The webhook’s body"), error);
  if (root == NULL)
    return FALSE;
  if (!pa_stripe_sync_check_event (root, _("The webhook’s body"), &local_error))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, local_error->message);
      return FALSE;
    }

  events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  g_ptr_array_add (events, json_node_ref (root));
  n_new = store_events (self, events, PA_STRIPE_ORDER_FORWARD, "webhook", NULL, TRUE, error);
  if (n_new < 0)
    return FALSE;
  if (is_new != NULL)
    *is_new = n_new > 0;
  if (n_new > 0)
    g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

gboolean
pa_stripe_sync_note_object (PaStripeSync  *self,
                            JsonObject    *object,
                            GError       **error)
{
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), FALSE);
  g_return_val_if_fail (object != NULL, FALSE);

  node = json_node_init_object (json_node_alloc (), object);
  json = json_to_string (node, FALSE);
  if (!pa_store_stripe_put_object (self->store, self->profile, json,
                                   g_get_real_time () / G_USEC_PER_SEC, error))
    return FALSE;
  g_signal_emit (self, signals[SIGNAL_CHANGED], 0);
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The object                                                               */

static void
pa_stripe_sync_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PaStripeSync *self = PA_STRIPE_SYNC (object);

  switch (prop_id)
    {
    case PROP_RUNNING:
      g_value_set_boolean (value, pa_stripe_sync_get_running (self));
      break;
    case PROP_LAST_SYNCED:
      g_value_set_int64 (value, self->last_synced);
      break;
    case PROP_LAST_ERROR:
      g_value_set_string (value, self->last_error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_stripe_sync_finalize (GObject *object)
{
  PaStripeSync *self = PA_STRIPE_SYNC (object);

  /* A running sync's tasks hold a reference: it cannot be running here. */
  g_assert (self->run == NULL);
  g_clear_object (&self->client);
  g_clear_object (&self->store);
  g_free (self->profile);
  g_free (self->last_error);

  G_OBJECT_CLASS (pa_stripe_sync_parent_class)->finalize (object);
}

static void
pa_stripe_sync_class_init (PaStripeSyncClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = pa_stripe_sync_get_property;
  object_class->finalize = pa_stripe_sync_finalize;

  properties[PROP_RUNNING] =
    g_param_spec_boolean ("running", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_SYNCED] =
    g_param_spec_int64 ("last-synced", NULL, NULL, 0, G_MAXINT64, 0,
                        G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LAST_ERROR] =
    g_param_spec_string ("last-error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  signals[SIGNAL_EVENT_ADDED] =
    g_signal_new ("event-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE,
                  JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE);
  signals[SIGNAL_CHANGED] =
    g_signal_new ("changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
pa_stripe_sync_init (PaStripeSync *self)
{
  self->backfill_days = PA_STRIPE_SYNC_BACKFILL_DAYS;
}

PaStripeSync *
pa_stripe_sync_new (PaStore    *store,
                    PaStripe   *client,
                    const char *profile)
{
  PaStripeSync *self;
  g_autoptr(PaStripeSyncState) state = NULL;
  g_autoptr(GError) error = NULL;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_STRIPE (client), NULL);
  g_return_val_if_fail (profile != NULL, NULL);

  self = g_object_new (PA_TYPE_STRIPE_SYNC, NULL);
  self->store = g_object_ref (store);
  self->client = g_object_ref (client);
  self->profile = g_strdup (profile);

  /* What the last sync left, so the page can say how old its copy is
   * before this one syncs. */
  state = pa_store_stripe_get_sync_state (store, profile, &error);
  if (state != NULL)
    {
      self->last_synced = state->last_synced_at;
      self->last_error = g_strdup (state->last_error);
    }
  else
    g_warning ("Could not read where the Stripe sync of “%s” stands: %s",
               profile, error->message);
  return self;
}

const char *
pa_stripe_sync_get_profile (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->profile;
}

PaStore *
pa_stripe_sync_get_store (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->store;
}

PaStripe *
pa_stripe_sync_get_client (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->client;
}

void
pa_stripe_sync_set_backfill_days (PaStripeSync *self,
                                  guint         days)
{
  g_return_if_fail (PA_IS_STRIPE_SYNC (self));
  self->backfill_days = days;
}

gboolean
pa_stripe_sync_get_running (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), FALSE);
  return self->run != NULL;
}

gint64
pa_stripe_sync_get_last_synced (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), 0);
  return self->last_synced;
}

const char *
pa_stripe_sync_get_last_error (PaStripeSync *self)
{
  g_return_val_if_fail (PA_IS_STRIPE_SYNC (self), NULL);
  return self->last_error;
}
