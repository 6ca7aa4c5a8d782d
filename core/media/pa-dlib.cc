/* pa-dlib.cc — dlib's face detector and landmark model behind a C API
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <cmath>
#include <fstream>
#include <memory>
#include <mutex>
#include <new>
#include <vector>

#include <dlib/image_processing.h>
#include <dlib/image_processing/frontal_face_detector.h>

#include <glib/gstdio.h>

#include "pa-compat.h"
#include "pa-error.h"

#include "pa-dlib-private.h"

/* Views of memory someone else owns, in dlib's generic image interface,
 * so that neither the detector nor the shape predictor copies a
 * picture. dlib reads a pixel's intensity as the mean of red, green and
 * blue; the fourth byte of an RGBx pixel (alpha, or padding in a video
 * frame) is skipped, not blended. A named namespace, not an anonymous
 * one: dlib's traits for these types would otherwise have internal
 * linkage, and clang warns about each of their unused members. */
namespace pa_view {

struct RgbxPixel
{
  unsigned char red;
  unsigned char green;
  unsigned char blue;
  unsigned char unused;
};

template <typename Pixel>
struct PixelView
{
  const unsigned char *data;
  long rows;
  long columns;
  long stride;
};

/* Found by argument-dependent lookup, so they live with the view. */
template <typename Pixel>
inline long num_rows (const PixelView<Pixel> &view) { return view.rows; }

template <typename Pixel>
inline long num_columns (const PixelView<Pixel> &view) { return view.columns; }

template <typename Pixel>
inline long width_step (const PixelView<Pixel> &view) { return view.stride; }

template <typename Pixel>
inline const void *image_data (const PixelView<Pixel> &view) { return view.data; }

/* dlib's const_image_view asks for a writable pointer even when it only
 * reads; nothing here writes through it. */
template <typename Pixel>
inline void *image_data (PixelView<Pixel> &view) { return const_cast<unsigned char *> (view.data); }

typedef PixelView<unsigned char> GreyView;
typedef PixelView<dlib::rgb_pixel> RgbView;
typedef PixelView<RgbxPixel> RgbxView;

} /* namespace pa_view */

namespace dlib {

template <>
struct pixel_traits<pa_view::RgbxPixel>
{
  constexpr static bool rgb = true;
  constexpr static bool bgr_layout = false;
  constexpr static bool rgb_alpha = false;
  constexpr static bool grayscale = false;
  constexpr static bool hsi = false;
  constexpr static bool lab = false;
  enum { num = 3 };
  typedef unsigned char basic_pixel_type;
  static basic_pixel_type min () { return 0; }
  static basic_pixel_type max () { return 255; }
  constexpr static bool is_unsigned = true;
  constexpr static bool has_alpha = false;
};

template <typename Pixel>
struct image_traits<pa_view::PixelView<Pixel>>
{
  typedef Pixel pixel_type;
};

} /* namespace dlib */

using pa_view::GreyView;
using pa_view::RgbView;
using pa_view::RgbxView;

typedef dlib::frontal_face_detector Detector;

struct _PaDlib
{
  /* The detector keeps its feature pyramid in itself while it runs, so a
   * call must have one of its own. Finished detectors wait here for the
   * next call instead of being rebuilt: there are never more than the
   * number of threads that ever detected at once. */
  std::mutex                             lock;
  Detector                               prototype;
  std::vector<std::unique_ptr<Detector>> idle;

  /* Const once loaded, and its operator() is const: shared by all. */
  dlib::shape_predictor                  predictor;

  /* Where the predictor starts in a box (0 to 1 across it), x then y
   * for each point: the mean face it was trained on. dlib keeps it
   * private, so it is read again from the head of the model file. */
  dlib::matrix<float, 0, 1>              mean_shape;
};

namespace {

/* Borrows a detector from the pool for one call, and gives it back. */
class BorrowedDetector
{
public:
  explicit BorrowedDetector (PaDlib *dlib)
    : owner (dlib)
  {
    std::lock_guard<std::mutex> guard (owner->lock);

    if (owner->idle.empty ())
      {
        detector.reset (new Detector (owner->prototype));
      }
    else
      {
        detector = std::move (owner->idle.back ());
        owner->idle.pop_back ();
      }
  }

  ~BorrowedDetector ()
  {
    try
      {
        std::lock_guard<std::mutex> guard (owner->lock);
        owner->idle.push_back (std::move (detector));
      }
    catch (...)
      {
        /* No room to keep it: it is freed with us instead. */
      }
  }

  BorrowedDetector (const BorrowedDetector &) = delete;
  BorrowedDetector &operator= (const BorrowedDetector &) = delete;

  Detector &operator* () { return *detector; }

private:
  PaDlib                   *owner;
  std::unique_ptr<Detector> detector;
};

void
set_error_from_exception (GError     **error,
                          const char  *what)
{
  /* dlib's messages go on with a line for each enclosing object: the
   * first says what went wrong. */
  g_autofree char *first_line = g_strndup (what != NULL ? what : "", what != NULL ? strcspn (what, "\n") : 0);

  g_set_error (error, PA_ERROR, PA_ERROR_FAILED, "%s",
               *first_line != '\0' ? first_line : "unknown error in dlib");
}

/* Every entry point runs its body through this: no C++ exception may
 * unwind into C. */
template <typename Body>
gboolean
guarded (GError **error,
         Body     body)
{
  try
    {
      body ();
      return TRUE;
    }
  catch (const std::bad_alloc &)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_FAILED, "out of memory in dlib");
    }
  catch (const std::exception &e)
    {
      set_error_from_exception (error, e.what ());
    }
  catch (...)
    {
      set_error_from_exception (error, NULL);
    }
  return FALSE;
}

/* Refuses what cannot be opened for reading or is not a regular file,
 * with errno's words, before dlib's stream says only "failed". */
gboolean
check_readable (const char  *path,
                GError     **error)
{
  GStatBuf st;
  int fd;

  fd = g_open (path, O_RDONLY | PA_COMPAT_O_CLOEXEC, 0);
  if (fd < 0 || pa_compat_fstat (fd, &st) != 0)
    {
      int saved_errno = errno;

      if (fd >= 0)
        g_close (fd, NULL);
      g_set_error_literal (error, G_FILE_ERROR, g_file_error_from_errno (saved_errno),
                           g_strerror (saved_errno));
      return FALSE;
    }
  g_close (fd, NULL);

  if (!S_ISREG (st.st_mode))
    {
      g_set_error_literal (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "not a regular file");
      return FALSE;
    }
  return TRUE;
}

} /* namespace */

extern "C" PaDlib *
pa_dlib_new_from_file (const char  *landmarks_path,
                       GError     **error)
{
  PaDlib *self = NULL;
  gboolean ok;

  g_return_val_if_fail (landmarks_path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!check_readable (landmarks_path, error))
    return NULL;

  ok = guarded (error, [&] {
    std::unique_ptr<PaDlib> loaded (new PaDlib ());
    std::ifstream in (landmarks_path, std::ios::binary);

    if (!in)
      throw std::runtime_error ("cannot open the file");
    dlib::deserialize (loaded->predictor, in);

    /* The model file starts with a version and the mean shape (dlib's
     * serialize() for shape_predictor). */
    int version = 0;
    in.clear ();
    in.seekg (0);
    dlib::deserialize (version, in);
    dlib::deserialize (loaded->mean_shape, in);

    /* A file that deserialises may still be another model: the face
     * engine needs the iBUG 68-point layout. */
    if (loaded->predictor.num_parts () != PA_FACE_N_LANDMARKS
        || loaded->mean_shape.size () != 2 * PA_FACE_N_LANDMARKS)
      throw dlib::serialization_error ("a shape predictor with "
                                       + std::to_string (loaded->predictor.num_parts ())
                                       + " points, not 68");
    /* Built from data inside dlib: last, so that a bad file fails
     * before the time it takes. */
    loaded->prototype = dlib::get_frontal_face_detector ();
    self = loaded.release ();
  });

  if (!ok)
    {
      /* dlib's words for a file it cannot parse are the detail; the code
       * says the file is not a usable model. */
      if (error != NULL && *error != NULL)
        (*error)->code = PA_ERROR_INVALID_INPUT;
      return NULL;
    }
  return self;
}

extern "C" void
pa_dlib_free (PaDlib *self)
{
  delete self;
}

extern "C" gboolean
pa_dlib_detect (PaDlib        *self,
                const guint8  *grey,
                int            width,
                int            height,
                int            stride,
                double         min_score,
                GArray        *detections,
                GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (grey != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0 && stride >= width, FALSE);
  g_return_val_if_fail (detections != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return guarded (error, [&] {
    GreyView view = { grey, height, width, stride };
    std::vector<dlib::rect_detection> found;
    BorrowedDetector detector (self);

    /* The detector's own threshold is a score of 0; asking for less
     * (adjust_threshold below 0) lets the caller choose. */
    (*detector) (view, found, min_score);

    for (const dlib::rect_detection &d : found)
      {
        PaDlibDetection detection;

        if (d.detection_confidence < min_score)
          continue;
        detection.box.x = (int) d.rect.left ();
        detection.box.y = (int) d.rect.top ();
        detection.box.width = (int) d.rect.width ();
        detection.box.height = (int) d.rect.height ();
        detection.score = d.detection_confidence;
        detection.kind = (int) d.weight_index;
        g_array_append_val (detections, detection);
      }
  });
}

template <typename View>
static void
fit_in (const dlib::shape_predictor &predictor,
        const View                  &view,
        const PaRect                *box,
        PaPoint                     *landmarks)
{
  dlib::rectangle rect (box->x, box->y,
                        (long) box->x + box->width - 1,
                        (long) box->y + box->height - 1);
  dlib::full_object_detection shape = predictor (view, rect);

  for (unsigned long i = 0; i < shape.num_parts () && i < PA_FACE_N_LANDMARKS; i++)
    {
      landmarks[i].x = shape.part (i).x ();
      landmarks[i].y = shape.part (i).y ();
    }
}

extern "C" gboolean
pa_dlib_fit (PaDlib         *self,
             const PaPixels *pixels,
             const PaRect   *box,
             PaPoint         landmarks[PA_FACE_N_LANDMARKS],
             GError        **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (pixels != NULL && pixels->data != NULL, FALSE);
  g_return_val_if_fail (pixels->channels == 3 || pixels->channels == 4, FALSE);
  g_return_val_if_fail (pixels->width > 0 && pixels->height > 0, FALSE);
  g_return_val_if_fail (pixels->stride >= pixels->width * pixels->channels, FALSE);
  g_return_val_if_fail (box != NULL && box->width > 0 && box->height > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return guarded (error, [&] {
    if (pixels->channels == 3)
      fit_in (self->predictor, RgbView { pixels->data, pixels->height, pixels->width, pixels->stride },
              box, landmarks);
    else
      fit_in (self->predictor, RgbxView { pixels->data, pixels->height, pixels->width, pixels->stride },
              box, landmarks);
  });
}

extern "C" gboolean
pa_dlib_fit_grey (PaDlib        *self,
                  const guint8  *grey,
                  int            width,
                  int            height,
                  int            stride,
                  const PaRect  *box,
                  PaPoint        landmarks[PA_FACE_N_LANDMARKS],
                  GError       **error)
{
  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (grey != NULL, FALSE);
  g_return_val_if_fail (width > 0 && height > 0 && stride >= width, FALSE);
  g_return_val_if_fail (box != NULL && box->width > 0 && box->height > 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return guarded (error, [&] {
    fit_in (self->predictor, GreyView { grey, height, width, stride }, box, landmarks);
  });
}

extern "C" void
pa_dlib_box_for_landmarks (PaDlib        *self,
                           const PaPoint  landmarks[PA_FACE_N_LANDMARKS],
                           PaRect        *box)
{
  double mx = 0, my = 0, lx = 0, ly = 0, num = 0, den = 0, scale;

  g_return_if_fail (self != NULL);
  g_return_if_fail (landmarks != NULL);
  g_return_if_fail (box != NULL);

  /* The square box that lays the mean shape best over the points (least
   * squares, scale and shift): the predictor then starts closest to
   * where the face is, as it did in the detector's box. */
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      mx += self->mean_shape (2 * i);
      my += self->mean_shape (2 * i + 1);
      lx += landmarks[i].x;
      ly += landmarks[i].y;
    }
  mx /= PA_FACE_N_LANDMARKS;
  my /= PA_FACE_N_LANDMARKS;
  lx /= PA_FACE_N_LANDMARKS;
  ly /= PA_FACE_N_LANDMARKS;
  for (int i = 0; i < PA_FACE_N_LANDMARKS; i++)
    {
      double dx = self->mean_shape (2 * i) - mx, dy = self->mean_shape (2 * i + 1) - my;

      num += dx * (landmarks[i].x - lx) + dy * (landmarks[i].y - ly);
      den += dx * dx + dy * dy;
    }
  scale = den > 0 && std::isfinite (num) ? MAX (num / den, 0.0) : 0.0;

  /* dlib maps 0 and 1 to a box's first and last pixel. */
  box->x = (int) std::lround (CLAMP (lx - scale * mx, -1e9, 1e9));
  box->y = (int) std::lround (CLAMP (ly - scale * my, -1e9, 1e9));
  box->width = box->height = (int) std::lround (CLAMP (scale + 1, 1.0, 1e9));
}
