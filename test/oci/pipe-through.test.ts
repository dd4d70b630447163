import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough, Readable } from 'node:stream';
import { pipeThrough } from '../../src/oci/pipe-through.js';
import { readAll } from '../../src/oci/read-all.js';

test('an error on the source fails the consumer instead of leaving it waiting', async () => {
  const source = new Readable({ read() { this.destroy(new Error('connection reset')); } });
  await assert.rejects(readAll(pipeThrough(source, new PassThrough()), 100, 's'), /connection reset/);
});

test('a consumer that stops early destroys the source', async () => {
  let i = 0;
  const source = new Readable({ read() { this.push(Buffer.alloc(1024, i++)); } }); // endless
  const through = pipeThrough(source, new PassThrough());
  for await (const _ of through) break;
  await new Promise((r) => setImmediate(r));
  assert.equal(source.destroyed, true);
});

test('content passes through unchanged', async () => {
  const out = await readAll(pipeThrough(Readable.from([Buffer.from('a'), Buffer.from('b')]), new PassThrough()), 100, 's');
  assert.equal(out.toString(), 'ab');
});
