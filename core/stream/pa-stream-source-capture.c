/* pa-stream-source-capture.c — what a stream captures: a camera, the
 * screen (X11, or the ScreenCast portal and PipeWire on Wayland) and a
 * microphone
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
# include <gio/gunixfdlist.h>
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
static void portal_session_release (PaStreamPortalSession *session);

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
  g_clear_pointer (&self->portal, portal_session_release);
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
  g_autoptr(GstCaps) caps = NULL;
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
  convert = pa_stream_make_element ("audioconvert", NULL, "gstreamer1.0-plugins-base", error);
  resample = convert ? pa_stream_make_element ("audioresample", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  filter = resample ? pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error) : NULL;
  if (filter == NULL)
    {
      gst_object_unref (src);
      g_clear_pointer (&convert, gst_object_unref);
      g_clear_pointer (&resample, gst_object_unref);
      return NULL;
    }
  caps = gst_caps_new_simple ("audio/x-raw",
                              "rate", G_TYPE_INT, 48000,
                              "channels", G_TYPE_INT, 2,
                              NULL);
  g_object_set (filter, "caps", caps, NULL);
  bin = capture_bin_new (CAPTURE_MICROPHONE, label);
  if (!pa_stream_source_add_chain (GST_BIN (bin), error, src, convert, resample, filter, NULL))
    return NULL;
  return GST_ELEMENT (g_steal_pointer (&bin));
}

/* The screen. */

#define PORTAL_BUS_NAME "org.freedesktop.portal.Desktop"
#define PORTAL_PATH "/org/freedesktop/portal/desktop"
#define PORTAL_SCREEN_CAST "org.freedesktop.portal.ScreenCast"
#define PORTAL_REQUEST "org.freedesktop.portal.Request"
#define PORTAL_SESSION "org.freedesktop.portal.Session"

static void
on_portal_closed (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, NULL);
}

/* Calls Close on the portal's object @path (a session or a request).
 * With a callback: the call in flight holds the connection, which may
 * otherwise go (and the message with it) when its last user lets go. */
static void
portal_close (GDBusConnection *bus,
              const char      *path,
              const char      *interface)
{
  g_debug ("closing the screen cast portal's %s", path);
  g_dbus_connection_call (bus, PORTAL_BUS_NAME, path, interface, "Close", NULL, NULL,
                          G_DBUS_CALL_FLAGS_NONE, -1, NULL, on_portal_closed, NULL);
}

struct _PaStreamPortalSession {
  GDBusConnection *bus;
  char            *path;
};

static PaStreamPortalSession *
portal_session_new (GDBusConnection *bus,
                    char            *path)
{
  PaStreamPortalSession *session = g_rc_box_new0 (PaStreamPortalSession);

  session->bus = g_object_ref (bus);
  session->path = path;
  return session;
}

PaStreamPortalSession *
pa_stream_portal_session_acquire (PaStreamPortalSession *session)
{
  return g_rc_box_acquire (session);
}

static void
portal_session_clear (gpointer data)
{
  PaStreamPortalSession *session = data;

  portal_close (session->bus, session->path, PORTAL_SESSION);
  g_free (session->path);
  g_object_unref (session->bus);
}

static void
portal_session_release (PaStreamPortalSession *session)
{
  g_rc_box_release_full (session, portal_session_clear);
}

void
pa_stream_source_close_screen (PaStreamSource *self)
{
  g_clear_pointer (&self->portal, portal_session_release);
#ifdef G_OS_UNIX
  if (self->screen_fd >= 0)
    close (self->screen_fd);
#endif
  self->screen_fd = -1;
}

#ifdef G_OS_UNIX

/* One screen request through the portal: each call answers with a
 * Request object whose Response signal carries the result. */
typedef struct {
  GDBusConnection   *bus;
  PaStreamAudioKind  audio;
  char              *session;         /* the session's object path */
  char              *request_path;    /* of the Response awaited */
  guint              response_id;
  guint32            cursor_modes;
  guint32            node;
  gulong             cancelled_id;
  gboolean           done;
} ScreenRequest;

static void
screen_request_free (ScreenRequest *request)
{
  if (request->response_id != 0)
    g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
  if (request->session != NULL)
    portal_close (request->bus, request->session, PORTAL_SESSION);
  g_free (request->session);
  g_free (request->request_path);
  g_clear_object (&request->bus);
  g_free (request);
}

static void
screen_fail (GTask  *task,
             GError *error)
{
  ScreenRequest *request = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (request->done)
    {
      g_error_free (error);
      return;
    }
  request->done = TRUE;
  if (cancellable != NULL && request->cancelled_id != 0)
    g_cancellable_disconnect (cancellable, request->cancelled_id);
  request->cancelled_id = 0;
  /* A Response no longer awaited: its subscription holds the task. */
  if (request->response_id != 0)
    {
      g_dbus_connection_signal_unsubscribe (request->bus, request->response_id);
      request->response_id = 0;
      g_clear_pointer (&request->request_path, g_free);
    }
  g_task_return_error (task, error);
}

/* A D-Bus error from the portal, in the user's words. */
static void
screen_fail_dbus (GTask  *task,
                  GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED, _("Screen sharing was cancelled.")));
      return;
    }
  if (g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_SERVICE_UNKNOWN)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_NAME_HAS_NO_OWNER)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_METHOD)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_INTERFACE)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_UNKNOWN_OBJECT)
      || g_error_matches (error, G_DBUS_ERROR, G_DBUS_ERROR_INVALID_ARGS))
    {
      g_debug ("screen cast portal: %s", error->message);
      g_error_free (error);
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_NOT_FOUND,
                                      _("The screen cannot be shared: the desktop’s screen sharing "
                                        "service (xdg-desktop-portal with a backend for this desktop) "
                                        "is not running.")));
      return;
    }
  screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                  _("The screen cannot be shared: %s"), error->message));
  g_error_free (error);
}

static void
on_screen_cancelled (GCancellable *cancellable,
                     gpointer      user_data)
{
  GTask *task = user_data;
  ScreenRequest *request = g_task_get_task_data (task);

  /* Only while a Response is awaited: calls in flight end on their own
   * with G_IO_ERROR_CANCELLED. */
  if (request->request_path != NULL)
    portal_close (request->bus, request->request_path, PORTAL_REQUEST);
}

typedef void (*ScreenStep) (GTask *task, GVariant *results);

typedef struct {
  GTask      *task;
  ScreenStep  next;
} StepData;

static void
on_response (GDBusConnection *bus,
             const char      *sender,
             const char      *path,
             const char      *interface,
             const char      *signal,
             GVariant        *parameters,
             gpointer         user_data)
{
  StepData *step = user_data;
  g_autoptr(GTask) task = g_object_ref (step->task);
  ScreenStep next = step->next;
  ScreenRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) results = NULL;
  guint32 response;

  /* The handler's data (step) goes with the subscription. */
  g_dbus_connection_signal_unsubscribe (bus, request->response_id);
  request->response_id = 0;
  g_clear_pointer (&request->request_path, g_free);
  if (request->done)
    return;
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task)))
    {
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED, _("Screen sharing was cancelled.")));
      return;
    }
  g_variant_get (parameters, "(u@a{sv})", &response, &results);
  if (response == 1)
    screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED, _("Screen sharing was cancelled.")));
  else if (response != 0)
    screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                    _("The desktop did not share the screen.")));
  else
    next (task, results);
}

static void
step_data_free (gpointer data)
{
  StepData *step = data;

  g_object_unref (step->task);
  g_free (step);
}

static void
on_request_called (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);

  if (reply == NULL)
    screen_fail_dbus (task, g_steal_pointer (&error));
  /* Otherwise on_response() goes on. */
}

/* Calls @method with @parameters, whose last member is the options
 * @options gets a handle_token in; @next runs with the Response. */
static void
request_call (GTask           *task,
              const char      *method,
              GVariantBuilder *options,
              const char      *session,
              const char      *extra,
              ScreenStep       next)
{
  static guint counter;
  ScreenRequest *request = g_task_get_task_data (task);
  g_autofree char *token = g_strdup_printf ("playalter%u", ++counter);
  g_autofree char *sender = g_strdup (g_dbus_connection_get_unique_name (request->bus) + 1);
  StepData *step = g_new0 (StepData, 1);
  GVariant *parameters;

  for (char *c = sender; *c != '\0'; c++)
    if (*c == '.')
      *c = '_';
  request->request_path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s",
                                           sender, token);
  step->task = g_object_ref (task);
  step->next = next;
  /* Subscribed before the call: the Response may come before the reply. */
  request->response_id =
    g_dbus_connection_signal_subscribe (request->bus, PORTAL_BUS_NAME, PORTAL_REQUEST, "Response",
                                        request->request_path, NULL,
                                        G_DBUS_SIGNAL_FLAGS_NONE,
                                        on_response, step, step_data_free);
  g_variant_builder_add (options, "{sv}", "handle_token", g_variant_new_string (token));
  if (session == NULL)
    parameters = g_variant_new ("(a{sv})", options);
  else if (extra == NULL)
    parameters = g_variant_new ("(oa{sv})", session, options);
  else
    parameters = g_variant_new ("(osa{sv})", session, extra, options);
  g_dbus_connection_call (request->bus, PORTAL_BUS_NAME, PORTAL_PATH, PORTAL_SCREEN_CAST,
                          method, parameters, G_VARIANT_TYPE ("(o)"),
                          G_DBUS_CALL_FLAGS_NONE, -1, g_task_get_cancellable (task),
                          on_request_called, g_object_ref (task));
}

static void
on_remote_opened (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScreenRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GUnixFDList) fds = NULL;
  g_autoptr(GVariant) reply = NULL;
  PaStreamSource *source;
  gint32 index;
  int fd;

  reply = g_dbus_connection_call_with_unix_fd_list_finish (G_DBUS_CONNECTION (object), &fds,
                                                           result, &error);
  if (reply == NULL)
    {
      screen_fail_dbus (task, g_steal_pointer (&error));
      return;
    }
  g_variant_get (reply, "(h)", &index);
  fd = fds != NULL ? g_unix_fd_list_get (fds, index, &error) : -1;
  if (fd < 0)
    {
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                      _("The screen cannot be shared: the desktop gave no video stream.")));
      return;
    }
  source = pa_stream_source_new_test_pattern (request->audio);
  source->video = PA_STREAM_VIDEO_SCREEN;
  source->screen_fd = fd;
  source->screen_node = request->node;
  /* The source holds the session now: it ends with the last of the
   * source, its copies and their bins. */
  source->portal = portal_session_new (request->bus, g_steal_pointer (&request->session));
  request->done = TRUE;
  if (g_task_get_cancellable (task) != NULL && request->cancelled_id != 0)
    g_cancellable_disconnect (g_task_get_cancellable (task), request->cancelled_id);
  request->cancelled_id = 0;
  g_task_return_pointer (task, source, (GDestroyNotify) pa_stream_source_unref);
}

static void
on_started (GTask    *task,
            GVariant *results)
{
  ScreenRequest *request = g_task_get_task_data (task);
  g_autoptr(GVariant) streams = g_variant_lookup_value (results, "streams", G_VARIANT_TYPE ("a(ua{sv})"));

  if (streams == NULL || g_variant_n_children (streams) == 0)
    {
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                      _("The screen cannot be shared: the desktop gave no video stream.")));
      return;
    }
  g_variant_get_child (streams, 0, "(u@a{sv})", &request->node, NULL);
  g_dbus_connection_call_with_unix_fd_list (request->bus, PORTAL_BUS_NAME, PORTAL_PATH,
                                            PORTAL_SCREEN_CAST, "OpenPipeWireRemote",
                                            g_variant_new ("(oa{sv})", request->session, NULL),
                                            G_VARIANT_TYPE ("(h)"), G_DBUS_CALL_FLAGS_NONE, -1,
                                            NULL, g_task_get_cancellable (task),
                                            on_remote_opened, g_object_ref (task));
}

static void
on_sources_selected (GTask    *task,
                     GVariant *results)
{
  ScreenRequest *request = g_task_get_task_data (task);
  GVariantBuilder options;

  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  request_call (task, "Start", &options, request->session, "", on_started);
}

static void
on_session_created (GTask    *task,
                    GVariant *results)
{
  ScreenRequest *request = g_task_get_task_data (task);
  GVariantBuilder options;
  const char *handle = NULL;

  if (!g_variant_lookup (results, "session_handle", "&s", &handle))
    {
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_FAILED,
                                      _("The screen cannot be shared: the desktop opened no session.")));
      return;
    }
  request->session = g_strdup (handle);
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  /* A monitor or a window (1 | 2), one of them. */
  g_variant_builder_add (&options, "{sv}", "types", g_variant_new_uint32 (1 | 2));
  g_variant_builder_add (&options, "{sv}", "multiple", g_variant_new_boolean (FALSE));
  /* The pointer drawn into the frames, where the desktop can. */
  if (request->cursor_modes & 2)
    g_variant_builder_add (&options, "{sv}", "cursor_mode", g_variant_new_uint32 (2));
  request_call (task, "SelectSources", &options, request->session, NULL, on_sources_selected);
}

static void
on_cursor_modes (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScreenRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (object), result, &error);
  g_autoptr(GVariant) value = NULL;
  GVariantBuilder options;
  g_autofree char *token = NULL;

  /* The first call: it tells whether the portal is there at all. */
  if (reply == NULL)
    {
      screen_fail_dbus (task, g_steal_pointer (&error));
      return;
    }
  g_variant_get (reply, "(v)", &value);
  if (g_variant_is_of_type (value, G_VARIANT_TYPE_UINT32))
    request->cursor_modes = g_variant_get_uint32 (value);

  token = g_strdup_printf ("playalter_session%u", g_random_int ());
  g_variant_builder_init (&options, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&options, "{sv}", "session_handle_token", g_variant_new_string (token));
  request_call (task, "CreateSession", &options, NULL, NULL, on_session_created);
}

static void
on_bus (GObject      *object,
        GAsyncResult *result,
        gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  ScreenRequest *request = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  request->bus = g_bus_get_finish (result, &error);
  if (request->bus == NULL)
    {
      g_debug ("no session bus: %s", error->message);
      screen_fail (task, g_error_new (PA_ERROR, PA_ERROR_NOT_FOUND,
                                      _("The screen cannot be shared: the desktop’s screen sharing "
                                        "service (xdg-desktop-portal with a backend for this desktop) "
                                        "is not running.")));
      return;
    }
  g_dbus_connection_call (request->bus, PORTAL_BUS_NAME, PORTAL_PATH,
                          "org.freedesktop.DBus.Properties", "Get",
                          g_variant_new ("(ss)", PORTAL_SCREEN_CAST, "AvailableCursorModes"),
                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1,
                          g_task_get_cancellable (task), on_cursor_modes, g_object_ref (task));
}

#endif /* G_OS_UNIX */

void
pa_stream_source_request_screen_async (PaStreamAudioKind    audio,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *wayland = g_getenv ("WAYLAND_DISPLAY");
  const char *x11 = g_getenv ("DISPLAY");

  g_task_set_source_tag (task, pa_stream_source_request_screen_async);

  /* On Wayland the X server (XWayland) sees only its own windows: the
   * screen is the compositor's to share, through the portal. */
  if (wayland != NULL && *wayland != '\0')
    {
#ifdef G_OS_UNIX
      ScreenRequest *request = g_new0 (ScreenRequest, 1);

      request->audio = audio;
      g_task_set_task_data (task, request, (GDestroyNotify) screen_request_free);
      if (cancellable != NULL)
        request->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (on_screen_cancelled),
                                                       task, NULL);
      g_bus_get (G_BUS_TYPE_SESSION, cancellable, on_bus, g_object_ref (task));
      return;
#endif
    }
  if (x11 != NULL && *x11 != '\0')
    {
      PaStreamSource *source = pa_stream_source_new_test_pattern (audio);

      source->video = PA_STREAM_VIDEO_SCREEN;
      source->screen_display = g_strdup (x11);
      g_task_return_pointer (task, source, (GDestroyNotify) pa_stream_source_unref);
      return;
    }
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                           _("There is no screen to capture: no X11 or Wayland display is running."));
}

PaStreamSource *
pa_stream_source_request_screen_finish (GAsyncResult  *result,
                                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
