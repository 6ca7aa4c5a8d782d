/* test-cli-devices.c — `playalter-cli devices [--json]`: no camera and
 * no microphone said plainly (exit 0), a microphone of a PulseAudio
 * server of the test's own listed by name and id, valid JSON with both
 * arrays, and a usage error
 *
 * The machine's own cameras are hidden from GStreamer's device monitor
 * (their providers are ranked out in main(), and the CLI inherits the
 * environment), so "no camera" is checked the same way on a laptop with
 * a webcam as on a server without one.
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <json-glib/json-glib.h>

#include "pa-test-cli.h"
#include "pa-test-pulse.h"
#include "pa-test-video.h"

#define TEST_SINK "playalter_cli_test"
#define TEST_SINK_DESCRIPTION "PlayAlter-CLI-Test-Sink"
#define TEST_MICROPHONE TEST_SINK ".monitor"

typedef struct {
  char        *dir;
  PaTestPulse *pulse;
} Fixture;

/* With no sound server: PULSE_SERVER names a socket nobody listens on. */
static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *nowhere = NULL;

  f->dir = g_dir_make_tmp ("pa-cli-devices-XXXXXX", NULL);
  g_assert_nonnull (f->dir);
  nowhere = g_strdup_printf ("unix:%s/no-server", f->dir);
  g_setenv ("PULSE_SERVER", nowhere, TRUE);
}

/* With the test's own sound server. */
static void
fixture_set_up_pulse (Fixture       *f,
                      gconstpointer  data)
{
  fixture_set_up (f, data);
  f->pulse = pa_test_pulse_start (f->dir, TEST_SINK, TEST_SINK_DESCRIPTION);
  if (f->pulse != NULL)
    g_setenv ("PULSE_SERVER", pa_test_pulse_get_address (f->pulse), TRUE);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->pulse, pa_test_pulse_stop);
  g_unsetenv ("PULSE_SERVER");
  pa_test_remove_dir (f->dir);
  g_free (f->dir);
}

/* The "cameras" and "microphones" arrays of `devices --json`. */
static JsonObject *
parse_devices (const char  *text,
               JsonArray  **cameras,
               JsonArray  **microphones)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;
  JsonNode *root;
  JsonObject *object;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  root = json_parser_get_root (parser);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_object_ref (json_node_get_object (root));
  g_assert_true (json_object_has_member (object, "cameras"));
  g_assert_true (json_object_has_member (object, "microphones"));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "cameras")));
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (object, "microphones")));
  *cameras = json_object_get_array_member (object, "cameras");
  *microphones = json_object_get_array_member (object, "microphones");
  return object;
}

static void
test_none (Fixture       *f,
           gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonObject) object = NULL;
  JsonArray *cameras, *microphones;

  pa_test_cli_run (&result, NULL, NULL, "devices", NULL);
  g_test_message ("devices, no camera, no sound server: exit %d, printed:\n%s", result.status, result.out);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==, "No camera found.\nNo microphone found.\n");
  g_assert_cmpstr (result.err, ==, "");

  pa_test_cli_run (&result, NULL, NULL, "devices", "--json", NULL);
  g_test_message ("devices --json: exit %d, printed:\n%s", result.status, result.out);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.err, ==, "");
  object = parse_devices (result.out, &cameras, &microphones);
  g_assert_cmpuint (json_array_get_length (cameras), ==, 0);
  g_assert_cmpuint (json_array_get_length (microphones), ==, 0);
}

static void
test_microphone (Fixture       *f,
                 gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };
  g_autoptr(JsonObject) object = NULL;
  JsonArray *cameras, *microphones;
  JsonObject *microphone = NULL;

  if (f->pulse == NULL)
    return;

  pa_test_cli_run (&result, NULL, NULL, "devices", NULL);
  g_test_message ("devices, the test's sound server: exit %d, printed:\n%s", result.status, result.out);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (result.out, ==,
                   "No camera found.\n"
                   "Microphones:\n"
                   "  Monitor of " TEST_SINK_DESCRIPTION " — " TEST_MICROPHONE "\n");

  pa_test_cli_run (&result, NULL, NULL, "devices", "--json", NULL);
  g_assert_cmpint (result.status, ==, 0);
  object = parse_devices (result.out, &cameras, &microphones);
  g_assert_cmpuint (json_array_get_length (cameras), ==, 0);
  g_assert_cmpuint (json_array_get_length (microphones), ==, 1);
  microphone = json_array_get_object_element (microphones, 0);
  g_test_message ("devices --json: microphone %s (%s)",
                  json_object_get_string_member (microphone, "name"),
                  json_object_get_string_member (microphone, "id"));
  g_assert_cmpstr (json_object_get_string_member (microphone, "id"), ==, TEST_MICROPHONE);
  g_assert_cmpstr (json_object_get_string_member (microphone, "name"), ==,
                   "Monitor of " TEST_SINK_DESCRIPTION);
}

static void
test_usage (Fixture       *f,
            gconstpointer  data)
{
  g_auto(PaTestCliResult) result = { 0 };

  pa_test_cli_run (&result, NULL, NULL, "devices", "cameras", NULL);
  g_test_message ("devices cameras: exit %d, stderr %s", result.status, result.err);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_cmpstr (result.out, ==, "");
  pa_test_assert_one_line (result.err);
  g_assert_nonnull (strstr (result.err, "devices [--json]"));
}

int
main (int    argc,
      char **argv)
{
  /* The machine's cameras out of the device monitor's sight (see the
   * top of the file); the CLI's words as written, in UTF-8. */
  g_setenv ("GST_PLUGIN_FEATURE_RANK", "v4l2deviceprovider:NONE,pipewiredeviceprovider:NONE", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/cli/devices/none", Fixture, NULL, fixture_set_up, test_none, fixture_tear_down);
  g_test_add ("/cli/devices/microphone", Fixture, NULL,
              fixture_set_up_pulse, test_microphone, fixture_tear_down);
  g_test_add ("/cli/devices/usage", Fixture, NULL, fixture_set_up, test_usage, fixture_tear_down);

  return g_test_run ();
}
