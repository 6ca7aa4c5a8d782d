/* test-stream-capture.c — the capture sources: the screen of an Xvfb
 * display painted a known colour (pixels and size checked), the screen
 * on Wayland with no ScreenCast portal and with no display at all
 * (clear messages), a missing camera (clear messages, no crash), the
 * device lists, and a microphone: a tone played into a PulseAudio
 * server of the test's own is heard through the microphone source.
 *
 * A camera of the test's own, offered through the device monitor, shows
 * which of a camera's modes is opened for an output, and MJPEG decoded.
 *
 * The machine's own cameras are hidden from GStreamer's device monitor
 * (their providers are ranked out in main()), so "no camera" is checked
 * the same way on a laptop with a webcam as on a server without one.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <gio/gunixfdlist.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>

#include "pa-error.h"
#include "pa-stream-device.h"
#include "pa-stream-source.h"
#include "pa-test-pulse.h"
#include "pa-test-require.h"
#include "pa-test-video.h"

/* The null sink of the test's sound server, and its monitor: the
 * "microphone" that hears what is played into the sink. */
#define TEST_SINK "playalter_test"
#define TEST_SINK_DESCRIPTION "PlayAlter-Test-Sink"
#define TEST_MICROPHONE TEST_SINK ".monitor"

static void
on_done (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static PaStreamSource *
request_screen (GError **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_stream_source_request_screen_async (PA_STREAM_AUDIO_NONE, NULL, on_done, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return pa_stream_source_request_screen_finish (result, error);
}

/* The share of the pixels on a grid over the frame that are @rgb (each
 * channel within 12): the pointer, drawn into the capture, covers a
 * few. */
static double
share_of_colour (GstSample *sample,
                 guint32    rgb)
{
  GstCaps *caps = gst_sample_get_caps (sample);
  const GstStructure *s = gst_caps_get_structure (caps, 0);
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstMapInfo map;
  int width = 0, height = 0, stride, matches = 0, total = 0;
  int r = (rgb >> 16) & 0xff, g = (rgb >> 8) & 0xff, b = rgb & 0xff;

  g_assert_true (gst_structure_get_int (s, "width", &width));
  g_assert_true (gst_structure_get_int (s, "height", &height));
  stride = GST_ROUND_UP_4 (width * 3);
  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  for (int y = height / 20; y < height; y += height / 10)
    for (int x = width / 20; x < width; x += width / 10)
      {
        const guint8 *p = map.data + (gsize) y * stride + (gsize) x * 3;

        total++;
        if (ABS (p[0] - r) <= 12 && ABS (p[1] - g) <= 12 && ABS (p[2] - b) <= 12)
          matches++;
      }
  gst_buffer_unmap (buffer, &map);
  return (double) matches / total;
}

static void
paint_root (const char *xsetroot,
            const char *colour)
{
  g_autoptr(GError) error = NULL;
  const char *argv[] = { xsetroot, "-solid", colour, NULL };
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static void
test_screen_x11 (void)
{
  static const struct { const char *name; guint32 rgb; } colours[] = {
    { "#3366cc", 0x3366cc },
    { "#e0a020", 0xe0a020 },
  };
  g_autofree char *xsetroot = pa_test_require_program ("xsetroot", "x11-xserver-utils");
  g_autofree char *wayland = g_strdup (g_getenv ("WAYLAND_DISPLAY"));
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) error = NULL;
  GstElement *video, *convert, *filter, *sink;
  g_autoptr(GstCaps) rgb = gst_caps_from_string ("video/x-raw,format=RGB");

  if (xsetroot == NULL)
    return;
  if (g_getenv ("DISPLAY") == NULL)
    {
      pa_test_missing ("an X display (DISPLAY)", "run the tests under xvfb-run");
      return;
    }
  /* The X11 path, whatever session the tests run from. */
  g_unsetenv ("WAYLAND_DISPLAY");
  source = request_screen (&error);
  if (wayland != NULL)
    g_setenv ("WAYLAND_DISPLAY", wayland, TRUE);
  g_assert_no_error (error);
  g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_SCREEN);
  g_assert_null (pa_stream_source_get_device (source));

  video = pa_stream_source_make_video (source, 320, 240, 10, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (video);
  pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  bus = gst_element_get_bus (pipeline);
  convert = gst_element_factory_make ("videoconvert", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (filter, "caps", rgb, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 1, "drop", TRUE, NULL);
  gst_bin_add_many (GST_BIN (pipeline), video, convert, filter, sink, NULL);
  g_assert_true (gst_element_link_many (video, convert, filter, sink, NULL));
  /* Playing first: the capture's connection to the X server is then
   * open while the root window is painted (Xvfb resets, and forgets the
   * colour, when its last client leaves). */
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  {
    g_autoptr(GstSample) first = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);

    g_assert_nonnull (first);
  }

  /* Two colours one after the other: frames are captured live. */
  for (gsize i = 0; i < G_N_ELEMENTS (colours); i++)
    {
      double share = 0;
      int width = 0, height = 0, fps_n = 0, fps_d = 0;
      guint frames;

      paint_root (xsetroot, colours[i].name);
      /* The frame after the paint shows it; a few frames of slack. */
      for (frames = 1; frames <= 20 && share < 0.9; frames++)
        {
          g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
          g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
          const GstStructure *s;

          if (message != NULL)
            {
              gst_message_parse_error (message, &error, NULL);
              g_assert_no_error (error);
            }
          g_assert_nonnull (sample);
          s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
          g_assert_true (gst_structure_get_int (s, "width", &width));
          g_assert_true (gst_structure_get_int (s, "height", &height));
          g_assert_true (gst_structure_get_fraction (s, "framerate", &fps_n, &fps_d));
          share = share_of_colour (sample, colours[i].rgb);
        }
      g_test_message ("screen painted %s: captured %d×%d at %d/%d fps, %.0f %% of the "
                      "sampled pixels that colour after %u frames",
                      colours[i].name, width, height, fps_n, fps_d, share * 100, frames - 1);
      g_assert_cmpint (width, ==, 320);
      g_assert_cmpint (height, ==, 240);
      g_assert_cmpint (fps_n, ==, 10 * fps_d);
      g_assert_cmpfloat (share, >=, 0.9);
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
}

static void
test_screen_no_portal (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *display = g_strdup (g_getenv ("DISPLAY"));
  g_autofree char *wayland = g_strdup (g_getenv ("WAYLAND_DISPLAY"));

  /* A Wayland session on a bus of its own with no service on it: no
   * desktop portal. */
  g_test_dbus_up (bus);
  g_setenv ("WAYLAND_DISPLAY", "wayland-playalter-test", TRUE);
  source = request_screen (&error);
  g_test_message ("Wayland, no portal: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (source);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "xdg-desktop-portal"));
  g_assert_null (strstr (error->message, "org.freedesktop"));
  g_clear_error (&error);

  /* No display at all. */
  g_unsetenv ("WAYLAND_DISPLAY");
  g_unsetenv ("DISPLAY");
  source = request_screen (&error);
  g_test_message ("no display: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (source);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_nonnull (strstr (error->message, "no X11 or Wayland display"));

  if (display != NULL)
    g_setenv ("DISPLAY", display, TRUE);
  if (wayland != NULL)
    g_setenv ("WAYLAND_DISPLAY", wayland, TRUE);
  g_test_dbus_down (bus);
}

/* A ScreenCast portal of the test's own, on a private bus: it answers
 * each call as xdg-desktop-portal does (a Request object whose Response
 * signal carries the result) after "the user" chose (response 0) or
 * cancelled (1), and hands over a descriptor as the PipeWire remote. */
#define FAKE_NODE 42

typedef struct {
  GDBusConnection *bus;
  GDBusNodeInfo   *info;
  guint32          answer;           /* the Response code for Start */
  char            *session;
  guint32          types;
  gboolean         multiple;
  guint32          cursor_mode;
  gboolean         opened;
  gboolean         closed;
  guint            ids[2];
} FakePortal;

static const char fake_portal_xml[] =
  "<node>"
  "  <interface name='org.freedesktop.portal.ScreenCast'>"
  "    <method name='CreateSession'><arg type='a{sv}' direction='in'/><arg type='o' direction='out'/></method>"
  "    <method name='SelectSources'><arg type='o' direction='in'/><arg type='a{sv}' direction='in'/>"
  "      <arg type='o' direction='out'/></method>"
  "    <method name='Start'><arg type='o' direction='in'/><arg type='s' direction='in'/>"
  "      <arg type='a{sv}' direction='in'/><arg type='o' direction='out'/></method>"
  "    <method name='OpenPipeWireRemote'><arg type='o' direction='in'/><arg type='a{sv}' direction='in'/>"
  "      <arg type='h' direction='out'/></method>"
  "    <property name='AvailableCursorModes' type='u' access='read'/>"
  "  </interface>"
  "  <interface name='org.freedesktop.portal.Session'>"
  "    <method name='Close'/>"
  "  </interface>"
  "</node>";

/* Answers @invocation with a Request path made of the caller's name and
 * the handle_token in @options, then emits the Response there. */
static void
fake_portal_respond (FakePortal            *portal,
                     GDBusMethodInvocation *invocation,
                     GVariant              *options,
                     guint32                code,
                     GVariant              *results)
{
  g_autofree char *sender = g_strdup (g_dbus_method_invocation_get_sender (invocation) + 1);
  g_autofree char *path = NULL;
  const char *token = NULL;

  g_assert_true (g_variant_lookup (options, "handle_token", "&s", &token));
  g_strdelimit (sender, ".", '_');
  path = g_strdup_printf ("/org/freedesktop/portal/desktop/request/%s/%s", sender, token);
  g_dbus_method_invocation_return_value (invocation, g_variant_new ("(o)", path));
  g_dbus_connection_emit_signal (portal->bus, g_dbus_method_invocation_get_sender (invocation), path,
                                 "org.freedesktop.portal.Request", "Response",
                                 g_variant_new ("(u@a{sv})", code, results), NULL);
}

static void
fake_portal_call (GDBusConnection       *connection,
                  const char            *sender,
                  const char            *path,
                  const char            *interface,
                  const char            *method,
                  GVariant              *parameters,
                  GDBusMethodInvocation *invocation,
                  gpointer               user_data)
{
  static const GDBusInterfaceVTable session_vtable = { fake_portal_call, NULL, NULL };
  FakePortal *portal = user_data;
  g_autoptr(GVariant) options = NULL;
  GVariantDict results;

  g_variant_dict_init (&results, NULL);
  if (g_str_equal (method, "Close"))
    {
      g_assert_cmpstr (path, ==, portal->session);
      portal->closed = TRUE;
      g_dbus_method_invocation_return_value (invocation, NULL);
      return;
    }
  if (g_str_equal (method, "CreateSession"))
    {
      g_autofree char *name = g_strdup (sender + 1);
      const char *token = NULL;

      g_variant_get (parameters, "(@a{sv})", &options);
      g_assert_true (g_variant_lookup (options, "session_handle_token", "&s", &token));
      g_strdelimit (name, ".", '_');
      portal->session = g_strdup_printf ("/org/freedesktop/portal/desktop/session/%s/%s", name, token);
      portal->ids[1] = g_dbus_connection_register_object (portal->bus, portal->session,
                                                          g_dbus_node_info_lookup_interface (portal->info,
                                                                                             "org.freedesktop.portal.Session"),
                                                          &session_vtable, portal, NULL, NULL);
      g_variant_dict_insert (&results, "session_handle", "s", portal->session);
      fake_portal_respond (portal, invocation, options, 0, g_variant_dict_end (&results));
    }
  else if (g_str_equal (method, "SelectSources"))
    {
      const char *session;

      g_variant_get (parameters, "(&o@a{sv})", &session, &options);
      g_assert_cmpstr (session, ==, portal->session);
      g_variant_lookup (options, "types", "u", &portal->types);
      g_variant_lookup (options, "multiple", "b", &portal->multiple);
      g_variant_lookup (options, "cursor_mode", "u", &portal->cursor_mode);
      fake_portal_respond (portal, invocation, options, 0, g_variant_dict_end (&results));
    }
  else if (g_str_equal (method, "Start"))
    {
      const char *session, *parent;
      GVariantBuilder streams;

      g_variant_get (parameters, "(&o&s@a{sv})", &session, &parent, &options);
      g_assert_cmpstr (session, ==, portal->session);
      g_variant_builder_init (&streams, G_VARIANT_TYPE ("a(ua{sv})"));
      g_variant_builder_add (&streams, "(u@a{sv})", FAKE_NODE, g_variant_new_array (G_VARIANT_TYPE ("{sv}"), NULL, 0));
      g_variant_dict_insert_value (&results, "streams", g_variant_builder_end (&streams));
      fake_portal_respond (portal, invocation, options, portal->answer, g_variant_dict_end (&results));
    }
  else if (g_str_equal (method, "OpenPipeWireRemote"))
    {
      g_autoptr(GUnixFDList) fds = g_unix_fd_list_new ();
      g_autoptr(GError) error = NULL;
      int fd = g_open ("/dev/null", O_RDWR, 0);
      int index = g_unix_fd_list_append (fds, fd, &error);

      g_assert_no_error (error);
      close (fd);
      portal->opened = TRUE;
      g_dbus_method_invocation_return_value_with_unix_fd_list (invocation, g_variant_new ("(h)", index), fds);
    }
  else
    g_assert_not_reached ();
}

static GVariant *
fake_portal_get (GDBusConnection  *connection,
                 const char       *sender,
                 const char       *path,
                 const char       *interface,
                 const char       *property,
                 GError          **error,
                 gpointer          user_data)
{
  /* Hidden, embedded, metadata. */
  return g_variant_new_uint32 (1 | 2 | 4);
}

/* Starts the portal on the bus of @test_bus; iterates until it owns its
 * name. */
static void
fake_portal_start (FakePortal *portal,
                   GTestDBus  *test_bus)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GVariant) reply = NULL;
  static const GDBusInterfaceVTable vtable = { fake_portal_call, fake_portal_get, NULL };

  portal->bus = g_dbus_connection_new_for_address_sync (g_test_dbus_get_bus_address (test_bus),
                                                        G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT
                                                        | G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
                                                        NULL, NULL, &error);
  g_assert_no_error (error);
  portal->info = g_dbus_node_info_new_for_xml (fake_portal_xml, &error);
  g_assert_no_error (error);
  portal->ids[0] = g_dbus_connection_register_object (portal->bus, "/org/freedesktop/portal/desktop",
                                                      g_dbus_node_info_lookup_interface (portal->info,
                                                                                         "org.freedesktop.portal.ScreenCast"),
                                                      &vtable, portal, NULL, &error);
  g_assert_no_error (error);
  reply = g_dbus_connection_call_sync (portal->bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "RequestName",
                                       g_variant_new ("(su)", "org.freedesktop.portal.Desktop", 0),
                                       G_VARIANT_TYPE ("(u)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
}

static void
fake_portal_stop (FakePortal *portal)
{
  for (gsize i = 0; i < G_N_ELEMENTS (portal->ids); i++)
    if (portal->ids[i] != 0)
      g_dbus_connection_unregister_object (portal->bus, portal->ids[i]);
  g_dbus_connection_close_sync (portal->bus, NULL, NULL);
  g_clear_object (&portal->bus);
  g_clear_pointer (&portal->info, g_dbus_node_info_unref);
  g_free (portal->session);
}

/* Runs the main context until *@flag is set, for 10 s at most. */
static void
iterate_until (gboolean *flag)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  while (!*flag && g_get_monotonic_time () < deadline)
    if (!g_main_context_iteration (NULL, FALSE))
      g_usleep (10 * 1000);
}

static void
test_screen_portal (void)
{
  g_autoptr(GTestDBus) bus = g_test_dbus_new (G_TEST_DBUS_NONE);
  g_autofree char *wayland = g_strdup (g_getenv ("WAYLAND_DISPLAY"));
  g_autoptr(GError) error = NULL;
  PaStreamSource *source;
  FakePortal shared = { .answer = 0 }, cancelled = { .answer = 1 };
  GstElement *video;

  g_test_dbus_up (bus);
  g_setenv ("WAYLAND_DISPLAY", "wayland-playalter-test", TRUE);

  /* The user shares a screen. */
  fake_portal_start (&shared, bus);
  source = request_screen (&error);
  g_assert_no_error (error);
  g_test_message ("portal: session %s, types %u, multiple %d, cursor mode %u, remote opened %d",
                  shared.session, shared.types, shared.multiple, shared.cursor_mode, shared.opened);
  g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_SCREEN);
  g_assert_cmpuint (shared.types, ==, 1 | 2);
  g_assert_false (shared.multiple);
  g_assert_cmpuint (shared.cursor_mode, ==, 2);
  g_assert_true (shared.opened);

  /* Its video reads the portal's PipeWire node through the descriptor. */
  video = pa_stream_source_make_video (source, 640, 360, 30, 1, &error);
  g_assert_no_error (error);
  gst_object_ref_sink (video);
  {
    g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (video));
    GValue item = G_VALUE_INIT;
    gboolean found = FALSE;

    while (gst_iterator_next (it, &item) == GST_ITERATOR_OK)
      {
        GstElement *element = g_value_get_object (&item);
        GstElementFactory *factory = gst_element_get_factory (element);

        if (factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "pipewiresrc"))
          {
            g_autofree char *node = NULL;
            int fd = -1;

            g_object_get (element, "fd", &fd, "path", &node, NULL);
            g_test_message ("pipewiresrc: fd %d, node %s", fd, node);
            g_assert_cmpint (fd, >=, 0);
            g_assert_cmpstr (node, ==, G_STRINGIFY (FAKE_NODE));
            found = TRUE;
          }
        g_value_reset (&item);
      }
    g_value_unset (&item);
    g_assert_true (found);
  }

  /* The session lasts as long as anything reads the screen: a copy with
   * a microphone and the bin outlive the source here. */
  {
    PaStreamSource *copy = pa_stream_source_with_microphone (source, NULL);

    pa_stream_source_unref (source);
    g_assert_cmpint (pa_stream_source_get_video_kind (copy), ==, PA_STREAM_VIDEO_SCREEN);
    g_assert_cmpint (pa_stream_source_get_audio_kind (copy), ==, PA_STREAM_AUDIO_MICROPHONE);
    pa_stream_source_unref (copy);
    /* Time enough for a Close to reach the portal, had one been sent. */
    {
      gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;

      while (g_get_monotonic_time () < until)
        if (!g_main_context_iteration (NULL, FALSE))
          g_usleep (10 * 1000);
    }
    g_test_message ("session closed with the bin still there: %d", shared.closed);
    g_assert_false (shared.closed);
  }

  /* The last of them ends the session. */
  gst_object_unref (video);
  iterate_until (&shared.closed);
  g_test_message ("portal session closed when the bin went: %d", shared.closed);
  g_assert_true (shared.closed);
  fake_portal_stop (&shared);

  /* The user cancels the dialog: said so, and the session is closed. */
  fake_portal_start (&cancelled, bus);
  source = request_screen (&error);
  g_test_message ("cancelled: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (source);
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_assert_cmpstr (error->message, ==, "Screen sharing was cancelled.");
  g_assert_false (cancelled.opened);
  iterate_until (&cancelled.closed);
  g_assert_true (cancelled.closed);
  fake_portal_stop (&cancelled);

  if (wayland != NULL)
    g_setenv ("WAYLAND_DISPLAY", wayland, TRUE);
  else
    g_unsetenv ("WAYLAND_DISPLAY");
  g_test_dbus_down (bus);
}

static void
test_camera_missing (void)
{
  g_autoptr(GListModel) cameras = pa_stream_list_devices (PA_STREAM_DEVICE_CAMERA);
  g_autoptr(PaStreamSource) missing = pa_stream_source_new_camera ("/dev/video-none", PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamSource) first = pa_stream_source_new_camera (NULL, PA_STREAM_AUDIO_NONE);
  g_autoptr(GError) error = NULL;
  GstElement *video;

  g_test_message ("cameras listed: %u", g_list_model_get_n_items (cameras));
  g_assert_cmpuint (g_list_model_get_n_items (cameras), ==, 0);
  g_assert_cmpstr (pa_stream_source_get_device (missing), ==, "/dev/video-none");
  g_assert_cmpint (pa_stream_source_get_video_kind (missing), ==, PA_STREAM_VIDEO_CAMERA);

  video = pa_stream_source_make_video (missing, 640, 480, 30, 1, &error);
  g_test_message ("camera /dev/video-none: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (video);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_cmpstr (error->message, ==, "The camera “/dev/video-none” is not connected.");
  g_clear_error (&error);

  video = pa_stream_source_make_video (first, 640, 480, 30, 1, &error);
  g_test_message ("the first camera: %s", error != NULL ? error->message : "(no error)");
  g_assert_null (video);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
  g_assert_true (g_str_has_prefix (error->message, "No camera is connected"));
}

/* A camera of the test's own, offered to GStreamer's device monitor as
 * PipeWire would offer one: what the camera source does with a real
 * camera's modes (which to open, MJPEG decoding) is checked with it. Its
 * element is a test pattern. A real camera's element delivers every
 * mode; the fake one delivers raw YUY2 or JPEG, or fails as a camera
 * another program holds does, as fake_camera_mode says: the test sets
 * it before it makes each source. */
#define FAKE_CAMERA_CAPS \
  "video/x-raw, format=YUY2, width=640, height=480, framerate=30/1; " \
  "video/x-raw, format=YUY2, width=1280, height=720, framerate={ 10/1, 5/1 }; " \
  "image/jpeg, width=1280, height=720, framerate={ 30/1, 15/1 }; " \
  "image/jpeg, width=1920, height=1080, framerate=30/1"

typedef struct { GstDevice parent_instance; } FakeCamera;
typedef struct { GstDeviceClass parent_class; } FakeCameraClass;
typedef struct { GstDeviceProvider parent_instance; } FakeProvider;
typedef struct { GstDeviceProviderClass parent_class; } FakeProviderClass;

GType fake_camera_get_type (void);
GType fake_provider_get_type (void);
G_DEFINE_TYPE (FakeCamera, fake_camera, GST_TYPE_DEVICE)
G_DEFINE_TYPE (FakeProvider, fake_provider, GST_TYPE_DEVICE_PROVIDER)

typedef enum {
  FAKE_RAW,
  FAKE_JPEG,
  FAKE_BUSY,
} FakeMode;

static FakeMode fake_camera_mode;

/* A bin that fails to start the way v4l2src does when another program
 * streams from the camera. */
typedef struct { GstBin parent_instance; } FakeBusy;
typedef struct { GstBinClass parent_class; } FakeBusyClass;
GType fake_busy_get_type (void);
G_DEFINE_TYPE (FakeBusy, fake_busy, GST_TYPE_BIN)

static GstStateChangeReturn
fake_busy_change_state (GstElement     *element,
                        GstStateChange  transition)
{
  if (transition == GST_STATE_CHANGE_READY_TO_PAUSED)
    {
      GST_ELEMENT_ERROR (element, RESOURCE, BUSY,
                         ("Device '/dev/video0' is busy"),
                         ("Call to S_FMT failed for YUYV @ 640x480: Device or resource busy"));
      return GST_STATE_CHANGE_FAILURE;
    }
  return GST_ELEMENT_CLASS (fake_busy_parent_class)->change_state (element, transition);
}

static void
fake_busy_class_init (FakeBusyClass *klass)
{
  GST_ELEMENT_CLASS (klass)->change_state = fake_busy_change_state;
}

static void
fake_busy_init (FakeBusy *self)
{
  GstElement *src = gst_element_factory_make ("videotestsrc", NULL);
  GstElement *encode = gst_element_factory_make ("jpegenc", NULL);
  g_autoptr(GstPad) pad = gst_element_get_static_pad (encode, "src");

  /* JPEG: play_camera() asks for a size the MJPEG modes serve. */
  gst_bin_add_many (GST_BIN (self), src, encode, NULL);
  g_assert_true (gst_element_link (src, encode));
  gst_element_add_pad (GST_ELEMENT (self), gst_ghost_pad_new ("src", pad));
}

static GstElement *
fake_camera_create_element (GstDevice  *device,
                            const char *name)
{
  g_autoptr(GError) error = NULL;
  GstElement *bin;

  if (fake_camera_mode == FAKE_BUSY)
    return g_object_new (fake_busy_get_type (), NULL);
  bin = gst_parse_bin_from_description (fake_camera_mode == FAKE_JPEG
                                        ? "videotestsrc is-live=true ! jpegenc"
                                        : "videotestsrc is-live=true ! "
                                          "capsfilter caps=video/x-raw,format=YUY2",
                                        TRUE, &error);
  g_assert_no_error (error);
  return bin;
}

static void
fake_camera_class_init (FakeCameraClass *klass)
{
  GST_DEVICE_CLASS (klass)->create_element = fake_camera_create_element;
}

static void
fake_camera_init (FakeCamera *self)
{
}

static GList *
fake_provider_probe (GstDeviceProvider *provider)
{
  g_autoptr(GstCaps) caps = gst_caps_from_string (FAKE_CAMERA_CAPS);
  g_autoptr(GstStructure) props = gst_structure_new ("fake-camera",
                                                     "node.name", G_TYPE_STRING, "playalter-test-camera",
                                                     NULL);

  return g_list_append (NULL, g_object_new (fake_camera_get_type (),
                                            "display-name", "PlayAlter Test Camera",
                                            "device-class", "Video/Source",
                                            "caps", caps,
                                            "properties", props,
                                            NULL));
}

static gboolean
fake_provider_start (GstDeviceProvider *provider)
{
  GList *devices = fake_provider_probe (provider);

  for (GList *l = devices; l != NULL; l = l->next)
    gst_device_provider_device_add (provider, l->data);
  g_list_free (devices);
  return TRUE;
}

static void
fake_provider_class_init (FakeProviderClass *klass)
{
  GstDeviceProviderClass *provider_class = GST_DEVICE_PROVIDER_CLASS (klass);

  provider_class->probe = fake_provider_probe;
  provider_class->start = fake_provider_start;
  gst_device_provider_class_set_static_metadata (provider_class, "PlayAlter test camera provider",
                                                 "Video/Source", "A camera for the tests",
                                                 "PlayAlter");
}

static void
fake_provider_init (FakeProvider *self)
{
}

/* Whether a capsfilter in @bin (at any depth) holds caps equal to
 * @expected. */
static gboolean
bin_has_caps (GstElement *bin,
              const char *expected)
{
  g_autoptr(GstCaps) want = gst_caps_from_string (expected);
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElement *element = g_value_get_object (&item);
      GstElementFactory *factory = gst_element_get_factory (element);

      if (factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), "capsfilter"))
        {
          g_autoptr(GstCaps) caps = NULL;
          g_autofree char *text = NULL;

          g_object_get (element, "caps", &caps, NULL);
          text = gst_caps_to_string (caps);
          g_test_message ("  capsfilter: %s", text);
          found = gst_caps_is_equal (caps, want);
        }
      g_value_reset (&item);
    }
  g_value_unset (&item);
  return found;
}

static gboolean
bin_has_element (GstElement *bin,
                 const char *factory_name)
{
  g_autoptr(GstIterator) it = gst_bin_iterate_recurse (GST_BIN (bin));
  GValue item = G_VALUE_INIT;
  gboolean found = FALSE;

  while (!found && gst_iterator_next (it, &item) == GST_ITERATOR_OK)
    {
      GstElementFactory *factory = gst_element_get_factory (g_value_get_object (&item));

      found = factory != NULL && g_str_equal (GST_OBJECT_NAME (factory), factory_name);
      g_value_reset (&item);
    }
  g_value_unset (&item);
  return found;
}

/* Plays @source's video at 960×540, 30 fps, into a new @sink_factory
 * element in @pipeline, and returns that sink. */
static GstElement *
play_camera (GstElement     *pipeline,
             PaStreamSource *source,
             const char     *sink_factory)
{
  g_autoptr(GError) error = NULL;
  GstElement *video = pa_stream_source_make_video (source, 960, 540, 30, 1, &error);
  GstElement *sink = gst_element_factory_make (sink_factory, NULL);

  g_assert_no_error (error);
  gst_bin_add_many (GST_BIN (pipeline), video, sink, NULL);
  g_assert_true (gst_element_link (video, sink));
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  return sink;
}

static void
test_camera_modes (void)
{
  static const struct {
    int width, height, fps;
    const char *mode;
    gboolean jpeg;
  } asks[] = {
    /* Raw and big and fast enough: the smallest that is. */
    { 640, 480, 30, "video/x-raw, format=YUY2, width=640, height=480, framerate=30/1", FALSE },
    { 640, 360, 25, "video/x-raw, format=YUY2, width=640, height=480, framerate=30/1", FALSE },
    /* Raw 720p is too slow: MJPEG at the rate asked, which it offers. */
    { 1280, 720, 15, "image/jpeg, width=1280, height=720, framerate=15/1", TRUE },
    { 960, 540, 30, "image/jpeg, width=1280, height=720, framerate=30/1", TRUE },
    /* Nothing is that fast: the biggest at its best rate. */
    { 1920, 1080, 60, "image/jpeg, width=1920, height=1080, framerate=30/1", TRUE },
  };
  g_autoptr(GListModel) cameras = NULL;
  g_autoptr(PaStreamDevice) camera = NULL;
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(GError) error = NULL;
  GPtrArray *modes;

  g_assert_true (gst_device_provider_register (NULL, "playalter-test-camera-provider",
                                               GST_RANK_PRIMARY, fake_provider_get_type ()));
  cameras = pa_stream_list_devices (PA_STREAM_DEVICE_CAMERA);
  g_assert_cmpuint (g_list_model_get_n_items (cameras), ==, 1);
  camera = g_list_model_get_item (cameras, 0);
  g_test_message ("camera listed: %s (%s)", pa_stream_device_get_name (camera),
                  pa_stream_device_get_id (camera));
  g_assert_cmpstr (pa_stream_device_get_name (camera), ==, "PlayAlter Test Camera");
  g_assert_cmpstr (pa_stream_device_get_id (camera), ==, "pipewire:playalter-test-camera");
  g_assert_cmpint (pa_stream_device_get_kind (camera), ==, PA_STREAM_DEVICE_CAMERA);

  /* Largest first, each at its best rate. */
  modes = pa_stream_device_get_modes (camera);
  for (guint i = 0; i < modes->len; i++)
    {
      const PaStreamDeviceMode *mode = g_ptr_array_index (modes, i);

      g_test_message ("  mode %d×%d %s %d/%d", mode->width, mode->height, mode->format,
                      mode->fps_n, mode->fps_d);
    }
  g_assert_cmpuint (modes->len, ==, 4);
  {
    const PaStreamDeviceMode *first = g_ptr_array_index (modes, 0);
    const PaStreamDeviceMode *second = g_ptr_array_index (modes, 1);
    const PaStreamDeviceMode *third = g_ptr_array_index (modes, 2);
    const PaStreamDeviceMode *last = g_ptr_array_index (modes, 3);

    g_assert_cmpint (first->width, ==, 1920);
    g_assert_cmpstr (first->format, ==, "MJPEG");
    g_assert_cmpint (second->width, ==, 1280);
    g_assert_cmpstr (second->format, ==, "MJPEG");
    g_assert_cmpint (second->fps_n, ==, 30);
    g_assert_cmpint (third->width, ==, 1280);
    g_assert_cmpstr (third->format, ==, "YUY2");
    g_assert_cmpint (third->fps_n, ==, 10);
    g_assert_cmpint (last->width, ==, 640);
    g_assert_cmpstr (last->format, ==, "YUY2");
  }

  /* The mode each output size and rate gets (the first camera: NULL). */
  source = pa_stream_source_new_camera (NULL, PA_STREAM_AUDIO_NONE);
  for (gsize i = 0; i < G_N_ELEMENTS (asks); i++)
    {
      g_autoptr(GstElement) video = NULL;

      g_test_message ("asked %d×%d at %d fps: wants %s", asks[i].width, asks[i].height,
                      asks[i].fps, asks[i].mode);
      fake_camera_mode = asks[i].jpeg ? FAKE_JPEG : FAKE_RAW;
      video = pa_stream_source_make_video (source, asks[i].width, asks[i].height, asks[i].fps, 1, &error);
      g_assert_no_error (error);
      gst_object_ref_sink (video);
      g_assert_true (bin_has_caps (video, asks[i].mode));
      g_assert_true (bin_has_element (video, "jpegdec") == asks[i].jpeg);
    }

  /* Played: MJPEG 1280×720 decoded and scaled to 960×540. */
  {
    g_autoptr(PaStreamSource) named = pa_stream_source_new_camera ("pipewire:playalter-test-camera",
                                                                   PA_STREAM_AUDIO_NONE);
    g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
    g_autoptr(GstSample) sample = NULL;
    GstElement *sink;
    const GstStructure *s;
    int width = 0, height = 0;

    fake_camera_mode = FAKE_JPEG;
    sink = play_camera (pipeline, named, "appsink");
    g_assert_cmpint (gst_element_get_state (pipeline, NULL, NULL, 10 * GST_SECOND), !=,
                     GST_STATE_CHANGE_FAILURE);
    sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
    g_assert_nonnull (sample);
    s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
    g_assert_true (gst_structure_get_int (s, "width", &width));
    g_assert_true (gst_structure_get_int (s, "height", &height));
    g_test_message ("played the MJPEG camera: %d×%d %s", width, height,
                    gst_structure_get_string (s, "format"));
    g_assert_cmpint (width, ==, 960);
    g_assert_cmpint (height, ==, 540);
    g_assert_cmpstr (gst_structure_get_string (s, "format"), ==, "I420");
    gst_element_set_state (pipeline, GST_STATE_NULL);
  }

  /* Held by another program: it fails once it starts, in the user's
   * words, with the code the stream tells a busy device by. */
  {
    g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
    g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
    g_autoptr(GstMessage) message = NULL;
    g_autofree char *debug = NULL;

    fake_camera_mode = FAKE_BUSY;
    play_camera (pipeline, source, "fakesink");
    message = gst_bus_timed_pop_filtered (bus, 10 * GST_SECOND, GST_MESSAGE_ERROR);
    g_assert_nonnull (message);
    gst_message_parse_error (message, &error, &debug);
    g_test_message ("busy camera: %s", error->message);
    g_assert_error (error, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_BUSY);
    g_assert_cmpstr (error->message, ==,
                     "The camera “PlayAlter Test Camera” is in use by another program: "
                     "close that program and try again.");
    g_clear_error (&error);
    gst_element_set_state (pipeline, GST_STATE_NULL);
  }
}

/* The test's own PulseAudio server. */
typedef struct {
  char        *dir;
  PaTestPulse *pulse;
  char        *old_server;
} Pulse;

static void
pulse_set_up (Pulse         *f,
              gconstpointer  data)
{
  f->old_server = g_strdup (g_getenv ("PULSE_SERVER"));
  f->dir = g_dir_make_tmp ("pa-capture-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  f->pulse = pa_test_pulse_start (f->dir, TEST_SINK, TEST_SINK_DESCRIPTION);
  if (f->pulse == NULL)
    return;
  g_setenv ("PULSE_SERVER", pa_test_pulse_get_address (f->pulse), TRUE);
  g_test_message ("PulseAudio server at %s", pa_test_pulse_get_address (f->pulse));
}

static void
pulse_tear_down (Pulse         *f,
                 gconstpointer  data)
{
  g_clear_pointer (&f->pulse, pa_test_pulse_stop);
  if (f->old_server != NULL)
    g_setenv ("PULSE_SERVER", f->old_server, TRUE);
  else
    g_unsetenv ("PULSE_SERVER");
  g_free (f->old_server);
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* The loudest RMS, in dB, the level element saw in @seconds. */
static double
loudest_rms (GstElement *audio,
             double      seconds,
             int        *rate,
             int        *channels)
{
  g_autoptr(GstElement) pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  GstElement *level = gst_element_factory_make ("level", NULL);
  GstElement *sink = gst_element_factory_make ("appsink", NULL);
  gint64 end = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  double loudest = -1000;

  g_assert_nonnull (level);
  gst_bin_add_many (GST_BIN (pipeline), audio, level, sink, NULL);
  g_assert_true (gst_element_link_many (audio, level, sink, NULL));
  g_object_set (level, "interval", 100 * GST_MSECOND, "post-messages", TRUE, NULL);
  g_object_set (sink, "sync", FALSE, "max-buffers", 4, "drop", TRUE, NULL);
  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  while (g_get_monotonic_time () < end)
    {
      g_autoptr(GstMessage) message =
        gst_bus_timed_pop_filtered (bus, 200 * GST_MSECOND, GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
      g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 0);
      const GstStructure *s;
      const GValue *rms;

      if (sample != NULL)
        {
          s = gst_caps_get_structure (gst_sample_get_caps (sample), 0);
          gst_structure_get_int (s, "rate", rate);
          gst_structure_get_int (s, "channels", channels);
        }
      if (message == NULL)
        continue;
      if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
        {
          g_autoptr(GError) error = NULL;

          gst_message_parse_error (message, &error, NULL);
          g_assert_no_error (error);
        }
      s = gst_message_get_structure (message);
      if (s == NULL || !gst_structure_has_name (s, "level"))
        continue;
      rms = gst_structure_get_value (s, "rms");
      /* A GValueArray, one value per channel: level has no other way. */
      G_GNUC_BEGIN_IGNORE_DEPRECATIONS
      {
        GValueArray *channels_rms = g_value_get_boxed (rms);

        for (guint i = 0; channels_rms != NULL && i < channels_rms->n_values; i++)
          loudest = MAX (loudest, g_value_get_double (g_value_array_get_nth (channels_rms, i)));
      }
      G_GNUC_END_IGNORE_DEPRECATIONS
    }
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return loudest;
}

static void
test_microphone (Pulse         *f,
                 gconstpointer  data)
{
  g_autoptr(GListModel) microphones = NULL;
  g_autoptr(GstElement) tone = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStreamSource) plain = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  const char *ids[] = { TEST_MICROPHONE, NULL };
  gboolean listed = FALSE;

  if (f->pulse == NULL)
    return;

  microphones = pa_stream_list_devices (PA_STREAM_DEVICE_MICROPHONE);
  for (guint i = 0; i < g_list_model_get_n_items (microphones); i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (microphones, i);

      g_test_message ("microphone listed: %s (%s)", pa_stream_device_get_name (device),
                      pa_stream_device_get_id (device));
      g_assert_cmpint (pa_stream_device_get_kind (device), ==, PA_STREAM_DEVICE_MICROPHONE);
      g_assert_cmpuint (pa_stream_device_get_modes (device)->len, ==, 0);
      if (g_str_equal (pa_stream_device_get_id (device), TEST_MICROPHONE))
        {
          g_assert_nonnull (strstr (pa_stream_device_get_name (device), TEST_SINK_DESCRIPTION));
          listed = TRUE;
        }
    }
  g_assert_true (listed);

  /* A tone played into the null sink: its monitor hears it. */
  tone = gst_parse_launch ("audiotestsrc is-live=true freq=440 volume=0.5 ! "
                           "pulsesink device=" TEST_SINK, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_element_set_state (tone, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);

  /* Asked for by name, then the default input (the only one here). */
  for (gsize i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr(PaStreamSource) source = pa_stream_source_with_microphone (plain, ids[i]);
      GstElement *audio;
      int rate = 0, channels = 0;
      double rms;

      g_assert_cmpint (pa_stream_source_get_audio_kind (source), ==, PA_STREAM_AUDIO_MICROPHONE);
      g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_TEST_PATTERN);
      g_assert_cmpstr (pa_stream_source_get_microphone (source), ==, ids[i]);
      audio = pa_stream_source_make_audio (source, &error);
      g_assert_no_error (error);
      g_assert_nonnull (audio);
      rms = loudest_rms (audio, 2.0, &rate, &channels);
      g_test_message ("microphone %s: loudest RMS %.1f dB, %d Hz, %d channels",
                      ids[i] != NULL ? ids[i] : "(default)", rms, rate, channels);
      g_assert_cmpfloat (rms, >, -30.0);
      g_assert_cmpint (rate, ==, 48000);
      g_assert_cmpint (channels, ==, 2);
    }
  gst_element_set_state (tone, GST_STATE_NULL);

  /* A microphone that is not there, and no sound server at all. */
  {
    g_autoptr(PaStreamSource) nowhere = pa_stream_source_with_microphone (plain, "no-such-microphone");
    g_autofree char *dead = g_strdup_printf ("unix:%s/no-server", f->dir);
    GstElement *audio = pa_stream_source_make_audio (nowhere, &error);

    g_test_message ("microphone no-such-microphone: %s", error != NULL ? error->message : "(no error)");
    g_assert_null (audio);
    g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
    g_assert_cmpstr (error->message, ==, "The microphone “no-such-microphone” is not connected.");
    g_clear_error (&error);

    g_setenv ("PULSE_SERVER", dead, TRUE);
    audio = pa_stream_source_make_audio (nowhere, &error);
    g_test_message ("no sound server: %s", error != NULL ? error->message : "(no error)");
    g_assert_null (audio);
    g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
    g_assert_nonnull (strstr (error->message, "no sound server"));
  }
}

int
main (int    argc,
      char **argv)
{
  /* The machine's cameras out of the device monitor's sight (see the
   * top of the file). */
  g_setenv ("GST_PLUGIN_FEATURE_RANK", "v4l2deviceprovider:NONE,pipewiredeviceprovider:NONE", TRUE);
  /* Messages compared word for word. */
  g_setenv ("LANGUAGE", "C", TRUE);
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stream/capture/screen-x11", test_screen_x11);
  g_test_add_func ("/stream/capture/screen-no-portal", test_screen_no_portal);
  g_test_add_func ("/stream/capture/screen-portal", test_screen_portal);
  g_test_add_func ("/stream/capture/camera-missing", test_camera_missing);
  /* After camera-missing: from here on, the test's camera is there. */
  g_test_add_func ("/stream/capture/camera-modes", test_camera_modes);
  g_test_add ("/stream/capture/microphone", Pulse, NULL, pulse_set_up, test_microphone, pulse_tear_down);

  return g_test_run ();
}
