/* pa-face-swap-cloud.c — a face swap run by a Replicate model or a local
 * Cog server
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-replicate-download.h"

#include "pa-face-swap-cloud.h"
#include "pa-face-swap-cloud-private.h"

#define REPLICATE_API_HOST "api.replicate.com"

/* ---- the engine --------------------------------------------------------- */

struct _PaFaceSwapCloud
{
  GObject      parent_instance;

  PaReplicate *client;
  char        *model;
  char        *face_field;
  char        *picture_field;
  GFile       *media_dir;
};

G_DEFINE_FINAL_TYPE (PaFaceSwapCloud, pa_face_swap_cloud, G_TYPE_OBJECT)

PaFaceSwapCloud *
pa_face_swap_cloud_new (PaReplicate *client,
                        const char  *model,
                        const char  *face_field,
                        const char  *picture_field)
{
  PaFaceSwapCloud *self;

  g_return_val_if_fail (PA_IS_REPLICATE (client), NULL);

  self = g_object_new (PA_TYPE_FACE_SWAP_CLOUD, NULL);
  self->client = g_object_ref (client);
  self->model = g_strdup (model != NULL && *model != '\0' ? model : PA_FACE_SWAP_CLOUD_DEFAULT_MODEL);
  self->face_field = g_strdup (face_field);
  self->picture_field = g_strdup (picture_field);
  return self;
}

void
pa_face_swap_cloud_set_media_dir (PaFaceSwapCloud *self,
                                  GFile           *media_dir)
{
  g_return_if_fail (PA_IS_FACE_SWAP_CLOUD (self));
  g_return_if_fail (media_dir == NULL || G_IS_FILE (media_dir));

  g_set_object (&self->media_dir, media_dir);
}

static gboolean
is_cog (PaFaceSwapCloud *self)
{
  return pa_replicate_get_mode (self->client) == PA_REPLICATE_MODE_COG;
}

/* Who could not be reached, in the user's words. */
static char *
describe_server (PaFaceSwapCloud *self)
{
  const char *base_url = pa_platform_get_base_url (PA_PLATFORM (self->client));
  g_autoptr(GUri) uri = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);

  switch (pa_replicate_get_mode (self->client))
    {
    case PA_REPLICATE_MODE_COG:
      return g_strdup_printf (_("The Cog server at %s"), base_url);
    case PA_REPLICATE_MODE_AUTO:
      /* The probe that tells them apart got no answer. */
      if (uri == NULL || g_strcmp0 (g_uri_get_host (uri), REPLICATE_API_HOST) != 0)
        return g_strdup_printf (_("The server at %s"), base_url);
      return g_strdup (_("Replicate"));
    case PA_REPLICATE_MODE_API:
    default:
      return g_strdup (_("Replicate"));
    }
}

/* A network that is down, a server that is gone or a missing account
 * leave the offline engine, which needs neither: say so. The code stays,
 * so callers can still tell the cases apart. */
static GError *
suggest_offline (PaFaceSwapCloud *self,
                 GError          *error)
{
  g_autofree char *who = NULL;
  char *message;

  if (error->domain != PA_ERROR)
    return error;

  switch (error->code)
    {
    case PA_ERROR_UNAVAILABLE:
    case PA_ERROR_CONNECTION_LOST:
    case PA_ERROR_TIMEOUT:
    case PA_ERROR_CIRCUIT_OPEN:
      who = describe_server (self);
      /* Translators: the first %s is "Replicate" or "The Cog server at URL". */
      message = g_strdup_printf (_("%s cannot be reached (%s). The offline engine works without "
                                   "a network: use --engine offline or choose Offline in the app."),
                                 who, error->message);
      break;
    case PA_ERROR_AUTH:
      message = g_strdup_printf (_("Replicate did not accept the account (%s). Sign in to "
                                   "Replicate under Accounts, or use the offline engine, which "
                                   "needs no account: --engine offline, or Offline in the app."),
                                 error->message);
      break;
    default:
      return error;
    }

  g_free (error->message);
  error->message = message;
  return error;
}

/* ---- describe ----------------------------------------------------------- */

typedef struct {
  char *face_field;
  char *picture_field;
} DescribeData;

static void
describe_data_free (DescribeData *data)
{
  g_free (data->face_field);
  g_free (data->picture_field);
  g_free (data);
}

static void
got_model_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  DescribeData *data = g_task_get_task_data (task);
  g_autoptr(PaReplicateModel) model = NULL;
  PaFaceSwapCloudModel *described;
  GError *error = NULL;

  model = pa_replicate_get_model_finish (PA_REPLICATE (source), result, &error);
  if (model == NULL)
    {
      g_task_return_error (task, suggest_offline (self, error));
      return;
    }

  /* A Cog server runs one model, whatever it is called. */
  described = pa_face_swap_cloud_model_new (model, is_cog (self) ? NULL : self->model,
                                            data->face_field, data->picture_field, &error);
  if (described == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, described, (GDestroyNotify) pa_face_swap_cloud_model_free);
}

void
pa_face_swap_cloud_describe_async (PaFaceSwapCloud     *self,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  GTask *task;
  DescribeData *data;

  g_return_if_fail (PA_IS_FACE_SWAP_CLOUD (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_face_swap_cloud_describe_async);
  data = g_new0 (DescribeData, 1);
  data->face_field = g_strdup (self->face_field);
  data->picture_field = g_strdup (self->picture_field);
  g_task_set_task_data (task, data, (GDestroyNotify) describe_data_free);

  pa_replicate_get_model_async (self->client, self->model, cancellable, got_model_cb, task);
}

PaFaceSwapCloudModel *
pa_face_swap_cloud_describe_finish (PaFaceSwapCloud  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- run ---------------------------------------------------------------- */

/* A blocking step on the run's files, for a worker thread. */
typedef gboolean (*FilesStep) (PaFaceSwapCloudFiles  *files,
                               GCancellable          *cancellable,
                               GError               **error);

typedef struct {
  PaFaceSwapCloudFiles   files;
  FilesStep              step;         /* the one running in a worker thread */

  PaMediaProgressFunc    progress;
  gpointer               progress_data;
  GDestroyNotify         progress_destroy;

  PaFaceSwapCloudModel  *model;
  PaReplicateFile       *face_file;
  PaReplicateFile       *target_file;
  PaReplicatePrediction *running;      /* started and not known to have ended */
  JsonNode              *output_json;  /* the prediction's output */
  GError                *error;        /* returned once the work folder is gone */
} RunData;

static void
run_data_free (RunData *data)
{
  pa_face_swap_cloud_files_clear (&data->files);
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_clear_pointer (&data->model, pa_face_swap_cloud_model_free);
  g_clear_pointer (&data->face_file, pa_replicate_file_free);
  g_clear_pointer (&data->target_file, pa_replicate_file_free);
  g_clear_pointer (&data->running, pa_replicate_prediction_free);
  g_clear_pointer (&data->output_json, json_node_unref);
  g_clear_error (&data->error);
  g_free (data);
}

static void
report (GTask        *task,
        PaMediaStage  stage,
        double        fraction,
        const char   *message)
{
  RunData *data = g_task_get_task_data (task);
  PaMediaProgress progress = {
    .stage = stage,
    .fraction = fraction,
    .seconds_left = -1,
    .message = message,
  };

  if (data->progress != NULL)
    data->progress (&progress, data->progress_data);
}

static void
files_step_thread (GTask        *step_task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RunData *data = task_data;
  GError *error = NULL;

  if (!data->step (&data->files, cancellable, &error))
    g_task_return_error (step_task, error);
  else
    g_task_return_boolean (step_task, TRUE);
}

/* Runs @step in a worker thread, then @callback with the run's task as
 * its data. The step's own result says what the step did, however late
 * a cancel came: each callback looks at the cancellable itself. */
static void
run_files_step (GTask               *task,
                FilesStep            step,
                GCancellable        *cancellable,
                GAsyncReadyCallback  callback)
{
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GTask) step_task = g_task_new (g_task_get_source_object (task), cancellable,
                                           callback, task);

  data->step = step;
  g_task_set_source_tag (step_task, run_files_step);
  g_task_set_check_cancellable (step_task, FALSE);
  g_task_set_task_data (step_task, data, NULL);
  g_task_run_in_thread (step_task, files_step_thread);
}

static gboolean
remove_work_dir_step (PaFaceSwapCloudFiles  *files,
                      GCancellable          *cancellable,
                      GError               **error)
{
  pa_face_swap_cloud_files_remove_work_dir (files);
  return TRUE;
}

static void
cleaned_up_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  RunData *data = g_task_get_task_data (task);

  g_task_propagate_boolean (G_TASK (result), NULL);
  g_task_return_error (task, g_steal_pointer (&data->error));
}

/* Ends the run with @error (taken), once the work folder is gone. Takes
 * over the caller's reference to @task. */
static void
fail (GTask  *task,
      GError *error)
{
  RunData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);

  /* Whatever failed on the way out, a cancelled run says so. */
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable) &&
      !g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    {
      g_clear_error (&error);
      error = g_error_new_literal (PA_ERROR, PA_ERROR_CANCELLED, _("The face swap was cancelled"));
    }
  data->error = error;

  if (data->files.work_dir == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&data->error));
      g_object_unref (task);
      return;
    }

  /* Cleaning up must happen even though the run was cancelled. */
  run_files_step (task, remove_work_dir_step, NULL, cleaned_up_cb);
}

/* Returns TRUE, having ended the run, when it was cancelled. */
static gboolean
fail_if_cancelled (GTask *task)
{
  GCancellable *cancellable = g_task_get_cancellable (task);

  if (cancellable == NULL || !g_cancellable_is_cancelled (cancellable))
    return FALSE;
  fail (task, g_error_new_literal (PA_ERROR, PA_ERROR_CANCELLED, _("The face swap was cancelled")));
  return TRUE;
}

/* ---- run: saving -------------------------------------------------------- */

static void
saved_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail (task, error);
      return;
    }

  g_task_return_pointer (task, g_steal_pointer (&data->files.written), g_object_unref);
  g_object_unref (task);
}

/* ---- run: downloading --------------------------------------------------- */

static void
downloaded_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  g_autoptr(GPtrArray) assets = NULL;
  const char *wanted = data->files.video ? "video" : "image";
  GError *error = NULL;

  assets = pa_replicate_download_outputs_finish (PA_REPLICATE (source), result, &error);
  if (assets == NULL)
    {
      fail (task, suggest_offline (self, error));
      return;
    }
  if (fail_if_cancelled (task))
    return;

  for (guint i = 0; i < assets->len && data->files.downloaded == NULL; i++)
    {
      PaReplicateAsset *asset = assets->pdata[i];

      if (g_strcmp0 (asset->kind, wanted) == 0)
        {
          data->files.downloaded = g_strdup (asset->path);
          data->files.downloaded_type = g_strdup (asset->content_type);
        }
    }
  if (data->files.downloaded == NULL)
    {
      const char *sent = assets->len > 0 ? ((PaReplicateAsset *) assets->pdata[0])->content_type : NULL;

      if (sent != NULL)
        fail (task, g_error_new (PA_ERROR, PA_ERROR_PROTOCOL,
                                 data->files.video
                                   ? _("The face swap model sent back %s, not a video; nothing was saved")
                                   : _("The face swap model sent back %s, not a picture; nothing was saved"),
                                 sent));
      else
        fail (task, g_error_new_literal (PA_ERROR, PA_ERROR_PROTOCOL,
                                         _("The face swap model sent back no file; nothing was saved")));
      return;
    }

  report (task, PA_MEDIA_STAGE_SAVING, 0.9, NULL);
  /* A file written while the cancel arrived is there: saved_cb says so. */
  run_files_step (task, pa_face_swap_cloud_files_save, g_task_get_cancellable (task), saved_cb);
}

static void
download (GTask *task)
{
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  report (task, PA_MEDIA_STAGE_DOWNLOADING, 0.8, NULL);
  /* No store: the caller records the final file, not this temporary one. */
  pa_replicate_download_outputs_async (self->client, data->output_json, data->files.work_dir, NULL, NULL,
                                       g_task_get_cancellable (task), downloaded_cb, task);
}

/* ---- run: cancelling the prediction ------------------------------------- */

static void
prediction_cancelled_cb (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);
  g_autoptr(PaReplicatePrediction) cancelled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id = g_strdup (data->running->id);

  cancelled = pa_replicate_cancel_prediction_finish (PA_REPLICATE (source), result, &error);
  g_clear_pointer (&data->running, pa_replicate_prediction_free);

  if (cancelled == NULL)
    fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED,
                             _("The face swap was cancelled, but cancelling its prediction %s "
                               "failed (%s): it may still run on Replicate"),
                             id, error->message));
  else if (cancelled->status == PA_REPLICATE_STATUS_SUCCEEDED ||
           cancelled->status == PA_REPLICATE_STATUS_FAILED)
    fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED,
                             _("The face swap was cancelled; its prediction %s had ended on "
                               "Replicate already"),
                             id));
  else
    fail (task, g_error_new (PA_ERROR, PA_ERROR_CANCELLED,
                             _("The face swap was cancelled, and its prediction %s on Replicate "
                               "too"),
                             id));
}

/* Nobody waits for the prediction any more: stop it before it costs
 * more, then end the run. Takes over the caller's reference to @task. */
static void
cancel_prediction (GTask *task)
{
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  /* The run's cancellable has fired: this request must not use it. */
  pa_replicate_cancel_prediction_async (self->client, data->running->id, NULL,
                                        prediction_cancelled_cb, task);
}

/* ---- run: the prediction ------------------------------------------------ */

/* A Cog server answers the prediction whole, with no id to follow or
 * cancel; the Replicate API gives one. */
static gboolean
can_cancel (PaFaceSwapCloud             *self,
            const PaReplicatePrediction *prediction)
{
  return !is_cog (self) && prediction->id != NULL &&
         !pa_replicate_status_is_terminal (prediction->status);
}

static gboolean
is_blank (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    {
      if (!g_ascii_isspace (*p))
        return FALSE;
    }
  return TRUE;
}

static void
prediction_progress (const PaReplicatePrediction *prediction,
                     const char * const          *new_log_lines,
                     gpointer                     user_data)
{
  GTask *task = user_data;
  const char *status = prediction->status_text != NULL
                         ? prediction->status_text
                         : pa_replicate_status_to_string (prediction->status);
  const char *line = NULL;
  g_autofree char *message = NULL;

  for (guint i = 0; new_log_lines[i] != NULL; i++)
    {
      if (!is_blank (new_log_lines[i]))
        line = new_log_lines[i];
    }
  message = line != NULL ? g_strdup_printf ("%s: %s", status, line) : g_strdup (status);
  report (task, PA_MEDIA_STAGE_WAITING, 0.3, message);
}

static void
waited_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(PaReplicatePrediction) done = NULL;
  GError *error = NULL;

  done = pa_replicate_wait_finish (PA_REPLICATE (source), result, &error);
  if (done == NULL)
    {
      if (cancellable != NULL && g_cancellable_is_cancelled (cancellable) &&
          data->running != NULL && can_cancel (self, data->running))
        {
          g_clear_error (&error);
          cancel_prediction (task);
          return;
        }
      /* A prediction past its deadline was cancelled by the wait: that is
       * no network trouble. */
      if (!g_error_matches (error, PA_ERROR, PA_ERROR_TIMEOUT))
        error = suggest_offline (self, error);
      g_clear_pointer (&data->running, pa_replicate_prediction_free);
      fail (task, error);
      return;
    }

  g_clear_pointer (&data->running, pa_replicate_prediction_free);
  if (fail_if_cancelled (task))
    return;
  if (done->output == NULL)
    {
      fail (task, g_error_new_literal (PA_ERROR, PA_ERROR_PROTOCOL,
                                       _("The face swap model finished without an output; "
                                         "nothing was saved")));
      return;
    }
  data->output_json = json_node_copy (done->output);
  download (task);
}

static void
created_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(PaReplicatePrediction) prediction = NULL;
  GError *error = NULL;

  /* Cancelled while the request was out, the prediction may exist on
   * Replicate without its id ever reaching us: nothing to cancel it by.
   * A Cog server's synchronous prediction has no id either. */
  prediction = pa_replicate_create_prediction_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    {
      fail (task, suggest_offline (self, error));
      return;
    }

  if (prediction->id != NULL)
    g_debug ("Face swap prediction %s started", prediction->id);
  data->running = pa_replicate_prediction_copy (prediction);
  if (cancellable != NULL && g_cancellable_is_cancelled (cancellable))
    {
      if (can_cancel (self, prediction))
        cancel_prediction (task);
      else
        fail_if_cancelled (task);
      return;
    }

  pa_replicate_wait_async (self->client, prediction, prediction_progress, task, NULL,
                           cancellable, waited_cb, task);
}

static void
create (GTask *task)
{
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);
  PaReplicateCreateOptions options = { .wait_s = 0 };
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) input = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, data->model->face_field);
  json_builder_add_string_value (builder, data->face_file->url);
  json_builder_set_member_name (builder, data->model->picture_field);
  json_builder_add_string_value (builder, data->target_file->url);
  json_builder_end_object (builder);
  input = json_builder_get_root (builder);

  report (task, PA_MEDIA_STAGE_WAITING, 0.3, _("Starting the prediction"));
  /* A Cog server answers when the swap is done, which is the wait. */
  pa_replicate_create_prediction_async (self->client, data->model->model, data->model->version,
                                        input, &options, g_task_get_cancellable (task),
                                        created_cb, task);
}

/* ---- run: uploading ----------------------------------------------------- */

/* Keeps the uploaded file in @slot; FALSE, having ended the run, when
 * the upload failed or the run was cancelled meanwhile. */
static gboolean
take_upload (GTask             *task,
             GAsyncResult      *result,
             PaReplicateFile  **slot)
{
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  GError *error = NULL;

  *slot = pa_replicate_upload_file_finish (self->client, result, &error);
  if (*slot == NULL)
    {
      fail (task, suggest_offline (self, error));
      return FALSE;
    }
  return !fail_if_cancelled (task);
}

static void
target_uploaded_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  GTask *task = user_data;
  RunData *data = g_task_get_task_data (task);

  if (take_upload (task, result, &data->target_file))
    create (task);
}

static void
face_uploaded_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = g_task_get_source_object (task);
  RunData *data = g_task_get_task_data (task);

  if (!take_upload (task, result, &data->face_file))
    return;

  report (task, PA_MEDIA_STAGE_UPLOADING, 0.2,
          data->files.video ? _("Uploading the video") : _("Uploading the picture"));
  pa_replicate_upload_file_async (self->client, data->files.target, data->files.target_type,
                                  g_task_get_cancellable (task), target_uploaded_cb, task);
}

static void
described_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = PA_FACE_SWAP_CLOUD (source);
  RunData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->model = pa_face_swap_cloud_describe_finish (self, result, &error);
  if (data->model == NULL)
    {
      fail (task, error);
      return;
    }
  if (fail_if_cancelled (task))
    return;

  if (data->files.video && !data->model->takes_video)
    {
      g_autofree char *which = pa_face_swap_cloud_describe_model (data->model->model);
      g_autofree char *name = g_file_get_parse_name (data->files.target);

      fail (task, g_error_new (PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("%s takes pictures, not videos: its input “%s” does not say it "
                                 "takes a video like “%s”. Use the offline engine for videos, or "
                                 "a model whose input takes one."),
                               which, data->model->picture_field, name));
      return;
    }

  report (task, PA_MEDIA_STAGE_UPLOADING, 0.1, _("Uploading the face"));
  pa_replicate_upload_file_async (self->client, data->files.face, data->files.face_type,
                                  g_task_get_cancellable (task), face_uploaded_cb, task);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  GTask *task = user_data;
  PaFaceSwapCloud *self = PA_FACE_SWAP_CLOUD (source);
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      fail (task, error);
      return;
    }
  if (fail_if_cancelled (task))
    return;

  report (task, PA_MEDIA_STAGE_LOADING, 0.05, _("Reading the model’s inputs"));
  pa_face_swap_cloud_describe_async (self, g_task_get_cancellable (task), described_cb, task);
}

void
pa_face_swap_cloud_run_async (PaFaceSwapCloud     *self,
                              GFile               *face,
                              GFile               *target,
                              GFile               *output,
                              PaMediaProgressFunc  progress,
                              gpointer             progress_data,
                              GDestroyNotify       progress_destroy,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;
  RunData *data;

  g_return_if_fail (PA_IS_FACE_SWAP_CLOUD (self));
  g_return_if_fail (G_IS_FILE (face));
  g_return_if_fail (G_IS_FILE (target));
  g_return_if_fail (output == NULL || G_IS_FILE (output));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_face_swap_cloud_run_async);
  /* Cancelling is reported with what became of the prediction. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (RunData, 1);
  data->files.face = g_object_ref (face);
  data->files.target = g_object_ref (target);
  data->files.output = output != NULL ? g_object_ref (output) : NULL;
  data->files.media_dir = self->media_dir != NULL ? g_object_ref (self->media_dir) : NULL;
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  report (task, PA_MEDIA_STAGE_LOADING, 0.0, _("Reading the face and the picture"));
  /* prepared_cb looks at the cancellable once the work folder is known. */
  run_files_step (task, pa_face_swap_cloud_files_prepare, cancellable, prepared_cb);
}

GFile *
pa_face_swap_cloud_run_finish (PaFaceSwapCloud  *self,
                               GAsyncResult     *result,
                               int              *width,
                               int              *height,
                               GError          **error)
{
  RunData *data;
  GFile *file;

  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  data = g_task_get_task_data (G_TASK (result));
  file = g_task_propagate_pointer (G_TASK (result), error);
  if (width != NULL)
    *width = file != NULL ? data->files.width : 0;
  if (height != NULL)
    *height = file != NULL ? data->files.height : 0;
  return file;
}

/* ---- GObject ------------------------------------------------------------ */

static void
pa_face_swap_cloud_finalize (GObject *object)
{
  PaFaceSwapCloud *self = PA_FACE_SWAP_CLOUD (object);

  g_clear_object (&self->client);
  g_free (self->model);
  g_free (self->face_field);
  g_free (self->picture_field);
  g_clear_object (&self->media_dir);

  G_OBJECT_CLASS (pa_face_swap_cloud_parent_class)->finalize (object);
}

static void
pa_face_swap_cloud_class_init (PaFaceSwapCloudClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_face_swap_cloud_finalize;
}

static void
pa_face_swap_cloud_init (PaFaceSwapCloud *self)
{
}
