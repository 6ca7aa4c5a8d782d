/* pa-window.h — the main window
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "pa-application.h"

G_BEGIN_DECLS

#define PA_TYPE_WINDOW (pa_window_get_type ())
G_DECLARE_FINAL_TYPE (PaWindow, pa_window, PA, WINDOW, AdwApplicationWindow)

PaWindow *pa_window_new       (PaApplication *application);

/* Shows a short message over the window's content; takes @toast. */
void      pa_window_add_toast (PaWindow      *self,
                               AdwToast      *toast);

G_END_DECLS
