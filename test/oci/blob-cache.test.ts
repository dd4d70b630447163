import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { spawn } from 'node:child_process';
import { BlobCache, defaultCacheDir, withBlobCache } from '../../src/oci/blob-cache.js';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { readAll } from '../../src/oci/read-all.js';
import type { Descriptor, ImageCore } from '../../src/oci/types.js';
import { tempDir } from '../helpers/temp-dir.js';

const content = Buffer.from('a blob worth caching\n'.repeat(5000));
const desc: Descriptor = { mediaType: 'application/octet-stream', digest: digestOf(content), size: content.length };
const chunks = (b: Buffer) => Readable.from(Array.from({ length: Math.ceil(b.length / 1000) }, (_, i) => b.subarray(i * 1000, (i + 1) * 1000)));

async function tempCache(): Promise<BlobCache> {
  return new BlobCache(await tempDir('cache'));
}

function countingCore(body: () => Buffer): ImageCore & { opens: number } {
  const core = {
    opens: 0,
    rawManifest: async () => Buffer.from('{}'),
    openBlob: async () => {
      core.opens++;
      return chunks(body());
    },
  };
  return core;
}

test('a fetched blob is cached and then served without the source', async () => {
  const cache = await tempCache();
  const core = countingCore(() => content);
  const cached = withBlobCache(core, cache);
  assert.deepEqual(await readAll(await cached.openBlob(desc), 1e7, 'b'), content);
  assert.deepEqual(await readAll(await cached.openBlob(desc), 1e7, 'b'), content);
  assert.equal(core.opens, 1);
  assert.deepEqual(await readFile(cache.pathOf(desc.digest)), content);
  assert.deepEqual(await readdir(join(cache.dir, 'tmp')), []);
});

const rejects = [
  { name: 'content that does not match the digest', body: () => Buffer.concat([content.subarray(1), Buffer.from('x')]) },
  { name: 'truncated content', body: () => content.subarray(0, 5000) },
];
for (const c of rejects) {
  test(`${c.name} is never published to the cache`, async () => {
    const cache = await tempCache();
    const core = countingCore(c.body);
    await readAll(await withBlobCache(core, cache).openBlob(desc), 1e7, 'b');
    assert.equal(await cache.open(desc), undefined);
    assert.deepEqual(await readdir(join(cache.dir, 'tmp')), []);
  });
}

test('a read abandoned half way leaves no cache entry and no temp file', async () => {
  const cache = await tempCache();
  const s = await withBlobCache(countingCore(() => content), cache).openBlob(desc);
  for await (const _ of s) break;
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(await cache.open(desc), undefined);
  assert.deepEqual(await readdir(join(cache.dir, 'tmp')), []);
});

test('two processes filling the same entry at once both succeed and the entry is whole', async () => {
  const cache = await tempCache();
  const big = Buffer.alloc(8 * 1024 * 1024, 7);
  const bigDigest: Digest = digestOf(big);
  const script = `
    import { BlobCache } from ${JSON.stringify(new URL('../../src/oci/blob-cache.ts', import.meta.url).pathname)};
    import { Readable } from 'node:stream';
    const big = Buffer.alloc(8 * 1024 * 1024, 7);
    const parts = Array.from({ length: 128 }, (_, i) => big.subarray(i * 65536, (i + 1) * 65536));
    const slow = Readable.from((async function* () { for (const p of parts) { await new Promise((r) => setImmediate(r)); yield p; } })());
    const s = await new BlobCache(process.env.CACHE_UNDER_TEST).tee({ mediaType: 'x', digest: ${JSON.stringify(bigDigest)}, size: big.length }, slow);
    for await (const _ of s);
  `;
  const run = () => new Promise<number>((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: 'inherit', env: { ...process.env, CACHE_UNDER_TEST: cache.dir } });
    p.on('exit', (code) => resolve(code ?? 1));
  });
  assert.deepEqual(await Promise.all([run(), run()]), [0, 0]);
  assert.deepEqual(digestOf(await readFile(cache.pathOf(bigDigest))), bigDigest);
  assert.deepEqual(await readdir(join(cache.dir, 'tmp')), []);
});

test('clean removes cached blobs', async () => {
  const cache = await tempCache();
  await readAll(await withBlobCache(countingCore(() => content), cache).openBlob(desc), 1e7, 'b');
  await cache.clean();
  assert.equal(await cache.open(desc), undefined);
  await rm(cache.dir, { recursive: true });
});

const dirs = [
  { env: { BOSUN_CACHE_DIR: '/x/c' }, want: '/x/c' },
  { env: { XDG_CACHE_HOME: '/x/xdg' }, want: '/x/xdg/bosun' },
];
for (const c of dirs) test(`defaultCacheDir ${JSON.stringify(c.env)}`, () => assert.equal(defaultCacheDir(c.env), c.want));
