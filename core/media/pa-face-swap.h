/* pa-face-swap.h — puts one face onto another: triangle warp, colour
 * transfer and a feathered blend, in plain C
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "pa-face.h"
#include "pa-pixels.h"

G_BEGIN_DECLS

/* A source face made ready once and used for any number of targets (every
 * frame of a video): its pixels around the face copied, its landmarks,
 * its triangles. Immutable after creation, so threads may share it. */
typedef struct _PaFaceSource PaFaceSource;

#define PA_TYPE_FACE_SOURCE (pa_face_source_get_type ())
GType         pa_face_source_get_type (void) G_GNUC_CONST;

/* Copies what it needs from @pixels; they may be freed afterwards.
 * PA_ERROR_INVALID_INPUT when @face is not GOOD. */
PaFaceSource *pa_face_source_new      (const PaPixels  *pixels,
                                       const PaFace    *face,
                                       GError         **error);
PaFaceSource *pa_face_source_ref      (PaFaceSource    *self);
void          pa_face_source_unref    (PaFaceSource    *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFaceSource, pa_face_source_unref)

typedef struct {
  double feather;        /* width of the blend edge as a fraction of the
                            face's eye distance; 0 = the default (0.25) */
  gboolean no_colour;    /* skip the colour transfer (tests, comparisons) */
} PaFaceSwapOptions;

/* Replaces @target_face in @target, in place, with @source. Only pixels
 * inside the face's hull grown by the feather change; the rest of
 * @target is left byte for byte. @changed_out, if not NULL, receives the
 * rectangle that holds every changed pixel. Blocking CPU work (about
 * 10 ms for a face at 720p); call it from a worker thread. Fails with
 * PA_ERROR_INVALID_INPUT when @target_face is not GOOD or lies outside
 * @target. @options may be NULL. */
gboolean      pa_face_swap_apply      (const PaFaceSource       *source,
                                       PaPixels                 *target,
                                       const PaFace             *target_face,
                                       const PaFaceSwapOptions  *options,
                                       PaRect                   *changed_out,
                                       GError                  **error);

/* The feathered mask pa_face_swap_apply() blends through, for
 * @target_face in a picture of @width × @height: one byte per pixel,
 * 0 = target kept, 255 = swapped face. For tests and the app's overlay. */
guint8       *pa_face_swap_make_mask  (const PaFace             *target_face,
                                       int                       width,
                                       int                       height,
                                       const PaFaceSwapOptions  *options);

G_END_DECLS
