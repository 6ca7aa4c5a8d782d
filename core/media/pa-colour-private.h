/* pa-colour-private.h — CIELAB for the face swap's colour transfer
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-colour-private.h is private to core/media: use its public headers"
#endif

#include <glib.h>

G_BEGIN_DECLS

/* 8-bit sRGB (D65) to CIELAB: L in [0, 100], a and b about ±128. */
void     pa_colour_rgb_to_lab (const guint8 *rgb,
                               float        *lab);
/* Back to sRGB as floats in [0, 255], clamped (a Lab colour moved by
 * the transfer may lie outside sRGB). */
void     pa_colour_lab_to_rgb (const float  *lab,
                               float        *rgb);

/* Mean and standard deviation of L, a and b over some pixels. */
typedef struct {
  double   sum[3];
  double   sum2[3];
  guint64  n;
} PaLabStats;

void     pa_lab_stats_add     (PaLabStats   *self,
                               const float  *lab);
/* FALSE when too few pixels were added for the figures to mean much. */
gboolean pa_lab_stats_get     (const PaLabStats *self,
                               double           *mean,
                               double           *std);

G_END_DECLS
