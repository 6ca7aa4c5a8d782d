/* pa-face-picker.h — a picture with its faces as numbered boxes to click
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define PA_TYPE_FACE_PICKER (pa_face_picker_get_type ())
G_DECLARE_FINAL_TYPE (PaFacePicker, pa_face_picker, PA, FACE_PICKER, GtkWidget)

GtkWidget    *pa_face_picker_new            (void);

/* The picture, at any scale: the faces are placed by the picture's own
 * size given with pa_face_picker_set_faces(). */
GdkPaintable *pa_face_picker_get_paintable  (PaFacePicker *self);
void          pa_face_picker_set_paintable  (PaFacePicker *self,
                                             GdkPaintable *paintable);

/* @faces: a GPtrArray of PaFace, left to right, in a picture
 * @width × @height; NULL for none. Faces that can be swapped start
 * chosen (all of them; only the largest in single mode), the others
 * are drawn dashed, cannot be chosen, and say why in their tooltip. */
void          pa_face_picker_set_faces      (PaFacePicker *self,
                                             GPtrArray    *faces,
                                             int           width,
                                             int           height);
guint         pa_face_picker_get_n_faces    (PaFacePicker *self);

/* Single mode: exactly one face is chosen at a time (the source face). */
gboolean      pa_face_picker_get_single     (PaFacePicker *self);
void          pa_face_picker_set_single     (PaFacePicker *self,
                                             gboolean      single);

/* The box of face @index (a GtkToggleButton), or NULL. */
GtkWidget    *pa_face_picker_get_box        (PaFacePicker *self,
                                             guint         index);
gboolean      pa_face_picker_is_chosen      (PaFacePicker *self,
                                             guint         index);
void          pa_face_picker_set_chosen     (PaFacePicker *self,
                                             guint         index,
                                             gboolean      chosen);
/* Where the centre of face @index is across the picture, from 0 (left
 * edge) to 1 (right edge); -1 when there is no such face. */
double        pa_face_picker_get_face_x     (PaFacePicker *self,
                                             guint         index);
/* The chosen faces' indexes, in order: a GArray of int. */
GArray       *pa_face_picker_get_chosen     (PaFacePicker *self);

G_END_DECLS
