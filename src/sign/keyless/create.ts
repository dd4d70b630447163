import { BosunError } from '../../errors.js';
import { loadTrustedRoot } from '../trusted-root.js';
import { KeylessSigner } from './signer.js';
import { resolveIdentityToken } from './token.js';

/** cosign's keyless flags, as the CLI hands them over. */
export interface KeylessFlags {
  /** `--identity-token`: a JWT or a file holding one. */
  readonly identityToken?: string;
  readonly fulcioUrl?: string;
  readonly rekorUrl?: string;
  readonly timestampServerUrl?: string;
  /** `--trusted-root`: a trusted_root.json path; the signing result is verified against it. */
  readonly trustedRoot?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** For tests: the clock the token expiry is checked against (ms). */
  readonly now?: number;
}

/** True when any keyless-only flag is set (they make no sense with --key). */
export function hasKeylessFlags(f: KeylessFlags): boolean {
  return [f.identityToken, f.fulcioUrl, f.rekorUrl, f.timestampServerUrl].some((v) => v !== undefined);
}

function serviceUrl(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch (err) {
    throw new BosunError('INPUT_INVALID', `${flag} '${value}' is not a URL`, { cause: err });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new BosunError('INPUT_INVALID', `${flag} must be an http(s) URL, not '${url.protocol}'`);
  if (url.username || url.password) throw new BosunError('INPUT_INVALID', `${flag} must not carry credentials`);
  return value.replace(/\/+$/, '');
}

/**
 * Checks the flags and files locally (URLs, trusted root), then finds and checks the identity
 * token (`resolveIdentityToken`), all before Fulcio, Rekor or the registry is contacted.
 * Throws INPUT_INVALID, SIGN_TRUSTED_ROOT_INVALID and the SIGN_KEYLESS_TOKEN_* codes.
 */
export async function createKeylessSigner(flags: KeylessFlags): Promise<KeylessSigner> {
  const fulcioUrl = serviceUrl('--fulcio-url', flags.fulcioUrl);
  const rekorUrl = serviceUrl('--rekor-url', flags.rekorUrl);
  const timestampServerUrl = serviceUrl('--timestamp-server-url', flags.timestampServerUrl);
  const trustedRoot = flags.trustedRoot ? await loadTrustedRoot(flags.trustedRoot) : undefined;
  const token = await resolveIdentityToken({
    ...(flags.identityToken === undefined ? {} : { identityToken: flags.identityToken }),
    ...(flags.env ? { env: flags.env } : {}),
    ...(flags.now === undefined ? {} : { now: flags.now }),
  });
  return new KeylessSigner({
    token,
    ...(fulcioUrl ? { fulcioUrl } : {}), ...(rekorUrl ? { rekorUrl } : {}), ...(timestampServerUrl ? { timestampServerUrl } : {}),
    ...(trustedRoot ? { trustedRoot } : {}),
  });
}
