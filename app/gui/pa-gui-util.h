/* pa-gui-util.h — small helpers the GUI's classes share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* TRUE when @error says the operation was cancelled, whether GIO or the
 * core reported it: whoever asked has gone, so nothing is to be shown. */
gboolean pa_gui_error_is_cancelled (const GError *error);

/* Where @paintable is drawn in a @width × @height widget, as large as
 * fits with its aspect ratio kept, centred. FALSE when there is nothing
 * to draw. */
gboolean pa_gui_fit_paintable      (GdkPaintable    *paintable,
                                    int              width,
                                    int              height,
                                    graphene_rect_t *rect);

/* A widget showing @paintable asks for its intrinsic size, between
 * @min_size and @max_size, in @orientation. */
void     pa_gui_measure_paintable  (GdkPaintable    *paintable,
                                    GtkOrientation   orientation,
                                    int              min_size,
                                    int              max_size,
                                    int             *minimum,
                                    int             *natural);

/* Moves @widget's redraws from following *@slot to following @paintable
 * and stores it there (a new reference). */
void     pa_gui_set_paintable      (GtkWidget       *widget,
                                    GdkPaintable   **slot,
                                    GdkPaintable    *paintable);

G_END_DECLS
