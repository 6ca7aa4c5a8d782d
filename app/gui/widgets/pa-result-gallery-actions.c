/* pa-result-gallery-actions.c — what a result's menu does: open, show in
 * folder, save a copy, sell, delete
 *
 * Each tile's menu names its asset by id (a "result.*" action with an
 * int64 target); the gallery installs the actions, and they look the
 * asset up among the results it shows.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-result-gallery-private.h"
#include "pa-sell-dialog.h"

/* ---- the menu ---------------------------------------------------------- */

static void
append_item (GMenu      *menu,
             const char *label,
             const char *action,
             gint64      id)
{
  g_autoptr(GMenuItem) item = g_menu_item_new (label, NULL);

  g_menu_item_set_action_and_target_value (item, action, g_variant_new_int64 (id));
  g_menu_append_item (menu, item);
}

GMenuModel *
pa_result_gallery_create_menu (const PaAssetRecord *record)
{
  g_autoptr(GMenu) menu = g_menu_new ();
  g_autoptr(GMenu) files = g_menu_new ();
  g_autoptr(GMenu) sell = g_menu_new ();
  g_autoptr(GMenu) danger = g_menu_new ();
  gint64 id = record->id;

  append_item (files, _("_Open"), "result.open", id);
  append_item (files, _("Show in _Folder"), "result.show-in-folder", id);
  append_item (files, _("_Save a Copy…"), "result.save-copy", id);
  append_item (danger, _("_Delete…"), "result.delete", id);
  g_menu_append_section (menu, NULL, G_MENU_MODEL (files));
  /* Pictures only: a payment link sells one still, shown by its QR code. */
  if (g_strcmp0 (record->kind, "image") == 0)
    {
      append_item (sell, _("S_ell…"), "result.sell", id);
      g_menu_append_section (menu, NULL, G_MENU_MODEL (sell));
    }
  g_menu_append_section (menu, NULL, G_MENU_MODEL (danger));

  return G_MENU_MODEL (g_steal_pointer (&menu));
}

/* ---- actions ----------------------------------------------------------- */

static GAppLaunchContext *
launch_context (PaResultGallery *self)
{
  return G_APP_LAUNCH_CONTEXT (gdk_display_get_app_launch_context (
    gtk_widget_get_display (GTK_WIDGET (self))));
}

static void
launch_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(PaResultGallery) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_app_info_launch_default_for_uri_finish (result, &error) &&
      !pa_gui_error_is_cancelled (error))
    toast (self, error->message);
}

static void
launch_uri (PaResultGallery *self,
            const char      *uri)
{
  g_autoptr(GAppLaunchContext) context = launch_context (self);

  g_app_info_launch_default_for_uri_async (uri, context, self->cancellable,
                                           launch_cb, g_object_ref (self));
}

static void
open_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaResultGallery *self = PA_RESULT_GALLERY (widget);
  PaAssetRecord *record = lookup (self, g_variant_get_int64 (parameter));
  g_autofree char *uri = NULL;

  if (record == NULL)
    return;

  uri = g_filename_to_uri (record->path, NULL, NULL);
  if (uri != NULL)
    launch_uri (self, uri);
}

typedef struct
{
  PaResultGallery *self;
  char            *folder_uri;
} ShowItem;

static void
show_item_free (ShowItem *data)
{
  g_object_unref (data->self);
  g_free (data->folder_uri);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (ShowItem, show_item_free)

static void
show_items_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(ShowItem) data = user_data;
  g_autoptr(GVariant) reply = NULL;
  g_autoptr(GError) error = NULL;

  reply = g_dbus_connection_call_finish (G_DBUS_CONNECTION (source), result, &error);
  if (reply != NULL || pa_gui_error_is_cancelled (error))
    return;

  /* No file manager that selects a file: open its folder instead. */
  g_debug ("FileManager1.ShowItems failed (%s); opening the folder", error->message);
  launch_uri (data->self, data->folder_uri);
}

static void
show_in_folder_activated (GtkWidget  *widget,
                          const char *action_name,
                          GVariant   *parameter)
{
  PaResultGallery *self = PA_RESULT_GALLERY (widget);
  PaAssetRecord *record = lookup (self, g_variant_get_int64 (parameter));
  g_autoptr(GFile) file = NULL;
  g_autoptr(GFile) folder = NULL;
  g_autofree char *uri = NULL;
  const char *uris[2] = { NULL, NULL };
  GDBusConnection *bus;
  ShowItem *data;

  if (record == NULL)
    return;

  file = g_file_new_for_path (record->path);
  folder = g_file_get_parent (file);
  uri = g_file_get_uri (file);
  uris[0] = uri;

  data = g_new0 (ShowItem, 1);
  data->self = g_object_ref (self);
  data->folder_uri = g_file_get_uri (folder);

  bus = g_application_get_dbus_connection (g_application_get_default ());
  if (bus == NULL)
    {
      launch_uri (self, data->folder_uri);
      show_item_free (data);
      return;
    }

  g_dbus_connection_call (bus, "org.freedesktop.FileManager1", "/org/freedesktop/FileManager1",
                          "org.freedesktop.FileManager1", "ShowItems",
                          g_variant_new ("(^ass)", uris, ""),
                          NULL, G_DBUS_CALL_FLAGS_NONE, 5000, self->cancellable,
                          show_items_cb, data);
}

typedef struct
{
  PaResultGallery *self;
  gint64           id;
  GFile           *source;
} Copy;

static void
copy_free (Copy *data)
{
  g_object_unref (data->self);
  g_clear_object (&data->source);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Copy, copy_free)

static void
copy_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(PaResultGallery) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_file_copy_finish (G_FILE (source), result, &error))
    {
      if (!pa_gui_error_is_cancelled (error))
        toast (self, error->message);
      return;
    }

  toast (self, _("Copy saved"));
}

static void
on_save_response (GtkNativeDialog *chooser,
                  int              response,
                  Copy            *data)
{
  g_autoptr(GFile) destination = NULL;

  if (response == GTK_RESPONSE_ACCEPT)
    destination = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  /* The bytes are copied as they are, the face-swap mark with them; the
   * chooser has asked before replacing a file. */
  if (destination != NULL)
    g_file_copy_async (data->source, destination, G_FILE_COPY_OVERWRITE, G_PRIORITY_DEFAULT,
                       data->self->cancellable, NULL, NULL, copy_cb, g_object_ref (data->self));

  copy_free (data);
  g_object_unref (chooser);
}

static void
save_copy_activated (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  PaResultGallery *self = PA_RESULT_GALLERY (widget);
  PaAssetRecord *record = lookup (self, g_variant_get_int64 (parameter));
  const char *pictures = g_get_user_special_dir (G_USER_DIRECTORY_PICTURES);
  g_autofree char *name = NULL;
  GtkFileChooserNative *chooser;
  Copy *data;

  if (record == NULL)
    return;

  name = g_path_get_basename (record->path);
  chooser = gtk_file_chooser_native_new (_("Save a Copy"),
                                         GTK_WINDOW (gtk_widget_get_root (widget)),
                                         GTK_FILE_CHOOSER_ACTION_SAVE,
                                         _("_Save"), _("_Cancel"));
  gtk_native_dialog_set_modal (GTK_NATIVE_DIALOG (chooser), TRUE);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), name);
  /* Pictures is where a copy to share usually goes; without it the
   * chooser picks its own. */
  if (pictures != NULL && g_file_test (pictures, G_FILE_TEST_IS_DIR))
    {
      g_autoptr(GFile) folder = g_file_new_for_path (pictures);

      gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
    }

  data = g_new0 (Copy, 1);
  data->self = g_object_ref (self);
  data->id = record->id;
  data->source = g_file_new_for_path (record->path);
  g_signal_connect (chooser, "response", G_CALLBACK (on_save_response), data);
  gtk_native_dialog_show (GTK_NATIVE_DIALOG (chooser));
}

typedef struct
{
  PaResultGallery *self;
  gint64           id;
} Delete;

static void
delete_free (Delete *data)
{
  g_object_unref (data->self);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Delete, delete_free)

static void
delete_file_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(Delete) data = user_data;
  g_autoptr(GError) error = NULL;

  /* A file already gone is what was asked for; any other failure keeps
   * the row, so what is on disk stays listed. */
  if (!g_file_delete_finish (G_FILE (source), result, &error) &&
      !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      if (!pa_gui_error_is_cancelled (error))
        toast (data->self, error->message);
      return;
    }
  g_clear_error (&error);

  if (data->self->store != NULL &&
      !pa_store_delete_asset (data->self->store, data->id, &error) &&
      !g_error_matches (error, PA_ERROR, PA_ERROR_NOT_FOUND))
    toast (data->self, error->message);
  else
    toast (data->self, _("Deleted"));

  pa_result_gallery_reload (data->self);
}

static void
on_delete_response (AdwMessageDialog *dialog,
                    const char       *response,
                    PaResultGallery  *self)
{
  gint64 id = *(gint64 *) g_object_get_data (G_OBJECT (dialog), "pa-id");
  PaAssetRecord *record = lookup (self, id);
  g_autoptr(GFile) file = NULL;
  Delete *data;

  if (g_strcmp0 (response, "delete") != 0 || record == NULL)
    return;

  data = g_new0 (Delete, 1);
  data->self = g_object_ref (self);
  data->id = id;
  file = g_file_new_for_path (record->path);
  g_file_delete_async (file, G_PRIORITY_DEFAULT, self->cancellable, delete_file_cb, data);
}

static void
delete_activated (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  PaResultGallery *self = PA_RESULT_GALLERY (widget);
  gint64 id = g_variant_get_int64 (parameter);
  PaAssetRecord *record = lookup (self, id);
  g_autofree char *name = NULL;
  GtkWidget *dialog;

  if (record == NULL)
    return;

  name = g_path_get_basename (record->path);
  dialog = adw_message_dialog_new (GTK_WINDOW (gtk_widget_get_root (widget)),
                                   _("Delete This Result?"), NULL);
  /* Translators: %s is a file name. */
  adw_message_dialog_format_body (ADW_MESSAGE_DIALOG (dialog),
                                  _("“%s” will be deleted from the media folder. "
                                    "This cannot be undone."),
                                  name);
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "delete", _("_Delete"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "delete",
                                              ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "pa-id", g_memdup2 (&id, sizeof id), g_free);
  g_signal_connect_object (dialog, "response", G_CALLBACK (on_delete_response), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
sell_activated (GtkWidget  *widget,
                const char *action_name,
                GVariant   *parameter)
{
  PaAssetRecord *record = lookup (PA_RESULT_GALLERY (widget), g_variant_get_int64 (parameter));
  g_autoptr(GFile) file = NULL;

  if (record == NULL || g_strcmp0 (record->kind, "image") != 0)
    return;
  file = g_file_new_for_path (record->path);
  pa_sell_dialog_present_for (widget, file);
}

void
pa_result_gallery_install_actions (GtkWidgetClass *widget_class)
{
  /* Each tile's menu names its asset by id; the gallery does the work. */
  gtk_widget_class_install_action (widget_class, "result.open", "x", open_activated);
  gtk_widget_class_install_action (widget_class, "result.show-in-folder", "x",
                                   show_in_folder_activated);
  gtk_widget_class_install_action (widget_class, "result.save-copy", "x", save_copy_activated);
  gtk_widget_class_install_action (widget_class, "result.delete", "x", delete_activated);
  gtk_widget_class_install_action (widget_class, "result.sell", "x", sell_activated);
}
