/* test-stripe-webhook.c — Stripe-Signature checks against Stripe's own SDK vectors
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#include "pa-error.h"
#include "pa-stripe-webhook.h"
#include "pa-test-peer.h"

#define TOLERANCE PA_STRIPE_WEBHOOK_DEFAULT_TOLERANCE_S

typedef struct {
  char   *payload;
  char   *secret;
  gint64  timestamp;
  char   *expected;
} Vector;

static void
vector_free (Vector *vector)
{
  g_free (vector->payload);
  g_free (vector->secret);
  g_free (vector->expected);
  g_free (vector);
}

/* The vectors file, or NULL when the test was skipped for want of it. */
static GPtrArray *
load_vectors (void)
{
  g_autofree char *path = pa_test_fixtures_require ("vectors/stripe-webhook-signature.json");
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  GPtrArray *vectors;
  JsonObject *root;
  JsonArray *array;

  if (path == NULL)
    return NULL;

  json_parser_load_from_file (parser, path, &error);
  g_assert_no_error (error);
  root = json_node_get_object (json_parser_get_root (parser));

  /* The fixture states the tolerance Stripe's SDK applied; ours must agree. */
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (root, "scheme"),
                                               "default_tolerance_s"), ==, TOLERANCE);

  array = json_object_get_array_member (root, "vectors");
  vectors = g_ptr_array_new_with_free_func ((GDestroyNotify) vector_free);
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *object = json_array_get_object_element (array, i);
      Vector *vector = g_new0 (Vector, 1);

      vector->payload = g_strdup (json_object_get_string_member (object, "payload"));
      vector->secret = g_strdup (json_object_get_string_member (object, "secret"));
      vector->timestamp = json_object_get_int_member (object, "timestamp");
      vector->expected = g_strdup (json_object_get_string_member (object, "expected_stripe_signature"));
      g_ptr_array_add (vectors, vector);
    }
  g_assert_cmpuint (vectors->len, >=, 3);
  return vectors;
}

static gboolean
verify (const Vector  *vector,
        const char    *payload,
        const char    *header,
        const char    *secret,
        gint64         now,
        GError       **error)
{
  return pa_stripe_webhook_verify (payload, payload != NULL ? strlen (payload) : 0,
                                   header, secret, now, TOLERANCE, error);
}

/* The 64 hex digits of a vector's v1 signature. */
static const char *
v1_of (const Vector *vector)
{
  const char *v1 = strstr (vector->expected, "v1=");

  g_assert_nonnull (v1);
  g_assert_cmpuint (strlen (v1 + 3), ==, 64);
  return v1 + 3;
}

static void
test_webhook_vectors_sign (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *vector = vectors->pdata[i];
      g_autofree char *header = pa_stripe_webhook_sign (vector->payload, strlen (vector->payload),
                                                        vector->secret, vector->timestamp);

      g_assert_cmpstr (header, ==, vector->expected);
    }
}

static void
test_webhook_vectors_verify (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *vector = vectors->pdata[i];
      gint64 t = vector->timestamp;
      g_autoptr(GError) error = NULL;

      /* Now, at both edges of the tolerance. */
      g_assert_true (verify (vector, vector->payload, vector->expected, vector->secret, t, &error));
      g_assert_no_error (error);
      g_assert_true (verify (vector, vector->payload, vector->expected, vector->secret,
                             t + TOLERANCE, &error));
      g_assert_no_error (error);
      g_assert_true (verify (vector, vector->payload, vector->expected, vector->secret,
                             t - TOLERANCE, &error));
      g_assert_no_error (error);

      /* One second past it, either way: a replay, or a clock far off. */
      g_assert_false (verify (vector, vector->payload, vector->expected, vector->secret,
                              t + TOLERANCE + 1, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "301 s"));
      g_clear_error (&error);
      g_assert_false (verify (vector, vector->payload, vector->expected, vector->secret,
                              t - TOLERANCE - 1, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);

      /* Tolerance 0 turns the age check off, not the signature check. */
      g_assert_true (pa_stripe_webhook_verify (vector->payload, strlen (vector->payload),
                                               vector->expected, vector->secret,
                                               t + 10 * TOLERANCE, 0, &error));
      g_assert_no_error (error);
    }
}

static void
test_webhook_tampered (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();

  if (vectors == NULL)
    return;

  for (guint i = 0; i < vectors->len; i++)
    {
      Vector *vector = vectors->pdata[i];
      gint64 t = vector->timestamp;
      gsize len = strlen (vector->payload);
      g_autofree char *flipped = g_strdup (vector->payload);
      g_autofree char *appended = g_strconcat (vector->payload, " ", NULL);
      g_autofree char *other_time = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s",
                                                     t + 1, v1_of (vector));
      g_autofree char *wrong_secret = g_strconcat (vector->secret, "x", NULL);
      g_autoptr(GError) error = NULL;

      /* One bit of one byte in the middle. */
      flipped[len / 2] ^= 0x01;
      g_assert_false (verify (vector, flipped, vector->expected, vector->secret, t, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_assert_nonnull (strstr (error->message, "does not match"));
      g_clear_error (&error);

      g_assert_false (verify (vector, appended, vector->expected, vector->secret, t, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);

      /* The body minus its last byte: only @len decides what is signed. */
      g_assert_false (pa_stripe_webhook_verify (vector->payload, len - 1, vector->expected,
                                                vector->secret, t, TOLERANCE, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);

      /* The signature moved to another timestamp. */
      g_assert_false (verify (vector, vector->payload, other_time, vector->secret, t, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);

      g_assert_false (verify (vector, vector->payload, vector->expected, wrong_secret, t, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);

      /* The secret is used with its whsec_ prefix, as Stripe's SDK does. */
      g_assert_true (g_str_has_prefix (vector->secret, "whsec_"));
      g_assert_false (verify (vector, vector->payload, vector->expected,
                              vector->secret + strlen ("whsec_"), t, &error));
      g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
      g_clear_error (&error);
    }
}

static void
test_webhook_several_signatures (void)
{
  g_autoptr(GPtrArray) vectors = load_vectors ();
  Vector *vector;
  const char *good;
  g_autofree char *wrong = NULL;
  gint64 t;

  if (vectors == NULL)
    return;

  vector = vectors->pdata[0];
  good = v1_of (vector);
  t = vector->timestamp;
  /* A valid-looking signature that is not the right one. */
  wrong = g_strdup (good);
  wrong[0] = wrong[0] == '0' ? '1' : '0';

  {
    /* While a secret is rolled, Stripe signs with both: any v1 may match,
     * in any position, and other schemes are ignored. */
    g_autofree char *wrong_first = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s,v1=%s",
                                                    t, wrong, good);
    g_autofree char *good_first = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s,v1=%s",
                                                   t, good, wrong);
    g_autofree char *other_schemes = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v0=deadbeef,"
                                                      "v1=%s,v2=anything", t, good);
    g_autofree char *spaced = g_strdup_printf (" t=%" G_GINT64_FORMAT " , v1=%s ,", t, good);
    g_autofree char *both_wrong = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v1=%s,v1=%s",
                                                   t, wrong, wrong);
    const char *accepted[] = { wrong_first, good_first, other_schemes, spaced };
    g_autoptr(GError) error = NULL;

    for (gsize i = 0; i < G_N_ELEMENTS (accepted); i++)
      {
        g_assert_true (verify (vector, vector->payload, accepted[i], vector->secret, t, &error));
        g_assert_no_error (error);
      }

    g_assert_false (verify (vector, vector->payload, both_wrong, vector->secret, t, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  }

  {
    /* Only a v0 (Stripe's old test scheme) proves nothing. */
    g_autofree char *header = g_strdup_printf ("t=%" G_GINT64_FORMAT ",v0=%s", t, good);
    g_autoptr(GError) error = NULL;

    g_assert_false (verify (vector, vector->payload, header, vector->secret, t, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_assert_nonnull (strstr (error->message, "v1"));
  }
}

static void
test_webhook_malformed (void)
{
  const char *payload = "{\"id\":\"evt_1\"}";
  const char *secret = "whsec_test";
  g_autofree char *good = pa_stripe_webhook_sign (payload, strlen (payload), secret, 1000);
  const char *hex = strstr (good, "v1=") + 3;
  g_autofree char *short_hex = g_strdup_printf ("t=1000,v1=%.63s", hex);
  g_autofree char *long_hex = g_strdup_printf ("t=1000,v1=%s0", hex);
  g_autofree char *bad_digit = g_strdup_printf ("t=1000,v1=%.63sg", hex);
  g_autofree char *no_t = g_strdup_printf ("v1=%s", hex);
  g_autofree char *empty_t = g_strdup_printf ("t=,v1=%s", hex);
  g_autofree char *word_t = g_strdup_printf ("t=abc,v1=%s", hex);
  g_autofree char *neg_t = g_strdup_printf ("t=-1000,v1=%s", hex);
  g_autofree char *float_t = g_strdup_printf ("t=1000.5,v1=%s", hex);
  g_autofree char *huge_t = g_strdup_printf ("t=99999999999999999999999,v1=%s", hex);
  g_autofree char *two_t = g_strdup_printf ("t=1000,t=1000,v1=%s", hex);
  g_autofree char *no_eq = g_strdup_printf ("t=1000,v1%s", hex);
  const char *headers[] = {
    "", ",", "t=1000", "t=1000,v1=", "garbage", "t=1000;v1=abc",
    short_hex, long_hex, bad_digit, no_t, empty_t, word_t, neg_t, float_t, huge_t, two_t, no_eq,
  };
  g_autoptr(GError) error = NULL;

  /* The well-formed one passes, so the failures below are about form. */
  g_assert_true (pa_stripe_webhook_verify (payload, strlen (payload), good, secret,
                                           1000, TOLERANCE, &error));
  g_assert_no_error (error);

  for (gsize i = 0; i < G_N_ELEMENTS (headers); i++)
    {
      g_assert_false (pa_stripe_webhook_verify (payload, strlen (payload), headers[i], secret,
                                                1000, TOLERANCE, &error));
      if (error == NULL || error->code != PA_ERROR_INVALID_INPUT)
        g_error ("header “%s”: expected INVALID_INPUT, got %s", headers[i],
                 error != NULL ? error->message : "success");
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_clear_error (&error);
    }

  g_assert_false (pa_stripe_webhook_verify (payload, strlen (payload), NULL, secret,
                                            1000, TOLERANCE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "Stripe-Signature"));
  g_clear_error (&error);

  /* No secret configured. */
  g_assert_false (pa_stripe_webhook_verify (payload, strlen (payload), good, "",
                                            1000, TOLERANCE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_false (pa_stripe_webhook_verify (payload, strlen (payload), good, NULL,
                                            1000, TOLERANCE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
}

static void
test_webhook_binary_payload (void)
{
  /* Bodies are signed as bytes: an embedded NUL is part of them. */
  const char payload[] = { '{', '}', '\0', 'x' };
  g_autofree char *header = pa_stripe_webhook_sign (payload, sizeof payload, "whsec_bin", 42);
  g_autofree char *header_short = pa_stripe_webhook_sign (payload, 2, "whsec_bin", 42);
  g_autoptr(GError) error = NULL;

  g_assert_cmpstr (header, !=, header_short);
  g_assert_true (pa_stripe_webhook_verify (payload, sizeof payload, header, "whsec_bin",
                                           42, TOLERANCE, &error));
  g_assert_no_error (error);
  g_assert_false (pa_stripe_webhook_verify (payload, 2, header, "whsec_bin",
                                            42, TOLERANCE, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);
  g_clear_error (&error);

  /* An empty body can be signed too. */
  g_clear_pointer (&header, g_free);
  header = pa_stripe_webhook_sign (NULL, 0, "whsec_bin", 42);
  g_assert_true (pa_stripe_webhook_verify (NULL, 0, header, "whsec_bin", 42, TOLERANCE, &error));
  g_assert_no_error (error);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/stripe-webhook/vectors/sign", test_webhook_vectors_sign);
  g_test_add_func ("/stripe-webhook/vectors/verify", test_webhook_vectors_verify);
  g_test_add_func ("/stripe-webhook/tampered", test_webhook_tampered);
  g_test_add_func ("/stripe-webhook/several-signatures", test_webhook_several_signatures);
  g_test_add_func ("/stripe-webhook/malformed", test_webhook_malformed);
  g_test_add_func ("/stripe-webhook/binary-payload", test_webhook_binary_payload);

  return g_test_run ();
}
