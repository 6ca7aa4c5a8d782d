/* pa-result-gallery.h — the pictures and videos made before, from the
 * assets table: open, show in folder, save a copy, sell, delete
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_RESULT_GALLERY (pa_result_gallery_get_type ())
G_DECLARE_FINAL_TYPE (PaResultGallery, pa_result_gallery, PA, RESULT_GALLERY, GtkWidget)

/* Thumbnails are made at most this many pixels on a side. */
#define PA_RESULT_GALLERY_THUMBNAIL_SIZE 240

GtkWidget *pa_result_gallery_new       (void);
PaStore   *pa_result_gallery_get_store (PaResultGallery *self);
void       pa_result_gallery_set_store (PaResultGallery *self,
                                        PaStore         *store);
/* Reads the assets table again (after a new result was recorded). */
void       pa_result_gallery_reload    (PaResultGallery *self);
/* How many results are shown, and the asset id of the @index-th
 * (newest first), or 0. */
guint      pa_result_gallery_get_n_results (PaResultGallery *self);
gint64     pa_result_gallery_get_result_id (PaResultGallery *self,
                                            guint            index);
/* The tile of the asset @id (a GtkFlowBoxChild), or NULL. */
GtkWidget *pa_result_gallery_get_tile  (PaResultGallery *self,
                                        gint64           id);
/* Whether the tile of @id has its thumbnail yet. */
gboolean   pa_result_gallery_has_thumbnail (PaResultGallery *self,
                                            gint64           id);

G_END_DECLS
