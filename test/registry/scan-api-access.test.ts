// With access control on, a scan result is readable only by those who may pull its repository.
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import { digestOf } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import type { RegistryContext } from '../../src/registry/context.js';
import { migrateMetaDatabase } from '../../src/registry/meta-store/sqlite.js';
import { scanRoutes } from '../../src/registry/scan/scan-routes.js';
import { SqliteScanStore } from '../../src/registry/scan/scan-store.js';
import { basic, makeAuthApp, type AuthApp } from './access-helpers.js';

const password = 'correct horse battery';
let h: AuthApp;
let ctx: RegistryContext;
let db: Database.Database;

before(async () => {
  db = new Database(':memory:');
  migrateMetaDatabase(db);
  h = await makeAuthApp(
    [
      { name: 'alice', password, grants: [{ pattern: 'team/**', actions: ['pull'] }] },
      { name: 'bob', password, grants: [{ pattern: 'other/**', actions: ['pull'] }] },
    ],
    {},
    [
      (app, c) => {
        ctx = c;
        scanRoutes(app, c, new SqliteScanStore(db));
      },
    ],
  );
});
after(async () => {
  await h.close();
  db.close();
});

test('GET /api/v1/scans/<repo>/<digest> needs pull on that repository', async () => {
  // An image manifest stored straight into the stores: pushing is not what is tested here.
  const raw = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: digestOf('{}'), size: 2 },
    layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: digestOf('layer'), size: 5 }],
  }));
  const digest = digestOf(raw);
  await ctx.blobs.put(blobKey(digest), Readable.from([raw]));
  await ctx.meta.putManifest({ repo: 'team/app', digest, mediaType: MediaTypes.ociManifest, size: raw.length }, 'v1');
  const url = `/api/v1/scans/team/app/${digest}`;
  const alice = await h.app.inject({ method: 'GET', url, headers: { authorization: basic('alice', password) } });
  assert.equal(alice.statusCode, 200, alice.body);
  assert.equal((JSON.parse(alice.body) as { status: string }).status, 'unscanned');
  const bob = await h.app.inject({ method: 'GET', url, headers: { authorization: basic('bob', password) } });
  assert.equal(bob.statusCode, 403, bob.body);
  assert.equal((await h.app.inject({ method: 'GET', url })).statusCode, 401);
});
