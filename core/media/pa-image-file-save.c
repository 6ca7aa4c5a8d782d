/* pa-image-file-save.c — writes pictures whole or not at all, with the
 * face-swap mark
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

/* ---- saving -------------------------------------------------------------- */

/* gdk-pixbuf writes a tEXt chunk for a "tEXt::" option. PNG allows keys of
 * 1 to 79 Latin-1 letters and spaces, and a tEXt value in Latin-1: the
 * mark's key and value are plain ASCII. */
G_STATIC_ASSERT (sizeof PA_MEDIA_MARK_KEY - 1 >= 1 && sizeof PA_MEDIA_MARK_KEY - 1 <= 79);

#define JPEG_QUALITY "92"
#define WRITE_CHUNK (1024 * 1024)

const char *
pa_image_file_format_for (GFile   *file,
                          GError **error)
{
  g_autofree char *basename = NULL;
  const char *dot;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  basename = g_file_get_basename (file);
  dot = basename != NULL ? strrchr (basename, '.') : NULL;
  if (dot != NULL && g_ascii_strcasecmp (dot, ".png") == 0)
    return "png";
  if (dot != NULL && (g_ascii_strcasecmp (dot, ".jpg") == 0 || g_ascii_strcasecmp (dot, ".jpeg") == 0))
    return "jpeg";

  pa_image_file_error (error, PA_ERROR_INVALID_INPUT, file,
                       _("Cannot save “%s”: pictures are saved as PNG (.png) or JPEG (.jpg, .jpeg); give the file one of those extensions"));
  return NULL;
}

/* The file's bytes, with the mark: a tEXt chunk in a PNG, a COM segment
 * right after SOI in a JPEG (gdk-pixbuf's JPEG writer has no option for
 * comments, so the segment is spliced into its output). */
static GBytes *
encode_marked (GdkPixbuf   *pixbuf,
               GFile       *file,
               const char  *format,
               GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GdkPixbuf) flat = NULL;
  g_autofree char *data = NULL;
  GBytes *marked;
  gsize size = 0;
  gboolean ok;

  if (g_str_equal (format, "png"))
    {
      char *keys[] = { (char *) "tEXt::" PA_MEDIA_MARK_KEY, NULL };
      char *values[] = { (char *) PA_MEDIA_MARK_VALUE, NULL };

      ok = gdk_pixbuf_save_to_bufferv (pixbuf, &data, &size, "png", keys, values, &local_error);
    }
  else
    {
      char *keys[] = { (char *) "quality", NULL };
      char *values[] = { (char *) JPEG_QUALITY, NULL };

      /* JPEG has no alpha: lay it onto white as loading does. */
      if (gdk_pixbuf_get_has_alpha (pixbuf))
        pixbuf = flat = pa_image_file_flatten (pixbuf);
      ok = pixbuf != NULL
           && gdk_pixbuf_save_to_bufferv (pixbuf, &data, &size, "jpeg", keys, values, &local_error);
    }

  if (!ok)
    {
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: the picture could not be encoded (%s)"),
                           local_error != NULL ? local_error->message : g_strerror (ENOMEM));
      return NULL;
    }

  if (g_str_equal (format, "png"))
    return g_bytes_new_take (g_steal_pointer (&data), size);

  marked = pa_jpeg_insert_comment ((const guint8 *) data, size,
                                   PA_MEDIA_MARK_KEY "=" PA_MEDIA_MARK_VALUE);
  if (marked == NULL)
    pa_image_file_error (error, PA_ERROR_STORAGE, file,
                         _("Could not save “%s”: the JPEG encoder wrote no start of image"));
  return marked;
}

/* Says why writing in @folder failed, in the user's words. */
static void
set_save_error (GError     **error,
                GFile       *file,
                const char  *folder,
                int          errsv)
{
  g_autofree char *folder_name = g_filename_display_name (folder);

  switch (errsv)
    {
    case ENOENT:
      /* Some file systems (/proc, /sys) answer ENOENT to a new file in a
       * folder that is there. */
      if (g_file_test (folder, G_FILE_TEST_IS_DIR))
        pa_image_file_error (error, PA_ERROR_STORAGE, file,
                             _("Could not save “%s”: files cannot be made in the folder “%s”"),
                             folder_name);
      else
        pa_image_file_error (error, PA_ERROR_STORAGE, file,
                             _("Could not save “%s”: the folder “%s” does not exist"), folder_name);
      break;
    case ENOTDIR:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: “%s” is not a folder"), folder_name);
      break;
    case EACCES:
    case EPERM:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: you are not allowed to write in the folder “%s”"),
                           folder_name);
      break;
    case EROFS:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: the folder “%s” is read-only"), folder_name);
      break;
    case ENOSPC:
    case PA_COMPAT_EDQUOT:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: the disk is full. Free some space and try again."));
      break;
    case EISDIR:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: a folder has that name"));
      break;
    default:
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: %s"), g_strerror (errsv));
      break;
    }
}

static gboolean
write_all (int            fd,
           const guint8  *data,
           gsize          size,
           GCancellable  *cancellable,
           int           *errsv)
{
  gsize done = 0;

  while (done < size)
    {
      gssize n;

      if (g_cancellable_is_cancelled (cancellable))
        {
          *errsv = ECANCELED;
          return FALSE;
        }

      n = write (fd, data + done, MIN (size - done, WRITE_CHUNK));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          *errsv = errno;
          return FALSE;
        }
      done += n;
    }
  return TRUE;
}

/* Makes the rename itself durable; a folder that cannot be synced (some
 * network file systems) changes nothing about the file, which is whole. */
static void
sync_folder (const char *folder)
{
  pa_compat_sync_folder (folder);
}

/* Writes @bytes to ".NAME.XXXXXX.tmp" in @path's folder, syncs it, and
 * renames it over @path: readers see the old file or the new one, never
 * a part. Any failure removes the temporary file; @path is untouched
 * until the rename. */
static gboolean
replace_atomically (GFile         *file,
                    const char    *path,
                    GBytes        *bytes,
                    GCancellable  *cancellable,
                    GError       **error)
{
  g_autofree char *folder = g_path_get_dirname (path);
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *tmp_path = NULL;
  GStatBuf existing;
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (bytes, &size);
  int errsv = 0;
  int fd;

  /* The name with ".", ".XXXXXX.tmp" around it must still fit in the
   * 255 bytes a name may have. */
  if (strlen (basename) > 200)
    basename[200] = '\0';
  tmp_path = g_strdup_printf ("%s%c.%s.XXXXXX.tmp", folder, G_DIR_SEPARATOR, basename);

  fd = g_mkstemp_full (tmp_path, O_RDWR | PA_COMPAT_O_CLOEXEC, 0666);
  if (fd < 0)
    {
      set_save_error (error, file, folder, errno);
      return FALSE;
    }

  /* A file that is replaced keeps its permissions. */
  if (g_stat (path, &existing) == 0 && S_ISREG (existing.st_mode))
    pa_compat_fchmod (fd, existing.st_mode & 07777);

  if (!write_all (fd, data, size, cancellable, &errsv))
    {
      close (fd);
      goto failed;
    }
  if (g_fsync (fd) != 0)
    {
      errsv = errno;
      close (fd);
      goto failed;
    }
  if (close (fd) != 0)
    {
      errsv = errno;
      goto failed;
    }
  if (g_cancellable_is_cancelled (cancellable))
    {
      errsv = ECANCELED;
      goto failed;
    }
  if (g_rename (tmp_path, path) != 0)
    {
      errsv = errno;
      goto failed;
    }

  sync_folder (folder);
  return TRUE;

failed:
  g_unlink (tmp_path);
  if (errsv == ECANCELED)
    pa_image_file_error (error, PA_ERROR_CANCELLED, file,
                         _("Saving “%s” was cancelled"));
  else
    set_save_error (error, file, folder, errsv);
  return FALSE;
}

gboolean
pa_image_file_save_marked (GdkPixbuf     *pixbuf,
                           GFile         *file,
                           GCancellable  *cancellable,
                           GError       **error)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autofree char *path = NULL;
  const char *format;

  g_return_val_if_fail (GDK_IS_PIXBUF (pixbuf), FALSE);
  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  format = pa_image_file_format_for (file, error);
  if (format == NULL)
    return FALSE;

  path = g_file_get_path (file);
  if (path == NULL)
    {
      pa_image_file_error (error, PA_ERROR_STORAGE, file,
                           _("Could not save “%s”: pictures can only be saved in a folder on this computer"));
      return FALSE;
    }

  if (g_cancellable_is_cancelled (cancellable))
    {
      pa_image_file_error (error, PA_ERROR_CANCELLED, file,
                           _("Saving “%s” was cancelled"));
      return FALSE;
    }

  bytes = encode_marked (pixbuf, file, format, error);
  if (bytes == NULL)
    return FALSE;

  return replace_atomically (file, path, bytes, cancellable, error);
}
