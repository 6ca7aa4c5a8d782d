/* pa-stream-source-private.h — what the source files of core/stream
 * share: pa-stream-source.c (the descriptions, the made-up and file
 * sources), pa-stream-source-capture.c (the bins of a camera, the screen,
 * a microphone), pa-stream-source-portal.c (asking for the screen) and
 * pa-stream-device.c (the device lists)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STREAM_COMPILATION)
# error "pa-stream-source-private.h is private to core/stream: use pa-stream-source.h"
#endif

#include <gst/gst.h>

#include "pa-stream-device.h"
#include "pa-stream-source.h"

G_BEGIN_DECLS

/* The ScreenCast portal's session of a shared screen, reference counted
 * (g_rc_box): held by the source, its copies and the bins made from
 * them, and closed when the last of them goes, so the desktop stops
 * sharing only once nothing reads the screen. */
typedef struct _PaStreamPortalSession PaStreamPortalSession;

struct _PaStreamSource {
  gatomicrefcount   ref_count;
  PaStreamVideoKind video;
  PaStreamAudioKind audio;
  GFile            *file;
  char             *device;        /* the camera's id, NULL: the first one */
  char             *microphone;    /* the microphone's id, NULL: the default one */
  /* The screen on Wayland: the portal's PipeWire remote and the node
   * the user chose, and the session that keeps them shared; on X11 the
   * display (screen_fd is -1). */
  int                    screen_fd;
  guint32                screen_node;
  char                  *screen_display;
  PaStreamPortalSession *portal;
};

/* A copy of @self that holds its own references (its own duplicate of
 * the screen's PipeWire descriptor, a reference to its portal session). */
PaStreamSource *pa_stream_source_copy    (PaStreamSource  *self);

/* Adds @first and the elements after it (NULL-terminated, floating) to
 * @bin, links them in order, and ghosts the last one's src pad. */
gboolean pa_stream_source_add_chain      (GstBin          *bin,
                                          GError         **error,
                                          GstElement      *first,
                                          ...) G_GNUC_NULL_TERMINATED;
/* The end of every video source: convert to I420, scale to
 * @width×@height, a videorate named PA_STREAM_VIDEORATE_NAME, caps. */
gboolean pa_stream_source_make_video_tail (GstElement    **convert,
                                           GstElement    **scale,
                                           GstElement    **rate,
                                           GstElement    **filter,
                                           int             width,
                                           int             height,
                                           int             fps_n,
                                           int             fps_d,
                                           GError        **error);
/* The end of every sound: convert, resample, caps of 48 kHz stereo. */
gboolean pa_stream_source_make_audio_tail (GstElement    **convert,
                                           GstElement    **resample,
                                           GstElement    **filter,
                                           GError        **error);

/* pa-stream-source-capture.c */
GstElement *pa_stream_source_make_camera     (PaStreamSource  *self,
                                              int              width,
                                              int              height,
                                              int              fps_n,
                                              int              fps_d,
                                              GError         **error);
GstElement *pa_stream_source_make_screen     (PaStreamSource  *self,
                                              int              width,
                                              int              height,
                                              int              fps_n,
                                              int              fps_d,
                                              GError         **error);
GstElement *pa_stream_source_make_microphone (PaStreamSource  *self,
                                              GError         **error);

/* pa-stream-source-portal.c */
/* Lets go of what a screen source holds: its descriptor, and its
 * reference to the portal session (closed with the last one). */
void        pa_stream_source_close_screen    (PaStreamSource  *self);
PaStreamPortalSession *pa_stream_portal_session_acquire (PaStreamPortalSession *session);
/* Closes the session with the last reference. */
void                   pa_stream_portal_session_release (PaStreamPortalSession *session);

/* pa-stream-device.c */
GstDevice      *pa_stream_device_get_gst_device (PaStreamDevice     *self);
/* The device @id of @kind (NULL: the first one), or NULL. */
PaStreamDevice *pa_stream_device_find           (PaStreamDeviceKind  kind,
                                                 const char         *id);
/* The caps of the camera mode that suits @width×@height at
 * @fps_n/@fps_d best, or NULL when the camera lists none. */
GstCaps        *pa_stream_device_pick_caps      (PaStreamDevice     *self,
                                                 int                 width,
                                                 int                 height,
                                                 int                 fps_n,
                                                 int                 fps_d,
                                                 gboolean           *is_jpeg);

G_END_DECLS
