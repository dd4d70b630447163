import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FsBlobStore } from '../../src/registry/blob-store/fs.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { digestOf } from '../../src/oci/digest.js';
import { describeBlobStore } from './blob-store-suite.js';

describeBlobStore('memory', async () => new MemoryBlobStore());
describeBlobStore('fs', async () => new FsBlobStore(await mkdtemp(join(tmpdir(), 'bosun-bs-'))).open(), { openReader: true });

test('blobKey fans out by the first two hex digits', () => {
  const d = digestOf('x');
  assert.equal(blobKey(d), `blobs/sha256/${d.slice(7, 9)}/${d.slice(7)}`);
});

test('fs store removes stale temp files on open, keeps fresh ones', async () => {
  const root = await mkdtemp(join(tmpdir(), 'bosun-bs-'));
  await new FsBlobStore(root).open();
  await writeFile(join(root, '_tmp', 'old'), 'partial');
  await writeFile(join(root, '_tmp', 'new'), 'partial');
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(join(root, '_tmp', 'old'), hourAgo, hourAgo);
  await new FsBlobStore(root).open(60_000);
  assert.deepEqual(await readdir(join(root, '_tmp')), ['new']);
});
