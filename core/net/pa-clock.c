/* pa-clock.c — an injectable monotonic clock and a cancellable sleep
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-clock.h"

gint64
pa_clock_now (PaClockFunc func,
              gpointer    data)
{
  if (func == NULL)
    return g_get_monotonic_time ();
  return func (data);
}

gint64
pa_fake_clock_now (gpointer fake_clock)
{
  return ((PaFakeClock *) fake_clock)->now_us;
}

void
pa_fake_clock_advance (PaFakeClock *fake_clock,
                       gint64       delta_us)
{
  fake_clock->now_us += delta_us;
}

typedef struct {
  GSource *timeout;
  GSource *cancel;
} SleepData;

static void
sleep_data_free (SleepData *data)
{
  /* Destroying drops each source's reference on the task. */
  if (data->timeout != NULL)
    {
      g_source_destroy (data->timeout);
      g_source_unref (data->timeout);
    }
  if (data->cancel != NULL)
    {
      g_source_destroy (data->cancel);
      g_source_unref (data->cancel);
    }
  g_free (data);
}

static void
sleep_stop_sources (SleepData *data)
{
  if (data->timeout != NULL)
    g_source_destroy (data->timeout);
  if (data->cancel != NULL)
    g_source_destroy (data->cancel);
}

static gboolean
sleep_timeout_cb (gpointer user_data)
{
  GTask *task = user_data;

  sleep_stop_sources (g_task_get_task_data (task));
  g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

static gboolean
sleep_cancelled_cb (GCancellable *cancellable,
                    gpointer      user_data)
{
  GTask *task = user_data;

  sleep_stop_sources (g_task_get_task_data (task));
  g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                           "%s", _("The operation was cancelled"));
  return G_SOURCE_REMOVE;
}

void
pa_clock_sleep_async (gint64               delay_us,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SleepData *data;
  guint delay_ms;

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, pa_clock_sleep_async);
  /* Report cancellation as PA_ERROR_CANCELLED, not G_IO_ERROR. */
  g_task_set_check_cancellable (task, FALSE);

  if (g_cancellable_is_cancelled (cancellable))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_CANCELLED,
                               "%s", _("The operation was cancelled"));
      return;
    }

  data = g_new0 (SleepData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) sleep_data_free);

  /* Round up: waking early would make a token bucket or a Retry-After
   * wait come back a little short. */
  delay_us = MAX (delay_us, 0);
  delay_ms = (guint) MIN ((delay_us + 999) / 1000, (gint64) G_MAXUINT);

  data->timeout = g_timeout_source_new (delay_ms);
  g_source_set_static_name (data->timeout, "[playalter] sleep");
  g_source_set_callback (data->timeout, sleep_timeout_cb,
                         g_object_ref (task), g_object_unref);
  g_source_attach (data->timeout, g_task_get_context (task));

  if (cancellable != NULL)
    {
      data->cancel = g_cancellable_source_new (cancellable);
      g_source_set_static_name (data->cancel, "[playalter] sleep cancel");
      g_source_set_callback (data->cancel, G_SOURCE_FUNC (sleep_cancelled_cb),
                             g_object_ref (task), g_object_unref);
      g_source_attach (data->cancel, g_task_get_context (task));
    }
}

gboolean
pa_clock_sleep_finish (GAsyncResult  *result,
                       GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
