/* bench-n8n.h — what the engine-vs-n8n benchmark asks of n8n besides its runs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "pa-test-n8n.h"

G_BEGIN_DECLS

/* How many successful executions of the workflow n8n's public API
 * lists (at most 250), or -1. */
gint64  bench_n8n_count_executions (PaTestN8n  *n8n);

/* n8n-durability-probe.cjs's JSON: how the installed n8n keeps its
 * executions. NULL if node or n8n is missing. */
char   *bench_n8n_probe_durability (void);

/* The probe's "synchronous" ("FULL"…), or "?". */
char   *bench_n8n_synchronous      (const char *probe);

G_END_DECLS
