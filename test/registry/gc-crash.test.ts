// `bosun registry gc` (the real CLI in a child process) killed with SIGKILL in the middle of its
// content sweep: afterwards every manifest still resolves and every blob it references is
// readable, and a second run finishes the job. The child is frozen (SIGSTOP) as soon as it
// reports its first deleted blob, with thousands still to go, then killed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { FastifyInstance } from 'fastify';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { collectGarbage } from '../../src/registry/lifecycle/gc.js';
import { withDataDir } from '../../src/registry/lifecycle/offline.js';
import { openRegistry } from '../../src/registry/serve.js';
import { pushImage, pushIndex, pushReferrer } from './lifecycle-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const cli = ['--import', 'tsx', 'src/cli/main.ts', 'registry', 'gc'];
const orphans = 1500;

async function storedCount(data: string): Promise<number> {
  let n = 0;
  for (const alg of await readdir(join(data, 'store', 'blobs'))) {
    for (const dir of await readdir(join(data, 'store', 'blobs', alg))) n += (await readdir(join(data, 'store', 'blobs', alg, dir))).length;
  }
  return n;
}

/** Live images, garbage manifests (untagged, a deleted subject's referrers) and orphan content. */
async function seed(data: string): Promise<void> {
  const reg = await openRegistry({ dataDir: data });
  const { app } = reg;
  for (let i = 0; i < 10; i++) await pushImage(app, `team/app${i % 3}`, `live-${i}`, `v${i}`);
  const amd = await pushImage(app, 'team/multi', 'amd');
  const arm = await pushImage(app, 'team/multi', 'arm');
  await pushIndex(app, 'team/multi', [amd.digest, arm.digest], 'latest');
  for (let i = 0; i < 10; i++) await pushImage(app, 'team/app0', `untagged-${i}`);
  const doomed = await pushImage(app, 'team/signed', 'doomed', 'v1');
  await pushReferrer(app, 'team/signed', doomed.digest, 'sig');
  await app.inject({ method: 'DELETE', url: `/v2/team/signed/manifests/${doomed.digest}` });
  await reg.close();
  // Orphan content (a crash between storing and linking leaves exactly this), written directly.
  for (let i = 0; i < orphans; i++) {
    const bytes = randomBytes(64);
    const path = join(data, 'store', ...blobKey(digestOf(bytes)).split('/'));
    await mkdir(join(path, '..'), { recursive: true });
    await writeFile(path, bytes);
  }
}

/** Every manifest in the database resolves, and every blob or child it references is readable. */
async function assertConsistent(data: string): Promise<number> {
  const db = new Database(join(data, 'meta.db'), { readonly: true });
  const rows = db.prepare('SELECT r.name AS repo, m.digest FROM manifests m JOIN repositories r ON r.id = m.repo_id').all() as Array<{ repo: string; digest: Digest }>;
  db.close();
  const reg = await openRegistry({ dataDir: data });
  try {
    for (const { repo, digest } of rows) await assertResolves(reg.app, repo, digest);
  } finally {
    await reg.close();
  }
  return rows.length;
}

async function assertResolves(app: FastifyInstance, repo: string, digest: Digest): Promise<void> {
  const res = await app.inject({ method: 'GET', url: `/v2/${repo}/manifests/${digest}` });
  assert.equal(res.statusCode, 200, `${repo}@${digest} resolves`);
  assert.equal(digestOf(res.rawPayload), digest);
  const doc = JSON.parse(res.body) as { config?: { digest: Digest }; layers?: Array<{ digest: Digest }>; manifests?: Array<{ digest: Digest }> };
  for (const d of [doc.config, ...(doc.layers ?? [])].filter((x) => x !== undefined)) {
    const blob = await app.inject({ method: 'GET', url: `/v2/${repo}/blobs/${d.digest}` });
    assert.equal(blob.statusCode, 200, `${repo}: ${d.digest} readable`);
    assert.equal(digestOf(blob.rawPayload), d.digest);
  }
  for (const child of doc.manifests ?? []) await assertResolves(app, repo, child.digest);
}

/** Resolves once the child prints its first `removed blob` line. */
function firstDeletion(child: ReturnType<typeof spawn>): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('removed blob ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`gc exited (${code}) before deleting anything: ${out.slice(-500)}`)));
  });
}

test('SIGKILL mid-sweep: every manifest resolves with all its blobs; a rerun removes the rest', { timeout: 120_000 }, async () => {
  const data = await tempDir('gc-crash');
  await seed(data);
  const before = await storedCount(data);
  const args = [...cli, '--data', data, '--grace', '0s', '--delete-untagged'];

  const dry = spawnSync(process.execPath, [...args, '--dry-run'], { encoding: 'utf8' });
  assert.equal(dry.status, 0, dry.stderr);
  const wouldGo = dry.stdout.split('\n').filter((l) => l.startsWith('would remove blob ')).length;
  assert.ok(wouldGo > orphans, `dry run lists the orphans and the garbage manifests' content (${wouldGo})`);
  assert.match(dry.stdout, /^gc: would remove 11 manifests, \d+ blob links, \d+ blobs; [\d.]+ KiB would be freed$/m);
  assert.equal(await storedCount(data), before, 'a dry run deletes nothing');

  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await firstDeletion(child);
  child.kill('SIGSTOP');
  const blockedAt = await storedCount(data);
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
  assert.ok(blockedAt > before - wouldGo, `killed mid-sweep: ${before - blockedAt} of ${wouldGo} deleted`);

  const manifests = await assertConsistent(data);
  assert.equal(manifests, 10 + 3, 'the 11 garbage manifests went in the committed metadata phase');

  // The stale owner record of the killed process does not block the rerun.
  await withDataDir(data, 'gc', (stores) => collectGarbage(stores, { graceMs: 0, deleteUntagged: true }));
  assert.equal(await storedCount(data), before - wouldGo, 'everything the dry run listed is gone, nothing else');
  assert.equal(await assertConsistent(data), manifests);
});
