/* pa-studio-page.h — the Studio section: a live preview of a scene,
 * recorded to the media folder and sent live to an RTMP server
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <adwaita.h>

#include "playalter.h"

G_BEGIN_DECLS

#define PA_TYPE_STUDIO_PAGE (pa_studio_page_get_type ())
G_DECLARE_FINAL_TYPE (PaStudioPage, pa_studio_page, PA, STUDIO_PAGE, GtkWidget)

/* Signals:
 *   "recording-saved" (GFile *file, gint64 asset_id)   a recording was
 *                                                      finalised and added
 *                                                      to the assets */

GtkWidget         *pa_studio_page_new            (void);

/* Where recordings are added (assets) and written (@data_dir/media). */
void               pa_studio_page_set_store      (PaStudioPage *self,
                                                  PaStore      *store,
                                                  const char   *data_dir);

/* Tells whether an Agora account is signed in, for going live to a
 * channel. */
void               pa_studio_page_set_account_manager (PaStudioPage     *self,
                                                       PaAccountManager *manager);

/* The main source, as the Video row and its file chooser set it: a
 * change restarts the preview (refused while recording or live). */
gboolean           pa_studio_page_set_main_source (PaStudioPage    *self,
                                                   PaStreamSource  *source,
                                                   GError         **error);

/* What the "Choose Face…" file chooser does: the faces of @file are
 * looked for; with one, the live face swap loads it, with several a
 * window shows them to click the one to use (progress in the Face row,
 * errors as a toast). The file and face are kept in settings. */
void               pa_studio_page_set_face_file  (PaStudioPage *self,
                                                  GFile        *file);

/* The stream the preview runs, or NULL (hidden page, an error). */
PaStream          *pa_studio_page_get_stream     (PaStudioPage *self);
/* Whether the preview is starting or stopping; what went wrong, or NULL. */
gboolean           pa_studio_page_get_busy       (PaStudioPage *self);
const char        *pa_studio_page_get_error      (PaStudioPage *self);
gboolean           pa_studio_page_get_recording  (PaStudioPage *self);
PaStreamLiveState  pa_studio_page_get_live_state (PaStudioPage *self);
/* The state of the live output as shown, e.g. "Live". */
const char        *pa_studio_page_get_live_text  (PaStudioPage *self);
PaLiveFaceSwap    *pa_studio_page_get_face_swap  (PaStudioPage *self);

G_END_DECLS
