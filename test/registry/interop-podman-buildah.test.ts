// Debian's podman and buildah (vfs storage, as root: they run no container here) push to and
// pull from bosun's registry through the token flow of the quick start's admin account; the
// image keeps its config digest (the image id) and the registry serves what they pushed.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { defaultRegistryConfig } from '../../src/registry/config.js';
import { serveRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { skopeo } from '../helpers/skopeo.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let work = '';
let served: OpenedRegistry & { url: string };
let host = '';
let creds = '';

/** podman with its own storage under `store` (vfs: no overlay mounts needed). */
async function podman(store: string, ...args: string[]): Promise<string> {
  const base = ['--root', join(work, store, 'root'), '--runroot', join(work, store, 'run'), '--storage-driver', 'vfs', '--cgroup-manager', 'cgroupfs', '--events-backend', 'none'];
  const { stdout } = await run('podman', [...base, ...args], { maxBuffer: 16 << 20 });
  return stdout.trim();
}

/** buildah with its own storage under `store`. */
async function buildah(store: string, ...args: string[]): Promise<string> {
  const base = ['--root', join(work, store, 'root'), '--runroot', join(work, store, 'run'), '--storage-driver', 'vfs'];
  const { stdout } = await run('buildah', [...base, ...args], { maxBuffer: 16 << 20 });
  return stdout.trim();
}

before(async () => {
  work = await tempDir('podman');
  // A two-layer image made by umoci, handed to podman as a docker-archive by skopeo.
  await run('umoci', ['init', '--layout', join(work, 'src')]);
  await run('umoci', ['new', '--image', `${join(work, 'src')}:v1`]);
  await mkdir(join(work, 'tree', 'etc'), { recursive: true });
  await writeFile(join(work, 'tree', 'etc', 'first'), 'first layer\n');
  await run('umoci', ['insert', '--image', `${join(work, 'src')}:v1`, join(work, 'tree'), '/app']);
  await writeFile(join(work, 'tree', 'etc', 'second'), 'second layer\n');
  await run('umoci', ['insert', '--image', `${join(work, 'src')}:v1`, join(work, 'tree'), '/more']);
  await skopeo('copy', `oci:${join(work, 'src')}:v1`, `docker-archive:${join(work, 'image.tar')}:bosun/podman-test:v1`);
  const config = defaultRegistryConfig();
  config.auth.adminPasswordFile = join(work, 'admin.pw');
  served = await serveRegistry({ addr: '127.0.0.1:0', dataDir: join(work, 'data'), config });
  host = new URL(served.url).host;
  creds = `admin:${(await readFile(join(work, 'admin.pw'), 'utf8')).trim()}`;
});

after(async () => served?.close());

test('podman push and pull through bosun registry keep the image id; anonymous push is refused', async () => {
  await podman('a', 'pull', `docker-archive:${join(work, 'image.tar')}`);
  const id = await podman('a', 'inspect', '--format', '{{.Id}}', 'bosun/podman-test:v1');
  await assert.rejects(podman('a', 'push', '--tls-verify=false', 'bosun/podman-test:v1', `docker://${host}/team/podman:v1`), /unauthorized|authentication required|denied/i);
  await podman('a', 'push', '--tls-verify=false', '--creds', creds, 'bosun/podman-test:v1', `docker://${host}/team/podman:v1`);
  await podman('b', 'pull', '--tls-verify=false', '--creds', creds, `${host}/team/podman:v1`);
  assert.equal(await podman('b', 'inspect', '--format', '{{.Id}}', `${host}/team/podman:v1`), id);
  const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', '--creds', creds, `docker://${host}/team/podman:v1`)) as { Layers: string[] };
  assert.equal(inspected.Layers.length, 2);
});

test('buildah push and pull through bosun registry keep the image id', async () => {
  await buildah('c', 'pull', `docker-archive:${join(work, 'image.tar')}`);
  const id = await buildah('c', 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', 'bosun/podman-test:v1');
  await buildah('c', 'push', '--tls-verify=false', '--creds', creds, 'bosun/podman-test:v1', `docker://${host}/team/buildah:v1`);
  await buildah('d', 'pull', '--tls-verify=false', '--creds', creds, `${host}/team/buildah:v1`);
  assert.equal(await buildah('d', 'inspect', '--type', 'image', '--format', '{{.FromImageID}}', `${host}/team/buildah:v1`), id);
  assert.match(id, /^[0-9a-f]{64}$/);
});

