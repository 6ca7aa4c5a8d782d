/* pa-request-log.c — PaHttp's attempts, one platform_logs row each
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "pa-request-log.h"

struct _PaRequestLog
{
  GObject  parent_instance;

  PaStore *store;
};

G_DEFINE_FINAL_TYPE (PaRequestLog, pa_request_log, G_TYPE_OBJECT)

static void
pa_request_log_dispose (GObject *object)
{
  PaRequestLog *self = PA_REQUEST_LOG (object);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (pa_request_log_parent_class)->dispose (object);
}

static void
pa_request_log_class_init (PaRequestLogClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = pa_request_log_dispose;
}

static void
pa_request_log_init (PaRequestLog *self)
{
}

/* Only what PaHttp logs itself: no header, query, credential or body;
 * and the client's stand-in for a path that holds a secret. */
static void
request_logged_cb (PaHttp        *http,
                   PaHttpRequest *request,
                   const char    *key,
                   const char    *method,
                   const char    *path,
                   guint          status,
                   gint64         duration_ms,
                   guint          attempt,
                   PaRequestLog  *self)
{
  g_autoptr(GError) error = NULL;
  const char *log_path = pa_http_request_get_log_path (request);

  if (self->store == NULL)
    return;
  if (log_path != NULL)
    path = log_path;

  if (!pa_store_log_request (self->store,
                             pa_http_request_get_run_id (request),
                             pa_http_request_get_step_id (request),
                             key,
                             pa_http_request_get_action (request),
                             method, path, status, duration_ms,
                             &error))
    g_debug ("Could not record the request in the database: %s", error->message);
}

PaRequestLog *
pa_request_log_new (PaHttp  *http,
                    PaStore *store)
{
  PaRequestLog *self;

  g_return_val_if_fail (PA_IS_HTTP (http), NULL);
  g_return_val_if_fail (PA_IS_STORE (store), NULL);

  self = g_object_new (PA_TYPE_REQUEST_LOG, NULL);
  self->store = g_object_ref (store);
  /* Disconnected when @self goes away, whichever of the two lives longer. */
  g_signal_connect_object (http, "request-logged", G_CALLBACK (request_logged_cb), self, 0);
  return self;
}
