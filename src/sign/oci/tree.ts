import { z } from 'zod';
import { BosunError, isBosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { formatReference, identifierOf, parseReference } from '../../oci/reference.js';
import { Repository } from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import type { Descriptor } from '../../oci/types.js';
import { serializeBundle } from '../bundle.js';
import { cosignLayout, cosignTag } from '../cosign.js';
import { signLimits } from '../limits.js';
import { envelopeOf, fetchAttachments, listAttachments } from './attachments.js';

/** One cosign tag (`.sig`, `.att`, `.sbom`) and the layers it holds. */
export interface TreeTag {
  readonly kind: 'signatures' | 'attestations' | 'sboms';
  readonly tag: string;
  readonly manifest: Digest;
  readonly layers: ReadonlyArray<{ readonly digest: string; readonly mediaType: string; readonly size: number; readonly predicateType?: string }>;
}

/** Everything attached to an image: cosign tags and OCI 1.1 referrers grouped by artifactType. */
export interface ImageTree {
  readonly reference: string;
  readonly digest: Digest;
  readonly tags: readonly TreeTag[];
  readonly referrers: Readonly<Record<string, readonly Descriptor[]>>;
  readonly referrersSource: 'api' | 'tag' | 'none';
}

const layersSchema = z.object({ layers: z.array(z.object({ digest: z.string(), mediaType: z.string(), size: z.number(), annotations: z.record(z.string(), z.string()).optional() }).loose()).max(signLimits.imageAttachments * 10) }).loose();

function open(image: string, opts: RemoteOptions): { repo: Repository; name: string; id: string } {
  const ref = parseReference(image);
  return { repo: new Repository(ref.registry, ref.repository, 'pull', opts), name: formatReference(ref), id: ref.digest ?? identifierOf(ref) };
}

async function treeTag(repo: Repository, digest: Digest, kind: TreeTag['kind']): Promise<TreeTag | undefined> {
  const tag = cosignTag(digest, kind === 'signatures' ? 'sig' : kind === 'attestations' ? 'att' : 'sbom');
  const m = await repo.manifest(tag);
  if (!m) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(m.raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('OCI_MANIFEST_INVALID', `${tag}: not JSON`, { cause: err });
  }
  const parsed = layersSchema.safeParse(doc);
  if (!parsed.success) throw new BosunError('OCI_MANIFEST_INVALID', `${tag}: not an image manifest with at most ${signLimits.imageAttachments * 10} layers`, { cause: parsed.error });
  const layers = parsed.data.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size, ...(l.annotations?.predicateType ? { predicateType: l.annotations.predicateType } : {}) }));
  return { kind, tag, manifest: m.digest, layers };
}

/**
 * `bosun tree IMAGE`: what is attached to the image's digest (no blobs are fetched, nothing is
 * verified): the cosign `.sig`/`.att`/`.sbom` tags and every referrer by artifactType.
 */
export async function imageTree(image: string, opts: RemoteOptions = {}): Promise<ImageTree> {
  const { repo, name, id } = open(image, opts);
  const digest = await repo.resolve(id);
  const tags: TreeTag[] = [];
  for (const kind of ['signatures', 'attestations', 'sboms'] as const) {
    const t = await treeTag(repo, digest, kind);
    if (t) tags.push(t);
  }
  const found = await repo.referrers(digest);
  const referrers: Record<string, Descriptor[]> = {};
  for (const d of found.manifests) (referrers[d.artifactType ?? d.mediaType] ??= []).push(d);
  return { reference: name, digest, tags, referrers, referrersSource: found.source };
}

/** Renders a tree as text, one attachment per line. */
export function formatTree(t: ImageTree): string {
  const lines = [`Supply chain artifacts for ${t.reference}@${t.digest}`];
  if (t.tags.length === 0 && Object.keys(t.referrers).length === 0) lines.push('(none)');
  for (const tag of t.tags) {
    lines.push(`├── ${tag.kind} (tag ${tag.tag}, ${tag.manifest})`);
    for (const l of tag.layers) lines.push(`│   └── ${l.digest} ${l.predicateType ?? l.mediaType}`);
  }
  for (const [type, list] of Object.entries(t.referrers)) {
    lines.push(`├── referrers ${type} (${t.referrersSource === 'api' ? 'referrers API' : `tag ${t.digest.replace(':', '-')}`})`);
    for (const d of list) lines.push(`│   └── ${d.digest}${d.annotations?.['dev.sigstore.bundle.predicateType'] ? ` ${d.annotations['dev.sigstore.bundle.predicateType']}` : ''}`);
  }
  return `${lines.join('\n')}\n`;
}

// Annotations come from the registry: one that is not JSON is shown as null, not a crash.
function jsonOrNull(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

/**
 * `bosun download signature IMAGE`: the `.sig` layers as cosign prints them (one JSON object a
 * line: Base64Signature, Payload, Cert, Chain, Bundle, RFC3161Timestamp), then each signature
 * bundle referrer as its bundle JSON. Unverified: this shows what is there.
 */
export async function downloadSignatures(image: string, opts: RemoteOptions = {}): Promise<unknown[]> {
  const { repo, id } = open(image, opts);
  const digest = await repo.resolve(id);
  const found = await fetchAttachments(repo, await listAttachments(repo, digest, 'signature'));
  const a = cosignLayout.annotations;
  return found.material.map((m) => {
    if (m.kind === 'bundle') return JSON.parse(serializeBundle(m.bundle)) as unknown;
    return {
      Base64Signature: m.annotations[a.signature] ?? '',
      Payload: m.payload.toString('base64'),
      Cert: m.annotations[a.certificate] ?? null,
      Chain: m.annotations[a.chain] ?? null,
      Bundle: jsonOrNull(m.annotations[a.bundle]),
      RFC3161Timestamp: jsonOrNull(m.annotations[a.rfc3161Timestamp]),
    };
  });
}

/**
 * `bosun download attestation IMAGE`: each attestation's DSSE envelope (payloadType, payload,
 * signatures), from `.att` layers and bundle referrers; with `predicateType`, only those whose
 * layer or referrer annotation names it. Unverified; a layer that is not an envelope is skipped.
 */
export async function downloadAttestations(image: string, predicateType?: string, opts: RemoteOptions = {}): Promise<unknown[]> {
  const { repo, id } = open(image, opts);
  const digest = await repo.resolve(id);
  const found = await fetchAttachments(repo, await listAttachments(repo, digest, 'attestation'));
  const out: unknown[] = [];
  found.material.forEach((m, i) => {
    const notes = found.sources[i]!.annotations;
    const type = notes.predicateType ?? notes['dev.sigstore.bundle.predicateType'];
    if (predicateType !== undefined && type !== predicateType) return;
    try {
      const env = envelopeOf(m);
      if (env) out.push(env);
    } catch (err) {
      if (!isBosunError(err)) throw err;
    }
  });
  return out;
}
