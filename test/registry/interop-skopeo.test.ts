// Interop with a real client: Debian's skopeo pushes an image built with umoci into bosun's
// registry on a loopback port, pulls it back, lists tags and deletes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { serveRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { indexDigest, skopeo } from '../helpers/skopeo.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let work = '';
let served: OpenedRegistry & { url: string };
let host = '';

before(async () => {
  work = await tempDir('skopeo');
  // A two-layer OCI image, built by umoci from a small directory tree.
  await run('umoci', ['init', '--layout', join(work, 'src')]);
  await run('umoci', ['new', '--image', `${join(work, 'src')}:v1`]);
  await mkdir(join(work, 'tree', 'etc'), { recursive: true });
  await writeFile(join(work, 'tree', 'etc', 'hello'), 'hello from bosun\n'.repeat(1000));
  await run('umoci', ['insert', '--image', `${join(work, 'src')}:v1`, join(work, 'tree'), '/app']);
  await writeFile(join(work, 'tree', 'etc', 'second'), 'second layer\n');
  await run('umoci', ['insert', '--image', `${join(work, 'src')}:v1`, join(work, 'tree'), '/more']);
  served = await serveRegistry({ addr: '127.0.0.1:0', dataDir: join(work, 'data') });
  host = new URL(served.url).host;
});

after(async () => served?.close());

test('skopeo copy push and pull round-trips the image with identical digests', async () => {
  await skopeo('copy', '--dest-tls-verify=false', `oci:${join(work, 'src')}:v1`, `docker://${host}/team/app:v1`);
  await skopeo('copy', '--src-tls-verify=false', `docker://${host}/team/app:v1`, `oci:${join(work, 'out')}:v1`);
  const want = await indexDigest(join(work, 'src'));
  assert.equal(await indexDigest(join(work, 'out')), want);
  const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${host}/team/app:v1`)) as { Digest: string; Layers: string[] };
  assert.equal(inspected.Digest, want);
  assert.equal(inspected.Layers.length, 2);
});

test('skopeo copy between repositories (blob mounts) and list-tags', async () => {
  await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${host}/team/app:v1`, `docker://${host}/team/app:v2`);
  await skopeo('copy', '--src-tls-verify=false', '--dest-tls-verify=false', `docker://${host}/team/app:v1`, `docker://${host}/other/app:copy`);
  const tags = JSON.parse(await skopeo('list-tags', '--tls-verify=false', `docker://${host}/team/app`)) as { Tags: string[] };
  assert.deepEqual(tags.Tags, ['v1', 'v2']);
  const copied = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${host}/other/app:copy`)) as { Digest: string };
  assert.equal(copied.Digest, await indexDigest(join(work, 'src')));
});

test('skopeo delete removes the manifest (and so every tag pointing at it)', async () => {
  await skopeo('delete', '--tls-verify=false', `docker://${host}/other/app:copy`);
  await assert.rejects(skopeo('inspect', '--tls-verify=false', `docker://${host}/other/app:copy`), /manifest unknown|not found/i);
});
