/* pa-account-manager.c — the user's platform accounts: keyring + database
 *
 * The keyring is the truth about credentials; the accounts table only
 * remembers where each account points (base URL) and what we last saw,
 * so a status can be shown before the keyring answers.
 *
 * Signing in and out is in pa-account-manager-sign-in.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-account-manager.h"
#include "pa-account-manager-private.h"
#include "pa-error.h"
#include "pa-keyring-credentials.h"
#include "pa-platform.h"
#include "pa-platform-info.h"
#include "pa-request-log.h"

G_DEFINE_FINAL_TYPE (PaAccountManager, pa_account_manager, G_TYPE_OBJECT)

static void
field_scan_free (FieldScan *scan)
{
  g_clear_object (&scan->account);
  g_clear_error (&scan->error);
  g_free (scan);
}

static void
pa_account_manager_dispose (GObject *object)
{
  PaAccountManager *self = PA_ACCOUNT_MANAGER (object);

  g_clear_object (&self->store);
  g_clear_object (&self->secrets);
  g_clear_object (&self->request_log);
  g_clear_object (&self->http);
  g_clear_object (&self->accounts);

  G_OBJECT_CLASS (pa_account_manager_parent_class)->dispose (object);
}

static void
pa_account_manager_class_init (PaAccountManagerClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pa_account_manager_dispose;
}

static void
pa_account_manager_init (PaAccountManager *self)
{
  const PaPlatformInfo *platforms;
  guint n_platforms;

  self->accounts = g_list_store_new (PA_TYPE_ACCOUNT);

  platforms = pa_platform_info_get_all (&n_platforms);
  for (guint i = 0; i < n_platforms; i++)
    {
      g_autoptr(PaAccount) account = pa_account_new (platforms[i].id, PA_DEFAULT_PROFILE);
      g_list_store_append (self->accounts, account);
    }
}

static gboolean
check_platform (const char            *platform,
                const PaPlatformInfo **info_out,
                GError               **error)
{
  const PaPlatformInfo *info = platform != NULL ? pa_platform_info_lookup (platform) : NULL;

  if (info == NULL)
    {
      pa_platform_info_set_unknown_error (error, platform);
      return FALSE;
    }

  *info_out = info;
  return TRUE;
}

static gboolean
check_profile (const char  *profile,
               GError     **error)
{
  if (profile == NULL || profile[0] == '\0' || strlen (profile) > 64 ||
      !g_str_is_ascii (profile) || strpbrk (profile, " \t\r\n/\\") != NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Invalid profile name “%s”: use up to 64 letters, digits, dots, dashes or underscores."),
                   profile != NULL ? profile : "");
      return FALSE;
    }

  return TRUE;
}

/* Puts the default profile in for NULL, then checks both names. */
gboolean
pa_account_manager_check_names (const char            *platform,
                                const char           **profile,
                                const PaPlatformInfo **info_out,
                                GError               **error)
{
  if (*profile == NULL)
    *profile = PA_DEFAULT_PROFILE;
  return check_platform (platform, info_out, error) && check_profile (*profile, error);
}

gboolean
pa_account_manager_check_base_url (const char     *base_url,
                                   PaSignInFlags   flags,
                                   GError        **error)
{
  g_autoptr(GUri) uri = NULL;
  const char *scheme;

  if (base_url == NULL || base_url[0] == '\0')
    return TRUE;

  uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;

  if (uri == NULL ||
      (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0) ||
      g_uri_get_host (uri) == NULL || g_uri_get_host (uri)[0] == '\0' ||
      g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL ||
      g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("“%s” is not a usable base URL. Enter an address like https://api.example.com or http://localhost:5678, without a query or credentials."),
                   base_url);
      return FALSE;
    }

  /* The same rule as the transport's, so the user hears it now rather
   * than at the first request. */
  if ((flags & PA_SIGN_IN_ALLOW_INSECURE_HTTP) == 0 &&
      !pa_http_url_is_safe_for_credentials (base_url))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INSECURE,
                   _("“%s” is a plain http:// address on another machine: the key would travel "
                     "in clear, readable by anyone on the network. Use its https:// address, or "
                     "a server on this computer (http://localhost). To accept the risk, sign in "
                     "with playalter-cli account set … --insecure-http."),
                   base_url);
      return FALSE;
    }

  return TRUE;
}

gboolean
pa_account_manager_base_url_moves (PaAccountManager *self,
                                   const char       *platform,
                                   const char       *profile,
                                   const char       *base_url)
{
  const PaPlatformInfo *info = pa_platform_info_lookup (platform);
  PaAccount *account;

  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), FALSE);

  if (info == NULL)
    return FALSE;
  account = pa_account_manager_find (self, platform, profile != NULL ? profile : PA_DEFAULT_PROFILE);
  if (account == NULL)
    return FALSE;
  if (base_url == NULL || base_url[0] == '\0')
    base_url = info->default_base_url;
  return !pa_http_url_same_origin (pa_account_get_effective_base_url (account), base_url);
}

static const char *
platform_display_name (const char *platform)
{
  const PaPlatformInfo *info = pa_platform_info_lookup (platform);

  return info != NULL ? info->display_name : NULL;
}

PaAccountManager *
pa_account_manager_new (PaStore   *store,
                        PaSecrets *secrets)
{
  PaAccountManager *self;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);
  g_return_val_if_fail (PA_IS_SECRETS (secrets), NULL);

  self = g_object_new (PA_TYPE_ACCOUNT_MANAGER, NULL);
  self->store = g_object_ref (store);
  self->secrets = g_object_ref (secrets);
  /* Keys are stored from here: label them with the platforms' names. */
  pa_secrets_set_display_name_func (self->secrets, platform_display_name);

  return self;
}

GListModel *
pa_account_manager_get_accounts (PaAccountManager *self)
{
  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), NULL);
  return G_LIST_MODEL (self->accounts);
}

gboolean
pa_account_manager_find_position (PaAccountManager *self,
                                  const char       *platform,
                                  const char       *profile,
                                  guint            *position)
{
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PaAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), i);

      if (g_str_equal (pa_account_get_platform (account), platform) &&
          g_str_equal (pa_account_get_profile (account), profile))
        {
          *position = i;
          return TRUE;
        }
    }

  return FALSE;
}

PaAccount *
pa_account_manager_find (PaAccountManager *self,
                         const char       *platform,
                         const char       *profile)
{
  guint position;

  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), NULL);
  g_return_val_if_fail (platform != NULL, NULL);

  if (profile == NULL)
    profile = PA_DEFAULT_PROFILE;

  if (!pa_account_manager_find_position (self, platform, profile, &position))
    return NULL;

  /* The list store keeps its own reference. */
  {
    g_autoptr(PaAccount) account = g_list_model_get_item (G_LIST_MODEL (self->accounts), position);
    return account;
  }
}

PaAccount *
pa_account_manager_ensure_account (PaAccountManager *self,
                                   const char       *platform,
                                   const char       *profile)
{
  PaAccount *account = pa_account_manager_find (self, platform, profile);

  if (account == NULL)
    {
      g_autoptr(PaAccount) created = pa_account_new (platform, profile);
      g_list_store_append (self->accounts, created);
      account = created;
    }

  return account;
}

/* Brings the model in line with the accounts table. */
static gboolean
load_saved_accounts (PaAccountManager  *self,
                     GError           **error)
{
  g_autoptr(GPtrArray) saved = pa_store_list_accounts (self->store, error);

  if (saved == NULL)
    return FALSE;

  for (guint i = 0; i < saved->len; i++)
    {
      const PaAccountRecord *row = g_ptr_array_index (saved, i);
      PaAccount *account;

      if (pa_platform_info_lookup (row->platform) == NULL)
        continue;

      /* The saved status is not copied: the keyring lookups that follow
       * work it out again. */
      account = pa_account_manager_ensure_account (self, row->platform, row->profile);
      pa_account_set_base_url (account, row->base_url);
      pa_account_set_display_name (account, row->display_name);
      pa_account_set_validated_at (account, row->validated_at);
    }

  return TRUE;
}

void
pa_account_manager_apply_scan (PaAccountManager *self,
                               FieldScan        *scan)
{
  PaAccount *account = scan->account;
  const PaPlatformInfo *info = pa_platform_info_lookup (pa_account_get_platform (account));
  guint n_fields = pa_platform_info_get_n_fields (info);
  guint all = (1u << n_fields) - 1;

  if (scan->error != NULL)
    {
      pa_account_set_status_detail (account, scan->error->message);
      pa_account_set_status (account, PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE);
      return;
    }

  if (scan->present == all ||
      (info->key_optional && scan->present == 0 && pa_account_get_base_url (account) != NULL))
    {
      pa_account_set_status_detail (account, NULL);
      pa_account_set_status (account, PA_ACCOUNT_STATUS_SIGNED_IN);
    }
  else if (scan->present != 0)
    {
      g_autoptr(GString) missing = g_string_new (NULL);

      for (guint i = 0; i < n_fields; i++)
        {
          if ((scan->present & (1u << i)) == 0)
            {
              if (missing->len > 0)
                g_string_append (missing, ", ");
              g_string_append (missing, g_dgettext (GETTEXT_PACKAGE, info->fields[i].label));
            }
        }

      /* Translators: %s is a list of credential names, e.g. "App certificate" */
      {
        g_autofree char *detail = g_strdup_printf (_("Missing: %s"), missing->str);
        pa_account_set_status_detail (account, detail);
      }
      pa_account_set_status (account, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
    }
  else
    {
      pa_account_set_status_detail (account, NULL);
      pa_account_set_status (account, PA_ACCOUNT_STATUS_NOT_SIGNED_IN);
    }
}

static void
remember_status (PaAccountManager *self,
                 PaAccount        *account)
{
  g_autoptr(GError) error = NULL;

  /* Only accounts the user touched get a row; a default profile that
   * was never signed in stays implicit. */
  if (pa_account_get_status (account) == PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE)
    return;

  if (pa_account_get_status (account) != PA_ACCOUNT_STATUS_SIGNED_IN &&
      pa_account_get_base_url (account) == NULL &&
      g_str_equal (pa_account_get_profile (account), PA_DEFAULT_PROFILE))
    return;

  if (!pa_store_save_account (self->store,
                              pa_account_get_platform (account),
                              pa_account_get_profile (account),
                              pa_account_get_base_url (account),
                              pa_account_get_display_name (account),
                              pa_account_status_to_string (pa_account_get_status (account)),
                              &error))
    g_warning ("Could not remember the status of %s/%s: %s",
               pa_account_get_platform (account),
               pa_account_get_profile (account),
               error->message);
}

gboolean
pa_account_manager_scan_fields_sync (PaAccountManager  *self,
                                     FieldScan         *scan,
                                     GCancellable      *cancellable,
                                     GError           **error)
{
  const PaPlatformInfo *info = pa_platform_info_lookup (pa_account_get_platform (scan->account));

  for (guint i = 0; info->fields[i].name != NULL; i++)
    {
      g_autoptr(GError) local_error = NULL;
      g_autoptr(PaSecretString) secret = NULL;

      secret = pa_secrets_lookup_sync (self->secrets,
                                       info->id,
                                       pa_account_get_profile (scan->account),
                                       info->fields[i].name,
                                       cancellable,
                                       &local_error);
      if (g_error_matches (local_error, PA_ERROR, PA_ERROR_CANCELLED))
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }
      if (local_error != NULL)
        {
          scan->error = g_steal_pointer (&local_error);
          break;
        }
      if (secret != NULL)
        scan->present |= 1u << i;
    }

  return TRUE;
}

/* Refresh ------------------------------------------------------------ */

typedef struct {
  GPtrArray *scans;       /* FieldScan */
  guint      pending;
  gboolean   cancelled;
} RefreshOp;

typedef struct {
  GTask     *task;        /* owned */
  FieldScan *scan;        /* borrowed from the op */
  guint      field;
} LookupCall;

static void
refresh_op_free (RefreshOp *op)
{
  g_clear_pointer (&op->scans, g_ptr_array_unref);
  g_free (op);
}

static void
refresh_complete (GTask *task)
{
  PaAccountManager *self = g_task_get_source_object (task);
  RefreshOp *op = g_task_get_task_data (task);

  if (op->cancelled)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               _("Reading the keyring was cancelled."));
      return;
    }

  for (guint i = 0; i < op->scans->len; i++)
    {
      FieldScan *scan = g_ptr_array_index (op->scans, i);

      pa_account_manager_apply_scan (self, scan);
      remember_status (self, scan->account);
    }

  g_task_return_boolean (task, TRUE);
}

static void
lookup_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  LookupCall *call = user_data;
  RefreshOp *op = g_task_get_task_data (call->task);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaSecretString) secret = NULL;

  secret = pa_secrets_lookup_finish (PA_SECRETS (source), result, &error);

  if (g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    op->cancelled = TRUE;
  else if (error != NULL && call->scan->error == NULL)
    call->scan->error = g_steal_pointer (&error);
  else if (secret != NULL)
    call->scan->present |= 1u << call->field;

  if (--op->pending == 0)
    refresh_complete (call->task);

  g_object_unref (call->task);
  g_free (call);
}

static void
start_lookups (PaAccountManager *self,
               GTask            *task,
               GPtrArray        *accounts)
{
  RefreshOp *op = g_new0 (RefreshOp, 1);

  op->scans = g_ptr_array_new_with_free_func ((GDestroyNotify) field_scan_free);
  g_task_set_task_data (task, op, (GDestroyNotify) refresh_op_free);

  /* Hold one count ourselves so callbacks that finish synchronously
   * cannot complete the task before every lookup has been started. */
  op->pending = 1;

  for (guint i = 0; i < accounts->len; i++)
    {
      PaAccount *account = g_ptr_array_index (accounts, i);
      const PaPlatformInfo *info = pa_platform_info_lookup (pa_account_get_platform (account));
      FieldScan *scan = g_new0 (FieldScan, 1);

      scan->account = g_object_ref (account);
      g_ptr_array_add (op->scans, scan);

      for (guint f = 0; info->fields[f].name != NULL; f++)
        {
          LookupCall *call = g_new0 (LookupCall, 1);

          call->task = g_object_ref (task);
          call->scan = scan;
          call->field = f;
          op->pending++;

          pa_secrets_lookup_async (self->secrets,
                                   info->id,
                                   pa_account_get_profile (account),
                                   info->fields[f].name,
                                   g_task_get_cancellable (task),
                                   lookup_cb,
                                   call);
        }
    }

  if (--op->pending == 0)
    refresh_complete (task);
}

static GPtrArray *
all_accounts (PaAccountManager *self)
{
  GPtrArray *accounts = g_ptr_array_new_with_free_func (g_object_unref);
  guint n = g_list_model_get_n_items (G_LIST_MODEL (self->accounts));

  for (guint i = 0; i < n; i++)
    g_ptr_array_add (accounts, g_list_model_get_item (G_LIST_MODEL (self->accounts), i));

  return accounts;
}

void
pa_account_manager_refresh_async (PaAccountManager    *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  GError *error = NULL;

  g_return_if_fail (PA_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_account_manager_refresh_async);

  /* The accounts table holds a handful of rows: reading it is cheaper
   * than handing the connection to a thread. */
  if (!load_saved_accounts (self, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  accounts = all_accounts (self);
  start_lookups (self, task, accounts);
}

gboolean
pa_account_manager_refresh_finish (PaAccountManager  *self,
                                   GAsyncResult      *result,
                                   GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pa_account_manager_refresh_sync (PaAccountManager  *self,
                                 GCancellable      *cancellable,
                                 GError           **error)
{
  g_autoptr(GPtrArray) accounts = NULL;

  g_return_val_if_fail (PA_IS_ACCOUNT_MANAGER (self), FALSE);

  if (!load_saved_accounts (self, error))
    return FALSE;

  accounts = all_accounts (self);

  for (guint i = 0; i < accounts->len; i++)
    {
      FieldScan scan = { .account = g_ptr_array_index (accounts, i) };
      gboolean ok = pa_account_manager_scan_fields_sync (self, &scan, cancellable, error);

      if (ok)
        {
          pa_account_manager_apply_scan (self, &scan);
          remember_status (self, scan.account);
        }
      g_clear_error (&scan.error);
      if (!ok)
        return FALSE;
    }

  return TRUE;
}

/* Check -------------------------------------------------------------- */

void
pa_account_manager_set_http (PaAccountManager *self,
                             PaHttp           *http)
{
  g_return_if_fail (PA_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (http == NULL || PA_IS_HTTP (http));

  g_set_object (&self->http, http);
}

static PaHttp *
ensure_http (PaAccountManager *self)
{
  if (self->http == NULL)
    {
      g_autoptr(PaKeyringCredentials) keyring = pa_keyring_credentials_new (self->secrets);

      /* The shared client, reading keys through our keyring and writing
       * its requests to our database while we live. */
      self->http = g_object_ref (pa_http_get_default ());
      pa_http_set_credential_provider (self->http, PA_CREDENTIAL_PROVIDER (keyring));
      self->request_log = pa_request_log_new (self->http, self->store);
    }

  return self->http;
}

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaAccountManager *self = g_task_get_source_object (task);
  PaAccount *account = g_task_get_task_data (task);
  g_autoptr(PaIdentity) identity = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) store_error = NULL;
  g_autofree char *who = NULL;
  gint64 now_ms;

  identity = pa_platform_check_finish (PA_PLATFORM (source), result, &error);
  if (identity == NULL)
    {
      if (!g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
        pa_account_set_check_error (account, error->message);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  who = pa_identity_describe (identity);
  now_ms = g_get_real_time () / 1000;
  pa_account_set_display_name (account, who);
  pa_account_set_validated_at (account, now_ms);
  pa_account_set_check_error (account, NULL);

  /* The identity is a convenience; failing to remember it must not
   * turn a good check into a failure. */
  if (!pa_store_save_account (self->store,
                              pa_account_get_platform (account),
                              pa_account_get_profile (account),
                              pa_account_get_base_url (account),
                              who,
                              pa_account_status_to_string (pa_account_get_status (account)),
                              &store_error) ||
      !pa_store_set_account_validated_at (self->store,
                                          pa_account_get_platform (account),
                                          pa_account_get_profile (account),
                                          now_ms, &store_error))
    g_warning ("Could not remember who %s/%s is signed in as: %s",
               pa_account_get_platform (account), pa_account_get_profile (account),
               store_error->message);

  g_task_return_pointer (task, g_steal_pointer (&identity), (GDestroyNotify) pa_identity_free);
}

void
pa_account_manager_check_async (PaAccountManager    *self,
                                const char          *platform,
                                const char          *profile,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(PaPlatform) client = NULL;
  const PaPlatformInfo *info;
  PaAccount *account;
  GError *error = NULL;

  g_return_if_fail (PA_IS_ACCOUNT_MANAGER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_account_manager_check_async);

  if (!pa_account_manager_check_names (platform, &profile, &info, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  account = pa_account_manager_find (self, platform, profile);
  if (account == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("There is no %s account called “%s”. Sign in first."),
                               info->display_name, profile);
      return;
    }
  g_task_set_task_data (task, g_object_ref (account), g_object_unref);

  client = pa_platform_new (platform, ensure_http (self), profile,
                            pa_account_get_base_url (account), &error);
  if (client == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  pa_platform_check_async (client, cancellable, check_cb, g_steal_pointer (&task));
}

PaIdentity *
pa_account_manager_check_finish (PaAccountManager  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
