import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { ImageBuilder, tarOf, type AddLayerOptions, type BuildOptions } from '../../src/oci/image-builder.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { bytesOf } from '../helpers/oci-image.js';

test('tarOf writes what GNU tar lists: types, modes, link targets, hostile names kept', async () => {
  const tar = await tarOf([
    { path: 'etc/', type: 'dir' },
    { path: 'etc/passwd', content: 'root:x:0:0::/root:/bin/sh\n', mode: 0o600 },
    { path: 'etc/link', linkTarget: '/etc/passwd' },
    { path: 'etc/hard', type: 'hardlink', linkTarget: 'etc/passwd' },
    { path: '../escape', content: 'x' },
  ]);
  const listing = execFileSync('tar', ['-tvf', '-'], { input: tar }).toString().trim().split('\n');
  assert.match(listing[0]!, /^drwxr-xr-x .* etc\/$/);
  assert.match(listing[1]!, /^-rw------- .* 26 .* etc\/passwd$/);
  assert.match(listing[2]!, /^lrwxrwxrwx .* etc\/link -> \/etc\/passwd$/);
  assert.match(listing[3]!, /^hrwxrwxrwx .* etc\/hard link to etc\/passwd$/);
  assert.match(listing[4]!, /\.\.\/escape$/);
});

test('ImageBuilder computes digests and diffIDs, gzip and plain layers, config from options', async () => {
  const plain = await tarOf([{ path: 'a', content: 'a' }]);
  const img = await new ImageBuilder()
    .addLayer(plain)
    .addLayer(Readable.from([plain]), { compression: 'none', history: { created_by: 'second' } })
    .build({ platform: { os: 'linux', architecture: 'arm64', variant: 'v8' }, config: { Env: ['A=1'] }, format: 'docker' });
  const m = await img.manifest();
  assert.equal(m.mediaType, MediaTypes.dockerManifest);
  assert.deepEqual(m.layers.map((l) => l.mediaType), [MediaTypes.dockerLayerGzip, 'application/vnd.docker.image.rootfs.diff.tar']);
  const [gz, raw] = await img.layers();
  const gzBlob = await bytesOf(await gz!.compressed());
  assert.equal(await gz!.digest(), digestOf(gzBlob));
  assert.deepEqual(gunzipSync(gzBlob), plain);
  assert.equal(await raw!.digest(), digestOf(plain));
  assert.equal(await gz!.diffId(), digestOf(plain));
  const c = await img.config();
  assert.deepEqual([c.os, c.architecture, c.variant, c.config?.Env, c.history?.[1]?.created_by], ['linux', 'arm64', 'v8', ['A=1'], 'second']);
  assert.equal(await img.digest(), digestOf(await img.rawManifest()));
});

test('ImageBuilder is reproducible', async () => {
  const make = () => new ImageBuilder().addEntries([{ path: 'x', content: 'y' }]).build();
  assert.equal(await (await make()).digest(), await (await make()).digest());
});

test('ImageBuilder stores a given blob as is: zstd from Debian zstd reads back to the tar', async () => {
  const plain = await tarOf([{ path: 'etc/os-release', content: 'ID=debian\n' }]);
  const zstd = execFileSync('zstd', ['-q', '-c'], { input: plain });
  const img = await new ImageBuilder().addLayer(plain, { compression: 'zstd', blob: zstd }).build();
  const [layer] = await img.layers();
  assert.equal(await layer!.mediaType(), MediaTypes.ociLayerZstd);
  assert.deepEqual(await bytesOf(await layer!.compressed()), zstd);
  assert.equal(await layer!.diffId(), digestOf(plain));
  assert.deepEqual(await bytesOf(await layer!.uncompressed()), plain);
});

test('ImageBuilder: a blob that disagrees with its tar fails on read, unless diffID checks are off', async () => {
  const plain = await tarOf([{ path: 'a', content: 'a' }]);
  const lying = gzipSync(await tarOf([{ path: 'a', content: 'b' }]));
  const builder = new ImageBuilder().addLayer(plain, { blob: lying });
  const [checked] = await (await builder.build()).layers();
  await assert.rejects(checked!.uncompressed().then(bytesOf), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
  const [unchecked] = await (await builder.build({ read: { verifyDiffIds: false } })).layers();
  assert.deepEqual(gunzipSync(await bytesOf(await unchecked!.compressed())), await bytesOf(await unchecked!.uncompressed()));
});

test('ImageBuilder passes read options on: decompression limits stop a gzip bomb', async () => {
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  const builder = new ImageBuilder().addLayer(zeros);
  const [open] = await (await builder.build()).layers();
  assert.equal((await bytesOf(await open!.uncompressed())).length, zeros.length);
  const [limited] = await (await builder.build({ read: { decompressLimits: { maxBytes: 1024 * 1024, maxRatio: 1e9, ratioFloorBytes: 0 } } })).layers();
  await assert.rejects(limited!.uncompressed().then(bytesOf), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
});

const invalid: Array<{ name: string; layer: AddLayerOptions; build?: BuildOptions }> = [
  { name: 'zstd without a blob (no encoder)', layer: { compression: 'zstd' } },
  { name: 'zstd in a Docker image', layer: { compression: 'zstd', blob: Buffer.from('x') }, build: { format: 'docker' } },
];
for (const c of invalid) {
  test(`ImageBuilder rejects ${c.name} with INPUT_INVALID`, async () => {
    const builder = new ImageBuilder().addLayer(await tarOf([]), c.layer);
    await assert.rejects(builder.build(c.build), (e) => isBosunError(e, 'INPUT_INVALID'));
  });
}
