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

/* What may not stay in one line of an error message: everything unsafe
 * to show, line breaks of any kind, and invisible formatting characters
 * (zero-width marks and joiners, the bidi marks), which can hide or
 * reorder what the message says. */
static gboolean
breaks_line (gunichar c)
{
  switch (g_unichar_type (c))
    {
    case G_UNICODE_CONTROL:
    case G_UNICODE_FORMAT:
    case G_UNICODE_LINE_SEPARATOR:
    case G_UNICODE_PARAGRAPH_SEPARATOR:
    case G_UNICODE_PRIVATE_USE:
    case G_UNICODE_SURROGATE:
      return TRUE;
    default:
      return is_unsafe (c);
    }
}

/**
 * pa_text_sanitize_line:
 * @text: (nullable): the text, not necessarily valid UTF-8
 * @length: its length in bytes, or -1 if it is nul-terminated
 * @max_chars: the most characters to keep (at least 2), counting the
 *   ellipsis that ends a shortened text
 *
 * Makes one line of @text to quote in a message, such as a server's
 * explanation of an error: what pa_text_sanitize_for_display() replaces,
 * line breaks, tabs and invisible formatting characters become spaces,
 * bytes that are not UTF-8 become U+FFFD, and a text longer than
 * @max_chars ends in "…".
 *
 * Returns: (transfer full): the line to show; "" for %NULL
 */
char *
pa_text_sanitize_line (const char *text,
                       gssize      length,
                       glong       max_chars)
{
  g_autoptr(GString) out = NULL;
  const char *p;
  const char *end;
  glong chars = 0;

  g_return_val_if_fail (max_chars >= 2, NULL);

  if (text == NULL)
    return g_strdup ("");
  if (length < 0)
    length = (gssize) strlen (text);

  out = g_string_new (NULL);
  p = text;
  end = text + length;
  while (p < end)
    {
      gunichar c = g_utf8_get_char_validated (p, end - p);
      gsize step = 1;

      if (chars == max_chars - 1)
        {
          /* Room for the ellipsis only if something follows. */
          const char *next = p + ((c == (gunichar) -1 || c == (gunichar) -2)
                                  ? 1 : (gsize) (g_utf8_next_char (p) - p));
          if (next < end)
            {
              g_string_append (out, "\xE2\x80\xA6");
              break;
            }
        }

      if (c == (gunichar) -1 || c == (gunichar) -2)
        g_string_append (out, REPLACEMENT);
      else
        {
          step = (gsize) (g_utf8_next_char (p) - p);
          if (breaks_line (c))
            g_string_append_c (out, ' ');
          else
            g_string_append_len (out, p, step);
        }
      p += step;
      chars++;
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}
