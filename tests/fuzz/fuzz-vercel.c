/* fuzz-vercel.c — the readers of Vercel's answers
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-vercel.c"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaPlatform *platform;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;

  fuzz_init ();
  if (platform == NULL)
    platform = PA_PLATFORM (pa_vercel_new (fuzz_platform_http (), "fuzz", "https://api.vercel.invalid"));
  if (size < 2)
    return 0;
  if (data[0] % 3 == 2)
    {
      fuzz_platform_parse_error (platform, data[1], data + 2, size - 2);
      return 0;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  object = json_node_get_object (root);

  if (data[0] % 3 == 0)
    {
      g_autoptr(PaVercelDeployment) deployment = parse_deployment (object, &error);

      g_assert ((deployment != NULL) == (error == NULL));
      if (deployment != NULL)
        g_assert (deployment->id != NULL);
    }
  else
    {
      PaVercelProject *project = parse_project (object, &error);

      g_assert ((project != NULL) == (error == NULL));
      g_clear_pointer (&project, pa_vercel_project_free);
    }

  return 0;
}
