/* pa-test-photos.h — the real photographs the face swap tests use
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

G_BEGIN_DECLS

/* The path of tests/media/photos/@name (build-aux/install-test-photos.sh
 * puts grace_hopper.jpg and astronaut.png there), or NULL after failing
 * (or, with PLAYALTER_TEST_ALLOW_MISSING=1, skipping) the current test
 * case with how to get it. */
char      *pa_test_photo_path (const char *name);

/* The photograph, loaded as 8-bit RGB without alpha; NULL as above. */
GdkPixbuf *pa_test_photo_load (const char *name);

G_END_DECLS
