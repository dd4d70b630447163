import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { digestOf } from '../../src/oci/digest.js';
import { codeOf, makeApp, pushBlob } from './helpers.js';

const octet = { 'content-type': 'application/octet-stream' };

async function start(app: FastifyInstance, repo = 'r'): Promise<string> {
  const res = await app.inject({ method: 'POST', url: `/v2/${repo}/blobs/uploads/` });
  assert.equal(res.statusCode, 202);
  assert.equal(res.headers.range, '0-0');
  const uuid = res.headers['docker-upload-uuid'] as string;
  assert.equal(res.headers.location, `/v2/${repo}/blobs/uploads/${uuid}`);
  return res.headers.location as string;
}

test('chunked upload: ordered PATCHes, status, streamed PATCH, PUT with digest', async () => {
  const app = await makeApp();
  const loc = await start(app);
  const p1 = await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('hello'), headers: { ...octet, 'content-range': '0-4' } });
  assert.equal(p1.statusCode, 202);
  assert.equal(p1.headers.range, '0-4');
  const ooo = await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('xx'), headers: { ...octet, 'content-range': '2-3' } });
  assert.equal(ooo.statusCode, 416);
  const status = await app.inject({ method: 'GET', url: loc });
  assert.equal(status.statusCode, 204);
  assert.equal(status.headers.range, '0-4');
  const p2 = await app.inject({ method: 'PATCH', url: loc, payload: Readable.from([Buffer.from(' wor'), Buffer.from('ld')]), headers: octet });
  assert.equal(p2.statusCode, 202);
  assert.equal(p2.headers.range, '0-10');
  const digest = digestOf('hello world');
  const put = await app.inject({ method: 'PUT', url: `${loc}?digest=${digest}` });
  assert.equal(put.statusCode, 201);
  assert.equal(put.headers.location, `/v2/r/blobs/${digest}`);
  assert.equal(put.headers['docker-content-digest'], digest);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${digest}` })).body, 'hello world');
  assert.equal(codeOf(await app.inject({ method: 'GET', url: loc })), 'BLOB_UPLOAD_UNKNOWN');
});

test('PUT carrying the last chunk, and PUT carrying the whole blob', async () => {
  const app = await makeApp();
  const loc = await start(app);
  await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('abc'), headers: { ...octet, 'content-range': '0-2' } });
  const d1 = digestOf('abcdef');
  const put = await app.inject({ method: 'PUT', url: `${loc}?digest=${d1}`, payload: Buffer.from('def'), headers: { ...octet, 'content-range': '3-5' } });
  assert.equal(put.statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${d1}` })).body, 'abcdef');
  const loc2 = await start(app);
  const d2 = digestOf('whole');
  assert.equal((await app.inject({ method: 'PUT', url: `${loc2}?digest=${d2}`, payload: Buffer.from('whole'), headers: octet })).statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${d2}` })).body, 'whole');
});

test('PUT with the wrong digest is DIGEST_INVALID, cancels the session and stores nothing', async () => {
  const app = await makeApp();
  const loc = await start(app);
  await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('abc'), headers: octet });
  const wrong = digestOf('xyz');
  const put = await app.inject({ method: 'PUT', url: `${loc}?digest=${wrong}` });
  assert.equal(put.statusCode, 400);
  assert.equal(codeOf(put), 'DIGEST_INVALID');
  assert.equal((await app.inject({ method: 'HEAD', url: `/v2/r/blobs/${wrong}` })).statusCode, 404);
  assert.equal(codeOf(await app.inject({ method: 'GET', url: loc })), 'BLOB_UPLOAD_UNKNOWN');
});

test('sha512 digests are accepted for uploads', async () => {
  const app = await makeApp();
  const loc = await start(app);
  await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('abc'), headers: octet });
  const d = digestOf('abc', 'sha512');
  assert.equal((await app.inject({ method: 'PUT', url: `${loc}?digest=${d}` })).statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${d}` })).body, 'abc');
});

test('DELETE cancels a session; a session is not reachable from another repository', async () => {
  const app = await makeApp();
  const loc = await start(app, 'a');
  const uuid = loc.split('/').pop()!;
  assert.equal(codeOf(await app.inject({ method: 'GET', url: `/v2/b/blobs/uploads/${uuid}` })), 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await app.inject({ method: 'DELETE', url: loc })).statusCode, 204);
  const after = await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('x'), headers: octet });
  assert.equal(after.statusCode, 404);
  assert.equal(codeOf(after), 'BLOB_UPLOAD_UNKNOWN');
});

test('cross-repository mount: 201 when the source holds the blob, else an upload session', async () => {
  const app = await makeApp();
  const digest = await pushBlob(app, 'src', 'shared layer');
  const mounted = await app.inject({ method: 'POST', url: `/v2/dst/blobs/uploads/?mount=${digest}&from=src` });
  assert.equal(mounted.statusCode, 201);
  assert.equal(mounted.headers.location, `/v2/dst/blobs/${digest}`);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/dst/blobs/${digest}` })).body, 'shared layer');
  const fallback = await app.inject({ method: 'POST', url: `/v2/dst2/blobs/uploads/?mount=${digest}&from=elsewhere` });
  assert.equal(fallback.statusCode, 202);
  assert.ok(fallback.headers['docker-upload-uuid']);
});

test('cross-repository mount asks the mount check about the source', async () => {
  const asked: string[] = [];
  const app = await makeApp({ mayMountFrom: async (_req, from) => (asked.push(from), false) });
  const digest = await pushBlob(app, 'secret', 'private layer');
  const res = await app.inject({ method: 'POST', url: `/v2/dst/blobs/uploads/?mount=${digest}&from=secret` });
  assert.equal(res.statusCode, 202);
  assert.deepEqual(asked, ['secret']);
  assert.equal((await app.inject({ method: 'HEAD', url: `/v2/dst/blobs/${digest}` })).statusCode, 404);
});

test('the empty blob: monolithic POST without a body, and PUT on an empty session', async () => {
  const app = await makeApp();
  const empty = digestOf('');
  assert.equal((await app.inject({ method: 'POST', url: `/v2/r/blobs/uploads/?digest=${empty}` })).statusCode, 201);
  const loc = await start(app, 'q');
  assert.equal((await app.inject({ method: 'PUT', url: `${loc}?digest=${empty}` })).statusCode, 201);
  const get = await app.inject({ method: 'GET', url: `/v2/q/blobs/${empty}` });
  assert.equal(get.statusCode, 200);
  assert.equal(get.headers['content-length'], '0');
});

test('a chunk shorter than its Content-Range is SIZE_INVALID and is not kept', async () => {
  const app = await makeApp();
  const loc = await start(app);
  const res = await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('abc'), headers: { ...octet, 'content-range': '0-9' } });
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'SIZE_INVALID');
  const status = await app.inject({ method: 'GET', url: loc });
  assert.equal(status.headers.range, '0-0');
  const ok = await app.inject({ method: 'PATCH', url: loc, payload: Buffer.from('abc'), headers: { ...octet, 'content-range': '0-2' } });
  assert.equal(ok.headers.range, '0-2');
});
