/* pa-media-preview.h — a picture of a picture or a video, made off the
 * main thread, for thumbnails and the face swap page
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

/* Whether @file looks like a video by its content type (sniffed, not
 * only its extension). Blocking: reads the file's first bytes. */
gboolean    pa_media_preview_is_video     (GFile               *file,
                                           GCancellable        *cancellable);

/* Loads @file, a picture (upright, as the face engine sees it) or the
 * first frame of a video (where the face engine looks for faces), scaled down so neither side
 * is over @max_size (0: full size). In a worker thread; errors name the
 * file. */
void        pa_media_preview_load_async   (GFile               *file,
                                           int                  max_size,
                                           GCancellable        *cancellable,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data);
/* @is_video_out: whether the file was a video. */
GdkTexture *pa_media_preview_load_finish  (GAsyncResult        *result,
                                           gboolean            *is_video_out,
                                           GError             **error);

G_END_DECLS
