/* pa-store-assets.h — files the app made or downloaded (assets)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* One row of assets. The file itself lives in the media folder. */
typedef struct {
  gint64  id;
  char   *kind;         /* "image", "video", "audio" or "file" */
  char   *path;         /* absolute; one row per path */
  char   *sha256;       /* of the file's bytes, in hex */
  int     width;        /* in pixels; 0 when not known */
  int     height;
  gint64  created_at;   /* ms since the epoch */
  char   *run_id;       /* the run that made it, or NULL */
} PaAssetRecord;

void           pa_asset_record_free      (PaAssetRecord       *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaAssetRecord, pa_asset_record_free)

/* Records the file at @path, or updates its row when the path is known
 * already (a retried step, the same bytes downloaded again): kind and
 * sha256 are replaced; width and height only when both are given (not
 * 0), run_id only when not NULL. created_at stays that of the first
 * save. Returns the row's id, the same for the same path, or 0 with
 * @error set. */
gint64         pa_store_add_asset        (PaStore             *self,
                                          const char          *kind,
                                          const char          *path,
                                          const char          *sha256,
                                          int                  width,
                                          int                  height,
                                          const char          *run_id,
                                          GError             **error);
/* PA_ERROR_NOT_FOUND when no asset has that path. */
PaAssetRecord *pa_store_get_asset        (PaStore             *self,
                                          const char          *path,
                                          GError             **error);
/* Returns a GPtrArray of PaAssetRecord, oldest first. */
GPtrArray     *pa_store_list_assets      (PaStore             *self,
                                          GError             **error);
/* Forgets the row with @id (the file itself is the caller's to remove).
 * PA_ERROR_NOT_FOUND when there is no such row. */
gboolean       pa_store_delete_asset     (PaStore             *self,
                                          gint64               id,
                                          GError             **error);

G_END_DECLS
