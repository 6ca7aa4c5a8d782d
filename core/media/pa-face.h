/* pa-face.h — one face found in a picture: its box, its 68 landmarks, and
 * whether it can be swapped well
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib-object.h>

#include "pa-pixels.h"

G_BEGIN_DECLS

#define PA_FACE_N_LANDMARKS 68

#define PA_FACE_MIN_EYE_DISTANCE 24.0
#define PA_FACE_MAX_YAW          35.0
#define PA_FACE_MAX_ROLL         40.0

/**
 * PaFaceQuality:
 * @PA_FACE_QUALITY_GOOD: the face can be swapped
 * @PA_FACE_QUALITY_TOO_SMALL: the eye centres are less than
 *   PA_FACE_MIN_EYE_DISTANCE pixels apart: a swap would be a blur of a
 *   few pixels
 * @PA_FACE_QUALITY_TOO_TURNED: the face is turned too far from the camera
 *   (|yaw| over PA_FACE_MAX_YAW or |roll| over PA_FACE_MAX_ROLL degrees):
 *   half of it would be warped from pixels that are not there
 *
 * A face that is not GOOD is reported and left alone; it is never swapped.
 */
typedef enum {
  PA_FACE_QUALITY_GOOD,
  PA_FACE_QUALITY_TOO_SMALL,
  PA_FACE_QUALITY_TOO_TURNED,
} PaFaceQuality;

/* The 68 points follow the iBUG 300-W layout that dlib's model uses:
 * 0–16 jaw, 17–26 brows, 27–35 nose, 36–41 and 42–47 the eyes (the
 * person's right eye first, on the left of the picture), 48–67 the mouth. */
typedef struct {
  int            index;        /* place left to right (by box centre), from 0 */
  PaRect         box;          /* the detector's box, clipped to the picture */
  double         score;        /* the detector's confidence; higher is surer */
  PaPoint        landmarks[PA_FACE_N_LANDMARKS];
  double         yaw;          /* degrees, estimated from the landmarks; 0 = facing the camera */
  double         roll;         /* degrees, the eye line's angle to the horizontal */
  double         eye_distance; /* pixels between the eye centres */
  PaFaceQuality  quality;
} PaFace;

#define PA_TYPE_FACE (pa_face_get_type ())
GType        pa_face_get_type          (void) G_GNUC_CONST;
PaFace      *pa_face_copy              (const PaFace *self);
void         pa_face_free              (PaFace       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaFace, pa_face_free)

/* Fills yaw, roll, eye_distance and quality from box and landmarks. */
void         pa_face_update_quality    (PaFace       *self);
/* "good", "too-small" or "too-turned": for --json and the journal. */
const char  *pa_face_quality_to_string (PaFaceQuality quality);
/* A sentence for people, e.g. "Face 2 is too small to swap well (19 px
 * between the eyes; at least 24 are needed)". Translated. */
char        *pa_face_describe_quality  (const PaFace *self);

G_END_DECLS
