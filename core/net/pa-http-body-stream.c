/* pa-http-body-stream.c — a response body that cannot hang its reader
 *
 * A streamed body (server-sent events, a download) is read by the caller
 * long after PaHttp handed it over, so the attempt's own timeout no
 * longer covers it: a peer sending one byte a minute, or nothing at all,
 * would hold the reader forever. Each read here carries the idle limit
 * and what is left of the request's deadline.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-http-body-stream.h"

struct _PaHttpBodyStream
{
  GInputStream  parent_instance;

  GInputStream *base;
  char         *host;
  guint         idle_s;
  gint64        deadline_us;
  guint         deadline_s;
};

G_DEFINE_FINAL_TYPE (PaHttpBodyStream, pa_http_body_stream, G_TYPE_INPUT_STREAM)

typedef enum {
  STOPPED_NOT,
  STOPPED_IDLE,
  STOPPED_DEADLINE,
} Stopped;

typedef struct {
  GCancellable *cancellable;   /* ours, cancelled by the caller's or a timer */
  GCancellable *caller;
  gulong        cancel_handler;
  GSource      *timer;
  Stopped       armed_for;   /* which limit the timer ends */
  Stopped       stopped;
} ReadData;

static void
read_data_free (ReadData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_source_unref (data->timer);
    }
  if (data->cancel_handler != 0)
    g_cancellable_disconnect (data->caller, data->cancel_handler);
  g_clear_object (&data->caller);
  g_clear_object (&data->cancellable);
  g_free (data);
}

static void
pa_http_body_stream_finalize (GObject *object)
{
  PaHttpBodyStream *self = PA_HTTP_BODY_STREAM (object);

  g_clear_object (&self->base);
  g_free (self->host);

  G_OBJECT_CLASS (pa_http_body_stream_parent_class)->finalize (object);
}

/* The errors a reader sees: ours name the peer and say what happened. */
static GError *
translate_error (PaHttpBodyStream *self,
                 ReadData         *data,
                 GError           *error)
{
  GError *translated;

  if (data != NULL && data->stopped == STOPPED_IDLE)
    translated = g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                              _("%s sent nothing for %u s in the middle of its answer: try again later"),
                              self->host, self->idle_s);
  else if (data != NULL && data->stopped == STOPPED_DEADLINE)
    translated = g_error_new (PA_ERROR, PA_ERROR_TIMEOUT,
                              _("%s did not finish its answer within the %u s allowed: try again later"),
                              self->host, self->deadline_s);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || error->domain == PA_ERROR)
    return error;
  else
    translated = g_error_new (PA_ERROR, PA_ERROR_CONNECTION_LOST,
                              _("The connection to %s broke in the middle of its answer (%s): try again"),
                              self->host, error->message);
  g_error_free (error);
  return translated;
}

static gssize
pa_http_body_stream_read (GInputStream  *stream,
                          void          *buffer,
                          gsize          count,
                          GCancellable  *cancellable,
                          GError       **error)
{
  PaHttpBodyStream *self = PA_HTTP_BODY_STREAM (stream);
  GError *local_error = NULL;
  gssize n;

  /* Blocking readers run in a thread of their own and bring their own
   * cancellable; only the async path has a main context for timers. */
  n = g_input_stream_read (self->base, buffer, count, cancellable, &local_error);
  if (n < 0)
    g_propagate_error (error, translate_error (self, NULL, local_error));
  return n;
}

static gboolean
timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  ReadData *data = g_task_get_task_data (task);

  /* Decided when the timer was set, not from the clock now: a timer in
   * whole milliseconds may fire a fraction of one before the deadline. */
  data->stopped = data->armed_for;
  g_cancellable_cancel (data->cancellable);
  g_clear_pointer (&data->timer, g_source_unref);
  return G_SOURCE_REMOVE;
}

static void
caller_cancelled_cb (GCancellable *caller,
                     gpointer      cancellable)
{
  g_cancellable_cancel (cancellable);
}

static void
base_read_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaHttpBodyStream *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n;

  n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);
  if (n < 0)
    {
      g_task_return_error (task, translate_error (self, data, error));
      return;
    }
  g_task_return_int (task, n);
}

static void
pa_http_body_stream_read_async (GInputStream        *stream,
                                void                *buffer,
                                gsize                count,
                                int                  io_priority,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  PaHttpBodyStream *self = PA_HTTP_BODY_STREAM (stream);
  g_autoptr(GTask) task = NULL;
  ReadData *data;
  gint64 wait_ms = (gint64) self->idle_s * 1000;

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_http_body_stream_read_async);
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (ReadData, 1);
  data->cancellable = g_cancellable_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);

  if (cancellable != NULL)
    {
      data->caller = g_object_ref (cancellable);
      data->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (caller_cancelled_cb),
                                                    g_object_ref (data->cancellable),
                                                    g_object_unref);
    }

  data->armed_for = STOPPED_IDLE;
  if (self->deadline_us > 0)
    {
      gint64 left_ms = MAX ((self->deadline_us - g_get_monotonic_time ()) / 1000, 0);

      if (left_ms <= wait_ms)
        {
          wait_ms = left_ms;
          data->armed_for = STOPPED_DEADLINE;
        }
    }

  /* The timer holds no reference: the read always finishes, and the
   * task data that owns the timer goes with it. */
  data->timer = g_timeout_source_new ((guint) MIN (wait_ms, (gint64) G_MAXUINT));
  g_source_set_static_name (data->timer, "[playalter] body idle timeout");
  g_source_set_callback (data->timer, timer_cb, task, NULL);
  g_source_attach (data->timer, g_task_get_context (task));

  g_input_stream_read_async (self->base, buffer, count, io_priority, data->cancellable,
                             base_read_cb, g_object_ref (task));
}

static gssize
pa_http_body_stream_read_finish (GInputStream  *stream,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, stream), -1);
  return g_task_propagate_int (G_TASK (result), error);
}

static gboolean
pa_http_body_stream_close (GInputStream  *stream,
                           GCancellable  *cancellable,
                           GError       **error)
{
  PaHttpBodyStream *self = PA_HTTP_BODY_STREAM (stream);

  return g_input_stream_close (self->base, cancellable, error);
}

static void
pa_http_body_stream_class_init (PaHttpBodyStreamClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GInputStreamClass *stream_class = G_INPUT_STREAM_CLASS (klass);

  object_class->finalize = pa_http_body_stream_finalize;
  stream_class->read_fn = pa_http_body_stream_read;
  stream_class->read_async = pa_http_body_stream_read_async;
  stream_class->read_finish = pa_http_body_stream_read_finish;
  stream_class->close_fn = pa_http_body_stream_close;
}

static void
pa_http_body_stream_init (PaHttpBodyStream *self)
{
}

GInputStream *
pa_http_body_stream_new (GInputStream *base,
                         const char   *host,
                         guint         idle_s,
                         gint64        deadline_us,
                         guint         deadline_s)
{
  PaHttpBodyStream *self;

  g_return_val_if_fail (G_IS_INPUT_STREAM (base), NULL);

  self = g_object_new (PA_TYPE_HTTP_BODY_STREAM, NULL);
  self->base = g_object_ref (base);
  self->host = g_strdup (host);
  self->idle_s = MAX (idle_s, 1u);
  self->deadline_us = deadline_us;
  self->deadline_s = deadline_s;
  return G_INPUT_STREAM (self);
}
