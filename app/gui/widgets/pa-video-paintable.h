/* pa-video-paintable.h — live video from a GStreamer pipeline, as a
 * GdkPaintable a GtkPicture shows
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>
#include <gst/gst.h>

G_BEGIN_DECLS

#define PA_TYPE_VIDEO_PAINTABLE (pa_video_paintable_get_type ())
G_DECLARE_FINAL_TYPE (PaVideoPaintable, pa_video_paintable, PA, VIDEO_PAINTABLE, GObject)

/* The frames come from an appsink that the paintable makes; put it at the
 * end of a pipeline, after a videoconvert: it takes video/x-raw BGRA only. */
PaVideoPaintable *pa_video_paintable_new                (void);
GstElement       *pa_video_paintable_get_sink           (PaVideoPaintable *self);

/* Frames shown over the last second. */
double            pa_video_paintable_get_fps            (PaVideoPaintable *self);
/* Frames handed to GTK, and frames replaced by a newer one before GTK
 * saw them (the window was busy). */
guint64           pa_video_paintable_get_frames_shown   (PaVideoPaintable *self);
guint64           pa_video_paintable_get_frames_dropped (PaVideoPaintable *self);
/* Frames waiting for the main loop: 0 or 1, never more. */
guint             pa_video_paintable_get_pending        (PaVideoPaintable *self);
/* Frames mapped and not yet given back to GStreamer: the one shown, the
 * one waiting, and any the renderer still holds. */
guint             pa_video_paintable_get_frames_held    (PaVideoPaintable *self);

G_END_DECLS
