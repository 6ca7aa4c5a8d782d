/* fuzz-openai.c — the readers of OpenAI-compatible answers: models,
 * chats, images, moderations, error answers, and a streamed chat's
 * events as they come out of the event parser
 *
 * SPDX-License-Identifier: MIT
 */
#include "fuzz-platform.h"

#include "pa-openai.c"
#include "pa-openai-stream.c"

/* A streamed chat: the input is the event stream, each "data" payload
 * goes to the chunk reader until "[DONE]" or an error. */
static void
read_stream (const uint8_t *data,
             size_t         size)
{
  g_autoptr(PaSseParser) parser = pa_sse_parser_new ();
  g_autoptr(GError) error = NULL;
  StreamData *stream = g_new0 (StreamData, 1);
  PaSseEvent *event;

  stream->host = g_strdup ("fuzz.invalid");
  stream->chat = g_new0 (PaOpenaiChatResult, 1);
  stream->text = g_string_new (NULL);

  if (pa_sse_parser_feed (parser, (const char *) data, size, &error))
    while ((event = pa_sse_parser_pop (parser)) != NULL)
      {
        gboolean done = g_str_equal (event->data, "[DONE]");
        gboolean ok;

        /* As fuzz_platform_parse_error(): the guard comes first. */
        if (!done && !fuzz_json_allowed ((const uint8_t *) event->data, strlen (event->data)))
          {
            pa_sse_event_free (event);
            break;
          }
        ok = done || handle_chunk (stream, event->data, &error);

        pa_sse_event_free (event);
        g_assert (ok == (error == NULL));
        if (done || !ok)
          break;
      }

  stream_data_free (stream);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  static PaOpenai *openai;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(GError) error = NULL;
  JsonObject *object;
  gpointer result;

  fuzz_init ();
  if (openai == NULL)
    openai = pa_openai_new (fuzz_platform_http (), "fuzz", "http://localhost:1/v1");
  if (size < 2)
    return 0;

  switch (data[0] % 7)
    {
    case 5:
      fuzz_platform_parse_error (PA_PLATFORM (openai), data[1], data + 2, size - 2);
      return 0;
    case 6:
      read_stream (data + 1, size - 1);
      return 0;
    default:
      break;
    }

  root = fuzz_parse_json (data + 1, size - 1);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    return 0;
  object = json_node_get_object (root);

  switch (data[0] % 7)
    {
    case 0:
      result = read_models (openai, object, "fuzz.invalid", &error);
      g_clear_pointer (&result, pa_identity_free);
      break;
    case 1:
      result = read_chat (openai, object, "fuzz.invalid", &error);
      g_clear_pointer (&result, pa_openai_chat_result_free);
      break;
    case 2:
    case 3:
      result = read_images (openai, object, "fuzz.invalid", &error);
      g_clear_pointer (&result, g_ptr_array_unref);
      break;
    default:
      result = read_moderation (openai, object, "fuzz.invalid", &error);
      g_clear_pointer (&result, pa_openai_moderation_free);
      break;
    }

  return 0;
}
