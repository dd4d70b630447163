import type { Readable } from 'node:stream';
import { BosunError } from '../../errors.js';
import { readAll } from '../../oci/read-all.js';
import type { RemoteOptions } from '../../oci/remote/index.js';
import { identityPolicy } from '../identity.js';
import { predicateTypeFor } from '../intoto.js';
import { loadPrivateKey, loadPublicKey } from '../keys/load.js';
import type { PasswordSource } from '../keys/password.js';
import { signLimits } from '../limits.js';
import { readFileCapped } from '../read-file.js';
import { loadTrustedRoot } from '../trusted-root.js';
import type { ImageTrustPolicy } from '../verify-image.js';
import { createKeylessSigner, hasKeylessFlags } from '../keyless/create.js';
import type { KeylessFlags } from '../keyless/create.js';
import type { KeylessSigner } from '../keyless/signer.js';
import type { ImageSigner } from './layout-signer.js';
import type { BundleFormat, SignedImage } from './sign-image.js';
import { attestImage, signImage } from './sign-image.js';
import type { ImageVerificationReport } from './verify-ref.js';
import { verifyAttestationRef, verifyImageRef } from './verify-ref.js';

/**
 * Options of `bosun sign` / `bosun attest` as the CLI hands them over. With `key`, key signing;
 * without, keyless (the `KeylessFlags`: token, service URLs, trusted root).
 */
export interface SignCommandOptions extends KeylessFlags {
  /** Private key: a file path or `env://VAR`. */
  readonly key?: string;
  readonly password: PasswordSource;
  readonly bundleFormat?: string;
  /** `k=v` strings. */
  readonly annotations?: readonly string[];
  /**
   * cosign's `--tlog-upload`. Key signatures are offline in bosun (only false); keyless ones
   * always get a Rekor entry (only true). Unset takes the one that fits.
   */
  readonly tlogUpload?: boolean;
  readonly remote?: RemoteOptions;
  readonly env?: NodeJS.ProcessEnv;
}

/** Options of `bosun verify` / `bosun verify-attestation`. */
export interface VerifyCommandOptions {
  readonly key?: string;
  readonly certificateIdentity?: string;
  readonly certificateIdentityRegexp?: string;
  readonly certificateOidcIssuer?: string;
  readonly certificateOidcIssuerRegexp?: string;
  readonly trustedRoot?: string;
  readonly annotations?: readonly string[];
  readonly remote?: RemoteOptions;
  readonly env?: NodeJS.ProcessEnv;
}

/** Parses `-a k=v` flags. Throws SIGN_ANNOTATION_INVALID. */
export function parseAnnotations(list: readonly string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new BosunError('SIGN_ANNOTATION_INVALID', `annotation '${item}' is not key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

function bundleFormat(v: string | undefined): BundleFormat {
  if (v === undefined || v === 'legacy' || v === 'referrers' || v === 'both') return v ?? 'both';
  throw new BosunError('INPUT_INVALID', `--bundle-format must be legacy, referrers or both, not '${v}'`);
}

async function imageSigner(opts: SignCommandOptions): Promise<ImageSigner | KeylessSigner> {
  if (opts.key === undefined) {
    if (opts.tlogUpload === false) throw new BosunError('INPUT_INVALID', 'keyless signing always records the signature in Rekor: drop --tlog-upload=false, or sign with --key');
    return createKeylessSigner(opts);
  }
  if (hasKeylessFlags(opts)) throw new BosunError('INPUT_INVALID', '--key excludes --identity-token, --fulcio-url, --rekor-url and --timestamp-server-url');
  if (opts.tlogUpload === true) throw new BosunError('INPUT_INVALID', 'bosun signs with keys offline and has no Rekor client for them: pass --tlog-upload=false (the default), or sign keylessly');
  return loadPrivateKey(opts.key, { password: opts.password, ...(opts.env ? { env: opts.env } : {}) });
}

async function signer(opts: SignCommandOptions) {
  const annotations = parseAnnotations(opts.annotations);
  const format = bundleFormat(opts.bundleFormat);
  return {
    signer: await imageSigner(opts),
    bundleFormat: format,
    annotations,
    ...(opts.remote ? { remote: opts.remote } : {}),
  };
}

/** `bosun sign [--key K | keyless flags] IMAGE`. */
export async function signCommand(image: string, opts: SignCommandOptions): Promise<SignedImage> {
  return signImage(image, await signer(opts));
}

/**
 * Reads a predicate: a file, or stdin for '-'. It must be a JSON object, at most
 * `signLimits.dssePayloadBytes`. Throws SIGN_PREDICATE_INVALID, LIMIT_EXCEEDED, IO_FAILED.
 */
export async function readPredicate(path: string, stdin: () => Readable): Promise<Record<string, unknown>> {
  const raw = path === '-' ? await readAll(stdin(), signLimits.dssePayloadBytes, 'predicate on stdin') : await readFileCapped(path, signLimits.dssePayloadBytes, 'predicate');
  let doc: unknown;
  try {
    doc = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new BosunError('SIGN_PREDICATE_INVALID', `predicate ${path === '-' ? 'on stdin' : `'${path}'`} is not JSON`, { cause: err });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw new BosunError('SIGN_PREDICATE_INVALID', 'the predicate must be a JSON object');
  return doc as Record<string, unknown>;
}

/** `bosun attest [--key K | keyless flags] --predicate F --type T IMAGE`. */
export async function attestCommand(image: string, type: string, predicate: Record<string, unknown>, opts: SignCommandOptions): Promise<SignedImage> {
  return attestImage(image, predicateTypeFor(type), predicate, await signer(opts));
}

async function trustPolicy(opts: VerifyCommandOptions): Promise<ImageTrustPolicy> {
  const hasIdentity = [opts.certificateIdentity, opts.certificateIdentityRegexp, opts.certificateOidcIssuer, opts.certificateOidcIssuerRegexp].some((v) => v !== undefined);
  if (opts.key !== undefined && hasIdentity) throw new BosunError('INPUT_INVALID', '--key and --certificate-* options exclude each other');
  if (opts.key === undefined && !hasIdentity) throw new BosunError('INPUT_INVALID', 'pass --key, or --certificate-identity(-regexp) with --certificate-oidc-issuer(-regexp)');
  const trustedRoot = opts.trustedRoot ? await loadTrustedRoot(opts.trustedRoot) : undefined;
  const root = trustedRoot ? { trustedRoot } : {};
  if (opts.key !== undefined) return { key: await loadPublicKey(opts.key, opts.env), ...root };
  const identity = identityPolicy({
    ...(opts.certificateIdentity === undefined ? {} : { identity: opts.certificateIdentity }),
    ...(opts.certificateIdentityRegexp === undefined ? {} : { identityRegexp: opts.certificateIdentityRegexp }),
    ...(opts.certificateOidcIssuer === undefined ? {} : { issuer: opts.certificateOidcIssuer }),
    ...(opts.certificateOidcIssuerRegexp === undefined ? {} : { issuerRegexp: opts.certificateOidcIssuerRegexp }),
  });
  return { identity, ...root };
}

/** `bosun verify IMAGE`. */
export async function verifyCommand(image: string, opts: VerifyCommandOptions): Promise<ImageVerificationReport> {
  return verifyImageRef(image, { policy: await trustPolicy(opts), annotations: parseAnnotations(opts.annotations), ...(opts.remote ? { remote: opts.remote } : {}) });
}

/** `bosun verify-attestation --type T IMAGE`. */
export async function verifyAttestationCommand(image: string, type: string, opts: VerifyCommandOptions): Promise<ImageVerificationReport> {
  if (opts.annotations?.length) throw new BosunError('INPUT_INVALID', '-a filters apply to signatures (bosun verify), not attestations');
  return verifyAttestationRef(image, predicateTypeFor(type), { policy: await trustPolicy(opts), ...(opts.remote ? { remote: opts.remote } : {}) });
}

/** The human summary `bosun verify` prints on stderr. */
export function describeReport(r: ImageVerificationReport, what: 'signature' | 'attestation'): string {
  const lines = [`Verification for ${r.reference}@${r.digest} --`, `${r.verified.length} ${what}(s) verified; ${r.rejected.length} found but not accepted.`];
  for (const v of r.verified) {
    const who = v.signer.kind === 'certificate' ? `certificate ${v.signer.subject ?? '?'} (issuer ${v.signer.issuer ?? '?'})` : 'the given key';
    lines.push(`  ✓ ${v.layout === 'legacy' ? 'cosign tag' : 'referrer'} ${v.where}: signed by ${who}${v.transparencyChecked ? ', transparency log checked' : ''}`);
  }
  for (const x of r.rejected) lines.push(`  ✗ ${x.where}: ${x.code}`);
  if (r.verified.some((v) => !v.transparencyChecked)) lines.push('note: no --trusted-root, so transparency-log entries and timestamps were not checked (key-based signatures from bosun have none).');
  return `${lines.join('\n')}\n`;
}
