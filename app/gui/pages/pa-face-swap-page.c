/* pa-face-swap-page.c — the Face Swap section: a face, a picture or
 * video, the faces to replace, the result and the ones before. The two
 * inputs are read in pa-face-swap-page-slots.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <inttypes.h>
#include <glib/gi18n.h>

#include "pa-face-swap-page-private.h"
#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-window.h"

#define NOTICE_KEY "faceswap-notice-accepted"

G_DEFINE_FINAL_TYPE (PaFaceSwapPage, pa_face_swap_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_BUSY,
  PROP_LOADING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (PaFaceSwapPage *self,
       const char     *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (message));
}

void
_pa_face_swap_page_set_error (PaFaceSwapPage *self,
                              const char     *message)
{
  g_free (self->error);
  self->error = g_strdup (message);
}

/* ---- what may be done now --------------------------------------------- */

static gboolean
slot_ready (Slot *slot)
{
  return slot->file != NULL && slot->pending == 0 && slot->error == NULL;
}

static gboolean
use_cloud (PaFaceSwapPage *self)
{
  return gtk_check_button_get_active (self->cloud_check) && self->replicate != NULL;
}

/* Why Swap cannot be pressed now, or NULL when it can. */
static const char *
why_not_ready (PaFaceSwapPage *self)
{
  g_autoptr(GArray) chosen = NULL;

  if (self->face.file == NULL || self->target.file == NULL)
    return _("Choose a face and a picture or video to put it into.");
  if (!slot_ready (&self->face) || !slot_ready (&self->target))
    return self->face.pending > 0 || self->target.pending > 0
           ? _("Looking for faces…")
           : _("Choose other files: one of them cannot be used.");
  if (pa_face_picker_get_n_faces (self->face.picker) == 0)
    return _("No face was found in the face picture.");
  if (use_cloud (self))
    return NULL;

  chosen = pa_face_picker_get_chosen (self->target.picker);
  if (chosen->len == 0)
    return _("Click at least one face to replace.");
  return NULL;
}

void
_pa_face_swap_page_update_actions (PaFaceSwapPage *self)
{
  gboolean busy = self->job != NULL;
  const char *why = why_not_ready (self);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "faceswap.swap", !busy && why == NULL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "faceswap.cancel", busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "faceswap.choose-face", !busy);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "faceswap.choose-target", !busy);
  gtk_widget_set_visible (self->cancel_button, busy);
  gtk_widget_set_visible (GTK_WIDGET (self->progress_bar), busy);
  gtk_widget_set_sensitive (GTK_WIDGET (self->face.picker), !busy);
  /* A cloud model chooses the faces itself: the boxes would mislead. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->target.picker), !busy && !use_cloud (self));

  if (!busy)
    gtk_label_set_text (self->status_label, why != NULL ? why : "");
}

static void
update_engines (PaFaceSwapPage *self)
{
  gboolean available = self->replicate != NULL;

  gtk_widget_set_sensitive (GTK_WIDGET (self->cloud_row), available);
  if (available)
    adw_action_row_set_subtitle (self->cloud_row,
                                 _("In the cloud, with your Replicate account: the pictures are "
                                   "uploaded, and the model chooses the faces"));
  else
    adw_action_row_set_subtitle (self->cloud_row,
                                 _("Sign in to Replicate in Accounts to use it"));

  /* Signed out while chosen: back to the engine that always works. */
  if (!available && gtk_check_button_get_active (self->cloud_check))
    gtk_check_button_set_active (self->offline_check, TRUE);

  _pa_face_swap_page_update_actions (self);
}

void
_pa_face_swap_page_notify_loading (PaFaceSwapPage *self)
{
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_LOADING]);
}

/* ---- the swap ---------------------------------------------------------- */

static const char *
stage_text (PaMediaStage stage)
{
  switch (stage)
    {
    case PA_MEDIA_STAGE_LOADING:
      return _("Reading the files…");
    case PA_MEDIA_STAGE_DETECTING:
      return _("Finding faces…");
    case PA_MEDIA_STAGE_SWAPPING:
      return _("Swapping faces…");
    case PA_MEDIA_STAGE_UPLOADING:
      return _("Uploading to Replicate…");
    case PA_MEDIA_STAGE_WAITING:
      return _("Waiting for Replicate…");
    case PA_MEDIA_STAGE_DOWNLOADING:
      return _("Downloading the result…");
    case PA_MEDIA_STAGE_SAVING:
      return _("Saving…");
    default:
      return "";
    }
}

static void
on_progress (const PaMediaProgress *progress,
             gpointer               user_data)
{
  PaFaceSwapPage *self = user_data;
  g_autoptr(GString) text = NULL;

  /* A late report from a job the page has let go of (it was disposed). */
  if (self->job == NULL)
    return;

  text = g_string_new (stage_text (progress->stage));

  if (progress->fraction >= 0)
    gtk_progress_bar_set_fraction (self->progress_bar, CLAMP (progress->fraction, 0.0, 1.0));
  else
    gtk_progress_bar_pulse (self->progress_bar);

  if (progress->frames_total > 0)
    {
      g_string_append (text, " ");
      /* Translators: frames of a video, e.g. "Frame 120 of 900". */
      g_string_append_printf (text, _("Frame %" PRIu64 " of %" PRIu64),
                              progress->frames_done, progress->frames_total);
    }
  if (progress->fps > 0)
    /* Translators: video frames swapped per second. */
    g_string_append_printf (text, _(", %.0f frames a second"), progress->fps);
  if (progress->seconds_left >= 0 && (progress->frames_total > 0 || progress->seconds_left >= 5))
    {
      int seconds = (int) (progress->seconds_left + 0.5);

      if (seconds >= 60)
        /* Translators: time left, e.g. ", about 3:05 left". */
        g_string_append_printf (text, _(", about %d:%02d left"), seconds / 60, seconds % 60);
      else
        /* Translators: time left in seconds. */
        g_string_append_printf (text, _(", about %d s left"), seconds);
    }
  if (progress->message != NULL && progress->message[0] != '\0')
    g_string_append_printf (text, " (%s)", progress->message);

  gtk_label_set_text (self->status_label, text->str);
}

static void
set_job (PaFaceSwapPage *self,
         PaFaceSwapJob  *job)
{
  g_set_object (&self->job, job);
  if (job == NULL)
    g_clear_object (&self->job_cancellable);
  _pa_face_swap_page_update_actions (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_BUSY]);
}

/* The divider starts through the middle of the first face replaced, so
 * the change is in view at once: half the face before, half after. */
static double
divider_position (PaFaceSwapPage *self)
{
  g_autoptr(GArray) chosen = pa_face_picker_get_chosen (self->target.picker);
  double x = -1.0;

  if (chosen->len > 0)
    x = pa_face_picker_get_face_x (self->target.picker, g_array_index (chosen, int, 0));

  return x >= 0 ? x : 0.5;
}

static void
result_preview_cb (GObject      *source,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(PaFaceSwapPage) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  texture = pa_media_preview_load_finish (result, NULL, &error);
  if (texture == NULL)
    {
      if (!pa_gui_error_is_cancelled (error))
        toast (self, error->message);
      return;
    }

  pa_compare_view_set_before (self->compare_view, GDK_PAINTABLE (self->target.texture));
  pa_compare_view_set_after (self->compare_view, GDK_PAINTABLE (texture));
  pa_compare_view_set_position (self->compare_view, divider_position (self));
  gtk_widget_set_visible (self->result_group, TRUE);
}

static void
swap_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PaFaceSwapPage) self = user_data;
  g_autoptr(PaFaceSwapResult) swapped = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  swapped = pa_face_swap_job_run_finish (PA_FACE_SWAP_JOB (source), result, &error);
  if (self->job != PA_FACE_SWAP_JOB (source))
    return;

  if (swapped == NULL)
    {
      set_job (self, NULL);
      if (pa_gui_error_is_cancelled (error))
        {
          gtk_label_set_text (self->status_label, _("Cancelled. Nothing was saved."));
          return;
        }
      _pa_face_swap_page_set_error (self, error->message);
      gtk_label_set_text (self->status_label, error->message);
      toast (self, error->message);
      return;
    }

  g_set_object (&self->result_file, swapped->output);
  g_clear_pointer (&self->error, g_free);
  set_job (self, NULL);

  if (swapped->skipped != NULL && swapped->skipped->len > 0)
    /* Translators: %u is a number of faces. */
    message = g_strdup_printf (ngettext ("Saved; %u face was left as it is (too small or turned away)",
                                         "Saved; %u faces were left as they are (too small or turned away)",
                                         swapped->skipped->len),
                               swapped->skipped->len);
  else
    message = g_strdup (_("Saved in the media folder"));
  /* The status line says it; the comparison appearing shows it. */
  gtk_label_set_text (self->status_label, message);

  pa_result_gallery_reload (self->gallery);

  g_cancellable_cancel (self->result_cancellable);
  g_clear_object (&self->result_cancellable);
  self->result_cancellable = g_cancellable_new ();
  pa_media_preview_load_async (swapped->output, DISPLAY_SIZE, self->result_cancellable,
                               result_preview_cb, g_object_ref (self));
}

/* The faces clicked, as the engine's selection: targets by index, and
 * the chosen source face for every one of them. */
static PaFaceSelection *
build_selection (PaFaceSwapPage  *self,
                 GError         **error)
{
  g_autoptr(GArray) targets = pa_face_picker_get_chosen (self->target.picker);
  g_autoptr(GArray) sources = pa_face_picker_get_chosen (self->face.picker);
  g_autoptr(GString) list = g_string_new (NULL);
  g_autofree char *source = NULL;

  for (guint i = 0; i < targets->len; i++)
    g_string_append_printf (list, "%s%d", i > 0 ? "," : "", g_array_index (targets, int, i));
  if (sources->len > 0)
    source = g_strdup_printf ("%d", g_array_index (sources, int, 0));

  return pa_face_selection_parse (list->str, source, error);
}

static void
start_swap (PaFaceSwapPage *self)
{
  g_autoptr(PaFaceSwapJob) job = NULL;
  g_autoptr(PaFaceSelection) selection = NULL;
  g_autoptr(GError) error = NULL;

  if (self->job != NULL || why_not_ready (self) != NULL)
    return;

  job = pa_face_swap_job_new (self->face.file, self->target.file, NULL);
  if (use_cloud (self))
    {
      g_autoptr(PaReplicate) client = NULL;

      client = pa_replicate_new (pa_http_get_default (),
                                 pa_account_get_profile (self->replicate),
                                 pa_account_get_base_url (self->replicate));
      pa_face_swap_job_set_engine (job, PA_FACE_SWAP_ENGINE_CLOUD);
      pa_face_swap_job_set_cloud (job, client, NULL, NULL, NULL);
    }
  else
    {
      selection = build_selection (self, &error);
      if (selection == NULL)
        {
          toast (self, error->message);
          return;
        }
      pa_face_swap_job_set_engine (job, PA_FACE_SWAP_ENGINE_OFFLINE);
      pa_face_swap_job_set_selection (job, selection);
    }

  if (self->store != NULL)
    pa_face_swap_job_set_store (job, self->store);
  if (self->media_dir != NULL)
    pa_face_swap_job_set_media_dir (job, self->media_dir);
  pa_face_swap_job_set_progress_func (job, on_progress, self, NULL);

  self->job_cancellable = g_cancellable_new ();
  set_job (self, job);
  gtk_progress_bar_set_fraction (self->progress_bar, 0.0);
  gtk_label_set_text (self->status_label, stage_text (PA_MEDIA_STAGE_LOADING));
  gtk_widget_set_visible (self->result_group, FALSE);

  pa_face_swap_job_run_async (job, self->job_cancellable, swap_cb, g_object_ref (self));
}

static gboolean
notice_accepted (PaFaceSwapPage *self)
{
  if (self->settings != NULL)
    return g_settings_get_boolean (self->settings, NOTICE_KEY);
  return self->notice_accepted;
}

static void
on_notice_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PaFaceSwapPage   *self)
{
  if (g_strcmp0 (response, "accept") != 0)
    return;

  self->notice_accepted = TRUE;
  if (self->settings != NULL)
    g_settings_set_boolean (self->settings, NOTICE_KEY, TRUE);
  start_swap (self);
}

/* Once, before the first swap: what the user takes on by making one. */
static void
show_notice (PaFaceSwapPage *self)
{
  GtkWidget *dialog;

  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (GTK_WIDGET (self))),
                                   _("Use Face Swap Responsibly"), NULL);
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (dialog),
                               _("Only use faces of people who agreed to it, and never to "
                                 "deceive, harass or impersonate anyone. Every result PlayAlter "
                                 "makes is marked as face-swapped in its file; when you share "
                                 "one, say that it was altered."));
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "accept", _("I _Understand"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "accept",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "accept");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_notice_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
swap_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaFaceSwapPage *self = PA_FACE_SWAP_PAGE (widget);

  if (!notice_accepted (self))
    show_notice (self);
  else
    start_swap (self);
}

static void
cancel_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaFaceSwapPage *self = PA_FACE_SWAP_PAGE (widget);

  g_cancellable_cancel (self->job_cancellable);
  gtk_label_set_text (self->status_label, _("Cancelling…"));
}

/* ---- accounts ----------------------------------------------------------- */

static void
find_replicate (PaFaceSwapPage *self)
{
  GListModel *accounts;
  PaAccount *found = NULL;

  if (self->manager == NULL)
    {
      g_clear_object (&self->replicate);
      update_engines (self);
      return;
    }

  accounts = pa_account_manager_get_accounts (self->manager);
  for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
    {
      g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

      /* Every account's status is followed: signing in or out on the
       * Accounts page changes the engines here at once. */
      g_signal_handlers_disconnect_by_data (account, self);
      g_signal_connect_object (account, "notify::status", G_CALLBACK (find_replicate), self,
                               G_CONNECT_SWAPPED);

      if (found == NULL &&
          g_str_equal (pa_account_get_platform (account), "replicate") &&
          pa_account_get_status (account) == PA_ACCOUNT_STATUS_SIGNED_IN)
        found = account;
    }

  g_set_object (&self->replicate, found);
  update_engines (self);
}

/* ---- the object --------------------------------------------------------- */

static void
slot_clear (Slot *slot)
{
  g_cancellable_cancel (slot->cancellable);
  g_clear_object (&slot->cancellable);
  g_clear_object (&slot->file);
  g_clear_object (&slot->texture);
  g_clear_pointer (&slot->error, g_free);
}

static void
load_settings (PaFaceSwapPage *self)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);

  /* As the window does: without a compiled schema the notice is
   * remembered for this run only. */
  if (schema != NULL && g_settings_schema_has_key (schema, NOTICE_KEY))
    self->settings = g_settings_new_full (schema, NULL, NULL);
}

static void
pa_face_swap_page_dispose (GObject *object)
{
  PaFaceSwapPage *self = PA_FACE_SWAP_PAGE (object);
  GtkWidget *child;

  g_cancellable_cancel (self->job_cancellable);
  g_cancellable_cancel (self->result_cancellable);
  g_clear_object (&self->result_cancellable);
  slot_clear (&self->face);
  slot_clear (&self->target);
  pa_face_swap_page_set_account_manager (self, NULL);
  gtk_widget_dispose_template (GTK_WIDGET (self), PA_TYPE_FACE_SWAP_PAGE);
  /* The template's outer scrolled window is not bound to a field. */
  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self))) != NULL)
    gtk_widget_unparent (child);
  g_clear_object (&self->job);
  g_clear_object (&self->job_cancellable);
  g_clear_object (&self->result_file);
  g_clear_object (&self->store);
  g_clear_object (&self->media_dir);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (pa_face_swap_page_parent_class)->dispose (object);
}

static void
pa_face_swap_page_finalize (GObject *object)
{
  PaFaceSwapPage *self = PA_FACE_SWAP_PAGE (object);

  g_free (self->error);

  G_OBJECT_CLASS (pa_face_swap_page_parent_class)->finalize (object);
}

static void
pa_face_swap_page_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PaFaceSwapPage *self = PA_FACE_SWAP_PAGE (object);

  switch (prop_id)
    {
    case PROP_BUSY:
      g_value_set_boolean (value, pa_face_swap_page_get_busy (self));
      break;
    case PROP_LOADING:
      g_value_set_boolean (value, pa_face_swap_page_get_loading (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_face_swap_page_class_init (PaFaceSwapPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_face_swap_page_dispose;
  object_class->finalize = pa_face_swap_page_finalize;
  object_class->get_property = pa_face_swap_page_get_property;

  properties[PROP_BUSY] =
    g_param_spec_boolean ("busy", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_LOADING] =
    g_param_spec_boolean ("loading", NULL, NULL,
                          FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_install_action (widget_class, "faceswap.choose-face", NULL,
                                   _pa_face_swap_page_choose_face);
  gtk_widget_class_install_action (widget_class, "faceswap.choose-target", NULL,
                                   _pa_face_swap_page_choose_target);
  gtk_widget_class_install_action (widget_class, "faceswap.swap", NULL, swap_activated);
  gtk_widget_class_install_action (widget_class, "faceswap.cancel", NULL, cancel_activated);

  g_type_ensure (PA_TYPE_FACE_PICKER);
  g_type_ensure (PA_TYPE_COMPARE_VIEW);
  g_type_ensure (PA_TYPE_RESULT_GALLERY);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               "/io/playalter/PlayAlter/ui/pa-face-swap-page.ui");
  gtk_widget_class_bind_template_child_full (widget_class, "face_stack", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, face.stack));
  gtk_widget_class_bind_template_child_full (widget_class, "face_spinner", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, face.spinner));
  gtk_widget_class_bind_template_child_full (widget_class, "face_picker", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, face.picker));
  gtk_widget_class_bind_template_child_full (widget_class, "face_hint", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, face.hint));
  gtk_widget_class_bind_template_child_full (widget_class, "face_name", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, face.name));
  gtk_widget_class_bind_template_child_full (widget_class, "target_stack", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, target.stack));
  gtk_widget_class_bind_template_child_full (widget_class, "target_spinner", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, target.spinner));
  gtk_widget_class_bind_template_child_full (widget_class, "target_picker", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, target.picker));
  gtk_widget_class_bind_template_child_full (widget_class, "target_hint", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, target.hint));
  gtk_widget_class_bind_template_child_full (widget_class, "target_name", FALSE,
                                             G_STRUCT_OFFSET (PaFaceSwapPage, target.name));
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, face_slot);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, target_slot);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, offline_check);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, cloud_check);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, cloud_row);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, swap_button);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, progress_bar);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, status_label);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, result_group);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, compare_view);
  gtk_widget_class_bind_template_child (widget_class, PaFaceSwapPage, gallery);
}

static void
pa_face_swap_page_init (PaFaceSwapPage *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));

  load_settings (self);
  _pa_face_swap_page_add_drop_target (self, self->face_slot, TRUE);
  _pa_face_swap_page_add_drop_target (self, self->target_slot, FALSE);
  g_signal_connect_object (self->face.picker, "changed", G_CALLBACK (_pa_face_swap_page_update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->target.picker, "changed", G_CALLBACK (_pa_face_swap_page_update_actions), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->cloud_check, "notify::active", G_CALLBACK (_pa_face_swap_page_update_actions), self,
                           G_CONNECT_SWAPPED);

  _pa_face_swap_page_slot_show (self, &self->face);
  _pa_face_swap_page_slot_show (self, &self->target);
  update_engines (self);
}

GtkWidget *
pa_face_swap_page_new (void)
{
  return g_object_new (PA_TYPE_FACE_SWAP_PAGE, NULL);
}

void
pa_face_swap_page_set_store (PaFaceSwapPage *self,
                             PaStore        *store,
                             const char     *data_dir)
{
  g_return_if_fail (PA_IS_FACE_SWAP_PAGE (self));
  g_return_if_fail (store == NULL || PA_IS_STORE (store));

  g_set_object (&self->store, store);
  g_clear_object (&self->media_dir);
  if (data_dir != NULL)
    self->media_dir = g_file_new_build_filename (data_dir, "media", NULL);
  pa_result_gallery_set_store (self->gallery, store);
}

void
pa_face_swap_page_set_account_manager (PaFaceSwapPage   *self,
                                       PaAccountManager *manager)
{
  g_return_if_fail (PA_IS_FACE_SWAP_PAGE (self));
  g_return_if_fail (manager == NULL || PA_IS_ACCOUNT_MANAGER (manager));

  if (self->manager == manager)
    return;

  if (self->manager != NULL)
    {
      GListModel *accounts = pa_account_manager_get_accounts (self->manager);

      g_signal_handlers_disconnect_by_data (accounts, self);
      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

          g_signal_handlers_disconnect_by_data (account, self);
        }
    }

  g_set_object (&self->manager, manager);
  if (manager != NULL)
    g_signal_connect_object (pa_account_manager_get_accounts (manager), "items-changed",
                             G_CALLBACK (find_replicate), self, G_CONNECT_SWAPPED);
  find_replicate (self);
}

void
pa_face_swap_page_set_face_file (PaFaceSwapPage *self,
                                 GFile          *file)
{
  g_return_if_fail (PA_IS_FACE_SWAP_PAGE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  _pa_face_swap_page_slot_set_file (self, &self->face, file);
}

void
pa_face_swap_page_set_target_file (PaFaceSwapPage *self,
                                   GFile          *file)
{
  g_return_if_fail (PA_IS_FACE_SWAP_PAGE (self));
  g_return_if_fail (file == NULL || G_IS_FILE (file));

  _pa_face_swap_page_slot_set_file (self, &self->target, file);
}

gboolean
pa_face_swap_page_get_busy (PaFaceSwapPage *self)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_PAGE (self), FALSE);

  return self->job != NULL;
}

gboolean
pa_face_swap_page_get_loading (PaFaceSwapPage *self)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_PAGE (self), FALSE);

  return self->face.pending > 0 || self->target.pending > 0;
}

GFile *
pa_face_swap_page_get_result_file (PaFaceSwapPage *self)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_PAGE (self), NULL);

  return self->result_file;
}

const char *
pa_face_swap_page_get_error (PaFaceSwapPage *self)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_PAGE (self), NULL);

  return self->error;
}

const char *
pa_face_swap_page_get_status (PaFaceSwapPage *self)
{
  g_return_val_if_fail (PA_IS_FACE_SWAP_PAGE (self), NULL);

  return gtk_label_get_text (self->status_label);
}
