/* pa-workflow-private.h — what the files of core/workflow share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_WORKFLOW_COMPILATION)
# error "pa-workflow-private.h is private to core/workflow: use its public headers"
#endif

#include "pa-action.h"
#include "pa-workflow.h"

G_BEGIN_DECLS

struct _PaWorkflow
{
  GObject     parent_instance;

  char       *name;
  char       *description;
  GPtrArray  *inputs;        /* PaWorkflowInput */
  GPtrArray  *steps;         /* PaWorkflowStep */
  GHashTable *steps_by_id;   /* id → PaWorkflowStep, borrowed */
  GPtrArray  *order;         /* PaWorkflowStep, borrowed */
};

/* Adds "PATH: MESSAGE" to @problems, the list a load reports at once. */
G_GNUC_PRINTF (3, 4)
void pa_workflow_problem     (GPtrArray        *problems,
                              const char       *path,
                              const char       *format,
                              ...);

/* Reports every problem in one PA_ERROR_INVALID_INPUT error; TRUE when
 * there are none. */
gboolean    pa_workflow_report      (GPtrArray        *problems,
                                     GError          **error);

/* "an object", "a string"…: what @node is, for messages. */
const char *pa_workflow_node_kind   (JsonNode         *node);

/* Whether @node is already a value of an input of @type. */
gboolean    pa_workflow_value_has_input_type (JsonNode            *node,
                                              PaWorkflowInputType  type);

/* @step's position in the definition. */
int  pa_workflow_step_index  (PaWorkflow       *self,
                              PaWorkflowStep   *step);

/* The checks that need every step parsed (pa-workflow-check.c): needs,
 * cycles, then references and arguments; fills the run order when the
 * graph is sound. */
void pa_workflow_check_steps (PaWorkflow       *self,
                              PaActionRegistry *registry,
                              GPtrArray        *problems);

/* The argument @name of @info's action, or NULL (pa-action.c). */
const PaActionArg *pa_action_info_find_arg (const PaActionInfo *info,
                                            const char         *name);

G_END_DECLS
