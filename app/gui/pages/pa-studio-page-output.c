/* pa-studio-page-output.c — the Studio page's outputs: recording to the
 * media folder, going live, and the figures of both
 *
 * A recording becomes an asset once its file was finalised, so the
 * gallery shows it with the face swap results. Going live asks the
 * destination (pa-studio-page-destination.c) for its URL, key included,
 * and keeps it no longer than the call.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-studio-page-private.h"

/* ---- what is shown ------------------------------------------------------ */

static char *
format_elapsed (gint64 us)
{
  gint64 s = MAX (us, 0) / G_USEC_PER_SEC;

  return g_strdup_printf ("%02d:%02d:%02d", (int) (s / 3600), (int) (s / 60 % 60), (int) (s % 60));
}

static const char *
live_state_text (PaStreamLiveState state)
{
  switch (state)
    {
    case PA_STREAM_LIVE_CONNECTING:
      return _("Connecting…");
    case PA_STREAM_LIVE_ON:
      return _("Live");
    case PA_STREAM_LIVE_RECONNECTING:
      return _("Reconnecting…");
    case PA_STREAM_LIVE_OFF:
    default:
      return _("Not live");
    }
}

void
_pa_studio_page_output_update (PaStudioPage *self)
{
  gboolean running = self->stream != NULL && !self->starting;
  PaStreamLiveState state = self->stream != NULL ? pa_stream_get_live_state (self->stream)
                                                 : PA_STREAM_LIVE_OFF;
  gboolean live = state != PA_STREAM_LIVE_OFF || self->live_busy;
  g_autofree char *badge = NULL;

  /* Recording */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "studio.record",
                                 running && !self->record_busy &&
                                 (self->recording != NULL || self->media_dir != NULL));
  adw_button_content_set_label (self->record_content,
                                self->recording != NULL ? _("Stop _Recording") : _("_Record"));
  adw_button_content_set_icon_name (self->record_content,
                                    self->recording != NULL ? "media-playback-stop-symbolic"
                                                            : "media-record-symbolic");

  /* Live */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "studio.live",
                                 running && !self->live_busy &&
                                 (live || _pa_studio_page_destination_ready (self)));
  adw_button_content_set_label (self->live_content, live ? _("_Stop Live") : _("_Go Live"));
  adw_button_content_set_icon_name (self->live_content,
                                    live ? "media-playback-stop-symbolic"
                                         : "network-transmit-symbolic");
  if (live)
    {
      gtk_widget_remove_css_class (self->live_button, "suggested-action");
      gtk_widget_add_css_class (self->live_button, "destructive-action");
    }
  else
    {
      gtk_widget_remove_css_class (self->live_button, "destructive-action");
      gtk_widget_add_css_class (self->live_button, "suggested-action");
    }

  if (self->live_error != NULL && state == PA_STREAM_LIVE_OFF)
    {
      gtk_label_set_text (self->state_label, self->live_error);
      gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "error");
    }
  else
    {
      gtk_label_set_text (self->state_label,
                          self->live_busy && state == PA_STREAM_LIVE_OFF
                          ? _("Connecting…") : live_state_text (state));
      gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "error");
    }
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "warning");
  gtk_widget_remove_css_class (GTK_WIDGET (self->state_label), "success");
  if (state == PA_STREAM_LIVE_RECONNECTING)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "warning");
  else if (state == PA_STREAM_LIVE_ON)
    gtk_widget_add_css_class (GTK_WIDGET (self->state_label), "success");

  gtk_widget_set_visible (GTK_WIDGET (self->record_label),
                          *gtk_label_get_text (self->record_label) != '\0');

  /* The badge over the preview: what goes out now. */
  if (self->recording != NULL)
    {
      g_autofree char *elapsed = format_elapsed (g_get_monotonic_time () - self->recording_since);

      /* Translators: shown over the preview while recording; %s is the time recorded. */
      badge = g_strdup_printf (_("● REC %s"), elapsed);
    }
  if (state == PA_STREAM_LIVE_ON || state == PA_STREAM_LIVE_RECONNECTING)
    {
      const char *on_air = state == PA_STREAM_LIVE_ON ? _("LIVE") : _("RECONNECTING");
      char *both = badge != NULL ? g_strconcat (on_air, "  ", badge, NULL) : g_strdup (on_air);

      g_free (badge);
      badge = both;
    }
  gtk_widget_set_visible (GTK_WIDGET (self->on_air_label), badge != NULL);
  if (badge != NULL)
    gtk_label_set_text (self->on_air_label, badge);
}

void
_pa_studio_page_output_tick (PaStudioPage *self)
{
  if (self->recording != NULL)
    {
      g_autofree char *name = g_file_get_basename (self->recording);
      g_autofree char *elapsed = format_elapsed (g_get_monotonic_time () - self->recording_since);
      /* Translators: %1$s is the time recorded so far, %2$s the file's name. */
      g_autofree char *text = g_strdup_printf (_("Recording %1$s to “%2$s”"), elapsed, name);

      gtk_label_set_text (self->record_label, text);
    }
}

/* ---- the stream's signals ----------------------------------------------- */

static void
on_stats (PaStream     *stream,
          PaStudioPage *self)
{
  PaStreamStats stats;

  /* A preview alone encodes nothing: its figures would all say "bad". */
  if (self->recording == NULL && pa_stream_get_live_state (stream) == PA_STREAM_LIVE_OFF)
    return;

  pa_stream_get_stats (stream, &stats);
  pa_stream_stats_view_set_stats (self->stats_view, &stats);
}

static void
on_audio_level (PaStream     *stream,
                double        rms_db,
                double        peak_db,
                PaStudioPage *self)
{
  pa_level_meter_set_level (self->level_meter, rms_db, peak_db);
}

static void
on_live_state_changed (PaStream     *stream,
                       PaStudioPage *self)
{
  if (pa_stream_get_live_state (stream) != PA_STREAM_LIVE_OFF)
    g_clear_pointer (&self->live_error, g_free);
  _pa_studio_page_update (self);
  if (self->recording == NULL && pa_stream_get_live_state (stream) == PA_STREAM_LIVE_OFF)
    pa_stream_stats_view_clear (self->stats_view);
}

void
_pa_studio_page_output_connect (PaStudioPage *self,
                                PaStream     *stream)
{
  g_signal_connect (stream, "stats", G_CALLBACK (on_stats), self);
  g_signal_connect (stream, "audio-level", G_CALLBACK (on_audio_level), self);
  g_signal_connect (stream, "live-state-changed", G_CALLBACK (on_live_state_changed), self);
}

/* ---- recording ---------------------------------------------------------- */

typedef struct
{
  PaStudioPage *self;
  GFile        *file;
  char         *sha256;
} Saved;

static void
saved_free (Saved *saved)
{
  g_clear_object (&saved->self);
  g_clear_object (&saved->file);
  g_free (saved->sha256);
  g_free (saved);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Saved, saved_free)

static void
hash_in_thread (GTask        *task,
                gpointer      source,
                gpointer      data,
                GCancellable *cancellable)
{
  Saved *saved = data;
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree guchar *buffer = g_malloc (64 * 1024);
  g_autoptr(GError) error = NULL;
  gssize n;

  in = g_file_read (saved->file, cancellable, &error);
  if (in == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  while ((n = g_input_stream_read (G_INPUT_STREAM (in), buffer, 64 * 1024, cancellable, &error)) > 0)
    g_checksum_update (checksum, buffer, n);
  if (n < 0)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  saved->sha256 = g_strdup (g_checksum_get_string (checksum));
  g_task_return_boolean (task, TRUE);
}

static void
on_hashed (GObject      *source,
           GAsyncResult *result,
           gpointer      data)
{
  Saved *saved = g_task_get_task_data (G_TASK (result));
  PaStudioPage *self = saved->self;
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_file_get_path (saved->file);
  gint64 id = 0;

  if (g_application_get_default () != NULL)
    g_application_release (g_application_get_default ());

  if (g_task_propagate_boolean (G_TASK (result), &error) && self->store != NULL)
    id = pa_store_add_asset (self->store, "video", path, saved->sha256, 1280, 720, NULL, &error);

  if (id == 0)
    {
      g_autofree char *message = NULL;

      /* Translators: %s says why the recording could not be listed. */
      message = g_strdup_printf (_("The recording was saved but is not in the gallery: %s"),
                                 error != NULL ? error->message : _("no database"));
      _pa_studio_page_toast (self, message);
      return;
    }

  _pa_studio_page_toast (self, _("Recording saved in the media folder"));
  _pa_studio_page_emit_recording_saved (self, saved->file, id);
}

/* Adds a finished recording to the assets (its hash read in a thread). */
static void
add_recording (PaStudioPage *self,
               GFile        *file)
{
  g_autoptr(GTask) task = NULL;
  Saved *saved;

  if (!g_file_query_exists (file, NULL))
    return;

  saved = g_new0 (Saved, 1);
  saved->self = g_object_ref (self);
  saved->file = g_object_ref (file);
  /* Listed even when the window closes meanwhile. */
  if (g_application_get_default () != NULL)
    g_application_hold (g_application_get_default ());
  task = g_task_new (NULL, NULL, on_hashed, NULL);
  g_task_set_task_data (task, saved, (GDestroyNotify) saved_free);
  g_task_run_in_thread (task, hash_in_thread);
}

static void
recording_ended (PaStudioPage *self,
                 const char   *error_message,
                 gboolean      finalised)
{
  g_autoptr(GFile) file = g_steal_pointer (&self->recording);
  g_autofree char *name = file != NULL ? g_file_get_basename (file) : NULL;

  self->record_busy = FALSE;
  if (STUDIO_PAGE_GONE (self))
    {
      if (file != NULL && finalised)
        add_recording (self, file);
      return;
    }
  if (error_message != NULL)
    {
      gtk_label_set_text (self->record_label, error_message);
      _pa_studio_page_toast (self, error_message);
    }
  else if (name != NULL)
    {
      /* Translators: %s is the file name of a recording. */
      g_autofree char *text = g_strdup_printf (_("Recorded “%s”"), name);

      gtk_label_set_text (self->record_label, text);
    }
  if (file != NULL && finalised)
    add_recording (self, file);
  if (self->stream == NULL || pa_stream_get_live_state (self->stream) == PA_STREAM_LIVE_OFF)
    pa_stream_stats_view_clear (self->stats_view);
  _pa_studio_page_stop_if_unused (self);
  _pa_studio_page_update (self);
}

static void
on_recording_stopped (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  if (!pa_stream_stop_recording_finish (PA_STREAM (source), result, &error))
    recording_ended (self, error->message, TRUE);
  else
    recording_ended (self, NULL, TRUE);
}

static void
on_recording_started (GObject      *source,
                      GAsyncResult *result,
                      gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  if (STUDIO_PAGE_GONE (self))
    return;
  if (!pa_stream_start_recording_finish (PA_STREAM (source), result, &error))
    {
      g_autoptr(GFile) file = g_steal_pointer (&self->recording);

      self->record_busy = FALSE;
      if (!pa_gui_error_is_cancelled (error))
        {
          gtk_label_set_text (self->record_label, error->message);
          _pa_studio_page_toast (self, error->message);
        }
      _pa_studio_page_update (self);
      return;
    }

  self->record_busy = FALSE;
  self->recording_since = g_get_monotonic_time ();
  _pa_studio_page_output_tick (self);
  _pa_studio_page_update (self);
}

/* "Recording 2026-12-06 14-05-09.mkv" in the media folder; " (2)" and
 * so on when that name is taken. */
static GFile *
new_recording_file (PaStudioPage  *self,
                    GError       **error)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *stamp = g_date_time_format (now, "%Y-%m-%d %H-%M-%S");

  if (!g_file_make_directory_with_parents (self->media_dir, NULL, error))
    {
      if (!g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_EXISTS))
        return NULL;
      g_clear_error (error);
    }

  for (guint n = 1; n < 100; n++)
    {
      g_autofree char *name = NULL;
      g_autoptr(GFile) file = NULL;

      if (n == 1)
        /* Translators: the file name of a recording; %s is its date and time. */
        name = g_strdup_printf (_("Recording %s.mkv"), stamp);
      else
        /* Translators: the file name of a recording when the first one is taken;
         * %1$s is its date and time, %2$u a number from 2 on. */
        name = g_strdup_printf (_("Recording %1$s (%2$u).mkv"), stamp, n);
      file = g_file_get_child (self->media_dir, name);
      if (!g_file_query_exists (file, NULL))
        return g_steal_pointer (&file);
    }

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_EXISTS,
                       _("There are too many recordings of this second."));
  return NULL;
}

static void
record_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);
  g_autoptr(GError) error = NULL;

  if (self->stream == NULL || self->record_busy)
    return;

  self->record_busy = TRUE;
  if (self->recording != NULL)
    {
      pa_stream_stop_recording_async (self->stream, NULL, on_recording_stopped, g_object_ref (self));
      _pa_studio_page_update (self);
      return;
    }

  self->recording = new_recording_file (self, &error);
  if (self->recording == NULL)
    {
      self->record_busy = FALSE;
      _pa_studio_page_toast (self, error->message);
      return;
    }
  gtk_label_set_text (self->record_label, _("Starting the recording…"));
  pa_stream_stats_view_clear (self->stats_view);
  pa_stream_start_recording_async (self->stream, self->recording, NULL, on_recording_started,
                                   g_object_ref (self));
  _pa_studio_page_update (self);
}

/* ---- going live --------------------------------------------------------- */

static void
on_live_started (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  self->live_busy = FALSE;
  if (STUDIO_PAGE_GONE (self))
    return;
  if (!pa_stream_go_live_finish (PA_STREAM (source), result, &error) &&
      !pa_gui_error_is_cancelled (error))
    {
      g_free (self->live_error);
      /* Translators: %s is why, e.g. "The server refused the stream key." */
      self->live_error = g_strdup_printf (_("Could not go live: %s"), error->message);
      _pa_studio_page_toast (self, self->live_error);
    }
  _pa_studio_page_update (self);
}

static void
on_live_stopped (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;

  self->live_busy = FALSE;
  if (STUDIO_PAGE_GONE (self))
    return;
  if (!pa_stream_stop_live_finish (PA_STREAM (source), result, &error))
    _pa_studio_page_toast (self, error->message);
  if (self->recording == NULL)
    pa_stream_stats_view_clear (self->stats_view);
  _pa_studio_page_stop_if_unused (self);
  _pa_studio_page_update (self);
}

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(PaStudioPage) self = data;
  g_autoptr(GError) error = NULL;
  char *url = _pa_studio_page_destination_resolve_finish (self, result, &error);

  if (url == NULL || self->stream == NULL || STUDIO_PAGE_GONE (self))
    {
      self->live_busy = FALSE;
      if (error != NULL)
        {
          g_free (self->live_error);
          self->live_error = g_strdup_printf (_("Could not go live: %s"), error->message);
          _pa_studio_page_toast (self, self->live_error);
        }
      pa_secrets_free (url);
      _pa_studio_page_update (self);
      return;
    }

  pa_stream_go_live_async (self->stream, url, NULL, on_live_started, g_object_ref (self));
  /* The key is in the URL: it is not kept beyond the call. */
  pa_secrets_free (url);
}

static void
live_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);

  if (self->stream == NULL || self->live_busy)
    return;

  self->live_busy = TRUE;
  g_clear_pointer (&self->live_error, g_free);
  if (pa_stream_get_live_state (self->stream) != PA_STREAM_LIVE_OFF)
    pa_stream_stop_live_async (self->stream, NULL, on_live_stopped, g_object_ref (self));
  else
    {
      if (self->recording == NULL)
        pa_stream_stats_view_clear (self->stats_view);
      _pa_studio_page_destination_resolve_async (self, on_resolved, g_object_ref (self));
    }
  _pa_studio_page_update (self);
}

/* ---- the stream went away ----------------------------------------------- */

void
_pa_studio_page_output_stream_gone (PaStudioPage *self,
                                    PaStream     *stream)
{
  /* The stream finalises a recording as it stops: what it has written
   * is kept, and listed once the file is complete. */
  if (self->recording != NULL)
    {
      g_object_set_data_full (G_OBJECT (stream), "pa-recording", g_object_ref (self->recording),
                              g_object_unref);
      recording_ended (self, NULL, FALSE);
    }
  self->record_busy = FALSE;
  self->live_busy = FALSE;
  pa_level_meter_reset (self->level_meter);
  pa_stream_stats_view_clear (self->stats_view);
}

void
_pa_studio_page_output_stream_closed (PaStudioPage *self,
                                      PaStream     *stream)
{
  GFile *file = g_object_get_data (G_OBJECT (stream), "pa-recording");

  if (file != NULL)
    add_recording (self, file);
}

void
_pa_studio_page_output_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "studio.record", NULL, record_activated);
  gtk_widget_class_install_action (widget_class, "studio.live", NULL, live_activated);
}
