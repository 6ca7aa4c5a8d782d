/* pa-compare-view.h — a picture before and after, split by a divider the
 * user drags
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PA_TYPE_COMPARE_VIEW (pa_compare_view_get_type ())
G_DECLARE_FINAL_TYPE (PaCompareView, pa_compare_view, PA, COMPARE_VIEW, GtkWidget)

/* How far one arrow key moves the divider, as a fraction of the width. */
#define PA_COMPARE_VIEW_KEY_STEP 0.05

GtkWidget    *pa_compare_view_new          (void);
/* Left of the divider. */
GdkPaintable *pa_compare_view_get_before   (PaCompareView *self);
void          pa_compare_view_set_before   (PaCompareView *self,
                                            GdkPaintable  *before);
/* Right of the divider. */
GdkPaintable *pa_compare_view_get_after    (PaCompareView *self);
void          pa_compare_view_set_after    (PaCompareView *self,
                                            GdkPaintable  *after);
/* 0 (all "after") to 1 (all "before"); 0.5 by default. */
double        pa_compare_view_get_position (PaCompareView *self);
void          pa_compare_view_set_position (PaCompareView *self,
                                            double         position);

G_END_DECLS
