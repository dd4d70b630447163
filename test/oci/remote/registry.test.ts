// Pull and push against a real registry (Debian's docker-registry, plain HTTP on loopback),
// with skopeo as the independent client on the other side.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as layout from '../../../src/oci/layout.js';
import * as remote from '../../../src/oci/remote/index.js';
import { isBosunError } from '../../../src/errors.js';
import { readAll } from '../../../src/oci/read-all.js';
import type { Image } from '../../../src/oci/types.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { serve } from '../../helpers/http-server.js';
import { request as httpRequest } from 'node:http';
import { imageFixture, indexFixture, realFiles, type ImageFixture, type IndexFixture } from '../../helpers/oci-image.js';
import { tempDir } from '../../helpers/temp-dir.js';

let reg: TestRegistry;
let tmp: string;
let single: ImageFixture;
let multi: IndexFixture;
const opts = { insecure: true } as const;

before(async () => {
  reg = await startRegistry({ mode: 'http' });
  tmp = await tempDir('remote');
  const files = realFiles();
  single = await imageFixture([files.slice(0, 2), files.slice(2)]);
  const amd = await imageFixture([files], { platform: { os: 'linux', architecture: 'amd64' } });
  const arm = await imageFixture([[...files, { path: 'etc/arch', content: Buffer.from('arm64\n') }]], { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  multi = await indexFixture([amd, arm]);
});

after(async () => {
  await remote.closeConnections();
  await reg.stop();
});

function skopeo(...args: string[]): Buffer {
  return execFileSync('skopeo', ['--insecure-policy', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function readLayers(img: Image): Promise<number> {
  let total = 0;
  for (const layer of await img.layers()) total += (await readAll(await layer.uncompressed(), 1 << 24, 'layer')).length;
  return total;
}

test('an image pushed by skopeo pulls with the same digest, layers verified', async () => {
  const dir = join(tmp, 'layout-single');
  await layout.write(dir, single.image, { tag: 'v1' });
  skopeo('copy', `oci:${dir}:v1`, `docker://${reg.host}/skopeo/single:v1`, '--dest-tls-verify=false');
  const img = await remote.image(`${reg.host}/skopeo/single:v1`, opts);
  assert.equal(await img.digest(), single.digest);
  assert.deepEqual(Buffer.from(await img.rawManifest()), single.raw);
  assert.equal((await img.config()).architecture, 'amd64');
  assert.ok((await readLayers(img)) > 1000);
});

test('remote.write pushes an image that skopeo reads back byte for byte', async () => {
  const desc = await remote.write(`${reg.host}/bosun/single:v1`, single.image, opts);
  assert.equal(desc.digest, single.digest);
  const raw = skopeo('inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/bosun/single:v1`);
  assert.deepEqual(raw, single.raw);
  const back = await remote.image(`${reg.host}/bosun/single@${single.digest}`, opts);
  assert.equal(await back.digest(), single.digest);
  assert.equal(await readLayers(back), await readLayers(single.image));
});

test('remote.write skips blobs the registry has (seen through a recording proxy)', async () => {
  // A pass-through proxy in front of the real registry, only to observe which requests are made.
  const proxy = await serve((req, res) => {
    const up = httpRequest(`${reg.url}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  try {
    const again = await remote.write(`${proxy.host}/bosun/single:v1-again`, single.image, opts);
    assert.equal(again.digest, single.digest);
    const calls = proxy.seen.map((r) => `${r.method} ${r.url.split('?')[0]!.replace(/sha256:[a-f0-9]+/, 'D')}`);
    assert.deepEqual(calls.filter((c) => c.includes('/blobs/')), ['HEAD /v2/bosun/single/blobs/D', 'HEAD /v2/bosun/single/blobs/D', 'HEAD /v2/bosun/single/blobs/D']);
    assert.ok(calls.includes('PUT /v2/bosun/single/manifests/v1-again'));
  } finally {
    await proxy.close();
  }
});

test('a multi-platform index pushed by remote.write selects by platform', async () => {
  const desc = await remote.write(`${reg.host}/bosun/multi:v1`, multi.index, opts);
  assert.equal(desc.digest, multi.digest);
  assert.deepEqual(skopeo('inspect', '--raw', '--tls-verify=false', `docker://${reg.host}/bosun/multi:v1`), multi.raw);
  const [amd, arm] = multi.images as [ImageFixture, ImageFixture];
  assert.equal(await (await remote.image(`${reg.host}/bosun/multi:v1`, opts)).digest(), amd.digest);
  assert.equal(await (await remote.image(`${reg.host}/bosun/multi:v1`, { ...opts, platform: 'linux/arm64' })).digest(), arm.digest);
  await assert.rejects(remote.image(`${reg.host}/bosun/multi:v1`, { ...opts, platform: 'linux/s390x' }), (e) => isBosunError(e, 'OCI_PLATFORM_NOT_FOUND'));
  const got = await remote.get(`${reg.host}/bosun/multi:v1`, opts);
  assert.equal(got.kind, 'index');
  if (got.kind === 'index') assert.equal(await got.index.digest(), multi.digest);
});

test('a multi-platform index pushed by skopeo --all pulls each platform with its digest', async () => {
  const dir = join(tmp, 'layout-multi');
  await layout.write(dir, multi.index, { tag: 'v2' });
  skopeo('copy', '--all', `oci:${dir}:v2`, `docker://${reg.host}/skopeo/multi:v2`, '--dest-tls-verify=false');
  const arm = multi.images[1]!;
  const img = await remote.image(`${reg.host}/skopeo/multi:v2`, { ...opts, platform: { os: 'linux', architecture: 'arm64' } });
  assert.equal(await img.digest(), arm.digest);
  assert.equal((await img.config()).architecture, 'arm64');
  assert.ok((await readLayers(img)) > 1000);
});

test('resolve gives the digest a tag points to, and agrees with skopeo', async () => {
  const desc = await remote.resolve(`${reg.host}/bosun/multi:v1`, opts);
  assert.equal(desc.digest, multi.digest);
  assert.equal(desc.size, multi.raw.length);
  assert.equal(desc.mediaType, 'application/vnd.oci.image.index.v1+json');
  const inspected = JSON.parse(skopeo('inspect', '--tls-verify=false', `docker://${reg.host}/bosun/single:v1`).toString()) as { Digest: string };
  assert.equal((await remote.resolve(`${reg.host}/bosun/single:v1`, opts)).digest, inspected.Digest);
});

test('listTags lists what was pushed, following Link pagination', async () => {
  for (const t of ['c', 'b', 'a']) await remote.write(`${reg.host}/bosun/tags:${t}`, single.image, opts);
  assert.deepEqual((await remote.listTags(`${reg.host}/bosun/tags`, opts)).sort(), ['a', 'b', 'c']);
  assert.deepEqual((await remote.listTags(`${reg.host}/bosun/tags`, { ...opts, pageSize: 1 })).sort(), ['a', 'b', 'c']);
});

const missing = [
  { name: 'unknown tag', ref: () => `${reg.host}/bosun/single:nope`, code: 'OCI_MANIFEST_UNKNOWN' },
  { name: 'unknown repository', ref: () => `${reg.host}/bosun/none:v1`, code: 'OCI_MANIFEST_UNKNOWN' },
  { name: 'unknown digest', ref: () => `${reg.host}/bosun/single@sha256:${'0'.repeat(64)}`, code: 'OCI_MANIFEST_UNKNOWN' },
] as const;
for (const c of missing) {
  test(`pulling an ${c.name} fails with ${c.code}`, async () => {
    await assert.rejects(remote.image(c.ref(), opts), (e) => isBosunError(e, c.code));
    await assert.rejects(remote.resolve(c.ref(), opts), (e) => isBosunError(e, c.code));
  });
}

test('loopback gets no implicit insecurity: a plain-HTTP registry needs insecure', async () => {
  const t0 = Date.now();
  await assert.rejects(remote.image(`${reg.host}/bosun/single:v1`), (e) => isBosunError(e, 'REGISTRY_UNAVAILABLE'));
  assert.ok(Date.now() - t0 < 2000, 'a TLS-protocol failure is not retried');
});
