import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { digestOf } from '../../src/oci/digest.js';
import { ImageBuilder, tarOf } from '../../src/oci/image-builder.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { bytesOf } from './source-helpers.js';

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
