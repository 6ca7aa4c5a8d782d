/* test-studio.c — the Studio page under X, with real pipelines: the
 * preview's SMPTE bars checked pixel by pixel, a recording that joins the
 * gallery, going live to a real RTMP server that goes away and comes
 * back, the scene kept across windows, the level meter's colours and the
 * figures' warning styles at OBS's thresholds
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>
#include <math.h>
#include <string.h>

#include <adwaita.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "playalter.h"
#include "pa-application.h"
#include "pa-face-picker.h"
#include "pa-result-gallery.h"
#include "pa-studio-page-private.h"
#include "pa-test-gui.h"
#include "pa-test-keyring.h"
#include "pa-test-photos.h"
#include "pa-test-require.h"
#include "pa-test-rtmp.h"
#include "pa-test-video.h"
#include "pa-window.h"

/* The private session bus and keyring the saved destinations go to. */
static PaTestKeyring *keyring;
static GError *keyring_error;

/* ---- helpers ------------------------------------------------------------ */

/* The pixel of @texture at (@x, @y): R, G, B into @rgb. */
static void
pixel_at (GdkTexture *texture,
          int         x,
          int         y,
          guchar      rgb[3])
{
  int width = gdk_texture_get_width (texture);
  int height = gdk_texture_get_height (texture);
  g_autofree guchar *data = g_malloc ((gsize) width * height * 4);
  const guchar *p;

  g_assert_cmpint (x, >=, 0);
  g_assert_cmpint (x, <, width);
  g_assert_cmpint (y, >=, 0);
  g_assert_cmpint (y, <, height);
  /* Cairo's ARGB32: B, G, R, A in memory on little-endian machines. */
  gdk_texture_download (texture, data, (gsize) width * 4);
  p = data + ((gsize) y * width + x) * 4;
  rgb[0] = p[2];
  rgb[1] = p[1];
  rgb[2] = p[0];
}

/* Opens the Studio section as a click on its sidebar row does. */
static PaStudioPage *
open_studio (GtkWindow *window)
{
  g_autoptr(GPtrArray) rows = find_all (window, GTK_TYPE_LIST_BOX_ROW);
  PaStudioPage *page = NULL;

  for (guint i = 0; i < rows->len; i++)
    if (g_strcmp0 (gtk_widget_get_name (rows->pdata[i]), "studio") == 0)
      {
        g_test_message ("opening the Studio section from its sidebar row");
        g_assert_true (gtk_widget_activate (rows->pdata[i]));
        break;
      }
  page = find_one (window, PA_TYPE_STUDIO_PAGE);
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (page)));
  return page;
}

/* Waits for the preview to run, failing with the page's own error. */
static void
wait_for_preview (PaStudioPage *page)
{
  WAIT_FOR ((page->stream != NULL && !page->starting && page->paintable != NULL &&
             pa_video_paintable_get_frames_shown (page->paintable) >= 3) ||
            page->error != NULL);
  if (page->error != NULL)
    g_error ("The studio shows an error instead of the preview: %s", page->error);
}

/* ---- the stats view ----------------------------------------------------- */

typedef struct
{
  const char     *what;
  double          fps;
  guint64         frames;
  guint64         dropped;
  PaStreamHealth  health;
  const char     *fps_class;      /* NULL: none */
  const char     *dropped_class;
} StatsCase;

static gboolean
has_health_class (GtkWidget  *widget,
                  const char *expected)
{
  const char *classes[] = { "warning", "error" };

  for (guint i = 0; i < G_N_ELEMENTS (classes); i++)
    if (gtk_widget_has_css_class (widget, classes[i]) != (g_strcmp0 (classes[i], expected) == 0))
      return FALSE;
  return TRUE;
}

static void
test_stats_view (void)
{
  /* OBS's thresholds: output fps under 95 % / 80 % of the target, dropped
   * frames over 1 % / 5 %. Each case sits clearly on one side. */
  const StatsCase cases[] = {
    { "all good",            30.0, 1000,  0, PA_STREAM_HEALTH_GOOD,    NULL,      NULL },
    { "fps at 97 %",         29.1, 1000,  0, PA_STREAM_HEALTH_GOOD,    NULL,      NULL },
    { "fps at 90 %",         27.0, 1000,  0, PA_STREAM_HEALTH_WARNING, "warning", NULL },
    { "fps at 70 %",         21.0, 1000,  0, PA_STREAM_HEALTH_BAD,     "error",   NULL },
    { "0.5 % dropped",       30.0, 1000,  5, PA_STREAM_HEALTH_GOOD,    NULL,      NULL },
    { "3 % dropped",         30.0, 1000, 30, PA_STREAM_HEALTH_WARNING, NULL,      "warning" },
    { "8 % dropped",         30.0, 1000, 87, PA_STREAM_HEALTH_BAD,     NULL,      "error" },
    { "fps 90 %, 8 % dropped", 27.0, 1000, 87, PA_STREAM_HEALTH_BAD,   "warning", "error" },
  };
  GtkWidget *window;
  PaStreamStatsView *view;

  if (!need_display ())
    return;

  window = gtk_window_new ();
  view = PA_STREAM_STATS_VIEW (pa_stream_stats_view_new ());
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (view));
  gtk_window_set_default_size (GTK_WINDOW (window), 480, 300);
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (view)));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const StatsCase *c = &cases[i];
      PaStreamStats stats = {
        .fps = c->fps, .bitrate = 2600000, .frames = c->frames, .dropped = c->dropped,
        .live_time = 75 * G_USEC_PER_SEC, .target_fps = 30, .late = 2, .encoder_load = 0.4,
      };
      GtkWidget *health = pa_stream_stats_view_get_health_label (view);

      pa_stream_stats_view_set_stats (view, &stats);
      g_test_message ("%s: health %d, \"%s\"; fps \"%s\", dropped \"%s\"", c->what,
                      pa_stream_stats_view_get_health (view),
                      gtk_label_get_text (GTK_LABEL (health)),
                      gtk_label_get_text (GTK_LABEL (pa_stream_stats_view_get_fps_label (view))),
                      gtk_label_get_text (GTK_LABEL (pa_stream_stats_view_get_dropped_label (view))));
      if (pa_stream_stats_view_get_health (view) != c->health)
        g_error ("%s: the health should be %d, is %d", c->what, c->health,
                 pa_stream_stats_view_get_health (view));
      if (!has_health_class (health, c->health == PA_STREAM_HEALTH_WARNING ? "warning"
                                      : c->health == PA_STREAM_HEALTH_BAD ? "error" : NULL))
        g_error ("%s: the health line has the wrong style class", c->what);
      if (c->health != PA_STREAM_HEALTH_GOOD)
        g_assert_cmpstr (gtk_label_get_text (GTK_LABEL (health)), !=, "");
      if (!has_health_class (pa_stream_stats_view_get_fps_label (view), c->fps_class))
        g_error ("%s: the fps figure should have the class %s", c->what, c->fps_class);
      if (!has_health_class (pa_stream_stats_view_get_dropped_label (view), c->dropped_class))
        g_error ("%s: the dropped figure should have the class %s", c->what, c->dropped_class);
    }

  g_assert_cmpuint (pa_stream_stats_view_get_n_samples (view), ==, G_N_ELEMENTS (cases));
  save_screenshot (GTK_WIDGET (view), "studio-stats-view.png");

  pa_stream_stats_view_clear (view);
  g_assert_cmpuint (pa_stream_stats_view_get_n_samples (view), ==, 0);
  g_assert_true (has_health_class (pa_stream_stats_view_get_health_label (view), NULL));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the level meter ---------------------------------------------------- */

static void
test_level_meter (void)
{
  GtkWidget *window;
  PaLevelMeter *meter;
  g_autoptr(GdkTexture) quiet = NULL;
  g_autoptr(GdkTexture) loud = NULL;
  guchar rgb[3];
  int width;

  if (!need_display ())
    return;

  window = gtk_window_new ();
  meter = PA_LEVEL_METER (pa_level_meter_new ());
  gtk_widget_set_size_request (GTK_WIDGET (meter), 300, 12);
  gtk_window_set_child (GTK_WINDOW (window), GTK_WIDGET (meter));
  gtk_window_present (GTK_WINDOW (window));
  WAIT_FOR (gtk_widget_get_mapped (GTK_WIDGET (meter)));

  /* -30 dBFS fills half of the -60…0 bar, in green; beyond, the trough. */
  pa_level_meter_set_level (meter, -30, -24);
  quiet = render_widget (GTK_WIDGET (meter));
  width = gdk_texture_get_width (quiet);
  pixel_at (quiet, width / 4, 6, rgb);
  g_test_message ("-30 dBFS: at a quarter R %u G %u B %u", rgb[0], rgb[1], rgb[2]);
  g_assert_true (rgb[1] > 150 && rgb[0] < 100);
  pixel_at (quiet, width * 7 / 8, 6, rgb);
  g_test_message ("-30 dBFS: at seven eighths R %u G %u B %u", rgb[0], rgb[1], rgb[2]);
  g_assert_false (rgb[1] > 150 && rgb[0] < 100);

  /* -2 dBFS reaches the red zone (over -6 dBFS, 90 % along). */
  pa_level_meter_set_level (meter, -2, -1);
  loud = render_widget (GTK_WIDGET (meter));
  pixel_at (loud, width * 93 / 100, 6, rgb);
  g_test_message ("-2 dBFS: at 93 %% R %u G %u B %u", rgb[0], rgb[1], rgb[2]);
  g_assert_true (rgb[0] > 180 && rgb[1] < 80);
  pixel_at (loud, width * 80 / 100, 6, rgb);
  g_test_message ("-2 dBFS: at 80 %% R %u G %u B %u", rgb[0], rgb[1], rgb[2]);
  g_assert_true (rgb[0] > 180 && rgb[1] > 150 && rgb[2] < 100);

  /* The peak is held after the sound falls. */
  pa_level_meter_set_level (meter, -40, -35);
  g_assert_cmpfloat (pa_level_meter_get_peak_hold (meter), ==, -1);
  g_assert_cmpfloat (pa_level_meter_get_rms (meter), ==, -40);
  pa_level_meter_reset (meter);
  g_assert_true (isinf (pa_level_meter_get_peak_hold (meter)));

  gtk_window_destroy (GTK_WINDOW (window));
}

/* ---- the preview -------------------------------------------------------- */

static void
assert_preview_bars (PaStudioPage *page)
{
  GdkPaintable *paintable = GDK_PAINTABLE (page->paintable);
  g_autoptr(GdkTexture) texture = render_widget (GTK_WIDGET (page->preview));
  int video_width = gdk_paintable_get_intrinsic_width (paintable);
  int video_height = gdk_paintable_get_intrinsic_height (paintable);

  g_assert_cmpint (video_width, <=, PREVIEW_MAX_WIDTH);
  g_assert_cmpint (video_width, >, 0);
  assert_smpte_bars (texture, video_width, video_height);
}

static double
shown_fps (PaStudioPage *page)
{
  const char *text = gtk_label_get_text (page->fps_label);

  return gtk_widget_get_visible (GTK_WIDGET (page->fps_label)) ? g_ascii_strtod (text, NULL) : 0;
}

static void
preview_body (PaApplication *app,
              GtkWindow     *window,
              gconstpointer  data)
{
  PaStudioPage *page = open_studio (window);

  g_assert_cmpuint (adw_combo_row_get_selected (page->main_row), ==, MAIN_TEST_PATTERN);
  wait_for_preview (page);
  assert_preview_bars (page);

  WAIT_FOR (shown_fps (page) > 0);
  g_test_message ("preview fps label: \"%s\"", gtk_label_get_text (page->fps_label));
  /* The test tone moves the level meter. */
  WAIT_FOR (pa_level_meter_get_rms (page->level_meter) > -40);
  g_test_message ("level: RMS %.1f dBFS, peak held %.1f dBFS",
                  pa_level_meter_get_rms (page->level_meter),
                  pa_level_meter_get_peak_hold (page->level_meter));
  save_screenshot (GTK_WIDGET (window), "screenshot-studio-preview.png");

  /* Another section: the preview stops (no CPU while no one looks). */
  {
    g_autoptr(GPtrArray) rows = find_all (window, GTK_TYPE_LIST_BOX_ROW);

    for (guint i = 0; i < rows->len; i++)
      if (g_strcmp0 (gtk_widget_get_name (rows->pdata[i]), "face-swap") == 0)
        gtk_widget_activate (rows->pdata[i]);
  }
  WAIT_FOR (!gtk_widget_get_mapped (GTK_WIDGET (page)));
  WAIT_FOR (page->stream == NULL && page->stopping == 0);
  g_test_message ("hidden: the preview stopped");

  open_studio (window);
  wait_for_preview (page);

  /* A source that cannot start: the preview's place says why, and a
   * working source brings the preview back. */
  {
    g_autofree char *missing_path = g_build_filename (data, "missing.mp4", NULL);
    g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
    g_autoptr(PaStreamSource) broken = pa_stream_source_new_file (missing, PA_STREAM_AUDIO_NONE);
    g_autoptr(PaStreamSource) bars_again = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
    g_autoptr(GError) error = NULL;

    g_assert_true (pa_studio_page_set_main_source (page, broken, &error));
    g_assert_no_error (error);
    WAIT_FOR (page->error != NULL);
    g_test_message ("a missing file: \"%s\"", page->error);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (page->preview_stack), ==, "error");
    g_assert_nonnull (strstr (adw_status_page_get_description (page->error_page), "missing.mp4"));
    g_assert_true (gtk_widget_get_mapped (GTK_WIDGET (page->error_page)));
    g_assert_cmpuint (adw_combo_row_get_selected (page->main_row), ==, MAIN_FILE);

    g_assert_true (pa_studio_page_set_main_source (page, bars_again, &error));
    g_assert_no_error (error);
    wait_for_preview (page);
    g_assert_cmpstr (gtk_stack_get_visible_child_name (page->preview_stack), ==, "preview");
    assert_preview_bars (page);
  }
}

static void
test_preview (void)
{
  g_autofree char *data_dir = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  run_app (data_dir, preview_body, data_dir);
  pa_test_remove_dir (data_dir);
}

/* ---- recording ---------------------------------------------------------- */

/* The recording's length by GStreamer's discoverer, in seconds. */
static double
recorded_seconds (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstDiscoverer) discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autofree char *uri = g_filename_to_uri (path, NULL, &error);

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  return gst_discoverer_info_get_duration (info) / (double) GST_SECOND;
}


static void
count_saved (PaStudioPage *page,
             GFile        *file,
             gint64        id,
             gint64       *saved_id)
{
  *saved_id = id;
}

static void
record_body (PaApplication *app,
             GtkWindow     *window,
             gconstpointer  data)
{
  const char *data_dir = data;
  PaStudioPage *page = open_studio (window);
  PaResultGallery *gallery = find_one (window, PA_TYPE_RESULT_GALLERY);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autofree char *media = g_build_filename (data_dir, "media", NULL);
  g_autofree char *path = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *name = NULL;
  GList *videos;
  GList *audios;
  gint64 saved_id = 0;
  double duration;

  g_signal_connect (page, "recording-saved", G_CALLBACK (count_saved), &saved_id);
  wait_for_preview (page);

  g_test_message ("recording for 3 s");
  click (find_action_button (page, "studio.record"));
  WAIT_FOR ((page->recording != NULL && !page->record_busy) || page->error != NULL);
  g_assert_null (page->error);
  /* No new source while recording. */
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->main_row)));
  WAIT_UNTIL (FALSE, 3);
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->on_air_label)));
  g_test_message ("badge \"%s\", \"%s\"", gtk_label_get_text (page->on_air_label),
                  gtk_label_get_text (page->record_label));
  g_assert_nonnull (strstr (gtk_label_get_text (page->record_label), "00:00:0"));
  path = g_file_get_path (page->recording);
  click (find_action_button (page, "studio.record"));
  WAIT_FOR (saved_id != 0);
  g_assert_null (page->recording);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->main_row)));

  /* The file: in the media folder, by its name, and playable. */
  g_test_message ("recorded %s", path);
  name = g_path_get_basename (path);
  g_assert_true (g_str_has_prefix (name, "Recording "));
  g_assert_true (g_str_has_suffix (name, ".mkv"));
  {
    g_autofree char *dir = g_path_get_dirname (path);

    g_assert_cmpstr (dir, ==, media);
  }
  discoverer = gst_discoverer_new (30 * GST_SECOND, &error);
  g_assert_no_error (error);
  uri = g_filename_to_uri (path, NULL, &error);
  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  duration = gst_discoverer_info_get_duration (info) / (double) GST_SECOND;
  videos = gst_discoverer_info_get_video_streams (info);
  audios = gst_discoverer_info_get_audio_streams (info);
  g_test_message ("discoverer: %.2f s, %u video and %u audio stream(s)", duration,
                  g_list_length (videos), g_list_length (audios));
  g_assert_cmpfloat (duration, >=, 2.5);
  g_assert_cmpfloat (duration, <=, 5);
  g_assert_cmpuint (g_list_length (videos), ==, 1);
  g_assert_cmpuint (g_list_length (audios), ==, 1);
  g_assert_cmpuint (gst_discoverer_video_info_get_width (videos->data), ==, 1280);
  gst_discoverer_stream_info_list_free (videos);
  gst_discoverer_stream_info_list_free (audios);

  /* The asset, and the gallery of the Face Swap page. */
  assets = pa_store_list_assets (pa_application_get_store (app), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);
  g_assert_cmpstr (((PaAssetRecord *) assets->pdata[0])->kind, ==, "video");
  g_assert_cmpstr (((PaAssetRecord *) assets->pdata[0])->path, ==, path);
  g_assert_cmpint (((PaAssetRecord *) assets->pdata[0])->id, ==, saved_id);
  WAIT_FOR (pa_result_gallery_get_n_results (gallery) == 1);
  g_assert_cmpint (pa_result_gallery_get_result_id (gallery, 0), ==, saved_id);
  g_test_message ("asset %" G_GINT64_FORMAT " of kind video, shown in the gallery", saved_id);

  /* A second recording, and the window closes while it runs: the
   * application finalises and lists it before it quits (test_record). */
  WAIT_UNTIL (FALSE, 1.1);
  click (find_action_button (page, "studio.record"));
  WAIT_FOR ((page->recording != NULL && !page->record_busy) || page->error != NULL);
  g_assert_null (page->error);
  WAIT_UNTIL (FALSE, 2);
  g_test_message ("closing the window while recording");
}

static void
test_record (void)
{
  g_autofree char *data_dir = NULL;
  g_autoptr(GError) error = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  run_app (data_dir, record_body, data_dir);

  /* The one recorded when the window closed: finalised and listed. */
  {
    g_autoptr(PaStore) store = pa_store_open (data_dir, &error);
    g_autoptr(GPtrArray) assets = NULL;
    const PaAssetRecord *last;
    double seconds;

    g_assert_no_error (error);
    assets = pa_store_list_assets (store, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (assets->len, ==, 2);
    last = assets->pdata[1];
    g_assert_cmpstr (last->kind, ==, "video");
    seconds = recorded_seconds (last->path);
    g_test_message ("recorded as the window closed: %s, %.1f s", last->path, seconds);
    g_assert_cmpfloat (seconds, >=, 1.5);
  }
  pa_test_remove_dir (data_dir);
}

/* ---- going live --------------------------------------------------------- */

static void
wait_for_live_text (PaStudioPage *page,
                    const char   *text)
{
  g_test_message ("waiting for the state \"%s\"", text);
  if (!WAIT_UNTIL (g_strcmp0 (pa_studio_page_get_live_text (page), text) == 0, 40))
    g_error ("The live state should be \"%s\" but is \"%s\"", text,
             pa_studio_page_get_live_text (page));
}

static gboolean
live_enabled (PaStudioPage *page)
{
  return gtk_widget_get_sensitive (find_action_button (page, "studio.live"));
}

static void
live_body (PaApplication *app,
           GtkWindow     *window,
           gconstpointer  data)
{
  PaTestRtmp *rtmp = (PaTestRtmp *) data;
  PaStudioPage *page = open_studio (window);
  g_autofree char *url = pa_test_rtmp_get_url (rtmp, "studio");
  g_autofree char *recording = NULL;
  g_autoptr(GError) error = NULL;
  gint64 recording_since;
  gint64 saved_id = 0;
  double recorded;
  double elapsed;

  g_signal_connect (page, "recording-saved", G_CALLBACK (count_saved), &saved_id);
  wait_for_preview (page);
  g_assert_cmpstr (pa_studio_page_get_live_text (page), ==, "Not live");

  /* Agora without an account: the row says what to set up. */
  adw_combo_row_set_selected (page->destination_row, 1);
  g_test_message ("Agora, not signed in: \"%s\"",
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (page->destination_row)));
  g_assert_nonnull (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (page->destination_row)),
                            "Sign in to Agora"));
  g_assert_true (gtk_widget_get_visible (GTK_WIDGET (page->channel_row)));
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->url_row)));
  g_assert_false (live_enabled (page));
  adw_combo_row_set_selected (page->destination_row, 0);
  wait_for_preview (page);

  /* A server that is not there: the reason, in the state row. */
  gtk_editable_set_text (GTK_EDITABLE (page->url_row), "rtmp://127.0.0.1:1/live/nowhere");
  g_assert_true (live_enabled (page));
  click (find_action_button (page, "studio.live"));
  WAIT_FOR (page->live_error != NULL);
  g_test_message ("unreachable: \"%s\"", pa_studio_page_get_live_text (page));
  g_assert_true (g_str_has_prefix (pa_studio_page_get_live_text (page), "Could not go live: "));
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->state_label), "error"));

  /* Recording, then live: the recording goes on while the server is away. */
  click (find_action_button (page, "studio.record"));
  WAIT_FOR ((page->recording != NULL && !page->record_busy) || page->error != NULL);
  g_assert_null (page->error);
  recording_since = g_get_monotonic_time ();
  recording = g_file_get_path (page->recording);

  gtk_editable_set_text (GTK_EDITABLE (page->url_row), url);
  click (find_action_button (page, "studio.live"));
  wait_for_live_text (page, "Live");
  g_assert_false (gtk_widget_get_sensitive (GTK_WIDGET (page->main_row)));
  WAIT_FOR (pa_stream_stats_view_get_n_samples (page->stats_view) >= 2);

  g_test_message ("the server goes away");
  pa_test_rtmp_kill (rtmp);
  wait_for_live_text (page, "Reconnecting…");
  g_assert_true (gtk_widget_has_css_class (GTK_WIDGET (page->state_label), "warning"));
  g_assert_nonnull (page->recording);

  g_test_message ("the server comes back");
  WAIT_UNTIL (FALSE, 3);
  g_assert_true (pa_test_rtmp_restart (rtmp, &error));
  g_assert_no_error (error);
  wait_for_live_text (page, "Live");

  click (find_action_button (page, "studio.live"));
  wait_for_live_text (page, "Not live");
  click (find_action_button (page, "studio.record"));
  elapsed = (g_get_monotonic_time () - recording_since) / (double) G_USEC_PER_SEC;
  WAIT_FOR (saved_id != 0);
  recorded = recorded_seconds (recording);
  g_test_message ("recorded %.1f s of %.1f s, through the outage", recorded, elapsed);
  /* No gap: the file is as long as the time it was recorded (the start
   * waits for a keyframe, the stop for the last one). */
  g_assert_cmpfloat (recorded, >=, elapsed - 2.5);
  g_assert_cmpfloat (recorded, <=, elapsed + 1);
}

static void
test_live (void)
{
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;

  if (!need_display ())
    return;
  rtmp = pa_test_rtmp_start (NULL, &error);
  if (!pa_test_require_no_error (error))
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  run_app (data_dir, live_body, rtmp);
  pa_test_remove_dir (data_dir);
}

/* ---- a saved destination ------------------------------------------------ */

/* The typed address saved as a destination: its key goes to the keyring,
 * the entry is emptied, and going live to it reads the key back. */
static void
saved_destination_body (PaApplication *app,
                        GtkWindow     *window,
                        gconstpointer  data)
{
  PaTestRtmp *rtmp = (PaTestRtmp *) data;
  PaStudioPage *page = open_studio (window);
  g_autofree char *url = pa_test_rtmp_get_url (rtmp, "saved-key-1234");
  g_autoptr(PaSecrets) secrets = pa_secrets_new ();
  g_autoptr(GPtrArray) saved = NULL;
  g_autoptr(GError) error = NULL;
  AdwMessageDialog *dialog;

  wait_for_preview (page);
  gtk_editable_set_text (GTK_EDITABLE (page->url_row), url);
  click (find_action_button (page, "studio.save-destination"));
  WAIT_FOR ((dialog = (AdwMessageDialog *) find_toplevel (ADW_TYPE_MESSAGE_DIALOG)) != NULL);
  gtk_editable_set_text (GTK_EDITABLE (find_one (dialog, GTK_TYPE_ENTRY)), "Local server");
  adw_message_dialog_response (dialog, "save");
  WAIT_FOR (adw_combo_row_get_selected (page->destination_row) == 2);
  g_test_message ("saved: \"%s\", %s", gtk_string_object_get_string (adw_combo_row_get_selected_item (page->destination_row)),
                  adw_action_row_get_subtitle (ADW_ACTION_ROW (page->destination_row)));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page->url_row)), ==, "");
  g_assert_false (gtk_widget_get_visible (GTK_WIDGET (page->url_row)));
  /* The server's address is shown; the key is not. */
  g_assert_null (strstr (adw_action_row_get_subtitle (ADW_ACTION_ROW (page->destination_row)),
                         "saved-key-1234"));
  saved = pa_stream_destination_list_saved (pa_application_get_store (app), secrets, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (saved->len, ==, 1);
  g_assert_cmpstr (pa_stream_destination_get_name (saved->pdata[0]), ==, "Local server");

  click (find_action_button (page, "studio.live"));
  wait_for_live_text (page, "Live");
  click (find_action_button (page, "studio.live"));
  wait_for_live_text (page, "Not live");
}

static void
test_saved_destination (void)
{
  g_autoptr(PaTestRtmp) rtmp = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;

  if (!need_display () || !pa_test_require_no_error (keyring_error))
    return;
  rtmp = pa_test_rtmp_start (NULL, &error);
  if (!pa_test_require_no_error (error))
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  run_app (data_dir, saved_destination_body, rtmp);
  pa_test_remove_dir (data_dir);
}

/* ---- settings ----------------------------------------------------------- */

static void
settings_body (PaApplication *app,
               GtkWindow     *window,
               gconstpointer  data)
{
  PaStudioPage *page = open_studio (window);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  g_autoptr(GVariant) saved = NULL;
  GtkWidget *second;

  g_test_message ("overlay text, overlay and picture-in-picture corners, size");
  gtk_editable_set_text (GTK_EDITABLE (page->overlay_text_row), "Hello from the studio");
  adw_combo_row_set_selected (page->overlay_corner_row, 3);
  adw_combo_row_set_selected (page->pip_corner_row, 0);
  gtk_range_set_value (GTK_RANGE (page->pip_size_scale), 35);
  saved = g_settings_get_value (settings, "studio-scene");
  g_assert_cmpuint (g_variant_n_children (saved), >, 0);

  /* A new window reads the settings afresh; the first one goes. */
  second = GTK_WIDGET (pa_window_new (app));
  gtk_window_present (GTK_WINDOW (second));
  gtk_window_destroy (window);
  WAIT_FOR (gtk_widget_get_mapped (second));
  page = open_studio (GTK_WINDOW (second));
  g_assert_cmpstr (gtk_editable_get_text (GTK_EDITABLE (page->overlay_text_row)), ==,
                   "Hello from the studio");
  g_assert_cmpuint (adw_combo_row_get_selected (page->overlay_corner_row), ==, 3);
  g_assert_cmpuint (adw_combo_row_get_selected (page->pip_corner_row), ==, 0);
  g_assert_cmpfloat_with_epsilon (gtk_range_get_value (GTK_RANGE (page->pip_size_scale)), 35, 0.5);
  g_test_message ("restored in a new window");
  wait_for_preview (page);
}

static void
test_settings (void)
{
  g_autofree char *data_dir = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  run_app (data_dir, settings_body, data_dir);
  pa_test_remove_dir (data_dir);
}

/* ---- the face picker --------------------------------------------------- */

/* A face picture with two faces: the live face swap's face is clicked in
 * a window, and comes back in a new window. */
static void
face_picker_body (PaApplication *app,
                  GtkWindow     *window,
                  gconstpointer  data)
{
  const char *two_faces = data;
  g_autoptr(GFile) file = g_file_new_for_path (two_faces);
  g_autoptr(GSettings) settings = g_settings_new (APP_ID);
  PaStudioPage *page = open_studio (window);
  GtkWindow *dialog;
  PaFacePicker *picker;
  GtkWidget *second;

  pa_studio_page_set_face_file (page, file);
  WAIT_FOR ((dialog = find_toplevel (ADW_TYPE_WINDOW)) != NULL || page->face_cancellable == NULL);
  g_assert_nonnull (dialog);
  picker = find_one (dialog, PA_TYPE_FACE_PICKER);
  g_test_message ("the face picker shows %u faces", pa_face_picker_get_n_faces (picker));
  g_assert_cmpuint (pa_face_picker_get_n_faces (picker), ==, 2);
  save_screenshot (GTK_WIDGET (dialog), "studio-face-picker.png");
  pa_face_picker_set_chosen (picker, 1, TRUE);
  click (find_action_button (dialog, "face.use"));
  WAIT_FOR (page->face_cancellable == NULL);
  g_test_message ("face row: \"%s\"", adw_action_row_get_subtitle (page->face_row));
  g_assert_true (pa_live_face_swap_has_face (page->face_swap));
  g_assert_cmpuint (g_settings_get_uint (settings, "studio-face-index"), ==, 1);
  g_assert_true (gtk_widget_get_sensitive (GTK_WIDGET (page->face_switch)));

  /* The face is loaded again in a new window, with no picker. */
  second = GTK_WIDGET (pa_window_new (app));
  gtk_window_present (GTK_WINDOW (second));
  gtk_window_destroy (window);
  page = find_one (second, PA_TYPE_STUDIO_PAGE);
  WAIT_FOR (page->face_cancellable == NULL);
  g_assert_true (pa_live_face_swap_has_face (page->face_swap));
  g_assert_null (find_toplevel (ADW_TYPE_WINDOW));
}

static void
test_face_picker (void)
{
  g_autoptr(GdkPixbuf) photo = NULL;
  g_autoptr(GdkPixbuf) both = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *two_faces = NULL;
  int width;
  int height;

  if (!need_display ())
    return;
  photo = pa_test_photo_load ("grace_hopper.jpg");
  if (photo == NULL)
    return;

  /* The photo twice, side by side. */
  width = gdk_pixbuf_get_width (photo);
  height = gdk_pixbuf_get_height (photo);
  both = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width * 2, height);
  gdk_pixbuf_copy_area (photo, 0, 0, width, height, both, 0, 0);
  gdk_pixbuf_copy_area (photo, 0, 0, width, height, both, width, 0);
  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  two_faces = g_build_filename (data_dir, "two-faces.png", NULL);
  g_assert_true (gdk_pixbuf_save (both, two_faces, "png", &error, NULL));
  g_assert_no_error (error);

  run_app (data_dir, face_picker_body, two_faces);
  pa_test_remove_dir (data_dir);
}

/* ---- the README's picture ---------------------------------------------- */

static guint
faces_tracked (PaStudioPage *page)
{
  PaLiveFaceSwapStats stats;

  pa_live_face_swap_get_stats (page->face_swap, &stats);
  return stats.faces;
}

/* The studio as the README shows it: a video made from a photo as the
 * source, the live face swap on with Grace Hopper's face, an overlay,
 * and a recording running so the figures show. */
static void
screenshot_body (PaApplication *app,
                 GtkWindow     *window,
                 gconstpointer  data)
{
  const char *clip = data;
  g_autofree char *hopper = pa_test_photo_path ("grace_hopper.jpg");
  g_autoptr(GFile) face = NULL;
  g_autoptr(GFile) clip_file = g_file_new_for_path (clip);
  g_autoptr(PaStreamSource) source = NULL;
  g_autoptr(GError) error = NULL;
  PaStudioPage *page;
  gint64 saved_id = 0;

  if (hopper == NULL)
    return;

  gtk_window_set_default_size (window, 1280, 1440);
  page = open_studio (window);
  g_signal_connect (page, "recording-saved", G_CALLBACK (count_saved), &saved_id);
  wait_for_preview (page);

  source = pa_stream_source_new_file (clip_file, PA_STREAM_AUDIO_TEST_TONE);
  g_assert_true (pa_studio_page_set_main_source (page, source, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (adw_combo_row_get_selected (page->main_row), ==, MAIN_FILE);
  wait_for_preview (page);

  face = g_file_new_for_path (hopper);
  pa_studio_page_set_face_file (page, face);
  WAIT_FOR (page->face_cancellable == NULL);
  g_test_message ("face: \"%s\"", adw_action_row_get_subtitle (page->face_row));
  g_assert_true (pa_live_face_swap_has_face (page->face_swap));
  gtk_switch_set_active (page->face_switch, TRUE);
  g_assert_true (pa_live_face_swap_get_enabled (page->face_swap));
  gtk_editable_set_text (GTK_EDITABLE (page->overlay_text_row), "PlayAlter Studio");
  /* The swap has found the astronaut's face and settled on it. */
  WAIT_FOR (faces_tracked (page) == 1);
  WAIT_UNTIL (FALSE, 2);
  WAIT_FOR (faces_tracked (page) == 1);
  {
    PaLiveFaceSwapStats stats;

    pa_live_face_swap_get_stats (page->face_swap, &stats);
    g_test_message ("live face swap: %.0f fps, %.1f detections/s, %u face(s)", stats.fps,
                    stats.detections_per_second, stats.faces);
  }

  click (find_action_button (page, "studio.record"));
  WAIT_FOR ((page->recording != NULL && !page->record_busy) || page->error != NULL);
  g_assert_null (page->error);
  WAIT_FOR (pa_stream_stats_view_get_n_samples (page->stats_view) >= 4);
  WAIT_FOR (gtk_picture_get_paintable (page->face_thumbnail) != NULL);
  save_screenshot (GTK_WIDGET (window), "screenshot-studio.png");

  click (find_action_button (page, "studio.record"));
  WAIT_FOR (saved_id != 0);
}

static void
test_screenshot (void)
{
  PaTestVideoSpec spec = {
    .photo = "astronaut.png",
    .width = 1280,
    .height = 720,
    .fps = 30,
    .n_frames = 90,
    .speed = 1.0,
    .audio = FALSE,
    .format = PA_TEST_VIDEO_MP4,
  };
  g_autofree char *data_dir = NULL;
  g_autofree char *clip = NULL;

  if (!need_display ())
    return;

  data_dir = g_dir_make_tmp ("playalter-studio-XXXXXX", NULL);
  clip = pa_test_video_make_in (data_dir, "astronaut.mp4", &spec);
  if (clip != NULL)
    run_app (data_dir, screenshot_body, clip);
  pa_test_remove_dir (data_dir);
}

int
main (int   argc,
      char *argv[])
{
  int status;

  setlocale (LC_ALL, "");
  g_test_init (&argc, &argv, NULL);
  /* Before any bus connection: the saved destinations' keys go to a
   * keyring of the test's own. */
  keyring = pa_test_keyring_start (&keyring_error);
  gtk_init ();
  gst_init (NULL, NULL);

  g_test_add_func ("/studio/stats-view", test_stats_view);
  g_test_add_func ("/studio/level-meter", test_level_meter);
  g_test_add_func ("/studio/preview", test_preview);
  g_test_add_func ("/studio/record", test_record);
  g_test_add_func ("/studio/live", test_live);
  g_test_add_func ("/studio/saved-destination", test_saved_destination);
  g_test_add_func ("/studio/settings", test_settings);
  g_test_add_func ("/studio/face-picker", test_face_picker);
  g_test_add_func ("/studio/screenshot", test_screenshot);

  status = g_test_run ();

  g_clear_pointer (&keyring, pa_test_keyring_stop);
  g_clear_error (&keyring_error);

  return status;
}
