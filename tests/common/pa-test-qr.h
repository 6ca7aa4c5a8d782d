/* pa-test-qr.h — reading QR codes back, as a phone would
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Checks that zbarimg (zbar-tools) is there: FALSE with a
 * PA_TEST_MISSING_ERROR otherwise (a PaTestNeedFunc). */
gboolean  pa_test_qr_need_reader (GError     **error);

/* The text of the one QR code in the picture at @path, as zbarimg reads
 * it (the bytes as encoded, no charset guessed), or NULL with an error:
 * PA_TEST_MISSING_ERROR when zbarimg is missing, G_SPAWN_EXIT_ERROR when
 * it finds no code. */
char     *pa_test_qr_read        (const char  *path,
                                  GError     **error);

G_END_DECLS
