/* pa-stream-scene.h — what a stream shows: one main source, an optional
 * picture-in-picture camera, an optional text or logo overlay, and the
 * live face swap on the main source
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

#include "pa-live-face-swap.h"
#include "pa-stream-source.h"

G_BEGIN_DECLS

#define PA_TYPE_STREAM_SCENE (pa_stream_scene_get_type ())
G_DECLARE_FINAL_TYPE (PaStreamScene, pa_stream_scene, PA, STREAM_SCENE, GObject)

/* Where a picture-in-picture or an overlay sits: its left and top edges
 * and its width as fractions (0…1) of the output picture; the height
 * follows from the picture's own aspect ratio. */
typedef struct {
  double x;
  double y;
  double width;
} PaStreamPlacement;

PaStreamScene  *pa_stream_scene_new                   (PaStreamSource          *main);

PaStreamSource *pa_stream_scene_get_main              (PaStreamScene           *self);
/* The sound of the stream is the main source's. */

/* NULL: no picture-in-picture. */
void            pa_stream_scene_set_pip               (PaStreamScene           *self,
                                                       PaStreamSource          *pip);
PaStreamSource *pa_stream_scene_get_pip               (PaStreamScene           *self);
void            pa_stream_scene_set_pip_placement     (PaStreamScene           *self,
                                                       const PaStreamPlacement *placement);
void            pa_stream_scene_get_pip_placement     (PaStreamScene           *self,
                                                       PaStreamPlacement       *placement);

/* A line of text, or a picture (a logo), over everything; NULL for none.
 * Setting one clears the other. */
void            pa_stream_scene_set_overlay_text      (PaStreamScene           *self,
                                                       const char              *text);
const char     *pa_stream_scene_get_overlay_text      (PaStreamScene           *self);
void            pa_stream_scene_set_overlay_image     (PaStreamScene           *self,
                                                       GFile                   *image);
GFile          *pa_stream_scene_get_overlay_image     (PaStreamScene           *self);
void            pa_stream_scene_set_overlay_placement (PaStreamScene           *self,
                                                       const PaStreamPlacement *placement);
void            pa_stream_scene_get_overlay_placement (PaStreamScene           *self,
                                                       PaStreamPlacement       *placement);

/* The live face swap applied to the main source; NULL for none. */
void            pa_stream_scene_set_face_swap         (PaStreamScene           *self,
                                                       PaLiveFaceSwap          *face_swap);
PaLiveFaceSwap *pa_stream_scene_get_face_swap         (PaStreamScene           *self);

/* The scene as a GVariant of type a{sv}, to keep in settings, and back.
 * Reading checks every value: a bad one is a PA_ERROR_INVALID_INPUT. The
 * face swap is not part of it. */
GVariant       *pa_stream_scene_serialize             (PaStreamScene           *self);
PaStreamScene  *pa_stream_scene_new_from_variant      (GVariant                *variant,
                                                       GError                 **error);

/* A new floating bin with one "src" pad giving the composed picture as
 * raw, live video at @width×@height and @fps_n/@fps_d, or NULL with
 * @error set. Placements and overlays changed while the bin runs apply
 * at once; a new main or picture-in-picture source needs a new bin. */
GstElement     *pa_stream_scene_make_video            (PaStreamScene           *self,
                                                       int                      width,
                                                       int                      height,
                                                       int                      fps_n,
                                                       int                      fps_d,
                                                       GError                 **error);
/* As pa_stream_source_make_audio() for the main source. */
GstElement     *pa_stream_scene_make_audio            (PaStreamScene           *self,
                                                       GError                 **error);

G_END_DECLS
