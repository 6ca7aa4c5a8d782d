/* pa-test-video.h — short test clips made from the real photographs
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  PA_TEST_VIDEO_MP4,        /* H.264 + AAC in MP4 */
  PA_TEST_VIDEO_WEBM,       /* VP8 + Opus in WebM */
  PA_TEST_VIDEO_MKV_VORBIS, /* H.264 + Vorbis in Matroska */
} PaTestVideoFormat;

typedef struct {
  const char        *photo;      /* tests/media/photos/<photo> */
  int                width;
  int                height;
  int                fps;
  int                n_frames;
  double             speed;      /* how far the face moves, pixels per frame */
  gboolean           audio;      /* a 440 Hz tone as long as the video */
  PaTestVideoFormat  format;
} PaTestVideoSpec;

/* The photograph, scaled to 80 % of the frame's height on a grey ground,
 * sliding right by @speed pixels a frame and back. Frame @n of the clip
 * exactly as it was encoded. */
GdkPixbuf *pa_test_video_render_frame (GdkPixbuf             *photo,
                                       const PaTestVideoSpec *spec,
                                       int                    n);

/* Where the photograph's left edge is in frame @n: it moves by exactly
 * this, so the face's true motion is known. */
int        pa_test_video_photo_left   (GdkPixbuf             *photo,
                                       const PaTestVideoSpec *spec,
                                       int                    n);

/* Writes the clip to @path. On a missing photograph or GStreamer element
 * the error is a PA_TEST_MISSING_ERROR (pa-test-require.h). */
gboolean   pa_test_video_make         (const char            *path,
                                       const PaTestVideoSpec *spec,
                                       GError               **error);

/* pa_test_video_make() into @dir/@name: the path, or NULL after failing
 * (or skipping, when allowed) the current test case. */
char      *pa_test_video_make_in      (const char            *dir,
                                       const char            *name,
                                       const PaTestVideoSpec *spec);

/* Writes to @out_path the Matroska file @mkv_path (H.264 video) with its
 * video track's CodecID "V_MPEG4/ISO/AVC" replaced by "V_PLAYALTER/XYZ",
 * an id of the same length, so every size in the file stays right: a
 * codec no decoder knows. */
void       pa_test_video_write_unknown_codec (const char     *mkv_path,
                                              const char     *out_path);

/* Removes @dir and the files in it. */
void       pa_test_remove_dir         (const char            *dir);

/* Decodes every frame of @path as RGB and returns them (GdkPixbuf), in
 * order: the count is the real number of frames. */
GPtrArray *pa_test_video_decode_all   (const char            *path,
                                       GError               **error);

G_END_DECLS
