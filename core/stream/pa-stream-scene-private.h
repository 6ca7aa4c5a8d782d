/* pa-stream-scene-private.h — what the scene's files share:
 * pa-stream-scene.c (the scene and its setters), pa-stream-scene-variant.c
 * (its saved form) and pa-stream-scene-bin.c (the bin it makes)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-stream-scene-private.h is private to core/stream: use pa-stream-scene.h"
#endif

#include <gio/gio.h>
#include <gdk-pixbuf/gdk-pixbuf.h>

#include "pa-stream-scene.h"

G_BEGIN_DECLS

/* The narrowest picture-in-picture or overlay, as a fraction of the
 * output's width: narrower is a slip of the mouse, not a choice. */
#define PA_STREAM_SCENE_MIN_WIDTH 0.05

struct _PaStreamScene {
  GObject            parent_instance;

  PaStreamSource    *main;
  PaStreamSource    *pip;
  PaStreamPlacement  pip_placement;
  char              *overlay_text;
  GFile             *overlay_image;
  GdkPixbuf         *logo;        /* overlay_image read, or NULL */
  PaStreamPlacement  overlay_placement;
  PaLiveFaceSwap    *face_swap;

  GPtrArray         *bins;        /* what pa-stream-scene-bin.c keeps of each bin made, owned */
};

/* Where a new scene puts its picture-in-picture and its overlay. */
extern const PaStreamPlacement pa_stream_scene_default_pip;
extern const PaStreamPlacement pa_stream_scene_default_overlay;

/* The text as the scene keeps it: valid UTF-8, one line, at most
 * PA_STREAM_SCENE_TEXT_MAX_CHARS characters; NULL for "" or NULL. */
char *pa_stream_scene_clean_text (const char *text);

/* Reads the logo @image with its transparency (pa_image_file_load()
 * lays it onto white, right for faces and wrong for a logo), after its
 * header was checked. */
GdkPixbuf *pa_stream_scene_load_logo (GFile   *image,
                                      GError **error);

/* pa-stream-scene-bin.c */

/* What pa_stream_scene_apply_to_bins() brings to the running bins. */
typedef enum {
  PA_STREAM_SCENE_APPLY_PIP     = 1 << 0,
  PA_STREAM_SCENE_APPLY_OVERLAY = 1 << 1,
  PA_STREAM_SCENE_APPLY_LOGO    = 1 << 2,  /* a new logo picture */
} PaStreamSceneApply;

/* Frees what the scene knows of a bin it made (self->bins' items). */
void     pa_stream_scene_bin_free         (gpointer            data);
/* Brings the scene's placements and overlays to the bins it made that
 * still run, and forgets those that are gone. */
void     pa_stream_scene_apply_to_bins    (PaStreamScene      *self,
                                           PaStreamSceneApply  flags);
/* Whether a bin the scene made still runs. */
gboolean pa_stream_scene_has_running_bins (PaStreamScene      *self);

G_END_DECLS
