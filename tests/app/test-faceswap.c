/* test-faceswap.c — the Face Swap page under X: its widgets, and a real
 * offline swap through it, with the real store and engine
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <string.h>

#include <glib/gstdio.h>
#include <adwaita.h>

#include "playalter.h"
#include "pa-application.h"
#include "pa-compare-view.h"
#include "pa-face-picker.h"
#include "pa-face-swap-page.h"
#include "pa-gui-util.h"
#include "pa-result-gallery.h"
#include "pa-test-gui.h"
#include "pa-test-photos.h"
#include "pa-test-video.h"
#include "pa-window.h"

/* ---- helpers ------------------------------------------------------------ */

static GdkTexture *
solid_texture (int    width,
               int    height,
               guint8 red,
               guint8 green,
               guint8 blue)
{
  g_autoptr(GBytes) bytes = NULL;
  guint8 *pixels = g_malloc ((gsize) width * height * 3);

  for (gsize i = 0; i < (gsize) width * height; i++)
    {
      pixels[i * 3] = red;
      pixels[i * 3 + 1] = green;
      pixels[i * 3 + 2] = blue;
    }
  bytes = g_bytes_new_take (pixels, (gsize) width * height * 3);
  return gdk_memory_texture_new (width, height, GDK_MEMORY_R8G8B8, bytes, (gsize) width * 3);
}

/* The pixel of @texture at (@x, @y), as 0xRRGGBB. */
static guint32
pixel_at (GdkTexture *texture,
          int         x,
          int         y)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guint8 *data = g_malloc ((gsize) width * height * 4);
  guint32 argb;

  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, <, height);
  /* GDK_MEMORY_DEFAULT: B, G, R, A in memory on little-endian. */
  gdk_texture_download (texture, data, (gsize) width * 4);
  memcpy (&argb, data + ((gsize) y * width + x) * 4, 4);
  return GUINT32_FROM_LE (argb) & 0xffffff;
}

static GtkWindow *
window_with (GtkWidget *child)
{
  GtkWidget *window = gtk_window_new ();

  gtk_window_set_child (GTK_WINDOW (window), child);
  gtk_window_set_default_size (GTK_WINDOW (window), 600, 400);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (child) && gtk_widget_get_width (child) > 0);
  return GTK_WINDOW (window);
}

static GtkEventController *
find_controller (GtkWidget *widget,
                 GType      type)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GtkEventController) controller = g_list_model_get_item (controllers, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (controller, type))
        return controller;
    }

  g_error ("No %s on %s", g_type_name (type), G_OBJECT_TYPE_NAME (widget));
}

static void
press_key (GtkWidget *widget,
           guint      keyval)
{
  GtkEventController *keys = find_controller (widget, GTK_TYPE_EVENT_CONTROLLER_KEY);
  gboolean handled = FALSE;

  g_signal_emit_by_name (keys, "key-pressed", keyval, 0, 0, &handled);
  g_assert_true (handled);
}

/* ---- the comparison ----------------------------------------------------- */

static void
test_compare_view (void)
{
  g_autoptr(GdkTexture) before = NULL;
  g_autoptr(GdkTexture) after = NULL;
  g_autoptr(GdkTexture) shown = NULL;
  GtkGesture *drag;
  GtkWidget *view;
  GtkWindow *window;
  int width;
  int y;

  if (!need_display ())
    return;

  /* Red before, blue after; the widget at the pictures' own size, so
   * the picture fills it and positions are fractions of its width. */
  before = solid_texture (400, 200, 0xff, 0, 0);
  after = solid_texture (400, 200, 0, 0, 0xff);
  view = pa_compare_view_new ();
  gtk_widget_set_halign (view, GTK_ALIGN_CENTER);
  gtk_widget_set_valign (view, GTK_ALIGN_CENTER);
  pa_compare_view_set_before (PA_COMPARE_VIEW (view), GDK_PAINTABLE (before));
  pa_compare_view_set_after (PA_COMPARE_VIEW (view), GDK_PAINTABLE (after));
  window = window_with (view);
  WAIT_FOR (gtk_widget_get_width (view) == 400);
  width = gtk_widget_get_width (view);
  g_assert_cmpint (gtk_widget_get_height (view), ==, 200);
  /* Below the captions, above the handle. */
  y = 160;

  /* Half and half: red left of the middle, blue right of it. */
  g_assert_cmpfloat (pa_compare_view_get_position (PA_COMPARE_VIEW (view)), ==, 0.5);
  shown = render_widget (view);
  g_assert_cmphex (pixel_at (shown, width / 4, y), ==, 0xff0000);
  g_assert_cmphex (pixel_at (shown, 3 * width / 4, y), ==, 0x0000ff);
  g_clear_object (&shown);

  /* A drag from the divider to a fifth of the way across moves it there. */
  drag = GTK_GESTURE (find_controller (view, GTK_TYPE_GESTURE_DRAG));
  g_signal_emit_by_name (drag, "drag-begin", width * 0.5, (double) y);
  g_signal_emit_by_name (drag, "drag-update", -width * 0.3, 0.0);
  g_assert_cmpfloat_with_epsilon (pa_compare_view_get_position (PA_COMPARE_VIEW (view)), 0.2, 1e-6);
  shown = render_widget (view);
  g_assert_cmphex (pixel_at (shown, width / 10, y), ==, 0xff0000);
  g_assert_cmphex (pixel_at (shown, width / 4, y), ==, 0x0000ff);
  g_clear_object (&shown);

  /* Dragged past the edge it stops at the edge. */
  g_signal_emit_by_name (drag, "drag-update", width * 2.0, 0.0);
  g_assert_cmpfloat (pa_compare_view_get_position (PA_COMPARE_VIEW (view)), ==, 1.0);

  /* The keyboard does the same: it is focusable, arrows step, Home and
   * End go to the ends. */
  g_assert_true (gtk_widget_get_focusable (view));
  press_key (view, GDK_KEY_Home);
  g_assert_cmpfloat (pa_compare_view_get_position (PA_COMPARE_VIEW (view)), ==, 0.0);
  press_key (view, GDK_KEY_Right);
  press_key (view, GDK_KEY_Right);
  g_assert_cmpfloat_with_epsilon (pa_compare_view_get_position (PA_COMPARE_VIEW (view)),
                                  2 * PA_COMPARE_VIEW_KEY_STEP, 1e-9);
  press_key (view, GDK_KEY_Left);
  g_assert_cmpfloat_with_epsilon (pa_compare_view_get_position (PA_COMPARE_VIEW (view)),
                                  PA_COMPARE_VIEW_KEY_STEP, 1e-9);
  press_key (view, GDK_KEY_End);
  shown = render_widget (view);
  g_assert_cmphex (pixel_at (shown, 3 * width / 4, y), ==, 0xff0000);
  g_clear_object (&shown);

  gtk_window_destroy (window);
}

/* ---- the face picker ---------------------------------------------------- */

static PaFace *
made_up_face (int           x,
              int           y,
              int           size,
              PaFaceQuality quality)
{
  PaFace *face = g_new0 (PaFace, 1);

  face->box = (PaRect) { x, y, size, size };
  face->score = 1.0;
  face->eye_distance = size * 0.4;
  face->quality = quality;
  return face;
}

static void
assert_box_at (PaFacePicker *picker,
               guint         index,
               double        x,
               double        y,
               double        size)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (pa_face_picker_get_box (picker, index),
                                            GTK_WIDGET (picker), &bounds));
  g_assert_cmpfloat_with_epsilon (bounds.origin.x, x, 1.0);
  g_assert_cmpfloat_with_epsilon (bounds.origin.y, y, 1.0);
  g_assert_cmpfloat_with_epsilon (bounds.size.width, size, 1.0);
  g_assert_cmpfloat_with_epsilon (bounds.size.height, size, 1.0);
}

static void
test_face_picker (void)
{
  g_autoptr(GdkTexture) picture = NULL;
  g_autoptr(GPtrArray) faces = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  g_autoptr(GArray) chosen = NULL;
  g_autofree char *why = NULL;
  PaFacePicker *picker;
  GtkWindow *window;
  guint changed = 0;

  if (!need_display ())
    return;

  /* The faces are in a 1000×500 picture shown at 400×200: a scale of 0.4. */
  picture = solid_texture (400, 200, 0x80, 0x80, 0x80);
  g_ptr_array_add (faces, made_up_face (100, 100, 200, PA_FACE_QUALITY_GOOD));
  g_ptr_array_add (faces, made_up_face (400, 50, 300, PA_FACE_QUALITY_GOOD));
  g_ptr_array_add (faces, made_up_face (900, 200, 40, PA_FACE_QUALITY_TOO_SMALL));
  for (guint i = 0; i < faces->len; i++)
    ((PaFace *) g_ptr_array_index (faces, i))->index = i;

  picker = PA_FACE_PICKER (pa_face_picker_new ());
  gtk_widget_set_halign (GTK_WIDGET (picker), GTK_ALIGN_CENTER);
  gtk_widget_set_valign (GTK_WIDGET (picker), GTK_ALIGN_CENTER);
  pa_face_picker_set_paintable (picker, GDK_PAINTABLE (picture));
  pa_face_picker_set_faces (picker, faces, 1000, 500);
  g_signal_connect_swapped (picker, "changed", G_CALLBACK (g_atomic_int_inc), &changed);
  window = window_with (GTK_WIDGET (picker));
  WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (picker)) == 400);
  wait_for_paint (GTK_WIDGET (picker));

  /* One numbered box per face, where the face is. */
  g_assert_cmpuint (pa_face_picker_get_n_faces (picker), ==, 3);
  g_assert_null (pa_face_picker_get_box (picker, 3));
  assert_box_at (picker, 0, 40, 40, 80);
  assert_box_at (picker, 1, 160, 20, 120);
  for (guint i = 0; i < 3; i++)
    {
      GtkWidget *box = pa_face_picker_get_box (picker, i);
      g_autoptr(GPtrArray) labels = find_all (box, GTK_TYPE_LABEL);
      g_autofree char *number = g_strdup_printf ("%u", i + 1);

      g_assert_true (gtk_widget_get_mapped (box));
      g_assert_cmpuint (labels->len, ==, 1);
      g_assert_cmpstr (gtk_label_get_text (g_ptr_array_index (labels, 0)), ==, number);
    }

  /* Face 1's centre is at 200 of 1000 across. */
  g_assert_cmpfloat_with_epsilon (pa_face_picker_get_face_x (picker, 0), 0.2, 1e-9);
  g_assert_cmpfloat (pa_face_picker_get_face_x (picker, 3), ==, -1.0);

  /* The good faces start chosen, as the engine's "all" would; the small
   * one is drawn differently, cannot be chosen, and says why. */
  g_assert_true (pa_face_picker_is_chosen (picker, 0));
  g_assert_true (pa_face_picker_is_chosen (picker, 1));
  g_assert_false (pa_face_picker_is_chosen (picker, 2));
  g_assert_true (gtk_widget_has_css_class (pa_face_picker_get_box (picker, 2), "poor"));
  g_assert_false (gtk_widget_has_css_class (pa_face_picker_get_box (picker, 0), "poor"));
  g_assert_false (gtk_widget_get_sensitive (pa_face_picker_get_box (picker, 2)));
  why = pa_face_describe_quality (g_ptr_array_index (faces, 2));
  g_assert_cmpstr (gtk_widget_get_tooltip_text (pa_face_picker_get_box (picker, 2)), ==, why);
  pa_face_picker_set_chosen (picker, 2, TRUE);
  g_assert_false (pa_face_picker_is_chosen (picker, 2));

  /* A click leaves a face out, another takes it back. */
  click (pa_face_picker_get_box (picker, 0));
  g_assert_false (pa_face_picker_is_chosen (picker, 0));
  g_assert_cmpuint (changed, ==, 1);
  chosen = pa_face_picker_get_chosen (picker);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_cmpint (g_array_index (chosen, int, 0), ==, 1);
  g_clear_pointer (&chosen, g_array_unref);
  click (pa_face_picker_get_box (picker, 0));
  g_assert_true (pa_face_picker_is_chosen (picker, 0));
  g_assert_cmpuint (changed, ==, 2);

  /* Single mode (the source face): the largest good face, one at a time. */
  pa_face_picker_set_single (picker, TRUE);
  g_assert_false (pa_face_picker_is_chosen (picker, 0));
  g_assert_true (pa_face_picker_is_chosen (picker, 1));
  wait_for_paint (GTK_WIDGET (picker));
  click (pa_face_picker_get_box (picker, 0));
  g_assert_true (pa_face_picker_is_chosen (picker, 0));
  g_assert_false (pa_face_picker_is_chosen (picker, 1));
  chosen = pa_face_picker_get_chosen (picker);
  g_assert_cmpuint (chosen->len, ==, 1);

  gtk_window_destroy (window);
}

/* ---- the page, with the real engine ------------------------------------- */

typedef struct
{
  gint64 last;
  gint64 longest_gap;
  guint  ticks;
} Ticks;

static gboolean
tick (gpointer user_data)
{
  Ticks *ticks = user_data;
  gint64 now = g_get_monotonic_time ();

  if (ticks->last > 0)
    ticks->longest_gap = MAX (ticks->longest_gap, now - ticks->last);
  ticks->last = now;
  ticks->ticks++;
  return G_SOURCE_CONTINUE;
}

/* The files in @dir, hidden ones (half-written) included. */
static guint
count_files (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  guint n = 0;

  while (handle != NULL && g_dir_read_name (handle) != NULL)
    n++;
  return n;
}

static GtkWidget *
find_slot (GtkWindow *window,
           guint      index)
{
  g_autoptr(GPtrArray) boxes = find_all (window, GTK_TYPE_BOX);
  guint seen = 0;

  for (guint i = 0; i < boxes->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (boxes, i), "swap-slot") && seen++ == index)
      return g_ptr_array_index (boxes, i);

  g_error ("No slot %u", index);
}

/* Drops @file on @slot as a file manager would: as a file list, or as
 * a single file. */
static void
drop_file (GtkWidget  *slot,
           const char *path,
           gboolean    as_list)
{
  GtkEventController *target = find_controller (slot, GTK_TYPE_DROP_TARGET);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_auto(GValue) value = G_VALUE_INIT;
  gboolean accepted = FALSE;

  if (as_list)
    {
      GSList *list = g_slist_prepend (NULL, file);

      g_value_init (&value, GDK_TYPE_FILE_LIST);
      g_value_set_boxed (&value, list);
      g_slist_free (list);
    }
  else
    {
      g_value_init (&value, G_TYPE_FILE);
      g_value_set_object (&value, file);
    }

  g_signal_emit_by_name (target, "drop", &value, 10.0, 10.0, &accepted);
  g_assert_true (accepted);
}

/* Hopper and the astronaut side by side, at the same height: a picture
 * with two faces, left to right. */
static char *
make_two_faces (void)
{
  g_autoptr(GdkPixbuf) hopper = pa_test_photo_load ("grace_hopper.jpg");
  g_autoptr(GdkPixbuf) astronaut = pa_test_photo_load ("astronaut.png");
  g_autoptr(GdkPixbuf) scaled = NULL;
  g_autoptr(GdkPixbuf) both = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = output_path ("faceswap-two-faces.png");
  int height;
  int width;

  if (hopper == NULL || astronaut == NULL)
    return NULL;

  height = gdk_pixbuf_get_height (astronaut);
  width = gdk_pixbuf_get_width (hopper) * height / gdk_pixbuf_get_height (hopper);
  scaled = gdk_pixbuf_scale_simple (hopper, width, height, GDK_INTERP_BILINEAR);
  both = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width + gdk_pixbuf_get_width (astronaut),
                         height);
  gdk_pixbuf_copy_area (scaled, 0, 0, width, height, both, 0, 0);
  gdk_pixbuf_copy_area (astronaut, 0, 0, gdk_pixbuf_get_width (astronaut), height, both, width, 0);
  g_assert_true (gdk_pixbuf_save (both, path, "png", &error, NULL));
  g_assert_no_error (error);

  return g_steal_pointer (&path);
}

/* Mean absolute difference of two same-sized RGB pictures over a box. */
static double
mean_difference (GdkPixbuf *a,
                 GdkPixbuf *b,
                 int        x0,
                 int        y0,
                 int        width,
                 int        height)
{
  const guint8 *pa = gdk_pixbuf_read_pixels (a);
  const guint8 *pb = gdk_pixbuf_read_pixels (b);
  int na = gdk_pixbuf_get_n_channels (a);
  int nb = gdk_pixbuf_get_n_channels (b);
  double sum = 0;

  for (int y = y0; y < y0 + height; y++)
    for (int x = x0; x < x0 + width; x++)
      for (int c = 0; c < 3; c++)
        sum += ABS ((int) pa[y * gdk_pixbuf_get_rowstride (a) + x * na + c] -
                    (int) pb[y * gdk_pixbuf_get_rowstride (b) + x * nb + c]);

  return sum / (3.0 * width * height);
}

static void
assert_swapped (const char   *result_path,
                const char   *target_path,
                PaFacePicker *target_picker)
{
  g_autoptr(GdkPixbuf) result = gdk_pixbuf_new_from_file (result_path, NULL);
  g_autoptr(GdkPixbuf) target = gdk_pixbuf_new_from_file (target_path, NULL);
  GtkWidget *box = pa_face_picker_get_box (target_picker, 0);
  graphene_rect_t bounds;
  graphene_rect_t picture;
  double scale;
  double inside;
  double corner;
  int side;

  g_assert_nonnull (result);
  g_assert_nonnull (target);
  g_assert_cmpint (gdk_pixbuf_get_width (result), ==, gdk_pixbuf_get_width (target));
  g_assert_cmpint (gdk_pixbuf_get_height (result), ==, gdk_pixbuf_get_height (target));

  /* The face's box, from where the picker drew it back to the picture. */
  g_assert_true (gtk_widget_compute_bounds (box, GTK_WIDGET (target_picker), &bounds));
  g_assert_true (pa_gui_fit_paintable (pa_face_picker_get_paintable (target_picker),
                                       gtk_widget_get_width (GTK_WIDGET (target_picker)),
                                       gtk_widget_get_height (GTK_WIDGET (target_picker)),
                                       &picture));
  scale = gdk_pixbuf_get_width (target) / picture.size.width;
  inside = mean_difference (result, target,
                            (int) ((bounds.origin.x - picture.origin.x) * scale),
                            (int) ((bounds.origin.y - picture.origin.y) * scale),
                            (int) (bounds.size.width * scale), (int) (bounds.size.height * scale));
  side = gdk_pixbuf_get_width (target) / 8;
  corner = mean_difference (result, target, 0, 0, side, side);
  g_test_message ("mean difference from the target: %.1f on the face, %.2f in a corner",
                  inside, corner);
  /* A face of someone else differs by tens of levels; the untouched
   * corner only by what the JPEG or PNG round trip changes. */
  g_assert_cmpfloat (inside, >, 10.0);
  g_assert_cmpfloat (corner, <, 2.0);
}

static gboolean
chooser_has (GtkWindow *dialog,
             GFile     *file)
{
  g_autoptr(GFile) chosen = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (dialog));

  return chosen != NULL && g_file_equal (chosen, file);
}

static gboolean
chooser_has_folder (GtkWindow *dialog)
{
  g_autoptr(GFile) folder = gtk_file_chooser_get_current_folder (GTK_FILE_CHOOSER (dialog));

  return folder != NULL;
}

/* A file manager on the test's session bus that records what it is
 * asked to show (org.freedesktop.FileManager1). */
typedef struct
{
  gboolean  owned;
  char     *shown;       /* the first URI of the last ShowItems */
} FileManager;

static const char file_manager_xml[] =
  "<node><interface name='org.freedesktop.FileManager1'>"
  "<method name='ShowItems'><arg type='as' direction='in'/><arg type='s' direction='in'/></method>"
  "</interface></node>";

static void
file_manager_call (GDBusConnection       *connection,
                   const char            *sender,
                   const char            *path,
                   const char            *interface,
                   const char            *method,
                   GVariant              *parameters,
                   GDBusMethodInvocation *invocation,
                   gpointer               user_data)
{
  FileManager *manager = user_data;
  g_autofree const char **uris = NULL;
  const char *startup_id;

  g_variant_get (parameters, "(^a&s&s)", &uris, &startup_id);
  g_free (manager->shown);
  manager->shown = g_strdup (uris[0]);
  g_dbus_method_invocation_return_value (invocation, NULL);
}

static void
file_manager_owned (GDBusConnection *connection,
                    const char      *name,
                    gpointer         user_data)
{
  ((FileManager *) user_data)->owned = TRUE;
}

/* Picks @path in the file chooser that has just been asked for (GTK's
 * own dialog: there is no portal here), and accepts. */
static void
choose_in_dialog (const char *path,
                  gboolean    save)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GError) error = NULL;
  GtkWindow *dialog;

  WAIT_FOR ((dialog = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) != NULL);
  g_assert_true (gtk_window_get_modal (dialog));
  g_assert_cmpint (gtk_file_chooser_get_action (GTK_FILE_CHOOSER (dialog)), ==,
                   save ? GTK_FILE_CHOOSER_ACTION_SAVE : GTK_FILE_CHOOSER_ACTION_OPEN);
  if (save)
    {
      /* A save dialog opens on a folder first: what is set before it
       * has would be undone. */
      WAIT_FOR (chooser_has_folder (dialog));
      g_autoptr(GFile) folder = g_file_get_parent (file);
      g_autofree char *name = g_file_get_basename (file);

      g_assert_true (gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (dialog), folder, &error));
      g_assert_no_error (error);
      gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (dialog), name);
    }
  else
    {
      g_assert_true (gtk_file_chooser_set_file (GTK_FILE_CHOOSER (dialog), file, &error));
      g_assert_no_error (error);
    }
  /* The dialog reads the folder before it can select a file in it. */
  WAIT_FOR (chooser_has (dialog, file));
  gtk_dialog_response (GTK_DIALOG (dialog), GTK_RESPONSE_ACCEPT);
}

static AdwMessageDialog *
find_message_dialog (void)
{
  return ADW_MESSAGE_DIALOG (find_toplevel (ADW_TYPE_MESSAGE_DIALOG));
}

/* Answers @dialog as the user does: by its button labelled @label. */
static void
respond (AdwMessageDialog *dialog,
         const char       *label)
{
  g_autoptr(GPtrArray) buttons = find_all (dialog, GTK_TYPE_BUTTON);

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_button_get_label (GTK_BUTTON (button)), label) == 0)
        {
          click (button);
          return;
        }
    }

  g_error ("No button labelled %s in the dialog", label);
}

static void
page_body (PaApplication *app,
           GtkWindow     *window,
           gconstpointer  data)
{
  const char *data_dir = data;
  g_autofree char *media_dir = g_build_filename (data_dir, "media", NULL);
  g_autofree char *hopper = pa_test_photo_path ("grace_hopper.jpg");
  g_autofree char *astronaut = pa_test_photo_path ("astronaut.png");
  g_autofree char *two_faces = NULL;
  g_autofree char *result_path = NULL;
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GArray) chosen = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) target = NULL;
  PaFaceSwapPage *page;
  PaFacePicker *face_picker;
  PaFacePicker *target_picker;
  PaResultGallery *gallery;
  PaCompareView *compare;
  AdwMessageDialog *dialog;
  Ticks ticks = { 0, };
  guint tick_id;
  gint64 started;
  gint64 id;

  if (hopper == NULL || astronaut == NULL)
    return;

  /* Tall enough for the whole page: the last capture is the README's. */
  gtk_window_set_default_size (window, 1200, 1620);

  /* The page is there, first, and open. */
  page = find_one (window, PA_TYPE_FACE_SWAP_PAGE);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page)));
  {
    g_autoptr(GPtrArray) pickers = find_all (page, PA_TYPE_FACE_PICKER);

    g_assert_cmpuint (pickers->len, ==, 2);
    face_picker = pickers->pdata[0];
    target_picker = pickers->pdata[1];
    g_assert_true (pa_face_picker_get_single (face_picker));
    g_assert_false (pa_face_picker_get_single (target_picker));
  }
  gallery = find_one (page, PA_TYPE_RESULT_GALLERY);
  compare = find_one (page, PA_TYPE_COMPARE_VIEW);
  g_assert_cmpuint (pa_result_gallery_get_n_results (gallery), ==, 0);
  g_assert_false (gtk_widget_is_sensitive (find_action_button (page, "faceswap.swap")));
  g_assert_false (g_settings_get_boolean (settings, "faceswap-notice-accepted"));

  /* Offline is the engine, with no account; Replicate says why not. */
  {
    g_autoptr(GPtrArray) rows = find_all (page, ADW_TYPE_ACTION_ROW);

    g_assert_cmpuint (rows->len, ==, 2);
    g_assert_true (gtk_widget_is_sensitive (rows->pdata[0]));
    g_assert_false (gtk_widget_is_sensitive (rows->pdata[1]));
    g_assert_nonnull (strstr (adw_action_row_get_subtitle (rows->pdata[1]), "Sign in"));
  }

  /* Dropped files: the face as a file list, the target as one file. Each
   * shows its faces: the real photographs have one each. */
  drop_file (find_slot (window, 0), hopper, TRUE);
  drop_file (find_slot (window, 1), astronaut, FALSE);
  WAIT_FOR (!pa_face_swap_page_get_loading (page));
  g_assert_null (pa_face_swap_page_get_error (page));
  g_assert_cmpuint (pa_face_picker_get_n_faces (face_picker), ==, 1);
  g_assert_cmpuint (pa_face_picker_get_n_faces (target_picker), ==, 1);
  g_assert_nonnull (pa_face_picker_get_paintable (target_picker));
  g_assert_true (pa_face_picker_is_chosen (target_picker, 0));

  /* Two faces in one picture: two boxes, left to right, both chosen;
   * a click leaves one out, and Swap needs at least one. */
  two_faces = make_two_faces ();
  target = g_file_new_for_path (two_faces);
  pa_face_swap_page_set_target_file (page, target);
  WAIT_FOR (!pa_face_swap_page_get_loading (page));
  g_clear_object (&target);
  g_assert_cmpuint (pa_face_picker_get_n_faces (target_picker), ==, 2);
  wait_for_paint (GTK_WIDGET (page));
  {
    graphene_rect_t left;
    graphene_rect_t right;

    g_assert_true (gtk_widget_compute_bounds (pa_face_picker_get_box (target_picker, 0),
                                              GTK_WIDGET (target_picker), &left));
    g_assert_true (gtk_widget_compute_bounds (pa_face_picker_get_box (target_picker, 1),
                                              GTK_WIDGET (target_picker), &right));
    g_assert_cmpfloat (left.origin.x + left.size.width, <=, right.origin.x);
    g_assert_cmpfloat (left.origin.x, <, gtk_widget_get_width (GTK_WIDGET (target_picker)) / 2);
    g_assert_cmpfloat (right.origin.x, >, gtk_widget_get_width (GTK_WIDGET (target_picker)) / 2);
  }
  g_assert_true (pa_face_picker_is_chosen (target_picker, 0));
  g_assert_true (pa_face_picker_is_chosen (target_picker, 1));
  click (pa_face_picker_get_box (target_picker, 1));
  chosen = pa_face_picker_get_chosen (target_picker);
  g_assert_cmpuint (chosen->len, ==, 1);
  g_assert_cmpint (g_array_index (chosen, int, 0), ==, 0);
  g_assert_true (gtk_widget_is_sensitive (find_action_button (page, "faceswap.swap")));
  click (pa_face_picker_get_box (target_picker, 0));
  g_assert_false (gtk_widget_is_sensitive (find_action_button (page, "faceswap.swap")));
  click (pa_face_picker_get_box (target_picker, 0));
  g_assert_true (gtk_widget_is_sensitive (find_action_button (page, "faceswap.swap")));
  save_screenshot (GTK_WIDGET (window), "screenshot-faceswap-two-faces.png");

  /* Back to the astronaut for the swap, through the file chooser. */
  click (find_action_button (page, "faceswap.choose-target"));
  choose_in_dialog (astronaut, FALSE);
  WAIT_FOR (!pa_face_swap_page_get_loading (page));
  {
    g_autoptr(GFile) chosen_file = g_file_new_for_path (astronaut);
    g_autofree char *name = NULL;
    g_autoptr(GPtrArray) labels = find_all (find_slot (window, 1), GTK_TYPE_LABEL);
    gboolean named = FALSE;

    for (guint i = 0; i < labels->len; i++)
      named |= g_strcmp0 (gtk_label_get_text (labels->pdata[i]), "astronaut.png") == 0;
    g_assert_true (named);
  }
  g_assert_cmpuint (pa_face_picker_get_n_faces (target_picker), ==, 1);

  /* The first Swap asks first; declined, nothing runs and it asks again. */
  click (find_action_button (page, "faceswap.swap"));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  g_assert_false (pa_face_swap_page_get_busy (page));
  respond (dialog, "_Cancel");
  WAIT_FOR (find_message_dialog () == NULL);
  g_assert_false (pa_face_swap_page_get_busy (page));
  g_assert_false (g_settings_get_boolean (settings, "faceswap-notice-accepted"));
  g_assert_cmpuint (count_files (media_dir), ==, 0);

  /* Accepted, the setting remembers it and the swap runs, while the main
   * loop keeps turning: a 10 ms timeout fires all along. */
  click (find_action_button (page, "faceswap.swap"));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  save_screenshot (GTK_WIDGET (dialog), "screenshot-faceswap-notice.png");
  tick_id = g_timeout_add (10, tick, &ticks);
  started = g_get_monotonic_time ();
  respond (dialog, "I _Understand");
  g_assert_true (g_settings_get_boolean (settings, "faceswap-notice-accepted"));
  g_assert_true (pa_face_swap_page_get_busy (page));
  g_assert_true (gtk_widget_get_visible (find_action_button (page, "faceswap.cancel")));
  WAIT_FOR (!pa_face_swap_page_get_busy (page));
  g_source_remove (tick_id);
  g_test_message ("swap took %.0f ms; %u ticks of 10 ms, the longest gap %.0f ms",
                  (g_get_monotonic_time () - started) / 1000.0, ticks.ticks,
                  ticks.longest_gap / 1000.0);
  g_assert_cmpstr (pa_face_swap_page_get_error (page), ==, NULL);
  /* A window that froze for a quarter of a second would be noticed. */
  g_assert_cmpint (ticks.longest_gap, <, 250 * 1000);
  g_assert_cmpuint (ticks.ticks, >=, 2);

  /* The marked result is in the media folder, recorded, and in the
   * gallery, and the comparison shows it against the original. */
  g_assert_nonnull (pa_face_swap_page_get_result_file (page));
  result_path = g_file_get_path (pa_face_swap_page_get_result_file (page));
  g_assert_true (g_file_test (result_path, G_FILE_TEST_IS_REGULAR));
  {
    g_autofree char *folder = g_path_get_dirname (result_path);

    g_assert_cmpstr (folder, ==, media_dir);
  }
  g_assert_true (pa_media_file_has_mark (pa_face_swap_page_get_result_file (page), &error));
  g_assert_no_error (error);
  g_assert_cmpuint (count_files (media_dir), ==, 1);
  assets = pa_store_list_assets (pa_application_get_store (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpstr (((PaAssetRecord *) assets->pdata[0])->path, ==, result_path);
  id = ((PaAssetRecord *) assets->pdata[0])->id;
  g_clear_pointer (&assets, g_ptr_array_unref);
  g_assert_cmpuint (pa_result_gallery_get_n_results (gallery), ==, 1);
  g_assert_cmpint (pa_result_gallery_get_result_id (gallery, 0), ==, id);
  WAIT_FOR (pa_result_gallery_has_thumbnail (gallery, id));
  WAIT_FOR (pa_compare_view_get_after (compare) != NULL);
  g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (compare)));
  /* The divider goes through the middle of the face replaced. */
  g_assert_cmpfloat (pa_compare_view_get_position (compare), ==,
                     pa_face_picker_get_face_x (target_picker, 0));
  g_assert_cmpfloat (pa_compare_view_get_position (compare), >, 0.0);
  g_assert_cmpfloat (pa_compare_view_get_position (compare), <, 1.0);

  /* The result is the astronaut picture with Hopper's face: the same
   * size, changed on the face and not in the corners. */
  assert_swapped (result_path, astronaut, target_picker);

  /* The window as the README shows it: the divider in the middle of
   * the face, half of it before, half after. */
  save_screenshot (GTK_WIDGET (window), "screenshot-faceswap.png");

  /* The second time, no notice: Swap runs at once. Cancelled straight
   * away, it leaves no file, finished or half-written, and no row. */
  click (find_action_button (page, "faceswap.swap"));
  g_assert_null (find_message_dialog ());
  g_assert_true (pa_face_swap_page_get_busy (page));
  click (find_action_button (page, "faceswap.cancel"));
  WAIT_FOR (!pa_face_swap_page_get_busy (page));
  g_assert_null (pa_face_swap_page_get_error (page));
  g_assert_cmpuint (count_files (media_dir), ==, 1);
  g_assert_cmpuint (pa_result_gallery_get_n_results (gallery), ==, 1);
  assets = pa_store_list_assets (pa_application_get_store (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_clear_pointer (&assets, g_ptr_array_unref);

  /* Save a Copy writes the same bytes, mark included, where the user
   * says. */
  {
    g_autofree char *copy = g_build_filename (data_dir, "copy.png", NULL);
    g_autofree char *original_bytes = NULL;
    g_autofree char *copy_bytes = NULL;
    gsize original_length = 0;
    gsize copy_length = 0;

    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pa_result_gallery_get_tile (gallery, id)),
                                               "result.save-copy", "x", id));
    choose_in_dialog (copy, TRUE);
    WAIT_FOR (g_file_test (copy, G_FILE_TEST_IS_REGULAR) &&
              find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG) == NULL);
    WAIT_FOR (g_file_get_contents (copy, &copy_bytes, &copy_length, NULL) &&
              copy_length > 0);
    g_assert_true (g_file_get_contents (result_path, &original_bytes, &original_length, NULL));
    g_assert_cmpmem (copy_bytes, copy_length, original_bytes, original_length);
  }

  /* Show in Folder asks the file manager to show the file itself. */
  {
    static const GDBusInterfaceVTable vtable = { file_manager_call, NULL, NULL };
    g_autoptr(GDBusNodeInfo) node = g_dbus_node_info_new_for_xml (file_manager_xml, &error);
    GDBusConnection *bus = g_application_get_dbus_connection (G_APPLICATION (app));
    g_autofree char *uri = g_filename_to_uri (result_path, NULL, NULL);
    FileManager manager = { 0, };
    guint object;
    guint owner;

    g_assert_no_error (error);
    g_assert_nonnull (bus);
    object = g_dbus_connection_register_object (bus, "/org/freedesktop/FileManager1",
                                                node->interfaces[0], &vtable, &manager,
                                                NULL, &error);
    g_assert_no_error (error);
    owner = g_bus_own_name_on_connection (bus, "org.freedesktop.FileManager1",
                                          G_BUS_NAME_OWNER_FLAGS_NONE,
                                          file_manager_owned, NULL, &manager, NULL);
    WAIT_FOR (manager.owned);
    g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pa_result_gallery_get_tile (gallery, id)),
                                               "result.show-in-folder", "x", id));
    WAIT_FOR (manager.shown != NULL);
    g_assert_cmpstr (manager.shown, ==, uri);
    g_bus_unown_name (owner);
    g_dbus_connection_unregister_object (bus, object);
    g_free (manager.shown);
  }

  /* Delete asks, then removes the file and the row. */
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (pa_result_gallery_get_tile (gallery, id)),
                                             "result.delete", "x", id));
  WAIT_FOR ((dialog = find_message_dialog ()) != NULL);
  g_assert_true (g_file_test (result_path, G_FILE_TEST_EXISTS));
  respond (dialog, "_Delete");
  WAIT_FOR (pa_result_gallery_get_n_results (gallery) == 0);
  g_assert_false (g_file_test (result_path, G_FILE_TEST_EXISTS));
  g_assert_cmpuint (count_files (media_dir), ==, 0);
  assets = pa_store_list_assets (pa_application_get_store (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 0);
}

static void
test_page (void)
{
  g_autofree char *data_dir = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-faceswap-XXXXXX", NULL);
  run_app (data_dir, page_body, data_dir);
}

/* A video target: its first frame is shown with its face, and the swap
 * runs frame by frame with frames and time left, to a marked video that
 * the gallery shows with a frame of it. */
static void
video_body (PaApplication *app,
            GtkWindow     *window,
            gconstpointer  data)
{
  const char *clip = data;
  g_autofree char *hopper = pa_test_photo_path ("grace_hopper.jpg");
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GFile) face = NULL;
  g_autoptr(GFile) target = NULL;
  g_autoptr(GError) error = NULL;
  PaFaceSwapPage *page = find_one (window, PA_TYPE_FACE_SWAP_PAGE);
  PaResultGallery *gallery = find_one (page, PA_TYPE_RESULT_GALLERY);
  PaFacePicker *target_picker;
  gboolean saw_frames = FALSE;
  GFile *result;

  if (hopper == NULL)
    return;

  {
    g_autoptr(GPtrArray) pickers = find_all (page, PA_TYPE_FACE_PICKER);

    target_picker = pickers->pdata[1];
  }

  face = g_file_new_for_path (hopper);
  target = g_file_new_for_path (clip);
  pa_face_swap_page_set_face_file (page, face);
  pa_face_swap_page_set_target_file (page, target);
  WAIT_FOR (!pa_face_swap_page_get_loading (page));
  g_assert_cmpstr (pa_face_swap_page_get_error (page), ==, NULL);
  g_assert_cmpuint (pa_face_picker_get_n_faces (target_picker), ==, 1);
  g_assert_cmpint (gdk_paintable_get_intrinsic_width (pa_face_picker_get_paintable (target_picker)),
                   ==, 640);
  g_assert_cmpint (gdk_paintable_get_intrinsic_height (pa_face_picker_get_paintable (target_picker)),
                   ==, 480);

  /* The notice was accepted before (it is tested on its own). */
  g_settings_set_boolean (settings, "faceswap-notice-accepted", TRUE);
  click (find_action_button (page, "faceswap.swap"));
  g_assert_true (pa_face_swap_page_get_busy (page));
  WAIT_FOR ((saw_frames |= strstr (pa_face_swap_page_get_status (page), "Frame ") != NULL,
             !pa_face_swap_page_get_busy (page)));
  g_assert_null (pa_face_swap_page_get_error (page));
  g_assert_true (saw_frames);

  result = pa_face_swap_page_get_result_file (page);
  g_assert_nonnull (result);
  g_assert_true (pa_media_file_has_mark (result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (pa_result_gallery_get_n_results (gallery), ==, 1);
  WAIT_FOR (pa_result_gallery_has_thumbnail (gallery, pa_result_gallery_get_result_id (gallery, 0)));
  save_screenshot (GTK_WIDGET (window), "screenshot-faceswap-video.png");
}

static void
test_video (void)
{
  PaTestVideoSpec spec = {
    .photo = "astronaut.png",
    .width = 640,
    .height = 480,
    .fps = 25,
    .n_frames = 25,
    .speed = 2.0,
    .audio = TRUE,
    .format = PA_TEST_VIDEO_MP4,
  };
  g_autofree char *data_dir = NULL;
  g_autofree char *clip = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-faceswap-XXXXXX", NULL);
  clip = pa_test_video_make_in (data_dir, "clip.mp4", &spec);
  if (clip == NULL)
    return;

  run_app (data_dir, video_body, clip);
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  gtk_init ();

  g_test_add_func ("/faceswap/compare-view", test_compare_view);
  g_test_add_func ("/faceswap/face-picker", test_face_picker);
  g_test_add_func ("/faceswap/page", test_page);
  g_test_add_func ("/faceswap/video", test_video);

  return g_test_run ();
}
