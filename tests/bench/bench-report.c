/* bench-report.c — the engine-vs-n8n benchmark's figures, as Markdown
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>
#include <sys/utsname.h>

#include <json-glib/json-glib.h>
#include <sqlite3.h>

#include "pa-test-peer.h"

#include "bench-report.h"

#define RESULTS_BEGIN    "<!-- measured:begin -->"
#define RESULTS_END      "<!-- measured:end -->"

static const char *side_names[BENCH_N_SIDES] = {
  [BENCH_SIDE_IN_PROCESS] = "PlayAlter engine, in process",
  [BENCH_SIDE_IN_PROCESS_FULL] = "PlayAlter engine, in process",
  [BENCH_SIDE_SERVE] = "PlayAlter `serve`, HTTP",
  [BENCH_SIDE_SERVE_FULL] = "PlayAlter `serve --durability full`, HTTP",
  [BENCH_SIDE_N8N] = "n8n, HTTP",
};

/* DESIGN.md §6. */
#define TARGET_RATIO           20.0
#define TARGET_COMMIT_P99_MS   2.0

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a;
  gint64 y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

double
bench_percentile_ms (GArray *samples,
                     double  p)
{
  gsize rank;

  if (samples->len == 0)
    return 0;
  g_array_sort (samples, compare_gint64);
  rank = (gsize) (p / 100.0 * samples->len + 0.999999);
  rank = CLAMP (rank, 1, samples->len);
  return g_array_index (samples, gint64, rank - 1) / 1000.0;
}

void
bench_durability_clear (BenchDurability *durability)
{
  g_clear_pointer (&durability->our_journal_mode, g_free);
  g_clear_pointer (&durability->n8n_probe, g_free);
}

static char *
command_output (const char *command_line)
{
  g_autofree char *out = NULL;

  if (!g_spawn_command_line_sync (command_line, &out, NULL, NULL, NULL) || out == NULL)
    return g_strdup ("?");
  return g_strdup (g_strstrip (out));
}

static char *
file_line_value (const char *path,
                 const char *prefix)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("?");
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        const char *colon = strchr (lines[i], ':');

        return g_strdup (g_strstrip (colon != NULL ? (char *) colon + 1 : lines[i]));
      }
  return g_strdup ("?");
}

static char *
package_version (const char *package)
{
  g_autofree char *path = g_build_filename (pa_test_source_root (), "tests", "peers",
                                            "node_modules", package, "package.json", NULL);
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_file (parser, path, NULL))
    return g_strdup ("?");
  root = json_parser_get_root (parser);
  return g_strdup (json_object_get_string_member_with_default (json_node_get_object (root),
                                                               "version", "?"));
}

void
bench_report_describe_machine (GString *out)
{
  g_autofree char *cpu = file_line_value ("/proc/cpuinfo", "model name");
  g_autofree char *mem = file_line_value ("/proc/meminfo", "MemTotal");
  g_autofree char *debian = NULL;
  g_autofree char *node = command_output ("node --version");
  g_autofree char *n8n = package_version ("n8n");
  g_autofree char *fs_command = g_strdup_printf ("findmnt -no SOURCE,FSTYPE,OPTIONS -T %s",
                                                  g_get_tmp_dir ());
  g_autofree char *tmp_fs = command_output (fs_command);
  g_autofree char *rota = command_output ("lsblk -dno NAME,ROTA,MODEL");
  struct utsname uts;

  if (!g_file_get_contents ("/etc/debian_version", &debian, NULL, NULL))
    debian = g_strdup ("?");
  g_strstrip (debian);
  g_strdelimit (tmp_fs, "\n", ' ');
  g_strdelimit (rota, "\n", ';');
  if (uname (&uts) != 0)
    strcpy (uts.release, "?");

  g_string_append_printf (out,
    "| Machine | |\n|---|---|\n"
    "| CPU | %s, %u cores visible |\n"
    "| RAM | %s |\n"
    "| File system of %s (every database) | %s |\n"
    "| Block devices (name, rotational, model) | %s |\n"
    "| Kernel | %s |\n"
    "| Debian | %s |\n"
    "| GLib / SQLite | %u.%u.%u / %s |\n"
    "| n8n / node | %s / %s |\n\n",
    cpu, g_get_num_processors (), mem, g_get_tmp_dir (), tmp_fs, rota, uts.release, debian,
    glib_major_version, glib_minor_version, glib_micro_version, sqlite3_libversion (),
    n8n, node);
}

static const char *
probe_string (JsonObject *probe,
              const char *member)
{
  JsonNode *node = probe != NULL ? json_object_get_member (probe, member) : NULL;

  if (node == NULL || JSON_NODE_TYPE (node) != JSON_NODE_VALUE)
    return "?";
  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return json_node_get_string (node);
  if (json_node_get_value_type (node) == G_TYPE_BOOLEAN)
    return json_node_get_boolean (node) ? "true" : "false";
  return "?";
}

static gint64
probe_int (JsonObject *probe,
           const char *member)
{
  return probe != NULL ? json_object_get_int_member_with_default (probe, member, -1) : -1;
}

static char *
probe_pragmas (JsonObject *probe)
{
  JsonArray *pragmas = probe != NULL && json_object_has_member (probe, "driver_pragmas")
                       ? json_object_get_array_member (probe, "driver_pragmas") : NULL;
  GString *text = g_string_new (NULL);

  for (guint i = 0; pragmas != NULL && i < json_array_get_length (pragmas); i++)
    g_string_append_printf (text, "%s`%s`", i > 0 ? ", " : "",
                            json_array_get_string_element (pragmas, i));
  return g_string_free (text, FALSE);
}

static void
append_durability (GString               *out,
                   const BenchResult      results[BENCH_N_SIDES][8],
                   const BenchDurability *durability)
{
  g_autoptr(JsonNode) root = durability->n8n_probe != NULL
                             ? json_from_string (durability->n8n_probe, NULL) : NULL;
  JsonObject *probe = root != NULL && JSON_NODE_HOLDS_OBJECT (root)
                      ? json_node_get_object (root) : NULL;
  g_autofree char *pragmas = probe_pragmas (probe);

  g_string_append (out,
    "Durability of each side in this run (ours read from our store's connection; n8n's from "
    "tests/bench/n8n-durability-probe.cjs, which asks the installed n8n's config classes and "
    "opens a database as n8n's driver does, with n8n's own sqlite3 module):\n\n"
    "| | PlayAlter, default (in process and `serve`: the same store code) | PlayAlter at "
    "FULL (`pa_store_set_synchronous`, `playalter-cli --durability full`) | n8n |\n"
    "|---|---|---|---|\n");
  g_string_append_printf (out,
    "| Database | SQLite %s, one connection | the same | %s (SQLite %s), a pool of %"
    G_GINT64_FORMAT " connections |\n",
    sqlite3_libversion (), probe_string (probe, "db_type"), probe_string (probe, "sqlite_version"),
    probe_int (probe, "sqlite_pool_size"));
  g_string_append_printf (out, "| journal_mode | %s | %s | %s |\n",
                          durability->our_journal_mode, durability->our_journal_mode,
                          probe_string (probe, "journal_mode"));
  g_string_append_printf (out,
    "| synchronous | **%s**: a commit survives the process being killed; a power cut may lose "
    "the last ones (the WAL is fsynced at checkpoints) | **%s**: the WAL is fsynced at every "
    "commit | **%s**: the WAL is fsynced at every commit (n8n's driver sets only %s; this is "
    "its SQLite build's default) |\n",
    results[BENCH_SIDE_IN_PROCESS][0].synchronous, results[BENCH_SIDE_IN_PROCESS_FULL][0].synchronous,
    probe_string (probe, "synchronous"), pragmas);
  g_string_append (out,
    "| Commit policy | group commit: a run's events share a transaction, committed before "
    "anything leaves the process or cannot be repeated, before a run's end is reported, when "
    "the main loop is idle, at 256 events or once 0.5 ms old | the same group commit, each "
    "commit fsynced: a run's end is reported only once its events are on the disk | as n8n's "
    "ORM issues its statements; nothing while an execution runs, since progress is not "
    "saved |\n");
  g_string_append_printf (out,
    "| Saved per execution | every transition (13 events), the run and step rows, every "
    "step's output | the same | the execution with its data once it has ended (mode `%s`; "
    "save on success `%s`, on error `%s`, progress `%s`); pruning `%s` (%" G_GINT64_FORMAT
    " h, %" G_GINT64_FORMAT " executions) |\n\n",
    probe_string (probe, "executions_mode"), probe_string (probe, "save_on_success"),
    probe_string (probe, "save_on_error"), probe_string (probe, "save_progress"),
    probe_string (probe, "prune"), probe_int (probe, "prune_max_age_h"),
    probe_int (probe, "prune_max_count"));
}

static const char *
verdict (gboolean met)
{
  return met ? "met" : "**not met**";
}

/* The like-for-like figure first: over HTTP on both sides, every commit
 * fsynced on both sides; then whether DESIGN.md's target holds there. */
static void
append_headline (GString           *out,
                 const BenchResult  results[BENCH_N_SIDES][8],
                 guint              n_levels)
{
  const BenchResult *full = results[BENCH_SIDE_SERVE_FULL];
  const BenchResult *in_process_full = results[BENCH_SIDE_IN_PROCESS_FULL];
  const BenchResult *n8n = results[BENCH_SIDE_N8N];

  g_string_append (out,
    "**Like for like**: both triggered over loopback HTTP by the same client, both on SQLite "
    "WAL with `synchronous=FULL` (an fsync per commit), the same workflow, warm-up and number "
    "of executions, in the same run:\n\n"
    "| C | PlayAlter `serve --durability full` executions/s | n8n executions/s | **× n8n** "
    "| ≥ 20× (DESIGN §6) | p99 journal commit at FULL, ms | < 2 ms (DESIGN §6) |\n"
    "|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_levels; i++)
    {
      double ratio = n8n[i].n > 0 && full[i].n > 0 ? full[i].per_s / n8n[i].per_s : 0;
      double commit_p99 = in_process_full[i].commit_p99_ms;

      g_string_append_printf (out, "| %u | %.0f | %.0f | ", full[i].concurrency, full[i].per_s,
                              n8n[i].per_s);
      if (ratio > 0)
        g_string_append_printf (out, "**%.1f×** | %s | ", ratio, verdict (ratio >= TARGET_RATIO));
      else
        g_string_append (out, "– | not measured | ");
      if (in_process_full[i].n_commits > 0)
        g_string_append_printf (out, "%.3f | %s |\n", commit_p99,
                                verdict (commit_p99 < TARGET_COMMIT_P99_MS));
      else
        g_string_append (out, "– | not measured |\n");
    }
  g_string_append (out,
    "\nThe journal commit is timed in process (BEGIN IMMEDIATE to the end of COMMIT, the "
    "in-process side at FULL below), with the store code `serve` runs. Every side, for "
    "context (ours at the store's default `synchronous=NORMAL` too; × n8n is always against "
    "n8n at the same C in this run):\n\n");
}

void
bench_report_append (GString               *out,
                     const BenchResult      results[BENCH_N_SIDES][8],
                     guint                  n_levels,
                     const BenchDurability *durability)
{
  static const BenchSide committing[] = { BENCH_SIDE_IN_PROCESS, BENCH_SIDE_IN_PROCESS_FULL };
  const BenchResult *n8n = results[BENCH_SIDE_N8N];

  append_headline (out, results, n_levels);
  g_string_append (out,
    "| C | side | synchronous | runs | executions/s | p50 ms | p99 ms | max ms | × n8n |\n"
    "|---|---|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_levels; i++)
    for (guint side = 0; side < BENCH_N_SIDES; side++)
      {
        const BenchResult *r = &results[side][i];

        if (r->n == 0)
          continue;
        g_string_append_printf (out, "| %u | %s | %s | %u | %.0f | %.3f | %.3f | %.3f | ",
                                r->concurrency, side_names[side], r->synchronous, r->n,
                                r->per_s, r->p50_ms, r->p99_ms, r->max_ms);
        if (side == BENCH_SIDE_N8N)
          g_string_append (out, "1 |\n");
        else if (n8n[i].n > 0)
          g_string_append_printf (out, "%s%.1f×%s |\n",
                                  side == BENCH_SIDE_SERVE_FULL ? "**" : "",
                                  r->per_s / n8n[i].per_s,
                                  side == BENCH_SIDE_SERVE_FULL ? "**" : "");
        else
          g_string_append (out, "– |\n");
      }
  g_string_append (out, "\n");
  append_durability (out, results, durability);

  g_string_append (out,
    "Our journal transactions during the measured in-process runs (BEGIN IMMEDIATE to the end "
    "of COMMIT):\n\n"
    "| C | synchronous | transactions | per run | p50 ms | **p99 ms** | max ms | "
    "COMMIT alone p50 / p99 ms |\n"
    "|---|---|---|---|---|---|---|---|\n");
  for (guint i = 0; i < n_levels; i++)
    for (guint k = 0; k < G_N_ELEMENTS (committing); k++)
      {
        const BenchResult *r = &results[committing[k]][i];

        if (r->n == 0)
          continue;
        g_string_append_printf (out,
                                "| %u | %s | %u | %.2f | %.3f | **%.3f** | %.3f | %.3f / %.3f |\n",
                                r->concurrency, r->synchronous, r->n_commits, r->commits_per_run,
                                r->commit_p50_ms, r->commit_p99_ms, r->commit_max_ms,
                                r->commit_only_p50_ms, r->commit_only_p99_ms);
      }
}

/* Replaces what lies between the markers, keeping the hand-written
 * method and history around it. */
gboolean
bench_report_write (const char  *path,
                    const char  *section,
                    GError     **error)
{
  g_autofree char *old = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  const char *begin;
  const char *end;

  if (!g_file_get_contents (path, &old, NULL, NULL))
    old = g_strdup ("# Engine vs n8n benchmark\n\n" RESULTS_BEGIN "\n" RESULTS_END "\n");
  begin = strstr (old, RESULTS_BEGIN);
  end = begin != NULL ? strstr (begin, RESULTS_END) : NULL;
  if (begin == NULL || end == NULL)
    {
      g_string_append (text, old);
      g_string_append (text, "\n" RESULTS_BEGIN "\n" RESULTS_END "\n");
      g_free (old);
      old = g_string_free (g_steal_pointer (&text), FALSE);
      text = g_string_new (NULL);
      begin = strstr (old, RESULTS_BEGIN);
      end = strstr (begin, RESULTS_END);
    }
  g_string_append_len (text, old, begin - old + strlen (RESULTS_BEGIN));
  g_string_append_c (text, '\n');
  g_string_append (text, section);
  g_string_append (text, end);
  return g_file_set_contents (path, text->str, (gssize) text->len, error);
}
