/* pa-stream-source.h — what a stream shows and plays: a description of a
 * video and an audio source that builds the GStreamer elements for them
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/**
 * PaStreamVideoKind:
 * @PA_STREAM_VIDEO_TEST_PATTERN: colour bars, made on the fly
 * @PA_STREAM_VIDEO_FILE: a video file, played in a loop (its sound is not used)
 * @PA_STREAM_VIDEO_IMAGE: a still picture, shown as a steady video
 */
typedef enum {
  PA_STREAM_VIDEO_TEST_PATTERN,
  PA_STREAM_VIDEO_FILE,
  PA_STREAM_VIDEO_IMAGE,
} PaStreamVideoKind;

/**
 * PaStreamAudioKind:
 * @PA_STREAM_AUDIO_NONE: no sound: the stream has no audio track
 * @PA_STREAM_AUDIO_TEST_TONE: a quiet 440 Hz tone
 */
typedef enum {
  PA_STREAM_AUDIO_NONE,
  PA_STREAM_AUDIO_TEST_TONE,
} PaStreamAudioKind;

#define PA_TYPE_STREAM_SOURCE (pa_stream_source_get_type ())

/* Immutable once made, so one description may be shared by several
 * streams; reference counted. */
typedef struct _PaStreamSource PaStreamSource;

GType              pa_stream_source_get_type         (void) G_GNUC_CONST;

PaStreamSource    *pa_stream_source_new_test_pattern (PaStreamAudioKind  audio);
PaStreamSource    *pa_stream_source_new_file         (GFile             *file,
                                                      PaStreamAudioKind  audio);
PaStreamSource    *pa_stream_source_new_image        (GFile             *file,
                                                      PaStreamAudioKind  audio);

PaStreamSource    *pa_stream_source_ref              (PaStreamSource    *self);
void               pa_stream_source_unref            (PaStreamSource    *self);

PaStreamVideoKind  pa_stream_source_get_video_kind   (PaStreamSource    *self);
PaStreamAudioKind  pa_stream_source_get_audio_kind   (PaStreamSource    *self);
/* The file of a file or image source, else NULL. */
GFile             *pa_stream_source_get_file         (PaStreamSource    *self);

/* A new floating bin with one "src" pad giving raw, live video at
 * @width×@height (square pixels) and @fps_n/@fps_d, or NULL with @error
 * set (a PA_ERROR: the file is missing, a GStreamer plugin is not
 * installed). A file source loops only while the thread-default main
 * context of the caller runs. */
GstElement        *pa_stream_source_make_video       (PaStreamSource    *self,
                                                      int                width,
                                                      int                height,
                                                      int                fps_n,
                                                      int                fps_d,
                                                      GError           **error);

/* A new floating bin with one "src" pad giving raw, live stereo audio
 * at 48 kHz; NULL without an error for %PA_STREAM_AUDIO_NONE. */
GstElement        *pa_stream_source_make_audio       (PaStreamSource    *self,
                                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStreamSource, pa_stream_source_unref)

G_END_DECLS
