// What every workflow shares: the client, the repositories, the fixtures and the suite's
// switches, plus the requests several workflows repeat (two-step blob push, manifest PUT,
// tolerant deletes).
import { expectStatus, type RegistryClient, type Reply } from './client.js';
import type { Content, Fixtures } from './fixtures.js';

export interface SuiteOptions {
  /** e.g. `http://127.0.0.1:5000` (no trailing slash). */
  baseUrl: string;
  /** The repository the workflows use (OCI_NAMESPACE). */
  namespace: string;
  /** The repository blobs are mounted into (OCI_CROSSMOUNT_NAMESPACE). */
  crossmountNamespace: string;
  /**
   * OCI_AUTOMATIC_CROSSMOUNT: unset skips the mount-without-`from` check; true expects such a
   * mount to succeed (201), false expects a new upload session (202).
   */
  automaticCrossmount?: boolean;
  /** OCI_DELETE_MANIFEST_BEFORE_BLOBS (the suite's default: true). */
  deleteManifestBeforeBlobs: boolean;
}

export interface SuiteEnv {
  client: RegistryClient;
  fx: Fixtures;
  opts: SuiteOptions;
  /** `/v2/<namespace>` */
  repoPath: string;
}

/** POST a session, then PUT the whole blob to its Location (the suite's usual way to push). */
export async function pushBlob(env: SuiteEnv, blob: Content, repo = env.opts.namespace): Promise<Reply> {
  const start = await env.client.send({ method: 'POST', path: `/v2/${repo}/blobs/uploads/` });
  return env.client.send({
    method: 'PUT',
    path: env.client.relativeLocation(start),
    query: { digest: blob.digest },
    headers: { 'content-type': 'application/octet-stream' },
    body: blob.bytes,
  });
}

/** As pushBlob, asserting a 2xx answer. */
export async function seedBlob(env: SuiteEnv, blob: Content): Promise<void> {
  expectStatus(await pushBlob(env, blob), '2xx');
}

export function putManifest(env: SuiteEnv, reference: string, doc: Content, mediaType = 'application/vnd.oci.image.manifest.v1+json'): Promise<Reply> {
  return env.client.send({ method: 'PUT', path: `${env.repoPath}/manifests/${reference}`, headers: { 'content-type': mediaType }, body: doc.bytes });
}

export function deleteManifest(env: SuiteEnv, reference: string): Promise<Reply> {
  return env.client.send({ method: 'DELETE', path: `${env.repoPath}/manifests/${reference}` });
}

export function deleteBlob(env: SuiteEnv, digest: string): Promise<Reply> {
  return env.client.send({ method: 'DELETE', path: `${env.repoPath}/blobs/${digest}` });
}

/** Deleting during teardown may also be refused (405) or find nothing (404) where allowed. */
export async function deleteEach(env: SuiteEnv, kind: 'manifest' | 'blob', refs: string[], allowed: Array<number | '2xx'>): Promise<void> {
  for (const ref of refs) {
    const reply = kind === 'manifest' ? await deleteManifest(env, ref) : await deleteBlob(env, ref);
    expectStatus(reply, ...allowed);
  }
}
