/* pa-breaker.h — a circuit breaker that pauses calls to a failing peer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "pa-clock.h"

G_BEGIN_DECLS

#define PA_BREAKER_DEFAULT_THRESHOLD 5
#define PA_BREAKER_DEFAULT_OPEN_US   (60 * G_USEC_PER_SEC)

typedef enum {
  PA_BREAKER_CLOSED,     /* calls pass */
  PA_BREAKER_OPEN,       /* calls are refused until the open period ends */
  PA_BREAKER_HALF_OPEN,  /* one probe call may pass; its result decides */
} PaBreakerState;

#define PA_TYPE_BREAKER_STATE (pa_breaker_state_get_type ())
GType pa_breaker_state_get_type (void) G_GNUC_CONST;

#define PA_TYPE_BREAKER (pa_breaker_get_type ())
G_DECLARE_FINAL_TYPE (PaBreaker, pa_breaker, PA, BREAKER, GObject)

/* @threshold consecutive failures open the breaker for @open_us. */
PaBreaker      *pa_breaker_new                (guint        threshold,
                                               gint64       open_us);
void            pa_breaker_set_clock          (PaBreaker   *self,
                                               PaClockFunc  func,
                                               gpointer     data);

/* Asks to make one call. When it returns FALSE, @retry_in_us (optional)
 * says how long until a call may be admitted again. In half-open state
 * exactly one caller is admitted (the probe) until its result is
 * recorded. Every admitted call must end with record_success(),
 * record_failure() or release(). */
gboolean        pa_breaker_allow              (PaBreaker   *self,
                                               gint64      *retry_in_us);
void            pa_breaker_record_success     (PaBreaker   *self);
void            pa_breaker_record_failure     (PaBreaker   *self);
/* An admitted call ended without a verdict (e.g. it was cancelled): a
 * half-open breaker lets the next caller probe instead. */
void            pa_breaker_release            (PaBreaker   *self);

/* Also moves an open breaker whose period has passed to half-open. */
PaBreakerState  pa_breaker_get_state          (PaBreaker   *self);
guint           pa_breaker_get_threshold      (PaBreaker   *self);
gint64          pa_breaker_get_open_us        (PaBreaker   *self);
guint           pa_breaker_get_failures       (PaBreaker   *self);
/* Microseconds until an open breaker admits a probe; 0 otherwise. */
gint64          pa_breaker_get_retry_in       (PaBreaker   *self);
/* Back to closed with no failures counted. */
void            pa_breaker_reset              (PaBreaker   *self);

const char     *pa_breaker_state_to_string    (PaBreakerState state);

G_END_DECLS
