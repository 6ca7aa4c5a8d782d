/* pa-sse-parser.c — an incremental parser for server-sent events
 *
 * SPDX-License-Identifier: MIT
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"

#include "pa-sse-parser.h"

#define BOM "\xEF\xBB\xBF"

struct _PaSseParser
{
  GString  *line;          /* the line being read, without its end */
  gboolean  after_cr;      /* a CR ended the last line: a LF next is part of it */
  gboolean  first_line;    /* a byte-order mark may start the stream */

  GString  *data;          /* each data line followed by '\n' */
  GString  *type;
  char     *last_id;
  gint64    retry_ms;

  GQueue    events;
  gsize     max_size;
  gboolean  strict_utf8;
  gboolean  invalid_utf8;  /* strict, and an event held bytes that are not UTF-8 */
  gboolean  failed;
};

void
pa_sse_event_free (PaSseEvent *event)
{
  if (event == NULL)
    return;

  g_free (event->type);
  g_free (event->data);
  g_free (event->id);
  g_free (event);
}

PaSseParser *
pa_sse_parser_new (void)
{
  PaSseParser *self = g_new0 (PaSseParser, 1);

  self->line = g_string_new (NULL);
  self->data = g_string_new (NULL);
  self->type = g_string_new (NULL);
  self->first_line = TRUE;
  self->retry_ms = -1;
  self->max_size = PA_SSE_PARSER_DEFAULT_MAX_SIZE;
  g_queue_init (&self->events);
  return self;
}

void
pa_sse_parser_free (PaSseParser *self)
{
  if (self == NULL)
    return;

  g_string_free (self->line, TRUE);
  g_string_free (self->data, TRUE);
  g_string_free (self->type, TRUE);
  g_free (self->last_id);
  g_queue_clear_full (&self->events, (GDestroyNotify) pa_sse_event_free);
  g_free (self);
}

void
pa_sse_parser_set_max_size (PaSseParser *self,
                            gsize        max_size)
{
  g_return_if_fail (self != NULL);
  self->max_size = max_size != 0 ? max_size : PA_SSE_PARSER_DEFAULT_MAX_SIZE;
}

static void
dispatch (PaSseParser *self)
{
  PaSseEvent *event;

  /* An event with no data line is not dispatched, but its type is
   * forgotten all the same. */
  if (self->data->len == 0)
    {
      g_string_truncate (self->type, 0);
      return;
    }

  g_string_truncate (self->data, self->data->len - 1);

  /* The standard decodes a stream with replacement characters; a caller
   * whose events carry JSON, which must be UTF-8, asks to refuse it. */
  if (self->strict_utf8 &&
      (!g_utf8_validate_len (self->data->str, self->data->len, NULL) ||
       !g_utf8_validate_len (self->type->str, self->type->len, NULL)))
    {
      self->invalid_utf8 = TRUE;
      g_string_truncate (self->data, 0);
      g_string_truncate (self->type, 0);
      return;
    }

  event = g_new0 (PaSseEvent, 1);
  event->type = self->type->len > 0 ? g_utf8_make_valid (self->type->str, self->type->len)
                                    : g_strdup ("message");
  event->data = g_utf8_make_valid (self->data->str, self->data->len);
  event->id = g_strdup (self->last_id);
  g_queue_push_tail (&self->events, event);

  g_string_truncate (self->data, 0);
  g_string_truncate (self->type, 0);
}

static gboolean
all_digits (const char *value,
            gsize       len)
{
  if (len == 0)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    {
      if (!g_ascii_isdigit (value[i]))
        return FALSE;
    }
  return TRUE;
}

static void
field (PaSseParser *self,
       const char  *name,
       gsize        name_len,
       const char  *value,
       gsize        value_len)
{
#define IS(literal) (name_len == sizeof (literal) - 1 && memcmp (name, literal, name_len) == 0)
  if (IS ("data"))
    {
      g_string_append_len (self->data, value, value_len);
      g_string_append_c (self->data, '\n');
    }
  else if (IS ("event"))
    {
      g_string_truncate (self->type, 0);
      g_string_append_len (self->type, value, value_len);
    }
  else if (IS ("id"))
    {
      /* An id holding NUL is ignored, so a client never resends one. */
      if (memchr (value, '\0', value_len) == NULL)
        {
          g_free (self->last_id);
          self->last_id = g_utf8_make_valid (value, value_len);
        }
    }
  else if (IS ("retry"))
    {
      if (all_digits (value, value_len) && value_len <= 15)
        {
          g_autofree char *digits = g_strndup (value, value_len);

          self->retry_ms = (gint64) g_ascii_strtoull (digits, NULL, 10);
        }
    }
  /* Any other field is ignored. */
#undef IS
}

static void
process_line (PaSseParser *self)
{
  const char *line = self->line->str;
  gsize len = self->line->len;
  const char *colon;

  if (self->first_line)
    {
      self->first_line = FALSE;
      if (len >= 3 && memcmp (line, BOM, 3) == 0)
        {
          line += 3;
          len -= 3;
        }
    }

  if (len == 0)
    dispatch (self);
  else if (line[0] == ':')
    ;  /* a comment, often a keep-alive */
  else if ((colon = memchr (line, ':', len)) != NULL)
    {
      const char *value = colon + 1;
      gsize value_len = len - (gsize) (value - line);

      if (value_len > 0 && value[0] == ' ')
        {
          value++;
          value_len--;
        }
      field (self, line, (gsize) (colon - line), value, value_len);
    }
  else
    {
      field (self, line, len, "", 0);
    }

  g_string_truncate (self->line, 0);
}

void
pa_sse_parser_set_strict_utf8 (PaSseParser *self,
                               gboolean     strict)
{
  g_return_if_fail (self != NULL);
  self->strict_utf8 = !!strict;
}

static gboolean
not_utf8 (PaSseParser  *self,
          GError      **error)
{
  self->failed = TRUE;
  g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                       _("The event stream sent an event that is not valid UTF-8 text"));
  return FALSE;
}

static gboolean
too_large (PaSseParser  *self,
           GError      **error)
{
  self->failed = TRUE;
  g_set_error (error, PA_ERROR, PA_ERROR_PROTOCOL,
               _("The event stream sent an event larger than %zu bytes"),
               self->max_size);
  return FALSE;
}

gboolean
pa_sse_parser_feed (PaSseParser  *self,
                    const char   *data,
                    gsize         len,
                    GError      **error)
{
  const char *p = data;
  const char *end = data + len;

  g_return_val_if_fail (self != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);

  if (self->failed)
    {
      g_set_error_literal (error, PA_ERROR, PA_ERROR_PROTOCOL,
                           _("The event stream could not be read"));
      return FALSE;
    }

  if (self->after_cr && p < end)
    {
      if (*p == '\n')
        p++;
      self->after_cr = FALSE;
    }

  while (p < end)
    {
      const char *q = p;

      while (q < end && *q != '\r' && *q != '\n')
        q++;

      if ((gsize) (q - p) > self->max_size - self->line->len)
        return too_large (self, error);
      g_string_append_len (self->line, p, q - p);

      if (q == end)
        break;

      process_line (self);
      if (self->data->len > self->max_size)
        return too_large (self, error);
      if (self->invalid_utf8)
        return not_utf8 (self, error);

      if (*q == '\r')
        {
          /* A CR at the end of the bytes fed so far may be the first half
           * of a CRLF: the next feed decides. */
          if (q + 1 == end)
            self->after_cr = TRUE;
          else if (q[1] == '\n')
            q++;
        }
      p = q + 1;
    }

  return TRUE;
}

PaSseEvent *
pa_sse_parser_pop (PaSseParser *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return g_queue_pop_head (&self->events);
}

gint64
pa_sse_parser_get_retry_ms (PaSseParser *self)
{
  g_return_val_if_fail (self != NULL, -1);
  return self->retry_ms;
}

gboolean
pa_sse_parser_has_partial (PaSseParser *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->line->len > 0 || self->data->len > 0 || self->type->len > 0;
}
