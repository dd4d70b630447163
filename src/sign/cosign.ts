import type { Bundle, TransparencyLogEntry } from '@sigstore/bundle';
import { BUNDLE_V01_MEDIA_TYPE } from '@sigstore/bundle';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import type { Digest } from '../oci/digest.js';
import { algorithmOf, hexOf } from '../oci/digest.js';
import { parseEnvelope } from './dsse.js';
import { parsePem } from './keys/pem.js';

/**
 * cosign's registry layout, as data. The registry client fetches; this module names and decodes.
 *
 * ```
 * <repo>:sha256-<hex>.sig    image manifest, one layer per signature
 *   layer (simplesigning)    blob = payload; annotations = signature [+ certificate, chain, bundle]
 * <repo>:sha256-<hex>.att    one layer per attestation; blob = DSSE envelope (in-toto)
 * <repo>@referrers/<digest>  OCI 1.1 referrer, artifactType = Sigstore bundle v0.3; blob = bundle
 * ```
 */
export const cosignLayout = {
  simpleSigningMediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  dsseMediaType: 'application/vnd.dsse.envelope.v1+json',
  bundleArtifactType: 'application/vnd.dev.sigstore.bundle.v0.3+json',
  annotations: {
    signature: 'dev.cosignproject.cosign/signature',
    certificate: 'dev.sigstore.cosign/certificate',
    chain: 'dev.sigstore.cosign/chain',
    bundle: 'dev.sigstore.cosign/bundle',
    rfc3161Timestamp: 'dev.sigstore.cosign/rfc3161timestamp',
  },
} as const;

/** The tag cosign stores signatures (`sig`), attestations (`att`) or SBOMs (`sbom`) under. */
export function cosignTag(digest: Digest, kind: 'sig' | 'att' | 'sbom'): string {
  return `${algorithmOf(digest)}-${hexOf(digest)}.${kind}`;
}

/**
 * One layer of a `.sig` or `.att` manifest: its blob, its annotations, and its media type
 * (simple-signing payload, or a DSSE envelope for attestations).
 */
export interface LegacySignature {
  readonly payload: Buffer;
  readonly annotations: Readonly<Record<string, string>>;
  readonly mediaType?: string;
}

// cosign's `bundle.RekorBundle` (the `dev.sigstore.cosign/bundle` annotation).
const rekorBundleSchema = z.object({
  SignedEntryTimestamp: z.string().min(1),
  Payload: z.object({
    body: z.string().min(1).max(1 << 20),
    integratedTime: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    logIndex: z.union([z.number().int(), z.string().regex(/^\d+$/)]),
    logID: z.string().regex(/^[0-9a-f]{64}$/),
  }),
});

function tlogEntryFrom(annotation: string): TransparencyLogEntry {
  let parsed;
  try {
    parsed = rekorBundleSchema.parse(JSON.parse(annotation));
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', 'cosign Rekor bundle annotation is malformed', { cause: err });
  }
  const body = Buffer.from(parsed.Payload.body, 'base64');
  const head = z.object({ kind: z.string(), apiVersion: z.string() }).safeParse(JSON.parse(body.toString('utf8')));
  if (!head.success) throw new BosunError('SIGN_BUNDLE_INVALID', 'cosign Rekor entry body has no kind/apiVersion');
  return {
    logIndex: String(parsed.Payload.logIndex),
    logId: { keyId: Buffer.from(parsed.Payload.logID, 'hex') },
    kindVersion: { kind: head.data.kind, version: head.data.apiVersion },
    integratedTime: String(parsed.Payload.integratedTime),
    inclusionPromise: { signedEntryTimestamp: Buffer.from(parsed.SignedEntryTimestamp, 'base64') },
    inclusionProof: undefined,
    canonicalizedBody: body,
  };
}

const rfc3161Schema = z.object({ SignedRFC3161Timestamp: z.string().min(1).max(64 * 1024) });

// cosign's `bundle.RFC3161Timestamp` annotation: a TSA response over the signature.
function timestampsFrom(annotation: string | undefined): Array<{ signedTimestamp: Buffer }> {
  if (annotation === undefined) return [];
  try {
    return [{ signedTimestamp: Buffer.from(rfc3161Schema.parse(JSON.parse(annotation)).SignedRFC3161Timestamp, 'base64') }];
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', 'cosign RFC 3161 timestamp annotation is malformed', { cause: err });
  }
}

/**
 * Converts a legacy `.sig` layer into a v0.1 Sigstore bundle over the payload, so one verifier
 * handles both layouts. Only the leaf certificate is carried: the chain must come from the
 * trusted root, never from the registry. An RFC 3161 timestamp annotation becomes a bundle
 * timestamp. Throws SIGN_BUNDLE_INVALID.
 */
export function legacyToBundle(sig: LegacySignature): Bundle {
  const a = sig.annotations;
  const certPem = a[cosignLayout.annotations.certificate];
  const rekor = a[cosignLayout.annotations.bundle];
  const leaf = certPem ? parsePem(certPem, 'cosign certificate annotation') : undefined;
  if (leaf && leaf.label !== 'CERTIFICATE') throw new BosunError('SIGN_BUNDLE_INVALID', 'cosign certificate annotation is not a certificate');
  return {
    mediaType: BUNDLE_V01_MEDIA_TYPE,
    verificationMaterial: {
      content: leaf ? { $case: 'x509CertificateChain', x509CertificateChain: { certificates: [{ rawBytes: leaf.der }] } } : { $case: 'publicKey', publicKey: { hint: '' } },
      tlogEntries: rekor ? [tlogEntryFrom(rekor)] : [],
      timestampVerificationData: { rfc3161Timestamps: timestampsFrom(a[cosignLayout.annotations.rfc3161Timestamp]) },
    },
    content: legacyContent(sig),
  };
}

function legacyContent(sig: LegacySignature): Bundle['content'] {
  if (sig.mediaType === cosignLayout.dsseMediaType) {
    // cosign `.att` layers: the blob is the envelope; the signature annotation is empty.
    const env = parseEnvelope(sig.payload, 'cosign attestation layer');
    if (env.signatures.length !== 1) throw new BosunError('SIGN_BUNDLE_INVALID', `cosign attestation envelope has ${env.signatures.length} signatures, not 1`);
    const signatures = env.signatures.map((s) => ({ sig: s.sig, keyid: s.keyid ?? '' }));
    return { $case: 'dsseEnvelope', dsseEnvelope: { payloadType: env.payloadType, payload: env.payload, signatures } };
  }
  const sigB64 = sig.annotations[cosignLayout.annotations.signature];
  if (!sigB64) throw new BosunError('SIGN_BUNDLE_INVALID', `signature layer has no '${cosignLayout.annotations.signature}' annotation`);
  const digest = createHash('sha256').update(sig.payload).digest();
  return { $case: 'messageSignature', messageSignature: { messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest }, signature: Buffer.from(sigB64, 'base64') } };
}
