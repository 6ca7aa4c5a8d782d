-- 0001-initial.sql — the first PlayAlter schema
--
-- SPDX-License-Identifier: MIT
--
-- Times are INTEGER milliseconds since the Unix epoch, except where a
-- column mirrors a vendor's own field (stripe_events.created).
-- Statuses are plain TEXT without CHECK constraints: new statuses then
-- need no table rebuild, and the code that writes them is the one place
-- that knows them.

-- Where and who for each platform profile. Secrets live in the keyring,
-- never here.
CREATE TABLE accounts (
  platform      TEXT NOT NULL,
  profile       TEXT NOT NULL,
  base_url      TEXT,
  display_name  TEXT,
  status        TEXT NOT NULL DEFAULT 'not-signed-in',
  validated_at  INTEGER,
  PRIMARY KEY (platform, profile)
) WITHOUT ROWID;

CREATE TABLE workflows (
  id               TEXT NOT NULL PRIMARY KEY,
  name             TEXT NOT NULL,
  definition_json  TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  updated_at       INTEGER NOT NULL
);

-- The journal: append-only, the source of truth for runs and steps.
-- AUTOINCREMENT keeps seq strictly increasing even after old events are
-- pruned, so "replay in seq order" stays the order things happened.
-- No foreign key to runs: runs are a projection of these rows and are
-- deleted and rebuilt by a replay.
CREATE TABLE events (
  seq           INTEGER PRIMARY KEY AUTOINCREMENT,
  run_id        TEXT NOT NULL,
  step_id       TEXT,
  kind          TEXT NOT NULL,
  attempt       INTEGER NOT NULL DEFAULT 0,
  payload_json  TEXT NOT NULL DEFAULT '{}',
  at            INTEGER NOT NULL
);
CREATE INDEX events_run_seq ON events (run_id, seq);

-- Projection of events. A run keeps its own copy of the definition so a
-- workflow edited later does not change what a resumed run does.
CREATE TABLE runs (
  id               TEXT NOT NULL PRIMARY KEY,
  workflow_id      TEXT,
  definition_json  TEXT NOT NULL,
  inputs_json      TEXT NOT NULL DEFAULT '{}',
  status           TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  started_at       INTEGER,
  finished_at      INTEGER,
  error            TEXT
);
CREATE INDEX runs_status ON runs (status);

-- Projection of events, one row per step of a run.
CREATE TABLE steps (
  run_id           TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
  step_id          TEXT NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  idempotency_key  TEXT,
  output_json      TEXT,
  error            TEXT,
  started_at       INTEGER,
  finished_at      INTEGER,
  PRIMARY KEY (run_id, step_id)
) WITHOUT ROWID;

-- One row per HTTP request to a platform: never a body, a key or a
-- header. http_status is 0 when no response arrived.
CREATE TABLE platform_logs (
  id                INTEGER PRIMARY KEY,
  run_id            TEXT,
  step_id           TEXT,
  platform          TEXT NOT NULL,
  action            TEXT,
  method            TEXT NOT NULL,
  path              TEXT NOT NULL,
  http_status       INTEGER NOT NULL,
  response_time_ms  INTEGER NOT NULL,
  at                INTEGER NOT NULL
);
CREATE INDEX platform_logs_run ON platform_logs (run_id, step_id);

-- Files the app made or downloaded (media lives in files, not rows).
-- No foreign key to runs: an asset outlives the run that made it.
CREATE TABLE assets (
  id          INTEGER PRIMARY KEY,
  kind        TEXT NOT NULL,
  path        TEXT NOT NULL UNIQUE,
  sha256      TEXT NOT NULL,
  width       INTEGER,
  height      INTEGER,
  created_at  INTEGER NOT NULL,
  run_id      TEXT
);
CREATE INDEX assets_sha256 ON assets (sha256);
CREATE INDEX assets_run ON assets (run_id);

-- Stripe events synced from the API or webhooks; the event id makes a
-- second delivery of the same event a no-op. created is Stripe's own
-- field (Unix seconds), kept as Stripe sends it because it is the cursor
-- the Stripe API is queried with.
CREATE TABLE stripe_events (
  id            TEXT NOT NULL PRIMARY KEY,
  type          TEXT NOT NULL,
  created       INTEGER NOT NULL,
  payload_json  TEXT NOT NULL
) WITHOUT ROWID;
