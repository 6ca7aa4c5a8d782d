/* fuzz-agora.c — the readers of Agora Media Gateway's answers: a
 * streaming key, the list of online streams, and error answers
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-agora-gateway.c"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaPlatform *platform;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;

  fuzz_init ();
  if (platform == NULL)
    platform = PA_PLATFORM (pa_agora_new (fuzz_platform_http (), "fuzz",
                                          "https://api.agora.invalid"));
  if (size < 2)
    return 0;
  if (data[0] % 3 == 2)
    {
      fuzz_platform_parse_error (platform, data[1], data + 2, size - 2);
      return 0;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL)
    return 0;

  if (data[0] % 3 == 0)
    {
      g_autoptr(PaAgoraStreamKey) key = parse_stream_key (root, &error);

      g_assert ((key != NULL) == (error == NULL));
      if (key != NULL)
        g_assert (key->stream_key != NULL && key->stream_key[0] != '\0');
    }
  else
    {
      g_autoptr(GPtrArray) streams = parse_online_streams (root, &error);

      g_assert ((streams != NULL) == (error == NULL));
    }

  return 0;
}
