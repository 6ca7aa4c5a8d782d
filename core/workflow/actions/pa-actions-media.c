/* pa-actions-media.c — a face swap as a workflow step
 *
 * media.faceswap takes local files only, never URLs: a workflow file is
 * shared between people, so what it reads goes through the run's file
 * policy (the media folder, granted folders, files given as inputs), as
 * local.save does; a URL would be a fetch the user never approved. The
 * result goes into the media folder, where a later step (a payment
 * link, a deploy) takes it from.
 *
 * Offline, running the step again is harmless: the output is named
 * after the run and the step, so a retry or a resumed run rewrites the
 * same file and the same assets row. The cloud engine creates a paid
 * prediction that cannot be recognised again afterwards, so the step
 * journals that it is about to start one; a step resumed with that mark
 * refuses to start a second one and tells the user to check, unless the
 * first attempt failed in a way that sent nothing.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-compat.h"
#include "pa-error.h"
#include "pa-face-swap-job.h"
#include "pa-file-policy.h"
#include "pa-replicate.h"
#include "pa-actions-private.h"

#define STATE_CLOUD_STARTED "cloud_started"
/* Enough of sha256(run/step) to make the name unique among the steps of
 * all runs. */
#define STEM_HASH_CHARS 16

/* @path as the policy approved it: opened through the policy (approved
 * place, regular file, size bound), then named by its real path, which
 * must still be the file that was opened. The job then reads that path,
 * with no link left in it to move elsewhere. */
static GFile *
approved_file (PaFilePolicy  *policy,
               const char    *arg,
               const char    *path,
               GError       **error)
{
  g_autofree char *real = NULL;
  GStatBuf opened, named;
  int fd;

  if (path == NULL || *path == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("media.faceswap: no file was given as %s."), arg);
      return NULL;
    }

  fd = pa_file_policy_open_file (policy, path, NULL, error);
  if (fd < 0)
    {
      g_prefix_error (error, "media.faceswap: ");
      return NULL;
    }
  real = pa_compat_realpath (path);
  if (real == NULL || pa_compat_fstat (fd, &opened) != 0 || g_stat (real, &named) != 0
      || opened.st_dev != named.st_dev || opened.st_ino != named.st_ino)
    {
      close (fd);
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("media.faceswap: %s changed while it was being checked. Try again."),
                   path);
      return NULL;
    }
  close (fd);
  return g_file_new_for_path (real);
}

static char *
output_stem (PaActionContext *context)
{
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256,
                                                         pa_action_context_get_idempotency_key (context),
                                                         -1);

  return g_strdup_printf ("faceswap-%.*s", STEM_HASH_CHARS, hash);
}

/* Failures that mean no prediction was created: a retry may start one. */
static gboolean
nothing_was_sent (const GError *error)
{
  return error->domain == PA_ERROR
         && (error->code == PA_ERROR_UNAVAILABLE
             || error->code == PA_ERROR_CIRCUIT_OPEN
             || error->code == PA_ERROR_INVALID_INPUT
             || error->code == PA_ERROR_NOT_FOUND
             || error->code == PA_ERROR_AUTH);
}

typedef struct {
  PaActionContext *context;
  gboolean         cloud;
} FaceswapData;

static void
faceswap_data_free (FaceswapData *data)
{
  pa_action_context_unref (data->context);
  g_free (data);
}

static void
faceswap_done_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  FaceswapData *data = g_task_get_task_data (task);
  g_autoptr(PaFaceSwapResult) swap_result = NULL;
  g_autoptr(GError) error = NULL;

  swap_result = pa_face_swap_job_run_finish (PA_FACE_SWAP_JOB (source), result, &error);
  if (swap_result == NULL)
    {
      /* The mark is lifted only when nothing can have been started. */
      if (data->cloud && nothing_was_sent (error))
        {
          g_autoptr(JsonObject) state = json_object_new ();

          pa_action_context_checkpoint (data->context, state, NULL);
        }
      if (!g_str_has_prefix (error->message, "media.faceswap"))
        g_prefix_error (&error, "media.faceswap: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pa_actions_return_object (task, pa_face_swap_result_to_json (swap_result));
}

static void
faceswap_run (PaActionContext     *context,
              JsonObject          *args,
              GCancellable        *cancellable,
              GAsyncReadyCallback  callback,
              gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSelection) selection = NULL;
  g_autoptr(PaFaceSwapJob) job = NULL;
  g_autoptr(GFile) face = NULL;
  g_autoptr(GFile) target = NULL;
  g_autoptr(GFile) media_dir_file = NULL;
  g_autofree char *media_dir = NULL;
  g_autofree char *stem = NULL;
  const char *engine = pa_actions_get_string (args, "engine", "offline");
  const char *targets = pa_actions_get_string (args, "targets", NULL);
  const char *sources = pa_actions_get_string (args, "sources", NULL);
  const char *model = pa_actions_get_string (args, "model", NULL);
  JsonObject *state = pa_action_context_get_state (context);
  PaFilePolicy *policy;
  FaceswapData *data;

  g_task_set_source_tag (task, faceswap_run);
  g_task_set_check_cancellable (task, FALSE);
  data = g_new0 (FaceswapData, 1);
  data->context = pa_action_context_ref (context);
  g_task_set_task_data (task, data, (GDestroyNotify) faceswap_data_free);

  if (g_str_equal (engine, "replicate"))
    data->cloud = TRUE;
  else if (!g_str_equal (engine, "offline"))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("media.faceswap: engine must be offline or replicate, not "
                                 "“%s”."), engine);
      return;
    }
  /* "all" is what a cloud model does anyway: a workflow may pass its
   * default along whatever the engine. */
  if (data->cloud && ((targets != NULL && !g_str_equal (targets, "all")) || sources != NULL))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("media.faceswap: targets and sources are for the offline "
                                 "engine; a cloud model chooses the faces itself."));
      return;
    }
  if (!data->cloud && model != NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("media.faceswap: model is for the replicate engine."));
      return;
    }

  selection = pa_face_selection_parse (targets, sources, &error);
  policy = selection != NULL ? pa_action_context_get_file_policy (context, &error) : NULL;
  if (policy != NULL)
    face = approved_file (policy, "face", pa_actions_get_string (args, "face", NULL), &error);
  if (face != NULL)
    target = approved_file (policy, "target", pa_actions_get_string (args, "target", NULL),
                            &error);
  if (target != NULL)
    media_dir = pa_action_context_dup_media_dir (context, &error);
  if (media_dir == NULL)
    {
      if (!g_str_has_prefix (error->message, "media.faceswap"))
        g_prefix_error (&error, "media.faceswap: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  job = pa_face_swap_job_new (face, target, NULL);
  media_dir_file = g_file_new_for_path (media_dir);
  pa_face_swap_job_set_media_dir (job, media_dir_file);
  stem = output_stem (context);
  pa_face_swap_job_set_output_stem (job, stem);
  pa_face_swap_job_set_selection (job, selection);
  pa_face_swap_job_set_store (job, pa_action_context_get_store (context));
  pa_face_swap_job_set_run_id (job, pa_action_context_get_run_id (context));

  if (data->cloud)
    {
      g_autoptr(JsonObject) mark = json_object_new ();
      PaPlatform *client;

      if (state != NULL && json_object_has_member (state, STATE_CLOUD_STARTED))
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                                   _("media.faceswap: a cloud face swap for this step may "
                                     "have been started, and paid for, before the run "
                                     "stopped. Check the predictions on your Replicate "
                                     "account, then run the workflow again."));
          return;
        }
      client = pa_action_context_get_platform (context, "replicate", &error);
      if (client == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      json_object_set_boolean_member (mark, STATE_CLOUD_STARTED, TRUE);
      if (!pa_action_context_checkpoint (context, mark, &error))
        {
          g_prefix_error (&error, _("media.faceswap: the face swap was not started: "));
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      pa_face_swap_job_set_engine (job, PA_FACE_SWAP_ENGINE_CLOUD);
      pa_face_swap_job_set_cloud (job, PA_REPLICATE (client), model,
                                  pa_actions_get_string (args, "face_field", NULL),
                                  pa_actions_get_string (args, "picture_field", NULL));
    }

  pa_face_swap_job_run_async (job, cancellable, faceswap_done_cb, g_steal_pointer (&task));
}

static const PaActionArg faceswap_args[] = {
  { "face", PA_ARG_FILE, TRUE, "the picture with the face to use (a local file the run may read)" },
  { "target", PA_ARG_FILE, TRUE, "the picture or video to put it into (a local file the run may read)" },
  { "engine", PA_ARG_STRING, FALSE, "offline (the default) or replicate" },
  { "targets", PA_ARG_STRING, FALSE, "offline: which faces to replace: all, largest, or indexes 0,2" },
  { "sources", PA_ARG_STRING, FALSE, "offline: which source face goes onto each target, e.g. 1,0" },
  { "model", PA_ARG_STRING, FALSE, "replicate: the model, owner/name (default cdingram/face-swap)" },
  { "face_field", PA_ARG_STRING, FALSE, "replicate: the model input that takes the face" },
  { "picture_field", PA_ARG_STRING, FALSE, "replicate: the model input that takes the picture" },
  { NULL }
};

/* Idempotent: offline rewrites the same file; the cloud engine guards
 * against a second paid prediction with its journaled mark (see above). */
static const PaActionInfo faceswap_info = {
  .name = "media.faceswap",
  .platform = NULL,
  .summary = "Swaps a face into a picture or video; the result goes to the media folder",
  .args = faceswap_args,
  .idempotent = TRUE,
  .run = faceswap_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_media (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &faceswap_info);
}
