/* pa-test-video-check.h — what the video tests judge an output by
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gst/pbutils/pbutils.h>

G_BEGIN_DECLS

/* The discoverer's view of @path; the test fails when it cannot read it. */
GstDiscovererInfo *pa_test_video_discover       (const char *path);

/* Asserts that @output has @input's frame count (both decoded and
 * counted), duration within one frame, frame rate and size; and, when
 * @audio_passed_through, an audio stream with the same caps (codec
 * data included: the same bytes). Audio encoded again may add its
 * encoder delay (43 ms) to the duration. */
void               pa_test_video_assert_same_shape (const char *input,
                                                    const char *output,
                                                    gboolean    audio_passed_through);

/* Asserts that @path's comment tag carries the face-swap mark. */
void               pa_test_video_assert_marked  (const char *path);

/* Mean absolute difference per channel over the rectangle; the whole
 * picture when @width is 0. */
double             pa_test_pixbuf_difference    (GdkPixbuf  *a,
                                                 GdkPixbuf  *b,
                                                 int         x,
                                                 int         y,
                                                 int         width,
                                                 int         height);

/* The names in @dir that start with "." (hidden temporary files). */
guint              pa_test_count_hidden_files   (const char *dir);

G_END_DECLS
