// End to end through bin/bosun.js: inspect and copy across every source and sink, against
// Debian's docker-registry (distribution 2.8) on loopback, plain and htpasswd over TLS.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as layout from '../../src/oci/layout.js';
import * as archive from '../../src/oci/archive.js';
import { buildIndex } from '../../src/oci/image-builder.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { twoLayerImage } from '../helpers/oci-image.js';
import { runBosun, type Run } from '../helpers/bosun-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const bosun = (args: string[], opts: { stdin?: Buffer; env?: Record<string, string> } = {}): Promise<Run> => runBosun(args, opts);
const json = (r: Run) => {
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as { digest: string; platform: { architecture: string }; config: { digest: string }; layers: { diffId: string }[]; index?: { platforms: string[] } };
};

let dir: string;
let plain: TestRegistry;
let secure: TestRegistry;
let imageDigest: string;
before(async () => {
  dir = await tempDir('cli-image');
  [plain, secure] = await Promise.all([startRegistry({ mode: 'http' }), startRegistry({ mode: 'tls-htpasswd' })]);
  const amd = await twoLayerImage('amd64');
  imageDigest = await amd.digest();
  await layout.write(join(dir, 'oci'), amd, { tag: 'v1' });
  await layout.write(join(dir, 'multi'), await buildIndex([amd, await twoLayerImage('arm64')]), { tag: 'multi' });
  await archive.write(join(dir, 'app.tar'), amd, { tags: ['example.com/app:1'] });
});
after(async () => {
  await Promise.all([plain?.stop(), secure?.stop()]);
});

test('inspect reads an OCI layout, a docker-archive and the archive on stdin', async () => {
  const fromLayout = json(await bosun(['inspect', `oci:${dir}/oci:v1`, '--format', 'json']));
  assert.equal(fromLayout.digest, imageDigest);
  const fromArchive = json(await bosun(['inspect', `docker-archive:${dir}/app.tar`, '--format', 'json']));
  const fromStdin = json(await bosun(['inspect', '--input', '-', '--format', 'json'], { stdin: await readFile(join(dir, 'app.tar')) }));
  assert.equal(fromArchive.config.digest, fromLayout.config.digest);
  assert.deepEqual(fromStdin, { ...fromArchive, name: 'stdin' });
  assert.deepEqual(fromArchive.layers.map((l) => l.diffId), fromLayout.layers.map((l) => l.diffId));
});

test('the table output names digest, platform and layers', async () => {
  const r = await bosun(['inspect', `oci:${dir}/oci:v1`]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`Digest: +${imageDigest}`));
  assert.match(r.stdout, /Platform: +linux\/amd64/);
  assert.match(r.stdout, /Layers \(2, /);
});

test('--platform picks from an index, and a missing platform is OCI_PLATFORM_NOT_FOUND', async () => {
  assert.equal(json(await bosun(['inspect', `oci:${dir}/multi:multi`, '--platform', 'linux/arm64', '--format', 'json'])).platform.architecture, 'arm64');
  const r = await bosun(['inspect', `oci:${dir}/multi:multi`, '--platform', 'linux/s390x']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /OCI_PLATFORM_NOT_FOUND/);
});

test('copy to a registry and back keeps the digest; pulled blobs land in the cache', async () => {
  const ref = `${plain.host}/team/app:1`;
  const pushed = await bosun(['copy', `oci:${dir}/oci:v1`, ref, '--insecure']);
  assert.equal(pushed.status, 0, pushed.stderr);
  assert.equal(pushed.stdout.trim(), imageDigest);
  const cacheDir = join(dir, 'cache');
  const pulled = await bosun(['copy', ref, `oci:${dir}/pulled:v1`, '--insecure', '--cache-dir', cacheDir]);
  assert.equal(pulled.status, 0, pulled.stderr);
  assert.equal(json(await bosun(['inspect', `oci:${dir}/pulled:v1`, '--format', 'json'])).digest, imageDigest);
  const cached = await readdir(join(cacheDir, 'blobs', 'sha256'));
  assert.equal(cached.length, 3); // config + two layers
});

test('a multi-platform index in a registry shows its platforms', async () => {
  const multi = await buildIndex([await twoLayerImage('amd64'), await twoLayerImage('arm64')]);
  const { write } = await import('../../src/oci/remote/index.js');
  await write(`${plain.host}/team/multi:1`, multi, { insecure: true });
  const r = json(await bosun(['inspect', `docker://${plain.host}/team/multi:1`, '--insecure', '--format', 'json']));
  assert.deepEqual(r.index?.platforms, ['linux/amd64', 'linux/arm64']);
  assert.equal(r.platform.architecture, 'amd64');
});

test('htpasswd over TLS: credentials from a docker config and the registry CA', async () => {
  const ref = `${secure.host}/private/app:1`;
  const dockerConfig = join(dir, 'docker-config');
  await mkdir(dockerConfig);
  const auth = Buffer.from(`${secure.username}:${secure.password}`).toString('base64');
  await writeFile(join(dockerConfig, 'config.json'), JSON.stringify({ auths: { [secure.host]: { auth } } }));
  const env = { DOCKER_CONFIG: dockerConfig };
  const pushed = await bosun(['copy', `oci:${dir}/oci:v1`, ref, '--ca-file', secure.caFile!], { env });
  assert.equal(pushed.status, 0, pushed.stderr);
  assert.equal(json(await bosun(['inspect', ref, '--ca-file', secure.caFile!, '--format', 'json'], { env })).digest, imageDigest);
  const anonymous = await bosun(['inspect', ref, '--ca-file', secure.caFile!], { env: { DOCKER_CONFIG: join(dockerConfig, 'none') } });
  assert.equal(anonymous.status, 2);
  assert.match(anonymous.stderr, /REGISTRY_UNAUTHORIZED/);
  const unverified = await bosun(['inspect', ref], { env });
  assert.equal(unverified.status, 2);
  assert.match(unverified.stderr, /REGISTRY_UNAVAILABLE[\s\S]*--insecure/);
});

test('a bad reference exits 2 with OCI_REFERENCE_INVALID and writes nothing to stdout', async () => {
  const r = await bosun(['inspect', 'Not//Valid']);
  assert.equal(r.status, 2);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /OCI_REFERENCE_INVALID/);
});
