/* pa-sse-parser.h — an incremental parser for server-sent events
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include <glib.h>

#include "pa-limits.h"

G_BEGIN_DECLS

/* The default limit on one line, and on one event's data. */
#define PA_SSE_PARSER_DEFAULT_MAX_SIZE PA_LIMIT_SSE_EVENT_BYTES

typedef struct {
  char *type;   /* the "event" field, "message" when none was given */
  char *data;   /* the "data" lines joined with '\n'; never NULL */
  char *id;     /* the last event id seen so far, NULL when none */
} PaSseEvent;

void        pa_sse_event_free          (PaSseEvent   *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaSseEvent, pa_sse_event_free)

/* Follows the event-stream rules of the HTML standard: lines end in CRLF,
 * LF or CR; a line starting with ':' is a comment; "field: value" loses one
 * space after the colon; a blank line dispatches the event being built,
 * unless it has no data. Bytes may be fed split anywhere, even inside a
 * CRLF or a UTF-8 sequence. */
typedef struct _PaSseParser PaSseParser;

PaSseParser *pa_sse_parser_new          (void);
void         pa_sse_parser_free         (PaSseParser  *self);

/* @max_size bounds one line and one event's data; 0 = the default. */
void         pa_sse_parser_set_max_size (PaSseParser  *self,
                                         gsize         max_size);

/* With @strict, an event whose data or type is not valid UTF-8 fails
 * pa_sse_parser_feed() with PA_ERROR_PROTOCOL instead of being decoded
 * with replacement characters as the standard does: for streams of JSON,
 * which must be UTF-8. */
void         pa_sse_parser_set_strict_utf8 (PaSseParser *self,
                                            gboolean     strict);
/* Parses @len bytes; complete events queue up for pa_sse_parser_pop().
 * Fails with PA_ERROR_PROTOCOL when a line or an event grows past the
 * limit; the parser is unusable after that. */
gboolean     pa_sse_parser_feed         (PaSseParser  *self,
                                         const char   *data,
                                         gsize         len,
                                         GError      **error);

/* The next complete event, or NULL when none is waiting. */
PaSseEvent  *pa_sse_parser_pop          (PaSseParser  *self);

/* The reconnection time the server last asked for with "retry", in
 * milliseconds; -1 when it never did. */
gint64       pa_sse_parser_get_retry_ms (PaSseParser  *self);

/* TRUE when bytes of an event that never got its blank line are pending:
 * at the end of a stream they are dropped, as the standard says. */
gboolean     pa_sse_parser_has_partial  (PaSseParser  *self);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaSseParser, pa_sse_parser_free)

G_END_DECLS
