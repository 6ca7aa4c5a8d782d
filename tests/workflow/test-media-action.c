/* test-media-action.c — media.faceswap through the engine: real
 * photographs, the run's file policy, running the step again
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib/gstdio.h>

#include "playalter.h"
#include "pa-test-cli.h"
#include "pa-test-photos.h"

static const char swap_workflow[] =
  "{\"name\": \"swap\","
  " \"inputs\": {\"face\": {\"type\": \"file\"}, \"target\": {\"type\": \"file\"}},"
  " \"steps\": ["
  "  {\"id\": \"swap\", \"uses\": \"media.faceswap\","
  "   \"with\": {\"face\": \"{{inputs.face}}\", \"target\": \"{{inputs.target}}\"}},"
  "  {\"id\": \"after\", \"uses\": \"local.set\", \"needs\": [\"swap\"],"
  "   \"with\": {\"value\": \"{{steps.swap.output.path}}\"}}]}";

typedef struct {
  char             *data_dir;
  char             *media_dir;
  char             *face;
  char             *target;
  PaStore          *store;
  PaActionRegistry *registry;
  PaEngine         *engine;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->data_dir = pa_test_cli_data_dir_new ();
  f->media_dir = g_build_filename (f->data_dir, "media", NULL);
  f->face = pa_test_photo_path ("grace_hopper.jpg");
  f->target = pa_test_photo_path ("astronaut.png");
  f->store = pa_store_open (f->data_dir, &error);
  g_assert_no_error (error);
  f->registry = pa_action_registry_new_default ();
  f->engine = pa_engine_new (f->store, f->registry, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->engine);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->registry);
  g_clear_object (&f->store);
  g_free (f->face);
  g_free (f->target);
  g_free (f->media_dir);
  g_clear_pointer (&f->data_dir, pa_test_cli_data_dir_free);
}

static void
got_result_cb (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the workflow with @allowed granted; returns its final status. */
static char *
run_swap (Fixture            *f,
          const char * const *allowed,
          char              **run_id_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PaWorkflow) workflow = pa_workflow_new_from_data (swap_workflow, -1, f->registry,
                                                              &error);
  g_autoptr(JsonObject) given = json_object_new ();
  g_autoptr(JsonObject) inputs = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  PaRunOptions options = PA_RUN_OPTIONS_INIT;
  char *status;

  g_assert_no_error (error);
  json_object_set_string_member (given, "face", f->face);
  json_object_set_string_member (given, "target", f->target);
  inputs = pa_workflow_bind_inputs (workflow, given, &error);
  g_assert_no_error (error);
  options.allowed_paths = allowed;
  pa_engine_start_run_with_options (f->engine, workflow, inputs, &options, run_id_out, &error);
  g_assert_no_error (error);

  pa_engine_wait_run_async (f->engine, *run_id_out, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  status = pa_engine_wait_run_finish (f->engine, result, &error);
  g_assert_no_error (error);
  return status;
}

static PaStepRecord *
find_step (Fixture    *f,
           const char *run_id,
           const char *step_id)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) steps = pa_store_list_steps (f->store, run_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < steps->len; i++)
    {
      PaStepRecord *step = steps->pdata[i];

      if (g_str_equal (step->step_id, step_id))
        return g_ptr_array_steal_index (steps, i);
    }
  g_assert_not_reached ();
}

/* A granted face and picture: the output is in the media folder, named
 * after the step, marked, recorded for the run, and handed on. */
static void
test_run (Fixture       *f,
          gconstpointer  data)
{
  const char *allowed[3] = { f->face, f->target, NULL };
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autoptr(PaStepRecord) swap = NULL;
  g_autoptr(PaStepRecord) after = NULL;
  g_autoptr(JsonNode) swap_output = NULL;
  g_autoptr(JsonNode) after_output = NULL;
  JsonObject *output;
  g_autoptr(PaAssetRecord) asset = NULL;
  g_autoptr(GFile) file = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = NULL;
  const char *path;

  if (f->face == NULL || f->target == NULL)
    return;

  status = run_swap (f, allowed, &run_id);
  swap = find_step (f, run_id, "swap");
  g_test_message ("swap: %s %s", swap->status, swap->error != NULL ? swap->error : "");
  g_assert_cmpstr (status, ==, "succeeded");

  swap_output = json_from_string (swap->output_json, NULL);
  g_assert_nonnull (swap_output);
  output = json_node_get_object (swap_output);
  path = json_object_get_string_member (output, "path");
  basename = g_path_get_basename (path);
  g_assert_true (g_str_has_prefix (path, f->media_dir));
  g_assert_true (g_regex_match_simple ("^faceswap-[0-9a-f]{16}\\.png$", basename, 0, 0));
  g_assert_cmpstr (json_object_get_string_member (output, "kind"), ==, "image");
  g_assert_cmpint (json_object_get_int_member (output, "width"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (output, "height"), ==, 512);
  g_assert_cmpint (json_object_get_int_member (output, "frames"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (output, "faces_swapped"), ==, 1);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (output, "skipped")),
                    ==, 0);

  file = g_file_new_for_path (path);
  g_assert_true (pa_media_file_has_mark (file, &error));
  g_assert_no_error (error);

  asset = pa_store_get_asset (f->store, path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (asset->run_id, ==, run_id);
  g_assert_cmpstr (asset->kind, ==, "image");

  /* The next step got the path. */
  after = find_step (f, run_id, "after");
  after_output = json_from_string (after->output_json, NULL);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (after_output), "value"),
                   ==, path);
}

/* A picture the run was not given is not read: the step fails naming
 * it, and nothing is written. */
static void
test_policy (Fixture       *f,
             gconstpointer  data)
{
  const char *allowed[2] = { f->face, NULL };
  g_autofree char *run_id = NULL;
  g_autofree char *status = NULL;
  g_autoptr(PaStepRecord) swap = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GDir) media = NULL;

  if (f->face == NULL || f->target == NULL)
    return;

  status = run_swap (f, allowed, &run_id);
  g_assert_cmpstr (status, ==, "failed");
  swap = find_step (f, run_id, "swap");
  g_test_message ("swap: %s", swap->error);
  g_assert_cmpstr (swap->status, ==, "failed");
  g_assert_true (g_str_has_prefix (swap->error, "media.faceswap: "));
  g_assert_nonnull (strstr (swap->error, "astronaut.png"));

  assets = pa_store_list_assets (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 0);
  media = g_dir_open (f->media_dir, 0, NULL);
  g_assert_true (media == NULL || g_dir_read_name (media) == NULL);
}

static JsonNode *
run_action (PaActionContext  *context,
            const char       *args_json,
            GError          **error)
{
  g_autoptr(PaActionRegistry) registry = pa_action_registry_new_default ();
  const PaActionInfo *info = pa_action_registry_lookup (registry, "media.faceswap");
  g_autoptr(JsonNode) node = json_from_string (args_json, NULL);
  g_autoptr(GAsyncResult) result = NULL;
  JsonObject *args;

  g_assert_nonnull (info);
  g_assert_nonnull (node);
  args = json_node_get_object (node);
  g_assert_true (pa_action_check_args (info, args, "with", NULL));
  info->run (context, args, NULL, got_result_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return info->finish (result, error);
}

static char *
args_for (Fixture    *f,
          const char *extra)
{
  return g_strdup_printf ("{\"face\": \"%s\", \"target\": \"%s\"%s}", f->face, f->target,
                          extra != NULL ? extra : "");
}

/* The same step again (a retry, a resumed run) rewrites the same file
 * and row; arguments that cannot work are refused before anything. */
static void
test_repeat_and_arguments (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(PaActionContext) context = NULL;
  g_autoptr(PaFilePolicy) policy = pa_file_policy_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonNode) first = NULL;
  g_autoptr(JsonNode) second = NULL;
  g_autoptr(JsonNode) refused = NULL;
  g_autoptr(GPtrArray) assets = NULL;
  g_autoptr(JsonObject) mark = json_object_new ();
  g_autofree char *args = NULL;

  if (f->face == NULL || f->target == NULL)
    return;

  g_assert_true (pa_file_policy_allow (policy, f->face, &error));
  g_assert_true (pa_file_policy_allow (policy, f->target, &error));
  g_assert_no_error (error);
  context = pa_action_context_new (f->store, NULL, "run-1", "swap", 1);
  pa_action_context_set_file_policy (context, policy);

  args = args_for (f, NULL);
  first = run_action (context, args, &error);
  g_assert_no_error (error);
  second = run_action (context, args, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (first), "path"), ==,
                   json_object_get_string_member (json_node_get_object (second), "path"));
  assets = pa_store_list_assets (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (assets->len, ==, 1);

  g_free (args);
  args = args_for (f, ", \"engine\": \"magic\"");
  refused = run_action (context, args, &error);
  g_assert_null (refused);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "offline or replicate"));
  g_clear_error (&error);

  g_free (args);
  args = args_for (f, ", \"targets\": \"the-left-one\"");
  refused = run_action (context, args, &error);
  g_assert_null (refused);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_clear_error (&error);

  /* The cloud engine picks its faces itself: only "all" goes with it. */
  g_free (args);
  args = args_for (f, ", \"engine\": \"replicate\", \"targets\": \"0\"");
  refused = run_action (context, args, &error);
  g_assert_null (refused);
  g_assert_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "offline engine"));
  g_clear_error (&error);

  /* A cloud swap this step may have started before a crash is not
   * started (and paid for) a second time. */
  json_object_set_boolean_member (mark, "cloud_started", TRUE);
  pa_action_context_set_state (context, mark);
  g_free (args);
  args = args_for (f, ", \"engine\": \"replicate\", \"targets\": \"all\"");
  refused = run_action (context, args, &error);
  g_assert_null (refused);
  g_assert_nonnull (error);
  g_assert_nonnull (strstr (error->message, "paid for"));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/workflow/media/faceswap-run", Fixture, NULL, fixture_set_up, test_run,
              fixture_tear_down);
  g_test_add ("/workflow/media/faceswap-policy", Fixture, NULL, fixture_set_up, test_policy,
              fixture_tear_down);
  g_test_add ("/workflow/media/faceswap-repeat", Fixture, NULL, fixture_set_up,
              test_repeat_and_arguments, fixture_tear_down);

  return g_test_run ();
}
