import { BosunError } from '../errors.js';
import { loadBundle } from './bundle.js';
import { identityPolicy } from './identity.js';
import { loadPublicKey } from './keys/load.js';
import { loadTrustedRoot } from './trusted-root.js';
import type { VerifiedBundle } from './verify.js';
import { verifyBundle } from './verify.js';

/** cosign `verify-blob` options bosun supports (bundle flow only). */
export interface VerifyBlobOptions {
  readonly bundle: string;
  /** Public key file or `env://VAR`; excludes the identity options. */
  readonly key?: string;
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly certificateOidcIssuerRegexp?: string;
  /** trusted_root.json; required for keyless (bosun does not fetch TUF metadata here). */
  readonly trustedRoot?: string;
  readonly env?: NodeJS.ProcessEnv;
}

/**
 * `bosun verify-blob`: verifies FILE against a Sigstore bundle with a key or a keyless identity
 * policy (anchored regexps). Returns what verified; throws the codes of `verifyBundle`.
 */
export async function verifyBlob(file: string, opts: VerifyBlobOptions): Promise<VerifiedBundle> {
  const hasIdentity = [opts.certificateIdentity, opts.certificateIdentityRegexp, opts.certificateOidcIssuer, opts.certificateOidcIssuerRegexp].some((v) => v !== undefined);
  if (opts.key !== undefined && hasIdentity) throw new BosunError('INPUT_INVALID', '--key and --certificate-* options exclude each other');
  if (opts.key === undefined && !hasIdentity) throw new BosunError('INPUT_INVALID', 'pass --key, or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp)');
  const bundle = await loadBundle(opts.bundle);
  const trustedRoot = opts.trustedRoot ? await loadTrustedRoot(opts.trustedRoot) : undefined;
  const artifact = { kind: 'file', path: file } as const;
  const base = { artifact, ...(trustedRoot ? { trustedRoot } : {}) };
  if (opts.key !== undefined) return verifyBundle(bundle, { ...base, key: await loadPublicKey(opts.key, opts.env) });
  const identity = identityPolicy({
    ...(opts.certificateIdentity === undefined ? {} : { identity: opts.certificateIdentity }),
    ...(opts.certificateIdentityRegexp === undefined ? {} : { identityRegexp: opts.certificateIdentityRegexp }),
    ...(opts.certificateOidcIssuer === undefined ? {} : { issuer: opts.certificateOidcIssuer }),
    ...(opts.certificateOidcIssuerRegexp === undefined ? {} : { issuerRegexp: opts.certificateOidcIssuerRegexp }),
  });
  return verifyBundle(bundle, { ...base, identity });
}
