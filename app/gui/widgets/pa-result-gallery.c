/* pa-result-gallery.c — the pictures and videos made before, from the
 * assets table, as tiles with thumbnails
 *
 * Each tile's menu (open, show in folder, save a copy, sell, delete) is
 * in pa-result-gallery-actions.c.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>

#include "pa-gui-util.h"
#include "pa-media-preview.h"
#include "pa-result-gallery-private.h"

G_DEFINE_FINAL_TYPE (PaResultGallery, pa_result_gallery, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_STORE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static char *
thumbnail_key (const PaAssetRecord *record)
{
  /* The same path with other bytes (a result written again) is another
   * picture: the hash is in the key. */
  return g_strconcat (record->sha256 != NULL ? record->sha256 : "", " ", record->path, NULL);
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

static GtkWidget *
create_tile (PaResultGallery     *self,
             const PaAssetRecord *record)
{
  g_autoptr(GMenuModel) menu = pa_result_gallery_create_menu (record);
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

  pa_result_gallery_install_actions (widget_class);

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
