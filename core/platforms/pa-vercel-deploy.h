/* pa-vercel-deploy.h — publishing a folder on Vercel, with what to leave out
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-vercel.h"

G_BEGIN_DECLS

/* TRUE for a file or folder name that usually holds secrets (.env*,
 * .git, .ssh, .npmrc, .netrc, id_rsa*, *.pem, *.key…), which
 * pa_vercel_deploy_async leaves out. */
gboolean            pa_vercel_deploy_is_secret_name  (const char           *name);

/* pa_vercel_deploy_async, publishing the entries of @include (paths
 * relative to @folder, '/'-separated; a folder brings in what it holds)
 * even when their names say they may hold secrets. Links are never
 * followed nor published. */
void                pa_vercel_deploy_including_async (PaVercel             *self,
                                                      GFile                *folder,
                                                      const char           *name,
                                                      const char           *target,
                                                      JsonObject           *project_settings,
                                                      const char * const   *include,
                                                      PaVercelProgressFunc  progress_func,
                                                      gpointer              progress_data,
                                                      GDestroyNotify        progress_destroy,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);

/* What the deploy that gave @result left out (relative paths, sorted), whether it succeeded or not. Each was also logged
 * with g_message(). */
char              **pa_vercel_deploy_dup_skipped     (GAsyncResult         *result);

G_END_DECLS
