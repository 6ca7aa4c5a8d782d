/* pa-replicate-private.h — what the files of PaReplicate share
 *
 * pa-replicate.c (mode, check, models), pa-replicate-predictions.c
 * (create, get, cancel, list), pa-replicate-wait.c (following a
 * prediction) and pa-replicate-upload.c (file inputs) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-replicate-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-replicate.h"

G_BEGIN_DECLS

struct _PaReplicate
{
  PaPlatform       parent_instance;

  PaReplicateMode  mode;
  guint            poll_initial_ms;
  guint            poll_max_ms;
  guint64          max_download;
  guint            sync_timeout_s;
  guint            prediction_deadline_s;
};


/* Called once the client knows whether it talks to Replicate's API or to
 * a Cog server; owns a reference to @task. */
typedef void (*PaReplicateModeFunc) (PaReplicate *self,
                                     GTask       *task);

void           pa_replicate_with_mode           (PaReplicate          *self,
                                                 GTask                *task,
                                                 PaReplicateModeFunc   func);
gboolean       pa_replicate_is_cog              (PaReplicate          *self);
/* A request to the account's base URL, without a key for a Cog server. */
PaHttpRequest *pa_replicate_new_request         (PaReplicate          *self,
                                                 const char           *method,
                                                 const char           *path);
gboolean       pa_replicate_check_prediction_id (const char           *id,
                                                 GError              **error);
/* "owner/name" → @owner and @name, or FALSE with @error. */
gboolean       pa_replicate_split_model         (const char           *model,
                                                 char                **owner,
                                                 char                **name,
                                                 GError              **error);

G_END_DECLS
