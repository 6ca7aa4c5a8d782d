/* pa-result-gallery-private.h — what the result gallery's files share
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-result-gallery.h"
#include "pa-window.h"

G_BEGIN_DECLS

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

/* Shows @message in the window's toasts (logged when there is none). */
static inline void
toast (PaResultGallery *self,
       const char      *message)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (PA_IS_WINDOW (root))
    pa_window_add_toast (PA_WINDOW (root), adw_toast_new (message));
  else
    g_message ("%s", message);
}

/* The result shown with @id, or NULL (gone since its menu opened). */
static inline PaAssetRecord *
lookup (PaResultGallery *self,
        gint64           id)
{
  return g_hash_table_lookup (self->results, &id);
}

/* ---- the tiles' menu and its actions (pa-result-gallery-actions.c) ---- */

/* The menu of @record's tile: its "result.*" actions, with its id. */
GMenuModel *pa_result_gallery_create_menu     (const PaAssetRecord *record);

/* Installs the "result.*" actions the tiles' menus name. */
void        pa_result_gallery_install_actions (GtkWidgetClass      *widget_class);

G_END_DECLS
