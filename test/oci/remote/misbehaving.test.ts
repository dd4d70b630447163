// Registry failure modes. Distribution cannot be made to serve wrong bytes, throttle, redirect
// blobs elsewhere or drop connections, so these tests use small node:http servers on loopback
// (test/helpers/http-server.ts) that speak just enough of the distribution API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as remote from '../../../src/oci/remote/index.js';
import { isBosunError } from '../../../src/errors.js';
import { digestOf } from '../../../src/oci/digest.js';
import { MediaTypes } from '../../../src/oci/media-types.js';
import { readAll } from '../../../src/oci/read-all.js';
import type { Image } from '../../../src/oci/types.js';
import { imageFixture, indexFixture, realFiles, type ImageFixture } from '../../helpers/oci-image.js';
import { imageHandler, serve, type Handler, type TestServer } from '../../helpers/http-server.js';
import { makeCertificate } from '../../helpers/registry.js';

let img: ImageFixture;
let other: ImageFixture;
const servers: TestServer[] = [];
const fast = { insecure: true, retry: { attempts: 3, baseDelayMs: 5, maxDelayMs: 20 }, env: {} };

before(async () => {
  img = await imageFixture([realFiles()]);
  other = await imageFixture([realFiles().slice(0, 1)]);
});

after(async () => {
  await remote.closeConnections();
  await Promise.all(servers.map((s) => s.close()));
});

async function start(handler: Handler, tls?: { key: Buffer; cert: Buffer }): Promise<TestServer> {
  const s = await serve(handler, tls);
  servers.push(s);
  return s;
}

async function readLayer(image: Image): Promise<Buffer> {
  const [layer] = await image.layers();
  return readAll(await layer!.compressed(), 1 << 24, 'layer');
}

const layerDigest = () => JSON.parse(img.raw.toString()).layers[0].digest as string;

test('bearer token flow: token from the realm with service and scope, cached across pulls', async () => {
  let tokenCalls = 0;
  const srv = await start(imageHandler(img, (req, res) => {
    const url = new URL(req.url!, 'http://x');
    if (url.pathname === '/token') {
      tokenCalls++;
      const basic = `Basic ${Buffer.from('alice:s3cret').toString('base64')}`;
      const ok = req.headers.authorization === basic && url.searchParams.get('service') === 'fake' && url.searchParams.get('scope') === 'repository:t/app:pull';
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' });
      res.end(ok ? JSON.stringify({ access_token: 'tok-123', expires_in: 300 }) : '{"errors":[{"code":"UNAUTHORIZED"}]}');
      return true;
    }
    if (req.headers.authorization !== 'Bearer tok-123') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake",scope="repository:t/app:pull"` });
      res.end();
      return true;
    }
    return false;
  }));
  const opts = { ...fast, auth: { username: 'alice', password: 's3cret' } };
  const pulled = await remote.image(`${srv.host}/t/app:v1`, opts);
  assert.equal(await pulled.digest(), img.digest);
  assert.deepEqual(await readLayer(pulled), img.blobs.get(layerDigest() as never));
  await remote.image(`${srv.host}/t/app:v1`, opts);
  assert.equal(tokenCalls, 1);
  await assert.rejects(remote.image(`${srv.host}/t/app:v1`, { ...fast, auth: { username: 'alice', password: 'nope' } }), (e) => isBosunError(e, 'REGISTRY_UNAUTHORIZED'));
});

test('an identity token is exchanged with an OAuth2 refresh_token POST', async () => {
  const srv = await start(imageHandler(img, (req, res) => {
    if (req.url === '/token') {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const ok = req.method === 'POST' && form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'rt-1' && form.get('scope') === 'repository:t/app:pull';
        res.writeHead(ok ? 200 : 401);
        res.end(ok ? JSON.stringify({ access_token: 'at-1' }) : '');
      });
      return true;
    }
    if (req.headers.authorization !== 'Bearer at-1') {
      res.writeHead(401, { 'www-authenticate': `Bearer realm="http://${req.headers.host}/token",service="fake"` });
      res.end();
      return true;
    }
    return false;
  }));
  const pulled = await remote.image(`${srv.host}/t/app:v1`, { ...fast, auth: { identityToken: 'rt-1' } });
  assert.equal(await pulled.digest(), img.digest);
});

test('429 with Retry-After is honoured, then the pull succeeds', async () => {
  let calls = 0;
  const srv = await start(imageHandler(img, (req, res) => {
    if (!req.url!.includes('/manifests/') || calls++ > 0) return false;
    res.writeHead(429, { 'retry-after': '1', 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"TOOMANYREQUESTS","message":"slow down"}]}');
    return true;
  }));
  const t0 = Date.now();
  const pulled = await remote.image(`${srv.host}/t/app:v1`, fast);
  assert.ok(Date.now() - t0 >= 900, 'waited for Retry-After');
  assert.equal(await pulled.digest(), img.digest);
});

const exhausted = [
  { status: 503, code: 'REGISTRY_UNAVAILABLE' },
  { status: 500, code: 'REGISTRY_UNAVAILABLE' },
  { status: 429, code: 'REGISTRY_TOOMANYREQUESTS' },
] as const;
for (const c of exhausted) {
  test(`${c.status} on every attempt gives ${c.code} after the bounded attempts`, async () => {
    const srv = await start(imageHandler(img, (req, res) => {
      if (!req.url!.includes('/manifests/')) return false;
      res.writeHead(c.status, { 'retry-after': '0' });
      res.end();
      return true;
    }));
    await assert.rejects(remote.image(`${srv.host}/t/app:v1`, fast), (e) => isBosunError(e, c.code));
    assert.equal(srv.seen.filter((r) => r.url.includes('/manifests/')).length, fast.retry.attempts);
  });
}

test('a dropped connection is retried', async () => {
  let calls = 0;
  const srv = await start(imageHandler(img, (req, res) => {
    if (!req.url!.includes('/manifests/') || calls++ > 0) return false;
    res.socket?.destroy();
    return true;
  }));
  assert.equal(await (await remote.image(`${srv.host}/t/app:v1`, fast)).digest(), img.digest);
  assert.equal(calls, 2);
});

test('a blob redirect to another origin is followed without the Authorization header', async () => {
  const storage = await start((req, res) => {
    res.writeHead(200, { 'content-length': img.blobs.get(layerDigest() as never)!.length });
    res.end(img.blobs.get(layerDigest() as never));
  });
  const srv = await start(imageHandler(img, (req, res) => {
    if (!req.headers.authorization) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="fake"' });
      res.end();
      return true;
    }
    if (req.url!.endsWith(`/blobs/${layerDigest()}`)) {
      res.writeHead(307, { location: `http://${storage.host}/bucket/blob?X-Signature=abc` });
      res.end();
      return true;
    }
    return false;
  }));
  const pulled = await remote.image(`${srv.host}/t/app:v1`, { ...fast, auth: { username: 'u', password: 'p' } });
  assert.deepEqual(await readLayer(pulled), img.blobs.get(layerDigest() as never));
  assert.equal(storage.seen.length, 1);
  assert.equal(storage.seen[0]!.headers.authorization, undefined);
  assert.ok(srv.seen.some((r) => r.url.includes('/blobs/') && r.headers.authorization));
});

test('more than 5 redirects is REGISTRY_PROTOCOL', async () => {
  const srv = await start(imageHandler(img, (req, res) => {
    if (!req.url!.includes('/blobs/')) return false;
    res.writeHead(302, { location: `${req.url}x` });
    res.end();
    return true;
  }));
  const pulled = await remote.image(`${srv.host}/t/app:v1`, fast);
  await assert.rejects(pulled.config(), (e) => isBosunError(e, 'REGISTRY_PROTOCOL'));
  assert.equal(srv.seen.filter((r) => r.url.includes('/blobs/')).length, 6);
});

test('a redirect from https to plain http is refused unless insecure', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'bosun-cert-'));
  const { cert, key } = makeCertificate(dir);
  const tls = { cert: readFileSync(cert), key: readFileSync(key) };
  rmSync(dir, { recursive: true, force: true });
  const plain = await start(imageHandler(img));
  const srv = await start(imageHandler(img, (req, res) => {
    if (!req.url!.includes('/blobs/')) return false;
    res.writeHead(307, { location: `http://${plain.host}${req.url}` });
    res.end();
    return true;
  }), tls);
  const caDir = mkdtempSync(join(tmpdir(), 'bosun-ca-'));
  try {
    const caFile = join(caDir, 'ca.pem');
    writeFileSync(caFile, tls.cert);
    const pulled = await remote.image(`${srv.host}/t/app:v1`, { caFile, env: {}, retry: fast.retry });
    await assert.rejects(pulled.config(), (e) => isBosunError(e, 'REGISTRY_PROTOCOL'));
    const loose = await remote.image(`${srv.host}/t/app:v1`, { ...fast });
    assert.equal((await loose.config()).os, 'linux');
  } finally {
    rmSync(caDir, { recursive: true, force: true });
  }
});

const substituted = [
  {
    name: 'pull by digest answered with another manifest',
    ref: () => `t/app@${img.digest}`,
    override: (): Handler => (req, res) => {
      res.writeHead(200, { 'content-type': MediaTypes.ociManifest });
      res.end(other.raw);
    },
  },
  {
    name: 'pull by tag whose Docker-Content-Digest disagrees with the bytes',
    ref: () => 't/app:v1',
    override: (): Handler => (req, res) => {
      res.writeHead(200, { 'content-type': MediaTypes.ociManifest, 'docker-content-digest': img.digest });
      res.end(other.raw);
    },
  },
];
for (const c of substituted) {
  test(`${c.name} is OCI_DIGEST_MISMATCH`, async () => {
    const h = c.override();
    const srv = await start(imageHandler(img, (req, res) => {
      if (!req.url!.includes('/manifests/')) return false;
      h(req, res);
      return true;
    }));
    await assert.rejects(remote.image(`${srv.host}/${c.ref()}`, fast), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
  });
}

const badBlobs = [
  { name: 'a blob whose bytes do not match its digest', code: 'OCI_DIGEST_MISMATCH', send: (b: Buffer, res: Parameters<Handler>[1]) => {
    const flipped = Buffer.from(b);
    flipped[0] = flipped[0]! ^ 0xff;
    res.writeHead(200, { 'content-length': flipped.length });
    res.end(flipped);
  } },
  { name: 'a blob cut short by a dropped connection', code: 'REGISTRY_UNAVAILABLE', send: (b: Buffer, res: Parameters<Handler>[1]) => {
    res.writeHead(200, { 'content-length': b.length });
    res.write(b.subarray(0, b.length >> 1), () => res.socket?.destroy());
  } },
  { name: 'a blob that ends cleanly but short (chunked)', code: 'OCI_SIZE_MISMATCH', send: (b: Buffer, res: Parameters<Handler>[1]) => {
    res.writeHead(200);
    res.end(b.subarray(0, b.length >> 1));
  } },
] as const;
for (const c of badBlobs) {
  test(`${c.name} fails the stream with ${c.code}`, async () => {
    const srv = await start(imageHandler(img, (req, res) => {
      if (!req.url!.endsWith(`/blobs/${layerDigest()}`)) return false;
      c.send(img.blobs.get(layerDigest() as never)!, res);
      return true;
    }));
    const pulled = await remote.image(`${srv.host}/t/app:v1`, fast);
    await assert.rejects(readLayer(pulled), (e) => isBosunError(e, c.code));
  });
}

const badManifests = [
  { name: 'a manifest with Content-Length over 4 MiB', code: 'LIMIT_EXCEEDED', send: (res: Parameters<Handler>[1]) => {
    const big = Buffer.alloc(4 * 1024 * 1024 + 10, 0x20);
    res.writeHead(200, { 'content-type': MediaTypes.ociManifest, 'content-length': big.length });
    res.end(big);
  } },
  { name: 'a chunked manifest over 4 MiB', code: 'LIMIT_EXCEEDED', send: (res: Parameters<Handler>[1]) => {
    res.writeHead(200, { 'content-type': MediaTypes.ociManifest });
    for (let i = 0; i < 5; i++) res.write(Buffer.alloc(1024 * 1024, 0x20));
    res.end();
  } },
  { name: 'a Docker schema 1 manifest', code: 'OCI_MANIFEST_UNSUPPORTED', send: (res: Parameters<Handler>[1]) => {
    res.writeHead(200, { 'content-type': MediaTypes.dockerSchema1Signed });
    res.end(JSON.stringify({ schemaVersion: 1, name: 't/app', tag: 'v1', fsLayers: [], history: [] }));
  } },
  { name: 'a 403 DENIED error body', code: 'REGISTRY_DENIED', send: (res: Parameters<Handler>[1]) => {
    res.writeHead(403, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"DENIED","message":"requested access to the resource is denied"}]}');
  } },
  { name: 'a 404 NAME_UNKNOWN error body', code: 'OCI_MANIFEST_UNKNOWN', send: (res: Parameters<Handler>[1]) => {
    res.writeHead(404, { 'content-type': 'application/json' });
    res.end('{"errors":[{"code":"NAME_UNKNOWN","message":"repository name not known to registry"}]}');
  } },
  { name: 'a 400 with a huge garbage body', code: 'REGISTRY_PROTOCOL', send: (res: Parameters<Handler>[1]) => {
    res.writeHead(400);
    res.end(Buffer.alloc(2 * 1024 * 1024, 0x41));
  } },
] as const;
for (const c of badManifests) {
  test(`${c.name} is ${c.code}`, async () => {
    const srv = await start(imageHandler(img, (req, res) => {
      if (!req.url!.includes('/manifests/')) return false;
      c.send(res);
      return true;
    }));
    await assert.rejects(remote.image(`${srv.host}/t/app:v1`, fast), (e) => isBosunError(e, c.code));
  });
}

test('a missing blob is OCI_BLOB_UNKNOWN', async () => {
  const srv = await start(imageHandler({ ...img, blobs: new Map() }));
  const pulled = await remote.image(`${srv.host}/t/app:v1`, fast);
  await assert.rejects(pulled.config(), (e) => isBosunError(e, 'OCI_BLOB_UNKNOWN'));
});

test('resolve falls back to GET when HEAD is refused', async () => {
  const srv = await start(imageHandler(img, (req, res) => {
    if (req.method !== 'HEAD') return false;
    res.writeHead(405);
    res.end();
    return true;
  }));
  const desc = await remote.resolve(`${srv.host}/t/app:v1`, fast);
  assert.equal(desc.digest, img.digest);
  assert.equal(desc.size, img.raw.length);
  assert.deepEqual(srv.seen.filter((r) => r.url.includes('/manifests/')).map((r) => r.method), ['HEAD', 'GET']);
});

test('an aborted signal stops a hanging request with ABORTED', async () => {
  const srv = await start(imageHandler(img, (req) => req.url!.includes('/manifests/')));
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(remote.image(`${srv.host}/t/app:v1`, { ...fast, signal: ac.signal }), (e) => isBosunError(e, 'ABORTED'));
});

test('decorate wraps the core; a signal passed to openBlob cancels a hanging blob with ABORTED', async () => {
  const srv = await start(imageHandler(img, (req) => req.url!.endsWith(`/blobs/${layerDigest()}`)));
  const ac = new AbortController();
  let opened = 0;
  const pulled = await remote.image(`${srv.host}/t/app:v1`, {
    ...fast,
    decorate: (core) => ({ ...core, openBlob: (desc) => (opened++, core.openBlob(desc, ac.signal)) }),
  });
  assert.equal((await pulled.config()).os, 'linux');
  setTimeout(() => ac.abort(), 50);
  await assert.rejects(readLayer(pulled), (e) => isBosunError(e, 'ABORTED'));
  assert.equal(opened, 2);
});

test('image() follows a nested index to the platform, and sends the User-Agent', async () => {
  const arm = await imageFixture([realFiles().slice(1)], { platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } });
  const inner = await indexFixture([img, arm]);
  const outerRaw = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [inner.desc] }));
  const manifests = new Map<string, { raw: Buffer; type: string }>([
    ['v1', { raw: outerRaw, type: MediaTypes.ociIndex }],
    [inner.digest, { raw: inner.raw, type: MediaTypes.ociIndex }],
    [arm.digest, { raw: arm.raw, type: MediaTypes.ociManifest }],
  ]);
  const srv = await start(imageHandler(arm, (req, res) => {
    const hit = manifests.get(req.url!.split('/manifests/')[1] ?? '');
    if (!hit) return false;
    res.writeHead(200, { 'content-type': hit.type });
    res.end(hit.raw);
    return true;
  }));
  const pulled = await remote.image(`${srv.host}/t/app:v1`, { ...fast, platform: 'linux/arm64', userAgent: 'bosun-test/1' });
  assert.equal(await pulled.digest(), arm.digest);
  assert.equal((await pulled.config()).architecture, 'arm64');
  assert.ok(srv.seen.every((r) => r.headers['user-agent'] === 'bosun-test/1'));
});

test('the pushed digest is what the registry stores; a registry that disagrees is caught', async () => {
  const srv = await start((req, res) => {
    if (req.url === '/v2/') return void res.end('{}');
    if (req.method === 'HEAD') return void res.writeHead(200).end();
    res.writeHead(201, { 'docker-content-digest': digestOf('something else') });
    req.resume();
    req.on('end', () => res.end());
  });
  await assert.rejects(remote.write(`${srv.host}/t/app:v1`, img.image, fast), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
});
