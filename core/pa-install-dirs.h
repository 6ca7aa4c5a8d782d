/* pa-install-dirs.h — where the installed data is, wherever it was installed
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *pa_install_dirs_get_data_dir   (void);
const char *pa_install_dirs_get_locale_dir (void);

G_END_DECLS
