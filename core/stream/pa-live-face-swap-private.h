/* pa-live-face-swap-private.h — what the live face swap's object and its
 * GStreamer filter share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-live-face-swap-private.h is private to core/stream: use pa-live-face-swap.h"
#endif

#include <gst/gst.h>

#include "pa-face-model.h"
#include "pa-face-swap.h"
#include "pa-live-face-swap.h"

G_BEGIN_DECLS

/* TRUE when frames are to be swapped now (enabled, with a face), with a
 * reference to the model and to the face in @model_out and @source_out.
 * Any thread. */
gboolean    pa_live_face_swap_get_active    (PaLiveFaceSwap             *self,
                                             PaFaceModel               **model_out,
                                             PaFaceSource              **source_out);

/* What pa_live_face_swap_get_stats() returns from now on. Any thread. */
void        pa_live_face_swap_publish_stats (PaLiveFaceSwap             *self,
                                             const PaLiveFaceSwapStats  *stats);

/* The filter in the middle of pa_live_face_swap_make_element()'s bin:
 * in place, on any raw video; it swaps RGBx, RGBA and RGB frames and
 * asks upstream for them while @owner is active. Holds a reference to
 * @owner. */
GstElement *pa_live_face_swap_filter_new    (PaLiveFaceSwap             *owner);

G_END_DECLS
