/* pa-journal-private.h — what the journal shares with its projections
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#if !defined (PA_STORE_COMPILATION)
# error "pa-journal-private.h is private to core/store: use its public headers"
#endif

#include <json-glib/json-glib.h>

#include "pa-store.h"

G_BEGIN_DECLS

/* One event, as appended or as read back by a replay. */
typedef struct {
  PaStore    *store;
  const char *run_id;
  const char *step_id;
  const char *kind;
  int         attempt;
  JsonObject *payload;
  gint64      at;
} PaJournalEvent;

/* Updates runs and steps for @ev (pa-journal-project.c); an unknown
 * kind projects nothing. Shared by append and replay, so a replay
 * rebuilds exactly what the appends built. */
gboolean pa_journal_project         (const PaJournalEvent  *ev,
                                     GError               **error);

/* Whether events of @kind must name a step. */
gboolean pa_journal_kind_needs_step (const char            *kind);

G_END_DECLS
