/* pa-journal.h — the append-only event journal and its projections
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <json-glib/json-glib.h>

#include "pa-store.h"

G_BEGIN_DECLS

/* Event kinds. Each one updates the runs/steps projections as documented
 * in pa-journal.c; unknown kinds are kept but project nothing. */
#define PA_EVENT_RUN_CREATED        "run.created"       /* {workflow_id?, definition, inputs} */
#define PA_EVENT_RUN_STARTED        "run.started"
#define PA_EVENT_RUN_WAITING        "run.waiting"       /* {reason} */
#define PA_EVENT_RUN_SUCCEEDED      "run.succeeded"
#define PA_EVENT_RUN_FAILED         "run.failed"        /* {error} */
#define PA_EVENT_RUN_CANCELLED      "run.cancelled"
#define PA_EVENT_STEP_STARTED       "step.started"      /* {idempotency_key?} */
#define PA_EVENT_STEP_SUCCEEDED     "step.succeeded"    /* {output} */
#define PA_EVENT_STEP_FAILED        "step.failed"       /* {error, will_retry} */
#define PA_EVENT_STEP_COMPENSATING  "step.compensating"
#define PA_EVENT_STEP_COMPENSATED   "step.compensated"

#define PA_TYPE_JOURNAL (pa_journal_get_type ())
G_DECLARE_FINAL_TYPE (PaJournal, pa_journal, PA, JOURNAL, GObject)

PaJournal *pa_journal_new      (PaStore     *store);

/* Appends one event and updates runs/steps in the same transaction.
 * @payload may be NULL (an empty object). @at_ms is the event time in
 * milliseconds since the epoch, or 0 for now. Returns the event's seq,
 * or 0 with @error set. */
gint64     pa_journal_append   (PaJournal   *self,
                                const char  *run_id,
                                const char  *step_id,
                                const char  *kind,
                                int          attempt,
                                JsonNode    *payload,
                                gint64       at_ms,
                                GError     **error);

/* Group commit. Appends like pa_journal_append, but leaves the
 * transaction open so that the events that follow share one commit: the
 * event is durable only once pa_journal_flush, pa_journal_append or the
 * journal itself commits the batch. That happens at the latest when the
 * main context of the calling thread is next idle, when the batch holds
 * many events or has been open for a few milliseconds, and when the
 * journal is finalized. Meant for events that a crash may lose because
 * resuming repeats their effect safely (local steps, steps with an
 * idempotency key). While a batch is open, everything done through the
 * store joins it. When an append fails, the batch ends there: committed
 * if SQLite still can, else lost with it. */
gint64     pa_journal_append_deferred (PaJournal   *self,
                                       const char  *run_id,
                                       const char  *step_id,
                                       const char  *kind,
                                       int          attempt,
                                       JsonNode    *payload,
                                       gint64       at_ms,
                                       GError     **error);

/* Commits the deferred events now. TRUE when there were none. */
gboolean   pa_journal_flush    (PaJournal   *self,
                                GError     **error);

/* Rebuilds runs and steps from events, in one transaction. */
gboolean   pa_journal_replay   (PaJournal   *self,
                                GError     **error);

/* A canonical text dump of runs and steps (for comparing projections). */
char      *pa_journal_dump_projections (PaJournal *self,
                                        GError   **error);

G_END_DECLS
