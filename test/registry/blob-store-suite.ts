// describeBlobStore(make): the contract every BlobStore implementation must meet (STYLE.md §5).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { BosunError, isBosunError } from '../../src/errors.js';
import { readAll } from '../../src/oci/read-all.js';
import type { BlobStore } from '../../src/registry/blob-store/blob-store.js';

async function text(store: BlobStore, key: string, range?: { start: number; end: number }): Promise<string> {
  return (await readAll(await store.read(key, range), 1 << 20, key)).toString();
}

function failing(after: string): Readable {
  return new Readable({
    read() {
      this.push(after);
      this.destroy(new BosunError('OCI_DIGEST_MISMATCH', 'injected'));
    },
  });
}

async function keys(store: BlobStore, prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out.sort();
}

/** Runs the BlobStore contract against fresh stores from `make`; `openReader`: the store offers it. */
export function describeBlobStore(name: string, make: () => Promise<BlobStore>, opts: { openReader?: boolean } = {}): void {
  describe(`BlobStore contract: ${name}`, () => {
    test('put then stat and read the whole value', async () => {
      const s = await make();
      await s.put('blobs/sha256/ab/abc', Readable.from([Buffer.from('hello '), Buffer.from('world')]));
      assert.deepEqual(await s.stat('blobs/sha256/ab/abc'), { size: 11 });
      assert.equal(await text(s, 'blobs/sha256/ab/abc'), 'hello world');
    });

    test('read a byte range (inclusive end)', async () => {
      const s = await make();
      await s.put('k/one', Readable.from([Buffer.from('0123456789')]));
      assert.equal(await text(s, 'k/one', { start: 2, end: 4 }), '234');
      assert.equal(await text(s, 'k/one', { start: 9, end: 9 }), '9');
    });

    test('empty values are values', async () => {
      const s = await make();
      await s.put('k/empty', Readable.from([]));
      assert.deepEqual(await s.stat('k/empty'), { size: 0 });
      assert.equal(await text(s, 'k/empty'), '');
    });

    test('absent keys: stat undefined, read BLOB_UNKNOWN, delete is a no-op', async () => {
      const s = await make();
      assert.equal(await s.stat('k/none'), undefined);
      await assert.rejects(s.read('k/none'), (e) => isBosunError(e, 'REGISTRY_SERVE_BLOB_UNKNOWN'));
      await s.delete('k/none');
    });

    test('a failing body leaves nothing visible and rethrows its error', async () => {
      const s = await make();
      await assert.rejects(s.put('k/partial', failing('some bytes')), (e) => isBosunError(e, 'OCI_DIGEST_MISMATCH'));
      assert.equal(await s.stat('k/partial'), undefined);
      assert.deepEqual(await keys(s, ''), []);
    });

    test('a failing overwrite keeps the old value', async () => {
      const s = await make();
      await s.put('k/v', Readable.from([Buffer.from('old')]));
      await assert.rejects(s.put('k/v', failing('new')));
      assert.equal(await text(s, 'k/v'), 'old');
    });

    test('list yields every key under a prefix, and delete removes', async () => {
      const s = await make();
      for (const k of ['blobs/sha256/aa/aa1', 'blobs/sha256/bb/bb1', 'blobs/sha512/cc/cc1', 'other/x']) {
        await s.put(k, Readable.from([Buffer.from(k)]));
      }
      assert.deepEqual(await keys(s, 'blobs/sha256/'), ['blobs/sha256/aa/aa1', 'blobs/sha256/bb/bb1']);
      assert.deepEqual((await keys(s, '')).length, 4);
      await s.delete('blobs/sha256/aa/aa1');
      assert.deepEqual(await keys(s, 'blobs/'), ['blobs/sha256/bb/bb1', 'blobs/sha512/cc/cc1']);
    });

    if (opts.openReader) test('openReader: size, positional reads, 0 at the end, BLOB_UNKNOWN when absent', async () => {
      const s = await make();
      assert.ok(s.openReader);
      await s.put('k/r', Readable.from([Buffer.from('0123456789')]));
      const r = await s.openReader('k/r');
      try {
        assert.equal(r.size, 10);
        const buf = Buffer.alloc(4);
        assert.equal(await r.read(buf, 3, 2), 3);
        assert.equal(buf.subarray(0, 3).toString(), '234');
        assert.equal(await r.read(buf, 4, 8), 2);
        assert.equal(buf.subarray(0, 2).toString(), '89');
        assert.equal(await r.read(buf, 4, 10), 0);
        // The reader keeps the value it opened, as a GET in progress must.
        await s.put('k/r', Readable.from([Buffer.from('abcdefghij')]));
        await s.delete('k/r');
        assert.equal(await r.read(buf, 4, 0), 4);
        assert.equal(buf.toString(), '0123');
      } finally {
        await r.close();
      }
      await assert.rejects(s.openReader('k/none'), (e) => isBosunError(e, 'REGISTRY_SERVE_BLOB_UNKNOWN'));
      await assert.rejects(s.openReader('../x'), (e) => isBosunError(e, 'INPUT_INVALID'));
    });

    const badKeys = ['../etc/passwd', 'blobs/../../x', '/abs', 'a//b', 'a/./b', '.hidden', 'A/Upper', 'a/b/', ''];
    for (const key of badKeys) {
      test(`key ${JSON.stringify(key)} is refused before touching storage`, async () => {
        const s = await make();
        await assert.rejects(s.put(key, Readable.from([Buffer.from('x')])), (e) => isBosunError(e, 'INPUT_INVALID'));
        await assert.rejects(s.stat(key), (e) => isBosunError(e, 'INPUT_INVALID'));
        await assert.rejects(s.read(key), (e) => isBosunError(e, 'INPUT_INVALID'));
      });
    }
  });
}
