/* pa-store-runs.h — reading runs, steps and their events
 *
 * Events are written only by PaJournal (pa-journal.h), which keeps the
 * runs and steps tables in step with them; these functions read.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* One row of runs. Times are ms since the epoch, 0 while not reached. */
typedef struct {
  char   *id;
  char   *workflow_id;       /* NULL for a run of a file */
  char   *definition_json;   /* the definition as the run started */
  char   *inputs_json;       /* "{}" when there were none */
  char   *status;            /* pending, running, waiting, succeeded,
                                failed or cancelled */
  gint64  created_at;
  gint64  started_at;
  gint64  finished_at;
  char   *error;             /* why it failed or waits, else NULL */
} PaRunRecord;

void         pa_run_record_free          (PaRunRecord         *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaRunRecord, pa_run_record_free)

/* One row of steps. Times are ms since the epoch, 0 while not reached. */
typedef struct {
  char   *run_id;
  char   *step_id;
  char   *status;            /* running, retrying, succeeded, failed,
                                compensating or compensated */
  int     attempts;
  char   *idempotency_key;   /* NULL when the step has none */
  char   *output_json;       /* NULL until it succeeded */
  char   *error;             /* the last failure, else NULL */
  gint64  started_at;        /* of the latest attempt */
  gint64  finished_at;
} PaStepRecord;

void         pa_step_record_free         (PaStepRecord        *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStepRecord, pa_step_record_free)

/* One event, lent to a PaStoreEventFunc: its strings belong to the
 * store and are valid only during the call. */
typedef struct {
  gint64      seq;           /* the journal's order */
  const char *run_id;
  const char *step_id;       /* NULL for an event of the run itself */
  const char *kind;          /* PA_EVENT_… */
  int         attempt;
  const char *payload_json;  /* a JSON object, "{}" when empty */
  gint64      at;            /* ms since the epoch */
} PaEventRecord;

/* Must not use the store: the events are read while it is called. */
typedef void (*PaStoreEventFunc) (const PaEventRecord *event,
                                  gpointer             user_data);

/* PA_ERROR_NOT_FOUND when there is no such run. */
PaRunRecord *pa_store_get_run            (PaStore             *self,
                                          const char          *run_id,
                                          GError             **error);
/* Returns a GPtrArray of PaRunRecord, newest first: those with @status,
 * or all when it is NULL; at most @limit of them, or all when 0. */
GPtrArray   *pa_store_list_runs          (PaStore             *self,
                                          const char          *status,
                                          guint                limit,
                                          GError             **error);
/* Returns a GPtrArray of the PaRunRecord of runs that have not ended
 * (pending, running, waiting), oldest first: the order to resume them. */
GPtrArray   *pa_store_list_unfinished_runs (PaStore           *self,
                                          GError             **error);
/* Returns a GPtrArray of PaStepRecord: the steps of @run_id that
 * started, in the order they started, then those that did not (by id).
 * Empty for a run that has no steps or does not exist. */
GPtrArray   *pa_store_list_steps         (PaStore             *self,
                                          const char          *run_id,
                                          GError             **error);

/* Calls @func for each event of @run_id in journal order; allocates
 * nothing per event. FALSE with @error set if they could not be read
 * (@func may have seen some). */
gboolean     pa_store_foreach_run_event  (PaStore             *self,
                                          const char          *run_id,
                                          PaStoreEventFunc     func,
                                          gpointer             user_data,
                                          GError             **error);
/* The number of events of @run_id, or in the whole journal when it is
 * NULL; -1 with @error set when they could not be counted. */
gint64       pa_store_count_events       (PaStore             *self,
                                          const char          *run_id,
                                          GError             **error);
/* Whether any event of @kind has @value (a string) at @json_path of its
 * payload, e.g. "$.state.prediction_id": a look through every run's
 * events. FALSE with @error set when they could not be read. */
gboolean     pa_store_has_event          (PaStore             *self,
                                          const char          *kind,
                                          const char          *json_path,
                                          const char          *value,
                                          GError             **error);

G_END_DECLS
