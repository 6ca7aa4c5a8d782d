/* pa-journal.c — the append-only event journal and its projections
 *
 * SPDX-License-Identifier: MIT
 *
 * Every change to a run is an event in `events`; `runs` and `steps` are
 * projections kept in the same transaction as the event. append and
 * replay share one projection function, so a replay rebuilds exactly
 * what the appends built.
 *
 * The projections themselves are in pa-journal-project.c.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "pa-error.h"
#include "pa-json-guard.h"
#include "pa-limits.h"

#include "pa-journal.h"
#include "pa-journal-private.h"
#include "pa-store-private.h"

/* A batch ends after this many events or this long, whichever first,
 * so that it never holds the write lock for long. */
#define BATCH_MAX_EVENTS    256
#define BATCH_MAX_AGE_US    500

struct _PaJournal
{
  GObject  parent_instance;

  PaStore *store;

  /* Group commit: the open batch holds one level of the store's
   * transaction (see pa_journal_append_deferred). */
  gboolean batch_open;
  guint    batch_events;
  gint64   batch_began_us;
  GSource *flush_source;

  /* What the batch's age is measured with (tests set their own). */
  PaJournalClock clock;
  gpointer       clock_data;
};

G_DEFINE_FINAL_TYPE (PaJournal, pa_journal, G_TYPE_OBJECT)

static gint64
journal_now_us (PaJournal *self)
{
  return self->clock != NULL ? self->clock (self->clock_data) : g_get_monotonic_time ();
}

void
pa_journal_set_clock (PaJournal      *self,
                      PaJournalClock  clock,
                      gpointer        clock_data)
{
  g_return_if_fail (PA_IS_JOURNAL (self));

  self->clock = clock;
  self->clock_data = clock_data;
}

static void
pa_journal_finalize (GObject *object)
{
  PaJournal *self = PA_JOURNAL (object);
  g_autoptr(GError) error = NULL;

  if (!pa_journal_flush (self, &error))
    g_warning ("Could not save the last journal events: %s", error->message);

  g_clear_object (&self->store);

  G_OBJECT_CLASS (pa_journal_parent_class)->finalize (object);
}

static void
pa_journal_class_init (PaJournalClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = pa_journal_finalize;
}

static void
pa_journal_init (PaJournal *self)
{
}

PaJournal *
pa_journal_new (PaStore *store)
{
  PaJournal *self;

  g_return_val_if_fail (PA_IS_STORE (store), NULL);

  self = g_object_new (PA_TYPE_JOURNAL, NULL);
  self->store = g_object_ref (store);
  return self;
}

/* Appending */

static gboolean
run_exists (PaStore     *store,
            const char  *run_id,
            gboolean    *exists,
            GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  stmt = pa_store_prepare_cached (store, "SELECT 1 FROM runs WHERE id = ?1", error);
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_text (stmt, 1, run_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (stmt);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    {
      pa_store_set_error (store, error, _("look up the run"));
      return FALSE;
    }

  *exists = rc == SQLITE_ROW;
  return TRUE;
}

/* Checks what can be checked before anything is written, so a bad event
 * is refused without touching the database. */
static gboolean
validate_event (const char  *run_id,
                const char  *step_id,
                const char  *kind,
                JsonNode    *payload,
                GError     **error)
{
  if (run_id == NULL || run_id[0] == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("A journal event needs a run id."));
      return FALSE;
    }

  if (kind == NULL || kind[0] == '\0')
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("A journal event of run “%s” has no kind."), run_id);
      return FALSE;
    }

  if (payload != NULL && !JSON_NODE_HOLDS_OBJECT (payload))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("The payload of event “%s” of run “%s” must be a JSON object."),
                   kind, run_id);
      return FALSE;
    }

  if (pa_journal_kind_needs_step (kind) && (step_id == NULL || step_id[0] == '\0'))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Event “%s” of run “%s” needs a step id."), kind, run_id);
      return FALSE;
    }

  if (strcmp (kind, PA_EVENT_RUN_CREATED) == 0
      && (payload == NULL || !json_object_has_member (json_node_get_object (payload), "definition")))
    {
      g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                   _("Event “%s” of run “%s” needs the workflow definition in its payload."),
                   kind, run_id);
      return FALSE;
    }

  return TRUE;
}

static gint64
insert_event (PaStore              *store,
              const PaJournalEvent *ev,
              const char           *payload_json,
              GError              **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;

  stmt = pa_store_prepare_cached (store,
    "INSERT INTO events (run_id, step_id, kind, attempt, payload_json, at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    error);
  if (stmt == NULL)
    return 0;

  sqlite3_bind_text (stmt, 1, ev->run_id, -1, SQLITE_TRANSIENT);
  pa_store_bind_text_or_null (stmt, 2, ev->step_id);
  sqlite3_bind_text (stmt, 3, ev->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (stmt, 4, ev->attempt);
  /* Outlives the step: the caller frees it after we return. */
  sqlite3_bind_text (stmt, 5, payload_json, -1, SQLITE_STATIC);
  sqlite3_bind_int64 (stmt, 6, ev->at);

  if (sqlite3_step (stmt) != SQLITE_DONE)
    {
      pa_store_set_error (store, error, _("append to the journal"));
      return 0;
    }

  return sqlite3_last_insert_rowid (pa_store_get_db (store));
}

static gint64
append_one (PaJournal   *self,
            const char  *run_id,
            const char  *step_id,
            const char  *kind,
            int          attempt,
            JsonNode    *payload,
            gint64       at_ms,
            GError     **error)
{
  g_autofree char *payload_json = NULL;
  g_autoptr(JsonObject) empty = NULL;
  gboolean exists = FALSE;
  gboolean creates;
  PaJournalEvent ev;
  gint64 seq;

  g_return_val_if_fail (PA_IS_JOURNAL (self), 0);

  if (!validate_event (run_id, step_id, kind, payload, error))
    return 0;

  if (payload != NULL)
    payload_json = json_to_string (payload, FALSE);
  else
    payload_json = g_strdup ("{}");

  if (payload == NULL)
    empty = json_object_new ();

  ev = (PaJournalEvent) {
    .store = self->store,
    .run_id = run_id,
    .step_id = step_id != NULL && step_id[0] != '\0' ? step_id : NULL,
    .kind = kind,
    .attempt = attempt,
    .payload = payload != NULL ? json_node_get_object (payload) : empty,
    .at = at_ms > 0 ? at_ms : pa_store_now_ms (self->store),
  };

  if (!pa_store_begin (self->store, error))
    return 0;

  /* Checked inside the transaction, so no other writer can slip in
   * between; closed with a commit when refused, because nothing was
   * written and an outer transaction should not be rolled back for a
   * caller's mistake. */
  if (!run_exists (self->store, run_id, &exists, error))
    goto fail;

  creates = strcmp (kind, PA_EVENT_RUN_CREATED) == 0;
  if (creates == exists)
    {
      if (pa_store_commit (self->store, error))
        {
          if (creates)
            g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         _("Run “%s” already exists; it cannot be created again."), run_id);
          else
            g_set_error (error, PA_ERROR, PA_ERROR_INVALID_INPUT,
                         _("There is no run “%s”; event “%s” was not recorded."),
                         run_id, kind);
        }
      return 0;
    }

  seq = insert_event (self->store, &ev, payload_json, error);
  if (seq == 0)
    goto fail;

  if (!pa_journal_project (&ev, error))
    goto fail;

  if (!pa_store_commit (self->store, error))
    return 0;

  return seq;

fail:
  pa_store_rollback (self->store);
  return 0;
}

/* Group commit */

gboolean
pa_journal_flush (PaJournal  *self,
                  GError    **error)
{
  g_return_val_if_fail (PA_IS_JOURNAL (self), FALSE);

  if (self->flush_source != NULL)
    {
      g_source_destroy (self->flush_source);
      g_clear_pointer (&self->flush_source, g_source_unref);
    }
  if (!self->batch_open)
    return TRUE;

  self->batch_open = FALSE;
  return pa_store_commit (self->store, error);
}

/* For the commits nobody waits for (idle, batch limits): like a failed
 * append, a failed flush only means a resumed run repeats some work. */
static void
flush_or_warn (PaJournal *self)
{
  g_autoptr(GError) error = NULL;

  if (!pa_journal_flush (self, &error))
    g_warning ("Could not save journal events: %s", error->message);
}

static gboolean
flush_idle_cb (gpointer user_data)
{
  PaJournal *self = user_data;

  g_clear_pointer (&self->flush_source, g_source_unref);
  flush_or_warn (self);
  return G_SOURCE_REMOVE;
}

gint64
pa_journal_append_deferred (PaJournal   *self,
                            const char  *run_id,
                            const char  *step_id,
                            const char  *kind,
                            int          attempt,
                            JsonNode    *payload,
                            gint64       at_ms,
                            GError     **error)
{
  gint64 seq;

  g_return_val_if_fail (PA_IS_JOURNAL (self), 0);

  if (!self->batch_open)
    {
      g_autoptr(GMainContext) context = g_main_context_ref_thread_default ();

      if (!pa_store_begin (self->store, error))
        return 0;
      self->batch_open = TRUE;
      self->batch_events = 0;
      self->batch_began_us = journal_now_us (self);

      /* Below every other idle source, so a busy engine fills the batch
       * first; the size and age limits bound it when it never idles. */
      if (self->flush_source == NULL)
        {
          self->flush_source = g_idle_source_new ();
          g_source_set_priority (self->flush_source, G_PRIORITY_LOW);
          g_source_set_callback (self->flush_source, flush_idle_cb, self, NULL);
          g_source_set_static_name (self->flush_source, "[playalter] journal flush");
          g_source_attach (self->flush_source, context);
        }
    }

  seq = append_one (self, run_id, step_id, kind, attempt, payload, at_ms, error);
  if (seq == 0)
    {
      /* The append failed, maybe rolling back the whole batch with it:
       * end the batch, committing what it can. */
      pa_journal_flush (self, NULL);
      return 0;
    }

  if (++self->batch_events >= BATCH_MAX_EVENTS
      || journal_now_us (self) - self->batch_began_us >= BATCH_MAX_AGE_US)
    flush_or_warn (self);

  return seq;
}

gint64
pa_journal_append (PaJournal   *self,
                   const char  *run_id,
                   const char  *step_id,
                   const char  *kind,
                   int          attempt,
                   JsonNode    *payload,
                   gint64       at_ms,
                   GError     **error)
{
  gint64 seq;

  g_return_val_if_fail (PA_IS_JOURNAL (self), 0);

  /* Without an open batch this is one transaction of its own. */
  if (!self->batch_open)
    return append_one (self, run_id, step_id, kind, attempt, payload, at_ms, error);

  /* With one, the deferred events before it are committed with it. */
  seq = pa_journal_append_deferred (self, run_id, step_id, kind, attempt, payload, at_ms, error);
  if (seq == 0 || !pa_journal_flush (self, error))
    return 0;
  return seq;
}

/* Replay */

gboolean
pa_journal_replay (PaJournal  *self,
                   GError    **error)
{
  g_autoptr(PaCachedStmt) stmt = NULL;
  int rc;

  g_return_val_if_fail (PA_IS_JOURNAL (self), FALSE);

  if (!pa_journal_flush (self, error))
    return FALSE;
  if (!pa_store_begin (self->store, error))
    return FALSE;

  /* steps first: they point at runs. */
  if (!pa_store_exec (self->store, "DELETE FROM steps", error)
      || !pa_store_exec (self->store, "DELETE FROM runs", error))
    goto fail;

  stmt = pa_store_prepare_cached (self->store,
    "SELECT seq, run_id, step_id, kind, attempt, payload_json, at "
    "FROM events ORDER BY seq",
    error);
  if (stmt == NULL)
    goto fail;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 seq = sqlite3_column_int64 (stmt, 0);
      const char *payload_json = (const char *) sqlite3_column_text (stmt, 5);
      int payload_len = sqlite3_column_bytes (stmt, 5);
      g_autoptr(GError) local_error = NULL;
      g_autoptr(JsonNode) root = NULL;
      PaJournalEvent ev = {
        .store = self->store,
        .run_id = (const char *) sqlite3_column_text (stmt, 1),
        .step_id = (const char *) sqlite3_column_text (stmt, 2),
        .kind = (const char *) sqlite3_column_text (stmt, 3),
        .attempt = sqlite3_column_int (stmt, 4),
        .at = sqlite3_column_int64 (stmt, 6),
      };

      /* The database is a file anyone with the user's rights can edit,
       * so its payloads are bounded like any other JSON PlayAlter reads. */
      if (payload_json == NULL)
        {
          payload_json = "{}";
          payload_len = 2;
        }
      root = pa_json_parse_bounded (payload_json, payload_len, PA_LIMIT_JOURNAL_PAYLOAD_BYTES,
                                    PA_ERROR_STORAGE, _("Its payload"), &local_error);
      if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
        {
          /* A G_GINT64_FORMAT inside _() would hide the string from xgettext. */
          g_autofree char *seq_text = g_strdup_printf ("%" G_GINT64_FORMAT, seq);

          g_set_error (error, PA_ERROR, PA_ERROR_STORAGE,
                       _("Journal event %s in “%s” has a damaged payload "
                         "(%s); the runs could not be rebuilt. Restore the database from a "
                         "backup."),
                       seq_text, pa_store_get_path (self->store),
                       local_error != NULL ? local_error->message : _("not a JSON object"));
          goto fail;
        }
      ev.payload = json_node_get_object (root);

      if (!pa_journal_project (&ev, error))
        goto fail;
    }

  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (self->store, error, _("read the journal"));
      goto fail;
    }

  /* Reset now rather than at scope exit: the read must be finished
   * before the transaction ends. */
  sqlite3_reset (g_steal_pointer (&stmt));
  return pa_store_commit (self->store, error);

fail:
  if (stmt != NULL)
    sqlite3_reset (g_steal_pointer (&stmt));
  pa_store_rollback (self->store);
  return FALSE;
}

/* Dump */

static void
append_value (GString      *out,
              sqlite3_stmt *stmt,
              int           col)
{
  switch (sqlite3_column_type (stmt, col))
    {
    case SQLITE_NULL:
      g_string_append (out, "NULL");
      break;
    case SQLITE_INTEGER:
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) sqlite3_column_int64 (stmt, col));
      break;
    case SQLITE_FLOAT:
      {
        char buf[G_ASCII_DTOSTR_BUF_SIZE];

        g_string_append (out, g_ascii_dtostr (buf, sizeof buf, sqlite3_column_double (stmt, col)));
      }
      break;
    case SQLITE_BLOB:
      {
        const guchar *data = sqlite3_column_blob (stmt, col);
        int len = sqlite3_column_bytes (stmt, col);

        g_string_append (out, "x'");
        for (int i = 0; i < len; i++)
          g_string_append_printf (out, "%02x", data[i]);
        g_string_append_c (out, '\'');
      }
      break;
    case SQLITE_TEXT:
    default:
      {
        g_autofree char *escaped = g_strescape ((const char *) sqlite3_column_text (stmt, col), NULL);

        g_string_append_printf (out, "\"%s\"", escaped);
      }
      break;
    }
}

static gboolean
dump_table (PaStore     *store,
            const char  *table,
            const char  *sql,
            GString     *out,
            GError     **error)
{
  g_autoptr(PaCachedStmt) stmt = pa_store_prepare_cached (store, sql, error);
  int rc;

  if (stmt == NULL)
    return FALSE;

  g_string_append_printf (out, "[%s]\n", table);
  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      int n = sqlite3_column_count (stmt);

      for (int col = 0; col < n; col++)
        {
          if (col > 0)
            g_string_append_c (out, ' ');
          g_string_append_printf (out, "%s=", sqlite3_column_name (stmt, col));
          append_value (out, stmt, col);
        }
      g_string_append_c (out, '\n');
    }

  if (rc != SQLITE_DONE)
    {
      pa_store_set_error (store, error, _("read the run projections"));
      return FALSE;
    }
  return TRUE;
}

char *
pa_journal_dump_projections (PaJournal  *self,
                             GError    **error)
{
  g_autoptr(GString) out = g_string_new (NULL);

  g_return_val_if_fail (PA_IS_JOURNAL (self), NULL);

  /* SELECT * so a column added by a later migration is compared too. */
  if (!dump_table (self->store, "runs", "SELECT * FROM runs ORDER BY id", out, error)
      || !dump_table (self->store, "steps", "SELECT * FROM steps ORDER BY run_id, step_id",
                      out, error))
    return NULL;

  return g_string_free (g_steal_pointer (&out), FALSE);
}
