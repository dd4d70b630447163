import { parseArtifactArg } from './artifact.js';
import { loadBundle } from './bundle.js';
import type { IdentityPolicy } from './identity.js';
import { loadPublicKey } from './keys/load.js';
import { loadTrustedRoot } from './trusted-root.js';
import type { VerifiedBundle } from './verify.js';
import { verifyBundle } from './verify.js';
import { BosunError } from '../errors.js';

/**
 * Arguments of `verify-bundle` in the sigstore-conformance CLI protocol
 * (sigstore/sigstore-conformance docs/cli_protocol.md). `staging` selects Sigstore's staging
 * instance, which needs TUF; bosun is offline here, so a trusted root must be given.
 */
export interface ConformanceVerifyArgs {
  readonly bundle: string;
  readonly fileOrDigest: string;
  readonly certificateIdentity?: string;
  readonly certificateOidcIssuer?: string;
  readonly key?: string;
  readonly trustedRoot?: string;
  readonly staging?: boolean;
}

/**
 * Runs one conformance verification: exact identity and issuer (the protocol passes exact
 * values), or a managed key. Throws any SIGN_* code on failure.
 */
export async function conformanceVerify(args: ConformanceVerifyArgs): Promise<VerifiedBundle> {
  if (!args.trustedRoot) {
    throw new BosunError('INPUT_INVALID', `bosun's conformance client is offline: pass --trusted-root (the ${args.staging ? 'staging' : 'production'} root is not fetched over TUF)`);
  }
  const trustedRoot = await loadTrustedRoot(args.trustedRoot);
  const bundle = await loadBundle(args.bundle);
  const artifact = await parseArtifactArg(args.fileOrDigest);
  if (args.key) {
    return verifyBundle(bundle, { artifact, trustedRoot, key: await loadPublicKey(args.key) });
  }
  if (args.certificateIdentity === undefined || args.certificateOidcIssuer === undefined) {
    throw new BosunError('INPUT_INVALID', 'verify-bundle needs --certificate-identity and --certificate-oidc-issuer, or --key');
  }
  const identity: IdentityPolicy = {
    subject: { kind: 'exact', value: args.certificateIdentity },
    issuer: { kind: 'exact', value: args.certificateOidcIssuer },
  };
  return verifyBundle(bundle, { artifact, trustedRoot, identity });
}
