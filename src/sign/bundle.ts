import { bundleFromJSON, bundleToJSON } from '@sigstore/bundle';
import type { Bundle } from '@sigstore/bundle';
import { BosunError } from '../errors.js';
import { signLimits } from './limits.js';
import { readFileCapped } from './read-file.js';

/**
 * Parses a Sigstore bundle (media types v0.1–v0.3). Counts are checked on the raw JSON before
 * any decoding, so a bundle with thousands of tlog entries, timestamps, certificates or DSSE
 * signatures is refused at once rather than verified entry by entry. Throws SIGN_BUNDLE_INVALID.
 */
export function parseBundle(raw: Uint8Array, what = 'bundle'): Bundle {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', `${what} is not JSON`, { cause: err });
  }
  assertCounts(json, what);
  try {
    return bundleFromJSON(json);
  } catch (err) {
    throw new BosunError('SIGN_BUNDLE_INVALID', `${what} is not a valid Sigstore bundle: ${(err as Error).message}`, { cause: err });
  }
}

function lengthAt(obj: unknown, path: readonly string[]): number {
  let cur: unknown = obj;
  for (const key of path) {
    if (typeof cur !== 'object' || cur === null) return 0;
    cur = (cur as Record<string, unknown>)[key];
  }
  return Array.isArray(cur) ? cur.length : 0;
}

function assertCounts(json: unknown, what: string): void {
  const lists: ReadonlyArray<readonly string[]> = [
    ['verificationMaterial', 'tlogEntries'],
    ['verificationMaterial', 'timestampVerificationData', 'rfc3161Timestamps'],
    ['verificationMaterial', 'x509CertificateChain', 'certificates'],
    ['dsseEnvelope', 'signatures'],
  ];
  for (const path of lists) {
    const n = lengthAt(json, path);
    if (n > signLimits.entries) throw new BosunError('SIGN_BUNDLE_INVALID', `${what}: ${path.join('.')} has ${n} items, more than the ${signLimits.entries} bosun accepts`);
  }
}

/** Reads and parses a bundle file (size-capped). */
export async function loadBundle(path: string): Promise<Bundle> {
  return parseBundle(await readFileCapped(path, signLimits.bundleBytes, 'bundle'), `bundle '${path}'`);
}

/** Serialises a bundle as the canonical protobuf-JSON text cosign and sigstore-js write. */
export function serializeBundle(bundle: Bundle): string {
  return `${JSON.stringify(bundleToJSON(bundle))}\n`;
}
