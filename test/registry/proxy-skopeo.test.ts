// End to end: Debian's docker-registry (distribution 2.8, HTTPS with a self-signed
// certificate and htpasswd Basic auth) is the upstream; `bosun registry serve` configured by
// a registry.yaml mirrors it; skopeo copies the image out of the cache, then again after the
// upstream is stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { manifestAccept } from '../../src/oci/media-types.js';
import { loadRegistryConfig } from '../../src/registry/config.js';
import { serveRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { indexDigest, skopeo } from '../helpers/skopeo.js';
import { startRegistry, type TestRegistry } from '../helpers/registry.js';
import { wireCode } from './proxy-helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

const run = promisify(execFile);
let work = '';
let upstream: TestRegistry;
let served: OpenedRegistry & { url: string };
let host = '';

before(async () => {
  work = await tempDir('proxy-skopeo');
  const src = join(work, 'src');
  await run('umoci', ['init', '--layout', src]);
  await run('umoci', ['new', '--image', `${src}:v1`]);
  await mkdir(join(work, 'tree', 'etc'), { recursive: true });
  await writeFile(join(work, 'tree', 'etc', 'hello'), 'hello through the cache\n'.repeat(2000));
  await run('umoci', ['insert', '--image', `${src}:v1`, join(work, 'tree'), '/app']);
  upstream = await startRegistry({ mode: 'tls-htpasswd' });
  await skopeo('copy', '--dest-tls-verify=false', `--dest-creds=${upstream.username}:${upstream.password}`, `oci:${src}:v1`, `docker://${upstream.host}/team/app:v1`);
  await writeFile(join(work, 'upstream.pw'), `${upstream.password}\n`, { mode: 0o600 });
  await writeFile(join(work, 'registry.yaml'), [
    'proxy:',
    '  - prefix: mirror',
    `    upstream: https://${upstream.host}`,
    `    username: ${upstream.username}`,
    `    passwordFile: ${join(work, 'upstream.pw')}`,
    `    caFile: ${upstream.caFile}`,
    '    tagTtl: 1ms',
    '    attempts: 1',
    '  - prefix: anonymous',
    `    upstream: https://${upstream.host}`,
    `    caFile: ${upstream.caFile}`,
    '    attempts: 1',
    '',
  ].join('\n'));
  const config = await loadRegistryConfig(join(work, 'registry.yaml'));
  served = await serveRegistry({ addr: '127.0.0.1:0', dataDir: join(work, 'data'), config });
  host = new URL(served.url).host;
});

after(async () => {
  await served?.close();
  await upstream?.stop();
});

test('skopeo copies an image out of the cache, from a TLS + Basic auth upstream, and again once it is stopped', async () => {
  const want = await indexDigest(join(work, 'src'));
  await skopeo('copy', '--src-tls-verify=false', `docker://${host}/mirror/team/app:v1`, `oci:${join(work, 'out1')}:v1`);
  assert.equal(await indexDigest(join(work, 'out1')), want);

  // Without the credentials the upstream refuses, and nothing is cached: UNAVAILABLE.
  const refused = await fetch(`${served.url}/v2/anonymous/team/app/manifests/v1`, { headers: { accept: manifestAccept } });
  assert.equal(refused.status, 503);
  assert.equal(await wireCode(refused), 'UNAVAILABLE');

  await upstream.stop();
  await skopeo('copy', '--src-tls-verify=false', `docker://${host}/mirror/team/app:v1`, `oci:${join(work, 'out2')}:v1`);
  assert.equal(await indexDigest(join(work, 'out2')), want);
  const inspected = JSON.parse(await skopeo('inspect', '--tls-verify=false', `docker://${host}/mirror/team/app:v1`)) as { Digest: string };
  assert.equal(inspected.Digest, want);
});
