// Bearer tokens: forgeries the verifier must refuse, the cache, and the token endpoint.
import assert from 'node:assert/strict';
import { createHmac, createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, test } from 'node:test';
import { digestOf } from '../../src/oci/digest.js';
import { signJwt } from '../../src/registry/access/jwt.js';
import { generateSigningKey } from '../../src/registry/access/signing-key.js';
import { TokenService } from '../../src/registry/access/tokens.js';
import { basic, makeAuthApp, tokenFor, type AuthApp } from './access-helpers.js';
import { codeOf, imageManifest, putManifest } from './helpers.js';

const password = 'correct horse battery';
let h: AuthApp;
let image: { digest: string };

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const nowS = () => Math.floor(Date.now() / 1000);
const claims = (over: Record<string, unknown> = {}) => ({
  iss: 'bosun-registry', sub: 'reader', aud: 'bosun-registry', iat: nowS(), nbf: nowS(), exp: nowS() + 300,
  access: [{ type: 'repository', name: 'team/app', actions: ['pull', 'push', 'delete'] }], ...over,
});
function es256(header: object, payload: object, key: KeyObject): string {
  const input = `${b64(header)}.${b64(payload)}`;
  const sig = createSign('sha256').update(input).sign({ key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${sig.toString('base64url')}`;
}

before(async () => {
  h = await makeAuthApp([
    { name: 'reader', password, grants: [{ pattern: 'team/**', actions: ['pull'] }] },
    { name: 'writer', password, grants: [{ pattern: 'team/**', actions: ['push'] }] },
    { name: 'admin', password, grants: [{ pattern: '**', actions: ['admin'] }] },
  ], { anonymousPull: ['public/**'] });
  const admin = { authorization: basic('admin', password) };
  const app = { inject: (o: object) => h.app.inject({ ...o, headers: { ...(o as { headers?: object }).headers, ...admin } }) } as never;
  const img = await imageManifest(app, 'team/app');
  assert.equal((await h.app.inject({ method: 'PUT', url: '/v2/team/app/manifests/v1', payload: img.raw, headers: { ...admin, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })).statusCode, 201);
  image = img;
  for (const repo of ['other/app', 'public/app']) {
    const other = await imageManifest(app, repo);
    assert.equal((await h.app.inject({ method: 'PUT', url: `/v2/${repo}/manifests/v1`, payload: other.raw, headers: { ...admin, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } })).statusCode, 201);
  }
});
after(async () => h.close());

async function getWith(token: string) {
  return h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers: { authorization: `Bearer ${token}` } });
}

const foreign = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const forgeries: Array<{ name: string; token: () => string }> = [
  { name: 'alg none, no signature', token: () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.` },
  { name: 'alg none with a signature-shaped tail', token: () => `${b64({ alg: 'none' })}.${b64(claims())}.${'A'.repeat(86)}` },
  {
    name: 'HS256 keyed with the registry public key',
    token: () => {
      const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}`;
      const pem = h.key.publicKey.export({ format: 'pem', type: 'spki' });
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    },
  },
  { name: 'embedded jwk of the signer (CVE-2025-24976)', token: () => es256({ alg: 'ES256', jwk: foreign.publicKey.export({ format: 'jwk' }) }, claims(), foreign.privateKey) },
  { name: 'x5c header', token: () => es256({ alg: 'ES256', x5c: ['MIIB'] }, claims(), foreign.privateKey) },
  { name: 'foreign key claiming our kid', token: () => es256({ alg: 'ES256', typ: 'JWT', kid: h.key.kid }, claims(), foreign.privateKey) },
  { name: 'foreign key, own kid', token: () => signJwt(claims(), generateSigningKey()) },
  { name: 'expired', token: () => signJwt(claims({ iat: nowS() - 900, nbf: nowS() - 900, exp: nowS() - 600 }), h.key) },
  { name: 'not yet valid', token: () => signJwt(claims({ nbf: nowS() + 600, exp: nowS() + 900 }), h.key) },
  { name: 'wrong audience', token: () => signJwt(claims({ aud: 'other-registry' }), h.key) },
  { name: 'wrong issuer', token: () => signJwt(claims({ iss: 'evil' }), h.key) },
  {
    name: 'tampered payload (pull token widened to other/app)',
    token: () => {
      const [hd, , sig] = signJwt(claims(), h.key).split('.');
      return `${hd}.${b64(claims({ access: [{ type: 'repository', name: 'other/app', actions: ['pull'] }] }))}.${sig}`;
    },
  },
  { name: 'ES256 signature in DER form', token: () => { const [hd, p] = signJwt(claims(), h.key).split('.'); return `${hd}.${p}.${createSign('sha256').update(`${hd}.${p}`).sign(h.key.privateKey).toString('base64url')}`; } },
];

test('a token signed by the registry itself is accepted (control for the forgeries)', async () => {
  assert.equal((await getWith(signJwt(claims(), h.key))).statusCode, 200);
});

for (const f of forgeries) {
  test(`forged token refused: ${f.name}`, async () => {
    const res = await getWith(f.token());
    assert.equal(res.statusCode, 401);
    assert.equal(codeOf(res), 'UNAUTHORIZED');
    assert.match(String(res.headers['www-authenticate']), /^Bearer realm="http:\/\/localhost:80\/token",service="bosun-registry",scope="repository:team\/app:pull",error="invalid_token"$/);
  });
}

test('verified tokens are cached by their string until they expire', () => {
  let now = Date.now();
  const key = generateSigningKey();
  const tokens = new TokenService(key, { issuer: 'i', service: 's', ttlSeconds: 60, now: () => now });
  const t = tokens.issue('alice', [{ type: 'repository', name: 'a/b', actions: ['push'] }]).token;
  const first = tokens.verify(t);
  assert.equal(tokens.verify(t), first, 'the second verify is served from the cache');
  assert.deepEqual([...first.repositories.get('a/b')!].sort(), ['pull', 'push']);
  now += 61_000;
  assert.throws(() => tokens.verify(t), { code: 'REGISTRY_AUTH_TOKEN_INVALID' });
});

test('unauthenticated requests get a Bearer challenge with the scope they need', async () => {
  const cases = [
    { method: 'GET', url: '/v2/', want: 'Bearer realm="http://localhost:80/token",service="bosun-registry"' },
    { method: 'PUT', url: '/v2/team/app/manifests/v2', want: 'Bearer realm="http://localhost:80/token",service="bosun-registry",scope="repository:team/app:pull,push"' },
    { method: 'DELETE', url: '/v2/team/app/blobs/sha256:' + 'a'.repeat(64), want: 'Bearer realm="http://localhost:80/token",service="bosun-registry",scope="repository:team/app:delete"' },
    { method: 'POST', url: '/v2/team/app/blobs/uploads/?mount=sha256:' + 'a'.repeat(64) + '&from=other/app', want: 'Bearer realm="http://localhost:80/token",service="bosun-registry",scope="repository:team/app:pull,push repository:other/app:pull"' },
  ] as const;
  for (const c of cases) {
    const res = await h.app.inject({ method: c.method, url: c.url });
    assert.equal(res.statusCode, 401, c.url);
    assert.equal(res.headers['www-authenticate'], c.want);
  }
});

test('/token grants only the allowed subset and says so in the events', async () => {
  h.events.length = 0;
  const q = 'service=bosun-registry&scope=repository:team/app:pull,push&scope=repository:other/app:pull&offline_token=true&account=reader&client_id=docker';
  const res = await h.app.inject({ method: 'GET', url: `/token?${q}`, headers: { authorization: basic('reader', password) } });
  assert.equal(res.statusCode, 200);
  const body = JSON.parse(res.body) as { token: string; access_token: string; expires_in: number; issued_at: string };
  assert.equal(body.access_token, body.token);
  assert.equal(body.expires_in, 300);
  assert.ok(Math.abs(Date.parse(body.issued_at) - Date.now()) < 5000);
  const payload = JSON.parse(Buffer.from(body.token.split('.')[1]!, 'base64url').toString()) as { sub: string; access: unknown };
  assert.equal(payload.sub, 'reader');
  assert.deepEqual(payload.access, [
    { type: 'repository', name: 'team/app', actions: ['pull'] },
    { type: 'repository', name: 'other/app', actions: [] },
  ]);
  assert.deepEqual(h.events.map((e) => [e.type, 'repo' in e ? e.repo : '', 'action' in e ? e.action : '', 'ok' in e ? e.ok : '']), [
    ['login', '', '', true],
    ['denied', 'team/app', 'push', ''],
    ['denied', 'other/app', 'pull', ''],
  ]);
});

test('/token refusals: wrong password, foreign service, too many scopes', async () => {
  h.events.length = 0;
  const wrong = await h.app.inject({ method: 'GET', url: '/token?scope=repository:team/app:pull', headers: { authorization: basic('reader', 'not the password') } });
  assert.equal(wrong.statusCode, 401);
  assert.equal(codeOf(wrong), 'UNAUTHORIZED');
  const unknown = await h.app.inject({ method: 'GET', url: '/token', headers: { authorization: basic('nobody', 'whatever') } });
  assert.equal(unknown.statusCode, 401);
  assert.deepEqual(h.events.map((e) => (e.type === 'login' ? [e.ok, e.actor.name] : [])), [[false, 'reader'], [false, 'nobody']]);
  assert.equal((await h.app.inject({ method: 'GET', url: '/token?service=elsewhere' })).statusCode, 400);
  const many = Array.from({ length: 33 }, (_, i) => `scope=repository:a/r${i}:pull`).join('&');
  assert.equal((await h.app.inject({ method: 'GET', url: `/token?${many}` })).statusCode, 400);
});

test('an anonymous token pulls only where anonymous pulls are configured', async () => {
  const token = await tokenFor(h.app, ['repository:public/app:pull,push', 'repository:team/app:pull']);
  const auth = { authorization: `Bearer ${token}` };
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/public/app/manifests/v1', headers: auth })).statusCode, 200);
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers: auth })).statusCode, 401);
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/', headers: auth })).statusCode, 200);
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/public/app/manifests/v1' })).statusCode, 200, 'no credentials at all');
});

test('a token short of a scope its subject holds is answered insufficient_scope, else DENIED', async () => {
  const writerPull = await tokenFor(h.app, ['repository:team/app:pull'], { user: 'writer', password });
  const res = await h.app.inject({ method: 'PUT', url: '/v2/team/app/manifests/v9', payload: Buffer.from('{}'), headers: { authorization: `Bearer ${writerPull}`, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(res.statusCode, 401);
  assert.match(String(res.headers['www-authenticate']), /scope="repository:team\/app:pull,push",error="insufficient_scope"$/);
  const readerAll = await tokenFor(h.app, ['repository:team/app:pull,push'], { user: 'reader', password });
  const denied = await h.app.inject({ method: 'PUT', url: '/v2/team/app/manifests/v9', payload: Buffer.from('{}'), headers: { authorization: `Bearer ${readerAll}`, 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
  assert.equal(denied.statusCode, 403);
  assert.equal(codeOf(denied), 'DENIED');
});

test('Basic on /v2/: wrong password is 401 and a failed login; the right one names the actor of events', async () => {
  h.events.length = 0;
  const bad = await h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers: { authorization: basic('reader', 'wrong password') } });
  assert.equal(bad.statusCode, 401);
  assert.equal(codeOf(bad), 'UNAUTHORIZED');
  assert.equal((await h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers: { authorization: 'Digest x' } })).statusCode, 401);
  const ok = await h.app.inject({ method: 'GET', url: '/v2/team/app/manifests/v1', headers: { authorization: basic('reader', password) } });
  assert.equal(ok.statusCode, 200);
  const pull = h.events.find((e) => e.type === 'pull');
  assert.deepEqual(pull && pull.type === 'pull' ? pull.actor : undefined, { name: 'reader', kind: 'user', ip: '127.0.0.1' });
  // The right password was checked by an earlier test: served from the login cache, no new event.
  assert.deepEqual(h.events.filter((e) => e.type === 'login').map((e) => (e.type === 'login' ? [e.ok, e.actor.name] : undefined)), [[false, 'reader']]);
  assert.equal(image.digest, ok.headers['docker-content-digest']);
});

test('cross-repository mount needs pull on the source (CVE-2024-39897)', async () => {
  const admin = { authorization: basic('admin', password) };
  const bytes = Buffer.from('secret layer');
  const digest = digestOf(bytes);
  assert.equal((await h.app.inject({ method: 'POST', url: `/v2/other/app/blobs/uploads/?digest=${digest}`, payload: bytes, headers: { ...admin, 'content-type': 'application/octet-stream' } })).statusCode, 201);
  const writer = { authorization: basic('writer', password) };
  const mount = await h.app.inject({ method: 'POST', url: `/v2/team/app/blobs/uploads/?mount=${digest}&from=other/app`, headers: writer });
  assert.equal(mount.statusCode, 202, 'falls back to an upload session instead of mounting');
  assert.equal((await h.app.inject({ method: 'HEAD', url: `/v2/team/app/blobs/${digest}`, headers: writer })).statusCode, 404);
  const adminMount = await h.app.inject({ method: 'POST', url: `/v2/team/app/blobs/uploads/?mount=${digest}&from=other/app`, headers: admin });
  assert.equal(adminMount.statusCode, 201);
});

test('_catalog lists only repositories the caller may pull', async () => {
  const list = async (headers: Record<string, string>) => {
    const res = await h.app.inject({ method: 'GET', url: '/v2/_catalog', headers });
    return res.statusCode === 200 ? (JSON.parse(res.body) as { repositories: string[] }).repositories : res.statusCode;
  };
  assert.deepEqual(await list({}), ['public/app']);
  assert.deepEqual(await list({ authorization: basic('reader', password) }), ['public/app', 'team/app']);
  assert.deepEqual(await list({ authorization: basic('admin', password) }), ['other/app', 'public/app', 'team/app']);
  const scoped = await tokenFor(h.app, ['repository:team/app:pull'], { user: 'reader', password });
  assert.equal(await list({ authorization: `Bearer ${scoped}` }), 401, 'a token without registry:catalog:* is sent back for one');
  const withCatalog = await tokenFor(h.app, ['registry:catalog:*'], { user: 'reader', password });
  assert.deepEqual(await list({ authorization: `Bearer ${withCatalog}` }), ['public/app', 'team/app']);
  const paged = await h.app.inject({ method: 'GET', url: '/v2/_catalog?n=1', headers: { authorization: basic('reader', password) } });
  assert.deepEqual(JSON.parse(paged.body), { repositories: ['public/app'] });
  assert.equal(paged.headers.link, '</v2/_catalog?n=1&last=public%2Fapp>; rel="next"');
});

test('pushing with push rights emits the push event with the user as actor', async () => {
  h.events.length = 0;
  const writer = { authorization: basic('writer', password) };
  const app = { inject: (o: object) => h.app.inject({ ...o, headers: { ...(o as { headers?: object }).headers, ...writer } }) } as never;
  const img = await imageManifest(app, 'team/app', {}, 'writer');
  const res = await putManifest(app, 'team/app', 'w1', img.raw);
  assert.equal(res.statusCode, 201);
  const push = h.events.find((e) => e.type === 'push');
  assert.deepEqual(push && push.type === 'push' ? push.actor.name : undefined, 'writer');
});
