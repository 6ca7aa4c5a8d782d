/* pa-studio-page-scene.c — the Studio page's source and scene rows, the
 * live face swap, and the settings that keep them
 *
 * The scene is kept in settings as pa_stream_scene_serialize() gives it,
 * and the rows show what the scene holds: they are set from it, never
 * the other way round, so what is restored is what was streamed. The
 * face swap is not part of a scene: its face and switch have keys of
 * their own.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-face-picker.h"
#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-studio-page-private.h"

/* Space between a corner item and the picture's edges, as a fraction of
 * the picture. */
#define EDGE 0.03
#define DEFAULT_PIP_WIDTH 0.25
#define OVERLAY_WIDTH 0.3
#define THUMBNAIL_SIZE 80
/* The face picker shows the picture at most this large. */
#define PICKER_SIZE 1024

typedef enum {
  CORNER_TOP_LEFT,
  CORNER_TOP_RIGHT,
  CORNER_BOTTOM_LEFT,
  CORNER_BOTTOM_RIGHT,
} Corner;

/* ---- placements --------------------------------------------------------- */

/* The height is taken as the width's: a 16:9 camera in a 16:9 picture
 * (the stream keeps the item's own aspect ratio in any case). */
static void
placement_for_corner (Corner             corner,
                      double             width,
                      PaStreamPlacement *placement)
{
  gboolean right = corner == CORNER_TOP_RIGHT || corner == CORNER_BOTTOM_RIGHT;
  gboolean bottom = corner == CORNER_BOTTOM_LEFT || corner == CORNER_BOTTOM_RIGHT;

  placement->width = width;
  placement->x = right ? 1 - EDGE - width : EDGE;
  placement->y = bottom ? 1 - EDGE - width : EDGE;
}

static Corner
corner_of_placement (const PaStreamPlacement *placement)
{
  gboolean right = placement->x + placement->width / 2 > 0.5;
  gboolean bottom = placement->y + placement->width / 2 > 0.5;

  return bottom ? (right ? CORNER_BOTTOM_RIGHT : CORNER_BOTTOM_LEFT)
                : (right ? CORNER_TOP_RIGHT : CORNER_TOP_LEFT);
}

/* ---- settings ----------------------------------------------------------- */

static void
save_scene (PaStudioPage *self)
{
  if (self->settings != NULL && self->scene != NULL)
    g_settings_set_value (self->settings, "studio-scene", pa_stream_scene_serialize (self->scene));
}

static PaStreamScene *
default_scene (void)
{
  g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (PA_STREAM_AUDIO_TEST_TONE);
  PaStreamScene *scene = pa_stream_scene_new (source);
  PaStreamPlacement placement;

  placement_for_corner (CORNER_BOTTOM_RIGHT, DEFAULT_PIP_WIDTH, &placement);
  pa_stream_scene_set_pip_placement (scene, &placement);
  placement_for_corner (CORNER_TOP_LEFT, OVERLAY_WIDTH, &placement);
  pa_stream_scene_set_overlay_placement (scene, &placement);
  return scene;
}

static PaStreamScene *
load_scene (PaStudioPage *self)
{
  g_autoptr(GVariant) saved = NULL;
  g_autoptr(GError) error = NULL;
  PaStreamScene *scene;

  if (self->settings == NULL)
    return default_scene ();

  saved = g_settings_get_value (self->settings, "studio-scene");
  if (g_variant_n_children (saved) == 0)
    return default_scene ();

  scene = pa_stream_scene_new_from_variant (saved, &error);
  if (scene == NULL)
    {
      /* A file that went away, a setting of an older version: the test
       * pattern again, rather than a studio that cannot start. */
      g_message ("The studio's saved scene cannot be used (%s); it starts with the test pattern",
                 error->message);
      return default_scene ();
    }
  return scene;
}

/* ---- the rows ----------------------------------------------------------- */

/* The row of @device_id in @devices (NULL: the first), or -1. */
static int
device_index (GListModel *devices,
              const char *device_id)
{
  guint n = devices != NULL ? g_list_model_get_n_items (devices) : 0;

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (devices, i);

      if (device_id == NULL || g_str_equal (pa_stream_device_get_id (device), device_id))
        return (int) i;
    }
  return -1;
}

static char *
device_id_at (GListModel *devices,
              guint       index)
{
  g_autoptr(PaStreamDevice) device = NULL;

  if (devices == NULL || index >= g_list_model_get_n_items (devices))
    return NULL;
  device = g_list_model_get_item (devices, index);
  return g_strdup (pa_stream_device_get_id (device));
}

/* The Video row's index for @source; a camera that is not connected is
 * the row after the connected ones (sync_rows() names it so). */
static guint
main_kind_of (PaStudioPage   *self,
              PaStreamSource *source)
{
  switch (pa_stream_source_get_video_kind (source))
    {
    case PA_STREAM_VIDEO_FILE:
      return MAIN_FILE;
    case PA_STREAM_VIDEO_IMAGE:
      return MAIN_IMAGE;
    case PA_STREAM_VIDEO_SCREEN:
      return MAIN_SCREEN;
    case PA_STREAM_VIDEO_CAMERA:
      {
        int index = device_index (self->cameras, pa_stream_source_get_device (source));

        return MAIN_FIRST_CAMERA + (index >= 0 ? (guint) index
                                               : g_list_model_get_n_items (self->cameras));
      }
    case PA_STREAM_VIDEO_TEST_PATTERN:
    default:
      return MAIN_TEST_PATTERN;
    }
}

static guint
audio_index_of (PaStudioPage   *self,
                PaStreamSource *source)
{
  switch (pa_stream_source_get_audio_kind (source))
    {
    case PA_STREAM_AUDIO_NONE:
      return AUDIO_NONE;
    case PA_STREAM_AUDIO_MICROPHONE:
      {
        int index = device_index (self->microphones, pa_stream_source_get_microphone (source));

        return AUDIO_FIRST_MICROPHONE + (index >= 0 ? (guint) index
                                                    : g_list_model_get_n_items (self->microphones));
      }
    case PA_STREAM_AUDIO_TEST_TONE:
    default:
      return AUDIO_TEST_TONE;
    }
}

/* The sound the Sound row asks for, as the kind a new source is made
 * with (a microphone is added after, with_audio()). */
static PaStreamAudioKind
audio_of_row (PaStudioPage *self)
{
  return adw_combo_row_get_selected (self->audio_row) == AUDIO_TEST_TONE
         ? PA_STREAM_AUDIO_TEST_TONE : PA_STREAM_AUDIO_NONE;
}

/* @source with the Sound row's microphone, if it names one. */
static PaStreamSource *
with_audio (PaStudioPage   *self,
            PaStreamSource *source)
{
  guint selected = adw_combo_row_get_selected (self->audio_row);
  g_autofree char *id = NULL;

  if (selected < AUDIO_FIRST_MICROPHONE)
    return source;
  id = device_id_at (self->microphones, selected - AUDIO_FIRST_MICROPHONE);
  if (id == NULL)
    {
      /* The microphone that is not connected: the one the scene names. */
      PaStreamSource *main = pa_stream_scene_get_main (self->scene);

      id = g_strdup (pa_stream_source_get_microphone (main));
    }
  {
    PaStreamSource *copy = pa_stream_source_with_microphone (source, id);

    pa_stream_source_unref (source);
    return copy;
  }
}

/* The Video and Sound rows' choices: the kinds, then the devices
 * connected now, then the scene's own device if it is not. */
static void
fill_device_rows (PaStudioPage *self)
{
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);
  g_autoptr(GtkStringList) video = gtk_string_list_new (NULL);
  g_autoptr(GtkStringList) audio = gtk_string_list_new (NULL);

  gtk_string_list_append (video, _("Test pattern"));
  gtk_string_list_append (video, _("Video file"));
  gtk_string_list_append (video, _("Picture"));
  gtk_string_list_append (video, _("Screen"));
  for (guint i = 0; i < g_list_model_get_n_items (self->cameras); i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (self->cameras, i);

      gtk_string_list_append (video, pa_stream_device_get_name (device));
    }
  if (pa_stream_source_get_video_kind (main) == PA_STREAM_VIDEO_CAMERA &&
      device_index (self->cameras, pa_stream_source_get_device (main)) < 0)
    gtk_string_list_append (video, _("Camera (not connected)"));

  gtk_string_list_append (audio, _("Test tone"));
  gtk_string_list_append (audio, _("None"));
  for (guint i = 0; i < g_list_model_get_n_items (self->microphones); i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (self->microphones, i);

      gtk_string_list_append (audio, pa_stream_device_get_name (device));
    }
  if (pa_stream_source_get_audio_kind (main) == PA_STREAM_AUDIO_MICROPHONE &&
      device_index (self->microphones, pa_stream_source_get_microphone (main)) < 0)
    gtk_string_list_append (audio, _("Microphone (not connected)"));

  adw_combo_row_set_model (self->main_row, G_LIST_MODEL (video));
  adw_combo_row_set_model (self->audio_row, G_LIST_MODEL (audio));
}

static void
show_file (AdwActionRow *row,
           GFile        *file,
           const char   *none)
{
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;

  adw_action_row_set_subtitle (row, name != NULL ? name : none);
}

/* The rows as the scene says. */
static void
sync_rows (PaStudioPage *self)
{
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);
  guint kind;
  PaStreamPlacement placement;
  const char *text = pa_stream_scene_get_overlay_text (self->scene);
  GFile *logo = pa_stream_scene_get_overlay_image (self->scene);
  gboolean have_camera = g_list_model_get_n_items (self->cameras) > 0;

  self->syncing = TRUE;

  fill_device_rows (self);
  kind = main_kind_of (self, main);
  adw_combo_row_set_selected (self->main_row, kind);
  gtk_widget_set_visible (GTK_WIDGET (self->file_row), kind == MAIN_FILE || kind == MAIN_IMAGE);
  show_file (self->file_row, pa_stream_source_get_file (main), _("None chosen"));
  adw_combo_row_set_selected (self->audio_row, audio_index_of (self, main));

  /* The picture-in-picture camera: the first camera connected. */
  adw_expander_row_set_show_enable_switch (self->pip_row, have_camera);
  adw_expander_row_set_enable_expansion (self->pip_row,
                                         !have_camera || pa_stream_scene_get_pip (self->scene) != NULL);
  adw_expander_row_set_subtitle (self->pip_row,
                                 have_camera ? ""
                                 : _("No camera is connected. Its place and size are kept for when one is."));

  pa_stream_scene_get_pip_placement (self->scene, &placement);
  adw_combo_row_set_selected (self->pip_corner_row, corner_of_placement (&placement));
  gtk_range_set_value (GTK_RANGE (self->pip_size_scale), placement.width * 100);

  if (g_strcmp0 (gtk_editable_get_text (GTK_EDITABLE (self->overlay_text_row)),
                 text != NULL ? text : "") != 0)
    gtk_editable_set_text (GTK_EDITABLE (self->overlay_text_row), text != NULL ? text : "");
  show_file (self->logo_row, logo, _("None"));
  pa_stream_scene_get_overlay_placement (self->scene, &placement);
  adw_combo_row_set_selected (self->overlay_corner_row, corner_of_placement (&placement));

  self->syncing = FALSE;
}

void
_pa_studio_page_scene_update (PaStudioPage *self)
{
  gboolean locked = _pa_studio_page_outputs_on (self);
  gboolean face_busy = self->face_cancellable != NULL;

  /* A new source means a new stream: not while it is recorded or sent. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->main_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->file_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->audio_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pip_row), !locked);
  adw_preferences_group_set_description (self->source_group,
                                         locked ? _("Stop recording and going live to change the source.")
                                                : NULL);

  gtk_spinner_set_spinning (self->face_spinner, face_busy);
  gtk_widget_set_visible (GTK_WIDGET (self->face_spinner), face_busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->face_switch),
                            !face_busy && pa_live_face_swap_has_face (self->face_swap));
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "studio.choose-face", !face_busy);
}

/* ---- the source --------------------------------------------------------- */

/* @self->scene's items around @main. */
static PaStreamScene *
scene_with_main (PaStreamScene  *scene,
                 PaStreamSource *main)
{
  PaStreamScene *copy = pa_stream_scene_new (main);
  PaStreamPlacement placement;

  pa_stream_scene_set_pip (copy, pa_stream_scene_get_pip (scene));
  pa_stream_scene_get_pip_placement (scene, &placement);
  pa_stream_scene_set_pip_placement (copy, &placement);
  if (pa_stream_scene_get_overlay_image (scene) != NULL)
    pa_stream_scene_set_overlay_image (copy, pa_stream_scene_get_overlay_image (scene));
  else
    pa_stream_scene_set_overlay_text (copy, pa_stream_scene_get_overlay_text (scene));
  pa_stream_scene_get_overlay_placement (scene, &placement);
  pa_stream_scene_set_overlay_placement (copy, &placement);
  pa_stream_scene_set_face_swap (copy, pa_stream_scene_get_face_swap (scene));
  return copy;
}

gboolean
pa_studio_page_set_main_source (PaStudioPage    *self,
                                PaStreamSource  *source,
                                GError         **error)
{
  PaStreamScene *scene;

  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), FALSE);
  g_return_val_if_fail (source != NULL, FALSE);

  if (_pa_studio_page_outputs_on (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                           _("Stop recording and going live to change the source."));
      sync_rows (self);
      return FALSE;
    }

  scene = scene_with_main (self->scene, source);
  g_set_object (&self->scene, scene);
  g_object_unref (scene);
  save_scene (self);
  sync_rows (self);
  _pa_studio_page_restart (self);
  return TRUE;
}

static void
use_source (PaStudioPage   *self,
            PaStreamSource *source)
{
  g_autoptr(GError) error = NULL;

  if (!pa_studio_page_set_main_source (self, source, &error))
    _pa_studio_page_toast (self, error->message);
}

/* A source of Video row index @kind (not the screen: it is asked for). */
static PaStreamSource *
source_for (PaStudioPage      *self,
            guint              kind,
            GFile             *file)
{
  PaStreamAudioKind audio = audio_of_row (self);
  PaStreamSource *source;

  if (kind == MAIN_FILE)
    source = pa_stream_source_new_file (file, audio);
  else if (kind == MAIN_IMAGE)
    source = pa_stream_source_new_image (file, audio);
  else if (kind >= MAIN_FIRST_CAMERA)
    {
      g_autofree char *id = device_id_at (self->cameras, kind - MAIN_FIRST_CAMERA);
      PaStreamSource *main = pa_stream_scene_get_main (self->scene);

      /* The camera that is not connected: the one the scene names. */
      source = pa_stream_source_new_camera (id != NULL ? id : pa_stream_source_get_device (main), audio);
    }
  else
    source = pa_stream_source_new_test_pattern (audio);
  return with_audio (self, source);
}

static void
on_screen (GObject      *object,
           GAsyncResult *result,
           gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaStreamSource) source = pa_stream_source_request_screen_finish (result, &error);

  if (STUDIO_PAGE_GONE (self))
    return;
  if (source == NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        _pa_studio_page_toast (self, error->message);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_object (&self->screen_cancellable);
          sync_rows (self);
        }
      return;
    }
  g_clear_object (&self->screen_cancellable);
  use_source (self, with_audio (self, g_steal_pointer (&source)));
}

/* The screen: on Wayland the desktop asks which one to share. */
static void
request_screen (PaStudioPage *self)
{
  g_cancellable_cancel (self->screen_cancellable);
  g_clear_object (&self->screen_cancellable);
  self->screen_cancellable = g_cancellable_new ();
  pa_stream_source_request_screen_async (audio_of_row (self), self->screen_cancellable,
                                         on_screen, g_object_ref (self));
}

/* ---- file choosers ------------------------------------------------------ */

typedef enum {
  CHOOSE_VIDEO,
  CHOOSE_IMAGE,
  CHOOSE_LOGO,
  CHOOSE_FACE,
} ChooseWhat;

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

static void
on_chooser_response (GtkNativeDialog *chooser,
                     int              response,
                     PaStudioPage    *self)
{
  ChooseWhat what = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (chooser), "pa-what"));
  g_autoptr(GFile) file = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  if (file != NULL)
    {
      switch (what)
        {
        case CHOOSE_VIDEO:
        case CHOOSE_IMAGE:
          {
            g_autoptr(PaStreamSource) source =
              source_for (self, what == CHOOSE_VIDEO ? MAIN_FILE : MAIN_IMAGE, file);

            use_source (self, source);
          }
          break;
        case CHOOSE_LOGO:
          pa_stream_scene_set_overlay_image (self->scene, file);
          save_scene (self);
          break;
        case CHOOSE_FACE:
          pa_studio_page_set_face_file (self, file);
          break;
        }
    }

  /* A cancelled choice leaves the rows as the scene is. */
  sync_rows (self);
  g_object_unref (chooser);
  g_object_unref (self);
}

static void
choose (PaStudioPage *self,
        ChooseWhat    what)
{
  static const char *video_types[] = {
    "video/mp4", "video/webm", "video/x-matroska", "video/quicktime",
  };
  g_autoptr(GtkFileFilter) filter = gtk_file_filter_new ();
  GtkFileChooserNative *chooser;
  const char *title;

  switch (what)
    {
    case CHOOSE_VIDEO:
      title = _("Choose a Video");
      gtk_file_filter_set_name (filter, _("Videos"));
      for (guint i = 0; i < G_N_ELEMENTS (video_types); i++)
        gtk_file_filter_add_mime_type (filter, video_types[i]);
      break;
    case CHOOSE_LOGO:
      title = _("Choose a Logo");
      gtk_file_filter_set_name (filter, _("Pictures"));
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      break;
    case CHOOSE_FACE:
      title = _("Choose the Face");
      gtk_file_filter_set_name (filter, _("Pictures"));
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      break;
    case CHOOSE_IMAGE:
    default:
      title = _("Choose a Picture");
      gtk_file_filter_set_name (filter, _("Pictures"));
      gtk_file_filter_add_mime_type (filter, "image/png");
      gtk_file_filter_add_mime_type (filter, "image/jpeg");
      break;
    }

  chooser = gtk_file_chooser_native_new (title,
                                         GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                         GTK_FILE_CHOOSER_ACTION_OPEN,
                                         _("_Open"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_add_filter (GTK_FILE_CHOOSER (chooser), filter);
  g_object_set_data (G_OBJECT (chooser), "pa-what", GINT_TO_POINTER (what));
  g_signal_connect (chooser, "response", G_CALLBACK (on_chooser_response), g_object_ref (self));
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

static void
choose_file_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);

  choose (self, adw_combo_row_get_selected (self->main_row) == MAIN_FILE
                ? CHOOSE_VIDEO : CHOOSE_IMAGE);
}

static void
choose_logo_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  choose (PA_STUDIO_PAGE (widget), CHOOSE_LOGO);
}

static void
clear_logo_activated (GtkWidget  *widget,
                      const char *action_name,
                      GVariant   *parameter)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);

  pa_stream_scene_set_overlay_image (self->scene, NULL);
  save_scene (self);
  sync_rows (self);
}

static void
choose_face_activated (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  choose (PA_STUDIO_PAGE (widget), CHOOSE_FACE);
}

/* ---- row changes -------------------------------------------------------- */

static void
on_main_selected (PaStudioPage *self)
{
  guint kind = adw_combo_row_get_selected (self->main_row);
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);

  if (self->syncing || kind == main_kind_of (self, main))
    return;

  if (kind == MAIN_FILE || kind == MAIN_IMAGE)
    /* A file or picture source is made once its file is chosen. */
    choose (self, kind == MAIN_FILE ? CHOOSE_VIDEO : CHOOSE_IMAGE);
  else if (kind == MAIN_SCREEN)
    request_screen (self);
  else
    {
      g_autoptr(PaStreamSource) source = source_for (self, kind, NULL);

      use_source (self, source);
    }
}

static void
on_audio_selected (PaStudioPage *self)
{
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);
  g_autoptr(PaStreamSource) source = NULL;

  if (self->syncing || adw_combo_row_get_selected (self->audio_row) == audio_index_of (self, main))
    return;

  /* The same picture with other sound (a screen keeps its capture). */
  if (pa_stream_source_get_video_kind (main) == PA_STREAM_VIDEO_SCREEN)
    {
      request_screen (self);
      return;
    }
  source = source_for (self, main_kind_of (self, main), pa_stream_source_get_file (main));
  use_source (self, source);
}

static void
on_pip_enabled (PaStudioPage *self)
{
  gboolean on = adw_expander_row_get_enable_expansion (self->pip_row);
  g_autoptr(PaStreamSource) camera = NULL;
  g_autofree char *id = NULL;

  if (self->syncing || !adw_expander_row_get_show_enable_switch (self->pip_row) ||
      on == (pa_stream_scene_get_pip (self->scene) != NULL))
    return;
  if (_pa_studio_page_outputs_on (self))
    {
      _pa_studio_page_toast (self, _("Stop recording and going live to change the source."));
      sync_rows (self);
      return;
    }

  id = device_id_at (self->cameras, 0);
  if (on)
    camera = pa_stream_source_new_camera (id, PA_STREAM_AUDIO_NONE);
  pa_stream_scene_set_pip (self->scene, camera);
  save_scene (self);
  /* A new picture-in-picture source needs a new stream. */
  _pa_studio_page_restart (self);
}

static void
on_pip_changed (PaStudioPage *self)
{
  PaStreamPlacement placement;

  if (self->syncing)
    return;

  /* Placements apply to the running picture at once. */
  placement_for_corner (adw_combo_row_get_selected (self->pip_corner_row),
                        gtk_range_get_value (GTK_RANGE (self->pip_size_scale)) / 100,
                        &placement);
  pa_stream_scene_set_pip_placement (self->scene, &placement);
  save_scene (self);
}

static void
on_overlay_changed (PaStudioPage *self)
{
  PaStreamPlacement placement;
  const char *text;

  if (self->syncing)
    return;

  text = gtk_editable_get_text (GTK_EDITABLE (self->overlay_text_row));
  /* Text replaces a logo, as the scene has one or the other; an empty
   * line leaves a logo as it is. */
  if (*text != '\0' || pa_stream_scene_get_overlay_image (self->scene) == NULL)
    pa_stream_scene_set_overlay_text (self->scene, *text != '\0' ? text : NULL);
  placement_for_corner (adw_combo_row_get_selected (self->overlay_corner_row), OVERLAY_WIDTH,
                        &placement);
  pa_stream_scene_set_overlay_placement (self->scene, &placement);
  save_scene (self);
  show_file (self->logo_row, pa_stream_scene_get_overlay_image (self->scene), _("None"));
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
_pa_studio_page_scene_init (PaStudioPage *self)
{
  GSettingsSchemaSource *schemas = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (schemas != NULL)
    schema = g_settings_schema_source_lookup (schemas, APP_ID, TRUE);
  /* An uninstalled build without a compiled schema: nothing is kept. */
  if (schema != NULL && g_settings_schema_has_key (schema, "studio-scene"))
    self->settings = g_settings_new_full (schema, NULL, NULL);

  /* The devices connected when the page is made (a quick look: none is
   * opened). */
  self->cameras = pa_stream_list_devices (PA_STREAM_DEVICE_CAMERA);
  self->microphones = pa_stream_list_devices (PA_STREAM_DEVICE_MICROPHONE);

  self->face_swap = pa_live_face_swap_new ();
  self->scene = load_scene (self);
  pa_stream_scene_set_face_swap (self->scene, self->face_swap);
  adw_action_row_set_subtitle (self->face_row, _("Choose the face to show."));
  sync_rows (self);

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

  g_signal_connect_swapped (self->main_row, "notify::selected", G_CALLBACK (on_main_selected), self);
  g_signal_connect_swapped (self->audio_row, "notify::selected", G_CALLBACK (on_audio_selected), self);
  g_signal_connect_swapped (self->pip_corner_row, "notify::selected", G_CALLBACK (on_pip_changed), self);
  g_signal_connect_swapped (self->pip_size_scale, "value-changed", G_CALLBACK (on_pip_changed), self);
  g_signal_connect_swapped (self->overlay_text_row, "changed", G_CALLBACK (on_overlay_changed), self);
  g_signal_connect_swapped (self->overlay_corner_row, "notify::selected",
                            G_CALLBACK (on_overlay_changed), self);
  g_signal_connect_swapped (self->face_switch, "notify::active", G_CALLBACK (on_face_switch), self);
  g_signal_connect_swapped (self->pip_row, "notify::enable-expansion", G_CALLBACK (on_pip_enabled), self);
}

void
_pa_studio_page_scene_refresh_devices (PaStudioPage *self)
{
  /* A camera or microphone plugged in while the page was hidden shows
   * when it is shown again. */
  g_clear_object (&self->cameras);
  g_clear_object (&self->microphones);
  self->cameras = pa_stream_list_devices (PA_STREAM_DEVICE_CAMERA);
  self->microphones = pa_stream_list_devices (PA_STREAM_DEVICE_MICROPHONE);
  sync_rows (self);
}

void
_pa_studio_page_scene_dispose (PaStudioPage *self)
{
  g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  g_clear_object (&self->face_file);
  g_cancellable_cancel (self->screen_cancellable);
  g_clear_object (&self->screen_cancellable);
  g_clear_object (&self->cameras);
  g_clear_object (&self->microphones);
}

void
_pa_studio_page_scene_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "studio.choose-file", NULL, choose_file_activated);
  gtk_widget_class_install_action (widget_class, "studio.choose-logo", NULL, choose_logo_activated);
  gtk_widget_class_install_action (widget_class, "studio.clear-logo", NULL, clear_logo_activated);
  gtk_widget_class_install_action (widget_class, "studio.choose-face", NULL, choose_face_activated);
}
