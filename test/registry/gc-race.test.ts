// GC racing pushes, interleaved deterministically: hooks between GC's phases, and a MetaStore
// wrapper that holds a manifest put at the point where its transaction would start.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { ContentGuard } from '../../src/registry/lifecycle/content-guard.js';
import { collectGarbage } from '../../src/registry/lifecycle/gc.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { digestOf } from '../../src/oci/digest.js';
import { codeOf, imageManifest, pushBlob, putManifest } from './helpers.js';
import { blobStatus, harness, later, lifecycleBackends, manifestStatus, stored } from './lifecycle-helpers.js';

/** A MetaStore whose putManifest waits for `release()` once `hold()` was called. */
function holdingPuts(real: MetaStore): { meta: MetaStore; hold(): Promise<void>; release(): void } {
  let gate: Promise<void> | undefined;
  let open = () => {};
  let arrived = () => {};
  const meta = new Proxy(real, {
    get(target, prop) {
      if (prop === 'putManifest') {
        return async (...args: Parameters<MetaStore['putManifest']>) => {
          if (gate) {
            arrived();
            await gate;
          }
          return target.putManifest(...args);
        };
      }
      const v: unknown = Reflect.get(target, prop);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
  return {
    meta,
    hold: () => {
      gate = new Promise((r) => (open = r));
      return new Promise((r) => (arrived = r));
    },
    release: () => {
      gate = undefined;
      open();
    },
  };
}

const backends = lifecycleBackends();
after(() => backends.stop());

for (const b of backends.list) {
  test(`gc race (${b.name}): a blob uploaded after the mark, before the sweep, survives (even bytes the sweep had picked)`, async () => {
    const h = await harness({ meta: await b.meta() });
    const orphan = await pushBlob(h.app, 'r', 'orphaned long ago');
    await h.app.inject({ method: 'DELETE', url: `/v2/r/blobs/${orphan}` });
    let fresh: string | undefined;
    const report = await collectGarbage(h, {
      now: later(),
      hooks: {
        afterMark: async () => {
          fresh = await pushBlob(h.app, 'r', 'uploaded during gc');
        },
        beforeSweep: async (candidates) => {
          assert.ok(candidates.includes(orphan), 'the orphan was picked for deletion');
          // Same bytes again: the store already holds them, so only a link is written.
          await pushBlob(h.app, 'other', 'orphaned long ago');
        },
      },
    });
    assert.deepEqual(report.blobs, []);
    assert.equal(await blobStatus(h.app, 'other', orphan), 200);
    assert.equal(await blobStatus(h.app, 'r', fresh as never), 200);
    const body = await h.app.inject({ method: 'GET', url: `/v2/other/blobs/${orphan}` });
    assert.equal(body.body, 'orphaned long ago');
    await h.app.close();
  });

  test(`gc race (${b.name}): a manifest put whose layer is swept meanwhile fails with MANIFEST_BLOB_UNKNOWN, never pointing at deleted content`, async () => {
    const held = holdingPuts(await b.meta());
    const h = await harness({ meta: held.meta });
    const img = await imageManifest(h.app, 'r', {}, 'racing');
    const arrived = held.hold();
    // The route's own reference check passes now; the put then waits at its transaction.
    const put = putManifest(h.app, 'r', 'v1', img.raw);
    await arrived;
    const report = await collectGarbage(h, { now: later() });
    assert.deepEqual(report.blobs.map((b) => b.digest).sort(), [img.config, img.layer].sort());
    // The manifest's own bytes are in use by the waiting put: the sweep skipped them.
    assert.ok(await stored(h.blobs, img.digest));
    held.release();
    const res = await put;
    assert.equal(res.statusCode, 400);
    assert.equal(codeOf(res), 'MANIFEST_BLOB_UNKNOWN');
    assert.equal(await manifestStatus(h.app, 'r', 'v1'), 404);
    assert.equal(await manifestStatus(h.app, 'r', img.digest), 404);
    await h.app.close();
  });

  test(`gc race (${b.name}): a manifest put that commits before the sweep keeps its blobs`, async () => {
    const held = holdingPuts(await b.meta());
    const h = await harness({ meta: held.meta });
    const img = await imageManifest(h.app, 'r', {}, 'first');
    const arrived = held.hold();
    const put = putManifest(h.app, 'r', 'v1', img.raw);
    await arrived;
    held.release();
    assert.equal((await put).statusCode, 201);
    const report = await collectGarbage(h, { now: later(), deleteUntagged: true });
    assert.deepEqual(report.blobs, []);
    assert.equal(await manifestStatus(h.app, 'r', 'v1'), 200);
    assert.equal(await blobStatus(h.app, 'r', img.layer), 200);
    await h.app.close();
  });
}

test('content guard: a sweep skips a digest in use; a use waits for a running sweep', async () => {
  const guard = new ContentGuard();
  const d = digestOf('x');
  let release = () => {};
  const using = guard.use(d, () => new Promise<void>((r) => (release = r)));
  assert.equal(await guard.sweep(d, async () => assert.fail('swept while in use')), false);
  release();
  await using;
  const order: string[] = [];
  let finishSweep = () => {};
  const sweeping = guard.sweep(d, () => new Promise<void>((r) => (finishSweep = () => (order.push('deleted'), r()))));
  const user = guard.use(d, async () => void order.push('used'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(order, []);
  finishSweep();
  assert.equal(await sweeping, true);
  await user;
  assert.deepEqual(order, ['deleted', 'used']);
});
