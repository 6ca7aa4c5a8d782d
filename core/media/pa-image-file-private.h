/* pa-image-file-private.h — what the picture file code shares: opening,
 * sniffing, and following the structure of PNG and JPEG files
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined(PA_MEDIA_COMPILATION)
# error "pa-image-file-private.h is private to core/media"
#endif

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

#include "pa-error.h"

G_BEGIN_DECLS

/* Sets @error to @format, whose first conversion is the file's name and
 * whose others take the arguments that follow: the translated sentence
 * puts the name where its language wants it, and no text from the file
 * is ever used as a format. */
#define pa_image_file_error(error, code, file, format, ...)              \
  G_STMT_START {                                                        \
    g_autofree char *pa_name_ = g_file_get_parse_name (file);           \
    g_set_error ((error), PA_ERROR, (code), (format), pa_name_, ##__VA_ARGS__); \
  } G_STMT_END

int         pa_image_file_open_regular      (GFile         *file,
                                             goffset       *size_out,
                                             GError       **error);
gssize      pa_image_file_read_some         (int            fd,
                                             guint8        *buffer,
                                             gsize          size);

/* The gdk-pixbuf name of the picture format the bytes start with ("png",
 * "jpeg", "gif", "webp", "tiff", "bmp"), or NULL. */
const char *pa_image_file_sniff             (const guint8  *data,
                                             gsize          size);
void        pa_image_file_set_not_a_picture (GError       **error,
                                             GFile         *file,
                                             const guint8  *data,
                                             gsize          size);

/* 8-bit RGB, any alpha laid onto white. */
GdkPixbuf  *pa_image_file_flatten           (GdkPixbuf     *pixbuf);

/* Follows the chunks of a PNG (to IEND) or the segments and entropy-coded
 * data of a JPEG (to EOI) as the bytes go by, in constant memory and
 * without trusting any length beyond skipping it: tells a whole file from
 * a truncated one, and catches bytes that break the structure. Other
 * formats are left to their decoder (always PA_STRUCTURE_COMPLETE). */
typedef enum {
  PA_STRUCTURE_INCOMPLETE,
  PA_STRUCTURE_COMPLETE,
  PA_STRUCTURE_BROKEN,
} PaStructureState;

typedef struct {
  int      kind;
  int      step;
  guint8   marker;
  guint8   header[8];
  guint    header_len;
  guint64  skip;
  PaStructureState state;
} PaStructure;

void             pa_structure_init  (PaStructure  *self,
                                     const char   *format);
PaStructureState pa_structure_feed  (PaStructure  *self,
                                     const guint8 *data,
                                     gsize         size);
PaStructureState pa_structure_state (PaStructure  *self);

/* Inserts a JPEG comment (COM) segment holding @text right after the
 * SOI marker of @jpeg; NULL when @jpeg does not start with SOI or @text
 * is too long for one segment. */
GBytes          *pa_jpeg_insert_comment (const guint8 *jpeg,
                                         gsize         size,
                                         const char   *text);

G_END_DECLS
