/* pa-cli-stripe.c — `playalter-cli stripe …` (being written)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-cli.h"

int
pa_cli_stripe (const PaCliGlobals *globals,
               int                 argc,
               char              **argv)
{
  return pa_cli_fail (PA_CLI_EXIT_USAGE, _("“stripe” is not finished yet"));
}
