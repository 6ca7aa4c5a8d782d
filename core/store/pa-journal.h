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

/* Rebuilds runs and steps from events, in one transaction. */
gboolean   pa_journal_replay   (PaJournal   *self,
                                GError     **error);

/* A canonical text dump of runs and steps (for comparing projections). */
char      *pa_journal_dump_projections (PaJournal *self,
                                        GError   **error);

G_END_DECLS
