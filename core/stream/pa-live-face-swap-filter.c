/* pa-live-face-swap-filter.c — the GStreamer filter of the live face swap:
 * each frame swapped in place in the streaming thread, detection in the
 * tracker's worker, and the detection rate fitted to what the machine
 * keeps up with
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <math.h>

#include "pa-face-tracker.h"
#include "pa-live-face-swap-private.h"

/* The detector runs on one frame in DETECT_EVERY_START at first (about
 * four times a second at 30 fps, eight while no face is followed), never
 * more often than one in DETECT_EVERY_MIN, and no less often than one in
 * DETECT_EVERY_MAX (every 5 s at 30 fps) however slow the machine. */
#define DETECT_EVERY_START 8
#define DETECT_EVERY_MIN   4
#define DETECT_EVERY_MAX   150

/* Of a frame's time (1 / fps), what the filter may take on average before
 * detection is made rarer: the rest is left to the converters, the
 * encoder and everything else on the machine. Under the lower mark for
 * a few seconds, detection is made more frequent again. */
#define BUSY_SHARE  0.5
#define IDLE_SHARE  0.3
/* The share of its time the detection worker may be busy: over it, the
 * worker would lag ever more frames behind, and take a core from the
 * frames. */
#define WORKER_SHARE 0.5
#define CALM_SECONDS 3
/* A frame that takes this many frames' time is a sign too. */
#define SLOW_FRAMES  3

/* A frame that takes longer is logged (debug), with where the time went. */
#define SLOW_FRAME_US (50 * 1000)

#define RGB_CAPS "video/x-raw, format = (string) { RGBx, RGBA, RGB }"

typedef struct _PaLiveFaceSwapFilter PaLiveFaceSwapFilter;
typedef GstBaseTransformClass PaLiveFaceSwapFilterClass;

struct _PaLiveFaceSwapFilter {
  GstBaseTransform  parent_instance;

  PaLiveFaceSwap   *owner;
  GstCaps          *rgb_caps;
  gint              want_rgb;         /* atomic: ask upstream for RGB */

  /* The streaming thread's own. */
  GstVideoInfo      info;
  gboolean          has_info;
  gboolean          active;
  PaFaceTracker    *tracker;
  guint             detect_every;
  guint             calm_seconds;
  guint             faces;
  guint64           frames;
  guint64           dropped_detections;  /* of the trackers dropped */
  double            detection_ms;
  double            max_frame_ms;
  gint64            window_start;
  gboolean          full_window;
  guint             window_frames;
  double            window_ms;
  double            window_max_ms;
  guint64           window_detections;
  PaLiveFaceSwapStats stats;
};

GType pa_live_face_swap_filter_get_type (void);
G_DEFINE_TYPE (PaLiveFaceSwapFilter, pa_live_face_swap_filter, GST_TYPE_BASE_TRANSFORM)

#define PA_LIVE_FACE_SWAP_FILTER(obj) ((PaLiveFaceSwapFilter *) (obj))

static GstStaticPadTemplate sink_template =
  GST_STATIC_PAD_TEMPLATE ("sink", GST_PAD_SINK, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));
static GstStaticPadTemplate src_template =
  GST_STATIC_PAD_TEMPLATE ("src", GST_PAD_SRC, GST_PAD_ALWAYS, GST_STATIC_CAPS ("video/x-raw"));

static gpointer
unref_in_thread (gpointer data)
{
  g_object_unref (data);
  return NULL;
}

/* A tracker's last reference waits for its detection to end: never in
 * the streaming thread, where a frame would wait for it. */
static void
drop_tracker (PaLiveFaceSwapFilter *self,
              gboolean              may_wait)
{
  PaFaceTracker *tracker = g_steal_pointer (&self->tracker);
  guint64 detections = 0;

  if (tracker == NULL)
    return;
  pa_face_tracker_get_detections (tracker, &detections, NULL, NULL);
  self->dropped_detections += detections;
  if (may_wait)
    g_object_unref (tracker);
  else
    g_thread_unref (g_thread_new ("pa-live-face-swap-drop", unref_in_thread, tracker));
}

static void
pa_live_face_swap_filter_finalize (GObject *object)
{
  PaLiveFaceSwapFilter *self = PA_LIVE_FACE_SWAP_FILTER (object);

  drop_tracker (self, TRUE);
  g_clear_object (&self->owner);
  gst_clear_caps (&self->rgb_caps);

  G_OBJECT_CLASS (pa_live_face_swap_filter_parent_class)->finalize (object);
}

/* While swapping, the sink pad takes RGB only, so the converter before
 * it turns frames into RGB; otherwise any raw video, so it passes them
 * as they are. The caps going downstream are never narrowed: a frame
 * already on its way when the swap is turned on still passes. */
static GstCaps *
pa_live_face_swap_filter_transform_caps (GstBaseTransform *trans,
                                         GstPadDirection   direction,
                                         GstCaps          *caps,
                                         GstCaps          *filter)
{
  PaLiveFaceSwapFilter *self = PA_LIVE_FACE_SWAP_FILTER (trans);
  GstCaps *result;

  if (direction == GST_PAD_SRC && g_atomic_int_get (&self->want_rgb))
    {
      GstCaps *rgb = gst_caps_copy (caps);

      /* The same sizes and rates, in RGB. */
      for (guint i = 0; i < gst_caps_get_size (rgb); i++)
        gst_structure_remove_fields (gst_caps_get_structure (rgb, i), "format", "colorimetry",
                                     "chroma-site", NULL);
      result = gst_caps_intersect (rgb, self->rgb_caps);
      gst_caps_unref (rgb);
    }
  else
    {
      result = gst_caps_ref (caps);
    }

  if (filter != NULL)
    {
      GstCaps *filtered = gst_caps_intersect_full (filter, result, GST_CAPS_INTERSECT_FIRST);

      gst_caps_unref (result);
      result = filtered;
    }
  return result;
}

static gboolean
pa_live_face_swap_filter_set_caps (GstBaseTransform *trans,
                                   GstCaps          *incaps,
                                   GstCaps          *outcaps)
{
  PaLiveFaceSwapFilter *self = PA_LIVE_FACE_SWAP_FILTER (trans);
  GstVideoInfo info;

  if (!gst_video_info_from_caps (&info, incaps))
    return FALSE;
  /* The tracker follows faces in frames of one size. */
  if (self->has_info
      && (info.width != self->info.width || info.height != self->info.height))
    drop_tracker (self, FALSE);
  self->info = info;
  self->has_info = TRUE;
  return TRUE;
}

static gboolean
pa_live_face_swap_filter_start (GstBaseTransform *trans)
{
  PaLiveFaceSwapFilter *self = PA_LIVE_FACE_SWAP_FILTER (trans);
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(PaFaceSource) source = NULL;

  /* Before the first caps: swapping from the first frame asks for RGB
   * from the first frame. */
  self->has_info = FALSE;
  self->active = pa_live_face_swap_get_active (self->owner, &model, &source);
  g_atomic_int_set (&self->want_rgb, self->active);
  gst_base_transform_set_passthrough (trans, !self->active);
  self->detect_every = DETECT_EVERY_START;
  self->calm_seconds = 0;
  self->frames = 0;
  self->dropped_detections = 0;
  self->detection_ms = 0;
  self->max_frame_ms = 0;
  self->window_start = 0;
  self->full_window = FALSE;
  self->stats = (PaLiveFaceSwapStats) { 0 };
  return TRUE;
}

static gboolean
pa_live_face_swap_filter_stop (GstBaseTransform *trans)
{
  /* Out of the streaming thread: the worker may be waited for. */
  drop_tracker (PA_LIVE_FACE_SWAP_FILTER (trans), TRUE);
  return TRUE;
}

/* Detection less often when frames take too long or the worker cannot
 * keep up, more often again after a few calm seconds. */
static void
adapt_detection (PaLiveFaceSwapFilter *self,
                 double                mean_ms,
                 double                max_ms,
                 double                detection_ms)
{
  double frame_ms = self->info.fps_n > 0 && self->info.fps_d > 0
                    ? 1000.0 * self->info.fps_d / self->info.fps_n : 1000.0 / 30;
  guint every = self->detect_every;
  /* On the mean: a single slow frame (the machine busy elsewhere for a
   * moment) is absorbed by the queues downstream. */
  gboolean busy = mean_ms > BUSY_SHARE * frame_ms || max_ms > SLOW_FRAMES * frame_ms;
  gboolean lagging = detection_ms > WORKER_SHARE * every * frame_ms;

  if (busy || lagging)
    {
      every = MAX (every * 2, lagging ? (guint) ceil (detection_ms / (WORKER_SHARE * frame_ms)) : 0);
      self->calm_seconds = 0;
    }
  else if (mean_ms < IDLE_SHARE * frame_ms
           && detection_ms < IDLE_SHARE * every * frame_ms
           && ++self->calm_seconds >= CALM_SECONDS)
    {
      every = every * 2 / 3;
      self->calm_seconds = 0;
    }
  self->detect_every = CLAMP (every, DETECT_EVERY_MIN, DETECT_EVERY_MAX);
  if (self->tracker != NULL)
    pa_face_tracker_set_detect_every (self->tracker, self->detect_every);
}

static void
account_frame (PaLiveFaceSwapFilter *self,
               gint64                started)
{
  gint64 now = g_get_monotonic_time ();
  double ms = (now - started) / 1000.0;
  guint64 detections = 0;
  double detection_ms = 0;

  if (self->tracker != NULL)
    {
      pa_face_tracker_get_detections (self->tracker, &detections, &detection_ms, NULL);
      if (detection_ms > 0)
        self->detection_ms = detection_ms;
    }
  detections += self->dropped_detections;

  self->frames++;
  self->max_frame_ms = MAX (self->max_frame_ms, ms);
  if (self->window_start == 0)
    {
      self->window_start = started;
      self->window_frames = 0;
      self->window_ms = 0;
      self->window_max_ms = 0;
      self->window_detections = detections;
    }
  self->window_frames++;
  self->window_ms += ms;
  self->window_max_ms = MAX (self->window_max_ms, ms);

  if (now - self->window_start >= G_USEC_PER_SEC)
    {
      double seconds = (now - self->window_start) / (double) G_USEC_PER_SEC;
      double mean_ms = self->window_ms / self->window_frames;

      self->stats.fps = self->window_frames / seconds;
      self->stats.detections_per_second = (detections - self->window_detections) / seconds;
      self->stats.swap_ms = mean_ms;
      if (self->active)
        adapt_detection (self, mean_ms, self->window_max_ms, self->detection_ms);
      self->window_start = 0;
      self->full_window = TRUE;
    }
  else if (!self->full_window)
    {
      /* The first second: what there is of it so far. */
      double seconds = MAX (now - self->window_start, 1) / (double) G_USEC_PER_SEC;

      self->stats.fps = self->window_frames / seconds;
      self->stats.detections_per_second = (detections - self->window_detections) / seconds;
      self->stats.swap_ms = self->window_ms / self->window_frames;
    }
  self->stats.detection_ms = self->detection_ms;
  self->stats.detections = detections;
  self->stats.faces = self->faces;
  self->stats.detect_every = self->detect_every;
  self->stats.max_frame_ms = self->max_frame_ms;
  self->stats.frames = self->frames;
  pa_live_face_swap_publish_stats (self->owner, &self->stats);
}

static void
swap_frame (PaLiveFaceSwapFilter *self,
            GstBuffer            *buffer,
            PaFaceModel          *model,
            PaFaceSource         *source)
{
  GstVideoFrame frame;
  g_autoptr(GArray) tracked = NULL;
  g_autoptr(GError) error = NULL;
  GstVideoFormat format = GST_VIDEO_INFO_FORMAT (&self->info);
  GstClockTime pts = GST_BUFFER_PTS (buffer);
  gint64 tracking_started, swap_started;
  PaPixels pixels;

  /* A frame converted before the swap was turned on goes as it is. */
  if (format != GST_VIDEO_FORMAT_RGBx && format != GST_VIDEO_FORMAT_RGBA
      && format != GST_VIDEO_FORMAT_RGB)
    return;
  if (!gst_video_frame_map (&frame, &self->info, buffer, GST_MAP_READWRITE))
    return;

  if (self->tracker == NULL)
    {
      self->tracker = pa_face_tracker_new (model, self->detect_every);
      pa_face_tracker_set_live (self->tracker, TRUE);
    }

  pixels = (PaPixels) {
    .data = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0),
    .width = GST_VIDEO_FRAME_WIDTH (&frame),
    .height = GST_VIDEO_FRAME_HEIGHT (&frame),
    .stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0),
    .channels = format == GST_VIDEO_FORMAT_RGB ? 3 : 4,
  };
  tracking_started = g_get_monotonic_time ();
  tracked = pa_face_tracker_update (self->tracker, &pixels,
                                    GST_CLOCK_TIME_IS_VALID (pts) ? (double) pts / GST_SECOND
                                                                  : self->frames / 30.0,
                                    NULL, &error);
  swap_started = g_get_monotonic_time ();
  self->faces = tracked != NULL ? tracked->len : 0;
  for (guint i = 0; tracked != NULL && i < tracked->len; i++)
    {
      const PaFace *face = &g_array_index (tracked, PaTrackedFace, i).face;
      g_autoptr(GError) swap_error = NULL;

      /* A face turned away or too small is left as it is, this frame. */
      if (face->quality != PA_FACE_QUALITY_GOOD)
        continue;
      if (!pa_face_swap_apply (source, &pixels, face, NULL, NULL, &swap_error))
        g_debug ("A face was not swapped in a live frame: %s", swap_error->message);
    }
  if (tracked == NULL)
    g_debug ("Faces not followed in a live frame: %s", error->message);
  gst_video_frame_unmap (&frame);
  if (g_get_monotonic_time () - tracking_started > SLOW_FRAME_US)
    g_debug ("Live frame %" G_GUINT64_FORMAT ": followed in %.1f ms, swapped in %.1f ms",
             self->frames, (swap_started - tracking_started) / 1000.0,
             (g_get_monotonic_time () - swap_started) / 1000.0);
}

static GstFlowReturn
pa_live_face_swap_filter_transform_ip (GstBaseTransform *trans,
                                       GstBuffer        *buffer)
{
  PaLiveFaceSwapFilter *self = PA_LIVE_FACE_SWAP_FILTER (trans);
  gint64 started = g_get_monotonic_time ();
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  gboolean writable = !gst_base_transform_is_passthrough (trans);
  gboolean active = pa_live_face_swap_get_active (self->owner, &model, &source);

  if (active != self->active)
    {
      /* From the next frame on: this one is already mapped as it was.
       * In passthrough, frames are neither copied nor written. */
      self->active = active;
      gst_base_transform_set_passthrough (trans, !active);
      g_atomic_int_set (&self->want_rgb, active);
      if (!active)
        {
          /* Faces followed now would be stale when it comes back on. */
          drop_tracker (self, FALSE);
          self->faces = 0;
        }
      gst_pad_push_event (GST_BASE_TRANSFORM_SINK_PAD (trans), gst_event_new_reconfigure ());
    }
  if (active && writable && self->has_info)
    swap_frame (self, buffer, model, source);

  account_frame (self, started);
  return GST_FLOW_OK;
}

static void
pa_live_face_swap_filter_class_init (PaLiveFaceSwapFilterClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS (klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS (klass);

  object_class->finalize = pa_live_face_swap_filter_finalize;

  gst_element_class_set_static_metadata (element_class, "PlayAlter live face swap",
                                         "Filter/Effect/Video",
                                         "Puts a face onto the faces in live video",
                                         "PlayAlter");
  gst_element_class_add_static_pad_template (element_class, &sink_template);
  gst_element_class_add_static_pad_template (element_class, &src_template);

  trans_class->transform_caps = pa_live_face_swap_filter_transform_caps;
  trans_class->set_caps = pa_live_face_swap_filter_set_caps;
  trans_class->start = pa_live_face_swap_filter_start;
  trans_class->stop = pa_live_face_swap_filter_stop;
  trans_class->transform_ip = pa_live_face_swap_filter_transform_ip;
  trans_class->transform_ip_on_passthrough = TRUE;
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
pa_live_face_swap_filter_init (PaLiveFaceSwapFilter *self)
{
  self->rgb_caps = gst_caps_from_string (RGB_CAPS);
  self->detect_every = DETECT_EVERY_START;
  gst_base_transform_set_in_place (GST_BASE_TRANSFORM (self), TRUE);
  gst_base_transform_set_passthrough (GST_BASE_TRANSFORM (self), TRUE);
}

GstElement *
pa_live_face_swap_filter_new (PaLiveFaceSwap *owner)
{
  PaLiveFaceSwapFilter *self = g_object_new (pa_live_face_swap_filter_get_type (), NULL);

  self->owner = g_object_ref (owner);
  return GST_ELEMENT (self);
}
