/* pa-replicate-wait.c — following a Replicate prediction until it ends
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-replicate.h"
#include "pa-replicate-private.h"

/* ---- waiting until a prediction ends ------------------------------------ */

typedef struct {
  PaReplicatePrediction   *last;
  PaReplicateProgressFunc  progress;
  gpointer                 progress_data;
  GDestroyNotify           progress_destroy;
  PaReplicateStatus        reported_status;
  char                    *logs_emitted;   /* the logs up to the last line reported */
  guint                    polls;
  gint64                   deadline_us;     /* monotonic */
  GSource                 *timer;
  GSource                 *cancel_source;
} WaitData;

static void
wait_data_clear_sources (WaitData *data)
{
  if (data->timer != NULL)
    {
      g_source_destroy (data->timer);
      g_clear_pointer (&data->timer, g_source_unref);
    }
  if (data->cancel_source != NULL)
    {
      g_source_destroy (data->cancel_source);
      g_clear_pointer (&data->cancel_source, g_source_unref);
    }
}

static void
wait_data_free (WaitData *data)
{
  wait_data_clear_sources (data);
  g_clear_pointer (&data->last, pa_replicate_prediction_free);
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_free (data->logs_emitted);
  g_free (data);
}

/* Complete lines added to @logs since the last report; a line still being
 * written is held back until it ends or the prediction does. Replicate
 * sends the whole log each time; if it no longer starts with what was
 * reported, it was replaced and is reported again from the start. */
static GStrv
take_new_log_lines (WaitData   *data,
                    const char *logs,
                    gboolean    final)
{
  g_autoptr(GStrvBuilder) builder = g_strv_builder_new ();
  gsize start;
  gsize end;

  if (data->logs_emitted == NULL || !g_str_has_prefix (logs, data->logs_emitted))
    g_clear_pointer (&data->logs_emitted, g_free);
  start = data->logs_emitted != NULL ? strlen (data->logs_emitted) : 0;

  if (final)
    {
      end = strlen (logs);
    }
  else
    {
      const char *newline = strrchr (logs + start, '\n');

      end = newline != NULL ? (gsize) (newline - logs) + 1 : start;
    }

  if (end > start)
    {
      g_autofree char *segment = g_strndup (logs + start, end - start);
      g_auto(GStrv) lines = g_strsplit (segment, "\n", -1);
      guint n = g_strv_length (lines);

      /* "a\nb\n" splits into a, b and an empty tail that is no line. */
      if (n > 0 && lines[n - 1][0] == '\0')
        n--;
      for (guint i = 0; i < n; i++)
        {
          gsize len = strlen (lines[i]);

          if (len > 0 && lines[i][len - 1] == '\r')
            lines[i][len - 1] = '\0';
          g_strv_builder_add (builder, lines[i]);
        }

      g_free (data->logs_emitted);
      data->logs_emitted = g_strndup (logs, end);
    }

  return g_strv_builder_end (builder);
}

static void
report_progress (WaitData *data)
{
  PaReplicatePrediction *prediction = data->last;
  gboolean final = pa_replicate_status_is_terminal (prediction->status);
  g_auto(GStrv) lines = take_new_log_lines (data, prediction->logs, final);

  if (prediction->status == data->reported_status && lines[0] == NULL)
    return;
  data->reported_status = prediction->status;

  if (data->progress != NULL)
    data->progress (prediction, (const char * const *) lines, data->progress_data);
}

static void
finish_wait (GTask *task)
{
  WaitData *data = g_task_get_task_data (task);
  PaReplicatePrediction *prediction = data->last;
  /* A Cog server's answer has no id to name. */
  g_autofree char *which = prediction->id != NULL
                             ? g_strdup_printf (_("The prediction %s"), prediction->id)
                             : g_strdup (_("The prediction"));
  const char *reason = prediction->error != NULL && *prediction->error != '\0'
                         ? prediction->error : _("no reason given");

  switch (prediction->status)
    {
    case PA_REPLICATE_STATUS_SUCCEEDED:
      g_task_return_pointer (task, g_steal_pointer (&data->last),
                             (GDestroyNotify) pa_replicate_prediction_free);
      break;
    case PA_REPLICATE_STATUS_FAILED:
      /* Translators: the first %s is "The prediction <id>". */
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("%s failed: %s"), which, reason);
      break;
    case PA_REPLICATE_STATUS_CANCELED:
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               _("%s was cancelled"), which);
      break;
    case PA_REPLICATE_STATUS_ABORTED:
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("%s was aborted before it started: try again"), which);
      break;
    case PA_REPLICATE_STATUS_UNKNOWN:
    case PA_REPLICATE_STATUS_STARTING:
    case PA_REPLICATE_STATUS_PROCESSING:
    default:
      g_assert_not_reached ();
    }
}

static void schedule_poll (GTask *task);

static void
deadline_cancel_cb (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  PaReplicate *self = PA_REPLICATE (source);
  WaitData *data = g_task_get_task_data (task);
  g_autoptr(PaReplicatePrediction) canceled = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *limit = NULL;

  canceled = pa_replicate_cancel_prediction_finish (self, result, &error);
  /* It may have finished in the meantime: then it is done after all. */
  if (canceled != NULL && canceled->status == PA_REPLICATE_STATUS_SUCCEEDED)
    {
      g_clear_pointer (&data->last, pa_replicate_prediction_free);
      data->last = g_steal_pointer (&canceled);
      report_progress (data);
      finish_wait (task);
      return;
    }

  limit = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u second", "%u seconds",
                                        self->prediction_deadline_s),
                           self->prediction_deadline_s);
  if (canceled != NULL)
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_TIMEOUT,
                             _("The prediction %s did not finish within %s; it was cancelled"),
                             data->last->id, limit);
  else
    g_task_return_new_error (task, PA_ERROR, PA_ERROR_TIMEOUT,
                             _("The prediction %s did not finish within %s, and cancelling it "
                               "failed too (%s): it may still be running on Replicate"),
                             data->last->id, limit, error->message);
}

/* Takes over the caller's reference to @task. A prediction nobody waits
 * for any more would keep running, and be billed: cancel it first. */
static void
expire (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);

  g_debug ("Prediction %s passed its deadline of %u s: cancelling it",
           data->last->id, self->prediction_deadline_s);
  pa_replicate_cancel_prediction_async (self, data->last->id, g_task_get_cancellable (task),
                                        deadline_cancel_cb, task);
}

static void
poll_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  WaitData *data = g_task_get_task_data (task);
  PaReplicatePrediction *prediction;
  GError *error = NULL;

  prediction = pa_replicate_get_prediction_finish (PA_REPLICATE (source), result, &error);
  if (prediction == NULL)
    {
      /* A GTask checks its cancellable itself and then reports GIO's
       * error; callers are promised PA_ERROR_CANCELLED. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                                   _("Waiting for the prediction was cancelled"));
          return;
        }
      g_task_return_error (task, error);
      return;
    }

  g_clear_pointer (&data->last, pa_replicate_prediction_free);
  data->last = prediction;
  report_progress (data);

  if (pa_replicate_status_is_terminal (prediction->status))
    finish_wait (task);
  else if (g_get_monotonic_time () >= data->deadline_us)
    expire (g_steal_pointer (&task));
  else
    schedule_poll (g_steal_pointer (&task));
}

/* Takes over the caller's reference to @task. */
static void
poll_now (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);

  data->polls++;
  pa_replicate_get_prediction_async (self, data->last->id, g_task_get_cancellable (task),
                                     poll_cb, task);
}

static gboolean
poll_timer_cb (gpointer user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  wait_data_clear_sources (data);
  poll_now (task);
  return G_SOURCE_REMOVE;
}

static gboolean
wait_cancelled_cb (GCancellable *cancellable,
                   gpointer      user_data)
{
  GTask *task = user_data;
  WaitData *data = g_task_get_task_data (task);

  wait_data_clear_sources (data);
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           _("Stopped waiting for the prediction %s; it keeps running on Replicate"),
                           data->last->id);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

static guint
poll_delay_ms (PaReplicate *self,
               guint        n)
{
  guint64 delay = self->poll_initial_ms;

  while (n-- > 0 && delay < self->poll_max_ms)
    delay *= 2;
  return (guint) MIN (delay, (guint64) self->poll_max_ms);
}

/* Takes over the caller's reference to @task, held by the timer and the
 * cancellable source until one of them fires and passes it on. */
static void
schedule_poll (GTask *task)
{
  PaReplicate *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GMainContext *context = g_task_get_context (task);
  guint delay = poll_delay_ms (self, data->polls > 0 ? data->polls - 1 : 0);
  gint64 left_ms = (data->deadline_us - g_get_monotonic_time ()) / 1000;

  /* The last poll falls on the deadline, so the prediction's last state
   * is known before it is cancelled. */
  delay = (guint) CLAMP (left_ms, 0, (gint64) delay);

  data->timer = g_timeout_source_new (delay);
  g_source_set_callback (data->timer, poll_timer_cb, task, NULL);
  g_source_attach (data->timer, context);

  if (cancellable != NULL)
    {
      data->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (data->cancel_source, G_SOURCE_FUNC (wait_cancelled_cb), task, NULL);
      g_source_attach (data->cancel_source, context);
    }
}

static void
wait_with_mode (PaReplicate *self,
                GTask       *task)
{
  WaitData *data = g_task_get_task_data (task);

  if (data->last->status != PA_REPLICATE_STATUS_UNKNOWN)
    report_progress (data);

  if (pa_replicate_status_is_terminal (data->last->status))
    {
      finish_wait (task);
      g_object_unref (task);
      return;
    }

  if (pa_replicate_is_cog (self) || data->last->id == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("This prediction cannot be followed: the server gave it no id "
                                 "to ask about"));
      g_object_unref (task);
      return;
    }

  /* Known only by its id (a resumed run): ask at once. */
  if (data->last->status == PA_REPLICATE_STATUS_UNKNOWN)
    poll_now (task);
  else
    schedule_poll (task);
}

void
pa_replicate_wait_async (PaReplicate                 *self,
                         const PaReplicatePrediction *prediction,
                         PaReplicateProgressFunc      progress,
                         gpointer                     progress_data,
                         GDestroyNotify               progress_destroy,
                         GCancellable                *cancellable,
                         GAsyncReadyCallback          callback,
                         gpointer                     user_data)
{
  GTask *task;
  WaitData *data;

  g_return_if_fail (PA_IS_REPLICATE (self));
  g_return_if_fail (prediction != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_replicate_wait_async);
  /* Cancellation is reported by wait_cancelled_cb, with what it means. */
  g_task_set_check_cancellable (task, FALSE);

  data = g_new0 (WaitData, 1);
  data->last = pa_replicate_prediction_copy (prediction);
  data->progress = progress;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->reported_status = PA_REPLICATE_STATUS_UNKNOWN;
  data->deadline_us = g_get_monotonic_time () +
                      (gint64) self->prediction_deadline_s * G_USEC_PER_SEC;
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);

  if (!pa_replicate_status_is_terminal (prediction->status) &&
      prediction->id != NULL && !pa_replicate_check_prediction_id (prediction->id, NULL))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("“%s” is not a Replicate prediction id"), prediction->id);
      g_object_unref (task);
      return;
    }

  pa_replicate_with_mode (self, task, wait_with_mode);
}

PaReplicatePrediction *
pa_replicate_wait_finish (PaReplicate   *self,
                          GAsyncResult  *result,
                          GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
