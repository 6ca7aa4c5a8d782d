/* pa-cli-stripe-private.h — what the files of `playalter-cli stripe` share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-cli.h"

G_BEGIN_DECLS

/* One Stripe account opened for a command: the store, the keyring, the
 * client on the base URL the account was saved with, the account. */
typedef struct {
  char            *profile;
  PaStore         *store;
  PaSecrets       *secrets;
  PaStripe        *client;
  PaStripeAccount *account;
} PaCliStripe;

void     pa_cli_stripe_clear         (PaCliStripe         *stripe);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PaCliStripe, pa_cli_stripe_clear)

/* Opens the account @profile; fails (PA_ERROR_NOT_FOUND) with how to
 * sign in when there is none. */
gboolean pa_cli_stripe_open          (PaCliStripe         *stripe,
                                      const PaCliGlobals  *globals,
                                      const char          *profile,
                                      GError             **error);

/* Parses a subcommand's options (@entries, then --json and --profile,
 * which may also come before the subcommand). FALSE with *@status set
 * on a usage error. */
gboolean pa_cli_stripe_parse         (GOptionContext      *context,
                                      const GOptionEntry  *entries,
                                      int                 *argc,
                                      char              ***argv,
                                      int                 *status);

/* What the options shared by every subcommand said. */
const char *pa_cli_stripe_profile    (void);
gboolean    pa_cli_stripe_json       (void);

/* Runs the default main context until *@result is set (the CLI owns it). */
void     pa_cli_stripe_store_result  (GObject             *source,
                                      GAsyncResult        *result,
                                      gpointer             user_data);
GAsyncResult *pa_cli_stripe_wait     (GAsyncResult       **result);

/* Sets "@name" to @minor and "@name_formatted" to it in the user's
 * locale, on @object. */
void     pa_cli_stripe_add_amount    (JsonObject          *object,
                                      const char          *name,
                                      gint64               minor,
                                      const char          *currency);
/* "synced 5 minutes ago (2026-12-06 15:40)", or "never synced". */
char    *pa_cli_stripe_describe_age  (gint64               synced_at_ms);
/* @text padded with spaces to @width characters (not bytes: amounts and
 * labels are UTF-8), on the left when @right_aligned. */
char    *pa_cli_stripe_pad           (const char          *text,
                                      int                  width,
                                      gboolean             right_aligned);
/* When the account was last synced (ms since the epoch), 0 = never. */
gint64   pa_cli_stripe_last_synced   (PaCliStripe         *stripe);

/* pa-cli-stripe-actions.c */
int      pa_cli_stripe_refund        (const PaCliGlobals  *globals,
                                      int                  argc,
                                      char               **argv);
int      pa_cli_stripe_link          (const PaCliGlobals  *globals,
                                      int                  argc,
                                      char               **argv);
int      pa_cli_stripe_sync          (const PaCliGlobals  *globals,
                                      int                  argc,
                                      char               **argv);
/* pa-cli-stripe-webhook.c */
int      pa_cli_stripe_webhook       (const PaCliGlobals  *globals,
                                      int                  argc,
                                      char               **argv);

G_END_DECLS
