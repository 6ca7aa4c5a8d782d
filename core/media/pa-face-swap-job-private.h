/* pa-face-swap-job-private.h — what the face swap job's files share:
 * telling pictures from videos by their bytes
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_MEDIA_COMPILATION)
# error "pa-face-swap-job-private.h is private to core/media: use pa-face-swap-job.h"
#endif

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "pa-pixels.h"

G_BEGIN_DECLS

typedef enum {
  PA_MEDIA_KIND_IMAGE,
  PA_MEDIA_KIND_VIDEO,
} PaMediaKind;

/* "image" or "video": the assets table's kinds. */
const char *pa_media_kind_to_string (PaMediaKind kind);

/* How messages name @file: its path as the user would type it. */
char       *pa_media_describe_file  (GFile        *file);

/* What @file is, from its bytes, never its extension: a picture
 * (checked by its header, size included, with @width, @height and
 * @format_out filled) or a video (by its container's signature; with
 * @video_allowed FALSE that is an error naming the file). Anything else
 * fails with the picture loader's message, which names the file and
 * says what is wrong with it. Blocking. */
gboolean    pa_media_classify_file  (GFile         *file,
                                     gboolean       video_allowed,
                                     PaMediaKind   *kind_out,
                                     int           *width,
                                     int           *height,
                                     char         **format_out,
                                     GCancellable  *cancellable,
                                     GError       **error);

/* A view of @pixbuf's pixels (made writable and unshared first). */
PaPixels    pa_media_pixels_of      (GdkPixbuf    *pixbuf);

G_END_DECLS
