/* pa-journal-project.c — the runs and steps projections of the journal
 *
 * SPDX-License-Identifier: MIT
 *
 * Projection rules, by kind:
 *   run.created        INSERT runs: status pending, created_at = at;
 *                      payload {workflow_id?, definition, inputs?}
 *   run.started        status running, started_at kept from the first
 *                      start, error cleared (a resumed run has no reason
 *                      to wait any more)
 *   run.waiting        status waiting, error = payload.reason
 *   run.succeeded      status succeeded, finished_at = at, error cleared
 *   run.failed         status failed, finished_at = at, error = payload.error
 *   run.cancelled      status cancelled, finished_at = at, error cleared
 *   step.started       status running, attempts = attempt, started_at = at,
 *                      idempotency_key = payload.idempotency_key (the old
 *                      one is kept when absent: a retry reuses its key),
 *                      error and finished_at cleared
 *   step.succeeded     status succeeded, output_json = payload.output,
 *                      finished_at = at, error cleared
 *   step.failed        status retrying if payload.will_retry else failed,
 *                      error = payload.error, finished_at = at when final
 *   step.compensating  status compensating
 *   step.compensated   status compensated
 *   anything else      stored, projects nothing
 * A step event for a step with no row yet creates the row. A string
 * error or reason is stored as is, anything else as compact JSON.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-journal.h"
#include "pa-journal-private.h"
#include "pa-store-private.h"

/* Payload helpers */

/* A member as text for an error column: strings as they are, any other
 * JSON compact; NULL when absent or null. */
static char *
member_as_text (JsonObject *payload,
                const char *name)
{
  JsonNode *node = json_object_get_member (payload, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return NULL;
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (node));
  return json_to_string (node, FALSE);
}

/* A member as compact JSON text; NULL when absent. */
static char *
member_as_json (JsonObject *payload,
                const char *name)
{
  JsonNode *node = json_object_get_member (payload, name);

  return node != NULL ? json_to_string (node, FALSE) : NULL;
}

static gboolean
run_stmt (PaStore       *store,
          PaCachedStmt  *stmt,
          GError       **error)
{
  return pa_store_step_done (store, stmt, _("update the run projections"), error);
}

/* Projections: one function per kind, shared by append and replay */

typedef gboolean (*ProjectFunc) (const PaJournalEvent *ev,
                                 GError             **error);

/* Prepares @sql for @ev's projection, with ?1 bound to the run id and,
 * for a step event (@step TRUE), ?2 to the step id. */
static PaCachedStmt *
prepare_projection (const PaJournalEvent *ev,
                    gboolean             step,
                    const char          *sql,
                    GError             **error)
{
  PaCachedStmt *stmt = pa_store_prepare_cached (ev->store, sql, error);

  if (stmt == NULL)
    return NULL;
  sqlite3_bind_text (stmt, 1, ev->run_id, -1, SQLITE_TRANSIENT);
  if (step)
    sqlite3_bind_text (stmt, 2, ev->step_id, -1, SQLITE_TRANSIENT);
  return stmt;
}

static gboolean
project_run_created (const PaJournalEvent *ev,
                     GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *definition = member_as_json (ev->payload, "definition");
  g_autofree char *inputs = member_as_json (ev->payload, "inputs");
  g_autofree char *workflow_id = member_as_text (ev->payload, "workflow_id");

  stmt = prepare_projection (ev, FALSE,
    "INSERT INTO runs (id, workflow_id, definition_json, inputs_json, status, created_at) "
    "VALUES (?1, ?2, ?3, ?4, 'pending', ?5)",
    error);
  if (stmt == NULL)
    return FALSE;

  pa_store_bind_text_or_null (stmt, 2, workflow_id);
  sqlite3_bind_text (stmt, 3, definition != NULL ? definition : "null", -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (stmt, 4, inputs != NULL ? inputs : "{}", -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (stmt, 5, ev->at);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_run_started (const PaJournalEvent *ev,
                     GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  stmt = prepare_projection (ev, FALSE,
    "UPDATE runs SET status = 'running', started_at = COALESCE (started_at, ?2), "
    "                error = NULL "
    "WHERE id = ?1",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 2, ev->at);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_run_waiting (const PaJournalEvent *ev,
                     GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *reason = member_as_text (ev->payload, "reason");

  stmt = prepare_projection (ev, FALSE,
    "UPDATE runs SET status = 'waiting', error = ?2 WHERE id = ?1",
    error);
  if (stmt == NULL)
    return FALSE;

  pa_store_bind_text_or_null (stmt, 2, reason);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_run_finished (const PaJournalEvent *ev,
                      GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *run_error = NULL;
  const char *status;

  if (strcmp (ev->kind, PA_EVENT_RUN_FAILED) == 0)
    {
      status = "failed";
      run_error = member_as_text (ev->payload, "error");
    }
  else if (strcmp (ev->kind, PA_EVENT_RUN_CANCELLED) == 0)
    status = "cancelled";
  else
    status = "succeeded";

  stmt = prepare_projection (ev, FALSE,
    "UPDATE runs SET status = ?2, finished_at = ?3, error = ?4 WHERE id = ?1",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 2, status, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 3, ev->at);
  pa_store_bind_text_or_null (stmt, 4, run_error);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_step_started (const PaJournalEvent *ev,
                      GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *key = member_as_text (ev->payload, "idempotency_key");

  stmt = prepare_projection (ev, TRUE,
    "INSERT INTO steps (run_id, step_id, status, attempts, idempotency_key, started_at) "
    "VALUES (?1, ?2, 'running', ?3, ?4, ?5) "
    "ON CONFLICT (run_id, step_id) DO UPDATE SET "
    "  status = 'running', "
    "  attempts = excluded.attempts, "
    "  idempotency_key = COALESCE (excluded.idempotency_key, idempotency_key), "
    "  started_at = excluded.started_at, "
    "  finished_at = NULL, "
    "  error = NULL",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 3, ev->attempt);
  pa_store_bind_text_or_null (stmt, 4, key);
  sqlite3_bind_int64 (stmt, 5, ev->at);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_step_succeeded (const PaJournalEvent *ev,
                        GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *output = member_as_json (ev->payload, "output");

  stmt = prepare_projection (ev, TRUE,
    "INSERT INTO steps (run_id, step_id, status, attempts, output_json, finished_at) "
    "VALUES (?1, ?2, 'succeeded', ?3, ?4, ?5) "
    "ON CONFLICT (run_id, step_id) DO UPDATE SET "
    "  status = 'succeeded', "
    "  attempts = MAX (attempts, excluded.attempts), "
    "  output_json = excluded.output_json, "
    "  finished_at = excluded.finished_at, "
    "  error = NULL",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int (stmt, 3, ev->attempt);
  pa_store_bind_text_or_null (stmt, 4, output);
  sqlite3_bind_int64 (stmt, 5, ev->at);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_step_failed (const PaJournalEvent *ev,
                     GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  g_autofree char *step_error = member_as_text (ev->payload, "error");
  gboolean will_retry;

  will_retry = json_object_get_boolean_member_with_default (ev->payload, "will_retry", FALSE);

  stmt = prepare_projection (ev, TRUE,
    "INSERT INTO steps (run_id, step_id, status, attempts, error, finished_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6) "
    "ON CONFLICT (run_id, step_id) DO UPDATE SET "
    "  status = excluded.status, "
    "  attempts = MAX (attempts, excluded.attempts), "
    "  error = excluded.error, "
    "  finished_at = COALESCE (excluded.finished_at, finished_at)",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 3, will_retry ? "retrying" : "failed", -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, ev->attempt);
  pa_store_bind_text_or_null (stmt, 5, step_error);
  if (will_retry)
    sqlite3_bind_null (stmt, 6);
  else
    sqlite3_bind_int64 (stmt, 6, ev->at);

  return run_stmt (ev->store, stmt, error);
}

static gboolean
project_step_compensation (const PaJournalEvent *ev,
                           GError             **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  const char *status;

  status = strcmp (ev->kind, PA_EVENT_STEP_COMPENSATED) == 0 ? "compensated" : "compensating";

  /* attempts counts the step's own tries, not its compensation's. */
  stmt = prepare_projection (ev, TRUE,
    "INSERT INTO steps (run_id, step_id, status, attempts) "
    "VALUES (?1, ?2, ?3, ?4) "
    "ON CONFLICT (run_id, step_id) DO UPDATE SET status = excluded.status",
    error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 3, status, -1, SQLITE_STATIC);
  sqlite3_bind_int (stmt, 4, ev->attempt);

  return run_stmt (ev->store, stmt, error);
}

static const struct {
  const char  *kind;
  gboolean     needs_step;
  ProjectFunc  project;
} projections[] = {
  { PA_EVENT_RUN_CREATED,       FALSE, project_run_created },
  { PA_EVENT_RUN_STARTED,       FALSE, project_run_started },
  { PA_EVENT_RUN_WAITING,       FALSE, project_run_waiting },
  { PA_EVENT_RUN_SUCCEEDED,     FALSE, project_run_finished },
  { PA_EVENT_RUN_FAILED,        FALSE, project_run_finished },
  { PA_EVENT_RUN_CANCELLED,     FALSE, project_run_finished },
  { PA_EVENT_STEP_STARTED,      TRUE,  project_step_started },
  { PA_EVENT_STEP_SUCCEEDED,    TRUE,  project_step_succeeded },
  { PA_EVENT_STEP_FAILED,       TRUE,  project_step_failed },
  { PA_EVENT_STEP_COMPENSATING, TRUE,  project_step_compensation },
  { PA_EVENT_STEP_COMPENSATED,  TRUE,  project_step_compensation },
};

static int
find_projection (const char *kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (projections); i++)
    if (strcmp (projections[i].kind, kind) == 0)
      return (int) i;
  return -1;
}

gboolean
pa_journal_kind_needs_step (const char *kind)
{
  int i = find_projection (kind);

  return i >= 0 && projections[i].needs_step;
}

gboolean
pa_journal_project (const PaJournalEvent *ev,
                    GError             **error)
{
  int i = find_projection (ev->kind);

  if (i < 0)
    return TRUE;
  return projections[i].project (ev, error);
}
