// The pull-through cache against a real upstream: a second bosun registry on loopback that
// counts requests, stopped mid-test.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { digestOf } from '../../src/oci/digest.js';
import { manifestAccept } from '../../src/oci/media-types.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { imageManifest, pushBlob, putManifest } from './helpers.js';
import { startCountingUpstream, startProxy, wireCode, type CountingUpstream, type ProxyRegistry } from './proxy-helpers.js';

const cleanup: Array<() => Promise<void>> = [];
after(async () => {
  for (const c of cleanup.reverse()) await c();
});

async function pair(entry: Record<string, unknown> = {}, upOpts: { blobDelayMs?: number } = {}): Promise<{ up: CountingUpstream; proxy: ProxyRegistry }> {
  const up = await startCountingUpstream(upOpts);
  const proxy = await startProxy([{ prefix: 'hub', upstream: `http://${up.host}`, insecure: true, attempts: 1, ...entry }]);
  cleanup.push(up.stop, proxy.close);
  return { up, proxy };
}

const get = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: { accept: manifestAccept, ...init.headers } });

async function bytes(res: Response): Promise<Buffer> {
  return Buffer.from(await res.arrayBuffer());
}

test('the first pull fills the cache; with the upstream stopped the same pulls, by tag and digest, still work', async () => {
  const { up, proxy } = await pair({ tagTtl: '100ms' });
  const img = await imageManifest(up.app, 'team/app', {}, 'one');
  assert.equal((await putManifest(up.app, 'team/app', 'v1', img.raw)).statusCode, 201);
  const never = await imageManifest(up.app, 'team/app', {}, 'two');
  assert.equal((await putManifest(up.app, 'team/app', 'v2', never.raw)).statusCode, 201);
  const base = `${proxy.url}/v2/hub/team/app`;

  const pull = async () => {
    const byTag = await get(`${base}/manifests/v1`);
    assert.equal(byTag.status, 200);
    assert.equal(byTag.headers.get('docker-content-digest'), img.digest);
    assert.deepEqual(await bytes(byTag), img.raw);
    const byDigest = await get(`${base}/manifests/${img.digest}`);
    assert.equal(byDigest.status, 200);
    assert.deepEqual(await bytes(byDigest), img.raw);
    for (const d of [img.config, img.layer]) {
      const blob = await get(`${base}/blobs/${d}`);
      assert.equal(blob.status, 200);
      assert.equal(digestOf(await bytes(blob)), d);
    }
  };
  await pull();
  assert.equal(up.count('GET', `/v2/team/app/blobs/${img.layer}`), 1);
  await up.stop();
  await sleep(150); // the tag is now older than tagTtl: the re-check fails and the cache answers
  await pull();
  const head = await get(`${base}/manifests/v1`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('docker-content-digest'), img.digest);
  assert.equal(proxy.pulls.filter((p) => p.tag === 'v1' && p.digest === img.digest).length, 2);

  // Nothing cached: the client gets the outage as a spec error.
  const missingTag = await get(`${base}/manifests/v2`);
  assert.equal(missingTag.status, 503);
  assert.equal(await wireCode(missingTag), 'UNAVAILABLE');
  const missingBlob = await get(`${base}/blobs/${never.layer}`);
  assert.equal(missingBlob.status, 503);
  assert.equal(await wireCode(missingBlob), 'UNAVAILABLE');
});

test('a tag is re-checked upstream only once tagTtl has passed, and then with a HEAD', async () => {
  const { up, proxy } = await pair({ tagTtl: '400ms' });
  const first = await imageManifest(up.app, 'lib/app', {}, 'first');
  await putManifest(up.app, 'lib/app', 'latest', first.raw);
  const url = `${proxy.url}/v2/hub/lib/app/manifests/latest`;
  up.reset();
  for (let i = 0; i < 3; i++) assert.equal((await get(url)).headers.get('docker-content-digest'), first.digest);
  assert.equal(up.count('GET', '/manifests/latest'), 1);
  assert.equal(up.count('HEAD', '/manifests/'), 0);

  // The tag moves upstream; within the TTL the cache still answers the old digest.
  const second = await imageManifest(up.app, 'lib/app', {}, 'second');
  await putManifest(up.app, 'lib/app', 'latest', second.raw);
  assert.equal((await get(url)).headers.get('docker-content-digest'), first.digest);
  assert.equal(up.count('HEAD', '/manifests/latest') + up.count('GET', '/manifests/latest'), 1);

  await sleep(450);
  const moved = await get(url);
  assert.equal(moved.headers.get('docker-content-digest'), second.digest);
  assert.deepEqual(await bytes(moved), second.raw);
  assert.equal(up.count('HEAD', '/manifests/latest'), 1);
  // Unchanged after the next TTL: the HEAD settles it, no GET.
  await sleep(450);
  assert.equal((await get(url)).headers.get('docker-content-digest'), second.digest);
  assert.equal(up.count('HEAD', '/manifests/latest'), 2);
  assert.equal(up.count('GET', `/manifests/${second.digest}`), 1);
  assert.equal(up.count('GET', '/manifests/latest'), 1);
});

test('concurrent pulls of one blob make exactly one upstream GET, and every client gets the bytes', async () => {
  const { up, proxy } = await pair({}, { blobDelayMs: 300 });
  const payload = randomBytes(3 * 1024 * 1024);
  const digest = await pushBlob(up.app, 'big/app', payload);
  up.reset();
  const results = await Promise.all(Array.from({ length: 6 }, () => get(`${proxy.url}/v2/hub/big/app/blobs/${digest}`).then(async (r) => ({ status: r.status, body: await bytes(r) }))));
  for (const r of results) {
    assert.equal(r.status, 200);
    assert.equal(digestOf(r.body), digest);
  }
  assert.equal(up.count('GET', `/blobs/${digest}`), 1);
  assert.ok(await proxy.context.blobs.stat(blobKey(digest)));
  // A Range request is served from the cache too.
  const ranged = await get(`${proxy.url}/v2/hub/big/app/blobs/${digest}`, { headers: { range: 'bytes=10-19' } });
  assert.equal(ranged.status, 206);
  assert.deepEqual(await bytes(ranged), payload.subarray(10, 20));
  assert.equal(up.count('GET', `/blobs/${digest}`), 1);
});

test('a client hanging up mid-blob does not stop the fill: the blob is still cached whole', async () => {
  const { up, proxy } = await pair();
  const payload = randomBytes(4 * 1024 * 1024);
  const digest = await pushBlob(up.app, 'big/app', payload);
  up.reset();
  const abort = new AbortController();
  const res = await get(`${proxy.url}/v2/hub/big/app/blobs/${digest}`, { signal: abort.signal });
  const reader = res.body!.getReader();
  assert.ok(((await reader.read()).value?.length ?? 0) > 0);
  abort.abort();
  for (let i = 0; i < 100 && !(await proxy.context.meta.blobLink('hub/big/app', digest)); i++) await sleep(20);
  const again = await get(`${proxy.url}/v2/hub/big/app/blobs/${digest}`);
  assert.deepEqual(await bytes(again), payload);
  assert.equal(up.count('GET', `/blobs/${digest}`), 1);
});

test('a stored blob is linked into another cache repository only after its upstream confirms it', async () => {
  const { up, proxy } = await pair();
  const digest = await pushBlob(up.app, 'one/app', 'shared layer');
  assert.equal((await get(`${proxy.url}/v2/hub/one/app/blobs/${digest}`)).status, 200);
  const elsewhere = await get(`${proxy.url}/v2/hub/two/app/blobs/${digest}`);
  assert.equal(elsewhere.status, 404);
  assert.equal(await wireCode(elsewhere), 'BLOB_UNKNOWN');
  await pushBlob(up.app, 'two/app', 'shared layer');
  up.reset();
  const confirmed = await get(`${proxy.url}/v2/hub/two/app/blobs/${digest}`);
  assert.equal(confirmed.status, 200);
  assert.equal(await confirmed.text(), 'shared layer');
  assert.equal(up.count('HEAD', `/v2/two/app/blobs/${digest}`), 1);
  assert.equal(up.count('GET', `/blobs/${digest}`), 0);
});

test('writes into a proxy prefix are refused; other repositories are untouched', async () => {
  const { up, proxy } = await pair();
  const img = await imageManifest(up.app, 'team/app');
  await putManifest(up.app, 'team/app', 'v1', img.raw);
  up.reset();
  const cases = [
    { method: 'POST', path: '/v2/hub/team/app/blobs/uploads/' },
    { method: 'PUT', path: '/v2/hub/team/app/manifests/v2' },
    { method: 'DELETE', path: `/v2/hub/team/app/manifests/${img.digest}` },
    { method: 'DELETE', path: `/v2/hub/team/app/blobs/${img.layer}` },
  ];
  for (const c of cases) {
    const res = await fetch(`${proxy.url}${c.path}`, { method: c.method, body: c.method === 'PUT' ? new Uint8Array(img.raw) : null });
    assert.equal(res.status, 405, `${c.method} ${c.path}`);
    assert.equal(await wireCode(res), 'UNSUPPORTED');
  }
  const local = await fetch(`${proxy.url}/v2/mine/app/blobs/uploads/?digest=${digestOf('x')}`, { method: 'POST', body: 'x' });
  assert.equal(local.status, 201);
  assert.equal(up.count('POST', '/blobs/uploads/'), 0);
});

test('an unknown tag upstream is MANIFEST_UNKNOWN; a HEAD of an uncached blob asks upstream and stores nothing', async () => {
  const { up, proxy } = await pair();
  const missing = await get(`${proxy.url}/v2/hub/team/nothing/manifests/v9`);
  assert.equal(missing.status, 404);
  assert.equal(await wireCode(missing), 'MANIFEST_UNKNOWN');
  const digest = await pushBlob(up.app, 'team/app', 'head only');
  const head = await get(`${proxy.url}/v2/hub/team/app/blobs/${digest}`, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.headers.get('content-length'), String('head only'.length));
  assert.equal(await proxy.context.blobs.stat(blobKey(digest)), undefined);
});
