/* pa-agora-private.h — what the files of PaAgora share
 *
 * pa-agora.c (the client, ingest URLs, keyring lookups, the check) and
 * pa-agora-gateway.c (the Media Gateway REST calls) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-agora-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-agora.h"

G_BEGIN_DECLS

struct _PaAgora
{
  PaPlatform  parent_instance;

  char       *region;
  PaSecrets  *secrets;
};

/* Looks up several fields of this account, one after the other; @fields
 * must outlive the call (static arrays) and start with "app-id". The
 * result is a GPtrArray of the values (NULL where nothing is stored), or
 * NULL with an error naming what to add when no app ID is saved. */
void       pa_agora_lookup_fields_async  (PaAgora             *self,
                                          const char * const  *fields,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
GPtrArray *pa_agora_lookup_fields_finish (PaAgora             *self,
                                          GAsyncResult        *result,
                                          GError             **error);

G_END_DECLS
