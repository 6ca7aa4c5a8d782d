/* pa-studio-page-scene.c — the Studio page's source and scene rows, their
 * file choosers, and the settings that keep them
 *
 * The scene is kept in settings as pa_stream_scene_serialize() gives it,
 * and the rows show what the scene holds: they are set from it, never
 * the other way round, so what is restored is what was streamed. The
 * live face swap's rows are in pa-studio-page-face.c.
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

  /* A new source means a new stream: not while it is recorded or sent. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->main_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->file_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->audio_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->pip_row), !locked);
  adw_preferences_group_set_description (self->source_group,
                                         locked ? _("Stop recording and going live to change the source.")
                                                : NULL);

  _pa_studio_page_face_update (self);
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
  sync_rows (self);
  _pa_studio_page_face_init (self);

  g_signal_connect_swapped (self->main_row, "notify::selected", G_CALLBACK (on_main_selected), self);
  g_signal_connect_swapped (self->audio_row, "notify::selected", G_CALLBACK (on_audio_selected), self);
  g_signal_connect_swapped (self->pip_corner_row, "notify::selected", G_CALLBACK (on_pip_changed), self);
  g_signal_connect_swapped (self->pip_size_scale, "value-changed", G_CALLBACK (on_pip_changed), self);
  g_signal_connect_swapped (self->overlay_text_row, "changed", G_CALLBACK (on_overlay_changed), self);
  g_signal_connect_swapped (self->overlay_corner_row, "notify::selected",
                            G_CALLBACK (on_overlay_changed), self);
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
  _pa_studio_page_face_dispose (self);
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
