/* pa-text.c — text from elsewhere, made safe to show
 *
 * A server's error message, a model's output or a webhook's answer ends
 * up on a terminal or in a label. On a terminal, control characters are
 * commands: an escape sequence can move the cursor, rewrite the line
 * above, set the window title or, on some terminals, answer back as if
 * typed. Bidirectional overrides make text read differently from what
 * it holds. Whatever came from outside passes through here before it is
 * shown.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include "pa-text.h"

#define REPLACEMENT "\xEF\xBF\xBD"   /* U+FFFD */

static gboolean
is_unsafe (gunichar c)
{
  if (c == '\n' || c == '\t')
    return FALSE;

  return c < 0x20 ||                        /* C0, ESC among them */
         (c >= 0x7f && c <= 0x9f) ||        /* DEL and C1 (CSI is U+009B) */
         (c >= 0x202a && c <= 0x202e) ||    /* bidi embeddings and overrides */
         (c >= 0x2066 && c <= 0x2069);      /* bidi isolates */
}

/**
 * pa_text_sanitize_for_display:
 * @text: (nullable): the text, not necessarily valid UTF-8
 * @length: its length in bytes, or -1 if it is nul-terminated
 *
 * Makes a copy of @text that is safe to print on a terminal or show in a
 * label: control characters (C0 except newline and tab, DEL, C1) and the
 * bidirectional embeddings, overrides and isolates (U+202A–U+202E,
 * U+2066–U+2069) become U+FFFD, as do bytes that are not UTF-8, and a
 * NUL no longer ends the text early. Everything else is kept.
 *
 * Returns: (transfer full): the text to show; "" for %NULL
 */
char *
pa_text_sanitize_for_display (const char *text,
                              gssize      length)
{
  g_autoptr(GString) out = NULL;
  const char *p;
  const char *end;

  if (text == NULL)
    return g_strdup ("");
  if (length < 0)
    length = (gssize) strlen (text);

  out = g_string_sized_new ((gsize) length);
  p = text;
  end = text + length;

  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);

      if (c == (gunichar) -1 || c == (gunichar) -2)
        {
          /* One replacement per invalid byte, then carry on. */
          g_string_append (out, REPLACEMENT);
          p++;
          continue;
        }

      if (is_unsafe (c))
        g_string_append (out, REPLACEMENT);
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
      p = g_utf8_next_char (p);
    }

  return g_string_free (g_steal_pointer (&out), FALSE);
}
