/* pa-test-gui.c — what the GUI's tests share: waiting, finding widgets,
 * screenshots, and the real application run in the test's process
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-test-gui.h"
#include "pa-test-require.h"
#include "pa-window.h"

gboolean
need_display (void)
{
  if (g_getenv ("DISPLAY") != NULL)
    return TRUE;
  return pa_test_missing ("an X display (DISPLAY is not set)",
                          "run the tests under xvfb-run (Debian package xvfb), "
                          "as build-aux/test.sh does");
}

/* The helper programs that drive and capture the real binary's window. */
gboolean
need_program (const char *program,
              const char *package)
{
  g_autofree char *path = pa_test_require_program (program, package);

  return path != NULL;
}

gboolean
wake_up (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

/* ---- widget lookup ---------------------------------------------------- */

static void
collect_widgets (GtkWidget *root,
                 GType      type,
                 GPtrArray *found)
{
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (G_TYPE_CHECK_INSTANCE_TYPE (child, type))
        g_ptr_array_add (found, child);
      collect_widgets (child, type, found);
    }
}

GPtrArray *
find_all (gpointer root,
          GType    type)
{
  GPtrArray *found = g_ptr_array_new ();

  collect_widgets (GTK_WIDGET (root), type, found);
  return found;
}

gpointer
find_one (gpointer root,
          GType    type)
{
  g_autoptr(GPtrArray) found = find_all (root, type);

  g_assert_cmpuint (found->len, ==, 1);
  return g_ptr_array_index (found, 0);
}

GtkWindow *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GtkWindow) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type) && gtk_widget_get_mapped (GTK_WIDGET (window)))
        return window;
    }

  return NULL;
}

/* The one visible button of @row that triggers @action. */
GtkWidget *
find_action_button (gpointer    root,
                    const char *action)
{
  g_autoptr(GPtrArray) buttons = find_all (root, GTK_TYPE_BUTTON);
  GtkWidget *match = NULL;

  for (guint i = 0; i < buttons->len; i++)
    {
      GtkWidget *button = g_ptr_array_index (buttons, i);

      if (g_strcmp0 (gtk_actionable_get_action_name (GTK_ACTIONABLE (button)), action) == 0 &&
          gtk_widget_get_visible (button))
        {
          g_assert_null (match);
          match = button;
        }
    }

  g_assert_nonnull (match);
  return match;
}

void
click (GtkWidget *button)
{
  g_assert_true (gtk_widget_is_sensitive (button));
  g_assert_true (gtk_widget_get_mapped (button));
  g_signal_emit_by_name (button, "clicked");
}

/* ---- pictures --------------------------------------------------------- */

char *
output_path (const char *name)
{
  return g_test_build_filename (G_TEST_BUILT, name, NULL);
}

guint
count_colours_in (GdkTexture *texture)
{
  g_autoptr(GHashTable) colours = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autofree guint32 *pixels = NULL;
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);

  pixels = g_new (guint32, (gsize) width * height);
  gdk_texture_download (texture, (guchar *) pixels, (gsize) width * 4);

  for (gsize i = 0; i < (gsize) width * height; i++)
    g_hash_table_add (colours, GUINT_TO_POINTER (pixels[i]));

  return g_hash_table_size (colours);
}

guint
count_colours (const char *path)
{
  g_autoptr(GdkTexture) texture = gdk_texture_new_from_filename (path, NULL);

  return texture != NULL ? count_colours_in (texture) : 0;
}

/* A blank or failed capture has one or two colours; a window with text,
 * icons and antialiased edges has many. */
void
assert_png_not_blank (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  guint n_colours;
  int width;
  int height;

  texture = gdk_texture_new_from_filename (path, &error);
  g_assert_no_error (error);

  width = gdk_texture_get_width (texture);
  height = gdk_texture_get_height (texture);
  g_assert_cmpint (width, >=, 300);
  g_assert_cmpint (height, >=, 200);

  n_colours = count_colours_in (texture);
  g_test_message ("%s: %dx%d, %u distinct colours", path, width, height, n_colours);
  g_assert_cmpuint (n_colours, >, 50);
}

static void
count_paint (GdkFrameClock *clock,
             guint         *painted)
{
  (*painted)++;
}

/* No stack is between two pages and no revealer between open and shut. */
static gboolean
is_settled (GtkWidget *widget)
{
  if (GTK_IS_STACK (widget) && gtk_stack_get_transition_running (GTK_STACK (widget)))
    return FALSE;
  if (GTK_IS_REVEALER (widget) &&
      gtk_revealer_get_reveal_child (GTK_REVEALER (widget)) !=
      gtk_revealer_get_child_revealed (GTK_REVEALER (widget)))
    return FALSE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (!is_settled (child))
        return FALSE;
    }

  return TRUE;
}

/* Waits until @widget has been laid out, its transitions have ended and it
 * has been drawn once more, so what is captured is what the user sees. */
void
wait_for_paint (GtkWidget *widget)
{
  GdkFrameClock *clock;
  guint painted = 0;
  gulong handler;

  WAIT_FOR (gtk_widget_get_width (widget) > 0 && gtk_widget_get_frame_clock (widget) != NULL);
  WAIT_FOR (is_settled (widget));

  clock = gtk_widget_get_frame_clock (widget);
  handler = g_signal_connect (clock, "after-paint", G_CALLBACK (count_paint), &painted);
  gtk_widget_queue_draw (widget);
  WAIT_FOR (painted > 0);
  g_signal_handler_disconnect (clock, handler);
}

GdkTexture *
render_widget (GtkWidget *widget)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GtkSnapshot) snapshot = gtk_snapshot_new ();
  g_autoptr(GskRenderNode) node = NULL;
  GskRenderer *renderer;
  int width;
  int height;

  wait_for_paint (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);

  paintable = gtk_widget_paintable_new (widget);
  gdk_paintable_snapshot (paintable, GDK_SNAPSHOT (snapshot), width, height);
  node = gtk_snapshot_to_node (snapshot);
  g_assert_nonnull (node);

  renderer = gtk_native_get_renderer (gtk_widget_get_native (widget));
  return gsk_renderer_render_texture (renderer, node, &GRAPHENE_RECT_INIT (0, 0, width, height));
}

void
save_screenshot (GtkWidget  *widget,
                 const char *name)
{
  g_autoptr(GdkTexture) texture = render_widget (widget);
  g_autofree char *path = output_path (name);

  g_assert_true (gdk_texture_save_to_png (texture, path));
  assert_png_not_blank (path);
}

typedef struct
{
  const char *name;
  guchar      r, g, b;
} Bar;

/* The top two thirds of videotestsrc's SMPTE bars: seven bars at full
 * strength (pattern=smpte75 has them at 75 %, 191 of 255). */
static const Bar bars[] = {
  { "white",   255, 255, 255 },
  { "yellow",  255, 255,   0 },
  { "cyan",      0, 255, 255 },
  { "green",     0, 255,   0 },
  { "magenta", 255,   0, 255 },
  { "red",     255,   0,   0 },
  { "blue",      0,   0, 255 },
};

#define BAR_TOLERANCE 24

void
assert_smpte_bars (GdkTexture *texture,
                   int         video_width,
                   int         video_height)
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *pixels = g_malloc ((gsize) width * height * 4);
  double scale = MIN ((double) width / video_width, (double) height / video_height);
  double shown_width = video_width * scale;
  double shown_height = video_height * scale;
  double left = (width - shown_width) / 2;
  double top = (height - shown_height) / 2;
  int y = (int) (top + shown_height / 4);

  g_test_message ("picture %d×%d, video %d×%d shown as %.0f×%.0f at %.0f,%.0f",
                  width, height, video_width, video_height,
                  shown_width, shown_height, left, top);

  /* Cairo's ARGB32: B, G, R, A in memory on the machines GTK runs on. */
  gdk_texture_download (texture, pixels, (gsize) width * 4);
  for (guint i = 0; i < G_N_ELEMENTS (bars); i++)
    {
      int x = (int) (left + shown_width * (2 * i + 1) / 14);
      const guchar *p = pixels + ((gsize) y * width + x) * 4;

      g_test_message ("bar %u (%s) at %d,%d: R %u G %u B %u", i + 1, bars[i].name, x, y,
                      p[2], p[1], p[0]);
      if (ABS (p[2] - bars[i].r) > BAR_TOLERANCE || ABS (p[1] - bars[i].g) > BAR_TOLERANCE ||
          ABS (p[0] - bars[i].b) > BAR_TOLERANCE)
        g_error ("Bar %u at %d,%d should be %s (%u,%u,%u) but is (%u,%u,%u)",
                 i + 1, x, y, bars[i].name, bars[i].r, bars[i].g, bars[i].b, p[2], p[1], p[0]);
    }
}

/* ---- the application, in this process --------------------------------- */

typedef struct
{
  PaApplication *app;
  AppTestFunc    func;
  gconstpointer  data;
} AppTest;

static void
disable_animations (GApplication *app)
{
  /* Every transition (pages, revealers, toasts) then ends at once, so
   * screenshots show a settled window. */
  g_object_set (gtk_settings_get_default (), "gtk-enable-animations", FALSE, NULL);
}

static GtkWindow *
wait_for_window (PaApplication *app)
{
  GtkWindow *window;

  WAIT_FOR ((window = gtk_application_get_active_window (GTK_APPLICATION (app))) != NULL &&
            gtk_widget_get_mapped (GTK_WIDGET (window)));
  g_assert_true (PA_IS_WINDOW (window));
  WAIT_FOR (!pa_application_get_loading (app));
  /* Mapped is not yet drawn: wait for the first layout. */
  WAIT_FOR (gtk_widget_get_width (GTK_WIDGET (window)) > 0);

  return window;
}

static gboolean
run_app_test (gpointer user_data)
{
  AppTest *test = user_data;
  g_autoptr(GList) windows = NULL;

  test->func (test->app, wait_for_window (test->app), test->data);

  /* With its last window gone the application quits. */
  windows = g_list_copy (gtk_application_get_windows (GTK_APPLICATION (test->app)));
  for (GList *l = windows; l != NULL; l = l->next)
    gtk_window_destroy (GTK_WINDOW (l->data));

  return G_SOURCE_REMOVE;
}

/* Runs the real application, as main() does, and @func inside it once its
 * window is up. */
void
run_app (const char    *data_dir,
         AppTestFunc    func,
         gconstpointer  data)
{
  AppTest test = { .func = func, .data = data };

  /* NON_UNIQUE: the binary test starts the real, unique instance on the
   * same bus. */
  test.app = g_object_new (PA_TYPE_APPLICATION,
                           "application-id", APP_ID,
                           "flags", G_APPLICATION_NON_UNIQUE,
                           "data-dir", data_dir,
                           NULL);
  g_signal_connect_after (test.app, "startup", G_CALLBACK (disable_animations), NULL);

  /* g_application_run() activates (the window appears) before it iterates. */
  g_idle_add (run_app_test, &test);
  g_assert_cmpint (g_application_run (G_APPLICATION (test.app), 0, NULL), ==, 0);

  /* Nothing may keep the application, and with it the bus, alive. */
  g_object_add_weak_pointer (G_OBJECT (test.app), (gpointer *) &test.app);
  g_object_unref (test.app);
  g_assert_null (test.app);
}
