/* pa-form.h — application/x-www-form-urlencoded with bracket nesting
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Encodes a JSON object the way Stripe's API reads forms:
 *   {"metadata": {"k": "v"}}           metadata[k]=v
 *   {"expand": ["a", "b"]}             expand[0]=a&expand[1]=b
 *   {"line_items": [{"price": "p"}]}   line_items[0][price]=p
 * Booleans become true/false, integers are exact, doubles use the
 * shortest form that reads back the same, null is an empty value (which
 * Stripe reads as "unset"), empty objects and arrays add no field.
 * Brackets in keys stay literal; everything else outside RFC 3986's
 * unreserved set is percent-encoded as UTF-8 (a space is %20).
 * Fails with PA_ERROR_INVALID_INPUT when @object is not a JSON object. */
char       *pa_form_encode        (JsonNode     *object,
                                   GError      **error);

/* Percent-encodes everything outside RFC 3986's unreserved set. With
 * @keep_brackets, '[' and ']' stay literal (for form keys). */
char       *pa_form_escape        (const char   *text,
                                   gboolean      keep_brackets);
void        pa_form_append_escaped (GString     *out,
                                    const char  *text,
                                    gboolean     keep_brackets);

typedef struct {
  char *key;
  char *value;
} PaFormField;

void        pa_form_field_free    (PaFormField  *field);

/* Splits a form body into fields in order, decoding %XX and '+' (as a
 * space). Fails with PA_ERROR_PROTOCOL on a bad escape or on text that is
 * not UTF-8. Returns a GPtrArray of PaFormField that frees its elements. */
GPtrArray  *pa_form_decode        (const char   *body,
                                   gssize        length,
                                   GError      **error);

/* Rebuilds nesting from decoded fields: a[b]=v makes objects, a[0]=v
 * makes arrays (indexes must count up from 0). Every leaf is a string, as
 * a form has no types. Fails with PA_ERROR_PROTOCOL on conflicting keys. */
JsonNode   *pa_form_decode_json   (const char   *body,
                                   gssize        length,
                                   GError      **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFormField, pa_form_field_free)

G_END_DECLS
