/* pa-video-swap.c — face swap of a video file, frame by frame
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-face-tracker.h"
#include "pa-video-file.h"
#include "pa-video-swap.h"
#include "pa-video-transcode-private.h"

/* Progress at most this often: enough for a smooth bar, few wake-ups. */
#define PROGRESS_INTERVAL_US (G_USEC_PER_SEC / 10)

typedef struct {
  PaFaceModel         *model;
  GPtrArray           *source_faces;
  GPtrArray           *sources;
  PaFaceSelection     *selection;
  GFile               *input;
  GFile               *output;
  PaMediaProgressFunc  progress;
  gpointer             progress_data;
  GMainContext        *context;
  GCancellable        *cancellable;

  /* The transcoding thread's own. */
  PaVideoInfo         *info;
  PaFaceTracker       *tracker;
  GHashTable          *source_for_id;   /* track id → source index + 1 */
  gboolean             resolved;
  int                  default_source;  /* for faces that come in later, with "all" */
  PaVideoSwapResult   *result;
  gint64               last_report;
  guint64              last_report_frames;
  double               fps;
} SwapData;

static void
swap_data_free (SwapData *data)
{
  g_clear_object (&data->model);
  g_clear_pointer (&data->source_faces, g_ptr_array_unref);
  g_clear_pointer (&data->sources, g_ptr_array_unref);
  g_clear_pointer (&data->selection, pa_face_selection_free);
  g_clear_object (&data->input);
  g_clear_object (&data->output);
  g_clear_pointer (&data->context, g_main_context_unref);
  g_clear_object (&data->cancellable);
  g_clear_pointer (&data->info, pa_video_info_free);
  g_clear_object (&data->tracker);
  g_clear_pointer (&data->source_for_id, g_hash_table_unref);
  g_clear_pointer (&data->result, pa_video_swap_result_free);
  g_free (data);
}

void
pa_video_swap_result_free (PaVideoSwapResult *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->pairs, g_array_unref);
  g_clear_pointer (&self->skipped, g_ptr_array_unref);
  g_free (self->audio_note);
  g_free (self);
}

typedef struct {
  PaMediaProgress      progress;
  PaMediaProgressFunc  func;
  gpointer             data;
} ProgressReport;

static gboolean
deliver_progress (gpointer user_data)
{
  ProgressReport *report = user_data;

  report->func (&report->progress, report->data);
  return G_SOURCE_REMOVE;
}

static void
report_progress (SwapData *data,
                 guint64   frames_done,
                 gboolean  force)
{
  gint64 now = g_get_monotonic_time ();
  ProgressReport *report;
  guint64 total = data->info->n_frames;

  if (data->progress == NULL)
    return;
  if (data->last_report == 0)
    {
      data->last_report = now;
      data->last_report_frames = frames_done;
    }
  if (!force && now - data->last_report < PROGRESS_INTERVAL_US)
    return;

  if (now > data->last_report && frames_done > data->last_report_frames)
    {
      double fps = (frames_done - data->last_report_frames) * (double) G_USEC_PER_SEC
                   / (now - data->last_report);

      /* Smoothed, so the time left does not jump about. */
      data->fps = data->fps > 0 ? 0.7 * data->fps + 0.3 * fps : fps;
    }
  data->last_report = now;
  data->last_report_frames = frames_done;

  report = g_new0 (ProgressReport, 1);
  report->func = data->progress;
  report->data = data->progress_data;
  report->progress.stage = PA_MEDIA_STAGE_SWAPPING;
  report->progress.frames_done = frames_done;
  /* The count is an estimate from the duration: never show more done
   * than there is. */
  report->progress.frames_total = total > 0 ? MAX (total, frames_done) : 0;
  report->progress.fraction = report->progress.frames_total > 0
                              ? (double) frames_done / report->progress.frames_total : -1;
  report->progress.fps = data->fps;
  report->progress.seconds_left = report->progress.frames_total > 0 && data->fps > 0
                                  ? (report->progress.frames_total - frames_done) / data->fps : -1;
  g_main_context_invoke_full (data->context, G_PRIORITY_DEFAULT, deliver_progress, report, g_free);
}

static void
on_frames_done (guint64  frames_done,
                gpointer user_data)
{
  report_progress (user_data, frames_done, FALSE);
}

/* Applies the selection to the faces of the first frame that has any.
 * FALSE with @error when the selection cannot be met (a listed face
 * that is not there or not good); TRUE with nothing resolved when no
 * face there is good enough yet, to try again on a later frame. */
static gboolean
resolve_selection (SwapData *data,
                   GArray   *tracked,
                   guint64   frame_number,
                   GError  **error)
{
  g_autoptr(GPtrArray) targets = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  g_autoptr(GPtrArray) skipped = NULL;
  g_autoptr(GArray) pairs = NULL;
  g_autoptr(GError) local_error = NULL;

  for (guint i = 0; i < tracked->len; i++)
    g_ptr_array_add (targets, pa_face_copy (&g_array_index (tracked, PaTrackedFace, i).face));

  pairs = pa_face_selection_resolve (data->selection, data->source_faces, targets, &skipped, &local_error);
  if (pairs == NULL)
    {
      /* No good face on this frame: maybe on a later one. A face asked
       * for by number that is not there is the user's error. */
      g_autofree char *name = NULL;

      if (pa_face_selection_get_targets (data->selection) != PA_FACE_TARGETS_LIST
          && g_error_matches (local_error, PA_ERROR, PA_ERROR_NOT_FOUND)
          && data->source_faces->len > 0)
        return TRUE;
      name = g_file_get_parse_name (data->input);
      g_propagate_prefixed_error (error, g_steal_pointer (&local_error),
                                  _("In the first frame of “%s” with faces (%.2f s): "),
                                  name,
                                  data->info->fps_n > 0
                                  ? (double) frame_number * data->info->fps_d / data->info->fps_n : 0.0);
      return FALSE;
    }

  for (guint i = 0; i < pairs->len; i++)
    {
      const PaFacePair *pair = &g_array_index (pairs, PaFacePair, i);

      if (pair->source < 0 || (guint) pair->source >= data->sources->len
          || data->sources->pdata[pair->source] == NULL
          || pair->target < 0 || (guint) pair->target >= tracked->len)
        {
          g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                       _("Source face %d cannot be used for a swap"), pair->source + 1);
          return FALSE;
        }
      g_hash_table_insert (data->source_for_id,
                           GUINT_TO_POINTER (g_array_index (tracked, PaTrackedFace, pair->target).id),
                           GINT_TO_POINTER (pair->source + 1));
      if (i == 0)
        data->default_source = pair->source;
    }

  data->resolved = TRUE;
  data->result->first_face_frame = frame_number;
  data->result->pairs = g_steal_pointer (&pairs);
  data->result->skipped = skipped ? g_steal_pointer (&skipped)
                                  : g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  return TRUE;
}

static gboolean
swap_frame (PaPixels      *frame,
            GstClockTime   pts,
            guint64        frame_number,
            gpointer       user_data,
            GError       **error)
{
  SwapData *data = user_data;
  g_autoptr(GArray) tracked = NULL;
  gboolean swapped = FALSE;

  tracked = pa_face_tracker_update (data->tracker, frame,
                                    GST_CLOCK_TIME_IS_VALID (pts) ? (double) pts / GST_SECOND : 0,
                                    data->cancellable, error);
  if (tracked == NULL)
    return FALSE;

  if (!data->resolved && tracked->len > 0
      && !resolve_selection (data, tracked, frame_number, error))
    return FALSE;
  if (!data->resolved)
    return TRUE;

  for (guint i = 0; i < tracked->len; i++)
    {
      const PaTrackedFace *face = &g_array_index (tracked, PaTrackedFace, i);
      int source = GPOINTER_TO_INT (g_hash_table_lookup (data->source_for_id, GUINT_TO_POINTER (face->id))) - 1;
      g_autoptr(GError) local_error = NULL;

      /* With "all", a face that comes in later is swapped as well. */
      if (source < 0 && pa_face_selection_get_targets (data->selection) == PA_FACE_TARGETS_ALL)
        {
          source = data->default_source;
          g_hash_table_insert (data->source_for_id, GUINT_TO_POINTER (face->id),
                               GINT_TO_POINTER (source + 1));
        }
      /* A face turned away or too small in this frame is left as it is
       * for this frame, as in a still. */
      if (source < 0 || face->face.quality != PA_FACE_QUALITY_GOOD)
        continue;
      if (pa_face_swap_apply (data->sources->pdata[source], frame, &face->face, NULL, NULL, &local_error))
        swapped = TRUE;
      else
        g_debug ("Frame %" G_GUINT64_FORMAT ": face %u not swapped: %s",
                 frame_number, face->id, local_error->message);
    }
  if (swapped)
    data->result->frames_swapped++;
  return TRUE;
}

static gboolean
check_swapped (gpointer  user_data,
               GError  **error)
{
  SwapData *data = user_data;

  if (data->result->frames_swapped == 0)
    {
      g_autofree char *name = g_file_get_parse_name (data->input);

      g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                   _("No face in “%s” could be swapped: none was found, or every one was too "
                     "small or too turned"),
                   name);
      return FALSE;
    }
  return TRUE;
}

static void
swap_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SwapData *data = task_data;
  PaVideoTranscodeResult transcoded = { 0 };
  GError *error = NULL;

  data->info = pa_video_file_probe (data->input, cancellable, &error);
  if (data->info == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  data->result->width = data->info->width;
  data->result->height = data->info->height;
  data->tracker = pa_face_tracker_new (data->model, 0);

  if (!pa_video_transcode (data->input, data->info, data->output, swap_frame, data,
                           on_frames_done, data, check_swapped, cancellable, &transcoded, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  report_progress (data, transcoded.frames, TRUE);
  data->result->frames = transcoded.frames;
  data->result->has_audio = transcoded.has_audio;
  data->result->audio_reencoded = transcoded.audio_reencoded;
  if (transcoded.audio_reencoded)
    {
      g_autofree char *name = g_file_get_parse_name (data->output);

      data->result->audio_note = g_strdup_printf (_("The audio was encoded again (%s): “%s” cannot "
                                                    "hold it as it was"),
                                                  transcoded.audio_encoder, name);
    }
  pa_video_transcode_result_clear (&transcoded);
  g_task_return_pointer (task, g_steal_pointer (&data->result), (GDestroyNotify) pa_video_swap_result_free);
}

void
pa_video_swap_async (PaFaceModel            *model,
                     GPtrArray              *source_faces,
                     GPtrArray              *sources,
                     const PaFaceSelection  *selection,
                     GFile                  *input,
                     GFile                  *output,
                     PaMediaProgressFunc     progress,
                     gpointer                progress_data,
                     GCancellable           *cancellable,
                     GAsyncReadyCallback     callback,
                     gpointer                user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  SwapData *data;

  g_return_if_fail (PA_IS_FACE_MODEL (model));
  g_return_if_fail (source_faces != NULL);
  g_return_if_fail (sources != NULL);
  g_return_if_fail (G_IS_FILE (input));
  g_return_if_fail (G_IS_FILE (output));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_video_swap_async);
  /* A cancelled job returns its cancel error, not a half result. */
  g_task_set_check_cancellable (task, TRUE);

  if (!pa_video_transcode_check_output (output, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  data = g_new0 (SwapData, 1);
  data->model = g_object_ref (model);
  data->source_faces = g_ptr_array_ref (source_faces);
  data->sources = g_ptr_array_ref (sources);
  data->selection = selection ? pa_face_selection_copy (selection) : pa_face_selection_new_all ();
  data->input = g_object_ref (input);
  data->output = g_object_ref (output);
  data->progress = progress;
  data->progress_data = progress_data;
  data->context = g_main_context_ref_thread_default ();
  data->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
  data->source_for_id = g_hash_table_new (NULL, NULL);
  data->default_source = -1;
  data->result = g_new0 (PaVideoSwapResult, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) swap_data_free);
  g_task_run_in_thread (task, swap_thread);
}

PaVideoSwapResult *
pa_video_swap_finish (GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_async_result_is_tagged (result, pa_video_swap_async), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
