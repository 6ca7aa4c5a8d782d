/* pa-request-log.h — PaHttp's attempts, one platform_logs row each
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <gio/gio.h>

#include "pa-http.h"
#include "pa-store.h"

G_BEGIN_DECLS

#define PA_TYPE_REQUEST_LOG (pa_request_log_get_type ())
G_DECLARE_FINAL_TYPE (PaRequestLog, pa_request_log, PA, REQUEST_LOG, GObject)

/* Writes a row to @store for every attempt @http makes (its
 * "request-logged" signal, with the request's run, step and action), for
 * as long as the returned object lives. A row that cannot be written is
 * only reported with g_debug(): the log must never fail a request. */
PaRequestLog *pa_request_log_new (PaHttp  *http,
                                  PaStore *store);

G_END_DECLS
