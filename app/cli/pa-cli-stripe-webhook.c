/* pa-cli-stripe-webhook.c — `playalter-cli stripe webhook secret|listen`
 *
 * The receiver for `stripe listen --forward-to`: it verifies each event
 * with the endpoint secret saved in the keyring and stores it in the
 * synced copy, where an event that the sync also fetches lands once.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-cli-stripe-private.h"

static int
webhook_secret (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaSecretString) secret = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  int status;

  g_option_context_set_summary (context,
                                _("Save the webhook signing secret (whsec_…) that `stripe listen` "
                                  "prints, or the endpoint’s from the Dashboard. It is read from "
                                  "standard input and kept in the keyring."));
  if (!pa_cli_stripe_parse (context, NULL, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe webhook secret (the secret on standard input)"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  secret = pa_cli_read_secret (_("Webhook signing secret"), &error);
  if (secret == NULL)
    return pa_cli_fail_error (error);
  if (secret[0] == '\0')
    return pa_cli_fail (PA_CLI_EXIT_FAILED,
                        _("No webhook signing secret on standard input. Pipe it in, e.g. "
                          "`stripe listen --print-secret | playalter-cli stripe webhook secret`."));

  pa_stripe_webhook_save_secret_async (stripe.secrets, stripe.profile, secret, NULL,
                                       pa_cli_stripe_store_result, &result);
  if (!pa_stripe_webhook_save_secret_finish (pa_cli_stripe_wait (&result), &error))
    return pa_cli_fail_error (error);

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();

      json_object_set_string_member (root, "profile", stripe.profile);
      json_object_set_boolean_member (root, "saved", TRUE);
      pa_cli_print_json (root, FALSE);
    }
  else
    g_print (_("Saved the webhook signing secret of Stripe account “%s”.\n"), stripe.profile);
  return PA_CLI_EXIT_OK;
}

static void
on_event_added (PaStripeSync *sync,
                const char   *id,
                const char   *type,
                JsonObject   *event,
                gpointer      user_data)
{
  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "event", id);
      json_object_set_string_member (object, "type", type);
      json_object_set_int_member (object, "created",
                                  json_object_get_int_member_with_default (event, "created", 0));
      pa_cli_print_json (object, FALSE);
    }
  else
    g_print ("%s %s\n", id, type);
}

static void
on_interrupt (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  g_main_context_wakeup (NULL);
}

static int
webhook_listen (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaStripeWebhookReceiver) receiver = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  PaStripeSync *sync;
  gboolean stopped = FALSE;
  const char *url;
  guint interrupt_id;
  gulong added_id;
  int port = 0;
  int status;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port,
      N_("The port to listen on, on 127.0.0.1 (default: a free one)"), N_("N") },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("Take Stripe’s events on 127.0.0.1 until Ctrl-C, checking each "
                                  "with the saved webhook signing secret, and store them in the "
                                  "synced copy. Point `stripe listen --forward-to` at the address "
                                  "it prints."));
  if (!pa_cli_stripe_parse (context, entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe webhook listen [--port N] [--json]"));
  if (port < 0 || port > 65535)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--port takes a number from 0 to 65535"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  sync = pa_stripe_account_get_sync (stripe.account);
  receiver = pa_stripe_webhook_receiver_new (sync, stripe.secrets);
  added_id = g_signal_connect (sync, "event-added", G_CALLBACK (on_event_added), NULL);
  /* SIGINT and SIGTERM; Ctrl-C and Ctrl-Break on Windows. */
  interrupt_id = pa_compat_add_interrupt_handler (on_interrupt, &stopped);

  pa_stripe_webhook_receiver_start_async (receiver, (guint) port, NULL,
                                          pa_cli_stripe_store_result, &result);
  if (!pa_stripe_webhook_receiver_start_finish (receiver, pa_cli_stripe_wait (&result), &error))
    {
      g_signal_handler_disconnect (sync, added_id);
      pa_compat_remove_interrupt_handler (interrupt_id);
      return pa_cli_fail_error (error);
    }

  /* Scripts wait for this line: it is flushed at once. */
  url = pa_stripe_webhook_receiver_get_url (receiver);
  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) object = json_object_new ();

      json_object_set_string_member (object, "listening", url);
      pa_cli_print_json (object, FALSE);
    }
  else
    {
      g_print (_("Listening on %s\n"), url);
      g_printerr (_("Forward Stripe’s events here with `stripe listen --forward-to %s`; "
                    "Ctrl-C stops.\n"), url);
    }

  while (!stopped)
    g_main_context_iteration (NULL, TRUE);

  pa_stripe_webhook_receiver_stop (receiver);
  g_signal_handler_disconnect (sync, added_id);
  pa_compat_remove_interrupt_handler (interrupt_id);
  if (!pa_cli_stripe_json ())
    g_print (_("Stopped (events taken: %u, requests refused: %u)\n"),
             pa_stripe_webhook_receiver_get_n_accepted (receiver),
             pa_stripe_webhook_receiver_get_n_refused (receiver));
  return PA_CLI_EXIT_OK;
}

int
pa_cli_stripe_webhook (const PaCliGlobals *globals,
                       int                 argc,
                       char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe webhook secret|listen … (try --help)"));
  if (g_str_equal (argv[1], "secret"))
    return webhook_secret (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "listen"))
    return webhook_listen (globals, argc - 1, argv + 1);
  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown webhook command “%s”: use secret or listen."), argv[1]);
}
