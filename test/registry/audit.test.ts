import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { auditLog } from '../../src/registry/audit/audit-log.js';
import { verifyAuditLog } from '../../src/registry/audit/audit-export.js';
import { runAudit } from '../../src/registry/audit/run-audit.js';
import type { AuditStore } from '../../src/registry/audit/audit-store.js';
import { AuditWriter } from '../../src/registry/audit/audit-writer.js';
import { entryHash, GENESIS_HASH, type AuditEntry, type AuditRecord } from '../../src/registry/audit/chain.js';
import { SqliteAuditStore } from '../../src/registry/audit/sqlite-audit-store.js';
import { parseRegistryConfig } from '../../src/registry/config.js';
import { buildRegistryApp } from '../../src/registry/app.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { MetricsRegistry } from '../../src/registry/metrics/metrics-registry.js';
import { openRegistry } from '../../src/registry/serve.js';
import { imageManifest, makeApp, putManifest } from './helpers.js';
import { runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';


function record(i: number): AuditRecord {
  return {
    time: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(), action: i % 2 === 0 ? 'push' : 'pull', outcome: 'ok',
    actorKind: 'user', actor: `user${i}`, ip: '10.0.0.1', repo: 'team/app', digest: `sha256:${String(i).padStart(64, '0')}`, tag: 'v1', detail: null,
  };
}

/** A fresh meta.db holding a chain of `n` entries. */
async function seeded(n: number): Promise<{ meta: SqliteMetaStore; store: SqliteAuditStore; db: Database.Database }> {
  const meta = new SqliteMetaStore(':memory:');
  const store = new SqliteAuditStore(meta.database);
  await store.append(Array.from({ length: n }, (_, i) => record(i + 1)));
  return { meta, store, db: meta.database };
}

/** What an attacker with write access to meta.db does first: the triggers only stop accidents. */
function dropGuards(db: Database.Database): void {
  db.exec('DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;');
}

function rehash(db: Database.Database, seq: number): void {
  const row = db.prepare('SELECT * FROM audit_log WHERE seq = ?').get(seq) as Record<string, unknown>;
  const e = { ...row, actorKind: row.actor_kind } as unknown as AuditEntry;
  db.prepare('UPDATE audit_log SET hash = ? WHERE seq = ?').run(entryHash(e), seq);
}

const tampering: Array<{ name: string; tamper: (db: Database.Database) => void; seq: number; kind: string; intact: number }> = [
  { name: 'a middle entry edited', tamper: (db) => db.exec("UPDATE audit_log SET actor = 'mallory' WHERE seq = 3"), seq: 3, kind: 'content', intact: 2 },
  { name: 'a middle entry edited, its hash recomputed', tamper: (db) => (db.exec("UPDATE audit_log SET ip = '6.6.6.6' WHERE seq = 3"), rehash(db, 3)), seq: 4, kind: 'link', intact: 3 },
  { name: 'the last entry edited', tamper: (db) => db.exec("UPDATE audit_log SET time = '2020-01-01T00:00:00.000Z' WHERE seq = 5"), seq: 5, kind: 'content', intact: 4 },
  { name: 'a middle entry deleted', tamper: (db) => db.exec('DELETE FROM audit_log WHERE seq = 3'), seq: 4, kind: 'sequence', intact: 2 },
  { name: 'the first entry deleted', tamper: (db) => db.exec('DELETE FROM audit_log WHERE seq = 1'), seq: 2, kind: 'sequence', intact: 0 },
  {
    name: 'two entries swapped',
    tamper: (db) => db.exec('UPDATE audit_log SET seq = 100 WHERE seq = 2; UPDATE audit_log SET seq = 2 WHERE seq = 3; UPDATE audit_log SET seq = 3 WHERE seq = 100'),
    seq: 2, kind: 'link', intact: 1,
  },
  { name: 'the first entry chained elsewhere', tamper: (db) => (db.exec(`UPDATE audit_log SET prev = '${'1'.repeat(64)}' WHERE seq = 1`), rehash(db, 1)), seq: 1, kind: 'link', intact: 0 },
  {
    name: 'a forged entry appended without the chain',
    tamper: (db) => db.prepare("INSERT INTO audit_log SELECT 6, time, action, outcome, actor_kind, 'forger', ip, repo, digest, tag, detail, ?, hash FROM audit_log WHERE seq = 5").run(GENESIS_HASH),
    seq: 6, kind: 'link', intact: 5,
  },
];

for (const c of tampering) {
  test(`audit verify: ${c.name} -> broken at ${c.seq} (${c.kind})`, async () => {
    const { store, db, meta } = await seeded(5);
    assert.equal((await verifyAuditLog(store)).broken, undefined);
    dropGuards(db);
    c.tamper(db);
    const v = await verifyAuditLog(store);
    assert.equal(v.broken?.seq, c.seq);
    assert.equal(v.broken?.kind, c.kind);
    assert.equal(v.entries, c.intact);
    await meta.close();
  });
}

test('audit log: an intact chain verifies, starts at the genesis value, and refuses UPDATE and DELETE', async () => {
  const { store, db, meta } = await seeded(5);
  const v = await verifyAuditLog(store);
  assert.equal(v.entries, 5);
  const entries = await store.list({ afterSeq: 0, limit: 10 });
  assert.equal(entries[0]!.prev, GENESIS_HASH);
  assert.equal(v.head.hash, entries[4]!.hash);
  assert.throws(() => db.exec("UPDATE audit_log SET actor = 'x' WHERE seq = 1"), /append-only/);
  assert.throws(() => db.exec('DELETE FROM audit_log WHERE seq = 5'), /append-only/);
  await store.append([record(6)]);
  assert.equal((await store.list({ afterSeq: 5, limit: 10 }))[0]!.prev, entries[4]!.hash);
  await meta.close();
});

/** A real SQLite store that counts batches and can be made to fail. */
function counting(inner: AuditStore): AuditStore & { calls: number[]; failing: boolean } {
  const s = {
    calls: [] as number[],
    failing: false,
    append: async (records: readonly AuditRecord[]) => {
      if (s.failing) throw new Error('disk full');
      s.calls.push(records.length);
      return inner.append(records);
    },
    list: inner.list.bind(inner),
    head: inner.head.bind(inner),
  };
  return s;
}

test('audit writer: batches writes, keeps order, retries after a failure, and records a gap when it must drop', async () => {
  const meta = new SqliteMetaStore(':memory:');
  const store = counting(new SqliteAuditStore(meta.database));
  const writer = new AuditWriter(store, { flushMs: 60_000, batchSize: 100, maxPending: 300, logger: undefined });
  for (let i = 1; i <= 250; i++) writer.record(record(i));
  await writer.flush();
  assert.deepEqual(store.calls, [100, 100, 50]);
  store.failing = true;
  for (let i = 251; i <= 260; i++) writer.record(record(i));
  await writer.flush();
  assert.equal((await store.head())!.seq, 250, 'nothing written while the store fails');
  for (let i = 261; i <= 600; i++) writer.record(record(i));
  store.failing = false;
  await writer.flush();
  const all = await store.list({ afterSeq: 250, limit: 1000 });
  assert.equal(all[0]!.action, 'gap');
  // 10 kept while failing + 290 more fill maxPending (300); the last 50 are dropped.
  assert.match(all[0]!.detail!, /^50 events dropped/);
  assert.deepEqual(all.slice(1).map((e) => e.actor), Array.from({ length: 300 }, (_, i) => `user${251 + i}`));
  assert.equal((await verifyAuditLog(store)).broken, undefined);
  await meta.close();
});

test('audit extension: push, pull, delete, login and denial are recorded with who, what, when and where, after the request', async () => {
  const metrics = new MetricsRegistry();
  const app = await makeApp({
    extensions: [
      (a, ctx) => {
        // Plays the auth layer: names the caller and emits login/denied as it will.
        a.addHook('onRequest', async (request) => {
          request.identity = { name: 'alice', kind: 'user' };
        });
        a.get('/test/login', async (request) => {
          ctx.events.emit({ type: 'login', actor: { name: 'alice', kind: 'user', ip: request.ip }, ok: false, reason: 'bad password' });
          ctx.events.emit({ type: 'denied', actor: { name: 'alice', kind: 'user', ip: request.ip }, repo: 'team/app', action: 'push', reason: 'no push permission' });
          return 'ok';
        });
      },
      auditLog({ enabled: true, flushMs: 60_000, batchSize: 500, maxPending: 1000 }, { metrics }),
    ],
  });
  const image = await imageManifest(app, 'team/app');
  assert.equal((await putManifest(app, 'team/app', 'v1', image.raw)).statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', remoteAddress: '192.0.2.7' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'DELETE', url: '/v2/team/app/manifests/v1' })).statusCode, 202);
  await app.inject({ method: 'GET', url: '/test/login' });
  const store = new SqliteAuditStore((app.meta as SqliteMetaStore).database);
  assert.equal(await store.head(), undefined, 'requests do not wait for the audit write');
  await app.close();
  const entries = await store.list({ afterSeq: 0, limit: 10 });
  assert.deepEqual(entries.map((e) => [e.action, e.outcome, e.actor, e.repo, e.tag]), [
    ['push', 'ok', 'alice', 'team/app', 'v1'],
    ['pull', 'ok', 'alice', 'team/app', 'v1'],
    ['delete', 'ok', 'alice', 'team/app', 'v1'],
    ['login', 'failed', 'alice', null, null],
    ['denied', 'denied', 'alice', 'team/app', null],
  ]);
  assert.equal(entries[1]!.ip, '192.0.2.7');
  assert.equal(entries[0]!.digest, image.digest);
  assert.equal(entries[4]!.detail, 'push: no push permission');
  assert.ok(Date.parse(entries[0]!.time) > Date.now() - 60_000);
  assert.match(metrics.render(), /^bosun_registry_audit_entries_total 5$/m);
});

const bosun = (args: string[]): Promise<Run> => runBosun(args);

test('bosun registry audit: exports, filters by --since, verifies, and exits 2 naming the first broken entry', async () => {
  const dataDir = await tempDir('audit-cli');
  const reg = await openRegistry({ dataDir, config: parseRegistryConfig({}) });
  const image = await imageManifest(reg.app, 'team/app');
  assert.equal((await putManifest(reg.app, 'team/app', 'v1', image.raw)).statusCode, 201);
  for (let i = 0; i < 3; i++) await reg.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' });
  await reg.close();

  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  await runAudit({ dataDir, format: 'jsonl', out });
  const lines = Buffer.concat(chunks).toString().trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  assert.deepEqual(lines.map((e) => e.action), ['push', 'pull', 'pull', 'pull']);
  chunks.length = 0;
  await runAudit({ dataDir, format: 'json', since: '2999-01-01T00:00:00Z', out });
  assert.deepEqual(JSON.parse(Buffer.concat(chunks).toString()), []);
  await assert.rejects(runAudit({ dataDir, format: 'xml', out }), { code: 'INPUT_INVALID' });
  await assert.rejects(runAudit({ dataDir: join(dataDir, 'nope'), format: 'json', out }), { code: 'INPUT_INVALID' });

  const ok = await bosun(['registry', 'audit', '--data', dataDir, '--verify', '--format', 'json']);
  assert.equal(ok.status, 0, ok.stderr);
  assert.deepEqual(JSON.parse(ok.stdout).head, { seq: 4, hash: lines[3]!.hash });

  const db = new Database(join(dataDir, 'meta.db'));
  dropGuards(db);
  db.exec("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2");
  db.close();
  const broken = await bosun(['registry', 'audit', '--data', dataDir, '--verify']);
  assert.equal(broken.status, 2);
  assert.match(broken.stderr, /REGISTRY_AUDIT_CHAIN_BROKEN/);
  assert.match(broken.stdout, /BROKEN at entry 2:/);
});

test('audit log on another metadata backend without a store: refused at build (REGISTRY_CONFIG_INVALID), never kept locally', async () => {
  const dataDir = await tempDir('audit-other');
  const inner = new SqliteMetaStore(':memory:');
  // A MetaStore that is not the SQLite class: openFeatureStores gives PostgreSQL its own store.
  const other = new Proxy(inner, { getPrototypeOf: () => Object.prototype }) as MetaStore;
  assert.ok(!(other instanceof SqliteMetaStore));
  const spool = await new UploadSpool(join(dataDir, 'uploads')).open();
  await assert.rejects(
    buildRegistryApp({ blobs: new MemoryBlobStore(), meta: other, spool, extensions: [auditLog({ enabled: true, flushMs: 10, batchSize: 10, maxPending: 10 }, { metrics: new MetricsRegistry() })] }),
    { code: 'REGISTRY_CONFIG_INVALID' },
  );
  assert.equal(existsSync(join(dataDir, 'meta.db')), false);
  await inner.close();
});
