import type { Bundle } from '@sigstore/bundle';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { formatReference, parseReference, type Reference } from '../../oci/reference.js';
import * as remote from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import type { Descriptor } from '../../oci/types.js';
import { serializeBundle } from '../bundle.js';
import { cosignTag } from '../cosign.js';
import { buildStatement } from '../intoto.js';
import type { Statement } from '../intoto.js';
import type { KeylessSigner } from '../keyless/signer.js';
import { buildSimpleSigning } from '../simple-signing.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from './attachments.js';
import { appendLegacyLayer, attachBundleReferrer, bundleAnnotations } from './attach.js';
import type { LegacyLayer } from './attach.js';
import { layoutSigner } from './layout-signer.js';
import type { ImageSigner } from './layout-signer.js';

/** Where signatures go: cosign 2.x / Kyverno's tags, cosign 3.x's referrer bundles, or both. */
export type BundleFormat = 'legacy' | 'referrers' | 'both';
export type { ImageSigner };

/** Options shared by `signImage` and `attestImage`. */
export interface SignImageOptions {
  /** A key pair, or a `KeylessSigner` (Fulcio + Rekor [+ TSA]). */
  readonly signer: ImageSigner | KeylessSigner;
  /** Default 'both'. */
  readonly bundleFormat?: BundleFormat;
  /** `-a k=v`: signed into the payload (simple-signing `optional`, or the statement predicate). */
  readonly annotations?: Readonly<Record<string, string>>;
  readonly remote?: RemoteOptions;
  /** The time recorded in referrer annotations (default now). */
  readonly now?: Date;
}

/** What was written: the signed digest and where each layout went. */
export interface SignedImage {
  readonly reference: string;
  readonly digest: Digest;
  /** The `.sig` / `.att` manifest digest after appending, when the legacy layout was written. */
  readonly legacy?: { readonly tag: string; readonly manifest: Digest };
  /** The referrer manifest, when the referrers layout was written. */
  readonly referrer?: Descriptor;
}

interface Target {
  readonly ref: Reference;
  readonly repo: remote.Repository;
  readonly subject: Descriptor;
}

// The tag is resolved once: everything after names the digest, so a tag moved mid-way cannot
// make bosun sign one image and attach the signature to another.
async function target(image: string, opts: SignImageOptions): Promise<Target> {
  const ref = parseReference(image);
  const subject = await remote.resolve(ref, opts.remote ?? {});
  if (!subject.digest.startsWith('sha256:')) throw new BosunError('OCI_DIGEST_INVALID', `${formatReference(ref)} resolves to ${subject.digest}; cosign layouts need sha256`);
  const repo = new remote.Repository(ref.registry, ref.repository, 'pull,push', opts.remote ?? {});
  return { ref, repo, subject };
}

function repositoryName(ref: Reference): string {
  return `${ref.registry}/${ref.repository}`;
}

function statementFor(t: Target, predicateType: string, predicate: Record<string, unknown>): Statement {
  return buildStatement([{ name: repositoryName(t.ref), digest: t.subject.digest }], predicateType, predicate);
}

/**
 * `bosun sign IMAGE`: resolves IMAGE to a digest once and signs that digest. Legacy: a
 * simple-signing payload and its signature appended as a layer to `sha256-<hex>.sig` (keyless:
 * with cosign's certificate, chain and Rekor bundle annotations). Referrers: a DSSE in-toto
 * statement (predicateType `COSIGN_SIGN_PREDICATE_TYPE`) in a v0.3 bundle attached as an OCI
 * 1.1 referrer. Every signature is made before anything is pushed. Key signing is offline (no
 * Rekor entry); keyless signing throws the SIGN_KEYLESS_* codes of `KeylessSigner`.
 */
export async function signImage(image: string, opts: SignImageOptions): Promise<SignedImage> {
  const t = await target(image, opts);
  const format = opts.bundleFormat ?? 'both';
  const optional = opts.annotations && Object.keys(opts.annotations).length > 0 ? { ...opts.annotations } : undefined;
  const signer = layoutSigner(opts.signer);
  const layer = format === 'referrers' ? undefined : await signer.signatureLayer(buildSimpleSigning(repositoryName(t.ref), t.subject.digest, optional));
  const statement = statementFor(t, COSIGN_SIGN_PREDICATE_TYPE, optional ? { annotations: optional } : {});
  const bundle = format === 'legacy' ? undefined : await signer.statementBundle(statement);
  return push(t, { layer, tag: cosignTag(t.subject.digest, 'sig'), bundle, predicateType: statement.predicateType }, opts);
}

/**
 * `bosun attest --predicate F --type T IMAGE`: an in-toto Statement v1 about the image digest,
 * signed as a DSSE envelope and stored as a `sha256-<hex>.att` layer (with cosign's
 * `predicateType` annotation) and/or a v0.3 bundle referrer. Keyless, one signature and one
 * Rekor entry serve both layouts.
 */
export async function attestImage(image: string, predicateType: string, predicate: Record<string, unknown>, opts: SignImageOptions): Promise<SignedImage> {
  const t = await target(image, opts);
  const format = opts.bundleFormat ?? 'both';
  const statement = statementFor(t, predicateType, predicate);
  const signer = layoutSigner(opts.signer);
  const signed = format === 'referrers' ? undefined : await signer.attestationLayer(statement);
  const layer = signed && { ...signed, annotations: { ...signed.annotations, predicateType, ...(opts.annotations ?? {}) } };
  const bundle = format === 'legacy' ? undefined : await signer.statementBundle(statement);
  return push(t, { layer, tag: cosignTag(t.subject.digest, 'att'), bundle, predicateType }, opts);
}

interface Signed {
  readonly layer: LegacyLayer | undefined;
  readonly tag: string;
  readonly bundle: Bundle | undefined;
  readonly predicateType: string;
}

async function push(t: Target, s: Signed, opts: SignImageOptions): Promise<SignedImage> {
  const legacy = s.layer ? { tag: s.tag, manifest: await appendLegacyLayer(t.repo, s.tag, s.layer) } : undefined;
  const annotations = bundleAnnotations(s.predicateType, opts.now ?? new Date());
  const referrer = s.bundle ? await attachBundleReferrer(t.repo, t.subject, Buffer.from(serializeBundle(s.bundle)), annotations) : undefined;
  return { reference: formatReference(t.ref), digest: t.subject.digest, ...(legacy ? { legacy } : {}), ...(referrer ? { referrer } : {}) };
}
