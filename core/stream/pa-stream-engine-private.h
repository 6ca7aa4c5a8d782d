/* pa-stream-engine-private.h — what pa-stream.c (the pipeline) and
 * pa-stream-outputs.c (the outputs on and off, the live reconnect)
 * share of a PaStream
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-stream-engine-private.h is private to core/stream: use pa-stream.h"
#endif

#include <gst/app/gstappsink.h>

#include "pa-stream.h"
#include "pa-stream-private.h"

G_BEGIN_DECLS

/* How long a start may wait for its first frame, and a stop for the
 * outputs to close. */
#define PA_STREAM_START_TIMEOUT_S 15
#define PA_STREAM_STOP_TIMEOUT_S 10

enum {
  PA_STREAM_SIGNAL_STATS,
  PA_STREAM_SIGNAL_FAILED,
  PA_STREAM_SIGNAL_LIVE_STATE_CHANGED,
  PA_STREAM_SIGNAL_AUDIO_LEVEL,
  PA_STREAM_N_SIGNALS
};

extern guint pa_stream_signals[PA_STREAM_N_SIGNALS];

struct _PaStream {
  GObject         parent_instance;

  PaStreamSource *source;
  PaStreamScene  *scene;
  int             width, height, fps_n, fps_d;
  guint           kbps, keyframe_interval;
  GFile          *recording;    /* the outputs set before the start */
  char           *rtmp_url;
  GstElement     *preview_sink;
  int             preview_max_width;

  /* Set at the start: the context the stream's callbacks run in. */
  GMainContext   *context;
  GstElement     *pipeline;
  GstElement     *videorate;
  GstPad         *video_in;     /* where EOS goes in at the stop */
  GstPad         *audio_in;
  GstElement     *video_valve;  /* closed while there is no output */
  GstElement     *audio_valve;
  gboolean        started;
  gboolean        running;      /* started, and not stopped */
  GTask          *start_task;
  GTask          *stop_task;
  GSource        *timeout;      /* of the start or the stop */
  GSource        *ticker;       /* the stats, once a second */
  GSource        *cancelled;

  /* Under the lock: counted in the streaming threads, and the outputs
   * they feed (changed in the stream's context). */
  GMutex          lock;
  GstPad         *encoder_src;
  gint64          keyframe_requested;
  GPtrArray      *outputs;      /* PaStreamOutput */
  guint64         live_dropped; /* by live outputs gone */
  guint64         frames;
  guint64         bytes;
  guint64         late;
  gint64          encode_entered;
  gint64          encode_time;  /* µs inside the video encoder since the last tick */
  guint64         encode_count;
  gboolean        first_frame_told;

  /* The stream's context only. */
  PaStreamOutput *recording_output;
  GTask          *recording_start_task;
  GSource        *recording_cancelled;  /* the start's cancellable */
  GTask          *recording_stop_task;
  PaStreamOutput *live_output;  /* NULL while waiting to reconnect */
  char           *live_url;
  PaStreamLiveState live_state;
  gboolean        live_initial; /* set before the start: its failure is the stream's */
  GTask          *live_task;    /* go_live, until the first connection */
  GSource        *live_cancelled;
  GSource        *live_poll;    /* while connecting */
  GSource        *live_retry;   /* the backoff before a reconnect */
  guint           live_backoff_s;
  guint           reconnects;
  GHashTable     *qos_dropped;  /* element path → dropped, as last reported */
  guint64         last_frames, last_bytes;
  gint64          last_tick;
  PaStreamStats   stats;
};

typedef struct {
  PaStream *self;   /* not a reference: the probe goes with the pipeline */
  gboolean  video;
} PaStreamProbe;

/* pa-stream.c */
void          pa_stream_clear_source            (GSource       **source);
GSource      *pa_stream_add_timeout             (PaStream       *self,
                                                 guint           ms,
                                                 GSourceFunc     func);
void          pa_stream_request_keyframe        (PaStream       *self);
void          pa_stream_fail                    (PaStream       *self,
                                                 const GError   *error);
void          pa_stream_stopped                 (PaStream       *self);
gboolean      pa_stream_on_first_frame          (gpointer        user_data);

/* pa-stream-stats.c */
GstPadProbeReturn pa_stream_on_encoder_in       (GstPad         *pad,
                                                 GstPadProbeInfo *info,
                                                 gpointer        user_data);
GstPadProbeReturn pa_stream_on_encoded          (GstPad         *pad,
                                                 GstPadProbeInfo *info,
                                                 gpointer        user_data);
GstPadProbeReturn pa_stream_on_raw_frame        (GstPad         *pad,
                                                 GstPadProbeInfo *info,
                                                 gpointer        user_data);
void          pa_stream_count_qos               (PaStream       *self,
                                                 GstMessage     *message);
void          pa_stream_emit_level              (PaStream       *self,
                                                 const GstStructure *structure);
gboolean      pa_stream_on_tick                 (gpointer        user_data);

/* pa-stream-outputs.c */
GstFlowReturn pa_stream_on_video_sample         (GstAppSink     *sink,
                                                 gpointer        user_data);
GstFlowReturn pa_stream_on_audio_sample         (GstAppSink     *sink,
                                                 gpointer        user_data);
/* The outputs set before the start, added before the pipeline plays. */
gboolean      pa_stream_outputs_start_initial   (PaStream       *self,
                                                 GError        **error);
/* The stream's encoders ended (its stop): each output ends, and
 * pa_stream_stopped() follows once all were finalised. */
void          pa_stream_outputs_end             (PaStream       *self);
/* Pending output calls fail: the stream stops. */
void          pa_stream_outputs_cancel_pending  (PaStream       *self);
/* Closes every output at once. */
void          pa_stream_outputs_tear_down       (PaStream       *self);
/* Frames the live outputs dropped; under the lock. */
guint64       pa_stream_outputs_get_dropped     (PaStream       *self);

G_END_DECLS
