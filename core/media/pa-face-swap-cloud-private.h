/* pa-face-swap-cloud-private.h — what the files of PaFaceSwapCloud share
 *
 * pa-face-swap-cloud-model.c reads a model's schema,
 * pa-face-swap-cloud-files.c checks the inputs and puts the output in
 * place (blocking, for worker threads), pa-face-swap-cloud.c runs the
 * swap on Replicate or a Cog server.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-face-swap-cloud-private.h is private to core/media: use pa-face-swap-cloud.h"
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

/* "“owner/name”", or the Cog server's model when @name is NULL. */
char     *pa_face_swap_cloud_describe_model (const char                  *name);

/* The files of one run. */
typedef struct {
  GFile    *face;
  GFile    *target;
  GFile    *output;           /* NULL: a new name in the media folder */
  GFile    *media_dir;        /* NULL: "media" in the data folder */
  gboolean  video;            /* the target is a video */
  char     *face_type;        /* MIME types, from the files' headers or */
  char     *target_type;      /* a video's name, for the uploads */
  char     *dest_dir;         /* the output's folder */
  char     *work_dir;         /* a hidden folder in dest_dir; NULL once removed */
  char     *downloaded;       /* the model's output, in work_dir */
  char     *downloaded_type;  /* its MIME type */
  GFile    *written;          /* the output, once in place */
  int       width;            /* a picture's */
  int       height;
} PaFaceSwapCloudFiles;

void      pa_face_swap_cloud_files_clear    (PaFaceSwapCloudFiles        *files);
/* Checks the face, the target and the output's name before anything is
 * sent; sets ->video, ->dest_dir, and makes ->work_dir. Blocking. */
gboolean  pa_face_swap_cloud_files_prepare  (PaFaceSwapCloudFiles        *files,
                                             GCancellable                *cancellable,
                                             GError                     **error);
/* Puts ->downloaded in place as ->written (a picture with the mark), then
 * removes the work folder whatever happened. Blocking. */
gboolean  pa_face_swap_cloud_files_save     (PaFaceSwapCloudFiles        *files,
                                             GCancellable                *cancellable,
                                             GError                     **error);
/* Removes the work folder and what is in it, if there is one. Blocking. */
void      pa_face_swap_cloud_files_remove_work_dir (PaFaceSwapCloudFiles *files);

G_END_DECLS
