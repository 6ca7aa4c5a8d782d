/* test-cli-workflow.c — playalter-cli workflow, runs, show, cancel, resume, journal check
 *
 * SPDX-License-Identifier: MIT
 */
#include <sqlite3.h>
#include <string.h>

#include <glib/gstdio.h>

#include "playalter.h"
#include "pa-test-cli.h"

typedef struct {
  char *data_dir;
} Fixture;

static const char *THREE_SETS =
  "{\"name\": \"three-sets\", \"inputs\": {\"n\": {\"type\": \"number\", \"default\": 1}},"
  " \"steps\": ["
  "  {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"{{inputs.n}}\"}},"
  "  {\"id\": \"b\", \"uses\": \"local.set\", \"needs\": [\"a\"],"
  "   \"with\": {\"value\": {\"from_a\": \"{{steps.a.output.value}}\"}}},"
  "  {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"b\"],"
  "   \"with\": {\"value\": \"done\"}}"
  " ]}";

/* Fails for good, as a real step does: local.save of a file that does not
 * exist (no retry is asked for, so the first failure ends the run). */
static const char *FAILING =
  "{\"name\": \"failing\", \"inputs\": {\"photo\": {\"type\": \"string\"}},"
  " \"steps\": ["
  "  {\"id\": \"ok\", \"uses\": \"local.set\", \"with\": {\"value\": 1}},"
  "  {\"id\": \"boom\", \"uses\": \"local.save\", \"needs\": [\"ok\"],"
  "   \"with\": {\"path\": \"{{inputs.photo}}\"}}"
  " ]}";

/* The run id is the first line of a run's stdout. */
static char *
first_line (const char *text)
{
  const char *nl = strchr (text, '\n');

  g_assert_nonnull (nl);
  return g_strndup (text, nl - text);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  fixture->data_dir = pa_test_cli_data_dir_new ();
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  g_clear_pointer (&fixture->data_dir, pa_test_cli_data_dir_free);
}

static void
sql_exec (Fixture    *fixture,
          const char *sql)
{
  g_autofree char *path = g_build_filename (fixture->data_dir, "playalter.db", NULL);
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), >, 0);
  sqlite3_close (db);
}

/* ---- tests -------------------------------------------------------------- */

static void
test_validate (Fixture       *fixture,
               gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *good = pa_test_write_file (fixture->data_dir, "good.json", THREE_SETS);
  g_autofree char *unknown = pa_test_write_file (fixture->data_dir, "unknown.json",
    "{\"name\": \"x\", \"steps\": [{\"id\": \"a\", \"uses\": \"local.nope\"}]}");
  g_autofree char *several = pa_test_write_file (fixture->data_dir, "several.json",
    "{\"name\": \"x\", \"steps\": ["
    " {\"id\": \"a\", \"uses\": \"local.nope\"},"
    " {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": \"{{steps.zz.output}}\"}}]}");
  g_autofree char *syntax = pa_test_write_file (fixture->data_dir, "syntax.json", "{\"name\": \"x\",\n  \"steps\": [,]}");

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", good, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "valid (3 steps)"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", unknown, NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "steps[0].uses"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", several, NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "steps[0].uses"));
  g_assert_nonnull (strstr (result.err, "more problems"));
  /* Every problem is on stdout. */
  g_assert_nonnull (strstr (result.out, "steps[1].id"));
  g_assert_nonnull (strstr (result.out, "steps[0].uses"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", syntax, NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "line 2"));
}

static void
test_run_show_runs (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *good = pa_test_write_file (fixture->data_dir, "good.json", THREE_SETS);
  g_autofree char *bad = pa_test_write_file (fixture->data_dir, "bad.json", FAILING);
  g_autofree char *good_id = NULL;
  g_autofree char *bad_id = NULL;
  g_autofree char *missing = g_build_filename (fixture->data_dir, "gone", "kaboom-7731.png", NULL);
  g_autofree char *photo = g_strconcat ("photo=", missing, NULL);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--input", "n=42", NULL);
  g_assert_cmpint (result.status, ==, 0);
  good_id = first_line (result.out);
  g_assert_cmpuint (strlen (good_id), >, 0);
  g_assert_nonnull (strstr (result.out, "step a: succeeded"));
  g_assert_nonnull (strstr (result.out, "step c: succeeded"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", good_id, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "status:   succeeded"));
  g_assert_nonnull (strstr (result.out, "a: succeeded, attempts 1"));
  g_assert_nonnull (strstr (result.out, "b: succeeded, attempts 1"));
  g_assert_nonnull (strstr (result.out, "c: succeeded, attempts 1"));
  /* --input coerced the string "42" to the declared number. */
  g_assert_nonnull (strstr (result.out, "output: {\"value\":42}"));
  g_assert_nonnull (strstr (result.out, "output: {\"value\":{\"from_a\":42}}"));
  g_assert_nonnull (strstr (result.out, "output: {\"value\":\"done\"}"));

  /* A number input refuses what is not a number. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--input", "n=lots", NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "inputs.n"));
  g_assert_nonnull (strstr (result.err, "lots"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", bad, "--input", photo, NULL);
  g_assert_cmpint (result.status, ==, 1);
  bad_id = first_line (result.out);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "kaboom-7731"));
  g_assert_nonnull (strstr (result.err, bad_id));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", bad_id, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "status:   failed"));
  g_assert_nonnull (strstr (result.out, "boom: failed"));
  g_assert_nonnull (strstr (result.out, "kaboom-7731"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "runs", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, good_id));
  g_assert_nonnull (strstr (result.out, bad_id));
  g_assert_nonnull (strstr (result.out, "three-sets"));
  g_assert_nonnull (strstr (result.out, "failing"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "runs", "--status", "failed", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_null (strstr (result.out, good_id));
  g_assert_nonnull (strstr (result.out, bad_id));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "runs", "--limit", "1", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true ((strstr (result.out, good_id) == NULL) != (strstr (result.out, bad_id) == NULL));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", "no-such-run", NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
}

static void
test_detach_resume_cancel (Fixture       *fixture,
                           gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *good = pa_test_write_file (fixture->data_dir, "good.json", THREE_SETS);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--detach", NULL);
  g_assert_cmpint (result.status, ==, 0);
  first = first_line (result.out);

  /* Detached, nothing drives the run: it stays unfinished until resumed
   * (start_run may have journaled it as started already). */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", first, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (strstr (result.out, "status:   pending") != NULL
                 || strstr (result.out, "status:   running") != NULL);
  g_assert_null (strstr (result.out, ": succeeded"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "resume", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "resumed 1 run\n"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", first, NULL);
  g_assert_nonnull (strstr (result.out, "status:   succeeded"));
  g_assert_nonnull (strstr (result.out, "c: succeeded"));

  /* A finished run cannot be cancelled. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "cancel", first, NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--detach", NULL);
  g_assert_cmpint (result.status, ==, 0);
  second = first_line (result.out);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "cancel", second, NULL);
  g_assert_cmpint (result.status, ==, 0);
  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", second, NULL);
  g_assert_nonnull (strstr (result.out, "status:   cancelled"));

  /* Nothing is left to resume: the cancelled run stays cancelled. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "resume", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "resumed 0 runs"));
  pa_test_cli_run (&result, fixture->data_dir, NULL, "show", second, NULL);
  g_assert_nonnull (strstr (result.out, "status:   cancelled"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "cancel", "no-such-run", NULL);
  g_assert_cmpint (result.status, ==, 1);
}

static void
test_journal_check (Fixture       *fixture,
                    gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *good = pa_test_write_file (fixture->data_dir, "good.json", THREE_SETS);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, NULL);
  g_assert_cmpint (result.status, ==, 0);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "journal", "check", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (g_str_has_prefix (result.out, "journal check: "));
  g_assert_nonnull (strstr (result.out, "projections match"));

  sql_exec (fixture, "UPDATE steps SET status = 'x' WHERE step_id = 'b'");

  pa_test_cli_run (&result, fixture->data_dir, NULL, "journal", "check", NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "differed"));
  g_assert_nonnull (strstr (result.out, "- run_id="));
  g_assert_nonnull (strstr (result.out, "+ run_id="));
  g_assert_nonnull (strstr (result.out, "step_id=\"b\" status=\"x\""));
  g_assert_nonnull (strstr (result.out, "step_id=\"b\" status=\"succeeded\""));

  /* The first check rebuilt the projections. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "journal", "check", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "projections match"));
}

/* The example in the README's "Writing a workflow" is a valid workflow. */
static void
test_readme_example (Fixture       *fixture,
                     gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *readme_path = g_build_filename (g_getenv ("PLAYALTER_SOURCE_ROOT"), "README.md", NULL);
  g_autofree char *readme = NULL;
  g_autofree char *example = NULL;
  g_autofree char *path = NULL;
  const char *start;
  const char *end;

  g_file_get_contents (readme_path, &readme, NULL, &error);
  g_assert_no_error (error);
  start = strstr (readme, "## Writing a workflow");
  g_assert_nonnull (start);
  start = strstr (start, "```json\n");
  g_assert_nonnull (start);
  start += strlen ("```json\n");
  end = strstr (start, "```");
  g_assert_nonnull (end);
  example = g_strndup (start, end - start);
  path = pa_test_write_file (fixture->data_dir, "readme.json", example);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", path, NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (strstr (result.out, "valid (2 steps)"));
}

/* Everything `uses` may name is listed with its arguments, in text and
 * JSON, and agrees with what validation accepts. */
static void
test_actions (Fixture       *fixture,
              gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  g_autoptr(GError) error = NULL;
  const char * const required[] = {
    "stripe.payment_link", "stripe.refund", "openai.chat", "replicate.predict",
    "vercel.deploy", "n8n.webhook", "agora.token",
    "local.save", "local.wait", "local.set", NULL
  };
  JsonArray *actions;
  gboolean saw_link = FALSE;

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "actions", NULL);
  g_assert_cmpint (result.status, ==, 0);
  for (guint i = 0; required[i] != NULL; i++)
    {
      g_autofree char *heading = g_strdup_printf ("\n%s — ", required[i]);
      g_autofree char *text = g_strconcat ("\n", result.out, NULL);

      g_assert_nonnull (strstr (text, heading));
    }
  /* The failing action of the tests is not the product's. */
  g_assert_null (strstr (result.out, "local.fail"));
  g_assert_nonnull (strstr (result.out, "undone by stripe.deactivate_payment_link"));
  g_assert_true (g_regex_match_simple ("\n  price +string +required +", result.out, 0, 0));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "actions", "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (json_parser_load_from_data (parser, result.out, -1, &error));
  g_assert_no_error (error);
  actions = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (actions), >=, g_strv_length ((char **) required));
  for (guint i = 0; i < json_array_get_length (actions); i++)
    {
      JsonObject *action = json_array_get_object_element (actions, i);
      const char *name = json_object_get_string_member (action, "name");
      JsonArray *args = json_object_get_array_member (action, "args");
      const PaActionInfo *info = pa_action_registry_lookup (registry, name);
      guint n_args = 0;

      g_assert_nonnull (info);
      while (info->args != NULL && info->args[n_args].name != NULL)
        n_args++;
      g_assert_cmpuint (json_array_get_length (args), ==, n_args);
      if (g_str_equal (name, "stripe.payment_link"))
        {
          JsonObject *price = json_array_get_object_element (args, 0);

          saw_link = TRUE;
          g_assert_cmpstr (json_object_get_string_member (action, "compensation"),
                           ==, "stripe.deactivate_payment_link");
          g_assert_cmpstr (json_object_get_string_member (price, "name"), ==, "price");
          g_assert_cmpstr (json_object_get_string_member (price, "type"), ==, "string");
          g_assert_true (json_object_get_boolean_member (price, "required"));
        }
    }
  g_assert_true (saw_link);
}

static void
test_usage (Fixture       *fixture,
            gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  const char * const cases[][4] = {
    { "workflow", NULL },
    { "workflow", "frobnicate", NULL },
    { "workflow", "validate", NULL },
    { "workflow", "run", NULL },
    { "workflow", "run", "a.json", "--input" },
    { "runs", "--limit", "0", NULL },
    { "runs", "extra", NULL },
    { "show", NULL },
    { "cancel", NULL },
    { "resume", "extra", NULL },
    { "journal", NULL },
    { "journal", "fix", NULL },
    { "workflow", "actions", "extra", NULL },
    { "workflow", "actions", "--yaml", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      pa_test_cli_run (&result, fixture->data_dir, NULL, cases[i][0], cases[i][1], cases[i][2], cases[i][3], NULL);
      g_assert_cmpint (result.status, ==, 2);
      pa_test_assert_one_line (result.err);
    }

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", "x.json", "--input", "novalue", NULL);
  g_assert_cmpint (result.status, ==, 2);
}

/* A step reads only what the user approved on the command line; a
 * detached run keeps its grants until `resume` carries it out. */
static void
test_file_grants (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *folder = g_build_filename (fixture->data_dir, "shared", NULL);
  g_autofree char *face = NULL;
  g_autofree char *save_json = NULL;
  g_autofree char *save = NULL;
  g_autofree char *typed = NULL;
  g_autofree char *resumed = NULL;
  g_autofree char *photo = NULL;
  g_autofree char *detached_id = NULL;

  g_assert_cmpint (g_mkdir_with_parents (folder, 0700), ==, 0);
  face = pa_test_write_file (folder, "face.png", "not really a png");
  save_json = g_strdup_printf ("{\"name\": \"save\", \"steps\": [{\"id\": \"save\","
                               " \"uses\": \"local.save\", \"with\": {\"path\": \"%s\"}}]}",
                               face);
  save = pa_test_write_file (fixture->data_dir, "save.json", save_json);
  typed = pa_test_write_file (fixture->data_dir, "typed.json",
    "{\"name\": \"typed\", \"inputs\": {\"photo\": {\"type\": \"file\"}},"
    " \"steps\": [{\"id\": \"save\", \"uses\": \"local.save\","
    " \"with\": {\"path\": \"{{inputs.photo}}\"}}]}");
  photo = g_strconcat ("photo=", face, NULL);

  /* Not granted: refused, by name, with the way to grant it. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", save, NULL);
  g_assert_cmpint (result.status, ==, 1);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, face));
  g_assert_nonnull (strstr (result.err, "--allow-path"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", save,
                   "--allow-path", folder, NULL);
  g_assert_cmpint (result.status, ==, 0);

  /* A file given for a file input is the user's choice. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", typed,
                   "--input", photo, NULL);
  g_assert_cmpint (result.status, ==, 0);

  /* Kept with the run: `resume` reads what `run` was allowed to. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", save, "--detach",
                   "--allow-path", folder, NULL);
  g_assert_cmpint (result.status, ==, 0);
  detached_id = first_line (result.out);
  pa_test_cli_run (&result, fixture->data_dir, NULL, "resume", NULL);
  g_assert_cmpint (result.status, ==, 0);
  resumed = g_strdup_printf ("run %s: succeeded", detached_id);
  g_assert_nonnull (strstr (result.out, resumed));

  /* A place that is not there cannot be granted. */
  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", save,
                   "--allow-path", "/no/such/folder", NULL);
  g_assert_cmpint (result.status, !=, 0);
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "/no/such/folder"));
}

/* The options of a run are checked before it starts; a workflow file
 * nested deep enough to crash a parser is refused, naming the file. */
static void
test_run_options (Fixture       *fixture,
                  gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autofree char *good = pa_test_write_file (fixture->data_dir, "good.json", THREE_SETS);
  g_autofree char *nested = g_strnfill (200000, '[');
  g_autofree char *deep = pa_test_write_file (fixture->data_dir, "deep.json", nested);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--input", "n=1",
                   "--network-wait", "-5", NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, "--network-wait"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--input", "n=1",
                   "--retry-unsafe", "nope", NULL);
  g_assert_cmpint (result.status, !=, 0);
  g_assert_nonnull (strstr (result.err, "nope"));

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "run", good, "--input", "n=1",
                   "--network-wait", "60", "--retry-unsafe", "a", NULL);
  g_assert_cmpint (result.status, ==, 0);

  pa_test_cli_run (&result, fixture->data_dir, NULL, "workflow", "validate", deep, NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "deep.json"));
  g_assert_nonnull (strstr (result.err, "levels deep"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/workflow/validate", Fixture, NULL,
              fixture_set_up, test_validate, fixture_tear_down);
  g_test_add ("/cli/workflow/run-show-runs", Fixture, NULL,
              fixture_set_up, test_run_show_runs, fixture_tear_down);
  g_test_add ("/cli/workflow/detach-resume-cancel", Fixture, NULL,
              fixture_set_up, test_detach_resume_cancel, fixture_tear_down);
  g_test_add ("/cli/workflow/journal-check", Fixture, NULL,
              fixture_set_up, test_journal_check, fixture_tear_down);
  g_test_add ("/cli/workflow/readme-example", Fixture, NULL,
              fixture_set_up, test_readme_example, fixture_tear_down);
  g_test_add ("/cli/workflow/actions", Fixture, NULL,
              fixture_set_up, test_actions, fixture_tear_down);
  g_test_add ("/cli/workflow/usage", Fixture, NULL,
              fixture_set_up, test_usage, fixture_tear_down);
  g_test_add ("/cli/workflow/file-grants", Fixture, NULL,
              fixture_set_up, test_file_grants, fixture_tear_down);
  g_test_add ("/cli/workflow/run-options", Fixture, NULL,
              fixture_set_up, test_run_options, fixture_tear_down);

  return g_test_run ();
}
