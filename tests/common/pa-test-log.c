/* pa-test-log.c — everything a test program logs, kept to be searched
 *
 * SPDX-License-Identifier: MIT
 */
#include <string.h>

#include "pa-test-log.h"

static GMutex lock;
static GString *text;   /* under @lock */

static GLogWriterOutput
capture_writer (GLogLevelFlags   level,
                const GLogField *fields,
                gsize            n_fields,
                gpointer         user_data)
{
  g_mutex_lock (&lock);
  for (gsize i = 0; i < n_fields; i++)
    {
      g_string_append_printf (text, "%s=", fields[i].key);
      if (fields[i].length < 0)
        g_string_append (text, fields[i].value);
      else
        g_string_append_len (text, fields[i].value, fields[i].length);
      g_string_append_c (text, '\n');
    }
  g_mutex_unlock (&lock);

  /* Printed as they are, these would break the TAP output. */
  if (level & (G_LOG_LEVEL_INFO | G_LOG_LEVEL_DEBUG))
    return G_LOG_WRITER_HANDLED;
  return g_log_writer_default (level, fields, n_fields, user_data);
}

void
pa_test_log_capture_start (void)
{
  g_return_if_fail (text == NULL);

  text = g_string_new (NULL);
  g_setenv ("G_MESSAGES_DEBUG", "all", TRUE);
  g_log_set_writer_func (capture_writer, NULL, NULL);
}

void
pa_test_log_clear (void)
{
  g_mutex_lock (&lock);
  g_string_truncate (text, 0);
  g_mutex_unlock (&lock);
}

gboolean
pa_test_log_contains (const char *needle)
{
  gboolean found;

  g_mutex_lock (&lock);
  found = strstr (text->str, needle) != NULL;
  g_mutex_unlock (&lock);
  return found;
}
