import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { digestOf } from '../../src/oci/digest.js';
import { codeOf, makeApp } from './helpers.js';

const good = digestOf('x');

// Names, digests, tags and upload ids an attacker might send; each must be a 4xx spec code,
// never a 500, and never reach storage.
const cases = [
  { url: '/v2/../etc/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/a/../b/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/%2e%2e/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/a/%2e%2e/%2e%2e/blobs/' + good, code: 'NAME_INVALID' },
  { url: '/v2/a%2fb/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/Upper/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/a//b/manifests/latest', code: 'NAME_INVALID' },
  { url: '/v2/-a/manifests/latest', code: 'NAME_INVALID' },
  { url: `/v2/${'a'.repeat(256)}/manifests/latest`, code: 'NAME_INVALID' },
  { url: '/v2/a/blobs/sha256:abc', code: 'DIGEST_INVALID' },
  { url: `/v2/a/blobs/md5:${'0'.repeat(32)}`, code: 'DIGEST_INVALID' },
  { url: `/v2/a/blobs/sha256:${'Z'.repeat(64)}`, code: 'DIGEST_INVALID' },
  { url: `/v2/a/blobs/sha256:${'A'.repeat(64)}`, code: 'DIGEST_INVALID' },
  { url: '/v2/a/blobs/..%2f..%2fetc%2fpasswd', code: 'DIGEST_INVALID' },
  { url: '/v2/a/manifests/sha256:short', code: 'DIGEST_INVALID' },
  // A malformed tag cannot name a stored manifest: reads answer 404 (as distribution and the
  // distribution-spec conformance suite expect); PUT still refuses it with TAG_INVALID.
  { url: '/v2/a/manifests/-tag', code: 'MANIFEST_UNKNOWN', status: 404 },
  { url: '/v2/a/manifests/%2e%2e', code: 'MANIFEST_UNKNOWN', status: 404 },
  { url: `/v2/a/manifests/${'t'.repeat(129)}`, code: 'MANIFEST_UNKNOWN', status: 404 },
  { url: '/v2/a/blobs/uploads/..%2f..%2fx', code: 'BLOB_UPLOAD_INVALID' },
  { url: '/v2/a/blobs/uploads/not-hex', code: 'BLOB_UPLOAD_INVALID' },
  { url: '/v2/a/referrers/sha256:nope', code: 'DIGEST_INVALID' },
  { url: '/v2/a/manifests/%zz', code: 'TAG_INVALID' },
  { url: `/v2/a/manifests/${'x'.repeat(300)}`, code: 'TAG_INVALID' },
  { url: '/v2/a/blobs/%', code: 'DIGEST_INVALID' },
  { url: '/v2/a/blobs/uploads/%g0', code: 'BLOB_UPLOAD_INVALID' },
  { url: '/v2/%zz/manifests/x', code: 'NAME_INVALID' },
] as const;

// A real loopback socket: inject() (like any WHATWG URL parser) would resolve '..' and
// '%2e%2e' before the server saw them, and clients that do not are exactly the threat.
let server: FastifyInstance;
let port = 0;
before(async () => {
  server = await makeApp();
  await server.listen({ host: '127.0.0.1', port: 0 });
  port = (server.server.address() as { port: number }).port;
});
after(() => server.close());

function rawGet(path: string): Promise<{ statusCode: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, body }));
    });
    req.on('error', reject).end();
  });
}

for (const c of cases) {
  const status = 'status' in c ? c.status : 400;
  test(`GET ${c.url.slice(0, 70)} -> ${status} ${c.code}`, async () => {
    const res = await rawGet(c.url);
    assert.equal(res.statusCode, status, res.body);
    assert.equal(codeOf(res), c.code);
    assert.deepEqual(Object.keys(JSON.parse(res.body).errors[0]), ['code', 'message', 'detail']);
  });
}

test('unknown well-formed ids and missing things are 404 with their codes', async () => {
  const app = await makeApp();
  const rows = [
    { url: `/v2/a/blobs/uploads/${'0'.repeat(32)}`, code: 'BLOB_UPLOAD_UNKNOWN' },
    { url: `/v2/a/blobs/${good}`, code: 'BLOB_UNKNOWN' },
    { url: '/v2/a/manifests/latest', code: 'MANIFEST_UNKNOWN' },
  ];
  for (const r of rows) {
    const res = await app.inject({ method: 'GET', url: r.url });
    assert.equal(res.statusCode, 404);
    assert.equal(codeOf(res), r.code);
  }
});

test('PUT upload without a digest, and mount with a bad source name, are 400', async () => {
  const app = await makeApp();
  const post = await app.inject({ method: 'POST', url: '/v2/a/blobs/uploads/' });
  const put = await app.inject({ method: 'PUT', url: post.headers.location as string });
  assert.equal(codeOf(put), 'DIGEST_INVALID');
  const mount = await app.inject({ method: 'POST', url: `/v2/a/blobs/uploads/?mount=${good}&from=../b` });
  assert.equal(mount.statusCode, 400);
  assert.equal(codeOf(mount), 'NAME_INVALID');
});

test('unknown endpoints are 404 with an error body', async () => {
  const app = await makeApp();
  const res = await app.inject({ method: 'GET', url: '/v2/a/nothing/here' });
  assert.equal(res.statusCode, 404);
  assert.equal(codeOf(res), 'UNSUPPORTED');
});
