/* pa-vercel-private.h — what the files of PaVercel share
 *
 * pa-vercel.c (the client, deployments, lists), pa-vercel-deploy.c
 * (publishing a folder) and pa-vercel-wait.c (following a deployment
 * until it is built) are one class.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_PLATFORMS_COMPILATION)
# error "pa-vercel-private.h is private to core/platforms: use its public headers"
#endif

#include "pa-vercel.h"

G_BEGIN_DECLS

struct _PaVercel
{
  PaPlatform parent_instance;

  char      *team_id;
  guint      poll_initial_ms;
  guint      poll_max_ms;
  guint      give_up_s;
  guint      upload_concurrency;
};


/* A request to the account's base URL, in the account's team if it has one. */
PaHttpRequest *pa_vercel_new_request (PaVercel   *self,
                                      const char *method,
                                      const char *path);

/* Follows deployment @id until it is built; @first is the deployment as
 * creating it returned (taken), or NULL to ask Vercel first. The task's
 * source tag is pa_vercel_wait_deployment_async. */
void           pa_vercel_wait_deployment (PaVercel             *self,
                                          const char           *id,
                                          PaVercelDeployment   *first,
                                          PaVercelProgressFunc  progress_func,
                                          gpointer              progress_data,
                                          GDestroyNotify        progress_destroy,
                                          GCancellable         *cancellable,
                                          GAsyncReadyCallback   callback,
                                          gpointer              user_data);

G_END_DECLS
