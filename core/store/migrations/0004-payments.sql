-- 0004-payments.sql — a Stripe account's synced copy, for the Payments page
--
-- SPDX-License-Identifier: MIT
--
-- Everything is kept per account profile (the accounts table's profile of
-- platform 'stripe'), so a test and a live account never mix. Stripe's
-- events are the write model: stripe_events keeps each event once, and
-- the tables after it are projections of them (the newest copy of each
-- object an event carried), which can be rebuilt from stripe_events.
-- Amounts are integers in the currency's minor unit, as Stripe sends
-- them; created and seen_at are Stripe's Unix seconds.

CREATE TABLE stripe_events_v4 (
  seq           INTEGER PRIMARY KEY,    -- what stripe_objects.event_seq names
  profile       TEXT NOT NULL,
  id            TEXT NOT NULL,
  type          TEXT NOT NULL,
  created       INTEGER NOT NULL,
  object_id     TEXT,                   -- data.object.id
  object_type   TEXT,                   -- data.object.object
  payload_json  TEXT NOT NULL,
  received_at   INTEGER NOT NULL,       -- ms since the epoch, our clock
  source        TEXT NOT NULL           -- 'sync' or 'webhook'
);
-- stripe_events, stripe_objects and stripe_payments keep rowids: their
-- rows are large (kilobytes of JSON, or a few hundred bytes) under random
-- ids, which a WITHOUT ROWID table would have to insert all over its
-- B-tree, each a page to write; with a rowid a row is appended, and only
-- the short key goes into the index. Each index keyed by a random id
-- costs a page written per event (a page of events touches a hundred
-- places in it), so stripe_events has none for its own id: an event is
-- unique by (profile, created, id), created being Stripe's and never
-- changing for an event (the store checks it against the payload), and
-- that key grows in time order like the sync that fills it.
-- Events synced before accounts were told apart belong to no profile.
-- A payload that is not JSON keeps its row without an object, rather
-- than making the upgrade fail.
INSERT INTO stripe_events_v4 (profile, id, type, created, object_id, object_type,
                              payload_json, received_at, source)
  SELECT '', id, type, created,
         CASE WHEN json_valid (payload_json)
              THEN json_extract (payload_json, '$.data.object.id') END,
         CASE WHEN json_valid (payload_json)
              THEN json_extract (payload_json, '$.data.object.object') END,
         payload_json, created * 1000, 'sync'
  FROM stripe_events;
DROP TABLE stripe_events;
ALTER TABLE stripe_events_v4 RENAME TO stripe_events;
CREATE UNIQUE INDEX stripe_events_created ON stripe_events (profile, created, id);
CREATE INDEX stripe_events_object ON stripe_events (profile, object_id, created);

-- The newest copy of every object the page shows (payment_link, product,
-- price, customer, subscription, refund, dispute, payment_intent,
-- charge), from the newest event that carried it or an API answer.
-- seen_at orders copies: an older copy never replaces a newer one. A copy
-- an event carried is not written twice: event_seq names the event, whose
-- data.object it is (stripe_events is never pruned while its objects are
-- kept), and data_json holds only what came otherwise (an API answer, a
-- deleted object marked so).
CREATE TABLE stripe_objects (
  profile    TEXT NOT NULL,
  id         TEXT NOT NULL,
  object     TEXT NOT NULL,
  created    INTEGER NOT NULL,
  seen_at    INTEGER NOT NULL,
  parent     TEXT,                      -- refund, dispute → charge; price → product
  livemode   INTEGER NOT NULL DEFAULT 0,
  data_json  TEXT,                      -- the copy, unless it is event_seq's
  event_seq  INTEGER,                   -- the event whose data.object is the copy
  PRIMARY KEY (profile, id)
);
CREATE INDEX stripe_objects_kind ON stripe_objects (profile, object, created);
-- A payment's refunds and disputes, a product's prices. With a profile
-- leading every key, SQLite's planner takes "profile = ?" for a narrow
-- search until the tables are analyzed, and would walk a whole account
-- for each event: the queries that need these indexes name them.
CREATE INDEX stripe_objects_parent ON stripe_objects (profile, parent, object)
  WHERE parent IS NOT NULL;

-- Payments (charges) with what the payments list sorts, filters and
-- shows, so 100,000 of them page without reading JSON.
CREATE TABLE stripe_payments (
  profile          TEXT NOT NULL,
  id               TEXT NOT NULL,       -- ch_… / py_…
  created          INTEGER NOT NULL,
  seen_at          INTEGER NOT NULL,
  amount           INTEGER NOT NULL,
  amount_refunded  INTEGER NOT NULL DEFAULT 0,
  currency         TEXT NOT NULL,
  status           TEXT NOT NULL,       -- Stripe's: succeeded, pending, failed
  disputed         INTEGER NOT NULL DEFAULT 0,
  payment_intent   TEXT,
  customer         TEXT,
  email            TEXT,                -- billing_details.email, else receipt_email
  name             TEXT,                -- billing_details.name
  description      TEXT,
  method           TEXT,                -- payment_method_details.type
  card_brand       TEXT,
  card_last4       TEXT,
  livemode         INTEGER NOT NULL DEFAULT 0,
  search           TEXT NOT NULL,       -- lower-case id, email, name, description
  PRIMARY KEY (profile, id)
);
CREATE INDEX stripe_payments_created ON stripe_payments (profile, created DESC, id DESC);
CREATE INDEX stripe_payments_status ON stripe_payments (profile, status, created DESC, id DESC);

-- The balance as GET /v1/balance last answered, per currency.
CREATE TABLE stripe_balances (
  profile     TEXT NOT NULL,
  currency    TEXT NOT NULL,
  available   INTEGER NOT NULL,
  pending     INTEGER NOT NULL,
  livemode    INTEGER NOT NULL DEFAULT 0,
  fetched_at  INTEGER NOT NULL,         -- ms since the epoch
  PRIMARY KEY (profile, currency)
) WITHOUT ROWID;

-- Where the sync of each account stands (pa-stripe-sync.c says how it
-- walks): the newest event stored in order (cursor), and the backfill's
-- progress until it has reached back to backfill_after.
CREATE TABLE stripe_sync (
  profile         TEXT NOT NULL PRIMARY KEY,
  cursor          TEXT,
  backfill_top    TEXT,
  backfill_next   TEXT,
  backfill_after  INTEGER NOT NULL DEFAULT 0,
  backfilled      INTEGER NOT NULL DEFAULT 0,
  last_synced_at  INTEGER NOT NULL DEFAULT 0,   -- ms since the epoch
  last_error      TEXT
) WITHOUT ROWID;

-- Refunds asked for and the idempotency key each was sent with, so that
-- asking again after an answer was lost reuses the key and Stripe
-- refunds once.
CREATE TABLE stripe_refund_requests (
  profile          TEXT NOT NULL,
  idempotency_key  TEXT NOT NULL PRIMARY KEY,
  charge           TEXT NOT NULL,
  amount           INTEGER NOT NULL,    -- 0 = what was left
  requested_at     INTEGER NOT NULL,    -- ms since the epoch
  refund_id        TEXT,                -- set once Stripe answered
  error            TEXT
);
CREATE INDEX stripe_refund_requests_charge ON stripe_refund_requests (profile, charge);
