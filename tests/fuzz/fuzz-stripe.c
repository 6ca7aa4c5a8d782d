/* fuzz-stripe.c — the readers of Stripe's answers: list pages (walked
 * either way) and error answers
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-stripe-lists.c"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaPlatform *platform;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PaPage) page = NULL;
  g_autoptr(GError) error = NULL;
  PageWalk walk = { (char *) "/v1/fuzz", 100, 0, FALSE, FALSE };

  fuzz_init ();
  if (platform == NULL)
    platform = PA_PLATFORM (pa_stripe_new (fuzz_platform_http (), "fuzz",
                                           "https://api.stripe.invalid"));
  if (size < 2)
    return 0;
  if (data[0] & 1)
    {
      fuzz_platform_parse_error (platform, data[1], data + 2, size - 2);
      return 0;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;

  walk.forward = (data[0] & 2) != 0;
  walk.oldest_first = (data[0] & 4) != 0;
  page = page_from_list (&walk, root, &error);
  g_assert ((page != NULL) == (error == NULL));

  return 0;
}
