/* bench-report.h — the engine-vs-n8n benchmark's figures, as Markdown
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the order they run: n8n last, since it keeps saving and pruning
 * after its last answer. Ours at the store's default durability
 * (synchronous=NORMAL) and at FULL, an fsync per commit as n8n's. */
typedef enum {
  BENCH_SIDE_IN_PROCESS,        /* a PaEngine in the benchmark's process */
  BENCH_SIDE_IN_PROCESS_FULL,   /* the same, synchronous=FULL */
  BENCH_SIDE_SERVE,             /* playalter-cli serve, over loopback HTTP */
  BENCH_SIDE_SERVE_FULL,        /* the same with --durability full */
  BENCH_SIDE_N8N,               /* n8n, over loopback HTTP */
  BENCH_N_SIDES,
} BenchSide;

typedef struct {
  double   per_s;
  double   p50_ms;
  double   p99_ms;
  double   max_ms;
  guint    n;              /* measured executions; 0: not measured */
  guint    concurrency;
  /* PRAGMA synchronous as the side reported it ("NORMAL", "FULL"). */
  char     synchronous[16];
  /* In process only: journal transactions, BEGIN to end of COMMIT. */
  guint    n_commits;
  double   commit_p50_ms;
  double   commit_p99_ms;
  double   commit_max_ms;
  double   commits_per_run;
  double   commit_only_p50_ms;
  double   commit_only_p99_ms;
} BenchResult;

/* What each side keeps on disk and how, as found in this run. */
typedef struct {
  char *our_journal_mode;      /* PRAGMA journal_mode on our store */
  char *n8n_probe;             /* n8n-durability-probe.cjs's JSON, or NULL */
} BenchDurability;

/* Nearest-rank percentile of microsecond samples, in milliseconds. */
double    bench_percentile_ms        (GArray             *samples,
                                      double              p);

void      bench_durability_clear     (BenchDurability    *durability);

/* results[side][level] for @n_levels concurrency levels. */
void      bench_report_append        (GString            *out,
                                      const BenchResult   results[BENCH_N_SIDES][8],
                                      guint               n_levels,
                                      const BenchDurability *durability);
void      bench_report_describe_machine (GString         *out);

/* Replaces what lies between the measured markers of @path. */
gboolean  bench_report_write         (const char         *path,
                                      const char         *section,
                                      GError            **error);

G_END_DECLS
