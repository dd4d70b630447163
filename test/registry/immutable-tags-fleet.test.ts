// Immutable tags across processes: two registry apps over one database (each with its own
// connection, guard and rule cache), as two replicas or two servers on one meta.db would be.
// The check runs inside the write's transaction, so no in-process lock is what saves them.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { buildRegistryApp } from '../../src/registry/app.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import { openFeatureStores, type FeatureStores } from '../../src/registry/feature-stores.js';
import { immutableTags } from '../../src/registry/immutable-tags/extension.js';
import { ImmutableTagGuard } from '../../src/registry/immutable-tags/guard.js';
import { RuleSet } from '../../src/registry/immutable-tags/rules.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { PostgresMetaStore } from '../../src/registry/meta-store/postgres.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { postgresForFile } from '../helpers/postgres.js';
import { codeOf, imageManifest, putManifest } from './helpers.js';

const pg = postgresForFile();

/** Two MetaStores on one fresh database: separate connections, as separate processes have. */
const backends: Record<string, () => Promise<[MetaStore, MetaStore]>> = {
  sqlite: async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'bosun-fleet-tags-')), 'meta.db');
    return [new SqliteMetaStore(file), new SqliteMetaStore(file)];
  },
  postgres: async () => {
    const url = await pg.server().createDatabase();
    return Promise.all([PostgresMetaStore.open({ url }), PostgresMetaStore.open({ url })]);
  },
};

/** Two apps over the two stores and one blob store, each with the rule `prod/** : v*` and the stored rules. */
async function twoApps(metas: [MetaStore, MetaStore]): Promise<{ apps: FastifyInstance[]; stores: FeatureStores[] }> {
  const blobs = new MemoryBlobStore();
  const apps: FastifyInstance[] = [];
  const all: FeatureStores[] = [];
  for (const meta of metas) {
    const stores = openFeatureStores(meta);
    const spool = await new UploadSpool(await mkdtemp(join(tmpdir(), 'bosun-fleet-spool-'))).open();
    const { app } = await buildRegistryApp({ blobs, meta, spool, extensions: [immutableTags({ declared: [{ repository: 'prod/**', tag: 'v*' }], store: stores.rules })] });
    pg.defer(async () => {
      await app.close();
      await stores.close();
      await meta.close();
    });
    apps.push(app);
    all.push(stores);
  }
  return { apps, stores: all };
}

for (const [name, open] of Object.entries(backends)) {
  describe(`immutable tags across two apps on one ${name} database`, () => {
    test('pushes of different digests to one new protected tag, raced through both apps: exactly one wins, every round', async () => {
      const [a, b] = (await twoApps(await open())).apps;
      for (let round = 0; round < 4; round++) {
        const x = await imageManifest(a!, 'prod/race', {}, `x${round}`);
        const y = await imageManifest(a!, 'prod/race', {}, `y${round}`);
        const answers = await Promise.all([putManifest(a!, 'prod/race', `v${round}`, x.raw), putManifest(b!, 'prod/race', `v${round}`, y.raw)]);
        assert.deepEqual(answers.map((r) => r.statusCode).sort(), [201, 403], `round ${round}`);
        const loser = answers.find((r) => r.statusCode === 403)!;
        assert.equal(codeOf(loser), 'DENIED');
        const winner = answers[0]!.statusCode === 201 ? x : y;
        for (const app of [a!, b!]) {
          const head = await app.inject({ method: 'HEAD', url: `/v2/prod/race/manifests/v${round}` });
          assert.equal(head.headers['docker-content-digest'], winner.digest);
        }
      }
    });

    test('a rule stored through one app blocks moves and deletes on the other at once', async () => {
      const { apps: [a, b], stores } = await twoApps(await open());
      const x = await imageManifest(a!, 'team/app', {}, 'x');
      const y = await imageManifest(a!, 'team/app', {}, 'y');
      assert.equal((await putManifest(a!, 'team/app', 'stable', x.raw)).statusCode, 201);
      assert.equal((await putManifest(b!, 'team/app', 'stable', y.raw)).statusCode, 201, 'no rule yet');
      await stores[0]!.rules.add({ repository: 'team/*', tag: 'stable' });
      const moved = await putManifest(b!, 'team/app', 'stable', x.raw);
      assert.equal(moved.statusCode, 403);
      assert.equal(codeOf(moved), 'DENIED');
      assert.equal((await b!.inject({ method: 'DELETE', url: '/v2/team/app/manifests/stable' })).statusCode, 403);
      assert.equal((await b!.inject({ method: 'DELETE', url: `/v2/team/app/manifests/${y.digest}` })).statusCode, 403);
    });

    test('guards over two stores, their puts interleaved at every await: one commits, one is REGISTRY_TAG_IMMUTABLE', async () => {
      const metas = await open();
      pg.defer(async () => {
        for (const m of metas) await m.close();
      });
      const rules = new RuleSet([{ repository: '**', tag: 'v*' }]);
      const record = (digest: string) => ({ repo: 'r', digest: digest as `sha256:${string}`, mediaType: 'application/vnd.oci.image.manifest.v1+json', size: 2 });
      const puts = metas.map((m, i) => new ImmutableTagGuard(m, rules).putManifest(record(`sha256:${String(i + 1).repeat(64)}`), 'v1'));
      const settled = await Promise.allSettled(puts);
      assert.deepEqual(settled.map((s) => s.status).sort(), ['fulfilled', 'rejected']);
      assert.ok(isBosunError((settled.find((s) => s.status === 'rejected') as PromiseRejectedResult).reason, 'REGISTRY_TAG_IMMUTABLE'));
    });
  });
}

test('two processes on one meta.db racing pushes to the same protected tags: exactly one wins each tag', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-tag-procs-'));
  const file = join(dir, 'meta.db');
  await new SqliteMetaStore(file).close();
  const go = join(dir, 'go');
  const racer = new URL('../helpers/sqlite-tag-racer.ts', import.meta.url).pathname;
  const count = 40;
  const run = (seed: string) =>
    new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', racer, file, seed, String(count), go], (err, stdout) => (err ? reject(err) : resolve(stdout)));
    });
  const both = Promise.all([run('one'), run('two')]);
  // Both processes are up and polling for the go file before it appears.
  await new Promise((r) => setTimeout(r, 1500));
  await writeFile(go, '');
  const [one, two] = (await both).map((out) => out.trim().split('\n'));
  const meta = new SqliteMetaStore(file);
  try {
    for (let i = 0; i < count; i++) {
      const results = [one![i], two![i]].map((l) => l!.split(' ')[1]).sort();
      assert.deepEqual(results, ['denied', 'ok'], `tag v${i}`);
      const winner = one![i]!.endsWith('ok') ? 'one' : 'two';
      assert.equal((await meta.resolveTag('race', `v${i}`))?.digest, digestOf(`${winner}-${i}`));
    }
  } finally {
    await meta.close();
  }
});
