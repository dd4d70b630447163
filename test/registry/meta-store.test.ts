import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { migrations } from '../../src/registry/meta-store/migrations.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { describeMetaStore } from './meta-store-suite.js';

describeMetaStore('sqlite', async () => new SqliteMetaStore(join(await mkdtemp(join(tmpdir(), 'bosun-meta-')), 'meta.db')));

test('sqlite: WAL mode, schema version recorded, data survives reopening', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'bosun-meta-')), 'meta.db');
  const m = new SqliteMetaStore(file);
  await m.linkBlob('r', digestOf('x'), 1);
  await m.close();
  const raw = new Database(file, { readonly: true });
  assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(raw.pragma('user_version', { simple: true }), migrations.length);
  raw.close();
  const again = new SqliteMetaStore(file);
  assert.deepEqual(await again.blobLink('r', digestOf('x')), { size: 1 });
  await again.close();
});

test('sqlite: a database from a newer bosun is refused', async () => {
  const file = join(await mkdtemp(join(tmpdir(), 'bosun-meta-')), 'meta.db');
  const raw = new Database(file);
  raw.pragma(`user_version = ${migrations.length + 1}`);
  raw.close();
  assert.throws(() => new SqliteMetaStore(file), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
});

test('sqlite: repositoriesLinking reads the digest index in order (no scan, no sort)', async () => {
  // The store prepares its statements in its constructor; record their text to explain the real query.
  const sqls: string[] = [];
  const prepare = Database.prototype.prepare;
  Database.prototype.prepare = function (this: Database.Database, sql: string) {
    sqls.push(sql);
    return prepare.call(this, sql);
  } as typeof prepare;
  let m: SqliteMetaStore;
  try {
    m = new SqliteMetaStore(':memory:');
  } finally {
    Database.prototype.prepare = prepare;
  }
  const sql = sqls.find((s) => /FROM blob_links b JOIN repositories r .* ORDER BY/.test(s));
  assert.ok(sql, 'the repositoriesLinking statement');
  const plan = (m.database.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(digestOf('x'), 100) as Array<{ detail: string }>).map((r) => r.detail);
  assert.match(plan[0]!, /^SEARCH b USING (COVERING )?INDEX blob_links_by_digest \(digest=\?\)$/);
  assert.ok(!plan.some((d) => /TEMP B-TREE|SCAN/.test(d)), plan.join('\n'));
  await m.close();
});
