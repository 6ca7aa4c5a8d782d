/* pa-store-retention.h — how long finished runs and the request log are kept
 *
 * SPDX-License-Identifier: MIT
 */
#pragma once

#include "pa-store.h"

G_BEGIN_DECLS

/* The largest number of days and of rows a setting takes. */
#define PA_RETENTION_MAX_DAYS   36500
#define PA_RETENTION_MAX_COUNT  1000000000

/* What retention keeps, shared by the app and the CLI through the
 * database. In each field 0 turns that rule off. Runs that have not
 * ended (pending, running, waiting) are never removed, whatever these
 * say; neither is anything in the media folder. */
typedef struct {
  guint runs_days;   /* finished runs that ended longer ago than this go */
  guint runs_max;    /* the newest this many finished runs stay */
  guint log_days;    /* requests older than this go */
  guint log_max;     /* the newest this many requests stay */
} PaRetention;

/* The defaults (pa-limits.h, PA_LIMIT_RETENTION_*). */
void           pa_retention_init_default (PaRetention         *retention);

/* Each value as set, or its default where none was. */
gboolean       pa_store_get_retention    (PaStore             *self,
                                          PaRetention         *retention,
                                          GError             **error);
/* Saves all four at once. PA_ERROR_INVALID_INPUT, and nothing saved, when
 * a value is over PA_RETENTION_MAX_DAYS or PA_RETENTION_MAX_COUNT. */
gboolean       pa_store_set_retention    (PaStore             *self,
                                          const PaRetention   *retention,
                                          GError             **error);

typedef enum {
  PA_PRUNE_FLAGS_NONE = 0,
  /* Count what would go; remove nothing and leave the file as it is. */
  PA_PRUNE_FLAGS_DRY_RUN = 1 << 0,
} PaPruneFlags;

/* What a prune removed (or, in a dry run, would remove). */
typedef struct {
  guint64  runs;
  guint64  steps;
  guint64  events;
  guint64  requests;
  /* Bytes of the database file and its write-ahead log together. */
  guint64  size_before;
  guint64  size_after;
  /* The file was made able to give space back (a one-time VACUUM of a
   * database created without incremental auto-vacuum). */
  gboolean converted;
} PaPruneReport;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PaPruneReport, g_free)

/* Removes, on a connection of its own in a worker thread, the finished
 * runs (with their steps and journal events) and the requests that the
 * retention settings no longer keep, in small transactions so that the
 * store's own writes wait at most for one of them. A finished run that
 * ended after the oldest unfinished run was created is kept too: resuming
 * that run may need to see what it journaled. Then gives the freed pages
 * back to the disk (incremental vacuum) and truncates the write-ahead log.
 * Cancelling stops between two transactions; what was removed stays
 * removed. Free the report with g_free(). */
void           pa_store_prune_async      (PaStore             *self,
                                          PaPruneFlags         flags,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
PaPruneReport *pa_store_prune_finish     (PaStore             *self,
                                          GAsyncResult        *result,
                                          GError             **error);

/* For processes that stay up (the app, `playalter-cli serve`): prunes now
 * and then every @interval_s seconds while the main context of the
 * calling thread runs, logging what it removed. Returns the id of the
 * source, which holds @self: g_source_remove() stops it, cancels a prune
 * under way and lets the store go. */
guint          pa_store_schedule_prune   (PaStore             *self,
                                          guint                interval_s);

G_END_DECLS
