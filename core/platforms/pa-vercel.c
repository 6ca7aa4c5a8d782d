/* pa-vercel.c — Vercel: publish a folder, list deployments and projects
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-clock.h"
#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-pager-private.h"

#include "pa-vercel.h"

#define DEFAULT_POLL_INITIAL_MS     2000
#define DEFAULT_POLL_MAX_MS         15000
#define DEFAULT_GIVE_UP_S           1800
#define DEFAULT_UPLOAD_CONCURRENCY  4
#define ENUMERATE_BATCH             64

struct _PaVercel
{
  PaPlatform parent_instance;

  char      *team_id;
  guint      poll_initial_ms;
  guint      poll_max_ms;
  guint      give_up_s;
  guint      upload_concurrency;
};

G_DEFINE_FINAL_TYPE (PaVercel, pa_vercel, PA_TYPE_PLATFORM)

enum {
  PROP_0,
  PROP_TEAM_ID,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* ---- boxed values ----------------------------------------------------- */

PaVercelDeployment *
pa_vercel_deployment_copy (const PaVercelDeployment *self)
{
  PaVercelDeployment *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaVercelDeployment, 1);
  copy->id = g_strdup (self->id);
  copy->url = g_strdup (self->url);
  copy->name = g_strdup (self->name);
  copy->ready_state = g_strdup (self->ready_state);
  copy->target = g_strdup (self->target);
  copy->error_message = g_strdup (self->error_message);
  copy->created_ms = self->created_ms;
  return copy;
}

void
pa_vercel_deployment_free (PaVercelDeployment *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->url);
  g_free (self->name);
  g_free (self->ready_state);
  g_free (self->target);
  g_free (self->error_message);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaVercelDeployment, pa_vercel_deployment,
                     pa_vercel_deployment_copy, pa_vercel_deployment_free)

PaVercelProject *
pa_vercel_project_copy (const PaVercelProject *self)
{
  PaVercelProject *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = g_new0 (PaVercelProject, 1);
  copy->id = g_strdup (self->id);
  copy->name = g_strdup (self->name);
  copy->framework = g_strdup (self->framework);
  copy->updated_ms = self->updated_ms;
  return copy;
}

void
pa_vercel_project_free (PaVercelProject *self)
{
  if (self == NULL)
    return;

  g_free (self->id);
  g_free (self->name);
  g_free (self->framework);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaVercelProject, pa_vercel_project,
                     pa_vercel_project_copy, pa_vercel_project_free)

PaVercelFile *
pa_vercel_file_new (const char *file,
                    const char *sha,
                    guint64     size)
{
  PaVercelFile *self;

  g_return_val_if_fail (file != NULL, NULL);
  g_return_val_if_fail (sha != NULL, NULL);

  self = g_new0 (PaVercelFile, 1);
  self->file = g_strdup (file);
  self->sha = g_strdup (sha);
  self->size = size;
  return self;
}

PaVercelFile *
pa_vercel_file_copy (const PaVercelFile *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return pa_vercel_file_new (self->file, self->sha, self->size);
}

void
pa_vercel_file_free (PaVercelFile *self)
{
  if (self == NULL)
    return;

  g_free (self->file);
  g_free (self->sha);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaVercelFile, pa_vercel_file, pa_vercel_file_copy, pa_vercel_file_free)

/* ---- JSON helpers ----------------------------------------------------- */

static void
set_protocol_error (GError     **error,
                    const char  *what)
{
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("Vercel sent an answer PlayAlter does not understand (%s)"), what);
}

/* A deployment as /v13/deployments shows it, or an item of the
 * /v6/deployments list (uid, state, created). */
static PaVercelDeployment *
parse_deployment (JsonObject  *object,
                  GError     **error)
{
  g_autoptr(PaVercelDeployment) deployment = g_new0 (PaVercelDeployment, 1);
  const char *id = pa_json_get_string (object, "id");
  const char *state = pa_json_get_string (object, "readyState");

  if (id == NULL)
    id = pa_json_get_string (object, "uid");
  if (state == NULL)
    state = pa_json_get_string (object, "state");
  if (id == NULL)
    {
      set_protocol_error (error, _("a deployment without an id"));
      return NULL;
    }

  deployment->id = g_strdup (id);
  deployment->url = g_strdup (pa_json_get_string (object, "url"));
  deployment->name = g_strdup (pa_json_get_string (object, "name"));
  deployment->ready_state = g_strdup (state);
  deployment->target = g_strdup (pa_json_get_string (object, "target"));
  deployment->error_message = g_strdup (pa_json_get_string (object, "errorMessage"));
  if (deployment->error_message == NULL)
    deployment->error_message = g_strdup (pa_json_get_string (object, "errorCode"));
  if (!pa_json_get_int (object, "createdAt", &deployment->created_ms))
    pa_json_get_int (object, "created", &deployment->created_ms);

  return g_steal_pointer (&deployment);
}

static gboolean
state_is (const PaVercelDeployment *deployment,
          const char               *state)
{
  return g_strcmp0 (deployment->ready_state, state) == 0;
}

/* ---- requests --------------------------------------------------------- */

static PaHttpRequest *
vercel_request (PaVercel   *self,
                const char *method,
                const char *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  if (self->team_id != NULL)
    pa_http_request_add_query (request, "teamId", self->team_id);
  return request;
}

/* Completes @task with the JSON object of a 2xx answer. */
static void
json_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  JsonNode *root;

  root = pa_platform_send_json_finish (PA_PLATFORM (source), result, &error);
  if (root == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!JSON_NODE_HOLDS_OBJECT (root))
    {
      json_node_unref (root);
      set_protocol_error (&error, _("not a JSON object"));
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, root, (GDestroyNotify) json_node_unref);
}

static void
vercel_send_json (PaVercel            *self,
                  PaHttpRequest       *request,
                  GCancellable        *cancellable,
                  GAsyncReadyCallback  callback,
                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  pa_platform_send_json_async (PA_PLATFORM (self), request, cancellable, json_cb, task);
}

static JsonObject *
vercel_send_json_finish (GAsyncResult  *result,
                         JsonNode     **root,
                         GError       **error)
{
  *root = g_task_propagate_pointer (G_TASK (result), error);
  return *root != NULL ? json_node_get_object (*root) : NULL;
}

/* ---- check ------------------------------------------------------------ */

static void
check_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonObject *user;
  const char *id;
  const char *username;
  const char *email;

  object = vercel_send_json_finish (result, &root, &error);
  if (object == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  user = pa_json_get_object (object, "user");
  id = pa_json_get_string (user, "id");
  if (id == NULL)
    {
      set_protocol_error (&error, _("no user"));
      g_task_return_error (task, error);
      return;
    }

  username = pa_json_get_string (user, "username");
  email = pa_json_get_string (user, "email");
  g_task_return_pointer (task,
                         pa_identity_new (id,
                                          username != NULL ? username : email,
                                          username != NULL ? email : NULL),
                         (GDestroyNotify) pa_identity_free);
}

static void
pa_vercel_check_async (PaPlatform          *platform,
                       GCancellable        *cancellable,
                       GAsyncReadyCallback  callback,
                       gpointer             user_data)
{
  PaVercel *self = PA_VERCEL (platform);
  g_autoptr(PaHttpRequest) request = vercel_request (self, "GET", "/v2/user");
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_vercel_check_async);
  vercel_send_json (self, request, cancellable, check_cb, task);
}

static PaIdentity *
pa_vercel_check_finish (PaPlatform    *platform,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- upload one file -------------------------------------------------- */

static void
upload_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(PaHttpResponse) response = NULL;
  GError *error = NULL;

  response = pa_platform_send_finish (PA_PLATFORM (source), result, &error);
  if (response == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
pa_vercel_upload_file_async (PaVercel            *self,
                             GBytes              *contents,
                             const char          *sha1,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *computed = NULL;
  g_autofree char *key = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (contents != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_upload_file_async);

  if (sha1 == NULL)
    sha1 = computed = g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, contents);

  request = vercel_request (self, "POST", "/v2/files");
  pa_http_request_set_body (request, contents, "application/octet-stream");
  pa_http_request_set_header (request, "x-vercel-digest", sha1);
  /* Files are stored by content, so sending one twice does no harm: a
   * key makes PaHttp retry a failed upload. */
  key = g_strconcat ("vercel-file-", sha1, NULL);
  pa_http_request_set_idempotency_key (request, key);

  pa_platform_send_async (PA_PLATFORM (self), request, cancellable, upload_cb, task);
}

gboolean
pa_vercel_upload_file_finish (PaVercel      *self,
                              GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- create and get a deployment -------------------------------------- */

static void
deployment_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  GError *error = NULL;
  JsonObject *object;
  PaVercelDeployment *deployment;

  object = vercel_send_json_finish (result, &root, &error);
  if (object == NULL || (deployment = parse_deployment (object, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, deployment, (GDestroyNotify) pa_vercel_deployment_free);
}

void
pa_vercel_create_deployment_async (PaVercel            *self,
                                   const char          *name,
                                   GPtrArray           *files,
                                   const char          *target,
                                   JsonObject          *project_settings,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) body = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (files != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_create_deployment_async);

  if (name == NULL || *name == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               "%s", _("Give the deployment a name"));
      g_object_unref (task);
      return;
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, name);
  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  for (guint i = 0; i < files->len; i++)
    {
      const PaVercelFile *file = files->pdata[i];

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "file");
      json_builder_add_string_value (builder, file->file);
      json_builder_set_member_name (builder, "sha");
      json_builder_add_string_value (builder, file->sha);
      json_builder_set_member_name (builder, "size");
      json_builder_add_int_value (builder, (gint64) MIN (file->size, (guint64) G_MAXINT64));
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  if (target != NULL && *target != '\0')
    {
      json_builder_set_member_name (builder, "target");
      json_builder_add_string_value (builder, target);
    }
  if (project_settings != NULL)
    {
      json_builder_set_member_name (builder, "projectSettings");
      json_builder_add_value (builder, json_node_init_object (json_node_alloc (),
                                                              project_settings));
    }
  json_builder_end_object (builder);
  body = json_builder_get_root (builder);

  request = vercel_request (self, "POST", "/v13/deployments");
  /* Publishing runs unattended: nobody is there to confirm the framework
   * Vercel detects for a new project. */
  pa_http_request_add_query (request, "skipAutoDetectionConfirmation", "1");
  pa_http_request_set_json_body (request, body);

  vercel_send_json (self, request, cancellable, deployment_cb, task);
}

PaVercelDeployment *
pa_vercel_create_deployment_finish (PaVercel      *self,
                                    GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
pa_vercel_get_deployment_async (PaVercel            *self,
                                const char          *id_or_url,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *path = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (id_or_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_get_deployment_async);

  escaped = g_uri_escape_string (id_or_url, NULL, TRUE);
  path = g_strconcat ("/v13/deployments/", escaped, NULL);
  request = vercel_request (self, "GET", path);

  vercel_send_json (self, request, cancellable, deployment_cb, task);
}

PaVercelDeployment *
pa_vercel_get_deployment_finish (PaVercel      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- wait until built ------------------------------------------------- */

typedef struct {
  char                 *id;
  PaVercelProgressFunc  progress_func;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;
  char                 *last_state;
  guint                 delay_ms;
  gint64                give_up_at;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_free (data->id);
  g_free (data->last_state);
  g_free (data);
}

static void poll_now (GTask *task);

static void
poll_slept_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pa_clock_sleep_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  poll_now (task);
}

/* Takes the state Vercel reported: TRUE when the task is complete. */
static gboolean
wait_saw (GTask              *task,
          PaVercelDeployment *deployment)
{
  PaVercel *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);

  if (g_strcmp0 (deployment->ready_state, data->last_state) != 0)
    {
      g_free (data->last_state);
      data->last_state = g_strdup (deployment->ready_state);
      if (data->progress_func != NULL && deployment->ready_state != NULL)
        {
          PaVercelProgress progress = { deployment->ready_state, 0, 0, deployment };

          data->progress_func (&progress, data->progress_data);
        }
    }

  if (state_is (deployment, "READY"))
    {
      g_task_return_pointer (task, deployment, (GDestroyNotify) pa_vercel_deployment_free);
      return TRUE;
    }
  if (state_is (deployment, "ERROR"))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("Vercel could not build deployment %s: %s"),
                               deployment->id,
                               deployment->error_message != NULL ? deployment->error_message
                                                                 : _("no reason given"));
      pa_vercel_deployment_free (deployment);
      return TRUE;
    }
  if (state_is (deployment, "CANCELED") || state_is (deployment, "DELETED"))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("Deployment %s was canceled on Vercel before it was ready"),
                               deployment->id);
      pa_vercel_deployment_free (deployment);
      return TRUE;
    }
  pa_vercel_deployment_free (deployment);

  if (g_get_monotonic_time () >= data->give_up_at)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_TIMEOUT,
                               _("Deployment %s was still not ready after %u min; see it on Vercel"),
                               data->id, (self->give_up_s + 59) / 60);
      return TRUE;
    }
  return FALSE;
}

static void
wait_later (GTask *task)
{
  PaVercel *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);
  guint delay_ms = data->delay_ms;

  /* Builds take seconds to minutes: ask often at first, then less. */
  data->delay_ms = MIN (delay_ms + delay_ms / 2, self->poll_max_ms);
  pa_clock_sleep_async ((gint64) delay_ms * 1000, g_task_get_cancellable (task),
                        poll_slept_cb, g_object_ref (task));
}

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PaVercelDeployment *deployment;

  deployment = pa_vercel_get_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!wait_saw (task, deployment))
    wait_later (task);
}

static void
poll_now (GTask *task)
{
  WaitData *data = g_task_get_task_data (task);

  pa_vercel_get_deployment_async (g_task_get_source_object (task), data->id,
                                  g_task_get_cancellable (task), polled_cb, g_object_ref (task));
}

/* @first: the deployment as creating it returned (taken), or NULL to
 * ask Vercel first. */
static void
wait_deployment (PaVercel             *self,
                 const char           *id,
                 PaVercelDeployment   *first,
                 PaVercelProgressFunc  progress_func,
                 gpointer              progress_data,
                 GDestroyNotify        progress_destroy,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  WaitData *data = g_new0 (WaitData, 1);

  g_task_set_source_tag (task, pa_vercel_wait_deployment_async);

  data->id = g_strdup (id);
  data->progress_func = progress_func;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->delay_ms = self->poll_initial_ms;
  data->give_up_at = g_get_monotonic_time () + (gint64) self->give_up_s * G_USEC_PER_SEC;
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);

  if (first == NULL)
    poll_now (task);
  else if (!wait_saw (task, first))
    wait_later (task);
}

void
pa_vercel_wait_deployment_async (PaVercel             *self,
                                 const char           *id,
                                 PaVercelProgressFunc  progress_func,
                                 gpointer              progress_data,
                                 GDestroyNotify        progress_destroy,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  wait_deployment (self, id, NULL, progress_func, progress_data, progress_destroy,
                   cancellable, callback, user_data);
}

PaVercelDeployment *
pa_vercel_wait_deployment_finish (PaVercel      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- deploy a folder -------------------------------------------------- */

typedef struct {
  GFile   *file;
  char    *path;    /* relative, '/'-separated */
  char    *sha;
  guint64  size;
} Entry;

static void
entry_free (Entry *entry)
{
  g_clear_object (&entry->file);
  g_free (entry->path);
  g_free (entry->sha);
  g_free (entry);
}

typedef struct {
  GFile                *root;
  char                 *name;
  char                 *target;
  JsonObject           *project_settings;
  PaVercelProgressFunc  progress_func;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;

  GQueue                folders;      /* GFile still to list */
  GPtrArray            *entries;      /* Entry */

  /* Stops the other uploads when one fails, or when the caller cancels. */
  GCancellable         *cancellable;
  GCancellable         *caller;
  gulong                cancel_handler;
  guint                 next;
  guint                 in_flight;
  guint                 done;
  GError               *error;
} DeployData;

static void
deploy_data_free (DeployData *data)
{
  if (data->cancel_handler != 0)
    g_cancellable_disconnect (data->caller, data->cancel_handler);
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_clear_object (&data->caller);
  g_clear_object (&data->cancellable);
  g_clear_object (&data->root);
  g_free (data->name);
  g_free (data->target);
  g_clear_pointer (&data->project_settings, json_object_unref);
  g_queue_clear_full (&data->folders, g_object_unref);
  g_clear_pointer (&data->entries, g_ptr_array_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static gboolean
deploy_cancelled (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);

  return data->caller != NULL && g_cancellable_is_cancelled (data->caller);
}

static void
deploy_fail (GTask  *task,
             GError *error)
{
  if (deploy_cancelled (task))
    {
      g_error_free (error);
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               "%s", _("Publishing was cancelled"));
      return;
    }
  g_task_return_error (task, error);
}

static void
report_uploads (DeployData *data)
{
  PaVercelProgress progress = { "UPLOADING", data->done, data->entries->len, NULL };

  if (data->progress_func != NULL)
    data->progress_func (&progress, data->progress_data);
}

static void list_next_folder (GTask *task);

static void
deployed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PaVercelDeployment *deployment;

  deployment = pa_vercel_wait_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      deploy_fail (task, error);
      return;
    }
  g_task_return_pointer (task, deployment, (GDestroyNotify) pa_vercel_deployment_free);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DeployData *data = g_task_get_task_data (task);
  GError *error = NULL;
  PaVercelDeployment *deployment;
  g_autofree char *id = NULL;

  deployment = pa_vercel_create_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      deploy_fail (task, error);
      return;
    }

  id = g_strdup (deployment->id);
  wait_deployment (PA_VERCEL (source), id, deployment,
                   data->progress_func, data->progress_data, NULL,
                   data->cancellable, deployed_cb, g_object_ref (task));
}

static void
create_deployment (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_vercel_file_free);

  for (guint i = 0; i < data->entries->len; i++)
    {
      Entry *entry = data->entries->pdata[i];

      g_ptr_array_add (files, pa_vercel_file_new (entry->path, entry->sha, entry->size));
    }

  pa_vercel_create_deployment_async (g_task_get_source_object (task), data->name, files,
                                     data->target, data->project_settings, data->cancellable,
                                     created_cb, g_object_ref (task));
}

/* One file on its way: read, hashed, uploaded. */
typedef struct {
  GTask  *task;
  Entry  *entry;
  GBytes *bytes;
} Upload;

static void
upload_free (Upload *upload)
{
  g_clear_object (&upload->task);
  g_clear_pointer (&upload->bytes, g_bytes_unref);
  g_free (upload);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Upload, upload_free)

static void start_uploads (GTask *task);

static void
upload_ended (Upload *upload,
              GError *error)
{
  g_autoptr(Upload) owned = upload;
  GTask *task = upload->task;
  DeployData *data = g_task_get_task_data (task);

  data->in_flight--;
  if (error != NULL)
    {
      if (data->error == NULL)
        {
          data->error = error;
          g_cancellable_cancel (data->cancellable);
        }
      else
        {
          g_error_free (error);
        }
    }
  else
    {
      data->done++;
      report_uploads (data);
    }

  if (data->error != NULL)
    {
      if (data->in_flight == 0)
        deploy_fail (task, g_steal_pointer (&data->error));
      return;
    }

  if (data->done == data->entries->len)
    create_deployment (task);
  else
    start_uploads (task);
}

static void
uploaded_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Upload *upload = user_data;
  GError *error = NULL;

  if (!pa_vercel_upload_file_finish (PA_VERCEL (source), result, &error))
    {
      g_prefix_error (&error, _("Uploading %s: "), upload->entry->path);
      upload_ended (upload, error);
      return;
    }
  upload_ended (upload, NULL);
}

static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  g_task_return_pointer (task, g_compute_checksum_for_bytes (G_CHECKSUM_SHA1, task_data), g_free);
}

static void
hashed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Upload *upload = user_data;
  DeployData *data = g_task_get_task_data (upload->task);
  GError *error = NULL;
  char *sha;

  sha = g_task_propagate_pointer (G_TASK (result), &error);
  if (sha == NULL)
    {
      upload_ended (upload, error);
      return;
    }

  upload->entry->sha = sha;
  upload->entry->size = g_bytes_get_size (upload->bytes);
  pa_vercel_upload_file_async (g_task_get_source_object (upload->task), upload->bytes, sha,
                               data->cancellable, uploaded_cb, upload);
}

static void
loaded_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  Upload *upload = user_data;
  DeployData *data = g_task_get_task_data (upload->task);
  g_autoptr(GError) io_error = NULL;
  g_autoptr(GTask) hash = NULL;
  GError *error = NULL;

  upload->bytes = g_file_load_bytes_finish (G_FILE (source), result, NULL, &io_error);
  if (upload->bytes == NULL)
    {
      g_set_error (&error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Could not read %s (%s)"), upload->entry->path, io_error->message);
      upload_ended (upload, error);
      return;
    }

  /* Hashing a large file would stall the main loop. */
  hash = g_task_new (NULL, data->cancellable, hashed_cb, upload);
  g_task_set_task_data (hash, g_bytes_ref (upload->bytes), (GDestroyNotify) g_bytes_unref);
  g_task_run_in_thread (hash, hash_thread);
}

static void
start_uploads (GTask *task)
{
  PaVercel *self = g_task_get_source_object (task);
  DeployData *data = g_task_get_task_data (task);

  while (data->in_flight < self->upload_concurrency && data->next < data->entries->len)
    {
      Upload *upload = g_new0 (Upload, 1);

      upload->task = g_object_ref (task);
      upload->entry = data->entries->pdata[data->next++];
      data->in_flight++;
      g_file_load_bytes_async (upload->entry->file, data->cancellable, loaded_cb, upload);
    }
}

static int
compare_entries (gconstpointer a,
                 gconstpointer b)
{
  const Entry *entry_a = *(const Entry * const *) a;
  const Entry *entry_b = *(const Entry * const *) b;

  return strcmp (entry_a->path, entry_b->path);
}

static void
folder_listed (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autofree char *root = g_file_get_parse_name (data->root);

  if (data->entries->len == 0)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("%s has no files to publish"), root);
      return;
    }

  /* The same folder always gives the same file list. */
  g_ptr_array_sort (data->entries, compare_entries);
  report_uploads (data);
  start_uploads (task);
}

static char *
relative_path (GFile *root,
               GFile *file)
{
  g_autofree char *path = g_file_get_relative_path (root, file);

#ifdef G_OS_WIN32
  g_strdelimit (path, "\\", '/');
#endif
  return g_steal_pointer (&path);
}

static void
next_files_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GFileEnumerator *enumerator = G_FILE_ENUMERATOR (source);
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GError) io_error = NULL;
  GList *infos;

  infos = g_file_enumerator_next_files_finish (enumerator, result, &io_error);
  if (infos == NULL && io_error != NULL)
    {
      GFile *folder = g_file_enumerator_get_container (enumerator);
      g_autofree char *name = g_file_get_parse_name (folder);

      deploy_fail (task, g_error_new (PA_ERROR, PA_ERROR_STORAGE,
                                      _("Could not list the folder %s (%s)"),
                                      name, io_error->message));
      return;
    }
  if (infos == NULL)
    {
      list_next_folder (task);
      return;
    }

  for (GList *l = infos; l != NULL; l = l->next)
    {
      GFileInfo *info = l->data;
      const char *name = g_file_info_get_name (info);
      g_autoptr(GFile) child = g_file_enumerator_get_child (enumerator, info);

      /* Version control data is never part of a site. */
      if (g_str_equal (name, ".git"))
        continue;

      switch (g_file_info_get_file_type (info))
        {
        case G_FILE_TYPE_DIRECTORY:
          g_queue_push_tail (&data->folders, g_steal_pointer (&child));
          break;
        case G_FILE_TYPE_REGULAR:
          {
            Entry *entry = g_new0 (Entry, 1);

            entry->path = relative_path (data->root, child);
            entry->file = g_steal_pointer (&child);
            g_ptr_array_add (data->entries, entry);
          }
          break;
        default:
          /* Links could lead out of the folder or into a loop. */
          g_debug ("Not publishing %s: not a regular file or folder", name);
          break;
        }
    }
  g_list_free_full (infos, g_object_unref);

  g_file_enumerator_next_files_async (enumerator, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      data->cancellable, next_files_cb, g_object_ref (task));
}

static void
enumerated_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GFileEnumerator) enumerator = NULL;
  g_autoptr(GError) io_error = NULL;

  enumerator = g_file_enumerate_children_finish (G_FILE (source), result, &io_error);
  if (enumerator == NULL)
    {
      g_autofree char *name = g_file_get_parse_name (G_FILE (source));

      deploy_fail (task, g_error_new (PA_ERROR,
                                      G_FILE (source) == data->root ? PA_ERROR_INVALID_INPUT
                                                                    : PA_ERROR_STORAGE,
                                      _("Could not open the folder %s (%s)"),
                                      name, io_error->message));
      return;
    }

  g_file_enumerator_next_files_async (enumerator, ENUMERATE_BATCH, G_PRIORITY_DEFAULT,
                                      data->cancellable, next_files_cb, g_object_ref (task));
}

static void
list_next_folder (GTask *task)
{
  DeployData *data = g_task_get_task_data (task);
  g_autoptr(GFile) folder = g_queue_pop_head (&data->folders);

  if (folder == NULL)
    {
      folder_listed (task);
      return;
    }

  g_file_enumerate_children_async (folder,
                                   G_FILE_ATTRIBUTE_STANDARD_NAME ","
                                   G_FILE_ATTRIBUTE_STANDARD_TYPE,
                                   G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, G_PRIORITY_DEFAULT,
                                   data->cancellable, enumerated_cb, g_object_ref (task));
}

static void
deploy_cancelled_cb (GCancellable *caller,
                     gpointer      cancellable)
{
  g_cancellable_cancel (cancellable);
}

void
pa_vercel_deploy_async (PaVercel             *self,
                        GFile                *folder,
                        const char           *name,
                        const char           *target,
                        JsonObject           *project_settings,
                        PaVercelProgressFunc  progress_func,
                        gpointer              progress_data,
                        GDestroyNotify        progress_destroy,
                        GCancellable         *cancellable,
                        GAsyncReadyCallback   callback,
                        gpointer              user_data)
{
  g_autoptr(GTask) task = NULL;
  DeployData *data;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (G_IS_FILE (folder));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_deploy_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (DeployData, 1);
  data->root = g_object_ref (folder);
  data->name = g_strdup (name);
  data->target = g_strdup (target);
  data->project_settings = project_settings != NULL ? json_object_ref (project_settings) : NULL;
  data->progress_func = progress_func;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) entry_free);
  data->cancellable = g_cancellable_new ();
  g_queue_init (&data->folders);
  g_task_set_task_data (task, data, (GDestroyNotify) deploy_data_free);

  if (cancellable != NULL)
    {
      data->caller = g_object_ref (cancellable);
      data->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (deploy_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  if (name == NULL || *name == '\0')
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               "%s", _("Give the deployment a name"));
      return;
    }

  g_queue_push_tail (&data->folders, g_object_ref (folder));
  list_next_folder (task);
}

PaVercelDeployment *
pa_vercel_deploy_finish (PaVercel      *self,
                         GAsyncResult  *result,
                         GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- lists ------------------------------------------------------------ */

/* pagination.next: a timestamp, a continuation token, or null. */
static char *
next_page_of (JsonObject *object)
{
  JsonObject *pagination = pa_json_get_object (object, "pagination");
  JsonNode *next = pagination != NULL ? json_object_get_member (pagination, "next") : NULL;
  gint64 number;

  if (next == NULL || !JSON_NODE_HOLDS_VALUE (next))
    return NULL;
  if (json_node_get_value_type (next) == G_TYPE_STRING)
    return g_strdup (json_node_get_string (next));
  if (pa_json_get_int (pagination, "next", &number))
    return g_strdup_printf ("%" G_GINT64_FORMAT, number);
  return NULL;
}

static void
deployments_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  PaPage *page;
  GError *error = NULL;
  JsonObject *object;
  JsonArray *items;

  object = vercel_send_json_finish (result, &root, &error);
  if (object == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  items = pa_json_get_array (object, "deployments");
  if (items == NULL)
    {
      set_protocol_error (&error, _("no list of deployments"));
      g_task_return_error (task, error);
      return;
    }

  page = pa_page_new ((GDestroyNotify) pa_vercel_deployment_free);
  page->next_cursor = next_page_of (object);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      PaVercelDeployment *deployment;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (deployment = parse_deployment (json_node_get_object (node), &error)) == NULL)
        {
          if (error == NULL)
            set_protocol_error (&error, _("a deployment that is not an object"));
          pa_page_free (page);
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (page->items, deployment);
    }

  g_task_return_pointer (task, page, (GDestroyNotify) pa_page_free);
}

void
pa_vercel_list_deployments_async (PaVercel            *self,
                                  const char          *project_id,
                                  guint                limit,
                                  gint64               until,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_list_deployments_async);

  request = vercel_request (self, "GET", "/v6/deployments");
  if (project_id != NULL && *project_id != '\0')
    pa_http_request_add_query (request, "projectId", project_id);
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", limit);
  if (until > 0)
    pa_http_request_add_query_int (request, "until", until);

  vercel_send_json (self, request, cancellable, deployments_cb, task);
}

static GPtrArray *
page_finish (gpointer       self,
             GAsyncResult  *result,
             char         **next,
             GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return pa_page_propagate (G_TASK (result), next, error);
}
GPtrArray *
pa_vercel_list_deployments_finish (PaVercel      *self,
                                   GAsyncResult  *result,
                                   gint64        *next_page,
                                   GError       **error)
{
  g_autofree char *next = NULL;
  GPtrArray *items;

  items = page_finish (self, result, &next, error);
  if (next_page != NULL)
    *next_page = next != NULL ? g_ascii_strtoll (next, NULL, 10) : 0;
  return items;
}

static void
projects_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(JsonNode) root = NULL;
  PaPage *page;
  GError *error = NULL;
  JsonObject *object;
  JsonArray *items;

  object = vercel_send_json_finish (result, &root, &error);
  if (object == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  items = pa_json_get_array (object, "projects");
  if (items == NULL)
    {
      set_protocol_error (&error, _("no list of projects"));
      g_task_return_error (task, error);
      return;
    }

  page = pa_page_new ((GDestroyNotify) pa_vercel_project_free);
  page->next_cursor = next_page_of (object);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      JsonObject *item;
      PaVercelProject *project;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          pa_json_get_string (json_node_get_object (node), "id") == NULL)
        {
          pa_page_free (page);
          set_protocol_error (&error, _("a project without an id"));
          g_task_return_error (task, error);
          return;
        }
      item = json_node_get_object (node);

      project = g_new0 (PaVercelProject, 1);
      project->id = g_strdup (pa_json_get_string (item, "id"));
      project->name = g_strdup (pa_json_get_string (item, "name"));
      project->framework = g_strdup (pa_json_get_string (item, "framework"));
      pa_json_get_int (item, "updatedAt", &project->updated_ms);
      g_ptr_array_add (page->items, project);
    }

  g_task_return_pointer (task, page, (GDestroyNotify) pa_page_free);
}

void
pa_vercel_list_projects_async (PaVercel            *self,
                               guint                limit,
                               const char          *from,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(PaHttpRequest) request = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_list_projects_async);

  request = vercel_request (self, "GET", "/v10/projects");
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", limit);
  if (from != NULL && *from != '\0')
    pa_http_request_add_query (request, "from", from);

  vercel_send_json (self, request, cancellable, projects_cb, task);
}

GPtrArray *
pa_vercel_list_projects_finish (PaVercel      *self,
                                GAsyncResult  *result,
                                char         **next_page,
                                GError       **error)
{
  return page_finish (self, result, next_page, error);
}

/* ---- the object ------------------------------------------------------- */

void
pa_vercel_set_team_id (PaVercel   *self,
                       const char *team_id)
{
  g_return_if_fail (PA_IS_VERCEL (self));

  if (team_id != NULL && *team_id == '\0')
    team_id = NULL;
  if (g_strcmp0 (self->team_id, team_id) == 0)
    return;
  g_free (self->team_id);
  self->team_id = g_strdup (team_id);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEAM_ID]);
}

const char *
pa_vercel_get_team_id (PaVercel *self)
{
  g_return_val_if_fail (PA_IS_VERCEL (self), NULL);
  return self->team_id;
}

void
pa_vercel_set_poll_interval (PaVercel *self,
                             guint     initial_ms,
                             guint     max_ms,
                             guint     give_up_s)
{
  g_return_if_fail (PA_IS_VERCEL (self));

  self->poll_initial_ms = initial_ms != 0 ? initial_ms : DEFAULT_POLL_INITIAL_MS;
  self->poll_max_ms = MAX (max_ms != 0 ? max_ms : DEFAULT_POLL_MAX_MS, self->poll_initial_ms);
  self->give_up_s = give_up_s != 0 ? give_up_s : DEFAULT_GIVE_UP_S;
}

void
pa_vercel_set_upload_concurrency (PaVercel *self,
                                  guint     n)
{
  g_return_if_fail (PA_IS_VERCEL (self));
  self->upload_concurrency = n != 0 ? n : DEFAULT_UPLOAD_CONCURRENCY;
}

static void
pa_vercel_finalize (GObject *object)
{
  PaVercel *self = PA_VERCEL (object);

  g_free (self->team_id);

  G_OBJECT_CLASS (pa_vercel_parent_class)->finalize (object);
}

static void
pa_vercel_get_property (GObject    *object,
                        guint       prop_id,
                        GValue     *value,
                        GParamSpec *pspec)
{
  PaVercel *self = PA_VERCEL (object);

  switch (prop_id)
    {
    case PROP_TEAM_ID:
      g_value_set_string (value, self->team_id);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_vercel_set_property (GObject      *object,
                        guint         prop_id,
                        const GValue *value,
                        GParamSpec   *pspec)
{
  PaVercel *self = PA_VERCEL (object);

  switch (prop_id)
    {
    case PROP_TEAM_ID:
      pa_vercel_set_team_id (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_vercel_class_init (PaVercelClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  PaPlatformClass *platform_class = PA_PLATFORM_CLASS (klass);

  object_class->finalize = pa_vercel_finalize;
  object_class->get_property = pa_vercel_get_property;
  object_class->set_property = pa_vercel_set_property;

  platform_class->platform_id = "vercel";
  platform_class->check_async = pa_vercel_check_async;
  platform_class->check_finish = pa_vercel_check_finish;

  properties[PROP_TEAM_ID] =
    g_param_spec_string ("team-id", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
pa_vercel_init (PaVercel *self)
{
  self->poll_initial_ms = DEFAULT_POLL_INITIAL_MS;
  self->poll_max_ms = DEFAULT_POLL_MAX_MS;
  self->give_up_s = DEFAULT_GIVE_UP_S;
  self->upload_concurrency = DEFAULT_UPLOAD_CONCURRENCY;
}

PaVercel *
pa_vercel_new (PaHttp     *http,
               const char *profile,
               const char *base_url)
{
  g_return_val_if_fail (http == NULL || PA_IS_HTTP (http), NULL);

  return g_object_new (PA_TYPE_VERCEL,
                       "http", http,
                       "profile", profile,
                       "base-url", base_url,
                       NULL);
}
