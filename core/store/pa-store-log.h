/* pa-store-log.h — the request log (platform_logs)
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* One row of platform_logs: one HTTP request to a platform. Never a
 * body, a key or a header. */
typedef struct {
  gint64  id;                 /* increases with every request */
  char   *run_id;             /* NULL outside a workflow run */
  char   *step_id;            /* NULL outside a workflow step */
  char   *platform;
  char   *action;             /* e.g. "stripe.payment_link"; NULL if none */
  char   *method;
  char   *path;               /* the URL's path, without its query */
  guint   http_status;        /* 0 when no response arrived */
  gint64  response_time_ms;
  gint64  at;                 /* ms since the epoch */
} PaRequestRecord;

void        pa_request_record_free       (PaRequestRecord     *record);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaRequestRecord, pa_request_record_free)

gboolean    pa_store_log_request         (PaStore             *self,
                                          const char          *run_id,
                                          const char          *step_id,
                                          const char          *platform,
                                          const char          *action,
                                          const char          *method,
                                          const char          *path,
                                          guint                http_status,
                                          gint64               response_time_ms,
                                          GError             **error);
/* Returns a GPtrArray of PaRequestRecord in the order they were logged:
 * those of @run_id, or all of them when it is NULL. */
GPtrArray  *pa_store_list_requests       (PaStore             *self,
                                          const char          *run_id,
                                          GError             **error);

G_END_DECLS
