/* pa-live-face-swap.h — the offline face swap as a filter on live video:
 * detection in a worker thread, tracking in between; a frame never
 * waits for a detection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * PaLiveFaceSwapStats:
 * @fps: frames that went through the filter in the last second
 * @detections_per_second: face detections finished in the last second
 * @detection_ms: how long the last detection took
 * @swap_ms: the mean time a frame spent in the filter in the last second
 * @faces: faces tracked in the last frame
 * @detect_every: the detector runs on one frame in this many now (fewer
 *   while no face is followed); it grows when the machine cannot keep up
 * @max_frame_ms: the longest time one frame spent in the filter since
 *   the element started
 * @frames: frames that went through the filter since it started
 * @detections: detections finished since it started
 *
 * Filled by the elements made from it at every frame (with more than
 * one running, by whichever passed a frame last); zero before the first
 * frame, and kept as they were when the element stops.
 */
typedef struct {
  double  fps;
  double  detections_per_second;
  double  detection_ms;
  double  swap_ms;
  guint   faces;
  guint   detect_every;
  double  max_frame_ms;
  guint64 frames;
  guint64 detections;
} PaLiveFaceSwapStats;

#define PA_TYPE_LIVE_FACE_SWAP (pa_live_face_swap_get_type ())
G_DECLARE_FINAL_TYPE (PaLiveFaceSwap, pa_live_face_swap, PA, LIVE_FACE_SWAP, GObject)

/* Disabled, with no face yet. */
PaLiveFaceSwap *pa_live_face_swap_new             (void);

/* Loads the face model and face @face_index of @image in a thread: the
 * face every frame gets. Faces are numbered as `playalter-cli faces`
 * lists them: left to right, from 0. A picture that cannot be read
 * (missing, not a PNG or JPEG, too large), one with no face, a number
 * past its faces or a face too small or turned fail with a PA_ERROR
 * that says so; the face set before, if any, stays. */
void            pa_live_face_swap_set_face_async  (PaLiveFaceSwap       *self,
                                                   GFile                *image,
                                                   guint                 face_index,
                                                   GCancellable         *cancellable,
                                                   GAsyncReadyCallback   callback,
                                                   gpointer              user_data);
gboolean        pa_live_face_swap_set_face_finish (PaLiveFaceSwap       *self,
                                                   GAsyncResult         *result,
                                                   GError              **error);
gboolean        pa_live_face_swap_has_face        (PaLiveFaceSwap       *self);

/* On and off while the video runs. */
void            pa_live_face_swap_set_enabled     (PaLiveFaceSwap       *self,
                                                   gboolean              enabled);
gboolean        pa_live_face_swap_get_enabled     (PaLiveFaceSwap       *self);

/* A new floating bin with a "sink" and a "src" pad, for raw video of any
 * size; frames pass unchanged while disabled or with no face, in the
 * format they came in. While it swaps, frames are converted to RGBx and
 * leave in it when downstream takes it (else in a format it takes), so
 * the format on the "src" pad may change when the swap is turned on or
 * off. */
GstElement     *pa_live_face_swap_make_element    (PaLiveFaceSwap       *self,
                                                   GError              **error);

void            pa_live_face_swap_get_stats       (PaLiveFaceSwap       *self,
                                                   PaLiveFaceSwapStats  *stats);

G_END_DECLS
