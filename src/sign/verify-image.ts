import type { KeyObject } from 'node:crypto';
import type { Bundle } from '@sigstore/bundle';
import type { TrustedRoot } from '@sigstore/protobuf-specs';
import { BosunError, isBosunError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { hexOf } from '../oci/digest.js';
import type { LegacySignature } from './cosign.js';
import { legacyToBundle } from './cosign.js';
import type { IdentityPolicy } from './identity.js';
import { signLimits } from './limits.js';
import { parseSimpleSigning } from './simple-signing.js';
import type { VerifiedBundle } from './verify.js';
import { verifyBundle } from './verify.js';

/**
 * Signature material the registry client found for an image: a layer of a cosign `.sig`
 * manifest, or a Sigstore bundle stored as an OCI 1.1 referrer / `.att` layer.
 */
export type SignatureMaterial = ({ readonly kind: 'legacy' } & LegacySignature) | { readonly kind: 'bundle'; readonly bundle: Bundle };

/** Trust for image verification: one public key or a keyless identity (with a trusted root). */
export interface ImageTrustPolicy {
  readonly key?: KeyObject;
  readonly identity?: IdentityPolicy;
  readonly trustedRoot?: TrustedRoot;
}

/** One verified signature and its index in the `found` list. */
export interface VerifiedSigner extends VerifiedBundle {
  readonly index: number;
}

/** The outcome: who verified, and why each other item did not (code per index). */
export interface ImageVerification {
  readonly verified: readonly VerifiedSigner[];
  readonly rejected: ReadonlyArray<{ readonly index: number; readonly code: string; readonly message: string }>;
}

/**
 * Verifies every item of `found` against `subject` (the image manifest digest) under `policy`.
 * Legacy signatures must sign a simple-signing payload naming `subject`; bundles must be DSSE
 * statements with `subject` among their subjects. Items that fail are reported, not thrown;
 * an empty `verified` list is SIGN_VERIFY_FAILED. More than `signLimits.imageAttachments` items is
 * LIMIT_EXCEEDED (a registry can list thousands; checking each costs real work: CVE-2023-46737).
 */
export async function verifyImageSignatures(subject: Digest, found: readonly SignatureMaterial[], policy: ImageTrustPolicy): Promise<ImageVerification> {
  if (found.length === 0) throw new BosunError('SIGN_VERIFY_FAILED', `no signatures found for ${subject}`);
  if (found.length > signLimits.imageAttachments) throw new BosunError('LIMIT_EXCEEDED', `${found.length} signatures for ${subject}, more than the ${signLimits.imageAttachments} bosun checks`);
  const verified: VerifiedSigner[] = [];
  const rejected: Array<{ index: number; code: string; message: string }> = [];
  for (const [index, item] of found.entries()) {
    try {
      verified.push({ ...(await verifyOne(subject, item, policy)), index });
    } catch (err) {
      if (!isBosunError(err)) throw err;
      rejected.push({ index, code: err.code, message: err.message });
    }
  }
  if (verified.length === 0) {
    throw new BosunError('SIGN_VERIFY_FAILED', `none of the ${found.length} signatures for ${subject} verifies: ${rejected.map((r) => r.code).join(', ')}`);
  }
  return { verified, rejected };
}

async function verifyOne(subject: Digest, item: SignatureMaterial, policy: ImageTrustPolicy): Promise<VerifiedBundle> {
  const trust = {
    ...(policy.key ? { key: policy.key } : {}),
    ...(policy.identity ? { identity: policy.identity } : {}),
    ...(policy.trustedRoot ? { trustedRoot: policy.trustedRoot } : {}),
  };
  const bundle = item.kind === 'bundle' ? item.bundle : legacyToBundle(item);
  if (bundle.content.$case === 'dsseEnvelope') {
    // An attestation: the in-toto statement must name the image (checked inside verifyBundle).
    return verifyBundle(bundle, { ...trust, artifact: { kind: 'digest', sha256: digestBytes(subject) } });
  }
  if (item.kind === 'bundle') throw new BosunError('SIGN_BUNDLE_INVALID', 'an image bundle must hold a DSSE statement naming the image');
  const result = await verifyBundle(bundle, { ...trust, artifact: { kind: 'bytes', bytes: item.payload } });
  const payload = parseSimpleSigning(item.payload);
  if (payload.manifestDigest !== subject) {
    throw new BosunError('SIGN_SUBJECT_MISMATCH', `signature is for ${payload.manifestDigest}, not ${subject}`);
  }
  return result;
}

/**
 * Verifies attestations (`.att` layers or referrer bundles) for `subject` and keeps those whose
 * predicateType is exactly `predicateType`. A validly signed attestation of another type never
 * counts (CVE-2022-35929): if some verified but none has the type, SIGN_PREDICATE_TYPE_MISMATCH.
 */
export async function verifyImageAttestations(subject: Digest, found: readonly SignatureMaterial[], policy: ImageTrustPolicy, predicateType: string): Promise<ImageVerification> {
  const all = await verifyImageSignatures(subject, found, policy);
  const notStatement = all.verified.filter((v) => !v.statement).map((v) => ({ index: v.index, code: 'SIGN_STATEMENT_INVALID', message: 'not an in-toto attestation' }));
  const wrongType = all.verified
    .filter((v) => v.statement && v.statement.predicateType !== predicateType)
    .map((v) => ({ index: v.index, code: 'SIGN_PREDICATE_TYPE_MISMATCH', message: `predicateType '${v.statement?.predicateType ?? ''}' is not '${predicateType}'` }));
  const verified = all.verified.filter((v) => v.statement?.predicateType === predicateType);
  const rejected = [...all.rejected, ...notStatement, ...wrongType].sort((a, b) => a.index - b.index);
  if (verified.length === 0) {
    throw new BosunError('SIGN_PREDICATE_TYPE_MISMATCH', `${all.verified.length} attestation(s) for ${subject} verified, none of type '${predicateType}'`);
  }
  return { verified, rejected };
}

function digestBytes(d: Digest): Buffer {
  if (!d.startsWith('sha256:')) throw new BosunError('OCI_DIGEST_INVALID', `image digest ${d} is not sha256; Sigstore bundles name images by sha256`);
  return Buffer.from(hexOf(d), 'hex');
}
