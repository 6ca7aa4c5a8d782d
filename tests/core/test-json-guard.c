/* test-json-guard.c — the one check every JSON text passes before parsing
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"

static char *
nested (const char *open,
        const char *close,
        guint       depth)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < depth; i++)
    g_string_append (s, open);
  g_string_append (s, "1");
  for (guint i = 0; i < depth; i++)
    g_string_append (s, close);
  return g_string_free (s, FALSE);
}

static void
test_depth_at_limit_parses (void)
{
  g_autofree char *arrays = nested ("[", "]", PA_LIMIT_JSON_DEPTH);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = pa_json_parse_bounded (arrays, -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (node));
}

static void
test_depth_over_limit_refused (void)
{
  g_autofree char *arrays = nested ("[", "]", PA_LIMIT_JSON_DEPTH + 1);
  g_autofree char *objects = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  GString *mixed = g_string_new (NULL);

  node = pa_json_parse_bounded (arrays, -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (node);
  g_assert_nonnull (strstr (error->message, "The answer"));
  g_assert_nonnull (strstr (error->message, "512"));
  g_clear_error (&error);

  /* Objects count as levels too, and so does a mix. */
  for (guint i = 0; i <= PA_LIMIT_JSON_DEPTH; i++)
    g_string_append (mixed, i % 2 ? "{\"a\":" : "[");
  objects = g_string_free (mixed, FALSE);
  g_assert_false (pa_json_check_bounds (objects, strlen (objects), G_MAXSIZE,
                                        PA_ERROR_INVALID_INPUT, "The file", &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

/* The body that used to crash json-glib 1.6: 100,000 nested brackets. */
static void
test_very_deep_does_not_crash (void)
{
  gsize n = 100000;
  g_autofree char *deep = g_malloc (n + 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  memset (deep, '[', n);
  deep[n] = '\0';
  node = pa_json_parse_bounded (deep, -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (node);
}

/* Brackets inside strings, including after escaped quotes, are text. */
static void
test_brackets_in_strings_are_text (void)
{
  GString *s = g_string_new ("{\"a\": \"");
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < 10000; i++)
    g_string_append (s, "[{");
  g_string_append (s, "\\\"[[[\\\\\", \"b\": [[1]]}");
  text = g_string_free (s, FALSE);

  node = pa_json_parse_bounded (text, -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
  g_assert_true (json_object_has_member (json_node_get_object (node), "b"));
}

/* json-glib also reads 'single-quoted' strings and C comments, by rules
 * of its own: a double quote inside either would hide the brackets after
 * it from the depth count, so neither gets through. */
static void
test_json_glib_extensions_refused (void)
{
  const char *prefixes[] = { "['\"', ", "/* \" */ ", "['a', ", "[1 /* x */, " };
  g_autofree char *arrays = nested ("[", "]", PA_LIMIT_JSON_DEPTH + 1);

  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    {
      g_autofree char *text = g_strconcat (prefixes[i], arrays, i != 1 ? "]" : "", NULL);
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      node = pa_json_parse_bounded (text, -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_null (node);
    }
}

/* json-glib 1.6 reads "{}{}" as its last value and leaks the others. */
static void
test_several_values_refused (void)
{
  const char *texts[] = { "{}{}", "[] []", "1{}", "\"a\" [1]", "{\"a\": 1}\n{\"b\": 2}" };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      node = pa_json_parse_bounded (texts[i], -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "more than one"));
      g_assert_null (node);
    }
}

/* json-glib 1.6 leaks the string it reads when a high surrogate, or
 * what it makes of a \u escape without four hex digits, is followed by
 * another escape that is not a low surrogate. */
static void
test_broken_unicode_escapes_refused (void)
{
  const char *refused[] = { "\"\\ud800\\u\"", "[\"\\ud800\\u0041\"]", "\"\\udbff\"", "\"\\uD800\\uD800\"",
                            "\"\\ud8.\\ud8.\"", "\"\\uzz\"",
                            "\"\\udc00\\uf009\"" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_assert_false (pa_json_check_bounds (refused[i], strlen (refused[i]), G_MAXSIZE,
                                            PA_ERROR_PROTOCOL, "The answer", &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_nonnull (strstr (error->message, "\\u escape"));
      g_clear_error (&error);
    }

  node = pa_json_parse_bounded ("[\"\\ud83d\\ude00\", \"\\u00e9\\\\ud800\"]", -1, G_MAXSIZE,
                                PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 0), ==, "😀");
}

static void
test_size_limit (void)
{
  const char *text = "{\"key\": \"0123456789\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  gsize len = strlen (text);

  g_assert_true (pa_json_check_bounds (text, len, len, PA_ERROR_PROTOCOL, "x", &error));
  g_assert_no_error (error);

  node = pa_json_parse_bounded (text, -1, len - 1, PA_ERROR_INVALID_INPUT, "The workflow file", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_null (node);
  g_assert_nonnull (strstr (error->message, "too large"));
}

static void
test_invalid_utf8_refused (void)
{
  const char text[] = "{\"name\": \"caf\xc3\x28\"}";
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = pa_json_parse_bounded (text, sizeof text - 1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (node);
  g_assert_nonnull (strstr (error->message, "UTF-8"));
}

static void
test_not_json_and_empty (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;

  node = pa_json_parse_bounded ("{\"a\": ", -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_nonnull (strstr (error->message, "not valid JSON"));
  g_assert_null (node);
  g_clear_error (&error);

  node = pa_json_parse_bounded ("   ", -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
  g_assert_null (node);
  g_clear_error (&error);

  /* A length that stops before the nul is honoured. */
  node = pa_json_parse_bounded ("[1]garbage", 3, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_no_error (error);
  g_assert_nonnull (node);
}

/* json-glib's scanner takes GScanner's octal escapes: "\374" would put
 * the byte 0xFC, which is not UTF-8, into a string. */
static void
test_unknown_escapes_refused (void)
{
  const char * const texts[] = {
    "{\"a\": \"caf\\374\"}",
    "[\"\\x41\"]",
    "[\"\\a\"]",
  };

  for (guint i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(JsonNode) node = NULL;

      node = pa_json_parse_bounded (texts[i], -1, G_MAXSIZE, PA_ERROR_PROTOCOL, "The answer", &error);
      g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_null (node);
    }

  /* Every escape JSON has is still read. */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(JsonNode) node = NULL;

    node = pa_json_parse_bounded ("[\"\\\" \\\\ \\/ \\b \\f \\n \\r \\t \\u00e9\"]", -1, G_MAXSIZE,
                                  PA_ERROR_PROTOCOL, "The answer", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (json_array_get_string_element (json_node_get_array (node), 0), ==,
                     "\" \\ / \b \f \n \r \t \xc3\xa9");
  }
}

/* 1e999 reads as infinity, which cannot be written back as JSON. */
static void
test_overflowing_numbers_refused (void)
{
  const char * const refused[] = { "[1e999]", "{\"a\": -1E+400}", "[170E200000]" };
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *many_digits = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr(GError) local_error = NULL;

      g_assert_false (pa_json_check_bounds (refused[i], strlen (refused[i]), G_MAXSIZE,
                                            PA_ERROR_INVALID_INPUT, "The file", &local_error));
      g_assert_error (local_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }

  many_digits = g_strnfill (400, '9');
  g_assert_false (pa_json_check_bounds (many_digits, 400, G_MAXSIZE,
                                        PA_ERROR_INVALID_INPUT, "The file", NULL));

  /* Large, tiny (it becomes 0) and ordinary numbers are read. */
  node = pa_json_parse_bounded ("[1e308, 1.5e-400, -12, 0.5]", -1, G_MAXSIZE,
                                PA_ERROR_PROTOCOL, "The answer", &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_node_get_array (node)), ==, 4);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/json-guard/depth-at-limit", test_depth_at_limit_parses);
  g_test_add_func ("/json-guard/depth-over-limit", test_depth_over_limit_refused);
  g_test_add_func ("/json-guard/very-deep", test_very_deep_does_not_crash);
  g_test_add_func ("/json-guard/brackets-in-strings", test_brackets_in_strings_are_text);
  g_test_add_func ("/json-guard/json-glib-extensions", test_json_glib_extensions_refused);
  g_test_add_func ("/json-guard/several-values", test_several_values_refused);
  g_test_add_func ("/json-guard/broken-unicode-escapes", test_broken_unicode_escapes_refused);
  g_test_add_func ("/json-guard/size-limit", test_size_limit);
  g_test_add_func ("/json-guard/invalid-utf8", test_invalid_utf8_refused);
  g_test_add_func ("/json-guard/not-json", test_not_json_and_empty);
  g_test_add_func ("/json-guard/unknown-escapes", test_unknown_escapes_refused);
  g_test_add_func ("/json-guard/overflowing-numbers", test_overflowing_numbers_refused);

  return g_test_run ();
}
