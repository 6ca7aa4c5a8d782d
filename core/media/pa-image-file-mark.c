/* pa-image-file-mark.c — the structure of PNG and JPEG files, followed
 * without trusting them: truncation, the face-swap mark
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "pa-compat.h"
#include "pa-image-file.h"
#include "pa-image-file-private.h"

#define MARK_TEXT PA_MEDIA_MARK_KEY "=" PA_MEDIA_MARK_VALUE

/* A JPEG segment holds at most 65533 bytes after its length. */
G_STATIC_ASSERT (sizeof MARK_TEXT - 1 <= 65533);

/* How far the mark is looked for: metadata sits in the first chunks or
 * segments; a file that has more before its pixels is not ours. */
#define MAX_CHUNKS 4096

/* ---- following the structure --------------------------------------------- */

enum {
  KIND_OTHER,
  KIND_PNG,
  KIND_JPEG,
};

enum {
  PNG_SIGNATURE,
  PNG_CHUNK_HEADER,
  PNG_CHUNK_BODY,
  JPEG_SOI,
  JPEG_MARKER_FF,
  JPEG_MARKER_CODE,
  JPEG_LENGTH,
  JPEG_SEGMENT_BODY,
  JPEG_ENTROPY,
  JPEG_ENTROPY_FF,
};

static const guint8 png_signature[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

void
pa_structure_init (PaStructure *self,
                   const char  *format)
{
  memset (self, 0, sizeof *self);
  self->state = PA_STRUCTURE_INCOMPLETE;

  if (g_strcmp0 (format, "png") == 0)
    {
      self->kind = KIND_PNG;
      self->step = PNG_SIGNATURE;
    }
  else if (g_strcmp0 (format, "jpeg") == 0)
    {
      self->kind = KIND_JPEG;
      self->step = JPEG_SOI;
    }
  else
    {
      self->kind = KIND_OTHER;
      self->state = PA_STRUCTURE_COMPLETE;
    }
}

PaStructureState
pa_structure_state (PaStructure *self)
{
  return self->state;
}

/* Markers that may come between the scans of a JPEG (progressive files
 * have several): tables, restart interval, comments, application data. */
static gboolean
jpeg_marker_between_scans (guint8 marker)
{
  return marker == 0xc4 || marker == 0xcc || marker == 0xda || marker == 0xdb
         || marker == 0xdc || marker == 0xdd || marker == 0xfe
         || (marker >= 0xe0 && marker <= 0xef);
}

static gboolean
png_type_is_valid (const guint8 *type)
{
  for (int i = 0; i < 4; i++)
    if (!g_ascii_isalpha (type[i]))
      return FALSE;
  return TRUE;
}

/* Copies bytes into the small header buffer until it holds @want;
 * returns TRUE then. */
static gboolean
fill_header (PaStructure   *self,
             guint          want,
             const guint8 **p,
             const guint8  *end)
{
  while (self->header_len < want && *p < end)
    self->header[self->header_len++] = *(*p)++;
  return self->header_len == want;
}

static PaStructureState
broken (PaStructure *self)
{
  self->state = PA_STRUCTURE_BROKEN;
  return self->state;
}

PaStructureState
pa_structure_feed (PaStructure  *self,
                   const guint8 *data,
                   gsize         size)
{
  const guint8 *p = data;
  const guint8 *end = data + size;

  while (p < end && self->state == PA_STRUCTURE_INCOMPLETE)
    {
      switch (self->step)
        {
        case PNG_SIGNATURE:
          if (!fill_header (self, 8, &p, end))
            break;
          if (memcmp (self->header, png_signature, 8) != 0)
            return broken (self);
          self->header_len = 0;
          self->step = PNG_CHUNK_HEADER;
          break;

        case PNG_CHUNK_HEADER:
          {
            guint32 length;

            if (!fill_header (self, 8, &p, end))
              break;
            length = ((guint32) self->header[0] << 24) | ((guint32) self->header[1] << 16)
                     | ((guint32) self->header[2] << 8) | self->header[3];
            /* The PNG specification caps a chunk at 2^31 - 1 bytes. */
            if (length > G_MAXINT32 || !png_type_is_valid (self->header + 4))
              return broken (self);
            self->marker = memcmp (self->header + 4, "IEND", 4) == 0;
            self->skip = (guint64) length + 4;  /* and the CRC */
            self->header_len = 0;
            self->step = PNG_CHUNK_BODY;
          }
          break;

        case PNG_CHUNK_BODY:
          {
            guint64 n = MIN (self->skip, (guint64) (end - p));

            p += n;
            self->skip -= n;
            if (self->skip == 0)
              {
                if (self->marker)
                  self->state = PA_STRUCTURE_COMPLETE;
                self->step = PNG_CHUNK_HEADER;
              }
          }
          break;

        case JPEG_SOI:
          if (!fill_header (self, 2, &p, end))
            break;
          if (self->header[0] != 0xff || self->header[1] != 0xd8)
            return broken (self);
          self->header_len = 0;
          self->step = JPEG_MARKER_FF;
          break;

        case JPEG_MARKER_FF:
          if (*p++ != 0xff)
            return broken (self);
          self->step = JPEG_MARKER_CODE;
          break;

        case JPEG_MARKER_CODE:
          {
            guint8 code = *p++;

            if (code == 0xff)
              break;  /* fill byte */
            if (code == 0xd9)
              self->state = PA_STRUCTURE_COMPLETE;
            else if ((code >= 0xd0 && code <= 0xd7) || code == 0x01)
              self->step = JPEG_MARKER_FF;
            else if (code == 0x00 || code == 0xd8)
              return broken (self);
            else
              {
                self->marker = code;
                self->step = JPEG_LENGTH;
              }
          }
          break;

        case JPEG_LENGTH:
          {
            guint length;

            if (!fill_header (self, 2, &p, end))
              break;
            length = ((guint) self->header[0] << 8) | self->header[1];
            if (length < 2)
              return broken (self);
            self->skip = length - 2;
            self->header_len = 0;
            self->step = JPEG_SEGMENT_BODY;
            if (self->skip == 0)
              self->step = self->marker == 0xda ? JPEG_ENTROPY : JPEG_MARKER_FF;
          }
          break;

        case JPEG_SEGMENT_BODY:
          {
            guint64 n = MIN (self->skip, (guint64) (end - p));

            p += n;
            self->skip -= n;
            if (self->skip == 0)
              self->step = self->marker == 0xda ? JPEG_ENTROPY : JPEG_MARKER_FF;
          }
          break;

        case JPEG_ENTROPY:
          {
            const guint8 *ff = memchr (p, 0xff, end - p);

            if (ff == NULL)
              p = end;
            else
              {
                p = ff + 1;
                self->step = JPEG_ENTROPY_FF;
              }
          }
          break;

        case JPEG_ENTROPY_FF:
          {
            guint8 code = *p++;

            if (code == 0x00 || (code >= 0xd0 && code <= 0xd7))
              self->step = JPEG_ENTROPY;  /* stuffed 0xff, or a restart */
            else if (code == 0xff)
              ;  /* fill byte */
            else if (code == 0xd9)
              self->state = PA_STRUCTURE_COMPLETE;
            else if (jpeg_marker_between_scans (code))
              {
                self->marker = code;
                self->step = JPEG_LENGTH;
              }
            else
              return broken (self);
          }
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return self->state;
}

/* ---- writing the mark ---------------------------------------------------- */

GBytes *
pa_jpeg_insert_comment (const guint8 *jpeg,
                        gsize         size,
                        const char   *text)
{
  gsize text_len = strlen (text);
  guint length = text_len + 2;
  guint8 *out;

  if (size < 2 || jpeg[0] != 0xff || jpeg[1] != 0xd8 || length > 0xffff)
    return NULL;

  /* SOI, then FF FE and the segment's length (which counts itself,
   * big-endian), the text, and the rest of the file as it was. */
  out = g_malloc (size + 4 + text_len);
  out[0] = 0xff;
  out[1] = 0xd8;
  out[2] = 0xff;
  out[3] = 0xfe;
  out[4] = length >> 8;
  out[5] = length & 0xff;
  memcpy (out + 6, text, text_len);
  memcpy (out + 6 + text_len, jpeg + 2, size - 2);

  return g_bytes_new_take (out, size + 4 + text_len);
}

/* ---- reading the mark ---------------------------------------------------- */

/* Reads exactly @size bytes at @offset; FALSE at the end of the file or
 * on an error, which for a mark check both mean "not there". */
static gboolean
read_at (int     fd,
         guint64 offset,
         guint8 *buffer,
         gsize   size)
{
  gsize done = 0;

  if (offset > G_MAXINT64 - size)
    return FALSE;

  while (done < size)
    {
      gssize n = pa_compat_pread (fd, buffer + done, size - done, offset + done);

      if (n <= 0)
        return FALSE;
      done += n;
    }
  return TRUE;
}

static gboolean
text_at_is_mark (int     fd,
                 guint64 offset,
                 gsize   length,
                 char    separator)
{
  static const gsize key_len = sizeof PA_MEDIA_MARK_KEY - 1;
  static const gsize value_len = sizeof PA_MEDIA_MARK_VALUE - 1;
  g_autofree guint8 *text = NULL;

  /* Only a text of exactly the mark's length is read, so no size in the
   * file decides how much is allocated. */
  if (length != key_len + 1 + value_len)
    return FALSE;

  text = g_malloc (length);
  return read_at (fd, offset, text, length)
         && memcmp (text, PA_MEDIA_MARK_KEY, key_len) == 0
         && text[key_len] == (guint8) separator
         && memcmp (text + key_len + 1, PA_MEDIA_MARK_VALUE, value_len) == 0;
}

/* The tEXt chunks before the pixels (IDAT). */
static gboolean
png_has_mark (int fd)
{
  guint64 offset = 8;

  for (int i = 0; i < MAX_CHUNKS; i++)
    {
      guint8 header[8];
      guint32 length;

      if (!read_at (fd, offset, header, sizeof header))
        return FALSE;
      length = ((guint32) header[0] << 24) | ((guint32) header[1] << 16)
               | ((guint32) header[2] << 8) | header[3];
      if (length > G_MAXINT32)
        return FALSE;
      if (memcmp (header + 4, "IDAT", 4) == 0 || memcmp (header + 4, "IEND", 4) == 0)
        return FALSE;
      if (memcmp (header + 4, "tEXt", 4) == 0
          && text_at_is_mark (fd, offset + 8, length, '\0'))
        return TRUE;
      offset += 8 + (guint64) length + 4;
    }
  return FALSE;
}

/* The COM segments before the first scan (SOS). */
static gboolean
jpeg_has_mark (int fd)
{
  guint64 offset = 2;

  for (int i = 0; i < MAX_CHUNKS; i++)
    {
      guint8 marker[2];
      guint8 length_bytes[2];
      guint length;

      if (!read_at (fd, offset, marker, 2) || marker[0] != 0xff)
        return FALSE;
      if (marker[1] == 0xff)
        {
          offset++;  /* fill byte */
          continue;
        }
      if (marker[1] == 0xda || marker[1] == 0xd9)
        return FALSE;
      if ((marker[1] >= 0xd0 && marker[1] <= 0xd7) || marker[1] == 0x01)
        {
          offset += 2;
          continue;
        }
      if (!read_at (fd, offset + 2, length_bytes, 2))
        return FALSE;
      length = ((guint) length_bytes[0] << 8) | length_bytes[1];
      if (length < 2)
        return FALSE;
      if (marker[1] == 0xfe && text_at_is_mark (fd, offset + 4, length - 2, '='))
        return TRUE;
      offset += 2 + length;
    }
  return FALSE;
}

/* "DigitalSourceType=…", or as an extended comment with a language,
 * "DigitalSourceType[en]=…". */
static gboolean
comment_is_mark (const char *comment)
{
  static const gsize key_len = sizeof PA_MEDIA_MARK_KEY - 1;
  const char *rest;

  if (g_strcmp0 (comment, MARK_TEXT) == 0)
    return TRUE;
  if (comment == NULL || strncmp (comment, PA_MEDIA_MARK_KEY, key_len) != 0)
    return FALSE;

  rest = comment + key_len;
  if (*rest == '[')
    {
      rest = strchr (rest, ']');
      if (rest == NULL)
        return FALSE;
      rest++;
    }
  return *rest == '=' && strcmp (rest + 1, PA_MEDIA_MARK_VALUE) == 0;
}

static gboolean
tags_have_mark (const GstTagList *tags)
{
  static const char * const names[] = { GST_TAG_COMMENT, GST_TAG_EXTENDED_COMMENT };

  if (tags == NULL)
    return FALSE;

  for (guint t = 0; t < G_N_ELEMENTS (names); t++)
    {
      guint n = gst_tag_list_get_tag_size (tags, names[t]);

      for (guint i = 0; i < n; i++)
        {
          const char *value = NULL;

          if (gst_tag_list_peek_string_index (tags, names[t], i, &value)
              && comment_is_mark (value))
            return TRUE;
        }
    }
  return FALSE;
}

/* A video container's comment tags, through GStreamer's discoverer. */
static gboolean
media_has_mark (GFile    *file,
                GError  **error)
{
  g_autoptr(GstDiscoverer) discoverer = NULL;
  g_autoptr(GstDiscovererInfo) info = NULL;
  g_autoptr(GstDiscovererStreamInfo) top = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *uri = g_file_get_uri (file);
  GList *streams;
  gboolean found = FALSE;

  if (!gst_init_check (NULL, NULL, &local_error))
    {
      pa_image_file_error (error, PA_ERROR_FAILED, file,
                           _("Could not check “%s” for the face-swap mark: GStreamer did not start (%s)"),
                           local_error->message);
      return FALSE;
    }

  discoverer = gst_discoverer_new (10 * GST_SECOND, &local_error);
  if (discoverer == NULL)
    {
      pa_image_file_error (error, PA_ERROR_FAILED, file,
                           _("Could not check “%s” for the face-swap mark: %s"),
                           local_error->message);
      return FALSE;
    }

  info = gst_discoverer_discover_uri (discoverer, uri, &local_error);
  if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK)
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is neither a picture nor a video that can be read: %s"),
                           local_error != NULL ? local_error->message : _("unknown format"));
      return FALSE;
    }

  /* The container's own tags (where muxers write a comment given to
   * them) hang on the top of the topology, which the stream list leaves
   * out; a stream's tags are checked too. */
  top = gst_discoverer_info_get_stream_info (info);
  if (top != NULL && GST_IS_DISCOVERER_CONTAINER_INFO (top))
    found = tags_have_mark (gst_discoverer_container_info_get_tags (GST_DISCOVERER_CONTAINER_INFO (top)));

  streams = gst_discoverer_info_get_stream_list (info);
  for (GList *l = streams; l != NULL && !found; l = l->next)
    {
      GstDiscovererStreamInfo *stream = l->data;

      if (GST_IS_DISCOVERER_CONTAINER_INFO (stream))
        found = tags_have_mark (gst_discoverer_container_info_get_tags (GST_DISCOVERER_CONTAINER_INFO (stream)));
      if (!found)
        found = tags_have_mark (gst_discoverer_stream_info_get_tags (stream));
    }
  gst_discoverer_stream_info_list_free (streams);

  return found;
}

gboolean
pa_media_file_has_mark (GFile   *file,
                        GError **error)
{
  guint8 head[16];
  const char *format;
  gssize n;
  int fd;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  fd = pa_image_file_open_regular (file, NULL, error);
  if (fd < 0)
    return FALSE;

  n = pa_image_file_read_some (fd, head, sizeof head);
  format = n > 0 ? pa_image_file_sniff (head, n) : NULL;
  if (g_strcmp0 (format, "png") == 0 || g_strcmp0 (format, "jpeg") == 0)
    {
      gboolean found = format[0] == 'p' ? png_has_mark (fd) : jpeg_has_mark (fd);

      close (fd);
      return found;
    }
  close (fd);

  /* A picture in a format the mark is never written in. */
  if (format != NULL)
    return FALSE;

  return media_has_mark (file, error);
}
