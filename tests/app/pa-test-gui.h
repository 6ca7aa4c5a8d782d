/* pa-test-gui.h — what the GUI's tests share: waiting, finding widgets,
 * screenshots, and the real application run in the test's process
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "pa-application.h"

G_BEGIN_DECLS

#define WAIT_TIMEOUT_S 60

/* The tick of WAIT_UNTIL. */
gboolean    wake_up              (gpointer data);

/* Runs the main loop until @cond holds or @seconds pass; the tick only
 * wakes the loop up to look at the clock. Evaluates to whether @cond held. */
#define WAIT_UNTIL(cond, seconds) ({                                        \
  gint64 deadline_ = g_get_monotonic_time () + (seconds) * G_USEC_PER_SEC;  \
  guint tick_ = g_timeout_add (20, wake_up, NULL);                          \
  gboolean met_;                                                            \
  while (!(met_ = !!(cond)) && g_get_monotonic_time () < deadline_)         \
    g_main_context_iteration (NULL, TRUE);                                  \
  g_source_remove (tick_);                                                  \
  met_; })

#define WAIT_FOR(cond)                                                      \
  G_STMT_START {                                                            \
    if (!WAIT_UNTIL (cond, WAIT_TIMEOUT_S))                                 \
      g_error ("Timed out after %d s waiting for: %s", WAIT_TIMEOUT_S, #cond); \
  } G_STMT_END

/* Each case asks for what it needs: a missing piece fails (or skips, see
 * pa-test-require.h) the cases that need it, and only those. */
gboolean    need_display         (void);
/* The helper programs that drive and capture the real binary's window. */
gboolean    need_program         (const char *program,
                                  const char *package);

/* Widgets under @root (not @root itself) of @type, depth first. */
GPtrArray  *find_all             (gpointer    root,
                                  GType       type);
/* The one widget under @root of @type: fails when there is not one. */
gpointer    find_one             (gpointer    root,
                                  GType       type);
/* A mapped toplevel of @type, or NULL. */
GtkWindow  *find_toplevel        (GType       type);
/* The one visible button under @root that triggers @action. */
GtkWidget  *find_action_button   (gpointer    root,
                                  const char *action);
/* Clicks a sensitive, mapped button. */
void        click                (GtkWidget  *button);

/* @name in the build folder of the tests. */
char       *output_path          (const char *name);
guint       count_colours_in     (GdkTexture *texture);
guint       count_colours        (const char *path);
/* A capture of a window has many colours; a blank or failed one few. */
void        assert_png_not_blank (const char *path);
/* Waits until @widget is laid out, settled and drawn once more. */
void        wait_for_paint       (GtkWidget  *widget);
/* What @widget shows, once it is settled and drawn. */
GdkTexture *render_widget        (GtkWidget  *widget);
/* Saves what @widget shows as output_path (@name), and checks it. */
void        save_screenshot      (GtkWidget  *widget,
                                  const char *name);
/* Checks videotestsrc's seven SMPTE bars in @texture, where a
 * @video_width×@video_height video is shown scaled to fit and centred (as
 * a GtkPicture shows it): each bar's colour a quarter down the video. */
void        assert_smpte_bars    (GdkTexture *texture,
                                  int         video_width,
                                  int         video_height);

typedef void (*AppTestFunc) (PaApplication *app,
                             GtkWindow     *window,
                             gconstpointer  data);

/* Runs the real application, as main() does, with @data_dir, and @func
 * inside it once its window is up; its windows are closed after. */
void        run_app              (const char    *data_dir,
                                  AppTestFunc    func,
                                  gconstpointer  data);

G_END_DECLS
