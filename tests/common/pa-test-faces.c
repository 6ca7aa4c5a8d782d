/* pa-test-faces.c — the face engine in tests and benchmarks
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-test-faces.h"
#include "pa-test-require.h"

PaPixels
pa_test_pixels_of (GdkPixbuf *pixbuf)
{
  return (PaPixels) {
    .data = gdk_pixbuf_get_pixels (pixbuf),
    .width = gdk_pixbuf_get_width (pixbuf),
    .height = gdk_pixbuf_get_height (pixbuf),
    .stride = gdk_pixbuf_get_rowstride (pixbuf),
    .channels = gdk_pixbuf_get_n_channels (pixbuf),
  };
}

PaFaceModel *
pa_test_face_model (void)
{
  g_autoptr(GError) error = NULL;
  PaFaceModel *model = pa_face_model_get_default (&error);

  if (model == NULL)
    pa_test_missing (error->message, "install Debian's libdlib-data: sudo apt install libdlib-data");
  return model;
}

GPtrArray *
pa_test_detect_faces (PaFaceModel *model,
                      GdkPixbuf   *pixbuf)
{
  g_autoptr(GError) error = NULL;
  PaPixels pixels = pa_test_pixels_of (pixbuf);
  GPtrArray *faces = pa_face_model_detect (model, &pixels, NULL, &error);

  g_assert_no_error (error);
  g_assert_nonnull (faces);
  return faces;
}

PaPoint
pa_test_face_mean (const PaFace *face,
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
