/* pa-live-face-swap.c — the offline face swap as a filter on live video
 *
 * The face picture is read and made ready once (pa_face_source_new()),
 * in a thread. Each element made by pa_live_face_swap_make_element()
 * holds a PaFaceTracker in live mode: every frame is swapped in the
 * streaming thread with the landmarks followed from the last frame,
 * while the tracker's worker thread runs the detector on a copy of a
 * recent frame; a frame never waits for it. When frames take too long,
 * or the worker cannot finish a detection in the frames between two,
 * detection runs less often; no frame is ever dropped or held.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gst/base/gstbasetransform.h>
#include <gst/video/video.h>
#include <math.h>

#include "pa-error.h"
#include "pa-face-model.h"
#include "pa-face-swap.h"
#include "pa-face-tracker.h"
#include "pa-image-file.h"
#include "pa-live-face-swap-private.h"
#include "pa-live-face-swap.h"
#include "pa-stream-private.h"

struct _PaLiveFaceSwap {
  GObject              parent_instance;

  GMutex               lock;
  gboolean             enabled;
  PaFaceModel         *model;
  PaFaceSource        *source;
  PaLiveFaceSwapStats  stats;
};

G_DEFINE_FINAL_TYPE (PaLiveFaceSwap, pa_live_face_swap, G_TYPE_OBJECT)

static void
pa_live_face_swap_finalize (GObject *object)
{
  PaLiveFaceSwap *self = PA_LIVE_FACE_SWAP (object);

  g_clear_object (&self->model);
  g_clear_pointer (&self->source, pa_face_source_unref);
  g_mutex_clear (&self->lock);

  G_OBJECT_CLASS (pa_live_face_swap_parent_class)->finalize (object);
}

static void
pa_live_face_swap_class_init (PaLiveFaceSwapClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_live_face_swap_finalize;
}

static void
pa_live_face_swap_init (PaLiveFaceSwap *self)
{
  g_mutex_init (&self->lock);
}

PaLiveFaceSwap *
pa_live_face_swap_new (void)
{
  return g_object_new (PA_TYPE_LIVE_FACE_SWAP, NULL);
}

/* ---- the face ------------------------------------------------------------ */

typedef struct {
  GFile *image;
  guint  face_index;
} SetFaceData;

static void
set_face_data_free (SetFaceData *data)
{
  g_clear_object (&data->image);
  g_free (data);
}

static void
set_face_thread (GTask        *task,
                 gpointer      source_object,
                 gpointer      task_data,
                 GCancellable *cancellable)
{
  PaLiveFaceSwap *self = source_object;
  SetFaceData *data = task_data;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(PaFaceModel) model = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  g_autoptr(PaFaceSource) source = NULL;
  g_autofree char *name = g_file_get_parse_name (data->image);
  GError *error = NULL;
  const PaFace *face;
  PaPixels pixels;

  /* The picture first: a wrong file is said at once, before the model's
   * half second. Its size is checked from the header. */
  pixbuf = pa_image_file_load (data->image, cancellable, &error);
  if (pixbuf != NULL)
    model = pa_face_model_get_default (&error);
  if (model == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  pixels = (PaPixels) {
    .data = gdk_pixbuf_get_pixels (pixbuf),
    .width = gdk_pixbuf_get_width (pixbuf),
    .height = gdk_pixbuf_get_height (pixbuf),
    .stride = gdk_pixbuf_get_rowstride (pixbuf),
    .channels = gdk_pixbuf_get_n_channels (pixbuf),
  };
  faces = pa_face_model_detect (model, &pixels, cancellable, &error);
  if (faces == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (faces->len == 0)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND,
                               _("No face found in %s. Use a picture where a face looks at the camera."),
                               name);
      return;
    }
  /* Numbered as `playalter-cli faces` lists them: left to right, from 0. */
  if (data->face_index >= faces->len)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               g_dngettext (GETTEXT_PACKAGE,
                                            "%s has no face %u: it has %u face, numbered from 0",
                                            "%s has no face %u: it has %u faces, numbered from 0 "
                                            "left to right",
                                            faces->len),
                               name, data->face_index, faces->len);
      return;
    }
  face = g_ptr_array_index (faces, data->face_index);
  if (face->quality != PA_FACE_QUALITY_GOOD)
    {
      g_autofree char *why = pa_face_describe_quality (face);

      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT, "%s: %s", name, why);
      return;
    }
  source = pa_face_source_new (&pixels, face, &error);
  if (source == NULL)
    {
      g_prefix_error (&error, "%s: ", name);
      g_task_return_error (task, error);
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  /* Frames pick the new face up from the next one on. */
  g_mutex_lock (&self->lock);
  g_set_object (&self->model, model);
  g_clear_pointer (&self->source, pa_face_source_unref);
  self->source = g_steal_pointer (&source);
  g_mutex_unlock (&self->lock);
  g_task_return_boolean (task, TRUE);
}

void
pa_live_face_swap_set_face_async (PaLiveFaceSwap      *self,
                                  GFile               *image,
                                  guint                face_index,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SetFaceData *data;

  g_return_if_fail (PA_IS_LIVE_FACE_SWAP (self));
  g_return_if_fail (G_IS_FILE (image));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_live_face_swap_set_face_async);
  data = g_new0 (SetFaceData, 1);
  data->image = g_object_ref (image);
  data->face_index = face_index;
  g_task_set_task_data (task, data, (GDestroyNotify) set_face_data_free);
  g_task_run_in_thread (task, set_face_thread);
}

gboolean
pa_live_face_swap_set_face_finish (PaLiveFaceSwap  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_async_result_is_tagged (result, pa_live_face_swap_set_face_async), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pa_live_face_swap_has_face (PaLiveFaceSwap *self)
{
  gboolean has;

  g_return_val_if_fail (PA_IS_LIVE_FACE_SWAP (self), FALSE);

  g_mutex_lock (&self->lock);
  has = self->source != NULL;
  g_mutex_unlock (&self->lock);
  return has;
}

void
pa_live_face_swap_set_enabled (PaLiveFaceSwap *self,
                               gboolean        enabled)
{
  g_return_if_fail (PA_IS_LIVE_FACE_SWAP (self));

  /* Each element sees it on its next frame. */
  g_mutex_lock (&self->lock);
  self->enabled = !!enabled;
  g_mutex_unlock (&self->lock);
}

gboolean
pa_live_face_swap_get_enabled (PaLiveFaceSwap *self)
{
  gboolean enabled;

  g_return_val_if_fail (PA_IS_LIVE_FACE_SWAP (self), FALSE);

  g_mutex_lock (&self->lock);
  enabled = self->enabled;
  g_mutex_unlock (&self->lock);
  return enabled;
}

gboolean
pa_live_face_swap_get_active (PaLiveFaceSwap  *self,
                              PaFaceModel    **model_out,
                              PaFaceSource   **source_out)
{
  gboolean active;

  g_mutex_lock (&self->lock);
  active = self->enabled && self->source != NULL && self->model != NULL;
  if (active)
    {
      *model_out = g_object_ref (self->model);
      *source_out = pa_face_source_ref (self->source);
    }
  g_mutex_unlock (&self->lock);
  return active;
}

void
pa_live_face_swap_publish_stats (PaLiveFaceSwap            *self,
                                 const PaLiveFaceSwapStats *stats)
{
  g_mutex_lock (&self->lock);
  self->stats = *stats;
  g_mutex_unlock (&self->lock);
}

void
pa_live_face_swap_get_stats (PaLiveFaceSwap      *self,
                             PaLiveFaceSwapStats *stats)
{
  g_return_if_fail (PA_IS_LIVE_FACE_SWAP (self));
  g_return_if_fail (stats != NULL);

  g_mutex_lock (&self->lock);
  *stats = self->stats;
  g_mutex_unlock (&self->lock);
}

/* ---- the element --------------------------------------------------------- */

GstElement *
pa_live_face_swap_make_element (PaLiveFaceSwap  *self,
                                GError         **error)
{
  GstElement *bin, *convert_in, *filter, *convert_out;
  GstPad *pad;

  g_return_val_if_fail (PA_IS_LIVE_FACE_SWAP (self), NULL);

  /* The filter asks for RGB only while it swaps: the first converter is
   * a passthrough otherwise, and the second one gives downstream a
   * format it takes whatever the filter's is. */
  convert_in = pa_stream_make_element ("videoconvert", NULL, "gstreamer1.0-plugins-base", error);
  if (convert_in == NULL)
    return NULL;
  convert_out = pa_stream_make_element ("videoconvert", NULL, "gstreamer1.0-plugins-base", NULL);
  filter = pa_live_face_swap_filter_new (self);

  bin = gst_bin_new (NULL);
  gst_bin_add_many (GST_BIN (bin), convert_in, filter, convert_out, NULL);
  if (!gst_element_link_many (convert_in, filter, convert_out, NULL))
    {
      gst_object_unref (gst_object_ref_sink (bin));
      g_set_error (error, PA_ERROR, PA_ERROR_FAILED, "Cannot link the live face swap's elements");
      return NULL;
    }

  pad = gst_element_get_static_pad (convert_in, "sink");
  gst_element_add_pad (bin, gst_ghost_pad_new ("sink", pad));
  gst_object_unref (pad);
  pad = gst_element_get_static_pad (convert_out, "src");
  gst_element_add_pad (bin, gst_ghost_pad_new ("src", pad));
  gst_object_unref (pad);
  return bin;
}
