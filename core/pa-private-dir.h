/* pa-private-dir.h — folders only their owner may read
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean pa_private_dir_ensure (const char  *path,
                                const char  *what,
                                GError     **error);

G_END_DECLS
