/* pa-video-paintable.c — live video from a GStreamer pipeline, as a
 * GdkPaintable a GtkPicture shows
 *
 * GTK 4.8 has no gtk4paintablesink: an appsink gives the frames. Each new
 * sample is mapped on the streaming thread and wrapped, without a copy,
 * in a GdkMemoryTexture whose bytes keep the buffer mapped and referenced
 * until GTK lets go of the texture. The streaming thread puts it in a
 * single "pending" slot and wakes the main loop only when the slot was
 * empty: a main loop that falls behind sees the newest frame, the older
 * ones are dropped, and nothing queues up.
 *
 * The appsink outlives the paintable when it sits in a pipeline that
 * still runs, and calls back from its own thread at any time. What both
 * sides touch lives in a reference-counted Shared block, guarded by its
 * mutex; dispose cuts the block's link to the paintable, after which the
 * callbacks only pull and drop samples.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "pa-video-paintable.h"

/* BGRA in memory is what GdkMemoryTexture's default format is on little
 * endian machines (and cairo's ARGB32): the renderers take it as it is.
 * GStreamer's alpha is straight, GDK's premultiplied: the same for the
 * opaque frames a preview shows. */
#define SINK_CAPS "video/x-raw, format=(string)BGRA"
#define TEXTURE_FORMAT GDK_MEMORY_B8G8R8A8_PREMULTIPLIED

/* Timestamps of the frames shown, for the fps over the last second. */
#define FPS_WINDOW_US G_USEC_PER_SEC
#define FPS_HISTORY 256

typedef struct
{
  GMutex            lock;
  /* The paintable, until its dispose; only the main thread follows it. */
  PaVideoPaintable *self;
  GMainContext     *context;
  /* The newest frame not yet shown, and the idle that will show it. */
  GdkTexture       *pending;
  int               pending_width;
  int               pending_height;
  GSource          *idle;
  guint64           dropped;
  /* Frames mapped, given back in frame_free() on any thread. */
  int               held;
  /* Streaming thread only: the caps last seen, and what they say. */
  GstCaps          *caps;
  GstVideoInfo      info;
  gboolean          usable;
} Shared;

struct _PaVideoPaintable
{
  GObject     parent_instance;

  GstElement *sink;
  Shared     *shared;

  GdkTexture *texture;
  int         width;
  int         height;

  guint64     shown;
  guint64     dropped;
  gint64      history[FPS_HISTORY];
  guint       history_next;
  double      fps;
  guint       fps_timeout;
};

enum {
  PROP_0,
  PROP_FPS,
  PROP_FRAMES_SHOWN,
  PROP_FRAMES_DROPPED,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void pa_video_paintable_paintable_init (GdkPaintableInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (PaVideoPaintable, pa_video_paintable, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (GDK_TYPE_PAINTABLE,
                                                      pa_video_paintable_paintable_init))

/* ---- the block both threads share --------------------------------------- */

static void
shared_clear (Shared *shared)
{
  g_mutex_clear (&shared->lock);
  g_clear_object (&shared->pending);
  g_clear_pointer (&shared->caps, gst_caps_unref);
  g_main_context_unref (shared->context);
}

static Shared *
shared_ref (Shared *shared)
{
  return g_atomic_rc_box_acquire (shared);
}

static void
shared_unref (gpointer data)
{
  g_atomic_rc_box_release_full (data, (GDestroyNotify) shared_clear);
}

/* ---- frames ------------------------------------------------------------- */

typedef struct
{
  GstVideoFrame frame;
  Shared       *shared;
} Frame;

static void
frame_free (gpointer data)
{
  Frame *frame = data;

  /* Unmaps, and drops the reference the map took on the buffer: the
   * buffer goes back to its pool. */
  gst_video_frame_unmap (&frame->frame);
  g_atomic_int_add (&frame->shared->held, -1);
  shared_unref (frame->shared);
  g_free (frame);
}

/* Streaming thread. A texture on the sample's buffer, with no copy; NULL
 * when the sample is not a frame it can read. */
static GdkTexture *
texture_from_sample (Shared     *shared,
                     GstSample  *sample,
                     int        *display_width,
                     int        *display_height)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  g_autoptr(GBytes) bytes = NULL;
  GstVideoInfo *info = &shared->info;
  Frame *frame;
  gsize stride;
  int width;
  int height;

  if (caps == NULL || buffer == NULL)
    return NULL;

  if (shared->caps == NULL || !gst_caps_is_equal (caps, shared->caps))
    {
      gst_caps_replace (&shared->caps, caps);
      /* The sink's caps let BGRA only through: anything else is a bug in
       * the pipeline, said once per caps. */
      shared->usable = gst_video_info_from_caps (info, caps) &&
                       GST_VIDEO_INFO_FORMAT (info) == GST_VIDEO_FORMAT_BGRA;
      if (!shared->usable)
        {
          g_autofree char *text = gst_caps_to_string (caps);
          g_warning ("The preview takes BGRA video only, not %s", text);
        }
    }
  if (!shared->usable)
    return NULL;

  frame = g_new0 (Frame, 1);
  if (!gst_video_frame_map (&frame->frame, info, buffer, GST_MAP_READ))
    {
      g_free (frame);
      return NULL;
    }
  frame->shared = shared_ref (shared);
  g_atomic_int_inc (&shared->held);

  width = GST_VIDEO_FRAME_WIDTH (&frame->frame);
  height = GST_VIDEO_FRAME_HEIGHT (&frame->frame);
  stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame->frame, 0);
  /* The last row may end without its padding: GDK reads no further than
   * its last pixel. */
  bytes = g_bytes_new_with_free_func (GST_VIDEO_FRAME_PLANE_DATA (&frame->frame, 0),
                                      stride * (height - 1) + (gsize) width * 4,
                                      frame_free, frame);

  /* Non-square pixels: the picture keeps the shape the video means. */
  *display_width = width;
  *display_height = height;
  if (GST_VIDEO_INFO_PAR_N (info) > 0 && GST_VIDEO_INFO_PAR_D (info) > 0)
    *display_width = MAX (1, (int) gst_util_uint64_scale_round (width,
                                                                GST_VIDEO_INFO_PAR_N (info),
                                                                GST_VIDEO_INFO_PAR_D (info)));

  return gdk_memory_texture_new (width, height, TEXTURE_FORMAT, bytes, stride);
}

/* ---- the main thread's side --------------------------------------------- */

static void
update_fps (PaVideoPaintable *self)
{
  gint64 now = g_get_monotonic_time ();
  guint count = 0;
  double fps;

  for (guint i = 0; i < FPS_HISTORY; i++)
    if (self->history[i] != 0 && now - self->history[i] <= FPS_WINDOW_US)
      count++;

  fps = count;
  if (fps != self->fps)
    {
      self->fps = fps;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FPS]);
    }
}

static gboolean
fps_tick (gpointer data)
{
  PaVideoPaintable *self = PA_VIDEO_PAINTABLE (data);

  /* Brings the figure down when frames stop coming, then sleeps until
   * the next frame. */
  update_fps (self);
  if (self->fps > 0)
    return G_SOURCE_CONTINUE;
  self->fps_timeout = 0;
  return G_SOURCE_REMOVE;
}

static void
show (PaVideoPaintable *self,
      GdkTexture       *texture,
      int               width,
      int               height)
{
  gboolean resized = width != self->width || height != self->height;

  g_set_object (&self->texture, texture);
  self->width = width;
  self->height = height;

  self->shown++;
  self->history[self->history_next] = g_get_monotonic_time ();
  self->history_next = (self->history_next + 1) % FPS_HISTORY;

  if (resized)
    gdk_paintable_invalidate_size (GDK_PAINTABLE (self));
  gdk_paintable_invalidate_contents (GDK_PAINTABLE (self));

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMES_SHOWN]);
  update_fps (self);

  if (self->fps_timeout == 0)
    {
      self->fps_timeout = g_timeout_add (250, fps_tick, self);
      g_source_set_static_name (g_main_context_find_source_by_id (NULL, self->fps_timeout),
                                "playalter-preview-fps");
    }
}

/* Main thread, an idle the streaming thread added. */
static gboolean
show_pending (gpointer data)
{
  Shared *shared = data;
  g_autoptr(PaVideoPaintable) self = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GSource) idle = NULL;
  int width;
  int height;
  guint64 dropped;

  g_mutex_lock (&shared->lock);
  idle = g_steal_pointer (&shared->idle);
  texture = g_steal_pointer (&shared->pending);
  width = shared->pending_width;
  height = shared->pending_height;
  dropped = shared->dropped;
  if (shared->self != NULL)
    self = g_object_ref (shared->self);
  g_mutex_unlock (&shared->lock);

  if (self == NULL)
    return G_SOURCE_REMOVE;

  g_object_freeze_notify (G_OBJECT (self));
  if (texture != NULL)
    show (self, texture, width, height);
  if (dropped != self->dropped)
    {
      self->dropped = dropped;
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_FRAMES_DROPPED]);
    }
  g_object_thaw_notify (G_OBJECT (self));

  return G_SOURCE_REMOVE;
}

/* ---- the streaming thread's side ---------------------------------------- */

static GstFlowReturn
on_new_sample (GstAppSink *sink,
               gpointer    data)
{
  Shared *shared = data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr(GdkTexture) texture = NULL;
  g_autoptr(GdkTexture) replaced = NULL;
  gboolean wanted;
  int width = 0;
  int height = 0;

  if (sample == NULL)
    return GST_FLOW_EOS;

  g_mutex_lock (&shared->lock);
  wanted = shared->self != NULL;
  g_mutex_unlock (&shared->lock);
  /* No paintable any more: the sample is dropped, the pipeline goes on. */
  if (!wanted)
    return GST_FLOW_OK;

  texture = texture_from_sample (shared, sample, &width, &height);
  if (texture == NULL)
    return GST_FLOW_OK;

  g_mutex_lock (&shared->lock);
  if (shared->self != NULL)
    {
      /* One frame at most waits: a newer one replaces it. The replaced
       * texture is let go outside the lock. */
      replaced = g_steal_pointer (&shared->pending);
      if (replaced != NULL)
        shared->dropped++;
      shared->pending = g_steal_pointer (&texture);
      shared->pending_width = width;
      shared->pending_height = height;

      if (shared->idle == NULL)
        {
          shared->idle = g_idle_source_new ();
          g_source_set_priority (shared->idle, G_PRIORITY_DEFAULT);
          g_source_set_callback (shared->idle, show_pending, shared_ref (shared), shared_unref);
          g_source_set_static_name (shared->idle, "playalter-video-frame");
          g_source_attach (shared->idle, shared->context);
        }
    }
  g_mutex_unlock (&shared->lock);

  return GST_FLOW_OK;
}

/* ---- GdkPaintable ------------------------------------------------------- */

static void
pa_video_paintable_snapshot (GdkPaintable *paintable,
                             GdkSnapshot  *snapshot,
                             double        width,
                             double        height)
{
  PaVideoPaintable *self = PA_VIDEO_PAINTABLE (paintable);
  double scale;
  double w;
  double h;

  if (self->texture == NULL || self->width <= 0 || self->height <= 0)
    return;

  /* GtkPicture already asks for the video's shape; anything else gets the
   * frame fitted in the middle, with the rest left empty. */
  scale = MIN (width / self->width, height / self->height);
  w = self->width * scale;
  h = self->height * scale;
  if (width - w < 1 && height - h < 1)
    {
      w = width;
      h = height;
    }

  gtk_snapshot_append_texture (GTK_SNAPSHOT (snapshot), self->texture,
                               &GRAPHENE_RECT_INIT ((width - w) / 2, (height - h) / 2, w, h));
}

static GdkPaintable *
pa_video_paintable_get_current_image (GdkPaintable *paintable)
{
  PaVideoPaintable *self = PA_VIDEO_PAINTABLE (paintable);

  if (self->texture == NULL)
    return gdk_paintable_new_empty (0, 0);
  return GDK_PAINTABLE (g_object_ref (self->texture));
}

static int
pa_video_paintable_get_intrinsic_width (GdkPaintable *paintable)
{
  return PA_VIDEO_PAINTABLE (paintable)->width;
}

static int
pa_video_paintable_get_intrinsic_height (GdkPaintable *paintable)
{
  return PA_VIDEO_PAINTABLE (paintable)->height;
}

static void
pa_video_paintable_paintable_init (GdkPaintableInterface *iface)
{
  iface->snapshot = pa_video_paintable_snapshot;
  iface->get_current_image = pa_video_paintable_get_current_image;
  iface->get_intrinsic_width = pa_video_paintable_get_intrinsic_width;
  iface->get_intrinsic_height = pa_video_paintable_get_intrinsic_height;
}

/* ---- GObject ------------------------------------------------------------ */

static void
pa_video_paintable_dispose (GObject *object)
{
  PaVideoPaintable *self = PA_VIDEO_PAINTABLE (object);
  g_autoptr(GdkTexture) pending = NULL;
  g_autoptr(GSource) idle = NULL;

  if (self->shared != NULL)
    {
      /* From here the streaming thread never reaches the paintable; a
       * callback already past its check finds self NULL under the lock. */
      g_mutex_lock (&self->shared->lock);
      self->shared->self = NULL;
      self->dropped = self->shared->dropped;
      pending = g_steal_pointer (&self->shared->pending);
      idle = g_steal_pointer (&self->shared->idle);
      g_mutex_unlock (&self->shared->lock);

      if (idle != NULL)
        g_source_destroy (idle);
      g_clear_pointer (&self->shared, shared_unref);
    }

  g_clear_handle_id (&self->fps_timeout, g_source_remove);
  /* The pipeline may hold the sink on: it keeps its callbacks, which now
   * only drop samples, and its own reference to the shared block. */
  gst_clear_object (&self->sink);
  g_clear_object (&self->texture);

  G_OBJECT_CLASS (pa_video_paintable_parent_class)->dispose (object);
}

static void
pa_video_paintable_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  PaVideoPaintable *self = PA_VIDEO_PAINTABLE (object);

  switch (prop_id)
    {
    case PROP_FPS:
      g_value_set_double (value, self->fps);
      break;
    case PROP_FRAMES_SHOWN:
      g_value_set_uint64 (value, self->shown);
      break;
    case PROP_FRAMES_DROPPED:
      g_value_set_uint64 (value, pa_video_paintable_get_frames_dropped (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_video_paintable_class_init (PaVideoPaintableClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = pa_video_paintable_dispose;
  object_class->get_property = pa_video_paintable_get_property;

  properties[PROP_FPS] =
    g_param_spec_double ("fps", NULL, NULL, 0, G_MAXDOUBLE, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRAMES_SHOWN] =
    g_param_spec_uint64 ("frames-shown", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_FRAMES_DROPPED] =
    g_param_spec_uint64 ("frames-dropped", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_video_paintable_init (PaVideoPaintable *self)
{
  GstAppSinkCallbacks callbacks = { .new_sample = on_new_sample };
  g_autoptr(GstCaps) caps = gst_caps_from_string (SINK_CAPS);

  self->shared = g_atomic_rc_box_new0 (Shared);
  g_mutex_init (&self->shared->lock);
  self->shared->self = self;
  self->shared->context = g_main_context_ref_thread_default ();
  gst_video_info_init (&self->shared->info);

  self->sink = gst_element_factory_make ("appsink", NULL);
  g_assert (self->sink != NULL);  /* gst-plugins-base, a dependency */
  gst_object_ref_sink (self->sink);
  /* Two frames at most wait in the sink, the newest kept; sync shows them
   * at their time; last-sample would hold one more buffer for nothing. */
  g_object_set (self->sink,
                "caps", caps,
                "max-buffers", 2,
                "drop", TRUE,
                "sync", TRUE,
                "emit-signals", FALSE,
                "enable-last-sample", FALSE,
                "qos", TRUE,
                NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (self->sink), &callbacks,
                              shared_ref (self->shared), shared_unref);
}

/* ---- API ---------------------------------------------------------------- */

PaVideoPaintable *
pa_video_paintable_new (void)
{
  if (!gst_is_initialized ())
    gst_init (NULL, NULL);
  return g_object_new (PA_TYPE_VIDEO_PAINTABLE, NULL);
}

/* Transfer none: add it to a bin, which takes its own reference. */
GstElement *
pa_video_paintable_get_sink (PaVideoPaintable *self)
{
  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), NULL);

  return self->sink;
}

double
pa_video_paintable_get_fps (PaVideoPaintable *self)
{
  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), 0);

  return self->fps;
}

guint64
pa_video_paintable_get_frames_shown (PaVideoPaintable *self)
{
  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), 0);

  return self->shown;
}

guint64
pa_video_paintable_get_frames_dropped (PaVideoPaintable *self)
{
  guint64 dropped;

  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), 0);

  if (self->shared == NULL)
    return self->dropped;
  g_mutex_lock (&self->shared->lock);
  dropped = self->shared->dropped;
  g_mutex_unlock (&self->shared->lock);
  return dropped;
}

guint
pa_video_paintable_get_pending (PaVideoPaintable *self)
{
  guint pending;

  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), 0);

  if (self->shared == NULL)
    return 0;
  g_mutex_lock (&self->shared->lock);
  pending = self->shared->pending != NULL ? 1 : 0;
  g_mutex_unlock (&self->shared->lock);
  return pending;
}

guint
pa_video_paintable_get_frames_held (PaVideoPaintable *self)
{
  g_return_val_if_fail (PA_IS_VIDEO_PAINTABLE (self), 0);

  if (self->shared == NULL)
    return 0;
  return g_atomic_int_get (&self->shared->held);
}
