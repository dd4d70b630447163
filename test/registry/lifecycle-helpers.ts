// Helpers for the lifecycle tests (gc, retention): an in-process registry whose stores the
// test holds, and pushes of images, indexes and referrers through the HTTP routes.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { buildRegistryApp, type RegistryExtension } from '../../src/registry/app.js';
import { blobKey } from '../../src/registry/blob-store/paths.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import type { BlobStore } from '../../src/registry/blob-store/blob-store.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { PostgresMetaStore } from '../../src/registry/meta-store/postgres.js';
import { startPostgres, type TestPostgres } from '../helpers/postgres.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { imageManifest, putManifest } from './helpers.js';
import { tempDir } from '../helpers/temp-dir.js';

export interface Harness {
  app: FastifyInstance;
  blobs: BlobStore;
  meta: MetaStore;
}

/** An in-process registry over a memory blob store and an in-memory SQLite MetaStore. */
export async function harness(opts: { meta?: MetaStore; extensions?: RegistryExtension[] } = {}): Promise<Harness> {
  const spool = await new UploadSpool(await tempDir('life')).open();
  const blobs = new MemoryBlobStore();
  const meta = opts.meta ?? new SqliteMetaStore(':memory:');
  const { app } = await buildRegistryApp({ blobs, meta, spool, ...(opts.extensions ? { extensions: opts.extensions } : {}) });
  return { app, blobs, meta };
}

export interface Pushed {
  digest: Digest;
  config: Digest;
  layer: Digest;
}

/** Pushes an image (config, one layer, manifest) under `ref` (a tag, or its digest when absent). */
export async function pushImage(app: FastifyInstance, repo: string, seed: string, ref?: string, extra: Record<string, unknown> = {}): Promise<Pushed> {
  const img = await imageManifest(app, repo, extra, seed);
  const res = await putManifest(app, repo, ref ?? img.digest, img.raw);
  assert.equal(res.statusCode, 201, res.body);
  return { digest: img.digest, config: img.config, layer: img.layer };
}

/** Pushes a referrer of `subject` (an image manifest whose `subject` it is). */
export async function pushReferrer(app: FastifyInstance, repo: string, subject: Digest, seed: string): Promise<Pushed> {
  const size = (await app.inject({ method: 'HEAD', url: `/v2/${repo}/manifests/${subject}` })).headers['content-length'];
  return pushImage(app, repo, seed, undefined, {
    artifactType: 'application/vnd.example.sig',
    subject: { mediaType: MediaTypes.ociManifest, digest: subject, size: Number(size) },
  });
}

/** Pushes an OCI index over already pushed manifests, under `ref`. */
export async function pushIndex(app: FastifyInstance, repo: string, children: Digest[], ref: string): Promise<Digest> {
  const manifests = [];
  for (const c of children) {
    const size = Number((await app.inject({ method: 'HEAD', url: `/v2/${repo}/manifests/${c}` })).headers['content-length']);
    manifests.push({ mediaType: MediaTypes.ociManifest, digest: c, size, platform: { architecture: `arch-${manifests.length}`, os: 'linux' } });
  }
  const raw = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests }));
  const res = await putManifest(app, repo, ref, raw, MediaTypes.ociIndex);
  assert.equal(res.statusCode, 201, res.body);
  return digestOf(raw);
}

/** True when the blob store holds content for `digest`. */
export async function stored(blobs: BlobStore, digest: Digest): Promise<boolean> {
  return (await blobs.stat(blobKey(digest))) !== undefined;
}

/** GET status of a manifest. */
export async function manifestStatus(app: FastifyInstance, repo: string, ref: string): Promise<number> {
  return (await app.inject({ method: 'GET', url: `/v2/${repo}/manifests/${ref}` })).statusCode;
}

/** GET status of a blob. */
export async function blobStatus(app: FastifyInstance, repo: string, digest: Digest): Promise<number> {
  return (await app.inject({ method: 'GET', url: `/v2/${repo}/blobs/${digest}` })).statusCode;
}

/** Two hours from now: everything pushed so far is past the default 1 h grace period. */
export function later(): number {
  return Date.now() + 2 * 3600 * 1000;
}

/** A metadata backend the lifecycle tests run on: fresh, empty stores from `meta()`. */
export interface LifecycleBackend {
  name: string;
  meta(): Promise<MetaStore>;
}

/**
 * SQLite (in memory) and PostgreSQL (Debian's, one throwaway cluster per test file, started
 * on first use, a fresh database per store). Call `stop` in `after`: it closes every store
 * and the cluster.
 */
export function lifecycleBackends(): { list: LifecycleBackend[]; stop(): Promise<void> } {
  let server: Promise<TestPostgres> | undefined;
  const opened: MetaStore[] = [];
  const list: LifecycleBackend[] = [
    { name: 'sqlite', meta: async () => new SqliteMetaStore(':memory:') },
    {
      name: 'postgres',
      meta: async () => {
        server ??= startPostgres();
        const m = await PostgresMetaStore.open({ url: await (await server).createDatabase() });
        opened.push(m);
        return m;
      },
    },
  ];
  return {
    list,
    stop: async () => {
      for (const m of opened) await m.close();
      if (server) await (await server).stop();
    },
  };
}
