// Access control end to end on a real loopback port: the quick start (admin password file),
// bosun's own client and Debian's skopeo pushing and pulling through the token flow.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { pino } from 'pino';
import { isBosunError } from '../../src/errors.js';
import * as layout from '../../src/oci/layout.js';
import * as remote from '../../src/oci/remote/index.js';
import { addAccount, openAccessStore } from '../../src/registry/access/accounts.js';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { openRegistry, serveRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { imageFixture, realFiles, type ImageFixture } from '../helpers/oci-image.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let work = '';
let served: OpenedRegistry & { url: string };
let host = '';
let adminPassword = '';
let robotSecret = '';
const viewerPassword = 'viewer password 1';
let img: ImageFixture;
// The host's ~/.docker and BOSUN_* must not leak into the client.
let env: Record<string, string>;

async function skopeo(...args: string[]): Promise<string> {
  const { stdout } = await run('skopeo', ['--insecure-policy', ...args], { maxBuffer: 16 << 20 });
  return stdout;
}

before(async () => {
  work = await tempDir('access');
  env = { HOME: join(work, 'home'), PATH: process.env.PATH ?? '/usr/bin:/bin' };
  const dataDir = join(work, 'data');
  const config = defaultRegistryConfig();
  config.auth.adminPasswordFile = join(work, 'admin.pw');
  served = await serveRegistry({ addr: '127.0.0.1:0', dataDir, config });
  host = new URL(served.url).host;
  adminPassword = (await readFile(join(work, 'admin.pw'), 'utf8')).trim();
  // Accounts added offline, through a second connection, while the server runs.
  const store = await openAccessStore(dataDir);
  robotSecret = (await addAccount(store, { kind: 'robot', name: 'ci', grants: [{ pattern: 'team/**', actions: ['push'] }] })).secret!;
  await addAccount(store, { kind: 'user', name: 'viewer', password: viewerPassword, grants: [{ pattern: 'team/**', actions: ['pull'] }] });
  await store.close();
  img = await imageFixture([realFiles()]);
  await layout.write(join(work, 'layout'), img.image, { tag: 'v1' });
});

after(async () => {
  await remote.closeConnections();
  await served?.close();
});

test('quick start: the admin password file and the signing key are created with mode 0600', async () => {
  assert.match(adminPassword, /^[A-Za-z0-9_-]{32}$/);
  assert.equal((await stat(join(work, 'admin.pw'))).mode & 0o777, 0o600);
  assert.equal((await stat(join(work, 'data', 'token-key.pem'))).mode & 0o777, 0o600);
  const ping = await fetch(`${served.url}/v2/`);
  assert.equal(ping.status, 401);
  assert.equal(ping.headers.get('www-authenticate'), `Bearer realm="http://${host}/token",service="bosun-registry"`);
  const res = await fetch(`${served.url}/v2/`, { headers: { authorization: `Basic ${Buffer.from(`admin:${adminPassword}`).toString('base64')}` } });
  assert.equal(res.status, 200);
});

test('bosun client: a robot pushes and a viewer pulls through the token flow; no credentials, no access', async () => {
  const robot = { insecure: true, env, auth: { username: 'robot$ci', password: robotSecret } };
  const pushed = await remote.write(`${host}/team/app:v1`, img.image, robot);
  assert.equal(pushed.digest, img.digest);
  const viewer = { insecure: true, env, auth: { username: 'viewer', password: viewerPassword } };
  const pulled = await remote.image(`${host}/team/app:v1`, viewer);
  assert.equal(await pulled.digest(), img.digest);
  assert.equal((await pulled.layers()).length, 1);
  await assert.rejects(remote.write(`${host}/team/app:v2`, img.image, viewer), (e) => isBosunError(e, 'REGISTRY_DENIED'));
  await assert.rejects(remote.image(`${host}/team/app:v1`, { insecure: true, env }), (e) => isBosunError(e, 'REGISTRY_UNAUTHORIZED'));
  await assert.rejects(remote.write(`${host}/other/app:v1`, img.image, robot), (e) => isBosunError(e, 'REGISTRY_DENIED'));
});

test('skopeo: push with --dest-creds, pull with --src-creds, digests intact; wrong or weak credentials refused', async () => {
  const layout = join(work, 'layout');
  await skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `admin:${adminPassword}`, `oci:${layout}:v1`, `docker://${host}/team/sk:v1`);
  await skopeo('copy', '--src-tls-verify=false', '--src-creds', `viewer:${viewerPassword}`, `docker://${host}/team/sk:v1`, `oci:${join(work, 'out')}:v1`);
  const index = JSON.parse(await readFile(join(work, 'out', 'index.json'), 'utf8')) as { manifests: Array<{ digest: string }> };
  assert.equal(index.manifests[0]!.digest, img.digest);
  const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--creds', `robot$ci:${robotSecret}`, `docker://${host}/team/sk:v1`)) as { Digest: string };
  assert.equal(inspected.Digest, img.digest);
  await assert.rejects(skopeo('inspect', '--tls-verify=false', '--creds', 'viewer:wrong-password', `docker://${host}/team/sk:v1`), /unauthorized|authentication required/i);
  await assert.rejects(skopeo('copy', '--dest-tls-verify=false', '--dest-creds', `viewer:${viewerPassword}`, `oci:${layout}:v1`, `docker://${host}/team/sk:v2`), /denied/i);
  await assert.rejects(skopeo('inspect', '--tls-verify=false', '--no-creds', `docker://${host}/team/sk:v1`), /unauthorized|authentication required/i);
});

test('a registry without accounts runs open and warns on every start; one account turns access control on', async () => {
  const lines: string[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void lines.push(line) });
  const dataDir = join(work, 'open');
  const open = await openRegistry({ dataDir, logger });
  assert.equal((await open.app.inject({ method: 'GET', url: '/v2/' })).statusCode, 200);
  await open.close();
  assert.equal(lines.filter((l) => l.includes('access control is OFF')).length, 1);
  await assert.rejects(stat(join(dataDir, 'token-key.pem')), { code: 'ENOENT' }, 'no key is made while access control is off');
  const store = await openAccessStore(dataDir);
  await addAccount(store, { kind: 'user', name: 'first', password: 'first password' });
  await store.close();
  lines.length = 0;
  const closed = await openRegistry({ dataDir, logger });
  assert.equal((await closed.app.inject({ method: 'GET', url: '/v2/' })).statusCode, 401);
  await closed.close();
  assert.deepEqual(lines, []);
});
