/* fuzz-workflow.c — the workflow parser and validator
 *
 * A workflow is a file people share: whatever it holds, parsing must end
 * in a workflow or an error. A workflow that parses must also survive
 * what the app does next with it: ordering its steps, binding default
 * inputs, and writing it back out, which must read back as the same
 * workflow (pa_workflow_to_json() promises this).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fuzz-common.h"
#include "pa-action.h"
#include "pa-workflow.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaActionRegistry *registry;
  g_autoptr(PaWorkflow) workflow = NULL;
  g_autoptr(PaWorkflow) again = NULL;
  GPtrArray *order;
  g_autoptr(JsonObject) inputs = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *json = NULL;
  g_autofree char *json_again = NULL;

  fuzz_init ();
  if (registry == NULL)
    registry = pa_action_registry_new_default ();

  /* Every reader of a workflow file puts it through the JSON guard first. */
  if (!pa_json_check_bounds ((const char *) data, size, PA_LIMIT_WORKFLOW_FILE_BYTES,
                             PA_ERROR_INVALID_INPUT, "The workflow", &error))
    return 0;

  workflow = pa_workflow_new_from_data ((const char *) data, (gssize) size, registry, &error);
  if (workflow == NULL)
    {
      g_assert (error != NULL);
      return 0;
    }

  order = pa_workflow_get_order (workflow);
  g_assert (order->len == pa_workflow_get_n_steps (workflow));
  inputs = pa_workflow_bind_inputs (workflow, NULL, NULL);

  json = pa_workflow_to_json (workflow);
  again = pa_workflow_new_from_data (json, -1, registry, &error);
  if (again == NULL)
    g_error ("A workflow written back does not parse: %s\n%s", error->message, json);
  json_again = pa_workflow_to_json (again);
  g_assert_cmpstr (json, ==, json_again);

  return 0;
}
