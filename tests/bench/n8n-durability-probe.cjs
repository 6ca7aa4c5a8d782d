// n8n-durability-probe.cjs — how the installed n8n keeps its executions
//
// SPDX-License-Identifier: MIT
//
// Usage: node n8n-durability-probe.cjs PEERS_DIR SCRATCH_DIR
//
// Asks the installed n8n rather than its documentation: its own config
// classes resolve the database and execution-saving settings from the
// same environment n8n is started with, and a database is opened the way
// n8n's SQLite driver opens one (with n8n's own sqlite3 module), to read
// the journal mode and synchronous level that connection ends up with.
// The driver's source is searched for any PRAGMA it sets. Prints one
// JSON object.
'use strict';

const fs = require('fs');
const path = require('path');
const { createRequire } = require('module');

const [peersDir, scratchDir] = process.argv.slice(2).map((p) => path.resolve(p));
const peerRequire = createRequire(path.join(peersDir, 'package.json'));

peerRequire('reflect-metadata');
const { GlobalConfig } = peerRequire('@n8n/config');
const { Container } = peerRequire('@n8n/di');
const config = Container.get(GlobalConfig);

// The connection options n8n passes to its driver.
const optionsSource = fs.readFileSync(peerRequire.resolve('@n8n/db/dist/connection/db-connection-options.js'), 'utf8');
const driverPath = peerRequire.resolve('@n8n/typeorm/driver/sqlite-pooled/SqliteLibrary.js');
const driverSource = fs.readFileSync(driverPath, 'utf8');
const driverPragmas = [...new Set([...driverSource.matchAll(/PRAGMA (\w+)/g)].map((m) => m[1]))];
const enableWal = /enableWAL:\s*true/.test(optionsSource);

// The sqlite3 module n8n's driver loads.
const driverRequire = createRequire(driverPath);
const sqlite3 = driverRequire('sqlite3');
const dbPath = path.join(scratchDir, 'n8n-probe.sqlite');
const db = new sqlite3.Database(dbPath);
const get = (sql) => new Promise((ok, fail) => db.get(sql, (err, row) => (err ? fail(err) : ok(row))));
const run = (sql) => new Promise((ok, fail) => db.run(sql, (err) => (err ? fail(err) : ok())));

(async () => {
  if (enableWal)
    await run('PRAGMA journal_mode = WAL');
  const journal = await get('PRAGMA journal_mode');
  const sync = await get('PRAGMA synchronous');
  const version = await get('SELECT sqlite_version() AS v');
  db.close();
  for (const suffix of ['', '-wal', '-shm'])
    fs.rmSync(dbPath + suffix, { force: true });

  const e = config.executions;
  console.log(JSON.stringify({
    db_type: config.database.type,
    sqlite_pool_size: config.database.sqlite.poolSize,
    sqlite_version: version.v,
    journal_mode: journal.journal_mode,
    synchronous: ['OFF', 'NORMAL', 'FULL', 'EXTRA'][sync.synchronous] || String(sync.synchronous),
    driver_pragmas: driverPragmas,
    executions_mode: e.mode,
    save_on_success: e.saveDataOnSuccess,
    save_on_error: e.saveDataOnError,
    save_progress: e.saveExecutionProgress,
    prune: e.pruneData,
    prune_max_age_h: e.pruneDataMaxAge,
    prune_max_count: e.pruneDataMaxCount,
  }));
})().catch((err) => {
  console.error(String(err));
  process.exit(1);
});
