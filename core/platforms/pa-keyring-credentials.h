/* pa-keyring-credentials.h — the keyring as PaHttp's credential provider
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-credential-provider.h"
#include "pa-secrets.h"

G_BEGIN_DECLS

#define PA_TYPE_KEYRING_CREDENTIALS (pa_keyring_credentials_get_type ())
G_DECLARE_FINAL_TYPE (PaKeyringCredentials, pa_keyring_credentials, PA, KEYRING_CREDENTIALS, GObject)

/* A PaCredentialProvider reading PaSecrets: a request's scope is a
 * platform id, its profile an account profile and its fields keyring
 * fields (PaCredentialField). Nothing stored is PA_ERROR_NOT_FOUND,
 * saying which account to sign in to. @secrets NULL: one of its own. */
PaKeyringCredentials *pa_keyring_credentials_new (PaSecrets *secrets);

G_END_DECLS
