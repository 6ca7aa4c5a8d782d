/* pa-test-contract.c — request bodies checked against an official contract
 *
 * SPDX-License-Identifier: MIT
 */
#include <gio/gio.h>

#include "pa-test-contract.h"
#include "pa-test-peer.h"
#include "pa-test-peer-private.h"

/* Validates every case; returns for each whether it is valid, with the
 * reasons in @errors (NULL-terminated, one per case: NULL when valid). */
gboolean *
pa_test_validate_bodies (const char     *spec_relpath,
                         PaTestBodyCase *cases,
                         gsize           n_cases,
                         char         ***errors)
{
  g_autofree char *spec = pa_test_fixtures_require (spec_relpath);
  g_autofree char *node = NULL;
  g_autofree char *script = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *input = NULL;
  g_autofree char *output = NULL;
  g_autofree char *diagnostics = NULL;
  gboolean *valid;
  JsonArray *results;

  if (spec == NULL)
    return NULL;
  node = pa_test_find_node (&error);
  if (!pa_test_require_no_error (error))
    return NULL;

  json_builder_begin_array (builder);
  for (gsize i = 0; i < n_cases; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "method");
      json_builder_add_string_value (builder, cases[i].method);
      json_builder_set_member_name (builder, "path");
      json_builder_add_string_value (builder, cases[i].path);
      json_builder_set_member_name (builder, "body");
      json_builder_add_value (builder, json_node_copy (cases[i].body));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_generator_set_root (generator, json_builder_get_root (builder));
  input = json_generator_to_data (generator, NULL);

  script = g_build_filename (pa_test_source_root (), "tests", "peers", "validate-bodies.cjs", NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDIN_PIPE |
                                        G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                        G_SUBPROCESS_FLAGS_STDERR_PIPE);
  process = g_subprocess_launcher_spawn (launcher, &error, node, script, spec, NULL);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, input, NULL, &output, &diagnostics, &error);
  g_assert_no_error (error);
  if (!g_subprocess_get_successful (process))
    g_error ("The contract validator failed: %s", diagnostics);

  g_assert_true (json_parser_load_from_data (parser, output, -1, NULL));
  results = json_node_get_array (json_parser_get_root (parser));
  g_assert_cmpuint (json_array_get_length (results), ==, n_cases);

  valid = g_new0 (gboolean, n_cases);
  *errors = g_new0 (char *, n_cases + 1);
  for (gsize i = 0; i < n_cases; i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      JsonArray *reasons = json_object_get_array_member (result, "errors");
      g_autoptr(GString) text = g_string_new (NULL);

      valid[i] = json_object_get_boolean_member (result, "ok");
      for (guint j = 0; j < json_array_get_length (reasons); j++)
        g_string_append_printf (text, "%s%s", j > 0 ? "; " : "",
                                json_array_get_string_element (reasons, j));
      (*errors)[i] = valid[i] ? g_strdup ("") : g_string_free (g_steal_pointer (&text), FALSE);
    }
  return valid;
}
