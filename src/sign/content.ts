import { timingSafeEqual, createHash } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { p256, p384 } from '@noble/curves/nist';
import type { Envelope, MessageSignature } from '@sigstore/protobuf-specs';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import type { SignedEntity } from '@sigstore/verify';

type SignatureContent = SignedEntity['signature'];
import { hashFor, verifyData } from './algorithms.js';
import type { ArtifactDigests } from './artifact.js';
import { pae } from './dsse.js';

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The uncompressed SEC1 point of an EC public key, for noble's pre-hashed verify. */
function ecPoint(key: KeyObject): Uint8Array {
  const jwk = key.export({ format: 'jwk' });
  const x = Buffer.from(jwk.x ?? '', 'base64url');
  const y = Buffer.from(jwk.y ?? '', 'base64url');
  return Buffer.concat([Buffer.from([4]), x, y]);
}

/**
 * ECDSA verification of a signature over an already computed digest. node:crypto always hashes
 * its input, so verifying against `sha256:<hex>` alone (the conformance digest mode, and
 * streaming large blobs) needs a pre-hashed verify; noble does that. High-S signatures are
 * accepted, as Go's crypto/ecdsa (cosign) accepts them.
 */
export function verifyPrehashed(key: KeyObject, digest: Uint8Array, signature: Uint8Array): boolean {
  const curve = key.asymmetricKeyDetails?.namedCurve;
  const impl = curve === 'prime256v1' ? p256 : curve === 'secp384r1' ? p384 : undefined;
  if (key.asymmetricKeyType !== 'ec' || !impl) return false;
  try {
    return impl.verify(signature, digest, ecPoint(key), { prehash: false, lowS: false, format: 'der' });
  } catch {
    return false;
  }
}

const DIGEST_NAME: Partial<Record<HashAlgorithm, 'sha256' | 'sha384' | 'sha512'>> = {
  [HashAlgorithm.SHA2_256]: 'sha256',
  [HashAlgorithm.SHA2_384]: 'sha384',
  [HashAlgorithm.SHA2_512]: 'sha512',
};

/** The hash a message signature's digest claims to use, or undefined when bosun does not support it. */
export function messageDigestName(ms: MessageSignature): 'sha256' | 'sha384' | 'sha512' | undefined {
  return DIGEST_NAME[ms.messageDigest?.algorithm ?? HashAlgorithm.SHA2_256];
}

/**
 * A `messageSignature` bound to the artifact bosun hashed itself: the signature is checked over
 * the artifact's digest (pre-hashed ECDSA) or its bytes (Ed25519/RSA), never over the digest
 * the bundle claims.
 */
export class MessageContent implements SignatureContent {
  readonly signature: Buffer;
  private readonly claimed: Buffer;
  private readonly actual: Buffer;
  private readonly bytes: Buffer | undefined;
  private readonly hashName: 'sha256' | 'sha384' | 'sha512';

  constructor(ms: MessageSignature, hashName: 'sha256' | 'sha384' | 'sha512', artifact: ArtifactDigests) {
    this.hashName = hashName;
    this.signature = Buffer.from(ms.signature);
    this.claimed = Buffer.from(ms.messageDigest?.digest ?? []);
    this.actual = artifact[hashName] ?? Buffer.alloc(0);
    this.bytes = artifact.bytes;
  }

  compareSignature(signature: Buffer): boolean {
    return same(signature, this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return same(digest, this.claimed) && same(digest, this.actual);
  }

  verifySignature(key: KeyObject): boolean {
    // With the bytes at hand and the curve's own hash, OpenSSL checks the same equation ~40x
    // faster than noble (it also accepts high-S); otherwise only the pre-hashed check can run.
    if (key.asymmetricKeyType === 'ec' && this.bytes !== undefined && this.hashName === hashFor(key)) return verifyData(key, this.bytes, this.signature);
    if (key.asymmetricKeyType === 'ec') return verifyPrehashed(key, this.actual, this.signature);
    return this.bytes !== undefined && verifyData(key, this.bytes, this.signature);
  }
}

/**
 * How a tlog entry commits to a DSSE envelope. Rekor v1 `dsse`/`intoto` entries hash the
 * payload; Rekor v2 logs DSSE as `hashedrekord/0.0.2` over Hash(PAE(type, payload))
 * (rekor-v2 spec §6.1.4), which @sigstore/verify 3.x compares against the payload hash and so
 * rejects (conformance case `rekor2-dsse-happy-path`).
 */
export type DsseCommitment = 'payload' | 'pae';

/** A `dsseEnvelope` whose digest comparison follows the log entries' commitment. */
export class DsseContent implements SignatureContent {
  readonly signature: Buffer;
  private readonly message: Buffer;
  private readonly committed: Buffer;

  constructor(env: Envelope, commitment: DsseCommitment) {
    this.signature = Buffer.from(env.signatures[0]?.sig ?? []);
    this.message = pae(env.payloadType, env.payload);
    this.committed = createHash('sha256').update(commitment === 'pae' ? this.message : env.payload).digest();
  }

  compareSignature(signature: Buffer): boolean {
    return same(signature, this.signature);
  }

  compareDigest(digest: Buffer): boolean {
    return same(digest, this.committed);
  }

  verifySignature(key: KeyObject): boolean {
    return verifyData(key, this.message, this.signature);
  }
}
