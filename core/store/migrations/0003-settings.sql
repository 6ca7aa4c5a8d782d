-- 0003-settings.sql — settings the app and the CLI share
--
-- SPDX-License-Identifier: MIT
--
-- The app and playalter-cli use the same database, so what both must
-- agree on (how long to keep finished runs and the request log) lives
-- here rather than in GSettings, which the CLI on a headless machine may
-- not have. One row per setting; a missing row means the default the
-- code knows, so a new setting needs no migration. The value has no
-- declared type: each setting's reader knows its own.
CREATE TABLE settings (
  key    TEXT NOT NULL PRIMARY KEY,
  value  NOT NULL
) WITHOUT ROWID;

-- Retention deletes finished runs oldest first, by when they ended.
CREATE INDEX runs_finished_at ON runs (finished_at);
