/* test-form.c — form encoding with Stripe-style nesting, and decoding
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-form.h"

static JsonNode *
parse (const char *json)
{
  g_autoptr(GError) error = NULL;
  JsonNode *node = json_from_string (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (node);
  return node;
}

static char *
encode (const char *json)
{
  g_autoptr(JsonNode) node = parse (json);
  g_autoptr(GError) error = NULL;
  char *body = pa_form_encode (node, &error);

  g_assert_no_error (error);
  g_assert_nonnull (body);
  return body;
}

static void
assert_encodes (const char *json,
                const char *expected)
{
  g_autofree char *body = encode (json);

  g_assert_cmpstr (body, ==, expected);
}

static void
test_form_stripe_nesting (void)
{
  assert_encodes ("{\"amount\": 2000, \"currency\": \"usd\","
                  " \"metadata\": {\"order_id\": \"6735\", \"source\": \"web\"}}",
                  "amount=2000&currency=usd&metadata[order_id]=6735&metadata[source]=web");
  assert_encodes ("{\"expand\": [\"customer\", \"invoice.subscription\"]}",
                  "expand[0]=customer&expand[1]=invoice.subscription");
  assert_encodes ("{\"line_items\": [{\"price\": \"price_1\", \"quantity\": 2},"
                  " {\"price\": \"price_2\", \"quantity\": 1}]}",
                  "line_items[0][price]=price_1&line_items[0][quantity]=2"
                  "&line_items[1][price]=price_2&line_items[1][quantity]=1");
  /* Deeper: arrays inside objects inside arrays. */
  assert_encodes ("{\"items\": [{\"a\": {\"b\": [1, 2]}, \"c\": [[\"x\"]]}]}",
                  "items[0][a][b][0]=1&items[0][a][b][1]=2&items[0][c][0][0]=x");
  assert_encodes ("{\"payment_method_types\": [\"card\"],"
                  " \"after_completion\": {\"type\": \"redirect\","
                  " \"redirect\": {\"url\": \"https://example.com/ok?x=1\"}}}",
                  "payment_method_types[0]=card&after_completion[type]=redirect"
                  "&after_completion[redirect][url]=https%3A%2F%2Fexample.com%2Fok%3Fx%3D1");
}

static void
test_form_order (void)
{
  /* Members come out in the order they were written, not hashed. */
  assert_encodes ("{\"z\": 1, \"a\": 2, \"m\": 3, \"b\": 4, \"y\": 5}",
                  "z=1&a=2&m=3&b=4&y=5");
}

static void
test_form_reserved (void)
{
  assert_encodes ("{\"q\": \"a&b=c+d/e?f#g%h;i,j:k@l!m$n'o(p)q*r\"}",
                  "q=a%26b%3Dc%2Bd%2Fe%3Ff%23g%25h%3Bi%2Cj%3Ak%40l%21m%24n%27o%28p%29q%2Ar");
  assert_encodes ("{\"s\": \"two words\"}", "s=two%20words");
  assert_encodes ("{\"u\": \"AZaz09-._~\"}", "u=AZaz09-._~");
  /* Brackets in values are data, not structure. */
  assert_encodes ("{\"v\": \"[x]\"}", "v=%5Bx%5D");
  /* Keys are escaped too, but keep their brackets literal. */
  assert_encodes ("{\"a key&\": \"v\", \"flat[k]\": \"w\"}", "a%20key%26=v&flat[k]=w");
  /* A member name's own brackets are data: escaped, so that "a][b" adds
   * no level of nesting on the server. */
  assert_encodes ("{\"metadata\": {\"a][b\": \"x\", \"[k]\": \"y\", \"ok\": \"z\"}}",
                  "metadata[a%5D%5Bb]=x&metadata[%5Bk%5D]=y&metadata[ok]=z");
  assert_encodes ("{\"items\": [{\"x]\": {\"[y\": 1}}]}",
                  "items[0][x%5D][%5By]=1");
  assert_encodes ("{\"nl\": \"a\\nb\\tc\\u0001\"}", "nl=a%0Ab%09c%01");
}

static void
test_form_utf8 (void)
{
  assert_encodes ("{\"name\": \"Café ✓ 日本\"}",
                  "name=Caf%C3%A9%20%E2%9C%93%20%E6%97%A5%E6%9C%AC");
  assert_encodes ("{\"metadata\": {\"clé\": \"😀\"}}",
                  "metadata[cl%C3%A9]=%F0%9F%98%80");
}

static void
test_form_scalars (void)
{
  assert_encodes ("{\"a\": true, \"b\": false}", "a=true&b=false");
  assert_encodes ("{\"max\": 9223372036854775807, \"min\": -9223372036854775808,"
                  " \"zero\": 0, \"neg\": -42}",
                  "max=9223372036854775807&min=-9223372036854775808&zero=0&neg=-42");
  /* An amount in minor units must never go through a double. */
  assert_encodes ("{\"amount\": 123456789012345678}", "amount=123456789012345678");
  assert_encodes ("{\"description\": null}", "description=");
  assert_encodes ("{\"metadata\": {\"k\": null}}", "metadata[k]=");
  assert_encodes ("{\"empty\": \"\"}", "empty=");
}

static void
assert_double (double      value,
               const char *expected)
{
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  const char *text;

  json_object_set_double_member (object, "d", value);
  json_node_set_object (node, object);
  body = pa_form_encode (node, &error);
  g_assert_no_error (error);
  fields = pa_form_decode (body, -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 1);
  text = ((PaFormField *) fields->pdata[0])->value;

  if (expected != NULL)
    g_assert_cmpstr (text, ==, expected);

  /* It reads back exactly, in no more digits than needed. */
  g_assert_cmpfloat (g_ascii_strtod (text, NULL), ==, value);
  g_assert_cmpuint (strlen (text), <=, 24);
  g_assert_null (strchr (text, ','));
}

static void
test_form_doubles (void)
{
  const double others[] = { 1.0 / 3.0, 2.0 / 3.0, 5e-324, 1.7976931348623157e308,
                             -1.2345678901234567e-10, 9007199254740993.0, 0.3 };

  assert_double (0.1, "0.1");
  assert_double (2.0, "2");
  assert_double (-0.25, "-0.25");
  assert_double (123.456, "123.456");
  assert_double (100.0, "100");
  assert_double (1e20, "100000000000000000000");
  assert_double (1e21, "1e+21");
  assert_double (0.000001, "0.000001");
  assert_double (1.5e-7, "1.5e-7");
  assert_double (0.1 + 0.2, "0.30000000000000004");
  assert_double (1.0 / 3.0, "0.3333333333333333");
  assert_double (-0.0, "0");
  assert_double (12.5, "12.5");

  for (gsize i = 0; i < G_N_ELEMENTS (others); i++)
    assert_double (others[i], NULL);
}

static void
test_form_empty (void)
{
  assert_encodes ("{}", "");
  /* Empty containers add nothing; null is the way to send "unset". */
  assert_encodes ("{\"metadata\": {}, \"expand\": [], \"x\": \"y\"}", "x=y");
  assert_encodes ("{\"a\": [{}, {\"b\": 1}]}", "a[1][b]=1");
}

static void
test_form_errors (void)
{
  const char *not_objects[] = { "[1, 2]", "\"text\"", "42", "null" };
  g_autoptr(JsonNode) nan_node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (not_objects); i++)
    {
      g_autoptr(JsonNode) node = parse (not_objects[i]);
      g_autoptr(GError) local_error = NULL;
      g_autofree char *text = pa_form_encode (node, &local_error);

      g_assert_error (local_error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_assert_null (text);
    }

  json_object_set_double_member (object, "amount", NAN);
  json_node_set_object (nan_node, object);
  body = pa_form_encode (nan_node, &error);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "amount"));
  g_assert_null (body);
}

static void
test_form_escape (void)
{
  g_autofree char *a = pa_form_escape ("a b[c]", FALSE);
  g_autofree char *b = pa_form_escape ("a b[c]", TRUE);
  g_autofree char *c = pa_form_escape ("", FALSE);

  g_assert_cmpstr (a, ==, "a%20b%5Bc%5D");
  g_assert_cmpstr (b, ==, "a%20b[c]");
  g_assert_cmpstr (c, ==, "");
}

static void
assert_field (GPtrArray  *fields,
              guint       index,
              const char *key,
              const char *value)
{
  PaFormField *field;

  g_assert_cmpuint (index, <, fields->len);
  field = fields->pdata[index];
  g_assert_cmpstr (field->key, ==, key);
  g_assert_cmpstr (field->value, ==, value);
}

static void
test_form_decode (void)
{
  g_autoptr(GPtrArray) fields = NULL;
  g_autoptr(GError) error = NULL;

  fields = pa_form_decode ("&a=1&&b=two+words&c&d=%E2%9C%93&e=x%3Dy%26z&", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 5);
  assert_field (fields, 0, "a", "1");
  assert_field (fields, 1, "b", "two words");
  assert_field (fields, 2, "c", "");
  assert_field (fields, 3, "d", "✓");
  assert_field (fields, 4, "e", "x=y&z");
  g_clear_pointer (&fields, g_ptr_array_unref);

  /* The length bounds the body: no reading past it. */
  fields = pa_form_decode ("a=1&b=2", 3, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 1);
  assert_field (fields, 0, "a", "1");
  g_clear_pointer (&fields, g_ptr_array_unref);

  fields = pa_form_decode ("", 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 0);
}

static void
test_form_decode_errors (void)
{
  const char *bad[] = { "a=%zz", "a=%4", "a=%", "%G0=1", "a=%FF", "a=%C3" };

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) fields = pa_form_decode (bad[i], -1, &error);

      g_assert_error (error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_null (fields);
    }
}

static void
assert_round_trip (const char *json,
                   const char *as_strings)
{
  g_autoptr(JsonNode) original = parse (json);
  g_autoptr(JsonNode) expected = parse (as_strings);
  g_autoptr(JsonNode) decoded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;

  body = pa_form_encode (original, &error);
  g_assert_no_error (error);
  decoded = pa_form_decode_json (body, -1, &error);
  g_assert_no_error (error);
  if (!json_node_equal (decoded, expected))
    {
      g_autofree char *got = json_to_string (decoded, FALSE);
      g_error ("round trip of %s gave %s", json, got);
    }
}

static void
test_form_round_trip (void)
{
  /* A form has no types, so leaves come back as strings. */
  assert_round_trip ("{\"amount\": 2000, \"currency\": \"usd\", \"capture\": true,"
                     " \"metadata\": {\"order\": \"a&b=c\", \"nom\": \"Café ✓\"},"
                     " \"line_items\": [{\"price\": \"p_1\", \"quantity\": 2},"
                     "                  {\"price\": \"p 2\", \"quantity\": 1,"
                     "                   \"adjustable_quantity\": {\"enabled\": false}}],"
                     " \"expand\": [\"a\", \"b\"], \"description\": null}",
                     "{\"amount\": \"2000\", \"currency\": \"usd\", \"capture\": \"true\","
                     " \"metadata\": {\"order\": \"a&b=c\", \"nom\": \"Café ✓\"},"
                     " \"line_items\": [{\"price\": \"p_1\", \"quantity\": \"2\"},"
                     "                  {\"price\": \"p 2\", \"quantity\": \"1\","
                     "                   \"adjustable_quantity\": {\"enabled\": \"false\"}}],"
                     " \"expand\": [\"a\", \"b\"], \"description\": \"\"}");
  assert_round_trip ("{\"m\": [[\"x\", \"y\"], [\"z\"]]}",
                     "{\"m\": [[\"x\", \"y\"], [\"z\"]]}");
}

static void
test_form_decode_json_errors (void)
{
  const char *bad[] = {
    "a=1&a[b]=2",      /* a is a value, then an object */
    "a[b]=2&a=1",      /* and the other way round */
    "a[b]=1&a[b]=2",   /* the same leaf twice */
    "a[1]=x",          /* skips index 0 */
    "a[0]=x&a[b]=y",   /* array, then object */
    "a[b=1",           /* unbalanced */
    "[x]=1",           /* no name */
  };
  g_autoptr(JsonNode) appended = NULL;
  g_autoptr(JsonNode) expected = NULL;
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonNode) node = pa_form_decode_json (bad[i], -1, &local_error);

      if (local_error == NULL)
        g_error ("“%s” should not decode", bad[i]);
      g_assert_error (local_error, PA_ERROR, PA_ERROR_PROTOCOL);
      g_assert_null (node);
    }

  /* a[]=x appends, as several form libraries send arrays. */
  appended = pa_form_decode_json ("a[]=x&a[]=y", -1, &error);
  g_assert_no_error (error);
  expected = parse ("{\"a\": [\"x\", \"y\"]}");
  g_assert_true (json_node_equal (appended, expected));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/form/stripe-nesting", test_form_stripe_nesting);
  g_test_add_func ("/form/order", test_form_order);
  g_test_add_func ("/form/reserved", test_form_reserved);
  g_test_add_func ("/form/utf8", test_form_utf8);
  g_test_add_func ("/form/scalars", test_form_scalars);
  g_test_add_func ("/form/doubles", test_form_doubles);
  g_test_add_func ("/form/empty", test_form_empty);
  g_test_add_func ("/form/errors", test_form_errors);
  g_test_add_func ("/form/escape", test_form_escape);
  g_test_add_func ("/form/decode", test_form_decode);
  g_test_add_func ("/form/decode-errors", test_form_decode_errors);
  g_test_add_func ("/form/round-trip", test_form_round_trip);
  g_test_add_func ("/form/decode-json-errors", test_form_decode_json_errors);

  return g_test_run ();
}
