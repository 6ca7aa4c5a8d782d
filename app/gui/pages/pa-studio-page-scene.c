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

#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-studio-page-private.h"

/* Space between a corner item and the picture's edges, as a fraction of
 * the picture. */
#define EDGE 0.03
#define DEFAULT_PIP_WIDTH 0.25
#define OVERLAY_WIDTH 0.3
#define THUMBNAIL_SIZE 80

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

static MainKind
main_kind_of (PaStreamSource *source)
{
  switch (pa_stream_source_get_video_kind (source))
    {
    case PA_STREAM_VIDEO_FILE:
      return MAIN_FILE;
    case PA_STREAM_VIDEO_IMAGE:
      return MAIN_IMAGE;
    case PA_STREAM_VIDEO_TEST_PATTERN:
    default:
      return MAIN_TEST_PATTERN;
    }
}

static PaStreamAudioKind
audio_of_row (PaStudioPage *self)
{
  return adw_combo_row_get_selected (self->audio_row) == AUDIO_NONE
         ? PA_STREAM_AUDIO_NONE : PA_STREAM_AUDIO_TEST_TONE;
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
  MainKind kind = main_kind_of (main);
  PaStreamPlacement placement;
  const char *text = pa_stream_scene_get_overlay_text (self->scene);
  GFile *logo = pa_stream_scene_get_overlay_image (self->scene);

  self->syncing = TRUE;

  adw_combo_row_set_selected (self->main_row, kind);
  gtk_widget_set_visible (GTK_WIDGET (self->file_row), kind != MAIN_TEST_PATTERN);
  show_file (self->file_row, pa_stream_source_get_file (main), _("None chosen"));
  adw_combo_row_set_selected (self->audio_row,
                              pa_stream_source_get_audio_kind (main) == PA_STREAM_AUDIO_NONE
                              ? AUDIO_NONE : AUDIO_TEST_TONE);

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

static PaStreamSource *
source_for (MainKind           kind,
            GFile             *file,
            PaStreamAudioKind  audio)
{
  switch (kind)
    {
    case MAIN_FILE:
      return pa_stream_source_new_file (file, audio);
    case MAIN_IMAGE:
      return pa_stream_source_new_image (file, audio);
    case MAIN_TEST_PATTERN:
    default:
      return pa_stream_source_new_test_pattern (audio);
    }
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
          GFile        *file)
{
  FaceLoad *load = g_new0 (FaceLoad, 1);

  if (self->face_cancellable != NULL)
    g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  self->face_cancellable = g_cancellable_new ();
  adw_action_row_set_subtitle (self->face_row, _("Loading the face…"));
  load->self = g_object_ref (self);
  load->file = g_object_ref (file);
  /* Face 0 is the picture's largest face: the one a portrait is of. */
  pa_live_face_swap_set_face_async (self->face_swap, file, 0, self->face_cancellable,
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

  if (texture != NULL && self->face_file != NULL)
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
    }
  _pa_studio_page_scene_update (self);
  face_load_free (load);
}

void
pa_studio_page_set_face_file (PaStudioPage *self,
                              GFile        *file)
{
  g_return_if_fail (PA_IS_STUDIO_PAGE (self));
  g_return_if_fail (G_IS_FILE (file));

  set_face (self, file);
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
              source_for (what == CHOOSE_VIDEO ? MAIN_FILE : MAIN_IMAGE, file, audio_of_row (self));

            use_source (self, source);
          }
          break;
        case CHOOSE_LOGO:
          pa_stream_scene_set_overlay_image (self->scene, file);
          save_scene (self);
          break;
        case CHOOSE_FACE:
          set_face (self, file);
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
  MainKind kind = adw_combo_row_get_selected (self->main_row);
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);

  if (self->syncing || kind == main_kind_of (main))
    return;

  if (kind == MAIN_TEST_PATTERN)
    {
      g_autoptr(PaStreamSource) source = pa_stream_source_new_test_pattern (audio_of_row (self));

      use_source (self, source);
      return;
    }
  /* A file or picture source is made once its file is chosen. */
  choose (self, kind == MAIN_FILE ? CHOOSE_VIDEO : CHOOSE_IMAGE);
}

static void
on_audio_selected (PaStudioPage *self)
{
  PaStreamSource *main = pa_stream_scene_get_main (self->scene);
  g_autoptr(PaStreamSource) source = NULL;

  if (self->syncing || audio_of_row (self) == pa_stream_source_get_audio_kind (main))
    return;

  source = source_for (main_kind_of (main), pa_stream_source_get_file (main), audio_of_row (self));
  use_source (self, source);
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

static GListModel *
string_model (const char * const *strings)
{
  return G_LIST_MODEL (gtk_string_list_new (strings));
}

void
_pa_studio_page_scene_init (PaStudioPage *self)
{
  const char *main_kinds[N_MAIN_KINDS + 1] = {
    [MAIN_TEST_PATTERN] = _("Test pattern"),
    [MAIN_FILE] = _("Video file"),
    [MAIN_IMAGE] = _("Picture"),
    NULL,
  };
  const char *audio_kinds[N_AUDIO_KINDS + 1] = {
    [AUDIO_TEST_TONE] = _("Test tone"),
    [AUDIO_NONE] = _("None"),
    NULL,
  };
  GSettingsSchemaSource *schemas = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GListModel) main_model = string_model (main_kinds);
  g_autoptr(GListModel) audio_model = string_model (audio_kinds);

  if (schemas != NULL)
    schema = g_settings_schema_source_lookup (schemas, APP_ID, TRUE);
  /* An uninstalled build without a compiled schema: nothing is kept. */
  if (schema != NULL && g_settings_schema_has_key (schema, "studio-scene"))
    self->settings = g_settings_new_full (schema, NULL, NULL);

  adw_combo_row_set_model (self->main_row, main_model);
  adw_combo_row_set_model (self->audio_row, audio_model);

  /* Cameras and screens come with capture; until then the rows say so
   * rather than offering a camera that is not there. */
  adw_expander_row_set_show_enable_switch (self->pip_row, FALSE);
  adw_expander_row_set_subtitle (self->pip_row,
                                 _("No camera: this version cannot capture cameras yet. "
                                   "Its place is kept for when it can."));

  self->face_swap = pa_live_face_swap_new ();
  self->scene = load_scene (self);
  pa_stream_scene_set_face_swap (self->scene, self->face_swap);
  adw_action_row_set_subtitle (self->face_row, _("Choose the face to show."));
  sync_rows (self);

  if (self->settings != NULL)
    {
      g_autofree char *face = g_settings_get_string (self->settings, "studio-face-file");
      gboolean on = g_settings_get_boolean (self->settings, "studio-face-swap");

      pa_live_face_swap_set_enabled (self->face_swap, on);
      gtk_switch_set_active (self->face_switch, on);
      if (*face != '\0')
        {
          g_autoptr(GFile) file = g_file_new_for_path (face);

          set_face (self, file);
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
}

void
_pa_studio_page_scene_dispose (PaStudioPage *self)
{
  g_cancellable_cancel (self->face_cancellable);
  g_clear_object (&self->face_cancellable);
  g_clear_object (&self->face_file);
}

void
_pa_studio_page_scene_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "studio.choose-file", NULL, choose_file_activated);
  gtk_widget_class_install_action (widget_class, "studio.choose-logo", NULL, choose_logo_activated);
  gtk_widget_class_install_action (widget_class, "studio.clear-logo", NULL, clear_logo_activated);
  gtk_widget_class_install_action (widget_class, "studio.choose-face", NULL, choose_face_activated);
}
