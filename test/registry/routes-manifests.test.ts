import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { codeOf, imageManifest, makeApp, pushBlob, putManifest } from './helpers.js';

test('GET /v2/ answers 200 with the API version header', async () => {
  const app = await makeApp();
  const res = await app.inject({ method: 'GET', url: '/v2/' });
  assert.equal(res.statusCode, 200);
  assert.equal(res.headers['docker-distribution-api-version'], 'registry/2.0');
});

test('manifest push by tag, then GET/HEAD by tag and by digest', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'team/app');
  const put = await putManifest(app, 'team/app', 'v1', img.raw);
  assert.equal(put.statusCode, 201);
  assert.equal(put.headers.location, `/v2/team/app/manifests/${img.digest}`);
  assert.equal(put.headers['docker-content-digest'], img.digest);
  for (const ref of ['v1', img.digest]) {
    const get = await app.inject({ method: 'GET', url: `/v2/team/app/manifests/${ref}` });
    assert.equal(get.statusCode, 200);
    assert.deepEqual(get.rawPayload, img.raw);
    assert.equal(get.headers['content-type'], MediaTypes.ociManifest);
    assert.equal(get.headers['docker-content-digest'], img.digest);
    assert.equal(get.headers['content-length'], String(img.raw.length));
    const head = await app.inject({ method: 'HEAD', url: `/v2/team/app/manifests/${ref}` });
    assert.equal(head.statusCode, 200);
    assert.equal(head.headers['content-length'], String(img.raw.length));
    assert.equal(head.headers['docker-content-digest'], img.digest);
    assert.equal(head.body, '');
  }
});

test('a Docker v2 schema 2 manifest keeps its media type', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'd', { mediaType: MediaTypes.dockerManifest });
  assert.equal((await putManifest(app, 'd', 'latest', img.raw, MediaTypes.dockerManifest)).statusCode, 201);
  const get = await app.inject({ method: 'GET', url: '/v2/d/manifests/latest' });
  assert.equal(get.headers['content-type'], MediaTypes.dockerManifest);
});

const refused = [
  { name: 'schema 1', type: MediaTypes.dockerSchema1Signed, doc: { schemaVersion: 1, name: 'r', tag: 't', fsLayers: [] }, status: 400, code: 'MANIFEST_INVALID' },
  { name: 'not JSON', type: MediaTypes.ociManifest, doc: '{not json', status: 400, code: 'MANIFEST_INVALID' },
  { name: 'missing config', type: MediaTypes.ociManifest, doc: { schemaVersion: 2, layers: [] }, status: 400, code: 'MANIFEST_INVALID' },
  { name: 'unknown media type', type: 'application/x-nope', doc: { schemaVersion: 2, layers: [] }, status: 400, code: 'MANIFEST_INVALID' },
] as const;
for (const c of refused) {
  test(`manifest PUT refused: ${c.name} -> ${c.status} ${c.code}`, async () => {
    const app = await makeApp();
    const raw = Buffer.from(typeof c.doc === 'string' ? c.doc : JSON.stringify(c.doc));
    const res = await putManifest(app, 'r', 't', raw, c.type);
    assert.equal(res.statusCode, c.status);
    assert.equal(codeOf(res), c.code);
  });
}

test('a manifest referencing a missing blob is MANIFEST_BLOB_UNKNOWN', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'a');
  // The same manifest pushed to a repository that holds none of its blobs.
  const res = await putManifest(app, 'b', 't', img.raw);
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'MANIFEST_BLOB_UNKNOWN');
});

test('an index needs its child manifests in the repository', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'r');
  const index = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [{ mediaType: MediaTypes.ociManifest, digest: img.digest, size: img.raw.length, platform: { os: 'linux', architecture: 'amd64' } }],
  }));
  const missing = await putManifest(app, 'r', 'multi', index, MediaTypes.ociIndex);
  assert.equal(codeOf(missing), 'MANIFEST_BLOB_UNKNOWN');
  assert.equal((await putManifest(app, 'r', img.digest, img.raw)).statusCode, 201);
  assert.equal((await putManifest(app, 'r', 'multi', index, MediaTypes.ociIndex)).statusCode, 201);
  const get = await app.inject({ method: 'GET', url: '/v2/r/manifests/multi' });
  assert.equal(get.headers['content-type'], MediaTypes.ociIndex);
});

test('PUT by digest must match the body', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'r');
  const res = await putManifest(app, 'r', digestOf('something else'), img.raw);
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'DIGEST_INVALID');
});

test('a manifest over 4 MiB is refused with 413 MANIFEST_INVALID, declared or streamed', async () => {
  const app = await makeApp();
  const big = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  const declared = await putManifest(app, 'r', 't', big);
  assert.equal(declared.statusCode, 413);
  assert.equal(codeOf(declared), 'MANIFEST_INVALID');
  const streamed = await app.inject({
    method: 'PUT',
    url: '/v2/r/manifests/t',
    payload: Readable.from([big.subarray(0, 3 << 20), big.subarray(3 << 20)]),
    headers: { 'content-type': MediaTypes.ociManifest },
  });
  assert.equal(streamed.statusCode, 413);
  assert.equal(codeOf(streamed), 'MANIFEST_INVALID');
});

test('subject: OCI-Subject on push, listed by the referrers API with artifactType filter', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'r');
  await putManifest(app, 'r', 'v1', img.raw);
  const empty = await pushBlob(app, 'r', '{}');
  const referrer = Buffer.from(JSON.stringify({
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    artifactType: 'application/vnd.example.sbom',
    config: { mediaType: MediaTypes.ociEmpty, digest: empty, size: 2 },
    layers: [{ mediaType: MediaTypes.ociEmpty, digest: empty, size: 2 }],
    subject: { mediaType: MediaTypes.ociManifest, digest: img.digest, size: img.raw.length },
    annotations: { 'org.example': 'yes' },
  }));
  const put = await putManifest(app, 'r', digestOf(referrer), referrer);
  assert.equal(put.statusCode, 201);
  assert.equal(put.headers['oci-subject'], img.digest);
  const list = await app.inject({ method: 'GET', url: `/v2/r/referrers/${img.digest}` });
  assert.equal(list.statusCode, 200);
  assert.equal(list.headers['content-type'], MediaTypes.ociIndex);
  assert.equal(list.headers['oci-filters-applied'], undefined);
  assert.deepEqual(JSON.parse(list.body), {
    schemaVersion: 2,
    mediaType: MediaTypes.ociIndex,
    manifests: [{ mediaType: MediaTypes.ociManifest, digest: digestOf(referrer), size: referrer.length, artifactType: 'application/vnd.example.sbom', annotations: { 'org.example': 'yes' } }],
  });
  const filtered = await app.inject({ method: 'GET', url: `/v2/r/referrers/${img.digest}?artifactType=application/other` });
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
  assert.deepEqual(JSON.parse(filtered.body).manifests, []);
  const none = await app.inject({ method: 'GET', url: `/v2/nowhere/referrers/${digestOf('nothing')}` });
  assert.equal(none.statusCode, 200);
  assert.deepEqual(JSON.parse(none.body).manifests, []);
});

test('DELETE by tag removes only the tag; DELETE by digest removes the manifest', async () => {
  const app = await makeApp();
  const img = await imageManifest(app, 'r');
  await putManifest(app, 'r', 'v1', img.raw);
  assert.equal((await app.inject({ method: 'DELETE', url: '/v2/r/manifests/v1' })).statusCode, 202);
  assert.equal(codeOf(await app.inject({ method: 'GET', url: '/v2/r/manifests/v1' })), 'MANIFEST_UNKNOWN');
  assert.equal((await app.inject({ method: 'GET', url: `/v2/r/manifests/${img.digest}` })).statusCode, 200);
  assert.equal((await app.inject({ method: 'DELETE', url: `/v2/r/manifests/${img.digest}` })).statusCode, 202);
  const gone = await app.inject({ method: 'GET', url: `/v2/r/manifests/${img.digest}` });
  assert.equal(gone.statusCode, 404);
  assert.equal(codeOf(gone), 'MANIFEST_UNKNOWN');
  assert.equal(codeOf(await app.inject({ method: 'DELETE', url: `/v2/r/manifests/${img.digest}` })), 'MANIFEST_UNKNOWN');
});

// distribution-spec conformance (Pull, Push): a reference that is not a valid tag names no
// manifest, so GET and HEAD answer 404; storing under it is still refused as TAG_INVALID.
const malformedTags = [
  { method: 'GET', status: 404, code: 'MANIFEST_UNKNOWN' },
  { method: 'HEAD', status: 404, code: undefined },
  { method: 'PUT', status: 400, code: 'TAG_INVALID' },
] as const;
for (const c of malformedTags) {
  test(`${c.method} of the malformed tag .INVALID is ${c.status}${c.code ? ` ${c.code}` : ''}`, async () => {
    const app = await makeApp();
    const img = await imageManifest(app, 'r');
    const res = c.method === 'PUT' ? await putManifest(app, 'r', '.INVALID', img.raw) : await app.inject({ method: c.method, url: '/v2/r/manifests/.INVALID' });
    assert.equal(res.statusCode, c.status, res.body);
    if (c.code) assert.equal(codeOf(res), c.code);
  });
}

test('a malformed digest reference is still 400 DIGEST_INVALID on GET', async () => {
  const app = await makeApp();
  const res = await app.inject({ method: 'GET', url: '/v2/r/manifests/sha256:totallywrong' });
  assert.equal(res.statusCode, 400);
  assert.equal(codeOf(res), 'DIGEST_INVALID');
});
