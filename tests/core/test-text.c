/* test-text.c — text from servers, made safe for a terminal
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include <glib.h>

#include "pa-text.h"

#define R "\xEF\xBF\xBD"   /* U+FFFD */

static void
assert_sanitized (const char *text,
                  gssize      length,
                  const char *expected)
{
  g_autofree char *shown = pa_text_sanitize_for_display (text, length);

  g_assert_cmpstr (shown, ==, expected);
  g_assert_true (g_utf8_validate (shown, -1, NULL));
}

static void
test_text_kept (void)
{
  assert_sanitized ("plain text", -1, "plain text");
  assert_sanitized ("two\nlines\tand a tab", -1, "two\nlines\tand a tab");
  assert_sanitized ("Café ✓ 日本 😀 עברית", -1, "Café ✓ 日本 😀 עברית");
  /* Marks that only hint at direction are harmless. */
  assert_sanitized ("a\xE2\x80\x8E" "b", -1, "a\xE2\x80\x8E" "b");
  assert_sanitized ("", -1, "");
  assert_sanitized (NULL, -1, "");
}

static void
test_text_controls (void)
{
  /* An escape sequence that would clear the screen, a title change, a
   * carriage return that hides what came before, a bell. */
  assert_sanitized ("\x1b[2J\x1b]0;owned\x07" "ok", -1, R "[2J" R "]0;owned" R "ok");
  assert_sanitized ("fake\rreal", -1, "fake" R "real");
  assert_sanitized ("del\x7f", -1, "del" R);
  /* C1: U+009B is a one-character CSI on some terminals. */
  assert_sanitized ("\xC2\x9B" "31m\xC2\x85", -1, R "31m" R);
  assert_sanitized ("a\x01\x02\x1f" "b", -1, "a" R R R "b");
}

static void
test_text_bidi (void)
{
  /* U+202A–U+202E and U+2066–U+2069 reorder what follows. */
  assert_sanitized ("x\xE2\x80\xAA" "\xE2\x80\xAB" "\xE2\x80\xAC" "\xE2\x80\xAD" "\xE2\x80\xAE" "y",
                    -1, "x" R R R R R "y");
  assert_sanitized ("\xE2\x81\xA6" "\xE2\x81\xA7" "\xE2\x81\xA8" "\xE2\x81\xA9", -1, R R R R);
  /* The neighbours of those ranges stay. */
  assert_sanitized ("\xE2\x80\xA9" "\xE2\x80\xAF" "\xE2\x81\xA5" "\xE2\x81\xAA", -1,
                    "\xE2\x80\xA9" "\xE2\x80\xAF" "\xE2\x81\xA5" "\xE2\x81\xAA");
}

static void
test_text_invalid (void)
{
  /* Invalid bytes, a cut sequence, an embedded NUL with a length. */
  assert_sanitized ("a\xFF" "b", -1, "a" R "b");
  assert_sanitized ("end\xE2\x80", -1, "end" R R);
  assert_sanitized ("a\0b", 3, "a" R "b");
  assert_sanitized ("abc", 2, "ab");
}

/* One line of a server's message: no breaks, no invisible marks, no
 * control characters, bounded, and never cut inside a character. */
static void
test_text_line (void)
{
  g_autofree char *line = NULL;
  g_autofree char *cut = NULL;
  g_autofree char *exact = NULL;
  g_autofree char *bad = NULL;
  g_autofree char *none = NULL;

  line = pa_text_sanitize_line ("Refused\x1b[2J\r\nnext\tline\u2028x\u200bz\u202egnp", -1, 100);
  g_assert_cmpstr (line, ==, "Refused [2J  next line x z gnp");

  /* 5 characters at most, the ellipsis among them; é is 2 bytes. */
  cut = pa_text_sanitize_line ("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", -1, 5);
  g_assert_cmpstr (cut, ==, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xe2\x80\xa6");
  g_assert_true (g_utf8_validate (cut, -1, NULL));
  g_assert_cmpint (g_utf8_strlen (cut, -1), ==, 5);

  /* Exactly the limit: nothing is cut. */
  exact = pa_text_sanitize_line ("abcde", -1, 5);
  g_assert_cmpstr (exact, ==, "abcde");

  bad = pa_text_sanitize_line ("a\xff\xc0" "b", 4, 10);
  g_assert_cmpstr (bad, ==, "a\xef\xbf\xbd\xef\xbf\xbd" "b");

  none = pa_text_sanitize_line (NULL, -1, 10);
  g_assert_cmpstr (none, ==, "");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/text/kept", test_text_kept);
  g_test_add_func ("/text/controls", test_text_controls);
  g_test_add_func ("/text/bidi", test_text_bidi);
  g_test_add_func ("/text/invalid", test_text_invalid);
  g_test_add_func ("/text/line", test_text_line);

  return g_test_run ();
}
