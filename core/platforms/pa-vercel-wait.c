/* pa-vercel-wait.c — following a Vercel deployment until it is built
 *
 * A deployment is polled with a growing delay until it is READY, fails
 * to build, is cancelled or deleted, or the client's give-up time passes.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-clock.h"
#include "pa-error.h"
#include "pa-vercel.h"
#include "pa-vercel-private.h"

/* ---- deployment states ------------------------------------------------- */

static gboolean
state_is (const PaVercelDeployment *deployment,
          const char               *state)
{
  return g_strcmp0 (deployment->ready_state, state) == 0;
}

/* ---- wait until built ------------------------------------------------- */

typedef struct {
  char                 *id;
  PaVercelProgressFunc  progress_func;
  gpointer              progress_data;
  GDestroyNotify        progress_destroy;
  char                 *last_state;
  guint                 delay_ms;
  gint64                give_up_at;
} WaitData;

static void
wait_data_free (WaitData *data)
{
  if (data->progress_destroy != NULL)
    data->progress_destroy (data->progress_data);
  g_free (data->id);
  g_free (data->last_state);
  g_free (data);
}

static void poll_now (GTask *task);

static void
poll_slept_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!pa_clock_sleep_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  poll_now (task);
}

/* Takes the state Vercel reported: TRUE when the task is complete. */
static gboolean
wait_saw (GTask              *task,
          PaVercelDeployment *deployment)
{
  PaVercel *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);

  if (g_strcmp0 (deployment->ready_state, data->last_state) != 0)
    {
      g_free (data->last_state);
      data->last_state = g_strdup (deployment->ready_state);
      if (data->progress_func != NULL && deployment->ready_state != NULL)
        {
          PaVercelProgress progress = { deployment->ready_state, 0, 0, deployment };

          data->progress_func (&progress, data->progress_data);
        }
    }

  if (state_is (deployment, "READY"))
    {
      g_task_return_pointer (task, deployment, (GDestroyNotify) pa_vercel_deployment_free);
      return TRUE;
    }
  if (state_is (deployment, "ERROR"))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("Vercel could not build deployment %s: %s"),
                               deployment->id,
                               deployment->error_message != NULL ? deployment->error_message
                                                                 : _("no reason given"));
      pa_vercel_deployment_free (deployment);
      return TRUE;
    }
  if (state_is (deployment, "CANCELED") || state_is (deployment, "DELETED"))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_FAILED,
                               _("Deployment %s was cancelled on Vercel before it was ready"),
                               deployment->id);
      pa_vercel_deployment_free (deployment);
      return TRUE;
    }
  pa_vercel_deployment_free (deployment);

  if (g_get_monotonic_time () >= data->give_up_at)
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_TIMEOUT,
                               _("Deployment %s was still not ready after %u min; see it on Vercel"),
                               data->id, (self->give_up_s + 59) / 60);
      return TRUE;
    }
  return FALSE;
}

static void
wait_later (GTask *task)
{
  PaVercel *self = g_task_get_source_object (task);
  WaitData *data = g_task_get_task_data (task);
  guint delay_ms = data->delay_ms;

  /* Builds take seconds to minutes: ask often at first, then less. */
  data->delay_ms = MIN (delay_ms + delay_ms / 2, self->poll_max_ms);
  pa_clock_sleep_async ((gint64) delay_ms * 1000, g_task_get_cancellable (task),
                        poll_slept_cb, g_object_ref (task));
}

static void
polled_cb (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  PaVercelDeployment *deployment;

  deployment = pa_vercel_get_deployment_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (!wait_saw (task, deployment))
    wait_later (task);
}

static void
poll_now (GTask *task)
{
  WaitData *data = g_task_get_task_data (task);

  pa_vercel_get_deployment_async (g_task_get_source_object (task), data->id,
                                  g_task_get_cancellable (task), polled_cb, g_object_ref (task));
}

/* @first: the deployment as creating it returned (taken), or NULL to
 * ask Vercel first. */
void
pa_vercel_wait_deployment (PaVercel             *self,
                 const char           *id,
                 PaVercelDeployment   *first,
                 PaVercelProgressFunc  progress_func,
                 gpointer              progress_data,
                 GDestroyNotify        progress_destroy,
                 GCancellable         *cancellable,
                 GAsyncReadyCallback   callback,
                 gpointer              user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);
  WaitData *data = g_new0 (WaitData, 1);

  g_task_set_source_tag (task, pa_vercel_wait_deployment_async);

  data->id = g_strdup (id);
  data->progress_func = progress_func;
  data->progress_data = progress_data;
  data->progress_destroy = progress_destroy;
  data->delay_ms = self->poll_initial_ms;
  data->give_up_at = g_get_monotonic_time () + (gint64) self->give_up_s * G_USEC_PER_SEC;
  g_task_set_task_data (task, data, (GDestroyNotify) wait_data_free);

  if (first == NULL)
    poll_now (task);
  else if (!wait_saw (task, first))
    wait_later (task);
}

void
pa_vercel_wait_deployment_async (PaVercel             *self,
                                 const char           *id,
                                 PaVercelProgressFunc  progress_func,
                                 gpointer              progress_data,
                                 GDestroyNotify        progress_destroy,
                                 GCancellable         *cancellable,
                                 GAsyncReadyCallback   callback,
                                 gpointer              user_data)
{
  g_return_if_fail (PA_IS_VERCEL (self));
  g_return_if_fail (id != NULL);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  pa_vercel_wait_deployment (self, id, NULL, progress_func, progress_data, progress_destroy,
                   cancellable, callback, user_data);
}

PaVercelDeployment *
pa_vercel_wait_deployment_finish (PaVercel      *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
