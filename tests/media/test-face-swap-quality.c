/* test-face-swap-quality.c — the face swap judged on real photographs
 * and on pictures made from them
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-face-selection.h"
#include "pa-face-swap.h"

#include "pa-test-faces.h"
#include "pa-test-photos.h"

/* The measures, and the margins they are held to. Measured on the eight
 * swaps below: the margins leave room for other photographs, and each
 * was seen to fail on a broken swap (named after "breaks:").
 *
 * - KEPT: outside the target face's jaw-and-brows hull grown by the
 *   feather (0.25 of the eye distance, the default), every byte of the
 *   output is the target's. Exact. Breaks: a mask reaching 0.5 eye
 *   distances past the hull.
 * - POSE: the detector's landmarks on the output lie on average within
 *   MEAN_LANDMARK_SHIFT (5 %) of the target's eye distance of the
 *   target's own (measured 0.033–0.044), and none further than
 *   MAX_LANDMARK_SHIFT (measured 0.096–0.162: brow ends and jaw, which
 *   lie in the blend). Breaks: the face put 10 px off (0.100); one
 *   similarity for the whole face instead of the triangles (0.069).
 * - IDENTITY: the same points of the three faces (mapped by their
 *   landmarks, see patch_select()) deep inside the blend, as grey
 *   values brought to mean 0 and deviation 1; distance = 1 − their
 *   normalised cross-correlation. The output must be nearer the source
 *   than IDENTITY_RATIO times its distance to the target (measured
 *   ratios 0.12–0.31). Breaks: a 30 % blend (7.19).
 * - SEAM: in bands 2 px wide from the hull inwards through the
 *   feather, the output's mean gradient magnitude (Sobel, on luma) is
 *   at most SEAM_FACTOR times the target's in the same band (measured
 *   1.00–1.21). Breaks: no feather, a hard mask edge (1.77).
 *
 * Only the chosen face changes: with two faces and target 0, KEPT
 * covers face 1, far outside face 0's hull. */
#define FEATHER             0.25
#define MEAN_LANDMARK_SHIFT 0.05
#define MAX_LANDMARK_SHIFT  0.25
#define IDENTITY_RATIO      0.6
#define SEAM_FACTOR         1.5

/* ---- pictures ---- */

static double
luma_at (const PaPixels *p,
         int             x,
         int             y)
{
  const guint8 *px;

  x = CLAMP (x, 0, p->width - 1);
  y = CLAMP (y, 0, p->height - 1);
  px = p->data + (gsize) y * p->stride + (gsize) x * p->channels;
  return 0.299 * px[0] + 0.587 * px[1] + 0.114 * px[2];
}

static double
luma_bilinear (const PaPixels *p,
               double          x,
               double          y)
{
  int x0 = (int) floor (x), y0 = (int) floor (y);
  double fx = x - x0, fy = y - y0;

  return (1 - fy) * ((1 - fx) * luma_at (p, x0, y0) + fx * luma_at (p, x0 + 1, y0))
         + fy * ((1 - fx) * luma_at (p, x0, y0 + 1) + fx * luma_at (p, x0 + 1, y0 + 1));
}

/* @photo turned by @degrees about its centre, same size, mid grey where
 * nothing was. */
static GdkPixbuf *
rotated (GdkPixbuf *photo,
         double     degrees)
{
  PaPixels from = pa_test_pixels_of (photo);
  GdkPixbuf *result = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, from.width, from.height);
  PaPixels to = pa_test_pixels_of (result);
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);
  double cx = from.width / 2.0, cy = from.height / 2.0;

  for (int y = 0; y < to.height; y++)
    for (int x = 0; x < to.width; x++)
      {
        double sx = cx + c * (x - cx) + s * (y - cy), sy = cy - s * (x - cx) + c * (y - cy);
        guint8 *out = to.data + (gsize) y * to.stride + (gsize) x * 3;
        int x0 = (int) floor (sx), y0 = (int) floor (sy);
        double fx = sx - x0, fy = sy - y0;

        if (x0 < 0 || y0 < 0 || x0 + 1 >= from.width || y0 + 1 >= from.height)
          {
            out[0] = out[1] = out[2] = 128;
            continue;
          }
        for (int k = 0; k < 3; k++)
          {
            const guint8 *p = from.data + (gsize) y0 * from.stride + (gsize) x0 * from.channels + k;
            double top = p[0] + fx * (p[from.channels] - p[0]);
            double bottom = p[from.stride] + fx * (p[from.stride + from.channels] - p[from.stride]);

            out[k] = (guint8) lrint (top + fy * (bottom - top));
          }
      }
  return result;
}

/* @left and @right side by side on a grey canvas. */
static GdkPixbuf *
side_by_side (GdkPixbuf *left,
              GdkPixbuf *right)
{
  int lw = gdk_pixbuf_get_width (left), lh = gdk_pixbuf_get_height (left);
  int rw = gdk_pixbuf_get_width (right), rh = gdk_pixbuf_get_height (right);
  GdkPixbuf *result = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, lw + rw, MAX (lh, rh));

  gdk_pixbuf_fill (result, 0x808080ff);
  gdk_pixbuf_copy_area (left, 0, 0, lw, lh, result, 0, 0);
  gdk_pixbuf_copy_area (right, 0, 0, rw, rh, result, lw, 0);
  return result;
}

/* ---- faces ---- */

/* The one face of @faces whose eyes are nearest @face's. */
static const PaFace *
matching_face (GPtrArray    *faces,
               const PaFace *face)
{
  PaPoint want = pa_test_face_mean (face, 36, 47);
  const PaFace *best = NULL;
  double best_distance = INFINITY;

  for (guint i = 0; i < faces->len; i++)
    {
      const PaFace *f = g_ptr_array_index (faces, i);
      PaPoint at = pa_test_face_mean (f, 36, 47);
      double d = hypot (at.x - want.x, at.y - want.y);

      if (d < best_distance)
        {
          best = f;
          best_distance = d;
        }
    }
  g_assert_nonnull (best);
  g_assert_cmpfloat (best_distance, <, 0.5 * face->eye_distance);
  return best;
}

/* The jaw-and-brows outline, by gift wrapping (the test's own hull, not
 * the engine's), positively oriented (x turning into y). */
static guint
outline_of (const PaFace *face,
            PaPoint      *hull)
{
  const PaPoint *p = face->landmarks;
  int start = 0, at;
  guint n = 0;

  for (int i = 1; i <= 26; i++)
    if (p[i].x < p[start].x || (p[i].x == p[start].x && p[i].y < p[start].y))
      start = i;
  at = start;
  do
    {
      int next = at == 0 ? 1 : 0;

      hull[n++] = p[at];
      for (int i = 0; i <= 26; i++)
        {
          double turn = (p[next].x - p[at].x) * (p[i].y - p[at].y) - (p[next].y - p[at].y) * (p[i].x - p[at].x);

          /* i is to the right of at → next: it wraps tighter. */
          if (i != at && (turn < 0 || (turn == 0 && hypot (p[i].x - p[at].x, p[i].y - p[at].y)
                                                     > hypot (p[next].x - p[at].x, p[next].y - p[at].y))))
            next = i;
        }
      at = next;
    }
  while (at != start && n < 27);
  return n;
}

/* The signed distance from (x, y) to the outline: positive inside. */
static double
outline_depth (const PaPoint *hull,
               guint          n,
               double         x,
               double         y)
{
  double inside = INFINITY, outside = INFINITY;
  gboolean out = FALSE;

  for (guint i = 0; i < n; i++)
    {
      PaPoint a = hull[i], b = hull[(i + 1) % n];
      double dx = b.x - a.x, dy = b.y - a.y, length = hypot (dx, dy);
      double side = (dx * (y - a.y) - dy * (x - a.x)) / length;
      double t = CLAMP (((x - a.x) * dx + (y - a.y) * dy) / (length * length), 0, 1);

      inside = MIN (inside, side);
      out |= side < 0;
      outside = MIN (outside, hypot (a.x + t * dx - x, a.y + t * dy - y));
    }
  return out ? -outside : inside;
}

/* ---- measures ---- */

/* KEPT: returns how many pixels changed; fails on any changed byte
 * further than the feather outside the target's outline. */
static guint
assert_kept_outside (GdkPixbuf    *target,
                     GdkPixbuf    *output,
                     const PaFace *face)
{
  PaPixels before = pa_test_pixels_of (target), after = pa_test_pixels_of (output);
  PaPoint hull[27];
  guint n = outline_of (face, hull), changed = 0;
  double reach = FEATHER * face->eye_distance;

  for (int y = 0; y < before.height; y++)
    for (int x = 0; x < before.width; x++)
      {
        const guint8 *a = before.data + (gsize) y * before.stride + (gsize) x * before.channels;
        const guint8 *b = after.data + (gsize) y * after.stride + (gsize) x * after.channels;

        if (memcmp (a, b, before.channels) == 0)
          continue;
        changed++;
        if (outline_depth (hull, n, x, y) < -reach)
          g_error ("pixel %d,%d changed, %.1f px outside the face's outline grown by %.1f px",
                   x, y, -outline_depth (hull, n, x, y), reach);
      }
  return changed;
}

/* POSE: mean and largest landmark shift, in eye distances. */
static void
landmark_shift (const PaFace *target,
                const PaFace *found,
                double       *mean,
                double       *max)
{
  *mean = *max = 0;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      double d = hypot (found->landmarks[i].x - target->landmarks[i].x,
                        found->landmarks[i].y - target->landmarks[i].y) / target->eye_distance;

      *mean += d / PA_FACE_N_LANDMARKS;
      *max = MAX (*max, d);
    }
}

/* IDENTITY: the same points of each face, found from the landmarks by
 * a moving-least-squares affine map (each point follows the landmarks
 * near it; the test's own, not the engine's triangles), on a grid over
 * the target face. Only grid points deep inside the target's outline
 * (past any reasonable erosion and the feather) count: there the output
 * is all swapped face, so what is measured is whose face it is, not how
 * wide the blend is. Each is a little average of luma, in a window that
 * scales with its face. */
#define GRID 32

typedef struct {
  PaPoint  at[GRID * GRID];      /* in the target */
  gboolean used[GRID * GRID];
  double   value[GRID * GRID];
} Patch;

static PaPoint
mls_map (const PaFace *from,
         const PaFace *to,
         PaPoint       q)
{
  double s2 = 0.01 * from->eye_distance * from->eye_distance;
  double sw = 0, px = 0, py = 0, tx = 0, ty = 0;
  double a11 = 0, a12 = 0, a22 = 0, b11 = 0, b12 = 0, b21 = 0, b22 = 0, det;
  double w[60];

  for (int i = 0; i < 60; i++)
    {
      PaPoint p = from->landmarks[i], t = to->landmarks[i];

      w[i] = 1 / ((p.x - q.x) * (p.x - q.x) + (p.y - q.y) * (p.y - q.y) + s2);
      sw += w[i];
      px += w[i] * p.x;
      py += w[i] * p.y;
      tx += w[i] * t.x;
      ty += w[i] * t.y;
    }
  px /= sw;
  py /= sw;
  tx /= sw;
  ty /= sw;
  for (int i = 0; i < 60; i++)
    {
      double hx = from->landmarks[i].x - px, hy = from->landmarks[i].y - py;
      double gx = to->landmarks[i].x - tx, gy = to->landmarks[i].y - ty;

      a11 += w[i] * hx * hx;
      a12 += w[i] * hx * hy;
      a22 += w[i] * hy * hy;
      b11 += w[i] * hx * gx;
      b12 += w[i] * hx * gy;
      b21 += w[i] * hy * gx;
      b22 += w[i] * hy * gy;
    }
  det = a11 * a22 - a12 * a12;
  g_assert_cmpfloat (fabs (det), >, 0);
  {
    /* (q − p*)ᵀ A⁻¹ B + t* */
    double dx = q.x - px, dy = q.y - py;
    double ex = (a22 * dx - a12 * dy) / det, ey = (-a12 * dx + a11 * dy) / det;

    return (PaPoint) { tx + ex * b11 + ey * b21, ty + ex * b12 + ey * b22 };
  }
}

/* The grid over the target face, in its eye frame, and which points
 * count. */
static void
patch_select (Patch        *patch,
              const PaFace *target_face)
{
  PaPoint left = pa_test_face_mean (target_face, 36, 41), right = pa_test_face_mean (target_face, 42, 47);
  double ux = right.x - left.x, uy = right.y - left.y;
  PaPoint hull[27];
  guint n = outline_of (target_face, hull);

  for (int j = 0; j < GRID; j++)
    for (int i = 0; i < GRID; i++)
      {
        double u = -0.7 + 1.4 * (i + 0.5) / GRID, v = -0.35 + 1.5 * (j + 0.5) / GRID;
        PaPoint at = { (left.x + right.x) / 2 + u * ux - v * uy, (left.y + right.y) / 2 + u * uy + v * ux };

        patch->at[j * GRID + i] = at;
        patch->used[j * GRID + i] = outline_depth (hull, n, at.x, at.y)
                                    >= (0.1 + FEATHER) * target_face->eye_distance;
      }
}

/* Samples @pixbuf at the grid's points as they map onto @face, then
 * brings what counts to mean 0 and deviation 1. */
static void
patch_sample (Patch        *patch,
              const PaFace *target_face,
              GdkPixbuf    *pixbuf,
              const PaFace *face)
{
  PaPixels pixels = pa_test_pixels_of (pixbuf);
  double step = 0.02 * face->eye_distance, mean = 0, spread = 0;
  guint n = 0;

  for (int i = 0; i < GRID * GRID; i++)
    {
      PaPoint at;
      double sum = 0;

      if (!patch->used[i])
        continue;
      at = mls_map (target_face, face, patch->at[i]);
      for (int k = -1; k <= 1; k++)
        for (int l = -1; l <= 1; l++)
          sum += luma_bilinear (&pixels, at.x + k * step, at.y + l * step);
      patch->value[i] = sum / 9;
      mean += patch->value[i];
      n++;
    }
  g_assert_cmpuint (n, >, GRID * GRID / 8);
  mean /= n;
  for (int i = 0; i < GRID * GRID; i++)
    if (patch->used[i])
      spread += (patch->value[i] - mean) * (patch->value[i] - mean);
  spread = sqrt (spread / n);
  for (int i = 0; i < GRID * GRID; i++)
    patch->value[i] = patch->used[i] ? (patch->value[i] - mean) / MAX (spread, 1e-6) : 0;
}

/* 1 − the normalised cross-correlation over the points that count. */
static double
patch_distance (const Patch *a,
                const Patch *b)
{
  double correlation = 0;
  guint n = 0;

  for (int i = 0; i < GRID * GRID; i++)
    if (a->used[i])
      {
        correlation += a->value[i] * b->value[i];
        n++;
      }
  return 1 - correlation / n;
}

/* SEAM: the largest ratio, over bands 2 px wide from the outline in
 * through erosion and feather, of the output's mean gradient to the
 * target's. */
static double
seam_ratio (GdkPixbuf    *target,
            GdkPixbuf    *output,
            const PaFace *face)
{
  PaPixels before = pa_test_pixels_of (target), after = pa_test_pixels_of (output);
  PaPoint hull[27];
  guint n = outline_of (face, hull);
  int n_bands = (int) ceil ((FEATHER + 0.1) * face->eye_distance / 2);
  g_autofree double *sum_before = g_new0 (double, n_bands);
  g_autofree double *sum_after = g_new0 (double, n_bands);
  double worst = 0;

  for (int y = 1; y < before.height - 1; y++)
    for (int x = 1; x < before.width - 1; x++)
      {
        double depth = outline_depth (hull, n, x, y);
        int band = (int) floor (depth / 2);
        double gx, gy;

        if (depth < 0 || band >= n_bands)
          continue;
#define SOBEL(p, ox, oy) \
        gx = luma_at (p, x + 1 + ox, y - 1 + oy) + 2 * luma_at (p, x + 1 + ox, y + oy) + luma_at (p, x + 1 + ox, y + 1 + oy) \
           - luma_at (p, x - 1 + ox, y - 1 + oy) - 2 * luma_at (p, x - 1 + ox, y + oy) - luma_at (p, x - 1 + ox, y + 1 + oy); \
        gy = luma_at (p, x - 1 + ox, y + 1 + oy) + 2 * luma_at (p, x + ox, y + 1 + oy) + luma_at (p, x + 1 + ox, y + 1 + oy) \
           - luma_at (p, x - 1 + ox, y - 1 + oy) - 2 * luma_at (p, x + ox, y - 1 + oy) - luma_at (p, x + 1 + ox, y - 1 + oy)
        SOBEL (&before, 0, 0);
        sum_before[band] += hypot (gx, gy);
        SOBEL (&after, 0, 0);
        sum_after[band] += hypot (gx, gy);
#undef SOBEL
      }
  for (int b = 0; b < n_bands; b++)
    if (sum_before[b] > 0)
      worst = MAX (worst, sum_after[b] / sum_before[b]);
  return worst;
}

/* ---- the swaps ---- */

typedef struct {
  double mean_shift;
  double max_shift;
  double to_source;
  double to_target;
  double seam;
  guint  changed;
  int    target_index;  /* the face chosen and swapped */
} Judged;

/* Swaps the source's face onto the face of @target that @targets (as
 * the job reads it: "all", "largest", "0") chooses, which must be one,
 * judges the result by every measure and asserts each. */
static Judged
swap_and_judge (PaFaceModel *model,
                GdkPixbuf   *source_photo,
                GdkPixbuf   *target,
                guint        n_target_faces,
                const char  *targets,
                const char  *what)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) source_faces = pa_test_detect_faces (model, source_photo);
  g_autoptr(GPtrArray) target_faces = pa_test_detect_faces (model, target);
  g_autoptr(GPtrArray) output_faces = NULL;
  g_autoptr(PaFaceSelection) selection = NULL;
  g_autoptr(GArray) pairs = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autoptr(GdkPixbuf) output = gdk_pixbuf_copy (target);
  PaPixels source_pixels = pa_test_pixels_of (source_photo), output_pixels = pa_test_pixels_of (output);
  PaFaceSwapOptions options = { FEATHER, FALSE };
  const PaFace *source_face, *target_face, *found;
  const PaFacePair *pair;
  Patch patch_source, patch_target, patch_output;
  PaRect changed;
  Judged j;

  g_assert_cmpuint (source_faces->len, ==, 1);
  g_assert_cmpuint (target_faces->len, ==, n_target_faces);
  selection = pa_face_selection_parse (targets, NULL, &error);
  g_assert_no_error (error);
  pairs = pa_face_selection_resolve (selection, source_faces, target_faces, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pairs->len, ==, 1);
  pair = &g_array_index (pairs, PaFacePair, 0);
  source_face = g_ptr_array_index (source_faces, pair->source);
  target_face = g_ptr_array_index (target_faces, pair->target);
  j.target_index = pair->target;
  g_assert_cmpint (source_face->quality, ==, PA_FACE_QUALITY_GOOD);
  g_assert_cmpint (target_face->quality, ==, PA_FACE_QUALITY_GOOD);

  source = pa_face_source_new (&source_pixels, source_face, &error);
  g_assert_no_error (error);
  g_assert_true (pa_face_swap_apply (source, &output_pixels, target_face, &options, &changed, &error));
  g_assert_no_error (error);

  j.changed = assert_kept_outside (target, output, target_face);

  output_faces = pa_test_detect_faces (model, output);
  g_assert_cmpuint (output_faces->len, ==, n_target_faces);
  found = matching_face (output_faces, target_face);
  landmark_shift (target_face, found, &j.mean_shift, &j.max_shift);

  patch_select (&patch_output, target_face);
  patch_source = patch_target = patch_output;
  patch_sample (&patch_source, target_face, source_photo, source_face);
  patch_sample (&patch_target, target_face, target, target_face);
  patch_sample (&patch_output, target_face, output, found);
  j.to_source = patch_distance (&patch_output, &patch_source);
  j.to_target = patch_distance (&patch_output, &patch_target);

  j.seam = seam_ratio (target, output, target_face);

  g_test_message ("%s: %u px changed in %d×%d; landmarks off by %.3f (max %.3f) eye distances; "
                  "distance to source %.3f, to target %.3f (ratio %.2f); seam %.2f",
                  what, j.changed, changed.width, changed.height, j.mean_shift, j.max_shift,
                  j.to_source, j.to_target, j.to_source / j.to_target, j.seam);

  g_assert_cmpuint (j.changed, >, 0.5 * target_face->eye_distance * target_face->eye_distance);
  g_assert_cmpfloat (j.mean_shift, <, MEAN_LANDMARK_SHIFT);
  g_assert_cmpfloat (j.max_shift, <, MAX_LANDMARK_SHIFT);
  g_assert_cmpfloat (j.to_source, <, IDENTITY_RATIO * j.to_target);
  g_assert_cmpfloat (j.seam, <, SEAM_FACTOR);
  return j;
}

typedef struct {
  PaFaceModel *model;
  GdkPixbuf   *grace;
  GdkPixbuf   *astronaut;
} Photos;

/* Leaves astronaut NULL, the case failed or skipped, when the model or
 * a photograph is missing. */
static void
photos_setup (Photos        *p,
              gconstpointer  data)
{
  p->model = pa_test_face_model ();
  p->grace = p->model != NULL ? pa_test_photo_load ("grace_hopper.jpg") : NULL;
  p->astronaut = p->grace != NULL ? pa_test_photo_load ("astronaut.png") : NULL;
}

static void
photos_teardown (Photos        *p,
                 gconstpointer  data)
{
  g_clear_object (&p->model);
  g_clear_object (&p->grace);
  g_clear_object (&p->astronaut);
}

static void
test_photographs (Photos        *p,
                  gconstpointer  data)
{
  if (p->astronaut == NULL)
    return;
  swap_and_judge (p->model, p->astronaut, p->grace, 1, "all", "astronaut onto grace_hopper");
  swap_and_judge (p->model, p->grace, p->astronaut, 1, "all", "grace_hopper onto astronaut");
}

static void
test_mirrored (Photos        *p,
               gconstpointer  data)
{
  g_autoptr(GdkPixbuf) mirrored = NULL;

  if (p->astronaut == NULL)
    return;
  mirrored = gdk_pixbuf_flip (p->grace, TRUE);
  swap_and_judge (p->model, p->astronaut, mirrored, 1, "all", "astronaut onto grace_hopper mirrored");
}

static void
test_scaled (Photos        *p,
             gconstpointer  data)
{
  const double scales[] = { 0.6, 1.5 };

  if (p->astronaut == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (scales); i++)
    {
      g_autofree char *what = g_strdup_printf ("astronaut onto grace_hopper at %.0f %%", 100 * scales[i]);
      g_autoptr(GdkPixbuf) scaled = gdk_pixbuf_scale_simple (p->grace,
                                                             (int) (gdk_pixbuf_get_width (p->grace) * scales[i]),
                                                             (int) (gdk_pixbuf_get_height (p->grace) * scales[i]),
                                                             GDK_INTERP_BILINEAR);

      swap_and_judge (p->model, p->astronaut, scaled, 1, "all", what);
    }
}

static void
test_rotated (Photos        *p,
              gconstpointer  data)
{
  g_autoptr(GdkPixbuf) turned = NULL;
  g_autoptr(GdkPixbuf) turned_back = NULL;

  if (p->astronaut == NULL)
    return;
  turned = rotated (p->grace, 10);
  turned_back = rotated (p->astronaut, -10);
  swap_and_judge (p->model, p->astronaut, turned, 1, "all", "astronaut onto grace_hopper turned 10°");
  swap_and_judge (p->model, turned_back, p->grace, 1, "all", "astronaut turned −10° onto grace_hopper");
}

/* Two faces, targets "0": face 0 (the left one) changes and face 1 keeps
 * every byte (KEPT covers it: it lies far outside face 0's outline). */
static void
test_two_faces (Photos        *p,
                gconstpointer  data)
{
  g_autoptr(GdkPixbuf) both = NULL;
  g_autoptr(GdkPixbuf) mirrored = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  const PaFace *right;

  if (p->astronaut == NULL)
    return;
  both = side_by_side (p->grace, p->astronaut);
  mirrored = gdk_pixbuf_flip (p->grace, TRUE);
  faces = pa_test_detect_faces (p->model, both);
  g_assert_cmpuint (faces->len, ==, 2);
  right = g_ptr_array_index (faces, 1);
  g_assert_cmpint (right->box.x, >=, gdk_pixbuf_get_width (p->grace));
  /* KEPT, judged around the chosen face, then covers face 1 too. */
  g_assert_cmpint (swap_and_judge (p->model, mirrored, both, 2, "0", "grace_hopper mirrored onto face 0 of two").target_index, ==, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/face-swap-quality/photographs", Photos, NULL, photos_setup, test_photographs, photos_teardown);
  g_test_add ("/face-swap-quality/mirrored", Photos, NULL, photos_setup, test_mirrored, photos_teardown);
  g_test_add ("/face-swap-quality/scaled", Photos, NULL, photos_setup, test_scaled, photos_teardown);
  g_test_add ("/face-swap-quality/rotated", Photos, NULL, photos_setup, test_rotated, photos_teardown);
  g_test_add ("/face-swap-quality/two-faces", Photos, NULL, photos_setup, test_two_faces, photos_teardown);

  return g_test_run ();
}
