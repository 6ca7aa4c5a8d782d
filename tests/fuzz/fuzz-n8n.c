/* fuzz-n8n.c — the readers of n8n's answers: one workflow or execution,
 * a page of them, the account check, and error answers
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-n8n.c"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaN8n *n8n;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  const ObjectKind *kind;
  JsonObject *object;

  fuzz_init ();
  if (n8n == NULL)
    n8n = pa_n8n_new (fuzz_platform_http (), "fuzz", "http://localhost:1");
  if (size < 2)
    return 0;
  if (data[0] % 4 == 3)
    {
      fuzz_platform_parse_error (PA_PLATFORM (n8n), data[1], data + 2, size - 2);
      return 0;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  object = json_node_get_object (root);
  kind = data[0] & 4 ? &execution_kind : &workflow_kind;

  switch (data[0] % 4)
    {
    case 0:
      {
        gpointer item = parse_one (n8n, kind, object, &error);

        g_assert ((item != NULL) == (error == NULL));
        g_clear_pointer (&item, kind->free);
      }
      break;
    case 1:
      {
        PaPage *page = parse_page (n8n, kind, object, &error);

        g_assert ((page != NULL) == (error == NULL));
        g_clear_pointer (&page, pa_page_free);
      }
      break;
    default:
      {
        PaIdentity *identity = parse_check (n8n, kind, object, &error);

        g_assert ((identity != NULL) == (error == NULL));
        g_clear_pointer (&identity, pa_identity_free);
      }
      break;
    }

  return 0;
}
