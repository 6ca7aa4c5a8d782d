/* pa-install-dirs.c — where the installed data is, wherever it was installed
 *
 * On Linux (deb, rpm, Flatpak, a source install) the folders are the ones
 * meson was configured with. The Windows installer and the macOS bundle
 * let the user put the program anywhere, so there they are found from
 * the running executable: <folder>/bin/playalter.exe next to
 * <folder>/share, and PlayAlter.app/Contents/MacOS/playalter next to
 * PlayAlter.app/Contents/Resources/share.
 *
 * PLAYALTER_LOCALEDIR points an uninstalled build at its own compiled
 * translations (build-aux/run.sh and the tests use it).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-install-dirs.h"

#ifdef G_OS_WIN32
# include <windows.h>
#endif
#ifdef __APPLE__
# include <mach-o/dyld.h>
#endif

#if defined (G_OS_WIN32) || defined (__APPLE__)
/* The folder that plays the part of the configured prefix's share/. */
static char *
find_relocated_data_dir (void)
{
#ifdef G_OS_WIN32
  g_autofree char *root = g_win32_get_package_installation_directory_of_module (NULL);

  return g_build_filename (root, "share", NULL);
#else
  g_autofree char *exe = NULL;
  g_autofree char *resolved = NULL;
  g_autofree char *macos_dir = NULL;
  g_autofree char *contents_dir = NULL;
  uint32_t size = 0;

  _NSGetExecutablePath (NULL, &size);
  exe = g_malloc0 (size + 1);
  if (_NSGetExecutablePath (exe, &size) != 0)
    return g_strdup (PA_DATADIR);

  resolved = g_canonicalize_filename (exe, NULL);
  macos_dir = g_path_get_dirname (resolved);
  contents_dir = g_path_get_dirname (macos_dir);
  /* Outside a bundle (a Homebrew-style build) the configured folders hold. */
  if (!g_str_has_suffix (contents_dir, ".app/Contents"))
    return g_strdup (PA_DATADIR);

  return g_build_filename (contents_dir, "Resources", "share", NULL);
#endif
}
#endif

const char *
pa_install_dirs_get_data_dir (void)
{
  static char *data_dir;

  if (g_once_init_enter (&data_dir))
    {
#if defined (G_OS_WIN32) || defined (__APPLE__)
      char *found = find_relocated_data_dir ();
#else
      char *found = g_strdup (PA_DATADIR);
#endif
      g_once_init_leave (&data_dir, found);
    }

  return data_dir;
}

const char *
pa_install_dirs_get_locale_dir (void)
{
  static char *locale_dir;

  if (g_once_init_enter (&locale_dir))
    {
      const char *from_env = g_getenv ("PLAYALTER_LOCALEDIR");
      char *found;

      if (from_env != NULL && *from_env != '\0')
        found = g_strdup (from_env);
#if defined (G_OS_WIN32) || defined (__APPLE__)
      else
        found = g_build_filename (pa_install_dirs_get_data_dir (), "locale", NULL);
#else
      else
        found = g_strdup (LOCALEDIR);
#endif
      g_once_init_leave (&locale_dir, found);
    }

  return locale_dir;
}
