import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { digestOf, isDigest, parseDigest, VerifyingStream } from '../../src/oci/digest.js';
import { isBosunError } from '../../src/errors.js';
import { readAll } from '../../src/oci/read-all.js';

const hex64 = 'a'.repeat(64);
const cases = [
  { in: `sha256:${hex64}`, ok: true },
  { in: `sha512:${'b'.repeat(128)}`, ok: true },
  { in: `sha256:${'A'.repeat(64)}`, ok: false }, // uppercase hex is not canonical
  { in: `sha256:${hex64.slice(1)}`, ok: false }, // short
  { in: `sha512:${hex64}`, ok: false }, // sha512 needs 128 hex
  { in: `md5:${'a'.repeat(32)}`, ok: false },
  { in: `sha256:${hex64}\n`, ok: false },
  { in: '', ok: false },
];
for (const c of cases) {
  test(`digest ${JSON.stringify(c.in).slice(0, 30)} ok=${c.ok}`, () => {
    assert.equal(isDigest(c.in), c.ok);
    if (c.ok) assert.equal(parseDigest(c.in), c.in);
    else assert.throws(() => parseDigest(c.in), (e) => isBosunError(e, 'OCI_DIGEST_INVALID'));
  });
}

test('digestOf matches a known sha256', () => {
  assert.equal(digestOf(''), 'sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
});

const streams = [
  { name: 'exact content passes', data: 'hello', size: 5, want: 'ok' },
  { name: 'substituted content fails', data: 'hellp', size: 5, want: 'OCI_DIGEST_MISMATCH' },
  { name: 'truncated content fails', data: 'hell', size: 5, want: 'OCI_SIZE_MISMATCH' },
  { name: 'padded content fails', data: 'hello!', size: 5, want: 'OCI_SIZE_MISMATCH' },
] as const;
for (const c of streams) {
  test(`VerifyingStream: ${c.name}`, async () => {
    const s = Readable.from([Buffer.from(c.data)]).pipe(new VerifyingStream(digestOf('hello'), 'blob', c.size));
    if (c.want === 'ok') assert.equal((await readAll(s, 100, 'x')).toString(), 'hello');
    else await assert.rejects(readAll(s, 100, 'x'), (e) => isBosunError(e, c.want));
  });
}
