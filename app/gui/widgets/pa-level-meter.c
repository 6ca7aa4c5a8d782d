/* pa-level-meter.c — a sound level as a drawn bar
 *
 * The bar is the RMS level (what the ear hears as loudness), coloured by
 * the zone it reaches: green up to -18 dBFS, yellow up to -6, red above
 * (about to clip). A thin line marks the highest peak of the last 1.5 s,
 * as mixing desks do, so a short clip is seen after it happened.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include "pa-level-meter.h"

#define YELLOW_DB     (-18.0)
#define RED_DB        (-6.0)
#define PEAK_HOLD_US  (1500 * G_TIME_SPAN_MILLISECOND)

struct _PaLevelMeter
{
  GtkWidget parent_instance;

  double    rms_db;
  double    peak_hold_db;
  gint64    peak_hold_time;
};

G_DEFINE_FINAL_TYPE (PaLevelMeter, pa_level_meter, GTK_TYPE_WIDGET)

/* 0…1 along the bar; silence (and NaN) is 0. */
static double
db_to_fraction (double db)
{
  if (!(db > PA_LEVEL_METER_FLOOR_DB))
    return 0;
  return MIN (1.0, 1.0 - db / PA_LEVEL_METER_FLOOR_DB);
}

static void
append_rect (GtkSnapshot   *snapshot,
             const GdkRGBA *colour,
             double         x,
             double         width,
             double         height)
{
  graphene_rect_t rect = GRAPHENE_RECT_INIT (x, 0, width, height);

  if (width > 0)
    gtk_snapshot_append_color (snapshot, colour, &rect);
}

static void
pa_level_meter_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  PaLevelMeter *self = PA_LEVEL_METER (widget);
  static const GdkRGBA green = { 0.18, 0.76, 0.49, 1 };   /* Adwaita green 3 */
  static const GdkRGBA yellow = { 0.96, 0.83, 0.18, 1 };  /* yellow 3 */
  static const GdkRGBA red = { 0.88, 0.11, 0.14, 1 };     /* red 3 */
  GdkRGBA trough;
  GdkRGBA peak_colour;
  double width = gtk_widget_get_width (widget);
  double height = gtk_widget_get_height (widget);
  double level = db_to_fraction (self->rms_db) * width;
  double yellow_at = db_to_fraction (YELLOW_DB) * width;
  double red_at = db_to_fraction (RED_DB) * width;
  double peak = db_to_fraction (self->peak_hold_db);

  /* GTK 4.8 has no gtk_widget_get_color(). */
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), &trough);
  trough.alpha = 0.1;
  append_rect (snapshot, &trough, 0, width, height);

  append_rect (snapshot, &green, 0, MIN (level, yellow_at), height);
  if (level > yellow_at)
    append_rect (snapshot, &yellow, yellow_at, MIN (level, red_at) - yellow_at, height);
  if (level > red_at)
    append_rect (snapshot, &red, red_at, level - red_at, height);

  if (peak > 0)
    {
      double x = MIN (peak * width, width - 2);

      peak_colour = self->peak_hold_db > RED_DB ? red
                    : self->peak_hold_db > YELLOW_DB ? yellow : green;
      append_rect (snapshot, &peak_colour, x, 2, height);
    }
}

static void
pa_level_meter_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    {
      *minimum = 60;
      *natural = 160;
    }
  else
    *minimum = *natural = 8;
}

static void
pa_level_meter_class_init (PaLevelMeterClass *klass)
{
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  widget_class->snapshot = pa_level_meter_snapshot;
  widget_class->measure = pa_level_meter_measure;
  gtk_widget_class_set_css_name (widget_class, "levelmeter");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_METER);
}

static void
pa_level_meter_init (PaLevelMeter *self)
{
  self->rms_db = -INFINITY;
  self->peak_hold_db = -INFINITY;
  gtk_widget_set_valign (GTK_WIDGET (self), GTK_ALIGN_CENTER);
}

GtkWidget *
pa_level_meter_new (void)
{
  return g_object_new (PA_TYPE_LEVEL_METER, NULL);
}

void
pa_level_meter_set_level (PaLevelMeter *self,
                          double        rms_db,
                          double        peak_db)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (PA_IS_LEVEL_METER (self));

  self->rms_db = rms_db;
  /* A higher peak replaces the held one at once; a lower one only once
   * the held one has been seen long enough. */
  if (peak_db >= self->peak_hold_db || now - self->peak_hold_time > PEAK_HOLD_US ||
      isnan (self->peak_hold_db))
    {
      self->peak_hold_db = peak_db;
      self->peak_hold_time = now;
    }
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, PA_LEVEL_METER_FLOOR_DB,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW,
                                  CLAMP (rms_db, PA_LEVEL_METER_FLOOR_DB, 0.0),
                                  -1);
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

void
pa_level_meter_reset (PaLevelMeter *self)
{
  g_return_if_fail (PA_IS_LEVEL_METER (self));

  self->rms_db = -INFINITY;
  self->peak_hold_db = -INFINITY;
  self->peak_hold_time = 0;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}

double
pa_level_meter_get_rms (PaLevelMeter *self)
{
  g_return_val_if_fail (PA_IS_LEVEL_METER (self), -INFINITY);
  return self->rms_db;
}

double
pa_level_meter_get_peak_hold (PaLevelMeter *self)
{
  g_return_val_if_fail (PA_IS_LEVEL_METER (self), -INFINITY);
  return self->peak_hold_db;
}
