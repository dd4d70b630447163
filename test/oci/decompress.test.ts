import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { decompress } from '../../src/oci/decompress.js';
import { readAll } from '../../src/oci/read-all.js';
import { isBosunError } from '../../src/errors.js';

const text = Buffer.from('layer content '.repeat(1000));
// zstd output comes from Debian's zstd binary, the reference encoder.
const zstd = (b: Buffer) => execFileSync('zstd', ['-q', '-c'], { input: b });
const chunked = (b: Buffer, n = 777) => Readable.from(Array.from({ length: Math.ceil(b.length / n) }, (_, i) => b.subarray(i * n, (i + 1) * n)));

const ok = [
  { name: 'plain', enc: (b: Buffer) => b },
  { name: 'gzip', enc: (b: Buffer) => gzipSync(b) },
  { name: 'zstd', enc: zstd },
  { name: 'empty plain', enc: () => Buffer.alloc(0), want: Buffer.alloc(0) },
];
for (const c of ok) {
  test(`decompress ${c.name}`, async () => {
    const out = await readAll(decompress(chunked(c.enc(text)), 'l'), 1e7, 'l');
    assert.deepEqual(out, c.want ?? text);
  });
}

const bad = [
  { name: 'truncated gzip', input: gzipSync(text).subarray(0, gzipSync(text).length - 12), code: 'OCI_LAYER_INVALID' },
  { name: 'corrupt gzip', input: Buffer.concat([gzipSync(text).subarray(0, 20), Buffer.alloc(50, 7)]), code: 'OCI_LAYER_INVALID' },
  { name: 'truncated zstd', input: zstd(text).subarray(0, zstd(text).length - 8), code: 'OCI_LAYER_INVALID' },
] as const;
for (const c of bad) {
  test(`decompress ${c.name} fails with ${c.code}`, async () => {
    await assert.rejects(readAll(decompress(chunked(c.input), 'l'), 1e7, 'l'), (e) => isBosunError(e, c.code));
  });
}

const zeros = Buffer.alloc(8 * 1024 * 1024);
const bombs = [
  { name: 'gzip over total size', input: gzipSync(zeros), lim: { maxBytes: 1024 * 1024, maxRatio: 1e9, ratioFloorBytes: 0 } },
  { name: 'gzip over ratio', input: gzipSync(zeros), lim: { maxBytes: 1e12, maxRatio: 100, ratioFloorBytes: 1024 * 1024 } },
  { name: 'zstd over ratio', input: zstd(zeros), lim: { maxBytes: 1e12, maxRatio: 100, ratioFloorBytes: 1024 * 1024 } },
];
for (const c of bombs) {
  test(`decompress stops a bomb: ${c.name}`, async () => {
    await assert.rejects(readAll(decompress(chunked(c.input, 1 << 16), 'l', c.lim), 1e9, 'l'), (e) => isBosunError(e, 'LIMIT_EXCEEDED'));
  });
}

test('decompress passes through an error from its input', async () => {
  const failing = new Readable({ read() { this.destroy(new Error('boom')); } });
  await assert.rejects(readAll(decompress(failing, 'l'), 1e7, 'l'), (e) => isBosunError(e, 'OCI_LAYER_INVALID'));
});
