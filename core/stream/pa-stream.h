/* pa-stream.h — one source encoded once, recorded to a file and/or sent
 * live to an RTMP server, with OBS-like statistics
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-stream-scene.h"
#include "pa-stream-source.h"

G_BEGIN_DECLS

/**
 * PaStreamStats:
 * @fps: frames out of the video encoder in the last second
 * @bitrate: bits out of the encoders (video and audio) in the last second
 * @frames: frames out of the video encoder since the start
 * @dropped: frames dropped on the way (videorate, QoS reports of sinks
 *   other than the preview's, and frames a lagging live server could not
 *   take; not those missed while waiting to reconnect)
 * @live_time: microseconds the stream has run (the pipeline's running
 *   time: the length of the recording so far)
 * @late: frames that reached the video encoder more than two frames'
 *   time after they were captured (their running time against the
 *   pipeline's clock): the rendering lag OBS counts as missed frames
 * @encoder_load: the mean time x264 spent on a frame over the last
 *   second, measured between its sink and src pads (zerolatency has no
 *   frame delay), divided by a frame's duration; 0 while nothing is
 *   encoded (no output)
 */
typedef struct {
  double  fps;
  guint64 bitrate;
  guint64 frames;
  guint64 dropped;
  gint64  live_time;
  /* < added for the studio > */
  double  target_fps;    /* the fps the stream was set to */
  guint64 late;          /* frames that reached the encoder too late (rendering lag) */
  double  encoder_load;  /* share of each frame's time the video encoder needed (1.0: just keeps up) */
  guint   reconnects;    /* times the live output reconnected */
} PaStreamStats;

/**
 * PaStreamHealth:
 * OBS's thresholds: output fps under 95 % of the target or dropped frames
 * over 1 % is a warning; under 80 % or over 5 % is bad.
 */
typedef enum {
  PA_STREAM_HEALTH_GOOD,
  PA_STREAM_HEALTH_WARNING,
  PA_STREAM_HEALTH_BAD,
} PaStreamHealth;

/* How @stats look, with a sentence for the user in @message (NULL when
 * good; free with g_free()). */
PaStreamHealth  pa_stream_stats_get_health     (const PaStreamStats  *stats,
                                                char                **message);

/**
 * PaStreamLiveState:
 * @PA_STREAM_LIVE_OFF: not live
 * @PA_STREAM_LIVE_CONNECTING: connecting for the first time
 * @PA_STREAM_LIVE_ON: publishing
 * @PA_STREAM_LIVE_RECONNECTING: the server went away; trying again with
 *   a growing delay, while the recording goes on
 */
typedef enum {
  PA_STREAM_LIVE_OFF,
  PA_STREAM_LIVE_CONNECTING,
  PA_STREAM_LIVE_ON,
  PA_STREAM_LIVE_RECONNECTING,
} PaStreamLiveState;

#define PA_TYPE_STREAM (pa_stream_get_type ())
G_DECLARE_FINAL_TYPE (PaStream, pa_stream, PA, STREAM, GObject)

/* Signals, all emitted in the context the stream was started from:
 *   "stats" ()                       once a second while it runs
 *   "failed" (GError *)              the stream stopped on an error
 *   "live-state-changed" ()          pa_stream_get_live_state() changed
 *   "audio-level" (double, double)   the sound's RMS and peak in dBFS,
 *                                    about 15 times a second */

/* A stream of @source at 1280×720, 30 fps, 2500 kbit/s, a keyframe every
 * 2 s, with no output yet. */
PaStream       *pa_stream_new                  (PaStreamSource       *source);

PaStream       *pa_stream_new_for_scene        (PaStreamScene        *scene);

PaStreamSource *pa_stream_get_source           (PaStream             *self);
PaStreamScene  *pa_stream_get_scene            (PaStream             *self);

/* Shows the raw picture, before the encoder, in @sink (an appsink or
 * any video sink, taken as floating), at most @max_width pixels wide; a
 * slow sink drops frames, it never slows the stream. Set before the
 * start. A stream with a preview may start with no output: the encoders
 * then wait for one. */
void            pa_stream_set_preview_sink     (PaStream             *self,
                                                GstElement           *sink,
                                                int                   max_width);

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
 * first frame came out of the encoder (with a preview and no output:
 * once the source gave its first picture), or with the reason it could
 * not start (a missing plugin, file or server). A stream starts once. */
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

/* Outputs of a running stream, each on and off on its own. A recording
 * starts at the next keyframe and completes its start once the file has
 * it; its stop completes once the file was finalised. */
void            pa_stream_start_recording_async  (PaStream           *self,
                                                  GFile              *file,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        pa_stream_start_recording_finish (PaStream           *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
void            pa_stream_stop_recording_async   (PaStream           *self,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        pa_stream_stop_recording_finish  (PaStream           *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
/* The file being recorded, or NULL. */
GFile          *pa_stream_get_recording          (PaStream           *self);

/* Goes live to @url (rtmp:// or rtmps://, the key included). Completes
 * once the server took the stream, or with why not: PA_ERROR_AUTH (the
 * server refused the key), PA_ERROR_UNAVAILABLE (it cannot be reached),
 * PA_ERROR_NOT_FOUND (no encoder or RTMP plugin). Once live, a server
 * that goes away is reconnected to by itself (see "live-state"). */
void            pa_stream_go_live_async          (PaStream           *self,
                                                  const char         *url,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        pa_stream_go_live_finish         (PaStream           *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
void            pa_stream_stop_live_async        (PaStream           *self,
                                                  GCancellable       *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer            user_data);
gboolean        pa_stream_stop_live_finish       (PaStream           *self,
                                                  GAsyncResult       *result,
                                                  GError            **error);
/* Notified by the "live-state-changed" signal. */
PaStreamLiveState pa_stream_get_live_state       (PaStream           *self);

/* The latest figures (updated once a second, with the "stats" signal). */
void            pa_stream_get_stats            (PaStream             *self,
                                                PaStreamStats        *stats);

/* How long the stream has run, in microseconds, as pa_stream_get_stats()
 * but exact at the moment of the call; 0 before the start and after the
 * stop. */
gint64          pa_stream_get_live_time        (PaStream             *self);

G_END_DECLS
