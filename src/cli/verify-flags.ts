import type { Command } from 'commander';
import type { VerifyCommandOptions } from '../sign/oci/index.js';
import { addRegistryOptions, registryOptions, type RegistryFlags } from './registry-flags.js';

/** The trust flags `verify` and `verify-attestation` share (cosign's names). */
export interface VerifyFlags extends RegistryFlags {
  key?: string;
  certificateIdentity?: string;
  certificateIdentityRegexp?: string;
  certificateOidcIssuer?: string;
  certificateOidcIssuerRegexp?: string;
  trustedRoot?: string;
  output?: string;
}

/** Adds the key / keyless identity / trusted root / output flags. */
export function addVerifyOptions(cmd: Command): Command {
  return addRegistryOptions(cmd
    .option('--key <path>', 'public key (PKIX PEM) or env://VAR')
    .option('--certificate-identity <san>', 'exact certificate SAN (email or URI)')
    .option('--certificate-identity-regexp <re>', 'regexp the WHOLE SAN must match (anchored, unlike cosign)')
    .option('--certificate-oidc-issuer <url>', 'exact OIDC issuer')
    .option('--certificate-oidc-issuer-regexp <re>', 'regexp the WHOLE issuer must match (anchored)')
    .option('--trusted-root <path>', 'trusted_root.json (required for keyless; with --key, also requires a log entry)')
    .option('-o, --output <format>', 'text (payloads as JSON lines, summary on stderr) or json (one report)', 'text'));
}

/** Maps the flags onto `verifyCommand` options. */
export function verifyOptions(flags: VerifyFlags, annotations?: string[]): VerifyCommandOptions {
  const pick = <K extends keyof VerifyFlags>(k: K) => (flags[k] === undefined ? {} : { [k]: flags[k] });
  return {
    ...pick('key'), ...pick('certificateIdentity'), ...pick('certificateIdentityRegexp'), ...pick('certificateOidcIssuer'),
    ...pick('certificateOidcIssuerRegexp'), ...pick('trustedRoot'), ...(annotations ? { annotations } : {}), remote: registryOptions(flags),
  } as VerifyCommandOptions;
}
