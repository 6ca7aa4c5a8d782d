/* pa-test-credentials.h — a credential provider that knows every key
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-credential-provider.h"

G_BEGIN_DECLS

/* What every field holds: PA_TEST_SECRET "-" and the field's name, so a
 * test can look for PA_TEST_SECRET anywhere a key must not be. */
#define PA_TEST_SECRET "SECRET_c4n4ry_77"

#define PA_TYPE_TEST_CREDENTIALS (pa_test_credentials_get_type ())
G_DECLARE_FINAL_TYPE (PaTestCredentials, pa_test_credentials, PA, TEST_CREDENTIALS, GObject)

PaTestCredentials *pa_test_credentials_new       (void);
/* How many lookups were asked for. */
guint              pa_test_credentials_get_asked (PaTestCredentials *self);

G_END_DECLS
