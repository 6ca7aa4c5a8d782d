/* fuzz-agora-token.c — the AccessToken2 parser and verifier
 *
 * The first byte picks the form of the rest: a token as text, or the
 * bytes inside one (signature and content), which are compressed and
 * encoded here so that mutations reach the reader of the binary layout
 * instead of failing zlib's checksum. Whatever the token holds, parsing
 * ends in token info or PA_ERROR_INVALID_INPUT, and a token that parses
 * is never called malformed by the verifier, which reads it again.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <zlib.h>

#include "fuzz-common.h"
#include "pa-agora-token.h"
#include "pa-error.h"

/* The certificate of the vendor's test vector, so its seeds verify. */
#define CERTIFICATE "5CFd2fd1755d40ecb72977518be15d3b"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autofree char *token = NULL;
  g_autoptr(GError) error = NULL;
  PaAgoraTokenInfo *info;

  fuzz_init ();
  if (size == 0)
    return 0;

  if (data[0] & 1)
    {
      uLongf packed_len = compressBound (size - 1);
      g_autofree Bytef *packed = g_malloc (packed_len);
      g_autofree char *encoded = NULL;

      if (compress2 (packed, &packed_len, data + 1, size - 1, Z_DEFAULT_COMPRESSION) != Z_OK)
        return 0;
      encoded = g_base64_encode (packed, packed_len);
      token = g_strconcat ("007", encoded, NULL);
    }
  else
    token = fuzz_strndup (data + 1, size - 1);

  info = pa_agora_token_parse_at (token, 1700000000, &error);
  if (info == NULL)
    {
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      return 0;
    }

  for (guint i = 0; i < info->services->len; i++)
    {
      const PaAgoraService *service = g_ptr_array_index (info->services, i);

      g_assert (pa_agora_token_info_get_service (info, service->type) != NULL);
      for (guint j = 0; j < service->privileges->len; j++)
        {
          const PaAgoraPrivilege *privilege =
            &g_array_index (service->privileges, PaAgoraPrivilege, j);

          g_assert (pa_agora_service_get_privilege (service, privilege->id) != NULL);
        }
    }
  (void) pa_agora_token_info_has_expired (info);
  pa_agora_token_info_free (info);

  if (!pa_agora_token_verify (token, CERTIFICATE, &error))
    g_assert_error (error, PA_ERROR, PA_ERROR_AUTH);

  return 0;
}
