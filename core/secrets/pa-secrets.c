/* pa-secrets.c — credentials in the system keyring, and nowhere else
 *
 * SPDX-License-Identifier: MIT
 *
 * What every keyring shares: the object, the checks of what callers pass,
 * the items' labels and the async API. The keyring itself is the build's
 * backend (pa-secrets-backend-private.h).
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-compat.h"
#include "pa-error.h"
#include "pa-limits.h"

#include "pa-secrets-backend-private.h"

struct _PaSecrets
{
  GObject parent_instance;

  PaSecretsDisplayNameFunc display_name;
};

G_DEFINE_FINAL_TYPE (PaSecrets, pa_secrets, G_TYPE_OBJECT)

static void
pa_secrets_class_init (PaSecretsClass *klass)
{
}

static void
pa_secrets_init (PaSecrets *self)
{
}

/**
 * pa_secrets_new:
 *
 * Every instance talks to the same per-process keyring connection, which
 * the backend makes on first use; creating one is cheap.
 */
PaSecrets *
pa_secrets_new (void)
{
  return g_object_new (PA_TYPE_SECRETS, NULL);
}

void
pa_secrets_free (char *secret)
{
  if (secret != NULL)
    pa_secrets_backend_free_secret (secret);
}

void
pa_secrets_request_free (PaSecretsRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->platform);
  g_free (request->profile);
  g_free (request->field);
  g_free (request->label);
  if (request->secret != NULL)
    {
      pa_compat_secure_zero (request->secret, strlen (request->secret));
      g_free (request->secret);
    }
  g_free (request);
}

GError *
pa_secrets_cancelled_error (void)
{
  return g_error_new_literal (PA_ERROR, PA_ERROR_CANCELLED,
                              _("The keyring operation was cancelled."));
}

GError *
pa_secrets_not_text_error (void)
{
  return g_error_new_literal (PA_ERROR, PA_ERROR_PROTOCOL,
                              _("The credential in the keyring is not text. "
                                "Sign in to this account again to replace it."));
}

GError *
pa_secrets_too_large_error (void)
{
  return g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                      _("The secret is larger than %d KiB, more than the keyring takes."),
                      PA_LIMIT_SECRET_BYTES / 1024);
}

GError *
pa_secrets_refused_error (const char *cause)
{
  return g_error_new (PA_ERROR, PA_ERROR_AUTH,
                      _("The keyring refused access (%s). Check that PlayAlter "
                        "may use the keyring and try again."),
                      cause);
}

GError *
pa_secrets_protocol_error (const char *cause)
{
  return g_error_new (PA_ERROR, PA_ERROR_PROTOCOL,
                      _("The keyring service gave an answer PlayAlter does "
                        "not understand (%s)."),
                      cause);
}

GError *
pa_secrets_failed_error (PaSecretsOp  kind,
                         const char  *cause)
{
  switch (kind)
    {
    case OP_STORE:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not save the credential in the keyring: %s"), cause);
    case OP_LOOKUP:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not read the credential from the keyring: %s"), cause);
    case OP_DELETE:
    default:
      return g_error_new (PA_ERROR, PA_ERROR_FAILED,
                          _("Could not remove the credential from the keyring: %s"), cause);
    }
}

/* ------------------------------------------------------------------------ */
/* Arguments                                                                */

static gboolean
check_name (const char  *value,
            const char  *missing_message,
            GError     **error)
{
  if (value == NULL || value[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, missing_message);
      return FALSE;
    }
  if (!g_utf8_validate (value, -1, NULL))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("Platform, profile and field names must be valid "
                             "UTF-8 text."));
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_arguments (const char  *platform,
                 const char  *profile,
                 const char  *field,
                 gboolean     field_required,
                 GError     **error)
{
  if (!check_name (platform, _("A keyring credential needs a platform name."), error) ||
      !check_name (profile, _("A keyring credential needs a profile name."), error))
    return FALSE;
  if (field == NULL && !field_required)
    return TRUE;
  return check_name (field, _("A keyring credential needs a field name."), error);
}

static gboolean
check_secret (const char  *secret,
              GError     **error)
{
  if (secret == NULL || secret[0] == '\0')
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The secret is empty. Enter the key or password "
                             "and try again."));
      return FALSE;
    }
  if (!g_utf8_validate (secret, -1, NULL))
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The secret is not valid UTF-8 text. Check that it "
                             "was copied completely and try again."));
      return FALSE;
    }
  return TRUE;
}

void
pa_secrets_set_display_name_func (PaSecrets                *self,
                                  PaSecretsDisplayNameFunc  func)
{
  g_return_if_fail (PA_IS_SECRETS (self));

  self->display_name = func;
}

static char *
build_label (PaSecrets  *self,
             const char *platform,
             const char *profile,
             const char *field)
{
  const char *name = self->display_name != NULL ? self->display_name (platform) : NULL;

  /* Translators: the name of a keyring item, as the password manager lists
   * it: platform, profile and field, e.g. "PlayAlter: Stripe (default) api-key" */
  return g_strdup_printf (_("PlayAlter: %s (%s) %s"),
                          name != NULL ? name : platform,
                          profile, field);
}

/* What the three public calls share: check the names (and, to store, the
 * secret), then hand the operation to the backend. Deleting may name no
 * field and matches items of every generation; the others name one field
 * of the current generation. */
static void
op_begin (PaSecrets           *self,
          PaSecretsOp          kind,
          gpointer             source_tag,
          const char          *platform,
          const char          *profile,
          const char          *field,
          const char          *secret,
          GCancellable        *cancellable,
          GAsyncReadyCallback  callback,
          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  gboolean one_field = kind != OP_DELETE;
  PaSecretsRequest *request;

  g_task_set_source_tag (task, source_tag);
  /* Cancellation must come back as PA_ERROR_CANCELLED, not G_IO_ERROR. */
  g_task_set_check_cancellable (task, FALSE);

  if (!check_arguments (platform, profile, field, one_field, &error) ||
      (kind == OP_STORE && !check_secret (secret, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  request = g_new0 (PaSecretsRequest, 1);
  request->kind = kind;
  request->platform = g_strdup (platform);
  request->profile = g_strdup (profile);
  request->field = g_strdup (field);
  if (kind == OP_STORE)
    request->label = build_label (self, platform, profile, field);

  pa_secrets_backend_run (g_steal_pointer (&task), request,
                          kind == OP_STORE ? secret : NULL);
}

/* ------------------------------------------------------------------------ */
/* Public async API                                                         */

/**
 * pa_secrets_store_async:
 * @secret: the secret; it is copied at once (into non-pageable memory
 *   where the keyring library has it), so the caller may wipe its copy
 *   as soon as this returns
 *
 * Stores (or replaces) one field of an account in the keyring. A locked
 * keyring is unlocked first, which may show the keyring's password prompt.
 */
void
pa_secrets_store_async (PaSecrets           *self,
                        const char          *platform,
                        const char          *profile,
                        const char          *field,
                        const char          *secret,
                        GCancellable        *cancellable,
                        GAsyncReadyCallback  callback,
                        gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_STORE, pa_secrets_store_async, platform, profile, field, secret,
            cancellable, callback, user_data);
}

gboolean
pa_secrets_store_finish (PaSecrets     *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_store_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * pa_secrets_lookup_async:
 *
 * Looks up one field of an account, stored with the current generation. A
 * locked item is unlocked first, which may show the keyring's prompt.
 */
void
pa_secrets_lookup_async (PaSecrets           *self,
                         const char          *platform,
                         const char          *profile,
                         const char          *field,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_LOOKUP, pa_secrets_lookup_async, platform, profile, field, NULL,
            cancellable, callback, user_data);
}

char *
pa_secrets_lookup_finish (PaSecrets     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * pa_secrets_delete_async:
 *
 * Deletes one field of an account, or all of them when @field is %NULL.
 * Items of older generations are deleted too: removing an account must not
 * leave an old copy of its keys behind. Deleting what is not there succeeds.
 */
void
pa_secrets_delete_async (PaSecrets           *self,
                         const char          *platform,
                         const char          *profile,
                         const char          *field,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_return_if_fail (PA_IS_SECRETS (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  op_begin (self, OP_DELETE, pa_secrets_delete_async, platform, profile, field, NULL,
            cancellable, callback, user_data);
}

gboolean
pa_secrets_delete_finish (PaSecrets     *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (PA_IS_SECRETS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_secrets_delete_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
