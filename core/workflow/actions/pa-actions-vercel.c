/* pa-actions-vercel.c — a Vercel deployment of a local folder as a workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-vercel.h"
#include "pa-actions-private.h"

static void
deployed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaVercelDeployment) deployment = NULL;
  JsonObject *output;

  deployment = pa_vercel_deploy_finish (PA_VERCEL (source), result, &error);
  if (deployment == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  output = json_object_new ();
  json_object_set_string_member (output, "id", deployment->id);
  json_object_set_string_member (output, "url", deployment->url);
  json_object_set_string_member (output, "state", deployment->ready_state);
  pa_actions_return_object (task, output);
}

static void
deploy_run (PaActionContext     *context,
            JsonObject          *args,
            GCancellable        *cancellable,
            GAsyncReadyCallback  callback,
            gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr(GError) error = NULL;
  g_autoptr(GFile) folder = NULL;
  PaPlatform *platform = pa_action_context_get_platform (context, "vercel", &error);
  const char *path = pa_actions_get_string (args, "path", NULL);

  g_task_set_source_tag (task, deploy_run);

  g_task_set_check_cancellable (task, FALSE);
  if (platform == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_task_return_new_error (task, PA_ERROR, PA_ERROR_INVALID_INPUT,
                               _("vercel.deploy: %s is not a folder. Give the folder to publish."),
                               path != NULL ? path : "");
      return;
    }

  folder = g_file_new_for_path (path);
  pa_vercel_deploy_async (PA_VERCEL (platform), folder, pa_actions_get_string (args, "name", NULL),
                          pa_actions_get_string (args, "target", NULL), NULL, NULL, NULL, NULL,
                          cancellable, deployed_cb, g_object_ref (task));
}

static const PaActionArg deploy_args[] = {
  { "path", PA_ARG_FILE, TRUE, "the folder to publish" },
  { "name", PA_ARG_STRING, TRUE, "the Vercel project name" },
  { "target", PA_ARG_STRING, FALSE, "production, staging, or a preview when absent" },
  { NULL }
};

/* Not idempotent: Vercel takes no key for deployments, so running it
 * again makes a second deployment. */
static const PaActionInfo deploy_info = {
  .name = "vercel.deploy",
  .platform = "vercel",
  .summary = "Publishes a folder to Vercel and waits until it is live",
  .args = deploy_args,
  .idempotent = FALSE,
  .run = deploy_run,
  .finish = pa_actions_finish,
};

void
pa_actions_register_vercel (PaActionRegistry *registry)
{
  pa_action_registry_add (registry, &deploy_info);
}
