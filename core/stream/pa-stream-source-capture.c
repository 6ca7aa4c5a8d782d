/* pa-stream-source-capture.c — the bins of what a stream captures: a
 * camera, the screen (X11, or PipeWire on Wayland) and a microphone.
 * Asking the ScreenCast portal for the screen is pa-stream-source-portal.c's.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#ifdef G_OS_UNIX
# include <fcntl.h>
# include <unistd.h>
#endif
#ifdef __linux__
# include <sys/ioctl.h>
# include <linux/videodev2.h>
#endif

#include "pa-error.h"
#include "pa-stream-private.h"
#include "pa-stream-source-private.h"

/* A capture bin: the bin of a camera, a screen or a microphone. Devices
 * fail in ways files do not (another program holds the camera, the
 * sound server is gone, the user stopped sharing the screen), and their
 * elements say so in their own terms; the bin puts the errors of its
 * elements in the user's words before the stream hears of them. It also
 * owns the PipeWire descriptor its source reads. */
#define PA_TYPE_STREAM_CAPTURE_BIN (pa_stream_capture_bin_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamCaptureBin, pa_stream_capture_bin, PA, STREAM_CAPTURE_BIN, GstBin)

typedef enum {
  CAPTURE_CAMERA,
  CAPTURE_SCREEN,
  CAPTURE_MICROPHONE,
} CaptureKind;

struct _PaStreamCaptureBin {
  GstBin       parent_instance;
  CaptureKind  kind;
  char                  *label;     /* the device, for people */
  int                    fd;        /* -1, or the PipeWire remote */
  PaStreamPortalSession *portal;    /* the screen's portal session, or NULL */
};

G_DEFINE_FINAL_TYPE (PaStreamCaptureBin, pa_stream_capture_bin, GST_TYPE_BIN)

static gboolean
text_has (const char *text,
          const char *part)
{
  return text != NULL && strstr (text, part) != NULL;
}

/* @error from one of the bin's elements, in the user's words. The
 * domain and code stay (the stream tells a missing source from a
 * broken one by them); the message is ours. */
static GError *
capture_error (PaStreamCaptureBin *self,
               const GError       *error,
               const char         *debug)
{
  gboolean resource = error->domain == GST_RESOURCE_ERROR;
  int code = error->code;

  switch (self->kind)
    {
    case CAPTURE_CAMERA:
      if (resource && code == GST_RESOURCE_ERROR_BUSY)
        return g_error_new (error->domain, code,
                            _("The camera “%s” is in use by another program: close that program and try again."),
                            self->label);
      if (resource && code == GST_RESOURCE_ERROR_NOT_FOUND)
        return g_error_new (error->domain, code, _("The camera “%s” is not connected."), self->label);
      if (text_has (debug, "Permission denied") || text_has (error->message, "Permission denied"))
        return g_error_new (error->domain, code,
                            _("You are not allowed to use the camera “%s”: ask for access to the video devices."),
                            self->label);
      if (resource && (code == GST_RESOURCE_ERROR_OPEN_READ || code == GST_RESOURCE_ERROR_OPEN_READ_WRITE))
        return g_error_new (error->domain, code, _("The camera “%s” cannot be opened."), self->label);
      return g_error_new (error->domain, code, _("The camera “%s” stopped working (%s)."),
                          self->label, error->message);
    case CAPTURE_SCREEN:
      if (self->fd >= 0)
        return g_error_new (error->domain, code,
                            _("The shared screen is no longer available: sharing was stopped or the window closed."));
      return g_error_new (error->domain, code, _("The screen cannot be captured (%s)."), error->message);
    case CAPTURE_MICROPHONE:
      if (text_has (error->message, "No such entity") || text_has (debug, "No such entity"))
        return g_error_new (GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NOT_FOUND,
                            _("The microphone “%s” is not connected."), self->label);
      if (text_has (error->message, "Failed to connect") || text_has (debug, "Failed to connect"))
        return g_error_new (error->domain, code,
                            _("The microphone cannot be opened: no sound server (PulseAudio or PipeWire) is running."));
      return g_error_new (error->domain, code, _("The microphone “%s” stopped working (%s)."),
                          self->label, error->message);
    default:
      g_assert_not_reached ();
    }
}

static void
pa_stream_capture_bin_handle_message (GstBin     *bin,
                                      GstMessage *message)
{
  PaStreamCaptureBin *self = PA_STREAM_CAPTURE_BIN (bin);

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GError) clear = NULL;
      g_autofree char *debug = NULL;

      gst_message_parse_error (message, &error, &debug);
      g_debug ("capture error from %s: %s (%s)", GST_OBJECT_NAME (GST_MESSAGE_SRC (message)),
               error->message, debug != NULL ? debug : "");
      clear = capture_error (self, error, debug);
      gst_message_unref (message);
      message = gst_message_new_error (GST_OBJECT (self), clear, debug);
    }
  GST_BIN_CLASS (pa_stream_capture_bin_parent_class)->handle_message (bin, message);
}

static void
pa_stream_capture_bin_finalize (GObject *object)
{
  PaStreamCaptureBin *self = PA_STREAM_CAPTURE_BIN (object);

#ifdef G_OS_UNIX
  if (self->fd >= 0)
    close (self->fd);
#endif
  g_clear_pointer (&self->portal, pa_stream_portal_session_release);
  g_free (self->label);
  G_OBJECT_CLASS (pa_stream_capture_bin_parent_class)->finalize (object);
}

static void
pa_stream_capture_bin_class_init (PaStreamCaptureBinClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_capture_bin_finalize;
  GST_BIN_CLASS (klass)->handle_message = pa_stream_capture_bin_handle_message;
}

static void
pa_stream_capture_bin_init (PaStreamCaptureBin *self)
{
  self->fd = -1;
}

static PaStreamCaptureBin *
capture_bin_new (CaptureKind  kind,
                 const char  *label)
{
  PaStreamCaptureBin *self = gst_object_ref_sink (g_object_new (PA_TYPE_STREAM_CAPTURE_BIN, NULL));

  self->kind = kind;
  self->label = g_strdup (label);
  return self;
}

/* Adds the video tail after @src (and @more, NULL-terminated, in order). */
static GstElement *
finish_video (PaStreamCaptureBin *bin,
              int                 width,
              int                 height,
              int                 fps_n,
              int                 fps_d,
              GError            **error,
              GstElement         *src,
              GstElement         *filter1,
              GstElement         *decoder)
{
  g_autoptr(PaStreamCaptureBin) self = bin;
  GstElement *convert, *scale, *rate, *filter;

  if (!pa_stream_source_make_video_tail (&convert, &scale, &rate, &filter,
                                         width, height, fps_n, fps_d, error))
    {
      gst_object_unref (src);
      g_clear_pointer (&filter1, gst_object_unref);
      g_clear_pointer (&decoder, gst_object_unref);
      return NULL;
    }
  if (decoder != NULL)
    {
      if (!pa_stream_source_add_chain (GST_BIN (self), error, src, filter1, decoder,
                                       convert, scale, rate, filter, NULL))
        return NULL;
    }
  else if (filter1 != NULL)
    {
      if (!pa_stream_source_add_chain (GST_BIN (self), error, src, filter1,
                                       convert, scale, rate, filter, NULL))
        return NULL;
    }
  else if (!pa_stream_source_add_chain (GST_BIN (self), error, src,
                                        convert, scale, rate, filter, NULL))
    return NULL;
  return GST_ELEMENT (g_steal_pointer (&self));
}

/* Whether the V4L2 node @path is there, may be opened, and is free: a
 * request for no buffers is refused as busy while another program
 * streams from it, and changes nothing otherwise. */
static gboolean
check_camera_node (const char  *path,
                   const char  *label,
                   GError     **error)
{
#ifdef __linux__
  struct v4l2_requestbuffers request = { 0 };
  int fd = g_open (path, O_RDWR | O_NONBLOCK | O_CLOEXEC, 0);
  int saved;

  if (fd < 0)
    {
      saved = errno;
      if (saved == ENOENT || saved == ENODEV || saved == ENXIO)
        g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("The camera “%s” is not connected."), label);
      else if (saved == EACCES || saved == EPERM)
        g_set_error (error, PA_ERROR, PA_ERROR_AUTH,
                     _("You are not allowed to use the camera “%s”: ask for access to the video devices."),
                     label);
      else if (saved == EBUSY)
        g_set_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                     _("The camera “%s” is in use by another program: close that program and try again."),
                     label);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_FAILED, _("The camera “%s” cannot be opened: %s"),
                     label, g_strerror (saved));
      return FALSE;
    }
  request.type = V4L2_BUF_TYPE_VIDEO_CAPTURE;
  request.memory = V4L2_MEMORY_MMAP;
  request.count = 0;
  if (ioctl (fd, VIDIOC_REQBUFS, &request) < 0 && errno == EBUSY)
    {
      close (fd);
      g_set_error (error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                   _("The camera “%s” is in use by another program: close that program and try again."),
                   label);
      return FALSE;
    }
  close (fd);
  return TRUE;
#else
  return TRUE;
#endif
}

GstElement *
pa_stream_source_make_camera (PaStreamSource  *self,
                              int              width,
                              int              height,
                              int              fps_n,
                              int              fps_d,
                              GError         **error)
{
  g_autoptr(PaStreamDevice) device = pa_stream_device_find (PA_STREAM_DEVICE_CAMERA, self->device);
  g_autoptr(GstCaps) caps = NULL;
  const char *id = device != NULL ? pa_stream_device_get_id (device) : self->device;
  const char *label = device != NULL ? pa_stream_device_get_name (device) : self->device;
  GstElement *src, *filter = NULL, *decoder = NULL;
  gboolean is_jpeg = FALSE;

  if (id == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No camera is connected: connect one, or choose another source."));
      return NULL;
    }
  /* A node the monitor does not list (no udev in a container) is tried
   * all the same; a node that is not there is simply missing. */
  if (g_str_has_prefix (id, "/dev/") && !check_camera_node (id, label, error))
    return NULL;
  if (device == NULL && !g_str_has_prefix (id, "/dev/"))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("The camera “%s” is not connected."), label);
      return NULL;
    }

  if (device != NULL && pa_stream_device_get_gst_device (device) != NULL)
    {
      /* v4l2src or pipewiresrc, set to this device. */
      src = gst_device_create_element (pa_stream_device_get_gst_device (device), NULL);
      if (src == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                       _("The camera “%s” cannot be used: its GStreamer plugin is missing."), label);
          return NULL;
        }
      caps = pa_stream_device_pick_caps (device, width, height, fps_n, fps_d, &is_jpeg);
    }
  else
    {
      src = pa_stream_make_element ("v4l2src", NULL, "gstreamer1.0-plugins-good", error);
      if (src == NULL)
        return NULL;
      g_object_set (src, "device", id, NULL);
    }

  if (caps != NULL)
    {
      filter = pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error);
      if (filter == NULL)
        {
          gst_object_unref (src);
          return NULL;
        }
      g_object_set (filter, "caps", caps, NULL);
    }
  if (is_jpeg)
    {
      decoder = pa_stream_make_element ("jpegdec", NULL, "gstreamer1.0-plugins-good", error);
      if (decoder == NULL)
        {
          gst_object_unref (src);
          gst_object_unref (filter);
          return NULL;
        }
    }
  return finish_video (capture_bin_new (CAPTURE_CAMERA, label), width, height, fps_n, fps_d,
                       error, src, filter, decoder);
}

GstElement *
pa_stream_source_make_screen (PaStreamSource  *self,
                              int              width,
                              int              height,
                              int              fps_n,
                              int              fps_d,
                              GError         **error)
{
  g_autoptr(PaStreamCaptureBin) bin = NULL;
  g_autoptr(GstCaps) caps = NULL;
  GstElement *src, *filter;

  if (self->screen_fd >= 0)
    {
#ifdef G_OS_UNIX
      g_autofree char *node = g_strdup_printf ("%u", self->screen_node);

      src = pa_stream_make_element ("pipewiresrc", NULL, "gstreamer1.0-pipewire", error);
      if (src == NULL)
        return NULL;
      bin = capture_bin_new (CAPTURE_SCREEN, NULL);
      /* The bin keeps a descriptor of its own: the source may go before
       * the stream does. */
      bin->fd = fcntl (self->screen_fd, F_DUPFD_CLOEXEC, 3);
      if (self->portal != NULL)
        bin->portal = pa_stream_portal_session_acquire (self->portal);
      /* A still screen sends no frame: the last one comes again, at the
       * stream's pace, so the encoder is never starved. */
      g_object_set (src,
                    "fd", bin->fd,
                    "path", node,
                    "always-copy", TRUE,
                    "keepalive-time", MAX (1000 * fps_d / fps_n, 1),
                    NULL);
      return finish_video (g_steal_pointer (&bin), width, height, fps_n, fps_d,
                           error, src, NULL, NULL);
#else
      g_assert_not_reached ();
#endif
    }

  src = pa_stream_make_element ("ximagesrc", NULL, "gstreamer1.0-plugins-good", error);
  if (src == NULL)
    return NULL;
  filter = pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error);
  if (filter == NULL)
    {
      gst_object_unref (src);
      return NULL;
    }
  /* Every frame whole (damage tracking suits a still desktop, not one
   * whose content changes everywhere), with the pointer, at the
   * stream's rate. */
  g_object_set (src,
                "use-damage", FALSE,
                "show-pointer", TRUE,
                NULL);
  if (self->screen_display != NULL)
    g_object_set (src, "display-name", self->screen_display, NULL);
  caps = gst_caps_new_simple ("video/x-raw", "framerate", GST_TYPE_FRACTION, fps_n, fps_d, NULL);
  g_object_set (filter, "caps", caps, NULL);
  return finish_video (capture_bin_new (CAPTURE_SCREEN, NULL), width, height, fps_n, fps_d,
                       error, src, filter, NULL);
}

GstElement *
pa_stream_source_make_microphone (PaStreamSource  *self,
                                  GError         **error)
{
  g_autoptr(PaStreamCaptureBin) bin = NULL;
  g_autoptr(GListModel) microphones = pa_stream_list_devices (PA_STREAM_DEVICE_MICROPHONE);
  g_autofree char *label = NULL;
  GstElement *src, *convert, *resample, *filter;

  /* Known before anything plays: no sound server, or no such input. */
  if (g_list_model_get_n_items (microphones) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No microphone is connected, or no sound server (PulseAudio or PipeWire) is running."));
      return NULL;
    }
  for (guint i = 0; i < g_list_model_get_n_items (microphones) && label == NULL; i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (microphones, i);

      if (self->microphone != NULL && g_str_equal (self->microphone, pa_stream_device_get_id (device)))
        label = g_strdup (pa_stream_device_get_name (device));
    }
  if (self->microphone != NULL && label == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("The microphone “%s” is not connected."), self->microphone);
      return NULL;
    }
  if (label == NULL)
    label = g_strdup (_("default microphone"));

  src = pa_stream_make_element ("pulsesrc", NULL, "gstreamer1.0-pulseaudio", error);
  if (src == NULL)
    return NULL;
  /* The stream's clock stays the system's: video sources time their
   * frames by it, and the sound is resampled to it. */
  g_object_set (src, "client-name", "PlayAlter", "provide-clock", FALSE, NULL);
  if (self->microphone != NULL)
    g_object_set (src, "device", self->microphone, NULL);
  if (!pa_stream_source_make_audio_tail (&convert, &resample, &filter, error))
    {
      gst_object_unref (src);
      return NULL;
    }
  bin = capture_bin_new (CAPTURE_MICROPHONE, label);
  if (!pa_stream_source_add_chain (GST_BIN (bin), error, src, convert, resample, filter, NULL))
    return NULL;
  return GST_ELEMENT (g_steal_pointer (&bin));
}
