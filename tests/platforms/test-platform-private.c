/* test-platform-private.c — the helpers every platform client shares:
 * ids put into URL paths, integers read from answers
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-platform-private.h"

static void
test_escape_id_refuses (void)
{
  /* Each would reach another endpoint: GLib's URL parser drops dot
   * segments; servers and proxies decode %2e, %2f and backslashes. */
  const char *bad[] = {
    "", ".", "..", "a/b", "../v1/customers", "/", "x?expand=y", "x#y",
    "%2e%2e", "%2E", "a%2fb", "a\\b", "a\nb", "a\tb", "\x7f", "a\x01",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *escaped = pa_platform_escape_id (bad[i], "test id", &error);

      g_assert_null (escaped);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, "test id"));
    }

  {
    g_autoptr(GError) error = NULL;

    g_assert_null (pa_platform_escape_id (NULL, "test id", &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  }
}

static void
test_escape_id_accepts (void)
{
  const struct {
    const char *id;
    const char *escaped;
  } good[] = {
    { "cs_test_a1B2", "cs_test_a1B2" },
    { "dpl_89qyp1cskzkL", "dpl_89qyp1cskzkL" },
    { "site-abc123.vercel.app", "site-abc123.vercel.app" },
    { "...", "..." },
    { ".hidden", ".hidden" },
    { "a b", "a%20b" },
    { "é", "%C3%A9" },
    { "a:b", "a%3Ab" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *escaped = pa_platform_escape_id (good[i].id, "test id", &error);

      g_assert_no_error (error);
      g_assert_cmpstr (escaped, ==, good[i].escaped);
    }
}

static JsonObject *
object_of (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_data (parser, json, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_get_int (void)
{
  g_autoptr(JsonObject) object = object_of ("{\"i\": 42, \"neg\": -7, \"d\": 1.7e12,"
                                            " \"big\": 1e300, \"nbig\": -1e300,"
                                            " \"half\": 2.5, \"edge\": 9223372036854775808.0,"
                                            " \"min\": -9223372036854775808.0,"
                                            " \"s\": \"12\", \"n\": null, \"t\": true}");
  gint64 value = 123;

  g_assert_true (pa_json_get_int (object, "i", &value));
  g_assert_cmpint (value, ==, 42);
  g_assert_true (pa_json_get_int (object, "neg", &value));
  g_assert_cmpint (value, ==, -7);
  g_assert_true (pa_json_get_int (object, "d", &value));
  g_assert_cmpint (value, ==, G_GINT64_CONSTANT (1700000000000));
  g_assert_true (pa_json_get_int (object, "min", &value));
  g_assert_cmpint (value, ==, G_MININT64);

  /* Out of range, not whole, or not a number: refused, value untouched
   * (the cast of 1e300 to gint64 was undefined behaviour). */
  value = 123;
  g_assert_false (pa_json_get_int (object, "big", &value));
  g_assert_false (pa_json_get_int (object, "nbig", &value));
  g_assert_false (pa_json_get_int (object, "edge", &value));
  g_assert_false (pa_json_get_int (object, "half", &value));
  g_assert_false (pa_json_get_int (object, "s", &value));
  g_assert_false (pa_json_get_int (object, "n", &value));
  g_assert_false (pa_json_get_int (object, "t", &value));
  g_assert_false (pa_json_get_int (object, "missing", &value));
  g_assert_false (pa_json_get_int (NULL, "i", &value));
  g_assert_cmpint (value, ==, 123);
}

static void
test_get_int_nan (void)
{
  /* JSON cannot spell NaN or infinity, but a node built in code can. */
  g_autoptr(JsonObject) object = json_object_new ();
  gint64 value = 5;

  json_object_set_double_member (object, "nan", NAN);
  json_object_set_double_member (object, "inf", INFINITY);
  json_object_set_double_member (object, "ninf", -INFINITY);
  g_assert_false (pa_json_get_int (object, "nan", &value));
  g_assert_false (pa_json_get_int (object, "inf", &value));
  g_assert_false (pa_json_get_int (object, "ninf", &value));
  g_assert_cmpint (value, ==, 5);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/platform/escape-id/refuses", test_escape_id_refuses);
  g_test_add_func ("/platform/escape-id/accepts", test_escape_id_accepts);
  g_test_add_func ("/platform/json/get-int", test_get_int);
  g_test_add_func ("/platform/json/get-int-nan", test_get_int_nan);

  return g_test_run ();
}
