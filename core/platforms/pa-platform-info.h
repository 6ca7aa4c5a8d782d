/* pa-platform-info.h — static facts about the platforms PlayAlter talks to
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "pa-http-request.h"

G_BEGIN_DECLS

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
  /* Bearer and a header send fields[0]; Basic the two basic_*_field. */
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

/* Every platform's id in the table's order, e.g. "stripe, openai, …", for
 * messages that say what to choose from. */
char                  *pa_platform_info_dup_id_list   (void);
/* Sets PA_ERROR_INVALID_INPUT: @id is no platform, and which ones are. */
void                   pa_platform_info_set_unknown_error (GError    **error,
                                                           const char *id);

G_END_DECLS
