/* bench-faceswap-still.c — the offline face swap on one still, at three
 * frame sizes, with the model already loaded
 *
 * SPDX-License-Identifier: MIT
 */
#include <math.h>
#include <stdlib.h>
#include <sys/resource.h>

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "pa-face-model.h"
#include "pa-face-swap.h"
#include "pa-test-faces.h"

typedef struct {
  int    width;
  int    height;
  double eye_distance;
  double detect_target_ms;
  double prepare_ms;
  double apply_ms;
  double total_ms;
  double total_max_ms;
} Row;

static GdkPixbuf *
load_photo (const char *name)
{
  const char *root = g_getenv ("PLAYALTER_SOURCE_ROOT");
  g_autofree char *path = g_build_filename (root != NULL ? root : ".", "tests", "media", "photos", name, NULL);
  g_autoptr(GError) error = NULL;
  GdkPixbuf *pixbuf = gdk_pixbuf_new_from_file (path, &error);

  if (pixbuf == NULL)
    {
      g_printerr ("%s: %s (bash build-aux/install-test-photos.sh takes it from Debian's package)\n",
                  path, error->message);
      exit (1);
    }
  if (gdk_pixbuf_get_has_alpha (pixbuf))
    {
      GdkPixbuf *rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8,
                                       gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf));

      gdk_pixbuf_fill (rgb, 0xffffffff);
      gdk_pixbuf_composite (pixbuf, rgb, 0, 0, gdk_pixbuf_get_width (pixbuf), gdk_pixbuf_get_height (pixbuf),
                            0, 0, 1, 1, GDK_INTERP_NEAREST, 255);
      g_object_unref (pixbuf);
      pixbuf = rgb;
    }
  return pixbuf;
}

/* A @width × @height frame framed as a portrait: @photo scaled to the
 * frame's height, in its middle, grey around it. So the face grows with
 * the frame, as it does when the same scene is shot at a higher size. */
static GdkPixbuf *
make_frame (GdkPixbuf *photo,
            int        width,
            int        height)
{
  int pw = gdk_pixbuf_get_width (photo), ph = gdk_pixbuf_get_height (photo);
  int sw = MIN (width, (int) lrint ((double) pw * height / ph));
  g_autoptr(GdkPixbuf) scaled = gdk_pixbuf_scale_simple (photo, sw, height, GDK_INTERP_BILINEAR);
  GdkPixbuf *frame = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);

  gdk_pixbuf_fill (frame, 0x808080ff);
  gdk_pixbuf_copy_area (scaled, 0, 0, sw, height, frame, (width - sw) / 2, 0);
  return frame;
}

static double
elapsed_ms (gint64 since)
{
  return (g_get_monotonic_time () - since) / 1000.0;
}

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y;
}

static double
median (GArray *samples)
{
  g_array_sort (samples, compare_doubles);
  return g_array_index (samples, double, samples->len / 2);
}

static double
peak_rss_mb (void)
{
  struct rusage usage;

  if (getrusage (RUSAGE_SELF, &usage) != 0)
    return 0;
  return usage.ru_maxrss / 1024.0;   /* kilobytes on Linux */
}

/* Detects the one face of @pixbuf, failing the benchmark otherwise. */
static PaFace *
detect_one (PaFaceModel *model,
            GdkPixbuf   *pixbuf,
            const char  *what)
{
  g_autoptr(GError) error = NULL;
  PaPixels pixels = pa_test_pixels_of (pixbuf);
  g_autoptr(GPtrArray) faces = pa_face_model_detect (model, &pixels, NULL, &error);

  if (faces == NULL || faces->len != 1)
    g_error ("%s: expected one face, %s", what, error != NULL ? error->message : "found another number");
  return pa_face_copy (g_ptr_array_index (faces, 0));
}

int
main (int    argc,
      char **argv)
{
  static const int sizes[][2] = { { 640, 360 }, { 1280, 720 }, { 1920, 1080 } };
  g_autoptr(GError) error = NULL;
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GdkPixbuf) source_photo = NULL;
  g_autoptr(GdkPixbuf) target_photo = NULL;
  g_autoptr(GArray) source_detect = g_array_new (FALSE, FALSE, sizeof (double));
  g_autoptr(PaFace) source_face = NULL;
  PaPixels source_pixels;
  Row rows[G_N_ELEMENTS (sizes)];
  double load_ms, rss_after_load, source_detect_ms;
  int runs = 15;
  GOptionEntry entries[] = {
    { "runs", 0, 0, G_OPTION_ARG_INT, &runs, "Measured runs per frame size (default 15)", "N" },
    { NULL }
  };
  gint64 start;

  context = g_option_context_new ("— the offline face swap on stills");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || runs < 1)
    {
      g_printerr ("%s\n", error != NULL ? error->message : "--runs must be at least 1");
      return 2;
    }

  start = g_get_monotonic_time ();
  model = pa_face_model_get_default (&error);
  if (model == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  load_ms = elapsed_ms (start);
  rss_after_load = peak_rss_mb ();

  /* The face put in: the astronaut; the picture: Grace Hopper's
   * portrait, framed at each size. */
  source_photo = load_photo ("astronaut.png");
  target_photo = load_photo ("grace_hopper.jpg");
  source_pixels = pa_test_pixels_of (source_photo);
  for (int i = 0; i < runs; i++)
    {
      g_autoptr(PaFace) face = NULL;

      start = g_get_monotonic_time ();
      face = detect_one (model, source_photo, "astronaut.png");
      g_array_append_val (source_detect, ((double) { elapsed_ms (start) }));
      if (source_face == NULL)
        source_face = g_steal_pointer (&face);
    }
  source_detect_ms = median (source_detect);

  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    {
      g_autoptr(GdkPixbuf) frame = make_frame (target_photo, sizes[s][0], sizes[s][1]);
      g_autoptr(GArray) detect = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) prepare = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) apply = g_array_new (FALSE, FALSE, sizeof (double));
      g_autoptr(GArray) total = g_array_new (FALSE, FALSE, sizeof (double));
      Row *row = &rows[s];

      *row = (Row) { sizes[s][0], sizes[s][1] };
      /* One run unmeasured: first touches of memory and caches. */
      for (int i = -1; i < runs; i++)
        {
          g_autoptr(GdkPixbuf) output = gdk_pixbuf_copy (frame);
          g_autoptr(PaFace) face = NULL;
          g_autoptr(PaFaceSource) source = NULL;
          PaPixels pixels = pa_test_pixels_of (output);
          double d, p, a;

          start = g_get_monotonic_time ();
          face = detect_one (model, output, "the frame");
          d = elapsed_ms (start);
          start = g_get_monotonic_time ();
          source = pa_face_source_new (&source_pixels, source_face, &error);
          p = elapsed_ms (start);
          start = g_get_monotonic_time ();
          if (source == NULL || !pa_face_swap_apply (source, &pixels, face, NULL, NULL, &error))
            g_error ("%d×%d: %s", row->width, row->height, error->message);
          a = elapsed_ms (start);
          if (i < 0)
            continue;
          row->eye_distance = face->eye_distance;
          g_array_append_val (detect, d);
          g_array_append_val (prepare, p);
          g_array_append_val (apply, a);
          g_array_append_val (total, ((double) { source_detect_ms + d + p + a }));
          row->total_max_ms = MAX (row->total_max_ms, source_detect_ms + d + p + a);
        }
      row->detect_target_ms = median (detect);
      row->prepare_ms = median (prepare);
      row->apply_ms = median (apply);
      row->total_ms = median (total);
    }

  g_print ("Offline face swap on a still, model loaded (median of %d runs; load took %.0f ms, "
           "peak RSS %.0f MB after it)\n\n", runs, load_ms, rss_after_load);
  g_print ("| Frame | Eyes apart | Detect target | Prepare source | Swap | End to end | Worst |\n"
           "|---|---|---|---|---|---|---|\n");
  for (guint s = 0; s < G_N_ELEMENTS (sizes); s++)
    g_print ("| %dx%d | %.0f px | %.1f ms | %.2f ms | %.2f ms | %.1f ms | %.1f ms |\n",
             rows[s].width, rows[s].height, rows[s].eye_distance, rows[s].detect_target_ms,
             rows[s].prepare_ms, rows[s].apply_ms, rows[s].total_ms, rows[s].total_max_ms);
  g_print ("\nEnd to end = detect the source face (astronaut.png, %dx%d: %.1f ms) + detect the "
           "target + prepare the source + swap. Peak RSS of the whole run: %.0f MB.\n",
           source_pixels.width, source_pixels.height, source_detect_ms, peak_rss_mb ());
  return 0;
}
