/* pa-json-guard.c — parse JSON from anywhere without trusting it
 *
 * json-glib builds its tree recursively and trusts its input's shape, so
 * every JSON text PlayAlter reads — workflow files, answers from servers,
 * streamed events, its own journal — passes one cheap linear scan first:
 * a size bound, valid UTF-8, and nesting no deeper than
 * PA_LIMIT_JSON_DEPTH. Only then is it parsed.
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <math.h>
#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-json-guard.h"
#include "pa-limits.h"

/* The value of the four hex digits at @p, or -1. */
static int
hex4 (const char *p,
      gsize       available)
{
  int value = 0;

  if (available < 4)
    return -1;
  for (guint i = 0; i < 4; i++)
    {
      int digit = g_ascii_xdigit_value (p[i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

/* How many bytes after "\u" make one escape: 4, or 10 for a surrogate
 * pair; 0 when they are not four hex digits or a surrogate without its
 * pair. json-glib 1.6 reads such digits as best it can and, when another
 * \u escape follows, leaks the string it was reading. */
static gsize
unicode_escape_length (const char *p,
                       gsize       available)
{
  int high = hex4 (p, available);
  int low;

  if (high < 0 || (high >= 0xdc00 && high <= 0xdfff))
    return 0;
  if (high < 0xd800 || high > 0xdbff)
    return 4;
  if (available < 10 || p[4] != '\\' || p[5] != 'u')
    return 0;
  low = hex4 (p + 6, available - 6);
  return low >= 0xdc00 && low <= 0xdfff ? 10 : 0;
}

static gboolean
is_number_char (char c)
{
  return g_ascii_isdigit (c) || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
}

/* A number that overflows a double (1e999) is read as infinity, which no
 * JSON writer can give back ("inf" is not JSON) and no caller expects.
 * Only numbers with an exponent or very many digits can overflow, so the
 * others are not converted. Moves *@i to the number's last character. */
static gboolean
number_fits (const char *data,
             gsize       length,
             gsize      *i)
{
  gsize start = *i;
  gsize end = start;
  gboolean exponent = FALSE;

  while (end < length && is_number_char (data[end]))
    {
      exponent |= (data[end] == 'e' || data[end] == 'E');
      end++;
    }
  *i = end - 1;

  if (exponent || end - start > 300)
    {
      g_autofree char *token = g_strndup (data + start, end - start);

      if (isinf (g_ascii_strtod (token, NULL)))
        return FALSE;
    }
  return TRUE;
}

/**
 * pa_json_check_bounds:
 * @data: the text, not necessarily nul-terminated
 * @length: its length in bytes
 * @max_bytes: the caller's size limit
 * @code: the #PaErrorCode to fail with (%PA_ERROR_PROTOCOL for what a
 *   peer sent, %PA_ERROR_INVALID_INPUT for what the user gave)
 * @what: what the text is, for the message ("The workflow file", "The
 *   answer from Stripe")
 * @error: return location for a #GError
 *
 * Checks that @data is at most @max_bytes long, is valid UTF-8, holds
 * one value, has only well-formed \u escapes, no comments or
 * single-quoted strings, and nests arrays and objects no deeper than
 * %PA_LIMIT_JSON_DEPTH. It does not check that @data is JSON: the parser
 * does that, safely, afterwards.
 *
 * Returns: %TRUE if @data may be given to a JSON parser
 */
gboolean
pa_json_check_bounds (const char   *data,
                      gsize         length,
                      gsize         max_bytes,
                      PaErrorCode   code,
                      const char   *what,
                      GError      **error)
{
  const char *end_of_valid = NULL;
  gboolean in_string = FALSE;
  gboolean escaped = FALSE;
  gboolean seen_value = FALSE;
  guint depth = 0;

  g_return_val_if_fail (data != NULL || length == 0, FALSE);
  g_return_val_if_fail (what != NULL, FALSE);

  if (length > max_bytes)
    {
      /* Callers read at most one byte past the limit, so @length says
       * only that the limit was passed, not by how much. */
      g_autofree char *limit = g_format_size (max_bytes);

      g_set_error (error, PA_ERROR, code,
                   _("%s is too large: the limit is %s"), what, limit);
      return FALSE;
    }

  if (!g_utf8_validate_len (data, length, &end_of_valid))
    {
      g_set_error (error, PA_ERROR, code,
                   _("%s is not valid UTF-8 text (at byte %zu)"),
                   what, (gsize) (end_of_valid - data));
      return FALSE;
    }

  /* json-glib 1.6 also reads 'single-quoted' strings and C comments, by
   * rules of its own (slash-star-slash is a whole comment). Neither is
   * JSON: both are refused, so that the scan needs to know only JSON's
   * own strings to count every bracket the parser will see. */
  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            {
              escaped = FALSE;
              /* json-glib's scanner also takes GScanner's octal escapes
               * ("\374"), which put bytes that are not UTF-8 into a
               * string; JSON has only these. */
              if (strchr ("\"\\/bfnrtu", c) == NULL || c == '\0')
                {
                  g_set_error (error, PA_ERROR, code,
                               _("%s is not valid JSON: an unknown escape in a string"), what);
                  return FALSE;
                }
              if (c == 'u')
                {
                  gsize n = unicode_escape_length (data + i + 1, length - i - 1);

                  if (n == 0)
                    {
                      g_set_error (error, PA_ERROR, code,
                                   _("%s is not valid JSON: a broken \\u escape"), what);
                      return FALSE;
                    }
                  i += n;
                }
            }
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
          continue;
        }

      if (c == '\'' || c == '/')
        {
          g_set_error (error, PA_ERROR, code,
                       _("%s is not valid JSON: a comment or a single quote"), what);
          return FALSE;
        }

      /* json-glib 1.6 also reads a text of several values ("{}{}"),
       * keeps the last and leaks the others: a peer could make every
       * answer leak up to its size limit. Such a text is not JSON. */
      if (depth == 0 && (c == '[' || c == '{') && seen_value)
        {
          g_set_error (error, PA_ERROR, code, _("%s holds more than one JSON value"), what);
          return FALSE;
        }
      if (depth == 0 && !g_ascii_isspace (c))
        seen_value = TRUE;

      switch (c)
        {
        case '"':
          in_string = TRUE;
          break;

        case '[':
        case '{':
          if (++depth > PA_LIMIT_JSON_DEPTH)
            {
              g_set_error (error, PA_ERROR, code,
                           _("%s nests arrays or objects more than %d levels deep"),
                           what, PA_LIMIT_JSON_DEPTH);
              return FALSE;
            }
          break;

        case ']':
        case '}':
          /* Unbalanced closers are the parser's to report. */
          if (depth > 0)
            depth--;
          break;

        default:
          if ((c == '-' || g_ascii_isdigit (c)) && !number_fits (data, length, &i))
            {
              g_set_error (error, PA_ERROR, code,
                           _("%s holds a number too large to represent"), what);
              return FALSE;
            }
          break;
        }
    }

  return TRUE;
}

/**
 * pa_json_parse_bounded:
 * @data: the text
 * @length: its length in bytes, or -1 if it is nul-terminated
 * @max_bytes: the caller's size limit
 * @code: the #PaErrorCode to fail with
 * @what: what the text is, for the message
 * @error: return location for a #GError
 *
 * Checks @data with pa_json_check_bounds() and parses it.
 *
 * Returns: (transfer full): the root node, or %NULL with @error set
 */
JsonNode *
pa_json_parse_bounded (const char   *data,
                       gssize        length,
                       gsize         max_bytes,
                       PaErrorCode   code,
                       const char   *what,
                       GError      **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local_error = NULL;
  gsize len;

  g_return_val_if_fail (data != NULL || length <= 0, NULL);

  if (data == NULL)
    data = "";

  /* Never scan further than the limit for a nul-terminated text. */
  if (length >= 0)
    len = (gsize) length;
  else if (max_bytes < G_MAXSIZE)
    len = strnlen (data, max_bytes + 1);
  else
    len = strlen (data);

  if (!pa_json_check_bounds (data, len, max_bytes, code, what, error))
    return NULL;

  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) len, &local_error))
    {
      g_set_error (error, PA_ERROR, code, _("%s is not valid JSON: %s"),
                   what, local_error->message);
      return NULL;
    }

  if (json_parser_get_root (parser) == NULL)
    {
      g_set_error (error, PA_ERROR, code, _("%s is empty"), what);
      return NULL;
    }

  return json_parser_steal_root (parser);
}
