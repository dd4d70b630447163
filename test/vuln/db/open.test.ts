// openDatabase's staleness rules (the table in src/vuln/db/open.ts) against a loopback mirror.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { BosunError, type ErrorCode } from '../../../src/errors.js';
import { DB_FILE, openDatabase, type OpenDatabaseOptions } from '../../../src/vuln/db/index.js';
import { startMirror, zipSource, type Mirror } from './helpers.js';
import { tempDir } from '../../helpers/temp-dir.js';

let tmpDir: string;
let mirror: Mirror;
const T0 = new Date('2026-03-01T00:00:00Z');
const hours = (h: number) => new Date(T0.getTime() + h * 3_600_000);

before(async () => {
  tmpDir = await tempDir('vuln-db-open');
  mirror = await startMirror();
  await zipSource('ghsa-subset', join(tmpDir, 'npm.zip'));
  mirror.archives.set('npm', await readFile(join(tmpDir, 'npm.zip')));
});
after(async () => {
  await mirror?.close();
});

const dir = () => join(tmpDir, 'db');
const open = (o: Partial<OpenDatabaseOptions>) => openDatabase({ dir: dir(), update: { repository: mirror.url, ecosystems: ['npm'] }, ...o });
const requests = () => mirror.server.seen.filter((r) => r.url.endsWith('.zip')).length;
const rejectsWith = (p: Promise<unknown>, code: ErrorCode, cause?: ErrorCode) =>
  assert.rejects(p, (e: unknown) => e instanceof BosunError && e.code === code && (!cause || (e.cause instanceof BosunError && e.cause.code === cause)));

test('no database: --skip-db-update and --offline fail with VULN_DB_MISSING, touching no network', async () => {
  await rejectsWith(open({ skipUpdate: true }), 'VULN_DB_MISSING');
  await rejectsWith(open({ offline: true }), 'VULN_DB_MISSING');
  assert.equal(requests(), 0);
});

test('no database, updates allowed: it is downloaded, then opened', async () => {
  const db = await open({ now: () => T0 });
  try {
    assert.equal(db.updated?.sources[0]?.status, 'updated');
    assert.ok((await db.source.forPackage({ ecosystem: 'npm', name: 'lodash' })).length > 0);
  } finally {
    db.source.close();
  }
});

const cases = [
  { name: 'fresh: opened as is', opts: { now: () => hours(23) }, requests: 0, warnings: [] },
  { name: 'stale with --skip-db-update: opened with a warning', opts: { now: () => hours(25), skipUpdate: true }, requests: 0, warnings: ['VULN_DB_STALE'] },
  { name: 'stale with --offline: opened with a warning', opts: { now: () => hours(25), offline: true }, requests: 0, warnings: ['VULN_DB_STALE'] },
  { name: 'stale beyond a longer --db-max-age: still fresh', opts: { now: () => hours(25), maxAgeMs: 48 * 3_600_000 }, requests: 0, warnings: [] },
  { name: 'stale, updates allowed: updated first (a 304 here)', opts: { now: () => hours(25) }, requests: 1, warnings: [] },
] as const;
for (const c of cases) {
  test(`database ${c.name}`, async () => {
    const seen = requests();
    const db = await open(c.opts);
    db.source.close();
    assert.equal(requests() - seen, c.requests);
    assert.deepEqual(db.warnings.map((w) => w.code), c.warnings);
  });
}

test('stale and the update fails: VULN_DB_STALE carrying the cause; the old database still opens', async () => {
  mirror.mode.set('npm', 'error');
  try {
    await rejectsWith(open({ now: () => hours(100) }), 'VULN_DB_STALE', 'VULN_DB_DOWNLOAD_FAILED');
  } finally {
    mirror.mode.delete('npm');
  }
  const db = await open({ now: () => hours(100), skipUpdate: true });
  db.source.close();
  assert.equal(db.warnings[0]?.code, 'VULN_DB_STALE');
});

test('a database from a newer bosun: VULN_DB_SCHEMA without updates; rebuilt from scratch with them', async () => {
  const raw = new BetterSqlite3(join(dir(), DB_FILE));
  raw.prepare("UPDATE meta SET value = '99' WHERE key = 'schema_version'").run();
  raw.close();
  await rejectsWith(open({ skipUpdate: true }), 'VULN_DB_SCHEMA');
  const db = await open({ now: () => hours(200) });
  db.source.close();
  assert.equal(db.updated?.sources[0]?.status, 'updated'); // fresh build: no validators to send
});
