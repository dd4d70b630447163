import { z } from 'zod';
import { BosunError } from '../errors.js';
import { isDigest, type Digest } from './digest.js';
import { limits } from './limits.js';
import { isImageManifest, isIndex, isSchema1, MediaTypes } from './media-types.js';
import type { Descriptor, ImageConfig, Index, Manifest, Platform } from './types.js';

// spec: image-spec manifest.md, image-index.md, descriptor.md; Docker image manifest v2 schema 2
const digestSchema = z.string().refine(isDigest, 'invalid digest').transform((s) => s as Digest);
const platformSchema = z.object({
  architecture: z.string().max(64),
  os: z.string().max(64),
  variant: z.string().max(64).optional(),
  'os.version': z.string().max(256).optional(),
  'os.features': z.array(z.string()).max(64).optional(),
});
const annotationsSchema = z.record(z.string(), z.string()).optional();
const descriptorSchema = z.object({
  mediaType: z.string().min(1).max(255),
  digest: digestSchema,
  size: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  urls: z.array(z.string()).max(64).optional(),
  annotations: annotationsSchema,
  platform: platformSchema.optional(),
  artifactType: z.string().max(255).optional(),
});
const manifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema).max(limits.layers),
  subject: descriptorSchema.optional(),
  artifactType: z.string().optional(),
  annotations: annotationsSchema,
});
const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  manifests: z.array(descriptorSchema).max(limits.indexEntries),
  subject: descriptorSchema.optional(),
  artifactType: z.string().optional(),
  annotations: annotationsSchema,
});
const configSchema = z
  .object({
    architecture: z.string(),
    os: z.string(),
    variant: z.string().optional(),
    created: z.string().optional(),
    author: z.string().optional(),
    config: z.any().optional(),
    rootfs: z.object({ type: z.string(), diff_ids: z.array(digestSchema).max(limits.layers) }),
    history: z.array(z.any()).max(10_000).optional(),
  })
  .loose();

export type ParsedManifest = { kind: 'manifest'; manifest: Manifest } | { kind: 'index'; index: Index };

function parseJson(raw: Uint8Array, what: string, max: number): unknown {
  if (raw.byteLength > max) {
    throw new BosunError('LIMIT_EXCEEDED', `${what}: ${raw.byteLength} bytes is over the ${max}-byte limit`);
  }
  try {
    return JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not valid JSON`, { cause: err });
  }
}

function zodMessage(err: z.ZodError): string {
  const first = err.issues[0];
  return first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid';
}

/**
 * Parses a manifest or index. `mediaType` is the type the source declared (Content-Type,
 * descriptor); when absent, the document's own `mediaType` field or its shape decides.
 * Throws OCI_MANIFEST_UNSUPPORTED for Docker schema 1, OCI_MANIFEST_INVALID otherwise.
 */
export function parseManifest(raw: Uint8Array, what: string, mediaType?: string): ParsedManifest {
  const doc = parseJson(raw, what, limits.manifestBytes);
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not a JSON object`);
  }
  const obj = doc as Record<string, unknown>;
  const declared = typeof obj.mediaType === 'string' ? obj.mediaType : undefined;
  if (obj.schemaVersion === 1 || (mediaType !== undefined && isSchema1(mediaType) && mediaType !== 'application/json')) {
    throw new BosunError('OCI_MANIFEST_UNSUPPORTED', `${what}: Docker image manifest schema 1 is deprecated and not supported`);
  }
  // A document whose own mediaType contradicts the declared one is ambiguous: refuse it
  // rather than guess (image-spec requires them to agree).
  if (declared && mediaType && mediaType !== 'application/json' && declared !== mediaType) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${what}: declared as ${mediaType} but says it is ${declared}`);
  }
  const type = declared ?? (mediaType !== 'application/json' ? mediaType : undefined);
  const looksIndex = type ? isIndex(type) : Array.isArray(obj.manifests);
  if (type && !isIndex(type) && !isImageManifest(type)) {
    throw new BosunError('OCI_MANIFEST_UNSUPPORTED', `${what}: unsupported manifest media type "${type}"`);
  }
  if (looksIndex) {
    const r = indexSchema.safeParse(doc);
    if (!r.success) throw new BosunError('OCI_MANIFEST_INVALID', `${what}: ${zodMessage(r.error)}`);
    return { kind: 'index', index: { ...r.data, schemaVersion: 2, mediaType: type ?? MediaTypes.ociIndex } as Index };
  }
  const r = manifestSchema.safeParse(doc);
  if (!r.success) throw new BosunError('OCI_MANIFEST_INVALID', `${what}: ${zodMessage(r.error)}`);
  return { kind: 'manifest', manifest: { ...r.data, schemaVersion: 2, mediaType: type ?? MediaTypes.ociManifest } as Manifest };
}

/** Parses an image config blob; throws OCI_CONFIG_INVALID or LIMIT_EXCEEDED. */
export function parseConfig(raw: Uint8Array, what: string): ImageConfig {
  if (raw.byteLength > limits.configBytes) {
    throw new BosunError('LIMIT_EXCEEDED', `${what}: ${raw.byteLength} bytes is over the ${limits.configBytes}-byte limit`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_CONFIG_INVALID', `${what}: not valid JSON`, { cause: err });
  }
  const r = configSchema.safeParse(doc);
  if (!r.success) throw new BosunError('OCI_CONFIG_INVALID', `${what}: ${zodMessage(r.error)}`);
  return r.data as ImageConfig;
}

/** Parses `os/arch[/variant]`; throws INPUT_INVALID. */
export function parsePlatform(s: string): Platform {
  const parts = s.split('/');
  if (parts.length < 2 || parts.length > 3 || parts.some((p) => !/^[a-z0-9._-]+$/i.test(p))) {
    throw new BosunError('INPUT_INVALID', `invalid platform "${s}": want os/arch[/variant], e.g. linux/arm64/v8`);
  }
  const [os, architecture, variant] = parts as [string, string, string | undefined];
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

// The variant a platform implies when none is written (containerd's normalisation).
function normalizedVariant(p: Platform): string | undefined {
  if (p.variant) return p.variant;
  if (p.architecture === 'arm64') return 'v8';
  if (p.architecture === 'arm') return 'v7';
  return undefined;
}

function platformMatches(want: Platform, have: Platform): boolean {
  if (want.os !== have.os || want.architecture !== have.architecture) return false;
  return want.variant === undefined || normalizedVariant(want) === normalizedVariant(have);
}

/**
 * Picks the manifest for `want` from an index. Without `want`: linux/amd64, else the only
 * image manifest. Attestation manifests (buildx's `unknown/unknown`) never count.
 * Throws OCI_PLATFORM_NOT_FOUND listing what the index has.
 */
export function selectPlatform(index: Index, want: Platform | undefined, what: string): Descriptor {
  const candidates = index.manifests.filter(
    (d) => (isImageManifest(d.mediaType) || isIndex(d.mediaType)) && d.platform?.os !== 'unknown',
  );
  const target = want ?? { os: 'linux', architecture: 'amd64' };
  const hit = candidates.find((d) => d.platform && platformMatches(target, d.platform));
  if (hit) return hit;
  if (!want && candidates.length === 1) return candidates[0]!;
  const have = candidates.map((d) => (d.platform ? formatPlatform(d.platform) : 'unspecified')).join(', ');
  throw new BosunError('OCI_PLATFORM_NOT_FOUND', `${what}: no manifest for platform ${formatPlatform(target)} (index has: ${have || 'none'})`);
}
