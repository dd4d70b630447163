// The pull-through cache against an upstream that misbehaves on demand: wrong bytes, 429,
// 503, no answer at all. A tiny loopback HTTP server plays the upstream, because a real
// registry cannot be made to lie; the proxy talks to it over real HTTP like to any other.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes, manifestAccept } from '../../src/oci/media-types.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { serve, type TestServer } from '../helpers/http-server.js';
import { startProxy, wireCode, type ProxyRegistry } from './proxy-helpers.js';

type Mode = 'ok' | 'lie' | '429' | '503' | 'hang';
const mode: { manifest: Mode; blob: Mode } = { manifest: 'ok', blob: 'ok' };
const blobs = new Map<Digest, Buffer>();
for (const b of [randomBytes(512 * 1024), Buffer.from('tiny layer'), Buffer.from('{"architecture":"amd64","os":"linux"}')]) blobs.set(digestOf(b), b);
const [bigLayer, tinyLayer, config] = [...blobs.keys()] as [Digest, Digest, Digest];
const manifest = Buffer.from(JSON.stringify({
  schemaVersion: 2, mediaType: MediaTypes.ociManifest,
  config: { mediaType: MediaTypes.ociConfig, digest: config, size: blobs.get(config)!.length },
  layers: [bigLayer, tinyLayer].map((d) => ({ mediaType: MediaTypes.ociLayerGzip, digest: d, size: blobs.get(d)!.length })),
}));
const manifestDigest = digestOf(manifest);

function flip(b: Buffer): Buffer {
  const out = Buffer.from(b);
  out[out.length - 1] = out[out.length - 1]! ^ 0xff;
  return out;
}

function misbehave(m: Mode, res: ServerResponse): boolean {
  if (m === 'hang') return true; // never answers; closeAllConnections ends it
  if (m === '429' || m === '503') {
    res.writeHead(Number(m), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: m === '429' ? 'TOOMANYREQUESTS' : 'UNAVAILABLE', message: 'go away' }] }));
    return true;
  }
  return false;
}

function handler(req: IncomingMessage, res: ServerResponse): void {
  const path = new URL(req.url ?? '/', 'http://x').pathname;
  if (path === '/v2/') return void res.end('{}');
  const m = /^\/v2\/app\/(manifests|blobs)\/([^/]+)$/.exec(path);
  const kind = m?.[1] === 'manifests' ? 'manifest' : 'blob';
  if (m && misbehave(mode[kind], res)) return;
  if (kind === 'manifest' && m?.[2] === 'huge') {
    res.writeHead(200, { 'content-type': MediaTypes.ociManifest });
    return void res.end(Buffer.alloc(5 * 1024 * 1024, 0x20));
  }
  let body: Buffer | undefined;
  if (kind === 'manifest' && m && (m[2] === manifestDigest || /^v\d$/.test(m[2]!))) body = manifest;
  if (kind === 'blob' && m) body = blobs.get(m[2] as Digest);
  if (!body) {
    res.writeHead(404, { 'content-type': 'application/json' });
    return void res.end(JSON.stringify({ errors: [{ code: kind === 'blob' ? 'BLOB_UNKNOWN' : 'MANIFEST_UNKNOWN', message: 'no' }] }));
  }
  const served = mode[kind] === 'lie' ? flip(body) : body;
  const headers: Record<string, string | number> = { 'content-length': served.length, 'content-type': kind === 'manifest' ? MediaTypes.ociManifest : 'application/octet-stream' };
  if (kind === 'manifest') headers['docker-content-digest'] = manifestDigest;
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : served);
}

let upstream: TestServer;
before(async () => {
  upstream = await serve(handler);
});
after(async () => upstream.close());

async function proxyFor(t: { after: (fn: () => Promise<void>) => void }): Promise<ProxyRegistry> {
  const proxy = await startProxy([{ prefix: 'up', upstream: `http://${upstream.host}`, insecure: true, attempts: 1, tagTtl: '1ms', timeout: '400ms' }]);
  t.after(() => proxy.close());
  return proxy;
}

const upstreamGets = (path: string) => upstream.seen.filter((s) => s.method === 'GET' && s.url === path).length;

// Bytes already streaming when the mismatch shows: the connection is cut. Mismatch known
// before the first byte went out (one held-back chunk): an error answer instead.
const lies = [
  { name: 'spanning many chunks', digest: bigLayer, want: 'failed' },
  { name: 'in one chunk', digest: tinyLayer, want: '502 UNKNOWN' },
];
for (const c of lies) {
  test(`a blob ${c.name} that does not hash to its digest fails the client and is not cached`, async (t) => {
    const proxy = await proxyFor(t);
    mode.blob = 'lie';
    const url = `${proxy.url}/v2/up/app/blobs/${c.digest}`;
    const outcome = await fetch(url)
      .then(async (r) => (r.status === 200 ? `200 ${(await r.arrayBuffer()).byteLength} bytes` : `${r.status} ${await wireCode(r)}`))
      .catch(() => 'failed');
    assert.equal(outcome, c.want);
    assert.equal(await proxy.context.blobs.stat(blobKey(c.digest)), undefined);
    assert.equal(await proxy.context.meta.blobLink('up/app', c.digest), undefined);
    // Nothing was kept, so once the upstream is honest the blob is fetched again and served.
    mode.blob = 'ok';
    const before = upstreamGets(`/v2/app/blobs/${c.digest}`);
    const res = await fetch(url);
    assert.equal(digestOf(Buffer.from(await res.arrayBuffer())), c.digest);
    assert.equal(upstreamGets(`/v2/app/blobs/${c.digest}`), before + 1);
    assert.ok(await proxy.context.blobs.stat(blobKey(c.digest)));
  });
}

test('a manifest by digest that does not hash to it is refused (502) and not stored', async (t) => {
  const proxy = await proxyFor(t);
  mode.manifest = 'lie';
  const res = await fetch(`${proxy.url}/v2/up/app/manifests/${manifestDigest}`, { headers: { accept: manifestAccept } });
  mode.manifest = 'ok';
  assert.equal(res.status, 502);
  assert.equal(await wireCode(res), 'UNKNOWN');
  assert.equal(await proxy.context.meta.getManifest('up/app', manifestDigest), undefined);
});

test('a manifest over 4 MiB upstream is refused (502) without being stored', async (t) => {
  const proxy = await proxyFor(t);
  const res = await fetch(`${proxy.url}/v2/up/app/manifests/huge`, { headers: { accept: manifestAccept } });
  assert.equal(res.status, 502);
  assert.equal(await wireCode(res), 'UNKNOWN');
  assert.equal(await proxy.context.meta.resolveTag('up/app', 'huge'), undefined);
});

const failures = [
  { mode: '429', status: 429, code: 'TOOMANYREQUESTS' },
  { mode: '503', status: 503, code: 'UNAVAILABLE' },
  { mode: 'hang', status: 503, code: 'UNAVAILABLE' },
  { mode: 'lie', status: 502, code: 'UNKNOWN' },
] as const;
for (const f of failures) {
  test(`upstream ${f.mode}: an expired cached tag is still served; an uncached one is ${f.status} ${f.code}`, async (t) => {
    const proxy = await proxyFor(t);
    const url = (tag: string) => `${proxy.url}/v2/up/app/manifests/${tag}`;
    mode.manifest = 'ok';
    assert.equal((await fetch(url('v1'), { headers: { accept: manifestAccept } })).status, 200);
    mode.manifest = f.mode;
    try {
      const started = Date.now();
      const cached = await fetch(url('v1'), { headers: { accept: manifestAccept } });
      assert.equal(cached.status, 200);
      assert.equal(cached.headers.get('docker-content-digest'), manifestDigest);
      assert.ok(Date.now() - started < 3000, 'a hanging upstream costs one timeout, not more');
      const uncached = await fetch(url('v2'), { headers: { accept: manifestAccept } });
      assert.equal(uncached.status, f.status);
      assert.equal(await wireCode(uncached), f.code);
    } finally {
      mode.manifest = 'ok';
    }
  });
}
