// The per-layer squash cache: a warm squash equals a cold one and opens no layer stream; corrupt,
// oversized, foreign and poisoned records are never trusted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { LayerCache } from '../../src/oci/layer-cache.js';
import { squash, type SquashOptions } from '../../src/oci/squash.js';
import type { Image, Layer } from '../../src/oci/types.js';
import { tarOf, type LayerEntry } from '../../src/oci/image-builder.js';
import { imageFixture, text } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const globs = ['etc/os-release', 'usr/lib/os-release', '**/package.json', 'var/lib/dpkg/status', '**/*.jar'];

/** An image whose layers count every stream opened on them. */
function counting(image: Image): { image: Image; streams: () => number } {
  let n = 0;
  const wrap = (l: Layer): Layer => ({
    ...l,
    digest: () => l.digest(),
    diffId: () => l.diffId(),
    size: () => l.size(),
    mediaType: () => l.mediaType(),
    compressed: () => (n++, l.compressed()),
    uncompressed: () => (n++, l.uncompressed()),
  });
  return { image: { ...image, layers: async () => (await image.layers()).map(wrap) }, streams: () => n };
}

/** Everything a cataloger can observe of a tree: entries, contents, lookups and problems. */
async function snapshot(image: Image, opts: SquashOptions = {}): Promise<{ view: unknown; cachedLayers: number }> {
  await using tree = await squash(image, globs, opts);
  const files: unknown[] = [];
  for await (const e of tree.glob(['**'])) {
    const body = await tree.open(e).then(text, (err: { code: string }) => `!${err.code}`);
    files.push({ ...e, body });
  }
  const lookups = await Promise.all(['/etc/os-release', '/lib', '/app/gone/package.json'].map((p) => tree.lstat(p)));
  return { view: { files, lookups, problems: tree.problems }, cachedLayers: tree.cachedLayers };
}

const big = 'x'.repeat(3 * 1024 * 1024);
const cases: Array<{ name: string; layers: LayerEntry[][] }> = [
  {
    name: 'files replaced, whited out and made opaque across layers',
    layers: [
      [{ path: 'etc/', type: 'dir' }, { path: 'etc/os-release', content: 'ID=debian\n' }, { path: 'app/gone/package.json', content: '{"name":"gone"}' }, { path: 'app/keep/package.json', content: '{"name":"keep"}' }],
      [{ path: 'app/.wh.gone', content: '' }, { path: 'app/keep/package.json', content: '{"name":"keep","v":2}' }, { path: 'opt/x/package.json', content: '{}' }],
      [{ path: 'opt/x/.wh..wh..opq', content: '' }, { path: 'opt/x/lib.jar', content: big }],
    ],
  },
  {
    name: 'hard links, symlinked parents and unsafe names',
    layers: [
      [{ path: 'usr/lib/os-release', content: 'ID=alpine\n' }, { path: 'lib', type: 'symlink', linkTarget: 'usr/lib' }, { path: 'etc/os-release', type: 'symlink', linkTarget: '../usr/lib/os-release' }],
      [{ path: 'lib/node_modules/a/package.json', content: '{"name":"a"}' }, { path: 'srv/package.json', type: 'hardlink', linkTarget: 'usr/lib/node_modules/a/package.json' }, { path: '../escape/package.json', content: '{}' }],
    ],
  },
];

for (const c of cases) {
  test(`layer cache: ${c.name}: warm equals cold and opens no layer`, async () => {
    const dir = await tempDir('layer-cache');
    const tars = await Promise.all(c.layers.map(tarOf));
    const cache = new LayerCache(dir);
    const plain = await snapshot((await imageFixture(tars)).image);
    const cold = counting((await imageFixture(tars)).image);
    const first = await snapshot(cold.image, { layerCache: cache });
    assert.equal(cold.streams(), tars.length);
    assert.equal(first.cachedLayers, 0);
    assert.equal((await readdir(cache.dir)).filter((f) => !f.startsWith('.')).length, tars.length);
    const warm = counting((await imageFixture(tars)).image);
    const second = await snapshot(warm.image, { layerCache: cache });
    assert.equal(warm.streams(), 0);
    assert.equal(second.cachedLayers, tars.length);
    assert.deepEqual(first.view, plain.view);
    assert.deepEqual(second.view, plain.view);
  });
}

test('layer cache: a corrupt record is ignored, the layer read again and the record rebuilt', async () => {
  const dir = await tempDir('layer-cache');
  const tars = await Promise.all(cases[0]!.layers.map(tarOf));
  const cache = new LayerCache(dir);
  const want = await snapshot((await imageFixture(tars)).image, { layerCache: cache });
  for (const f of (await readdir(cache.dir)).slice(0, 2)) {
    const raw = await readFile(join(cache.dir, f));
    raw[raw.length >> 1]! ^= 0xff;
    await writeFile(join(cache.dir, f), raw);
  }
  const img = counting((await imageFixture(tars)).image);
  const got = await snapshot(img.image, { layerCache: cache });
  assert.equal(img.streams(), 2);
  assert.deepEqual(got.view, want.view);
  const again = counting((await imageFixture(tars)).image);
  assert.equal((await snapshot(again.image, { layerCache: cache })).cachedLayers, tars.length);
  assert.equal(again.streams(), 0);
});

test('layer cache: a record over the size cap is not written; other globs or caps miss', async () => {
  const dir = await tempDir('layer-cache');
  const tars = await Promise.all(cases[0]!.layers.map(tarOf));
  const small = new LayerCache(dir, { maxRecordBytes: 1024 * 1024 });
  await snapshot((await imageFixture(tars)).image, { layerCache: small });
  assert.equal((await readdir(small.dir)).length, 2); // the layer with the 3 MiB jar is not cached
  const other = counting((await imageFixture(tars)).image);
  await using tree = await squash(other.image, ['**/*.jar'], { layerCache: small });
  assert.equal(tree.cachedLayers, 0);
  assert.notEqual(LayerCache.keyOf(globs, 1), LayerCache.keyOf(globs, 2));
  assert.equal(LayerCache.keyOf(['b', 'a', 'a'], 1), LayerCache.keyOf(['a', 'b'], 1));
});

test('layer cache: a layer replayed on another base falls back to its stream when a symlink relocates a file', async () => {
  const dir = await tempDir('layer-cache');
  const cache = new LayerCache(dir);
  const upper = await tarOf([{ path: 'lib/os-release', content: 'ID=relocated\n' }]);
  const plainBase = await tarOf([{ path: 'lib/', type: 'dir' }]);
  const linkedBase = await tarOf([{ path: 'usr/lib/', type: 'dir' }, { path: 'lib', type: 'symlink', linkTarget: 'usr/lib' }]);
  await snapshot((await imageFixture([plainBase, upper])).image, { layerCache: cache }); // records `upper` without content
  const img = counting((await imageFixture([linkedBase, upper])).image);
  await using tree = await squash(img.image, globs, { layerCache: cache });
  assert.equal(await text(await tree.open((await tree.stat('/usr/lib/os-release'))!)), 'ID=relocated\n');
  assert.equal(img.streams(), 2);
});

test('layer cache: a layer whose diffID lies writes no record', async () => {
  const dir = await tempDir('layer-cache');
  const cache = new LayerCache(dir);
  const good = await tarOf([{ path: 'etc/os-release', content: 'ID=a\n' }]);
  const bad = await tarOf([{ path: 'etc/os-release', content: 'ID=b\n' }]);
  const lying = await imageFixture([good], { blobs: [gzipSync(bad)] });
  await assert.rejects(squash(lying.image, globs, { layerCache: cache }), { code: 'OCI_DIGEST_MISMATCH' });
  assert.deepEqual(await readdir(cache.dir).catch(() => []), []);
  await cache.clean();
});
