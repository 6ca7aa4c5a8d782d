/* pa-video-swap.h — face swap of a video file, frame by frame
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-face-model.h"
#include "pa-face-selection.h"
#include "pa-face-swap.h"
#include "pa-media-progress.h"

G_BEGIN_DECLS

typedef struct {
  guint64    frames;            /* frames written */
  guint64    frames_swapped;    /* frames in which at least one face was replaced */
  guint64    first_face_frame;  /* the frame the selection was applied to */
  GArray    *pairs;             /* PaFacePair chosen on that frame (targets by index left to right there) */
  GPtrArray *skipped;           /* PaFace on that frame left alone as too small or too turned */
  int        width;
  int        height;
  gboolean   has_audio;
  gboolean   audio_reencoded;   /* the container could not take the audio as it was */
  char      *audio_note;        /* a sentence for people when the audio was re-encoded, else NULL */
} PaVideoSwapResult;

void      pa_video_swap_result_free (PaVideoSwapResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaVideoSwapResult, pa_video_swap_result_free)

/* Swaps faces in @input, writing @output (.mp4, .m4v, .mov, .mkv or
 * .webm) with the same duration, frame rate and size; the audio is
 * passed through untouched when the output container takes its codec,
 * else encoded again (and the result says so). Faces are detected every
 * few frames and tracked in between (pa-face-tracker.h). @selection is
 * applied to the faces of the first frame in which faces are found,
 * with @source_faces (PaFace, left to right in the face picture) and
 * @sources (PaFaceSource for each of them, NULL where the face is not
 * good); the faces so chosen are followed through the video. With
 * "all", a face that comes in later is swapped too.
 *
 * @output is written under a hidden name in its folder and replaces the
 * file there only when complete: a cancel or a failure leaves nothing
 * new, and an existing @output untouched. A video with no face to swap
 * fails with PA_ERROR_NOT_FOUND; input errors name the file
 * (pa-video-file.h). @progress runs on the thread-default main context
 * of this call, at most ten times a second, with frames done and total,
 * fps and seconds left; @progress_data must live until @callback. */
void               pa_video_swap_async  (PaFaceModel            *model,
                                         GPtrArray              *source_faces,
                                         GPtrArray              *sources,
                                         const PaFaceSelection  *selection,
                                         GFile                  *input,
                                         GFile                  *output,
                                         PaMediaProgressFunc     progress,
                                         gpointer                progress_data,
                                         GCancellable           *cancellable,
                                         GAsyncReadyCallback     callback,
                                         gpointer                user_data);
PaVideoSwapResult *pa_video_swap_finish (GAsyncResult           *result,
                                         GError                **error);

G_END_DECLS
