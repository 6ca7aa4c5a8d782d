/* pa-stream-source.c — video and audio sources for a stream
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib.h>
#ifdef G_OS_UNIX
# include <fcntl.h>
#endif

#include <glib/gi18n-lib.h>
#include <gst/app/gstappsink.h>
#include <gst/app/gstappsrc.h>

#include "pa-error.h"
#include "pa-stream-source.h"
#include "pa-stream-private.h"
#include "pa-stream-source-private.h"

G_DEFINE_BOXED_TYPE (PaStreamSource, pa_stream_source,
                     pa_stream_source_ref, pa_stream_source_unref)

static PaStreamSource *
source_new (PaStreamVideoKind  video,
            PaStreamAudioKind  audio,
            GFile             *file)
{
  PaStreamSource *self = g_new0 (PaStreamSource, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->video = video;
  self->audio = audio;
  self->file = file != NULL ? g_object_ref (file) : NULL;
  self->screen_fd = -1;
  return self;
}

PaStreamSource *
pa_stream_source_new_test_pattern (PaStreamAudioKind audio)
{
  return source_new (PA_STREAM_VIDEO_TEST_PATTERN, audio, NULL);
}

PaStreamSource *
pa_stream_source_new_file (GFile             *file,
                           PaStreamAudioKind  audio)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  return source_new (PA_STREAM_VIDEO_FILE, audio, file);
}

PaStreamSource *
pa_stream_source_new_image (GFile             *file,
                            PaStreamAudioKind  audio)
{
  g_return_val_if_fail (G_IS_FILE (file), NULL);
  return source_new (PA_STREAM_VIDEO_IMAGE, audio, file);
}

PaStreamSource *
pa_stream_source_new_camera (const char        *device_id,
                             PaStreamAudioKind  audio)
{
  PaStreamSource *self = source_new (PA_STREAM_VIDEO_CAMERA, audio, NULL);

  self->device = g_strdup (device_id);
  return self;
}

PaStreamSource *
pa_stream_source_copy (PaStreamSource *self)
{
  PaStreamSource *copy = source_new (self->video, self->audio, self->file);

  copy->device = g_strdup (self->device);
  copy->microphone = g_strdup (self->microphone);
  copy->screen_node = self->screen_node;
  copy->screen_display = g_strdup (self->screen_display);
#ifdef G_OS_UNIX
  if (self->screen_fd >= 0)
    copy->screen_fd = fcntl (self->screen_fd, F_DUPFD_CLOEXEC, 3);
#endif
  if (self->portal != NULL)
    copy->portal = pa_stream_portal_session_acquire (self->portal);
  return copy;
}

PaStreamSource *
pa_stream_source_with_microphone (PaStreamSource *self,
                                  const char     *device_id)
{
  PaStreamSource *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = pa_stream_source_copy (self);
  copy->audio = PA_STREAM_AUDIO_MICROPHONE;
  g_free (copy->microphone);
  copy->microphone = g_strdup (device_id);
  return copy;
}

PaStreamSource *
pa_stream_source_ref (PaStreamSource *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pa_stream_source_unref (PaStreamSource *self)
{
  g_return_if_fail (self != NULL);
  if (g_atomic_ref_count_dec (&self->ref_count))
    {
      pa_stream_source_close_screen (self);
      g_clear_object (&self->file);
      g_free (self->device);
      g_free (self->microphone);
      g_free (self->screen_display);
      g_free (self);
    }
}

PaStreamVideoKind
pa_stream_source_get_video_kind (PaStreamSource *self)
{
  return self->video;
}

PaStreamAudioKind
pa_stream_source_get_audio_kind (PaStreamSource *self)
{
  return self->audio;
}

GFile *
pa_stream_source_get_file (PaStreamSource *self)
{
  return self->file;
}

const char *
pa_stream_source_get_device (PaStreamSource *self)
{
  return self->video == PA_STREAM_VIDEO_CAMERA ? self->device : NULL;
}

const char *
pa_stream_source_get_microphone (PaStreamSource *self)
{
  return self->audio == PA_STREAM_AUDIO_MICROPHONE ? self->microphone : NULL;
}

GstElement *
pa_stream_make_element (const char  *factory,
                        const char  *name,
                        const char  *package,
                        GError     **error)
{
  GstElement *element = gst_element_factory_make (factory, name);

  if (element == NULL)
    g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                 /* Translators: the first %s is a GStreamer element, the second a Debian package. */
                 _("The GStreamer element “%s” is missing: install %s."),
                 factory, package);
  return element;
}

/* Adds @elements (a NULL-terminated list, owned: floating references)
 * to @bin, links them in order, and ghosts the last one's src pad. */
gboolean
pa_stream_source_add_chain (GstBin     *bin,
                            GError    **error,
                            GstElement *first,
                            ...)
{
  GstElement *prev = NULL, *element = first;
  g_autoptr(GstPad) pad = NULL;
  va_list ap;

  va_start (ap, first);
  for (; element != NULL; element = va_arg (ap, GstElement *))
    {
      gst_bin_add (bin, element);
      if (prev != NULL && !gst_element_link (prev, element))
        {
          va_end (ap);
          g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
                       _("The video source could not be set up (%s cannot feed %s)."),
                       GST_ELEMENT_NAME (prev), GST_ELEMENT_NAME (element));
          return FALSE;
        }
      prev = element;
    }
  va_end (ap);

  pad = gst_element_get_static_pad (prev, "src");
  gst_element_add_pad (GST_ELEMENT (bin), gst_ghost_pad_new ("src", pad));
  return TRUE;
}

/* The raw video every source and the scene hand on: I420 at the
 * stream's size and rate, square pixels. */
GstCaps *
pa_stream_video_caps (int width,
                      int height,
                      int fps_n,
                      int fps_d)
{
  return gst_caps_new_simple ("video/x-raw",
                              "format", G_TYPE_STRING, "I420",
                              "width", G_TYPE_INT, width,
                              "height", G_TYPE_INT, height,
                              "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                              "framerate", GST_TYPE_FRACTION, fps_n, fps_d,
                              NULL);
}

/* Every video source ends the same way: whatever it makes is converted
 * to I420, scaled and brought to a constant frame rate (videorate
 * repeats or drops frames, and counts the drops). */
gboolean
pa_stream_source_make_video_tail (GstElement **convert,
                                  GstElement **scale,
                                  GstElement **rate,
                                  GstElement **filter,
                                  int          width,
                                  int          height,
                                  int          fps_n,
                                  int          fps_d,
                                  GError     **error)
{
  g_autoptr(GstCaps) caps = pa_stream_video_caps (width, height, fps_n, fps_d);

  *convert = pa_stream_make_element ("videoconvert", NULL, "gstreamer1.0-plugins-base", error);
  *scale = *convert ? pa_stream_make_element ("videoscale", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  *rate = *scale ? pa_stream_make_element ("videorate", PA_STREAM_VIDEORATE_NAME, "gstreamer1.0-plugins-base", error) : NULL;
  *filter = *rate ? pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  if (*filter == NULL)
    {
      g_clear_pointer (convert, gst_object_unref);
      g_clear_pointer (scale, gst_object_unref);
      g_clear_pointer (rate, gst_object_unref);
      return FALSE;
    }
  g_object_set (*filter, "caps", caps, NULL);
  return TRUE;
}

/* Every sound ends the same way: converted and resampled to 48 kHz
 * stereo, as the AAC encoder takes it. */
gboolean
pa_stream_source_make_audio_tail (GstElement **convert,
                                  GstElement **resample,
                                  GstElement **filter,
                                  GError     **error)
{
  g_autoptr(GstCaps) caps = NULL;

  *convert = pa_stream_make_element ("audioconvert", NULL, "gstreamer1.0-plugins-base", error);
  *resample = *convert ? pa_stream_make_element ("audioresample", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  *filter = *resample ? pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  if (*filter == NULL)
    {
      g_clear_pointer (convert, gst_object_unref);
      g_clear_pointer (resample, gst_object_unref);
      return FALSE;
    }
  caps = gst_caps_new_simple ("audio/x-raw",
                              "rate", G_TYPE_INT, 48000,
                              "channels", G_TYPE_INT, 2,
                              NULL);
  g_object_set (*filter, "caps", caps, NULL);
  return TRUE;
}

static GstElement *
make_test_pattern (int      width,
                   int      height,
                   int      fps_n,
                   int      fps_d,
                   GError **error)
{
  g_autoptr(GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  GstElement *src, *convert, *scale, *rate, *filter;

  src = pa_stream_make_element ("videotestsrc", NULL, "gstreamer1.0-plugins-base", error);
  if (src == NULL)
    return NULL;
  /* Live: frames come at the pace of the clock, as a camera's would. */
  g_object_set (src, "is-live", TRUE, NULL);
  if (!pa_stream_source_make_video_tail (&convert, &scale, &rate, &filter, width, height, fps_n, fps_d, error))
    {
      gst_object_unref (src);
      return NULL;
    }
  if (!pa_stream_source_add_chain (GST_BIN (bin), error, src, convert, scale, rate, filter, NULL))
    return NULL;
  return g_steal_pointer (&bin);
}

static gboolean
check_file (GFile   *file,
            GError **error)
{
  g_autofree char *name = g_file_get_parse_name (file);
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                                 G_FILE_QUERY_INFO_NONE, NULL, &local_error);

  if (info == NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("The file “%s” does not exist: choose another source."), name);
      return FALSE;
    }
  if (info == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("The file “%s” cannot be read: %s"), name, local_error->message);
      return FALSE;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a file: choose a video or a picture."), name);
      return FALSE;
    }
  return TRUE;
}

/* decodebin's pads come once it knows the file: the video one feeds
 * @user_data, the others are left unlinked (and so discarded). */
static void
on_decoded_pad (GstElement *decodebin,
                GstPad     *pad,
                gpointer    user_data)
{
  GstElement *next = user_data;
  g_autoptr(GstCaps) caps = gst_pad_get_current_caps (pad);
  g_autoptr(GstPad) sink = gst_element_get_static_pad (next, "sink");
  const GstStructure *s;

  if (caps == NULL)
    caps = gst_pad_query_caps (pad, NULL);
  s = gst_caps_get_structure (caps, 0);
  if (!g_str_has_prefix (gst_structure_get_name (s), "video/") || gst_pad_is_linked (sink))
    return;
  gst_pad_link (pad, sink);
}

static GstElement *
make_image (GFile   *file,
            int      width,
            int      height,
            int      fps_n,
            int      fps_d,
            GError **error)
{
  g_autoptr(GstElement) bin = gst_object_ref_sink (gst_bin_new (NULL));
  g_autofree char *path = g_file_get_path (file);
  GstElement *src, *decode, *convert, *scale, *freeze, *rate, *filter;

  if (!check_file (file, error))
    return NULL;
  src = pa_stream_make_element ("filesrc", NULL, "gstreamer1.0-plugins-base", error);
  if (src == NULL)
    return NULL;
  gst_bin_add (GST_BIN (bin), src);
  decode = pa_stream_make_element ("decodebin", NULL, "gstreamer1.0-plugins-base", error);
  if (decode == NULL)
    return NULL;
  gst_bin_add (GST_BIN (bin), decode);
  freeze = pa_stream_make_element ("imagefreeze", NULL, "gstreamer1.0-plugins-good", error);
  if (freeze == NULL)
    return NULL;
  g_object_set (src, "location", path, NULL);
  g_object_set (freeze, "is-live", TRUE, NULL);
  if (!pa_stream_source_make_video_tail (&convert, &scale, &rate, &filter, width, height, fps_n, fps_d, error))
    {
      gst_object_unref (freeze);
      return NULL;
    }
  /* The picture is converted once, in front of imagefreeze, which then
   * repeats it: scaling after it would scale every repeated frame. */
  if (!gst_element_link (src, decode)
      || !pa_stream_source_add_chain (GST_BIN (bin), error, convert, scale, freeze, rate, filter, NULL))
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("The picture could not be read."));
      return NULL;
    }
  g_signal_connect_object (decode, "pad-added", G_CALLBACK (on_decoded_pad), convert, 0);
  return g_steal_pointer (&bin);
}

/* A looping file. The file plays in a pipeline of its own (decoder →
 * appsink, in time with its own clock), and its frames enter the
 * stream through an appsrc that stamps them with the stream's clock.
 * At the end of the file the inner pipeline seeks back to the start:
 * the flushing seek stays in the inner pipeline, so the encoder and
 * the muxers never see a flush, a new segment or timestamps that go
 * back, which a seek on the stream itself (a segment seek included)
 * would bring to every branch, the test tone and the live output
 * included. videorate downstream fills the few milliseconds of the
 * seek by repeating the last frame. */
#define PA_TYPE_STREAM_FILE_BIN (pa_stream_file_bin_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamFileBin, pa_stream_file_bin, PA, STREAM_FILE_BIN, GstBin)

struct _PaStreamFileBin {
  GstBin        parent_instance;
  GstElement   *inner;          /* the file's pipeline */
  GstElement   *appsrc;         /* owned by the bin */
};

G_DEFINE_FINAL_TYPE (PaStreamFileBin, pa_stream_file_bin, GST_TYPE_BIN)

static GstFlowReturn
on_inner_sample (GstAppSink *sink,
                 gpointer    user_data)
{
  PaStreamFileBin *self = user_data;
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  GstBuffer *buffer;

  if (sample == NULL)
    return GST_FLOW_EOS;
  /* A new buffer without the file's timestamps: appsrc stamps it with
   * the stream's running time (do-timestamp). */
  buffer = gst_buffer_copy (gst_sample_get_buffer (sample));
  GST_BUFFER_PTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DTS (buffer) = GST_CLOCK_TIME_NONE;
  GST_BUFFER_DURATION (buffer) = GST_CLOCK_TIME_NONE;
  if (GST_BUFFER_FLAG_IS_SET (buffer, GST_BUFFER_FLAG_DISCONT))
    GST_BUFFER_FLAG_UNSET (buffer, GST_BUFFER_FLAG_DISCONT);
  gst_app_src_set_caps (GST_APP_SRC (self->appsrc), gst_sample_get_caps (sample));
  return gst_app_src_push_buffer (GST_APP_SRC (self->appsrc), buffer) == GST_FLOW_OK
         ? GST_FLOW_OK : GST_FLOW_FLUSHING;
}

static gboolean
on_inner_message (GstBus     *bus,
                  GstMessage *message,
                  gpointer    user_data)
{
  PaStreamFileBin *self = user_data;

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_EOS:
      if (!gst_element_seek_simple (self->inner, GST_FORMAT_TIME,
                                    GST_SEEK_FLAG_FLUSH | GST_SEEK_FLAG_KEY_UNIT, 0))
        GST_ELEMENT_ERROR (self, STREAM, FAILED,
                           (_("The video file could not be played again from the start.")), (NULL));
      break;
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = NULL;
        g_autofree char *debug = NULL;

        /* The stream hears of it as an error of this bin. */
        gst_message_parse_error (message, &error, &debug);
        gst_element_post_message (GST_ELEMENT (self),
                                  gst_message_new_error (GST_OBJECT (self), error, debug));
      }
      break;
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

static GstStateChangeReturn
pa_stream_file_bin_change_state (GstElement     *element,
                                 GstStateChange  transition)
{
  PaStreamFileBin *self = PA_STREAM_FILE_BIN (element);
  GstStateChangeReturn ret;

  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    {
      if (gst_element_set_state (self->inner, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
        return GST_STATE_CHANGE_FAILURE;
    }
  ret = GST_ELEMENT_CLASS (pa_stream_file_bin_parent_class)->change_state (element, transition);
  if (transition == GST_STATE_CHANGE_PAUSED_TO_READY)
    gst_element_set_state (self->inner, GST_STATE_NULL);
  return ret;
}

static void
pa_stream_file_bin_finalize (GObject *object)
{
  PaStreamFileBin *self = PA_STREAM_FILE_BIN (object);

  if (self->inner != NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (self->inner);

      gst_element_set_state (self->inner, GST_STATE_NULL);
      gst_bus_remove_watch (bus);
    }
  gst_clear_object (&self->inner);
  G_OBJECT_CLASS (pa_stream_file_bin_parent_class)->finalize (object);
}

static void
pa_stream_file_bin_class_init (PaStreamFileBinClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_file_bin_finalize;
  GST_ELEMENT_CLASS (klass)->change_state = pa_stream_file_bin_change_state;
}

static void
pa_stream_file_bin_init (PaStreamFileBin *self)
{
}

static GstElement *
make_file (GFile   *file,
           int      width,
           int      height,
           int      fps_n,
           int      fps_d,
           GError **error)
{
  g_autoptr(PaStreamFileBin) self = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  GstElement *decode, *inner_convert, *inner_scale, *inner_filter, *sink;
  GstElement *convert, *scale, *rate, *filter;
  GstAppSinkCallbacks callbacks = { .new_sample = on_inner_sample };
  /* The inner pipeline converts and scales already, in its own
   * threads; the stream's tail then only fixes the frame rate. */
  g_autoptr(GstCaps) inner_caps = gst_caps_new_simple ("video/x-raw",
                                                       "format", G_TYPE_STRING, "I420",
                                                       "width", G_TYPE_INT, width,
                                                       "height", G_TYPE_INT, height,
                                                       "pixel-aspect-ratio", GST_TYPE_FRACTION, 1, 1,
                                                       NULL);

  if (!check_file (file, error))
    return NULL;
  self = gst_object_ref_sink (g_object_new (PA_TYPE_STREAM_FILE_BIN, NULL));
  self->inner = gst_object_ref_sink (gst_pipeline_new (NULL));

  decode = pa_stream_make_element ("uridecodebin", NULL, "gstreamer1.0-plugins-base", error);
  if (decode == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->inner), decode);
  sink = pa_stream_make_element ("appsink", NULL, "gstreamer1.0-plugins-base", error);
  if (sink == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->inner), sink);
  inner_convert = pa_stream_make_element ("videoconvert", NULL, "gstreamer1.0-plugins-base", error);
  if (inner_convert == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->inner), inner_convert);
  inner_scale = pa_stream_make_element ("videoscale", NULL, "gstreamer1.0-plugins-base", error);
  if (inner_scale == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->inner), inner_scale);
  inner_filter = pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error);
  if (inner_filter == NULL)
    return NULL;
  gst_bin_add (GST_BIN (self->inner), inner_filter);
  g_object_set (decode, "uri", uri, NULL);
  g_object_set (inner_filter, "caps", inner_caps, NULL);
  /* sync: the file plays at its own pace; two buffers at most wait. */
  g_object_set (sink, "sync", TRUE, "max-buffers", 2, "drop", FALSE, NULL);
  gst_app_sink_set_callbacks (GST_APP_SINK (sink), &callbacks, self, NULL);
  gst_element_link_many (inner_convert, inner_scale, inner_filter, sink, NULL);
  g_signal_connect_object (decode, "pad-added", G_CALLBACK (on_decoded_pad), inner_convert, 0);

  bus = gst_element_get_bus (self->inner);
  /* In the caller's thread-default context, where the stream's own bus
   * is watched too. */
  gst_bus_add_watch (bus, on_inner_message, self);

  self->appsrc = pa_stream_make_element ("appsrc", NULL, "gstreamer1.0-plugins-base", error);
  if (self->appsrc == NULL)
    return NULL;
  g_object_set (self->appsrc,
                "is-live", TRUE,
                "do-timestamp", TRUE,
                "format", GST_FORMAT_TIME,
                "max-buffers", (guint64) 4,
                "block", FALSE,
                NULL);
  if (!pa_stream_source_make_video_tail (&convert, &scale, &rate, &filter, width, height, fps_n, fps_d, error))
    return NULL;
  if (!pa_stream_source_add_chain (GST_BIN (self), error, self->appsrc, convert, scale, rate, filter, NULL))
    return NULL;
  return GST_ELEMENT (g_steal_pointer (&self));
}

GstElement *
pa_stream_source_make_video (PaStreamSource  *self,
                             int              width,
                             int              height,
                             int              fps_n,
                             int              fps_d,
                             GError         **error)
{
  GstElement *bin = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0 && fps_n > 0 && fps_d > 0, NULL);

  switch (self->video)
    {
    case PA_STREAM_VIDEO_TEST_PATTERN:
      bin = make_test_pattern (width, height, fps_n, fps_d, error);
      break;
    case PA_STREAM_VIDEO_FILE:
      bin = make_file (self->file, width, height, fps_n, fps_d, error);
      break;
    case PA_STREAM_VIDEO_IMAGE:
      bin = make_image (self->file, width, height, fps_n, fps_d, error);
      break;
    case PA_STREAM_VIDEO_CAMERA:
      bin = pa_stream_source_make_camera (self, width, height, fps_n, fps_d, error);
      break;
    case PA_STREAM_VIDEO_SCREEN:
      bin = pa_stream_source_make_screen (self, width, height, fps_n, fps_d, error);
      break;
    default:
      g_assert_not_reached ();
    }
  /* Floating again, as gst_element_factory_make() returns elements. */
  if (bin != NULL)
    g_object_force_floating (G_OBJECT (bin));
  return bin;
}

GstElement *
pa_stream_source_make_audio (PaStreamSource  *self,
                             GError         **error)
{
  g_autoptr(GstElement) bin = NULL;
  GstElement *src, *convert, *resample, *filter;

  g_return_val_if_fail (self != NULL, NULL);

  if (self->audio == PA_STREAM_AUDIO_NONE)
    return NULL;
  if (self->audio == PA_STREAM_AUDIO_MICROPHONE)
    return pa_stream_source_make_microphone (self, error);

  bin = gst_object_ref_sink (gst_bin_new (NULL));
  src = pa_stream_make_element ("audiotestsrc", NULL, "gstreamer1.0-plugins-base", error);
  if (src == NULL)
    return NULL;
  g_object_set (src, "is-live", TRUE, "freq", 440.0, "volume", 0.2, NULL);
  if (!pa_stream_source_make_audio_tail (&convert, &resample, &filter, error))
    {
      gst_object_unref (src);
      return NULL;
    }
  if (!pa_stream_source_add_chain (GST_BIN (bin), error, src, convert, resample, filter, NULL))
    return NULL;
  g_object_force_floating (G_OBJECT (bin));
  return g_steal_pointer (&bin);
}
