import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { isBosunError } from '../../src/errors.js';
import { FsBlobStore } from '../../src/registry/blob-store/fs.js';
import { S3BlobStore } from '../../src/registry/blob-store/s3.js';
import { defaultRegistryConfig, parseRegistryConfig } from '../../src/registry/config.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { openStorage } from '../../src/registry/storage.js';
import { tempDir } from '../helpers/temp-dir.js';

const s3 = { driver: 's3', bucket: 'my-bucket' };

test('storage defaults: fs blobs and sqlite metadata', () => {
  assert.deepEqual(defaultRegistryConfig().storage, { blobs: { driver: 'fs' }, meta: { driver: 'sqlite' } });
});

test('storage: s3 and postgres sections get their defaults', () => {
  const c = parseRegistryConfig({ storage: { blobs: s3, meta: { driver: 'postgres', urlFile: '/run/secrets/db' } } });
  assert.deepEqual(c.storage.blobs, { driver: 's3', bucket: 'my-bucket', region: 'us-east-1', prefix: '', forcePathStyle: false, redirect: false, redirectSeconds: 300, partSizeMiB: 8 });
  assert.deepEqual(c.storage.meta, { driver: 'postgres', urlFile: '/run/secrets/db', maxConnections: 10 });
});

const invalid = [
  { name: 'unknown blob driver', storage: { blobs: { driver: 'gcs' } } },
  { name: 'unknown meta driver', storage: { meta: { driver: 'mysql' } } },
  { name: 's3 without bucket', storage: { blobs: { driver: 's3' } } },
  { name: 'bucket with uppercase', storage: { blobs: { ...s3, bucket: 'My_Bucket' } } },
  { name: 'endpoint not http(s)', storage: { blobs: { ...s3, endpoint: 'ftp://x' } } },
  { name: 'prefix escaping', storage: { blobs: { ...s3, prefix: '../x/' } } },
  { name: 'prefix without slash', storage: { blobs: { ...s3, prefix: 'reg' } } },
  { name: 'key id file without secret file', storage: { blobs: { ...s3, accessKeyIdFile: '/k' } } },
  { name: 'part size under S3 minimum', storage: { blobs: { ...s3, partSizeMiB: 4 } } },
  { name: 'typo in s3 section', storage: { blobs: { ...s3, bukket: 'x' } } },
  { name: 'fs with s3 keys', storage: { blobs: { driver: 'fs', bucket: 'x' } } },
  { name: 'postgres without url', storage: { meta: { driver: 'postgres' } } },
  { name: 'postgres with url and urlFile', storage: { meta: { driver: 'postgres', url: 'postgresql://h/db', urlFile: '/f' } } },
  { name: 'postgres url not postgres', storage: { meta: { driver: 'postgres', url: 'mysql://h/db' } } },
  { name: 'unknown storage key', storage: { cache: {} } },
] as const;
for (const c of invalid) {
  test(`storage config refused: ${c.name}`, () => {
    assert.throws(() => parseRegistryConfig({ storage: c.storage }), (e) => isBosunError(e, 'REGISTRY_CONFIG_INVALID'));
  });
}

test('openStorage: defaults open fs + sqlite under the data dir', async () => {
  const dir = await tempDir('storage');
  const s = await openStorage(defaultRegistryConfig().storage, { dataDir: dir, staleMs: 0 });
  assert.ok(s.blobs instanceof FsBlobStore);
  assert.ok(s.meta instanceof SqliteMetaStore);
  await s.close();
});

test('openStorage: s3 without credential files uses the SDK chain (no request is made on open)', async () => {
  const c = parseRegistryConfig({ storage: { blobs: { ...s3, endpoint: 'http://127.0.0.1:9' } } });
  const s = await openStorage(c.storage, { dataDir: await tempDir('storage'), staleMs: 0 });
  assert.ok(s.blobs instanceof S3BlobStore);
  await s.close();
});

test('openStorage: an unreadable secret file is REGISTRY_CONFIG_INVALID', async () => {
  const dir = await tempDir('storage');
  const c = parseRegistryConfig({ storage: { blobs: { ...s3, accessKeyIdFile: join(dir, 'missing'), secretAccessKeyFile: join(dir, 'missing2') } } });
  await assert.rejects(openStorage(c.storage, { dataDir: dir, staleMs: 0 }), (e) => isBosunError(e, 'REGISTRY_CONFIG_INVALID'));
  const p = parseRegistryConfig({ storage: { meta: { driver: 'postgres', urlFile: join(dir, 'missing') } } });
  await assert.rejects(openStorage(p.storage, { dataDir: dir, staleMs: 0 }), (e) => isBosunError(e, 'REGISTRY_CONFIG_INVALID'));
});
