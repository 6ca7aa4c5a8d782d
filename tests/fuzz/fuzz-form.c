/* fuzz-form.c — the form encoder and decoder (Stripe's request bodies,
 * and what `serve` reads from a form)
 *
 * The first byte picks the direction: decode the rest as a form body,
 * rebuild its nesting, or read it as JSON, encode it and decode the
 * result, which must always work. Escaping a text and decoding it gives
 * the text back.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fuzz-common.h"
#include "pa-form.h"

static void
check_escape (const char *text,
              gboolean    keep_brackets)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *escaped = pa_form_escape (text, keep_brackets);
  g_autofree char *body = g_strconcat ("k=", escaped, NULL);
  g_autoptr(GPtrArray) fields = pa_form_decode (body, -1, &error);
  PaFormField *field;

  g_assert_no_error (error);
  g_assert_cmpuint (fields->len, ==, 1);
  field = g_ptr_array_index (fields, 0);
  g_assert_cmpstr (field->value, ==, text);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  const char *body;

  fuzz_init ();
  if (size == 0)
    return 0;
  body = (const char *) data + 1;

  switch (data[0] % 3)
    {
    case 0:
      {
        g_autoptr(GPtrArray) fields = pa_form_decode (body, (gssize) size - 1, &error);
        g_autofree char *text = fuzz_strndup (data + 1, size - 1);

        g_assert (fields != NULL || error != NULL);
        if (strlen (text) == size - 1 && g_utf8_validate (text, -1, NULL))
          {
            check_escape (text, FALSE);
            check_escape (text, TRUE);
          }
      }
      break;

    case 1:
      {
        g_autoptr(JsonNode) node = pa_form_decode_json (body, (gssize) size - 1, &error);

        g_assert (node != NULL || error != NULL);
      }
      break;

    default:
      {
        g_autoptr(JsonNode) node = fuzz_parse_json (data + 1, size - 1);
        g_autofree char *encoded = NULL;
        g_autoptr(GPtrArray) fields = NULL;

        if (node == NULL)
          break;
        encoded = pa_form_encode (node, &error);
        if (encoded == NULL)
          {
            /* Only an object has fields to send, and even then a value
             * JSON can hold but a form cannot (1e999 reads as infinity)
             * is refused as the caller's mistake. */
            g_assert (!JSON_NODE_HOLDS_OBJECT (node) ||
                      g_error_matches (error, PA_ERROR, PA_ERROR_INVALID_INPUT));
            break;
          }
        fields = pa_form_decode (encoded, -1, &error);
        if (fields == NULL)
          g_error ("The encoder wrote a body the decoder refuses: %s\n%s", error->message, encoded);
      }
      break;
    }

  return 0;
}
