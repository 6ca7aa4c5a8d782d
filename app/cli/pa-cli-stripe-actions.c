/* pa-cli-stripe-actions.c — `playalter-cli stripe refund|link|sync`: what acts on Stripe
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-cli-stripe-private.h"

/* A yes/no answer is one short line. */
#define MAX_ANSWER_BYTES 64

/* ---- refund ---------------------------------------------------------------- */

/* Asks on the terminal; FALSE for anything but yes. */
static gboolean
confirm (const char *question)
{
  char answer[MAX_ANSWER_BYTES + 1] = { 0 };
  gsize len = 0;

  g_printerr ("%s ", question);
  while (len < MAX_ANSWER_BYTES)
    {
      gssize n = pa_compat_read_stdin (answer + len, 1);

      if (n <= 0 || answer[len] == '\n')
        break;
      len++;
    }
  answer[len] = '\0';
  g_strstrip (answer);
  /* The translated word and the English one: a script's "y" works in any locale. */
  return g_ascii_strcasecmp (answer, "y") == 0 || g_ascii_strcasecmp (answer, "yes") == 0
         || g_strcmp0 (answer, C_("answer to a yes/no question", "y")) == 0
         || g_strcmp0 (answer, C_("answer to a yes/no question", "yes")) == 0;
}

static PaStripeMode
load_mode (PaCliStripe  *stripe,
           GError      **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  pa_stripe_account_load_mode_async (stripe->account, NULL, pa_cli_stripe_store_result, &result);
  return pa_stripe_account_load_mode_finish (stripe->account, pa_cli_stripe_wait (&result), error);
}

int
pa_cli_stripe_refund (const PaCliGlobals *globals,
                      int                 argc,
                      char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("PAYMENT"));
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(PaStripePaymentRecord) record = NULL;
  g_autoptr(PaPayment) payment = NULL;
  g_autoptr(JsonObject) refund = NULL;
  g_autofree char *amount_text = NULL;
  g_autofree char *shown = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  const char *currency;
  gboolean yes = FALSE;
  PaStripeMode mode;
  gint64 amount = 0;
  gint64 refunded;
  int status;
  const GOptionEntry entries[] = {
    { "amount", 0, 0, G_OPTION_ARG_STRING, &amount_text,
      N_("Refund only this much, in the payment’s currency (12.50; 500 for JPY)"), N_("A") },
    { "yes", 'y', 0, G_OPTION_ARG_NONE, &yes,
      N_("Do not ask before refunding a live payment"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("Refund a payment: all that is left of it, or --amount of it. "
                                  "Asking again after a lost answer never refunds twice."));
  if (!pa_cli_stripe_parse (context, entries, &argc, &argv, &status))
    return status;
  if (argc != 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe refund PAYMENT [--amount A] [--yes] [--json]"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  /* The stored copy knows the currency the amount is in. */
  record = pa_store_stripe_get_payment (stripe.store, stripe.profile, argv[1], &error);
  if (record == NULL)
    {
      if (g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
        return pa_cli_fail (PA_CLI_EXIT_FAILED,
                            _("No payment “%s” in the synced copy of “%s”: check the id with "
                              "`playalter-cli stripe payments`, or run `playalter-cli stripe sync`."),
                            argv[1], stripe.profile);
      return pa_cli_fail_error (error);
    }
  payment = pa_payment_new (record);
  currency = record->currency;
  if (amount_text != NULL && !pa_money_parse (amount_text, currency, NULL, &amount, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "--amount: %s", error->message);
  if (amount_text != NULL && amount == 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--amount: a refund is of more than nothing."));

  mode = load_mode (&stripe, &error);
  if (error != NULL)
    return pa_cli_fail_error (error);
  /* Without --amount: what the stored copy says is left (Stripe decides). */
  shown = pa_money_format (amount > 0 ? amount : pa_payment_get_refundable (payment), currency, NULL);
  if (mode == PA_STRIPE_MODE_LIVE && !yes)
    {
      g_autofree char *question = NULL;

      if (!pa_compat_is_terminal (0))
        return pa_cli_fail (PA_CLI_EXIT_FAILED,
                            _("“%s” is a live account: refunding real money needs a yes. "
                              "Run it at a terminal, or add --yes."),
                            stripe.profile);
      question = g_strdup_printf (_("Refund %s of the live payment %s to %s? [y/N]"), shown,
                                  record->id,
                                  pa_payment_get_payer (payment) != NULL
                                  ? pa_payment_get_payer (payment) : _("the payer"));
      if (!confirm (question))
        return pa_cli_fail (PA_CLI_EXIT_FAILED, _("Nothing was refunded."));
    }

  pa_stripe_account_refund_async (stripe.account, record->id, amount, NULL,
                                  pa_cli_stripe_store_result, &result);
  refund = pa_stripe_account_object_finish (stripe.account, pa_cli_stripe_wait (&result), &error);
  if (refund == NULL)
    return pa_cli_fail_error (error);

  refunded = json_object_get_int_member_with_default (refund, "amount", amount);
  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();

      json_object_set_string_member (root, "refund",
                                     json_object_get_string_member_with_default (refund, "id", NULL));
      json_object_set_string_member (root, "payment", record->id);
      json_object_set_string_member (root, "currency", currency);
      pa_cli_stripe_add_amount (root, "amount", refunded, currency);
      json_object_set_string_member (root, "status",
                                     json_object_get_string_member_with_default (refund, "status", NULL));
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }

  g_clear_pointer (&shown, g_free);
  shown = pa_money_format (refunded, currency, NULL);
  g_print (_("Refunded %s of %s: %s (%s)\n"), shown, record->id,
           json_object_get_string_member_with_default (refund, "id", "?"),
           json_object_get_string_member_with_default (refund, "status", "?"));
  return PA_CLI_EXIT_OK;
}

/* ---- link -------------------------------------------------------------------- */

static JsonObject *
link_to_json (JsonObject *link)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", json_object_get_string_member_with_default (link, "id", NULL));
  json_object_set_string_member (object, "url", json_object_get_string_member_with_default (link, "url", NULL));
  json_object_set_boolean_member (object, "active",
                                  json_object_get_boolean_member_with_default (link, "active", FALSE));
  json_object_set_boolean_member (object, "livemode",
                                  json_object_get_boolean_member_with_default (link, "livemode", FALSE));
  return object;
}

static int
link_create (const PaCliGlobals *globals,
             int                 argc,
             char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(JsonObject) link = NULL;
  g_autoptr(PaQrCode) qr = NULL;
  g_autofree char *price = NULL;
  g_autofree char *drawing = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  const char *url;
  int status;
  const GOptionEntry entries[] = {
    { "price", 0, 0, G_OPTION_ARG_STRING, &price, N_("The price to sell one of (price_…; required)"), N_("PRICE") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Make a payment link for one of a price, and show its QR code."));
  if (!pa_cli_stripe_parse (context, entries, &argc, &argv, &status))
    return status;
  if (argc != 1 || price == NULL || price[0] == '\0')
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe link create --price PRICE [--json]"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  pa_stripe_account_create_link_async (stripe.account, price, NULL, pa_cli_stripe_store_result, &result);
  link = pa_stripe_account_object_finish (stripe.account, pa_cli_stripe_wait (&result), &error);
  if (link == NULL)
    return pa_cli_fail_error (error);
  url = json_object_get_string_member_with_default (link, "url", NULL);
  if (url == NULL)
    return pa_cli_fail (PA_CLI_EXIT_FAILED, _("Stripe made the link %s but gave no URL for it."),
                        json_object_get_string_member_with_default (link, "id", "?"));

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = link_to_json (link);

      json_object_set_string_member (root, "price", price);
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }

  g_print ("%s\n", url);
  qr = pa_qr_code_new (url, &error);
  if (qr == NULL)
    return pa_cli_fail_error (error);
  drawing = pa_qr_code_to_text (qr);
  g_print ("%s", drawing);
  return PA_CLI_EXIT_OK;
}

static int
link_list (const PaCliGlobals *globals,
           int                 argc,
           char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autoptr(GPtrArray) links = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *age = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  gboolean all = FALSE;
  int status;
  const GOptionEntry entries[] = {
    { "all", 0, 0, G_OPTION_ARG_NONE, &all, N_("Also the deactivated links"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context, _("The payment links, newest first, as last synced."));
  if (!pa_cli_stripe_parse (context, entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe link list [--all] [--json]"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  records = pa_store_stripe_list_objects (stripe.store, stripe.profile, "payment_link", NULL, 0, &error);
  if (records == NULL)
    return pa_cli_fail_error (error);
  for (guint i = 0; i < records->len; i++)
    {
      const PaStripeObjectRecord *record = g_ptr_array_index (records, i);
      g_autoptr(JsonNode) node = json_from_string (record->data_json, NULL);
      JsonObject *link;

      /* The store keeps what Stripe sent: skip what is not an object. */
      if (node == NULL || !JSON_NODE_HOLDS_OBJECT (node))
        continue;
      link = json_node_get_object (node);
      if (!all && !json_object_get_boolean_member_with_default (link, "active", FALSE))
        continue;
      g_ptr_array_add (links, link_to_json (link));
    }

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonArray) array = json_array_new ();

      json_object_set_string_member (root, "profile", stripe.profile);
      for (guint i = 0; i < links->len; i++)
        json_array_add_object_element (array, json_object_ref (g_ptr_array_index (links, i)));
      json_object_set_array_member (root, "links", g_steal_pointer (&array));
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }

  age = pa_cli_stripe_describe_age (pa_cli_stripe_last_synced (&stripe));
  g_print (_("Stripe account “%s”, %s\n"), stripe.profile, age);
  for (guint i = 0; i < links->len; i++)
    {
      JsonObject *link = g_ptr_array_index (links, i);

      g_print ("%-32s %-8s %s\n", json_object_get_string_member (link, "id"),
               json_object_get_boolean_member (link, "active") ? _("active") : _("inactive"),
               json_object_get_string_member_with_default (link, "url", "—"));
    }
  return PA_CLI_EXIT_OK;
}

int
pa_cli_stripe_link (const PaCliGlobals *globals,
                    int                 argc,
                    char              **argv)
{
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe link create|list … (try --help)"));
  if (g_str_equal (argv[1], "create"))
    return link_create (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "list"))
    return link_list (globals, argc - 1, argv + 1);
  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Unknown link command “%s”: use create or list."), argv[1]);
}

/* ---- sync -------------------------------------------------------------------- */

int
pa_cli_stripe_sync (const PaCliGlobals *globals,
                    int                 argc,
                    char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autofree char *count = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  PaStripeSync *sync;
  gint64 n_new;
  int status;

  g_option_context_set_summary (context,
                                _("Bring the synced copy up to date: the balance, then Stripe’s "
                                  "events since the last sync (the last 30 days the first time)."));
  if (!pa_cli_stripe_parse (context, NULL, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe sync [--json]"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  sync = pa_stripe_account_get_sync (stripe.account);
  pa_stripe_sync_run_async (sync, NULL, pa_cli_stripe_store_result, &result);
  n_new = pa_stripe_sync_run_finish (sync, pa_cli_stripe_wait (&result), &error);
  if (error != NULL)
    return pa_cli_fail_error (error);

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();

      json_object_set_string_member (root, "profile", stripe.profile);
      json_object_set_int_member (root, "new_events", n_new);
      json_object_set_int_member (root, "events",
                                  pa_store_stripe_count_events (stripe.store, stripe.profile, NULL));
      json_object_set_int_member (root, "synced_at", pa_stripe_sync_get_last_synced (sync) / 1000);
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }
  count = g_strdup_printf ("%" G_GINT64_FORMAT, n_new);
  g_print (g_dngettext (GETTEXT_PACKAGE, "Synced “%s”: %s new event.\n",
                        "Synced “%s”: %s new events.\n", (gulong) MIN (n_new, G_MAXINT)),
           stripe.profile, count);
  return PA_CLI_EXIT_OK;
}
