/* pa-clock.h — an injectable monotonic clock and a cancellable sleep
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Returns monotonic time in microseconds. Tests pass a fake one so that
 * timing rules (breakers, token buckets) can be checked without waiting. */
typedef gint64 (*PaClockFunc) (gpointer data);

/* @func NULL means g_get_monotonic_time(). */
gint64    pa_clock_now          (PaClockFunc          func,
                                 gpointer             data);

/* Waits @delay_us on a GLib timeout in the thread-default main context;
 * never blocks. Fails with PA_ERROR_CANCELLED when @cancellable fires. */
void      pa_clock_sleep_async  (gint64               delay_us,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data);
gboolean  pa_clock_sleep_finish (GAsyncResult        *result,
                                 GError             **error);

/* A settable clock for tests: pass pa_fake_clock_now and the PaFakeClock
 * as the clock data. */
typedef struct {
  gint64 now_us;
} PaFakeClock;

gint64    pa_fake_clock_now     (gpointer             fake_clock);
void      pa_fake_clock_advance (PaFakeClock         *fake_clock,
                                 gint64               delta_us);

G_END_DECLS
