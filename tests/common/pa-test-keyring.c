/* pa-test-keyring.c — a private session bus and gnome-keyring for one test
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <signal.h>
#include <string.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>
#include <libsecret/secret.h>

#include "pa-test-keyring.h"
#include "pa-test-peer-private.h"
#include "pa-test-require.h"

#define SECRETS_NAME        "org.freedesktop.secrets"
#define SECRETS_PATH        "/org/freedesktop/secrets"
#define SECRETS_INTERFACE   "org.freedesktop.Secret.Service"
#define KEYRING_PASSWORD    "playalter-test"
#define START_TIMEOUT_S     20
#define STOP_TIMEOUT_S      5
#define ALIAS_POLL_INTERVAL_MS 10

/* What start overrides in the environment, restored by stop. The bus
 * address is deliberately not restored: see pa_test_keyring_stop(). */
static const char * const saved_variables[] = {
  "HOME",
  "XDG_RUNTIME_DIR",
  "XDG_DATA_HOME",
  "XDG_CONFIG_HOME",
  "XDG_CACHE_HOME",
  "GNOME_KEYRING_CONTROL",
};

struct _PaTestKeyring {
  char            *tmp_dir;    /* owns everything below it */
  char            *home;
  char            *runtime_dir;
  char            *address;
  char            *guid;
  GSubprocess     *bus;
  GSubprocess     *keyring;
  GDBusConnection *connection; /* our own, not the process's singleton */
  gboolean         exported;
  char            *saved[G_N_ELEMENTS (saved_variables)];
};

static gboolean running;

static void
child_setup (gpointer user_data)
{
#ifdef __linux__
  /* If the test crashes, its daemons must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
#endif
}

/* Waits for @process to exit, killing it if it ignores SIGTERM. */
typedef struct {
  gboolean exited;
  gboolean timed_out;
} WaitState;

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  WaitState *state = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  state->exited = TRUE;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  WaitState *state = user_data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
terminate (GSubprocess *process)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GSource) timeout = NULL;
  WaitState state = { FALSE, FALSE };

  if (g_subprocess_get_identifier (process) == NULL)
    return;

  g_main_context_push_thread_default (context);

  g_subprocess_send_signal (process, SIGTERM);
  g_subprocess_wait_async (process, NULL, on_process_exited, &state);
  timeout = g_timeout_source_new_seconds (STOP_TIMEOUT_S);
  g_source_set_callback (timeout, on_wait_timeout, &state, NULL);
  g_source_attach (timeout, context);

  while (!state.exited && !state.timed_out)
    g_main_context_iteration (context, TRUE);

  if (!state.exited)
    {
      g_subprocess_force_exit (process);
      while (!state.exited)
        g_main_context_iteration (context, TRUE);
    }

  g_source_destroy (timeout);
  g_main_context_pop_thread_default (context);
}

/* libsecret and GDBus each keep one connection per process; a new bus is
 * only used once both are gone. Heap-allocated because a leaked connection
 * may still be finalized, from another thread, after we gave up waiting. */
typedef struct {
  gint     finalized;   /* atomic */
  gboolean timed_out;
} FinalizeState;

static void
on_connection_finalized (gpointer  user_data,
                         GObject  *where_the_object_was)
{
  FinalizeState *state = user_data;

  g_atomic_int_set (&state->finalized, TRUE);
  g_main_context_wakeup (NULL);
}

static gboolean
on_finalize_timeout (gpointer user_data)
{
  FinalizeState *state = user_data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
drop_session_connection (GDBusConnection *connection)
{
  FinalizeState *state = g_new0 (FinalizeState, 1);
  guint timeout_id;

  g_object_weak_ref (G_OBJECT (connection), on_connection_finalized, state);
  g_object_unref (connection);

  /* The default context, because that is where GDBus and libsecret dispatch
   * the idle callbacks that still hold references. */
  timeout_id = g_timeout_add_seconds (STOP_TIMEOUT_S, on_finalize_timeout, state);
  while (!g_atomic_int_get (&state->finalized) && !state->timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!state->timed_out)
    {
      g_source_remove (timeout_id);
      g_free (state);
      return;
    }

  /* The test leaked a reference (a GDBusProxy, a SecretService…): this
   * process would go on using the dead bus. */
  g_printerr ("pa-test-keyring: the session bus connection is still "
              "referenced after stop; later tests may use a dead bus\n");
}

static void
forget_session_bus (void)
{
  g_autoptr(GDBusConnection) connection = NULL;

  secret_service_disconnect ();

  /* Creates a connection only if none exists, which is harmless: the
   * caller made sure the variable names our bus, which is still up. */
  connection = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (connection == NULL)
    return;

  /* Otherwise killing the bus would make this process exit. */
  g_dbus_connection_set_exit_on_close (connection, FALSE);
  g_dbus_connection_close_sync (connection, NULL, NULL);
  drop_session_connection (g_steal_pointer (&connection));
}

static char *
write_bus_config (PaTestKeyring  *self,
                  GError        **error)
{
  g_autofree char *path = g_build_filename (self->tmp_dir, "bus.conf", NULL);
  g_autofree char *escaped = g_markup_escape_text (self->tmp_dir, -1);
  g_autofree char *config = NULL;

  /* No <servicedir>: nothing may be auto-started on this bus, neither the
   * real keyring nor a prompter window. */
  config = g_strdup_printf (
    "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
    " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
    "<busconfig>\n"
    "  <type>session</type>\n"
    "  <keep_umask/>\n"
    "  <listen>unix:dir=%s</listen>\n"
    "  <auth>EXTERNAL</auth>\n"
    "  <policy context=\"default\">\n"
    "    <allow send_destination=\"*\" eavesdrop=\"true\"/>\n"
    "    <allow eavesdrop=\"true\"/>\n"
    "    <allow own=\"*\"/>\n"
    "  </policy>\n"
    "</busconfig>\n", escaped);

  if (!g_file_set_contents (path, config, -1, error))
    return NULL;
  return g_steal_pointer (&path);
}

static gboolean
start_bus (PaTestKeyring  *self,
           GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GDataInputStream) output = NULL;
  g_autofree char *config = NULL;
  g_autofree char *line = NULL;
  const char *guid;

  config = write_bus_config (self, error);
  if (config == NULL)
    return FALSE;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  self->bus = g_subprocess_launcher_spawn (launcher, error, "dbus-daemon",
                                           "--config-file", config,
                                           "--nofork", "--print-address=1",
                                           NULL);
  if (self->bus == NULL)
    {
      g_prefix_error (error, "Cannot start dbus-daemon (package dbus-daemon): ");
      return FALSE;
    }

  /* The daemon prints its address once it listens; EOF means it died. */
  output = g_data_input_stream_new (g_subprocess_get_stdout_pipe (self->bus));
  line = g_data_input_stream_read_line_utf8 (output, NULL, NULL, error);
  if (line == NULL)
    {
      if (error != NULL && *error == NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                     "dbus-daemon exited without printing its address");
      return FALSE;
    }

  self->address = g_strstrip (g_steal_pointer (&line));
  guid = strstr (self->address, "guid=");
  if (guid == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "dbus-daemon printed an address without a guid: %s",
                   self->address);
      return FALSE;
    }
  self->guid = g_strndup (guid + 5, strcspn (guid + 5, ",;"));

  self->connection = g_dbus_connection_new_for_address_sync (
    self->address,
    G_DBUS_CONNECTION_FLAGS_AUTHENTICATION_CLIENT |
    G_DBUS_CONNECTION_FLAGS_MESSAGE_BUS_CONNECTION,
    NULL, NULL, error);
  if (self->connection == NULL)
    {
      g_prefix_error (error, "Cannot connect to the test bus: ");
      return FALSE;
    }
  g_dbus_connection_set_exit_on_close (self->connection, FALSE);
  return TRUE;
}

typedef struct {
  gboolean appeared;
  gboolean exited;
  gboolean waited;
  gboolean timed_out;
} StartState;

static void
on_name_appeared (GDBusConnection *connection,
                  const char      *name,
                  const char      *owner,
                  gpointer         user_data)
{
  StartState *state = user_data;

  state->appeared = TRUE;
}

static void
on_keyring_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  StartState *state = user_data;

  state->exited = g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  state->waited = TRUE;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  StartState *state = user_data;

  state->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static char *
read_default_alias (PaTestKeyring  *self,
                    GError        **error)
{
  g_autoptr(GVariant) reply = NULL;
  const char *path;

  reply = g_dbus_connection_call_sync (self->connection, SECRETS_NAME,
                                       SECRETS_PATH, SECRETS_INTERFACE,
                                       "ReadAlias",
                                       g_variant_new ("(s)", "default"),
                                       G_VARIANT_TYPE ("(o)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       -1, NULL, error);
  if (reply == NULL)
    return NULL;

  g_variant_get (reply, "(&o)", &path);
  if (g_str_equal (path, "/"))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "gnome-keyring has no default collection");
      return NULL;
    }
  return g_strdup (path);
}

static gboolean
start_keyring (PaTestKeyring  *self,
               GError        **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GMainContext) context = NULL;
  g_autoptr(GSource) timeout = NULL;
  g_autoptr(GCancellable) cancellable = NULL;
  g_autofree char *data_home = g_build_filename (self->home, ".local", "share", NULL);
  g_autofree char *config_home = g_build_filename (self->home, ".config", NULL);
  g_autofree char *cache_home = g_build_filename (self->home, ".cache", NULL);
  g_autofree char *collection = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  GOutputStream *input;
  StartState state = { FALSE, FALSE, FALSE, FALSE };
  gsize written;
  guint watch;

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  /* The daemon gets its environment spelled out: it must never see the
   * developer's keyrings, whatever this process has in its own. */
  g_subprocess_launcher_setenv (launcher, "DBUS_SESSION_BUS_ADDRESS", self->address, TRUE);
  g_subprocess_launcher_setenv (launcher, "HOME", self->home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", self->runtime_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", config_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CACHE_HOME", cache_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "GNOME_KEYRING_CONTROL");
  g_subprocess_launcher_unsetenv (launcher, "SSH_AUTH_SOCK");
  g_subprocess_launcher_unsetenv (launcher, "G_MESSAGES_DEBUG");

  /* Without --unlock there is no login collection, and so no default one. */
  self->keyring = g_subprocess_launcher_spawn (launcher, error,
                                               "gnome-keyring-daemon",
                                               "--foreground", "--unlock",
                                               "--components=secrets",
                                               NULL);
  if (self->keyring == NULL)
    {
      g_prefix_error (error, "Cannot start gnome-keyring-daemon (package gnome-keyring): ");
      return FALSE;
    }

  input = g_subprocess_get_stdin_pipe (self->keyring);
  if (!g_output_stream_write_all (input, KEYRING_PASSWORD, strlen (KEYRING_PASSWORD),
                                  &written, NULL, error) ||
      !g_output_stream_close (input, NULL, error))
    {
      g_prefix_error (error, "Cannot give gnome-keyring-daemon its password: ");
      return FALSE;
    }

  context = g_main_context_new ();
  g_main_context_push_thread_default (context);

  cancellable = g_cancellable_new ();
  watch = g_bus_watch_name_on_connection (self->connection, SECRETS_NAME,
                                          G_BUS_NAME_WATCHER_FLAGS_NONE,
                                          on_name_appeared, NULL, &state, NULL);
  g_subprocess_wait_async (self->keyring, cancellable, on_keyring_exited, &state);
  timeout = g_timeout_source_new_seconds (START_TIMEOUT_S);
  g_source_set_callback (timeout, on_start_timeout, &state, NULL);
  g_source_attach (timeout, context);

  while (!state.appeared && !state.waited && !state.timed_out)
    g_main_context_iteration (context, TRUE);

  g_bus_unwatch_name (watch);
  g_source_destroy (timeout);
  g_cancellable_cancel (cancellable);
  while (!state.waited)
    g_main_context_iteration (context, TRUE);
  g_main_context_pop_thread_default (context);

  if (state.exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "gnome-keyring-daemon exited (status %d) before it took "
                   "the name " SECRETS_NAME " on the test bus",
                   g_subprocess_get_status (self->keyring));
      return FALSE;
    }
  if (!state.appeared)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "gnome-keyring-daemon did not take the name " SECRETS_NAME
                   " on the test bus within %d s", START_TIMEOUT_S);
      return FALSE;
    }

  /* The daemon unlocks (and creates) the login collection before it takes
   * its name, so the default alias is already there. But gnome-keyring
   * records a new caller in an idle callback that the caller's first
   * method call can beat: that call is then answered as if there were no
   * such collection ("/", and a CRITICAL in the daemon's log). Only an
   * answer of "/" that lasts means there is none. */
  while ((collection = read_default_alias (self, &local_error)) == NULL)
    {
      if (!g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND) ||
          g_get_monotonic_time () >= deadline)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                      "gnome-keyring-daemon started without an "
                                      "unlocked login collection: ");
          return FALSE;
        }
      g_clear_error (&local_error);
      g_usleep (ALIAS_POLL_INTERVAL_MS * 1000);
    }
  return TRUE;
}

static void
save_environment (PaTestKeyring *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (saved_variables); i++)
    self->saved[i] = g_strdup (g_getenv (saved_variables[i]));
}

static void
restore_environment (PaTestKeyring *self)
{
  for (guint i = 0; i < G_N_ELEMENTS (saved_variables); i++)
    {
      if (self->saved[i] != NULL)
        g_setenv (saved_variables[i], self->saved[i], TRUE);
      else
        g_unsetenv (saved_variables[i]);
      g_clear_pointer (&self->saved[i], g_free);
    }
}

static gboolean
export_environment (PaTestKeyring  *self,
                    GError        **error)
{
  g_autofree char *data_home = g_build_filename (self->home, ".local", "share", NULL);
  g_autofree char *config_home = g_build_filename (self->home, ".config", NULL);
  g_autofree char *cache_home = g_build_filename (self->home, ".cache", NULL);
  g_autoptr(GDBusConnection) session = NULL;

  /* A SecretService made earlier must not be reused on the new bus. The
   * GDBus connection is checked below instead of dropped: making one to
   * learn whether one exists could reach (or auto-launch) another bus. */
  secret_service_disconnect ();

  g_setenv ("DBUS_SESSION_BUS_ADDRESS", self->address, TRUE);
  g_setenv ("HOME", self->home, TRUE);
  g_setenv ("XDG_RUNTIME_DIR", self->runtime_dir, TRUE);
  g_setenv ("XDG_DATA_HOME", data_home, TRUE);
  g_setenv ("XDG_CONFIG_HOME", config_home, TRUE);
  g_setenv ("XDG_CACHE_HOME", cache_home, TRUE);
  g_unsetenv ("GNOME_KEYRING_CONTROL");

  /* If something still held the old session connection, GDBus would hand it
   * out again: refuse rather than let a test reach another bus. */
  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, error);
  if (session == NULL)
    {
      g_prefix_error (error, "Cannot connect to the test bus: ");
      return FALSE;
    }
  if (g_strcmp0 (g_dbus_connection_get_guid (session), self->guid) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "This process still holds a session bus connection to "
                   "another bus; drop every reference to it before starting "
                   "a test keyring");
      return FALSE;
    }
  self->exported = TRUE;
  return TRUE;
}

gboolean
pa_test_keyring_check_installed (gboolean   with_service,
                                 GError   **error)
{
  g_autofree char *bus = NULL;
  g_autofree char *keyring = NULL;

  bus = pa_test_find_program ("dbus-daemon", "dbus-daemon", error);
  if (bus == NULL)
    return FALSE;
  if (!with_service)
    return TRUE;
  keyring = pa_test_find_program ("gnome-keyring-daemon", "gnome-keyring", error);
  return keyring != NULL;
}

gboolean
pa_test_keyring_need (GError **error)
{
  return pa_test_keyring_check_installed (TRUE, error);
}

gboolean
pa_test_keyring_need_bus (GError **error)
{
  return pa_test_keyring_check_installed (FALSE, error);
}

static PaTestKeyring *
start (gboolean   with_keyring,
       GError   **error)
{
  g_autoptr(PaTestKeyring) self = NULL;

  if (!pa_test_keyring_check_installed (with_keyring, error))
    return NULL;

  if (running)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "A test keyring is already running in this process; stop it first");
      return NULL;
    }

  self = g_new0 (PaTestKeyring, 1);
  save_environment (self);
  running = TRUE;

  self->tmp_dir = g_dir_make_tmp ("pa-test-keyring-XXXXXX", error);
  if (self->tmp_dir == NULL)
    return NULL;
  self->home = g_build_filename (self->tmp_dir, "home", NULL);
  self->runtime_dir = g_build_filename (self->tmp_dir, "runtime", NULL);
  if (g_mkdir (self->home, 0700) != 0 || g_mkdir (self->runtime_dir, 0700) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot create directories in %s: %s", self->tmp_dir,
                   g_strerror (saved_errno));
      return NULL;
    }

  if (!start_bus (self, error))
    return NULL;
  if (with_keyring && !start_keyring (self, error))
    return NULL;
  if (!export_environment (self, error))
    return NULL;

  return g_steal_pointer (&self);
}

/**
 * pa_test_keyring_start:
 *
 * Starts a private bus with gnome-keyring on it and makes it this process's
 * session bus. Takes about a tenth of a second.
 */
PaTestKeyring *
pa_test_keyring_start (GError **error)
{
  return start (TRUE, error);
}

/**
 * pa_test_keyring_start_without_service:
 *
 * Like pa_test_keyring_start(), but nothing provides the Secret Service on
 * the bus: for testing how code copes with a desktop without a keyring.
 */
PaTestKeyring *
pa_test_keyring_start_without_service (GError **error)
{
  return start (FALSE, error);
}

/**
 * pa_test_keyring_stop:
 *
 * Stops the daemons, drops this process's connections to the bus and
 * removes the temporary directories. HOME and the XDG variables are
 * restored; DBUS_SESSION_BUS_ADDRESS keeps the dead bus's address, so
 * code that runs later in the test can never reach the developer's real
 * session bus and keyring.
 */
void
pa_test_keyring_stop (PaTestKeyring *self)
{
  g_autoptr(GError) error = NULL;

  if (self == NULL)
    return;

  /* The test may have pointed the variable elsewhere (to check what happens
   * without a bus): point it back at our bus while that is still up. */
  if (self->exported)
    {
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", self->address, TRUE);
      forget_session_bus ();
    }

  if (self->keyring != NULL)
    terminate (self->keyring);
  if (self->connection != NULL)
    g_dbus_connection_close_sync (self->connection, NULL, NULL);
  if (self->bus != NULL)
    terminate (self->bus);

  if (self->tmp_dir != NULL && !pa_test_remove_tree (self->tmp_dir, &error))
    g_printerr ("pa-test-keyring: %s\n", error->message);

  restore_environment (self);
  running = FALSE;

  g_clear_object (&self->connection);
  g_clear_object (&self->keyring);
  g_clear_object (&self->bus);
  g_free (self->tmp_dir);
  g_free (self->home);
  g_free (self->runtime_dir);
  g_free (self->address);
  g_free (self->guid);
  g_free (self);
}

const char *
pa_test_keyring_get_bus_address (PaTestKeyring *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->address;
}

const char *
pa_test_keyring_get_home (PaTestKeyring *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->home;
}

gboolean
pa_test_keyring_is_current (PaTestKeyring *self)
{
  g_autoptr(GDBusConnection) session = NULL;

  g_return_val_if_fail (self != NULL, FALSE);

  if (g_strcmp0 (g_getenv ("DBUS_SESSION_BUS_ADDRESS"), self->address) != 0)
    return FALSE;

  /* The variable is not enough: GDBus reuses a connection made earlier. */
  session = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  return session != NULL &&
         g_strcmp0 (g_dbus_connection_get_guid (session), self->guid) == 0;
}

gboolean
pa_test_keyring_lock (PaTestKeyring  *self,
                      GError        **error)
{
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GVariant) locked = NULL;
  g_autofree char *collection = NULL;
  const char *paths[] = { NULL, NULL };
  const char *prompt;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (self->keyring != NULL, FALSE);

  collection = read_default_alias (self, error);
  if (collection == NULL)
    return FALSE;

  paths[0] = collection;
  reply = g_dbus_connection_call_sync (self->connection, SECRETS_NAME,
                                       SECRETS_PATH, SECRETS_INTERFACE, "Lock",
                                       g_variant_new ("(^ao)", paths),
                                       G_VARIANT_TYPE ("(aoo)"),
                                       G_DBUS_CALL_FLAGS_NO_AUTO_START,
                                       -1, NULL, error);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(@ao&o)", &locked, &prompt);
  if (!g_str_equal (prompt, "/") || g_variant_n_children (locked) != 1)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "gnome-keyring did not lock %s without a prompt", collection);
      return FALSE;
    }
  return TRUE;
}
