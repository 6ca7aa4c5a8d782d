/* test-stream-scene.c — the scene of a stream, judged by the pixels of
 * real frames: the picture-in-picture where its placement says and at
 * its size, moved while running; a logo and a text overlay, changed
 * while running; the face swap in the chain; settings read back, and
 * hostile settings and files refused with errors that say what is wrong
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>
#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/gst.h>
#include <gst/app/gstappsink.h>
#include <gst/video/video.h>

#include "pa-error.h"
#include "pa-live-face-swap.h"
#include "pa-stream-scene.h"
#include "pa-test-require.h"
#include "pa-test-video.h"

#define WIDTH  1280
#define HEIGHT 720
/* How far a colour may drift through I420 and back. */
#define TOLERANCE 24
/* Frames a change may take to show: the ones already on their way. */
#define FRAMES_TO_CHANGE 15

typedef struct { guint8 r, g, b; } Rgb;

static const Rgb colour_a = { 220, 40, 40 };
static const Rgb colour_b = { 40, 200, 60 };
static const Rgb colour_c = { 40, 60, 220 };

typedef struct {
  char *dir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = g_dir_make_tmp ("pa-scene-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

static gboolean
need_plugins (GError **error)
{
  static const char *elements[][2] = {
    { "compositor", "gstreamer1.0-plugins-base" },
    { "textoverlay", "gstreamer1.0-x" },
    { "gdkpixbufoverlay", "gstreamer1.0-plugins-good" },
    { "imagefreeze", "gstreamer1.0-plugins-good" },
    { "pngdec", "gstreamer1.0-plugins-good" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (elements); i++)
    {
      g_autoptr(GstElementFactory) factory = gst_element_factory_find (elements[i][0]);

      if (factory == NULL)
        {
          g_autofree char *what = g_strdup_printf ("the GStreamer element %s", elements[i][0]);
          g_autofree char *how = g_strdup_printf ("apt install %s", elements[i][1]);

          pa_test_set_missing_error (error, what, how);
          return FALSE;
        }
    }
  return TRUE;
}

/* A PNG of one colour. */
static GFile *
write_png (Fixture    *f,
           const char *name,
           int         width,
           int         height,
           Rgb         colour)
{
  g_autoptr(GdkPixbuf) pixbuf = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;

  gdk_pixbuf_fill (pixbuf, ((guint32) colour.r << 24) | ((guint32) colour.g << 16)
                           | ((guint32) colour.b << 8) | 0xff);
  g_assert_true (gdk_pixbuf_save (pixbuf, path, "png", &error, NULL));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

/* ---- running a scene ----------------------------------------------------- */

typedef struct {
  GstElement *pipeline;
  GstElement *scene_bin;
  GstElement *sink;
} Run;

typedef struct {
  guint8 *data;
  int     stride;
} Frame;

static void
frame_free (Frame *frame)
{
  g_free (frame->data);
  g_free (frame);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Frame, frame_free)

static void
run_start (Run           *run,
           PaStreamScene *scene)
{
  g_autoptr(GError) error = NULL;
  GstElement *convert, *filter;
  g_autoptr(GstCaps) caps = gst_caps_new_simple ("video/x-raw",
                                                 "format", G_TYPE_STRING, "RGB",
                                                 NULL);

  run->pipeline = gst_object_ref_sink (gst_pipeline_new (NULL));
  run->scene_bin = pa_stream_scene_make_video (scene, WIDTH, HEIGHT, 30, 1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (run->scene_bin);
  g_assert_true (g_object_is_floating (run->scene_bin));
  convert = gst_element_factory_make ("videoconvert", NULL);
  filter = gst_element_factory_make ("capsfilter", NULL);
  run->sink = gst_element_factory_make ("appsink", NULL);
  g_object_set (filter, "caps", caps, NULL);
  g_object_set (run->sink, "max-buffers", 2, "drop", TRUE, NULL);
  gst_bin_add_many (GST_BIN (run->pipeline), run->scene_bin, convert, filter, run->sink, NULL);
  g_assert_true (gst_element_link_many (run->scene_bin, convert, filter, run->sink, NULL));
  g_assert_cmpint (gst_element_set_state (run->pipeline, GST_STATE_PLAYING), !=, GST_STATE_CHANGE_FAILURE);
}

static void
run_stop (Run *run)
{
  gst_element_set_state (run->pipeline, GST_STATE_NULL);
  gst_clear_object (&run->pipeline);
}

/* The next frame, RGB at WIDTH×HEIGHT; fails the test with the
 * pipeline's error when none comes. */
static Frame *
run_pull (Run *run)
{
  g_autoptr(GstSample) sample = gst_app_sink_try_pull_sample (GST_APP_SINK (run->sink), 10 * GST_SECOND);
  GstVideoInfo info;
  GstMapInfo map;
  Frame *frame;

  if (sample == NULL)
    {
      g_autoptr(GstBus) bus = gst_element_get_bus (run->pipeline);
      g_autoptr(GstMessage) message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
      g_autoptr(GError) error = NULL;

      if (message != NULL)
        gst_message_parse_error (message, &error, NULL);
      g_error ("no frame came in 10 s: %s", error != NULL ? error->message : "no error posted");
    }
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  g_assert_cmpint (GST_VIDEO_INFO_WIDTH (&info), ==, WIDTH);
  g_assert_cmpint (GST_VIDEO_INFO_HEIGHT (&info), ==, HEIGHT);
  g_assert_true (gst_buffer_map (gst_sample_get_buffer (sample), &map, GST_MAP_READ));
  frame = g_new0 (Frame, 1);
  frame->stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  frame->data = g_memdup2 (map.data, map.size);
  gst_buffer_unmap (gst_sample_get_buffer (sample), &map);
  return frame;
}

/* The frame after the first few, which may still show the scene being
 * set up. */
static Rgb pixel (const Frame *frame, int x, int y);

static Frame *
run_pull_settled (Run *run)
{
  Frame *frame = NULL;

  /* The compositor draws black until every live input has given a
   * frame, and a slow build (the sanitizers) or a loaded machine makes
   * that take a while: wait for the main picture in the corner (every
   * scene here has a main colour there), then a few frames more. The
   * checks that follow still fail on a picture that never comes. */
  for (int i = 0; i < 300; i++)
    {
      Rgb corner;

      g_clear_pointer (&frame, frame_free);
      frame = run_pull (run);
      corner = pixel (frame, 0, 0);
      if (corner.r + corner.g + corner.b > 48)
        break;
    }
  for (int i = 0; i < 5; i++)
    {
      frame_free (frame);
      frame = run_pull (run);
    }
  return frame;
}

static Rgb
pixel (const Frame *frame,
       int          x,
       int          y)
{
  const guint8 *p = frame->data + (gsize) y * frame->stride + (gsize) x * 3;

  return (Rgb) { p[0], p[1], p[2] };
}

static gboolean
is_colour (Rgb a,
           Rgb b)
{
  return ABS ((int) a.r - b.r) <= TOLERANCE && ABS ((int) a.g - b.g) <= TOLERANCE
         && ABS ((int) a.b - b.b) <= TOLERANCE;
}

typedef struct { int x, y, w, h; } Rect;

/* Checks a grid of points 8 pixels apart: inside @rect (4 pixels in from
 * its edges, past the chroma's blur) they are @inside, outside it (4
 * pixels out) @outside. Returns the number of points checked. */
static int
check_rect (const Frame *frame,
            Rect         rect,
            Rgb          inside,
            Rgb          outside,
            const char  *what)
{
  int checked = 0;

  for (int y = 0; y < HEIGHT; y += 8)
    for (int x = 0; x < WIDTH; x += 8)
      {
        gboolean in = x >= rect.x + 4 && x < rect.x + rect.w - 4
                      && y >= rect.y + 4 && y < rect.y + rect.h - 4;
        gboolean out = x < rect.x - 4 || x >= rect.x + rect.w + 4
                       || y < rect.y - 4 || y >= rect.y + rect.h + 4;
        Rgb got = pixel (frame, x, y);

        if ((in && !is_colour (got, inside)) || (out && !is_colour (got, outside)))
          g_error ("%s: the pixel at %d,%d is %d,%d,%d, expected %d,%d,%d (%s %d,%d %d×%d)",
                   what, x, y, got.r, got.g, got.b,
                   in ? inside.r : outside.r, in ? inside.g : outside.g, in ? inside.b : outside.b,
                   in ? "inside" : "outside", rect.x, rect.y, rect.w, rect.h);
        checked += in || out;
      }
  return checked;
}

/* Whether @frame shows @rect in @colour (its inner points), to wait for a
 * change. */
static gboolean
shows_rect (const Frame *frame,
            Rect         rect,
            Rgb          colour)
{
  for (int y = rect.y + 4; y < rect.y + rect.h - 4; y += 8)
    for (int x = rect.x + 4; x < rect.x + rect.w - 4; x += 8)
      if (!is_colour (pixel (frame, x, y), colour))
        return FALSE;
  return TRUE;
}

/* The run of @colour along a row or a column through (@x, @y): its first
 * and last pixel. */
static void
measure_run (const Frame *frame,
             int          x,
             int          y,
             gboolean     vertical,
             Rgb          colour,
             int         *first,
             int         *last)
{
  int n = vertical ? HEIGHT : WIDTH;

  *first = -1;
  *last = -1;
  for (int i = 0; i < n; i++)
    if (is_colour (pixel (frame, vertical ? x : i, vertical ? i : y), colour))
      {
        if (*first < 0)
          *first = i;
        *last = i;
      }
}

static PaStreamScene *
scene_of_images (Fixture *f,
                 gboolean with_pip)
{
  g_autoptr(GFile) a = write_png (f, "a.png", 160, 90, colour_a);
  g_autoptr(PaStreamSource) main = pa_stream_source_new_image (a, PA_STREAM_AUDIO_NONE);
  PaStreamScene *scene = pa_stream_scene_new (main);

  if (with_pip)
    {
      g_autoptr(GFile) b = write_png (f, "b.png", 160, 90, colour_b);
      g_autoptr(PaStreamSource) pip = pa_stream_source_new_image (b, PA_STREAM_AUDIO_NONE);
      PaStreamPlacement placement = { 0.7, 0.7, 0.25 };

      pa_stream_scene_set_pip (scene, pip);
      pa_stream_scene_set_pip_placement (scene, &placement);
    }
  return scene;
}

/* ---- the picture-in-picture ---------------------------------------------- */

static void
test_pip (Fixture       *f,
          gconstpointer  data)
{
  g_autoptr(PaStreamScene) scene = scene_of_images (f, TRUE);
  g_autoptr(Frame) frame = NULL;
  g_autoptr(GstElement) videorate = NULL;
  g_autoptr(GstObject) parent = NULL;
  g_autoptr(GstPad) parent_src = NULL;
  g_autoptr(GstPad) peer = NULL;
  /* 0.25 × 1280 = 320 wide; 16:9 like the picture: 180 high. */
  Rect expected = { 896, 504, 320, 180 };
  int first, last, points;
  Run run = { 0 };

  run_start (&run, scene);
  frame = run_pull_settled (&run);

  points = check_rect (frame, expected, colour_b, colour_a, "picture-in-picture");
  g_test_message ("PiP at (0.7, 0.7, 0.25) of 1280×720: %d points checked, B inside %d,%d %d×%d, A outside",
                  points, expected.x, expected.y, expected.w, expected.h);

  measure_run (frame, 0, expected.y + expected.h / 2, FALSE, colour_b, &first, &last);
  g_test_message ("PiP row: B from x=%d to x=%d (%d wide, 320 expected)", first, last, last - first + 1);
  g_assert_cmpint (ABS (first - expected.x), <=, 2);
  g_assert_cmpint (ABS (last - first + 1 - expected.w), <=, 2);
  measure_run (frame, expected.x + expected.w / 2, 0, TRUE, colour_b, &first, &last);
  g_test_message ("PiP column: B from y=%d to y=%d (%d high, 180 expected)", first, last, last - first + 1);
  g_assert_cmpint (ABS (first - expected.y), <=, 2);
  g_assert_cmpint (ABS (last - first + 1 - expected.h), <=, 2);

  /* The stream counts dropped frames on the first videorate it finds by
   * name: it must be the main source's, the one feeding the compositor's
   * full-frame pad. */
  videorate = gst_bin_get_by_name (GST_BIN (run.scene_bin), "pa-stream-videorate");
  g_assert_nonnull (videorate);
  parent = gst_object_get_parent (GST_OBJECT (videorate));
  parent_src = gst_element_get_static_pad (GST_ELEMENT (parent), "src");
  peer = gst_pad_get_peer (parent_src);
  g_assert_nonnull (peer);
  g_test_message ("the videorate found by name feeds %s", GST_OBJECT_NAME (peer));
  g_assert_cmpstr (GST_OBJECT_NAME (peer), ==, "sink_0");

  run_stop (&run);
}

static void
test_pip_live (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(PaStreamScene) scene = scene_of_images (f, TRUE);
  PaStreamPlacement moved = { 0.05, 0.05, 0.25 };
  /* Past the right and bottom edges: clamped in. */
  PaStreamPlacement off = { 0.9, 0.95, 0.25 };
  PaStreamPlacement got;
  Rect before = { 896, 504, 320, 180 };
  Rect after = { 64, 36, 320, 180 };
  Rect clamped = { 960, 540, 320, 180 };
  PaStreamPlacement wider = { 0.1, 0.1, 0.5 };
  Rect larger = { 128, 72, 640, 360 };
  int changes = 0;
  Run run = { 0 };

  run_start (&run, scene);
  {
    g_autoptr(Frame) frame = run_pull_settled (&run);

    check_rect (frame, before, colour_b, colour_a, "before the move");
  }

  pa_stream_scene_set_pip_placement (scene, &moved);
  for (int i = 0; i < FRAMES_TO_CHANGE; i++)
    {
      g_autoptr(Frame) frame = run_pull (&run);

      if (shows_rect (frame, after, colour_b))
        {
          int points = check_rect (frame, after, colour_b, colour_a, "after the move");

          g_test_message ("moved to (0.05, 0.05): shown %d frames later at %d,%d, %d points checked, "
                          "the old place is A again", i + 1, after.x, after.y, points);
          changes++;
          break;
        }
    }
  if (changes != 1)
    g_error ("the picture-in-picture did not move within %d frames", FRAMES_TO_CHANGE);

  pa_stream_scene_set_pip_placement (scene, &off);
  pa_stream_scene_get_pip_placement (scene, &got);
  g_test_message ("placement (0.9, 0.95, 0.25) kept as (%.2f, %.2f, %.2f)", got.x, got.y, got.width);
  g_assert_cmpfloat_with_epsilon (got.x, 0.75, 1e-9);
  for (int i = 0; i < FRAMES_TO_CHANGE; i++)
    {
      g_autoptr(Frame) frame = run_pull (&run);

      if (shows_rect (frame, clamped, colour_b))
        {
          check_rect (frame, clamped, colour_b, colour_a, "kept in the frame");
          g_test_message ("a placement off the frame is drawn in its corner: %d,%d %d×%d",
                          clamped.x, clamped.y, clamped.w, clamped.h);
          changes++;
          break;
        }
    }
  if (changes != 2)
    g_error ("the picture-in-picture placed off the frame was not drawn at its corner");

  /* A new width: the compositor scales the picture it was made for. */
  pa_stream_scene_set_pip_placement (scene, &wider);
  for (int i = 0; i < FRAMES_TO_CHANGE; i++)
    {
      g_autoptr(Frame) frame = run_pull (&run);

      if (shows_rect (frame, larger, colour_b))
        {
          int first, last;

          check_rect (frame, larger, colour_b, colour_a, "made wider");
          measure_run (frame, 0, larger.y + larger.h / 2, FALSE, colour_b, &first, &last);
          g_test_message ("width changed live to 0.5: B %d wide at %d,%d (640 expected)",
                          last - first + 1, larger.x, larger.y);
          g_assert_cmpint (ABS (last - first + 1 - larger.w), <=, 2);
          changes++;
          break;
        }
    }
  if (changes != 3)
    g_error ("the picture-in-picture did not grow within %d frames", FRAMES_TO_CHANGE);

  run_stop (&run);
}

/* ---- overlays ------------------------------------------------------------ */

static void
test_logo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(PaStreamScene) scene = scene_of_images (f, FALSE);
  g_autoptr(GFile) logo = write_png (f, "logo.png", 100, 50, colour_c);
  g_autoptr(Frame) frame = NULL;
  PaStreamPlacement placement = { 0.5, 0.2, 0.1 };
  /* 0.1 × 1280 = 128 wide, 2:1 like the picture: 64 high. */
  Rect expected = { 640, 144, 128, 64 };
  Rect moved = { 128, 432, 128, 64 };
  int points, first, last;
  gboolean seen = FALSE;
  Run run = { 0 };

  pa_stream_scene_set_overlay_image (scene, logo);
  pa_stream_scene_set_overlay_placement (scene, &placement);
  run_start (&run, scene);
  frame = run_pull_settled (&run);
  points = check_rect (frame, expected, colour_c, colour_a, "logo");
  measure_run (frame, 0, expected.y + expected.h / 2, FALSE, colour_c, &first, &last);
  g_test_message ("logo at (0.5, 0.2, 0.1): %d points checked, C inside %d,%d %d×%d, A outside; "
                  "row of C %d wide (128 expected)", points, expected.x, expected.y,
                  expected.w, expected.h, last - first + 1);
  g_assert_cmpint (ABS (last - first + 1 - expected.w), <=, 2);

  placement = (PaStreamPlacement) { 0.1, 0.6, 0.1 };
  pa_stream_scene_set_overlay_placement (scene, &placement);
  for (int i = 0; i < FRAMES_TO_CHANGE && !seen; i++)
    {
      g_autoptr(Frame) next = run_pull (&run);

      if (shows_rect (next, moved, colour_c))
        {
          check_rect (next, moved, colour_c, colour_a, "logo moved");
          g_test_message ("logo moved live to (0.1, 0.6): shown %d frames later", i + 1);
          seen = TRUE;
        }
    }
  if (!seen)
    g_error ("the logo did not move within %d frames", FRAMES_TO_CHANGE);

  pa_stream_scene_set_overlay_image (scene, NULL);
  seen = FALSE;
  for (int i = 0; i < FRAMES_TO_CHANGE && !seen; i++)
    {
      g_autoptr(Frame) next = run_pull (&run);

      if (shows_rect (next, moved, colour_a))
        {
          check_rect (next, (Rect) { 0, 0, WIDTH, HEIGHT }, colour_a, colour_a, "logo removed");
          g_test_message ("logo removed live: the whole frame is A %d frames later", i + 1);
          seen = TRUE;
        }
    }
  if (!seen)
    g_error ("the logo was still drawn %d frames after it was removed", FRAMES_TO_CHANGE);
  run_stop (&run);
}

/* Pixels of the text's area that are not the main source's colour. */
static int
count_changed (const Frame *frame,
               Rect         area)
{
  int changed = 0;

  for (int y = area.y; y < area.y + area.h; y++)
    for (int x = area.x; x < area.x + area.w; x++)
      changed += !is_colour (pixel (frame, x, y), colour_a);
  return changed;
}

static int
count_different (const Frame *a,
                 const Frame *b,
                 Rect         area)
{
  int different = 0;

  for (int y = area.y; y < area.y + area.h; y++)
    for (int x = area.x; x < area.x + area.w; x++)
      {
        Rgb pa = pixel (a, x, y), pb = pixel (b, x, y);

        different += ABS ((int) pa.r - pb.r) + ABS ((int) pa.g - pb.g) + ABS ((int) pa.b - pb.b) > 3 * TOLERANCE;
      }
  return different;
}

/* Waits for a frame whose @area has at least @min changed pixels, and
 * checks that nothing changed outside of it (its lower half). */
static Frame *
wait_for_text (Run        *run,
               Rect        area,
               int         min,
               const char *what)
{
  Rect below = { 0, area.y + area.h + 8, WIDTH, HEIGHT - (area.y + area.h + 8) };

  for (int i = 0; i < FRAMES_TO_CHANGE; i++)
    {
      g_autoptr(Frame) frame = run_pull (run);
      int changed = count_changed (frame, area);

      if (changed >= min)
        {
          int outside = count_changed (frame, below);

          g_test_message ("%s: %d pixels of the text's area changed, %d frames later; %d below it",
                          what, changed, i + 1, outside);
          g_assert_cmpint (outside, ==, 0);
          return g_steal_pointer (&frame);
        }
    }
  g_error ("%s: the text did not show within %d frames", what, FRAMES_TO_CHANGE);
  return NULL;
}

static void
test_text_live (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PaStreamScene) scene = scene_of_images (f, FALSE);
  g_autoptr(Frame) none = NULL;
  g_autoptr(Frame) first = NULL;
  g_autoptr(Frame) second = NULL;
  g_autoptr(Frame) markup = NULL;
  PaStreamPlacement placement = { 0.1, 0.1, 0.4 };
  /* 0.4 × 1280 / 8: the font is 64 pixels high, at 128,72. */
  Rect area = { 128, 72, 640, 112 };
  int different;
  gboolean cleared = FALSE;
  Run run = { 0 };

  pa_stream_scene_set_overlay_placement (scene, &placement);
  run_start (&run, scene);
  none = run_pull_settled (&run);
  g_test_message ("no overlay: %d pixels of the text's area differ from A", count_changed (none, area));
  g_assert_cmpint (count_changed (none, area), ==, 0);

  pa_stream_scene_set_overlay_text (scene, "PlayAlter");
  first = wait_for_text (&run, area, 1000, "text \"PlayAlter\" added live");

  pa_stream_scene_set_overlay_text (scene, "WWW live 123");
  for (int i = 0; i < FRAMES_TO_CHANGE && second == NULL; i++)
    {
      g_autoptr(Frame) frame = run_pull (&run);

      if (count_different (frame, first, area) >= 1000)
        second = g_steal_pointer (&frame);
    }
  g_assert_nonnull (second);
  different = count_different (second, first, area);
  g_test_message ("text changed live to \"WWW live 123\": %d pixels differ from \"PlayAlter\"", different);
  g_assert_cmpint (count_changed (second, area), >=, 1000);

  /* Markup characters are text, not Pango markup (which would draw
   * nothing for this broken markup). */
  pa_stream_scene_set_overlay_text (scene, "a < b & <c>");
  markup = wait_for_text (&run, area, 500, "text with markup characters");

  pa_stream_scene_set_overlay_text (scene, NULL);
  for (int i = 0; i < FRAMES_TO_CHANGE && !cleared; i++)
    {
      g_autoptr(Frame) frame = run_pull (&run);

      cleared = count_changed (frame, area) == 0;
      if (cleared)
        g_test_message ("text removed live: the area is A again %d frames later", i + 1);
    }
  if (!cleared)
    g_error ("the text was still drawn %d frames after it was removed", FRAMES_TO_CHANGE);
  run_stop (&run);
}

/* ---- the face swap ------------------------------------------------------- */

static void
test_face_swap (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(PaStreamScene) scene = scene_of_images (f, TRUE);
  g_autoptr(PaLiveFaceSwap) swap = pa_live_face_swap_new ();
  g_autoptr(Frame) frame = NULL;
  Rect pip = { 896, 504, 320, 180 };
  int points;
  Run run = { 0 };

  pa_live_face_swap_set_enabled (swap, TRUE);
  pa_stream_scene_set_face_swap (scene, swap);
  g_assert_true (pa_stream_scene_get_face_swap (scene) == swap);
  run_start (&run, scene);
  frame = run_pull_settled (&run);
  points = check_rect (frame, pip, colour_b, colour_a, "through the face swap");
  g_test_message ("face swap without a face in the chain: %d points checked, the main picture is A "
                  "and the PiP B", points);
  run_stop (&run);
}

/* ---- settings ------------------------------------------------------------ */

static GVariant *with_key (GVariant   *base,
                           const char *key,
                           GVariant   *value);

static void
on_changed (PaStreamScene *scene,
            guint         *count)
{
  (*count)++;
}

static void
test_serialize (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GFile) a = write_png (f, "a.png", 16, 9, colour_a);
  g_autoptr(GFile) logo = write_png (f, "logo.png", 10, 10, colour_c);
  g_autoptr(PaStreamSource) main = pa_stream_source_new_image (a, PA_STREAM_AUDIO_TEST_TONE);
  g_autoptr(PaStreamSource) pip = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamScene) scene = pa_stream_scene_new (main);
  g_autoptr(PaStreamScene) text_scene = pa_stream_scene_new (main);
  g_autoptr(PaLiveFaceSwap) swap = pa_live_face_swap_new ();
  PaStreamPlacement pip_at = { 0.6, 0.1, 0.3 };
  PaStreamPlacement overlay_at = { 0.2, 0.8, 0.5 };
  PaStreamScene *scenes[2] = { scene, text_scene };
  guint changed = 0;

  g_signal_connect (scene, "changed", G_CALLBACK (on_changed), &changed);
  pa_stream_scene_set_pip (scene, pip);
  pa_stream_scene_set_pip_placement (scene, &pip_at);
  pa_stream_scene_set_overlay_image (scene, logo);
  pa_stream_scene_set_overlay_placement (scene, &overlay_at);
  pa_stream_scene_set_face_swap (scene, swap);
  g_test_message ("\"changed\" emitted %u times for 5 changes", changed);
  g_assert_cmpuint (changed, ==, 5);
  pa_stream_scene_set_overlay_text (text_scene, "Hello «Welt» & <you>");

  for (guint i = 0; i < G_N_ELEMENTS (scenes); i++)
    {
      g_autoptr(GVariant) saved = g_variant_ref_sink (pa_stream_scene_serialize (scenes[i]));
      g_autoptr(GVariant) again = NULL;
      g_autofree char *printed = g_variant_print (saved, TRUE);
      g_autoptr(PaStreamScene) back = NULL;
      g_autoptr(GError) error = NULL;
      PaStreamPlacement p1, p2;

      back = pa_stream_scene_new_from_variant (saved, &error);
      g_assert_no_error (error);
      again = g_variant_ref_sink (pa_stream_scene_serialize (back));
      g_test_message ("round trip: %s", printed);
      g_assert_true (g_variant_equal (saved, again));
      g_assert_cmpint (pa_stream_source_get_video_kind (pa_stream_scene_get_main (back)), ==, PA_STREAM_VIDEO_IMAGE);
      g_assert_cmpint (pa_stream_source_get_audio_kind (pa_stream_scene_get_main (back)), ==, PA_STREAM_AUDIO_TEST_TONE);
      g_assert_true (g_file_equal (pa_stream_source_get_file (pa_stream_scene_get_main (back)), a));
      pa_stream_scene_get_pip_placement (scenes[i], &p1);
      pa_stream_scene_get_pip_placement (back, &p2);
      g_assert_true (memcmp (&p1, &p2, sizeof p1) == 0);
      pa_stream_scene_get_overlay_placement (scenes[i], &p1);
      pa_stream_scene_get_overlay_placement (back, &p2);
      g_assert_true (memcmp (&p1, &p2, sizeof p1) == 0);
      g_assert_cmpstr (pa_stream_scene_get_overlay_text (back), ==, pa_stream_scene_get_overlay_text (scenes[i]));
      g_assert_null (pa_stream_scene_get_face_swap (back));
      if (i == 0)
        {
          g_assert_true (g_file_equal (pa_stream_scene_get_overlay_image (back), logo));
          g_assert_cmpint (pa_stream_source_get_video_kind (pa_stream_scene_get_pip (back)), ==, PA_STREAM_VIDEO_TEST_PATTERN);
        }
      else
        g_assert_null (pa_stream_scene_get_pip (back));
    }
}

/* Cameras and a microphone are kept by their device ids; a screen, which
 * cannot be shared again without asking, comes back as the test
 * pattern. No device is opened: sources open them when they play. */
static void
test_serialize_devices (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PaStreamSource) camera = pa_stream_source_new_camera ("/dev/video7", PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamSource) main = pa_stream_source_with_microphone (camera, "alsa_input.usb-mic");
  g_autoptr(PaStreamSource) pip = pa_stream_source_new_camera (NULL, PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamScene) scene = pa_stream_scene_new (main);
  g_autoptr(GVariant) saved = NULL;
  g_autoptr(GVariant) again = NULL;
  g_autoptr(GVariant) screen = NULL;
  g_autoptr(PaStreamScene) back = NULL;
  g_autoptr(PaStreamScene) screen_back = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *printed = NULL;
  PaStreamSource *source;

  pa_stream_scene_set_pip (scene, pip);
  saved = g_variant_ref_sink (pa_stream_scene_serialize (scene));
  printed = g_variant_print (saved, TRUE);
  g_test_message ("cameras and a microphone: %s", printed);
  back = pa_stream_scene_new_from_variant (saved, &error);
  g_assert_no_error (error);
  again = g_variant_ref_sink (pa_stream_scene_serialize (back));
  g_assert_true (g_variant_equal (saved, again));
  source = pa_stream_scene_get_main (back);
  g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_CAMERA);
  g_assert_cmpstr (pa_stream_source_get_device (source), ==, "/dev/video7");
  g_assert_cmpint (pa_stream_source_get_audio_kind (source), ==, PA_STREAM_AUDIO_MICROPHONE);
  g_assert_cmpstr (pa_stream_source_get_microphone (source), ==, "alsa_input.usb-mic");
  source = pa_stream_scene_get_pip (back);
  g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_CAMERA);
  g_assert_null (pa_stream_source_get_device (source));

  screen = with_key (saved, "main-kind", g_variant_new_string ("screen"));
  screen_back = pa_stream_scene_new_from_variant (screen, &error);
  g_assert_no_error (error);
  source = pa_stream_scene_get_main (screen_back);
  g_test_message ("a saved screen comes back as kind %d (the test pattern is %d), with sound %d",
                  pa_stream_source_get_video_kind (source), PA_STREAM_VIDEO_TEST_PATTERN,
                  pa_stream_source_get_audio_kind (source));
  g_assert_cmpint (pa_stream_source_get_video_kind (source), ==, PA_STREAM_VIDEO_TEST_PATTERN);
  g_assert_cmpint (pa_stream_source_get_audio_kind (source), ==, PA_STREAM_AUDIO_MICROPHONE);
  g_assert_cmpint (pa_stream_source_get_video_kind (pa_stream_scene_get_pip (screen_back)), ==,
                   PA_STREAM_VIDEO_CAMERA);
}

/* A valid scene's settings with @key set to @value (NULL: removed). */
static GVariant *
with_key (GVariant   *base,
          const char *key,
          GVariant   *value)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (base);

  if (value != NULL)
    g_variant_dict_insert_value (dict, key, value);
  else
    g_variant_dict_remove (dict, key);
  return g_variant_ref_sink (g_variant_dict_end (dict));
}

static void
test_hostile_variants (Fixture       *f,
                       gconstpointer  data)
{
  /* An image source: its file is part of the settings (never opened
   * when they are read). */
  g_autofree char *path = g_build_filename (f->dir, "a.png", NULL);
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(PaStreamSource) main = pa_stream_source_new_image (file, PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamScene) scene = pa_stream_scene_new (main);
  g_autoptr(GVariant) base = NULL;
  g_autoptr(GString) long_text = g_string_new (NULL);
  struct {
    const char *what;
    const char *key;
    GVariant   *value;
  } cases[] = {
    { "wrong type", "pip-x", g_variant_new_string ("0.5") },
    { "NaN", "overlay-width", g_variant_new_double (NAN) },
    { "infinity", "pip-y", g_variant_new_double (INFINITY) },
    { "5.0", "pip-x", g_variant_new_double (5.0) },
    { "negative", "overlay-y", g_variant_new_double (-0.1) },
    { "width 0", "pip-width", g_variant_new_double (0.0) },
    { "off the frame", "pip-x", g_variant_new_double (0.9) },
    { "unknown kind", "main-kind", g_variant_new_string ("hologram") },
    { "unknown pip kind", "pip-kind", g_variant_new_string ("camera-of-the-future") },
    { "unknown sound", "main-audio", g_variant_new_string ("theremin") },
    { "10 kB of text", "overlay-text", NULL },
    { "not a local file", "overlay-image", g_variant_new_string ("https://example.com/logo.png") },
    { "relative path", "main-file", g_variant_new_string ("file:logo.png") },
    { "image without a file", "main-file", NULL },
    { "newer version", "version", g_variant_new_uint32 (99) },
    { "version missing", "version", NULL },
    { "version of the wrong type", "version", g_variant_new_int32 (1) },
    { "camera of the wrong type", "pip-device", g_variant_new_int32 (7) },
    { "2000-character microphone", "main-microphone", NULL },
  };
  g_autofree char *long_device = g_strnfill (2000, 'm');

  for (int i = 0; i < 10 * 1024; i++)
    g_string_append_c (long_text, 'a' + i % 26);
  base = g_variant_ref_sink (pa_stream_scene_serialize (scene));

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GVariant) bad = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(PaStreamScene) back = NULL;

      if (g_str_equal (cases[i].what, "10 kB of text"))
        cases[i].value = g_variant_new_string (long_text->str);
      if (g_str_equal (cases[i].what, "camera of the wrong type"))
        {
          g_autoptr(GVariant) with_camera = with_key (base, "pip-kind", g_variant_new_string ("camera"));

          bad = with_key (with_camera, cases[i].key, cases[i].value);
        }
      else if (g_str_equal (cases[i].what, "2000-character microphone"))
        {
          g_autoptr(GVariant) with_microphone = with_key (base, "main-audio", g_variant_new_string ("microphone"));

          bad = with_key (with_microphone, cases[i].key, g_variant_new_string (long_device));
        }
      else
        bad = with_key (base, cases[i].key, cases[i].value);
      back = pa_stream_scene_new_from_variant (bad, &error);
      g_assert_null (back);
      g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
      g_test_message ("%s (%s): %s", cases[i].what, cases[i].key, error->message);
      if (strstr (error->message, cases[i].key) == NULL)
        g_error ("the error for %s does not name the key %s", cases[i].what, cases[i].key);
    }

  {
    g_autoptr(GVariant) not_a_dict = g_variant_ref_sink (g_variant_new_string ("scene"));
    g_autoptr(GError) error = NULL;

    g_assert_null (pa_stream_scene_new_from_variant (not_a_dict, &error));
    g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
    g_test_message ("not a dictionary: %s", error->message);
  }
}

/* ---- hostile files and values -------------------------------------------- */

static guint32
crc32_of (const guint8 *data,
          gsize         length)
{
  guint32 crc = 0xffffffff;

  for (gsize i = 0; i < length; i++)
    {
      crc ^= data[i];
      for (int k = 0; k < 8; k++)
        crc = (crc >> 1) ^ (0xedb88320 & -(crc & 1));
    }
  return ~crc;
}

static void
put_be32 (guint8  *p,
          guint32  value)
{
  for (int i = 0; i < 4; i++)
    p[i] = (value >> (24 - 8 * i)) & 0xff;
}

/* A PNG chunk of @type holding @length bytes of @data, at @out; returns
 * its size. */
static gsize
put_chunk (guint8       *out,
           const char   *type,
           const guint8 *data,
           guint32       length)
{
  put_be32 (out, length);
  memcpy (out + 4, type, 4);
  if (length > 0)
    memcpy (out + 8, data, length);
  put_be32 (out + 8 + length, crc32_of (out + 4, 4 + length));
  return 12 + length;
}

/* A PNG whose header claims @width×@height, with a tiny body: what a
 * decompression bomb starts with. The IDAT chunk makes the decoder
 * report the header. */
static GFile *
write_png_header (Fixture    *f,
                  const char *name,
                  guint32     width,
                  guint32     height)
{
  static const guint8 signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
  /* A zlib stream of a few zero bytes: far less than the header claims. */
  static const guint8 idat[] = { 0x78, 0x9c, 0x63, 0x60, 0x60, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01 };
  g_autofree char *path = g_build_filename (f->dir, name, NULL);
  g_autoptr(GError) error = NULL;
  guint8 bytes[256];
  guint8 ihdr[13] = { 0 };
  gsize n = 0;

  put_be32 (ihdr, width);
  put_be32 (ihdr + 4, height);
  ihdr[8] = 8;   /* bit depth */
  ihdr[9] = 2;   /* RGB */
  memcpy (bytes, signature, 8);
  n = 8;
  n += put_chunk (bytes + n, "IHDR", ihdr, sizeof ihdr);
  n += put_chunk (bytes + n, "IDAT", idat, sizeof idat);
  n += put_chunk (bytes + n, "IEND", NULL, 0);
  g_assert_true (g_file_set_contents (path, (const char *) bytes, n, &error));
  g_assert_no_error (error);
  return g_file_new_for_path (path);
}

static void
test_hostile_logos (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *missing_path = g_build_filename (f->dir, "missing.png", NULL);
  g_autofree char *text_path = g_build_filename (f->dir, "notes.png", NULL);
  g_autoptr(GFile) missing = g_file_new_for_path (missing_path);
  g_autoptr(GFile) text = g_file_new_for_path (text_path);
  g_autoptr(GFile) bomb = write_png_header (f, "bomb.png", 30000, 30000);
  g_autoptr(GFile) wide = write_png (f, "wide.png", 5000, 8, colour_c);
  g_autoptr(GFile) folder = g_file_new_for_path (f->dir);
  g_autoptr(PaStreamScene) scene = scene_of_images (f, FALSE);
  struct {
    const char *what;
    GFile      *file;
    const char *expect;
  } cases[] = {
    { "missing", missing, "missing.png" },
    { "not a picture", text, "notes.png" },
    { "30000×30000 header", bomb, "30000" },
    { "5000 pixels wide", wide, "5000" },
    { "a folder", folder, "folder" },
  };

  g_assert_true (g_file_set_contents (text_path, "just some notes, not a picture\n", -1, NULL));
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) check_error = NULL;
      g_autoptr(GError) error = NULL;
      GstElement *bin;

      g_assert_false (pa_stream_scene_check_overlay_image (cases[i].file, &check_error));
      g_assert_error (check_error, PA_ERROR, (i == 0 ? PA_ERROR_NOT_FOUND : PA_ERROR_INVALID_INPUT));
      pa_stream_scene_set_overlay_image (scene, cases[i].file);
      bin = pa_stream_scene_make_video (scene, WIDTH, HEIGHT, 30, 1, &error);
      g_assert_null (bin);
      g_assert_nonnull (error);
      g_assert_true (error->domain == PA_ERROR);
      g_test_message ("logo %s: %s", cases[i].what, error->message);
      if (strstr (error->message, cases[i].expect) == NULL)
        g_error ("the error for a logo %s does not say “%s”", cases[i].what, cases[i].expect);
    }

  /* A logo that cannot be used, set while a bin runs: nothing drawn,
   * and the frames go on. */
  {
    g_autoptr(Frame) frame = NULL;
    Run run = { 0 };

    pa_stream_scene_set_overlay_image (scene, NULL);
    run_start (&run, scene);
    frame = run_pull_settled (&run);
    pa_stream_scene_set_overlay_image (scene, bomb);
    for (int i = 0; i < 5; i++)
      {
        g_clear_pointer (&frame, frame_free);
        frame = run_pull (&run);
      }
    check_rect (frame, (Rect) { 0, 0, WIDTH, HEIGHT }, colour_a, colour_a, "bomb set live");
    g_test_message ("a 30000×30000 logo set while running: nothing drawn, frames go on");
    run_stop (&run);
  }
}

static void
test_placement_clamped (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(PaStreamSource) main = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_NONE);
  g_autoptr(PaStreamScene) scene = pa_stream_scene_new (main);
  g_autoptr(GString) long_text = g_string_new (NULL);
  struct {
    PaStreamPlacement in;
    PaStreamPlacement out;
  } cases[] = {
    { { NAN, NAN, NAN }, { 0.72, 0.70, 0.25 } },
    { { -1.0, -0.5, -2.0 }, { 0.0, 0.0, 0.05 } },
    { { 5.0, 5.0, 5.0 }, { 0.0, 1.0, 1.0 } },
    { { 0.95, 0.2, 0.25 }, { 0.75, 0.2, 0.25 } },
    { { INFINITY, -INFINITY, 0.5 }, { 0.5, 0.70, 0.5 } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      PaStreamPlacement got;

      pa_stream_scene_set_pip_placement (scene, &cases[i].in);
      pa_stream_scene_get_pip_placement (scene, &got);
      g_test_message ("placement (%g, %g, %g) kept as (%g, %g, %g)",
                      cases[i].in.x, cases[i].in.y, cases[i].in.width, got.x, got.y, got.width);
      g_assert_cmpfloat_with_epsilon (got.x, cases[i].out.x, 1e-9);
      g_assert_cmpfloat_with_epsilon (got.y, cases[i].out.y, 1e-9);
      g_assert_cmpfloat_with_epsilon (got.width, cases[i].out.width, 1e-9);
    }

  for (int i = 0; i < 10 * 1024; i++)
    g_string_append (long_text, "é");
  pa_stream_scene_set_overlay_text (scene, long_text->str);
  g_test_message ("10240 characters of text kept as %ld",
                  g_utf8_strlen (pa_stream_scene_get_overlay_text (scene), -1));
  g_assert_cmpint (g_utf8_strlen (pa_stream_scene_get_overlay_text (scene), -1), ==, PA_STREAM_SCENE_TEXT_MAX_CHARS);
  pa_stream_scene_set_overlay_text (scene, "bad \xff\xfe bytes\nand a newline");
  g_test_message ("invalid UTF-8 and a newline kept as \"%s\"", pa_stream_scene_get_overlay_text (scene));
  g_assert_true (g_utf8_validate (pa_stream_scene_get_overlay_text (scene), -1, NULL));
  g_assert_null (strchr (pa_stream_scene_get_overlay_text (scene), '\n'));
  pa_stream_scene_set_overlay_text (scene, "");
  g_assert_null (pa_stream_scene_get_overlay_text (scene));
}

int
main (int    argc,
      char **argv)
{
  gst_init (&argc, &argv);
  g_test_init (&argc, &argv, NULL);

  pa_test_add_needing ("/stream/scene/pip", Fixture, NULL,
                       fixture_set_up, test_pip, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream/scene/pip-live", Fixture, NULL,
                       fixture_set_up, test_pip_live, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream/scene/logo", Fixture, NULL,
                       fixture_set_up, test_logo, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream/scene/text-live", Fixture, NULL,
                       fixture_set_up, test_text_live, fixture_tear_down, need_plugins);
  pa_test_add_needing ("/stream/scene/face-swap", Fixture, NULL,
                       fixture_set_up, test_face_swap, fixture_tear_down, need_plugins);
  g_test_add ("/stream/scene/serialize", Fixture, NULL,
              fixture_set_up, test_serialize, fixture_tear_down);
  g_test_add ("/stream/scene/serialize-devices", Fixture, NULL,
              fixture_set_up, test_serialize_devices, fixture_tear_down);
  g_test_add ("/stream/scene/hostile-variants", Fixture, NULL,
              fixture_set_up, test_hostile_variants, fixture_tear_down);
  pa_test_add_needing ("/stream/scene/hostile-logos", Fixture, NULL,
                       fixture_set_up, test_hostile_logos, fixture_tear_down, need_plugins);
  g_test_add ("/stream/scene/placement-clamped", Fixture, NULL,
              fixture_set_up, test_placement_clamped, fixture_tear_down);

  return g_test_run ();
}
