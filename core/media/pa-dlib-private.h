/* pa-dlib-private.h — dlib's face detector and landmark model behind a C API
 *
 * pa-dlib.cc is the only C++ in the project: it holds dlib's HOG frontal
 * face detector and the 68-point shape predictor, and turns every C++
 * exception into a GError before it reaches C. Nothing C++ crosses this
 * header. pa-face-model.c is its only user.
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-dlib-private.h is private to core/media: use pa-face-model.h"
#endif

#include <glib.h>

#include "pa-face.h"
#include "pa-pixels.h"

G_BEGIN_DECLS

typedef struct _PaDlib PaDlib;

/* One detection of the HOG detector, in the pixels it was given. */
typedef struct {
  PaRect box;    /* not clipped: it may reach past the picture's edges */
  double score;  /* the detector's confidence; 0 is its own threshold */
  int    kind;   /* which of dlib's five detectors found it: 0 facing the
                  * camera, 1 and 2 turned aside, 3 and 4 tilted */
} PaDlibDetection;

/* Loads the detector (built into dlib) and the shape predictor from
 * @landmarks_path. Fails with G_FILE_ERROR (from opening the file) when
 * it cannot be read, or PA_ERROR_INVALID_INPUT when it is not a 68-point
 * dlib shape predictor; the message is dlib's, in English, for the
 * caller to wrap. */
PaDlib  *pa_dlib_new_from_file (const char             *landmarks_path,
                                GError                **error);
void     pa_dlib_free          (PaDlib                 *self);

/* Runs the detector over a grey picture (one byte a pixel, rows
 * @stride bytes apart) and appends a PaDlibDetection to @detections
 * for each face scoring @min_score or more. Safe to call from several
 * threads at once: each call borrows a detector of its own. */
gboolean pa_dlib_detect        (PaDlib                 *self,
                                const guint8           *grey,
                                int                     width,
                                int                     height,
                                int                     stride,
                                double                  min_score,
                                GArray                 *detections,
                                GError                **error);

/* Fits the 68 landmarks to the face in @box of @pixels (RGB or RGBx,
 * read in place). Safe from several threads at once. */
gboolean pa_dlib_fit           (PaDlib                 *self,
                                const PaPixels         *pixels,
                                const PaRect           *box,
                                PaPoint                 landmarks[PA_FACE_N_LANDMARKS],
                                GError                **error);

/* The same on a grey picture (one byte a pixel). */
gboolean pa_dlib_fit_grey      (PaDlib                 *self,
                                const guint8           *grey,
                                int                     width,
                                int                     height,
                                int                     stride,
                                const PaRect           *box,
                                PaPoint                 landmarks[PA_FACE_N_LANDMARKS],
                                GError                **error);

/* The box, square as the detector's, from which pa_dlib_fit() finds
 * @landmarks again most surely: for tracking a face from frame to
 * frame. */
void     pa_dlib_box_for_landmarks (PaDlib             *self,
                                    const PaPoint       landmarks[PA_FACE_N_LANDMARKS],
                                    PaRect             *box);

G_END_DECLS
