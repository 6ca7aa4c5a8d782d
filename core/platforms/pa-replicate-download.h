/* pa-replicate-download.h — saving Replicate and Cog outputs into the media folder
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-replicate.h"
#include "pa-store.h"

G_BEGIN_DECLS

/* One downloaded output, saved in the media folder. */
typedef struct {
  char    *path;          /* absolute */
  char    *sha256;        /* lowercase hex of the bytes on disk */
  char    *kind;          /* "image", "video", "audio" or "file" */
  char    *content_type;  /* a MIME type */
  guint64  size;
  int      width;         /* 0 when not known (read from PNG and GIF headers) */
  int      height;
  gint64   asset_id;      /* the assets row, or 0 without a store */
} PaReplicateAsset;

#define PA_TYPE_REPLICATE_ASSET (pa_replicate_asset_get_type ())
GType             pa_replicate_asset_get_type (void) G_GNUC_CONST;
PaReplicateAsset *pa_replicate_asset_copy     (const PaReplicateAsset *self);
void              pa_replicate_asset_free     (PaReplicateAsset       *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaReplicateAsset, pa_replicate_asset_free)

/* Saves every file in @output (a URL or data: URL string, or arrays and
 * objects of them; other values are not files and are skipped) into
 * @media_dir (created if needed), streaming each to a temporary name,
 * checking its size and computing its sha256, then renaming it to
 * "<name>-<sha256 prefix>.<ext>". With a @store, each gets an assets row
 * (run_id @run_id, may be NULL). Returns a GPtrArray of PaReplicateAsset,
 * in output order. Replicate's own hosts get the account's key, as its
 * file URLs require, but never over plain http to another machine than
 * the account's base URL; other hosts get none.
 * Limits, each failing the whole download with a message that says
 * which: PA_LIMIT_REPLICATE_OUTPUTS files (PA_ERROR_PROTOCOL), the
 * per-output size (pa_replicate_set_max_download_size()) and, for all
 * outputs together, PA_LIMIT_REPLICATE_TOTAL_BYTES, or less when the
 * per-output size is lowered, in the same ratio (PA_ERROR_PROTOCOL); a
 * body silent past the client's idle timeout, or a file not done within
 * PA_LIMIT_DOWNLOAD_DEADLINE_SECONDS (PA_ERROR_TIMEOUT). */
void             pa_replicate_download_outputs_async  (PaReplicate         *self,
                                                       JsonNode            *output,
                                                       const char          *media_dir,
                                                       PaStore             *store,
                                                       const char          *run_id,
                                                       GCancellable        *cancellable,
                                                       GAsyncReadyCallback  callback,
                                                       gpointer             user_data);
GPtrArray       *pa_replicate_download_outputs_finish (PaReplicate         *self,
                                                       GAsyncResult        *result,
                                                       GError             **error);

G_END_DECLS
