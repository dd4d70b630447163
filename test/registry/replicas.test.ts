// Replicas: registry processes sharing one PostgreSQL and one S3 bucket, each with its own
// data directory (upload spool). Two in-process apps stand for two replicas behind a balancer.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { digestOf } from '../../src/oci/digest.js';
import { parseRegistryConfig, type RegistryConfig } from '../../src/registry/config.js';
import { openRegistry, type OpenedRegistry } from '../../src/registry/serve.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { startS3, type TestS3 } from '../helpers/s3.js';
import { codeOf, imageManifest, pushBlob, putManifest } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

let pg: TestPostgres;
let s3: TestS3;
let secrets: string;
const opened: OpenedRegistry[] = [];

before(async () => {
  [pg, s3] = await Promise.all([startPostgres(), startS3()]);
  secrets = await tempDir('secrets');
  await writeFile(join(secrets, 'key-id'), `${s3.accessKeyId}\n`, { mode: 0o600 });
  await writeFile(join(secrets, 'secret'), `${s3.secretAccessKey}\n`, { mode: 0o600 });
});
after(async () => {
  for (const r of opened) await r.close();
  await Promise.all([pg.stop(), s3.stop()]);
});

/** registry.yaml for a fleet: S3 blobs under `prefix`, metadata in a fresh database. */
async function fleetConfig(prefix: string, extra: Record<string, unknown> = {}): Promise<RegistryConfig> {
  const urlFile = join(secrets, `${prefix}db-url`);
  await writeFile(urlFile, await pg.createDatabase(), { mode: 0o600 });
  return parseRegistryConfig({
    storage: {
      blobs: {
        driver: 's3',
        bucket: s3.bucket,
        endpoint: s3.endpoint,
        prefix: `${prefix}/`,
        forcePathStyle: true,
        accessKeyIdFile: join(secrets, 'key-id'),
        secretAccessKeyFile: join(secrets, 'secret'),
        ...extra,
      },
      meta: { driver: 'postgres', urlFile },
    },
  });
}

async function replica(config: RegistryConfig): Promise<OpenedRegistry> {
  const r = await openRegistry({ dataDir: await tempDir('replica'), config });
  opened.push(r);
  return r;
}

test('replicas: push through one, pull, list and delete through the other', async () => {
  const config = await fleetConfig('fleet1');
  const [{ app: a }, { app: b }] = await Promise.all([replica(config), replica(config)]);
  const img = await imageManifest(a, 'team/app');
  assert.equal((await putManifest(a, 'team/app', 'v1', img.raw)).statusCode, 201);

  const byTag = await b.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' });
  assert.equal(byTag.statusCode, 200);
  assert.deepEqual(byTag.rawPayload, img.raw);
  assert.equal(byTag.headers['docker-content-digest'], img.digest);
  const layer = await b.inject({ method: 'GET', url: `/v2/team/app/blobs/${img.layer}` });
  assert.equal(layer.body, 'layer bytes x');
  assert.deepEqual(JSON.parse((await b.inject({ method: 'GET', url: '/v2/team/app/tags/list' })).body), { name: 'team/app', tags: ['v1'] });
  assert.deepEqual(JSON.parse((await b.inject({ method: 'GET', url: '/v2/_catalog' })).body), { repositories: ['team/app'] });

  assert.equal((await b.inject({ method: 'DELETE', url: '/v2/team/app/manifests/v1' })).statusCode, 202);
  const gone = await a.inject({ method: 'GET', url: '/v2/team/app/manifests/v1' });
  assert.equal(gone.statusCode, 404);
  assert.equal(codeOf(gone), 'MANIFEST_UNKNOWN');
});

test('replicas: a chunked session may move while empty; once it holds bytes it stays on its replica', async () => {
  const config = await fleetConfig('fleet2');
  const [{ app: a }, { app: b }] = await Promise.all([replica(config), replica(config)]);
  const post = await a.inject({ method: 'POST', url: '/v2/r/blobs/uploads/' });
  assert.equal(post.statusCode, 202);
  const loc = post.headers.location as string;
  const patch = (app: typeof a, start: number, bytes: string) =>
    app.inject({ method: 'PATCH', url: loc, payload: bytes, headers: { 'content-type': 'application/octet-stream', 'content-range': `${start}-${start + bytes.length - 1}` } });
  // Empty session started on A continues on B ...
  assert.equal((await patch(b, 0, 'hello ')).statusCode, 202);
  // ... and now lives there: A answers BLOB_UPLOAD_UNKNOWN instead of appending at a wrong offset.
  const wrong = await patch(a, 6, 'world');
  assert.equal(wrong.statusCode, 404);
  assert.equal(codeOf(wrong), 'BLOB_UPLOAD_UNKNOWN');
  assert.equal((await patch(b, 6, 'world')).statusCode, 202);
  const digest = digestOf('hello world');
  const put = await b.inject({ method: 'PUT', url: `${loc}?digest=${digest}` });
  assert.equal(put.statusCode, 201, put.body);
  assert.equal((await a.inject({ method: 'GET', url: `/v2/r/blobs/${digest}` })).body, 'hello world');
});

test('replicas: with redirect on, large blob GETs answer 307 to a presigned URL that serves the bytes', async () => {
  const config = await fleetConfig('fleet3', { redirect: true, redirectSeconds: 120 });
  const { app } = await replica(config);
  const bytes = randomBytes(200 * 1024);
  const digest = await pushBlob(app, 'r', bytes);
  const res = await app.inject({ method: 'GET', url: `/v2/r/blobs/${digest}` });
  assert.equal(res.statusCode, 307);
  const location = res.headers.location as string;
  assert.ok(location.startsWith(`${s3.endpoint}/${s3.bucket}/fleet3/blobs/sha256/`), location);
  const direct = await fetch(location);
  assert.equal(direct.status, 200);
  assert.deepEqual(Buffer.from(await direct.arrayBuffer()), bytes);
  // Ranges and small blobs are still served by the registry itself.
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${digest}`, headers: { range: 'bytes=0-9' } })).statusCode, 206);
  const small = await pushBlob(app, 'r', 'tiny');
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/blobs/${small}` })).body, 'tiny');
});
