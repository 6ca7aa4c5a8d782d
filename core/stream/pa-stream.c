/* pa-stream.c — the pipeline of a stream: source → encoders → tee →
 * Matroska recording and/or FLV over RTMP
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/gst.h>

#include "pa-error.h"
#include "pa-stream.h"
#include "pa-stream-private.h"

/* How long a start may wait for its first frame, and a stop for the
 * outputs to close. */
#define START_TIMEOUT_S 15
#define STOP_TIMEOUT_S 10

struct _PaStream {
  GObject         parent_instance;

  PaStreamSource *source;
  PaStreamScene  *scene;
  int             width, height, fps_n, fps_d;
  guint           kbps, keyframe_interval;
  GFile          *recording;
  char           *rtmp_url;

  /* Set at the start: the context the stream's callbacks run in. */
  GMainContext   *context;
  GstElement     *pipeline;
  GstElement     *videorate;
  GstPad         *video_in;     /* where EOS goes in at the stop */
  GstPad         *audio_in;
  gboolean        started;
  GTask          *start_task;
  GTask          *stop_task;
  GSource        *timeout;      /* of the start or the stop */
  GSource        *ticker;       /* the stats, once a second */
  GSource        *cancelled;

  /* Counted in the streaming threads, under the lock. */
  GMutex          lock;
  guint64         frames;
  guint64         bytes;
  gboolean        first_frame_told;

  /* Main context only. */
  GHashTable     *qos_dropped;  /* element path → dropped, as last reported */
  guint64         last_frames, last_bytes;
  gint64          last_tick;
  PaStreamStats   stats;
};

G_DEFINE_FINAL_TYPE (PaStream, pa_stream, G_TYPE_OBJECT)

enum {
  SIGNAL_STATS,
  SIGNAL_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* Stops the pipeline at once and lets go of it. */
static void
tear_down (PaStream *self)
{
  clear_source (&self->timeout);
  clear_source (&self->ticker);
  clear_source (&self->cancelled);
  if (self->pipeline != NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_bus_remove_watch (bus);
    }
  gst_clear_object (&self->videorate);
  gst_clear_object (&self->video_in);
  gst_clear_object (&self->audio_in);
  gst_clear_object (&self->pipeline);
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
  signals[SIGNAL_STATS] = g_signal_new ("stats", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /**
   * PaStream::failed:
   * @error: what went wrong, for the user
   *
   * The running stream stopped on an error (the server went away, the
   * disk is full); it is stopped when this is emitted.
   */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
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

/* The server of @url, without the path: the stream key is a secret, and
 * it is in the path. */
static char *
rtmp_host (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (_("the live server"));
  return g_strdup (g_uri_get_host (uri));
}

/* Counts what comes out of an encoder. */
static GstPadProbeReturn
on_encoded (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data);

typedef struct {
  PaStream *self;   /* not a reference: the probe goes with the pipeline */
  gboolean  video;
} ProbeData;

static gboolean
link_tee_to (GstBin      *bin,
             GstElement  *tee,
             GstElement  *mux,
             GError     **error)
{
  GstElement *queue = pa_stream_make_element ("queue", NULL, "gstreamer1.0-plugins-base", error);

  if (queue == NULL)
    return FALSE;
  gst_bin_add (bin, queue);
  if (!gst_element_link (tee, queue) || !gst_element_link (queue, mux))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The stream could not be set up (%s cannot take what %s makes)."),
                   GST_ELEMENT_NAME (mux), GST_ELEMENT_NAME (tee));
      return FALSE;
    }
  return TRUE;
}

/* source → queue → encoder → parser → tee, in @bin; returns the tee
 * (borrowed) and the queue's sink pad (@in, a reference). */
static GstElement *
add_branch (PaStream    *self,
            GstBin      *bin,
            GstElement  *source,
            GstElement  *encoder,
            const char  *parser_name,
            gboolean     video,
            GstPad     **in,
            GError     **error)
{
  GstElement *queue, *parser, *tee;
  g_autoptr(GstPad) encoded = NULL;
  ProbeData *data;

  gst_bin_add (bin, source);
  gst_bin_add (bin, encoder);
  queue = pa_stream_make_element ("queue", NULL, "gstreamer1.0-plugins-base", error);
  if (queue == NULL)
    return NULL;
  gst_bin_add (bin, queue);
  parser = pa_stream_make_element (parser_name, NULL, "gstreamer1.0-plugins-bad", error);
  if (parser == NULL)
    return NULL;
  gst_bin_add (bin, parser);
  tee = pa_stream_make_element ("tee", NULL, "gstreamer1.0-plugins-base", error);
  if (tee == NULL)
    return NULL;
  gst_bin_add (bin, tee);
  if (!gst_element_link_many (source, queue, encoder, parser, tee, NULL))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The stream could not be set up (the encoder refused the source)."));
      return NULL;
    }

  *in = gst_element_get_static_pad (queue, "sink");
  data = g_new0 (ProbeData, 1);
  data->self = self;
  data->video = video;
  encoded = gst_element_get_static_pad (encoder, "src");
  gst_pad_add_probe (encoded, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_BUFFER_LIST,
                     on_encoded, data, g_free);
  return tee;
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
  GstElement *video, *audio = NULL, *encoder, *video_tee, *audio_tee = NULL;

  if (self->recording == NULL && self->rtmp_url == NULL)
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
  video_tee = add_branch (self, bin, video, encoder, "h264parse", TRUE, &self->video_in, error);
  if (video_tee == NULL)
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
      audio_tee = add_branch (self, bin, audio, audio_encoder, "aacparse", FALSE, &self->audio_in, error);
      if (audio_tee == NULL)
        return NULL;
    }

  if (self->recording != NULL)
    {
      g_autofree char *path = g_file_get_path (self->recording);
      GstElement *mux, *sink;

      if (path == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Recordings can only be saved to a local folder."));
          return NULL;
        }
      mux = pa_stream_make_element ("matroskamux", NULL, "gstreamer1.0-plugins-good", error);
      if (mux == NULL)
        return NULL;
      gst_bin_add (bin, mux);
      sink = pa_stream_make_element ("filesink", "pa-stream-recording", "gstreamer1.0-plugins-base", error);
      if (sink == NULL)
        return NULL;
      gst_bin_add (bin, sink);
      /* Matroska is written as it comes, cluster by cluster: a killed
       * program leaves a file without its index and duration, which
       * players read anyway. Unbuffered: each write reaches the kernel
       * at once, so a kill loses nothing the muxer had written. */
      g_object_set (sink, "location", path, NULL);
      gst_util_set_object_arg (G_OBJECT (sink), "buffer-mode", "unbuffered");
      if (!gst_element_link (mux, sink)
          || !link_tee_to (bin, video_tee, mux, error)
          || (audio_tee != NULL && !link_tee_to (bin, audio_tee, mux, error)))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("The recording could not be set up."));
          return NULL;
        }
    }

  if (self->rtmp_url != NULL)
    {
      GstElement *mux, *sink;

      mux = pa_stream_make_element ("flvmux", NULL, "gstreamer1.0-plugins-good", error);
      if (mux == NULL)
        return NULL;
      gst_bin_add (bin, mux);
      sink = pa_stream_make_element ("rtmp2sink", "pa-stream-rtmp", "gstreamer1.0-plugins-bad", error);
      if (sink == NULL)
        return NULL;
      gst_bin_add (bin, sink);
      g_object_set (mux, "streamable", TRUE, NULL);
      g_object_set (sink, "location", self->rtmp_url, NULL);
      if (!gst_element_link (mux, sink)
          || !link_tee_to (bin, video_tee, mux, error)
          || (audio_tee != NULL && !link_tee_to (bin, audio_tee, mux, error)))
        {
          if (error != NULL && *error == NULL)
            g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("The live output could not be set up."));
          return NULL;
        }
    }

  return g_steal_pointer (&pipeline);
}

/* Whether @message comes from @name or from inside it. */
static gboolean
message_from (GstMessage *message,
              GstElement *pipeline,
              const char *name)
{
  g_autoptr(GstElement) element = gst_bin_get_by_name (GST_BIN (pipeline), name);
  GstObject *src;

  if (element == NULL)
    return FALSE;
  for (src = GST_MESSAGE_SRC (message); src != NULL; src = GST_OBJECT_PARENT (src))
    if (src == GST_OBJECT (element))
      return TRUE;
  return FALSE;
}

/* A GStreamer error, in the user's words. */
static GError *
error_from_message (PaStream   *self,
                    GstMessage *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("stream error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
           gst_error->message, debug != NULL ? debug : "");

  if (message_from (message, self->pipeline, "pa-stream-rtmp"))
    {
      g_autofree char *host = rtmp_host (self->rtmp_url);

      return g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                          _("The live server %s cannot be reached or refused the stream: %s"),
                          host, gst_error->message);
    }
  if (message_from (message, self->pipeline, "pa-stream-recording"))
    {
      g_autofree char *name = g_file_get_parse_name (self->recording);

      return g_error_new (PA_ERROR, PA_ERROR_STORAGE,
                          _("The recording “%s” could not be written: %s"),
                          name, gst_error->message);
    }
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
static void
fail (PaStream *self,
      GError   *error)
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
    g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
}

static void
count_qos (PaStream   *self,
           GstMessage *message)
{
  GstFormat format;
  guint64 processed, dropped;

  gst_message_parse_qos_stats (message, &format, &processed, &dropped);
  if (format == GST_FORMAT_BUFFERS || format == GST_FORMAT_DEFAULT)
    g_hash_table_insert (self->qos_dropped,
                         gst_object_get_path_string (GST_MESSAGE_SRC (message)),
                         GSIZE_TO_POINTER ((gsize) dropped));
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

        fail (self, error);
        /* tear_down() removed this watch. */
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      if (self->stop_task != NULL)
        {
          g_autoptr(GTask) task = g_steal_pointer (&self->stop_task);

          tear_down (self);
          g_task_return_boolean (task, TRUE);
          return G_SOURCE_REMOVE;
        }
      break;
    case GST_MESSAGE_QOS:
      count_qos (self, message);
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

static gboolean
on_tick (gpointer user_data)
{
  PaStream *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 frames, bytes, dropped = 0;
  double seconds = (now - self->last_tick) / (double) G_USEC_PER_SEC;
  GHashTableIter iter;
  gpointer value;

  g_mutex_lock (&self->lock);
  frames = self->frames;
  bytes = self->bytes;
  g_mutex_unlock (&self->lock);

  if (self->videorate != NULL)
    g_object_get (self->videorate, "drop", &dropped, NULL);
  g_hash_table_iter_init (&iter, self->qos_dropped);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    dropped += GPOINTER_TO_SIZE (value);

  if (seconds > 0)
    {
      self->stats.fps = (frames - self->last_frames) / seconds;
      self->stats.bitrate = (guint64) ((bytes - self->last_bytes) * 8 / seconds);
    }
  self->stats.frames = frames;
  self->stats.dropped = dropped;
  self->stats.live_time = pa_stream_get_live_time (self);
  self->last_frames = frames;
  self->last_bytes = bytes;
  self->last_tick = now;
  g_signal_emit (self, signals[SIGNAL_STATS], 0);
  return G_SOURCE_CONTINUE;
}

static gboolean
on_first_frame (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->start_task);

  if (task == NULL || self->pipeline == NULL)
    return G_SOURCE_REMOVE;

  clear_source (&self->timeout);
  clear_source (&self->cancelled);
  g_mutex_lock (&self->lock);
  self->last_frames = self->frames;
  self->last_bytes = self->bytes;
  g_mutex_unlock (&self->lock);
  self->last_tick = g_get_monotonic_time ();
  /* Not _seconds(): its one-second granularity would shift the ticks. */
  self->ticker = g_timeout_source_new (1000);
  g_source_set_callback (self->ticker, on_tick, self, NULL);
  g_source_attach (self->ticker, self->context);
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static GstPadProbeReturn
on_encoded (GstPad          *pad,
            GstPadProbeInfo *info,
            gpointer         user_data)
{
  ProbeData *data = user_data;
  PaStream *self = data->self;
  guint n = 1;
  gsize size;
  gboolean tell = FALSE;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER_LIST)
    {
      GstBufferList *list = GST_PAD_PROBE_INFO_BUFFER_LIST (info);

      n = gst_buffer_list_length (list);
      size = gst_buffer_list_calculate_size (list);
    }
  else
    size = gst_buffer_get_size (GST_PAD_PROBE_INFO_BUFFER (info));

  g_mutex_lock (&self->lock);
  self->bytes += size;
  if (data->video)
    {
      self->frames += n;
      if (!self->first_frame_told)
        {
          self->first_frame_told = TRUE;
          tell = TRUE;
        }
    }
  g_mutex_unlock (&self->lock);

  /* The stream outlives its pipeline, which tear_down() stops before
   * it lets go of the stream. */
  if (tell)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, on_first_frame,
                                g_object_ref (self), g_object_unref);
  return GST_PAD_PROBE_OK;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GError) error = NULL;

  error = g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                       _("The source gave no picture within %d seconds."), START_TIMEOUT_S);
  fail (self, error);
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
  if (self->pipeline == NULL)
    {
      tear_down (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  bus = gst_element_get_bus (self->pipeline);
  gst_bus_add_watch (bus, on_bus_message, self);
  self->start_task = g_steal_pointer (&task);

  self->timeout = g_timeout_source_new_seconds (START_TIMEOUT_S);
  g_source_set_callback (self->timeout, on_start_timeout, self, NULL);
  g_source_attach (self->timeout, self->context);
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
                       STOP_TIMEOUT_S);
  fail (self, error);
  return G_SOURCE_REMOVE;
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
  clear_source (&self->timeout);
  self->timeout = g_timeout_source_new_seconds (STOP_TIMEOUT_S);
  g_source_set_callback (self->timeout, on_stop_timeout, self, NULL);
  g_source_attach (self->timeout, self->context);

  /* EOS goes in behind each source, not into the sources: a still
   * picture's source has ended long ago (imagefreeze repeats it), and
   * the encoders and muxers behind are what must close properly. */
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

/* What follows is not built yet: each call says so. */

static void
not_built (gpointer            self,
           gpointer            tag,
           GCancellable       *cancellable,
           GAsyncReadyCallback callback,
           gpointer            user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED, "Not built yet.");
}

PaStreamHealth
pa_stream_stats_get_health (const PaStreamStats  *stats,
                            char                **message)
{
  if (message != NULL)
    *message = g_strdup ("Not built yet.");
  return PA_STREAM_HEALTH_BAD;
}

void
pa_stream_set_preview_sink (PaStream   *self,
                            GstElement *sink,
                            int         max_width)
{
  g_critical ("pa_stream_set_preview_sink: not built yet");
}

void
pa_stream_start_recording_async (PaStream            *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  not_built (self, pa_stream_start_recording_async, cancellable, callback, user_data);
}

gboolean
pa_stream_start_recording_finish (PaStream      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pa_stream_stop_recording_async (PaStream            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  not_built (self, pa_stream_stop_recording_async, cancellable, callback, user_data);
}

gboolean
pa_stream_stop_recording_finish (PaStream      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

GFile *
pa_stream_get_recording (PaStream *self)
{
  return self->recording;
}

void
pa_stream_go_live_async (PaStream            *self,
                         const char          *url,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  not_built (self, pa_stream_go_live_async, cancellable, callback, user_data);
}

gboolean
pa_stream_go_live_finish (PaStream      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
pa_stream_stop_live_async (PaStream            *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  not_built (self, pa_stream_stop_live_async, cancellable, callback, user_data);
}

gboolean
pa_stream_stop_live_finish (PaStream      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

PaStreamLiveState
pa_stream_get_live_state (PaStream *self)
{
  return PA_STREAM_LIVE_OFF;
}
