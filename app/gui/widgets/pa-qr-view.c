/* pa-qr-view.c — draws a QR code, crisp at any size
 *
 * Scanners want hard edges and contrast: every module is a whole number
 * of pixels, the code is black on white with its quiet zone whatever the
 * theme (a dark-mode code in light-on-dark fails many phone cameras), and
 * the square is centred in whatever space the widget gets.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-qr-view.h"

#define QUIET_ZONE      4
#define NATURAL_SIZE    240
/* Below two pixels a module, cameras start to miss the code. */
#define MIN_MODULE_SIZE 2

struct _PaQrView
{
  GtkWidget  parent_instance;

  char      *text;
  PaQrCode  *code;
  char      *error;
};

G_DEFINE_FINAL_TYPE (PaQrView, pa_qr_view, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_TEXT,
  PROP_CODE,
  PROP_ERROR,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static guint
modules_per_side (PaQrView *self)
{
  return self->code != NULL ? pa_qr_code_get_size (self->code) + 2 * QUIET_ZONE : 0;
}

static void
pa_qr_view_measure (GtkWidget      *widget,
                    GtkOrientation  orientation,
                    int             for_size,
                    int            *minimum,
                    int            *natural,
                    int            *minimum_baseline,
                    int            *natural_baseline)
{
  PaQrView *self = PA_QR_VIEW (widget);
  int min_side = (int) (modules_per_side (self) * MIN_MODULE_SIZE);

  *minimum = min_side;
  *natural = MAX (min_side, NATURAL_SIZE);
}

static void
pa_qr_view_snapshot (GtkWidget   *widget,
                     GtkSnapshot *snapshot)
{
  PaQrView *self = PA_QR_VIEW (widget);
  static const GdkRGBA white = { 1.0, 1.0, 1.0, 1.0 };
  static const GdkRGBA black = { 0.0, 0.0, 0.0, 1.0 };
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  guint modules = modules_per_side (self);
  guint size;
  int module, side, left, top;

  if (modules == 0)
    return;

  /* The largest whole number of pixels per module that fits, and never
   * less than one: a cramped code is still drawn, only cropped. */
  module = MAX (1, MIN (width, height) / (int) modules);
  side = module * (int) modules;
  left = (width - side) / 2;
  top = (height - side) / 2;

  gtk_snapshot_append_color (snapshot, &white,
                             &GRAPHENE_RECT_INIT (left, top, side, side));

  /* Runs of dark modules in a row are one rectangle each: fewer nodes,
   * and no hairline seams between neighbours when scaled. */
  size = pa_qr_code_get_size (self->code);
  for (guint y = 0; y < size; y++)
    {
      guint x = 0;

      while (x < size)
        {
          guint start;

          if (!pa_qr_code_is_dark (self->code, (int) x, (int) y))
            {
              x++;
              continue;
            }
          start = x;
          while (x < size && pa_qr_code_is_dark (self->code, (int) x, (int) y))
            x++;
          gtk_snapshot_append_color (snapshot, &black,
                                     &GRAPHENE_RECT_INIT (left + (int) (start + QUIET_ZONE) * module,
                                                          top + (int) (y + QUIET_ZONE) * module,
                                                          (int) (x - start) * module,
                                                          module));
        }
    }
}

static void
update_accessible (PaQrView *self)
{
  if (self->code != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("QR code"),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, self->text,
                                    -1);
  else
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, _("No QR code"),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION,
                                    self->error != NULL ? self->error : "",
                                    -1);
}

static void
pa_qr_view_get_property (GObject    *object,
                         guint       prop_id,
                         GValue     *value,
                         GParamSpec *pspec)
{
  PaQrView *self = PA_QR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    case PROP_CODE:
      g_value_set_object (value, self->code);
      break;
    case PROP_ERROR:
      g_value_set_string (value, self->error);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_qr_view_set_property (GObject      *object,
                         guint         prop_id,
                         const GValue *value,
                         GParamSpec   *pspec)
{
  PaQrView *self = PA_QR_VIEW (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      pa_qr_view_set_text (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_qr_view_finalize (GObject *object)
{
  PaQrView *self = PA_QR_VIEW (object);

  g_free (self->text);
  g_clear_object (&self->code);
  g_free (self->error);

  G_OBJECT_CLASS (pa_qr_view_parent_class)->finalize (object);
}

static void
pa_qr_view_class_init (PaQrViewClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->get_property = pa_qr_view_get_property;
  object_class->set_property = pa_qr_view_set_property;
  object_class->finalize = pa_qr_view_finalize;

  widget_class->measure = pa_qr_view_measure;
  widget_class->snapshot = pa_qr_view_snapshot;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_CODE] =
    g_param_spec_object ("code", NULL, NULL, PA_TYPE_QR_CODE,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /* Why the text could not be encoded, for the page to show; NULL when
   * it could (or there is none). */
  properties[PROP_ERROR] =
    g_param_spec_string ("error", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_css_name (widget_class, "qr-view");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_IMG);
}

static void
pa_qr_view_init (PaQrView *self)
{
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  update_accessible (self);
}

GtkWidget *
pa_qr_view_new (void)
{
  return g_object_new (PA_TYPE_QR_VIEW, NULL);
}

void
pa_qr_view_set_text (PaQrView   *self,
                     const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaQrCode) code = NULL;
  gboolean had_error;

  g_return_if_fail (PA_IS_QR_VIEW (self));

  if (text != NULL && *text == '\0')
    text = NULL;
  if (g_strcmp0 (text, self->text) == 0)
    return;

  if (text != NULL)
    code = pa_qr_code_new (text, &error);

  g_free (self->text);
  self->text = g_strdup (text);
  g_set_object (&self->code, code);
  had_error = self->error != NULL;
  g_clear_pointer (&self->error, g_free);
  if (error != NULL)
    self->error = g_strdup (error->message);

  update_accessible (self);
  gtk_widget_queue_resize (GTK_WIDGET (self));

  g_object_freeze_notify (G_OBJECT (self));
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CODE]);
  if (had_error || self->error != NULL)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ERROR]);
  g_object_thaw_notify (G_OBJECT (self));
}

const char *
pa_qr_view_get_text (PaQrView *self)
{
  g_return_val_if_fail (PA_IS_QR_VIEW (self), NULL);
  return self->text;
}

PaQrCode *
pa_qr_view_get_code (PaQrView *self)
{
  g_return_val_if_fail (PA_IS_QR_VIEW (self), NULL);
  return self->code;
}
