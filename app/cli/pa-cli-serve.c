/* pa-cli-serve.c — `playalter-cli serve`: run workflows when asked over HTTP
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pa-limits.h"
#include "pa-cli.h"

#define DEFAULT_PORT      8765
#define DEFAULT_LISTEN    "127.0.0.1"
/* After SIGINT/SIGTERM, how long runs may take to end before they are
 * left to `resume`. */
#define STOP_GRACE_S      10
#define TOKEN_BYTES       32
#define MAX_TOKEN_LENGTH  PA_LIMIT_SERVE_TOKEN_CHARS

typedef struct {
  PaTriggerServer *server;
  GCancellable    *abandon;
  guint            grace_id;
  gboolean         stopped;
} ServeState;

/* A token made up here: 256 random bits from the system, as hex. */
static char *
make_token (GError **error)
{
  guint8 bytes[TOKEN_BYTES];
  GString *hex = g_string_sized_new (TOKEN_BYTES * 2);

  if (!pa_compat_random_bytes (bytes, sizeof bytes))
    {
      g_string_free (hex, TRUE);
      g_set_error_literal (error, PA_ERROR, PA_ERROR_UNAVAILABLE,
                           _("Could not make a token: the system gave no random bytes."));
      return NULL;
    }
  for (guint i = 0; i < sizeof bytes; i++)
    g_string_append_printf (hex, "%02x", bytes[i]);
  memset (bytes, 0, sizeof bytes);
  return g_string_free (hex, FALSE);
}

/* The first line of @path ("-": standard input), without surrounding
 * space; what a header can carry, and long enough to guess at. */
static char *
read_token (const char  *path,
            GError     **error)
{
  g_autofree char *contents = NULL;
  char *line;

  if (g_str_equal (path, "-"))
    {
      char buffer[MAX_TOKEN_LENGTH + 2];

      if (fgets (buffer, sizeof buffer, stdin) == NULL)
        buffer[0] = '\0';
      contents = g_strdup (buffer);
      memset (buffer, 0, sizeof buffer);
    }
  else
    {
      g_autoptr(GFile) file = g_file_new_for_path (path);
      g_autoptr(GFileInputStream) in = g_file_read (file, NULL, error);
      gsize len = 0;

      /* Never more than a token and a line end, and one byte to tell: the
       * file may be anything, /dev/zero included. */
      if (in == NULL)
        return NULL;
      contents = g_malloc0 (MAX_TOKEN_LENGTH + 4);
      if (!g_input_stream_read_all (G_INPUT_STREAM (in), contents, MAX_TOKEN_LENGTH + 3, &len,
                                    NULL, error))
        return NULL;
      if (len > MAX_TOKEN_LENGTH + 2)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s is too long for a token (at most %u characters)."),
                       path, MAX_TOKEN_LENGTH);
          return NULL;
        }
    }

  line = contents;
  line[strcspn (line, "\r\n")] = '\0';
  g_strstrip (line);
  for (const char *c = line; *c != '\0'; c++)
    if (*c <= ' ' || *c > '~')
      {
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("The token holds a space or a character outside printable ASCII."));
        return NULL;
      }
  if (strlen (line) < PA_TRIGGER_SERVER_MIN_TOKEN_LENGTH)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The token is too short: use at least %u characters (e.g. `openssl rand -hex 32`)."),
                   PA_TRIGGER_SERVER_MIN_TOKEN_LENGTH);
      return NULL;
    }
  return g_strdup (line);
}

static void
on_run_finished (PaEngine   *engine,
                 const char *run_id,
                 const char *status,
                 gpointer    user_data)
{
  g_print (_("run %s: %s\n"), run_id, status);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  ServeState *state = user_data;

  pa_trigger_server_stop_finish (PA_TRIGGER_SERVER (source), result, NULL);
  state->stopped = TRUE;
}

static gboolean
grace_over_cb (gpointer user_data)
{
  ServeState *state = user_data;

  state->grace_id = 0;
  g_cancellable_cancel (state->abandon);
  return G_SOURCE_REMOVE;
}

static void
on_signal (gpointer user_data)
{
  ServeState *state = user_data;
  guint n_running;

  /* Already on the way out. */
  if (state->stopped)
    return;
  if (state->abandon != NULL)
    {
      /* Asked twice: the runs are left to `resume`. */
      g_clear_handle_id (&state->grace_id, g_source_remove);
      g_cancellable_cancel (state->abandon);
      return;
    }

  n_running = pa_trigger_server_get_n_running (state->server);
  if (n_running == 0)
    g_printerr (_("Stopping\n"));
  else
    g_printerr (ngettext ("Stopping: new requests are refused; waiting up to %d s for %u run to "
                          "end (signal again to leave it to `playalter-cli resume`)\n",
                          "Stopping: new requests are refused; waiting up to %d s for %u runs to "
                          "end (signal again to leave them to `playalter-cli resume`)\n",
                          n_running),
                STOP_GRACE_S, n_running);
  state->abandon = g_cancellable_new ();
  state->grace_id = g_timeout_add_seconds (STOP_GRACE_S, grace_over_cb, state);
  pa_trigger_server_stop_async (state->server, state->abandon, on_stopped, state);
}

int
pa_cli_serve (const PaCliGlobals *globals,
              int                 argc,
              char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("WORKFLOW.json…"));
  g_autofree char *listen = NULL;
  g_autofree char *token_file = NULL;
  int port = DEFAULT_PORT;
  int concurrency = 4;
  g_auto(GStrv) allow_paths = NULL;
  gint64 network_wait = G_MININT64;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      N_("The port to listen on (default 8765; 0 picks a free one)"), N_("N") },
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      N_("The address to listen on (default 127.0.0.1; any other is reachable from elsewhere)"),
      N_("ADDR") },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      N_("Read the token from the first line of FILE (- for standard input)"), N_("FILE") },
    { "concurrency", 0, 0, G_OPTION_ARG_INT, &concurrency,
      N_("How many steps may run at once, across all runs (default 4)"), N_("N") },
    { "allow-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &allow_paths,
      N_("Let the runs' steps read this folder or file (repeatable); besides the media "
         "folder, nothing else is readable"), N_("DIR") },
    { "network-wait", 0, 0, G_OPTION_ARG_INT64, &network_wait,
      N_("How long a run may wait for the network before it fails (default 86400)"),
      N_("SECONDS") },
    { NULL }
  };
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaActionRegistry) registry = NULL;
  g_autoptr(PaEngine) engine = NULL;
  g_autoptr(PaRequestLog) request_log = NULL;
  g_autoptr(PaTriggerServer) server = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GPtrArray) workflows = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *token = NULL;
  g_autofree char *uri = NULL;
  ServeState state = { 0 };
  guint interrupt_id;
  guint prune_id;
  guint n_left;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("serve needs at least one workflow file (try --help)"));
  if (port < 0 || port > 65535)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--port takes a number from 0 to 65535"));
  if (concurrency <= 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--concurrency takes a positive number"));
  if (network_wait != G_MININT64 && network_wait < 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--network-wait takes a number of seconds, 0 or more"));
  for (guint i = 0; allow_paths != NULL && allow_paths[i] != NULL; i++)
    if (!g_file_test (allow_paths[i], G_FILE_TEST_EXISTS))
      return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--allow-path: %s does not exist"), allow_paths[i]);

  address = g_inet_address_new_from_string (listen != NULL ? listen : DEFAULT_LISTEN);
  if (address == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("--listen takes an IP address such as 127.0.0.1 or ::1, not “%s”"),
                        listen);

  /* Every file is checked before anything listens: a server that starts
   * and then refuses half its workflows would surprise its callers. */
  registry = pa_action_registry_new_default ();
  for (int i = 1; i < argc; i++)
    {
      PaWorkflow *workflow = pa_workflow_new_from_file (argv[i], registry, &error);

      if (workflow == NULL)
        return pa_cli_fail_validation (argv[i], error);
      g_ptr_array_add (workflows, workflow);
    }

  if (token_file != NULL)
    token = read_token (token_file, &error);
  else
    token = make_token (&error);
  if (token == NULL)
    return pa_cli_fail_error (error);

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);
  engine = pa_cli_new_engine (store, registry, &request_log);
  pa_engine_set_max_concurrency (engine, (guint) concurrency);

  server = pa_trigger_server_new (engine, token);
  pa_trigger_server_set_run_options (server, (const char * const *) allow_paths,
                                     network_wait != G_MININT64 ? network_wait : -1);
  for (guint i = 0; i < workflows->len; i++)
    if (!pa_trigger_server_add_workflow (server, g_ptr_array_index (workflows, i), &error))
      return pa_cli_fail_error (error);
  /* Before anyone can learn the address: a signal from then on stops
   * cleanly. */
  g_signal_connect (engine, "run-finished", G_CALLBACK (on_run_finished), NULL);
  state.server = server;
  /* SIGINT and SIGTERM; Ctrl-C and Ctrl-Break on Windows. */
  interrupt_id = pa_compat_add_interrupt_handler (on_signal, &state);
  if (!pa_trigger_server_listen (server, address, (guint16) port, &error))
    return pa_cli_fail_error (error);

  if (!g_inet_address_get_is_loopback (address))
    g_printerr (_("playalter-cli: warning: listening on %s, which other machines may reach: "
                  "anyone with the token can run these workflows, over plain HTTP\n"),
                listen);
  if (token_file == NULL)
    g_printerr (_("playalter-cli: token (shown only now): %s\n"), token);
  memset (token, 0, strlen (token));

  /* Scripts wait for these lines: never hold them in a buffer. */
  setvbuf (stdout, NULL, _IOLBF, 0);
  uri = pa_trigger_server_dup_uri (server);
  g_print (_("Listening on %s\n"), uri);
  for (guint i = 0; i < workflows->len; i++)
    {
      g_autofree char *escaped =
        g_uri_escape_string (pa_workflow_get_name (g_ptr_array_index (workflows, i)), NULL, FALSE);

      g_print ("POST %srun/%s\n", uri, escaped);
    }
  /* What an answer's "succeeded" is worth after a power cut. */
  {
    g_autofree char *durability = pa_store_describe_durability (store);

    g_print (_("Durability: %s\n"), durability);
  }

  /* A server stays up for days: keep the database from growing without
   * end, now and daily, off this thread. */
  prune_id = pa_store_schedule_prune (store, PA_LIMIT_RETENTION_INTERVAL_SECONDS);

  while (!state.stopped)
    g_main_context_iteration (NULL, TRUE);

  g_clear_handle_id (&state.grace_id, g_source_remove);
  g_clear_object (&state.abandon);
  g_clear_handle_id (&prune_id, g_source_remove);
  n_left = pa_trigger_server_get_n_running (server);
  g_clear_object (&server);
  /* Dropping the engine commits the journal: what is unfinished resumes. */
  g_clear_object (&engine);
  /* Lets the closed connections release what they hold. */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  /* Only now: a signal while the journal is committed must not kill. */
  pa_compat_remove_interrupt_handler (interrupt_id);

  if (n_left > 0)
    g_printerr (ngettext ("playalter-cli: %u run did not end; `playalter-cli resume` continues it\n",
                          "playalter-cli: %u runs did not end; `playalter-cli resume` continues them\n",
                          n_left),
                n_left);
  g_print (_("Stopped\n"));
  return PA_CLI_EXIT_OK;
}
