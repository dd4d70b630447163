// The role matrix: every endpoint against every role, on a repository the roles' grants match
// (team/app), one only admin's grant matches (other/app), and one open to anonymous pulls
// (public/app); once with Basic credentials and once with bearer tokens from /token.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { InjectOptions } from 'fastify';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { basic, makeAuthApp, tokenFor, type AuthApp } from './access-helpers.js';
import { imageManifest } from './helpers.js';

const roles = ['anon', 'pull', 'push', 'delete', 'admin'] as const;
type Role = (typeof roles)[number];
const repos = ['team/app', 'other/app', 'public/app'] as const;
const password = 'correct horse battery';
const users: Record<Exclude<Role, 'anon'>, { pattern: string; actions: Array<'pull' | 'push' | 'delete' | 'admin'> }> = {
  pull: { pattern: 'team/**', actions: ['pull'] },
  push: { pattern: 'team/**', actions: ['push'] },
  delete: { pattern: 'team/**', actions: ['delete'] },
  admin: { pattern: '**', actions: ['admin'] },
};

interface Fixture {
  repo: string;
  tagged: { raw: Buffer; digest: string; layer: string };
  fresh: { raw: Buffer; digest: string };
  session: string;
  source: string;
  mounted: string;
}

// Expected status per cell: anon pull push delete admin, for team/app | other/app | public/app.
// `fresh`: the request consumes its fixture (deletes, finishes or cancels), so each cell gets its own.
const rows: Array<{ name: string; want: string; fresh?: true; req: (f: Fixture) => InjectOptions }> = [
  { name: 'GET manifest', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'GET', url: `/v2/${f.repo}/manifests/v1` }) },
  { name: 'HEAD manifest', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'HEAD', url: `/v2/${f.repo}/manifests/${f.tagged.digest}` }) },
  {
    name: 'PUT manifest',
    want: '401 403 201 403 201 | 401 403 403 403 201 | 401 403 403 403 201',
    req: (f) => ({ method: 'PUT', url: `/v2/${f.repo}/manifests/v2`, payload: f.fresh.raw, headers: { 'content-type': MediaTypes.ociManifest } }),
  },
  { name: 'DELETE manifest', fresh: true, want: '401 403 403 202 202 | 401 403 403 403 202 | 401 403 403 403 202', req: (f) => ({ method: 'DELETE', url: `/v2/${f.repo}/manifests/${f.tagged.digest}` }) },
  { name: 'GET blob', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'GET', url: `/v2/${f.repo}/blobs/${f.tagged.layer}` }) },
  { name: 'HEAD blob', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'HEAD', url: `/v2/${f.repo}/blobs/${f.tagged.layer}` }) },
  { name: 'DELETE blob', fresh: true, want: '401 403 403 202 202 | 401 403 403 403 202 | 401 403 403 403 202', req: (f) => ({ method: 'DELETE', url: `/v2/${f.repo}/blobs/${f.tagged.layer}` }) },
  { name: 'POST upload', want: '401 403 202 403 202 | 401 403 403 403 202 | 401 403 403 403 202', req: (f) => ({ method: 'POST', url: `/v2/${f.repo}/blobs/uploads/` }) },
  {
    name: 'POST monolithic upload',
    want: '401 403 201 403 201 | 401 403 403 403 201 | 401 403 403 403 201',
    req: (f) => ({ method: 'POST', url: `/v2/${f.repo}/blobs/uploads/?digest=${digestOf(`mono ${f.session}`)}`, payload: Buffer.from(`mono ${f.session}`), headers: { 'content-type': 'application/octet-stream' } }),
  },
  {
    name: 'PATCH upload',
    fresh: true,
    want: '401 403 202 403 202 | 401 403 403 403 202 | 401 403 403 403 202',
    req: (f) => ({ method: 'PATCH', url: `/v2/${f.repo}/blobs/uploads/${f.session}`, payload: Buffer.from('chunk'), headers: { 'content-type': 'application/octet-stream' } }),
  },
  {
    name: 'PUT upload',
    fresh: true,
    want: '401 403 201 403 201 | 401 403 403 403 201 | 401 403 403 403 201',
    req: (f) => ({ method: 'PUT', url: `/v2/${f.repo}/blobs/uploads/${f.session}?digest=${digestOf('chunk')}`, payload: Buffer.from('chunk'), headers: { 'content-type': 'application/octet-stream' } }),
  },
  { name: 'GET upload', want: '401 403 204 403 204 | 401 403 403 403 204 | 401 403 403 403 204', req: (f) => ({ method: 'GET', url: `/v2/${f.repo}/blobs/uploads/${f.session}` }) },
  { name: 'DELETE upload', fresh: true, want: '401 403 204 403 204 | 401 403 403 403 204 | 401 403 403 403 204', req: (f) => ({ method: 'DELETE', url: `/v2/${f.repo}/blobs/uploads/${f.session}` }) },
  { name: 'GET tags', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'GET', url: `/v2/${f.repo}/tags/list` }) },
  { name: 'GET referrers', want: '401 200 200 403 200 | 401 403 403 403 200 | 200 200 200 200 200', req: (f) => ({ method: 'GET', url: `/v2/${f.repo}/referrers/${f.tagged.digest}` }) },
  // 201: mounted; the sibling <group>/base is readable by exactly those who may push here.
  {
    name: 'POST mount',
    want: '401 403 201 403 201 | 401 403 403 403 201 | 401 403 403 403 201',
    req: (f) => ({ method: 'POST', url: `/v2/${f.repo}/blobs/uploads/?mount=${f.mounted}&from=${f.source}` }),
  },
];

let h: AuthApp;
const admin = basic('admin', password);
let counter = 0;

async function as(headers: Record<string, string>, opts: InjectOptions) {
  return h.app.inject({ ...opts, headers: { ...(opts.headers as Record<string, string>), ...headers } });
}

async function fixture(repo: string): Promise<Fixture> {
  const seed = `cell-${counter++}`;
  const source = `${repo.split('/')[0]}/base`;
  const withAdmin = (o: InjectOptions) => as({ authorization: admin }, o);
  const app = { inject: withAdmin } as unknown as Parameters<typeof imageManifest>[0];
  const tagged = await imageManifest(app, repo, {}, seed);
  assert.equal((await withAdmin({ method: 'PUT', url: `/v2/${repo}/manifests/v1`, payload: tagged.raw, headers: { 'content-type': MediaTypes.ociManifest } })).statusCode, 201);
  const fresh = await imageManifest(app, repo, {}, `${seed}-fresh`);
  const started = await withAdmin({ method: 'POST', url: `/v2/${repo}/blobs/uploads/` });
  const mountedBytes = `mountable ${seed}`;
  const mounted = digestOf(mountedBytes);
  const put = await withAdmin({ method: 'POST', url: `/v2/${source}/blobs/uploads/?digest=${mounted}`, payload: Buffer.from(mountedBytes), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(put.statusCode, 201);
  return { repo, tagged, fresh, session: String(started.headers['docker-upload-uuid']), source, mounted };
}

const tokens = new Map<string, string>();
async function credentials(scheme: 'basic' | 'bearer', role: Role, repo: string): Promise<Record<string, string>> {
  if (scheme === 'basic') return role === 'anon' ? {} : { authorization: basic(role, password) };
  const key = `${role} ${repo}`;
  let token = tokens.get(key);
  if (!token) {
    const scopes = [`repository:${repo}:pull,push,delete`, `repository:${repo.split('/')[0]}/base:pull`];
    token = await tokenFor(h.app, scopes, role === 'anon' ? undefined : { user: role, password });
    tokens.set(key, token);
  }
  return { authorization: `Bearer ${token}` };
}

before(async () => {
  h = await makeAuthApp(Object.entries(users).map(([name, g]) => ({ name, password, grants: [g] })), { anonymousPull: ['public/**'] });
});
after(async () => h.close());

for (const scheme of ['basic', 'bearer'] as const) {
  for (const row of rows) {
    test(`role matrix (${scheme}): ${row.name}`, async () => {
      const want = row.want.split('|').map((group) => group.trim().split(/\s+/).map(Number));
      const got: number[][] = [];
      for (const repo of repos) {
        const line: number[] = [];
        const shared = row.fresh ? undefined : await fixture(repo);
        for (const role of roles) {
          const f = shared ?? (await fixture(repo));
          line.push((await as(await credentials(scheme, role, repo), row.req(f))).statusCode);
        }
        got.push(line);
      }
      assert.deepEqual(got, want, `${row.name}: got ${got.map((l) => l.join(' ')).join(' | ')}`);
    });
  }
}
