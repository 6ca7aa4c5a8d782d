/* pa-agora-token-private.h — what building and parsing tokens share
 *
 * pa-agora-token.c (building) and pa-agora-token-parse.c (parsing,
 * verifying) read and write the same layout, described in
 * pa-agora-token.c.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-agora-token-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-agora-token.h"

G_BEGIN_DECLS

#define PA_AGORA_TOKEN_VERSION        "007"
#define PA_AGORA_TOKEN_VERSION_LEN    3
#define PA_AGORA_TOKEN_HEX_ID_LEN     32
#define PA_AGORA_TOKEN_SIGNATURE_LEN  32

/* Whether @str is an app ID or certificate: 32 hexadecimal characters. */
gboolean pa_agora_token_is_hex_id (const char   *str);
/* The signature of @content, from the certificate, issue time and salt. */
void     pa_agora_token_sign      (const char   *app_certificate,
                                   guint32       issue_ts,
                                   guint32       salt,
                                   const guint8 *content,
                                   gsize         content_len,
                                   guint8        signature[PA_AGORA_TOKEN_SIGNATURE_LEN]);

G_END_DECLS
