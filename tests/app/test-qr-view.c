/* test-qr-view.c — PaQrView drawn for real and read back by a scanner
 *
 * The widget is shown in a window under Xvfb, rendered to a texture by
 * the window's own renderer, saved as a PNG and read by zbarimg; the
 * pixels are checked for what makes a code scan well: black on white in
 * light and dark mode, a square of whole-pixel modules, centred, with its
 * quiet zone.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <gtk/gtk.h>

#include "pa-qr-view.h"
#include "pa-test-gui.h"
#include "pa-test-qr.h"
#include "pa-test-require.h"

#define QUIET_ZONE 4
#define LINK "https://buy.stripe.com/test_6oE5kI0Vx9aB3dK144"

typedef struct {
  GtkWidget *window;
  PaQrView  *view;
  char      *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("test-qr-view-XXXXXX", &error);
  g_assert_no_error (error);
  f->window = gtk_window_new ();
  f->view = PA_QR_VIEW (pa_qr_view_new ());
  gtk_window_set_child (GTK_WINDOW (f->window), GTK_WIDGET (f->view));
  gtk_window_set_default_size (GTK_WINDOW (f->window), 320, 320);
  gtk_window_present (GTK_WINDOW (f->window));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) dir = g_dir_open (f->dir, 0, NULL);
  const char *name;

  gtk_window_destroy (GTK_WINDOW (f->window));
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (f->dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (f->dir);
  g_free (f->dir);
}

static gboolean
need_display_and_zbar (GError **error)
{
  if (g_getenv ("DISPLAY") == NULL)
    {
      pa_test_set_missing_error (error, "an X display (DISPLAY is not set)",
                                 "run the tests under xvfb-run (Debian package xvfb)");
      return FALSE;
    }
  return pa_test_qr_need_reader (error);
}

/* What zbarimg reads in @path. */
static char *
decode (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *text = pa_test_qr_read (path, &error);

  g_assert_no_error (error);
  return text;
}

typedef struct {
  int      width, height;
  guint32 *pixels;   /* 0xAARRGGBB */
} Image;

static void
image_clear (Image *image)
{
  g_free (image->pixels);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Image, image_clear)

static guint32
pixel (const Image *image,
       int          x,
       int          y)
{
  return image->pixels[(gsize) y * (gsize) image->width + (gsize) x] & 0xffffff;
}

/* Renders the view, saves it as @name in the fixture's folder, and reads
 * its pixels. */
static char *
render (Fixture    *f,
        const char *name,
        Image      *image)
{
  g_autoptr(GdkTexture) texture = render_widget (GTK_WIDGET (f->view));
  char *path = g_build_filename (f->dir, name, NULL);

  image->width = gdk_texture_get_width (texture);
  image->height = gdk_texture_get_height (texture);
  image->pixels = g_new (guint32, (gsize) image->width * (gsize) image->height);
  gdk_texture_download (texture, (guchar *) image->pixels, (gsize) image->width * 4);
  g_assert_true (gdk_texture_save_to_png (texture, path));
  return path;
}

/* The code's square: the bounding box of the white pixels (the quiet
 * zone is white, so it is the square). Checks that inside it there are
 * only pure black and pure white, in blocks of whole pixels per module. */
static void
check_square (Fixture     *f,
              const Image *image)
{
  PaQrCode *code = pa_qr_view_get_code (f->view);
  guint modules = pa_qr_code_get_size (code) + 2 * QUIET_ZONE;
  int left = image->width, top = image->height, right = -1, bottom = -1;
  int side, module;

  for (int y = 0; y < image->height; y++)
    for (int x = 0; x < image->width; x++)
      if (pixel (image, x, y) == 0xffffff)
        {
          left = MIN (left, x);
          right = MAX (right, x);
          top = MIN (top, y);
          bottom = MAX (bottom, y);
        }
  g_assert_cmpint (right, >=, left);
  side = right - left + 1;
  g_test_message ("%d×%d px: a square of %d px at %d,%d for %u modules",
                  image->width, image->height, side, left, top, modules);

  /* Square, whole pixels per module, centred (to a pixel). */
  g_assert_cmpint (bottom - top + 1, ==, side);
  g_assert_cmpint (side % (int) modules, ==, 0);
  module = side / (int) modules;
  g_assert_cmpint (module, >=, 1);
  g_assert_cmpint (ABS ((image->width - side) - 2 * left), <=, 1);
  g_assert_cmpint (ABS ((image->height - side) - 2 * top), <=, 1);
  /* As large as fits. */
  g_assert_cmpint (side + (int) modules, >, MIN (image->width, image->height));

  /* Every pixel is its module's colour: no grey edges. */
  for (int y = 0; y < side; y++)
    for (int x = 0; x < side; x++)
      {
        gboolean dark = pa_qr_code_is_dark (code, x / module - QUIET_ZONE,
                                            y / module - QUIET_ZONE);
        guint32 expected = dark ? 0x000000 : 0xffffff;

        if (pixel (image, left + x, top + y) != expected)
          g_error ("pixel %d,%d of the code is #%06x, its module is %s", x, y,
                   pixel (image, left + x, top + y), dark ? "dark" : "light");
      }
}

static void
test_scans (Fixture       *f,
            gconstpointer  data)
{
  g_auto(Image) image = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *read_back = NULL;

  pa_qr_view_set_text (f->view, LINK);
  g_assert_cmpstr (pa_qr_view_get_text (f->view), ==, LINK);
  g_assert_nonnull (pa_qr_view_get_code (f->view));

  path = render (f, "qr-view.png", &image);
  check_square (f, &image);
  read_back = decode (path);
  g_test_message ("zbarimg read “%s”", read_back);
  g_assert_cmpstr (read_back, ==, LINK);
}

/* Dark mode darkens the window, never the code. */
static void
test_dark_mode (Fixture       *f,
                gconstpointer  data)
{
  GtkSettings *settings = gtk_settings_get_default ();
  g_auto(Image) image = { 0 };
  g_autofree char *path = NULL;
  g_autofree char *read_back = NULL;

  g_object_set (settings, "gtk-application-prefer-dark-theme", TRUE, NULL);
  pa_qr_view_set_text (f->view, LINK "?dark=1");
  path = render (f, "qr-view-dark.png", &image);
  g_object_set (settings, "gtk-application-prefer-dark-theme", FALSE, NULL);

  /* The window around the code really is dark. */
  g_assert_cmpuint (pixel (&image, 0, 0) & 0xff, <, 0x80);
  check_square (f, &image);
  read_back = decode (path);
  g_assert_cmpstr (read_back, ==, LINK "?dark=1");
}

static void
test_sizes (Fixture       *f,
            gconstpointer  data)
{
  const struct { int width, height; } sizes[] = {
    { 200, 200 }, { 333, 257 }, { 260, 500 }, { 611, 611 },
  };

  pa_qr_view_set_text (f->view, LINK);
  for (gsize i = 0; i < G_N_ELEMENTS (sizes); i++)
    {
      g_auto(Image) image = { 0 };
      g_autofree char *name = g_strdup_printf ("qr-view-%dx%d.png", sizes[i].width, sizes[i].height);
      g_autofree char *path = NULL;
      g_autofree char *read_back = NULL;

      gtk_widget_set_size_request (GTK_WIDGET (f->view), sizes[i].width, sizes[i].height);
      gtk_window_set_default_size (GTK_WINDOW (f->window), 1, 1);
      WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (f->view)) == sizes[i].width
                && gtk_widget_get_height (GTK_WIDGET (f->view)) == sizes[i].height);
      path = render (f, name, &image);
      g_assert_cmpint (image.width, ==, sizes[i].width);
      g_assert_cmpint (image.height, ==, sizes[i].height);
      check_square (f, &image);
      read_back = decode (path);
      g_assert_cmpstr (read_back, ==, LINK);
    }
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              guint      *count)
{
  (*count)++;
}

static void
test_states (Fixture       *f,
             gconstpointer  data)
{
  g_autofree char *too_long = g_strnfill (4000, 'a');
  g_autofree char *error_text = NULL;
  guint code_notified = 0;
  PaQrCode *code = NULL;
  int minimum = 0, natural = 0;

  g_assert_cmpint (gtk_accessible_get_accessible_role (GTK_ACCESSIBLE (f->view)), ==,
                   GTK_ACCESSIBLE_ROLE_IMG);
  g_signal_connect (f->view, "notify::code", G_CALLBACK (count_notify), &code_notified);

  /* Nothing to draw asks for no room. */
  gtk_widget_measure (GTK_WIDGET (f->view), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_assert_cmpint (minimum, ==, 0);

  pa_qr_view_set_text (f->view, LINK);
  g_assert_cmpuint (code_notified, ==, 1);
  g_object_get (f->view, "code", &code, "error", &error_text, NULL);
  g_assert_true (code == pa_qr_view_get_code (f->view));
  g_assert_null (error_text);
  g_clear_object (&code);
  /* About 240 px, square; never less than two pixels a module. */
  gtk_widget_measure (GTK_WIDGET (f->view), GTK_ORIENTATION_HORIZONTAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 240);
  g_assert_cmpint (minimum, ==, (int) (pa_qr_code_get_size (pa_qr_view_get_code (f->view))
                                       + 2 * QUIET_ZONE) * 2);
  gtk_widget_measure (GTK_WIDGET (f->view), GTK_ORIENTATION_VERTICAL, -1,
                      &minimum, &natural, NULL, NULL);
  g_assert_cmpint (natural, ==, 240);

  /* The same text again changes nothing. */
  pa_qr_view_set_text (f->view, LINK);
  g_assert_cmpuint (code_notified, ==, 1);

  /* Text no code can hold: nothing drawn, and the reason. */
  pa_qr_view_set_text (f->view, too_long);
  g_assert_cmpuint (code_notified, ==, 2);
  g_assert_null (pa_qr_view_get_code (f->view));
  g_object_get (f->view, "error", &error_text, NULL);
  g_assert_nonnull (error_text);
  g_test_message ("too long: %s", error_text);
  g_clear_pointer (&error_text, g_free);

  /* Empty is none. */
  g_object_set (f->view, "text", "", NULL);
  g_assert_null (pa_qr_view_get_text (f->view));
  g_assert_null (pa_qr_view_get_code (f->view));
  g_object_get (f->view, "error", &error_text, NULL);
  g_assert_null (error_text);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  if (g_getenv ("DISPLAY") != NULL)
    gtk_init ();

  pa_test_add_needing ("/qr-view/scans", Fixture, NULL,
                       fixture_set_up, test_scans, fixture_tear_down, need_display_and_zbar);
  pa_test_add_needing ("/qr-view/dark-mode", Fixture, NULL,
                       fixture_set_up, test_dark_mode, fixture_tear_down, need_display_and_zbar);
  pa_test_add_needing ("/qr-view/sizes", Fixture, NULL,
                       fixture_set_up, test_sizes, fixture_tear_down, need_display_and_zbar);
  pa_test_add_needing ("/qr-view/states", Fixture, NULL,
                       fixture_set_up, test_states, fixture_tear_down, need_display_and_zbar);

  return g_test_run ();
}
