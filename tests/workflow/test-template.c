/* test-template.c — template expressions: typed values, text, paths, errors
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-template.h"

typedef struct {
  JsonObject *inputs;
  GHashTable *outputs;
} Fixture;

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static void
fixture_setup (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(JsonNode) inputs = parse ("{\"name\": \"Ada\", \"price\": 12.5, \"count\": 3,"
                                      " \"flag\": true, \"none\": null}");

  fixture->inputs = json_object_ref (json_node_get_object (inputs));
  fixture->outputs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                            (GDestroyNotify) json_node_unref);
  g_hash_table_insert (fixture->outputs, g_strdup ("swap"),
                       parse ("{\"url\": \"https://x/y.png\", \"images\": [\"a.png\", \"b.png\"],"
                              " \"meta\": {\"size\": {\"w\": 512}, \"tags\": [{\"t\": \"x\"}]},"
                              " \"ratio\": 0.1, \"whole\": 3.0}"));
}

static void
fixture_teardown (Fixture       *fixture,
                  gconstpointer  data)
{
  json_object_unref (fixture->inputs);
  g_hash_table_unref (fixture->outputs);
}

static JsonNode *
resolve (Fixture    *fixture,
         const char *json)
{
  g_autoptr(JsonNode) node = parse (json);
  g_autoptr(GError) error = NULL;
  JsonNode *result = pa_template_resolve (node, fixture->inputs, fixture->outputs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
assert_resolves_to (Fixture    *fixture,
                    const char *json,
                    const char *expected)
{
  g_autoptr(JsonNode) result = resolve (fixture, json);
  g_autofree char *text = json_to_string (result, FALSE);
  g_autoptr(JsonNode) want = parse (expected);
  g_autofree char *want_text = json_to_string (want, FALSE);

  g_assert_cmpstr (text, ==, want_text);
}

static void
assert_fails (Fixture    *fixture,
              const char *json,
              const char *message)
{
  g_autoptr(JsonNode) node = parse (json);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) result = pa_template_resolve (node, fixture->inputs, fixture->outputs,
                                                    &error);

  g_assert_null (result);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  if (strstr (error->message, message) == NULL)
    g_error ("“%s” does not contain “%s”", error->message, message);
}

/* Copies are counted as they are made: naming a 1 MB output five times
 * is refused, whether as values or inside one string, before the 5 MB
 * tree exists; a 2 MB one is fine. */
static void
test_size_limit (Fixture       *fixture,
                 gconstpointer  data)
{
  g_autofree char *mega = g_strnfill (1024 * 1024, 'x');
  JsonNode *big = json_node_new (JSON_NODE_VALUE);
  g_autoptr(JsonNode) two = NULL;

  json_node_set_string (big, mega);
  g_hash_table_insert (fixture->outputs, g_strdup ("big"), big);

  two = resolve (fixture, "[\"{{steps.big.output}}\", \"{{steps.big.output}}\"]");
  g_assert_cmpuint (json_array_get_length (json_node_get_array (two)), ==, 2);
  assert_fails (fixture,
                "[\"{{steps.big.output}}\", \"{{steps.big.output}}\", \"{{steps.big.output}}\","
                " \"{{steps.big.output}}\", \"{{steps.big.output}}\"]",
                "PA_LIMIT_RESOLVED_ARGUMENTS_BYTES");
  assert_fails (fixture,
                "{\"s\": \"{{steps.big.output}}{{steps.big.output}}{{steps.big.output}}"
                "{{steps.big.output}}{{steps.big.output}}\"}",
                "PA_LIMIT_RESOLVED_ARGUMENTS_BYTES");
  g_assert_cmpuint (pa_template_node_size (big, 10), >, 10);
  g_assert_cmpuint (pa_template_node_size (big, G_MAXSIZE), ==, 1024 * 1024 + 2);
}

static void
test_typed (Fixture       *fixture,
            gconstpointer  data)
{
  assert_resolves_to (fixture, "\"{{inputs.price}}\"", "12.5");
  assert_resolves_to (fixture, "\"{{inputs.count}}\"", "3");
  assert_resolves_to (fixture, "\"{{inputs.flag}}\"", "true");
  assert_resolves_to (fixture, "\"{{inputs.none}}\"", "null");
  assert_resolves_to (fixture, "\"{{ steps.swap.output.images }}\"", "[\"a.png\",\"b.png\"]");
  assert_resolves_to (fixture, "\"{{steps.swap.output.meta.size}}\"", "{\"w\":512}");
  assert_resolves_to (fixture, "\"{{steps.swap.output}}\"",
                      "{\"url\":\"https://x/y.png\",\"images\":[\"a.png\",\"b.png\"],"
                      "\"meta\":{\"size\":{\"w\":512},\"tags\":[{\"t\":\"x\"}]},"
                      "\"ratio\":0.1,\"whole\":3.0}");
  /* Non-string values and plain strings pass through unchanged. */
  assert_resolves_to (fixture, "[1, false, null, \"plain } {\"]", "[1,false,null,\"plain } {\"]");
}

static void
test_embedded (Fixture       *fixture,
               gconstpointer  data)
{
  assert_resolves_to (fixture, "\"Hi {{inputs.name}}!\"", "\"Hi Ada!\"");
  assert_resolves_to (fixture, "\"{{inputs.price}} EUR\"", "\"12.5 EUR\"");
  assert_resolves_to (fixture, "\"n={{inputs.count}} w={{steps.swap.output.whole}}\"",
                      "\"n=3 w=3\"");
  assert_resolves_to (fixture, "\"r={{steps.swap.output.ratio}}\"", "\"r=0.1\"");
  assert_resolves_to (fixture, "\"{{inputs.flag}}/{{inputs.none}}\"", "\"true/null\"");
  assert_resolves_to (fixture, "\"size: {{steps.swap.output.meta.size}}\"",
                      "\"size: {\\\"w\\\":512}\"");
  assert_resolves_to (fixture, "\"{{inputs.name}}{{inputs.name}}\"", "\"AdaAda\"");
}

static void
test_paths (Fixture       *fixture,
            gconstpointer  data)
{
  assert_resolves_to (fixture, "\"{{steps.swap.output.images[1]}}\"", "\"b.png\"");
  assert_resolves_to (fixture, "\"{{steps.swap.output.meta.tags[0].t}}\"", "\"x\"");
  assert_resolves_to (fixture, "\"{{  steps.swap.output.meta.size.w  }}\"", "512");
  assert_resolves_to (fixture,
                      "{\"a\": {\"b\": [\"{{inputs.count}}\", \"x{{inputs.count}}\"]}, \"c\": 2}",
                      "{\"a\":{\"b\":[3,\"x3\"]},\"c\":2}");
}

static void
test_escape (Fixture       *fixture,
             gconstpointer  data)
{
  assert_resolves_to (fixture, "\"\\\\{{inputs.name}}\"", "\"{{inputs.name}}\"");
  assert_resolves_to (fixture, "\"a \\\\{{ b {{inputs.name}}\"", "\"a {{ b Ada\"");
  assert_resolves_to (fixture, "\"back\\\\slash\"", "\"back\\\\slash\"");
  g_assert_false (pa_template_has_expression ("\\{{inputs.name}}"));
  g_assert_true (pa_template_has_expression ("x {{inputs.name}}"));
}

static void
test_resolve_errors (Fixture       *fixture,
                     gconstpointer  data)
{
  assert_fails (fixture, "\"{{inputs.missing}}\"", "inputs.missing: there is no input named missing");
  assert_fails (fixture, "\"{{steps.pay.output.url}}\"", "steps.pay.output.url: step pay has no output; it has not finished");
  assert_fails (fixture, "\"{{steps.swap.output.link}}\"",
                "steps.swap.output.link: step swap has no output field link");
  assert_fails (fixture, "\"x {{steps.swap.output.meta.depth}}\"",
                "steps.swap.output.meta.depth: step swap has no output field meta.depth");
  assert_fails (fixture, "\"{{steps.swap.output.images[2]}}\"",
                "steps.swap.output.images[2]: step swap output field images has 2 elements");
  assert_fails (fixture, "\"{{steps.swap.output.url[0]}}\"",
                "step swap output field url is not an array");
  assert_fails (fixture, "\"{{steps.swap.output.url.x}}\"",
                "step swap output field url is not an object");
  assert_fails (fixture, "\"{{inputs.name.first}}\"", "input name is not an object");
  /* An error deep in a tree fails the whole resolution. */
  assert_fails (fixture, "{\"a\": [1, {\"b\": \"{{inputs.nope}}\"}]}", "inputs.nope");
}

static void
test_syntax_errors (Fixture       *fixture,
                    gconstpointer  data)
{
  static const struct {
    const char *json;
    const char *message;
  } cases[] = {
    { "\"{{inputs.name\"", "“{{inputs.name”: “{{” is not closed by “}}”" },
    { "\"{{ }}\"", "empty expression" },
    { "\"{{}}\"", "empty expression" },
    { "\"{{steps.swap.output.images[x]}}\"", "“{{steps.swap.output.images[x]}}”: bad index" },
    { "\"{{steps.swap.output.images[]}}\"", "bad index" },
    { "\"{{steps.swap.output.images[1}}\"", "bad index" },
    { "\"{{steps.swap.output.images[-1]}}\"", "bad index" },
    { "\"{{env.HOME}}\"", "“{{env.HOME}}”: unknown reference" },
    { "\"{{steps.swap.url}}\"", "unknown reference" },
    { "\"{{inputs}}\"", "unknown reference" },
    { "\"{{inputs.a.}}\"", "a field name is missing after a dot" },
    { "\"{{inputs.a b}}\"", "unexpected “ ”" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) node = parse (cases[i].json);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) refs = pa_template_collect_refs (node, &error);

      g_assert_null (refs);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      if (strstr (error->message, cases[i].message) == NULL)
        g_error ("“%s” does not contain “%s”", error->message, cases[i].message);
      assert_fails (fixture, cases[i].json, cases[i].message);
    }
}

static void
test_collect (void)
{
  g_autoptr(JsonNode) node = parse ("{\"a\": \"{{ inputs.x }}\", \"b\": [\"u {{steps.s.output.k[2].m}} v\"],"
                                    " \"c\": 5, \"d\": \"\\\\{{inputs.no}}\"}");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) refs = pa_template_collect_refs (node, &error);
  PaTemplateRef *ref;

  g_assert_no_error (error);
  g_assert_cmpuint (refs->len, ==, 2);
  ref = g_ptr_array_index (refs, 0);
  g_assert_cmpint (ref->kind, ==, PA_TEMPLATE_REF_INPUTS);
  g_assert_cmpstr (ref->name, ==, "x");
  g_assert_cmpstr (ref->path, ==, "");
  g_assert_cmpstr (ref->expression, ==, "inputs.x");
  g_assert_true (ref->whole);
  ref = g_ptr_array_index (refs, 1);
  g_assert_cmpint (ref->kind, ==, PA_TEMPLATE_REF_STEPS);
  g_assert_cmpstr (ref->name, ==, "s");
  g_assert_cmpstr (ref->path, ==, "k[2].m");
  g_assert_cmpstr (ref->expression, ==, "steps.s.output.k[2].m");
  g_assert_false (ref->whole);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/template/typed", Fixture, NULL, fixture_setup, test_typed, fixture_teardown);
  g_test_add ("/template/embedded", Fixture, NULL, fixture_setup, test_embedded, fixture_teardown);
  g_test_add ("/template/paths", Fixture, NULL, fixture_setup, test_paths, fixture_teardown);
  g_test_add ("/template/escape", Fixture, NULL, fixture_setup, test_escape, fixture_teardown);
  g_test_add ("/template/resolve-errors", Fixture, NULL, fixture_setup, test_resolve_errors,
              fixture_teardown);
  g_test_add ("/template/syntax-errors", Fixture, NULL, fixture_setup, test_syntax_errors,
              fixture_teardown);
  g_test_add ("/template/size-limit", Fixture, NULL, fixture_setup, test_size_limit,
              fixture_teardown);
  g_test_add_func ("/template/collect", test_collect);

  return g_test_run ();
}
