/* pa-stream.c — the pipeline of a stream: scene → preview, and scene →
 * one encoder per track → appsinks, whose samples feed the outputs
 * (pa-stream-output.c), each a pipeline of its own, on and off while the
 * stream runs
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "pa-error.h"
#include "pa-stream.h"
#include "pa-stream-engine-private.h"
#include "pa-stream-private.h"

G_DEFINE_FINAL_TYPE (PaStream, pa_stream, G_TYPE_OBJECT)

guint pa_stream_signals[PA_STREAM_N_SIGNALS];

void
pa_stream_clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

GSource *
pa_stream_add_timeout (PaStream    *self,
                       guint        ms,
                       GSourceFunc  func)
{
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* Stops the pipeline and every output at once and lets go of them. */
static void
tear_down (PaStream *self)
{
  pa_stream_clear_source (&self->timeout);
  pa_stream_clear_source (&self->ticker);
  pa_stream_clear_source (&self->cancelled);
  pa_stream_outputs_tear_down (self);
  if (self->pipeline != NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_bus_remove_watch (bus);
    }
  gst_clear_object (&self->videorate);
  gst_clear_object (&self->video_in);
  gst_clear_object (&self->audio_in);
  gst_clear_object (&self->encoder_src);
  gst_clear_object (&self->video_valve);
  gst_clear_object (&self->audio_valve);
  gst_clear_object (&self->pipeline);
  self->running = FALSE;
}

static void
pa_stream_finalize (GObject *object)
{
  PaStream *self = PA_STREAM (object);

  /* A pending task holds a reference: none is left here. */
  tear_down (self);
  g_clear_pointer (&self->source, pa_stream_source_unref);
  g_clear_object (&self->scene);
  g_clear_object (&self->recording);
  g_clear_pointer (&self->rtmp_url, g_free);
  g_clear_pointer (&self->live_url, g_free);
  gst_clear_object (&self->preview_sink);
  g_clear_pointer (&self->outputs, g_ptr_array_unref);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_clear_pointer (&self->qos_dropped, g_hash_table_unref);
  g_mutex_clear (&self->lock);
  G_OBJECT_CLASS (pa_stream_parent_class)->finalize (object);
}

static void
pa_stream_class_init (PaStreamClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_finalize;

  /**
   * PaStream::stats:
   *
   * Once a second while the stream runs: pa_stream_get_stats() has new
   * figures.
   */
  pa_stream_signals[PA_STREAM_SIGNAL_STATS] =
    g_signal_new ("stats", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * PaStream::failed:
   * @error: what went wrong, for the user
   *
   * The running stream stopped on an error (the disk is full, the
   * source broke); it is stopped when this is emitted.
   */
  pa_stream_signals[PA_STREAM_SIGNAL_FAILED] =
    g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /**
   * PaStream::live-state-changed:
   *
   * pa_stream_get_live_state() changed.
   */
  pa_stream_signals[PA_STREAM_SIGNAL_LIVE_STATE_CHANGED] =
    g_signal_new ("live-state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * PaStream::audio-level:
   * @rms_db: the sound's RMS level over the last 66 ms, in dBFS
   * @peak_db: its peak, in dBFS
   *
   * About 15 times a second while a stream with sound runs.
   */
  pa_stream_signals[PA_STREAM_SIGNAL_AUDIO_LEVEL] =
    g_signal_new ("audio-level", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_DOUBLE, G_TYPE_DOUBLE);
}

static void
pa_stream_init (PaStream *self)
{
  self->width = 1280;
  self->height = 720;
  self->fps_n = 30;
  self->fps_d = 1;
  self->kbps = 2500;
  self->keyframe_interval = 2;
  g_mutex_init (&self->lock);
  self->qos_dropped = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_stream_output_unref);
}

PaStream *
pa_stream_new (PaStreamSource *source)
{
  PaStream *self;

  g_return_val_if_fail (source != NULL, NULL);

  self = g_object_new (PA_TYPE_STREAM, NULL);
  self->source = pa_stream_source_ref (source);
  self->scene = pa_stream_scene_new (source);
  return self;
}

PaStream *
pa_stream_new_for_scene (PaStreamScene *scene)
{
  PaStream *self;

  g_return_val_if_fail (PA_IS_STREAM_SCENE (scene), NULL);

  self = g_object_new (PA_TYPE_STREAM, NULL);
  self->source = pa_stream_source_ref (pa_stream_scene_get_main (scene));
  self->scene = g_object_ref (scene);
  return self;
}

PaStreamScene *
pa_stream_get_scene (PaStream *self)
{
  g_return_val_if_fail (PA_IS_STREAM (self), NULL);
  return self->scene;
}

PaStreamSource *
pa_stream_get_source (PaStream *self)
{
  g_return_val_if_fail (PA_IS_STREAM (self), NULL);
  return self->source;
}

void
pa_stream_set_video (PaStream *self,
                     int       width,
                     int       height,
                     int       fps_n,
                     int       fps_d)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (!self->started);
  /* x264 and most players want even sizes (4:2:0 chroma). */
  g_return_if_fail (width > 0 && height > 0 && width % 2 == 0 && height % 2 == 0);
  g_return_if_fail (fps_n > 0 && fps_d > 0);

  self->width = width;
  self->height = height;
  self->fps_n = fps_n;
  self->fps_d = fps_d;
}

void
pa_stream_set_encoder (PaStream *self,
                       guint     kbps,
                       guint     keyframe_interval)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (!self->started);
  g_return_if_fail (kbps > 0 && keyframe_interval > 0);

  self->kbps = kbps;
  self->keyframe_interval = keyframe_interval;
}

void
pa_stream_set_recording (PaStream *self,
                         GFile    *file)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));
  g_return_if_fail (!self->started);

  g_set_object (&self->recording, file);
}

void
pa_stream_set_rtmp_url (PaStream   *self,
                        const char *url)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (!self->started);

  g_free (self->rtmp_url);
  self->rtmp_url = g_strdup (url);
}

void
pa_stream_set_preview_sink (PaStream   *self,
                            GstElement *sink,
                            int         max_width)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (sink == NULL || GST_IS_ELEMENT (sink));
  g_return_if_fail (max_width > 0);
  g_return_if_fail (!self->started);

  if (sink != NULL)
    gst_object_ref_sink (sink);
  gst_clear_object (&self->preview_sink);
  self->preview_sink = sink;
  self->preview_max_width = max_width;
}

void
pa_stream_get_stats (PaStream      *self,
                     PaStreamStats *stats)
{
  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (stats != NULL);

  *stats = self->stats;
}

gint64
pa_stream_get_live_time (PaStream *self)
{
  GstClockTime running;

  g_return_val_if_fail (PA_IS_STREAM (self), 0);

  if (self->pipeline == NULL)
    return 0;
  /* The sources are live: the running time is what they captured. */
  running = gst_element_get_current_running_time (self->pipeline);
  return GST_CLOCK_TIME_IS_VALID (running) ? (gint64) GST_TIME_AS_USECONDS (running) : 0;
}

/* Asks the video encoder for a keyframe now, for an output that starts
 * or lost frames: it need not wait for the next one, up to the keyframe
 * interval away. At most one request in flight every half second. Any
 * thread. */
void
pa_stream_request_keyframe (PaStream *self)
{
  gint64 now = g_get_monotonic_time ();
  GstPad *pad;

  g_mutex_lock (&self->lock);
  if (now - self->keyframe_requested < G_USEC_PER_SEC / 2 || self->encoder_src == NULL)
    {
      g_mutex_unlock (&self->lock);
      return;
    }
  self->keyframe_requested = now;
  pad = gst_object_ref (self->encoder_src);
  g_mutex_unlock (&self->lock);

  gst_pad_send_event (pad, gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                          TRUE, 0));
  gst_object_unref (pad);
}

/* The pipeline */

static gboolean
add_and_link (GstBin      *bin,
              GError     **error,
              GstElement  *first,
              ...)
{
  GstElement *prev = NULL, *element = first;
  va_list ap;
  gboolean ok = TRUE;

  va_start (ap, first);
  for (; element != NULL; element = va_arg (ap, GstElement *))
    {
      if (GST_OBJECT_PARENT (element) == NULL)
        gst_bin_add (bin, element);
      if (prev != NULL && ok && !gst_element_link (prev, element))
        {
          g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                       _("The stream could not be set up (%s cannot take what %s makes)."),
                       GST_ELEMENT_NAME (element), GST_ELEMENT_NAME (prev));
          ok = FALSE;
        }
      prev = element;
    }
  va_end (ap);
  return ok;
}

static GstElement *
make (const char  *factory,
      const char  *package,
      GError     **error)
{
  return pa_stream_make_element (factory, NULL, package, error);
}

/* The raw picture → queue (leaky: a slow sink loses frames, the stream
 * none) → scaled to at most preview_max_width → the preview sink. */
static gboolean
add_preview (PaStream    *self,
             GstBin      *bin,
             GstElement  *tee,
             GError     **error)
{
  GstElement *queue, *convert, *scale, *filter;
  int width = MIN (self->preview_max_width, self->width);
  int height = (int) ((gint64) width * self->height / self->width);
  g_autoptr(GstCaps) caps = NULL;

  width -= width % 2;
  height = MAX (2, height - height % 2);
  if (!(queue = make ("queue", "gstreamer1.0-plugins-base", error))
      || !(convert = make ("videoconvert", "gstreamer1.0-plugins-base", error))
      || !(scale = make ("videoscale", "gstreamer1.0-plugins-base", error))
      || !(filter = make ("capsfilter", "gstreamer1.0-plugins-base", error)))
    return FALSE;
  gst_util_set_object_arg (G_OBJECT (queue), "leaky", "downstream");
  g_object_set (queue, "max-size-buffers", 2, "max-size-bytes", 0, "max-size-time", (guint64) 0, NULL);
  caps = gst_caps_new_simple ("video/x-raw",
                              "width", G_TYPE_INT, width,
                              "height", G_TYPE_INT, height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              NULL);
  g_object_set (filter, "caps", caps, NULL);
  return add_and_link (bin, error, tee, queue, convert, scale, filter, self->preview_sink, NULL);
}

static GstElement *
make_appsink (PaStream  *self,
              gboolean   video,
              GError   **error)
{
  GstElement *sink = make ("appsink", "gstreamer1.0-plugins-base", error);
  GstAppSinkCallbacks callbacks = { .new_sample = video ? pa_stream_on_video_sample
                                                        : pa_stream_on_audio_sample };

  if (sink == NULL)
    return NULL;
  /* The samples go on at once, to the outputs' own pipelines: no clock
   * to wait for, no preroll (the encoders may wait for an output). */
  g_object_set (sink, "sync", FALSE, "async", FALSE, "enable-last-sample", FALSE,
                "qos", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  return sink;
}

/* source → [tee → preview] → queue → [level] → valve → encoder → parser
 * → appsink, in @bin. */
static gboolean
add_branch (PaStream    *self,
            GstBin      *bin,
            GstElement  *source,
            GstElement  *encoder,
            const char  *parser_name,
            gboolean     video,
            GError     **error)
{
  GstElement *queue, *parser, *valve, *sink, *first = source, *level = NULL;
  g_autoptr(GstPad) in = NULL;
  g_autoptr(GstPad) out = NULL;
  g_autoptr(GstPad) raw = NULL;
  PaStreamProbe *data;

  gst_bin_add (bin, source);
  gst_bin_add (bin, encoder);
  if (video && self->preview_sink != NULL)
    {
      GstElement *tee = make ("tee", "gstreamer1.0-plugins-base", error);

      if (tee == NULL || !add_and_link (bin, error, source, tee, NULL)
          || !add_preview (self, bin, tee, error))
        return FALSE;
      first = tee;
    }
  if (!video)
    {
      /* The meter reads the sound before the encoder, outputs or not. */
      level = make ("level", "gstreamer1.0-plugins-good", error);
      if (level == NULL)
        return FALSE;
      g_object_set (level, "interval", (guint64) 66 * GST_MSECOND, "post-messages", TRUE, NULL);
    }
  if (!(queue = make ("queue", "gstreamer1.0-plugins-base", error))
      || !(valve = make ("valve", "gstreamer1.0-plugins-base", error))
      || !(parser = make (parser_name, "gstreamer1.0-plugins-bad", error))
      || !(sink = make_appsink (self, video, error)))
    return FALSE;
  /* A second of frames before the encoder, whatever their size: the
   * default 10 MB hold 7 raw 720p frames, so an encoder held up for a
   * quarter of a second (a keyframe on a busy machine) would block the
   * tee, and the preview with it. */
  g_object_set (queue, "max-size-buffers", 0, "max-size-bytes", 0,
                "max-size-time", GST_SECOND, NULL);
  /* Closed while there is no output: the encoder waits, burning no CPU
   * for nobody. Caps and segments go through, so it is ready. */
  gst_util_set_object_arg (G_OBJECT (valve), "drop-mode", "forward-sticky-events");
  g_object_set (valve, "drop", TRUE, NULL);
  if (video)
    /* SPS and PPS with every keyframe: an output may start at any. */
    g_object_set (parser, "config-interval", -1, NULL);
  if (level != NULL)
    {
      if (!add_and_link (bin, error, first, queue, level, valve, encoder, parser, sink, NULL))
        return FALSE;
    }
  else if (!add_and_link (bin, error, first, queue, valve, encoder, parser, sink, NULL))
    return FALSE;

  in = gst_element_get_static_pad (queue, "sink");
  data = g_new0 (PaStreamProbe, 1);
  data->self = self;
  data->video = video;
  out = gst_element_get_static_pad (encoder, "src");
  gst_pad_add_probe (out, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     pa_stream_on_encoded, data, g_free);
  if (video)
    {
      g_autoptr(GstPad) encoder_in = gst_element_get_static_pad (encoder, "sink");

      gst_pad_add_probe (encoder_in, GST_PAD_PROBE_TYPE_BUFFER, pa_stream_on_encoder_in, self, NULL);
      self->video_in = g_steal_pointer (&in);
      self->encoder_src = g_steal_pointer (&out);
      self->video_valve = gst_object_ref (valve);
      if (self->recording == NULL && self->rtmp_url == NULL)
        {
          /* No output yet: the start completes with the first picture. */
          raw = gst_element_get_static_pad (queue, "sink");
          gst_pad_add_probe (raw, GST_PAD_PROBE_TYPE_BUFFER, pa_stream_on_raw_frame, self, NULL);
        }
    }
  else
    {
      self->audio_in = g_steal_pointer (&in);
      self->audio_valve = gst_object_ref (valve);
    }
  return TRUE;
}

static GstElement *
make_audio_encoder (GError **error)
{
  GstElement *encoder;

  /* avenc_aac (FFmpeg) first, as Debian ships it with gstreamer1.0-libav;
   * voaacenc, in plugins-bad, otherwise. fdkaacenc is not in Debian. */
  encoder = gst_element_factory_make ("avenc_aac", NULL);
  if (encoder == NULL)
    encoder = gst_element_factory_make ("voaacenc", NULL);
  if (encoder == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No AAC audio encoder is installed: install gstreamer1.0-libav."));
      return NULL;
    }
  g_object_set (encoder, "bitrate", 128000, NULL);
  return encoder;
}

static GstElement *
build_pipeline (PaStream  *self,
                GError   **error)
{
  g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  GstBin *bin = GST_BIN (pipeline);
  GstElement *video, *audio = NULL, *encoder;

  if (self->recording == NULL && self->rtmp_url == NULL && self->preview_sink == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Choose where the stream goes: a recording, a live server, or both."));
      return NULL;
    }

  video = pa_stream_scene_make_video (self->scene, self->width, self->height,
                                       self->fps_n, self->fps_d, error);
  if (video == NULL)
    return NULL;
  encoder = gst_element_factory_make ("x264enc", NULL);
  if (encoder == NULL)
    {
      gst_object_unref (gst_object_ref_sink (video));
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("The H.264 video encoder (x264enc) is missing: install gstreamer1.0-plugins-ugly."));
      return NULL;
    }
  /* zerolatency: no lookahead nor B-frames, so a frame leaves the
   * encoder as soon as it came in (what live servers want, and what
   * makes the first frame come at once); veryfast fits 720p30 on two
   * cores. */
  gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
  gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "veryfast");
  g_object_set (encoder,
                "bitrate", self->kbps,
                "key-int-max", (guint) (self->keyframe_interval * self->fps_n / self->fps_d),
                NULL);
  if (!add_branch (self, bin, video, encoder, "h264parse", TRUE, error))
    return NULL;
  self->videorate = gst_bin_get_by_name (GST_BIN (video), PA_STREAM_VIDEORATE_NAME);

  audio = pa_stream_scene_make_audio (self->scene, error);
  if (audio == NULL && error != NULL && *error != NULL)
    return NULL;
  if (audio != NULL)
    {
      GstElement *audio_encoder = make_audio_encoder (error);

      if (audio_encoder == NULL)
        {
          gst_object_unref (gst_object_ref_sink (audio));
          return NULL;
        }
      if (!add_branch (self, bin, audio, audio_encoder, "aacparse", FALSE, error))
        return NULL;
    }
  return g_steal_pointer (&pipeline);
}

/* A GStreamer error of the stream's own pipeline, in the user's words. */
static GError *
error_from_message (PaStream   *self,
                    GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("stream error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
           gst_error->message, debug != NULL ? debug : "");

  if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND))
    return g_error_new (PA_ERROR, PA_ERROR_NOT_FOUND,
                        _("The source cannot be found: %s"), gst_error->message);
  if (gst_error->domain == GST_STREAM_ERROR
      && (gst_error->code == GST_STREAM_ERROR_TYPE_NOT_FOUND
          || gst_error->code == GST_STREAM_ERROR_CODEC_NOT_FOUND
          || gst_error->code == GST_STREAM_ERROR_DECODE
          || gst_error->code == GST_STREAM_ERROR_WRONG_TYPE))
    return g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                        _("The source cannot be played: %s"), gst_error->message);
  return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                      _("The stream stopped: %s"), gst_error->message);
}

/* The stream ended on @error: whoever waits hears of it. */
void
pa_stream_fail (PaStream     *self,
                const GError *error)
{
  g_autoptr(GTask) start_task = g_steal_pointer (&self->start_task);
  g_autoptr(GTask) stop_task = g_steal_pointer (&self->stop_task);
  gboolean told = FALSE;

  tear_down (self);
  if (start_task != NULL)
    {
      g_task_return_error (start_task, g_error_copy (error));
      told = TRUE;
    }
  if (stop_task != NULL)
    {
      g_task_return_error (stop_task, g_error_copy (error));
      told = TRUE;
    }
  if (!told)
    g_signal_emit (self, pa_stream_signals[PA_STREAM_SIGNAL_FAILED], 0, error);
}

static gboolean
on_bus_message (GstBus     *bus,
                GstMessage *message,
                gpointer    user_data)
{
  PaStream *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GObject) keep = g_object_ref (G_OBJECT (self));
        g_autoptr(GError) error = error_from_message (self, message);

        pa_stream_fail (self, error);
        /* tear_down() removed this watch. */
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      if (self->stop_task != NULL)
        {
          /* Everything captured is encoded and handed over: the outputs
           * close, and the stop completes once they did. */
          pa_stream_outputs_end (self);
          return G_SOURCE_CONTINUE;
        }
      break;
    case GST_MESSAGE_QOS:
      pa_stream_count_qos (self, message);
      break;
    case GST_MESSAGE_LATENCY:
      /* An element's latency changed (a source's, an encoder's): the
       * preview's sink, the one that syncs, must know. */
      gst_bin_recalculate_latency (GST_BIN (self->pipeline));
      break;
    case GST_MESSAGE_ELEMENT:
      {
        const GstStructure *structure = gst_message_get_structure (message);

        if (structure != NULL && gst_structure_has_name (structure, "level"))
          pa_stream_emit_level (self, structure);
      }
      break;
    case GST_MESSAGE_WARNING:
      {
        g_autoptr(GError) warning = NULL;

        gst_message_parse_warning (message, &warning, NULL);
        g_debug ("stream warning from %s: %s",
                 GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), warning->message);
      }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
pa_stream_on_first_frame (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  if (task == NULL || self->pipeline == NULL)
    return G_SOURCE_REMOVE;

  pa_stream_clear_source (&self->timeout);
  pa_stream_clear_source (&self->cancelled);
  g_mutex_lock (&self->lock);
  self->last_frames = self->frames;
  self->last_bytes = self->bytes;
  g_mutex_unlock (&self->lock);
  self->last_tick = g_get_monotonic_time ();
  self->stats.target_fps = self->fps_n / (double) self->fps_d;
  /* Not _seconds(): its one-second granularity would shift the ticks. */
  self->ticker = pa_stream_add_timeout (self, 1000, pa_stream_on_tick);
  self->running = TRUE;
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GError) error = NULL;

  error = g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                       _("The source gave no picture within %d seconds."), PA_STREAM_START_TIMEOUT_S);
  pa_stream_fail (self, error);
  return G_SOURCE_REMOVE;
}

static gboolean
on_start_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  PaStream *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  tear_down (self);
  if (task != NULL)
    g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

void
pa_stream_start_async (PaStream            *self,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GstBus) bus = NULL;

  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));
  g_return_if_fail (!self->started);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_start_async);
  self->started = TRUE;
  self->context = g_main_context_ref_thread_default ();

  if (g_task_return_error_if_cancelled (task))
    return;
  self->pipeline = build_pipeline (self, &error);
  if (self->pipeline == NULL
      || !pa_stream_outputs_start_initial (self, &error))
    {
      tear_down (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bus = gst_element_get_bus (self->pipeline);
  gst_bus_add_watch (bus, on_bus_message, self);
  self->start_task = g_steal_pointer (&task);

  self->timeout = pa_stream_add_timeout (self, PA_STREAM_START_TIMEOUT_S * 1000, on_start_timeout);
  if (cancellable != NULL)
    {
      self->cancelled = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancelled, G_SOURCE_FUNC (on_start_cancelled), self, NULL);
      g_source_attach (self->cancelled, self->context);
    }

  /* A failure posts its reason on the bus, where the watch finds it. */
  gst_element_set_state (self->pipeline, GST_STATE_PLAYING);
}

gboolean
pa_stream_start_finish (PaStream      *self,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static gboolean
on_stop_timeout (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GError) error = NULL;

  error = g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                       _("The stream did not end within %d seconds: the recording may miss its last seconds."),
                       PA_STREAM_STOP_TIMEOUT_S);
  pa_stream_fail (self, error);
  return G_SOURCE_REMOVE;
}

/* Every output closed after the stop: the stream is over. */
void
pa_stream_stopped (PaStream *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

  tear_down (self);
  if (task != NULL)
    g_task_return_boolean (task, TRUE);
}

void
pa_stream_stop_async (PaStream            *self,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (self->stop_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_stop_async);

  if (self->pipeline == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (self->start_task != NULL)
    {
      g_autoptr(GTask) start_task = g_steal_pointer (&self->start_task);

      tear_down (self);
      g_task_return_new_error (start_task, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                               _("The stream was stopped before it started."));
      g_task_return_boolean (task, TRUE);
      return;
    }

  self->stop_task = g_steal_pointer (&task);
  pa_stream_outputs_cancel_pending (self);
  if (self->outputs->len == 0)
    {
      /* Nothing to finalise: a preview alone stops at once. */
      pa_stream_stopped (self);
      return;
    }
  pa_stream_clear_source (&self->timeout);
  self->timeout = pa_stream_add_timeout (self, PA_STREAM_STOP_TIMEOUT_S * 1000, on_stop_timeout);

  /* EOS goes in behind each source, not into the sources: a still
   * picture's source has ended long ago (imagefreeze repeats it), and
   * the encoders behind are what must finish, then the outputs. */
  gst_pad_send_event (self->video_in, gst_event_new_eos ());
  if (self->audio_in != NULL)
    gst_pad_send_event (self->audio_in, gst_event_new_eos ());
}

gboolean
pa_stream_stop_finish (PaStream      *self,
                       GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
