/* fuzz-replicate.c — the readers of Replicate's (and Cog's) answers:
 * predictions, models and their input schemas, files, error answers,
 * which outputs are files to download and what they are called, and the
 * image sizes read from a download's first bytes
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-replicate-download.c"

static void
read_outputs (JsonNode *output)
{
  g_autoptr(GPtrArray) urls = g_ptr_array_new_with_free_func (g_free);

  collect_urls (output, urls);
  for (guint i = 0; i < urls->len; i++)
    {
      g_autofree char *basename = url_basename (g_ptr_array_index (urls, i));

      g_assert (basename == NULL || strchr (basename, '/') == NULL);
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaPlatform *platform;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  guint8 selector;

  fuzz_init ();
  if (platform == NULL)
    platform = PA_PLATFORM (pa_replicate_new (fuzz_platform_http (), "fuzz",
                                              "https://api.replicate.invalid/v1"));
  if (size < 2)
    return 0;
  selector = data[0] % 8;

  if (selector == 6)
    {
      fuzz_platform_parse_error (platform, data[1], data + 2, size - 2);
      return 0;
    }
  if (selector == 7)
    {
      int width, height;

      read_image_size (data + 1, size - 1, &width, &height);
      g_assert (width >= 0 && height >= 0);
      return 0;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL)
    return 0;

  switch (selector)
    {
    case 0:
    case 1:
      {
        g_autoptr(PaReplicatePrediction) prediction =
          pa_replicate_prediction_new_from_json (root, selector == 0, &error);

        g_assert ((prediction != NULL) == (error == NULL));
        if (prediction != NULL)
          {
            g_autoptr(PaReplicatePrediction) copy = pa_replicate_prediction_copy (prediction);

            g_assert (copy->logs != NULL);
            read_outputs (prediction->output);
          }
      }
      break;
    case 2:
    case 3:
      {
        g_autoptr(PaReplicateModel) model =
          pa_replicate_model_new_from_json (root, selector == 3, &error);

        g_assert ((model != NULL) == (error == NULL));
        if (model != NULL)
          {
            g_autoptr(PaReplicateModel) copy = pa_replicate_model_copy (model);

            for (guint i = 0; i < model->inputs->len; i++)
              {
                const PaReplicateInput *input = g_ptr_array_index (model->inputs, i);

                g_assert (pa_replicate_model_find_input (copy, input->name) != NULL);
              }
          }
      }
      break;
    case 4:
      {
        g_autoptr(PaReplicateFile) file = pa_replicate_file_new_from_json (root, &error);

        g_assert ((file != NULL) == (error == NULL));
        if (file != NULL)
          pa_replicate_file_free (pa_replicate_file_copy (file));
      }
      break;
    default:
      read_outputs (root);
      break;
    }

  return 0;
}
