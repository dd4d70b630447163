// Keyless signing through bin/bosun.js: the GitHub Actions ambient-token flow (a loopback
// server plays ACTIONS_ID_TOKEN_REQUEST_URL), SIGSTORE_ID_TOKEN, and sign-blob → verify-blob.
// Fulcio, Rekor and the TSA are @sigstore/mock on loopback (sigstore-stack.ts); the registry is
// Debian's docker-registry on loopback. Also the token parser, table-driven.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isBosunError } from '../../src/errors.js';
import * as remote from '../../src/oci/remote/index.js';
import { parseIdentityToken, resolveIdentityToken } from '../../src/sign/keyless/token.js';
import { serve, type TestServer } from '../helpers/http-server.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { FAKE_ISSUER, fakeIdentityToken, startSigstoreStack, type SigstoreStack } from './sigstore-stack.js';
import { ok, runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// A clean environment: no token, password or CI variable of the machine running the tests leaks in.
const bosun = (args: string[], env: Record<string, string>): Promise<Run> =>
  runBosun(args, { cleanEnv: true, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BOSUN_SHARED: process.env.BOSUN_SHARED ?? '', ...env }, cwd: dir });

const workflow = 'https://github.com/acme/app/.github/workflows/release.yml@refs/tags/v1.0.0';
const ghIssuer = 'https://token.actions.githubusercontent.com';
let dir: string;
let reg: TestRegistry;
let stack: SigstoreStack;
let gha: TestServer;
let rootPath: string;

before(async () => {
  dir = await tempDir('keyless-cli');
  [reg, stack] = await Promise.all([startRegistry({ mode: 'http' }), startSigstoreStack()]);
  rootPath = path.join(dir, 'trusted_root.json');
  await stack.writeTrustedRoot(rootPath);
  // GitHub Actions' token service: answers only the bearer and audience bosun must send.
  gha = await serve((req, res) => {
    const url = new URL(req.url ?? '', 'http://x');
    const good = req.headers.authorization === 'Bearer gha-request-secret' && url.searchParams.get('audience') === 'sigstore' && url.searchParams.get('api-version') === '2.0';
    res.writeHead(good ? 200 : 403, { 'Content-Type': 'application/json' });
    res.end(good ? JSON.stringify({ value: fakeIdentityToken({ sub: workflow, iss: ghIssuer }) }) : '{"message":"no"}');
  });
});
after(async () => {
  await Promise.all([reg?.stop(), stack?.close(), gha?.close()]);
});

const serviceFlags = () => ['--fulcio-url', stack.url, '--rekor-url', stack.url, '--timestamp-server-url', stack.url, '--trusted-root', rootPath];

test('GitHub Actions: bosun sign fetches the ambient token (audience sigstore, bearer) and the signature verifies as the workflow', async () => {
  const image = `${reg.host}/team/gha:1.0`;
  const digest = (await remote.write(image, await twoLayerImage(), { insecure: true })).digest;
  const before = gha.seen.length;
  const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `http://${gha.host}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'gha-request-secret' };
  const signed = ok(await bosun(['sign', '--insecure', ...serviceFlags(), image], env));
  assert.doesNotMatch(signed.stderr, /gha-request-secret/);
  assert.equal(gha.seen.length - before, 1);
  assert.equal(gha.seen.at(-1)!.headers.authorization, 'Bearer gha-request-secret');
  assert.equal(new URL(gha.seen.at(-1)!.url, 'http://x').searchParams.get('audience'), 'sigstore');
  const verify = (identity: string, issuer: string) => bosun(['verify', '--insecure', '--certificate-identity', identity, '--certificate-oidc-issuer', issuer, '--trusted-root', rootPath, '--output', 'json', image], {});
  const report = JSON.parse(ok(await verify(workflow, ghIssuer)).stdout) as { digest: string; verified: Array<{ layout: string; signer: { subject: string } }> };
  assert.equal(report.digest, digest);
  assert.deepEqual(report.verified.map((v) => v.layout).sort(), ['legacy', 'referrer']);
  assert.ok(report.verified.every((v) => v.signer.subject === workflow));
  const wrong = await verify(workflow.replace('acme', 'evil'), ghIssuer);
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /SIGN_VERIFY_FAILED/);
});

test('GitHub Actions: a token service that refuses gives SIGN_KEYLESS_TOKEN_FETCH_FAILED (and never prints the bearer)', async () => {
  const env = { ACTIONS_ID_TOKEN_REQUEST_URL: `http://${gha.host}/token?api-version=2.0`, ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'wrong-secret' };
  await assert.rejects(resolveIdentityToken({ env }), (e) => isBosunError(e, 'SIGN_KEYLESS_TOKEN_FETCH_FAILED') && !e.message.includes('wrong-secret'));
});

test('sign-blob keylessly with SIGSTORE_ID_TOKEN, then verify-blob with the identity; another identity fails', async () => {
  const file = path.join(dir, 'release.tar');
  await writeFile(file, 'release bytes\n');
  const bundle = path.join(dir, 'release.sigstore.json');
  ok(await bosun(['sign-blob', ...serviceFlags(), '--bundle', bundle, file], { SIGSTORE_ID_TOKEN: fakeIdentityToken({ sub: 'alice@example.test' }) }));
  const doc = JSON.parse(await readFile(bundle, 'utf8')) as { mediaType: string; verificationMaterial: { certificate?: unknown; tlogEntries: unknown[] } };
  assert.equal(doc.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
  assert.ok(doc.verificationMaterial.certificate);
  assert.equal(doc.verificationMaterial.tlogEntries.length, 1);
  const verify = (identity: string) => bosun(['verify-blob', '--bundle', bundle, '--certificate-identity', identity, '--certificate-oidc-issuer', FAKE_ISSUER, '--trusted-root', rootPath, file], {});
  ok(await verify('alice@example.test'));
  const wrong = await verify('mallory@example.test');
  assert.equal(wrong.status, 2);
  assert.match(wrong.stderr, /SIGN_IDENTITY_MISMATCH/);
  const expired = await bosun(['sign-blob', ...serviceFlags(), '--identity-token', fakeIdentityToken({ sub: 'a@b.c', expiresIn: -5 }), file], {});
  assert.equal(expired.status, 2);
  assert.match(expired.stderr, /SIGN_KEYLESS_TOKEN_EXPIRED/);
});

test('--identity-token takes a file holding the JWT', async () => {
  const tokenFile = path.join(dir, 'oidc-token');
  await writeFile(tokenFile, `${fakeIdentityToken({ sub: 'bob' })}\n`);
  const token = await resolveIdentityToken({ identityToken: tokenFile, env: { SIGSTORE_ID_TOKEN: fakeIdentityToken({ sub: 'ignored' }) } });
  assert.deepEqual([token.subject, token.source], ['bob', 'flag']);
  await assert.rejects(resolveIdentityToken({ identityToken: path.join(dir, 'missing'), env: {} }), (e) => isBosunError(e, 'SIGN_KEYLESS_TOKEN_INVALID'));
});

const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const jwt = (claims: Record<string, unknown>) => `${enc({ alg: 'ES256' })}.${enc(claims)}.c2ln`;
const now = 1_800_000_000_000;
const exp = now / 1000 + 300;
const tokenCases = [
  { name: 'sub for other issuers', raw: jwt({ iss: FAKE_ISSUER, sub: 'repo:acme/app', email: 'x@y', exp }), subject: 'repo:acme/app' },
  { name: 'email for Google', raw: jwt({ iss: 'https://accounts.google.com', sub: '1234', email: 'a@example.com', exp }), subject: 'a@example.com' },
  { name: 'email for Sigstore Dex', raw: jwt({ iss: 'https://oauth2.sigstore.dev/auth', sub: 'x', email: 'b@example.com', exp }), subject: 'b@example.com' },
  { name: 'surrounding whitespace', raw: ` ${jwt({ iss: FAKE_ISSUER, sub: 's', exp })}\n`, subject: 's' },
  { name: 'two parts', raw: `${enc({})}.${enc({ iss: FAKE_ISSUER, sub: 's', exp })}`, code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'payload not base64url JSON', raw: `${enc({})}.!!!.c2ln`, code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'exp as a string', raw: jwt({ iss: FAKE_ISSUER, sub: 's', exp: String(exp) }), code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'no iss', raw: jwt({ sub: 's', exp }), code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'no subject', raw: jwt({ iss: FAKE_ISSUER, exp }), code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'Google without email', raw: jwt({ iss: 'https://accounts.google.com', sub: '1', exp }), code: 'SIGN_KEYLESS_TOKEN_INVALID' },
  { name: 'expired', raw: jwt({ iss: FAKE_ISSUER, sub: 's', exp: now / 1000 - 1 }), code: 'SIGN_KEYLESS_TOKEN_EXPIRED' },
  { name: 'not valid yet', raw: jwt({ iss: FAKE_ISSUER, sub: 's', exp, nbf: now / 1000 + 120 }), code: 'SIGN_KEYLESS_TOKEN_EXPIRED' },
  { name: 'nbf within leeway', raw: jwt({ iss: FAKE_ISSUER, sub: 's', exp, nbf: now / 1000 + 30 }), subject: 's' },
] as const;
for (const c of tokenCases) {
  test(`parseIdentityToken: ${c.name}`, () => {
    if ('code' in c) assert.throws(() => parseIdentityToken(c.raw, 'flag', now), (e) => isBosunError(e, c.code));
    else assert.equal(parseIdentityToken(c.raw, 'flag', now).subject, c.subject);
  });
}
