import type { KeyObject } from 'node:crypto';
import { BosunError } from '../../errors.js';
import type { Digest } from '../../oci/digest.js';
import { formatReference, parseReference, type Reference } from '../../oci/reference.js';
import * as remote from '../../oci/remote/index.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import type { Descriptor } from '../../oci/types.js';
import { digestOf } from '../../oci/digest.js';
import { signData, verifyData } from '../algorithms.js';
import { serializeBundle } from '../bundle.js';
import { cosignLayout, cosignTag } from '../cosign.js';
import { envelopeToJson, signEnvelope } from '../dsse.js';
import { IN_TOTO_PAYLOAD_TYPE, buildStatement } from '../intoto.js';
import type { Statement } from '../intoto.js';
import { signStatementWithKey } from '../sign-blob.js';
import { buildSimpleSigning } from '../simple-signing.js';
import { COSIGN_SIGN_PREDICATE_TYPE } from './attachments.js';
import { appendLegacyLayer, attachBundleReferrer, bundleAnnotations } from './attach.js';

/** Where signatures go: cosign 2.x / Kyverno's tags, cosign 3.x's referrer bundles, or both. */
export type BundleFormat = 'legacy' | 'referrers' | 'both';

/** The key pair an image is signed with (see `loadPrivateKey`). */
export interface ImageSigner {
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

/** Options shared by `signImage` and `attestImage`. */
export interface SignImageOptions {
  readonly signer: ImageSigner;
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

async function writeReferrer(t: Target, statement: Statement, opts: SignImageOptions): Promise<Descriptor> {
  const bundle = signStatementWithKey(statement, opts.signer.privateKey, opts.signer.publicKey);
  const json = Buffer.from(serializeBundle(bundle));
  return attachBundleReferrer(t.repo, t.subject, json, bundleAnnotations(statement.predicateType, opts.now ?? new Date()));
}

/**
 * `bosun sign --key K IMAGE`: resolves IMAGE to a digest once and signs that digest. Legacy: a
 * simple-signing payload and its signature appended as a layer to `sha256-<hex>.sig`.
 * Referrers: a DSSE in-toto statement (predicateType `COSIGN_SIGN_PREDICATE_TYPE`) in a v0.3
 * bundle attached as an OCI 1.1 referrer. Key signing is offline: no Rekor entry is made.
 */
export async function signImage(image: string, opts: SignImageOptions): Promise<SignedImage> {
  const t = await target(image, opts);
  const format = opts.bundleFormat ?? 'both';
  const optional = opts.annotations && Object.keys(opts.annotations).length > 0 ? { ...opts.annotations } : undefined;
  let legacy: SignedImage['legacy'];
  if (format !== 'referrers') {
    const payload = buildSimpleSigning(repositoryName(t.ref), t.subject.digest, optional);
    const signature = signData(opts.signer.privateKey, payload).toString('base64');
    const tag = cosignTag(t.subject.digest, 'sig');
    const sigKey = cosignLayout.annotations.signature;
    const duplicates = (l: { digest: string; annotations: Readonly<Record<string, string>> }) =>
      l.digest === digestOf(payload) && verifyData(opts.signer.publicKey, payload, Buffer.from(l.annotations[sigKey] ?? '', 'base64'));
    const manifest = await appendLegacyLayer(t.repo, tag, { blob: payload, mediaType: cosignLayout.simpleSigningMediaType, annotations: { [sigKey]: signature }, duplicates });
    legacy = { tag, manifest };
  }
  const referrer = format === 'legacy' ? undefined : await writeReferrer(t, statementFor(t, COSIGN_SIGN_PREDICATE_TYPE, optional ? { annotations: optional } : {}), opts);
  return { reference: formatReference(t.ref), digest: t.subject.digest, ...(legacy ? { legacy } : {}), ...(referrer ? { referrer } : {}) };
}

/**
 * `bosun attest --key K --predicate F --type T IMAGE`: an in-toto Statement v1 about the image
 * digest, signed as a DSSE envelope and stored as a `sha256-<hex>.att` layer (with cosign's
 * `predicateType` annotation) and/or a v0.3 bundle referrer.
 */
export async function attestImage(image: string, predicateType: string, predicate: Record<string, unknown>, opts: SignImageOptions): Promise<SignedImage> {
  const t = await target(image, opts);
  const format = opts.bundleFormat ?? 'both';
  const statement = statementFor(t, predicateType, predicate);
  let legacy: SignedImage['legacy'];
  if (format !== 'referrers') {
    const payload = Buffer.from(JSON.stringify(statement));
    const envelope = signEnvelope(IN_TOTO_PAYLOAD_TYPE, payload, opts.signer.privateKey);
    const blob = Buffer.from(JSON.stringify(envelopeToJson(envelope)));
    const tag = cosignTag(t.subject.digest, 'att');
    // cosign writes an empty signature annotation on `.att` layers: the envelope carries it.
    const annotations = { [cosignLayout.annotations.signature]: '', predicateType, ...(opts.annotations ?? {}) };
    legacy = { tag, manifest: await appendLegacyLayer(t.repo, tag, { blob, mediaType: cosignLayout.dsseMediaType, annotations }) };
  }
  const referrer = format === 'legacy' ? undefined : await writeReferrer(t, statement, opts);
  return { reference: formatReference(t.ref), digest: t.subject.digest, ...(legacy ? { legacy } : {}), ...(referrer ? { referrer } : {}) };
}
