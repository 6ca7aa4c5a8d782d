/* test-face-model.c — dlib's detector and landmarks on real photographs
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>

#include "pa-error.h"
#include "pa-face-model.h"

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

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/face-model/grace-hopper", test_grace_hopper);

  return g_test_run ();
}
