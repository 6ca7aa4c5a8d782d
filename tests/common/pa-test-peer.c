/* pa-test-peer.c — fixtures and loopback peers (Prism, scripted Node peers) for tests
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <glib/gstdio.h>

#include "pa-test-peer.h"
#include "pa-test-peer-private.h"
#include "pa-test-require.h"

#define PRISM_START_TIMEOUT_S 90
#define NODE_START_TIMEOUT_S  30
#define STOP_TIMEOUT_S        5
#define POLL_INTERVAL_MS      100
#define LOG_TAIL_BYTES        2048
/* A port another process took first; one such race is already rare. */
#define START_ATTEMPTS        3

/* What each kind of peer logs, then its port, once it listens. */
#define PRISM_READY_PREFIX    "Prism is listening on http://127.0.0.1:"
#define NODE_READY_PREFIX     "on 127.0.0.1:"

/* How to get node and the peers when they are missing. */
#define PEERS_INSTALL_HINT \
  "run bash build-aux/install-test-peers.sh (it installs Node.js from " \
  "Debian when it is missing, then the peers)"

struct _PaTestPeer {
  PaTestProcess *process;
  guint16        port;
  char          *url;
};

/* Fixtures */

/* Where each fixture comes from, for the message when it is missing. */
static const struct {
  const char *relpath;
  const char *source;
} fixture_sources[] = {
  { "openapi/stripe.json",
    "Stripe's OpenAPI spec, stripe/openapi openapi/spec3.yaml on GitHub, "
    "trimmed to the operations PlayAlter uses" },
  { "openapi/openai.yaml",
    "OpenAI's OpenAPI spec (openai/openai-openapi on GitHub)" },
  { "openapi/replicate.json",
    "Replicate's OpenAPI schema (https://api.replicate.com/openapi.json)" },
  { "openapi/vercel.json",
    "Vercel's OpenAPI spec, vercel/sdk vercel-spec.json on GitHub, trimmed" },
  { "openapi/n8n.yaml",
    "n8n's public API spec, n8n-io/n8n-docs docs/api/v1/openapi.yml on "
    "GitHub, trimmed" },
  { "vectors/agora-accesstoken2.json",
    "computed with npm agora-token (AccessToken2)" },
  { "vectors/stripe-webhook-signature.json",
    "computed with npm stripe (webhooks.generateTestHeaderString)" },
  { "vectors/replicate-webhook-signature.json",
    "computed with npm replicate (validateWebhook)" },
};

const char *
pa_test_source_root (void)
{
  static char *root;

  if (g_once_init_enter (&root))
    {
      const char *env = g_getenv ("PLAYALTER_SOURCE_ROOT");

      g_once_init_leave (&root, env != NULL && *env != '\0'
                                          ? g_strdup (env)
                                          : g_get_current_dir ());
    }
  return root;
}

const char *
pa_test_fixtures_dir (void)
{
  static char *dir;

  if (g_once_init_enter (&dir))
    {
      const char *env = g_getenv ("PLAYALTER_FIXTURES");

      g_once_init_leave (&dir, env != NULL && *env != '\0'
                                         ? g_strdup (env)
                                         : g_build_filename (pa_test_source_root (),
                                                             "..", "shared",
                                                             "fixtures", NULL));
    }
  return dir;
}

char *
pa_test_fixtures_require (const char *relpath)
{
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;
  g_autofree char *how = NULL;
  const char *source = NULL;

  g_return_val_if_fail (relpath != NULL, NULL);

  path = g_build_filename (pa_test_fixtures_dir (), relpath, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);

  for (gsize i = 0; i < G_N_ELEMENTS (fixture_sources); i++)
    if (g_str_equal (fixture_sources[i].relpath, relpath))
      source = fixture_sources[i].source;

  what = g_strdup_printf ("fixture %s (looked in %s, set PLAYALTER_FIXTURES "
                          "or -Dfixtures_dir to change)", relpath, path);
  how = g_strdup_printf ("it is %s; see the fixtures' README.md",
                         source != NULL ? source : "described in the "
                                                   "file's own note");
  pa_test_missing (what, how);
  return NULL;
}

gboolean
pa_test_remove_tree (const char  *path,
                     GError     **error)
{
  if (!g_file_test (path, G_FILE_TEST_IS_SYMLINK) &&
      g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GDir) dir = g_dir_open (path, 0, error);
      const char *name;

      if (dir == NULL)
        return FALSE;
      while ((name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          if (!pa_test_remove_tree (child, error))
            return FALSE;
        }
    }

  if (g_remove (path) != 0 && errno != ENOENT)
    {
      int saved_errno = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved_errno),
                   "Cannot remove %s: %s", path, g_strerror (saved_errno));
      return FALSE;
    }
  return TRUE;
}

/* Processes */

struct _PaTestProcess {
  GSubprocess  *subprocess;
  GMainContext *context;   /* where the wait below dispatches */
  GPid          pid;
  gboolean      exited;
  char         *name;
  char         *log_path;
};

static void
child_setup (gpointer user_data)
{
  /* Its own group, so stop reaches the children it spawns too. */
  setpgid (0, 0);
#ifdef __linux__
  /* If the test crashes, its peers must not outlive it. */
  prctl (PR_SET_PDEATHSIG, SIGTERM);
  if (getppid () != GPOINTER_TO_INT (user_data))
    _exit (1);
#endif
}

static void
on_process_exited (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  PaTestProcess *self = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  self->exited = TRUE;
}

char *
pa_test_peer_log_path (const char *name,
                       guint16     port)
{
  const char *dir = g_getenv ("G_TEST_BUILDDIR");
  g_autofree char *program = NULL;
  g_autofree char *file = NULL;

  if (dir == NULL || !g_file_test (dir, G_FILE_TEST_IS_DIR))
    dir = g_get_tmp_dir ();
  /* g_test_init() makes the program name the whole path. */
  program = g_path_get_basename (g_get_prgname () != NULL ? g_get_prgname () : "test");
  /* The pid too: two runs of one test at once may both be handed a port
   * (one of them then fails to listen and tries another) and must not
   * write over each other's log. */
  file = g_strdup_printf ("%s-%d-%s-%u.log", program, (int) getpid (), name, port);
  return g_build_filename (dir, file, NULL);
}

PaTestProcess *
pa_test_process_spawn (const char          *name,
                       const char * const  *argv,
                       const char * const  *env,
                       const char          *cwd,
                       const char          *log_path,
                       GError             **error)
{
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(PaTestProcess) self = g_new0 (PaTestProcess, 1);

  self->name = g_strdup (name);
  self->log_path = g_strdup (log_path);
  self->context = g_main_context_new ();

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_MERGE);
  g_subprocess_launcher_set_stdout_file_path (launcher, log_path);
  if (env != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) env);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup,
                                         GINT_TO_POINTER (getpid ()), NULL);

  self->subprocess = g_subprocess_launcher_spawnv (launcher,
                                                   (const char * const *) argv,
                                                   error);
  if (self->subprocess == NULL)
    {
      g_prefix_error (error, "Cannot start %s (%s): ", name, argv[0]);
      return NULL;
    }
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->subprocess),
                                      NULL, 10);

  g_main_context_push_thread_default (self->context);
  g_subprocess_wait_async (self->subprocess, NULL, on_process_exited, self);
  g_main_context_pop_thread_default (self->context);

  return g_steal_pointer (&self);
}

gboolean
pa_test_process_has_exited (PaTestProcess *self)
{
  while (g_main_context_iteration (self->context, FALSE))
    ;
  return self->exited;
}

static gboolean
on_tick (gpointer user_data)
{
  gboolean *fired = user_data;

  *fired = TRUE;
  return G_SOURCE_REMOVE;
}

void
pa_test_process_pause (PaTestProcess *self,
                       guint          interval_ms)
{
  g_autoptr(GSource) tick = g_timeout_source_new (interval_ms);
  gboolean fired = FALSE;

  /* Wakes early when the process exits: the caller re-checks both. */
  g_source_set_callback (tick, on_tick, &fired, NULL);
  g_source_attach (tick, self->context);
  while (!fired && !self->exited)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (tick);
}

char *
pa_test_process_log_tail (PaTestProcess *self)
{
  g_autofree char *contents = NULL;
  gsize length = 0;
  const char *start;

  if (!g_file_get_contents (self->log_path, &contents, &length, NULL))
    return g_strdup ("");
  start = length > LOG_TAIL_BYTES ? contents + length - LOG_TAIL_BYTES : contents;
  return g_utf8_make_valid (start, -1);
}

gboolean
pa_test_process_wait (PaTestProcess  *self,
                      guint           timeout_s,
                      GError        **error)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;

  while (!pa_test_process_has_exited (self))
    {
      if (g_get_monotonic_time () >= deadline)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s did not finish within %u s", self->name, timeout_s);
          return FALSE;
        }
      pa_test_process_pause (self, POLL_INTERVAL_MS);
    }

  if (!g_subprocess_get_if_exited (self->subprocess) ||
      g_subprocess_get_exit_status (self->subprocess) != 0)
    {
      g_autofree char *tail = pa_test_process_log_tail (self);

      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s failed (log %s):\n%s", self->name, self->log_path, tail);
      return FALSE;
    }
  return TRUE;
}

static gboolean
log_contains (PaTestProcess *self,
              const char    *needle)
{
  g_autofree char *contents = NULL;

  return g_file_get_contents (self->log_path, &contents, NULL, NULL) &&
         strstr (contents, needle) != NULL;
}

gboolean
pa_test_process_wait_for_log (PaTestProcess  *self,
                              const char     *needle,
                              gint64          deadline_us,
                              GError        **error)
{
  /* The peer says it is ready only in its log. */
  while (!log_contains (self, needle))
    {
      if (pa_test_process_has_exited (self))
        {
          g_autofree char *tail = pa_test_process_log_tail (self);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                       "%s exited before saying “%s” (log %s):\n%s",
                       self->name, needle, self->log_path, tail);
          return FALSE;
        }
      if (g_get_monotonic_time () >= deadline_us)
        {
          g_autofree char *tail = pa_test_process_log_tail (self);

          g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                       "%s did not say “%s” in time (log %s):\n%s",
                       self->name, needle, self->log_path, tail);
          return FALSE;
        }
      pa_test_process_pause (self, POLL_INTERVAL_MS);
    }
  return TRUE;
}

const char *
pa_test_process_get_log_path (PaTestProcess *self)
{
  return self->log_path;
}

void
pa_test_process_stop (PaTestProcess *self)
{
  gint64 deadline;

  if (self == NULL)
    return;

  if (self->subprocess != NULL && !pa_test_process_has_exited (self))
    {
      kill (-self->pid, SIGTERM);
      deadline = g_get_monotonic_time () + STOP_TIMEOUT_S * G_USEC_PER_SEC;
      while (!self->exited && g_get_monotonic_time () < deadline)
        pa_test_process_pause (self, POLL_INTERVAL_MS);
      if (!self->exited)
        {
          kill (-self->pid, SIGKILL);
          while (!self->exited)
            g_main_context_iteration (self->context, TRUE);
        }
    }
  /* Whatever the leader left behind in its group. */
  if (self->pid > 0)
    kill (-self->pid, SIGKILL);

  g_clear_object (&self->subprocess);
  g_main_context_unref (self->context);
  g_free (self->name);
  g_free (self->log_path);
  g_free (self);
}

/* Peers */

/* Bound, with SO_REUSEADDR off, and not listening. */
static GSocket *
bind_free_port (guint16  *port,
                GError  **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) address = NULL;
  g_autoptr(GSocketAddress) bound = NULL;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                         G_SOCKET_PROTOCOL_TCP, error);
  if (socket == NULL)
    return NULL;
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  address = g_inet_socket_address_new (loopback, 0);
  if (!g_socket_bind (socket, address, FALSE, error))
    return NULL;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return NULL;
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  return g_steal_pointer (&socket);
}

guint16
pa_test_peer_free_port (GError **error)
{
  g_autoptr(GSocket) socket = NULL;
  guint16 port = 0;

  /* Closed when @socket goes; a peer started right after gets the port. */
  socket = bind_free_port (&port, error);
  return socket != NULL ? port : 0;
}

GSocket *
pa_test_peer_reserve_port (guint16  *port,
                           GError  **error)
{
  g_return_val_if_fail (port != NULL, NULL);

  return bind_free_port (port, error);
}

static char *
peers_path (const char *relpath)
{
  return g_build_filename (pa_test_source_root (), "tests", "peers", relpath, NULL);
}

static PaTestPeer *
peer_start_on_port (const char  *name,
                    GPtrArray   *argv,
                    int          port_arg,
                    const char  *ready_prefix,
                    guint16      port,
                    guint        timeout_s,
                    GError     **error)
{
  g_autofree char *log_path = pa_test_peer_log_path (name, port);
  g_autofree char *port_string = g_strdup_printf ("%u", port);
  g_autofree char *ready = NULL;
  g_auto(GStrv) env = g_get_environ ();
  g_autoptr(PaTestProcess) process = NULL;
  g_autoptr(GError) local_error = NULL;
  gint64 deadline = g_get_monotonic_time () + (gint64) timeout_s * G_USEC_PER_SEC;
  PaTestPeer *self;

  if (port_arg >= 0)
    argv->pdata[port_arg] = port_string;

  env = g_environ_setenv (env, "PORT", port_string, TRUE);
  env = g_environ_setenv (env, "PLAYALTER_FIXTURES", pa_test_fixtures_dir (), TRUE);
  /* Plain logs, and no update checks or telemetry from Node tools. */
  env = g_environ_setenv (env, "NO_COLOR", "1", TRUE);
  env = g_environ_setenv (env, "FORCE_COLOR", "0", TRUE);
  env = g_environ_setenv (env, "NO_UPDATE_NOTIFIER", "1", TRUE);
  /* The sanitizers' preload must not follow us into node. */
  env = g_environ_unsetenv (env, "LD_PRELOAD");

  process = pa_test_process_spawn (name, (const char * const *) argv->pdata,
                                   (const char * const *) env, NULL, log_path, error);
  if (port_arg >= 0)
    argv->pdata[port_arg] = NULL;
  if (process == NULL)
    return NULL;

  /* Not "something answers on the port": between pa_test_peer_free_port()
   * and the peer's listen() (seconds for Prism on a busy machine) any
   * other process may be handed the same port, and this test would talk
   * to it. Only the peer's own word that it listens is proof. */
  ready = g_strdup_printf ("%s%u", ready_prefix, port);
  if (!pa_test_process_wait_for_log (process, ready, deadline, &local_error))
    {
      g_autofree char *tail = pa_test_process_log_tail (process);

      if (pa_test_process_has_exited (process) && strstr (tail, "EADDRINUSE") != NULL)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE,
                     "%s: port %u was taken before it listened", name, port);
      else
        g_propagate_error (error, g_steal_pointer (&local_error));
      return NULL;
    }

  self = g_new0 (PaTestPeer, 1);
  self->process = g_steal_pointer (&process);
  self->port = port;
  self->url = g_strdup_printf ("http://127.0.0.1:%u", port);
  return self;
}

/* Starts @argv (NULL-terminated; its slot @port_arg, unless -1, is left
 * for the port) with PORT set to a free port, and waits until its log
 * holds @ready_prefix followed by the port. */
static PaTestPeer *
peer_start (const char  *name,
            GPtrArray   *argv,
            int          port_arg,
            const char  *ready_prefix,
            guint        timeout_s,
            GError     **error)
{
  for (guint attempt = 1; ; attempt++)
    {
      g_autoptr(GError) local_error = NULL;
      PaTestPeer *self;
      guint16 port;

      port = pa_test_peer_free_port (error);
      if (port == 0)
        return NULL;
      self = peer_start_on_port (name, argv, port_arg, ready_prefix, port, timeout_s,
                                 &local_error);
      if (self != NULL)
        return self;

      /* The port is only reserved by nobody taking it: another process
       * that did wins, and the peer has to try a port it gets. */
      if (attempt == START_ATTEMPTS ||
          !g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return NULL;
        }
      g_test_message ("%s; trying another", local_error->message);
    }
}

char *
pa_test_find_node (GError **error)
{
  char *node = g_find_program_in_path ("node");

  if (node == NULL)
    pa_test_set_missing_error (error, "node (Node.js)", PEERS_INSTALL_HINT);
  return node;
}

char *
pa_test_peers_bin (const char  *tool,
                   GError     **error)
{
  g_autofree char *bin = NULL;
  g_autofree char *node = NULL;
  g_autofree char *relpath = g_build_filename ("node_modules", ".bin", tool, NULL);

  bin = peers_path (relpath);
  if (!g_file_test (bin, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_autofree char *what = g_strdup_printf ("%s (no %s)", tool, bin);

      pa_test_set_missing_error (error, what, PEERS_INSTALL_HINT);
      return NULL;
    }
  /* Every peer tool is a Node script. */
  node = pa_test_find_node (error);
  if (node == NULL)
    return NULL;
  return g_steal_pointer (&bin);
}

PaTestPeer *
pa_test_prism_start_with_args (const char          *spec_name,
                               const char * const  *extra_args,
                               GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *spec_relpath = NULL;
  g_autofree char *spec = NULL;
  g_autofree char *prism = NULL;
  g_autofree char *name = NULL;
  int port_arg;

  g_return_val_if_fail (spec_name != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  spec_relpath = g_build_filename ("openapi", spec_name, NULL);
  spec = pa_test_fixtures_require (spec_relpath);
  if (spec == NULL)
    return NULL;

  prism = pa_test_peers_bin ("prism", error);
  if (prism == NULL)
    return NULL;

  name = g_strdup_printf ("prism-%s", spec_name);

  g_ptr_array_add (argv, prism);
  g_ptr_array_add (argv, (gpointer) "mock");
  g_ptr_array_add (argv, (gpointer) "--host");
  g_ptr_array_add (argv, (gpointer) "127.0.0.1");
  g_ptr_array_add (argv, (gpointer) "--port");
  port_arg = argv->len;
  g_ptr_array_add (argv, NULL);
  /* A request that breaks the contract is answered with an error (4xx)
   * instead of a best-effort mock. */
  g_ptr_array_add (argv, (gpointer) "--errors");
  for (gsize i = 0; extra_args != NULL && extra_args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) extra_args[i]);
  g_ptr_array_add (argv, spec);
  g_ptr_array_add (argv, NULL);

  return peer_start (name, argv, port_arg, PRISM_READY_PREFIX, PRISM_START_TIMEOUT_S, error);
}

PaTestPeer *
pa_test_prism_start (const char  *spec_name,
                     GError     **error)
{
  return pa_test_prism_start_with_args (spec_name, NULL, error);
}

PaTestPeer *
pa_test_node_peer_start (const char          *script_relpath,
                         const char * const  *args,
                         GError             **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *script = NULL;
  g_autofree char *node = NULL;
  g_autofree char *name = NULL;

  g_return_val_if_fail (script_relpath != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  node = pa_test_find_node (error);
  if (node == NULL)
    return NULL;
  script = peers_path (script_relpath);
  if (!g_file_test (script, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No scripted peer %s", script);
      return NULL;
    }

  g_ptr_array_add (argv, node);
  g_ptr_array_add (argv, script);
  for (gsize i = 0; args != NULL && args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  name = g_path_get_basename (script_relpath);
  return peer_start (name, argv, -1, NODE_READY_PREFIX, NODE_START_TIMEOUT_S, error);
}

const char *
pa_test_peer_get_url (PaTestPeer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->url;
}

guint16
pa_test_peer_get_port (PaTestPeer *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return self->port;
}

const char *
pa_test_peer_get_log_path (PaTestPeer *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return pa_test_process_get_log_path (self->process);
}

void
pa_test_peer_stop (PaTestPeer *self)
{
  if (self == NULL)
    return;
  pa_test_process_stop (self->process);
  g_free (self->url);
  g_free (self);
}

gsize
pa_test_peer_get_log_size (PaTestPeer *self)
{
  g_autofree char *log = NULL;
  gsize size = 0;

  g_file_get_contents (pa_test_peer_get_log_path (self), &log, &size, NULL);
  return size;
}

guint
pa_test_prism_count_validated (PaTestPeer *self,
                               gsize       offset,
                               const char *route)
{
  g_autofree char *log = NULL;
  g_autofree char *received = g_strdup_printf ("[HTTP SERVER] %s ", route);
  g_auto(GStrv) lines = NULL;
  gsize size = 0;
  guint count = 0;

  g_assert_true (g_file_get_contents (pa_test_peer_get_log_path (self), &log, &size, NULL));
  g_assert_cmpuint (size, >=, offset);
  lines = g_strsplit (log + offset, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      if (strstr (lines[i], received) == NULL || strstr (lines[i], "Request received") == NULL)
        continue;
      count++;
      /* Its verdict follows, before the next request's lines. */
      for (guint j = i + 1; ; j++)
        {
          if (lines[j] == NULL || strstr (lines[j], "[HTTP SERVER]") != NULL)
            g_error ("Prism gave no verdict on %s", route);
          if (strstr (lines[j], "did not pass the validation rules") != NULL)
            g_error ("Prism refused %s: %s", route, lines[j + 1] != NULL ? lines[j + 1] : "");
          if (strstr (lines[j], "passed the validation rules") != NULL)
            break;
        }
    }
  return count;
}
