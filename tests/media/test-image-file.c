/* test-image-file.c — pictures read with their size checked first, written
 * whole or not at all with the face-swap mark, and every bad file refused
 * with a message that names it
 *
 * SPDX-License-Identifier: MIT
 */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <gst/gst.h>

#include "pa-error.h"
#include "pa-image-file.h"

#include "pa-test-photos.h"
#include "pa-test-require.h"

#define MARK_TEXT PA_MEDIA_MARK_KEY "=" PA_MEDIA_MARK_VALUE

/* ---- helpers ------------------------------------------------------------- */

typedef struct {
  char *dir;
} Fixture;

static void
remove_tree (const char *path)
{
  GStatBuf st;

  if (g_lstat (path, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      g_autoptr(GDir) dir = NULL;
      const char *name;

      g_chmod (path, 0755);
      dir = g_dir_open (path, 0, NULL);
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *child = g_build_filename (path, name, NULL);

          remove_tree (child);
        }
      g_rmdir (path);
    }
  else
    g_unlink (path);
}

static void
fixture_set_up (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("pa-image-file-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *fixture,
                   gconstpointer  data)
{
  remove_tree (fixture->dir);
  g_free (fixture->dir);
}

static GFile *
file_in (const char *dir,
         const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  return g_file_new_for_path (path);
}

static GFile *
write_file (const char *dir,
            const char *name,
            const void *data,
            gsize       size)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, data, size, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize size = 0;

  g_assert_true (g_file_get_contents (path, &data, &size, &error));
  g_assert_no_error (error);
  return g_bytes_new_take (data, size);
}

static GBytes *
read_photo (const char *name)
{
  g_autofree char *path = pa_test_photo_path (name);

  return path != NULL ? read_bytes (path) : NULL;
}

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The names in @dir, sorted, joined with ",". */
static char *
list_dir (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, compare_names);
  g_ptr_array_add (names, NULL);
  return g_strjoinv (",", (char **) names->pdata);
}

/* The failure is @code in PA_ERROR, names @file, and says @words. The
 * message is logged: these are the texts a user reads. */
static void
assert_file_error (const GError *error,
                   int           code,
                   GFile        *file,
                   const char   *words)
{
  g_autofree char *name = g_file_get_parse_name (file);

  g_assert_nonnull (error);
  /* The namespace helper below runs outside GLib's test mode. */
  if (g_test_initialized ())
    g_test_message ("error: %s", error->message);
  else
    g_print ("error: %s\n", error->message);
  g_assert_error (error, PA_ERROR, code);
  g_assert_nonnull (strstr (error->message, name));
  g_assert_nonnull (strstr (error->message, words));
}

static GdkPixbuf *
small_picture (guint32 rgba)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 16, 16);

  gdk_pixbuf_fill (pixbuf, rgba);
  return pixbuf;
}

static void
assert_rgb8 (GdkPixbuf *pixbuf)
{
  g_assert_nonnull (pixbuf);
  g_assert_cmpint (gdk_pixbuf_get_colorspace (pixbuf), ==, GDK_COLORSPACE_RGB);
  g_assert_cmpint (gdk_pixbuf_get_bits_per_sample (pixbuf), ==, 8);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (pixbuf), ==, 3);
  g_assert_false (gdk_pixbuf_get_has_alpha (pixbuf));
}

/* Mean absolute difference per channel of two pictures of one size. */
static double
mean_difference (GdkPixbuf *a,
                 GdkPixbuf *b)
{
  int width = gdk_pixbuf_get_width (a);
  int height = gdk_pixbuf_get_height (a);
  guint64 sum = 0;

  g_assert_cmpint (gdk_pixbuf_get_width (b), ==, width);
  g_assert_cmpint (gdk_pixbuf_get_height (b), ==, height);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (a), ==, 3);
  g_assert_cmpint (gdk_pixbuf_get_n_channels (b), ==, 3);

  for (int y = 0; y < height; y++)
    {
      const guint8 *pa = gdk_pixbuf_read_pixels (a) + (gsize) y * gdk_pixbuf_get_rowstride (a);
      const guint8 *pb = gdk_pixbuf_read_pixels (b) + (gsize) y * gdk_pixbuf_get_rowstride (b);

      for (int x = 0; x < width * 3; x++)
        sum += ABS ((int) pa[x] - (int) pb[x]);
    }
  return (double) sum / ((double) width * height * 3);
}

static const guint8 *
pixel_at (GdkPixbuf *pixbuf,
          int        x,
          int        y)
{
  return gdk_pixbuf_read_pixels (pixbuf) + (gsize) y * gdk_pixbuf_get_rowstride (pixbuf)
         + (gsize) x * gdk_pixbuf_get_n_channels (pixbuf);
}

static void
assert_pixel_near (GdkPixbuf *pixbuf,
                   int        x,
                   int        y,
                   int        r,
                   int        g,
                   int        b,
                   int        tolerance)
{
  const guint8 *p = pixel_at (pixbuf, x, y);

  if (ABS (p[0] - r) > tolerance || ABS (p[1] - g) > tolerance || ABS (p[2] - b) > tolerance)
    g_error ("pixel (%d, %d) is (%d, %d, %d), expected (%d, %d, %d) ± %d",
             x, y, p[0], p[1], p[2], r, g, b, tolerance);
}

/* ---- real photographs ---------------------------------------------------- */

static void
test_load_photos (Fixture       *fixture,
                  gconstpointer  data)
{
  static const char * const names[] = { "grace_hopper.jpg", "astronaut.png" };
  static const char * const formats[] = { "jpeg", "png" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = pa_test_photo_path (names[i]);
      g_autoptr(GdkPixbuf) expected = NULL;
      g_autoptr(GdkPixbuf) loaded = NULL;
      g_autoptr(GFile) file = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *format = NULL;
      int width = 0;
      int height = 0;

      if (path == NULL)
        return;
      file = g_file_new_for_path (path);
      expected = pa_test_photo_load (names[i]);

      loaded = pa_image_file_load (file, NULL, &error);
      g_assert_no_error (error);
      assert_rgb8 (loaded);
      /* The same pixels gdk-pixbuf reads in one go. */
      g_assert_cmpfloat (mean_difference (loaded, expected), ==, 0.0);

      g_assert_true (pa_image_file_probe (file, &width, &height, &format, &error));
      g_assert_no_error (error);
      g_assert_cmpint (width, ==, gdk_pixbuf_get_width (expected));
      g_assert_cmpint (height, ==, gdk_pixbuf_get_height (expected));
      g_assert_cmpstr (format, ==, formats[i]);

      /* Photographs from elsewhere carry no face-swap mark. */
      g_assert_false (pa_media_file_has_mark (file, &error));
      g_assert_no_error (error);
    }
}

/* The format comes from the bytes: a PNG named .jpg is read as a PNG. */
static void
test_load_misnamed (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GBytes) png = read_photo ("astronaut.png");
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *format = NULL;

  if (png == NULL)
    return;
  file = write_file (fixture->dir, "really-a-png.jpg",
                     g_bytes_get_data (png, NULL), g_bytes_get_size (png));
  loaded = pa_image_file_load (file, NULL, &error);
  g_assert_no_error (error);
  assert_rgb8 (loaded);
  g_assert_true (pa_image_file_probe (file, NULL, NULL, &format, &error));
  g_assert_cmpstr (format, ==, "png");
}

static void
test_round_trip_png (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GdkPixbuf) photo = pa_test_photo_load ("astronaut.png");
  g_autoptr(GFile) out = file_in (fixture->dir, "swapped.png");
  g_autoptr(GdkPixbuf) again = NULL;
  g_autoptr(GdkPixbuf) plain = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (out);
  g_autofree char *listing = NULL;

  if (photo == NULL)
    return;

  g_assert_true (pa_image_file_save_marked (photo, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pa_media_file_has_mark (out, &error));
  g_assert_no_error (error);

  /* Lossless, and the mark is the tEXt chunk gdk-pixbuf itself reads. */
  again = pa_image_file_load (out, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpfloat (mean_difference (photo, again), ==, 0.0);
  plain = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (gdk_pixbuf_get_option (plain, "tEXt::" PA_MEDIA_MARK_KEY), ==, PA_MEDIA_MARK_VALUE);

  /* Replacing it leaves nothing else in the folder. */
  g_assert_true (pa_image_file_save_marked (photo, out, NULL, &error));
  g_assert_no_error (error);
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "swapped.png");
}

static void
test_round_trip_jpeg (Fixture       *fixture,
                      gconstpointer  data)
{
  g_autoptr(GdkPixbuf) photo = pa_test_photo_load ("grace_hopper.jpg");
  g_autoptr(GFile) out = file_in (fixture->dir, "swapped.JPEG");
  g_autoptr(GFile) unmarked = NULL;
  g_autoptr(GdkPixbuf) again = NULL;
  g_autoptr(GdkPixbuf) plain = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (out);
  const guint8 *b;
  double difference;

  if (photo == NULL)
    return;

  g_assert_true (pa_image_file_save_marked (photo, out, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (pa_media_file_has_mark (out, &error));
  g_assert_no_error (error);

  /* SOI, then the COM segment: FF FE, its length with itself, the text. */
  bytes = read_bytes (path);
  b = g_bytes_get_data (bytes, NULL);
  g_assert_cmpuint (g_bytes_get_size (bytes), >, 6 + strlen (MARK_TEXT));
  g_assert_cmphex (b[0], ==, 0xff);
  g_assert_cmphex (b[1], ==, 0xd8);
  g_assert_cmphex (b[2], ==, 0xff);
  g_assert_cmphex (b[3], ==, 0xfe);
  g_assert_cmpuint ((b[4] << 8) | b[5], ==, strlen (MARK_TEXT) + 2);
  g_assert_cmpmem (b + 6, strlen (MARK_TEXT), MARK_TEXT, strlen (MARK_TEXT));

  /* Still a JPEG any reader takes, close to the original at quality 92. */
  plain = gdk_pixbuf_new_from_file (path, &error);
  g_assert_no_error (error);
  again = pa_image_file_load (out, NULL, &error);
  g_assert_no_error (error);
  difference = mean_difference (photo, again);
  g_test_message ("JPEG at quality 92: mean difference %.2f per channel", difference);
  g_assert_cmpfloat (difference, <, 3.0);
  g_assert_cmpfloat (difference, >, 0.0);

  /* The same picture written by gdk-pixbuf alone has no mark. */
  unmarked = file_in (fixture->dir, "plain.jpg");
  {
    g_autofree char *unmarked_path = g_file_get_path (unmarked);

    g_assert_true (gdk_pixbuf_save (photo, unmarked_path, "jpeg", &error, NULL));
    g_assert_no_error (error);
  }
  g_assert_false (pa_media_file_has_mark (unmarked, &error));
  g_assert_no_error (error);
}

/* ---- orientation and alpha ----------------------------------------------- */

/* An APP1 Exif segment holding one IFD0 entry: Orientation (0x0112), a
 * SHORT, = 6 (the camera was turned: rotate 90° clockwise to show). */
static const guint8 exif_orientation_6[] = {
  0xff, 0xe1, 0x00, 0x22,
  'E', 'x', 'i', 'f', 0x00, 0x00,
  'M', 'M', 0x00, 0x2a, 0x00, 0x00, 0x00, 0x08,
  0x00, 0x01,
  0x01, 0x12, 0x00, 0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x06, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00,
};

static void
test_exif_orientation (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GdkPixbuf) stored = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 64, 32);
  g_autoptr(GdkPixbuf) left = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GByteArray) jpeg = g_byte_array_new ();
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *buffer = NULL;
  gsize size = 0;
  int width = 0;
  int height = 0;

  G_STATIC_ASSERT (sizeof exif_orientation_6 == 2 + 0x22);

  /* Stored 64×32: left half red, right half blue. */
  gdk_pixbuf_fill (stored, 0x0000ffff);
  left = gdk_pixbuf_new_subpixbuf (stored, 0, 0, 32, 32);
  gdk_pixbuf_fill (left, 0xff0000ff);
  g_assert_true (gdk_pixbuf_save_to_buffer (stored, &buffer, &size, "jpeg", &error, NULL));
  g_assert_no_error (error);

  g_byte_array_append (jpeg, (guint8 *) buffer, 2);
  g_byte_array_append (jpeg, exif_orientation_6, sizeof exif_orientation_6);
  g_byte_array_append (jpeg, (guint8 *) buffer + 2, size - 2);
  file = write_file (fixture->dir, "turned.jpg", jpeg->data, jpeg->len);

  /* The header gives the size as stored. */
  g_assert_true (pa_image_file_probe (file, &width, &height, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpint (width, ==, 64);
  g_assert_cmpint (height, ==, 32);

  /* Loaded upright: turned 90° clockwise, the left (red) half is on top. */
  loaded = pa_image_file_load (file, NULL, &error);
  g_assert_no_error (error);
  assert_rgb8 (loaded);
  g_assert_cmpint (gdk_pixbuf_get_width (loaded), ==, 32);
  g_assert_cmpint (gdk_pixbuf_get_height (loaded), ==, 64);
  assert_pixel_near (loaded, 16, 8, 255, 0, 0, 40);
  assert_pixel_near (loaded, 16, 56, 0, 0, 255, 40);
}

static void
test_alpha_flattened (Fixture       *fixture,
                      gconstpointer  data)
{
  static const guint8 rgba[] = {
    255, 0, 0, 255,    /* opaque red */
    255, 0, 0, 0,      /* transparent: white */
    0, 0, 255, 128,    /* half blue: half white */
    0, 0, 0, 0,
  };
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GdkPixbuf) loaded = NULL;
  g_autoptr(GFile) file = file_in (fixture->dir, "alpha.png");
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (file);

  g_autoptr(GBytes) bytes = g_bytes_new_static (rgba, sizeof rgba);

  source = gdk_pixbuf_new_from_bytes (bytes, GDK_COLORSPACE_RGB, TRUE, 8, 4, 1, 16);
  g_assert_true (gdk_pixbuf_save (source, path, "png", &error, NULL));
  g_assert_no_error (error);

  loaded = pa_image_file_load (file, NULL, &error);
  g_assert_no_error (error);
  assert_rgb8 (loaded);
  assert_pixel_near (loaded, 0, 0, 255, 0, 0, 0);
  assert_pixel_near (loaded, 1, 0, 255, 255, 255, 0);
  assert_pixel_near (loaded, 2, 0, 127, 127, 255, 1);
  assert_pixel_near (loaded, 3, 0, 255, 255, 255, 0);
}

/* ---- bad pictures -------------------------------------------------------- */

static void
assert_load_fails (GFile      *file,
                   int         code,
                   const char *words)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;

  pixbuf = pa_image_file_load (file, NULL, &error);
  g_assert_null (pixbuf);
  assert_file_error (error, code, file, words);
}

static void
test_bad_empty (Fixture       *fixture,
                gconstpointer  data)
{
  g_autoptr(GFile) file = write_file (fixture->dir, "empty.jpg", "", 0);
  g_autoptr(GError) error = NULL;

  assert_load_fails (file, PA_ERROR_INVALID_INPUT, "is empty");
  g_assert_false (pa_image_file_probe (file, NULL, NULL, NULL, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "is empty");
}

static void
test_bad_text (Fixture       *fixture,
               gconstpointer  data)
{
  static const char text[] = "Dear diary,\nthis is not a photograph at all.\n";
  g_autoptr(GFile) file = write_file (fixture->dir, "holiday.jpg", text, strlen (text));
  g_autoptr(GError) error = NULL;

  assert_load_fails (file, PA_ERROR_INVALID_INPUT, "is not a picture: it looks like plain text");
  g_assert_false (pa_image_file_probe (file, NULL, NULL, NULL, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "is not a picture: it looks like plain text");
}

/* Other picture formats are named, not decoded. */
static void
test_bad_other_format (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 8, 8);
  g_autoptr(GFile) file = file_in (fixture->dir, "picture.png");
  g_autofree char *path = g_file_get_path (file);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "bmp", &error, NULL));
  g_assert_no_error (error);
  assert_load_fails (file, PA_ERROR_INVALID_INPUT, "is a BMP picture, which cannot be used here");
}

/* A file cut at any point is an error, never a half-grey picture. */
static void
assert_truncations_fail (Fixture    *fixture,
                         const char *photo,
                         const char *name)
{
  g_autoptr(GBytes) bytes = read_photo (photo);
  const guint8 *data;
  gsize size;

  if (bytes == NULL)
    return;
  data = g_bytes_get_data (bytes, &size);

  for (int i = 1; i <= 9; i++)
    {
      g_autoptr(GFile) file = write_file (fixture->dir, name, data, size * i / 10);
      g_autoptr(GError) error = NULL;
      g_autoptr(GdkPixbuf) pixbuf = pa_image_file_load (file, NULL, &error);

      g_assert_null (pixbuf);
      assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "truncated");
    }

  /* One byte short: the end marker itself is missing. */
  {
    g_autoptr(GFile) file = write_file (fixture->dir, name, data, size - 1);

    assert_load_fails (file, PA_ERROR_INVALID_INPUT, "truncated");
  }
}

static void
test_bad_truncated_jpeg (Fixture       *fixture,
                         gconstpointer  data)
{
  assert_truncations_fail (fixture, "grace_hopper.jpg", "cut.jpg");
}

static void
test_bad_truncated_png (Fixture       *fixture,
                        gconstpointer  data)
{
  assert_truncations_fail (fixture, "astronaut.png", "cut.png");
}

/* Random bytes written over the middle of the photograph. */
static void
assert_corruption_fails (Fixture    *fixture,
                         const char *photo,
                         const char *name)
{
  g_autoptr(GBytes) bytes = read_photo (photo);
  g_autoptr(GRand) rand = g_rand_new_with_seed (10);
  g_autofree guint8 *data = NULL;
  gsize size;

  if (bytes == NULL)
    return;
  data = g_memdup2 (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  size = g_bytes_get_size (bytes);

  for (gsize i = size / 2; i < size / 2 + 1024; i++)
    data[i] = g_rand_int_range (rand, 0, 256);

  {
    g_autoptr(GFile) file = write_file (fixture->dir, name, data, size);

    assert_load_fails (file, PA_ERROR_INVALID_INPUT, "is damaged");
  }
}

static void
test_bad_corrupt_jpeg (Fixture       *fixture,
                       gconstpointer  data)
{
  assert_corruption_fails (fixture, "grace_hopper.jpg", "corrupt.jpg");
}

static void
test_bad_corrupt_png (Fixture       *fixture,
                      gconstpointer  data)
{
  assert_corruption_fails (fixture, "astronaut.png", "corrupt.png");
}

static void
append_png_chunk (GByteArray   *png,
                  const char   *type,
                  const guint8 *data,
                  guint32       size)
{
  guint8 length[4] = { size >> 24, size >> 16, size >> 8, size };
  guint32 crc;
  guint8 crc_bytes[4];

  g_byte_array_append (png, length, 4);
  g_byte_array_append (png, (const guint8 *) type, 4);
  if (size > 0)
    g_byte_array_append (png, data, size);

  /* CRC-32 of the type and the data, as zlib computes it. */
  crc = 0xffffffff;
  for (guint i = 0; i < 4 + size; i++)
    {
      guint8 byte = i < 4 ? (guint8) type[i] : data[i - 4];

      crc ^= byte;
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  crc ^= 0xffffffff;
  crc_bytes[0] = crc >> 24;
  crc_bytes[1] = crc >> 16;
  crc_bytes[2] = crc >> 8;
  crc_bytes[3] = crc;
  g_byte_array_append (png, crc_bytes, 4);
}

/* A valid PNG header saying @width × @height RGB, and a few kilobytes of
 * deflated zeros standing for the pixels (a whole 20000×20000 picture of
 * zeros would deflate to about 1.2 MB; the decoder must never get that
 * far). */
static GByteArray *
make_png_bomb (guint32 width,
               guint32 height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  guint8 ihdr[13] = {
    width >> 24, width >> 16, width >> 8, width,
    height >> 24, height >> 16, height >> 8, height,
    8, 2, 0, 0, 0,
  };
  g_autoptr(GConverter) zlib = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_ZLIB, 9));
  g_autoptr(GError) error = NULL;
  g_autofree guint8 *zeros = g_malloc0 (4 * 1024 * 1024);
  g_autofree guint8 *deflated = g_malloc (64 * 1024);
  GByteArray *png = g_byte_array_new ();
  gsize read = 0;
  gsize written = 0;

  g_assert_cmpint (g_converter_convert (zlib, zeros, 4 * 1024 * 1024, deflated, 64 * 1024,
                                        G_CONVERTER_INPUT_AT_END, &read, &written, &error),
                   ==, G_CONVERTER_FINISHED);
  g_assert_no_error (error);

  g_byte_array_append (png, signature, sizeof signature);
  append_png_chunk (png, "IHDR", ihdr, sizeof ihdr);
  append_png_chunk (png, "IDAT", deflated, written);
  append_png_chunk (png, "IEND", NULL, 0);
  return png;
}

/* The peak resident memory of this process so far, in kB. */
static gint64
peak_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmHWM:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmHWM:"), NULL, 10);
}

static gint64
current_rss_kb (void)
{
  g_autofree char *status = NULL;
  const char *line;

  g_assert_true (g_file_get_contents ("/proc/self/status", &status, NULL, NULL));
  line = strstr (status, "VmRSS:");
  g_assert_nonnull (line);
  return g_ascii_strtoll (line + strlen ("VmRSS:"), NULL, 10);
}

static void
test_bad_bomb (Fixture       *fixture,
               gconstpointer  data)
{
  g_autoptr(GByteArray) bomb = make_png_bomb (20000, 20000);
  g_autoptr(GByteArray) tall = make_png_bomb (PA_IMAGE_MAX_SIDE + 1, 1);
  g_autoptr(GFile) file = write_file (fixture->dir, "bomb.png", bomb->data, bomb->len);
  g_autoptr(GFile) tall_file = write_file (fixture->dir, "tall.png", tall->data, tall->len);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  gint64 start;
  gint64 elapsed;
  gint64 rss_before;
  gint64 peak_after;

  g_test_message ("the bomb: %u bytes saying 20000 × 20000 (1.2 GB of pixels)", bomb->len);
  g_assert_cmpuint (bomb->len, <, 64 * 1024);

  /* Writing 5 to clear_refs starts the peak again from the current size
   * (Linux ≥ 4.0); where that is not allowed, the peak so far is already
   * far below the 1.2 GB a decoded bomb would take. */
  g_file_set_contents ("/proc/self/clear_refs", "5", 1, NULL);
  rss_before = current_rss_kb ();
  start = g_get_monotonic_time ();

  pixbuf = pa_image_file_load (file, NULL, &error);

  elapsed = g_get_monotonic_time () - start;
  peak_after = peak_rss_kb ();
  g_test_message ("refused in %.1f ms; resident memory %" G_GINT64_FORMAT " kB before, peak %" G_GINT64_FORMAT " kB after",
                  elapsed / 1000.0, rss_before, peak_after);
  g_assert_null (pixbuf);
  assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "is too large: 20000 × 20000 pixels");
  g_assert_cmpint (elapsed, <, G_USEC_PER_SEC / 2);
  g_assert_cmpint (peak_after - rss_before, <, 32 * 1024);

  g_clear_error (&error);
  g_assert_false (pa_image_file_probe (file, NULL, NULL, NULL, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "is too large");

  /* One side over the limit is enough, however few pixels in all. */
  g_clear_error (&error);
  g_clear_object (&pixbuf);
  pixbuf = pa_image_file_load (tall_file, NULL, &error);
  g_assert_null (pixbuf);
  assert_file_error (error, PA_ERROR_INVALID_INPUT, tall_file, "is too large");
}

/* A small JPEG whose frame header (SOF0) says 20000 × 20000. */
static void
test_bad_jpeg_bomb (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GdkPixbuf) small = small_picture (0x808080ff);
  g_autoptr(GFile) file = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *jpeg = NULL;
  gsize size = 0;
  gsize at = 2;
  guint8 *b;
  gint64 start;

  g_assert_true (gdk_pixbuf_save_to_buffer (small, &jpeg, &size, "jpeg", &error, NULL));
  g_assert_no_error (error);
  b = (guint8 *) jpeg;

  /* Segment by segment to the frame header: marker, length, precision,
   * height, width. */
  while (at + 9 <= size && !(b[at] == 0xff && b[at + 1] == 0xc0))
    at += 2 + ((b[at + 2] << 8) | b[at + 3]);
  g_assert_cmpuint (at + 9, <=, size);
  b[at + 5] = 20000 >> 8;
  b[at + 6] = 20000 & 0xff;
  b[at + 7] = 20000 >> 8;
  b[at + 8] = 20000 & 0xff;
  file = write_file (fixture->dir, "bomb.jpg", b, size);

  start = g_get_monotonic_time ();
  pixbuf = pa_image_file_load (file, NULL, &error);
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC / 2);
  g_assert_null (pixbuf);
  assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "is too large: 20000 × 20000 pixels");
}

static void
test_bad_not_files (Fixture       *fixture,
                    gconstpointer  data)
{
  g_autoptr(GFile) missing = file_in (fixture->dir, "missing.jpg");
  g_autoptr(GFile) folder = file_in (fixture->dir, "folder.png");
  g_autoptr(GFile) fifo = file_in (fixture->dir, "pipe.jpg");
  g_autofree char *folder_path = g_file_get_path (folder);
  g_autofree char *fifo_path = g_file_get_path (fifo);
  g_autoptr(GError) error = NULL;
  gint64 start;

  assert_load_fails (missing, PA_ERROR_NOT_FOUND, "does not exist");
  g_assert_false (pa_media_file_has_mark (missing, &error));
  assert_file_error (error, PA_ERROR_NOT_FOUND, missing, "does not exist");

  g_assert_cmpint (g_mkdir (folder_path, 0755), ==, 0);
  assert_load_fails (folder, PA_ERROR_INVALID_INPUT, "is a folder");

  /* Nobody writes to the pipe: opening or reading it would wait forever,
   * and the test program's timeout would fail the test. */
  g_assert_cmpint (mkfifo (fifo_path, 0600), ==, 0);
  start = g_get_monotonic_time ();
  assert_load_fails (fifo, PA_ERROR_INVALID_INPUT, "is not a regular file");
  g_clear_error (&error);
  g_assert_false (pa_media_file_has_mark (fifo, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, fifo, "is not a regular file");
  g_clear_error (&error);
  g_assert_false (pa_image_file_probe (fifo, NULL, NULL, NULL, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, fifo, "is not a regular file");
  g_assert_cmpint (g_get_monotonic_time () - start, <, G_USEC_PER_SEC);
}

static void
test_cancelled (Fixture       *fixture,
                gconstpointer  data)
{
  g_autofree char *path = pa_test_photo_path ("astronaut.png");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) out = file_in (fixture->dir, "cancelled.png");
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);
  g_cancellable_cancel (cancellable);

  photo = pa_image_file_load (file, cancellable, &error);
  g_assert_null (photo);
  assert_file_error (error, PA_ERROR_CANCELLED, file, "cancelled");

  g_clear_error (&error);
  photo = pa_image_file_load (file, NULL, &error);
  g_assert_no_error (error);
  g_assert_false (pa_image_file_save_marked (photo, out, cancellable, &error));
  assert_file_error (error, PA_ERROR_CANCELLED, out, "cancelled");
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

typedef struct {
  GFile        *file;
  GCancellable *cancellable;
} LoadJob;

static gpointer
load_in_thread (gpointer data)
{
  LoadJob *job = data;
  g_autoptr(GError) error = NULL;
  GdkPixbuf *photo;

  photo = pa_image_file_load (job->file, job->cancellable, &error);
  /* Either it finished before the cancel, or it stopped with the cancel's
   * error; never anything else. */
  g_assert_true ((photo != NULL) != (error != NULL));
  if (error != NULL)
    assert_file_error (error, PA_ERROR_CANCELLED, job->file, "cancelled");
  return photo;
}

/* Cancelled while the decoder is half fed: the loader is closed without
 * a complaint from gdk-pixbuf (which g_test_init() makes fatal). The
 * cancel comes at delays spread over the whole load, so most land
 * between two chunks of the 790 KB photograph. */
static void
test_cancelled_midway (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autofree char *path = pa_test_photo_path ("astronaut.png");
  g_autoptr(GFile) file = NULL;
  gint64 whole;
  guint stopped = 0;

  if (path == NULL)
    return;
  file = g_file_new_for_path (path);

  whole = g_get_monotonic_time ();
  g_object_unref (pa_image_file_load (file, NULL, NULL));
  whole = g_get_monotonic_time () - whole;

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr(GCancellable) cancellable = g_cancellable_new ();
      LoadJob job = { file, cancellable };
      GThread *thread = g_thread_new ("load", load_in_thread, &job);
      GdkPixbuf *photo;

      g_usleep (whole * i / 40);
      g_cancellable_cancel (cancellable);
      photo = g_thread_join (thread);
      if (photo == NULL)
        stopped++;
      g_clear_object (&photo);
    }
  g_test_message ("%u of 40 loads stopped by the cancel", stopped);
  g_assert_cmpuint (stopped, >, 0);
}

/* ---- saving -------------------------------------------------------------- */

/* /proc is there, but answers "no such file" to a new file in it: the
 * message must not say the folder is missing. */
static void
test_save_special_folder (void)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, 4, 4);
  g_autoptr(GFile) out = g_file_new_for_path ("/proc/playalter-test.png");
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, 0x808080ff);
  g_assert_false (pa_image_file_save_marked (pixbuf, out, NULL, &error));
  assert_file_error (error, PA_ERROR_STORAGE, out, "files cannot be made in the folder");
  g_assert_null (strstr (error->message, "does not exist"));
}

static void
test_format_for (void)
{
  static const struct {
    const char *name;
    const char *format;
  } cases[] = {
    { "a.png", "png" },
    { "b.PNG", "png" },
    { "c.jpg", "jpeg" },
    { "d.JpG", "jpeg" },
    { "e.jpeg", "jpeg" },
    { "f.JPEG", "jpeg" },
    { "g.gif", NULL },
    { "h.webp", NULL },
    { "i.png.txt", NULL },
    { "no-extension", NULL },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GFile) file = g_file_new_for_path (cases[i].name);
      g_autoptr(GError) error = NULL;
      const char *format = pa_image_file_format_for (file, &error);

      g_assert_cmpstr (format, ==, cases[i].format);
      if (cases[i].format == NULL)
        assert_file_error (error, PA_ERROR_INVALID_INPUT, file, "PNG (.png) or JPEG (.jpg, .jpeg)");
      else
        g_assert_no_error (error);
    }
}

static void
test_save_unsupported (Fixture       *fixture,
                       gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = small_picture (0x336699ff);
  g_autoptr(GFile) out = file_in (fixture->dir, "out.gif");
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_false (pa_image_file_save_marked (pixbuf, out, NULL, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, out, "PNG (.png) or JPEG (.jpg, .jpeg)");
  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_save_no_folder (Fixture       *fixture,
                     gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = small_picture (0x336699ff);
  g_autoptr(GFile) missing = file_in (fixture->dir, "nowhere/out.png");
  g_autoptr(GFile) plain = write_file (fixture->dir, "plain.png", "x", 1);
  g_autoptr(GFile) below_file = file_in (fixture->dir, "plain.png/out.jpg");
  g_autoptr(GFile) folder = file_in (fixture->dir, "folder.png");
  g_autofree char *folder_path = g_file_get_path (folder);
  g_autoptr(GError) error = NULL;
  g_autofree char *listing = NULL;

  g_assert_false (pa_image_file_save_marked (pixbuf, missing, NULL, &error));
  assert_file_error (error, PA_ERROR_STORAGE, missing, "does not exist");

  g_clear_error (&error);
  g_assert_false (pa_image_file_save_marked (pixbuf, below_file, NULL, &error));
  assert_file_error (error, PA_ERROR_STORAGE, below_file, "is not a folder");

  g_clear_error (&error);
  g_assert_cmpint (g_mkdir (folder_path, 0755), ==, 0);
  g_assert_false (pa_image_file_save_marked (pixbuf, folder, NULL, &error));
  assert_file_error (error, PA_ERROR_STORAGE, folder, "a folder has that name");

  listing = list_dir (fixture->dir);
  g_assert_cmpstr (listing, ==, "folder.png,plain.png");
}

/* Writes an earlier picture at @name, then fails to replace it, and
 * checks that the folder holds exactly what it held before. */
static void
assert_save_fails_keeping (const char *dir,
                           const char *name,
                           GdkPixbuf  *replacement,
                           const char *words,
                           void      (*break_it) (const char *dir))
{
  g_autoptr(GdkPixbuf) earlier = small_picture (0x00ff00ff);
  g_autoptr(GFile) out = file_in (dir, name);
  g_autofree char *path = g_file_get_path (out);
  g_autoptr(GBytes) before = NULL;
  g_autoptr(GBytes) after = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *listing_before = NULL;
  g_autofree char *listing_after = NULL;

  g_assert_true (pa_image_file_save_marked (earlier, out, NULL, &error));
  g_assert_no_error (error);
  before = read_bytes (path);
  break_it (dir);
  listing_before = list_dir (dir);

  g_assert_false (pa_image_file_save_marked (replacement, out, NULL, &error));
  assert_file_error (error, PA_ERROR_STORAGE, out, words);

  after = read_bytes (path);
  g_assert_true (g_bytes_equal (before, after));
  listing_after = list_dir (dir);
  g_assert_cmpstr (listing_after, ==, listing_before);
}

static void
make_read_only (const char *dir)
{
  g_assert_cmpint (g_chmod (dir, 0555), ==, 0);
}

static void run_namespace_case (const char *dir,
                                const char *scenario);

/* A 0555 folder. Root's capabilities override folder permissions, so as
 * root the case runs in the namespace below, with those capabilities
 * dropped. */
static void
test_save_read_only_permissions (Fixture       *fixture,
                                 gconstpointer  data)
{
  g_autoptr(GdkPixbuf) pixbuf = small_picture (0x336699ff);

  if (geteuid () == 0)
    run_namespace_case (fixture->dir, "permissions");
  else
    assert_save_fails_keeping (fixture->dir, "out.png", pixbuf,
                               "you are not allowed to write in the folder", make_read_only);
}

/* ---- a read-only and a full file system, in a private namespace ---------- */

/* The cases below need a file system that really is read-only or full,
 * for root too: this program runs itself under `unshare --user
 * --map-root-user --mount`, mounts a small tmpfs that only that process
 * sees (gone when it exits), and checks there. */

static GdkPixbuf *
noise_picture (int width,
               int height)
{
  GdkPixbuf *pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 *pixels = gdk_pixbuf_get_pixels (pixbuf);
  int stride = gdk_pixbuf_get_rowstride (pixbuf);

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width * 3; x++)
      pixels[(gsize) y * stride + x] = g_rand_int_range (rand, 0, 256);
  return pixbuf;
}

static void
remount_read_only (const char *dir)
{
  if (mount (NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) != 0)
    g_error ("remounting %s read-only: %s", dir, g_strerror (errno));
}

/* chmod 0555, then give up every capability, CAP_DAC_OVERRIDE among
 * them: from here on this process is held to the folder's permissions. */
static void
make_read_only_for_root (const char *dir)
{
  struct __user_cap_header_struct header = { _LINUX_CAPABILITY_VERSION_3, 0 };
  struct __user_cap_data_struct caps[2] = { { 0 } };

  make_read_only (dir);
  if (syscall (SYS_capset, &header, caps) != 0)
    g_error ("dropping capabilities: %s", g_strerror (errno));
}

/* Fills the file system until it has no room left. */
static void
fill_up (const char *dir)
{
  g_autofree char *path = g_build_filename (dir, "filler", NULL);
  g_autofree guint8 *block = g_malloc0 (4096);
  FILE *f = fopen (path, "w");

  g_assert_nonnull (f);
  setvbuf (f, NULL, _IONBF, 0);
  while (fwrite (block, 1, 4096, f) == 4096)
    ;
  g_assert_cmpint (errno, ==, ENOSPC);
  /* And the last few bytes. */
  while (fwrite (block, 1, 1, f) == 1)
    ;
  fclose (f);
}

static int
run_in_namespace (const char *scenario,
                  const char *dir)
{
  g_autoptr(GdkPixbuf) replacement = noise_picture (256, 256);

  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV, "size=512k,mode=0755") != 0)
    {
      g_printerr ("mounting a tmpfs on %s: %s\n", dir, g_strerror (errno));
      return 2;
    }

  /* The replacement is about 200 kB as a PNG (noise does not compress):
   * more than a full disk has left, less than the disk. */
  if (g_str_equal (scenario, "full"))
    assert_save_fails_keeping (dir, "out.png", replacement, "the disk is full", fill_up);
  else if (g_str_equal (scenario, "read-only"))
    assert_save_fails_keeping (dir, "out.jpg", replacement, "is read-only", remount_read_only);
  else if (g_str_equal (scenario, "permissions"))
    assert_save_fails_keeping (dir, "out.png", replacement,
                               "you are not allowed to write in the folder", make_read_only_for_root);
  else
    return 2;
  return 0;
}

static void
run_namespace_case (const char *dir,
                    const char *scenario)
{
  g_autofree char *unshare = pa_test_require_program ("unshare", "util-linux");
  g_autofree char *self = NULL;
  g_autofree char *mount_point = g_build_filename (dir, "mnt", NULL);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *listing = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (unshare == NULL)
    return;
  self = g_file_read_link ("/proc/self/exe", &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_mkdir (mount_point, 0755), ==, 0);

  {
    const char *argv[] = { unshare, "--user", "--map-root-user", "--mount",
                           self, "--in-namespace", scenario, mount_point, NULL };

    g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                 &out, &err, &status, &error));
    g_assert_no_error (error);
  }
  g_test_message ("%s%s", g_strstrip (out), g_strstrip (err));

  if (WIFEXITED (status) && WEXITSTATUS (status) == 2)
    {
      /* Mounting failed: user namespaces are off (kernel.unprivileged_userns_clone
       * or a container's policy), so the case could not run at all. */
      g_autofree char *why = g_strdup_printf ("a private user and mount namespace with a tmpfs (%s)",
                                              g_strstrip (err));

      pa_test_missing (why, "allow unprivileged user namespaces (sysctl kernel.unprivileged_userns_clone=1) "
                       "or run the tests where `unshare --user --map-root-user --mount` works");
      return;
    }
  g_assert_true (g_spawn_check_wait_status (status, &error));
  g_assert_no_error (error);

  /* Nothing was left outside the mount either. */
  listing = list_dir (mount_point);
  g_assert_cmpstr (listing, ==, "");
}

static void
test_save_full_disk (Fixture       *fixture,
                     gconstpointer  data)
{
  run_namespace_case (fixture->dir, "full");
}

static void
test_save_read_only_mount (Fixture       *fixture,
                           gconstpointer  data)
{
  run_namespace_case (fixture->dir, "read-only");
}

/* ---- the mark in other files --------------------------------------------- */

static void
test_mark_hostile (Fixture       *fixture,
                   gconstpointer  data)
{
  /* A JPEG whose first segment claims to run past the end, and a PNG whose
   * first chunk is a tEXt claiming 2 GB: read as "no mark", nothing
   * allocated by their word. */
  static const guint8 jpeg[] = { 0xff, 0xd8, 0xff, 0xfe, 0xff, 0xff, 'D', 'i' };
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n',
                                0x7f, 0xff, 0xff, 0xff, 't', 'E', 'X', 't', 'D' };
  g_autoptr(GFile) jpeg_file = write_file (fixture->dir, "hostile.jpg", jpeg, sizeof jpeg);
  g_autoptr(GFile) png_file = write_file (fixture->dir, "hostile.png", png, sizeof png);
  g_autoptr(GFile) text_file = write_file (fixture->dir, "notes.mp4", "hello\n", 6);
  g_autoptr(GError) error = NULL;

  g_assert_false (pa_media_file_has_mark (jpeg_file, &error));
  g_assert_no_error (error);
  g_assert_false (pa_media_file_has_mark (png_file, &error));
  g_assert_no_error (error);

  g_assert_false (pa_media_file_has_mark (text_file, &error));
  assert_file_error (error, PA_ERROR_INVALID_INPUT, text_file, "neither a picture nor a video");
}

/* A short clip as the video part writes it: @muxer with GST_TAG_COMMENT
 * set to the mark (or no tag at all). */
static gboolean
make_clip (const char *path,
           const char *encoder,
           const char *muxer,
           gboolean    marked)
{
  static const struct {
    const char *element;
    const char *package;
  } needed[] = {
    { "videotestsrc", "gstreamer1.0-plugins-base" },
    { "x264enc", "gstreamer1.0-plugins-ugly" },
    { "mp4mux", "gstreamer1.0-plugins-good" },
    { "vp8enc", "gstreamer1.0-plugins-good" },
    { "webmmux", "gstreamer1.0-plugins-good" },
  };
  g_autoptr(GstElement) pipeline = NULL;
  g_autoptr(GstElement) mux = NULL;
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GstMessage) message = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *description = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (needed); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (needed[i].element);

      if (factory == NULL)
        {
          g_autofree char *what = g_strdup_printf ("the GStreamer element %s", needed[i].element);

          return pa_test_missing (what, needed[i].package);
        }
    }

  description = g_strdup_printf ("videotestsrc num-buffers=15 ! video/x-raw,width=64,height=48,framerate=15/1 "
                                 "! %s ! %s name=mux ! filesink location=\"%s\"",
                                 encoder, muxer, path);
  pipeline = gst_parse_launch (description, &error);
  g_assert_no_error (error);
  mux = gst_bin_get_by_name (GST_BIN (pipeline), "mux");
  g_assert_true (GST_IS_TAG_SETTER (mux));
  if (marked)
    gst_tag_setter_add_tags (GST_TAG_SETTER (mux), GST_TAG_MERGE_REPLACE,
                             GST_TAG_COMMENT, MARK_TEXT, NULL);

  g_assert_cmpint (gst_element_set_state (pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
  bus = gst_element_get_bus (pipeline);
  message = gst_bus_timed_pop_filtered (bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  g_assert_nonnull (message);
  g_assert_cmpint (GST_MESSAGE_TYPE (message), ==, GST_MESSAGE_EOS);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  return TRUE;
}

static void
test_mark_video (Fixture       *fixture,
                 gconstpointer  data)
{
  static const struct {
    const char *name;
    const char *encoder;
    const char *muxer;
  } containers[] = {
    { "clip.mp4", "x264enc", "mp4mux" },
    { "clip.webm", "vp8enc", "webmmux" },
  };

  gst_init (NULL, NULL);

  for (guint i = 0; i < G_N_ELEMENTS (containers); i++)
    for (int marked = 0; marked <= 1; marked++)
      {
        g_autoptr(GFile) file = file_in (fixture->dir, containers[i].name);
        g_autofree char *path = g_file_get_path (file);
        g_autoptr(GError) error = NULL;

        if (!make_clip (path, containers[i].encoder, containers[i].muxer, marked))
          return;
        g_assert_cmpint (pa_media_file_has_mark (file, &error), ==, marked);
        g_assert_no_error (error);
      }
}

int
main (int   argc,
      char *argv[])
{
  if (argc == 4 && g_str_equal (argv[1], "--in-namespace"))
    return run_in_namespace (argv[2], argv[3]);

  g_test_init (&argc, &argv, NULL);

  g_test_add ("/image-file/load/photos", Fixture, NULL, fixture_set_up, test_load_photos, fixture_tear_down);
  g_test_add ("/image-file/load/misnamed", Fixture, NULL, fixture_set_up, test_load_misnamed, fixture_tear_down);
  g_test_add ("/image-file/load/exif-orientation", Fixture, NULL, fixture_set_up, test_exif_orientation, fixture_tear_down);
  g_test_add ("/image-file/load/alpha-flattened", Fixture, NULL, fixture_set_up, test_alpha_flattened, fixture_tear_down);
  g_test_add ("/image-file/load/cancelled", Fixture, NULL, fixture_set_up, test_cancelled, fixture_tear_down);
  g_test_add ("/image-file/load/cancelled-midway", Fixture, NULL, fixture_set_up, test_cancelled_midway, fixture_tear_down);
  g_test_add ("/image-file/bad/empty", Fixture, NULL, fixture_set_up, test_bad_empty, fixture_tear_down);
  g_test_add ("/image-file/bad/text-named-jpg", Fixture, NULL, fixture_set_up, test_bad_text, fixture_tear_down);
  g_test_add ("/image-file/bad/other-format", Fixture, NULL, fixture_set_up, test_bad_other_format, fixture_tear_down);
  g_test_add ("/image-file/bad/truncated-jpeg", Fixture, NULL, fixture_set_up, test_bad_truncated_jpeg, fixture_tear_down);
  g_test_add ("/image-file/bad/truncated-png", Fixture, NULL, fixture_set_up, test_bad_truncated_png, fixture_tear_down);
  g_test_add ("/image-file/bad/corrupt-jpeg", Fixture, NULL, fixture_set_up, test_bad_corrupt_jpeg, fixture_tear_down);
  g_test_add ("/image-file/bad/corrupt-png", Fixture, NULL, fixture_set_up, test_bad_corrupt_png, fixture_tear_down);
  g_test_add ("/image-file/bad/png-bomb", Fixture, NULL, fixture_set_up, test_bad_bomb, fixture_tear_down);
  g_test_add ("/image-file/bad/jpeg-bomb", Fixture, NULL, fixture_set_up, test_bad_jpeg_bomb, fixture_tear_down);
  g_test_add ("/image-file/bad/not-files", Fixture, NULL, fixture_set_up, test_bad_not_files, fixture_tear_down);
  g_test_add_func ("/image-file/save/format-for", test_format_for);
  g_test_add ("/image-file/save/round-trip-png", Fixture, NULL, fixture_set_up, test_round_trip_png, fixture_tear_down);
  g_test_add ("/image-file/save/round-trip-jpeg", Fixture, NULL, fixture_set_up, test_round_trip_jpeg, fixture_tear_down);
  g_test_add ("/image-file/save/unsupported", Fixture, NULL, fixture_set_up, test_save_unsupported, fixture_tear_down);
  g_test_add_func ("/image-file/save/special-folder", test_save_special_folder);
  g_test_add ("/image-file/save/no-folder", Fixture, NULL, fixture_set_up, test_save_no_folder, fixture_tear_down);
  g_test_add ("/image-file/save/read-only-permissions", Fixture, NULL, fixture_set_up, test_save_read_only_permissions, fixture_tear_down);
  g_test_add ("/image-file/save/read-only-mount", Fixture, NULL, fixture_set_up, test_save_read_only_mount, fixture_tear_down);
  g_test_add ("/image-file/save/full-disk", Fixture, NULL, fixture_set_up, test_save_full_disk, fixture_tear_down);
  g_test_add ("/image-file/mark/video", Fixture, NULL, fixture_set_up, test_mark_video, fixture_tear_down);
  g_test_add ("/image-file/mark/hostile", Fixture, NULL, fixture_set_up, test_mark_hostile, fixture_tear_down);

  return g_test_run ();
}
