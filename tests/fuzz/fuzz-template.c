/* fuzz-template.c — template expressions in step arguments
 *
 * The input is a JSON object: "with" is the step's arguments (the whole
 * input when absent), "inputs" the bound inputs and "steps" the outputs
 * of finished steps by id. References are collected as the validator
 * does, then resolved as the engine does.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fuzz-common.h"
#include "pa-template.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonObject) no_inputs = NULL;
  g_autoptr(GHashTable) outputs = NULL;
  g_autoptr(GPtrArray) refs = NULL;
  g_autoptr(JsonNode) resolved = NULL;
  g_autoptr(GError) error = NULL;
  JsonNode *with;
  JsonObject *object = NULL;
  JsonObject *inputs = NULL;

  fuzz_init ();

  root = fuzz_parse_json (data, size);
  if (root == NULL)
    return 0;

  with = root;
  if (JSON_NODE_HOLDS_OBJECT (root))
    {
      JsonNode *node;

      object = json_node_get_object (root);
      if ((node = json_object_get_member (object, "with")) != NULL)
        with = node;
      if ((node = json_object_get_member (object, "inputs")) != NULL &&
          JSON_NODE_HOLDS_OBJECT (node))
        inputs = json_node_get_object (node);
    }
  if (inputs == NULL)
    inputs = no_inputs = json_object_new ();

  outputs = g_hash_table_new (g_str_hash, g_str_equal);
  if (object != NULL && json_object_has_member (object, "steps") &&
      JSON_NODE_HOLDS_OBJECT (json_object_get_member (object, "steps")))
    {
      JsonObject *steps = json_object_get_object_member (object, "steps");
      g_autoptr(GList) names = json_object_get_members (steps);

      for (GList *l = names; l != NULL; l = l->next)
        g_hash_table_insert (outputs, l->data, json_object_get_member (steps, l->data));
    }

  refs = pa_template_collect_refs (with, &error);
  if (refs == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }
  for (guint i = 0; i < refs->len; i++)
    {
      PaTemplateRef *ref = g_ptr_array_index (refs, i);

      g_assert (ref->name != NULL && ref->path != NULL && ref->expression != NULL);
    }

  resolved = pa_template_resolve (with, inputs, outputs, &error);
  g_assert (resolved != NULL || error != NULL);

  return 0;
}
