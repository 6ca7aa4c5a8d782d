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
 * @PA_STREAM_VIDEO_CAMERA: a camera (V4L2, or PipeWire)
 * @PA_STREAM_VIDEO_SCREEN: the screen (X11), or the screen or window the
 *   user shared through the ScreenCast portal (Wayland)
 */
typedef enum {
  PA_STREAM_VIDEO_TEST_PATTERN,
  PA_STREAM_VIDEO_FILE,
  PA_STREAM_VIDEO_IMAGE,
  PA_STREAM_VIDEO_CAMERA,
  PA_STREAM_VIDEO_SCREEN,
} PaStreamVideoKind;

/**
 * PaStreamAudioKind:
 * @PA_STREAM_AUDIO_NONE: no sound: the stream has no audio track
 * @PA_STREAM_AUDIO_TEST_TONE: a quiet 440 Hz tone
 * @PA_STREAM_AUDIO_MICROPHONE: a microphone, through the sound server
 *   (PulseAudio, or PipeWire's PulseAudio server)
 */
typedef enum {
  PA_STREAM_AUDIO_NONE,
  PA_STREAM_AUDIO_TEST_TONE,
  PA_STREAM_AUDIO_MICROPHONE,
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
/* The camera @device_id (a PaStreamDevice's id); NULL: the first one
 * connected when the stream starts. Whether it is there and free is
 * known when its video is made. */
PaStreamSource    *pa_stream_source_new_camera       (const char        *device_id,
                                                      PaStreamAudioKind  audio);
/* The screen. On X11 this completes at once with the whole display
 * ($DISPLAY). On Wayland it asks the ScreenCast portal: the desktop
 * asks the user which screen or window to share (cancelling gives
 * PA_ERROR_CANCELLED), and the source keeps the PipeWire stream and the
 * portal session open until its last reference goes. */
void               pa_stream_source_request_screen_async  (PaStreamAudioKind    audio,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
PaStreamSource    *pa_stream_source_request_screen_finish (GAsyncResult        *result,
                                                           GError             **error);
/* A copy of @self whose sound is the microphone @device_id (a
 * PaStreamDevice's id); NULL: the sound server's default input. */
PaStreamSource    *pa_stream_source_with_microphone  (PaStreamSource    *self,
                                                      const char        *device_id);

PaStreamSource    *pa_stream_source_ref              (PaStreamSource    *self);
void               pa_stream_source_unref            (PaStreamSource    *self);

PaStreamVideoKind  pa_stream_source_get_video_kind   (PaStreamSource    *self);
PaStreamAudioKind  pa_stream_source_get_audio_kind   (PaStreamSource    *self);
/* The file of a file or image source, else NULL. */
GFile             *pa_stream_source_get_file         (PaStreamSource    *self);
/* The camera of a camera source (NULL: the first one), else NULL. */
const char        *pa_stream_source_get_device       (PaStreamSource    *self);
/* The microphone of a microphone source (NULL: the default), else NULL. */
const char        *pa_stream_source_get_microphone   (PaStreamSource    *self);

/* A new floating bin with one "src" pad giving raw, live video at
 * @width×@height (square pixels) and @fps_n/@fps_d, or NULL with @error
 * set (a PA_ERROR: the file is missing, no camera is connected, the
 * camera cannot be opened, a GStreamer plugin is not installed). A file
 * source loops only while the thread-default main context of the caller
 * runs. A camera that fails only once it plays (another program holds
 * it) posts an error whose message says so in the user's words. */
GstElement        *pa_stream_source_make_video       (PaStreamSource    *self,
                                                      int                width,
                                                      int                height,
                                                      int                fps_n,
                                                      int                fps_d,
                                                      GError           **error);

/* A new floating bin with one "src" pad giving raw, live stereo audio
 * at 48 kHz; NULL without an error for %PA_STREAM_AUDIO_NONE; NULL with
 * a PA_ERROR when the microphone is not there or no sound server runs. */
GstElement        *pa_stream_source_make_audio       (PaStreamSource    *self,
                                                      GError           **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStreamSource, pa_stream_source_unref)

G_END_DECLS
