import { parseArtifactArg } from './artifact.js';
import { loadBundle } from './bundle.js';
import type { IdentityPolicy } from './identity.js';
import { loadPublicKey } from './keys/load.js';
import { loadTrustedRoot } from './trusted-root.js';
import type { VerifiedBundle } from './verify.js';
import { verifyBundle } from './verify.js';
import { z } from 'zod';
import { BosunError } from '../errors.js';
import { signLimits } from './limits.js';
import { readFileCapped } from './read-file.js';
import { signBlob } from './sign-blob.js';

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

/** Arguments of `sign-bundle` in the sigstore-conformance CLI protocol. */
export interface ConformanceSignArgs {
  readonly identityToken: string;
  readonly bundle: string;
  readonly file: string;
  readonly staging?: boolean;
  readonly trustedRoot?: string;
  /** A `signing_config.json` (v0.2): where Fulcio, Rekor and the TSAs are. */
  readonly signingConfig?: string;
}

const stagingUrls = { fulcioUrl: 'https://fulcio.sigstage.dev', rekorUrl: 'https://rekor.sigstage.dev' } as const;

const serviceSchema = z.object({ url: z.string().url(), majorApiVersion: z.number().int().optional() }).loose();
const signingConfigSchema = z.object({
  mediaType: z.string().regex(/^application\/vnd\.dev\.sigstore\.signingconfig\.v0\.2\+json$/),
  caUrls: z.array(serviceSchema).max(signLimits.entries).default([]),
  rekorTlogUrls: z.array(serviceSchema).max(signLimits.entries).default([]),
  tsaUrls: z.array(serviceSchema).max(signLimits.entries).default([]),
}).loose();

// bosun's Rekor client speaks the v1 API; a config listing only Rekor v2 logs cannot be used.
async function servicesFrom(path: string): Promise<{ fulcioUrl?: string; rekorUrl?: string; timestampServerUrl?: string }> {
  const raw = await readFileCapped(path, signLimits.trustedRootBytes, 'signing config');
  let config: z.infer<typeof signingConfigSchema>;
  try {
    config = signingConfigSchema.parse(JSON.parse(raw.toString('utf8')));
  } catch (err) {
    throw new BosunError('INPUT_INVALID', `signing config '${path}' is not a Sigstore signing config v0.2`, { cause: err });
  }
  const v1 = (list: ReadonlyArray<z.infer<typeof serviceSchema>>) => list.find((s) => (s.majorApiVersion ?? 1) === 1)?.url;
  const fulcioUrl = v1(config.caUrls);
  const rekorUrl = v1(config.rekorTlogUrls);
  const timestampServerUrl = config.tsaUrls[0]?.url;
  if (!rekorUrl) throw new BosunError('INPUT_INVALID', `signing config '${path}' lists no Rekor v1 log, the only API bosun signs with`);
  return { rekorUrl, ...(fulcioUrl ? { fulcioUrl } : {}), ...(timestampServerUrl ? { timestampServerUrl: timestampServerUrl.replace(/\/api\/v1\/timestamp\/?$/, '') } : {}) };
}

/**
 * Runs one conformance signing: keyless, with the given token, against the public-good
 * instance, staging, or the services a signing config names; writes the bundle. Throws
 * INPUT_INVALID and the SIGN_KEYLESS_* codes.
 */
export async function conformanceSign(args: ConformanceSignArgs): Promise<void> {
  const services = args.signingConfig ? await servicesFrom(args.signingConfig) : args.staging ? stagingUrls : {};
  await signBlob(args.file, {
    identityToken: args.identityToken, bundlePath: args.bundle, password: () => Promise.resolve(new Uint8Array()), env: {},
    ...services, ...(args.trustedRoot ? { trustedRoot: args.trustedRoot } : {}),
  });
}
