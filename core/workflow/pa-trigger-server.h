/* pa-trigger-server.h — runs workflows when an HTTP request asks (a webhook trigger)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-limits.h"
#include "pa-engine.h"
#include "pa-workflow.h"

G_BEGIN_DECLS

/* The largest request body accepted, in bytes (larger: 413). */
#define PA_TRIGGER_SERVER_MAX_BODY_SIZE  PA_LIMIT_TRIGGER_BODY_BYTES
/* The shortest token accepted. */
#define PA_TRIGGER_SERVER_MIN_TOKEN_LENGTH 16

#define PA_TYPE_TRIGGER_SERVER (pa_trigger_server_get_type ())
G_DECLARE_FINAL_TYPE (PaTriggerServer, pa_trigger_server, PA, TRIGGER_SERVER, GObject)

/* A SoupServer on the default main context that starts runs on @engine:
 *
 *   POST /run/NAME[?wait=true]
 *   Authorization: Bearer TOKEN
 *   {"input": value, …}
 *
 * The body (a JSON object; empty means no inputs) is bound to the
 * workflow's inputs as pa_workflow_bind_inputs does. Answers, always
 * JSON: 202 {"run_id", "status": "running"} at once; with wait=true, when
 * the run ends, 200 (succeeded) or 500 (failed, cancelled) with
 * {"run_id", "status", "outputs": {step id: output}, "error"}. Refused:
 * 401 without the token, 404 for another path or an unknown workflow,
 * 405 for a method other than POST, 411 without a Content-Length, 413
 * over PA_TRIGGER_SERVER_MAX_BODY_SIZE, 400 for a body that is not a
 * JSON object or inputs that do not bind ({"error": message}), 503 while
 * stopping. The token is compared in constant time and never logged.
 * @token must hold at least PA_TRIGGER_SERVER_MIN_TOKEN_LENGTH bytes. */
PaTriggerServer *pa_trigger_server_new          (PaEngine          *engine,
                                                 const char        *token);

/* Served under /run/ followed by its name. PA_ERROR_INVALID_INPUT when
 * another workflow has that name. */
gboolean         pa_trigger_server_add_workflow (PaTriggerServer   *self,
                                                 PaWorkflow        *workflow,
                                                 GError           **error);

/* What every run started here may read besides the media folder
 * (PaRunOptions.allowed_paths; NULL: nothing more) and how long it may
 * wait for the network (negative: the default). */
void             pa_trigger_server_set_run_options (PaTriggerServer    *self,
                                                    const char * const *allowed_paths,
                                                    gint64              network_wait_s);

/* Listens on @address (e.g. 127.0.0.1; binding elsewhere is the caller's
 * decision) and @port (0 picks a free one). */
gboolean         pa_trigger_server_listen       (PaTriggerServer   *self,
                                                 GInetAddress      *address,
                                                 guint16            port,
                                                 GError           **error);
/* "http://ADDRESS:PORT/" once listening, else NULL. */
char            *pa_trigger_server_dup_uri      (PaTriggerServer   *self);

/* Refuses new requests at once (503), then completes when every run it
 * started has ended and every answer has been written, and stops
 * listening. Cancelling @cancellable stops waiting for the runs: waiting
 * requests get 503 with their run id, and the runs stay in the journal,
 * to be resumed (`playalter-cli resume`) once the engine is dropped. */
void             pa_trigger_server_stop_async   (PaTriggerServer   *self,
                                                 GCancellable      *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer           user_data);
gboolean         pa_trigger_server_stop_finish  (PaTriggerServer   *self,
                                                 GAsyncResult      *result,
                                                 GError           **error);

/* How many runs started here have not ended yet. */
guint            pa_trigger_server_get_n_running (PaTriggerServer  *self);

G_END_DECLS
