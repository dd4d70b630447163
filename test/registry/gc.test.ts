// Garbage collection: which manifests, links and content a mark-and-sweep keeps, one row per
// scenario; dry runs; the grace period.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { lifecycleExtension } from '../../src/registry/lifecycle/extension.js';
import { collectGarbage, type GcOptions } from '../../src/registry/lifecycle/gc.js';
import { blobStatus, harness, later, lifecycleBackends, manifestStatus, pushImage, pushIndex, pushReferrer, stored, type Harness } from './lifecycle-helpers.js';
import { pushBlob } from './helpers.js';

interface Expect {
  /** Manifests that must still resolve (and whose content is stored). */
  manifests?: Array<[string, Digest]>;
  /** Manifests that must be gone (404). */
  goneManifests?: Array<[string, Digest]>;
  /** Blobs still linked in the repository and readable. */
  blobs?: Array<[string, Digest]>;
  /** Blob links that must be gone (404), the content possibly kept for another repository. */
  goneLinks?: Array<[string, Digest]>;
  /** Content that must be deleted from the store. */
  goneContent?: Digest[];
}

interface Scenario {
  name: string;
  gc: GcOptions;
  setup: (h: Harness) => Promise<Expect>;
}

const scenarios: Scenario[] = [
  {
    name: 'a layer shared across repositories outlives one repository deleting its image',
    gc: {},
    setup: async ({ app }) => {
      const a = await pushImage(app, 'team/a', 'shared', 'v1');
      const b = await pushImage(app, 'team/b', 'shared', 'v1');
      assert.equal(a.layer, b.layer);
      assert.equal((await app.inject({ method: 'DELETE', url: `/v2/team/a/manifests/${a.digest}` })).statusCode, 202);
      return { manifests: [['team/b', b.digest]], blobs: [['team/b', b.layer], ['team/b', b.config]], goneLinks: [['team/a', a.layer], ['team/a', a.config]] };
    },
  },
  {
    name: 'content only a deleted manifest referenced goes, with its links',
    gc: {},
    setup: async ({ app }) => {
      const keep = await pushImage(app, 'r', 'keep', 'v1');
      const drop = await pushImage(app, 'r', 'drop', 'v2');
      await app.inject({ method: 'DELETE', url: `/v2/r/manifests/${drop.digest}` });
      return { manifests: [['r', keep.digest]], blobs: [['r', keep.layer]], goneLinks: [['r', drop.layer]], goneContent: [drop.digest, drop.layer, drop.config] };
    },
  },
  {
    name: 'untagged children of a tagged index are kept even with deleteUntagged',
    gc: { deleteUntagged: true },
    setup: async ({ app }) => {
      const amd = await pushImage(app, 'multi', 'amd64');
      const arm = await pushImage(app, 'multi', 'arm64');
      const index = await pushIndex(app, 'multi', [amd.digest, arm.digest], 'latest');
      return { manifests: [['multi', index], ['multi', amd.digest], ['multi', arm.digest]], blobs: [['multi', amd.layer], ['multi', arm.layer]] };
    },
  },
  {
    name: 'an untagged manifest is kept by default',
    gc: {},
    setup: async ({ app }) => {
      const loose = await pushImage(app, 'r', 'loose');
      return { manifests: [['r', loose.digest]], blobs: [['r', loose.layer], ['r', loose.config]] };
    },
  },
  {
    name: 'an untagged manifest and its blobs go with deleteUntagged; the tagged one stays',
    gc: { deleteUntagged: true },
    setup: async ({ app }) => {
      const loose = await pushImage(app, 'r', 'loose');
      const tagged = await pushImage(app, 'r', 'tagged', 'v1');
      return { manifests: [['r', tagged.digest]], goneManifests: [['r', loose.digest]], goneContent: [loose.digest, loose.layer, loose.config] };
    },
  },
  {
    name: 'referrers (and referrers of referrers) die with their deleted subject',
    gc: {},
    setup: async ({ app }) => {
      const img = await pushImage(app, 'r', 'img', 'v1');
      const sig = await pushReferrer(app, 'r', img.digest, 'sig');
      const sigOfSig = await pushReferrer(app, 'r', sig.digest, 'sig-of-sig');
      await app.inject({ method: 'DELETE', url: `/v2/r/manifests/${img.digest}` });
      return {
        goneManifests: [['r', sig.digest], ['r', sigOfSig.digest]],
        goneContent: [img.digest, img.layer, sig.digest, sig.layer, sig.config, sigOfSig.digest, sigOfSig.layer],
      };
    },
  },
  {
    name: 'referrers of a live subject are kept even with deleteUntagged',
    gc: { deleteUntagged: true },
    setup: async ({ app }) => {
      const img = await pushImage(app, 'r', 'img', 'v1');
      const sbom = await pushReferrer(app, 'r', img.digest, 'sbom');
      return { manifests: [['r', img.digest], ['r', sbom.digest]], blobs: [['r', sbom.layer], ['r', sbom.config]] };
    },
  },
  {
    name: 'a blob never referenced by a manifest goes once past the grace period',
    gc: {},
    setup: async ({ app }) => {
      const orphan = await pushBlob(app, 'r', 'uploaded, never used');
      return { goneLinks: [['r', orphan]], goneContent: [orphan] };
    },
  },
  {
    name: 'within the grace period nothing goes: fresh uploads, fresh untagged manifests',
    gc: { now: Date.now() + 60_000, deleteUntagged: true },
    setup: async ({ app }) => {
      const orphan = await pushBlob(app, 'r', 'fresh upload');
      const loose = await pushImage(app, 'r', 'fresh');
      return { manifests: [['r', loose.digest]], blobs: [['r', orphan], ['r', loose.layer]] };
    },
  },
];

async function check(h: Harness, want: Expect): Promise<void> {
  for (const [repo, d] of want.manifests ?? []) {
    assert.equal(await manifestStatus(h.app, repo, d), 200, `manifest ${repo}@${d} kept`);
    assert.ok(await stored(h.blobs, d), `manifest content ${d} kept`);
  }
  for (const [repo, d] of want.goneManifests ?? []) assert.equal(await manifestStatus(h.app, repo, d), 404, `manifest ${repo}@${d} removed`);
  for (const [repo, d] of want.blobs ?? []) assert.equal(await blobStatus(h.app, repo, d), 200, `blob ${repo}@${d} kept`);
  for (const [repo, d] of want.goneLinks ?? []) assert.equal(await blobStatus(h.app, repo, d), 404, `link ${repo}@${d} removed`);
  for (const d of want.goneContent ?? []) assert.equal(await stored(h.blobs, d), false, `content ${d} deleted`);
}

const backends = lifecycleBackends();
after(() => backends.stop());

for (const [b, s] of backends.list.flatMap((backend) => scenarios.map((scenario) => [backend, scenario] as const))) {
  test(`gc (${b.name}): ${s.name}`, async () => {
    const h = await harness({ meta: await b.meta() });
    const want = await s.setup(h);
    const opts = { now: later(), ...s.gc };
    const dry = await collectGarbage(h, { ...opts, dryRun: true });
    // A dry run changes nothing: every blob that would go is still readable.
    for (const b of dry.blobs) assert.ok(await stored(h.blobs, b.digest));
    const real = await collectGarbage(h, opts);
    const key = (r: typeof real) => [r.manifests, r.links, r.blobs].map((l) => l.map((e) => `${e.repo}@${e.digest}`).sort());
    assert.deepEqual(key(dry), key(real), 'the dry run reports exactly what the real run removes');
    assert.equal(real.bytesFreed, real.blobs.reduce((n, b) => n + b.size, 0));
    await check(h, want);
    for (const d of want.goneContent ?? []) assert.ok(real.blobs.some((b) => b.digest === d), `report lists ${d}`);
    // A second run finds nothing more: the first one left no dangling state behind.
    const again = await collectGarbage(h, opts);
    assert.deepEqual([again.manifests.length, again.links.length, again.blobs.length], [0, 0, 0]);
    await h.app.close();
  });
}

for (const b of backends.list) {
  test(`gc (${b.name}): content deleted through DELETE /blobs is collected, and a re-upload afterwards works`, async () => {
    const h = await harness({ meta: await b.meta() });
    const d = await pushBlob(h.app, 'r', 'short-lived');
    assert.equal((await h.app.inject({ method: 'DELETE', url: `/v2/r/blobs/${d}` })).statusCode, 202);
    const report = await collectGarbage(h, { now: later() });
    assert.deepEqual(report.blobs.map((b) => b.digest), [d]);
    assert.equal(await stored(h.blobs, d), false);
    await pushBlob(h.app, 'r', 'short-lived');
    assert.equal(await blobStatus(h.app, 'r', d), 200);
    await h.app.close();
  });

  test(`gc and retention (${b.name}) run on their schedules inside the server, and stop with it`, async () => {
    const config = {
      // A grace period longer than one push takes: with none, the scheduled GC may sweep the
      // links of blobs pushed a moment before their manifest (which then fails, correctly).
      gc: { every: '100ms', grace: '3s', deleteUntagged: true },
      retention: { every: '100ms', pullFlush: '30s', rules: [{ repositories: 'r', keepLastPushed: 1 }] },
    };
    const h = await harness({ meta: await b.meta(), extensions: [lifecycleExtension(config)] });
    const old = await pushImage(h.app, 'r', 'old', 'v1');
    await new Promise((r) => setTimeout(r, 3));
    const kept = await pushImage(h.app, 'r', 'new', 'v2');
    const deadline = Date.now() + 20_000;
    while ((await stored(h.blobs, old.layer)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await stored(h.blobs, old.layer), false, 'retention untagged v1, then gc removed its content');
    assert.equal(await manifestStatus(h.app, 'r', 'v2'), 200);
    assert.equal(await blobStatus(h.app, 'r', kept.layer), 200);
    await h.app.close();
    // Stopped: an orphan made after close stays, however long we wait past the period.
    const orphan = digestOf('after close');
    await h.blobs.put(blobKey(orphan), Readable.from([Buffer.from('after close')]));
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(await stored(h.blobs, orphan));
  });
}
