/* pa-test-pulse.c — a PulseAudio server of a test's own
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-test-pulse.h"
#include "pa-test-require.h"

struct _PaTestPulse {
  GSubprocess *server;
  char        *address;
};

PaTestPulse *
pa_test_pulse_start (const char *dir,
                     const char *sink,
                     const char *description)
{
  g_autofree char *pulseaudio = pa_test_require_program ("pulseaudio", "pulseaudio");
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *socket = NULL;
  g_autofree char *socket_module = NULL;
  g_autofree char *sink_module = NULL;
  PaTestPulse *self;
  gint64 deadline;

  if (pulseaudio == NULL)
    return NULL;
  socket = g_build_filename (dir, "native", NULL);
  socket_module = g_strdup_printf ("module-native-protocol-unix auth-anonymous=1 socket=%s", socket);
  sink_module = g_strdup_printf ("module-null-sink sink_name=%s sink_properties=device.description=%s",
                                 sink, description);

  /* Its home and runtime folders in @dir: nothing of the user's sound
   * setup is read or changed, and no other server is asked. -n: none of
   * the default modules (no hardware, no D-Bus). */
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE | G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_subprocess_launcher_setenv (launcher, "HOME", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_RUNTIME_DIR", dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "XDG_CONFIG_HOME", dir, TRUE);
  self = g_new0 (PaTestPulse, 1);
  self->server = g_subprocess_launcher_spawn (launcher, &error, pulseaudio,
                                              "--daemonize=no", "-n", "--exit-idle-time=-1",
                                              "--use-pid-file=false", "--log-target=stderr",
                                              "-L", sink_module, "-L", socket_module, NULL);
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!g_file_test (socket, G_FILE_TEST_EXISTS))
    {
      if (g_get_monotonic_time () > deadline)
        g_error ("pulseaudio made no socket at %s in 15 s", socket);
      /* NULL once the server has exited. */
      if (g_subprocess_get_identifier (self->server) == NULL)
        g_error ("pulseaudio exited before it made its socket %s", socket);
      g_usleep (50 * 1000);
    }
  self->address = g_strdup_printf ("unix:%s", socket);
  return self;
}

const char *
pa_test_pulse_get_address (PaTestPulse *self)
{
  return self->address;
}

void
pa_test_pulse_stop (PaTestPulse *self)
{
  if (self == NULL)
    return;
  g_subprocess_force_exit (self->server);
  g_subprocess_wait (self->server, NULL, NULL);
  g_object_unref (self->server);
  g_free (self->address);
  g_free (self);
}
