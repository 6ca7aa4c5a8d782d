-- 0002-time-indexes.sql — indexes for the queries that go by time
--
-- SPDX-License-Identifier: MIT
--
-- Retention (DESIGN.md §8) deletes platform_logs by age, the runs list
-- shows the newest runs first, the health view reads the latest requests
-- of each platform, and Stripe sync resumes from the newest event it has.
-- Without these each of those is a full table scan that grows with
-- every request and run.

CREATE INDEX platform_logs_at ON platform_logs (at);
CREATE INDEX platform_logs_platform_at ON platform_logs (platform, at);
CREATE INDEX runs_created_at ON runs (created_at);
CREATE INDEX stripe_events_created ON stripe_events (created);
