/* pa-vercel.h — Vercel: publish a folder, list deployments and projects
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-platform.h"

G_BEGIN_DECLS

/* ---- values ----------------------------------------------------------- */

typedef struct {
  char   *id;              /* "dpl_…" */
  char   *url;             /* host name, without a scheme */
  char   *name;
  char   *ready_state;     /* QUEUED, INITIALIZING, BUILDING, READY, ERROR, CANCELED… */
  char   *target;          /* "production", "staging" or NULL (preview) */
  char   *error_message;   /* set when ready_state is ERROR, when Vercel says why */
  gint64  created_ms;      /* Unix time in ms; 0 when not given */
} PaVercelDeployment;

#define PA_TYPE_VERCEL_DEPLOYMENT (pa_vercel_deployment_get_type ())
GType               pa_vercel_deployment_get_type (void) G_GNUC_CONST;
PaVercelDeployment *pa_vercel_deployment_copy     (const PaVercelDeployment *self);
void                pa_vercel_deployment_free     (PaVercelDeployment       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaVercelDeployment, pa_vercel_deployment_free)

typedef struct {
  char   *id;
  char   *name;
  char   *framework;       /* NULL when none */
  gint64  updated_ms;      /* 0 when not given */
} PaVercelProject;

#define PA_TYPE_VERCEL_PROJECT (pa_vercel_project_get_type ())
GType            pa_vercel_project_get_type (void) G_GNUC_CONST;
PaVercelProject *pa_vercel_project_copy     (const PaVercelProject *self);
void             pa_vercel_project_free     (PaVercelProject       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaVercelProject, pa_vercel_project_free)

/* One uploaded file of a deployment. */
typedef struct {
  char   *file;            /* path relative to the folder, '/'-separated */
  char   *sha;             /* SHA-1, lower-case hex */
  guint64 size;
} PaVercelFile;

#define PA_TYPE_VERCEL_FILE (pa_vercel_file_get_type ())
GType         pa_vercel_file_get_type (void) G_GNUC_CONST;
PaVercelFile *pa_vercel_file_new      (const char         *file,
                                       const char         *sha,
                                       guint64             size);
PaVercelFile *pa_vercel_file_copy     (const PaVercelFile *self);
void          pa_vercel_file_free     (PaVercelFile       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaVercelFile, pa_vercel_file_free)

/* Where a deploy is. @state is "UPLOADING" while files go up (with
 * @files_done of @files_total), then each readyState Vercel reports
 * (QUEUED, BUILDING, READY…). @deployment is NULL while uploading. */
typedef struct {
  const char               *state;
  guint                     files_done;
  guint                     files_total;
  const PaVercelDeployment *deployment;
} PaVercelProgress;

typedef void (*PaVercelProgressFunc) (const PaVercelProgress *progress,
                                      gpointer                user_data);

/* ---- the client ------------------------------------------------------- */

#define PA_TYPE_VERCEL (pa_vercel_get_type ())
G_DECLARE_FINAL_TYPE (PaVercel, pa_vercel, PA, VERCEL, PaPlatform)

/* @base_url NULL = https://api.vercel.com. */
PaVercel   *pa_vercel_new                  (PaHttp               *http,
                                            const char           *profile,
                                            const char           *base_url);

/* Property "team-id": when set, every request acts for that team
 * (?teamId=). NULL or "" = the personal account. */
void        pa_vercel_set_team_id          (PaVercel             *self,
                                            const char           *team_id);
const char *pa_vercel_get_team_id          (PaVercel             *self);

/* Polling a deployment: the first wait is @initial_ms, each next one
 * half as long again, up to @max_ms; giving up after @give_up_s
 * (PA_ERROR_TIMEOUT). 0 keeps a value's default (2000 ms, 15000 ms,
 * 1800 s). */
void        pa_vercel_set_poll_interval    (PaVercel             *self,
                                            guint                 initial_ms,
                                            guint                 max_ms,
                                            guint                 give_up_s);
/* How many files go up at once; 0 = the default (4). */
void        pa_vercel_set_upload_concurrency (PaVercel           *self,
                                              guint               n);

/* POST /v2/files with @contents and its SHA-1 in x-vercel-digest
 * (computed when @sha1 is NULL). Uploading the same bytes twice is
 * harmless, so failed uploads are retried. */
void        pa_vercel_upload_file_async    (PaVercel             *self,
                                            GBytes               *contents,
                                            const char           *sha1,
                                            GCancellable         *cancellable,
                                            GAsyncReadyCallback   callback,
                                            gpointer              user_data);
gboolean    pa_vercel_upload_file_finish   (PaVercel             *self,
                                            GAsyncResult         *result,
                                            GError              **error);

/* POST /v13/deployments with uploaded @files (PaVercelFile). @target
 * NULL = preview; @project_settings may be NULL. */
void                pa_vercel_create_deployment_async  (PaVercel            *self,
                                                        const char          *name,
                                                        GPtrArray           *files,
                                                        const char          *target,
                                                        JsonObject          *project_settings,
                                                        GCancellable        *cancellable,
                                                        GAsyncReadyCallback  callback,
                                                        gpointer             user_data);
PaVercelDeployment *pa_vercel_create_deployment_finish (PaVercel            *self,
                                                        GAsyncResult        *result,
                                                        GError             **error);

/* GET /v13/deployments/{id_or_url}. */
void                pa_vercel_get_deployment_async  (PaVercel            *self,
                                                     const char          *id_or_url,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
PaVercelDeployment *pa_vercel_get_deployment_finish (PaVercel            *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

/* Polls until READY (returned), or ERROR / CANCELED (PA_ERROR_FAILED with
 * Vercel's errorMessage), reporting each new state to @progress_func. */
void                pa_vercel_wait_deployment_async  (PaVercel             *self,
                                                      const char           *id,
                                                      PaVercelProgressFunc  progress_func,
                                                      gpointer              progress_data,
                                                      GDestroyNotify        progress_destroy,
                                                      GCancellable         *cancellable,
                                                      GAsyncReadyCallback   callback,
                                                      gpointer              user_data);
PaVercelDeployment *pa_vercel_wait_deployment_finish (PaVercel             *self,
                                                      GAsyncResult         *result,
                                                      GError              **error);

/* Publishes every file under @folder (but links and secrets: see
 * pa-vercel-deploy.h): uploads each, creates
 * the deployment @name, and waits until it is READY. Files are read
 * asynchronously and hashed off the main thread. */
void                pa_vercel_deploy_async  (PaVercel             *self,
                                             GFile                *folder,
                                             const char           *name,
                                             const char           *target,
                                             JsonObject           *project_settings,
                                             PaVercelProgressFunc  progress_func,
                                             gpointer              progress_data,
                                             GDestroyNotify        progress_destroy,
                                             GCancellable         *cancellable,
                                             GAsyncReadyCallback   callback,
                                             gpointer              user_data);
PaVercelDeployment *pa_vercel_deploy_finish (PaVercel             *self,
                                             GAsyncResult         *result,
                                             GError              **error);

/* GET /v6/deployments, newest first. @project_id NULL = all; @limit 0 =
 * Vercel's default; @until 0 = from the newest, else the @next_page of
 * the previous page. Returns a GPtrArray of PaVercelDeployment and sets
 * @next_page to the cursor of the next page, 0 when this was the last. */
void                pa_vercel_list_deployments_async  (PaVercel            *self,
                                                       const char          *project_id,
                                                       guint                limit,
                                                       gint64               until,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray          *pa_vercel_list_deployments_finish (PaVercel            *self,
                                                       GAsyncResult        *result,
                                                       gint64              *next_page,
                                                       GError             **error);

/* GET /v10/projects; @from NULL = the first page, else the @next_page of
 * the previous one (a continuation token or a timestamp, as Vercel sent
 * it). Returns a GPtrArray of PaVercelProject and sets @next_page to
 * NULL after the last page (free it with g_free()). */
void                pa_vercel_list_projects_async  (PaVercel            *self,
                                                    guint                limit,
                                                    const char          *from,
                                                    GCancellable        *cancellable,
                                                    GAsyncReadyCallback  callback,
                                                    gpointer             user_data);
GPtrArray          *pa_vercel_list_projects_finish (PaVercel            *self,
                                                    GAsyncResult        *result,
                                                    char               **next_page,
                                                    GError             **error);

G_END_DECLS
