/* pa-video-transcode-private.h — a video file in, a video file out, every
 * frame handed to a function on the way
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-video-transcode-private.h is private to core/media: use pa-video-swap.h"
#endif

#include <gio/gio.h>
#include <gst/gst.h>

#include "pa-pixels.h"
#include "pa-video-file.h"

G_BEGIN_DECLS

/* Called in the transcoding thread for each decoded frame, in order,
 * with its pixels (RGBx: 4 channels, the 4th padding) to change in
 * place. @pts is the frame's running time. Returning FALSE with @error
 * set stops the job. */
typedef gboolean (*PaVideoFrameFunc) (PaPixels      *frame,
                                      GstClockTime   pts,
                                      guint64        frame_number,
                                      gpointer       user_data,
                                      GError       **error);

/* Called in the transcoding thread after each frame is sent on. */
typedef void (*PaVideoFramesDoneFunc) (guint64  frames_done,
                                       gpointer user_data);

/* Called, with the frame function's data, in the transcoding thread when
 * every frame is written, before the file replaces the output:
 * returning FALSE with @error set
 * discards it. */
typedef gboolean (*PaVideoCommitFunc) (gpointer  user_data,
                                       GError  **error);

typedef struct {
  guint64   frames;               /* frames written */
  gboolean  has_audio;            /* the output has an audio stream */
  gboolean  audio_reencoded;      /* it had to be re-encoded for the container */
  char     *audio_encoder;        /* the encoder's name when re-encoded, else NULL */
} PaVideoTranscodeResult;

void      pa_video_transcode_result_clear (PaVideoTranscodeResult *result);

/* Decodes @input (as probed in @info), gives every frame to @frame_func
 * (may be NULL: a bare decode and encode), encodes it again with the
 * same timestamps (H.264 for .mp4/.mkv/.mov, VP8 for .webm), passes the
 * audio through when the container takes its codec and re-encodes it
 * otherwise, muxes with the face-swap mark in the comment tag, and
 * writes a hidden temporary file next to @output that replaces @output
 * only when complete. On failure or cancel, the temporary file is
 * removed and an existing @output is untouched. Blocking: run it in a
 * worker thread. */
gboolean  pa_video_transcode              (GFile                   *input,
                                           const PaVideoInfo       *info,
                                           GFile                   *output,
                                           PaVideoFrameFunc         frame_func,
                                           gpointer                 frame_data,
                                           PaVideoFramesDoneFunc    done_func,
                                           gpointer                 done_data,
                                           PaVideoCommitFunc        commit_func,
                                           GCancellable            *cancellable,
                                           PaVideoTranscodeResult  *result,
                                           GError                 **error);

/* The muxer and video encoder for @output's extension, or FALSE with
 * PA_ERROR_INVALID_INPUT naming the file and the extensions that work. */
gboolean  pa_video_transcode_check_output (GFile                   *output,
                                           GError                 **error);

G_END_DECLS
