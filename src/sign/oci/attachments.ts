import { z } from 'zod';
import { BosunError, isBosunError } from '../../errors.js';
import { isDigest, type Digest } from '../../oci/digest.js';
import type { Repository } from '../../oci/remote/index.js';
import type { Descriptor } from '../../oci/types.js';
import { parseBundle } from '../bundle.js';
import { cosignLayout, cosignTag } from '../cosign.js';
import { envelopeToJson, parseEnvelope } from '../dsse.js';
import { signLimits } from '../limits.js';
import type { SignatureMaterial } from '../verify-image.js';

/** Signatures (`.sig`, cosign-sign bundles) or attestations (`.att`, other bundles). */
export type AttachmentKind = 'signature' | 'attestation';

/** Where one item came from: a layer of a cosign tag, or a bundle referrer manifest. */
export interface AttachmentSource {
  readonly layout: 'legacy' | 'referrer';
  /** The `.sig`/`.att` tag or the referrer manifest digest. */
  readonly where: string;
  /** Layer annotations (legacy) or referrer manifest annotations; unsigned, for display. */
  readonly annotations: Readonly<Record<string, string>>;
}

/** The manifests read for an image: what is attached, before any blob is fetched. */
export interface Listing {
  readonly subject: Digest;
  readonly kind: AttachmentKind;
  /** Layers of the `.sig` / `.att` manifest, with the tag they came from. */
  readonly legacy: ReadonlyArray<{ readonly tag: string; readonly layer: Descriptor }>;
  /** Bundle referrer manifests of the wanted kind. */
  readonly referrers: readonly Descriptor[];
  /** The digests of the manifests read (`.sig`/`.att` manifest, referrers index): a cache key part. */
  readonly state: readonly string[];
}

/** What was found for an image: the material to verify (same order as `sources`) and what could not be read. */
export interface Attachments {
  readonly material: SignatureMaterial[];
  readonly sources: AttachmentSource[];
  readonly unreadable: Array<{ readonly where: string; readonly code: string; readonly message: string }>;
}

/** The predicateType cosign 3.x uses for image signatures stored as bundles. */
export const COSIGN_SIGN_PREDICATE_TYPE = 'https://sigstore.dev/cosign/sign/v1';
const predicateAnnotation = 'dev.sigstore.bundle.predicateType';
/** Attachment blobs fetched at once. */
const fetchConcurrency = 4;

const layerSchema = z.object({
  mediaType: z.string().max(256),
  digest: z.string().refine(isDigest, 'digest'),
  size: z.number().int().nonnegative(),
  annotations: z.record(z.string(), z.string()).optional(),
}).loose();
const manifestSchema = z.object({ layers: z.array(layerSchema) }).loose();

function parseLayers(raw: Buffer, what: string): Descriptor[] {
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not JSON`, { cause: err });
  }
  const parsed = manifestSchema.safeParse(doc);
  if (!parsed.success) throw new BosunError('OCI_MANIFEST_INVALID', `${what}: not an image manifest`, { cause: parsed.error });
  return parsed.data.layers as Descriptor[];
}

function tooMany(count: number, subject: Digest): BosunError {
  return new BosunError('LIMIT_EXCEEDED', `${subject} has ${count} or more attached signatures/attestations, more than the ${signLimits.imageAttachments} bosun considers`);
}

// Bundles of the wanted kind, by the referrer's predicateType annotation; unannotated ones are
// read for both kinds and sorted out after verification by their signed statement.
function wantReferrer(desc: Descriptor, kind: AttachmentKind): boolean {
  if (desc.artifactType !== cosignLayout.bundleArtifactType) return false;
  const type = desc.annotations?.[predicateAnnotation];
  if (type === undefined) return true;
  return kind === 'signature' ? type === COSIGN_SIGN_PREDICATE_TYPE : type !== COSIGN_SIGN_PREDICATE_TYPE;
}

async function listLegacy(repo: Repository, subject: Digest, kind: AttachmentKind): Promise<{ items: Listing['legacy']; state: string[] }> {
  const tag = cosignTag(subject, kind === 'signature' ? 'sig' : 'att');
  const manifest = await repo.manifest(tag);
  if (!manifest) return { items: [], state: [] };
  const layers = parseLayers(manifest.raw, tag);
  if (layers.length > signLimits.imageAttachments) throw tooMany(layers.length, subject);
  return { items: layers.map((layer) => ({ tag, layer })), state: [`${tag}@${manifest.digest}`] };
}

async function listReferrers(repo: Repository, subject: Digest, kind: AttachmentKind): Promise<{ items: Descriptor[]; state: string[] }> {
  const found = await repo.referrers(subject);
  if (found.source === 'none') return { items: [], state: [] };
  return { items: found.manifests.filter((d) => wantReferrer(d, kind)), state: [`referrers(${found.source}):${found.manifests.map((m) => m.digest).join(',')}`] };
}

/**
 * Lists what is attached to `subject` in both layouts: the cosign tag (`sha256-<hex>.sig` /
 * `.att`) and Sigstore bundle referrers (referrers API, else the `sha256-<hex>` tag index).
 * More than `signLimits.imageAttachments` items over both layouts is LIMIT_EXCEEDED, before
 * any blob is fetched (CVE-2023-46737).
 */
export async function listAttachments(repo: Repository, subject: Digest, kind: AttachmentKind): Promise<Listing> {
  // Both layouts are read at once (one round trip less); `state` keeps a fixed order.
  const [legacy, referrers] = await Promise.all([listLegacy(repo, subject, kind), listReferrers(repo, subject, kind)]);
  const count = legacy.items.length + referrers.items.length;
  if (count > signLimits.imageAttachments) throw tooMany(count, subject);
  return { subject, kind, legacy: legacy.items, referrers: referrers.items, state: [...legacy.state, ...referrers.state] };
}

async function readReferrer(repo: Repository, desc: Descriptor): Promise<Buffer> {
  const manifest = await repo.manifest(desc.digest);
  if (!manifest) throw new BosunError('OCI_MANIFEST_UNKNOWN', `referrer ${desc.digest} is listed but missing`);
  const layer = parseLayers(manifest.raw, `referrer ${desc.digest}`).find((l) => l.mediaType === cosignLayout.bundleArtifactType);
  if (!layer) throw new BosunError('SIGN_BUNDLE_INVALID', `referrer ${desc.digest} has no Sigstore bundle layer`);
  return repo.blob(layer, signLimits.bundleBytes);
}

/**
 * Fetches the blobs of a listing. Each blob is refused by its declared size before it is
 * fetched and capped as it streams (CVE-2024-29902/-29903: huge attachments); bundles are
 * counted on the raw JSON before decoding (CVE-2024-45395). An item that cannot be read goes to
 * `unreadable`, so one hostile attachment cannot hide the others.
 */
export async function fetchAttachments(repo: Repository, listing: Listing): Promise<Attachments> {
  const cap = listing.kind === 'signature' ? signLimits.signaturePayloadBytes : signLimits.envelopeBytes;
  type Read = { where: string; read: () => Promise<{ material: SignatureMaterial; source: AttachmentSource }> };
  const reads: Read[] = [
    ...listing.legacy.map(({ tag, layer }): Read => ({
      where: `${tag} layer ${layer.digest}`,
      read: async () => {
        const annotations = layer.annotations ?? {};
        const material: SignatureMaterial = { kind: 'legacy', payload: await repo.blob(layer, cap), annotations, mediaType: layer.mediaType };
        return { material, source: { layout: 'legacy', where: tag, annotations } };
      },
    })),
    ...listing.referrers.map((desc): Read => ({
      where: `referrer ${desc.digest}`,
      read: async () => ({
        material: { kind: 'bundle', bundle: parseBundle(await readReferrer(repo, desc), `referrer ${desc.digest}`) },
        source: { layout: 'referrer', where: desc.digest, annotations: desc.annotations ?? {} },
      }),
    })),
  ];
  const out: Attachments = { material: [], sources: [], unreadable: [] };
  // A few blobs at a time: latency overlaps without opening a connection per attachment.
  for (let i = 0; i < reads.length; i += fetchConcurrency) {
    const settled = await Promise.allSettled(reads.slice(i, i + fetchConcurrency).map((r) => r.read()));
    settled.forEach((s, j) => {
      if (s.status === 'fulfilled') {
        out.material.push(s.value.material);
        out.sources.push(s.value.source);
      } else if (isBosunError(s.reason)) {
        out.unreadable.push({ where: reads[i + j]!.where, code: s.reason.code, message: s.reason.message });
      } else {
        throw s.reason;
      }
    });
  }
  return out;
}

/** The DSSE envelope of an attestation (a `.att` layer or a DSSE bundle) as cosign prints it. */
export function envelopeOf(m: SignatureMaterial): Record<string, unknown> | undefined {
  if (m.kind === 'legacy') {
    if (m.mediaType !== cosignLayout.dsseMediaType) return undefined;
    return envelopeToJson(parseEnvelope(m.payload, 'cosign attestation layer'));
  }
  if (m.bundle.content.$case !== 'dsseEnvelope') return undefined;
  const env = m.bundle.content.dsseEnvelope;
  return envelopeToJson({ payloadType: env.payloadType, payload: env.payload, signatures: env.signatures.map((s) => ({ keyid: s.keyid, sig: s.sig })) });
}
