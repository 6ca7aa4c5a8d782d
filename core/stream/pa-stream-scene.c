/* pa-stream-scene.c — the scene of a stream (first cut: the main source
 * alone; the picture-in-picture and the overlays are kept but not yet
 * drawn)
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-stream-scene.h"

struct _PaStreamScene {
  GObject            parent_instance;

  PaStreamSource    *main;
  PaStreamSource    *pip;
  PaStreamPlacement  pip_placement;
  char              *overlay_text;
  GFile             *overlay_image;
  PaStreamPlacement  overlay_placement;
  PaLiveFaceSwap    *face_swap;
};

G_DEFINE_FINAL_TYPE (PaStreamScene, pa_stream_scene, G_TYPE_OBJECT)

static void
pa_stream_scene_finalize (GObject *object)
{
  PaStreamScene *self = PA_STREAM_SCENE (object);

  g_clear_pointer (&self->main, pa_stream_source_unref);
  g_clear_pointer (&self->pip, pa_stream_source_unref);
  g_clear_pointer (&self->overlay_text, g_free);
  g_clear_object (&self->overlay_image);
  g_clear_object (&self->face_swap);
  G_OBJECT_CLASS (pa_stream_scene_parent_class)->finalize (object);
}

static void
pa_stream_scene_class_init (PaStreamSceneClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = pa_stream_scene_finalize;
}

static void
pa_stream_scene_init (PaStreamScene *self)
{
  self->pip_placement = (PaStreamPlacement) { 0.72, 0.70, 0.25 };
  self->overlay_placement = (PaStreamPlacement) { 0.03, 0.03, 0.30 };
}

PaStreamScene *
pa_stream_scene_new (PaStreamSource *main)
{
  PaStreamScene *self;

  g_return_val_if_fail (main != NULL, NULL);

  self = g_object_new (PA_TYPE_STREAM_SCENE, NULL);
  self->main = pa_stream_source_ref (main);
  return self;
}

PaStreamSource *
pa_stream_scene_get_main (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->main;
}

void
pa_stream_scene_set_pip (PaStreamScene  *self,
                         PaStreamSource *pip)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));

  if (pip != NULL)
    pa_stream_source_ref (pip);
  g_clear_pointer (&self->pip, pa_stream_source_unref);
  self->pip = pip;
}

PaStreamSource *
pa_stream_scene_get_pip (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->pip;
}

void
pa_stream_scene_set_pip_placement (PaStreamScene           *self,
                                   const PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);
  self->pip_placement = *placement;
}

void
pa_stream_scene_get_pip_placement (PaStreamScene     *self,
                                   PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  *placement = self->pip_placement;
}

void
pa_stream_scene_set_overlay_text (PaStreamScene *self,
                                  const char    *text)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_free (self->overlay_text);
  self->overlay_text = g_strdup (text);
  if (text != NULL)
    g_clear_object (&self->overlay_image);
}

const char *
pa_stream_scene_get_overlay_text (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->overlay_text;
}

void
pa_stream_scene_set_overlay_image (PaStreamScene *self,
                                   GFile         *image)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_set_object (&self->overlay_image, image);
  if (image != NULL)
    g_clear_pointer (&self->overlay_text, g_free);
}

GFile *
pa_stream_scene_get_overlay_image (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->overlay_image;
}

void
pa_stream_scene_set_overlay_placement (PaStreamScene           *self,
                                       const PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_return_if_fail (placement != NULL);
  self->overlay_placement = *placement;
}

void
pa_stream_scene_get_overlay_placement (PaStreamScene     *self,
                                       PaStreamPlacement *placement)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  *placement = self->overlay_placement;
}

void
pa_stream_scene_set_face_swap (PaStreamScene  *self,
                               PaLiveFaceSwap *face_swap)
{
  g_return_if_fail (PA_IS_STREAM_SCENE (self));
  g_set_object (&self->face_swap, face_swap);
}

PaLiveFaceSwap *
pa_stream_scene_get_face_swap (PaStreamScene *self)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return self->face_swap;
}

GVariant *
pa_stream_scene_serialize (PaStreamScene *self)
{
  g_autoptr(GVariantDict) dict = g_variant_dict_new (NULL);

  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return g_variant_dict_end (dict);
}

PaStreamScene *
pa_stream_scene_new_from_variant (GVariant  *variant,
                                  GError   **error)
{
  g_set_error (error, PA_ERROR, PA_ERROR_FAILED, "Scenes cannot be read yet.");
  return NULL;
}

GstElement *
pa_stream_scene_make_video (PaStreamScene  *self,
                            int             width,
                            int             height,
                            int             fps_n,
                            int             fps_d,
                            GError        **error)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return pa_stream_source_make_video (self->main, width, height, fps_n, fps_d, error);
}

GstElement *
pa_stream_scene_make_audio (PaStreamScene  *self,
                            GError        **error)
{
  g_return_val_if_fail (PA_IS_STREAM_SCENE (self), NULL);
  return pa_stream_source_make_audio (self->main, error);
}
