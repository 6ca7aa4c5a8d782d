/* pa-account-manager-sign-in.c — signing in and out: credentials into and
 * out of the keyring, the account into and out of the database
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-account-manager.h"
#include "pa-account-manager-private.h"
#include "pa-error.h"
#include "pa-platform-info.h"
#include "pa-store-stripe.h"

/* What was synced from an account is the account's: a Stripe account's
 * copy of its payments goes with it, when it signs out or moves to
 * another server. */
static gboolean
forget_account_data (PaAccountManager  *self,
                     const char        *platform,
                     const char        *profile,
                     GError           **error)
{
  if (!g_str_equal (platform, "stripe"))
    return TRUE;
  return pa_store_stripe_forget (self->store, profile, error);
}

/* Sign in ------------------------------------------------------------ */

typedef struct {
  char       *platform;
  char       *profile;
  char       *base_url;
  GPtrArray  *fields;      /* field names still to store */
  GHashTable *secrets;     /* field → secret, owned ref */
  gboolean    forget;      /* the base URL moves: drop the stored keys first */
} SignInOp;

static void
sign_in_op_free (SignInOp *op)
{
  g_free (op->platform);
  g_free (op->profile);
  g_free (op->base_url);
  g_clear_pointer (&op->fields, g_ptr_array_unref);
  g_clear_pointer (&op->secrets, g_hash_table_unref);
  g_free (op);
}

/* Also normalizes @profile (NULL: the default) and @base_url (empty:
 * NULL) for the caller. */
static gboolean
validate_sign_in (const char     *platform,
                  const char    **profile,
                  const char    **base_url_inout,
                  PaSignInFlags   flags,
                  GHashTable     *secrets,
                  GPtrArray     **fields_out,
                  GError        **error)
{
  const PaPlatformInfo *info;
  g_autoptr(GPtrArray) fields = g_ptr_array_new ();
  const char *base_url = *base_url_inout;
  GHashTableIter iter;
  gpointer key, value;

  if (base_url != NULL && base_url[0] == '\0')
    base_url = *base_url_inout = NULL;

  if (!pa_account_manager_check_names (platform, profile, &info, error) ||
      !pa_account_manager_check_base_url (base_url, flags, error))
    return FALSE;

  if (secrets != NULL)
    {
      g_hash_table_iter_init (&iter, secrets);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          if (pa_platform_info_find_field (info, key) == NULL)
            {
              g_autoptr(GString) names = g_string_new (NULL);

              for (guint i = 0; info->fields[i].name != NULL; i++)
                g_string_append_printf (names, "%s%s", i ? ", " : "", info->fields[i].name);

              g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("%s has no credential called “%s”. Its fields are: %s."),
                           info->display_name, (const char *) key, names->str);
              return FALSE;
            }
        }

      /* Keep the platform's field order so partial failures are predictable. */
      for (guint i = 0; info->fields[i].name != NULL; i++)
        {
          const char *secret = g_hash_table_lookup (secrets, info->fields[i].name);

          if (secret != NULL && secret[0] != '\0')
            g_ptr_array_add (fields, (gpointer) info->fields[i].name);
        }
    }

  if (fields->len == 0 && !(info->key_optional && base_url != NULL && base_url[0] != '\0'))
    {
      if (info->key_optional)
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("Enter a key for %s, or the base URL of a compatible local server."),
                     info->display_name);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("Enter a key for %s to sign in."), info->display_name);
      return FALSE;
    }

  *fields_out = g_steal_pointer (&fields);
  return TRUE;
}

static void
finish_sign_in (PaAccountManager *self,
                const char       *platform,
                const char       *profile,
                const char       *base_url,
                FieldScan        *scan)
{
  PaAccount *account = pa_account_manager_ensure_account (self, platform, profile);

  pa_account_set_base_url (account, base_url);
  scan->account = g_object_ref (account);
}

static void sign_in_store_next (GTask *task);

static void
sign_in_rescan_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAccountManager *self = g_task_get_source_object (task);
  g_autoptr(GError) error = NULL;

  if (!pa_account_manager_refresh_finish (self, result, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  g_task_return_boolean (task, TRUE);
}

static void
sign_in_store_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pa_secrets_store_finish (PA_SECRETS (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  sign_in_store_next (g_steal_pointer (&task));
}

static void
sign_in_forget_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAccountManager *self = g_task_get_source_object (task);
  SignInOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  if (!pa_secrets_delete_finish (PA_SECRETS (source), result, &error) ||
      !forget_account_data (self, op->platform, op->profile, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  sign_in_store_next (g_steal_pointer (&task));
}

static void
sign_in_store_next (GTask *task)
{
  PaAccountManager *self = g_task_get_source_object (task);
  SignInOp *op = g_task_get_task_data (task);

  /* A key given for one host is not sent to another: it must be given
   * again with the new address. */
  if (op->forget)
    {
      op->forget = FALSE;
      pa_secrets_delete_async (self->secrets, op->platform, op->profile, NULL,
                               g_task_get_cancellable (task), sign_in_forget_cb, task);
      return;
    }

  if (op->fields->len > 0)
    {
      const char *field = g_ptr_array_steal_index (op->fields, 0);

      pa_secrets_store_async (self->secrets, op->platform, op->profile, field,
                              g_hash_table_lookup (op->secrets, field),
                              g_task_get_cancellable (task),
                              sign_in_store_cb, task);
      return;
    }

  {
    GError *error = NULL;
    FieldScan scan = { 0 };

    finish_sign_in (self, op->platform, op->profile, op->base_url, &scan);
    g_clear_object (&scan.account);

    if (!pa_store_save_account (self->store, op->platform, op->profile, op->base_url,
                                NULL, "signed-in", &error))
      {
        g_task_return_error (task, error);
        g_object_unref (task);
        return;
      }
  }

  /* Read back what the keyring now holds rather than assuming. */
  pa_account_manager_refresh_async (self, g_task_get_cancellable (task),
                                    sign_in_rescan_cb, task);
}

void
pa_account_manager_sign_in_async (PaAccountManager    *self,
                                  const char          *platform,
                                  const char          *profile,
                                  const char          *base_url,
                                  PaSignInFlags        flags,
                                  GHashTable          *secrets,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) fields = NULL;
  GError *error = NULL;
  SignInOp *op;

  g_return_if_fail (PA_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_account_manager_sign_in_async);

  if (!validate_sign_in (platform, &profile, &base_url, flags, secrets, &fields, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  op = g_new0 (SignInOp, 1);
  op->platform = g_strdup (platform);
  op->profile = g_strdup (profile);
  op->base_url = g_strdup (base_url);
  op->fields = g_steal_pointer (&fields);
  op->forget = pa_account_manager_base_url_moves (self, platform, profile, base_url);
  op->secrets = secrets != NULL ? g_hash_table_ref (secrets)
                                : g_hash_table_new (g_str_hash, g_str_equal);
  g_task_set_task_data (task, op, (GDestroyNotify) sign_in_op_free);

  sign_in_store_next (g_steal_pointer (&task));
}

gboolean
pa_account_manager_sign_in_finish (PaAccountManager  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pa_account_manager_sign_in_sync (PaAccountManager  *self,
                                 const char        *platform,
                                 const char        *profile,
                                 const char        *base_url,
                                 PaSignInFlags      flags,
                                 GHashTable        *secrets,
                                 GCancellable      *cancellable,
                                 GError           **error)
{
  g_autoptr(GPtrArray) fields = NULL;
  FieldScan scan = { 0 };
  gboolean ok;

  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), FALSE);

  if (!validate_sign_in (platform, &profile, &base_url, flags, secrets, &fields, error))
    return FALSE;

  /* A key given for one host is not sent to another. */
  if (pa_account_manager_base_url_moves (self, platform, profile, base_url) &&
      (!pa_secrets_delete_sync (self->secrets, platform, profile, NULL, cancellable, error) ||
       !forget_account_data (self, platform, profile, error)))
    return FALSE;

  for (guint i = 0; i < fields->len; i++)
    {
      const char *field = g_ptr_array_index (fields, i);

      if (!pa_secrets_store_sync (self->secrets, platform, profile, field,
                                  g_hash_table_lookup (secrets, field),
                                  cancellable, error))
        return FALSE;
    }

  finish_sign_in (self, platform, profile, base_url, &scan);

  ok = pa_account_manager_scan_fields_sync (self, &scan, cancellable, error);
  if (ok)
    {
      pa_account_manager_apply_scan (self, &scan);
      ok = pa_store_save_account (self->store, platform, profile,
                                  pa_account_get_base_url (scan.account),
                                  pa_account_get_display_name (scan.account),
                                  pa_account_status_to_string (pa_account_get_status (scan.account)),
                                  error);
    }

  g_clear_object (&scan.account);
  g_clear_error (&scan.error);
  return ok;
}

/* Sign out ----------------------------------------------------------- */


static void
forget_account (PaAccountManager *self,
                const char       *platform,
                const char       *profile)
{
  guint position;

  if (!pa_account_manager_find_position (self, platform, profile, &position))
    return;

  if (g_str_equal (profile, PA_DEFAULT_PROFILE))
    {
      g_autoptr(PaAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);

      pa_account_set_base_url (account, NULL);
      pa_account_set_display_name (account, NULL);
      pa_account_set_validated_at (account, 0);
      pa_account_set_status_detail (account, NULL);
      pa_account_set_status (account, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
    }
  else
    {
      g_list_store_remove (self->accounts, position);
    }
}

typedef struct {
  char *platform;
  char *profile;
} SignOutOp;

static void
sign_out_op_free (SignOutOp *op)
{
  g_free (op->platform);
  g_free (op->profile);
  g_free (op);
}

static void
sign_out_delete_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAccountManager *self = g_task_get_source_object (task);
  SignOutOp *op = g_task_get_task_data (task);
  GError *error = NULL;

  /* If the keyring refused, keep the row so the account stays visible
   * and the user can try again. */
  if (!pa_secrets_delete_finish (PA_SECRETS (source), result, &error) ||
      !pa_store_delete_account (self->store, op->platform, op->profile, &error) ||
      !forget_account_data (self, op->platform, op->profile, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  forget_account (self, op->platform, op->profile);
  g_task_return_boolean (task, TRUE);
}

void
pa_account_manager_sign_out_async (PaAccountManager    *self,
                                   const char          *platform,
                                   const char          *profile,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  const PaPlatformInfo *info;
  GError *error = NULL;
  SignOutOp *op;

  g_return_if_fail (PA_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_account_manager_sign_out_async);

  if (!pa_account_manager_check_names (platform, &profile, &info, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  op = g_new0 (SignOutOp, 1);
  op->platform = g_strdup (platform);
  op->profile = g_strdup (profile);
  g_task_set_task_data (task, op, (GDestroyNotify) sign_out_op_free);

  pa_secrets_delete_async (self->secrets, platform, profile, NULL, cancellable,
                           sign_out_delete_cb, g_steal_pointer (&task));
}

gboolean
pa_account_manager_sign_out_finish (PaAccountManager  *self,
                                    GAsyncResult      *result,
                                    GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pa_account_manager_sign_out_sync (PaAccountManager  *self,
                                  const char        *platform,
                                  const char        *profile,
                                  GCancellable      *cancellable,
                                  GError           **error)
{
  const PaPlatformInfo *info;

  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), FALSE);

  if (!pa_account_manager_check_names (platform, &profile, &info, error) ||
      !pa_secrets_delete_sync (self->secrets, platform, profile, NULL, cancellable, error) ||
      !pa_store_delete_account (self->store, platform, profile, error) ||
      !forget_account_data (self, platform, profile, error))
    return FALSE;

  forget_account (self, platform, profile);
  return TRUE;
}
