import { TrustedRoot } from '@sigstore/protobuf-specs';
import { BosunError } from '../errors.js';
import { signLimits } from './limits.js';
import { readFileCapped } from './read-file.js';

const TRUSTED_ROOT_MEDIA_TYPE = /^application\/vnd\.dev\.sigstore\.trustedroot(\.v0\.\d+)?\+json(;version=0\.\d+)?$/;

/**
 * Parses a Sigstore `trusted_root.json`. Beyond what `@sigstore/verify` checks, every
 * authority (transparency logs, CT logs, CAs, TSAs) must state the START of its validity:
 * the protobuf spec makes `TimeRange.start` required, and @sigstore/verify 3.x silently
 * treats a missing start as "since the epoch", which widens trust (conformance case
 * `trust-root-tlog-missing-validity-start_fail`). Throws SIGN_TRUSTED_ROOT_INVALID.
 */
export function parseTrustedRoot(raw: Uint8Array, what = 'trusted root'): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what} is not JSON`, { cause: err });
  }
  if (typeof json !== 'object' || json === null) throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what} is not a JSON object`);
  const mediaType = (json as { mediaType?: unknown }).mediaType;
  if (typeof mediaType !== 'string' || !TRUSTED_ROOT_MEDIA_TYPE.test(mediaType)) {
    throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what} has media type '${String(mediaType)}', not a Sigstore trusted root`);
  }
  let root: TrustedRoot;
  try {
    root = TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what} is not a valid trusted root`, { cause: err });
  }
  assertValidityStarts(root, what);
  return root;
}

function assertValidityStarts(root: TrustedRoot, what: string): void {
  const missing: string[] = [];
  const count = root.tlogs.length + root.ctlogs.length + root.certificateAuthorities.length + root.timestampAuthorities.length;
  if (count > 4 * signLimits.entries) throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what} lists ${count} authorities, more than bosun accepts`);
  root.tlogs.forEach((t, i) => t.publicKey?.validFor?.start || missing.push(`tlogs[${i}] (${t.baseUrl})`));
  root.ctlogs.forEach((t, i) => t.publicKey?.validFor?.start || missing.push(`ctlogs[${i}] (${t.baseUrl})`));
  root.certificateAuthorities.forEach((c, i) => c.validFor?.start || missing.push(`certificateAuthorities[${i}] (${c.uri})`));
  root.timestampAuthorities.forEach((c, i) => c.validFor?.start || missing.push(`timestampAuthorities[${i}] (${c.uri})`));
  if (missing.length > 0) {
    throw new BosunError('SIGN_TRUSTED_ROOT_INVALID', `${what}: authorities without a validity start: ${missing.join(', ')}`);
  }
}

/** Reads and parses a trusted root file (size-capped). */
export async function loadTrustedRoot(path: string): Promise<TrustedRoot> {
  return parseTrustedRoot(await readFileCapped(path, signLimits.trustedRootBytes, 'trusted root'), `trusted root '${path}'`);
}
