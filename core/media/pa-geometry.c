/* pa-geometry.c — orientation, convex hulls and polygons, Delaunay
 * triangles, for the face swap
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "pa-geometry-private.h"

static gboolean
point_is_finite (PaPoint p)
{
  return isfinite (p.x) && isfinite (p.y);
}

static gboolean
comes_before (PaPoint p,
              PaPoint q)
{
  return p.x < q.x || (p.x == q.x && p.y < q.y);
}

/* ---- convex hull ---- */

guint
pa_convex_hull (const PaPoint *points,
                const int     *indexes,
                guint          n,
                int           *hull_out)
{
  g_autofree int *order = NULL;
  g_autofree int *chain = NULL;
  guint n_order = 0, k = 0;

  g_return_val_if_fail (points != NULL && indexes != NULL && hull_out != NULL, 0);

  order = g_new (int, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    if (point_is_finite (points[indexes[i]]))
      order[n_order++] = indexes[i];
  if (n_order < 3)
    return 0;

  /* Insertion sort: a hull here has a few dozen points at most. */
  for (guint i = 1; i < n_order; i++)
    {
      int v = order[i];
      guint j = i;

      for (; j > 0 && comes_before (points[v], points[order[j - 1]]); j--)
        order[j] = order[j - 1];
      order[j] = v;
    }

  /* Andrew's monotone chain: the lower hull left to right, then the
   * upper one back, dropping every turn that is not positive (which also
   * drops repeated points and points on an edge). */
  chain = g_new (int, 2 * n_order);
  for (guint i = 0; i < n_order; i++)
    {
      while (k >= 2 && pa_orient2d (points[chain[k - 2]], points[chain[k - 1]], points[order[i]]) <= 0)
        k--;
      chain[k++] = order[i];
    }
  for (guint i = n_order - 1, lower = k + 1; i-- > 0;)
    {
      while (k >= lower && pa_orient2d (points[chain[k - 2]], points[chain[k - 1]], points[order[i]]) <= 0)
        k--;
      chain[k++] = order[i];
    }
  k--;   /* the chain ends where it began */
  if (k < 3)
    return 0;
  memcpy (hull_out, chain, k * sizeof *hull_out);
  return k;
}

/* ---- convex polygons ---- */

gboolean
pa_convex_polygon_init (PaConvexPolygon *self,
                        const PaPoint   *vertices,
                        guint            n)
{
  g_return_val_if_fail (self != NULL && vertices != NULL, FALSE);

  memset (self, 0, sizeof *self);
  if (n < 3 || n > PA_CONVEX_POLYGON_MAX)
    return FALSE;

  self->min_x = self->min_y = INFINITY;
  self->max_x = self->max_y = -INFINITY;
  for (guint i = 0; i < n; i++)
    {
      PaPoint a = vertices[i], b = vertices[(i + 1) % n];
      double dx = b.x - a.x, dy = b.y - a.y, length = hypot (dx, dy);

      if (!point_is_finite (a) || !(length > 0) || !isfinite (length))
        return FALSE;
      /* Inside is left of a→b in the positive orientation. */
      self->nx[i] = -dy / length;
      self->ny[i] = dx / length;
      self->c[i] = (dy * a.x - dx * a.y) / length;
      self->min_x = MIN (self->min_x, a.x);
      self->min_y = MIN (self->min_y, a.y);
      self->max_x = MAX (self->max_x, a.x);
      self->max_y = MAX (self->max_y, a.y);
    }
  self->n = n;
  return TRUE;
}

double
pa_convex_polygon_depth (const PaConvexPolygon *self,
                         double                 x,
                         double                 y)
{
  double depth = INFINITY;

  for (guint i = 0; i < self->n; i++)
    depth = MIN (depth, self->nx[i] * x + self->ny[i] * y + self->c[i]);
  return depth;
}

gboolean
pa_convex_polygon_span (const PaConvexPolygon *self,
                        double                 y,
                        double                 depth,
                        double                *lo,
                        double                *hi)
{
  double from = -INFINITY, to = INFINITY;

  if (self->n == 0)
    return FALSE;

  for (guint i = 0; i < self->n; i++)
    {
      /* nx·x ≥ depth − ny·y − c */
      double k = depth - self->ny[i] * y - self->c[i];

      if (self->nx[i] > 1e-12)
        from = MAX (from, k / self->nx[i]);
      else if (self->nx[i] < -1e-12)
        to = MIN (to, k / self->nx[i]);
      else if (k > 0)
        return FALSE;
    }
  if (!(from <= to))
    return FALSE;
  *lo = from;
  *hi = to;
  return TRUE;
}

/* ---- Delaunay ---- */

/* How far d lies inside the circle through a, b, c (positively
 * oriented): positive inside, in units of length⁴. Computed relative to
 * d, which keeps the terms small. */
static double
in_circle (PaPoint a,
           PaPoint b,
           PaPoint c,
           PaPoint d)
{
  double adx = a.x - d.x, ady = a.y - d.y;
  double bdx = b.x - d.x, bdy = b.y - d.y;
  double cdx = c.x - d.x, cdy = c.y - d.y;
  double ad = adx * adx + ady * ady;
  double bd = bdx * bdx + bdy * bdy;
  double cd = cdx * cdx + cdy * cdy;

  return adx * (bdy * cd - bd * cdy)
       - ady * (bdx * cd - bd * cdx)
       + ad * (bdx * cdy - bdy * cdx);
}

static void
add_triangle (GArray        *triangles,
              const PaPoint *points,
              int            a,
              int            b,
              int            c)
{
  PaTriangle t = { { a, b, c } };

  if (pa_orient2d (points[a], points[b], points[c]) < 0)
    {
      t.v[1] = c;
      t.v[2] = b;
    }
  g_array_append_val (triangles, t);
}

/* The triangle other than @self with the edge to → from, or -1. */
static int
find_twin (const GArray *triangles,
           guint         self,
           int           from,
           int           to,
           int          *opposite)
{
  for (guint i = 0; i < triangles->len; i++)
    {
      const PaTriangle *t = &g_array_index (triangles, PaTriangle, i);

      if (i == self)
        continue;
      for (int e = 0; e < 3; e++)
        if (t->v[e] == to && t->v[(e + 1) % 3] == from)
          {
            *opposite = t->v[(e + 2) % 3];
            return i;
          }
    }
  return -1;
}

/* Lawson's flips: an edge whose opposite vertex lies inside the other
 * triangle's circumcircle is turned, until none is. Every flip keeps a
 * valid triangulation (only convex pairs are turned), so however far the
 * rounding lets it get, the result covers the hull without overlap; the
 * tolerance and the cap stop points on one circle from flipping back and
 * forth. */
static void
make_delaunay (GArray        *triangles,
               const PaPoint *points,
               double         extent)
{
  double tolerance = 1e-12 * extent * extent * extent * extent;
  guint budget = 100 * triangles->len * triangles->len + 100;
  gboolean flipped = TRUE;

  while (flipped && budget > 0)
    {
      flipped = FALSE;
      for (guint i = 0; i < triangles->len && budget > 0; i++)
        for (int e = 0; e < 3; e++)
          {
            PaTriangle *t = &g_array_index (triangles, PaTriangle, i);
            int a = t->v[e], b = t->v[(e + 1) % 3], c = t->v[(e + 2) % 3], d;
            int j = find_twin (triangles, i, a, b, &d);

            if (j < 0
                || !(in_circle (points[a], points[b], points[c], points[d]) > tolerance)
                || !(pa_orient2d (points[a], points[d], points[c]) > 0)
                || !(pa_orient2d (points[d], points[b], points[c]) > 0))
              continue;
            *t = (PaTriangle) { { a, d, c } };
            g_array_index (triangles, PaTriangle, j) = (PaTriangle) { { d, b, c } };
            flipped = TRUE;
            budget--;
            break;
          }
    }
}

GArray *
pa_delaunay_triangulate (const PaPoint  *points,
                         guint           n_points,
                         const gboolean *skip)
{
  g_autofree int *order = NULL;
  g_autofree int *hull = NULL;
  GArray *triangles = g_array_new (FALSE, FALSE, sizeof (PaTriangle));
  guint n = 0, first, n_hull = 0;
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;

  g_return_val_if_fail (points != NULL || n_points == 0, triangles);

  order = g_new (int, MAX (n_points, 1));
  for (guint i = 0; i < n_points; i++)
    if ((skip == NULL || !skip[i]) && point_is_finite (points[i]))
      order[n++] = i;

  /* Left to right (insertion sort: a face has 60 points), each point
   * once. */
  for (guint i = 1; i < n; i++)
    {
      int v = order[i];
      guint j = i;

      for (; j > 0 && comes_before (points[v], points[order[j - 1]]); j--)
        order[j] = order[j - 1];
      order[j] = v;
    }
  {
    guint kept = 0;

    for (guint i = 0; i < n; i++)
      if (kept == 0 || points[order[i]].x != points[order[kept - 1]].x
          || points[order[i]].y != points[order[kept - 1]].y)
        order[kept++] = order[i];
    n = kept;
  }
  for (guint i = 0; i < n; i++)
    {
      min_x = MIN (min_x, points[order[i]].x);
      min_y = MIN (min_y, points[order[i]].y);
      max_x = MAX (max_x, points[order[i]].x);
      max_y = MAX (max_y, points[order[i]].y);
    }

  /* The first points may all lie on one line: a fan from the first point
   * off it. */
  for (first = 2; first < n; first++)
    if (pa_orient2d (points[order[0]], points[order[1]], points[order[first]]) != 0)
      break;
  if (first >= n)
    return triangles;

  hull = g_new (int, n + 1);
  for (guint i = 0; i + 1 < first; i++)
    add_triangle (triangles, points, order[i], order[i + 1], order[first]);
  if (pa_orient2d (points[order[0]], points[order[1]], points[order[first]]) > 0)
    for (guint i = 0; i < first; i++)
      hull[n_hull++] = order[i];
  else
    for (guint i = first; i-- > 0;)
      hull[n_hull++] = order[i];
  hull[n_hull++] = order[first];

  /* Then each next point, outside the hull so far since it comes last
   * left to right, joins every hull edge it sees; those edges are one
   * run, which the point replaces in the hull. */
  for (guint k = first + 1; k < n; k++)
    {
      int p = order[k];
      guint run_start = 0, run_end = 0;
      gboolean any = FALSE;

      for (guint i = 0; i < n_hull; i++)
        {
          int u = hull[i], v = hull[(i + 1) % n_hull];
          gboolean seen = pa_orient2d (points[u], points[v], points[p]) < 0;
          gboolean seen_before = pa_orient2d (points[hull[(i + n_hull - 1) % n_hull]], points[u], points[p]) < 0;

          if (!seen)
            continue;
          add_triangle (triangles, points, u, v, p);
          any = TRUE;
          if (!seen_before)
            run_start = i;
          if (pa_orient2d (points[v], points[hull[(i + 2) % n_hull]], points[p]) >= 0)
            run_end = (i + 1) % n_hull;
        }
      if (!any)
        continue;   /* only by rounding: the point is left out */

      /* Keep hull[run_end] … hull[run_start] going round, then p. */
      {
        g_autofree int *next = g_new (int, n + 1);
        guint m = 0;

        for (guint i = run_end;; i = (i + 1) % n_hull)
          {
            next[m++] = hull[i];
            if (i == run_start)
              break;
          }
        next[m++] = p;
        memcpy (hull, next, m * sizeof *hull);
        n_hull = m;
      }
    }

  make_delaunay (triangles, points, MAX (max_x - min_x, max_y - min_y));
  return triangles;
}
