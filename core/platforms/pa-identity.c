/* pa-identity.c — who a platform says we are signed in as
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-identity.h"

G_DEFINE_BOXED_TYPE (PaIdentity, pa_identity, pa_identity_copy, pa_identity_free)

PaIdentity *
pa_identity_new (const char *id,
                 const char *name,
                 const char *detail)
{
  PaIdentity *self = g_new0 (PaIdentity, 1);

  self->id = g_strdup (id);
  self->name = g_strdup (name);
  self->detail = g_strdup (detail);

  return self;
}

PaIdentity *
pa_identity_copy (const PaIdentity *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return pa_identity_new (self->id, self->name, self->detail);
}

void
pa_identity_free (PaIdentity *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->name);
  g_free (self->detail);
  g_free (self);
}

char *
pa_identity_describe (const PaIdentity *self)
{
  const char *who;

  g_return_val_if_fail (self != NULL, NULL);

  who = self->name != NULL && self->name[0] != '\0' ? self->name : self->id;
  if (who == NULL)
    who = "";

  if (self->detail != NULL && self->detail[0] != '\0')
    return g_strdup_printf ("%s (%s)", who, self->detail);

  return g_strdup (who);
}
