/* test-stream-common.h — what the stream engine's tests share: a
 * temporary folder, the plugins they need, running a stream from the
 * main context, and reading recordings back
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>

#include "pa-stream.h"

G_BEGIN_DECLS

/* A temporary folder of the test's own, removed with what it holds. */
typedef struct {
  char *dir;
} PaTestStreamFixture;

void     pa_test_stream_fixture_set_up    (PaTestStreamFixture  *f,
                                           gconstpointer         data);
void     pa_test_stream_fixture_tear_down (PaTestStreamFixture  *f,
                                           gconstpointer         data);

/* The GStreamer elements the stream and the checks use; a missing one
 * is a PA_TEST_MISSING_ERROR naming its Debian package. */
gboolean pa_test_stream_need_plugins      (GError              **error);

/* A GAsyncReadyCallback storing a reference to the result in the
 * GAsyncResult * @user_data points to, and the wait for it (the main
 * context runs meanwhile; 60 s at most). */
void          pa_test_stream_on_done      (GObject              *object,
                                           GAsyncResult         *result,
                                           gpointer              user_data);
GAsyncResult *pa_test_stream_wait         (GAsyncResult        **slot);

gboolean pa_test_stream_start             (PaStream             *stream,
                                           GError              **error);
gboolean pa_test_stream_stop              (PaStream             *stream,
                                           GError              **error);
/* Runs the main context until @stream has run @seconds (its running
 * time, which is what its live sources captured and so the length of
 * the recording, whatever the start cost). Checked every 10 ms. */
void     pa_test_stream_run_for           (PaStream             *stream,
                                           double                seconds);

/* Runs this test program again with @variable set to @path in its
 * environment, waits for the child to print the line "recording" (its
 * recording has begun), lets it run @seconds and kills it with SIGKILL. */
void     pa_test_stream_kill_recording_child (const char    *variable,
                                              const char    *path,
                                              double         seconds);

/* The child's side: when its recording @started, says "recording" and
 * runs the main context until it is killed; otherwise prints @error and
 * returns 1. */
int      pa_test_stream_child_run         (gboolean              started,
                                           const GError         *error);

/* What decoding a recording's video gave. */
typedef struct {
  guint64      frames;
  GstClockTime first;              /* PTS of the first frame */
  GstClockTime last;
  GstClockTime max_gap;            /* the largest step between two frames */
  int          width;
  int          height;
  gboolean     first_is_keyframe;  /* as the demuxer gave it */
  gboolean     error;              /* decoding ended on an error */
} PaTestStreamDecoded;

/* Decodes every video frame of the file @path, demuxed by @demuxer
 * (matroskademux, flvdemux), to its end. An error is recorded, not
 * fatal: a killed recording may end in a torn cluster. */
PaTestStreamDecoded pa_test_stream_decode (const char           *path,
                                           const char           *demuxer);
/* From the first frame to the last, in seconds. */
double   pa_test_stream_decoded_span      (const PaTestStreamDecoded *d);

/* The discoverer's view of @path, which must be readable. */
GstDiscovererInfo *pa_test_stream_discover (const char          *path);

/* Waits until the file at @path stops growing (nginx closes a recording
 * once the publisher left), 5 s at most. */
void     pa_test_stream_wait_file_settled (const char           *path);

G_END_DECLS
