// The feature stores (accounts, rules, audit log, scans) on both metadata backends, through the
// one seam the server and the CLI use (openFeatureStores). PostgreSQL is Debian's, started in a
// temp dir (test/helpers/postgres.ts).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openFeatureStores, type FeatureStores } from '../../src/registry/feature-stores.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { PostgresMetaStore } from '../../src/registry/meta-store/postgres.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { describeFeatureStores, type FeatureStoresPair } from './feature-stores-suite.js';

let server: TestPostgres;
const opened: Array<{ stores: FeatureStores; meta: MetaStore }> = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const o of opened) {
    await o.stores.close();
    await o.meta.close();
  }
  await server.stop();
});

function track(meta: MetaStore): FeatureStores {
  const stores = openFeatureStores(meta);
  opened.push({ stores, meta });
  return stores;
}

describeFeatureStores('sqlite', async (): Promise<FeatureStoresPair> => {
  const file = join(await mkdtemp(join(tmpdir(), 'bosun-features-')), 'meta.db');
  return { a: track(new SqliteMetaStore(file)), b: track(new SqliteMetaStore(file)) };
});

describeFeatureStores('postgres', async (): Promise<FeatureStoresPair> => {
  const url = await server.createDatabase();
  const [ma, mb] = await Promise.all([PostgresMetaStore.open({ url }), PostgresMetaStore.open({ url })]);
  return { a: track(ma), b: track(mb) };
});

test('postgres audit log: UPDATE, DELETE and TRUNCATE are refused by the trigger', async () => {
  const url = await server.createDatabase();
  const stores = track(await PostgresMetaStore.open({ url }));
  await stores.audit.append([{ time: new Date().toISOString(), action: 'login', outcome: 'ok', actorKind: 'user', actor: 'a', ip: null, repo: null, digest: null, tag: null, detail: null }]);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    for (const sql of ["UPDATE audit_log SET actor = 'mallory'", 'DELETE FROM audit_log', 'TRUNCATE audit_log']) {
      await assert.rejects(client.query(sql), /append-only/, sql);
    }
    assert.equal((await client.query('SELECT count(*)::int AS n FROM audit_log')).rows[0].n, 1);
  } finally {
    await client.end();
  }
});
