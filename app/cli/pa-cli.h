/* pa-cli.h — what the command-line front end's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "playalter.h"

G_BEGIN_DECLS

/* Exit codes: scripts rely on them. */
enum {
  PA_CLI_EXIT_OK = 0,
  PA_CLI_EXIT_FAILED = 1,
  PA_CLI_EXIT_USAGE = 2,
};

typedef struct {
  char *data_dir;      /* from --data-dir, or NULL */
} PaCliGlobals;

/* Prints "playalter-cli: MESSAGE" to stderr and returns @code. */
int  pa_cli_fail       (int                code,
                        const char        *format,
                        ...) G_GNUC_PRINTF (2, 3);
int  pa_cli_fail_error (const GError      *error);

/* The store in --data-dir, else in the default place. */
PaStore *pa_cli_open_store (const PaCliGlobals  *globals,
                            GError             **error);

/* The base URL the account @platform/@profile was saved with, in
 * @base_url: NULL for the platform's own, or when there is no such
 * account (the platform says so when asked). FALSE if the store cannot
 * be read. */
gboolean pa_cli_account_base_url (const PaCliGlobals  *globals,
                                  const char          *platform,
                                  const char          *profile,
                                  char               **base_url,
                                  GError             **error);

/* Prints @object on stdout: one line, or @pretty over several. */
void pa_cli_print_json (JsonObject *object,
                        gboolean    pretty);

/* A workflow's problems, one per line on stdout, the first on stderr. */
int  pa_cli_fail_validation (const char   *path,
                             const GError *error);

/* pa-cli-account.c: reads a secret from standard input, with no echo on a
 * terminal (prompting for @what on stderr), whole from a pipe. */
char *pa_cli_read_secret (const char  *what,
                          GError     **error);

int  pa_cli_account    (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_agora      (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
/* pa-cli-workflow.c: `workflow validate|run`, `runs`, `show`, `cancel`,
 * `resume`, `journal check`. */
int  pa_cli_workflow   (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_runs       (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_show       (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_cancel     (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_resume     (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_journal    (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
/* An engine on the default HTTP client, with a request log recording its
 * requests: what `workflow run`, `resume` and `serve` drive runs with. */
PaEngine *pa_cli_new_engine (PaStore           *store,
                             PaActionRegistry  *registry,
                             PaRequestLog     **request_log);
/* pa-cli-maintenance.c: `maintenance prune|retention`. */
int  pa_cli_maintenance (const PaCliGlobals *globals,
                         int                 argc,
                         char              **argv);
/* pa-cli-faceswap.c: `faceswap`, `faces`. */
int  pa_cli_faceswap   (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
int  pa_cli_faces      (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
/* pa-cli-serve.c: `serve`. */
int  pa_cli_serve      (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
/* pa-cli-devices.c: `devices`. */
int  pa_cli_devices    (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);

/* pa-cli-stream.c: `stream`. */
int  pa_cli_stream     (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);
/* pa-cli-stream-destination.c: `stream-destination`. */
int  pa_cli_stream_destination (const PaCliGlobals *globals,
                                int                 argc,
                                char              **argv);
/* pa-cli-stripe.c: `stripe`. */
int  pa_cli_stripe     (const PaCliGlobals *globals,
                        int                 argc,
                        char              **argv);

G_END_DECLS
