/* bench-http-loop.h — the benchmark's closed loop of requests over HTTP
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "bench-report.h"

G_BEGIN_DECLS

/* Whether an answer to execution @n is right; sets @error if not. */
typedef gboolean (*BenchCheckAnswer) (guint        n,
                                      guint        status,
                                      const char  *body,
                                      GError     **error);

/* POSTs {"message": "msg-N", "n": N} to @url, C at a time on keep-alive
 * connections, a new request as soon as one is answered: @warmup
 * unmeasured, then @runs measured (request sent to answer read). Fails
 * on the first answer @check refuses. */
gboolean bench_http_loop_run (const char        *label,
                              const char        *url,
                              const char        *authorization,
                              BenchCheckAnswer   check,
                              guint              concurrency,
                              guint              warmup,
                              guint              runs,
                              BenchResult       *result,
                              GError           **error);

G_END_DECLS
