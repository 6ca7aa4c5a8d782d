/* pa-studio-page-destination.c — where the Studio page goes live, and
 * with what picture: an RTMP address typed in, a channel of the signed-in
 * Agora account, or a saved custom destination (its key in the keyring),
 * and the presets that fit each
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-studio-page-private.h"

/* The first rows of the Destination row; saved destinations follow. */
enum {
  DEST_URL,
  DEST_AGORA,
  DEST_FIRST_SAVED,
};

static PaStreamDestinationKind
destination_kind (PaStudioPage *self)
{
  return adw_combo_row_get_selected (self->destination_row) == DEST_AGORA
         ? PA_STREAM_DESTINATION_AGORA : PA_STREAM_DESTINATION_RTMP;
}

const PaStreamPreset *
_pa_studio_page_get_preset (PaStudioPage *self)
{
  PaStreamDestinationKind kind = destination_kind (self);
  guint n = 0;
  const PaStreamPreset *presets = pa_stream_presets_for (kind, &n);
  guint selected = adw_combo_row_get_selected (self->preset_row);

  return selected < n ? &presets[selected] : pa_stream_preset_get_default (kind);
}

/* ---- settings ----------------------------------------------------------- */

static void
save_choice (PaStudioPage *self)
{
  guint selected = adw_combo_row_get_selected (self->destination_row);
  g_autofree char *destination = NULL;

  if (self->settings == NULL || self->syncing_live)
    return;

  if (selected == DEST_AGORA)
    destination = g_strdup ("agora");
  else if (selected >= DEST_FIRST_SAVED && self->saved != NULL &&
           selected - DEST_FIRST_SAVED < self->saved->len)
    destination = g_strconcat ("saved:",
                               pa_stream_destination_get_name (self->saved->pdata[selected - DEST_FIRST_SAVED]),
                               NULL);
  else
    destination = g_strdup ("url");
  g_settings_set_string (self->settings, "studio-destination", destination);
  g_settings_set_string (self->settings, "studio-preset", _pa_studio_page_get_preset (self)->id);
  g_settings_set_string (self->settings, "studio-agora-channel",
                         gtk_editable_get_text (GTK_EDITABLE (self->channel_row)));
}

/* ---- the rows ----------------------------------------------------------- */

static void
fill_presets (PaStudioPage *self,
              const char   *keep_id)
{
  PaStreamDestinationKind kind = destination_kind (self);
  guint n = 0;
  const PaStreamPreset *presets = pa_stream_presets_for (kind, &n);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; i < n; i++)
    {
      gtk_string_list_append (names, _(presets[i].name));
      if (keep_id != NULL && g_str_equal (presets[i].id, keep_id))
        selected = i;
    }
  self->syncing_live = TRUE;
  adw_combo_row_set_model (self->preset_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->preset_row, selected);
  self->syncing_live = FALSE;
}

/* The Destination row's choices: the two kinds, then what was saved. */
static void
fill_destinations (PaStudioPage *self)
{
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  g_autofree char *wanted = NULL;
  g_autofree char *preset = NULL;
  guint selected = DEST_URL;

  g_clear_pointer (&self->saved, g_ptr_array_unref);
  if (self->store != NULL)
    {
      g_autoptr(GError) error = NULL;

      self->saved = pa_stream_destination_list_saved (self->store, self->secrets, &error);
      if (self->saved == NULL)
        g_message ("The saved stream destinations cannot be read: %s", error->message);
    }

  gtk_string_list_append (names, _("RTMP address"));
  gtk_string_list_append (names, _("Agora channel"));
  if (self->settings != NULL)
    wanted = g_settings_get_string (self->settings, "studio-destination");
  if (g_strcmp0 (wanted, "agora") == 0)
    selected = DEST_AGORA;
  for (guint i = 0; self->saved != NULL && i < self->saved->len; i++)
    {
      const char *name = pa_stream_destination_get_name (self->saved->pdata[i]);

      gtk_string_list_append (names, name);
      if (wanted != NULL && g_str_has_prefix (wanted, "saved:") && g_str_equal (wanted + 6, name))
        selected = DEST_FIRST_SAVED + i;
    }

  self->syncing_live = TRUE;
  adw_combo_row_set_model (self->destination_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->destination_row, selected);
  self->syncing_live = FALSE;

  if (self->settings != NULL)
    preset = g_settings_get_string (self->settings, "studio-preset");
  fill_presets (self, preset);
}

void
_pa_studio_page_destination_update (PaStudioPage *self)
{
  guint selected = adw_combo_row_get_selected (self->destination_row);
  gboolean locked = _pa_studio_page_outputs_on (self);

  gtk_widget_set_visible (GTK_WIDGET (self->url_row), selected == DEST_URL);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "studio.save-destination",
                                 selected == DEST_URL && self->store != NULL && !locked &&
                                 _pa_studio_page_destination_ready (self));
  gtk_widget_set_visible (GTK_WIDGET (self->channel_row), selected == DEST_AGORA);
  gtk_widget_set_sensitive (GTK_WIDGET (self->destination_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->url_row), !locked);
  gtk_widget_set_sensitive (GTK_WIDGET (self->channel_row), !locked);
  /* The picture is the stream's: it changes with a new stream only. */
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_row), !locked);

  if (selected == DEST_AGORA && self->agora == NULL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row),
                                 _("Sign in to Agora on the Accounts page to go live to a channel."));
  else if (selected == DEST_URL)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row),
                                 _("The stream key is part of the address and is not kept. "
                                   "Save the address as a destination to keep its key in the keyring."));
  else if (selected >= DEST_FIRST_SAVED && self->saved != NULL &&
           selected - DEST_FIRST_SAVED < self->saved->len)
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row),
                                 pa_stream_destination_get_server_url (self->saved->pdata[selected - DEST_FIRST_SAVED]));
  else
    adw_action_row_set_subtitle (ADW_ACTION_ROW (self->destination_row), "");
}

gboolean
_pa_studio_page_destination_ready (PaStudioPage *self)
{
  guint selected = adw_combo_row_get_selected (self->destination_row);

  switch (selected)
    {
    case DEST_URL:
      return pa_stream_check_rtmp_url (gtk_editable_get_text (GTK_EDITABLE (self->url_row)), TRUE, NULL);
    case DEST_AGORA:
      return self->agora != NULL && *gtk_editable_get_text (GTK_EDITABLE (self->channel_row)) != '\0';
    default:
      return self->saved != NULL && selected - DEST_FIRST_SAVED < self->saved->len;
    }
}

/* ---- the publish URL ---------------------------------------------------- */

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      data)
{
  g_autoptr(GTask) task = data;
  GError *error = NULL;
  char *url = pa_stream_destination_resolve_finish (PA_STREAM_DESTINATION (source), result, &error);

  if (url == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, url, (GDestroyNotify) pa_secrets_free);
}

void
_pa_studio_page_destination_resolve_async (PaStudioPage        *self,
                                           GAsyncReadyCallback  callback,
                                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autoptr(PaStreamDestination) destination = NULL;
  g_autoptr(GError) error = NULL;
  guint selected = adw_combo_row_get_selected (self->destination_row);

  if (selected == DEST_URL)
    {
      const char *url = gtk_editable_get_text (GTK_EDITABLE (self->url_row));

      if (!pa_stream_check_rtmp_url (url, TRUE, &error))
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_pointer (task, g_strdup (url), g_free);
      return;
    }

  if (selected == DEST_AGORA)
    {
      g_autoptr(PaPlatform) platform = NULL;

      if (self->agora == NULL)
        {
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_AUTH, "%s",
                                   _("Sign in to Agora on the Accounts page to go live to a channel."));
          return;
        }
      platform = pa_platform_new ("agora", pa_platform_get_default_http (),
                                  pa_account_get_profile (self->agora),
                                  pa_account_get_base_url (self->agora), &error);
      if (platform != NULL)
        {
          pa_agora_set_secrets (PA_AGORA (platform), self->secrets);
          /* The host's uid: the studio is the channel's one publisher. */
          destination = pa_stream_destination_new_agora (PA_AGORA (platform), self->secrets,
                                                         gtk_editable_get_text (GTK_EDITABLE (self->channel_row)),
                                                         "1", &error);
        }
    }
  else if (self->saved != NULL && selected - DEST_FIRST_SAVED < self->saved->len)
    destination = g_object_ref (self->saved->pdata[selected - DEST_FIRST_SAVED]);

  if (destination == NULL)
    {
      if (error != NULL)
        g_task_return_error (task, g_steal_pointer (&error));
      else
        g_task_return_new_error (task, PA_ERROR, PA_ERROR_NOT_FOUND, "%s",
                                 _("This destination is no longer saved."));
      return;
    }
  pa_stream_destination_resolve_async (destination, NULL, on_resolved, g_steal_pointer (&task));
}

char *
_pa_studio_page_destination_resolve_finish (PaStudioPage  *self,
                                            GAsyncResult  *result,
                                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- saving the typed address ------------------------------------------ */

typedef struct
{
  PaStudioPage *self;
  char         *name;
} Saving;

static void
saving_free (Saving *saving)
{
  g_object_unref (saving->self);
  g_free (saving->name);
  g_free (saving);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Saving, saving_free)

static void
on_saved (GObject      *source,
          GAsyncResult *result,
          gpointer      data)
{
  g_autoptr(Saving) saving = data;
  PaStudioPage *self = saving->self;
  const char *name = saving->name;
  g_autoptr(GError) error = NULL;
  g_autofree char *message = NULL;

  if (!pa_stream_destination_save_finish (result, &error))
    {
      if (!STUDIO_PAGE_GONE (self))
        _pa_studio_page_toast (self, error->message);
      return;
    }
  if (STUDIO_PAGE_GONE (self))
    return;

  /* The new destination is chosen, and the key leaves the entry. */
  if (self->settings != NULL)
    {
      g_autofree char *choice = g_strconcat ("saved:", name, NULL);

      g_settings_set_string (self->settings, "studio-destination", choice);
    }
  fill_destinations (self);
  gtk_editable_set_text (GTK_EDITABLE (self->url_row), "");
  /* Translators: %s is the name a stream destination was saved as. */
  message = g_strdup_printf (_("Saved “%s”: its stream key is in the keyring."), name);
  _pa_studio_page_toast (self, message);
  _pa_studio_page_update (self);
}

static void
on_save_response (AdwMessageDialog *dialog,
                  const char       *response,
                  PaStudioPage     *self)
{
  GtkEditable *entry = g_object_get_data (G_OBJECT (dialog), "pa-entry");
  g_autofree char *name = g_strstrip (g_strdup (gtk_editable_get_text (entry)));
  g_autofree char *url = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->url_row)));
  g_autoptr(GError) error = NULL;
  Saving *saving;
  char *slash;

  if (!g_str_equal (response, "save") || STUDIO_PAGE_GONE (self) || self->store == NULL)
    return;

  /* rtmp://host/app/KEY: the server is everything before the last
   * segment, the key that segment. */
  slash = strrchr (url, '/');
  if (!pa_stream_check_destination_name (name, &error) ||
      !pa_stream_check_rtmp_url (url, TRUE, &error) || slash == NULL ||
      !pa_stream_check_stream_key (slash + 1, &error))
    {
      _pa_studio_page_toast (self, error != NULL ? error->message : _("This address has no stream key."));
      return;
    }
  *slash = '\0';
  saving = g_new0 (Saving, 1);
  saving->self = g_object_ref (self);
  saving->name = g_strdup (name);
  pa_stream_destination_save_async (self->store, self->secrets, name, url, slash + 1, NULL,
                                    on_saved, saving);
  /* This copy of the key is not needed any more. */
  pa_compat_secure_zero (slash + 1, strlen (slash + 1));
}

static void
save_destination_activated (GtkWidget  *widget,
                            const char *action_name,
                            GVariant   *parameter)
{
  PaStudioPage *self = PA_STUDIO_PAGE (widget);
  GtkRoot *root = gtk_widget_get_root (widget);
  GtkWidget *dialog;
  GtkWidget *entry = gtk_entry_new ();

  dialog = adw_message_dialog_new (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL,
                                   _("Save the Destination"),
                                   _("The stream key goes into the keyring; the server's address is kept under this name."));
  gtk_entry_set_placeholder_text (GTK_ENTRY (entry), _("Name"));
  gtk_entry_set_activates_default (GTK_ENTRY (entry), TRUE);
  adw_message_dialog_set_extra_child (ADW_MESSAGE_DIALOG (dialog), entry);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "save", _("_Save"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "save",
                                              ADW_RESPONSE_SUGGESTED);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "save");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data (G_OBJECT (dialog), "pa-entry", entry);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_save_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* ---- changes ------------------------------------------------------------ */

static void
on_destination_selected (PaStudioPage *self)
{
  const PaStreamPreset *before;

  if (self->syncing_live)
    return;

  /* Agora and other servers have presets of their own. */
  before = _pa_studio_page_get_preset (self);
  fill_presets (self, NULL);
  save_choice (self);
  if (before != _pa_studio_page_get_preset (self) && !_pa_studio_page_outputs_on (self))
    _pa_studio_page_restart (self);
  _pa_studio_page_update (self);
}

static void
on_preset_selected (PaStudioPage *self)
{
  if (self->syncing_live)
    return;

  save_choice (self);
  /* A new picture size needs a new stream (not while it is used: the
   * row is insensitive then). */
  if (!_pa_studio_page_outputs_on (self))
    _pa_studio_page_restart (self);
}

static void
on_entry_changed (PaStudioPage *self)
{
  save_choice (self);
  _pa_studio_page_update (self);
}

static void
find_agora (PaStudioPage *self)
{
  GListModel *accounts;
  PaAccount *found = NULL;

  if (self->manager != NULL)
    {
      accounts = pa_account_manager_get_accounts (self->manager);
      for (guint i = 0; i < g_list_model_get_n_items (accounts); i++)
        {
          g_autoptr(PaAccount) account = g_list_model_get_item (accounts, i);

          /* Signing in or out on the Accounts page shows here at once. */
          g_signal_handlers_disconnect_by_func (account, find_agora, self);
          g_signal_connect_object (account, "notify::status", G_CALLBACK (find_agora), self,
                                   G_CONNECT_SWAPPED);
          if (found == NULL && g_str_equal (pa_account_get_platform (account), "agora") &&
              pa_account_get_status (account) == PA_ACCOUNT_STATUS_SIGNED_IN)
            found = account;
        }
    }

  g_set_object (&self->agora, found);
  _pa_studio_page_update (self);
}

void
pa_studio_page_set_account_manager (PaStudioPage     *self,
                                    PaAccountManager *manager)
{
  g_return_if_fail (PA_IS_STUDIO_PAGE (self));

  if (self->manager == manager)
    return;
  if (self->manager != NULL)
    g_signal_handlers_disconnect_by_data (pa_account_manager_get_accounts (self->manager), self);
  g_set_object (&self->manager, manager);
  if (manager != NULL)
    g_signal_connect_object (pa_account_manager_get_accounts (manager), "items-changed",
                             G_CALLBACK (find_agora), self, G_CONNECT_SWAPPED);
  find_agora (self);
}

void
_pa_studio_page_destination_store_changed (PaStudioPage *self)
{
  fill_destinations (self);
  _pa_studio_page_update (self);
}

void
_pa_studio_page_destination_class_init (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "studio.save-destination", NULL,
                                   save_destination_activated);
}

void
_pa_studio_page_destination_init (PaStudioPage *self)
{
  self->secrets = pa_secrets_new ();
  if (self->settings != NULL)
    {
      g_autofree char *channel = g_settings_get_string (self->settings, "studio-agora-channel");

      gtk_editable_set_text (GTK_EDITABLE (self->channel_row), channel);
    }
  fill_destinations (self);

  g_signal_connect_swapped (self->destination_row, "notify::selected",
                            G_CALLBACK (on_destination_selected), self);
  g_signal_connect_swapped (self->preset_row, "notify::selected", G_CALLBACK (on_preset_selected), self);
  g_signal_connect_swapped (self->url_row, "changed", G_CALLBACK (on_entry_changed), self);
  g_signal_connect_swapped (self->channel_row, "changed", G_CALLBACK (on_entry_changed), self);
}

void
_pa_studio_page_destination_dispose (PaStudioPage *self)
{
  pa_studio_page_set_account_manager (self, NULL);
  g_clear_pointer (&self->saved, g_ptr_array_unref);
  g_clear_object (&self->secrets);
}
