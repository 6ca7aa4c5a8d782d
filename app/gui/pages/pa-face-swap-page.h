/* pa-face-swap-page.h — the Face Swap section: a face, a picture or
 * video, the faces to replace, the result and the ones before
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_FACE_SWAP_PAGE (pa_face_swap_page_get_type ())
G_DECLARE_FINAL_TYPE (PaFaceSwapPage, pa_face_swap_page, PA, FACE_SWAP_PAGE, GtkWidget)

GtkWidget *pa_face_swap_page_new         (void);

/* Where results are recorded (the gallery reads it too) and written
 * (@data_dir/media). */
void       pa_face_swap_page_set_store   (PaFaceSwapPage   *self,
                                          PaStore          *store,
                                          const char       *data_dir);
/* Tells whether a Replicate account is signed in, for the cloud engine. */
void       pa_face_swap_page_set_account_manager (PaFaceSwapPage   *self,
                                          PaAccountManager *manager);

/* What the file choosers and drops do. */
void       pa_face_swap_page_set_face_file   (PaFaceSwapPage *self,
                                              GFile          *file);
void       pa_face_swap_page_set_target_file (PaFaceSwapPage *self,
                                              GFile          *file);

/* Whether a swap is running, or a chosen file is being read. */
gboolean   pa_face_swap_page_get_busy    (PaFaceSwapPage   *self);
gboolean   pa_face_swap_page_get_loading (PaFaceSwapPage   *self);
/* The file the last swap wrote, or NULL. */
GFile     *pa_face_swap_page_get_result_file (PaFaceSwapPage *self);
/* The status line under Swap: why it cannot run, how far it has got. */
const char *pa_face_swap_page_get_status (PaFaceSwapPage *self);
/* The last swap's or file's error message, or NULL. */
const char *pa_face_swap_page_get_error  (PaFaceSwapPage   *self);

G_END_DECLS
