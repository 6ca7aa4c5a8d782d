/* pa-face-swap-page-slots.c — the Face Swap page's two inputs: the face
 * and the picture or video, chosen, dropped, previewed and searched for
 * faces
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-face-swap-page-private.h"
#include "pa-gui-util.h"
#include "pa-media-preview.h"

/* ---- reading the chosen files ----------------------------------------- */


void
_pa_face_swap_page_slot_show (PaFaceSwapPage *self,
                              Slot           *slot)
{
  gboolean loading = slot->pending > 0;

  gtk_spinner_set_spinning (slot->spinner, loading);
  if (slot->file == NULL)
    gtk_stack_set_visible_child_name (slot->stack, "empty");
  else if (loading)
    gtk_stack_set_visible_child_name (slot->stack, "loading");
  else if (slot->texture != NULL)
    gtk_stack_set_visible_child_name (slot->stack, "picture");
  else
    gtk_stack_set_visible_child_name (slot->stack, "empty");

  _pa_face_swap_page_update_actions (self);
}

static void
slot_describe (PaFaceSwapPage *self,
               Slot           *slot)
{
  PaFacePicker *picker = slot->picker;
  guint n_faces = pa_face_picker_get_n_faces (picker);
  g_autofree char *text = NULL;

  if (slot->error != NULL)
    text = g_strdup (slot->error);
  else if (slot->pending > 0 || slot->file == NULL)
    text = g_strdup ("");
  else if (n_faces == 0)
    text = g_strdup (_("No face found."));
  else if (slot == &self->face)
    text = n_faces == 1
           ? g_strdup (_("One face found."))
           /* Translators: %u is a number of faces, more than one. */
           : g_strdup_printf (ngettext ("%u face found: click the one to use.",
                                        "%u faces found: click the one to use.", n_faces),
                              n_faces);
  else
    /* Translators: %u is a number of faces. */
    text = g_strdup_printf (ngettext ("%u face found: click it to leave it as it is.",
                                      "%u faces found: click a face to choose or leave it.",
                                      n_faces),
                            n_faces);
  if (slot == &self->target && slot->is_video && slot->error == NULL && n_faces > 0)
    {
      g_autofree char *video = g_strconcat (text, " ", _("Shown: the video's first frame."), NULL);

      g_free (text);
      text = g_steal_pointer (&video);
    }

  gtk_label_set_text (slot->hint, text);
}

typedef struct
{
  PaFaceSwapPage *self;
  Slot           *slot;
  GFile          *file;
} SlotLoad;

static void
slot_load_free (SlotLoad *data)
{
  g_object_unref (data->self);
  g_object_unref (data->file);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (SlotLoad, slot_load_free)

/* Whether the answer is still about the slot's file: a newer choice
 * cancels and replaces the older one. */
static gboolean
slot_load_current (SlotLoad     *data,
                   const GError *error)
{
  return !pa_gui_error_is_cancelled (error) && data->slot->file == data->file;
}

static void
slot_load_failed (SlotLoad     *data,
                  const GError *error)
{
  Slot *slot = data->slot;

  if (slot->error == NULL)
    slot->error = g_strdup (error->message);
  _pa_face_swap_page_set_error (data->self, error->message);
}

static void
slot_load_done (SlotLoad *data)
{
  data->slot->pending--;
  slot_describe (data->self, data->slot);
  _pa_face_swap_page_slot_show (data->self, data->slot);
  _pa_face_swap_page_notify_loading (data->self);
}

static void
preview_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(SlotLoad) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  gboolean is_video = FALSE;

  texture = pa_media_preview_load_finish (result, &is_video, &error);
  if (!slot_load_current (data, error))
    return;

  if (texture == NULL)
    slot_load_failed (data, error);
  else
    {
      g_set_object (&data->slot->texture, texture);
      data->slot->is_video = is_video;
      pa_face_picker_set_paintable (data->slot->picker, GDK_PAINTABLE (texture));
    }

  slot_load_done (data);
}

static void
faces_cb (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(SlotLoad) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) faces = NULL;
  int width = 0;
  int height = 0;

  faces = pa_media_find_faces_finish (result, &width, &height, &error);
  if (!slot_load_current (data, error))
    return;

  /* No face is not an error of the file: the hint says so. */
  if (faces == NULL && !g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
    slot_load_failed (data, error);
  else
    pa_face_picker_set_faces (data->slot->picker, faces, width, height);

  slot_load_done (data);
}

void
_pa_face_swap_page_slot_set_file (PaFaceSwapPage *self,
                                  Slot           *slot,
                                  GFile          *file)
{
  g_autofree char *name = NULL;
  SlotLoad *data;

  g_cancellable_cancel (slot->cancellable);
  g_clear_object (&slot->cancellable);
  g_clear_object (&slot->texture);
  g_clear_pointer (&slot->error, g_free);
  g_set_object (&slot->file, file);
  slot->is_video = FALSE;
  slot->pending = 0;
  pa_face_picker_set_faces (slot->picker, NULL, 0, 0);
  pa_face_picker_set_paintable (slot->picker, NULL);
  gtk_widget_set_visible (self->result_group, FALSE);

  if (file != NULL)
    {
      name = g_file_get_basename (file);
      gtk_label_set_text (slot->name, name);
      gtk_widget_set_tooltip_text (GTK_WIDGET (slot->name), g_file_peek_path (file));

      slot->cancellable = g_cancellable_new ();
      slot->pending = 2;

      data = g_new0 (SlotLoad, 1);
      data->self = g_object_ref (self);
      data->slot = slot;
      data->file = g_object_ref (file);
      pa_media_preview_load_async (file, DISPLAY_SIZE, slot->cancellable, preview_cb, data);

      data = g_new0 (SlotLoad, 1);
      data->self = g_object_ref (self);
      data->slot = slot;
      data->file = g_object_ref (file);
      pa_media_find_faces_async (file, slot->cancellable, faces_cb, data);
    }
  else
    {
      gtk_label_set_text (slot->name, "");
    }

  slot_describe (self, slot);
  _pa_face_swap_page_slot_show (self, slot);
  _pa_face_swap_page_notify_loading (self);
}

/* ---- choosing files: the chooser and drag and drop -------------------- */

static void
add_filters (GtkFileChooser *chooser,
             gboolean        videos)
{
  static const char *video_types[] = {
    "video/mp4", "video/webm", "video/x-matroska", "video/quicktime",
  };
  g_autoptr(GtkFileFilter) all = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) pictures = gtk_file_filter_new ();
  g_autoptr(GtkFileFilter) movies = gtk_file_filter_new ();

  gtk_file_filter_set_name (all, _("Pictures and Videos"));
  gtk_file_filter_set_name (pictures, _("Pictures"));
  gtk_file_filter_set_name (movies, _("Videos"));
  gtk_file_filter_add_mime_type (pictures, "image/png");
  gtk_file_filter_add_mime_type (pictures, "image/jpeg");
  gtk_file_filter_add_mime_type (all, "image/png");
  gtk_file_filter_add_mime_type (all, "image/jpeg");
  for (guint i = 0; i < G_N_ELEMENTS (video_types); i++)
    {
      gtk_file_filter_add_mime_type (movies, video_types[i]);
      gtk_file_filter_add_mime_type (all, video_types[i]);
    }

  if (videos)
    gtk_file_chooser_add_filter (chooser, all);
  gtk_file_chooser_add_filter (chooser, pictures);
  if (videos)
    gtk_file_chooser_add_filter (chooser, movies);
}

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     PaFaceSwapPage  *self)
{
  gboolean for_face = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "pa-face"));

  if (response == GTK_RESPONSE_ACCEPT)
    {
      g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

      if (file != NULL)
        _pa_face_swap_page_slot_set_file (self, for_face ? &self->face : &self->target, file);
    }

  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose_file (PaFaceSwapPage *self,
             gboolean        for_face)
{
  GtkFileChooserNative *chooser;

  chooser = gtk_file_chooser_native_new (for_face ? _("Choose the Face")
                                                  : _("Choose the Picture or Video"),
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  add_filters (GTK_FILE_CHOOSER (chooser), !for_face);
  g_object_set_data (G_OBJECT (chooser), "pa-face", GINT_TO_POINTER (for_face));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

void
_pa_face_swap_page_choose_face (GtkWidget  *widget,
                                const char *action_name,
                                GVariant   *parameter)
{
  choose_file (PA_FACE_SWAP_PAGE (widget), TRUE);
}

void
_pa_face_swap_page_choose_target (GtkWidget  *widget,
                                  const char *action_name,
                                  GVariant   *parameter)
{
  choose_file (PA_FACE_SWAP_PAGE (widget), FALSE);
}

static gboolean
on_drop (GtkDropTarget  *target,
         const GValue   *value,
         double          x,
         double          y,
         PaFaceSwapPage *self)
{
  gboolean for_face = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (target), "pa-face"));
  GFile *file = NULL;

  if (self->job != NULL)
    return FALSE;

  if (G_VALUE_HOLDS (value, GDK_TYPE_FILE_LIST))
    {
      GSList *files = g_value_get_boxed (value);

      /* One slot takes one file: the first of several dropped. */
      file = files != NULL ? files->data : NULL;
    }
  else if (G_VALUE_HOLDS (value, G_TYPE_FILE))
    {
      file = g_value_get_object (value);
    }

  if (file == NULL)
    return FALSE;

  _pa_face_swap_page_slot_set_file (self, for_face ? &self->face : &self->target, file);
  return TRUE;
}

void
_pa_face_swap_page_add_drop_target (PaFaceSwapPage *self,
                                    GtkWidget      *slot_widget,
                                    gboolean        for_face)
{
  GtkDropTarget *target = gtk_drop_target_new (G_TYPE_INVALID, GDK_ACTION_COPY);
  GType types[] = { GDK_TYPE_FILE_LIST, G_TYPE_FILE };

  gtk_drop_target_set_gtypes (target, types, G_N_ELEMENTS (types));
  g_object_set_data (G_OBJECT (target), "pa-face", GINT_TO_POINTER (for_face));
  g_signal_connect (target, "drop", G_CALLBACK (on_drop), self);
  gtk_widget_add_controller (slot_widget, GTK_EVENT_CONTROLLER (target));
}
