/* pa-test-rtmp.c — a real RTMP server on loopback (nginx with its RTMP module) for tests
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pa-test-peer.h"
#include "pa-test-peer-private.h"
#include "pa-test-require.h"
#include "pa-test-rtmp.h"

#define START_TIMEOUT_S   15
#define POLL_INTERVAL_MS  50
#define LOG_TAIL_BYTES    2048
/* A free port another process took before nginx bound it. */
#define START_ATTEMPTS    3

#define MODULE_NAME       "ngx_rtmp_module.so"
#define INSTALL_HINT \
  "install the Debian packages nginx and libnginx-mod-rtmp (bash " \
  "build-aux/install-deps.sh --tests installs every package the tests use)"

struct _PaTestRtmp {
  char         *nginx;
  char         *dir;
  char         *conf_path;
  char         *pid_path;
  char         *record_dir;
  char         *error_log_path;
  char         *output_log_path;
  guint16       port;
  PaTestProcess *process;
};

/* Where to find things */

static char *
find_nginx (GError **error)
{
  char *path = g_find_program_in_path ("nginx");

  /* A user's PATH often lacks sbin, where Debian puts it. */
  if (path == NULL && g_file_test ("/usr/sbin/nginx", G_FILE_TEST_IS_EXECUTABLE))
    path = g_strdup ("/usr/sbin/nginx");
  if (path == NULL)
    pa_test_set_missing_error (error, "nginx", INSTALL_HINT);
  return path;
}

/* The RTMP module: in the modules folder nginx was built with (`nginx -V`
 * says --modules-path=…), else where Debian and Fedora put modules. A
 * config with -p loads relative paths from its own folder, so the path
 * must be absolute. */
static char *
find_module (const char  *nginx,
             GError     **error)
{
  const char *argv[] = { nginx, "-V", NULL };
  const char *fallbacks[] = { "/usr/lib/nginx/modules", "/usr/lib64/nginx/modules",
                              "/usr/share/nginx/modules" };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  const char *flag;

  /* nginx -V prints to stderr. */
  if (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                    &out, &err, NULL, NULL) &&
      err != NULL && (flag = strstr (err, "--modules-path=")) != NULL)
    {
      const char *start = flag + strlen ("--modules-path=");
      g_autofree char *dir = g_strndup (start, strcspn (start, " \n"));
      g_autofree char *path = g_build_filename (dir, MODULE_NAME, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }

  for (guint i = 0; i < G_N_ELEMENTS (fallbacks); i++)
    {
      g_autofree char *path = g_build_filename (fallbacks[i], MODULE_NAME, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }

  pa_test_set_missing_error (error, "the RTMP module of nginx (" MODULE_NAME ")",
                             INSTALL_HINT);
  return NULL;
}

/* The configuration */

static gboolean
write_config (PaTestRtmp               *self,
              const char               *module,
              const PaTestRtmpOptions  *options,
              GError                  **error)
{
  g_autoptr(GString) conf = g_string_new (NULL);

  /* Paths in double quotes: a temporary folder may hold spaces. The
   * error log is also given with -e, so that nginx never tries the
   * system's before it has read this. */
  g_string_append_printf (conf,
                          "load_module \"%s\";\n"
                          "daemon off;\n"
                          "master_process off;\n"
                          "pid \"%s\";\n"
                          "error_log \"%s\" info;\n"
                          "events {\n"
                          "  worker_connections 64;\n"
                          "}\n"
                          "rtmp {\n"
                          "  server {\n"
                          "    listen 127.0.0.1:%u;\n"
                          "    application live {\n"
                          "      live on;\n",
                          module, self->pid_path, self->error_log_path, self->port);
  if (self->record_dir != NULL)
    g_string_append_printf (conf,
                            "      record all;\n"
                            "      record_path \"%s\";\n"
                            "      record_unique off;\n",
                            self->record_dir);
  if (options != NULL && options->on_publish != NULL)
    g_string_append_printf (conf, "      on_publish %s;\n", options->on_publish);
  g_string_append (conf,
                   "    }\n"
                   "  }\n"
                   "}\n");

  return g_file_set_contents (self->conf_path, conf->str, conf->len, error);
}

/* The process */

gboolean
pa_test_rtmp_is_running (PaTestRtmp *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->process != NULL && !pa_test_process_has_exited (self->process);
}

static char *
log_tail (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *start;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return g_strdup ("");
  start = length > LOG_TAIL_BYTES ? contents + length - LOG_TAIL_BYTES : contents;
  return g_utf8_make_valid (start, -1);
}

char *
pa_test_rtmp_get_error_log_tail (PaTestRtmp *self)
{
  g_autofree char *errors = NULL;
  g_autofree char *output = NULL;

  g_return_val_if_fail (self != NULL, NULL);

  errors = log_tail (self->error_log_path);
  output = self->process != NULL ? pa_test_process_log_tail (self->process) : g_strdup ("");
  return g_strconcat (errors, output, NULL);
}

static gboolean
accepts_connections (guint16 port)
{
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) connection = NULL;

  g_socket_client_set_timeout (client, 1);
  connection = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, NULL);
  return connection != NULL;
}

/* Starts nginx on self->port and waits until it accepts connections.
 * G_IO_ERROR_ADDRESS_IN_USE when the port was taken. */
static gboolean
spawn_server (PaTestRtmp  *self,
              GError     **error)
{
  g_auto(GStrv) env = NULL;
  const char *argv[] = { self->nginx, "-p", self->dir, "-c", self->conf_path,
                         "-e", self->error_log_path, NULL };
  gint64 deadline;

  /* nginx writes its pid file once it has bound its port: the proof that
   * the port is its own, and not another process's that took it first. A
   * killed server may leave the old one behind. */
  if (g_unlink (self->pid_path) != 0 && errno != ENOENT)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                   "Cannot remove %s: %s", self->pid_path, g_strerror (errno));
      return FALSE;
    }

  env = g_get_environ ();
  /* The sanitizers' preload must not follow us into nginx. */
  env = g_environ_unsetenv (env, "LD_PRELOAD");
  self->process = pa_test_process_spawn ("nginx", argv, (const char * const *) env,
                                         self->dir, self->output_log_path, error);
  if (self->process == NULL)
    return FALSE;

  deadline = g_get_monotonic_time () + START_TIMEOUT_S * G_USEC_PER_SEC;
  for (;;)
    {
      if (!pa_test_rtmp_is_running (self))
        {
          g_autofree char *tail = pa_test_rtmp_get_error_log_tail (self);

          g_clear_pointer (&self->process, pa_test_process_stop);
          if (strstr (tail, "Address already in use") != NULL)
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                         "nginx: port %u was taken:\n%s", self->port, tail);
          else
            g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                         "nginx exited before it listened on port %u (log %s):\n%s",
                         self->port, self->error_log_path, tail);
          return FALSE;
        }
      if (g_file_test (self->pid_path, G_FILE_TEST_EXISTS) &&
          accepts_connections (self->port))
        return TRUE;
      if (g_get_monotonic_time () >= deadline)
        {
          g_autofree char *tail = pa_test_rtmp_get_error_log_tail (self);

          g_clear_pointer (&self->process, pa_test_process_stop);
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "nginx did not accept connections on port %u within %d s "
                       "(log %s):\n%s",
                       self->port, START_TIMEOUT_S, self->error_log_path, tail);
          return FALSE;
        }
      pa_test_process_pause (self->process, POLL_INTERVAL_MS);
    }
}

static void
free_server (PaTestRtmp *self)
{
  g_clear_pointer (&self->process, pa_test_process_stop);
  if (self->dir != NULL)
    {
      g_autoptr(GError) error = NULL;

      if (!pa_test_remove_tree (self->dir, &error))
        g_warning ("%s", error->message);
    }
  g_free (self->nginx);
  g_free (self->dir);
  g_free (self->conf_path);
  g_free (self->pid_path);
  g_free (self->record_dir);
  g_free (self->error_log_path);
  g_free (self->output_log_path);
  g_free (self);
}

PaTestRtmp *
pa_test_rtmp_start (const PaTestRtmpOptions  *options,
                    GError                  **error)
{
  g_autofree char *nginx = NULL;
  g_autofree char *module = NULL;
  PaTestRtmp *self;
  g_autoptr(GError) local_error = NULL;

  nginx = find_nginx (error);
  if (nginx == NULL)
    return NULL;
  module = find_module (nginx, error);
  if (module == NULL)
    return NULL;

  self = g_new0 (PaTestRtmp, 1);
  self->nginx = g_steal_pointer (&nginx);
  self->dir = g_dir_make_tmp ("playalter-rtmp-XXXXXX", error);
  if (self->dir == NULL)
    {
      free_server (self);
      return NULL;
    }
  self->conf_path = g_build_filename (self->dir, "nginx.conf", NULL);
  self->pid_path = g_build_filename (self->dir, "nginx.pid", NULL);
  if (options != NULL && options->record)
    {
      self->record_dir = g_build_filename (self->dir, "record", NULL);
      if (g_mkdir (self->record_dir, 0755) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno),
                       "Cannot make %s: %s", self->record_dir, g_strerror (errno));
          free_server (self);
          return NULL;
        }
    }

  for (guint attempt = 1; ; attempt++)
    {
      g_clear_error (&local_error);
      self->port = pa_test_peer_free_port (error);
      if (self->port == 0)
        {
          free_server (self);
          return NULL;
        }
      g_free (self->error_log_path);
      g_free (self->output_log_path);
      self->error_log_path = pa_test_peer_log_path ("nginx-rtmp", self->port);
      self->output_log_path = pa_test_peer_log_path ("nginx-rtmp-output", self->port);
      /* A log of this port from an earlier run of this test program. */
      g_unlink (self->error_log_path);
      g_unlink (self->output_log_path);
      if (!write_config (self, module, options, error))
        {
          free_server (self);
          return NULL;
        }
      if (spawn_server (self, &local_error))
        return self;
      if (attempt == START_ATTEMPTS ||
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          free_server (self);
          return NULL;
        }
    }
}

char *
pa_test_rtmp_get_url (PaTestRtmp *self,
                      const char *key)
{
  g_return_val_if_fail (self != NULL && key != NULL, NULL);

  return g_strdup_printf ("rtmp://127.0.0.1:%u/live/%s", self->port, key);
}

guint16
pa_test_rtmp_get_port (PaTestRtmp *self)
{
  g_return_val_if_fail (self != NULL, 0);

  return self->port;
}

const char *
pa_test_rtmp_get_record_dir (PaTestRtmp *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->record_dir;
}

char *
pa_test_rtmp_get_record_path (PaTestRtmp *self,
                              const char *key)
{
  g_autofree char *file = NULL;

  g_return_val_if_fail (self != NULL && key != NULL, NULL);

  if (self->record_dir == NULL)
    return NULL;
  file = g_strconcat (key, ".flv", NULL);
  return g_build_filename (self->record_dir, file, NULL);
}

const char *
pa_test_rtmp_get_error_log_path (PaTestRtmp *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->error_log_path;
}

void
pa_test_rtmp_kill (PaTestRtmp *self)
{
  g_return_if_fail (self != NULL);

  g_clear_pointer (&self->process, pa_test_process_stop);
}

gboolean
pa_test_rtmp_restart (PaTestRtmp  *self,
                      GError     **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (pa_test_rtmp_is_running (self))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                   "nginx is still running on port %u", self->port);
      return FALSE;
    }
  g_clear_pointer (&self->process, pa_test_process_stop);
  return spawn_server (self, error);
}

void
pa_test_rtmp_freeze (PaTestRtmp *self,
                     gboolean    frozen)
{
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  gint64 pid;

  g_return_if_fail (self != NULL);
  g_return_if_fail (pa_test_rtmp_is_running (self));

  /* nginx wrote its pid once it listened (spawn_server() waited for it). */
  if (!g_file_get_contents (self->pid_path, &text, NULL, &error))
    g_error ("cannot read nginx's pid: %s", error->message);
  pid = g_ascii_strtoll (g_strstrip (text), NULL, 10);
  g_assert_cmpint (pid, >, 1);
  if (kill ((pid_t) pid, frozen ? SIGSTOP : SIGCONT) != 0)
    g_error ("cannot %s nginx (pid %" G_GINT64_FORMAT "): %s",
             frozen ? "stop" : "continue", pid, g_strerror (errno));
}

void
pa_test_rtmp_stop (PaTestRtmp *self)
{
  if (self == NULL)
    return;

  free_server (self);
}
