/* pa-test-photos.c — the real photographs the face swap tests use
 *
 * SPDX-License-Identifier: MIT
 */
#include "pa-test-photos.h"
#include "pa-test-require.h"

char *
pa_test_photo_path (const char *name)
{
  const char *root = g_getenv ("PLAYALTER_SOURCE_ROOT");
  g_autofree char *path = NULL;
  g_autofree char *what = NULL;

  g_return_val_if_fail (name != NULL, NULL);

  path = g_build_filename (root != NULL ? root : ".", "tests", "media", "photos", name, NULL);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&path);

  what = g_strdup_printf ("the test photograph %s", path);
  pa_test_missing (what, "run `bash build-aux/install-test-photos.sh`, which takes it from Debian's package");
  return NULL;
}

GdkPixbuf *
pa_test_photo_load (const char *name)
{
  g_autofree char *path = pa_test_photo_path (name);
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GdkPixbuf) rgb = NULL;

  if (path == NULL)
    return NULL;

  pixbuf = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  if (!gdk_pixbuf_get_has_alpha (pixbuf))
    return g_steal_pointer (&pixbuf);

  rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                        gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf));
  gdk_pixbuf_fill (rgb, 0xffffffff);
  gdk_pixbuf_composite (pixbuf, rgb, 0, 0,
                        gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                        0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
  return g_steal_pointer (&rgb);
}
