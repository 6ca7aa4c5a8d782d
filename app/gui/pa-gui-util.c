/* pa-gui-util.c — small helpers the GUI's classes share
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <gio/gio.h>

#include "playalter.h"

#include "pa-gui-util.h"

gboolean
pa_gui_error_is_cancelled (const GError *error)
{
  return g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
         g_error_matches (error, PA_ERROR, PA_ERROR_CANCELLED);
}
