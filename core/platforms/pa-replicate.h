/* pa-replicate.h — Replicate predictions, files and outputs; also a local Cog server
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "pa-limits.h"
#include "pa-platform.h"
#include "pa-replicate-types.h"

G_BEGIN_DECLS

/**
 * PaReplicateMode:
 * @PA_REPLICATE_MODE_AUTO: decide on first use. The default base URL is
 *   the Replicate API; any other base URL is probed once with an
 *   unauthenticated `GET /health-check`, which a Cog server answers with
 *   `{"status": …}` and the Replicate API does not have.
 * @PA_REPLICATE_MODE_API: the Replicate HTTP API (or a server of its shape)
 * @PA_REPLICATE_MODE_COG: a local Cog server: no key, no model or version,
 *   `POST /predictions` answers with the finished prediction
 */
typedef enum {
  PA_REPLICATE_MODE_AUTO,
  PA_REPLICATE_MODE_API,
  PA_REPLICATE_MODE_COG,
} PaReplicateMode;

#define PA_TYPE_REPLICATE_MODE (pa_replicate_mode_get_type ())
GType pa_replicate_mode_get_type (void) G_GNUC_CONST;

/* "Prefer: wait": hold the create request open until the prediction ends,
 * up to the platform's limit (60 s). */
#define PA_REPLICATE_WAIT_MAX (-1)

typedef struct {
  const char         *webhook;         /* NULL: none */
  const char * const *webhook_events;  /* "start", "output", "logs", "completed"; NULL: the platform's default */
  int                 wait_s;          /* 0: return at once; 1–60: "Prefer: wait=N"; PA_REPLICATE_WAIT_MAX: "Prefer: wait" */
} PaReplicateCreateOptions;

/* Called by pa_replicate_wait_async() whenever the status changes or new
 * complete log lines arrived (@new_log_lines, never NULL, may be empty). */
typedef void (*PaReplicateProgressFunc) (const PaReplicatePrediction *prediction,
                                         const char * const          *new_log_lines,
                                         gpointer                     user_data);

#define PA_REPLICATE_DEFAULT_POLL_INITIAL_MS  500
#define PA_REPLICATE_DEFAULT_POLL_MAX_MS      5000
#define PA_REPLICATE_DEFAULT_MAX_DOWNLOAD     PA_LIMIT_REPLICATE_OUTPUT_BYTES
#define PA_REPLICATE_MAX_UPLOAD               PA_LIMIT_REPLICATE_UPLOAD_BYTES
#define PA_REPLICATE_DEFAULT_SYNC_TIMEOUT_S   600

#define PA_TYPE_REPLICATE (pa_replicate_get_type ())
G_DECLARE_FINAL_TYPE (PaReplicate, pa_replicate, PA, REPLICATE, PaPlatform)

/* @base_url NULL means https://api.replicate.com/v1; a Cog server is
 * e.g. http://localhost:5000. */
PaReplicate     *pa_replicate_new                (PaHttp              *http,
                                                  const char          *profile,
                                                  const char          *base_url);

/* The "mode" property; AUTO until the first call has decided. */
PaReplicateMode  pa_replicate_get_mode           (PaReplicate         *self);
void             pa_replicate_set_mode           (PaReplicate         *self,
                                                  PaReplicateMode      mode);
/* pa_replicate_wait_async() polls after @initial_ms, then doubles the
 * interval up to @max_ms. */
void             pa_replicate_set_poll_interval  (PaReplicate         *self,
                                                  guint                initial_ms,
                                                  guint                max_ms);
/* Per downloaded output; larger ones fail with PA_ERROR_PROTOCOL. */
void             pa_replicate_set_max_download_size (PaReplicate      *self,
                                                  guint64              max_bytes);
guint64          pa_replicate_get_max_download_size (PaReplicate      *self);
/* How long a Cog server may take to answer a synchronous prediction. */
void             pa_replicate_set_sync_timeout   (PaReplicate         *self,
                                                  guint                seconds);
/* How long pa_replicate_wait_async() follows one prediction; 0 = the
 * default, PA_LIMIT_PREDICTION_DEADLINE_SECONDS. Past it the prediction
 * is cancelled and the wait fails with PA_ERROR_TIMEOUT. */
void             pa_replicate_set_prediction_deadline (PaReplicate    *self,
                                                       guint           seconds);

/* GET /models/{owner}/{name}: the latest version and its inputs. For a
 * Cog server, GET /openapi.json, and @model is ignored (may be NULL). */
void              pa_replicate_get_model_async   (PaReplicate         *self,
                                                  const char          *model,
                                                  GCancellable        *cancellable,
                                                  GAsyncReadyCallback  callback,
                                                  gpointer             user_data);
PaReplicateModel *pa_replicate_get_model_finish  (PaReplicate         *self,
                                                  GAsyncResult        *result,
                                                  GError             **error);

/* Starts a prediction of @version (POST /predictions; "owner/name:id" or a
 * bare id) or, without a version, of the official model @model
 * ("owner/name"; POST /models/{owner}/{name}/predictions). @input is a
 * JSON object. For a Cog server both are ignored and the answer is the
 * finished prediction.
 *
 * Never retried: Replicate takes no idempotency key, so a repeated POST
 * could run (and bill) the model twice. A caller that must survive a
 * crash journals the returned id before waiting, and on resume waits on
 * pa_replicate_prediction_new (id) instead of creating another. */
void                   pa_replicate_create_prediction_async  (PaReplicate                    *self,
                                                              const char                     *model,
                                                              const char                     *version,
                                                              JsonNode                       *input,
                                                              const PaReplicateCreateOptions *options,
                                                              GCancellable                   *cancellable,
                                                              GAsyncReadyCallback             callback,
                                                              gpointer                        user_data);
PaReplicatePrediction *pa_replicate_create_prediction_finish (PaReplicate                    *self,
                                                              GAsyncResult                   *result,
                                                              GError                        **error);

/* GET /predictions/{id}. */
void                   pa_replicate_get_prediction_async     (PaReplicate                    *self,
                                                              const char                     *id,
                                                              GCancellable                   *cancellable,
                                                              GAsyncReadyCallback             callback,
                                                              gpointer                        user_data);
PaReplicatePrediction *pa_replicate_get_prediction_finish    (PaReplicate                    *self,
                                                              GAsyncResult                   *result,
                                                              GError                        **error);

/* POST /predictions/{id}/cancel; returns the prediction as it is then. */
void                   pa_replicate_cancel_prediction_async  (PaReplicate                    *self,
                                                              const char                     *id,
                                                              GCancellable                   *cancellable,
                                                              GAsyncReadyCallback             callback,
                                                              gpointer                        user_data);
PaReplicatePrediction *pa_replicate_cancel_prediction_finish (PaReplicate                    *self,
                                                              GAsyncResult                   *result,
                                                              GError                        **error);

/* GET /predictions?created_after=…, following the cursor: the
 * predictions made since @created_after (any time zone), newest first,
 * as a GPtrArray of PaReplicatePrediction (each with its whole object in
 * ->json, input included). Stops after @max_pages pages of up to 100.
 * A Cog server keeps no list: PA_ERROR_INVALID_INPUT. */
void                   pa_replicate_list_predictions_async   (PaReplicate                    *self,
                                                              GDateTime                      *created_after,
                                                              guint                           max_pages,
                                                              GCancellable                   *cancellable,
                                                              GAsyncReadyCallback             callback,
                                                              gpointer                        user_data);
GPtrArray             *pa_replicate_list_predictions_finish  (PaReplicate                    *self,
                                                              GAsyncResult                   *result,
                                                              GError                        **error);

/* Polls @prediction until it succeeds (returned), fails (PA_ERROR_FAILED
 * with the platform's error) or is canceled or aborted
 * (PA_ERROR_CANCELLED). A prediction that has already ended is reported
 * without a request. Cancelling @cancellable stops the waiting
 * (PA_ERROR_CANCELLED) but not the prediction. A failed poll ends the
 * wait with its error (after PaHttp's own retries), e.g.
 * PA_ERROR_CIRCUIT_OPEN. A prediction still running at the deadline
 * (pa_replicate_set_prediction_deadline()) is cancelled on Replicate, so
 * that it stops costing money, and the wait fails with PA_ERROR_TIMEOUT. */
void                   pa_replicate_wait_async               (PaReplicate                    *self,
                                                              const PaReplicatePrediction    *prediction,
                                                              PaReplicateProgressFunc         progress,
                                                              gpointer                        progress_data,
                                                              GDestroyNotify                  progress_destroy,
                                                              GCancellable                   *cancellable,
                                                              GAsyncReadyCallback             callback,
                                                              gpointer                        user_data);
PaReplicatePrediction *pa_replicate_wait_finish              (PaReplicate                    *self,
                                                              GAsyncResult                   *result,
                                                              GError                        **error);

/* POST /files (multipart: content, filename, type). @content_type NULL is
 * guessed from the name and content. Files over PA_REPLICATE_MAX_UPLOAD
 * are refused before sending. For a Cog server nothing is sent: the file
 * comes back as a data: URL, which Cog accepts as an input. */
void             pa_replicate_upload_file_async   (PaReplicate         *self,
                                                   GFile               *file,
                                                   const char          *content_type,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PaReplicateFile *pa_replicate_upload_file_finish  (PaReplicate         *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);
void             pa_replicate_upload_bytes_async  (PaReplicate         *self,
                                                   GBytes              *bytes,
                                                   const char          *filename,
                                                   const char          *content_type,
                                                   GCancellable        *cancellable,
                                                   GAsyncReadyCallback  callback,
                                                   gpointer             user_data);
PaReplicateFile *pa_replicate_upload_bytes_finish (PaReplicate         *self,
                                                   GAsyncResult        *result,
                                                   GError             **error);

G_END_DECLS
