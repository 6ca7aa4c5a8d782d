/* pa-identity.h — who a platform says we are signed in as
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct {
  char *id;        /* the platform's id for the account, e.g. "acct_1Nv…" */
  char *name;      /* what a person recognises: an email, a user name */
  char *detail;    /* e.g. "Test mode"; may be NULL */
} PaIdentity;

#define PA_TYPE_IDENTITY (pa_identity_get_type ())

GType       pa_identity_get_type  (void) G_GNUC_CONST;
PaIdentity *pa_identity_new       (const char       *id,
                                   const char       *name,
                                   const char       *detail);
PaIdentity *pa_identity_copy      (const PaIdentity *self);
void        pa_identity_free      (PaIdentity       *self);
/* "name (detail)", falling back to the id when there is no name. */
char       *pa_identity_describe  (const PaIdentity *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaIdentity, pa_identity_free)

G_END_DECLS
