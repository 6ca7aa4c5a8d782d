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
 * the points come out finer than a pixel of a small face (dlib gives
 * whole pixels), small enough that a face filling a 4K picture costs no
 * more than a small one. The copy reaches a little past the box, where
 * the model still reads pixels. */
#define FIT_BOX_SIDE 200.0
#define FIT_MARGIN   1.4

/* The same for the detector: above its 80 px window, and room around
 * the face for the window's edges. */
#define RECHECK_BOX_SIDE 100.0
#define RECHECK_MARGIN   2.0

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

/* The grey of the picture at (@x, @y), between pixels by bilinear
 * interpolation, times 3 (the sum of red, green and blue, as dlib reads
 * colour, but not yet divided); black outside the picture, as dlib reads
 * it too. */
static double
grey_at (const PaPixels *pixels,
         double          x,
         double          y)
{
  int x0 = (int) floor (x), y0 = (int) floor (y);
  double fx = x - x0, fy = y - y0, sum = 0;

  for (int k = 0; k < 4; k++)
    {
      int px = x0 + (k & 1), py = y0 + (k >> 1);
      const guint8 *p;

      if (px < 0 || py < 0 || px >= pixels->width || py >= pixels->height)
        continue;
      p = pixels->data + (gsize) py * pixels->stride + (gsize) px * pixels->channels;
      sum += ((k & 1) ? fx : 1 - fx) * ((k >> 1) ? fy : 1 - fy) * (p[0] + p[1] + p[2]);
    }
  return sum;
}

/* A grey square of @side pixels showing @pixels around @centre turned
 * by -@degrees, so that a face tilted by @degrees stands upright in it,
 * @zoom of its pixels to one of the picture. */
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
  /* The copy's corners in the picture: when all four are inside, so is
   * every pixel, and the loop below reads without checking. */
  gboolean inside = TRUE;

  for (int k = 0; k < 4; k++)
    {
      double du = ((k & 1) ? side : 0) - half, dv = ((k >> 1) ? side : 0) - half;
      double x = centre.x + du * c - dv * s, y = centre.y + du * s + dv * c;

      inside = inside && x >= 0 && y >= 0 && x < pixels->width - 1 && y < pixels->height - 1;
    }

  for (int v = 0; v < side; v++)
    {
      /* Along a row of the copy, the picture point moves by (c, s). */
      double x = centre.x - half * c - (v - half) * s;
      double y = centre.y - half * s + (v - half) * c;
      guint8 *out = copy + (gsize) v * side;

      for (int u = 0; u < side; u++, x += c, y += s)
        {
          double sum;

          if (inside)
            {
              int x0 = (int) x, y0 = (int) y;
              double fx = x - x0, fy = y - y0;
              const guint8 *p = pixels->data + (gsize) y0 * pixels->stride + (gsize) x0 * pixels->channels;
              const guint8 *q = p + pixels->stride;
              int n = pixels->channels;

              sum = (1 - fy) * ((1 - fx) * (p[0] + p[1] + p[2]) + fx * (p[n] + p[n + 1] + p[n + 2]))
                    + fy * ((1 - fx) * (q[0] + q[1] + q[2]) + fx * (q[n] + q[n + 1] + q[n + 2]));
            }
          else
            {
              sum = grey_at (pixels, x, y);
            }
          out[u] = (guint8) CLAMP ((int) (sum / 3 + 0.5), 0, 255);
        }
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
            double        box_side,
            double        margin)
{
  UprightCopy place;
  double side = MAX (box->width, box->height);

  place.centre = (PaPoint) { box->x + box->width / 2.0, box->y + box->height / 2.0 };
  place.zoom = MIN (box_side / side, 2.0);
  place.side = (int) ceil (margin * side * place.zoom);
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
  UprightCopy place = place_copy (box, FIT_BOX_SIDE, FIT_MARGIN);
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
   * a hint off by 15° settles within 1.5° in two or three fits. */
  for (int round = 0; round < 3; round++)
    {
      double found;

      if (!fit_turned (dlib, pixels, box, roll, landmarks, error))
        return FALSE;
      found = pa_face_fit_roll_of (landmarks);
      if (fabs (found - roll) < 1.5)
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
  UprightCopy place = place_copy (box, RECHECK_BOX_SIDE, RECHECK_MARGIN);
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
