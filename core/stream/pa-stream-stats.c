/* pa-stream-stats.c — how a stream's statistics look, by OBS's measures
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-stream.h"

/* OBS's thresholds: the output frame rate under 95 % of the target, or
 * over 1 % of the frames dropped, is a warning; under 80 % or over 5 %
 * is bad. */
#define FPS_WARNING     0.95
#define FPS_BAD         0.80
#define DROPPED_WARNING 0.01
#define DROPPED_BAD     0.05

PaStreamHealth
pa_stream_stats_get_health (const PaStreamStats  *stats,
                            char                **message)
{
  PaStreamHealth fps_health = PA_STREAM_HEALTH_GOOD;
  PaStreamHealth dropped_health = PA_STREAM_HEALTH_GOOD;
  double dropped_share = 0.0;

  g_return_val_if_fail (stats != NULL, PA_STREAM_HEALTH_GOOD);

  if (message != NULL)
    *message = NULL;
  /* Nothing encoded yet (no output, or the first second): nothing to
   * judge. */
  if (stats->target_fps <= 0 || stats->frames == 0)
    return PA_STREAM_HEALTH_GOOD;

  if (stats->fps < stats->target_fps * FPS_BAD)
    fps_health = PA_STREAM_HEALTH_BAD;
  else if (stats->fps < stats->target_fps * FPS_WARNING)
    fps_health = PA_STREAM_HEALTH_WARNING;

  /* Dropped of all the frames there were to send. */
  dropped_share = stats->dropped / (double) (stats->frames + stats->dropped);
  if (dropped_share > DROPPED_BAD)
    dropped_health = PA_STREAM_HEALTH_BAD;
  else if (dropped_share > DROPPED_WARNING)
    dropped_health = PA_STREAM_HEALTH_WARNING;

  if (fps_health == PA_STREAM_HEALTH_GOOD && dropped_health == PA_STREAM_HEALTH_GOOD)
    return PA_STREAM_HEALTH_GOOD;
  /* The worse of the two speaks; the frame rate when they are even. */
  if (message != NULL)
    {
      if (fps_health >= dropped_health)
        *message = g_strdup_printf (_("The stream runs at %.0f of %.0f frames per second: "
                                      "the computer cannot keep up. Lower the resolution "
                                      "or the frame rate."),
                                    stats->fps, stats->target_fps);
      else
        *message = g_strdup_printf (_("%.1f %% of the frames were dropped: the connection "
                                      "or the computer cannot keep up. Lower the bitrate."),
                                    dropped_share * 100.0);
    }
  return MAX (fps_health, dropped_health);
}
