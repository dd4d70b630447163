// generateSbom end to end on the sample image (real debs from Debian's archive, real npm
// packages): every location names the layer its file came from, through replaced and deleted
// files, with and without the layer cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ImageBuilder } from '../../src/oci/image-builder.js';
import { LayerCache } from '../../src/oci/layer-cache.js';
import type { Image } from '../../src/oci/types.js';
import { defaultCatalogers } from '../../src/sbom/catalogers/index.js';
import { generateSbom } from '../../src/sbom/generate.js';
import type { Package } from '../../src/sbom/model.js';
import { buildSampleImage } from '../../scripts/lib/sample-image.js';
import { hasDebianTools } from '../../scripts/lib/sample-debian.js';
import { tempDir } from '../helpers/temp-dir.js';

const sample = buildSampleImage({ dir: process.env.BOSUN_SAMPLE_DIR });

/** The sample's Debian and npm layers, then one that replaces qs's package.json and deletes minimist and the lockfile. */
async function derivedImage(base: Image, npmDir: string): Promise<Image> {
  const b = new ImageBuilder();
  const layers = await base.layers();
  for (const l of layers.slice(0, -1)) b.addLayer(await l.uncompressed());
  const qs = JSON.parse(await readFile(join(npmDir, 'node_modules/qs/package.json'), 'utf8')) as Record<string, unknown>;
  b.addEntries([
    { path: 'app/', type: 'dir' },
    { path: 'app/.wh.package-lock.json' },
    { path: 'app/node_modules/', type: 'dir' },
    { path: 'app/node_modules/.wh.minimist' },
    { path: 'app/node_modules/qs/', type: 'dir' },
    { path: 'app/node_modules/qs/package.json', content: JSON.stringify({ ...qs, description: 'patched in layer 3' }) },
  ]);
  return b.build({ platform: { os: 'linux', architecture: 'amd64' } });
}

/** The image's methods bound to it, so one can be replaced in a copy. */
function bound(image: Image): Image {
  return { rawManifest: () => image.rawManifest(), manifest: () => image.manifest(), rawConfig: () => image.rawConfig(), config: () => image.config(), layers: () => image.layers(), digest: () => image.digest() };
}

const layersOf = (p: Package | undefined) => [...new Set(p?.locations.map((l) => l.layer))];

test('generateSbom: debs come from layer 1, npm packages from layer 2, the image described', { timeout: 300_000 }, async () => {
  const { image, debs } = await sample;
  const diffIds = (await image.config()).rootfs.diff_ids;
  const npmLayer = diffIds[diffIds.length - 2];
  const { sbom } = await generateSbom({ kind: 'image', name: 'sample', image, repoTags: ['bosun/sample:1.0'] });
  assert.deepEqual(sbom.source, {
    kind: 'image',
    name: 'sample',
    digest: await image.digest(),
    configDigest: (await image.manifest()).config.digest,
    platform: 'linux/amd64',
    layers: diffIds,
    repoTags: ['bosun/sample:1.0'],
  });
  const debPkgs = sbom.packages.filter((p) => p.type === 'deb');
  assert.deepEqual(debPkgs.map((p) => p.name).sort(), debs.map((d) => d.package).sort());
  for (const p of debPkgs) assert.deepEqual(layersOf(p), [diffIds[0]], p.name);
  const lodash = sbom.packages.find((p) => p.purl === 'pkg:npm/lodash@4.17.20');
  assert.deepEqual(layersOf(lodash), [npmLayer]);
  assert.ok(lodash!.locations.some((l) => l.path === '/app/node_modules/lodash/package.json'));
  if (hasDebianTools()) assert.equal(sbom.os?.id, 'debian');
});

test('generateSbom: a file replaced by layer 3 reports layer 3; deleted files report nothing; the cache changes nothing', { timeout: 300_000 }, async () => {
  const { image, npmDir } = await sample;
  const derived = await derivedImage(image, npmDir);
  const diffIds = (await derived.config()).rootfs.diff_ids;
  const top = diffIds[diffIds.length - 1];
  const cache = new LayerCache(await tempDir('generate-cache'));
  const cold = await generateSbom({ kind: 'image', name: 'derived', image: derived }, { layerCache: cache });
  assert.equal(cold.cachedLayers, 0);
  // Whole-image hit: the same layer stack is not read at all (layers() would throw), and the
  // source describes this invocation, not the one that filled the cache.
  const unreadable: Image = { ...bound(derived), layers: () => Promise.reject(new Error('layers read on a whole-image hit')) };
  const hit = await generateSbom({ kind: 'image', name: 'again', image: unreadable, repoTags: ['x:1'] }, { layerCache: cache });
  assert.equal(hit.cachedLayers, diffIds.length);
  assert.deepEqual(hit.sbom, { ...cold.sbom, source: { ...cold.sbom.source, name: 'again', repoTags: ['x:1'] } });
  // Another cataloger set is another key: that run reads (replays) the layers.
  await assert.rejects(generateSbom({ kind: 'image', name: 'derived', image: unreadable }, { layerCache: cache, catalogers: defaultCatalogers.slice(1) }), /layers read/);
  // Without the whole-image result, every layer is replayed from its per-layer record.
  for (const f of await readdir(cache.dir)) if (f.startsWith('sbom-')) await rm(join(cache.dir, f));
  const warm = await generateSbom({ kind: 'image', name: 'derived', image: derived }, { layerCache: cache });
  assert.equal(warm.cachedLayers, diffIds.length);
  assert.deepEqual(warm.sbom, cold.sbom);
  const { sbom } = cold;
  const qs = sbom.packages.find((p) => p.name === 'qs');
  assert.deepEqual(qs?.locations, [{ path: '/app/node_modules/qs/package.json', layer: top }]);
  assert.equal(sbom.packages.find((p) => p.name === 'minimist'), undefined);
  assert.ok(sbom.packages.every((p) => p.locations.every((l) => l.path !== '/app/package-lock.json')));
  assert.ok(sbom.packages.some((p) => p.name === 'lodash'));
});

test('generateSbom: a directory is cataloged as a rootfs, with no layers', async () => {
  const { npmDir } = await sample;
  const { sbom, cachedLayers } = await generateSbom({ kind: 'directory', name: npmDir, path: npmDir });
  assert.equal(cachedLayers, 0);
  assert.deepEqual(sbom.source, { kind: 'directory', name: npmDir });
  const lodash = sbom.packages.find((p) => p.purl === 'pkg:npm/lodash@4.17.20');
  assert.deepEqual(lodash?.locations.map((l) => l.path).sort(), ['/node_modules/lodash/package.json', '/package-lock.json']);
  assert.ok(sbom.packages.every((p) => p.locations.every((l) => l.layer === undefined)));
});
