import type { Command } from 'commander';
import type { KeylessFlags } from '../sign/keyless/index.js';

/** cosign's keyless flags, shared by `sign`, `attest` and `sign-blob`. */
export interface KeylessCliFlags {
  identityToken?: string;
  fulcioUrl?: string;
  rekorUrl?: string;
  timestampServerUrl?: string;
  trustedRoot?: string;
}

/** Adds the keyless flags (used when no --key is given). */
export function addKeylessOptions(cmd: Command): Command {
  return cmd
    .option('--identity-token <jwt|file>', 'OIDC identity token for keyless signing (default: $SIGSTORE_ID_TOKEN, then the GitHub Actions token)')
    .option('--fulcio-url <url>', 'Fulcio for keyless signing', 'https://fulcio.sigstore.dev')
    .option('--rekor-url <url>', 'Rekor for keyless signing', 'https://rekor.sigstore.dev')
    .option('--timestamp-server-url <url>', 'RFC 3161 timestamp authority for keyless signing (none by default)')
    .option('--trusted-root <path>', 'trusted_root.json: keyless results are verified against it before anything is written');
}

/**
 * Maps the keyless flags onto the module's options. The URL defaults are dropped when --key is
 * used, so only flags the user typed conflict with it.
 */
export function keylessOptions(flags: KeylessCliFlags, cmd: Command): KeylessFlags {
  const typed = (name: string) => cmd.getOptionValueSource(name) !== 'default';
  return {
    ...(flags.identityToken === undefined ? {} : { identityToken: flags.identityToken }),
    ...(flags.fulcioUrl !== undefined && typed('fulcioUrl') ? { fulcioUrl: flags.fulcioUrl } : {}),
    ...(flags.rekorUrl !== undefined && typed('rekorUrl') ? { rekorUrl: flags.rekorUrl } : {}),
    ...(flags.timestampServerUrl === undefined ? {} : { timestampServerUrl: flags.timestampServerUrl }),
    ...(flags.trustedRoot === undefined ? {} : { trustedRoot: flags.trustedRoot }),
  };
}

/** `--tlog-upload <bool>` as cosign spells it; unset means "what fits the signing mode". */
export function tlogUpload(value: string | undefined): { tlogUpload?: boolean } {
  return value === undefined ? {} : { tlogUpload: value === 'true' };
}
