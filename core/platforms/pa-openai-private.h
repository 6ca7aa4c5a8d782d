/* pa-openai-private.h — what the files of PaOpenai share
 *
 * pa-openai.c (the client, chat, images, moderation) and
 * pa-openai-stream.c (the streamed chat) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-openai-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-limits.h"
#include "pa-openai.h"

G_BEGIN_DECLS

#define PA_OPENAI_DEFAULT_STREAM_IDLE_TIMEOUT_S PA_LIMIT_STREAM_IDLE_SECONDS

struct _PaOpenai
{
  PaPlatform parent_instance;

  guint      stream_idle_timeout_s;
  gsize      stream_max_bytes;
};


/* "host[:port]" of the base URL, for names and messages. */
char               *pa_openai_dup_base_host      (PaOpenai            *self);
void                pa_openai_set_not_offered    (GError             **error,
                                                  const char          *host,
                                                  const char          *path);
gboolean            pa_openai_check_offered      (PaPlatform          *self,
                                                  PaHttpResponse      *response,
                                                  const char          *path,
                                                  GError             **error);

/* The body of POST /chat/completions, or NULL with @error for arguments
 * the server would refuse. */
JsonNode           *pa_openai_chat_body          (const char          *model,
                                                  JsonArray           *messages,
                                                  double               temperature,
                                                  guint                max_tokens,
                                                  gboolean             stream,
                                                  GError             **error);
PaOpenaiChatResult *pa_openai_parse_chat         (JsonObject          *object,
                                                  const char          *host,
                                                  GError             **error);
/* Adds the token counts of @usage (may be NULL) to @chat. */
void                pa_openai_read_usage         (PaOpenaiChatResult  *chat,
                                                  JsonObject          *usage);

G_END_DECLS
