/* test-breaker.c — every circuit breaker transition, on a fake clock
 *
 * SPDX-License-Identifier: MIT
 */
#include <glib.h>

#include "pa-breaker.h"
#include "pa-clock.h"

#define SECOND G_USEC_PER_SEC

typedef struct {
  PaFakeClock  clock;
  PaBreaker   *breaker;
  GArray      *states;   /* PaBreakerState, one per notify::state */
} Fixture;

static void
state_notify_cb (PaBreaker  *breaker,
                 GParamSpec *pspec,
                 Fixture    *fixture)
{
  PaBreakerState state;

  /* Read through the property, as a UI binding would. */
  g_object_get (breaker, "state", &state, NULL);
  g_array_append_val (fixture->states, state);
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  fixture->clock.now_us = 1000 * SECOND;
  fixture->breaker = pa_breaker_new (PA_BREAKER_DEFAULT_THRESHOLD, PA_BREAKER_DEFAULT_OPEN_US);
  pa_breaker_set_clock (fixture->breaker, pa_fake_clock_now, &fixture->clock);
  fixture->states = g_array_new (FALSE, FALSE, sizeof (PaBreakerState));
  g_signal_connect (fixture->breaker, "notify::state", G_CALLBACK (state_notify_cb), fixture);
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  g_clear_object (&fixture->breaker);
  g_array_unref (fixture->states);
}

static void
assert_states (Fixture *fixture,
               guint    n,
               ...)
{
  va_list args;

  g_assert_cmpuint (fixture->states->len, ==, n);
  va_start (args, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpint (g_array_index (fixture->states, PaBreakerState, i), ==,
                     va_arg (args, int));
  va_end (args);
}

static void
fail_times (PaBreaker *breaker,
            guint      n)
{
  for (guint i = 0; i < n; i++)
    {
      g_assert_true (pa_breaker_allow (breaker, NULL));
      pa_breaker_record_failure (breaker);
    }
}

static void
test_breaker_defaults (Fixture       *fixture,
                       gconstpointer  data)
{
  g_assert_cmpuint (pa_breaker_get_threshold (fixture->breaker), ==, 5);
  g_assert_cmpint (pa_breaker_get_open_us (fixture->breaker), ==, 60 * SECOND);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
  g_assert_cmpint (pa_breaker_get_retry_in (fixture->breaker), ==, 0);
  g_assert_cmpstr (pa_breaker_state_to_string (PA_BREAKER_HALF_OPEN), ==, "half-open");
  g_assert_true (G_TYPE_IS_ENUM (PA_TYPE_BREAKER_STATE));
}

static void
test_breaker_opens_after_threshold (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 retry_in = -1;

  fail_times (fixture->breaker, 4);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
  g_assert_cmpuint (pa_breaker_get_failures (fixture->breaker), ==, 4);
  assert_states (fixture, 0);

  fail_times (fixture->breaker, 1);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_OPEN);
  assert_states (fixture, 1, PA_BREAKER_OPEN);

  g_assert_false (pa_breaker_allow (fixture->breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 60 * SECOND);

  pa_fake_clock_advance (&fixture->clock, 60 * SECOND - 1);
  g_assert_false (pa_breaker_allow (fixture->breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 1);
  g_assert_cmpint (pa_breaker_get_retry_in (fixture->breaker), ==, 1);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_OPEN);
  assert_states (fixture, 1, PA_BREAKER_OPEN);
}

static void
test_breaker_success_resets_count (Fixture       *fixture,
                                   gconstpointer  data)
{
  /* Only consecutive failures count. */
  fail_times (fixture->breaker, 4);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  pa_breaker_record_success (fixture->breaker);
  g_assert_cmpuint (pa_breaker_get_failures (fixture->breaker), ==, 0);
  fail_times (fixture->breaker, 4);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
  fail_times (fixture->breaker, 1);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_OPEN);
}

static void
test_breaker_half_open_one_probe (Fixture       *fixture,
                                  gconstpointer  data)
{
  gint64 retry_in = 0;

  fail_times (fixture->breaker, 5);
  pa_fake_clock_advance (&fixture->clock, 60 * SECOND);

  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_HALF_OPEN);
  assert_states (fixture, 2, PA_BREAKER_OPEN, PA_BREAKER_HALF_OPEN);

  /* Exactly one caller gets through while the probe is out. */
  g_assert_true (pa_breaker_allow (fixture->breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 0);
  for (int i = 0; i < 10; i++)
    {
      g_assert_false (pa_breaker_allow (fixture->breaker, &retry_in));
      g_assert_cmpint (retry_in, >, 0);
      pa_fake_clock_advance (&fixture->clock, SECOND);
    }
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_HALF_OPEN);

  pa_breaker_record_success (fixture->breaker);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
  g_assert_cmpuint (pa_breaker_get_failures (fixture->breaker), ==, 0);
  assert_states (fixture, 3, PA_BREAKER_OPEN, PA_BREAKER_HALF_OPEN, PA_BREAKER_CLOSED);

  /* Closed again: everyone passes, and it takes 5 new failures to open. */
  for (int i = 0; i < 3; i++)
    g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  fail_times (fixture->breaker, 4);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
}

static void
test_breaker_probe_failure_reopens (Fixture       *fixture,
                                    gconstpointer  data)
{
  gint64 retry_in = 0;

  fail_times (fixture->breaker, 5);
  pa_fake_clock_advance (&fixture->clock, 61 * SECOND);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  pa_fake_clock_advance (&fixture->clock, 2 * SECOND);
  pa_breaker_record_failure (fixture->breaker);

  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_OPEN);
  assert_states (fixture, 3, PA_BREAKER_OPEN, PA_BREAKER_HALF_OPEN, PA_BREAKER_OPEN);

  /* Another full period, counted from the failed probe. */
  g_assert_false (pa_breaker_allow (fixture->breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 60 * SECOND);
  pa_fake_clock_advance (&fixture->clock, 60 * SECOND - 1);
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));
  pa_fake_clock_advance (&fixture->clock, 1);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));
  assert_states (fixture, 4, PA_BREAKER_OPEN, PA_BREAKER_HALF_OPEN, PA_BREAKER_OPEN,
                 PA_BREAKER_HALF_OPEN);
}

static void
test_breaker_release (Fixture       *fixture,
                      gconstpointer  data)
{
  fail_times (fixture->breaker, 5);
  pa_fake_clock_advance (&fixture->clock, 60 * SECOND);

  /* A cancelled probe gives no verdict: the next caller probes instead. */
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));
  pa_breaker_release (fixture->breaker);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_HALF_OPEN);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));

  /* Releasing while closed changes nothing. */
  pa_breaker_record_success (fixture->breaker);
  pa_breaker_release (fixture->breaker);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_CLOSED);
}

static void
test_breaker_lost_probe (Fixture       *fixture,
                         gconstpointer  data)
{
  fail_times (fixture->breaker, 5);
  pa_fake_clock_advance (&fixture->clock, 60 * SECOND);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));

  /* The probe's caller never reports back: after one more period the
   * breaker admits another probe rather than staying shut for good. */
  pa_fake_clock_advance (&fixture->clock, 60 * SECOND - 1);
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));
  pa_fake_clock_advance (&fixture->clock, 1);
  g_assert_true (pa_breaker_allow (fixture->breaker, NULL));
  g_assert_false (pa_breaker_allow (fixture->breaker, NULL));
}

static void
test_breaker_late_results (Fixture       *fixture,
                           gconstpointer  data)
{
  gint64 retry_in = 0;

  fail_times (fixture->breaker, 5);
  pa_fake_clock_advance (&fixture->clock, 30 * SECOND);

  /* Calls admitted before it opened may still finish: neither a late
   * success closes it nor a late failure stretches the period. */
  pa_breaker_record_success (fixture->breaker);
  pa_breaker_record_failure (fixture->breaker);
  g_assert_cmpint (pa_breaker_get_state (fixture->breaker), ==, PA_BREAKER_OPEN);
  g_assert_false (pa_breaker_allow (fixture->breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 30 * SECOND);
  assert_states (fixture, 1, PA_BREAKER_OPEN);
}

static void
test_breaker_custom (void)
{
  PaFakeClock clock = { 0 };
  g_autoptr(PaBreaker) breaker = pa_breaker_new (2, 10 * SECOND);
  gint64 retry_in = 0;
  guint threshold = 0;
  gint64 open_us = 0;

  pa_breaker_set_clock (breaker, pa_fake_clock_now, &clock);
  g_object_get (breaker, "threshold", &threshold, "open-us", &open_us, NULL);
  g_assert_cmpuint (threshold, ==, 2);
  g_assert_cmpint (open_us, ==, 10 * SECOND);

  fail_times (breaker, 1);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_CLOSED);
  fail_times (breaker, 1);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_OPEN);
  g_assert_false (pa_breaker_allow (breaker, &retry_in));
  g_assert_cmpint (retry_in, ==, 10 * SECOND);
  pa_fake_clock_advance (&clock, 10 * SECOND);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_HALF_OPEN);

  pa_breaker_reset (breaker);
  g_assert_cmpint (pa_breaker_get_state (breaker), ==, PA_BREAKER_CLOSED);
  g_assert_cmpuint (pa_breaker_get_failures (breaker), ==, 0);
  g_assert_true (pa_breaker_allow (breaker, NULL));

  /* A threshold of 0 would never close: it is taken as 1. */
  g_clear_object (&breaker);
  breaker = pa_breaker_new (0, 0);
  g_assert_cmpuint (pa_breaker_get_threshold (breaker), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/breaker/defaults", test_breaker_defaults);
  ADD ("/breaker/opens-after-threshold", test_breaker_opens_after_threshold);
  ADD ("/breaker/success-resets-count", test_breaker_success_resets_count);
  ADD ("/breaker/half-open-one-probe", test_breaker_half_open_one_probe);
  ADD ("/breaker/probe-failure-reopens", test_breaker_probe_failure_reopens);
  ADD ("/breaker/release", test_breaker_release);
  ADD ("/breaker/lost-probe", test_breaker_lost_probe);
  ADD ("/breaker/late-results", test_breaker_late_results);
#undef ADD
  g_test_add_func ("/breaker/custom", test_breaker_custom);

  return g_test_run ();
}
