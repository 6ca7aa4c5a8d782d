/* pa-studio-page-private.h — what the Studio page's files share
 *
 * The page is one widget in five files: pa-studio-page.c (the object,
 * the preview's stream and its life), pa-studio-page-scene.c (the source
 * and scene rows, their file choosers, the settings that keep them),
 * pa-studio-page-face.c (the live face swap's face and switch),
 * pa-studio-page-output.c (recording, going live, the figures) and
 * pa-studio-page-destination.c (where it goes live, with what preset).
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-level-meter.h"
#include "pa-stream-stats-view.h"
#include "pa-studio-page.h"
#include "pa-video-paintable.h"

G_BEGIN_DECLS

/* The preview is at most this wide: enough for a sharp picture in the
 * window, a quarter of the pixels of 1080p to copy. */
#define PREVIEW_MAX_WIDTH 960

/* What the Video row offers, in its order: these, then each camera. */
typedef enum {
  MAIN_TEST_PATTERN,
  MAIN_FILE,
  MAIN_IMAGE,
  MAIN_SCREEN,
  MAIN_FIRST_CAMERA,
} MainKind;

/* What the Sound row offers, in its order: these, then each microphone. */
typedef enum {
  AUDIO_TEST_TONE,
  AUDIO_NONE,
  AUDIO_FIRST_MICROPHONE,
} AudioKind;

struct _PaStudioPage
{
  GtkWidget          parent_instance;

  GSettings         *settings;      /* NULL without a compiled schema */
  PaStore           *store;
  GFile             *media_dir;

  PaStreamScene     *scene;         /* what is shown: the next stream's too */
  PaLiveFaceSwap    *face_swap;
  GFile             *face_file;
  GCancellable      *face_cancellable;
  gboolean           syncing;       /* rows being set from the scene */
  GListModel        *cameras;       /* PaStreamDevice, as the rows list them */
  GListModel        *microphones;
  GCancellable      *screen_cancellable;

  PaStream          *stream;        /* the running or starting stream */
  PaVideoPaintable  *paintable;
  GCancellable      *start_cancellable;
  gboolean           starting;
  guint              stopping;      /* streams still closing */
  gboolean           restart;       /* start again once stopped */
  char              *error;
  guint              tick;

  GFile             *recording;     /* the file being recorded, or NULL */
  gint64             recording_since;
  gboolean           record_busy;
  gboolean           live_busy;
  char              *live_error;

  PaAccountManager  *manager;
  PaAccount         *agora;         /* signed-in Agora account, or NULL */
  PaSecrets         *secrets;
  GPtrArray         *saved;         /* saved PaStreamDestination */
  gboolean           syncing_live;  /* destination rows being filled */

  GtkStack          *preview_stack;
  GtkPicture        *preview;
  GtkLabel          *fps_label;
  GtkLabel          *on_air_label;
  GtkSpinner        *preview_spinner;
  AdwStatusPage     *error_page;
  AdwButtonContent  *record_content;
  AdwButtonContent  *live_content;
  GtkWidget         *live_button;
  GtkLabel          *record_label;
  AdwPreferencesGroup *source_group;
  AdwComboRow       *main_row;
  AdwActionRow      *file_row;
  AdwComboRow       *audio_row;
  PaLevelMeter      *level_meter;
  AdwPreferencesGroup *scene_group;
  AdwExpanderRow    *pip_row;
  AdwComboRow       *pip_corner_row;
  GtkScale          *pip_size_scale;
  AdwEntryRow       *overlay_text_row;
  AdwActionRow      *logo_row;
  AdwComboRow       *overlay_corner_row;
  AdwActionRow      *face_row;
  GtkPicture        *face_thumbnail;
  GtkSpinner        *face_spinner;
  GtkSwitch         *face_switch;
  AdwComboRow       *destination_row;
  AdwEntryRow       *url_row;
  AdwEntryRow       *channel_row;
  AdwComboRow       *preset_row;
  GtkLabel          *state_label;
  PaStreamStatsView *stats_view;
};

/* pa-studio-page.c */
/* Whether the page was disposed: an operation that completes after that
 * (a recording finalised, a face loaded) has no widgets to show it in. */
#define STUDIO_PAGE_GONE(self) ((self)->preview_stack == NULL)

void     _pa_studio_page_toast            (PaStudioPage  *self,
                                           const char    *message);
/* The preview again with what the scene says now (a new source). */
void     _pa_studio_page_restart          (PaStudioPage  *self);
/* Stops the stream unless an output needs it (or the page is shown). */
void     _pa_studio_page_stop_if_unused   (PaStudioPage  *self);
/* Whether recording or live (the source cannot change then). */
gboolean _pa_studio_page_outputs_on       (PaStudioPage  *self);
void     _pa_studio_page_update           (PaStudioPage  *self);
/* Once a recording is an asset. */
void     _pa_studio_page_emit_recording_saved (PaStudioPage *self,
                                               GFile        *file,
                                               gint64        asset_id);

/* pa-studio-page-scene.c */
void     _pa_studio_page_scene_init       (PaStudioPage  *self);
void     _pa_studio_page_scene_dispose    (PaStudioPage  *self);
void     _pa_studio_page_scene_update     (PaStudioPage  *self);
/* Lists the cameras and microphones connected now. */
void     _pa_studio_page_scene_refresh_devices (PaStudioPage *self);
void     _pa_studio_page_scene_class_init (GtkWidgetClass *widget_class);

/* pa-studio-page-face.c */
/* Restores the face and switch from settings (after the scene's rows). */
void     _pa_studio_page_face_init        (PaStudioPage  *self);
void     _pa_studio_page_face_dispose     (PaStudioPage  *self);
/* The face row's spinner, switch and chooser as the face's loading is. */
void     _pa_studio_page_face_update      (PaStudioPage  *self);

/* pa-studio-page-output.c */
void     _pa_studio_page_output_connect   (PaStudioPage  *self,
                                           PaStream      *stream);
/* The stream is being stopped; it has closed. */
void     _pa_studio_page_output_stream_gone (PaStudioPage *self,
                                             PaStream     *stream);
void     _pa_studio_page_output_stream_closed (PaStudioPage *self,
                                               PaStream     *stream);
void     _pa_studio_page_output_update    (PaStudioPage  *self);
void     _pa_studio_page_output_tick      (PaStudioPage  *self);
void     _pa_studio_page_output_class_init (GtkWidgetClass *widget_class);

/* pa-studio-page-destination.c */
void     _pa_studio_page_destination_init   (PaStudioPage *self);
void     _pa_studio_page_destination_class_init (GtkWidgetClass *widget_class);
void     _pa_studio_page_destination_dispose (PaStudioPage *self);
void     _pa_studio_page_destination_update (PaStudioPage *self);
void     _pa_studio_page_destination_store_changed (PaStudioPage *self);
/* What the next stream is made with. */
const PaStreamPreset *_pa_studio_page_get_preset (PaStudioPage *self);
/* Whether the chosen destination has what going live needs. */
gboolean _pa_studio_page_destination_ready  (PaStudioPage *self);
/* The publish URL, key included (free with pa_secrets_free()). */
void     _pa_studio_page_destination_resolve_async  (PaStudioPage        *self,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
char    *_pa_studio_page_destination_resolve_finish (PaStudioPage        *self,
                                                     GAsyncResult        *result,
                                                     GError             **error);

G_END_DECLS
