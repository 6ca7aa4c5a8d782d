/* test-face-model.c — dlib's detector and landmarks on real photographs
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-install-dirs.h"

#include "pa-test-photos.h"
#include "pa-test-require.h"

static PaFaceModel *
require_model (void)
{
  g_autoptr(GError) error = NULL;
  PaFaceModel *model = pa_face_model_get_default (&error);

  if (model == NULL)
    pa_test_missing (error->message, "install Debian's libdlib-data: sudo apt install libdlib-data");
  return model;
}

static PaPixels
pixels_of (GdkPixbuf *pixbuf)
{
  return (PaPixels) {
    .data = gdk_pixbuf_get_pixels (pixbuf),
    .width = gdk_pixbuf_get_width (pixbuf),
    .height = gdk_pixbuf_get_height (pixbuf),
    .stride = gdk_pixbuf_get_rowstride (pixbuf),
    .channels = gdk_pixbuf_get_n_channels (pixbuf),
  };
}

static GPtrArray *
detect (PaFaceModel *model,
        GdkPixbuf   *pixbuf)
{
  g_autoptr(GError) error = NULL;
  PaPixels pixels = pixels_of (pixbuf);
  GPtrArray *faces = pa_face_model_detect (model, &pixels, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (faces);
  return faces;
}

static PaPoint
mean_point (const PaFace *face,
            int           first,
            int           last)
{
  PaPoint p = { 0, 0 };

  for (int i = first; i <= last; i++)
    {
      p.x += face->landmarks[i].x;
      p.y += face->landmarks[i].y;
    }
  p.x /= last - first + 1;
  p.y /= last - first + 1;
  return p;
}

/* What holds for any upright face: the eyes above the nose tip above the
 * mouth, the picture's left eye on the left, the points inside the box
 * (with a margin: the jaw may reach a little past it), and a box that
 * fits the eye distance. */
static void
assert_face_is_sane (const PaFace *face)
{
  PaPoint eye_l = mean_point (face, 36, 41);
  PaPoint eye_r = mean_point (face, 42, 47);
  PaPoint nose = face->landmarks[30];
  PaPoint mouth = mean_point (face, 48, 59);
  double margin = 0.15 * face->box.width;

  g_assert_cmpfloat (eye_l.x, <, nose.x);
  g_assert_cmpfloat (nose.x, <, eye_r.x);
  g_assert_cmpfloat (MAX (eye_l.y, eye_r.y), <, nose.y);
  g_assert_cmpfloat (nose.y, <, mouth.y);
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      g_assert_cmpfloat (face->landmarks[i].x, >=, face->box.x - margin);
      g_assert_cmpfloat (face->landmarks[i].x, <=, face->box.x + face->box.width + margin);
      g_assert_cmpfloat (face->landmarks[i].y, >=, face->box.y - margin);
      g_assert_cmpfloat (face->landmarks[i].y, <=, face->box.y + face->box.height + margin);
    }
  g_assert_cmpfloat (face->eye_distance, >, 0.3 * face->box.width);
  g_assert_cmpfloat (face->eye_distance, <, 0.6 * face->box.width);
  g_assert_cmpfloat (face->score, >=, 0.3);
}

static void
test_grace_hopper (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  const PaFace *face;
  int width, height;

  if (model == NULL || (photo = pa_test_photo_load ("grace_hopper.jpg")) == NULL)
    return;
  width = gdk_pixbuf_get_width (photo);
  height = gdk_pixbuf_get_height (photo);

  faces = detect (model, photo);
  g_assert_cmpuint (faces->len, ==, 1);
  face = g_ptr_array_index (faces, 0);
  g_test_message ("grace_hopper: box %d,%d %d×%d score %.2f eyes %.1f px yaw %.1f° roll %.1f°",
                  face->box.x, face->box.y, face->box.width, face->box.height,
                  face->score, face->eye_distance, face->yaw, face->roll);

  g_assert_cmpint (face->index, ==, 0);
  assert_face_is_sane (face);
  /* A portrait: the face in the top half, centred within 20 % of the
   * width, facing the camera. */
  g_assert_cmpint (face->box.y + face->box.height, <=, height * 3 / 5);
  g_assert_cmpfloat (fabs (face->box.x + face->box.width / 2.0 - width / 2.0), <, 0.2 * width);
  g_assert_cmpfloat (face->box.width, >, 0.2 * width);
  g_assert_cmpfloat (fabs (face->roll), <, 10);
  g_assert_cmpfloat (fabs (face->yaw), <, 20);
  g_assert_cmpint (face->quality, ==, PA_FACE_QUALITY_GOOD);
}

/* A canvas of @width × @height in mid grey. */
static GdkPixbuf *
grey_canvas (int width,
             int height)
{
  GdkPixbuf *canvas = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);

  gdk_pixbuf_fill (canvas, 0x808080ff);
  return canvas;
}

/* Both photographs side by side: Grace Hopper on the left, the astronaut
 * on the right, centred vertically. */
static GdkPixbuf *
make_pair (GdkPixbuf *left,
           GdkPixbuf *right)
{
  int lw = gdk_pixbuf_get_width (left), lh = gdk_pixbuf_get_height (left);
  int rw = gdk_pixbuf_get_width (right), rh = gdk_pixbuf_get_height (right);
  int height = MAX (lh, rh);
  GdkPixbuf *pair = grey_canvas (lw + rw, height);

  gdk_pixbuf_copy_area (left, 0, 0, lw, lh, pair, 0, (height - lh) / 2);
  gdk_pixbuf_copy_area (right, 0, 0, rw, rh, pair, lw, (height - rh) / 2);
  return pair;
}

/* @photo turned by @degrees about its centre (clockwise on the screen,
 * as y points down), bilinear, the corners filled with grey. */
static GdkPixbuf *
rotate (GdkPixbuf *photo,
        double     degrees)
{
  int width = gdk_pixbuf_get_width (photo), height = gdk_pixbuf_get_height (photo);
  int stride = gdk_pixbuf_get_rowstride (photo), channels = gdk_pixbuf_get_n_channels (photo);
  const guint8 *in = gdk_pixbuf_read_pixels (photo);
  GdkPixbuf *out = grey_canvas (width, height);
  int out_stride = gdk_pixbuf_get_rowstride (out);
  guint8 *data = gdk_pixbuf_get_pixels (out);
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);
  double cx = (width - 1) / 2.0, cy = (height - 1) / 2.0;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        /* The source of (x, y) is (x, y) turned back. */
        double sx = cx + c * (x - cx) + s * (y - cy);
        double sy = cy - s * (x - cx) + c * (y - cy);
        int x0 = (int) floor (sx), y0 = (int) floor (sy);
        double fx = sx - x0, fy = sy - y0;

        if (x0 < 0 || y0 < 0 || x0 + 1 >= width || y0 + 1 >= height)
          continue;
        for (int k = 0; k < 3; k++)
          {
            const guint8 *p = in + (gsize) y0 * stride + (gsize) x0 * channels + k;
            double v = (1 - fy) * ((1 - fx) * p[0] + fx * p[channels])
                       + fy * ((1 - fx) * p[stride] + fx * p[stride + channels]);

            data[(gsize) y * out_stride + x * 3 + k] = (guint8) CLAMP (lround (v), 0, 255);
          }
      }
  return out;
}

static double
box_centre_x (const PaFace *face)
{
  return face->box.x + face->box.width / 2.0;
}

/* The mean and the largest distance between the points of two fits of
 * one face, as fractions of @a's eye distance. */
static void
landmark_distance (const PaFace *a,
                   const PaFace *b,
                   double       *mean,
                   double       *max)
{
  *mean = *max = 0;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      double d = hypot (a->landmarks[i].x - b->landmarks[i].x,
                        a->landmarks[i].y - b->landmarks[i].y) / a->eye_distance;

      *mean += d / PA_FACE_N_LANDMARKS;
      *max = MAX (*max, d);
    }
}

/* One photograph alone: the single face and its rating. */
static PaFace *
detect_one (PaFaceModel *model,
            GdkPixbuf   *photo)
{
  g_autoptr(GPtrArray) faces = detect (model, photo);

  g_assert_cmpuint (faces->len, ==, 1);
  assert_face_is_sane (g_ptr_array_index (faces, 0));
  return pa_face_copy (g_ptr_array_index (faces, 0));
}

static void
test_astronaut (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(PaFace) face = NULL;
  int width, height;

  if (model == NULL || (photo = pa_test_photo_load ("astronaut.png")) == NULL)
    return;
  width = gdk_pixbuf_get_width (photo);
  height = gdk_pixbuf_get_height (photo);

  face = detect_one (model, photo);
  g_test_message ("astronaut: box %d,%d %d×%d score %.2f eyes %.1f px yaw %.1f° roll %.1f°",
                  face->box.x, face->box.y, face->box.width, face->box.height,
                  face->score, face->eye_distance, face->yaw, face->roll);
  /* Her face is in the upper half, left of the middle (the flag is on
   * the right), and small: a box of about a sixth of the width. */
  g_assert_cmpint (face->box.y + face->box.height, <=, height / 2);
  g_assert_cmpfloat (box_centre_x (face), >, 0.25 * width);
  g_assert_cmpfloat (box_centre_x (face), <, 0.55 * width);
  g_assert_cmpfloat (face->box.width, >, 0.1 * width);
  g_assert_cmpfloat (face->box.width, <, 0.3 * width);
  g_assert_cmpint (face->quality, ==, PA_FACE_QUALITY_GOOD);

  /* Smaller, still her face and nothing else: at 85 % a pattern on her
   * suit scores 0.31, over the threshold, and must be checked away. */
  for (double scale = 0.85; scale > 0.6; scale -= 0.15)
    {
      g_autoptr(GdkPixbuf) smaller = gdk_pixbuf_scale_simple (photo, (int) (width * scale),
                                                              (int) (height * scale),
                                                              GDK_INTERP_BILINEAR);
      g_autoptr(PaFace) found = detect_one (model, smaller);

      g_assert_cmpfloat (fabs (box_centre_x (found) - box_centre_x (face) * scale), <, 0.1 * face->box.width);
      g_assert_cmpfloat (fabs (found->eye_distance - face->eye_distance * scale), <, 0.1 * face->eye_distance);
    }
}

/* What each photograph gives alone, to judge the composites by. */
typedef struct {
  GdkPixbuf *grace;
  GdkPixbuf *astronaut;
  PaFace    *grace_face;
  PaFace    *astronaut_face;
} Photos;

static gboolean
photos_load (PaFaceModel *model,
             Photos      *photos)
{
  photos->grace = pa_test_photo_load ("grace_hopper.jpg");
  photos->astronaut = pa_test_photo_load ("astronaut.png");
  if (photos->grace == NULL || photos->astronaut == NULL)
    return FALSE;
  photos->grace_face = detect_one (model, photos->grace);
  photos->astronaut_face = detect_one (model, photos->astronaut);
  return TRUE;
}

static void
photos_clear (Photos *photos)
{
  g_clear_object (&photos->grace);
  g_clear_object (&photos->astronaut);
  g_clear_pointer (&photos->grace_face, pa_face_free);
  g_clear_pointer (&photos->astronaut_face, pa_face_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Photos, photos_clear)

/* @found is @alone's face moved by (@dx, @dy), and mirrored when
 * @mirror_width is not 0: the same size, the same points within 5 % of
 * the eye distance on average. */
static void
assert_same_face (const PaFace *found,
                  const PaFace *alone,
                  double        dx,
                  double        dy,
                  int           mirror_width)
{
  PaFace moved = *alone;
  double mean, max;

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      moved.landmarks[i].x += dx;
      moved.landmarks[i].y += dy;
    }
  if (mirror_width != 0)
    {
      /* Mirrored, the picture's left eye is the other one: the points
       * swap sides as well as places. Compare the eye centres and the
       * nose tip, which mirror into themselves or each other. The
       * model is not symmetric, so a mirrored face is fitted a little
       * differently: 8 % of the eye distance (5 px for Grace Hopper). */
      PaPoint eye_l = mean_point (found, 36, 41), eye_r = mean_point (found, 42, 47);
      PaPoint alone_l = mean_point (&moved, 36, 41), alone_r = mean_point (&moved, 42, 47);
      double tolerance = 0.08 * alone->eye_distance;

      g_assert_cmpfloat (fabs (eye_l.x - (mirror_width - 1 - alone_r.x)), <, tolerance);
      g_assert_cmpfloat (fabs (eye_r.x - (mirror_width - 1 - alone_l.x)), <, tolerance);
      g_assert_cmpfloat (fabs (eye_l.y - alone_r.y), <, tolerance);
      g_assert_cmpfloat (fabs (eye_r.y - alone_l.y), <, tolerance);
      g_test_message ("mirrored: eyes off by %.1f and %.1f px, nose by %.1f px",
                      hypot (eye_l.x - (mirror_width - 1 - alone_r.x), eye_l.y - alone_r.y),
                      hypot (eye_r.x - (mirror_width - 1 - alone_l.x), eye_r.y - alone_l.y),
                      fabs (found->landmarks[30].x - (mirror_width - 1 - moved.landmarks[30].x)));
      g_assert_cmpfloat (fabs (found->landmarks[30].x - (mirror_width - 1 - moved.landmarks[30].x)), <, tolerance);
      g_assert_cmpfloat (fabs (found->roll + alone->roll), <, 2.0);
    }
  else
    {
      landmark_distance (&moved, found, &mean, &max);
      g_assert_cmpfloat (mean, <, 0.05);
    }
  g_assert_cmpfloat (fabs (found->eye_distance - alone->eye_distance), <, 0.05 * alone->eye_distance);
}

static void
test_pair (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  g_autoptr(GdkPixbuf) pair = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  int grace_width;

  if (model == NULL || !photos_load (model, &photos))
    return;
  grace_width = gdk_pixbuf_get_width (photos.grace);

  pair = make_pair (photos.grace, photos.astronaut);
  faces = detect (model, pair);
  g_assert_cmpuint (faces->len, ==, 2);
  for (guint i = 0; i < faces->len; i++)
    {
      const PaFace *face = g_ptr_array_index (faces, i);

      g_assert_cmpint (face->index, ==, i);
      assert_face_is_sane (face);
      g_assert_cmpint (face->quality, ==, PA_FACE_QUALITY_GOOD);
    }
  /* Left to right: Grace Hopper, then the astronaut, each where it was
   * alone (the astronaut moved right by Grace's width and down to the
   * middle). */
  g_assert_cmpfloat (box_centre_x (g_ptr_array_index (faces, 0)), <, grace_width);
  g_assert_cmpfloat (box_centre_x (g_ptr_array_index (faces, 1)), >, grace_width);
  assert_same_face (g_ptr_array_index (faces, 0), photos.grace_face, 0, 0, 0);
  assert_same_face (g_ptr_array_index (faces, 1), photos.astronaut_face,
                    grace_width,
                    (gdk_pixbuf_get_height (pair) - gdk_pixbuf_get_height (photos.astronaut)) / 2,
                    0);
}

static void
test_pair_mirrored (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  g_autoptr(GdkPixbuf) pair = NULL;
  g_autoptr(GdkPixbuf) mirrored = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  int width, astronaut_dy;

  if (model == NULL || !photos_load (model, &photos))
    return;

  pair = make_pair (photos.grace, photos.astronaut);
  mirrored = gdk_pixbuf_flip (pair, TRUE);
  width = gdk_pixbuf_get_width (mirrored);
  astronaut_dy = (gdk_pixbuf_get_height (pair) - gdk_pixbuf_get_height (photos.astronaut)) / 2;

  faces = detect (model, mirrored);
  g_assert_cmpuint (faces->len, ==, 2);
  for (guint i = 0; i < faces->len; i++)
    {
      g_assert_cmpint (((PaFace *) g_ptr_array_index (faces, i))->index, ==, i);
      assert_face_is_sane (g_ptr_array_index (faces, i));
    }
  /* The order swaps: the astronaut is now face 0. */
  g_assert_cmpfloat (box_centre_x (g_ptr_array_index (faces, 0)), <, width - gdk_pixbuf_get_width (photos.grace));
  assert_same_face (g_ptr_array_index (faces, 0), photos.astronaut_face,
                    gdk_pixbuf_get_width (photos.grace), astronaut_dy, width);
  assert_same_face (g_ptr_array_index (faces, 1), photos.grace_face, 0, 0, width);
}

static void
test_half_size (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  g_autoptr(GdkPixbuf) pair = NULL;
  g_autoptr(GdkPixbuf) half = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  const PaFace *grace;

  if (model == NULL || !photos_load (model, &photos))
    return;

  pair = make_pair (photos.grace, photos.astronaut);
  half = gdk_pixbuf_scale_simple (pair, gdk_pixbuf_get_width (pair) / 2,
                                  gdk_pixbuf_get_height (pair) / 2, GDK_INTERP_BILINEAR);
  faces = detect (model, half);

  /* Grace Hopper's eyes are now about 44 px apart: found, good, at half
   * her size. The astronaut's are about 22 px apart: under the smallest
   * face worth swapping, so she is either not found or reported too
   * small, never good. */
  g_assert_cmpuint (faces->len, >=, 1);
  g_assert_cmpuint (faces->len, <=, 2);
  grace = g_ptr_array_index (faces, 0);
  assert_face_is_sane (grace);
  g_assert_cmpint (grace->quality, ==, PA_FACE_QUALITY_GOOD);
  g_assert_cmpfloat (box_centre_x (grace), <, gdk_pixbuf_get_width (photos.grace) / 2.0);
  g_assert_cmpfloat (fabs (grace->eye_distance - photos.grace_face->eye_distance / 2),
                     <, 0.08 * photos.grace_face->eye_distance / 2);
  if (faces->len == 2)
    {
      const PaFace *astronaut = g_ptr_array_index (faces, 1);

      g_test_message ("half-size astronaut found, eyes %.1f px apart, %s",
                      astronaut->eye_distance, pa_face_quality_to_string (astronaut->quality));
      g_assert_cmpfloat (box_centre_x (astronaut), >, gdk_pixbuf_get_width (photos.grace) / 2.0);
      g_assert_cmpint (astronaut->quality, ==, PA_FACE_QUALITY_TOO_SMALL);
    }
}

/* @found, in the picture turned by @degrees about (@cx, @cy), has its
 * eyes and nose where @upright's turn to: within 8 % of the eye
 * distance. */
static void
assert_turned_face (const PaFace *found,
                    const PaFace *upright,
                    double        degrees,
                    double        cx,
                    double        cy)
{
  static const struct { int first, last; } parts[] = {
    { 36, 41 },  /* one eye */
    { 42, 47 },  /* the other */
    { 30, 30 },  /* the nose tip */
    { 48, 67 },  /* the mouth */
  };
  double c = cos (degrees * G_PI / 180), s = sin (degrees * G_PI / 180);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      PaPoint was = mean_point (upright, parts[i].first, parts[i].last);
      PaPoint is = mean_point (found, parts[i].first, parts[i].last);
      PaPoint expected = {
        cx + c * (was.x - cx) - s * (was.y - cy),
        cy + s * (was.x - cx) + c * (was.y - cy),
      };

      g_assert_cmpfloat (hypot (is.x - expected.x, is.y - expected.y), <, 0.08 * upright->eye_distance);
    }
}

static void
test_rotated (gconstpointer data)
{
  double degrees = *(const double *) data;
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  g_autoptr(GdkPixbuf) turned = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  const PaFace *face;

  if (model == NULL || !photos_load (model, &photos))
    return;

  turned = rotate (photos.grace, degrees);
  faces = detect (model, turned);
  g_assert_cmpuint (faces->len, ==, 1);
  face = g_ptr_array_index (faces, 0);
  g_test_message ("turned %+.0f°: roll %.1f° (upright %.1f°), eyes %.1f px apart (upright %.1f), score %.2f",
                  degrees, face->roll, photos.grace_face->roll, face->eye_distance,
                  photos.grace_face->eye_distance, face->score);
  /* The eye line turns with the picture, and the landmarks with it:
   * dlib's model alone would lay them upright across a face tilted by
   * more than about 15°. */
  g_assert_cmpfloat (fabs (face->roll - (photos.grace_face->roll + degrees)), <, 3.0);
  assert_turned_face (face, photos.grace_face, degrees,
                      (gdk_pixbuf_get_width (turned) - 1) / 2.0, (gdk_pixbuf_get_height (turned) - 1) / 2.0);

  /* Tracked: fitted again from its own box, it stays where it is. */
  {
    PaPixels pixels = pixels_of (turned);
    PaFace tracked = *face;
    PaRect box = pa_face_model_box_for_face (model, face);
    double mean, max;

    pa_face_model_fit (model, &pixels, &box, &tracked);
    landmark_distance (face, &tracked, &mean, &max);
    g_test_message ("tracked: mean %.3f max %.3f of the eye distance", mean, max);
    g_assert_cmpfloat (mean, <, 0.06);
    g_assert_cmpfloat (fabs (tracked.roll - face->roll), <, 2.0);
  }
  g_assert_cmpfloat (fabs (face->eye_distance - photos.grace_face->eye_distance),
                     <, 0.12 * photos.grace_face->eye_distance);
  g_assert_cmpint (face->quality, ==, PA_FACE_QUALITY_GOOD);
}

static void
test_no_face (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_autoptr(GdkPixbuf) blank = NULL;
  g_autoptr(GdkPixbuf) noise = NULL;
  g_autoptr(GPtrArray) blank_faces = NULL;
  g_autoptr(GPtrArray) noise_faces = NULL;
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  guint8 *data;
  int stride;

  if (model == NULL)
    return;

  blank = grey_canvas (1280, 720);
  blank_faces = detect (model, blank);
  g_assert_cmpuint (blank_faces->len, ==, 0);

  noise = grey_canvas (1280, 720);
  data = gdk_pixbuf_get_pixels (noise);
  stride = gdk_pixbuf_get_rowstride (noise);
  for (int y = 0; y < 720; y++)
    for (int x = 0; x < 1280 * 3; x++)
      data[(gsize) y * stride + x] = (guint8) g_rand_int_range (rand, 0, 256);
  noise_faces = detect (model, noise);
  g_assert_cmpuint (noise_faces->len, ==, 0);
}

/* RGBx pixels (alpha 0, as padding may be) and rows with slack: the
 * same faces as plain RGB, to the pixel. */
static void
test_rgbx_and_stride (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(PaFace) reference = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *rgbx = NULL;
  PaPixels pixels;
  int width, height, stride;

  if (model == NULL || (photo = pa_test_photo_load ("grace_hopper.jpg")) == NULL)
    return;
  reference = detect_one (model, photo);

  width = gdk_pixbuf_get_width (photo);
  height = gdk_pixbuf_get_height (photo);
  stride = width * 4 + 36;
  rgbx = g_malloc0 ((gsize) stride * height);
  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *p = gdk_pixbuf_read_pixels (photo) + (gsize) y * gdk_pixbuf_get_rowstride (photo) + x * 3;

        memcpy (rgbx + (gsize) y * stride + x * 4, p, 3);
        /* Padding a reader must skip, not blend. */
        rgbx[(gsize) y * stride + x * 4 + 3] = (guint8) (x * 7 + y);
      }
  pixels = (PaPixels) { rgbx, width, height, stride, 4 };

  faces = pa_face_model_detect (model, &pixels, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);
  g_assert_cmpmem (&((PaFace *) g_ptr_array_index (faces, 0))->box, sizeof (PaRect),
                   &reference->box, sizeof (PaRect));
  g_assert_cmpmem (((PaFace *) g_ptr_array_index (faces, 0))->landmarks, sizeof reference->landmarks,
                   reference->landmarks, sizeof reference->landmarks);
}

/* Tracking: fitting in the box made from a face's landmarks finds the
 * same face again, and then stays within 3 % of the eye distance on
 * average (dlib's fit depends a little on where it starts, and the box
 * is whole pixels: measured 1.2 to 2.6 % a step on these photographs). */
static void
test_fit (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  GdkPixbuf *pictures[2];
  PaFace *detected[2];

  if (model == NULL || !photos_load (model, &photos))
    return;
  pictures[0] = photos.grace;
  pictures[1] = photos.astronaut;
  detected[0] = photos.grace_face;
  detected[1] = photos.astronaut_face;

  for (guint i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      PaPixels pixels = pixels_of (pictures[i]);
      PaFace first = *detected[i], second;
      PaRect box = pa_face_model_box_for_face (model, detected[i]);
      double mean, max;

      /* The box is about where the detector's was (its boxes come in
       * steps of a fifth, the pyramid's). */
      g_test_message ("box from landmarks %d,%d %d×%d; detector's %d,%d %d×%d",
                      box.x, box.y, box.width, box.height, detected[i]->box.x, detected[i]->box.y,
                      detected[i]->box.width, detected[i]->box.height);
      g_assert_cmpint (abs (box.x - detected[i]->box.x), <, detected[i]->box.width / 5);
      g_assert_cmpint (abs (box.y - detected[i]->box.y), <, detected[i]->box.width / 5);
      g_assert_cmpint (abs (box.width - detected[i]->box.width), <, detected[i]->box.width / 5);

      first.index = 7;
      first.score = 1234;
      pa_face_model_fit (model, &pixels, &box, &first);
      g_assert_cmpint (first.index, ==, 7);
      g_assert_cmpfloat (first.score, ==, 1234);
      assert_face_is_sane (&first);
      landmark_distance (detected[i], &first, &mean, &max);
      g_test_message ("refit %u: mean %.3f max %.3f of the eye distance", i, mean, max);
      g_assert_cmpfloat (mean, <, 0.06);

      second = first;
      box = pa_face_model_box_for_face (model, &first);
      pa_face_model_fit (model, &pixels, &box, &second);
      landmark_distance (&first, &second, &mean, &max);
      g_test_message ("refit again %u: mean %.3f max %.3f of the eye distance", i, mean, max);
      g_assert_cmpfloat (mean, <, 0.03);
      g_assert_cmpfloat (max, <, 0.1);
    }
}

/* Where the model is looked for: $PLAYALTER_FACE_MODEL as it is; else,
 * when the installed data folder has no model, the first system data
 * folder that has one. In a child that starts with our $XDG_DATA_DIRS:
 * GLib reads it once, maybe before the test runs. */
static void
test_default_path (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = NULL;
  g_autofree char *empty = NULL;
  g_autofree char *with_model = NULL;
  g_autofree char *model_dir = NULL;
  g_autofree char *model = NULL;
  g_autofree char *dirs = NULL;
  g_autofree char *installed = NULL;
  g_autofree char *expected = NULL;
  g_autofree char *saved_dirs = g_strdup (g_getenv ("XDG_DATA_DIRS"));

  if (g_test_subprocess ())
    {
      g_autofree char *from_env = NULL;
      g_autofree char *found = NULL;

      g_setenv ("PLAYALTER_FACE_MODEL", "/somewhere/else.dat", TRUE);
      from_env = pa_face_model_get_default_path ();
      g_assert_cmpstr (from_env, ==, "/somewhere/else.dat");

      g_unsetenv ("PLAYALTER_FACE_MODEL");
      found = pa_face_model_get_default_path ();
      g_print ("%s\n", found);
      return;
    }

  tmp = g_dir_make_tmp ("test-face-model-XXXXXX", &error);
  g_assert_no_error (error);
  empty = g_build_filename (tmp, "empty", NULL);
  with_model = g_build_filename (tmp, "with-model", NULL);
  model_dir = g_build_filename (with_model, "dlib", NULL);
  model = g_build_filename (model_dir, PA_FACE_MODEL_FILE_NAME, NULL);
  g_assert_cmpint (g_mkdir_with_parents (empty, 0700), ==, 0);
  g_assert_cmpint (g_mkdir_with_parents (model_dir, 0700), ==, 0);
  g_file_set_contents (model, "not really", -1, &error);
  g_assert_no_error (error);

  dirs = g_strjoin (G_SEARCHPATH_SEPARATOR_S, empty, with_model, NULL);
  g_setenv ("XDG_DATA_DIRS", dirs, TRUE);
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  if (saved_dirs != NULL)
    g_setenv ("XDG_DATA_DIRS", saved_dirs, TRUE);
  else
    g_unsetenv ("XDG_DATA_DIRS");

  g_test_trap_assert_passed ();
  /* This build's own data folder wins when it has the model. */
  installed = g_build_filename (pa_install_dirs_get_data_dir (), "dlib",
                                PA_FACE_MODEL_FILE_NAME, NULL);
  expected = g_strconcat (g_file_test (installed, G_FILE_TEST_IS_REGULAR) ? installed : model,
                          "\n", NULL);
  g_test_trap_assert_stdout (expected);

  g_unlink (model);
  g_rmdir (model_dir);
  g_rmdir (with_model);
  g_rmdir (empty);
  g_rmdir (tmp);
}

/* No model: an error that names the file and the package, and a later
 * call, once the model is there, loads it (failures are not kept). Run
 * in a child, as the shared model of this process may be loaded. */
static void
test_missing_model (void)
{
  if (g_test_subprocess ())
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaFaceModel) missing = NULL;
      g_autoptr(PaFaceModel) found = NULL;

      g_setenv ("PLAYALTER_FACE_MODEL", "/nonexistent/shape_predictor_68_face_landmarks.dat", TRUE);
      missing = pa_face_model_get_default (&error);
      g_assert_null (missing);
      g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
      g_assert_nonnull (strstr (error->message, "/nonexistent/shape_predictor_68_face_landmarks.dat"));
      g_assert_nonnull (strstr (error->message, "libdlib-data"));
      g_assert_nonnull (strstr (error->message, "apt install libdlib-data"));
      g_printerr ("%s\n", error->message);
      g_clear_error (&error);

      g_unsetenv ("PLAYALTER_FACE_MODEL");
      found = pa_face_model_get_default (&error);
      if (error != NULL)
        pa_test_missing (error->message, "install Debian's libdlib-data: sudo apt install libdlib-data");
      else
        g_assert_nonnull (found);
      return;
    }

  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*libdlib-data*");
}

/* Files that are not the model: an error naming the file, never a
 * crash. */
static void
test_corrupt_model (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *real = g_malloc (1024 * 1024);
  g_autofree char *model_path = NULL;
  g_autoptr(GError) error = NULL;
  gsize real_length = 0;
  FILE *file;
  struct {
    const char *name;
    gsize       length;
  } cases[] = {
    { "empty.dat", 0 },
    { "noise.dat", 4096 },
    { "truncated.dat", 0 },   /* the real model's first megabyte */
    { "a-folder", 0 },
  };
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);

  dir = g_dir_make_tmp ("test-face-model-XXXXXX", &error);
  g_assert_no_error (error);
  model_path = pa_face_model_get_default_path ();
  file = g_fopen (model_path, "rb");
  if (file == NULL)
    {
      pa_test_missing (model_path, "install Debian's libdlib-data: sudo apt install libdlib-data");
      return;
    }
  real_length = fread (real, 1, 1024 * 1024, file);
  fclose (file);
  g_assert_cmpuint (real_length, ==, 1024 * 1024);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_build_filename (dir, cases[i].name, NULL);
      g_autofree guint8 *bytes = g_malloc0 (MAX (cases[i].length, 1));
      g_autoptr(PaFaceModel) model = NULL;

      if (g_str_equal (cases[i].name, "a-folder"))
        g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
      else if (g_str_equal (cases[i].name, "truncated.dat"))
        g_file_set_contents (path, real, real_length, &error);
      else
        {
          for (gsize k = 0; k < cases[i].length; k++)
            bytes[k] = (guint8) g_rand_int_range (rand, 0, 256);
          g_file_set_contents (path, (const char *) bytes, cases[i].length, &error);
        }
      g_assert_no_error (error);

      model = pa_face_model_new_from_file (path, &error);
      g_assert_null (model);
      g_assert_error (error, PA_ERROR, PA_ERROR_NOT_FOUND);
      g_test_message ("%s: %s", cases[i].name, error->message);
      g_assert_nonnull (strstr (error->message, path));
      g_assert_nonnull (strstr (error->message, "libdlib-data"));
      g_clear_error (&error);

      if (g_str_equal (cases[i].name, "a-folder"))
        g_rmdir (path);
      else
        g_unlink (path);
    }
  g_rmdir (dir);
}

typedef struct {
  PaFaceModel *model;
  PaPixels     pixels;
  GPtrArray   *faces;
} DetectJob;

static gpointer
detect_in_thread (gpointer data)
{
  DetectJob *job = data;
  g_autoptr(GError) error = NULL;

  for (int round = 0; round < 3; round++)
    {
      g_clear_pointer (&job->faces, g_ptr_array_unref);
      job->faces = pa_face_model_detect (job->model, &job->pixels, NULL, &error);
      g_assert_no_error (error);
    }
  return NULL;
}

/* Four threads on one model at once find what one thread alone finds. */
static void
test_threads (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  g_auto(Photos) photos = { NULL, };
  g_autoptr(GdkPixbuf) pair = NULL;
  g_autoptr(GPtrArray) reference = NULL;
  DetectJob jobs[4];
  GThread *threads[4];

  if (model == NULL || !photos_load (model, &photos))
    return;
  pair = make_pair (photos.grace, photos.astronaut);
  reference = detect (model, pair);
  g_assert_cmpuint (reference->len, ==, 2);

  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      jobs[i] = (DetectJob) { model, pixels_of (pair), NULL };
      threads[i] = g_thread_new ("detect", detect_in_thread, &jobs[i]);
    }
  for (guint i = 0; i < G_N_ELEMENTS (jobs); i++)
    {
      g_thread_join (threads[i]);
      g_assert_cmpuint (jobs[i].faces->len, ==, reference->len);
      for (guint k = 0; k < reference->len; k++)
        g_assert_cmpmem (g_ptr_array_index (jobs[i].faces, k), sizeof (PaFace),
                         g_ptr_array_index (reference, k), sizeof (PaFace));
      g_ptr_array_unref (jobs[i].faces);
    }
}

static void
got_result (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

/* The asynchronous calls: the shared model once for two callers, a
 * detection, and a detection cancelled before and while it runs. */
static void
test_async_and_cancel (void)
{
  g_autoptr(GAsyncResult) first_result = NULL;
  g_autoptr(GAsyncResult) second_result = NULL;
  g_autoptr(GAsyncResult) detect_result = NULL;
  g_autoptr(GAsyncResult) cancelled_result = NULL;
  g_autoptr(GAsyncResult) model_cancelled_result = NULL;
  g_autoptr(PaFaceModel) first = NULL;
  g_autoptr(PaFaceModel) second = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GdkPixbuf) big = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(GError) error = NULL;
  PaPixels pixels, big_pixels;

  if ((photo = pa_test_photo_load ("grace_hopper.jpg")) == NULL)
    return;

  pa_face_model_get_default_async (NULL, got_result, &first_result);
  pa_face_model_get_default_async (NULL, got_result, &second_result);
  first = pa_face_model_get_default_finish (wait_for (&first_result), &error);
  if (first == NULL)
    {
      pa_test_missing (error->message, "install Debian's libdlib-data: sudo apt install libdlib-data");
      return;
    }
  second = pa_face_model_get_default_finish (wait_for (&second_result), &error);
  g_assert_no_error (error);
  g_assert_true (first == second);

  pixels = pixels_of (photo);
  pa_face_model_detect_async (first, &pixels, NULL, got_result, &detect_result);
  faces = pa_face_model_detect_finish (first, wait_for (&detect_result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (faces->len, ==, 1);

  /* Cancelled before it starts. */
  g_cancellable_cancel (cancellable);
  g_assert_null (pa_face_model_detect (first, &pixels, cancellable, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);
  pa_face_model_get_default_async (cancellable, got_result, &model_cancelled_result);
  g_assert_null (pa_face_model_get_default_finish (wait_for (&model_cancelled_result), &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
  g_clear_error (&error);

  /* Cancelled while it runs, on a picture big enough to take a while:
   * whatever stage it is at, it stops with PA_ERROR_CANCELLED. */
  g_clear_object (&cancellable);
  cancellable = g_cancellable_new ();
  big = gdk_pixbuf_scale_simple (photo, 2000, 2000, GDK_INTERP_BILINEAR);
  big_pixels = pixels_of (big);
  pa_face_model_detect_async (first, &big_pixels, cancellable, got_result, &cancelled_result);
  g_cancellable_cancel (cancellable);
  g_assert_null (pa_face_model_detect_finish (first, wait_for (&cancelled_result), &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_CANCELLED);
}

/* A view the engine cannot read is refused, not read. */
static void
test_bad_pixels (void)
{
  g_autoptr(PaFaceModel) model = require_model ();
  guint8 data[64] = { 0 };
  PaPixels bad[] = {
    { data, 4, 4, 16, 2 },      /* two channels */
    { data, 4, 4, 8, 3 },       /* rows shorter than the pixels */
    { data, 0, 4, 16, 4 },      /* no width */
    { NULL, 4, 4, 16, 4 },      /* no pixels */
    { data, 4, -1, 16, 4 },     /* negative height */
  };

  if (model == NULL)
    return;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) faces = pa_face_model_detect (model, &bad[i], NULL, &error);

      g_assert_null (faces);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    }
}

int
main (int   argc,
      char *argv[])
{
  static const double turns[] = { 10, -10, 25, -25, 35 };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/face-model/grace-hopper", test_grace_hopper);
  g_test_add_func ("/face-model/astronaut", test_astronaut);
  g_test_add_func ("/face-model/pair", test_pair);
  g_test_add_func ("/face-model/pair-mirrored", test_pair_mirrored);
  g_test_add_func ("/face-model/half-size", test_half_size);
  for (guint i = 0; i < G_N_ELEMENTS (turns); i++)
    {
      g_autofree char *path = g_strdup_printf ("/face-model/rotated/%+.0f", turns[i]);

      g_test_add_data_func (path, &turns[i], test_rotated);
    }
  g_test_add_func ("/face-model/no-face", test_no_face);
  g_test_add_func ("/face-model/rgbx-and-stride", test_rgbx_and_stride);
  g_test_add_func ("/face-model/fit", test_fit);
  g_test_add_func ("/face-model/default-path", test_default_path);
  g_test_add_func ("/face-model/missing-model", test_missing_model);
  g_test_add_func ("/face-model/corrupt-model", test_corrupt_model);
  g_test_add_func ("/face-model/threads", test_threads);
  g_test_add_func ("/face-model/async-and-cancel", test_async_and_cancel);
  g_test_add_func ("/face-model/bad-pixels", test_bad_pixels);

  return g_test_run ();
}
