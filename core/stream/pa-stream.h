/* pa-stream.h — one source encoded once, recorded to a file and/or sent
 * live to an RTMP server, with OBS-like statistics
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-stream-source.h"

G_BEGIN_DECLS

/**
 * PaStreamStats:
 * @fps: frames out of the video encoder in the last second
 * @bitrate: bits out of the encoders (video and audio) in the last second
 * @frames: frames out of the video encoder since the start
 * @dropped: frames dropped on the way (videorate, and QoS reports of sinks)
 * @live_time: microseconds the stream has run (the pipeline's running
 *   time: the length of the recording so far)
 */
typedef struct {
  double  fps;
  guint64 bitrate;
  guint64 frames;
  guint64 dropped;
  gint64  live_time;
} PaStreamStats;

#define PA_TYPE_STREAM (pa_stream_get_type ())
G_DECLARE_FINAL_TYPE (PaStream, pa_stream, PA, STREAM, GObject)

/* A stream of @source at 1280×720, 30 fps, 2500 kbit/s, a keyframe every
 * 2 s, with no output yet. */
PaStream       *pa_stream_new                  (PaStreamSource       *source);

PaStreamSource *pa_stream_get_source           (PaStream             *self);

/* The output picture and the encoder; set before the start. */
void            pa_stream_set_video            (PaStream             *self,
                                                int                   width,
                                                int                   height,
                                                int                   fps_n,
                                                int                   fps_d);
/* @kbps: video bitrate; @keyframe_interval: seconds between keyframes
 * (RTMP servers want 2). */
void            pa_stream_set_encoder          (PaStream             *self,
                                                guint                 kbps,
                                                guint                 keyframe_interval);
/* Records to @file (Matroska: it stays playable if the program is
 * killed). NULL: no recording. */
void            pa_stream_set_recording        (PaStream             *self,
                                                GFile                *file);
/* Publishes to @url (rtmp:// or rtmps://, the stream key included).
 * NULL: not live. */
void            pa_stream_set_rtmp_url         (PaStream             *self,
                                                const char           *url);

/* Starts; completes in the caller's thread-default context once the
 * first frame came out of the encoder, or with the reason it could not
 * start (a missing plugin, file or server). A stream starts once. */
void            pa_stream_start_async          (PaStream             *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        pa_stream_start_finish         (PaStream             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* Ends the stream and completes once the outputs were closed properly
 * (the recording finalised), or after 10 s with PA_ERROR_TIMEOUT. */
void            pa_stream_stop_async           (PaStream             *self,
                                                GCancellable         *cancellable,
                                                GAsyncReadyCallback   callback,
                                                gpointer              user_data);
gboolean        pa_stream_stop_finish          (PaStream             *self,
                                                GAsyncResult         *result,
                                                GError              **error);

/* The latest figures (updated once a second, with the "stats" signal). */
void            pa_stream_get_stats            (PaStream             *self,
                                                PaStreamStats        *stats);

/* How long the stream has run, in microseconds, as pa_stream_get_stats()
 * but exact at the moment of the call; 0 before the start and after the
 * stop. */
gint64          pa_stream_get_live_time        (PaStream             *self);

G_END_DECLS
