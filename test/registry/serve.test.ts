import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBosunError } from '../../src/errors.js';
import { parseAddr } from '../../src/registry/serve.js';
import { toWireError } from '../../src/registry/errors.js';
import { BosunError } from '../../src/errors.js';

const addrs = [
  { addr: '127.0.0.1:5000', want: { host: '127.0.0.1', port: 5000 } },
  { addr: ':5001', want: { host: '127.0.0.1', port: 5001 } },
  { addr: '[::1]:5002', want: { host: '::1', port: 5002 } },
  { addr: 'localhost:0', want: { host: 'localhost', port: 0 } },
] as const;
for (const c of addrs) test(`parseAddr ${c.addr}`, () => assert.deepEqual(parseAddr(c.addr), c.want));

for (const bad of ['5000', '127.0.0.1', '1.2.3.4:99999', '::1:5000', 'host:port']) {
  test(`parseAddr refuses ${bad}`, () => assert.throws(() => parseAddr(bad), (e) => isBosunError(e, 'INPUT_INVALID')));
}

const wire = [
  { err: new BosunError('REGISTRY_SERVE_BLOB_UNKNOWN', 'x'), status: 404, code: 'BLOB_UNKNOWN' },
  { err: new BosunError('REGISTRY_SERVE_RANGE_INVALID', 'x'), status: 416, code: 'RANGE_INVALID' },
  { err: new BosunError('OCI_DIGEST_MISMATCH', 'x'), status: 400, code: 'DIGEST_INVALID' },
  { err: new BosunError('LIMIT_EXCEEDED', 'x'), status: 413, code: 'MANIFEST_INVALID' },
  { err: new BosunError('REGISTRY_SERVE_STORE_FAILED', 'disk /secret/path full'), status: 500, code: 'UNKNOWN' },
  { err: new Error('internal detail'), status: 500, code: 'UNKNOWN' },
] as const;
for (const c of wire) {
  test(`toWireError ${c.err instanceof BosunError ? c.err.code : 'Error'} -> ${c.status} ${c.code}`, () => {
    const w = toWireError(c.err);
    assert.equal(w.status, c.status);
    assert.equal(w.body.errors[0]!.code, c.code);
    if (c.status === 500) assert.equal(w.body.errors[0]!.message, 'internal server error');
  });
}
