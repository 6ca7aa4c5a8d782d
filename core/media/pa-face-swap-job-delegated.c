/* pa-face-swap-job-delegated.c — the face swap job's paths that other
 * modules carry out: a video offline (pa-video-swap.h), and anything
 * in the cloud (pa-face-swap-cloud.h)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "pa-error.h"
#include "pa-face-swap.h"
#include "pa-face-swap-cloud.h"
#include "pa-image-file.h"
#include "pa-video-file.h"
#include "pa-video-swap.h"
#include "pa-face-swap-job-private.h"
#include "pa-video-transcode-private.h"

/* Both modules report on the caller's context already: handed on as is. */
static void
forward_progress (const PaMediaProgress *progress,
                  gpointer               user_data)
{
  PaFaceSwapJob *self = user_data;

  if (self->progress_func != NULL)
    self->progress_func (progress, self->progress_data);
}

/* ---- a video, offline --------------------------------------------------- */

/* The face picture's faces, each made ready once for every frame. */
static void
video_sources_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  PaFaceSwapJob *self = source_object;
  PaFaceSwapRun *data = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  PaPixels pixels;

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_LOADING, 0.0, NULL);
  pixbuf = pa_image_file_load (self->face, cancellable, &error);
  if (pixbuf != NULL)
    data->model = pa_face_model_get_default (&error);
  if (data->model == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_DETECTING, 0.0, NULL);
  data->source_faces = pa_face_swap_job_detect (data->model, pixbuf, self->face, cancellable,
                                                &error);
  if (data->source_faces == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  pixels = pa_media_pixels_of (pixbuf);
  data->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_source_unref);
  for (guint i = 0; i < data->source_faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (data->source_faces, i);
      PaFaceSource *source = NULL;

      /* A face that is not good is never a source; the selection says
       * so if it is asked for. */
      if (face->quality == PA_FACE_QUALITY_GOOD)
        {
          source = pa_face_source_new (&pixels, face, &error);
          if (source == NULL)
            {
              g_autofree char *name = pa_media_describe_file (self->face);

              g_prefix_error (&error, "%s: ", name);
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
        }
      g_ptr_array_add (data->sources, source);
    }
  g_task_return_boolean (task, TRUE);
}

static void
video_swapped_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapRun *data = g_task_get_task_data (task);
  g_autoptr(PaVideoSwapResult) video = NULL;
  g_autoptr(GError) error = NULL;

  video = pa_video_swap_finish (result, &error);
  if (video == NULL)
    {
      pa_face_swap_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  data->frames = video->frames;
  data->width = video->width;
  data->height = video->height;
  data->pairs = g_array_ref (video->pairs);
  data->skipped = g_ptr_array_ref (video->skipped);
  pa_face_swap_job_complete (g_steal_pointer (&task));
}

static void
video_sources_cb (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapJob *self = g_task_get_source_object (task);
  PaFaceSwapRun *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pa_face_swap_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (pa_face_swap_job_return_if_cancelled (task, cancellable))
    return;

  /* The task holds the job, which the progress function uses, until
   * the video module calls back. */
  pa_video_swap_async (data->model, data->source_faces, data->sources, data->selection,
                       self->target, data->output, forward_progress, self,
                       cancellable, video_swapped_cb, g_steal_pointer (&task));
}

void
pa_face_swap_job_run_video (GTask *task)
{
  PaFaceSwapJob *self = g_task_get_source_object (task);
  g_autoptr(GTask) sources = g_task_new (self, g_task_get_cancellable (task), video_sources_cb,
                                         task);

  g_task_set_task_data (sources, g_task_get_task_data (task), NULL);
  g_task_set_check_cancellable (sources, FALSE);
  g_task_run_in_thread (sources, video_sources_thread);
}

/* ---- the cloud ----------------------------------------------------------
 *
 * A cloud model's video comes back as the model made it, without the
 * mark; it is written beside the output under a hidden name and copied
 * into place through the video module, which adds the mark. */

typedef struct {
  GFile           *cloud_output;   /* the hidden file a video comes back in, or NULL */
  PaFaceSwapCloud *cloud;
} CloudData;

static void
cloud_data_free (CloudData *cloud)
{
  if (cloud->cloud_output != NULL)
    {
      g_file_delete (cloud->cloud_output, NULL, NULL);
      g_object_unref (cloud->cloud_output);
    }
  g_clear_object (&cloud->cloud);
  g_free (cloud);
}

static void
mark_video_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PaFaceSwapJob *self = source_object;
  CloudData *cloud = g_object_get_data (G_OBJECT (task), "cloud");
  PaFaceSwapRun *data = task_data;
  PaVideoTranscodeResult transcoded = { 0 };
  g_autoptr(PaVideoInfo) info = NULL;
  g_autoptr(GError) error = NULL;

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_SAVING, -1, NULL);
  info = pa_video_file_probe (cloud->cloud_output, cancellable, &error);
  if (info == NULL
      || !pa_video_transcode (cloud->cloud_output, info, data->output, NULL, NULL, NULL, NULL,
                              NULL, cancellable, &transcoded, &error))
    {
      pa_video_transcode_result_clear (&transcoded);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->frames = transcoded.frames;
  data->width = info->width;
  data->height = info->height;
  pa_video_transcode_result_clear (&transcoded);
  g_task_return_boolean (task, TRUE);
}

static void
video_marked_cb (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pa_face_swap_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  pa_face_swap_job_complete (g_steal_pointer (&task));
}

static void
cloud_done_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapJob *self = g_task_get_source_object (task);
  PaFaceSwapRun *data = g_task_get_task_data (task);
  CloudData *cloud = g_object_get_data (G_OBJECT (task), "cloud");
  g_autoptr(GFile) written = NULL;
  g_autoptr(GTask) mark = NULL;
  g_autoptr(GError) error = NULL;
  int width = 0, height = 0;

  written = pa_face_swap_cloud_run_finish (PA_FACE_SWAP_CLOUD (source), result, &width, &height,
                                           &error);
  if (written == NULL)
    {
      pa_face_swap_job_return_error (task, g_steal_pointer (&error));
      return;
    }

  if (cloud->cloud_output == NULL)
    {
      /* A picture, written marked where asked. */
      data->width = width;
      data->height = height;
      pa_face_swap_job_complete (g_steal_pointer (&task));
      return;
    }

  mark = g_task_new (self, g_task_get_cancellable (task), video_marked_cb, g_object_ref (task));
  g_task_set_task_data (mark, data, NULL);
  g_object_set_data (G_OBJECT (mark), "cloud", cloud);
  g_task_set_check_cancellable (mark, FALSE);
  g_task_run_in_thread (mark, mark_video_thread);
}

void
pa_face_swap_job_run_cloud (GTask *task)
{
  PaFaceSwapJob *self = g_task_get_source_object (task);
  PaFaceSwapRun *data = g_task_get_task_data (task);
  CloudData *cloud = g_new0 (CloudData, 1);
  GFile *output = data->output;

  cloud->cloud = pa_face_swap_cloud_new (self->client, self->model, self->face_field,
                                         self->picture_field);
  if (self->media_dir != NULL)
    pa_face_swap_cloud_set_media_dir (cloud->cloud, self->media_dir);
  if (data->kind == PA_MEDIA_KIND_VIDEO)
    {
      g_autoptr(GFile) parent = g_file_get_parent (data->output);
      g_autofree char *basename = g_file_get_basename (data->output);
      g_autofree char *hidden = g_strdup_printf (".%s.cloud-%08x%s", basename, g_random_int (),
                                                 strrchr (basename, '.'));

      cloud->cloud_output = g_file_get_child (parent, hidden);
      output = cloud->cloud_output;
    }
  /* Kept with the task: the hidden file goes when the job ends, however
   * it ends. */
  g_object_set_data_full (G_OBJECT (task), "cloud", cloud, (GDestroyNotify) cloud_data_free);

  pa_face_swap_cloud_run_async (cloud->cloud, self->face, self->target, output,
                                forward_progress, g_object_ref (self), g_object_unref,
                                g_task_get_cancellable (task), cloud_done_cb, task);
}
