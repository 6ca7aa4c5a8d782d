/* pa-stream-device.c — the cameras and microphones GStreamer's device
 * monitor sees
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gst/gst.h>

#include "pa-stream-device.h"
#include "pa-stream-source-private.h"

struct _PaStreamDevice {
  GObject             parent_instance;
  PaStreamDeviceKind  kind;
  char               *id;
  char               *name;
  GPtrArray          *modes;      /* of PaStreamDeviceMode */
  GstDevice          *device;     /* NULL for a camera known by its node only */
};

G_DEFINE_FINAL_TYPE (PaStreamDevice, pa_stream_device, G_TYPE_OBJECT)

G_DEFINE_BOXED_TYPE (PaStreamDeviceMode, pa_stream_device_mode,
                     pa_stream_device_mode_copy, pa_stream_device_mode_free)

PaStreamDeviceMode *
pa_stream_device_mode_copy (const PaStreamDeviceMode *mode)
{
  PaStreamDeviceMode *copy = g_memdup2 (mode, sizeof *mode);

  copy->format = g_strdup (mode->format);
  return copy;
}

void
pa_stream_device_mode_free (PaStreamDeviceMode *mode)
{
  if (mode == NULL)
    return;
  g_free (mode->format);
  g_free (mode);
}

static void
pa_stream_device_finalize (GObject *object)
{
  PaStreamDevice *self = PA_STREAM_DEVICE (object);

  g_free (self->id);
  g_free (self->name);
  g_ptr_array_unref (self->modes);
  gst_clear_object (&self->device);
  G_OBJECT_CLASS (pa_stream_device_parent_class)->finalize (object);
}

static void
pa_stream_device_class_init (PaStreamDeviceClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_device_finalize;
}

static void
pa_stream_device_init (PaStreamDevice *self)
{
  self->modes = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_stream_device_mode_free);
}

const char *
pa_stream_device_get_id (PaStreamDevice *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DEVICE (self), NULL);
  return self->id;
}

const char *
pa_stream_device_get_name (PaStreamDevice *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DEVICE (self), NULL);
  return self->name;
}

PaStreamDeviceKind
pa_stream_device_get_kind (PaStreamDevice *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DEVICE (self), PA_STREAM_DEVICE_CAMERA);
  return self->kind;
}

GPtrArray *
pa_stream_device_get_modes (PaStreamDevice *self)
{
  g_return_val_if_fail (PA_IS_STREAM_DEVICE (self), NULL);
  return self->modes;
}

GstDevice *
pa_stream_device_get_gst_device (PaStreamDevice *self)
{
  return self->device;
}

/* The largest value of an int field, fixed or a range. */
static gboolean
structure_max_int (const GstStructure *s,
                   const char         *field,
                   int                *value)
{
  const GValue *v = gst_structure_get_value (s, field);

  if (v == NULL)
    return FALSE;
  if (G_VALUE_HOLDS_INT (v))
    *value = g_value_get_int (v);
  else if (GST_VALUE_HOLDS_INT_RANGE (v))
    *value = gst_value_get_int_range_max (v);
  else
    return FALSE;
  return TRUE;
}

static void
add_mode (GPtrArray  *modes,
          int         width,
          int         height,
          int         fps_n,
          int         fps_d,
          const char *format)
{
  PaStreamDeviceMode *mode;

  for (guint i = 0; i < modes->len; i++)
    {
      mode = g_ptr_array_index (modes, i);
      if (mode->width == width && mode->height == height && g_strcmp0 (mode->format, format) == 0)
        {
          /* The same picture at several rates: keep the highest. */
          if ((gint64) fps_n * mode->fps_d > (gint64) mode->fps_n * fps_d)
            {
              mode->fps_n = fps_n;
              mode->fps_d = fps_d;
            }
          return;
        }
    }
  mode = g_new0 (PaStreamDeviceMode, 1);
  mode->width = width;
  mode->height = height;
  mode->fps_n = fps_n;
  mode->fps_d = fps_d;
  mode->format = g_strdup (format);
  g_ptr_array_add (modes, mode);
}

/* The highest frame rate a structure offers (a fraction, a list of
 * them or a range); 0/1 when it says none. */
static void
structure_max_rate (const GstStructure *s,
                    int                *fps_n,
                    int                *fps_d)
{
  const GValue *v = gst_structure_get_value (s, "framerate");

  *fps_n = 0;
  *fps_d = 1;
  if (v == NULL)
    return;
  if (GST_VALUE_HOLDS_FRACTION (v))
    {
      *fps_n = gst_value_get_fraction_numerator (v);
      *fps_d = gst_value_get_fraction_denominator (v);
    }
  else if (GST_VALUE_HOLDS_FRACTION_RANGE (v))
    {
      const GValue *max = gst_value_get_fraction_range_max (v);

      *fps_n = gst_value_get_fraction_numerator (max);
      *fps_d = gst_value_get_fraction_denominator (max);
    }
  else if (GST_VALUE_HOLDS_LIST (v))
    {
      for (guint i = 0; i < gst_value_list_get_size (v); i++)
        {
          const GValue *f = gst_value_list_get_value (v, i);
          int n, d;

          if (!GST_VALUE_HOLDS_FRACTION (f))
            continue;
          n = gst_value_get_fraction_numerator (f);
          d = gst_value_get_fraction_denominator (f);
          if (d > 0 && (gint64) n * *fps_d > (gint64) *fps_n * d)
            {
              *fps_n = n;
              *fps_d = d;
            }
        }
    }
}

/* A camera's modes from the caps it offers: raw video and MJPEG (what
 * the source can decode); compressed formats that would need another
 * decoder (H.264 from some webcams) are left out. */
static void
modes_from_caps (GPtrArray *modes,
                 GstCaps   *caps)
{
  for (guint i = 0; caps != NULL && i < gst_caps_get_size (caps); i++)
    {
      const GstStructure *s = gst_caps_get_structure (caps, i);
      const char *media = gst_structure_get_name (s);
      const char *format = NULL;
      int width, height, fps_n, fps_d;

      if (g_str_equal (media, "image/jpeg"))
        format = "MJPEG";
      else if (g_str_equal (media, "video/x-raw"))
        {
          const GValue *v = gst_structure_get_value (s, "format");

          if (v != NULL && G_VALUE_HOLDS_STRING (v))
            format = g_value_get_string (v);
          else if (v != NULL && GST_VALUE_HOLDS_LIST (v) && gst_value_list_get_size (v) > 0
                   && G_VALUE_HOLDS_STRING (gst_value_list_get_value (v, 0)))
            format = g_value_get_string (gst_value_list_get_value (v, 0));
          else
            format = "raw";
        }
      if (format == NULL
          || !structure_max_int (s, "width", &width)
          || !structure_max_int (s, "height", &height))
        continue;
      structure_max_rate (s, &fps_n, &fps_d);
      add_mode (modes, width, height, fps_n, fps_d, format);
    }
}

static int
compare_modes (gconstpointer a,
               gconstpointer b)
{
  const PaStreamDeviceMode *ma = *(PaStreamDeviceMode * const *) a;
  const PaStreamDeviceMode *mb = *(PaStreamDeviceMode * const *) b;
  gint64 area_a = (gint64) ma->width * ma->height, area_b = (gint64) mb->width * mb->height;
  double rate_a = ma->fps_d > 0 ? (double) ma->fps_n / ma->fps_d : 0;
  double rate_b = mb->fps_d > 0 ? (double) mb->fps_n / mb->fps_d : 0;

  if (area_a != area_b)
    return area_a > area_b ? -1 : 1;
  if (rate_a != rate_b)
    return rate_a > rate_b ? -1 : 1;
  return g_strcmp0 (ma->format, mb->format);
}

/* What a person and pa_stream_source_new_camera() know a camera by: its
 * device node when it has one (V4L2, or a PipeWire node over V4L2, so
 * one camera seen by both monitors is listed once); a sound device by
 * its name on the sound server, which is what pulsesrc's "device" takes
 * on PulseAudio and on PipeWire's PulseAudio server alike. */
static char *
device_id (GstDevice          *device,
           PaStreamDeviceKind  kind)
{
  g_autoptr(GstStructure) props = gst_device_get_properties (device);
  const char *value = NULL;

  if (kind == PA_STREAM_DEVICE_CAMERA)
    {
      if (props != NULL
          && ((value = gst_structure_get_string (props, "device.path")) != NULL
              || (value = gst_structure_get_string (props, "api.v4l2.path")) != NULL))
        return g_strdup (value);
      if (props != NULL
          && ((value = gst_structure_get_string (props, "node.name")) != NULL
              || (value = gst_structure_get_string (props, "object.serial")) != NULL))
        return g_strconcat ("pipewire:", value, NULL);
      return NULL;
    }

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (device), "internal-name") != NULL)
    {
      char *name = NULL;

      /* The PulseAudio monitor's devices. */
      g_object_get (device, "internal-name", &name, NULL);
      if (name != NULL)
        return name;
    }
  if (props != NULL && (value = gst_structure_get_string (props, "node.name")) != NULL)
    return g_strdup (value);
  return NULL;
}

static PaStreamDevice *
device_new (GstDevice          *device,
            PaStreamDeviceKind  kind)
{
  g_autofree char *id = device_id (device, kind);
  PaStreamDevice *self;

  if (id == NULL)
    return NULL;
  self = g_object_new (PA_TYPE_STREAM_DEVICE, NULL);
  self->kind = kind;
  self->id = g_steal_pointer (&id);
  self->name = gst_device_get_display_name (device);
  self->device = gst_object_ref (device);
  if (kind == PA_STREAM_DEVICE_CAMERA)
    {
      g_autoptr(GstCaps) caps = gst_device_get_caps (device);

      modes_from_caps (self->modes, caps);
      g_ptr_array_sort (self->modes, compare_modes);
    }
  return self;
}

GListModel *
pa_stream_list_devices (PaStreamDeviceKind kind)
{
  g_autoptr(GstDeviceMonitor) monitor = NULL;
  GListStore *store = g_list_store_new (PA_TYPE_STREAM_DEVICE);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GList *devices;

  if (!gst_is_initialized ())
    gst_init (NULL, NULL);

  monitor = gst_device_monitor_new ();
  gst_device_monitor_add_filter (monitor,
                                 kind == PA_STREAM_DEVICE_CAMERA ? "Video/Source" : "Audio/Source",
                                 NULL);
  /* start() fills the list with what is there now and returns: nobody
   * waits for devices to come. A monitor that cannot start (no sound
   * server, no provider at all) sees nothing, which is what it means. */
  if (!gst_device_monitor_start (monitor))
    return G_LIST_MODEL (store);
  devices = gst_device_monitor_get_devices (monitor);
  gst_device_monitor_stop (monitor);

  /* The monitor lists the newest first; people expect the system's
   * order (video0 before video1). */
  devices = g_list_reverse (devices);
  for (GList *l = devices; l != NULL; l = l->next)
    {
      g_autoptr(PaStreamDevice) device = device_new (l->data, kind);

      if (device == NULL || g_hash_table_contains (seen, device->id))
        continue;
      g_hash_table_add (seen, g_strdup (device->id));
      g_list_store_append (store, device);
    }
  g_list_free_full (devices, gst_object_unref);
  return G_LIST_MODEL (store);
}

PaStreamDevice *
pa_stream_device_find (PaStreamDeviceKind  kind,
                       const char         *id)
{
  g_autoptr(GListModel) devices = pa_stream_list_devices (kind);

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (devices, i);

      if (id == NULL || g_str_equal (id, device->id))
        return g_steal_pointer (&device);
    }
  return NULL;
}

/* How well @mode serves @width×@height at @fps: 1 when it is at least
 * that big and fast, less the more it falls short. */
static double
mode_fit (const PaStreamDeviceMode *mode,
          int                       width,
          int                       height,
          double                    fps)
{
  double rate = mode->fps_d > 0 ? (double) mode->fps_n / mode->fps_d : fps;

  return MIN (1.0, (double) mode->width / width)
         * MIN (1.0, (double) mode->height / height)
         * MIN (1.0, rate / fps);
}

GstCaps *
pa_stream_device_pick_caps (PaStreamDevice *self,
                            int             width,
                            int             height,
                            int             fps_n,
                            int             fps_d,
                            gboolean       *is_jpeg)
{
  const PaStreamDeviceMode *best = NULL;
  double best_fit = -1, fps = (double) fps_n / fps_d;
  GstCaps *caps;

  *is_jpeg = FALSE;
  /* The mode that fits best; among those that fit as well, the smallest
   * (less to scale and to decode), then raw rather than MJPEG (nothing
   * to decode). */
  for (guint i = 0; i < self->modes->len; i++)
    {
      const PaStreamDeviceMode *mode = g_ptr_array_index (self->modes, i);
      double fit = mode_fit (mode, width, height, fps);
      gint64 area = (gint64) mode->width * mode->height;

      if (best == NULL || fit > best_fit + 1e-9
          || (fit > best_fit - 1e-9
              && (area < (gint64) best->width * best->height
                  || (area == (gint64) best->width * best->height
                      && g_str_equal (best->format, "MJPEG")
                      && !g_str_equal (mode->format, "MJPEG")))))
        {
          best = mode;
          best_fit = fit;
        }
    }
  if (best == NULL)
    return NULL;

  *is_jpeg = g_str_equal (best->format, "MJPEG");
  if (*is_jpeg)
    caps = gst_caps_new_empty_simple ("image/jpeg");
  else if (g_str_equal (best->format, "raw"))
    caps = gst_caps_new_empty_simple ("video/x-raw");
  else
    caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, best->format, NULL);
  gst_caps_set_simple (caps,
                       "width", G_TYPE_INT, best->width,
                       "height", G_TYPE_INT, best->height,
                       NULL);
  /* The mode's own rate when it is no faster than asked, else the asked
   * rate if the camera offers it (a camera that lists 60 and 30 gives
   * 30 when 30 is asked); the tail's videorate evens out the rest. */
  if (best->fps_n > 0)
    {
      GstCaps *exact = gst_caps_copy (caps);

      gst_caps_set_simple (exact, "framerate", GST_TYPE_FRACTION, fps_n, fps_d, NULL);
      if (self->device != NULL)
        {
          g_autoptr(GstCaps) offered = gst_device_get_caps (self->device);

          if (offered != NULL && gst_caps_can_intersect (exact, offered))
            {
              gst_caps_unref (caps);
              return exact;
            }
        }
      gst_caps_unref (exact);
      gst_caps_set_simple (caps, "framerate", GST_TYPE_FRACTION, best->fps_n, best->fps_d, NULL);
    }
  return caps;
}
