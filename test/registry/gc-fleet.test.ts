// Garbage collection in a fleet: two registry apps (replicas) over one PostgreSQL database and
// one blob store, each with its own ContentGuard, as separate processes have. What keeps GC on
// one replica from deleting content another is about to reference is in the database.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { isBosunError } from '../../src/errors.js';
import { buildRegistryApp } from '../../src/registry/app.js';
import type { BlobStore } from '../../src/registry/blob-store/blob-store.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { lifecycleExtension } from '../../src/registry/lifecycle/extension.js';
import { collectGarbage } from '../../src/registry/lifecycle/gc.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { PostgresMetaStore } from '../../src/registry/meta-store/postgres.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { digestOf } from '../../src/oci/digest.js';
import { postgresForFile } from '../helpers/postgres.js';
import { pushBlob } from './helpers.js';
import { later, stored } from './lifecycle-helpers.js';

const pg = postgresForFile();

const lifecycle = { gc: { grace: '1h', deleteUntagged: false }, retention: { pullFlush: '1h', rules: [] } };

interface Replica {
  app: FastifyInstance;
  blobs: BlobStore;
  meta: MetaStore;
}

/** A replica over `blobs` (its own object: its own ContentGuard) and its own pool on `url`. */
async function replica(url: string, blobs: BlobStore): Promise<Replica> {
  const meta = await PostgresMetaStore.open({ url });
  const spool = await new UploadSpool(await mkdtemp(join(tmpdir(), 'bosun-gc-fleet-'))).open();
  const { app } = await buildRegistryApp({ blobs, meta, spool, extensions: [lifecycleExtension(lifecycle)] });
  pg.defer(async () => {
    await app.close();
    await meta.close();
  });
  return { app, blobs, meta };
}

/**
 * The shared store as one replica sees it: a stat of `key` answers, then waits for `go`
 * before returning, so the replica acts on a content check that may be stale by then.
 */
function pausingStat(inner: BlobStore, key: string): { blobs: BlobStore; paused: Promise<void>; go: () => void } {
  let go = () => {};
  let arrived = () => {};
  const gate = new Promise<void>((r) => (go = r));
  const paused = new Promise<void>((r) => (arrived = r));
  const blobs: BlobStore = Object.create(inner) as BlobStore;
  blobs.stat = async (k) => {
    const answer = await inner.stat(k);
    if (k === key) {
      arrived();
      await gate;
    }
    return answer;
  };
  return { blobs, paused, go };
}

test('gc on replica A does not delete content replica B has just found stored and is about to link', async () => {
  const url = await pg.server().createDatabase();
  const shared = new MemoryBlobStore();
  const a = await replica(url, shared);
  // Old content nothing references: GC's candidate.
  const orphan = await pushBlob(a.app, 'r', 'orphaned long ago');
  assert.equal((await a.app.inject({ method: 'DELETE', url: `/v2/r/blobs/${orphan}` })).statusCode, 202);
  const view = pausingStat(shared, blobKey(orphan));
  const b = await replica(url, view.blobs);
  // B uploads the same bytes: it finds them stored (so writes nothing) and will only link them.
  const upload = b.app.inject({ method: 'POST', url: `/v2/other/blobs/uploads/?digest=${orphan}`, payload: Buffer.from('orphaned long ago'), headers: { 'content-type': 'application/octet-stream' } });
  await view.paused;
  const report = await collectGarbage(a, { now: later() });
  assert.deepEqual(report.blobs, [], 'the digest B holds was skipped');
  assert.ok(await stored(shared, orphan));
  view.go();
  assert.equal((await upload).statusCode, 201);
  const pulled = await a.app.inject({ method: 'GET', url: `/v2/other/blobs/${orphan}` });
  assert.equal(pulled.statusCode, 200);
  assert.equal(pulled.body, 'orphaned long ago');
  // An ordinary run now: B's link is younger than the grace period, so link and content stay.
  const again = await collectGarbage(a, {});
  assert.deepEqual([again.links, again.blobs], [[], []]);
  assert.equal((await b.app.inject({ method: 'GET', url: `/v2/other/blobs/${orphan}` })).statusCode, 200);
});

test('gc and retention run on one replica at a time: a second run is REGISTRY_GC_BUSY until the first ends', async () => {
  const url = await pg.server().createDatabase();
  const shared = new MemoryBlobStore();
  const [a, b] = [await replica(url, shared), await replica(url, shared)];
  await pushBlob(a.app, 'r', digestOf('x'));
  let second: unknown;
  const first = await collectGarbage(a, {
    now: later(),
    hooks: {
      afterMark: async () => {
        second = await collectGarbage(b, { now: later() }).then(() => 'ran', (e: unknown) => e);
      },
    },
  });
  assert.ok(isBosunError(second, 'REGISTRY_GC_BUSY'), String(second));
  assert.equal(first.dryRun, false);
  const { applyRetention } = await import('../../src/registry/lifecycle/retention.js');
  assert.deepEqual((await applyRetention(b, [{ repositories: 'none', keepTags: [] }])).tags, [], 'free again once the first run ended');
});
