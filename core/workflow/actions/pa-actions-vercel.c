/* pa-actions-vercel.c — a Vercel deployment of a local folder as a workflow step
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-file-policy.h"
#include "pa-vercel.h"
#include "pa-vercel-deploy.h"
#include "pa-actions-private.h"

static void
deployed_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PaVercelDeployment) deployment = NULL;
  g_auto(GStrv) skipped = pa_vercel_deploy_dup_skipped (result);
  JsonArray *skipped_array;
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
  /* What was left out (secrets, links), so that the run says so. */
  skipped_array = json_array_new ();
  for (guint i = 0; skipped[i] != NULL; i++)
    json_array_add_string_element (skipped_array, skipped[i]);
  json_object_set_array_member (output, "skipped", skipped_array);
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
  JsonNode *include_node = json_object_get_member (args, "include");
  g_autoptr(GPtrArray) include = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *resolved = NULL;
  PaFilePolicy *policy;

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
  policy = pa_action_context_get_file_policy (context, &error);
  if (policy != NULL)
    resolved = pa_file_policy_check_folder (policy, path, &error);
  if (resolved == NULL)
    {
      g_task_return_new_error (task, PA_ERROR, error->code, "vercel.deploy: %s", error->message);
      return;
    }
  if (include_node != NULL && JSON_NODE_HOLDS_ARRAY (include_node))
    {
      JsonArray *array = json_node_get_array (include_node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        {
          JsonNode *element = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (element) && json_node_get_value_type (element) == G_TYPE_STRING)
            g_ptr_array_add (include, g_strdup (json_node_get_string (element)));
        }
    }
  g_ptr_array_add (include, NULL);

  /* The resolved folder: what the policy approved is what is walked. */
  folder = g_file_new_for_path (resolved);
  pa_vercel_deploy_including_async (PA_VERCEL (platform), folder,
                                    pa_actions_get_string (args, "name", NULL),
                                    pa_actions_get_string (args, "target", NULL), NULL,
                                    (const char * const *) include->pdata, NULL, NULL, NULL,
                                    cancellable, deployed_cb, g_object_ref (task));
}

static const PaActionArg deploy_args[] = {
  { "path", PA_ARG_FILE, TRUE, "the folder to publish" },
  { "name", PA_ARG_STRING, TRUE, "the Vercel project name" },
  { "target", PA_ARG_STRING, FALSE, "production, staging, or a preview when absent" },
  { "include", PA_ARG_ARRAY, FALSE,
    "paths in the folder to publish even though their names say they may hold secrets "
    "(.env, .git, keys…), which are left out otherwise" },
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
