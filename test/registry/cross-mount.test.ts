// Automatic cross-repository mount (POST ?mount= without `from`): mounted from a repository the
// caller may pull, answered exactly like an absent blob otherwise, and bounded in the
// repositories it considers. Anonymous-open apps first, then access control on.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { isBosunError } from '../../src/errors.js';
import { defaultRegistryConfig, parseRegistryConfig } from '../../src/registry/config.js';
import { maxMountCandidates } from '../../src/registry/cross-mount.js';
import { basic, makeAuthApp, tokenFor, type AuthApp } from './access-helpers.js';
import { codeOf, makeApp, pushBlob } from './helpers.js';

type Headers = Record<string, string>;

const mountUrl = (repo: string, digest: string, from?: string) => `/v2/${repo}/blobs/uploads/?mount=${digest}${from === undefined ? '' : `&from=${from}`}`;

async function mount(app: FastifyInstance, repo: string, digest: string, headers: Headers = {}, from?: string) {
  return app.inject({ method: 'POST', url: mountUrl(repo, digest, from), headers });
}

/** What a 202 says, minus the session id: two such answers must be indistinguishable. */
function sessionShape(res: { statusCode: number; headers: Record<string, unknown> }) {
  const location = String(res.headers.location);
  return { status: res.statusCode, headers: Object.keys(res.headers).filter((h) => h !== 'date').sort(), location: location.replace(/[^/]+$/, '<id>'), range: res.headers.range };
}

test('a mount without from mounts from the repository holding the blob (201), readable in the target', async () => {
  const app = await makeApp();
  const digest = await pushBlob(app, 'src', 'shared layer');
  const res = await mount(app, 'dst', digest);
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers.location, `/v2/dst/blobs/${digest}`);
  assert.equal(res.headers['docker-content-digest'], digest);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/dst/blobs/${digest}` })).body, 'shared layer');
  assert.deepEqual(await app.meta.blobLink('dst', digest), { size: 'shared layer'.length });
});

test('a mount without from of an absent blob opens an upload session (202)', async () => {
  const app = await makeApp();
  await pushBlob(app, 'src', 'something else');
  const res = await mount(app, 'dst', digestOf('nowhere'));
  assert.equal(res.statusCode, 202);
  assert.match(String(res.headers.location), /^\/v2\/dst\/blobs\/uploads\/[^/]+$/);
  assert.ok(res.headers['docker-upload-uuid']);
  assert.equal(await app.meta.blobLink('dst', digestOf('nowhere')), undefined);
});

test('a from that does not hold the blob is not replaced by discovery (202)', async () => {
  const app = await makeApp();
  const digest = await pushBlob(app, 'src', 'layer');
  assert.equal((await mount(app, 'dst', digest, {}, 'elsewhere')).statusCode, 202);
  assert.equal(await app.meta.blobLink('dst', digest), undefined);
});

test('automaticCrossMount off: a mount without from is an upload session, and its digest is not parsed', async () => {
  const app = await makeApp({ automaticCrossMount: false });
  const digest = await pushBlob(app, 'src', 'layer');
  assert.equal((await mount(app, 'dst', digest)).statusCode, 202);
  assert.equal(await app.meta.blobLink('dst', digest), undefined);
  assert.equal((await mount(app, 'dst', 'not-a-digest')).statusCode, 202);
  // `from` still mounts.
  assert.equal((await mount(app, 'dst', digest, {}, 'src')).statusCode, 201);
});

test('automaticCrossMount on: a malformed mount digest is 400 DIGEST_INVALID, as with from', async () => {
  const app = await makeApp();
  const res = await mount(app, 'dst', 'not-a-digest');
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'DIGEST_INVALID');
});

test('registry.yaml automaticCrossMount: on by default, a boolean', () => {
  assert.equal(defaultRegistryConfig().automaticCrossMount, true);
  assert.equal(parseRegistryConfig({ automaticCrossMount: false }).automaticCrossMount, false);
  assert.throws(() => parseRegistryConfig({ automaticCrossMount: 'yes' }), (e) => isBosunError(e, 'REGISTRY_CONFIG_INVALID'));
});

test(`at most ${maxMountCandidates} holders are considered, oldest repository first`, async () => {
  const asked: string[] = [];
  let readable = '';
  const app = await makeApp({ mayMountFrom: async (_req, from) => (asked.push(from), from === readable) });
  const digest = await pushBlob(app, 'r000', 'popular layer');
  const holders = ['r000'];
  // Created newest-name-first, so creation order and name order differ.
  for (let i = maxMountCandidates + 4; i >= 1; i--) {
    const repo = `r${String(i).padStart(3, '0')}`;
    await app.meta.linkBlob(repo, digest, 'popular layer'.length);
    holders.push(repo);
  }
  readable = holders[maxMountCandidates]!; // the 101st oldest: past the bound
  assert.equal((await mount(app, 'dst', digest)).statusCode, 202);
  assert.deepEqual(asked, holders.slice(0, maxMountCandidates));
  assert.equal(await app.meta.blobLink('dst', digest), undefined);
  readable = holders[maxMountCandidates - 1]!; // the 100th: the last one looked at
  asked.length = 0;
  assert.equal((await mount(app, 'dst', digest)).statusCode, 201);
  assert.equal((await app.inject({ method: 'GET', url: `/v2/dst/blobs/${digest}` })).body, 'popular layer');
});

// Access control on: `pusher` may push to team/**, pull shared/** and nothing else.
let h: AuthApp;
const password = 'correct horse battery';
const admin = { authorization: basic('admin', password) };
const pusher = { authorization: basic('pusher', password) };

async function pushAs(headers: Headers, repo: string, text: string): Promise<Digest> {
  const digest = digestOf(text);
  const res = await h.app.inject({ method: 'POST', url: `/v2/${repo}/blobs/uploads/?digest=${digest}`, payload: Buffer.from(text), headers: { ...headers, 'content-type': 'application/octet-stream' } });
  assert.equal(res.statusCode, 201, res.body);
  return digest;
}

before(async () => {
  h = await makeAuthApp([
    { name: 'pusher', password, grants: [{ pattern: 'team/**', actions: ['push'] }, { pattern: 'shared/**', actions: ['pull'] }] },
    { name: 'admin', password, grants: [{ pattern: '**', actions: ['admin'] }] },
  ]);
});
after(async () => h.close());

test('auth: the only holder is unreadable to the caller: 202 like an absent blob, and no link', async () => {
  const secret = await pushAs(admin, 'vault/app', 'secret layer');
  const hidden = await mount(h.app, 'team/app', secret, pusher);
  const absent = await mount(h.app, 'team/app', digestOf('never pushed'), pusher);
  assert.equal(hidden.statusCode, 202);
  assert.deepEqual(sessionShape(hidden), sessionShape(absent));
  assert.equal((await h.app.inject({ method: 'HEAD', url: `/v2/team/app/blobs/${secret}`, headers: admin })).statusCode, 404);
  assert.equal(await h.app.meta.blobLink('team/app', secret), undefined);
});

test('auth: one of several holders is readable: 201 from it', async () => {
  const text = 'layer held in three places';
  const digest = await pushAs(admin, 'vault/a', text);
  await pushAs(admin, 'shared/b', text);
  await pushAs(admin, 'vault/c', text);
  const res = await mount(h.app, 'team/svc', digest, pusher);
  assert.equal(res.statusCode, 201);
  assert.equal(res.headers.location, `/v2/team/svc/blobs/${digest}`);
  assert.equal((await h.app.inject({ method: 'GET', url: `/v2/team/svc/blobs/${digest}`, headers: admin })).body, text);
});

test('auth: a bearer token reads only its scopes: a holder outside them is not mounted from', async () => {
  const text = 'layer only in shared';
  const digest = await pushAs(admin, 'shared/lib', text);
  const narrow = await tokenFor(h.app, ['repository:team/tok:push'], { user: 'pusher', password });
  const denied = await mount(h.app, 'team/tok', digest, { authorization: `Bearer ${narrow}` });
  assert.equal(denied.statusCode, 202);
  assert.equal(await h.app.meta.blobLink('team/tok', digest), undefined);
  const wide = await tokenFor(h.app, ['repository:team/tok:push', 'repository:shared/lib:pull'], { user: 'pusher', password });
  assert.equal((await mount(h.app, 'team/tok', digest, { authorization: `Bearer ${wide}` })).statusCode, 201);
});
