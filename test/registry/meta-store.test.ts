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
