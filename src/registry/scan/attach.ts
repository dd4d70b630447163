import { Readable } from 'node:stream';
import { digestOf, type Digest } from '../../oci/digest.js';
import { MediaTypes } from '../../oci/media-types.js';
import type { Descriptor } from '../../oci/types.js';
import { putVerified } from '../blob-writer.js';
import type { RegistryContext } from '../context.js';
import type { Actor } from '../events.js';
import { pushManifest } from '../manifest-push.js';

/** The actor recorded for what the registry itself pushes. */
export const scannerActor: Actor = { name: 'bosun-scanner', kind: 'robot', ip: 'internal' };

/** artifactType of the vulnerability report referrer: bosun's JSON report (docs/report-json.md). */
export const reportArtifactType = 'application/vnd.dev.bosun.scan-report.v1+json';

export const sbomArtifactTypes = {
  'cyclonedx-json': 'application/vnd.cyclonedx+json',
  'spdx-json': 'application/spdx+json',
} as const;

async function putBlob(ctx: RegistryContext, repo: string, bytes: Buffer): Promise<Digest> {
  const digest = digestOf(bytes);
  await putVerified(ctx.blobs, digest, Readable.from([bytes]), bytes.length);
  await ctx.meta.linkBlob(repo, digest, bytes.length);
  return digest;
}

/**
 * Pushes `content` as an OCI 1.1 artifact referring to `subject` (empty config, one layer,
 * `artifactType`), through the registry's own manifest path: the referrers API lists it and
 * it lives and dies with its subject like any pushed referrer. Emits a `push` event by
 * `scannerActor`. Returns the artifact manifest's digest.
 */
export async function attachArtifact(
  ctx: RegistryContext,
  repo: string,
  subject: Descriptor,
  artifact: { artifactType: string; content: Buffer; annotations: Record<string, string> },
): Promise<Digest> {
  const empty = Buffer.from('{}');
  const config = { mediaType: MediaTypes.ociEmpty, digest: await putBlob(ctx, repo, empty), size: empty.length };
  const layer = { mediaType: artifact.artifactType, digest: await putBlob(ctx, repo, artifact.content), size: artifact.content.length };
  const doc = {
    schemaVersion: 2, mediaType: MediaTypes.ociManifest, artifactType: artifact.artifactType, config, layers: [layer],
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations: artifact.annotations,
  };
  const raw = Buffer.from(JSON.stringify(doc));
  const record = await pushManifest(ctx, { repo, reference: { kind: 'digest', digest: digestOf(raw) }, raw, contentType: MediaTypes.ociManifest });
  ctx.events.emit({ type: 'push', actor: scannerActor, repo, digest: record.digest, mediaType: record.mediaType, size: record.size, subject: subject.digest });
  return record.digest;
}
