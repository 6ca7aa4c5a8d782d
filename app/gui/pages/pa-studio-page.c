/* pa-studio-page.c — the Studio section: the object, and the preview's
 * stream and its life
 *
 * The preview runs while the page is on screen and stops when it is not,
 * so the studio costs nothing while the user is elsewhere; a recording
 * or a live stream keeps it running wherever the user goes. A new source
 * needs a new stream: the old one is closed first (a camera opens once).
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-studio-page-private.h"
#include "pa-window.h"

#define TICK_MS 500

enum {
  SIGNAL_RECORDING_SAVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (PaStudioPage, pa_studio_page, GTK_TYPE_WIDGET)

void
_pa_studio_page_toast (PaStudioPage *self,
                       const char   *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (message));
}

gboolean
_pa_studio_page_outputs_on (PaStudioPage *self)
{
  return self->recording != NULL || self->record_busy || self->live_busy ||
         (self->stream != NULL && pa_stream_get_live_state (self->stream) != PA_STREAM_LIVE_OFF);
}

/* ---- what is shown ------------------------------------------------------ */

/* Made at the first error only: a window has one status page (its own
 * "Can't Open Your Data") until the studio has something to say. */
static void
ensure_error_page (PaStudioPage *self)
{
  GtkWidget *button;

  if (self->error_page != NULL)
    return;

  button = gtk_button_new_with_mnemonic (_("_Try Again"));
  gtk_widget_set_halign (button, GTK_ALIGN_CENTER);
  gtk_actionable_set_action_name (GTK_ACTIONABLE (button), "studio.restart");
  gtk_widget_add_css_class (button, "pill");

  self->error_page = ADW_STATUS_PAGE (adw_status_page_new ());
  adw_status_page_set_icon_name (self->error_page, "camera-disabled-symbolic");
  adw_status_page_set_title (self->error_page, _("No Preview"));
  adw_status_page_set_child (self->error_page, button);
  gtk_widget_add_css_class (GTK_WIDGET (self->error_page), "compact");
  gtk_stack_add_named (self->preview_stack, GTK_WIDGET (self->error_page), "error");
}

void
_pa_studio_page_update (PaStudioPage *self)
{
  gboolean running = self->stream != NULL && !self->starting;

  if (STUDIO_PAGE_GONE (self))
    return;

  gtk_spinner_set_spinning (self->preview_spinner, self->starting || self->stopping > 0);
  gtk_widget_set_visible (GTK_WIDGET (self->preview_spinner), self->starting || self->stopping > 0);

  if (self->error != NULL)
    {
      ensure_error_page (self);
      adw_status_page_set_description (self->error_page, self->error);
      gtk_stack_set_visible_child_name (self->preview_stack, "error");
    }
  else
    gtk_stack_set_visible_child_name (self->preview_stack, "preview");

  if (running)
    {
      /* Translators: frames per second the preview shows. */
      g_autofree char *fps = g_strdup_printf (_("%.0f fps"),
                                              pa_video_paintable_get_fps (self->paintable));

      gtk_label_set_text (self->fps_label, fps);
    }
  gtk_widget_set_visible (GTK_WIDGET (self->fps_label), running);

  _pa_studio_page_scene_update (self);
  _pa_studio_page_destination_update (self);
  _pa_studio_page_output_update (self);
}

static gboolean
on_tick (gpointer data)
{
  PaStudioPage *self = data;

  _pa_studio_page_update (self);
  _pa_studio_page_output_tick (self);
  return G_SOURCE_CONTINUE;
}

/* ---- the stream --------------------------------------------------------- */

static void start_preview (PaStudioPage *self);

static void
set_error (PaStudioPage *self,
           const char   *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
  _pa_studio_page_update (self);
}

static void
on_stopped (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  if (!pa_stream_stop_finish (PA_STREAM (source), result, &error))
    g_warning ("The studio's stream did not close properly: %s", error->message);
  _pa_studio_page_output_stream_closed (self, PA_STREAM (source));
  if (g_application_get_default () != NULL)
    g_application_release (g_application_get_default ());

  self->stopping--;
  if (STUDIO_PAGE_GONE (self))
    return;
  /* Shown again, or a new source: start. After an error, only when
   * asked (Try Again, another source), not over and over. */
  if (self->stopping == 0 &&
      (self->restart || (gtk_widget_get_mapped (GTK_WIDGET (self)) && self->error == NULL)))
    {
      self->restart = FALSE;
      start_preview (self);
    }
  _pa_studio_page_update (self);
}

/* Lets the stream go: it closes its outputs (a recording is finalised)
 * on its own and holds itself until it has. */
static void
stop_stream (PaStudioPage *self)
{
  g_autoptr(PaStream) stream = g_steal_pointer (&self->stream);

  if (stream == NULL)
    return;

  g_signal_handlers_disconnect_by_data (stream, self);
  g_cancellable_cancel (self->start_cancellable);
  g_clear_object (&self->start_cancellable);
  self->starting = FALSE;
  _pa_studio_page_output_stream_gone (self, stream);

  self->stopping++;
  /* A window closed while recording: the application waits for the
   * file to be finalised before it quits. */
  if (g_application_get_default () != NULL)
    g_application_hold (g_application_get_default ());
  pa_stream_stop_async (stream, NULL, on_stopped, g_object_ref (self));
  _pa_studio_page_update (self);
}

static void
on_failed (PaStream     *stream,
           const GError *error,
           PaStudioPage *self)
{
  g_autofree char *message = g_strdup (error->message);

  stop_stream (self);
  set_error (self, message);
}

static void
on_started (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  if (!pa_stream_start_finish (PA_STREAM (source), result, &error))
    {
      if (pa_gui_error_is_cancelled (error) || PA_STREAM (source) != self->stream ||
          STUDIO_PAGE_GONE (self))
        return;
      stop_stream (self);
      set_error (self, error->message);
      return;
    }
  if (PA_STREAM (source) != self->stream || STUDIO_PAGE_GONE (self))
    return;

  self->starting = FALSE;
  g_clear_object (&self->start_cancellable);
  _pa_studio_page_update (self);
}

static void
start_preview (PaStudioPage *self)
{
  if (self->stream != NULL || self->stopping > 0 || self->scene == NULL)
    return;

  g_clear_pointer (&self->error, g_free);

  /* A new paintable for a new stream: its sink goes into the new
   * pipeline, and the old frame goes with the old stream. */
  g_clear_object (&self->paintable);
  self->paintable = pa_video_paintable_new ();
  gtk_picture_set_paintable (self->preview, GDK_PAINTABLE (self->paintable));

  self->stream = pa_stream_new_for_scene (self->scene);
  /* The picture and encoder of the chosen preset: set before the start. */
  pa_stream_preset_apply (_pa_studio_page_get_preset (self), self->stream);
  pa_stream_set_preview_sink (self->stream, pa_video_paintable_get_sink (self->paintable),
                              PREVIEW_MAX_WIDTH);
  g_signal_connect (self->stream, "failed", G_CALLBACK (on_failed), self);
  _pa_studio_page_output_connect (self, self->stream);

  self->starting = TRUE;
  self->start_cancellable = g_cancellable_new ();
  pa_stream_start_async (self->stream, self->start_cancellable, on_started, g_object_ref (self));
  _pa_studio_page_update (self);
}

void
_pa_studio_page_restart (PaStudioPage *self)
{
  /* What failed before is not what will run now. */
  g_clear_pointer (&self->error, g_free);
  if (self->stream == NULL && self->stopping == 0)
    {
      if (gtk_widget_get_mapped (GTK_WIDGET (self)))
        start_preview (self);
      _pa_studio_page_update (self);
      return;
    }

  self->restart = gtk_widget_get_mapped (GTK_WIDGET (self));
  stop_stream (self);
}

void
_pa_studio_page_stop_if_unused (PaStudioPage *self)
{
  if (gtk_widget_get_mapped (GTK_WIDGET (self)) || _pa_studio_page_outputs_on (self))
    return;

  stop_stream (self);
}

static void
restart_activated (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  _pa_studio_page_restart (PA_STUDIO_PAGE (widget));
}

/* ---- the object --------------------------------------------------------- */

static void
pa_studio_page_map (GtkWidget *widget)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);

  GTK_WIDGET_CLASS (pa_studio_page_parent_class)->map (widget);

  _pa_studio_page_scene_refresh_devices (self);
  if (self->tick == 0)
    self->tick = g_timeout_add (TICK_MS, on_tick, self);
  if (self->error == NULL)
    start_preview (self);
  _pa_studio_page_update (self);
}

static void
pa_studio_page_unmap (GtkWidget *widget)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);

  GTK_WIDGET_CLASS (pa_studio_page_parent_class)->unmap (widget);

  /* No one looks: no preview, unless an output still runs. */
  _pa_studio_page_stop_if_unused (self);
  if (self->stream == NULL)
    g_clear_handle_id (&self->tick, g_source_remove);
}

static void
pa_studio_page_dispose (GObject *object)
{
  PaStudioPage *self = PA_STUDIO_PAGE (object);
  GtkWidget *child;

  g_clear_handle_id (&self->tick, g_source_remove);
  self->restart = FALSE;
  stop_stream (self);
  _pa_studio_page_scene_dispose (self);
  _pa_studio_page_destination_dispose (self);
  gtk_widget_dispose_template (GTK_WIDGET (self), PA_TYPE_STUDIO_PAGE);
  /* The template's outer scrolled window is not bound to a field. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);

  g_clear_object (&self->paintable);
  g_clear_object (&self->scene);
  g_clear_object (&self->face_swap);
  g_clear_object (&self->settings);
  g_clear_object (&self->recording);

  G_OBJECT_CLASS (pa_studio_page_parent_class)->dispose (object);
}

static void
pa_studio_page_finalize (GObject *object)
{
  PaStudioPage *self = PA_STUDIO_PAGE (object);

  /* Kept to the end: a recording finalised after the window closed is
   * still listed. */
  g_clear_object (&self->store);
  g_clear_object (&self->media_dir);
  g_free (self->error);
  g_free (self->live_error);

  G_OBJECT_CLASS (pa_studio_page_parent_class)->finalize (object);
}

static void
pa_studio_page_class_init (PaStudioPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_studio_page_dispose;
  object_class->finalize = pa_studio_page_finalize;
  widget_class->map = pa_studio_page_map;
  widget_class->unmap = pa_studio_page_unmap;

  signals[SIGNAL_RECORDING_SAVED] =
    g_signal_new ("recording-saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_FILE, G_TYPE_INT64);

  gtk_widget_class_install_action (widget_class, "studio.restart", NULL, restart_activated);
  _pa_studio_page_scene_class_init (widget_class);
  _pa_studio_page_output_class_init (widget_class);
  _pa_studio_page_destination_class_init (widget_class);

  g_type_ensure (PA_TYPE_LEVEL_METER);
  g_type_ensure (PA_TYPE_STREAM_STATS_VIEW);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-studio-page.ui");
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, preview_stack);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, preview);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, fps_label);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, on_air_label);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, preview_spinner);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, record_content);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, live_content);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, live_button);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, record_label);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, source_group);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, main_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, file_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, audio_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, level_meter);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, scene_group);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, pip_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, pip_corner_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, pip_size_scale);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, overlay_text_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, logo_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, overlay_corner_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, face_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, face_thumbnail);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, face_spinner);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, face_switch);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, destination_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, url_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, channel_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, preset_row);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, state_label);
  gtk_widget_class_bind_template_child (widget_class, PaStudioPage, stats_view);
}

static void
pa_studio_page_init (PaStudioPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  _pa_studio_page_scene_init (self);
  _pa_studio_page_destination_init (self);
  _pa_studio_page_update (self);
}

GtkWidget *
pa_studio_page_new (void)
{
  return g_object_new (PA_TYPE_STUDIO_PAGE, NULL);
}

void
pa_studio_page_set_store (PaStudioPage *self,
                          PaStore      *store,
                          const char   *data_dir)
{
  g_return_if_fail (PA_IS_STUDIO_PAGE (self));

  g_set_object (&self->store, store);
  g_clear_object (&self->media_dir);
  if (data_dir != NULL)
    self->media_dir = g_file_new_build_filename (data_dir, "media", NULL);
  _pa_studio_page_destination_store_changed (self);
}

PaStream *
pa_studio_page_get_stream (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), NULL);
  return self->stream;
}

gboolean
pa_studio_page_get_busy (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), FALSE);
  return self->starting || self->stopping > 0 || self->record_busy || self->live_busy;
}

const char *
pa_studio_page_get_error (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), NULL);
  return self->error;
}

gboolean
pa_studio_page_get_recording (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), FALSE);
  return self->recording != NULL;
}

PaStreamLiveState
pa_studio_page_get_live_state (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), PA_STREAM_LIVE_OFF);
  return self->stream != NULL ? pa_stream_get_live_state (self->stream) : PA_STREAM_LIVE_OFF;
}

const char *
pa_studio_page_get_live_text (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), NULL);
  return gtk_label_get_text (self->state_label);
}

PaLiveFaceSwap *
pa_studio_page_get_face_swap (PaStudioPage *self)
{
  g_return_val_if_fail (PA_IS_STUDIO_PAGE (self), NULL);
  return self->face_swap;
}

void
_pa_studio_page_emit_recording_saved (PaStudioPage *self,
                                      GFile        *file,
                                      gint64        asset_id)
{
  g_signal_emit (self, signals[SIGNAL_RECORDING_SAVED], 0, file, asset_id);
}
