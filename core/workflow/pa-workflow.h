/* pa-workflow.h — a validated workflow definition
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-action.h"

G_BEGIN_DECLS

typedef enum {
  PA_WORKFLOW_INPUT_STRING,
  PA_WORKFLOW_INPUT_NUMBER,
  PA_WORKFLOW_INPUT_FILE,
  PA_WORKFLOW_INPUT_BOOLEAN,
} PaWorkflowInputType;

typedef struct {
  char                *name;
  PaWorkflowInputType  type;
  gboolean             required;       /* TRUE unless "required": false or a default */
  JsonNode            *default_value;  /* NULL when none */
  char                *description;    /* NULL when none */
} PaWorkflowInput;

typedef struct {
  char     *id;
  char     *uses;
  JsonNode *with;             /* an object, empty when the step has none */
  GStrv     needs;            /* never NULL */
  int       max_attempts;     /* 1 when the step has no retry */
  double    backoff_s;        /* 0 when the step has no retry */
  double    timeout_s;        /* 0 for no timeout */
  char     *compensate_uses;  /* NULL when the step has no compensate */
  JsonNode *compensate_with;  /* NULL when compensate has no with */
} PaWorkflowStep;

#define PA_TYPE_WORKFLOW (pa_workflow_get_type ())
G_DECLARE_FINAL_TYPE (PaWorkflow, pa_workflow, PA, WORKFLOW, GObject)

/* Parses and validates. Every problem found is listed, one per line, in a
 * single PA_ERROR_INVALID_INPUT error, each starting with its JSON path
 * ("steps[2].uses: …") or, for a syntax error, "line L, column C: …". */
PaWorkflow            *pa_workflow_new_from_data (const char        *json,
                                                  gssize             len,
                                                  PaActionRegistry  *registry,
                                                  GError           **error);
PaWorkflow            *pa_workflow_new_from_file (const char        *path,
                                                  PaActionRegistry  *registry,
                                                  GError           **error);

const char            *pa_workflow_get_name      (PaWorkflow        *self);
guint                  pa_workflow_get_n_inputs  (PaWorkflow        *self);
const PaWorkflowInput *pa_workflow_get_input     (PaWorkflow        *self,
                                                  guint              index);
const PaWorkflowInput *pa_workflow_lookup_input  (PaWorkflow        *self,
                                                  const char        *name);
guint                  pa_workflow_get_n_steps   (PaWorkflow        *self);
/* In the order of the file. */
const PaWorkflowStep  *pa_workflow_get_step      (PaWorkflow        *self,
                                                  guint              index);
const PaWorkflowStep  *pa_workflow_lookup_step   (PaWorkflow        *self,
                                                  const char        *id);
/* Every step after the steps it needs; among steps that are ready at the
 * same time, the order of the file. Array of const PaWorkflowStep *. */
GPtrArray             *pa_workflow_get_order     (PaWorkflow        *self);

/* The inputs for a run: @given (may be NULL) checked against the
 * declared inputs, strings coerced to the declared type (as the command
 * line gives NAME=VALUE), defaults applied, optional inputs without a
 * default set to null. Every problem is listed in one error. */
JsonObject            *pa_workflow_bind_inputs   (PaWorkflow        *self,
                                                  JsonObject        *given,
                                                  GError           **error);

/* Where a run's inputs came from, so that a missing one is asked for in
 * the words of that transport. */
typedef enum {
  PA_WORKFLOW_INPUTS_FROM_COMMAND_LINE,  /* --input NAME=VALUE */
  PA_WORKFLOW_INPUTS_FROM_JSON,          /* a JSON object, as `serve` gets */
} PaWorkflowInputsFrom;

/* pa_workflow_bind_inputs, whose messages fit @from. */
JsonObject            *pa_workflow_bind_inputs_from (PaWorkflow           *self,
                                                     JsonObject           *given,
                                                     PaWorkflowInputsFrom  from,
                                                     GError              **error);

/* Canonical compact JSON of the definition; parsing it gives the same
 * workflow. */
char                  *pa_workflow_to_json       (PaWorkflow        *self);

const char            *pa_workflow_input_type_to_string (PaWorkflowInputType type);

G_END_DECLS
