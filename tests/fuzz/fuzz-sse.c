/* fuzz-sse.c — the server-sent events parser of streamed chats
 *
 * The first byte picks how the stream is cut into reads (a server's
 * bytes arrive split anywhere) and whether the parser gets a small size
 * limit; the rest is the stream.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include "fuzz-common.h"
#include "pa-sse-parser.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(PaSseParser) parser = NULL;
  g_autoptr(GError) error = NULL;
  size_t chunk;
  size_t offset = 0;

  fuzz_init ();
  if (size == 0)
    return 0;

  chunk = (data[0] & 0x3f) + 1;
  parser = pa_sse_parser_new ();
  if (data[0] & 0x40)
    pa_sse_parser_set_max_size (parser, 64);
  data++;
  size--;

  while (offset < size)
    {
      size_t n = MIN (chunk, size - offset);
      PaSseEvent *event;

      if (!pa_sse_parser_feed (parser, (const char *) data + offset, n, &error))
        {
          g_assert (error != NULL);
          break;
        }
      offset += n;

      while ((event = pa_sse_parser_pop (parser)) != NULL)
        {
          g_assert (event->type != NULL && event->data != NULL);
          g_assert (g_utf8_validate (event->type, -1, NULL));
          pa_sse_event_free (event);
        }
    }

  (void) pa_sse_parser_get_retry_ms (parser);
  (void) pa_sse_parser_has_partial (parser);
  return 0;
}
