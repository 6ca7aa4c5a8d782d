/* pa-image-file.c — reads pictures with their size checked first, writes
 * them whole or not at all, with the face-swap mark
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-compat.h"
#include "pa-error.h"

#include "pa-image-file.h"
#include "pa-image-file-private.h"

/* Bytes handed to the decoder at a time; the cancellable is checked
 * between them. */
#define READ_CHUNK (64 * 1024)

/* ---- opening ------------------------------------------------------------- */

/* Opens @file for reading only when it is a regular file, after a stat:
 * a pipe would block the open and the reads forever, a device could be
 * endless, and a folder is a common slip of the user. The file is opened
 * without blocking and checked again on the open descriptor, so a file
 * swapped between the stat and the open is caught too. Returns the
 * descriptor, or -1. */
int
pa_image_file_open_regular (GFile    *file,
                            goffset  *size_out,
                            GError  **error)
{
  g_autofree char *path = g_file_get_path (file);
  GStatBuf before;
  GStatBuf after;
  int saved_errno;
  int fd;

  if (path == NULL)
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is not on a local disk: copy it to a folder on this computer first"));
      return -1;
    }

  if (g_stat (path, &before) != 0)
    {
      saved_errno = errno;
      if (saved_errno == ENOENT || saved_errno == ENOTDIR)
        pa_image_file_error (error, PA_ERROR_NOT_FOUND, file,
                             _("“%s” does not exist"));
      else
        pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                             _("Could not read “%s”: %s"), g_strerror (saved_errno));
      return -1;
    }

  if (S_ISDIR (before.st_mode))
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is a folder, not a file"));
      return -1;
    }
  if (!S_ISREG (before.st_mode))
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is not a regular file (it is a pipe, a socket or a device)"));
      return -1;
    }
  if (before.st_size == 0)
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is empty (0 bytes)"));
      return -1;
    }

  fd = g_open (path, O_RDONLY | PA_COMPAT_O_CLOEXEC | PA_COMPAT_O_NONBLOCK, 0);
  if (fd < 0)
    {
      saved_errno = errno;
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("Could not read “%s”: %s"), g_strerror (saved_errno));
      return -1;
    }

  if (pa_compat_fstat (fd, &after) != 0
      || !S_ISREG (after.st_mode)
      || after.st_dev != before.st_dev
      || after.st_ino != before.st_ino)
    {
      close (fd);
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” changed while it was being opened: try again"));
      return -1;
    }

  /* Regular files never block; the flag only mattered for the open. */
  pa_compat_set_blocking (fd);

  if (size_out != NULL)
    *size_out = after.st_size;
  return fd;
}

/* Reads up to @size bytes, retrying on EINTR; -1 on error with errno. */
gssize
pa_image_file_read_some (int     fd,
                         guint8 *buffer,
                         gsize   size)
{
  gssize n;

  do
    n = read (fd, buffer, size);
  while (n < 0 && errno == EINTR);

  return n;
}

/* ---- what the bytes are -------------------------------------------------- */

const char *
pa_image_file_sniff (const guint8 *data,
                     gsize         size)
{
  static const guint8 png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  if (size >= sizeof png && memcmp (data, png, sizeof png) == 0)
    return "png";
  if (size >= 3 && data[0] == 0xff && data[1] == 0xd8 && data[2] == 0xff)
    return "jpeg";
  if (size >= 6 && (memcmp (data, "GIF87a", 6) == 0 || memcmp (data, "GIF89a", 6) == 0))
    return "gif";
  if (size >= 12 && memcmp (data, "RIFF", 4) == 0 && memcmp (data + 8, "WEBP", 4) == 0)
    return "webp";
  if (size >= 4 && (memcmp (data, "II*\0", 4) == 0 || memcmp (data, "MM\0*", 4) == 0))
    return "tiff";
  if (size >= 14 && data[0] == 'B' && data[1] == 'M')
    return "bmp";
  return NULL;
}

/* What a file that is not a picture we read seems to be, from the MIME
 * type the shared MIME database guesses from its bytes. (Not
 * g_content_type_get_description(): in GLib 2.74 a guess made after it
 * leaks the MIME data it reloads.) */
static const struct {
  const char *type;
  const char *what;
} known_types[] = {
  { "text/plain", N_("plain text") },
  { "text/html", N_("a web page (HTML)") },
  { "application/xml", N_("an XML document") },
  { "application/json", N_("JSON data") },
  { "application/pdf", N_("a PDF document") },
  { "application/zip", N_("a ZIP archive") },
  { "application/gzip", N_("a compressed (gzip) file") },
  { "image/svg+xml", N_("an SVG drawing (export it as PNG first)") },
  { "image/heif", N_("a HEIF photo (convert it to JPEG first)") },
  { "image/avif", N_("an AVIF picture (convert it to PNG or JPEG first)") },
};

void
pa_image_file_set_not_a_picture (GError       **error,
                                 GFile         *file,
                                 const guint8  *data,
                                 gsize          size)
{
  g_autofree char *type = g_content_type_guess (NULL, data, size, NULL);
  g_autofree char *mime = type != NULL ? g_content_type_get_mime_type (type) : NULL;
  const char *what = NULL;

  for (guint i = 0; mime != NULL && i < G_N_ELEMENTS (known_types); i++)
    if (g_str_equal (mime, known_types[i].type))
      what = _(known_types[i].what);

  if (what == NULL && mime != NULL)
    {
      if (g_str_has_prefix (mime, "video/"))
        what = _("a video");
      else if (g_str_has_prefix (mime, "audio/"))
        what = _("a sound file");
      else if (g_str_has_prefix (mime, "image/"))
        what = _("a picture in a format this computer cannot read (convert it to PNG or JPEG first)");
      else if (g_str_has_prefix (mime, "text/"))
        what = _("text");
    }

  if (what != NULL)
    pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                         _("“%s” is not a picture: it looks like %s"), what);
  else if (mime != NULL && !g_content_type_is_unknown (type))
    pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                         _("“%s” is not a picture: it looks like a file of type %s"), mime);
  else
    pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                         _("“%s” is not a picture: its bytes match no picture format"));
}

/* ---- loading ------------------------------------------------------------- */

typedef struct {
  int       width;
  int       height;
  gboolean  header_seen;
  gboolean  too_large;
  gboolean  header_only;
} HeaderCheck;

static gboolean
size_is_acceptable (int width,
                    int height)
{
  return width > 0 && height > 0
         && width <= PA_IMAGE_MAX_SIDE && height <= PA_IMAGE_MAX_SIDE
         && (gint64) width * height <= PA_IMAGE_MAX_PIXELS;
}

/* The loader emits this once the header is read and before it allocates
 * the picture. A size of 0×0 tells the decoder to stop there without
 * allocating anything (the contract of GdkPixbufModuleSizeFunc), which is
 * how a 20000×20000 picture of a few kilobytes is refused. */
static void
on_size_prepared (GdkPixbufLoader *loader,
                  int              width,
                  int              height,
                  gpointer         user_data)
{
  HeaderCheck *check = user_data;

  check->width = width;
  check->height = height;
  check->header_seen = TRUE;
  check->too_large = !size_is_acceptable (width, height);

  if (check->too_large || check->header_only)
    gdk_pixbuf_loader_set_size (loader, 0, 0);
}

/* Only PNG and JPEG are decoded: the face swap reads photographs, and
 * gdk-pixbuf's loaders for the other formats are less hardened (its BMP
 * loader, fed a crafted header, asks for 2 GB before the size is ever
 * reported). Those are recognised, to say what they are. */
static gboolean
format_is_read (const char *format)
{
  return g_str_equal (format, "png") || g_str_equal (format, "jpeg");
}

static void
set_too_large (GError      **error,
               GFile        *file,
               HeaderCheck  *check)
{
  pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                       _("“%s” is too large: %d × %d pixels. Pictures up to %d pixels a side and %d megapixels can be used."),
                       check->width, check->height,
                       PA_IMAGE_MAX_SIDE, PA_IMAGE_MAX_PIXELS / (1024 * 1024));
}

static void
set_truncated (GError **error,
               GFile   *file)
{
  pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                       _("“%s” is truncated: the file ends before the picture does (an unfinished download or copy?)"));
}

static void
set_corrupt (GError     **error,
             GFile       *file,
             const char  *why)
{
  if (why != NULL)
    pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                         _("“%s” is damaged and cannot be read: %s"), why);
  else
    pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                         _("“%s” is damaged and cannot be read"));
}

/* Reads @file through a GdkPixbufLoader for the format its bytes show,
 * in chunks: the header is checked before any pixel is decoded, the
 * structure of PNG and JPEG files is followed alongside to tell a
 * truncated or damaged file from a whole one (the JPEG decoder would fill
 * the missing part with grey and only warn), and @cancellable is checked
 * between chunks. With @header_only, it stops after the header and
 * returns NULL with no error. */
static GdkPixbuf *
read_picture (GFile         *file,
              gboolean       header_only,
              HeaderCheck   *check,
              const char   **format_out,
              GCancellable  *cancellable,
              GError       **error)
{
  g_autoptr(GdkPixbufLoader) loader = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree guint8 *buffer = NULL;
  PaStructure structure;
  const char *format;
  gboolean first = TRUE;
  gboolean ok = TRUE;
  GdkPixbuf *pixbuf;
  int fd;

  check->header_only = header_only;

  fd = pa_image_file_open_regular (file, NULL, error);
  if (fd < 0)
    return NULL;

  buffer = g_malloc (READ_CHUNK);
  for (;;)
    {
      gssize n;

      if (g_cancellable_is_cancelled (cancellable))
        {
          pa_image_file_error (error, PA_ERROR_CANCELLED, file,
                               _("Reading “%s” was cancelled"));
          ok = FALSE;
          break;
        }

      n = pa_image_file_read_some (fd, buffer, READ_CHUNK);
      if (n < 0)
        {
          int saved_errno = errno;

          pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                               _("Could not read “%s”: %s"), g_strerror (saved_errno));
          ok = FALSE;
          break;
        }
      if (n == 0)
        break;

      if (first)
        {
          first = FALSE;
          format = pa_image_file_sniff (buffer, n);
          if (format == NULL)
            {
              pa_image_file_set_not_a_picture (error, file, buffer, n);
              ok = FALSE;
              break;
            }
          if (!format_is_read (format))
            {
              g_autofree char *upper = g_ascii_strup (format, -1);

              pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                                   _("“%s” is a %s picture, which cannot be used here: convert it to PNG or JPEG first"),
                                   upper);
              ok = FALSE;
              break;
            }
          pa_structure_init (&structure, format);
          loader = gdk_pixbuf_loader_new_with_type (format, &local_error);
          if (loader == NULL)
            {
              pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                                   _("“%s” cannot be read: %s"), local_error->message);
              ok = FALSE;
              break;
            }
          g_signal_connect (loader, "size-prepared", G_CALLBACK (on_size_prepared), check);
          if (format_out != NULL)
            *format_out = format;
        }

      if (pa_structure_feed (&structure, buffer, n) == PA_STRUCTURE_BROKEN)
        {
          set_corrupt (error, file, NULL);
          ok = FALSE;
          break;
        }

      if (!gdk_pixbuf_loader_write (loader, buffer, n, &local_error))
        {
          if (check->too_large)
            set_too_large (error, file, check);
          else if (!(check->header_only && check->header_seen))
            set_corrupt (error, file, local_error->message);
          g_clear_error (&local_error);
          ok = check->header_only && check->header_seen && !check->too_large;
          break;
        }
      if (check->too_large)
        {
          set_too_large (error, file, check);
          ok = FALSE;
          break;
        }
      if (check->header_only && check->header_seen)
        break;
    }
  close (fd);

  if (loader != NULL)
    {
      /* Closing an unfinished loader makes it report an error, which is
       * expected when stopping early and otherwise the verdict on the
       * file. */
      gboolean closed = gdk_pixbuf_loader_close (loader, &local_error);

      if (!ok || (header_only && check->header_seen))
        return NULL;

      if (header_only)
        {
          /* The whole file went by without a header. */
          if (pa_structure_state (&structure) == PA_STRUCTURE_INCOMPLETE)
            set_truncated (error, file);
          else
            set_corrupt (error, file, local_error != NULL ? local_error->message : NULL);
          return NULL;
        }

      if (pa_structure_state (&structure) == PA_STRUCTURE_INCOMPLETE)
        {
          set_truncated (error, file);
          return NULL;
        }
      if (!closed)
        {
          if (check->too_large)
            set_too_large (error, file, check);
          else
            set_corrupt (error, file, local_error->message);
          return NULL;
        }

      pixbuf = gdk_pixbuf_loader_get_pixbuf (loader);
      if (pixbuf == NULL)
        {
          set_corrupt (error, file, NULL);
          return NULL;
        }
      return g_object_ref (pixbuf);
    }

  if (ok)
    {
      /* The size was not 0 at the stat, and is now. */
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” is empty (0 bytes)"));
    }
  return NULL;
}

/* A copy of @pixbuf as 8-bit RGB, each pixel's alpha laid onto white. */
GdkPixbuf *
pa_image_file_flatten (GdkPixbuf *pixbuf)
{
  int width = gdk_pixbuf_get_width (pixbuf);
  int height = gdk_pixbuf_get_height (pixbuf);
  int channels = gdk_pixbuf_get_n_channels (pixbuf);
  int in_stride = gdk_pixbuf_get_rowstride (pixbuf);
  const guint8 *in = gdk_pixbuf_read_pixels (pixbuf);
  GdkPixbuf *rgb;
  guint8 *out;
  int out_stride;

  g_return_val_if_fail (gdk_pixbuf_get_bits_per_sample (pixbuf) == 8, NULL);
  g_return_val_if_fail (channels == 3 || channels == 4, NULL);

  rgb = gdk_pixbuf_new (GDK_COLORSPACE_RGB, FALSE, 8, width, height);
  if (rgb == NULL)
    return NULL;
  out = gdk_pixbuf_get_pixels (rgb);
  out_stride = gdk_pixbuf_get_rowstride (rgb);

  for (int y = 0; y < height; y++)
    {
      const guint8 *s = in + (gsize) y * in_stride;
      guint8 *d = out + (gsize) y * out_stride;

      for (int x = 0; x < width; x++, s += channels, d += 3)
        {
          guint a = channels == 4 ? s[3] : 255;

          for (int c = 0; c < 3; c++)
            d[c] = (guint8) ((s[c] * a + 255 * (255 - a) + 127) / 255);
        }
    }
  return rgb;
}

GdkPixbuf *
pa_image_file_load (GFile         *file,
                    GCancellable  *cancellable,
                    GError       **error)
{
  HeaderCheck check = { 0 };
  g_autoptr(GdkPixbuf) decoded = NULL;
  g_autoptr(GdkPixbuf) upright = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  decoded = read_picture (file, FALSE, &check, NULL, cancellable, error);
  if (decoded == NULL)
    return NULL;

  upright = gdk_pixbuf_apply_embedded_orientation (decoded);
  if (upright == NULL)
    {
      pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                           _("“%s” could not be turned upright: out of memory"));
      return NULL;
    }

  if (gdk_pixbuf_get_n_channels (upright) == 3 && !gdk_pixbuf_get_has_alpha (upright))
    return g_steal_pointer (&upright);

  return pa_image_file_flatten (upright);
}

gboolean
pa_image_file_probe (GFile  *file,
                     int    *width,
                     int    *height,
                     char  **format_out,
                     GError **error)
{
  HeaderCheck check = { 0 };
  g_autoptr(GError) local_error = NULL;
  const char *format = NULL;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  read_picture (file, TRUE, &check, &format, NULL, &local_error);
  if (local_error != NULL)
    {
      g_propagate_error (error, g_steal_pointer (&local_error));
      return FALSE;
    }

  if (width != NULL)
    *width = check.width;
  if (height != NULL)
    *height = check.height;
  if (format_out != NULL)
    *format_out = g_strdup (format);
  return TRUE;
}
