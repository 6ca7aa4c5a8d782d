/* pa-actions-private.h — what the built-in actions share with the registry
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_WORKFLOW_COMPILATION)
# error "pa-actions-private.h is private to core/workflow: use its public headers"
#endif

#include "pa-action.h"
#include "pa-action-context.h"

G_BEGIN_DECLS

void pa_actions_register_local     (PaActionRegistry *registry);
void pa_actions_register_stripe    (PaActionRegistry *registry);
void pa_actions_register_openai    (PaActionRegistry *registry);
void pa_actions_register_replicate (PaActionRegistry *registry);
void pa_actions_register_vercel    (PaActionRegistry *registry);
void pa_actions_register_n8n       (PaActionRegistry *registry);
void pa_actions_register_agora     (PaActionRegistry *registry);
void pa_actions_register_media     (PaActionRegistry *registry);

/* Every built-in action's task is made with g_task_set_check_cancellable
 * (task, FALSE): a cancelled step reports PA_ERROR_CANCELLED, as the
 * platform clients do, never GIO's own error, which the engine would not
 * recognise. */

/* The common finish of every built-in action: the task returns a JsonNode. */
JsonNode *pa_actions_finish (GAsyncResult  *result,
                             GError       **error);

/* Returns @output (taken) as the step's output, the JsonNode that
 * pa_actions_finish hands on. */
void      pa_actions_return_object (GTask      *task,
                                    JsonObject *output);

/* Argument readers for already-checked arguments; missing → @fallback. */
const char *pa_actions_get_string  (JsonObject *args,
                                    const char *name,
                                    const char *fallback);
gint64      pa_actions_get_int     (JsonObject *args,
                                    const char *name,
                                    gint64      fallback);
double      pa_actions_get_double  (JsonObject *args,
                                    const char *name,
                                    double      fallback);

G_END_DECLS
