/* pa-text.h — text from elsewhere, made safe to show
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *pa_text_sanitize_for_display (const char *text,
                                    gssize      length);
char *pa_text_sanitize_line        (const char *text,
                                    gssize      length,
                                    glong       max_chars);

G_END_DECLS
