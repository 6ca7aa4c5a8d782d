/* pa-secrets-libsecret-private.h — what the libsecret backend's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_SECRETS_COMPILATION)
# error "pa-secrets-libsecret-private.h is private to core/secrets: use its public headers"
#endif

#include <libsecret/secret.h>

#include "pa-secrets-private.h"

G_BEGIN_DECLS

/* Turns whatever libsecret, GDBus or GIO reported into a PA_ERROR that
 * says what happened and what to do. @connecting is TRUE while getting
 * the service: an I/O error then means there is no session bus at all. */
GError *pa_secrets_map_error       (const GError *error,
                                    PaSecretsOp   kind,
                                    gboolean      connecting,
                                    GCancellable *cancellable);
/* The unlock prompt was dismissed. */
GError *pa_secrets_dismissed_error (void);

G_END_DECLS
