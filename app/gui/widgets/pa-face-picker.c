/* pa-face-picker.c — a picture with its faces as numbered boxes to click
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "playalter.h"

#include "pa-face-picker.h"
#include "pa-gui-util.h"

#define MIN_SIZE    96
#define NATURAL_MAX 640

struct _PaFacePicker
{
  GtkWidget     parent_instance;

  GdkPaintable *paintable;
  GPtrArray    *faces;       /* PaFace */
  GPtrArray    *boxes;       /* GtkToggleButton, one per face, unowned (children) */
  int           width;       /* of the picture the faces were found in */
  int           height;
  gboolean      single;
  gboolean      updating;
};

G_DEFINE_FINAL_TYPE (PaFacePicker, pa_face_picker, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_PAINTABLE,
  PROP_SINGLE,
  N_PROPS
};

enum {
  CHANGED,
  N_SIGNALS
};

static GParamSpec *properties[N_PROPS];
static guint signals[N_SIGNALS];

/* The picture's place in the widget, and pixels of the widget per pixel
 * of the picture the faces were found in. */
static gboolean
picture_rect (PaFacePicker    *self,
              int              width,
              int              height,
              graphene_rect_t *rect,
              double          *scale)
{
  if (!pa_gui_fit_paintable (self->paintable, width, height, rect))
    return FALSE;
  if (scale != NULL)
    *scale = self->width > 0 ? rect->size.width / self->width : 1.0;
  return TRUE;
}

static void
pa_face_picker_measure (GtkWidget      *widget,
                        GtkOrientation  orientation,
                        int             for_size,
                        int            *minimum,
                        int            *natural,
                        int            *minimum_baseline,
                        int            *natural_baseline)
{
  PaFacePicker *self = PA_FACE_PICKER (widget);

  /* The boxes follow the picture wherever it is: they ask for nothing. */
  for (guint i = 0; i < self->boxes->len; i++)
    gtk_widget_measure (g_ptr_array_index (self->boxes, i), orientation, -1,
                        NULL, NULL, NULL, NULL);

  pa_gui_measure_paintable (self->paintable, orientation, MIN_SIZE, NATURAL_MAX,
                            minimum, natural);
}

static void
pa_face_picker_size_allocate (GtkWidget *widget,
                              int        width,
                              int        height,
                              int        baseline)
{
  PaFacePicker *self = PA_FACE_PICKER (widget);
  graphene_rect_t rect;
  double scale = 1.0;
  gboolean placed = picture_rect (self, width, height, &rect, &scale);

  for (guint i = 0; i < self->boxes->len; i++)
    {
      GtkWidget *box = g_ptr_array_index (self->boxes, i);
      const PaFace *face = g_ptr_array_index (self->faces, i);
      GtkAllocation allocation = { 0, };
      int min_width;
      int min_height;

      gtk_widget_set_child_visible (box, placed);
      if (!placed)
        continue;

      gtk_widget_measure (box, GTK_ORIENTATION_HORIZONTAL, -1, &min_width, NULL, NULL, NULL);
      gtk_widget_measure (box, GTK_ORIENTATION_VERTICAL, -1, &min_height, NULL, NULL, NULL);

      /* A face of a few pixels still gets a box big enough for its
       * number, centred on it. */
      allocation.width = MAX (min_width, (int) (face->box.width * scale + 0.5));
      allocation.height = MAX (min_height, (int) (face->box.height * scale + 0.5));
      allocation.x = (int) (rect.origin.x + (face->box.x + face->box.width / 2.0) * scale
                            - allocation.width / 2.0);
      allocation.y = (int) (rect.origin.y + (face->box.y + face->box.height / 2.0) * scale
                            - allocation.height / 2.0);
      gtk_widget_size_allocate (box, &allocation, -1);
    }
}

static void
pa_face_picker_snapshot (GtkWidget   *widget,
                         GtkSnapshot *snapshot)
{
  PaFacePicker *self = PA_FACE_PICKER (widget);
  graphene_rect_t rect;

  if (!picture_rect (self, gtk_widget_get_width (widget), gtk_widget_get_height (widget),
                     &rect, NULL))
    return;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (rect.origin.x, rect.origin.y));
  gdk_paintable_snapshot (self->paintable, GDK_SNAPSHOT (snapshot),
                          rect.size.width, rect.size.height);
  gtk_snapshot_restore (snapshot);

  for (guint i = 0; i < self->boxes->len; i++)
    gtk_widget_snapshot_child (widget, g_ptr_array_index (self->boxes, i), snapshot);
}

static void
on_box_toggled (PaFacePicker    *self,
                GtkToggleButton *box)
{
  if (self->updating)
    return;

  /* A group emits twice for one click (one off, one on): tell once, for
   * the face turned on. */
  if (self->single && !gtk_toggle_button_get_active (box))
    return;

  g_signal_emit (self, signals[CHANGED], 0);
}

static void
clear_boxes (PaFacePicker *self)
{
  for (guint i = 0; i < self->boxes->len; i++)
    gtk_widget_unparent (g_ptr_array_index (self->boxes, i));
  g_ptr_array_set_size (self->boxes, 0);
}

static int
largest_good_face (PaFacePicker *self)
{
  int best = -1;

  for (guint i = 0; i < self->faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (self->faces, i);

      if (face->quality != PA_FACE_QUALITY_GOOD)
        continue;
      if (best < 0 ||
          face->eye_distance > ((PaFace *) g_ptr_array_index (self->faces, best))->eye_distance)
        best = i;
    }

  return best;
}

/* Builds one box per face, and chooses what the engine would by default
 * (every good face; the largest in single mode). */
static void
rebuild_boxes (PaFacePicker *self)
{
  GtkToggleButton *group = NULL;
  int largest = largest_good_face (self);

  clear_boxes (self);
  self->updating = TRUE;

  for (guint i = 0; i < self->faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (self->faces, i);
      gboolean good = face->quality == PA_FACE_QUALITY_GOOD;
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      g_autofree char *name = NULL;
      g_autofree char *why = NULL;
      GtkWidget *box;
      GtkWidget *label;

      label = gtk_label_new (number);
      gtk_widget_set_halign (label, GTK_ALIGN_START);
      gtk_widget_set_valign (label, GTK_ALIGN_START);
      gtk_widget_add_css_class (label, "face-number");

      box = gtk_toggle_button_new ();
      gtk_button_set_child (GTK_BUTTON (box), label);
      gtk_widget_add_css_class (box, "face-box");
      gtk_widget_set_focus_on_click (box, FALSE);

      /* Translators: %u is a face's number, shown in its box. */
      name = g_strdup_printf (_("Face %u"), i + 1);
      if (good)
        {
          gtk_widget_set_tooltip_text (box, self->single
                                            ? _("Click to use this face")
                                            : _("Click to choose or leave this face"));
        }
      else
        {
          /* Not swapped, and not clickable, but the tooltip still shows
           * (GTK shows tooltips of insensitive widgets) and says why. */
          why = pa_face_describe_quality (face);
          gtk_widget_add_css_class (box, "poor");
          gtk_widget_set_sensitive (box, FALSE);
          gtk_widget_set_tooltip_text (box, why);
        }
      gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, name,
                                      -1);
      if (why != NULL)
        gtk_accessible_update_property (GTK_ACCESSIBLE (box),
                                        GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, why,
                                        -1);

      if (self->single && good)
        {
          if (group != NULL)
            gtk_toggle_button_set_group (GTK_TOGGLE_BUTTON (box), group);
          else
            group = GTK_TOGGLE_BUTTON (box);
        }
      gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (box),
                                    good && (!self->single || (int) i == largest));

      g_signal_connect_object (box, "toggled", G_CALLBACK (on_box_toggled), self,
                               G_CONNECT_SWAPPED);
      gtk_widget_set_parent (box, GTK_WIDGET (self));
      g_ptr_array_add (self->boxes, box);
    }

  self->updating = FALSE;
  gtk_widget_queue_resize (GTK_WIDGET (self));
  g_signal_emit (self, signals[CHANGED], 0);
}

static void
pa_face_picker_dispose (GObject *object)
{
  PaFacePicker *self = PA_FACE_PICKER (object);

  clear_boxes (self);
  pa_gui_set_paintable (GTK_WIDGET (self), &self->paintable, NULL);

  G_OBJECT_CLASS (pa_face_picker_parent_class)->dispose (object);
}

static void
pa_face_picker_finalize (GObject *object)
{
  PaFacePicker *self = PA_FACE_PICKER (object);

  g_clear_pointer (&self->faces, g_ptr_array_unref);
  g_clear_pointer (&self->boxes, g_ptr_array_unref);

  G_OBJECT_CLASS (pa_face_picker_parent_class)->finalize (object);
}

static void
pa_face_picker_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  PaFacePicker *self = PA_FACE_PICKER (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      g_value_set_object (value, self->paintable);
      break;
    case PROP_SINGLE:
      g_value_set_boolean (value, self->single);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_face_picker_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  PaFacePicker *self = PA_FACE_PICKER (object);

  switch (prop_id)
    {
    case PROP_PAINTABLE:
      pa_face_picker_set_paintable (self, g_value_get_object (value));
      break;
    case PROP_SINGLE:
      pa_face_picker_set_single (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_face_picker_class_init (PaFacePickerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_face_picker_dispose;
  object_class->finalize = pa_face_picker_finalize;
  object_class->get_property = pa_face_picker_get_property;
  object_class->set_property = pa_face_picker_set_property;

  widget_class->measure = pa_face_picker_measure;
  widget_class->size_allocate = pa_face_picker_size_allocate;
  widget_class->snapshot = pa_face_picker_snapshot;

  properties[PROP_PAINTABLE] =
    g_param_spec_object ("paintable", NULL, NULL,
                         GDK_TYPE_PAINTABLE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SINGLE] =
    g_param_spec_boolean ("single", NULL, NULL,
                          FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* The chosen faces changed, by a click or by new faces. */
  signals[CHANGED] = g_signal_new ("changed",
                                   G_TYPE_FROM_CLASS (klass),
                                   G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL,
                                   G_TYPE_NONE, 0);

  gtk_widget_class_set_css_name (widget_class, "face-picker");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
pa_face_picker_init (PaFacePicker *self)
{
  self->faces = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  self->boxes = g_ptr_array_new ();
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
}

GtkWidget *
pa_face_picker_new (void)
{
  return g_object_new (PA_TYPE_FACE_PICKER, NULL);
}

GdkPaintable *
pa_face_picker_get_paintable (PaFacePicker *self)
{
  g_return_val_if_fail (PA_IS_FACE_PICKER (self), NULL);

  return self->paintable;
}

void
pa_face_picker_set_paintable (PaFacePicker *self,
                              GdkPaintable *paintable)
{
  g_return_if_fail (PA_IS_FACE_PICKER (self));
  g_return_if_fail (paintable == NULL || GDK_IS_PAINTABLE (paintable));

  if (self->paintable == paintable)
    return;

  pa_gui_set_paintable (GTK_WIDGET (self), &self->paintable, paintable);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PAINTABLE]);
}

void
pa_face_picker_set_faces (PaFacePicker *self,
                          GPtrArray    *faces,
                          int           width,
                          int           height)
{
  g_return_if_fail (PA_IS_FACE_PICKER (self));

  g_ptr_array_set_size (self->faces, 0);
  for (guint i = 0; faces != NULL && i < faces->len; i++)
    g_ptr_array_add (self->faces, pa_face_copy (g_ptr_array_index (faces, i)));
  self->width = width;
  self->height = height;

  rebuild_boxes (self);
}

guint
pa_face_picker_get_n_faces (PaFacePicker *self)
{
  g_return_val_if_fail (PA_IS_FACE_PICKER (self), 0);

  return self->faces->len;
}

gboolean
pa_face_picker_get_single (PaFacePicker *self)
{
  g_return_val_if_fail (PA_IS_FACE_PICKER (self), FALSE);

  return self->single;
}

void
pa_face_picker_set_single (PaFacePicker *self,
                           gboolean      single)
{
  g_return_if_fail (PA_IS_FACE_PICKER (self));

  single = !!single;
  if (self->single == single)
    return;

  self->single = single;
  rebuild_boxes (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SINGLE]);
}

GtkWidget *
pa_face_picker_get_box (PaFacePicker *self,
                        guint         index)
{
  g_return_val_if_fail (PA_IS_FACE_PICKER (self), NULL);

  return index < self->boxes->len ? g_ptr_array_index (self->boxes, index) : NULL;
}

gboolean
pa_face_picker_is_chosen (PaFacePicker *self,
                          guint         index)
{
  GtkWidget *box = pa_face_picker_get_box (self, index);

  return box != NULL && gtk_toggle_button_get_active (GTK_TOGGLE_BUTTON (box));
}

void
pa_face_picker_set_chosen (PaFacePicker *self,
                           guint         index,
                           gboolean      chosen)
{
  GtkWidget *box = pa_face_picker_get_box (self, index);

  g_return_if_fail (box != NULL);

  if (gtk_widget_get_sensitive (box))
    gtk_toggle_button_set_active (GTK_TOGGLE_BUTTON (box), chosen);
}

GArray *
pa_face_picker_get_chosen (PaFacePicker *self)
{
  GArray *chosen;

  g_return_val_if_fail (PA_IS_FACE_PICKER (self), NULL);

  chosen = g_array_new (FALSE, FALSE, sizeof (int));
  for (guint i = 0; i < self->boxes->len; i++)
    {
      if (gtk_toggle_button_get_active (g_ptr_array_index (self->boxes, i)))
        {
          int index = i;

          g_array_append_val (chosen, index);
        }
    }

  return chosen;
}

double
pa_face_picker_get_face_x (PaFacePicker *self,
                           guint         index)
{
  const PaFace *face;

  g_return_val_if_fail (PA_IS_FACE_PICKER (self), -1.0);

  if (index >= self->faces->len || self->width <= 0)
    return -1.0;

  face = g_ptr_array_index (self->faces, index);
  return CLAMP ((face->box.x + face->box.width / 2.0) / self->width, 0.0, 1.0);
}
