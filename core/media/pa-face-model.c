/* pa-face-model.c — dlib's face detector and 68-point landmark model,
 * loaded once and shared
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <math.h>
#include <string.h>

#include "pa-error.h"
#include "pa-install-dirs.h"

#include "pa-dlib-private.h"
#include "pa-face-fit-private.h"
#include "pa-face-model.h"

/* The detector's own threshold is a score of 0. Scores between 0 and
 * this are mostly faces in wallpaper, cloth and foliage; real faces,
 * even small or slightly turned, score well above it (DESIGN §9). */
#define MIN_SCORE 0.3

/* Detections scoring under this are looked at again, upright. */
#define RECHECK_SCORE 0.6

#define TILTED_FINDER_ROLL 28.0

/* The smallest faces the HOG detector finds in the pixels it scans: its
 * smallest box is 73 px, and on the test photographs and dlib's example
 * photographs scaled down step by step, it finds every face whose eye
 * centres are 30 px apart, and loses them one by one between 28 and
 * 21 px. */
#define DETECTOR_MIN_EYE_DISTANCE 30.0

/* The longest side the detector scans. Its time and memory grow with the
 * pixels (about 20 ms at 640×360, 75 ms at 1280×720, 170 ms at
 * 1920×1080 here), so a bigger picture is scanned as a copy this big: a
 * 12-megapixel photograph takes the time of a 1080p frame. */
#define DETECTOR_MAX_LONG_SIDE 2048

struct _PaFaceModel
{
  GObject  parent_instance;

  PaDlib  *dlib;
};

G_DEFINE_FINAL_TYPE (PaFaceModel, pa_face_model, G_TYPE_OBJECT)

static void
pa_face_model_finalize (GObject *object)
{
  PaFaceModel *self = PA_FACE_MODEL (object);

  g_clear_pointer (&self->dlib, pa_dlib_free);

  G_OBJECT_CLASS (pa_face_model_parent_class)->finalize (object);
}

static void
pa_face_model_class_init (PaFaceModelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_face_model_finalize;
}

static void
pa_face_model_init (PaFaceModel *self)
{
}

PaFaceModel *
pa_face_model_new_from_file (const char  *landmarks_path,
                             GError     **error)
{
  g_autoptr(GError) local_error = NULL;
  PaFaceModel *self;
  PaDlib *dlib;

  g_return_val_if_fail (landmarks_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  dlib = pa_dlib_new_from_file (landmarks_path, &local_error);
  if (dlib == NULL)
    {
      if (local_error->domain == G_FILE_ERROR)
        g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                     _("The face landmark model “%s” cannot be read (%s). It comes with "
                       "Debian’s libdlib-data package: install it with "
                       "“sudo apt install libdlib-data”."),
                     landmarks_path, local_error->message);
      else
        g_set_error (error, PA_ERROR, PA_ERROR_NOT_FOUND,
                     _("The face landmark model “%s” is damaged or is not dlib’s 68-point "
                       "model (%s). Reinstall it from Debian’s libdlib-data package with "
                       "“sudo apt install --reinstall libdlib-data”."),
                     landmarks_path, local_error->message);
      return NULL;
    }

  self = g_object_new (PA_TYPE_FACE_MODEL, NULL);
  self->dlib = dlib;
  return self;
}

static void
set_cancelled (GError **error)
{
  g_set_error_literal (error, PA_ERROR, PA_ERROR_CANCELLED, _("Face detection was cancelled"));
}

static gboolean
return_if_cancelled (GCancellable  *cancellable,
                     GError       **error)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  set_cancelled (error);
  return TRUE;
}

/* The shared model ------------------------------------------------------ */

/* The first caller loads; callers that come while it loads wait for that
 * same load and get its model or its error. Only a model is kept: after
 * a failure, the next caller tries again (the package may have been
 * installed meanwhile). */
static GMutex       default_mutex;
static GCond        default_cond;
static PaFaceModel *default_model;
static gboolean     default_loading;
static guint        default_loads;      /* loads finished, so a waiter knows its own ended */
static GError      *default_load_error; /* the last finished load's error, for its waiters */

char *
pa_face_model_get_default_path (void)
{
  const char *from_env = g_getenv ("PLAYALTER_FACE_MODEL");
  const char * const *system_dirs = g_get_system_data_dirs ();
  g_autofree char *installed = NULL;

  if (from_env != NULL && *from_env != '\0')
    return g_strdup (from_env);

  installed = g_build_filename (pa_install_dirs_get_data_dir (), "dlib",
                                PA_FACE_MODEL_FILE_NAME, NULL);
  if (g_file_test (installed, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer (&installed);

  for (guint i = 0; system_dirs[i] != NULL; i++)
    {
      g_autofree char *path = g_build_filename (system_dirs[i], "dlib",
                                                PA_FACE_MODEL_FILE_NAME, NULL);

      if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
        return g_steal_pointer (&path);
    }
  return g_steal_pointer (&installed);
}

PaFaceModel *
pa_face_model_get_default (GError **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autofree char *path = NULL;
  PaFaceModel *model;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  g_mutex_lock (&default_mutex);
  if (default_model == NULL && default_loading)
    {
      guint awaited = default_loads;

      while (default_loading && default_loads == awaited)
        g_cond_wait (&default_cond, &default_mutex);

      if (default_model == NULL)
        {
          g_propagate_error (error, g_error_copy (default_load_error));
          g_mutex_unlock (&default_mutex);
          return NULL;
        }
    }
  if (default_model != NULL)
    {
      model = g_object_ref (default_model);
      g_mutex_unlock (&default_mutex);
      return model;
    }
  default_loading = TRUE;
  g_mutex_unlock (&default_mutex);

  path = pa_face_model_get_default_path ();
  model = pa_face_model_new_from_file (path, &local_error);

  g_mutex_lock (&default_mutex);
  default_loading = FALSE;
  default_loads++;
  g_clear_error (&default_load_error);
  if (model != NULL)
    default_model = g_object_ref (model);
  else
    default_load_error = g_error_copy (local_error);
  g_cond_broadcast (&default_cond);
  g_mutex_unlock (&default_mutex);

  if (model == NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return model;
}

static void
get_default_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  GError *error = NULL;
  PaFaceModel *model = pa_face_model_get_default (&error);

  if (model != NULL)
    g_task_return_pointer (task, model, g_object_unref);
  else
    g_task_return_error (task, error);
}

void
pa_face_model_get_default_async (GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_face_model_get_default_async);
  /* A cancelled caller does not wait for the load: it goes on in the
   * worker and is kept for the next caller. */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, get_default_thread);
}

/* GTask says G_IO_ERROR_CANCELLED when it returns early on its own; the
 * project says PA_ERROR_CANCELLED. */
static gpointer
propagate_pointer (GTask   *task,
                   GError **error)
{
  g_autoptr(GError) local_error = NULL;
  gpointer result = g_task_propagate_pointer (task, &local_error);

  if (local_error != NULL && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_cancelled (error);
  else if (local_error != NULL)
    g_propagate_error (error, g_steal_pointer (&local_error));
  return result;
}

PaFaceModel *
pa_face_model_get_default_finish (GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_face_model_get_default_async, NULL);

  return propagate_pointer (G_TASK (result), error);
}

/* Detection ------------------------------------------------------------- */

static gboolean
check_pixels (const PaPixels  *pixels,
              GError         **error)
{
  if (pixels->data == NULL || pixels->width <= 0 || pixels->height <= 0
      || (pixels->channels != 3 && pixels->channels != 4)
      || pixels->stride < 0
      || (gsize) pixels->stride < (gsize) pixels->width * (gsize) pixels->channels)
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The picture cannot be searched for faces: %d×%d pixels, %d channels, "
                     "%d bytes per row"),
                   pixels->width, pixels->height, pixels->channels, pixels->stride);
      return FALSE;
    }
  return TRUE;
}

/* The scale the detector runs at. It finds no face whose eyes are less
 * than DETECTOR_MIN_EYE_DISTANCE apart in what it scans, so a face whose
 * eyes are @min_eye_distance apart in the picture stays findable on a
 * copy scaled by DETECTOR_MIN_EYE_DISTANCE / @min_eye_distance, and a
 * smaller copy is quicker. Never bigger than the picture: enlarging
 * would find faces under PA_FACE_MIN_EYE_DISTANCE, too small to swap,
 * at twice the cost. Never more than DETECTOR_MAX_LONG_SIDE pixels long:
 * in a bigger picture the smallest face found has its eyes
 * DETECTOR_MIN_EYE_DISTANCE × long side / DETECTOR_MAX_LONG_SIDE apart
 * (60 px in a 4000 px photograph, 1.5 % of its width).
 *
 * With PA_FACE_MIN_EYE_DISTANCE (24) that is the picture itself up to
 * 2048 px: the detector cannot go below its window, so a face between
 * 24 and 30 px is found only when it is clear. Video passes a larger
 * @min_eye_distance to detect often on a small copy. */
static double
detection_scale (const PaPixels *pixels,
                 double          min_eye_distance)
{
  double scale = DETECTOR_MIN_EYE_DISTANCE / MAX (min_eye_distance, 1.0);

  scale = MIN (scale, (double) DETECTOR_MAX_LONG_SIDE / MAX (pixels->width, pixels->height));
  return MIN (scale, 1.0);
}

/* Grey copy of @pixels at @scale (<= 1), each grey pixel the mean of the
 * picture's pixels it covers (a box filter: plain subsampling would
 * alias edges into the gradients the detector reads). Grey is the mean
 * of red, green and blue, as dlib reads colour. */
static guint8 *
make_grey (const PaPixels *pixels,
           double          scale,
           int            *width_out,
           int            *height_out)
{
  int width = MAX (1, (int) floor (pixels->width * scale));
  int height = MAX (1, (int) floor (pixels->height * scale));
  g_autofree int *x_start = g_new (int, width + 1);
  g_autofree guint32 *sums = g_new0 (guint32, width);
  guint8 *grey = g_malloc ((gsize) width * height);
  int channels = pixels->channels;

  /* Output column x covers input columns x_start[x] .. x_start[x + 1] - 1. */
  for (int x = 0; x <= width; x++)
    x_start[x] = MIN (pixels->width, (int) floor ((double) x * pixels->width / width));

  for (int y = 0; y < height; y++)
    {
      int y0 = (int) floor ((double) y * pixels->height / height);
      int y1 = MAX (y0 + 1, (int) floor ((double) (y + 1) * pixels->height / height));
      guint8 *out = grey + (gsize) y * width;

      memset (sums, 0, sizeof (guint32) * width);
      for (int sy = y0; sy < y1 && sy < pixels->height; sy++)
        {
          const guint8 *row = pixels->data + (gsize) sy * pixels->stride;

          for (int x = 0; x < width; x++)
            {
              const guint8 *p = row + (gsize) x_start[x] * channels;
              guint32 sum = 0;

              for (int sx = x_start[x]; sx < MAX (x_start[x + 1], x_start[x] + 1); sx++, p += channels)
                sum += p[0] + p[1] + p[2];
              sums[x] += sum;
            }
        }
      for (int x = 0; x < width; x++)
        {
          guint32 n = 3 * (guint32) (MIN (y1, pixels->height) - y0)
                        * (guint32) MAX (1, x_start[x + 1] - x_start[x]);

          out[x] = (guint8) ((sums[x] + n / 2) / n);
        }
    }

  *width_out = width;
  *height_out = height;
  return grey;
}

static PaRect
clip_box (const PaRect   *box,
          const PaPixels *pixels)
{
  int x0 = CLAMP (box->x, 0, pixels->width);
  int y0 = CLAMP (box->y, 0, pixels->height);
  int x1 = CLAMP ((gint64) box->x + box->width, 0, pixels->width);
  int y1 = CLAMP ((gint64) box->y + box->height, 0, pixels->height);

  return (PaRect) { x0, y0, x1 - x0, y1 - y0 };
}

static void
fit (PaFaceModel    *self,
     const PaPixels *pixels,
     const PaRect   *box,
     double          roll_hint,
     PaFace         *face)
{
  g_autoptr(GError) error = NULL;

  face->box = clip_box (box, pixels);

  if (box->width <= 0 || box->height <= 0
      || !pa_face_fit_tilted (self->dlib, pixels, box, roll_hint, face->landmarks, &error))
    {
      /* Nothing to fit to: every point in the box's centre, which reads
       * as a face too small to swap, never as a good one. */
      if (error != NULL)
        g_warning ("Cannot fit face landmarks: %s", error->message);
      for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
        face->landmarks[i] = (PaPoint) { box->x + box->width / 2.0, box->y + box->height / 2.0 };
    }
  pa_face_update_quality (face);
}

void
pa_face_model_fit (PaFaceModel    *self,
                   const PaPixels *pixels,
                   const PaRect   *box,
                   PaFace         *face)
{
  g_return_if_fail (PA_IS_FACE_MODEL (self));
  g_return_if_fail (pixels != NULL);
  g_return_if_fail (box != NULL);
  g_return_if_fail (face != NULL);
  g_return_if_fail (check_pixels (pixels, NULL));

  /* A face that holds an earlier fit starts from its tilt. */
  fit (self, pixels, box,
       face->eye_distance > 0 && isfinite (face->roll) ? face->roll : NAN,
       face);
}

PaRect
pa_face_model_box_for_face (PaFaceModel  *self,
                            const PaFace *face)
{
  PaRect box = { 0, 0, 0, 0 };

  g_return_val_if_fail (PA_IS_FACE_MODEL (self), box);
  g_return_val_if_fail (face != NULL, box);

  pa_dlib_box_for_landmarks (self->dlib, face->landmarks, &box);
  return box;
}

/* dlib's detectors 3 and 4 find faces tilted by 15 to 40°, one way and
 * the other (measured on the test photographs turned step by step):
 * the middle of that is where the landmarks start. */
static double
roll_hint (const PaDlibDetection *detection)
{
  switch (detection->kind)
    {
    case 3:
      return -TILTED_FINDER_ROLL;
    case 4:
      return TILTED_FINDER_ROLL;
    default:
      return NAN;
    }
}

static int
compare_left_to_right (gconstpointer a,
                       gconstpointer b)
{
  const PaFace *fa = *(PaFace * const *) a;
  const PaFace *fb = *(PaFace * const *) b;
  gint64 ca = 2 * (gint64) fa->box.x + fa->box.width;
  gint64 cb = 2 * (gint64) fb->box.x + fb->box.width;

  if (ca != cb)
    return ca < cb ? -1 : 1;
  return (fa->box.y > fb->box.y) - (fa->box.y < fb->box.y);
}

GPtrArray *
pa_face_model_detect (PaFaceModel     *self,
                      const PaPixels  *pixels,
                      GCancellable    *cancellable,
                      GError         **error)
{
  return pa_face_model_detect_larger (self, pixels, PA_FACE_MIN_EYE_DISTANCE, cancellable, error);
}

GPtrArray *
pa_face_model_detect_larger (PaFaceModel     *self,
                             const PaPixels  *pixels,
                             double           min_eye_distance,
                             GCancellable    *cancellable,
                             GError         **error)
{
  g_autoptr(GArray) detections = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autofree guint8 *grey = NULL;
  int grey_width, grey_height;
  double scale;

  g_return_val_if_fail (PA_IS_FACE_MODEL (self), NULL);
  g_return_val_if_fail (pixels != NULL, NULL);
  g_return_val_if_fail (isfinite (min_eye_distance) && min_eye_distance > 0, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_pixels (pixels, error))
    return NULL;
  if (return_if_cancelled (cancellable, error))
    return NULL;

  scale = detection_scale (pixels, min_eye_distance);
  grey = make_grey (pixels, scale, &grey_width, &grey_height);
  if (return_if_cancelled (cancellable, error))
    return NULL;

  detections = g_array_new (FALSE, FALSE, sizeof (PaDlibDetection));
  /* Down to the detector's own threshold: the faces between it and
   * MIN_SCORE are checked again below. */
  if (!pa_dlib_detect (self->dlib, grey, grey_width, grey_height, grey_width,
                       0, detections, error))
    return NULL;
  g_clear_pointer (&grey, g_free);

  faces = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_face_free);
  for (guint i = 0; i < detections->len; i++)
    {
      const PaDlibDetection *d = &g_array_index (detections, PaDlibDetection, i);
      double sx = (double) pixels->width / grey_width;
      double sy = (double) pixels->height / grey_height;
      PaFace *face;
      PaRect box;

      if (return_if_cancelled (cancellable, error))
        return NULL;

      /* Back to the picture's pixels, where the landmarks are fitted, by
       * the sizes of the copy actually made (rounded down from @scale). */
      box.x = (int) floor (d->box.x * sx);
      box.y = (int) floor (d->box.y * sy);
      box.width = (int) ceil ((d->box.x + d->box.width) * sx) - box.x;
      box.height = (int) ceil ((d->box.y + d->box.height) * sy) - box.y;

      face = g_new0 (PaFace, 1);
      face->score = d->score;
      fit (self, pixels, &box, roll_hint (d), face);

      /* A face between two of dlib's finders scores low, and so do
       * patterns that only look a little like a face: a face scores well
       * once turned upright, a pattern does not. */
      if (face->score < RECHECK_SCORE)
        {
          g_autoptr(GError) recheck_error = NULL;

          face->score = pa_face_fit_recheck (self->dlib, pixels, &box, face->landmarks, &recheck_error);
          if (recheck_error != NULL)
            {
              g_propagate_error (error, g_steal_pointer (&recheck_error));
              pa_face_free (face);
              return NULL;
            }
          if (face->score < MIN_SCORE)
            {
              pa_face_free (face);
              continue;
            }
        }
      g_ptr_array_add (faces, face);
    }

  g_ptr_array_sort (faces, compare_left_to_right);
  for (guint i = 0; i < faces->len; i++)
    ((PaFace *) g_ptr_array_index (faces, i))->index = (int) i;

  return g_steal_pointer (&faces);
}

static void
detect_thread (GTask        *task,
               gpointer      source_object,
               gpointer      task_data,
               GCancellable *cancellable)
{
  GError *error = NULL;
  GPtrArray *faces = pa_face_model_detect (source_object, task_data, cancellable, &error);

  if (faces != NULL)
    g_task_return_pointer (task, faces, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
pa_face_model_detect_async (PaFaceModel         *self,
                            const PaPixels      *pixels,
                            GCancellable        *cancellable,
                            GAsyncReadyCallback  callback,
                            gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_FACE_MODEL (self));
  g_return_if_fail (pixels != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_face_model_detect_async);
  /* The view, not the pixels: the caller keeps those alive (see the
   * header). */
  g_task_set_task_data (task, g_memdup2 (pixels, sizeof *pixels), g_free);
  g_task_run_in_thread (task, detect_thread);
}

GPtrArray *
pa_face_model_detect_finish (PaFaceModel   *self,
                             GAsyncResult  *result,
                             GError       **error)
{
  g_return_val_if_fail (PA_IS_FACE_MODEL (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == pa_face_model_detect_async, NULL);

  return propagate_pointer (G_TASK (result), error);
}
