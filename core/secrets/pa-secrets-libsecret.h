/* pa-secrets-libsecret.h — the Secret Service items behind PaSecrets
 *
 * SPDX-License-Identifier: MIT
 *
 * Only in builds whose keyring is libsecret (meson's `keyring` option; the
 * default on Linux and the BSDs): for tests that look at the keyring
 * directly. Everything else uses pa-secrets.h, which is the same on every
 * system.
 */
#pragma once

#include <libsecret/secret.h>

#include "pa-secrets.h"

G_BEGIN_DECLS

/* The schema of PlayAlter's items: io.playalter.Credential, with the
 * attributes platform, profile, field and generation (an integer, the
 * PA_SECRETS_GENERATION the item was written with). */
const SecretSchema *pa_secrets_get_schema (void);

G_END_DECLS
