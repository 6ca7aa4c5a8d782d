/* pa-secrets-private.h — what the keyring's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_SECRETS_COMPILATION)
# error "pa-secrets-private.h is private to core/secrets: use its public headers"
#endif

#include "pa-secrets.h"

G_BEGIN_DECLS

typedef enum {
  OP_STORE,
  OP_LOOKUP,
  OP_DELETE,
} PaSecretsOp;

/* One operation, its arguments already checked by pa-secrets.c: names are
 * non-empty UTF-8, and so is the secret of a store. */
typedef struct {
  PaSecretsOp  kind;
  char        *platform;
  char        *profile;
  char        *field;     /* NULL only for a delete of every field */
  char        *label;     /* store: how the keyring lists the item */
  char        *secret;    /* store, for a backend that keeps it past the
                           * call (see pa-secrets-backend-private.h):
                           * wiped when the request is freed */
} PaSecretsRequest;

void    pa_secrets_request_free    (PaSecretsRequest *request);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaSecretsRequest, pa_secrets_request_free)

/* The errors every backend gives in the same words. */
GError *pa_secrets_cancelled_error (void);
/* What the keyring holds for the item is not UTF-8 text. */
GError *pa_secrets_not_text_error  (void);
/* More than PA_LIMIT_SECRET_BYTES: more than any keyring is asked to take. */
GError *pa_secrets_too_large_error (void);
/* The keyring said no to PlayAlter (PA_ERROR_AUTH). */
GError *pa_secrets_refused_error   (const char  *cause);
/* The keyring's answer makes no sense to us (PA_ERROR_PROTOCOL). */
GError *pa_secrets_protocol_error  (const char  *cause);
/* Anything else; @cause is the keyring's own words. */
GError *pa_secrets_failed_error    (PaSecretsOp  kind,
                                    const char  *cause);

G_END_DECLS
