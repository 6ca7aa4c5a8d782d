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

/* The longest overlay text, in characters: longer text is cut there. */
#define PA_STREAM_SCENE_TEXT_MAX_CHARS 200

/* The largest logo, in pixels a side. */
#define PA_STREAM_SCENE_LOGO_MAX_SIDE 4096

/* Where a picture-in-picture or an overlay sits: its left and top edges
 * and its width as fractions (0…1) of the output picture; the height
 * follows from the picture's own aspect ratio. */
typedef struct {
  double x;
  double y;
  double width;
} PaStreamPlacement;

/* Signals: "changed" (no arguments), after anything the scene holds
 * changed (the studio keeps it in settings then). A scene is used from
 * one thread, the one that makes its bins: the bins themselves run in
 * GStreamer's threads. */
PaStreamScene  *pa_stream_scene_new                   (PaStreamSource          *main);

PaStreamSource *pa_stream_scene_get_main              (PaStreamScene           *self);
/* The sound of the stream is the main source's. */

/* NULL: no picture-in-picture. Its sound is not used. A placement is
 * clamped into the picture: a value that is not a number is replaced by
 * the default, the width is kept between 0.05 and 1, and the left edge
 * so that the picture stays inside; the top edge is kept inside when a
 * bin places it, once the picture's height is known. */
void            pa_stream_scene_set_pip               (PaStreamScene           *self,
                                                       PaStreamSource          *pip);
PaStreamSource *pa_stream_scene_get_pip               (PaStreamScene           *self);
void            pa_stream_scene_set_pip_placement     (PaStreamScene           *self,
                                                       const PaStreamPlacement *placement);
void            pa_stream_scene_get_pip_placement     (PaStreamScene           *self,
                                                       PaStreamPlacement       *placement);

/* A line of text, or a picture (a logo), over everything; NULL for none.
 * Setting one clears the other. The text is made valid UTF-8 on one line
 * (control characters become spaces) and cut at
 * PA_STREAM_SCENE_TEXT_MAX_CHARS; "" is none. Its font size follows the
 * placement's width. The picture is read when a bin is made (an error
 * there if it cannot be used), or at once when bins made earlier run:
 * then a picture that cannot be used shows nothing, so check it first
 * with pa_stream_scene_check_overlay_image(). */
void            pa_stream_scene_set_overlay_text      (PaStreamScene           *self,
                                                       const char              *text);
const char     *pa_stream_scene_get_overlay_text      (PaStreamScene           *self);
void            pa_stream_scene_set_overlay_image     (PaStreamScene           *self,
                                                       GFile                   *image);
GFile          *pa_stream_scene_get_overlay_image     (PaStreamScene           *self);
/* Whether @image can be a logo: a PNG or JPEG of at most
 * PA_STREAM_SCENE_LOGO_MAX_SIDE pixels a side, judged by its header
 * before any pixel is decoded. Errors say why, as PA_ERROR. Blocking,
 * but quick. */
gboolean        pa_stream_scene_check_overlay_image   (GFile                   *image,
                                                       GError                 **error);
void            pa_stream_scene_set_overlay_placement (PaStreamScene           *self,
                                                       const PaStreamPlacement *placement);
void            pa_stream_scene_get_overlay_placement (PaStreamScene           *self,
                                                       PaStreamPlacement       *placement);

/* The live face swap applied to the main source; NULL for none. */
void            pa_stream_scene_set_face_swap         (PaStreamScene           *self,
                                                       PaLiveFaceSwap          *face_swap);
PaLiveFaceSwap *pa_stream_scene_get_face_swap         (PaStreamScene           *self);

/* The scene as a GVariant of type a{sv}, to keep in settings, and back.
 * Reading checks every value: a bad one is a PA_ERROR_INVALID_INPUT that
 * names the key. The face swap is not part of it. Files are kept as
 * file:// URIs and are not opened here: a missing one is an error of
 * pa_stream_scene_make_video(), so a scene whose logo was on a removed
 * disk still comes back. Keys: "version" (u, 1); "main-kind" and
 * "pip-kind" (s: "test-pattern", "file", "image", "camera", "screen"),
 * "main-file" and "pip-file" (s, file:// URI) for a file or image,
 * "main-device" and "pip-device" (s) for a camera (none: the first one),
 * "main-audio" (s: "none", "test-tone", "microphone") and
 * "main-microphone" (s; none: the default input); "pip-x", "pip-y",
 * "pip-width", "overlay-x", "overlay-y", "overlay-width" (d);
 * "overlay-text" (s) or "overlay-image" (s, file:// URI). Unknown keys
 * are ignored. A screen cannot be shared again without asking the user:
 * it is read back as the test pattern (with its sound). */
GVariant       *pa_stream_scene_serialize             (PaStreamScene           *self);
PaStreamScene  *pa_stream_scene_new_from_variant      (GVariant                *variant,
                                                       GError                 **error);

/* A new floating bin with one "src" pad giving the composed picture as
 * raw, live video (I420) at @width×@height and @fps_n/@fps_d, or NULL
 * with @error set (a PA_ERROR that names the Debian package of a missing
 * GStreamer element, or says what is wrong with a file). Placements and
 * the overlay (text or logo, added, changed or removed) changed while the
 * bin runs apply at once (the scene sets properties of the running
 * elements, which they allow from any thread); a new
 * main or picture-in-picture source, or a face swap set or removed,
 * needs a new bin (the scene emits "changed"; the caller restarts).
 * Without a picture-in-picture there is no compositor: the main source
 * goes straight to the overlays. */
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
