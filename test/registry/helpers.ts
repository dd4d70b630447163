// Shared helpers for the registry tests: an in-process app and small push helpers.
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { digestOf, type Digest } from '../../src/oci/digest.js';
import { MediaTypes } from '../../src/oci/media-types.js';
import { buildRegistryApp, type RegistryExtension } from '../../src/registry/app.js';
import { MemoryBlobStore } from '../../src/registry/blob-store/memory.js';
import type { MountCheck } from '../../src/registry/context.js';
import type { RegistryEvents } from '../../src/registry/events.js';
import type { MetaStore } from '../../src/registry/meta-store/meta-store.js';
import { SqliteMetaStore } from '../../src/registry/meta-store/sqlite.js';
import { UploadSpool } from '../../src/registry/upload-spool.js';
import { tempDir } from '../helpers/temp-dir.js';

export async function makeApp(opts: { mayMountFrom?: MountCheck; automaticCrossMount?: boolean; extensions?: RegistryExtension[]; events?: RegistryEvents } = {}): Promise<FastifyInstance & { meta: MetaStore }> {
  const spool = await new UploadSpool(await tempDir('spool')).open();
  const meta = new SqliteMetaStore(':memory:');
  const { app } = await buildRegistryApp({ blobs: new MemoryBlobStore(), meta, spool, ...opts });
  return Object.assign(app, { meta });
}

/** Pushes bytes as a blob with a monolithic POST; returns its digest. */
export async function pushBlob(app: FastifyInstance, repo: string, bytes: Buffer | string): Promise<Digest> {
  const digest = digestOf(bytes);
  const res = await app.inject({ method: 'POST', url: `/v2/${repo}/blobs/uploads/?digest=${digest}`, payload: Buffer.from(bytes), headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(res.statusCode, 201, res.body);
  return digest;
}

export interface PushedImage {
  config: Digest;
  layer: Digest;
  raw: Buffer;
  digest: Digest;
}

/** An OCI image manifest over a config and one layer, both pushed; the manifest is not. */
export async function imageManifest(app: FastifyInstance, repo: string, extra: Record<string, unknown> = {}, seed = 'x'): Promise<PushedImage> {
  const configBytes = JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, seed });
  const config = await pushBlob(app, repo, configBytes);
  const layer = await pushBlob(app, repo, `layer bytes ${seed}`);
  const doc = {
    schemaVersion: 2,
    mediaType: MediaTypes.ociManifest,
    config: { mediaType: MediaTypes.ociConfig, digest: config, size: Buffer.byteLength(configBytes) },
    layers: [{ mediaType: MediaTypes.ociLayerGzip, digest: layer, size: Buffer.byteLength(`layer bytes ${seed}`) }],
    ...extra,
  };
  const raw = Buffer.from(JSON.stringify(doc));
  return { config, layer, raw, digest: digestOf(raw) };
}

export async function putManifest(app: FastifyInstance, repo: string, ref: string, raw: Buffer, type: string = MediaTypes.ociManifest) {
  return app.inject({ method: 'PUT', url: `/v2/${repo}/manifests/${ref}`, payload: raw, headers: { 'content-type': type } });
}

/** The first error code of an error answer. */
export function codeOf(res: { body: string }): string {
  return (JSON.parse(res.body) as { errors: Array<{ code: string }> }).errors[0]!.code;
}
