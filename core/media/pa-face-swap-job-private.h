/* pa-face-swap-job-private.h — what the face swap job's files share:
 * telling pictures from videos by their bytes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-face-swap-job-private.h is private to core/media: use pa-face-swap-job.h"
#endif

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "pa-face-model.h"
#include "pa-face-swap-job.h"
#include "pa-pixels.h"

G_BEGIN_DECLS

typedef enum {
  PA_MEDIA_KIND_IMAGE,
  PA_MEDIA_KIND_VIDEO,
} PaMediaKind;

/* "image" or "video": the assets table's kinds. */
const char *pa_media_kind_to_string (PaMediaKind kind);

/* How messages name @file: its path as the user would type it. */
char       *pa_media_describe_file  (GFile        *file);

/* What @file is, from its bytes, never its extension: a picture
 * (checked by its header, size included, with @width, @height and
 * @format_out filled) or a video (by its container's signature; with
 * @video_allowed FALSE that is an error naming the file). Anything else
 * fails with the picture loader's message, which names the file and
 * says what is wrong with it. Blocking. */
gboolean    pa_media_classify_file  (GFile         *file,
                                     gboolean       video_allowed,
                                     PaMediaKind   *kind_out,
                                     int           *width,
                                     int           *height,
                                     char         **format_out,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* A view of @pixbuf's pixels (made writable and unshared first). */
PaPixels    pa_media_pixels_of      (GdkPixbuf    *pixbuf);

struct _PaFaceSwapJob
{
  GObject              parent_instance;

  GFile               *face;
  GFile               *target;
  GFile               *output;          /* as asked; NULL = a new name */
  PaFaceSwapEngine     engine;
  PaFaceSelection     *selection;
  PaReplicate         *client;
  char                *model;
  char                *face_field;
  char                *picture_field;
  PaStore             *store;
  GFile               *media_dir;
  char                *output_stem;
  char                *run_id;
  PaMediaProgressFunc  progress_func;
  gpointer             progress_data;
  GDestroyNotify       progress_destroy;

  GMainContext        *context;         /* where progress goes */
  gboolean             started;
};

/* One run of a job: the task data of its GTask. */
typedef struct {
  PaFaceSelection  *selection;
  PaMediaKind       kind;
  GFile            *output;
  char             *sha256;
  GArray           *pairs;
  GPtrArray        *skipped;
  int               width;
  int               height;
  guint64           frames;
  /* video: what the video module is handed */
  PaFaceModel      *model;
  GPtrArray        *source_faces;
  GPtrArray        *sources;
} PaFaceSwapRun;

/* Progress from any thread, delivered on the caller's main context. */
void        pa_face_swap_job_report        (PaFaceSwapJob  *self,
                                            PaMediaStage    stage,
                                            double          fraction,
                                            const char     *message);
/* Returns @error (taken) from @task, as PA_ERROR_CANCELLED when the
 * task's cancellable was cancelled. */
void        pa_face_swap_job_return_error  (GTask          *task,
                                            GError         *error);
gboolean    pa_face_swap_job_return_if_cancelled (GTask    *task,
                                            GCancellable   *cancellable);
/* The faces in @pixbuf; no face at all is PA_ERROR_NOT_FOUND naming
 * @file. Blocking. */
GPtrArray  *pa_face_swap_job_detect        (PaFaceModel    *model,
                                            GdkPixbuf      *pixbuf,
                                            GFile          *file,
                                            GCancellable   *cancellable,
                                            GError        **error);
/* The output is in place: hashes it and records it (with a store), then
 * returns the result from @task (taken). */
void        pa_face_swap_job_complete      (GTask          *task);
/* The paths handed to the video and cloud modules; @task is taken. */
void        pa_face_swap_job_run_video     (GTask          *task);
void        pa_face_swap_job_run_cloud     (GTask          *task);

G_END_DECLS
