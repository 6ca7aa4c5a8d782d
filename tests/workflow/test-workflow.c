/* test-workflow.c — parsing and validating workflow definitions, binding inputs
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "pa-action.h"
#include "pa-error.h"
#include "pa-limits.h"
#include "pa-workflow.h"

static PaActionRegistry *registry;

static const char valid_json[] =
  "{\n"
  "  \"name\": \"demo\",\n"
  "  \"inputs\": {\n"
  "    \"price\": {\"type\": \"string\"},\n"
  "    \"count\": {\"type\": \"number\", \"default\": 2},\n"
  "    \"loud\": {\"type\": \"boolean\", \"required\": false},\n"
  "    \"photo\": {\"type\": \"file\", \"description\": \"a picture\"}\n"
  "  },\n"
  "  \"steps\": [\n"
  "    {\"id\": \"a\", \"uses\": \"local.set\", \"with\": {\"value\": {\"n\": \"{{inputs.count}}\"}}},\n"
  "    {\"id\": \"c\", \"uses\": \"local.set\", \"needs\": [\"b\"],\n"
  "     \"with\": {\"value\": \"{{steps.a.output.value.n}} and {{steps.b.output.url}}\"}},\n"
  "    {\"id\": \"b\", \"uses\": \"stripe.payment_link\", \"needs\": [\"a\"],\n"
  "     \"with\": {\"price\": \"{{inputs.price}}\", \"quantity\": \"{{steps.a.output.value.n}}\"},\n"
  "     \"retry\": {\"max_attempts\": 4, \"backoff_s\": 1.5}, \"timeout_s\": 30,\n"
  "     \"compensate\": {\"uses\": \"stripe.deactivate_payment_link\",\n"
  "                    \"with\": {\"id\": \"{{steps.b.output.id}}\"}}},\n"
  "    {\"id\": \"d\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}}\n"
  "  ]\n"
  "}\n";

static PaWorkflow *
load_valid (void)
{
  g_autoptr(GError) error = NULL;
  PaWorkflow *workflow = pa_workflow_new_from_data (valid_json, -1, registry, &error);

  g_assert_no_error (error);
  g_assert_nonnull (workflow);
  return workflow;
}

static void
assert_contains (const char *haystack,
                 const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

/* Replaces the first @from in the valid definition by @to and returns the
 * error message of loading it. */
static char *
load_error (const char *json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (json, -1, registry, &error);

  g_assert_null (workflow);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  return g_strdup (error->message);
}

static char *
edited (const char *from,
        const char *to)
{
  const char *at = strstr (valid_json, from);

  g_assert_nonnull (at);
  return g_strdup_printf ("%.*s%s%s", (int) (at - valid_json), valid_json, to, at + strlen (from));
}

static void
test_valid (void)
{
  g_autoptr(PaWorkflow) workflow = load_valid ();
  g_autoptr(PaWorkflow) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;
  const PaWorkflowStep *step;
  const PaWorkflowInput *input;
  GPtrArray *order;

  g_assert_cmpstr (pa_workflow_get_name (workflow), ==, "demo");
  g_assert_cmpuint (pa_workflow_get_n_inputs (workflow), ==, 4);
  input = pa_workflow_lookup_input (workflow, "count");
  g_assert_cmpint (input->type, ==, PA_WORKFLOW_INPUT_NUMBER);
  g_assert_false (input->required);
  g_assert_cmpint (json_node_get_int (input->default_value), ==, 2);
  g_assert_true (pa_workflow_lookup_input (workflow, "price")->required);
  g_assert_cmpstr (pa_workflow_get_input (workflow, 3)->description, ==, "a picture");

  g_assert_cmpuint (pa_workflow_get_n_steps (workflow), ==, 4);
  step = pa_workflow_lookup_step (workflow, "b");
  g_assert_true (step == pa_workflow_get_step (workflow, 2));
  g_assert_cmpstr (step->uses, ==, "stripe.payment_link");
  g_assert_cmpint (step->max_attempts, ==, 4);
  g_assert_cmpfloat (step->backoff_s, ==, 1.5);
  g_assert_cmpfloat (step->timeout_s, ==, 30);
  g_assert_cmpstr (step->compensate_uses, ==, "stripe.deactivate_payment_link");
  g_assert_nonnull (step->compensate_with);
  g_assert_cmpstrv (step->needs, ((const char * const[]) { "a", NULL }));
  step = pa_workflow_lookup_step (workflow, "d");
  g_assert_cmpint (step->max_attempts, ==, 1);
  g_assert_cmpuint (g_strv_length (step->needs), ==, 0);
  g_assert_null (step->compensate_uses);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (step->with));

  /* Dependencies first; otherwise the order of the file. */
  order = pa_workflow_get_order (workflow);
  g_assert_cmpuint (order->len, ==, 4);
  g_assert_cmpstr (((PaWorkflowStep *) order->pdata[0])->id, ==, "a");
  g_assert_cmpstr (((PaWorkflowStep *) order->pdata[1])->id, ==, "b");
  g_assert_cmpstr (((PaWorkflowStep *) order->pdata[2])->id, ==, "c");
  g_assert_cmpstr (((PaWorkflowStep *) order->pdata[3])->id, ==, "d");

  /* The canonical text loads to the same workflow and is stable. */
  json = pa_workflow_to_json (workflow);
  again = pa_workflow_new_from_data (json, -1, registry, &error);
  g_assert_no_error (error);
  json_again = pa_workflow_to_json (again);
  g_assert_cmpstr (json, ==, json_again);
  g_assert_null (strchr (json, '\n'));
}

static void
test_each_error (void)
{
  static const struct {
    const char *from;
    const char *to;
    const char *message;
  } cases[] = {
    { "\"name\": \"demo\"", "\"name\": 3", "name: must be a non-empty string, not a number" },
    { "\"name\": \"demo\",", "", "name: missing" },
    { "\"name\": \"demo\"", "\"name\": \"demo\", \"color\": 1", "color: unknown field" },
    { "{\"type\": \"string\"}", "{\"type\": \"text\"}", "inputs.price.type: unknown type “text”" },
    { "{\"type\": \"string\"}", "{}", "inputs.price.type: missing" },
    { "\"default\": 2", "\"default\": \"two\"", "inputs.count.default: is a string, but the input is a number" },
    { "\"required\": false", "\"required\": \"no\"", "inputs.loud.required: must be true or false" },
    { "{\"type\": \"string\"}", "{\"type\": \"string\", \"hint\": 1}", "inputs.price.hint: unknown field" },
    { "\"id\": \"d\", \"uses\": \"local.wait\"", "\"uses\": \"local.wait\"", "steps[3].id: missing" },
    { "\"id\": \"d\"", "\"id\": \"d d\"", "steps[3].id: “d d”: an id may hold only" },
    { "\"stripe.payment_link\"", "\"stripe.paymnt_link\"", "steps[2].uses: unknown action “stripe.paymnt_link”" },
    { "\"id\": \"d\", \"uses\": \"local.wait\"", "\"id\": \"d\"", "steps[3].uses: missing" },
    { "\"id\": \"d\"", "\"id\": \"a\"", "steps[3].id: duplicate step id “a”, also used by steps[0]" },
    { "\"with\": {\"seconds\": 1}", "\"with\": {}", "steps[3].with.seconds: required argument is missing" },
    { "\"with\": {\"seconds\": 1}", "\"with\": {\"seconds\": \"soon\"}", "steps[3].with.seconds: must be" },
    { "\"with\": {\"seconds\": 1}", "\"with\": {\"seconds\": 1, \"minutes\": 2}", "steps[3].with.minutes: local.wait takes no such argument" },
    { "\"with\": {\"seconds\": 1}", "\"with\": [1]", "steps[3].with: must be an object" },
    { "\"quantity\": \"{{steps.a.output.value.n}}\"", "\"quantity\": \"{{steps.a.output.value.n}}\", \"metadata\": \"{{inputs.price}}\"", NULL },
    { "{{inputs.price}}", "{{inputs.prize}}", "steps[2].with.price: {{inputs.prize}}: there is no input named “prize”" },
    { "{{steps.b.output.url}}", "{{steps.z.output.url}}", "steps[1].with.value: {{steps.z.output.url}}: there is no step with id “z”" },
    { "{{steps.b.output.url}}", "{{steps.d.output.url}}", "steps[1].with.value: {{steps.d.output.url}}: step “d” is not in the needs of step “c”" },
    { "{{inputs.count}}", "{{steps.a.output}}", "steps[0].with.value: {{steps.a.output}}: a step cannot use its own output" },
    { "{{inputs.count}}", "{{inputs.count", "steps[0].with.value: “{{inputs.count”: “{{” is not closed" },
    { "{{inputs.count}}", "{{ }}", "steps[0].with.value: “{{}}”: empty expression" },
    { "{{steps.a.output.value.n}} and", "{{steps.a.output.value[n]}} and", "steps[1].with.value: “{{steps.a.output.value[n]}}”: bad index" },
    { "\"needs\": [\"b\"]", "\"needs\": [\"q\"]", "steps[1].needs[0]: there is no step with id “q”" },
    { "\"needs\": [\"b\"]", "\"needs\": \"b\"", "steps[1].needs: must be an array of step ids" },
    { "\"needs\": [\"b\"]", "\"needs\": [\"b\", 4]", "steps[1].needs[1]: must be a step id, not a number" },
    { "\"max_attempts\": 4", "\"max_attempts\": 0", "steps[2].retry.max_attempts: must be a whole number from 1 to 100" },
    { "\"max_attempts\": 4", "\"max_attempts\": 2.5", "steps[2].retry.max_attempts: must be a whole number" },
    { "\"backoff_s\": 1.5", "\"backoff_s\": -1", "steps[2].retry.backoff_s: must be a number of seconds" },
    { "\"backoff_s\": 1.5", "\"backoff\": 1.5", "steps[2].retry.backoff: unknown field" },
    { "\"timeout_s\": 30", "\"timeout_s\": 0", "steps[2].timeout_s: must be a number of seconds above 0" },
    { "\"uses\": \"stripe.deactivate_payment_link\"", "\"uses\": \"stripe.undo\"", "steps[2].compensate.uses: unknown action “stripe.undo”" },
    { "{{steps.b.output.id}}", "{{steps.c.output.id}}", "steps[2].compensate.with.id: {{steps.c.output.id}}: step “c” is not in the needs of step “b”" },
    { "\"with\": {\"id\": \"{{steps.b.output.id}}\"}", "\"with\": {}", "steps[2].compensate.with.id: required argument is missing" },
    { "\"timeout_s\": 30", "\"timeout_s\": 30, \"when\": 1", "steps[2].when: unknown field" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *json = edited (cases[i].from, cases[i].to);
      g_autofree char *message = NULL;

      g_test_message ("case %u: %s", i, cases[i].to);
      if (cases[i].message == NULL)
        {
          /* A whole expression of unknown type is fine for an object
           * argument: its value is only known when the step runs. */
          g_autoptr(GError) error = NULL;
          g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (json, -1, registry, &error);

          g_assert_no_error (error);
          continue;
        }
      message = load_error (json);
      assert_contains (message, cases[i].message);
      /* Exactly one problem: one line. */
      if (strchr (message, '\n') != NULL)
        g_error ("more than one problem: %s", message);
    }
}

static void
test_several_errors (void)
{
  g_autofree char *message = load_error (
    "{\"name\": \"x\", \"steps\": [\n"
    "  {\"id\": \"a\", \"uses\": \"nope.nothing\"},\n"
    "  {\"id\": \"a\", \"uses\": \"local.wait\", \"with\": {}},\n"
    "  {\"id\": \"c\", \"uses\": \"local.set\", \"with\": {\"value\": \"{{inputs.gone}}\"},"
    "   \"retry\": {\"max_attempts\": -1}}\n"
    "]}");
  g_auto(GStrv) lines = g_strsplit (message, "\n", -1);

  g_assert_cmpuint (g_strv_length (lines), ==, 5);
  assert_contains (message, "steps[0].uses: unknown action “nope.nothing”");
  assert_contains (message, "steps[1].id: duplicate step id “a”");
  assert_contains (message, "steps[1].with.seconds: required argument is missing");
  assert_contains (message, "steps[2].with.value: {{inputs.gone}}: there is no input named “gone”");
  assert_contains (message, "steps[2].retry.max_attempts: must be a whole number");
}

static void
test_syntax_error (void)
{
  g_autofree char *message = load_error ("{\n  \"name\": \"x\",\n  \"steps\" []\n}\n");
  g_autofree char *empty = load_error ("");
  g_autofree char *array = load_error ("[1]");
  g_autofree char *no_steps = load_error ("{\"name\": \"x\", \"steps\": []}");

  assert_contains (message, "line 3, column 9:");
  assert_contains (message, "expected character `:'");
  g_assert_null (strstr (message, "<data>"));
  assert_contains (empty, "(definition): a workflow must be a JSON object, not empty text");
  assert_contains (array, "(definition): a workflow must be a JSON object, not an array");
  assert_contains (no_steps, "steps: must be an array of at least one step, not empty");
}

/* A workflow file is shared: its size, nesting and number of steps are
 * bounded before anything else reads it. */
static void
test_limits (void)
{
  g_autoptr(GString) deep = g_string_new ("{\"name\": \"x\", \"steps\": ");
  g_autoptr(GString) many = g_string_new ("{\"name\": \"x\", \"steps\": [");
  g_autoptr(GString) big = g_string_new ("{\"name\": \"x\", \"steps\": [], \"pad\": \"");
  g_autofree char *deep_message = NULL;
  g_autofree char *many_message = NULL;
  g_autofree char *big_message = NULL;
  g_autofree char *dir = g_dir_make_tmp ("test-workflow-XXXXXX", NULL);
  g_autofree char *big_path = g_build_filename (dir, "big.json", NULL);
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(GError) error = NULL;

  /* json-glib would overflow the stack on this. */
  for (guint i = 0; i < 100000; i++)
    g_string_append_c (deep, '[');
  deep_message = load_error (deep->str);
  assert_contains (deep_message, "The workflow nests arrays or objects more than 512 levels deep");

  for (guint i = 0; i <= PA_LIMIT_WORKFLOW_STEPS; i++)
    g_string_append_printf (many, "%s{\"id\": \"s%u\", \"uses\": \"local.set\", "
                            "\"with\": {\"value\": 1}}", i > 0 ? "," : "", i);
  g_string_append (many, "]}");
  many_message = load_error (many->str);
  assert_contains (many_message, "steps: has 501 steps; a workflow may have at most 500");

  while (big->len <= PA_LIMIT_WORKFLOW_FILE_BYTES)
    g_string_append (big, "xxxxxxxxxxxxxxxx");
  g_string_append (big, "\"}");
  big_message = load_error (big->str);
  assert_contains (big_message, "The workflow is too large");

  /* From a file, the message names it; and the file is not read past the
   * limit (/dev/zero would never end). */
  g_assert_true (g_file_set_contents (big_path, big->str, big->len, NULL));
  workflow = pa_workflow_new_from_file (big_path, registry, &error);
  g_assert_null (workflow);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  assert_contains (error->message, big_path);
  assert_contains (error->message, "too large");
  g_clear_error (&error);
  workflow = pa_workflow_new_from_file ("/dev/zero", registry, &error);
  g_assert_null (workflow);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  assert_contains (error->message, "too large");

  g_unlink (big_path);
  g_rmdir (dir);
}

static void
test_cycle (void)
{
  g_autofree char *message = load_error (
    "{\"name\": \"x\", \"steps\": [\n"
    "  {\"id\": \"start\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}},\n"
    "  {\"id\": \"a\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}, \"needs\": [\"start\", \"c\"]},\n"
    "  {\"id\": \"b\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}, \"needs\": [\"a\"]},\n"
    "  {\"id\": \"c\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}, \"needs\": [\"b\"]}\n"
    "]}");
  g_autofree char *self_loop = load_error (
    "{\"name\": \"x\", \"steps\": [\n"
    "  {\"id\": \"a\", \"uses\": \"local.wait\", \"with\": {\"seconds\": 1}, \"needs\": [\"a\"]}\n"
    "]}");

  assert_contains (message, "steps[1].needs: cycle in needs: a → c → b → a");
  assert_contains (self_loop, "steps[0].needs: cycle in needs: a → a");
}

static void
test_bind_inputs (void)
{
  g_autoptr(PaWorkflow) workflow = load_valid ();
  g_autoptr(JsonObject) given = json_object_new ();
  g_autoptr(JsonObject) bound = NULL;
  g_autoptr(JsonObject) bad = json_object_new ();
  g_autoptr(GError) error = NULL;

  /* As the command line gives them: strings. */
  json_object_set_string_member (given, "price", "price_123");
  json_object_set_string_member (given, "photo", "/tmp/a.png");
  bound = pa_workflow_bind_inputs (workflow, given, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (bound, "price"), ==, "price_123");
  g_assert_cmpint (json_object_get_int_member (bound, "count"), ==, 2);
  g_assert_true (json_object_get_null_member (bound, "loud"));
  g_assert_cmpstr (json_object_get_string_member (bound, "photo"), ==, "/tmp/a.png");
  g_clear_pointer (&bound, json_object_unref);

  json_object_set_string_member (given, "count", "7");
  json_object_set_string_member (given, "loud", "yes");
  bound = pa_workflow_bind_inputs (workflow, given, &error);
  g_assert_no_error (error);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (bound, "count")), ==, G_TYPE_INT64);
  g_assert_cmpint (json_object_get_int_member (bound, "count"), ==, 7);
  g_assert_true (json_object_get_boolean_member (bound, "loud"));
  g_clear_pointer (&bound, json_object_unref);

  json_object_set_string_member (given, "count", "2.25");
  json_object_set_boolean_member (given, "loud", FALSE);
  bound = pa_workflow_bind_inputs (workflow, given, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (json_object_get_double_member (bound, "count"), ==, 2.25);
  g_assert_false (json_object_get_boolean_member (bound, "loud"));
  g_clear_pointer (&bound, json_object_unref);

  /* Every problem at once. */
  json_object_set_string_member (bad, "count", "many");
  json_object_set_string_member (bad, "loud", "perhaps");
  json_object_set_int_member (bad, "photo", 3);
  json_object_set_string_member (bad, "colour", "red");
  bound = pa_workflow_bind_inputs (workflow, bad, &error);
  g_assert_null (bound);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  assert_contains (error->message, "inputs.colour: the workflow has no such input");
  assert_contains (error->message, "inputs.count: “many” is not a number");
  assert_contains (error->message, "inputs.loud: “perhaps” is not true or false");
  assert_contains (error->message, "inputs.photo: is a number, but the input is a file");
  assert_contains (error->message, "inputs.price: missing; give it with --input price=VALUE");
  g_clear_error (&error);

  bound = pa_workflow_bind_inputs (workflow, NULL, &error);
  g_assert_null (bound);
  assert_contains (error->message, "inputs.price: missing");
  assert_contains (error->message, "inputs.photo: missing");
}

static char *
example_path (const char *name)
{
  const char *root = g_getenv ("PLAYALTER_SOURCE_ROOT");

  if (root != NULL)
    return g_build_filename (root, "resources", "workflows", name, NULL);
  return g_test_build_filename (G_TEST_DIST, "..", "..", "resources", "workflows", name, NULL);
}

static void
test_examples (void)
{
  static const char * const names[] = { "faceswap-sell-notify.json", "caption-publish.json" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = example_path (names[i]);
      g_autoptr(GError) error = NULL;
      g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_file (path, registry, &error);
      g_autoptr(PaWorkflow) again = NULL;
      g_autofree char *json = NULL;

      g_assert_no_error (error);
      g_assert_nonnull (workflow);
      g_assert_cmpuint (pa_workflow_get_order (workflow)->len, ==, pa_workflow_get_n_steps (workflow));
      json = pa_workflow_to_json (workflow);
      again = pa_workflow_new_from_data (json, -1, registry, &error);
      g_assert_no_error (error);
    }

  /* The sale is undone by deactivating its link when a later step fails. */
  {
    g_autofree char *path = example_path ("faceswap-sell-notify.json");
    g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_file (path, registry, NULL);

    g_assert_nonnull (workflow);
    g_assert_cmpstr (pa_workflow_lookup_step (workflow, "sell")->compensate_uses, ==,
                     "stripe.deactivate_payment_link");
    g_assert_true (pa_workflow_lookup_input (workflow, "amount")->required);
    g_assert_cmpstr (pa_workflow_lookup_step (workflow, "sell")->uses, ==, "stripe.sell");
  }
}

static void
test_missing_file (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_file ("no-such-dir/none.json", registry, &error);

  g_assert_null (workflow);
  g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  g_test_init (&argc, &argv, NULL);
  registry = pa_action_registry_new_default ();

  g_test_add_func ("/workflow/valid", test_valid);
  g_test_add_func ("/workflow/each-error", test_each_error);
  g_test_add_func ("/workflow/several-errors", test_several_errors);
  g_test_add_func ("/workflow/syntax-error", test_syntax_error);
  g_test_add_func ("/workflow/limits", test_limits);
  g_test_add_func ("/workflow/cycle", test_cycle);
  g_test_add_func ("/workflow/bind-inputs", test_bind_inputs);
  g_test_add_func ("/workflow/examples", test_examples);
  g_test_add_func ("/workflow/missing-file", test_missing_file);

  status = g_test_run ();
  g_object_unref (registry);
  return status;
}
