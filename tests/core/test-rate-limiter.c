/* test-rate-limiter.c — the token bucket, on a fake clock and on GLib timeouts
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "pa-clock.h"
#include "pa-error.h"
#include "pa-rate-limiter.h"

#define SECOND G_USEC_PER_SEC

static void
test_rate_limiter_burst_and_refill (void)
{
  PaFakeClock clock = { 5 * SECOND };
  g_autoptr(PaRateLimiter) limiter = pa_rate_limiter_new (2.0, 3.0);
  gint64 wait = -1;

  pa_rate_limiter_set_clock (limiter, pa_fake_clock_now, &clock);
  g_assert_cmpfloat (pa_rate_limiter_get_rate (limiter), ==, 2.0);
  g_assert_cmpfloat (pa_rate_limiter_get_burst (limiter), ==, 3.0);

  /* A full bucket: the burst passes at once. */
  for (int i = 0; i < 3; i++)
    {
      g_assert_true (pa_rate_limiter_try_acquire (limiter, &wait));
      g_assert_cmpint (wait, ==, 0);
    }
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, SECOND / 2);

  /* Not a microsecond early. */
  pa_fake_clock_advance (&clock, SECOND / 2 - 1);
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, 1);
  pa_fake_clock_advance (&clock, 1);
  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
  g_assert_false (pa_rate_limiter_try_acquire (limiter, NULL));

  /* A long pause refills only up to the burst. */
  pa_fake_clock_advance (&clock, 100 * SECOND);
  g_assert_cmpfloat (pa_rate_limiter_get_tokens (limiter), ==, 3.0);
  for (int i = 0; i < 3; i++)
    g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, SECOND / 2);

  /* Steady state: one token every half second. */
  for (int i = 0; i < 10; i++)
    {
      pa_fake_clock_advance (&clock, SECOND / 2);
      g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
      g_assert_false (pa_rate_limiter_try_acquire (limiter, NULL));
    }
}

static void
test_rate_limiter_slow_rate (void)
{
  PaFakeClock clock = { 0 };
  g_autoptr(PaRateLimiter) limiter = pa_rate_limiter_new (0.5, 1.0);
  gint64 wait = 0;

  pa_rate_limiter_set_clock (limiter, pa_fake_clock_now, &clock);
  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, 2 * SECOND);
  pa_fake_clock_advance (&clock, SECOND);
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, SECOND);

  /* A burst below 1 could never pass anything: it is taken as 1. */
  g_clear_object (&limiter);
  limiter = pa_rate_limiter_new (1.0, 0.2);
  g_assert_cmpfloat (pa_rate_limiter_get_burst (limiter), ==, 1.0);
}

static void
test_rate_limiter_set_rate (void)
{
  PaFakeClock clock = { 0 };
  g_autoptr(PaRateLimiter) limiter = pa_rate_limiter_new (1.0, 10.0);
  gint64 wait = 0;

  pa_rate_limiter_set_clock (limiter, pa_fake_clock_now, &clock);
  /* Shrinking the burst drops the extra tokens. */
  pa_rate_limiter_set_rate (limiter, 10.0, 2.0);
  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));
  g_assert_false (pa_rate_limiter_try_acquire (limiter, &wait));
  g_assert_cmpint (wait, ==, SECOND / 10);
}

typedef struct {
  GMainLoop *loop;
  GArray    *order;
  GError    *error;
  guint      pending;
  gint64     finished_at;
} AcquireState;

typedef struct {
  AcquireState *state;
  int           id;
} Waiter;

static void
acquired_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Waiter *waiter = user_data;
  AcquireState *state = waiter->state;
  GError *error = NULL;

  if (pa_rate_limiter_acquire_finish (PA_RATE_LIMITER (source), result, &error))
    g_array_append_val (state->order, waiter->id);
  else
    {
      g_assert_null (state->error);
      state->error = error;
    }
  state->finished_at = g_get_monotonic_time ();
  g_free (waiter);
  if (--state->pending == 0)
    g_main_loop_quit (state->loop);
}

static void
acquire (PaRateLimiter *limiter,
         AcquireState  *state,
         int            id,
         GCancellable  *cancellable)
{
  Waiter *waiter = g_new0 (Waiter, 1);

  waiter->state = state;
  waiter->id = id;
  state->pending++;
  pa_rate_limiter_acquire_async (limiter, cancellable, acquired_cb, waiter);
}

static void
test_rate_limiter_async_order (void)
{
  g_autoptr(PaRateLimiter) limiter = pa_rate_limiter_new (20.0, 1.0);
  AcquireState state = { 0 };
  gint64 started;

  state.loop = g_main_loop_new (NULL, FALSE);
  state.order = g_array_new (FALSE, FALSE, sizeof (int));

  started = g_get_monotonic_time ();
  for (int i = 0; i < 4; i++)
    acquire (limiter, &state, i, NULL);

  /* Three wait for a token each; their reservations show as debt. */
  g_assert_cmpfloat (pa_rate_limiter_get_tokens (limiter), <, -2.5);

  g_main_loop_run (state.loop);

  g_assert_no_error (state.error);
  g_assert_cmpuint (state.order->len, ==, 4);
  for (int i = 0; i < 4; i++)
    g_assert_cmpint (g_array_index (state.order, int, i), ==, i);
  /* The last of four at 20/s with a burst of 1 waits 3 × 50 ms. */
  g_assert_cmpint (state.finished_at - started, >=, 150 * 1000);
  g_assert_cmpint (state.finished_at - started, <, 5 * SECOND);

  g_main_loop_unref (state.loop);
  g_array_unref (state.order);
}

static gboolean
cancel_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_REMOVE;
}

static void
test_rate_limiter_async_cancel (void)
{
  PaFakeClock clock = { 0 };
  g_autoptr(PaRateLimiter) limiter = pa_rate_limiter_new (0.01, 1.0);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AcquireState state = { 0 };
  gint64 started;

  pa_rate_limiter_set_clock (limiter, pa_fake_clock_now, &clock);
  state.loop = g_main_loop_new (NULL, FALSE);
  state.order = g_array_new (FALSE, FALSE, sizeof (int));

  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));

  /* The next token is 100 s away: cancelling must not wait for it. */
  started = g_get_monotonic_time ();
  acquire (limiter, &state, 1, cancellable);
  g_assert_cmpfloat (pa_rate_limiter_get_tokens (limiter), ==, -1.0);
  g_idle_add (cancel_cb, cancellable);
  g_main_loop_run (state.loop);

  g_assert_error (state.error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpuint (state.order->len, ==, 0);
  g_assert_cmpint (g_get_monotonic_time () - started, <, 2 * SECOND);

  /* The reserved token was given back. */
  g_assert_cmpfloat (pa_rate_limiter_get_tokens (limiter), ==, 0.0);
  pa_fake_clock_advance (&clock, 100 * SECOND);
  g_assert_true (pa_rate_limiter_try_acquire (limiter, NULL));

  /* With the cancellable already cancelled, a token that is there is
   * still handed out (nothing waits), but one that must be waited for
   * is not, and is not kept either. */
  g_clear_error (&state.error);
  pa_fake_clock_advance (&clock, 100 * SECOND);
  acquire (limiter, &state, 2, cancellable);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_cmpuint (state.order->len, ==, 1);
  acquire (limiter, &state, 3, cancellable);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpfloat (pa_rate_limiter_get_tokens (limiter), ==, 0.0);

  g_clear_error (&state.error);
  g_main_loop_unref (state.loop);
  g_array_unref (state.order);
}

static void
sleep_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  AcquireState *state = user_data;

  if (!pa_clock_sleep_finish (result, &state->error))
    g_assert_nonnull (state->error);
  state->finished_at = g_get_monotonic_time ();
  g_main_loop_quit (state->loop);
}

static void
test_clock_sleep (void)
{
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  AcquireState state = { 0 };
  gint64 started;

  state.loop = g_main_loop_new (NULL, FALSE);

  g_assert_cmpint (pa_clock_now (NULL, NULL), >, 0);

  started = g_get_monotonic_time ();
  pa_clock_sleep_async (30 * 1000, cancellable, sleep_done_cb, &state);
  g_main_loop_run (state.loop);
  g_assert_no_error (state.error);
  g_assert_cmpint (state.finished_at - started, >=, 30 * 1000);

  started = g_get_monotonic_time ();
  pa_clock_sleep_async (60 * SECOND, cancellable, sleep_done_cb, &state);
  g_idle_add (cancel_cb, cancellable);
  g_main_loop_run (state.loop);
  g_assert_error (state.error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpint (state.finished_at - started, <, 2 * SECOND);

  g_main_loop_unref (state.loop);
  g_clear_error (&state.error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rate-limiter/burst-and-refill", test_rate_limiter_burst_and_refill);
  g_test_add_func ("/rate-limiter/slow-rate", test_rate_limiter_slow_rate);
  g_test_add_func ("/rate-limiter/set-rate", test_rate_limiter_set_rate);
  g_test_add_func ("/rate-limiter/async-order", test_rate_limiter_async_order);
  g_test_add_func ("/rate-limiter/async-cancel", test_rate_limiter_async_cancel);
  g_test_add_func ("/clock/sleep", test_clock_sleep);

  return g_test_run ();
}
