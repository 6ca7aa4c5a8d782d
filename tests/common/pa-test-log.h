/* pa-test-log.h — everything a test program logs, kept to be searched
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Makes every message, debug ones included (G_MESSAGES_DEBUG=all), go to
 * the capture, each field as "KEY=value" on a line; warnings and worse
 * are shown as usual too. Call once, first thing in main(). Messages come
 * from any thread (GDBus, GIO's pool, PaSecrets' own), so the capture is
 * read only through the functions below, which hold its lock. */
void     pa_test_log_capture_start (void);
/* Forgets what was captured so far. */
void     pa_test_log_clear         (void);
gboolean pa_test_log_contains      (const char *needle);

G_END_DECLS
