/* pa-face-tracker.c — follows faces from frame to frame of a video
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include "pa-face-tracker.h"

/* A face that no detection has found this many times in a row is
 * dropped: one miss is forgiven (a blink of the detector). */
#define MAX_MISSED_DETECTIONS 2

/* A detection is the same face as a track when their boxes overlap this
 * much (intersection over union), or their centres are closer than this
 * fraction of the box's width. */
#define MATCH_MIN_IOU          0.3
#define MATCH_MAX_CENTRE_SHIFT 0.5
/* Below this overlap the track has drifted: fit again in the
 * detection's box. */
#define DRIFT_IOU              0.6

/* The one-euro filter (Casiez et al., 2012) on every coordinate: a
 * low-pass whose cut-off rises with speed, so a still face holds still
 * and a moving one is not dragged behind. Speeds are in eye distances a
 * second, so the same settings fit every face size: still, the cut-off
 * is MIN_CUTOFF Hz; at one eye distance a second it adds BETA Hz. The
 * lag on a steady motion stays under 1 / (2π BETA) eye distances. */
#define EURO_MIN_CUTOFF  1.0
#define EURO_BETA        3.0
#define EURO_D_CUTOFF    1.0

typedef struct {
  double value;
  double speed;
} Euro;

typedef struct {
  guint   id;
  PaFace  raw;          /* the last fit, unsmoothed: what the next box comes from */
  PaFace  smooth;
  guint   missed;
  gboolean matched;
  /* Where the face was on the frame the running detection looks at:
   * detections are compared with that, not with where it is now. */
  PaRect  launch_box;
  gboolean has_launch_box;
  /* The centre of the landmarks, then each landmark's place from it. */
  Euro    centre[2];
  Euro    euro[PA_FACE_N_LANDMARKS][2];
} Track;

typedef struct {
  guint8   *data;
  PaPixels  pixels;
} DetectJob;

struct _PaFaceTracker
{
  GObject       parent_instance;

  PaFaceModel  *model;
  guint         detect_every;
  GArray       *tracks;          /* Track */
  guint         next_id;
  guint64       frame_number;
  guint64       last_detection;  /* the frame the last detection started on */
  double        last_seconds;

  GThreadPool  *pool;
  GCancellable *detect_cancellable;
  GMutex        lock;
  GCond         detected_cond;
  gboolean      synchronous;
  gboolean      detecting;       /* a job is queued or running */
  GPtrArray    *detected;        /* its faces when done, not yet merged */
  gboolean      live;            /* the first frame does not wait either */
  guint64       n_detections;    /* finished, under the lock */
  double        detection_ms;    /* the last one's time, under the lock */
};

G_DEFINE_FINAL_TYPE (PaFaceTracker, pa_face_tracker, G_TYPE_OBJECT)

static void
detect_job_free (DetectJob *job)
{
  g_free (job->data);
  g_free (job);
}

static void
run_detection (gpointer data,
               gpointer user_data)
{
  DetectJob *job = data;
  PaFaceTracker *self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  gint64 started = g_get_monotonic_time ();

  /* Faces are looked for down to an eye distance of a 18th of the
   * frame's short side (40 px at 720p): the detector scans a smaller
   * copy, in half the time, and a face smaller than that is hardly worth
   * a swap. The first frame is searched for every face. */
  faces = pa_face_model_detect_larger (self->model, &job->pixels,
                                       MAX (PA_FACE_MIN_EYE_DISTANCE,
                                            MIN (job->pixels.width, job->pixels.height) / 18.0),
                                       self->detect_cancellable, &error);
  if (faces == NULL)
    {
      /* A failed detection is treated as one that found nothing new;
       * tracking goes on with the faces it has. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_debug ("Face detection failed on a frame: %s", error->message);
      faces = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
    }

  g_mutex_lock (&self->lock);
  g_clear_pointer (&self->detected, g_ptr_array_unref);
  self->detected = g_steal_pointer (&faces);
  self->detecting = FALSE;
  self->n_detections++;
  self->detection_ms = (g_get_monotonic_time () - started) / 1000.0;
  g_cond_broadcast (&self->detected_cond);
  g_mutex_unlock (&self->lock);
  detect_job_free (job);
}

static void
pa_face_tracker_finalize (GObject *object)
{
  PaFaceTracker *self = PA_FACE_TRACKER (object);

  /* Stops a detection under way and waits for the worker. */
  g_cancellable_cancel (self->detect_cancellable);
  g_thread_pool_free (self->pool, TRUE, TRUE);
  g_clear_object (&self->detect_cancellable);
  g_clear_pointer (&self->detected, g_ptr_array_unref);
  g_clear_pointer (&self->tracks, g_array_unref);
  g_clear_object (&self->model);
  g_mutex_clear (&self->lock);
  g_cond_clear (&self->detected_cond);

  G_OBJECT_CLASS (pa_face_tracker_parent_class)->finalize (object);
}

static void
pa_face_tracker_class_init (PaFaceTrackerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_face_tracker_finalize;
}

static void
pa_face_tracker_init (PaFaceTracker *self)
{
  g_mutex_init (&self->lock);
  g_cond_init (&self->detected_cond);
  self->tracks = g_array_new (FALSE, TRUE, sizeof (Track));
  self->detect_cancellable = g_cancellable_new ();
}

PaFaceTracker *
pa_face_tracker_new (PaFaceModel *model,
                     guint        detect_every)
{
  PaFaceTracker *self;

  g_return_val_if_fail (PA_IS_FACE_MODEL (model), NULL);

  self = g_object_new (PA_TYPE_FACE_TRACKER, NULL);
  self->model = g_object_ref (model);
  self->detect_every = detect_every ? detect_every : PA_FACE_TRACKER_DEFAULT_DETECT_EVERY;
  self->pool = g_thread_pool_new (run_detection, self, 1, FALSE, NULL);
  return self;
}

/* The box dlib's landmark model starts from, laid over the face's last
 * landmarks as the detector's box would be. */
static PaRect
box_for (PaFaceTracker *self,
         const PaFace  *face)
{
  return pa_face_model_box_for_face (self->model, face);
}

static double
box_iou (const PaRect *a,
         const PaRect *b)
{
  double ix = MAX (0, MIN (a->x + a->width, b->x + b->width) - MAX (a->x, b->x));
  double iy = MAX (0, MIN (a->y + a->height, b->y + b->height) - MAX (a->y, b->y));
  double inter = ix * iy;
  double uni = (double) a->width * a->height + (double) b->width * b->height - inter;

  return uni > 0 ? inter / uni : 0;
}

static double
centre_shift (const PaRect *a,
              const PaRect *b)
{
  double dx = (a->x + a->width / 2.0) - (b->x + b->width / 2.0);
  double dy = (a->y + a->height / 2.0) - (b->y + b->height / 2.0);

  return hypot (dx, dy) / MAX (1, a->width);
}

static double
euro_alpha (double cutoff,
            double dt)
{
  double tau = 1.0 / (2 * G_PI * cutoff);

  return 1.0 / (1.0 + tau / dt);
}

static double
euro_step (Euro     *e,
           double    x,
           double    dt,
           double    scale,
           gboolean  restart)
{
  double speed, cutoff, a;

  if (restart || dt <= 0)
    {
      e->value = x;
      e->speed = 0;
      return x;
    }
  a = euro_alpha (EURO_D_CUTOFF, dt);
  speed = (x - e->value) / dt;
  e->speed = a * speed + (1 - a) * e->speed;
  cutoff = EURO_MIN_CUTOFF + EURO_BETA * fabs (e->speed) / scale;
  a = euro_alpha (cutoff, dt);
  e->value = a * x + (1 - a) * e->value;
  return e->value;
}

/* The face's move and its shape are smoothed apart: the centre of the
 * landmarks follows the move as fast as it goes (its noise is the mean
 * of 68 points', small), and each landmark's place from the centre only
 * changes as fast as the face's expression does, so the fit's noise,
 * point by point, does not ride on the move's high cut-off. */
static void
smooth_track (Track    *track,
              double    dt,
              gboolean  restart)
{
  double scale = MAX (1.0, track->raw.eye_distance);
  double centre[2] = { 0, 0 };

  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      centre[0] += track->raw.landmarks[i].x / PA_FACE_N_LANDMARKS;
      centre[1] += track->raw.landmarks[i].y / PA_FACE_N_LANDMARKS;
    }

  track->smooth = track->raw;
  for (int c = 0; c < 2; c++)
    {
      double smooth_centre = euro_step (&track->centre[c], centre[c], dt, scale, restart);

      for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
        {
          double x = c == 0 ? track->raw.landmarks[i].x : track->raw.landmarks[i].y;
          double placed = smooth_centre + euro_step (&track->euro[i][c], x - centre[c], dt, scale, restart);

          if (c == 0)
            track->smooth.landmarks[i].x = placed;
          else
            track->smooth.landmarks[i].y = placed;
        }
    }
  pa_face_update_quality (&track->smooth);
}

static void
add_track (PaFaceTracker  *self,
           const PaPixels *frame,
           const PaFace   *detected,
           gboolean        same_frame)
{
  Track track = { 0 };

  track.id = self->next_id++;
  track.raw = *detected;
  /* A detection from an earlier frame: fit again where the face is now. */
  if (!same_frame)
    {
      PaRect box = box_for (self, detected);

      pa_face_model_fit (self->model, frame, &box, &track.raw);
    }
  smooth_track (&track, 0, TRUE);
  g_array_append_val (self->tracks, track);
}

/* Matches the detector's faces to the tracks: the best overlaps first. */
static void
merge_detection (PaFaceTracker  *self,
                 const PaPixels *frame,
                 GPtrArray      *detected,
                 gboolean        same_frame)
{
  g_autofree gboolean *used = g_new0 (gboolean, detected->len + 1);

  for (guint t = 0; t < self->tracks->len; t++)
    g_array_index (self->tracks, Track, t).matched = FALSE;

  for (;;)
    {
      double best = -1;
      guint best_t = 0, best_d = 0;

      for (guint t = 0; t < self->tracks->len; t++)
        {
          Track *track = &g_array_index (self->tracks, Track, t);
          PaRect box;

          if (track->matched)
            continue;
          box = !same_frame && track->has_launch_box ? track->launch_box : box_for (self, &track->raw);
          for (guint d = 0; d < detected->len; d++)
            {
              PaRect found = box_for (self, detected->pdata[d]);
              double iou = box_iou (&box, &found);

              if (used[d])
                continue;
              if (iou < MATCH_MIN_IOU && centre_shift (&box, &found) > MATCH_MAX_CENTRE_SHIFT)
                continue;
              if (iou > best)
                {
                  best = iou;
                  best_t = t;
                  best_d = d;
                }
            }
        }
      if (best < 0)
        break;

      {
        Track *track = &g_array_index (self->tracks, Track, best_t);
        const PaFace *face = detected->pdata[best_d];

        used[best_d] = TRUE;
        track->matched = TRUE;
        track->missed = 0;
        /* Drifted: fit again where the detection put the face, moved on
         * by as much as the face has moved since its frame. Both boxes
         * are the model's own (pa_face_model_box_for_face()), so a face
         * that is followed well is left alone. */
        if (best < DRIFT_IOU)
          {
            if (same_frame)
              {
                track->raw = *face;
              }
            else
              {
                PaRect found = box_for (self, face);
                PaRect now = box_for (self, &track->raw);
                PaRect then = track->has_launch_box ? track->launch_box : now;

                found.x += now.x - then.x;
                found.y += now.y - then.y;
                pa_face_model_fit (self->model, frame, &found, &track->raw);
              }
          }
      }
    }

  for (guint t = 0; t < self->tracks->len; t++)
    g_array_index (self->tracks, Track, t).has_launch_box = FALSE;

  for (guint t = self->tracks->len; t > 0; t--)
    {
      Track *track = &g_array_index (self->tracks, Track, t - 1);

      if (!track->matched && ++track->missed >= MAX_MISSED_DETECTIONS)
        g_array_remove_index (self->tracks, t - 1);
    }

  for (guint d = 0; d < detected->len; d++)
    if (!used[d])
      {
        const PaFace *face = detected->pdata[d];

        g_debug ("Frame %" G_GUINT64_FORMAT ": a new face at %d,%d %dx%d (score %.2f, %u followed)",
                 self->frame_number, face->box.x, face->box.y, face->box.width, face->box.height,
                 face->score, self->tracks->len);
        for (guint t = 0; t < self->tracks->len; t++)
          {
            Track *track = &g_array_index (self->tracks, Track, t);
            PaRect box = box_for (self, &track->raw);

            g_debug ("  followed %u at %d,%d %dx%d", track->id, box.x, box.y, box.width, box.height);
          }
        add_track (self, frame, face, same_frame);
      }
}

/* A fit that lost the face: it grew or shrank too fast (by its eye
 * distance, or by the size of the model's face laid over it, which
 * catches points that spread over the collar or the hair), or it left
 * the frame. */
static gboolean
fit_lost (PaFaceTracker  *self,
          const PaFace   *before,
          const PaFace   *after,
          const PaPixels *frame)
{
  double ratio = before->eye_distance > 0 ? after->eye_distance / before->eye_distance : 0;
  PaRect was = box_for (self, before);
  PaRect now = box_for (self, after);
  double size_ratio = was.width > 0 ? (double) now.width / was.width : 0;

  return ratio < 0.7 || ratio > 1.4
         || size_ratio < 0.8 || size_ratio > 1.25
         || now.width < 4
         || now.x >= frame->width || now.y >= frame->height
         || now.x + now.width <= 0 || now.y + now.height <= 0;
}

/* Detection is most of the tracker's work (75 ms a 720p frame), so it
 * runs as seldom as it can: every detect_every frames while every face
 * is found each time; twice as often while there is no face, to pick one
 * up soon; four times as often once a face was missed, so that a face
 * that left is dropped soon rather than drawn where it was. */
static guint64
detection_interval (PaFaceTracker *self)
{
  guint64 interval = self->detect_every;

  if (self->tracks->len == 0)
    interval /= 2;
  for (guint t = 0; t < self->tracks->len; t++)
    if (g_array_index (self->tracks, Track, t).missed > 0)
      interval = self->detect_every / 4;
  return MAX (interval, 1);
}

static gboolean
start_detection (PaFaceTracker  *self,
                 const PaPixels *frame)
{
  DetectJob *job;
  gsize size = (gsize) frame->stride * frame->height;

  g_mutex_lock (&self->lock);
  if (self->detecting)
    {
      g_mutex_unlock (&self->lock);
      return FALSE;
    }
  self->detecting = TRUE;
  g_mutex_unlock (&self->lock);

  for (guint t = 0; t < self->tracks->len; t++)
    {
      Track *track = &g_array_index (self->tracks, Track, t);

      track->launch_box = box_for (self, &track->raw);
      track->has_launch_box = TRUE;
    }

  /* The worker gets its own copy: the frame goes on down the pipeline. */
  job = g_new0 (DetectJob, 1);
  job->data = g_memdup2 (frame->data, size);
  job->pixels = *frame;
  job->pixels.data = job->data;
  g_thread_pool_push (self->pool, job, NULL);
  return TRUE;
}

static int
compare_x (gconstpointer a,
           gconstpointer b)
{
  const PaTrackedFace *fa = a, *fb = b;
  double xa = fa->face.box.x + fa->face.box.width / 2.0;
  double xb = fb->face.box.x + fb->face.box.width / 2.0;

  return (xa > xb) - (xa < xb);
}

void
pa_face_tracker_set_synchronous (PaFaceTracker *self,
                                 gboolean       synchronous)
{
  g_return_if_fail (PA_IS_FACE_TRACKER (self));

  self->synchronous = !!synchronous;
}

void
pa_face_tracker_set_live (PaFaceTracker *self,
                          gboolean       live)
{
  g_return_if_fail (PA_IS_FACE_TRACKER (self));

  self->live = !!live;
}

void
pa_face_tracker_set_detect_every (PaFaceTracker *self,
                                  guint          detect_every)
{
  g_return_if_fail (PA_IS_FACE_TRACKER (self));

  self->detect_every = detect_every ? detect_every : PA_FACE_TRACKER_DEFAULT_DETECT_EVERY;
}

guint
pa_face_tracker_get_detect_every (PaFaceTracker *self)
{
  g_return_val_if_fail (PA_IS_FACE_TRACKER (self), 0);

  return self->detect_every;
}

void
pa_face_tracker_get_detections (PaFaceTracker *self,
                                guint64       *n_detections,
                                double        *last_ms,
                                gboolean      *busy)
{
  g_return_if_fail (PA_IS_FACE_TRACKER (self));

  g_mutex_lock (&self->lock);
  if (n_detections != NULL)
    *n_detections = self->n_detections;
  if (last_ms != NULL)
    *last_ms = self->detection_ms;
  if (busy != NULL)
    *busy = self->detecting;
  g_mutex_unlock (&self->lock);
}

GArray *
pa_face_tracker_update (PaFaceTracker   *self,
                        const PaPixels  *frame,
                        double           seconds,
                        GCancellable    *cancellable,
                        GError         **error)
{
  g_autoptr(GPtrArray) detected = NULL;
  GArray *result;
  double dt;

  g_return_val_if_fail (PA_IS_FACE_TRACKER (self), NULL);
  g_return_val_if_fail (frame != NULL, NULL);

  dt = self->frame_number > 0 ? seconds - self->last_seconds : 0;
  self->last_seconds = seconds;

  if (self->frame_number == 0 && !self->live)
    {
      /* The first frame waits for its faces. */
      detected = pa_face_model_detect (self->model, frame, cancellable, error);
      if (detected == NULL)
        return NULL;
      merge_detection (self, frame, detected, TRUE);
      g_clear_pointer (&detected, g_ptr_array_unref);
    }
  else
    {
      /* Follow each face from its last landmarks. */
      for (guint t = self->tracks->len; t > 0; t--)
        {
          Track *track = &g_array_index (self->tracks, Track, t - 1);
          PaRect box = box_for (self, &track->raw);
          PaFace fitted = track->raw;

          pa_face_model_fit (self->model, frame, &box, &fitted);
          if (fit_lost (self, &track->raw, &fitted, frame))
            g_array_remove_index (self->tracks, t - 1);
          else
            track->raw = fitted;
        }

      g_mutex_lock (&self->lock);
      detected = g_steal_pointer (&self->detected);
      g_mutex_unlock (&self->lock);
      if (detected != NULL)
        merge_detection (self, frame, detected, FALSE);

      if ((self->frame_number - self->last_detection >= detection_interval (self)
           || self->frame_number == 0)
          && start_detection (self, frame))
        {
          self->last_detection = self->frame_number;
          if (self->synchronous)
            {
              g_mutex_lock (&self->lock);
              while (self->detecting)
                g_cond_wait (&self->detected_cond, &self->lock);
              detected = g_steal_pointer (&self->detected);
              g_mutex_unlock (&self->lock);
              merge_detection (self, frame, detected, TRUE);
              g_clear_pointer (&detected, g_ptr_array_unref);
            }
        }
    }

  result = g_array_sized_new (FALSE, TRUE, sizeof (PaTrackedFace), self->tracks->len);
  for (guint t = 0; t < self->tracks->len; t++)
    {
      Track *track = &g_array_index (self->tracks, Track, t);
      PaTrackedFace out;

      smooth_track (track, dt, self->frame_number == 0 || track->smooth.eye_distance == 0);
      out.id = track->id;
      out.face = track->smooth;
      g_array_append_val (result, out);
    }
  g_array_sort (result, compare_x);
  for (guint i = 0; i < result->len; i++)
    g_array_index (result, PaTrackedFace, i).face.index = (int) i;

  self->frame_number++;
  return result;
}
