/* fuzz-image-file.c — picture files from anywhere: the header check, the
 * decoder behind it, the structure follower and the mark reader
 *
 * The input is written to a file and read as a picture would be: probed,
 * loaded, and (for PNG and JPEG bytes) checked for the face-swap mark.
 * Whatever the bytes, each call returns a picture or an error, and a
 * picture is 8-bit RGB within the size limits.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <fcntl.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "fuzz-common.h"
#include "pa-image-file.h"

static GFile *
input_file (void)
{
  static GFile *file;

  if (file == NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("pa-fuzz-image-XXXXXX", &error);
      g_autofree char *path = NULL;

      g_assert_no_error (error);
      path = g_build_filename (dir, "input.jpg", NULL);
      file = g_file_new_for_path (path);
    }
  return file;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  GFile *file;
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *format = NULL;
  int width = 0;
  int height = 0;

  fuzz_init ();
  file = input_file ();
  path = g_file_get_path (file);
  g_assert_true (g_file_set_contents (path, (const char *) data, size, &error));

  if (pa_image_file_probe (file, &width, &height, &format, &error))
    {
      g_assert_cmpint (width, >, 0);
      g_assert_cmpint (width, <=, PA_IMAGE_MAX_SIDE);
      g_assert_cmpint (height, >, 0);
      g_assert_cmpint (height, <=, PA_IMAGE_MAX_SIDE);
      g_assert_nonnull (format);
    }
  else
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  pixbuf = pa_image_file_load (file, NULL, &error);
  if (pixbuf != NULL)
    {
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 3);
      g_assert_false (gdk_pixbuf_get_has_alpha (pixbuf));
      g_assert_cmpint ((gint64) gdk_pixbuf_get_width (pixbuf) * gdk_pixbuf_get_height (pixbuf),
                       <=, PA_IMAGE_MAX_PIXELS);
    }
  else
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* Other bytes would go to GStreamer's discoverer, which is not what
   * this target is about (and takes a pipeline per input). */
  if ((size >= 8 && memcmp (data, "\x89PNG\r\n\x1a\n", 8) == 0)
      || (size >= 3 && memcmp (data, "\xff\xd8\xff", 3) == 0))
    {
      pa_media_file_has_mark (file, &error);
      g_assert_no_error (error);
    }
  return 0;
}
