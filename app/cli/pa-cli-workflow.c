/* pa-cli-workflow.c — `playalter-cli workflow …`, `runs`, `show`, `cancel`, `resume`, `journal check`
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include <inttypes.h>
#include <glib/gi18n.h>

#include "pa-cli.h"

/* There is no daemon yet: a run lives only as long as the process that
 * drives it. `run --detach` journals the run and leaves it pending; the
 * next `resume` (or a foreground `run`, which does not resume others)
 * carries it on. */

typedef struct {
  PaStore          *store;
  PaActionRegistry *registry;
  PaEngine         *engine;
  PaRequestLog     *request_log;
} Session;

static void
session_clear (Session *session)
{
  g_clear_object (&session->engine);
  g_clear_object (&session->request_log);
  g_clear_object (&session->registry);
  g_clear_object (&session->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

static gboolean
session_open (Session            *session,
              const PaCliGlobals *globals,
              gboolean            with_engine,
              GError            **error)
{
  session->store = pa_cli_open_store (globals, error);
  if (session->store == NULL)
    return FALSE;

  session->registry = pa_action_registry_new_default ();
  if (with_engine)
    session->engine = pa_cli_new_engine (session->store, session->registry,
                                         &session->request_log);
  return TRUE;
}

PaEngine *
pa_cli_new_engine (PaStore           *store,
                   PaActionRegistry  *registry,
                   PaRequestLog     **request_log)
{
  PaHttp *http = pa_platform_get_default_http ();

  *request_log = pa_request_log_new (http, store);
  return pa_engine_new (store, registry, http);
}

static gboolean
is_finished_status (const char *status)
{
  return g_strcmp0 (status, "succeeded") == 0
         || g_strcmp0 (status, "failed") == 0
         || g_strcmp0 (status, "cancelled") == 0;
}

/* Validation lists every problem, one per line. The CLI's rule is one
 * line on stderr, so the problems go to stdout and stderr gets the first
 * one with a count of the rest. */
int
pa_cli_fail_validation (const char   *path,
                        const GError *error)
{
  g_auto(GStrv) lines = g_strsplit (error->message, "\n", -1);
  g_autoptr(GPtrArray) problems = g_ptr_array_new ();

  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_strstrip (lines[i]);
      /* The loader heads its list with "FILE:"; we name the file ourselves. */
      if (*lines[i] == '\0' || (i == 0 && lines[1] != NULL && g_str_has_suffix (lines[i], ":")))
        continue;
      g_ptr_array_add (problems, lines[i]);
      g_print ("%s: %s\n", path, lines[i]);
    }

  if (problems->len > 1)
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        ngettext ("%s: %s (and %u more problem)", "%s: %s (and %u more problems)",
                                  problems->len - 1),
                        path, (const char *) g_ptr_array_index (problems, 0), problems->len - 1);
  if (problems->len == 1)
    return pa_cli_fail (PA_CLI_EXIT_FAILED, "%s: %s", path,
                        (const char *) g_ptr_array_index (problems, 0));
  return pa_cli_fail (PA_CLI_EXIT_FAILED, "%s: %s", path, error->message);
}

static gboolean
parse_command (GOptionContext  *context,
               int             *argc,
               char          ***argv,
               int              n_args,
               int             *status)
{
  g_autoptr(GError) error = NULL;

  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
      return FALSE;
    }
  if (*argc != n_args + 1)
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE,
                             n_args == 0 ? _("This command takes no arguments (try --help)")
                                         : _("Wrong number of arguments (try --help)"));
      return FALSE;
    }
  return TRUE;
}

/* ---- workflow validate -------------------------------------------------- */

static int
workflow_validate (int    argc,
                   char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_autoptr(PaActionRegistry) registry = NULL;
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (!parse_command (context, &argc, &argv, 1, &status))
    return status;

  registry = pa_action_registry_new_default ();
  workflow = pa_workflow_new_from_file (argv[1], registry, &error);
  if (workflow == NULL)
    return pa_cli_fail_validation (argv[1], error);

  g_print (ngettext ("%s: valid (%u step)\n", "%s: valid (%u steps)\n",
                     pa_workflow_get_n_steps (workflow)),
           argv[1], pa_workflow_get_n_steps (workflow));
  return PA_CLI_EXIT_OK;
}

/* ---- workflow actions --------------------------------------------------- */

static void
print_actions_json (GPtrArray *actions)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < actions->len; i++)
    {
      const PaActionInfo *info = g_ptr_array_index (actions, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "name");
      json_builder_add_string_value (builder, info->name);
      json_builder_set_member_name (builder, "platform");
      if (info->platform != NULL)
        json_builder_add_string_value (builder, info->platform);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "summary");
      json_builder_add_string_value (builder, info->summary);
      json_builder_set_member_name (builder, "compensation");
      if (info->compensation != NULL)
        json_builder_add_string_value (builder, info->compensation);
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "args");
      json_builder_begin_array (builder);
      for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
        {
          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "name");
          json_builder_add_string_value (builder, arg->name);
          json_builder_set_member_name (builder, "type");
          json_builder_add_string_value (builder, pa_arg_type_to_string (arg->type));
          json_builder_set_member_name (builder, "required");
          json_builder_add_boolean_value (builder, arg->required);
          json_builder_set_member_name (builder, "description");
          json_builder_add_string_value (builder, arg->description);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  text = json_to_string (root, TRUE);
  g_print ("%s\n", text);
}

static void
print_actions_text (GPtrArray *actions)
{
  for (guint i = 0; i < actions->len; i++)
    {
      const PaActionInfo *info = g_ptr_array_index (actions, i);

      g_print ("%s — %s\n", info->name, info->summary);
      if (info->compensation != NULL)
        g_print (_("  undone by %s when a later step fails\n"), info->compensation);
      for (const PaActionArg *arg = info->args; arg != NULL && arg->name != NULL; arg++)
        g_print ("  %-12s %-8s %-9s %s\n", arg->name, pa_arg_type_to_string (arg->type),
                 arg->required ? _("required") : "", arg->description);
    }
}

/* What `uses` can name, with the arguments `with` takes. */
static int
workflow_actions (int    argc,
                  char **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  g_autoptr(GPtrArray) actions = NULL;
  gboolean as_json = FALSE;
  GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &as_json, N_("Print JSON"), NULL },
    { NULL }
  };
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_command (context, &argc, &argv, 0, &status))
    return status;

  actions = pa_action_registry_list (registry);
  if (as_json)
    print_actions_json (actions);
  else
    print_actions_text (actions);
  return PA_CLI_EXIT_OK;
}

/* ---- waiting for runs --------------------------------------------------- */

typedef struct {
  guint      pending;
  GPtrArray *failed;   /* run ids that did not succeed */
} WaitState;

typedef struct {
  WaitState *state;
  char      *run_id;
} WaitCall;

static void
on_run_waited (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  WaitCall *call = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *status = pa_engine_wait_run_finish (PA_ENGINE (source), result, &error);

  if (g_strcmp0 (status, "succeeded") != 0)
    g_ptr_array_add (call->state->failed, g_steal_pointer (&call->run_id));

  call->state->pending--;
  g_free (call->run_id);
  g_free (call);
}

static void
wait_runs (PaEngine   *engine,
           GPtrArray  *run_ids,
           WaitState  *state)
{
  state->pending = run_ids->len;
  for (guint i = 0; i < run_ids->len; i++)
    {
      WaitCall *call = g_new0 (WaitCall, 1);

      call->state = state;
      call->run_id = g_strdup (g_ptr_array_index (run_ids, i));
      pa_engine_wait_run_async (engine, call->run_id, NULL, on_run_waited, call);
    }

  while (state->pending > 0)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_step_changed (PaEngine   *engine,
                 const char *run_id,
                 const char *step_id,
                 const char *status,
                 gpointer    user_data)
{
  const char *only = user_data;

  if (only == NULL || g_str_equal (only, run_id))
    {
      if (only == NULL)
        g_print (_("run %s: step %s: %s\n"), run_id, step_id, status);
      else
        g_print (_("step %s: %s\n"), step_id, status);
    }
}

/* The run's row, or NULL when it cannot be read. */
static PaRunRecord *
read_run (PaStore    *store,
          const char *run_id)
{
  return pa_store_get_run (store, run_id, NULL);
}

/* ---- workflow run ------------------------------------------------------- */

static int
workflow_run (const PaCliGlobals *globals,
              int                 argc,
              char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("FILE"));
  g_auto(GStrv) inputs = NULL;
  g_auto(GStrv) allow_paths = NULL;
  g_auto(GStrv) retry_unsafe = NULL;
  gint64 network_wait = -1;
  gboolean detach = FALSE;
  const GOptionEntry entries[] = {
    { "input", 0, 0, G_OPTION_ARG_STRING_ARRAY, &inputs,
      N_("A workflow input (repeatable); the value of a file input may be read by the run"),
      N_("NAME=VALUE") },
    { "allow-path", 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &allow_paths,
      N_("Let the run's steps read this folder or file (repeatable); besides the media "
         "folder and file inputs, nothing else is readable"), N_("DIR") },
    { "network-wait", 0, 0, G_OPTION_ARG_INT64, &network_wait,
      N_("How long the run may wait for the network before it fails (default 86400)"),
      N_("SECONDS") },
    { "retry-unsafe", 0, 0, G_OPTION_ARG_STRING_ARRAY, &retry_unsafe,
      N_("Let this step be sent again when its request may have been carried out "
         "(a lost connection, a server error), though its action is not idempotent "
         "(repeatable)"), N_("STEP") },
    { "detach", 0, 0, G_OPTION_ARG_NONE, &detach,
      N_("Journal the run and return; `resume` carries it out"), NULL },
    { NULL }
  };
  g_autoptr(GPtrArray) granted = g_ptr_array_new ();
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  g_auto(Session) session = { 0 };
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(JsonObject) given = json_object_new ();
  g_autoptr(JsonObject) bound = NULL;
  g_autoptr(GPtrArray) run_ids = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *run_id = NULL;
  g_autoptr(PaRunRecord) record = NULL;
  WaitState state = { 0, failed };
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  network_wait = G_MININT64;
  if (!parse_command (context, &argc, &argv, 1, &status))
    return status;
  if (network_wait != G_MININT64 && network_wait < 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("--network-wait takes a number of seconds, 0 or more (try --help)"));

  for (guint i = 0; inputs != NULL && inputs[i] != NULL; i++)
    {
      const char *eq = strchr (inputs[i], '=');
      g_autofree char *name = NULL;

      if (eq == NULL || eq == inputs[i])
        return pa_cli_fail (PA_CLI_EXIT_USAGE,
                            _("--input takes NAME=VALUE, not “%s” (try --help)"), inputs[i]);
      name = g_strndup (inputs[i], eq - inputs[i]);
      json_object_set_string_member (given, name, eq + 1);
    }

  if (!session_open (&session, globals, TRUE, &error))
    return pa_cli_fail_error (error);

  workflow = pa_workflow_new_from_file (argv[1], session.registry, &error);
  if (workflow == NULL)
    return pa_cli_fail_validation (argv[1], error);

  bound = pa_workflow_bind_inputs (workflow, given, &error);
  if (bound == NULL)
    return pa_cli_fail_validation (argv[1], error);

  /* What the user gave: the folders granted, and the files given on this
   * command line for the workflow's file inputs (not their defaults,
   * which the workflow's author chose). */
  for (guint i = 0; allow_paths != NULL && allow_paths[i] != NULL; i++)
    g_ptr_array_add (granted, allow_paths[i]);
  for (guint i = 0; i < pa_workflow_get_n_inputs (workflow); i++)
    {
      const PaWorkflowInput *input = pa_workflow_get_input (workflow, i);
      const char *value = json_object_get_string_member_with_default (given, input->name, NULL);

      if (input->type == PA_WORKFLOW_INPUT_FILE && value != NULL && *value != '\0'
          && g_file_test (value, G_FILE_TEST_EXISTS))
        g_ptr_array_add (granted, (gpointer) value);
    }
  g_ptr_array_add (granted, NULL);
  options.allowed_paths = (const char * const *) granted->pdata;
  options.retry_unsafe = (const char * const *) retry_unsafe;
  if (network_wait != G_MININT64)
    options.network_wait_s = network_wait;

  pa_engine_start_run_with_options (session.engine, workflow, bound, &options, &run_id, &error);
  if (run_id == NULL)
    return pa_cli_fail_error (error);

  g_print ("%s\n", run_id);
  if (detach)
    return PA_CLI_EXIT_OK;

  g_signal_connect (session.engine, "step-changed", G_CALLBACK (on_step_changed), run_id);
  g_ptr_array_add (run_ids, g_strdup (run_id));
  wait_runs (session.engine, run_ids, &state);

  if (failed->len == 0)
    {
      g_print (_("run %s: succeeded\n"), run_id);
      return PA_CLI_EXIT_OK;
    }

  record = read_run (session.store, run_id);
  return pa_cli_fail (PA_CLI_EXIT_FAILED, _("Run %s %s: %s"), run_id,
                      record != NULL && record->status != NULL ? record->status : "failed",
                      record != NULL && record->error != NULL
                      ? record->error : _("no cause was recorded"));
}

int
pa_cli_workflow (const PaCliGlobals *globals,
                 int                 argc,
                 char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("workflow needs validate, run or actions (try --help)"));

  if (g_str_equal (argv[1], "validate"))
    return workflow_validate (argc - 1, argv + 1);
  if (g_str_equal (argv[1], "run"))
    return workflow_run (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "actions"))
    return workflow_actions (argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown workflow command “%s” (try --help)"), argv[1]);
}

/* ---- runs --------------------------------------------------------------- */

static char *
definition_name (const char *definition)
{
  g_autoptr(JsonNode) root = NULL;

  if (definition != NULL)
    root = pa_json_parse_bounded (definition, -1, G_MAXSIZE, PA_ERROR_INVALID_INPUT,
                                  _("The workflow"), NULL);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || !json_object_has_member (json_node_get_object (root), "name"))
    return g_strdup ("?");
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "name", "?"));
}

static char *
format_time (gint64 ms)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_unix_local (ms / 1000);

  if (time == NULL)
    return g_strdup ("-");
  return g_date_time_format (time, "%Y-%m-%d %H:%M:%S");
}

int
pa_cli_runs (const PaCliGlobals *globals,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree char *status_filter = NULL;
  int limit = 20;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N runs (default 20)"), N_("N") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_filter,
      N_("Only runs with this status"), N_("STATUS") },
    { NULL }
  };
  g_auto(Session) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) runs = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!parse_command (context, &argc, &argv, 0, &status))
    return status;
  if (limit <= 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--limit takes a positive number (try --help)"));

  if (!session_open (&session, globals, FALSE, &error))
    return pa_cli_fail_error (error);

  runs = pa_store_list_runs (session.store, status_filter, (guint) limit, &error);
  if (runs == NULL)
    return pa_cli_fail_error (error);

  g_print ("%-36s  %-24s  %-10s  %s\n", _("ID"), _("WORKFLOW"), _("STATUS"), _("CREATED"));
  for (guint i = 0; i < runs->len; i++)
    {
      const PaRunRecord *run = g_ptr_array_index (runs, i);
      g_autofree char *name = definition_name (run->definition_json);
      g_autofree char *created = format_time (run->created_at);

      g_print ("%-36s  %-24s  %-10s  %s\n", run->id, name, run->status, created);
    }
  return PA_CLI_EXIT_OK;
}

/* ---- show --------------------------------------------------------------- */

/* Times are 0 until reached. */
static char *
format_duration (gint64 started_at,
                 gint64 finished_at)
{
  if (started_at == 0 || finished_at == 0)
    return g_strdup ("-");
  return g_strdup_printf ("%" G_GINT64_FORMAT " ms", finished_at - started_at);
}

int
pa_cli_show (const PaCliGlobals *globals,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("RUN"));
  g_auto(Session) session = { 0 };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) run = NULL;
  g_autoptr(GPtrArray) steps = NULL;
  g_autofree char *name = NULL;
  g_autofree char *created = NULL;
  g_autofree char *duration = NULL;
  int status;

  if (!parse_command (context, &argc, &argv, 1, &status))
    return status;
  if (!session_open (&session, globals, FALSE, &error))
    return pa_cli_fail_error (error);

  run = pa_store_get_run (session.store, argv[1], &error);
  if (run == NULL && g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        _("No run “%s” (list them with `playalter-cli runs`)"), argv[1]);
  if (run == NULL)
    return pa_cli_fail_error (error);

  name = definition_name (run->definition_json);
  created = format_time (run->created_at);
  duration = format_duration (run->started_at, run->finished_at);
  g_print (_("run:      %s\n"), run->id);
  g_print (_("workflow: %s\n"), name);
  g_print (_("status:   %s\n"), run->status);
  g_print (_("created:  %s\n"), created);
  g_print (_("duration: %s\n"), duration);
  g_print (_("inputs:   %s\n"), run->inputs_json);
  if (run->error != NULL)
    g_print (_("error:    %s\n"), run->error);

  steps = pa_store_list_steps (session.store, argv[1], &error);
  if (steps == NULL)
    return pa_cli_fail_error (error);

  g_print (_("steps:\n"));
  for (guint i = 0; i < steps->len; i++)
    {
      const PaStepRecord *step = g_ptr_array_index (steps, i);
      g_autofree char *step_duration = format_duration (step->started_at, step->finished_at);

      g_print (_("  %s: %s, attempts %d, %s\n"),
               step->step_id, step->status, step->attempts, step_duration);
      if (step->error != NULL)
        g_print (_("    error: %s\n"), step->error);
      if (step->output_json != NULL)
        g_print (_("    output: %s\n"), step->output_json);
    }
  return PA_CLI_EXIT_OK;
}

/* ---- cancel ------------------------------------------------------------- */

/* A run can only be active inside the process driving it, and this one
 * drives none: cancelling means journaling run.cancelled, which the next
 * `resume` respects. A foreground `run` in another process does not see
 * it until it restarts. */
int
pa_cli_cancel (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("RUN"));
  g_auto(Session) session = { 0 };
  g_autoptr(PaJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaRunRecord) run = NULL;
  int status;

  if (!parse_command (context, &argc, &argv, 1, &status))
    return status;
  if (!session_open (&session, globals, FALSE, &error))
    return pa_cli_fail_error (error);

  run = read_run (session.store, argv[1]);
  if (run == NULL)
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        _("No run “%s” (list them with `playalter-cli runs`)"), argv[1]);
  if (is_finished_status (run->status))
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("Run %s has already finished (%s)"),
                        argv[1], run->status);

  journal = pa_journal_new (session.store);
  if (pa_journal_append (journal, argv[1], NULL, PA_EVENT_RUN_CANCELLED, 0, NULL, 0, &error) == 0)
    return pa_cli_fail_error (error);

  g_print (_("run %s: cancelled\n"), argv[1]);
  return PA_CLI_EXIT_OK;
}

/* ---- resume ------------------------------------------------------------- */

/* The ids of the runs that have not ended, oldest first. */
static GPtrArray *
unfinished_runs (PaStore  *store,
                 GError  **error)
{
  g_autoptr(GPtrArray) runs = pa_store_list_unfinished_runs (store, error);
  GPtrArray *ids;

  if (runs == NULL)
    return NULL;
  ids = g_ptr_array_new_full (runs->len, g_free);
  for (guint i = 0; i < runs->len; i++)
    {
      PaRunRecord *run = g_ptr_array_index (runs, i);

      g_ptr_array_add (ids, g_steal_pointer (&run->id));
    }
  return ids;
}

int
pa_cli_resume (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_auto(Session) session = { 0 };
  g_autoptr(GPtrArray) run_ids = NULL;
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  WaitState state = { 0, failed };
  int status;

  if (!parse_command (context, &argc, &argv, 0, &status))
    return status;
  if (!session_open (&session, globals, TRUE, &error))
    return pa_cli_fail_error (error);

  run_ids = unfinished_runs (session.store, &error);
  if (run_ids == NULL)
    return pa_cli_fail_error (error);

  g_signal_connect (session.engine, "step-changed", G_CALLBACK (on_step_changed), NULL);
  if (!pa_engine_resume_all (session.engine, &error))
    return pa_cli_fail_error (error);

  wait_runs (session.engine, run_ids, &state);

  for (guint i = 0; i < run_ids->len; i++)
    {
      const char *id = g_ptr_array_index (run_ids, i);
      g_autoptr(PaRunRecord) run = read_run (session.store, id);

      g_print (_("run %s: %s\n"), id, run != NULL && run->status != NULL ? run->status : "?");
    }
  g_print (ngettext ("resumed %u run\n", "resumed %u runs\n", run_ids->len), run_ids->len);

  if (failed->len > 0)
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        ngettext ("%u of %u resumed run did not succeed (see `playalter-cli show %s`)",
                                  "%u of %u resumed runs did not succeed (see `playalter-cli show %s`)",
                                  run_ids->len),
                        failed->len, run_ids->len, (const char *) g_ptr_array_index (failed, 0));
  return PA_CLI_EXIT_OK;
}

/* ---- journal check ------------------------------------------------------ */

/* Prints the lines of @a missing from @b, prefixed with @mark. */
static guint
print_missing (const char *mark,
               GStrv       a,
               GStrv       b)
{
  g_autoptr(GHashTable) set = g_hash_table_new (g_str_hash, g_str_equal);
  guint n = 0;

  for (guint i = 0; b[i] != NULL; i++)
    g_hash_table_add (set, b[i]);
  for (guint i = 0; a[i] != NULL; i++)
    if (*a[i] != '\0' && *a[i] != '[' && !g_hash_table_contains (set, a[i]))
      {
        g_print ("%s %s\n", mark, a[i]);
        n++;
      }
  return n;
}

/* Rebuilds the projections from the events and compares them with what
 * was there. The rebuilt ones stay: they are the truth. */
int
pa_cli_journal (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("check"));
  g_auto(Session) session = { 0 };
  g_autoptr(PaJournal) journal = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_auto(GStrv) before_lines = NULL;
  g_auto(GStrv) after_lines = NULL;
  gint64 n_events = 0;
  guint n_stored, n_rebuilt;
  int status;

  if (argc >= 2 && !g_str_equal (argv[1], "check"))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown journal command “%s” (try --help)"), argv[1]);
  if (!parse_command (context, &argc, &argv, 1, &status))
    return status;

  if (!session_open (&session, globals, FALSE, &error))
    return pa_cli_fail_error (error);
  journal = pa_journal_new (session.store);

  before = pa_journal_dump_projections (journal, &error);
  if (before == NULL
      || !pa_journal_replay (journal, &error)
      || (after = pa_journal_dump_projections (journal, &error)) == NULL
      || (n_events = pa_store_count_events (session.store, NULL, &error)) < 0)
    return pa_cli_fail_error (error);

  if (g_str_equal (before, after))
    {
      g_print (_("journal check: %" PRId64 " events, projections match\n"), n_events);
      return PA_CLI_EXIT_OK;
    }

  before_lines = g_strsplit (before, "\n", -1);
  after_lines = g_strsplit (after, "\n", -1);
  g_print (_("Rows that differ (- was stored, + rebuilt from the journal):\n"));
  n_stored = print_missing ("-", before_lines, after_lines);
  n_rebuilt = print_missing ("+", after_lines, before_lines);

  return pa_cli_fail (PA_CLI_EXIT_FAILED,
                      _("journal check: %" PRId64 " events, projections differed "
                        "(%u stored rows, %u rebuilt rows, listed on stdout); they have been "
                        "rebuilt from the journal"),
                      n_events, n_stored, n_rebuilt);
}
