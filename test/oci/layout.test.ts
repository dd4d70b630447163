import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { digestOf, hexOf, type Digest } from '../../src/oci/digest.js';
import { buildIndex } from '../../src/oci/image-builder.js';
import * as layout from '../../src/oci/layout.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import type { Descriptor, Index } from '../../src/oci/types.js';
import { snapshot, twoLayerImage } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const blob = (dir: string, d: string) => join(dir, 'blobs', 'sha256', d.slice('sha256:'.length));

test('layout round trip: write then read gives the same digests, config and layer bytes', async () => {
  const dir = await tempDir('layout');
  const img = await twoLayerImage();
  const desc = await layout.write(dir, img, { tag: 'v1' });
  assert.equal(desc.digest, await img.digest());
  const back = await layout.image(dir, { tag: 'v1' });
  assert.deepEqual(await snapshot(back), await snapshot(img));
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  assert.deepEqual(index.manifests.map((d) => d.annotations?.[layout.refNameAnnotation]), ['v1']);
});

test('layout write replaces the entry of the same tag and keeps others', async () => {
  const dir = await tempDir('layout-tags');
  const a = await twoLayerImage('amd64');
  const b = await twoLayerImage('arm64');
  await layout.write(dir, a, { tag: 'x' });
  await layout.write(dir, a, { tag: 'keep' });
  await layout.write(dir, b, { tag: 'x' });
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  assert.deepEqual(index.manifests.map((d) => [d.annotations?.[layout.refNameAnnotation], d.digest]), [
    ['keep', await a.digest()],
    ['x', await b.digest()],
  ]);
  assert.equal(await (await layout.image(dir, { tag: 'x' })).digest(), await b.digest());
});

test('layout index: platform selection, default platform, get returns the index', async () => {
  const dir = await tempDir('layout-index');
  const amd = await twoLayerImage('amd64');
  const arm = await twoLayerImage('arm64');
  const idx = await buildIndex([amd, arm]);
  await layout.write(dir, idx, { tag: 'multi' });
  const got = await layout.get(dir, { tag: 'multi' });
  assert.equal(got.kind, 'index');
  assert.equal(await (await layout.image(dir, { tag: 'multi', platform: { os: 'linux', architecture: 'arm64' } })).digest(), await arm.digest());
  assert.equal(await (await layout.image(dir, { tag: 'multi' })).digest(), await amd.digest());
  await assert.rejects(layout.image(dir, { tag: 'multi', platform: { os: 'linux', architecture: 's390x' } }), (e) => isBosunError(e, 'OCI_PLATFORM_NOT_FOUND'));
});

// Wraps the index tagged `tag` in `depth` more indexes, each a blob, the outermost tagged `tag`.
async function nestIndex(dir: string, tag: string, depth: number): Promise<void> {
  const index = JSON.parse(await readFile(join(dir, 'index.json'), 'utf8')) as Index;
  let inner = index.manifests.find((d) => d.annotations?.[layout.refNameAnnotation] === tag)!;
  for (let i = 0; i < depth; i++) {
    const raw = JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [{ mediaType: inner.mediaType, digest: inner.digest, size: inner.size, platform: { os: 'linux', architecture: 'amd64' } }] });
    const d = digestOf(raw);
    await writeFile(blob(dir, d), raw);
    inner = { mediaType: MediaTypes.ociIndex, digest: d, size: Buffer.byteLength(raw) };
  }
  const entry: Descriptor = { ...inner, annotations: { [layout.refNameAnnotation]: tag } };
  await writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [entry] }));
}

const depthCases = [
  { name: 'two nested indexes are followed', depth: 2, code: undefined },
  { name: 'indexes nested past the depth limit', depth: 6, code: 'LIMIT_EXCEEDED' },
] as const;
for (const c of depthCases) {
  test(`layout: ${c.name}`, async () => {
    const dir = await tempDir('layout-nest');
    const amd = await twoLayerImage('amd64');
    await layout.write(dir, await buildIndex([amd]), { tag: 't' });
    await nestIndex(dir, 't', c.depth);
    const read = layout.image(dir, { tag: 't' });
    if (c.code) await assert.rejects(read, (e) => isBosunError(e, c.code));
    else assert.equal(await (await read).digest(), await amd.digest());
  });
}

test('layout selection: the only entry without a selector, by digest, errors list tags', async () => {
  const dir = await tempDir('layout-sel');
  const a = await twoLayerImage('amd64');
  const b = await twoLayerImage('arm64');
  await layout.write(dir, a, { tag: 'a' });
  assert.equal(await (await layout.image(dir)).digest(), await a.digest());
  await layout.write(dir, b, { tag: 'b' });
  await assert.rejects(layout.image(dir), (e) => isBosunError(e, 'OCI_SELECTOR_AMBIGUOUS') && e.message.includes('"a"') && e.message.includes('"b"'));
  await assert.rejects(layout.image(dir, { tag: 'c' }), (e) => isBosunError(e, 'OCI_MANIFEST_UNKNOWN'));
  assert.equal(await (await layout.image(dir, { digest: await b.digest() })).digest(), await b.digest());
});

interface Hostile {
  name: string;
  code: string;
  spoil: (dir: string, m: { manifest: Digest; config: Digest; layer: Digest }) => Promise<void>;
}
const hostile: Hostile[] = [
  { name: 'index.json over the size cap', code: 'LIMIT_EXCEEDED', spoil: (dir) => writeFile(join(dir, 'index.json'), `{"schemaVersion":2,"manifests":[]${' '.repeat(5 * 1024 * 1024)}}`) },
  { name: 'a layer blob that does not match its digest', code: 'OCI_DIGEST_MISMATCH', spoil: async (dir, m) => {
    const b = await readFile(blob(dir, m.layer));
    b[b.length - 1] = b[b.length - 1]! ^ 0xff;
    await writeFile(blob(dir, m.layer), b);
  } },
  { name: 'a substituted manifest blob', code: 'OCI_DIGEST_MISMATCH', spoil: async (dir, m) => {
    const raw = await readFile(blob(dir, m.manifest), 'utf8');
    await writeFile(blob(dir, m.manifest), raw.replace(hexOf(m.config), 'f'.repeat(64)));
  } },
  { name: 'a missing layer blob', code: 'OCI_BLOB_UNKNOWN', spoil: (dir, m) => rm(blob(dir, m.layer)) },
  { name: 'a missing config blob', code: 'OCI_BLOB_UNKNOWN', spoil: (dir, m) => rm(blob(dir, m.config)) },
  { name: 'a blob that is a symlink out of the layout', code: 'OCI_PATH_UNSAFE', spoil: async (dir, m) => {
    await rm(blob(dir, m.layer));
    await symlink('/etc/passwd', blob(dir, m.layer));
  } },
  { name: 'no oci-layout file', code: 'OCI_SOURCE_INVALID', spoil: (dir) => rm(join(dir, 'oci-layout')) },
  { name: 'an unknown imageLayoutVersion', code: 'OCI_SOURCE_INVALID', spoil: (dir) => writeFile(join(dir, 'oci-layout'), '{"imageLayoutVersion":"2.0.0"}') },
  { name: 'a traversal in an index.json digest', code: 'OCI_MANIFEST_INVALID', spoil: (dir) =>
    writeFile(join(dir, 'index.json'), JSON.stringify({ schemaVersion: 2, manifests: [{ mediaType: MediaTypes.ociManifest, digest: 'sha256:../../../etc/passwd', size: 10 }] })) },
];
for (const c of hostile) {
  test(`layout refuses ${c.name} (${c.code})`, async () => {
    const dir = await tempDir('layout-hostile');
    const img = await twoLayerImage();
    const m = await img.manifest();
    await layout.write(dir, img, { tag: 't' });
    await c.spoil(dir, { manifest: await img.digest(), config: m.config.digest, layer: m.layers[1]!.digest });
    await assert.rejects(
      layout.image(dir).then(snapshot),
      (e) => isBosunError(e, c.code as never),
    );
  });
}

test('layout allows a blob symlink that stays inside the layout', async () => {
  const dir = await tempDir('layout-inner-link');
  const img = await twoLayerImage();
  await layout.write(dir, img, { tag: 't' });
  const layer = (await img.manifest()).layers[0]!.digest;
  const data = await readFile(blob(dir, layer));
  await writeFile(join(dir, 'elsewhere'), data);
  await rm(blob(dir, layer));
  await symlink(join('..', '..', 'elsewhere'), blob(dir, layer));
  assert.deepEqual(await snapshot(await layout.image(dir)), await snapshot(img));
  assert.equal(hexOf(layer).length, 64);
});
