import { z } from 'zod';
import { BosunError } from '../../errors.js';
import { digestOf, type Digest } from '../../oci/digest.js';
import { MediaTypes } from '../../oci/media-types.js';
import type { Repository } from '../../oci/remote/index.js';
import { parseReferrersIndex, referrersTag } from '../../oci/remote/index.js';
import type { Descriptor } from '../../oci/types.js';
import { cosignLayout } from '../cosign.js';

/** Read-modify-write attempts on one tag before giving up with REGISTRY_CONFLICT. */
const maxAttempts = 5;

/** One layer to add to a cosign `.sig` / `.att` manifest: its blob and its annotations. */
export interface LegacyLayer {
  readonly blob: Buffer;
  readonly mediaType: string;
  readonly annotations: Readonly<Record<string, string>>;
  /**
   * Whether an existing layer already says what this one says (cosign's duplicate detection:
   * same payload, signature valid for the same key). ECDSA signatures differ on every run, so
   * byte equality alone would append a new layer each time the same key signs again.
   */
  readonly duplicates?: (existing: { readonly digest: string; readonly annotations: Readonly<Record<string, string>> }) => boolean;
}

const layerSchema = z.object({ mediaType: z.string(), digest: z.string(), size: z.number(), annotations: z.record(z.string(), z.string()).optional() }).loose();
const manifestSchema = z.object({ layers: z.array(layerSchema) }).loose();
type LayerDesc = z.infer<typeof layerSchema>;

const emptyJson = Buffer.from('{}');

function sameLayer(a: LayerDesc, b: LayerDesc): boolean {
  return a.digest === b.digest && JSON.stringify(a.annotations ?? {}) === JSON.stringify(b.annotations ?? {});
}

function existingLayers(raw: Buffer | undefined, tag: string): LayerDesc[] {
  if (!raw) return [];
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${tag}: not JSON`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) throw new BosunError('OCI_MANIFEST_INVALID', `${tag}: not an image manifest`, { cause: parsed.error });
  return parsed.data.layers;
}

// cosign's signature image config: an empty image whose diff_ids are the layer digests.
function signatureConfig(layers: readonly LayerDesc[]): Buffer {
  const config = {
    architecture: '', created: '0001-01-01T00:00:00Z', history: [{ created: '0001-01-01T00:00:00Z' }], os: '',
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.digest) }, config: {},
  };
  return Buffer.from(JSON.stringify(config));
}

async function signatureManifest(repo: Repository, layers: readonly LayerDesc[]): Promise<Buffer> {
  const config = await repo.pushBlob(signatureConfig(layers), MediaTypes.ociConfig);
  return Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociManifest, config, layers }));
}

/**
 * Appends `layer` to the cosign manifest under `tag` (`sha256-<hex>.sig` / `.att`), keeping every
 * layer already there (other signers' signatures are never dropped). Distribution has no
 * compare-and-swap, so each attempt re-reads the tag just before the PUT (and sends If-Match for
 * registries that honour it), then reads it back: if a concurrent writer replaced the manifest
 * without our layer, the loop merges again. Returns the new manifest's digest.
 * Throws REGISTRY_CONFLICT after `maxAttempts`, OCI_MANIFEST_INVALID, REGISTRY_*.
 */
export async function appendLegacyLayer(repo: Repository, tag: string, layer: LegacyLayer): Promise<Digest> {
  const blob = await repo.pushBlob(layer.blob, layer.mediaType);
  const mine: LayerDesc = { mediaType: layer.mediaType, size: blob.size, digest: blob.digest, annotations: { ...layer.annotations } };
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const before = await repo.manifest(tag);
    const layers = existingLayers(before?.raw, tag);
    if (layers.some((l) => sameLayer(l, mine) || layer.duplicates?.({ digest: l.digest, annotations: l.annotations ?? {} }))) return before!.digest;
    const raw = await signatureManifest(repo, [...layers, mine]);
    if ((await repo.manifest(tag))?.digest !== before?.digest) continue;
    const pushed = await repo.pushManifest(tag, raw, MediaTypes.ociManifest, before?.digest);
    const after = await repo.manifest(tag);
    if (after && existingLayers(after.raw, tag).some((l) => sameLayer(l, mine))) return pushed.descriptor.digest;
  }
  throw new BosunError('REGISTRY_CONFLICT', `${tag}: the signature manifest kept changing while bosun appended to it`);
}

/** The OCI 1.1 referrer annotations cosign's bundle spec defines. */
export function bundleAnnotations(predicateType: string, created: Date): Record<string, string> {
  return {
    'dev.sigstore.bundle.content': 'dsse-envelope',
    'dev.sigstore.bundle.predicateType': predicateType,
    'org.opencontainers.image.created': created.toISOString(),
  };
}

/**
 * Stores a Sigstore bundle as an OCI 1.1 referrer of `subject`: the bundle blob, an empty
 * config, and a manifest with the bundle artifactType and `subject`. When the registry does
 * not confirm referrers support (no `OCI-Subject` header on the PUT), the referrer is also added
 * to the tag-schema index `sha256-<hex>` (read-modify-write, like `appendLegacyLayer`).
 * Returns the referrer manifest's descriptor.
 */
export async function attachBundleReferrer(repo: Repository, subject: Descriptor, bundleJson: Buffer, annotations: Record<string, string>): Promise<Descriptor> {
  const layer = await repo.pushBlob(bundleJson, cosignLayout.bundleArtifactType);
  const config = await repo.pushBlob(emptyJson, MediaTypes.ociEmpty);
  const manifest = {
    schemaVersion: 2, mediaType: MediaTypes.ociManifest, artifactType: cosignLayout.bundleArtifactType,
    config, layers: [layer], subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size }, annotations,
  };
  const raw = Buffer.from(JSON.stringify(manifest));
  const pushed = await repo.pushManifest(digestOf(raw), raw, MediaTypes.ociManifest);
  const desc: Descriptor = { ...pushed.descriptor, artifactType: cosignLayout.bundleArtifactType, annotations };
  if (!pushed.subject) await addToReferrersTag(repo, subject.digest, desc);
  return desc;
}

async function addToReferrersTag(repo: Repository, subject: Digest, desc: Descriptor): Promise<void> {
  const tag = referrersTag(subject);
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const before = await repo.manifest(tag);
    const current = before ? parseReferrersIndex(before.raw, tag) : [];
    if (current.some((d) => d.digest === desc.digest)) return;
    const raw = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MediaTypes.ociIndex, manifests: [...current, desc] }));
    if ((await repo.manifest(tag))?.digest !== before?.digest) continue;
    await repo.pushManifest(tag, raw, MediaTypes.ociIndex, before?.digest);
    const after = await repo.manifest(tag);
    if (after && parseReferrersIndex(after.raw, tag).some((d) => d.digest === desc.digest)) return;
  }
  throw new BosunError('REGISTRY_CONFLICT', `${tag}: the referrers index kept changing while bosun added to it`);
}
