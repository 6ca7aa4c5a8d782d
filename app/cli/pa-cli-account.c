/* pa-cli-account.c — `playalter-cli account …`
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "pa-limits.h"
#include "pa-cli.h"

/* Generous for any API key or certificate, small enough to refuse a
 * file piped in by mistake. */
#define MAX_SECRET_BYTES PA_LIMIT_SECRET_BYTES

typedef struct {
  PaStore          *store;
  PaSecrets        *secrets;
  PaAccountManager *manager;
} Session;

static void
session_clear (Session *session)
{
  g_clear_object (&session->manager);
  g_clear_object (&session->secrets);
  g_clear_object (&session->store);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Session, session_clear)

static gboolean
session_open (Session             *session,
              const PaCliGlobals  *globals,
              GError             **error)
{
  session->store = pa_cli_open_store (globals, error);
  if (session->store == NULL)
    return FALSE;

  session->secrets = pa_secrets_new ();
  session->manager = pa_account_manager_new (session->store, session->secrets);
  return TRUE;
}

/* The read buffer is wiped whole: a secret with a stray NUL in it would
 * escape a strlen()-based wipe. */
typedef char SecretBuffer;

static void
secret_buffer_free (SecretBuffer *buffer)
{
  pa_compat_secure_zero (buffer, MAX_SECRET_BYTES + 2);
  g_free (buffer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SecretBuffer, secret_buffer_free)

/* Reads into @buffer unbuffered, never through stdio: stdin's FILE
 * buffer would keep a copy of the secret that nothing wipes. From a
 * terminal one line is enough; otherwise everything up to EOF. Returns
 * the length, or -1 with errno set. */
static gssize
read_raw (char     *buffer,
          gsize     capacity,
          gboolean  one_line)
{
  gsize len = 0;

  while (len < capacity)
    {
      gssize n = pa_compat_read_stdin (buffer + len, capacity - len);

      if (n < 0)
        return -1;
      if (n == 0)
        break;
      len += (gsize) n;
      if (one_line && memchr (buffer + len - n, '\n', (gsize) n) != NULL)
        break;
    }

  return (gssize) len;
}

/* Reads the secret without echoing it. From a terminal we prompt on
 * stderr with echo off; from a pipe we take everything, less one
 * trailing newline. The secret never goes through argv or the
 * environment, where other users' `ps` could read it. */
char *
pa_cli_read_secret (const char  *what,
                    GError     **error)
{
  /* One byte more than we accept, to notice oversize input, and one for
   * the terminating NUL. */
  g_autoptr(SecretBuffer) buffer = g_malloc0 (MAX_SECRET_BYTES + 2);
  gboolean tty = pa_compat_is_terminal (0);
  gssize read_len;
  int saved_errno;
  gsize len;

  if (tty)
    {
      g_printerr (_("%s (input is hidden): "), what);
      pa_compat_echo_disable ();
    }

  read_len = read_raw (buffer, MAX_SECRET_BYTES + 1, tty);
  saved_errno = errno;

  if (tty)
    {
      pa_compat_echo_restore ();
      g_printerr ("\n");
    }

  if (read_len < 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Could not read the secret from standard input: %s"),
                   g_strerror (saved_errno));
      return NULL;
    }
  len = (gsize) read_len;

  if (len > MAX_SECRET_BYTES)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The secret on standard input is larger than %d KiB; pipe in only the key."),
                   MAX_SECRET_BYTES / 1024);
      return NULL;
    }

  if (len > 0 && buffer[len - 1] == '\n')
    buffer[--len] = '\0';
  if (len > 0 && buffer[len - 1] == '\r')
    buffer[--len] = '\0';

  if (memchr (buffer, '\0', len) != NULL || strchr (buffer, '\n') != NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The secret on standard input spans several lines or holds binary data; pipe in only the key."));
      return NULL;
    }

  return g_strndup (buffer, len);
}

static int
fail_unknown_platform (const char *id)
{
  g_autoptr(GError) error = NULL;

  pa_platform_info_set_unknown_error (&error, id);
  return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
}

/* The start that set, check and remove share: parses @entries, wants
 * exactly one PLATFORM, looks it up and fills in the default profile.
 * Returns NULL with *@status set (after saying why) when any of it fails. */
static const PaPlatformInfo *
parse_platform_command (GOptionContext       *context,
                        const GOptionEntry   *entries,
                        const char           *usage,
                        int                  *argc,
                        char               ***argv,
                        char                **profile,
                        int                  *status)
{
  g_autoptr(GError) error = NULL;
  const PaPlatformInfo *info;

  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
      return NULL;
    }
  if (*argc != 2)
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", usage);
      return NULL;
    }

  info = pa_platform_info_lookup ((*argv)[1]);
  if (info == NULL)
    {
      *status = fail_unknown_platform ((*argv)[1]);
      return NULL;
    }

  if (*profile == NULL)
    *profile = g_strdup (PA_DEFAULT_PROFILE);
  return info;
}

static const char *
describe_status (PaAccount *account)
{
  static char *text;

  switch (pa_account_get_status (account))
    {
    case PA_ACCOUNT_STATUS_SIGNED_IN:
      return _("Signed in");
    case PA_ACCOUNT_STATUS_KEYRING_UNAVAILABLE:
      g_free (text);
      text = g_strdup_printf (_("Keyring unavailable: %s"), pa_account_get_status_detail (account));
      return text;
    case PA_ACCOUNT_STATUS_NOT_SIGNED_IN:
    default:
      if (pa_account_get_status_detail (account) != NULL)
        {
          g_free (text);
          text = g_strdup_printf (_("Not signed in (%s)"), pa_account_get_status_detail (account));
          return text;
        }
      return _("Not signed in");
    }
}

static const char *
saved_base_url (Session    *session,
                const char *platform,
                const char *profile)
{
  static char *url;
  g_autoptr(GPtrArray) saved = pa_store_list_accounts (session->store, NULL);

  g_clear_pointer (&url, g_free);
  for (guint i = 0; saved != NULL && i < saved->len; i++)
    {
      const PaAccountRecord *row = g_ptr_array_index (saved, i);

      if (g_str_equal (row->platform, platform) && g_str_equal (row->profile, profile))
        url = g_strdup (row->base_url);
    }

  return url;
}

/* Whether the keyring holds any key of the profile. */
static gboolean
has_stored_key (Session              *session,
                const PaPlatformInfo *info,
                const char           *profile)
{
  for (guint i = 0; info->fields[i].name != NULL; i++)
    {
      g_autoptr(PaSecretString) stored = pa_secrets_lookup_sync (session->secrets, info->id,
                                                                 profile, info->fields[i].name,
                                                                 NULL, NULL);

      if (stored != NULL)
        return TRUE;
    }
  return FALSE;
}

static int
account_set (const PaCliGlobals *globals,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("PLATFORM"));
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *base_url = NULL;
  g_autofree char *field = NULL;
  g_autoptr(PaSecretString) secret = NULL;
  g_autoptr(GHashTable) secrets = NULL;
  g_auto(Session) session = { 0 };
  const PaPlatformInfo *info;
  const PaCredentialField *credential;
  PaAccount *account;
  gboolean insecure_http = FALSE;
  PaSignInFlags flags;
  int status;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("Account profile (default: “default”)"), N_("NAME") },
    { "base-url", 0, 0, G_OPTION_ARG_STRING, &base_url, N_("Talk to this server instead of the platform’s default"), N_("URL") },
    { "insecure-http", 0, 0, G_OPTION_ARG_NONE, &insecure_http, N_("Accept a plain http:// base URL on another machine: the key travels in clear"), NULL },
    { "field", 0, 0, G_OPTION_ARG_STRING, &field, N_("Which credential the secret is (Agora has several)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Sign in to a platform. The secret is read from standard input."));
  info = parse_platform_command (context, entries,
                                 _("Usage: account set PLATFORM [--profile NAME] [--base-url URL] [--insecure-http] [--field NAME]"),
                                 &argc, &argv, &profile, &status);
  if (info == NULL)
    return status;

  if (field == NULL)
    {
      if (pa_platform_info_get_n_fields (info) != 1)
        {
          g_autoptr(GString) names = g_string_new (NULL);

          for (guint i = 0; info->fields[i].name != NULL; i++)
            g_string_append_printf (names, "%s%s", i ? ", " : "", info->fields[i].name);
          return pa_cli_fail (PA_CLI_EXIT_USAGE, _("%s has several credentials: give --field, one of %s."),
                              info->display_name, names->str);
        }
      field = g_strdup (info->fields[0].name);
    }

  credential = pa_platform_info_find_field (info, field);
  if (credential == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("%s has no credential called “%s”."), info->display_name, field);

  flags = insecure_http ? PA_SIGN_IN_ALLOW_INSECURE_HTTP : PA_SIGN_IN_NONE;
  if (!pa_account_manager_check_base_url (base_url, flags, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);

  if (!session_open (&session, globals, &error))
    return pa_cli_fail_error (error);

  secret = pa_cli_read_secret (g_dgettext (GETTEXT_PACKAGE, credential->label), &error);
  if (secret == NULL)
    return pa_cli_fail_error (error);

  if (secret[0] == '\0' && !(info->key_optional && base_url != NULL))
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        _("No %s on standard input. Pipe it in, e.g. `secret-command | playalter-cli account set %s`."),
                        g_dgettext (GETTEXT_PACKAGE, credential->label), info->id);

  /* Leaving out --base-url keeps the address saved earlier, which is
   * checked again: plain http to another machine needs the option each
   * time a key is given for it. */
  if (base_url == NULL)
    {
      base_url = g_strdup (saved_base_url (&session, info->id, profile));
      if (!pa_account_manager_check_base_url (base_url, flags, &error))
        return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
    }

  if (insecure_http && base_url != NULL && !pa_http_url_is_safe_for_credentials (base_url))
    g_printerr (_("Warning: %s is plain http:// on another machine. The %s key will travel "
                  "in clear, and anyone on the network between here and there can read it "
                  "and use it.\n"),
                base_url, info->display_name);

  if (pa_account_manager_base_url_moves (session.manager, info->id, profile, base_url) &&
      has_stored_key (&session, info, profile))
    g_printerr (_("The base URL points to another server than before: the keys stored for "
                  "the old one are removed, so give each of them again for the new one.\n"));

  secrets = g_hash_table_new (g_str_hash, g_str_equal);
  if (secret[0] != '\0')
    g_hash_table_insert (secrets, field, secret);

  if (!pa_account_manager_sign_in_sync (session.manager, info->id, profile, base_url, flags,
                                        secrets, NULL, &error))
    return pa_cli_fail_error (error);

  account = pa_account_manager_find (session.manager, info->id, profile);
  g_print (_("%s (%s): %s\n"), info->display_name, profile, describe_status (account));

  return PA_CLI_EXIT_OK;
}

static int
account_list (const PaCliGlobals *globals,
              int                 argc,
              char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_auto(Session) session = { 0 };
  gboolean json = FALSE;
  GListModel *accounts;
  guint n;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("List accounts and their status. Secrets are never shown."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: account list [--json]"));

  if (!session_open (&session, globals, &error) ||
      !pa_account_manager_refresh_sync (session.manager, NULL, &error))
    return pa_cli_fail_error (error);

  accounts = pa_account_manager_get_accounts (session.manager);
  n = g_list_model_get_n_items (accounts);

  if (json)
    {
      g_autoptr(JsonBuilder) builder = json_builder_new ();
      g_autoptr(JsonGenerator) generator = json_generator_new ();
      g_autoptr(JsonNode) root = NULL;
      g_autofree char *text = NULL;

      json_builder_begin_array (builder);
      for (guint i = 0; i < n; i++)
        {
          g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

          json_builder_begin_object (builder);
          json_builder_set_member_name (builder, "platform");
          json_builder_add_string_value (builder, pa_account_get_platform (account));
          json_builder_set_member_name (builder, "profile");
          json_builder_add_string_value (builder, pa_account_get_profile (account));
          json_builder_set_member_name (builder, "base_url");
          json_builder_add_string_value (builder, pa_account_get_effective_base_url (account));
          json_builder_set_member_name (builder, "status");
          json_builder_add_string_value (builder, pa_account_status_to_string (pa_account_get_status (account)));
          json_builder_set_member_name (builder, "detail");
          if (pa_account_get_status_detail (account) != NULL)
            json_builder_add_string_value (builder, pa_account_get_status_detail (account));
          else
            json_builder_add_null_value (builder);
          json_builder_end_object (builder);
        }
      json_builder_end_array (builder);

      root = json_builder_get_root (builder);
      json_generator_set_root (generator, root);
      json_generator_set_pretty (generator, TRUE);
      text = json_generator_to_data (generator, NULL);
      g_print ("%s\n", text);
      return PA_CLI_EXIT_OK;
    }

  g_print ("%-10s %-12s %-36s %s\n", _("PLATFORM"), _("PROFILE"), _("BASE URL"), _("STATUS"));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

      g_print ("%-10s %-12s %-36s %s\n",
               pa_account_get_platform (account),
               pa_account_get_profile (account),
               pa_account_get_effective_base_url (account),
               describe_status (account));
    }

  return PA_CLI_EXIT_OK;
}

static int
account_remove (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("PLATFORM"));
  g_autoptr(GError) error = NULL;
  g_autofree char *profile = NULL;
  g_auto(Session) session = { 0 };
  const PaPlatformInfo *info;
  int status;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("Account profile (default: “default”)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Sign out: delete the account’s secrets from the keyring."));
  info = parse_platform_command (context, entries, _("Usage: account remove PLATFORM [--profile NAME]"),
                                 &argc, &argv, &profile, &status);
  if (info == NULL)
    return status;

  if (!session_open (&session, globals, &error) ||
      !pa_account_manager_sign_out_sync (session.manager, info->id, profile, NULL, &error))
    return pa_cli_fail_error (error);

  g_print (_("Signed out of %s (%s).\n"), info->display_name, profile);
  return PA_CLI_EXIT_OK;
}

static void
store_result (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static int
account_check (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("PLATFORM"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaIdentity) identity = NULL;
  g_autofree char *profile = NULL;
  g_autofree char *who = NULL;
  g_auto(Session) session = { 0 };
  const PaPlatformInfo *info;
  PaAccount *account;
  int status;
  const GOptionEntry entries[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &profile, N_("Account profile (default: “default”)"), N_("NAME") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Ask the platform who the stored keys belong to."));
  info = parse_platform_command (context, entries, _("Usage: account check PLATFORM [--profile NAME]"),
                                 &argc, &argv, &profile, &status);
  if (info == NULL)
    return status;

  if (!session_open (&session, globals, &error) ||
      !pa_account_manager_refresh_sync (session.manager, NULL, &error))
    return pa_cli_fail_error (error);

  account = pa_account_manager_find (session.manager, info->id, profile);
  if (account == NULL)
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("There is no %s account called “%s”. Sign in first."),
                        info->display_name, profile);

  if (pa_account_get_status (account) != PA_ACCOUNT_STATUS_SIGNED_IN)
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("%s (%s): %s"),
                        info->display_name, profile, describe_status (account));

  /* The CLI owns the default main context: iterate it until done. */
  pa_account_manager_check_async (session.manager, info->id, profile, NULL, store_result, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);

  identity = pa_account_manager_check_finish (session.manager, result, &error);
  if (identity == NULL)
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("%s (%s): %s"), info->display_name, profile, error->message);

  who = pa_identity_describe (identity);
  g_print (_("%s (%s): signed in as %s\n"), info->display_name, profile, who);
  return PA_CLI_EXIT_OK;
}

int
pa_cli_account (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: account set|list|check|remove … (try --help)"));

  if (g_str_equal (argv[1], "set"))
    return account_set (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return account_list (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "remove"))
    return account_remove (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "check"))
    return account_check (globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown account command “%s”: use set, list, check or remove."), argv[1]);
}
