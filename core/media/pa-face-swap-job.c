/* pa-face-swap-job.c — one face swap from files to a file
 *
 * The job checks everything it can before the slow parts start (the
 * kinds of the inputs by their bytes, the output's extension against
 * the target's kind, the output folder), so a mistake costs nothing.
 * Then the work runs in one worker thread per job; progress is handed to
 * the caller's main context, and the store, which belongs to that
 * context's thread, is written there once the file is in place.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-face-swap.h"
#include "pa-face-swap-job.h"
#include "pa-image-file.h"
#include "pa-private-dir.h"
#include "pa-video-file.h"
#include "pa-face-swap-job-private.h"

#define HASH_BUFFER_BYTES (64 * 1024)
/* faceswap-…-2, -3…: how many names to try before giving up. */
#define MAX_NAME_TRIES 1000


G_DEFINE_FINAL_TYPE (PaFaceSwapJob, pa_face_swap_job, G_TYPE_OBJECT)

/* ---- the result --------------------------------------------------------- */

static PaFaceSwapResult *
pa_face_swap_result_copy (const PaFaceSwapResult *self)
{
  PaFaceSwapResult *copy = g_new0 (PaFaceSwapResult, 1);

  *copy = *self;
  copy->output = self->output != NULL ? g_object_ref (self->output) : NULL;
  copy->kind = g_strdup (self->kind);
  copy->pairs = self->pairs != NULL ? g_array_copy (self->pairs) : NULL;
  copy->skipped = self->skipped != NULL
                  ? g_ptr_array_copy (self->skipped, (GCopyFunc) (void (*) (void)) pa_face_copy, NULL)
                  : NULL;
  if (copy->skipped != NULL)
    g_ptr_array_set_free_func (copy->skipped, (GDestroyNotify) pa_face_free);
  return copy;
}

void
pa_face_swap_result_free (PaFaceSwapResult *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->output);
  g_free (self->kind);
  g_clear_pointer (&self->pairs, g_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_free (self);
}

G_DEFINE_BOXED_TYPE (PaFaceSwapResult, pa_face_swap_result,
                     pa_face_swap_result_copy, pa_face_swap_result_free)

/* ---- the job object ----------------------------------------------------- */

static void
pa_face_swap_job_finalize (GObject *object)
{
  PaFaceSwapJob *self = PA_FACE_SWAP_JOB (object);

  g_clear_object (&self->face);
  g_clear_object (&self->target);
  g_clear_object (&self->output);
  g_clear_pointer (&self->selection, pa_face_selection_free);
  g_clear_object (&self->client);
  g_free (self->model);
  g_free (self->face_field);
  g_free (self->picture_field);
  g_clear_object (&self->store);
  g_clear_object (&self->media_dir);
  g_free (self->output_stem);
  g_free (self->run_id);
  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  g_clear_pointer (&self->context, g_main_context_unref);

  G_OBJECT_CLASS (pa_face_swap_job_parent_class)->finalize (object);
}

static void
pa_face_swap_job_class_init (PaFaceSwapJobClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_face_swap_job_finalize;
}

static void
pa_face_swap_job_init (PaFaceSwapJob *self)
{
  self->engine = PA_FACE_SWAP_ENGINE_OFFLINE;
}

PaFaceSwapJob *
pa_face_swap_job_new (GFile *face,
                      GFile *target,
                      GFile *output)
{
  PaFaceSwapJob *self;

  g_return_val_if_fail (G_IS_FILE (face), NULL);
  g_return_val_if_fail (G_IS_FILE (target), NULL);
  g_return_val_if_fail (output == NULL || G_IS_FILE (output), NULL);

  self = g_object_new (PA_TYPE_FACE_SWAP_JOB, NULL);
  self->face = g_object_ref (face);
  self->target = g_object_ref (target);
  self->output = output != NULL ? g_object_ref (output) : NULL;
  return self;
}

void
pa_face_swap_job_set_engine (PaFaceSwapJob    *self,
                             PaFaceSwapEngine  engine)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  self->engine = engine;
}

void
pa_face_swap_job_set_selection (PaFaceSwapJob         *self,
                                const PaFaceSelection *selection)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  g_clear_pointer (&self->selection, pa_face_selection_free);
  if (selection != NULL)
    self->selection = pa_face_selection_copy (selection);
}

void
pa_face_swap_job_set_cloud (PaFaceSwapJob *self,
                            PaReplicate   *client,
                            const char    *model,
                            const char    *face_field,
                            const char    *picture_field)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (client == NULL || PA_IS_REPLICATE (client));
  g_return_if_fail (!self->started);

  g_set_object (&self->client, client);
  g_free (self->model);
  self->model = g_strdup (model);
  g_free (self->face_field);
  self->face_field = g_strdup (face_field);
  g_free (self->picture_field);
  self->picture_field = g_strdup (picture_field);
}

void
pa_face_swap_job_set_store (PaFaceSwapJob *self,
                            PaStore       *store)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->store, store);
}

void
pa_face_swap_job_set_media_dir (PaFaceSwapJob *self,
                                GFile         *media_dir)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  g_set_object (&self->media_dir, media_dir);
}

void
pa_face_swap_job_set_output_stem (PaFaceSwapJob *self,
                                  const char    *stem)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (stem == NULL || (*stem != '\0' && strchr (stem, G_DIR_SEPARATOR) == NULL));
  g_return_if_fail (!self->started);

  g_free (self->output_stem);
  self->output_stem = g_strdup (stem);
}

void
pa_face_swap_job_set_run_id (PaFaceSwapJob *self,
                             const char    *run_id)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  g_free (self->run_id);
  self->run_id = g_strdup (run_id);
}

void
pa_face_swap_job_set_progress_func (PaFaceSwapJob       *self,
                                    PaMediaProgressFunc  func,
                                    gpointer             user_data,
                                    GDestroyNotify       destroy)
{
  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (!self->started);

  if (self->progress_destroy != NULL)
    self->progress_destroy (self->progress_data);
  self->progress_func = func;
  self->progress_data = user_data;
  self->progress_destroy = destroy;
}

/* ---- progress, from any thread ------------------------------------------ */

typedef struct {
  PaFaceSwapJob   *job;
  PaMediaProgress  progress;
  char            *message;
} ProgressCall;

static gboolean
progress_dispatch (gpointer user_data)
{
  ProgressCall *call = user_data;

  call->progress.message = call->message;
  call->job->progress_func (&call->progress, call->job->progress_data);
  return G_SOURCE_REMOVE;
}

static void
progress_call_free (gpointer user_data)
{
  ProgressCall *call = user_data;

  g_object_unref (call->job);
  g_free (call->message);
  g_free (call);
}

/* Queued behind earlier calls on the caller's context, and before the
 * task's own return (same priority), so the last report comes first. */
void
pa_face_swap_job_report (PaFaceSwapJob *self,
                         PaMediaStage   stage,
                         double         fraction,
                         const char    *message)
{
  ProgressCall *call;

  if (self->progress_func == NULL)
    return;

  call = g_new0 (ProgressCall, 1);
  call->job = g_object_ref (self);
  call->progress.stage = stage;
  call->progress.fraction = fraction;
  call->progress.seconds_left = -1;
  call->message = g_strdup (message);
  g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, progress_dispatch, call,
                              progress_call_free);
}

/* ---- what the files are ------------------------------------------------- */

/* The output's extension must fit what is made: a picture for a
 * picture, a video container for a video. */
static gboolean
check_output_extension (GFile       *output,
                        PaMediaKind  kind,
                        GError     **error)
{
  static const char * const image_exts[] = { "png", "jpg", "jpeg", NULL };
  static const char * const video_exts[] = { "mp4", "webm", "mkv", NULL };
  const char * const *allowed = kind == PA_MEDIA_KIND_VIDEO ? video_exts : image_exts;
  g_autofree char *basename = g_file_get_basename (output);
  const char *dot = basename != NULL ? strrchr (basename, '.') : NULL;
  g_autofree char *name = pa_media_describe_file (output);

  if (dot != NULL)
    {
      g_autofree char *ext = g_ascii_strdown (dot + 1, -1);

      if (g_strv_contains (allowed, ext))
        return TRUE;
    }

  if (kind == PA_MEDIA_KIND_VIDEO)
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("Cannot write %s: the target is a video, so the output must end in .mp4, "
                   ".webm or .mkv."), name);
  else
    g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                 _("Cannot write %s: the target is a picture, so the output must end in .png "
                   "or .jpg."), name);
  return FALSE;
}

/* A folder for the output must be there already: finding out after the
 * swap would waste it. */
static gboolean
check_output_folder (GFile   *output,
                     GError **error)
{
  g_autoptr(GFile) parent = g_file_get_parent (output);
  g_autofree char *name = pa_media_describe_file (output);

  if (parent == NULL
      || g_file_query_file_type (parent, G_FILE_QUERY_INFO_NONE, NULL) != G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("Cannot write %s: its folder does not exist."), name);
      return FALSE;
    }
  if (g_file_query_file_type (output, G_FILE_QUERY_INFO_NONE, NULL) == G_FILE_TYPE_DIRECTORY)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Cannot write %s: it is a folder. Give a file name."), name);
      return FALSE;
    }
  return TRUE;
}

static GFile *
resolve_media_dir (PaFaceSwapJob  *self,
                   GError        **error)
{
  g_autofree char *data_dir = NULL;
  g_autofree char *path = NULL;

  if (self->media_dir != NULL)
    path = g_file_get_path (self->media_dir);
  else
    {
      data_dir = self->store != NULL ? g_strdup (pa_store_get_data_dir (self->store))
                                     : pa_store_resolve_data_dir (NULL);
      path = g_build_filename (data_dir, "media", NULL);
    }
  if (path == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The media folder must be a local folder."));
      return NULL;
    }
  if (!pa_private_dir_ensure (path, _("the media folder"), error))
    return NULL;
  return g_file_new_for_path (path);
}

/* faceswap-YYYYMMDD-HHMMSS.EXT in the media folder, with -2, -3… when
 * a job of the same second took the name; or the stem asked for. */
static GFile *
new_output_name (PaFaceSwapJob  *self,
                 const char     *ext,
                 GError        **error)
{
  g_autoptr(GFile) dir = resolve_media_dir (self, error);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  if (dir == NULL)
    return NULL;

  if (self->output_stem != NULL)
    {
      g_autofree char *name = g_strdup_printf ("%s.%s", self->output_stem, ext);

      return g_file_get_child (dir, name);
    }

  for (int i = 1; i <= MAX_NAME_TRIES; i++)
    {
      g_autofree char *name = i == 1
                              ? g_strdup_printf ("faceswap-%s.%s", stamp, ext)
                              : g_strdup_printf ("faceswap-%s-%d.%s", stamp, i, ext);
      g_autoptr(GFile) file = g_file_get_child (dir, name);

      if (!g_file_query_exists (file, NULL))
        return g_steal_pointer (&file);
    }

  g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
               _("Could not find a free file name in the media folder."));
  return NULL;
}

static char *
hash_file (GFile         *file,
           GCancellable  *cancellable,
           GError       **error)
{
  g_autoptr(GFileInputStream) in = g_file_read (file, cancellable, error);
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autofree guint8 *buffer = NULL;
  gssize n;

  if (in == NULL)
    return NULL;
  buffer = g_malloc (HASH_BUFFER_BYTES);
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, HASH_BUFFER_BYTES,
                                   cancellable, error)) > 0)
    g_checksum_update (checksum, buffer, n);
  if (n < 0)
    return NULL;
  return g_strdup (g_checksum_get_string (checksum));
}

/* ---- running ------------------------------------------------------------ */


static void
run_data_free (PaFaceSwapRun *data)
{
  g_clear_pointer (&data->selection, pa_face_selection_free);
  g_clear_object (&data->model);
  g_clear_pointer (&data->source_faces, g_ptr_array_unref);
  g_clear_pointer (&data->sources, g_ptr_array_unref);
  g_clear_object (&data->output);
  g_free (data->sha256);
  g_clear_pointer (&data->pairs, g_array_unref);
  g_clear_pointer (&data->skipped, g_ptr_array_unref);
  g_free (data);
}

static const PaFace *
face_with_index (GPtrArray *faces,
                 int        index)
{
  for (guint i = 0; i < faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (faces, i);

      if (face->index == index)
        return face;
    }
  return NULL;
}

/* A load or save stopped by the cancellable may say so in GIO's words;
 * callers check for PA_ERROR_CANCELLED only. */
void
pa_face_swap_job_return_error (GTask  *task,
                               GError *error)
{
  if (g_cancellable_is_cancelled (g_task_get_cancellable (task))
      && !g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED))
    {
      g_error_free (error);
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               _("The face swap was cancelled."));
      return;
    }
  g_task_return_error (task, error);
}

gboolean
pa_face_swap_job_return_if_cancelled (GTask        *task,
                                      GCancellable *cancellable)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED, _("The face swap was cancelled."));
  return TRUE;
}

GPtrArray *
pa_face_swap_job_detect (PaFaceModel   *model,
                         GdkPixbuf     *pixbuf,
                         GFile         *file,
                         GCancellable  *cancellable,
                         GError       **error)
{
  PaPixels pixels = pa_media_pixels_of (pixbuf);
  g_autoptr(GPtrArray) faces = pa_face_model_detect (model, &pixels, cancellable, error);

  if (faces == NULL)
    return NULL;
  if (faces->len == 0)
    {
      g_autofree char *name = pa_media_describe_file (file);

      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No face found in %s. Use a picture where a face looks at the camera."),
                   name);
      return NULL;
    }
  return g_steal_pointer (&faces);
}

/* The offline engine on a picture, start to end, in a worker thread. */
static void
swap_image_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  PaFaceSwapJob *self = source_object;
  PaFaceSwapRun *data = task_data;
  g_autoptr(GdkPixbuf) face_pixbuf = NULL;
  g_autoptr(GdkPixbuf) target_pixbuf = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GPtrArray) source_faces = NULL;
  g_autoptr(GPtrArray) target_faces = NULL;
  g_autoptr(GPtrArray) sources = NULL;
  g_autoptr(GError) error = NULL;
  PaPixels face_pixels, target_pixels;

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_LOADING, 0.0, NULL);
  face_pixbuf = pa_image_file_load (self->face, cancellable, &error);
  if (face_pixbuf != NULL)
    target_pixbuf = pa_image_file_load (self->target, cancellable, &error);
  if (target_pixbuf == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  data->width = gdk_pixbuf_get_width (target_pixbuf);
  data->height = gdk_pixbuf_get_height (target_pixbuf);
  if (pa_face_swap_job_return_if_cancelled (task, cancellable))
    return;

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_LOADING, 0.1, NULL);
  model = pa_face_model_get_default (&error);
  if (model == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (pa_face_swap_job_return_if_cancelled (task, cancellable))
    return;

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_DETECTING, 0.3, NULL);
  source_faces = pa_face_swap_job_detect (model, face_pixbuf, self->face, cancellable, &error);
  if (source_faces != NULL)
    target_faces = pa_face_swap_job_detect (model, target_pixbuf, self->target, cancellable, &error);
  if (target_faces == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (pa_face_swap_job_return_if_cancelled (task, cancellable))
    return;

  data->pairs = pa_face_selection_resolve (data->selection, source_faces, target_faces,
                                           &data->skipped, &error);
  if (data->pairs == NULL)
    {
      g_autofree char *name = pa_media_describe_file (self->target);

      g_prefix_error (&error, "%s: ", name);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (data->skipped == NULL)
    data->skipped = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);

  /* One prepared source per source face used, however many targets it
   * goes onto. */
  pa_face_swap_job_report (self, PA_MEDIA_STAGE_SWAPPING, 0.5, NULL);
  face_pixels = pa_media_pixels_of (face_pixbuf);
  target_pixels = pa_media_pixels_of (target_pixbuf);
  sources = g_ptr_array_new_full (source_faces->len, (GDestroyNotify) pa_face_source_unref);
  g_ptr_array_set_size (sources, source_faces->len);
  for (guint i = 0; i < data->pairs->len; i++)
    {
      const PaFacePair *pair = &g_array_index (data->pairs, PaFacePair, i);
      const PaFace *source_face = face_with_index (source_faces, pair->source);
      const PaFace *target_face = face_with_index (target_faces, pair->target);

      if (source_face == NULL || target_face == NULL
          || (guint) pair->source >= sources->len)
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                                   _("The face selection named a face that was not found."));
          return;
        }
      if (g_ptr_array_index (sources, pair->source) == NULL)
        {
          PaFaceSource *source = pa_face_source_new (&face_pixels, source_face, &error);

          if (source == NULL)
            {
              g_autofree char *name = pa_media_describe_file (self->face);

              g_prefix_error (&error, "%s: ", name);
              g_task_return_error (task, g_steal_pointer (&error));
              return;
            }
          sources->pdata[pair->source] = source;
        }
      if (!pa_face_swap_apply (g_ptr_array_index (sources, pair->source), &target_pixels,
                               target_face, NULL, NULL, &error))
        {
          g_autofree char *name = pa_media_describe_file (self->target);

          g_prefix_error (&error, "%s: ", name);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      if (pa_face_swap_job_return_if_cancelled (task, cancellable))
        return;
      pa_face_swap_job_report (self, PA_MEDIA_STAGE_SWAPPING, 0.5 + 0.3 * (i + 1) / data->pairs->len, NULL);
    }

  pa_face_swap_job_report (self, PA_MEDIA_STAGE_SAVING, 0.8, NULL);
  if (!pa_image_file_save_marked (target_pixbuf, data->output, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
swapped_cb (GObject      *source,
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

/* The output's hash, for the assets row: a video may be large. */
static void
hash_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  PaFaceSwapRun *data = task_data;
  GError *error = NULL;

  data->sha256 = hash_file (data->output, NULL, &error);
  if (data->sha256 == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
hashed_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapJob *self = g_task_get_source_object (task);
  PaFaceSwapRun *data = g_task_get_task_data (task);
  g_autoptr(PaFaceSwapResult) swap_result = NULL;
  g_autoptr(GError) error = NULL;

  if (result != NULL && !g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  swap_result = g_new0 (PaFaceSwapResult, 1);
  swap_result->output = g_object_ref (data->output);
  swap_result->kind = g_strdup (pa_media_kind_to_string (data->kind));
  swap_result->pairs = data->pairs != NULL ? g_array_ref (data->pairs)
                                           : g_array_new (FALSE, FALSE, sizeof (PaFacePair));
  swap_result->skipped = data->skipped != NULL
                         ? g_ptr_array_ref (data->skipped)
                         : g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  swap_result->width = data->width;
  swap_result->height = data->height;
  swap_result->frames = data->frames;

  if (self->store != NULL)
    {
      g_autofree char *path = g_file_get_path (data->output);

      /* The file is whole and in place; failing to list it does not undo
       * it, but the caller is told. */
      swap_result->asset_id = pa_store_add_asset (self->store, swap_result->kind, path,
                                                  data->sha256, data->width, data->height,
                                                  self->run_id, &error);
      if (swap_result->asset_id == 0)
        {
          g_prefix_error (&error, _("%s was written, but not added to the gallery: "), path);
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&swap_result),
                         (GDestroyNotify) pa_face_swap_result_free);
}

void
pa_face_swap_job_complete (GTask *task)
{
  PaFaceSwapJob *self = g_task_get_source_object (task);
  g_autoptr(GTask) hash = NULL;

  if (self->store == NULL)
    {
      hashed_cb (NULL, NULL, task);
      return;
    }
  hash = g_task_new (self, g_task_get_cancellable (task), hashed_cb, task);
  g_task_set_task_data (hash, g_task_get_task_data (task), NULL);
  g_task_set_check_cancellable (hash, FALSE);
  g_task_run_in_thread (hash, hash_thread);
}

/* Checks the inputs and settles the output name, in a worker thread:
 * sniffing and probing read the files. */
static void
prepare_thread (GTask        *task,
                gpointer      source_object,
                gpointer      task_data,
                GCancellable *cancellable)
{
  PaFaceSwapJob *self = source_object;
  PaFaceSwapRun *data = task_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *target_format = NULL;
  PaMediaKind face_kind;
  int width = 0, height = 0;

  if (!pa_media_classify_file (self->face, FALSE, &face_kind, &width, &height, NULL,
                       cancellable, &error)
      || !pa_media_classify_file (self->target, TRUE, &data->kind, &data->width, &data->height,
                          &target_format, cancellable, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  /* A video is read far enough to know a decoder here takes it: an
   * unknown codec is refused before anything is loaded. */
  if (data->kind == PA_MEDIA_KIND_VIDEO)
    {
      g_autoptr(PaVideoInfo) info = pa_video_file_probe (self->target, cancellable, &error);

      if (info == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->width = info->width;
      data->height = info->height;
    }

  if (self->output != NULL)
    {
      if (!check_output_extension (self->output, data->kind, &error)
          || !check_output_folder (self->output, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      data->output = g_object_ref (self->output);
    }
  else
    {
      /* A picture keeps its format; a video becomes MP4. */
      const char *ext = data->kind == PA_MEDIA_KIND_VIDEO ? "mp4"
                        : g_strcmp0 (target_format, "jpeg") == 0 ? "jpg" : "png";

      data->output = new_output_name (self, ext, &error);
      if (data->output == NULL)
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  if (g_file_equal (data->output, self->face) || g_file_equal (data->output, self->target))
    {
      g_autofree char *name = pa_media_describe_file (data->output);

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("Cannot write %s: it is one of the inputs. Choose another "
                                 "output file."), name);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
prepared_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaFaceSwapJob *self = g_task_get_source_object (task);
  PaFaceSwapRun *data = g_task_get_task_data (task);
  g_autoptr(GTask) work = NULL;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      pa_face_swap_job_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (pa_face_swap_job_return_if_cancelled (task, g_task_get_cancellable (task)))
    return;

  if (self->engine == PA_FACE_SWAP_ENGINE_CLOUD)
    {
      pa_face_swap_job_run_cloud (g_steal_pointer (&task));
      return;
    }
  if (data->kind == PA_MEDIA_KIND_VIDEO)
    {
      pa_face_swap_job_run_video (g_steal_pointer (&task));
      return;
    }

  /* The data moves to the worker's task, which owns it from now on;
   * the outer task keeps a reference through it. */
  work = g_task_new (self, g_task_get_cancellable (task), swapped_cb, g_object_ref (task));
  g_task_set_task_data (work, g_task_get_task_data (task), NULL);
  g_task_set_check_cancellable (work, FALSE);
  g_task_run_in_thread (work, swap_image_thread);
}

void
pa_face_swap_job_run_async (PaFaceSwapJob       *self,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GTask) prepare = NULL;
  PaFaceSwapRun *data;

  g_return_if_fail (PA_IS_FACE_SWAP_JOB (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_face_swap_job_run_async);
  g_task_set_check_cancellable (task, FALSE);

  if (self->started)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("This face swap has run already."));
      return;
    }
  self->started = TRUE;
  self->context = g_main_context_ref_thread_default ();

  data = g_new0 (PaFaceSwapRun, 1);
  data->selection = self->selection != NULL ? pa_face_selection_copy (self->selection)
                                            : pa_face_selection_new_all ();
  g_task_set_task_data (task, data, (GDestroyNotify) run_data_free);

  if (self->engine == PA_FACE_SWAP_ENGINE_CLOUD && self->client == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("The cloud engine needs a Replicate account. Sign in, or "
                                 "use the offline engine."));
      return;
    }

  prepare = g_task_new (self, cancellable, prepared_cb, g_steal_pointer (&task));
  g_task_set_task_data (prepare, data, NULL);
  g_task_set_check_cancellable (prepare, FALSE);
  g_task_run_in_thread (prepare, prepare_thread);
}

PaFaceSwapResult *
pa_face_swap_job_run_finish (PaFaceSwapJob  *self,
                             GAsyncResult   *result,
                             GError        **error)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_JOB (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
