/* pa-face-swap-page-private.h — what the Face Swap page's files share
 *
 * The page is one widget in two files: pa-face-swap-page.c (the engine,
 * the swap, the result, the object) and pa-face-swap-page-slots.c (the
 * two inputs: choosing, dropping and reading them).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-compare-view.h"
#include "pa-face-picker.h"
#include "pa-face-swap-page.h"
#include "pa-result-gallery.h"

G_BEGIN_DECLS

/* Pictures are shown at most this large: enough for a sharp comparison
 * on a large screen, without holding a 16-megapixel texture. */
#define DISPLAY_SIZE 2048

/* One of the two inputs: the face, or the picture or video. */
typedef struct
{
  GFile        *file;
  GdkTexture   *texture;
  GCancellable *cancellable;
  gboolean      is_video;
  guint         pending;     /* reads still running: preview, faces */
  char         *error;

  GtkStack     *stack;
  GtkSpinner   *spinner;
  PaFacePicker *picker;
  GtkLabel     *hint;
  GtkLabel     *name;
} Slot;

struct _PaFaceSwapPage
{
  GtkWidget         parent_instance;

  GSettings        *settings;
  gboolean          notice_accepted;   /* without a schema: for this run */
  PaStore          *store;
  GFile            *media_dir;
  PaAccountManager *manager;
  PaAccount        *replicate;         /* signed-in Replicate account, or NULL */

  Slot              face;
  Slot              target;

  PaFaceSwapJob    *job;
  GCancellable     *job_cancellable;
  GFile            *result_file;
  char             *error;
  GCancellable     *result_cancellable;

  GtkWidget        *face_slot;
  GtkWidget        *target_slot;
  GtkCheckButton   *offline_check;
  GtkCheckButton   *cloud_check;
  AdwActionRow     *cloud_row;
  GtkWidget        *swap_button;
  GtkWidget        *cancel_button;
  GtkProgressBar   *progress_bar;
  GtkLabel         *status_label;
  GtkWidget        *result_group;
  PaCompareView    *compare_view;
  PaResultGallery  *gallery;
};

/* pa-face-swap-page.c */
void _pa_face_swap_page_update_actions  (PaFaceSwapPage *self);
void _pa_face_swap_page_set_error       (PaFaceSwapPage *self,
                                         const char     *message);
void _pa_face_swap_page_notify_loading  (PaFaceSwapPage *self);

/* pa-face-swap-page-slots.c */
void _pa_face_swap_page_slot_show       (PaFaceSwapPage *self,
                                         Slot           *slot);
void _pa_face_swap_page_slot_set_file   (PaFaceSwapPage *self,
                                         Slot           *slot,
                                         GFile          *file);
void _pa_face_swap_page_add_drop_target (PaFaceSwapPage *self,
                                         GtkWidget      *slot_widget,
                                         gboolean        for_face);
/* The faceswap.choose-face and faceswap.choose-target actions. */
void _pa_face_swap_page_choose_face     (GtkWidget      *widget,
                                         const char     *action_name,
                                         GVariant       *parameter);
void _pa_face_swap_page_choose_target   (GtkWidget      *widget,
                                         const char     *action_name,
                                         GVariant       *parameter);

G_END_DECLS
