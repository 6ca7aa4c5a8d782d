/* pa-face-swap-cloud-files.c — the inputs of a cloud face swap checked
 * before anything is sent, and its output put in place
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-error.h"
#include "pa-private-dir.h"
#include "pa-store.h"

#include "pa-face-swap-cloud-private.h"
#include "pa-image-file.h"

/* Two swaps in the same second get different names; past this many
 * taken names something else is wrong, and the write says what. */
#define MAX_NAME_ATTEMPTS 16

void
pa_face_swap_cloud_files_clear (PaFaceSwapCloudFiles *files)
{
  g_clear_object (&files->face);
  g_clear_object (&files->target);
  g_clear_object (&files->output);
  g_clear_object (&files->media_dir);
  g_clear_pointer (&files->face_type, g_free);
  g_clear_pointer (&files->target_type, g_free);
  g_clear_pointer (&files->dest_dir, g_free);
  g_clear_pointer (&files->work_dir, g_free);
  g_clear_pointer (&files->downloaded, g_free);
  g_clear_pointer (&files->downloaded_type, g_free);
  g_clear_object (&files->written);
}

/* Everything in the work folder is ours: the downloaded output and a
 * half-written download at most. */
void
pa_face_swap_cloud_files_remove_work_dir (PaFaceSwapCloudFiles *files)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (files->work_dir == NULL)
    return;

  dir = g_dir_open (files->work_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (files->work_dir, name, NULL);

      if (g_unlink (path) != 0)
        g_debug ("Could not remove %s: %s", path, g_strerror (errno));
    }
  if (g_rmdir (files->work_dir) != 0 && errno != ENOENT)
    g_debug ("Could not remove %s: %s", files->work_dir, g_strerror (errno));
  g_clear_pointer (&files->work_dir, g_free);
}

/* ---- the inputs --------------------------------------------------------- */

static const struct {
  const char *extension;
  const char *mime;
} video_types[] = {
  { "mp4", "video/mp4" },
  { "m4v", "video/mp4" },
  { "mov", "video/quicktime" },
  { "webm", "video/webm" },
  { "mkv", "video/x-matroska" },
  { "avi", "video/x-msvideo" },
};

/* The MIME type of a video by its name, or NULL when the name is not a
 * video's. */
static const char *
video_type_of (GFile *file)
{
  g_autofree char *basename = g_file_get_basename (file);
  const char *dot = basename != NULL ? strrchr (basename, '.') : NULL;

  for (guint i = 0; dot != NULL && i < G_N_ELEMENTS (video_types); i++)
    {
      if (g_ascii_strcasecmp (dot + 1, video_types[i].extension) == 0)
        return video_types[i].mime;
    }
  return NULL;
}

/* A video is the model's to read: here only that there is something. */
static gboolean
check_video_file (GFile         *file,
                  GCancellable  *cancellable,
                  GError       **error)
{
  g_autoptr(GFileInfo) info = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *name = g_file_get_parse_name (file);

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_TYPE "," G_FILE_ATTRIBUTE_STANDARD_SIZE,
                            G_FILE_QUERY_INFO_NONE, cancellable, &local_error);
  if (info == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND, _("“%s” does not exist"), name);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("Cannot read “%s”: %s"),
                     name, local_error->message);
      return FALSE;
    }
  if (g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” is not a regular file"), name);
      return FALSE;
    }
  if (g_file_info_get_size (info) == 0)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("“%s” is empty"), name);
      return FALSE;
    }
  return TRUE;
}

/* Sets @mime_type from the format its header shows. */
static gboolean
check_picture_file (GFile   *file,
                    char   **mime_type,
                    GError **error)
{
  g_autofree char *format = NULL;
  int width;
  int height;

  if (!pa_image_file_probe (file, &width, &height, &format, error))
    return FALSE;
  *mime_type = g_strconcat ("image/", format, NULL);
  return TRUE;
}

static gboolean
check_output (PaFaceSwapCloudFiles  *files,
              GError               **error)
{
  g_autofree char *name = g_file_get_parse_name (files->output);
  g_autoptr(GFile) parent = g_file_get_parent (files->output);

  if (parent == NULL || !g_file_is_native (files->output))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Cannot write the face swap to “%s”: give a file in a local folder"), name);
      return FALSE;
    }
  if (files->video && video_type_of (files->output) == NULL)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Cannot write a video to “%s”: give it a video name, such as one ending "
                     "in .mp4"),
                   name);
      return FALSE;
    }
  if (!files->video && pa_image_file_format_for (files->output, error) == NULL)
    return FALSE;

  files->dest_dir = g_file_get_path (parent);
  return TRUE;
}

static gboolean
ensure_media_dir (PaFaceSwapCloudFiles  *files,
                  GError               **error)
{
  if (files->media_dir != NULL)
    {
      files->dest_dir = g_file_get_path (files->media_dir);
    }
  else
    {
      g_autofree char *data_dir = pa_store_resolve_data_dir (NULL);

      files->dest_dir = g_build_filename (data_dir, "media", NULL);
    }

  if (files->dest_dir == NULL)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                           _("The media folder must be a local folder"));
      return FALSE;
    }
  return pa_private_dir_ensure (files->dest_dir, _("the media folder"), error);
}

/* The inputs are read before anything is sent, so a file that cannot
 * work costs no upload and no prediction; the output's folder is checked
 * by making the work folder in it. */
gboolean
pa_face_swap_cloud_files_prepare (PaFaceSwapCloudFiles  *files,
                                  GCancellable          *cancellable,
                                  GError               **error)
{
  g_autofree char *template = NULL;

  if (!check_picture_file (files->face, &files->face_type, error))
    return FALSE;

  /* A video by its name; anything else must be a picture, which the
   * probe checks (a video under another name is "not a picture"). The
   * types are the ones the uploads declare: read here, not guessed. */
  files->video = video_type_of (files->target) != NULL;
  if (files->video)
    {
      if (!check_video_file (files->target, cancellable, error))
        return FALSE;
      files->target_type = g_strdup (video_type_of (files->target));
    }
  else if (!check_picture_file (files->target, &files->target_type, error))
    {
      return FALSE;
    }

  if (files->output != NULL ? !check_output (files, error) : !ensure_media_dir (files, error))
    return FALSE;

  /* Beside the output, so that moving the result into place is a rename;
   * hidden, so that nobody takes a half-downloaded file for a result. */
  template = g_build_filename (files->dest_dir, ".face-swap-XXXXXX", NULL);
  if (g_mkdtemp_full (template, 0700) == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("Cannot write in the folder %s: %s"),
                   files->dest_dir, g_strerror (saved_errno));
      return FALSE;
    }
  files->work_dir = g_steal_pointer (&template);
  return TRUE;
}

/* ---- the output --------------------------------------------------------- */

static GFile *
new_media_file (const char *dest_dir,
                const char *extension)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y%m%d-%H%M%S");

  for (guint attempt = 0; ; attempt++)
    {
      g_autofree char *name = g_strdup_printf ("face-swap-%s-%04x.%s", stamp,
                                               (guint) g_random_int_range (0, 0x10000), extension);
      g_autoptr(GFile) file = g_file_new_build_filename (dest_dir, name, NULL);

      if (attempt + 1 >= MAX_NAME_ATTEMPTS || !g_file_query_exists (file, NULL))
        return g_steal_pointer (&file);
    }
}

/* The downloaded file's extension, which the download chose from the
 * URL or the type: short and alphanumeric. */
static const char *
extension_of (const char *path)
{
  const char *base = strrchr (path, G_DIR_SEPARATOR);
  const char *dot = strrchr (base != NULL ? base : path, '.');

  return dot != NULL && dot[1] != '\0' ? dot + 1 : "bin";
}

/* A picture is decoded (which refuses anything that is not one, or too
 * large, whatever it claims to be) and written again with the mark. */
static gboolean
save_picture (PaFaceSwapCloudFiles  *files,
              GCancellable          *cancellable,
              GError               **error)
{
  g_autoptr(GFile) downloaded = g_file_new_for_path (files->downloaded);
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) local_error = NULL;

  pixbuf = pa_image_file_load (downloaded, cancellable, &local_error);
  if (pixbuf == NULL)
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          g_error_matches (local_error, PA_ERROR, PA_ERROR_CANCELLED))
        g_propagate_error (error, g_steal_pointer (&local_error));
      else
        {
          /* The message names the temporary file, gone by the time anyone
           * reads it: say what it was instead. */
          g_autoptr(GString) reason = g_string_new (local_error->message);
          g_autofree char *quoted = g_strdup_printf ("“%s”", files->downloaded);

          g_string_replace (reason, quoted, _("the model’s output"), 0);
          g_string_replace (reason, files->downloaded, _("the model’s output"), 0);
          g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
                       _("The face swap model did not send back a usable picture (%s); nothing "
                         "was saved"),
                       reason->str);
        }
      return FALSE;
    }

  files->written = files->output != NULL
                     ? g_object_ref (files->output)
                     : new_media_file (files->dest_dir,
                                       g_strcmp0 (files->downloaded_type, "image/jpeg") == 0
                                         ? "jpg" : "png");
  if (!pa_image_file_save_marked (pixbuf, files->written, cancellable, error))
    {
      g_clear_object (&files->written);
      return FALSE;
    }

  files->width = gdk_pixbuf_get_width (pixbuf);
  files->height = gdk_pixbuf_get_height (pixbuf);
  return TRUE;
}

/* A video is moved into place as the model made it: a rename within one
 * folder, so the output name never holds half a file. It keeps whatever
 * tags the model wrote: adding the face-swap mark would mean remuxing
 * the whole file, which the video code does for the videos it makes. */
static gboolean
save_video (PaFaceSwapCloudFiles  *files,
            GCancellable          *cancellable,
            GError               **error)
{
  g_autoptr(GFile) downloaded = g_file_new_for_path (files->downloaded);
  g_autoptr(GError) local_error = NULL;

  files->written = files->output != NULL
                     ? g_object_ref (files->output)
                     : new_media_file (files->dest_dir, extension_of (files->downloaded));
  if (!g_file_move (downloaded, files->written,
                    G_FILE_COPY_OVERWRITE | G_FILE_COPY_NO_FALLBACK_FOR_MOVE,
                    cancellable, NULL, NULL, &local_error))
    {
      g_autofree char *name = g_file_get_parse_name (files->written);

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE, _("Cannot write “%s”: %s"),
                   name, local_error->message);
      g_clear_object (&files->written);
      return FALSE;
    }
  return TRUE;
}

gboolean
pa_face_swap_cloud_files_save (PaFaceSwapCloudFiles  *files,
                               GCancellable          *cancellable,
                               GError               **error)
{
  gboolean saved;

  g_return_val_if_fail (files->downloaded != NULL, FALSE);

  saved = files->video ? save_video (files, cancellable, error)
                       : save_picture (files, cancellable, error);
  pa_face_swap_cloud_files_remove_work_dir (files);
  return saved;
}
