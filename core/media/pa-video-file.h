/* pa-video-file.h — what a video file holds, and one of its frames as a
 * picture
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gdk-pixbuf/gdk-pixbuf.h>
#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* What pa_video_file_probe() found. Caps are the streams' as the
 * container gives them (parsed, not decoded). */
typedef struct {
  GstClockTime  duration;      /* GST_CLOCK_TIME_NONE when not known */
  int           fps_n;         /* frame rate fps_n / fps_d; 0/1 when variable or unknown */
  int           fps_d;
  int           width;
  int           height;
  guint64       n_frames;      /* duration × frame rate, rounded; 0 when not known */
  gboolean      has_audio;
  GstCaps      *video_caps;
  GstCaps      *audio_caps;    /* NULL without audio */
  char         *container;     /* the container's caps as a string, e.g. "video/quicktime, variant=(string)iso" */
  char         *video_codec;   /* e.g. "H.264 (High Profile)"; for people */
  char         *audio_codec;   /* NULL without audio */
} PaVideoInfo;

#define PA_TYPE_VIDEO_INFO (pa_video_info_get_type ())
GType         pa_video_info_get_type     (void) G_GNUC_CONST;
PaVideoInfo  *pa_video_info_copy         (const PaVideoInfo  *self);
void          pa_video_info_free         (PaVideoInfo        *self);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaVideoInfo, pa_video_info_free)

/* Reads @file's streams with GStreamer's discoverer. Fails with
 * PA_ERROR_NOT_FOUND when it does not exist, and PA_ERROR_INVALID_INPUT,
 * in a sentence that names the file, when it is empty, truncated,
 * corrupt or not a video, has no video stream, is a still picture, or
 * needs a decoder this system does not have (the message names the
 * codec and what can be read here). Blocking (up to a few seconds):
 * call from a worker thread. */
PaVideoInfo  *pa_video_file_probe        (GFile         *file,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* The frame shown at @position (nanoseconds from the start; past the
 * end means the last frame), as 8-bit RGB at the video's size. Errors as
 * pa_video_file_probe(). Blocking: call from a worker thread. */
GdkPixbuf    *pa_video_file_grab_frame   (GFile         *file,
                                          GstClockTime   position,
                                          GCancellable  *cancellable,
                                          GError       **error);

/* "H.264, H.265, VP8, …": the video codecs this system can decode, for
 * messages. */
char         *pa_video_file_describe_decoders (void);

G_END_DECLS
