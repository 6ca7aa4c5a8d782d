/* pa-stream-stats-view.h — a running stream's figures as OBS shows them,
 * with its health and a chart of the last minute
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_STREAM_STATS_VIEW (pa_stream_stats_view_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamStatsView, pa_stream_stats_view, PA, STREAM_STATS_VIEW, GtkWidget)

/* The chart keeps this many seconds. */
#define PA_STREAM_STATS_VIEW_HISTORY 60

GtkWidget      *pa_stream_stats_view_new         (void);

/* Shows @stats (once a second, from the "stats" signal) and adds them to
 * the chart. */
void            pa_stream_stats_view_set_stats   (PaStreamStatsView   *self,
                                                  const PaStreamStats *stats);
/* No stream: dashes, an empty chart. */
void            pa_stream_stats_view_clear       (PaStreamStatsView   *self);

PaStreamHealth  pa_stream_stats_view_get_health  (PaStreamStatsView   *self);
/* The line that says how the stream is doing; it has the "warning" or
 * "error" style class when the health is not good. */
GtkWidget      *pa_stream_stats_view_get_health_label (PaStreamStatsView *self);
/* The figure of output fps and of dropped frames, styled the same way
 * when they are the cause. */
GtkWidget      *pa_stream_stats_view_get_fps_label     (PaStreamStatsView *self);
GtkWidget      *pa_stream_stats_view_get_dropped_label (PaStreamStatsView *self);
guint           pa_stream_stats_view_get_n_samples     (PaStreamStatsView *self);

G_END_DECLS
