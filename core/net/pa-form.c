/* pa-form.c — application/x-www-form-urlencoded with bracket nesting
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-form.h"

static gboolean
is_unreserved (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '~';
}

void
pa_form_append_escaped (GString    *out,
                        const char *text,
                        gboolean    keep_brackets)
{
  static const char hex[] = "0123456789ABCDEF";

  g_return_if_fail (out != NULL);

  if (text == NULL)
    return;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (is_unreserved (*p) || (keep_brackets && (*p == '[' || *p == ']')))
        {
          g_string_append_c (out, (char) *p);
        }
      else
        {
          g_string_append_c (out, '%');
          g_string_append_c (out, hex[*p >> 4]);
          g_string_append_c (out, hex[*p & 0xf]);
        }
    }
}

char *
pa_form_escape (const char *text,
                gboolean    keep_brackets)
{
  GString *out = g_string_new (NULL);

  pa_form_append_escaped (out, text, keep_brackets);
  return g_string_free (out, FALSE);
}

/* The shortest digits that read back as the same double, written the
 * way JavaScript prints numbers: plain from 1e-6 up to 1e21 (0.1, 2,
 * 0.000001), exponent form outside (1e+21), never locale-dependent. */
static void
format_double (char   *buf,
               gsize   size,
               double  value)
{
  char scientific[G_ASCII_DTOSTR_BUF_SIZE];
  char digits[32];
  gsize n_digits = 0;
  gboolean negative;
  const char *p;
  int exponent;
  GString *out;

  if (value == 0)
    {
      g_strlcpy (buf, "0", size);
      return;
    }

  for (int precision = 0; precision <= 16; precision++)
    {
      char format[8];

      g_snprintf (format, sizeof format, "%%.%de", precision);
      g_ascii_formatd (scientific, sizeof scientific, format, value);
      if (g_ascii_strtod (scientific, NULL) == value)
        break;
    }

  /* scientific is now "-d.ddde±xx": split digits and exponent. */
  p = scientific;
  negative = (*p == '-');
  if (negative)
    p++;
  for (; *p != 'e' && *p != '\0'; p++)
    if (g_ascii_isdigit (*p) && n_digits < sizeof digits - 1)
      digits[n_digits++] = *p;
  digits[n_digits] = '\0';
  exponent = (*p == 'e') ? atoi (p + 1) : 0;
  while (n_digits > 1 && digits[n_digits - 1] == '0')
    digits[--n_digits] = '\0';

  out = g_string_new (negative ? "-" : "");
  if (exponent >= 21 || exponent < -6)
    {
      g_string_append_c (out, digits[0]);
      if (n_digits > 1)
        g_string_append_printf (out, ".%s", digits + 1);
      g_string_append_printf (out, "e%c%d", exponent < 0 ? '-' : '+', ABS (exponent));
    }
  else if (exponent >= 0)
    {
      for (int i = 0; i <= exponent || i < (int) n_digits; i++)
        {
          if (i == exponent + 1)
            g_string_append_c (out, '.');
          g_string_append_c (out, i < (int) n_digits ? digits[i] : '0');
        }
    }
  else
    {
      g_string_append (out, "0.");
      for (int i = -1; i > exponent; i--)
        g_string_append_c (out, '0');
      g_string_append (out, digits);
    }

  g_strlcpy (buf, out->str, size);
  g_string_free (out, TRUE);
}

/* A key travels in two forms: @key as the caller would write it, for
 * messages, and @wire already escaped. A member name is data: its own
 * brackets are escaped ("metadata[a%5Db]"), so that a name such as "a][b"
 * cannot add a level of nesting on the server (Stripe reads the escaped
 * brackets as part of the name). Only the brackets the encoder adds for
 * nesting stay literal, as do those of a flat top-level key such as
 * "created[gt]", which its caller wrote on purpose. */
static gboolean
append_scalar (GString     *out,
               const char  *key,
               const char  *wire,
               JsonNode    *node,
               GError     **error)
{
  char number[G_ASCII_DTOSTR_BUF_SIZE];
  const char *text = NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_BOOLEAN:
      text = json_node_get_boolean (node) ? "true" : "false";
      break;
    case G_TYPE_INT64:
      g_snprintf (number, sizeof number, "%" G_GINT64_FORMAT, json_node_get_int (node));
      text = number;
      break;
    case G_TYPE_DOUBLE:
      {
        double value = json_node_get_double (node);

        if (!isfinite (value))
          {
            g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         _("Cannot send “%s”: it is not a finite number"), key);
            return FALSE;
          }
        format_double (number, sizeof number, value);
        text = number;
      }
      break;
    case G_TYPE_STRING:
      text = json_node_get_string (node);
      break;
    default:
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Cannot send “%s”: its value has an unsupported type"), key);
      return FALSE;
    }

  if (out->len > 0)
    g_string_append_c (out, '&');
  g_string_append (out, wire);
  g_string_append_c (out, '=');
  pa_form_append_escaped (out, text, FALSE);
  return TRUE;
}

static gboolean
append_node (GString     *out,
             const char  *key,
             const char  *wire,
             JsonNode    *node,
             GError     **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObject *object = json_node_get_object (node);
        g_autoptr(GList) members = json_object_get_members (object);

        /* json_object_get_members() keeps insertion order, so the body is
         * stable and reads like the object it came from. */
        for (GList *l = members; l != NULL; l = l->next)
          {
            const char *name = l->data;
            g_autofree char *child_key = NULL;
            g_autofree char *child_wire = NULL;

            if (key != NULL)
              {
                g_autofree char *escaped_name = pa_form_escape (name, FALSE);

                child_key = g_strdup_printf ("%s[%s]", key, name);
                child_wire = g_strdup_printf ("%s[%s]", wire, escaped_name);
              }
            else
              {
                child_key = g_strdup (name);
                child_wire = pa_form_escape (name, TRUE);
              }
            if (!append_node (out, child_key, child_wire,
                              json_object_get_member (object, name), error))
              return FALSE;
          }
      }
      return TRUE;

    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);
        guint n = json_array_get_length (array);

        for (guint i = 0; i < n; i++)
          {
            g_autofree char *child_key = g_strdup_printf ("%s[%u]", key, i);
            g_autofree char *child_wire = g_strdup_printf ("%s[%u]", wire, i);

            if (!append_node (out, child_key, child_wire,
                              json_array_get_element (array, i), error))
              return FALSE;
          }
      }
      return TRUE;

    case JSON_NODE_NULL:
      if (out->len > 0)
        g_string_append_c (out, '&');
      g_string_append (out, wire);
      g_string_append_c (out, '=');
      return TRUE;

    case JSON_NODE_VALUE:
      return append_scalar (out, key, wire, node, error);

    default:
      g_assert_not_reached ();
    }
}

char *
pa_form_encode (JsonNode  *object,
                GError   **error)
{
  g_autoptr(GString) out = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (object == NULL || !JSON_NODE_HOLDS_OBJECT (object))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("A form body must be a JSON object"));
      return NULL;
    }

  out = g_string_new (NULL);
  if (!append_node (out, NULL, NULL, object, error))
    return NULL;
  return g_string_free (g_steal_pointer (&out), FALSE);
}

void
pa_form_field_free (PaFormField *field)
{
  if (field == NULL)
    return;
  g_free (field->key);
  g_free (field->value);
  g_free (field);
}

static int
hex_value (char c)
{
  return g_ascii_xdigit_value (c);
}

static char *
unescape (const char  *text,
          gsize        length,
          GError     **error)
{
  g_autoptr(GString) out = g_string_sized_new (length);

  for (gsize i = 0; i < length; i++)
    {
      char c = text[i];

      if (c == '+')
        {
          g_string_append_c (out, ' ');
        }
      else if (c == '%')
        {
          int hi, lo;

          if (i + 2 < length)
            {
              hi = hex_value (text[i + 1]);
              lo = hex_value (text[i + 2]);
            }
          else
            {
              hi = lo = -1;
            }
          if (hi < 0 || lo < 0)
            {
              g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                                   /* xgettext:no-c-format */
                                   _("The form body has a broken %-escape"));
              return NULL;
            }
          g_string_append_c (out, (char) ((hi << 4) | lo));
          i += 2;
        }
      else
        {
          g_string_append_c (out, c);
        }
    }

  if (!g_utf8_validate_len (out->str, out->len, NULL))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("The form body is not valid UTF-8"));
      return NULL;
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}

GPtrArray *
pa_form_decode (const char  *body,
                gssize       length,
                GError     **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  const char *end;
  const char *p;

  g_return_val_if_fail (body != NULL || length == 0, NULL);

  if (length < 0)
    length = body != NULL ? (gssize) strlen (body) : 0;

  fields = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_form_field_free);
  end = body + length;

  for (p = body; p < end;)
    {
      const char *amp = memchr (p, '&', (gsize) (end - p));
      const char *pair_end = amp != NULL ? amp : end;
      const char *eq;
      g_autoptr(PaFormField) field = NULL;

      if (pair_end == p)
        {
          p = pair_end + 1;
          continue;
        }

      eq = memchr (p, '=', (gsize) (pair_end - p));
      field = g_new0 (PaFormField, 1);
      field->key = unescape (p, (gsize) ((eq != NULL ? eq : pair_end) - p), error);
      if (field->key == NULL)
        return NULL;
      if (eq != NULL)
        field->value = unescape (eq + 1, (gsize) (pair_end - eq - 1), error);
      else
        field->value = g_strdup ("");
      if (field->value == NULL)
        return NULL;

      g_ptr_array_add (fields, g_steal_pointer (&field));
      p = pair_end + 1;
    }

  return g_steal_pointer (&fields);
}

/* Splits "a[b][0]" into "a", "b", "0". */
static GPtrArray *
split_key (const char  *key,
           GError     **error)
{
  g_autoptr(GPtrArray) segments = g_ptr_array_new_with_free_func (g_free);
  const char *open = strchr (key, '[');
  const char *p;

  if (open == NULL)
    {
      g_ptr_array_add (segments, g_strdup (key));
      return g_steal_pointer (&segments);
    }

  g_ptr_array_add (segments, g_strndup (key, (gsize) (open - key)));
  for (p = open; *p != '\0';)
    {
      const char *close;

      if (*p != '[' || (close = strchr (p, ']')) == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                       _("The form field “%s” has unbalanced brackets"), key);
          return NULL;
        }
      g_ptr_array_add (segments, g_strndup (p + 1, (gsize) (close - p - 1)));
      p = close + 1;
    }

  if (*(const char *) segments->pdata[0] == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                   _("The form field “%s” has no name"), key);
      return NULL;
    }

  return g_steal_pointer (&segments);
}

static gboolean
is_index (const char *segment)
{
  if (*segment == '\0')
    return TRUE;   /* a[]=x appends */
  for (const char *p = segment; *p != '\0'; p++)
    if (!g_ascii_isdigit (*p))
      return FALSE;
  return TRUE;
}

static JsonNode *
new_container (const char *next_segment)
{
  JsonNode *node;

  if (is_index (next_segment))
    {
      node = json_node_new (JSON_NODE_ARRAY);
      json_node_take_array (node, json_array_new ());
    }
  else
    {
      node = json_node_new (JSON_NODE_OBJECT);
      json_node_take_object (node, json_object_new ());
    }
  return node;
}

static gboolean
insert_field (JsonNode     *root,
              PaFormField  *field,
              GError      **error)
{
  g_autoptr(GPtrArray) segments = split_key (field->key, error);
  JsonNode *node = root;

  if (segments == NULL)
    return FALSE;

  for (guint i = 0; i < segments->len; i++)
    {
      const char *segment = segments->pdata[i];
      gboolean last = (i + 1 == segments->len);
      JsonNode *child = NULL;

      if (JSON_NODE_HOLDS_OBJECT (node))
        {
          JsonObject *object = json_node_get_object (node);

          child = json_object_get_member (object, segment);
          if (last)
            {
              if (child != NULL)
                goto conflict;
              json_object_set_string_member (object, segment, field->value);
              return TRUE;
            }
          if (child == NULL)
            {
              child = new_container (segments->pdata[i + 1]);
              json_object_set_member (object, segment, child);
            }
        }
      else
        {
          JsonArray *array = json_node_get_array (node);
          guint length = json_array_get_length (array);
          guint64 index = length;

          if (*segment != '\0' &&
              (!g_ascii_string_to_unsigned (segment, 10, 0, G_MAXUINT, &index, NULL) ||
               index > length))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("The form field “%s” skips an array index"), field->key);
              return FALSE;
            }
          if (last)
            {
              if (index < length)
                goto conflict;
              json_array_add_string_element (array, field->value);
              return TRUE;
            }
          if (index < length)
            {
              child = json_array_get_element (array, (guint) index);
            }
          else
            {
              child = new_container (segments->pdata[i + 1]);
              json_array_add_element (array, child);
            }
        }

      if (JSON_NODE_HOLDS_ARRAY (child) != is_index (segments->pdata[i + 1]) ||
          JSON_NODE_HOLDS_VALUE (child))
        goto conflict;
      node = child;
    }

  g_assert_not_reached ();

conflict:
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("The form field “%s” conflicts with an earlier field"), field->key);
  return FALSE;
}

JsonNode *
pa_form_decode_json (const char  *body,
                     gssize       length,
                     GError     **error)
{
  g_autoptr(GPtrArray) fields = pa_form_decode (body, length, error);
  g_autoptr(JsonNode) root = NULL;

  if (fields == NULL)
    return NULL;

  root = json_node_new (JSON_NODE_OBJECT);
  json_node_take_object (root, json_object_new ());
  for (guint i = 0; i < fields->len; i++)
    if (!insert_field (root, fields->pdata[i], error))
      return NULL;

  return g_steal_pointer (&root);
}
