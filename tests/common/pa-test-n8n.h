/* pa-test-n8n.h — the real n8n on loopback, with a webhook workflow and an API key
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* n8n from tests/peers/node_modules (build-aux/install-test-peers.sh), in
 * a throwaway N8N_USER_FOLDER, on 127.0.0.1 with free ports for its HTTP
 * server and its task-runner broker, SQLite, telemetry and everything else
 * that would call out switched off. Before it starts, the workflow in
 * tests/peers/n8n/webhook-workflow.json is imported and published; once it
 * is up, an owner is created and an API key made for it.
 *
 * The workflow: POST <webhook URL> with a JSON body; it answers 200 with
 * {"echo": <body.message>, "received": true} (the last node's output). Its
 * name is "PlayAlter webhook echo".
 *
 * Returns NULL with @error set when n8n is not installed or does not come
 * up in time (bounded, 120 s in all); its log is in the test's build dir.
 * The process group is killed by stop and on the test process's death. */
typedef struct _PaTestN8n PaTestN8n;

PaTestN8n  *pa_test_n8n_start            (GError    **error);
/* The same with another workflow file (absolute, or relative to
 * tests/peers/n8n/): it needs an "id" and a Webhook node with a "path". */
PaTestN8n  *pa_test_n8n_start_with_workflow (const char  *workflow_file,
                                             GError     **error);
void        pa_test_n8n_stop             (PaTestN8n  *self);

/* "http://127.0.0.1:PORT" — the instance URL; the public API is under
 * /api/v1, webhooks under /webhook/<path>. */
const char *pa_test_n8n_get_url          (PaTestN8n  *self);
/* For the X-N8N-API-KEY header. */
const char *pa_test_n8n_get_api_key      (PaTestN8n  *self);
/* The imported workflow's id. */
const char *pa_test_n8n_get_workflow_id  (PaTestN8n  *self);
/* "playalter-test": the path after /webhook/. */
const char *pa_test_n8n_get_webhook_path (PaTestN8n  *self);
/* "<url>/webhook/<path>" — the production webhook URL. */
const char *pa_test_n8n_get_webhook_url  (PaTestN8n  *self);
const char *pa_test_n8n_get_log_path     (PaTestN8n  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaTestN8n, pa_test_n8n_stop)

G_END_DECLS
