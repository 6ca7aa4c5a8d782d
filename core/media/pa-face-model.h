/* pa-face-model.h — dlib's face detector and 68-point landmark model,
 * loaded once and shared
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-face.h"
#include "pa-pixels.h"

G_BEGIN_DECLS

/* The landmark model's file name, in a dlib/ folder of a data folder
 * (Debian's libdlib-data: /usr/share/dlib/). */
#define PA_FACE_MODEL_FILE_NAME "shape_predictor_68_face_landmarks.dat"

#define PA_TYPE_FACE_MODEL (pa_face_model_get_type ())
G_DECLARE_FINAL_TYPE (PaFaceModel, pa_face_model, PA, FACE_MODEL, GObject)

/* Where the shared model is loaded from: $PLAYALTER_FACE_MODEL if set;
 * else dlib/PA_FACE_MODEL_FILE_NAME in the installed data folder
 * (pa_install_dirs_get_data_dir(): the prefix's share/ on Linux, the one
 * next to the program on Windows and in a macOS bundle), or, when it is
 * not there, in the first of the system's data folders ($XDG_DATA_DIRS:
 * /usr/local/share, /usr/share) that has it, so that a build installed
 * under another prefix still finds the distribution's model. When none
 * has it, the installed folder's path, for the error to name. */
char        *pa_face_model_get_default_path   (void);

/* The shared model: loaded on first call in a worker thread (about half a
 * second and 70 MB), then handed to every later caller at once. The path
 * is pa_face_model_get_default_path()'s. A
 * missing or unreadable model fails with PA_ERROR_NOT_FOUND and a message
 * that names the file and the Debian package (libdlib-data) that has it;
 * a failed load is not cached, so a later call tries again. */
void         pa_face_model_get_default_async  (GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
PaFaceModel *pa_face_model_get_default_finish (GAsyncResult         *result,
                                               GError              **error);
/* The same, blocking: for worker threads and tests. */
PaFaceModel *pa_face_model_get_default        (GError              **error);

/* A model from @landmarks_path, not shared. Blocking. */
PaFaceModel *pa_face_model_new_from_file      (const char           *landmarks_path,
                                               GError              **error);

/* Finds every face in @pixels and fits its landmarks. Returns a
 * GPtrArray of PaFace sorted left to right with index set, each with its
 * quality; an empty array when there is none. Detections scoring under
 * the model's threshold are dropped. Blocking and CPU-heavy (tens of ms
 * at 720p): call it from a worker thread. Safe to call from several
 * threads at once on one model. */
GPtrArray   *pa_face_model_detect             (PaFaceModel          *self,
                                               const PaPixels       *pixels,
                                               GCancellable         *cancellable,
                                               GError              **error);

/* The same, for faces whose eye centres are at least @min_eye_distance
 * pixels apart (PA_FACE_MIN_EYE_DISTANCE for pa_face_model_detect()):
 * the larger it is, the smaller the copy the detector scans, and the
 * quicker (a quarter of the time at twice the distance). Smaller faces
 * may or may not be found. Video uses it to detect often. */
GPtrArray   *pa_face_model_detect_larger      (PaFaceModel          *self,
                                               const PaPixels       *pixels,
                                               double                min_eye_distance,
                                               GCancellable         *cancellable,
                                               GError              **error);

/* Fits the 68 landmarks inside @box only (no detection): about 1.5 ms
 * on a quiet machine for a face within 5° of upright, 3 to 4 times that
 * for a tilted one (fitted on an upright copy). Video tracking uses it
 * with a box made from the face's last landmarks. When @face already
 * holds a fit (eye_distance > 0), its roll is where the fit starts, so
 * a tilted face stays tilted from frame to frame; a zeroed @face starts
 * upright. Sets @face's box, landmarks and quality; score and index are
 * kept. */
void         pa_face_model_fit                (PaFaceModel          *self,
                                               const PaPixels       *pixels,
                                               const PaRect         *box,
                                               PaFace               *face);

/* The box to give pa_face_model_fit() to find @face again in the next
 * frame: the square box that lays the model's mean face over @face's
 * landmarks, as the detector's box does. On a still picture the first
 * fit in it moves the points from the detector's by 1 to 5 % of the eye
 * distance on average, each later one by 1 to 2.5 % (dlib's fit depends
 * a little on where it starts, and a box is whole pixels): a tracker
 * smooths what is left. */
PaRect       pa_face_model_box_for_face       (PaFaceModel          *self,
                                               const PaFace         *face);

/* Runs pa_face_model_detect() in a worker thread; @pixels must stay
 * valid and unchanged until @callback runs. */
void         pa_face_model_detect_async       (PaFaceModel          *self,
                                               const PaPixels       *pixels,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
GPtrArray   *pa_face_model_detect_finish      (PaFaceModel          *self,
                                               GAsyncResult         *result,
                                               GError              **error);

G_END_DECLS
