/* pa-stream-source-portal.c — the screen of a stream on Wayland: the
 * ScreenCast portal's exchange over D-Bus (a session, the user's choice
 * of screen or window, the PipeWire remote it hands over) and the
 * session that keeps the screen shared; the display on X11
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib.h>
#include <glib/gi18n-lib.h>
#ifdef G_OS_UNIX
# include <unistd.h>
# include <gio/gunixfdlist.h>
#endif

#include "pa-error.h"
#include "pa-stream-source-private.h"

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

void
pa_stream_portal_session_release (PaStreamPortalSession *session)
{
  g_rc_box_release_full (session, portal_session_clear);
}

void
pa_stream_source_close_screen (PaStreamSource *self)
{
  g_clear_pointer (&self->portal, pa_stream_portal_session_release);
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
