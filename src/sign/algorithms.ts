import { sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/**
 * The hash node:crypto must use with `key`, as Sigstore pairs them: SHA-256 for P-256 and RSA,
 * SHA-384 for P-384, none (pure EdDSA) for Ed25519.
 */
export function hashFor(key: KeyObject): 'sha256' | 'sha384' | null {
  if (key.asymmetricKeyType === 'ed25519') return null;
  if (key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'secp384r1') return 'sha384';
  return 'sha256';
}

/** Signs `data` with `key` (ECDSA signatures are ASN.1 DER, as cosign writes them). */
export function signData(key: KeyObject, data: Uint8Array): Buffer {
  return sign(hashFor(key), data, key);
}

/** True when `signature` over `data` verifies with `key`; never throws on malformed signatures. */
export function verifyData(key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  try {
    return verify(hashFor(key), data, key, signature);
  } catch {
    return false;
  }
}
