/* pa-platform-info.h — static facts about the platforms PlayAlter talks to
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* How a platform expects its credentials on the wire. */
typedef enum {
  PA_AUTH_NONE,
  PA_AUTH_BEARER,   /* Authorization: Bearer <field[0]> */
  PA_AUTH_BASIC,    /* Authorization: Basic base64(<basic_user_field>:<basic_password_field>) */
  PA_AUTH_HEADER,   /* <auth_header>: <field[0]> */
} PaAuthKind;

typedef struct {
  const char *name;       /* keyring field, e.g. "api-key" */
  const char *label;      /* untranslated; wrap in _() for display */
  gboolean    secret;     /* hide while typing */
} PaCredentialField;

typedef struct {
  const char              *id;                 /* "stripe" */
  const char              *display_name;       /* "Stripe" */
  const char              *description;        /* untranslated, one line */
  const char              *default_base_url;
  PaAuthKind               auth;
  const char              *auth_header;        /* PA_AUTH_HEADER only */
  const char              *basic_user_field;   /* PA_AUTH_BASIC only */
  const char              *basic_password_field;
  const PaCredentialField *fields;             /* NULL-name terminated */
  gboolean                 key_optional;       /* works without a key (local servers) */
} PaPlatformInfo;

const PaPlatformInfo  *pa_platform_info_lookup        (const char           *id);
const PaPlatformInfo  *pa_platform_info_get_all       (guint                *n_platforms);
guint                  pa_platform_info_get_n_fields  (const PaPlatformInfo *info);
const PaCredentialField *pa_platform_info_find_field  (const PaPlatformInfo *info,
                                                       const char           *field);

G_END_DECLS
