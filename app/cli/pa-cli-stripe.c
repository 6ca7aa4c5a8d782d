/* pa-cli-stripe.c — `playalter-cli stripe …`: a Stripe account from the command line
 *
 * `balance`, `payments` and `link list` read the synced copy (and say
 * how old it is); `sync` brings it up to date; `refund` and `link create`
 * act on Stripe. The other commands are in pa-cli-stripe-actions.c and
 * pa-cli-stripe-webhook.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-cli-stripe-private.h"

#define DEFAULT_LIMIT 20

static char     *opt_profile;
static gboolean  opt_json;

static const char *usage_text =
  N_("Usage: stripe [--profile NAME] COMMAND [--json]\n"
     "  balance                 The balance per currency, from the synced copy\n"
     "  payments [--limit N] [--status S] [--search TEXT]\n"
     "                          Payments, newest first, from the synced copy\n"
     "  refund PAYMENT [--amount A] [--yes]\n"
     "                          Refund all that is left of a payment, or A of it\n"
     "  link create --price PRICE\n"
     "                          A payment link for one of PRICE, with its QR code\n"
     "  link list [--all]       The payment links (only the active ones without --all)\n"
     "  sync                    Bring the synced copy up to date from Stripe\n"
     "  webhook secret          Save the webhook signing secret (read from standard input)\n"
     "  webhook listen [--port N]\n"
     "                          Take Stripe’s events on 127.0.0.1 (stripe listen --forward-to)");

/* ---- shared ---------------------------------------------------------------- */

const char *
pa_cli_stripe_profile (void)
{
  return opt_profile != NULL ? opt_profile : PA_DEFAULT_PROFILE;
}

gboolean
pa_cli_stripe_json (void)
{
  return opt_json;
}

gboolean
pa_cli_stripe_parse (GOptionContext      *context,
                     const GOptionEntry  *entries,
                     int                 *argc,
                     char              ***argv,
                     int                 *status)
{
  g_autoptr(GError) error = NULL;
  const GOptionEntry shared[] = {
    { "profile", 0, 0, G_OPTION_ARG_STRING, &opt_profile,
      N_("The Stripe account’s profile (default: “default”)"), N_("NAME") },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt_json, N_("Print JSON for scripts"), NULL },
    { NULL }
  };

  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_add_main_entries (context, shared, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, argc, argv, &error))
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
      return FALSE;
    }
  if (opt_profile != NULL && opt_profile[0] == '\0')
    {
      *status = pa_cli_fail (PA_CLI_EXIT_USAGE, _("--profile takes a name"));
      return FALSE;
    }
  return TRUE;
}

void
pa_cli_stripe_clear (PaCliStripe *stripe)
{
  g_clear_object (&stripe->account);
  g_clear_object (&stripe->client);
  g_clear_object (&stripe->secrets);
  g_clear_object (&stripe->store);
  g_clear_pointer (&stripe->profile, g_free);
}

gboolean
pa_cli_stripe_open (PaCliStripe         *stripe,
                    const PaCliGlobals  *globals,
                    const char          *profile,
                    GError             **error)
{
  g_autoptr(GPtrArray) accounts = NULL;
  const PaAccountRecord *found = NULL;

  stripe->store = pa_cli_open_store (globals, error);
  if (stripe->store == NULL)
    return FALSE;
  accounts = pa_store_list_accounts (stripe->store, error);
  if (accounts == NULL)
    return FALSE;
  for (guint i = 0; i < accounts->len; i++)
    {
      const PaAccountRecord *row = g_ptr_array_index (accounts, i);

      if (g_str_equal (row->platform, "stripe") && g_str_equal (row->profile, profile))
        found = row;
    }
  if (found == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("There is no Stripe account called “%s”. Sign in first: "
                     "`playalter-cli account set stripe --profile %s` with the secret key "
                     "on standard input."),
                   profile, profile);
      return FALSE;
    }

  stripe->profile = g_strdup (profile);
  stripe->secrets = pa_secrets_new ();
  /* The shared client, reading the key from the keyring when it sends. */
  stripe->client = pa_stripe_new (pa_platform_get_default_http (), profile, found->base_url);
  pa_stripe_set_secrets (stripe->client, stripe->secrets);
  stripe->account = pa_stripe_account_new (stripe->store, stripe->client, stripe->secrets, profile);
  return TRUE;
}

void
pa_cli_stripe_store_result (GObject      *source,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

GAsyncResult *
pa_cli_stripe_wait (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

void
pa_cli_stripe_add_amount (JsonObject *object,
                          const char *name,
                          gint64      minor,
                          const char *currency)
{
  g_autofree char *formatted = pa_money_format (minor, currency, NULL);
  g_autofree char *formatted_name = g_strconcat (name, "_formatted", NULL);

  json_object_set_int_member (object, name, minor);
  json_object_set_string_member (object, formatted_name, formatted);
}

char *
pa_cli_stripe_describe_age (gint64 synced_at_ms)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *date = NULL;
  gint64 age_s;

  if (synced_at_ms <= 0)
    return g_strdup (_("never synced: run `playalter-cli stripe sync`"));

  when = g_date_time_new_from_unix_local (synced_at_ms / 1000);
  date = when != NULL ? g_date_time_format (when, "%Y-%m-%d %H:%M") : g_strdup ("?");
  age_s = MAX ((g_get_real_time () / 1000 - synced_at_ms) / 1000, 0);
  if (age_s < 60)
    return g_strdup_printf (_("synced just now (%s)"), date);
  if (age_s < 3600)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "synced %d minute ago (%s)",
                                         "synced %d minutes ago (%s)", (gulong) (age_s / 60)),
                            (int) (age_s / 60), date);
  if (age_s < 2 * 86400)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "synced %d hour ago (%s)",
                                         "synced %d hours ago (%s)", (gulong) (age_s / 3600)),
                            (int) (age_s / 3600), date);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "synced %d day ago (%s)",
                                       "synced %d days ago (%s)", (gulong) (age_s / 86400)),
                          (int) (age_s / 86400), date);
}

char *
pa_cli_stripe_pad (const char *text,
                   int         width,
                   gboolean    right_aligned)
{
  glong len = g_utf8_strlen (text, -1);
  g_autofree char *spaces = g_strnfill (len < width ? (gsize) (width - len) : 0, ' ');

  return right_aligned ? g_strconcat (spaces, text, NULL) : g_strconcat (text, spaces, NULL);
}

gint64
pa_cli_stripe_last_synced (PaCliStripe *stripe)
{
  g_autoptr(PaStripeSyncState) state = pa_store_stripe_get_sync_state (stripe->store,
                                                                        stripe->profile, NULL);

  return state != NULL ? state->last_synced_at : 0;
}

static void
add_synced_at (JsonObject *object,
               gint64      synced_at_ms)
{
  if (synced_at_ms > 0)
    {
      json_object_set_int_member (object, "synced_at", synced_at_ms / 1000);
      json_object_set_int_member (object, "age_seconds",
                                  MAX ((g_get_real_time () / 1000 - synced_at_ms) / 1000, 0));
    }
  else
    {
      json_object_set_null_member (object, "synced_at");
      json_object_set_null_member (object, "age_seconds");
    }
}

/* ---- balance --------------------------------------------------------------- */

static int
stripe_balance (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) balances = NULL;
  g_autofree char *age = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  gint64 synced_at;
  int status;

  g_option_context_set_summary (context, _("The balance per currency, as last synced."));
  if (!pa_cli_stripe_parse (context, NULL, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: stripe balance [--json]"));

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  balances = pa_store_stripe_get_balance (stripe.store, stripe.profile, &error);
  if (balances == NULL)
    return pa_cli_fail_error (error);
  /* The balance's own time, else the last sync's. */
  synced_at = balances->len > 0
              ? ((PaStripeBalanceRecord *) g_ptr_array_index (balances, 0))->fetched_at
              : pa_cli_stripe_last_synced (&stripe);

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonArray) array = json_array_new ();

      json_object_set_string_member (root, "profile", stripe.profile);
      add_synced_at (root, synced_at);
      for (guint i = 0; i < balances->len; i++)
        {
          const PaStripeBalanceRecord *record = g_ptr_array_index (balances, i);
          JsonObject *object = json_object_new ();

          json_object_set_string_member (object, "currency", record->currency);
          pa_cli_stripe_add_amount (object, "available", record->available, record->currency);
          pa_cli_stripe_add_amount (object, "pending", record->pending, record->currency);
          json_object_set_boolean_member (object, "livemode", record->livemode);
          json_array_add_object_element (array, object);
        }
      json_object_set_array_member (root, "balances", g_steal_pointer (&array));
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }

  age = pa_cli_stripe_describe_age (synced_at);
  g_print (_("Stripe account “%s”, %s\n"), stripe.profile, age);
  if (balances->len == 0)
    {
      g_print (_("No balance stored yet.\n"));
      return PA_CLI_EXIT_OK;
    }
  {
    g_autofree char *currency = pa_cli_stripe_pad (_("CURRENCY"), 9, FALSE);
    g_autofree char *available = pa_cli_stripe_pad (_("AVAILABLE"), 20, TRUE);
    g_autofree char *pending = pa_cli_stripe_pad (_("PENDING"), 20, TRUE);

    g_print ("%s %s %s\n", currency, available, pending);
  }
  for (guint i = 0; i < balances->len; i++)
    {
      const PaStripeBalanceRecord *record = g_ptr_array_index (balances, i);
      g_autofree char *available_text = pa_money_format (record->available, record->currency, NULL);
      g_autofree char *pending_text = pa_money_format (record->pending, record->currency, NULL);
      g_autofree char *available = pa_cli_stripe_pad (available_text, 20, TRUE);
      g_autofree char *pending = pa_cli_stripe_pad (pending_text, 20, TRUE);
      g_autofree char *code = g_ascii_strup (record->currency, -1);

      g_print ("%-9s %s %s\n", code, available, pending);
    }
  return PA_CLI_EXIT_OK;
}

/* ---- payments -------------------------------------------------------------- */

static JsonObject *
payment_to_json (PaPayment *payment)
{
  const PaStripePaymentRecord *record = pa_payment_get_record (payment);
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, "id", record->id);
  json_object_set_int_member (object, "created", record->created);
  json_object_set_string_member (object, "currency", record->currency);
  pa_cli_stripe_add_amount (object, "amount", record->amount, record->currency);
  pa_cli_stripe_add_amount (object, "amount_refunded", record->amount_refunded, record->currency);
  pa_cli_stripe_add_amount (object, "refundable", pa_payment_get_refundable (payment),
                            record->currency);
  json_object_set_string_member (object, "status",
                                 pa_payment_status_to_string (pa_payment_get_status (payment)));
  json_object_set_string_member (object, "stripe_status", record->status);
  json_object_set_boolean_member (object, "disputed", record->disputed);
  json_object_set_string_member (object, "payer", pa_payment_get_payer (payment));
  json_object_set_string_member (object, "email", record->email);
  json_object_set_string_member (object, "description", record->description);
  json_object_set_string_member (object, "payment_intent", record->payment_intent);
  json_object_set_string_member (object, "method", record->method);
  json_object_set_boolean_member (object, "livemode", record->livemode);
  return object;
}

static int
stripe_payments (const PaCliGlobals *globals,
                 int                 argc,
                 char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) records = NULL;
  g_autofree char *status_name = NULL;
  g_autofree char *search = NULL;
  g_autofree char *age = NULL;
  g_auto(PaCliStripe) stripe = { 0 };
  PaStripePaymentFilter filter;
  PaPaymentStatus wanted;
  int limit = DEFAULT_LIMIT;
  guint total;
  int status;
  const GOptionEntry entries[] = {
    { "limit", 0, 0, G_OPTION_ARG_INT, &limit, N_("Show at most N payments (default 20)"), N_("N") },
    { "status", 0, 0, G_OPTION_ARG_STRING, &status_name,
      N_("Only succeeded, pending, failed, refunded, partially_refunded or disputed ones"), N_("S") },
    { "search", 0, 0, G_OPTION_ARG_STRING, &search,
      N_("Only those whose id, email, name or description holds TEXT"), N_("TEXT") },
    { NULL }
  };

  g_option_context_set_summary (context, _("Payments, newest first, as last synced."));
  if (!pa_cli_stripe_parse (context, entries, &argc, &argv, &status))
    return status;
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Usage: stripe payments [--limit N] [--status S] [--search TEXT] [--json]"));
  if (limit <= 0)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("--limit takes a positive number"));
  if (status_name != NULL && !pa_payment_status_from_string (status_name, &wanted))
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Unknown status “%s”: use succeeded, pending, failed, refunded, "
                          "partially_refunded or disputed."),
                        status_name);

  if (!pa_cli_stripe_open (&stripe, globals, pa_cli_stripe_profile (), &error))
    return pa_cli_fail_error (error);
  pa_stripe_payment_filter_init (&filter);
  filter.status = status_name;
  filter.search = search;
  total = pa_store_stripe_count_payments (stripe.store, stripe.profile, &filter, &error);
  if (error == NULL)
    records = pa_store_stripe_list_payments (stripe.store, stripe.profile, &filter, 0,
                                             (guint) limit, &error);
  if (records == NULL)
    return pa_cli_fail_error (error);

  if (pa_cli_stripe_json ())
    {
      g_autoptr(JsonObject) root = json_object_new ();
      g_autoptr(JsonArray) array = json_array_new ();

      json_object_set_string_member (root, "profile", stripe.profile);
      add_synced_at (root, pa_cli_stripe_last_synced (&stripe));
      json_object_set_int_member (root, "total", total);
      for (guint i = 0; i < records->len; i++)
        {
          g_autoptr(PaPayment) payment = pa_payment_new (g_ptr_array_index (records, i));

          json_array_add_object_element (array, payment_to_json (payment));
        }
      json_object_set_array_member (root, "payments", g_steal_pointer (&array));
      pa_cli_print_json (root, TRUE);
      return PA_CLI_EXIT_OK;
    }

  age = pa_cli_stripe_describe_age (pa_cli_stripe_last_synced (&stripe));
  g_print (_("Stripe account “%s”, %s: %u of %u payments\n"),
           stripe.profile, age, records->len, total);
  if (records->len == 0)
    return PA_CLI_EXIT_OK;
  {
    g_autofree char *id = pa_cli_stripe_pad (_("PAYMENT"), 28, FALSE);
    g_autofree char *date = pa_cli_stripe_pad (_("DATE"), 16, FALSE);
    g_autofree char *amount = pa_cli_stripe_pad (_("AMOUNT"), 16, TRUE);
    g_autofree char *refunded = pa_cli_stripe_pad (_("REFUNDED"), 16, TRUE);
    g_autofree char *state = pa_cli_stripe_pad (_("STATUS"), 20, FALSE);

    g_print ("%s %s %s %s  %s %s\n", id, date, amount, refunded, state, _("PAYER"));
  }
  for (guint i = 0; i < records->len; i++)
    {
      g_autoptr(PaPayment) payment = pa_payment_new (g_ptr_array_index (records, i));
      const PaStripePaymentRecord *record = pa_payment_get_record (payment);
      g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (record->created);
      g_autofree char *date = created != NULL ? g_date_time_format (created, "%Y-%m-%d %H:%M")
                                              : g_strdup ("?");
      g_autofree char *amount_text = pa_money_format (record->amount, record->currency, NULL);
      g_autofree char *refunded_text = record->amount_refunded > 0
                                       ? pa_money_format (record->amount_refunded, record->currency, NULL)
                                       : g_strdup ("—");
      g_autofree char *amount = pa_cli_stripe_pad (amount_text, 16, TRUE);
      g_autofree char *refunded = pa_cli_stripe_pad (refunded_text, 16, TRUE);
      g_autofree char *state = pa_cli_stripe_pad (pa_payment_status_to_label (pa_payment_get_status (payment)),
                                                  20, FALSE);
      const char *payer = pa_payment_get_payer (payment);

      g_print ("%-28s %-16s %s %s  %s %s\n", record->id, date, amount, refunded, state,
               payer != NULL ? payer : "—");
    }
  return PA_CLI_EXIT_OK;
}

/* ---- dispatch -------------------------------------------------------------- */

int
pa_cli_stripe (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (_("COMMAND"));
  int status;

  /* --profile and --json may come before the command, too. */
  g_option_context_set_strict_posix (context, TRUE);
  g_option_context_set_description (context, _(usage_text));
  if (!pa_cli_stripe_parse (context, NULL, &argc, &argv, &status))
    return status;
  if (argc < 2)
    return pa_cli_fail (PA_CLI_EXIT_USAGE,
                        _("Usage: stripe balance|payments|refund|link|sync|webhook … (try stripe --help)"));

  if (g_str_equal (argv[1], "balance"))
    return stripe_balance (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "payments"))
    return stripe_payments (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "refund"))
    return pa_cli_stripe_refund (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "link"))
    return pa_cli_stripe_link (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "sync"))
    return pa_cli_stripe_sync (globals, argc - 1, argv + 1);
  if (g_str_equal (argv[1], "webhook"))
    return pa_cli_stripe_webhook (globals, argc - 1, argv + 1);

  return pa_cli_fail (PA_CLI_EXIT_USAGE,
                      _("Unknown stripe command “%s”: use balance, payments, refund, link, sync "
                        "or webhook."),
                      argv[1]);
}
