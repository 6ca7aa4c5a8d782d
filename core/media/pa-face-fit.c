/* pa-face-fit.c — fitting landmarks to a tilted face
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include "pa-face-fit-private.h"

/* Under this tilt the model's own fit is as good as an upright copy's. */
#define UPRIGHT_ROLL 5.0

/* The box's side in an upright copy made for fitting: big enough that
 * the points come out finer than a pixel of a small face, small enough
 * that a face filling a 4K picture costs no more than a small one. */
#define FIT_BOX_SIDE 250.0

/* The box's side in an upright copy made for the detector: above its
 * 80 px window, small for speed. */
#define RECHECK_BOX_SIDE 100.0

double
pa_face_fit_roll_of (const PaPoint landmarks[PA_FACE_N_LANDMARKS])
{
  double lx = 0, ly = 0, rx = 0, ry = 0;

  /* 36–41 is the eye on the left of the picture, 42–47 the other. */
  for (int i = 0; i < 6; i++)
    {
      lx += landmarks[36 + i].x;
      ly += landmarks[36 + i].y;
      rx += landmarks[42 + i].x;
      ry += landmarks[42 + i].y;
    }
  return atan2 (ry - ly, rx - lx) * 180.0 / G_PI;
}

/* A grey square of @side pixels showing @pixels around @centre turned
 * by -@degrees, so that a face tilted by @degrees stands upright in it,
 * @zoom of its pixels to one of the picture. Grey is the mean of red,
 * green and blue, as dlib reads colour; outside the picture is black, as
 * dlib reads it too. */
static guint8 *
make_upright_copy (const PaPixels *pixels,
                   PaPoint         centre,
                   double          degrees,
                   double          zoom,
                   int             side)
{
  guint8 *copy = g_malloc ((gsize) side * side);
  double c = cos (degrees * G_PI / 180) / zoom, s = sin (degrees * G_PI / 180) / zoom;
  double half = side / 2.0;

  for (int v = 0; v < side; v++)
    for (int u = 0; u < side; u++)
      {
        double du = u - half, dv = v - half;
        double x = centre.x + du * c - dv * s;
        double y = centre.y + du * s + dv * c;
        int x0 = (int) floor (x), y0 = (int) floor (y);
        double fx = x - x0, fy = y - y0, sum = 0;

        for (int k = 0; k < 4; k++)
          {
            int px = x0 + (k & 1), py = y0 + (k >> 1);
            double w = ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy);
            const guint8 *p;

            if (px < 0 || py < 0 || px >= pixels->width || py >= pixels->height)
              continue;
            p = pixels->data + (gsize) py * pixels->stride + (gsize) px * pixels->channels;
            sum += w * (p[0] + p[1] + p[2]);
          }
        copy[(gsize) v * side + u] = (guint8) CLAMP (lround (sum / 3), 0, 255);
      }
  return copy;
}

/* Where an upright copy of @box, tilted by @degrees, goes: its centre,
 * zoom and size, and the box inside it. */
typedef struct {
  PaPoint centre;
  double  zoom;
  int     side;
  PaRect  box;
} UprightCopy;

static UprightCopy
place_copy (const PaRect *box,
            double        box_side)
{
  UprightCopy place;
  double side = MAX (box->width, box->height);

  place.centre = (PaPoint) { box->x + box->width / 2.0, box->y + box->height / 2.0 };
  place.zoom = box_side / side;
  if (place.zoom > 2.0)
    place.zoom = 2.0;
  /* Twice the box: the model reads pixels a little outside it. */
  place.side = (int) ceil (2 * side * place.zoom);
  place.box.width = place.box.height = (int) lround (side * place.zoom);
  place.box.x = place.box.y = (place.side - place.box.width) / 2;
  return place;
}

static gboolean
fit_turned (PaDlib          *dlib,
            const PaPixels  *pixels,
            const PaRect    *box,
            double           degrees,
            PaPoint          landmarks[PA_FACE_N_LANDMARKS],
            GError         **error)
{
  UprightCopy place = place_copy (box, FIT_BOX_SIDE);
  g_autofree guint8 *copy = make_upright_copy (pixels, place.centre, degrees, place.zoom, place.side);
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);

  if (!pa_dlib_fit_grey (dlib, copy, place.side, place.side, place.side, &place.box, landmarks, error))
    return FALSE;

  /* Back from the copy to the picture. */
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      double du = (landmarks[i].x - place.side / 2.0) / place.zoom;
      double dv = (landmarks[i].y - place.side / 2.0) / place.zoom;

      landmarks[i].x = place.centre.x + du * c - dv * s;
      landmarks[i].y = place.centre.y + du * s + dv * c;
    }
  return TRUE;
}

gboolean
pa_face_fit_tilted (PaDlib          *dlib,
                    const PaPixels  *pixels,
                    const PaRect    *box,
                    double           roll_hint,
                    PaPoint          landmarks[PA_FACE_N_LANDMARKS],
                    GError         **error)
{
  double roll = roll_hint;

  /* With no hint, the model's own fit says how far the face tilts; it
   * is right to a few degrees up to about 15°, which the detector's
   * upright and tilted finders cover between them. A face that is about
   * upright keeps that fit: the copy would only blur it. */
  if (isnan (roll) || fabs (roll) < UPRIGHT_ROLL)
    {
      if (!pa_dlib_fit (dlib, pixels, box, landmarks, error))
        return FALSE;
      roll = pa_face_fit_roll_of (landmarks);
      if (fabs (roll) < UPRIGHT_ROLL)
        return TRUE;
    }

  /* Upright at the tilt found, then again at the tilt that fit shows:
   * a hint off by 15° settles within a degree in two or three fits. */
  for (int round = 0; round < 3; round++)
    {
      double found;

      if (!fit_turned (dlib, pixels, box, roll, landmarks, error))
        return FALSE;
      found = pa_face_fit_roll_of (landmarks);
      if (fabs (found - roll) < 1.0)
        break;
      roll = found;
    }
  return TRUE;
}

double
pa_face_fit_recheck (PaDlib          *dlib,
                     const PaPixels  *pixels,
                     const PaRect    *box,
                     const PaPoint    landmarks[PA_FACE_N_LANDMARKS],
                     GError         **error)
{
  UprightCopy place = place_copy (box, RECHECK_BOX_SIDE);
  g_autofree guint8 *copy = NULL;
  g_autoptr(GArray) detections = g_array_new (FALSE, FALSE, sizeof (PaDlibDetection));
  double best = -INFINITY;

  copy = make_upright_copy (pixels, place.centre, pa_face_fit_roll_of (landmarks),
                            place.zoom, place.side);
  if (!pa_dlib_detect (dlib, copy, place.side, place.side, place.side, 0, detections, error))
    return -INFINITY;

  /* Only a face where the box was counts: a quarter of the box away. */
  for (guint i = 0; i < detections->len; i++)
    {
      const PaDlibDetection *d = &g_array_index (detections, PaDlibDetection, i);
      double dx = d->box.x + d->box.width / 2.0 - place.side / 2.0;
      double dy = d->box.y + d->box.height / 2.0 - place.side / 2.0;

      if (hypot (dx, dy) < place.box.width / 4.0)
        best = MAX (best, d->score);
    }
  return best;
}
