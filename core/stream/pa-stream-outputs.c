/* pa-stream-outputs.c — a stream's recording and live outputs, on and
 * off while it runs, fed from the encoders' appsinks, and the live
 * output's reconnect with backoff
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-stream-engine-private.h"

/* How often a connecting live output is asked whether the server took
 * the publish, and the longest wait between two reconnects. */
#define LIVE_POLL_MS 100
#define LIVE_BACKOFF_MAX_S 10

/* The samples, in the streaming threads */

typedef struct {
  PaStream       *self;
  PaStreamOutput *output;
} OutputRef;

static void
output_ref_free (OutputRef *ref)
{
  g_object_unref (ref->self);
  pa_stream_output_unref (ref->output);
  g_free (ref);
}

static OutputRef *
output_ref_new (PaStream       *self,
                PaStreamOutput *output)
{
  OutputRef *ref = g_new0 (OutputRef, 1);

  ref->self = g_object_ref (self);
  ref->output = pa_stream_output_ref (output);
  return ref;
}

/* Steals the pending start at @slot (a recording's or going live) and
 * stops watching its cancellable. */
static GTask *
take_task (PaStream  *self,
           GTask    **slot)
{
  pa_stream_clear_source (slot == &self->live_task ? &self->live_cancelled
                                                   : &self->recording_cancelled);
  return g_steal_pointer (slot);
}

/* An output got its first keyframe: a recording's start completes. */
static gboolean
on_output_started (gpointer user_data)
{
  OutputRef *ref = user_data;
  PaStream *self = ref->self;

  if (ref->output == self->recording_output && self->recording_start_task != NULL)
    {
      g_autoptr(GTask) task = take_task (self, &self->recording_start_task);

      g_task_return_boolean (task, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static GstFlowReturn
on_sample (GstAppSink *sink,
           PaStream   *self,
           gboolean    video)
{
  g_autoptr(GstSample) sample = gst_app_sink_pull_sample (sink);
  g_autoptr(GPtrArray) started = NULL;
  gboolean want_keyframe = FALSE;

  if (sample == NULL)
    return GST_FLOW_OK;

  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->outputs->len; i++)
    {
      PaStreamOutput *output = g_ptr_array_index (self->outputs, i);

      switch (pa_stream_output_push (output, sample, video))
        {
        case PA_STREAM_PUSH_FIRST:
          if (started == NULL)
            started = g_ptr_array_new ();
          g_ptr_array_add (started, output_ref_new (self, output));
          break;
        case PA_STREAM_PUSH_WAITING:
        case PA_STREAM_PUSH_DROPPED:
          want_keyframe = TRUE;
          break;
        case PA_STREAM_PUSH_SKIPPED:
        case PA_STREAM_PUSH_OK:
        default:
          break;
        }
    }
  g_mutex_unlock (&self->lock);

  for (guint i = 0; started != NULL && i < started->len; i++)
    g_main_context_invoke_full (self->context, G_PRIORITY_DEFAULT, on_output_started,
                                g_ptr_array_index (started, i), (GDestroyNotify) output_ref_free);
  if (want_keyframe)
    pa_stream_request_keyframe (self);
  return GST_FLOW_OK;
}

GstFlowReturn
pa_stream_on_video_sample (GstAppSink *sink,
                           gpointer    user_data)
{
  return on_sample (sink, user_data, TRUE);
}

GstFlowReturn
pa_stream_on_audio_sample (GstAppSink *sink,
                           gpointer    user_data)
{
  return on_sample (sink, user_data, FALSE);
}

guint64
pa_stream_outputs_get_dropped (PaStream *self)
{
  guint64 dropped = self->live_dropped;

  for (guint i = 0; i < self->outputs->len; i++)
    {
      PaStreamOutput *output = g_ptr_array_index (self->outputs, i);

      if (pa_stream_output_get_kind (output) == PA_STREAM_OUTPUT_LIVE)
        dropped += pa_stream_output_get_dropped (output);
    }
  return dropped;
}

/* Outputs on and off, in the stream's context */

static void
set_live_state (PaStream          *self,
                PaStreamLiveState  state)
{
  if (self->live_state == state)
    return;
  self->live_state = state;
  /* Not from the finalizer. */
  if (G_OBJECT (self)->ref_count > 0)
    g_signal_emit (self, pa_stream_signals[PA_STREAM_SIGNAL_LIVE_STATE_CHANGED], 0);
}

/* The encoders run while some output takes their frames. */
static void
update_valves (PaStream *self)
{
  gboolean drop = self->outputs->len == 0;

  if (self->video_valve != NULL)
    g_object_set (self->video_valve, "drop", drop, NULL);
  if (self->audio_valve != NULL)
    g_object_set (self->audio_valve, "drop", drop, NULL);
}

static gboolean on_output_message (GstBus     *bus,
                                   GstMessage *message,
                                   gpointer    user_data);

static void
add_output (PaStream       *self,
            PaStreamOutput *output)
{
  GstElement *pipeline = pa_stream_output_get_pipeline (output);
  g_autoptr(GstBus) bus = gst_element_get_bus (pipeline);
  OutputRef *ref = g_new0 (OutputRef, 1);

  /* Not references: the watch goes when the output is closed, which
   * every removal does first. */
  ref->self = self;
  ref->output = output;
  gst_bus_add_watch_full (bus, G_PRIORITY_DEFAULT, on_output_message, ref, g_free);
  gst_element_set_state (pipeline, GST_STATE_PLAYING);

  g_mutex_lock (&self->lock);
  g_ptr_array_add (self->outputs, pa_stream_output_ref (output));
  g_mutex_unlock (&self->lock);
  update_valves (self);
  pa_stream_request_keyframe (self);
}

/* Takes @output out of the stream and stops it at once. */
static void
remove_output (PaStream       *self,
               PaStreamOutput *output)
{
  g_autoptr(PaStreamOutput) keep = pa_stream_output_ref (output);

  g_mutex_lock (&self->lock);
  if (pa_stream_output_get_kind (output) == PA_STREAM_OUTPUT_LIVE)
    self->live_dropped += pa_stream_output_get_dropped (output);
  g_ptr_array_remove (self->outputs, output);
  g_mutex_unlock (&self->lock);
  pa_stream_output_close (output);
  if (output == self->recording_output)
    g_clear_pointer (&self->recording_output, pa_stream_output_unref);
  if (output == self->live_output)
    g_clear_pointer (&self->live_output, pa_stream_output_unref);
  update_valves (self);
}

static gboolean on_live_poll (gpointer user_data);

static gboolean
start_live_output (PaStream  *self,
                   GError   **error)
{
  PaStreamOutput *output = pa_stream_output_new_live (self->live_url, self->audio_in != NULL, error);

  if (output == NULL)
    return FALSE;
  self->live_output = output;
  add_output (self, output);
  pa_stream_clear_source (&self->live_poll);
  self->live_poll = pa_stream_add_timeout (self, LIVE_POLL_MS, on_live_poll);
  return TRUE;
}

static gboolean
on_live_poll (gpointer user_data)
{
  PaStream *self = user_data;

  if (self->live_output == NULL || !pa_stream_output_is_connected (self->live_output))
    return G_SOURCE_CONTINUE;

  g_clear_pointer (&self->live_poll, g_source_unref);
  if (self->live_state == PA_STREAM_LIVE_RECONNECTING)
    self->reconnects++;
  self->live_backoff_s = 1;
  set_live_state (self, PA_STREAM_LIVE_ON);
  if (self->live_task != NULL)
    {
      g_autoptr(GTask) task = take_task (self, &self->live_task);

      g_task_return_boolean (task, TRUE);
    }
  return G_SOURCE_REMOVE;
}

static gboolean
on_live_retry (gpointer user_data)
{
  PaStream *self = user_data;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&self->live_retry, g_source_unref);
  if (!start_live_output (self, &error))
    {
      /* Cannot happen once it worked: the elements were there. */
      g_warning ("The live output cannot be rebuilt: %s", error->message);
      set_live_state (self, PA_STREAM_LIVE_OFF);
    }
  return G_SOURCE_REMOVE;
}

/* The live output failed with @error. */
static void
live_failed (PaStream     *self,
             const GError *error)
{
  gboolean first = self->live_state == PA_STREAM_LIVE_CONNECTING;

  remove_output (self, self->live_output);
  pa_stream_clear_source (&self->live_poll);
  if (self->stop_task != NULL)
    {
      set_live_state (self, PA_STREAM_LIVE_OFF);
      return;
    }
  if (first)
    {
      /* The first connection: no retry, the caller hears why. */
      set_live_state (self, PA_STREAM_LIVE_OFF);
      if (self->live_task != NULL)
        {
          g_autoptr(GTask) task = take_task (self, &self->live_task);

          g_task_return_error (task, g_error_copy (error));
        }
      else if (self->live_initial)
        pa_stream_fail (self, error);
      return;
    }

  /* Once live, the server went away: again after a growing delay, the
   * recording going on meanwhile. */
  g_debug ("live output lost (%s): reconnecting in %u s", error->message, self->live_backoff_s);
  set_live_state (self, PA_STREAM_LIVE_RECONNECTING);
  pa_stream_clear_source (&self->live_retry);
  self->live_retry = pa_stream_add_timeout (self, self->live_backoff_s * 1000, on_live_retry);
  self->live_backoff_s = MIN (self->live_backoff_s * 2, LIVE_BACKOFF_MAX_S);
}

static gboolean
on_output_message (GstBus     *bus,
                   GstMessage *message,
                   gpointer    user_data)
{
  OutputRef *ref = user_data;
  g_autoptr(PaStream) self = g_object_ref (ref->self);
  g_autoptr(PaStreamOutput) output = pa_stream_output_ref (ref->output);
  PaStreamOutputKind kind = pa_stream_output_get_kind (output);

  switch (GST_MESSAGE_TYPE (message))
    {
    case GST_MESSAGE_ERROR:
      {
        g_autoptr(GError) error = pa_stream_output_error_from_message (output, message);

        if (kind == PA_STREAM_OUTPUT_LIVE)
          live_failed (self, error);
        else
          {
            g_autoptr(GTask) start_task = take_task (self, &self->recording_start_task);
            g_autoptr(GTask) stop_task = g_steal_pointer (&self->recording_stop_task);

            remove_output (self, output);
            if (start_task != NULL)
              g_task_return_error (start_task, g_error_copy (error));
            else if (stop_task != NULL)
              g_task_return_error (stop_task, g_error_copy (error));
            else
              /* A recording that cannot be written (a full disk) ends
               * the stream, which says why. */
              pa_stream_fail (self, error);
          }
        if (self->stop_task != NULL && self->outputs->len == 0)
          pa_stream_stopped (self);
        return G_SOURCE_REMOVE;
      }
    case GST_MESSAGE_EOS:
      {
        g_autoptr(GTask) task = NULL;

        if (output == self->recording_output)
          task = g_steal_pointer (&self->recording_stop_task);
        remove_output (self, output);
        if (task != NULL)
          g_task_return_boolean (task, TRUE);
        if (self->stop_task != NULL && self->outputs->len == 0)
          pa_stream_stopped (self);
        return G_SOURCE_REMOVE;
      }
    default:
      break;
    }
  return G_SOURCE_CONTINUE;
}

gboolean
pa_stream_outputs_start_initial (PaStream  *self,
                                 GError   **error)
{
  if (self->recording != NULL)
    {
      self->recording_output = pa_stream_output_new_recording (self->recording,
                                                               self->audio_in != NULL, error);
      if (self->recording_output == NULL)
        return FALSE;
      add_output (self, self->recording_output);
    }
  if (self->rtmp_url != NULL)
    {
      self->live_url = g_strdup (self->rtmp_url);
      self->live_initial = TRUE;
      if (!start_live_output (self, error))
        return FALSE;
      set_live_state (self, PA_STREAM_LIVE_CONNECTING);
    }
  return TRUE;
}

void
pa_stream_outputs_end (PaStream *self)
{
  pa_stream_clear_source (&self->live_retry);
  pa_stream_clear_source (&self->live_poll);
  if (self->outputs->len == 0)
    {
      pa_stream_stopped (self);
      return;
    }
  g_mutex_lock (&self->lock);
  for (guint i = 0; i < self->outputs->len; i++)
    pa_stream_output_end (g_ptr_array_index (self->outputs, i));
  g_mutex_unlock (&self->lock);
}

static void
return_stopped (PaStream  *self,
                GTask    **task)
{
  g_autoptr(GTask) pending = task == &self->recording_stop_task ? g_steal_pointer (task)
                                                                : take_task (self, task);

  if (pending != NULL)
    g_task_return_new_error (pending, G_IO_ERROR, G_IO_ERROR_CANCELLED,
                             _("The stream has stopped."));
}

void
pa_stream_outputs_cancel_pending (PaStream *self)
{
  return_stopped (self, &self->recording_start_task);
  return_stopped (self, &self->live_task);
  pa_stream_clear_source (&self->live_retry);
  if (self->live_output == NULL)
    set_live_state (self, PA_STREAM_LIVE_OFF);
}

void
pa_stream_outputs_tear_down (PaStream *self)
{
  g_autoptr(GPtrArray) outputs = NULL;

  pa_stream_clear_source (&self->live_poll);
  pa_stream_clear_source (&self->live_retry);
  g_mutex_lock (&self->lock);
  outputs = g_steal_pointer (&self->outputs);
  self->outputs = g_ptr_array_new_with_free_func ((GDestroyNotify) pa_stream_output_unref);
  g_mutex_unlock (&self->lock);
  for (guint i = 0; outputs != NULL && i < outputs->len; i++)
    pa_stream_output_close (g_ptr_array_index (outputs, i));
  g_clear_pointer (&self->recording_output, pa_stream_output_unref);
  g_clear_pointer (&self->live_output, pa_stream_output_unref);
  return_stopped (self, &self->recording_start_task);
  return_stopped (self, &self->recording_stop_task);
  return_stopped (self, &self->live_task);
  set_live_state (self, PA_STREAM_LIVE_OFF);
}

static gboolean
on_recording_cancelled (GCancellable *cancellable,
                        gpointer      user_data)
{
  PaStream *self = user_data;
  g_autoptr(GTask) task = take_task (self, &self->recording_start_task);

  if (self->recording_output != NULL)
    remove_output (self, self->recording_output);
  if (task != NULL)
    g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

static gboolean
on_live_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  PaStream *self = user_data;
  g_autoptr(GTask) task = take_task (self, &self->live_task);

  pa_stream_clear_source (&self->live_poll);
  if (self->live_output != NULL)
    remove_output (self, self->live_output);
  set_live_state (self, PA_STREAM_LIVE_OFF);
  if (task != NULL)
    g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

/* Calls @func in the stream's context when @cancellable is cancelled;
 * the source goes with take_task(). */
static GSource *
watch_cancellable (PaStream     *self,
                   GCancellable *cancellable,
                   GSourceFunc   func)
{
  GSource *source;

  if (cancellable == NULL)
    return NULL;
  source = g_cancellable_source_new (cancellable);
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

/* The public calls */

static gboolean
finish (PaStream      *self,
        GAsyncResult  *result,
        GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* The task of a call that starts an output: NULL when it was answered
 * at once (cancelled, the stream not running, or @busy: that output is
 * on already, which @busy_message says). */
static GTask *
begin (PaStream            *self,
       gpointer             tag,
       gboolean             busy,
       const char          *busy_message,
       GCancellable        *cancellable,
       GAsyncReadyCallback  callback,
       gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, tag);
  if (g_task_return_error_if_cancelled (task))
    return NULL;
  if (!self->running || self->stop_task != NULL)
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                             _("The stream is not running."));
  else if (busy)
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT, "%s", busy_message);
  else
    return g_steal_pointer (&task);
  return NULL;
}

void
pa_stream_start_recording_async (PaStream            *self,
                                 GFile               *file,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (G_IS_FILE (file));

  task = begin (self, pa_stream_start_recording_async, self->recording_output != NULL,
                _("The stream is already being recorded."), cancellable, callback, user_data);
  if (task == NULL)
    return;
  self->recording_output = pa_stream_output_new_recording (file, self->audio_in != NULL, &error);
  if (self->recording_output == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->recording_start_task = g_steal_pointer (&task);
  self->recording_cancelled = watch_cancellable (self, cancellable,
                                                 G_SOURCE_FUNC (on_recording_cancelled));
  add_output (self, self->recording_output);
}

gboolean
pa_stream_start_recording_finish (PaStream      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  return finish (self, result, error);
}

void
pa_stream_stop_recording_async (PaStream            *self,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (self->recording_stop_task == NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_stop_recording_async);
  if (self->recording_output == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  return_stopped (self, &self->recording_start_task);
  self->recording_stop_task = g_steal_pointer (&task);
  /* Its pipeline posts EOS once matroskamux wrote the index: then the
   * task completes (on_output_message()). */
  g_mutex_lock (&self->lock);
  pa_stream_output_end (self->recording_output);
  g_mutex_unlock (&self->lock);
}

gboolean
pa_stream_stop_recording_finish (PaStream      *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  return finish (self, result, error);
}

GFile *
pa_stream_get_recording (PaStream *self)
{
  g_return_val_if_fail (PA_IS_STREAM (self), NULL);

  if (!self->started)
    return self->recording;
  return self->recording_output != NULL ? pa_stream_output_get_file (self->recording_output) : NULL;
}

void
pa_stream_go_live_async (PaStream            *self,
                         const char          *url,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;

  g_return_if_fail (PA_IS_STREAM (self));
  g_return_if_fail (url != NULL);

  task = begin (self, pa_stream_go_live_async, self->live_state != PA_STREAM_LIVE_OFF,
                _("The stream is already live."), cancellable, callback, user_data);
  if (task == NULL)
    return;
  g_free (self->live_url);
  self->live_url = g_strdup (url);
  self->live_initial = FALSE;
  self->live_backoff_s = 1;
  if (!start_live_output (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->live_task = g_steal_pointer (&task);
  self->live_cancelled = watch_cancellable (self, cancellable, G_SOURCE_FUNC (on_live_cancelled));
  set_live_state (self, PA_STREAM_LIVE_CONNECTING);
}

gboolean
pa_stream_go_live_finish (PaStream      *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  return finish (self, result, error);
}

void
pa_stream_stop_live_async (PaStream            *self,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (PA_IS_STREAM (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_stream_stop_live_async);
  /* A live stream has nothing to finalise: it stops at once, whatever
   * it was doing (connecting, waiting to reconnect). */
  pa_stream_clear_source (&self->live_poll);
  pa_stream_clear_source (&self->live_retry);
  if (self->live_output != NULL)
    remove_output (self, self->live_output);
  return_stopped (self, &self->live_task);
  set_live_state (self, PA_STREAM_LIVE_OFF);
  g_task_return_boolean (task, TRUE);
}

gboolean
pa_stream_stop_live_finish (PaStream      *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  return finish (self, result, error);
}

PaStreamLiveState
pa_stream_get_live_state (PaStream *self)
{
  g_return_val_if_fail (PA_IS_STREAM (self), PA_STREAM_LIVE_OFF);
  return self->live_state;
}
