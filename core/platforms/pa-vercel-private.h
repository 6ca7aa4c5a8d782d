/* pa-vercel-private.h — what the files of PaVercel share
 *
 * pa-vercel.c (the client, deployments, lists) and pa-vercel-deploy.c
 * (publishing a folder) are one class.
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

G_END_DECLS
