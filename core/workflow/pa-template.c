/* pa-template.c — {{inputs.x}} and {{steps.id.output.path}} expressions in step arguments
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-limits.h"
#include "pa-template.h"

typedef struct {
  char   *key;     /* NULL for an index */
  guint64 index;
} Segment;

typedef struct {
  PaTemplateRefKind kind;
  char             *name;
  GArray           *segments;   /* Segment */
  char             *text;       /* normalised, without braces */
} Expr;

typedef struct {
  char *literal;   /* NULL when this part is an expression */
  Expr *expr;
} Part;

static void
segment_clear (gpointer data)
{
  Segment *segment = data;

  g_free (segment->key);
}

static void
expr_free (Expr *expr)
{
  if (expr == NULL)
    return;
  g_free (expr->name);
  g_array_unref (expr->segments);
  g_free (expr->text);
  g_free (expr);
}

static void
part_free (gpointer data)
{
  Part *part = data;

  g_free (part->literal);
  expr_free (part->expr);
  g_free (part);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Expr, expr_free)

void
pa_template_ref_free (PaTemplateRef *ref)
{
  if (ref == NULL)
    return;
  g_free (ref->name);
  g_free (ref->path);
  g_free (ref->expression);
  g_free (ref);
}

static gboolean
is_ident_char (char c)
{
  return g_ascii_isalnum (c) || c == '_' || c == '-';
}

static char *
read_ident (const char **p)
{
  const char *start = *p;

  while (is_ident_char (**p))
    (*p)++;
  if (*p == start)
    return NULL;
  return g_strndup (start, *p - start);
}

static void
append_segments (GString *out,
                 GArray  *segments,
                 guint    n)
{
  for (guint i = 0; i < n; i++)
    {
      Segment *segment = &g_array_index (segments, Segment, i);

      if (segment->key != NULL)
        g_string_append_printf (out, ".%s", segment->key);
      else
        g_string_append_printf (out, "[%" G_GUINT64_FORMAT "]", segment->index);
    }
}

/* The path after the name (inputs) or after "output" (steps), up to
 * segment @n, without a leading dot: "a.b[0]". */
static char *
expr_path (Expr *expr,
           guint n)
{
  GString *out = g_string_new (NULL);

  append_segments (out, expr->segments, n);
  if (out->len > 0 && out->str[0] == '.')
    g_string_erase (out, 0, 1);
  return g_string_free (out, FALSE);
}

static void
expr_normalise (Expr *expr)
{
  GString *out = g_string_new (NULL);

  if (expr->kind == PA_TEMPLATE_REF_INPUTS)
    g_string_append_printf (out, "inputs.%s", expr->name);
  else
    g_string_append_printf (out, "steps.%s.output", expr->name);
  append_segments (out, expr->segments, expr->segments->len);
  expr->text = g_string_free (out, FALSE);
}

static Expr *
parse_expr (const char  *text,
            GError     **error)
{
  g_autoptr(Expr) expr = g_new0 (Expr, 1);
  g_autofree char *root = NULL;
  const char *p = text;

  expr->segments = g_array_new (FALSE, TRUE, sizeof (Segment));
  g_array_set_clear_func (expr->segments, segment_clear);

  if (*text == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“{{}}”: empty expression; write {{inputs.NAME}} or {{steps.ID.output}}"));
      return NULL;
    }

  root = read_ident (&p);
  if (g_strcmp0 (root, "inputs") == 0)
    expr->kind = PA_TEMPLATE_REF_INPUTS;
  else if (g_strcmp0 (root, "steps") == 0)
    expr->kind = PA_TEMPLATE_REF_STEPS;
  else
    goto unknown;

  if (*p != '.')
    goto unknown;
  p++;
  expr->name = read_ident (&p);
  if (expr->name == NULL)
    goto unknown;

  if (expr->kind == PA_TEMPLATE_REF_STEPS)
    {
      g_autofree char *output = NULL;

      if (*p != '.')
        goto unknown;
      p++;
      output = read_ident (&p);
      if (g_strcmp0 (output, "output") != 0)
        goto unknown;
    }

  while (*p != '\0')
    {
      Segment segment = { NULL, 0 };

      if (*p == '.')
        {
          p++;
          segment.key = read_ident (&p);
          if (segment.key == NULL)
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("“{{%s}}”: a field name is missing after a dot"), text);
              return NULL;
            }
        }
      else if (*p == '[')
        {
          const char *start = ++p;
          g_autofree char *digits = NULL;

          while (g_ascii_isdigit (*p))
            p++;
          digits = g_strndup (start, p - start);
          if (*p != ']' || p == start ||
              !g_ascii_string_to_unsigned (digits, 10, 0, G_MAXINT, &segment.index, NULL))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("“{{%s}}”: bad index; an index is a number in brackets, like [0]"),
                           text);
              return NULL;
            }
          p++;
        }
      else
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("“{{%s}}”: unexpected “%c”"), text, *p);
          return NULL;
        }
      g_array_append_val (expr->segments, segment);
    }

  expr_normalise (expr);
  return g_steal_pointer (&expr);

unknown:
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("“{{%s}}”: unknown reference; write {{inputs.NAME}} or {{steps.ID.output}}"),
               text);
  return NULL;
}

static void
flush_literal (GPtrArray *parts,
               GString   *literal)
{
  Part *part;

  if (literal->len == 0)
    return;
  part = g_new0 (Part, 1);
  part->literal = g_strdup (literal->str);
  g_ptr_array_add (parts, part);
  g_string_truncate (literal, 0);
}

/* Splits @text into literal and expression parts. */
static GPtrArray *
parse_string (const char  *text,
              GError     **error)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (part_free);
  g_autoptr(GString) literal = g_string_new (NULL);
  const char *p = text;

  while (*p != '\0')
    {
      if (p[0] == '\\' && p[1] == '{' && p[2] == '{')
        {
          g_string_append (literal, "{{");
          p += 3;
        }
      else if (p[0] == '{' && p[1] == '{')
        {
          const char *end = strstr (p + 2, "}}");
          g_autofree char *inner = NULL;
          Part *part;
          Expr *expr;

          if (end == NULL)
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("“%s”: “{{” is not closed by “}}”; write “\\{{” for a literal “{{”"),
                           text);
              return NULL;
            }
          inner = g_strstrip (g_strndup (p + 2, end - (p + 2)));
          expr = parse_expr (inner, error);
          if (expr == NULL)
            return NULL;
          flush_literal (parts, literal);
          part = g_new0 (Part, 1);
          part->expr = expr;
          g_ptr_array_add (parts, part);
          p = end + 2;
        }
      else
        {
          g_string_append_c (literal, *p);
          p++;
        }
    }
  flush_literal (parts, literal);
  return g_steal_pointer (&parts);
}

gboolean
pa_template_has_expression (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    {
      if (p[0] == '\\' && p[1] == '{' && p[2] == '{')
        p += 2;
      else if (p[0] == '{' && p[1] == '{')
        return TRUE;
    }
  return FALSE;
}

static gboolean
collect (JsonNode   *node,
         GPtrArray  *refs,
         GError    **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        /* json-glib 1.6 needs both out arguments here. */
        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          if (!collect (member, refs, error))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        for (guint i = 0; i < json_array_get_length (array); i++)
          if (!collect (json_array_get_element (array, i), refs, error))
            return FALSE;
        return TRUE;
      }
    case JSON_NODE_VALUE:
      {
        g_autoptr(GPtrArray) parts = NULL;

        if (json_node_get_value_type (node) != G_TYPE_STRING)
          return TRUE;
        parts = parse_string (json_node_get_string (node), error);
        if (parts == NULL)
          return FALSE;
        for (guint i = 0; i < parts->len; i++)
          {
            Part *part = g_ptr_array_index (parts, i);
            PaTemplateRef *ref;

            if (part->expr == NULL)
              continue;
            ref = g_new0 (PaTemplateRef, 1);
            ref->kind = part->expr->kind;
            ref->name = g_strdup (part->expr->name);
            ref->path = expr_path (part->expr, part->expr->segments->len);
            ref->expression = g_strdup (part->expr->text);
            ref->whole = parts->len == 1;
            g_ptr_array_add (refs, ref);
          }
        return TRUE;
      }
    case JSON_NODE_NULL:
    default:
      return TRUE;
    }
}

GPtrArray *
pa_template_collect_refs (JsonNode  *node,
                          GError   **error)
{
  g_autoptr(GPtrArray) refs = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_template_ref_free);

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (node != NULL && !collect (node, refs, error))
    return NULL;
  return g_steal_pointer (&refs);
}

/* "step pay output field a.b", "input x" — what the first @n segments of
 * @expr name, for messages. */
static char *
describe (Expr *expr,
          guint n)
{
  g_autofree char *path = expr_path (expr, n);

  if (expr->kind == PA_TEMPLATE_REF_INPUTS)
    return n == 0 ? g_strdup_printf (_("input %s"), expr->name)
                  : g_strdup_printf (_("input %s field %s"), expr->name, path);
  return n == 0 ? g_strdup_printf (_("step %s output"), expr->name)
                : g_strdup_printf (_("step %s output field %s"), expr->name, path);
}

static JsonNode *
lookup (Expr        *expr,
        JsonObject  *inputs,
        GHashTable  *step_outputs,
        GError     **error)
{
  JsonNode *node;

  if (expr->kind == PA_TEMPLATE_REF_INPUTS)
    {
      node = inputs != NULL ? json_object_get_member (inputs, expr->name) : NULL;
      if (node == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s: there is no input named %s"), expr->text, expr->name);
          return NULL;
        }
    }
  else
    {
      node = step_outputs != NULL ? g_hash_table_lookup (step_outputs, expr->name) : NULL;
      if (node == NULL)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("%s: step %s has no output; it has not finished"),
                       expr->text, expr->name);
          return NULL;
        }
    }

  for (guint i = 0; i < expr->segments->len; i++)
    {
      Segment *segment = &g_array_index (expr->segments, Segment, i);
      g_autofree char *what = describe (expr, i);

      if (segment->key != NULL)
        {
          JsonObject *object;

          if (!JSON_NODE_HOLDS_OBJECT (node))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("%s: %s is not an object"), expr->text, what);
              return NULL;
            }
          object = json_node_get_object (node);
          if (!json_object_has_member (object, segment->key))
            {
              g_autofree char *path = expr_path (expr, i + 1);

              if (expr->kind == PA_TEMPLATE_REF_INPUTS)
                g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("%s: input %s has no field %s"),
                             expr->text, expr->name, path);
              else
                g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("%s: step %s has no output field %s"),
                             expr->text, expr->name, path);
              return NULL;
            }
          node = json_object_get_member (object, segment->key);
        }
      else
        {
          JsonArray *array;

          if (!JSON_NODE_HOLDS_ARRAY (node))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("%s: %s is not an array"), expr->text, what);
              return NULL;
            }
          array = json_node_get_array (node);
          if (segment->index >= json_array_get_length (array))
            {
              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           g_dngettext (GETTEXT_PACKAGE,
                                        "%s: %s has %u element, no element %u",
                                        "%s: %s has %u elements, no element %u",
                                        json_array_get_length (array)),
                           expr->text, what, json_array_get_length (array),
                           (guint) segment->index);
              return NULL;
            }
          node = json_array_get_element (array, segment->index);
        }
    }
  return node;
}

static void
append_number (GString *out,
               double   value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* The shortest form that reads back the same: 2.5, 3, 0.1. */
  g_ascii_formatd (buf, sizeof buf, "%.15g", value);
  if (g_ascii_strtod (buf, NULL) != value)
    g_ascii_formatd (buf, sizeof buf, "%.17g", value);
  g_string_append (out, buf);
}

static void
append_value (GString  *out,
              JsonNode *node)
{
  if (JSON_NODE_HOLDS_NULL (node))
    {
      g_string_append (out, "null");
      return;
    }
  if (!JSON_NODE_HOLDS_VALUE (node))
    {
      g_autofree char *json = json_to_string (node, FALSE);

      g_string_append (out, json);
      return;
    }
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      g_string_append (out, json_node_get_string (node));
      break;
    case G_TYPE_INT64:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, json_node_get_int (node));
      break;
    case G_TYPE_DOUBLE:
      append_number (out, json_node_get_double (node));
      break;
    case G_TYPE_BOOLEAN:
      g_string_append (out, json_node_get_boolean (node) ? "true" : "false");
      break;
    default:
      break;
    }
}

/* ---- resolving, within a budget ----------------------------------------
 *
 * Each expression copies a value, so arguments that name an output twice
 * are twice its size, and a chain of steps that each double the last
 * grows as 2ⁿ. What a resolved tree would weigh as JSON is counted as it
 * is built, and building stops as soon as it passes the limit: the
 * oversized tree is never made. */

static gboolean
charge (gsize    *budget,
        gsize     bytes,
        GError  **error)
{
  if (bytes <= *budget)
    {
      *budget -= bytes;
      return TRUE;
    }
  {
    g_autofree char *limit = g_format_size (PA_LIMIT_RESOLVED_ARGUMENTS_BYTES);

    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("The step's arguments would be larger than %s once their templates are "
                   "resolved (PA_LIMIT_RESOLVED_ARGUMENTS_BYTES)"), limit);
  }
  return FALSE;
}

/**
 * pa_template_node_size:
 * @node: a JSON tree
 * @limit: where to stop counting
 *
 * Roughly what @node weighs as JSON text, without writing it. The walk
 * stops as soon as the count passes @limit, so it costs no more than
 * @limit however large @node is.
 *
 * Returns: the size in bytes, or more than @limit
 */
gsize
pa_template_node_size (JsonNode *node,
                       gsize     limit)
{
  gsize size = 0;

  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;

        size = 2;
        json_object_iter_init (&iter, json_node_get_object (node));
        while (size <= limit && json_object_iter_next (&iter, &name, &member))
          size += strlen (name) + 4 + pa_template_node_size (member, limit - MIN (size, limit));
        return size;
      }
    case JSON_NODE_ARRAY:
      {
        JsonArray *array = json_node_get_array (node);

        size = 2;
        for (guint i = 0; size <= limit && i < json_array_get_length (array); i++)
          size += 1 + pa_template_node_size (json_array_get_element (array, i),
                                             limit - MIN (size, limit));
        return size;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return strlen (json_node_get_string (node)) + 2;
      return G_ASCII_DTOSTR_BUF_SIZE;
    case JSON_NODE_NULL:
    default:
      return 4;
    }
}

static gboolean
charge_node (gsize     *budget,
             JsonNode  *node,
             GError   **error)
{
  return charge (budget, pa_template_node_size (node, *budget), error);
}

static JsonNode *
resolve_string (JsonNode    *node,
                JsonObject  *inputs,
                GHashTable  *step_outputs,
                gsize       *budget,
                GError     **error)
{
  g_autoptr(GPtrArray) parts = parse_string (json_node_get_string (node), error);
  g_autoptr(GString) out = NULL;
  JsonNode *result;

  if (parts == NULL)
    return NULL;

  if (parts->len == 1 && ((Part *) parts->pdata[0])->expr != NULL)
    {
      JsonNode *value = lookup (((Part *) parts->pdata[0])->expr, inputs, step_outputs, error);

      if (value == NULL || !charge_node (budget, value, error))
        return NULL;
      return json_node_copy (value);
    }

  out = g_string_new (NULL);
  for (guint i = 0; i < parts->len; i++)
    {
      Part *part = g_ptr_array_index (parts, i);
      JsonNode *value;

      if (part->literal != NULL)
        {
          if (!charge (budget, strlen (part->literal), error))
            return NULL;
          g_string_append (out, part->literal);
          continue;
        }
      value = lookup (part->expr, inputs, step_outputs, error);
      /* Charged before it is rendered: a large object is not turned
       * into text only to be refused. */
      if (value == NULL || !charge_node (budget, value, error))
        return NULL;
      append_value (out, value);
    }
  result = json_node_new (JSON_NODE_VALUE);
  json_node_set_string (result, out->str);
  return result;
}

static JsonNode *
resolve_node (JsonNode    *node,
              JsonObject  *inputs,
              GHashTable  *step_outputs,
              gsize       *budget,
              GError     **error)
{
  switch (JSON_NODE_TYPE (node))
    {
    case JSON_NODE_OBJECT:
      {
        g_autoptr(JsonObject) object = json_object_new ();
        JsonObjectIter iter;
        const char *name;
        JsonNode *member;
        JsonNode *result;

        json_object_iter_init_ordered (&iter, json_node_get_object (node));
        while (json_object_iter_next_ordered (&iter, &name, &member))
          {
            JsonNode *resolved = NULL;

            if (charge (budget, strlen (name) + 4, error))
              resolved = resolve_node (member, inputs, step_outputs, budget, error);
            if (resolved == NULL)
              return NULL;
            json_object_set_member (object, name, resolved);
          }
        result = json_node_new (JSON_NODE_OBJECT);
        json_node_set_object (result, object);
        return result;
      }
    case JSON_NODE_ARRAY:
      {
        g_autoptr(JsonArray) array = json_array_new ();
        JsonArray *source = json_node_get_array (node);
        JsonNode *result;

        for (guint i = 0; i < json_array_get_length (source); i++)
          {
            JsonNode *resolved = resolve_node (json_array_get_element (source, i),
                                               inputs, step_outputs, budget, error);

            if (resolved == NULL)
              return NULL;
            json_array_add_element (array, resolved);
          }
        result = json_node_new (JSON_NODE_ARRAY);
        json_node_set_array (result, array);
        return result;
      }
    case JSON_NODE_VALUE:
      if (json_node_get_value_type (node) == G_TYPE_STRING)
        return resolve_string (node, inputs, step_outputs, budget, error);
      G_GNUC_FALLTHROUGH;
    case JSON_NODE_NULL:
    default:
      if (!charge_node (budget, node, error))
        return NULL;
      return json_node_copy (node);
    }
}

JsonNode *
pa_template_resolve (JsonNode    *node,
                     JsonObject  *inputs,
                     GHashTable  *step_outputs,
                     GError     **error)
{
  gsize budget = PA_LIMIT_RESOLVED_ARGUMENTS_BYTES;

  g_return_val_if_fail (node != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return resolve_node (node, inputs, step_outputs, &budget, error);
}
