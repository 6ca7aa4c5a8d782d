/* pa-geometry-private.h — the plane geometry the face swap stands on:
 * orientation, convex hulls and polygons, Delaunay triangles
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-geometry-private.h is private to core/media: use its public headers"
#endif

#include <glib.h>

#include "pa-pixels.h"

G_BEGIN_DECLS

/* Twice the signed area of a, b, c: positive when they turn the way x
 * turns into y (clockwise on screen, where y points down). Every
 * polygon and triangle here has that positive orientation. */
static inline double
pa_orient2d (PaPoint a,
             PaPoint b,
             PaPoint c)
{
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/* Three indexes into a point array, positively oriented. */
typedef struct {
  int v[3];
} PaTriangle;

/* The Delaunay triangulation of @points (Bowyer–Watson, then filled out
 * to their convex hull), leaving out points whose @skip is TRUE (@skip
 * may be NULL), points that repeat an earlier one and points that are
 * not finite. An empty array when the points used span no area (fewer
 * than three, or all on one line). */
GArray   *pa_delaunay_triangulate (const PaPoint  *points,
                                   guint           n_points,
                                   const gboolean *skip);

/* The convex hull of the points @indexes[0..n-1] of @points (Andrew's
 * monotone chain), positively oriented, without points on its edges:
 * writes up to @n indexes into @hull_out and returns how many (0 to 2
 * when the points span no area). */
guint     pa_convex_hull          (const PaPoint  *points,
                                   const int      *indexes,
                                   guint           n,
                                   int            *hull_out);

#define PA_CONVEX_POLYGON_MAX 32

/* A convex polygon as the intersection of its edges' inner half-planes:
 * depth(p) = nx·x + ny·y + c is the distance from p to an edge's line,
 * positive inside, and the smallest over the edges is p's distance to
 * the polygon's boundary. */
typedef struct {
  guint  n;
  double nx[PA_CONVEX_POLYGON_MAX];
  double ny[PA_CONVEX_POLYGON_MAX];
  double c[PA_CONVEX_POLYGON_MAX];
  double min_x, min_y, max_x, max_y;
} PaConvexPolygon;

/* From @n (3 to PA_CONVEX_POLYGON_MAX) positively oriented vertices;
 * FALSE when an edge has no length or a vertex is not finite. */
gboolean  pa_convex_polygon_init  (PaConvexPolygon *self,
                                   const PaPoint   *vertices,
                                   guint            n);
/* The distance from (x, y) to the boundary, negative outside (there
 * only a lower bound of the distance). */
double    pa_convex_polygon_depth (const PaConvexPolygon *self,
                                   double                 x,
                                   double                 y);
/* The x where row @y is at least @depth inside: [*lo, *hi]; FALSE when
 * there is none. */
gboolean  pa_convex_polygon_span  (const PaConvexPolygon *self,
                                   double                 y,
                                   double                 depth,
                                   double                *lo,
                                   double                *hi);

G_END_DECLS
