/* pa-live-face-swap.c — the live face swap filter (first cut: the type
 * only; frames pass unchanged and no face can be set yet)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-live-face-swap.h"

struct _PaLiveFaceSwap {
  GObject  parent_instance;
  gboolean enabled;
};

G_DEFINE_FINAL_TYPE (PaLiveFaceSwap, pa_live_face_swap, G_TYPE_OBJECT)

static void
pa_live_face_swap_class_init (PaLiveFaceSwapClass *klass)
{
}

static void
pa_live_face_swap_init (PaLiveFaceSwap *self)
{
}

PaLiveFaceSwap *
pa_live_face_swap_new (void)
{
  return g_object_new (PA_TYPE_LIVE_FACE_SWAP, NULL);
}

void
pa_live_face_swap_set_face_async (PaLiveFaceSwap      *self,
                                  GFile               *image,
                                  guint                face_index,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED, "The live face swap is not built yet.");
}

gboolean
pa_live_face_swap_set_face_finish (PaLiveFaceSwap  *self,
                                   GAsyncResult    *result,
                                   GError         **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
pa_live_face_swap_has_face (PaLiveFaceSwap *self)
{
  return FALSE;
}

void
pa_live_face_swap_set_enabled (PaLiveFaceSwap *self,
                               gboolean        enabled)
{
  self->enabled = enabled;
}

gboolean
pa_live_face_swap_get_enabled (PaLiveFaceSwap *self)
{
  return self->enabled;
}

GstElement *
pa_live_face_swap_make_element (PaLiveFaceSwap  *self,
                                GError         **error)
{
  return gst_element_factory_make ("identity", NULL);
}

void
pa_live_face_swap_get_stats (PaLiveFaceSwap      *self,
                             PaLiveFaceSwapStats *stats)
{
  *stats = (PaLiveFaceSwapStats) { 0 };
}
