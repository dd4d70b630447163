import { test } from 'node:test';
import assert from 'node:assert/strict';
import { digestOf } from '../../src/oci/digest.js';
import { codeOf, makeApp, pushBlob } from './helpers.js';

const data = Buffer.from('0123456789abcdef');

test('blob GET and HEAD answer the bytes, digest and length', async () => {
  const app = await makeApp();
  const digest = await pushBlob(app, 'r', data);
  const get = await app.inject({ method: 'GET', url: `/v2/r/blobs/${digest}` });
  assert.equal(get.statusCode, 200);
  assert.deepEqual(get.rawPayload, data);
  assert.equal(get.headers['docker-content-digest'], digest);
  assert.equal(get.headers['content-length'], '16');
  const head = await app.inject({ method: 'HEAD', url: `/v2/r/blobs/${digest}` });
  assert.equal(head.statusCode, 200);
  assert.equal(head.headers['content-length'], '16');
  assert.equal(head.body, '');
});

const ranges = [
  { range: 'bytes=2-5', status: 206, body: '2345', contentRange: 'bytes 2-5/16' },
  { range: 'bytes=10-', status: 206, body: 'abcdef', contentRange: 'bytes 10-15/16' },
  { range: 'bytes=-3', status: 206, body: 'def', contentRange: 'bytes 13-15/16' },
  { range: 'bytes=14-99', status: 206, body: 'ef', contentRange: 'bytes 14-15/16' },
  { range: 'bytes=16-20', status: 416, body: undefined, contentRange: 'bytes */16' },
  { range: 'bytes=0-1,4-5', status: 200, body: data.toString(), contentRange: undefined },
  { range: 'lines=1-2', status: 200, body: data.toString(), contentRange: undefined },
] as const;
for (const c of ranges) {
  test(`blob GET with Range ${c.range} -> ${c.status}`, async () => {
    const app = await makeApp();
    const digest = await pushBlob(app, 'r', data);
    const res = await app.inject({ method: 'GET', url: `/v2/r/blobs/${digest}`, headers: { range: c.range } });
    assert.equal(res.statusCode, c.status);
    assert.equal(res.headers['content-range'], c.contentRange);
    if (c.body !== undefined) assert.equal(res.body, c.body);
    else assert.equal(codeOf(res), 'RANGE_INVALID');
  });
}

test('blobs are visible only in repositories that hold them; DELETE unlinks', async () => {
  const app = await makeApp();
  const digest = await pushBlob(app, 'a', data);
  const other = await app.inject({ method: 'GET', url: `/v2/b/blobs/${digest}` });
  assert.equal(other.statusCode, 404);
  assert.equal(codeOf(other), 'BLOB_UNKNOWN');
  assert.equal((await app.inject({ method: 'DELETE', url: `/v2/a/blobs/${digest}` })).statusCode, 202);
  assert.equal((await app.inject({ method: 'HEAD', url: `/v2/a/blobs/${digest}` })).statusCode, 404);
  assert.equal(codeOf(await app.inject({ method: 'DELETE', url: `/v2/a/blobs/${digest}` })), 'BLOB_UNKNOWN');
});

test('monolithic POST with a wrong digest is DIGEST_INVALID and stores nothing', async () => {
  const app = await makeApp();
  const wrong = digestOf('not these bytes');
  const res = await app.inject({ method: 'POST', url: `/v2/r/blobs/uploads/?digest=${wrong}`, payload: data, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'DIGEST_INVALID');
  assert.equal((await app.inject({ method: 'HEAD', url: `/v2/r/blobs/${wrong}` })).statusCode, 404);
});
