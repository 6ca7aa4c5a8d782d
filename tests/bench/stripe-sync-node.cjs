// stripe-sync-node.cjs — the Node side of the Stripe sync benchmark
//
// SPDX-License-Identifier: MIT
//
// Usage: node stripe-sync-node.cjs --url URL --created-gt UNIX [--db FILE --sqlite3 DIR]
//
// Pages GET /v1/events of the account peer the way PlayAlter's first sync
// does: limit=100, created[gt], starting_after the oldest event of the page
// before, newest first, one request at a time over one keep-alive
// connection, each answer parsed with JSON.parse and every event turned
// back into a JSON string (the payload stored). With --db it also writes
// every page into SQLite in ONE transaction before asking for the next
// page (INSERT OR IGNORE through a prepared statement into a table keyed
// by the event id, WAL, synchronous=NORMAL, as PlayAlter's store opens its
// database), with the `sqlite3` npm module found in DIR (n8n's, installed
// by build-aux/install-test-peers.sh: Node 20 has no SQLite of its own and
// nothing can be downloaded here). Without --db it is the pager alone: the
// network and JSON floor.
//
// Prints one JSON object: events, pages, seconds (first request to last
// commit), events_per_s, cpu_seconds (this process's user + system time
// over the walk; node-sqlite3 writes on libuv's threads, counted too), rss_before_kb, vmhwm_kb (peak RSS, from
// /proc/self/status), sqlite (its version, or null).
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

function option(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

function statusKb(field) {
  const m = fs.readFileSync('/proc/self/status', 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
  return m ? Number(m[1]) : 0;
}

const base = new URL(option('--url'));
const createdGt = Number(option('--created-gt', '0'));
const dbPath = option('--db', null);
const sqliteDir = option('--sqlite3', null);
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function getPage(startingAfter) {
  let query = `limit=100&created%5Bgt%5D=${createdGt}`;
  if (startingAfter)
    query += `&starting_after=${encodeURIComponent(startingAfter)}`;
  return new Promise((resolve, reject) => {
    const req = http.get({
      agent, host: base.hostname, port: base.port, path: `/v1/events?${query}`,
      headers: { Authorization: 'Bearer sk_test_bench', 'Stripe-Version': '2023-08-16' },
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        if (res.statusCode !== 200)
          reject(new Error(`GET /v1/events: ${res.statusCode} ${body.slice(0, 200)}`));
        else
          resolve(JSON.parse(body));
      });
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

function openDb() {
  const sqlite3 = require(path.join(path.resolve(sqliteDir), 'sqlite3'));
  const db = new sqlite3.Database(dbPath);
  const run = (sql, params = []) => new Promise((ok, fail) =>
    db.run(sql, params, (err) => (err ? fail(err) : ok())));
  const get = (sql) => new Promise((ok, fail) => db.get(sql, (err, row) => (err ? fail(err) : ok(row))));
  return { db, run, get };
}

async function main() {
  let store = null;
  let insert = null;
  let sqliteVersion = null;

  if (dbPath) {
    store = openDb();
    await store.run('PRAGMA journal_mode=WAL');
    await store.run('PRAGMA synchronous=NORMAL');
    await store.run(`CREATE TABLE IF NOT EXISTS stripe_events (
      id TEXT NOT NULL PRIMARY KEY, type TEXT NOT NULL, created INTEGER NOT NULL,
      object_id TEXT, object_type TEXT, payload_json TEXT NOT NULL,
      received_at INTEGER NOT NULL, source TEXT NOT NULL) WITHOUT ROWID`);
    sqliteVersion = (await store.get('SELECT sqlite_version() AS v')).v;
    insert = store.db.prepare(`INSERT OR IGNORE INTO stripe_events
      (id, type, created, object_id, object_type, payload_json, received_at, source)
      VALUES (?, ?, ?, ?, ?, ?, ?, 'sync')`);
  }

  const rssBefore = statusKb('VmRSS');
  const cpuBefore = process.cpuUsage();
  const started = process.hrtime.bigint();
  let events = 0;
  let pages = 0;
  let cursor = null;

  for (;;) {
    const page = await getPage(cursor);
    const data = page.data;
    pages++;
    if (insert && data.length > 0) {
      const now = Date.now();
      await store.run('BEGIN');
      await Promise.all(data.map((event) => new Promise((ok, fail) => {
        const object = event.data && event.data.object ? event.data.object : {};
        insert.run([event.id, event.type, event.created, object.id ?? null, object.object ?? null,
                    JSON.stringify(event), now], (err) => (err ? fail(err) : ok()));
      })));
      await store.run('COMMIT');
    } else {
      for (const event of data)
        JSON.stringify(event);
    }
    events += data.length;
    if (!page.has_more || data.length === 0)
      break;
    cursor = data[data.length - 1].id;
  }

  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const cpu = process.cpuUsage(cpuBefore);
  let stored = null;
  if (store) {
    await new Promise((ok) => insert.finalize(ok));
    stored = (await store.get('SELECT count(*) AS n FROM stripe_events')).n;
    await new Promise((ok) => store.db.close(ok));
  }
  agent.destroy();
  process.stdout.write(JSON.stringify({
    events, pages, stored, seconds, events_per_s: events / seconds,
    cpu_seconds: (cpu.user + cpu.system) / 1e6,
    rss_before_kb: rssBefore, vmhwm_kb: statusKb('VmHWM'), sqlite: sqliteVersion,
    node: process.version,
  }) + '\n');
}

main().catch((err) => {
  console.error(`stripe-sync-node: ${err.stack || err}`);
  process.exit(1);
});
