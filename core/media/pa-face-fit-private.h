/* pa-face-fit-private.h — fitting landmarks to a tilted face
 *
 * dlib's landmark model was trained on upright faces: a face tilted by
 * more than about 15° gets landmarks that lie upright across it. These
 * turn the face upright first, in a small grey copy, and turn the
 * points back. pa-face-model.c uses them for detection and tracking.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-face-fit-private.h is private to core/media: use pa-face-model.h"
#endif

#include "pa-dlib-private.h"

G_BEGIN_DECLS

/* The tilt of the eye line of @landmarks, in degrees, as PaFace's roll. */
double   pa_face_fit_roll_of    (const PaPoint   landmarks[PA_FACE_N_LANDMARKS]);

/* Fits the landmarks of the face in @box, which is tilted by about
 * @roll_hint degrees, or by an unknown amount when @roll_hint is NAN. */
gboolean pa_face_fit_tilted     (PaDlib          *dlib,
                                 const PaPixels  *pixels,
                                 const PaRect    *box,
                                 double           roll_hint,
                                 PaPoint          landmarks[PA_FACE_N_LANDMARKS],
                                 GError         **error);

/* Runs the detector again on an upright copy of the face in @box whose
 * landmarks are @landmarks, and returns its best score there (or
 * -INFINITY). A face on the edge between two of dlib's detectors (tilted
 * by about 12°) scores low in the picture and high once upright; a
 * pattern that only looked like a face does not. */
double   pa_face_fit_recheck    (PaDlib          *dlib,
                                 const PaPixels  *pixels,
                                 const PaRect    *box,
                                 const PaPoint    landmarks[PA_FACE_N_LANDMARKS],
                                 GError         **error);

G_END_DECLS
