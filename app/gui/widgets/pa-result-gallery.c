/* pa-result-gallery.c — the pictures and videos made before, from the
 * assets table: open, show in folder, save a copy, sell, delete
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-result-gallery.h"
#include "pa-sell-dialog.h"
#include "pa-window.h"

struct _PaResultGallery
{
  GtkWidget      parent_instance;

  PaStore       *store;
  GCancellable  *cancellable;
  GHashTable    *results;      /* id → PaAssetRecord, the ones shown */
  GHashTable    *tiles;        /* id → GtkFlowBoxChild (unowned) */
  GHashTable    *thumbnails;   /* "sha256 path" → GdkTexture: survives reloads */
  GArray        *order;        /* gint64 ids, newest first */

  GtkStack      *stack;
  GtkFlowBox    *flow_box;
};

G_DEFINE_FINAL_TYPE (PaResultGallery, pa_result_gallery, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
toast (PaResultGallery *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (message));
  else
    g_message ("%s", message);
}

static char *
thumbnail_key (const PaAssetRecord *record)
{
  /* The same path with other bytes (a result written again) is another
   * picture: the hash is in the key. */
  return g_strconcat (record->sha256 != NULL ? record->sha256 : "", " ", record->path, NULL);
}

static PaAssetRecord *
lookup (PaResultGallery *self,
        gint64           id)
{
  return g_hash_table_lookup (self->results, &id);
}

/* ---- thumbnails -------------------------------------------------------- */

typedef struct
{
  PaResultGallery *self;
  gint64           id;
  char            *key;
} Thumbnail;

static void
thumbnail_free (Thumbnail *data)
{
  g_object_unref (data->self);
  g_free (data->key);
  g_free (data);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Thumbnail, thumbnail_free)

static void
set_tile_texture (PaResultGallery *self,
                  gint64           id,
                  GdkTexture      *texture)
{
  GtkWidget *tile = g_hash_table_lookup (self->tiles, &id);
  GtkPicture *picture;

  if (tile == NULL)
    return;

  picture = g_object_get_data (G_OBJECT (tile), "pa-picture");
  gtk_picture_set_paintable (picture, GDK_PAINTABLE (texture));
  g_object_set_data (G_OBJECT (tile), "pa-has-thumbnail", GINT_TO_POINTER (TRUE));
}

static void
thumbnail_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(Thumbnail) data = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GdkTexture) texture = NULL;

  texture = pa_media_preview_load_finish (result, NULL, &error);
  if (texture == NULL)
    {
      GtkWidget *tile;

      if (pa_gui_error_is_cancelled (error))
        return;

      /* The file was moved or spoiled: the tile stays, so its row can
       * still be deleted, and says what is wrong. */
      tile = g_hash_table_lookup (data->self->tiles, &data->id);
      if (tile != NULL)
        {
          gtk_widget_set_tooltip_text (tile, error->message);
          gtk_widget_add_css_class (tile, "missing");
        }
      return;
    }

  g_hash_table_replace (data->self->thumbnails, g_steal_pointer (&data->key),
                        g_object_ref (texture));
  set_tile_texture (data->self, data->id, texture);
}

static void
load_thumbnail (PaResultGallery     *self,
                const PaAssetRecord *record)
{
  g_autofree char *key = thumbnail_key (record);
  g_autoptr(GFile) file = NULL;
  GdkTexture *cached;
  Thumbnail *data;

  cached = g_hash_table_lookup (self->thumbnails, key);
  if (cached != NULL)
    {
      set_tile_texture (self, record->id, cached);
      return;
    }

  data = g_new0 (Thumbnail, 1);
  data->self = g_object_ref (self);
  data->id = record->id;
  data->key = g_steal_pointer (&key);
  file = g_file_new_for_path (record->path);
  pa_media_preview_load_async (file, PA_RESULT_GALLERY_THUMBNAIL_SIZE, self->cancellable,
                               thumbnail_cb, data);
}

/* ---- the tiles --------------------------------------------------------- */

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

static GMenuModel *
create_menu (const PaAssetRecord *record)
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

static GtkWidget *
create_tile (PaResultGallery     *self,
             const PaAssetRecord *record)
{
  g_autoptr(GMenuModel) menu = create_menu (record);
  g_autofree char *name = g_path_get_basename (record->path);
  g_autoptr(GDateTime) created = g_date_time_new_from_unix_local (record->created_at / 1000);
  g_autofree char *when = created != NULL ? g_date_time_format (created, "%x %X") : NULL;
  g_autofree char *tooltip = NULL;
  GtkWidget *tile;
  GtkWidget *overlay;
  GtkWidget *picture;
  GtkWidget *button;

  picture = gtk_picture_new ();
  gtk_picture_set_content_fit (GTK_PICTURE (picture), GTK_CONTENT_FIT_COVER);
  gtk_picture_set_can_shrink (GTK_PICTURE (picture), TRUE);
  gtk_widget_set_size_request (picture, 160, 160);
  gtk_picture_set_alternative_text (GTK_PICTURE (picture), name);

  overlay = gtk_overlay_new ();
  gtk_overlay_set_child (GTK_OVERLAY (overlay), picture);
  gtk_widget_set_overflow (overlay, GTK_OVERFLOW_HIDDEN);
  gtk_widget_add_css_class (overlay, "card");

  if (g_strcmp0 (record->kind, "video") == 0)
    {
      GtkWidget *badge = gtk_image_new_from_icon_name ("media-playback-start-symbolic");

      gtk_widget_set_halign (badge, GTK_ALIGN_START);
      gtk_widget_set_valign (badge, GTK_ALIGN_END);
      gtk_widget_set_margin_start (badge, 6);
      gtk_widget_set_margin_bottom (badge, 6);
      gtk_widget_add_css_class (badge, "osd");
      gtk_overlay_add_overlay (GTK_OVERLAY (overlay), badge);
    }

  button = gtk_menu_button_new ();
  gtk_menu_button_set_icon_name (GTK_MENU_BUTTON (button), "view-more-symbolic");
  gtk_menu_button_set_menu_model (GTK_MENU_BUTTON (button), menu);
  gtk_widget_set_halign (button, GTK_ALIGN_END);
  gtk_widget_set_valign (button, GTK_ALIGN_END);
  gtk_widget_set_margin_end (button, 6);
  gtk_widget_set_margin_bottom (button, 6);
  gtk_widget_add_css_class (button, "osd");
  gtk_widget_add_css_class (button, "circular");
  gtk_widget_set_tooltip_text (button, _("Actions"));
  gtk_overlay_add_overlay (GTK_OVERLAY (overlay), button);

  gtk_widget_set_halign (overlay, GTK_ALIGN_START);
  gtk_widget_set_valign (overlay, GTK_ALIGN_START);
  tile = gtk_flow_box_child_new ();
  gtk_flow_box_child_set_child (GTK_FLOW_BOX_CHILD (tile), overlay);
  /* Translators: %1$s is a file name, %2$s when it was made. */
  tooltip = g_strdup_printf (_("%1$s, made %2$s"), name, when != NULL ? when : "");
  gtk_widget_set_tooltip_text (tile, tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (tile),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, tooltip,
                                  -1);
  g_object_set_data (G_OBJECT (tile), "pa-picture", picture);
  g_object_set_data_full (G_OBJECT (tile), "pa-id",
                          g_memdup2 (&record->id, sizeof record->id), g_free);

  return tile;
}

static void
clear (PaResultGallery *self)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (self->flow_box))) != NULL)
    gtk_flow_box_remove (self->flow_box, child);
  g_hash_table_remove_all (self->tiles);
  g_hash_table_remove_all (self->results);
  g_array_set_size (self->order, 0);
}

void
pa_result_gallery_reload (PaResultGallery *self)
{
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PA_IS_RESULT_GALLERY (self));

  clear (self);

  if (self->store != NULL)
    {
      /* One short SELECT, on the thread that owns the connection. */
      assets = pa_store_list_assets (self->store, &error);
      if (assets == NULL)
        toast (self, error->message);
    }

  /* Newest first: the one just made is where the eye is. */
  for (guint i = assets != NULL ? assets->len : 0; i > 0; i--)
    {
      PaAssetRecord *record = g_ptr_array_index (assets, i - 1);
      GtkWidget *tile;

      /* Only what a face swap can make: pictures and videos. */
      if (g_strcmp0 (record->kind, "image") != 0 && g_strcmp0 (record->kind, "video") != 0)
        continue;

      g_ptr_array_index (assets, i - 1) = NULL;
      g_hash_table_insert (self->results, &record->id, record);
      g_array_append_val (self->order, record->id);
      tile = create_tile (self, record);
      g_hash_table_insert (self->tiles, g_memdup2 (&record->id, sizeof record->id), tile);
      gtk_flow_box_append (self->flow_box, tile);
      load_thumbnail (self, record);
    }

  gtk_stack_set_visible_child_name (self->stack, self->order->len > 0 ? "results" : "empty");
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

static void
on_child_activated (PaResultGallery *self,
                    GtkFlowBoxChild *child)
{
  gint64 *id = g_object_get_data (G_OBJECT (child), "pa-id");

  if (id != NULL)
    gtk_widget_activate_action (GTK_WIDGET (self), "result.open", "x", *id);
}

/* ---- the object -------------------------------------------------------- */

static void
pa_result_gallery_dispose (GObject *object)
{
  PaResultGallery *self = PA_RESULT_GALLERY (object);

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  if (self->stack != NULL)
    {
      gtk_widget_unparent (GTK_WIDGET (self->stack));
      self->stack = NULL;
      self->flow_box = NULL;
    }

  G_OBJECT_CLASS (pa_result_gallery_parent_class)->dispose (object);
}

static void
pa_result_gallery_finalize (GObject *object)
{
  PaResultGallery *self = PA_RESULT_GALLERY (object);

  g_clear_pointer (&self->tiles, g_hash_table_unref);
  g_clear_pointer (&self->results, g_hash_table_unref);
  g_clear_pointer (&self->thumbnails, g_hash_table_unref);
  g_clear_pointer (&self->order, g_array_unref);

  G_OBJECT_CLASS (pa_result_gallery_parent_class)->finalize (object);
}

static void
pa_result_gallery_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  PaResultGallery *self = PA_RESULT_GALLERY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_result_gallery_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  PaResultGallery *self = PA_RESULT_GALLERY (object);

  switch (prop_id)
    {
    case PROP_STORE:
      pa_result_gallery_set_store (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
pa_result_gallery_class_init (PaResultGalleryClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = pa_result_gallery_dispose;
  object_class->finalize = pa_result_gallery_finalize;
  object_class->get_property = pa_result_gallery_get_property;
  object_class->set_property = pa_result_gallery_set_property;

  properties[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL,
                         PA_TYPE_STORE,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /* Each tile's menu names its asset by id; the gallery does the work. */
  gtk_widget_class_install_action (widget_class, "result.open", "x", open_activated);
  gtk_widget_class_install_action (widget_class, "result.show-in-folder", "x",
                                   show_in_folder_activated);
  gtk_widget_class_install_action (widget_class, "result.save-copy", "x", save_copy_activated);
  gtk_widget_class_install_action (widget_class, "result.delete", "x", delete_activated);
  gtk_widget_class_install_action (widget_class, "result.sell", "x", sell_activated);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "result-gallery");
}

static void
pa_result_gallery_init (PaResultGallery *self)
{
  GtkWidget *empty;

  self->cancellable = g_cancellable_new ();
  self->results = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL,
                                         (GDestroyNotify) pa_asset_record_free);
  self->tiles = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->thumbnails = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->order = g_array_new (FALSE, FALSE, sizeof (gint64));

  self->flow_box = GTK_FLOW_BOX (gtk_flow_box_new ());
  gtk_flow_box_set_selection_mode (self->flow_box, GTK_SELECTION_NONE);
  /* Square tiles that keep their size: a lone result is not stretched
   * across the page and cut to a strip. */
  gtk_flow_box_set_homogeneous (self->flow_box, FALSE);
  gtk_flow_box_set_max_children_per_line (self->flow_box, 8);
  gtk_flow_box_set_column_spacing (self->flow_box, 12);
  gtk_flow_box_set_row_spacing (self->flow_box, 12);
  gtk_flow_box_set_activate_on_single_click (self->flow_box, FALSE);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->flow_box),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Past results"),
                                  -1);
  g_signal_connect_swapped (self->flow_box, "child-activated",
                            G_CALLBACK (on_child_activated), self);

  empty = gtk_label_new (_("Results of face swaps appear here."));
  gtk_widget_add_css_class (empty, "dim-label");
  gtk_label_set_wrap (GTK_LABEL (empty), TRUE);

  self->stack = GTK_STACK (gtk_stack_new ());
  gtk_stack_add_named (self->stack, empty, "empty");
  gtk_stack_add_named (self->stack, GTK_WIDGET (self->flow_box), "results");
  gtk_stack_set_vhomogeneous (self->stack, FALSE);
  gtk_widget_set_parent (GTK_WIDGET (self->stack), GTK_WIDGET (self));
}

GtkWidget *
pa_result_gallery_new (void)
{
  return g_object_new (PA_TYPE_RESULT_GALLERY, NULL);
}

PaStore *
pa_result_gallery_get_store (PaResultGallery *self)
{
  g_return_val_if_fail (PA_IS_RESULT_GALLERY (self), NULL);

  return self->store;
}

void
pa_result_gallery_set_store (PaResultGallery *self,
                             PaStore         *store)
{
  g_return_if_fail (PA_IS_RESULT_GALLERY (self));
  g_return_if_fail (store == NULL || PA_IS_STORE (store));

  if (!g_set_object (&self->store, store))
    return;

  pa_result_gallery_reload (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_STORE]);
}

guint
pa_result_gallery_get_n_results (PaResultGallery *self)
{
  g_return_val_if_fail (PA_IS_RESULT_GALLERY (self), 0);

  return self->order->len;
}

gint64
pa_result_gallery_get_result_id (PaResultGallery *self,
                                 guint            index)
{
  g_return_val_if_fail (PA_IS_RESULT_GALLERY (self), 0);

  return index < self->order->len ? g_array_index (self->order, gint64, index) : 0;
}

GtkWidget *
pa_result_gallery_get_tile (PaResultGallery *self,
                            gint64           id)
{
  g_return_val_if_fail (PA_IS_RESULT_GALLERY (self), NULL);

  return g_hash_table_lookup (self->tiles, &id);
}

gboolean
pa_result_gallery_has_thumbnail (PaResultGallery *self,
                                 gint64           id)
{
  GtkWidget *tile = pa_result_gallery_get_tile (self, id);

  return tile != NULL && g_object_get_data (G_OBJECT (tile), "pa-has-thumbnail") != NULL;
}
