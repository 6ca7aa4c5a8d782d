/* pa-face-swap.c — puts one face onto another: triangle warp, colour
 * transfer and a feathered blend, in plain C
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "pa-colour-private.h"
#include "pa-error.h"
#include "pa-face-swap.h"
#include "pa-geometry-private.h"

/* The outline blended through is the convex hull of the jaw (0–16) and
 * the brows (17–26). The warp covers the hull of every landmark but the
 * inner lips, a superset of it, so the mask can stay inside the outline:
 * nothing outside the hull ever changes. */
#define OUTLINE_LAST       26
#define INNER_LIPS_FIRST   60
#define INNER_LIPS_LAST    67

/* All as fractions of the face's eye distance, so that they scale with
 * the face. The blend starts a little inside the outline, since the jaw
 * points sit on the face's very edge; the colour statistics come from
 * well inside it, where there is skin, eyes and mouth and no background
 * or hair. */
#define DEFAULT_FEATHER    0.25
#define MAX_FEATHER        2.0
#define ERODE              0.04
#define STATS_DEPTH        0.15

/* The transfer matches spreads, within reason: a flat-lit target must
 * not turn a source's shading into noise, nor the reverse. */
#define MIN_SPREAD_RATIO   0.4
#define MAX_SPREAD_RATIO   2.5
/* Except for colour a target does not have: a face in a black-and-white
 * (or sepia) picture has next to no spread in a and b, and there the
 * source's colour goes wholly, or the face would stand out in colour. */
#define NO_CHROMA_SPREAD   1.5

/* Around the source face, for bilinear sampling at its edge. */
#define SOURCE_MARGIN      2

struct _PaFaceSource {
  gatomicrefcount  ref_count;
  /* The source picture around the face, in Lab, width × height × 3:
   * converted once, since every target (every video frame) samples it. */
  int              width;
  int              height;
  float           *lab;
  /* In the frame of that region. */
  PaPoint          landmarks[PA_FACE_N_LANDMARKS];
  PaTriangle      *triangles;
  guint            n_triangles;
  gboolean         has_stats;
  double           mean[3];
  double           std[3];
};

G_DEFINE_BOXED_TYPE (PaFaceSource, pa_face_source, pa_face_source_ref, pa_face_source_unref)

/* What the mask and the statistics need of a face's landmarks. */
typedef struct {
  PaConvexPolygon hull;
  double          eye_distance;
} Outline;

/* FALSE when the landmarks are not finite or outline no area: a face
 * marked GOOD by a caller is still checked, not trusted. */
static gboolean
outline_init (Outline      *self,
              const PaFace *face)
{
  const PaPoint *landmarks = face->landmarks;
  int indexes[OUTLINE_LAST + 1];
  int hull[OUTLINE_LAST + 1];
  PaPoint vertices[OUTLINE_LAST + 1];
  PaFace measured = *face;
  guint n;

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    if (!isfinite (landmarks[i].x) || !isfinite (landmarks[i].y)
        || fabs (landmarks[i].x) > 1e7 || fabs (landmarks[i].y) > 1e7)
      return FALSE;

  /* Measured again from the landmarks, not read from the face. */
  pa_face_update_quality (&measured);
  self->eye_distance = measured.eye_distance;
  if (!(self->eye_distance >= 1.0))
    return FALSE;

  for (int i = 0; i <= OUTLINE_LAST; i++)
    indexes[i] = i;
  n = pa_convex_hull (landmarks, indexes, OUTLINE_LAST + 1, hull);
  if (n < 3)
    return FALSE;
  for (guint i = 0; i < n; i++)
    vertices[i] = landmarks[hull[i]];
  return pa_convex_polygon_init (&self->hull, vertices, n);
}

static double
clamp_double (double v,
              double lo,
              double hi)
{
  return v > lo ? (v < hi ? v : hi) : lo;   /* NaN goes to lo */
}

/* The pixels of a @width × @height picture the outline may touch;
 * FALSE when it lies wholly outside. */
static gboolean
outline_bounds (const Outline *self,
                int            width,
                int            height,
                PaRect        *out)
{
  int x0 = (int) clamp_double (floor (self->hull.min_x), 0, width);
  int y0 = (int) clamp_double (floor (self->hull.min_y), 0, height);
  int x1 = (int) clamp_double (ceil (self->hull.max_x), -1, width - 1);
  int y1 = (int) clamp_double (ceil (self->hull.max_y), -1, height - 1);

  *out = (PaRect) { x0, y0, MAX (x1 - x0 + 1, 0), MAX (y1 - y0 + 1, 0) };
  return out->width > 0 && out->height > 0;
}

/* The columns of row @y inside @rect at least @depth inside the hull. */
static gboolean
outline_row (const Outline *self,
             int            y,
             double         depth,
             const PaRect  *rect,
             int           *x0,
             int           *x1)
{
  double lo, hi;

  if (!pa_convex_polygon_span (&self->hull, y, depth, &lo, &hi))
    return FALSE;
  *x0 = (int) clamp_double (ceil (lo), rect->x, rect->x + rect->width);
  *x1 = (int) clamp_double (floor (hi), rect->x - 1, rect->x + rect->width - 1);
  return *x0 <= *x1;
}

static double
feather_of (const PaFaceSwapOptions *options)
{
  if (options == NULL || !(options->feather > 0))
    return DEFAULT_FEATHER;
  return MIN (options->feather, MAX_FEATHER);
}

/* Writes the mask for the pixels of @rect into @mask (its first byte
 * for @rect's top-left pixel, rows @mask_stride apart): 0 up to ERODE
 * inside the outline, rising smoothly to 255 over the feather. Pixels
 * outside the outline are not written. @nonzero receives the rectangle
 * that holds every byte above 0 (empty when none is). */
static void
fill_mask (const Outline           *outline,
           const PaFaceSwapOptions *options,
           const PaRect            *rect,
           guint8                  *mask,
           gsize                    mask_stride,
           PaRect                  *nonzero)
{
  double erode = ERODE * outline->eye_distance;
  double ramp = MAX (feather_of (options) * outline->eye_distance, 1.0);
  int min_x = G_MAXINT, min_y = G_MAXINT, max_x = G_MININT, max_y = G_MININT;

  for (int y = rect->y; y < rect->y + rect->height; y++)
    {
      guint8 *row = mask + (gsize) (y - rect->y) * mask_stride;
      int x0, x1, deep0 = 0, deep1 = -1;
      gboolean any = FALSE;

      if (!outline_row (outline, y, erode, rect, &x0, &x1))
        continue;
      outline_row (outline, y, erode + ramp, rect, &deep0, &deep1);
      for (int x = x0; x <= x1; x++)
        {
          guint8 value = 255;

          if (x < deep0 || x > deep1)
            {
              double t = (pa_convex_polygon_depth (&outline->hull, x, y) - erode) / ramp;

              t = clamp_double (t, 0, 1);
              value = (guint8) lrint (255.0 * t * t * (3 - 2 * t));
            }
          row[x - rect->x] = value;
          if (value == 0)
            continue;
          any = TRUE;
          min_x = MIN (min_x, x);
          max_x = MAX (max_x, x);
        }
      if (any)
        {
          min_y = MIN (min_y, y);
          max_y = y;
        }
    }

  if (min_y > max_y)
    *nonzero = (PaRect) { 0, 0, 0, 0 };
  else
    *nonzero = (PaRect) { min_x, min_y, max_x - min_x + 1, max_y - min_y + 1 };
}

static gboolean
check_pixels (const PaPixels  *pixels,
              GError         **error)
{
  if (pixels->data == NULL || pixels->width <= 0 || pixels->height <= 0
      || (pixels->channels != 3 && pixels->channels != 4)
      || pixels->width > G_MAXINT / pixels->channels
      || pixels->stride < pixels->width * pixels->channels)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The picture’s layout cannot be used for a face swap (%d × %d, %d channels, %d bytes a row)"),
                   pixels->width, pixels->height, pixels->channels, pixels->stride);
      return FALSE;
    }
  return TRUE;
}

static gboolean
check_face (const PaFace  *face,
            Outline       *outline,
            GError       **error)
{
  if (face->quality != PA_FACE_QUALITY_GOOD)
    {
      g_autofree char *why = pa_face_describe_quality (face);

      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT, why);
      return FALSE;
    }
  if (!outline_init (outline, face))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The landmarks of face %d do not outline a face"), face->index);
      return FALSE;
    }
  return TRUE;
}

/* ---- the source ---- */

PaFaceSource *
pa_face_source_new (const PaPixels  *pixels,
                    const PaFace    *face,
                    GError         **error)
{
  g_autoptr(PaFaceSource) self = NULL;
  g_autoptr(GArray) triangles = NULL;
  gboolean skip[PA_FACE_N_LANDMARKS] = { FALSE };
  Outline outline;
  PaRect region;
  PaLabStats stats = { 0 };
  double min_x = INFINITY, min_y = INFINITY, max_x = -INFINITY, max_y = -INFINITY;

  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (face != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_pixels (pixels, error) || !check_face (face, &outline, error))
    return NULL;

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      min_x = MIN (min_x, face->landmarks[i].x);
      min_y = MIN (min_y, face->landmarks[i].y);
      max_x = MAX (max_x, face->landmarks[i].x);
      max_y = MAX (max_y, face->landmarks[i].y);
    }
  region.x = (int) clamp_double (floor (min_x) - SOURCE_MARGIN, 0, pixels->width);
  region.y = (int) clamp_double (floor (min_y) - SOURCE_MARGIN, 0, pixels->height);
  region.width = (int) clamp_double (ceil (max_x) + SOURCE_MARGIN + 1, 0, pixels->width) - region.x;
  region.height = (int) clamp_double (ceil (max_y) + SOURCE_MARGIN + 1, 0, pixels->height) - region.y;
  if (region.width <= 0 || region.height <= 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Face %d lies outside the picture"), face->index);
      return NULL;
    }

  /* One topology for every target: the source's own Delaunay triangles.
   * The inner lips are left out, so that an open mouth is not stretched
   * over a closed one (and the reverse) triangle by triangle. */
  for (int i = INNER_LIPS_FIRST; i <= INNER_LIPS_LAST; i++)
    skip[i] = TRUE;
  triangles = pa_delaunay_triangulate (face->landmarks, PA_FACE_N_LANDMARKS, skip);
  if (triangles->len == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The landmarks of face %d do not outline a face"), face->index);
      return NULL;
    }

  self = g_new0 (PaFaceSource, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->width = region.width;
  self->height = region.height;
  self->lab = g_new (float, (gsize) region.width * region.height * 3);
  for (int y = 0; y < region.height; y++)
    {
      const guint8 *row = pixels->data + (gsize) (region.y + y) * pixels->stride
                          + (gsize) region.x * pixels->channels;

      for (int x = 0; x < region.width; x++)
        pa_colour_rgb_to_lab (row + (gsize) x * pixels->channels,
                              &self->lab[((gsize) y * region.width + x) * 3]);
    }
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    self->landmarks[i] = (PaPoint) { face->landmarks[i].x - region.x, face->landmarks[i].y - region.y };
  self->n_triangles = triangles->len;
  self->triangles = (PaTriangle *) g_array_free (g_steal_pointer (&triangles), FALSE);

  /* The face's colours, from the same part of it as the target's. */
  for (int y = region.y; y < region.y + region.height; y++)
    {
      int x0, x1;

      if (!outline_row (&outline, y, STATS_DEPTH * outline.eye_distance, &region, &x0, &x1))
        continue;
      for (int x = x0; x <= x1; x++)
        pa_lab_stats_add (&stats, &self->lab[((gsize) (y - region.y) * region.width + (x - region.x)) * 3]);
    }
  self->has_stats = pa_lab_stats_get (&stats, self->mean, self->std);

  return g_steal_pointer (&self);
}

PaFaceSource *
pa_face_source_ref (PaFaceSource *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

void
pa_face_source_unref (PaFaceSource *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->lab);
  g_free (self->triangles);
  g_free (self);
}

/* ---- the swap ---- */

typedef struct {
  const PaFaceSource *source;
  PaPixels           *target;
  /* The mask over rect; a pixel's byte goes to 0 once it is written, so
   * that a pixel on an edge shared by two triangles is done once. */
  guint8             *mask;
  PaRect              rect;
  gboolean            colour;
  float               scale[3];
  float               offset[3];
} Swap;

static inline void
sample_source (const PaFaceSource *source,
               double              x,
               double              y,
               float              *lab)
{
  double fx, fy;
  int x0, y0, x1, y1;
  const float *p00, *p01, *p10, *p11;

  x = clamp_double (x, 0, source->width - 1);
  y = clamp_double (y, 0, source->height - 1);
  x0 = (int) x;
  y0 = (int) y;
  x1 = MIN (x0 + 1, source->width - 1);
  y1 = MIN (y0 + 1, source->height - 1);
  fx = x - x0;
  fy = y - y0;
  p00 = &source->lab[((gsize) y0 * source->width + x0) * 3];
  p01 = &source->lab[((gsize) y0 * source->width + x1) * 3];
  p10 = &source->lab[((gsize) y1 * source->width + x0) * 3];
  p11 = &source->lab[((gsize) y1 * source->width + x1) * 3];
  for (int c = 0; c < 3; c++)
    {
      double top = p00[c] + fx * (p01[c] - p00[c]);
      double bottom = p10[c] + fx * (p11[c] - p10[c]);

      lab[c] = (float) (top + fy * (bottom - top));
    }
}

/* Blends the source's colour at (sx, sy) into target pixel (x, y). */
static inline void
swap_pixel (Swap   *swap,
            guint8 *weight,
            int     x,
            int     y,
            double  sx,
            double  sy)
{
  guint8 *pixel = swap->target->data + (gsize) y * swap->target->stride
                  + (gsize) x * swap->target->channels;
  float lab[3], rgb[3], alpha = *weight / 255.0f;

  sample_source (swap->source, sx, sy, lab);
  if (swap->colour)
    for (int c = 0; c < 3; c++)
      lab[c] = lab[c] * swap->scale[c] + swap->offset[c];
  pa_colour_lab_to_rgb (lab, rgb);
  for (int c = 0; c < 3; c++)
    pixel[c] = (guint8) lrintf (pixel[c] + (rgb[c] - pixel[c]) * alpha);
  *weight = 0;
}

/* Matches the source's Lab mean and spread to the target's, over the
 * same part of both faces. */
static void
plan_colour (Swap          *swap,
             const Outline *outline)
{
  PaLabStats stats = { 0 };
  const PaPixels *target = swap->target;
  double mean[3], std[3];

  swap->colour = FALSE;
  if (!swap->source->has_stats)
    return;
  /* Every other pixel of every other row: a face has thousands. */
  for (int y = swap->rect.y; y < swap->rect.y + swap->rect.height; y += 2)
    {
      int x0, x1;

      if (!outline_row (outline, y, STATS_DEPTH * outline->eye_distance, &swap->rect, &x0, &x1))
        continue;
      for (int x = x0; x <= x1; x += 2)
        {
          float lab[3];

          pa_colour_rgb_to_lab (target->data + (gsize) y * target->stride + (gsize) x * target->channels, lab);
          pa_lab_stats_add (&stats, lab);
        }
    }
  if (!pa_lab_stats_get (&stats, mean, std))
    return;
  for (int c = 0; c < 3; c++)
    {
      double ratio = swap->source->std[c] > 1e-3 ? std[c] / swap->source->std[c] : 1.0;

      if (c > 0 && std[c] < NO_CHROMA_SPREAD)
        ratio = MIN (ratio, MAX_SPREAD_RATIO);
      else
        ratio = clamp_double (ratio, MIN_SPREAD_RATIO, MAX_SPREAD_RATIO);
      swap->scale[c] = (float) ratio;
      swap->offset[c] = (float) (mean[c] - swap->source->mean[c] * ratio);
    }
  swap->colour = TRUE;
}

/* Warps source triangle @t onto the target's landmarks @to; skips it
 * when the target's pose has flattened or flipped it (its pixels are
 * then left to the whole-face fallback). */
static void
warp_triangle (Swap             *swap,
               const PaTriangle *t,
               const PaPoint    *to)
{
  const PaPoint *from = swap->source->landmarks;
  PaPoint a = to[t->v[0]], b = to[t->v[1]], c = to[t->v[2]];
  PaPoint sa = from[t->v[0]], sb = from[t->v[1]], sc = from[t->v[2]];
  PaPoint corners[3] = { a, b, c };
  PaConvexPolygon triangle;
  double area = pa_orient2d (a, b, c);
  double ux, vx, uy, vy;
  int y0, y1;

  if (!(area > 1e-6) || !pa_convex_polygon_init (&triangle, corners, 3))
    return;

  /* p = a + α(b − a) + β(c − a) in the target is the same α, β in the
   * source; α and β are affine in p. */
  ux = (c.y - a.y) / area;
  uy = -(c.x - a.x) / area;
  vx = -(b.y - a.y) / area;
  vy = (b.x - a.x) / area;

  y0 = (int) clamp_double (ceil (triangle.min_y), swap->rect.y, swap->rect.y + swap->rect.height);
  y1 = (int) clamp_double (floor (triangle.max_y), swap->rect.y - 1, swap->rect.y + swap->rect.height - 1);
  for (int y = y0; y <= y1; y++)
    {
      double lo, hi;
      int x0, x1;

      if (!pa_convex_polygon_span (&triangle, y, -1e-7, &lo, &hi))
        continue;
      x0 = (int) clamp_double (ceil (lo), swap->rect.x, swap->rect.x + swap->rect.width);
      x1 = (int) clamp_double (floor (hi), swap->rect.x - 1, swap->rect.x + swap->rect.width - 1);
      for (int x = x0; x <= x1; x++)
        {
          guint8 *weight = &swap->mask[(gsize) (y - swap->rect.y) * swap->rect.width + (x - swap->rect.x)];
          double dx = x - a.x, dy = y - a.y, alpha, beta;

          if (*weight == 0)
            continue;
          alpha = ux * dx + uy * dy;
          beta = vx * dx + vy * dy;
          swap_pixel (swap, weight, x, y,
                      sa.x + alpha * (sb.x - sa.x) + beta * (sc.x - sa.x),
                      sa.y + alpha * (sb.y - sa.y) + beta * (sc.y - sa.y));
        }
    }
}

/* Pixels of the mask no triangle covered (a flipped triangle, or the
 * outline reaching past the warped hull) take the source through the
 * similarity that best maps the target's landmarks onto the source's:
 * close to what the triangles would give, and never a hole. */
static void
warp_rest (Swap          *swap,
           const PaPoint *to)
{
  const PaPoint *from = swap->source->landmarks;
  double tx = 0, ty = 0, sx = 0, sy = 0, num_a = 0, num_b = 0, den = 0, ca, cb;
  int n = 0;

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      if (i >= INNER_LIPS_FIRST && i <= INNER_LIPS_LAST)
        continue;
      tx += to[i].x;
      ty += to[i].y;
      sx += from[i].x;
      sy += from[i].y;
      n++;
    }
  tx /= n;
  ty /= n;
  sx /= n;
  sy /= n;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      double px = to[i].x - tx, py = to[i].y - ty, qx = from[i].x - sx, qy = from[i].y - sy;

      if (i >= INNER_LIPS_FIRST && i <= INNER_LIPS_LAST)
        continue;
      num_a += px * qx + py * qy;
      num_b += px * qy - py * qx;
      den += px * px + py * py;
    }
  ca = den > 0 ? num_a / den : 1;
  cb = den > 0 ? num_b / den : 0;

  for (int y = swap->rect.y; y < swap->rect.y + swap->rect.height; y++)
    {
      guint8 *row = &swap->mask[(gsize) (y - swap->rect.y) * swap->rect.width];

      for (int x = swap->rect.x; x < swap->rect.x + swap->rect.width; x++)
        {
          double px = x - tx, py = y - ty;

          if (row[x - swap->rect.x] != 0)
            swap_pixel (swap, &row[x - swap->rect.x], x, y,
                        sx + ca * px - cb * py, sy + cb * px + ca * py);
        }
    }
}

gboolean
pa_face_swap_apply (const PaFaceSource       *source,
                    PaPixels                 *target,
                    const PaFace             *target_face,
                    const PaFaceSwapOptions  *options,
                    PaRect                   *changed_out,
                    GError                  **error)
{
  g_autofree guint8 *mask = NULL;
  Outline outline;
  PaRect bounds, changed;
  Swap swap = { 0 };

  g_return_val_if_fail (source != NULL, FALSE);
  g_return_val_if_fail (target != NULL, FALSE);
  g_return_val_if_fail (target_face != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (changed_out != NULL)
    *changed_out = (PaRect) { 0, 0, 0, 0 };
  if (!check_pixels (target, error) || !check_face (target_face, &outline, error))
    return FALSE;
  if (!outline_bounds (&outline, target->width, target->height, &bounds))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Face %d lies outside the picture"), target_face->index);
      return FALSE;
    }

  mask = g_malloc0 ((gsize) bounds.width * bounds.height);
  fill_mask (&outline, options, &bounds, mask, bounds.width, &changed);
  if (changed.width == 0)
    return TRUE;

  swap.source = source;
  swap.target = target;
  swap.rect = bounds;
  swap.mask = mask;
  /* The statistics read the target before any pixel of it changes. */
  if (options == NULL || !options->no_colour)
    plan_colour (&swap, &outline);
  for (guint i = 0; i < source->n_triangles; i++)
    warp_triangle (&swap, &source->triangles[i], target_face->landmarks);
  warp_rest (&swap, target_face->landmarks);

  if (changed_out != NULL)
    *changed_out = changed;
  return TRUE;
}

guint8 *
pa_face_swap_make_mask (const PaFace             *target_face,
                        int                       width,
                        int                       height,
                        const PaFaceSwapOptions  *options)
{
  guint8 *mask;
  Outline outline;
  PaRect bounds, nonzero;

  g_return_val_if_fail (target_face != NULL, NULL);
  g_return_val_if_fail (width > 0 && height > 0, NULL);

  mask = g_malloc0_n ((gsize) width, height);
  if (outline_init (&outline, target_face)
      && outline_bounds (&outline, width, height, &bounds))
    fill_mask (&outline, options, &bounds,
               mask + (gsize) bounds.y * width + bounds.x, width, &nonzero);
  return mask;
}
