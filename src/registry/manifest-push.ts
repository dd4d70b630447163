import { Readable } from 'node:stream';
import { BosunError } from '../errors.js';
import { algorithmOf, digestOf, type Digest } from '../oci/digest.js';
import { parseManifest, type ParsedManifest } from '../oci/manifest.js';
import { isImageManifest, isIndex } from '../oci/media-types.js';
import type { Descriptor } from '../oci/types.js';
import { blobKey } from './blob-store/paths.js';
import type { RegistryContext } from './context.js';
import { contentGuard } from './lifecycle/content-guard.js';
import type { ManifestRecord } from './meta-store/meta-store.js';
import type { Reference } from './names.js';

/** What a manifest PUT carries, after the route has read the body (bounded). */
export interface ManifestPush {
  repo: string;
  reference: Reference;
  raw: Buffer;
  /** The request's Content-Type without parameters, if any. */
  contentType?: string;
}

/** True when the repository holds `d`; throws MANIFEST_BLOB_UNKNOWN when it must and does not. */
async function checkReference(ctx: RegistryContext, repo: string, d: Descriptor): Promise<boolean> {
  const isManifest = isImageManifest(d.mediaType) || isIndex(d.mediaType);
  const found = isManifest ? (await ctx.meta.getManifest(repo, d.digest)) ?? (await ctx.meta.blobLink(repo, d.digest)) : await ctx.meta.blobLink(repo, d.digest);
  // Foreign layers (with urls) may live elsewhere, as distribution allows.
  if (!found && !(d.urls && d.urls.length > 0)) {
    throw new BosunError('REGISTRY_SERVE_MANIFEST_BLOB_UNKNOWN', `manifest references ${d.digest}, which "${repo}" does not hold`);
  }
  return found !== undefined;
}

/** The config, layers or child manifests a manifest needs (what GC must keep for it). */
export function referenced(parsed: ParsedManifest): Descriptor[] {
  return parsed.kind === 'index' ? parsed.index.manifests : [parsed.manifest.config, ...parsed.manifest.layers];
}

/** The metadata record of a parsed manifest (the pull-through cache stores fetched ones too). */
export function recordOf(repo: string, digest: Digest, raw: Buffer, parsed: ParsedManifest): ManifestRecord {
  const doc = parsed.kind === 'index' ? parsed.index : parsed.manifest;
  const record: ManifestRecord = { repo, digest, mediaType: doc.mediaType, size: raw.length };
  // spec: distribution-spec, listing referrers: artifactType, else an image manifest's config type
  const artifactType = doc.artifactType ?? (parsed.kind === 'manifest' ? parsed.manifest.config.mediaType : undefined);
  if (artifactType !== undefined) record.artifactType = artifactType;
  if (doc.subject) record.subject = doc.subject.digest;
  if (doc.annotations) record.annotations = doc.annotations;
  return record;
}

/**
 * Validates and stores a pushed manifest: digest check when pushed by digest, schema (OCI or
 * Docker v2 schema 2; schema 1 refused), every referenced blob or child manifest present
 * in the repository. Bytes are stored (durably) before the metadata, so a crash in between
 * leaves only unreferenced content. Returns the record, whose `subject` the route announces.
 */
export async function pushManifest(ctx: RegistryContext, push: ManifestPush): Promise<ManifestRecord> {
  const { repo, reference, raw } = push;
  const digest = digestOf(raw, reference.kind === 'digest' ? algorithmOf(reference.digest) : 'sha256');
  if (reference.kind === 'digest' && digest !== reference.digest) {
    throw new BosunError('REGISTRY_SERVE_DIGEST_INVALID', `manifest hashes to ${digest}, not ${reference.digest}`);
  }
  let parsed: ParsedManifest;
  try {
    parsed = parseManifest(raw, `manifest for "${repo}"`, push.contentType);
  } catch (err) {
    if (err instanceof BosunError) throw new BosunError('REGISTRY_SERVE_MANIFEST_INVALID', err.message, { cause: err });
    throw err;
  }
  const descriptors = referenced(parsed);
  const held = await Promise.all(descriptors.map((d) => checkReference(ctx, repo, d)));
  // Checked again inside putManifest's transaction, against a GC sweep racing this push.
  const refs = [...new Set(descriptors.filter((_d, i) => held[i]).map((d) => d.digest))];
  const key = blobKey(digest);
  const record = recordOf(repo, digest, raw, parsed);
  await contentGuard(ctx.blobs).use(digest, async () => {
    if (!(await ctx.blobs.stat(key))) await ctx.blobs.put(key, Readable.from([raw]));
    await ctx.meta.putManifest(record, reference.kind === 'tag' ? reference.tag : undefined, refs);
  });
  ctx.cache.set(digest, raw);
  return record;
}
