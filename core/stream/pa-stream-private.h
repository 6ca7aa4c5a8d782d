/* pa-stream-private.h — what the files of core/stream share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-stream-private.h is private to core/stream: use pa-stream.h"
#endif

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

/* The name of the videorate element in a source's video bin: the stream
 * reads how many frames it dropped. */
#define PA_STREAM_VIDEORATE_NAME "pa-stream-videorate"

/* gst_element_factory_make(), or NULL with a PA_ERROR that names the
 * missing element and the Debian package @package that has it. */
GstElement *pa_stream_make_element (const char  *factory,
                                    const char  *name,
                                    const char  *package,
                                    GError     **error);

/* The raw video a source or the scene hands on to the encoder: I420 at
 * @width×@height and @fps_n/@fps_d, square pixels (pa-stream-source.c). */
GstCaps    *pa_stream_video_caps   (int          width,
                                    int          height,
                                    int          fps_n,
                                    int          fps_d);

/* An output of a stream (pa-stream-output.c): a small pipeline of its
 * own, appsrc(s) → muxer → sink, fed with the encoded samples of the
 * stream's one encoder per track. Its failure never reaches the encoder
 * nor the other outputs. */
typedef enum {
  PA_STREAM_OUTPUT_RECORDING,
  PA_STREAM_OUTPUT_LIVE,
} PaStreamOutputKind;

typedef struct _PaStreamOutput PaStreamOutput;

/* What pa_stream_output_push() did with a sample. */
typedef enum {
  PA_STREAM_PUSH_SKIPPED,    /* not for this output (ended, or audio before the first picture) */
  PA_STREAM_PUSH_WAITING,    /* a delta frame while the output waits for a keyframe */
  PA_STREAM_PUSH_FIRST,      /* the output's first keyframe went in */
  PA_STREAM_PUSH_OK,
  PA_STREAM_PUSH_DROPPED,    /* the output could not take it (a live server lagging) */
} PaStreamPush;

/* A recording to @file (Matroska), or a publish to @url (FLV over RTMP);
 * with an audio track when @audio. Not started: see
 * pa_stream_output_get_pipeline(). */
PaStreamOutput     *pa_stream_output_new_recording (GFile           *file,
                                                    gboolean         audio,
                                                    GError         **error);
PaStreamOutput     *pa_stream_output_new_live      (const char      *url,
                                                    gboolean         audio,
                                                    GError         **error);
PaStreamOutput     *pa_stream_output_ref           (PaStreamOutput  *self);
void                pa_stream_output_unref         (PaStreamOutput  *self);
PaStreamOutputKind  pa_stream_output_get_kind      (PaStreamOutput  *self);
GstElement         *pa_stream_output_get_pipeline  (PaStreamOutput  *self);
GFile              *pa_stream_output_get_file      (PaStreamOutput  *self);
const char         *pa_stream_output_get_url       (PaStreamOutput  *self);

/* From the stream's streaming threads, one at a time (under the
 * stream's lock): hands an encoded sample to the output. Its first
 * picture is a keyframe, and its timestamps start at 0 there. */
PaStreamPush        pa_stream_output_push          (PaStreamOutput  *self,
                                                    GstSample       *sample,
                                                    gboolean         video);
/* Frames the output had to drop (lagging); under the stream's lock. */
guint64             pa_stream_output_get_dropped   (PaStreamOutput  *self);
/* Ends the output's streams (EOS): its pipeline posts EOS once the file
 * was finalised. Later samples are skipped. Under the stream's lock. */
void                pa_stream_output_end           (PaStreamOutput  *self);
/* Whether a live output's server took the publish. */
gboolean            pa_stream_output_is_connected  (PaStreamOutput  *self);
/* An error of the output's pipeline, in the user's words. */
GError             *pa_stream_output_error_from_message (PaStreamOutput *self,
                                                         GstMessage     *message);
/* Stops its pipeline at once (NULL state). */
void                pa_stream_output_close         (PaStreamOutput  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaStreamOutput, pa_stream_output_unref)

G_END_DECLS
