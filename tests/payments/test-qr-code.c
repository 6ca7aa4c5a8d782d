/* test-qr-code.c — QR codes that a scanner reads back exactly
 *
 * Every code is checked by a real decoder: the PNG is written to a
 * folder of the test's own and read by zbarimg, and the terminal text is
 * turned back into pixels and read the same way.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-qr-code.h"
#include "pa-test-qr.h"
#include "pa-test-require.h"

#define QUIET_ZONE 4

static const char *const texts[] = {
  "https://buy.stripe.com/test_6oE5kI0Vx9aB3dK144",
  "https://checkout.stripe.com/c/pay/cs_test_a1B2c3D4e5F6g7H8i9J0kLmNoPqRsTuVwXyZ#fidkdWxOYHwnPyd1blpxYHZxWjA0",
  "HTTPS://BUY.STRIPE.COM/ABC",
  "https://example.com/päy?amount=12,34&currency=eur&note=caf%C3%A9 ünïcode ✓",
  "1234567890",
  "x",
};

/* What zbarimg reads in @path, or NULL after failing (or skipping) the
 * test when zbarimg is missing. */
static char *
decode (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = pa_test_qr_read (path, &error);

  if (!pa_test_require_no_error (error))
    return NULL;
  return text;
}

static char *
make_temp_dir (void)
{
  g_autoptr(GError) error = NULL;
  char *dir = g_dir_make_tmp ("test-qr-code-XXXXXX", &error);

  g_assert_no_error (error);
  return dir;
}

static void
remove_temp_dir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle != NULL && (name = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static void
test_png_decodes (void)
{
  g_autofree char *dir = make_temp_dir ();

  for (gsize i = 0; i < G_N_ELEMENTS (texts); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(PaQrCode) code = pa_qr_code_new (texts[i], &error);
      g_autoptr(GBytes) png = NULL;
      g_autoptr(GdkPixbuf) pixbuf = NULL;
      g_autoptr(GInputStream) stream = NULL;
      g_autofree char *path = g_strdup_printf ("%s/code-%zu.png", dir, i);
      g_autofree char *read_back = NULL;
      guint size;

      g_assert_no_error (error);
      g_assert_cmpstr (pa_qr_code_get_text (code), ==, texts[i]);
      size = pa_qr_code_get_size (code);
      /* Versions 1 to 40: 21 to 177 modules, in steps of 4. */
      g_assert_cmpuint (size, >=, 21);
      g_assert_cmpuint (size, <=, 177);
      g_assert_cmpuint ((size - 21) % 4, ==, 0);
      /* The finder pattern's corner, and the quiet zone around. */
      g_assert_true (pa_qr_code_is_dark (code, 0, 0));
      g_assert_false (pa_qr_code_is_dark (code, -1, 0));
      g_assert_false (pa_qr_code_is_dark (code, (int) size, 0));
      g_assert_false (pa_qr_code_is_dark (code, 0, G_MAXINT));

      png = pa_qr_code_to_png (code, 4, &error);
      g_assert_no_error (error);
      stream = g_memory_input_stream_new_from_bytes (png);
      pixbuf = gdk_pixbuf_new_from_stream (stream, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (gdk_pixbuf_get_width (pixbuf), ==, (int) (size + 2 * QUIET_ZONE) * 4);
      g_assert_cmpint (gdk_pixbuf_get_height (pixbuf), ==, gdk_pixbuf_get_width (pixbuf));

      g_file_set_contents (path, g_bytes_get_data (png, NULL), (gssize) g_bytes_get_size (png),
                           &error);
      g_assert_no_error (error);
      read_back = decode (path);
      if (read_back == NULL)
        break;
      g_test_message ("%u modules, read back “%s”", size, read_back);
      g_assert_cmpstr (read_back, ==, texts[i]);
    }
  remove_temp_dir (dir);
}

static void
test_smallest_version (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaQrCode) small = pa_qr_code_new ("https://buy.stripe.com/x", &error);
  g_autofree char *padding = g_strnfill (2000, 'a');
  g_autofree char *long_url = g_strconcat ("https://example.com/?q=", padding, NULL);
  g_autoptr(PaQrCode) large = NULL;

  g_assert_no_error (error);
  /* 24 bytes at level M fit version 2 (25 modules). */
  g_assert_cmpuint (pa_qr_code_get_size (small), ==, 25);

  large = pa_qr_code_new (long_url, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_qr_code_get_size (large), >, 100);
}

/* The terminal text, drawn back into pixels (one per module, scaled) and
 * read by zbarimg: the shape is right when a scanner agrees. */
static void
test_text (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaQrCode) code = pa_qr_code_new (texts[0], &error);
  g_autofree char *text = NULL;
  g_autofree char *dir = make_temp_dir ();
  g_autofree char *path = g_build_filename (dir, "from-text.png", NULL);
  g_auto(GStrv) lines = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autofree char *read_back = NULL;
  guint size, side, n_lines;
  const int scale = 4;

  g_assert_no_error (error);
  size = pa_qr_code_get_size (code);
  side = size + 2 * QUIET_ZONE;
  text = pa_qr_code_to_text (code);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_suffix (text, "\n"));

  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines) - 1;   /* after the last '\n' */
  g_assert_cmpstr (lines[n_lines], ==, "");
  g_assert_cmpuint (n_lines, ==, (side + 1) / 2);

  pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, (int) side * scale,
                           (int) (n_lines * 2) * scale);
  gdk_pixbuf_fill (pixbuf, 0xffffffff);
  for (guint row = 0; row < n_lines; row++)
    {
      const char *p = lines[row];

      g_assert_cmpint (g_utf8_strlen (lines[row], -1), ==, (glong) side);
      for (guint x = 0; x < side; x++, p = g_utf8_next_char (p))
        {
          gunichar c = g_utf8_get_char (p);
          gboolean top = c == 0x2588 || c == 0x2580;
          gboolean bottom = c == 0x2588 || c == 0x2584;

          if (c != ' ' && !top && !bottom)
            g_error ("unexpected character U+%04X in the terminal text", c);
          /* The quiet zone is blank. */
          if (2 * row + 1 < QUIET_ZONE || 2 * row >= QUIET_ZONE + size
              || x < QUIET_ZONE || x >= QUIET_ZONE + size)
            g_assert_cmpint (c, ==, ' ');
          /* Each half is the module under it. */
          g_assert_cmpint (top, ==, pa_qr_code_is_dark (code, (int) x - QUIET_ZONE,
                                                         (int) (2 * row) - QUIET_ZONE));
          g_assert_cmpint (bottom, ==, pa_qr_code_is_dark (code, (int) x - QUIET_ZONE,
                                                            (int) (2 * row + 1) - QUIET_ZONE));
          for (guint half = 0; half < 2; half++)
            {
              g_autoptr(GdkPixbuf) block = NULL;

              if (!(half == 0 ? top : bottom))
                continue;
              block = gdk_pixbuf_new_subpixbuf (pixbuf, (int) x * scale,
                                                (int) (2 * row + half) * scale, scale, scale);
              gdk_pixbuf_fill (block, 0x000000ff);
            }
        }
    }

  gdk_pixbuf_save (pixbuf, path, "png", &error, NULL);
  g_assert_no_error (error);
  read_back = decode (path);
  if (read_back != NULL)
    g_assert_cmpstr (read_back, ==, texts[0]);
  remove_temp_dir (dir);
}

static void
test_refused (void)
{
  g_autofree char *too_long = g_strnfill (2049, 'a');
  g_autofree char *longest = g_strnfill (2048, 'a');
  const char *const bad[] = { NULL, "", too_long, "caf\xe9" /* Latin-1, not UTF-8 */ };
  g_autoptr(GError) error = NULL;
  g_autoptr(PaQrCode) code = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(PaQrCode) refused = pa_qr_code_new (bad[i], &error);

      g_assert_null (refused);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_test_message ("refused: %s", error->message);
      g_clear_error (&error);
    }

  /* The limit itself still fits (version 40 holds 2331 bytes at M). */
  code = pa_qr_code_new (longest, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (pa_qr_code_get_size (code), <=, 177);

  /* A picture of no size, or one too large to be meant. */
  g_assert_null (pa_qr_code_to_png (code, 0, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);
  g_assert_null (pa_qr_code_to_png (code, 1000, &error));
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/qr-code/png-decodes", test_png_decodes);
  g_test_add_func ("/qr-code/smallest-version", test_smallest_version);
  g_test_add_func ("/qr-code/text", test_text);
  g_test_add_func ("/qr-code/refused", test_refused);

  return g_test_run ();
}
