/* pa-vercel.c — Vercel: the client, deployments, file uploads, lists of deployments and projects
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-limits.h"
#include "pa-error.h"
#include "pa-json-private.h"
#include "pa-pager-private.h"
#include "pa-platform-private.h"

#include "pa-vercel.h"
#include "pa-vercel-private.h"

#define DEFAULT_POLL_INITIAL_MS     2000
#define DEFAULT_POLL_MAX_MS         15000
#define DEFAULT_GIVE_UP_S           PA_LIMIT_VERCEL_BUILD_SECONDS
#define DEFAULT_UPLOAD_CONCURRENCY  4

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
  pa_platform_set_protocol_error (error, "Vercel", what);
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

/* An item of the /v10/projects list. */
static PaVercelProject *
parse_project (JsonObject  *object,
               GError     **error)
{
  PaVercelProject *project;

  if (pa_json_get_string (object, "id") == NULL)
    {
      set_protocol_error (error, _("a project without an id"));
      return NULL;
    }

  project = g_new0 (PaVercelProject, 1);
  project->id = g_strdup (pa_json_get_string (object, "id"));
  project->name = g_strdup (pa_json_get_string (object, "name"));
  project->framework = g_strdup (pa_json_get_string (object, "framework"));
  pa_json_get_int (object, "updatedAt", &project->updated_ms);
  return project;
}

/* ---- requests --------------------------------------------------------- */

PaHttpRequest *
pa_vercel_new_request (PaVercel   *self,
                       const char *method,
                       const char *path)
{
  PaHttpRequest *request = pa_platform_new_request (PA_PLATFORM (self), method, path);

  if (self->team_id != NULL)
    pa_http_request_add_query (request, "teamId", self->team_id);
  return request;
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

  object = pa_platform_send_object_finish (PA_PLATFORM (source), result, &root, &error);
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
  g_autoptr(PaHttpRequest) request = pa_vercel_new_request (self, "GET", "/v2/user");
  GTask *task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, pa_vercel_check_async);
  pa_platform_send_object_async (PA_PLATFORM (self), request, cancellable, check_cb, task);
}

static PaIdentity *
pa_vercel_check_finish (PaPlatform    *platform,
                        GAsyncResult  *result,
                        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, platform), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
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

  object = pa_platform_send_object_finish (PA_PLATFORM (source), result, &root, &error);
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

  request = pa_vercel_new_request (self, "POST", "/v13/deployments");
  /* Publishing runs unattended: nobody is there to confirm the framework
   * Vercel detects for a new project. */
  pa_http_request_add_query (request, "skipAutoDetectionConfirmation", "1");
  pa_http_request_set_json_body (request, body);

  pa_platform_send_object_async (PA_PLATFORM (self), request, cancellable, deployment_cb, task);
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
  GError *error = NULL;
  GTask *task;

  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (id_or_url != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_vercel_get_deployment_async);

  /* A deployment's URL is its host name ("site-abc.vercel.app"), never
   * with a scheme or a path. */
  escaped = pa_platform_escape_id (id_or_url, _("Vercel deployment id or URL"), &error);
  if (escaped == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  path = g_strconcat ("/v13/deployments/", escaped, NULL);
  request = pa_vercel_new_request (self, "GET", path);

  pa_platform_send_object_async (PA_PLATFORM (self), request, cancellable, deployment_cb, task);
}

PaVercelDeployment *
pa_vercel_get_deployment_finish (PaVercel      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
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

  request = pa_vercel_new_request (self, "POST", "/v2/files");
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

/* ---- lists ------------------------------------------------------------ */

/* What a page of a list holds: the items under @member, each read by
 * @parse; the messages say what is wrong with an answer (untranslated). */
typedef struct {
  const char      *member;
  const char      *missing;
  const char      *not_object;
  gpointer       (*parse) (JsonObject  *item,
                           GError     **error);
  GDestroyNotify   free_item;
} ListKind;

static const ListKind deployments_kind = {
  "deployments",
  N_("no list of deployments"),
  N_("a deployment that is not an object"),
  (gpointer (*) (JsonObject *, GError **)) parse_deployment,
  (GDestroyNotify) pa_vercel_deployment_free,
};

static const ListKind projects_kind = {
  "projects",
  N_("no list of projects"),
  N_("a project without an id"),
  (gpointer (*) (JsonObject *, GError **)) parse_project,
  (GDestroyNotify) pa_vercel_project_free,
};

/* Completes the task with a PaPage of the kind in its task data. */
static void
list_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  const ListKind *kind = g_task_get_task_data (task);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(PaPage) page = NULL;
  GError *error = NULL;
  JsonObject *object;
  JsonArray *items;

  object = pa_platform_send_object_finish (PA_PLATFORM (source), result, &root, &error);
  if (object == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  items = pa_json_get_array (object, kind->member);
  if (items == NULL)
    {
      set_protocol_error (&error, _(kind->missing));
      g_task_return_error (task, error);
      return;
    }

  page = pa_page_new (kind->free_item);
  /* pagination.next: a timestamp, a continuation token, or null. */
  page->next_cursor = pa_json_dup_text (pa_json_get_object (object, "pagination"), "next");
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      JsonNode *node = json_array_get_element (items, i);
      gpointer item;

      if (!JSON_NODE_HOLDS_OBJECT (node) ||
          (item = kind->parse (json_node_get_object (node), &error)) == NULL)
        {
          if (error == NULL)
            set_protocol_error (&error, _(kind->not_object));
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (page->items, item);
    }

  g_task_return_pointer (task, g_steal_pointer (&page), (GDestroyNotify) pa_page_free);
}

/* Sends @request and completes @task with a page of @kind. */
static void
list_async (PaVercel       *self,
            PaHttpRequest  *request,
            const ListKind *kind,
            GTask          *task)
{
  g_task_set_task_data (task, (gpointer) kind, NULL);
  pa_platform_send_object_async (PA_PLATFORM (self), request, g_task_get_cancellable (task),
                                 list_cb, task);
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

  request = pa_vercel_new_request (self, "GET", "/v6/deployments");
  if (project_id != NULL && *project_id != '\0')
    pa_http_request_add_query (request, "projectId", project_id);
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", limit);
  if (until > 0)
    pa_http_request_add_query_int (request, "until", until);

  list_async (self, request, &deployments_kind, task);
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

  request = pa_vercel_new_request (self, "GET", "/v10/projects");
  if (limit > 0)
    pa_http_request_add_query_int (request, "limit", limit);
  if (from != NULL && *from != '\0')
    pa_http_request_add_query (request, "from", from);

  list_async (self, request, &projects_kind, task);
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
  return pa_platform_new_of_type (PA_TYPE_VERCEL, http, profile, base_url);
}
