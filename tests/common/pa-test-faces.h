/* pa-test-faces.h — the face engine in tests and benchmarks: pictures
 * as PaPixels, the shared model, detection
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>

#include "pa-face-model.h"

G_BEGIN_DECLS

/* A view of @pixbuf's pixels (no copy). */
PaPixels     pa_test_pixels_of      (GdkPixbuf    *pixbuf);

/* The shared model, or NULL after failing (or, with
 * PLAYALTER_TEST_ALLOW_MISSING=1, skipping) the current test case with
 * how to get it. */
PaFaceModel *pa_test_face_model     (void);

/* Every face in @pixbuf; asserts that detection does not fail. */
GPtrArray   *pa_test_detect_faces   (PaFaceModel  *model,
                                     GdkPixbuf    *pixbuf);

/* The mean of landmarks @first to @last. */
PaPoint      pa_test_face_mean      (const PaFace *face,
                                     int           first,
                                     int           last);

G_END_DECLS
