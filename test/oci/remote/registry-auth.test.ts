// Credentials and TLS against a real registry: Debian's docker-registry with htpasswd (Basic)
// auth over HTTPS with a self-signed certificate; skopeo pushes the fixture independently.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as layout from '../../../src/oci/layout.js';
import * as remote from '../../../src/oci/remote/index.js';
import { isBosunError } from '../../../src/errors.js';
import { startRegistry, type TestRegistry } from '../../helpers/registry.js';
import { imageFixture, realFiles, type ImageFixture } from '../../helpers/oci-image.js';
import { tempDir } from '../../helpers/temp-dir.js';

let reg: TestRegistry;
let tmp: string;
let img: ImageFixture;
let ref: string;
// Each test gets its own environment, so the host's ~/.docker and BOSUN_* never leak in.
let bareEnv: Record<string, string>;

before(async () => {
  reg = await startRegistry({ mode: 'tls-htpasswd' });
  tmp = await tempDir('remote-auth');
  bareEnv = { HOME: join(tmp, 'home'), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  img = await imageFixture([realFiles()]);
  const dir = join(tmp, 'layout');
  await layout.write(dir, img.image, { tag: 'v1' });
  ref = `${reg.host}/private/app:v1`;
  execFileSync('skopeo', ['--insecure-policy', 'copy', `oci:${dir}:v1`, `docker://${ref}`, '--dest-tls-verify=false', '--dest-creds', `${reg.username}:${reg.password}`], { stdio: 'pipe' });
});

after(async () => {
  await remote.closeConnections();
  await reg.stop();
});

function dockerConfig(name: string, config: unknown): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

function helperDir(): string {
  const bin = join(tmp, 'bin');
  mkdirSync(bin, { recursive: true });
  const script = join(bin, 'docker-credential-bosuntest');
  // The docker credential-helper protocol: `get`, server URL on stdin, JSON on stdout.
  writeFileSync(script, [
    '#!/bin/sh',
    'read -r url',
    `if [ "$1" = get ] && [ "$url" = "${reg.host}" ]; then`,
    `  printf '{"ServerURL":"%s","Username":"%s","Secret":"%s"}' "$url" "${reg.username}" "${reg.password}"`,
    'else',
    '  echo "credentials not found in native keychain"; exit 1',
    'fi',
  ].join('\n'));
  chmodSync(script, 0o755);
  return bin;
}

const b64 = (s: string) => Buffer.from(s).toString('base64');

const ok = [
  { name: 'explicit credentials with caFile', opts: () => ({ auth: { username: reg.username!, password: reg.password! }, caFile: reg.caFile!, env: bareEnv }) },
  { name: 'explicit credentials with insecure (no verification)', opts: () => ({ auth: { username: reg.username!, password: reg.password! }, insecure: true, env: bareEnv }) },
  { name: 'BOSUN_USERNAME / BOSUN_PASSWORD', opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, BOSUN_USERNAME: reg.username!, BOSUN_PASSWORD: reg.password! } }) },
  {
    name: 'DOCKER_CONFIG auths entry (base64 auth)',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, DOCKER_CONFIG: dockerConfig('cfg-auth', { auths: { [reg.host]: { auth: b64(`${reg.username}:${reg.password}`) } } }) } }),
  },
  {
    name: 'DOCKER_CONFIG auths entry keyed by URL, username/password fields',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, DOCKER_CONFIG: dockerConfig('cfg-url', { auths: { [`https://${reg.host}/v1/`]: { username: reg.username, password: reg.password } } }) } }),
  },
  {
    name: 'credHelpers entry running docker-credential-bosuntest',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, PATH: `${helperDir()}:${bareEnv.PATH}`, DOCKER_CONFIG: dockerConfig('cfg-helper', { credHelpers: { [reg.host]: 'bosuntest' } }) } }),
  },
  {
    name: 'credsStore when no entry matches',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, PATH: `${helperDir()}:${bareEnv.PATH}`, DOCKER_CONFIG: dockerConfig('cfg-store', { auths: { 'other.example': { auth: b64('x:y') } }, credsStore: 'bosuntest' }) } }),
  },
];
for (const c of ok) {
  test(`pull over TLS with ${c.name}`, async () => {
    const pulled = await remote.image(ref, c.opts());
    assert.equal(await pulled.digest(), img.digest);
    assert.equal((await pulled.config()).os, 'linux');
  });
}

const refused = [
  { name: 'a wrong password', code: 'REGISTRY_UNAUTHORIZED', opts: () => ({ auth: { username: reg.username!, password: 'wrong-secret-123' }, caFile: reg.caFile!, env: bareEnv }) },
  { name: 'no credentials at all', code: 'REGISTRY_UNAUTHORIZED', opts: () => ({ caFile: reg.caFile!, env: bareEnv }) },
  {
    name: 'a helper that has no credentials for this registry (anonymous)',
    code: 'REGISTRY_UNAUTHORIZED',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, PATH: `${helperDir()}:${bareEnv.PATH}`, DOCKER_CONFIG: dockerConfig('cfg-other', { credHelpers: { [reg.host]: 'bosuntest' } }) }, auth: undefined }),
    ref: () => `${reg.host.replace('127.0.0.1', 'localhost')}/private/app:v1`,
  },
  {
    name: 'a credential helper missing from PATH',
    code: 'REGISTRY_CREDENTIALS',
    opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, DOCKER_CONFIG: dockerConfig('cfg-missing', { credHelpers: { [reg.host]: 'absent' } }) } }),
  },
  { name: 'a corrupt docker config', code: 'REGISTRY_CREDENTIALS', opts: () => ({ caFile: reg.caFile!, env: { ...bareEnv, DOCKER_CONFIG: dockerConfig('cfg-bad', 'not an object') } }) },
  { name: 'an untrusted certificate (neither caFile nor insecure)', code: 'REGISTRY_UNAVAILABLE', opts: () => ({ auth: { username: reg.username!, password: reg.password! }, env: bareEnv }) },
] as const;
for (const c of refused) {
  test(`pull over TLS with ${c.name} fails with ${c.code}`, async () => {
    const target = 'ref' in c ? c.ref() : ref;
    await assert.rejects(remote.image(target, c.opts()), (e) => {
      assert.ok(isBosunError(e, c.code), String(e));
      assert.ok(!e.message.includes('wrong-secret-123') && !e.message.includes(reg.password!), 'message must not carry secrets');
      return true;
    });
  });
}

test('a TLS verification failure points at --insecure and --ca-file', async () => {
  await assert.rejects(remote.resolve(ref, { env: bareEnv }), (e) => isBosunError(e, 'REGISTRY_UNAVAILABLE') && e.hint.includes('--insecure'));
});

test('remote.write pushes with credentials over TLS; skopeo reads the same bytes', async () => {
  const opts = { auth: { username: reg.username!, password: reg.password! }, caFile: reg.caFile!, env: bareEnv };
  const pushed = await imageFixture([realFiles().slice(1)]);
  const desc = await remote.write(`${reg.host}/private/pushed:v1`, pushed.image, opts);
  assert.equal(desc.digest, pushed.digest);
  const raw = execFileSync('skopeo', ['inspect', '--raw', '--tls-verify=false', '--creds', `${reg.username}:${reg.password}`, `docker://${reg.host}/private/pushed:v1`]);
  assert.deepEqual(raw, pushed.raw);
  await assert.rejects(remote.write(`${reg.host}/private/pushed:v2`, pushed.image, { caFile: reg.caFile!, env: bareEnv }), (e) => isBosunError(e, 'REGISTRY_UNAUTHORIZED'));
});
