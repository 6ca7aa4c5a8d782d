/* pa-gui-util.h — small helpers the GUI's classes share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* TRUE when @error says the operation was cancelled, whether GIO or the
 * core reported it: whoever asked has gone, so nothing is to be shown. */
gboolean pa_gui_error_is_cancelled (const GError *error);

G_END_DECLS
