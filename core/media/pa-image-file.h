/* pa-image-file.h — reads pictures with their size checked first, writes
 * them whole or not at all, with the face-swap mark
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

/* Pictures larger than this (either side, or in total pixels) are refused
 * from their header, before any pixel is decoded. */
#define PA_IMAGE_MAX_SIDE    16384
#define PA_IMAGE_MAX_PIXELS  (64 * 1024 * 1024)

/* The mark every face-swapped output carries, machine-readable:
 * a PNG tEXt chunk with this key, a JPEG COM segment starting with
 * PA_MEDIA_MARK_KEY "=", and in video the container's comment tag. The
 * value is PA_MEDIA_MARK_VALUE. The key names IPTC's digital source type
 * for media made with a trained algorithm. */
#define PA_MEDIA_MARK_KEY    "DigitalSourceType"
#define PA_MEDIA_MARK_VALUE  "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"

/* Loads @file as 8-bit RGB (any alpha flattened onto white), turned
 * upright by its EXIF orientation. The format is read from the bytes,
 * never from the extension. Errors name the file and say what is wrong,
 * as PA_ERROR_INVALID_INPUT: empty, not a regular file (a folder, a
 * pipe), not a picture (whatever its extension), a picture format other
 * than PNG and JPEG, too large (by its header, before any pixel is
 * decoded), truncated or corrupt. PA_ERROR_NOT_FOUND when it does not exist,
 * PA_ERROR_CANCELLED when @cancellable fires. Only files with a local
 * path are read. Blocking: call from a worker thread. */
GdkPixbuf  *pa_image_file_load         (GFile          *file,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* Reads only the header: width and height as stored (before the EXIF
 * orientation, which may swap them), and the format's name ("png",
 * "jpeg", …). Fails as pa_image_file_load() does, too large included. */
gboolean    pa_image_file_probe        (GFile          *file,
                                        int            *width,
                                        int            *height,
                                        char          **format_out,
                                        GError        **error);

/* The format to write @file as, from its extension: "png" or "jpeg"
 * (.jpg, .jpeg); NULL with PA_ERROR_INVALID_INPUT for any other. */
const char *pa_image_file_format_for   (GFile          *file,
                                        GError        **error);

/* Writes @pixbuf to @file as png or jpeg (by extension; JPEG at quality
 * 92, alpha laid onto white) with the face-swap mark. The bytes go to a
 * hidden temporary file (".NAME.XXXXXX.tmp") in the same folder, synced,
 * which replaces @file only when complete; on any failure (read-only
 * folder, full disk, cancel) the temporary file is removed and an
 * existing @file is left as it was. Errors name the file and say why, as
 * PA_ERROR_STORAGE (PA_ERROR_INVALID_INPUT for an unsupported extension,
 * PA_ERROR_CANCELLED). Blocking. */
gboolean    pa_image_file_save_marked  (GdkPixbuf      *pixbuf,
                                        GFile          *file,
                                        GCancellable   *cancellable,
                                        GError        **error);

/* TRUE when @file (png, jpeg, or a video container) carries the mark:
 * the tEXt chunks before a PNG's pixels, the COM segments before a
 * JPEG's first scan, a video's comment or extended comment tags (read
 * with GStreamer's discoverer). No size in the file is trusted. FALSE
 * with an error when @file cannot be read or is neither a picture nor a
 * video; FALSE without one when it simply has no mark. Blocking. */
gboolean    pa_media_file_has_mark     (GFile          *file,
                                        GError        **error);

G_END_DECLS
