/* pa-compare-view.c — a picture before and after, split by a divider the
 * user drags
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-compare-view.h"
#include "pa-gui-util.h"

#define HANDLE_RADIUS 14.0
#define MIN_SIZE      120
#define NATURAL_MAX   640

struct _PaCompareView
{
  GtkWidget     parent_instance;

  GdkPaintable *before;
  GdkPaintable *after;
  double        position;
  double        drag_start_x;
};

G_DEFINE_FINAL_TYPE (PaCompareView, pa_compare_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BEFORE,
  PROP_AFTER,
  PROP_POSITION,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static GdkPaintable *
shape_source (PaCompareView *self)
{
  return self->before != NULL ? self->before : self->after;
}

/* Where the pictures are drawn: both are the same picture, before and
 * after, so the first one's shape is theirs. */
static gboolean
picture_rect (PaCompareView   *self,
              graphene_rect_t *rect)
{
  return pa_gui_fit_paintable (shape_source (self), gtk_widget_get_width (GTK_WIDGET (self)),
                               gtk_widget_get_height (GTK_WIDGET (self)), rect);
}

static void
update_accessible_value (PaCompareView *self)
{
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_NOW, self->position * 100.0,
                                  -1);
}

static void
set_position_from_x (PaCompareView *self,
                     double         x)
{
  graphene_rect_t rect;

  if (picture_rect (self, &rect) && rect.size.width > 0)
    pa_compare_view_set_position (self, (x - rect.origin.x) / rect.size.width);
}

static void
on_drag_begin (GtkGestureDrag *gesture,
               double          x,
               double          y,
               PaCompareView  *self)
{
  self->drag_start_x = x;
  set_position_from_x (self, x);
  gtk_widget_grab_focus (GTK_WIDGET (self));
}

static void
on_drag_update (GtkGestureDrag *gesture,
                double          offset_x,
                double          offset_y,
                PaCompareView  *self)
{
  set_position_from_x (self, self->drag_start_x + offset_x);
}

static gboolean
on_key_pressed (GtkEventControllerKey *controller,
                guint                  keyval,
                guint                  keycode,
                GdkModifierType        state,
                PaCompareView         *self)
{
  switch (keyval)
    {
    case GDK_KEY_Left:
    case GDK_KEY_KP_Left:
      pa_compare_view_set_position (self, self->position - PA_COMPARE_VIEW_KEY_STEP);
      return GDK_EVENT_STOP;
    case GDK_KEY_Right:
    case GDK_KEY_KP_Right:
      pa_compare_view_set_position (self, self->position + PA_COMPARE_VIEW_KEY_STEP);
      return GDK_EVENT_STOP;
    case GDK_KEY_Home:
    case GDK_KEY_KP_Home:
      pa_compare_view_set_position (self, 0.0);
      return GDK_EVENT_STOP;
    case GDK_KEY_End:
    case GDK_KEY_KP_End:
      pa_compare_view_set_position (self, 1.0);
      return GDK_EVENT_STOP;
    default:
      return GDK_EVENT_PROPAGATE;
    }
}

static void
snapshot_paintable (GtkSnapshot           *snapshot,
                    GdkPaintable          *paintable,
                    const graphene_rect_t *rect)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rect->origin.x, rect->origin.y));
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), rect->size.width, rect->size.height);
  gtk_snapshot_restore (snapshot);
}

/* A caption in a dark chip, so it reads on any picture. */
static void
snapshot_caption (PaCompareView *self,
                  GtkSnapshot   *snapshot,
                  const char    *text,
                  double         x,
                  double         y,
                  gboolean       align_right)
{
  g_autoptr(PangoLayout) layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  GskRoundedRect chip;
  int width;
  int height;

  pango_layout_get_pixel_size (layout, &width, &height);
  if (align_right)
    x -= width + 16;

  gsk_rounded_rect_init_from_rect (&chip, &GRAPHENE_RECT_INIT (x, y, width + 16, height + 8),
                                   (height + 8) / 2.0);
  gtk_snapshot_push_rounded_clip (snapshot, &chip);
  gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0, 0, 0, 0.6 }, &chip.bounds);
  gtk_snapshot_pop (snapshot);

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x + 8, y + 4));
  gtk_snapshot_append_layout (snapshot, layout, &(GdkRGBA) { 1, 1, 1, 1 });
  gtk_snapshot_restore (snapshot);
}

static void
pa_compare_view_snapshot (GtkWidget   *widget,
                          GtkSnapshot *snapshot)
{
  PaCompareView *self = PA_COMPARE_VIEW (widget);
  static const GdkRGBA white = { 1, 1, 1, 1 };
  static const GdkRGBA shade = { 0, 0, 0, 0.35 };
  graphene_rect_t rect;
  GskRoundedRect handle;
  double x;
  double middle;

  if (!picture_rect (self, &rect))
    return;

  x = rect.origin.x + rect.size.width * self->position;
  middle = rect.origin.y + rect.size.height / 2;

  if (self->before != NULL)
    {
      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (rect.origin.x, rect.origin.y,
                                                             x - rect.origin.x, rect.size.height));
      snapshot_paintable (snapshot, self->before, &rect);
      gtk_snapshot_pop (snapshot);
    }
  if (self->after != NULL)
    {
      gtk_snapshot_push_clip (snapshot, &GRAPHENE_RECT_INIT (x, rect.origin.y,
                                                             rect.origin.x + rect.size.width - x,
                                                             rect.size.height));
      snapshot_paintable (snapshot, self->after, &rect);
      gtk_snapshot_pop (snapshot);
    }

  snapshot_caption (self, snapshot, _("Before"), rect.origin.x + 8, rect.origin.y + 8, FALSE);
  snapshot_caption (self, snapshot, _("After"), rect.origin.x + rect.size.width - 8,
                    rect.origin.y + 8, TRUE);

  /* The divider, and a round handle on it that says "drag me". */
  gtk_snapshot_append_color (snapshot, &shade,
                             &GRAPHENE_RECT_INIT (x - 2, rect.origin.y, 4, rect.size.height));
  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (x - 1, rect.origin.y, 2, rect.size.height));
  gsk_rounded_rect_init_from_rect (&handle,
                                   &GRAPHENE_RECT_INIT (x - HANDLE_RADIUS, middle - HANDLE_RADIUS,
                                                        2 * HANDLE_RADIUS, 2 * HANDLE_RADIUS),
                                   HANDLE_RADIUS);
  gtk_snapshot_push_rounded_clip (snapshot, &handle);
  gtk_snapshot_append_color (snapshot, &white, &handle.bounds);
  gtk_snapshot_pop (snapshot);
  gtk_snapshot_append_border (snapshot, &handle, (float[4]) { 2, 2, 2, 2 },
                              (GdkRGBA[4]) { shade, shade, shade, shade });
  /* Two small arrows, ◀ ▶, drawn as bars so no font is needed. */
  for (int side = -1; side <= 1; side += 2)
    for (int i = 0; i < 4; i++)
      gtk_snapshot_append_color (snapshot, &(GdkRGBA) { 0.2, 0.2, 0.2, 1 },
                                 &GRAPHENE_RECT_INIT (x + side * (4 + i) - (side < 0 ? 1 : 0),
                                                      middle - (4 - i), 1, 2 * (4 - i)));

  if (gtk_widget_has_visible_focus (widget))
    {
      GskRoundedRect ring;

      gsk_rounded_rect_init_from_rect (&ring, &GRAPHENE_RECT_INIT (x - HANDLE_RADIUS - 3,
                                                                   middle - HANDLE_RADIUS - 3,
                                                                   2 * HANDLE_RADIUS + 6,
                                                                   2 * HANDLE_RADIUS + 6),
                                       HANDLE_RADIUS + 3);
      gtk_snapshot_append_border (snapshot, &ring, (float[4]) { 2, 2, 2, 2 },
                                  (GdkRGBA[4]) { white, white, white, white });
    }
}

static void
pa_compare_view_measure (GtkWidget      *widget,
                         GtkOrientation  orientation,
                         int             for_size,
                         int            *minimum,
                         int            *natural,
                         int            *minimum_baseline,
                         int            *natural_baseline)
{
  pa_gui_measure_paintable (shape_source (PA_COMPARE_VIEW (widget)), orientation,
                            MIN_SIZE, NATURAL_MAX, minimum, natural);
}

static void
set_paintable (PaCompareView  *self,
               GdkPaintable  **slot,
               GdkPaintable   *paintable,
               GParamSpec     *pspec)
{
  if (*slot == paintable)
    return;

  pa_gui_set_paintable (GTK_WIDGET (self), slot, paintable);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
pa_compare_view_dispose (GObject *object)
{
  PaCompareView *self = PA_COMPARE_VIEW (object);

  set_paintable (self, &self->before, NULL, properties[PROP_BEFORE]);
  set_paintable (self, &self->after, NULL, properties[PROP_AFTER]);

  G_OBJECT_CLASS (pa_compare_view_parent_class)->dispose (object);
}

static void
pa_compare_view_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  PaCompareView *self = PA_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BEFORE:
      g_value_set_object (value, self->before);
      break;
    case PROP_AFTER:
      g_value_set_object (value, self->after);
      break;
    case PROP_POSITION:
      g_value_set_double (value, self->position);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_compare_view_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  PaCompareView *self = PA_COMPARE_VIEW (object);

  switch (prop_id)
    {
    case PROP_BEFORE:
      pa_compare_view_set_before (self, g_value_get_object (value));
      break;
    case PROP_AFTER:
      pa_compare_view_set_after (self, g_value_get_object (value));
      break;
    case PROP_POSITION:
      pa_compare_view_set_position (self, g_value_get_double (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_compare_view_class_init (PaCompareViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_compare_view_dispose;
  object_class->get_property = pa_compare_view_get_property;
  object_class->set_property = pa_compare_view_set_property;

  widget_class->snapshot = pa_compare_view_snapshot;
  widget_class->measure = pa_compare_view_measure;

  properties[PROP_BEFORE] =
    g_param_spec_object ("before", NULL, NULL,
                         GDK_TYPE_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AFTER] =
    g_param_spec_object ("after", NULL, NULL,
                         GDK_TYPE_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_POSITION] =
    g_param_spec_double ("position", NULL, NULL,
                         0.0, 1.0, 0.5,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "compare-view");
  /* To assistive technology it is what it is to the hand: a slider. */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_SLIDER);
}

static void
pa_compare_view_init (PaCompareView *self)
{
  GtkGesture *drag;
  GtkEventController *keys;

  self->position = 0.5;

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_focus_on_click (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "col-resize");
  gtk_widget_set_tooltip_text (GTK_WIDGET (self),
                               _("Drag the divider, or use the arrow keys, to compare"));

  drag = gtk_gesture_drag_new ();
  g_signal_connect (drag, "drag-begin", G_CALLBACK (on_drag_begin), self);
  g_signal_connect (drag, "drag-update", G_CALLBACK (on_drag_update), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (drag));

  keys = gtk_event_controller_key_new ();
  g_signal_connect (keys, "key-pressed", G_CALLBACK (on_key_pressed), self);
  gtk_widget_add_controller (GTK_WIDGET (self), keys);

  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Before and after"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                  _("The original on the left of the divider, the result on its right"),
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MIN, 0.0,
                                  GTK_ACCESSIBLE_PROPERTY_VALUE_MAX, 100.0,
                                  -1);
  update_accessible_value (self);
}

GtkWidget *
pa_compare_view_new (void)
{
  return g_object_new (PA_TYPE_COMPARE_VIEW, NULL);
}

GdkPaintable *
pa_compare_view_get_before (PaCompareView *self)
{
  g_return_val_if_fail (PA_IS_COMPARE_VIEW (self), NULL);

  return self->before;
}

void
pa_compare_view_set_before (PaCompareView *self,
                            GdkPaintable  *before)
{
  g_return_if_fail (PA_IS_COMPARE_VIEW (self));
  g_return_if_fail (before == NULL || GDK_IS_PAINTABLE (before));

  set_paintable (self, &self->before, before, properties[PROP_BEFORE]);
}

GdkPaintable *
pa_compare_view_get_after (PaCompareView *self)
{
  g_return_val_if_fail (PA_IS_COMPARE_VIEW (self), NULL);

  return self->after;
}

void
pa_compare_view_set_after (PaCompareView *self,
                           GdkPaintable  *after)
{
  g_return_if_fail (PA_IS_COMPARE_VIEW (self));
  g_return_if_fail (after == NULL || GDK_IS_PAINTABLE (after));

  set_paintable (self, &self->after, after, properties[PROP_AFTER]);
}

double
pa_compare_view_get_position (PaCompareView *self)
{
  g_return_val_if_fail (PA_IS_COMPARE_VIEW (self), 0.5);

  return self->position;
}

void
pa_compare_view_set_position (PaCompareView *self,
                              double         position)
{
  g_return_if_fail (PA_IS_COMPARE_VIEW (self));

  position = CLAMP (position, 0.0, 1.0);
  if (G_APPROX_VALUE (self->position, position, 1e-9))
    return;

  self->position = position;
  update_accessible_value (self);
  gtk_widget_queue_draw (GTK_WIDGET (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_POSITION]);
}
