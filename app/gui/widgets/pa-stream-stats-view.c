/* pa-stream-stats-view.c — a running stream's figures, its health and a
 * chart of bitrate and fps over the last minute
 *
 * The thresholds are the stream's own (pa_stream_stats_get_health()):
 * this view only shows them. To tell which figure is at fault, it asks
 * the same question of the fps alone and of the dropped frames alone.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-stream-stats-view.h"

typedef struct
{
  double fps;
  double kbps;
} Sample;

struct _PaStreamStatsView
{
  GtkWidget       parent_instance;

  PaStreamHealth  health;
  double          target_fps;
  Sample          samples[PA_STREAM_STATS_VIEW_HISTORY];
  guint           n_samples;    /* up to PA_STREAM_STATS_VIEW_HISTORY */
  guint           next;         /* ring index of the next sample */

  GtkWidget      *health_label;
  GtkWidget      *fps_label;
  GtkWidget      *bitrate_label;
  GtkWidget      *dropped_label;
  GtkWidget      *late_label;
  GtkWidget      *load_label;
  GtkWidget      *time_label;
  GtkWidget      *chart;
};

G_DEFINE_FINAL_TYPE (PaStreamStatsView, pa_stream_stats_view, GTK_TYPE_WIDGET)

static const char *health_classes[] = { "success", "warning", "error" };

static void
set_health_class (GtkWidget      *widget,
                  PaStreamHealth  health,
                  gboolean        show_good)
{
  for (guint i = 0; i < G_N_ELEMENTS (health_classes); i++)
    gtk_widget_remove_css_class (widget, health_classes[i]);
  if (health != PA_STREAM_HEALTH_GOOD || show_good)
    gtk_widget_add_css_class (widget, health_classes[health]);
}

/* ---- the chart ---------------------------------------------------------- */

static void
draw_series (cairo_t           *cr,
             PaStreamStatsView *self,
             gboolean           fps,
             double             top,
             int                width,
             int                height)
{
  guint first = (self->next + PA_STREAM_STATS_VIEW_HISTORY - self->n_samples)
                % PA_STREAM_STATS_VIEW_HISTORY;
  double step = (double) width / (PA_STREAM_STATS_VIEW_HISTORY - 1);
  /* The newest sample at the right edge; the minute scrolls left. */
  double x0 = width - step * (self->n_samples - 1);

  for (guint i = 0; i < self->n_samples; i++)
    {
      const Sample *s = &self->samples[(first + i) % PA_STREAM_STATS_VIEW_HISTORY];
      double value = fps ? s->fps : s->kbps;
      double y = height - 2 - (height - 4) * MIN (value / top, 1.0);

      if (i == 0)
        cairo_move_to (cr, x0, y);
      else
        cairo_line_to (cr, x0 + step * i, y);
    }
  cairo_stroke (cr);
}

static void
draw_chart (GtkDrawingArea *area,
            cairo_t        *cr,
            int             width,
            int             height,
            gpointer        data)
{
  PaStreamStatsView *self = data;
  GdkRGBA fg;
  double top_kbps = 1;
  double top_fps = MAX (self->target_fps, 1) * 1.2;

  gtk_style_context_get_color (gtk_widget_get_style_context (GTK_WIDGET (area)), &fg);

  /* A faint frame and the target fps as a dashed line. */
  cairo_set_line_width (cr, 1);
  cairo_set_source_rgba (cr, fg.red, fg.green, fg.blue, 0.15);
  cairo_rectangle (cr, 0.5, 0.5, width - 1, height - 1);
  cairo_stroke (cr);
  if (self->target_fps > 0)
    {
      double y = height - 2 - (height - 4) * (self->target_fps / top_fps);
      const double dash[] = { 4, 4 };

      cairo_set_dash (cr, dash, G_N_ELEMENTS (dash), 0);
      cairo_move_to (cr, 0, y);
      cairo_line_to (cr, width, y);
      cairo_stroke (cr);
      cairo_set_dash (cr, NULL, 0, 0);
    }

  if (self->n_samples < 2)
    return;

  for (guint i = 0; i < PA_STREAM_STATS_VIEW_HISTORY; i++)
    top_kbps = MAX (top_kbps, self->samples[i].kbps * 1.2);

  cairo_set_line_width (cr, 2);
  cairo_set_line_join (cr, CAIRO_LINE_JOIN_ROUND);
  /* Bitrate in Adwaita's blue, fps in its orange (the legend says so). */
  cairo_set_source_rgb (cr, 0.21, 0.52, 0.89);
  draw_series (cr, self, FALSE, top_kbps, width, height);
  cairo_set_source_rgb (cr, 1.0, 0.47, 0.0);
  draw_series (cr, self, TRUE, top_fps, width, height);
}

/* ---- figures ------------------------------------------------------------ */

static GtkWidget *
add_figure (GtkGrid    *grid,
            int         column,
            int         row,
            const char *title)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 2);
  GtkWidget *caption = gtk_label_new (title);
  GtkWidget *value = gtk_label_new ("–");

  gtk_label_set_xalign (GTK_LABEL (caption), 0);
  gtk_widget_add_css_class (caption, "caption");
  gtk_widget_add_css_class (caption, "dim-label");
  gtk_label_set_xalign (GTK_LABEL (value), 0);
  gtk_widget_add_css_class (value, "title-4");
  gtk_widget_add_css_class (value, "numeric");
  gtk_box_append (GTK_BOX (box), caption);
  gtk_box_append (GTK_BOX (box), value);
  gtk_widget_set_hexpand (box, TRUE);
  gtk_grid_attach (grid, box, column, row, 1, 1);
  return value;
}

static char *
format_duration (gint64 us)
{
  gint64 s = MAX (us, 0) / G_USEC_PER_SEC;

  return g_strdup_printf ("%02d:%02d:%02d", (int) (s / 3600), (int) (s / 60 % 60), (int) (s % 60));
}

void
pa_stream_stats_view_set_stats (PaStreamStatsView   *self,
                                const PaStreamStats *stats)
{
  PaStreamStats fps_only;
  PaStreamStats dropped_only;
  g_autofree char *message = NULL;
  g_autofree char *text = NULL;
  guint64 total;

  g_return_if_fail (PA_IS_STREAM_STATS_VIEW (self));
  g_return_if_fail (stats != NULL);

  self->health = pa_stream_stats_get_health (stats, &message);
  self->target_fps = stats->target_fps;
  gtk_label_set_text (GTK_LABEL (self->health_label),
                      message != NULL ? message : _("The stream is doing well."));
  set_health_class (self->health_label, self->health, TRUE);

  /* Each figure judged on its own, the other one made perfect. */
  fps_only = *stats;
  fps_only.dropped = 0;
  dropped_only = *stats;
  dropped_only.fps = stats->target_fps;
  set_health_class (self->fps_label, pa_stream_stats_get_health (&fps_only, NULL), FALSE);
  set_health_class (self->dropped_label, pa_stream_stats_get_health (&dropped_only, NULL), FALSE);

  if (stats->target_fps > 0)
    /* Translators: frames per second out of the encoder, then what was asked. */
    text = g_strdup_printf (_("%.1f of %.0f"), stats->fps, stats->target_fps);
  else
    text = g_strdup_printf ("%.1f", stats->fps);
  gtk_label_set_text (GTK_LABEL (self->fps_label), text);
  g_free (text);

  /* Translators: a bitrate in kilobits per second. */
  text = g_strdup_printf (_("%.0f kbit/s"), stats->bitrate / 1000.0);
  gtk_label_set_text (GTK_LABEL (self->bitrate_label), text);
  g_free (text);

  total = stats->frames + stats->dropped;
  {
    g_autofree char *count = g_strdup_printf ("%" G_GUINT64_FORMAT, stats->dropped);

    /* Translators: a number of frames, then its share of all frames in percent. */
    text = g_strdup_printf (_("%s (%.1f %%)"), count,
                            total > 0 ? 100.0 * stats->dropped / total : 0.0);
  }
  gtk_label_set_text (GTK_LABEL (self->dropped_label), text);
  g_free (text);

  text = g_strdup_printf ("%" G_GUINT64_FORMAT, stats->late);
  gtk_label_set_text (GTK_LABEL (self->late_label), text);
  g_free (text);

  /* Translators: the share of each frame's time the encoder needs, in percent. */
  text = g_strdup_printf (_("%.0f %%"), stats->encoder_load * 100);
  gtk_label_set_text (GTK_LABEL (self->load_label), text);
  g_free (text);

  text = format_duration (stats->live_time);
  gtk_label_set_text (GTK_LABEL (self->time_label), text);

  self->samples[self->next] = (Sample) { stats->fps, stats->bitrate / 1000.0 };
  self->next = (self->next + 1) % PA_STREAM_STATS_VIEW_HISTORY;
  self->n_samples = MIN (self->n_samples + 1, PA_STREAM_STATS_VIEW_HISTORY);
  gtk_widget_queue_draw (self->chart);
}

void
pa_stream_stats_view_clear (PaStreamStatsView *self)
{
  GtkWidget *figures[] = {
    self->fps_label, self->bitrate_label, self->dropped_label,
    self->late_label, self->load_label, self->time_label,
  };

  g_return_if_fail (PA_IS_STREAM_STATS_VIEW (self));

  for (guint i = 0; i < G_N_ELEMENTS (figures); i++)
    {
      gtk_label_set_text (GTK_LABEL (figures[i]), "–");
      set_health_class (figures[i], PA_STREAM_HEALTH_GOOD, FALSE);
    }
  self->health = PA_STREAM_HEALTH_GOOD;
  self->n_samples = 0;
  self->next = 0;
  self->target_fps = 0;
  memset (self->samples, 0, sizeof self->samples);
  gtk_label_set_text (GTK_LABEL (self->health_label), _("Not recording or live."));
  set_health_class (self->health_label, PA_STREAM_HEALTH_GOOD, FALSE);
  gtk_widget_queue_draw (self->chart);
}

/* ---- the object --------------------------------------------------------- */

static void
pa_stream_stats_view_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (pa_stream_stats_view_parent_class)->dispose (object);
}

static void
pa_stream_stats_view_class_init (PaStreamStatsViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_stream_stats_view_dispose;
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BOX_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "streamstats");
}

/* A line of the chart's colour, then what it is. */
static GtkWidget *
legend (const char *text,
        guint16     red,
        guint16     green,
        guint16     blue,
        const char *line)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 4);
  GtkWidget *swatch = gtk_label_new (line);
  GtkWidget *label = gtk_label_new (text);
  PangoAttrList *attrs = pango_attr_list_new ();

  pango_attr_list_insert (attrs, pango_attr_foreground_new (red, green, blue));
  pango_attr_list_insert (attrs, pango_attr_weight_new (PANGO_WEIGHT_BOLD));
  gtk_label_set_attributes (GTK_LABEL (swatch), attrs);
  pango_attr_list_unref (attrs);
  gtk_widget_add_css_class (label, "caption");
  gtk_box_append (GTK_BOX (box), swatch);
  gtk_box_append (GTK_BOX (box), label);
  return box;
}

static void
pa_stream_stats_view_init (PaStreamStatsView *self)
{
  GtkWidget *widget = GTK_WIDGET (self);
  GtkWidget *grid = gtk_grid_new ();
  GtkWidget *legends = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);

  gtk_orientable_set_orientation (GTK_ORIENTABLE (gtk_widget_get_layout_manager (widget)),
                                  GTK_ORIENTATION_VERTICAL);
  gtk_box_layout_set_spacing (GTK_BOX_LAYOUT (gtk_widget_get_layout_manager (widget)), 12);

  self->health_label = gtk_label_new (NULL);
  gtk_label_set_wrap (GTK_LABEL (self->health_label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (self->health_label), 0);
  gtk_widget_add_css_class (self->health_label, "heading");
  gtk_widget_set_parent (self->health_label, widget);

  gtk_grid_set_column_spacing (GTK_GRID (grid), 18);
  gtk_grid_set_row_spacing (GTK_GRID (grid), 12);
  gtk_grid_set_column_homogeneous (GTK_GRID (grid), TRUE);
  self->fps_label = add_figure (GTK_GRID (grid), 0, 0, _("Output fps"));
  self->bitrate_label = add_figure (GTK_GRID (grid), 1, 0, _("Bitrate"));
  self->time_label = add_figure (GTK_GRID (grid), 2, 0, _("Time"));
  self->dropped_label = add_figure (GTK_GRID (grid), 0, 1, _("Dropped frames"));
  self->late_label = add_figure (GTK_GRID (grid), 1, 1, _("Late frames"));
  self->load_label = add_figure (GTK_GRID (grid), 2, 1, _("Encoder load"));
  gtk_widget_set_parent (grid, widget);

  self->chart = gtk_drawing_area_new ();
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (self->chart), 64);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (self->chart), draw_chart, self, NULL);
  gtk_widget_set_tooltip_text (self->chart, _("Bitrate and fps over the last minute"));
  gtk_widget_set_parent (self->chart, widget);

  /* The chart's colours, in Pango's 16-bit channels. */
  gtk_box_append (GTK_BOX (legends), legend (_("Bitrate"), 0x3535, 0x8484, 0xe4e4, "—"));
  gtk_box_append (GTK_BOX (legends), legend (_("Output fps"), 0xffff, 0x7878, 0x0000, "—"));
  gtk_box_append (GTK_BOX (legends), legend (_("Target fps"), 0x8888, 0x8888, 0x8888, "- -"));
  gtk_widget_set_parent (legends, widget);

  pa_stream_stats_view_clear (self);
}

GtkWidget *
pa_stream_stats_view_new (void)
{
  return g_object_new (PA_TYPE_STREAM_STATS_VIEW, NULL);
}

PaStreamHealth
pa_stream_stats_view_get_health (PaStreamStatsView *self)
{
  g_return_val_if_fail (PA_IS_STREAM_STATS_VIEW (self), PA_STREAM_HEALTH_GOOD);
  return self->health;
}

GtkWidget *
pa_stream_stats_view_get_health_label (PaStreamStatsView *self)
{
  g_return_val_if_fail (PA_IS_STREAM_STATS_VIEW (self), NULL);
  return self->health_label;
}

GtkWidget *
pa_stream_stats_view_get_fps_label (PaStreamStatsView *self)
{
  g_return_val_if_fail (PA_IS_STREAM_STATS_VIEW (self), NULL);
  return self->fps_label;
}

GtkWidget *
pa_stream_stats_view_get_dropped_label (PaStreamStatsView *self)
{
  g_return_val_if_fail (PA_IS_STREAM_STATS_VIEW (self), NULL);
  return self->dropped_label;
}

guint
pa_stream_stats_view_get_n_samples (PaStreamStatsView *self)
{
  g_return_val_if_fail (PA_IS_STREAM_STATS_VIEW (self), 0);
  return self->n_samples;
}
