/* pa-json-private.c — reading the members of platform answers
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-json-private.h"

static JsonNode *
get_member (JsonObject *object,
            const char *name)
{
  return object != NULL ? json_object_get_member (object, name) : NULL;
}

const char *
pa_json_get_string (JsonObject *object,
                    const char *name)
{
  JsonNode *node = get_member (object, name);

  if (node != NULL && JSON_NODE_HOLDS_VALUE (node) &&
      json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  return NULL;
}

JsonObject *
pa_json_get_object (JsonObject *object,
                    const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
pa_json_get_array (JsonObject *object,
                   const char *name)
{
  JsonNode *node = get_member (object, name);

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

gboolean
pa_json_get_int (JsonObject *object,
                 const char *name,
                 gint64     *value)
{
  JsonNode *node = get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;

  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      *value = json_node_get_int (node);
      return TRUE;
    case G_TYPE_DOUBLE:
      *value = (gint64) json_node_get_double (node);
      return TRUE;
    default:
      return FALSE;
    }
}
