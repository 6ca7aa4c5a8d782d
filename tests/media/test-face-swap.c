/* test-face-swap.c — the face swap's geometry, mask and blend on
 * synthetic faces, without the detector
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <string.h>

#include <glib.h>

#include "pa-error.h"
#include "pa-face-swap.h"
#include "pa-geometry-private.h"

/* ---- synthetic faces ---- */

/* The 68 iBUG points of a plain face, eye distance 1, between the eyes
 * at (0, 0), y down; @jitter moves each point at random by up to that
 * much (a symmetric face is full of points on one circle, the hardest
 * case for Delaunay; a jittered one is the usual case). */
static void
face_layout (PaPoint *p,
             GRand   *rand,
             double   jitter)
{
  for (int t = 0; t <= 16; t++)
    p[t] = (PaPoint) { -0.95 * cos (G_PI * t / 16), 1.2 * sin (G_PI * t / 16) };
  for (int t = 0; t < 5; t++)
    {
      p[17 + t] = (PaPoint) { -0.85 + 0.175 * t, -0.35 - 0.1 * sin (G_PI * t / 4) };
      p[26 - t] = (PaPoint) { 0.85 - 0.175 * t, -0.35 - 0.1 * sin (G_PI * t / 4) };
    }
  for (int t = 0; t < 4; t++)
    p[27 + t] = (PaPoint) { 0, -0.1 + 0.15 * t };
  for (int t = 0; t < 5; t++)
    p[31 + t] = (PaPoint) { -0.2 + 0.1 * t, t == 2 ? 0.48 : 0.45 };
  for (int e = 0; e < 2; e++)
    for (int t = 0; t < 6; t++)
      {
        double angle = G_PI - G_PI * t / 3;

        p[36 + 6 * e + t] = (PaPoint) { (e ? 0.5 : -0.5) + 0.15 * cos (angle), -0.06 * sin (angle) };
      }
  for (int t = 0; t < 12; t++)
    {
      double angle = G_PI - 2 * G_PI * t / 12;

      p[48 + t] = (PaPoint) { 0.4 * cos (angle), 0.75 - 0.15 * sin (angle) };
    }
  for (int t = 0; t < 8; t++)
    {
      double angle = G_PI - 2 * G_PI * t / 8;

      p[60 + t] = (PaPoint) { 0.3 * cos (angle), 0.75 - 0.05 * sin (angle) };
    }
  if (rand != NULL)
    for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
      {
        p[i].x += g_rand_double_range (rand, -jitter, jitter);
        p[i].y += g_rand_double_range (rand, -jitter, jitter);
      }
}

/* A GOOD face: @layout scaled to an eye distance of @size, turned by
 * @degrees and put at (@cx, @cy). */
static PaFace
make_face (const PaPoint *layout,
           double         cx,
           double         cy,
           double         size,
           double         degrees)
{
  PaFace face = { 0 };
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    face.landmarks[i] = (PaPoint) { cx + size * (c * layout[i].x - s * layout[i].y),
                                    cy + size * (s * layout[i].x + c * layout[i].y) };
  face.box = (PaRect) { (int) (cx - size), (int) (cy - size), (int) (2 * size), (int) (2 * size) };
  face.score = 1;
  pa_face_update_quality (&face);
  g_assert_cmpint (face.quality, ==, PA_FACE_QUALITY_GOOD);
  return face;
}

typedef struct {
  PaPixels  view;
  guint8   *memory;
  gsize     size;
} Picture;

/* A picture with @padding spare bytes at the end of each row, and
 * random bytes everywhere (padding and alpha included, so that a write
 * to either shows). */
static Picture
picture_new_random (int    width,
                    int    height,
                    int    channels,
                    int    padding,
                    GRand *rand)
{
  Picture picture;

  picture.view = (PaPixels) { NULL, width, height, width * channels + padding, channels };
  picture.size = (gsize) picture.view.stride * height;
  picture.memory = g_malloc (picture.size);
  for (gsize i = 0; i < picture.size; i++)
    picture.memory[i] = (guint8) g_rand_int_range (rand, 0, 256);
  picture.view.data = picture.memory;
  return picture;
}

/* The same, with a smooth colour pattern drawn in the frame of @face's
 * layout, so that a correct warp of it onto another face's picture
 * draws what that picture has. @tint shifts the colour. */
typedef struct {
  double cx, cy, size, degrees;
} Placement;

static void
paint_pattern (Picture         *picture,
               const Placement *at,
               int              tint)
{
  double c = cos (at->degrees * G_PI / 180), s = sin (at->degrees * G_PI / 180);

  for (int y = 0; y < picture->view.height; y++)
    for (int x = 0; x < picture->view.width; x++)
      {
        guint8 *pixel = picture->view.data + (gsize) y * picture->view.stride + (gsize) x * picture->view.channels;
        double dx = (x - at->cx) / at->size, dy = (y - at->cy) / at->size;
        double u = c * dx + s * dy, v = -s * dx + c * dy;

        pixel[0] = (guint8) CLAMP (128 + 90 * sin (2.1 * u) + tint, 0, 255);
        pixel[1] = (guint8) CLAMP (128 + 90 * cos (1.7 * v) + tint / 2, 0, 255);
        pixel[2] = (guint8) CLAMP (128 + 60 * sin (1.3 * (u + v)), 0, 255);
      }
}

static PaPixels
picture_copy (const Picture *picture,
              guint8       **memory)
{
  PaPixels view = picture->view;

  *memory = g_memdup2 (picture->memory, picture->size);
  view.data = *memory;
  return view;
}

/* ---- triangulation ---- */

static double
triangle_area (const PaPoint *p,
               const PaTriangle *t)
{
  return pa_orient2d (p[t->v[0]], p[t->v[1]], p[t->v[2]]) / 2;
}

/* Covers the hull of the points used, with no overlaps, uses every
 * point but the skipped ones: checked by the areas adding up to the
 * hull's, and by random points each inside exactly one triangle. */
static void
check_triangulation (const PaPoint  *points,
                     guint           n,
                     const gboolean *skip,
                     GRand          *rand)
{
  g_autoptr(GArray) triangles = pa_delaunay_triangulate (points, n, skip);
  g_autofree int *indexes = g_new (int, n);
  g_autofree int *hull = g_new (int, n);
  g_autofree gboolean *used = g_new0 (gboolean, n);
  guint n_indexes = 0, n_hull;
  double hull_area = 0, sum = 0;

  for (guint i = 0; i < n; i++)
    if (skip == NULL || !skip[i])
      indexes[n_indexes++] = i;
  n_hull = pa_convex_hull (points, indexes, n_indexes, hull);
  g_assert_cmpuint (n_hull, >=, 3);
  for (guint i = 1; i + 1 < n_hull; i++)
    hull_area += pa_orient2d (points[hull[0]], points[hull[i]], points[hull[i + 1]]) / 2;
  /* The hull itself: every point on or left of every edge. */
  for (guint i = 0; i < n_hull; i++)
    for (guint j = 0; j < n_indexes; j++)
      g_assert_cmpfloat (pa_orient2d (points[hull[i]], points[hull[(i + 1) % n_hull]], points[indexes[j]]), >=, -1e-9);

  g_assert_cmpuint (triangles->len, >, 0);
  for (guint i = 0; i < triangles->len; i++)
    {
      const PaTriangle *t = &g_array_index (triangles, PaTriangle, i);

      g_assert_cmpfloat (triangle_area (points, t), >, 0);
      sum += triangle_area (points, t);
      for (int k = 0; k < 3; k++)
        {
          g_assert_cmpint (t->v[k], >=, 0);
          g_assert_cmpint (t->v[k], <, (int) n);
          used[t->v[k]] = TRUE;
        }
    }
  g_assert_cmpfloat_with_epsilon (sum, hull_area, 1e-9 * hull_area);
  for (guint i = 0; i < n; i++)
    g_assert_true (used[i] == (skip == NULL || !skip[i]));

  for (int k = 0; k < 2000; k++)
    {
      /* A random point of the hull: in a random fan triangle. */
      guint f = g_rand_int_range (rand, 1, n_hull - 1);
      double a = g_rand_double (rand), b = g_rand_double (rand);
      PaPoint p0 = points[hull[0]], p1 = points[hull[f]], p2 = points[hull[f + 1]], q;
      guint inside = 0, on_edge = 0;

      if (a + b > 1)
        {
          a = 1 - a;
          b = 1 - b;
        }
      q = (PaPoint) { p0.x + a * (p1.x - p0.x) + b * (p2.x - p0.x), p0.y + a * (p1.y - p0.y) + b * (p2.y - p0.y) };
      for (guint i = 0; i < triangles->len; i++)
        {
          const PaTriangle *t = &g_array_index (triangles, PaTriangle, i);
          double e0 = pa_orient2d (points[t->v[0]], points[t->v[1]], q);
          double e1 = pa_orient2d (points[t->v[1]], points[t->v[2]], q);
          double e2 = pa_orient2d (points[t->v[2]], points[t->v[0]], q);

          if (e0 > 1e-12 && e1 > 1e-12 && e2 > 1e-12)
            inside++;
          else if (e0 >= -1e-12 && e1 >= -1e-12 && e2 >= -1e-12)
            on_edge++;
        }
      g_assert_true (inside == 1 || (inside == 0 && on_edge >= 1));
    }
}

static void
test_triangulation_face (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  gboolean skip[PA_FACE_N_LANDMARKS] = { FALSE };
  PaPoint layout[PA_FACE_N_LANDMARKS];

  for (int i = 60; i <= 67; i++)
    skip[i] = TRUE;

  /* Symmetric: many points on one circle. */
  face_layout (layout, NULL, 0);
  check_triangulation (layout, PA_FACE_N_LANDMARKS, skip, rand);

  for (int round = 0; round < 50; round++)
    {
      PaFace face;

      face_layout (layout, rand, 0.03);
      face = make_face (layout, 300, 200, g_rand_double_range (rand, 30, 300),
                        g_rand_double_range (rand, -30, 30));
      check_triangulation (face.landmarks, PA_FACE_N_LANDMARKS, skip, rand);
    }
}

static void
test_triangulation_hard (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (11);
  PaPoint grid[49], line[10], same[5], few[3];
  PaPoint with_bad[6] = { { 0, 0 }, { 10, 0 }, { NAN, 3 }, { 0, 10 }, { INFINITY, 0 }, { 10, 10 } };
  PaPoint repeated[6] = { { 0, 0 }, { 10, 0 }, { 0, 10 }, { 10, 0 }, { 10, 10 }, { 0, 0 } };
  g_autoptr(GArray) from_line = NULL;
  g_autoptr(GArray) from_same = NULL;
  g_autoptr(GArray) from_none = NULL;
  g_autoptr(GArray) from_bad = NULL;
  g_autoptr(GArray) from_repeated = NULL;
  gboolean skip_bad[6] = { FALSE, FALSE, TRUE, FALSE, TRUE, FALSE };
  gboolean skip_repeated[6] = { FALSE, FALSE, FALSE, TRUE, FALSE, TRUE };

  /* A square grid: every cell's four corners on one circle, and the
   * hull's sides full of points in line. */
  for (int i = 0; i < 49; i++)
    grid[i] = (PaPoint) { i % 7, i / 7 };
  check_triangulation (grid, 49, NULL, rand);
  /* Points nearly in line along the hull. */
  for (int i = 0; i < 10; i++)
    line[i] = (PaPoint) { i * 10.0, i % 2 ? 1e-7 : 0 };
  check_triangulation (line, 10, NULL, rand);
  few[0] = (PaPoint) { 0, 0 };
  few[1] = (PaPoint) { 5, 0 };
  few[2] = (PaPoint) { 0, 5 };
  check_triangulation (few, 3, NULL, rand);

  /* No area: nothing, not a crash. */
  for (int i = 0; i < 10; i++)
    line[i] = (PaPoint) { i * 3.0, i * 2.0 };
  from_line = pa_delaunay_triangulate (line, 10, NULL);
  g_assert_cmpuint (from_line->len, ==, 0);
  for (int i = 0; i < 5; i++)
    same[i] = (PaPoint) { 7, 7 };
  from_same = pa_delaunay_triangulate (same, 5, NULL);
  g_assert_cmpuint (from_same->len, ==, 0);
  from_none = pa_delaunay_triangulate (NULL, 0, NULL);
  g_assert_cmpuint (from_none->len, ==, 0);

  /* Points that are not finite, or repeat another, are left out. */
  from_bad = pa_delaunay_triangulate (with_bad, 6, NULL);
  g_assert_cmpuint (from_bad->len, ==, 2);
  check_triangulation (with_bad, 6, skip_bad, rand);
  from_repeated = pa_delaunay_triangulate (repeated, 6, NULL);
  g_assert_cmpuint (from_repeated->len, ==, 2);
  check_triangulation (repeated, 6, skip_repeated, rand);
}

/* ---- mask ---- */

static gboolean
in_outline (const PaFace *face,
            double        x,
            double        y)
{
  int indexes[27], hull[27];
  guint n;

  for (int i = 0; i < 27; i++)
    indexes[i] = i;
  n = pa_convex_hull (face->landmarks, indexes, 27, hull);
  for (guint i = 0; i < n; i++)
    if (pa_orient2d (face->landmarks[hull[i]], face->landmarks[hull[(i + 1) % n]], (PaPoint) { x, y }) < 0)
      return FALSE;
  return TRUE;
}

static void
test_mask (void)
{
  PaPoint layout[PA_FACE_N_LANDMARKS];
  PaFace face;
  const int width = 400, height = 360;
  PaFaceSwapOptions wide = { 0.6, FALSE }, default_too = { 0, FALSE }, odd = { -3, FALSE };
  g_autofree guint8 *mask = NULL;
  g_autofree guint8 *mask_zero = NULL;
  g_autofree guint8 *mask_odd = NULL;
  g_autofree guint8 *mask_wide = NULL;
  guint partial = 0, partial_wide = 0;
  const int deep[] = { 27, 28, 29, 30, 31, 32, 33, 34, 35, 37, 38, 40, 41, 43, 44, 46, 47, 51, 57, 62, 66 };
  const int steps[8][2] = { { 1, 0 }, { -1, 0 }, { 0, 1 }, { 0, -1 }, { 1, 1 }, { -1, 1 }, { 1, -1 }, { -1, -1 } };

  face_layout (layout, NULL, 0);
  face = make_face (layout, 200, 150, 100, 12);
  mask = pa_face_swap_make_mask (&face, width, height, NULL);
  mask_zero = pa_face_swap_make_mask (&face, width, height, &default_too);
  mask_odd = pa_face_swap_make_mask (&face, width, height, &odd);
  mask_wide = pa_face_swap_make_mask (&face, width, height, &wide);
  g_assert_cmpmem (mask, width * height, mask_zero, width * height);
  g_assert_cmpmem (mask, width * height, mask_odd, width * height);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        guint8 m = mask[y * width + x];

        /* Nothing outside the jaw-and-brows hull. */
        if (!in_outline (&face, x, y))
          g_assert_cmpuint (m, ==, 0);
        partial += m > 0 && m < 255;
        partial_wide += mask_wide[y * width + x] > 0 && mask_wide[y * width + x] < 255;
      }
  /* A wider feather, a wider edge. */
  g_assert_cmpuint (partial, >, 500);
  g_assert_cmpuint (partial_wide, >, 3 * partial / 2);

  /* Full inside: the nose, the eyes' middles, the mouth's middle (its
   * corners and the eyes' outer ones lie within a feather of the jaw). */
  for (guint k = 0; k < G_N_ELEMENTS (deep); k++)
    {
      int x = (int) lrint (face.landmarks[deep[k]].x), y = (int) lrint (face.landmarks[deep[k]].y);

      g_assert_cmpuint (mask[y * width + x], ==, 255);
    }

  /* From the nose out, in eight directions along pixel centres: never
   * rising, and down to 0 by the outline. */
  for (int d = 0; d < 8; d++)
    {
      int x = (int) lrint (face.landmarks[30].x), y = (int) lrint (face.landmarks[30].y);
      guint8 last = 255;

      for (; x >= 0 && y >= 0 && x < width && y < height; x += steps[d][0], y += steps[d][1])
        {
          g_assert_cmpuint (mask[y * width + x], <=, last);
          last = mask[y * width + x];
        }
      g_assert_cmpuint (last, ==, 0);
    }
}

static void
test_mask_edges (void)
{
  PaPoint layout[PA_FACE_N_LANDMARKS];
  PaFace face, flat;
  g_autofree guint8 *half = NULL;
  g_autofree guint8 *outside = NULL;
  g_autofree guint8 *flat_mask = NULL;
  guint n = 0;

  face_layout (layout, NULL, 0);
  /* Half out of the picture, at its left edge. */
  face = make_face (layout, 10, 100, 80, 0);
  half = pa_face_swap_make_mask (&face, 200, 200, NULL);
  for (int i = 0; i < 200 * 200; i++)
    n += half[i] > 0;
  g_assert_cmpuint (n, >, 1000);

  face = make_face (layout, -500, 100, 80, 0);
  outside = pa_face_swap_make_mask (&face, 200, 200, NULL);
  for (int i = 0; i < 200 * 200; i++)
    g_assert_cmpuint (outside[i], ==, 0);

  /* All on one line: an empty mask. */
  flat = face;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    flat.landmarks[i] = (PaPoint) { 20 + i, 20 + i };
  flat_mask = pa_face_swap_make_mask (&flat, 200, 200, NULL);
  for (int i = 0; i < 200 * 200; i++)
    g_assert_cmpuint (flat_mask[i], ==, 0);
}

/* ---- apply ---- */

/* Every byte (padding and alpha included) outside @mask's non-zero
 * pixels, and every alpha or padding byte, is as it was; returns how
 * many pixels changed. */
static guint
check_only_mask_changed (const PaPixels *before,
                         const PaPixels *after,
                         const guint8   *mask,
                         const PaRect   *changed)
{
  guint n = 0;

  for (int y = 0; y < after->height; y++)
    {
      const guint8 *a = before->data + (gsize) y * before->stride;
      const guint8 *b = after->data + (gsize) y * after->stride;

      for (int x = 0; x < after->width; x++)
        {
          gboolean differs = memcmp (a + x * after->channels, b + x * after->channels, 3) != 0;

          if (mask[y * after->width + x] == 0)
            g_assert_false (differs);
          if (differs)
            {
              g_assert_cmpint (x, >=, changed->x);
              g_assert_cmpint (x, <, changed->x + changed->width);
              g_assert_cmpint (y, >=, changed->y);
              g_assert_cmpint (y, <, changed->y + changed->height);
            }
          n += differs;
        }
      /* Alpha and padding. */
      for (int x = 0; x < after->width && after->channels == 4; x++)
        g_assert_cmpuint (a[x * 4 + 3], ==, b[x * 4 + 3]);
      g_assert_cmpmem (a + after->width * after->channels, after->stride - after->width * after->channels,
                       b + after->width * after->channels, after->stride - after->width * after->channels);
    }
  return n;
}

static void
check_apply_keeps_outside (int channels,
                           int padding)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20 + channels + padding);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autofree guint8 *copy = NULL;
  g_autofree guint8 *mask = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Picture from = picture_new_random (320, 240, channels, padding, rand);
  Picture to = picture_new_random (500, 400, channels, padding, rand);
  PaFace source_face, target_face;
  PaPixels before;
  PaRect changed;
  guint n;

  face_layout (layout, rand, 0.02);
  source_face = make_face (layout, 160, 110, 60, -8);
  face_layout (layout, rand, 0.02);
  target_face = make_face (layout, 260, 180, 90, 15);

  source = pa_face_source_new (&from.view, &source_face, &error);
  g_assert_no_error (error);
  /* The source copies what it needs: its picture may go. */
  memset (from.memory, 0, from.size);
  g_free (from.memory);

  before = picture_copy (&to, &copy);
  g_assert_true (pa_face_swap_apply (source, &to.view, &target_face, NULL, &changed, &error));
  g_assert_no_error (error);
  mask = pa_face_swap_make_mask (&target_face, to.view.width, to.view.height, NULL);
  n = check_only_mask_changed (&before, &to.view, mask, &changed);
  /* And the face did change: most of the pixels inside the mask. */
  g_assert_cmpuint (n, >, 0.9 * changed.width * changed.height * 0.6);
  g_assert_cmpint (changed.width, >, 120);
  g_assert_cmpint (changed.height, >, 120);
  g_free (to.memory);
}

static void
test_apply_rgb (void)
{
  check_apply_keeps_outside (3, 0);
  check_apply_keeps_outside (3, 5);
}

static void
test_apply_rgbx (void)
{
  check_apply_keeps_outside (4, 0);
  check_apply_keeps_outside (4, 12);
}

/* The warp puts each source pixel where it belongs: a smooth pattern
 * drawn in the frame of the source face and, the same, in the frame of
 * the target face comes out of the swap (colour transfer off) as the
 * target's own drawing, within a few levels (bilinear sampling). */
static void
test_apply_warp_lands (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (30);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autofree guint8 *copy = NULL;
  g_autofree guint8 *mask = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Placement source_at = { 150, 120, 70, -10 }, target_at = { 300, 210, 110, 20 };
  Picture from = picture_new_random (300, 260, 3, 0, rand);
  Picture to = picture_new_random (600, 420, 4, 8, rand);
  PaFaceSwapOptions options = { 0, TRUE };
  PaFace source_face, target_face;
  PaPixels expected;
  double sum = 0;
  guint n = 0, worst = 0;

  face_layout (layout, rand, 0.02);
  source_face = make_face (layout, source_at.cx, source_at.cy, source_at.size, source_at.degrees);
  target_face = make_face (layout, target_at.cx, target_at.cy, target_at.size, target_at.degrees);
  paint_pattern (&from, &source_at, 0);
  paint_pattern (&to, &target_at, 0);
  expected = picture_copy (&to, &copy);
  /* The target starts elsewhere: random noise where the face goes. */
  for (int y = 0; y < to.view.height; y++)
    for (int x = 0; x < to.view.width * 4; x++)
      if (x % 4 != 3)
        to.view.data[y * to.view.stride + x] = (guint8) g_rand_int_range (rand, 0, 256);

  source = pa_face_source_new (&from.view, &source_face, &error);
  g_assert_no_error (error);
  g_assert_true (pa_face_swap_apply (source, &to.view, &target_face, &options, NULL, &error));
  g_assert_no_error (error);

  mask = pa_face_swap_make_mask (&target_face, to.view.width, to.view.height, &options);
  for (int y = 0; y < to.view.height; y++)
    for (int x = 0; x < to.view.width; x++)
      {
        if (mask[y * to.view.width + x] != 255)
          continue;
        for (int c = 0; c < 3; c++)
          {
            guint d = ABS (to.view.data[y * to.view.stride + x * 4 + c] - expected.data[y * expected.stride + x * 4 + c]);

            sum += d;
            worst = MAX (worst, d);
            n++;
          }
      }
  g_assert_cmpuint (n, >, 3 * 10000);
  g_test_message ("warp error: mean %.2f, max %u levels", sum / n, worst);
  g_assert_cmpfloat (sum / n, <, 0.5);
  g_assert_cmpuint (worst, <=, 3);
  g_free (from.memory);
  g_free (to.memory);
}

/* The colour transfer moves the face's colours to the target's: the
 * same pattern tinted in the target comes out tinted. */
static void
test_apply_colour (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (31);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autofree guint8 *mask = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Placement at = { 150, 150, 80, 0 };
  Picture from = picture_new_random (300, 300, 3, 0, rand);
  Picture with = picture_new_random (300, 300, 3, 0, rand);
  Picture without = picture_new_random (300, 300, 3, 0, rand);
  Picture tinted = picture_new_random (300, 300, 3, 0, rand);
  PaFaceSwapOptions no_colour = { 0, TRUE };
  PaFace face;
  double mean_with[3] = { 0 }, mean_without[3] = { 0 }, mean_tinted[3] = { 0 };
  guint n = 0;

  face_layout (layout, NULL, 0);
  face = make_face (layout, at.cx, at.cy, at.size, at.degrees);
  paint_pattern (&from, &at, 0);
  paint_pattern (&tinted, &at, 40);
  memcpy (with.memory, tinted.memory, tinted.size);
  memcpy (without.memory, tinted.memory, tinted.size);

  source = pa_face_source_new (&from.view, &face, &error);
  g_assert_no_error (error);
  g_assert_true (pa_face_swap_apply (source, &with.view, &face, NULL, NULL, &error));
  g_assert_true (pa_face_swap_apply (source, &without.view, &face, &no_colour, NULL, &error));
  g_assert_no_error (error);

  mask = pa_face_swap_make_mask (&face, 300, 300, NULL);
  for (int i = 0; i < 300 * 300; i++)
    if (mask[i] == 255)
      {
        for (int c = 0; c < 3; c++)
          {
            mean_with[c] += with.memory[i * 3 + c];
            mean_without[c] += without.memory[i * 3 + c];
            mean_tinted[c] += tinted.memory[i * 3 + c];
          }
        n++;
      }
  g_assert_cmpuint (n, >, 1000);
  /* Red was raised by 40 in the target: with the transfer the face
   * comes within a few levels of it, without it stays 40 below. */
  g_assert_cmpfloat (fabs (mean_with[0] - mean_tinted[0]) / n, <, 6);
  g_assert_cmpfloat ((mean_tinted[0] - mean_without[0]) / n, >, 30);
  g_free (from.memory);
  g_free (with.memory);
  g_free (without.memory);
  g_free (tinted.memory);
}

/* A black-and-white target keeps a black-and-white face: the colour
 * transfer may shrink the source's colour to nothing when the target
 * has none, where it otherwise keeps at least part of the spread. */
static void
test_apply_grey_target (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (37);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autofree guint8 *mask = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Placement at = { 150, 150, 80, 0 };
  Picture from = picture_new_random (300, 300, 3, 0, rand);
  Picture grey = picture_new_random (300, 300, 3, 0, rand);
  PaFace face;
  int worst = 0;
  guint n = 0;

  face_layout (layout, NULL, 0);
  face = make_face (layout, at.cx, at.cy, at.size, at.degrees);
  paint_pattern (&from, &at, 40);
  paint_pattern (&grey, &at, 0);
  for (gsize i = 0; i < grey.size; i += 3)
    {
      guint8 luma = (guint8) ((grey.memory[i] * 299 + grey.memory[i + 1] * 587 + grey.memory[i + 2] * 114) / 1000);

      grey.memory[i] = grey.memory[i + 1] = grey.memory[i + 2] = luma;
    }

  source = pa_face_source_new (&from.view, &face, &error);
  g_assert_no_error (error);
  g_assert_true (pa_face_swap_apply (source, &grey.view, &face, NULL, NULL, &error));
  g_assert_no_error (error);

  mask = pa_face_swap_make_mask (&face, 300, 300, NULL);
  for (int i = 0; i < 300 * 300; i++)
    if (mask[i] > 0)
      {
        const guint8 *p = grey.memory + i * 3;

        worst = MAX (worst, MAX (abs (p[0] - p[1]), MAX (abs (p[1] - p[2]), abs (p[0] - p[2]))));
        n++;
      }
  g_assert_cmpuint (n, >, 1000);
  /* Lab→sRGB rounding leaves a level or two; a kept 40 % of the source's
   * colour showed as 20 and more. */
  g_assert_cmpint (worst, <=, 4);
  g_free (from.memory);
  g_free (grey.memory);
}

/* ---- hostile input ---- */

static void
check_refused (const PaFaceSource *source,
               Picture            *target,
               const PaFace       *face)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = g_memdup2 (target->memory, target->size);
  PaRect changed = { 1, 2, 3, 4 };

  g_assert_false (pa_face_swap_apply (source, &target->view, face, NULL, &changed, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_cmpmem (copy, target->size, target->memory, target->size);
  g_assert_cmpint (changed.width, ==, 0);
}

/* Never a crash nor a write out of the picture: whatever the swap does
 * with such a face, it stays inside the mask. */
static void
check_survives (const PaFaceSource *source,
                Picture            *target,
                const PaFace       *face)
{
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *copy = NULL;
  g_autofree guint8 *mask = NULL;
  PaPixels before = picture_copy (target, &copy);
  PaRect changed;

  g_assert_true (pa_face_swap_apply (source, &target->view, face, NULL, &changed, &error));
  g_assert_no_error (error);
  mask = pa_face_swap_make_mask (face, target->view.width, target->view.height, NULL);
  check_only_mask_changed (&before, &target->view, mask, &changed);
}

static void
test_hostile (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (40);
  g_autoptr(GError) error = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Picture picture = picture_new_random (300, 260, 4, 4, rand);
  PaFace good, bad;
  PaPixels broken;

  face_layout (layout, rand, 0.02);
  good = make_face (layout, 150, 120, 60, 0);
  source = pa_face_source_new (&picture.view, &good, &error);
  g_assert_no_error (error);

  /* Not GOOD, whatever its landmarks. */
  bad = good;
  bad.quality = PA_FACE_QUALITY_TOO_SMALL;
  check_refused (source, &picture, &bad);
  g_assert_null (pa_face_source_new (&picture.view, &bad, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Marked GOOD but degenerate: all in one point, on one line, not
   * finite, absurdly far. */
  bad = good;
  memset (bad.landmarks, 0, sizeof bad.landmarks);
  check_refused (source, &picture, &bad);
  g_assert_null (pa_face_source_new (&picture.view, &bad, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    bad.landmarks[i] = (PaPoint) { 10 + 3 * i, 5 + 2 * i };
  check_refused (source, &picture, &bad);
  g_assert_null (pa_face_source_new (&picture.view, &bad, &error));
  g_clear_error (&error);
  bad = good;
  bad.landmarks[40].x = NAN;
  check_refused (source, &picture, &bad);
  bad = good;
  bad.landmarks[3].y = INFINITY;
  check_refused (source, &picture, &bad);
  bad = good;
  bad.landmarks[8].y = 1e300;
  check_refused (source, &picture, &bad);

  /* Wholly outside the picture. */
  bad = make_face (layout, -400, 120, 60, 0);
  check_refused (source, &picture, &bad);
  g_assert_null (pa_face_source_new (&picture.view, &bad, &error));
  g_clear_error (&error);

  /* Partly outside, on every side. */
  check_survives (source, &picture, &good);
  for (int side = 0; side < 4; side++)
    {
      double cx = side == 0 ? 5 : side == 1 ? 295 : 150;
      double cy = side == 2 ? 3 : side == 3 ? 255 : 120;

      bad = make_face (layout, cx, cy, 70, 0);
      check_survives (source, &picture, &bad);
    }
  /* Mirrored: every triangle flipped. Shuffled: most of them crossed. */
  bad = good;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    bad.landmarks[i].x = 300 - good.landmarks[i].x;
  check_survives (source, &picture, &bad);
  for (int round = 0; round < 20; round++)
    {
      bad = good;
      for (int i = 27; i < PA_FACE_N_LANDMARKS; i++)
        bad.landmarks[i] = (PaPoint) { g_rand_double_range (rand, 100, 200), g_rand_double_range (rand, 80, 180) };
      check_survives (source, &picture, &bad);
    }

  /* A picture that is not one. */
  broken = picture.view;
  broken.channels = 2;
  g_assert_false (pa_face_swap_apply (source, &broken, &good, NULL, NULL, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  broken = picture.view;
  broken.stride = broken.width * 4 - 1;
  g_assert_false (pa_face_swap_apply (source, &broken, &good, NULL, NULL, &error));
  g_clear_error (&error);
  broken = picture.view;
  broken.width = 0;
  g_assert_null (pa_face_source_new (&broken, &good, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  g_free (picture.memory);
}

static void
test_source_refcount (void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (50);
  g_autoptr(GError) error = NULL;
  PaPoint layout[PA_FACE_N_LANDMARKS];
  Picture picture = picture_new_random (200, 200, 3, 0, rand);
  PaFace face;
  PaFaceSource *source;
  GValue value = G_VALUE_INIT;

  face_layout (layout, NULL, 0);
  face = make_face (layout, 100, 90, 50, 0);
  source = pa_face_source_new (&picture.view, &face, &error);
  g_assert_no_error (error);
  g_assert_true (pa_face_source_ref (source) == source);
  pa_face_source_unref (source);
  g_value_init (&value, PA_TYPE_FACE_SOURCE);
  g_value_set_boxed (&value, source);
  pa_face_source_unref (source);
  g_assert_true (g_value_get_boxed (&value) == source);
  g_value_unset (&value);
  g_free (picture.memory);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/face-swap/triangulation/face", test_triangulation_face);
  g_test_add_func ("/face-swap/triangulation/hard", test_triangulation_hard);
  g_test_add_func ("/face-swap/mask", test_mask);
  g_test_add_func ("/face-swap/mask/edges", test_mask_edges);
  g_test_add_func ("/face-swap/apply/rgb", test_apply_rgb);
  g_test_add_func ("/face-swap/apply/rgbx", test_apply_rgbx);
  g_test_add_func ("/face-swap/apply/warp-lands", test_apply_warp_lands);
  g_test_add_func ("/face-swap/apply/colour", test_apply_colour);
  g_test_add_func ("/face-swap/apply/grey-target", test_apply_grey_target);
  g_test_add_func ("/face-swap/hostile", test_hostile);
  g_test_add_func ("/face-swap/source/refcount", test_source_refcount);

  return g_test_run ();
}
