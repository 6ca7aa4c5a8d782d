/* pa-json-private.c — reading the members of platform answers
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "pa-json-private.h"

JsonNode *
pa_json_get_member (JsonObject *object,
                    const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

JsonObject *
pa_json_node_get_object (JsonNode *node)
{
  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

const char *
pa_json_get_string (JsonObject *object,
                    const char *name)
{
  JsonNode *node = pa_json_get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

JsonObject *
pa_json_get_object (JsonObject *object,
                    const char *name)
{
  return pa_json_node_get_object (pa_json_get_member (object, name));
}

JsonArray *
pa_json_get_array (JsonObject *object,
                   const char *name)
{
  JsonNode *node = pa_json_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
pa_json_get_int (JsonObject *object,
                 const char *name,
                 gint64     *value)
{
  JsonNode *node = pa_json_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *value = json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      {
        double d = json_node_get_double (node);

        /* Casting a double outside gint64's range, or NaN, is undefined
         * behaviour; a peer can send 1e300. -2⁶³ is exact as a double,
         * 2⁶³ is the first value past the end. Only whole numbers count:
         * 2.5 is not an integer. */
        gint64 whole;

        if (!isfinite (d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
          return FALSE;
        whole = (gint64) d;
        if ((double) whole != d)
          return FALSE;
        *value = whole;
        return TRUE;
      }
    default:
      return FALSE;
    }
}

gboolean
pa_json_get_boolean (JsonObject *object,
                     const char *name)
{
  JsonNode *node = pa_json_get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
         json_node_get_value_type (node) == G_TYPE_BOOLEAN &&
         json_node_get_boolean (node);
}

char *
pa_json_dup_text (JsonObject *object,
                  const char *name)
{
  JsonNode *node = pa_json_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return NULL;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_STRING:
      return g_strdup (json_node_get_string (node));
    case G_TYPE_INT64:
      return g_strdup_printf ("%" G_GINT64_FORMAT, json_node_get_int (node));
    case G_TYPE_DOUBLE:
      return g_strdup_printf ("%.0f", json_node_get_double (node));
    default:
      return NULL;
    }
}

JsonObject *
pa_json_array_get_first_object (JsonArray *array)
{
  if (array == NULL || json_array_get_length (array) == 0)
    return NULL;
  return pa_json_node_get_object (json_array_get_element (array, 0));
}
