// PostgresMetaStore against a real PostgreSQL (Debian's postgresql, started in a temp dir).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { PostgresMetaStore } from '../../src/registry/meta-store/postgres.js';
import { postgresMigrations } from '../../src/registry/meta-store/postgres-migrations.js';
import { pgTransaction } from '../../src/registry/meta-store/pg-tx.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { describeMetaStore } from './meta-store-suite.js';

let server: TestPostgres;
const opened: MetaStore[] = [];

before(async () => {
  server = await startPostgres();
});
after(async () => {
  for (const m of opened) await m.close();
  await server.stop();
});

async function open(url: string): Promise<PostgresMetaStore> {
  const m = await PostgresMetaStore.open({ url });
  opened.push(m);
  return m;
}

describeMetaStore('postgres', async () => open(await server.createDatabase()));

test('postgres: two stores over one database see each other, and start together safely', async () => {
  const url = await server.createDatabase();
  // Both migrate at once: the advisory lock serialises them, so neither fails.
  const [a, b] = await Promise.all([open(url), open(url)]);
  await a.putManifest({ repo: 'team/app', digest: digestOf('m'), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 1 }, 'v1');
  assert.equal((await b.resolveTag('team/app', 'v1'))?.digest, digestOf('m'));
  assert.deepEqual(await b.listRepositories({ n: 10 }), ['team/app']);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<{ version: number }>('SELECT version FROM bosun_schema');
  await client.end();
  assert.deepEqual(rows, [{ version: postgresMigrations.length }]);
});

test('postgres: concurrent pushes from two stores into new repositories and one tag all commit', async () => {
  const url = await server.createDatabase();
  const [a, b] = await Promise.all([open(url), open(url)]);
  const records = Array.from({ length: 20 }, (_, i) => ({ repo: `r${i % 4}`, digest: digestOf(`m${i}`), mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 2 }));
  // Same new repository names and the same tags raced from both pools at once.
  await Promise.all(records.map((r, i) => (i % 2 === 0 ? a : b).putManifest(r, 'latest')));
  assert.deepEqual(await a.listRepositories({ n: 10 }), ['r0', 'r1', 'r2', 'r3']);
  for (const r of records) assert.ok(await b.getManifest(r.repo, r.digest), r.repo);
  for (const repo of ['r0', 'r1', 'r2', 'r3']) {
    const tagged = await b.resolveTag(repo, 'latest');
    assert.ok(records.some((r) => r.repo === repo && r.digest === tagged?.digest));
  }
});

test('postgres: repositoriesLinking reads the (digest, repo_id) index in order, no sort', async () => {
  const m = await open(await server.createDatabase());
  const client = new pg.Client({ connectionString: m.pool.options.connectionString });
  await client.connect();
  // Enough links for the planner to prefer an index: 300 repositories x 20 digests.
  await client.query(`INSERT INTO repositories (name) SELECT 'r' || i FROM generate_series(1, 300) i`);
  await client.query(`INSERT INTO blob_links (repo_id, digest, size) SELECT r.id, 'sha256:' || d, 1 FROM repositories r, generate_series(1, 20) d`);
  await client.query('ANALYZE blob_links');
  // Record the statement the store sends, then explain exactly that.
  const sent: string[] = [];
  const query = m.pool.query.bind(m.pool);
  m.pool.query = ((sql: string, params: unknown[]) => (sent.push(sql), query(sql, params))) as typeof m.pool.query;
  assert.deepEqual(await m.repositoriesLinking('sha256:7' as never, 3), ['r1', 'r2', 'r3']);
  const { rows } = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sent[0]!}`, ['sha256:7', 100]);
  await client.end();
  const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
  assert.match(plan, /Index (Only )?Scan using blob_links_by_digest_repo/, plan);
  assert.doesNotMatch(plan, /Sort|Seq Scan on blob_links/, plan);
});

test('postgres: a database from a newer bosun is refused', async () => {
  const url = await server.createDatabase();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`CREATE TABLE bosun_schema (version INTEGER NOT NULL); INSERT INTO bosun_schema VALUES (${postgresMigrations.length + 1})`);
  await client.end();
  await assert.rejects(PostgresMetaStore.open({ url }), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
});

test('postgres: an unreachable server is STORE_FAILED, and so is a query after the server is gone', async () => {
  await assert.rejects(PostgresMetaStore.open({ url: `${server.url('nosuchdb')}` }), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
  const url = await server.createDatabase();
  const m = await open(url);
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  const name = /\/(\w+)\?/.exec(url)![1]!;
  // Refuse new connections, then kill the store's open ones: the next queries must fail cleanly.
  await admin.query(`ALTER DATABASE ${name} ALLOW_CONNECTIONS false`);
  await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [name]);
  await admin.end();
  await assert.rejects(m.putManifest({ repo: 'r', digest: digestOf('x'), mediaType: 't', size: 1 }), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
  await assert.rejects(m.listTags('r', { n: 1 }), (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'));
});

/** Ends every server connection to the database of `url` but the caller's own. */
async function dropConnections(url: string): Promise<void> {
  const admin = new pg.Client({ connectionString: server.url() });
  await admin.connect();
  try {
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [/\/(\w+)\?/.exec(url)![1]!]);
  } finally {
    await admin.end();
  }
}

// pg emits `error` on a checked-out connection whose server side goes away; unheard, that event
// is an uncaught exception that ends the registry process (and fails this test file).
test('postgres: the server dropping a held connection fails the statement, never the process', async () => {
  const url = await server.createDatabase();
  const m = await open(url);
  const lifecycle = m.lifecycle();
  // GC holds its lock connection, idle, for the whole run
  const value = await lifecycle.runExclusive!(async () => {
    await dropConnections(url);
    await new Promise((r) => setTimeout(r, 300));
    return 'ran';
  });
  assert.equal(value, 'ran');
  // a transaction whose connection drops between statements fails with the store's code
  await assert.rejects(
    pgTransaction(m.pool, 'test', 'dropped', async (c) => {
      await c.query('SELECT 1');
      await dropConnections(url);
      await new Promise((r) => setTimeout(r, 300));
      await c.query('SELECT 1');
    }),
    (e) => isBosunError(e, 'REGISTRY_SERVE_STORE_FAILED'),
  );
  // and the store still works on fresh connections
  await m.putManifest({ repo: 'r', digest: digestOf('after'), mediaType: 't', size: 1 }, 'v1');
  assert.equal((await m.resolveTag('r', 'v1'))?.digest, digestOf('after'));
});
