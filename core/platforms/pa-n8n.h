/* pa-n8n.h — the n8n public API client and webhook trigger
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-platform.h"

G_BEGIN_DECLS

/* The base URL is the instance URL ("http://localhost:5678"); one that
 * ends in the API path, as n8n's settings page shows it, is accepted too.
 * The public API is at <instance>/<api-path> ("api/v1" unless the
 * "api-path" construct property says otherwise: a contract mock that
 * serves the spec at its root uses ""), webhooks at
 * <instance>/webhook/<path>. */
#define PA_TYPE_N8N (pa_n8n_get_type ())
G_DECLARE_FINAL_TYPE (PaN8n, pa_n8n, PA, N8N, PaPlatform)

typedef struct {
  char     *id;
  char     *name;
  gboolean  active;
  char     *updated_at;   /* ISO 8601; may be NULL */
} PaN8nWorkflow;

typedef struct {
  char     *id;           /* a number in n8n, kept as text */
  char     *workflow_id;
  char     *status;       /* "success", "error", "running", "waiting", …; may be NULL */
  char     *mode;         /* "webhook", "manual", …; may be NULL */
  gboolean  finished;
  char     *started_at;   /* ISO 8601; may be NULL */
  char     *stopped_at;   /* NULL while running */
  JsonNode *data;         /* the run's data when asked for; else NULL */
} PaN8nExecution;

#define PA_TYPE_N8N_WORKFLOW  (pa_n8n_workflow_get_type ())
#define PA_TYPE_N8N_EXECUTION (pa_n8n_execution_get_type ())

GType           pa_n8n_workflow_get_type       (void) G_GNUC_CONST;
PaN8nWorkflow  *pa_n8n_workflow_copy           (const PaN8nWorkflow  *self);
void            pa_n8n_workflow_free           (PaN8nWorkflow        *self);

GType           pa_n8n_execution_get_type      (void) G_GNUC_CONST;
PaN8nExecution *pa_n8n_execution_copy          (const PaN8nExecution *self);
void            pa_n8n_execution_free          (PaN8nExecution       *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaN8nWorkflow, pa_n8n_workflow_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaN8nExecution, pa_n8n_execution_free)

/* @base_url NULL or "" means the platform's default. */
PaN8n          *pa_n8n_new                     (PaHttp               *http,
                                                const char           *profile,
                                                const char           *base_url);

/* The instance URL, without the API path. */
const char     *pa_n8n_get_instance_url        (PaN8n                *self);
/* "<instance>/webhook/<path>"; @path may start with '/'. */
char           *pa_n8n_build_webhook_url       (PaN8n                *self,
                                                const char           *path);

/* Lists use n8n's cursor pagination: pass NULL for the first page, then
 * the @next_cursor of the previous page; it comes back NULL after the
 * last. @limit 0 means n8n's default (100); at most 250. The arrays hold
 * PaN8nWorkflow / PaN8nExecution and free them. */
void            pa_n8n_list_workflows_async    (PaN8n                *self,
                                                const char           *cursor,
                                                guint                 limit,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray      *pa_n8n_list_workflows_finish   (PaN8n                *self,
                                                GAsyncResult         *result,
                                                char                **next_cursor,
                                                GError              **error);

/* Activates (publishes) or deactivates a workflow; returns it as n8n
 * answers, with its new state. */
void            pa_n8n_set_workflow_active_async  (PaN8n             *self,
                                                   const char        *workflow_id,
                                                   gboolean           active,
                                                   GCancellable      *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer           user_data);
PaN8nWorkflow  *pa_n8n_set_workflow_active_finish (PaN8n             *self,
                                                   GAsyncResult      *result,
                                                   GError           **error);

/* Newest first. @workflow_id NULL lists every workflow's executions. */
void            pa_n8n_list_executions_async   (PaN8n                *self,
                                                const char           *workflow_id,
                                                const char           *cursor,
                                                guint                 limit,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
GPtrArray      *pa_n8n_list_executions_finish  (PaN8n                *self,
                                                GAsyncResult         *result,
                                                char                **next_cursor,
                                                GError              **error);

/* @execution_id is n8n's numeric id as text. @include_data also fetches
 * the run's data (node outputs), which can be large. */
void            pa_n8n_get_execution_async     (PaN8n                *self,
                                                const char           *execution_id,
                                                gboolean              include_data,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
PaN8nExecution *pa_n8n_get_execution_finish    (PaN8n                *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* POSTs @body (JSON; NULL sends {}) to the production webhook
 * <instance>/webhook/@path. The API key is never sent there; a webhook
 * protected by header auth gets @auth_header: @auth_value instead (both
 * NULL for none). Not retried: a webhook run is not idempotent. Returns
 * the workflow's answer: its JSON, or a string node holding the text
 * when the answer is not JSON (an empty answer gives an empty string). */
void            pa_n8n_trigger_webhook_async   (PaN8n                *self,
                                                const char           *path,
                                                JsonNode             *body,
                                                const char           *auth_header,
                                                const char           *auth_value,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
JsonNode       *pa_n8n_trigger_webhook_finish  (PaN8n                *self,
                                                GAsyncResult         *result,
                                                GError              **error);

G_END_DECLS
