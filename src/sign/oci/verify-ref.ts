import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { formatReference, identifierOf, parseReference } from '../../oci/reference.js';
import { Repository } from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import { parseSimpleSigning } from '../simple-signing.js';
import type { ImageTrustPolicy, ImageVerification, SignatureMaterial } from '../verify-image.js';
import { verifyImageAttestations, verifyImageSignatures } from '../verify-image.js';
import type { AttachmentKind, AttachmentSource, Attachments, Listing } from './attachments.js';
import { COSIGN_SIGN_PREDICATE_TYPE, envelopeOf, fetchAttachments, listAttachments } from './attachments.js';
import { VerificationCache, policyHash } from './cache.js';

/** Options for `verifyImageRef` / `verifyAttestationRef`. */
export interface VerifyImageOptions {
  readonly policy: ImageTrustPolicy;
  /** `-a k=v`: every pair must be in the signed payload (simple-signing `optional`, or the sign statement's `predicate.annotations`). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly remote?: RemoteOptions;
  /** Reuse results across calls (a server verifying many images); see `VerificationCache`. */
  readonly cache?: VerificationCache<ImageVerificationReport>;
  /** Reuse registry sessions across calls, keyed by `registry/repository`. */
  readonly sessions?: Map<string, Repository>;
}

/** One verified signature or attestation. */
export interface VerifiedItem {
  readonly layout: AttachmentSource['layout'];
  readonly where: string;
  readonly signer: { readonly kind: 'key' | 'certificate'; readonly subject?: string; readonly issuer?: string };
  readonly transparencyChecked: boolean;
  /** The signed payload: the simple-signing document or the in-toto statement. */
  readonly payload: unknown;
  /** The DSSE envelope as cosign prints it (attestations). */
  readonly envelope?: Record<string, unknown>;
}

/** The outcome for one image. `rejected` lists items that were found but did not count. */
export interface ImageVerificationReport {
  readonly reference: string;
  readonly digest: Digest;
  readonly verified: readonly VerifiedItem[];
  readonly rejected: ReadonlyArray<{ readonly where: string; readonly code: string; readonly message: string }>;
}

function repositoryFor(image: string, opts: VerifyImageOptions): { repo: Repository; name: string; id: string } {
  const ref = parseReference(image);
  const key = `${ref.registry}/${ref.repository}`;
  let repo = opts.sessions?.get(key);
  if (!repo) {
    repo = new Repository(ref.registry, ref.repository, 'pull', opts.remote ?? {});
    opts.sessions?.set(key, repo);
  }
  return { repo, name: formatReference(ref), id: ref.digest ?? identifierOf(ref) };
}

function isSimpleSigning(payload: unknown): boolean {
  try {
    parseSimpleSigning(Buffer.from(JSON.stringify(payload)));
    return true;
  } catch {
    return false;
  }
}

function signedAnnotations(item: VerifiedItem): Record<string, unknown> {
  const p = item.payload as { optional?: unknown; predicate?: { annotations?: unknown } };
  const bag = item.layout === 'legacy' ? p.optional : p.predicate?.annotations;
  return typeof bag === 'object' && bag !== null ? (bag as Record<string, unknown>) : {};
}

function toItems(result: ImageVerification, material: readonly SignatureMaterial[], sources: readonly AttachmentSource[]): VerifiedItem[] {
  return result.verified.map((v) => {
    const m = material[v.index]!;
    const envelope = envelopeOf(m);
    return {
      layout: sources[v.index]!.layout,
      where: sources[v.index]!.where,
      signer: { kind: v.kind, ...(v.subject ? { subject: v.subject } : {}), ...(v.issuer ? { issuer: v.issuer } : {}) },
      transparencyChecked: v.transparencyChecked,
      payload: v.statement ?? (m.kind === 'legacy' ? JSON.parse(m.payload.toString('utf8')) : undefined),
      ...(envelope ? { envelope } : {}),
    };
  });
}

/** What to verify in the attachments of one digest. */
export type AttachedCheck =
  | { readonly kind: 'signature'; readonly annotations?: Readonly<Record<string, string>> }
  | { readonly kind: 'attestation'; readonly predicateType: string };

/**
 * Lists and fetches what is attached to `digest` in both layouts (cosign tags and bundle
 * referrers): the signature material `verifyAttached` checks, and the manifest `state` that
 * names it. Throws LIMIT_EXCEEDED, OCI_*, REGISTRY_*.
 */
export async function readAttached(repo: Repository, digest: Digest, kind: AttachmentKind): Promise<Attachments & { readonly state: readonly string[] }> {
  const listing: Listing = await listAttachments(repo, digest, kind);
  return { ...(await fetchAttachments(repo, listing)), state: listing.state };
}

function signatureFilter(want: Readonly<Record<string, string>>): (item: VerifiedItem) => string | undefined {
  return (item) => {
    const statement = item.payload as { predicateType?: string };
    if (item.layout === 'referrer' && statement.predicateType !== COSIGN_SIGN_PREDICATE_TYPE) return `referrer is an attestation ('${statement.predicateType ?? ''}'), not a signature`;
    if (item.layout === 'legacy' && (item.envelope || !isSimpleSigning(item.payload))) return 'a .sig layer must be a simple-signing payload';
    const have = signedAnnotations(item);
    const missing = Object.entries(want).filter(([k, v]) => have[k] !== v);
    return missing.length ? `annotations not matched: ${missing.map(([k, v]) => `${k}=${v}`).join(', ')}` : undefined;
  };
}

/**
 * Verifies attachments read for `digest` (see `readAttached`) under `policy`: the one check
 * behind `bosun verify`, `bosun verify-attestation` and the admission webhook. Signatures must
 * be simple-signing `.sig` layers or cosign-sign bundles carrying every wanted annotation;
 * attestations must be statements about `digest` of exactly `predicateType`. `name` is for
 * messages. Throws SIGN_NO_SIGNATURES (nothing attached), SIGN_VERIFY_FAILED (nothing passes),
 * SIGN_PREDICATE_TYPE_MISMATCH, LIMIT_EXCEEDED.
 */
export async function verifyAttached(name: string, digest: Digest, found: Attachments, policy: ImageTrustPolicy, check: AttachedCheck): Promise<ImageVerificationReport> {
  const noun = check.kind === 'signature' ? 'signatures' : 'attestations';
  if (found.material.length === 0 && found.unreadable.length > 0) {
    throw new BosunError('SIGN_VERIFY_FAILED', `none of the ${found.unreadable.length} ${noun} for ${name}@${digest} can be read: ${found.unreadable.map((u) => `${u.code} (${u.message})`).join('; ')}`);
  }
  if (found.material.length === 0) throw new BosunError('SIGN_NO_SIGNATURES', `no ${noun} found for ${name}@${digest}`);
  const result = check.kind === 'signature' ? await verifyImageSignatures(digest, found.material, policy) : await verifyImageAttestations(digest, found.material, policy, check.predicateType);
  const filter = check.kind === 'signature' ? signatureFilter(check.annotations ?? {}) : () => undefined;
  const rejected = [...found.unreadable, ...result.rejected.map((r) => ({ where: found.sources[r.index]!.where, code: r.code, message: r.message }))];
  const verified: VerifiedItem[] = [];
  for (const item of toItems(result, found.material, found.sources)) {
    const why = filter(item);
    if (why) rejected.push({ where: item.where, code: 'SIGN_VERIFY_FAILED', message: why });
    else verified.push(item);
  }
  if (verified.length === 0) throw new BosunError('SIGN_VERIFY_FAILED', `none of the ${found.material.length} ${noun} for ${name}@${digest} passes: ${rejected.map((r) => `${r.code} (${r.message})`).join('; ')}`);
  return { reference: name, digest, verified, rejected };
}

async function run(image: string, check: AttachedCheck, opts: VerifyImageOptions): Promise<ImageVerificationReport> {
  const { repo, name, id } = repositoryFor(image, opts);
  const policy = opts.cache ? policyHash(opts.policy, { ...check }) : '';
  const recent = opts.cache?.getRecent(name, policy);
  if (recent) return recent;
  const digest = await repo.resolve(id);
  const listing: Listing = await listAttachments(repo, digest, check.kind);
  const verify = async (): Promise<ImageVerificationReport> => verifyAttached(name, digest, await fetchAttachments(repo, listing), opts.policy, check);
  if (!opts.cache) return verify();
  return opts.cache.getOrCompute(VerificationCache.key(digest, listing.state, policy), verify, { recent: { reference: name, policy } });
}

/**
 * `bosun verify IMAGE`: resolves IMAGE, reads its `.sig` signatures and cosign-sign bundle
 * referrers, and returns those that verify under `opts.policy`, name this digest, and carry
 * every `-a` annotation. Throws SIGN_NO_SIGNATURES (nothing attached), SIGN_VERIFY_FAILED
 * (nothing passes), LIMIT_EXCEEDED, OCI_*, REGISTRY_*.
 */
export async function verifyImageRef(image: string, opts: VerifyImageOptions): Promise<ImageVerificationReport> {
  return run(image, { kind: 'signature', annotations: opts.annotations ?? {} }, opts);
}

/**
 * `bosun verify-attestation --type T IMAGE`: like `verifyImageRef` over `.att` layers and
 * attestation bundle referrers; only statements about this digest whose predicateType is
 * exactly `predicateType` count (SIGN_PREDICATE_TYPE_MISMATCH when some verify but none has it).
 */
export async function verifyAttestationRef(image: string, predicateType: string, opts: VerifyImageOptions): Promise<ImageVerificationReport> {
  return run(image, { kind: 'attestation', predicateType }, opts);
}
