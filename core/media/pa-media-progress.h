/* pa-media-progress.h — how far a face swap has got
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * PaMediaStage:
 * @PA_MEDIA_STAGE_LOADING: loading the model or reading the inputs
 * @PA_MEDIA_STAGE_DETECTING: finding the faces
 * @PA_MEDIA_STAGE_SWAPPING: swapping (a video: frame by frame)
 * @PA_MEDIA_STAGE_UPLOADING: sending the inputs to the cloud engine
 * @PA_MEDIA_STAGE_WAITING: the cloud prediction is queued or running
 * @PA_MEDIA_STAGE_DOWNLOADING: fetching the cloud engine's output
 * @PA_MEDIA_STAGE_SAVING: writing the output
 */
typedef enum {
  PA_MEDIA_STAGE_LOADING,
  PA_MEDIA_STAGE_DETECTING,
  PA_MEDIA_STAGE_SWAPPING,
  PA_MEDIA_STAGE_UPLOADING,
  PA_MEDIA_STAGE_WAITING,
  PA_MEDIA_STAGE_DOWNLOADING,
  PA_MEDIA_STAGE_SAVING,
} PaMediaStage;

typedef struct {
  PaMediaStage stage;
  double       fraction;      /* 0–1 over the whole job; < 0 when not known */
  guint64      frames_done;   /* video only; 0 otherwise */
  guint64      frames_total;  /* video only; 0 when not known */
  double       fps;           /* frames per second lately; 0 when not known */
  double       seconds_left;  /* < 0 when not known */
  const char  *message;       /* e.g. the cloud prediction's status or last log line; may be NULL */
} PaMediaProgress;

/* Called on the main context the operation was started from. */
typedef void (*PaMediaProgressFunc) (const PaMediaProgress *progress,
                                     gpointer               user_data);

const char *pa_media_stage_to_string (PaMediaStage stage);

G_END_DECLS
