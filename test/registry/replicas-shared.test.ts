// A fleet's shared state: two replicas (in-process apps over one PostgreSQL database and one
// S3 bucket, each with its own data directory) and the `bosun registry` CLI pointed at the same
// registry.yaml. Accounts, immutable-tag rules, the audit log, scan results and GC are shared.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { stringify } from 'yaml';
import type { AuditEntry } from '../../src/registry/audit/chain.js';
import { parseRegistryConfig, type RegistryConfig } from '../../src/registry/config.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { importDatabase } from '../../src/vuln/db/index.js';
import { osvDir } from '../helpers/memory-advisories.js';
import { imageFixture } from '../helpers/oci-image.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { bookwormExpatXzStatus, debianOsRelease } from '../helpers/sbom-fixture.js';
import { codeOf, imageManifest, pushBlob, putManifest } from './helpers.js';

const bin = new URL('../../bin/bosun.js', import.meta.url).pathname;
const alice = `Basic ${Buffer.from('alice:alice password').toString('base64')}`;

let pg: TestPostgres;
let s3: TestS3;
let work: string;
let yamlFile: string;
let config: RegistryConfig;
let a: FastifyInstance;
let b: FastifyInstance;
const opened: OpenedRegistry[] = [];

function bosun(args: string[], stdin = ''): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [bin, ...args]);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d));
    p.stderr.on('data', (d: Buffer) => (stderr += d));
    p.on('close', (status) => resolve({ status, stdout, stderr }));
    p.stdin.end(stdin);
  });
}

/** The app as alice sees it: every request carries her Basic credentials. */
function as(app: FastifyInstance, authorization = alice): FastifyInstance {
  const inject = (opts: InjectOptions) => app.inject({ ...opts, headers: { ...opts.headers, authorization } });
  return { inject } as unknown as FastifyInstance;
}

before(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3()]);
  work = await mkdtemp(join(tmpdir(), 'bosun-fleet-shared-'));
  await writeFile(join(work, 'key-id'), `${s3.accessKeyId}\n`, { mode: 0o600 });
  await writeFile(join(work, 'secret'), `${s3.secretAccessKey}\n`, { mode: 0o600 });
  await writeFile(join(work, 'db-url'), await pg.createDatabase(), { mode: 0o600 });
  const osv = join(work, 'osv');
  mkdirSync(osv);
  copyFileSync(join(osvDir('debian-changelog'), 'DEBCL-CVE-2023-52425.json'), join(osv, 'DEBCL-CVE-2023-52425.json'));
  await importDatabase([osv], { dir: join(work, 'vulndb') });
  const raw = {
    data: join(work, 'cli-data'),
    storage: {
      blobs: { driver: 's3', bucket: s3.bucket, endpoint: s3.endpoint, prefix: 'shared/', forcePathStyle: true, accessKeyIdFile: join(work, 'key-id'), secretAccessKeyFile: join(work, 'secret') },
      meta: { driver: 'postgres', urlFile: join(work, 'db-url') },
    },
    auth: { enabled: true },
    audit: { flushMs: 10 },
    scan: { enabled: true, dbDir: join(work, 'vulndb'), offline: true, attach: false },
  };
  yamlFile = join(work, 'registry.yaml');
  await writeFile(yamlFile, stringify(raw));
  config = parseRegistryConfig(raw);
  for (const name of ['a', 'b']) opened.push(await openRegistry({ dataDir: join(work, `replica-${name}`), config }));
  [a, b] = opened.map((r) => r.app) as [FastifyInstance, FastifyInstance];
});
after(async () => {
  for (const r of opened) await r.close();
  await Promise.all([pg.stop(), s3.stop()]);
});

test('fleet: a user added with the CLI on registry.yaml logs in on either replica; a wrong password fails on both', async () => {
  const added = await bosun(['registry', 'users', 'add', 'alice', '--config', yamlFile, '--password-stdin', '--grant', 'team/**=pull,push,delete'], 'alice password\n');
  assert.equal(added.status, 0, added.stderr);
  for (const app of [a, b]) {
    assert.equal((await app.inject({ method: 'GET', url: '/v2/', headers: { authorization: alice } })).statusCode, 200);
    const wrong = await app.inject({ method: 'GET', url: '/v2/', headers: { authorization: `Basic ${Buffer.from('alice:nope nope').toString('base64')}` } });
    assert.equal(wrong.statusCode, 401);
  }
  const listed = await bosun(['registry', 'users', 'list', '--config', yamlFile, '--json']);
  assert.equal(listed.status, 0, listed.stderr);
  assert.deepEqual((JSON.parse(listed.stdout) as Array<{ name: string }>).map((u) => u.name), ['alice']);
});

test('fleet: a rule added with the CLI blocks a tag move on the other replica; the audit log of both verifies as one chain', async () => {
  const rule = await bosun(['registry', 'rules', 'add', '--config', yamlFile, '--repository', 'team/**', '--tag', 'v*']);
  assert.equal(rule.status, 0, rule.stderr);
  const x = await imageManifest(as(a), 'team/app', {}, 'x');
  const y = await imageManifest(as(a), 'team/app', {}, 'y');
  assert.equal((await putManifest(as(a), 'team/app', 'v1', x.raw)).statusCode, 201);
  const moved = await putManifest(as(b), 'team/app', 'v1', y.raw);
  assert.equal(moved.statusCode, 403);
  assert.equal(codeOf(moved), 'DENIED');
  assert.equal((await as(b).inject({ method: 'GET', url: '/v2/team/app/manifests/v1' })).statusCode, 200);
  // Both replicas' writers flush every 10 ms; give them a moment, then read the one log.
  await new Promise((r) => setTimeout(r, 300));
  const verified = await bosun(['registry', 'audit', '--config', yamlFile, '--verify', '--format', 'json']);
  assert.equal(verified.status, 0, verified.stderr);
  const summary = JSON.parse(verified.stdout) as { intact: boolean; entries: number };
  assert.equal(summary.intact, true);
  const exported = await bosun(['registry', 'audit', '--config', yamlFile, '--format', 'jsonl']);
  const entries = exported.stdout.trim().split('\n').map((l) => JSON.parse(l) as AuditEntry);
  assert.equal(entries.length, summary.entries);
  assert.ok(entries.some((e) => e.action === 'push' && e.tag === 'v1' && e.actor === 'alice'), 'the push through A');
  assert.ok(entries.some((e) => e.action === 'denied' && e.repo === 'team/app'), 'the refusal on B');
  assert.ok(entries.some((e) => e.action === 'pull' && e.tag === 'v1'), 'the pull on B');
});

test('fleet: a token issued by one replica is accepted by the other (one signing key, in the database)', async () => {
  const issued = await a.inject({ method: 'GET', url: '/token?service=bosun-registry&scope=repository:team/app:pull', headers: { authorization: alice } });
  assert.equal(issued.statusCode, 200, issued.body);
  const { token } = JSON.parse(issued.body) as { token: string };
  const listed = await b.inject({ method: 'GET', url: '/v2/team/app/tags/list', headers: { authorization: `Bearer ${token}` } });
  assert.equal(listed.statusCode, 200, listed.body);
  assert.deepEqual(JSON.parse(listed.body), { name: 'team/app', tags: ['v1'] });
  // Nothing of the fleet's state is local: each data directory holds only the upload spool.
  for (const name of ['a', 'b']) assert.deepEqual(readdirSync(join(work, `replica-${name}`)), ['uploads']);
});

test('fleet: a scan run by the replica that took the push is served by the other', async () => {
  const image = await imageFixture([[{ path: 'etc/os-release', content: Buffer.from(debianOsRelease) }, { path: 'var/lib/dpkg/status', content: Buffer.from(bookwormExpatXzStatus) }]]);
  for (const blob of image.blobs.values()) await pushBlob(as(a), 'team/scanned', blob);
  assert.equal((await putManifest(as(a), 'team/scanned', 'latest', image.raw)).statusCode, 201);
  const deadline = Date.now() + 60_000;
  let body: { status: string; summary?: { total: number }; report?: { results: Array<{ findings: Array<{ id: string }> }> } } = { status: 'queued' };
  while (['queued', 'running'].includes(body.status) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const res = await as(b).inject({ method: 'GET', url: `/api/v1/scans/team/scanned/${image.digest}` });
    assert.equal(res.statusCode, 200, res.body);
    body = JSON.parse(res.body) as typeof body;
  }
  assert.equal(body.status, 'done', JSON.stringify(body).slice(0, 300));
  const ids = body.report!.results.flatMap((r) => r.findings.map((f) => f.id));
  assert.ok(ids.includes('CVE-2023-52425'), ids.join(','));
});

test('fleet: `bosun registry gc` on registry.yaml frees unreferenced content and keeps a blob a replica just uploaded', async () => {
  const dropped = await pushBlob(as(a), 'team/gc', 'no longer wanted');
  assert.equal((await as(a).inject({ method: 'DELETE', url: `/v2/team/gc/blobs/${dropped}` })).statusCode, 202);
  const fresh = await pushBlob(as(b), 'team/gc', 'just uploaded through B');
  const gc = await bosun(['registry', 'gc', '--config', yamlFile]);
  assert.equal(gc.status, 0, gc.stderr);
  assert.match(gc.stdout, new RegExp(`removed blob ${dropped}`));
  assert.doesNotMatch(gc.stdout, new RegExp(fresh));
  const got = await as(a).inject({ method: 'GET', url: `/v2/team/gc/blobs/${fresh}` });
  assert.equal(got.statusCode, 200);
  assert.equal(got.body, 'just uploaded through B');
  // And B can still build on it: a manifest referencing the blob is accepted.
  const img = await imageManifest(as(b), 'team/gc', {}, 'after-gc');
  assert.equal((await putManifest(as(b), 'team/gc', 'v1', img.raw)).statusCode, 201);
});
