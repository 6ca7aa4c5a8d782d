/* pa-stream-output.c — the outputs of a stream, each a pipeline of its
 * own fed with the encoded samples: appsrc(s) → matroskamux → filesink,
 * appsrc(s) → flvmux → rtmp2sink
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsrc.h>

#include "pa-error.h"
#include "pa-stream-private.h"

/* A live output with more than this queued (its server lags behind, or
 * it is still connecting) drops frames, up to the next keyframe, rather
 * than hold them: a live stream must stay live. */
#define LIVE_BACKLOG (2 * GST_SECOND)

struct _PaStreamOutput {
  PaStreamOutputKind kind;
  GFile             *file;
  char              *url;
  GstElement        *pipeline;
  GstElement        *video_src;
  GstElement        *audio_src;    /* NULL without audio */
  GstElement        *sink;

  /* Streaming side, under the stream's lock. */
  gboolean           started;      /* its first keyframe went in */
  gboolean           ended;
  gboolean           need_keyframe;
  GstClockTime       offset;       /* the stream's time of the first keyframe */
  guint64            dropped;
};

static void
output_clear (PaStreamOutput *self)
{
  pa_stream_output_close (self);
  gst_clear_object (&self->video_src);
  gst_clear_object (&self->audio_src);
  gst_clear_object (&self->sink);
  gst_clear_object (&self->pipeline);
  g_clear_object (&self->file);
  g_clear_pointer (&self->url, g_free);
}

PaStreamOutput *
pa_stream_output_ref (PaStreamOutput *self)
{
  return g_atomic_rc_box_acquire (self);
}

void
pa_stream_output_unref (PaStreamOutput *self)
{
  g_atomic_rc_box_release_full (self, (GDestroyNotify) output_clear);
}

static GstElement *
add_appsrc (PaStreamOutput  *self,
            GstElement      *mux,
            const char      *pad_template,
            GError         **error)
{
  GstElement *src = pa_stream_make_element ("appsrc", NULL, "gstreamer1.0-plugins-base", error);
  g_autoptr(GstPad) src_pad = NULL;
  g_autoptr(GstPad) mux_pad = NULL;

  if (src == NULL)
    return NULL;
  /* Never blocks the encoder's thread: what to do with a backlog is
   * decided in pa_stream_output_push(). The caps come with each sample. */
  g_object_set (src,
                "format", GST_FORMAT_TIME,
                "is-live", TRUE,
                "block", FALSE,
                "max-bytes", (guint64) 256 * 1024 * 1024,
                NULL);
  gst_bin_add (GST_BIN (self->pipeline), src);
  src_pad = gst_element_get_static_pad (src, "src");
  mux_pad = gst_element_request_pad_simple (mux, pad_template);
  if (mux_pad == NULL || gst_pad_link (src_pad, mux_pad) != GST_PAD_LINK_OK)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The stream could not be set up (%s cannot take what %s makes)."),
                   GST_ELEMENT_NAME (mux), GST_ELEMENT_NAME (src));
      return NULL;
    }
  return gst_object_ref (src);
}

static PaStreamOutput *
output_new (PaStreamOutputKind   kind,
            const char          *mux_factory,
            const char          *sink_factory,
            const char          *sink_package,
            gboolean             audio,
            GError             **error)
{
  g_autoptr(PaStreamOutput) self = g_atomic_rc_box_new0 (PaStreamOutput);
  gboolean live = kind == PA_STREAM_OUTPUT_LIVE;
  GstElement *mux;

  self->kind = kind;
  self->need_keyframe = TRUE;
  self->offset = GST_CLOCK_TIME_NONE;
  self->pipeline = gst_object_ref_sink (gst_pipeline_new (live ? "pa-stream-live" : "pa-stream-recording"));
  mux = pa_stream_make_element (mux_factory, NULL, "gstreamer1.0-plugins-good", error);
  if (mux == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->pipeline), mux);
  self->sink = pa_stream_make_element (sink_factory, NULL, sink_package, error);
  if (self->sink == NULL)
    return NULL;
  gst_object_ref_sink (self->sink);
  gst_bin_add (GST_BIN (self->pipeline), self->sink);
  if (!gst_element_link (mux, self->sink))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                   _("The stream could not be set up (%s cannot take what %s makes)."),
                   GST_ELEMENT_NAME (self->sink), GST_ELEMENT_NAME (mux));
      return NULL;
    }
  if (live)
    /* The samples come at the pace of the capture already: waiting for
     * the clock here would only add the encoder's latency. */
    g_object_set (mux, "streamable", TRUE, NULL);
  g_object_set (self->sink, "sync", FALSE, NULL);

  self->video_src = add_appsrc (self, mux, live ? "video" : "video_%u", error);
  if (self->video_src == NULL)
    return NULL;
  if (audio)
    {
      self->audio_src = add_appsrc (self, mux, live ? "audio" : "audio_%u", error);
      if (self->audio_src == NULL)
        return NULL;
    }
  return g_steal_pointer (&self);
}

PaStreamOutput *
pa_stream_output_new_recording (GFile     *file,
                                gboolean   audio,
                                GError   **error)
{
  g_autofree char *path = g_file_get_path (file);
  PaStreamOutput *self;

  if (path == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Recordings can only be saved to a local folder."));
      return NULL;
    }
  self = output_new (PA_STREAM_OUTPUT_RECORDING, "matroskamux", "filesink",
                     "gstreamer1.0-plugins-base", audio, error);
  if (self == NULL)
    return NULL;
  self->file = g_object_ref (file);
  /* Matroska is written as it comes, cluster by cluster: a killed
   * program leaves a file without its index and duration, which players
   * read anyway. Unbuffered: each write reaches the kernel at once, so a
   * kill loses nothing the muxer had written. */
  g_object_set (self->sink, "location", path, NULL);
  gst_util_set_object_arg (G_OBJECT (self->sink), "buffer-mode", "unbuffered");
  return self;
}

PaStreamOutput *
pa_stream_output_new_live (const char  *url,
                           gboolean     audio,
                           GError     **error)
{
  PaStreamOutput *self;

  self = output_new (PA_STREAM_OUTPUT_LIVE, "flvmux", "rtmp2sink",
                     "gstreamer1.0-plugins-bad", audio, error);
  if (self == NULL)
    return NULL;
  self->url = g_strdup (url);
  g_object_set (self->sink, "location", url, NULL);
  return self;
}

PaStreamOutputKind
pa_stream_output_get_kind (PaStreamOutput *self)
{
  return self->kind;
}

GstElement *
pa_stream_output_get_pipeline (PaStreamOutput *self)
{
  return self->pipeline;
}

GFile *
pa_stream_output_get_file (PaStreamOutput *self)
{
  return self->file;
}

const char *
pa_stream_output_get_url (PaStreamOutput *self)
{
  return self->url;
}

guint64
pa_stream_output_get_dropped (PaStreamOutput *self)
{
  return self->dropped;
}

static GstClockTime
rebase (GstClockTime time,
        GstClockTime offset)
{
  if (!GST_CLOCK_TIME_IS_VALID (time))
    return time;
  return time > offset ? time - offset : 0;
}

/* @time of @segment as running time; a time before the segment's start
 * (a DTS ahead of its PTS) as 0. */
static GstClockTime
running_time (const GstSegment *segment,
              GstClockTime      time)
{
  guint64 running = 0;

  if (!GST_CLOCK_TIME_IS_VALID (time))
    return GST_CLOCK_TIME_NONE;
  if (segment == NULL || segment->format != GST_FORMAT_TIME)
    return time;
  if (gst_segment_to_running_time_full (segment, GST_FORMAT_TIME, time, &running) < 0)
    return 0;
  return running;
}

PaStreamPush
pa_stream_output_push (PaStreamOutput *self,
                       GstSample      *sample,
                       gboolean        video)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstElement *src = video ? self->video_src : self->audio_src;
  g_autoptr(GstBuffer) copy = NULL;
  g_autoptr(GstSample) rebased = NULL;
  PaStreamPush result = PA_STREAM_PUSH_OK;
  GstClockTime pts;

  if (self->ended || src == NULL || buffer == NULL || !GST_BUFFER_PTS_IS_VALID (buffer))
    return PA_STREAM_PUSH_SKIPPED;
  /* In running time: the encoders' segments do not start at 0 (x264enc
   * puts 1000 hours ahead, for DTS before PTS). */
  pts = running_time (gst_sample_get_segment (sample), GST_BUFFER_PTS (buffer));
  if (!GST_CLOCK_TIME_IS_VALID (pts))
    return PA_STREAM_PUSH_SKIPPED;

  if (!video)
    {
      /* Sound starts with the first picture. */
      if (!self->started || pts < self->offset)
        return PA_STREAM_PUSH_SKIPPED;
      if (self->kind == PA_STREAM_OUTPUT_LIVE
          && gst_app_src_get_current_level_time (GST_APP_SRC (src)) > LIVE_BACKLOG)
        return PA_STREAM_PUSH_SKIPPED;
    }
  else
    {
      gboolean keyframe = !GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DELTA_UNIT);

      if (self->kind == PA_STREAM_OUTPUT_LIVE && self->started
          && gst_app_src_get_current_level_time (GST_APP_SRC (src)) > LIVE_BACKLOG)
        {
          /* A frame missing breaks the pictures up to the next keyframe:
           * those go too. */
          self->need_keyframe = TRUE;
          self->dropped++;
          return PA_STREAM_PUSH_DROPPED;
        }
      if (self->need_keyframe && !keyframe)
        {
          if (self->started)
            {
              self->dropped++;
              return PA_STREAM_PUSH_DROPPED;
            }
          return PA_STREAM_PUSH_WAITING;
        }
      if (self->need_keyframe)
        {
          self->need_keyframe = FALSE;
          if (!self->started)
            {
              self->started = TRUE;
              self->offset = pts;
              result = PA_STREAM_PUSH_FIRST;
            }
        }
    }

  /* The buffer is shared with the other outputs: a copy of its header,
   * its memory shared. */
  copy = gst_buffer_copy (buffer);
  GST_BUFFER_PTS (copy) = rebase (pts, self->offset);
  GST_BUFFER_DTS (copy) = rebase (running_time (gst_sample_get_segment (sample),
                                                GST_BUFFER_DTS (buffer)),
                                  self->offset);
  rebased = gst_sample_new (copy, gst_sample_get_caps (sample), NULL, NULL);
  gst_app_src_push_sample (GST_APP_SRC (src), rebased);
  return result;
}

void
pa_stream_output_end (PaStreamOutput *self)
{
  if (self->ended)
    return;
  self->ended = TRUE;
  gst_app_src_end_of_stream (GST_APP_SRC (self->video_src));
  if (self->audio_src != NULL)
    gst_app_src_end_of_stream (GST_APP_SRC (self->audio_src));
}

gboolean
pa_stream_output_is_connected (PaStreamOutput *self)
{
  g_autoptr(GstStructure) stats = NULL;
  guint64 in = 0;

  if (self->kind != PA_STREAM_OUTPUT_LIVE || self->sink == NULL)
    return FALSE;
  /* rtmp2sink keeps its connection to itself until the server took the
   * publish; until then its statistics are those of no connection, all
   * zero. */
  g_object_get (self->sink, "stats", &stats, NULL);
  return stats != NULL
         && gst_structure_get_uint64 (stats, "in-bytes-total", &in)
         && in > 0;
}

void
pa_stream_output_close (PaStreamOutput *self)
{
  if (self->pipeline != NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_bus_remove_watch (bus);
      gst_element_set_state (self->pipeline, GST_STATE_NULL);
    }
}

/* The server of @url, without the path: the stream key is a secret, and
 * it is in the path. */
static char *
url_host (const char *url)
{
  g_autoptr(GUri) uri = url != NULL ? g_uri_parse (url, G_URI_FLAGS_NONE, NULL) : NULL;

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return g_strdup (_("the live server"));
  return g_strdup (g_uri_get_host (uri));
}

GError *
pa_stream_output_error_from_message (PaStreamOutput *self,
                                     GstMessage     *message)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  /* The debug text may hold the URL: kept to the debug log. */
  g_debug ("stream output error from %s: %s [%s %d] (%s)",
           GST_OBJECT_NAME (GST_MESSAGE_SRC (message)), gst_error->message,
           g_quark_to_string (gst_error->domain), gst_error->code,
           debug != NULL ? debug : "");

  if (self->kind == PA_STREAM_OUTPUT_LIVE)
    {
      g_autofree char *host = url_host (self->url);

      if (g_error_matches (gst_error, GST_CORE_ERROR, GST_CORE_ERROR_MISSING_PLUGIN))
        return g_error_new (PA_ERROR, PA_ERROR_NOT_FOUND,
                            /* Translators: %s is a Debian package. */
                            _("A part of GStreamer that live streams need is missing: install %s."),
                            "gstreamer1.0-plugins-bad");
      /* nginx refusing a publish (its on_publish said no) lets the
       * connection and the handshake through, then closes it on the
       * "publish" command; rtmp2sink reports that as a failed connect
       * naming the command. Services that check keys do alike. */
      if (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_AUTHORIZED)
          || (g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_FAILED)
              && (strstr (gst_error->message, "'publish'") != NULL
                  || (debug != NULL && strstr (debug, "'publish'") != NULL))))
        return g_error_new (PA_ERROR, PA_ERROR_AUTH,
                            _("The live server %s refused the stream: check the stream key."),
                            host);
      return g_error_new (PA_ERROR, PA_ERROR_UNAVAILABLE,
                          _("The live server %s cannot be reached: check its address and your connection."),
                          host);
    }
  else
    {
      g_autofree char *name = g_file_get_parse_name (self->file);

      return g_error_new (PA_ERROR, PA_ERROR_STORAGE,
                          _("The recording “%s” could not be written: %s"),
                          name, gst_error->message);
    }
}
