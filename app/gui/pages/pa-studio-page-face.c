/* pa-studio-page-face.c — the Studio page's live face swap: its face
 * (with a picker when a photo has several), its switch, and the settings
 * that keep them
 *
 * The face swap is not part of a scene: its face and switch have keys of
 * their own, so a scene restored from settings never waits on a face.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-face-picker.h"
#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-studio-page-private.h"

#define THUMBNAIL_SIZE 80
/* The face picker shows the picture at most this large. */
#define PICKER_SIZE 1024

/* ---- the face ----------------------------------------------------------- */

static void on_face_set (GObject      *source,
                         GAsyncResult *result,
                         gpointer      data);

typedef struct
{
  PaStudioPage *self;
  GFile        *file;
  guint         index;
} FaceLoad;

static void
face_load_free (FaceLoad *load)
{
  g_object_unref (load->self);
  g_object_unref (load->file);
  g_free (load);
}

static void
set_face (PaStudioPage *self,
          GFile        *file,
          guint         index)
{
  FaceLoad *load = g_new0 (FaceLoad, 1);

  if (self->face_cancellable != NULL)
    g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  self->face_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->face_row, _("Loading the face…"));
  load->self = g_object_ref (self);
  load->file = g_object_ref (file);
  load->index = index;
  /* Faces are numbered left to right, as the face picker shows them. */
  pa_live_face_swap_set_face_async (self->face_swap, file, index, self->face_cancellable,
                                    on_face_set, load);
  _pa_studio_page_scene_update (self);
}

static void
on_thumbnail (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GdkTexture) texture = pa_media_preview_load_finish (result, NULL, NULL);

  if (texture != NULL && self->face_file != NULL && !STUDIO_PAGE_GONE (self))
    gtk_picture_set_paintable (self->face_thumbnail, GDK_PAINTABLE (texture));
}

static void
on_face_set (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  FaceLoad *load = data;
  PaStudioPage *self = load->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;

  if (STUDIO_PAGE_GONE (self))
    {
      face_load_free (load);
      return;
    }
  if (!pa_live_face_swap_set_face_finish (PA_LIVE_FACE_SWAP (source), result, &error))
    {
      if (!pa_gui_error_is_cancelled (error))
        {
          g_clear_object (&self->face_cancellable);
          adw_action_row_set_subtitle (self->face_row, error->message);
          _pa_studio_page_toast (self, error->message);
          _pa_studio_page_scene_update (self);
        }
      face_load_free (load);
      return;
    }

  g_set_object (&self->face_file, load->file);
  g_clear_object (&self->face_cancellable);
  name = g_file_get_basename (load->file);
  adw_action_row_set_subtitle (self->face_row, name);
  pa_media_preview_load_async (load->file, THUMBNAIL_SIZE, NULL, on_thumbnail, g_object_ref (self));
  if (self->settings != NULL)
    {
      g_autofree char *path = g_file_get_path (load->file);

      g_settings_set_string (self->settings, "studio-face-file", path != NULL ? path : "");
      g_settings_set_uint (self->settings, "studio-face-index", load->index);
    }
  _pa_studio_page_scene_update (self);
  face_load_free (load);
}

/* ---- the face picker: a picture with several faces ---------------------- */

typedef struct
{
  PaStudioPage *self;
  GFile        *file;
  GdkTexture   *texture;
  GPtrArray    *faces;
  int           width;
  int           height;
  GError       *error;
  guint         pending;
} FaceLook;

static void
face_look_free (FaceLook *look)
{
  g_object_unref (look->self);
  g_object_unref (look->file);
  g_clear_object (&look->texture);
  g_clear_pointer (&look->faces, g_ptr_array_unref);
  g_clear_error (&look->error);
  g_free (look);
}

static void
on_picker_use (GSimpleAction *action,
               GVariant      *parameter,
               gpointer       data)
{
  GtkWindow *dialog = data;
  PaStudioPage *self = g_object_get_data (G_OBJECT (dialog), "pa-page");
  GFile *file = g_object_get_data (G_OBJECT (dialog), "pa-file");
  PaFacePicker *picker = g_object_get_data (G_OBJECT (dialog), "pa-picker");
  g_autoptr(GArray) chosen = pa_face_picker_get_chosen (picker);

  if (chosen->len > 0 && !STUDIO_PAGE_GONE (self))
    set_face (self, file, g_array_index (chosen, int, 0));
  gtk_window_destroy (dialog);
}

static void
on_picker_changed (PaFacePicker  *picker,
                   GSimpleAction *use)
{
  g_autoptr(GArray) chosen = pa_face_picker_get_chosen (picker);

  g_simple_action_set_enabled (use, chosen->len == 1);
}

/* A window with the picture and its faces as boxes: one is clicked, then
 * "Use This Face". */
static void
show_picker (PaStudioPage *self,
             FaceLook     *look)
{
  GtkWidget *dialog = adw_window_new ();
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  GtkWidget *header = adw_header_bar_new ();
  GtkWidget *title = adw_window_title_new (_("Choose the Face"), NULL);
  GtkWidget *cancel = gtk_button_new_with_mnemonic (_("_Cancel"));
  GtkWidget *use = gtk_button_new_with_mnemonic (_("_Use This Face"));
  GtkWidget *hint = gtk_label_new (_("Click the face to show."));
  GtkWidget *picker = pa_face_picker_new ();
  g_autoptr(GSimpleActionGroup) group = g_simple_action_group_new ();
  g_autoptr(GSimpleAction) use_action = g_simple_action_new ("use", NULL);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  gtk_window_set_modal (GTK_WINDOW (dialog), TRUE);
  if (GTK_IS_WINDOW (root))
    gtk_window_set_transient_for (GTK_WINDOW (dialog), GTK_WINDOW (root));
  gtk_window_set_default_size (GTK_WINDOW (dialog), 640, 520);

  g_signal_connect (use_action, "activate", G_CALLBACK (on_picker_use), dialog);
  g_action_map_add_action (G_ACTION_MAP (group), G_ACTION (use_action));
  gtk_widget_insert_action_group (dialog, "face", G_ACTION_GROUP (group));
  gtk_actionable_set_action_name (GTK_ACTIONABLE (use), "face.use");
  gtk_widget_add_css_class (use, "suggested-action");
  g_signal_connect_swapped (cancel, "clicked", G_CALLBACK (gtk_window_destroy), dialog);

  adw_header_bar_set_title_widget (ADW_HEADER_BAR (header), title);
  adw_header_bar_set_show_end_title_buttons (ADW_HEADER_BAR (header), FALSE);
  adw_header_bar_pack_start (ADW_HEADER_BAR (header), cancel);
  adw_header_bar_pack_end (ADW_HEADER_BAR (header), use);
  gtk_box_append (GTK_BOX (box), header);

  pa_face_picker_set_single (PA_FACE_PICKER (picker), TRUE);
  pa_face_picker_set_paintable (PA_FACE_PICKER (picker), GDK_PAINTABLE (look->texture));
  pa_face_picker_set_faces (PA_FACE_PICKER (picker), look->faces, look->width, look->height);
  gtk_widget_set_vexpand (picker, TRUE);
  gtk_widget_set_margin_top (picker, 12);
  gtk_widget_set_margin_start (picker, 12);
  gtk_widget_set_margin_end (picker, 12);
  g_signal_connect_object (picker, "changed", G_CALLBACK (on_picker_changed), use_action, 0);
  on_picker_changed (PA_FACE_PICKER (picker), use_action);
  gtk_box_append (GTK_BOX (box), picker);
  gtk_widget_set_margin_top (hint, 6);
  gtk_widget_set_margin_bottom (hint, 12);
  gtk_widget_add_css_class (hint, "dim-label");
  gtk_box_append (GTK_BOX (box), hint);
  adw_window_set_content (ADW_WINDOW (dialog), box);

  g_object_set_data_full (G_OBJECT (dialog), "pa-page", g_object_ref (self), g_object_unref);
  g_object_set_data_full (G_OBJECT (dialog), "pa-file", g_object_ref (look->file), g_object_unref);
  g_object_set_data (G_OBJECT (dialog), "pa-picker", picker);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
face_look_done (FaceLook *look)
{
  PaStudioPage *self = look->self;

  if (--look->pending > 0)
    return;

  if (STUDIO_PAGE_GONE (self) || pa_gui_error_is_cancelled (look->error))
    {
      face_look_free (look);
      return;
    }

  g_clear_object (&self->face_cancellable);
  if (look->error != NULL)
    {
      adw_action_row_set_subtitle (self->face_row, look->error->message);
      _pa_studio_page_toast (self, look->error->message);
      _pa_studio_page_scene_update (self);
    }
  else if (look->faces->len > 1 && look->texture != NULL)
    {
      adw_action_row_set_subtitle (self->face_row, _("Click the face to show."));
      _pa_studio_page_scene_update (self);
      show_picker (self, look);
    }
  else
    /* One face (or none: the live face swap says so in its words). */
    set_face (self, look->file, 0);
  face_look_free (look);
}

static void
on_look_preview (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  FaceLook *look = data;
  g_autoptr(GError) error = NULL;

  look->texture = pa_media_preview_load_finish (result, NULL, &error);
  if (look->texture == NULL && look->error == NULL)
    look->error = g_steal_pointer (&error);
  face_look_done (look);
}

static void
on_look_faces (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  FaceLook *look = data;
  g_autoptr(GError) error = NULL;

  look->faces = pa_media_find_faces_finish (result, &look->width, &look->height, &error);
  if (look->faces == NULL)
    {
      look->faces = g_ptr_array_new ();
      /* No face: the live face swap gives its own message below. */
      if (!g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND) && look->error == NULL)
        look->error = g_steal_pointer (&error);
    }
  face_look_done (look);
}

void
pa_studio_page_set_face_file (PaStudioPage *self,
                              GFile        *file)
{
  FaceLook *look;

  g_return_if_fail (PA_IS_STUDIO_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  self->face_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->face_row, _("Looking for faces…"));

  look = g_new0 (FaceLook, 1);
  look->self = g_object_ref (self);
  look->file = g_object_ref (file);
  look->pending = 2;
  pa_media_preview_load_async (file, PICKER_SIZE, self->face_cancellable, on_look_preview, look);
  pa_media_find_faces_async (file, self->face_cancellable, on_look_faces, look);
  _pa_studio_page_scene_update (self);
}

/* ---- the rows ----------------------------------------------------------- */

void
_pa_studio_page_face_update (PaStudioPage *self)
{
  gboolean face_busy = self->face_cancellable != NULL;

  gtk_spinner_set_spinning (self->face_spinner, face_busy);
  gtk_widget_set_visible (GTK_WIDGET (self->face_spinner), face_busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->face_switch),
                            !face_busy && pa_live_face_swap_has_face (self->face_swap));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "studio.choose-face", !face_busy);
}

static void
on_face_switch (PaStudioPage *self)
{
  gboolean on = gtk_switch_get_active (self->face_switch);

  pa_live_face_swap_set_enabled (self->face_swap, on);
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, "studio-face-swap", on);
}

/* ---- set up ------------------------------------------------------------- */

void
_pa_studio_page_face_init (PaStudioPage *self)
{
  adw_action_row_set_subtitle (self->face_row, _("Choose the face to show."));

  if (self->settings != NULL)
    {
      g_autofree char *face = g_settings_get_string (self->settings, "studio-face-file");
      gboolean on = g_settings_get_boolean (self->settings, "studio-face-swap");
      guint index = g_settings_get_uint (self->settings, "studio-face-index");

      pa_live_face_swap_set_enabled (self->face_swap, on);
      gtk_switch_set_active (self->face_switch, on);
      if (*face != '\0')
        {
          g_autoptr(GFile) file = g_file_new_for_path (face);

          set_face (self, file, index);
        }
    }

  g_signal_connect_swapped (self->face_switch, "notify::active", G_CALLBACK (on_face_switch), self);
}

void
_pa_studio_page_face_dispose (PaStudioPage *self)
{
  g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  g_clear_object (&self->face_file);
}
