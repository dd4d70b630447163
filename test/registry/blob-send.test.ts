// Large blob GETs from the fs store over real loopback HTTP: the pooled-buffer path
// (blob-send.ts) must answer byte-exact bodies, ranges across its 1 MiB chunk boundaries,
// and never a short body that looks complete.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readlink, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { Agent, request } from 'undici';
import type { Digest } from '../../src/oci/digest.js';
import { buildRegistryApp } from '../../src/registry/app.js';
import type { BlobReader, BlobStore } from '../../src/registry/blob-store/blob-store.js';
import { FsBlobStore } from '../../src/registry/blob-store/fs.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { pushBlob } from './helpers.js';

const MiB = 1 << 20;
const blob = randomBytes(3 * MiB + 12_345);
const size = blob.length;

interface Served {
  app: FastifyInstance;
  origin: string;
  root: string;
  digest: Digest;
  statuses: number[];
}

/** A listening registry on an fs store holding `bytes` in repo "r"; `wrap` may decorate the store. */
async function serve(wrap: (s: FsBlobStore) => BlobStore = (s) => s, bytes = blob): Promise<Served> {
  const root = await mkdtemp(join(tmpdir(), 'bosun-blob-send-'));
  const statuses: number[] = [];
  const { app } = await buildRegistryApp({
    blobs: wrap(await new FsBlobStore(join(root, 'store')).open()),
    meta: new SqliteMetaStore(':memory:'),
    spool: await new UploadSpool(join(root, 'spool')).open(),
    // onResponse hooks (metrics, pull times) must still see the hand-written answers.
    extensions: [(a) => void a.addHook('onResponse', async (req, reply) => void (req.method === 'GET' && req.url.includes('/blobs/sha256:') && statuses.push(reply.statusCode)))],
  });
  const digest = await pushBlob(app, 'r', bytes);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as { port: number };
  return { app, origin: `http://127.0.0.1:${port}`, root, digest, statuses };
}

async function get(s: Served, headers: Record<string, string> = {}) {
  const res = await request(`${s.origin}/v2/r/blobs/${s.digest}`, { headers, dispatcher: client });
  return { status: res.statusCode, headers: res.headers, body: Buffer.from(await res.body.arrayBuffer()) };
}

const client = new Agent();
let s: Served;
before(async () => {
  s = await serve();
});
after(async () => {
  // The client first: it may hold a spare connection open, which the server would wait out.
  await client.destroy();
  await s.app.close();
});

test('a multi-MiB blob GET is byte-exact with the registry headers', async () => {
  const res = await get(s);
  assert.equal(res.status, 200);
  assert.ok(res.body.equals(blob));
  assert.equal(res.headers['content-length'], String(size));
  assert.equal(res.headers['docker-content-digest'], s.digest);
  assert.equal(res.headers['content-type'], 'application/octet-stream');
  assert.equal(res.headers['accept-ranges'], 'bytes');
});

const ranges: Array<{ range: string; start: number; end: number }> = [
  { range: 'bytes=0-0', start: 0, end: 0 },
  { range: `bytes=${MiB - 1}-${MiB}`, start: MiB - 1, end: MiB },
  { range: `bytes=${MiB}-${2 * MiB - 1}`, start: MiB, end: 2 * MiB - 1 },
  { range: `bytes=${MiB - 1}-`, start: MiB - 1, end: size - 1 },
  { range: `bytes=-${MiB + 1}`, start: size - MiB - 1, end: size - 1 },
  { range: 'bytes=-1', start: size - 1, end: size - 1 },
  { range: `bytes=5-${size + 100}`, start: 5, end: size - 1 },
];
for (const c of ranges) {
  test(`Range ${c.range} answers exactly bytes ${c.start}-${c.end}`, async () => {
    const res = await get(s, { range: c.range });
    assert.equal(res.status, 206);
    assert.equal(res.headers['content-range'], `bytes ${c.start}-${c.end}/${size}`);
    assert.equal(res.headers['content-length'], String(c.end - c.start + 1));
    assert.ok(res.body.equals(blob.subarray(c.start, c.end + 1)));
  });
}

test('a Range past the end is 416 with the size', async () => {
  const res = await get(s, { range: `bytes=${size}-` });
  assert.equal(res.status, 416);
  assert.equal(res.headers['content-range'], `bytes */${size}`);
});

test('concurrent GETs each get the whole blob (buffers are not shared between them)', async () => {
  const all = await Promise.all(Array.from({ length: 6 }, (_, i) => get(s, i % 2 ? {} : { range: `bytes=${i}-` })));
  for (const [i, res] of all.entries()) assert.ok(res.body.equals(i % 2 ? blob : blob.subarray(i)), `GET ${i}`);
});

test('onResponse hooks see the statuses of hand-written answers', async () => {
  const before = s.statuses.length;
  await get(s);
  await get(s, { range: 'bytes=1-2' });
  assert.deepEqual(s.statuses.slice(before), [200, 206]);
});

/** Open descriptors of this process on the stored blob file. */
async function blobFds(t: Served): Promise<number> {
  const file = join(t.root, 'store', ...blobKey(t.digest).split('/'));
  const links = await Promise.all((await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')));
  return links.filter((l) => l === file).length;
}

test('clients leaving mid-body free the file, and the next GET is whole', async () => {
  // 24 MiB: more than loopback socket buffers hold, so the server is mid-body when they go.
  const big = randomBytes(24 * MiB);
  const t = await serve(undefined, big);
  try {
    for (let i = 0; i < 3; i++) {
      const res = await request(`${t.origin}/v2/r/blobs/${t.digest}`, { dispatcher: client });
      for await (const _ of res.body) break;
    }
    const deadline = Date.now() + 5000;
    while ((await blobFds(t)) > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await blobFds(t), 0);
    const res = await request(`${t.origin}/v2/r/blobs/${t.digest}`, { dispatcher: client });
    assert.ok(Buffer.from(await res.body.arrayBuffer()).equals(big));
  } finally {
    await t.app.close();
  }
});

test('a stored file shorter than its link is STORE_FAILED before any body', async () => {
  const t = await serve();
  try {
    await truncate(join(t.root, 'store', ...blobKey(t.digest).split('/')), MiB);
    const res = await get(t);
    assert.equal(res.status, 500);
    assert.equal((JSON.parse(res.body.toString()) as { errors: Array<{ code: string }> }).errors[0]!.code, 'UNKNOWN');
  } finally {
    await t.app.close();
  }
});

test('a read failing mid-body cuts the connection instead of ending a short body', async () => {
  // Fault injection: a real fs store whose reader fails on its second chunk; a disk error
  // cannot be provoked on demand here.
  const failing = (fs: FsBlobStore): BlobStore => Object.assign(Object.create(fs) as FsBlobStore, {
    openReader: async (key: string): Promise<BlobReader> => {
      const r = await fs.openReader(key);
      let reads = 0;
      return { size: r.size, close: () => r.close(), read: async (into, length, position) => {
        if (++reads === 2) throw new Error('injected EIO');
        return r.read(into, length, position);
      } };
    },
  });
  const t = await serve(failing);
  try {
    // The headers may or may not have reached the client before the cut; the body never completes.
    await assert.rejects(async () => (await request(`${t.origin}/v2/r/blobs/${t.digest}`, { dispatcher: client })).body.arrayBuffer());
  } finally {
    await t.app.close();
  }
});
