import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseManifest, parsePlatform, selectPlatform } from '../../src/oci/manifest.js';
import { isBosunError } from '../../src/errors.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import type { Index } from '../../src/oci/types.js';

const d = (n: string) => `sha256:${n.repeat(64).slice(0, 64)}` as const;
const enc = (o: unknown) => Buffer.from(JSON.stringify(o));
const image = { schemaVersion: 2, mediaType: MediaTypes.ociManifest, config: { mediaType: MediaTypes.ociConfig, digest: d('a'), size: 2 }, layers: [] };

const cases: Array<{ name: string; doc: unknown; type?: string; want: string }> = [
  { name: 'oci manifest', doc: image, want: 'manifest' },
  { name: 'docker v2s2 without mediaType field, typed by header', doc: { ...image, mediaType: undefined }, type: MediaTypes.dockerManifest, want: 'manifest' },
  { name: 'oci index', doc: { schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [] }, want: 'index' },
  { name: 'index by shape', doc: { schemaVersion: 2, manifests: [] }, want: 'index' },
  { name: 'schema 1', doc: { schemaVersion: 1, name: 'x', fsLayers: [] }, want: 'OCI_MANIFEST_UNSUPPORTED' },
  { name: 'schema 1 by header', doc: image, type: MediaTypes.dockerSchema1Signed, want: 'OCI_MANIFEST_UNSUPPORTED' },
  { name: 'header contradicts body', doc: image, type: MediaTypes.ociIndex, want: 'OCI_MANIFEST_INVALID' },
  { name: 'bad digest in layer', doc: { ...image, layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: 'sha256:zz', size: 1 }] }, want: 'OCI_MANIFEST_INVALID' },
  { name: 'negative size', doc: { ...image, config: { ...image.config, size: -1 } }, want: 'OCI_MANIFEST_INVALID' },
  { name: 'unknown media type', doc: { ...image, mediaType: 'application/vnd.example+json' }, want: 'OCI_MANIFEST_UNSUPPORTED' },
  { name: 'not an object', doc: [1, 2], want: 'OCI_MANIFEST_INVALID' },
];
for (const c of cases) {
  test(`parseManifest: ${c.name}`, () => {
    const run = () => parseManifest(enc(c.doc), 'm', c.type);
    if (c.want === 'manifest' || c.want === 'index') assert.equal(run().kind, c.want);
    else assert.throws(run, (e) => isBosunError(e, c.want as never));
  });
}

test('parseManifest refuses a manifest over 4 MiB before parsing', () => {
  const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  assert.throws(() => parseManifest(big, 'm'), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

test('parseManifest rejects invalid JSON with a code', () => {
  assert.throws(() => parseManifest(Buffer.from('{'), 'm'), (e) => isBosunError(e, 'OCI_MANIFEST_INVALID'));
});

const idx: Index = {
  schemaVersion: 2,
  mediaType: MediaTypes.ociIndex,
  manifests: [
    { mediaType: MediaTypes.ociManifest, digest: d('1'), size: 1, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
    { mediaType: MediaTypes.ociManifest, digest: d('2'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
    { mediaType: MediaTypes.ociManifest, digest: d('3'), size: 1, platform: { os: 'linux', architecture: 'arm', variant: 'v6' } },
    { mediaType: MediaTypes.ociManifest, digest: d('4'), size: 1, platform: { os: 'unknown', architecture: 'unknown' } },
  ],
};
const platforms = [
  { want: undefined, got: d('2') },
  { want: 'linux/amd64', got: d('2') },
  { want: 'linux/arm64', got: d('1') }, // arm64 implies v8
  { want: 'linux/arm64/v8', got: d('1') },
  { want: 'linux/arm/v6', got: d('3') },
  { want: 'linux/arm/v7', got: 'OCI_PLATFORM_NOT_FOUND' },
  { want: 'unknown/unknown', got: 'OCI_PLATFORM_NOT_FOUND' }, // attestation manifests never count
  { want: 'windows/amd64', got: 'OCI_PLATFORM_NOT_FOUND' },
];
for (const c of platforms) {
  test(`selectPlatform ${c.want ?? '(default)'}`, () => {
    const run = () => selectPlatform(idx, c.want ? parsePlatform(c.want) : undefined, 'i').digest;
    if (c.got.startsWith('sha256:')) assert.equal(run(), c.got);
    else assert.throws(run, (e) => isBosunError(e, 'OCI_PLATFORM_NOT_FOUND'));
  });
}

test('selectPlatform without --platform takes the only image of a single-platform index', () => {
  const one: Index = { ...idx, manifests: [idx.manifests[0]!, idx.manifests[3]!] };
  assert.equal(selectPlatform(one, undefined, 'i').digest, d('1'));
});

for (const bad of ['linux', 'linux/amd64/v8/x', 'linux/', 'linux/am d64']) {
  test(`parsePlatform rejects "${bad}"`, () => assert.throws(() => parsePlatform(bad), (e) => isBosunError(e, 'INPUT_INVALID')));
}
