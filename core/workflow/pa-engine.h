/* pa-engine.h — the durable executor of workflow runs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-action.h"
#include "pa-clock.h"
#include "pa-http.h"
#include "pa-store.h"
#include "pa-workflow.h"

G_BEGIN_DECLS

/* A step's saved state for actions that must not lose it across a
 * restart (projects nothing; the engine reads the last one per step). */
#define PA_EVENT_STEP_CHECKPOINT "step.checkpoint"   /* {state} */
/* An undo that failed; kept so a resumed run does not try it again. */
#define PA_EVENT_STEP_COMPENSATION_FAILED "step.compensation_failed"   /* {error} */

#define PA_TYPE_ENGINE (pa_engine_get_type ())
G_DECLARE_FINAL_TYPE (PaEngine, pa_engine, PA, ENGINE, GObject)

/* Runs everything on the default main context, never blocking it.
 * @http may be NULL when no action needs the network. Signals:
 * "run-finished" (run_id, status) and "step-changed" (run_id, step_id,
 * status). Dropping the engine stops its runs where they are, without
 * journaling anything: a later engine resumes them. */
PaEngine   *pa_engine_new                    (PaStore           *store,
                                              PaActionRegistry  *registry,
                                              PaHttp            *http);

/* How many steps may run at once, across all runs (default 4). */
void        pa_engine_set_max_concurrency    (PaEngine          *self,
                                              guint              max_concurrency);
/* How long a step waits before it tries again when its platform is
 * unreachable or its breaker is open (default 30 s). That is "offline":
 * nothing was sent (PA_ERROR_UNAVAILABLE, PA_ERROR_CIRCUIT_OPEN), or, for
 * an idempotent step only, no answer came (PA_ERROR_CONNECTION_LOST,
 * PA_ERROR_TIMEOUT). Offline waits keep the step's attempt and end with
 * the run's network wait (PaRunOptions.network_wait_s). A server error
 * (PA_ERROR_SERVER) spends an attempt; PA_ERROR_INSECURE is final; a step
 * that is not idempotent is not sent again after a request that may have
 * been carried out unless PaRunOptions.retry_unsafe names it. */
void        pa_engine_set_offline_retry_interval_ms (PaEngine   *self,
                                              guint              interval_ms);

/* What the user approved for one run, on the command line or in the
 * app. It is journaled with the run (run.created), so a resumed run has
 * the same grants, and nothing in a workflow file can add to it. */
typedef struct {
  /* Folders (or single files) a step may read besides the media folder:
   * --allow-path DIR, and files given as inputs. NULL-terminated or NULL. */
  const char * const *allowed_paths;
  /* How long the run may wait for the network, from the moment it starts
   * waiting; after that it fails with the cause of its last attempt.
   * Negative: PA_LIMIT_NETWORK_WAIT_SECONDS. */
  gint64              network_wait_s;
  /* Steps whose action is not idempotent that the user allows to be sent
   * again when a request may have been carried out (a lost connection, a
   * timeout, a server error). NULL-terminated or NULL. */
  const char * const *retry_unsafe;
} PaRunOptions;

#define PA_RUN_OPTIONS_INIT { NULL, -1, NULL }

/* A wall clock in microseconds since the epoch (a network wait is timed
 * across restarts); for tests. NULL: g_get_real_time(). */
void        pa_engine_set_clock              (PaEngine          *self,
                                              PaClockFunc        clock,
                                              gpointer           clock_data);

/* pa_engine_start_run with the user's grants; @options may be NULL. */
void        pa_engine_start_run_with_options (PaEngine           *self,
                                              PaWorkflow         *workflow,
                                              JsonObject         *bound_inputs,
                                              const PaRunOptions *options,
                                              char              **run_id_out,
                                              GError            **error);

/* Journals run.created and runs it from the main loop. The engine
 * commits its events in groups: run.created is on disk before the run
 * does anything outside this process, and at the latest once the main
 * loop is idle. */
void        pa_engine_start_run              (PaEngine          *self,
                                              PaWorkflow        *workflow,
                                              JsonObject        *bound_inputs,
                                              char             **run_id_out,
                                              GError           **error);

/* Continues every run whose status is pending, running or waiting.
 * Succeeded steps are never run again. */
gboolean    pa_engine_resume_all             (PaEngine          *self,
                                              GError           **error);

/* Stops scheduling, cancels the running actions and ends the run
 * cancelled. PA_ERROR_NOT_FOUND when the run is not running here. */
gboolean    pa_engine_cancel_run             (PaEngine          *self,
                                              const char        *run_id,
                                              GError           **error);

/* Completes when the run ends, with its final status ("succeeded",
 * "failed", "cancelled"); at once when it already has. */
void        pa_engine_wait_run_async         (PaEngine          *self,
                                              const char        *run_id,
                                              GCancellable      *cancellable,
                                              GAsyncReadyCallback callback,
                                              gpointer           user_data);
char       *pa_engine_wait_run_finish        (PaEngine          *self,
                                              GAsyncResult      *result,
                                              GError           **error);

/* What a run held by this engine has produced so far: from
 * pa_engine_start_run or pa_engine_resume_all until the handlers of
 * "run-finished" have returned (a trigger answers from there). NULL when
 * the engine does not hold the run. The outputs are an object of step id
 * → output, in the order of the file, with only the steps that
 * succeeded; the error is why the run failed, NULL while it has not. */
JsonObject *pa_engine_dup_run_outputs        (PaEngine          *self,
                                              const char        *run_id);
char       *pa_engine_dup_run_error          (PaEngine          *self,
                                              const char        *run_id);

G_END_DECLS
