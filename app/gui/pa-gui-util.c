/* pa-gui-util.c — small helpers the GUI's classes share
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>

#include "playalter.h"

#include "pa-gui-util.h"

gboolean
pa_gui_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED);
}

gboolean
pa_gui_fit_paintable (GdkPaintable    *paintable,
                      int              width,
                      int              height,
                      graphene_rect_t *rect)
{
  double fit_width;
  double fit_height;

  if (paintable == NULL || width <= 0 || height <= 0)
    return FALSE;

  gdk_paintable_compute_concrete_size (paintable, 0, 0, width, height, &fit_width, &fit_height);
  if (fit_width <= 0 || fit_height <= 0)
    return FALSE;

  if (fit_width * height > fit_height * width)
    {
      fit_height = fit_height * width / fit_width;
      fit_width = width;
    }
  else
    {
      fit_width = fit_width * height / fit_height;
      fit_height = height;
    }

  graphene_rect_init (rect, (width - fit_width) / 2, (height - fit_height) / 2,
                      fit_width, fit_height);
  return TRUE;
}

void
pa_gui_measure_paintable (GdkPaintable   *paintable,
                          GtkOrientation  orientation,
                          int             min_size,
                          int             max_size,
                          int            *minimum,
                          int            *natural)
{
  int intrinsic = 0;

  if (paintable != NULL)
    intrinsic = orientation == GTK_ORIENTATION_HORIZONTAL
                ? gdk_paintable_get_intrinsic_width (paintable)
                : gdk_paintable_get_intrinsic_height (paintable);

  *minimum = min_size;
  *natural = CLAMP (intrinsic, min_size, max_size);
}

void
pa_gui_set_paintable (GtkWidget     *widget,
                      GdkPaintable **slot,
                      GdkPaintable  *paintable)
{
  if (*slot != NULL)
    g_signal_handlers_disconnect_by_data (*slot, widget);
  g_set_object (slot, paintable);
  if (paintable != NULL)
    {
      g_signal_connect_swapped (paintable, "invalidate-contents",
                                G_CALLBACK (gtk_widget_queue_draw), widget);
      g_signal_connect_swapped (paintable, "invalidate-size",
                                G_CALLBACK (gtk_widget_queue_resize), widget);
    }
  gtk_widget_queue_resize (widget);
}
