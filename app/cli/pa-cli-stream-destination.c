/* pa-cli-stream-destination.c — `playalter-cli stream-destination
 * add|list|remove`: the RTMP servers `stream --destination` goes live to
 *
 * The stream keys stay in the keyring; the store keeps the name and the
 * server URL only.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pa-cli.h"

static int
destination_add (const PaCliGlobals *globals,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME"));
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(PaSecretString) key = NULL;
  g_autofree char *shown = NULL;
  const GOptionEntry entries[] = {
    { "url", 0, 0, G_OPTION_ARG_STRING, &url, N_("The server, without the key, as in rtmp://a.rtmp.youtube.com/live2 (required)"), N_("URL") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Save an RTMP server to stream to; its stream key is read from standard input and kept in the keyring."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stream-destination add NAME --url URL (the key on standard input)"));
  if (url == NULL)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Give the server with --url URL."));
  /* Checked before the key is asked for. */
  if (!pa_stream_check_destination_name (argv[1], &error) ||
      !pa_stream_check_rtmp_url (url, FALSE, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);

  key = pa_cli_read_secret (_("Stream key"), &error);
  if (key == NULL)
    return pa_cli_fail_error (error);

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);
  secrets = pa_secrets_new ();
  if (!pa_stream_destination_save_sync (store, secrets, argv[1], url, key, NULL, &error))
    return pa_cli_fail_error (error);

  shown = g_strdup_printf ("%s/••••", url);
  g_print (_("Saved “%s”: %s\n"), argv[1], shown);
  return PA_CLI_EXIT_OK;
}

static int
destination_list (const PaCliGlobals *globals,
                  int                 argc,
                  char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaSecrets) secrets = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json, N_("Print one JSON object a line"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("List the saved RTMP servers (the keys stay in the keyring)."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stream-destination list [--json]"));

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);
  secrets = pa_secrets_new ();
  list = pa_stream_destination_list_saved (store, secrets, &error);
  if (list == NULL)
    return pa_cli_fail_error (error);

  for (guint i = 0; i < list->len; i++)
    {
      PaStreamDestination *destination = g_ptr_array_index (list, i);

      if (json)
        {
          g_autoptr(JsonObject) object = json_object_new ();

          json_object_set_string_member (object, "name", pa_stream_destination_get_name (destination));
          json_object_set_string_member (object, "url", pa_stream_destination_get_server_url (destination));
          pa_cli_print_json (object, FALSE);
        }
      else
        g_print ("%s\t%s\n", pa_stream_destination_get_name (destination),
                 pa_stream_destination_get_server_url (destination));
    }
  if (list->len == 0 && !json)
    g_print (_("No stream destinations saved. Add one with `playalter-cli stream-destination add NAME --url URL`.\n"));

  return PA_CLI_EXIT_OK;
}

static int
destination_remove (const PaCliGlobals *globals,
                    int                 argc,
                    char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("NAME"));
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStore) store = NULL;
  g_autoptr(PaSecrets) secrets = NULL;

  g_option_context_set_summary (context, _("Forget a saved RTMP server and its stream key."));
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s", error->message);
  if (argc != 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stream-destination remove NAME"));

  store = pa_cli_open_store (globals, &error);
  if (store == NULL)
    return pa_cli_fail_error (error);
  secrets = pa_secrets_new ();
  if (!pa_stream_destination_remove_sync (store, secrets, argv[1], NULL, &error))
    return pa_cli_fail_error (error);

  g_print (_("Removed “%s”.\n"), argv[1]);
  return PA_CLI_EXIT_OK;
}

int
pa_cli_stream_destination (const PaCliGlobals *globals,
                           int                 argc,
                           char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stream-destination add|list|remove …"));

  if (g_str_equal (argv[1], "add"))
    return destination_add (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return destination_list (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "remove"))
    return destination_remove (globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown stream-destination command “%s”: use add, list or remove."), argv[1]);
}
