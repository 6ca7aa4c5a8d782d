/* pa-video-transcode.c — decode, hand each frame over, encode, mux
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gst/app/app.h>
#include <gst/video/video.h>
#include <unistd.h>

#include "pa-error.h"
#include "pa-image-file.h"
#include "pa-video-transcode-private.h"

/* What each output extension is written as. The video encoders are set
 * for speed (real time at 720p on two cores) at a constant quality, so
 * the output looks like the input whatever its size. */
typedef struct {
  const char *extension;
  const char *muxer;
  const char *video_encoder;
  const char *audio_encoders;   /* tried in order when the audio must be re-encoded */
} OutputFormat;

static const OutputFormat output_formats[] = {
  { ".mp4", "mp4mux", "x264enc", "avenc_aac,voaacenc" },
  { ".m4v", "mp4mux", "x264enc", "avenc_aac,voaacenc" },
  { ".mov", "qtmux", "x264enc", "avenc_aac,voaacenc" },
  { ".mkv", "matroskamux", "x264enc", "opusenc,vorbisenc" },
  { ".webm", "webmmux", "vp8enc", "opusenc,vorbisenc" },
};

/* Audio waits in this queue while the video encoder fills its look-ahead:
 * the muxer takes nothing until both streams have data. Compressed audio
 * is small; the limit only stops a hostile file from taking all memory. */
#define AUDIO_QUEUE_BYTES (64 * 1024 * 1024)

/* How long the thread waits at most between looks at the cancellable. */
#define POLL_INTERVAL (100 * GST_MSECOND)

typedef struct {
  const OutputFormat *format;
  GCancellable       *cancellable;
  char               *input_name;
  char               *output_name;

  GstElement         *pipeline;
  GstElement         *muxer;
  GstElement         *appsink;
  GstElement         *appsrc;
  GstElement         *filesink;

  /* Set in the streaming thread that exposes the decoded pads. */
  GMutex              lock;
  GCond               cond;
  gboolean            video_linked;
  gboolean            video_started;   /* appsink is in the pipeline and running */
  gboolean            audio_linked;
  gboolean            audio_reencoded;
  char               *audio_encoder;
  GError             *link_error;
  gboolean            appsrc_full;
} Transcode;

static const OutputFormat *
find_format (GFile *output)
{
  g_autofree char *basename = g_file_get_basename (output);
  g_autofree char *lower = basename ? g_ascii_strdown (basename, -1) : NULL;

  for (guint i = 0; lower != NULL && i < G_N_ELEMENTS (output_formats); i++)
    if (g_str_has_suffix (lower, output_formats[i].extension))
      return &output_formats[i];
  return NULL;
}

gboolean
pa_video_transcode_check_output (GFile   *output,
                                 GError **error)
{
  if (find_format (output) == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (output);

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s”: a video can be written as .mp4, .m4v, .mov, .mkv or .webm"), name);
      return FALSE;
    }
  if (g_file_peek_path (output) == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (output);

      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s”: a video can only be written to a local folder"), name);
      return FALSE;
    }
  return TRUE;
}

void
pa_video_transcode_result_clear (PaVideoTranscodeResult *result)
{
  g_clear_pointer (&result->audio_encoder, g_free);
}

static GstElement *
make_element (const char  *factory,
              GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, NULL);

  if (element == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                 _("The GStreamer element “%s” is missing (install gstreamer1.0-plugins-base, "
                   "-good, -bad, -ugly and gstreamer1.0-libav)"),
                 factory);
  return element;
}

static void
set_link_error (Transcode  *self,
                const char *what)
{
  g_mutex_lock (&self->lock);
  if (self->link_error == NULL)
    self->link_error = g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                    _("“%s” could not be transcoded: %s"),
                                    self->input_name, what);
  g_mutex_unlock (&self->lock);
}

/* Adds @elements to the pipeline, links them in a chain from @pad, and
 * starts them. The last one is linked to @sink_pad when not NULL. */
static gboolean
add_chain (Transcode   *self,
           GstPad      *pad,
           GstElement **elements,
           guint        n_elements,
           GstPad      *sink_pad)
{
  g_autoptr(GstPad) first_sink = NULL;

  for (guint i = 0; i < n_elements; i++)
    gst_bin_add (GST_BIN (self->pipeline), elements[i]);
  for (guint i = 0; i + 1 < n_elements; i++)
    if (!gst_element_link (elements[i], elements[i + 1]))
      return FALSE;
  if (sink_pad != NULL)
    {
      g_autoptr(GstPad) last_src = gst_element_get_static_pad (elements[n_elements - 1], "src");

      if (gst_pad_link (last_src, sink_pad) != GST_PAD_LINK_OK)
        return FALSE;
    }
  for (guint i = n_elements; i > 0; i--)
    gst_element_sync_state_with_parent (elements[i - 1]);
  first_sink = gst_element_get_static_pad (elements[0], "sink");
  return gst_pad_link (pad, first_sink) == GST_PAD_LINK_OK;
}

static gboolean
link_video (Transcode *self,
            GstPad    *pad)
{
  g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw", "format", G_TYPE_STRING, "RGBx", NULL);
  GstElement *chain[3];

  chain[0] = gst_element_factory_make ("queue", NULL);
  chain[1] = gst_element_factory_make ("videoconvert", NULL);
  chain[2] = self->appsink;
  g_object_set (chain[1], "n-threads", 2, NULL);
  g_object_set (self->appsink, "caps", caps, NULL);
  return add_chain (self, pad, chain, G_N_ELEMENTS (chain), NULL);
}

static GstElement *
make_audio_encoder (Transcode *self)
{
  g_auto(GStrv) names = g_strsplit (self->format->audio_encoders, ",", -1);

  for (guint i = 0; names[i] != NULL; i++)
    {
      GstElement *encoder = gst_element_factory_make (names[i], NULL);

      if (encoder != NULL)
        {
          self->audio_encoder = g_strdup (names[i]);
          return encoder;
        }
    }
  return NULL;
}

static gboolean
link_audio (Transcode *self,
            GstPad    *pad,
            GstCaps   *caps)
{
  g_autoptr(GstPad) mux_pad = gst_element_request_pad_simple (self->muxer, "audio_%u");
  GstStructure *s = gst_caps_get_structure (caps, 0);
  GstElement *queue;

  if (mux_pad == NULL)
    return FALSE;
  queue = gst_element_factory_make ("queue", NULL);
  g_object_set (queue, "max-size-buffers", 0, "max-size-time", (guint64) 0,
                "max-size-bytes", AUDIO_QUEUE_BYTES, NULL);

  if (gst_structure_has_name (s, "audio/x-raw"))
    {
      /* decodebin decoded it: the container cannot hold its codec. */
      GstElement *chain[4];
      GstElement *encoder = make_audio_encoder (self);

      if (encoder == NULL)
        {
          gst_object_unref (queue);
          gst_element_release_request_pad (self->muxer, mux_pad);
          return FALSE;
        }
      chain[0] = gst_element_factory_make ("audioconvert", NULL);
      chain[1] = gst_element_factory_make ("audioresample", NULL);
      chain[2] = encoder;
      chain[3] = queue;
      self->audio_reencoded = TRUE;
      return add_chain (self, pad, chain, G_N_ELEMENTS (chain), mux_pad);
    }

  /* Passed through untouched: not decoded, not re-encoded. */
  return add_chain (self, pad, &queue, 1, mux_pad);
}

static void
link_nowhere (Transcode *self,
              GstPad    *pad)
{
  GstElement *sink = gst_element_factory_make ("fakesink", NULL);

  g_object_set (sink, "sync", FALSE, "async", FALSE, NULL);
  add_chain (self, pad, &sink, 1, NULL);
}

static void
on_pad_added (GstElement *decodebin,
              GstPad     *pad,
              Transcode  *self)
{
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  const char *media;
  gboolean take_video, take_audio;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  if (caps == NULL || gst_caps_is_empty (caps))
    {
      link_nowhere (self, pad);
      return;
    }
  media = gst_structure_get_name (gst_caps_get_structure (caps, 0));

  g_mutex_lock (&self->lock);
  take_video = g_str_has_prefix (media, "video/x-raw") && !self->video_linked;
  take_audio = g_str_has_prefix (media, "audio/") && !self->audio_linked;
  if (take_video)
    self->video_linked = TRUE;
  if (take_audio)
    self->audio_linked = TRUE;
  g_mutex_unlock (&self->lock);

  /* Only the first video and audio streams are kept. */
  if (take_video)
    {
      if (!link_video (self, pad))
        {
          set_link_error (self, _("its video could not be decoded"));
        }
      else
        {
          g_mutex_lock (&self->lock);
          self->video_started = TRUE;
          g_mutex_unlock (&self->lock);
        }
    }
  else if (take_audio)
    {
      if (!link_audio (self, pad, caps))
        {
          g_autofree char *what = g_strdup_printf (_("its audio (%s) could not be written into the output"), media);

          set_link_error (self, what);
        }
    }
  else
    {
      link_nowhere (self, pad);
    }
}

/* appsrc's signals, to wait for room without blocking inside a push that
 * a cancel could not interrupt. */
static void
on_enough_data (GstAppSrc *src,
                Transcode *self)
{
  g_mutex_lock (&self->lock);
  self->appsrc_full = TRUE;
  g_mutex_unlock (&self->lock);
}

static void
on_need_data (GstAppSrc *src,
              guint      length,
              Transcode *self)
{
  g_mutex_lock (&self->lock);
  self->appsrc_full = FALSE;
  g_cond_broadcast (&self->cond);
  g_mutex_unlock (&self->lock);
}

static void
configure_video_encoder (GstElement        *encoder,
                         const char        *factory,
                         const PaVideoInfo *info)
{
  if (g_str_equal (factory, "x264enc"))
    {
      /* Constant quality, fast: real time at 720p on two cores. No
       * look-ahead and no B-frames: with them x264 holds some 40 frames
       * and their analysis, 300 MB at 720p (measured: 450 MB peak for
       * x264enc alone at its defaults, 90 MB with zerolatency's
       * settings), for files that are smaller at the same quality. */
      gst_util_set_object_arg (G_OBJECT (encoder), "speed-preset", "veryfast");
      gst_util_set_object_arg (G_OBJECT (encoder), "tune", "zerolatency");
      gst_util_set_object_arg (G_OBJECT (encoder), "pass", "qual");
      g_object_set (encoder, "quantizer", 21, "threads", 0, NULL);
    }
  else if (g_str_equal (factory, "vp8enc"))
    {
      /* Constrained quality, capped at about a bit per 6 pixels a
       * frame (4.6 Mb/s at 720p30): VP8 has no pure constant quality. */
      double fps = info->fps_n > 0 ? (double) info->fps_n / info->fps_d : 30.0;
      int bitrate = (int) CLAMP ((double) info->width * info->height * fps / 6, 200000, 40000000);

      gst_util_set_object_arg (G_OBJECT (encoder), "end-usage", "cq");
      g_object_set (encoder, "deadline", (gint64) 1, "cpu-used", 6, "threads", 2,
                    "cq-level", 8, "target-bitrate", bitrate, NULL);
    }
}

static gboolean
build_pipeline (Transcode          *self,
                const char         *input_path,
                const char         *temp_path,
                const PaVideoInfo  *info,
                GError            **error)
{
  GstElement *filesrc, *decodebin, *convert, *encoder, *queue;
  g_autoptr(GstCaps) stop_caps = NULL;
  g_autoptr(GstPad) mux_video = NULL;
  g_autoptr(GstPad) queue_src = NULL;
  GstPadTemplate *audio_template;

  self->pipeline = gst_object_ref_sink (gst_pipeline_new ("pa-video-transcode"));
  if (!(filesrc = make_element ("filesrc", error))
      || !(decodebin = make_element ("decodebin", error))
      || !(self->appsink = make_element ("appsink", error))
      || !(self->appsrc = make_element ("appsrc", error))
      || !(convert = make_element ("videoconvert", error))
      || !(encoder = make_element (self->format->video_encoder, error))
      || !(queue = make_element ("queue", error))
      || !(self->muxer = make_element (self->format->muxer, error))
      || !(self->filesink = make_element ("filesink", error)))
    return FALSE;

  gst_bin_add_many (GST_BIN (self->pipeline), filesrc, decodebin, self->appsrc, convert,
                    encoder, queue, self->muxer, self->filesink, NULL);
  /* appsink is added when the video pad shows up; keep our own refs. */
  gst_object_ref_sink (self->appsink);
  gst_object_ref (self->appsrc);
  gst_object_ref (self->muxer);
  gst_object_ref (self->filesink);

  g_object_set (filesrc, "location", input_path, NULL);
  g_object_set (self->filesink, "location", temp_path, "async", FALSE, NULL);
  g_object_set (self->appsink, "sync", FALSE, "max-buffers", 4, "enable-last-sample", FALSE, NULL);
  g_object_set (self->appsrc, "format", GST_FORMAT_TIME, "is-live", FALSE,
                "max-bytes", (guint64) 4 * info->width * info->height * 4, "block", FALSE, NULL);
  g_object_set (convert, "n-threads", 2, NULL);
  configure_video_encoder (encoder, self->format->video_encoder, info);

  /* decodebin decodes the video, and stops at the audio as the file has
   * it when the output container takes that: passed through untouched.
   * Any other audio comes out decoded, to be encoded again. */
  stop_caps = gst_caps_from_string ("video/x-raw(ANY); audio/x-raw(ANY)");
  audio_template = gst_element_get_pad_template (self->muxer, "audio_%u");
  if (audio_template != NULL)
    {
      g_autoptr(GstCaps) mux_audio = gst_pad_template_get_caps (audio_template);

      stop_caps = gst_caps_merge (stop_caps, gst_caps_copy (mux_audio));
    }
  g_object_set (decodebin, "caps", stop_caps, NULL);

  /* The mark, in the container's comment tag. */
  if (GST_IS_TAG_SETTER (self->muxer))
    gst_tag_setter_add_tags (GST_TAG_SETTER (self->muxer), GST_TAG_MERGE_REPLACE,
                             GST_TAG_COMMENT, PA_MEDIA_MARK_KEY "=" PA_MEDIA_MARK_VALUE, NULL);

  if (!gst_element_link (filesrc, decodebin)
      || !gst_element_link_many (self->appsrc, convert, encoder, queue, NULL)
      || !gst_element_link (self->muxer, self->filesink))
    goto link_failed;
  mux_video = gst_element_request_pad_simple (self->muxer, "video_%u");
  queue_src = gst_element_get_static_pad (queue, "src");
  if (mux_video == NULL || gst_pad_link (queue_src, mux_video) != GST_PAD_LINK_OK)
    goto link_failed;

  g_signal_connect (decodebin, "pad-added", G_CALLBACK (on_pad_added), self);
  g_signal_connect (self->appsrc, "need-data", G_CALLBACK (on_need_data), self);
  g_signal_connect (self->appsrc, "enough-data", G_CALLBACK (on_enough_data), self);
  return TRUE;

link_failed:
  g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
               _("The GStreamer elements to write “%s” could not be linked"), self->output_name);
  return FALSE;
}

/* The bus's error as ours: a failing file sink is the output's fault
 * (full disk, folder gone), anything else the input's. */
static void
set_bus_error (Transcode  *self,
               GstMessage *message,
               GError    **error)
{
  g_autoptr(GError) gst_error = NULL;
  g_autofree char *debug = NULL;

  gst_message_parse_error (message, &gst_error, &debug);
  g_debug ("GStreamer error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
           gst_error->message, debug ? debug : "");
  if (GST_MESSAGE_SRC (message) == GST_OBJECT (self->filesink)
      || g_error_matches (gst_error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT))
    g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("“%s” could not be written: %s"),
                 self->output_name, gst_error->message);
  else
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("“%s” could not be transcoded: %s"), self->input_name, gst_error->message);
}

/* Waits until appsrc has room, or the job is cancelled. */
static gboolean
wait_for_room (Transcode *self)
{
  gboolean cancelled = FALSE;

  g_mutex_lock (&self->lock);
  while (self->appsrc_full && !(cancelled = g_cancellable_is_cancelled (self->cancellable)))
    g_cond_wait_until (&self->cond, &self->lock,
                       g_get_monotonic_time () + POLL_INTERVAL / GST_USECOND);
  g_mutex_unlock (&self->lock);
  return !cancelled;
}

static gboolean
process_sample (Transcode         *self,
                GstSample         *sample,
                guint64            frame_number,
                PaVideoFrameFunc   frame_func,
                gpointer           frame_data,
                GError           **error)
{
  GstBuffer *buffer;
  GstVideoInfo vinfo;
  GstClockTime pts;
  const GstSegment *segment = gst_sample_get_segment (sample);

  if (!gst_video_info_from_caps (&vinfo, gst_sample_get_caps (sample)))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” has frames in a form that cannot be read"), self->input_name);
      return FALSE;
    }
  if (frame_number == 0)
    gst_app_src_set_caps (GST_APP_SRC (self->appsrc), gst_sample_get_caps (sample));

  /* The sample's reference dropped, the buffer is ours to change. */
  buffer = gst_buffer_ref (gst_sample_get_buffer (sample));
  buffer = gst_buffer_make_writable (buffer);

  /* Running time, so the video lines up with the audio that the muxer
   * places by its own segment. */
  pts = GST_BUFFER_PTS (buffer);
  if (segment != NULL && GST_CLOCK_TIME_IS_VALID (pts))
    {
      GstClockTime running = gst_segment_to_running_time (segment, GST_FORMAT_TIME, pts);

      if (GST_CLOCK_TIME_IS_VALID (running))
        pts = running;
    }
  GST_BUFFER_PTS (buffer) = pts;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;

  if (frame_func != NULL)
    {
      GstVideoFrame frame;
      PaPixels pixels;
      gboolean ok;

      if (!gst_video_frame_map (&frame, &vinfo, buffer, GST_MAP_READWRITE))
        {
          gst_buffer_unref (buffer);
          g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("A frame of “%s” could not be mapped"),
                       self->input_name);
          return FALSE;
        }
      pixels.data = GST_VIDEO_FRAME_PLANE_DATA (&frame, 0);
      pixels.width = GST_VIDEO_FRAME_WIDTH (&frame);
      pixels.height = GST_VIDEO_FRAME_HEIGHT (&frame);
      pixels.stride = GST_VIDEO_FRAME_PLANE_STRIDE (&frame, 0);
      pixels.channels = 4;
      ok = frame_func (&pixels, pts, frame_number, frame_data, error);
      gst_video_frame_unmap (&frame);
      if (!ok)
        {
          gst_buffer_unref (buffer);
          return FALSE;
        }
    }

  if (!wait_for_room (self))
    {
      gst_buffer_unref (buffer);
      return g_cancellable_set_error_if_cancelled (self->cancellable, error), FALSE;
    }
  if (gst_app_src_push_buffer (GST_APP_SRC (self->appsrc), buffer) != GST_FLOW_OK)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("“%s” could not be encoded"),
                   self->output_name);
      return FALSE;
    }
  return TRUE;
}

static gboolean
run_pipeline (Transcode               *self,
              PaVideoFrameFunc         frame_func,
              gpointer                 frame_data,
              PaVideoFramesDoneFunc    done_func,
              gpointer                 done_data,
              PaVideoTranscodeResult  *result,
              GError                 **error)
{
  g_autoptr(GstBus) bus = gst_element_get_bus (self->pipeline);
  gboolean video_eos = FALSE;
  guint64 frames = 0;

  if (gst_element_set_state (self->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

      if (message != NULL)
        set_bus_error (self, message, error);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("“%s” could not be opened as a video"), self->input_name);
      return FALSE;
    }

  for (;;)
    {
      g_autoptr(GstMessage) message = NULL;

      if (g_cancellable_set_error_if_cancelled (self->cancellable, error))
        return FALSE;

      g_mutex_lock (&self->lock);
      if (self->link_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&self->link_error));
          g_mutex_unlock (&self->lock);
          return FALSE;
        }
      g_mutex_unlock (&self->lock);

      message = gst_bus_timed_pop_filtered (bus, video_eos ? POLL_INTERVAL : 0,
                                            GST_MESSAGE_ERROR | GST_MESSAGE_EOS);
      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          set_bus_error (self, message, error);
          return FALSE;
        }
      if (message != NULL && GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS)
        break;

      if (!video_eos)
        {
          g_autoptr(GstSample) sample = NULL;
          gboolean linked;

          /* appsink joins the pipeline when decodebin finds the video;
           * until then it reads as ended. */
          g_mutex_lock (&self->lock);
          linked = self->video_started;
          g_mutex_unlock (&self->lock);
          if (!linked)
            {
              g_clear_pointer (&message, gst_message_unref);
              message = gst_bus_timed_pop_filtered (bus, 10 * GST_MSECOND, GST_MESSAGE_ERROR);
              if (message != NULL)
                {
                  set_bus_error (self, message, error);
                  return FALSE;
                }
              continue;
            }
          sample = gst_app_sink_try_pull_sample (GST_APP_SINK (self->appsink), POLL_INTERVAL);

          if (sample != NULL)
            {
              if (!process_sample (self, sample, frames, frame_func, frame_data, error))
                return FALSE;
              frames++;
              if (done_func != NULL)
                done_func (frames, done_data);
            }
          else if (gst_app_sink_is_eos (GST_APP_SINK (self->appsink)))
            {
              if (frames == 0)
                {
                  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” has no frame that could be decoded"), self->input_name);
                  return FALSE;
                }
              gst_app_src_end_of_stream (GST_APP_SRC (self->appsrc));
              video_eos = TRUE;
            }
        }
    }

  result->frames = frames;
  g_mutex_lock (&self->lock);
  result->has_audio = self->audio_linked;
  result->audio_reencoded = self->audio_reencoded;
  result->audio_encoder = g_strdup (self->audio_encoder);
  g_mutex_unlock (&self->lock);
  return TRUE;
}

/* A hidden name next to @output for the file being written, created
 * empty (so two jobs cannot pick the same). */
static char *
make_temp_path (const char  *output_path,
                const char  *output_name,
                GError     **error)
{
  g_autofree char *dir = g_path_get_dirname (output_path);
  g_autofree char *base = g_path_get_basename (output_path);
  g_autofree char *template = g_strdup_printf (".%s.XXXXXX.part", base);
  char *path = g_build_filename (dir, template, NULL);
  int fd = g_mkstemp_full (path, O_RDWR, 0644);

  if (fd < 0)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("“%s” could not be written: %s"),
                   output_name, g_strerror (saved_errno));
      g_free (path);
      return NULL;
    }
  close (fd);
  return path;
}

gboolean
pa_video_transcode (GFile                   *input,
                    const PaVideoInfo       *info,
                    GFile                   *output,
                    PaVideoFrameFunc         frame_func,
                    gpointer                 frame_data,
                    PaVideoFramesDoneFunc    done_func,
                    gpointer                 done_data,
                    PaVideoCommitFunc        commit_func,
                    GCancellable            *cancellable,
                    PaVideoTranscodeResult  *result,
                    GError                 **error)
{
  Transcode self = { 0 };
  g_autofree char *temp_path = NULL;
  const char *input_path = g_file_peek_path (input);
  const char *output_path;
  gboolean ok = FALSE;

  g_return_val_if_fail (G_IS_FILE (input), FALSE);
  g_return_val_if_fail (info != NULL, FALSE);
  g_return_val_if_fail (G_IS_FILE (output), FALSE);
  g_return_val_if_fail (result != NULL, FALSE);

  memset (result, 0, sizeof *result);
  gst_init (NULL, NULL);
  if (!pa_video_transcode_check_output (output, error))
    return FALSE;
  self.format = find_format (output);
  self.cancellable = cancellable;
  self.input_name = g_file_get_parse_name (input);
  self.output_name = g_file_get_parse_name (output);
  g_mutex_init (&self.lock);
  g_cond_init (&self.cond);
  output_path = g_file_peek_path (output);

  if (input_path == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("“%s”: only local videos can be read"), self.input_name);
  else if ((temp_path = make_temp_path (output_path, self.output_name, error)) != NULL
           && build_pipeline (&self, input_path, temp_path, info, error)
           && run_pipeline (&self, frame_func, frame_data, done_func, done_data, result, error))
    ok = TRUE;

  if (self.pipeline != NULL)
    gst_element_set_state (self.pipeline, GST_STATE_NULL);

  if (ok && commit_func != NULL && !commit_func (frame_data, error))
    ok = FALSE;
  if (ok && g_rename (temp_path, output_path) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("“%s” could not be written: %s"),
                   self.output_name, g_strerror (saved_errno));
      ok = FALSE;
    }
  if (!ok)
    {
      if (temp_path != NULL)
        g_unlink (temp_path);
      pa_video_transcode_result_clear (result);
      memset (result, 0, sizeof *result);
    }

  g_clear_object (&self.appsink);
  g_clear_object (&self.appsrc);
  g_clear_object (&self.muxer);
  g_clear_object (&self.filesink);
  g_clear_object (&self.pipeline);
  g_clear_error (&self.link_error);
  g_free (self.audio_encoder);
  g_free (self.input_name);
  g_free (self.output_name);
  g_mutex_clear (&self.lock);
  g_cond_clear (&self.cond);
  return ok;
}
