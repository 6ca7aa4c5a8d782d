/* pa-stream-scene-bin.c — the bin a stream's scene makes: the main
 * source through the face swap, the picture-in-picture on top in a
 * compositor, the text and logo overlays; and the changes of placement
 * and overlay applied to the bins that run
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-image-file.h"
#include "pa-stream-scene.h"
#include "pa-stream-private.h"
#include "pa-stream-scene-private.h"

/* The overlay text's font height is this fraction of the placement's
 * width, in pixels: about twenty characters fill the width. */
#define TEXT_HEIGHT_PER_WIDTH (1.0 / 8.0)

/* What the scene knows of a bin it made, to change it while it runs:
 * weak references, so a bin that is gone is simply skipped. */
typedef struct {
  GWeakRef bin;
  GWeakRef pip_pad;     /* the compositor's pad of the picture-in-picture */
  GWeakRef text;        /* textoverlay */
  GWeakRef logo;        /* gdkpixbufoverlay */
  int      width;
  int      height;
  double   pip_aspect;  /* width / height of the picture-in-picture */
} SceneBin;

void
pa_stream_scene_bin_free (gpointer data)
{
  SceneBin *sb = data;

  g_weak_ref_clear (&sb->bin);
  g_weak_ref_clear (&sb->pip_pad);
  g_weak_ref_clear (&sb->text);
  g_weak_ref_clear (&sb->logo);
  g_free (sb);
}

/* ---- geometry ------------------------------------------------------------ */

static int
round_even (double value)
{
  int v = (int) lround (value / 2.0) * 2;

  return MAX (v, 2);
}

/* A picture of @aspect (width / height) at @placement in a @width×@height
 * output, in pixels: even sizes (for I420), no taller than the output,
 * and moved in where it would fall off the frame. */
static void
place_rect (const PaStreamPlacement *placement,
            double                   aspect,
            int                      width,
            int                      height,
            int                     *x,
            int                     *y,
            int                     *w,
            int                     *h)
{
  *w = MIN (round_even (placement->width * width), width & ~1);
  *h = MIN (round_even (*w / aspect), height & ~1);
  if (*h == (height & ~1))
    *w = MIN (round_even (*h * aspect), width & ~1);
  *x = CLAMP ((int) lround (placement->x * width), 0, width - *w);
  *y = CLAMP ((int) lround (placement->y * height), 0, height - *h);
}

/* ---- applying the scene to running bins -------------------------------- */

static void
apply_pip (PaStreamScene *self,
           SceneBin      *sb,
           GstPad        *pad)
{
  int x, y, w, h;

  place_rect (&self->pip_placement, sb->pip_aspect, sb->width, sb->height, &x, &y, &w, &h);
  g_object_set (pad, "xpos", x, "ypos", y, "width", w, "height", h, NULL);
}

static void
apply_text (PaStreamScene *self,
            SceneBin      *sb,
            GstElement    *text)
{
  const PaStreamPlacement *p = &self->overlay_placement;
  g_autofree char *markup = NULL;
  g_autofree char *font = NULL;
  int size, x, y;

  if (self->overlay_text == NULL)
    {
      g_object_set (text, "silent", TRUE, NULL);
      return;
    }
  size = MAX (8, (int) lround (p->width * sb->width * TEXT_HEIGHT_PER_WIDTH));
  x = CLAMP ((int) lround (p->x * sb->width), 0, sb->width - size);
  y = CLAMP ((int) lround (p->y * sb->height), 0, MAX (0, sb->height - 3 * size / 2));
  /* textoverlay reads Pango markup: the user's "<" and "&" are text. */
  markup = g_markup_escape_text (self->overlay_text, -1);
  font = g_strdup_printf ("Sans Bold %dpx", size);
  g_object_set (text,
                "text", markup,
                "font-desc", font,
                "deltax", x,
                "deltay", y,
                "silent", FALSE,
                NULL);
}

static void
apply_logo (PaStreamScene *self,
            SceneBin      *sb,
            GstElement    *logo,
            gboolean       new_picture)
{
  int x, y, w, h;

  if (self->logo == NULL)
    {
      /* alpha 0 drops the drawing; a NULL pixbuf would leave the last
       * one drawn. */
      g_object_set (logo, "alpha", 0.0, NULL);
      return;
    }
  if (new_picture)
    {
      /* gdkpixbufoverlay reorders the bytes of the pixbuf it is given
       * in place: each element gets a copy of its own. */
      g_autoptr(GdkPixbuf) copy = gdk_pixbuf_copy (self->logo);

      g_object_set (logo, "pixbuf", copy, NULL);
    }
  place_rect (&self->overlay_placement,
              (double) gdk_pixbuf_get_width (self->logo) / gdk_pixbuf_get_height (self->logo),
              sb->width, sb->height, &x, &y, &w, &h);
  g_object_set (logo,
                "offset-x", x,
                "offset-y", y,
                "overlay-width", w,
                "overlay-height", h,
                "alpha", 1.0,
                NULL);
}

void
pa_stream_scene_apply_to_bins (PaStreamScene      *self,
                               PaStreamSceneApply  flags)
{
  for (guint i = 0; i < self->bins->len;)
    {
      SceneBin *sb = g_ptr_array_index (self->bins, i);
      g_autoptr(GstElement) bin = g_weak_ref_get (&sb->bin);
      g_autoptr(GstPad) pad = NULL;
      g_autoptr(GstElement) text = NULL;
      g_autoptr(GstElement) logo = NULL;

      if (bin == NULL)
        {
          g_ptr_array_remove_index_fast (self->bins, i);
          continue;
        }
      i++;
      pad = g_weak_ref_get (&sb->pip_pad);
      text = g_weak_ref_get (&sb->text);
      logo = g_weak_ref_get (&sb->logo);
      if ((flags & PA_STREAM_SCENE_APPLY_PIP) && pad != NULL)
        apply_pip (self, sb, pad);
      if ((flags & PA_STREAM_SCENE_APPLY_OVERLAY) && text != NULL)
        apply_text (self, sb, text);
      if ((flags & PA_STREAM_SCENE_APPLY_OVERLAY) && logo != NULL)
        apply_logo (self, sb, logo, (flags & PA_STREAM_SCENE_APPLY_LOGO) != 0);
    }
}

gboolean
pa_stream_scene_has_running_bins (PaStreamScene *self)
{
  for (guint i = 0; i < self->bins->len; i++)
    {
      SceneBin *sb = g_ptr_array_index (self->bins, i);
      g_autoptr(GstElement) bin = g_weak_ref_get (&sb->bin);

      if (bin != NULL)
        return TRUE;
    }
  return FALSE;
}

/* ---- the bin ------------------------------------------------------------- */

/* The picture-in-picture's shape: a picture's own, read from its header;
 * any other source's is not known before it plays, and is taken as the
 * output's (the source fits itself in, with borders if need be). */
static double
pip_aspect (PaStreamSource *pip,
            int             width,
            int             height)
{
  int w = 0, h = 0;

  if (pa_stream_source_get_video_kind (pip) == PA_STREAM_VIDEO_IMAGE
      && pa_image_file_probe (pa_stream_source_get_file (pip), &w, &h, NULL, NULL)
      && w > 0 && h > 0)
    return CLAMP ((double) w / h, 0.1, 10.0);
  return (double) width / height;
}

static gboolean
link_failed (GstElement  *from,
             GstElement  *to,
             GError     **error)
{
  g_set_error (error, PA_ERROR, PA_ERROR_FAILED,
               _("The scene could not be set up (%s cannot feed %s)."),
               GST_ELEMENT_NAME (from), GST_ELEMENT_NAME (to));
  return FALSE;
}

/* Adds @element (floating) to @bin and links @prev to it; @prev becomes
 * @element. */
static gboolean
add_after (GstBin      *bin,
           GstElement **prev,
           GstElement  *element,
           GError     **error)
{
  gst_bin_add (bin, element);
  if (*prev != NULL && !gst_element_link (*prev, element))
    return link_failed (*prev, element, error);
  *prev = element;
  return TRUE;
}

/* The main source, through the face swap, into @compositor's first pad
 * (full frame, underneath) or, without one, as the chain's start. */
static GstElement *
add_main (PaStreamScene  *self,
          GstBin         *bin,
          int             width,
          int             height,
          int             fps_n,
          int             fps_d,
          GError        **error)
{
  GstElement *main, *prev = NULL;

  main = pa_stream_source_make_video (self->main, width, height, fps_n, fps_d, error);
  if (main == NULL)
    return NULL;
  /* Added after the picture-in-picture's bin, so that a search by name
   * (the stream looks for PA_STREAM_VIDEORATE_NAME to count dropped
   * frames) finds the main source's first: GstBin lists the newest
   * child first. */
  if (!add_after (bin, &prev, main, error))
    return NULL;
  if (self->face_swap != NULL)
    {
      GstElement *swap = pa_live_face_swap_make_element (self->face_swap, error);

      if (swap == NULL || !add_after (bin, &prev, swap, error))
        return NULL;
    }
  return prev;
}

/* An overlay element, added after @prev into @bin as *@out. Both overlays
 * are always there when installed, so that text or a logo can be added
 * while the bin runs (silent or transparent, each passes frames through
 * untouched); a missing one is an error only when the scene @needs it
 * now, and is otherwise left out (*@out NULL). */
static gboolean
add_overlay (GstBin      *bin,
             GstElement **prev,
             const char  *factory,
             const char  *package,
             gboolean     needed,
             GstElement **out,
             GError     **error)
{
  g_autoptr(GError) optional_error = NULL;

  *out = pa_stream_make_element (factory, NULL, package, needed ? error : &optional_error);
  if (*out == NULL)
    return !needed;
  return add_after (bin, prev, *out, error);
}

GstElement *
pa_stream_scene_make_video (PaStreamScene  *self,
                            int             width,
                            int             height,
                            int             fps_n,
                            int             fps_d,
                            GError        **error)
{
  g_autoptr(GstElement) bin = NULL;
  g_autoptr(GstCaps) caps = NULL;
  g_autoptr(GstPad) src = NULL;
  GstElement *text = NULL, *logo = NULL, *convert, *scale, *filter, *prev = NULL;
  GstPad *pip_pad = NULL;
  double aspect = 1.0;
  SceneBin *sb;

  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  g_return_val_if_fail (width > 0 && height > 0 && fps_n > 0 && fps_d > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* What can fail for the user's reasons first, before any element. */
  if (self->overlay_image != NULL && self->logo == NULL)
    {
      self->logo = pa_stream_scene_load_logo (self->overlay_image, error);
      if (self->logo == NULL)
        return NULL;
    }

  bin = gst_object_ref_sink (gst_bin_new (NULL));
  /* The image sources' decodebin changes state asynchronously, inside
   * sources that are live: left to the pipeline, an ASYNC_DONE that
   * came late could leave it PAUSED with its sink prerolled, for ever
   * (seen with two image sources under the compositor). The scene's bin
   * settles its children's state changes itself. */
  g_object_set (bin, "async-handling", TRUE, NULL);
  caps = pa_stream_video_caps (width, height, fps_n, fps_d);

  if (self->pip != NULL)
    {
      GstElement *compositor, *composed, *main, *pip;
      g_autoptr(GstPad) main_src = NULL;
      g_autoptr(GstPad) pip_src = NULL;
      g_autoptr(GstPad) main_pad = NULL;
      int x, y, w, h;

      compositor = pa_stream_make_element ("compositor", NULL, "gstreamer1.0-plugins-base", error);
      if (compositor == NULL)
        return NULL;
      gst_bin_add (GST_BIN (bin), compositor);
      /* "first": the output starts with the sources' first frames, not
       * with black frames from running time 0. */
      gst_util_set_object_arg (G_OBJECT (compositor), "start-time-selection", "first");
      gst_util_set_object_arg (G_OBJECT (compositor), "background", "black");
      /* One blending thread: with several, each draws a band of the
       * frame and reads the pads' positions on its own, so a frame made
       * while the picture-in-picture moves could show it at both places.
       * One small picture over a copied frame needs no more. */
      g_object_set (compositor, "max-threads", 1, NULL);

      /* The picture-in-picture is made at the size it is shown at: no
       * scaling of every frame in the compositor. */
      aspect = pip_aspect (self->pip, width, height);
      place_rect (&self->pip_placement, aspect, width, height, &x, &y, &w, &h);
      pip = pa_stream_source_make_video (self->pip, w, h, fps_n, fps_d, error);
      if (pip == NULL)
        return NULL;
      gst_bin_add (GST_BIN (bin), pip);

      main = add_main (self, GST_BIN (bin), width, height, fps_n, fps_d, error);
      if (main == NULL)
        return NULL;

      main_pad = gst_element_request_pad_simple (compositor, "sink_%u");
      main_src = gst_element_get_static_pad (main, "src");
      g_object_set (main_pad, "xpos", 0, "ypos", 0, "width", width, "height", height,
                    "zorder", 0, NULL);
      if (gst_pad_link (main_src, main_pad) != GST_PAD_LINK_OK)
        return link_failed (main, compositor, error), NULL;

      pip_pad = gst_element_request_pad_simple (compositor, "sink_%u");
      pip_src = gst_element_get_static_pad (pip, "src");
      g_object_set (pip_pad, "xpos", x, "ypos", y, "width", w, "height", h, "zorder", 1, NULL);
      /* The bin holds the pad; the scene's weak reference and this
       * function need no reference of their own. */
      gst_object_unref (pip_pad);
      if (gst_pad_link (pip_src, pip_pad) != GST_PAD_LINK_OK)
        return link_failed (pip, compositor, error), NULL;

      /* The compositor outputs I420 at the output's size and rate, as
       * the overlays and the encoder take it: nothing to convert. */
      composed = pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error);
      if (composed == NULL)
        return NULL;
      g_object_set (composed, "caps", caps, NULL);
      prev = compositor;
      if (!add_after (GST_BIN (bin), &prev, composed, error))
        return NULL;
    }
  else
    {
      prev = add_main (self, GST_BIN (bin), width, height, fps_n, fps_d, error);
      if (prev == NULL)
        return NULL;
    }

  /* Both overlays are always there when installed, so that text or a
   * logo can be added while the bin runs; silent or transparent, each
   * passes frames through untouched. Missing, each is an error only
   * when the scene needs it now. */
  if (!add_overlay (GST_BIN (bin), &prev, "textoverlay", "gstreamer1.0-x",
                    self->overlay_text != NULL, &text, error)
      || !add_overlay (GST_BIN (bin), &prev, "gdkpixbufoverlay", "gstreamer1.0-plugins-good",
                       self->overlay_image != NULL, &logo, error))
    return NULL;
  if (text != NULL)
    g_object_set (text,
                  "auto-resize", FALSE,
                  "halignment", 0 /* left */,
                  "valignment", 2 /* top */,
                  "xpad", 0,
                  "ypad", 0,
                  "wrap-mode", -1 /* none */,
                  "draw-shadow", TRUE,
                  "draw-outline", TRUE,
                  "silent", TRUE,
                  NULL);
  if (logo != NULL)
    {
      gst_util_set_object_arg (G_OBJECT (logo), "positioning-mode", "pixels-absolute");
      g_object_set (logo, "alpha", 0.0, NULL);
    }

  /* A face swap may hand on another format; then the tail converts it.
   * Otherwise these pass frames through. */
  convert = pa_stream_make_element ("videoconvert", NULL, "gstreamer1.0-plugins-base", error);
  if (convert == NULL || !add_after (GST_BIN (bin), &prev, convert, error))
    return NULL;
  scale = pa_stream_make_element ("videoscale", NULL, "gstreamer1.0-plugins-base", error);
  if (scale == NULL || !add_after (GST_BIN (bin), &prev, scale, error))
    return NULL;
  filter = pa_stream_make_element ("capsfilter", NULL, "gstreamer1.0-plugins-base", error);
  if (filter == NULL)
    return NULL;
  g_object_set (filter, "caps", caps, NULL);
  if (!add_after (GST_BIN (bin), &prev, filter, error))
    return NULL;
  src = gst_element_get_static_pad (filter, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", src));

  sb = g_new0 (SceneBin, 1);
  g_weak_ref_init (&sb->bin, bin);
  g_weak_ref_init (&sb->pip_pad, pip_pad);
  g_weak_ref_init (&sb->text, text);
  g_weak_ref_init (&sb->logo, logo);
  sb->width = width;
  sb->height = height;
  sb->pip_aspect = aspect;
  g_ptr_array_add (self->bins, sb);
  if (text != NULL)
    apply_text (self, sb, text);
  if (logo != NULL)
    apply_logo (self, sb, logo, TRUE);

  /* Floating, as gst_element_factory_make() returns elements. */
  g_object_force_floating (G_OBJECT (bin));
  return g_steal_pointer (&bin);
}

GstElement *
pa_stream_scene_make_audio (PaStreamScene  *self,
                            GError        **error)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return pa_stream_source_make_audio (self->main, error);
}
