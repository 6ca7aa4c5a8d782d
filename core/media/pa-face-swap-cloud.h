/* pa-face-swap-cloud.h — a face swap run by a Replicate model or a local
 * Cog server
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-media-progress.h"
#include "pa-replicate.h"

G_BEGIN_DECLS

/* Its inputs are swap_image (the face) and input_image (the picture). */
#define PA_FACE_SWAP_CLOUD_DEFAULT_MODEL "cdingram/face-swap"

/**
 * PaFaceSwapCloudModel:
 * @model: "owner/name"; NULL for a Cog server
 * @version: the version a prediction runs, or NULL to run the model by
 *   its own endpoint (official models, and models that show no version)
 * @face_field: the input that takes the face
 * @picture_field: the input that takes the picture or video
 * @file_inputs: every input that takes a file (type string, format uri),
 *   in the schema's order; empty when the platform showed no schema
 * @takes_video: whether @picture_field takes a video (see
 *   pa_face_swap_cloud_model_new())
 *
 * What a face swap model takes, as read from its schema.
 */
typedef struct {
  char     *model;
  char     *version;
  char     *face_field;
  char     *picture_field;
  GStrv     file_inputs;
  gboolean  takes_video;
} PaFaceSwapCloudModel;

#define PA_TYPE_FACE_SWAP_CLOUD_MODEL (pa_face_swap_cloud_model_get_type ())
GType                 pa_face_swap_cloud_model_get_type (void) G_GNUC_CONST;
PaFaceSwapCloudModel *pa_face_swap_cloud_model_copy     (const PaFaceSwapCloudModel *self);
void                  pa_face_swap_cloud_model_free     (PaFaceSwapCloudModel       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFaceSwapCloudModel, pa_face_swap_cloud_model_free)

/* Reads which inputs of @model (as pa_replicate_get_model_finish() gave
 * it; @name is "owner/name", NULL for a Cog server) take the face and
 * the picture:
 * - @face_field and @picture_field, when given, must be file inputs of
 *   the schema (when it shows one);
 * - the default model without fields: swap_image and input_image;
 * - otherwise they are inferred only when that leaves no doubt: exactly
 *   two file inputs, one whose name (else title, else description) says
 *   face, source or swap, the other target, input, picture, video or,
 *   weakest, image or photo; one field given and exactly one other file
 *   input is the same.
 * Anything else is PA_ERROR_INVALID_INPUT listing the file inputs and how
 * to name the fields. So is a required input without a default that the
 * face swap cannot fill.
 * The picture field takes a video when its name, title or description
 * says video (or videos, mp4, webm, movie); a model that does not say so
 * is taken for pictures only, so a video is never sent where it would
 * fail or be billed for nothing. */
PaFaceSwapCloudModel *pa_face_swap_cloud_model_new      (const PaReplicateModel     *model,
                                                         const char                 *name,
                                                         const char                 *face_field,
                                                         const char                 *picture_field,
                                                         GError                    **error);

#define PA_TYPE_FACE_SWAP_CLOUD (pa_face_swap_cloud_get_type ())
G_DECLARE_FINAL_TYPE (PaFaceSwapCloud, pa_face_swap_cloud, PA, FACE_SWAP_CLOUD, GObject)

/* @client: Replicate or a Cog server (its key comes from the keyring
 * through the client's credential provider). @model: "owner/name", NULL
 * for PA_FACE_SWAP_CLOUD_DEFAULT_MODEL; ignored by a Cog server.
 * @face_field, @picture_field: the model's inputs for the face and the
 * picture, NULL to read them from its schema. */
PaFaceSwapCloud      *pa_face_swap_cloud_new            (PaReplicate                *client,
                                                         const char                 *model,
                                                         const char                 *face_field,
                                                         const char                 *picture_field);
/* Where outputs go when pa_face_swap_cloud_run_async() is given no
 * output file; NULL (the default): "media" in the data folder. */
void                  pa_face_swap_cloud_set_media_dir  (PaFaceSwapCloud            *self,
                                                         GFile                      *media_dir);

/* Reads the model's latest version (a Cog server: its /openapi.json)
 * and which fields take what (pa_face_swap_cloud_model_new()). */
void                  pa_face_swap_cloud_describe_async (PaFaceSwapCloud            *self,
                                                         GCancellable               *cancellable,
                                                         GAsyncReadyCallback         callback,
                                                         gpointer                    user_data);
PaFaceSwapCloudModel *pa_face_swap_cloud_describe_finish (PaFaceSwapCloud           *self,
                                                          GAsyncResult              *result,
                                                          GError                   **error);

/* Puts the face of @face (a picture) into @target (a picture, or a video
 * when the model takes one; a video by its name: .mp4, .m4v, .mov,
 * .webm, .mkv or .avi): checks both files' headers, describes the
 * model, uploads both files (their types as read, not guessed),
 * runs a prediction and follows it, downloads its output and writes it
 * to @output, or to a new name in the media folder when @output is NULL.
 * A picture is written again with the face-swap mark
 * (pa_image_file_save_marked()), replacing @output only when complete; a
 * video is moved into place as the model made it, with no mark added
 * (that needs a remux: the caller may add it). Nothing is journaled:
 * a face swap is not a workflow step, and a prediction cut short is
 * cancelled, not resumed.
 *
 * @progress is called on the thread-default main context of this call:
 * PA_MEDIA_STAGE_LOADING (the model's inputs), _UPLOADING, _WAITING (the
 * prediction's status and last log line in the message), _DOWNLOADING,
 * _SAVING, in that order.
 *
 * Cancelling @cancellable cancels the prediction on Replicate too and
 * leaves no output (PA_ERROR_CANCELLED). Errors name the file concerned.
 * When Replicate or the Cog server cannot be reached (PA_ERROR_UNAVAILABLE,
 * _CONNECTION_LOST, _TIMEOUT, _CIRCUIT_OPEN) or refuses the account
 * (PA_ERROR_AUTH), the error keeps its code and its message suggests the
 * offline engine. */
void                  pa_face_swap_cloud_run_async      (PaFaceSwapCloud            *self,
                                                         GFile                      *face,
                                                         GFile                      *target,
                                                         GFile                      *output,
                                                         PaMediaProgressFunc         progress,
                                                         gpointer                    progress_data,
                                                         GDestroyNotify              progress_destroy,
                                                         GCancellable               *cancellable,
                                                         GAsyncReadyCallback         callback,
                                                         gpointer                    user_data);
/* The file written. @width and @height: a picture's size, 0 for a video. */
GFile                *pa_face_swap_cloud_run_finish     (PaFaceSwapCloud            *self,
                                                         GAsyncResult               *result,
                                                         int                        *width,
                                                         int                        *height,
                                                         GError                    **error);

G_END_DECLS
