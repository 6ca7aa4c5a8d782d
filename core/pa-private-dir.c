/* pa-private-dir.c — folders only their owner may read
 *
 * The media folder holds what the user's runs made and fetched: faces,
 * paid-for model outputs, files copied from elsewhere. Other accounts on
 * the machine have no business reading it, so it is created 0700, by
 * this one function wherever it is needed, and a folder an earlier
 * version left readable by others is closed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>

#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>

#include "pa-compat.h"
#include "pa-error.h"
#include "pa-private-dir.h"

#define PRIVATE_MODE 0700

/**
 * pa_private_dir_ensure:
 * @path: the folder
 * @what: what it is, for messages ("the media folder")
 * @error: return location for a #GError
 *
 * Creates @path and its missing parents with mode 0700. If @path already
 * exists, belongs to the user and lets others in, it is set to 0700.
 *
 * Returns: %TRUE if @path is a folder only its owner can use, or one
 *   that belongs to someone else (which is left alone)
 */
gboolean
pa_private_dir_ensure (const char  *path,
                       const char  *what,
                       GError     **error)
{
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  if (g_mkdir_with_parents (path, PRIVATE_MODE) != 0)
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   /* Translators: the first %s is e.g. "the media folder". */
                   _("Could not create %s %s: %s. Check that the disk is writable and not full."),
                   what, path, g_strerror (saved_errno));
      return FALSE;
    }

  if (!pa_compat_close_dir_to_others (path, PRIVATE_MODE))
    {
      int saved_errno = errno;

      g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                   _("Could not make %s %s private: %s"),
                   what, path, g_strerror (saved_errno));
      return FALSE;
    }

  return TRUE;
}
