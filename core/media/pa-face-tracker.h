/* pa-face-tracker.h — follows faces from frame to frame of a video
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-face-model.h"
#include "pa-face.h"

G_BEGIN_DECLS

/* One face followed: @id stays the same from the frame it is first found
 * until it is lost; a face found later, or found again after being lost,
 * gets a new id. @face holds the smoothed landmarks, the box and the
 * quality for this frame; its index is its place left to right in this
 * frame. */
typedef struct {
  guint   id;
  PaFace  face;
} PaTrackedFace;

#define PA_FACE_TRACKER_DEFAULT_DETECT_EVERY 16

#define PA_TYPE_FACE_TRACKER (pa_face_tracker_get_type ())
G_DECLARE_FINAL_TYPE (PaFaceTracker, pa_face_tracker, PA, FACE_TRACKER, GObject)

/* @detect_every: run the detector on one frame in that many (0 = the
 * default), more often while no face is followed or one was missed.
 * Detection runs in a worker thread and never holds a frame
 * up; between detections each face's landmarks are fitted again in a
 * box made from its last ones (about 1.5 ms a face). Only the first
 * frame waits for its detection, so a face there is followed from the
 * start. */
PaFaceTracker *pa_face_tracker_new    (PaFaceModel     *model,
                                       guint            detect_every);

/* Synchronous: each detection is waited for and used on the frame it
 * looked at. Slower (the detector's time is added to those frames), and
 * the same from run to run whatever the machine's speed: for tests and
 * for work where that matters more than time. Off by default. */
void           pa_face_tracker_set_synchronous (PaFaceTracker *self,
                                                gboolean       synchronous);

/* Live: the first frame does not wait for its detection either (it
 * starts one, and faces are followed from the frame after it ends), so
 * no frame is ever held up by the detector. Off by default. */
void           pa_face_tracker_set_live        (PaFaceTracker *self,
                                                gboolean       live);

/* Changes how often the detector runs (as @detect_every of
 * pa_face_tracker_new()) from the next frame on: a live video lowers the
 * rate when the machine cannot keep up. Call from the thread that calls
 * pa_face_tracker_update(). */
void           pa_face_tracker_set_detect_every (PaFaceTracker *self,
                                                 guint          detect_every);
guint          pa_face_tracker_get_detect_every (PaFaceTracker *self);

/* The detections finished so far, how long the last one took (0 before
 * the first) and whether one is queued or running now. Any thread;
 * each pointer may be NULL. */
void           pa_face_tracker_get_detections  (PaFaceTracker *self,
                                                guint64       *n_detections,
                                                double        *last_ms,
                                                gboolean      *busy);

/* Gives the tracker the next frame, shown at @seconds, and returns the
 * faces in it (GArray of PaTrackedFace, left to right). The frame is
 * read during the call only. Landmarks are smoothed over time with a
 * filter that follows fast motion without lag and holds still ones
 * still. Call from one thread, frames in order. */
GArray        *pa_face_tracker_update (PaFaceTracker   *self,
                                       const PaPixels  *frame,
                                       double           seconds,
                                       GCancellable    *cancellable,
                                       GError         **error);

G_END_DECLS
