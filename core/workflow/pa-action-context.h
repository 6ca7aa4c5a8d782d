/* pa-action-context.h — what a running action may use from its run
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-action.h"
#include "pa-file-policy.h"
#include "pa-http.h"
#include "pa-platform.h"
#include "pa-secrets.h"
#include "pa-store.h"

G_BEGIN_DECLS

PaActionContext *pa_action_context_new                 (PaStore          *store,
                                                        PaHttp           *http,
                                                        const char       *run_id,
                                                        const char       *step_id,
                                                        int               attempt);
PaActionContext *pa_action_context_ref                 (PaActionContext  *self);
void             pa_action_context_unref               (PaActionContext  *self);

const char      *pa_action_context_get_run_id          (PaActionContext  *self);
const char      *pa_action_context_get_step_id         (PaActionContext  *self);
int              pa_action_context_get_attempt         (PaActionContext  *self);
/* The action the step runs ("stripe.payment_link"), logged with every
 * request the step's platform clients send, beside the run and step ids
 * (platform_logs); set it before pa_action_context_get_platform. */
void             pa_action_context_set_action          (PaActionContext  *self,
                                                        const char       *action);
PaStore         *pa_action_context_get_store           (PaActionContext  *self);
PaHttp          *pa_action_context_get_http            (PaActionContext  *self);
/* The keyring actions read credentials from (agora.token); NULL or
 * never set means a PaSecrets of its own, made on first use. */
void             pa_action_context_set_secrets         (PaActionContext  *self,
                                                        PaSecrets        *secrets);
PaSecrets       *pa_action_context_get_secrets         (PaActionContext  *self);
/* <data dir>/media, created on demand. */
char            *pa_action_context_dup_media_dir       (PaActionContext  *self,
                                                        GError          **error);
/* Stable across retries and restarts of the same step: "<run>/<step>". */
/* What the run may read (pa-file-policy.h); NULL: the media folder only. */
void             pa_action_context_set_file_policy     (PaActionContext  *self,
                                                        PaFilePolicy     *policy);
/* The run's policy, with the media folder approved (created on demand). */
PaFilePolicy    *pa_action_context_get_file_policy     (PaActionContext  *self,
                                                        GError          **error);
const char      *pa_action_context_get_idempotency_key (PaActionContext  *self);
/* For a compensation: it calls another endpoint than the step it undoes,
 * and a platform refuses one key reused for a different request. */
void             pa_action_context_set_idempotency_key (PaActionContext  *self,
                                                        const char       *key);
/* The client for @platform with the profile/base URL the user saved;
 * NULL with an error when the platform is unknown. */
PaPlatform      *pa_action_context_get_platform        (PaActionContext  *self,
                                                        const char       *platform,
                                                        GError          **error);

/* Durable step-local state: an action journals what it must not lose
 * before it waits (a Replicate prediction id, the end time of a wait),
 * and reads it back when the step resumes after a restart. The engine
 * provides the functions; without an engine they keep it in memory. */
typedef gboolean (*PaActionCheckpointFunc) (PaActionContext  *context,
                                            JsonObject       *state,
                                            gpointer          user_data,
                                            GError          **error);
void             pa_action_context_set_checkpoint_func (PaActionContext        *self,
                                                        PaActionCheckpointFunc  func,
                                                        gpointer                user_data);
gboolean         pa_action_context_checkpoint          (PaActionContext  *self,
                                                        JsonObject       *state,
                                                        GError          **error);
/* The state last checkpointed for this step (also from an earlier
 * process), or NULL. */
JsonObject      *pa_action_context_get_state           (PaActionContext  *self);
void             pa_action_context_set_state           (PaActionContext  *self,
                                                        JsonObject       *state);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaActionContext, pa_action_context_unref)

G_END_DECLS
