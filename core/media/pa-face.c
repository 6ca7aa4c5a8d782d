/* pa-face.c — one face found in a picture
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>

#include "pa-face.h"

G_DEFINE_BOXED_TYPE (PaFace, pa_face, pa_face_copy, pa_face_free)

PaFace *
pa_face_copy (const PaFace *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return g_memdup2 (self, sizeof *self);
}

void
pa_face_free (PaFace *self)
{
  g_free (self);
}

static PaPoint
mean_of (const PaFace *self,
         int           first,
         int           last)
{
  PaPoint p = { 0, 0 };

  for (int i = first; i <= last; i++)
    {
      p.x += self->landmarks[i].x;
      p.y += self->landmarks[i].y;
    }
  p.x /= last - first + 1;
  p.y /= last - first + 1;
  return p;
}

void
pa_face_update_quality (PaFace *self)
{
  PaPoint right_eye, left_eye;
  double dx, dy, to_left, to_right;

  g_return_if_fail (self != NULL);

  /* 36–41 is the eye on the left of the picture, 42–47 the other. */
  right_eye = mean_of (self, 36, 41);
  left_eye = mean_of (self, 42, 47);
  dx = left_eye.x - right_eye.x;
  dy = left_eye.y - right_eye.y;
  self->eye_distance = hypot (dx, dy);
  self->roll = atan2 (dy, dx) * 180.0 / G_PI;

  /* Yaw from where the nose tip (30) sits between the cheeks (2, 14),
   * measured along the eye line so that roll does not read as yaw: the
   * nose of a face turned by θ moves off the middle by about sin θ of
   * the half-width. */
  if (self->eye_distance > 0)
    {
      double ux = dx / self->eye_distance, uy = dy / self->eye_distance;

      to_left = (self->landmarks[30].x - self->landmarks[2].x) * ux
              + (self->landmarks[30].y - self->landmarks[2].y) * uy;
      to_right = (self->landmarks[14].x - self->landmarks[30].x) * ux
               + (self->landmarks[14].y - self->landmarks[30].y) * uy;
    }
  else
    {
      to_left = to_right = 0;
    }

  if (to_left + to_right > 0)
    self->yaw = asin (CLAMP ((to_right - to_left) / (to_left + to_right), -1.0, 1.0)) * 180.0 / G_PI;
  else
    self->yaw = 90.0;

  if (self->eye_distance < PA_FACE_MIN_EYE_DISTANCE)
    self->quality = PA_FACE_QUALITY_TOO_SMALL;
  else if (fabs (self->yaw) > PA_FACE_MAX_YAW || fabs (self->roll) > PA_FACE_MAX_ROLL)
    self->quality = PA_FACE_QUALITY_TOO_TURNED;
  else
    self->quality = PA_FACE_QUALITY_GOOD;
}

const char *
pa_face_quality_to_string (PaFaceQuality quality)
{
  switch (quality)
    {
    case PA_FACE_QUALITY_GOOD:
      return "good";
    case PA_FACE_QUALITY_TOO_SMALL:
      return "too-small";
    case PA_FACE_QUALITY_TOO_TURNED:
      return "too-turned";
    default:
      g_return_val_if_reached ("unknown");
    }
}

char *
pa_face_describe_quality (const PaFace *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  switch (self->quality)
    {
    case PA_FACE_QUALITY_GOOD:
      return g_strdup_printf (_("Face %d can be swapped"), self->index);
    case PA_FACE_QUALITY_TOO_SMALL:
      return g_strdup_printf (_("Face %d is too small to swap well (%.0f px between the eyes; at least %.0f are needed)"),
                              self->index, self->eye_distance, PA_FACE_MIN_EYE_DISTANCE);
    case PA_FACE_QUALITY_TOO_TURNED:
      return g_strdup_printf (_("Face %d is turned too far from the camera to swap well (%.0f° sideways, %.0f° tilted; at most %.0f° and %.0f°)"),
                              self->index, fabs (self->yaw), fabs (self->roll),
                              PA_FACE_MAX_YAW, PA_FACE_MAX_ROLL);
    default:
      g_return_val_if_reached (NULL);
    }
}
