/* pa-file-policy.c — the files and folders a workflow run may read
 *
 * Workflow files are shared, so a path in one is a stranger's choice:
 * `local.save {"path": "/proc/self/environ"}` or `vercel.deploy {"path":
 * "~/.ssh"}` must not work because the user could read those files. A
 * step reads only under places the user approved for its run (the media
 * folder, folders granted with --allow-path or in the app, files given
 * as inputs), only regular files, and never through a link that leads
 * out of the approved place — checked on the file descriptor it reads,
 * not on a path that may change between the check and the open.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib/gi18n-lib.h>

#include "pa-compat.h"
#include "pa-error.h"
#include "pa-limits.h"
#include "pa-file-policy.h"

struct _PaFilePolicy
{
  GObject    parent_instance;
  GPtrArray *allowed;   /* char *, resolved, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (PaFilePolicy, pa_file_policy, G_TYPE_OBJECT)

static void
pa_file_policy_finalize (GObject *object)
{
  PaFilePolicy *self = PA_FILE_POLICY (object);

  g_ptr_array_unref (self->allowed);

  G_OBJECT_CLASS (pa_file_policy_parent_class)->finalize (object);
}

static void
pa_file_policy_class_init (PaFilePolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_file_policy_finalize;
}

static void
pa_file_policy_init (PaFilePolicy *self)
{
  self->allowed = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (self->allowed, NULL);
}

PaFilePolicy *
pa_file_policy_new (void)
{
  return g_object_new (PA_TYPE_FILE_POLICY, NULL);
}

static char *
resolve (const char  *path,
         GError     **error)
{
  char *resolved = pa_compat_realpath (path);

  if (resolved == NULL)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR,
                   saved_errno == ENOENT || saved_errno == ENOTDIR
                   ? PA_ERROR_NOT_FOUND : PA_ERROR_INVALID_INPUT,
                   _("%s cannot be read: %s"), path, g_strerror (saved_errno));
      return NULL;
    }
  return resolved;
}

/* The approved place @resolved lies in, or NULL. */
static const char *
find_place (PaFilePolicy *self,
            const char   *resolved)
{
  for (guint i = 0; i + 1 < self->allowed->len; i++)
    {
      const char *place = g_ptr_array_index (self->allowed, i);
      gsize len = strlen (place);

      if (strncmp (resolved, place, len) != 0)
        continue;
      /* The root ("/", "C:\\") holds everything on it. */
      if (*g_path_skip_root (place) == '\0')
        return place;
      if (resolved[len] == '\0' || G_IS_DIR_SEPARATOR (resolved[len]))
        return place;
    }
  return NULL;
}

gboolean
pa_file_policy_allow (PaFilePolicy  *self,
                      const char    *path,
                      GError       **error)
{
  g_autofree char *resolved = NULL;

  g_return_val_if_fail (PA_IS_FILE_POLICY (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);

  resolved = resolve (path, error);
  if (resolved == NULL)
    return FALSE;
  if (find_place (self, resolved) == NULL)
    g_ptr_array_insert (self->allowed, self->allowed->len - 1, g_steal_pointer (&resolved));
  return TRUE;
}

const char * const *
pa_file_policy_get_allowed (PaFilePolicy *self)
{
  g_return_val_if_fail (PA_IS_FILE_POLICY (self), NULL);

  return (const char * const *) self->allowed->pdata;
}

static void
set_refused (GError     **error,
             const char  *path,
             const char  *resolved)
{
  g_autofree char *folder = g_path_get_dirname (resolved);
  g_autofree char *leads_to = NULL;

  /* Where a link or ".." led, since that is what would be read. */
  if (strcmp (path, resolved) != 0)
    leads_to = g_strdup_printf (_(" (it leads to %s)"), resolved);
  g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
               _("%s%s is outside the places this run may read (the media folder, folders "
                 "granted with --allow-path, files given as inputs). If the workflow should "
                 "read it, run it again with --allow-path %s"),
               path, leads_to != NULL ? leads_to : "", folder);
}

/* Opens @resolved, which lies in @place, from @place on following no
 * link (pa_compat_open_beneath()): a component swapped for a link since
 * it was resolved makes the open fail instead of leading elsewhere. */
static int
open_in_place (const char *place,
               const char *resolved)
{
  g_autofree char *root = NULL;
  const char *relative;

  if (strcmp (resolved, place) == 0)
    {
      /* A single approved file, or the approved folder itself. */
      root = g_path_get_dirname (place);
      relative = resolved + strlen (root);
    }
  else
    {
      root = g_strdup (place);
      relative = resolved + strlen (place);
    }
  while (G_IS_DIR_SEPARATOR (*relative))
    relative++;

  return pa_compat_open_beneath (root, relative);
}

/* Resolves @path, checks its place and opens it; fills @st. */
static int
open_checked (PaFilePolicy  *self,
              const char    *path,
              char         **resolved_out,
              GStatBuf      *st,
              GError       **error)
{
  g_autofree char *resolved = NULL;
  const char *place;
  int fd;

  resolved = resolve (path, error);
  if (resolved == NULL)
    return -1;
  place = find_place (self, resolved);
  if (place == NULL)
    {
      set_refused (error, path, resolved);
      return -1;
    }

  /* Read-only and non-blocking: a FIFO opens at once instead of waiting
   * for a writer, and is refused below; a terminal is not taken over. */
  fd = open_in_place (place, resolved);
  if (fd < 0)
    {
      int saved_errno = errno;

      if (saved_errno == ELOOP || saved_errno == ENOTDIR)
        g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                     _("%s changed while it was opened (a link appeared in its path); "
                       "it was not read"), path);
      else
        g_set_error (error, PA_ERROR,
                     saved_errno == ENOENT ? PA_ERROR_NOT_FOUND : PA_ERROR_INVALID_INPUT,
                     _("%s cannot be read: %s"), path, g_strerror (saved_errno));
      return -1;
    }
  if (pa_compat_fstat (fd, st) != 0)
    {
      int saved_errno = errno;

      close (fd);
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("%s cannot be read: %s"),
                   path, g_strerror (saved_errno));
      return -1;
    }
  if (resolved_out != NULL)
    *resolved_out = g_steal_pointer (&resolved);
  return fd;
}

int
pa_file_policy_open_file (PaFilePolicy  *self,
                          const char    *path,
                          guint64       *size_out,
                          GError       **error)
{
  GStatBuf st;
  int fd;

  g_return_val_if_fail (PA_IS_FILE_POLICY (self), -1);
  g_return_val_if_fail (path != NULL, -1);

  fd = open_checked (self, path, NULL, &st, error);
  if (fd < 0)
    return -1;
  if (!S_ISREG (st.st_mode))
    {
      close (fd);
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("%s is not a regular file (a folder, device or pipe); only files are read"),
                   path);
      return -1;
    }
  if ((guint64) st.st_size > PA_LIMIT_LOCAL_FILE_BYTES)
    {
      g_autofree char *size = g_format_size ((guint64) st.st_size);
      g_autofree char *limit = g_format_size (PA_LIMIT_LOCAL_FILE_BYTES);

      close (fd);
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("%s is too large (%s; the limit is %s)"), path, size, limit);
      return -1;
    }
  /* Reads block normally from here on. */
  pa_compat_set_blocking (fd);
  if (size_out != NULL)
    *size_out = (guint64) st.st_size;
  return fd;
}

char *
pa_file_policy_check_folder (PaFilePolicy  *self,
                             const char    *path,
                             GError       **error)
{
  g_autofree char *resolved = NULL;
  GStatBuf st;
  int fd;

  g_return_val_if_fail (PA_IS_FILE_POLICY (self), NULL);
  g_return_val_if_fail (path != NULL, NULL);

  fd = open_checked (self, path, &resolved, &st, error);
  if (fd < 0)
    return NULL;
  close (fd);
  if (!S_ISDIR (st.st_mode))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT, _("%s is not a folder"), path);
      return NULL;
    }
  return g_steal_pointer (&resolved);
}
