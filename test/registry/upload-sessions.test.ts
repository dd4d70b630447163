import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { isBosunError } from '../../src/errors.js';
import { digestOf } from '../../src/oci/digest.js';
import { FsBlobStore } from '../../src/registry/blob-store/fs.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { UploadSessions } from '../../src/registry/upload-sessions.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';

async function setup() {
  const dir = await mkdtemp(join(tmpdir(), 'bosun-spool-'));
  const meta = new SqliteMetaStore(':memory:');
  const sessions = new UploadSessions(meta, new MemoryBlobStore(), await new UploadSpool(dir).open());
  return { dir, meta, sessions };
}

test('cleanStale removes old sessions and orphan files, keeps recent ones', async () => {
  const { dir, meta, sessions } = await setup();
  const fresh = await sessions.start('r');
  await sessions.append(fresh, { body: Readable.from([Buffer.from('kept')]) });
  const old = await sessions.start('r');
  const hourAgo = Date.now() - 3600_000;
  await meta.setUploadSize(old.id, 0, hourAgo);
  const orphan = 'f'.repeat(32);
  await writeFile(join(dir, orphan), 'left by a crash');
  await utimes(join(dir, orphan), new Date(hourAgo), new Date(hourAgo));
  assert.equal(await sessions.cleanStale(60_000), 2);
  assert.deepEqual((await readdir(dir)).sort(), [fresh.id]);
  assert.ok(await meta.getUpload(fresh.id));
  assert.equal(await meta.getUpload(old.id), undefined);
});

test('a second request on a busy session is BLOB_UPLOAD_INVALID', async () => {
  const { sessions } = await setup();
  const u = await sessions.start('r');
  // A body that never ends keeps the first append in progress.
  const slow = new Readable({ read() {} });
  slow.push('x');
  const first = sessions.append(u, { body: slow });
  await assert.rejects(sessions.append(u, { body: Readable.from([Buffer.from('y')]) }), (e) => isBosunError(e, 'REGISTRY_SERVE_BLOB_UPLOAD_INVALID'));
  slow.push(null);
  assert.equal((await first).size, 1);
});

test('a client hanging up mid-chunk is BLOB_UPLOAD_INVALID and the partial chunk is dropped', async () => {
  const { sessions } = await setup();
  const u = await sessions.start('r');
  const ok = await sessions.append(u, { body: Readable.from([Buffer.from('abc')]) });
  const aborted = new Readable({ read() {} });
  aborted.push('partial');
  setImmediate(() => aborted.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  await assert.rejects(sessions.append(ok, { body: aborted }), (e) => isBosunError(e, 'REGISTRY_SERVE_BLOB_UPLOAD_INVALID'));
  const next = await sessions.append(ok, { body: Readable.from([Buffer.from('def')]) });
  assert.equal(next.size, 6);
  // The running hash was dropped with the failed chunk; finishing hashes the file instead.
  assert.equal(await sessions.finish(next, digestOf('abcdef')), 6);
});

test('spool files: none until the first bytes; a blob sent whole with the final PUT never gets one', async () => {
  const { dir, sessions } = await setup();
  const whole = await sessions.start('r');
  assert.deepEqual(await readdir(dir), []);
  assert.equal(await sessions.finish(whole, digestOf('whole'), { body: Readable.from([Buffer.from('whole')]) }), 5);
  const empty = await sessions.start('r');
  assert.equal(await sessions.finish(empty, digestOf('')), 0);
  assert.deepEqual(await readdir(dir), []);
});

test('a first chunk failing before any byte leaves the session empty and usable', async () => {
  const { dir, sessions } = await setup();
  const u = await sessions.start('r');
  const broken = new Readable({ read() {} });
  setImmediate(() => broken.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })));
  await assert.rejects(sessions.append(u, { body: broken }), (e) => isBosunError(e, 'REGISTRY_SERVE_BLOB_UPLOAD_INVALID'));
  const next = await sessions.append(u, { body: Readable.from([Buffer.from('abc')]) });
  assert.equal(next.size, 3);
  assert.deepEqual(await readdir(dir), [u.id]);
  assert.equal(await sessions.finish(next, digestOf('abc')), 3);
  assert.deepEqual(await readdir(dir), []);
});

/** Sessions over an fs store; the spool in `spoolParent` (default: beside the store). */
async function fsSetup(spoolParent = tmpdir()) {
  const root = await mkdtemp(join(tmpdir(), 'bosun-adopt-'));
  const spoolDir = await mkdtemp(join(spoolParent, 'bosun-adopt-spool-'));
  const store = await new FsBlobStore(join(root, 'store')).open();
  const sessions = new UploadSessions(new SqliteMetaStore(':memory:'), store, await new UploadSpool(spoolDir).open());
  return { root, spoolDir, store, sessions };
}

async function chunked(sessions: UploadSessions, parts: string[]) {
  let u = await sessions.start('r');
  for (const part of parts) u = await sessions.append(u, { body: Readable.from([Buffer.from(part)]) });
  return u;
}

test('a chunked upload into an fs store moves its spool file into place, with a fresh mtime for GC', async () => {
  const { root, spoolDir, store, sessions } = await fsSetup();
  const u = await chunked(sessions, ['hello ', 'world']);
  const spooled = join(spoolDir, u.id);
  const inode = (await stat(spooled)).ino;
  const hourAgo = new Date(Date.now() - 3600_000);
  await utimes(spooled, hourAgo, hourAgo);
  const digest = digestOf('hello world');
  assert.equal(await sessions.finish(u, digest), 11);
  const stored = join(root, 'store', ...blobKey(digest).split('/'));
  assert.equal((await stat(stored)).ino, inode, 'renamed, not copied');
  assert.equal(await readFile(stored, 'utf8'), 'hello world');
  assert.ok((await store.lastModified(blobKey(digest)))! > Date.now() - 60_000);
  assert.deepEqual(await readdir(spoolDir), []);
  assert.deepEqual(await readdir(join(root, 'store', '_tmp')), []);
});

test('a spool on another file system (tmpfs) is copied into the fs store instead', async () => {
  const { root, spoolDir, sessions } = await fsSetup('/dev/shm');
  const u = await chunked(sessions, ['across ', 'devices']);
  const digest = digestOf('across devices');
  assert.equal(await sessions.finish(u, digest), 14);
  assert.equal(await readFile(join(root, 'store', ...blobKey(digest).split('/')), 'utf8'), 'across devices');
  assert.deepEqual(await readdir(spoolDir), []);
});

test('a chunked upload whose bytes do not match the digest stores nothing in the fs store', async () => {
  const { root, spoolDir, store, sessions } = await fsSetup();
  const u = await chunked(sessions, ['some ', 'bytes']);
  const wrong = digestOf('other bytes');
  await assert.rejects(sessions.finish(u, wrong), (e) => isBosunError(e, 'REGISTRY_SERVE_DIGEST_INVALID'));
  assert.equal(await store.stat(blobKey(wrong)), undefined);
  assert.deepEqual(await readdir(spoolDir), []);
  assert.deepEqual(await readdir(join(root, 'store', '_tmp')), []);
});
