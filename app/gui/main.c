/* main.c — starts the PlayAlter GUI
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "pa-application.h"
#include "playalter.h"

int
main (int   argc,
      char *argv[])
{
  g_autoptr(PaApplication) app = NULL;

  /* A video face swap decodes, converts, encodes and detects in as many
   * threads, and glibc keeps an arena for each thread that ever held a
   * frame: the app's memory would grow job after job. Two arenas swap
   * as fast (tests/bench/RESULTS.md). */
  pa_compat_limit_malloc_arenas ();

  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, pa_install_dirs_get_locale_dir ());
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_set_application_name ("PlayAlter");

  app = pa_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}
