/* pa-cli-devices.c — `playalter-cli devices`: the cameras and the
 * microphones a stream can capture
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "pa-cli.h"

static JsonArray *
devices_to_json (GListModel *devices)
{
  JsonArray *array = json_array_new ();

  for (guint i = 0; i < g_list_model_get_n_items (devices); i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (devices, i);
      JsonObject *object = json_object_new ();

      json_object_set_string_member (object, "name", pa_stream_device_get_name (device));
      json_object_set_string_member (object, "id", pa_stream_device_get_id (device));
      if (pa_stream_device_get_kind (device) == PA_STREAM_DEVICE_CAMERA)
        {
          GPtrArray *modes = pa_stream_device_get_modes (device);
          JsonArray *modes_json = json_array_new ();

          for (guint j = 0; j < modes->len; j++)
            {
              const PaStreamDeviceMode *mode = g_ptr_array_index (modes, j);
              JsonObject *mode_json = json_object_new ();

              json_object_set_int_member (mode_json, "width", mode->width);
              json_object_set_int_member (mode_json, "height", mode->height);
              json_object_set_int_member (mode_json, "fps_n", mode->fps_n);
              json_object_set_int_member (mode_json, "fps_d", mode->fps_d);
              json_object_set_string_member (mode_json, "format", mode->format);
              json_array_add_object_element (modes_json, mode_json);
            }
          json_object_set_array_member (object, "modes", modes_json);
        }
      json_array_add_object_element (array, object);
    }
  return array;
}

static void
print_json (GListModel *cameras,
            GListModel *microphones)
{
  g_autoptr(JsonObject) object = json_object_new ();
  g_autoptr(JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autofree char *text = NULL;

  json_object_set_array_member (object, "cameras", devices_to_json (cameras));
  json_object_set_array_member (object, "microphones", devices_to_json (microphones));
  json_node_set_object (node, object);
  json_generator_set_root (generator, node);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_mode (const PaStreamDeviceMode *mode)
{
  /* Whole rates as such (30), others with two decimals (29.97). */
  if (mode->fps_n <= 0 || mode->fps_d <= 0)
    g_print (_("    %d×%d %s\n"), mode->width, mode->height, mode->format);
  else if (mode->fps_n % mode->fps_d == 0)
    g_print (_("    %d×%d %s, %d fps\n"), mode->width, mode->height, mode->format,
             mode->fps_n / mode->fps_d);
  else
    g_print (_("    %d×%d %s, %.2f fps\n"), mode->width, mode->height, mode->format,
             (double) mode->fps_n / mode->fps_d);
}

static void
print_text (GListModel *cameras,
            GListModel *microphones)
{
  guint n_cameras = g_list_model_get_n_items (cameras);
  guint n_microphones = g_list_model_get_n_items (microphones);

  if (n_cameras == 0)
    g_print (_("No camera found.\n"));
  else
    g_print (_("Cameras (use the id with `stream --source camera:ID`):\n"));
  for (guint i = 0; i < n_cameras; i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (cameras, i);
      GPtrArray *modes = pa_stream_device_get_modes (device);

      g_print (_("  %s — %s\n"), pa_stream_device_get_name (device), pa_stream_device_get_id (device));
      for (guint j = 0; j < modes->len; j++)
        print_mode (g_ptr_array_index (modes, j));
    }

  if (n_microphones == 0)
    g_print (_("No microphone found.\n"));
  else
    g_print (_("Microphones:\n"));
  for (guint i = 0; i < n_microphones; i++)
    {
      g_autoptr(PaStreamDevice) device = g_list_model_get_item (microphones, i);

      g_print (_("  %s — %s\n"), pa_stream_device_get_name (device), pa_stream_device_get_id (device));
    }
}

int
pa_cli_devices (const PaCliGlobals *globals,
                int                 argc,
                char              **argv)
{
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GListModel) cameras = NULL;
  g_autoptr(GListModel) microphones = NULL;
  gboolean json = FALSE;
  const GOptionEntry entries[] = {
    { "json", 0, 0, G_OPTION_ARG_NONE, &json,
      N_("Print the devices as JSON"), NULL },
    { NULL }
  };

  g_option_context_set_summary (context,
                                _("List the cameras, with the modes each offers, and the "
                                  "microphones a stream can capture, with the ids "
                                  "`stream` takes."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return pa_cli_fail (PA_CLI_EXIT_USAGE, "%s (try --help)", error->message);
  if (argc != 1)
    return pa_cli_fail (PA_CLI_EXIT_USAGE, _("Usage: devices [--json]"));

  cameras = pa_stream_list_devices (PA_STREAM_DEVICE_CAMERA);
  microphones = pa_stream_list_devices (PA_STREAM_DEVICE_MICROPHONE);
  if (json)
    print_json (cameras, microphones);
  else
    print_text (cameras, microphones);
  return PA_CLI_EXIT_OK;
}
