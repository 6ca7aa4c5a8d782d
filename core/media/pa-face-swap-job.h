/* pa-face-swap-job.h — one face swap from files to a file: picture or
 * video, offline or in the cloud; what the app, the CLI and the workflow
 * action run
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-face.h"
#include "pa-face-selection.h"
#include "pa-media-progress.h"
#include "pa-replicate.h"
#include "pa-store.h"

G_BEGIN_DECLS

/**
 * PaFaceSwapEngine:
 * @PA_FACE_SWAP_ENGINE_OFFLINE: the built-in engine: dlib and plain C on
 *   this machine; no account, no network
 * @PA_FACE_SWAP_ENGINE_CLOUD: a Replicate model, or a local Cog server,
 *   through the Replicate client given with pa_face_swap_job_set_cloud()
 */
typedef enum {
  PA_FACE_SWAP_ENGINE_OFFLINE,
  PA_FACE_SWAP_ENGINE_CLOUD,
} PaFaceSwapEngine;

/* What a finished job made. */
typedef struct {
  GFile     *output;       /* the file written */
  char      *kind;         /* "image" or "video" */
  GArray    *pairs;        /* PaFacePair actually swapped (offline; empty for cloud) */
  GPtrArray *skipped;      /* PaFace left alone as too small or too turned */
  gint64     asset_id;     /* its row in assets, or 0 without a store */
  int        width;
  int        height;
  guint64    frames;       /* video: frames written; 0 for a picture */
} PaFaceSwapResult;

#define PA_TYPE_FACE_SWAP_RESULT (pa_face_swap_result_get_type ())
GType             pa_face_swap_result_get_type (void) G_GNUC_CONST;
void              pa_face_swap_result_free     (PaFaceSwapResult *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFaceSwapResult, pa_face_swap_result_free)

/* The result as the CLI's --json and the workflow step print it:
 * {path, kind, width, height, frames, faces_swapped, pairs: [{source,
 * target}], skipped: [face…], asset_id (when recorded)}. */
JsonObject       *pa_face_swap_result_to_json  (const PaFaceSwapResult *self);
/* {index, box: {x, y, width, height}, score, eye_distance, yaw, roll,
 * quality ("good", "too-small", "too-turned")}. */
JsonObject       *pa_face_to_json              (const PaFace           *face);

#define PA_TYPE_FACE_SWAP_JOB (pa_face_swap_job_get_type ())
G_DECLARE_FINAL_TYPE (PaFaceSwapJob, pa_face_swap_job, PA, FACE_SWAP_JOB, GObject)

/* @face: the picture with the face to use. @target: the picture or video
 * (png, jpeg, mp4, webm, mkv, mov) to put it into. @output: where to
 * write; NULL = a new name in the media folder. An existing @output is
 * replaced only when the new file is complete. */
PaFaceSwapJob    *pa_face_swap_job_new          (GFile                 *face,
                                                 GFile                 *target,
                                                 GFile                 *output);
void              pa_face_swap_job_set_engine   (PaFaceSwapJob         *self,
                                                 PaFaceSwapEngine       engine);
/* Which target faces, with which source face. Default: all, each with
 * the source's largest face. Offline only: a cloud model picks its own. */
void              pa_face_swap_job_set_selection (PaFaceSwapJob        *self,
                                                 const PaFaceSelection *selection);
/* The cloud engine: @client (Replicate or a Cog server), @model
 * "owner/name" (NULL = "cdingram/face-swap"; ignored by Cog), and the
 * model's input fields for the face and the picture (NULL = read from
 * the model's schema, which must leave no doubt). */
void              pa_face_swap_job_set_cloud    (PaFaceSwapJob         *self,
                                                 PaReplicate           *client,
                                                 const char            *model,
                                                 const char            *face_field,
                                                 const char            *picture_field);
/* Records the output in @store's assets (and gives the folder for
 * @output NULL, with pa_face_swap_job_set_media_dir()). */
void              pa_face_swap_job_set_store    (PaFaceSwapJob         *self,
                                                 PaStore               *store);
void              pa_face_swap_job_set_media_dir (PaFaceSwapJob        *self,
                                                 GFile                 *media_dir);
/* With @output NULL: the file is @stem plus the extension (".png",
 * ".jpg", ".mp4") in the media folder, replacing one of that name,
 * instead of a new faceswap-DATE-TIME name. A workflow step names it
 * after itself, so running the step again rewrites the same file. */
void              pa_face_swap_job_set_output_stem (PaFaceSwapJob     *self,
                                                 const char            *stem);
/* The workflow run the output is recorded for in assets, or NULL. */
void              pa_face_swap_job_set_run_id   (PaFaceSwapJob         *self,
                                                 const char            *run_id);
void              pa_face_swap_job_set_progress_func (PaFaceSwapJob    *self,
                                                 PaMediaProgressFunc    func,
                                                 gpointer               user_data,
                                                 GDestroyNotify         destroy);

/* Runs the job: reads and checks the inputs, loads the shared model,
 * detects, swaps, writes the marked output, records the asset. The
 * heavy parts run in worker threads; progress and the callback come on
 * the thread-default main context of this call. Cancelling leaves no
 * file under the output name (an existing one is untouched) and cancels
 * a cloud prediction. Errors name the file concerned. Runs once. */
void              pa_face_swap_job_run_async    (PaFaceSwapJob         *self,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
PaFaceSwapResult *pa_face_swap_job_run_finish   (PaFaceSwapJob         *self,
                                                 GAsyncResult          *result,
                                                 GError               **error);

/* Faces in a picture, or in the first frame of a video that has one
 * within its first seconds: a GPtrArray of PaFace, left to right.
 * @width_out/@height_out: the picture's size. */
void              pa_media_find_faces_async     (GFile                 *file,
                                                 GCancellable          *cancellable,
                                                 GAsyncReadyCallback    callback,
                                                 gpointer               user_data);
GPtrArray        *pa_media_find_faces_finish    (GAsyncResult          *result,
                                                 int                   *width_out,
                                                 int                   *height_out,
                                                 GError               **error);

G_END_DECLS
