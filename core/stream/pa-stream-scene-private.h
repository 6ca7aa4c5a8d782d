/* pa-stream-scene-private.h — what the scene's files share:
 * pa-stream-scene.c (the scene and its setters), pa-stream-scene-variant.c
 * (its saved form)
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

  GPtrArray         *bins;        /* SceneBin, owned */
};

/* Where a new scene puts its picture-in-picture and its overlay. */
extern const PaStreamPlacement pa_stream_scene_default_pip;
extern const PaStreamPlacement pa_stream_scene_default_overlay;

/* The text as the scene keeps it: valid UTF-8, one line, at most
 * PA_STREAM_SCENE_TEXT_MAX_CHARS characters; NULL for "" or NULL. */
char *pa_stream_scene_clean_text (const char *text);

G_END_DECLS
