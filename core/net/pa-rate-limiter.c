/* pa-rate-limiter.c — a token bucket that spaces out calls to one peer
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include "pa-error.h"

#include "pa-rate-limiter.h"

struct _PaRateLimiter
{
  GObject      parent_instance;

  double       rate;     /* tokens per second */
  double       burst;    /* bucket size */
  double       tokens;   /* may go negative: reservations of async waiters */
  gint64       refilled_at;
  gboolean     started;

  PaClockFunc  clock_func;
  gpointer     clock_data;
};

G_DEFINE_FINAL_TYPE (PaRateLimiter, pa_rate_limiter, G_TYPE_OBJECT)

static void
pa_rate_limiter_class_init (PaRateLimiterClass *klass)
{
}

static void
pa_rate_limiter_init (PaRateLimiter *self)
{
  self->rate = 1.0;
  self->burst = 1.0;
  self->tokens = 1.0;
}

static void
refill (PaRateLimiter *self)
{
  gint64 now = pa_clock_now (self->clock_func, self->clock_data);

  /* The first look starts the clock, so a bucket created long before its
   * clock was set (or a fake clock at 0) starts full, not overfull. */
  if (!self->started)
    {
      self->started = TRUE;
      self->refilled_at = now;
      return;
    }

  if (now > self->refilled_at)
    {
      double added = (double) (now - self->refilled_at) * self->rate / G_USEC_PER_SEC;

      self->tokens = MIN (self->burst, self->tokens + added);
      self->refilled_at = now;
    }
}

/* Time until the bucket holds @needed tokens, rounded up to a whole µs. */
static gint64
wait_for (PaRateLimiter *self,
          double         needed)
{
  double missing = needed - self->tokens;
  double exact;
  gint64 wait;

  if (missing <= 0)
    return 0;
  exact = missing * G_USEC_PER_SEC / self->rate;
  if (exact >= (double) G_MAXINT64)
    return G_MAXINT64;
  wait = (gint64) exact;
  if ((double) wait < exact)
    wait++;
  return MAX (wait, 1);
}

static double
sanitize_rate (double rate)
{
  return (isfinite (rate) && rate > 0) ? rate : 1e-9;
}

static double
sanitize_burst (double burst)
{
  return (isfinite (burst) && burst >= 1) ? burst : 1.0;
}

PaRateLimiter *
pa_rate_limiter_new (double rate,
                     double burst)
{
  PaRateLimiter *self = g_object_new (PA_TYPE_RATE_LIMITER, NULL);

  self->rate = sanitize_rate (rate);
  self->burst = sanitize_burst (burst);
  self->tokens = self->burst;
  return self;
}

void
pa_rate_limiter_set_clock (PaRateLimiter *self,
                           PaClockFunc    func,
                           gpointer       data)
{
  g_return_if_fail (PA_IS_RATE_LIMITER (self));

  self->clock_func = func;
  self->clock_data = data;
  self->started = FALSE;
}

void
pa_rate_limiter_set_rate (PaRateLimiter *self,
                          double         rate,
                          double         burst)
{
  g_return_if_fail (PA_IS_RATE_LIMITER (self));

  /* Settle what the old rate earned before switching. */
  refill (self);
  self->rate = sanitize_rate (rate);
  self->burst = sanitize_burst (burst);
  self->tokens = MIN (self->tokens, self->burst);
}

double
pa_rate_limiter_get_rate (PaRateLimiter *self)
{
  g_return_val_if_fail (PA_IS_RATE_LIMITER (self), 0);

  return self->rate;
}

double
pa_rate_limiter_get_burst (PaRateLimiter *self)
{
  g_return_val_if_fail (PA_IS_RATE_LIMITER (self), 0);

  return self->burst;
}

double
pa_rate_limiter_get_tokens (PaRateLimiter *self)
{
  g_return_val_if_fail (PA_IS_RATE_LIMITER (self), 0);

  refill (self);
  return self->tokens;
}

gboolean
pa_rate_limiter_try_acquire (PaRateLimiter *self,
                             gint64        *wait_us)
{
  g_return_val_if_fail (PA_IS_RATE_LIMITER (self), FALSE);

  refill (self);

  if (self->tokens >= 1.0)
    {
      self->tokens -= 1.0;
      if (wait_us != NULL)
        *wait_us = 0;
      return TRUE;
    }

  if (wait_us != NULL)
    *wait_us = wait_for (self, 1.0);
  return FALSE;
}

static void
acquire_slept_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaRateLimiter *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!pa_clock_sleep_finish (result, &error))
    {
      /* Give the reserved token back for the callers still waiting. */
      refill (self);
      self->tokens = MIN (self->burst, self->tokens + 1.0);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

void
pa_rate_limiter_acquire_async (PaRateLimiter       *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gint64 wait_us;

  g_return_if_fail (PA_IS_RATE_LIMITER (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_rate_limiter_acquire_async);
  g_task_set_check_cancellable (task, FALSE);

  refill (self);

  /* Reserving now, rather than retrying when woken, serves waiters in
   * the order they asked. */
  wait_us = wait_for (self, 1.0);
  self->tokens -= 1.0;

  if (wait_us == 0)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }

  pa_clock_sleep_async (wait_us, cancellable, acquire_slept_cb,
                        g_steal_pointer (&task));
}

gboolean
pa_rate_limiter_acquire_finish (PaRateLimiter  *self,
                                GAsyncResult   *result,
                                GError        **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
