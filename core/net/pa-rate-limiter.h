/* pa-rate-limiter.h — a token bucket that spaces out calls to one peer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-clock.h"

G_BEGIN_DECLS

#define PA_TYPE_RATE_LIMITER (pa_rate_limiter_get_type ())
G_DECLARE_FINAL_TYPE (PaRateLimiter, pa_rate_limiter, PA, RATE_LIMITER, GObject)

/* @rate tokens per second refill a bucket holding at most @burst tokens
 * (at least 1); the bucket starts full. */
PaRateLimiter *pa_rate_limiter_new          (double               rate,
                                             double               burst);
void           pa_rate_limiter_set_clock    (PaRateLimiter       *self,
                                             PaClockFunc          func,
                                             gpointer             data);
void           pa_rate_limiter_set_rate     (PaRateLimiter       *self,
                                             double               rate,
                                             double               burst);
double         pa_rate_limiter_get_rate     (PaRateLimiter       *self);
double         pa_rate_limiter_get_burst    (PaRateLimiter       *self);
/* Tokens in the bucket now; negative while async waiters hold reservations. */
double         pa_rate_limiter_get_tokens   (PaRateLimiter       *self);

/* Takes a token if one is there. Otherwise returns FALSE and, in
 * @wait_us (optional), how long until one will be. */
gboolean       pa_rate_limiter_try_acquire  (PaRateLimiter       *self,
                                             gint64              *wait_us);

/* Reserves a token now (waiters are served in order) and completes when
 * it is due, waiting on a GLib timeout. Cancelling gives the token back
 * and fails with PA_ERROR_CANCELLED. */
void           pa_rate_limiter_acquire_async  (PaRateLimiter       *self,
                                               GCancellable        *cancellable,
                                               GAsyncReadyCallback  callback,
                                               gpointer             user_data);
gboolean       pa_rate_limiter_acquire_finish (PaRateLimiter       *self,
                                               GAsyncResult        *result,
                                               GError             **error);

G_END_DECLS
