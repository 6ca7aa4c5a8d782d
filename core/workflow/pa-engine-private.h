/* pa-engine-private.h — what the files of the engine share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_WORKFLOW_COMPILATION)
# error "pa-engine-private.h is private to core/workflow: use its public headers"
#endif

#include "pa-action.h"
#include "pa-engine.h"
#include "pa-file-policy.h"
#include "pa-journal.h"

G_BEGIN_DECLS

typedef enum {
  STEP_PENDING,
  STEP_RUNNING,
  STEP_DELAYED,     /* a retry or an offline re-check is scheduled */
  STEP_SUCCEEDED,
  STEP_FAILED,      /* for good */
} StepStatus;

typedef struct _Run Run;

typedef struct {
  Run                  *run;
  const PaWorkflowStep *def;
  StepStatus            status;
  int                   attempts;
  JsonObject           *state;
  GCancellable         *cancellable;
  guint                 delay_id;
  guint                 timeout_id;
  gboolean              timed_out;
  gboolean              compensated;
  gboolean              interrupted;   /* running when the last process ended */
} Step;

struct _Run {
  gatomicrefcount  ref;
  PaEngine        *engine;       /* NULL once the engine is gone */
  char            *id;
  PaWorkflow      *workflow;
  JsonObject      *inputs;
  GHashTable      *outputs;      /* step id → JsonNode */
  GPtrArray       *steps;        /* Step *, file order */
  GPtrArray       *completed;    /* Step *, order of success */
  guint            n_running;
  gboolean         waiting;
  gboolean         failing;
  gboolean         compensating;
  gboolean         done;
  char            *failure;
  GList           *waiters;      /* GTask * */
  /* What the user approved for this run (journaled in run.created). */
  PaFilePolicy    *file_policy;
  gint64           network_wait_s;
  GStrv            retry_unsafe;  /* step ids */
  gint64           waiting_since_us;  /* wall clock; 0 when not waiting */
};

struct _PaEngine {
  GObject           parent_instance;
  PaStore          *store;
  PaJournal        *journal;
  PaActionRegistry *registry;
  PaHttp           *http;
  GHashTable       *runs;        /* id → Run * */
  guint             max_concurrency;
  guint             n_running;
  guint             offline_interval_ms;
  guint             pump_id;
  PaClockFunc       clock;        /* wall clock; NULL: g_get_real_time */
  gpointer          clock_data;
  /* The last started workflow's definition as JSON: a trigger starts
   * the same workflow again and again, and a workflow never changes. */
  PaWorkflow       *definition_of;
  JsonNode         *definition;
};

/* Runs (pa-engine.c) */
Run        *pa_engine_run_new                    (PaEngine   *engine,
                                                  const char *id,
                                                  PaWorkflow *workflow,
                                                  JsonObject *inputs);
/* Applies a run's journaled options (granted paths, network wait,
 * steps allowed to be sent again). */
void        pa_engine_run_apply_options          (Run        *run,
                                                  JsonObject *options);
Run        *pa_engine_run_ref                    (Run        *run);
void        pa_engine_run_unref                  (Run        *run);
Step       *pa_engine_run_lookup_step            (Run        *run,
                                                  const char *id);
/* Appends an event of @run (deferred: see pa_engine_flush); @payload
 * is taken. */
void        pa_engine_journal                    (Run        *run,
                                                  const char *step_id,
                                                  const char *kind,
                                                  int         attempt,
                                                  JsonObject *payload);
/* Makes every event journaled so far durable. */
void        pa_engine_flush                      (PaEngine   *engine);
/* Flushes when @step's action could not be repeated safely on resume. */
void        pa_engine_step_flush_if_unrepeatable (Step       *step);
JsonObject *pa_engine_object_with_string         (const char *member,
                                                  const char *value);
/* Emits PaEngine::step-changed. */
void        pa_engine_step_changed               (Step       *step,
                                                  const char *status);
/* Ends @run with @status and answers its waiters. */
void        pa_engine_run_finish                 (Run        *run,
                                                  const char *status);
/* The engine's wall clock, in microseconds since the epoch. */
gint64      pa_engine_now                        (PaEngine   *engine);
/* Looks for steps to start, from an idle callback. */
void        pa_engine_schedule_pump              (PaEngine   *self);

/* Steps and compensation (pa-engine-step.c) */
gboolean    pa_engine_step_is_ready              (Step       *step);
void        pa_engine_step_start                 (Step       *step);
void        pa_engine_run_compensate_next        (Run        *run);
void        pa_engine_run_maybe_compensate       (Run        *run);

G_END_DECLS
